//! Periods down (`wide_columns`): one row per period, one column per KPI,
//! optionally an entity column that repeats the periods once per company,
//! model or court unit (each (KPI, entity) is then its own series), and
//! role columns beside the KPIs (`target`, `revenue_budget`, `baseline`).

use std::collections::{HashMap, HashSet};

use super::noise::{self, NotKpi};
use super::{
    header_row_above, main_unit, place, quoted_list, read_value, table_columns, Observations,
    PeriodColumn, RawSeries, RawTable, Shape, TableContext, ValueCell,
};
use crate::error::{Error, Result};
use crate::ingest::confidence::Doubt;
use crate::ingest::entity::{aggregate_warning, detect_entity_column, entity_of, EntityColumn};
use crate::ingest::grid::{column_name, Grid};
use crate::ingest::metadata::{cell_text, field_of_header, Field};
use crate::ingest::period::is_summary_label;
use crate::ingest::roles::Role;
use crate::model::{Layout, Period};

/// Share of periods that may repeat before the repeats say the rows hold
/// several entities (and averaging them is doubtful).
const MERGED_SHARE: f64 = 0.25;

/// Fills in what the shape leaves open: the data rows, the header row and
/// the entity column.
pub fn complete(grid: &Grid, context: &TableContext, mut shape: Shape) -> Result<Shape> {
    let location = grid.location(&context.file);
    let Some(period_column) = shape.period_column else {
        return Err(Error::NoTable {
            location,
            detail: "no column of periods was given or found".to_string(),
        });
    };
    let first_guess = shape.header_row.map_or(0, |row| row + 1);
    let axis_context = context.axis_context(grid, shape.header_row.or(Some(first_guess)));
    let column = PeriodColumn::single(grid, period_column, shape.year_column, &axis_context);
    let rows: Vec<usize> = column
        .axis
        .indices()
        .into_iter()
        .filter(|row| *row >= first_guess)
        .collect();
    let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else {
        return Err(Error::NoTable {
            location,
            detail: format!("column {} holds no periods", column_name(period_column)),
        });
    };
    shape.first_row = shape.first_row.or(Some(first));
    shape.last_row = shape.last_row.or(Some(last));
    if shape.header_row.is_none() {
        let first_row = shape.first_row.unwrap_or(first);
        let columns: Vec<usize> = (0..grid.width())
            .filter(|&column| !grid.cell(first_row, column).is_blank())
            .collect();
        shape.header_row = header_row_above(grid, first_row, &columns, grid.decimal_comma);
    }
    if shape.entity_column.is_none() {
        let columns = table_columns(grid, shape.header_row, period_column);
        let period_rows: Vec<(usize, Period)> = column
            .axis
            .slots
            .iter()
            .filter(|(row, _)| {
                *row >= shape.first_row.unwrap_or(first) && *row <= shape.last_row.unwrap_or(last)
            })
            .copied()
            .collect();
        let skip = [Some(period_column), shape.year_column];
        let candidates: Vec<usize> = columns
            .into_iter()
            .filter(|column| !skip.contains(&Some(*column)))
            .collect();
        shape.entity_column = Some(
            detect_entity_column(grid, shape.header_row, &candidates, &period_rows)
                .map(|found| found.column),
        );
    }
    shape.layout = Some(Layout::WideColumns);
    Ok(shape)
}

