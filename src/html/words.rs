//! Plain words for what the report says: the headline, and for each KPI a
//! sentence on its status, trend, forecast and recent anomalies; for each
//! lead/lag pair a sentence without numbers. The page and the HTML report
//! both show these, so they say the same thing; the numbers behind them
//! stay in the report ("Show the statistics").
//!
//! Everything reads the report as JSON (`serde_json::Value`) and treats
//! every field as optional: a field the report does not carry yet is left
//! out of the sentence, never an error.

use serde::Serialize;
use serde_json::Value;

/// The sentences for one KPI.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct KpiWords {
    /// Against the target: "Outside its target (≤ 7.5 %) for the last 4 months …".
    pub status: String,
    /// "Rising about 0.02 s a month over 3 years; very unlikely to be noise …".
    pub trend: String,
    /// What the forecast says, with the breach chance when the report has it.
    pub forecast: String,
    /// The recent anomalies, or None when there are none.
    pub anomalies: Option<String>,
    /// Periods of the anomalies recent enough to mark on a chart.
    pub recent_anomalies: Vec<String>,
    /// The direction was assumed: ask "Which way is better?".
    pub direction_assumed: bool,
}

// ---- reading the JSON ----------------------------------------------------------

fn number(value: &Value, key: &str) -> Option<f64> {
    value.get(key)?.as_f64().filter(|number| number.is_finite())
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key)?.as_str()
}

fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

// ---- numbers and periods as people write them ---------------------------------------

const PREFIX_UNITS: [&str; 7] = ["$", "£", "€", "¥", "₹", "US$", "R$"];

/// A number for reading: "1,170", "61.2", "0.045", "10.6 M" (compact from a million).
pub fn number_text(value: f64) -> String {
    let magnitude = value.abs();
    let sign = if value < 0.0 { "−" } else { "" };
    if magnitude >= 1e6 {
        let (scaled, suffix) = if magnitude >= 1e12 {
            (magnitude / 1e12, "T")
        } else if magnitude >= 1e9 {
            (magnitude / 1e9, "B")
        } else {
            (magnitude / 1e6, "M")
        };
        let digits = if scaled >= 100.0 { 0 } else { 1 };
        return format!(
            "{sign}{} {suffix}",
            trim_zeros(&format!("{scaled:.digits$}"))
        );
    }
    let digits = if magnitude >= 100.0 {
        0
    } else if magnitude >= 10.0 {
        1
    } else if magnitude >= 1.0 {
        2
    } else if magnitude == 0.0 {
        0
    } else {
        // Two significant digits below one: 0.021, 0.0035.
        let leading_zeros = (-magnitude.log10()).floor() as usize;
        (leading_zeros + 2).min(8)
    };
    let plain = trim_zeros(&format!("{magnitude:.digits$}"));
    format!("{sign}{}", group_thousands(&plain))
}

fn trim_zeros(text: &str) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

fn group_thousands(text: &str) -> String {
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{grouped}.{fraction}"),
        None => grouped,
    }
}

/// A value with its unit: "7.5 %", "$1,200", "2.4 s".
pub fn value_text(value: f64, unit: Option<&str>) -> String {
    let number = number_text(value);
    match unit.map(str::trim).filter(|unit| !unit.is_empty()) {
        None => number,
        Some("%") => format!("{number} %"),
        Some(prefix) if PREFIX_UNITS.contains(&prefix) => match number.strip_prefix('−') {
            Some(rest) => format!("−{prefix}{rest}"),
            None => format!("{prefix}{number}"),
        },
        Some(unit) => format!("{number} {unit}"),
    }
}

