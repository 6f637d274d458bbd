//! Reading one cell's text as a number. Owns the missing-value markers and
//! spreadsheet errors, signs and accounting parentheses, currencies, percent,
//! scale suffixes (`k`, `M`, `bn`), trailing units, the thousands/decimal
//! separator rules, and the unit written in a column header. Nothing here
//! knows about sheets, periods or KPIs.
//!
//! Separator rules, in order:
//! 1. Spaces (also no-break and narrow no-break) and apostrophes only ever
//!    group thousands: `1 200,50`, `1'200`.
//! 2. When both `.` and `,` appear, the last one is the decimal separator,
//!    whatever the `decimal_comma` flag says: `1,200.50` and `1.200,50`.
//! 3. A separator that appears more than once groups thousands: `1.200.000`.
//! 4. A lone separator after space grouping is decimal: `1 200,5`.
//! 5. A lone separator that is the flag's decimal (`.` normally, `,` with
//!    `decimal_comma`) is decimal: `1.200` is 1.2 unless `decimal_comma`.
//! 6. A lone separator of the other kind groups thousands only when it could:
//!    one to three digits (not starting with 0) before it and exactly three
//!    after (`1,200` → 1200). Otherwise it cannot be a thousands separator, so
//!    it is read as the decimal one (`1,5` → 1.5, `0,500` → 0.5).
//!
//! Grouping must be regular (groups of three, or the Indian 2-2-3 form
//! `12,34,567`); anything else (`12,34` with two separators, `1 2`) is text.

/// What one cell's text holds.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedValue {
    /// A finite number and the unit written beside it (`%`, `$`, `ms`, …).
    /// Percentages keep their written value: `7.5%` is 7.5 with unit `%`.
    Number { value: f64, unit: Option<String> },
    /// Blank, a missing-value marker (`n/a`, `-`, `tbd`, …) or a spreadsheet
    /// error (`#DIV/0!`, `#N/A`, LibreOffice `Err:502`).
    Missing,
    /// Anything else: words (`Churn`), `inf`, and numbers too large for an
    /// f64 (`1e999`). Overflowing numbers are Text rather than Missing because
    /// someone wrote something there, and the caller should be able to say so.
    Text,
}

/// Cells longer than this are prose, not numbers; the cap also bounds the
/// work done on hostile input.
const MAX_NUMBER_BYTES: usize = 100;

/// Lower-cased texts that mean "no value here".
const MISSING_MARKERS: &[&str] = &[
    "n/a", "n.a.", "n.a", "na", "nan", "null", "nil", "none", "tbd", "tba", "?", "??", "..", "...",
    "n/v",
];

/// Excel and Google Sheets error values, lower-cased.
const SPREADSHEET_ERRORS: &[&str] = &[
    "#n/a",
    "#na",
    "#div/0!",
    "#value!",
    "#ref!",
    "#name?",
    "#num!",
    "#null!",
    "#spill!",
    "#calc!",
    "#getting_data",
    "#field!",
    "#blocked!",
    "#connect!",
    "#busy!",
    "#unknown!",
    "#external!",
    "#python!",
    "#error!",
];

/// Currency symbols and codes, longest first so `US$` wins over `$`. Each
/// entry is matched case-insensitively and reported as written here.
const CURRENCIES: &[&str] = &[
    "dollars", "dollar", "euros", "euro", "US$", "AU$", "CA$", "NZ$", "HK$", "USD", "EUR", "GBP",
    "CHF", "JPY", "CNY", "RMB", "INR", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK",
    "HUF", "BRL", "MXN", "ZAR", "SGD", "HKD", "KRW", "TRY", "RUB", "ILS", "AED", "SAR", "A$", "C$",
    "S$", "R$", "kr", "zł", "Kč", "$", "€", "£", "¥", "₹", "₩", "₽", "₺", "₪", "₫", "₱", "฿", "₴",
    "₦", "¢",
];

