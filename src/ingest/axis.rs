//! A period axis: the cells of one row (periods across) or one column
//! (periods down) read as periods together, so that every choice is made
//! once per axis from all of its cells, never per cell: the day/month order
//! of numeric dates (`13-06-2025` anywhere makes the whole axis day first),
//! the year of months written without one (`Jan` … `Dez`), fiscal `2026-27`
//! labels, numbers that are Excel serials, bare years or `YYYYMM` months,
//! and time-only or 1899 cells that are not periods at all.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::cell::OnceCell;

use chrono::{Datelike, NaiveDate};

use crate::ingest::grid::Cell;
use crate::ingest::period::{
    date_from_excel_serial, detect_day_first_counted, gaps_and_duplicates, infer_frequency,
    is_plausible_period_serial, is_summary_label, parse_label, DayOrder, Label,
};
use crate::ingest::value::{parse_value, ParsedValue};
use crate::model::Period;

/// Periods a line needs to count as a period axis.
pub const MIN_PERIODS: usize = 2;

/// A date before this year on an axis of later dates is a stray cell (a
/// zero or time-only cell shows as 1899-12-31 or 1900-01-00).
const FIRST_MODERN_YEAR: i32 = 1950;

/// The day months without any year are placed before when no date is
/// given, so that results are reproducible; the CLI and the page pass today.
pub const DEFAULT_TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// A year someone wrote near the table, for months that have none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearHint {
    pub year: i32,
    /// Where it was found, for the warning ("the title 'Budget 2024'").
    pub source: String,
}

/// What the axis reader knows beyond the cells.
#[derive(Clone, Debug, Default)]
pub struct AxisContext {
    /// Years found near the table, strongest first.
    pub year_hints: Vec<YearHint>,
    /// Today, for months without any year anywhere: they are taken to be
    /// the latest months that are not in the future.
    pub today: Option<NaiveDate>,
}

/// One line's cells read as periods.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Axis {
    /// (index in the line, period), in line order.
    pub slots: Vec<(usize, Period)>,
    /// Things to say in the warnings.
    pub notes: Vec<String>,
    /// Things that make the reading doubtful.
    pub doubts: Vec<String>,
    /// Whether the years were inferred (months written without one).
    pub inferred_years: bool,
    /// Indices (in the line) of periods left out as totals of the others
    /// (`FY24` beside its quarters), sorted.
    pub totals: Vec<usize>,
}

impl Axis {
    /// Number of periods found.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no period was found.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The indices (in the line) that hold periods.
    pub fn indices(&self) -> Vec<usize> {
        self.slots.iter().map(|(index, _)| *index).collect()
    }

    /// The period at index `index` of the line, if that cell holds one.
    pub fn period_at(&self, index: usize) -> Option<Period> {
        self.slots
            .iter()
            .find(|(at, _)| *at == index)
            .map(|(_, period)| *period)
    }
}

