//! Files kpilot cannot analyse must give a typed `Err` whose message says
//! which file (and where it can, which sheet, row or column) — never a panic,
//! which in the browser would kill the wasm module. Also: a file over the
//! size limit is refused before any parsing, a big valid file reads, and
//! hostile KPI names are data, not markup.

use chrono::{Duration as Days, NaiveDate};
use kpilot::ingest::{read_table, ReadOptions};
use kpilot::model::{Frequency, KpiTable, Layout};
use kpilot::{Error, Result};

fn read(bytes: &[u8], file: &str) -> Result<KpiTable> {
    read_table(bytes, file, &ReadOptions::default())
}

/// Reads a file that must fail and returns the error.
fn error_of(bytes: &[u8], file: &str) -> Error {
    match read(bytes, file) {
        Ok(table) => panic!(
            "{file} should not read, but gave {} KPIs over {} periods ({:?})",
            table.kpis.len(),
            table.periods.len(),
            table.source.layout
        ),
        Err(error) => error,
    }
}

fn assert_names_file(error: &Error, file: &str) {
    let message = error.to_string();
    assert!(
        message.contains(file),
        "the message should name {file}: {message}"
    );
}

#[test]
fn empty_file() {
    let error = error_of(include_bytes!("../fixtures/empty.csv"), "empty.csv");
    assert!(
        matches!(&error, Error::EmptyFile { file } if file == "empty.csv"),
        "{error:?}"
    );
    assert_names_file(&error, "empty.csv");
}

#[test]
fn headers_without_rows() {
    let error = error_of(
        include_bytes!("../fixtures/headers_only.csv"),
        "headers_only.csv",
    );
    assert!(matches!(error, Error::NoTable { .. }), "{error:?}");
    assert_names_file(&error, "headers_only.csv");
}

#[test]
fn text_without_numbers() {
    let error = error_of(
        include_bytes!("../fixtures/no_numbers.csv"),
        "no_numbers.csv",
    );
    assert!(matches!(error, Error::NoTable { .. }), "{error:?}");
    assert_names_file(&error, "no_numbers.csv");
}

#[test]
fn random_bytes() {
    let error = error_of(include_bytes!("../fixtures/random.bin"), "random.bin");
    assert!(
        matches!(&error, Error::UnknownFormat { file, .. } if file == "random.bin"),
        "{error:?}"
    );
    assert_names_file(&error, "random.bin");
}

#[test]
fn truncated_workbook() {
    // It starts like a zip and is named .xlsx: a damaged workbook, not an
    // unknown format.
    let error = error_of(
        include_bytes!("../fixtures/truncated.xlsx"),
        "truncated.xlsx",
    );
    assert!(
        matches!(&error, Error::Workbook { file, .. } if file == "truncated.xlsx"),
        "{error:?}"
    );
    assert_names_file(&error, "truncated.xlsx");
}

#[test]
fn csv_named_xlsx_says_to_rename_it() {
    let error = error_of(
        include_bytes!("../fixtures/csv_renamed.xlsx"),
        "csv_renamed.xlsx",
    );
    assert!(
        matches!(&error, Error::MisnamedFile { file, suggested_extension, .. }
            if file == "csv_renamed.xlsx" && suggested_extension == "csv"),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(".csv"),
        "the message should say to rename to .csv: {message}"
    );
}

#[test]
fn unreadable_period_names_the_row() {
    let error = error_of(
        include_bytes!("../fixtures/bad_period.csv"),
        "bad_period.csv",
    );
    match &error {
        Error::BadPeriod {
            location,
            row,
            text,
            ..
        } => {
            assert!(location.contains("bad_period.csv"), "location {location:?}");
            // Line 4 of the file: the header is row 1.
            assert_eq!(*row, 4);
            assert_eq!(text, "abc");
        }
        other => panic!("expected BadPeriod, got {other:?}"),
    }
    assert!(error.to_string().contains("'abc'"), "{error}");
}

#[test]
fn unknown_sheet_lists_the_sheets() {
    let options = ReadOptions {
        sheet: Some("Nope".to_string()),
        ..ReadOptions::default()
    };
    let result = read_table(
        include_bytes!("../fixtures/wide_rows.xlsx"),
        "wide_rows.xlsx",
        &options,
    );
    match result {
        Err(Error::SheetNotFound {
            file,
            sheet,
            available,
        }) => {
            assert_eq!(file, "wide_rows.xlsx");
            assert_eq!(sheet, "Nope");
            assert!(available.contains("KPIs"), "available: {available:?}");
        }
        Err(other) => panic!("expected SheetNotFound, got {other:?}"),
        Ok(_) => panic!("a sheet that does not exist was read"),
    }
}

