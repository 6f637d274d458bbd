//! What sits in a table but is not a KPI: row counters (1, 2, 3 …), ID and
//! code columns, True/False flags, text columns (`Up` / `Down`, `On Track`),
//! period encodings beside the period (`month_num`, `year`), blank-header
//! columns of zeros, `<Enter …>` placeholders, and generic or numeric names.
//! Each reader asks here, so the rules are the same for every layout, and
//! what was left out is said once per kind.

use crate::ingest::grid::Cell;
use crate::ingest::locale::{MONTH_HEADERS, PERIOD_HEADERS, YEAR_HEADERS};
use crate::ingest::metadata::normalise;
use crate::ingest::value::{parse_value, ParsedValue};

/// Why a column or row with cells is not a KPI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotKpi {
    /// 1, 2, 3 … in order.
    Counter,
    /// `ID`, `Code`, `Key`.
    Identifier,
    /// True/False or Yes/No.
    Flag,
    /// Words, not numbers (`Up`, `On Track`).
    Text,
    /// Another spelling of the period (`month_num`, `year`).
    PeriodEncoding,
    /// No header and nothing but zeros.
    BlankZeros,
    /// Fewer than two values in a table of several periods.
    TooFewValues,
}

impl NotKpi {
    /// How the warning names the kind.
    pub fn describe(self) -> &'static str {
        match self {
            NotKpi::Counter => "row counters",
            NotKpi::Identifier => "IDs or codes",
            NotKpi::Flag => "True/False flags",
            NotKpi::Text => "text, not numbers",
            NotKpi::PeriodEncoding => "other spellings of the period",
            NotKpi::BlankZeros => "no header and only zeros",
            NotKpi::TooFewValues => "fewer than two values",
        }
    }
}

/// Whole-header words of an ID or counter column.
const IDENTIFIER_HEADERS: &[&str] = &[
    "id",
    "ids",
    "code",
    "codes",
    "key",
    "uuid",
    "guid",
    "ref",
    "reference",
    "codigo",
    "código",
    "cod",
    "sku",
    "record id",
    "row id",
];

const COUNTER_HEADERS: &[&str] = &[
    "#",
    "no",
    "nr",
    "nº",
    "n",
    "num",
    "number",
    "sr no",
    "s no",
    "sno",
    "sl no",
    "serial",
    "serial no",
    "row",
    "row no",
    "index",
    "idx",
    "seq",
    "item no",
    "line",
    "item",
];

/// Whether a name says nothing: `Column D`, `Row 12`, `Unnamed: 3`, `Col1`.
pub fn is_generic_name(name: &str) -> bool {
    let words = normalise(name);
    let mut parts = words.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("column" | "row" | "col" | "field" | "unnamed" | "series"), Some(rest), None) => {
            rest.chars().all(|c| c.is_ascii_alphanumeric()) && rest.len() <= 4
        }
        (Some(single), None, None) => {
            single.is_empty()
                || ["col", "column", "field", "var"].iter().any(|prefix| {
                    single.strip_prefix(prefix).is_some_and(|rest| {
                        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
                    })
                })
        }
        _ => false,
    }
}

/// Whether a name is only a number (`300000`, `0`, `2.5`).
pub fn is_number_name(name: &str) -> bool {
    let base = name
        .trim()
        .trim_end_matches(|c: char| c == ')' || c.is_ascii_digit() || c == ' ' || c == '(');
    let whole = name.trim();
    let numeric = |text: &str| matches!(parse_value(text, false), ParsedValue::Number { .. });
    numeric(whole) || (base.is_empty() && !whole.is_empty())
}

/// Whether a header names an ID or code column.
pub fn is_identifier_header(header: &str) -> bool {
    IDENTIFIER_HEADERS.contains(&normalise(header).as_str())
}

/// Whether a header names a row counter.
pub fn is_counter_header(header: &str) -> bool {
    let words = normalise(header);
    words.is_empty() || COUNTER_HEADERS.contains(&words.as_str()) || header.trim() == "#"
}

/// Whether a header names a part or spelling of the period: `year`, `Ano`,
/// `month_num`, `Mês`, `quarter`, `week`, `period`.
pub fn is_period_header(header: &str) -> bool {
    let words = normalise(header);
    let words = words.as_str();
    YEAR_HEADERS.contains(&words)
        || MONTH_HEADERS.contains(&words)
        || PERIOD_HEADERS.contains(&words)
}

/// Whether a text is a template placeholder: `<Enter Goal Title>`, `[Name]`.
pub fn is_placeholder(text: &str) -> bool {
    let trimmed = text.trim();
    (trimmed.starts_with('<') && trimmed.ends_with('>'))
        || (trimmed.starts_with('[') && trimmed.ends_with(']') && trimmed.len() > 2)
}

/// Whether a text reads like an instruction or a note rather than a name:
/// long, or a sentence.
pub fn is_prose(text: &str) -> bool {
    let trimmed = text.trim();
    trimmed.chars().count() > 80
        || trimmed.contains('\n')
        || (trimmed.split_whitespace().count() > 6 && trimmed.ends_with(['.', ':', '!']))
}