/// An amount of change: percentage points for a % KPI.
pub fn change_text(value: f64, unit: Option<&str>) -> String {
    match unit.map(str::trim) {
        Some("%") => format!("{} pp", number_text(value)),
        _ => value_text(value, unit),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "2024-01" → "Jan 2024", "2024-Q1" → "Q1 2024", "2024-03-05" → "5 Mar 2024"; else as given.
pub fn period_text(label: &str) -> String {
    let parts: Vec<&str> = label.split('-').collect();
    let month = |text: &str| {
        text.parse::<usize>()
            .ok()
            .filter(|month| (1..=12).contains(month))
            .and_then(|month| MONTHS.get(month - 1))
    };
    match parts.as_slice() {
        [year, quarter] if year.len() == 4 && quarter.starts_with(['Q', 'H']) => {
            format!("{quarter} {year}")
        }
        [year, rest] if year.len() == 4 && rest.len() == 2 => match month(rest) {
            Some(name) => format!("{name} {year}"),
            None => label.to_string(),
        },
        [year, rest, day] if year.len() == 4 && rest.len() == 2 && day.len() == 2 => {
            match (month(rest), day.parse::<u32>()) {
                (Some(name), Ok(day)) => format!("{day} {name} {year}"),
                _ => label.to_string(),
            }
        }
        _ => label.to_string(),
    }
}

/// "month" / "months" and friends for the report's frequency.
pub fn unit_word(frequency: &str, count: usize) -> &'static str {
    let one = count == 1;
    match (frequency, one) {
        ("daily", true) => "day",
        ("daily", false) => "days",
        ("weekly", true) => "week",
        ("weekly", false) => "weeks",
        ("monthly", true) => "month",
        ("monthly", false) => "months",
        ("quarterly", true) => "quarter",
        ("quarterly", false) => "quarters",
        ("half_yearly", true) => "half year",
        ("half_yearly", false) => "half years",
        ("yearly", true) => "year",
        ("yearly", false) => "years",
        (_, true) => "period",
        (_, false) => "periods",
    }
}

/// "3 months", "1 quarter".
pub fn periods_text(count: usize, frequency: &str) -> String {
    format!("{count} {}", unit_word(frequency, count))
}

/// A stretch of history: "3 years" when it is whole years, else "30 months".
fn span_text(periods: usize, frequency: &str) -> String {
    let per_year = match frequency {
        "monthly" => 12,
        "quarterly" => 4,
        "half_yearly" => 2,
        _ => 0,
    };
    if per_year > 0 && periods >= per_year && periods.is_multiple_of(per_year) {
        let years = periods / per_year;
        return format!("{years} {}", if years == 1 { "year" } else { "years" });
    }
    periods_text(periods, frequency)
}

/// How a p-value reads.
fn noise_words(p: f64) -> &'static str {
    if p < 0.001 {
        "very unlikely to be noise"
    } else if p < 0.01 {
        "unlikely to be noise"
    } else if p < 0.05 {
        "probably not noise"
    } else {
        "it could be noise"
    }
}

/// A probability said as a chance: "likely (about a 62 % chance)".
pub fn chance_text(probability: f64) -> String {
    let percent = (probability * 100.0).round();
    let share = if probability < 0.01 {
        "under 1 %".to_string()
    } else if probability > 0.99 {
        "over 99 %".to_string()
    } else {
        format!("about {percent:.0} %")
    };
    let word = if probability < 0.05 {
        "very unlikely"
    } else if probability < 0.25 {
        "unlikely"
    } else if probability < 0.5 {
        "possible"
    } else if probability < 0.75 {
        "likely"
    } else if probability < 0.95 {
        "very likely"
    } else {
        "almost certain"
    };
    format!("{word} ({share} chance)")
}

// ---- targets ----------------------------------------------------------------------

/// "≤ 7.5 %", "≥ 70", "95–105 %".
pub fn target_text(target: &Value, unit: Option<&str>) -> Option<String> {
    let value = |key| number(target, key).map(|number| value_text(number, unit));
    match text(target, "kind")? {
        "at_most" => Some(format!("≤ {}", value("value")?)),
        "at_least" => Some(format!("≥ {}", value("value")?)),
        "between" => Some(format!(
            "{}–{}",
            number_text(number(target, "low")?),
            value("high")?
        )),
        _ => None,
    }
}

fn health_of(kpi: &Value) -> &str {
    text(kpi, "health").unwrap_or("no_target")
}

/// The KPI's direction was assumed (nothing in the file said it).
pub fn direction_assumed(kpi: &Value) -> bool {
    text(kpi, "direction_source") == Some("default")
}

