//! Reads every good fixture in `tests/fixtures` through
//! `kpilot::ingest::read_table` and checks the table it builds: layout,
//! frequency, period labels, and each KPI's name, unit, direction, target and
//! values. The fixtures come from `tests/fixtures/make_fixtures.py`; its
//! README.md says what each file holds. Most share one base dataset (six
//! months of churn, NPS and revenue), so the expected numbers are written
//! once below and every format must give them back exactly.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, ExcelDateTime, ExcelDateTimeType, Reader};
use kpilot::ingest::{read_table, read_targets, sheet_names, ReadOptions};
use kpilot::model::{Direction, DirectionSource, Frequency, KpiTable, Layout, TargetKind};

const TOLERANCE: f64 = 1e-9;
/// A missing value in an expected series.
const MISSING: f64 = f64::NAN;

// ---------------------------------------------------------------------------
// The base dataset and the other series the fixtures hold.
// ---------------------------------------------------------------------------

const MONTHS: &[&str] = &[
    "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06",
];
const QUARTERS: &[&str] = &[
    "2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2",
];

const CHURN: &[f64] = &[5.1, 5.4, 6.0, 6.8, 7.9, 8.4];
const NPS: &[f64] = &[72.0, 71.0, 69.0, 70.0, 73.0, 74.0];
const REVENUE: &[f64] = &[120000.0, 125000.0, 123500.0, 130000.0, 134250.0, 140000.0];

const QUARTER_CHURN: &[f64] = &[4.8, 5.0, 5.3, 5.9, 6.4, 8.1];
const QUARTER_NPS: &[f64] = &[65.0, 67.0, 68.0, 70.0, 71.0, 73.0];
const QUARTER_REVENUE: &[f64] = &[340000.0, 352000.0, 361500.0, 370250.0, 368000.0, 399000.0];

// Where a direction may come from. An empty list means "not checked".
const BY_TARGET: &[DirectionSource] = &[DirectionSource::Target];
const BY_METADATA: &[DirectionSource] = &[DirectionSource::Metadata];
const BY_NAME: &[DirectionSource] = &[DirectionSource::Name];
/// Nothing in the file says; higher is better by default, or a name heuristic
/// that knows "revenue" or "signups" may have said so.
const UNSAID: &[DirectionSource] = &[DirectionSource::Default, DirectionSource::Name];
const UNCHECKED: &[DirectionSource] = &[];

const LOWER: Option<Direction> = Some(Direction::LowerIsBetter);
const HIGHER: Option<Direction> = Some(Direction::HigherIsBetter);

/// A target as a test states it.
#[derive(Clone, Copy, Debug)]
enum Goal {
    AtMost(f64),
    AtLeast(f64),
    Between(f64, f64),
}

/// What one KPI of a fixture must read as.
struct ExpectedKpi {
    name: &'static str,
    unit: Option<&'static str>,
    /// `None`: the file does not say and no heuristic is promised for this name.
    direction: Option<Direction>,
    direction_from: &'static [DirectionSource],
    /// `None`: the KPI must have no target.
    target: Option<Goal>,
    values: &'static [f64],
}

/// The starting point for `ExpectedKpi { name: …, ..KPI }`.
const KPI: ExpectedKpi = ExpectedKpi {
    name: "",
    unit: None,
    direction: None,
    direction_from: UNCHECKED,
    target: None,
    values: &[],
};

/// What reading one fixture must give.
struct Expected {
    file: &'static str,
    bytes: &'static [u8],
    /// The sheet asked for in `ReadOptions`, if any.
    ask_sheet: Option<&'static str>,
    /// The sheet the table must say it came from (`None` for text files).
    sheet: Option<&'static str>,
    layout: Layout,
    frequency: Frequency,
    periods: &'static [&'static str],
    kpis: &'static [ExpectedKpi],
    /// Each entry: at least one warning must contain one of these words
    /// (case-insensitive).
    warnings: &'static [&'static [&'static str]],
}

// ---------------------------------------------------------------------------
// Checking.
// ---------------------------------------------------------------------------

fn read_fixture(expected: &Expected) -> KpiTable {
    let options = ReadOptions {
        sheet: expected.ask_sheet.map(str::to_string),
        ..ReadOptions::default()
    };
    match read_table(expected.bytes, expected.file, &options) {
        Ok(table) => table,
        Err(error) => panic!("{}: read_table failed: {error}", expected.file),
    }
}

