//! How the statistics read a KPI series: which values count as present, the
//! first differences, and the exact rescaling that keeps sums of squares away
//! from overflow.
//!
//! A series is `&[Option<f64>]` in period order. `None` is a missing period;
//! `Some(v)` with a non-finite `v` (NaN, ±∞) is treated as missing too, so no
//! statistic ever sees a NaN from its input.

/// The value of one period if it is present and finite.
pub(crate) fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// The present (finite) values in period order, gaps closed up.
pub(crate) fn present_values(values: &[Option<f64>]) -> Vec<f64> {
    values.iter().filter_map(|value| finite(*value)).collect()
}

/// The number of present (finite) values.
pub fn present_count(values: &[Option<f64>]) -> usize {
    values
        .iter()
        .filter(|value| finite(**value).is_some())
        .count()
}

/// First differences Δy[t] = y[t] − y[t−1], one entry per period.
///
/// The result has the same length as `values` so that period indices (and
/// with them the season of each period) stay aligned: entry 0 is always
/// `None`, and entry t is `None` when y[t] or y[t−1] is missing.
pub fn first_differences(values: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut differences = Vec::with_capacity(values.len());
    if !values.is_empty() {
        differences.push(None);
    }
    differences.extend(values.windows(2).map(|pair| {
        let previous = finite(pair[0])?;
        let current = finite(pair[1])?;
        let difference = current - previous;
        difference.is_finite().then_some(difference)
    }));
    differences
}

/// The mean of the present values, or `None` when there are none.
pub fn present_mean(values: &[Option<f64>]) -> Option<f64> {
    let present = present_values(values);
    if present.is_empty() {
        return None;
    }
    Some(present.iter().sum::<f64>() / present.len() as f64)
}

/// A power of two that brings the largest magnitude of `values` near 1.
///
/// Every statistic here is invariant to rescaling the series, and multiplying
/// by a power of two is exact in binary floating point, so scaling by this
/// factor changes no result bit for bit while keeping squares and cross
/// products of values near 1e200 finite.
pub(crate) fn exact_scale(values: &[f64]) -> f64 {
    let largest = values.iter().fold(0.0_f64, |acc, v| acc.max(v.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return 1.0;
    }
    let exponent = largest.log2().floor().clamp(-1000.0, 1000.0) as i32;
    2.0_f64.powi(-exponent)
}

/// The present values rescaled exactly (see [`exact_scale`]).
pub(crate) fn scaled_present_values(values: &[Option<f64>]) -> Vec<f64> {
    let mut present = present_values(values);
    let scale = exact_scale(&present);
    if scale != 1.0 {
        for value in &mut present {
            *value *= scale;
        }
    }
    present
}

/// True when every value equals the first (an empty slice counts as constant).
pub(crate) fn is_constant(values: &[f64]) -> bool {
    match values.first() {
        Some(first) => values.iter().all(|v| v == first),
        None => true,
    }
}

/// Dot product with four independent accumulators so the compiler can keep
/// the loop in SIMD registers (a single running sum forbids reordering).
pub(crate) fn dot(left: &[f64], right: &[f64]) -> f64 {
    let length = left.len().min(right.len());
    let (left, right) = (&left[..length], &right[..length]);
    let mut lanes = [0.0_f64; 4];
    let left_chunks = left.chunks_exact(4);
    let right_chunks = right.chunks_exact(4);
    let left_tail = left_chunks.remainder();
    let right_tail = right_chunks.remainder();
    for (a, b) in left_chunks.zip(right_chunks) {
        lanes[0] += a[0] * b[0];
        lanes[1] += a[1] * b[1];
        lanes[2] += a[2] * b[2];
        lanes[3] += a[3] * b[3];
    }
    let tail: f64 = left_tail.iter().zip(right_tail).map(|(a, b)| a * b).sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

/// Sum of squares, vectorised like [`dot`].
pub(crate) fn sum_of_squares(values: &[f64]) -> f64 {
    dot(values, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_keep_period_alignment() {
        let values = [
            Some(1.0),
            Some(3.0),
            None,
            Some(4.0),
            Some(f64::NAN),
            Some(6.0),
        ];
        assert_eq!(
            first_differences(&values),
            vec![None, Some(2.0), None, None, None, None]
        );
        assert!(first_differences(&[]).is_empty());
        assert_eq!(first_differences(&[Some(1.0)]), vec![None]);
    }

    #[test]
    fn exact_scale_is_a_power_of_two() {
        let scale = exact_scale(&[3.0e150, -7.0]);
        assert_eq!(scale.log2().fract(), 0.0);
        assert!((3.0e150 * scale) < 2.0 && (3.0e150 * scale) >= 1.0);
        assert_eq!(exact_scale(&[0.0, 0.0]), 1.0);
    }

    #[test]
    fn dot_matches_a_plain_sum() {
        let left: Vec<f64> = (0..11).map(|i| i as f64).collect();
        let right: Vec<f64> = (0..11).map(|i| (i * i) as f64).collect();
        let plain: f64 = left.iter().zip(&right).map(|(a, b)| a * b).sum();
        assert_eq!(dot(&left, &right), plain);
    }
}