/// Reads a periods-down table from its shape.
pub fn read(grid: &Grid, context: &TableContext, shape: &Shape) -> Result<RawTable> {
    let location = grid.location(&context.file);
    let period_column = shape.period_column.unwrap_or(0);
    let first_row = shape.first_row.unwrap_or(0);
    let last_row = shape.last_row.unwrap_or(grid.height().saturating_sub(1));
    let axis_context = context.axis_context(grid, shape.header_row);
    let column = PeriodColumn::single(grid, period_column, shape.year_column, &axis_context);
    let period_rows: Vec<(usize, Period)> = column
        .axis
        .slots
        .iter()
        .filter(|(row, _)| *row >= first_row && *row <= last_row)
        .copied()
        .collect();
    let mut warnings = column.axis.notes.clone();
    let mut doubts: Vec<Doubt> = column.axis.doubts.iter().map(Doubt::check).collect();
    let header_row = shape.header_row;
    let header = |column: usize| {
        header_row
            .map(|row| grid.cell(row, column).display())
            .unwrap_or_default()
    };
    let entity_column = shape.entity_column.flatten();
    let entity = entity_column.map(|column| EntityColumn {
        column,
        header: super::column_label(grid, header_row, column),
    });

    // Rows inside the block that are not periods.
    let period_row_set: HashSet<usize> = period_rows.iter().map(|(row, _)| *row).collect();
    let columns = table_columns(grid, header_row, period_column);
    let mut metadata_rows: Vec<(usize, Field)> = Vec::new();
    let mut skipped_rows = Vec::new();
    let mut unlabelled_rows = Vec::new();
    // Rows with values but no period between dated rows (not an opening
    // balance or initial value above the first period).
    let mut undated_inside: Vec<usize> = Vec::new();
    let data_start = header_row.map_or(0, |row| row + 1);
    for row in data_start..grid.height() {
        if period_row_set.contains(&row) {
            continue;
        }
        let label = grid.cell(row, period_column).display();
        let has_numbers = columns.iter().any(|&column| {
            column != period_column
                && Some(column) != shape.year_column
                && matches!(
                    read_value(grid.cell(row, column), grid.decimal_comma),
                    ValueCell::Number(..)
                )
        });
        if column.axis.totals.binary_search(&row).is_ok() {
            // Said with the axis: a total of the periods around it.
        } else if let Some(field) = field_of_header(&label).filter(|field| {
            !matches!(
                field,
                Field::Name | Field::Period | Field::Value | Field::Entity
            )
        }) {
            metadata_rows.push((row, field));
        } else if is_summary_label(&label) {
            skipped_rows.push(label);
        } else if has_numbers && row > first_row && row < last_row {
            if label.is_empty() || noise::is_placeholder(&label) || noise::is_prose(&label) {
                unlabelled_rows.push(row + 1);
                undated_inside.push(row + 1);
            } else if shape.year_column.is_none() {
                return Err(Error::BadPeriod {
                    location,
                    row: row + 1,
                    column: column_name(period_column),
                    text: label,
                });
            }
        } else if has_numbers && row < first_row && row >= data_start {
            unlabelled_rows.push(row + 1);
        } else if has_numbers && !label.is_empty() && row > last_row {
            skipped_rows.push(label);
        }
    }
    if !skipped_rows.is_empty() {
        warnings.push(format!(
            "Left out rows that are not periods: {}.",
            quoted_list(&skipped_rows)
        ));
    }
    if !undated_inside.is_empty() {
        let rows: Vec<String> = undated_inside.iter().map(ToString::to_string).collect();
        // Rows with values among the dated ones are probably periods whose
        // date was not typed in: leaving them out loses their values and
        // makes their neighbours look consecutive, so the reading asks.
        doubts.push(Doubt::check(format!(
            "{} {} values but no period in column {}, between rows that have one: {} probably periods whose date is missing, and {} left out.",
            if rows.len() == 1 { format!("Row {}", rows.join("")) } else { format!("Rows {}", super::list_of(&rows, ", ")) },
            if rows.len() == 1 { "has" } else { "have" },
            column_name(period_column),
            if rows.len() == 1 { "it is" } else { "they are" },
            if rows.len() == 1 { "its values were" } else { "their values were" },
        )));
    }
    if !unlabelled_rows.is_empty() {
        let rows: Vec<String> = unlabelled_rows.iter().map(ToString::to_string).collect();
        warnings.push(if rows.len() == 1 {
            format!(
                "Left out row {}: it has values but no period.",
                rows.join("")
            )
        } else {
            format!(
                "Left out rows {}: they have values but no period.",
                super::list_of(&rows, ", ")
            )
        });
    }

    // Periods: distinct, in sheet order; each period row points at one.
    let mut period_slots: HashMap<Period, usize> = HashMap::new();
    let mut periods: Vec<Period> = Vec::new();
    let row_slots: Vec<(usize, usize)> = period_rows
        .iter()
        .map(|(row, period)| {
            let next = periods.len();
            let slot = *period_slots.entry(*period).or_insert_with(|| {
                periods.push(*period);
                next
            });
            (*row, slot)
        })
        .collect();
    let row_entities: Vec<Option<String>> = match &entity {
        Some(entity) => {
            let mut previous: Option<String> = None;
            row_slots
                .iter()
                .map(|(row, _)| {
                    let value = entity_of(grid.cell(*row, entity.column));
                    let value = value.or_else(|| previous.clone());
                    previous.clone_from(&value);
                    value
                })
                .collect()
        }
        None => vec![None; row_slots.len()],
    };

    // Columns: KPIs, or noise said once.
    let mut left_out: Vec<(NotKpi, String)> = Vec::new();
    let mut summaries = Vec::new();
    let mut series: Vec<RawSeries> = Vec::new();
    let mut series_index: HashMap<(usize, Option<String>), usize> = HashMap::new();
    let mut observations = Observations::default();
    let mut units: Vec<HashMap<String, usize>> = Vec::new();
    let skip = [Some(period_column), shape.year_column, entity_column];
    for &column in &columns {
        if skip.contains(&Some(column)) {
            continue;
        }
        let label = header(column);
        let cells: Vec<&crate::ingest::grid::Cell> = row_slots
            .iter()
            .map(|(row, _)| grid.cell(*row, column))
            .collect();
        if cells.iter().all(|cell| cell.is_blank()) {
            continue;
        }
        if is_summary_label(&label) {
            summaries.push(label);
            continue;
        }
        let generic = if label.is_empty() {
            format!("Column {}", column_name(column))
        } else {
            label.clone()
        };
        if shape
            .exclude
            .iter()
            .any(|excluded| excluded == &generic || excluded == &label)
        {
            continue;
        }
        let field = field_of_header(&label);
        let role = match field {
            Some(Field::Target | Field::Min | Field::Max) => Some((Role::Target, String::new())),
            Some(
                Field::Unit
                | Field::Owner
                | Field::Department
                | Field::Direction
                | Field::Focus
                | Field::Name
                | Field::Entity,
            ) => {
                left_out.push((NotKpi::Text, generic));
                continue;
            }
            _ => None,
        };
        if let Some(kind) = noise::not_a_kpi(&label, &cells, periods.len(), grid.decimal_comma) {
            left_out.push((kind, generic));
            continue;
        }
        for (position, (row, slot)) in row_slots.iter().enumerate() {
            let entity_value = row_entities.get(position).cloned().flatten();
            let key = (column, entity_value.clone());
            let next = series.len();
            let index = *series_index.entry(key).or_insert_with(|| {
                let mut raw = RawSeries::new(generic.clone(), 0);
                raw.entity = entity_value.clone();
                raw.role = role.clone();
                raw.attributes.name.clone_from(&generic);
                raw.attributes.source = "row 'Target'".to_string();
                for (meta_row, field) in &metadata_rows {
                    raw.attributes
                        .set(*field, cell_text(grid.cell(*meta_row, column)));
                }
                series.push(raw);
                units.push(HashMap::new());
                next
            });
            match read_value(grid.cell(*row, column), grid.decimal_comma) {
                ValueCell::Number(number, unit) => {
                    observations.push(*slot, index, number);
                    if let (Some(unit), Some(tally)) = (unit, units.get_mut(index)) {
                        *tally.entry(unit).or_default() += 1;
                    }
                }
                ValueCell::Missing => {}
                ValueCell::Unreadable(text) => {
                    if let Some(raw) = series.get_mut(index) {
                        raw.unreadable.push((place(*row, column), text));
                    }
                }
            }
        }
    }
    if !summaries.is_empty() {
        warnings.push(format!(
            "Left out columns that are summaries, not KPIs: {}.",
            quoted_list(&summaries)
        ));
    }
    warnings.extend(noise::left_out_warnings("columns", &left_out));

    let (values, _) = observations.aggregate(periods.len(), series.len());
    let mut value_count = 0;
    for ((raw, values), tally) in series.iter_mut().zip(values).zip(units) {
        value_count += values.iter().flatten().count();
        raw.values = values;
        raw.value_unit = main_unit(tally);
    }
    if let Some(entity) = &entity {
        warnings.extend(aggregate_warning(&series, &entity.header));
    }
    if entity.is_none() {
        doubts.extend(shuffled_periods_doubt(grid, period_column, &period_rows));
    }
    let repeated: Vec<String> = repeated_periods(&period_rows, &row_entities);
    if !repeated.is_empty() {
        warnings.push(format!(
            "Periods that appear more than once{}: {}; their values were averaged.",
            if entity.is_some() {
                " for one entity"
            } else {
                ""
            },
            super::list_of(&repeated, ", ")
        ));
        if repeated.len() as f64 > MERGED_SHARE * periods.len() as f64 {
            doubts.push(Doubt::low(format!(
                "{} of {} periods appear on several rows and their values were averaged; if the rows are for different companies, regions or products, choose the column that names them (the entity column).",
                repeated.len(),
                periods.len()
            )));
        }
    }
    Ok(RawTable {
        layout: Layout::WideColumns,
        periods,
        series,
        warnings,
        doubts,
        value_count,
        entity_column: entity.map(|entity| entity.header),
        shape: Shape {
            layout: Some(Layout::WideColumns),
            ..shape.clone()
        },
    })
}