/// Reads the fixture and checks everything `expected` states; every
/// mismatch is listed, not just the first.
fn check(expected: &Expected) -> KpiTable {
    let table = read_fixture(expected);
    let mut problems = Vec::new();
    let source = &table.source;
    if source.layout != expected.layout {
        problems.push(format!(
            "layout is {:?}, expected {:?}",
            source.layout, expected.layout
        ));
    }
    if source.frequency != expected.frequency {
        problems.push(format!(
            "frequency is {:?}, expected {:?}",
            source.frequency, expected.frequency
        ));
    }
    if source.sheet.as_deref() != expected.sheet {
        problems.push(format!(
            "sheet is {:?}, expected {:?}",
            source.sheet, expected.sheet
        ));
    }
    let labels: Vec<String> = table.periods.iter().map(|period| period.label()).collect();
    if labels != expected.periods {
        problems.push(format!(
            "periods are {labels:?}, expected {:?}",
            expected.periods
        ));
    }
    if source.periods != table.periods.len() {
        problems.push(format!(
            "source.periods is {} for {} periods",
            source.periods,
            table.periods.len()
        ));
    }

    let mut names: Vec<&str> = table.kpis.iter().map(|kpi| kpi.name.as_str()).collect();
    let mut expected_names: Vec<&str> = expected.kpis.iter().map(|kpi| kpi.name).collect();
    names.sort_unstable();
    expected_names.sort_unstable();
    if names != expected_names {
        problems.push(format!("KPIs are {names:?}, expected {expected_names:?}"));
    }
    for kpi in expected.kpis {
        check_kpi(&table, kpi, &mut problems);
    }

    for alternatives in expected.warnings {
        let found = source.warnings.iter().any(|warning| {
            let warning = warning.to_lowercase();
            alternatives
                .iter()
                .any(|word| warning.contains(&word.to_lowercase()))
        });
        if !found {
            problems.push(format!(
                "no warning mentions any of {alternatives:?}; warnings: {:?}",
                source.warnings
            ));
        }
    }

    assert!(
        problems.is_empty(),
        "{} read wrongly:\n  - {}",
        expected.file,
        problems.join("\n  - ")
    );
    table
}

fn check_kpi(table: &KpiTable, expected: &ExpectedKpi, problems: &mut Vec<String>) {
    let name = expected.name;
    let Some(index) = table.kpis.iter().position(|kpi| kpi.name == name) else {
        // Already reported by the name comparison.
        return;
    };
    let kpi = &table.kpis[index];
    if kpi.unit.as_deref() != expected.unit {
        problems.push(format!(
            "'{name}': unit is {:?}, expected {:?}",
            kpi.unit, expected.unit
        ));
    }
    if let Some(direction) = expected.direction {
        if kpi.direction != direction {
            problems.push(format!(
                "'{name}': direction is {:?}, expected {direction:?}",
                kpi.direction
            ));
        }
    }
    if !expected.direction_from.is_empty()
        && !expected.direction_from.contains(&kpi.direction_source)
    {
        problems.push(format!(
            "'{name}': direction comes from {:?}, expected one of {:?}",
            kpi.direction_source, expected.direction_from
        ));
    }
    check_target(name, kpi.target.as_ref(), expected.target, problems);
    let values = table.values_of(index);
    if !same_values(&values, expected.values) {
        problems.push(format!(
            "'{name}': values are {values:?}, expected {:?}",
            expected.values
        ));
    }
}

fn check_target(
    name: &str,
    actual: Option<&kpilot::model::Target>,
    expected: Option<Goal>,
    problems: &mut Vec<String>,
) {
    let (actual, goal) = match (actual, expected) {
        (None, None) => return,
        (Some(target), None) => {
            problems.push(format!("'{name}': has target {target:?}, expected none"));
            return;
        }
        (None, Some(goal)) => {
            problems.push(format!("'{name}': has no target, expected {goal:?}"));
            return;
        }
        (Some(target), Some(goal)) => (target, goal),
    };
    let matches = match goal {
        Goal::AtMost(value) => actual.kind == TargetKind::AtMost && close(actual.value, value),
        Goal::AtLeast(value) => actual.kind == TargetKind::AtLeast && close(actual.value, value),
        Goal::Between(low, high) => {
            actual.kind == TargetKind::Between && close(actual.low, low) && close(actual.high, high)
        }
    };
    if !matches {
        problems.push(format!("'{name}': target is {actual:?}, expected {goal:?}"));
    }
    if actual.source.trim().is_empty() {
        problems.push(format!(
            "'{name}': the target does not say where it came from"
        ));
    }
}

fn close(actual: Option<f64>, expected: f64) -> bool {
    actual.is_some_and(|value| (value - expected).abs() <= TOLERANCE)
}

/// `expected` writes a missing value as `MISSING` (NaN).
fn same_values(actual: &[Option<f64>], expected: &[f64]) -> bool {
    actual.len() == expected.len()
        && actual
            .iter()
            .zip(expected)
            .all(|(value, wanted)| match value {
                None => wanted.is_nan(),
                Some(value) => (value - wanted).abs() <= TOLERANCE,
            })
}

