//! A KPI's forecast as the report gives it: the fitted exponential-smoothing
//! model (`ets`: ETS(A,N,N), ETS(A,Ad,N) or ETS(A,A,N) by AICc, MSTL first
//! for a seasonal KPI) with its own 95 % interval per step of the horizon;
//! when the forecast crosses the target (for a healthy KPI the breach, for
//! a breached one the recovery) — the point forecast's period and the
//! earliest and latest periods the interval allows; and the probability of
//! at least one breach within the horizon, from simulated paths of the
//! model.

pub mod ets;

use serde::Serialize;

use crate::model::{Target, TargetKind};
use ets::{CrossingKind, ForecastTarget};

/// One forecast period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForecastPoint {
    pub period: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// The forecast the report shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Forecast {
    /// The model, "ETS(A,Ad,N)" or "MSTL(12)+ETS(A,N,N)" (None: too few values).
    pub model: Option<String>,
    /// The period in which the point forecast crosses, or `None`: not within
    /// the horizon.
    pub crossing_period: Option<String>,
    /// Periods after the sheet's last period.
    pub periods_ahead: Option<usize>,
    /// The earliest period the interval allows the crossing…
    pub earliest_period: Option<String>,
    /// …and the period by which the whole interval has crossed (None:
    /// beyond the horizon).
    pub latest_period: Option<String>,
    /// What the crossing means: "breach" (a healthy KPI would breach) or
    /// "recovery" (a breached KPI would be back within the target).
    pub kind: Option<String>,
    /// The chance (0–1) of at least one period outside the target within
    /// the horizon, from simulated paths of the model (None without a target).
    pub breach_probability: Option<f64>,
    pub path: Vec<ForecastPoint>,
    /// The steps after the horizon up to the key results' deadline, for
    /// judging whether a key result is within reach.
    #[serde(skip)]
    pub beyond: Vec<ForecastPoint>,
}

/// The forecast and what anomaly detection needs from the same fit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Projection {
    pub forecast: Forecast,
    /// One-step-ahead errors, aligned with the values (None where the
    /// period was missing or not fitted).
    pub one_step_errors: Vec<Option<f64>>,
}

/// The target as the forecast model tests it.
fn forecast_target(target: &Target) -> Option<ForecastTarget> {
    match target.kind {
        TargetKind::AtLeast => target.value.map(ForecastTarget::AtLeast),
        TargetKind::AtMost => target.value.map(ForecastTarget::AtMost),
        TargetKind::Between => match (target.low, target.high) {
            (Some(low), Some(high)) => Some(ForecastTarget::Between { low, high }),
            (Some(low), None) => Some(ForecastTarget::AtLeast(low)),
            (None, Some(high)) => Some(ForecastTarget::AtMost(high)),
            (None, None) => None,
        },
    }
}

/// Forecasts a KPI over `future_labels` (the periods after the sheet's last
/// one): the first `horizon` of them are the forecast, the rest (up to the
/// key results' deadline) are kept in `beyond`. `season_length` is given
/// for a seasonal KPI (12 for monthly, 4 for quarterly).
pub fn project(
    values: &[Option<f64>],
    season_length: Option<usize>,
    target: Option<&Target>,
    future_labels: &[String],
    horizon: usize,
) -> Projection {
    let horizon = horizon.min(future_labels.len());
    let Some(fitted) = ets::forecast(values, season_length, future_labels.len()) else {
        return Projection {
            one_step_errors: vec![None; values.len()],
            ..Projection::default()
        };
    };
    let path: Vec<ForecastPoint> = fitted
        .steps
        .iter()
        .zip(future_labels)
        .map(|(step, label)| ForecastPoint {
            period: label.clone(),
            value: step.value,
            low: step.low,
            high: step.high,
        })
        .collect();
    let mut path = path;
    let beyond = path.split_off(horizon.min(path.len()));
    let mut forecast = Forecast {
        model: Some(fitted.model.clone()),
        path,
        beyond,
        ..Forecast::default()
    };
    if let Some(target) = target.and_then(forecast_target) {
        let crossing = ets::crossing(&fitted, &target);
        let within = |step: &usize| *step <= horizon;
        let label = |step: Option<usize>| {
            step.filter(within)
                .and_then(|step| future_labels.get(step.checked_sub(1)?))
                .cloned()
        };
        forecast.crossing_period = label(crossing.point_step);
        forecast.periods_ahead = crossing.point_step.filter(|step| *step <= horizon);
        forecast.earliest_period = label(crossing.earliest_step);
        forecast.latest_period = label(crossing.latest_step);
        forecast.kind = Some(
            match crossing.kind {
                CrossingKind::Breach => "breach",
                CrossingKind::Recovery => "recovery",
            }
            .to_string(),
        );
        forecast.breach_probability = ets::breach_probability(&fitted, &target, horizon);
    }
    Projection {
        forecast,
        one_step_errors: fitted.one_step_errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(count: usize) -> Vec<String> {
        (1..=count).map(|step| format!("f{step}")).collect()
    }

    #[test]
    fn a_rising_rate_is_projected_to_breach() {
        // A clean linear rise: ETS(A,A,N) follows it; 8.6 is crossed at step 3.
        let values: Vec<Option<f64>> = (0..24)
            .map(|x| Some(-4.5 + 0.5 * f64::from(x) + if x % 2 == 0 { 0.01 } else { -0.01 }))
            .collect();
        let target = Target::threshold(TargetKind::AtMost, 8.6, "t");
        let projection = project(&values, None, Some(&target), &labels(6), 6);
        let forecast = projection.forecast;
        assert_eq!(forecast.kind.as_deref(), Some("breach"));
        assert_eq!(forecast.periods_ahead, Some(4));
        assert!(forecast.breach_probability.is_some_and(|p| p > 0.9));
        assert_eq!(forecast.path.len(), 6);
        assert!(forecast
            .path
            .iter()
            .all(|point| point.low <= point.value && point.value <= point.high));
    }

    #[test]
    fn too_few_values_give_no_forecast_and_no_errors() {
        let projection = project(&[Some(1.0), Some(2.0)], None, None, &labels(3), 3);
        assert_eq!(projection.forecast, Forecast::default());
        assert_eq!(projection.one_step_errors, vec![None, None]);
    }
}
