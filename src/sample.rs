//! The bundled example workbook ("Try the sample", `kpilot sample FILE`) and
//! synthetic random-walk tables for tests and benchmarks.
//!
//! Everything here is generated deterministically from fixed seeds by a tiny
//! SplitMix64 generator (Box–Muller for normals), so the bytes of the sample
//! workbook never change between runs, machines or releases.
//!
//! # The sample: Acme Cloud, Jan 2023 – Dec 2025
//!
//! Sheet `KPIs` holds the most common management layout: a title, a note, a
//! blank row, then a header row `KPI | Department | Unit | Jan 2023 … Dec 2025
//! | YTD 2025` whose period cells are real Excel dates (format `mmm yyyy`), and
//! one row per KPI. Percentages are stored as percent numbers (`6.75` with
//! unit `%`). Sheet `Targets` is the metadata sheet (`KPI`, `Target`,
//! `Direction`, `Unit`, `Owner`, `Department`, `Focus`); sheet `Notes` is prose.
//!
//! Twelve KPIs; month `t` is 0-based (t = 0 is Jan 2023, t = 35 is Dec 2025),
//! `Δx[t] = x[t] − x[t−1]`, `z` is a fresh standard normal from the KPI's own
//! generator, and every Δ on the right-hand side is taken from the values as
//! written (rounded):
//!
//! | KPI | step Δ[t] |
//! | --- | --- |
//! | Page load time | −0.004 + 0.06·z + 0.07 from Jun 2025 (t ≥ 29) |
//! | Weekly active users | 210 − 8000·ΔPage load time[t−1] + 230·z |
//! | Monthly churn | 0.06 − 0.00025·ΔWeekly active users[t−2] + 0.065·z |
//! | First reply time | −0.05 + 1.5·z |
//! | NPS | 0.05 − 0.9·ΔFirst reply time[t−1] + 0.65·z |
//! | Gross margin | a fixed dip-and-recovery profile + a random walk (0.2·z) |
//! | the other six | independent random walks, each with its own seed |
//!
//! So the planted lead/lag relationships, in first differences, are
//! ([`planted_structure`]): Page load time → Weekly active users (lag 1,
//! negative), Weekly active users → Monthly churn (lag 2, negative), First
//! reply time → NPS (lag 1, negative). The chain also implies Page load time →
//! Monthly churn at lag 3, positive ([`implied_structure`]). The Jun 2025 rise
//! in page load time travels down the chain and pushes churn over its 7.5 %
//! threshold for the last four months (7.69, 7.88, 8.26, 8.51). Gross margin
//! (the current key result, `Focus = KR`) was below 70 % from Mar to Aug 2024
//! and has been above 70 % since Sep 2024. `tests/fixtures/SAMPLE.md` lists
//! every KPI, its metadata and the facts the tests rely on.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::error::{Error, Result};

/// Number of monthly periods in the sample (Jan 2023 – Dec 2025).
pub const SAMPLE_PERIODS: usize = 36;
/// First year of the sample.
const SAMPLE_FIRST_YEAR: u16 = 2023;
/// The 0-based row (Excel row 4) of the `KPIs` sheet that holds the header.
const HEADER_ROW: u32 = 3;
/// The first data column holding a period (column D).
const FIRST_PERIOD_COLUMN: u16 = 3;

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast, and good enough for
/// example data. Its reference test vector is checked in the tests.
#[derive(Debug, Clone)]
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1) with 53 random bits.
    fn next_uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal by Box–Muller; the sine half is discarded so that
    /// every call consumes exactly two uniforms.
    fn next_normal(&mut self) -> f64 {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let radius_uniform = 1.0 - self.next_uniform();
        let angle_uniform = self.next_uniform();
        (-2.0 * radius_uniform.ln()).sqrt() * (2.0 * std::f64::consts::PI * angle_uniform).cos()
    }
}

/// The parameters of one of the sample's random walks.
struct Walk {
    /// Seed of the walk's own generator.
    seed: u64,
    /// The value in Jan 2023.
    start: f64,
    /// The mean step per month.
    drift: f64,
    /// The standard deviation of the walk's own noise per month.
    step_sd: f64,
}