/// Units kept beside a number (lower-case; matched case-insensitively).
const UNIT_WORDS: &[&str] = &[
    "ms",
    "s",
    "sec",
    "secs",
    "second",
    "seconds",
    "min",
    "mins",
    "minute",
    "minutes",
    "h",
    "hr",
    "hrs",
    "hour",
    "hours",
    "d",
    "day",
    "days",
    "wk",
    "wks",
    "week",
    "weeks",
    "mo",
    "mos",
    "month",
    "months",
    "yr",
    "yrs",
    "year",
    "years",
    "pts",
    "pt",
    "point",
    "points",
    "pp",
    "bp",
    "bps",
    "x",
    "×",
    "users",
    "user",
    "customers",
    "people",
    "fte",
    "ftes",
    "tickets",
    "orders",
    "units",
    "items",
    "visits",
    "sessions",
    "calls",
    "kb",
    "mb",
    "gb",
    "tb",
    "kwh",
    "kg",
    "km",
];

/// Scale words in a header unit such as `€k` or `USD m` or `$ thousands`.
const HEADER_SCALES: &[&str] = &[
    "k",
    "m",
    "mm",
    "mn",
    "mio",
    "bn",
    "b",
    "000",
    "000s",
    "'000",
    "thousands",
    "millions",
    "billions",
];

/// Reads one cell's text. See the module documentation for the separator
/// rules; `decimal_comma` says which separator a lone, ambiguous one is.
pub fn parse_value(text: &str, decimal_comma: bool) -> ParsedValue {
    let cleaned = clean_cell(text);
    if is_missing_marker(cleaned) {
        return ParsedValue::Missing;
    }
    if cleaned.len() > MAX_NUMBER_BYTES {
        return ParsedValue::Text;
    }
    match read_number(cleaned, decimal_comma) {
        Some((value, unit)) => ParsedValue::Number { value, unit },
        None => ParsedValue::Text,
    }
}

/// Whether `parse_value` reads a number from `text`. The separator flag only
/// changes which number is read, never whether one is, so none is asked for.
pub fn looks_numeric(text: &str) -> bool {
    matches!(parse_value(text, false), ParsedValue::Number { .. })
}

/// The unit written in a column header, or None. Recognised, in order:
/// a trailing bracket whose whole content is a unit (`Revenue ($)`,
/// `Load time [ms]`, `MRR (€k)`, `Cost (in USD)`), skipping brackets that are
/// not units (`Churn % (target < 7.5)` looks further left); then a trailing
/// `%`, `‰` or currency symbol (`Churn %`, `Revenue €`); then a unit after the
/// last comma or ` in ` (`Load time, ms`, `Time spent in minutes`). A unit is
/// a currency, a currency with a scale (`€k`, `k€`, `USD m`), `%`, `#`, or a
/// word from the unit list (ms, h, days, pts, users, …); it is returned as
/// written.
pub fn unit_of_header(header: &str) -> Option<String> {
    let mut rest = clean_cell(header);
    while let Some((before, content)) = trailing_bracket(rest) {
        if let Some(unit) = header_unit_token(content) {
            return Some(unit);
        }
        rest = before.trim_end();
    }
    if let Some(symbol) = trailing_symbol_unit(rest) {
        return Some(symbol);
    }
    let after_comma = rest.rsplit_once(',').map(|(_, after)| after);
    let after_in = rest.rsplit_once(" in ").map(|(_, after)| after);
    after_comma
        .and_then(header_unit_token)
        .or_else(|| after_in.and_then(header_unit_token))
}

/// `text` without surrounding whitespace, byte-order marks or zero-width
/// spaces, which spreadsheets and CSV exports leave behind invisibly.
pub(crate) fn clean_cell(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'))
}

/// Splits `text` ending in `)` or `]` into what comes before the matching
/// opening bracket and what is inside. None when `text` does not end in a
/// balanced bracket.
pub(crate) fn trailing_bracket(text: &str) -> Option<(&str, &str)> {
    let closing = text.chars().last()?;
    let opening = match closing {
        ')' => '(',
        ']' => '[',
        _ => return None,
    };
    let mut depth = 0usize;
    for (index, c) in text.char_indices().rev() {
        if c == closing {
            depth += 1;
        } else if c == opening {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                let before = text.get(..index)?;
                let inside = text.get(index + 1..text.len() - 1)?;
                return Some((before, inside));
            }
        }
    }
    None
}

