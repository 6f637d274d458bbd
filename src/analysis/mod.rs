//! Analysis of a `KpiTable`: per KPI a summary (`summary`), the trend
//! (`trend`), the breach record (`breach`), anomalies (`anomaly`), a forecast
//! (`forecast`) and the health verdict (`health`); across KPIs the lead/lag
//! relationships (`leadlag`). Pure functions over the model.

pub mod anomaly;
pub mod breach;
pub mod forecast;
pub mod hac;
pub mod health;
pub mod leadlag;
mod least_squares;
pub mod profile;
pub mod seasonality;
pub mod series;
pub mod significance;
pub mod stationarity;
pub mod summary;
pub mod tables;
pub mod trend;

#[cfg(test)]
pub(crate) mod test_support;

use serde::Serialize;

use crate::model::{Frequency, KpiMeta, KpiTable, Period};
use anomaly::Anomaly;
use breach::Breach;
use forecast::Forecast;
use health::{Health, Verdict};
use leadlag::PairTest;
use profile::SeriesProfile;
use seasonality::SeasonalPeriod;
use significance::Significance;
use summary::Summary;

/// Choices that change the analysis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AnalysisOptions {
    /// Forecast horizon in periods; default one quarter of periods.
    pub horizon: Option<usize>,
    /// The largest lead/lag lag to test; default by frequency (SPEC).
    pub max_lag: Option<usize>,
}

/// What every KPI of a sheet shares: its frequency, seasons and period labels.
#[derive(Clone, Copy, Debug)]
pub struct SheetContext<'a> {
    pub frequency: Frequency,
    pub seasons: Option<(SeasonalPeriod, usize)>,
    pub labels: &'a [String],
    /// The periods after the sheet's last one, over the horizon and on to
    /// the key results' deadline when that is later.
    pub future_labels: &'a [String],
    /// How many of `future_labels` are the horizon.
    pub horizon: usize,
    /// Whether a long series' exact Theil–Sen slope is found now or left
    /// for [`complete_slopes`].
    pub slopes: Slopes,
}

/// When the exact Theil–Sen slope of a long series is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slopes {
    Now,
    /// Above `DEFER_SLOPE_ABOVE` present values only its sign now (from the
    /// Mann–Kendall counts), the value later: the grid's arrow needs the
    /// sign, and on a long daily series the exact slope is half the KPI's
    /// analysis.
    SignFirst,
}

/// The present values above which `Slopes::SignFirst` defers the slope.
const DEFER_SLOPE_ABOVE: usize = 1_000;

/// The trend of one KPI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    pub ols_slope: f64,
    pub ols_intercept: f64,
    pub r2: f64,
    /// 0 while `pending_sign` is set.
    pub theil_sen_slope: f64,
    /// While the exact Theil–Sen slope is still to be found (see `Slopes`),
    /// its sign.
    #[serde(skip)]
    pub pending_sign: Option<f64>,
    pub mann_kendall: MannKendallSummary,
    /// The test the verdict comes from: valid for autocorrelated series.
    pub significance: Option<Significance>,
    /// The level wanders like a random walk without drift: no trend.
    pub wanders: bool,
    pub verdict: Verdict,
    /// The OLS line at every period (None before the first and after the last value).
    pub fitted: Vec<Option<f64>>,
    /// Values the fit used.
    #[serde(skip)]
    pub points: usize,
}

impl Trend {
    /// The sign of the way the KPI moves (−1, 0 or 1), the arrow the page
    /// shows: the Theil–Sen slope's, or the OLS slope's where that is 0.
    pub fn slope_sign(&self) -> f64 {
        let theil_sen = self
            .pending_sign
            .unwrap_or_else(|| trend::sign_of(self.theil_sen_slope));
        if theil_sen != 0.0 {
            theil_sen
        } else {
            trend::sign_of(self.ols_slope)
        }
    }
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
    pub profile: SeriesProfile,
    pub summary: Summary,
    pub trend: Trend,
    pub breach: Option<Breach>,
    pub forecast: Forecast,
    pub anomalies: Vec<Anomaly>,
    pub health: Health,
    /// For KPIs without a target: what the history suggests, and its basis.
    pub suggested_target: Option<health::SuggestedTarget>,
    /// For KPIs without a target: why they deserve a look (`attention:
    /// "watch"`), if they do.
    pub attention_reason: Option<String>,
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
    /// The key results' deadline (the end of the next quarter) and how many
    /// periods after the sheet's last one end by it.
    pub deadline: Option<chrono::NaiveDate>,
    pub deadline_steps: usize,
    /// Labels of the periods forecast: the horizon, and on to the deadline.
    pub forecast_labels: Vec<String>,
}

/// Finds the exact Theil–Sen slopes `Slopes::SignFirst` left for later.
pub fn complete_slopes(table: &KpiTable, analysis: &mut Analysis) {
    for (index, kpi) in analysis.kpis.iter_mut().enumerate() {
        if kpi.trend.pending_sign.take().is_some() {
            kpi.trend.theil_sen_slope =
                trend::theil_sen_slope(&table.values_of(index)).unwrap_or(0.0);
        }
    }
}

/// Analyses every KPI of the table and every ordered pair of KPIs.
pub fn analyze(table: &KpiTable, options: &AnalysisOptions) -> Analysis {
    let mut analysis = analyze_kpis_only(table, options, Slopes::Now);
    analysis.lead_lag = lead_lag(table, &analysis, options);
    analysis
}

