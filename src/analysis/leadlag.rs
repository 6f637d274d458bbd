//! Lead/lag relationships between KPIs: lagged cross-correlation of the
//! first-differenced series, its p-values, Benjamini–Hochberg q-values, the best
//! lag per ordered pair and a Granger F-test as a second opinion.
//!
//! The definitions are the SPEC's ("Exact definitions"); the conventions are
//! scipy's `pearsonr`, statsmodels' `multipletests(method="fdr_bh")` and
//! `grangercausalitytests(...)["ssr_ftest"]`, checked against
//! `tests/fixtures/reference_stats.json`.
//!
//! Every ordered pair is tested at every lag, so [`lead_lag`] does the
//! correlations as matrix products (`matrixmultiply::dgemm`) over the
//! differenced columns, one set per lag, and stays exact with missing values by
//! multiplying presence masks as well (see [`lead_lag`]); the p-values come
//! from statrs' regularized incomplete beta function, which is the t and F
//! distributions' tail in the form that keeps its precision for tiny p.
//! [`lag_profile`] is the same computation for one pair, written as plain loops.

use polars::prelude::{diff, DataFrame};
use polars::series::ops::NullBehavior;
use statrs::function::beta::checked_beta_reg;

/// Correlation tests with fewer pairs than this are skipped (SPEC).
const MIN_PAIRS: usize = 4;
/// A variance at most this fraction of the sum of squares counts as zero: it is
/// what rounding leaves of a constant series.
const CONSTANT_TOLERANCE: f64 = 1e-12;
/// q-value at or below which a pair at a lag ≥ 1 is a lead/lag relationship.
const SIGNIFICANCE: f64 = 0.05;

/// First differences Δy[t] = y[t] − y[t−1]: same length as `values`, the first
/// entry `None`, and `None` wherever either value is missing (or not finite).
///
/// A plain loop rather than a polars `Series::diff`: the lag work needs dense
/// `f64` columns anyway, and the round trip through a `Series` would only add
/// two copies and an error path to a one-line operation.
pub fn first_differences(values: &[Option<f64>]) -> Vec<Option<f64>> {
    let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
    let mut differences = Vec::with_capacity(values.len());
    let mut previous = None;
    for &value in values {
        let current = finite(value);
        differences.push(match (previous, current) {
            (Some(before), Some(now)) => Some(now - before).filter(|d: &f64| d.is_finite()),
            _ => None,
        });
        previous = current;
    }
    differences
}

/// The largest lag tested for a sheet of `periods` periods: min(12, ⌊periods/4⌋).
pub fn max_lag(periods: usize) -> usize {
    (periods / 4).min(12)
}

/// One lagged correlation test: leader at t against follower at t + `lag`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LagCorrelation {
    /// Lag k in periods.
    pub lag: usize,
    /// Pearson's r over the pairs where both differences are present.
    pub r: f64,
    /// Number of such pairs (m).
    pub pairs: usize,
    /// Two-sided p-value of r (t distribution, m − 2 degrees of freedom).
    pub p_value: f64,
}

/// The tested ordered pair (leader → follower) at its best lag.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairTest {
    /// Index of the leading KPI in the input.
    pub leader: usize,
    /// Index of the following KPI in the input.
    pub follower: usize,
    /// The lag with the largest |r| (ties to the smaller lag).
    pub lag: usize,
    /// Pearson's r at that lag.
    pub r: f64,
    /// Number of (leader, follower) pairs behind r.
    pub pairs: usize,
    /// Two-sided p-value of r.
    pub p_value: f64,
    /// Benjamini–Hochberg q-value over every test run on the file.
    pub q_value: f64,
    /// Granger F-test p-value at `lag`, for candidates only (q ≤ 0.05, lag ≥ 1).
    pub granger_p: Option<f64>,
    /// q ≤ 0.05 and lag ≥ 1: a lead/lag relationship (lag 0 means "moves together").
    pub significant: bool,
}

/// Every ordered pair of KPIs tested at lags 0..=[`max_lag`], each reported at
/// its best lag, sorted by q-value (then p-value, leader, follower).
///
/// `series` holds the raw values, one `Vec` per KPI, all of one length (the
/// number of periods; shorter ones count as missing at the end). Pairs where no
/// lag could be tested (fewer than 4 pairs, or a constant side) are left out.
///
/// How it stays fast: the differenced columns are centred and scaled once
/// (r does not change, and the sums below stop cancelling), stored as a
/// row-major matrix X₀ with 0 where a value is missing, next to X₀² and the
/// presence mask M of the columns that have gaps. For lag k, with the leader
/// rows t and the follower rows t + k, the sums every pair needs are products
/// of those blocks: Sxy = X₀ᵀX₀′, Sx = X₀ᵀM′, Sxx = (X₀²)ᵀM′, Sy = MᵀX₀′,
/// Syy = Mᵀ(X₀²)′, n = MᵀM′. A column whose values form one unbroken run
/// (complete, or a KPI that starts late or stops early) has M = 1 on an
/// interval, so its products with M are sums over an interval, read off prefix
/// sums: without gaps inside runs, a file costs one GEMM (Sxy) per lag.
/// 500 KPIs × 1,000 periods take a few tenths of a second on one core.
pub fn lead_lag(series: &[Vec<Option<f64>>]) -> Vec<PairTest> {
    let periods = series.iter().map(Vec::len).max().unwrap_or(0);
    let differences: Vec<Vec<Option<f64>>> = series
        .iter()
        .map(|values| {
            let mut padded = values.clone();
            padded.resize(periods, None);
            first_differences(&padded)
        })
        .collect();
    lead_lag_of_differences(&differences)
}

/// The first differences of every column of a table's values, through
/// polars (`diff` with nulls kept), as the lag scan's input.
pub fn frame_differences(frame: &DataFrame) -> Vec<Vec<Option<f64>>> {
    frame
        .columns()
        .iter()
        .map(|column| {
            // A table column is Float64 by construction; anything else is skipped as all-missing.
            diff(column.as_materialized_series(), 1, NullBehavior::Ignore)
                .ok()
                .and_then(|differenced| {
                    differenced.f64().ok().map(|values| {
                        values
                            .into_iter()
                            .map(|value| value.filter(|number| number.is_finite()))
                            .collect()
                    })
                })
                .unwrap_or_else(|| vec![None; frame.height()])
        })
        .collect()
}

