//! What the reading tests of real-world and probe patterns share: read a
//! fixture that must read, and find and check its KPIs.

use kpilot::ingest::{read_table, ReadOptions};
use kpilot::model::{KpiMeta, KpiTable, TargetKind};

/// How close a value read must be to the one written in the fixture.
pub const TOLERANCE: f64 = 1e-9;

pub fn read_with(file: &str, bytes: &[u8], options: &ReadOptions) -> KpiTable {
    read_table(bytes, file, options).unwrap_or_else(|error| panic!("{file}: {error}"))
}

pub fn read(file: &str, bytes: &[u8]) -> KpiTable {
    read_with(file, bytes, &ReadOptions::default())
}

pub fn labels(table: &KpiTable) -> Vec<String> {
    table.periods.iter().map(|period| period.label()).collect()
}

/// The KPI called `name` and its values.
pub fn kpi<'a>(table: &'a KpiTable, name: &str) -> (&'a KpiMeta, Vec<Option<f64>>) {
    let index = table
        .kpis
        .iter()
        .position(|kpi| kpi.name == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = table.kpis.iter().map(|kpi| kpi.name.as_str()).collect();
            panic!("no KPI '{name}' among {names:?}")
        });
    (&table.kpis[index], table.values_of(index))
}

/// A KPI's target: its kind, and its value within `TOLERANCE`.
pub fn assert_target(meta: &KpiMeta, kind: TargetKind, value: f64) {
    let target = meta
        .target
        .as_ref()
        .unwrap_or_else(|| panic!("'{}' has no target", meta.name));
    assert_eq!(target.kind, kind, "'{}': target kind", meta.name);
    assert!(
        target
            .value
            .is_some_and(|got| (got - value).abs() <= TOLERANCE),
        "'{}': target {:?}, expected {value}",
        meta.name,
        target.value
    );
}
