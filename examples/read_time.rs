//! Times the reading alone (bytes → KPI table, no analysis) of each file
//! given, best and median of five: the native side of issue 11's reading
//! measurements.
//!
//!     cargo run --release --example read_time -- bench/out/browser-long-38mb.csv

use std::time::Instant;

use kpilot::ingest::{self, ReadOptions};

const RUNS: usize = 5;

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("{path}: {error}");
                continue;
            }
        };
        let name = std::path::Path::new(&path)
            .file_name()
            .map_or_else(|| path.clone(), |name| name.to_string_lossy().into_owned());
        let mut times = Vec::with_capacity(RUNS);
        let mut shape = String::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let read = ingest::read_table(&bytes, &name, &ReadOptions::default());
            times.push(started.elapsed().as_secs_f64());
            shape = match read {
                Ok(table) => format!(
                    "{} KPIs × {} periods",
                    table.kpis.len(),
                    table.periods.len()
                ),
                Err(error) => format!("error: {error}"),
            };
        }
        times.sort_by(f64::total_cmp);
        let best = times.first().copied().unwrap_or(f64::NAN);
        let median = times.get(RUNS / 2).copied().unwrap_or(f64::NAN);
        println!(
            "{name}\t{:.1} MB\tbest {best:.2} s\tmedian {median:.2} s\t{shape}",
            bytes.len() as f64 / 1e6
        );
    }
}
