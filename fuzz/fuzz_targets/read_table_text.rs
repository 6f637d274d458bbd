//! read_table on raw bytes named `fuzz.csv`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kpilot_fuzz::read(data, "fuzz.csv");
});
