//! Finding the table in a grid: which layout it is (periods across, periods
//! down, or long), where the header, the period axis, the names, the
//! entities and the values are (a `Shape`), then reading the series from
//! that shape. A user's `Mapping` overrides any part of the detected shape.
//! The result is a `RawTable` still in sheet order; `assemble` turns it
//! into a `KpiTable`.
//!
//! `across` reads periods across (one row per KPI), `down` periods down
//! (one column per KPI), `long` rows of period / KPI / value; `noise` knows
//! the columns and rows that are not KPIs (row counters, IDs, flags, text,
//! period encodings, blank-header zero columns).

pub mod across;
pub mod down;
pub mod long;
pub mod noise;

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::ingest::axis::{
    read_axis, steps_like_periods, Axis, AxisContext, YearHint, MIN_PERIODS,
};
use crate::ingest::confidence::Doubt;
use crate::ingest::grid::{column_name, Cell, Grid};
use crate::ingest::locale::{month_number, MONTH_HEADERS, YEAR_HEADERS};
use crate::ingest::mapping::Mapping;
use crate::ingest::metadata::{normalise, MetaRecord};
use crate::ingest::period::{parse_label, DayOrder};
use crate::ingest::roles::Role;
use crate::ingest::value::{parse_value, ParsedValue};
use crate::model::{Layout, Period};

/// Rows searched for a row of periods.
const HEADER_SEARCH_ROWS: usize = 200;
/// Columns searched for a column of periods.
const PERIOD_COLUMN_SEARCH: usize = 60;
/// Rows searched for a long table's header.
const LONG_HEADER_SEARCH: usize = 30;

/// One KPI's values as found, before pairing and metadata.
#[derive(Clone, Debug, Default)]
pub struct RawSeries {
    /// The label as written (header cell or row label).
    pub label: String,
    /// The entity the series is measured for, when the table has entities.
    pub entity: Option<String>,
    /// The role the layout gave this series (a role column, or a `Plan`
    /// row under a KPI row) and the KPI it belongs to; otherwise the role is
    /// read from the label.
    pub role: Option<(Role, String)>,
    /// One value per period (same order as `RawTable::periods`).
    pub values: Vec<Option<f64>>,
    /// Per-period targets read beside the values (a long table's target
    /// column): the column's header and one target per period.
    pub targets: Option<(String, Vec<Option<f64>>)>,
    /// The unit most cells showed (`%`, `$`), if any.
    pub value_unit: Option<String>,
    /// Attribute columns/rows beside the data (Unit, Target, Owner …).
    pub attributes: MetaRecord,
    /// Cells that were text but not numbers: (where, text).
    pub unreadable: Vec<(String, String)>,
}

impl RawSeries {
    /// A series with `periods` empty slots.
    pub fn new(label: String, periods: usize) -> RawSeries {
        RawSeries {
            label,
            values: vec![None; periods],
            ..RawSeries::default()
        }
    }

    /// Present values.
    pub fn count(&self) -> usize {
        self.values.iter().filter(|value| value.is_some()).count()
    }
}

/// Where the table sits in its sheet (0-based rows and columns).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    pub layout: Option<Layout>,
    /// The row of column headers (for periods across, the row of periods).
    pub header_row: Option<usize>,
    /// Periods across: the row of periods.
    pub period_row: Option<usize>,
    /// Periods down and long: the column of periods (the month column when
    /// the year is in `year_column`).
    pub period_column: Option<usize>,
    pub year_column: Option<usize>,
    pub name_column: Option<usize>,
    /// `Some(None)` when the user said there is no entity column.
    pub entity_column: Option<Option<usize>>,
    pub role_column: Option<usize>,
    pub value_column: Option<usize>,
    pub first_row: Option<usize>,
    pub last_row: Option<usize>,
    /// KPI labels (as read) to leave out.
    pub exclude: Vec<String>,
}

/// A table found in a grid, in sheet order.
#[derive(Clone, Debug)]
pub struct RawTable {
    pub layout: Layout,
    pub periods: Vec<Period>,
    pub series: Vec<RawSeries>,
    pub warnings: Vec<String>,
    /// What makes the reading doubtful, found while reading.
    pub doubts: Vec<Doubt>,
    /// Values in the table.
    pub value_count: usize,
    /// The header of the entity column, if the table has one.
    pub entity_column: Option<String>,
    /// The shape the table was read with (every field resolved).
    pub shape: Shape,
}

impl RawTable {
    /// How much a table looks like the data a person keeps, for choosing
    /// among sheets: named KPIs with at least two values, weighted by the
    /// periods they span; generic names (`Column D`) and names that are
    /// numbers count against it.
    ///
    /// A series counts by how much of the table's periods it fills (fully
    /// from half of them on): a transaction log read as a long table, whose
    /// every description is a "KPI" with one or two values over dozens of
    /// dates, weighs little beside a real table of a dozen lines over twelve
    /// months.
    pub fn score(&self) -> f64 {
        let periods = self.periods.len().min(120) as f64;
        let mut named = 0.0;
        for series in &self.series {
            if series.count() < 2 {
                continue;
            }
            let fill = (2.0 * series.count() as f64 / periods.max(1.0)).min(1.0);
            if noise::is_generic_name(&series.label) || noise::is_number_name(&series.label) {
                named -= fill;
            } else {
                named += fill;
            }
        }
        named * periods.sqrt()
    }

