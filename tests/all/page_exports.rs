//! What the page saves and shares, checked natively: the metadata sheet of
//! edited targets read back, the self-contained HTML report, the sheet
//! preview of "Check how we read your file", undoing an edit, and the
//! grid the page shows while the lead/lag scan runs.

use std::process::Command;

use kpilot::analysis::AnalysisOptions;
use kpilot::ingest::mapping::Mapping;
use kpilot::ingest::{self, ReadOptions};
use kpilot::report::PairDetail;
use kpilot::session::{ExportFormat, Opening, Session};

fn sample() -> Vec<u8> {
    kpilot::sample::sample_workbook().expect("the sample workbook is written")
}

fn open(bytes: &[u8], name: &str, targets: Vec<ingest::metadata::MetaRecord>) -> Session {
    let read = ReadOptions {
        targets,
        ..ReadOptions::default()
    };
    Session::open(bytes, name, &read, AnalysisOptions::default()).expect("the file opens")
}

/// Every KPI's target and direction, as the report says them.
fn targets_of(session: &Session) -> Vec<(String, Option<String>, String)> {
    session
        .report()
        .kpis
        .iter()
        .map(|kpi| {
            (
                kpi.name.clone(),
                kpi.target.as_ref().map(|target| target.describe()),
                format!("{:?}", kpi.direction),
            )
        })
        .collect()
}

#[test]
fn the_saved_metadata_sheet_gives_the_same_targets_when_loaded_with_the_data() {
    let bytes = sample();
    let mut edited = open(&bytes, "kpilot-sample.xlsx", Vec::new());
    edited.set_target("Website visitors", ">= 70000").unwrap();
    edited.set_target("Monthly churn", "<= 9").unwrap();
    edited.set_direction("NPS", "lower_is_better").unwrap();
    edited
        .set_target("Gross margin", "between 60 and 80")
        .unwrap();
    let expected = targets_of(&edited);

    for (name, file) in [
        ("targets.csv", edited.metadata_csv().into_bytes()),
        ("targets.xlsx", edited.metadata_xlsx()),
    ] {
        let records =
            ingest::read_targets(&file, name).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(records.len(), expected.len(), "{name}: one row per KPI");
        let reopened = open(&bytes, "kpilot-sample.xlsx", records);
        assert_eq!(
            targets_of(&reopened),
            expected,
            "{name} read back gives the same targets"
        );
    }
}

#[test]
fn the_metadata_csv_is_formula_safe() {
    let csv = b"Month,=HYPERLINK(\"x\"),NPS\n2024-01,1,72\n2024-02,2,71\n2024-03,3,70\n";
    let session = open(csv, "hostile.csv", Vec::new());
    let text = session.metadata_csv();
    assert!(
        text.starts_with("KPI,Target,Direction,Unit,Owner,Department,Focus\n"),
        "{text}"
    );
    assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
}

#[test]
fn the_html_report_shows_every_kpi_and_runs_nothing() {
    let session = open(&sample(), "kpilot-sample.xlsx", Vec::new());
    let html = session.export(ExportFormat::Html);
    assert!(html.starts_with("<!doctype html>"));
    assert!(!html.contains("<script"), "no script");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing to load"
    );
    assert!(html.contains("default-src 'none'"));
    for kpi in &session.report().kpis {
        assert!(html.contains(&kpi.name), "{} is in the report", kpi.name);
    }
    assert_eq!(
        html.matches("<article class=\"kpi\"").count(),
        session.report().kpis.len()
    );
    assert!(html.contains(&session.headline()));
    assert!(
        session.headline().contains("breached"),
        "{}",
        session.headline()
    );
}

