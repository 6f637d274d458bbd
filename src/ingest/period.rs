//! Reading periods: the text of a period header or date cell (`Jan 2024`,
//! `2024-Q1`, `31/01/2024`, …), Excel date serials, the summary labels that
//! sit among periods but are not periods (`Total`, `YTD`, `Var %`), and what a
//! list of periods says about itself: its frequency, its gaps and its
//! duplicates.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::ingest::locale::{month_number, HALF_WORDS, WEEK_WORDS};
use crate::ingest::value::clean_cell;
use crate::model::{Frequency, Period};

/// Years outside this range are numbers, not periods.
const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2200;

/// No period label is longer than this; the cap bounds work on hostile input.
const MAX_PERIOD_BYTES: usize = 64;

/// The largest serial Excel shows as a date (9999-12-31) in the 1900 system.
const LAST_SERIAL_1900: f64 = 2_958_465.0;
/// The same date in the 1904 system, which starts 1462 days later.
const LAST_SERIAL_1904: f64 = 2_957_003.0;

/// 1990-01-01 and 2100-12-31 as 1900-system serials: the range in which a
/// bare number in a header row is taken for a date.
const FIRST_PLAUSIBLE_SERIAL: f64 = 32_874.0;
const LAST_PLAUSIBLE_SERIAL: f64 = 73_415.0;

/// Words that make a label a summary rather than a period.
const SUMMARY_WORDS: &[&str] = &[
    "total",
    "totals",
    "subtotal",
    "ytd",
    "qtd",
    "mtd",
    "average",
    "avg",
    "mean",
    "sum",
    "median",
    "ttm",
    "ltm",
    "variance",
    "var",
    "change",
    "δ",
    "delta",
    "diff",
    "difference",
    "yoy",
    "qoq",
    "mom",
    "cagr",
];

/// Words allowed beside a summary word without making the label a KPI name
/// (`Total 2024`, `Year to date`, `Full year`, `Change vs LY`).
const SUMMARY_FILLER: &[&str] = &[
    "fy", "year", "yr", "to", "date", "full", "grand", "sub", "all", "overall", "months",
    "periods", "%", "of", "the", "ly", "py", "prior", "last", "previous", "target", "budget",
    "plan", "ytd", "sous", "de", "du",
];

/// Reads a period from a header or a date cell. Case and surrounding spaces
/// do not matter. Accepted forms:
///
/// - days: `2024-01-31` (with or without a time, ` ` or `T`), `2024/01/31`,
///   `31/01/2024` or `01/31/2024`, `31.01.2024`, `31-01-2024`, two-digit years
///   (`31/01/24`), `31 Jan 2024`, `31-Jan-24`, `Jan 31, 2024`;
/// - months: `2024-01`, `2024/01`, `01/2024`, `1/2024`, `01-2024`, `Jan 2024`,
///   `January 2024`, `jan-2024`, `Jan-24`, `Jan 24`, `Jan '24`, `2024 Jan`,
///   `Sept 2024` (German, French and Spanish names too);
/// - quarters: `2024 Q1`, `Q1 2024`, `Q1-24`, `Q1'24`, `2024-Q1`, `2024Q1`,
///   `FY2024 Q1`, `Q1 FY24`;
/// - ISO weeks: `2024-W05`, `2024W05`, `W05 2024`, `2024 week 5`;
/// - years: `2024`, `FY2024`, `FY24`; fiscal years that span two calendar
///   years: `FY2026/27`, `FY2026/2027`, `fy2026_27`, `y1_2026_27`, `2026-27`;
/// - half years: `H1 2024`, `2024 H2`, `2024-H1`, `1H24`;
/// - week numbers without a year: `w2`, `W 56`, `Week 12`, `KW 12`, `Semana 12`;
/// - ranges of days (a week or a month written as its first and last day):
///   `2023-01-30/2023-02-05`, `30.01.2023 – 05.02.2023`, read as the first day;
/// - month names in English, Portuguese, Spanish, French, German, Italian
///   and Dutch (`Março 2024`, `Okt 2024`, `mei 2024`, `Jan. 2024`).
///
/// A day and month that could be either way round (`01/02/2024`) follow
/// `day_first`, except with dots, which are always day first (no one writes
/// month.day.year). A component above 12 settles the order regardless.
/// Two-digit years are 20xx, so `Jan 24` is January 2024, never the 24th.
/// Years must be 1900..=2200. Labels such as `Total`, `12` or `7.5` are None.
pub fn parse_period(text: &str, day_first: bool) -> Option<Period> {
    match parse_label(text, DayOrder::lenient(day_first))? {
        Label::Period(period) => Some(period),
        Label::Month(_) | Label::FiscalPair(_) => None,
    }
}

/// What a period label says on its own, before the axis it sits on is
/// known: a full period, a month without a year (`Jan`, `Março`), or a
/// `YYYY-YY` label that is a fiscal year on an axis of them (`2026-27`) but
/// could be a month elsewhere (`2011-12`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Period(Period),
    /// A month with no year; the axis finds the year.
    Month(u32),
    /// `YYYY-YY` with consecutive years, read as a month when the second
    /// part can be one (`2011-12`): a fiscal year starting in that year
    /// when the whole axis is written this way.
    FiscalPair(i32),
}

/// How to read a numeric date whose first two parts could be day or month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DayOrder {
    /// Always day first (`01/02/2024` is 1 February).
    DayFirst,
    /// Always month first (`01/02/2024` is 2 January).
    MonthFirst,
    /// Per cell: a part above 12 decides, dots mean day first, else the flag.
    Lenient { day_first: bool },
}

impl DayOrder {
    /// The per-cell reading, defaulting to day first when `day_first`.
    pub fn lenient(day_first: bool) -> DayOrder {
        DayOrder::Lenient { day_first }
    }
}

/// Reads a label as `parse_period` does, but also yearless months,
/// `YYYY-YY` pairs, and with the day/month order given by the axis.
pub fn parse_label(text: &str, order: DayOrder) -> Option<Label> {
    let cleaned = clean_cell(text);
    if cleaned.is_empty() || cleaned.len() > MAX_PERIOD_BYTES {
        return None;
    }
    let lower = cleaned.to_lowercase();
    if let Some(year) = fiscal_pair(&lower) {
        return match parse_numeric_date(&lower, order) {
            Some(Period::Month { .. }) => Some(Label::FiscalPair(year)),
            _ => Some(Label::Period(Period::FiscalYear(year))),
        };
    }
    if let Some(start) = date_range_start(&lower, order) {
        return Some(Label::Period(start));
    }
    if let Some(period) = parse_numeric_date(&lower, order) {
        return Some(Label::Period(period));
    }
    match tokenize(&lower)?.as_slice() {
        [Token::Month(month)] => Some(Label::Month(*month)),
        tokens => period_from_tokens(tokens).map(Label::Period),
    }
}

