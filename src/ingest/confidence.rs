//! How sure a reading is. Every doubt is a short sentence for the person
//! who knows the file, with a level: `check` when the file could have been
//! meant another way, `low` when the reading is probably wrong somewhere.
//! The reading's confidence is the lowest level among its doubts, `high`
//! when there are none. A reading kpilot is unsure of is never presented as
//! a normal one: the page shows the doubts first.

use chrono::Datelike;

use crate::model::{Confidence, DirectionSource, KpiMeta, Period};

/// One reason for doubt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doubt {
    pub level: Confidence,
    pub text: String,
}

impl Doubt {
    /// A doubt that asks the user to check.
    pub fn check(text: impl Into<String>) -> Doubt {
        Doubt {
            level: Confidence::Check,
            text: text.into(),
        }
    }

    /// A doubt that makes the reading unreliable.
    pub fn low(text: impl Into<String>) -> Doubt {
        Doubt {
            level: Confidence::Low,
            text: text.into(),
        }
    }
}

/// Periods spanning more than this many years are not one KPI history.
const MAX_SPAN_YEARS: i32 = 50;
/// A sheet whose periods start before this year while ending after
/// `RECENT_YEAR` has stray early dates.
const EARLY_YEAR: i32 = 1950;
const RECENT_YEAR: i32 = 2000;
/// Share of the periods that may be inserted as gaps.
const MAX_GAP_SHARE: f64 = 0.3;

/// What the finished table says about its own reading.
pub struct Evidence<'a> {
    pub kpis: &'a [KpiMeta],
    pub periods: &'a [Period],
    /// Periods added to fill calendar gaps.
    pub gaps_added: usize,
}

/// The doubts a finished table raises by itself, after the reader's own.
pub fn table_doubts(evidence: &Evidence<'_>) -> Vec<Doubt> {
    let mut doubts = Vec::new();
    let kpis = evidence.kpis;
    let names_of = |wanted: &dyn Fn(&str) -> bool| -> Vec<String> {
        kpis.iter()
            .filter(|kpi| wanted(kpi.base_name.as_deref().unwrap_or(&kpi.name)))
            .map(|kpi| kpi.name.clone())
            .collect()
    };
    let generic = names_of(&crate::ingest::layout::noise::is_generic_name);
    if !generic.is_empty() {
        let text = format!(
            "{} of {} KPIs have no name of their own ({}): the header row may be wrong, or those columns are not KPIs.",
            generic.len(),
            kpis.len(),
            crate::ingest::layout::quoted_list(&generic)
        );
        doubts.push(if generic.len() * 2 >= kpis.len() || generic.len() >= 3 {
            Doubt::low(text)
        } else {
            Doubt::check(text)
        });
    }
    let numeric = names_of(&crate::ingest::layout::noise::is_number_name);
    if !numeric.is_empty() {
        let text = format!(
            "{} KPI name(s) are numbers ({}): the names were probably taken from a row of values.",
            numeric.len(),
            crate::ingest::layout::quoted_list(&numeric)
        );
        doubts.push(if numeric.len() * 2 >= kpis.len() {
            Doubt::low(text)
        } else {
            Doubt::check(text)
        });
    }
    let dated: Vec<&Period> = evidence
        .periods
        .iter()
        .filter(|period| period.is_dated())
        .collect();
    if let (Some(first), Some(last)) = (dated.first(), dated.last()) {
        let (start, end) = (first.start_date().year(), last.end_date().year());
        if end - start > MAX_SPAN_YEARS {
            doubts.push(Doubt::low(format!(
                "The periods span {} years ({} to {}): some cells read as periods are probably something else.",
                end - start,
                first.label(),
                last.label()
            )));
        } else if start < EARLY_YEAR && end >= RECENT_YEAR {
            doubts.push(Doubt::low(format!(
                "The periods start in {start} on a sheet that runs to {end}: an early cell is probably not a period."
            )));
        }
    }
    let periods = evidence.periods.len();
    if periods > 0 && evidence.gaps_added as f64 > MAX_GAP_SHARE * periods as f64 {
        doubts.push(Doubt::low(format!(
            "{} of the {periods} periods had to be inserted as gaps: the periods may be misread (day and month swapped?) or not one series.",
            evidence.gaps_added
        )));
    }
    let assumed = kpis
        .iter()
        .filter(|kpi| kpi.direction_source == DirectionSource::Default)
        .count();
    if kpis.len() >= 2 && assumed * 2 > kpis.len() {
        doubts.push(Doubt::check(format!(
            "Nothing says which way is better for {assumed} of {} KPIs; they are assumed higher-is-better until you say otherwise.",
            kpis.len()
        )));
    }
    doubts
}

/// The confidence of a reading: the lowest level among its doubts.
pub fn confidence_of(doubts: &[Doubt]) -> Confidence {
    if doubts.iter().any(|doubt| doubt.level == Confidence::Low) {
        Confidence::Low
    } else if doubts.is_empty() {
        Confidence::High
    } else {
        Confidence::Check
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_the_lowest_doubt() {
        assert_eq!(confidence_of(&[]), Confidence::High);
        assert_eq!(confidence_of(&[Doubt::check("a")]), Confidence::Check);
        assert_eq!(
            confidence_of(&[Doubt::check("a"), Doubt::low("b")]),
            Confidence::Low
        );
    }

    #[test]
    fn generic_names_and_old_periods_are_doubted() {
        let mut kpis = vec![KpiMeta::named("Column A"), KpiMeta::named("Revenue")];
        kpis[1].direction_source = DirectionSource::Name;
        kpis[0].direction_source = DirectionSource::Name;
        let periods = [
            Period::Day(chrono::NaiveDate::from_ymd_opt(1899, 12, 31).unwrap()),
            Period::Day(chrono::NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()),
        ];
        let doubts = table_doubts(&Evidence {
            kpis: &kpis,
            periods: &periods,
            gaps_added: 0,
        });
        assert_eq!(doubts.len(), 2, "{doubts:?}");
        assert!(doubts[0].text.contains("Column A"));
        assert_eq!(confidence_of(&doubts), Confidence::Low);
    }
}
