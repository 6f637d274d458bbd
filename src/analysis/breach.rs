//! A KPI against its target: status per period, whether the latest value
//! breaches, the current breach streak, how often it breached, and the
//! margin to the threshold.

use serde::Serialize;

use crate::model::{Target, TargetKind};

/// Whether one period's value met the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    Breached,
}

/// The breach record of one KPI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Breach {
    pub latest_breached: bool,
    /// Consecutive breached values up to and including the latest one.
    pub streak: usize,
    /// Breached values in the whole history.
    pub count: usize,
    /// Distance from the latest value to the threshold: positive inside the
    /// target, negative outside (for a band, to the nearer edge).
    pub margin: Option<f64>,
    /// `margin` in standard deviations of the KPI's history.
    pub margin_sd: Option<f64>,
    /// Status per period (None where the value is missing).
    #[serde(skip)]
    pub status: Vec<Option<Status>>,
}

/// Signed distance of `value` inside the target (negative when outside).
pub fn margin(target: &Target, value: f64) -> Option<f64> {
    match target.kind {
        TargetKind::AtLeast => target.value.map(|threshold| value - threshold),
        TargetKind::AtMost => target.value.map(|threshold| threshold - value),
        TargetKind::Between => match (target.low, target.high) {
            (Some(low), Some(high)) => Some((value - low).min(high - value)),
            (Some(low), None) => Some(value - low),
            (None, Some(high)) => Some(high - value),
            (None, None) => None,
        },
    }
}

/// Checks every period against the target: its own per-period threshold
/// where `history` has one (a Plan line), else `target`. `sd` is the
/// history's standard deviation. The margin is to the latest period's target.
pub fn check(
    values: &[Option<f64>],
    target: &Target,
    history: Option<&[Option<f64>]>,
    sd: Option<f64>,
) -> Breach {
    let target_at = |index: usize| -> Target {
        match history.and_then(|history| history.get(index).copied().flatten()) {
            Some(threshold) if target.kind != TargetKind::Between => Target {
                value: Some(threshold),
                ..target.clone()
            },
            _ => target.clone(),
        }
    };
    let status: Vec<Option<Status>> = values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            value.map(|value| {
                if target_at(index).is_met(value) {
                    Status::Met
                } else {
                    Status::Breached
                }
            })
        })
        .collect();
    let present: Vec<Status> = status.iter().flatten().copied().collect();
    let streak = present
        .iter()
        .rev()
        .take_while(|status| **status == Status::Breached)
        .count();
    let count = present
        .iter()
        .filter(|status| **status == Status::Breached)
        .count();
    let latest_index = values.iter().rposition(Option::is_some);
    let margin = latest_index.and_then(|index| {
        let value = values.get(index).copied().flatten()?;
        margin(&target_at(index), value)
    });
    let margin_sd = margin
        .zip(sd)
        .and_then(|(margin, sd)| (sd > f64::EPSILON).then(|| margin / sd));
    Breach {
        latest_breached: present.last() == Some(&Status::Breached),
        streak,
        count,
        margin,
        margin_sd,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_at_most_target_counts_streaks_and_margins() {
        let target = Target::threshold(TargetKind::AtMost, 7.5, "test");
        let values = [Some(5.1), Some(8.0), Some(6.0), None, Some(7.9), Some(8.4)];
        let breach = check(&values, &target, None, Some(2.0));
        assert!(breach.latest_breached);
        assert_eq!(breach.streak, 2);
        assert_eq!(breach.count, 3);
        assert!((breach.margin.unwrap() - (-0.9)).abs() < 1e-12);
        assert!((breach.margin_sd.unwrap() - (-0.45)).abs() < 1e-12);
        assert_eq!(breach.status[3], None);
        assert_eq!(breach.status[0], Some(Status::Met));
    }

    #[test]
    fn boundaries_count_as_met() {
        let target = Target::threshold(TargetKind::AtLeast, 70.0, "test");
        let breach = check(&[Some(69.0), Some(70.0)], &target, None, None);
        assert!(!breach.latest_breached);
        assert_eq!(breach.streak, 0);
        assert_eq!(breach.count, 1);
        assert_eq!(breach.margin, Some(0.0));
        assert_eq!(breach.margin_sd, None);
    }

    #[test]
    fn each_period_is_checked_against_its_own_plan() {
        // Plan 100, 110, 120; actual 105, 108, 125: only the second misses.
        let target = Target::threshold(TargetKind::AtLeast, 120.0, "plan");
        let plan = [Some(100.0), Some(110.0), Some(120.0)];
        let values = [Some(105.0), Some(108.0), Some(125.0)];
        let breach = check(&values, &target, Some(&plan), None);
        assert_eq!(
            breach.status,
            vec![Some(Status::Met), Some(Status::Breached), Some(Status::Met)]
        );
        assert_eq!(breach.count, 1);
        assert_eq!(breach.margin, Some(5.0));
    }

    #[test]
    fn a_band_measures_to_the_nearer_edge() {
        let target = Target::band(95.0, 105.0, "test");
        assert_eq!(margin(&target, 104.0), Some(1.0));
        assert_eq!(margin(&target, 90.0), Some(-5.0));
        assert_eq!(margin(&target, 107.0), Some(-2.0));
    }
}
