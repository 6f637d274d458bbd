//! Whether a KPI is analysed in levels or in first differences: the
//! augmented Dickey–Fuller test, the KPSS test and the decision that combines
//! them; and the ADF test against a linear trend that the wanders guard
//! ([`crate::analysis::hac`]) uses.
//!
//! Oracles: `statsmodels.tsa.stattools.adfuller(x, regression="c",
//! autolag="AIC")`, `adfuller(x, regression="ct", autolag="AIC")` and
//! `kpss(x, regression="c", nlags="auto")`; their published tables live in
//! [`crate::analysis::tables`].
//!
//! Missing values: both tests run on the present values in period order with
//! gaps closed up (statsmodels accepts no missing values, and this is what
//! dropping them before the call does). The decision counts present values.

use statrs::distribution::{ContinuousCDF, Normal};

use crate::analysis::least_squares::{
    gaussian_aic, lag_regression, lag_regression_with_trend, LevelColumn, NestedLeastSquares,
};
use crate::analysis::series::{
    first_differences, is_constant, present_count, present_mean, scaled_present_values,
    sum_of_squares,
};
use crate::analysis::tables::{
    AdfTables, ADF_CONSTANT, ADF_CONSTANT_AND_TREND, KPSS_BANDWIDTH_CONSTANT,
    KPSS_LEVEL_CRITICAL_VALUES,
};

/// Series with fewer present values than this are always differenced.
pub const MIN_VALUES_FOR_LEVELS: usize = 16;

/// The significance level of both tests in the stationarity decision.
pub const STATIONARITY_SIGNIFICANCE: f64 = 0.05;

/// MacKinnon (2010) finite-sample critical values of the ADF statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdfCriticalValues {
    /// 1 % level.
    pub one_percent: f64,
    /// 5 % level.
    pub five_percent: f64,
    /// 10 % level.
    pub ten_percent: f64,
}

/// The deterministic terms of an ADF regression (statsmodels' `regression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdfRegression {
    /// A constant: `regression="c"`. The alternative is stationarity around
    /// a fixed level.
    Constant,
    /// A constant and a linear time trend: `regression="ct"`. The
    /// alternative is stationarity around a linear trend.
    ConstantAndTrend,
}

impl AdfRegression {
    fn tables(self) -> &'static AdfTables {
        match self {
            AdfRegression::Constant => &ADF_CONSTANT,
            AdfRegression::ConstantAndTrend => &ADF_CONSTANT_AND_TREND,
        }
    }

    /// Deterministic columns: the constant, and the trend.
    fn deterministic_terms(self) -> usize {
        match self {
            AdfRegression::Constant => 1,
            AdfRegression::ConstantAndTrend => 2,
        }
    }
}

/// The augmented Dickey–Fuller test, lag chosen by AIC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdfTest {
    /// The deterministic terms of the regression.
    pub regression: AdfRegression,
    /// The t statistic of the lagged level in the chosen regression.
    pub statistic: f64,
    /// MacKinnon's (1994) approximate p-value of `statistic`.
    pub p_value: f64,
    /// The number of lagged differences AIC chose.
    pub used_lag: usize,
    /// The largest lag that was considered.
    pub max_lag: usize,
    /// Observations in the chosen regression.
    pub nobs: usize,
    /// Critical values for `nobs` observations.
    pub critical_values: AdfCriticalValues,
}

/// Which side of the KPSS table a statistic fell off, if any.
///
/// The KPSS p-value is interpolated in a table that covers 0.01..0.10; a
/// statistic outside it gets the nearer end, like statsmodels does (with an
/// `InterpolationWarning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpssTableEdge {
    /// The statistic is at or below the 10 % critical value: the reported
    /// 0.10 is a lower bound of the true p-value.
    TrueValueIsLarger,
    /// The statistic is at or above the 1 % critical value: the reported
    /// 0.01 is an upper bound of the true p-value.
    TrueValueIsSmaller,
}

/// The KPSS test of level stationarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpssTest {
    /// η / σ̂², the statistic of Kwiatkowski et al. (1992), eq. 11.
    pub statistic: f64,
    /// The p-value interpolated in the KPSS table, within [0.01, 0.10].
    pub p_value: f64,
    /// `Some` when `p_value` was clipped to an end of the table.
    pub clipped: Option<KpssTableEdge>,
    /// The Bartlett-kernel truncation lag chosen by the Hobijn et al. rule.
    pub lags: usize,
    /// Present values tested.
    pub nobs: usize,
}