/// `2026-27`, `2026/27`, `2026_27`, `2026-2027`: two consecutive years
/// joined by one separator. The first year.
fn fiscal_pair(lower: &str) -> Option<i32> {
    let (first, second) = lower.split_once(['-', '/', '_'])?;
    if first.len() != 4 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !(second.len() == 2 || second.len() == 4) || !second.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let start = year_in_range(number_of(first))?;
    let end = number_of(second);
    let consecutive = if second.len() == 2 {
        end == (start as u32 + 1) % 100
    } else {
        end == start as u32 + 1
    };
    consecutive.then_some(start)
}

/// The first day of a date range (`2023-01-30/2023-02-05`, `2023-01-30 -
/// 2023-02-05`, `30.01.2023 – 05.02.2023`): a week or month written as its
/// first and last day. None unless both ends are days, in order.
fn date_range_start(lower: &str, order: DayOrder) -> Option<Period> {
    for separator in [
        "/", " - ", " – ", "–", " to ", " bis ", " a ", " à ", " al ",
    ] {
        let mut parts = lower.splitn(2, separator);
        let (Some(first), Some(second)) = (parts.next(), parts.next()) else {
            continue;
        };
        let (Some(Period::Day(start)), Some(Period::Day(end))) = (
            parse_numeric_date(first.trim(), order),
            parse_numeric_date(second.trim(), order),
        ) else {
            continue;
        };
        if end >= start && (end - start).num_days() <= 366 {
            return Some(Period::Day(start));
        }
    }
    None
}

/// Whether a column of numeric dates is written day first. A first component
/// above 12 (`31/01/2024`) is evidence for day first; a second component
/// above 12 (`01/31/2024`) is evidence for month first. True only when the
/// day-first evidence outweighs the month-first evidence; with no decisive
/// date at all the answer is false (month first), because nothing proves the
/// European order. Year-first dates (`2024-01-31`) are never ambiguous and
/// are ignored.
pub fn detect_day_first(texts: &[&str]) -> bool {
    detect_day_first_counted(texts.iter().map(|text| (*text, 1)))
}

/// `detect_day_first` over distinct texts, each with how often it occurs.
pub fn detect_day_first_counted<'a>(texts: impl IntoIterator<Item = (&'a str, usize)>) -> bool {
    let mut day_first_votes = 0usize;
    let mut month_first_votes = 0usize;
    for (text, count) in texts {
        let lower = clean_cell(text).to_lowercase();
        let Some(date) = split_numeric_date(&lower) else {
            continue;
        };
        if let [first, second, _] = date.parts.as_slice() {
            if first.len() > 2 {
                continue;
            }
            let (first, second) = (number_of(first), number_of(second));
            if first > 12 && second <= 12 {
                day_first_votes += count;
            } else if second > 12 && first <= 12 {
                month_first_votes += count;
            }
        }
    }
    day_first_votes > month_first_votes
}

