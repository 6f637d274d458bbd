//! Workbooks (xlsx, xlsm, xlsb, xls, ods) → grids, through calamine, from
//! bytes in memory.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Ods, Range, Reader, Xls, Xlsb, Xlsx};

use crate::error::{Error, Result};
use crate::ingest::format::Format;
use crate::ingest::grid::{Cell, Grid};

/// Cells kpilot reads from one sheet at most (a 5,000 × 1,000 sheet).
const MAX_CELLS: usize = 5_000_000;

/// An opened workbook: its sheet names and a way to read each as a grid.
pub struct Workbook {
    file: String,
    sheets: Vec<(String, Range<Data>)>,
}

impl Workbook {
    /// Opens a workbook of the given format from bytes.
    pub fn open(bytes: &[u8], file: &str, format: Format) -> Result<Workbook> {
        let failure = |detail: String| Error::Workbook {
            file: file.to_string(),
            detail,
        };
        if format == Format::Xls {
            check_compound_file(bytes).map_err(|detail| failure(explain(&detail)))?;
        }
        // calamine can panic on some damaged files; natively the panic is
        // caught and reported like any other damage. (In the browser a panic
        // ends the module, and the page's worker starts a fresh one.)
        #[cfg(not(target_arch = "wasm32"))]
        {
            std::panic::catch_unwind(|| Workbook::open_unguarded(bytes, file, format)).unwrap_or_else(|_| {
                Err(failure(
                    "the workbook is damaged (its internal structure is inconsistent); save it again from Excel".to_string(),
                ))
            })
        }
        #[cfg(target_arch = "wasm32")]
        {
            Workbook::open_unguarded(bytes, file, format)
        }
    }

    fn open_unguarded(bytes: &[u8], file: &str, format: Format) -> Result<Workbook> {
        let cursor = Cursor::new(bytes);
        let failure = |detail: String| Error::Workbook {
            file: file.to_string(),
            detail,
        };
        let sheets = match format {
            Format::Xlsx => read_all(
                open_workbook_from_rs::<Xlsx<_>, _>(cursor)
                    .map_err(|e| failure(explain(&e.to_string())))?,
            ),
            Format::Xlsb => read_all(
                open_workbook_from_rs::<Xlsb<_>, _>(cursor)
                    .map_err(|e| failure(explain(&e.to_string())))?,
            ),
            Format::Xls => read_all(
                open_workbook_from_rs::<Xls<_>, _>(cursor)
                    .map_err(|e| failure(explain(&e.to_string())))?,
            ),
            Format::Ods => read_all(
                open_workbook_from_rs::<Ods<_>, _>(cursor)
                    .map_err(|e| failure(explain(&e.to_string())))?,
            ),
            Format::Text => return Err(failure("it is a text file, not a workbook".to_string())),
        };
        let sheets = sheets.map_err(failure)?;
        if sheets.is_empty() {
            return Err(failure("it has no worksheets".to_string()));
        }
        Ok(Workbook {
            file: file.to_string(),
            sheets,
        })
    }

    /// The names of the sheets, in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(name, _)| name.clone()).collect()
    }

    /// One sheet as a grid.
    pub fn grid(&self, name: &str) -> Result<Grid> {
        let (sheet, range) = self
            .sheets
            .iter()
            .find(|(sheet, _)| sheet == name)
            .or_else(|| {
                self.sheets
                    .iter()
                    .find(|(sheet, _)| sheet.trim().eq_ignore_ascii_case(name.trim()))
            })
            .ok_or_else(|| Error::SheetNotFound {
                file: self.file.clone(),
                sheet: name.to_string(),
                available: self.sheet_names().join(", "),
            })?;
        let (height, width) = range.get_size();
        if height.saturating_mul(width) > MAX_CELLS {
            return Err(Error::NoTable {
                location: format!("'{}', sheet '{sheet}'", self.file),
                detail: format!(
                    "the sheet is {height} rows × {width} columns; kpilot reads up to {MAX_CELLS} cells per sheet — trim it or use the command line on a smaller export"
                ),
            });
        }
        // calamine's range starts at the first used cell; keep absolute
        // positions so messages name the row a person sees in Excel.
        let (first_row, first_column) = range.start().unwrap_or((0, 0));
        let mut rows = vec![Vec::new(); first_row as usize];
        for row in range.rows() {
            let mut cells = vec![Cell::Empty; first_column as usize];
            cells.extend(row.iter().map(convert));
            rows.push(cells);
        }
        let mut grid = Grid {
            sheet: Some(sheet.clone()),
            rows,
            decimal_comma: false,
        };
        grid.trim();
        Ok(grid)
    }
}

