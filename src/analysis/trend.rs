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

/// Above this many present values the Mann–Kendall S switches from the exact
/// pairwise comparisons (n(n−1)/2 of them, O(n²)) to the O(n log n)
/// merge-sort count.
const PAIRWISE_MAX: usize = 256;

/// Up to this many present values the Theil–Sen slope enumerates every
/// pairwise slope (scipy's own computation, and the cheaper one up to about
/// 70 values); above it the median is bracketed (see
/// [`theil_sen_by_bracketing`]).
const THEIL_SEN_PAIRWISE_MAX: usize = 64;

/// The Theil–Sen slope: the median of all pairwise slopes (yj − yi)/(xj − xi),
/// i < j, with numpy's median (mean of the two middle slopes for an even count).
///
/// `None` with fewer than two present values. Up to 64 present values every
/// slope is computed and the middle one selected. Above that the middle slopes
/// are bracketed from a random sample of slopes and only the few slopes inside
/// the bracket are computed (see [`theil_sen_by_bracketing`]): O(n log n)
/// expected time and O(n) memory, with the same result as the pairwise
/// computation (bit for bit in practice, within 2 ulps in any case).
pub fn theil_sen_slope(values: &[Option<f64>]) -> Option<f64> {
    theil_sen_with_threshold(values, THEIL_SEN_PAIRWISE_MAX)
}