fn kpi<'a>(table: &'a KpiTable, name: &str) -> &'a kpilot::model::KpiMeta {
    table
        .kpis
        .iter()
        .find(|kpi| kpi.name == name)
        .unwrap_or_else(|| panic!("no KPI named '{name}' in {:?}", table.source.file))
}

// ---------------------------------------------------------------------------
// Periods down (wide columns): the base dataset in every format.
// ---------------------------------------------------------------------------

/// `Month, Monthly churn %, NPS, Revenue ($)` headers: the unit stays in the
/// name and is also the KPI's unit.
const BASE_COLUMNS: &[ExpectedKpi] = &[
    ExpectedKpi {
        name: "Monthly churn %",
        unit: Some("%"),
        direction: LOWER,
        direction_from: BY_NAME,
        values: CHURN,
        ..KPI
    },
    ExpectedKpi {
        name: "NPS",
        direction: HIGHER,
        direction_from: UNSAID,
        values: NPS,
        ..KPI
    },
    ExpectedKpi {
        name: "Revenue ($)",
        unit: Some("$"),
        direction: HIGHER,
        direction_from: UNSAID,
        values: REVENUE,
        ..KPI
    },
];

fn base_columns(file: &'static str, bytes: &'static [u8], sheet: Option<&'static str>) -> Expected {
    Expected {
        file,
        bytes,
        ask_sheet: None,
        sheet,
        layout: Layout::WideColumns,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: BASE_COLUMNS,
        warnings: &[],
    }
}

#[test]
fn wide_columns_csv_with_iso_months() {
    check(&base_columns(
        "wide_columns.csv",
        include_bytes!("../fixtures/wide_columns.csv"),
        None,
    ));
}

#[test]
fn wide_columns_tsv_with_month_abbreviations() {
    check(&base_columns(
        "wide_columns.tsv",
        include_bytes!("../fixtures/wide_columns.tsv"),
        None,
    ));
}

#[test]
fn wide_columns_ods_with_month_end_date_cells() {
    check(&base_columns(
        "wide_columns.ods",
        include_bytes!("../fixtures/wide_columns.ods"),
        Some("KPIs"),
    ));
}

#[test]
fn date1904_workbook_keeps_its_dates() {
    check(&base_columns(
        "date1904.xlsx",
        include_bytes!("../fixtures/date1904.xlsx"),
        Some("KPIs"),
    ));
}

#[test]
fn month_names_as_periods() {
    check(&base_columns(
        "periods_month_names.csv",
        include_bytes!("../fixtures/periods_month_names.csv"),
        None,
    ));
}

#[test]
fn semicolon_csv_with_bom_decimal_comma_and_euros() {
    check(&Expected {
        file: "semicolon_decimal_comma.csv",
        bytes: include_bytes!("../fixtures/semicolon_decimal_comma.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::WideColumns,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: &[
            ExpectedKpi {
                name: "Monthly churn %",
                unit: Some("%"),
                direction: LOWER,
                direction_from: BY_NAME,
                values: CHURN,
                ..KPI
            },
            ExpectedKpi {
                name: "NPS",
                direction: HIGHER,
                direction_from: UNSAID,
                values: NPS,
                ..KPI
            },
            ExpectedKpi {
                name: "Revenue",
                unit: Some("€"),
                direction: HIGHER,
                direction_from: UNSAID,
                values: REVENUE,
                ..KPI
            },
        ],
        warnings: &[],
    });
}

