//! KPI metadata — target, min/max, direction, unit, owner, department, focus —
//! wherever it is written: a metadata sheet or file, attribute columns beside
//! the data, metadata rows, or the header. Also the header vocabulary that
//! tells such columns (and long-layout columns) apart.

use crate::error::{Error, Result};
use crate::ingest::grid::{Cell, Grid};
use crate::ingest::locale::{ENTITY_HEADERS, NAME_HEADERS, PERIOD_HEADERS, VALUE_HEADERS};

/// What a header cell names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    Period,
    Value,
    /// The thing a KPI is measured for: company, bank, region, store …
    Entity,
    Target,
    Min,
    Max,
    Direction,
    Unit,
    Owner,
    Department,
    Focus,
}

/// Classifies a header cell's text; `None` for anything else (a KPI name,
/// notes, comments). The vocabulary is in `locale`, in the languages kpilot
/// reads.
pub fn field_of_header(text: &str) -> Option<Field> {
    let words = normalise(text);
    let words = words.as_str();
    if NAME_HEADERS.contains(&words) {
        return Some(Field::Name);
    }
    if PERIOD_HEADERS.contains(&words) {
        return Some(Field::Period);
    }
    if VALUE_HEADERS.contains(&words) {
        return Some(Field::Value);
    }
    if ENTITY_HEADERS.contains(&words) {
        return Some(Field::Entity);
    }
    let field = match words {
        "target" | "targets" | "goal" | "threshold" | "target value" | "objective"
        | "kpi target" | "meta" | "objetivo" | "objectif" | "cible" | "ziel" | "soll"
        | "obiettivo" | "doel" | "budget" | "plan" => Field::Target,
        "min" | "minimum" | "lower" | "lower bound" | "lower limit" | "floor" | "target min"
        | "min target" => Field::Min,
        "max" | "maximum" | "upper" | "upper bound" | "upper limit" | "ceiling" | "target max"
        | "max target" => Field::Max,
        "direction"
        | "better"
        | "polarity"
        | "good direction"
        | "desired direction"
        | "trend goal"
        | "higher or lower is better"
        | "sentido"
        | "polaridade"
        | "richtung" => Field::Direction,
        "unit" | "units" | "uom" | "unit of measure" | "unidade" | "unidad" | "unité" | "unite"
        | "einheit" | "unità" | "eenheid" => Field::Unit,
        "owner" | "responsible" | "accountable" | "kpi owner" | "responsável" | "responsavel"
        | "responsable" | "verantwortlich" | "eigenaar" => Field::Owner,
        "department" | "dept" | "team" | "function" | "area" | "business unit" | "group"
        | "departamento" | "área" | "setor" | "sector" | "equipe" | "equipo" | "abteilung"
        | "bereich" | "service" | "reparto" | "afdeling" => Field::Department,
        "focus" | "okr" | "kr" | "status" | "role" | "okr status" => Field::Focus,
        _ => return None,
    };
    Some(field)
}

/// The cells of a row that name a known field, with their columns.
pub fn header_fields(grid: &Grid, row: usize) -> Vec<(usize, Field)> {
    (0..grid.width())
        .filter_map(|column| {
            let text = grid.cell(row, column).text()?;
            field_of_header(text).map(|field| (column, field))
        })
        .collect()
}

/// Lower-case words separated by single spaces, punctuation dropped.
pub fn normalise(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|character| {
            if character.is_alphanumeric() || character == '%' {
                character
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A key for matching KPI names across sheets: letters and digits only.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|character| character.is_alphanumeric())
        .collect()
}

/// Metadata for one KPI as written somewhere, all still text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetaRecord {
    pub name: String,
    pub target: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub direction: Option<String>,
    pub unit: Option<String>,
    pub owner: Option<String>,
    pub department: Option<String>,
    pub focus: Option<String>,
    /// Where it was read, for the target's `source` ("metadata sheet 'Targets'").
    pub source: String,
}

impl MetaRecord {
    /// Sets one field from a cell's text; blanks are ignored.
    pub fn set(&mut self, field: Field, text: String) {
        let text = text.trim().to_string();
        if text.is_empty() {
            return;
        }
        let slot = match field {
            Field::Target => &mut self.target,
            Field::Min => &mut self.min,
            Field::Max => &mut self.max,
            Field::Direction => &mut self.direction,
            Field::Unit => &mut self.unit,
            Field::Owner => &mut self.owner,
            Field::Department => &mut self.department,
            Field::Focus => &mut self.focus,
            Field::Name | Field::Period | Field::Value | Field::Entity => return,
        };
        *slot = Some(text);
    }

    /// Whether the record says anything beyond the name.
    pub fn is_empty(&self) -> bool {
        self.target.is_none()
            && self.min.is_none()
            && self.max.is_none()
            && self.direction.is_none()
            && self.unit.is_none()
            && self.owner.is_none()
            && self.department.is_none()
            && self.focus.is_none()
    }

