//! The KPI table: periods in time order, and for each KPI its values and its
//! metadata (unit, direction, target, owner, department, focus). Plain data
//! that ingest produces and analysis reads; nothing here parses or computes
//! statistics.

use chrono::{Datelike, Duration, NaiveDate};
use polars::prelude::{DataFrame, NamedFrom, Series};
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};

/// How often the sheet's periods come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
    Irregular,
}

impl Frequency {
    /// Periods in one year, used to find year-over-year values and to size horizons.
    pub fn periods_per_year(self) -> Option<usize> {
        match self {
            Frequency::Daily => Some(365),
            Frequency::Weekly => Some(52),
            Frequency::Monthly => Some(12),
            Frequency::Quarterly => Some(4),
            Frequency::HalfYearly => Some(2),
            Frequency::Yearly => Some(1),
            Frequency::Irregular => None,
        }
    }

    /// Periods in one quarter: the default forecast horizon.
    pub fn periods_per_quarter(self) -> usize {
        match self {
            Frequency::Daily => 91,
            Frequency::Weekly => 13,
            Frequency::Monthly => 3,
            Frequency::Quarterly
            | Frequency::HalfYearly
            | Frequency::Yearly
            | Frequency::Irregular => 1,
        }
    }

    /// The word for one period, for sentences ("by 2 months").
    pub fn unit_word(self, count: i64) -> &'static str {
        let one = count.abs() == 1;
        match (self, one) {
            (Frequency::Daily, true) => "day",
            (Frequency::Daily, false) => "days",
            (Frequency::Weekly, true) => "week",
            (Frequency::Weekly, false) => "weeks",
            (Frequency::Monthly, true) => "month",
            (Frequency::Monthly, false) => "months",
            (Frequency::Quarterly, true) => "quarter",
            (Frequency::Quarterly, false) => "quarters",
            (Frequency::HalfYearly, true) => "half year",
            (Frequency::HalfYearly, false) => "half years",
            (Frequency::Yearly, true) => "year",
            (Frequency::Yearly, false) => "years",
            (Frequency::Irregular, true) => "period",
            (Frequency::Irregular, false) => "periods",
        }
    }
}

/// Where the table's KPIs and periods sit in the sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per KPI, one column per period (periods across).
    WideRows,
    /// One row per period, one column per KPI (periods down).
    WideColumns,
    /// One row per (period, KPI, value).
    Long,
}

/// One period of the sheet. Ordering is chronological within one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Day(NaiveDate),
    /// ISO year and ISO week (1..=53).
    Week {
        year: i32,
        week: u32,
    },
    Month {
        year: i32,
        month: u32,
    },
    Quarter {
        year: i32,
        quarter: u32,
    },
    Half {
        year: i32,
        half: u32,
    },
    Year(i32),
    /// A fiscal year named by the calendar year it starts in (`FY2026/27`,
    /// `2026-27`). Its months are not written, so kpilot assumes April to
    /// March, the most common fiscal year that spans two calendar years.
    FiscalYear(i32),
    /// A week known only by its number (`w12`, `Week 12`, `KW 12`): an
    /// ordinal period with no calendar date.
    WeekNumber(u32),
}