    /// The KPIs (not their plans or comparisons) and how many values each has.
    fn kpi_counts(&self) -> Vec<(&str, usize)> {
        self.series
            .iter()
            .filter(|series| {
                series
                    .role
                    .as_ref()
                    .is_none_or(|(role, _)| matches!(role, Role::Actual | Role::Plain))
            })
            .map(|series| (series.label.as_str(), series.count()))
            .collect()
    }
}

/// Series a table needs before most of them having one or two values says
/// that its "KPIs" are records (people, transactions), not KPIs.
const RECORD_SERIES: usize = 5;

/// What a table found in a sheet says against being KPIs over time: one
/// period only (a snapshot), or a "KPI" per record (a roster, a ledger of
/// free-text descriptions) with a value or two each. None when it is fine;
/// an error when nothing in it can be analysed; a doubt when most of it
/// cannot.
fn records_not_series(table: &RawTable, location: &str) -> Result<Option<Doubt>> {
    let mut distinct = table.periods.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if let [only] = distinct.as_slice() {
        return Err(Error::NoTable {
            location: location.to_string(),
            detail: format!(
                "every row is for one period ({}): a snapshot, with nothing over time to analyse; a table needs at least two periods",
                only.label()
            ),
        });
    }
    // Only a long table takes its KPI names from the rows' cells, where a
    // column of people or descriptions can pass for one.
    if table.layout != Layout::Long {
        return Ok(None);
    }
    let counts = table.kpi_counts();
    let few: Vec<String> = counts
        .iter()
        .filter(|(_, count)| *count <= 2)
        .map(|(label, _)| (*label).to_string())
        .collect();
    if counts.len() >= RECORD_SERIES && counts.iter().all(|(_, count)| *count <= 1) {
        return Err(Error::NoTable {
            location: location.to_string(),
            detail: format!(
                "each of the {} names read as KPIs has a single value ({}): the rows are records (one per person, item or transaction), not KPIs measured over periods",
                counts.len(),
                quoted_list(&few)
            ),
        });
    }
    if counts.len() >= RECORD_SERIES && distinct.len() >= 4 && few.len() * 3 >= counts.len() * 2 {
        return Ok(Some(Doubt::low(format!(
            "{} of the {} KPIs have only one or two values over {} periods ({}): the names are probably records (transactions, people, free-text descriptions), not KPIs; choose the column that names the KPIs.",
            few.len(),
            counts.len(),
            distinct.len(),
            quoted_list(&few)
        ))));
    }
    Ok(None)
}

impl RawTable {
    /// Whether every value of the table is zero (or missing): an unfilled
    /// template, whose formulas show 0 and `#DIV/0!` until data is typed in.
    fn all_zero(&self) -> bool {
        self.series
            .iter()
            .flat_map(|series| series.values.iter().flatten())
            .all(|value| *value == 0.0)
    }
}

/// What the layout readers know beyond the grid.
#[derive(Clone, Debug, Default)]
pub struct TableContext {
    pub file: String,
    /// Years from the file name and other sheets' titles, for months
    /// without a year (the sheet's own title is looked at first).
    pub year_hints: Vec<YearHint>,
    pub today: Option<chrono::NaiveDate>,
}

impl TableContext {
    /// The axis context for a table whose header is at `header_row`: the
    /// sheet's own title years first, then the file's.
    fn axis_context(&self, grid: &Grid, header_row: Option<usize>) -> AxisContext {
        let mut year_hints = title_year_hints(grid, header_row.unwrap_or(0));
        year_hints.extend(self.year_hints.iter().cloned());
        AxisContext {
            year_hints,
            today: self.today,
        }
    }
}

