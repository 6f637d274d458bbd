//! Trend statistics of one KPI series: OLS slope and R², the Theil–Sen slope
//! and the Mann–Kendall test.
//!
//! Every function takes the series as `&[Option<f64>]` in period order. The
//! x of a value is its period index (0..n−1), so a gap keeps its place; missing
//! values (and non-finite ones, treated as missing) are dropped, never filled.
//! The conventions are those of scipy (`linregress`, `theilslopes`) and
//! pymannkendall (`original_test`), checked against
//! `tests/fixtures/reference_stats.json`.

use serde::{Deserialize, Serialize};
use statrs::function::erf::erfc;

/// The present points of a series as (period index, value).
fn present_points(values: &[Option<f64>]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .filter_map(|(index, value)| match value {
            Some(v) if v.is_finite() => Some((index as f64, *v)),
            _ => None,
        })
        .collect()
}

/// An ordinary least-squares line of value on period index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OlsFit {
    /// Change per period.
    pub slope: f64,
    /// Fitted value at period index 0.
    pub intercept: f64,
    /// Coefficient of determination; 0 for a constant series.
    pub r2: f64,
    /// √(RSS / (n − 2)); 0 when n = 2 (no residual degrees of freedom).
    pub residual_sd: f64,
    /// Number of present values used in the fit.
    pub n: usize,
    /// Mean period index of the present values.
    pub mean_x: f64,
    /// Σ (x − mean_x)² over the present values.
    pub sxx: f64,
}

impl OlsFit {
    /// The fitted value at period index `x`.
    pub fn predict(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }

    /// Residual degrees of freedom, n − 2: the degrees of freedom of the
    /// t quantile for an interval around [`OlsFit::predict`].
    pub fn residual_df(&self) -> usize {
        self.n.saturating_sub(2)
    }

    /// Standard error of the slope (scipy `linregress(...).stderr`).
    pub fn slope_se(&self) -> f64 {
        self.residual_sd / self.sxx.sqrt()
    }

    /// Standard error of the fitted mean at `x` (the confidence band of the line).
    pub fn mean_se(&self, x: f64) -> f64 {
        let dx = x - self.mean_x;
        self.residual_sd * (1.0 / self.n as f64 + dx * dx / self.sxx).sqrt()
    }

    /// Standard error of a new observation at `x` (the prediction band; statsmodels
    /// `get_prediction(...).se_obs`). A forecast interval is
    /// `predict(x) ± t(residual_df) · prediction_se(x)`.
    pub fn prediction_se(&self, x: f64) -> f64 {
        let dx = x - self.mean_x;
        self.residual_sd * (1.0 + 1.0 / self.n as f64 + dx * dx / self.sxx).sqrt()
    }
}

