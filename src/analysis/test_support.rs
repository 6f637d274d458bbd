//! What the statistics' unit tests share: the reference values that
//! `tests/reference/make_expected.py` computed with scipy, statsmodels and
//! pymannkendall, and the comparisons at the SPEC's tolerance.

use serde_json::Value;

const REFERENCE: &str = include_str!("../../tests/fixtures/reference_stats.json");

/// The reference document.
pub fn reference() -> Value {
    serde_json::from_str(REFERENCE).expect("reference JSON")
}

/// Within 1e-6 relative (1e-9 absolute near zero).
pub fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 + 1e-6 * expected.abs()
}

pub fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        close(actual, expected),
        "{what}: got {actual:e}, expected {expected:e}"
    );
}

/// A JSON array of numbers and nulls.
pub fn values_of(json: &Value) -> Vec<Option<f64>> {
    json.as_array()
        .expect("array of values")
        .iter()
        .map(Value::as_f64)
        .collect()
}

pub fn num(json: &Value, key: &str) -> f64 {
    json[key]
        .as_f64()
        .unwrap_or_else(|| panic!("number {key} in {json}"))
}

pub fn index(json: &Value, key: &str) -> usize {
    json[key]
        .as_u64()
        .unwrap_or_else(|| panic!("integer {key} in {json}")) as usize
}