impl Period {
    /// The first day of the period.
    pub fn start_date(self) -> NaiveDate {
        let fallback = NaiveDate::MIN;
        match self {
            Period::Day(date) => date,
            Period::Week { year, week } => {
                NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).unwrap_or(fallback)
            }
            Period::Month { year, month } => {
                NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(fallback)
            }
            Period::Quarter { year, quarter } => {
                NaiveDate::from_ymd_opt(year, (quarter.clamp(1, 4) - 1) * 3 + 1, 1)
                    .unwrap_or(fallback)
            }
            Period::Half { year, half } => {
                NaiveDate::from_ymd_opt(year, (half.clamp(1, 2) - 1) * 6 + 1, 1).unwrap_or(fallback)
            }
            Period::Year(year) => NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(fallback),
            Period::FiscalYear(year) => {
                NaiveDate::from_ymd_opt(year, FISCAL_YEAR_FIRST_MONTH, 1).unwrap_or(fallback)
            }
            // Undated: a stand-in date that keeps week numbers in order.
            Period::WeekNumber(number) => {
                ORDINAL_EPOCH + Duration::weeks(i64::from(number.min(MAX_WEEK_NUMBER)))
            }
        }
    }

    /// Whether the period is a real span of the calendar (week numbers are not).
    pub fn is_dated(self) -> bool {
        !matches!(self, Period::WeekNumber(_))
    }

    /// The last day of the period.
    pub fn end_date(self) -> NaiveDate {
        match self {
            Period::Day(date) => date,
            Period::Week { .. } => self.start_date() + Duration::days(6),
            Period::Month { year, month } => end_of_month(year, month),
            Period::Quarter { year, quarter } => end_of_month(year, quarter.clamp(1, 4) * 3),
            Period::Half { year, half } => end_of_month(year, half.clamp(1, 2) * 6),
            Period::Year(year) => end_of_month(year, 12),
            Period::FiscalYear(year) => end_of_month(year + 1, FISCAL_YEAR_FIRST_MONTH - 1),
            Period::WeekNumber(_) => self.start_date() + Duration::days(6),
        }
    }

    /// The period `steps` periods later (earlier when negative). A `Day`
    /// period moves by `step_days` days per step, so a weekly series of dates
    /// moves by weeks.
    pub fn advance(self, steps: i64, step_days: i64) -> Period {
        match self {
            Period::Day(date) => Period::Day(
                date.checked_add_signed(Duration::days(steps.saturating_mul(step_days)))
                    .unwrap_or(date),
            ),
            Period::Week { .. } => {
                let date = self.start_date() + Duration::weeks(steps);
                let iso = date.iso_week();
                Period::Week {
                    year: iso.year(),
                    week: iso.week(),
                }
            }
            Period::Month { year, month } => {
                let index = i64::from(year) * 12 + i64::from(month) - 1 + steps;
                Period::Month {
                    year: index.div_euclid(12) as i32,
                    month: index.rem_euclid(12) as u32 + 1,
                }
            }
            Period::Quarter { year, quarter } => {
                let index = i64::from(year) * 4 + i64::from(quarter) - 1 + steps;
                Period::Quarter {
                    year: index.div_euclid(4) as i32,
                    quarter: index.rem_euclid(4) as u32 + 1,
                }
            }
            Period::Half { year, half } => {
                let index = i64::from(year) * 2 + i64::from(half) - 1 + steps;
                Period::Half {
                    year: index.div_euclid(2) as i32,
                    half: index.rem_euclid(2) as u32 + 1,
                }
            }
            Period::Year(year) => Period::Year((i64::from(year) + steps) as i32),
            Period::FiscalYear(year) => Period::FiscalYear((i64::from(year) + steps) as i32),
            Period::WeekNumber(number) => Period::WeekNumber(
                (i64::from(number) + steps).clamp(0, i64::from(MAX_WEEK_NUMBER)) as u32,
            ),
        }
    }

    /// The stable text form used in the JSON contract: `2024-01-31`,
    /// `2024-W05`, `2024-01`, `2024-Q1`, `2024-H1`, `2024`, `FY2026/27`, `W12`.
    pub fn label(self) -> String {
        match self {
            Period::Day(date) => date.format("%Y-%m-%d").to_string(),
            Period::Week { year, week } => format!("{year}-W{week:02}"),
            Period::Month { year, month } => format!("{year}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
            Period::Half { year, half } => format!("{year}-H{half}"),
            Period::Year(year) => format!("{year}"),
            Period::FiscalYear(year) => format!("FY{year}/{:02}", (year + 1).rem_euclid(100)),
            Period::WeekNumber(number) => format!("W{number}"),
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.label())
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.label())
    }
}

/// The deadline for next quarter's key results: the end of the quarter
/// after the quarter holding the sheet's last period (a period with no date
/// has none).
pub fn kr_deadline(last_period: Period) -> Option<NaiveDate> {
    if !last_period.is_dated() {
        return None;
    }
    let end = last_period.end_date();
    let quarter = (end.month() - 1) / 3;
    let (year, next_quarter) = if quarter == 3 {
        (end.year() + 1, 0)
    } else {
        (end.year(), quarter + 1)
    };
    Some(end_of_month(year, next_quarter * 3 + 3))
}

/// The first month of a fiscal year that spans two calendar years (April).
const FISCAL_YEAR_FIRST_MONTH: u32 = 4;
/// The stand-in start of week number 0 (a Monday), for ordering only.
const ORDINAL_EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(2001, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};
/// The largest week number kpilot keeps (a decade of weeks).
pub const MAX_WEEK_NUMBER: u32 = 520;