/// Ordinary least squares of value on period index.
///
/// `None` with fewer than two present values. R² is 0 for a constant series
/// (scipy reports NaN there).
pub fn ols(values: &[Option<f64>]) -> Option<OlsFit> {
    let points = present_points(values);
    let n = points.len();
    if n < 2 {
        return None;
    }
    let count = n as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / count;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / count;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in &points {
        let (dx, dy) = (x - mean_x, y - mean_y);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    // An exactly constant series can still leave rounding noise in syy (the mean
    // of equal values is not always exact); its R² is 0 by definition.
    let first_y = points[0].1;
    let constant = points.iter().all(|p| p.1 == first_y);
    let r2 = if constant || syy <= 0.0 {
        0.0
    } else {
        (sxy * sxy / (sxx * syy)).clamp(0.0, 1.0)
    };
    let residual_sd = if n > 2 {
        let rss: f64 = points
            .iter()
            .map(|&(x, y)| {
                let e = y - (intercept + slope * x);
                e * e
            })
            .sum();
        (rss / (count - 2.0)).sqrt()
    } else {
        0.0
    };
    Some(OlsFit {
        slope,
        intercept,
        r2,
        residual_sd,
        n,
        mean_x,
        sxx,
    })
}

/// Above this many present values the trend statistics switch from the exact
/// pairwise enumeration (n(n−1)/2 slopes or comparisons, O(n²)) to the
/// O(n log n) merge-sort counting paths.
const PAIRWISE_MAX: usize = 2_000;

/// The Theil–Sen slope: the median of all pairwise slopes (yj − yi)/(xj − xi),
/// i < j, with numpy's median (mean of the two middle slopes for an even count).
///
/// `None` with fewer than two present values. Up to 2,000 present values every
/// slope is computed and the middle one selected (≈2M slopes, O(n²) time and
/// memory). Above that the median is found without materialising the slopes,
/// in O(n log n) time per step and O(n) memory (see [`theil_sen_by_counting`]);
/// that path agrees with the pairwise one to within a few ulps (relative).
pub fn theil_sen_slope(values: &[Option<f64>]) -> Option<f64> {
    theil_sen_with_threshold(values, PAIRWISE_MAX)
}

/// [`theil_sen_slope`] with the pairwise/counting switch as a parameter: the
/// pairwise path for at most `pairwise_max` present values, counting above.
fn theil_sen_with_threshold(values: &[Option<f64>], pairwise_max: usize) -> Option<f64> {
    let points = present_points(values);
    if points.len() < 2 {
        return None;
    }
    if points.len() <= pairwise_max {
        Some(theil_sen_pairwise(&points))
    } else {
        Some(theil_sen_by_counting(&points))
    }
}

/// The median of the pairwise slopes by enumerating them (n ≥ 2).
fn theil_sen_pairwise(points: &[(f64, f64)]) -> f64 {
    let n = points.len();
    let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
    for (i, &(xi, yi)) in points.iter().enumerate() {
        for &(xj, yj) in &points[i + 1..] {
            slopes.push((yj - yi) / (xj - xi));
        }
    }
    let count = slopes.len();
    let middle = count / 2;
    let (lower, upper, _) = slopes.select_nth_unstable_by(middle, f64::total_cmp);
    let upper = *upper;
    if count % 2 == 1 {
        return upper;
    }
    let lower_middle = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lower_middle + upper) / 2.0
}

/// The median of the pairwise slopes without materialising them (n ≥ 2, x
/// strictly increasing, every value finite).
///
/// For a candidate slope s, a pair i < j has slope ≤ s exactly when
/// zj ≤ zi with z = y − s·x, so the number of slopes ≤ s is the number of
/// non-strict inversions of z in x order, counted by a merge sort in
/// O(n log n). z is carried as a double-double (the product s·x and the
/// subtraction are error-free transformations), so that count is exact up to
/// a relative 2⁻¹⁰⁰ or so: in particular exactly tied slopes (a flat run, a
/// perfect line) are counted as ties. The k-th smallest slope is then the
/// smallest f64 s with count(≤ s) ≥ k, found by bisecting the ordered bit
/// patterns of f64 (at most 64 counts per order statistic, two for an even
/// number of slopes) between −R and R, R = max y − min y, which bounds every
/// slope since x steps are ≥ 1.
///
/// The result is the exact k-th slope rounded up to an f64. The pairwise code
/// rounds twice per slope (fl(yj − yi), then the division, each to nearest and
/// relative to its own exact result), so each of its slopes is within 2 ulps
/// of the exact one and so is its k-th smallest: the two paths agree to within
/// a few ulps, relative (at most 2 ulps on the random series of the tests),
/// and exactly whenever the median slope is exactly representable (0 for a
/// flat series, the slope of an exact line).
fn theil_sen_by_counting(points: &[(f64, f64)]) -> f64 {
    let n = points.len();
    // Scale huge values by a power of two (exact, and every slope scales by
    // the same factor) so that s·x and y − s·x cannot overflow: scaled,
    // |y| ≤ 2⁹⁰⁰, so |s| ≤ 2⁹⁰¹ and |s·x| < 2⁹⁶⁵; the factor back is ≤ 2¹²⁴.
    let max_abs = points.iter().fold(0.0f64, |m, p| m.max(p.1.abs()));
    let scale_exp = if max_abs > 2f64.powi(900) {
        (max_abs.log2().ceil() as i32 - 900).max(0)
    } else {
        0
    };
    let down = 2f64.powi(-scale_exp);
    let xs: Vec<f64> = points.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.1 * down).collect();
    let (min_y, max_y) = ys
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &y| {
            (lo.min(y), hi.max(y))
        });
    // Rounded up one ulp: the exact range can exceed fl(max − min) by half an ulp.
    let bound = next_up(max_y - min_y);
    let mut z = vec![(0.0, 0.0); n];
    let mut buffer = vec![(0.0, 0.0); n];
    let mut count_at_most = |s: f64| -> u64 {
        for ((slot, &x), &y) in z.iter_mut().zip(&xs).zip(&ys) {
            *slot = y_minus_sx(y, s, x);
        }
        // Pairs i < j with zj ≤ zi: take the left element first only when
        // strictly smaller, so equal values count as inversions.
        count_inversions(&mut z, &mut buffer, |a, b| dd_less(*a, *b))
    };
    let pairs = (n as u64) * (n as u64 - 1) / 2;
    let upper_rank = pairs / 2 + 1;
    let lo_key = order_key(-bound);
    let hi_key = order_key(bound);
    let upper = smallest_with_rank(lo_key, hi_key, upper_rank, &mut count_at_most);
    let median = if pairs % 2 == 1 {
        upper
    } else {
        let lower_rank = upper_rank - 1;
        let lower = smallest_with_rank(lo_key, order_key(upper), lower_rank, &mut count_at_most);
        (lower + upper) / 2.0
    };
    // `+ 0.0` turns a −0 (the bisection's smallest key for a zero slope) into
    // the +0 the pairwise path gives.
    median * 2f64.powi(scale_exp) + 0.0
}

