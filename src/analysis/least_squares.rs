//! Ordinary least squares with an intercept, solved through centred cross
//! products and one Cholesky factor, for the regressions behind ADF and the
//! AR order selection.
//!
//! Centring every column on the sample mean partials the intercept out
//! exactly (Frisch–Waugh–Lovell) and keeps the cross-product matrix well
//! conditioned even when a series sits far from zero. The Cholesky factor of
//! the full cross-product matrix contains the factor of every leading block,
//! so one factorisation answers the whole nested family "first j columns":
//! its residual sum of squares is y'y − Σ_{i<j} z_i² with z = L⁻¹X'y. That is
//! how every candidate lag of an information-criterion search costs O(k)
//! after one O(n k²) pass over the data instead of a fresh O(n k²) fit each.

use crate::analysis::series::dot;

/// A column whose part not explained by the columns before it has less than
/// this share of its own centred sum of squares is treated as collinear with
/// them: models from that column on are not fitted.
const COLLINEARITY_TOLERANCE: f64 = 1e-12;

/// One sample's regression of a response on an intercept and `k` columns,
/// factored once so that any leading block of columns can be solved.
#[derive(Debug, Clone)]
pub(crate) struct NestedLeastSquares {
    nobs: usize,
    columns: usize,
    /// Lower-triangular Cholesky factor of the centred X'X, row-major.
    factor: Vec<f64>,
    /// How many leading columns factor cleanly (are not collinear).
    rank: usize,
    /// z = L⁻¹ X'y over the first `rank` columns.
    projections: Vec<f64>,
    /// Centred y'y.
    total_sum_of_squares: f64,
    column_means: Vec<f64>,
    response_mean: f64,
}

/// Cross products of the centred columns and response of one sample.
struct CentredCrossProducts {
    nobs: usize,
    /// Column-by-column, row-major; the lower triangle must be filled.
    cross_products: Vec<f64>,
    response_cross: Vec<f64>,
    total_sum_of_squares: f64,
    column_means: Vec<f64>,
    response_mean: f64,
}

/// Where the extra level column goes in a [`lag_regression`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LevelColumn {
    /// No level column: the regressors are the lags only.
    Absent,
    /// Level first, then lags 1..=lags (the order of a nested lag search).
    First,
    /// Lags 1..=lags, then the level (its t statistic is the last one).
    Last,
}

/// The regression of `series[t]` on an intercept, lags `series[t−1..t−lags]`
/// and optionally `level[t]`, over the contiguous rows `first_row..end`.
///
/// Consecutive rows of lagged columns share all but one product, so the
/// whole cross-product matrix follows from the first row of lag products by
/// the update S(i+1, j+1) = S(i, j) + d[first−1−i]·d[first−1−j] −
/// d[end−1−i]·d[end−1−j]: 2·lags + 3 dot products and O(lags²) updates
/// instead of O(lags²) dot products. The series and the level are shifted
/// by their means first so the centring that follows cancels little.
///
/// `None` when the rows or lags do not fit the slices.
pub(crate) fn lag_regression(
    series: &[f64],
    level: Option<&[f64]>,
    placement: LevelColumn,
    first_row: usize,
    end: usize,
    lags: usize,
) -> Option<NestedLeastSquares> {
    lagged_design(series, level, placement, false, first_row, end, lags)
}

/// [`lag_regression`] with a linear time trend t (the row's index in
/// `series`) as the first column, ahead of the level and the lags, so that
/// every model of the nested family "first j columns" contains it: the
/// regression of the ADF test with a constant and a trend.
///
/// The trend costs lags + 2 more dot products (its products with the
/// response, each lag and the level); its own sum of squares is
/// n(n² − 1)/12.
pub(crate) fn lag_regression_with_trend(
    series: &[f64],
    level: Option<&[f64]>,
    placement: LevelColumn,
    first_row: usize,
    end: usize,
    lags: usize,
) -> Option<NestedLeastSquares> {
    lagged_design(series, level, placement, true, first_row, end, lags)
}

/// A column of a [`lagged_design`].
enum Regressor {
    Trend,
    Level,
    Lag(usize),
}

/// Centred cross products of one extra column (the level or the trend).
struct ExtraColumn {
    /// With the response (index 0) and lags 1..=lags.
    with_lags: Vec<f64>,
    /// With the level (used for the trend only).
    with_level: f64,
    /// Its own centred sum of squares.
    own: f64,
    mean: f64,
}