#[test]
fn hostile_kpi_names_are_kept_as_text() {
    let table = read(
        include_bytes!("../fixtures/html_names.csv"),
        "html_names.csv",
    )
    .unwrap_or_else(|error| panic!("html_names.csv holds valid data: {error}"));
    let names: Vec<&str> = table.kpis.iter().map(|kpi| kpi.name.as_str()).collect();
    for wanted in [
        "<img src=x onerror=alert(1)>",
        "=HYPERLINK(\"x\")",
        "@SUM(A1)",
    ] {
        assert!(names.contains(&wanted), "{wanted:?} missing from {names:?}");
    }
    assert_eq!(table.kpis.len(), 3);
    assert_eq!(table.periods.len(), 6);
}

/// Reads every prefix of a good file, cut at 1/32 steps: each must give `Ok`
/// or `Err`, never a panic — a damaged upload must not take the page down.
fn every_prefix_reads_without_panic(file: &str, bytes: &[u8]) {
    for step in 1..32 {
        let cut = bytes.len() * step / 32;
        // Only that there is an outcome matters, not which.
        let _ = read(&bytes[..cut], file);
    }
}

#[test]
fn truncated_xlsx_never_panics() {
    every_prefix_reads_without_panic(
        "wide_rows.xlsx",
        include_bytes!("../fixtures/wide_rows.xlsx"),
    );
    every_prefix_reads_without_panic(
        "wide_rows.xlsm",
        include_bytes!("../fixtures/wide_rows.xlsm"),
    );
}

#[test]
fn truncated_xlsb_never_panics() {
    every_prefix_reads_without_panic(
        "wide_rows.xlsb",
        include_bytes!("../fixtures/wide_rows.xlsb"),
    );
}

/// calamine 0.32's compound-file reader slices past the end of a truncated
/// .xls (`cfb.rs`, `Sectors::get`), so the reader must refuse such a file
/// before calamine sees it.
#[test]
fn truncated_xls_never_panics() {
    every_prefix_reads_without_panic("wide_rows.xls", include_bytes!("../fixtures/wide_rows.xls"));
}

#[test]
fn truncated_ods_never_panics() {
    every_prefix_reads_without_panic(
        "wide_columns.ods",
        include_bytes!("../fixtures/wide_columns.ods"),
    );
}

#[test]
fn truncated_csv_never_panics() {
    every_prefix_reads_without_panic("long.csv", include_bytes!("../fixtures/long.csv"));
    every_prefix_reads_without_panic(
        "semicolon_decimal_comma.csv",
        include_bytes!("../fixtures/semicolon_decimal_comma.csv"),
    );
}

#[test]
fn random_bytes_under_any_name_are_refused() {
    let random: &[u8] = include_bytes!("../fixtures/random.bin");
    for file in [
        "x.xlsx", "x.xlsm", "x.xlsb", "x.xls", "x.ods", "x.csv", "x.tsv", "x.txt", "x",
    ] {
        assert!(
            read(random, file).is_err(),
            "random bytes named {file} read as a table"
        );
    }
}

#[test]
fn too_large_is_refused_before_parsing() {
    let line = b"2024-01,5.1,72,120000\n";
    let mut bytes = b"Month,Monthly churn %,NPS,Revenue ($)\n".to_vec();
    // 210 MB as people count them (decimal), as the message reports it.
    bytes.extend(line.repeat(210_000_000 / line.len() + 1));
    assert!(bytes.len() > 210_000_000);

    match read(&bytes, "huge.csv") {
        Err(Error::TooLarge {
            file,
            size_mb,
            limit_mb,
        }) => {
            assert_eq!(file, "huge.csv");
            assert_eq!(limit_mb, 200);
            assert!((210.0..211.0).contains(&size_mb), "size_mb {size_mb}");
        }
        Err(other) => panic!("expected TooLarge, got {other:?}"),
        Ok(_) => panic!("a 210 MB file was read"),
    }
}

#[test]
fn five_thousand_daily_rows_read() {
    let start = NaiveDate::from_ymd_opt(2010, 1, 1).expect("a valid date");
    let mut csv = String::from("Date,Orders,Refunds\n");
    for day in 0..5000_i64 {
        let date = start + Days::days(day);
        csv.push_str(&format!("{date},{},{}\n", 100 + day % 37, day % 11));
    }
    let table =
        read(csv.as_bytes(), "orders.csv").unwrap_or_else(|error| panic!("orders.csv: {error}"));
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(table.source.frequency, Frequency::Daily);
    assert_eq!(table.periods.len(), 5000);
    assert_eq!(
        table
            .periods
            .first()
            .map(|period| period.label())
            .as_deref(),
        Some("2010-01-01")
    );
    // 2010-01-01 + 4999 days.
    assert_eq!(
        table.periods.last().map(|period| period.label()).as_deref(),
        Some("2023-09-09")
    );
    let orders = table.kpi_index("Orders").expect("Orders");
    let refunds = table.kpi_index("Refunds").expect("Refunds");
    let order_values = table.values_of(orders);
    let refund_values = table.values_of(refunds);
    assert_eq!(order_values.len(), 5000);
    assert_eq!(order_values[0], Some(100.0));
    assert_eq!(order_values[4999], Some(100.0 + (4999 % 37) as f64));
    assert_eq!(refund_values[4999], Some((4999 % 11) as f64));
    assert!(order_values.iter().all(Option::is_some));
}