/// The smallest f64 s with key in [lo_key, hi_key] and `count(s) ≥ rank`
/// (`count` non-decreasing in s), by bisecting the keys; `hi_key` when none is.
fn smallest_with_rank(
    mut lo_key: u64,
    mut hi_key: u64,
    rank: u64,
    count: &mut impl FnMut(f64) -> u64,
) -> f64 {
    while lo_key < hi_key {
        let mid = lo_key + (hi_key - lo_key) / 2;
        if count(from_order_key(mid)) >= rank {
            hi_key = mid;
        } else {
            lo_key = mid + 1;
        }
    }
    from_order_key(hi_key)
}

/// A u64 whose unsigned order is the numeric order of the f64 (−0 just below +0).
fn order_key(value: f64) -> u64 {
    let bits = value.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The inverse of [`order_key`].
fn from_order_key(key: u64) -> f64 {
    if key >> 63 == 1 {
        f64::from_bits(key & !(1 << 63))
    } else {
        f64::from_bits(!key)
    }
}

/// The next f64 above a finite value.
fn next_up(value: f64) -> f64 {
    from_order_key(order_key(value).saturating_add(1))
}

/// y − s·x as an unevaluated sum hi + lo with |lo| ≤ ulp(hi)/2, accurate to a
/// relative ≈2⁻¹⁰⁴ (two-product by fused multiply-add, then two-sums).
fn y_minus_sx(y: f64, s: f64, x: f64) -> (f64, f64) {
    let product = s * x;
    let product_error = s.mul_add(x, -product); // s·x = product + product_error
    let (difference, difference_error) = two_sum(y, -product);
    let (hi, lo) = two_sum(difference, difference_error - product_error);
    (hi, lo)
}

/// a + b as fl(a + b) and its exact rounding error (Knuth).
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    let b_part = sum - a;
    let a_part = sum - b_part;
    (sum, (a - a_part) + (b - b_part))
}

/// Strict order of normalised double-doubles.
fn dd_less(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// Sorts `values` by a bottom-up merge sort and returns the number of pairs
/// i < j (positions before sorting) where the j-th element was placed first,
/// i.e. where `take_left(values[i], values[j])` is false. With a strict `<`
/// as `take_left` that counts pairs with values[j] ≤ values[i]; with `≤`, the
/// strict inversions values[j] < values[i]. `buffer` must be as long as
/// `values`. O(n log n) time, no allocation.
fn count_inversions<T: Copy>(
    values: &mut [T],
    buffer: &mut [T],
    take_left: impl Fn(&T, &T) -> bool,
) -> u64 {
    let n = values.len();
    let mut inversions = 0u64;
    let mut width = 1;
    // Each pass merges runs of `width` from `source` into `target`.
    let mut in_values = true;
    while width < n {
        let (source, target): (&[T], &mut [T]) = if in_values {
            (&*values, &mut *buffer)
        } else {
            (&*buffer, &mut *values)
        };
        let mut start = 0;
        while start < n {
            let middle = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right, mut out) = (start, middle, start);
            while left < middle && right < end {
                if take_left(&source[left], &source[right]) {
                    target[out] = source[left];
                    left += 1;
                } else {
                    target[out] = source[right];
                    right += 1;
                    inversions += (middle - left) as u64;
                }
                out += 1;
            }
            target[out..out + (middle - left)].copy_from_slice(&source[left..middle]);
            out += middle - left;
            target[out..end].copy_from_slice(&source[right..end]);
            start = end;
        }
        in_values = !in_values;
        width *= 2;
    }
    if !in_values {
        values.copy_from_slice(buffer);
    }
    inversions
}