/// The date an Excel serial number stands for. A fraction (time of day) is
/// dropped. In the 1900 system serial 1 is 1900-01-01 and serial 60 is the
/// 29 February 1900 that Excel invents (it copied a Lotus 1-2-3 bug), so 60
/// gives None and serials above it are shifted back a day; serials 1..=2958465
/// are accepted. In the 1904 system serial 0 is 1904-01-01 and 0..=2957003
/// are accepted (both ranges end on 9999-12-31). Non-finite serials are None.
pub fn date_from_excel_serial(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() {
        return None;
    }
    let day = serial.floor();
    let (first, last) = if is_1904 {
        (0.0, LAST_SERIAL_1904)
    } else {
        (1.0, LAST_SERIAL_1900)
    };
    if day < first || day > last {
        return None;
    }
    // In range, so the cast is exact.
    let day = day as i64;
    let epoch = if is_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else if day < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else if day == 60 {
        return None;
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    epoch.checked_add_signed(Duration::days(day))
}

/// Whether a bare number could be a date serial in a header row: a whole
/// number (within 1e-6) from 32874 (1990-01-01) to 73415 (2100-12-31) in the
/// 1900 system. Smaller or fractional numbers are values, not dates.
pub fn is_plausible_period_serial(number: f64) -> bool {
    number.is_finite()
        && (number - number.round()).abs() < 1e-6
        && (FIRST_PLAUSIBLE_SERIAL..=LAST_PLAUSIBLE_SERIAL).contains(&number.round())
}

/// Whether a label marks a summary row or column (`Total`, `YTD`, `Average`,
/// `Var %`, `Δ`, `vs target`, …), which is not a period. Case and punctuation
/// do not matter. A label is a summary when it holds a summary word
/// (`total`, `ytd`, `avg`, `median`, `ttm`, `variance`, `change`, …), or
/// `year to date` / `full year`, or `vs` / `versus`, and every other word is a
/// period (`2024`, `Q1`, `Jan`, `FY24`) or filler (`grand`, `fy`, `%`, `ly`,
/// `target`, …). So `Total 2024` and `FY total` are summaries, while `Total
/// revenue` and `Average order value` are KPI names and are not.
pub fn is_summary_label(text: &str) -> bool {
    let words = summary_words(text);
    if words.iter().any(|word| word == "vs" || word == "versus") {
        return true;
    }
    let has_summary_word = words
        .iter()
        .any(|word| SUMMARY_WORDS.contains(&word.as_str()))
        || contains_phrase(&words, &["year", "to", "date"])
        || contains_phrase(&words, &["full", "year"]);
    has_summary_word
        && words.iter().all(|word| {
            SUMMARY_WORDS.contains(&word.as_str())
                || SUMMARY_FILLER.contains(&word.as_str())
                || is_period_word(word)
        })
}

/// The frequency of a list of periods and the step, in days, between `Day`
/// periods. Month, quarter, week and year periods give their own frequency
/// and a step of 0, except months on a three- or twelve-month lattice
/// (quarterly or yearly; see `frequency_of_months`). Days use the median gap between distinct sorted dates:
/// 1 → Daily (step 1), 6..=8 → Weekly (step 7), 28..=31 → Monthly,
/// 89..=92 → Quarterly, 364..=366 → Yearly (step 0: `coarsen` turns these into
/// month, quarter and year periods), anything else → Irregular with the
/// median gap as the step. Fewer than two distinct dates, or a mix of period
/// kinds, is Irregular with step 0.
pub fn infer_frequency(periods: &[Period]) -> (Frequency, i64) {
    let Some(first) = periods.first() else {
        return (Frequency::Irregular, 0);
    };
    if !periods.iter().all(|period| same_kind(period, first)) {
        return (Frequency::Irregular, 0);
    }
    match first {
        Period::Day(_) => frequency_of_days(periods),
        Period::Week { .. } => (Frequency::Weekly, 0),
        Period::Month { .. } => (frequency_of_months(periods), 0),
        Period::Quarter { .. } => (Frequency::Quarterly, 0),
        Period::Half { .. } => (Frequency::HalfYearly, 0),
        Period::Year(_) | Period::FiscalYear(_) => (Frequency::Yearly, 0),
        Period::WeekNumber(_) => (Frequency::Weekly, 0),
    }
}

/// The periods with `Day`s turned into the month, quarter or year they fall
/// in when `frequency` is Monthly, Quarterly or Yearly (month-end dates
/// 2024-01-31, 2024-02-29 become 2024-01, 2024-02). Weekly dates stay days:
/// the dates are what the user wrote and `step_days` already steps them by a
/// week, while ISO weeks could merge two dates a few days off schedule. Other
/// Months become their quarter or year when the frequency says so (see
/// `frequency_of_months`). Other periods, and days at other frequencies, are
/// unchanged.
pub fn coarsen(periods: &[Period], frequency: Frequency) -> Vec<Period> {
    periods
        .iter()
        .map(|&period| match period {
            Period::Day(date) => coarsen_day(date, frequency),
            Period::Month { year, month } => match frequency {
                Frequency::Quarterly => Period::Quarter {
                    year,
                    quarter: (month - 1) / 3 + 1,
                },
                Frequency::Yearly => Period::Year(year),
                _ => period,
            },
            other => other,
        })
        .collect()
}

/// The missing runs and the repeated periods of a list. Each gap is
/// `(after, before)`: two consecutive distinct periods (in sorted order) with
/// at least one expected period missing between them. Duplicates are listed
/// once each, in order. Expected spacing: one period for month, quarter, week
/// and year periods; for days, one day when Daily (only weekdays count when no
/// date falls on a weekend, so business-day series have no weekend gaps),
/// more than one and a half `step_days` (7 if 0) when Weekly, the next month,
/// quarter or year when Monthly, Quarterly or Yearly. Irregular lists and
/// mixed kinds have no gaps.
pub fn gaps_and_duplicates(
    periods: &[Period],
    frequency: Frequency,
    step_days: i64,
) -> (Vec<(Period, Period)>, Vec<Period>) {
    let mut sorted = periods.to_vec();
    sorted.sort();
    let mut duplicates: Vec<Period> = Vec::new();
    for pair in sorted.windows(2) {
        if let [earlier, later] = pair {
            if earlier == later && duplicates.last() != Some(later) {
                duplicates.push(*later);
            }
        }
    }
    sorted.dedup();
    let weekdays_only = sorted.iter().all(|period| match period {
        Period::Day(date) => !is_weekend(*date),
        _ => true,
    });
    let gaps = sorted
        .windows(2)
        .filter_map(|pair| match pair {
            [after, before] => Some((*after, *before)),
            _ => None,
        })
        .filter(|&(after, before)| is_gap(after, before, frequency, step_days, weekdays_only))
        .collect();
    (gaps, duplicates)
}

/// The day, month or year (as number) of an all-digit part; parts are at
/// most four digits, so this cannot overflow.
fn number_of(digits: &str) -> u32 {
    digits.parse().unwrap_or(u32::MAX)
}

/// A date written only with digits and one kind of separator, split in parts.
struct NumericDate<'a> {
    parts: Vec<&'a str>,
    separator: Option<char>,
    has_time: bool,
}

/// Splits `2024-01-31`, `31.01.2024 10:00`, `01/2024` or `2024` into digit
/// parts. None when other characters appear, separators are mixed, or what
/// follows the date is not a time of day.
fn split_numeric_date(lower: &str) -> Option<NumericDate<'_>> {
    let date_length = lower
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '/' | '.')))
        .unwrap_or(lower.len());
    let (date, rest) = lower.split_at_checked(date_length)?;
    let has_time = !rest.is_empty();
    if has_time && !is_time_of_day(rest) {
        return None;
    }
    let separator = date.chars().find(|c| !c.is_ascii_digit());
    let parts: Vec<&str> = match separator {
        Some(separator) => date.split(separator).collect(),
        None => vec![date],
    };
    let all_digits = parts
        .iter()
        .all(|part| (1..=4).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()));
    all_digits.then_some(NumericDate {
        parts,
        separator,
        has_time,
    })
}

/// ` 00:00:00`, `T10:30`, `t00:00:00.000z`, ` 9:00 am`.
fn is_time_of_day(rest: &str) -> bool {
    let Some(body) = rest.strip_prefix([' ', 't']) else {
        return false;
    };
    let body = body.trim();
    let body = body
        .strip_suffix("am")
        .or_else(|| body.strip_suffix("pm"))
        .unwrap_or(body)
        .trim_end();
    body.starts_with(|c: char| c.is_ascii_digit())
        && body.contains(':')
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ',' | '+' | '-' | 'z' | ' '))
}

fn parse_numeric_date(lower: &str, order: DayOrder) -> Option<Period> {
    let date = split_numeric_date(lower)?;
    match (date.parts.as_slice(), date.separator, date.has_time) {
        ([year], None, false) if year.len() == 4 => {
            year_in_range(number_of(year)).map(Period::Year)
        }
        ([year, month], Some('-' | '/'), false) if year.len() == 4 && month.len() <= 2 => {
            month_period(number_of(year), number_of(month))
        }
        ([month, year], Some('-' | '/'), false) if year.len() == 4 && month.len() <= 2 => {
            month_period(number_of(year), number_of(month))
        }
        ([year, month, day], Some(_), _)
            if year.len() == 4 && month.len() <= 2 && day.len() <= 2 =>
        {
            day_period(
                year_in_range(number_of(year))?,
                number_of(month),
                number_of(day),
            )
        }
        ([first, second, year], Some(separator), _)
            if first.len() <= 2 && second.len() <= 2 && matches!(year.len(), 2 | 4) =>
        {
            let year = two_or_four_digit_year(number_of(year), year.len())?;
            let (first, second) = (number_of(first), number_of(second));
            let (day, month) = if reads_day_first(first, second, separator, order) {
                (first, second)
            } else {
                (second, first)
            };
            day_period(year, month, day)
        }
        _ => None,
    }
}