// ---- one KPI ----------------------------------------------------------------------

/// The anomalies recent enough to mark: within the last few periods.
fn recent_window(frequency: &str) -> usize {
    match frequency {
        "daily" => 14,
        "weekly" => 8,
        "quarterly" => 4,
        "half_yearly" | "yearly" => 2,
        _ => 6,
    }
}

/// The sentences for one KPI of a report (`kpi` is one entry of `kpis`).
pub fn kpi_words(kpi: &Value, frequency: &str, horizon: Option<usize>) -> KpiWords {
    let mut words = KpiWords {
        status: status_sentence(kpi, frequency),
        trend: trend_sentence(kpi, frequency),
        forecast: forecast_sentence(kpi, frequency, horizon),
        direction_assumed: direction_assumed(kpi),
        ..KpiWords::default()
    };
    let (sentence, recent) = anomaly_sentence(kpi, frequency);
    words.anomalies = sentence;
    words.recent_anomalies = recent;
    words
}

fn status_sentence(kpi: &Value, frequency: &str) -> String {
    let unit = text(kpi, "unit");
    let target = kpi.get("target").filter(|target| !target.is_null());
    let Some(target_words) = target.and_then(|target| target_text(target, unit)) else {
        let mut sentence = "No target is set.".to_string();
        if let Some(suggested) = kpi
            .get("suggested_target")
            .filter(|value| value.is_object())
        {
            if let Some(words) = target_text(suggested, unit) {
                sentence.push_str(&format!(" The history suggests {words}"));
                match text(suggested, "basis") {
                    Some(basis) if !basis.is_empty() => sentence.push_str(&format!(" ({basis})")),
                    _ => {}
                }
                sentence.push_str(", as a suggestion to check.");
            }
        }
        if let Some(reason) = text(kpi, "attention_reason").filter(|reason| !reason.is_empty()) {
            sentence.push_str(&format!(" Worth watching: {reason}"));
            if !reason.ends_with('.') {
                sentence.push('.');
            }
        }
        return sentence;
    };
    let breach = kpi.get("breach").cloned().unwrap_or(Value::Null);
    let streak = number(&breach, "streak").unwrap_or(0.0) as usize;
    let count = number(&breach, "count").unwrap_or(0.0) as usize;
    let measured = list(kpi, "values")
        .iter()
        .filter(|value| value.is_number())
        .count();
    let margin = number(&breach, "margin");
    let plan = kpi.get("target_history").is_some_and(Value::is_array);
    let target_phrase = if plan {
        format!("its target for the latest period ({target_words}, from its plan)")
    } else {
        format!("its target ({target_words})")
    };
    let mut sentence = match health_of(kpi) {
        "breached" | "recovering" => format!(
            "Outside {target_phrase} for the last {}",
            periods_text(streak.max(1), frequency)
        ),
        _ => format!("Inside {target_phrase}"),
    };
    if let Some(margin) = margin {
        let side = if margin < 0.0 { "beyond" } else { "inside" };
        if margin != 0.0 {
            sentence.push_str(&format!(", {} {side} it", change_text(margin.abs(), unit)));
        } else {
            sentence.push_str(", exactly on it");
        }
    }
    sentence.push('.');
    if count > 0 && measured > 0 {
        sentence.push_str(&format!(
            " Outside it in {count} of {measured} {} in all.",
            unit_word(frequency, measured)
        ));
    }
    match health_of(kpi) {
        "at_risk" => sentence.push_str(" Heading for a breach."),
        "recovering" => sentence.push_str(" Improving, and projected back within it."),
        _ => {}
    }
    if let Some(reason) = text(kpi, "attention_reason").filter(|reason| !reason.is_empty()) {
        sentence.push_str(&format!(" Worth watching: {reason}"));
        if !reason.ends_with('.') {
            sentence.push('.');
        }
    }
    sentence
}