/// The Mann–Kendall trend test (pymannkendall `original_test`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MannKendall {
    /// S = Σ sign(yj − yi) over i < j.
    pub s: f64,
    /// Kendall's tau: S / (n(n−1)/2).
    pub tau: f64,
    /// Variance of S with the tie correction.
    pub var_s: f64,
    /// (S − 1)/σ for S > 0, (S + 1)/σ for S < 0, 0 otherwise.
    pub z: f64,
    /// Two-sided normal p-value of z.
    pub p_value: f64,
}

/// The Mann–Kendall test over the present values in period order.
///
/// `None` with fewer than two present values. With two values, or when every
/// value is tied, z is 0 and the p-value 1 (as pymannkendall gives); nothing is
/// ever NaN.
///
/// S is computed pair by pair up to 2,000 present values; above that by
/// counting inversions with a merge sort and tied pairs from the value
/// frequencies, in O(n log n) — the same integer either way.
pub fn mann_kendall(values: &[Option<f64>]) -> Option<MannKendall> {
    mann_kendall_with_threshold(values, PAIRWISE_MAX)
}

/// [`mann_kendall`] with the pairwise/counting switch as a parameter: S pair by
/// pair for at most `pairwise_max` present values, by counting above.
fn mann_kendall_with_threshold(values: &[Option<f64>], pairwise_max: usize) -> Option<MannKendall> {
    let ys: Vec<f64> = present_points(values).into_iter().map(|p| p.1).collect();
    let n = ys.len();
    if n < 2 {
        return None;
    }
    let (s, sorted) = if n <= pairwise_max {
        let s = mann_kendall_s_pairwise(&ys);
        let mut sorted = ys;
        sorted.sort_unstable_by(f64::total_cmp);
        (s, sorted)
    } else {
        mann_kendall_s_by_counting(ys)
    };
    let s = s as f64;
    let count = n as f64;
    let tau = s / (0.5 * count * (count - 1.0));

    let mut tie_term = 0.0;
    for t in tie_group_sizes(&sorted) {
        let t = t as f64;
        tie_term += t * (t - 1.0) * (2.0 * t + 5.0);
    }
    let var_s = ((count * (count - 1.0) * (2.0 * count + 5.0) - tie_term) / 18.0).max(0.0);

    let z = if var_s <= 0.0 || n < 3 {
        0.0
    } else if s > 0.0 {
        (s - 1.0) / var_s.sqrt()
    } else if s < 0.0 {
        (s + 1.0) / var_s.sqrt()
    } else {
        0.0
    };
    // erfc keeps full relative precision far into the tail, where
    // pymannkendall's 2·(1 − Φ(|z|)) rounds to 0.
    let p_value = erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0);
    Some(MannKendall {
        s,
        tau,
        var_s,
        z,
        p_value,
    })
}

/// S = Σ sign(yj − yi) over i < j, pair by pair (O(n²)).
fn mann_kendall_s_pairwise(ys: &[f64]) -> i64 {
    let mut s: i64 = 0;
    for (i, &yi) in ys.iter().enumerate() {
        for &yj in &ys[i + 1..] {
            if yj > yi {
                s += 1;
            } else if yj < yi {
                s -= 1;
            }
        }
    }
    s
}