/// Whether `first/second` is day/month: the axis's order when it has one;
/// per cell, a component above 12 decides, otherwise dots mean day first
/// and the rest follow the caller's flag.
fn reads_day_first(first: u32, second: u32, separator: char, order: DayOrder) -> bool {
    match order {
        DayOrder::DayFirst => true,
        DayOrder::MonthFirst => false,
        DayOrder::Lenient { day_first } => {
            if first > 12 && second <= 12 {
                true
            } else if second > 12 && first <= 12 {
                false
            } else {
                separator == '.' || day_first
            }
        }
    }
}

fn year_in_range(year: u32) -> Option<i32> {
    let year = i32::try_from(year).ok()?;
    (FIRST_YEAR..=LAST_YEAR).contains(&year).then_some(year)
}

/// A four-digit year in range, or a two-digit year read as 20xx.
fn two_or_four_digit_year(value: u32, digits: usize) -> Option<i32> {
    match digits {
        4 => year_in_range(value),
        2 => year_in_range(2000 + value),
        _ => None,
    }
}

fn month_period(year: u32, month: u32) -> Option<Period> {
    let year = year_in_range(year)?;
    (1..=12)
        .contains(&month)
        .then_some(Period::Month { year, month })
}

fn day_period(year: i32, month: u32, day: u32) -> Option<Period> {
    NaiveDate::from_ymd_opt(year, month, day).map(Period::Day)
}

/// One piece of a worded period label.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Token {
    Number {
        value: u32,
        digits: usize,
    },
    Month(u32),
    QuarterMark,
    WeekMark,
    HalfMark,
    /// `y` in `y1_2026_27` (year 1 of a plan).
    YearMark,
    Fiscal,
}

/// Splits a label at separators and at letter/digit boundaries (`2024q1` →
/// 2024, q, 1). None when a word is not a period word or a character is
/// neither a letter, a digit nor a separator.
fn tokenize(lower: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut rest = lower;
    while let Some(c) = rest.chars().next() {
        let run_length = if c.is_ascii_digit() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let text = rest.get(..digits)?;
            if digits > 4 {
                return None;
            }
            tokens.push(Token::Number {
                value: number_of(text),
                digits,
            });
            digits
        } else if c.is_alphabetic() {
            let word_length: usize = rest
                .chars()
                .take_while(|c| c.is_alphabetic())
                .map(char::len_utf8)
                .sum();
            tokens.push(word_token(rest.get(..word_length)?)?);
            word_length
        } else if c.is_whitespace()
            || matches!(c, '-' | '/' | '.' | ',' | '\'' | '’' | '‘' | '–' | '_')
        {
            c.len_utf8()
        } else {
            return None;
        };
        rest = rest.get(run_length..)?;
    }
    Some(tokens)
}

fn word_token(word: &str) -> Option<Token> {
    match word {
        "q" | "qtr" | "quarter" | "trimestre" | "quartal" | "kwartaal" => Some(Token::QuarterMark),
        "fy" => Some(Token::Fiscal),
        "y" => Some(Token::YearMark),
        _ if WEEK_WORDS.contains(&word) => Some(Token::WeekMark),
        _ if HALF_WORDS.contains(&word) => Some(Token::HalfMark),
        _ => month_number(word).map(Token::Month),
    }
}

fn period_from_tokens(tokens: &[Token]) -> Option<Period> {
    use Token::{Fiscal, HalfMark, Month, Number, QuarterMark, WeekMark, YearMark};
    match tokens {
        [Number { value, digits: 4 }] => year_in_range(*value).map(Period::Year),
        [Fiscal, Number { value, digits }] => {
            two_or_four_digit_year(*value, *digits).map(Period::Year)
        }
        [Fiscal, Number {
            value: start,
            digits: 4,
        }, Number { value: end, digits }]
        | [YearMark, Number { digits: 1 | 2, .. }, Number {
            value: start,
            digits: 4,
        }, Number { value: end, digits }] => fiscal_year(*start, *end, *digits),
        [WeekMark, Number {
            value,
            digits: 1..=3,
        }] => (*value <= crate::model::MAX_WEEK_NUMBER).then_some(Period::WeekNumber(*value)),
        [half @ Number { digits: 1, .. }, HalfMark, year @ ..]
        | [HalfMark, half, year @ ..]
        | [year @ .., HalfMark, half] => half_period(year_of(year)?, half),
        [quarter @ Number { digits: 1, .. }, QuarterMark, year @ ..]
        | [QuarterMark, quarter, year @ ..]
        | [year @ .., QuarterMark, quarter] => quarter_period(year_of(year)?, quarter),
        [WeekMark, week, year @ ..] | [year @ .., WeekMark, week] => {
            week_period(year_of(year)?, week)
        }
        [Month(month), Number { value, digits }] => {
            let year = two_or_four_digit_year(*value, *digits)?;
            Some(Period::Month {
                year,
                month: *month,
            })
        }
        [Number { value, digits: 4 }, Month(month)] => {
            let year = year_in_range(*value)?;
            Some(Period::Month {
                year,
                month: *month,
            })
        }
        [Number {
            value: day,
            digits: 1 | 2,
        }, Month(month), Number { value, digits }] => {
            day_period(two_or_four_digit_year(*value, *digits)?, *month, *day)
        }
        [Month(month), Number {
            value: day,
            digits: 1 | 2,
        }, Number { value, digits: 4 }]
        | [Number { value, digits: 4 }, Month(month), Number {
            value: day,
            digits: 1 | 2,
        }] => day_period(year_in_range(*value)?, *month, *day),
        _ => None,
    }
}

/// `FY2026/27` or `FY2026/2027` when the years are consecutive.
fn fiscal_year(start: u32, end: u32, end_digits: usize) -> Option<Period> {
    let consecutive = match end_digits {
        2 => end == (start + 1) % 100,
        4 => end == start + 1,
        _ => false,
    };
    if !consecutive {
        return None;
    }
    year_in_range(start).map(Period::FiscalYear)
}

