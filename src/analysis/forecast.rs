//! When a KPI is projected to cross its threshold: for a healthy KPI, the
//! period it would breach; for a breached one, the period it would be back
//! within the target. The projection starts from the latest value and moves
//! at the OLS slope; its interval is the OLS prediction interval (95 %).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::analysis::trend::OlsFit;
use crate::model::Target;

/// Two-sided coverage of the forecast interval.
const COVERAGE: f64 = 0.95;

/// One projected period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForecastPoint {
    pub period: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// The projected crossing and the path behind it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Forecast {
    /// The period of the crossing, or `None`: not within the horizon.
    pub crossing_period: Option<String>,
    /// Periods after the sheet's last period.
    pub periods_ahead: Option<usize>,
    /// The crossing's interval: the earliest period the interval allows…
    pub earliest_period: Option<String>,
    /// …and the latest (None: beyond the horizon).
    pub latest_period: Option<String>,
    /// What the crossing means: "breach" (a healthy KPI would breach) or
    /// "recovery" (a breached KPI would be back within the target).
    pub kind: Option<String>,
    pub path: Vec<ForecastPoint>,
}

/// Projects a KPI over `future_labels` (the periods after the sheet's last
/// one; their count is the horizon). `last_index` is the sheet's last period
/// index, `latest` the latest present value and its index.
pub fn project(
    fit: Option<&OlsFit>,
    latest: Option<(usize, f64)>,
    last_index: usize,
    target: Option<&Target>,
    future_labels: &[String],
) -> Forecast {
    let (Some(fit), Some((latest_index, latest_value))) = (fit, latest) else {
        return Forecast::default();
    };
    let t_quantile = t_quantile(fit.n);
    let path: Vec<ForecastPoint> = future_labels
        .iter()
        .enumerate()
        .map(|(step, label)| {
            let x = (last_index + step + 1) as f64;
            let value = latest_value + fit.slope * (x - latest_index as f64);
            let half_width = t_quantile * fit.prediction_se(x);
            let half_width = if half_width.is_finite() {
                half_width
            } else {
                0.0
            };
            ForecastPoint {
                period: label.clone(),
                value,
                low: value - half_width,
                high: value + half_width,
            }
        })
        .collect();
    let Some(target) = target else {
        return Forecast {
            path,
            ..Forecast::default()
        };
    };
    let breached_now = !target.is_met(latest_value);
    // For a healthy KPI the event is a breach; for a breached one, recovery.
    let happened = |value: f64| target.is_met(value) == breached_now;
    let first = |test: &dyn Fn(&ForecastPoint) -> bool| path.iter().position(test);
    let central = first(&|point| happened(point.value));
    let earliest = first(&|point| happened(point.low) || happened(point.high));
    let latest_crossing = first(&|point| happened(point.low) && happened(point.high));
    let label = |index: Option<usize>| {
        index
            .and_then(|index| path.get(index))
            .map(|point| point.period.clone())
    };
    Forecast {
        crossing_period: label(central),
        periods_ahead: central.map(|index| index + 1),
        earliest_period: label(earliest),
        latest_period: label(latest_crossing),
        kind: Some(if breached_now { "recovery" } else { "breach" }.to_string()),
        path,
    }
}

/// The t quantile for a 95 % prediction interval with n − 2 degrees of freedom.
fn t_quantile(points: usize) -> f64 {
    let degrees = points.saturating_sub(2) as f64;
    if degrees < 1.0 {
        return f64::INFINITY;
    }
    StudentsT::new(0.0, 1.0, degrees)
        .map(|distribution| distribution.inverse_cdf(0.5 + COVERAGE / 2.0))
        .unwrap_or(f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::trend::ols;
    use crate::model::TargetKind;

    fn labels(count: usize) -> Vec<String> {
        (1..=count).map(|step| format!("f{step}")).collect()
    }

    #[test]
    fn a_rising_rate_is_projected_to_breach() {
        // y = 5 + 0.5x exactly: slope 0.5, no residual, so the interval is the line.
        let values: Vec<Option<f64>> = (0..6).map(|x| Some(5.0 + 0.5 * f64::from(x))).collect();
        let fit = ols(&values).unwrap();
        let target = Target::threshold(TargetKind::AtMost, 8.6, "t");
        // latest 7.5 at x=5; 8.0 at x=6, 8.5 at x=7, 9.0 at x=8 → breach at step 3.
        let forecast = project(Some(&fit), Some((5, 7.5)), 5, Some(&target), &labels(3));
        assert_eq!(forecast.crossing_period.as_deref(), Some("f3"));
        assert_eq!(forecast.periods_ahead, Some(3));
        assert_eq!(forecast.kind.as_deref(), Some("breach"));
        assert!((forecast.path[0].value - 8.0).abs() < 1e-9);
    }

    #[test]
    fn a_breached_kpi_improving_is_projected_back() {
        let values: Vec<Option<f64>> = (0..6).map(|x| Some(10.0 - 0.5 * f64::from(x))).collect();
        let fit = ols(&values).unwrap();
        let target = Target::threshold(TargetKind::AtMost, 7.0, "t");
        // latest 7.5; 7.0 next period is within (boundary counts as met).
        let forecast = project(Some(&fit), Some((5, 7.5)), 5, Some(&target), &labels(3));
        assert_eq!(forecast.crossing_period.as_deref(), Some("f1"));
        assert_eq!(forecast.kind.as_deref(), Some("recovery"));
    }

    #[test]
    fn a_flat_kpi_does_not_cross_within_the_horizon() {
        let values = vec![Some(5.0), Some(5.0), Some(5.0), Some(5.0)];
        let fit = ols(&values).unwrap();
        let target = Target::threshold(TargetKind::AtMost, 7.5, "t");
        let forecast = project(Some(&fit), Some((3, 5.0)), 3, Some(&target), &labels(3));
        assert_eq!(forecast.crossing_period, None);
        assert_eq!(forecast.periods_ahead, None);
        assert_eq!(forecast.path.len(), 3);
    }
}
