//! Candidate key results from an analysis: a primary KR for each breached or
//! at-risk KPI, supporting KRs on its significant leading indicators, a
//! guardrail where the data shows one, a drafted objective, a priority score
//! and ranking, and lifecycle advice (return a met KR to KPI monitoring,
//! keep a healthy KPI as a KPI).

use serde::Serialize;

use crate::analysis::breach::Status;
use crate::analysis::health::{Health, Verdict};
use crate::analysis::leadlag::PairTest;
use crate::analysis::series::first_differences;
use crate::analysis::{Analysis, KpiAnalysis};
use crate::model::{end_of_month, format_number, KpiMeta, KpiTable, Period, Target, TargetKind};

/// A key result ranks above everything when its priority is 100.
const MAX_PRIORITY: f64 = 100.0;
/// Periods a KR-focus KPI must have been healthy to count as achieved.
const ACHIEVED_PERIODS: usize = 3;
/// Leading indicators turned into supporting KRs, at most.
const SUPPORTING_PER_KR: usize = 3;
/// q-value under which a relationship counts.
pub const FDR_LEVEL: f64 = 0.05;

/// The kind of a suggestion, as the JSON contract names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    Primary,
    Supporting,
    ReturnToKpi,
    KeepAsKpi,
}

/// One candidate key result or piece of lifecycle advice.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    pub kpi: String,
    pub kind: SuggestionKind,
    pub objective: String,
    pub key_result: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub deadline: Option<String>,
    pub priority: f64,
    pub because: String,
    /// For a supporting KR: the KPI it supports.
    pub supports: Option<String>,
    /// KPIs to watch while pursuing this KR (they moved the wrong way when this one improved).
    pub guardrails: Vec<String>,
}

/// The deadline for next quarter's KRs: the end of the quarter after the
/// quarter holding the last period.
pub fn deadline(last_period: Period) -> chrono::NaiveDate {
    use chrono::Datelike;
    let end = last_period.end_date();
    let quarter = (end.month() - 1) / 3;
    let (year, next_quarter) = if quarter == 3 {
        (end.year() + 1, 0)
    } else {
        (end.year(), quarter + 1)
    };
    end_of_month(year, next_quarter * 3 + 3)
}

/// A value with its unit as people write it: "7.5 %", "$1,200", "2.4 s".
pub fn with_unit(value: f64, unit: Option<&str>) -> String {
    match unit.map(str::trim).filter(|unit| !unit.is_empty()) {
        Some("%") => minus(format!("{value:.1} %")),
        Some(currency @ ("$" | "€" | "£" | "¥")) => {
            if value < 0.0 {
                format!("−{currency}{}", group_thousands(&format_number(-value)))
            } else {
                format!("{currency}{}", group_thousands(&format_number(value)))
            }
        }
        Some(unit) => format!("{} {unit}", minus(group_thousands(&format_number(value)))),
        None => minus(group_thousands(&format_number(value))),
    }
}

/// A typographic minus sign in place of a hyphen.
fn minus(text: String) -> String {
    match text.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => text,
    }
}

/// "1234567.5" → "1,234,567.5".
fn group_thousands(number: &str) -> String {
    let (sign, digits) = number
        .strip_prefix('-')
        .map_or(("", number), |rest| ("-", rest));
    let (whole, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(whole, fraction)| (whole, Some(fraction)));
    let mut grouped = String::new();
    for (position, digit) in whole.chars().enumerate() {
        if position > 0 && (whole.len() - position) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
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

/// Builds every suggestion, ranked by priority (highest first).
pub fn suggest(table: &KpiTable, analysis: &Analysis) -> Vec<Suggestion> {
    let Some(last_period) = table.periods.last().copied() else {
        return Vec::new();
    };
    let deadline = deadline(last_period).format("%Y-%m-%d").to_string();
    // The lead/lag list holds every tested pair (K² of them); the few that
    // matter here are picked out once.
    let related: Vec<&PairTest> = analysis
        .lead_lag
        .iter()
        .filter(|pair| pair.q_value <= FDR_LEVEL)
        .collect();
    let context = Context {
        table,
        analysis,
        deadline,
        related,
    };
    let mut suggestions = Vec::new();
    for (index, (meta, kpi)) in table.kpis.iter().zip(&analysis.kpis).enumerate() {
        match kpi.health {
            Health::Breached | Health::AtRisk => {
                let primary = context.primary(index, meta, kpi);
                let supporting = context.supporting(index, meta, kpi, &primary);
                suggestions.push(primary);
                suggestions.extend(supporting);
            }
            Health::Healthy | Health::Recovering => {
                suggestions.extend(context.lifecycle(meta, kpi))
            }
            Health::NoTarget => {}
        }
    }
    context.draft_objectives(&mut suggestions);
    suggestions.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| a.kpi.cmp(&b.kpi))
    });
    suggestions
}

