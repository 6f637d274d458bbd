//! The report: the JSON contract's types (built from a table, its analysis
//! and the suggestions) and the renderers for the terminal table, Markdown
//! and CSV.

use serde::Serialize;

use crate::analysis::anomaly::Anomaly;
use crate::analysis::breach::Status;
use crate::analysis::forecast::Forecast;
use crate::analysis::health::{Health, SuggestedTarget};
use crate::analysis::leadlag::Method;
use crate::analysis::profile::Form;
use crate::analysis::summary::Volatility;
use crate::analysis::{Analysis, Trend};
use crate::model::{Direction, DirectionSource, Frequency, KpiTable, Layout, SourceInfo, Target};
use crate::suggest::{q_phrase, with_unit, Suggestion, FDR_LEVEL};

/// Said once, plainly, wherever relationships are shown.
pub const DISCLAIMER: &str = "Lead/lag relationships are statistical associations in this file's history: correlation is not causation. Use them as hypotheses to test, not as proof that one KPI drives another.";

/// The whole report (the JSON contract, plus fields the page uses).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub source: SourceReport,
    pub kpis: Vec<KpiReport>,
    pub lead_lag: Vec<LeadLagReport>,
    /// Ordered pairs tested (all of them are in `lead_lag` unless the report
    /// was built with `PairDetail::Significant`).
    pub lead_lag_tested: usize,
    pub suggestions: Vec<Suggestion>,
    pub horizon: usize,
    pub disclaimer: &'static str,
}

/// Where the data came from and how sure the reading is, plus the
/// workbook's sheets for the sheet picker.
#[derive(Clone, Debug, Serialize)]
pub struct SourceReport {
    #[serde(flatten)]
    pub info: SourceInfo,
    pub sheets: Vec<String>,
}

/// One KPI.
#[derive(Clone, Debug, Serialize)]
pub struct KpiReport {
    pub name: String,
    /// The entity the series is for (the KPI's name is `KPI · Entity`).
    pub entity: Option<String>,
    /// Whether the entity is the total of the others.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub aggregate: bool,
    pub unit: Option<String>,
    pub direction: Direction,
    pub direction_source: DirectionSource,
    pub target: Option<Target>,
    /// Per-period targets (a Plan or Budget line), one per period.
    pub target_history: Option<Vec<Option<f64>>>,
    pub owner: Option<String>,
    pub department: Option<String>,
    pub focus: Option<String>,
    pub periods: Vec<String>,
    pub values: Vec<Option<f64>>,
    pub latest: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
    pub change_pct: Option<f64>,
    pub yoy_change: Option<f64>,
    pub yoy_change_pct: Option<f64>,
    pub volatility: Volatility,
    pub rolling_mean: Vec<Option<f64>>,
    /// A significant seasonal pattern (monthly and quarterly sheets with
    /// three full years).
    pub seasonal: bool,
    /// The form the lead/lag scan uses: `level` or `differenced`.
    pub stationarity: Form,
    pub trend: Trend,
    pub breach: BreachReport,
    pub status: Vec<Option<Status>>,
    pub forecast: Forecast,
    pub anomalies: Vec<Anomaly>,
    pub health: Health,
    /// `watch` for a KPI without a target that deserves a look, and why.
    pub attention: Option<&'static str>,
    pub attention_reason: Option<String>,
    pub suggested_target: Option<SuggestedTarget>,
    pub leaders: Vec<Relation>,
    pub followers: Vec<Relation>,
}

/// The contract's breach object (all zero/null for a KPI without a target).
#[derive(Clone, Debug, Default, Serialize)]
pub struct BreachReport {
    pub latest_breached: bool,
    pub streak: usize,
    pub count: usize,
    pub margin: Option<f64>,
    pub margin_sd: Option<f64>,
}

/// A significant leading or lagging KPI of another.
#[derive(Clone, Debug, Serialize)]
pub struct Relation {
    pub kpi: String,
    pub lag: usize,
    pub r: f64,
    pub q_value: f64,
}

