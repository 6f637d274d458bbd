//! The grid: a sheet as rows of cells, the one shape every format is turned
//! into before layout detection, so CSV and workbooks share one reader.

use chrono::NaiveDate;

/// One cell as the file holds it, before any interpretation.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Number(f64),
    /// A date or date-time cell (Excel date formats, ODS dates).
    Date(NaiveDate),
    Text(String),
    Bool(bool),
    /// A spreadsheet error such as `#DIV/0!`.
    Error(String),
}

impl Cell {
    /// The cell's text, if it is text (trimmed).
    pub fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(text) => Some(text.trim()),
            _ => None,
        }
    }

    /// Whether the cell holds nothing worth reading.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as `display` shows it, borrowed where the cell holds text.
    pub fn label(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(text) => std::borrow::Cow::Borrowed(text.trim()),
            Cell::Error(error) => std::borrow::Cow::Borrowed(error),
            other => std::borrow::Cow::Owned(other.display()),
        }
    }

    /// The cell as a person would read it, for error messages and labels.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Number(number) => crate::model::format_number(*number),
            Cell::Date(date) => date.format("%Y-%m-%d").to_string(),
            Cell::Text(text) => text.trim().to_string(),
            Cell::Bool(value) => value.to_string(),
            Cell::Error(error) => error.clone(),
        }
    }
}

/// A rectangular-ish sheet: rows of cells, ragged rows allowed.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    /// The sheet's name, or `None` for a text file.
    pub sheet: Option<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Whether numbers written as text use a decimal comma (`5,1`).
    pub decimal_comma: bool,
}

static EMPTY: Cell = Cell::Empty;

impl Grid {
    /// The cell at (row, column), `Empty` outside the grid.
    pub fn cell(&self, row: usize, column: usize) -> &Cell {
        self.rows
            .get(row)
            .and_then(|cells| cells.get(column))
            .unwrap_or(&EMPTY)
    }

    /// Number of rows.
    pub fn height(&self) -> usize {
        self.rows.len()
    }

    /// Width of the widest row.
    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Where a cell is, for messages: "Sheet 'Data'" or "'file.csv'".
    pub fn location(&self, file: &str) -> String {
        match &self.sheet {
            Some(sheet) => format!("'{file}', sheet '{sheet}'"),
            None => format!("'{file}'"),
        }
    }

    /// Drops trailing empty cells and trailing empty rows so widths mean something.
    pub fn trim(&mut self) {
        for row in &mut self.rows {
            while row.last().is_some_and(Cell::is_blank) {
                row.pop();
            }
        }
        while self.rows.last().is_some_and(Vec::is_empty) {
            self.rows.pop();
        }
    }
}

/// A spreadsheet column name: 0 → "A", 27 → "AB".
pub fn column_name(column: usize) -> String {
    let mut name = Vec::new();
    let mut index = column + 1;
    while index > 0 {
        let remainder = (index - 1) % 26;
        name.push(b'A' + remainder as u8);
        index = (index - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_follow_spreadsheet_letters() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn cells_outside_the_grid_are_empty() {
        let grid = Grid {
            sheet: None,
            rows: vec![vec![Cell::Number(1.0)]],
            decimal_comma: false,
        };
        assert_eq!(grid.cell(0, 0), &Cell::Number(1.0));
        assert_eq!(grid.cell(5, 5), &Cell::Empty);
    }
}