struct Context<'a> {
    table: &'a KpiTable,
    analysis: &'a Analysis,
    deadline: String,
    /// Pairs with q ≤ the FDR level, at any lag.
    related: Vec<&'a PairTest>,
}

impl Context<'_> {
    fn significant(&self) -> impl Iterator<Item = &PairTest> {
        self.related.iter().copied().filter(|pair| pair.significant)
    }

    fn primary(&self, index: usize, meta: &KpiMeta, kpi: &KpiAnalysis) -> Suggestion {
        let latest = kpi.summary.latest;
        let target = meta.target.as_ref();
        let threshold = target
            .zip(latest)
            .and_then(|(target, latest)| aim(target, latest));
        let unit = meta.unit.as_deref();
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
        let key_result = match (verb, latest, threshold, target) {
            ("Keep", _, _, Some(target)) => format!(
                "Keep {} {} through {}",
                meta.name,
                keep_phrase(target, unit),
                self.deadline
            ),
            (_, Some(latest), Some(threshold), _) => format!(
                "{verb} {} from {} to {} by {}",
                meta.name,
                with_unit(latest, unit),
                with_unit(threshold, unit),
                self.deadline
            ),
            _ => format!("Bring {} back on target by {}", meta.name, self.deadline),
        };
        let guardrails = self.guardrails(index, meta);
        let mut because = self.reason(meta, kpi);
        if !guardrails.is_empty() {
            because.push_str(&format!(" Guardrail: {}.", guardrails.join("; ")));
        }
        Suggestion {
            kpi: meta.name.clone(),
            kind: SuggestionKind::Primary,
            objective: String::new(),
            key_result,
            baseline: latest,
            target: threshold,
            deadline: Some(self.deadline.clone()),
            priority: self.priority(index, kpi),
            because,
            supports: None,
            guardrails,
        }
    }

    /// Why a KPI needs a KR, in plain words.
    fn reason(&self, meta: &KpiMeta, kpi: &KpiAnalysis) -> String {
        let unit = meta.unit.as_deref();
        let target = meta
            .target
            .as_ref()
            .map(Target::describe)
            .unwrap_or_default();
        let latest = kpi
            .summary
            .latest
            .map(|value| with_unit(value, unit))
            .unwrap_or_default();
        let trend = match kpi.trend.verdict {
            Verdict::Worsening => "and it is worsening significantly",
            Verdict::Improving => "though it is improving",
            Verdict::Flat => "with no significant trend",
        };
        let unit_word = self.table.source.frequency.unit_word(1);
        match (kpi.health, &kpi.breach) {
            (Health::Breached, Some(breach)) => format!(
                "{} is {latest}, outside its target ({target}) for {} {} in a row ({} of {} {unit_word}s in all), {trend}.",
                meta.name,
                breach.streak,
                self.table.source.frequency.unit_word(breach.streak as i64),
                breach.count,
                kpi.summary.count,
            ),
            (Health::AtRisk, _) => match &kpi.forecast.crossing_period {
                Some(period) => format!(
                    "{} is {latest}, inside its target ({target}), but the trend projects a breach in {period}, {trend}.",
                    meta.name
                ),
                None => format!(
                    "{} is {latest}, within one standard deviation of its target ({target}), {trend}.",
                    meta.name
                ),
            },
            _ => format!("{} is {latest} against a target of {target}.", meta.name),
        }
    }

    /// Priority in 0..100: severity beyond the threshold (40 %), persistence
    /// of the breach (25 %), trend (20 %), and how many KPIs it leads (15 %).
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
        let led = self
            .significant()
            .filter(|pair| pair.leader == index)
            .count();
        let influence = (led as f64 / 3.0).min(1.0);
        let score =
            MAX_PRIORITY * (0.4 * severity + 0.25 * persistence + 0.2 * trend + 0.15 * influence);
        (score * 10.0).round() / 10.0
    }

    /// KPIs that moved the wrong way when this one improved: significant
    /// relationships (any lag) whose sign, read through both directions, is
    /// a trade-off.
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
            if trade_off
                && !found
                    .iter()
                    .any(|(_, name)| name.starts_with(&other_meta.name))
            {
                found.push((
                    pair.q_value,
                    format!(
                        "{} (it moved the wrong way when {} improved: r = {}, {})",
                        other_meta.name,
                        meta.name,
                        minus(format!("{:.2}", pair.r)),
                        q_phrase(pair.q_value)
                    ),
                ));
            }
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        found.into_iter().take(2).map(|(_, text)| text).collect()
    }

    /// Supporting KRs on the KPI's significant leading indicators, with the
    /// change in each leader the fitted lag relationship says is needed.
    fn supporting(
        &self,
        index: usize,
        meta: &KpiMeta,
        kpi: &KpiAnalysis,
        primary: &Suggestion,
    ) -> Vec<Suggestion> {
        let Some(needed) = needed_change(meta, kpi, primary) else {
            return Vec::new();
        };
        let mut leaders: Vec<&PairTest> = self
            .significant()
            .filter(|pair| pair.follower == index)
            .collect();
        leaders.sort_by(|a, b| a.q_value.total_cmp(&b.q_value));
        leaders
            .into_iter()
            .take(SUPPORTING_PER_KR)
            .filter_map(|pair| self.supporting_kr(pair, meta, needed, primary))
            .collect()
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
        let leader_values = self.table.values_of(pair.leader);
        let follower_values = self.table.values_of(pair.follower);
        let slope = lag_slope(&leader_values, &follower_values, pair.lag)?;
        let latest = leader_kpi.summary.latest?;
        let (low, high) = (leader_kpi.summary.min?, leader_kpi.summary.max?);
        let wanted = latest + needed / slope;
        let goal = round_like(wanted.clamp(low, high), &leader_values);
        if (goal - latest).abs() <= f64::EPSILON * latest.abs().max(1.0) {
            return None;
        }
        let verb = if goal > latest { "Increase" } else { "Reduce" };
        let unit = leader_meta.unit.as_deref();
        let clamped = if wanted < low || wanted > high {
            format!(
                " The fitted relationship asks for {}, beyond anything in the history, so the aim is clamped to the range seen ({} – {}).",
                with_unit(wanted, unit),
                with_unit(low, unit),
                with_unit(high, unit)
            )
        } else {
            String::new()
        };
        let lag_words = format!(
            "{} {}",
            pair.lag,
            self.table.source.frequency.unit_word(pair.lag as i64)
        );
        Some(Suggestion {
            kpi: leader_meta.name.clone(),
            kind: SuggestionKind::Supporting,
            objective: String::new(),
            key_result: format!(
                "{verb} {} from {} to {} by {}",
                leader_meta.name,
                with_unit(latest, unit),
                with_unit(goal, unit),
                self.deadline
            ),
            baseline: Some(latest),
            target: Some(goal),
            deadline: Some(self.deadline.clone()),
            priority: ((primary.priority * 0.8) * 10.0).round() / 10.0,
            because: format!(
                "Changes in {} tend to precede {} changes in {} by {lag_words} (r = {}, {}); moving it this far would move {} by about {} after the lag.{clamped}",
                leader_meta.name,
                if pair.r < 0.0 { "opposite" } else { "same-direction" },
                follower.name,
                minus(format!("{:.2}", pair.r)),
                q_phrase(pair.q_value),
                follower.name,
                with_unit(needed, follower.unit.as_deref()),
            ),
            supports: Some(follower.name.clone()),
            guardrails: Vec::new(),
        })
    }

    /// Lifecycle advice for a healthy or recovering KPI.
    fn lifecycle(&self, meta: &KpiMeta, kpi: &KpiAnalysis) -> Option<Suggestion> {
        let statuses: Vec<Option<Status>> = kpi
            .breach
            .as_ref()
            .map(|breach| breach.status.clone())
            .unwrap_or_default();
        let recent_met = statuses.len() >= ACHIEVED_PERIODS
            && statuses
                .iter()
                .rev()
                .take(ACHIEVED_PERIODS)
                .all(|status| *status == Some(Status::Met));
        let target = meta
            .target
            .as_ref()
            .map(Target::describe)
            .unwrap_or_default();
        if meta.is_key_result() && recent_met {
            return Some(Suggestion {
                kpi: meta.name.clone(),
                kind: SuggestionKind::ReturnToKpi,
                objective: String::new(),
                key_result: format!("Achieved — return {} to KPI monitoring", meta.name),
                baseline: kpi.summary.latest,
                target: meta.target.as_ref().and_then(|target| target.value.or(target.low)),
                deadline: None,
                priority: 10.0,
                because: format!(
                    "{} is a current key result and has met its target ({target}) in each of the last {ACHIEVED_PERIODS} {}.",
                    meta.name,
                    self.table.source.frequency.unit_word(ACHIEVED_PERIODS as i64)
                ),
                supports: None,
                guardrails: Vec::new(),
            });
        }
        if kpi.health == Health::Healthy && kpi.trend.verdict != Verdict::Worsening {
            return Some(Suggestion {
                kpi: meta.name.clone(),
                kind: SuggestionKind::KeepAsKpi,
                objective: String::new(),
                key_result: format!("Keep {} as a KPI on the dashboard", meta.name),
                baseline: kpi.summary.latest,
                target: meta
                    .target
                    .as_ref()
                    .and_then(|target| target.value.or(target.low)),
                deadline: None,
                priority: 0.0,
                because: format!(
                    "{} meets its target ({target}) and its trend is {}: no key result needed.",
                    meta.name,
                    match kpi.trend.verdict {
                        Verdict::Improving => "improving",
                        _ => "stable",
                    }
                ),
                supports: None,
                guardrails: Vec::new(),
            });
        }
        None
    }

    /// One objective per department (or per KPI without one), shared by the
    /// primary KR and its supporting KRs.
    fn draft_objectives(&self, suggestions: &mut [Suggestion]) {
        let department_of = |name: &str| {
            self.table
                .kpi_index(name)
                .and_then(|index| self.table.kpis.get(index))
                .and_then(|meta| meta.department.clone())
        };
        let primaries: Vec<(String, Option<String>)> = suggestions
            .iter()
            .filter(|suggestion| suggestion.kind == SuggestionKind::Primary)
            .map(|suggestion| (suggestion.kpi.clone(), department_of(&suggestion.kpi)))
            .collect();
        for suggestion in suggestions.iter_mut() {
            let owner_kpi = suggestion
                .supports
                .clone()
                .unwrap_or_else(|| suggestion.kpi.clone());
            suggestion.objective = match suggestion.kind {
                SuggestionKind::Primary | SuggestionKind::Supporting => {
                    match department_of(&owner_kpi) {
                        Some(department) => {
                            let names: Vec<&str> = primaries
                                .iter()
                                .filter(|(_, other)| other.as_deref() == Some(department.as_str()))
                                .map(|(name, _)| name.as_str())
                                .collect();
                            format!(
                                "{department}: get {} back on track this quarter",
                                join_names(&names)
                            )
                        }
                        None => format!("Get {owner_kpi} back on track this quarter"),
                    }
                }
                SuggestionKind::ReturnToKpi => format!(
                    "Celebrate and hand {} back to the dashboard",
                    suggestion.kpi
                ),
                SuggestionKind::KeepAsKpi => "Keep the dashboard healthy".to_string(),
            };
        }
    }
}