/// One tested ordered pair at its best lag.
#[derive(Clone, Debug, Serialize)]
pub struct LeadLagReport {
    pub leader: String,
    pub follower: String,
    pub lag: usize,
    pub r: f64,
    pub p_value: f64,
    pub q_value: f64,
    pub granger_p: Option<f64>,
    pub significant: bool,
    pub method: Method,
    pub exploratory: bool,
    pub explanation: String,
}

/// Which tested pairs a report lists in `lead_lag`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PairDetail {
    /// Every tested ordered pair (the JSON contract).
    #[default]
    All,
    /// Only the significant ones: what a view needs, a fraction of the size
    /// (500 KPIs make 249,500 pairs). `lead_lag_tested` still counts them all.
    Significant,
}

/// Each KPI's top significant leaders and followers, found once per analysis
/// (edits to targets and directions do not change them).
#[derive(Clone, Debug, Default)]
pub struct Relations {
    leaders: Vec<Vec<Relation>>,
    followers: Vec<Vec<Relation>>,
}

/// Leaders and followers listed per KPI.
const RELATIONS_PER_KPI: usize = 3;

impl Relations {
    /// Gathers the relations in one pass over the pairs (sorted by q).
    pub fn new(table: &KpiTable, analysis: &Analysis) -> Relations {
        let mut relations = Relations {
            leaders: vec![Vec::new(); table.kpis.len()],
            followers: vec![Vec::new(); table.kpis.len()],
        };
        for pair in analysis.lead_lag.iter().filter(|pair| pair.significant) {
            let relation = |other: usize| Relation {
                kpi: kpi_name(table, other),
                lag: pair.lag,
                r: pair.r,
                q_value: pair.q_value,
            };
            if let Some(list) = relations.leaders.get_mut(pair.follower) {
                if list.len() < RELATIONS_PER_KPI {
                    list.push(relation(pair.leader));
                }
            }
            if let Some(list) = relations.followers.get_mut(pair.leader) {
                if list.len() < RELATIONS_PER_KPI {
                    list.push(relation(pair.follower));
                }
            }
        }
        relations
    }
}

fn kpi_name(table: &KpiTable, index: usize) -> String {
    table
        .kpis
        .get(index)
        .map(|meta| meta.name.clone())
        .unwrap_or_default()
}

/// Builds the report.
pub fn build(
    table: &KpiTable,
    analysis: &Analysis,
    suggestions: Vec<Suggestion>,
    detail: PairDetail,
) -> Report {
    let frequency = table.source.frequency;
    let lead_lag: Vec<LeadLagReport> = analysis
        .lead_lag
        .iter()
        .filter(|pair| detail == PairDetail::All || pair.significant)
        .map(|pair| {
            let (leader, follower) = (kpi_name(table, pair.leader), kpi_name(table, pair.follower));
            LeadLagReport {
                explanation: explain(
                    &leader,
                    &follower,
                    pair.lag,
                    pair.r,
                    pair.q_value,
                    pair.significant,
                    frequency,
                ),
                leader,
                follower,
                lag: pair.lag,
                r: pair.r,
                p_value: pair.p_value,
                q_value: pair.q_value,
                granger_p: pair.granger_p,
                significant: pair.significant,
                method: pair.method,
                exploratory: pair.exploratory,
            }
        })
        .collect();
    let relations = Relations::new(table, analysis);
    let labels = period_labels(table);
    let kpis = (0..table.kpis.len())
        .filter_map(|index| kpi_report(table, analysis, &relations, &labels, index))
        .collect();
    Report {
        source: SourceReport {
            info: table.source.clone(),
            sheets: table.sheets.clone(),
        },
        kpis,
        lead_lag,
        lead_lag_tested: analysis.lead_lag.len(),
        suggestions,
        horizon: analysis.horizon,
        disclaimer: DISCLAIMER,
    }
}

/// The period labels of a table.
pub fn period_labels(table: &KpiTable) -> Vec<String> {
    table.periods.iter().map(|period| period.label()).collect()
}