/// `lead_lag` on series that are already first-differenced (all the same
/// length; the first entry of each is missing).
pub fn lead_lag_of_differences(differences: &[Vec<Option<f64>>]) -> Vec<PairTest> {
    let periods = differences.iter().map(Vec::len).max().unwrap_or(0);
    if differences.len() < 2 || periods < 2 {
        return Vec::new();
    }
    let padded: Vec<Vec<Option<f64>>>;
    let differences = if differences.iter().all(|column| column.len() == periods) {
        differences
    } else {
        padded = differences
            .iter()
            .map(|column| {
                let mut column = column.clone();
                column.resize(periods, None);
                column
            })
            .collect();
        &padded
    };
    let scan = scan_lag_correlations(differences, max_lag(periods));
    let queries: Vec<f64> = scan.best.iter().map(|best| best.test.p_value).collect();
    let q_values = bh_q_values(&scan.p_values, &queries);
    let standardized: Vec<Option<Vec<Option<f64>>>> =
        differences.iter().map(|d| standardize(d)).collect();

    let mut results: Vec<PairTest> = scan
        .best
        .iter()
        .zip(q_values)
        .map(|(best, q_value)| {
            let candidate = q_value <= SIGNIFICANCE && best.test.lag >= 1;
            let granger = if candidate {
                match (
                    standardized.get(best.leader),
                    standardized.get(best.follower),
                ) {
                    (Some(Some(leader)), Some(Some(follower))) => {
                        granger_standardized(leader, follower, best.test.lag)
                    }
                    _ => None,
                }
            } else {
                None
            };
            PairTest {
                leader: best.leader,
                follower: best.follower,
                lag: best.test.lag,
                r: best.test.r,
                pairs: best.test.pairs,
                p_value: best.test.p_value,
                q_value,
                granger_p: granger,
                significant: candidate,
            }
        })
        .collect();
    results.sort_unstable_by(|a, b| {
        a.q_value
            .total_cmp(&b.q_value)
            .then(a.p_value.total_cmp(&b.p_value))
            .then(a.leader.cmp(&b.leader))
            .then(a.follower.cmp(&b.follower))
    });
    results
}

/// The lagged correlation of one pair at lags 0..=`max_lag` (entry k is lag k),
/// `None` where the test is skipped. Takes first differences (see
/// [`first_differences`]); gives the same numbers as [`lead_lag`] computes for
/// the pair, for a detail view of r(k).
pub fn lag_profile(
    leader_diff: &[Option<f64>],
    follower_diff: &[Option<f64>],
    max_lag: usize,
) -> Vec<Option<LagCorrelation>> {
    let leader = standardize(leader_diff);
    let follower = standardize(follower_diff);
    (0..=max_lag)
        .map(|lag| {
            let (leader, follower) = (leader.as_ref()?, follower.as_ref()?);
            let pairs: Vec<(f64, f64)> = leader
                .iter()
                .enumerate()
                .filter_map(|(t, x)| Some(((*x)?, (*follower.get(t + lag)?)?)))
                .collect();
            let m = pairs.len();
            if m < MIN_PAIRS {
                return None;
            }
            let count = m as f64;
            let mean_x = pairs.iter().map(|p| p.0).sum::<f64>() / count;
            let mean_y = pairs.iter().map(|p| p.1).sum::<f64>() / count;
            let (mut sxx, mut syy, mut sxy, mut squares_x, mut squares_y) =
                (0.0, 0.0, 0.0, 0.0, 0.0);
            for &(x, y) in &pairs {
                sxx += (x - mean_x) * (x - mean_x);
                syy += (y - mean_y) * (y - mean_y);
                sxy += (x - mean_x) * (y - mean_y);
                squares_x += x * x;
                squares_y += y * y;
            }
            if sxx <= CONSTANT_TOLERANCE * squares_x || syy <= CONSTANT_TOLERANCE * squares_y {
                return None;
            }
            let r = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
            Some(LagCorrelation {
                lag,
                r,
                pairs: m,
                p_value: pearson_p_value(r, m),
            })
        })
        .collect()
}

/// A differenced column centred and scaled by its own mean and standard
/// deviation; `None` when it has fewer than [`MIN_PAIRS`] values or is constant.
fn standardize(differences: &[Option<f64>]) -> Option<Vec<Option<f64>>> {
    let present: Vec<f64> = differences
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if present.len() < MIN_PAIRS {
        return None;
    }
    let count = present.len() as f64;
    let mean = present.iter().sum::<f64>() / count;
    let deviations: f64 = present.iter().map(|v| (v - mean) * (v - mean)).sum();
    let squares: f64 = present.iter().map(|v| v * v).sum();
    // A linear series has constant differences that rounding makes differ in
    // the last bits: that is still constant.
    let varies = deviations > CONSTANT_TOLERANCE * squares;
    if !varies {
        return None;
    }
    let sd = (deviations / count).sqrt();
    Some(
        differences
            .iter()
            .map(|v| v.filter(|x| x.is_finite()).map(|x| (x - mean) / sd))
            .collect(),
    )
}

/// The best lag of one ordered pair, in input KPI indices.
struct BestLag {
    leader: usize,
    follower: usize,
    test: LagCorrelation,
}

/// Everything the correlation pass produces: the best lag per tested pair and
/// the p-value of every test run (for Benjamini–Hochberg).
struct LagScan {
    best: Vec<BestLag>,
    p_values: Vec<f64>,
}

/// Where the present values of a differenced column are.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Coverage {
    /// Present on exactly the rows first..=last: a complete column, or one
    /// whose KPI starts late or stops early. Its sums over any range of rows
    /// are differences of prefix sums.
    Run { first: usize, last: usize },
    /// Missing inside its range too: its sums need its presence mask, at this
    /// position among the masked columns.
    Masked(usize),
}

/// The differenced columns that can be tested at all, laid out for the lag scan.
struct ColumnBlocks {
    /// Input KPI index of each active column.
    kpis: Vec<usize>,
    coverage: Vec<Coverage>,
    /// Number of masked columns.
    masked: usize,
    /// Rows (differenced periods 1..n−1) × `width`, row-major:
    /// [X₀ | X₀² | M of the masked columns].
    data: Vec<f64>,
    rows: usize,
    width: usize,
    /// (rows + 1) × `width`: row t holds the column sums of `data` over rows 0..t.
    prefix: Vec<f64>,
}

impl ColumnBlocks {
    fn new(differences: &[Vec<Option<f64>>]) -> ColumnBlocks {
        let rows = differences
            .iter()
            .map(|d| d.len().saturating_sub(1))
            .max()
            .unwrap_or(0);
        let mut kpis = Vec::new();
        let mut columns = Vec::new();
        for (kpi, column) in differences.iter().enumerate() {
            // Row 0 of a differenced series is never present.
            let body = column.get(1..).unwrap_or(&[]);
            if let Some(mut standardized) = standardize(body) {
                standardized.resize(rows, None);
                kpis.push(kpi);
                columns.push(standardized);
            }
        }
        let active = columns.len();
        let mut coverage = Vec::with_capacity(active);
        let mut masked = 0;
        for column in &columns {
            let first = column.iter().position(Option::is_some).unwrap_or(0);
            let last = column.iter().rposition(Option::is_some).unwrap_or(0);
            let present = column.iter().filter(|v| v.is_some()).count();
            if present == last + 1 - first {
                coverage.push(Coverage::Run { first, last });
            } else {
                coverage.push(Coverage::Masked(masked));
                masked += 1;
            }
        }
        let width = 2 * active + masked;
        let mut data = vec![0.0; rows * width];
        for (a, column) in columns.iter().enumerate() {
            for (t, value) in column.iter().enumerate() {
                if let Some(v) = value {
                    let row = t * width;
                    data[row + a] = *v;
                    data[row + active + a] = v * v;
                    if let Coverage::Masked(g) = coverage[a] {
                        data[row + 2 * active + g] = 1.0;
                    }
                }
            }
        }
        let mut prefix = vec![0.0; (rows + 1) * width];
        for t in 0..rows {
            let (done, next) = prefix.split_at_mut((t + 1) * width);
            let before = &done[t * width..];
            for ((sum, previous), value) in next[..width]
                .iter_mut()
                .zip(before)
                .zip(&data[t * width..(t + 1) * width])
            {
                *sum = previous + value;
            }
        }
        ColumnBlocks {
            kpis,
            coverage,
            masked,
            data,
            rows,
            width,
            prefix,
        }
    }