/// Finds the table in a grid, honouring whatever the mapping fixes.
pub fn find_table(grid: &Grid, context: &TableContext, mapping: &Mapping) -> Result<RawTable> {
    let location = grid.location(&context.file);
    if grid.height() == 0 {
        return Err(Error::NoTable {
            location,
            detail: "the sheet is empty".to_string(),
        });
    }
    let wanted = mapping.to_shape(grid)?;
    let table = match wanted.layout {
        Some(Layout::Long) => {
            let (shape, axis) = long::complete(grid, context, wanted)?;
            long::read(grid, context, &shape, axis)?
        }
        Some(Layout::WideRows) => {
            let wanted = with_period_row(grid, context, wanted);
            across::read(grid, context, &across::complete(grid, context, wanted)?)?
        }
        Some(Layout::WideColumns) => {
            let wanted = with_period_column(grid, context, wanted);
            down::read(grid, context, &down::complete(grid, context, wanted)?)?
        }
        None => detect_and_read(grid, context, wanted)?,
    };
    if table.series.is_empty() || table.value_count == 0 {
        return Err(Error::NoTable {
            location,
            detail: "found periods but no numbers beside them: there are no KPI values to analyse"
                .to_string(),
        });
    }
    if table.all_zero() {
        return Err(Error::NoTable {
            location,
            detail: format!(
                "all {} values of the table are 0 or errors ({} over {} periods): an unfilled template, with no data to analyse yet{}",
                table.value_count,
                quoted_list(&table.series.iter().map(|series| series.label.clone()).collect::<Vec<_>>()),
                table.periods.len(),
                table
                    .doubts
                    .iter()
                    .map(|doubt| format!(". {}", doubt.text.trim_end_matches('.')))
                    .collect::<String>()
            ),
        });
    }
    let mut table = table;
    if let Some(doubt) = records_not_series(&table, &location)? {
        table.doubts.push(doubt);
    }
    Ok(table)
}

/// Detects the layout (long when the header names period, KPI and value
/// columns; else periods across or down, whichever axis holds more periods)
/// and reads the table.
fn detect_and_read(grid: &Grid, context: &TableContext, wanted: Shape) -> Result<RawTable> {
    let location = grid.location(&context.file);
    if wanted.period_row.is_none() && wanted.period_column.is_none() {
        if let Some((shape, axis)) = long::detect(grid, context, &wanted) {
            return long::read(grid, context, &shape, axis);
        }
    }
    let axis_context = context.axis_context(grid, wanted.header_row);
    let best_row = match wanted.period_row {
        Some(row) => Some((row, row_axis(grid, row, &axis_context))),
        None if wanted.period_column.is_some() => None,
        None => best_period_row(grid, wanted.header_row, &axis_context),
    };
    let best_column = match wanted.period_column {
        Some(column) => Some(PeriodColumn::single(
            grid,
            column,
            wanted.year_column,
            &axis_context,
        )),
        None if wanted.period_row.is_some() => None,
        None => best_period_column(grid, &axis_context),
    };
    let row_count = best_row.as_ref().map_or(0, |(_, axis)| axis.len());
    let column_count = best_column.as_ref().map_or(0, |column| column.axis.len());
    if row_count.max(column_count) < MIN_PERIODS {
        return Err(Error::NoTable {
            location,
            detail: format!(
                "found no row or column of periods (dates, months like 'Jan 2024' or '2024-01', quarters like 'Q1 2024', weeks like '2024-W05', or years){}; is this the data sheet?",
                first_row_seen(grid)
            ),
        });
    }
    if row_count > column_count {
        let (row, _) = best_row.unwrap_or_default();
        let shape = Shape {
            layout: Some(Layout::WideRows),
            period_row: Some(row),
            ..wanted
        };
        across::read(grid, context, &across::complete(grid, context, shape)?)
    } else {
        let column = best_column.unwrap_or_default();
        let shape = Shape {
            layout: Some(Layout::WideColumns),
            period_column: Some(column.column),
            year_column: column.year_column,
            ..wanted
        };
        down::read(grid, context, &down::complete(grid, context, shape)?)
    }
}

/// The row of periods: the header row the user gave when it holds periods,
/// else the row with the most periods (the first among equals).
fn best_period_row(
    grid: &Grid,
    header_row: Option<usize>,
    context: &AxisContext,
) -> Option<(usize, Axis)> {
    if let Some(row) = header_row {
        let axis = row_axis(grid, row, context);
        if axis.len() >= MIN_PERIODS {
            return Some((row, axis));
        }
    }
    (0..grid.height().min(HEADER_SEARCH_ROWS))
        .map(|row| (row, row_axis(grid, row, context)))
        .max_by_key(|(row, axis)| (axis.len(), std::cmp::Reverse(*row)))
}

/// A periods-across shape the user asked for without saying where the
/// periods are: the header row when it holds them, else the best row.
fn with_period_row(grid: &Grid, context: &TableContext, mut wanted: Shape) -> Shape {
    if wanted.period_row.is_none() {
        let axis_context = context.axis_context(grid, wanted.header_row);
        wanted.period_row =
            best_period_row(grid, wanted.header_row, &axis_context).map(|(row, _)| row);
    }
    wanted
}

/// A periods-down shape the user asked for without saying where the
/// periods are: the column with the most periods.
fn with_period_column(grid: &Grid, context: &TableContext, mut wanted: Shape) -> Shape {
    if wanted.period_column.is_none() {
        let axis_context = context.axis_context(grid, wanted.header_row);
        if let Some(column) = best_period_column(grid, &axis_context) {
            wanted.period_column = Some(column.column);
            wanted.year_column = wanted.year_column.or(column.year_column);
        }
    }
    wanted
}