/// The form in which a KPI enters the lead/lag and seasonality analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stationarity {
    /// Stationary around a constant: analysed in levels (demeaned).
    Level,
    /// Analysed in first differences.
    Differenced,
}

/// The stationarity decision with the two tests behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StationarityAssessment {
    /// The decision.
    pub form: Stationarity,
    /// The ADF test, `None` when it cannot be computed (see [`adf_test`]).
    pub adf: Option<AdfTest>,
    /// The KPSS test, `None` when it cannot be computed (see [`kpss_test`]).
    pub kpss: Option<KpssTest>,
}

fn standard_normal_cdf(x: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(normal) => normal.cdf(x),
        Err(_) => f64::NAN,
    }
}

/// MacKinnon's (1994) approximate p-value of an ADF statistic with the
/// given deterministic terms and one series (statsmodels
/// `mackinnonp(stat, "c" | "ct", N=1)`).
///
/// 0 below the fitted range, 1 above it, 1 for NaN.
pub fn mackinnon_p_value_for(statistic: f64, regression: AdfRegression) -> f64 {
    let tables = regression.tables();
    if statistic.is_nan() || statistic > tables.tau_max {
        return 1.0;
    }
    if statistic < tables.tau_min {
        return 0.0;
    }
    let surface = if statistic <= tables.tau_star {
        tables.small_p.evaluate(statistic)
    } else {
        tables.large_p.evaluate(statistic)
    };
    standard_normal_cdf(surface)
}

/// MacKinnon's (1994) p-value with a constant (`mackinnonp(stat, "c", N=1)`);
/// see [`mackinnon_p_value_for`].
pub fn mackinnon_p_value(statistic: f64) -> f64 {
    mackinnon_p_value_for(statistic, AdfRegression::Constant)
}

/// MacKinnon's (2010) critical values for an ADF regression on `nobs`
/// observations (statsmodels `mackinnoncrit(1, "c" | "ct", nobs)`).
pub fn adf_critical_values_for(nobs: usize, regression: AdfRegression) -> AdfCriticalValues {
    let inverse = 1.0 / nobs.max(1) as f64;
    let [one, five, ten] = regression
        .tables()
        .critical_values
        .map(|(_, surface)| surface.evaluate(inverse));
    AdfCriticalValues {
        one_percent: one,
        five_percent: five,
        ten_percent: ten,
    }
}

/// MacKinnon's (2010) critical values with a constant; see
/// [`adf_critical_values_for`].
pub fn adf_critical_values(nobs: usize) -> AdfCriticalValues {
    adf_critical_values_for(nobs, AdfRegression::Constant)
}

/// Schwert's (1989) rule as statsmodels applies it: ⌈12·(n/100)^{1/4}⌉,
/// capped at n/2 − 1 − (deterministic terms) so the largest regression keeps
/// its degrees of freedom. `None` when that cap is negative (statsmodels
/// raises: the sample is too short for the regression).
fn adf_max_lag(nobs: usize, regression: AdfRegression) -> Option<usize> {
    let schwert = (12.0 * (nobs as f64 / 100.0).powf(0.25)).ceil();
    let cap = (nobs / 2).checked_sub(1 + regression.deterministic_terms())?;
    Some(if schwert.is_finite() && schwert >= 0.0 {
        (schwert as usize).min(cap)
    } else {
        cap
    })
}

/// The ADF regression Δx[t] = α (+ β·t) + γ·x[t] + Σ_{i≤lags} δᵢ·Δx[t−i]
/// over the rows t = first_row..n−2 of the differences (Δx[t] = x[t+1] −
/// x[t]).
///
/// The trend, when the regression has one, is column 0. With
/// [`LevelColumn::First`] the level follows, then the lags (the order of the
/// nested AIC search); with [`LevelColumn::Last`] it comes last, so that its
/// t statistic is the factor's last projection.
fn adf_regression(
    levels: &[f64],
    differences: &[f64],
    regression: AdfRegression,
    first_row: usize,
    lags: usize,
    placement: LevelColumn,
) -> Option<NestedLeastSquares> {
    let build = match regression {
        AdfRegression::Constant => lag_regression,
        AdfRegression::ConstantAndTrend => lag_regression_with_trend,
    };
    build(
        differences,
        Some(levels),
        placement,
        first_row,
        differences.len(),
        lags,
    )
}

