//! The lagged correlation of two series at one lag, fast and exact with
//! missing values: each series is a [`Column`] — centred and scaled once (r
//! does not change, and the sums stop cancelling), 0 where a value is
//! missing, with prefix sums and the list of its gaps. For the pairs
//! (a[t], b[t+k]) over the window where both series run, five of the six
//! sums r needs are prefix-sum differences corrected at the (few) gaps, and
//! only Σ a·b is a dot product. A pair of complete series at one lag costs
//! one dot product.

/// Correlation tests with fewer pairs than this are skipped (SPEC).
pub const MIN_PAIRS: usize = 8;
/// Zeros kept after a column's values, so the fused loop over up to 16
/// lags reads whole rows without a bounds check per lag.
const PADDING: usize = 16;
/// A variance at most this fraction of the sum of squares counts as zero: it
/// is what rounding leaves of a constant series.
pub(crate) const CONSTANT_TOLERANCE: f64 = 1e-12;

/// One series ready for lagged correlations.
#[derive(Clone, Debug, Default)]
pub struct Column {
    /// Values shifted by the first present one, 0 where missing.
    values: Vec<f64>,
    /// Missing positions between the first and last present value.
    gaps: Vec<usize>,
    /// First present position and one past the last.
    first: usize,
    end: usize,
    /// prefix[t] = Σ values[..t]; prefix_squares likewise of the squares.
    prefix: Vec<f64>,
    prefix_squares: Vec<f64>,
}

impl Column {
    /// A column of `series`; None when fewer than [`MIN_PAIRS`] values are
    /// present or the series is constant.
    pub fn new(series: &[Option<f64>]) -> Option<Column> {
        let dense: Vec<f64> = series
            .iter()
            .map(|value| value.unwrap_or(f64::NAN))
            .collect();
        let mut column = Column::default();
        column.rebuild(&dense).then_some(column)
    }

    /// Refills this column from `values` (NaN or infinite = missing),
    /// reusing its memory, as the scan does once per (leader, follower).
    /// False when fewer than [`MIN_PAIRS`] values are present or the series
    /// is constant; the column is then not to be used.
    pub fn rebuild(&mut self, values: &[f64]) -> bool {
        let Some(first) = values.iter().position(|value| value.is_finite()) else {
            return false;
        };
        // Shifting by a value of the series keeps the sums of squares from
        // cancelling (the series is stationary); r does not change.
        let shift = values[first];
        self.values.clear();
        self.gaps.clear();
        self.prefix.clear();
        self.prefix_squares.clear();
        self.prefix.push(0.0);
        self.prefix_squares.push(0.0);
        let (mut running, mut squares, mut count, mut end) = (0.0, 0.0, 0usize, first);
        for (t, value) in values.iter().enumerate() {
            let shifted = if value.is_finite() {
                count += 1;
                end = t + 1;
                value - shift
            } else {
                if t > first {
                    self.gaps.push(t);
                }
                0.0
            };
            self.values.push(shifted);
            running += shifted;
            squares += shifted * shifted;
            self.prefix.push(running);
            self.prefix_squares.push(squares);
        }
        // Zeros past the end let the fused lag loop read whole rows.
        self.values.extend([0.0; PADDING]);
        // Missing values after the last present one are not gaps.
        while self.gaps.last().is_some_and(|gap| *gap >= end) {
            self.gaps.pop();
        }
        self.first = first;
        self.end = end;
        let deviations = squares - running * running / count as f64;
        count >= MIN_PAIRS
            && deviations.is_finite()
            && deviations > CONSTANT_TOLERANCE * (squares + shift * shift * count as f64)
    }

    fn is_present(&self, t: usize) -> bool {
        t >= self.first && t < self.end && self.gaps.binary_search(&t).is_err()
    }
    /// The gaps of this column within `from..to`.
    fn gaps_in(&self, from: usize, to: usize) -> &[usize] {
        let start = self.gaps.partition_point(|&gap| gap < from);
        let stop = self.gaps.partition_point(|&gap| gap < to);
        self.gaps.get(start..stop).unwrap_or_default()
    }

    fn sum(&self, from: usize, to: usize) -> (f64, f64) {
        let at = |prefix: &[f64], index: usize| prefix.get(index).copied().unwrap_or(0.0);
        (
            at(&self.prefix, to) - at(&self.prefix, from),
            at(&self.prefix_squares, to) - at(&self.prefix_squares, from),
        )
    }
}

/// The AR filter e[t] = x[t] − Σ φⱼ·x[t−j] of a dense series (NaN =
/// missing) into `out`, aligned to periods: the first p entries, and every
/// entry whose window holds a missing value, are NaN.
pub fn filter_into(series: &[f64], coefficients: &[f64], out: &mut Vec<f64>) {
    out.clear();
    let order = coefficients.len();
    for t in 0..series.len() {
        if t < order {
            out.push(f64::NAN);
            continue;
        }
        let mut value = series[t];
        for (lag, coefficient) in coefficients.iter().enumerate() {
            value -= coefficient * series[t - lag - 1];
        }
        out.push(value);
    }
}

