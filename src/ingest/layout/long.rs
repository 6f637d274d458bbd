//! Long layout: one row per (period, KPI[, entity]) with the value in a
//! value column, found by the header's words in any of kpilot's languages
//! (`date, metric, value`; `data, indicador, valor`). The KPI column may be
//! unnamed (`category`), found as the label column that makes (period,
//! KPI) unique; another label column that is needed as well is the entity
//! column. Target/Budget columns (or a role column saying Actual / Plan)
//! give per-period targets; variance columns are left out. Duplicates are
//! averaged per (period, KPI, entity).

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::noise::{self, NotKpi};
use super::{
    best_period_column, main_unit, place, quoted_list, read_value, Observations, PeriodColumn,
    RawSeries, RawTable, Shape, TableContext, ValueCell, LONG_HEADER_SEARCH,
};
use crate::error::{Error, Result};
use crate::ingest::axis::Axis;
use crate::ingest::confidence::Doubt;
use crate::ingest::entity::{
    aggregate_warning, entity_of, header_allows_numbered_entities, is_whole_number_column,
};
use crate::ingest::grid::{column_name, Cell, Grid};
use crate::ingest::metadata::{cell_text, field_of_header, header_fields, Field};
use crate::ingest::period::is_summary_label;
use crate::ingest::roles::{role_word, split_role, Role};
use crate::model::{Layout, Period};

/// Share of rows that may be duplicates before averaging them is doubtful.
const MERGED_SHARE: f64 = 0.2;

/// A long table's header row and columns, if the grid has one, with the
/// axis of its period column (read once, for `read` too).
pub fn detect(grid: &Grid, context: &TableContext, wanted: &Shape) -> Option<(Shape, Axis)> {
    let rows = match wanted.header_row {
        Some(row) => row..row + 1,
        None => 0..grid.height().min(LONG_HEADER_SEARCH),
    };
    rows.into_iter()
        .find_map(|header_row| shape_at(grid, context, header_row, wanted))
}

/// Fills in a long shape the user asked for, with the axis of its period
/// column.
pub fn complete(grid: &Grid, context: &TableContext, shape: Shape) -> Result<(Shape, Axis)> {
    let header_row = shape.header_row.unwrap_or(0);
    shape_at(grid, context, header_row, &shape).ok_or_else(|| Error::NoTable {
        location: grid.location(&context.file),
        detail: format!(
            "row {} does not head a long table: it needs a column of periods, one of KPI names and one of values (the header reads {})",
            header_row + 1,
            header_cells(grid, header_row)
        ),
    })
}

fn header_cells(grid: &Grid, row: usize) -> String {
    let cells: Vec<String> = (0..grid.width())
        .map(|column| grid.cell(row, column).display())
        .filter(|text| !text.is_empty())
        .collect();
    super::list_of(&cells, " · ")
}

