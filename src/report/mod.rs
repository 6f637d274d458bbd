//! The report: the JSON contract's types, built from a table, its analysis
//! and the suggestions (this module); the lean report the page renders
//! first (`lean`); and one renderer per file: the terminal table (`table`),
//! the Markdown OKR draft (`markdown`), the CSV of suggestions (`csv`),
//! JSON (here).

pub mod csv;
pub mod lean;
pub mod markdown;
pub mod table;
mod words;

pub use csv::{csv_cell, render_csv};
pub use markdown::render_markdown;
pub use table::render_table;

use serde::Serialize;

use crate::analysis::anomaly::Anomaly;
use crate::analysis::breach::{Breach, Status};
use crate::analysis::forecast::Forecast;
use crate::analysis::health::{Health, SuggestedTarget};
use crate::analysis::leadlag::Method;
use crate::analysis::profile::Form;
use crate::analysis::summary::Volatility;
use crate::analysis::{Analysis, Trend};
use crate::model::{Direction, DirectionSource, Frequency, KpiTable, SourceInfo, Target};
use crate::suggest::{q_phrase, Suggestion, FDR_LEVEL};

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
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BreachReport {
    pub latest_breached: bool,
    pub streak: usize,
    pub count: usize,
    pub margin: Option<f64>,
    pub margin_sd: Option<f64>,
}

impl From<&Breach> for BreachReport {
    fn from(breach: &Breach) -> BreachReport {
        BreachReport {
            latest_breached: breach.latest_breached,
            streak: breach.streak,
            count: breach.count,
            margin: breach.margin,
            margin_sd: breach.margin_sd,
        }
    }
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
    let lead_lag = lead_lag_reports(table, analysis, detail);
    let relations = Relations::new(table, analysis);
    let labels = period_labels(table);
    let kpis = (0..table.kpis.len())
        .filter_map(|index| kpi_report(table, analysis, &relations, &labels, index))
        .collect();
    Report {
        source: source_report(table),
        kpis,
        lead_lag,
        lead_lag_tested: analysis.lead_lag.len(),
        suggestions,
        horizon: analysis.horizon,
        disclaimer: DISCLAIMER,
    }
}

/// How the file was read, and what the analysis could not do with it (a
/// sheet too big for the lead/lag scan).
pub fn source_report(table: &KpiTable) -> SourceReport {
    let mut info = table.source.clone();
    let max_series = crate::analysis::leadlag::MAX_SERIES;
    if table.kpis.len() > max_series {
        info.warnings.push(format!(
            "Lead/lag was not tested: this sheet has {} series, and kpilot tests at most {} against each other; analyse a part of it (fewer KPIs, or one entity) to find leading indicators.",
            crate::suggest::wording::with_unit(table.kpis.len() as f64, None),
            crate::suggest::wording::with_unit(max_series as f64, None),
        ));
    }
    SourceReport {
        info,
        sheets: table.sheets.clone(),
    }
}

/// The tested pairs `detail` asks for, each with its sentence.
pub fn lead_lag_reports(
    table: &KpiTable,
    analysis: &Analysis,
    detail: PairDetail,
) -> Vec<LeadLagReport> {
    let frequency = table.source.frequency;
    analysis
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
        .collect()
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
            .map_or_else(BreachReport::default, BreachReport::from),
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

/// What an edit to one KPI changed: its lean entry, the suggestions and
/// the headline (a view merges it into the lean report it holds instead of
/// receiving all of it again).
#[derive(Clone, Debug, Serialize)]
pub struct KpiPatch<'a> {
    pub kpi_index: usize,
    pub kpi: lean::LeanKpi,
    pub suggestions: &'a [Suggestion],
    pub headline: String,
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
pub(crate) fn signed(value: f64) -> String {
    crate::suggest::wording::minus(format!("{value:.2}"))
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
}
