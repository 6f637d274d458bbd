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

/// Breach probability at or above which a KPI inside its target is at risk.
pub const AT_RISK_PROBABILITY: f64 = 0.5;

/// Classifies one KPI (SPEC "health"): `breached` when the latest value is
/// outside the target — or `recovering` when it also improves significantly
/// and the forecast gets back within the target within the horizon;
/// `at_risk` when it is inside but the chance of a breach within the
/// horizon is at least one half; `healthy` otherwise; `no_target` without a
/// target (callers pass `breach = None`).
pub fn classify(breach: Option<&Breach>, verdict: Verdict, forecast: &Forecast) -> Health {
    let Some(breach) = breach else {
        return Health::NoTarget;
    };
    if breach.latest_breached {
        let recovers =
            forecast.kind.as_deref() == Some("recovery") && forecast.periods_ahead.is_some();
        if verdict == Verdict::Improving && recovers {
            Health::Recovering
        } else {
            Health::Breached
        }
    } else if forecast
        .breach_probability
        .is_some_and(|probability| probability >= AT_RISK_PROBABILITY)
    {
        Health::AtRisk
    } else {
        Health::Healthy
    }
}

/// Why a KPI without a target deserves a look, if it does: it worsens
/// significantly (in its direction), or its latest value is an anomaly.
pub fn attention(
    has_target: bool,
    verdict: Verdict,
    latest_is_anomalous: bool,
    direction_assumed: bool,
) -> Option<String> {
    if has_target {
        return None;
    }
    match (verdict, latest_is_anomalous) {
        (Verdict::Worsening, _) if direction_assumed => Some(
            "it has moved significantly in one direction — worse, if higher is better as assumed"
                .to_string(),
        ),
        (Verdict::Worsening, _) => Some("it is worsening significantly".to_string()),
        (_, true) => Some("its latest value is unusual for it".to_string()),
        _ => None,
    }
}

/// A target the history suggests, and its basis in words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SuggestedTarget {
    #[serde(flatten)]
    pub target: Target,
    /// "the 25th percentile of the last 12 months (met 3 months in 4)".
    pub basis: String,
}

/// A target the recent history suggests for a KPI without one: the level it
/// met three periods in four over the last year of periods (at most 12,
/// at least 4 values) — the 25th percentile when higher is better, the 75th
/// when lower is better — rounded to the KPI's own precision.
pub fn suggested_target(
    values: &[Option<f64>],
    direction: Direction,
    frequency: crate::model::Frequency,
) -> Option<SuggestedTarget> {
    let window = frequency.periods_per_year().unwrap_or(12).clamp(4, 12);
    let recent: Vec<f64> = values.iter().flatten().copied().collect();
    let recent = recent.get(recent.len().saturating_sub(window)..)?;
    if recent.len() < 4 {
        return None;
    }
    let mut sorted = recent.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (kind, quantile, percentile_word) = match direction {
        Direction::HigherIsBetter => (TargetKind::AtLeast, 0.25, "25th"),
        Direction::LowerIsBetter => (TargetKind::AtMost, 0.75, "75th"),
    };
    let level = round_like(percentile(&sorted, quantile)?, recent);
    let basis = format!(
        "the {percentile_word} percentile of the last {} {}: a level met 3 {} in 4",
        recent.len(),
        frequency.unit_word(recent.len() as i64),
        frequency.unit_word(3)
    );
    Some(SuggestedTarget {
        target: Target::threshold(kind, level, format!("suggested: {basis}")),
        basis,
    })
}

/// `value` rounded to the precision the KPI's own values are written with
/// (their most decimals, at most 4), so a suggestion never reads 7.3183
/// for a KPI written as 7.3.
pub fn round_like(value: f64, values: &[f64]) -> f64 {
    let decimals = values
        .iter()
        .map(|value| decimals_of(*value))
        .max()
        .unwrap_or(0)
        .min(4);
    let scale = 10f64.powi(decimals as i32);
    let rounded = (value * scale).round() / scale;
    if rounded.is_finite() {
        rounded
    } else {
        value
    }
}

