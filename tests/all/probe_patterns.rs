//! The patterns of sheets the tests had not seen: a probe of 31 published
//! sheets (kept outside the repository) found each of these read wrong,
//! most of them silently. Each pattern has a small fixture of our own from
//! `tests/fixtures/make_fixtures.py` (section 20) and a test named after
//! what broke; the numbers expected below are the generator's, typed out
//! by hand. A reading that cannot be right must say why in its doubts (and
//! come out at confidence `check` or `low`), or be refused with an error
//! that names what was seen.

use kpilot::ingest::{read_table, ReadOptions};

use super::table_checks::{assert_target, kpi, labels, read, TOLERANCE};
use kpilot::model::{Confidence, Direction, DirectionSource, KpiTable, TargetKind};

/// The error message of a file that must be refused.
fn refusal(file: &str, bytes: &[u8]) -> String {
    match read_table(bytes, file, &ReadOptions::default()) {
        Ok(table) => panic!("{file}: read, expected a refusal: {:?}", table.source),
        Err(error) => error.to_string(),
    }
}

fn names(table: &KpiTable) -> Vec<&str> {
    table.kpis.iter().map(|kpi| kpi.name.as_str()).collect()
}

fn assert_values(name: &str, actual: &[Option<f64>], expected: &[Option<f64>]) {
    let same = actual.len() == expected.len()
        && actual.iter().zip(expected).all(|pair| match pair {
            (Some(value), Some(wanted)) => {
                (value - wanted).abs() <= TOLERANCE * wanted.abs().max(1.0)
            }
            (None, None) => true,
            _ => false,
        });
    assert!(same, "'{name}': values {actual:?}, expected {expected:?}");
}

fn all(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().copied().map(Some).collect()
}

fn assert_direction(table: &KpiTable, name: &str, direction: Direction, source: DirectionSource) {
    let (meta, _) = kpi(table, name);
    assert_eq!(
        (meta.direction, meta.direction_source),
        (direction, source),
        "'{name}': direction"
    );
}

/// The doubt that holds all of `words` (case-insensitive).
fn doubt<'a>(table: &'a KpiTable, words: &[&str]) -> &'a str {
    table
        .source
        .doubts
        .iter()
        .find(|doubt| {
            let doubt = doubt.to_lowercase();
            words
                .iter()
                .all(|word| doubt.contains(&word.to_lowercase()))
        })
        .unwrap_or_else(|| panic!("no doubt says all of {words:?}: {:?}", table.source.doubts))
}

fn said(table: &KpiTable, words: &[&str]) -> bool {
    table
        .source
        .warnings
        .iter()
        .chain(&table.source.doubts)
        .any(|text| {
            let text = text.to_lowercase();
            words.iter().all(|word| text.contains(&word.to_lowercase()))
        })
}

// ---------------------------------------------------------------------------
// Directions.
// ---------------------------------------------------------------------------

#[test]
fn regression_profit_before_tax_and_results_beside_loss_words_read_lower_is_better() {
    let table = read(
        "direction_results_and_pay.csv",
        include_bytes!("../fixtures/direction_results_and_pay.csv"),
    );
    assert_eq!(labels(&table), ["2021", "2022", "2023", "2024"]);
    let higher = Direction::HigherIsBetter;
    let lower = Direction::LowerIsBetter;
    let by_name = DirectionSource::Name;
    // A result stays a result beside `before tax`, `antes de impuestos`
    // or a paired `(Pérdida)`, even while it is a loss.
    assert_direction(&table, "Profit before tax", higher, by_name);
    assert_direction(&table, "Resultado antes de impuestos", higher, by_name);
    assert_direction(&table, "(Pérdida) Ganancia operativa", higher, by_name);
    // A tax is still a tax, a saving a gain, pay and rent costs.
    assert_direction(&table, "Income tax", lower, by_name);
    assert_direction(&table, "Costs saved", higher, by_name);
    assert_direction(&table, "Payroll", lower, by_name);
    assert_direction(&table, "Rent", lower, by_name);
    let (_, profit) = kpi(&table, "Profit before tax");
    assert_values(
        "Profit before tax",
        &profit,
        &all(&[-120.0, -80.0, 40.0, 95.0]),
    );
    // A negative profit is a loss, not a cost written as a negative number.
    assert!(
        !said(&table, &["negative numbers"]),
        "{:?}",
        table.source.warnings
    );
}

