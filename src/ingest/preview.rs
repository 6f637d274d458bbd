//! The sheet preview for "Check how we read your file": the top-left part of
//! the sheet a reading used (about 30 rows × 20 columns, as display text),
//! with which row is the header, which row or column holds the periods, the
//! names, the entity and the values — all taken from a mapping (the
//! report's `source.mapping`), so the page only draws what it is given.
//!
//! A preview needs no table: a file whose reading failed still previews, so
//! the person can point at the header row or the period column.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ingest::format::{self, Format};
use crate::ingest::grid::{column_name, Cell, Grid};
use crate::ingest::mapping::{ColumnChoice, Mapping};
use crate::ingest::text;
use crate::ingest::workbook::Workbook;
use crate::model::Layout;

/// Rows and columns a preview shows.
pub const PREVIEW_ROWS: usize = 30;
pub const PREVIEW_COLUMNS: usize = 20;
/// Rows shown above the header row, so a title or note above it is seen.
const ROWS_ABOVE_HEADER: usize = 3;
/// Characters of one cell's text.
const CELL_CHARS: usize = 40;
/// KPI labels listed for "leave out".
const MAX_LABELS: usize = 2_000;

/// What a row, a column or a cell is in the reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Header,
    Periods,
    Names,
    Entity,
    Role,
    Year,
    Values,
    /// A KPI the mapping leaves out.
    Excluded,
    /// Outside the data rows (above the first or below the last).
    Outside,
}

/// One row of the preview.
#[derive(Clone, Debug, Serialize)]
pub struct PreviewRow {
    /// The row number a spreadsheet shows (from 1).
    pub number: usize,
    pub part: Option<Part>,
    /// One entry per preview column: the cell's text.
    pub cells: Vec<String>,
    /// One entry per preview column: what the cell is (None: nothing read).
    pub parts: Vec<Option<Part>>,
}

/// One column of the preview.
#[derive(Clone, Debug, Serialize)]
pub struct PreviewColumn {
    /// The column's letter ("A").
    pub letter: String,
    pub part: Option<Part>,
    /// The text of the header row in this column (empty without a header row).
    pub header: String,
}

/// The preview of one sheet.
#[derive(Clone, Debug, Serialize)]
pub struct SheetPreview {
    pub sheet: Option<String>,
    /// The whole sheet's size.
    pub height: usize,
    pub width: usize,
    pub columns: Vec<PreviewColumn>,
    pub rows: Vec<PreviewRow>,
    /// The KPI labels as the sheet writes them (names in the name column,
    /// or headers of the value columns): the choices for "leave out".
    pub labels: Vec<String>,
    /// The mapping the parts come from.
    pub mapping: Mapping,
}

/// Previews the sheet `sheet` (else the mapping's sheet, else the first)
/// of a file's bytes, its parts marked from `mapping`.
pub fn preview(
    bytes: &[u8],
    file: &str,
    sheet: Option<&str>,
    mapping: &Mapping,
) -> Result<SheetPreview> {
    let grid = sheet_grid(bytes, file, mapping.sheet.as_deref().or(sheet))?;
    Ok(preview_grid(&grid, mapping))
}

/// The grid of one sheet of a file (a text file has one).
fn sheet_grid(bytes: &[u8], file: &str, sheet: Option<&str>) -> Result<Grid> {
    if bytes.is_empty() {
        return Err(Error::EmptyFile {
            file: file.to_string(),
        });
    }
    match format::sniff(bytes, file)? {
        Format::Text => text::read_delimited(bytes, file),
        workbook_format => {
            let workbook = Workbook::open(bytes, file, workbook_format)?;
            let name = match sheet.filter(|name| !name.is_empty()) {
                Some(name) => name.to_string(),
                None => {
                    workbook
                        .sheet_names()
                        .into_iter()
                        .next()
                        .ok_or_else(|| Error::NoTable {
                            location: format!("'{file}'"),
                            detail: "the workbook has no sheets".to_string(),
                        })?
                }
            };
            workbook.grid(&name)
        }
    }
}

/// A mapping's columns, 0-based (None: not given or "none").
fn column(choice: Option<ColumnChoice>) -> Option<usize> {
    match choice {
        Some(ColumnChoice::Column(column)) => Some(column),
        _ => None,
    }
}

/// 1-based rows to 0-based.
fn row(number: Option<usize>) -> Option<usize> {
    number.and_then(|number| number.checked_sub(1))
}

/// The parts of the table as 0-based positions.
struct Parts {
    layout: Option<Layout>,
    header_row: Option<usize>,
    period_row: Option<usize>,
    period_column: Option<usize>,
    year_column: Option<usize>,
    name_column: Option<usize>,
    entity_column: Option<usize>,
    role_column: Option<usize>,
    value_column: Option<usize>,
    first_row: usize,
    last_row: usize,
    exclude: Vec<String>,
}

