//! Candidate key results from an analysis, for a team lead to paste into
//! next quarter's OKRs. Per KPI at most one key result: a primary KR for a
//! breached or at-risk KPI (owner, deadline, and whether the forecast
//! already gets there — `committed` — or the trend must change — `stretch`,
//! with the change per period it needs); supporting KRs on the significant
//! leading indicators of a primary KPI that are not key results
//! themselves; a guardrail sentence; `watch` items for KPIs that meet their
//! target but worsen, or that have no target and deserve a look; and the
//! lifecycle loop — a KPI that was a key result and has met its target for
//! three periods goes back to the dashboard with the level it reached as
//! its new target and its leading indicators as KPIs to add; a healthy,
//! stable KPI stays a KPI. Objectives group KRs by department, at most
//! three KRs each, five objectives on the shortlist, the rest further
//! candidates.

pub mod wording;

use serde::Serialize;

use crate::analysis::breach::Status;
use crate::analysis::health::{round_like, Health, Verdict};
use crate::analysis::leadlag::PairTest;
use crate::analysis::{Analysis, KpiAnalysis};
use crate::model::{KpiMeta, KpiTable, Target, TargetKind};
use wording::{
    chance, join_names, keep_phrase, minus, per_period, readable_date, target_words, value_like,
};
pub use wording::{q_phrase, with_unit};

/// A key result ranks above everything when its priority is 100.
const MAX_PRIORITY: f64 = 100.0;
/// Periods a KR-focus KPI must have been healthy to count as achieved.
const ACHIEVED_PERIODS: usize = 3;
/// Leading indicators turned into supporting KRs, at most.
const SUPPORTING_PER_KR: usize = 3;
/// Key results under one objective, at most.
const KRS_PER_OBJECTIVE: usize = 3;
/// Objectives on the shortlist; the rest are further candidates.
const SHORTLIST_OBJECTIVES: usize = 5;
/// q-value under which a relationship counts.
pub const FDR_LEVEL: f64 = 0.05;

/// The kind of a suggestion, as the JSON contract names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    Primary,
    Supporting,
    Watch,
    ReturnToKpi,
    KeepAsKpi,
}

/// Whether a key result is within reach of the current trend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Feasibility {
    /// The forecast already reaches the target by the deadline.
    Committed,
    /// The trend must change to get there.
    Stretch,
}

/// One candidate key result or piece of lifecycle advice.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    pub kpi: String,
    pub kind: SuggestionKind,
    pub objective: String,
    /// Who owns the objective (the owner of its first key result).
    pub objective_owner: Option<String>,
    pub key_result: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// ISO date (2026-03-31); the sentences say it as "31 Mar 2026".
    pub deadline: Option<String>,
    pub priority: f64,
    pub because: String,
    /// The KPI's owner, from the metadata.
    pub owner: Option<String>,
    pub feasibility: Option<Feasibility>,
    /// The change per period the key result needs (stretch), in the KPI's unit.
    pub change_per_period: Option<f64>,
    /// Where the target comes from: stated in the sheet, the metadata, the
    /// user, or suggested from the history (and how).
    pub target_basis: String,
    /// return_to_kpi: the level reached, as the KPI's new target.
    pub new_kpi_target: Option<f64>,
    /// return_to_kpi: leading indicators to keep watching as KPIs.
    pub add_kpis: Vec<String>,
    /// A supporting KR: the KPI it supports.
    pub supports: Option<String>,
    /// A primary KR whose KPI also leads other KPIs that need a key result.
    pub also_supports: Vec<String>,
    /// KPIs to watch while pursuing this KR (they moved the wrong way when
    /// this one improved).
    pub guardrails: Vec<String>,
    /// On the shortlist (the first five objectives, three KRs each); false:
    /// a further candidate.
    pub shortlist: bool,
}

impl Suggestion {
    fn new(meta: &KpiMeta, kind: SuggestionKind) -> Suggestion {
        Suggestion {
            kpi: meta.name.clone(),
            kind,
            objective: String::new(),
            objective_owner: None,
            key_result: String::new(),
            baseline: None,
            target: None,
            deadline: None,
            priority: 0.0,
            because: String::new(),
            owner: meta.owner.clone(),
            feasibility: None,
            change_per_period: None,
            target_basis: target_basis(meta.target.as_ref()),
            new_kpi_target: None,
            add_kpis: Vec::new(),
            supports: None,
            also_supports: Vec::new(),
            guardrails: Vec::new(),
            shortlist: true,
        }
    }