#[test]
fn pipe_delimited_quarters() {
    check(&Expected {
        file: "pipe.txt",
        bytes: include_bytes!("../fixtures/pipe.txt"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::WideColumns,
        frequency: Frequency::Quarterly,
        periods: QUARTERS,
        kpis: &[
            ExpectedKpi {
                name: "Churn %",
                unit: Some("%"),
                direction: LOWER,
                direction_from: BY_NAME,
                values: QUARTER_CHURN,
                ..KPI
            },
            ExpectedKpi {
                name: "NPS",
                direction: HIGHER,
                direction_from: UNSAID,
                values: QUARTER_NPS,
                ..KPI
            },
            ExpectedKpi {
                name: "Revenue ($)",
                unit: Some("$"),
                direction: HIGHER,
                direction_from: UNSAID,
                values: QUARTER_REVENUE,
                ..KPI
            },
        ],
        warnings: &[],
    });
}

// ---------------------------------------------------------------------------
// Periods across (wide rows): the management layout.
// ---------------------------------------------------------------------------

/// wide_rows.xlsx / .xlsm: Unit, Owner, Department, Direction and Target
/// columns beside the periods.
const MANAGEMENT_ROWS: &[ExpectedKpi] = &[
    ExpectedKpi {
        name: "Monthly churn",
        unit: Some("%"),
        direction: LOWER,
        direction_from: BY_TARGET,
        target: Some(Goal::AtMost(7.5)),
        values: CHURN,
    },
    ExpectedKpi {
        name: "NPS",
        unit: None,
        direction: HIGHER,
        direction_from: BY_TARGET,
        target: Some(Goal::AtLeast(70.0)),
        values: NPS,
    },
    ExpectedKpi {
        name: "Revenue",
        unit: Some("$"),
        direction: HIGHER,
        direction_from: BY_METADATA,
        target: None,
        values: REVENUE,
    },
];

/// wide_rows.xls / .xlsb: only Unit and Target columns.
const PLAIN_ROWS: &[ExpectedKpi] = &[
    ExpectedKpi {
        name: "Monthly churn",
        unit: Some("%"),
        direction: LOWER,
        direction_from: BY_TARGET,
        target: Some(Goal::AtMost(7.5)),
        values: CHURN,
    },
    ExpectedKpi {
        name: "NPS",
        unit: None,
        direction: HIGHER,
        direction_from: BY_TARGET,
        target: Some(Goal::AtLeast(70.0)),
        values: NPS,
    },
    ExpectedKpi {
        name: "Revenue",
        unit: Some("$"),
        direction: HIGHER,
        direction_from: UNSAID,
        target: None,
        values: REVENUE,
    },
];

const TOTALS_LEFT_OUT: &[&[&str]] = &[&["total"], &["ytd"], &["average"]];

fn management(file: &'static str, bytes: &'static [u8]) -> Expected {
    Expected {
        file,
        bytes,
        ask_sheet: None,
        sheet: Some("KPIs"),
        layout: Layout::WideRows,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: MANAGEMENT_ROWS,
        warnings: TOTALS_LEFT_OUT,
    }
}

fn check_owners(table: &KpiTable) {
    for (name, owner, department) in [
        ("Monthly churn", "Dana Ruiz", "Customer Success"),
        ("NPS", "Sam Patel", "Support"),
        ("Revenue", "Lee Chen", "Finance"),
    ] {
        let kpi = kpi(table, name);
        assert_eq!(kpi.owner.as_deref(), Some(owner), "{name}: owner");
        assert_eq!(
            kpi.department.as_deref(),
            Some(department),
            "{name}: department"
        );
    }
}

#[test]
fn wide_rows_xlsx_management_layout() {
    let table = check(&management(
        "wide_rows.xlsx",
        include_bytes!("../fixtures/wide_rows.xlsx"),
    ));
    check_owners(&table);
    assert_eq!(table.sheets, vec!["KPIs".to_string()]);
}

#[test]
fn wide_rows_xlsm_reads_like_xlsx() {
    let table = check(&management(
        "wide_rows.xlsm",
        include_bytes!("../fixtures/wide_rows.xlsm"),
    ));
    check_owners(&table);
}

#[test]
fn wide_rows_xls_biff8_with_date_cells() {
    check(&Expected {
        file: "wide_rows.xls",
        bytes: include_bytes!("../fixtures/wide_rows.xls"),
        ask_sheet: None,
        sheet: Some("KPIs"),
        layout: Layout::WideRows,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: PLAIN_ROWS,
        warnings: &[],
    });
}

#[test]
fn wide_rows_xlsb_with_every_cell_record() {
    check(&Expected {
        file: "wide_rows.xlsb",
        bytes: include_bytes!("../fixtures/wide_rows.xlsb"),
        ask_sheet: None,
        sheet: Some("KPIs"),
        layout: Layout::WideRows,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: PLAIN_ROWS,
        warnings: &[&["average"]],
    });
}

#[test]
fn wide_rows_with_text_periods_text_values_and_errors() {
    let table = check(&Expected {
        file: "wide_rows_text_periods.xlsx",
        bytes: include_bytes!("../fixtures/wide_rows_text_periods.xlsx"),
        ask_sheet: None,
        sheet: Some("KPIs"),
        layout: Layout::WideRows,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: &[
            ExpectedKpi {
                name: "Monthly churn",
                // From the values: `5.1%` is 5.1 with unit %.
                unit: Some("%"),
                direction: LOWER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtMost(7.5)),
                values: CHURN,
            },
            ExpectedKpi {
                name: "NPS",
                unit: None,
                direction: HIGHER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtLeast(70.0)),
                // `#DIV/0!` in February and `n/a` in April are missing values.
                values: &[72.0, MISSING, 69.0, MISSING, 73.0, 74.0],
            },
            ExpectedKpi {
                name: "Revenue",
                // From the values: `$120,000`.
                unit: Some("$"),
                direction: HIGHER,
                direction_from: BY_METADATA,
                target: None,
                values: REVENUE,
            },
        ],
        warnings: TOTALS_LEFT_OUT,
    });
    check_owners(&table);
}

