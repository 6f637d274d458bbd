//! Periods across (`wide_rows`): a row of periods, one row per KPI below
//! it, the KPI's name in a label column, optionally a second label column
//! that names an entity (bank, region) or a role column (Actual / Plan /
//! PY), attribute columns (Target, Unit, Owner …), section rows that head
//! a department, and `Plan` / `PY` rows under the KPI they belong to.

use std::collections::HashMap;

use super::noise;
use super::{
    is_number, main_unit, place, quoted_list, read_value, RawSeries, RawTable, Shape, TableContext,
    ValueCell,
};
use crate::error::{Error, Result};
use crate::ingest::confidence::Doubt;
use crate::ingest::entity::{aggregate_warning, entity_of, EntityColumn};
use crate::ingest::grid::{Cell, Grid};
use crate::ingest::metadata::{cell_text, field_of_header, Field};
use crate::ingest::period::is_summary_label;
use crate::ingest::roles::{role_row_word, role_word, Role};
use crate::ingest::target::{direction_from_name, direction_from_sign_prefix};
use crate::ingest::value::{parse_value, ParsedValue};
use crate::model::Layout;

/// Rows looked at to judge a label column.
const LABEL_SAMPLE_ROWS: usize = 500;

/// Fills in what the shape leaves open: header row, name, entity and role
/// columns, and the data rows.
pub fn complete(grid: &Grid, context: &TableContext, mut shape: Shape) -> Result<Shape> {
    let Some(period_row) = shape.period_row else {
        return Err(Error::NoTable {
            location: grid.location(&context.file),
            detail: "no row of periods was given or found".to_string(),
        });
    };
    let header_row = *shape.header_row.get_or_insert(period_row);
    let axis = super::row_axis(
        grid,
        period_row,
        &context.axis_context(grid, Some(header_row)),
    );
    let mut period_columns = axis.indices();
    // The Budget / PY columns under a period are not label columns either.
    if let Some(roles) = role_row(grid, period_row, &period_columns) {
        period_columns.extend(roles.columns.iter().map(|(column, _, _)| *column));
        period_columns.sort_unstable();
        period_columns.dedup();
    }
    let first_period = period_columns.first().copied().unwrap_or(0);
    let first_row = *shape.first_row.get_or_insert(header_row + 1);
    let last_row = *shape
        .last_row
        .get_or_insert(grid.height().saturating_sub(1).max(first_row));
    let rows = first_row..=last_row.min(first_row + LABEL_SAMPLE_ROWS);
    let header = |column: usize| grid.cell(header_row, column).display();
    // Label columns: mostly text below the header, not an attribute column.
    let labels: Vec<usize> = (0..grid.width())
        .filter(|column| !period_columns.contains(column))
        .filter(|&column| {
            !matches!(
                field_of_header(&header(column)),
                Some(
                    Field::Target
                        | Field::Min
                        | Field::Max
                        | Field::Unit
                        | Field::Owner
                        | Field::Department
                        | Field::Direction
                        | Field::Focus
                        | Field::Value
                        | Field::Period
                )
            )
        })
        .filter(|&column| is_text_column(grid, column, rows.clone()))
        .collect();
    if shape.role_column.is_none() {
        shape.role_column = labels
            .iter()
            .copied()
            .find(|&column| is_role_column(grid, column, rows.clone()));
    }
    let labels: Vec<usize> = labels
        .into_iter()
        .filter(|column| Some(*column) != shape.role_column)
        .collect();
    if shape.name_column.is_none() {
        let named = |wanted: Field| {
            labels
                .iter()
                .copied()
                .find(|&column| field_of_header(&header(column)) == Some(wanted))
        };
        shape.name_column = named(Field::Name)
            .or_else(|| {
                let entity = named(Field::Entity);
                labels
                    .iter()
                    .copied()
                    .rfind(|column| Some(*column) != entity && *column < first_period)
            })
            .or_else(|| labels.first().copied())
            .or(Some(0));
    }
    if shape.entity_column.is_none() {
        let name_column = shape.name_column.unwrap_or(0);
        let others: Vec<usize> = labels
            .iter()
            .copied()
            .filter(|column| *column != name_column)
            .collect();
        shape.entity_column = Some(entity_for_names(
            grid,
            name_column,
            &others,
            header_row,
            rows,
        ));
    }
    shape.layout = Some(Layout::WideRows);
    Ok(shape)
}