/// " (the first row reads A · B · C …)" for messages about a sheet without
/// periods: what was seen, at most five cells.
fn first_row_seen(grid: &Grid) -> String {
    let Some(row) = (0..grid.height().min(20)).find(|&row| {
        (0..grid.width())
            .filter(|&column| !grid.cell(row, column).is_blank())
            .count()
            >= 2
    }) else {
        return String::new();
    };
    let cells: Vec<String> = (0..grid.width())
        .map(|column| grid.cell(row, column).display())
        .filter(|text| !text.is_empty())
        .collect();
    format!(
        "; row {} reads {}",
        row + 1,
        list_of(
            &cells.iter().map(|text| short(text)).collect::<Vec<_>>(),
            " · "
        )
    )
}

/// A cell's text cut to 40 characters for messages.
pub fn short(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(39).collect::<String>())
    } else {
        text.to_string()
    }
}

/// At most five items joined, then "… and N more".
pub fn list_of(items: &[String], separator: &str) -> String {
    let shown: Vec<&str> = items.iter().take(5).map(String::as_str).collect();
    let mut text = shown.join(separator);
    if items.len() > 5 {
        text.push_str(&format!(" … and {} more", items.len() - 5));
    }
    text
}

/// Quoted items, at most five: `'a', 'b' and 3 more`.
pub fn quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|item| format!("'{}'", short(item)))
        .collect();
    list_of(&quoted, ", ")
}

/// The cells of a row as a period axis.
fn row_axis(grid: &Grid, row: usize, context: &AxisContext) -> Axis {
    let cells: Vec<(usize, &Cell)> = grid
        .rows
        .get(row)
        .map(|cells| cells.iter().enumerate().collect())
        .unwrap_or_default();
    read_axis(&cells, context)
}

/// The cells of a column, from `from_row` on, as a period axis.
pub fn column_axis(grid: &Grid, column: usize, from_row: usize, context: &AxisContext) -> Axis {
    let cells: Vec<(usize, &Cell)> = grid
        .rows
        .iter()
        .enumerate()
        .skip(from_row)
        .filter_map(|(row, cells)| cells.get(column).map(|cell| (row, cell)))
        .collect();
    read_axis(&cells, context)
}

/// A column of periods, or a month column with a year column beside it.
#[derive(Clone, Debug, Default)]
pub struct PeriodColumn {
    pub column: usize,
    pub year_column: Option<usize>,
    pub axis: Axis,
}

impl PeriodColumn {
    /// The periods of `column` (with its year column, if given).
    pub fn single(
        grid: &Grid,
        column: usize,
        year_column: Option<usize>,
        context: &AxisContext,
    ) -> PeriodColumn {
        let axis = match year_column {
            Some(year_column) => year_month_axis(grid, year_column, column),
            None => column_axis(grid, column, 0, context),
        };
        PeriodColumn {
            column,
            year_column,
            axis,
        }
    }
}

/// The column with the most periods among the first columns, also trying
/// a year column and a month column read together (`Ano` + `Mês`). A
/// combined pair wins over its year column alone; a pair whose periods do
/// not follow the calendar (a KPI whose values happen to be 2186 … 2200
/// beside yearless months) is not a pair.
pub fn best_period_column(grid: &Grid, context: &AxisContext) -> Option<PeriodColumn> {
    let width = grid.width().min(PERIOD_COLUMN_SEARCH);
    // More periods; then labels over plain numbers that only look like
    // years, unless a header says they are years; then years that were
    // written over years inferred; then more distinct periods (a year and
    // month pair over its year).
    let key = |column: &PeriodColumn| {
        let unnamed_numbers =
            is_plain_numbers(grid, column) && !header_names_period(grid, column.column);
        (
            column.axis.len(),
            !unnamed_numbers,
            !column.axis.inferred_years,
            distinct_periods(&column.axis),
        )
    };
    let consider = |best: &mut Option<PeriodColumn>, candidate: PeriodColumn| {
        if best.as_ref().is_none_or(|kept| key(&candidate) > key(kept)) {
            *best = Some(candidate);
        }
    };
    let mut best: Option<PeriodColumn> = None;
    for column in 0..width {
        // A column that cannot hold as many periods as the best one so far
        // cannot win: its axis need not be read.
        let leading = best.as_ref().map_or(0, |kept| kept.axis.len());
        if !holds_fewer_periods(grid, column, leading) {
            consider(&mut best, PeriodColumn::single(grid, column, None, context));
        }
    }
    for year_column in (0..width).filter(|&column| is_year_column(grid, column)) {
        for month_column in year_column.saturating_sub(3)..(year_column + 4).min(width) {
            if month_column != year_column && is_month_column(grid, month_column) {
                let pair = PeriodColumn::single(grid, month_column, Some(year_column), context);
                if steps_like_periods(&pair.axis.slots) {
                    consider(&mut best, pair);
                }
            }
        }
    }
    best
}

/// Cells looked at, beyond those it must rule out, before
/// `holds_fewer_periods` gives up.
const FEWER_PERIODS_LOOK: usize = 1_000;

