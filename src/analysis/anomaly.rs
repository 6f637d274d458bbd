//! Unusual points: values outside robust control limits (median ± 3 × 1.4826
//! × MAD) and runs of 8 consecutive values on one side of the centre line
//! (the median).

use serde::Serialize;

/// Consecutive points on one side of the centre line that make a run.
pub const RUN_LENGTH: usize = 8;
/// Control-limit width in robust standard deviations.
const LIMIT_SIGMAS: f64 = 3.0;
/// Scales the MAD to a standard deviation for normal data.
const MAD_TO_SD: f64 = 1.4826;

/// One flagged point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Anomaly {
    #[serde(skip)]
    pub index: usize,
    pub period: String,
    pub value: f64,
    /// `above_control_limit`, `below_control_limit`, `run_above_centre` or `run_below_centre`.
    pub rule: String,
}

/// The centre line and limits used.
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

/// Robust control limits of the present values.
pub fn control_limits(values: &[Option<f64>]) -> Option<ControlLimits> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let centre = median(&present)?;
    let deviations: Vec<f64> = present.iter().map(|value| (value - centre).abs()).collect();
    let spread = median(&deviations)? * MAD_TO_SD * LIMIT_SIGMAS;
    Some(ControlLimits {
        centre,
        lower: centre - spread,
        upper: centre + spread,
    })
}

/// Flags the anomalies of one KPI; `labels` are the period labels.
pub fn find(values: &[Option<f64>], labels: &[String]) -> Vec<Anomaly> {
    let Some(limits) = control_limits(values) else {
        return Vec::new();
    };
    let mut anomalies = Vec::new();
    let flag = |index: usize, value: f64, rule: &str| Anomaly {
        index,
        period: labels.get(index).cloned().unwrap_or_default(),
        value,
        rule: rule.to_string(),
    };
    // With MAD = 0 (most values identical) every other value would be
    // "outside"; limits say nothing then.
    let limits_usable = limits.upper > limits.lower;
    let mut run_side = 0i8;
    let mut run_length = 0usize;
    for (index, value) in values.iter().enumerate() {
        let Some(value) = *value else {
            continue;
        };
        if limits_usable && value > limits.upper {
            anomalies.push(flag(index, value, "above_control_limit"));
        } else if limits_usable && value < limits.lower {
            anomalies.push(flag(index, value, "below_control_limit"));
        }
        let side = if value > limits.centre {
            1
        } else if value < limits.centre {
            -1
        } else {
            0
        };
        if side != 0 && side == run_side {
            run_length += 1;
        } else {
            run_side = side;
            run_length = usize::from(side != 0);
        }
        let already_flagged = anomalies.last().is_some_and(|last| last.index == index);
        if run_length >= RUN_LENGTH && !already_flagged {
            let rule = if run_side > 0 {
                "run_above_centre"
            } else {
                "run_below_centre"
            };
            anomalies.push(flag(index, value, rule));
        }
    }
    anomalies
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(count: usize) -> Vec<String> {
        (0..count).map(|index| format!("p{index}")).collect()
    }

    #[test]
    fn a_spike_is_outside_the_robust_limits() {
        // median 10.5 (of 10,11,10,11,10,11,50 sorted: 10,10,10,11,11,11,50 → 11)
        let values = [
            Some(10.0),
            Some(11.0),
            Some(10.0),
            Some(11.0),
            Some(10.0),
            Some(11.0),
            Some(50.0),
        ];
        let limits = control_limits(&values).unwrap();
        assert_eq!(limits.centre, 11.0);
        // deviations 1,0,1,0,1,0,39 → sorted 0,0,0,1,1,1,39 → MAD 1
        assert!((limits.upper - (11.0 + 3.0 * 1.4826)).abs() < 1e-12);
        let found = find(&values, &labels(7));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].period, "p6");
        assert_eq!(found[0].rule, "above_control_limit");
    }

    #[test]
    fn eight_in_a_row_above_the_median_is_a_run() {
        // Baseline alternates 1 and 3, then eight values of 3.5. Sorted: ten
        // 1s, ten 3s, eight 3.5s → median 3; deviations ten 2s, ten 0s, eight
        // 0.5s → MAD 0.5, limits 3 ± 2.2239: nothing is outside them.
        let mut values: Vec<Option<f64>> = (0..20)
            .map(|index| Some(if index % 2 == 0 { 1.0 } else { 3.0 }))
            .collect();
        values.extend([Some(3.5); 8]);
        let found = find(&values, &labels(values.len()));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].index, 27);
        assert_eq!(found[0].rule, "run_above_centre");
    }

    #[test]
    fn constant_and_empty_series_have_no_anomalies() {
        assert!(find(&[Some(3.0); 20], &labels(20)).is_empty());
        assert!(find(&[None, None], &labels(2)).is_empty());
        assert_eq!(median(&[]), None);
    }
}
