//! Unusual points: periods whose one-step-ahead forecast error (what the
//! fitted model did not expect, given the KPI's own level, trend and
//! season) lies outside robust limits, median ± 3 × 1.4826 × MAD of all
//! such errors of that KPI (SPEC "Anomalies"). A KPI that drifts or has a
//! season is not flagged for the drift or the season, only for surprises.

use serde::Serialize;

/// Control-limit width in robust standard deviations.
const LIMIT_SIGMAS: f64 = 3.0;
/// Scales the MAD to a standard deviation for normal data.
const MAD_TO_SD: f64 = 1.4826;
/// Scales the mean absolute deviation to a standard deviation for normal data
/// (√(π/2)); stands in when the MAD is zero (more than half the errors equal).
const MEAN_ABS_TO_SD: f64 = 1.253_314_137_315_500_3;
/// One-step errors needed before anomalies are looked for.
pub const MIN_ERRORS: usize = 8;

/// One flagged point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Anomaly {
    #[serde(skip)]
    pub index: usize,
    pub period: String,
    pub value: f64,
    /// `above_expected` or `below_expected`: the value was higher or lower
    /// than the model's one-step forecast by more than the limits allow.
    pub rule: String,
    /// The model's one-step forecast for the period.
    pub expected: f64,
}

/// The centre and limits of the errors.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ControlLimits {
    pub centre: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The median of a slice (mean of the two middle values for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        Some((sorted[middle - 1] + sorted[middle]) / 2.0)
    } else {
        Some(sorted[middle])
    }
}

/// Robust limits of the present errors: median ± 3 × 1.4826 × MAD; None
/// with fewer than [`MIN_ERRORS`] of them.
pub fn control_limits(errors: &[Option<f64>]) -> Option<ControlLimits> {
    let present: Vec<f64> = errors
        .iter()
        .flatten()
        .copied()
        .filter(|error| error.is_finite())
        .collect();
    if present.len() < MIN_ERRORS {
        return None;
    }
    let centre = median(&present)?;
    let deviations: Vec<f64> = present.iter().map(|error| (error - centre).abs()).collect();
    let mad_sd = median(&deviations)? * MAD_TO_SD;
    let spread_sd = if mad_sd > 0.0 {
        mad_sd
    } else {
        MEAN_ABS_TO_SD * deviations.iter().sum::<f64>() / deviations.len() as f64
    };
    let half_width = LIMIT_SIGMAS * spread_sd;
    Some(ControlLimits {
        centre,
        lower: centre - half_width,
        upper: centre + half_width,
    })
}

/// Flags the anomalies of one KPI: `values` and its one-step errors
/// (observed − forecast, aligned with the values), `labels` the periods.
pub fn find(values: &[Option<f64>], errors: &[Option<f64>], labels: &[String]) -> Vec<Anomaly> {
    let Some(limits) = control_limits(errors) else {
        return Vec::new();
    };
    if limits.upper <= limits.lower {
        return Vec::new();
    }
    errors
        .iter()
        .enumerate()
        .filter_map(|(index, error)| {
            let error = (*error)?;
            let value = values.get(index).copied().flatten()?;
            let rule = if error > limits.upper {
                "above_expected"
            } else if error < limits.lower {
                "below_expected"
            } else {
                return None;
            };
            Some(Anomaly {
                index,
                period: labels.get(index).cloned().unwrap_or_default(),
                value,
                rule: rule.to_string(),
                expected: value - error,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(count: usize) -> Vec<String> {
        (0..count).map(|index| format!("p{index}")).collect()
    }

    #[test]
    fn a_surprise_is_outside_the_robust_limits() {
        // Evenly spread errors in [−0.5, 0.5], one far out.
        let mut errors: Vec<Option<f64>> = (0..40)
            .map(|index| Some(((index * 7) % 11) as f64 / 10.0 - 0.5))
            .collect();
        errors[20] = Some(12.0);
        errors[5] = None;
        let values: Vec<Option<f64>> = (0..40).map(|index| Some(100.0 + index as f64)).collect();
        let found = find(&values, &errors, &labels(40));
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].index, found[0].rule.as_str()),
            (20, "above_expected")
        );
        assert_eq!(found[0].expected, 120.0 - 12.0);
        assert!(find(&values, &errors[..5], &labels(5)).is_empty());
    }

    #[test]
    fn limits_are_median_and_scaled_mad() {
        // Errors 1,0,1,0,1,0,39,1,0,1: median 1, deviations 0,1,0,1,0,1,38,0,1,0 → MAD 0.5.
        let errors: Vec<Option<f64>> = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 39.0, 1.0, 0.0, 1.0]
            .into_iter()
            .map(Some)
            .collect();
        let limits = control_limits(&errors).unwrap();
        assert_eq!(limits.centre, 1.0);
        assert!((limits.upper - (1.0 + 3.0 * 1.4826 * 0.5)).abs() < 1e-12);
        let mostly_equal: Vec<Option<f64>> = (0..20)
            .map(|index| Some(if index == 7 { 5.0 } else { 0.0 }))
            .collect();
        let values = vec![Some(1.0); 20];
        assert_eq!(find(&values, &mostly_equal, &labels(20)).len(), 1);
        assert!(find(&values, &vec![Some(1.0); 20], &labels(20)).is_empty());
        assert_eq!(median(&[]), None);
    }
}
