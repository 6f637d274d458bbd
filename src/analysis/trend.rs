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

/// The Theil–Sen slope: the median of all pairwise slopes (yj − yi)/(xj − xi),
/// i < j, with numpy's median (mean of the two middle slopes for an even count).
///
/// `None` with fewer than two present values. O(n²) memory and time, using a
/// selection rather than a sort: 1,000 points (≈500k slopes) take a few ms.
pub fn theil_sen_slope(values: &[Option<f64>]) -> Option<f64> {
    let points = present_points(values);
    let n = points.len();
    if n < 2 {
        return None;
    }
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
        return Some(upper);
    }
    let lower_middle = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((lower_middle + upper) / 2.0)
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
pub fn mann_kendall(values: &[Option<f64>]) -> Option<MannKendall> {
    let ys: Vec<f64> = present_points(values).into_iter().map(|p| p.1).collect();
    let n = ys.len();
    if n < 2 {
        return None;
    }
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
    let s = s as f64;
    let count = n as f64;
    let tau = s / (0.5 * count * (count - 1.0));

    let mut sorted = ys;
    sorted.sort_unstable_by(f64::total_cmp);
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < sorted.len() {
        let mut end = start + 1;
        while end < sorted.len() && sorted[end] == sorted[start] {
            end += 1;
        }
        let t = (end - start) as f64;
        tie_term += t * (t - 1.0) * (2.0 * t + 5.0);
        start = end;
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
}
