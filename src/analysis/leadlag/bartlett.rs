//! The significance of a correlation between two autocorrelated series: the
//! Bartlett / Pyper–Peterman effective sample size and the Pearson t-test on
//! it, used for lead/lag pairs with a seasonal KPI (`method:
//! "deseasonalised"`).
//!
//! 1/N* = 1/m + (2/m)·Σ_{j=1..J} ((m−j)/m)·ρ̂x(j)·ρ̂y(j), J = max(⌊m/5⌋, 13),
//! N* clipped to [3, m]; then t = r·√((N*−2)/(1−r²)) on N* − 2 degrees of
//! freedom, two-sided.
//!
//! Missing values: `x[t]` is paired with `y[t]` (the caller shifts the
//! follower by the lag first); only positions where both are present count,
//! and m is their number. The autocorrelations are taken over the same
//! positions, a lag-j product counting only where both ends are paired.

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::analysis::series::finite;

/// The smallest number of autocorrelation lags in the sum (the SPEC's 13).
pub const MIN_BARTLETT_LAGS: usize = 13;

/// The smallest effective sample size (one degree of freedom for the t-test).
pub const MIN_EFFECTIVE_SAMPLE_SIZE: f64 = 3.0;

/// A Pearson correlation tested on the Bartlett effective sample size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BartlettCorrelationTest {
    /// Pearson's r over the paired positions.
    pub r: f64,
    /// m, the number of paired positions.
    pub pairs: usize,
    /// N*, within [3, m].
    pub effective_sample_size: f64,
    /// Two-sided p-value of r with N* − 2 degrees of freedom.
    pub p_value: f64,
}

/// J = max(⌊m/5⌋, 13): how many autocorrelation lags the SPEC sums.
pub fn bartlett_lag_count(pairs: usize) -> usize {
    (pairs / 5).max(MIN_BARTLETT_LAGS)
}

/// The deviations from the paired mean at paired positions (0 elsewhere),
/// and their sum of squares.
struct PairedDeviations {
    deviations: Vec<f64>,
    sum_of_squares: f64,
}

fn paired_deviations(values: &[Option<f64>], paired: &[bool], pairs: usize) -> PairedDeviations {
    let sum: f64 = values
        .iter()
        .zip(paired)
        .filter_map(|(value, is_paired)| if *is_paired { finite(*value) } else { None })
        .sum();
    let mean = sum / pairs as f64;
    let deviations: Vec<f64> = values
        .iter()
        .zip(paired)
        .map(|(value, is_paired)| match (is_paired, finite(*value)) {
            (true, Some(v)) => v - mean,
            _ => 0.0,
        })
        .collect();
    let sum_of_squares = crate::analysis::series::sum_of_squares(&deviations);
    PairedDeviations {
        deviations,
        sum_of_squares,
    }
}

/// ρ̂(lag) = Σ_t d[t]·d[t+lag] / Σ_t d[t]², with d the paired deviations.
fn autocorrelation(series: &PairedDeviations, lag: usize) -> f64 {
    let length = series.deviations.len();
    if lag >= length {
        return 0.0;
    }
    crate::analysis::series::dot(
        &series.deviations[lag..],
        &series.deviations[..length - lag],
    ) / series.sum_of_squares
}

struct Pairing {
    x: PairedDeviations,
    y: PairedDeviations,
    pairs: usize,
}

fn pair_up(x: &[Option<f64>], y: &[Option<f64>]) -> Option<Pairing> {
    let length = x.len().min(y.len());
    let (x, y) = (&x[..length], &y[..length]);
    let paired: Vec<bool> = x
        .iter()
        .zip(y)
        .map(|(a, b)| finite(*a).is_some() && finite(*b).is_some())
        .collect();
    let pairs = paired.iter().filter(|is_paired| **is_paired).count();
    if pairs < 3 {
        return None;
    }
    let x = paired_deviations(x, &paired, pairs);
    let y = paired_deviations(y, &paired, pairs);
    let usable = |series: &PairedDeviations| {
        series.sum_of_squares > 0.0 && series.sum_of_squares.is_finite()
    };
    (usable(&x) && usable(&y)).then_some(Pairing { x, y, pairs })
}