impl Walk {
    /// [`SAMPLE_PERIODS`] values: `x[0] = start`, and
    /// `x[t] = x[t−1] + drift + step_sd·z + extra_step(t)`.
    fn generate(&self, extra_step: impl Fn(usize) -> f64) -> Vec<f64> {
        let mut generator = SplitMix64::new(self.seed);
        let mut values = Vec::with_capacity(SAMPLE_PERIODS);
        let mut level = self.start;
        values.push(level);
        for t in 1..SAMPLE_PERIODS {
            let step = self.drift + self.step_sd * generator.next_normal() + extra_step(t);
            level += step;
            values.push(level);
        }
        values
    }

    /// A walk with nothing added to its steps.
    fn independent(&self) -> Vec<f64> {
        self.generate(|_| 0.0)
    }
}

/// Page load time rises by this much a month on top of its walk from
/// [`PAGE_LOAD_RISE_FROM`] on: the push that travels down the chain.
const PAGE_LOAD_RISE: f64 = 0.07;
/// Month index of Jun 2025.
const PAGE_LOAD_RISE_FROM: usize = 29;
/// Users gained per second of page load time change one month earlier.
const USERS_PER_PAGE_LOAD_SECOND: f64 = -8000.0;
/// Churn percentage points per user change two months earlier.
const CHURN_POINTS_PER_USER: f64 = -0.00025;
/// NPS points per minute of first reply time change one month earlier.
const NPS_POINTS_PER_REPLY_MINUTE: f64 = -0.9;

/// Rounds to `decimals` places, as the values are written to the workbook.
fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

fn rounded(values: &[f64], decimals: i32) -> Vec<f64> {
    values
        .iter()
        .map(|&value| round_to(value, decimals))
        .collect()
}

/// `Δvalues[t]`, or 0 before the series has a step at `t` (the coupling is
/// switched off for the first months, which no lag test pairs up anyway).
fn step_at(values: &[f64], t: usize) -> f64 {
    match (
        t.checked_sub(1).and_then(|previous| values.get(previous)),
        values.get(t),
    ) {
        (Some(previous), Some(current)) => current - previous,
        _ => 0.0,
    }
}

/// The leader's step `lag` months before `t`, when it exists (t − lag ≥ 1).
fn lagged_step(leader: &[f64], t: usize, lag: usize) -> f64 {
    match t.checked_sub(lag) {
        Some(source) if source >= 1 => step_at(leader, source),
        _ => 0.0,
    }
}

/// Piecewise-linear interpolation through `(month, value)` knots.
fn interpolate(knots: &[(f64, f64)], t: f64) -> f64 {
    for pair in knots.windows(2) {
        if let [(start_t, start_value), (end_t, end_value)] = pair {
            if *start_t <= t && t <= *end_t {
                return start_value + (end_value - start_value) * (t - start_t) / (end_t - start_t);
            }
        }
    }
    knots.last().map_or(0.0, |&(_, value)| value)
}

/// Gross margin's shape: steady near 72.5 %, a dip below 70 % in spring and
/// summer 2024, then a recovery to about 74.5 % (the KR that was achieved).
const GROSS_MARGIN_PROFILE: [(f64, f64); 8] = [
    (0.0, 72.6),
    (11.0, 72.4),
    (13.0, 70.6),
    (15.0, 68.7),
    (18.0, 68.9),
    (20.0, 71.3),
    (24.0, 73.4),
    (35.0, 74.6),
];

/// One KPI of the bundled sample: its metadata as written to the `Targets`
/// sheet and its monthly values as written to the `KPIs` sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleKpi {
    /// The KPI name, as in both sheets.
    pub name: &'static str,
    /// Marketing, Sales, Product, Support or Finance.
    pub department: &'static str,
    /// The unit shown in the `Unit` columns (`%`, `s`, `$`, …).
    pub unit: &'static str,
    /// The target text of the `Targets` sheet (`<= 7.5`), if any.
    pub target: Option<&'static str>,
    /// `higher is better` or `lower is better`.
    pub direction: &'static str,
    /// The owner named in the `Targets` sheet.
    pub owner: &'static str,
    /// Whether the KPI is a current key result (`Focus = KR`).
    pub focus_kr: bool,
    /// The Excel number format of its cells.
    pub number_format: &'static str,
    /// One value per month, Jan 2023 first; `None` is a blank cell.
    pub values: Vec<Option<f64>>,
}

/// The months of the sample as `YYYY-MM` labels, Jan 2023 first.
pub fn sample_period_labels() -> Vec<String> {
    (0..SAMPLE_PERIODS)
        .map(|index| {
            let (year, month) = month_of(index);
            format!("{year}-{month:02}")
        })
        .collect()
}