#[test]
fn regression_sentido_positivo_and_negativo_were_not_understood() {
    let table = read(
        "sentido_direction_column.csv",
        include_bytes!("../fixtures/sentido_direction_column.csv"),
    );
    assert_eq!(labels(&table), ["2024-01", "2024-02", "2024-03"]);
    // The column says it, over what the names would guess (`Rotación`
    // reads as staff turnover, lower is better).
    let stated = DirectionSource::Metadata;
    assert_direction(
        &table,
        "Rotación de inventario",
        Direction::HigherIsBetter,
        stated,
    );
    assert_direction(&table, "Disponibilidad", Direction::HigherIsBetter, stated);
    assert_direction(&table, "Quejas", Direction::LowerIsBetter, stated);
    assert!(
        !said(&table, &["not understood"]),
        "{:?}",
        table.source.warnings
    );
    assert_eq!(table.source.confidence, Confidence::High);
}

// ---------------------------------------------------------------------------
// Plans (Budget columns) and the direction of their targets.
// ---------------------------------------------------------------------------

#[test]
fn regression_a_budget_column_was_given_as_the_source_of_a_direction_it_does_not_state() {
    let table = read(
        "budget_plan_kinds.csv",
        include_bytes!("../fixtures/budget_plan_kinds.csv"),
    );
    assert_eq!(labels(&table), ["2025-10", "2025-11", "2025-12"]);
    // The kind of each plan's target follows what the name says, and the
    // direction's source is the name, not the budget's numbers.
    let (revenue, values) = kpi(&table, "Revenue");
    assert_values("Revenue", &values, &all(&[104.0, 108.0, 126.0]));
    assert_target(revenue, TargetKind::AtLeast, 120.0);
    assert_values(
        "Revenue budget",
        revenue.target_history.as_deref().unwrap_or_default(),
        &all(&[100.0, 110.0, 120.0]),
    );
    let (payroll, _) = kpi(&table, "Payroll");
    assert_target(payroll, TargetKind::AtMost, 42.0);
    let (rent, _) = kpi(&table, "Rent");
    assert_target(rent, TargetKind::AtMost, 6.0);
    for name in ["Revenue", "Payroll", "Rent"] {
        assert_eq!(
            kpi(&table, name).0.direction_source,
            DirectionSource::Name,
            "{name}"
        );
    }
    // Nothing says which way `Widgets` is better: its budget was read as a
    // floor, and the reading asks.
    let (widgets, _) = kpi(&table, "Widgets");
    assert_target(widgets, TargetKind::AtLeast, 12.0);
    assert_eq!(widgets.direction_source, DirectionSource::Default);
    let text = doubt(&table, &["'Widgets'", "'Budget'", "floors"]);
    assert!(!text.contains("Payroll"), "{text}");
    assert_eq!(table.source.confidence, Confidence::Check);
}

#[test]
fn a_plan_whose_kind_nothing_states_makes_the_reading_ask() {
    // The template's `Monthly targets` beside `Current Actuals` (section 18):
    // the same values and targets as before, now with a doubt that asks
    // which way is better, since each month's status hangs on it.
    let table = read(
        "template_glidepath.xlsx",
        include_bytes!("../fixtures/template_glidepath.xlsx"),
    );
    let (actuals, _) = kpi(&table, "Current Actuals");
    assert_target(actuals, TargetKind::AtLeast, 0.92);
    doubt(
        &table,
        &["'Monthly targets'", "'Current Actuals'", "floors"],
    );
    assert_eq!(table.source.confidence, Confidence::Check);
}

// ---------------------------------------------------------------------------
// Sections of an income statement.
// ---------------------------------------------------------------------------

#[test]
fn regression_a_section_direction_was_inherited_past_its_total_line() {
    let table = read(
        "section_closed_by_total.csv",
        include_bytes!("../fixtures/section_closed_by_total.csv"),
    );
    assert_eq!(labels(&table), ["2021", "2022", "2023"]);
    let lower = Direction::LowerIsBetter;
    let higher = Direction::HigherIsBetter;
    assert_direction(&table, "Labor", lower, DirectionSource::Name);
    assert_direction(&table, "Total OpEx", lower, DirectionSource::Name);
    // `Total OpEx` closes the section: EBITDA is a result, Headcount no cost.
    assert_direction(&table, "EBITDA", higher, DirectionSource::Name);
    assert_direction(&table, "Headcount", higher, DirectionSource::Default);
    let department = |name: &str| kpi(&table, name).0.department.clone();
    assert_eq!(department("Labor").as_deref(), Some("Operating Expenses"));
    assert_eq!(
        department("Total OpEx").as_deref(),
        Some("Operating Expenses")
    );
    assert_eq!(department("EBITDA"), None);
    assert_eq!(department("Headcount"), None);
    let (_, ebitda) = kpi(&table, "EBITDA");
    assert_values("EBITDA", &ebitda, &all(&[50.0, 58.0, 65.0]));
}

