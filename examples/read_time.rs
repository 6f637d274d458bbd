//! Times the reading alone (bytes → KPI table, no analysis) of each file
//! given, best and median of five: the native side of issue 11's reading
//! measurements.
//!
//!     cargo run --release --example read_time -- bench/out/browser-long-38mb.csv

use std::time::Instant;

use kpilot::ingest::{self, ReadOptions};

mod common;

const RUNS: usize = 5;

fn main() {
    for (name, bytes) in common::files_from_args() {
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
        let median = common::median(&mut times);
        let best = times.first().copied().unwrap_or(f64::NAN);
        println!(
            "{name}\t{:.1} MB\tbest {best:.2} s\tmedian {median:.2} s\t{shape}",
            bytes.len() as f64 / 1e6
        );
    }
}