/// Whether `column` provably holds fewer than `periods` periods, told from
/// its first cells: a bound on what `read_axis` can find there counts every
/// date, every text that reads as a period in either day order, every whole
/// number while no number is fractional (one fraction and the numbers are
/// not periods), and every cell not looked at yet. False when the first
/// cells do not show it (a few times the cells that must be ruled out, the
/// column is left to a full read) or when the column already has `periods`
/// dates or labels.
fn holds_fewer_periods(grid: &Grid, column: usize, periods: usize) -> bool {
    if periods == 0 {
        return false;
    }
    let height = grid.height();
    let to_rule_out = (height + 1).saturating_sub(periods);
    let look = to_rule_out
        .saturating_mul(4)
        .saturating_add(FEWER_PERIODS_LOOK);
    let mut labels = 0usize;
    let mut whole_numbers = 0usize;
    let mut numbers_may_be_periods = true;
    for (looked, cells) in grid.rows.iter().enumerate().take(look) {
        let number = match cells.get(column) {
            Some(Cell::Date(_)) => {
                labels += 1;
                None
            }
            Some(Cell::Number(value)) => Some(*value),
            Some(cell @ Cell::Text(raw)) => {
                let text = cell.text().unwrap_or_default();
                if parse_label(text, DayOrder::DayFirst).is_some()
                    || parse_label(text, DayOrder::MonthFirst).is_some()
                {
                    labels += 1;
                }
                match numbers_may_be_periods.then(|| parse_value(raw, false)) {
                    Some(ParsedValue::Number { value, unit: None }) => Some(value),
                    _ => None,
                }
            }
            _ => None,
        };
        match number {
            Some(value) if value.fract() == 0.0 => whole_numbers += 1,
            Some(_) => numbers_may_be_periods = false,
            None => {}
        }
        if labels >= periods {
            return false;
        }
        let unseen = height - looked - 1;
        let numbers = if numbers_may_be_periods {
            whole_numbers
        } else {
            0
        };
        if labels + numbers + unseen < periods {
            return true;
        }
    }
    false
}

/// Whether a period column's periods are written as plain numbers (bare
/// years, `YYYYMM`), which a column of values can also hold.
fn is_plain_numbers(grid: &Grid, column: &PeriodColumn) -> bool {
    column.year_column.is_none()
        && !column.axis.is_empty()
        && column
            .axis
            .slots
            .iter()
            .all(|(row, _)| is_number(grid.cell(*row, column.column), grid.decimal_comma))
}

/// Whether a text cell of the column (its header, above the periods) names
/// a period or a part of one (`Year`, `Ano`, `ym`, `Period`).
fn header_names_period(grid: &Grid, column: usize) -> bool {
    (0..grid.height().min(LONG_HEADER_SEARCH)).any(|row| {
        grid.cell(row, column)
            .text()
            .is_some_and(noise::is_period_header)
    })
}

fn distinct_periods(axis: &Axis) -> usize {
    let mut periods: Vec<Period> = axis.slots.iter().map(|(_, period)| *period).collect();
    periods.sort();
    periods.dedup();
    periods.len()
}

/// A column whose header names a year (`Ano`, `Year`) or whose cells are
/// all whole years.
fn is_year_column(grid: &Grid, column: usize) -> bool {
    let mut years = 0usize;
    let mut other = 0usize;
    let mut header_says = false;
    for row in 0..grid.height().min(2_000) {
        match year_of_cell(grid.cell(row, column)) {
            Some(_) => years += 1,
            None if grid.cell(row, column).is_blank() => {}
            None => {
                if let Some(text) = grid.cell(row, column).text() {
                    header_says |= YEAR_HEADERS.contains(&normalise(text).as_str());
                }
                other += 1;
            }
        }
    }
    years >= MIN_PERIODS && (other <= 1 || header_says && other <= 2)
}

/// A column of month names or month numbers (1–12) under a month header.
fn is_month_column(grid: &Grid, column: usize) -> bool {
    let mut months = 0usize;
    let mut numbers = 0usize;
    let mut other = 0usize;
    let mut header_says = false;
    for row in 0..grid.height().min(2_000) {
        let cell = grid.cell(row, column);
        if month_of_cell(cell, false).is_some() {
            months += 1;
        } else if month_of_cell(cell, true).is_some() {
            numbers += 1;
        } else if let Some(text) = cell.text() {
            if !text.is_empty() {
                header_says |= MONTH_HEADERS.contains(&normalise(text).as_str())
                    || normalise(text) == "mes"
                    || normalise(text) == "mês";
                other += 1;
            }
        } else if !cell.is_blank() {
            other += 1;
        }
    }
    (months >= MIN_PERIODS && other <= 2) || (header_says && numbers >= MIN_PERIODS && other <= 2)
}

