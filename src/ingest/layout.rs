//! Finding the table in a grid: which layout it is (periods across, periods
//! down, or long), where the header and the period line are, which rows and
//! columns are KPIs, attributes, summaries or notes. The result is a
//! `RawTable` still in sheet order; `assemble` turns it into a `KpiTable`.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::ingest::grid::{column_name, Cell, Grid};
use crate::ingest::metadata::{
    cell_text, field_of_header, header_fields, normalise, Field, MetaRecord,
};
use crate::ingest::period::{
    date_from_excel_serial, detect_day_first, is_plausible_period_serial, is_summary_label,
    parse_period,
};
use crate::ingest::value::{parse_value, ParsedValue};
use crate::model::{Layout, Period};

/// Rows searched for a header row of periods.
const HEADER_SEARCH_ROWS: usize = 200;
/// Columns searched for a column of periods.
const PERIOD_COLUMN_SEARCH: usize = 60;
/// Periods a line needs to count as the period axis.
const MIN_PERIODS: usize = 2;

/// One KPI's values as found, before pairing and metadata.
#[derive(Clone, Debug, Default)]
pub struct RawSeries {
    /// The label as written (header cell or row label).
    pub label: String,
    /// One value per period line entry (same order as `RawTable::periods`).
    pub values: Vec<Option<f64>>,
    /// The unit most cells showed (`%`, `$`), if any.
    pub value_unit: Option<String>,
    /// Attribute columns/rows beside the data (Unit, Target, Owner …).
    pub attributes: MetaRecord,
    /// Cells that were text but not numbers: (where, text).
    pub unreadable: Vec<(String, String)>,
}

/// A table found in a grid, in sheet order.
#[derive(Clone, Debug)]
pub struct RawTable {
    pub layout: Layout,
    pub periods: Vec<Period>,
    pub series: Vec<RawSeries>,
    pub warnings: Vec<String>,
    /// Values in the table: a size for choosing among sheets.
    pub value_count: usize,
}

/// Finds the table in a grid.
pub fn find_table(grid: &Grid, file: &str) -> Result<RawTable> {
    let location = grid.location(file);
    if grid.height() == 0 {
        return Err(Error::NoTable {
            location,
            detail: "the sheet is empty".to_string(),
        });
    }
    let reader = PeriodReader::for_grid(grid);
    if let Some(long) = find_long(grid, &reader, file)? {
        return Ok(long);
    }
    let best_row = (0..grid.height().min(HEADER_SEARCH_ROWS))
        .map(|row| (row, reader.row_periods(grid, row)))
        .max_by_key(|(row, periods)| (periods.len(), std::cmp::Reverse(*row)));
    let best_column = (0..grid.width().min(PERIOD_COLUMN_SEARCH))
        .map(|column| (column, reader.column_periods(grid, column)))
        .max_by_key(|(column, periods)| (periods.len(), std::cmp::Reverse(*column)));
    let row_count = best_row.as_ref().map_or(0, |(_, periods)| periods.len());
    let column_count = best_column.as_ref().map_or(0, |(_, periods)| periods.len());
    if row_count.max(column_count) < MIN_PERIODS {
        return Err(Error::NoTable {
            location,
            detail: "found no row or column of periods (dates, months like 'Jan 2024' or '2024-01', quarters like 'Q1 2024', weeks like '2024-W05', or years); is this the data sheet?".to_string(),
        });
    }
    let table = if row_count > column_count {
        let (row, periods) = best_row.unwrap_or_default();
        wide_rows(grid, row, periods, file)?
    } else {
        let (column, periods) = best_column.unwrap_or_default();
        wide_columns(grid, column, periods, file)?
    };
    if table.series.is_empty() || table.value_count == 0 {
        return Err(Error::NoTable {
            location,
            detail: "found periods but no numbers beside them: there are no KPI values to analyse"
                .to_string(),
        });
    }
    Ok(table)
}

