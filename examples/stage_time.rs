//! Times the parts of one KPI's analysis on a random walk of N periods
//! (default 13,415, the daily KPIs of bench/out/browser-long-38mb.csv),
//! median of five: which statistic a long daily series spends its time on.
//!
//!     cargo run --release --example stage_time -- 28295

use std::time::Instant;

use kpilot::analysis::{profile, significance, summary, trend};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|text| text.parse().ok())
        .unwrap_or(13_415);
    // A deterministic random walk with a little drift.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut level = 100.0;
    let values: Vec<Option<f64>> = (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            level += (state >> 11) as f64 / (1u64 << 53) as f64 - 0.49;
            Some((level * 100.0_f64).round() / 100.0)
        })
        .collect();
    let time = |name: &str, run: &dyn Fn()| {
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let started = Instant::now();
                run();
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("{name:<28} {:>8.2} ms", times[2]);
    };
    time("profile::describe", &|| {
        std::hint::black_box(profile::describe(&values, None));
    });
    let described = profile::describe(&values, None);
    time("prewhitened Mann-Kendall", &|| {
        std::hint::black_box(significance::prewhitened_mann_kendall(
            &described.deseasonalised_levels,
        ));
    });
    time("Mann-Kendall", &|| {
        std::hint::black_box(trend::mann_kendall(&values));
    });
    time("Theil-Sen", &|| {
        std::hint::black_box(trend::theil_sen_slope(&values));
    });
    time("OLS", &|| {
        std::hint::black_box(trend::ols(&values));
    });
    time("summary", &|| {
        std::hint::black_box(summary::summarise(&values, Some(365), 91));
    });
}