#[test]
fn regression_an_assumptions_block_repeating_line_names_read_silently() {
    let table = read(
        "section_closed_by_total.csv",
        include_bytes!("../fixtures/section_closed_by_total.csv"),
    );
    // The `Assumptions:` block's `Labor` is a rate, not a second year of
    // labour costs: it is kept apart, and the reading says why.
    let (_, labor) = kpi(&table, "Labor");
    assert_values("Labor", &labor, &all(&[50.0, 52.0, 55.0]));
    let (_, rate) = kpi(&table, "Labor (2)");
    assert_values("Labor (2)", &rate, &all(&[0.5, 0.47, 0.46]));
    doubt(&table, &["'Labor'", "more than once", "second table"]);
    assert_eq!(table.source.confidence, Confidence::Check);
}

// ---------------------------------------------------------------------------
// Choosing the sheet.
// ---------------------------------------------------------------------------

#[test]
fn regression_a_transaction_log_was_chosen_over_the_budget_table() {
    let table = read(
        "ledger_before_budget.xlsx",
        include_bytes!("../fixtures/ledger_before_budget.xlsx"),
    );
    assert_eq!(table.source.sheet.as_deref(), Some("Budget"));
    let months: Vec<String> = (1..=12).map(|month| format!("2024-{month:02}")).collect();
    assert_eq!(labels(&table), months);
    assert_eq!(
        names(&table),
        ["Travel", "Meals", "Office", "Software", "Events"]
    );
    let (_, travel) = kpi(&table, "Travel");
    assert_values(
        "Travel",
        &travel,
        &all(&[
            800.0, 800.0, 900.0, 900.0, 1000.0, 1000.0, 700.0, 600.0, 900.0, 1000.0, 1000.0, 1200.0,
        ]),
    );
    let (_, events) = kpi(&table, "Events");
    assert_values(
        "Events",
        &events,
        &all(&[
            0.0, 500.0, 0.0, 0.0, 800.0, 0.0, 0.0, 0.0, 600.0, 0.0, 900.0, 0.0,
        ]),
    );
}

// ---------------------------------------------------------------------------
// Tables that are not KPIs over time.
// ---------------------------------------------------------------------------

#[test]
fn regression_a_one_date_snapshot_was_read_as_a_series() {
    let message = refusal(
        "snapshot_one_date.csv",
        include_bytes!("../fixtures/snapshot_one_date.csv"),
    );
    assert!(message.contains("snapshot_one_date.csv"), "{message}");
    assert!(message.contains("one period (2024-03-25)"), "{message}");
}

#[test]
fn regression_a_roster_with_shuffled_years_read_at_confidence_high() {
    let table = read(
        "roster_years_shuffled.csv",
        include_bytes!("../fixtures/roster_years_shuffled.csv"),
    );
    assert_eq!(table.source.confidence, Confidence::Low);
    let text = doubt(&table, &["column C", "no time order", "records"]);
    assert!(text.contains("2021, 2025, 2022, 2024, 2019"), "{text}");
}

#[test]
fn regression_a_roster_read_as_a_long_table_of_one_value_per_player() {
    let message = refusal(
        "roster_long_single_values.csv",
        include_bytes!("../fixtures/roster_long_single_values.csv"),
    );
    assert!(message.contains("each of the 6 names"), "{message}");
    assert!(message.contains("'PATTERSON', 'ROEFS'"), "{message}");
    assert!(message.contains("and 1 more"), "{message}");
}

#[test]
fn the_log_sheet_read_as_asked_says_its_names_are_records() {
    let options = ReadOptions {
        sheet: Some("Transactions".to_string()),
        ..ReadOptions::default()
    };
    let table = read_table(
        include_bytes!("../fixtures/ledger_before_budget.xlsx"),
        "ledger_before_budget.xlsx",
        &options,
    )
    .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(table.source.sheet.as_deref(), Some("Transactions"));
    // 18 descriptions: Coffee 5 times, Taxi 4, Printer paper 3, five twice
    // and ten once, over 32 dates.
    assert_eq!(table.kpis.len(), 18);
    assert_eq!(table.source.confidence, Confidence::Low);
    doubt(
        &table,
        &[
            "15 of the 18 KPIs",
            "one or two values",
            "32 periods",
            "records",
        ],
    );
}

