//! A `RawTable` (as found in the sheet) plus metadata → the `KpiTable`:
//! roles joined (a Plan/Budget/Target series becomes its KPI's per-period
//! target, PY and baseline series are comparisons, variances are left
//! out), each (KPI, entity) named `KPI · Entity`, periods put in time order
//! at the inferred frequency, targets and directions resolved by
//! precedence, fractions reconciled with percent targets, the reading's
//! doubts and confidence, and everything noteworthy said in warnings.

use std::collections::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::ingest::confidence::{confidence_of, table_doubts, Doubt, Evidence};
use crate::ingest::entity::is_aggregate_entity;
use crate::ingest::layout::{quoted_list, RawSeries, RawTable};
use crate::ingest::mapping::Mapping;
use crate::ingest::metadata::{name_key, MetaRecord};
use crate::ingest::period::{coarsen, gaps_and_duplicates, infer_frequency};
use crate::ingest::roles::{split_role, Role};
use crate::ingest::target::{
    direction_from_name, direction_from_sign_prefix, parse_direction, parse_target, split_header,
};
use crate::ingest::value::unit_of_header;
use crate::model::{
    format_number, Direction, DirectionSource, Frequency, KpiMeta, KpiTable, Period, SourceInfo,
    Target, TargetKind,
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
    /// A Plan / Budget / Target series of this KPI: its label and values.
    plan: Option<(String, Vec<Option<f64>>)>,
    /// A baseline or prior-year series, which tells the direction when
    /// nothing else does (a target above the baseline is a floor).
    comparison: Option<Vec<Option<f64>>>,
    raw: RawSeries,
}

/// Builds the KPI table.
pub fn assemble(raw: RawTable, context: Context<'_>) -> Result<KpiTable> {
    let mut warnings = raw.warnings.clone();
    let mut doubts = raw.doubts.clone();
    let (periods, order, frequency, step_days, gaps_added) =
        order_periods(&raw.periods, &mut warnings);
    let drafts = join_roles(raw.series, context.decimal_comma, &mut warnings);
    let mut metadata_by_key: HashMap<String, &MetaRecord> = HashMap::new();
    for record in &context.metadata {
        metadata_by_key
            .entry(name_key(&record.name))
            .or_insert(record);
    }
    let mut used_metadata = HashSet::new();
    let mut seen_names: HashMap<String, usize> = HashMap::new();
    let mut kpis = Vec::with_capacity(drafts.len());
    let mut signed = Vec::new();
    let mut assumed_kind: Vec<(String, String)> = Vec::new();
    let mut repeated_names: Vec<String> = Vec::new();
    let mut varying = Vec::new();
    let mut stale = Vec::new();
    for draft in drafts {
        let values = reorder(&draft.raw.values, &order);
        let display = match &draft.raw.entity {
            Some(entity) => format!("{} · {entity}", draft.name),
            None => draft.name.clone(),
        };
        let name = unique_name(&display, &mut seen_names);
        if name != display && !repeated_names.contains(&display) {
            repeated_names.push(display.clone());
        }
        let sheet_record = metadata_by_key
            .get(&name_key(&display))
            .or_else(|| metadata_by_key.get(&name_key(&draft.name)))
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
            &order,
            context.decimal_comma,
            &mut warnings,
        );
        if meta.direction_source == DirectionSource::Sign {
            signed.push(meta.name.clone());
        }
        if meta.direction_source == DirectionSource::Default {
            if let Some(target) = &meta.target {
                assumed_kind.push((meta.name.clone(), target.source.clone()));
            }
        }
        if let (Some(_), Some(target)) = (&meta.target_history, &meta.target) {
            varying.push((meta.name.clone(), target.source.clone(), target.value));
        }
        if let Some(late) = staleness(&meta.name, &values, &periods, &mut warnings) {
            stale.push((meta.name.clone(), late));
        }
        kpis.push((meta, values));
    }
    warn_varying_targets(&varying, &mut warnings);
    doubts.extend(assumed_kind_doubt(&assumed_kind));
    if !repeated_names.is_empty() {
        doubts.push(Doubt::check(format!(
            "{} {} more than once among the KPI names, so the repeats were numbered ('{} (2)'): they may be a second table below the first (inputs, assumptions) or the lines of entities that no column names.",
            quoted_list(&repeated_names),
            if repeated_names.len() == 1 { "appears" } else { "appear" },
            crate::ingest::layout::short(repeated_names.first().map(String::as_str).unwrap_or_default())
        )));
    }
    warn_stale(&stale, &mut warnings);
    if !signed.is_empty() {
        warnings.push(if signed.len() == 1 {
            format!(
                "{} is a cost written as negative numbers: a smaller cost is better, so for its values higher (nearer zero) is better.",
                quoted_list(&signed)
            )
        } else {
            format!(
                "{} are costs written as negative numbers: a smaller cost is better, so for their values higher (nearer zero) is better.",
                quoted_list(&signed)
            )
        });
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
    let metas: Vec<KpiMeta> = kpis.iter().map(|(meta, _)| meta.clone()).collect();
    doubts.extend(table_doubts(&Evidence {
        kpis: &metas,
        periods: &periods,
        gaps_added,
    }));
    let confidence = confidence_of(&doubts);
    let source = SourceInfo {
        file: context.file.to_string(),
        sheet: context.sheet.clone(),
        layout: raw.layout,
        frequency,
        periods: periods.len(),
        warnings,
        confidence,
        doubts: dedup_doubts(doubts),
        entity_column: raw.entity_column.clone(),
        mapping: Mapping::from_shape(&raw.shape, context.sheet),
    };
    KpiTable::new(source, context.sheets, periods, step_days, kpis)
}

