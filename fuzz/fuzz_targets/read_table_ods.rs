//! read_table on an .ods built around a fuzzed content.xml.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kpilot_fuzz::read(&kpilot_fuzz::ods(data), "fuzz.ods");
});