/// Steps between rows a period column needs before its order says anything.
const ORDER_STEPS: usize = 3;

/// The doubt for a column of periods in no time order (2021, 2025, 2022,
/// 2024 …) without an entity column to group them: periods kept by people
/// run up or down, so the rows are records (a roster, a list of filings)
/// whose date or year is one of their properties, not the periods of KPIs.
fn shuffled_periods_doubt(
    grid: &Grid,
    period_column: usize,
    period_rows: &[(usize, Period)],
) -> Option<Doubt> {
    let mut ups = 0usize;
    let mut downs = 0usize;
    for pair in period_rows.windows(2) {
        if let [(_, earlier), (_, later)] = pair {
            match later.cmp(earlier) {
                std::cmp::Ordering::Greater => ups += 1,
                std::cmp::Ordering::Less => downs += 1,
                std::cmp::Ordering::Equal => {}
            }
        }
    }
    let steps = ups + downs;
    if steps < ORDER_STEPS || ups * 4 < steps || downs * 4 < steps {
        return None;
    }
    let seen: Vec<String> = period_rows
        .iter()
        .map(|(row, _)| grid.cell(*row, period_column).display())
        .collect();
    Some(Doubt::low(format!(
        "The periods in column {} are in no time order ({}): the rows look like records (one per person, item or filing) with a date among their properties, not KPIs over periods.",
        column_name(period_column),
        super::list_of(&seen, ", ")
    )))
}

/// Period labels that appear on more than one row (for the same entity).
fn repeated_periods(period_rows: &[(usize, Period)], entities: &[Option<String>]) -> Vec<String> {
    let mut seen: HashMap<(Period, Option<&String>), usize> = HashMap::new();
    for ((_, period), entity) in period_rows.iter().zip(entities) {
        *seen.entry((*period, entity.as_ref())).or_default() += 1;
    }
    let mut repeated: Vec<Period> = seen
        .into_iter()
        .filter(|(_, count)| *count > 1)
        .map(|((period, _), _)| period)
        .collect();
    repeated.sort();
    repeated.dedup();
    repeated.into_iter().map(Period::label).collect()
}