/// A whole year (1900–2200) in a number or text cell.
fn year_of_cell(cell: &Cell) -> Option<i32> {
    let number = match cell {
        Cell::Number(number) => *number,
        Cell::Text(text) => match parse_value(text, false) {
            ParsedValue::Number { value, unit: None } => value,
            _ => return None,
        },
        _ => return None,
    };
    (number.fract() == 0.0 && (1900.0..=2200.0).contains(&number)).then_some(number as i32)
}

/// A month from a month-name cell, or (when `numbers`) from 1–12.
fn month_of_cell(cell: &Cell, numbers: bool) -> Option<u32> {
    match cell {
        Cell::Text(text) => {
            let lower = text.trim().trim_end_matches('.').to_lowercase();
            month_number(&lower).or_else(|| {
                if numbers {
                    lower
                        .parse::<u32>()
                        .ok()
                        .filter(|month| (1..=12).contains(month))
                } else {
                    None
                }
            })
        }
        Cell::Number(number)
            if numbers && number.fract() == 0.0 && (1.0..=12.0).contains(number) =>
        {
            Some(*number as u32)
        }
        _ => None,
    }
}

/// Months from a month column and years from a year column, row by row.
fn year_month_axis(grid: &Grid, year_column: usize, month_column: usize) -> Axis {
    let slots = (0..grid.height())
        .filter_map(|row| {
            let year = year_of_cell(grid.cell(row, year_column))?;
            let month = month_of_cell(grid.cell(row, month_column), true)?;
            Some((row, Period::Month { year, month }))
        })
        .collect();
    Axis {
        slots,
        ..Axis::default()
    }
}

/// Years written in the rows above a table (its title, a subtitle):
/// `Budget 2024`, `FY2024`, `Q3 2024`, `October 2024`.
pub fn title_year_hints(grid: &Grid, before_row: usize) -> Vec<YearHint> {
    let mut hints = Vec::new();
    for row in 0..before_row.min(grid.height()).min(30) {
        for column in 0..grid.width().min(30) {
            if let Some(text) = grid.cell(row, column).text() {
                if let Some(year) = year_in_text(text) {
                    hints.push(YearHint {
                        year,
                        source: format!("the title '{}'", short(text)),
                    });
                }
            }
        }
    }
    hints
}

/// A four-digit year from 1950 to 2100 standing as its own word in a text
/// (`Budget 2024`, `FY2024`, `Q3 2024`); the first one.
pub fn year_in_text(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index + 4 <= bytes.len() {
        let window = bytes.get(index..index + 4)?;
        let digits = window.iter().all(u8::is_ascii_digit);
        let before_ok = index == 0
            || !bytes
                .get(index - 1)
                .is_some_and(|byte| byte.is_ascii_digit());
        let after_ok = !bytes
            .get(index + 4)
            .is_some_and(|byte| byte.is_ascii_digit());
        if digits && before_ok && after_ok {
            let year: i32 = std::str::from_utf8(window).ok()?.parse().ok()?;
            if (1950..=2100).contains(&year) {
                return Some(year);
            }
        }
        index += 1;
    }
    None
}

/// A value cell: the number and its unit, missing, or unreadable text.
pub enum ValueCell {
    Number(f64, Option<String>),
    Missing,
    Unreadable(String),
}

/// Reads a value cell.
pub fn read_value(cell: &Cell, decimal_comma: bool) -> ValueCell {
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

/// Whether a cell holds a number.
pub fn is_number(cell: &Cell, decimal_comma: bool) -> bool {
    matches!(read_value(cell, decimal_comma), ValueCell::Number(..))
}

/// The most common unit of a tally.
pub fn main_unit(units: HashMap<String, usize>) -> Option<String> {
    units
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(unit, _)| unit)
}

/// A column's header, or `Column C` when its header cell is blank (an
/// entity column without a header still needs a name in the report).
pub fn column_label(grid: &Grid, header_row: Option<usize>, column: usize) -> String {
    let text = header_row
        .map(|row| grid.cell(row, column).display())
        .unwrap_or_default();
    if text.is_empty() {
        format!("Column {}", column_name(column))
    } else {
        text
    }
}

/// "row 5, column C".
pub fn place(row: usize, column: usize) -> String {
    format!("row {}, column {}", row + 1, column_name(column))
}

/// Values of one (period, series) cell seen more than once, averaged.
#[derive(Debug, Default)]
pub struct Observations {
    /// (period slot, series, value), in the order they were read.
    observations: Vec<(usize, usize, f64)>,
}

/// Per series, one value per period (the mean of its observations), and
/// per series the number of periods that had more than one observation.
pub type Aggregated = (Vec<Vec<Option<f64>>>, Vec<usize>);

impl Observations {
    /// Records one value of series `series` at period slot `period`.
    pub fn push(&mut self, period: usize, series: usize, value: f64) {
        self.observations.push((period, series, value));
    }