#[test]
fn excel_serial_numbers_as_period_headers() {
    check(&Expected {
        file: "periods_excel_serial.csv",
        bytes: include_bytes!("../fixtures/periods_excel_serial.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::WideRows,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: &[
            ExpectedKpi {
                name: "Monthly churn",
                direction: LOWER,
                direction_from: BY_NAME,
                values: CHURN,
                ..KPI
            },
            ExpectedKpi {
                name: "NPS",
                direction: HIGHER,
                direction_from: UNSAID,
                values: NPS,
                ..KPI
            },
            ExpectedKpi {
                name: "Revenue",
                direction: HIGHER,
                direction_from: UNSAID,
                values: REVENUE,
                ..KPI
            },
        ],
        warnings: &[],
    });
}

#[test]
fn quarter_dash_year_headers() {
    check(&Expected {
        file: "periods_quarter_dash.csv",
        bytes: include_bytes!("../fixtures/periods_quarter_dash.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::WideRows,
        frequency: Frequency::Quarterly,
        periods: QUARTERS,
        kpis: &[
            ExpectedKpi {
                name: "Gross margin %",
                unit: Some("%"),
                direction: HIGHER,
                direction_from: UNSAID,
                values: &[61.2, 62.0, 60.8, 63.1, 64.0, 63.5],
                ..KPI
            },
            ExpectedKpi {
                name: "Sales cycle (days)",
                unit: Some("days"),
                values: &[48.0, 46.0, 47.0, 44.0, 42.0, 41.0],
                ..KPI
            },
        ],
        warnings: &[],
    });
}

// ---------------------------------------------------------------------------
// Long layout.
// ---------------------------------------------------------------------------

#[test]
fn long_csv_with_shuffled_rows_and_a_duplicate() {
    let table = check(&Expected {
        file: "long.csv",
        bytes: include_bytes!("../fixtures/long.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::Long,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: &[
            ExpectedKpi {
                name: "Monthly churn",
                unit: None,
                direction: LOWER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtMost(7.5)),
                values: CHURN,
            },
            ExpectedKpi {
                name: "NPS",
                unit: None,
                direction: HIGHER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtLeast(70.0)),
                // March is the mean of the duplicate rows 68 and 70.
                values: NPS,
            },
            ExpectedKpi {
                name: "Revenue",
                unit: None,
                direction: HIGHER,
                direction_from: UNSAID,
                target: None,
                values: REVENUE,
            },
        ],
        warnings: &[&["nps"], &["mean", "averag"]],
    });
    for (name, department) in [
        ("Monthly churn", "Customer Success"),
        ("NPS", "Support"),
        ("Revenue", "Finance"),
    ] {
        assert_eq!(
            kpi(&table, name).department.as_deref(),
            Some(department),
            "{name}: department"
        );
    }
}

#[test]
fn fractions_against_a_percent_target_become_percent() {
    check(&Expected {
        file: "fractions_vs_percent.csv",
        bytes: include_bytes!("../fixtures/fractions_vs_percent.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::Long,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: &[
            ExpectedKpi {
                name: "Churn rate",
                // 0.051 against `<= 7.5%`: multiplied by 100.
                unit: Some("%"),
                direction: LOWER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtMost(7.5)),
                values: CHURN,
            },
            ExpectedKpi {
                name: "Activation rate",
                // A fraction against a fraction target stays as it is.
                unit: None,
                direction: HIGHER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtLeast(0.45)),
                values: &[0.41, 0.43, 0.44, 0.46, 0.47, 0.45],
            },
        ],
        warnings: &[&["churn rate"]],
    });
}

// ---------------------------------------------------------------------------
// Targets: in headers, in paired columns or rows, in a metadata sheet, in a
// separate targets file.
// ---------------------------------------------------------------------------

#[test]
fn targets_written_in_headers() {
    check(&Expected {
        file: "header_targets.csv",
        bytes: include_bytes!("../fixtures/header_targets.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::WideColumns,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: &[
            ExpectedKpi {
                name: "Churn %",
                unit: Some("%"),
                direction: LOWER,
                direction_from: BY_TARGET,
                // `< 7.5` is read as at most 7.5: targets have no strict kind.
                target: Some(Goal::AtMost(7.5)),
                values: CHURN,
            },
            ExpectedKpi {
                name: "NPS",
                unit: None,
                direction: HIGHER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtLeast(70.0)),
                values: NPS,
            },
            ExpectedKpi {
                name: "Uptime",
                unit: None,
                // A band implies no direction.
                direction: HIGHER,
                direction_from: UNSAID,
                target: Some(Goal::Between(99.5, 100.0)),
                values: &[99.95, 99.7, 99.4, 99.9, 100.0, 99.8],
            },
        ],
        warnings: &[],
    });
}

const TARGET_ACTUAL_SHEETS: [&str; 2] = ["Columns", "Rows"];