fn trend_sentence(kpi: &Value, frequency: &str) -> String {
    let trend = kpi.get("trend").cloned().unwrap_or(Value::Null);
    let unit = text(kpi, "unit");
    let values = list(kpi, "values");
    let first = values.iter().position(Value::is_number);
    let last = values.iter().rposition(Value::is_number);
    let span = match (first, last) {
        (Some(first), Some(last)) if last > first => last - first + 1,
        _ => return "Too little history to read a trend.".to_string(),
    };
    let over = span_text(span, frequency);
    if flag(&trend, "wanders") {
        return format!(
            "Wanders up and down over {over} without a steady drift (like a random walk), so no trend is claimed."
        );
    }
    let p = trend
        .get("significance")
        .and_then(|significance| number(significance, "p_value"))
        .or_else(|| {
            trend
                .get("mann_kendall")
                .and_then(|mk| number(mk, "p_value"))
        });
    let slope = number(&trend, "theil_sen_slope").or_else(|| number(&trend, "ols_slope"));
    let verdict = text(&trend, "verdict").unwrap_or("flat");
    let per = unit_word(frequency, 1);
    match (verdict, slope) {
        ("improving" | "worsening", Some(slope)) if slope != 0.0 => {
            let moving = if slope > 0.0 { "Rising" } else { "Falling" };
            let mut sentence = format!(
                "{moving} about {} a {per} over {over}",
                change_text(slope.abs(), unit)
            );
            if let Some(p) = p {
                sentence.push_str(&format!("; {}", noise_words(p)));
            }
            sentence.push('.');
            if direction_assumed(kpi) {
                sentence.push_str(
                    " Which way is better is not stated, so this is not judged either way.",
                );
            } else {
                let better = if text(kpi, "direction") == Some("lower_is_better") {
                    "lower"
                } else {
                    "higher"
                };
                sentence.push_str(&format!(
                    " That is {}, since {better} is better.",
                    if verdict == "improving" {
                        "an improvement"
                    } else {
                        "getting worse"
                    }
                ));
            }
            sentence
        }
        _ => format!("No clear trend over {over}: the ups and downs look like noise."),
    }
}

fn forecast_sentence(kpi: &Value, frequency: &str, horizon: Option<usize>) -> String {
    let forecast = kpi.get("forecast").cloned().unwrap_or(Value::Null);
    let has_target = kpi.get("target").is_some_and(|target| !target.is_null());
    let within = horizon.map_or_else(
        || "the forecast horizon".to_string(),
        |count| format!("the next {}", periods_text(count, frequency)),
    );
    let path = list(&forecast, "path");
    if !has_target {
        return match path.last() {
            Some(point) => match (number(point, "value"), text(point, "period")) {
                (Some(value), Some(period)) => format!(
                    "Projected at about {} by {} (no target to check it against).",
                    value_text(value, text(kpi, "unit")),
                    period_text(period)
                ),
                _ => "No target to forecast against.".to_string(),
            },
            None => "No target to forecast against.".to_string(),
        };
    }
    let breached = match text(&forecast, "kind") {
        Some(kind) => kind == "recovery",
        None => kpi
            .get("breach")
            .is_some_and(|breach| flag(breach, "latest_breached")),
    };
    let ahead = number(&forecast, "periods_ahead")
        .map(|count| format!(" (in {})", periods_text(count as usize, frequency)))
        .unwrap_or_default();
    let range = match (
        text(&forecast, "earliest_period"),
        text(&forecast, "latest_period"),
    ) {
        (Some(earliest), Some(latest)) if earliest != latest => format!(
            "; allowing for uncertainty, between {} and {}",
            period_text(earliest),
            period_text(latest)
        ),
        (Some(earliest), None) => format!(
            "; allowing for uncertainty, from {} to beyond the horizon",
            period_text(earliest)
        ),
        _ => String::new(),
    };
    let mut sentence = match (text(&forecast, "crossing_period"), breached) {
        (Some(period), true) => format!(
            "Projected back within the target by {}{ahead}{range}.",
            period_text(period)
        ),
        (Some(period), false) => format!(
            "Projected to breach the target by {}{ahead}{range}.",
            period_text(period)
        ),
        (None, true) => format!("Not projected back within the target in {within}."),
        (None, false) => format!("No breach projected in {within}."),
    };
    if let Some(probability) = number(&forecast, "breach_probability") {
        let chance = chance_text(probability);
        sentence.push_str(&if breached {
            format!(" Being outside the target at least once in {within} is {chance}.")
        } else {
            format!(" A breach in {within} is {chance}.")
        });
    }
    sentence
}