    /// Averages the observations per (period, series) and spreads them into
    /// one value per period and series. A value seen once is kept as it is;
    /// repeated values are summed in the order they were read with Kahan's
    /// compensation (polars' group-by mean, which this replaced, does the
    /// same, so the means are the same to the bit) and divided by their
    /// count. The grid is dense already, so the sums are accumulated in it
    /// and only the repeated cells need a running sum beside it.
    pub fn aggregate(self, periods: usize, series: usize) -> Aggregated {
        let mut values = vec![vec![None; periods]; series];
        let mut duplicates = vec![0usize; series];
        let mut repeated: foldhash::HashMap<(usize, usize), (CompensatedSum, usize)> =
            foldhash::HashMap::default();
        for (period, key, value) in self.observations {
            let Some(slot) = values.get_mut(key).and_then(|row| row.get_mut(period)) else {
                continue;
            };
            match slot {
                None => *slot = Some(value),
                Some(first) => {
                    let (sum, count) = repeated
                        .entry((key, period))
                        .or_insert_with(|| (CompensatedSum::of(*first), 1));
                    sum.add(value);
                    *count += 1;
                }
            }
        }
        for ((key, period), (sum, count)) in repeated {
            if let Some(slot) = values.get_mut(key).and_then(|row| row.get_mut(period)) {
                *slot = Some(sum.total() / count as f64);
            }
            if let Some(tally) = duplicates.get_mut(key) {
                *tally += 1;
            }
        }
        (values, duplicates)
    }
}

/// A sum with Kahan's compensation for the low bits each addition loses,
/// step for step as polars sums a group (`polars_utils::KahanSum`): the
/// error term is only kept while it is finite, so an infinite value does
/// not turn the sum into NaN.
#[derive(Clone, Copy, Debug, Default)]
struct CompensatedSum {
    sum: f64,
    error: f64,
}

impl CompensatedSum {
    /// The sum of one value, starting from zero as polars does.
    fn of(value: f64) -> CompensatedSum {
        let mut sum = CompensatedSum::default();
        sum.add(value);
        sum
    }

    fn add(&mut self, value: f64) {
        let corrected = value - self.error;
        let next = self.sum + corrected;
        let error = (next - self.sum) - corrected;
        self.sum = next;
        if error.is_finite() {
            self.error = error;
        }
    }

    fn total(&self) -> f64 {
        self.sum
    }
}

/// The row above `first_data_row` that heads the table: the nearest row
/// whose non-blank cells (among `columns`) are mostly text, skipping rows
/// of numbers without a period (an opening balance row).
pub fn header_row_above(
    grid: &Grid,
    first_data_row: usize,
    columns: &[usize],
    decimal_comma: bool,
) -> Option<usize> {
    (0..first_data_row).rev().take(20).find(|&row| {
        let (text, numbers) = columns
            .iter()
            .fold((0usize, 0usize), |(text, numbers), &column| {
                let cell = grid.cell(row, column);
                if cell.is_blank() {
                    (text, numbers)
                } else if is_number(cell, decimal_comma) {
                    (text, numbers + 1)
                } else {
                    (text + 1, numbers)
                }
            });
        text >= 1 && text > numbers
    })
}

/// The columns of the table whose header row is `header_row` and which
/// holds `anchor`: the run of header cells around it, ended by two blank
/// header cells in a row (a single blank header inside is a column with no
/// name). Without a header row, every column.
pub fn table_columns(grid: &Grid, header_row: Option<usize>, anchor: usize) -> Vec<usize> {
    let width = grid.width();
    let Some(header_row) = header_row else {
        return (0..width).collect();
    };
    let blank = |column: usize| grid.cell(header_row, column).is_blank();
    let mut first = anchor;
    while first >= 2 && !(blank(first - 1) && blank(first - 2)) {
        first -= 1;
    }
    if first == 1 && !blank(0) {
        first = 0;
    }
    while first < anchor && blank(first) {
        first += 1;
    }
    let mut last = anchor;
    while last + 2 < width && !(blank(last + 1) && blank(last + 2)) {
        last += 1;
    }
    if last + 2 == width && !blank(last + 1) {
        last += 1;
    }
    while last > anchor && blank(last) && column_is_empty(grid, last) {
        last -= 1;
    }
    (first..=last).collect()
}