/// Decimals a value is written with (up to 6): 7.25 → 2, 300 → 0.
fn decimals_of(value: f64) -> usize {
    (0..=6)
        .find(|&decimals| {
            let scale = 10f64.powi(decimals);
            ((value * scale).round() - value * scale).abs() < 1e-6 * scale.max(1.0)
        })
        .unwrap_or(6) as usize
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

    fn forecast(kind: &str, crossing: bool, breach_probability: f64) -> Forecast {
        Forecast {
            crossing_period: crossing.then(|| "2025-03".to_string()),
            periods_ahead: crossing.then_some(2),
            kind: Some(kind.to_string()),
            breach_probability: Some(breach_probability),
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
        let recovery = |crossing| forecast("recovery", crossing, 1.0);
        assert_eq!(
            classify(Some(&breached), Verdict::Flat, &recovery(true)),
            Health::Breached
        );
        assert_eq!(
            classify(Some(&breached), Verdict::Improving, &recovery(true)),
            Health::Recovering
        );
        assert_eq!(
            classify(Some(&breached), Verdict::Improving, &recovery(false)),
            Health::Breached
        );
        // Inside: the chance of a breach decides, whatever the trend says.
        assert_eq!(
            classify(
                Some(&inside),
                Verdict::Flat,
                &forecast("breach", false, 0.5)
            ),
            Health::AtRisk
        );
        assert_eq!(
            classify(
                Some(&inside),
                Verdict::Worsening,
                &forecast("breach", true, 0.49)
            ),
            Health::Healthy
        );
        assert_eq!(
            classify(None, Verdict::Flat, &Forecast::default()),
            Health::NoTarget
        );
    }

    #[test]
    fn attention_is_for_kpis_without_a_target() {
        assert!(attention(true, Verdict::Worsening, true, false).is_none());
        assert!(attention(false, Verdict::Worsening, false, false).is_some());
        assert!(attention(false, Verdict::Flat, true, false).is_some());
        assert!(attention(false, Verdict::Improving, false, false).is_none());
        assert!(attention(false, Verdict::Worsening, false, true)
            .is_some_and(|reason| reason.contains("assumed")));
    }

    #[test]
    fn suggested_targets_come_from_the_quartiles() {
        let values: Vec<Option<f64>> = [10.0, 20.0, 30.0, 40.0, 50.0]
            .iter()
            .map(|v| Some(*v))
            .collect();
        let monthly = crate::model::Frequency::Monthly;
        let higher = suggested_target(&values, Direction::HigherIsBetter, monthly).unwrap();
        assert_eq!(
            (higher.target.kind, higher.target.value),
            (TargetKind::AtLeast, Some(20.0))
        );
        assert_eq!(
            higher.basis,
            "the 25th percentile of the last 5 months: a level met 3 months in 4"
        );
        let lower = suggested_target(&values, Direction::LowerIsBetter, monthly).unwrap();
        assert_eq!(
            (lower.target.kind, lower.target.value),
            (TargetKind::AtMost, Some(40.0))
        );
        assert!(suggested_target(&values[..2], Direction::HigherIsBetter, monthly).is_none());
        // Only the last 12 months count, rounded like the values (one decimal).
        let long: Vec<Option<f64>> = (0..24)
            .map(|month| {
                Some(if month < 12 {
                    1.0
                } else {
                    7.3 + month as f64 * 0.1
                })
            })
            .collect();
        let recent = suggested_target(&long, Direction::HigherIsBetter, monthly).unwrap();
        assert_eq!(recent.target.value, Some(8.8));
        assert_eq!(round_like(7.318_3, &[7.3, 7.4]), 7.3);
        assert_eq!(round_significant(1234.5, 3), 1230.0);
        assert_eq!(round_significant(0.012345, 3), 0.0123);
    }
}
