//! Where a KPI stands: latest and previous value, change, year-over-year,
//! volatility, and a rolling mean.

use serde::Serialize;

/// The descriptive numbers of one KPI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Index of the latest present value.
    #[serde(skip)]
    pub latest_index: Option<usize>,
    pub latest: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
    pub change_pct: Option<f64>,
    pub yoy_change: Option<f64>,
    pub yoy_change_pct: Option<f64>,
    pub volatility: Volatility,
    pub rolling_mean: Vec<Option<f64>>,
    /// Present values (missing dropped).
    pub count: usize,
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// How much a KPI moves around its mean.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Volatility {
    /// Sample standard deviation (n − 1).
    pub sd: Option<f64>,
    /// Coefficient of variation: sd / |mean|; none when the mean is ~0.
    pub cv: Option<f64>,
}

/// Percent change from `from` to `to`; none when `from` is zero.
pub fn percent_change(from: f64, to: f64) -> Option<f64> {
    (from.abs() > f64::EPSILON).then(|| (to - from) / from.abs() * 100.0)
}

/// Mean and sample standard deviation of the present values.
pub fn mean_and_sd(values: &[Option<f64>]) -> (Option<f64>, Option<f64>) {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.is_empty() {
        return (None, None);
    }
    let count = present.len() as f64;
    let mean = present.iter().sum::<f64>() / count;
    if present.len() < 2 {
        return (Some(mean), None);
    }
    let variance = present
        .iter()
        .map(|value| (value - mean).powi(2))
        .sum::<f64>()
        / (count - 1.0);
    (Some(mean), Some(variance.sqrt()))
}

/// Summarises one KPI. `periods_per_year` finds the year-ago value;
/// `window` is the rolling-mean window (one quarter of periods).
pub fn summarise(
    values: &[Option<f64>],
    periods_per_year: Option<usize>,
    window: usize,
) -> Summary {
    let mut present = values
        .iter()
        .enumerate()
        .filter_map(|(index, value)| value.map(|value| (index, value)));
    let latest = present.next_back();
    let previous = present.next_back();
    let change = latest
        .zip(previous)
        .map(|((_, latest), (_, previous))| latest - previous);
    let change_pct = latest
        .zip(previous)
        .and_then(|((_, latest), (_, previous))| percent_change(previous, latest));
    let year_ago = latest.and_then(|(index, _)| {
        let lag = periods_per_year?;
        let earlier = index.checked_sub(lag)?;
        values.get(earlier).copied().flatten()
    });
    let yoy_change = latest
        .zip(year_ago)
        .map(|((_, latest), year_ago)| latest - year_ago);
    let yoy_change_pct = latest
        .zip(year_ago)
        .and_then(|((_, latest), year_ago)| percent_change(year_ago, latest));
    let (mean, sd) = mean_and_sd(values);
    let cv = mean
        .zip(sd)
        .and_then(|(mean, sd)| (mean.abs() > f64::EPSILON).then(|| sd / mean.abs()));
    let present_values: Vec<f64> = values.iter().flatten().copied().collect();
    Summary {
        latest_index: latest.map(|(index, _)| index),
        latest: latest.map(|(_, value)| value),
        previous: previous.map(|(_, value)| value),
        change,
        change_pct,
        yoy_change,
        yoy_change_pct,
        volatility: Volatility { sd, cv },
        rolling_mean: rolling_mean(values, window),
        count: present_values.len(),
        mean,
        min: present_values.iter().copied().reduce(f64::min),
        max: present_values.iter().copied().reduce(f64::max),
    }
}

