//! Bytes → `KpiTable`: format sniffing (`format`), workbooks through
//! calamine (`workbook`), delimited text (`text`), both as a `grid`; the
//! table's layout found in the grid (`layout`), periods, values and targets
//! read from text (`period`, `value`, `target`), metadata wherever it is
//! written (`metadata`), and the final table put together (`assemble`).
//!
//! ```
//! use kpilot::ingest::{read_table, ReadOptions};
//! let csv = b"Month,Churn % (target < 7.5),NPS (>= 70)\n2024-01,5.1,72\n2024-02,5.4,71\n2024-03,6.0,69\n";
//! let table = read_table(csv, "kpis.csv", &ReadOptions::default()).unwrap();
//! assert_eq!(table.kpis[0].name, "Churn %");
//! assert_eq!(table.periods[2].label(), "2024-03");
//! assert_eq!(table.values_of(1), vec![Some(72.0), Some(71.0), Some(69.0)]);
//! ```

pub mod assemble;
pub mod format;
pub mod grid;
pub mod layout;
pub mod metadata;
pub mod period;
pub mod target;
pub mod text;
pub mod value;
pub mod workbook;

use crate::error::{Error, Result};
use crate::model::KpiTable;
use format::Format;
use grid::Grid;
use layout::RawTable;
use metadata::MetaRecord;
use workbook::Workbook;

/// The largest file kpilot reads (a browser tab holds several copies of it).
pub const MAX_FILE_BYTES: usize = 40_000_000;
/// Bytes in the megabyte of messages (decimal, as file managers show sizes).
pub const BYTES_PER_MB: f64 = 1_000_000.0;

/// Choices the user can make about reading a file.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Read this sheet instead of the detected data sheet.
    pub sheet: Option<String>,
    /// Metadata from a separate targets file, stronger than anything in the data file.
    pub targets: Vec<MetaRecord>,
}

/// Reads a KPI table from a file's bytes. `file` is the file's name: it is
/// used in messages and as a hint to the format.
pub fn read_table(bytes: &[u8], file: &str, options: &ReadOptions) -> Result<KpiTable> {
    let source = Source::open(bytes, file)?;
    let (grid, found, sheets, metadata) = source.data_grid(options.sheet.as_deref(), file)?;
    // Choosing among sheets already found the chosen sheet's table.
    let raw = match found {
        Some(raw) => raw,
        None => layout::find_table(&grid, file)?,
    };
    let mut all_metadata = options.targets.clone();
    all_metadata.extend(metadata);
    assemble::assemble(
        raw,
        assemble::Context {
            file,
            sheet: grid.sheet.clone(),
            sheets,
            decimal_comma: grid.decimal_comma,
            metadata: all_metadata,
        },
    )
}

/// The sheet names of a workbook (empty for a text file).
pub fn sheet_names(bytes: &[u8], file: &str) -> Result<Vec<String>> {
    match Source::open(bytes, file)? {
        Source::Workbook(workbook) => Ok(workbook.sheet_names()),
        Source::Text(_) => Ok(Vec::new()),
    }
}

/// Reads a targets/metadata file (`--targets`): a sheet with a KPI column and
/// Target / Direction / Unit / Owner / Department / Focus columns.
pub fn read_targets(bytes: &[u8], file: &str) -> Result<Vec<MetaRecord>> {
    match Source::open(bytes, file)? {
        Source::Text(grid) => metadata::read_targets_file(&grid, file),
        Source::Workbook(workbook) => {
            let mut last_error = None;
            for name in workbook.sheet_names() {
                match metadata::read_targets_file(&workbook.grid(&name)?, file) {
                    Ok(records) => return Ok(records),
                    Err(error) => last_error = Some(error),
                }
            }
            Err(last_error.unwrap_or_else(|| Error::Metadata {
                location: format!("'{file}'"),
                detail: "the workbook has no sheets".to_string(),
            }))
        }
    }
}

/// The sheet to analyse, its table when choosing the sheet already found it,
/// the workbook's sheet names, and metadata from its sheets.
type DataSheet = (Grid, Option<RawTable>, Vec<String>, Vec<MetaRecord>);

/// An opened file: a workbook, or one grid of text.
enum Source {
    Workbook(Workbook),
    Text(Grid),
}

impl Source {
    fn open(bytes: &[u8], file: &str) -> Result<Source> {
        if bytes.is_empty() {
            return Err(Error::EmptyFile {
                file: file.to_string(),
            });
        }
        if bytes.len() > MAX_FILE_BYTES {
            return Err(Error::TooLarge {
                file: file.to_string(),
                size_mb: bytes.len() as f64 / BYTES_PER_MB,
                limit_mb: (MAX_FILE_BYTES as f64 / BYTES_PER_MB) as u64,
            });
        }
        match format::sniff(bytes, file)? {
            Format::Text => {
                let grid = text::read_delimited(bytes, file)?;
                if grid.height() == 0 {
                    return Err(Error::EmptyFile {
                        file: file.to_string(),
                    });
                }
                Ok(Source::Text(grid))
            }
            workbook_format => Ok(Source::Workbook(Workbook::open(
                bytes,
                file,
                workbook_format,
            )?)),
        }
    }

    /// The grid to analyse, the sheet list, and metadata from other sheets.
    fn data_grid(self, wanted: Option<&str>, file: &str) -> Result<DataSheet> {
        match self {
            Source::Text(grid) => Ok((grid, None, Vec::new(), Vec::new())),
            Source::Workbook(workbook) => choose_sheet(&workbook, wanted, file),
        }
    }
}

/// Picks the data sheet (the asked-for one, else the one with the largest
/// table) and gathers metadata sheets.
fn choose_sheet(workbook: &Workbook, wanted: Option<&str>, file: &str) -> Result<DataSheet> {
    let names = workbook.sheet_names();
    let mut grids = Vec::with_capacity(names.len());
    for name in &names {
        grids.push(workbook.grid(name)?);
    }
    let mut metadata = Vec::new();
    for grid in &grids {
        if let Some(records) = metadata::read_metadata_sheet(
            grid,
            &format!(
                "metadata sheet '{}'",
                grid.sheet.as_deref().unwrap_or_default()
            ),
        ) {
            metadata.extend(records);
        }
    }
    if let Some(wanted) = wanted {
        let grid = workbook.grid(wanted)?;
        return Ok((grid, None, names, metadata));
    }
    let mut best: Option<(usize, RawTable)> = None;
    let mut first_error = None;
    for (index, grid) in grids.iter().enumerate() {
        match layout::find_table(grid, file) {
            Ok(table)
                if best
                    .as_ref()
                    .is_none_or(|(_, kept)| table.value_count > kept.value_count) =>
            {
                best = Some((index, table))
            }
            Ok(_) => {}
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    match best {
        Some((index, table)) => {
            let grid = grids.swap_remove(index);
            Ok((grid, Some(table), names, metadata))
        }
        None => Err(match first_error {
            Some(Error::NoTable { .. }) | None => Error::NoTable {
                location: format!("'{file}'"),
                detail: format!(
                    "none of its sheets ({}) holds a table of KPI values over periods",
                    names.join(", ")
                ),
            },
            Some(other) => other,
        }),
    }
}