/// One KPI's part of the report.
pub fn kpi_report(
    table: &KpiTable,
    analysis: &Analysis,
    relations: &Relations,
    labels: &[String],
    index: usize,
) -> Option<KpiReport> {
    let meta = table.kpis.get(index)?;
    let kpi = analysis.kpis.get(index)?;
    Some(KpiReport {
        name: meta.name.clone(),
        entity: meta.entity.clone(),
        aggregate: meta.aggregate,
        unit: meta.unit.clone(),
        direction: meta.direction,
        direction_source: meta.direction_source,
        target: meta.target.clone(),
        target_history: meta.target_history.clone(),
        owner: meta.owner.clone(),
        department: meta.department.clone(),
        focus: meta.focus.clone(),
        periods: labels.to_vec(),
        values: table.values_of(index),
        latest: kpi.summary.latest,
        previous: kpi.summary.previous,
        change: kpi.summary.change,
        change_pct: kpi.summary.change_pct,
        yoy_change: kpi.summary.yoy_change,
        yoy_change_pct: kpi.summary.yoy_change_pct,
        volatility: kpi.summary.volatility,
        rolling_mean: kpi.summary.rolling_mean.clone(),
        seasonal: kpi.profile.seasonal,
        stationarity: kpi.profile.stationarity,
        trend: kpi.trend.clone(),
        breach: kpi
            .breach
            .as_ref()
            .map_or_else(BreachReport::default, |breach| BreachReport {
                latest_breached: breach.latest_breached,
                streak: breach.streak,
                count: breach.count,
                margin: breach.margin,
                margin_sd: breach.margin_sd,
            }),
        status: kpi
            .breach
            .as_ref()
            .map_or_else(|| vec![None; labels.len()], |breach| breach.status.clone()),
        forecast: kpi.forecast.clone(),
        anomalies: kpi.anomalies.clone(),
        health: kpi.health,
        attention: kpi.attention_reason.as_ref().map(|_| "watch"),
        attention_reason: kpi.attention_reason.clone(),
        suggested_target: kpi.suggested_target.clone(),
        leaders: relations.leaders.get(index).cloned().unwrap_or_default(),
        followers: relations.followers.get(index).cloned().unwrap_or_default(),
    })
}

/// What an edit to one KPI changed: that KPI and the suggestions (a view
/// merges it into the report it holds instead of receiving all of it again).
#[derive(Clone, Debug, Serialize)]
pub struct KpiPatch<'a> {
    pub kpi_index: usize,
    pub kpi: &'a KpiReport,
    pub suggestions: &'a [Suggestion],
}

/// One sentence a person can read about a tested pair.
pub fn explain(
    leader: &str,
    follower: &str,
    lag: usize,
    r: f64,
    q_value: f64,
    significant: bool,
    frequency: Frequency,
) -> String {
    let strength = format!("r = {}, {}", signed(r), q_phrase(q_value));
    if significant {
        let direction = if r < 0.0 {
            "opposite"
        } else {
            "same-direction"
        };
        format!(
            "Changes in {leader} tend to precede {direction} changes in {follower} by {lag} {} ({strength}).",
            frequency.unit_word(lag as i64)
        )
    } else if lag == 0 && q_value <= FDR_LEVEL {
        let together = if r < 0.0 {
            "in opposite directions"
        } else {
            "together"
        };
        format!("{leader} and {follower} tend to move {together} in the same period ({strength}); neither leads the other.")
    } else {
        format!(
            "No reliable lead/lag relationship from {leader} to {follower} (best at a lag of {lag} {}: {strength}).",
            frequency.unit_word(lag as i64)
        )
    }
}

/// A number with a real minus sign, two decimals.
fn signed(value: f64) -> String {
    let text = format!("{value:.2}");
    match text.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => text,
    }
}

fn health_word(health: Health) -> &'static str {
    match health {
        Health::Breached => "BREACHED",
        Health::AtRisk => "AT RISK",
        Health::Recovering => "RECOVERING",
        Health::Healthy => "healthy",
        Health::NoTarget => "no target",
    }
}

