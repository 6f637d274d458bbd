//! The self-contained HTML report (`kpilot analyze --format html`, and the
//! page's "Download report"): one file with inline CSS and inline SVG
//! charts, readable offline and without script, that prints the whole
//! analysis. The page and the command line both get it from here, so both
//! are the same.
//!
//! The report is rendered from its JSON form, every field read as optional,
//! so a field the contract adds later shows up where it is read and a
//! field missing never fails a render. `words` holds the plain sentences
//! the page shows too; `svg` the charts.

pub mod svg;
pub mod words;

use serde_json::Value;

use words::{
    change_text, headline, kpi_words, pair_sentence, period_text, periods_text, target_text,
    value_text,
};

/// Text made safe for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

const STYLE: &str = include_str!("report.css");

/// The health states: (key, icon, word), worst first. Never colour alone.
const HEALTH: [(&str, &str, &str); 5] = [
    ("breached", "✕", "Breached"),
    ("at_risk", "!", "At risk"),
    ("recovering", "↺", "Recovering"),
    ("healthy", "✓", "Healthy"),
    ("no_target", "–", "No target"),
];

fn health_rank(kpi: &Value) -> usize {
    let health = kpi
        .get("health")
        .and_then(Value::as_str)
        .unwrap_or("no_target");
    HEALTH
        .iter()
        .position(|(key, _, _)| *key == health)
        .unwrap_or(HEALTH.len())
}

fn status_badge(kpi: &Value) -> String {
    let health = kpi
        .get("health")
        .and_then(Value::as_str)
        .unwrap_or("no_target");
    let (key, icon, word) = HEALTH
        .iter()
        .find(|(key, _, _)| *key == health)
        .copied()
        .unwrap_or(("no_target", "?", "Unknown"));
    format!(r#"<span class="status {key}"><span aria-hidden="true">{icon}</span> {word}</span>"#)
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key)?.as_str()
}