    fn active(&self) -> usize {
        self.kpis.len()
    }

    /// The sum of `data` column `column` over rows lo..=hi.
    fn range_sum(&self, column: usize, lo: usize, hi: usize) -> f64 {
        self.prefix[(hi + 1) * self.width + column] - self.prefix[lo * self.width + column]
    }
}

/// `out` (m × n, row-major) = Aᵀ B, where A is rows `a_row..a_row + depth`,
/// columns `a_col..a_col + m` of the row-major `data` (row stride `stride`) and
/// B is rows `b_row..b_row + depth`, columns `b_col..b_col + n`. Returns false,
/// without touching memory, if the blocks do not fit in `data`.
fn gemm_transposed(
    data: &[f64],
    stride: usize,
    depth: usize,
    (a_row, a_col, m): (usize, usize, usize),
    (b_row, b_col, n): (usize, usize, usize),
    out: &mut Vec<f64>,
) -> bool {
    out.clear();
    out.resize(m * n, 0.0);
    if m == 0 || n == 0 || depth == 0 {
        return true;
    }
    let fits = |row: usize, col: usize, cols: usize| {
        col + cols <= stride
            && (row + depth)
                .checked_mul(stride)
                .is_some_and(|end| end <= data.len())
    };
    let (Ok(stride_i), Ok(n_i)) = (isize::try_from(stride), isize::try_from(n)) else {
        return false;
    };
    if !fits(a_row, a_col, m) || !fits(b_row, b_col, n) {
        return false;
    }
    // SAFETY: A spans data[a_row*stride + a_col ..] up to row a_row + depth − 1
    // and column a_col + m − 1, B likewise; both were checked to lie inside
    // `data`. C is `out`, exactly m × n with row stride n. beta = 0, so C is
    // only written.
    unsafe {
        matrixmultiply::dgemm(
            m,
            depth,
            n,
            1.0,
            data.as_ptr().add(a_row * stride + a_col),
            1,
            stride_i,
            data.as_ptr().add(b_row * stride + b_col),
            stride_i,
            1,
            0.0,
            out.as_mut_ptr(),
            n_i,
            1,
        );
    }
    true
}

/// Runs every (ordered pair, lag) correlation test.
fn scan_lag_correlations(differences: &[Vec<Option<f64>>], max_lag: usize) -> LagScan {
    let blocks = ColumnBlocks::new(differences);
    let active = blocks.active();
    let masked = blocks.masked;
    let width = blocks.width;
    let mut best: Vec<Option<LagCorrelation>> = vec![None; active * active];
    let mut p_values = Vec::with_capacity(active * active.saturating_sub(1) * (max_lag + 1));
    let (mut g_xy, mut g_left, mut g_right) = (Vec::new(), Vec::new(), Vec::new());

    for lag in 0..=max_lag {
        // Leader rows 0..window pair with follower rows lag..rows.
        let window = blocks.rows.saturating_sub(lag);
        if active < 2 || window < MIN_PAIRS {
            break;
        }
        let data = &blocks.data;
        // Sxy for every pair.
        if !gemm_transposed(
            data,
            width,
            window,
            (0, 0, active),
            (lag, 0, active),
            &mut g_xy,
        ) {
            continue;
        }
        if masked > 0 {
            // [X₀ | X₀²]ᵀ M′: Sx and Sxx where the follower is masked.
            // Mᵀ [X₀′ | X₀²′ | M′]: Sy, Syy (and n) where the leader is masked.
            let left = gemm_transposed(
                data,
                width,
                window,
                (0, 0, 2 * active),
                (lag, 2 * active, masked),
                &mut g_left,
            );
            let right = gemm_transposed(
                data,
                width,
                window,
                (0, 2 * active, masked),
                (lag, 0, width),
                &mut g_right,
            );
            if !(left && right) {
                continue;
            }
        }
        let last_leader_row = window - 1;

        for a in 0..active {
            for b in 0..active {
                if a == b {
                    continue;
                }
                // n, Sx, Sxx (leader side) and Sy, Syy (follower side) over the
                // rows t where the leader at t and the follower at t + lag are
                // both present.
                let sums = match (blocks.coverage[a], blocks.coverage[b]) {
                    (
                        Coverage::Run {
                            first: fa,
                            last: la,
                        },
                        Coverage::Run {
                            first: fb,
                            last: lb,
                        },
                    ) => {
                        let lo = fa.max(fb.saturating_sub(lag));
                        let Some(hi) = lb.checked_sub(lag).map(|h| h.min(la).min(last_leader_row))
                        else {
                            continue;
                        };
                        if hi < lo {
                            continue;
                        }
                        (
                            (hi + 1 - lo) as f64,
                            blocks.range_sum(a, lo, hi),
                            blocks.range_sum(active + a, lo, hi),
                            blocks.range_sum(b, lo + lag, hi + lag),
                            blocks.range_sum(active + b, lo + lag, hi + lag),
                        )
                    }
                    (
                        Coverage::Run {
                            first: fa,
                            last: la,
                        },
                        Coverage::Masked(j),
                    ) => {
                        let (lo, hi) = (fa, la.min(last_leader_row));
                        if hi < lo {
                            continue;
                        }
                        (
                            blocks.range_sum(2 * active + j, lo + lag, hi + lag),
                            g_left[a * masked + j],
                            g_left[(active + a) * masked + j],
                            blocks.range_sum(b, lo + lag, hi + lag),
                            blocks.range_sum(active + b, lo + lag, hi + lag),
                        )
                    }
                    (
                        Coverage::Masked(i),
                        Coverage::Run {
                            first: fb,
                            last: lb,
                        },
                    ) => {
                        let lo = fb.saturating_sub(lag);
                        let Some(hi) = lb.checked_sub(lag).map(|h| h.min(last_leader_row)) else {
                            continue;
                        };
                        if hi < lo {
                            continue;
                        }
                        (
                            blocks.range_sum(2 * active + i, lo, hi),
                            blocks.range_sum(a, lo, hi),
                            blocks.range_sum(active + a, lo, hi),
                            g_right[i * width + b],
                            g_right[i * width + active + b],
                        )
                    }
                    (Coverage::Masked(i), Coverage::Masked(j)) => (
                        g_right[i * width + 2 * active + j],
                        g_left[a * masked + j],
                        g_left[(active + a) * masked + j],
                        g_right[i * width + b],
                        g_right[i * width + active + b],
                    ),
                };
                let (n, sx, sxx, sy, syy) = sums;
                // n is a count, exact in f64.
                let pairs = (n + 0.5) as usize;
                if pairs < MIN_PAIRS {
                    continue;
                }
                let inverse_n = 1.0 / n;
                let var_x = sxx - sx * sx * inverse_n;
                let var_y = syy - sy * sy * inverse_n;
                if var_x <= CONSTANT_TOLERANCE * sxx || var_y <= CONSTANT_TOLERANCE * syy {
                    continue;
                }
                let covariance = g_xy[a * active + b] - sx * sy * inverse_n;
                let r = (covariance / (var_x * var_y).sqrt()).clamp(-1.0, 1.0);
                if !r.is_finite() {
                    continue;
                }
                let p_value = pearson_p_value(r, pairs);
                p_values.push(p_value);
                let slot = &mut best[a * active + b];
                if slot.is_none_or(|current| r.abs() > current.r.abs()) {
                    *slot = Some(LagCorrelation {
                        lag,
                        r,
                        pairs,
                        p_value,
                    });
                }
            }
        }
    }

    let best = best
        .into_iter()
        .enumerate()
        .filter_map(|(index, test)| {
            Some(BestLag {
                leader: blocks.kpis[index / active.max(1)],
                follower: blocks.kpis[index % active.max(1)],
                test: test?,
            })
        })
        .collect();
    LagScan { best, p_values }
}

