//! read_table on an .xlsx built around fuzzed parts: sheet XML, shared
//! strings, styles and workbook XML (see `kpilot_fuzz::xlsx`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kpilot_fuzz::read(&kpilot_fuzz::xlsx(data), "fuzz.xlsx");
});
