//! A KPI's health, from its breach record, trend and forecast:
//! `breached`, `at_risk`, `recovering`, `healthy`, or `no_target` (with a
//! target the history suggests).

use serde::Serialize;

use crate::analysis::breach::Breach;
use crate::analysis::forecast::Forecast;
use crate::model::{Direction, Target, TargetKind};

/// The trend verdict, direction-aware.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Improving,
    Worsening,
    Flat,
}

/// Significance level of the Mann–Kendall test for a trend to count.
pub const TREND_ALPHA: f64 = 0.05;

/// Improving / worsening when the Mann–Kendall test is significant, in the
/// sense the KPI's direction gives; flat otherwise.
pub fn verdict(direction: Direction, mann_kendall_s: f64, p_value: f64) -> Verdict {
    if p_value.is_nan() || p_value > TREND_ALPHA || mann_kendall_s == 0.0 {
        return Verdict::Flat;
    }
    if mann_kendall_s * direction.sign() > 0.0 {
        Verdict::Improving
    } else {
        Verdict::Worsening
    }
}

/// The health word of the JSON contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Breached,
    AtRisk,
    Recovering,
    Healthy,
    NoTarget,
}

impl Health {
    /// Sort order for attention: the worst first.
    pub fn rank(self) -> u8 {
        match self {
            Health::Breached => 0,
            Health::AtRisk => 1,
            Health::Recovering => 2,
            Health::NoTarget => 3,
            Health::Healthy => 4,
        }
    }
}

/// Classifies one KPI. A KPI with a target but no values is `no_target`'s
/// opposite problem; it is reported `healthy` only if it has a latest value,
/// so callers pass `breach = None` for it and get `NoTarget`.
pub fn classify(breach: Option<&Breach>, verdict: Verdict, forecast: &Forecast) -> Health {
    let Some(breach) = breach else {
        return Health::NoTarget;
    };
    let crosses = forecast.crossing_period.is_some();
    if breach.latest_breached {
        if verdict == Verdict::Improving && crosses {
            Health::Recovering
        } else {
            Health::Breached
        }
    } else if crosses
        || (verdict == Verdict::Worsening && breach.margin_sd.is_some_and(|margin| margin <= 1.0))
    {
        Health::AtRisk
    } else {
        Health::Healthy
    }
}

/// A target the history suggests for a KPI without one: the level it met
/// three periods in four (the 25th percentile when higher is better, the
/// 75th when lower is better), rounded to three significant digits.
pub fn suggested_target(values: &[Option<f64>], direction: Direction) -> Option<Target> {
    let mut present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.len() < 4 {
        return None;
    }
    present.sort_by(f64::total_cmp);
    let (kind, quantile) = match direction {
        Direction::HigherIsBetter => (TargetKind::AtLeast, 0.25),
        Direction::LowerIsBetter => (TargetKind::AtMost, 0.75),
    };
    let level = percentile(&present, quantile)?;
    Some(Target::threshold(
        kind,
        round_significant(level, 3),
        "suggested from history",
    ))
}

/// Linear-interpolated percentile of sorted values (numpy's default).
fn percentile(sorted: &[f64], quantile: f64) -> Option<f64> {
    let position = quantile * (sorted.len().checked_sub(1)? as f64);
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let weight = position - lower as f64;
    Some(sorted.get(lower)? * (1.0 - weight) + sorted.get(upper)? * weight)
}

/// Rounds to `digits` significant digits.
pub fn round_significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(digits - 1 - value.abs().log10().floor() as i32);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::breach::check;

    fn forecast_crossing(crossing: bool) -> Forecast {
        Forecast {
            crossing_period: crossing.then(|| "2025-03".to_string()),
            ..Forecast::default()
        }
    }

    #[test]
    fn verdicts_respect_direction_and_significance() {
        assert_eq!(
            verdict(Direction::HigherIsBetter, 20.0, 0.01),
            Verdict::Improving
        );
        assert_eq!(
            verdict(Direction::LowerIsBetter, 20.0, 0.01),
            Verdict::Worsening
        );
        assert_eq!(
            verdict(Direction::LowerIsBetter, -20.0, 0.01),
            Verdict::Improving
        );
        assert_eq!(verdict(Direction::HigherIsBetter, 20.0, 0.2), Verdict::Flat);
        assert_eq!(
            verdict(Direction::HigherIsBetter, 20.0, f64::NAN),
            Verdict::Flat
        );
    }

    #[test]
    fn health_follows_the_spec_rules() {
        let target = Target::threshold(TargetKind::AtMost, 7.5, "t");
        let breached = check(&[Some(7.0), Some(8.0)], &target, None, Some(1.0));
        let inside = check(&[Some(7.0), Some(7.0)], &target, None, Some(1.0));
        let far_inside = check(&[Some(1.0), Some(1.0)], &target, None, Some(1.0));
        assert_eq!(
            classify(Some(&breached), Verdict::Flat, &forecast_crossing(false)),
            Health::Breached
        );
        assert_eq!(
            classify(
                Some(&breached),
                Verdict::Improving,
                &forecast_crossing(true)
            ),
            Health::Recovering
        );
        assert_eq!(
            classify(
                Some(&breached),
                Verdict::Improving,
                &forecast_crossing(false)
            ),
            Health::Breached
        );
        assert_eq!(
            classify(Some(&inside), Verdict::Flat, &forecast_crossing(true)),
            Health::AtRisk
        );
        // margin 0.5 sd, worsening significantly
        assert_eq!(
            classify(Some(&inside), Verdict::Worsening, &forecast_crossing(false)),
            Health::AtRisk
        );
        assert_eq!(
            classify(
                Some(&far_inside),
                Verdict::Worsening,
                &forecast_crossing(false)
            ),
            Health::Healthy
        );
        assert_eq!(
            classify(None, Verdict::Flat, &forecast_crossing(false)),
            Health::NoTarget
        );
    }

    #[test]
    fn suggested_targets_come_from_the_quartiles() {
        let values: Vec<Option<f64>> = [10.0, 20.0, 30.0, 40.0, 50.0]
            .iter()
            .map(|v| Some(*v))
            .collect();
        let higher = suggested_target(&values, Direction::HigherIsBetter).unwrap();
        assert_eq!(
            (higher.kind, higher.value),
            (TargetKind::AtLeast, Some(20.0))
        );
        let lower = suggested_target(&values, Direction::LowerIsBetter).unwrap();
        assert_eq!((lower.kind, lower.value), (TargetKind::AtMost, Some(40.0)));
        assert!(suggested_target(&values[..2], Direction::HigherIsBetter).is_none());
        assert_eq!(round_significant(1234.5, 3), 1230.0);
        assert_eq!(round_significant(0.012345, 3), 0.0123);
    }
}