/// Two-sided p-value of Pearson's r from `pairs` pairs: the t test with
/// pairs − 2 degrees of freedom (scipy `pearsonr`). 1 when there are fewer than
/// three pairs or r is not a number.
pub fn pearson_p_value(r: f64, pairs: usize) -> f64 {
    if pairs < 3 || r.is_nan() {
        return 1.0;
    }
    let magnitude = r.abs();
    if magnitude >= 1.0 {
        return 0.0;
    }
    if magnitude == 0.0 {
        return 1.0;
    }
    // P(|T| ≥ |t|) with df = pairs − 2 is I_x(df/2, ½), x = df/(df + t²) =
    // 1 − r²; (1 − |r|)(1 + |r|) keeps its precision when |r| is near 1.
    let half_df = (pairs - 2) as f64 / 2.0;
    let x = (1.0 - magnitude) * (1.0 + magnitude);
    checked_beta_reg(half_df, 0.5, x).map_or(1.0, |p| p.clamp(0.0, 1.0))
}

/// Benjamini–Hochberg q-values, in input order (statsmodels
/// `multipletests(p, method="fdr_bh")[1]`). A NaN p-value counts as 1; values
/// are clamped to [0, 1].
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let total = p_values.len();
    let mut order: Vec<(u64, usize)> = p_values
        .iter()
        .enumerate()
        .map(|(index, &p)| (clean_p_value(p).to_bits(), index))
        .collect();
    order.sort_unstable();
    let sorted: Vec<f64> = order
        .iter()
        .map(|&(bits, _)| f64::from_bits(bits))
        .collect();
    let mut q_values = vec![1.0; total];
    for (q, &(_, index)) in step_up(&sorted).into_iter().zip(&order) {
        q_values[index] = q;
    }
    q_values
}

fn clean_p_value(p: f64) -> f64 {
    if p.is_nan() {
        1.0
    } else if p <= 0.0 {
        0.0
    } else {
        p.min(1.0)
    }
}

/// The q-value at each position of ascending p-values: the running minimum,
/// from the largest down, of p₍ⱼ₎ · total / j, capped at 1. Tied p-values get
/// the same q-value, whatever their order.
fn step_up(sorted: &[f64]) -> Vec<f64> {
    let total = sorted.len() as f64;
    let mut q_sorted = vec![1.0; sorted.len()];
    let mut running_min = f64::INFINITY;
    for (index, (q, &p)) in q_sorted.iter_mut().zip(sorted).enumerate().rev() {
        // Divide by j/total as statsmodels does, for the same rounding.
        running_min = running_min.min(p / ((index + 1) as f64 / total));
        *q = running_min.min(1.0);
    }
    q_sorted
}

/// The Benjamini–Hochberg q-value, over the family `all`, of each p-value in
/// `queries` (each a member of `all`). A q-value depends only on the p-value,
/// so the family is sorted once and the sorted queries are matched to the last
/// position holding their value in one sweep.
fn bh_q_values(all: &[f64], queries: &[f64]) -> Vec<f64> {
    if all.is_empty() {
        return vec![1.0; queries.len()];
    }
    // Non-negative floats order like their bit patterns, and integers sort
    // faster than floats: this sort is over every test on the file.
    let mut bits: Vec<u64> = all.iter().map(|&p| clean_p_value(p).to_bits()).collect();
    bits.sort_unstable();
    let sorted: Vec<f64> = bits.into_iter().map(f64::from_bits).collect();
    let q_sorted = step_up(&sorted);

    let mut order: Vec<(u64, usize)> = queries
        .iter()
        .enumerate()
        .map(|(index, &p)| (clean_p_value(p).to_bits(), index))
        .collect();
    order.sort_unstable();
    let mut q_values = vec![1.0; queries.len()];
    let mut at_or_below = 0;
    for (bits, index) in order {
        let p = f64::from_bits(bits);
        while at_or_below < sorted.len() && sorted[at_or_below] <= p {
            at_or_below += 1;
        }
        q_values[index] = match at_or_below.checked_sub(1) {
            Some(last) => q_sorted[last],
            // Not a member of the family and below all of it.
            None => (p * sorted.len() as f64).min(q_sorted[0]).min(1.0),
        };
    }
    q_values
}

/// The Granger F-test p-value at `lag` (statsmodels
/// `grangercausalitytests(...)[lag][0]["ssr_ftest"][1]`): does adding
/// Δleader[t−1..t−lag] to an OLS model of Δfollower[t] on a constant and
/// Δfollower[t−1..t−lag] reduce the residual sum of squares? Uses the rows
/// where all are present.
///
/// `None` when `lag` is 0, the residual degrees of freedom N − 2·lag − 1 are not
/// positive, the design is singular (e.g. a constant column) or the full model
/// fits perfectly (statsmodels refuses those too).
pub fn granger_p(
    leader_diff: &[Option<f64>],
    follower_diff: &[Option<f64>],
    lag: usize,
) -> Option<f64> {
    if lag == 0 {
        return None;
    }
    let len = leader_diff.len().min(follower_diff.len());
    // F does not change under an affine rescaling of either series; centring and
    // scaling both keeps the cross-products below well conditioned. A constant
    // series makes the design singular.
    let leader = standardize(leader_diff.get(..len)?)?;
    let follower = standardize(follower_diff.get(..len)?)?;
    granger_standardized(&leader, &follower, lag)
}