/// Reads a line of cells (with their index in the line) as a period axis.
///
/// What a text says (a total, a period, a number) is worked out once per
/// distinct text and the counts kept where they weigh: a long table repeats
/// each period once per KPI, and a line of a million cells holds a few
/// thousand distinct texts.
pub fn read_axis(cells: &[(usize, &Cell)], context: &AxisContext) -> Axis {
    let mut summaries: HashMap<&str, bool> = HashMap::new();
    for text in cells.iter().filter_map(|(_, cell)| cell.text()) {
        summaries
            .entry(text)
            .or_insert_with(|| is_summary_label(text));
    }
    let is_summary = |text: &str| summaries.get(text).copied().unwrap_or(false);
    let texts: Vec<(usize, &str)> = cells
        .iter()
        .filter_map(|(index, cell)| cell.text().map(|text| (*index, text)))
        .filter(|(_, text)| !text.is_empty() && !is_summary(text))
        .collect();
    let distinct = distinct_texts(&texts);
    let (order, undecided) = day_order(&distinct);
    let mut axis = Axis::default();
    if undecided {
        if let Some(doubt) = either_way_doubt(&distinct, order) {
            axis.doubts.push(doubt);
        }
    }
    let parsed: HashMap<&str, Label> = distinct
        .iter()
        .filter_map(|(text, _)| parse_label(text, order).map(|label| (*text, label)))
        .collect();
    let mut labels: Vec<(usize, Label)> = texts
        .iter()
        .filter_map(|(index, text)| parsed.get(text).map(|label| (*index, *label)))
        .collect();
    resolve_fiscal_pairs(&mut labels);
    resolve_jui(&texts, &distinct, &mut labels);
    // A total of yearless months that names its year (`Sous total 2026`,
    // `Total 2024`) says the year of the months beside it.
    let mut context = context.clone();
    let total_years: Vec<YearHint> = cells
        .iter()
        .filter_map(|(_, cell)| cell.text())
        .filter(|text| is_summary(text))
        .filter_map(|text| {
            crate::ingest::layout::year_in_text(text).map(|year| YearHint {
                year,
                source: format!("the column '{}'", text.trim()),
            })
        })
        .collect();
    context.year_hints.splice(0..0, total_years);
    let context = &context;
    let mut periods: Vec<(usize, Period)> = Vec::new();
    let mut yearless: Vec<(usize, u32)> = Vec::new();
    for (index, label) in &labels {
        match label {
            Label::Period(period) => periods.push((*index, *period)),
            Label::Month(month) => yearless.push((*index, *month)),
            Label::FiscalPair(_) => {}
        }
    }
    for (index, cell) in cells {
        if let Cell::Date(date) = cell {
            periods.push((*index, Period::Day(*date)));
        }
    }
    let numbers = OnceCell::new();
    let numbers = || numbers.get_or_init(|| numbers_of(cells));
    if yearless.len() >= MIN_PERIODS && yearless.len() > periods.len() {
        let months = resolve_yearless(&yearless, &periods, context, &mut axis);
        let mut dropped: Vec<String> = periods
            .iter()
            .filter(|(index, _)| !months.iter().any(|(kept, _)| kept == index))
            .map(|(_, period)| period.label())
            .collect();
        // Years written as numbers (`2017 … 2024` before `Jan … Dec`).
        if let Some(years) = numbers_as_periods(numbers()) {
            dropped.extend(
                years
                    .iter()
                    .filter(|(_, period)| matches!(period, Period::Year(_)))
                    .map(|(_, period)| period.label()),
            );
        }
        let mut seen = HashSet::new();
        dropped.retain(|label| seen.insert(label.clone()));
        if !dropped.is_empty() {
            axis.doubts.push(format!(
                "Beside the months without a year, the periods also hold {}; only the months were read, so those are left out (they may be a yearly history: read them with a mapping).",
                crate::ingest::layout::quoted_list(&dropped)
            ));
        }
        periods = months;
        axis.inferred_years = true;
    }
    if periods.len() < MIN_PERIODS {
        if let Some(from_numbers) = numbers_as_periods(numbers()) {
            if from_numbers.len() > periods.len() {
                periods = from_numbers;
            }
        }
    }
    drop_stray_dates(&mut periods, &mut axis);
    drop_enclosing_totals(&mut periods, &texts, &mut axis);
    periods.sort_by_key(|(index, _)| *index);
    axis.slots = periods;
    axis
}

/// `Jui` is June beside `Juil` (July), but July beside a written-out June
/// (`Juin`, `Jun`): the month the axis has no other cell for.
fn resolve_jui(texts: &[(usize, &str)], distinct: &[(&str, usize)], labels: &mut [(usize, Label)]) {
    let jui_texts: HashSet<&str> = distinct
        .iter()
        .map(|(text, _)| *text)
        .filter(|text| {
            let lower = text.trim().to_lowercase();
            let word: String = lower.chars().take_while(|c| c.is_alphabetic()).collect();
            word == "jui"
        })
        .collect();
    if jui_texts.is_empty() {
        return;
    }
    let jui: HashSet<usize> = texts
        .iter()
        .filter(|(_, text)| jui_texts.contains(text))
        .map(|(index, _)| *index)
        .collect();
    let is_jui = |index: usize| jui.contains(&index);
    let month_of = |label: &Label| match label {
        Label::Month(month) | Label::Period(Period::Month { month, .. }) => Some(*month),
        _ => None,
    };
    let other_june = labels
        .iter()
        .any(|(index, label)| month_of(label) == Some(6) && !is_jui(*index));
    let july = labels.iter().any(|(_, label)| month_of(label) == Some(7));
    if !other_june || july {
        return;
    }
    for (index, label) in labels.iter_mut() {
        if is_jui(*index) {
            *label = match *label {
                Label::Month(6) => Label::Month(7),
                Label::Period(Period::Month { year, month: 6 }) => {
                    Label::Period(Period::Month { year, month: 7 })
                }
                other => other,
            };
        }
    }
}