/// "A", "A and B", "A, B and C".
fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn keep_phrase(target: &Target, unit: Option<&str>) -> String {
    let number = |value: Option<f64>| {
        value
            .map(|value| with_unit(value, unit))
            .unwrap_or_default()
    };
    match target.kind {
        TargetKind::AtLeast => format!("at or above {}", number(target.value)),
        TargetKind::AtMost => format!("at or below {}", number(target.value)),
        TargetKind::Between => {
            format!("between {} and {}", number(target.low), number(target.high))
        }
    }
}

/// A q-value as people read it in a sentence: "q = 0.003" or "q < 0.001".
pub fn q_phrase(q_value: f64) -> String {
    if q_value < 0.001 {
        "q < 0.001".to_string()
    } else {
        format!("q = {q_value:.3}")
    }
}

/// Rounds a goal to the decimals the KPI's own values are written with
/// (at most four), so a KR reads "2.50 s", not "2.4976 s".
fn round_like(value: f64, values: &[Option<f64>]) -> f64 {
    let decimals = values
        .iter()
        .flatten()
        .map(|number| {
            let text = format!("{number}");
            text.split_once('.')
                .map_or(0, |(_, fraction)| fraction.len().min(4))
        })
        .max()
        .unwrap_or(0);
    let scale = 10f64.powi(decimals as i32);
    (value * scale).round() / scale
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

/// The slope of Δfollower[t + lag] on Δleader[t] over the pairs where both
/// are present: r × sd(Δfollower) / sd(Δleader).
pub fn lag_slope(leader: &[Option<f64>], follower: &[Option<f64>], lag: usize) -> Option<f64> {
    let leader_steps = first_differences(leader);
    let follower_steps = first_differences(follower);
    let pairs: Vec<(f64, f64)> = leader_steps
        .iter()
        .enumerate()
        .filter_map(|(t, x)| Some(((*x)?, (*follower_steps.get(t + lag)?)?)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_the_end_of_the_next_quarter() {
        assert_eq!(
            deadline(Period::Month {
                year: 2025,
                month: 6
            })
            .to_string(),
            "2025-09-30"
        );
        assert_eq!(
            deadline(Period::Month {
                year: 2025,
                month: 12
            })
            .to_string(),
            "2026-03-31"
        );
        assert_eq!(
            deadline(Period::Quarter {
                year: 2024,
                quarter: 3
            })
            .to_string(),
            "2024-12-31"
        );
        assert_eq!(deadline(Period::Year(2024)).to_string(), "2025-03-31");
    }

    #[test]
    fn values_are_written_with_their_units() {
        assert_eq!(with_unit(11.0, Some("%")), "11.0 %");
        assert_eq!(with_unit(1200.0, Some("$")), "$1,200");
        assert_eq!(with_unit(2.4, Some("s")), "2.4 s");
        assert_eq!(with_unit(1234567.0, None), "1,234,567");
        assert_eq!(with_unit(-1500.0, Some("$")), "−$1,500");
    }

    #[test]
    fn the_lag_slope_is_the_regression_of_follower_steps_on_leader_steps() {
        // Leader steps 1, −2, 3, −1, 2; follower steps two periods later are −2 × those.
        let leader = [
            Some(0.0),
            Some(1.0),
            Some(-1.0),
            Some(2.0),
            Some(1.0),
            Some(3.0),
            Some(3.0),
            Some(3.0),
        ];
        let follower_steps = [0.0, 0.0, -2.0, 4.0, -6.0, 2.0, -4.0];
        let mut level = 10.0;
        let mut follower = vec![Some(level)];
        for step in follower_steps {
            level += step;
            follower.push(Some(level));
        }
        let slope = lag_slope(&leader, &follower, 2).unwrap();
        assert!((slope + 2.0).abs() < 1e-12, "{slope}");
    }

    #[test]
    fn names_are_joined_for_people() {
        assert_eq!(join_names(&["A", "B", "C"]), "A, B and C");
        assert_eq!(join_names(&["A"]), "A");
    }
}