    /// Fills the fields this record lacks from `other` (this one wins).
    pub fn fill_from(&mut self, other: &MetaRecord) {
        let fill = |mine: &mut Option<String>, theirs: &Option<String>| {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        };
        fill(&mut self.direction, &other.direction);
        fill(&mut self.unit, &other.unit);
        fill(&mut self.owner, &other.owner);
        fill(&mut self.department, &other.department);
        fill(&mut self.focus, &other.focus);
        if self.target.is_none() && self.min.is_none() && self.max.is_none() {
            self.target.clone_from(&other.target);
            self.min.clone_from(&other.min);
            self.max.clone_from(&other.max);
            self.source.clone_from(&other.source);
        }
    }
}

/// Reads a metadata sheet: a header row with a KPI-name column and at least
/// one metadata column, then one row per KPI. `None` when the grid is not
/// shaped like that.
pub fn read_metadata_sheet(grid: &Grid, source: &str) -> Option<Vec<MetaRecord>> {
    for header_row in 0..grid.height().min(30) {
        let fields = header_fields(grid, header_row);
        let name_column = fields
            .iter()
            .find(|(_, field)| *field == Field::Name)
            .map(|(column, _)| *column);
        let has_metadata = fields.iter().any(|(_, field)| {
            matches!(
                field,
                Field::Target
                    | Field::Min
                    | Field::Max
                    | Field::Direction
                    | Field::Owner
                    | Field::Focus
            )
        });
        let has_data_columns = fields
            .iter()
            .any(|(_, field)| matches!(field, Field::Period | Field::Value));
        let Some(name_column) = name_column else {
            continue;
        };
        if !has_metadata || has_data_columns {
            continue;
        }
        let records: Vec<MetaRecord> = (header_row + 1..grid.height())
            .filter_map(|row| {
                let name = grid.cell(row, name_column).display();
                if name.is_empty() {
                    return None;
                }
                let mut record = MetaRecord {
                    name,
                    source: source.to_string(),
                    ..MetaRecord::default()
                };
                for (column, field) in &fields {
                    record.set(*field, cell_text(grid.cell(row, *column)));
                }
                Some(record)
            })
            .collect();
        return (!records.is_empty()).then_some(records);
    }
    None
}

/// A metadata cell as text: numbers as written, percent-formatted fractions
/// stay fractions (reconciled later against the values).
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Error(_) | Cell::Empty => String::new(),
        other => other.display(),
    }
}

/// Reads a separate targets file (`--targets`): its first sheet shaped like a
/// metadata sheet.
pub fn read_targets_file(grid: &Grid, file: &str) -> Result<Vec<MetaRecord>> {
    read_metadata_sheet(grid, &format!("targets file '{file}'")).ok_or_else(|| Error::Metadata {
        location: grid.location(file),
        detail: "no metadata table found: it needs a header row with a KPI-name column (KPI, Metric, Name) and at least one of Target, Min, Max, Direction, Owner, Focus".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_classified() {
        for (text, field) in [
            ("KPI", Some(Field::Name)),
            ("Metric name", Some(Field::Name)),
            ("Date", Some(Field::Period)),
            ("Value", Some(Field::Value)),
            ("Target", Some(Field::Target)),
            ("Better?", Some(Field::Direction)),
            ("Unit", Some(Field::Unit)),
            ("Dept.", Some(Field::Department)),
            ("Focus", Some(Field::Focus)),
            ("Revenue", None),
            ("Jan 2024", None),
        ] {
            assert_eq!(field_of_header(text), field, "{text}");
        }
    }

    #[test]
    fn a_metadata_sheet_is_read_by_its_header() {
        let text = |value: &str| Cell::Text(value.to_string());
        let grid = Grid {
            sheet: Some("Targets".to_string()),
            rows: vec![
                vec![
                    text("KPI"),
                    text("Target"),
                    text("Direction"),
                    text("Owner"),
                ],
                vec![
                    text("Churn"),
                    text("<= 7.5"),
                    text("lower is better"),
                    text("Ana"),
                ],
                vec![text("NPS"), Cell::Number(70.0), Cell::Empty, text("Bo")],
            ],
            decimal_comma: false,
        };
        let records = read_metadata_sheet(&grid, "metadata sheet 'Targets'").unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].name, "Churn");
        assert_eq!(records[0].target.as_deref(), Some("<= 7.5"));
        assert_eq!(records[0].direction.as_deref(), Some("lower is better"));
        assert_eq!(records[1].target.as_deref(), Some("70"));
        assert_eq!(records[1].owner.as_deref(), Some("Bo"));
        assert_eq!(records[1].direction, None);
    }

    #[test]
    fn a_data_sheet_is_not_metadata() {
        let text = |value: &str| Cell::Text(value.to_string());
        let grid = Grid {
            sheet: None,
            rows: vec![
                vec![text("date"), text("metric"), text("value"), text("target")],
                vec![
                    text("2024-01"),
                    text("NPS"),
                    Cell::Number(70.0),
                    Cell::Number(70.0),
                ],
            ],
            decimal_comma: false,
        };
        assert_eq!(read_metadata_sheet(&grid, "x"), None);
    }
}