fn column_is_empty(grid: &Grid, column: usize) -> bool {
    grid.rows
        .iter()
        .all(|row| row.get(column).is_none_or(Cell::is_blank))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_found_in_titles() {
        assert_eq!(year_in_text("BOARD MARKETING REPORT — Q3 2024"), Some(2024));
        assert_eq!(year_in_text("Budget FY2025"), Some(2025));
        assert_eq!(year_in_text("Rolling 12 months"), None);
        assert_eq!(year_in_text("Invoice 12024"), None);
        assert_eq!(year_in_text("1849"), None);
    }

    #[test]
    fn observations_are_averaged_per_period_and_series() {
        let mut observations = Observations::default();
        observations.push(0, 0, 1.0);
        observations.push(0, 0, 3.0);
        observations.push(1, 0, 5.0);
        observations.push(1, 1, 7.0);
        let (values, duplicates) = observations.aggregate(2, 2);
        assert_eq!(values[0], vec![Some(2.0), Some(5.0)]);
        assert_eq!(values[1], vec![None, Some(7.0)]);
        assert_eq!(duplicates, vec![1, 0]);
    }

    #[test]
    fn repeated_observations_in_any_order_are_averaged_in_their_cell() {
        let mut observations = Observations::default();
        observations.push(2, 1, 4.0);
        observations.push(0, 0, 1.0);
        observations.push(2, 1, 8.0);
        observations.push(0, 0, 2.0);
        observations.push(2, 1, 3.0);
        observations.push(1, 0, -0.0);
        // Outside the grid: left out, not a panic.
        observations.push(5, 0, 9.0);
        observations.push(0, 7, 9.0);
        let (values, duplicates) = observations.aggregate(3, 2);
        // (1 + 2) / 2 and (4 + 8 + 3) / 3.
        assert_eq!(values[0][..1], [Some(1.5)]);
        assert_eq!(values[0][2], None);
        assert_eq!(values[1], vec![None, None, Some(5.0)]);
        // A value seen once is kept as written, sign of zero included.
        assert!(values[0][1].is_some_and(|value| value == 0.0 && value.is_sign_negative()));
        assert_eq!(duplicates, vec![1, 1]);
    }

    #[test]
    fn repeated_observations_are_summed_without_losing_small_values() {
        // (1e16 + 1 + 1 - 1e16) / 4 = 0.5; a plain sum loses both ones
        // (1e16 + 1 rounds back to 1e16) and gives 0.
        let mut observations = Observations::default();
        for value in [1e16, 1.0, 1.0, -1e16] {
            observations.push(0, 0, value);
        }
        let (values, _) = observations.aggregate(1, 1);
        assert_eq!(values[0], vec![Some(0.5)]);
    }

    #[test]
    fn an_infinite_observation_makes_an_infinite_mean_not_nan() {
        let mut observations = Observations::default();
        observations.push(0, 0, f64::INFINITY);
        observations.push(0, 0, 1.0);
        let (values, _) = observations.aggregate(1, 1);
        assert_eq!(values[0], vec![Some(f64::INFINITY)]);
    }

    /// A long table: a header row, then date · KPI · value · count rows.
    fn long_grid(values: &[&str], counts: &[f64]) -> Grid {
        let text = |value: &str| Cell::Text(value.to_string());
        let mut rows = vec![vec![
            text("date"),
            text("kpi"),
            text("value"),
            text("count"),
        ]];
        for (day, (value, count)) in values.iter().zip(counts).enumerate() {
            rows.push(vec![
                text(&format!("2024-01-{:02}", day + 1)),
                text("Revenue"),
                text(value),
                Cell::Number(*count),
            ]);
        }
        Grid {
            sheet: None,
            rows,
            decimal_comma: false,
        }
    }

    #[test]
    fn a_column_is_ruled_out_only_when_it_cannot_hold_the_periods() {
        let grid = long_grid(&["1.5", "2.25", "3", "4"], &[1.0, 2.0, 3.0, 4.0]);
        // Five rows, four dates in column A.
        assert!(!holds_fewer_periods(&grid, 0, 4));
        // Names and fractional numbers are not periods: at most the three
        // cells not looked at when the second one is seen.
        assert!(holds_fewer_periods(&grid, 1, 4));
        assert!(holds_fewer_periods(&grid, 2, 4));
        // Whole numbers may be years or serials: not ruled out.
        assert!(!holds_fewer_periods(&grid, 3, 4));
        // Nothing to beat; more periods than column A has cells for.
        assert!(!holds_fewer_periods(&grid, 1, 0));
        assert!(holds_fewer_periods(&grid, 0, 5));
        // Beyond the grid: no cells, no periods.
        assert!(holds_fewer_periods(&grid, 9, 4));
    }

    #[test]
    fn the_period_column_is_found_with_columns_ruled_out() {
        let grid = long_grid(&["1.5", "2.25", "3", "4"], &[1.0, 2.0, 3.0, 4.0]);
        let best = best_period_column(&grid, &AxisContext::default());
        let best = best.map(|column| (column.column, column.axis.len()));
        assert_eq!(best, Some((0, 4)));
    }

    #[test]
    fn a_table_inside_a_sheet_ends_at_two_blank_header_cells() {
        let text = |value: &str| Cell::Text(value.to_string());
        let grid = Grid {
            sheet: None,
            rows: vec![vec![
                Cell::Empty,
                text("No"),
                text("Month"),
                text("Actual"),
                Cell::Empty,
                text("YTD"),
                Cell::Empty,
                Cell::Empty,
                text("Other table"),
            ]],
            decimal_comma: false,
        };
        assert_eq!(table_columns(&grid, Some(0), 2), vec![1, 2, 3, 4, 5]);
    }
}