/// (year, month 1–12) of the sample's 0-based month `index`.
fn month_of(index: usize) -> (u16, u8) {
    // Both casts are lossless: index < SAMPLE_PERIODS.
    let year = SAMPLE_FIRST_YEAR + (index / 12) as u16;
    let month = (index % 12) as u8 + 1;
    (year, month)
}

/// The twelve KPIs of the bundled sample with their generated values.
pub fn sample_kpis() -> Vec<SampleKpi> {
    // The planted chain: page load time → weekly active users → churn.
    let page_load_time = Walk {
        seed: 1377,
        start: 1.95,
        drift: -0.004,
        step_sd: 0.06,
    }
    .generate(|t| {
        if t >= PAGE_LOAD_RISE_FROM {
            PAGE_LOAD_RISE
        } else {
            0.0
        }
    });
    let page_load_time = rounded(&page_load_time, 2);
    let weekly_active_users = Walk {
        seed: 5377,
        start: 40_500.0,
        drift: 210.0,
        step_sd: 230.0,
    }
    .generate(|t| USERS_PER_PAGE_LOAD_SECOND * lagged_step(&page_load_time, t, 1));
    let weekly_active_users = rounded(&weekly_active_users, 0);
    let monthly_churn = Walk {
        seed: 9377,
        start: 6.75,
        drift: 0.06,
        step_sd: 0.065,
    }
    .generate(|t| CHURN_POINTS_PER_USER * lagged_step(&weekly_active_users, t, 2));
    let monthly_churn = rounded(&monthly_churn, 2);
    // The support pair: first reply time → NPS.
    let first_reply_time = Walk {
        seed: 2201,
        start: 27.0,
        drift: -0.05,
        step_sd: 1.5,
    }
    .independent();
    let first_reply_time = rounded(&first_reply_time, 1);
    let nps = Walk {
        seed: 6201,
        start: 44.0,
        drift: 0.05,
        step_sd: 0.65,
    }
    .generate(|t| NPS_POINTS_PER_REPLY_MINUTE * lagged_step(&first_reply_time, t, 1));
    let nps = rounded(&nps, 1);
    // A fixed dip-and-recovery shape plus a little noise of its own.
    let margin_noise = Walk {
        seed: 3001,
        start: 0.0,
        drift: 0.0,
        step_sd: 0.2,
    }
    .independent();
    let gross_margin: Vec<f64> = margin_noise
        .iter()
        .enumerate()
        .map(|(t, noise)| round_to(interpolate(&GROSS_MARGIN_PROFILE, t as f64) + noise, 1))
        .collect();
    // Six independent walks, each with its own seed.
    let website_visitors = Walk {
        seed: 8045,
        start: 52_000.0,
        drift: 600.0,
        step_sd: 2500.0,
    };
    let qualified_leads = Walk {
        seed: 8046,
        start: 1150.0,
        drift: 12.0,
        step_sd: 60.0,
    };
    let acquisition_cost = Walk {
        seed: 8047,
        start: 410.0,
        drift: 1.0,
        step_sd: 12.0,
    };
    let new_mrr = Walk {
        seed: 8048,
        start: 98_000.0,
        drift: 900.0,
        step_sd: 4000.0,
    };
    let win_rate = Walk {
        seed: 8049,
        start: 24.0,
        drift: 0.0,
        step_sd: 0.8,
    };
    let activation_rate = Walk {
        seed: 4048,
        start: 47.0,
        drift: 0.0,
        step_sd: 0.6,
    };
    let website_visitors = rounded(&website_visitors.independent(), 0);
    let qualified_leads = rounded(&qualified_leads.independent(), 0);
    let acquisition_cost = rounded(&acquisition_cost.independent(), 0);
    let new_mrr = rounded(&new_mrr.independent(), 0);
    let win_rate = rounded(&win_rate.independent(), 1);
    let activation_rate = rounded(&activation_rate.independent(), 1);

    let present = |values: Vec<f64>| values.into_iter().map(Some).collect::<Vec<_>>();
    let with_blanks = |values: Vec<f64>, blanks: &[usize]| {
        values
            .into_iter()
            .enumerate()
            .map(|(t, value)| (!blanks.contains(&t)).then_some(value))
            .collect::<Vec<_>>()
    };

    let kpi = |name, department, unit, target, direction, owner, number_format, values| SampleKpi {
        name,
        department,
        unit,
        target,
        direction,
        owner,
        focus_kr: false,
        number_format,
        values,
    };
    const HIGHER: &str = "higher is better";
    const LOWER: &str = "lower is better";
    vec![
        kpi(
            "Website visitors",
            "Marketing",
            "visits",
            None,
            HIGHER,
            "Maya Lindqvist",
            "#,##0",
            present(website_visitors),
        ),
        kpi(
            "Marketing-qualified leads",
            "Marketing",
            "leads",
            Some(">= 1200"),
            HIGHER,
            "Tom Okafor",
            "#,##0",
            // Sep 2023 and Aug 2024 were never filled in.
            with_blanks(qualified_leads, &[8, 19]),
        ),
        kpi(
            "CAC",
            "Sales",
            "$",
            Some("<= 450"),
            LOWER,
            "Priya Raman",
            "$#,##0",
            present(acquisition_cost),
        ),
        kpi(
            "New MRR",
            "Sales",
            "$",
            Some(">= 120000"),
            HIGHER,
            "Daniel Brooks",
            "$#,##0",
            present(new_mrr),
        ),
        kpi(
            "Win rate",
            "Sales",
            "%",
            Some("between 20 and 35"),
            HIGHER,
            "Daniel Brooks",
            "0.0",
            // Mar 2025 is missing.
            with_blanks(win_rate, &[26]),
        ),
        kpi(
            "Page load time",
            "Product",
            "s",
            Some("<= 2.5"),
            LOWER,
            "Chen Wei",
            "0.00",
            present(page_load_time),
        ),
        kpi(
            "Weekly active users",
            "Product",
            "users",
            Some(">= 40000"),
            HIGHER,
            "Sofia Marques",
            "#,##0",
            present(weekly_active_users),
        ),
        kpi(
            "Activation rate",
            "Product",
            "%",
            Some(">= 40"),
            HIGHER,
            "Sofia Marques",
            "0.0",
            present(activation_rate),
        ),
        kpi(
            "First reply time",
            "Support",
            "min",
            Some("<= 30"),
            LOWER,
            "Aisha Khan",
            "0.0",
            present(first_reply_time),
        ),
        kpi(
            "NPS",
            "Support",
            "score",
            Some(">= 40"),
            HIGHER,
            "Aisha Khan",
            "0.0",
            present(nps),
        ),
        kpi(
            "Monthly churn",
            "Finance",
            "%",
            Some("<= 7.5"),
            LOWER,
            "Lukas Weber",
            "0.00",
            present(monthly_churn),
        ),
        SampleKpi {
            focus_kr: true,
            ..kpi(
                "Gross margin",
                "Finance",
                "%",
                Some(">= 70"),
                HIGHER,
                "Elena Rossi",
                "0.0",
                present(gross_margin),
            )
        },
    ]
}

