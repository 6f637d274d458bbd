//! The mapping: where a table's parts are, as a person would say it —
//! sheet, layout, header row, period row or column, name, entity, role and
//! value columns, first and last data row, KPIs left out. A user gives one
//! to correct a reading (`--mapping FILE.json`, `Session.open(…, mapping)`);
//! every report returns the mapping it used (`source.mapping`) with every
//! part filled in, so a page can start its corrections from it.
//!
//! Rows are numbered from 1 and columns are letters, as a spreadsheet shows
//! them: `{"header_row": 3, "period_column": "A", "entity_column": "C"}`.
//! A column can also be given as a number (1 = A). `"entity_column":
//! "none"` says the table has no entity column.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::ingest::grid::{column_name, Grid};
use crate::ingest::layout::Shape;
use crate::model::Layout;

/// A column as a letter (`"C"`), or none at all (`"none"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnChoice {
    Column(usize),
    NoColumn,
}

impl Serialize for ColumnChoice {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            ColumnChoice::Column(column) => serializer.serialize_str(&column_name(*column)),
            ColumnChoice::NoColumn => serializer.serialize_str("none"),
        }
    }
}

impl<'de> Deserialize<'de> for ColumnChoice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Number(u64),
            Text(String),
        }
        match Written::deserialize(deserializer)? {
            Written::Number(0) => Err(serde::de::Error::custom(
                "columns are numbered from 1 (1 is column A)",
            )),
            Written::Number(number) => usize::try_from(number - 1)
                .map(ColumnChoice::Column)
                .map_err(serde::de::Error::custom),
            Written::Text(text) => parse_column(&text).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "'{text}' is not a column: write a letter such as \"C\", a number such as 3, or \"none\""
                ))
            }),
        }
    }
}

/// `"C"` → column 2, `"AB"` → 27, `"none"` / `""` → no column.
fn parse_column(text: &str) -> Option<ColumnChoice> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("none") {
        return Some(ColumnChoice::NoColumn);
    }
    if trimmed.len() > 3 || !trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut index = 0usize;
    for c in trimmed.to_ascii_uppercase().bytes() {
        index = index * 26 + usize::from(c - b'A' + 1);
    }
    Some(ColumnChoice::Column(index - 1))
}

/// Where a table's parts are. Every field is optional: what is not given is
/// detected.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mapping {
    pub sheet: Option<String>,
    pub layout: Option<Layout>,
    /// The row of column headers (from 1).
    pub header_row: Option<usize>,
    /// Periods across: the row that holds the periods (from 1).
    pub period_row: Option<usize>,
    /// Periods down or long: the column of periods (the month column when
    /// the year is in `year_column`).
    pub period_column: Option<ColumnChoice>,
    pub year_column: Option<ColumnChoice>,
    /// Periods across or long: the column of KPI names.
    pub name_column: Option<ColumnChoice>,
    pub entity_column: Option<ColumnChoice>,
    /// A column saying Actual / Plan / PY for each row.
    pub role_column: Option<ColumnChoice>,
    /// Long: the column of values.
    pub value_column: Option<ColumnChoice>,
    /// The first and last rows of data (from 1).
    pub first_row: Option<usize>,
    pub last_row: Option<usize>,
    /// KPIs to leave out, by the name they are read under.
    pub exclude: Vec<String>,
}

impl Mapping {
    /// Reads a mapping from JSON.
    pub fn from_json(text: &str) -> Result<Mapping> {
        serde_json::from_str(text)
            .map_err(|error| Error::Invalid(format!("the mapping could not be read: {error}")))
    }

