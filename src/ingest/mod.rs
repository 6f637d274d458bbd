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
pub mod axis;
pub mod confidence;
pub mod entity;
pub mod format;
pub mod grid;
pub mod layout;
pub mod locale;
pub mod mapping;
pub mod metadata;
pub mod period;
pub mod prescan;
mod prescan_ods;
pub mod prescan_xls;
pub mod prescan_xlsb;
pub mod preview;
pub mod roles;
pub mod target;
pub mod text;
pub mod value;
pub mod workbook;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::model::KpiTable;
use axis::YearHint;
use format::Format;
use grid::Grid;
use layout::{RawTable, TableContext};
use mapping::Mapping;
use metadata::MetaRecord;
use workbook::Workbook;

/// The largest file the engine reads (the command line's limit). The web
/// page refuses smaller files already, at what a browser tab holds
/// comfortably (`MAX_FILE_BYTES` in `www/worker.js`, measured with
/// `bench/browser.mjs`).
pub const MAX_FILE_BYTES: usize = 200_000_000;
/// Bytes in the megabyte of messages (decimal, as file managers show sizes).
pub const BYTES_PER_MB: f64 = 1_000_000.0;

/// Choices the user can make about reading a file.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Read this sheet instead of the detected data sheet.
    pub sheet: Option<String>,
    /// Metadata from a separate targets file, stronger than anything in the data file.
    pub targets: Vec<MetaRecord>,
    /// Where the table's parts are, as far as the user says; the rest is
    /// detected. Its `sheet`, when given, wins over `sheet`.
    pub mapping: Mapping,
    /// Today, for months written without a year (taken to be the latest
    /// ones before today). Without it, `axis::DEFAULT_TODAY`.
    pub today: Option<NaiveDate>,
}