/// The label column that tells apart rows whose KPI names repeat (the
/// bank of `Net Interest Margin`), if the names repeat at all.
fn entity_for_names(
    grid: &Grid,
    name_column: usize,
    candidates: &[usize],
    header_row: usize,
    rows: std::ops::RangeInclusive<usize>,
) -> Option<usize> {
    let names: Vec<(usize, String)> = rows
        .clone()
        .filter_map(|row| {
            let name = grid.cell(row, name_column).display();
            (!name.is_empty() && has_numbers(grid, row, name_column)).then_some((row, name))
        })
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (_, name) in &names {
        *seen.entry(name.as_str()).or_default() += 1;
    }
    let repeated = seen.values().filter(|count| **count > 1).count();
    if repeated == 0 {
        return None;
    }
    let header = |column: usize| grid.cell(header_row, column).display();
    candidates
        .iter()
        .copied()
        .map(|column| {
            let mut pairs: HashMap<(String, String), usize> = HashMap::new();
            let mut previous: Option<String> = None;
            for (row, name) in &names {
                let entity = entity_of(grid.cell(*row, column)).or_else(|| previous.clone());
                previous.clone_from(&entity);
                *pairs
                    .entry((name.clone(), entity.unwrap_or_default()))
                    .or_default() += 1;
            }
            let left: usize = pairs.values().map(|count| count - 1).sum();
            let named = field_of_header(&header(column)) == Some(Field::Entity);
            (column, left, named)
        })
        .filter(|(_, left, _)| *left * 20 <= names.len())
        .max_by_key(|(column, left, named)| {
            (*named, std::cmp::Reverse(*left), std::cmp::Reverse(*column))
        })
        .map(|(column, _, _)| column)
}

/// Words a section's closing line starts with (`Total OpEx`, `Sous-total
/// charges`, `Summe Kosten`).
const TOTAL_WORDS: &[&str] = &[
    "total",
    "totals",
    "subtotal",
    "sub",
    "sous",
    "subtotaal",
    "totaal",
    "totale",
    "summe",
    "gesamt",
    "somme",
];

/// Whether a line is the total of the section above it: its first word is
/// a total word (`Total operating expenses`, `Sub-total`).
fn closes_section(label: &str) -> bool {
    crate::ingest::metadata::normalise(label)
        .split(' ')
        .next()
        .is_some_and(|word| TOTAL_WORDS.contains(&word))
}

/// Whether a column below the header is mostly text (not numbers).
fn is_text_column(grid: &Grid, column: usize, rows: std::ops::RangeInclusive<usize>) -> bool {
    let (text, other) =
        rows.map(|row| grid.cell(row, column))
            .fold((0, 0), |(text, other), cell| match cell {
                Cell::Text(value)
                    if !value.trim().is_empty()
                        && !matches!(parse_value(value, false), ParsedValue::Number { .. }) =>
                {
                    (text + 1, other)
                }
                Cell::Empty => (text, other),
                Cell::Text(value) if value.trim().is_empty() => (text, other),
                _ => (text, other + 1),
            });
    text > 0 && text >= other
}

/// Whether a column's values are all role words (Actual, Plan, Budget, PY).
fn is_role_column(grid: &Grid, column: usize, rows: std::ops::RangeInclusive<usize>) -> bool {
    let mut roles = 0usize;
    let mut kinds = std::collections::HashSet::new();
    for row in rows {
        if let Some(text) = grid.cell(row, column).text() {
            if text.is_empty() {
                continue;
            }
            match role_word(text) {
                Some(role) => {
                    roles += 1;
                    kinds.insert(role);
                }
                None => return false,
            }
        }
    }
    roles >= 2 && kinds.len() >= 2
}