fn verdict_word(report: &KpiReport) -> &'static str {
    match report.trend.verdict {
        crate::analysis::health::Verdict::Improving => "improving",
        crate::analysis::health::Verdict::Worsening => "worsening",
        crate::analysis::health::Verdict::Flat => "flat",
    }
}

fn forecast_words(report: &KpiReport) -> String {
    match (
        &report.forecast.crossing_period,
        report.forecast.kind.as_deref(),
    ) {
        (Some(period), Some("recovery")) => format!("back within target {period}"),
        (Some(period), _) => format!("breach {period}"),
        (None, Some("recovery")) => "not back within horizon".to_string(),
        (None, _) if report.target.is_some() => "no breach within horizon".to_string(),
        (None, _) => "—".to_string(),
    }
}

fn latest_words(report: &KpiReport) -> String {
    report.latest.map_or_else(
        || "—".to_string(),
        |value| with_unit(value, report.unit.as_deref()),
    )
}

fn change_words(report: &KpiReport) -> String {
    match (report.change, report.change_pct) {
        (Some(change), Some(percent)) => {
            format!("{} ({})", signed_number(change), signed_percent(percent))
        }
        (Some(change), None) => signed_number(change),
        _ => "—".to_string(),
    }
}

fn signed_number(value: f64) -> String {
    let text = with_unit(value, None);
    if value > 0.0 {
        format!("+{text}")
    } else {
        text
    }
}

fn signed_percent(percent: f64) -> String {
    if percent >= 0.0 {
        format!("+{percent:.1} %")
    } else {
        format!("−{:.1} %", -percent)
    }
}

fn top_leader(report: &KpiReport) -> String {
    report.leaders.first().map_or_else(
        || "—".to_string(),
        |relation| {
            format!(
                "{} (lag {}, r {})",
                relation.kpi,
                relation.lag,
                signed(relation.r)
            )
        },
    )
}

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

fn kind_word(suggestion: &Suggestion) -> &'static str {
    match suggestion.kind {
        crate::suggest::SuggestionKind::Primary => "primary",
        crate::suggest::SuggestionKind::Supporting => "supporting",
        crate::suggest::SuggestionKind::ReturnToKpi => "return to KPI",
        crate::suggest::SuggestionKind::KeepAsKpi => "keep as KPI",
    }
}

fn frequency_word(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Daily => "daily",
        Frequency::Weekly => "weekly",
        Frequency::Monthly => "monthly",
        Frequency::Quarterly => "quarterly",
        Frequency::HalfYearly => "half-yearly",
        Frequency::Yearly => "yearly",
        Frequency::Irregular => "irregular",
    }
}

fn layout_word(layout: Layout) -> &'static str {
    match layout {
        Layout::WideRows => "KPIs in rows, periods across",
        Layout::WideColumns => "KPIs in columns, periods down",
        Layout::Long => "long: one row per period and KPI",
    }
}

/// Markdown text safe to put in a table cell or a line.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(character);
            }
            '\n' | '\r' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