impl Parts {
    fn new(mapping: &Mapping, grid: &Grid) -> Parts {
        let header_row = row(mapping.header_row);
        let period_row = row(mapping.period_row);
        let after_header = header_row.or(period_row).map_or(0, |row| row + 1);
        Parts {
            layout: mapping.layout,
            header_row,
            period_row,
            period_column: column(mapping.period_column),
            year_column: column(mapping.year_column),
            name_column: column(mapping.name_column),
            entity_column: column(mapping.entity_column),
            role_column: column(mapping.role_column),
            value_column: column(mapping.value_column),
            first_row: row(mapping.first_row).unwrap_or(after_header),
            last_row: row(mapping.last_row).unwrap_or(grid.height().saturating_sub(1)),
            exclude: mapping.exclude.clone(),
        }
    }

    fn is_header(&self, row: usize) -> bool {
        self.header_row == Some(row) || self.period_row == Some(row)
    }

    fn is_data_row(&self, row: usize) -> bool {
        row >= self.first_row && row <= self.last_row && !self.is_header(row)
    }

    /// Columns that are not KPI values whatever they hold.
    fn is_label_column(&self, column: usize) -> bool {
        [
            self.period_column,
            self.year_column,
            self.name_column,
            self.entity_column,
            self.role_column,
        ]
        .contains(&Some(column))
    }

    fn row_part(&self, row: usize) -> Option<Part> {
        if self.period_row == Some(row) {
            Some(Part::Periods)
        } else if self.header_row == Some(row) {
            Some(Part::Header)
        } else if !self.is_data_row(row) {
            Some(Part::Outside)
        } else {
            None
        }
    }

    fn column_part(&self, column: usize) -> Option<Part> {
        let is = |choice: Option<usize>| choice == Some(column);
        if is(self.period_column) {
            Some(Part::Periods)
        } else if is(self.year_column) {
            Some(Part::Year)
        } else if is(self.name_column) {
            Some(Part::Names)
        } else if is(self.entity_column) {
            Some(Part::Entity)
        } else if is(self.role_column) {
            Some(Part::Role)
        } else if is(self.value_column) {
            Some(Part::Values)
        } else {
            None
        }
    }

    /// The KPI label a data cell belongs to, for "left out".
    fn label_of(&self, grid: &Grid, row: usize, column: usize) -> Option<String> {
        match self.layout {
            Some(Layout::WideColumns) => self
                .header_row
                .map(|header| grid.cell(header, column).display()),
            _ => self.name_column.map(|name| grid.cell(row, name).display()),
        }
    }

    fn cell_part(&self, grid: &Grid, row: usize, column: usize) -> Option<Part> {
        let cell = grid.cell(row, column);
        if self.is_header(row) {
            if cell.is_blank() {
                return None;
            }
            // Periods down: the header names the KPIs.
            if self.layout == Some(Layout::WideColumns) && !self.is_label_column(column) {
                return Some(if self.exclude.contains(&cell.display()) {
                    Part::Excluded
                } else {
                    Part::Names
                });
            }
            return self.row_part(row);
        }
        if !self.is_data_row(row) || cell.is_blank() {
            return None;
        }
        if let Some(part) = self.column_part(column) {
            if part != Part::Values {
                return Some(part);
            }
        }
        let excluded = self
            .label_of(grid, row, column)
            .is_some_and(|label| self.exclude.contains(&label));
        let is_value = match self.layout {
            Some(Layout::Long) => self.value_column == Some(column),
            _ => !self.is_label_column(column) && looks_numeric(cell),
        };
        match (is_value, excluded) {
            (true, true) => Some(Part::Excluded),
            (true, false) => Some(Part::Values),
            _ => None,
        }
    }

    /// The KPI labels the sheet holds, as written, in sheet order.
    fn labels(&self, grid: &Grid) -> Vec<String> {
        let mut labels: Vec<String> = Vec::new();
        let mut push = |text: String| {
            if !text.is_empty() && !labels.contains(&text) && labels.len() < MAX_LABELS {
                labels.push(text);
            }
        };
        match self.layout {
            Some(Layout::WideColumns) => {
                if let Some(header) = self.header_row {
                    for column in (0..grid.width()).filter(|column| !self.is_label_column(*column))
                    {
                        push(grid.cell(header, column).display());
                    }
                }
            }
            _ => {
                if let Some(name) = self.name_column {
                    for row in (0..grid.height()).filter(|row| self.is_data_row(*row)) {
                        push(grid.cell(row, name).display());
                    }
                }
            }
        }
        labels
    }
}

/// A number, a percentage, a currency amount or an error cell: what a KPI
/// value looks like (the readers decide for real; this only colours cells).
fn looks_numeric(cell: &Cell) -> bool {
    match cell {
        Cell::Number(_) | Cell::Error(_) => true,
        Cell::Text(text) => {
            let digits = text.chars().filter(char::is_ascii_digit).count();
            let letters = text.chars().filter(|c| c.is_alphabetic()).count();
            digits > 0 && letters <= 3
        }
        _ => false,
    }
}

/// A cell's text, shortened for the preview.
fn shown(cell: &Cell) -> String {
    let text = cell.display();
    if text.chars().count() <= CELL_CHARS {
        return text;
    }
    let mut short: String = text.chars().take(CELL_CHARS - 1).collect();
    short.push('…');
    short
}

