//! The leader's autoregressive prewhitening filter: AR order selection by
//! AIC on a common sample, the conditional-least-squares fit, and applying
//! the filter to a series.
//!
//! Oracles: `statsmodels.tsa.ar_model.ar_select_order(x, maxlag, ic="aic",
//! trend="c")`, `AutoReg(x, lags=p, trend="c").fit()` and
//! `scipy.signal.lfilter(np.r_[1, -phi], 1, x)[p:]`.
//!
//! Missing values: a regression row t (response x[t], regressors
//! x[t−1..t−p]) is used only when all of those periods are present, so a gap
//! removes the rows that would straddle it and never joins values across it.
//! Without gaps this is exactly statsmodels' sample (rows p..n−1). The filter
//! output at t is missing when any of x[t], x[t−1..t−p] is missing (what
//! `lfilter` does with NaN for these FIR filters).

use crate::analysis::least_squares::{
    gaussian_aic, lag_regression, LevelColumn, NestedLeastSquares,
};
use crate::analysis::series::{exact_scale, finite, present_count};

/// The largest AR order the SPEC allows for prewhitening.
pub const MAX_PREWHITENING_ORDER: usize = 8;

/// A fitted AR(p) with intercept: x[t] = c + Σ φⱼ·x[t−j] + e[t].
#[derive(Debug, Clone, PartialEq)]
pub struct ArFit {
    /// The order p.
    pub order: usize,
    /// The intercept c.
    pub intercept: f64,
    /// φ₁..φ_p.
    pub coefficients: Vec<f64>,
    /// Regression rows used.
    pub nobs: usize,
    /// Residual variance RSS / nobs (statsmodels' `sigma2`).
    pub sigma2: f64,
}

/// The prewhitening order cap of the SPEC: min(8, ⌊m/4⌋) for m present values.
pub fn max_prewhitening_order(series: &[Option<f64>]) -> usize {
    (present_count(series) / 4).min(MAX_PREWHITENING_ORDER)
}

/// The response and lag columns of an AR regression with lags 1..=max_lag
/// over the rows whose periods t−max_lag..=t are all present, rescaled
/// exactly by `scale`.
struct LaggedRows {
    response: Vec<f64>,
    lag_columns: Vec<Vec<f64>>,
}

fn lagged_rows(series: &[Option<f64>], max_lag: usize, scale: f64) -> LaggedRows {
    let values: Vec<Option<f64>> = series
        .iter()
        .map(|value| finite(*value).map(|v| v * scale))
        .collect();
    let mut response = Vec::new();
    let mut lag_columns = vec![Vec::new(); max_lag];
    for t in max_lag..values.len() {
        // Oldest first: window[max_lag] is x[t], window[max_lag − j] is x[t−j].
        let Some(window) = values[t - max_lag..=t]
            .iter()
            .copied()
            .collect::<Option<Vec<f64>>>()
        else {
            continue;
        };
        response.push(window[max_lag]);
        for (lag, column) in lag_columns.iter_mut().enumerate() {
            column.push(window[max_lag - lag - 1]);
        }
    }
    LaggedRows {
        response,
        lag_columns,
    }
}

fn factor(rows: &LaggedRows) -> Option<NestedLeastSquares> {
    let columns: Vec<&[f64]> = rows.lag_columns.iter().map(Vec::as_slice).collect();
    NestedLeastSquares::new(&rows.response, &columns)
}

/// The present values when they form one unbroken run (missing values only
/// before or after it), rescaled exactly by `scale`.
fn unbroken_run(series: &[Option<f64>], scale: f64) -> Option<Vec<f64>> {
    let first = series.iter().position(|value| finite(*value).is_some())?;
    let last = series.iter().rposition(|value| finite(*value).is_some())?;
    series[first..=last]
        .iter()
        .map(|value| finite(*value).map(|v| v * scale))
        .collect()
}

/// The AR regression with lags 1..=max_lag on its sample: the rows
/// max_lag..n−1 of an unbroken run (through the lag-update cross products),
/// or the complete rows of a series with gaps.
fn ar_regression(series: &[Option<f64>], max_lag: usize, scale: f64) -> Option<NestedLeastSquares> {
    match unbroken_run(series, scale) {
        Some(run) => {
            if run.len() <= max_lag {
                return None;
            }
            lag_regression(&run, None, LevelColumn::Absent, max_lag, run.len(), max_lag)
        }
        None => {
            let rows = lagged_rows(series, max_lag, scale);
            if rows.response.is_empty() {
                return None;
            }
            factor(&rows)
        }
    }
}

fn series_scale(series: &[Option<f64>]) -> f64 {
    let present: Vec<f64> = series.iter().filter_map(|value| finite(*value)).collect();
    exact_scale(&present)
}