/// −1, 0 or 1 (0 for NaN too).
pub fn sign_of(value: f64) -> f64 {
    if value > 0.0 {
        1.0
    } else if value < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The sign of the Theil–Sen slope (−1, 0 or 1) without finding its value,
/// from `test`, the Mann–Kendall test of the same values: a pair's slope has
/// the sign of its rise (its x are increasing period indices), so the
/// test's counts of rising, falling and level pairs say where the middle
/// slopes fall. `None` when the two middle slopes of an even count lie
/// either side of zero (the sign of their mean needs their values), and for
/// values so large or small that a rise could round to an infinite or zero
/// slope.
pub fn theil_sen_sign(values: &[Option<f64>], test: &MannKendall) -> Option<f64> {
    let extreme = |y: f64| y.abs() > 1e300 || (y != 0.0 && y.abs() < 1e-290);
    if values.iter().flatten().any(|&y| extreme(y)) {
        return None;
    }
    let pairs = test.pairs;
    if pairs == 0 {
        return None;
    }
    // rising + falling = pairs − level, rising − falling = S (an integer).
    let falling =
        u64::try_from((i128::from(pairs - test.level_pairs) - test.s as i128) / 2).ok()?;
    // The sign of the slope of (0-based) rank k among the sorted slopes.
    let sign_at = |rank: u64| {
        if rank < falling {
            -1.0
        } else if rank < falling + test.level_pairs {
            0.0
        } else {
            1.0
        }
    };
    if pairs % 2 == 1 {
        return Some(sign_at(pairs / 2));
    }
    let (lower, upper) = (sign_at(pairs / 2 - 1), sign_at(pairs / 2));
    if lower < 0.0 && upper > 0.0 {
        return None;
    }
    Some(sign_of(lower + upper))
}

/// [`theil_sen_slope`] with the pairwise/bracketing switch as a parameter: the
/// pairwise path for at most `pairwise_max` present values, bracketing above.
fn theil_sen_with_threshold(values: &[Option<f64>], pairwise_max: usize) -> Option<f64> {
    let points = present_points(values);
    if points.len() < 2 {
        return None;
    }
    if points.len() <= pairwise_max {
        Some(theil_sen_pairwise(&points))
    } else {
        Some(theil_sen_by_bracketing(&points, BRACKET_TUNING))
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

/// The present points of a series ready for the counting paths: the values
/// scaled by a power of two when huge, and a bound on every slope.
struct ScaledSeries {
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// The values were multiplied by 2^−scale_exp (and so was every slope).
    scale_exp: i32,
    /// Every exact slope lies strictly inside (−bound, bound).
    bound: f64,
}

impl ScaledSeries {
    /// Scales huge values by a power of two (exact, and every slope scales by
    /// the same factor) so that s·x and y − s·x cannot overflow: scaled,
    /// |y| ≤ 2⁹⁰⁰, so |s| ≤ 2⁹⁰¹ and |s·x| < 2⁹⁶⁵; the factor back is ≤ 2¹²⁴.
    fn new(points: &[(f64, f64)]) -> Self {
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
        // x steps are ≥ 1, so |slope| ≤ max y − min y; rounded up one ulp
        // (the exact range can exceed fl(max − min) by half an ulp), which
        // also makes the bound strict.
        let bound = next_up(max_y - min_y);
        ScaledSeries {
            xs,
            ys,
            scale_exp,
            bound,
        }
    }

    /// A slope of the scaled values back at the original scale. `+ 0.0` turns
    /// a −0 into the +0 the pairwise path gives for a zero median.
    fn unscale(&self, slope: f64) -> f64 {
        slope * 2f64.powi(self.scale_exp) + 0.0
    }
}

/// The median of the pairwise slopes without materialising them (n ≥ 2, x
/// strictly increasing, every value finite), by bisection: the reference
/// counting path, and the fallback of [`theil_sen_by_bracketing`].
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
    let series = ScaledSeries::new(points);
    let n = series.xs.len();
    let mut counter = SlopeCounter::new(&series.xs, &series.ys);
    let mut count_at_most = |s: f64| counter.count_at_most(s);
    let pairs = (n as u64) * (n as u64 - 1) / 2;
    let upper_rank = pairs / 2 + 1;
    let lo_key = order_key(-series.bound);
    let hi_key = order_key(series.bound);
    let upper = smallest_with_rank(lo_key, hi_key, upper_rank, &mut count_at_most);
    let median = if pairs % 2 == 1 {
        upper
    } else {
        let lower_rank = upper_rank - 1;
        let lower = smallest_with_rank(lo_key, order_key(upper), lower_rank, &mut count_at_most);
        (lower + upper) / 2.0
    };
    // The unscaling's `+ 0.0` also turns a −0 (the bisection's smallest key
    // for a zero slope) into +0.
    series.unscale(median)
}

/// Knobs of [`theil_sen_by_bracketing`]: they change its running time, never
/// its result.
#[derive(Debug, Clone, Copy)]
struct BracketTuning {
    /// Half-width of a bracket around the target ranks, in standard errors of
    /// the sample quantile.
    sigmas: f64,
    /// Largest sample of slopes drawn per stage, per present value.
    sample_per_point: usize,
    /// Most slopes enumerated at the end, per present value (the M of the
    /// O(n + M) memory).
    enumerate_per_point: usize,
}

/// The tuning of [`theil_sen_slope`] (chosen with the timing test; anything
/// near it does about as well).
const BRACKET_TUNING: BracketTuning = BracketTuning {
    sigmas: 2.0,
    sample_per_point: 8,
    enumerate_per_point: 16,
};

/// Smallest sample of slopes drawn in a stage of [`theil_sen_by_bracketing`].
const MIN_SAMPLE: usize = 64;
/// Stages of [`theil_sen_by_bracketing`] before it gives up (to bisection);
/// two or three are the rule.
const MAX_STAGES: usize = 24;

/// The median of the pairwise slopes by randomised bracketing (n ≥ 2, x
/// strictly increasing, every value finite): the same order statistics as
/// [`theil_sen_pairwise`], in O(n log n) expected time and O(n + M) memory.
///
/// Slopes are classified exactly as in [`theil_sen_by_counting`]: a pair i < j
/// has slope ≤ s when zj ≤ zi with z = y − s·x (double-double), so a merge
/// sort of z counts the slopes ≤ s (or < s) in O(n log n). Two fences lo < hi
/// are kept with count(< lo) < k and count(≤ hi) ≥ k for each middle rank k;
/// a rank k ≤ count(≤ lo) is then exactly lo, a rank k > count(< hi) exactly
/// hi (tied slopes), and any other lies strictly inside (lo, hi). The pairs
/// with a slope strictly inside are those ordered differently by
/// (y − lo·x, index descending) and (y − hi·x, index ascending), so sorting the
/// first order by the second key visits each of them as an inversion, without
/// touching the others: by merge sort in O(n log n), or by insertion sort in
/// O(n + their number) when they are few. Counting from the lower fence's
/// order works the same way for a candidate above it.
///
/// Each stage draws a random sample of the slopes inside (uniform pairs at
/// first, then a random stride through the inversions), places candidate
/// fences at sample quantiles a few standard errors either side of the target
/// ranks and counts them; a candidate becomes a fence on the side its counts
/// put it (so a miss still narrows the bracket). The visit that counts the
/// upper candidate also samples the slopes inside for the next stage, or keeps
/// them all when at most M = 16n: they are then computed as
/// (yj − yi)/(xj − xi), the pairwise expression, and the middle ones selected.
/// Two stages are the rule for n ≈ 1,000. A computed slope differs from its
/// exact value by at most 2 ulps, so when the selected slopes are further than
/// that from the fences the result is bit for bit the pairwise one; otherwise
/// the fences are widened once and the enumeration redone. Whatever happens
/// (an unlucky sample only costs another stage) the result is exact; the
/// bisection takes over if the stages run out.
fn theil_sen_by_bracketing(points: &[(f64, f64)], tuning: BracketTuning) -> f64 {
    let n = points.len();
    let pairs = n as u64 * (n as u64 - 1) / 2;
    let enumerate_max = (tuning.enumerate_per_point.max(1) as u64).saturating_mul(n as u64);
    if pairs <= enumerate_max {
        return theil_sen_pairwise(points);
    }
    if u32::try_from(n).is_err() {
        return theil_sen_by_counting(points);
    }
    let series = ScaledSeries::new(points);
    match bracketed_median(&series, tuning, enumerate_max) {
        Some(median) => series.unscale(median),
        None => theil_sen_by_counting(points),
    }
}

/// The 1-based ranks of the middle slopes among all `pairs`: equal for an odd
/// count, consecutive for an even one.
#[derive(Debug, Clone, Copy)]
struct MiddleRanks {
    lower: u64,
    upper: u64,
}

impl MiddleRanks {
    fn of(pairs: u64) -> Self {
        let upper = pairs / 2 + 1;
        let lower = if pairs.is_multiple_of(2) {
            upper - 1
        } else {
            upper
        };
        MiddleRanks { lower, upper }
    }

    /// numpy's median from the slopes at the two ranks.
    fn median(self, lower: f64, upper: f64) -> f64 {
        if self.lower == self.upper {
            upper
        } else {
            (lower + upper) / 2.0
        }
    }
}

/// The fences of [`theil_sen_by_bracketing`], for each middle rank k:
/// count(slope < lo) < k ≤ count(slope ≤ hi).
struct Fences {
    lo: f64,
    /// count(slope ≤ lo).
    at_most_lo: u64,
    /// The present indices sorted by (y − lo·x, index descending).
    lo_order: Vec<u32>,
    hi: f64,
    /// count(slope < hi).
    below_hi: u64,
}

/// Where the slope of a given rank lies relative to the fences.
enum Place {
    /// Tied at the lower fence.
    AtLo,
    /// Tied at the upper fence.
    AtHi,
    /// The i-th smallest (0-based) of the slopes strictly inside.
    Inside(usize),
}

impl Fences {
    fn place(&self, rank: u64) -> Place {
        if rank <= self.at_most_lo {
            Place::AtLo
        } else if rank > self.below_hi {
            Place::AtHi
        } else {
            Place::Inside((rank - self.at_most_lo - 1) as usize)
        }
    }

    fn is_inside(&self, rank: u64) -> bool {
        matches!(self.place(rank), Place::Inside(_))
    }
}

/// What a count at a candidate fence t says about it.
enum Verdict {
    /// A valid lower fence (count(< t) below every middle rank), with count(≤ t).
    Lower(u64),
    /// A valid upper fence (count(≤ t) up to every middle rank), with count(< t).
    Upper(u64),
    /// Every middle slope is exactly t.
    Exact,
    /// t falls strictly between the two middle slopes: no fence.
    Neither,
}

/// A present index with its z = y − s·x (double-double) for some s.
#[derive(Debug, Clone, Copy)]
struct Keyed {
    z: (f64, f64),
    index: u32,
}

/// Counting of the slopes below a candidate and visits of the slopes between
/// two fences, by merge or insertion sorts of z = y − s·x, with reusable
/// buffers.
struct SlopeCounter<'a> {
    xs: &'a [f64],
    ys: &'a [f64],
    entries: Vec<Keyed>,
    buffer: Vec<Keyed>,
    /// The indices in the order of the last [`SlopeCounter::count_at_most`]:
    /// by (y − s·x, index descending).
    order: Vec<u32>,
}

impl<'a> SlopeCounter<'a> {
    fn new(xs: &'a [f64], ys: &'a [f64]) -> Self {
        let blank = Keyed {
            z: (0.0, 0.0),
            index: 0,
        };
        SlopeCounter {
            xs,
            ys,
            entries: vec![blank; xs.len()],
            buffer: vec![blank; xs.len()],
            order: vec![0; xs.len()],
        }
    }

    /// The entries in index order with z = y − s·x.
    fn fill(&mut self, s: f64) {
        for (index, ((slot, &x), &y)) in self
            .entries
            .iter_mut()
            .zip(self.xs)
            .zip(self.ys)
            .enumerate()
        {
            *slot = Keyed {
                z: y_minus_sx(y, s, x),
                index: index as u32,
            };
        }
    }

    /// The number of slopes ≤ s; records the order by (z, index descending).
    fn count_at_most(&mut self, s: f64) -> u64 {
        self.fill(s);
        // Pairs i < j with zj ≤ zi: take the left element first only when
        // strictly smaller, so equal values count as inversions (and end up
        // in descending index order).
        let count = count_inversions(&mut self.entries, &mut self.buffer, |a, b| {
            dd_less(a.z, b.z)
        });
        for (slot, entry) in self.order.iter_mut().zip(&self.entries) {
            *slot = entry.index;
        }
        count
    }

    /// The number of slopes < s.
    fn count_below(&mut self, s: f64) -> u64 {
        self.fill(s);
        count_inversions(&mut self.entries, &mut self.buffer, |a, b| {
            !dd_less(b.z, a.z)
        })
    }

    /// The entries in the order of `order` with z = y − s·x.
    fn fill_in_order(&mut self, order: &[u32], s: f64) {
        let (xs, ys) = (self.xs, self.ys);
        for (slot, &index) in self.entries.iter_mut().zip(order) {
            let i = index as usize;
            *slot = Keyed {
                z: y_minus_sx(ys[i], s, xs[i]),
                index,
            };
        }
    }

    /// The number of slopes ≤ t for t above a lower fence lo, from the order
    /// of lo and count(≤ lo): the pairs inverted between the orders by
    /// (y − lo·x, index descending) and by (y − t·x, index descending) are
    /// those with a slope in (lo, t]. By insertion sort when few are expected,
    /// else by merge sort from scratch. Records the order like
    /// [`SlopeCounter::count_at_most`].
    fn count_at_most_from(
        &mut self,
        lo_order: &[u32],
        at_most_lo: u64,
        t: f64,
        expected: u64,
    ) -> u64 {
        if let Some(limit) = insertion_limit(expected, self.xs.len()) {
            self.fill_in_order(lo_order, t);
            let take_left =
                |a: &Keyed, b: &Keyed| dd_less(a.z, b.z) | ((a.z == b.z) & (a.index > b.index));
            if let Some(count) = insertion_visiting(&mut self.entries, take_left, |_, _| {}, limit)
            {
                for (slot, entry) in self.order.iter_mut().zip(&self.entries) {
                    *slot = entry.index;
                }
                return at_most_lo + count;
            }
        }
        self.count_at_most(t)
    }

    /// Sorts the indices of `lo_order` (by (y − lo·x, index descending)) by
    /// (y − hi·x, index ascending), calling `visit(run, right)` for every run
    /// of elements that `right` overtakes: each (element of run, right) is a
    /// pair whose slope lies strictly inside (lo, hi). Returns their number.
    /// `Insertion` gives up (`None`, after visiting some pairs) beyond its
    /// limit.
    fn visit_inside(
        &mut self,
        lo_order: &[u32],
        hi: f64,
        method: SortMethod,
        visit: impl FnMut(&[Keyed], &Keyed),
    ) -> Option<u64> {
        self.fill_in_order(lo_order, hi);
        let take_left =
            |a: &Keyed, b: &Keyed| dd_less(a.z, b.z) | ((a.z == b.z) & (a.index < b.index));
        match method {
            SortMethod::Insertion(limit) => {
                insertion_visiting(&mut self.entries, take_left, visit, limit)
            }
            SortMethod::Merge => Some(merge_sort_visiting(
                &mut self.entries,
                &mut self.buffer,
                take_left,
                visit,
            )),
        }
    }
}

/// How [`SlopeCounter::visit_inside`] sorts: by insertion, O(n + inversions)
/// and giving up beyond a limit of inversions, or by merge, O(n log n).
#[derive(Debug, Clone, Copy)]
enum SortMethod {
    Insertion(u64),
    Merge,
}

impl SortMethod {
    /// Insertion when about `expected` inversions are not many more than
    /// n log₂ n, merge otherwise.
    fn for_expected(expected: u64, n: usize) -> Self {
        match insertion_limit(expected, n) {
            Some(limit) => SortMethod::Insertion(limit),
            None => SortMethod::Merge,
        }
    }
}

/// An insertion sort pays off up to about this many times n log₂ n
/// inversions: each is one cheap, predictable step, where a merge sort takes
/// log₂ n unpredictable ones per value.
const INSERTION_FACTOR: u64 = 4;

/// The inversion limit of an insertion sort expecting `expected` of them
/// among n values, `None` when a merge sort is the cheaper bet.
fn insertion_limit(expected: u64, n: usize) -> Option<u64> {
    let n = n as u64;
    let n_log_n = n * u64::from(64 - n.leading_zeros());
    (expected <= INSERTION_FACTOR * n_log_n).then_some(2 * INSERTION_FACTOR * n_log_n)
}

/// What the counts of the slopes < t and ≤ t say about a candidate fence t.
fn verdict(below: u64, at_most: u64, ranks: MiddleRanks) -> Verdict {
    if at_most < ranks.lower {
        return Verdict::Lower(at_most);
    }
    if below >= ranks.upper {
        return Verdict::Upper(below);
    }
    // Slopes equal to t reach a middle rank.
    match (below < ranks.lower, at_most >= ranks.upper) {
        (true, true) => Verdict::Exact,
        (true, false) => Verdict::Lower(at_most),
        (false, true) => Verdict::Upper(below),
        (false, false) => Verdict::Neither,
    }
}

/// The slope of the pair of present indices a ≠ b, exactly as
/// [`theil_sen_pairwise`] computes it.
fn pair_slope(xs: &[f64], ys: &[f64], a: u32, b: u32) -> f64 {
    let (i, j) = if a < b { (a, b) } else { (b, a) };
    let (i, j) = (i as usize, j as usize);
    (ys[j] - ys[i]) / (xs[j] - xs[i])
}

/// [`pair_slope`] as an [`order_key`]: samples and enumerated slopes are
/// kept as keys, whose integer order (that of `f64::total_cmp`) selects
/// faster.
fn pair_slope_key(xs: &[f64], ys: &[f64], a: u32, b: u32) -> u64 {
    order_key(pair_slope(xs, ys, a, b))
}

/// A margin beyond which a computed slope cannot come from an exact slope on
/// the other side of t: the pairwise code's two roundings move a slope by at
/// most (2u + u²)·|slope| plus an underflow, less than |t|·2⁻⁵¹ + 2⁻¹⁰²².
fn rounding_margin(t: f64) -> f64 {
    t.abs() * 2f64.powi(-51) + f64::MIN_POSITIVE
}

/// splitmix64: a small deterministic generator for the samples.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..bound (bound ≥ 1), by multiply-shift.
    fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(bound)) >> 64) as u64
    }
}