/// [`granger_p`] on series already centred and scaled (by [`standardize`]).
fn granger_standardized(
    leader: &[Option<f64>],
    follower: &[Option<f64>],
    lag: usize,
) -> Option<f64> {
    if lag == 0 {
        return None;
    }
    let len = leader.len().min(follower.len());
    let usable = |t: usize| {
        follower[t].is_some()
            && (1..=lag).all(|j| follower[t - j].is_some() && leader[t - j].is_some())
    };
    let dense =
        |values: &[Option<f64>]| -> Vec<f64> { values.iter().map(|v| v.unwrap_or(0.0)).collect() };
    let (leader_values, follower_values) = (dense(leader), dense(follower));

    // Cross-products of the rows [1, follower lags 1..=lag, leader lags 1..=lag,
    // target] over the rows where all are present (upper triangle), one run of
    // consecutive usable rows at a time.
    let width = 2 * lag + 2;
    let mut gram = vec![0.0; width * width];
    let mut rows = 0usize;
    let mut t = lag;
    while t < len {
        if !usable(t) {
            t += 1;
            continue;
        }
        let first = t;
        while t < len && usable(t) {
            t += 1;
        }
        add_run_products(
            &mut gram,
            &leader_values,
            &follower_values,
            lag,
            first,
            t - 1,
        );
        rows += t - first;
    }
    let parameters = width - 1;
    let residual_df = rows.checked_sub(parameters).filter(|&df| df > 0)?;

    // Cholesky factor R of the cross-products, column by column. R is the R of a
    // QR factorisation of [design | target], so its last column holds Qᵀ·target:
    // entries lag + 1..2·lag are what the leader lags explain beyond the
    // restricted model (the first lag + 1 columns), and the last pivot is
    // RSS_full. No difference of two residual sums is ever taken.
    for j in 0..width {
        let diagonal = gram[j * width + j];
        let pivot = diagonal - (0..j).map(|k| gram[k * width + j].powi(2)).sum::<f64>();
        if j == width - 1 {
            gram[j * width + j] = pivot.max(0.0);
            break;
        }
        // A design column that is (numerically) a combination of the earlier ones.
        let independent = pivot > 1e-12 * diagonal;
        if !independent {
            return None;
        }
        let root = pivot.sqrt();
        gram[j * width + j] = root;
        for c in j + 1..width {
            let dot: f64 = (0..j)
                .map(|k| gram[k * width + j] * gram[k * width + c])
                .sum();
            gram[j * width + c] = (gram[j * width + c] - dot) / root;
        }
    }
    let explained = |from: usize, to: usize| -> f64 {
        (from..to)
            .map(|j| gram[j * width + width - 1].powi(2))
            .sum()
    };
    let rss_full = gram[width * width - 1];
    let explained_by_leader = explained(lag + 1, parameters);
    let total_ss = explained(1, parameters) + rss_full;
    // statsmodels' "perfect fit" rule.
    let fits_perfectly = rss_full < f64::EPSILON * total_ss;
    if total_ss.is_nan() || total_ss <= 0.0 || fits_perfectly {
        return None;
    }
    let (d1, d2) = (lag as f64, residual_df as f64);
    let f = (explained_by_leader / d1) / (rss_full / d2);
    if !f.is_finite() {
        return None;
    }
    // P(F(d1, d2) > f) = I_{d2/(d2 + d1 f)}(d2/2, d1/2).
    let x = d2 / (d2 + d1 * f);
    checked_beta_reg(d2 / 2.0, d1 / 2.0, x.clamp(0.0, 1.0))
        .ok()
        .map(|p| p.clamp(0.0, 1.0))
}

/// Adds to the upper triangle of `gram` the cross-products of the Granger
/// design rows first..=last (all usable). Within a run the lag columns are
/// shifted copies of two series, so each block of products is Toeplitz up to
/// its ends: D(i, j) = D(i − 1, j − 1) + u[first − i]·v[first − j]
/// − u[last + 1 − i]·v[last + 1 − j]. Only the first row and column of each
/// block are dot products: O(lag·rows) instead of O(lag²·rows).
fn add_run_products(
    gram: &mut [f64],
    leader: &[f64],
    follower: &[f64],
    lag: usize,
    first: usize,
    last: usize,
) {
    let width = 2 * lag + 2;
    // Columns: constant, follower lags 1..=lag, leader lags 1..=lag, target
    // (the follower at shift 0).
    let follower_column = |shift: usize| if shift == 0 { width - 1 } else { shift };
    let leader_column = |shift: usize| lag + shift;
    let mut add = |a: usize, b: usize, value: f64| {
        gram[a.min(b) * width + a.max(b)] += value;
    };

    add(0, 0, (last + 1 - first) as f64);
    for (shift, sum) in shifted_sums(follower, 0, lag, first, last) {
        add(0, follower_column(shift), sum);
    }
    for (shift, sum) in shifted_sums(leader, 1, lag, first, last) {
        add(0, leader_column(shift), sum);
    }
    let own = lagged_products(follower, follower, (0, lag), (0, lag), first, last);
    for i in 0..=lag {
        for j in 0..=lag {
            if follower_column(i) <= follower_column(j) {
                add(
                    follower_column(i),
                    follower_column(j),
                    own[i * (lag + 1) + j],
                );
            }
        }
    }
    let cross = lagged_products(follower, leader, (0, lag), (1, lag), first, last);
    for i in 0..=lag {
        for j in 1..=lag {
            add(
                follower_column(i),
                leader_column(j),
                cross[i * lag + (j - 1)],
            );
        }
    }
    let other = lagged_products(leader, leader, (1, lag), (1, lag), first, last);
    for i in 1..=lag {
        for j in i..=lag {
            add(
                leader_column(i),
                leader_column(j),
                other[(i - 1) * lag + (j - 1)],
            );
        }
    }
}

/// (shift, Σ_{t=first..=last} u[t − shift]) for shift in from..=to (to ≤ first).
fn shifted_sums(u: &[f64], from: usize, to: usize, first: usize, last: usize) -> Vec<(usize, f64)> {
    let mut sums = Vec::with_capacity(to + 1 - from);
    let mut sum: f64 = u[first - from..=last - from].iter().sum();
    sums.push((from, sum));
    for shift in from + 1..=to {
        sum += u[first - shift] - u[last + 1 - shift];
        sums.push((shift, sum));
    }
    sums
}

