//! The patterns of the published sheets in `../shared/realworld` (entities,
//! roles, period spellings, noise around the table), each in a small
//! fixture of our own from `tests/fixtures/make_fixtures.py` (section 18),
//! so the behaviour is covered on a bare clone too; and one regression test
//! per bug of issue 7, named after what broke. Every expected number below
//! is the one the generator wrote, typed out by hand.

use super::table_checks::{assert_target, kpi, labels, read, read_with, TOLERANCE};
use chrono::NaiveDate;
use kpilot::analysis::health::Verdict;
use kpilot::analysis::{analyze, AnalysisOptions};
use kpilot::ingest::mapping::{ColumnChoice, Mapping};
use kpilot::ingest::ReadOptions;
use kpilot::model::{
    Confidence, Direction, DirectionSource, Frequency, KpiMeta, KpiTable, Layout, TargetKind,
};

/// A missing value in an expected series.
const MISSING: f64 = f64::NAN;

const MONTHS_2024_H1: &[&str] = &[
    "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06",
];

/// Reading as of 1 December 2026, for months written without a year.
fn read_today(file: &str, bytes: &[u8]) -> KpiTable {
    let options = ReadOptions {
        today: NaiveDate::from_ymd_opt(2026, 12, 1),
        ..ReadOptions::default()
    };
    read_with(file, bytes, &options)
}

fn names(table: &KpiTable) -> Vec<&str> {
    let mut names: Vec<&str> = table.kpis.iter().map(|kpi| kpi.name.as_str()).collect();
    names.sort_unstable();
    names
}

/// `expected` writes a missing value as `MISSING` (NaN).
fn assert_values(name: &str, actual: &[Option<f64>], expected: &[f64]) {
    let same = actual.len() == expected.len()
        && actual
            .iter()
            .zip(expected)
            .all(|(value, wanted)| match value {
                None => wanted.is_nan(),
                Some(value) => (value - wanted).abs() <= TOLERANCE * wanted.abs().max(1.0),
            });
    assert!(same, "'{name}': values {actual:?}, expected {expected:?}");
}

/// Checks a KPI's values and its entity (`None`: no entity).
fn assert_series(table: &KpiTable, name: &str, entity: Option<&str>, expected: &[f64]) {
    let (meta, values) = kpi(table, name);
    assert_eq!(meta.entity.as_deref(), entity, "'{name}': entity");
    assert_values(name, &values, expected);
}

fn assert_history(meta: &KpiMeta, expected: &[f64]) {
    let history = meta
        .target_history
        .as_ref()
        .unwrap_or_else(|| panic!("'{}' has no per-period targets", meta.name));
    assert_values(&meta.name, history, expected);
}

fn warned(table: &KpiTable, words: &[&str]) -> bool {
    table.source.warnings.iter().any(|warning| {
        let warning = warning.to_lowercase();
        words
            .iter()
            .all(|word| warning.contains(&word.to_lowercase()))
    })
}

fn assert_warned(table: &KpiTable, words: &[&str]) {
    assert!(
        warned(table, words),
        "no warning says all of {words:?}: {:?}",
        table.source.warnings
    );
}

// ---------------------------------------------------------------------------
// Entities.
// ---------------------------------------------------------------------------

const NORTH_USERS: &[f64] = &[1200.0, 1250.0, 1300.0, 1280.0, 1350.0, 1400.0];
const SOUTH_USERS: &[f64] = &[800.0, 820.0, 790.0, 850.0, 870.0, 900.0];
const TOTAL_USERS: &[f64] = &[2000.0, 2070.0, 2090.0, 2130.0, 2220.0, 2300.0];
const NORTH_REVENUE: &[f64] = &[50000.0, 52000.0, 51500.0, 54000.0, 55500.0, 58000.0];
const SOUTH_REVENUE: &[f64] = &[30000.0, 30500.0, 31000.0, 30800.0, 32000.0, 33500.0];
const TOTAL_REVENUE: &[f64] = &[80000.0, 82500.0, 82500.0, 84800.0, 87500.0, 91500.0];

#[test]
fn long_table_region_column_splits_series_and_total_is_an_aggregate() {
    let table = read(
        "long_entities.csv",
        include_bytes!("../fixtures/long_entities.csv"),
    );
    assert_eq!(table.source.layout, Layout::Long);
    assert_eq!(table.source.frequency, Frequency::Monthly);
    assert_eq!(labels(&table), MONTHS_2024_H1);
    assert_eq!(table.source.entity_column.as_deref(), Some("region"));
    assert_eq!(
        names(&table),
        [
            "Active users · North",
            "Active users · South",
            "Active users · Total",
            "Revenue · North",
            "Revenue · South",
            "Revenue · Total",
        ]
    );
    assert_series(&table, "Active users · North", Some("North"), NORTH_USERS);
    assert_series(&table, "Active users · South", Some("South"), SOUTH_USERS);
    // The Total keeps its own numbers: never averaged with the regions.
    assert_series(&table, "Active users · Total", Some("Total"), TOTAL_USERS);
    assert_series(&table, "Revenue · North", Some("North"), NORTH_REVENUE);
    assert_series(&table, "Revenue · South", Some("South"), SOUTH_REVENUE);
    assert_series(&table, "Revenue · Total", Some("Total"), TOTAL_REVENUE);
    for meta in &table.kpis {
        let total = meta.entity.as_deref() == Some("Total");
        assert_eq!(meta.aggregate, total, "'{}': aggregate", meta.name);
        // The Total is not anyone's target.
        assert!(meta.target.is_none(), "'{}' has a target", meta.name);
        assert!(meta.base_name.is_some(), "'{}' has no base name", meta.name);
    }
    assert_eq!(
        kpi(&table, "Revenue · South").0.base_name.as_deref(),
        Some("Revenue")
    );
    assert_warned(&table, &["total", "region"]);
}

#[test]
fn regression_long_table_with_a_company_column_averaged_into_one_series() {
    let table = read(
        "regression_long_company.csv",
        include_bytes!("../fixtures/regression_long_company.csv"),
    );
    assert_eq!(table.source.layout, Layout::Long);
    assert_eq!(table.source.entity_column.as_deref(), Some("company"));
    assert_eq!(labels(&table), MONTHS_2024_H1);
    assert_eq!(
        names(&table),
        [
            "Active Users · ACME",
            "Active Users · GLOBEX",
            "Active Users · INITECH"
        ]
    );
    assert_series(
        &table,
        "Active Users · ACME",
        Some("ACME"),
        &[5400.0, 5600.0, 5900.0, 6100.0, 6400.0, 6800.0],
    );
    assert_series(
        &table,
        "Active Users · GLOBEX",
        Some("GLOBEX"),
        &[1200.0, 1150.0, 1100.0, 1080.0, 1050.0, 990.0],
    );
    assert_series(
        &table,
        "Active Users · INITECH",
        Some("INITECH"),
        &[300.0, 340.0, 390.0, 420.0, 480.0, 530.0],
    );
    assert!(
        !warned(&table, &["mean"]),
        "nothing was averaged: {:?}",
        table.source.warnings
    );
}