/// How long a kind of period is, for telling a total from its parts.
fn granularity(period: &Period) -> u8 {
    match period {
        Period::Day(_) => 0,
        Period::Week { .. } | Period::WeekNumber(_) => 1,
        Period::Month { .. } => 2,
        Period::Quarter { .. } => 3,
        Period::Half { .. } => 4,
        Period::Year(_) | Period::FiscalYear(_) => 5,
    }
}

/// Drops the periods that span several others of the same axis: `FY24`
/// after `Q1 FY24` … `Q4 FY24`, `2024` after `Jan 2024` … `Dec 2024` is the
/// year's total, not one more period. Their places go to `axis.totals`.
fn drop_enclosing_totals(
    periods: &mut Vec<(usize, Period)>,
    texts: &[(usize, &str)],
    axis: &mut Axis,
) {
    // Only a period of a coarser kind than the finest on the axis can
    // enclose others; an axis of one kind (the usual case) is left alone
    // at once, whatever its length.
    let finest = periods
        .iter()
        .filter(|(_, period)| period.is_dated())
        .map(|(_, period)| granularity(period))
        .min();
    let Some(finest) = finest else { return };
    if periods
        .iter()
        .all(|(_, period)| !period.is_dated() || granularity(period) == finest)
    {
        return;
    }
    let mut spans: Vec<(NaiveDate, NaiveDate)> = periods
        .iter()
        .filter(|(_, period)| period.is_dated())
        .map(|(_, period)| (period.start_date(), period.end_date()))
        .collect();
    spans.sort_unstable();
    spans.dedup();
    let encloses = |period: &Period| {
        if !period.is_dated() || granularity(period) == finest {
            return false;
        }
        let (start, end) = (period.start_date(), period.end_date());
        let from = spans.partition_point(|(other, _)| *other < start);
        spans
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|(other, _)| *other <= end)
            .filter(|(other_start, other_end)| {
                *other_end <= end && (*other_start, *other_end) != (start, end)
            })
            .count()
            >= MIN_PERIODS
    };
    let mut totals: Vec<usize> = periods
        .iter()
        .filter(|(_, period)| encloses(period))
        .map(|(index, _)| *index)
        .collect();
    // Only when the enclosed periods are the axis: a few totals among
    // many periods, not a year axis with some stray days.
    if totals.is_empty() || totals.len() * 2 >= periods.len() {
        return;
    }
    totals.sort_unstable();
    periods.retain(|(index, _)| totals.binary_search(index).is_err());
    let mut labels: Vec<String> = Vec::new();
    for (index, text) in texts {
        if totals.binary_search(index).is_ok() {
            let quoted = format!("'{text}'");
            if !labels.contains(&quoted) && labels.len() < 5 {
                labels.push(quoted);
            }
        }
    }
    axis.notes.push(format!(
        "Left out {} period cell(s) that span the periods beside them ({}): they are totals, not periods.",
        totals.len(),
        if labels.is_empty() {
            totals.len().to_string()
        } else {
            labels.join(", ")
        }
    ));
    axis.totals = totals;
}

