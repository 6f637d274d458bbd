//! kpilot's native integration tests, one binary: each module tests one layer
//! against the fixtures in `tests/fixtures` (see its README.md).

mod analysis;
mod bad_input;
mod cli;
mod forecast_oracle;
/// The fuzz targets' file builders (fuzz/src/lib.rs), to replay their findings.
#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz_inputs;
mod ingest_fixtures;
mod page_exports;
mod parser_properties;
mod probe_patterns;
mod realworld;
mod realworld_patterns;
mod regression;
mod suggestions;
mod table_checks;
mod timeseries_oracle;
mod timeseries_robustness;