/// The t-range where a[t] and b[t + lag] can both be present.
fn window(a: &Column, b: &Column, lag: usize) -> (usize, usize) {
    (
        a.first.max(b.first.saturating_sub(lag)),
        a.end.min(b.end.saturating_sub(lag)),
    )
}

/// Pearson's r of (a[t], b[t + lag]) over the t where both are present, and
/// the number of such pairs; None when fewer than [`MIN_PAIRS`] pairs or a
/// side is constant over them.
pub fn lagged_correlation(a: &Column, b: &Column, lag: usize) -> Option<(f64, usize)> {
    let (low, high) = window(a, b, lag);
    if low >= high {
        return None;
    }
    let sxy = dot(
        a.values.get(low..high)?,
        b.values.get(low + lag..high + lag)?,
    );
    correlation_from(a, b, lag, sxy)
}

/// r(k) and the pairs behind it for k = 0..=max_lag (entry k is lag k): the
/// same numbers as [`lagged_correlation`] lag by lag, with the Σ a·b of all
/// lags taken in one pass over the range every lag shares (each value of
/// `a` is read once instead of once per lag).
pub fn lagged_correlations(a: &Column, b: &Column, max_lag: usize) -> Vec<Option<(f64, usize)>> {
    let sums = lagged_dots(a, b, max_lag);
    (0..=max_lag)
        .map(|lag| correlation_from(a, b, lag, *sums.get(lag)?))
        .collect()
}

/// Σ a[t]·b[t + k] over each lag's window, k = 0..=max_lag.
fn lagged_dots(a: &Column, b: &Column, max_lag: usize) -> Vec<f64> {
    let windows: Vec<(usize, usize)> = (0..=max_lag).map(|lag| window(a, b, lag)).collect();
    let core_low = windows.iter().map(|w| w.0).max().unwrap_or(0);
    let core_high = windows.iter().map(|w| w.1).min().unwrap_or(0);
    let shared = core_low < core_high;
    let mut sums = vec![0.0; max_lag + 1];
    if shared {
        let fused = match max_lag + 1 {
            1..=4 => fused::<4>(a, b, core_low, core_high).map(|sums| sums.to_vec()),
            5..=8 => fused::<8>(a, b, core_low, core_high).map(|sums| sums.to_vec()),
            9..=16 => fused::<16>(a, b, core_low, core_high).map(|sums| sums.to_vec()),
            _ => None,
        };
        if let Some(fused) = fused {
            sums.iter_mut()
                .zip(fused)
                .for_each(|(sum, value)| *sum = value);
        } else {
            for (lag, sum) in sums.iter_mut().enumerate() {
                *sum = pair_dot(a, b, lag, core_low, core_high);
            }
        }
    }
    for (lag, (sum, (low, high))) in sums.iter_mut().zip(&windows).enumerate() {
        if low >= high {
            continue;
        }
        if shared {
            // The lag's own edges outside the shared range.
            *sum += pair_dot(a, b, lag, *low, core_low.min(*high));
            *sum += pair_dot(a, b, lag, core_high.max(*low), *high);
        } else {
            *sum = pair_dot(a, b, lag, *low, *high);
        }
    }
    sums
}

/// Σ a[t]·b[t + lag] for t in from..to (0 for an empty range).
fn pair_dot(a: &Column, b: &Column, lag: usize, from: usize, to: usize) -> f64 {
    if from >= to {
        return 0.0;
    }
    match (a.values.get(from..to), b.values.get(from + lag..to + lag)) {
        (Some(left), Some(right)) => dot(left, right),
        _ => 0.0,
    }
}

/// Σ a[t]·b[t + k] for k = 0..N over t in from..to, in one pass: a[t]
/// times the row b[t..t + N] (the padding makes every row whole).
fn fused<const N: usize>(a: &Column, b: &Column, from: usize, to: usize) -> Option<[f64; N]> {
    let left = a.values.get(from..to)?;
    let right = b.values.get(from..to + N - 1)?;
    let mut sums = [0.0; N];
    for (x, row) in left.iter().zip(right.windows(N)) {
        let row: &[f64; N] = row.try_into().ok()?;
        for k in 0..N {
            sums[k] += x * row[k];
        }
    }
    Some(sums)
}