/// The day/month order of an axis's numeric dates: decided by the cells
/// that can only be read one way (`13-06-2025`, `06/13/2025`); when none
/// decides, by which reading makes the more regular series (`1/1/2015,
/// 2/1/2015, …` are the firsts of consecutive months, not twelve days in
/// January); dots mean day first when that still leaves a tie. The flag
/// says that nothing decided and month first was assumed.
fn day_order(distinct: &[(&str, usize)]) -> (DayOrder, bool) {
    let day_first_votes = detect_day_first_counted(distinct.iter().copied());
    let month_first_votes = detect_day_first_reversed(distinct);
    if day_first_votes {
        return (DayOrder::DayFirst, false);
    }
    if month_first_votes {
        return (DayOrder::MonthFirst, false);
    }
    let irregularity = |order: DayOrder| {
        let periods: Vec<Period> = distinct
            .iter()
            .filter_map(|(text, count)| match parse_label(text, order) {
                Some(Label::Period(period @ Period::Day(_))) => Some((period, *count)),
                _ => None,
            })
            .flat_map(|(period, count)| std::iter::repeat_n(period, count))
            .collect();
        if periods.len() < MIN_PERIODS {
            return usize::MAX;
        }
        let (frequency, step_days) = infer_frequency(&periods);
        let coarse = crate::ingest::period::coarsen(&periods, frequency);
        let (gaps, duplicates) = gaps_and_duplicates(&coarse, frequency, step_days);
        let irregular = usize::from(frequency == crate::model::Frequency::Irregular);
        gaps.len() + duplicates.len() + irregular * periods.len()
    };
    let day_first = irregularity(DayOrder::DayFirst);
    let month_first = irregularity(DayOrder::MonthFirst);
    if day_first < month_first {
        (DayOrder::DayFirst, false)
    } else if month_first < day_first {
        (DayOrder::MonthFirst, false)
    } else {
        let dotted = distinct
            .iter()
            .any(|(text, _)| text.matches('.').count() == 2);
        if dotted {
            (DayOrder::DayFirst, false)
        } else {
            (DayOrder::MonthFirst, true)
        }
    }
}

/// When nothing decides the day/month order and the two readings give
/// different periods (`01/02/2024, 01/03/2024, …` is 2, 3 … January or
/// the firsts of February, March …), the doubt that says which was used.
fn either_way_doubt(distinct: &[(&str, usize)], order: DayOrder) -> Option<String> {
    let other = match order {
        DayOrder::MonthFirst => DayOrder::DayFirst,
        _ => DayOrder::MonthFirst,
    };
    let days = |order: DayOrder| -> Vec<Period> {
        distinct
            .iter()
            .filter_map(|(text, _)| match parse_label(text, order) {
                Some(Label::Period(period @ Period::Day(_))) => Some(period),
                _ => None,
            })
            .collect()
    };
    let (read, alternative) = (days(order), days(other));
    if read.len() < MIN_PERIODS || read == alternative {
        return None;
    }
    let span = |periods: &[Period]| {
        let first = periods.iter().min().map(|period| period.label());
        let last = periods.iter().max().map(|period| period.label());
        format!(
            "{} … {}",
            first.unwrap_or_default(),
            last.unwrap_or_default()
        )
    };
    let sample = distinct
        .iter()
        .map(|(text, _)| *text)
        .find(|text| {
            matches!(
                parse_label(text, order),
                Some(Label::Period(Period::Day(_)))
            )
        })
        .unwrap_or_default();
    Some(format!(
        "No date says whether '{sample}' is day or month first; they were read month first ({}), not day first ({}): check which one the sheet means.",
        span(&read),
        span(&alternative)
    ))
}

/// Whether the decisive dates of a list say month first (`06/13/2025`).
fn detect_day_first_reversed(distinct: &[(&str, usize)]) -> bool {
    let swapped: Vec<(String, usize)> = distinct
        .iter()
        .filter_map(|(text, count)| {
            let cleaned = text.trim();
            let separator = cleaned.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
            let parts: Vec<&str> = cleaned.splitn(3, separator).collect();
            match parts.as_slice() {
                [first, second, rest] if first.len() <= 2 => Some((
                    format!("{second}{separator}{first}{separator}{rest}"),
                    *count,
                )),
                _ => None,
            }
        })
        .collect();
    detect_day_first_counted(swapped.iter().map(|(text, count)| (text.as_str(), *count)))
}

/// The distinct texts of a line in the order they first occur, each with
/// how often it occurs.
fn distinct_texts<'a>(texts: &[(usize, &'a str)]) -> Vec<(&'a str, usize)> {
    let mut position: HashMap<&str, usize> = HashMap::new();
    let mut distinct: Vec<(&str, usize)> = Vec::new();
    for (_, text) in texts {
        match position.get(text) {
            Some(&at) => distinct[at].1 += 1,
            None => {
                position.insert(text, distinct.len());
                distinct.push((text, 1));
            }
        }
    }
    distinct
}

