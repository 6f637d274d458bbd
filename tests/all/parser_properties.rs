//! Properties of the text parsers (periods, values, targets) over generated
//! inputs, with proptest: none panics on any text, what they read is
//! well-formed (finite numbers, bands in order, a period that reads back
//! from its own label), and equivalent spellings read alike. The fuzz
//! targets in `fuzz/` look for panics deeper; these run with every
//! `cargo test`.

use chrono::NaiveDate;
use kpilot::ingest::period::{detect_day_first, parse_label, parse_period, DayOrder, Label};
use kpilot::ingest::target::{parse_direction, parse_target, split_header};
use kpilot::ingest::value::{parse_value, unit_of_header, ParsedValue};
use kpilot::model::{Direction, Period, Target, TargetKind};
use proptest::prelude::*;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Text that looks like spreadsheet cells: digits, separators, signs,
/// units, period and target words, and the odd character from anywhere.
fn cell_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[-+0-9.,'% $€£()eEkKmM]{0,24}",
        "[0-9QqWwHhFfYy /._-]{0,16}",
        "[<>=≤≥±0-9. a-z%-]{0,24}",
        "(jan|feb|mär|março|okt|dez|mei|q1|h2|fy|w|kw|week)[ .'/-]?[0-9]{0,4}",
    ]
}

/// A label read as a period on an axis of months: `parse_period`, except
/// that a `YYYY-YY` label with consecutive years (`2011-12`), which alone
/// could be a fiscal year, is the month it also spells, as the axis reads
/// it when most of its labels are months.
fn read_on_month_axis(text: &str, day_first: bool) -> Option<Period> {
    match parse_label(text, DayOrder::lenient(day_first))? {
        Label::Period(period) => Some(period),
        Label::FiscalPair(year) => Some(Period::Month {
            year,
            month: (year as u32 + 1) % 100,
        }),
        Label::Month(_) => None,
    }
}

fn number(value: f64, unit: Option<&str>) -> ParsedValue {
    ParsedValue::Number {
        value,
        unit: unit.map(str::to_string),
    }
}

fn assert_well_formed(text: &str, target: &Target) -> Result<(), TestCaseError> {
    match target.kind {
        TargetKind::AtLeast | TargetKind::AtMost => {
            prop_assert!(
                target.value.is_some_and(f64::is_finite),
                "{text:?} → {target:?}"
            );
        }
        TargetKind::Between => {
            let (low, high) = (target.low, target.high);
            prop_assert!(
                matches!((low, high), (Some(low), Some(high)) if low.is_finite() && high.is_finite() && low <= high),
                "{text:?} → {target:?}"
            );
        }
    }
    Ok(())
}

