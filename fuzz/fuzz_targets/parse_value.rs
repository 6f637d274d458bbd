//! The value parser and the header-unit reader. A number read is finite.
#![no_main]

use kpilot::ingest::value::{looks_numeric, parse_value, unit_of_header, ParsedValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for decimal_comma in [false, true] {
        if let ParsedValue::Number { value, .. } = parse_value(&text, decimal_comma) {
            assert!(value.is_finite(), "{text:?} read as {value}");
        }
    }
    let _ = looks_numeric(&text);
    let _ = unit_of_header(&text);
});