fn is_missing_marker(text: &str) -> bool {
    if text.is_empty() || text.chars().all(is_dash) {
        return true;
    }
    let lower = text.to_lowercase();
    MISSING_MARKERS.contains(&lower.as_str())
        || SPREADSHEET_ERRORS.contains(&lower.as_str())
        || is_libreoffice_error(&lower)
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '―' | '‒' | '−')
}

/// LibreOffice writes errors as `Err:502`.
fn is_libreoffice_error(lower: &str) -> bool {
    lower
        .strip_prefix("err:")
        .is_some_and(|code| !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()))
}

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '−' | '﹣' | '－')
}

fn is_space_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’')
}

fn is_number_separator(c: char) -> bool {
    matches!(c, '.' | ',') || is_space_separator(c) || is_apostrophe(c)
}

/// The value and unit of a number with its decorations, or None when the text
/// holds anything that is not part of a number.
fn read_number(text: &str, decimal_comma: bool) -> Option<(f64, Option<String>)> {
    let start = number_start(text)?;
    let (prefix_text, from_number) = text.split_at_checked(start)?;
    let (core, suffix_text) = from_number.split_at_checked(core_length(from_number))?;
    let prefix = read_prefix(prefix_text)?;
    let suffix = read_suffix(suffix_text)?;
    if prefix.open_parens != suffix.close_parens || prefix.open_parens > 1 {
        return None;
    }
    let currency = match (prefix.currency, suffix.currency) {
        (Some(_), Some(_)) => return None,
        (prefix_currency, suffix_currency) => prefix_currency.or(suffix_currency),
    };
    let (scale, word_unit) = resolve_scale(suffix.scale_word, suffix.unit, currency.is_some())?;
    let unit = match (currency, word_unit) {
        (Some(_), Some(_)) => return None,
        (Some(currency), None) => Some(currency.to_string()),
        (None, unit) => unit,
    };
    let magnitude = read_digits(core, decimal_comma)? * scale;
    let negative = prefix.negative || suffix.negative || prefix.open_parens == 1;
    let value = if negative { -magnitude } else { magnitude };
    // Adding zero turns -0.0 into 0.0, so `-0` never shows as "-0".
    value
        .is_finite()
        .then_some(value + 0.0)
        .map(|value| (value, unit))
}

/// Byte index of the first digit, or of a `.`/`,` directly before a digit (`.5`).
fn number_start(text: &str) -> Option<usize> {
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let next_is_digit = chars.peek().is_some_and(|(_, next)| next.is_ascii_digit());
        if c.is_ascii_digit() || (matches!(c, '.' | ',') && next_is_digit) {
            return Some(index);
        }
    }
    None
}

/// Byte length of the digits-and-separators run at the start of `text`,
/// with its exponent. A separator only belongs to the run when a digit
/// follows it, so `12 ms` stops before the space.
fn core_length(text: &str) -> usize {
    let mut end = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let next_is_digit = chars.peek().is_some_and(|(_, next)| next.is_ascii_digit());
        if c.is_ascii_digit() {
            end = index + c.len_utf8();
        } else if !(is_number_separator(c) && next_is_digit) {
            break;
        }
    }
    end + text.get(end..).map_or(0, exponent_length)
}

/// Byte length of an exponent such as `e3` or `E-12` at the start of `text`.
fn exponent_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    if !matches!(bytes.first(), Some(b'e' | b'E')) {
        return 0;
    }
    let sign_length = usize::from(matches!(bytes.get(1), Some(b'+' | b'-')));
    let digits = bytes
        .iter()
        .skip(1 + sign_length)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        0
    } else {
        1 + sign_length + digits
    }
}

#[derive(Default)]
struct Prefix {
    signed: bool,
    negative: bool,
    open_parens: usize,
    currency: Option<&'static str>,
}