/// The lead/lag relationships planted in the sample, as
/// `(leader, follower, lag in months, sign of the correlation)`, measured on
/// first differences. These are the direct relationships; see
/// [`implied_structure`] for the one they imply.
pub fn planted_structure() -> Vec<(&'static str, &'static str, usize, f64)> {
    vec![
        ("Page load time", "Weekly active users", 1, -1.0),
        ("Weekly active users", "Monthly churn", 2, -1.0),
        ("First reply time", "NPS", 1, -1.0),
    ]
}

/// Relationships that follow from chaining the planted ones, in the same
/// form as [`planted_structure`]: page load time reaches churn through
/// weekly active users (lag 1 + 2 = 3, − × − = +). An engine that finds it
/// is right, so tests should not count it as a false positive.
pub fn implied_structure() -> Vec<(&'static str, &'static str, usize, f64)> {
    vec![("Page load time", "Monthly churn", 3, 1.0)]
}

fn workbook_error(error: XlsxError) -> Error {
    Error::Invalid(format!("could not build the sample workbook: {error}"))
}

/// The bundled example workbook as `.xlsx` bytes: sheets `KPIs`, `Targets`
/// and `Notes`, byte-identical on every call.
pub fn sample_workbook() -> Result<Vec<u8>> {
    let kpis = sample_kpis();
    let mut workbook = Workbook::new();
    // A fixed creation date keeps the bytes identical from run to run.
    let created = ExcelDateTime::from_ymd(2026, 1, 1).map_err(workbook_error)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("Acme Cloud — KPI dashboard 2023–2025")
            .set_author("kpilot")
            .set_comment("Deterministic example data generated by kpilot")
            .set_creation_datetime(&created),
    );
    write_kpi_sheet(workbook.add_worksheet(), &kpis)?;
    write_targets_sheet(workbook.add_worksheet(), &kpis)?;
    write_notes_sheet(workbook.add_worksheet())?;
    workbook.save_to_buffer().map_err(workbook_error)
}