/// The AR order in 0..=max_order with the smallest AIC, every candidate
/// fitted (with a constant) on the same rows — those the largest order can
/// use — like `ar_select_order(x, max_order, ic="aic", trend="c")`; ties go
/// to the smaller order.
///
/// When gaps leave too few complete rows for `max_order` (fewer than
/// max_order + 2) the cap is lowered until they suffice. Orders whose lags
/// are collinear on the sample are not candidates; a constant series gets
/// order 0. `None` with fewer than 2 present values.
pub fn select_ar_order(series: &[Option<f64>], max_order: usize) -> Option<usize> {
    let scale = series_scale(series);
    for cap in (0..=max_order).rev() {
        let Some(search) = ar_regression(series, cap, scale) else {
            continue;
        };
        if search.nobs() < cap + 2 {
            continue;
        }
        let mut best: Option<(f64, usize)> = None;
        for order in 0..=cap.min(search.rank()) {
            let Some(residual_sum_of_squares) = search.residual_sum_of_squares(order) else {
                break;
            };
            let aic = gaussian_aic(residual_sum_of_squares, search.nobs(), order + 1);
            if aic.is_nan() {
                continue;
            }
            if best.is_none_or(|(best_aic, _)| aic < best_aic) {
                best = Some((aic, order));
            }
        }
        return best.map(|(_, order)| order);
    }
    None
}

/// The conditional-least-squares AR(`order`) fit with a constant on every
/// complete row, like `AutoReg(x, lags=order, trend="c").fit()`.
///
/// `None` when there are fewer complete rows than parameters, or the lags
/// are collinear.
pub fn fit_ar(series: &[Option<f64>], order: usize) -> Option<ArFit> {
    let scale = series_scale(series);
    let fit = ar_regression(series, order, scale)?;
    if fit.nobs() < order + 1 {
        return None;
    }
    let coefficients = fit.slopes(order)?;
    let intercept = fit.intercept(&coefficients) / scale;
    let residual_sum_of_squares = fit.residual_sum_of_squares(order)?;
    let sigma2 = residual_sum_of_squares / fit.nobs() as f64 / (scale * scale);
    Some(ArFit {
        order,
        intercept,
        coefficients,
        nobs: fit.nobs(),
        sigma2,
    })
}

/// The leader's prewhitening model of the SPEC: the order chosen by
/// [`select_ar_order`] with cap [`max_prewhitening_order`], then fitted by
/// [`fit_ar`]. `None` when either step is undefined.
pub fn prewhitening_model(series: &[Option<f64>]) -> Option<ArFit> {
    let order = select_ar_order(series, max_prewhitening_order(series))?;
    fit_ar(series, order)
}

/// Applies the AR filter e[t] = x[t] − Σ φⱼ·x[t−j] and drops the first p
/// values, like `lfilter(r_[1, −φ], 1, x)[p:]`.
///
/// Entry i of the result belongs to period i + p; it is missing when any of
/// x[t], x[t−1..t−p] is missing (or the result is not finite). Shorter input
/// than p gives an empty result.
pub fn ar_filter(series: &[Option<f64>], coefficients: &[f64]) -> Vec<Option<f64>> {
    let dense: Vec<f64> = series
        .iter()
        .map(|value| finite(*value).unwrap_or(f64::NAN))
        .collect();
    let mut filtered = Vec::with_capacity(dense.len());
    crate::analysis::leadlag::scan::filter_into(&dense, coefficients, &mut filtered);
    filtered
        .into_iter()
        .skip(coefficients.len())
        .map(|value| value.is_finite().then_some(value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_drops_the_first_p_and_respects_gaps() {
        let series = [Some(1.0), Some(2.0), None, Some(4.0), Some(5.0), Some(7.0)];
        let filtered = ar_filter(&series, &[0.5]);
        assert_eq!(filtered, vec![Some(1.5), None, None, Some(3.0), Some(4.5)]);
        assert!(ar_filter(&[Some(1.0)], &[0.5, 0.2]).is_empty());
        assert_eq!(ar_filter(&series, &[]).len(), series.len());
    }

    #[test]
    fn degenerate_series() {
        assert_eq!(select_ar_order(&[], 3), None);
        assert_eq!(select_ar_order(&[Some(2.0); 20], 5), Some(0));
        let fit = fit_ar(&[Some(2.0); 20], 0).expect("mean model");
        assert_eq!(fit.intercept, 2.0);
        assert!(fit_ar(&[Some(2.0); 20], 1).is_none());
        assert_eq!(max_prewhitening_order(&[Some(1.0); 100]), 8);
        assert_eq!(max_prewhitening_order(&[Some(1.0); 13]), 3);
    }
}
