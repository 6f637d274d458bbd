//! read_table on raw bytes; the first byte picks the file's extension, so
//! format sniffing, the zip and compound-file containers and every reader
//! see whole, mutated files.
#![no_main]

use libfuzzer_sys::fuzz_target;
use kpilot_fuzz::EXTENSIONS;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let extension = EXTENSIONS[pick as usize % EXTENSIONS.len()];
    kpilot_fuzz::read(bytes, &format!("fuzz.{extension}"));
});
