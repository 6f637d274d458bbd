//! Whether a KPI has a seasonal pattern, and removing it: the F-test of
//! season dummies on the stationary series, and per-season demeaning.
//!
//! Oracle: `statsmodels` `OLS(y, [1, D₂ … D_s]).fit().f_test(R)` with R
//! selecting the s − 1 dummy coefficients. With a constant in the model that
//! F statistic is exactly the one-way analysis-of-variance F of the values
//! grouped by season, which is how it is computed here (between- and
//! within-season sums of squares, no matrix needed).
//!
//! Missing values: the tests use the present values; a period keeps its
//! season through its index, so gaps never shift the calendar.

use statrs::distribution::{ContinuousCDF, FisherSnedecor};

use crate::analysis::series::{finite, present_count};

/// Full cycles of history a KPI needs before it is tested for seasonality.
pub const MIN_FULL_CYCLES: usize = 3;

/// A p-value at or below this makes the seasonal pattern significant.
pub const SEASONALITY_SIGNIFICANCE: f64 = 0.01;

/// The seasonal cycle of a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeasonalPeriod {
    /// Twelve months (11 dummies).
    Monthly,
    /// Four quarters (3 dummies).
    Quarterly,
}

impl SeasonalPeriod {
    /// Periods per cycle.
    pub fn seasons(self) -> usize {
        match self {
            SeasonalPeriod::Monthly => 12,
            SeasonalPeriod::Quarterly => 4,
        }
    }
}

/// The F-test of season dummies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeasonalFTest {
    /// The F statistic (+∞ when the values vary only between seasons).
    pub f_statistic: f64,
    /// Its upper-tail p-value.
    pub p_value: f64,
    /// Numerator degrees of freedom: seasons − 1.
    pub df_numerator: usize,
    /// Denominator degrees of freedom: observations − seasons.
    pub df_denominator: usize,
    /// Present values used.
    pub nobs: usize,
}

impl SeasonalFTest {
    /// Whether the pattern is significant at [`SEASONALITY_SIGNIFICANCE`].
    pub fn is_significant(&self) -> bool {
        self.p_value <= SEASONALITY_SIGNIFICANCE
    }
}

/// The season (0-based) of the period at `index` when the first period is in
/// season `first_season`.
fn season_of(index: usize, first_season: usize, seasons: usize) -> usize {
    (first_season % seasons + index % seasons) % seasons
}

/// Per-season count and sum of the present values.
fn season_totals(series: &[Option<f64>], first_season: usize, seasons: usize) -> Vec<(usize, f64)> {
    let mut totals = vec![(0_usize, 0.0_f64); seasons];
    for (index, value) in series.iter().enumerate() {
        if let Some(value) = finite(*value) {
            let slot = &mut totals[season_of(index, first_season, seasons)];
            slot.0 += 1;
            slot.1 += value;
        }
    }
    totals
}

/// The F-test that all season means are equal, on `series` (normally the
/// stationary series) whose entry 0 falls in season `first_season` (0 =
/// January or Q1).
///
/// `None` when a season has no present value (its dummy would be all zero),
/// there is no residual degree of freedom, or the series is constant.
pub fn seasonal_f_test(
    series: &[Option<f64>],
    first_season: usize,
    period: SeasonalPeriod,
) -> Option<SeasonalFTest> {
    let seasons = period.seasons();
    let totals = season_totals(series, first_season, seasons);
    if totals.iter().any(|(count, _)| *count == 0) {
        return None;
    }
    let nobs: usize = totals.iter().map(|(count, _)| count).sum();
    let df_denominator = nobs.checked_sub(seasons).filter(|df| *df > 0)?;
    let df_numerator = seasons - 1;
    let season_means: Vec<f64> = totals
        .iter()
        .map(|(count, sum)| sum / *count as f64)
        .collect();
    let grand_mean = totals.iter().map(|(_, sum)| sum).sum::<f64>() / nobs as f64;
    let between: f64 = totals
        .iter()
        .zip(&season_means)
        .map(|((count, _), mean)| *count as f64 * (mean - grand_mean).powi(2))
        .sum();
    let within: f64 = series
        .iter()
        .enumerate()
        .filter_map(|(index, value)| {
            let value = finite(*value)?;
            let mean = season_means[season_of(index, first_season, seasons)];
            Some((value - mean).powi(2))
        })
        .sum();
    if !(between.is_finite() && within.is_finite()) || (between == 0.0 && within == 0.0) {
        return None;
    }
    let (f_statistic, p_value) = if within == 0.0 {
        (f64::INFINITY, 0.0)
    } else {
        let f = (between / df_numerator as f64) / (within / df_denominator as f64);
        let distribution = FisherSnedecor::new(df_numerator as f64, df_denominator as f64).ok()?;
        (f, distribution.sf(f))
    };
    Some(SeasonalFTest {
        f_statistic,
        p_value,
        df_numerator,
        df_denominator,
        nobs,
    })
}

/// Whether a KPI's own history has [`MIN_FULL_CYCLES`] full cycles: at least
/// 3 × 12 (monthly) or 3 × 4 (quarterly) present values.
pub fn has_full_cycles(values: &[Option<f64>], period: SeasonalPeriod) -> bool {
    present_count(values) >= MIN_FULL_CYCLES * period.seasons()
}

/// The seasonality verdict of the SPEC: tested only when the KPI's `values`
/// have three full cycles, then the F-test on its `stationary` series (same
/// period indexing as `values`), significant at 1 %.
///
/// `None` when the KPI is too short or the test is undefined; the caller
/// reads `None` as "not seasonal".
pub fn seasonality(
    values: &[Option<f64>],
    stationary: &[Option<f64>],
    first_season: usize,
    period: SeasonalPeriod,
) -> Option<SeasonalFTest> {
    if !has_full_cycles(values, period) {
        return None;
    }
    seasonal_f_test(stationary, first_season, period)
}

/// The series with each present value's season mean (the mean of the
/// present values in that season) subtracted; missing stays missing.
pub fn remove_seasonal_means(
    series: &[Option<f64>],
    first_season: usize,
    period: SeasonalPeriod,
) -> Vec<Option<f64>> {
    let seasons = period.seasons();
    let totals = season_totals(series, first_season, seasons);
    series
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let value = finite(*value)?;
            let (count, sum) = totals[season_of(index, first_season, seasons)];
            // A present value makes its season's count at least 1.
            Some(value - sum / count.max(1) as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn season_index_wraps() {
        assert_eq!(season_of(0, 3, 4), 3);
        assert_eq!(season_of(1, 3, 4), 0);
        assert_eq!(season_of(13, 11, 12), 0);
        assert_eq!(season_of(0, 27, 12), 3);
    }

    #[test]
    fn pure_pattern_and_constant() {
        let pattern: Vec<Option<f64>> = (0..16).map(|i| Some((i % 4) as f64)).collect();
        let test = seasonal_f_test(&pattern, 0, SeasonalPeriod::Quarterly).expect("defined");
        assert!(test.f_statistic.is_infinite() && test.p_value == 0.0);
        assert!(seasonal_f_test(&[Some(2.0); 16], 0, SeasonalPeriod::Quarterly).is_none());
        assert!(seasonal_f_test(&[Some(2.0); 4], 0, SeasonalPeriod::Quarterly).is_none());
        let removed = remove_seasonal_means(&pattern, 0, SeasonalPeriod::Quarterly);
        assert!(removed.iter().all(|v| *v == Some(0.0)));
    }
}