/// The augmented Dickey–Fuller test with a constant and the lag length
/// chosen by AIC, exactly as `adfuller(x, regression="c", autolag="AIC")`.
///
/// The maximum lag is ⌈12·(n/100)^{1/4}⌉ capped at n/2 − 2; every candidate
/// lag 0..=max is fitted on the same sample (the rows the largest model can
/// use), the one with the smallest AIC wins (ties to the shorter lag), and
/// the winner is refitted on all the rows it can use. The statistic is the
/// ordinary t statistic of the lagged level.
///
/// Runs on the present values with gaps closed up. `None` when fewer than 4
/// values are present, the values are constant (statsmodels raises on both),
/// or the chosen regression fits exactly or is collinear, where the
/// statistic has no meaning.
pub fn adf_test(values: &[Option<f64>]) -> Option<AdfTest> {
    adf_test_for(values, AdfRegression::Constant)
}

/// The augmented Dickey–Fuller test with a constant and a linear time
/// trend, lag length chosen by AIC, exactly as `adfuller(x,
/// regression="ct", autolag="AIC")`: the null is a unit root (with or
/// without drift), the alternative stationarity around a linear trend, so
/// a trend plus stationary noise rejects it where [`adf_test`] does not.
///
/// The same search as [`adf_test`], with the trend in every candidate
/// model and the maximum lag capped at n/2 − 3; MacKinnon's τ_ct tables
/// give the p-value and critical values. `None` when fewer than 6 values are
/// present (statsmodels raises), the values are constant, or the chosen
/// regression fits exactly or is collinear (a straight line, say).
pub fn adf_test_with_trend(values: &[Option<f64>]) -> Option<AdfTest> {
    adf_test_for(values, AdfRegression::ConstantAndTrend)
}

/// The ADF test with the given deterministic terms; see [`adf_test`] and
/// [`adf_test_with_trend`].
pub fn adf_test_for(values: &[Option<f64>], regression: AdfRegression) -> Option<AdfTest> {
    let levels = scaled_present_values(values);
    let nobs = levels.len();
    if is_constant(&levels) {
        return None;
    }
    let max_lag = adf_max_lag(nobs, regression)?;
    let differences: Vec<f64> = levels.windows(2).map(|pair| pair[1] - pair[0]).collect();
    let deterministic = regression.deterministic_terms();
    // The columns before the lags: the trend (if any) and the level.
    let columns_before_lags = usize::from(regression == AdfRegression::ConstantAndTrend) + 1;

    let search = adf_regression(
        &levels,
        &differences,
        regression,
        max_lag,
        max_lag,
        LevelColumn::First,
    )?;
    let mut best: Option<(f64, usize)> = None;
    for lag in 0..=max_lag {
        let Some(residual_sum_of_squares) =
            search.residual_sum_of_squares(columns_before_lags + lag)
        else {
            break;
        };
        // The deterministic terms, the level and `lag` differences.
        let aic = gaussian_aic(
            residual_sum_of_squares,
            search.nobs(),
            deterministic + 1 + lag,
        );
        if aic.is_nan() {
            continue;
        }
        if best.is_none_or(|(best_aic, _)| aic < best_aic) {
            best = Some((aic, lag));
        }
    }
    let (_, used_lag) = best?;

    let chosen = adf_regression(
        &levels,
        &differences,
        regression,
        used_lag,
        used_lag,
        LevelColumn::Last,
    )?;
    let statistic = chosen.last_t_statistic(columns_before_lags + used_lag)?;
    Some(AdfTest {
        regression,
        statistic,
        p_value: mackinnon_p_value_for(statistic, regression),
        used_lag,
        max_lag,
        nobs: chosen.nobs(),
        critical_values: adf_critical_values_for(chosen.nobs(), regression),
    })
}

