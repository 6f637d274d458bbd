//! How key results are written: numbers with the KPI's unit and its own
//! precision, typographic minus signs, deadlines a person reads ("31 Mar
//! 2026"), lists of names, and the sentence pieces every suggestion shares.

use crate::analysis::health::round_like;
use crate::model::{format_number, Frequency, Target, TargetKind};

/// A value with its unit as people write it: "7.5 %", "$1,200", "2.4 s".
pub fn with_unit(value: f64, unit: Option<&str>) -> String {
    match unit.map(str::trim).filter(|unit| !unit.is_empty()) {
        Some("%") => minus(format!("{} %", trimmed(value))),
        Some(currency @ ("$" | "€" | "£" | "¥" | "R$" | "BRL" | "USD" | "EUR" | "GBP")) => {
            let magnitude = group_thousands(&format_number(value.abs()));
            let sign = if value < 0.0 { "−" } else { "" };
            if currency.len() > 2 {
                format!("{sign}{magnitude} {currency}")
            } else {
                format!("{sign}{currency}{magnitude}")
            }
        }
        Some(unit) => format!("{} {unit}", minus(group_thousands(&format_number(value)))),
        None => minus(group_thousands(&format_number(value))),
    }
}

/// A value rounded like the KPI's own values, then written with its unit.
pub fn value_like(value: f64, unit: Option<&str>, values: &[Option<f64>]) -> String {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    with_unit(round_like(value, &present), unit)
}

/// "7.50" → "7.5", "2.0" → "2" (at most four decimals).
fn trimmed(value: f64) -> String {
    format_number(value)
}

/// A typographic minus sign in place of a hyphen.
pub fn minus(text: String) -> String {
    match text.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => text,
    }
}

/// "1234567.5" → "1,234,567.5".
fn group_thousands(number: &str) -> String {
    let (sign, digits) = number
        .strip_prefix('-')
        .map_or(("", number), |rest| ("-", rest));
    let (whole, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(whole, fraction)| (whole, Some(fraction)));
    let mut grouped = String::new();
    for (position, digit) in whole.chars().enumerate() {
        if position > 0 && (whole.len() - position) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A date as a sentence writes it: 2026-03-31 → "31 Mar 2026".
pub fn readable_date(date: chrono::NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// "A", "A and B", "A, B and C".
pub fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A target in words with the KPI's unit: "≤ 7.5 %", "≥ 70", "95–105".
pub fn target_words(target: &Target, unit: Option<&str>) -> String {
    let number = |value: Option<f64>| {
        value
            .map(|value| with_unit(value, unit))
            .unwrap_or_default()
    };
    match target.kind {
        TargetKind::AtLeast => format!("≥ {}", number(target.value)),
        TargetKind::AtMost => format!("≤ {}", number(target.value)),
        TargetKind::Between => format!("{} – {}", number(target.low), number(target.high)),
    }
}

/// "at or below 7.5 %" for a Keep key result.
pub fn keep_phrase(target: &Target, unit: Option<&str>) -> String {
    let number = |value: Option<f64>| {
        value
            .map(|value| with_unit(value, unit))
            .unwrap_or_default()
    };
    match target.kind {
        TargetKind::AtLeast => format!("at or above {}", number(target.value)),
        TargetKind::AtMost => format!("at or below {}", number(target.value)),
        TargetKind::Between => {
            format!("between {} and {}", number(target.low), number(target.high))
        }
    }
}

/// A q-value as people read it in a sentence: "q = 0.003" or "q < 0.001".
pub fn q_phrase(q_value: f64) -> String {
    if q_value < 0.001 {
        "q < 0.001".to_string()
    } else {
        format!("q = {q_value:.3}")
    }
}

/// A change per period in words: "about −0.3 % a month", "about +120 a week".
pub fn per_period(
    change: f64,
    unit: Option<&str>,
    values: &[Option<f64>],
    frequency: Frequency,
) -> String {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    // One more decimal than the values, so a small step does not round to 0.
    let rounded = {
        let base = round_like(change, &present);
        if base == 0.0 && change != 0.0 {
            crate::analysis::health::round_significant(change, 2)
        } else {
            base
        }
    };
    let sign = if rounded > 0.0 { "+" } else { "" };
    let amount = match unit.map(str::trim) {
        Some("%") => format!("{} points", minus(format_number(rounded))),
        _ => with_unit(rounded, unit),
    };
    format!("about {sign}{amount} a {}", frequency.unit_word(1))
}

/// A chance in words: 0.62 → "a 62 % chance".
pub fn chance(probability: f64) -> String {
    let percent = (probability * 100.0).round();
    if percent >= 99.0 {
        "a near-certain chance".to_string()
    } else if percent <= 1.0 {
        "almost no chance".to_string()
    } else {
        format!("a {percent:.0} % chance")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_with_their_units() {
        assert_eq!(with_unit(11.0, Some("%")), "11 %");
        assert_eq!(with_unit(7.5, Some("%")), "7.5 %");
        assert_eq!(with_unit(1200.0, Some("$")), "$1,200");
        assert_eq!(with_unit(2.4, Some("s")), "2.4 s");
        assert_eq!(with_unit(1234567.0, None), "1,234,567");
        assert_eq!(with_unit(-1500.0, Some("$")), "−$1,500");
        assert_eq!(with_unit(2500.0, Some("BRL")), "2,500 BRL");
        assert_eq!(value_like(7.318_3, None, &[Some(7.3), Some(7.4)]), "7.3");
    }

    #[test]
    fn dates_names_chances_and_steps_read_like_sentences() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(readable_date(date), "31 Mar 2026");
        assert_eq!(join_names(&["A", "B", "C"]), "A, B and C");
        assert_eq!(join_names(&["A"]), "A");
        assert_eq!(chance(0.624), "a 62 % chance");
        assert_eq!(
            per_period(-0.3, Some("%"), &[Some(8.1), Some(8.5)], Frequency::Monthly),
            "about −0.3 points a month"
        );
        assert_eq!(
            per_period(120.4, None, &[Some(1000.0)], Frequency::Weekly),
            "about +120 a week"
        );
    }
}