/// The preview of a grid with the parts `mapping` names.
pub fn preview_grid(grid: &Grid, mapping: &Mapping) -> SheetPreview {
    let parts = Parts::new(mapping, grid);
    let top = parts
        .header_row
        .or(parts.period_row)
        .map_or(0, |row| row.saturating_sub(ROWS_ABOVE_HEADER));
    let leftmost = [
        parts.name_column,
        parts.period_column,
        parts.entity_column,
        parts.year_column,
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(0);
    // The first column that holds anything, unless a named part is left of it.
    let first_used = (0..grid.width())
        .find(|column| (0..grid.height()).any(|row| !grid.cell(row, *column).is_blank()))
        .unwrap_or(0);
    let left = first_used.min(leftmost);
    let row_end = grid.height().min(top + PREVIEW_ROWS);
    let column_end = grid.width().min(left + PREVIEW_COLUMNS);

    let columns = (left..column_end)
        .map(|column| PreviewColumn {
            letter: column_name(column),
            part: parts.column_part(column),
            header: parts
                .header_row
                .or(parts.period_row)
                .map(|header| shown(grid.cell(header, column)))
                .unwrap_or_default(),
        })
        .collect();
    let rows = (top..row_end)
        .map(|row| PreviewRow {
            number: row + 1,
            part: parts.row_part(row),
            cells: (left..column_end)
                .map(|column| shown(grid.cell(row, column)))
                .collect(),
            parts: (left..column_end)
                .map(|column| parts.cell_part(grid, row, column))
                .collect(),
        })
        .collect();
    SheetPreview {
        sheet: grid.sheet.clone(),
        height: grid.height(),
        width: grid.width(),
        columns,
        rows,
        labels: parts.labels(grid),
        mapping: mapping.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Cell {
        Cell::Text(value.to_string())
    }

    #[test]
    fn a_periods_across_sheet_marks_header_names_and_values() {
        let grid = Grid {
            sheet: Some("KPIs".to_string()),
            rows: vec![
                vec![text("KPI report")],
                vec![text("KPI"), text("Jan 2024"), text("Feb 2024")],
                vec![text("Churn"), Cell::Number(5.1), Cell::Number(5.4)],
                vec![text("NPS"), Cell::Number(72.0), text("n/a")],
            ],
            decimal_comma: false,
        };
        let mapping = Mapping {
            layout: Some(Layout::WideRows),
            header_row: Some(2),
            period_row: Some(2),
            name_column: Some(ColumnChoice::Column(0)),
            first_row: Some(3),
            last_row: Some(4),
            exclude: vec!["NPS".to_string()],
            ..Mapping::default()
        };
        let preview = preview_grid(&grid, &mapping);
        assert_eq!(preview.rows.len(), 4);
        assert_eq!(preview.rows[0].number, 1);
        assert_eq!(preview.rows[0].part, Some(Part::Outside));
        assert_eq!(preview.rows[1].part, Some(Part::Periods));
        assert_eq!(preview.columns[0].part, Some(Part::Names));
        assert_eq!(preview.columns[1].header, "Jan 2024");
        assert_eq!(
            preview.rows[2].parts,
            vec![Some(Part::Names), Some(Part::Values), Some(Part::Values)]
        );
        // NPS is left out; its text cell is not a value.
        assert_eq!(
            preview.rows[3].parts,
            vec![Some(Part::Names), Some(Part::Excluded), None]
        );
        assert_eq!(preview.labels, vec!["Churn", "NPS"]);
    }

    #[test]
    fn a_periods_down_sheet_names_kpis_in_its_header() {
        let grid = Grid {
            sheet: None,
            rows: vec![
                vec![text("Month"), text("Churn"), text("NPS")],
                vec![text("2024-01"), text("5.1%"), Cell::Number(72.0)],
            ],
            decimal_comma: false,
        };
        let mapping = Mapping {
            layout: Some(Layout::WideColumns),
            header_row: Some(1),
            period_column: Some(ColumnChoice::Column(0)),
            ..Mapping::default()
        };
        let preview = preview_grid(&grid, &mapping);
        assert_eq!(
            preview.rows[0].parts,
            vec![Some(Part::Header), Some(Part::Names), Some(Part::Names)]
        );
        assert_eq!(
            preview.rows[1].parts,
            vec![Some(Part::Periods), Some(Part::Values), Some(Part::Values)]
        );
        assert_eq!(preview.labels, vec!["Churn", "NPS"]);
    }

    #[test]
    fn a_file_previews_without_a_mapping() {
        let csv = b"Title\nMonth,Churn\n2024-01,5.1\n";
        let preview = preview(csv, "x.csv", None, &Mapping::default()).unwrap();
        assert_eq!(preview.height, 3);
        assert_eq!(preview.rows[1].cells, vec!["Month", "Churn"]);
        assert!(preview.rows.iter().all(|row| row.part.is_none()));
    }

    #[test]
    fn long_text_is_shortened() {
        let long = "x".repeat(100);
        assert_eq!(shown(&Cell::Text(long)).chars().count(), CELL_CHARS);
    }
}