/// `2026-27` labels are fiscal years when the axis is written that way;
/// when only some are (`2011-12` beside months), they stay months.
fn resolve_fiscal_pairs(labels: &mut [(usize, Label)]) {
    let fiscal = labels
        .iter()
        .filter(|(_, label)| {
            matches!(
                label,
                Label::FiscalPair(_) | Label::Period(Period::FiscalYear(_))
            )
        })
        .count();
    let all_fiscal = fiscal * 2 > labels.len();
    for (_, label) in labels.iter_mut() {
        if let Label::FiscalPair(year) = *label {
            *label = if all_fiscal {
                Label::Period(Period::FiscalYear(year))
            } else {
                Label::Period(Period::Month {
                    year,
                    month: (year as u32 + 1) % 100,
                })
            };
        }
    }
}

/// Gives yearless months their years. Months in calendar order roll into
/// a new year when they wrap (Dec → Jan); newest-first months roll back;
/// months in any other order (sorted as text) are one year. The year comes
/// from a full month on the same axis (`Jan 2024`, `Feb`, `Mar`), else a
/// year written near the table, else today (the latest months that are not
/// in the future), and the warnings or doubts say which.
fn resolve_yearless(
    yearless: &[(usize, u32)],
    explicit: &[(usize, Period)],
    context: &AxisContext,
    axis: &mut Axis,
) -> Vec<(usize, Period)> {
    let anchor = explicit.iter().find_map(|(index, period)| match period {
        Period::Month { year, month } => Some((*index, *year, *month)),
        _ => None,
    });
    let mut months: Vec<(usize, u32)> = yearless.to_vec();
    if let Some((index, _, month)) = anchor {
        months.push((index, month));
    }
    months.sort_by_key(|(index, _)| *index);
    let offsets = year_offsets(&months);
    let lowest = offsets.iter().copied().min().unwrap_or(0);
    let highest = offsets.iter().copied().max().unwrap_or(0);
    let first_year = match anchor {
        Some((anchor_index, year, _)) => {
            let at = months
                .iter()
                .position(|(index, _)| *index == anchor_index)
                .and_then(|position| offsets.get(position).copied())
                .unwrap_or(0);
            year - at
        }
        None => match context.year_hints.first() {
            Some(hint) => {
                axis.notes.push(format!(
                    "The months have no year; the year {} comes from {}.",
                    hint.year, hint.source
                ));
                // The hint is the year of the first month written.
                hint.year - offsets.first().copied().unwrap_or(0)
            }
            None => {
                let today = context.today.unwrap_or(DEFAULT_TODAY);
                let last_month = months
                    .iter()
                    .zip(&offsets)
                    .filter(|(_, offset)| **offset == highest)
                    .map(|((_, month), _)| *month)
                    .max()
                    .unwrap_or(12);
                // This month is not over: its figures are not in yet.
                let last_year = if last_month < today.month() {
                    today.year()
                } else {
                    today.year() - 1
                };
                let first_year = last_year - highest;
                axis.doubts.push(format!(
                    "The months have no year and nothing in the file says one; they were taken to be the latest months before today, up to {}.",
                    Period::Month { year: last_year, month: last_month }.label()
                ));
                first_year
            }
        },
    };
    if highest > lowest && anchor.is_none() {
        axis.notes.push(format!(
            "The months run over {} year end(s); each Dec → Jan starts a new year.",
            highest - lowest
        ));
    }
    months
        .iter()
        .zip(offsets)
        .map(|((index, month), offset)| {
            (
                *index,
                Period::Month {
                    year: first_year + offset,
                    month: *month,
                },
            )
        })
        .collect()
}