/// The plan or comparison series of a KPI row, read from the columns the
/// role row gives that role; None when they hold no number.
fn role_series(
    grid: &Grid,
    row: usize,
    kpi: &RawSeries,
    role: Role,
    cells: &[(usize, usize)],
    roles: Option<&RoleRow>,
) -> Option<RawSeries> {
    let mut partner = RawSeries::new(String::new(), kpi.values.len());
    for (slot, column) in cells {
        if let (ValueCell::Number(number, _), Some(value)) = (
            read_value(grid.cell(row, *column), grid.decimal_comma),
            partner.values.get_mut(*slot),
        ) {
            *value = Some(number);
        }
    }
    if partner.count() == 0 {
        return None;
    }
    let word = cells
        .first()
        .zip(roles)
        .map(|((_, column), roles)| grid.cell(roles.row, *column).display())
        .unwrap_or_default();
    partner.label = format!("{} ({word})", kpi.label);
    partner.role = Some((role, kpi.label.clone()));
    partner.entity.clone_from(&kpi.entity);
    Some(partner)
}

/// Whether a row has any number outside the label column.
fn has_numbers(grid: &Grid, row: usize, label_column: usize) -> bool {
    grid.rows.get(row).is_some_and(|cells| {
        cells.iter().enumerate().any(|(column, cell)| {
            column != label_column
                && matches!(read_value(cell, grid.decimal_comma), ValueCell::Number(..))
        })
    })
}

/// A row under the periods that says what each column holds (`Actual`,
/// `Budget`, `PY`, `Var`), each period heading the columns up to the next
/// (a merged header cell): the row and, per column, its period slot and role.
pub struct RoleRow {
    pub row: usize,
    pub columns: Vec<(usize, usize, Role)>,
}

/// The role row under `period_row`, when the row below the periods names at
/// least two roles of two kinds and holds no numbers.
pub fn role_row(grid: &Grid, period_row: usize, period_columns: &[usize]) -> Option<RoleRow> {
    let row = period_row + 1;
    let first = *period_columns.first()?;
    let last_column = grid.width();
    let mut columns = Vec::new();
    let mut kinds = std::collections::HashSet::new();
    let mut slot: Option<usize> = None;
    for column in first..last_column {
        if let Some(position) = period_columns.iter().position(|at| *at == column) {
            slot = Some(position);
        } else if !grid.cell(period_row, column).is_blank() {
            // Another header (`Total`, `Notes`) ends the period's columns.
            slot = None;
        }
        let cell = grid.cell(row, column);
        if is_number(cell, grid.decimal_comma) {
            return None;
        }
        let Some(slot) = slot else { continue };
        let role = match cell.text().filter(|text| !text.is_empty()) {
            Some(text) => role_row_word(text)?,
            None if period_columns.contains(&column) => Role::Actual,
            None => continue,
        };
        kinds.insert(role);
        columns.push((column, slot, role));
    }
    let named = (first..last_column)
        .filter(|&column| !grid.cell(row, column).is_blank())
        .count();
    (named >= 2 && kinds.len() >= 2).then_some(RoleRow { row, columns })
}

