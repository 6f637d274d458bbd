//! read_table on an .xlsb built around fuzzed parts: workbook, sheet,
//! shared strings and styles records (see `kpilot_fuzz::xlsb`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kpilot_fuzz::read(&kpilot_fuzz::xlsb(data), "fuzz.xlsb");
});
