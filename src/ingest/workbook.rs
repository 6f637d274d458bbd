//! Workbooks (xlsx, xlsm, xlsb, xls, ods) → grids, through calamine, from
//! bytes in memory.
//!
//! A sheet is read as the cells it holds, not as its used range: one cell
//! at XFD1048576 makes the used range 17 billion cells, which a dense
//! reader cannot hold. xlsx and xlsb are streamed through calamine's cell
//! readers; xls and ods, which calamine reads whole, give up their used
//! cells. A cell far from the table (`FAR` empty rows or columns away) is
//! left out with a warning that says where it was.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{
    open_workbook_from_rs, Data, DataRef, Ods, Reader, Xls, Xlsb, XlsbError, Xlsx, XlsxError,
};

use crate::error::{Error, Result};
use crate::ingest::format::Format;
use crate::ingest::grid::{column_name, Cell, Grid};
use crate::ingest::{prescan, prescan_xls, prescan_xlsb};

/// Cells kpilot reads from one sheet at most (a 5,000 × 1,000 sheet).
const MAX_CELLS: usize = 5_000_000;

/// Empty rows or columns that set cells apart from the table: cells beyond
/// such a gap are not part of it (a note a few rows below a table is).
const FAR: u32 = 1_000;

/// Groups of left-out cells a warning names one by one.
const NAMED_GROUPS: usize = 3;

/// One non-empty cell and where it is (0-based row and column).
struct SheetCell {
    row: u32,
    column: u32,
    cell: Cell,
}

/// One sheet as read: its cells, or why it is too large to read.
struct Sheet {
    name: String,
    cells: Vec<SheetCell>,
    /// Set when the sheet holds more than `MAX_CELLS` cells (the rest is
    /// not read).
    too_many_cells: bool,
    /// Said in the warnings: cells left out, and where they were.
    notes: Vec<String>,
}

/// An opened workbook: its sheet names and a way to read each as a grid.
pub struct Workbook {
    file: String,
    sheets: Vec<Sheet>,
}

