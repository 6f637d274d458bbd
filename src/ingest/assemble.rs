//! A `RawTable` (as found in the sheet) plus metadata → the `KpiTable`:
//! Target/Actual pairs joined, names cleaned, periods put in time order at
//! the inferred frequency, targets and directions resolved by precedence,
//! fractions reconciled with percent targets, and everything noteworthy said
//! in warnings.

use std::collections::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::ingest::layout::{pair_role, PairRole, RawSeries, RawTable};
use crate::ingest::metadata::{name_key, MetaRecord};
use crate::ingest::period::{coarsen, gaps_and_duplicates, infer_frequency};
use crate::ingest::target::{direction_from_name, parse_direction, parse_target, split_header};
use crate::ingest::value::unit_of_header;
use crate::model::{
    format_number, Direction, DirectionSource, Frequency, KpiMeta, KpiTable, Period, SourceInfo,
    Target,
};

/// Everything besides the raw table that decides the result.
pub struct Context<'a> {
    pub file: &'a str,
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub decimal_comma: bool,
    /// Metadata from a metadata sheet or a targets file, strongest first.
    pub metadata: Vec<MetaRecord>,
}

/// One KPI on its way into the table.
struct Draft {
    name: String,
    header_unit: Option<String>,
    header_target: Option<Target>,
    pair_target: Option<Target>,
    raw: RawSeries,
}

/// Builds the KPI table.
pub fn assemble(raw: RawTable, context: Context<'_>) -> Result<KpiTable> {
    let mut warnings = raw.warnings.clone();
    let (periods, order, frequency, step_days) = order_periods(&raw.periods, &mut warnings);
    let drafts = join_pairs(raw.series, context.decimal_comma, &mut warnings);
    let mut metadata_by_key: HashMap<String, &MetaRecord> = HashMap::new();
    for record in &context.metadata {
        metadata_by_key
            .entry(name_key(&record.name))
            .or_insert(record);
    }
    let mut used_metadata = HashSet::new();
    let mut seen_names: HashMap<String, usize> = HashMap::new();
    let mut kpis = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let values = reorder(&draft.raw.values, &order);
        let name = unique_name(&draft.name, &mut seen_names);
        let sheet_record = metadata_by_key
            .get(&name_key(&draft.name))
            .or_else(|| metadata_by_key.get(&name_key(&draft.raw.label)))
            .copied();
        if let Some(record) = sheet_record {
            used_metadata.insert(name_key(&record.name));
        }
        let (meta, values) = resolve(
            &name,
            draft,
            sheet_record,
            values,
            context.decimal_comma,
            &mut warnings,
        );
        warn_stale(&meta.name, &values, &periods, &mut warnings);
        kpis.push((meta, values));
    }
    for record in &context.metadata {
        if !used_metadata.contains(&name_key(&record.name)) {
            warnings.push(format!(
                "The {} names '{}', which is not a KPI in the data.",
                record.source, record.name
            ));
        }
    }
    if kpis.is_empty() {
        return Err(Error::NoTable {
            location: context.file.to_string(),
            detail: "no KPI has any numeric value".to_string(),
        });
    }
    let source = SourceInfo {
        file: context.file.to_string(),
        sheet: context.sheet,
        layout: raw.layout,
        frequency,
        periods: periods.len(),
        warnings,
    };
    KpiTable::new(source, context.sheets, periods, step_days, kpis)
}

/// Puts periods in time order at their frequency. Returns the periods, for
/// each output period the input slots it merges, the frequency and the step.
fn order_periods(
    found: &[Period],
    warnings: &mut Vec<String>,
) -> (Vec<Period>, Vec<Vec<usize>>, Frequency, i64) {
    let (frequency, step_days) = infer_frequency(found);
    let coarse = coarsen(found, frequency);
    let mut slots: Vec<(Period, usize)> = coarse.iter().copied().zip(0..).collect();
    slots.sort_by_key(|(period, slot)| (period.start_date(), *period, *slot));
    let mut periods: Vec<Period> = Vec::new();
    let mut order: Vec<Vec<usize>> = Vec::new();
    for (period, slot) in slots {
        if periods.last() == Some(&period) {
            if let Some(group) = order.last_mut() {
                group.push(slot);
            }
        } else {
            periods.push(period);
            order.push(vec![slot]);
        }
    }
    let (gaps, duplicates) = gaps_and_duplicates(&coarse, frequency, step_days);
    if !duplicates.is_empty() {
        let labels: Vec<String> = duplicates.iter().map(|period| period.label()).collect();
        warnings.push(format!(
            "Periods that appear more than once: {}; their values were averaged.",
            labels.join(", ")
        ));
    }
    if !gaps.is_empty() {
        let added = fill_gaps(&mut periods, &mut order, &gaps, step_days);
        if added.is_empty() {
            let labels: Vec<String> = gaps
                .iter()
                .take(5)
                .map(|(after, before)| format!("between {} and {}", after.label(), before.label()))
                .collect();
            warnings.push(format!(
                "The sheet skips periods {}{}.",
                labels.join(", "),
                more(gaps.len(), 5)
            ));
        } else {
            let labels: Vec<String> = added.iter().take(5).map(|period| period.label()).collect();
            warnings.push(format!(
                "The sheet has no data for {}{}; those periods were added with no values, so every period keeps its place in time.",
                labels.join(", "),
                more(added.len(), 5)
            ));
        }
    }
    if frequency == Frequency::Irregular {
        warnings.push("The periods are not evenly spaced; the frequency is irregular.".to_string());
    }
    (periods, order, frequency, step_days)
}