/// The long shape headed by `header_row`: a period column, a value column
/// and a KPI column (named or found), else None; with the period column's
/// axis, as `read` would read it (same column, year column and context).
fn shape_at(
    grid: &Grid,
    context: &TableContext,
    header_row: usize,
    wanted: &Shape,
) -> Option<(Shape, Axis)> {
    let fields = header_fields(grid, header_row);
    let find = |wanted: Field| {
        fields
            .iter()
            .find(|(_, field)| *field == wanted)
            .map(|(column, _)| *column)
    };
    let period_fields: Vec<usize> = fields
        .iter()
        .filter(|(_, field)| *field == Field::Period)
        .map(|(column, _)| *column)
        .collect();
    if period_fields.is_empty() && wanted.period_column.is_none() {
        return None;
    }
    let value_column = wanted.value_column.or_else(|| find(Field::Value))?;
    let axis_context = context.axis_context(grid, Some(header_row));
    let period = match wanted.period_column {
        Some(column) => PeriodColumn::single(grid, column, wanted.year_column, &axis_context),
        None => best_period_column(grid, &axis_context)?,
    };
    if period.axis.len() < 2 {
        return None;
    }
    let period_rows: Vec<(usize, Period)> = period
        .axis
        .slots
        .iter()
        .filter(|(row, _)| *row > header_row)
        .copied()
        .collect();
    let taken = [Some(period.column), period.year_column, Some(value_column)];
    let text_columns: Vec<usize> = (0..grid.width())
        .filter(|column| !taken.contains(&Some(*column)))
        .filter(|&column| is_label_column(grid, column, &period_rows))
        .collect();
    let role_column = wanted.role_column.or_else(|| {
        text_columns
            .iter()
            .copied()
            .find(|&column| is_role_column(grid, column, &period_rows))
    });
    let labels: Vec<usize> = text_columns
        .into_iter()
        .filter(|column| Some(*column) != role_column)
        .filter(|&column| {
            !matches!(
                field_of_header(&grid.cell(header_row, column).display()),
                Some(Field::Period | Field::Unit | Field::Owner | Field::Direction | Field::Focus)
            )
        })
        .collect();
    let name_column = match wanted.name_column.or_else(|| find(Field::Name)) {
        Some(column) => column,
        None => labels
            .iter()
            .copied()
            .filter(|&column| {
                field_of_header(&grid.cell(header_row, column).display()) != Some(Field::Entity)
            })
            .min_by_key(|&column| {
                let repeats = repeats(grid, &period_rows, &[column], role_column);
                (
                    repeats,
                    std::cmp::Reverse(distinct(grid, &period_rows, column)),
                )
            })
            .filter(|&column| distinct(grid, &period_rows, column) >= 2)?,
    };
    let entity_column = match wanted.entity_column {
        Some(choice) => choice,
        None => {
            let base = repeats(grid, &period_rows, &[name_column], role_column);
            // Entities may also be numbered (store 101) under a header
            // that names them; those columns are never KPI names.
            let numbered: Vec<usize> = (0..grid.width())
                .filter(|column| !taken.contains(&Some(*column)) && !labels.contains(column))
                .filter(|&column| {
                    header_allows_numbered_entities(&grid.cell(header_row, column).display())
                        && is_whole_number_column(grid, column, &period_rows)
                })
                .collect();
            if base == 0 {
                None
            } else {
                labels
                    .iter()
                    .chain(&numbered)
                    .copied()
                    .filter(|column| *column != name_column)
                    .map(|column| {
                        let left = repeats(grid, &period_rows, &[name_column, column], role_column);
                        let named = field_of_header(&grid.cell(header_row, column).display())
                            == Some(Field::Entity);
                        (column, left, named)
                    })
                    .filter(|(_, left, _)| *left * 2 < base)
                    .max_by_key(|(column, left, named)| {
                        (*named, std::cmp::Reverse(*left), std::cmp::Reverse(*column))
                    })
                    .map(|(column, _, _)| column)
            }
        }
    };
    let shape = Shape {
        layout: Some(Layout::Long),
        header_row: Some(header_row),
        period_row: None,
        period_column: Some(period.column),
        year_column: period.year_column,
        name_column: Some(name_column),
        entity_column: Some(entity_column),
        role_column,
        value_column: Some(value_column),
        first_row: wanted.first_row.or(Some(header_row + 1)),
        last_row: wanted.last_row.or(Some(grid.height().saturating_sub(1))),
        exclude: wanted.exclude.clone(),
    };
    Some((shape, period.axis))
}

/// A column of labels (text, not numbers) on the period rows.
fn is_label_column(grid: &Grid, column: usize, rows: &[(usize, Period)]) -> bool {
    let (mut text, mut numbers) = (0usize, 0usize);
    for (row, _) in rows.iter().take(2_000) {
        let cell = grid.cell(*row, column);
        if super::is_number(cell, grid.decimal_comma) {
            numbers += 1;
        } else if !cell.is_blank() && !matches!(cell, Cell::Date(_)) {
            text += 1;
        }
    }
    text > 0 && numbers * 10 <= text
}

/// A column whose values are all role words, with at least two roles.
fn is_role_column(grid: &Grid, column: usize, rows: &[(usize, Period)]) -> bool {
    let mut kinds = HashSet::new();
    for (row, _) in rows.iter().take(2_000) {
        if let Some(text) = grid.cell(*row, column).text() {
            if text.is_empty() {
                continue;
            }
            match role_word(text) {
                Some(role) => {
                    kinds.insert(role);
                }
                None => return false,
            }
        }
    }
    kinds.len() >= 2
}

/// Rows that repeat a (period, labels…, role) key.
fn repeats(grid: &Grid, rows: &[(usize, Period)], columns: &[usize], role: Option<usize>) -> usize {
    // Each row's key as one number: the labels' ids combined column by
    // column, so no row allocates.
    let mut keys: Vec<u32> = vec![0; rows.len()];
    let mut pairs: HashMap<(u32, u32), u32> = HashMap::new();
    for column in columns.iter().copied().chain(role) {
        let (ids, _) = label_ids(grid, rows, column);
        for (key, id) in keys.iter_mut().zip(ids) {
            let next = u32::try_from(pairs.len()).unwrap_or(u32::MAX);
            *key = *pairs.entry((*key, id)).or_insert(next);
        }
    }
    let mut seen: HashSet<(Period, u32)> = HashSet::with_capacity(rows.len());
    rows.iter()
        .zip(keys)
        .filter(|((_, period), key)| !seen.insert((*period, *key)))
        .count()
}

