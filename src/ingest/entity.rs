//! Entities: the companies, banks, regions, stores, models or court units a
//! sheet measures every KPI for. An entity column is a label column that
//! the rows need to be told apart: without it, periods (or KPI names)
//! repeat. Each (KPI, entity) is then its own series; a `Total` / `All`
//! entity is an aggregate of the others, kept as its own series.

use std::collections::{HashMap, HashSet};

use crate::ingest::grid::{Cell, Grid};
use crate::ingest::layout::{is_number, quoted_list, RawSeries};
use crate::ingest::locale::{AGGREGATE_ENTITIES, ENTITY_HEADERS};
use crate::ingest::metadata::{field_of_header, normalise, Field};
use crate::model::Period;

/// Distinct values an entity column may have, at most.
const MAX_ENTITIES: usize = 5_000;

/// An entity column and its header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityColumn {
    pub column: usize,
    pub header: String,
}

/// The entity a cell names: its trimmed text (numbers too: store 12), or
/// None when blank.
pub fn entity_of(cell: &Cell) -> Option<String> {
    let text = cell.display();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Whether an entity value stands for the sum or average of the others.
pub fn is_aggregate_entity(entity: &str) -> bool {
    AGGREGATE_ENTITIES.contains(&normalise(entity).as_str())
}

/// The warning for a table whose entity column holds an aggregate (`Total`,
/// `All`): which values, in which column, are read as the total of the
/// others.
pub fn aggregate_warning(series: &[RawSeries], column: &str) -> Option<String> {
    let mut aggregates: Vec<String> = series
        .iter()
        .filter_map(|raw| raw.entity.clone())
        .filter(|entity| is_aggregate_entity(entity))
        .collect();
    aggregates.sort();
    aggregates.dedup();
    (!aggregates.is_empty()).then(|| {
        format!(
            "Entity {} in column '{column}' is read as the total of the others, not as one more entity.",
            quoted_list(&aggregates)
        )
    })
}

/// Whether a header allows an entity column of numbers (store 101, 102):
/// it names an entity (`Store`, `Branch`) or an entity's code (`store_id`,
/// `branch_no`). A bare `id` or another `*_id` (`new_line_id`, a KPI)
/// does not.
pub fn header_allows_numbered_entities(header: &str) -> bool {
    if field_of_header(header) == Some(Field::Entity) {
        return true;
    }
    let words = normalise(header);
    let words: Vec<&str> = words.split(' ').collect();
    match words.as_slice() {
        [.., entity, code] => {
            ENTITY_HEADERS.contains(entity)
                && matches!(*code, "id" | "code" | "no" | "nr" | "number" | "num")
        }
        _ => false,
    }
}

/// Whether the cells of a column on the given rows are whole numbers (an
/// entity's code), at least one.
pub fn is_whole_number_column(grid: &Grid, column: usize, rows: &[(usize, Period)]) -> bool {
    let mut numbers = 0usize;
    for (row, _) in rows.iter().take(2_000) {
        let cell = grid.cell(*row, column);
        match cell {
            Cell::Number(number) if number.fract() == 0.0 => numbers += 1,
            Cell::Text(text)
                if !text.trim().is_empty()
                    && text.trim().bytes().all(|byte| byte.is_ascii_digit()) =>
            {
                numbers += 1
            }
            _ if cell.is_blank() => {}
            _ => return false,
        }
    }
    numbers > 0
}

/// For a periods-down table whose periods repeat, the label column that
/// makes every (period, entity) pair unique: a column of text (not
/// numbers) with at least two and at most half as many distinct values as
/// rows. A column whose header names an entity (`Company`, `Bank`,
/// `Model`) is preferred; then the one that leaves the fewest repeats.
pub fn detect_entity_column(
    grid: &Grid,
    header_row: Option<usize>,
    candidates: &[usize],
    period_rows: &[(usize, Period)],
) -> Option<EntityColumn> {
    let distinct_periods: HashSet<Period> = period_rows.iter().map(|(_, period)| *period).collect();
    if distinct_periods.len() == period_rows.len() {
        return None;
    }
    let header = |column: usize| {
        header_row
            .map(|row| grid.cell(row, column).display())
            .unwrap_or_default()
    };
    let mut best: Option<(bool, usize, usize, usize)> = None;
    for &column in candidates {
        let numbered = header_allows_numbered_entities(&header(column))
            && is_whole_number_column(grid, column, period_rows);
        let Some(repeats) = repeats_with(grid, column, period_rows, numbered) else {
            continue;
        };
        let named = matches!(field_of_header(&header(column)), Some(Field::Entity));
        let distinct = distinct_values(grid, column, period_rows.iter().map(|(row, _)| *row));
        // Sort key: named first, then fewest repeats, then fewest values.
        let key = (named, repeats, distinct, column);
        let better = best.is_none_or(|(kept_named, kept_repeats, kept_distinct, _)| {
            (
                named,
                std::cmp::Reverse(repeats),
                std::cmp::Reverse(distinct),
            ) > (
                kept_named,
                std::cmp::Reverse(kept_repeats),
                std::cmp::Reverse(kept_distinct),
            )
        });
        if better {
            best = Some(key);
        }
    }
    let (_, repeats, _, column) = best?;
    // It must explain the repeats, not merely reduce them.
    (repeats * 20 <= period_rows.len()).then(|| EntityColumn {
        column,
        header: header(column),
    })
}

/// How many rows still repeat a (period, value) pair with this column as
/// the entity; None when the column is not entity-like (numbers, unless
/// `numbered`, too few or too many distinct values).
fn repeats_with(
    grid: &Grid,
    column: usize,
    period_rows: &[(usize, Period)],
    numbered: bool,
) -> Option<usize> {
    let mut text_cells = 0usize;
    let mut number_cells = 0usize;
    let mut pairs: HashMap<(Period, String), usize> = HashMap::new();
    let mut previous: Option<String> = None;
    for (row, period) in period_rows {
        let cell = grid.cell(*row, column);
        if is_number(cell, grid.decimal_comma) {
            number_cells += 1;
        } else if !cell.is_blank() {
            text_cells += 1;
        }
        let value = entity_of(cell).or_else(|| previous.clone());
        previous.clone_from(&value);
        *pairs
            .entry((*period, value.unwrap_or_default()))
            .or_default() += 1;
    }
    if !numbered && (text_cells == 0 || number_cells * 10 > text_cells) {
        return None;
    }
    let distinct: HashSet<&String> = pairs.keys().map(|(_, value)| value).collect();
    if distinct.len() < 2 || distinct.len() > MAX_ENTITIES || distinct.len() * 2 > period_rows.len()
    {
        return None;
    }
    Some(pairs.values().map(|count| count - 1).sum())
}

fn distinct_values(grid: &Grid, column: usize, rows: impl Iterator<Item = usize>) -> usize {
    rows.filter_map(|row| entity_of(grid.cell(row, column)))
        .collect::<HashSet<String>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_entities_need_a_header_that_names_them() {
        for header in ["Store", "store_id", "Branch No", "bank code"] {
            assert!(header_allows_numbered_entities(header), "{header}");
        }
        for header in ["id", "new_line_id", "Sales", "order_number"] {
            assert!(!header_allows_numbered_entities(header), "{header}");
        }
    }

    #[test]
    fn aggregate_entities_are_recognised() {
        for name in ["Total", "ALL", "Grand total", "Todos", "Gesamt"] {
            assert!(is_aggregate_entity(name), "{name}");
        }
        assert!(!is_aggregate_entity("Santander Bank"));
    }
}