/// Reads what may stand before a number: whitespace, one sign, one `(`, one
/// currency, in any order (`-$5`, `$-5`, `($5)`).
fn read_prefix(text: &str) -> Option<Prefix> {
    let mut prefix = Prefix::default();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = rest.get(c.len_utf8()..)?;
        } else if c == '(' {
            prefix.open_parens += 1;
            rest = rest.get(1..)?;
        } else if is_minus(c) || c == '+' {
            if prefix.signed {
                return None;
            }
            prefix.signed = true;
            prefix.negative = is_minus(c);
            rest = rest.get(c.len_utf8()..)?;
        } else {
            let (currency, length) = currency_at(rest)?;
            if prefix.currency.replace(currency).is_some() {
                return None;
            }
            rest = rest.get(length..)?;
        }
    }
    Some(prefix)
}

#[derive(Default)]
struct Suffix {
    negative: bool,
    close_parens: usize,
    currency: Option<&'static str>,
    /// The first word after the number, which may be a scale (`k`, `M`, `bn`).
    scale_word: Option<String>,
    unit: Option<String>,
}

/// Reads what may follow a number: whitespace, `)`, `%`, a trailing minus
/// (SAP exports write `1200-`), a currency, a scale word and a unit word.
fn read_suffix(text: &str) -> Option<Suffix> {
    let mut suffix = Suffix::default();
    let mut rest = text;
    let mut first_word = true;
    while let Some(c) = rest.chars().next() {
        let mut length = c.len_utf8();
        if c == ')' {
            suffix.close_parens += 1;
        } else if is_minus(c) {
            if suffix.negative {
                return None;
            }
            suffix.negative = true;
        } else if matches!(c, '%' | '‰' | '×') {
            set_once(&mut suffix.unit, c.to_string())?;
        } else if let Some((currency, currency_length)) = currency_at(rest) {
            if suffix.currency.replace(currency).is_some() {
                return None;
            }
            length = currency_length;
        } else if c.is_alphabetic() {
            let word: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
            length = word.len();
            // Abbreviations may end in a dot: `hrs.`, `Mio.`.
            if rest
                .get(length..)
                .is_some_and(|after| after.starts_with('.'))
            {
                length += 1;
            }
            if first_word && is_scale_word(&word) {
                suffix.scale_word = Some(word);
            } else if UNIT_WORDS.contains(&word.to_lowercase().as_str()) {
                set_once(&mut suffix.unit, word)?;
            } else {
                return None;
            }
        } else if !c.is_whitespace() {
            return None;
        }
        first_word &= c.is_whitespace();
        rest = rest.get(length..)?;
    }
    Some(suffix)
}

/// Sets `slot` unless it already holds something (a second unit makes the
/// cell text, not a number).
fn set_once(slot: &mut Option<String>, value: String) -> Option<()> {
    match slot.replace(value) {
        Some(_) => None,
        None => Some(()),
    }
}

fn is_scale_word(word: &str) -> bool {
    matches!(
        word,
        "k" | "K"
            | "M"
            | "m"
            | "mn"
            | "Mn"
            | "MN"
            | "mio"
            | "Mio"
            | "bn"
            | "Bn"
            | "BN"
            | "B"
            | "b"
            | "mrd"
            | "Mrd"
            | "tn"
            | "Tn"
    )
}

/// The multiplier for a scale word and the unit left over. Lower-case `m` is
/// a million only beside a currency (`$3m`); alone it stays the unit `m`
/// (minutes or metres, we cannot tell). Lower-case `b` alone is not a number.
fn resolve_scale(
    scale_word: Option<String>,
    unit: Option<String>,
    has_currency: bool,
) -> Option<(f64, Option<String>)> {
    let Some(word) = scale_word else {
        return Some((1.0, unit));
    };
    let scale = match word.as_str() {
        "k" | "K" => 1e3,
        "m" if !has_currency => {
            return match unit {
                None => Some((1.0, Some(word))),
                Some(_) => None,
            }
        }
        "b" if !has_currency => return None,
        "M" | "m" | "mn" | "Mn" | "MN" | "mio" | "Mio" => 1e6,
        "B" | "b" | "bn" | "Bn" | "BN" | "mrd" | "Mrd" => 1e9,
        "tn" | "Tn" => 1e12,
        _ => return None,
    };
    Some((scale, unit))
}