#[test]
fn the_command_line_writes_the_same_html_report() {
    let directory = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = directory.join("page-exports-sample.xlsx");
    std::fs::write(&path, sample()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_kpilot"))
        .args(["analyze", &path.display().to_string(), "--format", "html"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = String::from_utf8(output.stdout).unwrap();
    let session = open(&sample(), "page-exports-sample.xlsx", Vec::new());
    assert_eq!(
        html.trim_end(),
        session.export(ExportFormat::Html).trim_end()
    );
}

#[test]
fn the_preview_marks_the_parts_of_the_reading() {
    let bytes = sample();
    let session = open(&bytes, "kpilot-sample.xlsx", Vec::new());
    let source = &session.report().source.info;
    let preview = ingest::preview::preview(
        &bytes,
        "kpilot-sample.xlsx",
        source.sheet.as_deref(),
        &source.mapping,
    )
    .unwrap();
    let json = serde_json::to_value(&preview).unwrap();
    let header = source
        .mapping
        .header_row
        .or(source.mapping.period_row)
        .expect("a header row");
    let header_row = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["number"] == header)
        .expect("the header row is in the preview");
    assert!(
        ["header", "periods"].contains(&header_row["part"].as_str().unwrap()),
        "{header_row}"
    );
    assert!(json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|column| column["part"] == "names"));
    let labels: Vec<&str> = json["labels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|label| label.as_str())
        .collect();
    assert!(labels.contains(&"Monthly churn"), "{labels:?}");
    // A file that cannot be read as a table still previews.
    let failed =
        ingest::preview::preview(b"a,b\nc,d\n", "words.csv", None, &Mapping::default()).unwrap();
    assert_eq!(failed.rows.len(), 2);
}

#[test]
fn leaving_a_kpi_out_through_the_mapping_drops_it() {
    let bytes = sample();
    let session = open(&bytes, "kpilot-sample.xlsx", Vec::new());
    let mut mapping = session.report().source.info.mapping.clone();
    mapping.exclude = vec!["NPS".to_string()];
    let read = ReadOptions {
        mapping,
        ..ReadOptions::default()
    };
    let without = Session::open(
        &bytes,
        "kpilot-sample.xlsx",
        &read,
        AnalysisOptions::default(),
    )
    .unwrap();
    assert!(without.report().kpis.iter().all(|kpi| kpi.name != "NPS"));
    assert_eq!(without.report().kpis.len(), session.report().kpis.len() - 1);
}

#[test]
fn resetting_a_kpi_undoes_its_edits() {
    let mut session = open(&sample(), "kpilot-sample.xlsx", Vec::new());
    let before = targets_of(&session);
    let health = |session: &Session| {
        session
            .report()
            .kpis
            .iter()
            .map(|kpi| kpi.health)
            .collect::<Vec<_>>()
    };
    let health_before = health(&session);
    session.set_target("Monthly churn", "<= 9").unwrap();
    session
        .set_direction("Monthly churn", "higher_is_better")
        .unwrap();
    assert_ne!(targets_of(&session), before);
    session.reset_kpi("Monthly churn").unwrap();
    assert_eq!(targets_of(&session), before);
    assert_eq!(health(&session), health_before);
    let churn = session
        .report()
        .kpis
        .iter()
        .find(|kpi| kpi.name == "Monthly churn")
        .unwrap();
    assert_ne!(format!("{:?}", churn.direction_source), "User");
}

#[test]
fn every_kpi_gets_its_sentences() {
    let session = open(&sample(), "kpilot-sample.xlsx", Vec::new());
    for index in 0..session.report().kpis.len() {
        let words = session.describe(index).expect("words for every KPI");
        assert!(!words.status.is_empty() && !words.trend.is_empty() && !words.forecast.is_empty());
    }
    let churn = session
        .report()
        .kpis
        .iter()
        .position(|kpi| kpi.name == "Monthly churn")
        .unwrap();
    let words = session.describe(churn).unwrap();
    assert!(
        words.status.starts_with("Outside its target"),
        "{}",
        words.status
    );
    assert_eq!(session.pair_words().len(), session.report().lead_lag.len());
}

#[test]
fn the_report_before_the_scan_is_the_grid_with_the_pairs_still_to_come() {
    let bytes = sample();
    let mut opening = Opening::read(
        &bytes,
        "kpilot-sample.xlsx",
        &ReadOptions::default(),
        AnalysisOptions::default(),
        PairDetail::Significant,
    )
    .expect("the sample reads");
    let as_json = |report: &kpilot::report::lean::LeanReport<'_>| {
        serde_json::to_value(report).expect("the report is JSON")
    };
    assert!(
        opening.before_scan(as_json).is_none(),
        "nothing is analysed before analyse_kpis"
    );
    opening.analyse_kpis();
    let early = opening.before_scan(as_json).expect("the KPIs are analysed");
    opening.scan_lead_lag();
    assert!(
        opening.before_scan(as_json).is_none(),
        "after the scan the session's own report is the one to show"
    );
    let session = opening.finish();
    let last = serde_json::to_value(session.lean_report()).expect("the report is JSON");

    assert_eq!(early["lead_lag_pending"], true);
    assert_eq!(early["lead_lag"].as_array().map(Vec::len), Some(0));
    assert_eq!(early["lead_lag_tested"], 0);
    assert!(last.get("lead_lag_pending").is_none(), "{last:#}");
    // The sample plants three pairs (tests/all/analysis.rs checks which).
    assert!(last["lead_lag"].as_array().map_or(0, Vec::len) >= 3);
    // The grid does not wait for the pairs: every KPI's entry, the periods,
    // the source and the headline are already what the finished report says.
    for field in ["kpis", "periods", "source", "headline", "horizon"] {
        assert_eq!(early[field], last[field], "{field}");
    }
    // The key results are there too: the same primary ones, each with its
    // wording; those that rest on a lead (a supporting KR, "it also leads
    // …") come with the scan.
    let of_kind = |report: &serde_json::Value, kind: &str| -> Vec<(String, String)> {
        report["suggestions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|kr| kr["kind"] == kind)
            .map(|kr| (kr["kpi"].to_string(), kr["key_result"].to_string()))
            .collect()
    };
    assert_eq!(of_kind(&early, "primary"), of_kind(&last, "primary"));
    assert!(!of_kind(&early, "primary").is_empty());
    assert!(of_kind(&early, "supporting").is_empty());
    assert!(!of_kind(&last, "supporting").is_empty());
}

/// On a long daily sheet the early report leaves each exact Theil–Sen slope
/// for the scan's stage but already points each arrow the way that slope
/// goes; the finished report has the slopes, as computed on their own.
#[test]
fn the_early_report_of_a_long_sheet_has_the_arrows_before_the_slopes() {
    let mut csv = String::from("Date,Signups,Backlog,Queue wait\n");
    let mut state = 0x853c_49e6_748f_ea9b_u64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    for day in 0..1_500_i64 {
        let date = start + chrono::Duration::days(day);
        let t = day as f64;
        csv.push_str(&format!(
            "{date},{:.2},{:.2},{:.2}\n",
            100.0 + 0.05 * t + 20.0 * noise(),
            900.0 - 0.2 * t + 20.0 * noise(),
            50.0 + 5.0 * noise(),
        ));
    }
    let mut opening = Opening::read(
        csv.as_bytes(),
        "daily.csv",
        &ReadOptions::default(),
        AnalysisOptions::default(),
        PairDetail::Significant,
    )
    .expect("the sheet reads");
    opening.analyse_kpis();
    let early = opening
        .before_scan(|report| serde_json::to_value(report).expect("JSON"))
        .expect("the KPIs are analysed");
    let session = opening.finish();
    let full = session.report();
    let table = ingest::read_table(csv.as_bytes(), "daily.csv", &ReadOptions::default())
        .expect("the sheet reads");
    for (index, kpi) in full.kpis.iter().enumerate() {
        let trend = &early["kpis"][index]["trend"];
        assert!(trend["theil_sen_slope"].is_null(), "{}: {trend}", kpi.name);
        let exact = kpilot::analysis::trend::theil_sen_slope(&table.values_of(index)).unwrap();
        assert_eq!(kpi.trend.theil_sen_slope, exact, "{}", kpi.name);
        let sign = if exact > 0.0 { 1.0 } else { -1.0 };
        assert_eq!(trend["slope_sign"], sign, "{}: slope {exact}", kpi.name);
        assert_eq!(
            session.lean_report().kpis[index].trend.theil_sen_slope,
            Some(exact)
        );
    }
    assert_eq!(early["kpis"][0]["trend"]["slope_sign"], 1.0, "signups rise");
    assert_eq!(
        early["kpis"][1]["trend"]["slope_sign"], -1.0,
        "the backlog falls"
    );
}