/// The sample size for a stage with `inside` slopes between the fences: large
/// enough that the next bracket should hold about M/2 of them, within
/// [MIN_SAMPLE, sample_per_point·n] and at most `inside`.
fn stage_sample_size(inside: u64, enumerate_max: u64, n: usize, tuning: BracketTuning) -> usize {
    let wanted = (2.0 * tuning.sigmas * inside as f64 / enumerate_max as f64)
        .powi(2)
        .ceil();
    let most = tuning.sample_per_point.saturating_mul(n).max(MIN_SAMPLE);
    let size = if wanted < most as f64 {
        (wanted as usize).max(MIN_SAMPLE)
    } else {
        most
    };
    size.min(usize::try_from(inside).unwrap_or(usize::MAX))
}

/// New fence candidates from a sample of the slopes inside the fences.
struct Candidates {
    /// The sample quantile `sigmas` standard errors below the lowest middle
    /// rank still inside (`None` below the sample's start).
    lower: Option<f64>,
    /// The one above the highest (`None` beyond the sample's end).
    upper: Option<f64>,
    /// The expected fractions of the slopes inside that lie below `lower`,
    /// below `upper`, and between them.
    below_lower: f64,
    below_upper: f64,
    between: f64,
}

fn fence_candidates(
    sample: &mut [u64],
    fences: &Fences,
    ranks: MiddleRanks,
    sigmas: f64,
) -> Candidates {
    let size = sample.len();
    let inside = fences.below_hi - fences.at_most_lo;
    let mut candidates = Candidates {
        lower: None,
        upper: None,
        below_lower: 0.0,
        below_upper: 1.0,
        between: 1.0,
    };
    if size == 0 || inside == 0 {
        return candidates;
    }
    // 1-based positions among the slopes inside of the ranks still inside.
    let first = ranks.lower.max(fences.at_most_lo + 1) - fences.at_most_lo;
    let last = ranks.upper.min(fences.below_hi) - fences.at_most_lo;
    let (inside, count) = (inside as f64, size as f64);
    let spread = |q: f64| sigmas * (count * q * (1.0 - q)).sqrt() + 1.0;
    let q_first = (first as f64 - 0.5) / inside;
    let q_last = (last as f64 - 0.5) / inside;
    let lo_position = (q_first * count - spread(q_first)).floor();
    let hi_position = (q_last * count + spread(q_last)).ceil();
    let mut limit = size;
    if hi_position < count {
        let h = hi_position.max(0.0) as usize;
        candidates.upper = Some(from_order_key(*sample.select_nth_unstable(h).1));
        candidates.below_upper = (h + 1) as f64 / count;
        limit = h;
    }
    if lo_position >= 0.0 && (lo_position as usize) < limit {
        let l = lo_position as usize;
        candidates.lower = Some(from_order_key(*sample[..limit].select_nth_unstable(l).1));
        candidates.below_lower = (l + 1) as f64 / count;
    }
    candidates.between = (candidates.below_upper - candidates.below_lower).clamp(0.0, 1.0);
    candidates
}

/// What a visit of the slopes inside two fences gathered.
struct Gathered {
    /// How many slopes lie inside.
    count: u64,
    /// Every one of them (pairwise expression, as order keys) when `count`
    /// was at most the cap, else `None`.
    slopes: Option<Vec<u64>>,
    /// A random stride through them (as order keys).
    sample: Vec<u64>,
}