fn dedup_doubts(doubts: Vec<Doubt>) -> Vec<String> {
    let mut seen = HashSet::new();
    doubts
        .into_iter()
        .map(|doubt| doubt.text)
        .filter(|text| seen.insert(text.clone()))
        .collect()
}

/// Puts periods in time order at their frequency. Returns the periods, for
/// each output period the input slots it merges, the frequency, the step,
/// and how many periods were inserted to fill gaps.
fn order_periods(
    found: &[Period],
    warnings: &mut Vec<String>,
) -> (Vec<Period>, Vec<Vec<usize>>, Frequency, i64, usize) {
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
            crate::ingest::layout::list_of(&labels, ", ")
        ));
    }
    let mut gaps_added = 0;
    if !gaps.is_empty() {
        let added = fill_gaps(&mut periods, &mut order, &gaps, step_days);
        gaps_added = added.len();
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
    (periods, order, frequency, step_days, gaps_added)
}

/// Most periods a gap-filling may add: a calendar much longer than the data
/// means the periods are not one series (leave them as they are).
const MAX_FILLED_RATIO: usize = 3;

/// Inserts the periods missing inside each gap (with no source slot, so
/// their values are missing). Returns the periods added.
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

/// A series' role and the KPI it belongs to: what the layout said, else
/// what its label says.
fn role_of(raw: &RawSeries) -> (Role, String, bool) {
    let split = split_role(&raw.label);
    match &raw.role {
        Some((role, base)) => (*role, base.clone(), split.identifier),
        None => (split.role, split.base, split.identifier),
    }
}