/// The currency at the start of `text` and its byte length. Alphabetic codes
/// must end at a word boundary, so `EURO` is not `EUR` + `O`.
fn currency_at(text: &str) -> Option<(&'static str, usize)> {
    CURRENCIES.iter().find_map(|&currency| {
        let candidate = text.get(..currency.len())?;
        if !candidate.eq_ignore_ascii_case(currency)
            && candidate.to_lowercase() != currency.to_lowercase()
        {
            return None;
        }
        let ends_in_letter = currency.chars().last().is_some_and(char::is_alphabetic);
        let next_is_letter = text
            .get(currency.len()..)
            .and_then(|after| after.chars().next())
            .is_some_and(char::is_alphabetic);
        (!(ends_in_letter && next_is_letter)).then_some((currency, currency.len()))
    })
}

/// The number written in `core` (digits, separators, exponent).
fn read_digits(core: &str, decimal_comma: bool) -> Option<f64> {
    let exponent_at = core.find(['e', 'E']).unwrap_or(core.len());
    let (mantissa, exponent) = core.split_at_checked(exponent_at)?;
    let normalized = normalize_separators(mantissa, decimal_comma)?;
    let value: f64 = format!("{normalized}{exponent}").parse().ok()?;
    value.is_finite().then_some(value)
}

/// `mantissa` rewritten with no grouping and `.` as the decimal separator.
fn normalize_separators(mantissa: &str, decimal_comma: bool) -> Option<String> {
    let mut groups: Vec<&str> = Vec::new();
    let mut separators: Vec<char> = Vec::new();
    let mut group_start = 0;
    for (index, c) in mantissa.char_indices() {
        if !c.is_ascii_digit() {
            groups.push(mantissa.get(group_start..index)?);
            separators.push(c);
            group_start = index + c.len_utf8();
        }
    }
    groups.push(mantissa.get(group_start..)?);

    let decimal_at = decimal_position(&groups, &separators, decimal_comma);
    let integer_group_count = decimal_at.map_or(groups.len(), |at| at + 1);
    if decimal_at.is_some_and(|at| at + 1 != separators.len()) {
        return None;
    }
    let integer_groups = groups.get(..integer_group_count)?;
    let grouping = separators.get(..integer_group_count - 1)?;
    if !grouping_is_valid(integer_groups, grouping) {
        return None;
    }
    let mut number = integer_groups.concat();
    if let Some(at) = decimal_at {
        number.push('.');
        number.push_str(groups.get(at + 1)?);
    }
    Some(number)
}

/// Which separator (by index) is the decimal one; see the module docs.
fn decimal_position(groups: &[&str], separators: &[char], decimal_comma: bool) -> Option<usize> {
    let marks: Vec<(usize, char)> = separators
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| matches!(c, '.' | ','))
        .collect();
    let &(last_at, last_mark) = marks.last()?;
    if marks.iter().any(|&(_, mark)| mark != last_mark) {
        return Some(last_at);
    }
    if marks.len() > 1 {
        return None;
    }
    if separators
        .iter()
        .any(|&c| is_space_separator(c) || is_apostrophe(c))
    {
        return Some(last_at);
    }
    let flag_decimal = if decimal_comma { ',' } else { '.' };
    if last_mark == flag_decimal {
        return Some(last_at);
    }
    let before = groups.get(last_at).copied().unwrap_or_default();
    let after = groups.get(last_at + 1).copied().unwrap_or_default();
    let could_group_thousands =
        after.len() == 3 && (1..=3).contains(&before.len()) && !before.starts_with('0');
    (!could_group_thousands).then_some(last_at)
}

