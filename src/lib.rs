//! kpilot turns a KPI spreadsheet into a health check and a shortlist of OKR
//! key results. Bytes go in; a report comes out:
//!
//! bytes → [`ingest`] (sheet → [`model::KpiTable`]) → [`analysis`] (trends,
//! breaches, forecasts, health, lead/lag) → [`suggest`] (candidate key
//! results) → [`report`] (the JSON contract, Markdown, CSV, a terminal
//! table; [`html`] the self-contained HTML report). [`session::Session`] keeps a read file so edits recompute
//! without reading it again; the command line and the WebAssembly module
//! (`wasm`, built for `wasm32` only) are thin layers over it.
//!
//! ```
//! use kpilot::analysis::AnalysisOptions;
//! use kpilot::ingest::ReadOptions;
//! use kpilot::session::Session;
//!
//! let csv = b"Month,Churn % (target < 7.5),NPS (>= 70)\n\
//!     2024-01,5.1,72\n2024-02,5.4,71\n2024-03,6.0,69\n\
//!     2024-04,6.8,70\n2024-05,7.9,73\n2024-06,8.4,74\n";
//! let session = Session::open(csv, "kpis.csv", &ReadOptions::default(), AnalysisOptions::default()).unwrap();
//! let report = session.report();
//! assert_eq!(report.kpis[0].name, "Churn %");
//! assert_eq!(report.kpis[0].latest, Some(8.4));
//! assert!(report.kpis[0].breach.latest_breached);
//! assert_eq!(report.suggestions[0].key_result, "Reduce Churn % from 8.4 % to 7.5 % by 30 Sep 2024");
//! assert_eq!(report.suggestions[0].deadline.as_deref(), Some("2024-09-30"));
//! ```

pub mod analysis;
pub mod error;
pub mod html;
pub mod ingest;
pub mod metadata_sheet;
pub mod model;
pub mod report;
#[cfg(not(target_arch = "wasm32"))]
pub mod sample;
pub mod session;
pub mod suggest;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, Result};