impl Workbook {
    /// Opens a workbook of the given format from bytes.
    pub fn open(bytes: &[u8], file: &str, format: Format) -> Result<Workbook> {
        let failure = |detail: String| Error::Workbook {
            file: file.to_string(),
            detail,
        };
        // What calamine would trust and choke on, measured first.
        match format {
            Format::Xls => {
                check_compound_file(bytes).map_err(|detail| failure(explain(&detail)))?;
                prescan_xls::check_xls(bytes).map_err(failure)?;
            }
            Format::Ods => prescan::check_ods(bytes).map_err(failure)?,
            Format::Xlsb => prescan_xlsb::check_xlsb(bytes).map_err(failure)?,
            _ => {}
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
        let opened = |error: &dyn std::fmt::Display| failure(explain(&error.to_string()));
        let sheets = match format {
            Format::Xlsx => {
                read_xlsx(open_workbook_from_rs::<Xlsx<_>, _>(cursor).map_err(|e| opened(&e))?)
            }
            Format::Xlsb => {
                read_xlsb(open_workbook_from_rs::<Xlsb<_>, _>(cursor).map_err(|e| opened(&e))?)
            }
            Format::Xls => {
                read_ranges(open_workbook_from_rs::<Xls<_>, _>(cursor).map_err(|e| opened(&e))?)
            }
            Format::Ods => {
                read_ranges(open_workbook_from_rs::<Ods<_>, _>(cursor).map_err(|e| opened(&e))?)
            }
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
        self.sheets.iter().map(|sheet| sheet.name.clone()).collect()
    }

    fn sheet(&self, name: &str) -> Result<&Sheet> {
        self.sheets
            .iter()
            .find(|sheet| sheet.name == name)
            .or_else(|| {
                self.sheets
                    .iter()
                    .find(|sheet| sheet.name.trim().eq_ignore_ascii_case(name.trim()))
            })
            .ok_or_else(|| Error::SheetNotFound {
                file: self.file.clone(),
                sheet: name.to_string(),
                available: self.sheet_names().join(", "),
            })
    }

    /// What reading a sheet left out, and where, for the warnings.
    pub fn reading_notes(&self, name: &str) -> Vec<String> {
        self.sheet(name)
            .map(|sheet| sheet.notes.clone())
            .unwrap_or_default()
    }

    /// One sheet as a grid.
    pub fn grid(&self, name: &str) -> Result<Grid> {
        let sheet = self.sheet(name)?;
        let too_large = |detail: String| Error::NoTable {
            location: format!("'{}', sheet '{}'", self.file, sheet.name),
            detail,
        };
        if sheet.too_many_cells {
            return Err(too_large(format!(
                "the sheet holds more than {MAX_CELLS} cells, the most kpilot reads per sheet — trim it or use the command line on a smaller export"
            )));
        }
        // Rows keep absolute positions so messages name the row a person
        // sees in Excel: the grid costs each row up to its last cell.
        let mut last_column_of_row: HashMap<u32, u32> = HashMap::new();
        for cell in &sheet.cells {
            let last = last_column_of_row.entry(cell.row).or_insert(0);
            *last = (*last).max(cell.column);
        }
        let grid_cells: usize = last_column_of_row
            .values()
            .map(|last| *last as usize + 1)
            .sum();
        if grid_cells > MAX_CELLS {
            let height = last_column_of_row.keys().max().map_or(0, |row| row + 1);
            let width = last_column_of_row
                .values()
                .max()
                .map_or(0, |column| column + 1);
            return Err(too_large(format!(
                "the sheet is {height} rows × {width} columns; kpilot reads up to {MAX_CELLS} cells per sheet — trim it or use the command line on a smaller export"
            )));
        }
        let height = last_column_of_row
            .keys()
            .max()
            .map_or(0, |row| *row as usize + 1);
        let mut rows = vec![Vec::new(); height];
        for cell in &sheet.cells {
            if let Some(row) = rows.get_mut(cell.row as usize) {
                let column = cell.column as usize;
                if row.len() <= column {
                    row.resize(column + 1, Cell::Empty);
                }
                if let Some(slot) = row.get_mut(column) {
                    *slot = cell.cell.clone();
                }
            }
        }
        let mut grid = Grid {
            sheet: Some(sheet.name.clone()),
            rows,
            decimal_comma: false,
        };
        grid.trim();
        Ok(grid)
    }
}

/// Gathers a sheet's non-empty cells, up to `MAX_CELLS`.
struct SheetReader {
    sheet: Sheet,
}

impl SheetReader {
    fn new(name: &str) -> SheetReader {
        SheetReader {
            sheet: Sheet {
                name: name.to_string(),
                cells: Vec::new(),
                too_many_cells: false,
                notes: Vec::new(),
            },
        }
    }

    /// Takes one cell; false once the sheet holds too many to read on.
    fn push(&mut self, (row, column): (u32, u32), cell: Cell) -> bool {
        if cell == Cell::Empty {
            return true;
        }
        if self.sheet.cells.len() >= MAX_CELLS {
            self.sheet.too_many_cells = true;
            self.sheet.cells = Vec::new();
            return false;
        }
        self.sheet.cells.push(SheetCell { row, column, cell });
        true
    }

    fn finish(mut self) -> Sheet {
        if !self.sheet.too_many_cells {
            leave_out_far_cells(&mut self.sheet);
        }
        self.sheet
    }
}

fn read_xlsx(mut workbook: Xlsx<Cursor<&[u8]>>) -> std::result::Result<Vec<Sheet>, String> {
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let failed = |error: XlsxError| format!("sheet '{name}': {}", explain(&error.to_string()));
        let mut sheet = SheetReader::new(&name);
        match workbook.worksheet_cells_reader(&name) {
            Ok(mut cells) => {
                while let Some(cell) = cells.next_cell().map_err(failed)? {
                    if !sheet.push(cell.get_position(), convert_ref(cell.get_value())) {
                        break;
                    }
                }
            }
            // A chart sheet holds no cells.
            Err(XlsxError::NotAWorksheet(_)) => {}
            Err(error) => return Err(failed(error)),
        }
        sheets.push(sheet.finish());
    }
    Ok(sheets)
}

fn read_xlsb(mut workbook: Xlsb<Cursor<&[u8]>>) -> std::result::Result<Vec<Sheet>, String> {
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let failed = |error: XlsbError| format!("sheet '{name}': {}", explain(&error.to_string()));
        let mut sheet = SheetReader::new(&name);
        let mut cells = workbook.worksheet_cells_reader(&name).map_err(failed)?;
        while let Some(cell) = cells.next_cell().map_err(failed)? {
            if !sheet.push(cell.get_position(), convert_ref(cell.get_value())) {
                break;
            }
        }
        sheets.push(sheet.finish());
    }
    Ok(sheets)
}