/// Most periods a gap-filling may add: a calendar much longer than the data
/// means the periods are not one series (leave them as they are).
const MAX_FILLED_RATIO: usize = 3;

/// Inserts the periods missing inside each gap (with no source slot, so
/// their values are missing). Returns how many were added.
fn fill_gaps(
    periods: &mut Vec<Period>,
    order: &mut Vec<Vec<usize>>,
    gaps: &[(Period, Period)],
    step_days: i64,
) -> Vec<Period> {
    let mut missing: Vec<Period> = Vec::new();
    for (after, before) in gaps {
        let mut next = after.advance(1, step_days);
        while next < *before && missing.len() <= periods.len() * MAX_FILLED_RATIO {
            missing.push(next);
            next = next.advance(1, step_days);
        }
    }
    if missing.is_empty() || missing.len() > periods.len() * MAX_FILLED_RATIO {
        return Vec::new();
    }
    let mut merged: Vec<(Period, Vec<usize>)> = periods.drain(..).zip(order.drain(..)).collect();
    merged.extend(missing.iter().map(|period| (*period, Vec::new())));
    merged.sort_by_key(|(period, _)| (period.start_date(), *period));
    for (period, slots) in merged {
        periods.push(period);
        order.push(slots);
    }
    missing
}

/// " and N more" when a list was cut at `shown`.
fn more(total: usize, shown: usize) -> String {
    if total > shown {
        format!(" and {} more", total - shown)
    } else {
        String::new()
    }
}

/// Values in output-period order, averaging merged duplicates.
fn reorder(values: &[Option<f64>], order: &[Vec<usize>]) -> Vec<Option<f64>> {
    order
        .iter()
        .map(|slots| {
            let present: Vec<f64> = slots
                .iter()
                .filter_map(|slot| values.get(*slot).copied().flatten())
                .collect();
            (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64)
        })
        .collect()
}