const NORTH_NIM: &[f64] = &[2.9, 3.0, 3.1, 3.0, 2.8, 2.7];
const SOUTH_NIM: &[f64] = &[3.4, 3.5, 3.3, 3.6, 3.7, 3.8];
const NORTH_CREDIT_LOSS: &[f64] = &[0.41, 0.44, 0.47, 0.5, 0.52, 0.55];
const SOUTH_CREDIT_LOSS: &[f64] = &[0.3, 0.31, 0.29, 0.33, 0.32, 0.35];

fn check_bank_table(table: &KpiTable) {
    assert_eq!(table.source.layout, Layout::WideRows);
    assert_eq!(table.source.entity_column.as_deref(), Some("Bank"));
    assert_eq!(table.kpis.len(), 4, "{:?}", names(table));
    for (name, entity, values) in [
        ("Net Interest Margin", "NORTH BANK", NORTH_NIM),
        ("Net Interest Margin", "SOUTH BANK", SOUTH_NIM),
        ("Credit Loss Rate", "NORTH BANK", NORTH_CREDIT_LOSS),
        ("Credit Loss Rate", "SOUTH BANK", SOUTH_CREDIT_LOSS),
    ] {
        let full = format!("{name} · {entity}");
        assert_series(table, &full, Some(entity), values);
        assert_eq!(kpi(table, &full).0.base_name.as_deref(), Some(name));
    }
    let (loss, _) = kpi(table, "Credit Loss Rate · SOUTH BANK");
    assert_eq!(loss.direction, Direction::LowerIsBetter);
}

#[test]
fn periods_across_with_a_bank_column_and_year_quarter_headers() {
    let table = read(
        "wide_rows_bank_quarters.csv",
        include_bytes!("../fixtures/wide_rows_bank_quarters.csv"),
    );
    assert_eq!(table.source.frequency, Frequency::Quarterly);
    assert_eq!(
        labels(&table),
        ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    );
    check_bank_table(&table);
}

#[test]
fn periods_across_with_a_bank_column_and_year_month_headers() {
    let table = read(
        "wide_rows_bank_months.csv",
        include_bytes!("../fixtures/wide_rows_bank_months.csv"),
    );
    assert_eq!(table.source.frequency, Frequency::Monthly);
    assert_eq!(labels(&table), MONTHS_2024_H1);
    check_bank_table(&table);
}