/// xls and ods: calamine reads these whole, into ranges; their used cells
/// are taken from there.
fn read_ranges<R: Reader<Cursor<B>>, B: AsRef<[u8]>>(
    mut workbook: R,
) -> std::result::Result<Vec<Sheet>, String>
where
    R::Error: std::fmt::Display,
{
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|error| format!("sheet '{name}': {}", explain(&error.to_string())))?;
        let (first_row, first_column) = range.start().unwrap_or((0, 0));
        let mut sheet = SheetReader::new(&name);
        for (row, column, data) in range.used_cells() {
            let position = (
                first_row.saturating_add(row as u32),
                first_column.saturating_add(column as u32),
            );
            if !sheet.push(position, convert(data)) {
                break;
            }
        }
        sheets.push(sheet.finish());
    }
    Ok(sheets)
}

/// Bands of occupied rows (or columns): a band ends where more than `FAR`
/// empty ones follow. Returns each band's first index, ascending.
fn band_starts(mut indices: Vec<u32>) -> Vec<u32> {
    indices.sort_unstable();
    indices.dedup();
    let mut starts = Vec::new();
    let mut previous: Option<u32> = None;
    for index in indices {
        if previous.is_none_or(|previous| index - previous > FAR) {
            starts.push(index);
        }
        previous = Some(index);
    }
    starts
}

/// The band an index falls in, given the bands' first indices.
fn band_of(starts: &[u32], index: u32) -> usize {
    starts
        .partition_point(|start| *start <= index)
        .saturating_sub(1)
}