#[test]
fn regression_a_row_without_its_date_between_weeks_was_left_out_at_confidence_high() {
    let table = read(
        "weekly_rows_without_dates.csv",
        include_bytes!("../fixtures/weekly_rows_without_dates.csv"),
    );
    assert_eq!(
        labels(&table),
        [
            "2024-01-07",
            "2024-01-14",
            "2024-01-21",
            "2024-01-28",
            "2024-02-04"
        ]
    );
    let (_, calls) = kpi(&table, "Calls");
    assert_values(
        "Calls",
        &calls,
        &[Some(4.0), Some(5.0), None, Some(5.0), Some(7.0)],
    );
    // Row 5 sits between two dated weeks; row 2, above the first date, is
    // an opening row and not doubted.
    let text = doubt(&table, &["Row 5", "column A", "date is missing"]);
    assert!(!text.contains("Row 2") && !text.contains("Rows"), "{text}");
    assert_eq!(table.source.confidence, Confidence::Check);
}

// ---------------------------------------------------------------------------
// Roles.
// ---------------------------------------------------------------------------

#[test]
fn regression_objectif_read_as_the_value_under_a_merged_month() {
    let table = read(
        "role_row_objectif_realise.xlsx",
        include_bytes!("../fixtures/role_row_objectif_realise.xlsx"),
    );
    assert_eq!(labels(&table), ["2025-01", "2025-02", "2025-03"]);
    assert_eq!(names(&table), ["Visites clients", "Offres envoyées"]);
    // Réalisé is the value, Objectif each month's target, % left out.
    let (visits, values) = kpi(&table, "Visites clients");
    assert_values("Visites clients", &values, &all(&[92.0, 104.0, 99.0]));
    assert_target(visits, TargetKind::AtLeast, 110.0);
    assert_values(
        "Visites clients (Objectif)",
        visits.target_history.as_deref().unwrap_or_default(),
        &all(&[100.0, 100.0, 110.0]),
    );
    let (offers, values) = kpi(&table, "Offres envoyées");
    assert_values("Offres envoyées", &values, &all(&[18.0, 22.0, 21.0]));
    assert_target(offers, TargetKind::AtLeast, 25.0);
    assert!(
        said(&table, &["Objectif", "Réalisé", "%"]),
        "{:?}",
        table.source.warnings
    );
}

#[test]
fn regression_an_unfilled_template_of_zeros_was_read_as_kpis() {
    let message = refusal(
        "template_all_zero.csv",
        include_bytes!("../fixtures/template_all_zero.csv"),
    );
    assert!(
        message.contains("all 5 values of the table are 0"),
        "{message}"
    );
    assert!(message.contains("unfilled template"), "{message}");
}

// ---------------------------------------------------------------------------
// Periods.
// ---------------------------------------------------------------------------

#[test]
fn regression_french_jui_and_aou_were_dropped_then_reported_as_no_data() {
    let table = read(
        "french_months_jui_juil.csv",
        include_bytes!("../fixtures/french_months_jui_juil.csv"),
    );
    let months: Vec<String> = (1..=12).map(|month| format!("2026-{month:02}")).collect();
    assert_eq!(labels(&table), months);
    let (_, ca) = kpi(&table, "CA");
    let expected: Vec<f64> = (1..=12).map(f64::from).collect();
    assert_values("CA", &ca, &all(&expected));
    assert!(!said(&table, &["no data"]), "{:?}", table.source.warnings);
    assert_eq!(table.source.confidence, Confidence::High);
}

#[test]
fn regression_years_beside_yearless_months_were_dropped_without_a_word() {
    let table = read(
        "years_beside_yearless_months.csv",
        include_bytes!("../fixtures/years_beside_yearless_months.csv"),
    );
    // The months take their year from `Sous total 2026`, which is said and
    // left out as a total; the years before them are named in a doubt.
    assert_eq!(labels(&table), ["2026-01", "2026-02", "2026-03"]);
    let (_, model) = kpi(&table, "MT 316");
    assert_values("MT 316", &model, &all(&[3.0, 4.0, 5.0]));
    assert!(
        said(&table, &["2026", "'Sous total 2026'"]),
        "{:?}",
        table.source.warnings
    );
    assert!(
        said(&table, &["left out", "'Sous total 2026'"]),
        "{:?}",
        table.source.warnings
    );
    doubt(&table, &["'2023', '2024'", "months without a year"]);
    assert_ne!(table.source.confidence, Confidence::High);
}