/// For months in line order, each one's year counted from the first:
/// +1 at every wrap (Dec → Jan), or −1 at every wrap back when the months
/// run newest first; all 0 when the months are scrambled (sorted as text),
/// since months of one year then appear once each.
fn year_offsets(months: &[(usize, u32)]) -> Vec<i32> {
    let ascending = months
        .windows(2)
        .filter(|pair| pair[1].1 > pair[0].1)
        .count();
    let descending = months
        .windows(2)
        .filter(|pair| pair[1].1 < pair[0].1)
        .count();
    let newest_first = descending > ascending;
    let mut offsets = Vec::with_capacity(months.len());
    let mut offset = 0i32;
    let mut previous: Option<u32> = None;
    for (_, month) in months {
        if let Some(previous) = previous {
            if newest_first && *month > previous {
                offset -= 1;
            } else if !newest_first && *month < previous {
                offset += 1;
            }
        }
        previous = Some(*month);
        offsets.push(offset);
    }
    let wraps = offsets
        .iter()
        .map(|offset| offset.unsigned_abs())
        .max()
        .unwrap_or(0) as usize;
    let distinct: std::collections::BTreeSet<u32> =
        months.iter().map(|(_, month)| *month).collect();
    // Twelve months or fewer, each once, that wrap more often than a
    // calendar could: one year written out of order.
    if distinct.len() == months.len() && wraps * 12 >= months.len() + 12 {
        return vec![0; months.len()];
    }
    offsets
}

/// The numbers of a line: number cells and text that is a plain number.
fn numbers_of(cells: &[(usize, &Cell)]) -> Vec<(usize, f64)> {
    let mut parsed: HashMap<&str, Option<f64>> = HashMap::new();
    cells
        .iter()
        .filter_map(|(index, cell)| match cell {
            Cell::Number(number) => Some((*index, *number)),
            Cell::Text(text) => {
                let number = *parsed.entry(text.as_str()).or_insert_with(|| {
                    match parse_value(text, false) {
                        ParsedValue::Number { value, unit: None } => Some(value),
                        _ => None,
                    }
                });
                number.map(|number| (*index, number))
            }
            _ => None,
        })
        .collect()
}

