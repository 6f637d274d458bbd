//! Lead/lag relationships between KPIs, made valid for the series KPIs
//! are: each KPI is made stationary first (its level demeaned when ADF and
//! KPSS agree it is stationary, else its first differences) and, when it
//! is seasonal, has its month means removed. For an ordered pair (leader →
//! follower) the cross-correlation r(k) at lags k = 0..L is then taken
//! after prewhitening both series with the leader's own AR filter
//! ([`prewhiten`]), and tested with Pearson's t-test; a pair with a
//! seasonal KPI is not prewhitened and is tested on the Bartlett /
//! Pyper–Peterman effective sample size instead ([`bartlett`]). Every
//! (pair, lag) test enters one Benjamini–Hochberg family; each pair is
//! reported at its best lag; a Granger F-test on the stationary series is a
//! second opinion for the candidates.
//!
//! The definitions are the SPEC's ("Exact definitions"); the conventions are
//! statsmodels' `ar_select_order`/`AutoReg`, scipy's `lfilter` and
//! `pearsonr`, statsmodels' `multipletests(method="fdr_bh")` and
//! `grangercausalitytests(...)["ssr_ftest"]`, checked against
//! `tests/fixtures/reference_stats.json`.
//!
//! Speed: a leader's filter is fitted once and applied once per follower;
//! the correlations run on [`scan::Column`]s, where a complete pair at one
//! lag costs one dot product.

pub mod bartlett;
pub mod prewhiten;
pub mod scan;

use serde::Serialize;
use statrs::function::beta::checked_beta_reg;

use crate::model::Frequency;
use bartlett::bartlett_correlation_test;
use prewhiten::prewhitening_model;
use scan::{dot, filter_into, lagged_correlations, Column, CONSTANT_TOLERANCE, MIN_PAIRS};

/// q-value at or below which a pair at a lag ≥ 1 is a lead/lag relationship.
pub const SIGNIFICANCE: f64 = 0.05;
/// With fewer periods than this, findings are marked exploratory.
pub const EXPLORATORY_BELOW: usize = 60;
/// The most series the scan tests against each other: 1,000 make 999,000
/// ordered pairs at every lag. Above it no pair is tested (the report says
/// so), rather than spend minutes and gigabytes on tens of millions of
/// pairs, most of them across entities.
pub const MAX_SERIES: usize = 1_000;

/// The largest lag tested: min(K, ⌊periods/4⌋), K = 7 for daily, 4 for
/// weekly, 3 otherwise (SPEC); `wider` (the `--max-lag` option) replaces K.
pub fn max_lag(frequency: Frequency, periods: usize, wider: Option<usize>) -> usize {
    let cap = wider.unwrap_or(match frequency {
        Frequency::Daily => 7,
        Frequency::Weekly => 4,
        _ => 3,
    });
    cap.min(periods / 4)
}

/// How a pair was tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Both series filtered with the leader's AR model, Pearson's t-test.
    Prewhitened,
    /// A seasonal KPI: month means removed, Bartlett effective sample size.
    Deseasonalised,
}

/// One KPI as the lead/lag scan needs it.
#[derive(Debug, Clone, Default)]
pub struct LeadLagSeries {
    /// The stationary series (demeaned levels or first differences), one
    /// entry per period, month means removed when `seasonal`.
    pub stationary: Vec<Option<f64>>,
    pub seasonal: bool,
    /// Series that must not be tested against each other share a group
    /// (an aggregate entity and the entities it sums): None for most.
    pub group: Option<String>,
    /// Whether the series is an aggregate of its group.
    pub aggregate: bool,
}

/// One lagged correlation test: leader at t against follower at t + `lag`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LagCorrelation {
    /// Lag k in periods.
    pub lag: usize,
    /// Pearson's r over the pairs where both series are present.
    pub r: f64,
    /// Number of such pairs (m).
    pub pairs: usize,
    /// Two-sided p-value of r.
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
    pub method: Method,
    /// Fewer than 60 periods: a hint to explore, not a finding.
    pub exploratory: bool,
}

/// A leader ready to be tested against every follower.
struct Leader {
    /// Its prewhitening filter φ (empty for white noise).
    coefficients: Vec<f64>,
    /// Its filtered series, aligned to periods (first p missing).
    filtered: Option<Column>,
}