    /// Whether this is a key result (primary or supporting), not advice.
    pub fn is_key_result(&self) -> bool {
        matches!(
            self.kind,
            SuggestionKind::Primary | SuggestionKind::Supporting
        )
    }
}

/// Where a target comes from, in words.
fn target_basis(target: Option<&Target>) -> String {
    let Some(target) = target else {
        return "no target".to_string();
    };
    let source = target.source.trim();
    if let Some(basis) = source.strip_prefix("suggested:") {
        format!("a suggested target, not one you set: {}", basis.trim())
    } else if source == "user" {
        "the target you set".to_string()
    } else if source.is_empty() {
        "the target in the file".to_string()
    } else {
        format!("the target in {source}")
    }
}

/// The threshold a KR aims at, from where the KPI stands.
fn aim(target: &Target, latest: f64) -> Option<f64> {
    match target.kind {
        TargetKind::AtLeast | TargetKind::AtMost => target.value,
        TargetKind::Between => match (target.low, target.high) {
            (Some(low), _) if latest < low => Some(low),
            (_, Some(high)) if latest > high => Some(high),
            (Some(low), Some(high)) => Some((low + high) / 2.0),
            (low, high) => low.or(high),
        },
    }
}

/// Builds every suggestion: the shortlist first (objectives by priority,
/// each with its primary and supporting KRs), then further candidates,
/// watch items and lifecycle advice.
pub fn suggest(table: &KpiTable, analysis: &Analysis) -> Vec<Suggestion> {
    let context = Context::new(table, analysis);
    let needs_kr: Vec<bool> = analysis
        .kpis
        .iter()
        .map(|kpi| matches!(kpi.health, Health::Breached | Health::AtRisk))
        .collect();
    let mut suggestions = Vec::new();
    // Each KPI appears in one key result at most.
    let mut taken: Vec<bool> = needs_kr.clone();
    for (index, (meta, kpi)) in table.kpis.iter().zip(&analysis.kpis).enumerate() {
        if needs_kr[index] {
            suggestions.push(context.primary(index, meta, kpi, &needs_kr));
        }
    }
    let primaries: Vec<Suggestion> = suggestions.clone();
    for primary in &primaries {
        let Some(index) = table.kpi_index(&primary.kpi) else {
            continue;
        };
        let (meta, kpi) = (&table.kpis[index], &analysis.kpis[index]);
        suggestions.extend(context.supporting(index, meta, kpi, primary, &mut taken));
    }
    for (index, (meta, kpi)) in table.kpis.iter().zip(&analysis.kpis).enumerate() {
        if taken[index] {
            continue;
        }
        if let Some(advice) = context
            .watch(meta, kpi)
            .or_else(|| context.lifecycle(index, meta, kpi))
        {
            suggestions.push(advice);
        }
    }
    context.draft_objectives(&mut suggestions);
    suggestions
}

struct Context<'a> {
    table: &'a KpiTable,
    analysis: &'a Analysis,
    /// ISO and readable deadline.
    deadline: Option<(String, String)>,
    /// Pairs with q ≤ the FDR level, at any lag.
    related: Vec<&'a PairTest>,
}

