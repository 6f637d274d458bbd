//! The readable terminal table of `kpilot analyze`: KPI status, then the
//! ranked suggestions, the notes on the file, the disclaimer.

use super::words::{
    change_words, forecast_words, frequency_word, health_word, kind_word, latest_words,
    layout_word, top_leader, verdict_word,
};
use super::{Report, DISCLAIMER};

/// A readable terminal table: KPI status, then the ranked suggestions.
pub fn render_table(report: &Report) -> String {
    let headers = [
        "Status",
        "KPI",
        "Latest",
        "Change",
        "Trend",
        "Forecast",
        "Top leading indicator",
    ];
    let rows: Vec<[String; 7]> = report
        .kpis
        .iter()
        .map(|kpi| {
            [
                health_word(kpi.health).to_string(),
                kpi.name.clone(),
                latest_words(kpi),
                change_words(kpi),
                verdict_word(kpi).to_string(),
                forecast_words(kpi),
                top_leader(kpi),
            ]
        })
        .collect();
    let mut widths = headers.map(|header| header.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| {
                format!(
                    "{cell}{}",
                    " ".repeat(width.saturating_sub(cell.chars().count()))
                )
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let source = &report.source.info;
    let mut out = format!(
        "{}{} — {} KPIs, {} {} periods ({} layout)\n\n",
        source.file,
        source
            .sheet
            .as_deref()
            .map(|sheet| format!(" [{sheet}]"))
            .unwrap_or_default(),
        report.kpis.len(),
        source.periods,
        frequency_word(source.frequency),
        layout_word(source.layout),
    );
    out.push_str(&line(&headers.map(str::to_string)));
    out.push('\n');
    out.push_str(&line(&widths.map(|width| "-".repeat(width))));
    out.push('\n');
    for row in &rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    if !report.suggestions.is_empty() {
        out.push_str("\nSuggested key results (ranked)\n");
        for (rank, suggestion) in report.suggestions.iter().enumerate() {
            out.push_str(&format!(
                "{:>2}. [{}] {}\n    {}\n",
                rank + 1,
                kind_word(suggestion),
                suggestion.key_result,
                suggestion.because
            ));
        }
    }
    if !source.warnings.is_empty() {
        out.push_str("\nNotes on the file\n");
        for warning in &source.warnings {
            out.push_str(&format!("  - {warning}\n"));
        }
    }
    if report.lead_lag.iter().any(|pair| pair.significant) {
        out.push_str(&format!("\n{DISCLAIMER}\n"));
    }
    out
}
