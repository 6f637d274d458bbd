//! The lean report: what the page renders at once, built beside the full
//! contract (`super::Report`) from the same table and analysis. Per KPI it
//! holds the grid's facts (status, latest, change, trend and forecast in
//! brief) and a sparkline's worth of points; the period labels come once;
//! the full series, forecast path and anomalies of a KPI come on demand
//! (`Session::kpi_detail`). On a sheet of 100 KPIs × 15,000 days this is a
//! few hundred kilobytes instead of a hundred megabytes.

use serde::Serialize;

use crate::analysis::health::{Health, SuggestedTarget, Verdict};
use crate::analysis::{Analysis, KpiAnalysis};
use crate::model::{Direction, DirectionSource, KpiMeta, KpiTable, Target};
use crate::suggest::Suggestion;

use super::{BreachReport, LeadLagReport, SourceReport, DISCLAIMER};

/// Points a sparkline gets at most: a 120 px wide sparkline shows no more.
pub const SPARK_POINTS: usize = 120;

/// The report the page renders first.
#[derive(Clone, Debug, Serialize)]
pub struct LeanReport<'a> {
    pub source: SourceReport,
    /// The period labels, in order, for every KPI (each KPI's
    /// `latest_period` and a detail's values index them).
    pub periods: &'a [String],
    pub kpis: Vec<LeanKpi>,
    /// The significant pairs only.
    pub lead_lag: Vec<LeadLagReport>,
    /// Every ordered pair tested.
    pub lead_lag_tested: usize,
    /// The lead/lag scan has not run yet: `lead_lag` is empty because the
    /// pairs are still being tested, not because none leads another (the
    /// report the page shows while the scan runs; see `Opening`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub lead_lag_pending: bool,
    /// A sentence without numbers per pair of `lead_lag`, in order.
    pub pair_words: Vec<String>,
    pub suggestions: &'a [Suggestion],
    pub horizon: usize,
    pub disclaimer: &'static str,
    /// The one-sentence answer above the grid.
    pub headline: String,
}

/// One KPI as the grid, the chips and the headline show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeanKpi {
    pub name: String,
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub aggregate: bool,
    pub unit: Option<String>,
    pub direction: Direction,
    pub direction_source: DirectionSource,
    pub target: Option<Target>,
    pub owner: Option<String>,
    pub department: Option<String>,
    pub focus: Option<String>,
    /// The first and the latest present value, and the latest's period
    /// (an index into the report's `periods`).
    pub first: Option<f64>,
    pub latest: Option<f64>,
    pub latest_period: Option<usize>,
    pub change: Option<f64>,
    pub change_pct: Option<f64>,
    pub trend: LeanTrend,
    pub breach: BreachReport,
    pub forecast: LeanForecast,
    pub health: Health,
    pub attention: Option<&'static str>,
    pub attention_reason: Option<String>,
    pub suggested_target: Option<SuggestedTarget>,
    /// The history downsampled for a sparkline (see `spark_points`): at
    /// most `SPARK_POINTS`, `null` where values are missing.
    pub spark: Vec<Option<f64>>,
}

/// The trend in brief: the verdict, the slopes and the arrow's sign.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeanTrend {
    pub verdict: Verdict,
    pub wanders: bool,
    pub ols_slope: f64,
    /// `null` in a report before the lead/lag scan while a long series'
    /// exact slope is still to be found.
    pub theil_sen_slope: Option<f64>,
    /// −1, 0 or 1: which way the arrow points (the Theil–Sen slope's
    /// sign, the OLS slope's where that is 0).
    pub slope_sign: f64,
}

/// The forecast in brief: everything but the path.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeanForecast {
    pub model: Option<String>,
    pub crossing_period: Option<String>,
    pub periods_ahead: Option<usize>,
    pub earliest_period: Option<String>,
    pub latest_period: Option<String>,
    pub kind: Option<String>,
    pub breach_probability: Option<f64>,
}

/// The parts of a session the lean report is made of.
pub struct LeanParts<'a> {
    pub table: &'a KpiTable,
    pub analysis: &'a Analysis,
    pub labels: &'a [String],
    pub lead_lag: Vec<LeadLagReport>,
    pub pair_words: Vec<String>,
    pub suggestions: &'a [Suggestion],
    pub headline: String,
    /// See [`LeanReport::lead_lag_pending`].
    pub lead_lag_pending: bool,
}