/// Numbers that are periods when the whole line's numbers step like
/// periods do: consecutive bare years (2019, 2020, …), `YYYYMM` months
/// (202404, 202405, …, 202501), or Excel date serials stepping like days,
/// weeks, months, quarters or years.
pub fn numbers_as_periods(numbers: &[(usize, f64)]) -> Option<Vec<(usize, Period)>> {
    if numbers.len() < MIN_PERIODS || numbers.iter().any(|(_, number)| number.fract() != 0.0) {
        return None;
    }
    let is_year = |number: f64| (1900.0..=2200.0).contains(&number);
    if numbers.iter().all(|(_, number)| is_year(*number)) {
        let years: Vec<(usize, Period)> = numbers
            .iter()
            .map(|(index, number)| (*index, Period::Year(*number as i32)))
            .collect();
        return steps_like_periods(&years).then_some(years);
    }
    if let Some(months) = year_months(numbers) {
        return steps_like_periods(&months).then_some(months);
    }
    let steps: Vec<f64> = numbers
        .windows(2)
        .map(|pair| pair[1].1 - pair[0].1)
        .collect();
    let monotonic = steps.iter().all(|step| *step > 0.0) || steps.iter().all(|step| *step < 0.0);
    let date_like_step = |step: f64| {
        step == 1.0
            || step == 7.0
            || (28.0..=31.0).contains(&step)
            || (89.0..=92.0).contains(&step)
            || (365.0..=366.0).contains(&step)
    };
    if monotonic
        && numbers
            .iter()
            .all(|(_, number)| is_plausible_period_serial(*number))
        && steps.iter().all(|step| date_like_step(step.abs()))
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

/// `YYYYMM` integers (202404 is April 2024), when every number is one.
fn year_months(numbers: &[(usize, f64)]) -> Option<Vec<(usize, Period)>> {
    numbers
        .iter()
        .map(|(index, number)| {
            if !(190_001.0..=220_012.0).contains(number) {
                return None;
            }
            let whole = *number as i64;
            let (year, month) = (whole / 100, whole % 100);
            (1..=12).contains(&month).then_some((
                *index,
                Period::Month {
                    year: year as i32,
                    month: month as u32,
                },
            ))
        })
        .collect()
}

/// Whether periods found in numbers step like a calendar in one direction
/// (one period at a time, allowing a few gaps and repeats, as a long table
/// repeats each period once per KPI): numbers that only happen to be in a
/// year's range are values.
pub fn steps_like_periods(periods: &[(usize, Period)]) -> bool {
    let mut sorted: Vec<Period> = periods.iter().map(|(_, period)| *period).collect();
    sorted.sort();
    sorted.dedup();
    if sorted.len() < MIN_PERIODS {
        return false;
    }
    let (first, last) = match (sorted.first(), sorted.last()) {
        (Some(first), Some(last)) => (*first, *last),
        _ => return false,
    };
    let mut span = 0usize;
    let mut cursor = first;
    while cursor < last && span <= sorted.len() * 2 {
        cursor = cursor.advance(1, 0);
        span += 1;
    }
    // At most one period in two missing across the span.
    span < sorted.len() * 2
}

/// Drops dates before 1950 from an axis of later dates: a zero or
/// time-only cell (`00:00`) shows as 31 Dec 1899 and is not a period.
fn drop_stray_dates(periods: &mut Vec<(usize, Period)>, axis: &mut Axis) {
    let year_of = |period: &Period| period.start_date().year();
    let modern = periods
        .iter()
        .filter(|(_, period)| year_of(period) >= FIRST_MODERN_YEAR)
        .count();
    if modern * 2 <= periods.len() {
        return;
    }
    let before = periods.len();
    let mut stray = Vec::new();
    periods.retain(|(_, period)| {
        let keep = year_of(period) >= FIRST_MODERN_YEAR;
        if !keep {
            stray.push(period.label());
        }
        keep
    });
    if periods.len() < before {
        axis.notes.push(format!(
            "Left out {} cell(s) on the period axis that hold a date before {FIRST_MODERN_YEAR} ({}); they are blank or time-only cells, not periods.",
            before - periods.len(),
            stray.first().cloned().unwrap_or_default()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Cell {
        Cell::Text(value.to_string())
    }

    fn read(cells: &[Cell], context: &AxisContext) -> Axis {
        let indexed: Vec<(usize, &Cell)> = cells.iter().enumerate().collect();
        read_axis(&indexed, context)
    }

    fn labels(axis: &Axis) -> Vec<String> {
        axis.slots
            .iter()
            .map(|(_, period)| period.label())
            .collect()
    }

    #[test]
    fn one_day_first_date_decides_the_whole_axis_whatever_the_separator() {
        let cells: Vec<Cell> = ["01-06-2025", "02-06-2025", "13-06-2025"]
            .into_iter()
            .map(text)
            .collect();
        let axis = read(&cells, &AxisContext::default());
        assert_eq!(labels(&axis), ["2025-06-01", "2025-06-02", "2025-06-13"]);
    }

    #[test]
    fn undecided_dates_take_the_more_regular_reading() {
        let cells: Vec<Cell> = (1..=12)
            .map(|month| text(&format!("{month}/1/2015")))
            .chain([text("1/1/2016"), text("2/1/2016")])
            .collect();
        let axis = read(&cells, &AxisContext::default());
        assert_eq!(
            axis.slots.first().map(|s| s.1.label()).as_deref(),
            Some("2015-01-01")
        );
        assert_eq!(
            axis.slots.get(1).map(|s| s.1.label()).as_deref(),
            Some("2015-02-01")
        );
    }

    #[test]
    fn dates_that_read_either_way_are_doubted() {
        let cells: Vec<Cell> = (1..=12)
            .map(|month| text(&format!("01/{month:02}/2024")))
            .collect();
        let axis = read(&cells, &AxisContext::default());
        assert_eq!(axis.len(), 12);
        assert_eq!(axis.doubts.len(), 1, "{:?}", axis.doubts);
        assert!(axis.doubts[0].contains("01/01/2024"), "{:?}", axis.doubts);
        // One date above 12 decides, and nothing is doubted.
        let decided: Vec<Cell> = ["01-06-2025", "02-06-2025", "13-06-2025"]
            .into_iter()
            .map(text)
            .collect();
        assert!(read(&decided, &AxisContext::default()).doubts.is_empty());
    }

    #[test]
    fn a_year_beside_its_quarters_is_their_total() {
        let cells: Vec<Cell> = ["Q1 FY24", "Q2 FY24", "Q3 FY24", "Q4 FY24", "FY24"]
            .into_iter()
            .map(text)
            .collect();
        let axis = read(&cells, &AxisContext::default());
        assert_eq!(labels(&axis), ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]);
        assert_eq!(axis.totals, [4]);
        assert!(axis.notes[0].contains("'FY24'"), "{:?}", axis.notes);
        // Years on their own stay periods.
        let years: Vec<Cell> = ["2022", "2023", "2024"].into_iter().map(text).collect();
        assert_eq!(read(&years, &AxisContext::default()).len(), 3);
    }

    #[test]
    fn yearless_months_take_the_year_from_a_hint_and_wrap() {
        let cells: Vec<Cell> = ["Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb"]
            .into_iter()
            .map(text)
            .collect();
        let context = AxisContext {
            year_hints: vec![YearHint {
                year: 2024,
                source: "the title".to_string(),
            }],
            today: None,
        };
        let axis = read(&cells, &context);
        assert_eq!(labels(&axis).first().map(String::as_str), Some("2024-08"));
        assert_eq!(labels(&axis).last().map(String::as_str), Some("2025-02"));
        assert!(axis.doubts.is_empty());
    }

    #[test]
    fn yearless_months_without_a_hint_end_before_today_and_say_so() {
        let cells: Vec<Cell> = [
            "Jan", "Fev", "Mar", "Abr", "Mai", "Jun", "Jul", "Ago", "Set", "Out", "Nov", "Dez",
        ]
        .into_iter()
        .map(text)
        .collect();
        let context = AxisContext {
            year_hints: Vec::new(),
            today: NaiveDate::from_ymd_opt(2026, 12, 1),
        };
        let axis = read(&cells, &context);
        assert_eq!(labels(&axis).first().map(String::as_str), Some("2025-01"));
        assert_eq!(labels(&axis).last().map(String::as_str), Some("2025-12"));
        assert_eq!(axis.doubts.len(), 1);
    }

    #[test]
    fn newest_first_and_text_sorted_months_are_put_in_order() {
        let newest: Vec<Cell> = ["Mar", "Feb", "Jan", "Dec", "Nov"]
            .into_iter()
            .map(text)
            .collect();
        let context = AxisContext {
            year_hints: vec![YearHint {
                year: 2025,
                source: "x".to_string(),
            }],
            today: None,
        };
        let axis = read(&newest, &context);
        let mut sorted = labels(&axis);
        sorted.sort();
        assert_eq!(
            sorted,
            ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
        );
    }

    #[test]
    fn jui_is_june_beside_juil_and_july_beside_juin() {
        let with_juil: Vec<Cell> = ["Mai 2026", "Jui 2026", "Juil 2026", "Aou 2026"]
            .into_iter()
            .map(text)
            .collect();
        let axis = read(&with_juil, &AxisContext::default());
        assert_eq!(labels(&axis), ["2026-05", "2026-06", "2026-07", "2026-08"]);
        let with_juin: Vec<Cell> = ["Mai 2026", "Juin 2026", "Jui 2026", "Aou 2026"]
            .into_iter()
            .map(text)
            .collect();
        let axis = read(&with_juin, &AxisContext::default());
        assert_eq!(labels(&axis), ["2026-05", "2026-06", "2026-07", "2026-08"]);
    }

    #[test]
    fn year_month_integers_are_months() {
        let cells: Vec<Cell> = [202411.0, 202412.0, 202501.0, 202502.0]
            .into_iter()
            .map(Cell::Number)
            .collect();
        let axis = read(&cells, &AxisContext::default());
        assert_eq!(labels(&axis), ["2024-11", "2024-12", "2025-01", "2025-02"]);
        let values: Vec<Cell> = [1693.0, 2405.0, 3165.0]
            .into_iter()
            .map(Cell::Number)
            .collect();
        assert!(read(&values, &AxisContext::default()).is_empty());
    }

    #[test]
    fn fiscal_pairs_are_fiscal_years_on_an_axis_of_them() {
        let cells: Vec<Cell> = ["2010-11", "2011-12", "2012-13"]
            .into_iter()
            .map(text)
            .collect();
        let axis = read(&cells, &AxisContext::default());
        assert_eq!(labels(&axis), ["FY2010/11", "FY2011/12", "FY2012/13"]);
    }

    #[test]
    fn an_1899_cell_on_a_modern_axis_is_not_a_period() {
        let date = |y, m, d| Cell::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let cells = vec![
            date(1899, 12, 31),
            date(2024, 1, 31),
            date(2024, 2, 29),
            date(2024, 3, 31),
        ];
        let axis = read(&cells, &AxisContext::default());
        assert_eq!(axis.len(), 3);
        assert_eq!(axis.notes.len(), 1);
    }
}