/// The Hobijn, Franses & Ooms (2004) automatic Bartlett bandwidth as
/// statsmodels' `_kpss_autolag` computes it: autocovariance sums up to
/// ⌊n^{2/9}⌋, γ̂ = 1.1447·(ŝ¹/ŝ⁰)^{2/3}, lags = ⌊γ̂·n^{1/3}⌋.
fn kpss_bandwidth(residuals: &[f64]) -> Option<usize> {
    let nobs = residuals.len();
    let n = nobs as f64;
    let covariance_lags = (n.powf(2.0 / 9.0) as usize).min(nobs.saturating_sub(1));
    let mut zeroth = sum_of_squares(residuals) / n;
    let mut first = 0.0;
    for lag in 1..=covariance_lags {
        let product =
            crate::analysis::series::dot(&residuals[lag..], &residuals[..nobs - lag]) / (n / 2.0);
        zeroth += product;
        first += lag as f64 * product;
    }
    let ratio = first / zeroth;
    let gamma = KPSS_BANDWIDTH_CONSTANT * (ratio * ratio).powf(1.0 / 3.0);
    let lags = gamma * n.powf(1.0 / 3.0);
    (lags.is_finite() && lags >= 0.0).then_some(lags as usize)
}

/// Newey–West long-run variance with Bartlett weights (Kwiatkowski et al.
/// 1992, eq. 10).
fn bartlett_long_run_variance(residuals: &[f64], lags: usize) -> f64 {
    let nobs = residuals.len();
    let mut total = sum_of_squares(residuals);
    for lag in 1..=lags.min(nobs.saturating_sub(1)) {
        let product = crate::analysis::series::dot(&residuals[lag..], &residuals[..nobs - lag]);
        total += 2.0 * product * (1.0 - lag as f64 / (lags as f64 + 1.0));
    }
    total / nobs as f64
}

/// The KPSS p-value: linear interpolation in Kwiatkowski et al.'s Table 1,
/// clipped to its ends (0.10 and 0.01) like `numpy.interp` in statsmodels.
pub fn kpss_p_value(statistic: f64) -> (f64, Option<KpssTableEdge>) {
    let table = KPSS_LEVEL_CRITICAL_VALUES;
    let (lowest, largest_p) = table[0];
    let (highest, smallest_p) = table[table.len() - 1];
    if statistic.is_nan() || statistic <= lowest {
        return (largest_p, Some(KpssTableEdge::TrueValueIsLarger));
    }
    if statistic >= highest {
        return (smallest_p, Some(KpssTableEdge::TrueValueIsSmaller));
    }
    for pair in table.windows(2) {
        let ((left, left_p), (right, right_p)) = (pair[0], pair[1]);
        if statistic < right {
            let slope = (right_p - left_p) / (right - left);
            return (slope * (statistic - left) + left_p, None);
        }
    }
    (smallest_p, Some(KpssTableEdge::TrueValueIsSmaller))
}

/// The KPSS test of level stationarity exactly as `kpss(x, regression="c",
/// nlags="auto")`: residuals from the mean, the Hobijn et al. bandwidth
/// (capped at n − 1), the Bartlett long-run variance and the table p-value.
///
/// Runs on the present values with gaps closed up. `None` when fewer than 2
/// values are present, the values are constant, or the bandwidth is
/// undefined (statsmodels raises in each case).
pub fn kpss_test(values: &[Option<f64>]) -> Option<KpssTest> {
    let levels = scaled_present_values(values);
    let nobs = levels.len();
    if nobs < 2 || is_constant(&levels) {
        return None;
    }
    let mean = levels.iter().sum::<f64>() / nobs as f64;
    let residuals: Vec<f64> = levels.iter().map(|value| value - mean).collect();
    let lags = kpss_bandwidth(&residuals)?.min(nobs - 1);
    let mut partial_sum = 0.0;
    let mut sum_of_squared_partial_sums = 0.0;
    for residual in &residuals {
        partial_sum += residual;
        sum_of_squared_partial_sums += partial_sum * partial_sum;
    }
    let eta = sum_of_squared_partial_sums / (nobs as f64 * nobs as f64);
    let long_run_variance = bartlett_long_run_variance(&residuals, lags);
    if long_run_variance.is_nan() || long_run_variance <= 0.0 {
        return None;
    }
    let statistic = eta / long_run_variance;
    if !statistic.is_finite() {
        return None;
    }
    let (p_value, clipped) = kpss_p_value(statistic);
    Some(KpssTest {
        statistic,
        p_value,
        clipped,
        lags,
        nobs,
    })
}