/// Reads a periods-across table from its shape.
pub fn read(grid: &Grid, context: &TableContext, shape: &Shape) -> Result<RawTable> {
    let header_row = shape.header_row.unwrap_or(0);
    let period_row = shape.period_row.unwrap_or(header_row);
    let axis = super::row_axis(
        grid,
        period_row,
        &context.axis_context(grid, Some(header_row)),
    );
    let mut warnings = axis.notes.clone();
    let doubts: Vec<Doubt> = axis.doubts.iter().map(Doubt::check).collect();
    let period_columns = axis.indices();
    // Under the periods, a row of Actual / Budget / PY: which columns hold
    // the values, and which each period's target or comparison.
    let roles = role_row(grid, period_row, &period_columns);
    let cells_of = |wanted: &[Role]| -> Vec<(usize, usize)> {
        match &roles {
            Some(roles) => roles
                .columns
                .iter()
                .filter(|(_, _, role)| wanted.contains(role))
                .map(|(column, slot, _)| (*slot, *column))
                .collect(),
            None if wanted.contains(&Role::Actual) => {
                period_columns.iter().copied().enumerate().collect()
            }
            None => Vec::new(),
        }
    };
    let value_cells = cells_of(&[Role::Actual, Role::Plain]);
    let plan_cells = cells_of(&[Role::Target]);
    let comparison_cells = cells_of(&[Role::Comparison]);
    if let Some(roles) = &roles {
        let words: Vec<String> = roles
            .columns
            .iter()
            .filter_map(|(column, _, _)| grid.cell(roles.row, *column).text())
            .filter(|text| !text.is_empty())
            .fold(Vec::new(), |mut words, text| {
                if !words.iter().any(|word: &String| word == text) {
                    words.push(text.to_string());
                }
                words
            });
        warnings.push(format!(
            "Row {} under the periods names what each column holds ({}): the actual values are the KPIs, a plan or budget column each period's target, a prior-year column a comparison; variances are left out.",
            roles.row + 1,
            super::list_of(&words, ", ")
        ));
    }
    let label_column = shape.name_column.unwrap_or(0);
    let entity_column = shape.entity_column.flatten();
    let role_column = shape.role_column;
    let header = |column: usize| grid.cell(header_row, column).display();
    let mut attribute_columns: Vec<(usize, Field)> = Vec::new();
    let mut skipped_columns = Vec::new();
    for column in 0..grid.width() {
        if period_columns.contains(&column)
            || [Some(label_column), entity_column, role_column].contains(&Some(column))
        {
            continue;
        }
        let text = header(column);
        if is_summary_label(&text) {
            skipped_columns.push(text);
        } else if let Some(field) = field_of_header(&text) {
            attribute_columns.push((column, field));
        }
    }
    if !skipped_columns.is_empty() {
        warnings.push(format!(
            "Left out columns that are not periods: {}.",
            quoted_list(&skipped_columns)
        ));
    }
    let target_header = attribute_columns
        .iter()
        .find(|(_, field)| *field == Field::Target)
        .map(|(column, _)| header(*column))
        .unwrap_or_else(|| "Target".to_string());
    let mut series = Vec::new();
    let mut skipped_rows = Vec::new();
    let mut text_rows = Vec::new();
    let mut notes_rows = 0usize;
    let mut value_count = 0;
    let mut section: Option<String> = None;
    let mut current_entity: Option<String> = None;
    // The last KPI row per entity, for `Plan` / `PY` rows under it.
    let mut last_kpi: HashMap<Option<String>, String> = HashMap::new();
    let first_row = shape.first_row.unwrap_or(header_row + 1);
    let last_row = shape.last_row.unwrap_or(grid.height().saturating_sub(1));
    for row in first_row..=last_row.min(grid.height().saturating_sub(1)) {
        let label = grid.cell(row, label_column).display();
        if let Some(column) = entity_column {
            if let Some(entity) = entity_of(grid.cell(row, column)) {
                current_entity = Some(entity);
            }
        }
        if roles.as_ref().is_some_and(|roles| roles.row == row) {
            continue;
        }
        let mut raw = RawSeries::new(label.clone(), period_columns.len());
        let mut units: HashMap<String, usize> = HashMap::new();
        let mut count = 0;
        let mut texts = 0;
        for (slot, column) in &value_cells {
            let (slot, column) = (*slot, column);
            match read_value(grid.cell(row, *column), grid.decimal_comma) {
                ValueCell::Number(number, unit) => {
                    if let Some(value) = raw.values.get_mut(slot) {
                        *value = Some(number);
                        count += 1;
                    }
                    if let Some(unit) = unit {
                        *units.entry(unit).or_default() += 1;
                    }
                }
                ValueCell::Missing => {}
                ValueCell::Unreadable(text) => {
                    texts += 1;
                    raw.unreadable.push((place(row, *column), text));
                }
            }
        }
        raw.value_unit = main_unit(units);
        if is_summary_label(&label) {
            skipped_rows.push(label);
            continue;
        }
        if count == 0 {
            let alone = (0..grid.width()).all(|column| {
                column == label_column
                    || Some(column) == entity_column
                    || grid.cell(row, column).is_blank()
            });
            if noise::is_prose(&label) || noise::is_placeholder(&label) {
                notes_rows += 1;
            } else if texts > 0 && !label.is_empty() {
                text_rows.push(label);
            } else if alone && !label.is_empty() {
                // A label alone on its row heads a section ("Marketing")
                // when no department column says otherwise.
                section = Some(label);
            }
            continue;
        }
        let entity = current_entity.clone();
        let row_role = role_column
            .and_then(|column| grid.cell(row, column).text().and_then(role_word))
            .filter(|role| *role != Role::Plain);
        raw.role = match (row_role, role_word(&label)) {
            (Some(role), _) => Some((role, label.clone())),
            (None, Some(role)) if role != Role::Actual => {
                last_kpi.get(&entity).map(|kpi| (role, kpi.clone()))
            }
            _ => None,
        };
        raw.label = if label.is_empty() {
            format!("Row {}", row + 1)
        } else {
            label
        };
        if shape.exclude.contains(&raw.label) {
            continue;
        }
        // A Plan / PY row of a role column is named with its role, so that
        // messages and the target's source say which row it was.
        if let (Some((role, _)), Some(column)) = (&raw.role, role_column) {
            if *role != Role::Actual {
                let word = grid.cell(row, column).display();
                raw.label = format!("{} ({word})", raw.label);
            }
        }
        if raw.role.is_none() {
            last_kpi.insert(entity.clone(), raw.label.clone());
        }
        raw.entity = entity;
        for (column, field) in &attribute_columns {
            raw.attributes
                .set(*field, cell_text(grid.cell(row, *column)));
        }
        // A section that says which way is better (`Operating expenses`)
        // ends at the first line that says the opposite (`Operating
        // income`): the result line closes its block, and the lines after
        // it are not expenses.
        let own =
            direction_from_sign_prefix(&raw.label).or_else(|| direction_from_name(&raw.label));
        let of_section = section.as_deref().and_then(direction_from_name);
        if matches!((own, of_section), (Some(own), Some(of_section)) if own != of_section) {
            section = None;
        }
        if raw.attributes.department.is_none() {
            raw.attributes.department.clone_from(&section);
        }
        // The section's total line (`Total OpEx`) closes it: what follows
        // (`EBITDA`, `Headcount`) is not one of its lines.
        if closes_section(&raw.label) {
            section = None;
        }
        raw.attributes.name.clone_from(&raw.label);
        raw.attributes.source = format!("column '{target_header}'");
        value_count += count;
        let partners = [
            (Role::Target, &plan_cells),
            (Role::Comparison, &comparison_cells),
        ];
        let mut beside = Vec::new();
        for (role, cells) in partners {
            if let Some(partner) = role_series(grid, row, &raw, role, cells, roles.as_ref()) {
                beside.push(partner);
            }
        }
        series.push(raw);
        series.extend(beside);
    }
    if !skipped_rows.is_empty() {
        warnings.push(format!(
            "Left out rows that are not KPIs: {}.",
            quoted_list(&skipped_rows)
        ));
    }
    if !text_rows.is_empty() {
        warnings.push(format!(
            "Left out rows that hold text, not numbers: {}.",
            quoted_list(&text_rows)
        ));
    }
    if notes_rows > 0 {
        warnings.push(format!(
            "Left out {notes_rows} row(s) of notes, instructions or placeholders."
        ));
    }
    let entity_header = entity_column.map(|column| EntityColumn {
        column,
        header: super::column_label(grid, Some(header_row), column),
    });
    if let Some(entity) = &entity_header {
        warnings.extend(aggregate_warning(&series, &entity.header));
    }
    Ok(RawTable {
        layout: Layout::WideRows,
        periods: axis.slots.iter().map(|(_, period)| *period).collect(),
        series,
        warnings,
        doubts,
        value_count,
        entity_column: entity_header.map(|entity| entity.header),
        shape: Shape {
            layout: Some(Layout::WideRows),
            ..shape.clone()
        },
    })
}
