//! The patterns of sheets the tests had not seen: a probe of 31 published
//! sheets (kept outside the repository) found each of these read wrong,
//! most of them silently. Each pattern has a small fixture of our own from
//! `tests/fixtures/make_fixtures.py` (section 19) and a test named after
//! what broke; the numbers expected below are the generator's, typed out
//! by hand. A reading that cannot be right must say why in its doubts (and
//! come out at confidence `check` or `low`), or be refused with an error
//! that names what was seen.

use kpilot::ingest::{read_table, ReadOptions};
use kpilot::model::{Confidence, Direction, DirectionSource, KpiMeta, KpiTable};

const TOLERANCE: f64 = 1e-9;

fn read(file: &str, bytes: &[u8]) -> KpiTable {
    read_table(bytes, file, &ReadOptions::default())
        .unwrap_or_else(|error| panic!("{file}: {error}"))
}

fn labels(table: &KpiTable) -> Vec<String> {
    table.periods.iter().map(|period| period.label()).collect()
}

fn names(table: &KpiTable) -> Vec<&str> {
    table.kpis.iter().map(|kpi| kpi.name.as_str()).collect()
}

/// The KPI called `name` and its values.
fn kpi<'a>(table: &'a KpiTable, name: &str) -> (&'a KpiMeta, Vec<Option<f64>>) {
    let index = table
        .kpis
        .iter()
        .position(|kpi| kpi.name == name)
        .unwrap_or_else(|| panic!("no KPI '{name}' among {:?}", names(table)));
    (&table.kpis[index], table.values_of(index))
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