#[test]
fn actual_target_variance_columns_are_one_kpi() {
    let table = check(&Expected {
        file: "target_actual_pairs.xlsx",
        bytes: include_bytes!("../fixtures/target_actual_pairs.xlsx"),
        ask_sheet: Some("Columns"),
        sheet: Some("Columns"),
        layout: Layout::WideColumns,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: &[
            ExpectedKpi {
                name: "Churn",
                unit: None,
                // The Target column holds a bare 7.5; "churn" says lower is
                // better, so it is a ceiling.
                direction: LOWER,
                direction_from: UNCHECKED,
                target: Some(Goal::AtMost(7.5)),
                values: CHURN,
            },
            ExpectedKpi {
                name: "NPS",
                unit: None,
                direction: HIGHER,
                direction_from: UNCHECKED,
                target: Some(Goal::AtLeast(70.0)),
                values: NPS,
            },
        ],
        warnings: &[],
    });
    assert_eq!(table.sheets, TARGET_ACTUAL_SHEETS);
}

#[test]
fn actual_target_variance_rows_are_one_kpi() {
    check(&Expected {
        file: "target_actual_pairs.xlsx",
        bytes: include_bytes!("../fixtures/target_actual_pairs.xlsx"),
        ask_sheet: Some("Rows"),
        sheet: Some("Rows"),
        layout: Layout::WideRows,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: &[
            ExpectedKpi {
                name: "Revenue",
                unit: None,
                direction: HIGHER,
                direction_from: UNCHECKED,
                target: Some(Goal::AtLeast(130000.0)),
                values: REVENUE,
            },
            ExpectedKpi {
                name: "NPS",
                unit: None,
                direction: HIGHER,
                direction_from: UNCHECKED,
                target: Some(Goal::AtLeast(70.0)),
                values: NPS,
            },
        ],
        warnings: &[],
    });
}

#[test]
fn sheet_names_lists_every_sheet_in_order() {
    let pairs = sheet_names(
        include_bytes!("../fixtures/target_actual_pairs.xlsx"),
        "target_actual_pairs.xlsx",
    );
    assert_eq!(
        pairs.ok(),
        Some(TARGET_ACTUAL_SHEETS.map(String::from).to_vec())
    );
    let metadata = sheet_names(
        include_bytes!("../fixtures/metadata_sheet.xlsx"),
        "metadata_sheet.xlsx",
    );
    assert_eq!(
        metadata.ok(),
        Some(vec![
            "Notes".to_string(),
            "Targets".to_string(),
            "Data".to_string()
        ])
    );
    let text = sheet_names(
        include_bytes!("../fixtures/wide_columns.csv"),
        "wide_columns.csv",
    );
    assert_eq!(text.ok(), Some(Vec::new()));
}

#[test]
fn metadata_sheet_is_found_and_not_read_as_data() {
    let table = check(&Expected {
        file: "metadata_sheet.xlsx",
        bytes: include_bytes!("../fixtures/metadata_sheet.xlsx"),
        ask_sheet: None,
        // Notes (text only) and Targets (the metadata) come first.
        sheet: Some("Data"),
        layout: Layout::WideColumns,
        frequency: Frequency::Monthly,
        periods: MONTHS,
        kpis: &[
            ExpectedKpi {
                name: "Monthly churn",
                unit: Some("%"),
                direction: LOWER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtMost(7.5)),
                values: CHURN,
            },
            ExpectedKpi {
                name: "NPS",
                unit: None,
                direction: HIGHER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtLeast(70.0)),
                values: NPS,
            },
            ExpectedKpi {
                name: "Revenue",
                unit: Some("$"),
                direction: HIGHER,
                direction_from: BY_METADATA,
                target: None,
                values: REVENUE,
            },
            ExpectedKpi {
                name: "Signups",
                unit: Some("%"),
                // "grow" contradicts "<= 3 %"; the target wins, with a warning.
                direction: LOWER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtMost(3.0)),
                values: &[2.1, 2.4, 2.6, 2.9, 3.1, 3.4],
            },
            ExpectedKpi {
                name: "Support tickets",
                unit: None,
                direction: LOWER,
                direction_from: BY_TARGET,
                target: Some(Goal::AtMost(400.0)),
                // Stale: nothing after April, with a warning.
                values: &[410.0, 395.0, 388.0, 402.0, MISSING, MISSING],
            },
        ],
        warnings: &[&["signups"], &["support tickets"]],
    });
    assert_eq!(table.sheets, ["Notes", "Targets", "Data"]);
    let churn = kpi(&table, "Monthly churn");
    assert_eq!(churn.owner.as_deref(), Some("Dana Ruiz"));
    assert_eq!(churn.department.as_deref(), Some("Customer Success"));
    assert_eq!(churn.focus.as_deref(), Some("KR"));
    assert!(churn.is_key_result());
    let source = churn
        .target
        .as_ref()
        .map(|target| target.source.clone())
        .unwrap_or_default();
    assert!(
        source.contains("Targets"),
        "churn's target source should name the sheet: {source:?}"
    );
    assert_eq!(
        kpi(&table, "Signups").department.as_deref(),
        Some("Marketing")
    );
    assert_eq!(kpi(&table, "NPS").focus, None);
}