/// Whether the integer part's grouping is regular: no separators, groups of
/// three, or the Indian lakh form (2-digit groups, then a last group of 3).
fn grouping_is_valid(groups: &[&str], separators: &[char]) -> bool {
    let Some((first, later)) = groups.split_first() else {
        return false;
    };
    if separators.is_empty() {
        return true;
    }
    let one_kind = separators.windows(2).all(|pair| match *pair {
        [a, b] => a == b || (is_space_separator(a) && is_space_separator(b)),
        _ => true,
    });
    let western = (1..=3).contains(&first.len()) && later.iter().all(|group| group.len() == 3);
    let indian = (1..=2).contains(&first.len())
        && later.split_last().is_some_and(|(last, middle)| {
            last.len() == 3 && middle.iter().all(|group| group.len() == 2)
        });
    one_kind && !first.starts_with('0') && (western || indian)
}

/// A unit token inside a header bracket or after a comma, as written.
fn header_unit_token(content: &str) -> Option<String> {
    let trimmed = clean_cell(content);
    let lower = trimmed.to_lowercase();
    let unit = match lower.strip_prefix("in ") {
        Some(_) => trimmed.get(3..).map(clean_cell)?,
        None => trimmed,
    };
    is_header_unit(unit).then(|| unit.to_string())
}

fn is_header_unit(unit: &str) -> bool {
    if unit.is_empty() {
        return false;
    }
    let lower = unit.to_lowercase();
    if matches!(lower.as_str(), "%" | "‰" | "#") || UNIT_WORDS.contains(&lower.as_str()) {
        return true;
    }
    is_scaled_currency(unit)
}

/// A currency alone or with a scale on either side: `$`, `€k`, `k€`, `USD m`.
fn is_scaled_currency(unit: &str) -> bool {
    let is_scale = |text: &str| {
        let text = text.trim();
        text.is_empty() || HEADER_SCALES.contains(&text.to_lowercase().as_str())
    };
    if let Some((_, length)) = currency_at(unit) {
        if unit.get(length..).is_some_and(is_scale) {
            return true;
        }
    }
    unit.char_indices().any(|(index, _)| {
        let (scale, rest) = unit.split_at(index);
        !scale.trim().is_empty()
            && is_scale(scale)
            && currency_at(rest.trim_start())
                .is_some_and(|(_, length)| length == rest.trim_start().len())
    })
}

