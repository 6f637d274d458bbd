//! Whether a KPI's level wanders without a drift (`trend.wanders`): ADF with
//! a constant and a linear trend does not reject a unit root and the mean
//! first difference is not significantly different from zero by a HAC
//! (Newey–West) t-test.
//!
//! Why the ADF here has a trend: the guard asks "a random walk, or a
//! trend?", and it matters only where the trend test has already found a
//! monotone trend. Against that alternative the ADF with a constant only is
//! the wrong test: a linear trend plus stationary noise is not stationary
//! around a constant, so that test rarely rejects the unit root, and the
//! drift test alone has little power there (the differences of a trend plus
//! i.i.d. noise are an MA(1) with a unit root, whose Bartlett long-run
//! variance stays near 2σ²/(L+1)), so real trends were called wandering.
//! With the trend in the regression, a trend-stationary series rejects the
//! unit root and keeps its verdict, while a random walk without drift still
//! does not. (The SPEC's "a unit root is not rejected (ADF p > 0.05)" does
//! not name the deterministic terms; the stationarity decision keeps its
//! constant-only ADF.)
//!
//! Oracle: `statsmodels` `OLS(dy, ones).fit(cov_type="HAC",
//! cov_kwds={"maxlags": L})` with L = ⌊4·(n/100)^{2/9}⌋, n the number of
//! differences in the regression. Its defaults for that call are matched:
//! Bartlett weights 1 − l/(L+1), **no** small-sample correction
//! (`use_correction=False` for `cov_type="HAC"`), and `use_t=False`, so the
//! p-value is from the standard normal, not Student's t.
//!
//! Missing values: Δy[t] = y[t] − y[t−1] is missing when either side is;
//! the present differences are used in period order with gaps closed up.
//! The ADF part runs on the present levels (see
//! [`crate::analysis::stationarity::adf_test_with_trend`]).

use statrs::function::erf::erfc;

use crate::analysis::series::{exact_scale, first_differences, present_values};
use crate::analysis::stationarity::{adf_test_with_trend, AdfRegression, AdfTest};

/// The significance level of both parts of the wanders rule.
pub const WANDERS_SIGNIFICANCE: f64 = 0.05;

/// The HAC t-test that the mean first difference (the drift) is zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriftTest {
    /// The mean present first difference.
    pub mean_difference: f64,
    /// Its HAC standard error.
    pub standard_error: f64,
    /// mean / standard error (±∞ when the differences are all equal and
    /// nonzero).
    pub t_statistic: f64,
    /// Two-sided standard-normal p-value of the t statistic.
    pub p_value: f64,
    /// Newey–West truncation lag used.
    pub maxlags: usize,
    /// Differences used.
    pub nobs: usize,
}

/// ⌊4·(n/100)^{2/9}⌋, the SPEC's (and statsmodels' default) HAC lag.
pub fn hac_maxlags(nobs: usize) -> usize {
    let lags = (4.0 * (nobs as f64 / 100.0).powf(2.0 / 9.0)).floor();
    if lags.is_finite() && lags >= 0.0 {
        lags as usize
    } else {
        0
    }
}

/// The HAC t-test of a zero mean for `values` taken as one regression
/// sample in order (no missing values), with `maxlags` Bartlett lags.
///
/// `None` with fewer than 2 values, or when all values are zero (no drift
/// and no variation: the statistic is 0/0).
pub fn hac_mean_test(values: &[f64], maxlags: usize) -> Option<DriftTest> {
    let nobs = values.len();
    if nobs < 2 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    // Scaling by a power of two is exact and the t statistic is scale-free.
    let scale = exact_scale(values);
    let scaled: Vec<f64> = values.iter().map(|v| v * scale).collect();
    let n = nobs as f64;
    let mean = scaled.iter().sum::<f64>() / n;
    let residuals: Vec<f64> = scaled.iter().map(|v| v - mean).collect();
    let lags = maxlags.min(nobs - 1);
    let mut long_run = crate::analysis::series::sum_of_squares(&residuals);
    for lag in 1..=lags {
        let weight = 1.0 - lag as f64 / (lags as f64 + 1.0);
        let product = crate::analysis::series::dot(&residuals[lag..], &residuals[..nobs - lag]);
        long_run += weight * 2.0 * product;
    }
    // (X'X)⁻¹ S (X'X)⁻¹ with X a column of ones.
    let variance = long_run / (n * n);
    let standard_error = variance.max(0.0).sqrt();
    let t_statistic = if standard_error > 0.0 {
        mean / standard_error
    } else if mean != 0.0 {
        mean.signum() * f64::INFINITY
    } else {
        return None;
    };
    let p_value = erfc(t_statistic.abs() / std::f64::consts::SQRT_2).min(1.0);
    Some(DriftTest {
        mean_difference: mean / scale,
        standard_error: standard_error / scale,
        t_statistic,
        p_value,
        maxlags: lags,
        nobs,
    })
}

/// The drift test of a KPI: [`hac_mean_test`] on its present first
/// differences with L = [`hac_maxlags`] of their number.
pub fn drift_test(values: &[Option<f64>]) -> Option<DriftTest> {
    let differences = present_values(&first_differences(values));
    hac_mean_test(&differences, hac_maxlags(differences.len()))
}

/// The wanders rule from already computed parts: true only when both tests
/// exist, the ADF test with a constant and a trend
/// ([`adf_test_with_trend`]) has p > 0.05 and the drift p > 0.05. A missing
/// ADF (constant, fewer than 6 values, or a straight line) or a missing
/// drift test (no variation) is not wandering.
///
/// `adf` must be the constant-and-trend test (see the module comment for
/// why); the constant-only one is the stationarity decision's.
pub fn wanders_from(adf: Option<&AdfTest>, drift: Option<&DriftTest>) -> bool {
    debug_assert!(
        adf.is_none_or(|adf| adf.regression == AdfRegression::ConstantAndTrend),
        "the wanders guard takes the ADF test with a trend"
    );
    match (adf, drift) {
        (Some(adf), Some(drift)) => {
            adf.p_value > WANDERS_SIGNIFICANCE && drift.p_value > WANDERS_SIGNIFICANCE
        }
        _ => false,
    }
}

/// `trend.wanders` of the SPEC for a KPI series (see [`wanders_from`]).
pub fn trend_wanders(values: &[Option<f64>]) -> bool {
    wanders_from(
        adf_test_with_trend(values).as_ref(),
        drift_test(values).as_ref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lags_follow_the_rule() {
        assert_eq!(hac_maxlags(0), 0);
        assert_eq!(hac_maxlags(50), 3);
        assert_eq!(hac_maxlags(100), 4);
        assert_eq!(hac_maxlags(1000), 6);
    }

    #[test]
    fn degenerate_differences() {
        assert!(hac_mean_test(&[], 2).is_none());
        assert!(hac_mean_test(&[0.0; 5], 2).is_none());
        let steady = hac_mean_test(&[2.0; 5], 2).expect("defined");
        assert!(steady.t_statistic.is_infinite() && steady.p_value == 0.0);
        assert!(!trend_wanders(&[Some(1.0); 30]));
        assert!(!trend_wanders(&[]));
    }
}