/// S by counting, with the values sorted ascending (for the tie groups).
///
/// Strict inversions D = #(i < j, yj < yi) by merge sort; tied pairs
/// T = Σ t(t−1)/2 over the groups of equal values; the increasing pairs are
/// the rest, so S = (n(n−1)/2 − T − D) − D. Equality is `==` as in the
/// pairwise code (−0 ties +0). O(n log n).
fn mann_kendall_s_by_counting(mut ys: Vec<f64>) -> (i64, Vec<f64>) {
    let n = ys.len() as u64;
    let mut buffer = vec![0.0; ys.len()];
    // Take the left element on ≤, so only strictly smaller right ones count.
    let inversions = count_inversions(&mut ys, &mut buffer, |a, b| a <= b);
    let tied: u64 = tie_group_sizes(&ys)
        .map(|t| t as u64 * (t as u64 - 1) / 2)
        .sum();
    let pairs = n * (n - 1) / 2;
    // The three counts partition the pairs, so this never saturates.
    let increasing = pairs.saturating_sub(tied).saturating_sub(inversions);
    (increasing as i64 - inversions as i64, ys)
}

/// The sizes of the runs of equal values of an ascending slice.
fn tie_group_sizes(sorted: &[f64]) -> impl Iterator<Item = usize> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= sorted.len() {
            return None;
        }
        let mut end = start + 1;
        while end < sorted.len() && sorted[end] == sorted[start] {
            end += 1;
        }
        let size = end - start;
        start = end;
        Some(size)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const REFERENCE: &str = include_str!("../../tests/fixtures/reference_stats.json");

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-9 + 1e-6 * expected.abs()
    }

    fn assert_close(actual: f64, expected: f64, what: &str) {
        assert!(
            close(actual, expected),
            "{what}: got {actual:e}, expected {expected:e}"
        );
    }

    fn values_of(json: &Value) -> Vec<Option<f64>> {
        json.as_array()
            .expect("array of values")
            .iter()
            .map(Value::as_f64)
            .collect()
    }

    fn num(json: &Value, key: &str) -> f64 {
        json[key].as_f64().unwrap_or_else(|| panic!("number {key}"))
    }

    #[test]
    fn matches_scipy_statsmodels_and_pymannkendall() {
        let doc: Value = serde_json::from_str(REFERENCE).expect("reference JSON");
        let cases = doc["trend"].as_array().expect("trend cases");
        assert!(cases.len() >= 10);
        for case in cases {
            let name = case["name"].as_str().expect("name");
            let values = values_of(&case["values"]);

            let fit = ols(&values);
            match (&fit, case["ols"].is_null()) {
                (None, true) => {}
                (Some(fit), false) => {
                    let want = &case["ols"];
                    assert_close(fit.slope, num(want, "slope"), &format!("{name} slope"));
                    assert_close(
                        fit.intercept,
                        num(want, "intercept"),
                        &format!("{name} intercept"),
                    );
                    assert_close(fit.r2, num(want, "r2"), &format!("{name} r2"));
                    assert_eq!(fit.n as f64, num(want, "n"), "{name} n");
                    if let Some(sd) = want["residual_sd"].as_f64() {
                        assert_close(fit.residual_sd, sd, &format!("{name} residual_sd"));
                        assert_close(
                            fit.slope_se(),
                            num(want, "slope_se"),
                            &format!("{name} slope_se"),
                        );
                    } else {
                        assert_eq!(fit.residual_sd, 0.0, "{name}: n = 2 has no residual df");
                    }
                    for prediction in want["prediction_se"].as_array().expect("predictions") {
                        let x = num(prediction, "x");
                        assert_close(
                            fit.prediction_se(x),
                            num(prediction, "se"),
                            &format!("{name} prediction_se({x})"),
                        );
                    }
                }
                (fit, _) => panic!("{name}: ols gave {fit:?}, reference {}", case["ols"]),
            }

            match (theil_sen_slope(&values), case["theil_sen_slope"].as_f64()) {
                (Some(got), Some(want)) => assert_close(got, want, &format!("{name} theil-sen")),
                (None, None) => {}
                (got, want) => panic!("{name}: theil-sen {got:?} vs {want:?}"),
            }

            match (mann_kendall(&values), case["mann_kendall"].is_null()) {
                (None, true) => {}
                (Some(mk), false) => {
                    let want = &case["mann_kendall"];
                    assert_close(mk.s, num(want, "s"), &format!("{name} S"));
                    assert_close(mk.tau, num(want, "tau"), &format!("{name} tau"));
                    assert_close(mk.var_s, num(want, "var_s"), &format!("{name} var_s"));
                    assert_close(mk.z, num(want, "z"), &format!("{name} z"));
                    assert_close(mk.p_value, num(want, "p_value"), &format!("{name} p"));
                }
                (mk, _) => panic!("{name}: mann-kendall {mk:?} vs {}", case["mann_kendall"]),
            }
        }
    }

    #[test]
    fn ols_by_hand() {
        // y = 1, 3, _, 7 at x = 0, 1, 3: the exact line y = 1 + 2x.
        let fit = ols(&[Some(1.0), Some(3.0), None, Some(7.0)]).expect("fit");
        assert!((fit.slope - 2.0).abs() < 1e-12);
        assert!((fit.intercept - 1.0).abs() < 1e-12);
        assert!((fit.r2 - 1.0).abs() < 1e-12);
        assert!(fit.residual_sd.abs() < 1e-12);
        assert!((fit.mean_x - 4.0 / 3.0).abs() < 1e-12);
        assert!((fit.sxx - 14.0 / 3.0).abs() < 1e-12);
        assert!((fit.predict(5.0) - 11.0).abs() < 1e-12);

        // y = 0, 2, 1: slope 0.5, intercept 0.5, residuals −0.5, 1, −0.5.
        let fit = ols(&[Some(0.0), Some(2.0), Some(1.0)]).expect("fit");
        assert!((fit.slope - 0.5).abs() < 1e-12);
        assert!((fit.intercept - 0.5).abs() < 1e-12);
        assert!((fit.residual_sd - 1.5f64.sqrt()).abs() < 1e-12);
        assert!((fit.r2 - 0.25).abs() < 1e-12);
        assert_eq!(fit.residual_df(), 1);
    }

    #[test]
    fn theil_sen_by_hand() {
        // y = 0, 4, 5, 5 at x = 0..3: pairwise slopes 4, 2.5, 5/3, 1, 0.5, 0;
        // an even count, so the median is the mean of 1 and 5/3.
        let slope = theil_sen_slope(&[Some(0.0), Some(4.0), Some(5.0), Some(5.0)]).expect("slope");
        assert!((slope - (1.0 + 5.0 / 3.0) / 2.0).abs() < 1e-12);
        // Odd count (3 slopes), with a gap keeping its index: points (0,0), (2,2), (3,6).
        let slope = theil_sen_slope(&[Some(0.0), None, Some(2.0), Some(6.0)]).expect("slope");
        assert!((slope - 2.0).abs() < 1e-12);
    }

    #[test]
    fn mann_kendall_by_hand() {
        // 1, 2, 2, 3: S = 5 (one tied pair), ties: one group of 2.
        let mk = mann_kendall(&[Some(1.0), Some(2.0), Some(2.0), Some(3.0)]).expect("mk");
        assert_eq!(mk.s, 5.0);
        assert!((mk.tau - 5.0 / 6.0).abs() < 1e-12);
        let var_s = (4.0 * 3.0 * 13.0 - 2.0 * 1.0 * 9.0) / 18.0;
        assert!((mk.var_s - var_s).abs() < 1e-12);
        assert!((mk.z - 4.0 / var_s.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn degenerate_series_never_give_nan() {
        let inputs: Vec<Vec<Option<f64>>> = vec![
            vec![],
            vec![None],
            vec![Some(3.0)],
            vec![None, None, None],
            vec![Some(f64::NAN), Some(f64::INFINITY), Some(1.0)],
            vec![Some(2.0), Some(2.0)],
            vec![Some(0.1); 7],
            vec![Some(1.0), Some(5.0)],
        ];
        for values in &inputs {
            if let Some(fit) = ols(values) {
                for v in [fit.slope, fit.intercept, fit.r2, fit.residual_sd] {
                    assert!(v.is_finite(), "{values:?}: {fit:?}");
                }
                assert!(fit.prediction_se(10.0).is_finite());
            }
            if let Some(slope) = theil_sen_slope(values) {
                assert!(slope.is_finite());
            }
            if let Some(mk) = mann_kendall(values) {
                for v in [mk.s, mk.tau, mk.var_s, mk.z, mk.p_value] {
                    assert!(v.is_finite(), "{values:?}: {mk:?}");
                }
                assert!(values.iter().flatten().filter(|v| v.is_finite()).count() >= 2);
            }
        }
        assert!(
            ols(&[Some(f64::NAN), Some(1.0)]).is_none(),
            "NaN counts as missing"
        );
        let constant = ols(&[Some(0.1); 7]).expect("fit");
        assert_eq!(constant.r2, 0.0);
        let flat = mann_kendall(&[Some(2.0); 5]).expect("mk");
        assert_eq!((flat.s, flat.z, flat.p_value), (0.0, 0.0, 1.0));
        let two = mann_kendall(&[Some(1.0), Some(5.0)]).expect("mk");
        assert_eq!((two.s, two.tau, two.z, two.p_value), (1.0, 1.0, 0.0, 1.0));
    }

    #[test]
    fn theil_sen_handles_a_thousand_points() {
        // Deterministic pseudo-random values around a known slope.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let values: Vec<Option<f64>> = (0..1000)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let noise = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                Some(0.25 * i as f64 + noise)
            })
            .collect();
        let slope = theil_sen_slope(&values).expect("slope");
        assert!((slope - 0.25).abs() < 1e-3, "{slope}");
    }

    /// A xorshift generator: uniform in [0, 1).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Random series of assorted shapes: noisy lines of either sign and
    /// several scales, with gaps, integer (tied) values and flat runs.
    fn random_series(rng: &mut Rng, n: usize, shape: usize) -> Vec<Option<f64>> {
        let slope = (rng.next() - 0.5) * 10f64.powi(rng.next().mul_add(6.0, -3.0) as i32);
        let offset = (rng.next() - 0.3) * 10f64.powi((rng.next() * 7.0) as i32);
        let noise = 10f64.powi(rng.next().mul_add(4.0, -2.0) as i32);
        (0..n)
            .map(|i| {
                let x = i as f64;
                let value = offset + slope * x + noise * (rng.next() - 0.5);
                match shape % 5 {
                    // Gaps: about one value in six missing.
                    1 if rng.next() < 0.17 => None,
                    // Small integer counts: heavy ties, median slope often 0.
                    2 => Some((rng.next() * 4.0).floor()),
                    // Rounded values on a trend: many exactly tied slopes.
                    3 => Some((offset + 0.01 * x + 3.0 * rng.next()).round()),
                    // Flat runs broken by steps.
                    4 => Some((x / 97.0).floor() * 2.5 - if rng.next() < 0.1 { 1.0 } else { 0.0 }),
                    _ => Some(value),
                }
            })
            .collect()
    }

    #[test]
    fn counting_paths_agree_with_pairwise() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut worst = 0.0f64;
        let (mut cases, mut identical, mut zero_medians, mut max_ulps) = (0, 0, 0, 0u64);
        for (case, n) in (300..=1500).step_by(100).enumerate() {
            for shape in 0..5 {
                let values = random_series(&mut rng, n + case % 2, shape + case);
                let pairwise = theil_sen_with_threshold(&values, usize::MAX).expect("slope");
                let counted = theil_sen_with_threshold(&values, 0).expect("slope");
                let scale = pairwise.abs().max(counted.abs());
                let relative = if scale == 0.0 {
                    0.0
                } else {
                    (pairwise - counted).abs() / scale
                };
                assert!(
                    relative <= 1e-9,
                    "n = {n}, shape {shape}: pairwise {pairwise:e}, counted {counted:e}"
                );
                assert_eq!(pairwise == 0.0, counted == 0.0, "n = {n}, shape {shape}");
                worst = worst.max(relative);
                identical += usize::from(pairwise == counted);
                zero_medians += usize::from(pairwise == 0.0);
                max_ulps = max_ulps.max(order_key(pairwise).abs_diff(order_key(counted)));

                let pairwise = mann_kendall_with_threshold(&values, usize::MAX).expect("mk");
                let counted = mann_kendall_with_threshold(&values, 0).expect("mk");
                assert_eq!(pairwise, counted, "n = {n}, shape {shape}");
                cases += 1;
            }
        }
        eprintln!(
            "{cases} series: Theil–Sen identical in {identical} ({zero_medians} with a zero \
             median), worst relative difference {worst:e} ({max_ulps} ulps); S identical in all"
        );
    }

    #[test]
    fn counting_paths_match_the_references_and_hand_values() {
        let doc: Value = serde_json::from_str(REFERENCE).expect("reference JSON");
        for case in doc["trend"].as_array().expect("trend cases") {
            let name = case["name"].as_str().expect("name");
            let values = values_of(&case["values"]);
            match (
                theil_sen_with_threshold(&values, 0),
                case["theil_sen_slope"].as_f64(),
            ) {
                (Some(got), Some(want)) => assert_close(got, want, &format!("{name} theil-sen")),
                (None, None) => {}
                (got, want) => panic!("{name}: theil-sen {got:?} vs {want:?}"),
            }
            assert_eq!(
                mann_kendall_with_threshold(&values, 0),
                mann_kendall_with_threshold(&values, usize::MAX),
                "{name}"
            );
        }
        let slope = theil_sen_with_threshold(&[Some(0.0), Some(4.0), Some(5.0), Some(5.0)], 0)
            .expect("slope");
        assert!((slope - (1.0 + 5.0 / 3.0) / 2.0).abs() < 1e-12);
        let slope =
            theil_sen_with_threshold(&[Some(0.0), None, Some(2.0), Some(6.0)], 0).expect("slope");
        assert_eq!(slope, 2.0);
        // Exact lines and a constant: every slope tied, found exactly.
        let line: Vec<Option<f64>> = (0..50).map(|i| Some(3.0 * i as f64 - 7.0)).collect();
        assert_eq!(theil_sen_with_threshold(&line, 0), Some(3.0));
        let falling: Vec<Option<f64>> = (0..51).map(|i| Some(1e6 - 0.5 * i as f64)).collect();
        assert_eq!(theil_sen_with_threshold(&falling, 0), Some(-0.5));
        let flat = theil_sen_with_threshold(&[Some(0.1); 9], 0).expect("slope");
        assert_eq!(flat.to_bits(), 0.0f64.to_bits(), "+0, not −0");
        let mk = mann_kendall_with_threshold(&[Some(1.0), Some(2.0), Some(2.0), Some(3.0)], 0)
            .expect("mk");
        assert_eq!(mk.s, 5.0);
        // −0 ties +0 on both paths.
        let signed_zeros = [Some(0.0), Some(-0.0), Some(1.0), Some(-0.0), Some(0.0)];
        assert_eq!(
            mann_kendall_with_threshold(&signed_zeros, 0),
            mann_kendall_with_threshold(&signed_zeros, usize::MAX)
        );
        // Huge values (scaled internally) and degenerate inputs stay finite.
        let huge: Vec<Option<f64>> = (0..40).map(|i| Some(1e300 * (i % 7) as f64)).collect();
        let pairwise = theil_sen_with_threshold(&huge, usize::MAX).expect("slope");
        let counted = theil_sen_with_threshold(&huge, 0).expect("slope");
        assert!(counted.is_finite() && (pairwise - counted).abs() <= 1e-12 * pairwise.abs());
        for values in [
            vec![Some(1.0), Some(5.0)],
            vec![Some(f64::NAN), Some(f64::INFINITY), Some(1.0)],
            vec![Some(f64::MAX), Some(-f64::MAX), Some(f64::MAX)],
        ] {
            let slope = theil_sen_with_threshold(&values, 0);
            assert!(slope.is_none_or(|s| !s.is_nan()), "{values:?}: {slope:?}");
            if let Some(mk) = mann_kendall_with_threshold(&values, 0) {
                assert!(mk.z.is_finite() && mk.p_value.is_finite());
            }
        }
    }

    #[test]
    #[ignore = "timing: cargo test --release --lib trend -- --ignored --nocapture"]
    fn time_a_twenty_thousand_point_series() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let values: Vec<Option<f64>> = (0..20_000)
            .map(|i| {
                (rng.next() > 0.05).then(|| 1_000.0 + 0.25 * i as f64 + 50.0 * (rng.next() - 0.5))
            })
            .collect();
        let started = std::time::Instant::now();
        let slope = theil_sen_slope(&values).expect("slope");
        let theil_sen = started.elapsed();
        let started = std::time::Instant::now();
        let mk = mann_kendall(&values).expect("mk");
        let mann_kendall_time = started.elapsed();
        eprintln!(
            "20,000 periods ({} present): Theil–Sen {theil_sen:?} (slope {slope}), \
             Mann–Kendall {mann_kendall_time:?} (S {})",
            values.iter().flatten().count(),
            mk.s
        );
        assert!((slope - 0.25).abs() < 1e-2, "{slope}");
        assert!(mk.s > 0.0 && mk.p_value < 1e-6);
    }
}