fn read_all<R: Reader<Cursor<B>>, B: AsRef<[u8]>>(
    mut workbook: R,
) -> std::result::Result<Vec<(String, Range<Data>)>, String>
where
    R::Error: std::fmt::Display,
{
    let names = workbook.sheet_names();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        match workbook.worksheet_range(&name) {
            Ok(range) => sheets.push((name, range)),
            Err(error) => return Err(format!("sheet '{name}': {}", explain(&error.to_string()))),
        }
    }
    Ok(sheets)
}

/// Checks that an OLE compound file (.xls) holds every sector its header
/// names for the allocation table and the directory: calamine trusts the
/// header, and a truncated file can make it loop or panic.
fn check_compound_file(bytes: &[u8]) -> std::result::Result<(), String> {
    const HEADER: usize = 512;
    const FREE: u32 = 0xFFFF_FFFF;
    let truncated = || "the file is truncated (end of file inside the workbook)".to_string();
    let u32_at = |offset: usize| -> Option<u32> {
        let slice = bytes.get(offset..offset + 4)?;
        Some(u32::from_le_bytes([slice[0], slice[1], slice[2], slice[3]]))
    };
    let shift = bytes
        .get(30..32)
        .map(|slice| u16::from_le_bytes([slice[0], slice[1]]))
        .ok_or_else(truncated)?;
    if !(7..=16).contains(&shift) {
        return Err("the file's header is damaged (impossible sector size)".to_string());
    }
    let sector_size = 1usize << shift;
    let sectors_in_file = bytes.len().saturating_sub(HEADER) / sector_size;
    let fat_sectors = u32_at(44).ok_or_else(truncated)? as usize;
    let directory = u32_at(48).ok_or_else(truncated)?;
    let inside = |sector: u32| (sector as usize) < sectors_in_file;
    if directory != FREE && !inside(directory) {
        return Err(truncated());
    }
    for index in 0..fat_sectors.min(109) {
        let sector = u32_at(76 + 4 * index).ok_or_else(truncated)?;
        if sector != FREE && !inside(sector) {
            return Err(truncated());
        }
    }
    if fat_sectors > sectors_in_file {
        return Err(truncated());
    }
    Ok(())
}

/// Turns calamine's messages into advice where a common cause is known.
fn explain(detail: &str) -> String {
    let lower = detail.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        format!("{detail} — the workbook looks password-protected; save an unprotected copy")
    } else if lower.contains("zip") || lower.contains("eof") || lower.contains("end of") {
        format!("{detail} — the file looks truncated or damaged; save it again from Excel")
    } else {
        detail.to_string()
    }
}

fn convert(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::Int(number) => Cell::Number(*number as f64),
        Data::Float(number) if number.is_finite() => Cell::Number(*number),
        Data::Float(_) => Cell::Error("#NUM!".to_string()),
        Data::String(text) => Cell::Text(text.clone()),
        Data::Bool(value) => Cell::Bool(*value),
        Data::DateTime(datetime) if datetime.is_datetime() => match datetime.as_datetime() {
            Some(moment) => Cell::Date(moment.date()),
            None => Cell::Number(datetime.as_f64()),
        },
        Data::DateTime(duration) => Cell::Number(duration.as_f64()),
        Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::Text(text.clone()),
        Data::Error(error) => Cell::Error(error.to_string()),
    }
}