fn write_kpi_sheet(sheet: &mut Worksheet, kpis: &[SampleKpi]) -> Result<()> {
    let bold = Format::new().set_bold();
    let period_header = Format::new().set_bold().set_num_format("mmm yyyy");
    sheet.set_name("KPIs").map_err(workbook_error)?;
    sheet
        .write_string_with_format(0, 0, "Acme Cloud — KPI dashboard 2023–2025", &bold)
        .map_err(workbook_error)?;
    sheet
        .write_string(
            1,
            0,
            "Monthly figures. Generated by kpilot (deterministic example data).",
        )
        .map_err(workbook_error)?;

    for (column, title) in (0u16..).zip(["KPI", "Department", "Unit"]) {
        sheet
            .write_string_with_format(HEADER_ROW, column, title, &bold)
            .map_err(workbook_error)?;
    }
    for (column, index) in (FIRST_PERIOD_COLUMN..).zip(0..SAMPLE_PERIODS) {
        let (year, month) = month_of(index);
        let first_of_month = ExcelDateTime::from_ymd(year, month, 1).map_err(workbook_error)?;
        sheet
            .write_datetime_with_format(HEADER_ROW, column, &first_of_month, &period_header)
            .map_err(workbook_error)?;
    }
    let ytd_column = FIRST_PERIOD_COLUMN + SAMPLE_PERIODS as u16;
    sheet
        .write_string_with_format(HEADER_ROW, ytd_column, "YTD 2025", &bold)
        .map_err(workbook_error)?;

    for (row, kpi) in (HEADER_ROW + 1..).zip(kpis) {
        let number = Format::new().set_num_format(kpi.number_format);
        sheet
            .write_string(row, 0, kpi.name)
            .map_err(workbook_error)?;
        sheet
            .write_string(row, 1, kpi.department)
            .map_err(workbook_error)?;
        sheet
            .write_string(row, 2, kpi.unit)
            .map_err(workbook_error)?;
        for (column, value) in (FIRST_PERIOD_COLUMN..).zip(&kpi.values) {
            // A missing month stays an empty cell, as in a hand-kept sheet.
            if let Some(value) = value {
                sheet
                    .write_number_with_format(row, column, *value, &number)
                    .map_err(workbook_error)?;
            }
        }
        let last_year: Vec<f64> = kpi
            .values
            .iter()
            .skip(SAMPLE_PERIODS - 12)
            .flatten()
            .copied()
            .collect();
        if !last_year.is_empty() {
            let mean = last_year.iter().sum::<f64>() / last_year.len() as f64;
            sheet
                .write_number_with_format(row, ytd_column, mean, &number)
                .map_err(workbook_error)?;
        }
    }

    sheet.set_column_width(0, 26).map_err(workbook_error)?;
    sheet.set_column_width(1, 12).map_err(workbook_error)?;
    sheet.set_column_width(2, 7).map_err(workbook_error)?;
    for column in FIRST_PERIOD_COLUMN..=ytd_column {
        sheet.set_column_width(column, 10).map_err(workbook_error)?;
    }
    sheet
        .set_freeze_panes(HEADER_ROW + 1, FIRST_PERIOD_COLUMN)
        .map_err(workbook_error)?;
    Ok(())
}