/// The lead/lag scan over the KPIs' stationary series (see `leadlag`).
pub fn lead_lag(table: &KpiTable, analysis: &Analysis, options: &AnalysisOptions) -> Vec<PairTest> {
    let series: Vec<leadlag::LeadLagSeries> = table
        .kpis
        .iter()
        .zip(&analysis.kpis)
        .map(|(meta, kpi)| leadlag::LeadLagSeries {
            stationary: kpi.profile.stationary.clone(),
            seasonal: kpi.profile.seasonal,
            group: meta.entity.as_ref().and(meta.base_name.clone()),
            aggregate: meta.aggregate,
        })
        .collect();
    let periods = table.periods.len();
    leadlag::lead_lag(
        &series,
        periods,
        leadlag::max_lag(table.source.frequency, periods, options.max_lag),
    )
}

/// Analyses every KPI on its own, leaving `lead_lag` empty (it does not
/// depend on targets, directions or the horizon, so edits keep the old one).
pub fn analyze_kpis_only(table: &KpiTable, options: &AnalysisOptions, slopes: Slopes) -> Analysis {
    let frequency = table.source.frequency;
    let horizon = options
        .horizon
        .unwrap_or_else(|| frequency.periods_per_quarter())
        .max(1);
    let last = table.periods.last().copied();
    let deadline = last.and_then(crate::model::kr_deadline);
    let ahead = |step: i64| last.map(|last| last.advance(step, table.step_days));
    // Periods that end by the deadline (a few; capped against odd calendars).
    let deadline_steps = deadline.map_or(0, |deadline| {
        (1..=400)
            .take_while(|&step| ahead(step).is_some_and(|period| period.end_date() <= deadline))
            .count()
    });
    let future_periods: Vec<Period> = (1..=horizon.max(deadline_steps) as i64)
        .filter_map(ahead)
        .collect();
    let future_labels: Vec<String> = future_periods.iter().map(|period| period.label()).collect();
    let future_periods: Vec<Period> = future_periods.into_iter().take(horizon).collect();
    let labels: Vec<String> = table.periods.iter().map(|period| period.label()).collect();
    let series: Vec<Vec<Option<f64>>> = (0..table.kpis.len())
        .map(|index| table.values_of(index))
        .collect();
    let sheet = SheetContext {
        frequency,
        seasons: profile::seasons_of(frequency, table.periods.first()),
        labels: &labels,
        future_labels: &future_labels,
        horizon,
        slopes,
    };
    let kpis = table
        .kpis
        .iter()
        .zip(&series)
        .map(|(meta, values)| analyze_kpi(values, meta, &sheet))
        .collect();
    Analysis {
        kpis,
        lead_lag: Vec::new(),
        horizon,
        future_periods,
        deadline,
        deadline_steps,
        forecast_labels: future_labels,
    }
}

/// Analyses one KPI's values.
pub fn analyze_kpi(
    values: &[Option<f64>],
    meta: &KpiMeta,
    sheet: &SheetContext<'_>,
) -> KpiAnalysis {
    let (frequency, labels, future_labels) = (sheet.frequency, sheet.labels, sheet.future_labels);
    let profile = profile::describe(values, sheet.seasons);
    let significance = significance::prewhitened_mann_kendall(&profile.deseasonalised_levels);
    let direction = meta.direction;
    let target = meta.target.as_ref();
    let summary = summary::summarise(
        values,
        frequency.periods_per_year(),
        frequency.periods_per_quarter().max(2),
    );
    let fit = trend::ols(values);
    let mann_kendall = trend::mann_kendall(values);
    let deferred_sign = mann_kendall
        .as_ref()
        .filter(|_| sheet.slopes == Slopes::SignFirst && summary.count > DEFER_SLOPE_ABOVE)
        .and_then(|test| trend::theil_sen_sign(values, test));
    let theil_sen_slope = match deferred_sign {
        Some(_) => 0.0,
        None => trend::theil_sen_slope(values).unwrap_or(0.0),
    };
    let (s, tau, p_value) = mann_kendall
        .as_ref()
        .map_or((0.0, 0.0, 1.0), |test| (test.s, test.tau, test.p_value));
    // The verdict trusts only a test valid for autocorrelated series, and
    // never calls a wandering level a trend.
    let verdict = match (&significance, profile.wanders) {
        (_, true) | (None, _) => Verdict::Flat,
        (Some(test), false) => health::verdict(direction, test.s, test.p_value),
    };
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
        theil_sen_slope,
        pending_sign: deferred_sign,
        mann_kendall: MannKendallSummary { s, tau, p_value },
        significance,
        wanders: profile.wanders,
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
    let season_length = profile
        .seasons
        .filter(|_| profile.seasonal)
        .map(|(period, _)| period.seasons());
    let projection = forecast::project(values, season_length, target, future_labels, sheet.horizon);
    let forecast = projection.forecast;
    let anomalies = anomaly::find(values, &projection.one_step_errors, labels);
    let health = health::classify(breach.as_ref(), verdict, &forecast);
    let latest_is_anomalous = summary
        .latest_index
        .is_some_and(|latest| anomalies.iter().any(|anomaly| anomaly.index == latest));
    let attention_reason = health::attention(
        target.is_some(),
        verdict,
        latest_is_anomalous,
        meta.direction_source == crate::model::DirectionSource::Default,
    );
    let suggested_target = target
        .is_none()
        .then(|| health::suggested_target(values, direction, frequency))
        .flatten();
    KpiAnalysis {
        profile,
        anomalies,
        attention_reason,
        summary,
        trend,
        breach,
        forecast,
        health,
        suggested_target,
    }
}