fn anomaly_sentence(kpi: &Value, frequency: &str) -> (Option<String>, Vec<String>) {
    let anomalies = list(kpi, "anomalies");
    if anomalies.is_empty() {
        return (None, Vec::new());
    }
    let periods: Vec<&str> = list(kpi, "periods")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let window = recent_window(frequency).min(periods.len());
    let recent_from = periods.len().saturating_sub(window);
    let unit = text(kpi, "unit");
    let mut recent = Vec::new();
    // The recent anomalies by how they are unusual: (how, ["Jul 2025 (2.4 s)", …]).
    let mut groups: Vec<(&'static str, Vec<String>)> = Vec::new();
    for anomaly in anomalies {
        let Some(period) = text(anomaly, "period") else {
            continue;
        };
        let is_recent = periods
            .iter()
            .position(|label| *label == period)
            .is_some_and(|index| index >= recent_from);
        if !is_recent {
            continue;
        }
        recent.push(period.to_string());
        let how = match text(anomaly, "rule") {
            Some(rule) if rule.contains("above") && rule.starts_with("run") => {
                "part of a long run above its usual level"
            }
            Some(rule) if rule.contains("below") && rule.starts_with("run") => {
                "part of a long run below its usual level"
            }
            Some(rule) if rule.contains("above") || rule.contains("high") => {
                "higher than its own level, trend and season would suggest"
            }
            Some(rule) if rule.contains("below") || rule.contains("low") => {
                "lower than its own level, trend and season would suggest"
            }
            _ => "unusual for this KPI",
        };
        let value = number(anomaly, "value")
            .map(|value| format!(" ({})", value_text(value, unit)))
            .unwrap_or_default();
        let item = format!("{}{value}", period_text(period));
        match groups.iter_mut().find(|(group, _)| *group == how) {
            Some((_, items)) => items.push(item),
            None => groups.push((how, vec![item])),
        }
    }
    let earlier = anomalies.len() - recent.len();
    let earlier_words = match earlier {
        0 => String::new(),
        1 => " One earlier unusual value is listed with the numbers.".to_string(),
        count => format!(" {count} earlier unusual values are listed with the numbers."),
    };
    if groups.is_empty() {
        return (
            Some(format!(
                "Nothing unusual in the last {}.{earlier_words}",
                periods_text(window, frequency)
            )),
            recent,
        );
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(how, items)| {
            let shown: Vec<&str> = items.iter().take(3).map(String::as_str).collect();
            let more = items.len() - shown.len();
            let listed = if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else {
                names_text(&shown)
            };
            let verb = if items.len() == 1 { "was" } else { "were" };
            format!("{listed} {verb} {how}")
        })
        .collect();
    let sentence = format!("Unusual recently: {}.{earlier_words}", parts.join("; "));
    (Some(sentence), recent)
}

// ---- lead/lag ------------------------------------------------------------------------

/// A lead/lag pair without numbers: "Changes in A tend to be followed, 1 month
/// later, by opposite changes in B."
pub fn pair_sentence(pair: &Value, frequency: &str) -> String {
    let leader = text(pair, "leader").unwrap_or("?");
    let follower = text(pair, "follower").unwrap_or("?");
    let lag = number(pair, "lag").unwrap_or(0.0) as usize;
    let r = number(pair, "r").unwrap_or(0.0);
    let direction = if r < 0.0 {
        "opposite"
    } else {
        "same-direction"
    };
    let sentence = if lag == 0 {
        format!(
            "{leader} and {follower} tend to move in {} in the same period.",
            if r < 0.0 {
                "opposite directions"
            } else {
                "the same direction"
            }
        )
    } else {
        format!(
            "Changes in {leader} tend to be followed, {} later, by {direction} changes in {follower}.",
            periods_text(lag, frequency)
        )
    };
    // Whether the findings are exploratory (a short history) is said once,
    // for all of them, where they are listed.
    sentence
}

// ---- the headline ----------------------------------------------------------------------

/// "A, B and 3 more"
fn names_text(names: &[&str]) -> String {
    const SHOWN: usize = 3;
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        _ if names.len() <= SHOWN => {
            let (last, rest) = names.split_last().unwrap_or((&"", &[]));
            format!("{} and {last}", rest.join(", "))
        }
        _ => format!(
            "{} and {} more",
            names[..SHOWN].join(", "),
            names.len() - SHOWN
        ),
    }
}