/// A period of any kind, within the years kpilot reads (1900..=2200).
fn any_period() -> impl Strategy<Value = Period> {
    let year = 1900i32..=2200;
    prop_oneof![
        (year.clone(), 1u32..=12).prop_map(|(year, month)| Period::Month { year, month }),
        (year.clone(), 1u32..=4).prop_map(|(year, quarter)| Period::Quarter { year, quarter }),
        (year.clone(), 1u32..=2).prop_map(|(year, half)| Period::Half { year, half }),
        (year.clone(), 1u32..=52).prop_map(|(year, week)| Period::Week { year, week }),
        year.clone().prop_map(Period::Year),
        (1900i32..=2198).prop_map(Period::FiscalYear),
        (1u32..=56).prop_map(Period::WeekNumber),
        (year, 1u32..=12, 1u32..=28).prop_map(|(year, month, day)| {
            Period::Day(NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default())
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_text_makes_a_parser_panic(text in cell_text(), decimal_comma: bool) {
        for order in [DayOrder::DayFirst, DayOrder::MonthFirst, DayOrder::lenient(decimal_comma)] {
            let _ = parse_label(&text, order);
        }
        let _ = parse_period(&text, decimal_comma);
        let _ = detect_day_first(&text.split(' ').collect::<Vec<_>>());
        let _ = unit_of_header(&text);
        let _ = parse_direction(&text);
        if let ParsedValue::Number { value, .. } = parse_value(&text, decimal_comma) {
            prop_assert!(value.is_finite(), "{text:?} → {value}");
        }
        for direction in [None, Some(Direction::HigherIsBetter), Some(Direction::LowerIsBetter)] {
            if let Some(target) = parse_target(&text, decimal_comma, direction, "test") {
                assert_well_formed(&text, &target)?;
            }
        }
        if let Some(target) = split_header(&text, decimal_comma).target {
            assert_well_formed(&text, &target)?;
        }
    }

    #[test]
    fn a_period_reads_back_from_its_label(period in any_period(), day_first: bool) {
        prop_assert_eq!(read_on_month_axis(&period.label(), day_first), Some(period));
    }

    #[test]
    fn case_and_surrounding_spaces_do_not_change_a_period(
        period in any_period(),
        before in "[ \t]{0,3}",
        after in "[ \t]{0,3}",
    ) {
        let label = period.label();
        let padded = format!("{before}{}{after}", label.to_lowercase());
        prop_assert_eq!(read_on_month_axis(&padded, false), Some(period));
    }

    #[test]
    fn spellings_of_a_month_agree(year in 1900i32..=2200, month in 1u32..=12) {
        let name = MONTHS[month as usize - 1];
        let spellings = [
            format!("{year}-{month:02}"),
            format!("{month:02}/{year}"),
            format!("{name} {year}"),
            format!("{} {year}", &name[..3]),
            format!("{}-{:02}", &name[..3], year % 100),
            format!("{} {year}", name.to_uppercase()),
        ];
        for (index, spelling) in spellings.iter().enumerate() {
            // `Jan-24` is 2024: a two-digit year is 20xx.
            let wanted = if index == 4 {
                Some(Period::Month { year: 2000 + year % 100, month })
            } else {
                Some(Period::Month { year, month })
            };
            prop_assert_eq!(read_on_month_axis(spelling, false), wanted, "{}", spelling);
        }
    }

    #[test]
    fn spellings_of_a_quarter_agree(year in 1900i32..=2200, quarter in 1u32..=4) {
        let wanted = Some(Period::Quarter { year, quarter });
        for spelling in [
            format!("{year} Q{quarter}"),
            format!("Q{quarter} {year}"),
            format!("{year}-Q{quarter}"),
            format!("q{quarter} {year}"),
        ] {
            prop_assert_eq!(parse_period(&spelling, false), wanted, "{}", spelling);
        }
    }

    #[test]
    fn a_day_above_twelve_settles_the_order(
        year in 1900i32..=2200,
        month in 1u32..=12,
        day in 13u32..=28,
        day_first: bool,
    ) {
        let wanted = NaiveDate::from_ymd_opt(year, month, day).map(Period::Day);
        let day_month = format!("{day:02}/{month:02}/{year}");
        let month_day = format!("{month:02}/{day:02}/{year}");
        prop_assert_eq!(parse_period(&day_month, day_first), wanted);
        prop_assert_eq!(parse_period(&month_day, day_first), wanted);
        prop_assert!(detect_day_first(&[day_month.as_str()]));
        prop_assert!(!detect_day_first(&[month_day.as_str()]));
    }

    #[test]
    fn decimals_read_as_written(cents in -100_000_000_000i64..=100_000_000_000) {
        let value = cents as f64 / 100.0;
        let text = format!("{value:.2}");
        prop_assert_eq!(parse_value(&text, false), number(value, None), "{}", text);
        let comma = text.replace('.', ",");
        prop_assert_eq!(parse_value(&comma, true), number(value, None), "{}", comma);
    }

    #[test]
    fn thousands_separators_are_read_either_way(
        units in 1_000u64..=999_999_999_999,
        cents in 0u64..=99,
        decimal_comma: bool,
    ) {
        let digits = units.to_string();
        let mut grouped = Vec::new();
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        let english: String = grouped.iter().collect();
        let english = format!("{english}.{cents:02}");
        let european: String = english
            .chars()
            .map(|c| match c { ',' => '.', '.' => ',', other => other })
            .collect();
        let value = units as f64 + cents as f64 / 100.0;
        // Both separators present: the last one is the decimal, whatever the flag.
        prop_assert_eq!(parse_value(&english, decimal_comma), number(value, None), "{}", english);
        prop_assert_eq!(parse_value(&european, decimal_comma), number(value, None), "{}", european);
    }

    #[test]
    fn units_beside_a_number_are_kept(hundredths in 0u32..=100_000, padding in "[ ]{0,2}") {
        let value = f64::from(hundredths) / 100.0;
        let text = format!("{value}");
        prop_assert_eq!(parse_value(&format!("{padding}{text}%{padding}"), false), number(value, Some("%")));
        prop_assert_eq!(parse_value(&format!("${text}"), false), number(value, Some("$")));
        prop_assert_eq!(parse_value(&format!("-{text}"), false), number(-value, None));
    }

    #[test]
    fn comparison_targets_read_their_kind(hundredths in 0u32..=1_000_000, spaced: bool) {
        let value = f64::from(hundredths) / 100.0;
        let gap = if spaced { " " } else { "" };
        for (operator, kind) in [
            ("<=", TargetKind::AtMost),
            ("<", TargetKind::AtMost),
            ("≤", TargetKind::AtMost),
            (">=", TargetKind::AtLeast),
            (">", TargetKind::AtLeast),
            ("≥", TargetKind::AtLeast),
        ] {
            let text = format!("{operator}{gap}{value}");
            let target = parse_target(&text, false, None, "test");
            prop_assert_eq!(target.as_ref().map(|target| (target.kind, target.value)), Some((kind, Some(value))), "{}", text);
        }
    }

    #[test]
    fn a_band_is_in_order_however_written(first in 0u32..=10_000, second in 0u32..=10_000) {
        let (low, high) = (f64::from(first.min(second)), f64::from(first.max(second)));
        for text in [format!("between {first} and {second}"), format!("{first} to {second}")] {
            let target = parse_target(&text, false, None, "test");
            prop_assert_eq!(
                target.as_ref().map(|target| (target.kind, target.low, target.high)),
                Some((TargetKind::Between, Some(low), Some(high))),
                "{}", text
            );
        }
    }

    #[test]
    fn a_header_target_leaves_the_name(
        word in "[A-Z][a-z]{2,10}",
        hundredths in 0u32..=100_000,
        at_most: bool,
    ) {
        let value = f64::from(hundredths) / 100.0;
        let name = format!("Metric {word}");
        let (operator, kind) = if at_most { ("<", TargetKind::AtMost) } else { (">=", TargetKind::AtLeast) };
        let header = format!("{name} (target {operator} {value})");
        let parts = split_header(&header, false);
        prop_assert_eq!(&parts.name, &name);
        prop_assert_eq!(parts.target.map(|target| (target.kind, target.value)), Some((kind, Some(value))));
    }
}