    /// The mapping as the 0-based shape the readers use; rows and columns
    /// outside the sheet are refused with the sheet's size.
    pub fn to_shape(&self, grid: &Grid) -> Result<Shape> {
        let height = grid.height();
        let width = grid.width();
        let row = |name: &str, value: Option<usize>| -> Result<Option<usize>> {
            match value {
                None => Ok(None),
                Some(0) => Err(Error::Invalid(format!(
                    "mapping: {name} is 0, but rows are numbered from 1"
                ))),
                Some(row) if row > height => Err(Error::Invalid(format!(
                    "mapping: {name} is {row}, but the sheet has {height} rows"
                ))),
                Some(row) => Ok(Some(row - 1)),
            }
        };
        let column = |name: &str, value: Option<ColumnChoice>| -> Result<Option<Option<usize>>> {
            match value {
                None => Ok(None),
                Some(ColumnChoice::NoColumn) => Ok(Some(None)),
                Some(ColumnChoice::Column(column)) if column >= width => {
                    Err(Error::Invalid(format!(
                        "mapping: {name} is column {}, but the sheet ends at column {}",
                        column_name(column),
                        column_name(width.saturating_sub(1))
                    )))
                }
                Some(ColumnChoice::Column(column)) => Ok(Some(Some(column))),
            }
        };
        Ok(Shape {
            layout: self.layout,
            header_row: row("header_row", self.header_row)?,
            period_row: row("period_row", self.period_row)?,
            period_column: column("period_column", self.period_column)?.flatten(),
            year_column: column("year_column", self.year_column)?.flatten(),
            name_column: column("name_column", self.name_column)?.flatten(),
            entity_column: column("entity_column", self.entity_column)?,
            role_column: column("role_column", self.role_column)?.flatten(),
            value_column: column("value_column", self.value_column)?.flatten(),
            first_row: row("first_row", self.first_row)?,
            last_row: row("last_row", self.last_row)?,
            exclude: self.exclude.clone(),
        })
    }

    /// The mapping a shape stands for (rows from 1, columns as letters).
    pub fn from_shape(shape: &Shape, sheet: Option<String>) -> Mapping {
        let column = |value: Option<usize>| value.map(ColumnChoice::Column);
        Mapping {
            sheet,
            layout: shape.layout,
            header_row: shape.header_row.map(|row| row + 1),
            period_row: shape.period_row.map(|row| row + 1),
            period_column: column(shape.period_column),
            year_column: column(shape.year_column),
            name_column: column(shape.name_column),
            entity_column: shape.entity_column.map(|entity| match entity {
                Some(column) => ColumnChoice::Column(column),
                None => ColumnChoice::NoColumn,
            }),
            role_column: column(shape.role_column),
            value_column: column(shape.value_column),
            first_row: shape.first_row.map(|row| row + 1),
            last_row: shape.last_row.map(|row| row + 1),
            exclude: shape.exclude.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::grid::Cell;

    #[test]
    fn a_mapping_reads_letters_numbers_and_none() {
        let mapping = Mapping::from_json(
            r#"{"header_row": 3, "period_column": "A", "name_column": 2, "entity_column": "none", "exclude": ["Row 9"]}"#,
        )
        .unwrap();
        assert_eq!(mapping.header_row, Some(3));
        assert_eq!(mapping.period_column, Some(ColumnChoice::Column(0)));
        assert_eq!(mapping.name_column, Some(ColumnChoice::Column(1)));
        assert_eq!(mapping.entity_column, Some(ColumnChoice::NoColumn));
        let grid = Grid {
            sheet: None,
            rows: vec![vec![Cell::Empty; 4]; 5],
            decimal_comma: false,
        };
        let shape = mapping.to_shape(&grid).unwrap();
        assert_eq!(shape.header_row, Some(2));
        assert_eq!(shape.entity_column, Some(None));
        let back = Mapping::from_shape(&shape, None);
        assert_eq!(back.period_column, Some(ColumnChoice::Column(0)));
        assert_eq!(serde_json::to_value(&back).unwrap()["period_column"], "A");
    }

    #[test]
    fn a_mapping_outside_the_sheet_says_the_sheet_size() {
        let grid = Grid {
            sheet: None,
            rows: vec![vec![Cell::Empty; 4]; 5],
            decimal_comma: false,
        };
        let mapping = Mapping::from_json(r#"{"header_row": 9}"#).unwrap();
        let error = mapping.to_shape(&grid).unwrap_err().to_string();
        assert!(error.contains("5 rows"), "{error}");
        let mapping = Mapping::from_json(r#"{"period_column": "Z"}"#).unwrap();
        assert!(mapping
            .to_shape(&grid)
            .unwrap_err()
            .to_string()
            .contains("column D"));
        assert!(Mapping::from_json(r#"{"header_rows": 3}"#).is_err());
        assert!(Mapping::from_json(r#"{"period_column": "A1"}"#).is_err());
    }
}