fn lagged_design(
    series: &[f64],
    level: Option<&[f64]>,
    placement: LevelColumn,
    time_trend: bool,
    first_row: usize,
    end: usize,
    lags: usize,
) -> Option<NestedLeastSquares> {
    let level = match placement {
        LevelColumn::Absent => None,
        LevelColumn::First | LevelColumn::Last => Some(level?),
    };
    if first_row < lags
        || first_row >= end
        || end > series.len()
        || level.is_some_and(|level| level.len() < end)
    {
        return None;
    }
    let nobs = end - first_row;
    let n = nobs as f64;
    let series_shift = mean(&series[first_row - lags..end]);
    let shifted: Vec<f64> = series[..end].iter().map(|v| v - series_shift).collect();
    let window = |lag: usize| &shifted[first_row - lag..end - lag];

    // Raw sums over the rows for lags 0 (the response) ..= lags.
    let mut sums = vec![0.0; lags + 1];
    sums[0] = window(0).iter().sum();
    for lag in 0..lags {
        sums[lag + 1] = sums[lag] + shifted[first_row - 1 - lag] - shifted[end - 1 - lag];
    }
    let width = lags + 1;
    let mut raw = vec![0.0; width * width];
    for (lag, slot) in raw.iter_mut().take(width).enumerate() {
        *slot = dot(window(0), window(lag));
    }
    for i in 0..lags {
        for j in i..lags {
            raw[(i + 1) * width + j + 1] = raw[i * width + j]
                + shifted[first_row - 1 - i] * shifted[first_row - 1 - j]
                - shifted[end - 1 - i] * shifted[end - 1 - j];
        }
    }
    let lag_cross = |i: usize, j: usize| {
        let (low, high) = if i <= j { (i, j) } else { (j, i) };
        raw[low * width + high] - sums[low] * sums[high] / n
    };

    let shifted_level = level.map(|level| {
        let rows = &level[first_row..end];
        let level_shift = mean(rows);
        (
            rows.iter().map(|v| v - level_shift).collect::<Vec<f64>>(),
            level_shift,
        )
    });
    let level_terms = shifted_level.as_ref().map(|(shifted_level, level_shift)| {
        let level_sum: f64 = shifted_level.iter().sum();
        ExtraColumn {
            with_lags: (0..=lags)
                .map(|lag| dot(shifted_level, window(lag)) - level_sum * sums[lag] / n)
                .collect(),
            with_level: 0.0,
            own: dot(shifted_level, shifted_level) - level_sum * level_sum / n,
            mean: level_shift + level_sum / n,
        }
    });
    // The centred trend sums to zero, so its products need no centring of
    // the other side.
    let trend_terms = time_trend.then(|| {
        let centre = (n - 1.0) / 2.0;
        let centred: Vec<f64> = (0..nobs).map(|row| row as f64 - centre).collect();
        ExtraColumn {
            with_lags: (0..=lags).map(|lag| dot(&centred, window(lag))).collect(),
            with_level: shifted_level
                .as_ref()
                .map_or(0.0, |(shifted_level, _)| dot(&centred, shifted_level)),
            own: n * (n * n - 1.0) / 12.0,
            mean: first_row as f64 + centre,
        }
    });
    let terms = |regressor: &Regressor| match regressor {
        Regressor::Level => level_terms.as_ref(),
        Regressor::Trend => trend_terms.as_ref(),
        Regressor::Lag(_) => None,
    };

    let mut regressors: Vec<Regressor> = (1..=lags).map(Regressor::Lag).collect();
    match placement {
        LevelColumn::Absent => {}
        LevelColumn::First => regressors.insert(0, Regressor::Level),
        LevelColumn::Last => regressors.push(Regressor::Level),
    }
    if time_trend {
        regressors.insert(0, Regressor::Trend);
    }
    let column_count = regressors.len();
    // Products with lag 0 are those with the response.
    let with_lag = |regressor: &Regressor, lag: usize| match regressor {
        Regressor::Lag(own) => lag_cross(*own, lag),
        extra => terms(extra).map_or(0.0, |terms| terms.with_lags[lag]),
    };
    let cross = |a: &Regressor, b: &Regressor| match (a, b) {
        (other, Regressor::Lag(lag)) | (Regressor::Lag(lag), other) => with_lag(other, *lag),
        (Regressor::Level, Regressor::Level) | (Regressor::Trend, Regressor::Trend) => {
            terms(a).map_or(0.0, |terms| terms.own)
        }
        (Regressor::Trend, Regressor::Level) | (Regressor::Level, Regressor::Trend) => {
            trend_terms.as_ref().map_or(0.0, |terms| terms.with_level)
        }
    };
    let mut cross_products = vec![0.0; column_count * column_count];
    for (row, a) in regressors.iter().enumerate() {
        for (col, b) in regressors.iter().enumerate().take(row + 1) {
            cross_products[row * column_count + col] = cross(a, b);
        }
    }
    let response_cross: Vec<f64> = regressors
        .iter()
        .map(|regressor| with_lag(regressor, 0))
        .collect();
    let column_means: Vec<f64> = regressors
        .iter()
        .map(|regressor| match regressor {
            Regressor::Lag(lag) => series_shift + sums[*lag] / n,
            extra => terms(extra).map_or(0.0, |terms| terms.mean),
        })
        .collect();
    Some(NestedLeastSquares::factor(CentredCrossProducts {
        nobs,
        cross_products,
        response_cross,
        total_sum_of_squares: lag_cross(0, 0),
        column_means,
        response_mean: series_shift + sums[0] / n,
    }))
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

impl NestedLeastSquares {
    /// Factors the regression of `response` on an intercept and `columns`.
    ///
    /// Every column must have the response's length; `None` otherwise, or
    /// when there are no observations.
    pub(crate) fn new(response: &[f64], columns: &[&[f64]]) -> Option<Self> {
        let nobs = response.len();
        if nobs == 0 || columns.iter().any(|column| column.len() != nobs) {
            return None;
        }
        let column_count = columns.len();
        let response_mean = mean(response);
        let centred_response: Vec<f64> = response.iter().map(|y| y - response_mean).collect();
        let column_means: Vec<f64> = columns.iter().map(|column| mean(column)).collect();
        let mut centred = vec![0.0; nobs * column_count];
        for ((column, column_mean), target) in columns
            .iter()
            .zip(&column_means)
            .zip(centred.chunks_exact_mut(nobs))
        {
            for (value, slot) in column.iter().zip(target.iter_mut()) {
                *slot = value - column_mean;
            }
        }
        let centred_column = |index: usize| &centred[index * nobs..(index + 1) * nobs];

        let mut cross_products = vec![0.0; column_count * column_count];
        let mut response_cross = vec![0.0; column_count];
        for row in 0..column_count {
            for col in 0..=row {
                cross_products[row * column_count + col] =
                    dot(centred_column(row), centred_column(col));
            }
            response_cross[row] = dot(centred_column(row), &centred_response);
        }
        Some(Self::factor(CentredCrossProducts {
            nobs,
            cross_products,
            response_cross,
            total_sum_of_squares: dot(&centred_response, &centred_response),
            column_means,
            response_mean,
        }))
    }

    /// Factors centred cross products (only the lower triangle of
    /// `cross_products` is read).
    fn factor(centred: CentredCrossProducts) -> Self {
        let CentredCrossProducts {
            nobs,
            cross_products,
            response_cross,
            total_sum_of_squares,
            column_means,
            response_mean,
        } = centred;
        let column_count = response_cross.len();
        let mut factor = vec![0.0; column_count * column_count];
        let mut rank = column_count;
        for row in 0..column_count {
            for col in 0..row {
                let partial: f64 = (0..col)
                    .map(|k| factor[row * column_count + k] * factor[col * column_count + k])
                    .sum();
                factor[row * column_count + col] = (cross_products[row * column_count + col]
                    - partial)
                    / factor[col * column_count + col];
            }
            let diagonal = cross_products[row * column_count + row];
            let explained: f64 = (0..row)
                .map(|k| factor[row * column_count + k].powi(2))
                .sum();
            let remaining = diagonal - explained;
            let independent = diagonal > 0.0
                && remaining > COLLINEARITY_TOLERANCE * diagonal
                && remaining.is_finite();
            if !independent {
                rank = row;
                break;
            }
            factor[row * column_count + row] = remaining.sqrt();
        }

        let mut projections = Vec::with_capacity(rank);
        for row in 0..rank {
            let partial: f64 = (0..row)
                .map(|k| factor[row * column_count + k] * projections[k])
                .sum();
            projections.push((response_cross[row] - partial) / factor[row * column_count + row]);
        }

        Self {
            nobs,
            columns: column_count,
            factor,
            rank,
            projections,
            total_sum_of_squares,
            column_means,
            response_mean,
        }
    }

    /// Number of observations in the sample.
    pub(crate) fn nobs(&self) -> usize {
        self.nobs
    }

    /// How many leading columns can be fitted (the rest are collinear).
    pub(crate) fn rank(&self) -> usize {
        self.rank
    }

    /// Residual sum of squares of the model with the intercept and the first
    /// `leading` columns, or `None` when those columns are collinear.
    pub(crate) fn residual_sum_of_squares(&self, leading: usize) -> Option<f64> {
        if leading > self.rank {
            return None;
        }
        let explained: f64 = self.projections[..leading].iter().map(|z| z * z).sum();
        Some((self.total_sum_of_squares - explained).max(0.0))
    }

    /// Slopes of the model with the first `leading` columns.
    pub(crate) fn slopes(&self, leading: usize) -> Option<Vec<f64>> {
        if leading > self.rank {
            return None;
        }
        let width = self.columns;
        let mut slopes = vec![0.0; leading];
        for row in (0..leading).rev() {
            let later: f64 = (row + 1..leading)
                .map(|k| self.factor[k * width + row] * slopes[k])
                .sum();
            slopes[row] = (self.projections[row] - later) / self.factor[row * width + row];
        }
        Some(slopes)
    }

    /// The intercept that goes with `slopes` (of the leading columns).
    pub(crate) fn intercept(&self, slopes: &[f64]) -> f64 {
        self.response_mean
            - slopes
                .iter()
                .zip(&self.column_means)
                .map(|(slope, column_mean)| slope * column_mean)
                .sum::<f64>()
    }

    /// The ordinary t statistic of the last of the first `leading` columns in
    /// the model with the intercept and those columns.
    ///
    /// With the Cholesky factor the last coefficient is z/L and its standard
    /// error s/L, so t = z_last / s. `None` when the model cannot be fitted,
    /// has no residual degrees of freedom, or fits exactly.
    pub(crate) fn last_t_statistic(&self, leading: usize) -> Option<f64> {
        if leading == 0 {
            return None;
        }
        let residual_sum_of_squares = self.residual_sum_of_squares(leading)?;
        let degrees_of_freedom = self.nobs.checked_sub(leading + 1)?;
        if degrees_of_freedom == 0 {
            return None;
        }
        let residual_variance = residual_sum_of_squares / degrees_of_freedom as f64;
        let has_residual_noise = residual_variance > 0.0 && residual_variance.is_finite();
        if !has_residual_noise {
            return None;
        }
        let statistic = self.projections[leading - 1] / residual_variance.sqrt();
        statistic.is_finite().then_some(statistic)
    }
}

/// Gaussian AIC of a least-squares fit, as statsmodels computes it for OLS
/// and AutoReg: −2·llf + 2·parameters with llf = −n/2·(ln 2π + ln(RSS/n) + 1).
pub(crate) fn gaussian_aic(residual_sum_of_squares: f64, nobs: usize, parameters: usize) -> f64 {
    let n = nobs as f64;
    let log_likelihood =
        -n / 2.0 * ((2.0 * std::f64::consts::PI).ln() + (residual_sum_of_squares / n).ln() + 1.0);
    -2.0 * log_likelihood + 2.0 * parameters as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_an_exact_plane_and_nested_fits() {
        let x1: Vec<f64> = (0..20).map(|i| i as f64).collect();
        let x2: Vec<f64> = (0..20).map(|i| ((i * 7) % 5) as f64).collect();
        let y: Vec<f64> = x1
            .iter()
            .zip(&x2)
            .map(|(a, b)| 3.0 + 2.0 * a - 0.5 * b)
            .collect();
        let fit = NestedLeastSquares::new(&y, &[&x1, &x2]).expect("fits");
        let slopes = fit.slopes(2).expect("full rank");
        assert!((slopes[0] - 2.0).abs() < 1e-12 && (slopes[1] + 0.5).abs() < 1e-12);
        assert!((fit.intercept(&slopes) - 3.0).abs() < 1e-10);
        // y′y − Σz² cancels to rounding noise, not exactly 0, on an exact fit.
        assert!(fit.residual_sum_of_squares(2).expect("rss") < 1e-9);
        assert!(fit.residual_sum_of_squares(1).expect("rss") > 1.0);
        assert_eq!(fit.residual_sum_of_squares(3), None);
    }

    #[test]
    fn lag_updates_match_direct_cross_products() {
        let series: Vec<f64> = (0..60)
            .map(|i| ((i * 7919) % 97) as f64 / 9.0 + 100.0 + (i as f64 * 0.4).sin())
            .collect();
        let level: Vec<f64> = series
            .iter()
            .scan(0.0, |acc, v| {
                *acc += v - 100.0;
                Some(*acc + 1e4)
            })
            .collect();
        let (first_row, end, lags) = (5, 59, 4);
        let response = &series[first_row..end];
        let lag_columns: Vec<&[f64]> = (1..=lags)
            .map(|lag| &series[first_row - lag..end - lag])
            .collect();
        let mut with_level = vec![&level[first_row..end]];
        with_level.extend(lag_columns.iter().copied());
        let mut level_last = lag_columns.clone();
        level_last.push(&level[first_row..end]);
        let trend: Vec<f64> = (first_row..end).map(|t| t as f64).collect();
        fn with_trend<'a>(trend: &'a [f64], columns: &[&'a [f64]]) -> Vec<&'a [f64]> {
            let mut all = vec![trend];
            all.extend(columns.iter().copied());
            all
        }
        let cases = [
            (LevelColumn::Absent, false, lag_columns.clone()),
            (LevelColumn::First, false, with_level.clone()),
            (LevelColumn::Last, false, level_last.clone()),
            (LevelColumn::Absent, true, with_trend(&trend, &lag_columns)),
            (LevelColumn::First, true, with_trend(&trend, &with_level)),
            (LevelColumn::Last, true, with_trend(&trend, &level_last)),
        ];
        for (placement, time_trend, columns) in cases {
            let direct = NestedLeastSquares::new(response, &columns).expect("direct");
            let build = if time_trend {
                lag_regression_with_trend
            } else {
                lag_regression
            };
            let updated =
                build(&series, Some(&level), placement, first_row, end, lags).expect("updated");
            assert_eq!(direct.rank(), updated.rank());
            let leading = direct.rank();
            for nested in 0..=leading {
                let (x, y) = (
                    direct.residual_sum_of_squares(nested).expect("rss"),
                    updated.residual_sum_of_squares(nested).expect("rss"),
                );
                assert!(
                    (x - y).abs() < 1e-10 * x.abs().max(1.0),
                    "{placement:?}, trend {time_trend}, {nested} columns: {x} vs {y}"
                );
            }
            let (a, b) = (
                direct.slopes(leading).expect("a"),
                updated.slopes(leading).expect("b"),
            );
            for (x, y) in a.iter().zip(&b) {
                assert!(
                    (x - y).abs() < 1e-10 * x.abs().max(1.0),
                    "{placement:?}, trend {time_trend}: {x} vs {y}"
                );
            }
            let (x, y) = (direct.intercept(&a), updated.intercept(&b));
            assert!(
                (x - y).abs() < 1e-8 * x.abs().max(1.0),
                "{placement:?}, trend {time_trend}: {x} vs {y}"
            );
            let (x, y) = (
                direct.last_t_statistic(leading).expect("t"),
                updated.last_t_statistic(leading).expect("t"),
            );
            assert!(
                (x - y).abs() < 1e-9 * x.abs().max(1.0),
                "{placement:?}, trend {time_trend}: {x} vs {y}"
            );
        }
        assert!(lag_regression(&series, None, LevelColumn::First, 5, 59, 4).is_none());
        assert!(lag_regression(&series, None, LevelColumn::Absent, 3, 59, 4).is_none());
        assert!(lag_regression(&series, None, LevelColumn::Absent, 5, 61, 4).is_none());
    }

    #[test]
    fn collinear_columns_stop_the_rank() {
        let x1: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let x2: Vec<f64> = x1.iter().map(|v| 2.0 * v + 1.0).collect();
        let y: Vec<f64> = (0..10).map(|i| ((i * 3) % 4) as f64).collect();
        let fit = NestedLeastSquares::new(&y, &[&x1, &x2]).expect("fits");
        assert_eq!(fit.rank(), 1);
        assert!(fit.slopes(2).is_none());
        let constant = vec![5.0; 10];
        let fit = NestedLeastSquares::new(&y, &[&constant]).expect("fits");
        assert_eq!(fit.rank(), 0);
    }
}