/// Reads a KPI table from a file's bytes. `file` is the file's name: it is
/// used in messages and as a hint to the format.
pub fn read_table(bytes: &[u8], file: &str, options: &ReadOptions) -> Result<KpiTable> {
    let source = Source::open(bytes, file)?;
    let wanted_sheet = options
        .mapping
        .sheet
        .as_deref()
        .or(options.sheet.as_deref());
    let chosen = source.data_grid(wanted_sheet, file, options)?;
    let mut all_metadata = options.targets.clone();
    all_metadata.extend(chosen.metadata);
    let mut raw = chosen.table;
    raw.warnings.splice(0..0, chosen.notes);
    raw.doubts.splice(0..0, chosen.doubts);
    assemble::assemble(
        raw,
        assemble::Context {
            file,
            sheet: chosen.grid.sheet.clone(),
            sheets: chosen.sheets,
            decimal_comma: chosen.grid.decimal_comma,
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

/// The sheet to analyse and what choosing it found.
struct DataSheet {
    grid: Grid,
    table: RawTable,
    sheets: Vec<String>,
    metadata: Vec<MetaRecord>,
    /// Said in the warnings: which sheet was chosen and why.
    notes: Vec<String>,
    doubts: Vec<confidence::Doubt>,
}

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

    /// The grid to analyse and its table, the sheet list, and metadata
    /// from other sheets.
    fn data_grid(
        self,
        wanted: Option<&str>,
        file: &str,
        options: &ReadOptions,
    ) -> Result<DataSheet> {
        match self {
            Source::Text(grid) => {
                let context = table_context(file, &[], options);
                let table = layout::find_table(&grid, &context, &options.mapping)?;
                Ok(DataSheet {
                    grid,
                    table,
                    sheets: Vec::new(),
                    metadata: Vec::new(),
                    notes: Vec::new(),
                    doubts: Vec::new(),
                })
            }
            Source::Workbook(workbook) => choose_sheet(&workbook, wanted, file, options),
        }
    }
}

/// The layout context of a file: years from its name and from the titles
/// of its sheets, and today.
fn table_context(file: &str, grids: &[Grid], options: &ReadOptions) -> TableContext {
    let mut year_hints = Vec::new();
    if let Some(year) = layout::year_in_text(file) {
        year_hints.push(YearHint {
            year,
            source: format!("the file name '{file}'"),
        });
    }
    for grid in grids {
        for hint in layout::title_year_hints(grid, 3) {
            year_hints.push(YearHint {
                source: format!(
                    "{} of sheet '{}'",
                    hint.source,
                    grid.sheet.as_deref().unwrap_or_default()
                ),
                ..hint
            });
        }
    }
    TableContext {
        file: file.to_string(),
        year_hints,
        today: options.today,
    }
}

/// How near a sheet that holds no table came to holding one, for the
/// message that refuses the workbook: (whether periods were found, its
/// filled cells, its name, what it lacked). A sheet where periods were
/// found but the table was refused (one period only, no values) is nearer
/// than any sheet without periods; among those, the fullest sheet.
fn nearest_candidate(grid: &Grid, detail: &str) -> (bool, usize, String, String) {
    let found_periods =
        !detail.starts_with("found no row or column of periods") && detail != "the sheet is empty";
    let filled = grid
        .rows
        .iter()
        .map(|row| row.iter().filter(|cell| !cell.is_blank()).count())
        .sum();
    (
        found_periods,
        filled,
        grid.sheet.clone().unwrap_or_default(),
        detail.to_string(),
    )
}

/// Share of the best sheet's score at which another sheet is a close call.
const CLOSE_SHEET: f64 = 0.75;

/// Picks the data sheet (the asked-for one, else the one whose table has
/// the most named KPIs with values over the most periods; among sheets
/// holding the same table, the first) and gathers metadata sheets.
fn choose_sheet(
    workbook: &Workbook,
    wanted: Option<&str>,
    file: &str,
    options: &ReadOptions,
) -> Result<DataSheet> {
    let names = workbook.sheet_names();
    let mut grids = Vec::with_capacity(names.len());
    for name in &names {
        grids.push(workbook.grid(name)?);
    }
    // Metadata sheets, by the sheet they are on: the data sheet's own
    // Target / Unit / Owner columns are read with its table, so a data
    // sheet is never its own metadata sheet (its section and Total rows
    // would be named as metadata for KPIs that are not in the data).
    let mut metadata_of: Vec<(String, Vec<MetaRecord>)> = Vec::new();
    for grid in &grids {
        let sheet = grid.sheet.as_deref().unwrap_or_default();
        if let Some(records) =
            metadata::read_metadata_sheet(grid, &format!("metadata sheet '{sheet}'"))
        {
            metadata_of.push((sheet.to_string(), records));
        }
    }
    let metadata_beside = |data_sheet: &str| -> Vec<MetaRecord> {
        metadata_of
            .iter()
            .filter(|(sheet, _)| sheet != data_sheet)
            .flat_map(|(_, records)| records.iter().cloned())
            .collect()
    };
    let context = table_context(file, &grids, options);
    if let Some(wanted) = wanted {
        let grid = workbook.grid(wanted)?;
        let table = layout::find_table(&grid, &context, &options.mapping)?;
        return Ok(DataSheet {
            metadata: metadata_beside(grid.sheet.as_deref().unwrap_or(wanted)),
            notes: workbook.reading_notes(wanted),
            grid,
            table,
            sheets: names,
            doubts: Vec::new(),
        });
    }
    let mut found: Vec<(usize, RawTable, f64)> = Vec::new();
    let mut first_error = None;
    let mut nearest: Option<(bool, usize, String, String)> = None;
    for (index, grid) in grids.iter().enumerate() {
        match layout::find_table(grid, &context, &options.mapping) {
            Ok(table) => {
                let score = table.score();
                found.push((index, table, score));
            }
            Err(error) => {
                if let Error::NoTable { detail, .. } = &error {
                    let candidate = nearest_candidate(grid, detail);
                    if nearest
                        .as_ref()
                        .is_none_or(|kept| (kept.0, kept.1) < (candidate.0, candidate.1))
                    {
                        nearest = Some(candidate);
                    }
                }
                first_error.get_or_insert(error);
            }
        }
    }
    let best_score = found
        .iter()
        .map(|(_, _, score)| *score)
        .fold(f64::NEG_INFINITY, f64::max);
    let Some(best_position) = found.iter().position(|(_, _, score)| *score == best_score) else {
        return Err(match first_error {
            Some(Error::NoTable { .. }) | None => Error::NoTable {
                location: format!("'{file}'"),
                detail: format!(
                    "none of its sheets ({}) holds a table of KPI values over periods{}",
                    layout::quoted_list(&names),
                    nearest
                        .map(|(_, _, sheet, detail)| format!(
                            "; the nearest is sheet '{sheet}': {detail}"
                        ))
                        .unwrap_or_default()
                ),
            },
            Some(other) => other,
        });
    };
    // Sheets holding the same table (a template copied per KPI): the first.
    // The same table means the same labels in the same place of the sheet;
    // a dashboard that repeats some months of the data sheet elsewhere on
    // its page is not a copy, and the larger table wins.
    let signature = |table: &RawTable| {
        let mut labels: Vec<&str> = table.series.iter().map(|raw| raw.label.as_str()).collect();
        labels.sort_unstable();
        let shape = &table.shape;
        (
            table.layout,
            labels.join("\u{1f}"),
            shape.header_row,
            shape.period_row,
            shape.period_column,
            shape.name_column,
        )
    };
    let best_signature = signature(&found[best_position].1);
    let alike: Vec<usize> = found
        .iter()
        .enumerate()
        .filter(|(_, (_, table, _))| signature(table) == best_signature)
        .map(|(position, _)| position)
        .collect();
    let chosen = alike.first().copied().unwrap_or(best_position);
    let sheet_name = |position: usize| {
        found
            .get(position)
            .and_then(|(index, _, _)| names.get(*index))
            .cloned()
            .unwrap_or_default()
    };
    let mut notes = Vec::new();
    let mut doubts = Vec::new();
    let describe = |table: &RawTable| {
        format!(
            "{} series over {} periods",
            table.series.len(),
            table.periods.len()
        )
    };
    if found.len() > 1 || names.len() > 1 {
        let close: Vec<String> = found
            .iter()
            .enumerate()
            .filter(|(position, (_, _, score))| {
                !alike.contains(position) && *score >= CLOSE_SHEET * best_score && best_score > 0.0
            })
            .map(|(position, (_, table, _))| {
                format!("'{}' ({})", sheet_name(position), describe(table))
            })
            .collect();
        let mut note = format!(
            "Read sheet '{}' ({}), the workbook's largest table of named KPIs over periods.",
            sheet_name(chosen),
            describe(&found[chosen].1)
        );
        if alike.len() > 1 {
            let others: Vec<String> = alike
                .iter()
                .skip(1)
                .map(|position| sheet_name(*position))
                .collect();
            note.push_str(&format!(
                " Sheets {} hold the same table; pick one of them to read it instead.",
                layout::quoted_list(&others)
            ));
        }
        if !close.is_empty() {
            note.push_str(&format!(" Also close: {}.", layout::list_of(&close, ", ")));
            doubts.push(confidence::Doubt::check(format!(
                "The data sheet was chosen among close candidates: '{}' and {}; check it is the one you meant.",
                sheet_name(chosen),
                layout::list_of(&close, ", ")
            )));
        }
        notes.push(note);
    }
    let (index, table, _) = found.swap_remove(chosen);
    let grid = grids.swap_remove(index);
    notes.extend(workbook.reading_notes(grid.sheet.as_deref().unwrap_or_default()));
    Ok(DataSheet {
        metadata: metadata_beside(grid.sheet.as_deref().unwrap_or_default()),
        grid,
        table,
        sheets: names,
        notes,
        doubts,
    })
}