/// The distinct non-empty labels of a column over the rows.
fn distinct(grid: &Grid, rows: &[(usize, Period)], column: usize) -> usize {
    label_ids(grid, rows, column).1
}

/// Each row's label in a column as a number (0 for an empty cell, the same
/// number for the same text) and how many distinct non-empty labels there
/// are.
fn label_ids(grid: &Grid, rows: &[(usize, Period)], column: usize) -> (Vec<u32>, usize) {
    let mut ids: HashMap<std::borrow::Cow<'_, str>, u32> = HashMap::new();
    let row_ids = rows
        .iter()
        .map(|(row, _)| {
            let label = grid.cell(*row, column).label();
            if label.is_empty() {
                return 0;
            }
            let next = u32::try_from(ids.len() + 1).unwrap_or(u32::MAX);
            *ids.entry(label).or_insert(next)
        })
        .collect();
    (row_ids, ids.len())
}

/// What a value-like column is to the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueRole {
    Value,
    Target,
    Skipped,
}

/// Reads a long table from its shape and the axis of its period column
/// (from `detect` or `complete`).
pub fn read(grid: &Grid, context: &TableContext, shape: &Shape, axis: Axis) -> Result<RawTable> {
    let location = grid.location(&context.file);
    let header_row = shape.header_row.unwrap_or(0);
    let period_column = shape.period_column.unwrap_or(0);
    let name_column = shape.name_column.unwrap_or(0);
    let value_column = shape.value_column.unwrap_or(0);
    let entity_column = shape.entity_column.flatten();
    let role_column = shape.role_column;
    let mut warnings = axis.notes.clone();
    let mut doubts: Vec<Doubt> = axis.doubts.iter().map(Doubt::check).collect();
    let header = |column: usize| grid.cell(header_row, column).display();
    let used = [
        Some(period_column),
        shape.year_column,
        Some(name_column),
        Some(value_column),
        entity_column,
        role_column,
    ];
    // The other columns: targets per period, attributes, or left out.
    let mut value_columns: Vec<(usize, ValueRole)> = vec![(value_column, ValueRole::Value)];
    let mut attribute_columns: Vec<(usize, Field)> = Vec::new();
    let mut left_out = Vec::new();
    let mut period_encodings: Vec<(NotKpi, String)> = Vec::new();
    for column in 0..grid.width() {
        if used.contains(&Some(column)) {
            continue;
        }
        let text = header(column);
        match field_of_header(&text) {
            Some(Field::Target) => value_columns.push((column, ValueRole::Target)),
            Some(Field::Name | Field::Value | Field::Entity) => left_out.push(text),
            Some(Field::Period) => period_encodings.push((NotKpi::PeriodEncoding, text)),
            Some(field) => attribute_columns.push((column, field)),
            None if noise::is_period_header(&text) => {
                period_encodings.push((NotKpi::PeriodEncoding, text));
            }
            None => match split_role(&text).role {
                Role::Target if split_role(&text).base.is_empty() => {
                    value_columns.push((column, ValueRole::Target))
                }
                Role::Variance | Role::Comparison => {
                    value_columns.push((column, ValueRole::Skipped));
                    left_out.push(text);
                }
                _ => {}
            },
        }
    }
    // A label column that only groups the KPIs (`type`: Revenue / Cost)
    // serves as their department when no column says one.
    let has_department = attribute_columns
        .iter()
        .any(|(_, field)| *field == Field::Department);
    let period_of: HashMap<usize, Period> = axis.slots.iter().copied().collect();
    // The same, by row, for the loop over rows below.
    let mut period_by_row: Vec<Option<Period>> = vec![None; grid.height()];
    for (row, period) in &axis.slots {
        if let Some(slot) = period_by_row.get_mut(*row) {
            *slot = Some(*period);
        }
    }
    if !has_department {
        if let Some(column) = grouping_column(grid, shape, &period_of, &used) {
            attribute_columns.push((column, Field::Department));
        }
    }

    let mut period_slots: HashMap<Period, usize> = HashMap::new();
    let mut periods: Vec<Period> = Vec::new();
    // Names and entities by id, and each name's verdict (a total, left out
    // or a KPI), worked out once per distinct name: a long table repeats
    // them on every row.
    let mut name_ids: HashMap<String, (usize, bool)> = HashMap::new();
    let mut entity_ids: HashMap<String, usize> = HashMap::new();
    let mut series_index: HashMap<(usize, Option<usize>), usize> = HashMap::new();
    let mut series: Vec<RawSeries> = Vec::new();
    let mut units: Vec<std::collections::HashMap<String, usize>> = Vec::new();
    let mut values = Observations::default();
    let mut targets = Observations::default();
    let mut skipped_rows = 0usize;
    let mut rows = 0usize;
    // The role column's word for target rows (`Budget`), naming their plan.
    let mut role_target_word: Option<String> = None;
    let first_row = shape
        .first_row
        .unwrap_or(header_row + 1)
        .max(header_row + 1);
    let last_row = shape.last_row.unwrap_or(grid.height().saturating_sub(1));
    for row in first_row..=last_row.min(grid.height().saturating_sub(1)) {
        let period_cell = grid.cell(row, period_column);
        let name = grid.cell(row, name_column).label();
        if period_cell.is_blank() && name.is_empty() {
            continue;
        }
        if axis.totals.binary_search(&row).is_ok() {
            // A total of the periods around it, said with the axis.
            continue;
        }
        let Some(period) = period_by_row.get(row).copied().flatten() else {
            if is_summary_label(&period_cell.display())
                || name.is_empty()
                || shape.year_column.is_some()
            {
                skipped_rows += 1;
                continue;
            }
            return Err(Error::BadPeriod {
                location,
                row: row + 1,
                column: column_name(period_column),
                text: period_cell.display(),
            });
        };
        let (name_id, left_out_name) = match name_ids.get(name.as_ref()) {
            Some(known) => *known,
            None => {
                let verdict = (
                    name_ids.len(),
                    is_summary_label(&name)
                        || name.is_empty()
                        || shape
                            .exclude
                            .iter()
                            .any(|excluded| excluded == name.as_ref()),
                );
                name_ids.insert(name.to_string(), verdict);
                verdict
            }
        };
        if left_out_name {
            skipped_rows += 1;
            continue;
        }
        rows += 1;
        let entity_label = entity_column
            .map(|column| grid.cell(row, column).label())
            .filter(|label| !label.trim().is_empty());
        let entity_id = entity_label.as_ref().map(|label| {
            let next = entity_ids.len();
            match entity_ids.get(label.trim()) {
                Some(id) => *id,
                None => *entity_ids.entry(label.trim().to_string()).or_insert(next),
            }
        });
        let row_role = role_column
            .and_then(|column| grid.cell(row, column).text().and_then(role_word))
            .unwrap_or(Role::Actual);
        if matches!(row_role, Role::Comparison | Role::Variance) {
            continue;
        }
        if row_role == Role::Target && role_target_word.is_none() {
            role_target_word = role_column.map(|column| grid.cell(row, column).display());
        }
        let next_period = periods.len();
        let period_slot = *period_slots.entry(period).or_insert_with(|| {
            periods.push(period);
            next_period
        });
        let next = series.len();
        let index = *series_index.entry((name_id, entity_id)).or_insert_with(|| {
            let entity = entity_column.and_then(|column| entity_of(grid.cell(row, column)));
            let mut raw = RawSeries::new(name.to_string(), 0);
            raw.attributes.name = name.to_string();
            raw.attributes.source = format!(
                "column '{}'",
                target_header(grid, header_row, &value_columns)
            );
            raw.entity = entity;
            series.push(raw);
            units.push(std::collections::HashMap::new());
            next
        });
        for &(column, role) in &value_columns {
            let role = match (role, row_role) {
                (ValueRole::Value, Role::Target) => ValueRole::Target,
                (role, _) => role,
            };
            if role == ValueRole::Skipped {
                continue;
            }
            match read_value(grid.cell(row, column), grid.decimal_comma) {
                ValueCell::Number(number, unit) if role == ValueRole::Value => {
                    values.push(period_slot, index, number);
                    if let (Some(unit), Some(tally)) = (unit, units.get_mut(index)) {
                        *tally.entry(unit).or_default() += 1;
                    }
                }
                ValueCell::Number(number, _) => targets.push(period_slot, index, number),
                ValueCell::Missing => {}
                ValueCell::Unreadable(text) if role == ValueRole::Value => {
                    if let Some(raw) = series.get_mut(index) {
                        raw.unreadable.push((place(row, column), text));
                    }
                }
                ValueCell::Unreadable(_) => {}
            }
        }
        if let Some(raw) = series.get_mut(index) {
            for (column, field) in &attribute_columns {
                raw.attributes
                    .set(*field, cell_text(grid.cell(row, *column)));
            }
            // A target written as text (`<= 7.5`) is the KPI's target; a
            // number is that period's target, read above.
            if row_role != Role::Target {
                for &(column, role) in &value_columns {
                    let cell = grid.cell(row, column);
                    if role == ValueRole::Target && !super::is_number(cell, grid.decimal_comma) {
                        raw.attributes.set(Field::Target, cell_text(cell));
                    }
                }
            }
        }
    }
    if skipped_rows > 0 {
        warnings.push(format!(
            "Left out {skipped_rows} rows that are totals or have no KPI name."
        ));
    }
    if !left_out.is_empty() {
        warnings.push(format!(
            "Left out columns that are derived or compare, not KPIs: {}.",
            quoted_list(&left_out)
        ));
    }
    warnings.extend(noise::left_out_warnings("columns", &period_encodings));
    let has_target_column = value_columns
        .iter()
        .any(|(_, role)| *role == ValueRole::Target);
    let (series_values, duplicates) = values.aggregate(periods.len(), series.len());
    let (series_targets, _) = targets.aggregate(periods.len(), series.len());
    let mut value_count = 0;
    let mut duplicated_rows = 0;
    for (((raw, values), targets), tally) in series
        .iter_mut()
        .zip(series_values)
        .zip(series_targets)
        .zip(units)
    {
        value_count += values.iter().flatten().count();
        raw.values = values;
        if targets.iter().any(Option::is_some) {
            let label = match &role_target_word {
                Some(word) if !has_target_column => word.clone(),
                _ => target_header(grid, header_row, &value_columns),
            };
            raw.targets = Some((label, targets));
        }
        raw.value_unit = main_unit(tally);
    }
    for (raw, count) in series.iter().zip(&duplicates) {
        if *count > 0 {
            duplicated_rows += count;
            warnings.push(format!(
                "KPI '{}' has more than one row for {count} period(s); their mean was used (a sum would be wrong for rates).",
                display_name(raw)
            ));
        }
    }
    if entity_column.is_none() && duplicated_rows as f64 > MERGED_SHARE * rows.max(1) as f64 {
        doubts.push(Doubt::low(format!(
            "{duplicated_rows} (period, KPI) pairs have several rows and were averaged; if the rows are for different companies, regions or products, choose the column that names them (the entity column)."
        )));
    }
    if series.is_empty() || value_count == 0 {
        return Err(Error::NoTable {
            location,
            detail: "the long table (period, KPI, value columns) has no numeric values".to_string(),
        });
    }
    if let Some(column) = entity_column {
        let label = super::column_label(grid, Some(header_row), column);
        warnings.extend(aggregate_warning(&series, &label));
    }
    Ok(RawTable {
        layout: Layout::Long,
        periods,
        series,
        warnings,
        doubts,
        value_count,
        entity_column: entity_column
            .map(|column| super::column_label(grid, Some(header_row), column)),
        shape: shape.clone(),
    })
}