/// The one sentence above the grid: "2 of 12 KPIs are breached — Page load
/// time and Monthly churn need a key result."
pub fn headline(report: &Value) -> String {
    let kpis = list(report, "kpis");
    let total = kpis.len();
    if total == 0 {
        return "No KPIs were found in this sheet.".to_string();
    }
    let named = |health: &str| -> Vec<&str> {
        kpis.iter()
            .filter(|kpi| health_of(kpi) == health)
            .filter_map(|kpi| text(kpi, "name"))
            .collect()
    };
    let breached = named("breached");
    let at_risk = named("at_risk");
    let recovering = named("recovering");
    let without = named("no_target");
    let watch: Vec<&str> = kpis
        .iter()
        .filter(|kpi| text(kpi, "attention") == Some("watch"))
        .filter_map(|kpi| text(kpi, "name"))
        .collect();
    let of = |count: usize| {
        if count == total {
            if total == 1 {
                "The KPI".to_string()
            } else {
                format!("All {total} KPIs")
            }
        } else {
            format!("{count} of {total} KPIs")
        }
    };
    let are = |count: usize| if count == 1 { "is" } else { "are" };
    let mut sentence = if !breached.is_empty() || !at_risk.is_empty() {
        let mut parts = Vec::new();
        if !breached.is_empty() {
            parts.push(format!(
                "{} {} breached",
                of(breached.len()),
                are(breached.len())
            ));
        }
        if !at_risk.is_empty() {
            parts.push(if breached.is_empty() {
                format!("{} {} at risk", of(at_risk.len()), are(at_risk.len()))
            } else {
                format!("{} {} at risk", at_risk.len(), are(at_risk.len()))
            });
        }
        let needing: Vec<&str> = breached.iter().chain(&at_risk).copied().collect();
        format!(
            "{} — {} {} a key result.",
            parts.join(" and "),
            names_text(&needing),
            if needing.len() == 1 { "needs" } else { "need" }
        )
    } else if without.len() == total {
        format!(
            "None of the {total} KPIs has a target yet: set one (or take a suggested one) to get a status."
        )
    } else {
        let with_target = total - without.len();
        if with_target == 1 {
            "The one KPI with a target is within it and not heading out of it.".to_string()
        } else {
            format!("All {with_target} KPIs with a target are within it, and none is heading out of it.")
        }
    };
    if !recovering.is_empty() {
        sentence.push_str(&format!(
            " {} {} recovering.",
            names_text(&recovering),
            if recovering.len() == 1 { "is" } else { "are" }
        ));
    }
    if !watch.is_empty() {
        sentence.push_str(&format!(" Worth watching: {}.", names_text(&watch)));
    }
    if !without.is_empty() && without.len() < total {
        sentence.push_str(&format!(
            " {} without a target.",
            if without.len() == 1 {
                "1 KPI is".to_string()
            } else {
                format!("{} KPIs are", without.len())
            }
        ));
    }
    sentence
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number_text(10_612_514_400.0), "10.6 B");
        assert_eq!(number_text(1_234_567.0), "1.2 M");
        assert_eq!(number_text(142_927.4), "142,927");
        assert_eq!(number_text(61.23), "61.2");
        assert_eq!(number_text(0.0213), "0.021");
        assert_eq!(number_text(-2.5), "−2.5");
        assert_eq!(value_text(7.5, Some("%")), "7.5 %");
        assert_eq!(value_text(-1200.0, Some("$")), "−$1,200");
        assert_eq!(change_text(0.8, Some("%")), "0.8 pp");
        assert_eq!(period_text("2024-01"), "Jan 2024");
        assert_eq!(period_text("2024-Q3"), "Q3 2024");
        assert_eq!(period_text("2024-03-05"), "5 Mar 2024");
        assert_eq!(period_text("FY2026"), "FY2026");
    }

    #[test]
    fn the_headline_names_what_needs_a_key_result() {
        let report = json!({"kpis": [
            {"name": "Page load time", "health": "breached"},
            {"name": "Monthly churn", "health": "breached"},
            {"name": "NPS", "health": "healthy"},
            {"name": "Visitors", "health": "no_target"},
        ]});
        assert_eq!(
            headline(&report),
            "2 of 4 KPIs are breached — Page load time and Monthly churn need a key result. 1 KPI is without a target."
        );
        let calm = json!({"kpis": [{"name": "NPS", "health": "healthy"}, {"name": "X", "health": "healthy"}]});
        assert_eq!(
            headline(&calm),
            "All 2 KPIs with a target are within it, and none is heading out of it."
        );
        let bare = json!({"kpis": [{"name": "A", "health": "no_target"}]});
        assert!(headline(&bare).starts_with("None of the 1 KPIs"));
    }

    #[test]
    fn a_trend_is_said_in_words_and_never_judged_on_an_assumed_direction() {
        let mut kpi = json!({
            "name": "Page load time", "unit": "s", "direction": "lower_is_better",
            "direction_source": "name",
            "values": (0..36).map(|i| 2.0 + 0.02 * i as f64).collect::<Vec<_>>(),
            "trend": {"verdict": "worsening", "theil_sen_slope": 0.02, "wanders": false,
                      "significance": {"p_value": 0.0001}}
        });
        let words = kpi_words(&kpi, "monthly", Some(3));
        assert_eq!(
            words.trend,
            "Rising about 0.02 s a month over 3 years; very unlikely to be noise. That is getting worse, since lower is better."
        );
        kpi["direction_source"] = json!("default");
        let words = kpi_words(&kpi, "monthly", Some(3));
        assert!(words.direction_assumed);
        assert!(
            !words.trend.contains("worse") && !words.trend.contains("improvement"),
            "{}",
            words.trend
        );
        assert!(words.trend.contains("not judged either way"));
    }

    #[test]
    fn a_forecast_says_its_chance() {
        let kpi = json!({
            "target": {"kind": "at_most", "value": 7.5}, "unit": "%",
            "breach": {"latest_breached": false},
            "forecast": {"crossing_period": "2026-02", "periods_ahead": 2, "kind": "breach",
                         "earliest_period": "2026-01", "latest_period": "2026-04",
                         "breach_probability": 0.62}
        });
        assert_eq!(
            forecast_sentence(&kpi, "monthly", Some(3)),
            "Projected to breach the target by Feb 2026 (in 2 months); allowing for uncertainty, between Jan 2026 and Apr 2026. A breach in the next 3 months is likely (about 62 % chance)."
        );
    }

    #[test]
    fn only_recent_anomalies_are_marked() {
        let periods: Vec<String> = (1..=12).map(|month| format!("2024-{month:02}")).collect();
        let kpi = json!({
            "periods": periods, "unit": null,
            "anomalies": [{"period": "2024-02", "value": 9.0, "rule": "above_control_limit"},
                          {"period": "2024-11", "value": 1.0, "rule": "below_control_limit"}]
        });
        let (sentence, recent) = anomaly_sentence(&kpi, "monthly");
        assert_eq!(recent, vec!["2024-11"]);
        let sentence = sentence.unwrap();
        assert!(
            sentence.starts_with("Unusual recently: Nov 2024 (1) was lower than"),
            "{sentence}"
        );
        assert!(sentence.ends_with("One earlier unusual value is listed with the numbers."));
    }

    #[test]
    fn a_pair_reads_without_numbers() {
        let pair = json!({"leader": "Page load time", "follower": "Active users", "lag": 1, "r": -0.62, "exploratory": true});
        assert_eq!(
            pair_sentence(&pair, "monthly"),
            "Changes in Page load time tend to be followed, 1 month later, by opposite changes in Active users."
        );
    }
}