/// r and the pairs of lag `lag` given its Σ a·b: the other sums come from
/// prefix sums corrected at the gaps.
fn correlation_from(a: &Column, b: &Column, lag: usize, sxy: f64) -> Option<(f64, usize)> {
    let (low, high) = window(a, b, lag);
    if low >= high {
        return None;
    }
    // Pairs lost to a gap on either side (both at once counted once).
    let a_gaps = a.gaps_in(low, high);
    let b_gaps = b.gaps_in(low + lag, high + lag);
    let both = a_gaps.iter().filter(|&&t| !b.is_present(t + lag)).count();
    let pairs = (high - low + both).saturating_sub(a_gaps.len() + b_gaps.len());
    if pairs < MIN_PAIRS {
        return None;
    }
    let (mut sx, mut sxx) = a.sum(low, high);
    for &gap in b_gaps {
        let value = a.values.get(gap - lag).copied().unwrap_or(0.0);
        sx -= value;
        sxx -= value * value;
    }
    let (mut sy, mut syy) = b.sum(low + lag, high + lag);
    for &gap in a_gaps {
        let value = b.values.get(gap + lag).copied().unwrap_or(0.0);
        sy -= value;
        syy -= value * value;
    }
    let m = pairs as f64;
    let (vx, vy) = (sxx - sx * sx / m, syy - sy * sy / m);
    if vx <= CONSTANT_TOLERANCE * sxx.max(f64::MIN_POSITIVE)
        || vy <= CONSTANT_TOLERANCE * syy.max(f64::MIN_POSITIVE)
    {
        return None;
    }
    let r = ((sxy - sx * sy / m) / (vx * vy).sqrt()).clamp(-1.0, 1.0);
    r.is_finite().then_some((r, pairs))
}

/// Dot product with four running sums, so that it vectorises.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut sums = [0.0; 4];
    let (a_chunks, b_chunks) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for k in 0..4 {
            sums[k] += x[k] * y[k];
        }
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// r by the textbook formula over the present pairs.
    fn plain(a: &[Option<f64>], b: &[Option<f64>], lag: usize) -> Option<(f64, usize)> {
        let pairs: Vec<(f64, f64)> = (0..a.len())
            .filter_map(|t| Some((a[t]?, (*b.get(t + lag)?)?)))
            .collect();
        if pairs.len() < MIN_PAIRS {
            return None;
        }
        let m = pairs.len() as f64;
        let mx = pairs.iter().map(|p| p.0).sum::<f64>() / m;
        let my = pairs.iter().map(|p| p.1).sum::<f64>() / m;
        let sxy: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let sxx: f64 = pairs.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let syy: f64 = pairs.iter().map(|p| (p.1 - my).powi(2)).sum();
        Some((sxy / (sxx * syy).sqrt(), pairs.len()))
    }

    #[test]
    fn gaps_starts_and_ends_give_the_textbook_r() {
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for case in 0..40 {
            let n = 20 + case * 3;
            let a: Vec<Option<f64>> = (0..n)
                .map(|t| {
                    let value = next();
                    (!(t < case % 5 || value < 0.1)).then_some(value * 10.0 + 3.0)
                })
                .collect();
            let b: Vec<Option<f64>> = (0..n)
                .map(|t| {
                    let value = next();
                    (!(t + case % 4 >= n || value < 0.15)).then_some(value - 100.0)
                })
                .collect();
            let (Some(ca), Some(cb)) = (Column::new(&a), Column::new(&b)) else {
                continue;
            };
            for lag in 0..5 {
                let fast = lagged_correlation(&ca, &cb, lag);
                let slow = plain(&a, &b, lag);
                match (fast, slow) {
                    (Some((r1, m1)), Some((r2, m2))) => {
                        assert_eq!(m1, m2, "case {case} lag {lag}");
                        assert!(
                            (r1 - r2).abs() < 1e-10,
                            "case {case} lag {lag}: {r1} vs {r2}"
                        );
                    }
                    (None, None) => {}
                    other => panic!("case {case} lag {lag}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn the_fused_pass_equals_lag_by_lag() {
        let mut state = 3u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for (case, max_lag) in [(0, 3), (1, 7), (2, 12), (3, 20), (4, 0)] {
            let n = 60 + case * 17;
            let a: Vec<Option<f64>> = (0..n)
                .map(|t| (t >= case && next() > 0.05).then(&mut next))
                .collect();
            let b: Vec<Option<f64>> = (0..n)
                .map(|t| (t + case < n && next() > 0.05).then(|| next() * 3.0))
                .collect();
            let (Some(ca), Some(cb)) = (Column::new(&a), Column::new(&b)) else {
                continue;
            };
            let fused = lagged_correlations(&ca, &cb, max_lag);
            assert_eq!(fused.len(), max_lag + 1);
            for (lag, got) in fused.iter().enumerate() {
                let want = lagged_correlation(&ca, &cb, lag);
                match (got, want) {
                    (Some((r1, m1)), Some((r2, m2))) => {
                        assert_eq!(*m1, m2);
                        assert!((r1 - r2).abs() < 1e-12, "case {case} lag {lag}");
                    }
                    (None, None) => {}
                    other => panic!("case {case} lag {lag}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn constant_and_short_columns_are_skipped() {
        assert!(Column::new(&[Some(2.0); 20]).is_none());
        assert!(Column::new(&[Some(1.0), Some(2.0)]).is_none());
    }
}