/// Joins `X Actual` / `X Target` / `X Variance` into one KPI `X` with a
/// target, and cleans header targets out of names.
fn join_pairs(
    series: Vec<RawSeries>,
    decimal_comma: bool,
    warnings: &mut Vec<String>,
) -> Vec<Draft> {
    let roles: Vec<(String, PairRole)> = series.iter().map(|raw| pair_role(&raw.label)).collect();
    let bases_with_values: HashSet<String> = roles
        .iter()
        .filter(|(_, role)| matches!(role, PairRole::Actual | PairRole::Plain))
        .map(|(base, _)| name_key(base))
        .collect();
    let mut targets: HashMap<String, (String, Vec<Option<f64>>)> = HashMap::new();
    let mut joined = Vec::new();
    let mut drafts = Vec::new();
    for (raw, (base, role)) in series.into_iter().zip(roles) {
        let partnered = bases_with_values.contains(&name_key(&base));
        match role {
            PairRole::Target if partnered => {
                targets.insert(name_key(&base), (raw.label.clone(), raw.values.clone()));
                joined.push(raw.label);
            }
            PairRole::Variance if partnered => joined.push(raw.label),
            PairRole::Actual if partnered => {
                let parts = split_header(&base, decimal_comma);
                drafts.push(draft_from(parts.name, parts.unit, parts.target, raw));
            }
            _ => {
                let parts = split_header(&raw.label, decimal_comma);
                let unit = parts.unit.or_else(|| unit_of_header(&raw.label));
                drafts.push(draft_from(parts.name, unit, parts.target, raw));
            }
        }
    }
    for draft in &mut drafts {
        if let Some((label, values)) = targets.get(&name_key(&draft.name)) {
            let present: Vec<f64> = values.iter().flatten().copied().collect();
            if let Some(latest) = present.last() {
                if present.iter().any(|value| (value - latest).abs() > 1e-9) {
                    warnings.push(format!(
                        "KPI '{}': the target changes over time in '{label}'; the latest target ({}) is used.",
                        draft.name,
                        format_number(*latest)
                    ));
                }
                draft.pair_target = Some(Target::threshold(
                    crate::model::TargetKind::AtLeast,
                    *latest,
                    format!("'{label}'"),
                ));
            }
        }
    }
    if !joined.is_empty() {
        warnings.push(format!(
            "Read {} as targets or variances of their KPIs, not as KPIs.",
            joined
                .iter()
                .map(|label| format!("'{label}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    drafts
}

fn draft_from(
    name: String,
    header_unit: Option<String>,
    header_target: Option<Target>,
    raw: RawSeries,
) -> Draft {
    let name = if name.trim().is_empty() {
        raw.label.clone()
    } else {
        name
    };
    Draft {
        name,
        header_unit,
        header_target,
        pair_target: None,
        raw,
    }
}

fn unique_name(name: &str, seen: &mut HashMap<String, usize>) -> String {
    let count = seen.entry(name.to_string()).or_insert(0);
    *count += 1;
    if *count == 1 {
        name.to_string()
    } else {
        format!("{name} ({count})")
    }
}

/// Resolves unit, target, direction and the rest for one KPI.
fn resolve(
    name: &str,
    draft: Draft,
    sheet_record: Option<&MetaRecord>,
    mut values: Vec<Option<f64>>,
    decimal_comma: bool,
    warnings: &mut Vec<String>,
) -> (KpiMeta, Vec<Option<f64>>) {
    let mut record = sheet_record.cloned().unwrap_or_default();
    let attributes = &draft.raw.attributes;
    record.fill_from(attributes);
    if !draft.raw.unreadable.is_empty() {
        let (place, text) = &draft.raw.unreadable[0];
        warnings.push(format!(
            "KPI '{name}': {} cell(s) could not be read as numbers (e.g. '{text}' at {place}); they count as missing.",
            draft.raw.unreadable.len()
        ));
    }
    let metadata_direction = record.direction.as_deref().and_then(parse_direction);
    if let (Some(text), None) = (&record.direction, metadata_direction) {
        warnings.push(format!("KPI '{name}': direction '{text}' was not understood; use 'higher is better' or 'lower is better'."));
    }
    let hint = metadata_direction.or_else(|| direction_from_name(name));
    let target = metadata_target(&record, decimal_comma, hint, name, warnings)
        .or_else(|| draft.pair_target.clone().map(|target| orient(target, hint)))
        .or(draft.header_target.clone());
    let (direction, direction_source) = match (
        target.as_ref().and_then(Target::implied_direction),
        metadata_direction,
    ) {
        (Some(implied), Some(stated)) => {
            if implied != stated {
                warnings.push(format!(
                    "KPI '{name}': the metadata says {} but the target ({}) implies {}; the target's direction is used — check the metadata.",
                    direction_words(stated),
                    target.as_ref().map(Target::describe).unwrap_or_default(),
                    direction_words(implied)
                ));
            }
            (implied, DirectionSource::Target)
        }
        (Some(implied), None) => (implied, DirectionSource::Target),
        (None, Some(stated)) => (stated, DirectionSource::Metadata),
        (None, None) => match direction_from_name(name) {
            Some(guess) => (guess, DirectionSource::Name),
            None => (Direction::HigherIsBetter, DirectionSource::Default),
        },
    };
    let mut unit = record
        .unit
        .clone()
        .or_else(|| draft.raw.value_unit.clone())
        .or_else(|| draft.header_unit.clone());
    let target = target.map(|target| {
        reconcile_fractions(
            name,
            target,
            &mut values,
            &mut unit,
            target_says_percent(&record),
            warnings,
        )
    });
    let meta = KpiMeta {
        name: name.to_string(),
        unit,
        direction,
        direction_source,
        target,
        owner: record.owner.clone(),
        department: record.department.clone(),
        focus: record.focus.clone(),
    };
    (meta, values)
}

fn direction_words(direction: Direction) -> &'static str {
    match direction {
        Direction::HigherIsBetter => "higher is better",
        Direction::LowerIsBetter => "lower is better",
    }
}

/// A pair target carries only a number: its kind follows the direction.
fn orient(target: Target, hint: Option<Direction>) -> Target {
    match (hint, target.value) {
        (Some(Direction::LowerIsBetter), Some(value)) => {
            Target::threshold(crate::model::TargetKind::AtMost, value, target.source)
        }
        _ => target,
    }
}

fn target_says_percent(record: &MetaRecord) -> bool {
    [&record.target, &record.min, &record.max, &record.unit]
        .iter()
        .any(|text| text.as_deref().is_some_and(|text| text.contains('%')))
}

/// The target from metadata text (target, or min/max columns).
fn metadata_target(
    record: &MetaRecord,
    decimal_comma: bool,
    hint: Option<Direction>,
    name: &str,
    warnings: &mut Vec<String>,
) -> Option<Target> {
    let source = if record.source.is_empty() {
        "metadata".to_string()
    } else {
        record.source.clone()
    };
    if let Some(text) = &record.target {
        let parsed = parse_target(text, decimal_comma, hint, &source);
        if parsed.is_none() {
            warnings.push(format!(
                "KPI '{name}': target '{text}' was not understood; write it like '<= 7.5', '>= 70' or 'between 95 and 105'."
            ));
        }
        return parsed;
    }
    let number = |text: &Option<String>| {
        text.as_deref()
            .and_then(|text| parse_target(text, decimal_comma, None, &source))
            .and_then(|target| target.value)
    };
    match (number(&record.min), number(&record.max)) {
        (Some(low), Some(high)) => Some(Target::band(low, high, source)),
        (Some(low), None) => Some(Target::threshold(
            crate::model::TargetKind::AtLeast,
            low,
            source,
        )),
        (None, Some(high)) => Some(Target::threshold(
            crate::model::TargetKind::AtMost,
            high,
            source,
        )),
        (None, None) => None,
    }
}

/// A rate written as a fraction (0.045) against a target in percent (4.5 %),
/// or the other way round, is put on one scale, and the choice is reported.
fn reconcile_fractions(
    name: &str,
    target: Target,
    values: &mut [Option<f64>],
    unit: &mut Option<String>,
    target_in_percent: bool,
    warnings: &mut Vec<String>,
) -> Target {
    let percent = target_in_percent || unit.as_deref() == Some("%");
    if !percent {
        return target;
    }
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.is_empty() {
        return target;
    }
    let largest_value = present
        .iter()
        .fold(0.0f64, |largest, value| largest.max(value.abs()));
    let target_numbers: Vec<f64> = [target.value, target.low, target.high]
        .into_iter()
        .flatten()
        .collect();
    let largest_target = target_numbers
        .iter()
        .fold(0.0f64, |largest, value| largest.max(value.abs()));
    if largest_value <= 1.0 && largest_target > 1.0 && largest_target <= 100.0 {
        for value in values.iter_mut().flatten() {
            *value *= 100.0;
        }
        *unit = Some("%".to_string());
        warnings.push(format!(
            "KPI '{name}': values look like fractions (e.g. {}) and the target like a percentage ({}); values were multiplied by 100.",
            format_number(present[present.len() - 1]),
            target.describe()
        ));
        return target;
    }
    if largest_target <= 1.0
        && largest_target > 0.0
        && largest_value > 1.0
        && largest_value <= 100.0
    {
        let scaled = target.scaled(100.0);
        *unit = Some("%".to_string());
        warnings.push(format!(
            "KPI '{name}': the target looks like a fraction ({}) and the values like percentages; the target was read as {}.",
            target.describe(),
            scaled.describe()
        ));
        return scaled;
    }
    target
}

/// A KPI whose latest value is older than the sheet's last period.
fn warn_stale(name: &str, values: &[Option<f64>], periods: &[Period], warnings: &mut Vec<String>) {
    let Some(last_present) = values.iter().rposition(Option::is_some) else {
        warnings.push(format!("KPI '{name}' has no values."));
        return;
    };
    let missing = values.len() - 1 - last_present;
    if missing > 0 {
        if let Some(period) = periods.get(last_present) {
            warnings.push(format!(
                "KPI '{name}' is stale: its latest value is for {}, {missing} period(s) before the sheet's last period.",
                period.label()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_scaled_to_a_percent_target() {
        let mut values = vec![Some(0.051), None, Some(0.084)];
        let mut unit = None;
        let mut warnings = Vec::new();
        let target = Target::threshold(crate::model::TargetKind::AtMost, 7.5, "t");
        let result =
            reconcile_fractions("Churn", target, &mut values, &mut unit, true, &mut warnings);
        assert_eq!(result.value, Some(7.5));
        assert!((values[0].unwrap() - 5.1).abs() < 1e-12);
        assert!((values[2].unwrap() - 8.4).abs() < 1e-12);
        assert_eq!(unit.as_deref(), Some("%"));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("Churn"));
    }

    #[test]
    fn a_fraction_target_is_scaled_to_percent_values() {
        let mut values = vec![Some(5.1), Some(8.4)];
        let mut unit = Some("%".to_string());
        let mut warnings = Vec::new();
        let target = Target::threshold(crate::model::TargetKind::AtMost, 0.075, "t");
        let result = reconcile_fractions(
            "Churn",
            target,
            &mut values,
            &mut unit,
            false,
            &mut warnings,
        );
        assert!((result.value.unwrap() - 7.5).abs() < 1e-12);
        assert_eq!(values, vec![Some(5.1), Some(8.4)]);
    }

    #[test]
    fn duplicate_names_get_numbered() {
        let mut seen = HashMap::new();
        assert_eq!(unique_name("NPS", &mut seen), "NPS");
        assert_eq!(unique_name("NPS", &mut seen), "NPS (2)");
    }
}