/// The last day of a month.
pub fn end_of_month(year: i32, month: u32) -> NaiveDate {
    let (next_year, next_month) = if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)
        .and_then(|date| date.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// Whether more of a KPI is good or bad.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

impl Direction {
    /// +1 when higher is better, −1 when lower is better.
    pub fn sign(self) -> f64 {
        match self {
            Direction::HigherIsBetter => 1.0,
            Direction::LowerIsBetter => -1.0,
        }
    }

    /// The other direction.
    pub fn flipped(self) -> Direction {
        match self {
            Direction::HigherIsBetter => Direction::LowerIsBetter,
            Direction::LowerIsBetter => Direction::HigherIsBetter,
        }
    }
}

/// Where a KPI's direction came from, so the page can say it and the user can flip it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectionSource {
    /// Set by the user (page or targets file).
    User,
    /// Read from a metadata sheet or a direction column.
    Metadata,
    /// Implied by the target (`<= 7.5` means lower is better).
    Target,
    /// Guessed from the KPI's name (churn, cost, latency … are lower-is-better).
    Name,
    /// A cost written as negative numbers: lower-is-better in magnitude,
    /// so higher (nearer zero) is better.
    Sign,
    /// Nothing said anything: higher is better.
    Default,
}

/// The kind of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    AtLeast,
    AtMost,
    Between,
}

/// A KPI's threshold (`value`) or band (`low`..`high`), and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub kind: TargetKind,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Where the target was read: "user", "metadata sheet 'Targets'", "column 'Target'",
    /// "header 'Churn % (target < 7.5)'".
    pub source: String,
}

impl Target {
    /// A one-sided threshold: at least / at most `value`.
    pub fn threshold(kind: TargetKind, value: f64, source: impl Into<String>) -> Target {
        Target {
            kind,
            value: Some(value),
            low: None,
            high: None,
            source: source.into(),
        }
    }

    /// A band: between `low` and `high` inclusive.
    pub fn band(low: f64, high: f64, source: impl Into<String>) -> Target {
        let (low, high) = if low <= high {
            (low, high)
        } else {
            (high, low)
        };
        Target {
            kind: TargetKind::Between,
            value: None,
            low: Some(low),
            high: Some(high),
            source: source.into(),
        }
    }

    /// Whether `value` meets the target (boundaries count as met).
    pub fn is_met(&self, value: f64) -> bool {
        match self.kind {
            TargetKind::AtLeast => self.value.is_none_or(|threshold| value >= threshold),
            TargetKind::AtMost => self.value.is_none_or(|threshold| value <= threshold),
            TargetKind::Between => {
                self.low.is_none_or(|low| value >= low)
                    && self.high.is_none_or(|high| value <= high)
            }
        }
    }

    /// The same target with every number multiplied by `factor` (fraction ↔ percent).
    pub fn scaled(&self, factor: f64) -> Target {
        Target {
            kind: self.kind,
            value: self.value.map(|number| number * factor),
            low: self.low.map(|number| number * factor),
            high: self.high.map(|number| number * factor),
            source: self.source.clone(),
        }
    }

    /// The direction this target implies, if it implies one (a band does not).
    pub fn implied_direction(&self) -> Option<Direction> {
        match self.kind {
            TargetKind::AtLeast => Some(Direction::HigherIsBetter),
            TargetKind::AtMost => Some(Direction::LowerIsBetter),
            TargetKind::Between => None,
        }
    }

    /// Short human form: "≤ 7.5", "≥ 70", "95–105".
    pub fn describe(&self) -> String {
        let number = |value: Option<f64>| value.map(format_number).unwrap_or_default();
        match self.kind {
            TargetKind::AtLeast => format!("≥ {}", number(self.value)),
            TargetKind::AtMost => format!("≤ {}", number(self.value)),
            TargetKind::Between => format!("{}–{}", number(self.low), number(self.high)),
        }
    }
}

/// A number as a person would write it: no trailing zeros, at most 4 decimals.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let magnitude = value.abs();
    let decimals = if magnitude >= 1000.0 {
        0
    } else if magnitude >= 10.0 {
        2
    } else {
        4
    };
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

/// One KPI's description (everything but its values).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiMeta {
    pub name: String,
    pub unit: Option<String>,
    pub direction: Direction,
    pub direction_source: DirectionSource,
    pub target: Option<Target>,
    pub owner: Option<String>,
    pub department: Option<String>,
    /// `KR` when the KPI is currently a key result; free text otherwise.
    pub focus: Option<String>,
    /// The entity (company, region, store …) this series is measured for.
    #[serde(default)]
    pub entity: Option<String>,
    /// Whether the entity is an aggregate of the others (`Total`, `All`).
    #[serde(default)]
    pub aggregate: bool,
    /// The KPI's name without the entity, for grouping (`name` is `KPI · Entity`).
    #[serde(default)]
    pub base_name: Option<String>,
    /// Per-period thresholds (a Plan or Budget line), one per period, of the
    /// same kind as `target`; `target` holds the latest period's.
    #[serde(default)]
    pub target_history: Option<Vec<Option<f64>>>,
}