/// Joins each KPI's role series to it, within one entity: a Plan / Budget /
/// Target series becomes the KPI's per-period target, a PY or baseline
/// series a comparison, a variance is left out. A bare `target` or
/// `baseline` column belongs to the only KPI beside it. A role series with
/// no KPI to join stays a KPI of its own. An actual series joined to a
/// plan is named by its KPI (`Churn` for `Churn Actual`), except that an
/// identifier (`revenue_actual`) keeps its spelling.
fn join_roles(
    series: Vec<RawSeries>,
    decimal_comma: bool,
    warnings: &mut Vec<String>,
) -> Vec<Draft> {
    let roles: Vec<(Role, String, bool)> = series.iter().map(role_of).collect();
    let holder_key = |raw: &RawSeries, (role, base, _): &(Role, String, bool)| {
        let name = if *role == Role::Actual && !base.is_empty() {
            base.clone()
        } else {
            raw.label.clone()
        };
        (raw.entity.clone(), name_key(&name))
    };
    // Holders: plain and actual series, by (entity, KPI).
    let mut holders: HashMap<(Option<String>, String), usize> = HashMap::new();
    let mut holders_per_entity: HashMap<Option<String>, Vec<usize>> = HashMap::new();
    for (index, (raw, role)) in series.iter().zip(&roles).enumerate() {
        if matches!(role.0, Role::Plain | Role::Actual) {
            holders.entry(holder_key(raw, role)).or_insert(index);
            holders_per_entity
                .entry(raw.entity.clone())
                .or_default()
                .push(index);
        }
    }
    // Partners: role series, matched to a holder; `by_name` holders were
    // matched by their KPI's name (and are named by it).
    let mut partner_of: HashMap<usize, usize> = HashMap::new();
    let mut by_name: HashSet<usize> = HashSet::new();
    for (index, (raw, (role, base, _))) in series.iter().zip(&roles).enumerate() {
        if matches!(role, Role::Plain | Role::Actual) {
            continue;
        }
        let only_holder = || {
            holders_per_entity
                .get(&raw.entity)
                .filter(|holders| holders.len() == 1)
                .and_then(|holders| holders.first().copied())
        };
        let named = (!base.is_empty())
            .then(|| holders.get(&(raw.entity.clone(), name_key(base))).copied())
            .flatten();
        if let Some(holder) = named {
            by_name.insert(holder);
        }
        // A bare `target` column, or `Monthly targets` beside one KPI: that KPI's.
        let holder = named.or_else(|| {
            (base.is_empty() || *role == Role::Target)
                .then(only_holder)
                .flatten()
        });
        if let Some(holder) = holder {
            partner_of.insert(index, holder);
        }
    }
    let mut plans: HashMap<usize, (String, Vec<Option<f64>>)> = HashMap::new();
    let mut comparisons: HashMap<usize, Vec<Option<f64>>> = HashMap::new();
    let mut joined: Vec<String> = Vec::new();
    let mut drafts = Vec::new();
    let mut holder_draft: HashMap<usize, usize> = HashMap::new();
    for (index, (raw, (role, base, identifier))) in series.into_iter().zip(roles).enumerate() {
        if let Some(&holder) = partner_of.get(&index) {
            match role {
                Role::Target => {
                    plans
                        .entry(holder)
                        .or_insert((raw.label.clone(), raw.values.clone()));
                }
                Role::Comparison => {
                    comparisons.entry(holder).or_insert(raw.values.clone());
                }
                _ => {}
            }
            joined.push(display_label(&raw));
            continue;
        }
        let (name, unit, header_target) =
            if role == Role::Actual && by_name.contains(&index) && !base.is_empty() {
                let parts =
                    split_header(if identifier { &raw.label } else { &base }, decimal_comma);
                (parts.name, parts.unit, parts.target)
            } else {
                let parts = split_header(&raw.label, decimal_comma);
                let unit = parts.unit.or_else(|| unit_of_header(&raw.label));
                (parts.name, unit, parts.target)
            };
        let name = if name.trim().is_empty() {
            raw.label.clone()
        } else {
            name
        };
        holder_draft.insert(index, drafts.len());
        drafts.push(Draft {
            name,
            header_unit: unit,
            header_target,
            plan: None,
            comparison: None,
            raw,
        });
    }
    for (holder, plan) in plans {
        if let Some(draft) = holder_draft.get(&holder).and_then(|at| drafts.get_mut(*at)) {
            draft.plan = Some(plan);
        }
    }
    for (holder, comparison) in comparisons {
        if let Some(draft) = holder_draft.get(&holder).and_then(|at| drafts.get_mut(*at)) {
            draft.comparison = Some(comparison);
        }
    }
    for draft in &mut drafts {
        // A long table's target column gives the same per-period targets.
        if draft.plan.is_none() {
            draft.plan = draft.raw.targets.take();
        }
    }
    if !joined.is_empty() {
        warnings.push(format!(
            "Read {} as targets, comparisons or variances of their KPIs, not as KPIs.",
            quoted_list(&joined)
        ));
    }
    drafts
}