/// Visits the slopes inside (lo, hi) (lo given by its order), about
/// `expected` of them, keeping all of them up to `cap` and a random sample of
/// about `sample_target`.
fn gather_inside(
    counter: &mut SlopeCounter,
    lo_order: &[u32],
    hi: f64,
    cap: usize,
    expected: u64,
    sample_target: usize,
    rng: &mut SplitMix64,
) -> Gathered {
    let (xs, ys) = (counter.xs, counter.ys);
    // (Boosted after stalls, but O(n) still.)
    let sample_target = sample_target.min(64 * xs.len() + MIN_SAMPLE);
    // Keeping every slope is hopeless when far more than `cap` are expected.
    let cap = if expected / 2 > cap as u64 { 0 } else { cap };
    let stride = (expected / sample_target.max(1) as u64).max(1);
    let sample_cap = 4 * sample_target + MIN_SAMPLE;
    let first = SortMethod::for_expected(expected, xs.len());
    for method in [first, SortMethod::Merge] {
        let mut slopes = Vec::new();
        let mut complete = true;
        let mut sample = Vec::new();
        let (mut seen, mut next) = (0u64, rng.below(stride));
        let visited = counter.visit_inside(lo_order, hi, method, |run, right| {
            if complete {
                if slopes.len() + run.len() <= cap {
                    slopes.extend(
                        run.iter()
                            .map(|left| pair_slope_key(xs, ys, left.index, right.index)),
                    );
                } else {
                    complete = false;
                    slopes = Vec::new();
                }
            }
            let end = seen + run.len() as u64;
            while next < end {
                if sample.len() < sample_cap {
                    let left = run[(next - seen) as usize];
                    sample.push(pair_slope_key(xs, ys, left.index, right.index));
                }
                next += 1 + rng.below(2 * stride - 1);
            }
            seen = end;
        });
        if let Some(count) = visited {
            return Gathered {
                count,
                slopes: complete.then_some(slopes),
                sample,
            };
        }
    }
    unreachable!("a merge-sort visit always completes")
}

/// The median slope of the scaled series by bracketing, `None` when the
/// stages run out or the counts disagree (never in practice).
fn bracketed_median(
    series: &ScaledSeries,
    tuning: BracketTuning,
    enumerate_max: u64,
) -> Option<f64> {
    let (xs, ys) = (&series.xs[..], &series.ys[..]);
    let n = xs.len();
    let pairs = n as u64 * (n as u64 - 1) / 2;
    let ranks = MiddleRanks::of(pairs);
    let cap = usize::try_from(enumerate_max).ok()?;
    let widen_max = 4 * enumerate_max;
    let mut counter = SlopeCounter::new(xs, ys);
    let mut rng = SplitMix64(0x7e57_ab1e_5eed_0001 ^ n as u64);
    // Every slope lies strictly inside (−bound, bound), and x order is the
    // order by (y + bound·x, index descending).
    let mut fences = Fences {
        lo: -series.bound,
        at_most_lo: 0,
        lo_order: (0..n as u32).collect(),
        hi: series.bound,
        below_hi: pairs,
    };
    // The first sample: uniformly drawn pairs.
    let size = stage_sample_size(pairs, enumerate_max, n, tuning);
    let mut sample: Vec<u64> = (0..size)
        .map(|_| {
            let a = rng.below(n as u64);
            let mut b = rng.below(n as u64 - 1);
            if b >= a {
                b += 1;
            }
            pair_slope_key(xs, ys, a as u32, b as u32)
        })
        .collect();
    let mut boost = 1;
    let mut stalls = 0;
    for _ in 0..MAX_STAGES {
        let inside = fences.below_hi.checked_sub(fences.at_most_lo)?;
        let candidates = fence_candidates(&mut sample, &fences, ranks, tuning.sigmas);
        let mut moved = false;
        let mut lo_moved = false;
        // The slopes inside the current fences, when a visit gathered them.
        let mut gathered: Option<Gathered> = None;
        for (candidate, is_upper) in [(candidates.lower, false), (candidates.upper, true)] {
            let Some(mut t) = candidate else {
                continue;
            };
            // A computed slope can round onto (or past) a fence although its
            // exact slope is inside: the nearest f64 inside still splits off
            // such ties.
            if t <= fences.lo {
                t = next_up(fences.lo);
            } else if t >= fences.hi {
                t = next_down(fences.hi);
            }
            // (The upper candidate ends up outside once the lower one became
            // the upper fence.)
            if !(t > fences.lo && t < fences.hi) {
                continue;
            }
            let verdict = if is_upper {
                // Most likely an upper fence: the visit of the slopes inside
                // (lo, t) counts them and, at once, enumerates or samples them.
                let fraction = if lo_moved {
                    candidates.between
                } else {
                    candidates.below_upper
                };
                let expected = (inside as f64 * fraction) as u64;
                let target = stage_sample_size(expected, enumerate_max, n, tuning);
                let visit = gather_inside(
                    &mut counter,
                    &fences.lo_order,
                    t,
                    cap,
                    expected,
                    target.saturating_mul(boost),
                    &mut rng,
                );
                let below = fences.at_most_lo + visit.count;
                let at_most = if below >= ranks.upper {
                    below
                } else {
                    counter.count_at_most(t)
                };
                let verdict = verdict(below, at_most, ranks);
                if matches!(verdict, Verdict::Upper(_)) {
                    gathered = Some(visit);
                }
                verdict
            } else {
                // Most likely a lower fence: count from the current one.
                let expected = (inside as f64 * candidates.below_lower) as u64;
                let at_most =
                    counter.count_at_most_from(&fences.lo_order, fences.at_most_lo, t, expected);
                // (count_below leaves `order`, t's, alone.)
                let below = if at_most < ranks.lower {
                    at_most
                } else {
                    counter.count_below(t)
                };
                verdict(below, at_most, ranks)
            };
            match verdict {
                Verdict::Exact => return Some(t),
                Verdict::Lower(at_most) => {
                    fences.lo = t;
                    fences.at_most_lo = at_most;
                    std::mem::swap(&mut fences.lo_order, &mut counter.order);
                    moved = true;
                    lo_moved = true;
                }
                Verdict::Upper(below) => {
                    fences.hi = t;
                    fences.below_hi = below;
                    moved = true;
                }
                Verdict::Neither => {}
            }
        }
        let inside = fences.below_hi.checked_sub(fences.at_most_lo)?;
        if !fences.is_inside(ranks.lower) && !fences.is_inside(ranks.upper) {
            let value = |rank| match fences.place(rank) {
                Place::AtLo => fences.lo,
                _ => fences.hi,
            };
            return Some(ranks.median(value(ranks.lower), value(ranks.upper)));
        }
        // Adjacent fences: no f64 left to split the slopes inside (a tie at
        // an exact slope between two f64s, say 1/3). Or no fence placed (the
        // sample too small for the spread): enumerate if that is not too
        // costly, else sample more.
        let adjacent = next_up(fences.lo) >= fences.hi;
        if adjacent || (!moved && inside <= widen_max) {
            return middle_by_enumeration(&mut counter, &mut fences, ranks, widen_max, None);
        }
        if !moved {
            stalls += 1;
            if stalls > 3 {
                return None;
            }
            boost *= 4;
        }
        let visit = match gathered {
            Some(visit) => visit,
            None => {
                let target = stage_sample_size(inside, enumerate_max, n, tuning);
                gather_inside(
                    &mut counter,
                    &fences.lo_order,
                    fences.hi,
                    cap,
                    inside,
                    target.saturating_mul(boost),
                    &mut rng,
                )
            }
        };
        if visit.count != inside {
            return None;
        }
        if let Some(slopes) = visit.slopes {
            return middle_by_enumeration(
                &mut counter,
                &mut fences,
                ranks,
                widen_max,
                Some(slopes),
            );
        }
        sample = visit.sample;
    }
    None
}