#[test]
fn periods_down_with_an_entity_column_quoted_brazilian_numbers_and_accounting_prefixes() {
    let table = read(
        "down_entity_brazilian.csv",
        include_bytes!("../fixtures/down_entity_brazilian.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(table.source.frequency, Frequency::Yearly);
    assert_eq!(
        labels(&table),
        ["2024", "2025", "2026", "2027", "2028", "2029"]
    );
    assert_eq!(table.source.entity_column.as_deref(), Some("TIPO"));
    // 4 line items × 2 entities; the blank-header column of 0,00 is not one.
    assert_eq!(table.kpis.len(), 8, "{:?}", names(&table));
    assert_warned(&table, &["zeros"]);
    // Trailing spaces are not part of the names.
    assert_series(
        &table,
        "(+) Receita Bruta · COMUNIDADE",
        Some("COMUNIDADE"),
        &[0.0, 0.0, 1234567.8, 2752899.8, 2752899.8, 3100000.25],
    );
    assert_series(
        &table,
        "(+) Receita Bruta · DESENVOLVEDOR",
        Some("DESENVOLVEDOR"),
        &[0.0, 0.0, 5000000.0, 8250000.5, 8250000.5, 9300000.75],
    );
    assert_series(
        &table,
        "(-) IR/CSLL · COMUNIDADE",
        Some("COMUNIDADE"),
        &[0.0; 6],
    );
    assert_series(
        &table,
        "(-) IR/CSLL · DESENVOLVEDOR",
        Some("DESENVOLVEDOR"),
        &[0.0, 0.0, 1637450.0, 2702658.49, 2702658.49, 3046625.24],
    );
    // The last column's values end in a space.
    assert_series(
        &table,
        "(=) Lucro Líquido · DESENVOLVEDOR",
        Some("DESENVOLVEDOR"),
        &[0.0, 0.0, 3180050.0, 5246216.99, 5246216.99, 5913925.48],
    );
    let (taxes, values) = kpi(&table, "(-) Impostos · COMUNIDADE");
    assert_values(
        &taxes.name,
        &values,
        &[0.0, 0.0, 45061.72, 100480.84, 100480.84, 113150.01],
    );
    // The accounting sign says which way is better.
    assert_eq!(taxes.direction, Direction::LowerIsBetter);
    assert_eq!(taxes.direction_source, DirectionSource::Name);
    let (revenue, _) = kpi(&table, "(+) Receita Bruta · COMUNIDADE");
    assert_eq!(revenue.direction, Direction::HigherIsBetter);
    assert_eq!(revenue.base_name.as_deref(), Some("(+) Receita Bruta"));
}

#[test]
fn periods_down_entity_column_without_a_header_and_a_total_store() {
    let table = read(
        "down_entity_without_header.csv",
        include_bytes!("../fixtures/down_entity_without_header.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(labels(&table), MONTHS_2024_H1);
    // A blank header still gives the entity column a name.
    assert_eq!(table.source.entity_column.as_deref(), Some("Column B"));
    assert_eq!(table.kpis.len(), 6, "{:?}", names(&table));
    assert_series(
        &table,
        "Sales · Lisbon",
        Some("Lisbon"),
        &[100.0, 104.0, 103.0, 110.0, 112.0, 118.0],
    );
    assert_series(
        &table,
        "Sales · Porto",
        Some("Porto"),
        &[80.0, 79.0, 85.0, 88.0, 86.0, 90.0],
    );
    assert_series(
        &table,
        "Sales · Total",
        Some("Total"),
        &[180.0, 183.0, 188.0, 198.0, 198.0, 208.0],
    );
    assert_series(
        &table,
        "Returns · Total",
        Some("Total"),
        &[6.0, 8.0, 6.0, 6.0, 10.0, 8.0],
    );
    assert!(kpi(&table, "Returns · Total").0.aggregate);
    assert!(!kpi(&table, "Returns · Porto").0.aggregate);
    // The aggregate is said in periods-down tables as in long ones.
    assert_warned(&table, &["'total'", "column b", "total of the others"]);
}

#[test]
fn entities_known_by_a_number_under_a_header_that_names_them() {
    let stores = [
        ("101", [100.0, 104.0, 103.0, 110.0, 112.0, 118.0]),
        ("102", [50.0, 52.0, 51.0, 55.0, 54.0, 58.0]),
        ("103", [70.0, 69.0, 74.0, 73.0, 77.0, 80.0]),
    ];
    let down = read(
        "down_numbered_stores.csv",
        include_bytes!("../fixtures/down_numbered_stores.csv"),
    );
    assert_eq!(down.source.entity_column.as_deref(), Some("store_id"));
    assert_eq!(down.kpis.len(), 6, "{:?}", names(&down));
    assert_ne!(down.source.confidence, Confidence::Low);
    for (store, sales) in &stores {
        assert_series(&down, &format!("sales · {store}"), Some(store), sales);
        let visits: Vec<f64> = sales.iter().map(|value| 10.0 * value + 3.0).collect();
        assert_series(&down, &format!("visits · {store}"), Some(store), &visits);
    }
    let long = read(
        "long_numbered_branches.csv",
        include_bytes!("../fixtures/long_numbered_branches.csv"),
    );
    assert_eq!(long.source.layout, Layout::Long);
    assert_eq!(long.source.entity_column.as_deref(), Some("branch"));
    assert_eq!(names(&long), ["sales · 101", "sales · 102", "sales · 103"]);
    for (store, sales) in &stores {
        assert_series(&long, &format!("sales · {store}"), Some(store), sales);
    }
}

#[test]
fn year_and_portuguese_month_in_two_columns_with_an_entity_in_a_workbook() {
    let table = read(
        "year_month_columns_pt.xlsx",
        include_bytes!("../fixtures/year_month_columns_pt.xlsx"),
    );
    assert_eq!(table.source.sheet.as_deref(), Some("Sheet 1"));
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(table.source.frequency, Frequency::Monthly);
    assert_eq!(
        labels(&table),
        ["2022-11", "2022-12", "2023-01", "2023-02", "2023-03", "2023-04"]
    );
    assert_eq!(table.source.entity_column.as_deref(), Some("NOME_ORGAO"));
    assert_eq!(table.kpis.len(), 4, "{:?}", names(&table));
    assert_series(
        &table,
        "IAD · 1ª VARA_BELÉM",
        Some("1ª VARA_BELÉM"),
        &[95.1, 96.4, 90.05, 92.3, 97.8, 99.2],
    );
    assert_series(
        &table,
        "IAD · VARA_ALTAMIRA",
        Some("VARA_ALTAMIRA"),
        &[88.0, 91.5, 93.54, 94.1, 92.7, 95.0],
    );
    assert_series(
        &table,
        "TX_CONCILIACAO_CONHECIMENTO · 1ª VARA_BELÉM",
        Some("1ª VARA_BELÉM"),
        &[25.5, 26.1, 26.64, 27.0, 28.3, 29.1],
    );
    assert_series(
        &table,
        "TX_CONCILIACAO_CONHECIMENTO · VARA_ALTAMIRA",
        Some("VARA_ALTAMIRA"),
        &[40.2, 39.8, 40.11, 41.5, 42.0, 41.7],
    );
    let mapping = &table.source.mapping;
    assert_eq!(mapping.year_column, Some(ColumnChoice::Column(0)));
    assert_eq!(mapping.period_column, Some(ColumnChoice::Column(1)));
    assert_eq!(mapping.entity_column, Some(ColumnChoice::Column(2)));
}

#[test]
fn iso_week_date_ranges_with_an_entity_column() {
    let table = read(
        "week_ranges_entities.csv",
        include_bytes!("../fixtures/week_ranges_entities.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(table.source.frequency, Frequency::Weekly);
    // Each range is read as its first day, a Monday seven days apart.
    assert_eq!(
        labels(&table),
        [
            "2023-01-30",
            "2023-02-06",
            "2023-02-13",
            "2023-02-20",
            "2023-02-27",
            "2023-03-06"
        ]
    );
    assert_eq!(table.step_days, 7);
    assert_eq!(table.source.entity_column.as_deref(), Some("Model"));
    assert_eq!(table.kpis.len(), 4, "{:?}", names(&table));
    // The double space inside the entity is kept as written.
    assert_series(
        &table,
        "MAE · Model  1 - Clear Sky",
        Some("Model  1 - Clear Sky"),
        &[41.2, 39.8, 44.5, 38.1, 36.9, 40.3],
    );
    assert_series(
        &table,
        "MAE · Model 2 - Satellite",
        Some("Model 2 - Satellite"),
        &[30.5, 29.9, 31.2, 28.4, 27.7, 29.0],
    );
    assert_series(
        &table,
        "R2 · Model 2 - Satellite",
        Some("Model 2 - Satellite"),
        &[0.85, 0.86, 0.83, 0.88, 0.9, -0.12],
    );
    assert_series(
        &table,
        "R2 · Model  1 - Clear Sky",
        Some("Model  1 - Clear Sky"),
        &[0.71, 0.74, 0.66, 0.77, 0.79, 0.73],
    );
}

// ---------------------------------------------------------------------------
// Periods down: encodings, sparse columns, IDs, flags and text.
// ---------------------------------------------------------------------------

fn read_yyyymm() -> KpiTable {
    read(
        "yyyymm_sparse_id.csv",
        include_bytes!("../fixtures/yyyymm_sparse_id.csv"),
    )
}

#[test]
fn yyyymm_periods_a_rate_filled_late_and_an_id_column_that_is_a_kpi() {
    let table = read_yyyymm();
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(
        names(&table),
        ["ec_cv_rate", "gmv", "new_line_id", "total_orders"]
    );
    assert_series(
        &table,
        "gmv",
        None,
        &[
            1834500.0, 1902250.0, 2415800.0, 1688000.0, 1750400.0, 1990125.0,
        ],
    );
    assert_series(
        &table,
        "total_orders",
        None,
        &[480.0, 495.0, 610.0, 432.0, 451.0, 512.0],
    );
    // Only the last two months are filled.
    assert_series(
        &table,
        "ec_cv_rate",
        None,
        &[MISSING, MISSING, MISSING, MISSING, 0.198, 0.202],
    );
    // `new_line_id` counts LINE sign-ups: a KPI, not an identifier.
    assert_series(
        &table,
        "new_line_id",
        None,
        &[1500.0, 1561.0, 1618.0, 1702.0, 1777.0, 1844.0],
    );
}

#[test]
fn regression_yyyymm_integers_found_no_column_of_periods() {
    let table = read_yyyymm();
    assert_eq!(table.source.frequency, Frequency::Monthly);
    assert_eq!(
        labels(&table),
        ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
    );
    // The period column is not also a KPI.
    assert!(table.kpi_index("ym").is_none(), "{:?}", names(&table));
    assert_eq!(
        table.source.mapping.period_column,
        Some(ColumnChoice::Column(0))
    );
}

#[test]
fn a_role_column_of_actual_plan_and_py_rows_gives_one_kpi_each() {
    let table = read(
        "across_role_column.csv",
        include_bytes!("../fixtures/across_role_column.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideRows);
    assert_eq!(labels(&table), MONTHS_2024_H1);
    assert_eq!(names(&table), ["Churn %", "Revenue"]);
    let (revenue, values) = kpi(&table, "Revenue");
    assert_values(
        "Revenue",
        &values,
        &[100.0, 110.0, 120.0, 115.0, 130.0, 140.0],
    );
    assert_target(revenue, TargetKind::AtLeast, 130.0);
    assert_history(revenue, &[105.0, 110.0, 115.0, 120.0, 125.0, 130.0]);
    // The plan row is named by its role, not only by its KPI.
    let source = revenue.target.as_ref().map(|target| target.source.as_str());
    assert_eq!(source, Some("'Revenue (Plan)'"));
    assert_warned(
        &table,
        &["'revenue (plan)'", "'revenue (py)'", "'churn % (plan)'"],
    );
    let (churn, values) = kpi(&table, "Churn %");
    assert_values("Churn %", &values, &[5.0, 5.2, 5.1, 4.9, 4.8, 4.7]);
    assert_target(churn, TargetKind::AtMost, 5.0);
}

#[test]
fn a_row_of_actual_budget_under_the_periods_gives_each_month_its_target() {
    let table = read(
        "across_role_subheader.csv",
        include_bytes!("../fixtures/across_role_subheader.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideRows);
    assert_eq!(labels(&table), MONTHS_2024_H1[..4]);
    assert_eq!(names(&table), ["Cost", "Revenue"]);
    let (revenue, values) = kpi(&table, "Revenue");
    assert_values("Revenue", &values, &[100.0, 110.0, 120.0, 115.0]);
    assert_history(revenue, &[105.0, 110.0, 115.0, 120.0]);
    assert_target(revenue, TargetKind::AtLeast, 120.0);
    let (cost, values) = kpi(&table, "Cost");
    assert_values("Cost", &values, &[50.0, 52.0, 49.0, 51.0]);
    assert_history(cost, &[48.0, 50.0, 50.0, 50.0]);
    assert_target(cost, TargetKind::AtMost, 50.0);
    assert_warned(&table, &["row 2", "actual", "budget"]);
}

#[test]
fn a_long_scenario_column_gives_per_period_budgets_per_entity() {
    let table = read(
        "long_scenario_column.csv",
        include_bytes!("../fixtures/long_scenario_column.csv"),
    );
    assert_eq!(table.source.layout, Layout::Long);
    assert_eq!(labels(&table), MONTHS_2024_H1[..4]);
    assert_eq!(table.source.entity_column.as_deref(), Some("country"));
    assert_eq!(
        names(&table),
        ["Orders · All", "Orders · ES", "Orders · PT"]
    );
    for (name, actuals, budgets) in [
        (
            "Orders · PT",
            [10.0, 11.0, 12.0, 13.0],
            [11.0, 12.0, 13.0, 14.0],
        ),
        (
            "Orders · ES",
            [20.0, 21.0, 22.0, 23.0],
            [21.0, 22.0, 23.0, 24.0],
        ),
        (
            "Orders · All",
            [30.0, 32.0, 34.0, 36.0],
            [31.0, 33.0, 35.0, 37.0],
        ),
    ] {
        let (meta, values) = kpi(&table, name);
        assert_values(name, &values, &actuals);
        assert_history(meta, &budgets);
        assert_target(meta, TargetKind::AtLeast, budgets[3]);
        let source = meta.target.as_ref().map(|target| target.source.as_str());
        assert_eq!(source, Some("'Budget'"), "{name}");
    }
    assert!(kpi(&table, "Orders · All").0.aggregate);
}

#[test]
fn actual_baseline_target_with_us_dates_is_one_kpi_with_a_floor() {
    let table = read(
        "actual_baseline_target.csv",
        include_bytes!("../fixtures/actual_baseline_target.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(table.source.frequency, Frequency::Monthly);
    // 1/1/2015 … 2/1/2016 are the firsts of fourteen months, not days.
    assert_eq!(
        labels(&table),
        [
            "2015-01", "2015-02", "2015-03", "2015-04", "2015-05", "2015-06", "2015-07", "2015-08",
            "2015-09", "2015-10", "2015-11", "2015-12", "2016-01", "2016-02"
        ]
    );
    assert_eq!(names(&table), ["actual"]);
    let (actual, values) = kpi(&table, "actual");
    assert_values(
        "actual",
        &values,
        &[
            22.0, 24.0, 23.0, 26.0, 25.0, 27.0, 28.0, 27.0, 29.0, 31.0, 30.0, 32.0, 33.0, 31.0,
        ],
    );
    // The target above the baseline is a floor.
    assert_target(actual, TargetKind::AtLeast, 30.0);
    assert_eq!(actual.direction, Direction::HigherIsBetter);
}

/// One line item of an income statement as a test expects it.
struct LineItem {
    name: &'static str,
    group: &'static str,
    kind: TargetKind,
    direction: Direction,
    actuals: &'static [f64],
    budgets: &'static [f64],
}

#[test]
fn long_budget_actual_with_a_type_column_reads_costs_as_ceilings() {
    let table = read(
        "long_budget_actual.csv",
        include_bytes!("../fixtures/long_budget_actual.csv"),
    );
    assert_eq!(table.source.layout, Layout::Long);
    assert_eq!(table.source.frequency, Frequency::Monthly);
    assert_eq!(labels(&table), MONTHS_2024_H1);
    assert_eq!(
        names(&table),
        ["Insurance", "Personnel", "Retail Banking", "Technology"]
    );
    let cases = [
        LineItem {
            name: "Retail Banking",
            group: "Revenue",
            kind: TargetKind::AtLeast,
            direction: Direction::HigherIsBetter,
            actuals: &[4950.0, 5080.0, 5120.0, 5010.0, 5290.0, 5330.0],
            budgets: &[5000.0, 5000.0, 5100.0, 5100.0, 5200.0, 5200.0],
        },
        LineItem {
            name: "Insurance",
            group: "Revenue",
            kind: TargetKind::AtLeast,
            direction: Direction::HigherIsBetter,
            actuals: &[1380.0, 1425.0, 1460.0, 1410.0, 1520.0, 1490.0],
            budgets: &[1400.0, 1400.0, 1450.0, 1450.0, 1500.0, 1500.0],
        },
        LineItem {
            name: "Personnel",
            group: "Cost",
            kind: TargetKind::AtMost,
            direction: Direction::LowerIsBetter,
            actuals: &[3980.0, 4060.0, 4040.0, 4120.0, 4090.0, 4150.0],
            budgets: &[4000.0, 4000.0, 4050.0, 4050.0, 4100.0, 4100.0],
        },
        LineItem {
            name: "Technology",
            group: "Cost",
            kind: TargetKind::AtMost,
            direction: Direction::LowerIsBetter,
            actuals: &[1120.0, 1090.0, 1170.0, 1140.0, 1230.0, 1185.0],
            budgets: &[1100.0, 1100.0, 1150.0, 1150.0, 1200.0, 1200.0],
        },
    ];
    for item in cases {
        let (meta, values) = kpi(&table, item.name);
        assert_values(item.name, &values, item.actuals);
        assert_eq!(
            meta.department.as_deref(),
            Some(item.group),
            "'{}'",
            item.name
        );
        assert_eq!(meta.direction, item.direction, "'{}'", item.name);
        // The target is the latest budget, and each month has its own.
        assert_target(meta, item.kind, item.budgets[5]);
        assert_history(meta, item.budgets);
        let source = meta.target.as_ref().map(|target| target.source.as_str());
        assert_eq!(source, Some("'budget'"), "'{}'", item.name);
    }
    assert_warned(&table, &["variance"]);
    assert_warned(&table, &["targets of 4 KPIs change over time", "'budget'"]);
    // The other spellings of the period are said, once.
    assert_warned(
        &table,
        &[
            "other spellings of the period",
            "'month'",
            "'month_num'",
            "'year'",
        ],
    );
}

#[test]
fn budget_actual_variance_columns_are_one_kpi_each() {
    let table = read(
        "budget_actual_columns.csv",
        include_bytes!("../fixtures/budget_actual_columns.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(labels(&table), MONTHS_2024_H1);
    assert_eq!(
        names(&table),
        ["cost_actual", "ebitda_margin_actual", "revenue_actual"]
    );
    let (revenue, values) = kpi(&table, "revenue_actual");
    assert_values(
        "revenue_actual",
        &values,
        &[13850.0, 14390.0, 14310.0, 14750.0, 14620.0, 15110.0],
    );
    assert_target(revenue, TargetKind::AtLeast, 14920.0);
    assert_history(
        revenue,
        &[14000.0, 14200.0, 14400.0, 14600.0, 14800.0, 14920.0],
    );
    let (cost, values) = kpi(&table, "cost_actual");
    assert_values(
        "cost_actual",
        &values,
        &[6750.0, 6920.0, 6880.0, 7010.0, 6940.0, 7150.0],
    );
    assert_target(cost, TargetKind::AtMost, 7095.0);
    assert_eq!(cost.direction, Direction::LowerIsBetter);
    assert_history(cost, &[6800.0, 6850.0, 6900.0, 6950.0, 7000.0, 7095.0]);
    let (margin, values) = kpi(&table, "ebitda_margin_actual");
    assert_values(
        "ebitda_margin_actual",
        &values,
        &[51.3, 51.9, 51.9, 52.5, 52.5, 52.7],
    );
    assert_target(margin, TargetKind::AtLeast, 52.4);
    assert_warned(
        &table,
        &["other spellings of the period", "'month'", "'month_num'"],
    );
}

#[test]
fn long_portuguese_header_with_series_that_end_in_different_months() {
    let table = read(
        "long_pt_two_ends.csv",
        include_bytes!("../fixtures/long_pt_two_ends.csv"),
    );
    assert_eq!(table.source.layout, Layout::Long);
    assert_eq!(table.source.frequency, Frequency::Monthly);
    assert_eq!(
        labels(&table),
        ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]
    );
    assert_eq!(names(&table), ["igpm", "ipca"]);
    assert_series(
        &table,
        "igpm",
        None,
        &[0.27, -0.52, 0.76, 1.02, -0.13, 0.41, 0.58],
    );
    assert_series(
        &table,
        "ipca",
        None,
        &[0.42, 0.53, 0.31, 0.38, 0.26, 0.29, MISSING],
    );
    assert_warned(&table, &["ipca", "stale"]);
}

#[test]
fn flags_and_text_columns_among_kpis_are_left_out_and_said() {
    let table = read(
        "flags_and_text.csv",
        include_bytes!("../fixtures/flags_and_text.csv"),
    );
    assert_eq!(names(&table), ["customer_churn_rate", "mrr"]);
    assert_series(
        &table,
        "mrr",
        None,
        &[12000.0, 12600.0, 13100.0, 12900.0, 13800.0, 14500.0],
    );
    assert_series(
        &table,
        "customer_churn_rate",
        None,
        &[0.052, 0.048, 0.061, 0.067, 0.055, 0.049],
    );
    assert_warned(&table, &["true/false", "churn_caution"]);
    assert_warned(
        &table,
        &["text", "revenue_trend", "revenue_growth_category"],
    );
}

#[test]
fn a_year_column_beside_its_quarters_is_their_total_not_a_period() {
    let table = read(
        "pnl_quarters_with_year_total.csv",
        include_bytes!("../fixtures/pnl_quarters_with_year_total.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideRows);
    // Not an irregular axis of quarters with a year among them.
    assert_eq!(table.source.frequency, Frequency::Quarterly);
    assert_eq!(labels(&table), ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]);
    assert_warned(&table, &["'fy24'", "totals"]);
    assert_series(&table, "Revenue", None, &[1200.0, 1250.0, 1300.0, 1410.0]);
    assert_series(&table, "COGS", None, &[-400.0, -410.0, -430.0, -460.0]);
    // The cost of goods sold in parentheses: a cost stored as negatives.
    let (cogs, _) = kpi(&table, "COGS");
    assert_eq!(cogs.direction, Direction::HigherIsBetter);
    assert_eq!(cogs.direction_source, DirectionSource::Sign);
    assert_series(&table, "Gross margin %", None, &[66.7, 67.2, 66.9, 67.4]);
    assert_eq!(kpi(&table, "Gross margin %").0.unit.as_deref(), Some("%"));

    let rows = read(
        "quarters_with_year_rows.csv",
        include_bytes!("../fixtures/quarters_with_year_rows.csv"),
    );
    assert_eq!(rows.source.frequency, Frequency::Quarterly);
    assert_eq!(
        labels(&rows),
        ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    );
    assert_series(&rows, "Churn %", None, &[4.8, 5.0, 5.3, 5.9, 6.4, 8.1]);
    assert_series(&rows, "NPS", None, &[65.0, 67.0, 68.0, 70.0, 71.0, 73.0]);
    assert_warned(&rows, &["'2023'", "totals"]);
}

#[test]
fn an_expense_section_ends_at_the_result_line_below_it() {
    let table = read(
        "income_statement_sections.csv",
        include_bytes!("../fixtures/income_statement_sections.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideRows);
    assert_eq!(table.source.frequency, Frequency::Yearly);
    assert_eq!(labels(&table), ["2021", "2022", "2023", "2024"]);
    assert_eq!(table.kpis.len(), 9, "{:?}", names(&table));
    assert_series(
        &table,
        "Research and development",
        None,
        &[-12000.0, -13400.0, -14100.0, -15800.0],
    );
    assert_series(&table, "EPS (diluted)", None, &[1.21, 1.30, 1.39, 1.62]);
    for cost in [
        "Cost of revenue",
        "Research and development",
        "Selling, general and administrative",
        "Interest expense",
    ] {
        let (meta, _) = kpi(&table, cost);
        assert_eq!(meta.direction, Direction::HigherIsBetter, "{cost}");
        assert_eq!(meta.direction_source, DirectionSource::Sign, "{cost}");
    }
    let department = |name: &str| kpi(&table, name).0.department.clone();
    assert_eq!(
        department("Research and development").as_deref(),
        Some("Operating expenses")
    );
    // The section's block ends at Operating income: what follows is not
    // an operating expense, and EPS is not lower-is-better for being there.
    assert_eq!(department("Operating income"), None);
    assert_eq!(department("EPS (diluted)"), None);
    let (eps, _) = kpi(&table, "EPS (diluted)");
    assert_eq!(eps.direction, Direction::HigherIsBetter);
    assert_eq!(eps.direction_source, DirectionSource::Default);
}

// ---------------------------------------------------------------------------
// Workbooks: titles, sections, templates.
// ---------------------------------------------------------------------------

const TRACKER_MONTHS: &[&str] = &[
    "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08",
    "2024-09", "2024-10", "2024-11", "2024-12",
];

#[test]
fn titled_tracker_with_sections_a_target_column_and_the_year_in_another_sheet() {
    let table = read(
        "titled_tracker.xlsx",
        include_bytes!("../fixtures/titled_tracker.xlsx"),
    );
    assert_eq!(table.source.sheet.as_deref(), Some("Monthly KPIs"));
    assert_eq!(table.source.layout, Layout::WideRows);
    assert_eq!(table.source.frequency, Frequency::Monthly);
    // The year of the yearless Jan … Dec comes from 'Board Report'.
    assert_eq!(labels(&table), TRACKER_MONTHS);
    assert_warned(&table, &["2024", "board report"]);
    // December is not filled in yet: said once for the four KPIs.
    assert_warned(&table, &["4 KPIs are stale", "2024-11"]);
    // The data sheet is not also read as its own metadata sheet, which
    // named the section rows as metadata for KPIs not in the data.
    assert!(
        !warned(&table, &["not a kpi in the data"]),
        "{:?}",
        table.source.warnings
    );
    // The section rows are departments, not KPIs.
    assert_eq!(
        names(&table),
        ["Cost per MQL ($)", "MQLs", "Organic %", "Pipeline Sourced"]
    );
    let cases: [(&str, &str, TargetKind, f64, &[f64]); 4] = [
        (
            "MQLs",
            "DEMAND GENERATION",
            TargetKind::AtLeast,
            300.0,
            &[
                250.0, 262.0, 270.0, 281.0, 290.0, 288.0, 301.0, 310.0, 305.0, 322.0, 330.0,
                MISSING,
            ],
        ),
        (
            "Cost per MQL ($)",
            "DEMAND GENERATION",
            TargetKind::AtMost,
            290.0,
            &[
                310.0, 305.0, 300.0, 298.0, 296.0, 299.0, 292.0, 290.0, 288.0, 287.0, 285.0,
                MISSING,
            ],
        ),
        (
            "Pipeline Sourced",
            "REVENUE",
            TargetKind::AtLeast,
            400000.0,
            &[
                350000.0, 360000.0, 355000.0, 372000.0, 380000.0, 390000.0, 395000.0, 410000.0,
                420000.0, 430000.0, 440000.0, MISSING,
            ],
        ),
        (
            "Organic %",
            "REVENUE",
            TargetKind::AtLeast,
            0.58,
            &[
                0.55, 0.56, 0.56, 0.57, 0.575, 0.58, 0.585, 0.59, 0.595, 0.6, 0.605, MISSING,
            ],
        ),
    ];
    for (name, section, kind, target, values) in cases {
        let (meta, got) = kpi(&table, name);
        assert_values(name, &got, values);
        assert_target(meta, kind, target);
        assert_eq!(meta.department.as_deref(), Some(section), "'{name}'");
    }
    assert_eq!(
        kpi(&table, "Cost per MQL ($)").0.direction,
        Direction::LowerIsBetter
    );
}

const GLIDE_MONTHS: &[&str] = &[
    "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08",
];

#[test]
fn template_with_instructions_and_a_table_at_row_28_reads_the_first_of_two_alike_sheets() {
    let bytes: &[u8] = include_bytes!("../fixtures/template_glidepath.xlsx");
    let table = read("template_glidepath.xlsx", bytes);
    assert_eq!(
        table.source.sheet.as_deref(),
        Some("Percentage (eg Traceability)")
    );
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(table.source.frequency, Frequency::Monthly);
    // Only the first eight month rows have a date.
    assert_eq!(labels(&table), GLIDE_MONTHS);
    // Sr no, YTD, MoM, the headwinds text and the band table are not KPIs.
    assert_eq!(names(&table), ["Current Actuals"]);
    let (actuals, values) = kpi(&table, "Current Actuals");
    assert_values(
        "Current Actuals",
        &values,
        &[0.83, 0.699, 0.87, 0.89, 0.915, 0.95, MISSING, MISSING],
    );
    // The monthly target at the latest actual (June).
    assert_target(actuals, TargetKind::AtLeast, 0.92);
    assert_history(actuals, &[0.82, 0.84, 0.86, 0.88, 0.9, 0.92, 0.94, 0.95]);
    assert_warned(&table, &["average (eg uph)"]);
    assert_eq!(table.source.mapping.header_row, Some(28));

    let second = read_with(
        "template_glidepath.xlsx",
        bytes,
        &ReadOptions {
            sheet: Some("Average (eg UPH)".to_string()),
            ..ReadOptions::default()
        },
    );
    assert_eq!(second.periods.len(), 12);
    let (uph, values) = kpi(&second, "Current Actuals");
    assert_values(
        "Current Actuals",
        &values,
        &[
            10.1, 10.5, 10.4, 10.9, 11.2, 11.0, 11.3, 11.4, 11.5, MISSING, MISSING, MISSING,
        ],
    );
    assert_target(uph, TargetKind::AtLeast, 11.4);
}

// ---------------------------------------------------------------------------
// Regressions of issue 7, each named after what broke.
// ---------------------------------------------------------------------------

#[test]
fn regression_dd_mm_yyyy_dates_with_dashes_read_month_first() {
    let table = read(
        "regression_day_first_dashes.csv",
        include_bytes!("../fixtures/regression_day_first_dashes.csv"),
    );
    assert_eq!(table.source.frequency, Frequency::Daily);
    // 25 May … 14 June 2025: twenty-one days, no invented gaps.
    let expected: Vec<String> = (0..21)
        .map(|offset| {
            (NaiveDate::from_ymd_opt(2025, 5, 25).unwrap_or_default()
                + chrono::Duration::days(offset))
            .format("%Y-%m-%d")
            .to_string()
        })
        .collect();
    assert_eq!(labels(&table), expected);
    let orders: Vec<f64> = (100..121).map(f64::from).collect();
    assert_series(&table, "Orders", None, &orders);
    assert!(
        !warned(&table, &["no data for"]),
        "{:?}",
        table.source.warnings
    );
}

#[test]
fn regression_negative_interest_expense_growing_was_called_improving() {
    let table = read(
        "regression_negative_interest_expense.csv",
        include_bytes!("../fixtures/regression_negative_interest_expense.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideRows);
    assert_eq!(table.source.frequency, Frequency::Quarterly);
    let (expense, values) = kpi(&table, "Interest expense");
    assert_values(
        "Interest expense",
        &values,
        &[
            -9120.0, -9480.0, -9950.0, -10210.0, -10765.0, -11240.0, -11930.0, -12687.0,
        ],
    );
    // A cost stored as negative numbers: nearer zero is better.
    assert_eq!(expense.direction, Direction::HigherIsBetter);
    assert_eq!(expense.direction_source, DirectionSource::Sign);
    assert_warned(
        &table,
        &["'interest expense' is a cost written as negative numbers"],
    );
    let analysis = analyze(&table, &AnalysisOptions::default());
    let index = table.kpi_index("Interest expense").unwrap_or_default();
    let verdict = analysis.kpis[index].trend.verdict;
    assert_ne!(
        verdict,
        Verdict::Improving,
        "a cost growing from 9,120 to 12,687 is not improving"
    );
}

const DASHBOARD_REVENUE: &[f64] = &[
    140100.0, 139400.0, 141800.0, 143000.0, 142250.0, 144900.0, 146300.0, 145800.0, 147200.0,
    149900.0, 151000.0, 152400.0,
];
const DASHBOARD_EXPENSE: &[f64] = &[
    14100.0, 13900.0, 14350.0, 14200.0, 14400.0, 14660.0, 14800.0, 14500.0, 14900.0, 15100.0,
    15000.0, 15250.0,
];

#[test]
fn regression_dashboard_sheet_chosen_over_the_data_sheet() {
    let bytes: &[u8] = include_bytes!("../fixtures/regression_dashboard_first.xlsx");
    let table = read("regression_dashboard_first.xlsx", bytes);
    assert_eq!(table.source.sheet.as_deref(), Some("Data"));
    assert_eq!(labels(&table), TRACKER_MONTHS);
    assert_eq!(names(&table), ["Expense", "Profit", "Revenue"]);
    assert_series(&table, "Revenue", None, DASHBOARD_REVENUE);
    assert_series(&table, "Expense", None, DASHBOARD_EXPENSE);
}

#[test]
fn regression_dashboard_row_counter_read_as_column_a_and_periods_from_1899() {
    let table = read_with(
        "regression_dashboard_first.xlsx",
        include_bytes!("../fixtures/regression_dashboard_first.xlsx"),
        &ReadOptions {
            sheet: Some("Dashboard".to_string()),
            ..ReadOptions::default()
        },
    );
    // The zero time cell above the dates is not 31 Dec 1899.
    assert_eq!(labels(&table), MONTHS_2024_H1);
    assert_warned(&table, &["1899"]);
    // The unlabelled counter in column A is not a KPI.
    assert_eq!(names(&table), ["Expense", "Profit", "Revenue"]);
    assert_series(&table, "Revenue", None, &DASHBOARD_REVENUE[..6]);
    assert_series(&table, "Expense", None, &DASHBOARD_EXPENSE[..6]);
    assert_series(
        &table,
        "Profit",
        None,
        &[126000.0, 125500.0, 127450.0, 128800.0, 127850.0, 130240.0],
    );
}

#[test]
fn regression_week_labels_w2_to_w56_sorted_as_text() {
    let table = read(
        "regression_week_numbers_text_sorted.csv",
        include_bytes!("../fixtures/regression_week_numbers_text_sorted.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideRows);
    assert_eq!(table.source.frequency, Frequency::Weekly);
    let weeks: Vec<String> = (2..=56).map(|week| format!("W{week}")).collect();
    assert_eq!(labels(&table), weeks);
    let deploys: Vec<f64> = (2..=56).map(|week| 2.0 * f64::from(week)).collect();
    let incidents: Vec<f64> = (2..=56).map(|week| 60.0 - f64::from(week)).collect();
    assert_series(&table, "Deploys", None, &deploys);
    assert_series(&table, "Incidents", None, &incidents);
}

#[test]
fn regression_portuguese_months_jan_to_dez_without_a_year() {
    let table = read_today(
        "regression_pt_months_without_year.csv",
        include_bytes!("../fixtures/regression_pt_months_without_year.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideRows);
    assert_eq!(table.source.frequency, Frequency::Monthly);
    // The latest complete Jan … Dec before 1 December 2026.
    let months: Vec<String> = (1..=12).map(|month| format!("2025-{month:02}")).collect();
    assert_eq!(labels(&table), months);
    // No year anywhere: a doubt, not a normal reading.
    assert_ne!(table.source.confidence, Confidence::High);
    let (sales, values) = kpi(&table, "Vendas");
    assert_values(
        "Vendas",
        &values,
        &[
            410.0, 395.0, 430.0, 452.0, 470.0, 468.0, 490.0, 505.0, 498.0, 520.0, 541.0, 560.0,
        ],
    );
    assert_target(sales, TargetKind::AtLeast, 450.0);
    let (complaints, values) = kpi(&table, "Reclamações");
    assert_values(
        "Reclamações",
        &values,
        &[
            31.0, 29.0, 35.0, 28.0, 26.0, 27.0, 24.0, 22.0, 25.0, 21.0, 19.0, 18.0,
        ],
    );
    assert_target(complaints, TargetKind::AtMost, 25.0);
}

#[test]
fn regression_fiscal_years_written_fy2026_27() {
    let table = read(
        "regression_fiscal_years_underscore.csv",
        include_bytes!("../fixtures/regression_fiscal_years_underscore.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(table.source.frequency, Frequency::Yearly);
    assert_eq!(
        labels(&table),
        [
            "FY2022/23",
            "FY2023/24",
            "FY2024/25",
            "FY2025/26",
            "FY2026/27"
        ]
    );
    assert_series(
        &table,
        "revenue_musd",
        None,
        &[12.5, 14.1, 15.8, 17.2, 19.0],
    );
    assert_series(&table, "headcount", None, &[48.0, 55.0, 61.0, 70.0, 76.0]);
}

const YEAR_LIKE_MONTHS: &[&str] = &[
    "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08",
    "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03",
];

#[test]
fn regression_value_2201_in_column_d_read_as_a_bad_period() {
    let table = read_today(
        "regression_values_like_years.csv",
        include_bytes!("../fixtures/regression_values_like_years.csv"),
    );
    assert_eq!(table.source.layout, Layout::WideColumns);
    assert_eq!(labels(&table), YEAR_LIKE_MONTHS);
    assert_eq!(names(&table), ["Cadastros", "Churn %", "Pedidos"]);
    assert_series(
        &table,
        "Pedidos",
        None,
        &[
            2187.0, 2188.0, 2190.0, 2191.0, 2191.0, 2193.0, 2194.0, 2195.0, 2196.0, 2196.0, 2198.0,
            2199.0, 2200.0, 2200.0, 2201.0,
        ],
    );
    assert_eq!(
        table.source.mapping.period_column,
        Some(ColumnChoice::Column(0))
    );
}

#[test]
fn a_kpi_whose_values_look_like_years_is_not_the_year_of_yearless_months() {
    let table = read_today(
        "values_like_years_beside_months.csv",
        include_bytes!("../fixtures/values_like_years_beside_months.csv"),
    );
    // Not 2186-01, 2187-02, … from Pedidos read as the year of each month.
    assert_eq!(labels(&table), YEAR_LIKE_MONTHS);
    assert_eq!(table.source.mapping.year_column, None);
    assert_eq!(names(&table), ["Cadastros", "Churn %", "Pedidos"]);
    assert_series(
        &table,
        "Pedidos",
        None,
        &[
            2186.0, 2187.0, 2188.0, 2190.0, 2191.0, 2191.0, 2193.0, 2194.0, 2195.0, 2196.0, 2196.0,
            2198.0, 2199.0, 2200.0, 2200.0,
        ],
    );
}

// ---------------------------------------------------------------------------
// The mapping: a user's correction, and the mapping the reading used.
// ---------------------------------------------------------------------------

#[test]
fn a_mapping_names_the_columns_and_leaves_a_kpi_out_and_comes_back_in_source() {
    let bytes: &[u8] = include_bytes!("../fixtures/wide_rows_bank_quarters.csv");
    let mapping = Mapping::from_json(
        r#"{"layout": "wide_rows", "header_row": 1, "name_column": "B", "entity_column": "A", "exclude": ["Credit Loss Rate"]}"#,
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let table = read_with(
        "wide_rows_bank_quarters.csv",
        bytes,
        &ReadOptions {
            mapping: mapping.clone(),
            ..ReadOptions::default()
        },
    );
    assert_eq!(
        names(&table),
        [
            "Net Interest Margin · NORTH BANK",
            "Net Interest Margin · SOUTH BANK"
        ]
    );
    assert_series(
        &table,
        "Net Interest Margin · NORTH BANK",
        Some("NORTH BANK"),
        NORTH_NIM,
    );
    let used = &table.source.mapping;
    assert_eq!(used.layout, Some(Layout::WideRows));
    assert_eq!(used.header_row, Some(1));
    assert_eq!(used.period_row, Some(1));
    assert_eq!(used.name_column, Some(ColumnChoice::Column(1)));
    assert_eq!(used.entity_column, Some(ColumnChoice::Column(0)));
    assert_eq!(used.exclude, ["Credit Loss Rate"]);

    // Saying there is no entity column: the regions' rows of one month
    // and KPI are averaged, as asked, and the reading is doubted.
    let merged = read_with(
        "long_entities.csv",
        include_bytes!("../fixtures/long_entities.csv"),
        &ReadOptions {
            mapping: Mapping {
                entity_column: Some(ColumnChoice::NoColumn),
                ..Mapping::default()
            },
            ..ReadOptions::default()
        },
    );
    assert_eq!(merged.source.entity_column, None);
    assert_eq!(
        merged.source.mapping.entity_column,
        Some(ColumnChoice::NoColumn)
    );
    assert_eq!(names(&merged), ["Active users", "Revenue"]);
    assert_series(
        &merged,
        "Active users",
        None,
        &[
            4000.0 / 3.0,
            4140.0 / 3.0,
            4180.0 / 3.0,
            4260.0 / 3.0,
            4440.0 / 3.0,
            4600.0 / 3.0,
        ],
    );
    assert_eq!(merged.source.confidence, Confidence::Low);

    // A header row alone (no layout): on a titled sheet, the periods are
    // read from that row.
    let tracker = read_with(
        "titled_tracker.xlsx",
        include_bytes!("../fixtures/titled_tracker.xlsx"),
        &ReadOptions {
            mapping: Mapping::from_json(r#"{"sheet": "Monthly KPIs", "header_row": 3}"#)
                .unwrap_or_else(|error| panic!("{error}")),
            ..ReadOptions::default()
        },
    );
    assert_eq!(labels(&tracker), TRACKER_MONTHS);
    assert_eq!(tracker.source.mapping.period_row, Some(3));
    assert_eq!(tracker.kpis.len(), 4, "{:?}", names(&tracker));

    // Reading the mapping the first reading returned gives the same table.
    let again = read_with(
        "wide_rows_bank_quarters.csv",
        bytes,
        &ReadOptions {
            mapping: table.source.mapping.clone(),
            ..ReadOptions::default()
        },
    );
    assert_eq!(names(&again), names(&table));
    assert_eq!(again.source.mapping, table.source.mapping);
}
