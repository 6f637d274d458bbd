//! kpilot's native integration tests, one binary: each module tests one layer
//! against the fixtures in `tests/fixtures` (see its README.md).

mod analysis;
mod bad_input;
mod cli;
mod forecast_oracle;
mod ingest_fixtures;
mod page_exports;
mod probe_patterns;
mod realworld;
mod realworld_patterns;
mod suggestions;
mod timeseries_oracle;
mod timeseries_robustness;
