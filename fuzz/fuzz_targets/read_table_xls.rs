//! read_table on raw bytes named `fuzz.xls`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kpilot_fuzz::read(data, "fuzz.xls");
});
