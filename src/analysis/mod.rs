//! Analysis of a `KpiTable`: per KPI a summary (`summary`), the trend
//! (`trend`), the breach record (`breach`), anomalies (`anomaly`), a forecast
//! (`forecast`) and the health verdict (`health`); across KPIs the lead/lag
//! relationships (`leadlag`). Pure functions over the model.

pub mod anomaly;
pub mod bartlett;
pub mod breach;
pub mod forecast;
pub mod hac;
pub mod health;
pub mod leadlag;
mod least_squares;
pub mod prewhiten;
pub mod seasonality;
pub mod series;
pub mod significance;
pub mod stationarity;
pub mod summary;
pub mod tables;
pub mod trend;

use serde::Serialize;

use crate::model::{KpiMeta, KpiTable, Period, Target};
use anomaly::Anomaly;
use breach::Breach;
use forecast::Forecast;
use health::{Health, Verdict};
use leadlag::PairTest;
use summary::Summary;

/// Choices that change the analysis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AnalysisOptions {
    /// Forecast horizon in periods; default one quarter of periods.
    pub horizon: Option<usize>,
}

/// The trend of one KPI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    pub ols_slope: f64,
    pub ols_intercept: f64,
    pub r2: f64,
    pub theil_sen_slope: f64,
    pub mann_kendall: MannKendallSummary,
    pub verdict: Verdict,
    /// The OLS line at every period (None before the first and after the last value).
    pub fitted: Vec<Option<f64>>,
    /// Values the fit used.
    #[serde(skip)]
    pub points: usize,
}

/// The Mann–Kendall numbers the contract reports.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MannKendallSummary {
    pub s: f64,
    pub tau: f64,
    pub p_value: f64,
}

/// Everything computed for one KPI.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiAnalysis {
    pub summary: Summary,
    pub trend: Trend,
    pub breach: Option<Breach>,
    pub forecast: Forecast,
    pub anomalies: Vec<Anomaly>,
    pub health: Health,
    /// For KPIs without a target: what the history suggests.
    pub suggested_target: Option<Target>,
}

/// The analysis of a whole table.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub kpis: Vec<KpiAnalysis>,
    /// Every tested ordered pair at its best lag, sorted by q-value.
    pub lead_lag: Vec<PairTest>,
    pub horizon: usize,
    /// The periods after the sheet's last one, over the horizon.
    pub future_periods: Vec<Period>,
}

/// Analyses every KPI of the table and every ordered pair of KPIs.
pub fn analyze(table: &KpiTable, options: &AnalysisOptions) -> Analysis {
    let mut analysis = analyze_kpis_only(table, options);
    analysis.lead_lag =
        leadlag::lead_lag_of_differences(&leadlag::frame_differences(&table.values));
    analysis
}

/// Analyses every KPI on its own, leaving `lead_lag` empty (it does not
/// depend on targets, directions or the horizon, so edits keep the old one).
pub fn analyze_kpis_only(table: &KpiTable, options: &AnalysisOptions) -> Analysis {
    let frequency = table.source.frequency;
    let horizon = options
        .horizon
        .unwrap_or_else(|| frequency.periods_per_quarter())
        .max(1);
    let future_periods: Vec<Period> = table
        .periods
        .last()
        .map(|last| {
            (1..=horizon as i64)
                .map(|step| last.advance(step, table.step_days))
                .collect()
        })
        .unwrap_or_default();
    let future_labels: Vec<String> = future_periods.iter().map(|period| period.label()).collect();
    let labels: Vec<String> = table.periods.iter().map(|period| period.label()).collect();
    let series: Vec<Vec<Option<f64>>> = (0..table.kpis.len())
        .map(|index| table.values_of(index))
        .collect();
    let kpis = table
        .kpis
        .iter()
        .zip(&series)
        .map(|(meta, values)| analyze_kpi(values, meta, frequency, &labels, &future_labels))
        .collect();
    Analysis {
        kpis,
        lead_lag: Vec::new(),
        horizon,
        future_periods,
    }
}

/// Analyses one KPI's values.
pub fn analyze_kpi(
    values: &[Option<f64>],
    meta: &KpiMeta,
    frequency: crate::model::Frequency,
    labels: &[String],
    future_labels: &[String],
) -> KpiAnalysis {
    let direction = meta.direction;
    let target = meta.target.as_ref();
    let summary = summary::summarise(
        values,
        frequency.periods_per_year(),
        frequency.periods_per_quarter().max(2),
    );
    let fit = trend::ols(values);
    let mann_kendall = trend::mann_kendall(values);
    let (s, tau, p_value) = mann_kendall
        .as_ref()
        .map_or((0.0, 0.0, 1.0), |test| (test.s, test.tau, test.p_value));
    let verdict = health::verdict(direction, s, p_value);
    let first = values.iter().position(Option::is_some);
    let last = values.iter().rposition(Option::is_some);
    let fitted = (0..values.len())
        .map(|index| {
            let inside =
                first.is_some_and(|first| index >= first) && last.is_some_and(|last| index <= last);
            fit.as_ref()
                .filter(|_| inside)
                .map(|fit| fit.intercept + fit.slope * index as f64)
        })
        .collect();
    let trend = Trend {
        ols_slope: fit.as_ref().map_or(0.0, |fit| fit.slope),
        ols_intercept: fit
            .as_ref()
            .map_or(summary.mean.unwrap_or(0.0), |fit| fit.intercept),
        r2: fit.as_ref().map_or(0.0, |fit| fit.r2),
        theil_sen_slope: trend::theil_sen_slope(values).unwrap_or(0.0),
        mann_kendall: MannKendallSummary { s, tau, p_value },
        verdict,
        fitted,
        points: summary.count,
    };
    let breach = target.filter(|_| summary.latest.is_some()).map(|target| {
        breach::check(
            values,
            target,
            meta.target_history.as_deref(),
            summary.volatility.sd,
        )
    });
    let latest = summary.latest_index.zip(summary.latest);
    let forecast = forecast::project(
        fit.as_ref(),
        latest,
        values.len().saturating_sub(1),
        target,
        future_labels,
    );
    let health = health::classify(breach.as_ref(), verdict, &forecast);
    let suggested_target = target
        .is_none()
        .then(|| health::suggested_target(values, direction))
        .flatten();
    KpiAnalysis {
        anomalies: anomaly::find(values, labels),
        summary,
        trend,
        breach,
        forecast,
        health,
        suggested_target,
    }
}