/// The Bartlett / Pyper–Peterman effective sample size N* of the pairs
/// (x[t], y[t]).
///
/// ρ̂ is the standard sample autocorrelation, statsmodels' `acf` default
/// (`adjusted=False`; with gaps, `missing="conservative"`): lag-j
/// autocovariance Σ (x[t]−x̄)(x[t+j]−x̄) divided by the same m as the
/// variance, not by m − j. That estimator is bounded by 1 and positive
/// semi-definite, and it damps the long lags: J is at least 13, which on a
/// 24-period KPI reaches lags of half the series, where the m/(m−j)
/// "unbiased" version roughly doubles sampling noise that the product
/// ρ̂x·ρ̂y then squares. The SPEC's explicit (m−j)/m weight comes on top.
///
/// Lags run to min(J, m − 1, positions − 1). When the sum makes 1/N* ≤ 0 the
/// pairs carry no evidence of dependence inflation and N* = m. `None` with
/// fewer than 3 pairs or a constant side.
pub fn bartlett_effective_sample_size(x: &[Option<f64>], y: &[Option<f64>]) -> Option<f64> {
    let pairing = pair_up(x, y)?;
    Some(effective_sample_size(&pairing))
}

fn effective_sample_size(pairing: &Pairing) -> f64 {
    let m = pairing.pairs as f64;
    let lags = bartlett_lag_count(pairing.pairs).min(pairing.pairs - 1);
    let weighted_sum: f64 = (1..=lags)
        .map(|lag| {
            (m - lag as f64) / m
                * autocorrelation(&pairing.x, lag)
                * autocorrelation(&pairing.y, lag)
        })
        .sum();
    let inverse = 1.0 / m + 2.0 / m * weighted_sum;
    let dependence_shrinks_the_sample = inverse > 0.0 && inverse.is_finite();
    if !dependence_shrinks_the_sample {
        return m;
    }
    (1.0 / inverse).clamp(MIN_EFFECTIVE_SAMPLE_SIZE, m)
}

/// The two-sided p-value of a Pearson correlation `r` with
/// `degrees_of_freedom` (N − 2, not necessarily whole): t = r·√(df/(1−r²))
/// against Student's t. 0 for |r| = 1; `None` for df ≤ 0 or r outside [−1, 1].
pub fn pearson_p_value(r: f64, degrees_of_freedom: f64) -> Option<f64> {
    let valid = degrees_of_freedom > 0.0 && r.abs() <= 1.0;
    if !valid {
        return None;
    }
    if r.abs() == 1.0 {
        return Some(0.0);
    }
    let t = r * (degrees_of_freedom / (1.0 - r * r)).sqrt();
    let distribution = StudentsT::new(0.0, 1.0, degrees_of_freedom).ok()?;
    Some((2.0 * distribution.sf(t.abs())).min(1.0))
}

/// Pearson's r of the pairs (x[t], y[t]) tested on the Bartlett effective
/// sample size (see [`bartlett_effective_sample_size`]).
pub fn bartlett_correlation_test(
    x: &[Option<f64>],
    y: &[Option<f64>],
) -> Option<BartlettCorrelationTest> {
    let pairing = pair_up(x, y)?;
    let cross = crate::analysis::series::dot(&pairing.x.deviations, &pairing.y.deviations);
    let r = (cross / (pairing.x.sum_of_squares.sqrt() * pairing.y.sum_of_squares.sqrt()))
        .clamp(-1.0, 1.0);
    let effective_sample_size = effective_sample_size(&pairing);
    let p_value = pearson_p_value(r, effective_sample_size - 2.0)?;
    Some(BartlettCorrelationTest {
        r,
        pairs: pairing.pairs,
        effective_sample_size,
        p_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_pairs() {
        assert!(bartlett_effective_sample_size(&[], &[]).is_none());
        let x = [Some(1.0), Some(2.0), Some(3.0)];
        assert!(bartlett_effective_sample_size(&x, &[Some(1.0); 3]).is_none());
        assert!(bartlett_effective_sample_size(&x, &[Some(1.0), None, Some(2.0)]).is_none());
    }

    #[test]
    fn p_value_edges() {
        assert_eq!(pearson_p_value(1.0, 5.0), Some(0.0));
        assert_eq!(pearson_p_value(0.0, 5.0), Some(1.0));
        assert_eq!(pearson_p_value(0.5, 0.0), None);
        assert_eq!(pearson_p_value(f64::NAN, 3.0), None);
    }

    #[test]
    fn bartlett_lags_floor_at_thirteen() {
        assert_eq!(bartlett_lag_count(24), 13);
        assert_eq!(bartlett_lag_count(100), 20);
    }
}