fn half_period(year: i32, half: &Token) -> Option<Period> {
    match *half {
        Token::Number { value, digits: 1 } if (1..=2).contains(&value) => {
            Some(Period::Half { year, half: value })
        }
        _ => None,
    }
}

/// The year in `2024`, `24`, `FY2024` or `FY24`.
fn year_of(tokens: &[Token]) -> Option<i32> {
    match tokens {
        [Token::Number { value, digits }] | [Token::Fiscal, Token::Number { value, digits }] => {
            two_or_four_digit_year(*value, *digits)
        }
        _ => None,
    }
}

fn quarter_period(year: i32, quarter: &Token) -> Option<Period> {
    match *quarter {
        Token::Number {
            value,
            digits: 1 | 2,
        } if (1..=4).contains(&value) => Some(Period::Quarter {
            year,
            quarter: value,
        }),
        _ => None,
    }
}

/// An ISO week; week 53 only exists in some years.
fn week_period(year: i32, week: &Token) -> Option<Period> {
    match *week {
        Token::Number {
            value,
            digits: 1 | 2,
        } if NaiveDate::from_isoywd_opt(year, value, Weekday::Mon).is_some() => {
            Some(Period::Week { year, week: value })
        }
        _ => None,
    }
}

/// Lower-cased words of a label, with `%` and `Δ` kept as words of their own.
fn summary_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if matches!(c, '%' | 'δ') {
            push_word(&mut words, &mut current);
            words.push(c.to_string());
        } else if c.is_alphanumeric() {
            current.push(c);
        } else {
            push_word(&mut words, &mut current);
        }
    }
    push_word(&mut words, &mut current);
    words
}

fn push_word(words: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        words.push(std::mem::take(current));
    }
}

fn contains_phrase(words: &[String], phrase: &[&str]) -> bool {
    words.windows(phrase.len()).any(|window| {
        window
            .iter()
            .zip(phrase)
            .all(|(word, wanted)| word == wanted)
    })
}

/// A word that names a period or part of one: `2024`, `q1`, `h2`, `w05`,
/// `fy24`, `jan`.
fn is_period_word(word: &str) -> bool {
    let digits_after = |prefix: &str| {
        word.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
    };
    word.bytes().all(|b| b.is_ascii_digit())
        || ["q", "h", "w", "fy"].into_iter().any(digits_after)
        || month_number(word).is_some()
}

fn same_kind(a: &Period, b: &Period) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Months every third month on one lattice (`Mar 2024, Jun 2024, Sep
/// 2024`: a quarterly sheet that names each quarter by its last month) are
/// Quarterly, the same month of every year Yearly; other months Monthly.
/// Needs three distinct months; the step is the lower median gap.
fn frequency_of_months(periods: &[Period]) -> Frequency {
    let gaps = sorted_gaps(periods.iter().filter_map(|period| match period {
        Period::Month { year, month } => Some(i64::from(*year) * 12 + i64::from(*month) - 1),
        _ => None,
    }));
    let on_lattice = |step: i64| gaps.iter().all(|gap| gap % step == 0);
    match lower_median(&gaps) {
        Some(3) if gaps.len() >= 2 && on_lattice(3) => Frequency::Quarterly,
        Some(12) if gaps.len() >= 2 && on_lattice(12) => Frequency::Yearly,
        _ => Frequency::Monthly,
    }
}

/// The gaps between the distinct values of a list (in days, months …),
/// smallest first.
fn sorted_gaps(values: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut values: Vec<i64> = values.collect();
    values.sort_unstable();
    values.dedup();
    let mut gaps: Vec<i64> = values
        .windows(2)
        .filter_map(|pair| match pair {
            [earlier, later] => Some(later - earlier),
            _ => None,
        })
        .collect();
    gaps.sort_unstable();
    gaps
}

/// The lower median of sorted values: with an even count, the smaller
/// middle one.
fn lower_median(sorted: &[i64]) -> Option<i64> {
    sorted.get(sorted.len().saturating_sub(1) / 2).copied()
}

fn frequency_of_days(periods: &[Period]) -> (Frequency, i64) {
    let gaps = sorted_gaps(periods.iter().filter_map(|period| match period {
        Period::Day(date) => Some(i64::from(date.num_days_from_ce())),
        _ => None,
    }));
    let Some(median_gap) = lower_median(&gaps) else {
        return (Frequency::Irregular, 0);
    };
    match median_gap {
        1 => (Frequency::Daily, 1),
        6..=8 => (Frequency::Weekly, 7),
        28..=31 => (Frequency::Monthly, 0),
        89..=92 => (Frequency::Quarterly, 0),
        181..=184 => (Frequency::HalfYearly, 0),
        364..=366 => (Frequency::Yearly, 0),
        other => (Frequency::Irregular, other),
    }
}

