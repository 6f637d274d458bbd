//! Times each stage of opening a file natively (read, analyse the KPIs, the
//! lead/lag scan, finish), median of three: where issue 11's page time goes
//! before the page has any share of it.
//!
//!     cargo run --release --example open_time -- bench/out/browser-long-38mb.csv

use std::time::Instant;

use kpilot::analysis::AnalysisOptions;
use kpilot::ingest::ReadOptions;
use kpilot::report::PairDetail;
use kpilot::session::Opening;

mod common;

const RUNS: usize = 3;
const STAGES: [&str; 4] = ["read", "analyse KPIs", "lead/lag", "finish"];

fn main() {
    for (name, bytes) in common::files_from_args() {
        let mut times: Vec<[f64; 4]> = Vec::with_capacity(RUNS);
        let mut shape = String::new();
        for _ in 0..RUNS {
            let mut stage = [0.0; 4];
            let started = Instant::now();
            let opening = Opening::read(
                &bytes,
                &name,
                &ReadOptions::default(),
                AnalysisOptions::default(),
                PairDetail::Significant,
            );
            stage[0] = started.elapsed().as_secs_f64();
            let mut opening = match opening {
                Ok(opening) => opening,
                Err(error) => {
                    shape = format!("error: {error}");
                    break;
                }
            };
            shape = format!("{} KPIs × {} periods", opening.kpis(), opening.periods());
            let started = Instant::now();
            opening.analyse_kpis();
            stage[1] = started.elapsed().as_secs_f64();
            let started = Instant::now();
            opening.scan_lead_lag();
            stage[2] = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let session = opening.finish();
            stage[3] = started.elapsed().as_secs_f64();
            drop(session);
            times.push(stage);
        }
        let medians: Vec<String> = (0..STAGES.len())
            .map(|index| {
                let mut column: Vec<f64> = times.iter().map(|stage| stage[index]).collect();
                format!("{} {:.2} s", STAGES[index], common::median(&mut column))
            })
            .collect();
        println!("{name}\t{shape}\t{}", medians.join(" · "));
    }
}