/// Runs both tests and decides the form, per the SPEC: levels only when at
/// least [`MIN_VALUES_FOR_LEVELS`] values are present, ADF rejects a unit
/// root (p ≤ 0.05) and KPSS does not reject level stationarity (p > 0.05).
/// A test that cannot be computed counts as "no evidence for levels".
pub fn assess_stationarity(values: &[Option<f64>]) -> StationarityAssessment {
    let adf = adf_test(values);
    let kpss = kpss_test(values);
    let enough_values = present_count(values) >= MIN_VALUES_FOR_LEVELS;
    let unit_root_rejected = adf.is_some_and(|test| test.p_value <= STATIONARITY_SIGNIFICANCE);
    let level_stationarity_kept = kpss.is_some_and(|test| test.p_value > STATIONARITY_SIGNIFICANCE);
    let form = if enough_values && unit_root_rejected && level_stationarity_kept {
        Stationarity::Level
    } else {
        Stationarity::Differenced
    };
    StationarityAssessment { form, adf, kpss }
}

/// The stationarity decision alone (see [`assess_stationarity`]).
pub fn stationarity(values: &[Option<f64>]) -> Stationarity {
    assess_stationarity(values).form
}

/// The series in the chosen form, one entry per period: demeaned levels, or
/// first differences with entry 0 missing (see
/// [`crate::analysis::series::first_differences`]).
pub fn stationary_series(values: &[Option<f64>], form: Stationarity) -> Vec<Option<f64>> {
    match form {
        Stationarity::Level => {
            let Some(mean) = present_mean(values) else {
                return vec![None; values.len()];
            };
            values
                .iter()
                .map(|value| crate::analysis::series::finite(*value).map(|v| v - mean))
                .collect()
        }
        Stationarity::Differenced => first_differences(values),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_inputs_give_no_test() {
        assert!(adf_test(&[]).is_none());
        assert!(adf_test(&[Some(1.0), Some(2.0), Some(1.5)]).is_none());
        assert!(adf_test(&[Some(3.0); 40]).is_none());
        assert!(kpss_test(&[None; 10]).is_none());
        assert!(kpss_test(&[Some(3.0); 40]).is_none());
        assert_eq!(stationarity(&[Some(1.0); 5]), Stationarity::Differenced);
    }

    #[test]
    fn degenerate_inputs_give_no_trend_test() {
        let wiggle =
            |n: usize| -> Vec<Option<f64>> { (0..n).map(|i| Some(((i * 7) % 5) as f64)).collect() };
        assert!(adf_test_with_trend(&wiggle(5)).is_none());
        assert!(adf_test_with_trend(&wiggle(6)).is_some());
        assert!(adf_test_with_trend(&[Some(3.0); 40]).is_none());
        // A straight line: the level is the trend, the regression collinear.
        let line: Vec<Option<f64>> = (0..40).map(|i| Some(2.0 + 0.5 * i as f64)).collect();
        assert!(adf_test_with_trend(&line).is_none());
    }

    #[test]
    fn mackinnon_edges() {
        assert_eq!(mackinnon_p_value(-30.0), 0.0);
        assert_eq!(mackinnon_p_value(3.0), 1.0);
        assert_eq!(mackinnon_p_value(f64::NAN), 1.0);
        let at_star = mackinnon_p_value(-1.61);
        assert!(at_star > 0.4 && at_star < 0.5);
        let trend = AdfRegression::ConstantAndTrend;
        assert_eq!(mackinnon_p_value_for(-16.19, trend), 0.0);
        assert_eq!(mackinnon_p_value_for(0.71, trend), 1.0);
        // The trend's null distribution sits further left: the same τ is
        // less significant.
        assert!(mackinnon_p_value_for(-3.0, trend) > mackinnon_p_value(-3.0));
        let five = adf_critical_values_for(100, trend).five_percent;
        assert!((mackinnon_p_value_for(five, trend) - 0.05).abs() < 0.01);
    }

    #[test]
    fn kpss_table_interpolates_and_clips() {
        assert_eq!(
            kpss_p_value(0.1),
            (0.10, Some(KpssTableEdge::TrueValueIsLarger))
        );
        assert_eq!(
            kpss_p_value(2.0),
            (0.01, Some(KpssTableEdge::TrueValueIsSmaller))
        );
        let (p, edge) = kpss_p_value(0.463);
        assert!((p - 0.05).abs() < 1e-15 && edge.is_none());
    }
}