/// The median once few slopes lie strictly inside the fences (`slopes`: all
/// of them when already computed).
///
/// Up to `widen_max` of them: computes them with the pairwise expression and
/// selects the middle ranks. When a selected slope is within rounding of a
/// fence, the fences are widened (once, if then at most `widen_max` slopes are
/// inside) so that the result is the pairwise one bit for bit.
///
/// More than that (only between adjacent fences): their computed slopes take
/// a handful of values within 2 ulps of the fences, so they are tallied by
/// value instead of stored.
fn middle_by_enumeration(
    counter: &mut SlopeCounter,
    fences: &mut Fences,
    ranks: MiddleRanks,
    widen_max: u64,
    mut slopes: Option<Vec<u64>>,
) -> Option<f64> {
    let mut widened = false;
    loop {
        let inside = fences.below_hi.checked_sub(fences.at_most_lo)?;
        let mut slopes = match slopes.take() {
            Some(slopes) => slopes,
            None if inside > widen_max => return middle_by_tally(counter, fences, ranks),
            None => enumerate_inside(counter, fences, inside)?,
        };
        if slopes.len() as u64 != inside {
            return None;
        }
        let (mut near_lo, mut near_hi) = (false, false);
        let lo_limit = fences.lo + rounding_margin(fences.lo);
        let hi_limit = fences.hi - rounding_margin(fences.hi);
        let mut check = |key: u64| {
            let slope = from_order_key(key);
            near_lo |= slope <= lo_limit;
            near_hi |= slope >= hi_limit;
            slope
        };
        let upper = match fences.place(ranks.upper) {
            Place::AtLo => fences.lo,
            Place::AtHi => fences.hi,
            Place::Inside(i) => check(*slopes.select_nth_unstable(i).1),
        };
        let lower = if ranks.lower == ranks.upper {
            upper
        } else {
            match fences.place(ranks.lower) {
                Place::AtLo => fences.lo,
                Place::AtHi => fences.hi,
                // Both inside: the largest slope below the upper one, which
                // the selection left in front of it.
                Place::Inside(i) if fences.is_inside(ranks.upper) => {
                    check(slopes[..=i].iter().copied().max().unwrap_or(0))
                }
                Place::Inside(i) => check(*slopes.select_nth_unstable(i).1),
            }
        };
        if widened
            || !(near_lo || near_hi)
            || !widen(counter, fences, ranks, near_lo, near_hi)
            || fences.below_hi.checked_sub(fences.at_most_lo)? > widen_max
        {
            return Some(ranks.median(lower, upper));
        }
        widened = true;
    }
}

/// The `inside` slopes strictly inside the fences, computed with the
/// pairwise expression (`None` if the visit disagrees with the count).
fn enumerate_inside(counter: &mut SlopeCounter, fences: &Fences, inside: u64) -> Option<Vec<u64>> {
    let (xs, ys) = (counter.xs, counter.ys);
    let capacity = usize::try_from(inside).ok()?;
    let mut slopes: Vec<u64> = Vec::with_capacity(capacity);
    let first = SortMethod::for_expected(inside, xs.len());
    for method in [first, SortMethod::Merge] {
        slopes.clear();
        let visited = counter.visit_inside(&fences.lo_order, fences.hi, method, |run, right| {
            if slopes.len() + run.len() <= capacity {
                slopes.extend(
                    run.iter()
                        .map(|left| pair_slope_key(xs, ys, left.index, right.index)),
                );
            }
        });
        if let Some(count) = visited {
            return (count == inside).then_some(slopes);
        }
    }
    None
}

/// Most distinct computed slopes [`middle_by_tally`] expects between adjacent
/// fences (within 2 ulps of either: at most 6).
const MAX_TALLY: usize = 16;

/// The middle slopes among many slopes inside adjacent fences, tallied by
/// computed value (`None` if more than [`MAX_TALLY`] distinct values show up).
fn middle_by_tally(counter: &mut SlopeCounter, fences: &Fences, ranks: MiddleRanks) -> Option<f64> {
    let (xs, ys) = (counter.xs, counter.ys);
    let mut tally: Vec<(f64, u64)> = Vec::with_capacity(MAX_TALLY);
    let mut overflow = false;
    let inside = counter.visit_inside(
        &fences.lo_order,
        fences.hi,
        SortMethod::Merge,
        |run, right| {
            for left in run {
                let slope = pair_slope(xs, ys, left.index, right.index);
                let known = tally
                    .iter()
                    .position(|entry| entry.0.to_bits() == slope.to_bits());
                match known {
                    Some(k) => tally[k].1 += 1,
                    None if tally.len() < MAX_TALLY => tally.push((slope, 1)),
                    None => overflow = true,
                }
            }
        },
    )?;
    if overflow || inside != fences.below_hi.checked_sub(fences.at_most_lo)? {
        return None;
    }
    tally.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let value = |rank: u64| match fences.place(rank) {
        Place::AtLo => Some(fences.lo),
        Place::AtHi => Some(fences.hi),
        Place::Inside(i) => {
            let mut seen = 0;
            tally.iter().find_map(|&(slope, count)| {
                seen += count;
                ((i as u64) < seen).then_some(slope)
            })
        }
    };
    Some(ranks.median(value(ranks.lower)?, value(ranks.upper)?))
}

/// Moves the lower and/or the upper fence out by twice the rounding margin;
/// false (fences then unusable) when a count contradicts the invariant.
fn widen(
    counter: &mut SlopeCounter,
    fences: &mut Fences,
    ranks: MiddleRanks,
    lower_side: bool,
    upper_side: bool,
) -> bool {
    if lower_side {
        let lo = fences.lo - 2.0 * rounding_margin(fences.lo);
        let at_most = counter.count_at_most(lo);
        if lo >= fences.lo || at_most >= ranks.lower || at_most > fences.at_most_lo {
            return false;
        }
        fences.lo = lo;
        fences.at_most_lo = at_most;
        std::mem::swap(&mut fences.lo_order, &mut counter.order);
    }
    if upper_side {
        let hi = fences.hi + 2.0 * rounding_margin(fences.hi);
        let below = counter.count_below(hi);
        if hi <= fences.hi || below < ranks.upper || below < fences.below_hi {
            return false;
        }
        fences.hi = hi;
        fences.below_hi = below;
    }
    true
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
    // All ones for a negative value, the sign bit alone otherwise.
    let flip = ((bits as i64 >> 63) as u64) | 1 << 63;
    bits ^ flip
}

/// The inverse of [`order_key`].
fn from_order_key(key: u64) -> f64 {
    // The sign bit alone for a key of a positive value, all ones otherwise.
    let flip = !((key as i64 >> 63) as u64) | 1 << 63;
    f64::from_bits(key ^ flip)
}

/// The next f64 above a finite value.
fn next_up(value: f64) -> f64 {
    from_order_key(order_key(value).saturating_add(1))
}