// ---------------------------------------------------------------------------
// Messages.
// ---------------------------------------------------------------------------

#[test]
fn a_workbook_refusal_quotes_what_the_nearest_sheet_holds() {
    let message = refusal(
        "snapshot_sheets.xlsx",
        include_bytes!("../fixtures/snapshot_sheets.xlsx"),
    );
    assert!(message.contains("'Notes', 'This week'"), "{message}");
    assert!(
        message.contains("the nearest is sheet 'This week'"),
        "{message}"
    );
    assert!(message.contains("one period (2024-03-25)"), "{message}");
    // The file is named once.
    assert_eq!(
        message.matches("snapshot_sheets.xlsx").count(),
        1,
        "{message}"
    );
}

#[test]
fn regression_dutch_norm_and_meetlat_were_read_as_kpis_instead_of_targets() {
    // A members' count beside its yardstick: `meetlat` (and `norm`) is the
    // target path, not a second KPI.
    for word in ["meetlat", "norm", "streefwaarde"] {
        let csv = format!(
            "maand,leden,{word}\nmei 2018,37,37\njun 2018,40,43\njul 2018,44,49\naug 2018,47,57\n"
        );
        let table = read("leden.csv", csv.as_bytes());
        assert_eq!(names(&table), ["leden"], "{word}");
        let (meta, values) = kpi(&table, "leden");
        assert_values("leden", &values, &all(&[37.0, 40.0, 44.0, 47.0]));
        assert_target(meta, TargetKind::AtLeast, 57.0);
        assert_eq!(
            meta.target_history,
            Some(all(&[37.0, 43.0, 49.0, 57.0])),
            "{word}: the yardstick of each month"
        );
    }
}

#[test]
fn regression_a_salary_under_income_read_lower_is_better() {
    // A household budget: pay is an income here, rent a cost; a salary
    // named as a cost stays one.
    let csv = "Figures in USD,Jan 2024,Feb 2024,Mar 2024\n\
               Income:,,,\n\
               Base Salary,3100,3100,3250\n\
               Bonus,500,550,600\n\
               Total Income,3600,3650,3850\n\
               Expenses:,,,\n\
               Rent,1120,1120,1120\n\
               Salary costs,300,310,320\n\
               Groceries,550,560,540\n\
               Total Expenses,1970,1990,1980\n";
    let table = read("household.csv", csv.as_bytes());
    assert_direction(
        &table,
        "Base Salary",
        Direction::HigherIsBetter,
        DirectionSource::Name,
    );
    assert_direction(
        &table,
        "Rent",
        Direction::LowerIsBetter,
        DirectionSource::Name,
    );
    assert_direction(
        &table,
        "Salary costs",
        Direction::LowerIsBetter,
        DirectionSource::Name,
    );
}

#[test]
fn regression_quarter_end_months_were_read_as_monthly_with_gaps() {
    // A quarterly sheet that names each quarter by its last month: six
    // quarters, not sixteen months with ten of them empty.
    let csv = "Quarter,Revenue\nMar 2024,10\nJun 2024,12\nSep 2024,13\nDec 2024,15\nMar 2025,16\nJun 2025,18\n";
    let table = read("quarter_ends.csv", csv.as_bytes());
    assert_eq!(table.source.frequency, kpilot::model::Frequency::Quarterly);
    assert_eq!(
        labels(&table),
        ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    );
    let (_, values) = kpi(&table, "Revenue");
    assert_values(
        "Revenue",
        &values,
        &all(&[10.0, 12.0, 13.0, 15.0, 16.0, 18.0]),
    );
    assert!(said(&table, &["every third month", "quarters"]));
    // The same month of every year is a yearly sheet.
    let yearly = read(
        "year_ends.csv",
        b"Year end,Headcount\nDec 2021,40\nDec 2022,44\nDec 2023,47\nDec 2024,52\n",
    );
    assert_eq!(labels(&yearly), ["2021", "2022", "2023", "2024"]);
    // Months with a missing quarter-end still read monthly when they are
    // not all on one lattice.
    let monthly = read(
        "months.csv",
        b"Month,Leads\nJan 2024,1\nFeb 2024,2\nMar 2024,3\nJun 2024,4\n",
    );
    assert_eq!(monthly.source.frequency, kpilot::model::Frequency::Monthly);
}