/// Keeps the block of cells holding the most of them (blocks are set apart
/// by more than `FAR` empty rows or columns) and leaves out the others,
/// with a note naming where they were.
fn leave_out_far_cells(sheet: &mut Sheet) {
    let row_bands = band_starts(sheet.cells.iter().map(|cell| cell.row).collect());
    let column_bands = band_starts(sheet.cells.iter().map(|cell| cell.column).collect());
    if row_bands.len() <= 1 && column_bands.len() <= 1 {
        return;
    }
    let block_of = |cell: &SheetCell| {
        (
            band_of(&row_bands, cell.row),
            band_of(&column_bands, cell.column),
        )
    };
    // Per block: cell count and bounds (first row, first column, last row,
    // last column).
    let mut blocks: HashMap<(usize, usize), (usize, [u32; 4])> = HashMap::new();
    for cell in &sheet.cells {
        let (count, bounds) = blocks
            .entry(block_of(cell))
            .or_insert((0, [cell.row, cell.column, cell.row, cell.column]));
        *count += 1;
        *bounds = [
            bounds[0].min(cell.row),
            bounds[1].min(cell.column),
            bounds[2].max(cell.row),
            bounds[3].max(cell.column),
        ];
    }
    // The table's block: the most cells; on a tie, the top-left one.
    let Some(table) = blocks
        .iter()
        .max_by(|(a_key, (a_count, _)), (b_key, (b_count, _))| {
            a_count.cmp(b_count).then(b_key.cmp(a_key))
        })
        .map(|(key, _)| *key)
    else {
        return;
    };
    let mut left_out: Vec<(usize, [u32; 4])> = blocks
        .iter()
        .filter(|(key, _)| **key != table)
        .map(|(_, block)| *block)
        .collect();
    left_out.sort_by_key(|(_, bounds)| *bounds);
    sheet.cells.retain(|cell| block_of(cell) == table);
    let cell_name = |row: u32, column: u32| format!("{}{}", column_name(column as usize), row + 1);
    let mut groups: Vec<String> = left_out
        .iter()
        .take(NAMED_GROUPS)
        .map(|(count, [top, left, bottom, right])| {
            if *count == 1 {
                format!("a lone cell at {}", cell_name(*top, *left))
            } else {
                format!(
                    "{count} cells in {}:{}",
                    cell_name(*top, *left),
                    cell_name(*bottom, *right)
                )
            }
        })
        .collect();
    if left_out.len() > NAMED_GROUPS {
        groups.push(format!("{} more groups", left_out.len() - NAMED_GROUPS));
    }
    let were = if left_out.len() == 1 && left_out[0].0 == 1 {
        "was"
    } else {
        "were"
    };
    sheet.notes.push(format!(
        "Sheet '{}': {}, far from the table, {were} left out.",
        sheet.name,
        crate::ingest::layout::list_of(&groups, ", "),
    ));
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

fn convert_ref(data: &DataRef) -> Cell {
    match data {
        DataRef::SharedString(text) => Cell::Text(text.to_string()),
        DataRef::Empty => Cell::Empty,
        DataRef::Int(number) => convert(&Data::Int(*number)),
        DataRef::Float(number) => convert(&Data::Float(*number)),
        DataRef::String(text) => Cell::Text(text.clone()),
        DataRef::Bool(value) => Cell::Bool(*value),
        DataRef::DateTime(datetime) => convert(&Data::DateTime(*datetime)),
        DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => Cell::Text(text.clone()),
        DataRef::Error(error) => Cell::Error(error.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet_of(positions: &[(u32, u32)]) -> Sheet {
        let mut reader = SheetReader::new("Data");
        for position in positions {
            reader.push(*position, Cell::Number(1.0));
        }
        reader.finish()
    }

    #[test]
    fn cells_near_the_table_stay() {
        let sheet = sheet_of(&[(0, 0), (0, 1), (1, 0), (1, 1), (900, 0), (0, 900)]);
        assert_eq!(sheet.cells.len(), 6);
        assert!(sheet.notes.is_empty());
    }

    #[test]
    fn far_groups_are_left_out_and_named() {
        let sheet = sheet_of(&[
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (5_000, 2),
            (9_999, 3),
            (10_000, 4),
            (3, 20_000),
        ]);
        assert_eq!(sheet.cells.len(), 4);
        assert_eq!(
            sheet.notes,
            vec![
                "Sheet 'Data': a lone cell at ACOG4, a lone cell at C5001, 2 cells in D10000:E10001, far from the table, were left out."
                    .to_string()
            ]
        );
    }

    #[test]
    fn a_grid_keeps_absolute_positions() {
        let mut reader = SheetReader::new("Data");
        reader.push((2, 1), Cell::Text("KPI".to_string()));
        reader.push((3, 2), Cell::Number(4.0));
        let workbook = Workbook {
            file: "book.xlsx".to_string(),
            sheets: vec![reader.finish()],
        };
        let grid = workbook.grid("data").expect("the sheet is found by name");
        assert_eq!(grid.height(), 4);
        assert_eq!(grid.cell(2, 1), &Cell::Text("KPI".to_string()));
        assert_eq!(grid.cell(3, 2), &Cell::Number(4.0));
    }
}