/// Every ordered pair of KPIs tested at lags 0..=`max_lag`, each reported
/// at its best lag, sorted by q-value (then p-value, leader, follower).
/// Pairs where no lag could be tested (fewer than 8 pairs, or a constant
/// side) are left out, and so are pairs within one group.
pub fn lead_lag(series: &[LeadLagSeries], periods: usize, max_lag: usize) -> Vec<PairTest> {
    let count = series.len();
    if !(2..=MAX_SERIES).contains(&count) {
        return Vec::new();
    }
    let exploratory = periods < EXPLORATORY_BELOW;
    // Dense copies (NaN = missing) for filtering, and the unfiltered columns.
    let dense: Vec<Vec<f64>> = series
        .iter()
        .map(|kpi| {
            kpi.stationary
                .iter()
                .map(|value| value.filter(|v| v.is_finite()).unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let stationary: Vec<Option<Column>> = dense
        .iter()
        .map(|values| {
            let mut column = Column::default();
            column.rebuild(values).then_some(column)
        })
        .collect();
    let mut scratch = Vec::new();
    let leaders: Vec<Leader> = series
        .iter()
        .zip(&stationary)
        .zip(&dense)
        .map(|((kpi, column), values)| {
            if kpi.seasonal || column.is_none() {
                return Leader {
                    coefficients: Vec::new(),
                    filtered: None,
                };
            }
            let coefficients = prewhitening_model(&kpi.stationary)
                .map(|fit| fit.coefficients)
                .unwrap_or_default();
            filter_into(values, &coefficients, &mut scratch);
            let mut filtered = Column::default();
            Leader {
                filtered: filtered.rebuild(&scratch).then_some(filtered),
                coefficients,
            }
        })
        .collect();
    let mut profiles: Vec<(usize, usize, Method, Vec<LagCorrelation>)> = Vec::new();
    let mut p_values: Vec<f64> = Vec::new();
    // One follower column refilled per (leader, follower): no allocation in the loop.
    let mut refiltered = Column::default();
    for (leader_index, leader) in leaders.iter().enumerate() {
        for follower_index in 0..count {
            if follower_index == leader_index
                || same_group(&series[leader_index], &series[follower_index])
            {
                continue;
            }
            let (Some(leader_kpi), Some(follower_kpi)) =
                (series.get(leader_index), series.get(follower_index))
            else {
                continue;
            };
            let (method, tests) = if leader_kpi.seasonal || follower_kpi.seasonal {
                (
                    Method::Deseasonalised,
                    deseasonalised_profile(
                        &leader_kpi.stationary,
                        &follower_kpi.stationary,
                        max_lag,
                    ),
                )
            } else {
                let tests = match (&leader.filtered, &stationary[follower_index]) {
                    (Some(filtered_leader), Some(raw_follower)) => {
                        if leader.coefficients.is_empty() {
                            pearson_profile(filtered_leader, raw_follower, max_lag)
                        } else {
                            filter_into(&dense[follower_index], &leader.coefficients, &mut scratch);
                            if refiltered.rebuild(&scratch) {
                                pearson_profile(filtered_leader, &refiltered, max_lag)
                            } else {
                                Vec::new()
                            }
                        }
                    }
                    _ => Vec::new(),
                };
                (Method::Prewhitened, tests)
            };
            if tests.is_empty() {
                continue;
            }
            p_values.extend(tests.iter().map(|test| test.p_value));
            profiles.push((leader_index, follower_index, method, tests));
        }
    }
    let best: Vec<(usize, usize, Method, LagCorrelation)> = profiles
        .into_iter()
        .filter_map(|(leader, follower, method, tests)| {
            best_lag(&tests).map(|best| (leader, follower, method, best))
        })
        .collect();
    let queries: Vec<f64> = best.iter().map(|(_, _, _, test)| test.p_value).collect();
    let q_values = bh_q_values(&p_values, &queries);
    // Each series centred and scaled once for its Granger tests (a daily
    // sheet can have thousands of candidate pairs), when they are all as
    // long as each other, as granger_p would cut them.
    let same_length = series
        .windows(2)
        .all(|pair| pair[0].stationary.len() == pair[1].stationary.len());
    let standardized: Vec<std::cell::OnceCell<Option<Vec<Option<f64>>>>> =
        series.iter().map(|_| std::cell::OnceCell::new()).collect();
    let standardized_of = |index: usize| {
        standardized[index]
            .get_or_init(|| standardize(&series[index].stationary))
            .as_deref()
    };
    let granger_of = |leader: usize, follower: usize, lag: usize| {
        if same_length {
            granger_standardized(standardized_of(leader)?, standardized_of(follower)?, lag)
        } else {
            granger_p(
                &series[leader].stationary,
                &series[follower].stationary,
                lag,
            )
        }
    };
    let mut results: Vec<PairTest> = best
        .into_iter()
        .zip(q_values)
        .map(|((leader, follower, method, test), q_value)| {
            let candidate = q_value <= SIGNIFICANCE && test.lag >= 1;
            let granger = candidate
                .then(|| granger_of(leader, follower, test.lag))
                .flatten();
            PairTest {
                leader,
                follower,
                lag: test.lag,
                r: test.r,
                pairs: test.pairs,
                p_value: test.p_value,
                q_value,
                granger_p: granger,
                significant: candidate,
                method,
                exploratory,
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

/// Whether two series are an aggregate and a part of it (or two parts of
/// one aggregate's KPI with an aggregate present): trivially related.
fn same_group(a: &LeadLagSeries, b: &LeadLagSeries) -> bool {
    matches!((&a.group, &b.group), (Some(x), Some(y)) if x == y) && (a.aggregate || b.aggregate)
}

/// r(k) and its t-test p-value for k = 0..=max_lag, skipped lags left out.
fn pearson_profile(leader: &Column, follower: &Column, max_lag: usize) -> Vec<LagCorrelation> {
    lagged_correlations(leader, follower, max_lag)
        .into_iter()
        .enumerate()
        .filter_map(|(lag, test)| {
            let (r, pairs) = test?;
            Some(LagCorrelation {
                lag,
                r,
                pairs,
                p_value: pearson_p_value(r, pairs),
            })
        })
        .collect()
}

/// r(k) with the Bartlett effective-sample-size p-value, k = 0..=max_lag.
fn deseasonalised_profile(
    leader: &[Option<f64>],
    follower: &[Option<f64>],
    max_lag: usize,
) -> Vec<LagCorrelation> {
    let length = leader.len().min(follower.len());
    (0..=max_lag)
        .filter_map(|lag| {
            let x = leader.get(..length.checked_sub(lag)?)?;
            let y = follower.get(lag..length)?;
            let pairs = x
                .iter()
                .zip(y)
                .filter(|(a, b)| a.is_some() && b.is_some())
                .count();
            if pairs < MIN_PAIRS {
                return None;
            }
            let test = bartlett_correlation_test(x, y)?;
            test.r.is_finite().then_some(LagCorrelation {
                lag,
                r: test.r,
                pairs: test.pairs,
                p_value: test.p_value,
            })
        })
        .collect()
}

/// The test with the largest |r|; ties go to the smaller lag.
fn best_lag(tests: &[LagCorrelation]) -> Option<LagCorrelation> {
    tests
        .iter()
        .copied()
        .fold(None, |best: Option<LagCorrelation>, test| match best {
            Some(kept) if kept.r.abs() >= test.r.abs() => Some(kept),
            _ => Some(test),
        })
}

/// The lagged correlations of one pair, exactly as [`lead_lag`] computes
/// them, for a detail view of r(k) (entry k is lag k).
pub fn pair_profile(
    leader: &LeadLagSeries,
    follower: &LeadLagSeries,
    max_lag: usize,
) -> Vec<Option<LagCorrelation>> {
    let tests = if leader.seasonal || follower.seasonal {
        deseasonalised_profile(&leader.stationary, &follower.stationary, max_lag)
    } else {
        let coefficients = prewhitening_model(&leader.stationary)
            .map(|fit| fit.coefficients)
            .unwrap_or_default();
        let filtered = |series: &[Option<f64>]| {
            let dense: Vec<f64> = series
                .iter()
                .map(|value| value.filter(|v| v.is_finite()).unwrap_or(f64::NAN))
                .collect();
            let mut out = Vec::new();
            filter_into(&dense, &coefficients, &mut out);
            let mut column = Column::default();
            column.rebuild(&out).then_some(column)
        };
        match (filtered(&leader.stationary), filtered(&follower.stationary)) {
            (Some(a), Some(b)) => pearson_profile(&a, &b, max_lag),
            _ => Vec::new(),
        }
    };
    (0..=max_lag)
        .map(|lag| tests.iter().find(|test| test.lag == lag).copied())
        .collect()
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

/// Values a series needs for the Granger regressions to be worth setting up.
const MIN_GRANGER_VALUES: usize = 4;

/// A series centred and scaled by its own mean and standard deviation (the
/// Granger F does not change, and its cross-products stay well
/// conditioned); `None` when it has fewer than four values or is constant.
fn standardize(differences: &[Option<f64>]) -> Option<Vec<Option<f64>>> {
    let present: Vec<f64> = differences
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if present.len() < MIN_GRANGER_VALUES {
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::analysis::test_support::*;

    #[test]
    fn more_series_than_the_limit_are_not_tested() {
        let series = |count: usize| -> Vec<LeadLagSeries> {
            let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
            (0..count)
                .map(|_| LeadLagSeries {
                    stationary: (0..24).map(|_| Some(noise.next())).collect(),
                    seasonal: false,
                    group: None,
                    aggregate: false,
                })
                .collect()
        };
        assert!(lead_lag(&series(MAX_SERIES + 1), 24, 3).is_empty());
        assert!(!lead_lag(&series(3), 24, 3).is_empty());
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

    /// White noise with a few gaps in every third series.
    fn white_noise_panel(kpis: usize, periods: usize, seed: u64) -> Vec<LeadLagSeries> {
        let mut noise = Noise(seed);
        (0..kpis)
            .map(|kpi| LeadLagSeries {
                stationary: (0..periods)
                    .map(|t| (!(kpi % 3 == 1 && t % 17 == 5)).then(|| noise.next() - 0.5))
                    .collect(),
                ..LeadLagSeries::default()
            })
            .collect()
    }

    #[test]
    fn the_scan_equals_the_single_pair_path() {
        let mut series = white_noise_panel(6, 80, 11);
        series[2].seasonal = true;
        let results = lead_lag(&series, 80, 3);
        assert_eq!(results.len(), 30);
        for test in &results {
            let profile = pair_profile(&series[test.leader], &series[test.follower], 3);
            let best =
                best_lag(&profile.iter().flatten().copied().collect::<Vec<_>>()).expect("a lag");
            assert_eq!((best.lag, best.pairs), (test.lag, test.pairs));
            assert!((best.r - test.r).abs() < 1e-12 && (best.p_value - test.p_value).abs() < 1e-12);
            let seasonal = series[test.leader].seasonal || series[test.follower].seasonal;
            assert_eq!(test.method == Method::Deseasonalised, seasonal);
        }
    }

    #[test]
    fn an_aggregate_is_not_tested_against_its_parts() {
        let mut series = white_noise_panel(3, 40, 5);
        for kpi in &mut series {
            kpi.group = Some("Revenue".to_string());
        }
        series[0].aggregate = true;
        let results = lead_lag(&series, 40, 3);
        assert!(results
            .iter()
            .all(|test| test.leader != 0 && test.follower != 0));
        assert_eq!(results.len(), 2);
    }

    #[test]
    fn degenerate_inputs_give_no_tests_and_no_nan() {
        let cases: Vec<Vec<Vec<Option<f64>>>> = vec![
            vec![],
            vec![vec![Some(1.0), Some(2.0), Some(4.0), Some(3.0), Some(5.0)]],
            vec![vec![], vec![]],
            vec![vec![Some(1.0)], vec![Some(2.0)]],
            vec![vec![None; 30]; 4],
            vec![vec![Some(3.0); 30]; 3],
            vec![
                vec![Some(f64::NAN), Some(f64::INFINITY), Some(1.0)],
                vec![Some(1.0); 2],
            ],
        ];
        for case in &cases {
            let series: Vec<LeadLagSeries> = case
                .iter()
                .map(|values| LeadLagSeries {
                    stationary: values.clone(),
                    ..LeadLagSeries::default()
                })
                .collect();
            for test in lead_lag(&series, 30, 3) {
                for value in [test.r, test.p_value, test.q_value] {
                    assert!(value.is_finite(), "{case:?}: {test:?}");
                }
            }
        }
        assert_eq!(max_lag(Frequency::Monthly, 36, None), 3);
        assert_eq!(max_lag(Frequency::Daily, 1000, None), 7);
        assert_eq!(max_lag(Frequency::Weekly, 10, None), 2);
        assert_eq!(max_lag(Frequency::Monthly, 120, Some(6)), 6);
    }

    /// 500 KPIs × 1,000 periods of white noise (differenced random walks),
    /// half of them with gaps. Run with
    /// `cargo test --release --lib analysis::leadlag -- --ignored --nocapture`.
    #[test]
    #[ignore = "large; run in release"]
    fn scales_to_500_kpis_by_1000_periods() {
        let series = white_noise_panel(500, 1000, 42);
        let started = std::time::Instant::now();
        let results = lead_lag(&series, 1000, 7);
        eprintln!(
            "500 x 1000: {:?}, {} pairs",
            started.elapsed(),
            results.len()
        );
        assert_eq!(results.len(), 500 * 499);
    }
}