/// Reads period cells, knowing the grid's day/month order.
struct PeriodReader {
    day_first: bool,
}

impl PeriodReader {
    fn for_grid(grid: &Grid) -> PeriodReader {
        let texts: Vec<&str> = grid
            .rows
            .iter()
            .take(2_000)
            .flat_map(|row| row.iter().take(PERIOD_COLUMN_SEARCH))
            .filter_map(Cell::text)
            .filter(|text| text.contains('/') || text.matches('.').count() == 2)
            .collect();
        PeriodReader {
            day_first: detect_day_first(&texts),
        }
    }

    /// A period from a text or date cell (numbers are judged per line).
    fn period(&self, cell: &Cell) -> Option<Period> {
        match cell {
            Cell::Date(date) => Some(Period::Day(*date)),
            Cell::Text(text) if !is_summary_label(text) => parse_period(text, self.day_first),
            _ => None,
        }
    }

    /// Period cells of a line, with numbers read as Excel serials or years
    /// when the whole line's numbers step regularly like dates do.
    fn line_periods<'a>(
        &self,
        cells: impl Iterator<Item = (usize, &'a Cell)>,
    ) -> Vec<(usize, Period)> {
        let cells: Vec<(usize, &Cell)> = cells.collect();
        let mut periods: Vec<(usize, Period)> = cells
            .iter()
            .filter_map(|(index, cell)| self.period(cell).map(|period| (*index, period)))
            .collect();
        if periods.len() < MIN_PERIODS {
            let numbers: Vec<(usize, f64)> = cells
                .iter()
                .filter_map(|(index, cell)| match cell {
                    Cell::Number(number) => Some((*index, *number)),
                    // A CSV holds serials as text.
                    Cell::Text(text) => match parse_value(text, false) {
                        ParsedValue::Number { value, unit: None } => Some((*index, value)),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            if let Some(from_numbers) = numbers_as_periods(&numbers) {
                if from_numbers.len() > periods.len() {
                    periods = from_numbers;
                }
            }
        }
        periods
    }

    fn row_periods(&self, grid: &Grid, row: usize) -> Vec<(usize, Period)> {
        let cells = grid.rows.get(row).map(Vec::as_slice).unwrap_or_default();
        self.line_periods(cells.iter().enumerate())
    }

    fn column_periods(&self, grid: &Grid, column: usize) -> Vec<(usize, Period)> {
        self.line_periods(
            grid.rows
                .iter()
                .enumerate()
                .filter_map(|(row, cells)| cells.get(column).map(|cell| (row, cell))),
        )
    }
}

/// Numbers that are Excel date serials stepping like days, weeks, months,
/// quarters or years, or consecutive bare years (2019, 2020, …).
fn numbers_as_periods(numbers: &[(usize, f64)]) -> Option<Vec<(usize, Period)>> {
    if numbers.len() < MIN_PERIODS || numbers.iter().any(|(_, number)| number.fract() != 0.0) {
        return None;
    }
    let steps: Vec<f64> = numbers
        .windows(2)
        .map(|pair| pair[1].1 - pair[0].1)
        .collect();
    let all_steps = |accept: &dyn Fn(f64) -> bool| steps.iter().all(|step| accept(step.abs()));
    let monotonic = steps.iter().all(|step| *step > 0.0) || steps.iter().all(|step| *step < 0.0);
    if !monotonic {
        return None;
    }
    let is_year = |number: f64| (1900.0..=2200.0).contains(&number);
    if numbers.iter().all(|(_, number)| is_year(*number)) && all_steps(&|step| step == 1.0) {
        return Some(
            numbers
                .iter()
                .map(|(index, number)| (*index, Period::Year(*number as i32)))
                .collect(),
        );
    }
    let date_like_step = |step: f64| {
        step == 1.0
            || step == 7.0
            || (28.0..=31.0).contains(&step)
            || (89.0..=92.0).contains(&step)
            || (365.0..=366.0).contains(&step)
    };
    if numbers
        .iter()
        .all(|(_, number)| is_plausible_period_serial(*number))
        && all_steps(&date_like_step)
    {
        return numbers
            .iter()
            .map(|(index, number)| {
                date_from_excel_serial(*number, false).map(|date| (*index, Period::Day(date)))
            })
            .collect();
    }
    None
}

/// A value cell: the number, whether it was missing, its unit, or unreadable text.
enum ValueCell {
    Number(f64, Option<String>),
    Missing,
    Unreadable(String),
}

fn read_value(cell: &Cell, decimal_comma: bool) -> ValueCell {
    match cell {
        Cell::Number(number) if number.is_finite() => ValueCell::Number(*number, None),
        Cell::Text(text) => match parse_value(text, decimal_comma) {
            ParsedValue::Number { value, unit } => ValueCell::Number(value, unit),
            ParsedValue::Missing => ValueCell::Missing,
            ParsedValue::Text => ValueCell::Unreadable(text.trim().to_string()),
        },
        Cell::Date(date) => ValueCell::Unreadable(date.to_string()),
        _ => ValueCell::Missing,
    }
}

impl RawSeries {
    fn new(label: String, periods: usize) -> RawSeries {
        RawSeries {
            label,
            values: vec![None; periods],
            ..RawSeries::default()
        }
    }

    /// Reads value cells into `values`, tallying units and unreadable text.
    fn read_cells<'a>(
        &mut self,
        cells: impl Iterator<Item = (usize, String, &'a Cell)>,
        decimal_comma: bool,
    ) -> usize {
        let mut units: HashMap<String, usize> = HashMap::new();
        let mut count = 0;
        for (slot, place, cell) in cells {
            match read_value(cell, decimal_comma) {
                ValueCell::Number(number, unit) => {
                    if let Some(value) = self.values.get_mut(slot) {
                        *value = Some(number);
                        count += 1;
                    }
                    if let Some(unit) = unit {
                        *units.entry(unit).or_default() += 1;
                    }
                }
                ValueCell::Missing => {}
                ValueCell::Unreadable(text) => self.unreadable.push((place, text)),
            }
        }
        self.value_unit = units
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(unit, _)| unit);
        count
    }
}

/// Periods across: `header_row` holds the periods, one KPI per row below.
fn wide_rows(
    grid: &Grid,
    header_row: usize,
    periods: Vec<(usize, Period)>,
    file: &str,
) -> Result<RawTable> {
    let mut warnings = Vec::new();
    let period_columns: Vec<usize> = periods.iter().map(|(column, _)| *column).collect();
    let first_period = period_columns.first().copied().unwrap_or(0);
    let mut attribute_columns: Vec<(usize, Field)> = Vec::new();
    let mut skipped_columns = Vec::new();
    for column in 0..grid.width() {
        if period_columns.contains(&column) {
            continue;
        }
        let header = grid.cell(header_row, column).display();
        if is_summary_label(&header) {
            skipped_columns.push(header);
        } else if let Some(field) = field_of_header(&header) {
            attribute_columns.push((column, field));
        }
    }
    if !skipped_columns.is_empty() {
        warnings.push(format!(
            "Left out columns that are not periods: {}.",
            skipped_columns.join(", ")
        ));
    }
    let label_column = attribute_columns
        .iter()
        .find(|(_, field)| *field == Field::Name)
        .map(|(column, _)| *column)
        .or_else(|| text_column_left_of(grid, header_row, first_period))
        .unwrap_or(0);
    let mut series = Vec::new();
    let mut skipped_rows = Vec::new();
    let mut value_count = 0;
    let mut section: Option<String> = None;
    for row in header_row + 1..grid.height() {
        let label = grid.cell(row, label_column).display();
        let mut raw = RawSeries::new(label.clone(), periods.len());
        let count = raw.read_cells(
            period_columns.iter().enumerate().map(|(slot, column)| {
                (
                    slot,
                    format!("row {}, column {}", row + 1, column_name(*column)),
                    grid.cell(row, *column),
                )
            }),
            grid.decimal_comma,
        );
        if is_summary_label(&label) {
            skipped_rows.push(label);
            continue;
        }
        if count == 0 {
            // A label alone on its row heads a section ("Marketing") when no
            // department column says otherwise.
            let alone = (0..grid.width())
                .all(|column| column == label_column || grid.cell(row, column).is_blank());
            if alone && !label.is_empty() {
                section = Some(label);
            }
            continue;
        }
        raw.label = if label.is_empty() {
            format!("Row {}", row + 1)
        } else {
            label
        };
        for (column, field) in &attribute_columns {
            raw.attributes
                .set(*field, cell_text(grid.cell(row, *column)));
        }
        if raw.attributes.department.is_none() {
            raw.attributes.department.clone_from(&section);
        }
        raw.attributes.name.clone_from(&raw.label);
        raw.attributes.source = format!(
            "column '{}'",
            header_of(grid, header_row, &attribute_columns, Field::Target)
        );
        value_count += count;
        series.push(raw);
    }
    if !skipped_rows.is_empty() {
        warnings.push(format!(
            "Left out rows that are not KPIs: {}.",
            skipped_rows.join(", ")
        ));
    }
    let _ = file;
    Ok(RawTable {
        layout: Layout::WideRows,
        periods: periods.into_iter().map(|(_, period)| period).collect(),
        series,
        warnings,
        value_count,
    })
}

fn header_of(grid: &Grid, header_row: usize, columns: &[(usize, Field)], wanted: Field) -> String {
    columns
        .iter()
        .find(|(_, field)| *field == wanted)
        .map(|(column, _)| grid.cell(header_row, *column).display())
        .unwrap_or_else(|| "Target".to_string())
}

/// The leftmost column before `limit` whose cells below the header are mostly text.
fn text_column_left_of(grid: &Grid, header_row: usize, limit: usize) -> Option<usize> {
    (0..limit).find(|&column| {
        let cells =
            (header_row + 1..grid.height().min(header_row + 200)).map(|row| grid.cell(row, column));
        let (text, other) = cells.fold((0, 0), |(text, other), cell| match cell {
            Cell::Text(value)
                if !value.trim().is_empty()
                    && !matches!(parse_value(value, false), ParsedValue::Number { .. }) =>
            {
                (text + 1, other)
            }
            Cell::Empty => (text, other),
            _ => (text, other + 1),
        });
        text > 0 && text >= other
    })
}

/// Periods down: `period_column` holds the periods, one KPI per column.
fn wide_columns(
    grid: &Grid,
    period_column: usize,
    periods: Vec<(usize, Period)>,
    file: &str,
) -> Result<RawTable> {
    let location = grid.location(file);
    let mut warnings = Vec::new();
    let period_rows: Vec<usize> = periods.iter().map(|(row, _)| *row).collect();
    let first_row = period_rows.first().copied().unwrap_or(0);
    let last_row = period_rows.last().copied().unwrap_or(0);
    let header_row = (0..first_row).rev().find(|&row| {
        (0..grid.width())
            .any(|column| column != period_column && !grid.cell(row, column).is_blank())
    });
    // Rows inside the period block that are not periods: summaries,
    // metadata rows (Target, Unit …), or a broken period.
    let mut metadata_rows: Vec<(usize, Field)> = Vec::new();
    let mut skipped_rows = Vec::new();
    let data_start = header_row.map_or(0, |row| row + 1);
    for row in data_start..grid.height() {
        if period_rows.binary_search(&row).is_ok() {
            continue;
        }
        let label = grid.cell(row, period_column).display();
        let has_numbers = (0..grid.width()).any(|column| {
            column != period_column
                && matches!(
                    read_value(grid.cell(row, column), grid.decimal_comma),
                    ValueCell::Number(..)
                )
        });
        if let Some(field) = field_of_header(&label)
            .filter(|field| !matches!(field, Field::Name | Field::Period | Field::Value))
        {
            metadata_rows.push((row, field));
        } else if is_summary_label(&label) {
            skipped_rows.push(label);
        } else if has_numbers && row > first_row && row < last_row {
            if label.is_empty() {
                warnings.push(format!(
                    "Row {} has values but no period; it was left out.",
                    row + 1
                ));
            } else {
                return Err(Error::BadPeriod {
                    location,
                    row: row + 1,
                    column: column_name(period_column),
                    text: label,
                });
            }
        } else if has_numbers && !label.is_empty() && row > last_row {
            skipped_rows.push(label);
        }
    }
    if !skipped_rows.is_empty() {
        warnings.push(format!(
            "Left out rows that are not periods: {}.",
            skipped_rows.join(", ")
        ));
    }
    let mut series = Vec::new();
    let mut value_count = 0;
    let mut skipped_columns = Vec::new();
    for column in 0..grid.width() {
        if column == period_column {
            continue;
        }
        let header = header_row
            .map(|row| grid.cell(row, column).display())
            .unwrap_or_default();
        let mut raw = RawSeries::new(header.clone(), periods.len());
        let count = raw.read_cells(
            period_rows.iter().enumerate().map(|(slot, row)| {
                (
                    slot,
                    format!("row {}, column {}", row + 1, column_name(column)),
                    grid.cell(*row, column),
                )
            }),
            grid.decimal_comma,
        );
        if is_summary_label(&header) {
            skipped_columns.push(header);
            continue;
        }
        if count == 0 {
            if !header.is_empty() && field_of_header(&header).is_none() {
                skipped_columns.push(header);
            }
            continue;
        }
        raw.label = if header.is_empty() {
            format!("Column {}", column_name(column))
        } else {
            header
        };
        raw.attributes.name.clone_from(&raw.label);
        for (row, field) in &metadata_rows {
            raw.attributes
                .set(*field, cell_text(grid.cell(*row, column)));
        }
        raw.attributes.source = "row 'Target'".to_string();
        value_count += count;
        series.push(raw);
    }
    if !skipped_columns.is_empty() {
        warnings.push(format!(
            "Left out columns without KPI values: {}.",
            skipped_columns.join(", ")
        ));
    }
    Ok(RawTable {
        layout: Layout::WideColumns,
        periods: periods.into_iter().map(|(_, period)| period).collect(),
        series,
        warnings,
        value_count,
    })
}

/// Long layout: a header naming a period column, a KPI-name column and a
/// value column. Duplicate (period, KPI) rows are averaged.
fn find_long(grid: &Grid, reader: &PeriodReader, file: &str) -> Result<Option<RawTable>> {
    for header_row in 0..grid.height().min(30) {
        let fields = header_fields(grid, header_row);
        let find = |wanted: Field| {
            fields
                .iter()
                .find(|(_, field)| *field == wanted)
                .map(|(column, _)| *column)
        };
        let (Some(period_column), Some(name_column), Some(value_column)) =
            (find(Field::Period), find(Field::Name), find(Field::Value))
        else {
            continue;
        };
        return read_long(
            grid,
            reader,
            file,
            header_row,
            period_column,
            name_column,
            value_column,
            &fields,
        )
        .map(Some);
    }
    Ok(None)
}

#[allow(clippy::too_many_arguments)]
fn read_long(
    grid: &Grid,
    reader: &PeriodReader,
    file: &str,
    header_row: usize,
    period_column: usize,
    name_column: usize,
    value_column: usize,
    fields: &[(usize, Field)],
) -> Result<RawTable> {
    let location = grid.location(file);
    let mut warnings = Vec::new();
    let mut period_index: HashMap<Period, usize> = HashMap::new();
    let mut periods = Vec::new();
    let mut kpi_index: HashMap<String, usize> = HashMap::new();
    let mut series: Vec<RawSeries> = Vec::new();
    // (kpi, period) → (sum, count) for averaging duplicates.
    let mut cells: HashMap<(usize, usize), (f64, usize)> = HashMap::new();
    let mut skipped_rows = 0usize;
    let mut units: Vec<HashMap<String, usize>> = Vec::new();
    for row in header_row + 1..grid.height() {
        let period_cell = grid.cell(row, period_column);
        let name = grid.cell(row, name_column).display();
        if period_cell.is_blank() && name.is_empty() {
            continue;
        }
        let period = match reader.period(period_cell).or_else(|| match period_cell {
            Cell::Number(number)
                if is_plausible_period_serial(*number) && number.fract() == 0.0 =>
            {
                date_from_excel_serial(*number, false).map(Period::Day)
            }
            _ => None,
        }) {
            Some(period) => period,
            None if is_summary_label(&period_cell.display()) || name.is_empty() => {
                skipped_rows += 1;
                continue;
            }
            None => {
                return Err(Error::BadPeriod {
                    location,
                    row: row + 1,
                    column: column_name(period_column),
                    text: period_cell.display(),
                })
            }
        };
        if is_summary_label(&name) {
            skipped_rows += 1;
            continue;
        }
        let next_period = periods.len();
        let period_slot = *period_index.entry(period).or_insert_with(|| {
            periods.push(period);
            next_period
        });
        let next_kpi = series.len();
        let kpi_slot = *kpi_index.entry(name.clone()).or_insert_with(|| {
            let mut raw = RawSeries::new(name.clone(), 0);
            raw.attributes.name.clone_from(&name);
            raw.attributes.source = "column 'target'".to_string();
            series.push(raw);
            units.push(HashMap::new());
            next_kpi
        });
        match read_value(grid.cell(row, value_column), grid.decimal_comma) {
            ValueCell::Number(number, unit) => {
                let entry = cells.entry((kpi_slot, period_slot)).or_insert((0.0, 0));
                entry.0 += number;
                entry.1 += 1;
                if let (Some(unit), Some(tally)) = (unit, units.get_mut(kpi_slot)) {
                    *tally.entry(unit).or_default() += 1;
                }
            }
            ValueCell::Missing => {}
            ValueCell::Unreadable(text) => {
                if let Some(raw) = series.get_mut(kpi_slot) {
                    raw.unreadable.push((
                        format!("row {}, column {}", row + 1, column_name(value_column)),
                        text,
                    ));
                }
            }
        }
        if let Some(raw) = series.get_mut(kpi_slot) {
            for (column, field) in fields {
                if !matches!(field, Field::Name | Field::Period | Field::Value) {
                    raw.attributes
                        .set(*field, cell_text(grid.cell(row, *column)));
                }
            }
        }
    }
    if skipped_rows > 0 {
        warnings.push(format!(
            "Left out {skipped_rows} rows that are totals or have no KPI name."
        ));
    }
    let mut duplicates: HashMap<usize, usize> = HashMap::new();
    let mut value_count = 0;
    for raw in &mut series {
        raw.values = vec![None; periods.len()];
    }
    for ((kpi, period), (sum, count)) in cells {
        if let Some(slot) = series
            .get_mut(kpi)
            .and_then(|raw| raw.values.get_mut(period))
        {
            *slot = Some(sum / count as f64);
            value_count += 1;
        }
        if count > 1 {
            *duplicates.entry(kpi).or_default() += 1;
        }
    }
    let mut duplicated: Vec<(usize, usize)> = duplicates.into_iter().collect();
    duplicated.sort_unstable();
    for (kpi, count) in duplicated {
        if let Some(raw) = series.get(kpi) {
            warnings.push(format!(
                "KPI '{}' has more than one row for {count} period(s); their mean was used (a sum would be wrong for rates).",
                raw.label
            ));
        }
    }
    for (raw, tally) in series.iter_mut().zip(units) {
        raw.value_unit = tally
            .into_iter()
            .max_by_key(|(_, count)| *count)
            .map(|(unit, _)| unit);
    }
    if series.is_empty() || value_count == 0 {
        return Err(Error::NoTable {
            location,
            detail: "the long table (period, KPI, value columns) has no numeric values".to_string(),
        });
    }
    Ok(RawTable {
        layout: Layout::Long,
        periods,
        series,
        warnings,
        value_count,
    })
}

/// Splits a label into (base name, role) for Target/Actual/Variance pairs:
/// `Churn Actual` → ("Churn", Actual), `Revenue - Target` → ("Revenue", Target).
pub fn pair_role(label: &str) -> (String, PairRole) {
    let words = normalise(label);
    for (suffixes, role) in [
        (&["actual", "actuals", "act", "ist"][..], PairRole::Actual),
        (
            &[
                "target",
                "goal",
                "plan",
                "budget",
                "tgt",
                "threshold",
                "soll",
            ][..],
            PairRole::Target,
        ),
        (
            &[
                "variance",
                "var",
                "var %",
                "variance %",
                "delta",
                "diff",
                "difference",
                "vs target",
                "gap",
            ][..],
            PairRole::Variance,
        ),
    ] {
        for suffix in suffixes {
            if let Some(base) = words
                .strip_suffix(suffix)
                .filter(|base| base.ends_with(' '))
            {
                let cut = base.trim().len();
                // Keep the label's own spelling for the base name.
                let original = strip_suffix_words(label, suffix.split(' ').count());
                if !original.is_empty() && cut > 0 {
                    return (original, role);
                }
            }
        }
    }
    (label.trim().to_string(), PairRole::Plain)
}

/// The role of a series in a Target/Actual/Variance group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairRole {
    Plain,
    Actual,
    Target,
    Variance,
}

/// Drops the last `count` words of a label, then trailing separators.
fn strip_suffix_words(label: &str, count: usize) -> String {
    let mut text = label.trim();
    for _ in 0..count {
        text = text
            .trim_end_matches(|character: char| !character.is_alphanumeric() && character != '%');
        text = text
            .trim_end_matches(|character: char| character.is_alphanumeric() || character == '%');
    }
    text.trim_end_matches(|character: char| {
        character.is_whitespace() || "-–—:_/(|[".contains(character)
    })
    .trim()
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_roles_are_recognised() {
        assert_eq!(
            pair_role("Churn Actual"),
            ("Churn".to_string(), PairRole::Actual)
        );
        assert_eq!(
            pair_role("Revenue - Target"),
            ("Revenue".to_string(), PairRole::Target)
        );
        assert_eq!(
            pair_role("Revenue - Variance"),
            ("Revenue".to_string(), PairRole::Variance)
        );
        assert_eq!(
            pair_role("NPS (target)"),
            ("NPS".to_string(), PairRole::Target)
        );
        assert_eq!(
            pair_role("Target accounts"),
            ("Target accounts".to_string(), PairRole::Plain)
        );
        assert_eq!(pair_role("Actual"), ("Actual".to_string(), PairRole::Plain));
    }

    #[test]
    fn serial_numbers_and_years_become_periods_only_when_regular() {
        let serials = [(1, 45292.0), (2, 45323.0), (3, 45352.0)];
        let periods = numbers_as_periods(&serials).unwrap();
        assert_eq!(periods[0].1.label(), "2024-01-01");
        let years = [(0, 2019.0), (1, 2020.0), (2, 2021.0)];
        assert_eq!(numbers_as_periods(&years).unwrap()[2].1, Period::Year(2021));
        assert!(numbers_as_periods(&[(0, 45292.0), (1, 45300.5)]).is_none());
        assert!(numbers_as_periods(&[(0, 45292.0), (1, 45350.0), (2, 45360.0)]).is_none());
        assert!(numbers_as_periods(&[(0, 12.0), (1, 13.0)]).is_none());
    }
}