/// Trailing mean over `window` periods of the present values in the window;
/// none until the window is full of periods (missing values are skipped,
/// not filled).
///
/// Each window is summed left to right on its own (not a running sum,
/// whose rounding would drift over a long series). Missing values are
/// summed as -0.0, which leaves every sum as it is, and [`LANES`] windows
/// are summed side by side, so a long daily series (13,000 windows of 91)
/// keeps the processor busy instead of waiting on one chain of additions.
pub fn rolling_mean(values: &[Option<f64>], window: usize) -> Vec<Option<f64>> {
    let window = window.max(1);
    let mut means = vec![None; values.len()];
    let Some(windows) = values.len().checked_sub(window - 1) else {
        return means;
    };
    let filled: Vec<f64> = values.iter().map(|value| value.unwrap_or(-0.0)).collect();
    // present[i]: how many values before position i are present.
    let mut present = Vec::with_capacity(values.len() + 1);
    present.push(0usize);
    for value in values {
        present.push(present.last().copied().unwrap_or(0) + usize::from(value.is_some()));
    }
    for first in (0..windows).step_by(LANES) {
        let lanes = LANES.min(windows - first);
        let mut sums = [-0.0_f64; LANES];
        for offset in 0..window {
            let start = first + offset;
            let column = filled.get(start..start + lanes).unwrap_or_default();
            for (sum, value) in sums.iter_mut().zip(column) {
                *sum += value;
            }
        }
        for (lane, sum) in sums.iter().take(lanes).enumerate() {
            let start = first + lane;
            let count = present.get(start + window).copied().unwrap_or(0)
                - present.get(start).copied().unwrap_or(0);
            if let Some(slot) = means.get_mut(start + window - 1) {
                *slot = (count > 0).then(|| sum / count as f64);
            }
        }
    }
    means
}

/// Windows [`rolling_mean`] sums at once.
const LANES: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_previous_and_changes() {
        let values = [Some(100.0), None, Some(110.0), Some(121.0), None];
        let summary = summarise(&values, Some(2), 2);
        assert_eq!(summary.latest, Some(121.0));
        assert_eq!(summary.latest_index, Some(3));
        assert_eq!(summary.previous, Some(110.0));
        assert_eq!(summary.change, Some(11.0));
        assert!((summary.change_pct.unwrap() - 10.0).abs() < 1e-12);
        // Two periods before index 3 is index 1, which is missing.
        assert_eq!(summary.yoy_change, None);
        assert_eq!(
            summary.rolling_mean,
            vec![None, Some(100.0), Some(110.0), Some(115.5), Some(121.0)]
        );
    }

    #[test]
    fn volatility_matches_hand_computation() {
        // mean 5, sample variance ((−3)²+(−1)²+1²+3²)/3 = 20/3.
        let summary = summarise(&[Some(2.0), Some(4.0), Some(6.0), Some(8.0)], Some(12), 3);
        assert!((summary.volatility.sd.unwrap() - (20.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((summary.volatility.cv.unwrap() - (20.0f64 / 3.0).sqrt() / 5.0).abs() < 1e-12);
    }

    #[test]
    fn empty_and_single_values_give_nones() {
        let empty = summarise(&[None, None], Some(12), 3);
        assert_eq!(empty.latest, None);
        assert_eq!(empty.volatility.sd, None);
        let single = summarise(&[Some(3.0)], Some(12), 3);
        assert_eq!(single.latest, Some(3.0));
        assert_eq!(single.change, None);
        assert_eq!(single.volatility.sd, None);
    }

    #[test]
    fn rolling_means_are_each_window_summed_left_to_right() {
        // Against the definition, window by window, bit for bit: gaps,
        // windows longer than the series, all lanes and a partial last one.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for length in [0usize, 1, 5, 17, 100, 1_000] {
            let values: Vec<Option<f64>> = (0..length)
                .map(|_| {
                    let draw = next();
                    (draw % 5 != 0).then(|| (draw >> 11) as f64 / 3.7e12 - 1_000.0)
                })
                .collect();
            for window in [1usize, 2, 3, 8, 9, 91, 2_000] {
                let expected: Vec<Option<f64>> = (0..length)
                    .map(|end| {
                        if end + 1 < window {
                            return None;
                        }
                        let mut sum = 0.0;
                        let mut count = 0;
                        for value in values[end + 1 - window..=end].iter().flatten() {
                            sum += value;
                            count += 1;
                        }
                        (count > 0).then(|| sum / count as f64)
                    })
                    .collect();
                let got = rolling_mean(&values, window);
                assert_eq!(got.len(), length);
                for (got, expected) in got.iter().zip(&expected) {
                    assert_eq!(
                        got.map(f64::to_bits),
                        expected.map(f64::to_bits),
                        "length {length}, window {window}"
                    );
                }
            }
        }
        assert_eq!(rolling_mean(&[None, None, None], 2), vec![None, None, None]);
    }

    #[test]
    fn percent_change_from_zero_is_none() {
        assert_eq!(percent_change(0.0, 5.0), None);
        assert_eq!(percent_change(-10.0, -5.0), Some(50.0));
    }
}