fn coarsen_day(date: NaiveDate, frequency: Frequency) -> Period {
    let (year, month) = (date.year(), date.month());
    match frequency {
        Frequency::Monthly => Period::Month { year, month },
        Frequency::Quarterly => Period::Quarter {
            year,
            quarter: (month - 1) / 3 + 1,
        },
        Frequency::HalfYearly => Period::Half {
            year,
            half: (month - 1) / 6 + 1,
        },
        Frequency::Yearly => Period::Year(year),
        Frequency::Daily | Frequency::Weekly | Frequency::Irregular => Period::Day(date),
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Whether at least one expected period is missing between two consecutive
/// distinct periods.
fn is_gap(
    after: Period,
    before: Period,
    frequency: Frequency,
    step_days: i64,
    weekdays_only: bool,
) -> bool {
    match (after, before) {
        (Period::Day(first), Period::Day(second)) => match frequency {
            Frequency::Daily => has_missing_day(first, second, weekdays_only),
            Frequency::Weekly => {
                let step = if step_days > 0 { step_days } else { 7 };
                (second - first).num_days().saturating_mul(2) > step.saturating_mul(3)
            }
            Frequency::Monthly
            | Frequency::Quarterly
            | Frequency::HalfYearly
            | Frequency::Yearly => {
                coarsen_day(first, frequency).advance(1, 0) < coarsen_day(second, frequency)
            }
            Frequency::Irregular => false,
        },
        _ if frequency == Frequency::Irregular || !same_kind(&after, &before) => false,
        _ => after.advance(1, 0) < before,
    }
}

fn has_missing_day(first: NaiveDate, second: NaiveDate, weekdays_only: bool) -> bool {
    let days_between = (second - first).num_days() - 1;
    if days_between <= 0 {
        return false;
    }
    // A week or more between them always holds a weekday.
    if !weekdays_only || days_between >= 7 {
        return true;
    }
    first
        .iter_days()
        .skip(1)
        .take(usize::try_from(days_between).unwrap_or(0))
        .any(|date| !is_weekend(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: i32, month: u32, day: u32) -> Period {
        Period::Day(NaiveDate::from_ymd_opt(year, month, day).unwrap())
    }

    fn month(year: i32, month: u32) -> Period {
        Period::Month { year, month }
    }

    fn quarter(year: i32, quarter: u32) -> Period {
        Period::Quarter { year, quarter }
    }

    fn week(year: i32, week: u32) -> Period {
        Period::Week { year, week }
    }

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn days() {
        let cases: &[(&str, bool, Period)] = &[
            ("2024-01-31", false, day(2024, 1, 31)),
            ("2024-01-31 00:00:00", false, day(2024, 1, 31)),
            ("2024-01-31T00:00:00", false, day(2024, 1, 31)),
            ("2024-01-31T10:30:00.000Z", false, day(2024, 1, 31)),
            ("2024-01-31 9:00 AM", false, day(2024, 1, 31)),
            ("2024/01/31", false, day(2024, 1, 31)),
            ("2024.01.31", false, day(2024, 1, 31)),
            ("2024-1-5", false, day(2024, 1, 5)),
            ("31/01/2024", false, day(2024, 1, 31)),
            ("31/01/2024", true, day(2024, 1, 31)),
            ("01/31/2024", false, day(2024, 1, 31)),
            ("01/31/2024", true, day(2024, 1, 31)),
            ("01/02/2024", false, day(2024, 1, 2)),
            ("01/02/2024", true, day(2024, 2, 1)),
            ("1/2/2024", true, day(2024, 2, 1)),
            ("31.01.2024", false, day(2024, 1, 31)),
            ("01.02.2024", false, day(2024, 2, 1)),
            ("01.31.2024", true, day(2024, 1, 31)),
            ("31-01-2024", false, day(2024, 1, 31)),
            ("31/01/24", false, day(2024, 1, 31)),
            ("31/01/2024 00:00", false, day(2024, 1, 31)),
            ("31 Jan 2024", false, day(2024, 1, 31)),
            ("31-Jan-24", false, day(2024, 1, 31)),
            ("Jan 31, 2024", false, day(2024, 1, 31)),
            ("2024 Jan 31", false, day(2024, 1, 31)),
            ("1. März 2024", false, day(2024, 3, 1)),
            ("  2024-02-29  ", false, day(2024, 2, 29)),
        ];
        for &(text, day_first, expected) in cases {
            assert_eq!(
                parse_period(text, day_first),
                Some(expected),
                "{text} day_first={day_first}"
            );
        }
    }

    #[test]
    fn months() {
        let cases: &[(&str, Period)] = &[
            ("2024-01", month(2024, 1)),
            ("2024/01", month(2024, 1)),
            ("2024-1", month(2024, 1)),
            ("01/2024", month(2024, 1)),
            ("1/2024", month(2024, 1)),
            ("01-2024", month(2024, 1)),
            ("Jan 2024", month(2024, 1)),
            ("JAN 2024", month(2024, 1)),
            ("January 2024", month(2024, 1)),
            ("jan-2024", month(2024, 1)),
            ("Jan-24", month(2024, 1)),
            ("Jan 24", month(2024, 1)),
            ("Jan '24", month(2024, 1)),
            ("Jan ’24", month(2024, 1)),
            ("Jan. 2024", month(2024, 1)),
            ("2024 Jan", month(2024, 1)),
            ("Sept 2024", month(2024, 9)),
            ("Sep-24", month(2024, 9)),
            ("December 1999", month(1999, 12)),
            ("Mär 2024", month(2024, 3)),
            ("Okt 2024", month(2024, 10)),
            ("décembre 2024", month(2024, 12)),
            ("Mai 24", month(2024, 5)),
            ("ene-24", month(2024, 1)),
        ];
        for &(text, expected) in cases {
            assert_eq!(parse_period(text, false), Some(expected), "{text}");
        }
    }

    #[test]
    fn quarters_weeks_and_years() {
        let cases: &[(&str, Period)] = &[
            ("2024 Q1", quarter(2024, 1)),
            ("Q1 2024", quarter(2024, 1)),
            ("q1 2024", quarter(2024, 1)),
            ("Q1-24", quarter(2024, 1)),
            ("Q1'24", quarter(2024, 1)),
            ("2024-Q1", quarter(2024, 1)),
            ("2024Q4", quarter(2024, 4)),
            ("FY2024 Q1", quarter(2024, 1)),
            ("Q2 FY24", quarter(2024, 2)),
            ("1Q24", quarter(2024, 1)),
            ("2024-W05", week(2024, 5)),
            ("2024W05", week(2024, 5)),
            ("W05 2024", week(2024, 5)),
            ("2024 week 5", week(2024, 5)),
            ("KW 5 2024", week(2024, 5)),
            ("2020-W53", week(2020, 53)),
            ("2024", Period::Year(2024)),
            ("1900", Period::Year(1900)),
            ("2200", Period::Year(2200)),
            ("FY2024", Period::Year(2024)),
            ("FY24", Period::Year(2024)),
            ("fy 2024", Period::Year(2024)),
        ];
        for &(text, expected) in cases {
            assert_eq!(parse_period(text, false), Some(expected), "{text}");
        }
    }

    #[test]
    fn not_periods() {
        let cases = [
            "",
            "  ",
            "Total",
            "YTD",
            "Average",
            "Total 2024",
            "12",
            "7.5",
            "1899",
            "2201",
            "99999",
            "2024-13",
            "13/2024",
            "2024-02-30",
            "31/31/2024",
            "2024-W54",
            "2024-W53",
            "2024 Q5",
            "Q0 2024",
            "Q1",
            "Jan",
            "Jan 5",
            "24 Jan",
            "2024.01",
            "2024-01-31 foo",
            "2024-01/31",
            "Revenue",
            "1e3",
            "2024²",
            "٢٠٢٤",
            "Jan 2024 Jan",
            "2024-01-31T",
            "00/01/2024",
            "2024 2025",
        ];
        for text in cases {
            assert_eq!(parse_period(text, false), None, "{text:?}");
            assert_eq!(parse_period(text, true), None, "{text:?}");
        }
    }

    #[test]
    fn hostile_period_text_never_panics() {
        let long = "2024-".repeat(20_000);
        assert_eq!(parse_period(&long, false), None);
        for text in [
            "🙂 2024",
            "İ 2024",
            "ﬀ",
            "\u{0}",
            "Q\u{301}1 2024",
            "2024-01-3\u{301}1",
            "ß 2024",
        ] {
            let _ = parse_period(text, false);
            let _ = is_summary_label(text);
        }
        assert!(!detect_day_first(&[long.as_str(), "🙂", ""]));
    }

    #[test]
    fn day_first_detection() {
        let cases: &[(&[&str], bool)] = &[
            (&["31/01/2024", "29/02/2024"], true),
            (&["01/01/2024", "15/01/2024", "01/02/2024"], true),
            (&["01/31/2024", "02/29/2024"], false),
            (&["01/01/2024", "01/02/2024"], false),
            (&["31.01.2024"], true),
            (&["2024-01-31", "2024-02-29"], false),
            (&["31/01/2024", "01/31/2024", "01/30/2024"], false),
            (&[], false),
            (&["Jan 2024", "Total"], false),
        ];
        for &(texts, expected) in cases {
            assert_eq!(detect_day_first(texts), expected, "{texts:?}");
        }
    }

    #[test]
    fn excel_serials() {
        let cases: &[(f64, bool, Option<NaiveDate>)] = &[
            (1.0, false, Some(date(1900, 1, 1))),
            (59.0, false, Some(date(1900, 2, 28))),
            (60.0, false, None),
            (61.0, false, Some(date(1900, 3, 1))),
            (45292.0, false, Some(date(2024, 1, 1))),
            (45292.75, false, Some(date(2024, 1, 1))),
            (45322.0, false, Some(date(2024, 1, 31))),
            (2_958_465.0, false, Some(date(9999, 12, 31))),
            (2_958_466.0, false, None),
            (0.0, false, None),
            (0.5, false, None),
            (-1.0, false, None),
            (f64::NAN, false, None),
            (f64::INFINITY, false, None),
            (f64::NEG_INFINITY, true, None),
            (0.0, true, Some(date(1904, 1, 1))),
            (43830.0, true, Some(date(2024, 1, 1))),
            (2_957_003.0, true, Some(date(9999, 12, 31))),
            (2_957_004.0, true, None),
            (-0.5, true, None),
            (1e300, false, None),
        ];
        for &(serial, is_1904, expected) in cases {
            assert_eq!(
                date_from_excel_serial(serial, is_1904),
                expected,
                "{serial} 1904={is_1904}"
            );
        }
    }

    #[test]
    fn plausible_serials() {
        assert_eq!(
            date_from_excel_serial(FIRST_PLAUSIBLE_SERIAL, false),
            Some(date(1990, 1, 1))
        );
        assert_eq!(
            date_from_excel_serial(LAST_PLAUSIBLE_SERIAL, false),
            Some(date(2100, 12, 31))
        );
        let cases = [
            (45292.0, true),
            (45292.0000001, true),
            (32874.0, true),
            (73415.0, true),
            (32873.0, false),
            (73416.0, false),
            (45292.5, false),
            (2024.0, false),
            (12.0, false),
            (f64::NAN, false),
            (f64::INFINITY, false),
        ];
        for (number, expected) in cases {
            assert_eq!(is_plausible_period_serial(number), expected, "{number}");
        }
    }

    #[test]
    fn summary_labels() {
        let summaries = [
            "Total",
            "TOTAL",
            "Totals",
            "Grand total",
            "Grand Total:",
            "YTD",
            "Year to date",
            "Year-to-date",
            "QTD",
            "MTD",
            "Average",
            "Avg",
            "Avg.",
            "Mean",
            "Sum",
            "Median",
            "FY total",
            "Full year",
            "Full-year 2024",
            "TTM",
            "LTM",
            "Variance",
            "Var",
            "Var %",
            "Change",
            "Δ",
            "% change",
            "%change",
            "vs target",
            "vs LY",
            "Vs. budget",
            "Total 2024",
            "2024 Total",
            "YTD 2024",
            "Total Q1",
            "Sub-total",
            "Subtotal",
            "YoY %",
            "Actual vs plan",
        ];
        for text in summaries {
            assert!(is_summary_label(text), "{text} should be a summary");
        }
        let not_summaries = [
            "",
            "Jan 2024",
            "2024",
            "Q1 2024",
            "Revenue",
            "Total revenue",
            "Average order value",
            "Mean time to resolve",
            "Sum insured",
            "Change requests",
            "Churn %",
            "Target",
            "Variance explained",
            "Totally",
        ];
        for text in not_summaries {
            assert!(!is_summary_label(text), "{text} should not be a summary");
        }
    }

    #[test]
    fn frequency_of_periods() {
        let daily = [
            day(2024, 1, 1),
            day(2024, 1, 2),
            day(2024, 1, 3),
            day(2024, 1, 5),
        ];
        let business_days = [
            day(2024, 1, 4),
            day(2024, 1, 5),
            day(2024, 1, 8),
            day(2024, 1, 9),
        ];
        let weekly = [
            day(2024, 1, 7),
            day(2024, 1, 14),
            day(2024, 1, 21),
            day(2024, 1, 29),
        ];
        let monthly = [
            day(2024, 1, 31),
            day(2024, 2, 29),
            day(2024, 3, 31),
            day(2024, 4, 30),
        ];
        let quarterly = [day(2024, 3, 31), day(2024, 6, 30), day(2024, 9, 30)];
        let yearly = [day(2022, 12, 31), day(2023, 12, 31), day(2024, 12, 31)];
        let irregular = [day(2024, 1, 1), day(2024, 1, 15), day(2024, 2, 1)];
        let shuffled_weekly = [day(2024, 1, 21), day(2024, 1, 7), day(2024, 1, 14)];
        let mixed = [day(2024, 1, 1), month(2024, 2)];
        let cases: &[(&[Period], (Frequency, i64))] = &[
            (&daily, (Frequency::Daily, 1)),
            (&business_days, (Frequency::Daily, 1)),
            (&weekly, (Frequency::Weekly, 7)),
            (&shuffled_weekly, (Frequency::Weekly, 7)),
            (&monthly, (Frequency::Monthly, 0)),
            (&quarterly, (Frequency::Quarterly, 0)),
            (&yearly, (Frequency::Yearly, 0)),
            (&irregular, (Frequency::Irregular, 14)),
            (&[day(2024, 1, 1)], (Frequency::Irregular, 0)),
            (
                &[day(2024, 1, 1), day(2024, 1, 1)],
                (Frequency::Irregular, 0),
            ),
            (&[month(2024, 1), month(2024, 2)], (Frequency::Monthly, 0)),
            (
                &[month(2024, 3), month(2024, 6), month(2024, 9)],
                (Frequency::Quarterly, 0),
            ),
            (
                &[month(2024, 1), month(2024, 4), month(2024, 10)],
                (Frequency::Quarterly, 0),
            ),
            (
                &[month(2024, 1), month(2024, 4), month(2024, 5)],
                (Frequency::Monthly, 0),
            ),
            (
                &[month(2022, 12), month(2023, 12), month(2024, 12)],
                (Frequency::Yearly, 0),
            ),
            (&[month(2024, 3), month(2024, 6)], (Frequency::Monthly, 0)),
            (&[quarter(2024, 1)], (Frequency::Quarterly, 0)),
            (&[week(2024, 1), week(2024, 3)], (Frequency::Weekly, 0)),
            (
                &[Period::Year(2023), Period::Year(2024)],
                (Frequency::Yearly, 0),
            ),
            (&mixed, (Frequency::Irregular, 0)),
            (&[], (Frequency::Irregular, 0)),
        ];
        for &(periods, expected) in cases {
            assert_eq!(infer_frequency(periods), expected, "{periods:?}");
        }
    }

    #[test]
    fn coarsening() {
        let monthly = [day(2024, 1, 31), day(2024, 2, 29), day(2024, 3, 1)];
        let cases: &[(&[Period], Frequency, Vec<Period>)] = &[
            (
                &monthly,
                Frequency::Monthly,
                vec![month(2024, 1), month(2024, 2), month(2024, 3)],
            ),
            (
                &[day(2024, 3, 31), day(2024, 6, 30), day(2024, 10, 1)],
                Frequency::Quarterly,
                vec![quarter(2024, 1), quarter(2024, 2), quarter(2024, 4)],
            ),
            (
                &[day(2023, 12, 31), day(2024, 1, 1)],
                Frequency::Yearly,
                vec![Period::Year(2023), Period::Year(2024)],
            ),
            (&monthly, Frequency::Weekly, monthly.to_vec()),
            (&monthly, Frequency::Daily, monthly.to_vec()),
            (&monthly, Frequency::Irregular, monthly.to_vec()),
            (
                &[month(2024, 3), month(2024, 6), month(2024, 12)],
                Frequency::Quarterly,
                vec![quarter(2024, 1), quarter(2024, 2), quarter(2024, 4)],
            ),
            (
                &[month(2024, 1), week(2024, 2)],
                Frequency::Yearly,
                vec![Period::Year(2024), week(2024, 2)],
            ),
        ];
        for (periods, frequency, expected) in cases {
            assert_eq!(
                &coarsen(periods, *frequency),
                expected,
                "{periods:?} {frequency:?}"
            );
        }
    }

    #[test]
    fn gaps_and_duplicate_periods() {
        type Case = (
            Vec<Period>,
            Frequency,
            i64,
            Vec<(Period, Period)>,
            Vec<Period>,
        );
        let cases: Vec<Case> = vec![
            (
                vec![
                    month(2024, 1),
                    month(2024, 2),
                    month(2024, 5),
                    month(2024, 2),
                    month(2024, 2),
                ],
                Frequency::Monthly,
                0,
                vec![(month(2024, 2), month(2024, 5))],
                vec![month(2024, 2)],
            ),
            (
                vec![month(2023, 12), month(2024, 1)],
                Frequency::Monthly,
                0,
                vec![],
                vec![],
            ),
            (
                vec![quarter(2023, 4), quarter(2024, 2), quarter(2024, 3)],
                Frequency::Quarterly,
                0,
                vec![(quarter(2023, 4), quarter(2024, 2))],
                vec![],
            ),
            (
                vec![week(2020, 52), week(2020, 53), week(2021, 1), week(2021, 3)],
                Frequency::Weekly,
                0,
                vec![(week(2021, 1), week(2021, 3))],
                vec![],
            ),
            (
                vec![Period::Year(2020), Period::Year(2023), Period::Year(2023)],
                Frequency::Yearly,
                0,
                vec![(Period::Year(2020), Period::Year(2023))],
                vec![Period::Year(2023)],
            ),
            (
                vec![day(2024, 1, 1), day(2024, 1, 2), day(2024, 1, 4)],
                Frequency::Daily,
                1,
                vec![(day(2024, 1, 2), day(2024, 1, 4))],
                vec![],
            ),
            (
                // Thursday, Friday, Monday, Wednesday: the weekend is not a gap, Tuesday is.
                vec![
                    day(2024, 1, 4),
                    day(2024, 1, 5),
                    day(2024, 1, 8),
                    day(2024, 1, 10),
                ],
                Frequency::Daily,
                1,
                vec![(day(2024, 1, 8), day(2024, 1, 10))],
                vec![],
            ),
            (
                // A Saturday in the series: weekends are expected, so Sunday is missing.
                vec![day(2024, 1, 5), day(2024, 1, 6), day(2024, 1, 8)],
                Frequency::Daily,
                1,
                vec![(day(2024, 1, 6), day(2024, 1, 8))],
                vec![],
            ),
            (
                vec![
                    day(2024, 1, 7),
                    day(2024, 1, 14),
                    day(2024, 1, 22),
                    day(2024, 2, 4),
                    day(2024, 2, 4),
                ],
                Frequency::Weekly,
                7,
                vec![(day(2024, 1, 22), day(2024, 2, 4))],
                vec![day(2024, 2, 4)],
            ),
            (
                vec![day(2024, 1, 31), day(2024, 3, 31)],
                Frequency::Monthly,
                0,
                vec![(day(2024, 1, 31), day(2024, 3, 31))],
                vec![],
            ),
            (
                vec![day(2024, 1, 1), day(2024, 5, 1)],
                Frequency::Irregular,
                120,
                vec![],
                vec![],
            ),
            (vec![], Frequency::Monthly, 0, vec![], vec![]),
        ];
        for (periods, frequency, step_days, gaps, duplicates) in cases {
            assert_eq!(
                gaps_and_duplicates(&periods, frequency, step_days),
                (gaps, duplicates),
                "{periods:?} {frequency:?}"
            );
        }
    }
}