/// The next f64 below a finite value.
fn next_down(value: f64) -> f64 {
    from_order_key(order_key(value).saturating_sub(1))
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
    // Non-short-circuit, so that it compiles without branches.
    (a.0 < b.0) | ((a.0 == b.0) & (a.1 < b.1))
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
    // Short runs by insertion (cheaper than the first merge passes).
    for run in values.chunks_mut(SHORT_RUN) {
        inversions += insertion_visiting(run, &take_left, |_, _| {}, u64::MAX).unwrap_or(0);
    }
    let mut width = SHORT_RUN;
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
            // Branch-free: the outcome of a comparison is unpredictable.
            while left < middle && right < end {
                let take = take_left(&source[left], &source[right]);
                target[out] = source[if take { left } else { right }];
                inversions += if take { 0 } else { (middle - left) as u64 };
                left += usize::from(take);
                right += usize::from(!take);
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

/// The runs the merge sorts start from, sorted by insertion.
const SHORT_RUN: usize = 16;

/// Sorts `values` by insertion, calling `visit(run, right)` when an element
/// `right` moves ahead of the `run` of elements before it that `take_left`
/// does not keep in front: the pairs counted by [`count_inversions`], in
/// O(n + their number). Gives up (`None`, values partly sorted) once more
/// than `limit` are found.
fn insertion_visiting<T: Copy>(
    values: &mut [T],
    take_left: impl Fn(&T, &T) -> bool,
    mut visit: impl FnMut(&[T], &T),
    limit: u64,
) -> Option<u64> {
    let mut inversions = 0u64;
    for end in 1..values.len() {
        let item = values[end];
        let mut start = end;
        // Shift the run right by one as it is found.
        while start > 0 && !take_left(&values[start - 1], &item) {
            values[start] = values[start - 1];
            start -= 1;
        }
        if start < end {
            visit(&values[start + 1..=end], &item);
            values[start] = item;
            inversions += (end - start) as u64;
            if inversions > limit {
                return None;
            }
        }
    }
    Some(inversions)
}

/// [`count_inversions`] (with a branch per step), also calling
/// `visit(run, right)` each time an
/// element `right` is placed ahead of the `run` of left elements still
/// waiting: every (element of run, right) is one of the counted pairs, each
/// visited once.
fn merge_sort_visiting<T: Copy>(
    values: &mut [T],
    buffer: &mut [T],
    take_left: impl Fn(&T, &T) -> bool,
    mut visit: impl FnMut(&[T], &T),
) -> u64 {
    let n = values.len();
    let mut inversions = 0u64;
    // Short runs by insertion (cheaper than the first merge passes).
    for run in values.chunks_mut(SHORT_RUN) {
        inversions += insertion_visiting(run, &take_left, &mut visit, u64::MAX).unwrap_or(0);
    }
    let mut width = SHORT_RUN;
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
                    visit(&source[left..middle], &source[right]);
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
    /// The pairs compared, n(n−1)/2, and those of them tied (level).
    #[serde(skip)]
    pub pairs: u64,
    #[serde(skip)]
    pub level_pairs: u64,
}

/// The Mann–Kendall test over the present values in period order.
///
/// `None` with fewer than two present values. With two values, or when every
/// value is tied, z is 0 and the p-value 1 (as pymannkendall gives); nothing is
/// ever NaN.
///
/// S is computed pair by pair up to 256 present values; above that by
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
    let mut level_pairs = 0;
    for t in tie_group_sizes(&sorted) {
        level_pairs += t as u64 * (t as u64 - 1) / 2;
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
        pairs: n as u64 * (n as u64 - 1) / 2,
        level_pairs,
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
    use crate::analysis::test_support::*;
    use serde_json::Value;

    /// The sign from the counts is the sign of the exact slope, on series
    /// short and long, with ties, gaps and trends either way.
    #[test]
    fn the_sign_from_the_counts_is_the_sign_of_the_theil_sen_slope() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut undetermined = 0;
        for case in 0..600 {
            let n = if case % 50 == 0 {
                2_000 + case
            } else {
                2 + case % 97
            };
            let drift = [0.0, 0.02, -0.02, 0.3][case % 4];
            // Rounded to a few levels so that many pairs tie.
            let levels = [1.0, 4.0, 1000.0][case % 3];
            let values: Vec<Option<f64>> = (0..n)
                .map(|index| {
                    let value = ((drift * index as f64 + next() * 3.0) * levels).round() / levels;
                    (next() > 0.1).then_some(value)
                })
                .collect();
            let exact = theil_sen_slope(&values);
            let sign = mann_kendall(&values).and_then(|test| theil_sen_sign(&values, &test));
            match (sign, exact) {
                (Some(sign), Some(slope)) => {
                    assert_eq!(sign, sign_of(slope), "case {case}: n {n}, slope {slope}")
                }
                (None, Some(_)) => undetermined += 1,
                (sign, None) => assert_eq!(sign, None, "case {case}"),
            }
        }
        // Undetermined only when an even count's middle pair straddles zero.
        assert!(undetermined < 30, "{undetermined} of 600 undetermined");
        // That case: of 0, 2, 1, 0.5 the slopes sort −1, −0.75, −0.5, 1/6,
        // 0.5, 2: the middle two straddle zero. Of 1, 1, 2, 1 they sort −1,
        // 0, 0, 0, 0.5, 1; of 3, 1, 1, 1 the middle two are −2/3 and 0.
        let sign = |values: &[Option<f64>]| {
            mann_kendall(values).and_then(|test| theil_sen_sign(values, &test))
        };
        assert_eq!(sign(&[Some(0.0), Some(1.0)]), Some(1.0));
        assert_eq!(sign(&[Some(0.0), Some(2.0), Some(1.0), Some(0.5)]), None);
        assert_eq!(
            sign(&[Some(1.0), Some(1.0), Some(2.0), Some(1.0)]),
            Some(0.0)
        );
        assert_eq!(
            sign(&[Some(3.0), Some(1.0), Some(1.0), Some(1.0)]),
            Some(-1.0)
        );
        assert_eq!(sign(&[Some(1.0)]), None);
    }

    #[test]
    fn matches_scipy_statsmodels_and_pymannkendall() {
        let doc: Value = reference();
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
                let counted = bisected(&values).expect("slope");
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
            "{cases} series: Theil–Sen bisection identical in {identical} ({zero_medians} with a \
             zero median), worst relative difference {worst:e} ({max_ulps} ulps); S identical in all"
        );
    }

    /// The bisection path on the present values of a series.
    fn bisected(values: &[Option<f64>]) -> Option<f64> {
        let points = present_points(values);
        (points.len() >= 2).then(|| theil_sen_by_counting(&points))
    }

    /// A tuning that makes the bracketing miss often and take many stages:
    /// tight brackets, small samples, a small enumeration.
    const STRESSED: BracketTuning = BracketTuning {
        sigmas: 0.5,
        sample_per_point: 1,
        enumerate_per_point: 1,
    };

    /// The bracketing path on the present values of a series, asserting that
    /// it finished without falling back to the bisection.
    fn bracketed(values: &[Option<f64>], tuning: BracketTuning) -> Option<f64> {
        let points = present_points(values);
        if points.len() < 2 {
            return None;
        }
        let n = points.len() as u64;
        let enumerate_max = tuning.enumerate_per_point as u64 * n;
        if n * (n - 1) / 2 <= enumerate_max {
            return Some(theil_sen_by_bracketing(&points, tuning));
        }
        let series = ScaledSeries::new(&points);
        let median = bracketed_median(&series, tuning, enumerate_max)
            .unwrap_or_else(|| panic!("bracketing fell back to bisection at n = {n}"));
        let slope = series.unscale(median);
        assert_eq!(
            slope.to_bits(),
            theil_sen_by_bracketing(&points, tuning).to_bits()
        );
        Some(slope)
    }

    /// Agreement of one path with the pairwise one over a set of series.
    #[derive(Default)]
    struct Agreement {
        cases: usize,
        identical: usize,
        zero_medians: usize,
        max_ulps: u64,
    }

    impl Agreement {
        fn add(&mut self, pairwise: f64, other: f64, what: &str) {
            let ulps = order_key(pairwise).abs_diff(order_key(other));
            // ±0 are adjacent keys but the same value.
            let ulps = if pairwise == other { 0 } else { ulps };
            assert!(ulps <= 2, "{what}: pairwise {pairwise:e}, other {other:e}");
            assert_eq!(pairwise == 0.0, other == 0.0, "{what}");
            self.cases += 1;
            self.identical += usize::from(pairwise.to_bits() == other.to_bits());
            self.zero_medians += usize::from(pairwise == 0.0);
            self.max_ulps = self.max_ulps.max(ulps);
        }

        fn report(&self, what: &str) -> String {
            format!(
                "{what}: {} series, bit-identical to pairwise in {} ({} with a zero median), \
                 at most {} ulps apart",
                self.cases, self.identical, self.zero_medians, self.max_ulps
            )
        }
    }

    /// A sort of (value, index) pairs that records the visited pairs of
    /// indices and returns their number.
    type VisitingSort<'a> = dyn Fn(&mut Vec<(u32, u32)>, &mut Vec<(u32, u32)>) -> u64 + 'a;

    /// A Theil–Sen path on a series.
    type SlopeOf = fn(&[Option<f64>]) -> Option<f64>;

    #[test]
    fn insertion_and_merge_visits_agree() {
        let mut rng = Rng(0xbb67_ae85_84ca_a73b);
        for case in 0..60 {
            let n = 1 + case * 7 % 90;
            // Small integers: plenty of ties.
            let values: Vec<(u32, u32)> = (0..n as u32)
                .map(|i| ((rng.next() * (1 + case % 9) as f64) as u32, i))
                .collect();
            // Strict by value (ties overtake), and total by (value, index).
            let strict = |a: &(u32, u32), b: &(u32, u32)| a.0 < b.0;
            let total = |a: &(u32, u32), b: &(u32, u32)| a < b;
            for by_total in [false, true] {
                let take_left = |a: &(u32, u32), b: &(u32, u32)| {
                    if by_total {
                        total(a, b)
                    } else {
                        strict(a, b)
                    }
                };
                let visited = |sort: &VisitingSort<'_>| {
                    let mut sorted = values.clone();
                    let mut pairs = Vec::new();
                    let count = sort(&mut sorted, &mut pairs);
                    pairs.sort_unstable();
                    (count, sorted, pairs)
                };
                let merged = visited(&|sorted, pairs| {
                    let mut buffer = sorted.clone();
                    merge_sort_visiting(sorted, &mut buffer, take_left, |run, right| {
                        pairs.extend(run.iter().map(|left| (left.1, right.1)))
                    })
                });
                let inserted = visited(&|sorted, pairs| {
                    insertion_visiting(
                        sorted,
                        take_left,
                        |run, right| pairs.extend(run.iter().map(|left| (left.1, right.1))),
                        u64::MAX,
                    )
                    .expect("no limit")
                });
                assert_eq!(merged, inserted, "n = {n}");
                let mut buffer = values.clone();
                let mut counted = values.clone();
                assert_eq!(
                    count_inversions(&mut counted, &mut buffer, take_left),
                    merged.0
                );
                assert_eq!(counted, merged.1);
                // Every pair i < j placed the other way round, once.
                let expected = (0..n)
                    .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                    .filter(|&(i, j)| !take_left(&values[i], &values[j]))
                    .count();
                assert_eq!(merged.0 as usize, expected);
                if expected > 0 {
                    let mut sorted = values.clone();
                    let limited =
                        insertion_visiting(&mut sorted, take_left, |_, _| {}, expected as u64 - 1);
                    assert_eq!(limited, None, "the limit gives up");
                }
            }
        }
    }

    #[test]
    fn bracketing_agrees_with_pairwise() {
        let mut rng = Rng(0x6a09_e667_f3bc_c908);
        let (mut default, mut stressed) = (Agreement::default(), Agreement::default());
        let sizes = [
            50, 51, 64, 90, 101, 128, 150, 199, 256, 300, 401, 512, 650, 777, 900, 1000, 1023,
            1200, 1499, 1700, 2000, 2048, 2300, 2500,
        ];
        for (case, &n) in sizes.iter().enumerate() {
            for shape in 0..6 {
                let mut values = random_series(&mut rng, n, shape + case);
                if shape == 5 {
                    // Large magnitudes, scaled internally by a power of two.
                    for value in values.iter_mut().flatten() {
                        *value *= 1e299;
                    }
                }
                let what = format!("n = {n}, shape {shape}");
                let pairwise = theil_sen_with_threshold(&values, usize::MAX).expect("slope");
                let got = bracketed(&values, BRACKET_TUNING).expect("slope");
                default.add(pairwise, got, &what);
                let got = bracketed(&values, STRESSED).expect("slope");
                stressed.add(pairwise, got, &format!("{what}, stressed"));
            }
        }
        // Exact lines, a constant, and ties everywhere.
        for n in [60, 333, 1000] {
            let line: Vec<Option<f64>> = (0..n).map(|i| Some(3.0 * i as f64 - 7.0)).collect();
            let flat = vec![Some(0.1); n];
            let two_levels: Vec<Option<f64>> = (0..n)
                .map(|i| Some(if i % 3 == 0 { 1.0 } else { 2.0 }))
                .collect();
            for values in [line, flat, two_levels] {
                let pairwise = theil_sen_with_threshold(&values, usize::MAX).expect("slope");
                for tuning in [BRACKET_TUNING, STRESSED] {
                    let got = bracketed(&values, tuning).expect("slope");
                    assert_eq!(got.to_bits(), pairwise.to_bits(), "n = {n}: {tuning:?}");
                }
            }
        }
        assert!(
            default.identical * 10 >= default.cases * 9,
            "{}",
            default.report("default")
        );
        eprintln!("{}", default.report("bracketing"));
        eprintln!("{}", stressed.report("bracketing, stressed tuning"));
    }

    #[test]
    fn counting_paths_match_the_references_and_hand_values() {
        let doc: Value = reference();
        for case in doc["trend"].as_array().expect("trend cases") {
            let name = case["name"].as_str().expect("name");
            let values = values_of(&case["values"]);
            for (path, got) in [
                ("bisection", bisected(&values)),
                ("bracketing", bracketed(&values, STRESSED)),
            ] {
                match (got, case["theil_sen_slope"].as_f64()) {
                    (Some(got), Some(want)) => {
                        assert_close(got, want, &format!("{name} theil-sen ({path})"))
                    }
                    (None, None) => {}
                    (got, want) => panic!("{name}: theil-sen ({path}) {got:?} vs {want:?}"),
                }
            }
            assert_eq!(
                mann_kendall_with_threshold(&values, 0),
                mann_kendall_with_threshold(&values, usize::MAX),
                "{name}"
            );
        }
        let paths: [(&str, SlopeOf); 3] = [
            ("bisection", bisected),
            ("bracketing", |values| bracketed(values, BRACKET_TUNING)),
            ("bracketing, stressed", |values| bracketed(values, STRESSED)),
        ];
        for (path, slope_of) in paths {
            let slope = slope_of(&[Some(0.0), Some(4.0), Some(5.0), Some(5.0)]).expect("slope");
            assert!((slope - (1.0 + 5.0 / 3.0) / 2.0).abs() < 1e-12, "{path}");
            let slope = slope_of(&[Some(0.0), None, Some(2.0), Some(6.0)]).expect("slope");
            assert_eq!(slope, 2.0, "{path}");
            // Exact lines and a constant: every slope tied, found exactly.
            let line: Vec<Option<f64>> = (0..50).map(|i| Some(3.0 * i as f64 - 7.0)).collect();
            assert_eq!(slope_of(&line), Some(3.0), "{path}");
            let falling: Vec<Option<f64>> = (0..51).map(|i| Some(1e6 - 0.5 * i as f64)).collect();
            assert_eq!(slope_of(&falling), Some(-0.5), "{path}");
            let flat = slope_of(&[Some(0.1); 9]).expect("slope");
            assert_eq!(flat.to_bits(), 0.0f64.to_bits(), "{path}: +0, not −0");
            // Huge values (scaled internally) and degenerate inputs stay finite.
            let huge: Vec<Option<f64>> = (0..40).map(|i| Some(1e300 * (i % 7) as f64)).collect();
            let pairwise = theil_sen_with_threshold(&huge, usize::MAX).expect("slope");
            let counted = slope_of(&huge).expect("slope");
            assert!(
                counted.is_finite() && (pairwise - counted).abs() <= 1e-12 * pairwise.abs(),
                "{path}"
            );
            for values in [
                vec![Some(1.0), Some(5.0)],
                vec![Some(f64::NAN), Some(f64::INFINITY), Some(1.0)],
                vec![Some(f64::MAX), Some(-f64::MAX), Some(f64::MAX)],
                vec![
                    Some(f64::MAX),
                    Some(-f64::MAX),
                    Some(f64::MAX),
                    Some(-f64::MAX),
                ],
                (0..30)
                    .map(|i| Some(if i % 2 == 0 { f64::MAX } else { -f64::MAX }))
                    .collect(),
            ] {
                let slope = slope_of(&values);
                assert!(
                    slope.is_none_or(|s| !s.is_nan()),
                    "{path}: {values:?}: {slope:?}"
                );
            }
        }
        let mk = mann_kendall_with_threshold(&[Some(1.0), Some(2.0), Some(2.0), Some(3.0)], 0)
            .expect("mk");
        assert_eq!(mk.s, 5.0);
        // −0 ties +0 on both paths.
        let signed_zeros = [Some(0.0), Some(-0.0), Some(1.0), Some(-0.0), Some(0.0)];
        assert_eq!(
            mann_kendall_with_threshold(&signed_zeros, 0),
            mann_kendall_with_threshold(&signed_zeros, usize::MAX)
        );
        for values in [
            vec![Some(1.0), Some(5.0)],
            vec![Some(f64::NAN), Some(f64::INFINITY), Some(1.0)],
            vec![Some(f64::MAX), Some(-f64::MAX), Some(f64::MAX)],
        ] {
            if let Some(mk) = mann_kendall_with_threshold(&values, 0) {
                assert!(mk.z.is_finite() && mk.p_value.is_finite());
            }
        }
    }

    #[test]
    #[ignore = "slow unoptimised: cargo test --release --lib trend -- --ignored --nocapture"]
    fn bracketing_agrees_with_pairwise_on_thousands_of_series() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let (mut default, mut stressed) = (Agreement::default(), Agreement::default());
        for case in 0..3000 {
            let n = 65 + (rng.next() * rng.next() * 2500.0) as usize;
            let shape = case % 10;
            let mut values = random_series(&mut rng, n, shape);
            match shape {
                // Huge and tiny magnitudes.
                5 => values.iter_mut().flatten().for_each(|v| *v *= 1e299),
                6 => values.iter_mut().flatten().for_each(|v| *v *= 1e-300),
                // Integer patterns whose middle slopes tie at values like 1/3
                // that no f64 holds.
                7 => values = (0..n).map(|i| Some((i % 7) as f64)).collect(),
                8 => {
                    values = (0..n)
                        .map(|i| Some((i / 3) as f64 + if rng.next() < 0.05 { 1.0 } else { 0.0 }))
                        .collect()
                }
                9 => {
                    values = (0..n)
                        .map(|i| Some((i as f64 * 0.1 + rng.next()).round() * 0.1))
                        .collect()
                }
                _ => {}
            }
            let what = format!("case {case}, n = {n}, shape {shape}");
            let pairwise = theil_sen_with_threshold(&values, usize::MAX).expect("slope");
            let got = bracketed(&values, BRACKET_TUNING).expect("slope");
            default.add(pairwise, got, &what);
            if case % 3 == 0 {
                let got = bracketed(&values, STRESSED).expect("slope");
                stressed.add(pairwise, got, &what);
            }
        }
        eprintln!("{}", default.report("bracketing"));
        eprintln!("{}", stressed.report("bracketing, stressed tuning"));
    }

    /// Mean time per call of `slope` over `calls` calls cycling through
    /// `series` (the best of three rounds, the machine being shared), and the
    /// sum of the slopes (to compare paths).
    fn time_calls(
        series: &[Vec<Option<f64>>],
        calls: usize,
        slope: impl Fn(&[Option<f64>]) -> f64,
    ) -> (std::time::Duration, f64) {
        let mut best = std::time::Duration::MAX;
        let mut sum = 0.0;
        for _ in 0..3 {
            let started = std::time::Instant::now();
            sum = 0.0;
            for call in 0..calls {
                let values = std::hint::black_box(&series[call % series.len()]);
                sum += std::hint::black_box(slope(values));
            }
            best = best.min(started.elapsed() / calls as u32);
        }
        (best, sum)
    }

    #[test]
    #[ignore = "timing: cargo test --release --lib trend -- --ignored --nocapture"]
    fn time_theil_sen_paths() {
        let mut rng = Rng(0x3c6e_f372_fe94_f82b);
        let pairwise =
            |values: &[Option<f64>]| theil_sen_with_threshold(values, usize::MAX).unwrap();
        let bracketing = |values: &[Option<f64>]| theil_sen_with_threshold(values, 0).unwrap();
        // 1,000 calls at n = 1,000 (100 at n = 2,000): the old pairwise path
        // against the new one, on noisy lines (with gaps) and on tied values.
        for (n, calls) in [(1_000, 1_000), (2_000, 100)] {
            for (kind, shapes) in [("noisy", [0, 1, 0, 1, 5]), ("tied", [2, 3, 4, 2, 3])] {
                let series: Vec<Vec<Option<f64>>> = (0..20)
                    .map(|i| {
                        let mut values = random_series(&mut rng, n, shapes[i % 5] % 5);
                        if shapes[i % 5] == 5 {
                            // A plain noisy line without gaps, at a large offset.
                            for value in values.iter_mut().flatten() {
                                *value += 1e6;
                            }
                        }
                        values
                    })
                    .collect();
                let (old, old_sum) = time_calls(&series, calls, pairwise);
                let (new, new_sum) = time_calls(&series, calls, bracketing);
                assert_eq!(old_sum.to_bits(), new_sum.to_bits(), "n = {n}, {kind}");
                eprintln!(
                    "n = {n:>5}, {kind}: pairwise {old:>10.2?}/call, bracketing {new:>9.2?}/call \
                     ({:.1}x), {calls} calls, identical sums",
                    old.as_secs_f64() / new.as_secs_f64()
                );
            }
        }
        // The crossover: pairwise against bracketing on short noisy series.
        for n in [30, 50, 75, 100, 150, 200, 300, 500] {
            let series: Vec<Vec<Option<f64>>> =
                (0..20).map(|i| random_series(&mut rng, n, i % 2)).collect();
            let calls = 4_000_000 / (n * n);
            let (old, old_sum) = time_calls(&series, calls, pairwise);
            let (new, new_sum) = time_calls(&series, calls, bracketing);
            assert_eq!(old_sum.to_bits(), new_sum.to_bits(), "n = {n}");
            eprintln!("n = {n:>5}: pairwise {old:>9.2?}/call, bracketing {new:>9.2?}/call");
        }
        // One merge-sort count at n = 1,000.
        let points = present_points(&random_series(&mut rng, 1_000, 0));
        let series = ScaledSeries::new(&points);
        let mut counter = SlopeCounter::new(&series.xs, &series.ys);
        let started = std::time::Instant::now();
        let mut total = 0;
        for call in 0..2_000 {
            total += std::hint::black_box(counter.count_at_most(call as f64 * 1e-4));
        }
        eprintln!(
            "one count of the slopes below a candidate at n = 1,000: {:.2?} ({total})",
            started.elapsed() / 2_000
        );
        // Tunings (the result never depends on them).
        let series: Vec<Vec<Option<f64>>> = (0..20)
            .map(|i| random_series(&mut rng, 1_000, i % 5))
            .collect();
        let long: Vec<Vec<Option<f64>>> = (0..4)
            .map(|i| random_series(&mut rng, 20_000, i % 2))
            .collect();
        for (sigmas, sample_per_point, enumerate_per_point) in
            [(2.0, 8, 16), (1.5, 4, 16), (2.0, 4, 32), (3.0, 4, 8)]
        {
            let tuning = BracketTuning {
                sigmas,
                sample_per_point,
                enumerate_per_point,
            };
            let with =
                |values: &[Option<f64>]| theil_sen_by_bracketing(&present_points(values), tuning);
            let (short, _) = time_calls(&series, 300, with);
            let (long_time, _) = time_calls(&long, 4, with);
            eprintln!(
                "{tuning:?}: n = 1,000 (all shapes) {short:>9.2?}/call, \
                 n = 20,000 {long_time:>9.2?}/call"
            );
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
        let bisection = bisected(&values).expect("slope");
        let bisection_time = started.elapsed();
        let started = std::time::Instant::now();
        let mk = mann_kendall(&values).expect("mk");
        let mann_kendall_time = started.elapsed();
        eprintln!(
            "20,000 periods ({} present): Theil–Sen {theil_sen:?} (slope {slope}; bisection \
             {bisection_time:?}, {bisection}), Mann–Kendall {mann_kendall_time:?} (S {})",
            values.iter().flatten().count(),
            mk.s
        );
        assert!((slope - 0.25).abs() < 1e-2, "{slope}");
        assert!(order_key(slope).abs_diff(order_key(bisection)) <= 4);
        assert!(mk.s > 0.0 && mk.p_value < 1e-6);
    }
}