fn display_name(raw: &RawSeries) -> String {
    match &raw.entity {
        Some(entity) => format!("{} · {entity}", raw.label),
        None => raw.label.clone(),
    }
}

fn target_header(grid: &Grid, header_row: usize, columns: &[(usize, ValueRole)]) -> String {
    columns
        .iter()
        .find(|(_, role)| *role == ValueRole::Target)
        .map(|(column, _)| grid.cell(header_row, *column).display())
        .unwrap_or_else(|| "target".to_string())
}

/// A label column (not used otherwise) whose value is the same on every
/// row of a KPI: a grouping of the KPIs, such as an income statement's
/// `Revenue` / `Cost`.
fn grouping_column(
    grid: &Grid,
    shape: &Shape,
    period_of: &HashMap<usize, Period>,
    used: &[Option<usize>],
) -> Option<usize> {
    let name_column = shape.name_column?;
    let rows: Vec<usize> = period_of.keys().copied().collect();
    (0..grid.width())
        .filter(|column| !used.contains(&Some(*column)))
        .find(|&column| {
            let mut group_of: HashMap<String, String> = HashMap::new();
            let mut groups = HashSet::new();
            for row in &rows {
                let name = grid.cell(*row, name_column).display();
                let Some(group) = grid
                    .cell(*row, column)
                    .text()
                    .filter(|text| !text.is_empty())
                else {
                    return false;
                };
                if super::is_number(grid.cell(*row, column), grid.decimal_comma) {
                    return false;
                }
                groups.insert(group.to_string());
                if group_of.entry(name).or_insert_with(|| group.to_string()) != group {
                    return false;
                }
            }
            groups.len() >= 2 && groups.len() < group_of.len()
        })
}