/// D(i, j) = Σ_{t=first..=last} u[t − i]·v[t − j] for i in u_shifts, j in
/// v_shifts (inclusive ranges, shifts ≤ first), row-major.
fn lagged_products(
    u: &[f64],
    v: &[f64],
    (u_from, u_to): (usize, usize),
    (v_from, v_to): (usize, usize),
    first: usize,
    last: usize,
) -> Vec<f64> {
    let columns = v_to + 1 - v_from;
    let mut products = vec![0.0; (u_to + 1 - u_from) * columns];
    for i in u_from..=u_to {
        for j in v_from..=v_to {
            let value = if i == u_from || j == v_from {
                dot(&u[first - i..=last - i], &v[first - j..=last - j])
            } else {
                products[(i - 1 - u_from) * columns + (j - 1 - v_from)]
                    + u[first - i] * v[first - j]
                    - u[last + 1 - i] * v[last + 1 - j]
            };
            products[(i - u_from) * columns + (j - v_from)] = value;
        }
    }
    products
}

/// Dot product with four running sums, so that it pipelines.
fn dot(a: &[f64], b: &[f64]) -> f64 {
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

    #[test]
    fn polars_differences_match_the_plain_ones() {
        use polars::prelude::{Column, NamedFrom, Series};
        let columns = [
            vec![Some(1.0), Some(3.0), None, Some(4.0), Some(10.0)],
            vec![None, Some(2.0), Some(2.5), Some(2.0), None],
        ];
        let frame = DataFrame::new(
            5,
            columns
                .iter()
                .enumerate()
                .map(|(index, values)| {
                    Column::from(Series::new(
                        format!("k{index}").as_str().into(),
                        values.clone(),
                    ))
                })
                .collect(),
        )
        .unwrap();
        let differences = frame_differences(&frame);
        assert_eq!(differences[0], vec![None, Some(2.0), None, None, Some(6.0)]);
        assert_eq!(differences[1], first_differences(&columns[1]));
    }
    use serde_json::Value;

    const REFERENCE: &str = include_str!("../../tests/fixtures/reference_stats.json");

    fn reference() -> Value {
        serde_json::from_str(REFERENCE).expect("reference JSON")
    }

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
        json[key]
            .as_f64()
            .unwrap_or_else(|| panic!("number {key} in {json}"))
    }

    fn index(json: &Value, key: &str) -> usize {
        json[key]
            .as_u64()
            .unwrap_or_else(|| panic!("integer {key} in {json}")) as usize
    }

    /// Deterministic pseudo-random numbers in [0, 1) (xorshift64).
    struct Noise(u64);

    impl Noise {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn pearson_p_values_match_scipy() {
        let doc = reference();
        for case in doc["pearson"].as_array().expect("pearson cases") {
            let x: Vec<f64> = values_of(&case["x"]).into_iter().flatten().collect();
            let y: Vec<f64> = values_of(&case["y"]).into_iter().flatten().collect();
            let m = x.len();
            let (mx, my) = (
                x.iter().sum::<f64>() / m as f64,
                y.iter().sum::<f64>() / m as f64,
            );
            let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
            let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
            let syy: f64 = y.iter().map(|b| (b - my) * (b - my)).sum();
            let r = sxy / (sxx * syy).sqrt();
            assert_close(r, num(case, "r"), &format!("r (m = {m})"));
            assert_close(
                pearson_p_value(r, m),
                num(case, "p"),
                &format!("p (m = {m}, r = {r})"),
            );
        }
    }

    #[test]
    fn pearson_p_value_by_hand_and_edges() {
        // m = 4 (df 2): p = 1 − |r| exactly; m = 3 (df 1): p = 1 − 2·asin(|r|)/π.
        for r in [0.1, 0.5, -0.9, 0.999] {
            assert!((pearson_p_value(r, 4) - (1.0 - f64::abs(r))).abs() < 1e-14);
            let df1 = 1.0 - 2.0 * f64::abs(r).asin() / std::f64::consts::PI;
            assert!((pearson_p_value(r, 3) - df1).abs() < 1e-13);
        }
        assert_eq!(pearson_p_value(0.0, 50), 1.0);
        assert_eq!(pearson_p_value(1.0, 50), 0.0);
        assert_eq!(pearson_p_value(-1.0, 50), 0.0);
        assert_eq!(pearson_p_value(f64::NAN, 50), 1.0);
        assert_eq!(pearson_p_value(0.5, 2), 1.0);
    }

    #[test]
    fn benjamini_hochberg_matches_statsmodels() {
        let doc = reference();
        for case in doc["benjamini_hochberg"].as_array().expect("bh cases") {
            let p: Vec<f64> = values_of(&case["p"]).into_iter().flatten().collect();
            let want: Vec<f64> = values_of(&case["q"]).into_iter().flatten().collect();
            let got = benjamini_hochberg(&p);
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert_close(*g, *w, "q");
            }
        }
        assert!(benjamini_hochberg(&[]).is_empty());
        let q = benjamini_hochberg(&[f64::NAN, 0.01, -0.5, 2.0]);
        assert!(
            q.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
            "{q:?}"
        );
    }

    #[test]
    fn granger_matches_statsmodels() {
        let doc = reference();
        let cases = doc["granger"].as_array().expect("granger cases");
        assert!(cases.iter().any(|c| c["p"].is_null()));
        for case in cases {
            let leader = values_of(&case["leader_diff"]);
            let follower = values_of(&case["follower_diff"]);
            let lag = index(case, "lag");
            let got = granger_p(&leader, &follower, lag);
            let what = format!(
                "granger {} {}->{} lag {lag}",
                case["set"], case["leader"], case["follower"]
            );
            match (got, case["p"].as_f64()) {
                (Some(g), Some(w)) => assert_close(g, w, &what),
                (None, None) => {}
                (g, w) => panic!("{what}: {g:?} vs {w:?}"),
            }
        }
    }

    #[test]
    fn lead_lag_matches_the_reference() {
        let doc = reference();
        for set in doc["leadlag"].as_array().expect("lead/lag sets") {
            let name = set["name"].as_str().expect("name");
            let series: Vec<Vec<Option<f64>>> = set["series"]
                .as_array()
                .expect("series")
                .iter()
                .map(values_of)
                .collect();
            let periods = index(set, "periods");
            let lag_cap = index(set, "max_lag");
            assert_eq!(max_lag(periods), lag_cap);

            // First differences.
            let differences: Vec<Vec<Option<f64>>> =
                series.iter().map(|s| first_differences(s)).collect();
            for (got, want) in differences
                .iter()
                .zip(set["differences"].as_array().expect("diffs"))
            {
                let want = values_of(want);
                assert_eq!(got.len(), want.len());
                for (g, w) in got.iter().zip(&want) {
                    match (g, w) {
                        (Some(g), Some(w)) => assert_close(*g, *w, &format!("{name} difference")),
                        (None, None) => {}
                        _ => panic!("{name}: difference {g:?} vs {w:?}"),
                    }
                }
            }

            // Every lag test through the single-pair path, and BH over all of them.
            let mut p_all = Vec::new();
            let mut q_all = Vec::new();
            for test in set["tests"].as_array().expect("tests") {
                let (leader, follower, lag) = (
                    index(test, "leader"),
                    index(test, "follower"),
                    index(test, "lag"),
                );
                let profile = lag_profile(&differences[leader], &differences[follower], lag_cap);
                let what = format!("{name} {leader}->{follower} lag {lag}");
                match (profile[lag], test["skipped"].as_bool().expect("skipped")) {
                    (None, true) => {}
                    (Some(got), false) => {
                        assert_eq!(got.pairs, index(test, "pairs"), "{what} pairs");
                        assert_close(got.r, num(test, "r"), &format!("{what} r"));
                        assert_close(got.p_value, num(test, "p"), &format!("{what} p"));
                        p_all.push(got.p_value);
                        q_all.push(num(test, "q"));
                    }
                    (got, _) => panic!("{what}: {got:?} vs {test}"),
                }
            }
            for (got, want) in benjamini_hochberg(&p_all).iter().zip(&q_all) {
                assert_close(*got, *want, &format!("{name} q"));
            }

            // The matrix path, end to end.
            let results = lead_lag(&series);
            let best = set["best"].as_array().expect("best");
            assert_eq!(results.len(), best.len(), "{name}: tested pairs");
            for want in best {
                let (leader, follower) = (index(want, "leader"), index(want, "follower"));
                let what = format!("{name} best {leader}->{follower}");
                let got = results
                    .iter()
                    .find(|t| t.leader == leader && t.follower == follower)
                    .unwrap_or_else(|| panic!("{what} missing"));
                assert_eq!(got.lag, index(want, "lag"), "{what} lag");
                assert_eq!(got.pairs, index(want, "pairs"), "{what} pairs");
                assert_close(got.r, num(want, "r"), &format!("{what} r"));
                assert_close(got.p_value, num(want, "p"), &format!("{what} p"));
                assert_close(got.q_value, num(want, "q"), &format!("{what} q"));
                assert_eq!(
                    got.significant,
                    want["significant"].as_bool().expect("flag"),
                    "{what}"
                );
                match (got.granger_p, want["granger_p"].as_f64()) {
                    (Some(g), Some(w)) => assert_close(g, w, &format!("{what} granger")),
                    (None, None) => {}
                    (g, w) => panic!("{what} granger: {g:?} vs {w:?}"),
                }
            }
            assert!(
                results.iter().any(|t| t.significant),
                "{name}: planted lags found"
            );
            assert!(results.windows(2).all(|w| {
                (w[0].q_value, w[0].p_value, w[0].leader, w[0].follower)
                    <= (w[1].q_value, w[1].p_value, w[1].leader, w[1].follower)
            }));
        }
    }

    /// A mix of complete columns, columns with gaps, columns that start late or
    /// stop early, a constant and a short one.
    fn random_panel(kpis: usize, periods: usize, seed: u64) -> Vec<Vec<Option<f64>>> {
        let mut noise = Noise(seed);
        let mut base: Vec<f64> = Vec::with_capacity(periods);
        let mut level = 0.0;
        for _ in 0..periods {
            level += noise.next() - 0.5;
            base.push(level);
        }
        (0..kpis)
            .map(|kpi| {
                let shift = kpi % 4;
                let mut value = 0.0;
                (0..periods)
                    .map(|t| {
                        value += noise.next() - 0.5;
                        let driven = if t >= shift { base[t - shift] } else { 0.0 };
                        let v = value + driven * (kpi % 3) as f64;
                        match kpi % 5 {
                            _ if kpi == 6 && !(10..18).contains(&t) => None,
                            0 => Some(v),
                            1 if noise.next() < 0.15 => None,
                            2 if t < periods / 3 => None,
                            3 if kpi == 3 => Some(2.5),
                            4 if t >= periods * 3 / 4 => None,
                            _ => Some(v),
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn matrix_path_equals_single_pair_path() {
        for (kpis, periods, seed) in [(12, 60, 7), (9, 23, 99), (5, 17, 3)] {
            let series = random_panel(kpis, periods, seed);
            let differences: Vec<Vec<Option<f64>>> =
                series.iter().map(|s| first_differences(s)).collect();
            if kpis >= 7 {
                // Every kind of column the scan distinguishes is there.
                let blocks = ColumnBlocks::new(&differences);
                let coverage = &blocks.coverage;
                assert!(coverage.iter().any(|c| matches!(c, Coverage::Masked(_))));
                assert!(coverage.iter().any(
                    |c| matches!(c, Coverage::Run { first: 0, last } if last + 1 == blocks.rows)
                ));
                assert!(coverage
                    .iter()
                    .any(|c| matches!(c, Coverage::Run { first, .. } if *first > 0)));
                assert!(coverage
                    .iter()
                    .any(|c| matches!(c, Coverage::Run { last, .. } if last + 1 < blocks.rows)));
            }
            let results = lead_lag(&series);
            let mut p_all = Vec::new();
            let mut expected = Vec::new();
            for leader in 0..kpis {
                for follower in 0..kpis {
                    if leader == follower {
                        continue;
                    }
                    let profile = lag_profile(
                        &differences[leader],
                        &differences[follower],
                        max_lag(periods),
                    );
                    let mut best: Option<LagCorrelation> = None;
                    for test in profile.into_iter().flatten() {
                        p_all.push(test.p_value);
                        if best.is_none_or(|b| test.r.abs() > b.r.abs()) {
                            best = Some(test);
                        }
                    }
                    if let Some(best) = best {
                        expected.push((leader, follower, best));
                    }
                }
            }
            let q_all = benjamini_hochberg(&p_all);
            assert_eq!(results.len(), expected.len());
            for (leader, follower, best) in expected {
                let got = results
                    .iter()
                    .find(|t| t.leader == leader && t.follower == follower)
                    .expect("pair");
                assert_eq!((got.lag, got.pairs), (best.lag, best.pairs));
                assert!((got.r - best.r).abs() < 1e-10, "{got:?} vs {best:?}");
                assert!(close(got.p_value, best.p_value));
                let q = q_all[p_all.iter().position(|&p| p == best.p_value).expect("p")];
                assert!(close(got.q_value, q), "{} vs {q}", got.q_value);
            }
        }
    }

    #[test]
    fn degenerate_inputs_give_no_tests_and_no_nan() {
        let cases: Vec<Vec<Vec<Option<f64>>>> = vec![
            vec![],
            vec![vec![Some(1.0), Some(2.0), Some(4.0), Some(3.0), Some(5.0)]],
            vec![vec![], vec![]],
            vec![vec![Some(1.0)], vec![Some(2.0)]],
            vec![vec![Some(1.0), Some(2.0), Some(0.0)]; 3],
            vec![vec![None; 30]; 4],
            vec![vec![Some(3.0); 30]; 3],
            vec![
                (0..30).map(|t| Some(t as f64 * 0.1)).collect(),
                (0..30).map(|t| Some((t * t % 7) as f64)).collect(),
            ],
            vec![
                vec![Some(f64::NAN), Some(f64::INFINITY), Some(1.0)],
                vec![Some(1.0); 2],
            ],
        ];
        for series in &cases {
            for test in lead_lag(series) {
                for v in [test.r, test.p_value, test.q_value] {
                    assert!(v.is_finite(), "{series:?}: {test:?}");
                }
            }
        }
        // A linear series has constant differences: nothing to correlate.
        assert!(lead_lag(&cases[7]).is_empty());
        assert!(lag_profile(&[], &[None, Some(1.0)], 3)
            .iter()
            .all(Option::is_none));
        // Ragged input: the shorter series counts as missing at the end.
        let ragged = vec![
            (0..40).map(|t| Some(((t * 7919) % 13) as f64)).collect(),
            (0..25)
                .map(|t| Some(((t * 104_729) % 11) as f64))
                .collect::<Vec<_>>(),
        ];
        for test in lead_lag(&ragged) {
            assert!(test.r.is_finite() && test.pairs <= 24);
        }
    }

    #[test]
    fn granger_edge_cases() {
        let x: Vec<Option<f64>> = (0..30).map(|t| Some(((t * 37) % 11) as f64)).collect();
        assert_eq!(granger_p(&x, &x, 0), None);
        assert_eq!(granger_p(&x[..5], &x[..5], 3), None);
        assert_eq!(granger_p(&[], &[], 1), None);
        let constant = vec![Some(1.0); 30];
        assert_eq!(granger_p(&constant, &x, 1), None);
    }

    /// Least squares by normal equations and Gaussian elimination, as plainly as
    /// possible: the residual sum of squares of y on the columns of x.
    fn naive_rss(x: &[Vec<f64>], y: &[f64]) -> f64 {
        let p = x[0].len();
        let mut system: Vec<Vec<f64>> = (0..p)
            .map(|i| {
                let mut row: Vec<f64> = (0..p)
                    .map(|j| x.iter().map(|r| r[i] * r[j]).sum())
                    .collect();
                row.push(x.iter().zip(y).map(|(r, v)| r[i] * v).sum());
                row
            })
            .collect();
        for col in 0..p {
            let pivot = (col..p)
                .max_by(|&a, &b| system[a][col].abs().total_cmp(&system[b][col].abs()))
                .expect("pivot");
            system.swap(col, pivot);
            let pivot_row = system[col].clone();
            for row in system.iter_mut().skip(col + 1) {
                let factor = row[col] / pivot_row[col];
                for (value, above) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *value -= factor * above;
                }
            }
        }
        let mut beta = vec![0.0; p];
        for row in (0..p).rev() {
            let known: f64 = (row + 1..p).map(|k| system[row][k] * beta[k]).sum();
            beta[row] = (system[row][p] - known) / system[row][row];
        }
        x.iter()
            .zip(y)
            .map(|(r, v)| {
                let fitted: f64 = r.iter().zip(&beta).map(|(a, b)| a * b).sum();
                (v - fitted) * (v - fitted)
            })
            .sum()
    }

    #[test]
    fn granger_with_gaps_matches_two_plain_regressions() {
        use statrs::distribution::{ContinuousCDF, FisherSnedecor};
        let mut noise = Noise(2024);
        let periods = 90;
        let leader: Vec<Option<f64>> = (0..periods).map(|_| Some(noise.next() - 0.5)).collect();
        let mut follower: Vec<Option<f64>> = (0..periods)
            .map(|t| {
                let driven = if t >= 2 {
                    leader[t - 2].unwrap_or(0.0)
                } else {
                    0.0
                };
                Some(0.4 * driven + noise.next() - 0.5 + 3.0)
            })
            .collect();
        let mut leader = leader;
        for t in [7, 8, 30, 31, 32, 61] {
            leader[t] = None;
        }
        for t in [15, 44, 45, 80] {
            follower[t] = None;
        }
        for lag in 1..=5 {
            let mut design = Vec::new();
            let mut target = Vec::new();
            for t in lag..periods {
                let lags: Option<Vec<f64>> = (1..=lag)
                    .map(|j| follower[t - j])
                    .chain((1..=lag).map(|j| leader[t - j]))
                    .collect();
                if let (Some(y), Some(lags)) = (follower[t], lags) {
                    let mut row = vec![1.0];
                    row.extend(lags);
                    design.push(row);
                    target.push(y);
                }
            }
            let restricted: Vec<Vec<f64>> = design.iter().map(|r| r[..=lag].to_vec()).collect();
            let rss_r = naive_rss(&restricted, &target);
            let rss_u = naive_rss(&design, &target);
            let df = (target.len() - 2 * lag - 1) as f64;
            let f = ((rss_r - rss_u) / lag as f64) / (rss_u / df);
            let want = FisherSnedecor::new(lag as f64, df).expect("F").sf(f);
            let got = granger_p(&leader, &follower, lag).expect("p");
            assert!(
                (got - want).abs() <= 1e-12 + 1e-8 * want,
                "lag {lag}: {got:e} vs {want:e}"
            );
        }
    }

    #[test]
    fn first_differences_by_hand() {
        let d = first_differences(&[
            Some(1.0),
            Some(4.0),
            None,
            Some(2.0),
            Some(1.5),
            Some(f64::NAN),
        ]);
        assert_eq!(d, vec![None, Some(3.0), None, None, Some(-0.5), None]);
        assert!(first_differences(&[]).is_empty());
        assert_eq!(max_lag(3), 0);
        assert_eq!(max_lag(40), 10);
        assert_eq!(max_lag(1000), 12);
    }

    /// 500 KPIs × 1,000 periods, random walks (so that the differences are
    /// white noise), half of them with gaps. Run with
    /// `cargo test --release --lib analysis::leadlag -- --ignored --nocapture`.
    #[test]
    #[ignore = "large; run in release"]
    fn scales_to_500_kpis_by_1000_periods() {
        let mut noise = Noise(42);
        let series: Vec<Vec<Option<f64>>> = (0..500)
            .map(|_| {
                let mut level = 0.0;
                (0..1000)
                    .map(|_| {
                        level += noise.next() - 0.5;
                        Some(level)
                    })
                    .collect()
            })
            .collect();
        let started = std::time::Instant::now();
        let results = lead_lag(&series);
        let complete = started.elapsed();
        assert_eq!(results.len(), 500 * 499);

        let mut gappy = series;
        for column in gappy.iter_mut().step_by(2) {
            for (t, value) in column.iter_mut().enumerate() {
                if (t * 31) % 97 == 0 {
                    *value = None;
                }
            }
        }
        let started = std::time::Instant::now();
        let results = lead_lag(&gappy);
        let with_gaps = started.elapsed();
        assert_eq!(results.len(), 500 * 499);
        eprintln!("500 x 1000: complete {complete:?}, half the columns with gaps {with_gaps:?}");
    }
}