/// Whether numbers in line order count 1, 2, 3 … (or 0, 1, 2 …): a row counter.
pub fn is_counter(numbers: &[f64]) -> bool {
    numbers.len() >= 3
        && numbers
            .first()
            .is_some_and(|first| *first == 0.0 || *first == 1.0)
        && numbers.windows(2).all(|pair| pair[1] - pair[0] == 1.0)
}

/// Whether a cell is a True/False or Yes/No flag.
pub fn is_flag(cell: &Cell) -> bool {
    match cell {
        Cell::Bool(_) => true,
        Cell::Text(text) => matches!(
            text.trim().to_lowercase().as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "y"
                | "n"
                | "sim"
                | "não"
                | "nao"
                | "sí"
                | "si"
                | "oui"
                | "non"
                | "ja"
                | "nein"
                | "wahr"
                | "falsch"
                | "verdadeiro"
                | "falso"
        ),
        _ => false,
    }
}

/// Classifies the cells of a column (or row) that are not plainly a KPI.
/// `header` is the column's header, `cells` its cells in line order,
/// `periods` the number of periods in the table.
pub fn not_a_kpi(
    header: &str,
    cells: &[&Cell],
    periods: usize,
    decimal_comma: bool,
) -> Option<NotKpi> {
    let mut numbers = Vec::new();
    let mut flags = 0usize;
    let mut texts = 0usize;
    for cell in cells {
        if is_flag(cell) {
            flags += 1;
            continue;
        }
        match cell {
            Cell::Number(number) if number.is_finite() => numbers.push(*number),
            Cell::Text(text) => match parse_value(text, decimal_comma) {
                ParsedValue::Number { value, .. } => numbers.push(value),
                ParsedValue::Missing => {}
                ParsedValue::Text => texts += 1,
            },
            _ => {}
        }
    }
    if numbers.is_empty() {
        return if flags > 0 && flags >= texts {
            Some(NotKpi::Flag)
        } else if texts > 0 && is_period_header(header) {
            // `month` beside the `period` column: `Jan`, `Feb` …
            Some(NotKpi::PeriodEncoding)
        } else if texts > 0 {
            Some(NotKpi::Text)
        } else {
            None
        };
    }
    if is_period_header(header) {
        return Some(NotKpi::PeriodEncoding);
    }
    if is_identifier_header(header) {
        return Some(NotKpi::Identifier);
    }
    if is_counter_header(header) && is_counter(&numbers) {
        return Some(NotKpi::Counter);
    }
    if header.trim().is_empty() && numbers.iter().all(|number| *number == 0.0) {
        return Some(NotKpi::BlankZeros);
    }
    if flags > numbers.len() {
        return Some(NotKpi::Flag);
    }
    if texts > numbers.len() * 2 && texts >= 3 {
        return Some(NotKpi::Text);
    }
    if numbers.len() < 2 && periods >= 4 {
        return Some(NotKpi::TooFewValues);
    }
    None
}

/// The warning for what was left out, one sentence per kind.
pub fn left_out_warnings(what: &str, left_out: &[(NotKpi, String)]) -> Vec<String> {
    let mut kinds: Vec<NotKpi> = left_out.iter().map(|(kind, _)| *kind).collect();
    kinds.sort();
    kinds.dedup();
    kinds
        .into_iter()
        .map(|kind| {
            let labels: Vec<String> = left_out
                .iter()
                .filter(|(other, _)| *other == kind)
                .map(|(_, label)| label.clone())
                .collect();
            format!(
                "Left out {what} that are not KPIs ({}): {}.",
                kind.describe(),
                super::quoted_list(&labels)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_and_numeric_names() {
        for name in ["Column D", "Row 12", "Unnamed: 3", "col1", "", "Field 2"] {
            assert!(is_generic_name(name), "{name}");
        }
        for name in ["Revenue", "Column chart views", "Rows shipped"] {
            assert!(!is_generic_name(name), "{name}");
        }
        assert!(is_number_name("300000"));
        assert!(is_number_name("300000 (2)"));
        assert!(!is_number_name("Q3 revenue"));
    }

    #[test]
    fn counters_ids_flags_and_encodings_are_not_kpis() {
        let numbers: Vec<Cell> = (1..=8).map(|n| Cell::Number(n as f64)).collect();
        let refs: Vec<&Cell> = numbers.iter().collect();
        assert_eq!(not_a_kpi("Sr no", &refs, 8, false), Some(NotKpi::Counter));
        assert_eq!(not_a_kpi("", &refs, 8, false), Some(NotKpi::Counter));
        assert_eq!(not_a_kpi("Signups", &refs, 8, false), None);
        assert_eq!(
            not_a_kpi("month_num", &refs, 8, false),
            Some(NotKpi::PeriodEncoding)
        );
        assert_eq!(not_a_kpi("ID", &refs, 8, false), Some(NotKpi::Identifier));
        assert_eq!(not_a_kpi("new_line_id", &refs, 8, false), None);
        let flags = [Cell::Bool(true), Cell::Text("False".to_string())];
        let refs: Vec<&Cell> = flags.iter().collect();
        assert_eq!(
            not_a_kpi("churn_caution", &refs, 8, false),
            Some(NotKpi::Flag)
        );
        let zeros = [Cell::Text("0,00".to_string()), Cell::Number(0.0)];
        let refs: Vec<&Cell> = zeros.iter().collect();
        assert_eq!(not_a_kpi("", &refs, 2, true), Some(NotKpi::BlankZeros));
    }
}
