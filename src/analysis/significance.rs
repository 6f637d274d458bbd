//! Whether a trend is real (`trend.significance`): the Mann–Kendall test on
//! the pre-whitened series (von Storch 1995; Yue & Wang 2002), so that a
//! persistent KPI (AR(1)) is not called a trend because its values lean on
//! each other.
//!
//! Oracle: `pymannkendall.pre_whitening_modification_test`. It estimates the
//! lag-1 autocorrelation r₁ (the biased sample estimator), forms
//! x[t] − r₁·x[t−1] for t = 1..n−1, and runs the original Mann–Kendall test
//! on that; the original test is `trend::mann_kendall`, shared with the
//! descriptive `trend.mann_kendall`.
//!
//! Missing values: like pymannkendall, the present values are taken in
//! period order with gaps closed up.

use serde::Serialize;

use crate::analysis::series::{dot, scaled_present_values, sum_of_squares};
use crate::analysis::trend::mann_kendall;

/// The pre-whitened Mann–Kendall test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Significance {
    /// Which test: `"prewhitened_mann_kendall"`.
    pub test: &'static str,
    /// S of the pre-whitened series.
    pub s: f64,
    pub tau: f64,
    pub p_value: f64,
    /// The lag-1 autocorrelation removed; `None` for a constant series.
    pub lag1_autocorrelation: Option<f64>,
}

/// The name the report gives the test.
pub const PREWHITENED_MANN_KENDALL: &str = "prewhitened_mann_kendall";

/// The pre-whitened Mann–Kendall test of `values`. `None` with fewer than
/// 3 present values (the pre-whitened series would have fewer than 2). A
/// constant series gives S = 0, p = 1 and no lag-1 autocorrelation.
pub fn prewhitened_mann_kendall(values: &[Option<f64>]) -> Option<Significance> {
    // Rescaling by a power of two is exact and changes no sign, so S and p
    // are those of the series as written.
    let present = scaled_present_values(values);
    let n = present.len();
    if n < 3 {
        return None;
    }
    let mean = present.iter().sum::<f64>() / n as f64;
    let deviations: Vec<f64> = present.iter().map(|value| value - mean).collect();
    let variance_sum = sum_of_squares(&deviations);
    let lag1 = dot(&deviations[1..], &deviations[..n - 1]) / variance_sum;
    if !(variance_sum > 0.0 && lag1.is_finite()) {
        return Some(Significance {
            test: PREWHITENED_MANN_KENDALL,
            s: 0.0,
            tau: 0.0,
            p_value: 1.0,
            lag1_autocorrelation: None,
        });
    }
    let prewhitened: Vec<Option<f64>> = present
        .windows(2)
        .map(|pair| Some(pair[1] - pair[0] * lag1))
        .collect();
    let test = mann_kendall(&prewhitened)?;
    Some(Significance {
        test: PREWHITENED_MANN_KENDALL,
        s: test.s,
        tau: test.tau,
        p_value: test.p_value,
        lag1_autocorrelation: Some(lag1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_inputs() {
        assert!(prewhitened_mann_kendall(&[Some(1.0), None, Some(2.0)]).is_none());
        let constant = prewhitened_mann_kendall(&[Some(4.0); 10]).expect("defined");
        assert_eq!((constant.s, constant.p_value), (0.0, 1.0));
        assert_eq!(constant.lag1_autocorrelation, None);
    }
}