/// Builds the lean report.
pub fn build(parts: LeanParts<'_>) -> LeanReport<'_> {
    let LeanParts {
        table,
        analysis,
        labels,
        lead_lag,
        pair_words,
        suggestions,
        headline,
        lead_lag_pending,
    } = parts;
    LeanReport {
        source: super::source_report(table),
        periods: labels,
        kpis: (0..table.kpis.len())
            .filter_map(|index| lean_kpi(table, analysis, index))
            .collect(),
        lead_lag,
        lead_lag_tested: analysis.lead_lag.len(),
        lead_lag_pending,
        pair_words,
        suggestions,
        horizon: analysis.horizon,
        disclaimer: DISCLAIMER,
        headline,
    }
}

/// One KPI's lean entry.
pub fn lean_kpi(table: &KpiTable, analysis: &Analysis, index: usize) -> Option<LeanKpi> {
    let meta = table.kpis.get(index)?;
    let kpi = analysis.kpis.get(index)?;
    let values = table.values_of(index);
    Some(lean_entry(meta, kpi, &values))
}

fn lean_entry(meta: &KpiMeta, kpi: &KpiAnalysis, values: &[Option<f64>]) -> LeanKpi {
    let forecast = &kpi.forecast;
    LeanKpi {
        name: meta.name.clone(),
        entity: meta.entity.clone(),
        aggregate: meta.aggregate,
        unit: meta.unit.clone(),
        direction: meta.direction,
        direction_source: meta.direction_source,
        target: meta.target.clone(),
        owner: meta.owner.clone(),
        department: meta.department.clone(),
        focus: meta.focus.clone(),
        first: values.iter().find_map(|value| *value),
        latest: kpi.summary.latest,
        latest_period: kpi.summary.latest_index,
        change: kpi.summary.change,
        change_pct: kpi.summary.change_pct,
        trend: LeanTrend {
            verdict: kpi.trend.verdict,
            wanders: kpi.trend.wanders,
            ols_slope: kpi.trend.ols_slope,
            theil_sen_slope: kpi
                .trend
                .pending_sign
                .is_none()
                .then_some(kpi.trend.theil_sen_slope),
            slope_sign: kpi.trend.slope_sign(),
        },
        breach: kpi
            .breach
            .as_ref()
            .map_or_else(BreachReport::default, BreachReport::from),
        forecast: LeanForecast {
            model: forecast.model.clone(),
            crossing_period: forecast.crossing_period.clone(),
            periods_ahead: forecast.periods_ahead,
            earliest_period: forecast.earliest_period.clone(),
            latest_period: forecast.latest_period.clone(),
            kind: forecast.kind.clone(),
            breach_probability: forecast.breach_probability,
        },
        health: kpi.health,
        attention: kpi.attention_reason.as_ref().map(|_| "watch"),
        attention_reason: kpi.attention_reason.clone(),
        suggested_target: kpi.suggested_target.clone(),
        spark: spark_points(values, SPARK_POINTS),
    }
}

/// A series downsampled to at most `most` points for a sparkline: as it is
/// when it fits; otherwise, per equal run of periods, its lowest and highest
/// value in time order (so a spike still shows), `None` for a run with no
/// value (the line breaks there, as at a gap), and the latest value last
/// (the sparkline marks it).
pub fn spark_points(values: &[Option<f64>], most: usize) -> Vec<Option<f64>> {
    if values.len() <= most {
        return values.to_vec();
    }
    // Two points per run, and room for the latest value at the end.
    let runs = (most.saturating_sub(1) / 2).max(1);
    let last_present = values.iter().rposition(Option::is_some);
    let mut points = Vec::with_capacity(most);
    let mut last_taken = None;
    for run in 0..runs {
        let start = run * values.len() / runs;
        let end = (run + 1) * values.len() / runs;
        let mut low: Option<(usize, f64)> = None;
        let mut high: Option<(usize, f64)> = None;
        for (index, value) in values.iter().enumerate().take(end).skip(start) {
            let Some(value) = *value else { continue };
            if low.is_none_or(|(_, lowest)| value < lowest) {
                low = Some((index, value));
            }
            if high.is_none_or(|(_, highest)| value > highest) {
                high = Some((index, value));
            }
        }
        match (low, high) {
            (Some(low), Some(high)) if low.0 == high.0 => {
                points.push(Some(low.1));
                last_taken = Some(low.0);
            }
            (Some(low), Some(high)) => {
                let (first, second) = if low.0 < high.0 {
                    (low, high)
                } else {
                    (high, low)
                };
                points.push(Some(first.1));
                points.push(Some(second.1));
                last_taken = Some(second.0);
            }
            _ => points.push(None),
        }
    }
    if let Some(index) = last_present.filter(|&index| Some(index) != last_taken) {
        points.push(values.get(index).copied().flatten());
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_series_is_kept_as_it_is() {
        let values = vec![Some(1.0), None, Some(3.0)];
        assert_eq!(spark_points(&values, SPARK_POINTS), values);
    }

    #[test]
    fn a_long_series_keeps_its_extremes_gaps_and_latest_value() {
        let mut values: Vec<Option<f64>> = (0..10_000).map(|i| Some((i % 7) as f64)).collect();
        values[5_000] = Some(100.0); // a spike
        for value in values.iter_mut().skip(7_000).take(400) {
            *value = None; // a gap longer than a run
        }
        values[9_999] = Some(3.5);
        let points = spark_points(&values, SPARK_POINTS);
        assert!(points.len() <= SPARK_POINTS, "{} points", points.len());
        assert!(points.contains(&Some(100.0)), "the spike shows");
        assert!(points.contains(&None), "the gap shows");
        assert_eq!(points.last(), Some(&Some(3.5)), "the latest value is last");
        let highest = points.iter().flatten().fold(f64::MIN, |a, &b| a.max(b));
        let lowest = points.iter().flatten().fold(f64::MAX, |a, &b| a.min(b));
        assert_eq!((lowest, highest), (0.0, 100.0));
    }

    #[test]
    fn missing_values_at_the_end_do_not_hide_the_latest() {
        let mut values: Vec<Option<f64>> = (0..1_000).map(|i| Some(i as f64)).collect();
        for value in values.iter_mut().skip(990) {
            *value = None;
        }
        let points = spark_points(&values, 20);
        assert!(points.len() <= 20);
        assert_eq!(points.iter().rev().flatten().next(), Some(&989.0));
    }
}
