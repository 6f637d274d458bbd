//! The short words and figures every renderer shares: status, trend and
//! forecast words, latest values and changes with their units, the kind of
//! a suggestion, the frequency and the layout.

use super::{signed, KpiReport};
use crate::analysis::health::Health;
use crate::model::{Frequency, Layout};
use crate::suggest::{with_unit, Suggestion};

pub(crate) fn health_word(health: Health) -> &'static str {
    match health {
        Health::Breached => "BREACHED",
        Health::AtRisk => "AT RISK",
        Health::Recovering => "RECOVERING",
        Health::Healthy => "healthy",
        Health::NoTarget => "no target",
    }
}

pub(crate) fn verdict_word(report: &KpiReport) -> &'static str {
    match report.trend.verdict {
        crate::analysis::health::Verdict::Improving => "improving",
        crate::analysis::health::Verdict::Worsening => "worsening",
        crate::analysis::health::Verdict::Flat => "flat",
    }
}

pub(crate) fn forecast_words(report: &KpiReport) -> String {
    match (
        &report.forecast.crossing_period,
        report.forecast.kind.as_deref(),
    ) {
        (Some(period), Some("recovery")) => format!("back within target {period}"),
        (Some(period), _) => format!("breach {period}"),
        (None, Some("recovery")) => "not back within horizon".to_string(),
        (None, _) if report.target.is_some() => "no breach within horizon".to_string(),
        (None, _) => "—".to_string(),
    }
}

pub(crate) fn latest_words(report: &KpiReport) -> String {
    report.latest.map_or_else(
        || "—".to_string(),
        |value| with_unit(value, report.unit.as_deref()),
    )
}

pub(crate) fn change_words(report: &KpiReport) -> String {
    match (report.change, report.change_pct) {
        (Some(change), Some(percent)) => {
            format!("{} ({})", signed_number(change), signed_percent(percent))
        }
        (Some(change), None) => signed_number(change),
        _ => "—".to_string(),
    }
}

pub(crate) fn signed_number(value: f64) -> String {
    let text = with_unit(value, None);
    if value > 0.0 {
        format!("+{text}")
    } else {
        text
    }
}

pub(crate) fn signed_percent(percent: f64) -> String {
    if percent >= 0.0 {
        format!("+{percent:.1} %")
    } else {
        format!("−{:.1} %", -percent)
    }
}

pub(crate) fn top_leader(report: &KpiReport) -> String {
    report.leaders.first().map_or_else(
        || "—".to_string(),
        |relation| {
            format!(
                "{} (lag {}, r {})",
                relation.kpi,
                relation.lag,
                signed(relation.r)
            )
        },
    )
}

pub(crate) fn kind_word(suggestion: &Suggestion) -> &'static str {
    match suggestion.kind {
        crate::suggest::SuggestionKind::Primary => "primary",
        crate::suggest::SuggestionKind::Supporting => "supporting",
        crate::suggest::SuggestionKind::ReturnToKpi => "return to KPI",
        crate::suggest::SuggestionKind::KeepAsKpi => "keep as KPI",
        crate::suggest::SuggestionKind::Watch => "watch",
    }
}

pub(crate) fn frequency_word(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Daily => "daily",
        Frequency::Weekly => "weekly",
        Frequency::Monthly => "monthly",
        Frequency::Quarterly => "quarterly",
        Frequency::HalfYearly => "half-yearly",
        Frequency::Yearly => "yearly",
        Frequency::Irregular => "irregular",
    }
}

pub(crate) fn layout_word(layout: Layout) -> &'static str {
    match layout {
        Layout::WideRows => "KPIs in rows, periods across",
        Layout::WideColumns => "KPIs in columns, periods down",
        Layout::Long => "long: one row per period and KPI",
    }
}