fn write_targets_sheet(sheet: &mut Worksheet, kpis: &[SampleKpi]) -> Result<()> {
    let bold = Format::new().set_bold();
    sheet.set_name("Targets").map_err(workbook_error)?;
    for (column, title) in (0u16..).zip(crate::metadata_sheet::HEADER) {
        sheet
            .write_string_with_format(0, column, title, &bold)
            .map_err(workbook_error)?;
    }
    for (row, kpi) in (1u32..).zip(kpis) {
        let cells = [
            kpi.name,
            kpi.target.unwrap_or(""),
            kpi.direction,
            kpi.unit,
            kpi.owner,
            kpi.department,
            if kpi.focus_kr { "KR" } else { "" },
        ];
        for (column, text) in (0u16..).zip(cells) {
            // No target and no focus are left as truly empty cells.
            if !text.is_empty() {
                sheet
                    .write_string(row, column, text)
                    .map_err(workbook_error)?;
            }
        }
    }
    for (column, width) in (0u16..).zip([26.0, 18.0, 16.0, 7.0, 16.0, 12.0, 7.0]) {
        sheet
            .set_column_width(column, width)
            .map_err(workbook_error)?;
    }
    Ok(())
}

const NOTES: [&str; 6] = [
    "About this workbook",
    "Acme Cloud is a fictional SaaS company. The KPIs sheet holds 36 months of figures, January 2023 to December 2025, one row per KPI; the Targets sheet holds each KPI's target, direction, owner and department.",
    "Percentages are written as percent numbers (6.8 means 6.8 %). Blank cells are months nobody filled in. YTD 2025 is the mean of the 2025 months.",
    "Gross margin fell below its 70 % target from March to August 2024, became a key result, and has been healthy since September 2024.",
    "Page load time has risen since mid-2025; weekly active users and, two months later, monthly churn have followed.",
    "All figures are generated deterministically by kpilot; they describe no real company.",
];

fn write_notes_sheet(sheet: &mut Worksheet) -> Result<()> {
    let bold = Format::new().set_bold();
    sheet.set_name("Notes").map_err(workbook_error)?;
    for (row, line) in (0u32..).zip(NOTES) {
        if row == 0 {
            sheet
                .write_string_with_format(row, 0, line, &bold)
                .map_err(workbook_error)?;
        } else {
            sheet.write_string(row, 0, line).map_err(workbook_error)?;
        }
    }
    sheet.set_column_width(0, 120).map_err(workbook_error)?;
    Ok(())
}

