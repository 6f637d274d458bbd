//! No input makes a statistic panic or report a NaN: empty, all missing,
//! NaN and infinities, one or two values, constants, huge and tiny
//! magnitudes, exact patterns that fit perfectly.

use kpilot::analysis::hac::{drift_test, trend_wanders};
use kpilot::analysis::leadlag::bartlett::{
    bartlett_correlation_test, bartlett_effective_sample_size,
};
use kpilot::analysis::leadlag::prewhiten::{
    ar_filter, fit_ar, prewhitening_model, select_ar_order,
};
use kpilot::analysis::seasonality::{
    remove_seasonal_means, seasonal_f_test, seasonality, SeasonalPeriod,
};
use kpilot::analysis::significance::prewhitened_mann_kendall;
use kpilot::analysis::stationarity::{
    adf_test, assess_stationarity, kpss_test, stationary_series, Stationarity,
};

fn awkward_inputs() -> Vec<(&'static str, Vec<Option<f64>>)> {
    let ramp = |n: usize, f: &dyn Fn(f64) -> f64| -> Vec<Option<f64>> {
        (0..n).map(|i| Some(f(i as f64))).collect()
    };
    vec![
        ("empty", vec![]),
        ("one", vec![Some(1.0)]),
        ("two", vec![Some(1.0), Some(3.0)]),
        ("three", vec![Some(1.0), Some(3.0), Some(2.0)]),
        ("all missing", vec![None; 40]),
        ("all NaN", vec![Some(f64::NAN); 40]),
        (
            "infinities",
            vec![
                Some(f64::INFINITY),
                Some(f64::NEG_INFINITY),
                Some(1.0),
                Some(2.0),
            ],
        ),
        ("constant", vec![Some(5.0); 60]),
        (
            "constant with gaps",
            (0..60).map(|i| (i % 3 != 0).then_some(5.0)).collect(),
        ),
        ("zeros", vec![Some(0.0); 50]),
        ("linear", ramp(60, &|t| 2.0 * t + 1.0)),
        ("quadratic", ramp(60, &|t| t * t)),
        (
            "exact sine",
            ramp(72, &|t| (t * std::f64::consts::PI / 6.0).sin()),
        ),
        (
            "alternating",
            ramp(50, &|t| {
                if (t as usize).is_multiple_of(2) {
                    1.0
                } else {
                    -1.0
                }
            }),
        ),
        (
            "single spike",
            ramp(50, &|t| if t == 25.0 { 1e6 } else { 0.0 }),
        ),
        (
            "huge",
            ramp(80, &|t| 1e300 * ((t * 0.7).sin() + 0.1 * (t * 3.1).cos())),
        ),
        (
            "tiny",
            ramp(80, &|t| 1e-300 * ((t * 0.7).sin() + 0.1 * (t * 3.1).cos())),
        ),
        (
            "max",
            vec![
                Some(f64::MAX),
                Some(-f64::MAX),
                Some(f64::MAX),
                Some(0.0),
                Some(1.0),
            ],
        ),
        (
            "sparse",
            (0..100).map(|i| (i % 7 == 0).then_some(i as f64)).collect(),
        ),
        ("step", ramp(40, &|t| if t < 20.0 { 0.0 } else { 1.0 })),
    ]
}

fn finite_or_infinite(value: f64, what: &str, name: &str) {
    assert!(!value.is_nan(), "{name}: {what} is NaN");
}

fn probability(value: f64, what: &str, name: &str) {
    assert!((0.0..=1.0).contains(&value), "{name}: {what} = {value}");
}

#[test]
fn nothing_panics_or_reports_nan() {
    for (name, values) in awkward_inputs() {
        if let Some(adf) = adf_test(&values) {
            assert!(adf.statistic.is_finite(), "{name}: ADF statistic");
            probability(adf.p_value, "ADF p", name);
        }
        if let Some(kpss) = kpss_test(&values) {
            assert!(kpss.statistic.is_finite(), "{name}: KPSS statistic");
            probability(kpss.p_value, "KPSS p", name);
        }
        let assessment = assess_stationarity(&values);
        let stationary = stationary_series(&values, assessment.form);
        assert_eq!(stationary.len(), values.len(), "{name}: stationary length");
        assert!(stationary.iter().flatten().all(|v| v.is_finite()), "{name}");
        for period in [SeasonalPeriod::Monthly, SeasonalPeriod::Quarterly] {
            for first_season in [0, 5, 11, 1000] {
                if let Some(test) = seasonal_f_test(&stationary, first_season, period) {
                    finite_or_infinite(test.f_statistic, "F", name);
                    probability(test.p_value, "seasonal p", name);
                }
                let _ = seasonality(&values, &stationary, first_season, period);
                let removed = remove_seasonal_means(&stationary, first_season, period);
                assert_eq!(removed.len(), stationary.len());
            }
        }
        for max_order in [0, 1, 3, 8, 200] {
            if let Some(order) = select_ar_order(&stationary, max_order) {
                assert!(order <= max_order, "{name}: order {order} > {max_order}");
            }
        }
        if let Some(model) = prewhitening_model(&stationary) {
            assert!(
                model.coefficients.iter().all(|c| c.is_finite()),
                "{name}: phi"
            );
            let filtered = ar_filter(&stationary, &model.coefficients);
            assert_eq!(filtered.len(), stationary.len().saturating_sub(model.order));
        }
        let _ = fit_ar(&values, 3);
        let _ = fit_ar(&values, 1000);
        if let Some(mk) = prewhitened_mann_kendall(&values) {
            probability(mk.p_value, "MK p", name);
            finite_or_infinite(mk.tau, "MK tau", name);
        }
        if let Some(drift) = drift_test(&values) {
            probability(drift.p_value, "drift p", name);
            finite_or_infinite(drift.t_statistic, "drift t", name);
        }
        let _ = trend_wanders(&values);
        for (other_name, other) in awkward_inputs() {
            if let Some(test) = bartlett_correlation_test(&values, &other) {
                probability(test.p_value, "Bartlett p", other_name);
                assert!(test.effective_sample_size >= 3.0, "{name} × {other_name}");
                assert!(test.effective_sample_size <= test.pairs as f64);
            }
            let _ = bartlett_effective_sample_size(&values, &other);
        }
    }
}

#[test]
fn short_series_are_differenced() {
    let short: Vec<Option<f64>> = (0..15).map(|i| Some(((i * 37) % 11) as f64)).collect();
    assert_eq!(assess_stationarity(&short).form, Stationarity::Differenced);
}

#[test]
fn statistics_ignore_exact_rescaling() {
    let base: Vec<Option<f64>> = (0..90)
        .map(|i| Some(((i * 7919) % 101) as f64 / 10.0 + (i as f64 * 0.3).sin()))
        .collect();
    let scaled: Vec<Option<f64>> = base.iter().map(|v| v.map(|x| x * 2f64.powi(600))).collect();
    let (a, b) = (
        adf_test(&base).expect("adf"),
        adf_test(&scaled).expect("adf"),
    );
    assert_eq!(a.statistic, b.statistic);
    assert_eq!(a.used_lag, b.used_lag);
    let (a, b) = (
        kpss_test(&base).expect("kpss"),
        kpss_test(&scaled).expect("kpss"),
    );
    assert_eq!(a.statistic, b.statistic);
    let (a, b) = (
        prewhitening_model(&base).expect("ar"),
        prewhitening_model(&scaled).expect("ar"),
    );
    assert_eq!(a.coefficients, b.coefficients);
}