/// A `%`, `‰` or currency symbol closing a header (`Churn %`, `Revenue €`).
fn trailing_symbol_unit(header: &str) -> Option<String> {
    let last = header.chars().last()?;
    if matches!(last, '%' | '‰') {
        return Some(last.to_string());
    }
    let before = header.get(..header.len() - last.len_utf8())?;
    let separated = before.ends_with(char::is_whitespace);
    let is_symbol = !last.is_alphanumeric() && currency_at(&last.to_string()).is_some();
    (separated && is_symbol).then(|| last.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(value: f64, unit: Option<&str>) -> ParsedValue {
        ParsedValue::Number {
            value,
            unit: unit.map(str::to_string),
        }
    }

    #[test]
    fn plain_numbers() {
        let cases: &[(&str, f64)] = &[
            ("12", 12.0),
            ("-3.5", -3.5),
            ("1e3", 1000.0),
            ("1E-3", 0.001),
            ("2.5e+2", 250.0),
            ("+4", 4.0),
            ("  42  ", 42.0),
            ("0", 0.0),
            ("-0", 0.0),
            (".5", 0.5),
            ("-.5", -0.5),
            ("−3", -3.0),
            ("\u{feff}7", 7.0),
            ("1200-", -1200.0),
        ];
        for &(text, expected) in cases {
            assert_eq!(parse_value(text, false), number(expected, None), "{text}");
        }
    }

    #[test]
    fn separators_without_decimal_comma() {
        let cases: &[(&str, f64)] = &[
            ("1,200", 1200.0),
            ("1,200.5", 1200.5),
            ("1,200.50", 1200.5),
            ("1.200,50", 1200.5),
            ("1,234,567", 1_234_567.0),
            ("1.234.567", 1_234_567.0),
            ("1.5", 1.5),
            ("1.200", 1.2),
            ("1,5", 1.5),
            ("1,25", 1.25),
            ("0,500", 0.5),
            ("1234,567", 1234.567),
            ("1 200", 1200.0),
            ("1 200,50", 1200.5),
            ("1\u{a0}200,50", 1200.5),
            ("1\u{202f}200", 1200.0),
            ("1'200", 1200.0),
            ("1’200.75", 1200.75),
            ("12,34,567", 1_234_567.0),
        ];
        for &(text, expected) in cases {
            assert_eq!(parse_value(text, false), number(expected, None), "{text}");
        }
    }

    #[test]
    fn separators_with_decimal_comma() {
        let cases: &[(&str, f64)] = &[
            ("1.200,50", 1200.5),
            ("1,200.50", 1200.5),
            ("1.200", 1200.0),
            ("1,5", 1.5),
            ("1,200", 1.2),
            ("1.5", 1.5),
            ("1.234.567,8", 1_234_567.8),
            ("1 200,50", 1200.5),
        ];
        for &(text, expected) in cases {
            assert_eq!(parse_value(text, true), number(expected, None), "{text}");
        }
    }

    #[test]
    fn irregular_grouping_is_text() {
        for text in [
            "1,2,3",
            "12 5",
            "1.2.3,4",
            "1,2.3.4",
            "1,,200",
            "0,500,000",
            "1 200 30",
        ] {
            assert_eq!(parse_value(text, false), ParsedValue::Text, "{text}");
        }
    }

    #[test]
    fn percent_currency_scale_and_units() {
        let cases: &[(&str, bool, f64, Option<&str>)] = &[
            ("7.5%", false, 7.5, Some("%")),
            ("7,5 %", true, 7.5, Some("%")),
            ("-2 %", false, -2.0, Some("%")),
            ("$1,200", false, 1200.0, Some("$")),
            ("-$1,200", false, -1200.0, Some("$")),
            ("$-1,200", false, -1200.0, Some("$")),
            ("€1.200,50", true, 1200.5, Some("€")),
            ("1.200,50 €", false, 1200.5, Some("€")),
            ("USD 1,200", false, 1200.0, Some("USD")),
            ("usd 1,200", false, 1200.0, Some("USD")),
            ("1,200 EUR", false, 1200.0, Some("EUR")),
            ("US$5", false, 5.0, Some("US$")),
            ("£3k", false, 3000.0, Some("£")),
            ("3.2k", false, 3200.0, None),
            ("3.2 K", false, 3200.0, None),
            ("1.5M", false, 1_500_000.0, None),
            ("$3m", false, 3_000_000.0, Some("$")),
            ("3m €", false, 3_000_000.0, Some("€")),
            ("2bn", false, 2e9, None),
            ("€2B", false, 2e9, Some("€")),
            ("2,5 Mio.", true, 2_500_000.0, None),
            ("3.2k users", false, 3200.0, Some("users")),
            ("(1,200)", false, -1200.0, None),
            ("($1,200)", false, -1200.0, Some("$")),
            ("$(1,200)", false, -1200.0, Some("$")),
            ("(1.200,50 €)", false, -1200.5, Some("€")),
            ("250ms", false, 250.0, Some("ms")),
            ("250 ms", false, 250.0, Some("ms")),
            ("3 s", false, 3.0, Some("s")),
            ("1.5 sec", false, 1.5, Some("sec")),
            ("12 min", false, 12.0, Some("min")),
            ("4 h", false, 4.0, Some("h")),
            ("6 hrs", false, 6.0, Some("hrs")),
            ("2.5 hrs.", false, 2.5, Some("hrs")),
            ("30 days", false, 30.0, Some("days")),
            ("12 pts", false, 12.0, Some("pts")),
            ("3.2x", false, 3.2, Some("x")),
            ("1,200 users", false, 1200.0, Some("users")),
            ("5m", false, 5.0, Some("m")),
            ("5 MB", false, 5.0, Some("MB")),
        ];
        for &(text, decimal_comma, value, unit) in cases {
            assert_eq!(
                parse_value(text, decimal_comma),
                number(value, unit),
                "{text}"
            );
        }
    }

    #[test]
    fn missing_markers() {
        let cases = [
            "",
            "   ",
            "\t",
            "n/a",
            "N/A",
            "na",
            "NA",
            "-",
            "–",
            "—",
            "--",
            "null",
            "NULL",
            "none",
            "None",
            "nan",
            "NaN",
            "?",
            "..",
            "tbd",
            "TBD",
            "#N/A",
            "#DIV/0!",
            "#VALUE!",
            "#REF!",
            "#NAME?",
            "#NUM!",
            "#NULL!",
            "#SPILL!",
            "#CALC!",
            "#GETTING_DATA",
            "Err:502",
            "\u{a0}",
        ];
        for text in cases {
            assert_eq!(parse_value(text, false), ParsedValue::Missing, "{text:?}");
        }
    }

    #[test]
    fn text_is_text() {
        let cases = [
            "abc",
            "Churn",
            "inf",
            "-inf",
            "Infinity",
            "1e999",
            "-1e999",
            "Q1",
            "FY2024",
            "v1.2",
            "12 apples",
            "5b",
            "1e",
            "$$5",
            "--5",
            "5 - 3",
            "1 2 3",
            "(5",
            "5)",
            "$5 €",
            "#",
            "Err:",
            "1.2.3",
            "١٢٣",
            "5 %%",
            "＄5",
        ];
        for text in cases {
            assert_eq!(parse_value(text, false), ParsedValue::Text, "{text:?}");
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        let long_digits = "9".repeat(100_000);
        let long_dashes = "-".repeat(100_000);
        let long_mixed = "1,2.3 4'5€%(".repeat(10_000);
        assert_eq!(parse_value(&long_digits, false), ParsedValue::Text);
        assert_eq!(parse_value(&long_dashes, false), ParsedValue::Missing);
        assert_eq!(parse_value(&long_mixed, true), ParsedValue::Text);
        let near_limit = format!("1{}", "0".repeat(98));
        assert_eq!(parse_value(&near_limit, false), number(1e98, None));
        for text in [
            "é",
            "🙂5",
            "5🙂",
            "\u{202e}5",
            "ß",
            "İ5",
            "ǅ",
            "5\u{301}",
            "\u{0}",
        ] {
            let _ = parse_value(text, false);
            let _ = parse_value(text, true);
            let _ = unit_of_header(text);
        }
    }

    #[test]
    fn looks_numeric_cases() {
        let cases = [
            ("12", true),
            ("7.5%", true),
            ("$1,200", true),
            ("n/a", false),
            ("", false),
            ("Churn", false),
        ];
        for (text, expected) in cases {
            assert_eq!(looks_numeric(text), expected, "{text}");
        }
    }

    #[test]
    fn units_of_headers() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Revenue ($)", Some("$")),
            ("Churn %", Some("%")),
            ("Churn%", Some("%")),
            ("Churn (%)", Some("%")),
            ("Load time [ms]", Some("ms")),
            ("Load time (ms)", Some("ms")),
            ("Load time, ms", Some("ms")),
            ("MRR (€k)", Some("€k")),
            ("MRR (k€)", Some("k€")),
            ("Revenue (USD m)", Some("USD m")),
            ("Revenue (in €)", Some("€")),
            ("Revenue €", Some("€")),
            ("Time spent in minutes", Some("minutes")),
            ("Tickets (#)", Some("#")),
            ("Churn % (target < 7.5)", Some("%")),
            ("Revenue ($) (EMEA)", Some("$")),
            ("Revenue", None),
            ("Revenue (EMEA)", None),
            ("Active users", None),
            ("Time in app", None),
            ("Revenue, EU", None),
            ("NPS (>= 70)", None),
            ("", None),
            ("(", None),
            (")", None),
            ("a)", None),
        ];
        for &(header, expected) in cases {
            assert_eq!(unit_of_header(header).as_deref(), expected, "{header}");
        }
    }

    #[test]
    fn trailing_bracket_cases() {
        assert_eq!(trailing_bracket("A (b)"), Some(("A ", "b")));
        assert_eq!(trailing_bracket("A [b (c)]"), Some(("A ", "b (c)")));
        assert_eq!(trailing_bracket("A (b) c"), None);
        assert_eq!(trailing_bracket("b)"), None);
        assert_eq!(trailing_bracket("é(ü)"), Some(("é", "ü")));
    }
}