/// A wide CSV of `kpis` independent Gaussian random walks (start 100, steps
/// N(0, 1)) over `periods` periods, for false-positive tests and benchmarks.
///
/// The header is `Month,KPI 1,…,KPI n` with monthly periods `2020-01`,
/// `2020-02`, …; above 240 periods it is `Date,KPI 1,…` with daily dates
/// `2020-01-01`, … instead. Each KPI draws from its own generator, seeded
/// from `seed`, so the same arguments always give the same text.
pub fn random_walk_csv(kpis: usize, periods: usize, seed: u64) -> String {
    let daily = periods > 240;
    let mut seeds = SplitMix64::new(seed);
    let columns: Vec<Vec<f64>> = (0..kpis)
        .map(|_| {
            let mut generator = SplitMix64::new(seeds.next_u64());
            let mut level = 100.0;
            (0..periods)
                .map(|period| {
                    if period > 0 {
                        level += generator.next_normal();
                    }
                    level
                })
                .collect()
        })
        .collect();

    let mut csv = String::with_capacity((periods + 1) * (11 + 10 * kpis));
    csv.push_str(if daily { "Date" } else { "Month" });
    for kpi in 1..=kpis {
        csv.push_str(&format!(",KPI {kpi}"));
    }
    csv.push('\n');
    let first_day = chrono::NaiveDate::from_ymd_opt(2020, 1, 1);
    for period in 0..periods {
        let label = if daily {
            first_day
                .and_then(|day| day.checked_add_days(chrono::Days::new(period as u64)))
                .map_or_else(
                    || format!("day {period}"),
                    |day| day.format("%Y-%m-%d").to_string(),
                )
        } else {
            format!("{}-{:02}", 2020 + period / 12, period % 12 + 1)
        };
        csv.push_str(&label);
        for column in &columns {
            if let Some(value) = column.get(period) {
                csv.push_str(&format!(",{value:.4}"));
            }
        }
        csv.push('\n');
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    use std::io::Cursor;

    fn kpi<'a>(kpis: &'a [SampleKpi], name: &str) -> &'a SampleKpi {
        kpis.iter()
            .find(|kpi| kpi.name == name)
            .expect("KPI in the sample")
    }

    /// Pearson r of Δleader[t] and Δfollower[t + lag], over the t where both
    /// are present, as the specification defines the cross-correlation.
    fn lagged_correlation(leader: &[Option<f64>], follower: &[Option<f64>], lag: usize) -> f64 {
        let diff = |values: &[Option<f64>]| -> Vec<Option<f64>> {
            values
                .windows(2)
                .map(|pair| match pair {
                    [Some(previous), Some(current)] => Some(current - previous),
                    _ => None,
                })
                .collect()
        };
        let (leader_steps, follower_steps) = (diff(leader), diff(follower));
        let pairs: Vec<(f64, f64)> = leader_steps
            .iter()
            .zip(follower_steps.iter().skip(lag))
            .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
            .collect();
        let count = pairs.len() as f64;
        let mean_a = pairs.iter().map(|p| p.0).sum::<f64>() / count;
        let mean_b = pairs.iter().map(|p| p.1).sum::<f64>() / count;
        let covariance: f64 = pairs.iter().map(|p| (p.0 - mean_a) * (p.1 - mean_b)).sum();
        let var_a: f64 = pairs.iter().map(|p| (p.0 - mean_a).powi(2)).sum();
        let var_b: f64 = pairs.iter().map(|p| (p.1 - mean_b).powi(2)).sum();
        covariance / (var_a * var_b).sqrt()
    }

    #[test]
    fn splitmix64_matches_its_reference_vector() {
        let mut generator = SplitMix64::new(1_234_567);
        let first: Vec<u64> = (0..3).map(|_| generator.next_u64()).collect();
        assert_eq!(
            first,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn normals_are_deterministic_and_standard() {
        let draw = |seed| {
            let mut generator = SplitMix64::new(seed);
            (0..20_000)
                .map(|_| generator.next_normal())
                .collect::<Vec<f64>>()
        };
        let draws = draw(42);
        assert_eq!(draws, draw(42));
        assert_ne!(draws, draw(43));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let variance = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((variance - 1.0).abs() < 0.05, "variance {variance}");
        assert!(draws.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn the_workbook_is_byte_identical_on_every_call() {
        let first = sample_workbook().expect("workbook");
        let second = sample_workbook().expect("workbook");
        assert!(first.starts_with(b"PK"));
        assert_eq!(first, second);
    }

    #[test]
    fn the_workbook_has_the_documented_layout() {
        let bytes = sample_workbook().expect("workbook");
        let mut workbook: Xlsx<_> =
            open_workbook_from_rs(Cursor::new(bytes)).expect("readable xlsx");
        assert_eq!(workbook.sheet_names(), ["KPIs", "Targets", "Notes"]);

        let data = workbook.worksheet_range("KPIs").expect("KPIs sheet");
        let cell = |row: u32, column: u32| data.get_value((row, column)).cloned();
        assert_eq!(
            cell(0, 0),
            Some(Data::String("Acme Cloud — KPI dashboard 2023–2025".into()))
        );
        assert_eq!(cell(3, 0), Some(Data::String("KPI".into())));
        match cell(3, 3) {
            Some(Data::DateTime(date)) => assert_eq!(date.as_f64(), 44_927.0), // 2023-01-01
            other => panic!("the first period header is not a date: {other:?}"),
        }
        match cell(3, 38) {
            Some(Data::DateTime(date)) => assert_eq!(date.as_f64(), 45_992.0), // 2025-12-01
            other => panic!("the last period header is not a date: {other:?}"),
        }
        assert_eq!(cell(3, 39), Some(Data::String("YTD 2025".into())));

        let kpis = sample_kpis();
        for (row, kpi) in (4u32..).zip(&kpis) {
            assert_eq!(cell(row, 0), Some(Data::String(kpi.name.into())));
            for (column, value) in (3u32..).zip(&kpi.values) {
                match (value, cell(row, column)) {
                    (Some(value), Some(Data::Float(read))) => assert_eq!(*value, read),
                    (None, None | Some(Data::Empty)) => {}
                    (expected, read) => {
                        panic!("{} column {column}: {expected:?} vs {read:?}", kpi.name)
                    }
                }
            }
        }

        let targets = workbook.worksheet_range("Targets").expect("Targets sheet");
        let churn_row = (1u32..)
            .zip(&kpis)
            .find(|(_, kpi)| kpi.name == "Monthly churn")
            .map(|(row, _)| row);
        let churn_row = churn_row.expect("churn row");
        assert_eq!(
            targets.get_value((churn_row, 1)),
            Some(&Data::String("<= 7.5".into()))
        );
        assert_eq!(targets.get_value((12, 6)), Some(&Data::String("KR".into())));
    }

    #[test]
    fn the_sample_has_twelve_kpis_over_thirty_six_months() {
        let kpis = sample_kpis();
        assert_eq!(kpis.len(), 12);
        assert!(kpis.iter().all(|kpi| kpi.values.len() == SAMPLE_PERIODS));
        let labels = sample_period_labels();
        assert_eq!(labels.first().map(String::as_str), Some("2023-01"));
        assert_eq!(labels.last().map(String::as_str), Some("2025-12"));
        assert_eq!(kpis.iter().filter(|kpi| kpi.focus_kr).count(), 1);
        // The latest month is filled in for every KPI (nothing is stale).
        assert!(kpis
            .iter()
            .all(|kpi| kpi.values.last().is_some_and(Option::is_some)));
    }

    #[test]
    fn the_planted_lags_are_strong_and_other_lags_are_weak() {
        let kpis = sample_kpis();
        for (leader, follower, lag, sign) in
            planted_structure().into_iter().chain(implied_structure())
        {
            let (leader, follower) = (&kpi(&kpis, leader).values, &kpi(&kpis, follower).values);
            let planted = lagged_correlation(leader, follower, lag);
            assert!(planted * sign >= 0.75, "r = {planted} at lag {lag}");
            for other_lag in (0..=9).filter(|&other| other != lag) {
                let r = lagged_correlation(leader, follower, other_lag);
                assert!(r.abs() < 0.4, "r = {r} at lag {other_lag} (planted {lag})");
            }
        }
    }

    #[test]
    fn churn_breaches_for_the_last_four_months() {
        let kpis = sample_kpis();
        let churn: Vec<f64> = kpi(&kpis, "Monthly churn")
            .values
            .iter()
            .flatten()
            .copied()
            .collect();
        assert_eq!(churn[32..], [7.69, 7.88, 8.26, 8.51]);
        assert!(churn[..32].iter().all(|&value| value <= 7.5));
    }

    #[test]
    fn gross_margin_recovered_after_a_2024_breach() {
        let kpis = sample_kpis();
        let margin: Vec<f64> = kpi(&kpis, "Gross margin")
            .values
            .iter()
            .flatten()
            .copied()
            .collect();
        let breached: Vec<usize> = (0..margin.len()).filter(|&t| margin[t] < 70.0).collect();
        assert_eq!(breached, (14..=19).collect::<Vec<_>>()); // Mar – Aug 2024
        assert!(margin[24..].iter().all(|&value| value >= 72.5));
    }

    #[test]
    fn random_walk_csv_has_the_requested_shape() {
        let csv = random_walk_csv(3, 24, 7);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 25);
        assert_eq!(lines[0], "Month,KPI 1,KPI 2,KPI 3");
        assert!(lines[1].starts_with("2020-01,100.0000,100.0000,100.0000"));
        assert!(lines[24].starts_with("2021-12,"));
        assert!(lines.iter().all(|line| line.split(',').count() == 4));
        assert_eq!(csv, random_walk_csv(3, 24, 7));
        assert_ne!(csv, random_walk_csv(3, 24, 8));

        let daily = random_walk_csv(2, 400, 7);
        let lines: Vec<&str> = daily.lines().collect();
        assert_eq!(lines.len(), 401);
        assert_eq!(lines[0], "Date,KPI 1,KPI 2");
        assert!(lines[1].starts_with("2020-01-01,"));
        assert!(lines[400].starts_with("2021-02-03,")); // day 399 after 2020-01-01

        assert_eq!(random_walk_csv(0, 2, 1), "Month\n2020-01\n2020-02\n");
    }

    /// `cargo test --lib sample::tests::dump_sample_values -- --ignored --nocapture`
    /// prints the sample as a wide CSV (months down) for checking elsewhere.
    #[test]
    #[ignore]
    fn dump_sample_values() {
        let kpis = sample_kpis();
        let names: Vec<&str> = kpis.iter().map(|kpi| kpi.name).collect();
        println!("Month,{}", names.join(","));
        for (t, label) in sample_period_labels().iter().enumerate() {
            let row: Vec<String> = kpis
                .iter()
                .map(|kpi| kpi.values[t].map_or(String::new(), |value| value.to_string()))
                .collect();
            println!("{label},{}", row.join(","));
        }
    }
}