#[test]
fn targets_file_applies_to_a_data_file() {
    let records = read_targets(
        include_bytes!("../fixtures/targets_only.csv"),
        "targets_only.csv",
    )
    .unwrap_or_else(|error| panic!("targets_only.csv: {error}"));
    assert_eq!(records.len(), 3, "{records:?}");
    let options = ReadOptions {
        targets: records,
        ..ReadOptions::default()
    };
    let table = read_table(
        include_bytes!("../fixtures/wide_columns.csv"),
        "wide_columns.csv",
        &options,
    )
    .unwrap_or_else(|error| panic!("wide_columns.csv with targets: {error}"));
    let mut problems = Vec::new();
    let expected = [
        ExpectedKpi {
            name: "Monthly churn %",
            unit: Some("%"),
            direction: LOWER,
            direction_from: UNCHECKED,
            target: Some(Goal::AtMost(7.5)),
            values: CHURN,
        },
        ExpectedKpi {
            name: "NPS",
            unit: None,
            direction: HIGHER,
            direction_from: UNCHECKED,
            target: Some(Goal::AtLeast(70.0)),
            values: NPS,
        },
        ExpectedKpi {
            name: "Revenue ($)",
            unit: Some("$"),
            direction: HIGHER,
            direction_from: UNCHECKED,
            target: Some(Goal::AtLeast(125000.0)),
            values: REVENUE,
        },
    ];
    for kpi in &expected {
        check_kpi(&table, kpi, &mut problems);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let churn = kpi(&table, "Monthly churn %");
    assert_eq!(churn.owner.as_deref(), Some("Dana Ruiz"));
    assert!(churn.is_key_result());
    assert_eq!(
        kpi(&table, "Revenue ($)").department.as_deref(),
        Some("Finance")
    );
}

// ---------------------------------------------------------------------------
// The remaining period formats.
// ---------------------------------------------------------------------------

#[test]
fn daily_iso_dates() {
    const DAYS: &[&str] = &[
        "2024-03-01",
        "2024-03-02",
        "2024-03-03",
        "2024-03-04",
        "2024-03-05",
        "2024-03-06",
        "2024-03-07",
        "2024-03-08",
        "2024-03-09",
        "2024-03-10",
        "2024-03-11",
        "2024-03-12",
        "2024-03-13",
        "2024-03-14",
    ];
    let table = check(&Expected {
        file: "periods_daily.csv",
        bytes: include_bytes!("../fixtures/periods_daily.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::WideColumns,
        frequency: Frequency::Daily,
        periods: DAYS,
        kpis: &[
            ExpectedKpi {
                name: "Signups",
                direction: HIGHER,
                direction_from: UNSAID,
                values: &[
                    42.0, 45.0, 47.0, 44.0, 50.0, 53.0, 51.0, 55.0, 58.0, 56.0, 60.0, 63.0, 61.0,
                    65.0,
                ],
                ..KPI
            },
            ExpectedKpi {
                name: "Errors",
                direction: LOWER,
                direction_from: BY_NAME,
                values: &[
                    7.0, 5.0, 6.0, 4.0, 5.0, 3.0, 4.0, 2.0, 3.0, 3.0, 2.0, 1.0, 2.0, 1.0,
                ],
                ..KPI
            },
        ],
        warnings: &[],
    });
    assert_eq!(table.step_days, 1);
}

#[test]
fn iso_weeks() {
    check(&Expected {
        file: "periods_weekly.csv",
        bytes: include_bytes!("../fixtures/periods_weekly.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::WideColumns,
        frequency: Frequency::Weekly,
        periods: &[
            "2024-W01", "2024-W02", "2024-W03", "2024-W04", "2024-W05", "2024-W06", "2024-W07",
            "2024-W08",
        ],
        kpis: &[
            ExpectedKpi {
                name: "Deploys",
                direction: HIGHER,
                direction_from: UNSAID,
                values: &[12.0, 15.0, 14.0, 18.0, 20.0, 19.0, 22.0, 25.0],
                ..KPI
            },
            ExpectedKpi {
                name: "Incidents",
                values: &[3.0, 2.0, 4.0, 1.0, 2.0, 1.0, 0.0, 1.0],
                ..KPI
            },
        ],
        warnings: &[],
    });
}

#[test]
fn bare_years_are_periods_not_values() {
    check(&Expected {
        file: "periods_years.csv",
        bytes: include_bytes!("../fixtures/periods_years.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::WideColumns,
        frequency: Frequency::Yearly,
        periods: &["2019", "2020", "2021", "2022", "2023", "2024"],
        kpis: &[
            ExpectedKpi {
                name: "Customers",
                direction: HIGHER,
                direction_from: UNSAID,
                values: &[310.0, 420.0, 560.0, 610.0, 745.0, 880.0],
                ..KPI
            },
            ExpectedKpi {
                name: "Headcount",
                values: &[12.0, 18.0, 25.0, 31.0, 38.0, 44.0],
                ..KPI
            },
        ],
        warnings: &[],
    });
}

#[test]
fn slash_months_with_a_gap_and_a_duplicate() {
    check(&Expected {
        file: "periods_month_slash.csv",
        bytes: include_bytes!("../fixtures/periods_month_slash.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::WideColumns,
        frequency: Frequency::Monthly,
        // The gap keeps its place (March, all missing); the two February
        // rows are averaged.
        periods: MONTHS,
        kpis: &[
            ExpectedKpi {
                name: "Active users",
                direction: HIGHER,
                direction_from: UNSAID,
                values: &[1000.0, 1050.0, MISSING, 1100.0, 1120.0, 1150.0],
                ..KPI
            },
            ExpectedKpi {
                name: "Tickets",
                values: &[300.0, 300.0, MISSING, 280.0, 270.0, 260.0],
                ..KPI
            },
        ],
        warnings: &[&["2024-02", "02/2024"], &["2024-03", "03/2024"]],
    });
}

#[test]
fn year_space_quarter() {
    check(&Expected {
        file: "periods_year_quarter.csv",
        bytes: include_bytes!("../fixtures/periods_year_quarter.csv"),
        ask_sheet: None,
        sheet: None,
        layout: Layout::WideColumns,
        frequency: Frequency::Quarterly,
        periods: QUARTERS,
        kpis: &[
            ExpectedKpi {
                name: "Churn %",
                unit: Some("%"),
                direction: LOWER,
                direction_from: BY_NAME,
                values: QUARTER_CHURN,
                ..KPI
            },
            ExpectedKpi {
                name: "NPS",
                direction: HIGHER,
                direction_from: UNSAID,
                values: QUARTER_NPS,
                ..KPI
            },
        ],
        warnings: &[],
    });
}

// ---------------------------------------------------------------------------
// The hand-written XLSB, checked below kpilot: calamine must read every
// record make_fixtures.py writes.
// ---------------------------------------------------------------------------

#[test]
fn xlsb_fixture_is_a_workbook_calamine_reads() {
    let bytes: &[u8] = include_bytes!("../fixtures/wide_rows.xlsb");
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes)).expect("calamine opens wide_rows.xlsb");
    assert!(
        matches!(workbook, calamine::Sheets::Xlsb(_)),
        "opened as another format"
    );
    assert_eq!(workbook.sheet_names(), vec!["KPIs".to_string()]);
    let range = workbook.worksheet_range("KPIs").expect("sheet KPIs");
    assert_eq!(range.start(), Some((0, 0)));
    assert_eq!(range.end(), Some((5, 9)));
    let cell = |row: u32, column: u32| {
        range
            .get_value((row, column))
            .cloned()
            .unwrap_or(Data::Empty)
    };

    assert_eq!(cell(0, 0), Data::String("KPI report H1 2024".into()));
    assert_eq!(cell(1, 0), Data::Empty);
    for (column, label) in ["KPI", "Unit", "Target"].iter().enumerate() {
        assert_eq!(cell(2, column as u32), Data::String((*label).into()));
    }
    for (offset, serial) in [45292.0, 45323.0, 45352.0, 45383.0, 45413.0, 45444.0]
        .iter()
        .enumerate()
    {
        // A date cell in the 1900 system: the serial with a date format.
        let date = ExcelDateTime::new(*serial, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            cell(2, 3 + offset as u32),
            Data::DateTime(date),
            "period header {offset}"
        );
    }
    assert_eq!(cell(2, 9), Data::String("Average".into()));
    assert_eq!(cell(3, 0), Data::String("Monthly churn".into()));
    assert_eq!(cell(3, 1), Data::String("%".into()));
    assert_eq!(cell(3, 2), Data::String("<= 7.5".into()));
    for (offset, expected) in CHURN.iter().enumerate() {
        match cell(3, 3 + offset as u32) {
            Data::Float(value) => assert!(close(Some(value), *expected), "churn {offset}: {value}"),
            other => panic!("churn {offset} is {other:?}"),
        }
    }
    assert_eq!(cell(3, 9), Data::Error(calamine::CellErrorType::Div0));
    assert_eq!(cell(4, 1), Data::Empty);
    for (offset, expected) in NPS.iter().enumerate() {
        assert_eq!(cell(4, 3 + offset as u32), Data::Int(*expected as i64));
    }
    for (offset, expected) in REVENUE.iter().enumerate() {
        assert_eq!(cell(5, 3 + offset as u32), Data::Float(*expected));
    }
    assert_eq!(cell(5, 2), Data::Empty);
}