fn number(value: &Value, key: &str) -> Option<f64> {
    value.get(key)?.as_f64().filter(|number| number.is_finite())
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// "↗ +0.8 pp (+7.9 %), worse": the arrow says which way the number moved,
/// the word whether that is good — and no word on an assumed direction.
fn change_cell(kpi: &Value) -> String {
    let Some(change) = number(kpi, "change") else {
        return "—".to_string();
    };
    let unit = text(kpi, "unit");
    let arrow = if change > 0.0 {
        "↗"
    } else if change < 0.0 {
        "↘"
    } else {
        "→"
    };
    let sign = if change > 0.0 {
        "+"
    } else if change < 0.0 {
        "−"
    } else {
        ""
    };
    let mut out = format!("{arrow} {sign}{}", change_text(change.abs(), unit));
    if let Some(percent) = number(kpi, "change_pct") {
        let sign = if percent > 0.0 {
            "+"
        } else if percent < 0.0 {
            "−"
        } else {
            ""
        };
        out.push_str(&format!(" ({sign}{:.1} %)", percent.abs()));
    }
    if change != 0.0 && !words::direction_assumed(kpi) {
        let lower_better = text(kpi, "direction") == Some("lower_is_better");
        let better = (change < 0.0) == lower_better;
        out.push_str(if better { ", better" } else { ", worse" });
    }
    escape(&out)
}

fn trend_cell(kpi: &Value) -> String {
    let trend = kpi.get("trend").cloned().unwrap_or(Value::Null);
    let verdict = text(&trend, "verdict").unwrap_or("flat");
    let slope = number(&trend, "theil_sen_slope")
        .or_else(|| number(&trend, "ols_slope"))
        .unwrap_or(0.0);
    if verdict == "flat" || trend.get("wanders").and_then(Value::as_bool) == Some(true) {
        return "→ Flat".to_string();
    }
    let arrow = if slope > 0.0 { "↗" } else { "↘" };
    if words::direction_assumed(kpi) {
        format!("{arrow} {}", if slope > 0.0 { "Rising" } else { "Falling" })
    } else if verdict == "improving" {
        format!("{arrow} Improving")
    } else {
        format!("{arrow} Worsening")
    }
}

fn forecast_cell(kpi: &Value, frequency: &str, horizon: Option<usize>) -> String {
    if kpi.get("target").is_none_or(Value::is_null) {
        return "—".to_string();
    }
    let forecast = kpi.get("forecast").cloned().unwrap_or(Value::Null);
    let recovery = match text(&forecast, "kind") {
        Some(kind) => kind == "recovery",
        None => kpi
            .get("breach")
            .and_then(|breach| breach.get("latest_breached"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let within = horizon.map_or_else(
        || "the horizon".to_string(),
        |count| periods_text(count, frequency),
    );
    let mut out = match (text(&forecast, "crossing_period"), recovery) {
        (Some(period), true) => format!("Back within by {}", period_text(period)),
        (Some(period), false) => format!("Breach by {}", period_text(period)),
        (None, true) => format!("Not back within {within}"),
        (None, false) => format!("No breach in {within}"),
    };
    if let Some(probability) = number(&forecast, "breach_probability") {
        if !recovery {
            out.push_str(&format!(
                " · {:.0} % chance of a breach",
                probability * 100.0
            ));
        }
    }
    escape(&out)
}

fn kpi_row(kpi: &Value, frequency: &str, horizon: Option<usize>) -> String {
    let unit = text(kpi, "unit");
    let name = text(kpi, "name").unwrap_or_default();
    let details: Vec<&str> = [
        text(kpi, "entity"),
        text(kpi, "department"),
        text(kpi, "owner"),
    ]
    .into_iter()
    .flatten()
    .filter(|part| !part.trim().is_empty())
    .collect();
    let target = kpi
        .get("target")
        .filter(|target| !target.is_null())
        .and_then(|target| target_text(target, unit))
        .map(|words| escape(&words))
        .unwrap_or_else(|| {
            kpi.get("suggested_target")
                .filter(|target| target.is_object())
                .and_then(|target| target_text(target, unit))
                .map(|words| format!(r#"<span class="sub">suggested {}</span>"#, escape(&words)))
                .unwrap_or_else(|| "—".to_string())
        });
    let better = match (text(kpi, "direction"), words::direction_assumed(kpi)) {
        (_, true) => r#"<span class="sub">not stated</span>"#.to_string(),
        (Some("lower_is_better"), _) => "Lower".to_string(),
        _ => "Higher".to_string(),
    };
    format!(
        r#"<tr class="{}"><td>{}</td><th scope="row"><a href="{}">{}</a>{}</th><td class="num">{}</td><td class="num" data-label="Change">{}</td><td>{}</td><td data-label="Trend">{}</td><td data-label="Forecast">{}</td><td data-label="Target">{}</td><td data-label="Better if">{}</td></tr>"#,
        escape(text(kpi, "health").unwrap_or("no_target")),
        status_badge(kpi),
        anchor(name),
        escape(name),
        if details.is_empty() {
            String::new()
        } else {
            format!(
                r#"<span class="sub">{}</span>"#,
                escape(&details.join(" · "))
            )
        },
        number(kpi, "latest")
            .map_or_else(|| "—".to_string(), |value| escape(&value_text(value, unit))),
        change_cell(kpi),
        svg::sparkline(kpi),
        trend_cell(kpi),
        forecast_cell(kpi, frequency, horizon),
        target,
        better,
    )
}

/// A fragment link to a KPI's section: letters and digits of its name, and its position.
fn anchor(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|character| {
            if character.is_alphanumeric() {
                character.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("#kpi-{}", escape(slug.trim_matches('-')))
}

fn kpi_section(kpi: &Value, frequency: &str, horizon: Option<usize>) -> String {
    let name = text(kpi, "name").unwrap_or_default();
    let kpi_words = kpi_words(kpi, frequency, horizon);
    let mut out = format!(
        r#"<article class="kpi" id="{}"><h3>{} {}</h3>"#,
        &anchor(name)[1..],
        status_badge(kpi),
        escape(name)
    );
    out.push_str(&svg::history_chart(kpi, &kpi_words.recent_anomalies));
    out.push_str("<ul class=\"words\">");
    for sentence in [
        Some(kpi_words.status.as_str()),
        Some(kpi_words.trend.as_str()),
        Some(kpi_words.forecast.as_str()),
        kpi_words.anomalies.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        out.push_str(&format!("<li>{}</li>", escape(sentence)));
    }
    if kpi_words.direction_assumed {
        out.push_str("<li>Which way is better? The file does not say; higher was assumed.</li>");
    }
    out.push_str("</ul>");
    let leaders = list(kpi, "leaders");
    if !leaders.is_empty() {
        let names: Vec<String> = leaders
            .iter()
            .filter_map(|relation| {
                let kpi = text(relation, "kpi")?;
                let lag = number(relation, "lag").unwrap_or(0.0) as usize;
                Some(format!(
                    "{} (by {})",
                    escape(kpi),
                    periods_text(lag, frequency)
                ))
            })
            .collect();
        out.push_str(&format!(
            r#"<p class="sub">Leading indicators: {}.</p>"#,
            names.join(", ")
        ));
    }
    out.push_str("</article>");
    out
}

fn suggestion_item(suggestion: &Value) -> String {
    let kind = text(suggestion, "kind").unwrap_or("primary");
    let label = match kind {
        "primary" => "Key result",
        "supporting" => "Supporting KR",
        "return_to_kpi" => "Return to KPI",
        "keep_as_kpi" => "Keep as KPI",
        "watch" => "Watch",
        other => other,
    };
    let mut out = format!(
        r#"<li><p class="eyebrow"><span class="kind">{}</span>"#,
        escape(label)
    );
    if let Some(objective) = text(suggestion, "objective").filter(|text| !text.is_empty()) {
        out.push_str(&format!(" Objective: {}", escape(objective)));
    }
    if let Some(feasibility) = text(suggestion, "feasibility") {
        let words = match feasibility {
            "committed" => "committed: the forecast already gets there",
            "stretch" => "stretch: the trend must change",
            other => other,
        };
        out.push_str(&format!(" · {}", escape(words)));
    }
    if let Some(owner) = text(suggestion, "owner").filter(|text| !text.is_empty()) {
        out.push_str(&format!(" · owner {}", escape(owner)));
    }
    out.push_str("</p>");
    out.push_str(&format!(
        r#"<p class="kr">{}</p>"#,
        escape(
            text(suggestion, "key_result")
                .or(text(suggestion, "kpi"))
                .unwrap_or_default()
        )
    ));
    if let Some(because) = text(suggestion, "because").filter(|text| !text.is_empty()) {
        out.push_str(&format!(r#"<p class="sub">{}</p>"#, escape(because)));
    }
    if let Some(basis) = text(suggestion, "target_basis").filter(|text| !text.is_empty()) {
        out.push_str(&format!(r#"<p class="sub">Target: {}</p>"#, escape(basis)));
    }
    let guardrails: Vec<&str> = list(suggestion, "guardrails")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if !guardrails.is_empty() {
        out.push_str(&format!(
            r#"<p class="sub">Guardrail — watch {}, which has moved the wrong way when this improved.</p>"#,
            escape(&guardrails.join(", "))
        ));
    }
    let add: Vec<&str> = list(suggestion, "add_kpis")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if !add.is_empty() {
        out.push_str(&format!(
            r#"<p class="sub">Keep watching its leading indicators: {}.</p>"#,
            escape(&add.join(", "))
        ));
    }
    out.push_str("</li>");
    out
}

/// The whole HTML document for a report given as JSON.
pub fn render_html_value(report: &Value) -> String {
    let source = report.get("source").cloned().unwrap_or(Value::Null);
    let frequency = text(&source, "frequency").unwrap_or("irregular");
    let horizon = number(report, "horizon").map(|count| count as usize);
    let file = text(&source, "file").unwrap_or("KPI sheet");
    let kpis = list(report, "kpis");
    let mut ordered: Vec<&Value> = kpis.iter().collect();
    ordered.sort_by_key(|kpi| health_rank(kpi));

    let mut out = String::with_capacity(4096 + kpis.len() * 4096);
    out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Nothing in this file may load anything: it is read offline, without script.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    out.push_str("<meta name=\"generator\" content=\"kpilot\">\n");
    out.push_str(&format!(
        "<title>KPI health check — {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        escape(file)
    ));

    // The answer first.
    out.push_str(&format!(
        "<header><p class=\"brand\">kpilot · KPI health check</p><h1>{}</h1><p class=\"headline\">{}</p>",
        escape(file),
        escape(&headline(report))
    ));
    let periods = kpis.first().map(|kpi| list(kpi, "periods")).unwrap_or(&[]);
    let span = match (
        periods.first().and_then(Value::as_str),
        periods.last().and_then(Value::as_str),
    ) {
        (Some(first), Some(last)) => format!(" ({} – {})", period_text(first), period_text(last)),
        _ => String::new(),
    };
    let layout = match text(&source, "layout") {
        Some("wide_rows") => "one row per KPI, periods across",
        Some("wide_columns") => "one column per KPI, periods down",
        Some("long") => "a long table, one row per period and KPI",
        _ => "a table of KPIs over periods",
    };
    out.push_str(&format!(
        "<p class=\"reading\">Read {}{} as {layout}: {} KPIs over {}{}.</p></header>\n<main>\n",
        escape(file),
        text(&source, "sheet")
            .map(|sheet| format!(", sheet ‘{}’,", escape(sheet)))
            .unwrap_or_default(),
        kpis.len(),
        periods_text(
            number(&source, "periods").map_or(periods.len(), |count| count as usize),
            frequency
        ),
        escape(&span)
    ));

    let confidence = text(&source, "confidence").unwrap_or("high");
    let doubts = list(&source, "doubts");
    if confidence != "high" || !doubts.is_empty() {
        out.push_str(&format!(
            "<section class=\"doubts\"><h2>Check how the file was read</h2><p>The reading is {}: check these before acting on the results.</p><ul>",
            if confidence == "low" { "doubtful" } else { "worth checking" }
        ));
        for doubt in doubts.iter().filter_map(Value::as_str) {
            out.push_str(&format!("<li>{}</li>", escape(doubt)));
        }
        out.push_str("</ul></section>\n");
    }

    // Status counts, then the grid.
    out.push_str("<section><h2>KPIs</h2><ul class=\"chips\">");
    for (key, icon, word) in HEALTH {
        let count = kpis
            .iter()
            .filter(|kpi| {
                kpi.get("health")
                    .and_then(Value::as_str)
                    .unwrap_or("no_target")
                    == key
            })
            .count();
        if count > 0 {
            out.push_str(&format!(
                "<li class=\"status {key}\"><span aria-hidden=\"true\">{icon}</span> <strong>{count}</strong> {}</li>",
                word.to_lowercase()
            ));
        }
    }
    out.push_str("</ul>\n<div class=\"scroll\"><table class=\"grid\"><thead><tr><th scope=\"col\">Status</th><th scope=\"col\">KPI</th><th scope=\"col\" class=\"num\">Latest</th><th scope=\"col\" class=\"num\">Change</th><th scope=\"col\">History</th><th scope=\"col\">Trend</th><th scope=\"col\">Forecast</th><th scope=\"col\">Target</th><th scope=\"col\">Better if</th></tr></thead><tbody>\n");
    for kpi in &ordered {
        out.push_str(&kpi_row(kpi, frequency, horizon));
        out.push('\n');
    }
    out.push_str("</tbody></table></div></section>\n");

    // Key results.
    let suggestions = list(report, "suggestions");
    let (key_results, lifecycle): (Vec<&Value>, Vec<&Value>) = suggestions
        .iter()
        .partition(|suggestion| matches!(text(suggestion, "kind"), Some("primary" | "supporting")));
    out.push_str("<section><h2>Candidate key results</h2>");
    if key_results.is_empty() {
        out.push_str("<p>Nothing needs a key result now: every KPI with a target is healthy and not heading for a breach.</p>");
    } else {
        out.push_str("<ol class=\"krs\">");
        for suggestion in key_results {
            out.push_str(&suggestion_item(suggestion));
        }
        out.push_str("</ol>");
    }
    if !lifecycle.is_empty() {
        out.push_str("<h3>Watch and lifecycle</h3><ul class=\"krs\">");
        for suggestion in lifecycle {
            out.push_str(&suggestion_item(suggestion));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>\n");

    // Lead and lag.
    let significant: Vec<&Value> = list(report, "lead_lag")
        .iter()
        .filter(|pair| pair.get("significant").and_then(Value::as_bool) == Some(true))
        .collect();
    out.push_str("<section><h2>What moves first</h2>");
    if significant.is_empty() {
        out.push_str("<p>No KPI reliably moves ahead of another in this file.</p>");
    } else {
        out.push_str("<ul class=\"pairs\">");
        for pair in &significant {
            let numbers = format!(
                "r = {:.2}, q = {}",
                number(pair, "r").unwrap_or(0.0),
                number(pair, "q_value").map_or_else(|| "—".to_string(), |q| format!("{q:.3}"))
            );
            out.push_str(&format!(
                "<li>{} <span class=\"sub\">({})</span></li>",
                escape(&pair_sentence(pair, frequency)),
                escape(&numbers.replace('-', "−"))
            ));
        }
        out.push_str("</ul>");
    }
    if let Some(disclaimer) = text(report, "disclaimer") {
        out.push_str(&format!("<p class=\"note\">{}</p>", escape(disclaimer)));
    }
    out.push_str("</section>\n");

    // Each KPI in words, worst first.
    out.push_str("<section><h2>Each KPI</h2>\n");
    for kpi in &ordered {
        out.push_str(&kpi_section(kpi, frequency, horizon));
        out.push('\n');
    }
    out.push_str("</section>\n");

    let warnings = list(&source, "warnings");
    if !warnings.is_empty() {
        out.push_str("<section><h2>Notes on reading the file</h2><ul>");
        for warning in warnings.iter().filter_map(Value::as_str) {
            out.push_str(&format!("<li>{}</li>", escape(warning)));
        }
        out.push_str("</ul></section>\n");
    }
    out.push_str("</main>\n<footer><p>Made with kpilot, in the browser or on the command line; nothing was uploaded. Statuses and forecasts are statistical estimates: check them against what you know.</p></footer>\n</body>\n</html>\n");
    out
}

/// The HTML document for a report.
pub fn render_html<T: serde::Serialize>(report: &T) -> String {
    match serde_json::to_value(report) {
        Ok(value) => render_html_value(&value),
        Err(error) => format!(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>kpilot</title><p>The report could not be written: {}</p></html>",
            escape(&error.to_string())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_from_the_file_is_escaped() {
        let report = json!({
            "source": {"file": "<script>x</script>.csv", "frequency": "monthly", "periods": 2,
                       "warnings": ["<b>note</b>"], "doubts": [], "confidence": "high"},
            "kpis": [{"name": "<img src=x onerror=alert(1)>", "health": "breached", "unit": "%",
                      "periods": ["2024-01", "2024-02"], "values": [5.0, 8.0],
                      "target": {"kind": "at_most", "value": 7.5}, "direction": "lower_is_better",
                      "direction_source": "target", "change": 3.0}],
            "suggestions": [], "lead_lag": []
        });
        let html = render_html_value(&report);
        assert!(!html.contains("<img"), "a name never becomes markup");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("&lt;b&gt;note&lt;/b&gt;"));
        assert!(html.contains("✕</span> Breached"));
        assert!(html.contains("↗ +3 pp, worse"));
        assert!(!html.contains("<script"), "no script at all");
    }

    #[test]
    fn a_doubtful_reading_is_said_first() {
        let report = json!({
            "source": {"file": "x.csv", "confidence": "low", "doubts": ["Most KPI names are generic."]},
            "kpis": []
        });
        let html = render_html_value(&report);
        let doubts = html.find("Check how the file was read").unwrap();
        let grid = html.find("<h2>KPIs</h2>").unwrap();
        assert!(doubts < grid);
        assert!(html.contains("Most KPI names are generic."));
    }
}