impl KpiMeta {
    /// A KPI with only a name: higher is better by default, nothing else known.
    pub fn named(name: impl Into<String>) -> KpiMeta {
        KpiMeta {
            name: name.into(),
            unit: None,
            direction: Direction::HigherIsBetter,
            direction_source: DirectionSource::Default,
            target: None,
            owner: None,
            department: None,
            focus: None,
            entity: None,
            aggregate: false,
            base_name: None,
            target_history: None,
        }
    }

    /// The target that applies at period `index`: the per-period threshold
    /// when the KPI has one for that period, else `target`.
    pub fn target_at(&self, index: usize) -> Option<Target> {
        let target = self.target.as_ref()?;
        match self
            .target_history
            .as_ref()
            .and_then(|history| history.get(index).copied().flatten())
        {
            Some(threshold) if target.kind != TargetKind::Between => Some(Target {
                value: Some(threshold),
                ..target.clone()
            }),
            _ => Some(target.clone()),
        }
    }

    /// Whether the metadata marks this KPI as a current key result.
    pub fn is_key_result(&self) -> bool {
        self.focus.as_deref().is_some_and(|focus| {
            matches!(
                focus.trim().to_ascii_lowercase().as_str(),
                "kr" | "key result" | "okr" | "yes" | "true"
            )
        })
    }
}

/// How sure kpilot is that it read the file as its author meant it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Nothing looked doubtful.
    #[default]
    High,
    /// Something could have been read another way: check the doubts.
    Check,
    /// The reading is probably wrong somewhere: the doubts say where.
    Low,
}

/// Where the table came from and what ingest noticed on the way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub file: String,
    pub sheet: Option<String>,
    pub layout: Layout,
    pub frequency: Frequency,
    pub periods: usize,
    pub warnings: Vec<String>,
    /// How sure the reading is, and why not more.
    #[serde(default)]
    pub confidence: Confidence,
    #[serde(default)]
    pub doubts: Vec<String>,
    /// The header of the column that splits KPIs into entities, if any.
    #[serde(default)]
    pub entity_column: Option<String>,
    /// The mapping the reading used (what was detected, with the user's
    /// choices applied), so a page can start its corrections from it.
    #[serde(default)]
    pub mapping: crate::ingest::mapping::Mapping,
}

/// Periods × KPIs. The values live in a polars DataFrame with one Float64
/// column per KPI (in `kpis` order, named by the KPI), one row per period.
#[derive(Clone, Debug)]
pub struct KpiTable {
    pub source: SourceInfo,
    /// Every sheet of the workbook (empty for text files), for the sheet picker.
    pub sheets: Vec<String>,
    pub periods: Vec<Period>,
    /// Days between consecutive periods when the periods are `Day`s (1 for
    /// daily, 7 for weekly); used to step forecasts forward.
    pub step_days: i64,
    pub kpis: Vec<KpiMeta>,
    pub values: DataFrame,
}

impl KpiTable {
    /// Builds a table, checking that every KPI has one value per period and
    /// that KPI names are unique.
    pub fn new(
        source: SourceInfo,
        sheets: Vec<String>,
        periods: Vec<Period>,
        step_days: i64,
        kpis: Vec<(KpiMeta, Vec<Option<f64>>)>,
    ) -> Result<KpiTable> {
        let mut columns = Vec::with_capacity(kpis.len());
        let mut metas = Vec::with_capacity(kpis.len());
        for (meta, values) in kpis {
            if values.len() != periods.len() {
                return Err(Error::Table(format!(
                    "KPI '{}' has {} values for {} periods",
                    meta.name,
                    values.len(),
                    periods.len()
                )));
            }
            let cleaned: Vec<Option<f64>> = values
                .into_iter()
                .map(|value| value.filter(|number| number.is_finite()))
                .collect();
            columns.push(Series::new(meta.name.as_str().into(), cleaned).into());
            metas.push(meta);
        }
        let values = DataFrame::new(periods.len(), columns)?;
        Ok(KpiTable {
            source,
            sheets,
            periods,
            step_days,
            kpis: metas,
            values,
        })
    }

    /// The values of KPI `index`, one per period (None where missing).
    pub fn values_of(&self, index: usize) -> Vec<Option<f64>> {
        self.values
            .select_at_idx(index)
            .and_then(|column| column.f64().ok())
            .map(|chunked| chunked.into_iter().collect())
            .unwrap_or_default()
    }

    /// The index of the KPI called `name` (exact, then case-insensitive).
    pub fn kpi_index(&self, name: &str) -> Option<usize> {
        self.kpis
            .iter()
            .position(|kpi| kpi.name == name)
            .or_else(|| {
                let wanted = name.trim().to_lowercase();
                self.kpis
                    .iter()
                    .position(|kpi| kpi.name.trim().to_lowercase() == wanted)
            })
    }
}