/// A Markdown brief a team can paste into its OKR document.
pub fn render_markdown(report: &Report) -> String {
    let source = &report.source.info;
    let count = |health: Health| {
        report
            .kpis
            .iter()
            .filter(|kpi| kpi.health == health)
            .count()
    };
    let mut out = format!(
        "# KPI health check — {}\n\n{} KPIs over {} {} periods: **{} breached**, **{} at risk**, {} recovering, {} healthy, {} without a target.\n\n",
        markdown_text(&source.file),
        report.kpis.len(),
        source.periods,
        frequency_word(source.frequency),
        count(Health::Breached),
        count(Health::AtRisk),
        count(Health::Recovering),
        count(Health::Healthy),
        count(Health::NoTarget),
    );
    out.push_str("## Candidate key results\n\n");
    let mut objectives: Vec<&str> = Vec::new();
    for suggestion in &report.suggestions {
        if !objectives.contains(&suggestion.objective.as_str()) {
            objectives.push(&suggestion.objective);
        }
    }
    if report.suggestions.is_empty() {
        out.push_str("No KPI needs a key result right now.\n\n");
    }
    for objective in objectives {
        out.push_str(&format!("### Objective: {}\n\n", markdown_text(objective)));
        for suggestion in report
            .suggestions
            .iter()
            .filter(|suggestion| suggestion.objective == objective)
        {
            out.push_str(&format!(
                "- **{}** ({}, priority {:.0}) — {}\n",
                markdown_text(&suggestion.key_result),
                kind_word(suggestion),
                suggestion.priority,
                markdown_text(&suggestion.because)
            ));
        }
        out.push('\n');
    }
    out.push_str("## KPIs\n\n| Status | KPI | Latest | Target | Trend | Forecast |\n|---|---|---|---|---|---|\n");
    for kpi in &report.kpis {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            health_word(kpi.health),
            markdown_text(&kpi.name),
            markdown_text(&latest_words(kpi)),
            markdown_text(
                &kpi.target
                    .as_ref()
                    .map(Target::describe)
                    .unwrap_or_else(|| "—".to_string())
            ),
            verdict_word(kpi),
            markdown_text(&forecast_words(kpi)),
        ));
    }
    let significant: Vec<&LeadLagReport> = report
        .lead_lag
        .iter()
        .filter(|pair| pair.significant)
        .collect();
    if !significant.is_empty() {
        out.push_str("\n## Leading indicators\n\n");
        for pair in significant {
            out.push_str(&format!("- {}\n", markdown_text(&pair.explanation)));
        }
        out.push_str(&format!("\n_{}_\n", markdown_text(DISCLAIMER)));
    }
    if !source.warnings.is_empty() {
        out.push_str("\n## Notes on the file\n\n");
        for warning in &source.warnings {
            out.push_str(&format!("- {}\n", markdown_text(warning)));
        }
    }
    out
}

/// A CSV cell: quoted when needed, and text that a spreadsheet would run as
/// a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is
/// prefixed with `'` so it stays text.
pub fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn csv_number(value: Option<f64>) -> String {
    // Numbers are written by kpilot, never copied from the file; a leading
    // minus on a number is not a formula.
    value.map(|value| format!("{value}")).unwrap_or_default()
}

/// The ranked suggestions as CSV.
pub fn render_csv(report: &Report) -> String {
    let mut out = String::from("rank,kind,kpi,objective,key_result,baseline,target,deadline,priority,because,supports,guardrails\n");
    for (rank, suggestion) in report.suggestions.iter().enumerate() {
        let cells = [
            (rank + 1).to_string(),
            csv_cell(kind_word(suggestion)),
            csv_cell(&suggestion.kpi),
            csv_cell(&suggestion.objective),
            csv_cell(&suggestion.key_result),
            csv_number(suggestion.baseline),
            csv_number(suggestion.target),
            csv_cell(suggestion.deadline.as_deref().unwrap_or_default()),
            format!("{}", suggestion.priority),
            csv_cell(&suggestion.because),
            csv_cell(suggestion.supports.as_deref().unwrap_or_default()),
            csv_cell(&suggestion.guardrails.join("; ")),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The report as compact JSON (a 500-KPI sheet pretty-printed is hundreds
/// of megabytes; `jq .` makes it readable when a person wants that).
pub fn render_json(report: &Report) -> String {
    serde_json::to_string(report).unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_formula_safe_and_quoted() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("plain"), "plain");
    }

    #[test]
    fn explanations_read_like_the_spec() {
        let text = explain(
            "Page load time",
            "Active users",
            1,
            -0.62,
            0.003,
            true,
            Frequency::Monthly,
        );
        assert_eq!(
            text,
            "Changes in Page load time tend to precede opposite changes in Active users by 1 month (r = −0.62, q = 0.003)."
        );
    }

    #[test]
    fn markdown_escapes_table_breakers() {
        assert_eq!(markdown_text("a|b <img>"), "a\\|b \\<img\\>");
    }
}
