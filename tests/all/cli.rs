//! The `kpilot` command as a user runs it: formats, exit codes, messages.

use std::path::PathBuf;
use std::process::{Command, Output};

fn kpilot(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpilot"))
        .args(arguments)
        .output()
        .expect("the kpilot binary runs")
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn scratch(name: &str) -> PathBuf {
    let directory = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    directory.join(name)
}

#[test]
fn json_output_follows_the_contract() {
    let output = kpilot(&["analyze", &fixture("wide_columns.csv"), "--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    for key in ["source", "kpis", "lead_lag", "suggestions"] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    for key in [
        "file",
        "sheet",
        "layout",
        "frequency",
        "periods",
        "warnings",
    ] {
        assert!(report["source"].get(key).is_some(), "missing source.{key}");
    }
    assert_eq!(report["source"]["layout"], "wide_columns");
    assert_eq!(report["source"]["frequency"], "monthly");
    let kpi = &report["kpis"][0];
    for key in [
        "name",
        "unit",
        "direction",
        "target",
        "periods",
        "values",
        "latest",
        "change",
        "change_pct",
        "trend",
        "breach",
        "forecast",
        "anomalies",
        "health",
    ] {
        assert!(kpi.get(key).is_some(), "missing kpis[0].{key}");
    }
    for key in [
        "ols_slope",
        "r2",
        "theil_sen_slope",
        "mann_kendall",
        "verdict",
    ] {
        assert!(kpi["trend"].get(key).is_some(), "missing trend.{key}");
    }
    for key in ["latest_breached", "streak", "count", "margin", "margin_sd"] {
        assert!(kpi["breach"].get(key).is_some(), "missing breach.{key}");
    }
    for key in ["crossing_period", "periods_ahead"] {
        assert!(kpi["forecast"].get(key).is_some(), "missing forecast.{key}");
    }
}

#[test]
fn every_format_prints() {
    for (format, expected) in [
        ("table", "Status"),
        ("md", "# OKR draft"),
        ("csv", "rank,kind,kpi,objective,objective_owner,key_result"),
    ] {
        let output = kpilot(&["analyze", &fixture("long.csv"), "--format", format]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains(expected), "{format}: {text}");
    }
}

#[test]
fn a_bad_file_exits_1_with_one_clear_line() {
    let output = kpilot(&["analyze", &fixture("truncated.xlsx")]);
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.starts_with("kpilot: 'truncated.xlsx'"), "{message}");
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    let missing = kpilot(&["analyze", "/no/such/file.csv"]);
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(kpilot(&[]).status.code(), Some(2));
    assert_eq!(kpilot(&["analyze"]).status.code(), Some(2));
    assert_eq!(
        kpilot(&["analyze", "x.csv", "--format", "pdf"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        kpilot(&["analyze", "x.csv", "--horizon", "0"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(kpilot(&["--help"]).status.code(), Some(0));
}

#[test]
fn the_sample_command_writes_an_analysable_workbook() {
    let path = scratch("sample.xlsx");
    let written = kpilot(&["sample", &path.display().to_string()]);
    assert_eq!(
        written.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let analysed = kpilot(&["analyze", &path.display().to_string(), "--format", "json"]);
    assert_eq!(analysed.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&analysed.stdout).expect("valid JSON");
    assert_eq!(report["kpis"].as_array().map(Vec::len), Some(12));
    let sheet = kpilot(&["analyze", &path.display().to_string(), "--sheet", "Nope"]);
    assert_eq!(sheet.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&sheet.stderr).contains("KPIs, Targets, Notes"));
}

#[test]
fn a_targets_file_overrides_the_data_file() {
    let output = kpilot(&[
        "analyze",
        &fixture("wide_columns.csv"),
        "--targets",
        &fixture("targets_only.csv"),
        "--format",
        "json",
        "--horizon",
        "6",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(report["horizon"], 6);
    let with_source: Vec<&serde_json::Value> = report["kpis"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|kpi| {
            kpi["target"]["source"]
                .as_str()
                .is_some_and(|source| source.contains("targets file"))
        })
        .collect();
    assert!(!with_source.is_empty(), "{}", report["kpis"]);
}

#[test]
fn a_mapping_file_is_applied_and_the_mapping_used_is_printed() {
    let path = scratch("bank_mapping.json");
    std::fs::write(
        &path,
        r#"{"name_column": "B", "entity_column": "A", "exclude": ["Credit Loss Rate"]}"#,
    )
    .expect("the scratch folder is writable");
    let output = kpilot(&[
        "analyze",
        &fixture("wide_rows_bank_quarters.csv"),
        "--mapping",
        &path.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let names: Vec<&str> = report["kpis"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|kpi| kpi["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Net Interest Margin · NORTH BANK",
            "Net Interest Margin · SOUTH BANK"
        ]
    );
    assert_eq!(report["kpis"][0]["entity"], "NORTH BANK");
    let mapping = &report["source"]["mapping"];
    assert_eq!(mapping["layout"], "wide_rows");
    assert_eq!(mapping["period_row"], 1);
    assert_eq!(mapping["name_column"], "B");
    assert_eq!(mapping["entity_column"], "A");
    assert_eq!(mapping["exclude"][0], "Credit Loss Rate");
    assert_eq!(report["source"]["entity_column"], "Bank");

    // A mapping that points outside the sheet: exit 1, one line naming it.
    std::fs::write(&path, r#"{"header_row": 40}"#).expect("the scratch folder is writable");
    let outside = kpilot(&[
        "analyze",
        &fixture("wide_rows_bank_quarters.csv"),
        "--mapping",
        &path.display().to_string(),
    ]);
    assert_eq!(outside.status.code(), Some(1));
    let message = String::from_utf8_lossy(&outside.stderr);
    assert!(message.contains("header_row"), "{message}");
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
}