impl<'a> Context<'a> {
    fn new(table: &'a KpiTable, analysis: &'a Analysis) -> Context<'a> {
        Context {
            table,
            analysis,
            deadline: analysis
                .deadline
                .map(|date| (date.format("%Y-%m-%d").to_string(), readable_date(date))),
            // The lead/lag list holds every tested pair; the few that
            // matter here are picked out once.
            related: analysis
                .lead_lag
                .iter()
                .filter(|pair| pair.q_value <= FDR_LEVEL)
                .collect(),
        }
    }

    fn significant(&self) -> impl Iterator<Item = &PairTest> {
        self.related.iter().copied().filter(|pair| pair.significant)
    }

    fn by_deadline(&self) -> String {
        self.deadline
            .as_ref()
            .map(|(_, readable)| format!(" by {readable}"))
            .unwrap_or_default()
    }

    fn name(&self, index: usize) -> String {
        self.table
            .kpis
            .get(index)
            .map(|meta| meta.name.clone())
            .unwrap_or_default()
    }

    fn primary(
        &self,
        index: usize,
        meta: &KpiMeta,
        kpi: &KpiAnalysis,
        needs_kr: &[bool],
    ) -> Suggestion {
        let values = self.table.values_of(index);
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        let latest = kpi.summary.latest;
        let target = meta.target.as_ref();
        let threshold = target
            .zip(latest)
            .and_then(|(target, latest)| aim(target, latest))
            .map(|aim| round_like(aim, &present));
        let unit = meta.unit.as_deref();
        let show = |value: f64| value_like(value, unit, &values);
        let verb = match (
            kpi.health,
            target.map(|target| target.kind),
            latest.zip(threshold),
        ) {
            (Health::AtRisk, _, _) => "Keep",
            (_, Some(TargetKind::AtLeast), _) => "Increase",
            (_, Some(TargetKind::AtMost), _) => "Reduce",
            (_, _, Some((latest, aim))) if latest < aim => "Increase",
            _ => "Reduce",
        };
        let by = self.by_deadline();
        let key_result = match (verb, latest, threshold, target) {
            ("Keep", _, _, Some(target)) => format!(
                "Keep {} {}{}",
                meta.name,
                keep_phrase(target, unit),
                self.deadline
                    .as_ref()
                    .map(|(_, readable)| format!(" through {readable}"))
                    .unwrap_or_default()
            ),
            (_, Some(latest), Some(threshold), _) => format!(
                "{verb} {} from {} to {}{by}",
                meta.name,
                show(latest),
                show(threshold)
            ),
            _ => format!("Bring {} back on target{by}", meta.name),
        };
        let mut suggestion = Suggestion::new(meta, SuggestionKind::Primary);
        suggestion.key_result = key_result;
        suggestion.baseline = latest.map(|latest| round_like(latest, &present));
        suggestion.target = threshold;
        suggestion.deadline = self.deadline.as_ref().map(|(iso, _)| iso.clone());
        suggestion.priority = self.priority(index, kpi);
        let mut because = vec![self.reason(meta, kpi, &values)];
        if let (Some(target), Some(latest), Some(aim)) = (target, latest, threshold) {
            let (feasibility, sentence, change) =
                self.feasibility(meta, kpi, target, latest, aim, &values);
            suggestion.feasibility = Some(feasibility);
            suggestion.change_per_period = change;
            because.push(sentence);
        }
        // A breached KPI that leads another one that needs a KR: one KR
        // that says what it also supports.
        let led: Vec<String> = self
            .significant()
            .filter(|pair| {
                pair.leader == index && needs_kr.get(pair.follower).copied().unwrap_or(false)
            })
            .map(|pair| self.name(pair.follower))
            .collect();
        if !led.is_empty() {
            let names: Vec<&str> = led.iter().map(String::as_str).collect();
            because.push(format!(
                "It also leads {}, so moving it should help there too.",
                join_names(&names)
            ));
            suggestion.also_supports = led;
        }
        let guardrails = self.guardrails(index, meta);
        if !guardrails.is_empty() {
            let names: Vec<&str> = guardrails.iter().map(String::as_str).collect();
            because.push(format!(
                "Guardrail: watch {} — {} moved the wrong way when {} improved.",
                join_names(&names),
                if names.len() == 1 { "it" } else { "they" },
                meta.name
            ));
        }
        if meta
            .target
            .as_ref()
            .is_some_and(|target| target.source.starts_with("suggested"))
        {
            because
                .push("The target is a suggestion from the history, not one you set.".to_string());
        }
        suggestion.guardrails = guardrails;
        suggestion.because = because.join(" ");
        suggestion
    }

    /// Committed when the forecast reaches the aim by the deadline;
    /// otherwise stretch, with the change per period it needs.
    fn feasibility(
        &self,
        meta: &KpiMeta,
        kpi: &KpiAnalysis,
        target: &Target,
        latest: f64,
        aim: f64,
        values: &[Option<f64>],
    ) -> (Feasibility, String, Option<f64>) {
        let unit = meta.unit.as_deref();
        let frequency = self.table.source.frequency;
        let steps = self.analysis.deadline_steps.max(1);
        let path: Vec<f64> = kpi
            .forecast
            .path
            .iter()
            .chain(&kpi.forecast.beyond)
            .take(steps)
            .map(|point| point.value)
            .collect();
        let at_deadline = path.last().copied();
        let reaches = path.iter().any(|value| target.is_met(*value));
        let by = self.by_deadline();
        if kpi.health == Health::AtRisk {
            let probability = kpi.forecast.breach_probability.unwrap_or(0.5);
            return (
                if probability < 0.5 {
                    Feasibility::Committed
                } else {
                    Feasibility::Stretch
                },
                format!(
                    "Holding it takes work: the model gives {} of a breach within {} {}.",
                    chance(probability),
                    self.analysis.horizon,
                    frequency.unit_word(self.analysis.horizon as i64)
                ),
                None,
            );
        }
        match at_deadline {
            Some(_) if reaches => (
                Feasibility::Committed,
                format!(
                    "The current trend already gets it within target{by}: a committed key result."
                ),
                None,
            ),
            Some(forecast) => {
                let change = (aim - latest) / steps as f64;
                (
                    Feasibility::Stretch,
                    format!(
                        "The current trend gets it to {}{by}; reaching {} needs {}.",
                        value_like(forecast, unit, values),
                        value_like(aim, unit, values),
                        per_period(change, unit, values, frequency)
                    ),
                    Some(change),
                )
            }
            None => {
                let change = (aim - latest) / steps as f64;
                (
                    Feasibility::Stretch,
                    format!(
                        "There is too little history to forecast it; reaching {} needs {}.",
                        value_like(aim, unit, values),
                        per_period(change, unit, values, frequency)
                    ),
                    Some(change),
                )
            }
        }
    }

    /// Why a KPI needs a KR, in plain words.
    fn reason(&self, meta: &KpiMeta, kpi: &KpiAnalysis, values: &[Option<f64>]) -> String {
        let unit = meta.unit.as_deref();
        let target = meta
            .target
            .as_ref()
            .map(|target| target_words(target, unit))
            .unwrap_or_default();
        let latest = kpi
            .summary
            .latest
            .map(|value| value_like(value, unit, values))
            .unwrap_or_default();
        let frequency = self.table.source.frequency;
        let trend = match kpi.trend.verdict {
            Verdict::Worsening => ", and it is worsening",
            Verdict::Improving => ", though it is improving",
            Verdict::Flat => "",
        };
        match (kpi.health, &kpi.breach) {
            (Health::Breached, Some(breach)) if breach.streak > 1 => format!(
                "{} is {latest}, outside its target ({target}) for {} {} in a row{trend}.",
                meta.name,
                breach.streak,
                frequency.unit_word(breach.streak as i64),
            ),
            (Health::Breached, _) => {
                format!(
                    "{} is {latest}, outside its target ({target}){trend}.",
                    meta.name
                )
            }
            _ => format!(
                "{} is {latest}, inside its target ({target}){trend}.",
                meta.name
            ),
        }
    }

    /// Priority in 0..100: severity beyond the threshold (35 %), persistence
    /// of the breach (20 %), trend (15 %), the chance of a breach within the
    /// horizon (15 %), and how many KPIs it leads (15 %).
    fn priority(&self, index: usize, kpi: &KpiAnalysis) -> f64 {
        let margin_sd = kpi.breach.as_ref().and_then(|breach| breach.margin_sd);
        let severity = match kpi.health {
            Health::Breached => {
                0.5 + 0.5 * margin_sd.map_or(0.5, |margin| (margin.abs() / 2.0).min(1.0))
            }
            _ => 0.5 * (1.0 - margin_sd.map_or(0.5, |margin| margin.clamp(0.0, 1.0))),
        };
        let quarter = self.table.source.frequency.periods_per_quarter().max(3) as f64;
        let persistence = kpi
            .breach
            .as_ref()
            .map_or(0.0, |breach| (breach.streak as f64 / quarter).min(1.0));
        let trend = match kpi.trend.verdict {
            Verdict::Worsening => 1.0,
            Verdict::Flat => 0.5,
            Verdict::Improving => 0.0,
        };
        let probability = kpi.forecast.breach_probability.unwrap_or(0.5);
        let led = self
            .significant()
            .filter(|pair| pair.leader == index)
            .count();
        let influence = (led as f64 / 3.0).min(1.0);
        let score = MAX_PRIORITY
            * (0.35 * severity
                + 0.2 * persistence
                + 0.15 * trend
                + 0.15 * probability
                + 0.15 * influence);
        (score * 10.0).round() / 10.0
    }

    /// KPIs that moved the wrong way when this one improved: significant
    /// relationships (any lag) whose sign, read through both directions, is
    /// a trade-off. At most two, by q-value.
    fn guardrails(&self, index: usize, meta: &KpiMeta) -> Vec<String> {
        let mut found: Vec<(f64, String)> = Vec::new();
        for pair in self.related.iter().copied() {
            let other = if pair.leader == index {
                pair.follower
            } else if pair.follower == index && pair.lag == 0 {
                pair.leader
            } else {
                continue;
            };
            let Some(other_meta) = self.table.kpis.get(other) else {
                continue;
            };
            let trade_off = pair.r * meta.direction.sign() * other_meta.direction.sign() < 0.0;
            if trade_off && !found.iter().any(|(_, name)| *name == other_meta.name) {
                found.push((pair.q_value, other_meta.name.clone()));
            }
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        found.into_iter().take(2).map(|(_, name)| name).collect()
    }

    /// Supporting KRs on the primary KPI's significant leading indicators
    /// that are not in a key result already, with the change in each leader
    /// the fitted lag relationship says is needed.
    fn supporting(
        &self,
        index: usize,
        meta: &KpiMeta,
        kpi: &KpiAnalysis,
        primary: &Suggestion,
        taken: &mut [bool],
    ) -> Vec<Suggestion> {
        let Some(needed) = needed_change(meta, kpi, primary) else {
            return Vec::new();
        };
        let mut leaders: Vec<&PairTest> = self
            .significant()
            .filter(|pair| pair.follower == index)
            .collect();
        leaders.sort_by(|a, b| a.q_value.total_cmp(&b.q_value));
        let mut supporting = Vec::new();
        for pair in leaders {
            if supporting.len() >= SUPPORTING_PER_KR
                || taken.get(pair.leader).copied().unwrap_or(true)
            {
                continue;
            }
            if let Some(kr) = self.supporting_kr(pair, meta, needed, primary) {
                if let Some(slot) = taken.get_mut(pair.leader) {
                    *slot = true;
                }
                supporting.push(kr);
            }
        }
        supporting
    }

    fn supporting_kr(
        &self,
        pair: &PairTest,
        follower: &KpiMeta,
        needed: f64,
        primary: &Suggestion,
    ) -> Option<Suggestion> {
        let leader_meta = self.table.kpis.get(pair.leader)?;
        let leader_kpi = self.analysis.kpis.get(pair.leader)?;
        let follower_kpi = self.analysis.kpis.get(pair.follower)?;
        let leader_values = self.table.values_of(pair.leader);
        let present: Vec<f64> = leader_values.iter().flatten().copied().collect();
        // The relationship as the scan fitted it: on the stationary series.
        let slope = lag_slope(
            &leader_kpi.profile.stationary,
            &follower_kpi.profile.stationary,
            pair.lag,
        )?;
        let latest = leader_kpi.summary.latest?;
        let (low, high) = (leader_kpi.summary.min?, leader_kpi.summary.max?);
        let wanted = latest + needed / slope;
        let goal = round_like(wanted.clamp(low, high), &present);
        if (goal - latest).abs() <= f64::EPSILON * latest.abs().max(1.0) {
            return None;
        }
        let verb = if goal > latest { "Increase" } else { "Reduce" };
        let unit = leader_meta.unit.as_deref();
        let show = |value: f64| value_like(value, unit, &leader_values);
        let clamped = if wanted < low || wanted > high {
            format!(
                " The fitted relationship asks for {}, beyond anything in the history, so the aim is the edge of the range seen.",
                show(wanted)
            )
        } else {
            String::new()
        };
        let frequency = self.table.source.frequency;
        let mut suggestion = Suggestion::new(leader_meta, SuggestionKind::Supporting);
        suggestion.key_result = format!(
            "{verb} {} from {} to {}{}",
            leader_meta.name,
            show(latest),
            show(goal),
            self.by_deadline()
        );
        suggestion.baseline = Some(round_like(latest, &present));
        suggestion.target = Some(goal);
        suggestion.deadline = primary.deadline.clone();
        suggestion.priority = ((primary.priority * 0.8) * 10.0).round() / 10.0;
        suggestion.target_basis =
            format!("what {} needs, through the lag relationship", follower.name);
        suggestion.because = format!(
            "Changes in {} tend to precede {} changes in {} by {} {} (r = {}, {}); moving it this far would move {} by about {} after the lag.{clamped}",
            leader_meta.name,
            if pair.r < 0.0 { "opposite" } else { "same-direction" },
            follower.name,
            pair.lag,
            frequency.unit_word(pair.lag as i64),
            minus(format!("{:.2}", pair.r)),
            q_phrase(pair.q_value),
            follower.name,
            with_unit(needed, follower.unit.as_deref()),
        );
        suggestion.supports = Some(follower.name.clone());
        Some(suggestion)
    }

    /// A KPI that meets its target but worsens significantly, or has no
    /// target and deserves a look.
    fn watch(&self, meta: &KpiMeta, kpi: &KpiAnalysis) -> Option<Suggestion> {
        let reason = match (kpi.health, &kpi.attention_reason) {
            (Health::Healthy | Health::Recovering, _)
                if kpi.trend.verdict == Verdict::Worsening =>
            {
                format!(
                    "{} meets its target but is worsening significantly: watch it before it breaches.",
                    meta.name
                )
            }
            (Health::NoTarget, Some(reason)) => {
                let suggested = kpi
                    .suggested_target
                    .as_ref()
                    .map(|suggested| {
                        format!(
                            " A target from its history would be {} ({}).",
                            target_words(&suggested.target, meta.unit.as_deref()),
                            suggested.basis
                        )
                    })
                    .unwrap_or_default();
                format!("{} has no target, and {reason}.{suggested}", meta.name)
            }
            _ => return None,
        };
        let mut suggestion = Suggestion::new(meta, SuggestionKind::Watch);
        suggestion.key_result = format!("Watch {}", meta.name);
        suggestion.baseline = kpi.summary.latest;
        suggestion.priority = 20.0;
        suggestion.because = reason;
        suggestion.shortlist = false;
        Some(suggestion)
    }

    /// Lifecycle advice for a healthy or recovering KPI.
    fn lifecycle(&self, index: usize, meta: &KpiMeta, kpi: &KpiAnalysis) -> Option<Suggestion> {
        let statuses: Vec<Option<Status>> = kpi
            .breach
            .as_ref()
            .map(|breach| breach.status.clone())
            .unwrap_or_default();
        let present: Vec<Status> = statuses.iter().flatten().copied().collect();
        let recent_met = present.len() >= ACHIEVED_PERIODS
            && present
                .iter()
                .rev()
                .take(ACHIEVED_PERIODS)
                .all(|status| *status == Status::Met);
        let target = meta.target.as_ref()?;
        let unit = meta.unit.as_deref();
        let values = self.table.values_of(index);
        let target_text = target_words(target, unit);
        let frequency = self.table.source.frequency;
        if meta.is_key_result() && recent_met && matches!(kpi.health, Health::Healthy) {
            let mut suggestion = Suggestion::new(meta, SuggestionKind::ReturnToKpi);
            let recent: Vec<f64> = values
                .iter()
                .rev()
                .flatten()
                .take(ACHIEVED_PERIODS)
                .copied()
                .collect();
            // The level held: the worst of the last three periods, when it
            // is better than the old target.
            let held = match target.kind {
                TargetKind::AtLeast => recent.iter().copied().reduce(f64::min),
                TargetKind::AtMost => recent.iter().copied().reduce(f64::max),
                TargetKind::Between => None,
            };
            let better = held.filter(|level| match (target.kind, target.value) {
                (TargetKind::AtLeast, Some(old)) => *level > old,
                (TargetKind::AtMost, Some(old)) => *level < old,
                _ => false,
            });
            let leaders: Vec<String> = self
                .significant()
                .filter(|pair| pair.follower == index)
                .filter_map(|pair| {
                    let leader = self.table.kpis.get(pair.leader)?;
                    leader.target.is_none().then(|| leader.name.clone())
                })
                .collect();
            suggestion.key_result = format!("Achieved — return {} to KPI monitoring", meta.name);
            suggestion.baseline = kpi.summary.latest;
            suggestion.target = target.value.or(target.low);
            suggestion.new_kpi_target = better;
            suggestion.priority = 10.0;
            let mut because = vec![format!(
                "{} is a current key result and has met its target ({target_text}) in each of the last {ACHIEVED_PERIODS} {}.",
                meta.name,
                frequency.unit_word(ACHIEVED_PERIODS as i64)
            )];
            if let Some(level) = better {
                let mut raised = target.clone();
                raised.value = Some(level);
                because.push(format!(
                    "It has held {} for {ACHIEVED_PERIODS} {}: make that the new normal ({}) on the dashboard.",
                    value_like(level, unit, &values),
                    frequency.unit_word(ACHIEVED_PERIODS as i64),
                    target_words(&raised, unit)
                ));
            }
            if !leaders.is_empty() {
                let names: Vec<&str> = leaders.iter().map(String::as_str).collect();
                because.push(format!(
                    "Keep watching what moved it: add {} to the KPIs.",
                    join_names(&names)
                ));
            }
            suggestion.add_kpis = leaders;
            suggestion.because = because.join(" ");
            suggestion.shortlist = false;
            return Some(suggestion);
        }
        if kpi.health == Health::Healthy
            && kpi.trend.verdict != Verdict::Worsening
            && !meta.is_key_result()
        {
            let mut suggestion = Suggestion::new(meta, SuggestionKind::KeepAsKpi);
            suggestion.key_result = format!("Keep {} as a KPI on the dashboard", meta.name);
            suggestion.baseline = kpi.summary.latest;
            suggestion.target = target.value.or(target.low);
            suggestion.because = format!(
                "{} meets its target ({target_text}) and is {}: no key result needed.",
                meta.name,
                match kpi.trend.verdict {
                    Verdict::Improving => "improving",
                    _ => "stable",
                }
            );
            suggestion.shortlist = false;
            return Some(suggestion);
        }
        None
    }

    /// One objective per department (or per KPI without one) naming the
    /// outcome; at most three KRs each and five objectives on the shortlist.
    /// Orders the list: shortlisted objectives by priority (each primary
    /// first, then its supporting KRs), further candidates, watch items,
    /// lifecycle advice.
    fn draft_objectives(&self, suggestions: &mut Vec<Suggestion>) {
        let department_of = |name: &str| {
            self.table
                .kpi_index(name)
                .and_then(|index| self.table.kpis.get(index))
                .and_then(|meta| meta.department.clone())
        };
        // Group key results by the department of the KPI they serve.
        let mut groups: Vec<(Option<String>, Vec<Suggestion>)> = Vec::new();
        let mut advice: Vec<Suggestion> = Vec::new();
        let mut primaries: Vec<Suggestion> = suggestions
            .iter()
            .filter(|suggestion| suggestion.kind == SuggestionKind::Primary)
            .cloned()
            .collect();
        primaries.sort_by(|a, b| {
            b.priority
                .total_cmp(&a.priority)
                .then_with(|| a.kpi.cmp(&b.kpi))
        });
        for primary in primaries {
            let department = department_of(&primary.kpi);
            let supporting: Vec<Suggestion> = suggestions
                .iter()
                .filter(|other| other.supports.as_deref() == Some(primary.kpi.as_str()))
                .cloned()
                .collect();
            let key = department.clone().or_else(|| Some(primary.kpi.clone()));
            match groups.iter_mut().find(|(existing, _)| *existing == key) {
                Some((_, members)) => {
                    members.push(primary);
                    members.extend(supporting);
                }
                None => {
                    let mut members = vec![primary];
                    members.extend(supporting);
                    groups.push((key, members));
                }
            }
        }
        for suggestion in suggestions.drain(..) {
            if !suggestion.is_key_result() {
                advice.push(suggestion);
            }
        }
        let mut shortlisted_objectives = 0;
        let mut further = Vec::new();
        for (key, members) in groups {
            let objective = self.objective_text(key.as_deref(), &members, &department_of);
            let owner = members.iter().find_map(|member| member.owner.clone());
            let on_shortlist = shortlisted_objectives < SHORTLIST_OBJECTIVES;
            if on_shortlist {
                shortlisted_objectives += 1;
            }
            for (position, mut member) in members.into_iter().enumerate() {
                member.objective.clone_from(&objective);
                member.objective_owner.clone_from(&owner);
                member.shortlist = on_shortlist && position < KRS_PER_OBJECTIVE;
                if member.shortlist {
                    suggestions.push(member);
                } else {
                    further.push(member);
                }
            }
        }
        suggestions.extend(further);
        advice.sort_by_key(|suggestion| match suggestion.kind {
            SuggestionKind::Watch => 0,
            SuggestionKind::ReturnToKpi => 1,
            _ => 2,
        });
        for mut item in advice {
            item.objective = match item.kind {
                SuggestionKind::Watch => "Watch list".to_string(),
                SuggestionKind::ReturnToKpi => format!("Hand {} back to the dashboard", item.kpi),
                _ => "Keep the dashboard healthy".to_string(),
            };
            suggestions.push(item);
        }
    }

    /// "Product: bring Page load time back to ≤ 2.5 s": the department and
    /// the outcome of its key results.
    fn objective_text(
        &self,
        key: Option<&str>,
        members: &[Suggestion],
        department_of: &dyn Fn(&str) -> Option<String>,
    ) -> String {
        let outcomes: Vec<String> = members
            .iter()
            .filter(|member| member.kind == SuggestionKind::Primary)
            .filter_map(|member| {
                let index = self.table.kpi_index(&member.kpi)?;
                let meta = self.table.kpis.get(index)?;
                let target = meta.target.as_ref()?;
                let health = self.analysis.kpis.get(index)?.health;
                let goal = target_words(target, meta.unit.as_deref());
                Some(match health {
                    Health::AtRisk => format!("keep {} at {goal}", meta.name),
                    _ => format!("bring {} back to {goal}", meta.name),
                })
            })
            .collect();
        let outcome = match outcomes.as_slice() {
            [] => "get back on track".to_string(),
            [one] => one.clone(),
            [first, second] => format!("{first} and {second}"),
            [first, rest @ ..] => format!("{first}, and {} more", rest.len()),
        };
        let department = members
            .first()
            .and_then(|member| department_of(&member.kpi));
        match (department, key) {
            (Some(department), _) => format!("{department}: {outcome}"),
            _ => capitalise(&outcome),
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// The change in the follower a supporting KR must produce: the gap to the
/// threshold when breached; when at risk, the drift the forecast projects
/// over the horizon, to be cancelled.
fn needed_change(meta: &KpiMeta, kpi: &KpiAnalysis, primary: &Suggestion) -> Option<f64> {
    let latest = kpi.summary.latest?;
    let change = match kpi.health {
        Health::Breached => primary.target? - latest,
        _ => {
            let end = kpi.forecast.path.last()?.value;
            let drift = end - latest;
            if drift * meta.direction.sign() >= 0.0 {
                return None;
            }
            -drift
        }
    };
    (change.abs() > f64::EPSILON).then_some(change)
}

/// The slope of follower[t + lag] on leader[t] over the pairs where both
/// are present (the stationary series the lead/lag scan tests): r ×
/// sd(follower) / sd(leader).
pub fn lag_slope(leader: &[Option<f64>], follower: &[Option<f64>], lag: usize) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = leader
        .iter()
        .enumerate()
        .filter_map(|(t, x)| Some(((*x)?, (*follower.get(t + lag)?)?)))
        .collect();
    if pairs.len() < 3 {
        return None;
    }
    let count = pairs.len() as f64;
    let mean_x = pairs.iter().map(|(x, _)| x).sum::<f64>() / count;
    let mean_y = pairs.iter().map(|(_, y)| y).sum::<f64>() / count;
    let sxy: f64 = pairs.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let sxx: f64 = pairs.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    let slope = sxy / sxx;
    (sxx > f64::EPSILON && slope.is_finite() && slope.abs() > f64::EPSILON).then_some(slope)
}
