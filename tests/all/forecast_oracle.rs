//! Agreement with statsforecast (tests/fixtures/reference_forecast.json, written by
//! reference/make_expected.py): the same model chosen, and point forecasts and
//! 95 % bounds within 1e-3 relative. Prints a table; `cargo test --release
//! --test agreement -- --nocapture` shows it.

use kpilot::analysis::forecast::ets::{forecast, season_widening, FittedForecast};
use serde::Deserialize;

const TOLERANCE: f64 = 1e-3;

#[derive(Deserialize)]
struct Reference {
    statsforecast: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    values: Vec<Option<f64>>,
    fit_values: Vec<f64>,
    season_length: Option<usize>,
    horizon: usize,
    expected: Option<Expected>,
}

#[derive(Deserialize)]
struct Expected {
    method: String,
    aicc: f64,
    sigma2: f64,
    mean: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    fitted: Vec<f64>,
}

fn relative_error(actual: f64, expected: f64) -> f64 {
    let difference = (actual - expected).abs();
    if expected == 0.0 {
        difference
    } else {
        difference / expected.abs()
    }
}

/// The largest error of our one-step errors against statsforecast's
/// (observed − fitted), relative to the error's standard deviation.
fn worst_one_step_error(fit: &FittedForecast, case: &Case, expected: &Expected) -> f64 {
    // A constant series has σ ≈ 0 (statsforecast: rounding noise), so the
    // scale has a floor relative to the level.
    let level = expected.mean.first().map_or(1.0, |value| value.abs());
    let scale = expected
        .sigma2
        .sqrt()
        .max(1e-9 * level)
        .max(f64::MIN_POSITIVE);
    case.fit_values
        .iter()
        .zip(&expected.fitted)
        .enumerate()
        .map(|(offset, (value, fitted))| {
            let ours = fit
                .one_step_errors
                .get(fit.fit_start + offset)
                .copied()
                .flatten();
            ours.map_or(f64::INFINITY, |ours| {
                (ours - (value - fitted)).abs() / scale
            })
        })
        .fold(0.0_f64, f64::max)
}

/// The largest relative error of the forecast, the lower and the upper bounds.
fn worst_errors(fit: &FittedForecast, expected: &Expected) -> (f64, f64, f64) {
    let worst = |pick: &dyn Fn(usize) -> (f64, f64)| {
        (0..expected.mean.len())
            .map(|step| {
                let (actual, wanted) = pick(step);
                relative_error(actual, wanted)
            })
            .fold(0.0_f64, f64::max)
    };
    let step = |index: usize| fit.steps.get(index).copied();
    let missing = |index: usize| step(index).is_none();
    if (0..expected.mean.len()).any(missing) {
        return (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    }
    let value = |index: usize| step(index).map_or(f64::NAN, |step| step.value);
    let low = |index: usize| step(index).map_or(f64::NAN, |step| step.low);
    let high = |index: usize| step(index).map_or(f64::NAN, |step| step.high);
    // kpilot widens a seasonal (MSTL) interval for the uncertainty of the
    // season it removed (ets::season_widening); statsforecast does not, so
    // its bounds are widened the same way before they are compared.
    let widen = fit.season_length.map_or(1.0, |season| {
        season_widening((fit.fit_end - fit.fit_start) / season.max(1))
    });
    let widened = |bound: f64, mean: f64| mean + (bound - mean) * widen;
    (
        worst(&|index| (value(index), expected.mean[index])),
        worst(&|index| {
            (
                low(index),
                widened(expected.lo[index], expected.mean[index]),
            )
        }),
        worst(&|index| {
            (
                high(index),
                widened(expected.hi[index], expected.mean[index]),
            )
        }),
    )
}

#[test]
fn agrees_with_statsforecast() {
    let text = include_str!("../fixtures/reference_forecast.json");
    let reference: Reference = serde_json::from_str(text).expect("expected.json parses");
    println!("statsforecast {}", reference.statsforecast);
    println!(
        "{:<26} {:<22} {:<22} {:>9} {:>9} {:>9} {:>10} {:>9} {:>9}",
        "case", "statsforecast", "ours", "mean", "low", "high", "ΔAICc", "σ² rel", "e₁ /σ"
    );
    let mut worst = (0.0_f64, 0.0_f64);
    let mut failures = Vec::new();
    let mut within = 0;
    for case in &reference.cases {
        let fit = forecast(&case.values, case.season_length, case.horizon);
        let (expected, fit) = match (&case.expected, fit) {
            (None, None) => {
                within += 1;
                println!("{:<26} {:<22} {:<22}", case.name, "none", "none");
                continue;
            }
            (None, Some(fit)) => {
                failures.push(format!(
                    "{}: expected no forecast, got {}",
                    case.name, fit.model
                ));
                continue;
            }
            (Some(expected), None) => {
                failures.push(format!(
                    "{}: no forecast, expected {}",
                    case.name, expected.method
                ));
                continue;
            }
            (Some(expected), Some(fit)) => (expected, fit),
        };
        let (mean, low, high) = worst_errors(&fit, expected);
        let one_step = if expected.sigma2 > 0.0 {
            worst_one_step_error(&fit, case, expected)
        } else {
            0.0
        };
        worst = (worst.0.max(mean.max(low).max(high)), worst.1.max(one_step));
        let aicc_difference = fit.aicc.map_or(f64::NAN, |aicc| aicc - expected.aicc);
        let sigma_relative = relative_error(fit.sigma * fit.sigma, expected.sigma2);
        println!(
            "{:<26} {:<22} {:<22} {:>9.2e} {:>9.2e} {:>9.2e} {:>10.2e} {:>9.2e} {:>9.2e}",
            case.name,
            expected.method,
            fit.model,
            mean,
            low,
            high,
            aicc_difference,
            sigma_relative,
            one_step
        );
        let same_model = fit.model == expected.method;
        let close = mean.max(low).max(high) <= TOLERANCE && one_step <= TOLERANCE;
        if same_model && close {
            within += 1;
        } else {
            failures.push(format!(
                "{}: {} vs {} (mean {mean:.1e}, low {low:.1e}, high {high:.1e})",
                case.name, fit.model, expected.method
            ));
        }
    }
    println!(
        "{within} of {} cases within tolerance",
        reference.cases.len()
    );
    println!(
        "worst relative error of a forecast or bound: {:.2e}; worst one-step error difference: {:.2e} σ",
        worst.0, worst.1
    );
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
}