fn display_label(raw: &RawSeries) -> String {
    match &raw.entity {
        Some(entity) => format!("{} · {entity}", raw.label),
        None => raw.label.clone(),
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

/// The direction a KPI's words suggest: its name (`Churn`, `(-) Impostos`),
/// else the group it sits in (an income statement's `Cost` lines).
fn direction_hint(name: &str, department: Option<&str>) -> Option<Direction> {
    direction_from_sign_prefix(name)
        .or_else(|| direction_from_name(name))
        .or_else(|| department.and_then(direction_from_name))
}

/// A plan's threshold per period (in output order) and the latest one at
/// or before the KPI's last value. None when the plan has no number.
fn plan_thresholds(
    plan: &[Option<f64>],
    order: &[Vec<usize>],
    values: &[Option<f64>],
) -> Option<(Vec<Option<f64>>, f64, bool)> {
    let history = reorder(plan, order);
    let last_value = values
        .iter()
        .rposition(Option::is_some)
        .unwrap_or(history.len().saturating_sub(1));
    let latest = history
        .iter()
        .take(last_value + 1)
        .rev()
        .flatten()
        .next()
        .or_else(|| history.iter().flatten().next())
        .copied()?;
    let present: Vec<f64> = history.iter().flatten().copied().collect();
    let varies = present.iter().any(|value| (value - latest).abs() > 1e-9);
    Some((history, latest, varies))
}

/// Resolves unit, target, direction and the rest for one KPI.
fn resolve(
    name: &str,
    draft: Draft,
    sheet_record: Option<&MetaRecord>,
    mut values: Vec<Option<f64>>,
    order: &[Vec<usize>],
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
    let words_hint = direction_hint(&draft.name, record.department.as_deref());
    let hint = metadata_direction.or(words_hint);
    // A plan series: per-period thresholds; its kind follows the direction,
    // else the baseline beside it (a target above the baseline is a floor).
    let mut target_history = None;
    let mut plan_target = None;
    let mut plan_kind_assumed = false;
    if let Some((label, plan)) = &draft.plan {
        if let Some((history, latest, varies)) = plan_thresholds(plan, order, &values) {
            let from_baseline = draft.comparison.as_ref().and_then(|comparison| {
                let baseline = comparison.iter().flatten().next()?;
                (latest != *baseline).then_some(if latest > *baseline {
                    Direction::HigherIsBetter
                } else {
                    Direction::LowerIsBetter
                })
            });
            let direction = hint.or(from_baseline);
            plan_kind_assumed = direction.is_none();
            let kind = match direction {
                Some(Direction::LowerIsBetter) => TargetKind::AtMost,
                _ => TargetKind::AtLeast,
            };
            if varies {
                target_history = Some(history);
            }
            plan_target = Some(Target::threshold(kind, latest, format!("'{label}'")));
        }
    }
    let target = metadata_target(&record, decimal_comma, hint, name, warnings)
        .or(plan_target.clone())
        .or(draft.header_target.clone());
    // The plan's thresholds only count while the plan is the target.
    if target != plan_target {
        target_history = None;
    }
    let (mut direction, mut direction_source) = match (
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
        // A plan's numbers say nothing about which way is better: its kind
        // came from the KPI's words, the baseline beside it, or nothing.
        (Some(implied), None) if target == plan_target => {
            let source = if words_hint.is_some() {
                DirectionSource::Name
            } else if plan_kind_assumed {
                DirectionSource::Default
            } else {
                DirectionSource::Target
            };
            (implied, source)
        }
        (Some(implied), None) => (implied, DirectionSource::Target),
        (None, Some(stated)) => (stated, DirectionSource::Metadata),
        (None, None) => match words_hint {
            Some(guess) => (guess, DirectionSource::Name),
            None => (Direction::HigherIsBetter, DirectionSource::Default),
        },
    };
    // A cost written as negative numbers: less negative is better.
    if direction_source == DirectionSource::Name
        && direction == Direction::LowerIsBetter
        && values.iter().flatten().any(|value| *value < 0.0)
        && values.iter().flatten().all(|value| *value <= 0.0)
    {
        direction = Direction::HigherIsBetter;
        direction_source = DirectionSource::Sign;
    }
    let mut unit = record
        .unit
        .clone()
        .or_else(|| draft.raw.value_unit.clone())
        .or_else(|| draft.header_unit.clone());
    let target = target.map(|target| {
        let before = target.value;
        let reconciled = reconcile_fractions(
            name,
            target,
            &mut values,
            &mut unit,
            target_says_percent(&record),
            warnings,
        );
        // A plan read as fractions against percent values scales with it.
        if let (Some(before), Some(after), Some(history)) =
            (before, reconciled.value, target_history.as_mut())
        {
            if before != 0.0 && (after / before - 1.0).abs() > 1e-9 {
                let factor = after / before;
                history
                    .iter_mut()
                    .flatten()
                    .for_each(|value| *value *= factor);
            }
        }
        reconciled
    });
    let entity = draft.raw.entity.clone();
    let meta = KpiMeta {
        name: name.to_string(),
        unit,
        direction,
        direction_source,
        target,
        owner: record.owner.clone(),
        department: record.department.clone(),
        focus: record.focus.clone(),
        aggregate: entity.as_deref().is_some_and(is_aggregate_entity),
        base_name: entity.is_some().then(|| draft.name.clone()),
        entity,
        target_history,
    };
    (meta, values)
}

fn direction_words(direction: Direction) -> &'static str {
    match direction {
        Direction::HigherIsBetter => "higher is better",
        Direction::LowerIsBetter => "lower is better",
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

/// For a KPI whose latest value is older than the sheet's last period, that
/// period and how many periods it is behind (a KPI with no values at all
/// is said at once).
fn staleness(
    name: &str,
    values: &[Option<f64>],
    periods: &[Period],
    warnings: &mut Vec<String>,
) -> Option<(Period, usize)> {
    let Some(last_present) = values.iter().rposition(Option::is_some) else {
        warnings.push(format!("KPI '{name}' has no values."));
        return None;
    };
    let missing = values.len() - 1 - last_present;
    let period = periods.get(last_present)?;
    (missing > 0).then_some((*period, missing))
}

/// Stale KPIs, one sentence per latest period: a sheet whose last column
/// is not filled in yet makes every KPI stale by the same period, and says
/// so once.
fn warn_stale(stale: &[(String, (Period, usize))], warnings: &mut Vec<String>) {
    let mut groups: Vec<((Period, usize), Vec<String>)> = Vec::new();
    for (name, late) in stale {
        match groups.iter_mut().find(|(key, _)| key == late) {
            Some((_, names)) => names.push(name.clone()),
            None => groups.push((*late, vec![name.clone()])),
        }
    }
    for ((period, missing), names) in groups {
        warnings.push(match names.as_slice() {
            [name] => format!(
                "KPI '{name}' is stale: its latest value is for {}, {missing} period(s) before the sheet's last period.",
                period.label()
            ),
            _ => format!(
                "{} KPIs are stale: their latest value is for {}, {missing} period(s) before the sheet's last period ({}).",
                names.len(),
                period.label(),
                quoted_list(&names)
            ),
        });
    }
}

/// KPIs whose target is a plan's number (`Budget`) with nothing to say
/// whether it is a floor or a ceiling (neither the name, the metadata nor
/// a baseline): each period's status hangs on a guess, so the reading asks.
fn assumed_kind_doubt(assumed: &[(String, String)]) -> Option<Doubt> {
    let names: Vec<String> = assumed.iter().map(|(name, _)| name.clone()).collect();
    let mut sources: Vec<String> = assumed.iter().map(|(_, source)| source.clone()).collect();
    sources.sort();
    sources.dedup();
    (!names.is_empty()).then(|| {
        Doubt::check(format!(
            "Nothing says whether the targets in {} are floors or ceilings for {}; they were read as floors (at least, higher is better): say which way is better.",
            crate::ingest::layout::list_of(&sources, ", "),
            quoted_list(&names)
        ))
    })
}

/// KPIs whose plan gives each period its own target, said once: (KPI,
/// where the plan was read, the latest target).
fn warn_varying_targets(varying: &[(String, String, Option<f64>)], warnings: &mut Vec<String>) {
    match varying {
        [] => {}
        [(name, source, latest)] => warnings.push(format!(
            "KPI '{name}': the target changes over time in {source}; each period is checked against its own target, and the latest ({}) is the KPI's target.",
            latest.map(format_number).unwrap_or_default()
        )),
        _ => {
            let names: Vec<String> = varying.iter().map(|(name, _, _)| name.clone()).collect();
            let mut sources: Vec<String> =
                varying.iter().map(|(_, source, _)| source.clone()).collect();
            sources.dedup();
            warnings.push(format!(
                "The targets of {} KPIs change over time ({}), read from {}; each period is checked against its own target, and the latest is each KPI's target.",
                names.len(),
                quoted_list(&names),
                crate::ingest::layout::list_of(&sources, ", ")
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
