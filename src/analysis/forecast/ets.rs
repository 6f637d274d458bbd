//! Forecasts a KPI with exponential smoothing: the model, its 95 % prediction
//! interval per step, the probability of breaching a target within a horizon,
//! when the forecast and its interval cross the target, and the one-step-ahead
//! errors that anomaly detection (`analysis::anomaly`) works on.
//!
//! # The model
//!
//! The candidates are ETS(A,N,N), ETS(A,Ad,N) and ETS(A,A,N), each fitted by
//! maximum likelihood with augurs' ETS (the same Nelder–Mead, starting values
//! and parameter bounds as statsforecast's `AutoETS`), and the one with the
//! smallest AICc wins. augurs' `AutoETS::new(1, "AZN")` searches exactly this
//! set; the candidates are fitted one by one through
//! [`augurs::ets::model::Unfit`] instead because `AutoETS` fixes the optimiser
//! at 2,000 iterations where statsforecast stops at 1,000 (it matters only when
//! the cap is reached), and because it keeps the losing candidates' AICc to
//! itself.
//!
//! augurs' ETS has no seasonal models (`ETS(A,*,A)` reaches an
//! `unimplemented!()`), so a seasonal KPI with at least
//! [`MIN_SEASONAL_CYCLES`] full cycles is forecast as MSTL + ETS: augurs' MSTL
//! decomposition (stlrs, with statsmodels' STL settings: seasonal window 11,
//! seasonal degree 0, no skipping, five inner iterations) removes the seasonal
//! component, the ETS candidates are fitted to trend + remainder, and the last
//! cycle of the seasonal component is added back to the forecast and to its
//! bounds — statsforecast's `MSTL(trend_forecaster=AutoETS(model="AZN"))`. Its
//! interval leaves out the uncertainty of the seasonal estimate: with 4–6
//! years of monthly data it covers about 86–89 % rather than 95 %.
//!
//! # Missing values
//!
//! At most the latest [`MAX_FIT_PERIODS`] periods are fitted. ETS takes no
//! gaps, so the fitted series is chosen by one rule
//! ([`FitSpan`]): leading and trailing missing values are dropped (a KPI whose
//! last periods are missing is forecast from its last present value, the
//! missing periods counting as steps); with gaps inside, the values after the
//! last gap are used when there are enough of them
//! ([`MIN_TRAILING_RUN`], or four seasons for a seasonal KPI); otherwise the
//! gaps are bridged by straight lines and marked, so that they give no
//! one-step error.
//!
//! # Breach probability
//!
//! [`breach_probability`] simulates [`BREACH_PATHS`] sample paths of the fitted
//! state-space model with a fixed seed (SplitMix64 and a ziggurat; `libm`
//! for its few transcendental functions, so that native and wasm builds draw
//! the same numbers).

use augurs::ets::model::Unfit;
use augurs::ets::model::{ErrorComponent, Model, ModelType, SeasonalComponent, TrendComponent};
use augurs::mstl::stlrs;
use augurs::Predict;

/// Two-sided coverage of the prediction interval.
pub const INTERVAL_LEVEL: f64 = 0.95;
/// The standard normal quantile for [`INTERVAL_LEVEL`].
const Z_95: f64 = 1.959_963_984_540_054;
/// Fewer present values than this give no forecast: statsforecast's `AutoETS`
/// also refuses six values or fewer.
pub const MIN_FIT_VALUES: usize = 7;
/// Full seasonal cycles needed before the season is modelled.
pub const MIN_SEASONAL_CYCLES: usize = 4;
/// With gaps inside the history, the values after the last gap are fitted
/// alone when there are at least this many (four seasons for a seasonal KPI).
pub const MIN_TRAILING_RUN: usize = 12;
/// Longest horizon forecast or simulated; a longer one is cut to this.
pub const MAX_HORIZON: usize = 1_000;
/// At most this many of the latest periods are fitted (but never fewer than
/// [`MIN_SEASONAL_CYCLES`] seasons). Fitting costs about 20 µs per period and
/// KPI, most of it in augurs' Nelder–Mead; on 1,000-period series the cap costs
/// about 1 % in MASE and keeps a 500-KPI sheet near one second.
pub const MAX_FIT_PERIODS: usize = 120;
/// Sample paths simulated by [`breach_probability`].
pub const BREACH_PATHS: usize = 4_000;
/// The fixed seed of the breach simulation.
pub const BREACH_SEED: u64 = 0x6b70_696c_6f74_2d31;
/// statsforecast's Nelder–Mead iteration cap (hard-coded in its `ets.py`).
const MAX_ITERATIONS: usize = 1_000;
/// Bounds of the damping parameter in augurs and statsforecast.
const PHI_BOUNDS: (f64, f64) = (0.8, 0.98);

/// The trend component of the chosen model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrendKind {
    /// ETS(A,N,N): a level only.
    None,
    /// ETS(A,Ad,N): a damped trend.
    Damped,
    /// ETS(A,A,N): a linear trend.
    Linear,
}

impl TrendKind {
    const ALL: [TrendKind; 3] = [TrendKind::None, TrendKind::Damped, TrendKind::Linear];

    /// The model's name, "ETS(A,Ad,N)".
    pub fn ets_name(self) -> &'static str {
        match self {
            TrendKind::None => "ETS(A,N,N)",
            TrendKind::Damped => "ETS(A,Ad,N)",
            TrendKind::Linear => "ETS(A,A,N)",
        }
    }

    /// Free parameters of the fit (smoothing parameters and initial states).
    fn fitted_parameters(self) -> usize {
        match self {
            TrendKind::None => 2,
            TrendKind::Damped => 5,
            TrendKind::Linear => 4,
        }
    }
}

/// Which values of the input the model was fitted on (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FitSpan {
    /// Every value from the first present one to the last, no gaps inside.
    Whole,
    /// Only the values after the last gap inside the history.
    TrailingRun,
    /// The whole span, with this many gaps inside bridged by straight lines.
    Bridged {
        /// Periods filled in.
        filled: usize,
    },
}

/// One forecast period: the point forecast and its 95 % prediction interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ForecastStep {
    /// The point forecast.
    pub value: f64,
    /// Lower bound of the 95 % prediction interval.
    pub low: f64,
    /// Upper bound of the 95 % prediction interval.
    pub high: f64,
}

/// A candidate model and its AICc (None: it could not be fitted).
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// "ETS(A,N,N)", "ETS(A,Ad,N)" or "ETS(A,A,N)".
    pub model: &'static str,
    /// The AICc as statsforecast computes it (−2 log L + the correction, with
    /// σ counted as a parameter); None when the candidate could not be fitted.
    pub aicc: Option<f64>,
}

/// A fitted forecast model, its forecast and in-sample errors.
#[derive(Clone, Debug, PartialEq)]
pub struct FittedForecast {
    /// The model's name: "ETS(A,Ad,N)", or "MSTL(12)+ETS(A,Ad,N)" when the
    /// season was removed first.
    pub model: String,
    /// The chosen trend component.
    pub trend: TrendKind,
    /// The season length modelled (None: no season).
    pub season_length: Option<usize>,
    /// AICc of the chosen model (None for a constant series, which is not
    /// fitted but forecast as itself).
    pub aicc: Option<f64>,
    /// Every candidate tried, in the order ANN, AAdN, AAN.
    pub candidates: Vec<Candidate>,
    /// Smoothing parameter of the level.
    pub alpha: f64,
    /// Smoothing parameter of the trend (None without a trend).
    pub beta: Option<f64>,
    /// Damping parameter (None unless the trend is damped).
    pub phi: Option<f64>,
    /// Standard deviation of the one-step errors (statsforecast's σ²: the sum of
    /// squared errors over n − parameters − 2).
    pub sigma: f64,
    /// The forecast for the periods after the last input period, step 1 first.
    pub steps: Vec<ForecastStep>,
    /// One-step-ahead errors (observed − forecast one step earlier), aligned with
    /// the input; None where the period was missing, bridged or not fitted.
    pub one_step_errors: Vec<Option<f64>>,
    /// Which input values the model was fitted on: `fit_start..fit_end`.
    pub fit_start: usize,
    /// End (exclusive) of the fitted input values.
    pub fit_end: usize,
    /// How missing values were handled.
    pub span: FitSpan,
    /// The latest present input value.
    pub latest_value: f64,
    dynamics: Dynamics,
}

/// What simulating the model needs: the state after the last observation.
#[derive(Clone, Debug, PartialEq)]
struct Dynamics {
    level: f64,
    slope: f64,
    alpha: f64,
    beta: f64,
    phi: f64,
    sigma: f64,
    /// Seasonal offsets for steps 1, 2, … after the last observation (cycled).
    seasonal_cycle: Vec<f64>,
    /// Input periods after the last observation (missing at the end).
    steps_to_origin: usize,
}

/// A target to be met: a threshold or a band (boundaries count as met).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ForecastTarget {
    /// At least this value.
    AtLeast(f64),
    /// At most this value.
    AtMost(f64),
    /// Between `low` and `high` inclusive.
    Between {
        /// Lower end of the band.
        low: f64,
        /// Upper end of the band.
        high: f64,
    },
}

impl ForecastTarget {
    /// Whether `value` meets the target (boundaries count as met; NaN does not).
    pub fn is_met(&self, value: f64) -> bool {
        match *self {
            ForecastTarget::AtLeast(threshold) => value >= threshold,
            ForecastTarget::AtMost(threshold) => value <= threshold,
            ForecastTarget::Between { low, high } => value >= low && value <= high,
        }
    }

    /// Whether some value in `low..=high` meets the target.
    fn meets_somewhere(&self, low: f64, high: f64) -> bool {
        match *self {
            ForecastTarget::AtLeast(threshold) => high >= threshold,
            ForecastTarget::AtMost(threshold) => low <= threshold,
            ForecastTarget::Between {
                low: band_low,
                high: band_high,
            } => high >= band_low && low <= band_high,
        }
    }

    /// Whether every value in `low..=high` meets the target.
    fn meets_everywhere(&self, low: f64, high: f64) -> bool {
        self.is_met(low) && self.is_met(high)
    }

    fn is_valid(&self) -> bool {
        match *self {
            ForecastTarget::AtLeast(threshold) | ForecastTarget::AtMost(threshold) => {
                threshold.is_finite()
            }
            ForecastTarget::Between { low, high } => {
                low.is_finite() && high.is_finite() && low <= high
            }
        }
    }
}

/// What a crossing means: a healthy KPI breaching, or a breached one recovering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrossingKind {
    /// The latest value meets the target; the crossing is a breach.
    Breach,
    /// The latest value breaches the target; the crossing is the recovery.
    Recovery,
}

/// When the forecast crosses the target, in steps after the last input period
/// (1 = the next period); None: not within the forecast horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crossing {
    /// Breach (of a healthy KPI) or recovery (of a breached one).
    pub kind: CrossingKind,
    /// The first step whose point forecast has crossed.
    pub point_step: Option<usize>,
    /// The first step whose 95 % interval reaches across the target: the
    /// earliest the crossing is plausible.
    pub earliest_step: Option<usize>,
    /// The first step whose whole 95 % interval lies across: the latest the
    /// crossing is expected by.
    pub latest_step: Option<usize>,
}

/// Fits the forecast model to `values` (one per period, None = missing) and
/// forecasts the `horizon` periods after the last one (at most
/// [`MAX_HORIZON`]).
///
/// `season_length` is the number of periods in a season (12 for a monthly
/// KPI); the season is modelled only when it is at least 2 and the fitted
/// history holds [`MIN_SEASONAL_CYCLES`] full cycles. Non-finite values count
/// as missing.
///
/// Returns None when fewer than [`MIN_FIT_VALUES`] values can be fitted, the
/// latest present value is more than [`MAX_HORIZON`] periods old, the fit
/// fails, or the forecast leaves the range of `f64`. A constant series is forecast as itself with a zero-width
/// interval (ETS(A,N,N), `aicc` None).
pub fn forecast(
    values: &[Option<f64>],
    season_length: Option<usize>,
    horizon: usize,
) -> Option<FittedForecast> {
    forecast_with_window(values, season_length, horizon, MAX_FIT_PERIODS)
}

/// [`forecast`] with another cap than [`MAX_FIT_PERIODS`] on the periods fitted
/// (still at least [`MIN_SEASONAL_CYCLES`] seasons; `usize::MAX`: all), for
/// benchmarks that measure what the cap costs.
pub fn forecast_with_window(
    values: &[Option<f64>],
    season_length: Option<usize>,
    horizon: usize,
    max_fit_periods: usize,
) -> Option<FittedForecast> {
    let season_length = season_length.filter(|&length| length >= 2);
    let prepared = prepare(values, season_length, max_fit_periods)?;
    if prepared.trailing_missing > MAX_HORIZON {
        return None;
    }
    let scale = power_of_two_scale(&prepared.values);
    let scaled: Vec<f64> = prepared.values.iter().map(|value| value * scale).collect();
    let season_length =
        season_length.filter(|&length| scaled.len() >= length.saturating_mul(MIN_SEASONAL_CYCLES));
    let steps_ahead = prepared
        .trailing_missing
        .saturating_add(horizon.min(MAX_HORIZON));
    let latest_value = *prepared.values.last()?;

    // A decomposition that fails leaves the season out rather than the forecast.
    let fit = season_length
        .and_then(|length| fit_seasonal(&scaled, length, steps_ahead))
        .or_else(|| fit_level_and_trend(&scaled, steps_ahead, Vec::new()))?;
    fit.into_forecast(&prepared, values.len(), scale, latest_value)
}

/// The probability that the KPI is outside `target` in at least one of the
/// `horizon` periods after the last input period: the share of
/// [`BREACH_PATHS`] simulated sample paths of the fitted model that are.
///
/// Deterministic: the same fit, target and horizon give the same number on
/// every platform. `horizon` is cut to [`MAX_HORIZON`]. Returns None for a
/// target with a non-finite number or a band whose low end is above its high
/// end; 0 for a zero horizon.
pub fn breach_probability(
    fitted: &FittedForecast,
    target: &ForecastTarget,
    horizon: usize,
) -> Option<f64> {
    if !target.is_valid() {
        return None;
    }
    if horizon == 0 {
        return Some(0.0);
    }
    let dynamics = &fitted.dynamics;
    let skipped = dynamics.steps_to_origin;
    let total_steps = skipped.saturating_add(horizon.min(MAX_HORIZON));
    let season = |step: usize| seasonal_offset(&dynamics.seasonal_cycle, step);
    if dynamics.sigma == 0.0 {
        let breached = (0..total_steps)
            .skip(skipped)
            .any(|step| !target.is_met(mean_forecast(dynamics, step + 1) + season(step)));
        return Some(if breached { 1.0 } else { 0.0 });
    }
    let mut normals = NormalStream::new(BREACH_SEED);
    let mut breaches = 0usize;
    for _ in 0..BREACH_PATHS {
        let mut level = dynamics.level;
        let mut slope = dynamics.slope;
        for step in 0..total_steps {
            let damped_slope = dynamics.phi * slope;
            let error = dynamics.sigma * normals.next_normal();
            let value = level + damped_slope + season(step) + error;
            if step >= skipped && !target.is_met(value) {
                breaches += 1;
                break;
            }
            level += damped_slope + dynamics.alpha * error;
            slope = damped_slope + dynamics.beta * error;
        }
    }
    Some(breaches as f64 / BREACH_PATHS as f64)
}

/// When the point forecast and its interval cross `target` within the fitted
/// horizon. Whether the crossing is a breach or a recovery follows from the
/// latest present value.
pub fn crossing(fitted: &FittedForecast, target: &ForecastTarget) -> Crossing {
    let breached_now = !target.is_met(fitted.latest_value);
    let kind = if breached_now {
        CrossingKind::Recovery
    } else {
        CrossingKind::Breach
    };
    let first = |test: &dyn Fn(&ForecastStep) -> bool| {
        fitted.steps.iter().position(test).map(|index| index + 1)
    };
    let (point_step, earliest_step, latest_step) = if breached_now {
        (
            first(&|step| target.is_met(step.value)),
            first(&|step| target.meets_somewhere(step.low, step.high)),
            first(&|step| target.meets_everywhere(step.low, step.high)),
        )
    } else {
        (
            first(&|step| !target.is_met(step.value)),
            first(&|step| !target.meets_everywhere(step.low, step.high)),
            first(&|step| !target.meets_somewhere(step.low, step.high)),
        )
    };
    Crossing {
        kind,
        point_step,
        earliest_step,
        latest_step,
    }
}

// ---------------------------------------------------------------------------
// Missing values

/// The series to fit, after the missing-value rule.
struct Prepared {
    values: Vec<f64>,
    /// Input index of `values[0]`.
    start: usize,
    /// Per fitted value: whether it was filled in.
    bridged: Vec<bool>,
    /// Input periods after the last present value.
    trailing_missing: usize,
    span: FitSpan,
}

fn prepare(
    values: &[Option<f64>],
    season_length: Option<usize>,
    max_fit_periods: usize,
) -> Option<Prepared> {
    let present = |value: &Option<f64>| value.is_some_and(f64::is_finite);
    let last = values.iter().rposition(present)?;
    let window = season_length
        .map_or(0, |length| length.saturating_mul(MIN_SEASONAL_CYCLES))
        .max(max_fit_periods);
    let window_start = (last + 1).saturating_sub(window);
    let first = window_start + values.get(window_start..)?.iter().position(present)?;
    let span = values.get(first..=last)?;
    let trailing_missing = values.len() - 1 - last;
    let last_gap = span.iter().rposition(|value| !present(value));
    let Some(last_gap) = last_gap else {
        let values: Vec<f64> = span.iter().flatten().copied().collect();
        return (values.len() >= MIN_FIT_VALUES).then(|| Prepared {
            bridged: vec![false; values.len()],
            values,
            start: first,
            trailing_missing,
            span: FitSpan::Whole,
        });
    };
    let run: Vec<f64> = span
        .get(last_gap + 1..)?
        .iter()
        .flatten()
        .copied()
        .collect();
    let seasonal_need = season_length
        .filter(|&length| span.len() >= length.saturating_mul(MIN_SEASONAL_CYCLES))
        .map_or(0, |length| length.saturating_mul(MIN_SEASONAL_CYCLES));
    if run.len() >= MIN_TRAILING_RUN.max(seasonal_need) {
        return Some(Prepared {
            bridged: vec![false; run.len()],
            values: run,
            start: first + last_gap + 1,
            trailing_missing,
            span: FitSpan::TrailingRun,
        });
    }
    let (values, bridged) = bridge_gaps(span);
    let filled = bridged.iter().filter(|&&was_filled| was_filled).count();
    (values.len() - filled >= MIN_FIT_VALUES).then_some(Prepared {
        values,
        start: first,
        bridged,
        trailing_missing,
        span: FitSpan::Bridged { filled },
    })
}

/// Fills each gap with the straight line between its present neighbours
/// (`span` starts and ends with present values).
fn bridge_gaps(span: &[Option<f64>]) -> (Vec<f64>, Vec<bool>) {
    let known = |value: &Option<f64>| value.filter(|number| number.is_finite());
    let mut values = Vec::with_capacity(span.len());
    let mut bridged = Vec::with_capacity(span.len());
    let mut previous: Option<(usize, f64)> = None;
    for (index, value) in span.iter().enumerate() {
        if let Some(number) = known(value) {
            values.push(number);
            bridged.push(false);
            previous = Some((index, number));
            continue;
        }
        let next = span
            .iter()
            .enumerate()
            .skip(index + 1)
            .find_map(|(next_index, next)| known(next).map(|number| (next_index, number)));
        let filled = match (previous, next) {
            (Some((left, left_value)), Some((right, right_value))) => {
                let share = (index - left) as f64 / (right - left) as f64;
                left_value + share * (right_value - left_value)
            }
            (Some((_, number)), None) | (None, Some((_, number))) => number,
            (None, None) => 0.0,
        };
        values.push(filled);
        bridged.push(true);
    }
    (values, bridged)
}

/// A power of two that brings the largest magnitude near 1 when it is far
/// outside the range where sums of squares are safe, 1 otherwise. Multiplying
/// by a power of two is exact, and ETS(A,*,N) fits scale with the data.
fn power_of_two_scale(values: &[f64]) -> f64 {
    const SAFE_EXPONENT: i32 = 60;
    let largest = values
        .iter()
        .fold(0.0_f64, |acc, value| acc.max(value.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return 1.0;
    }
    let exponent = libm::ilogb(largest);
    if exponent.abs() <= SAFE_EXPONENT {
        1.0
    } else {
        // Subnormal magnitudes would ask for more than 2^1023.
        libm::ldexp(1.0, (-exponent).min(1_000))
    }
}

// ---------------------------------------------------------------------------
// Fitting

/// A fit on the scaled series, before it is mapped back onto the input.
struct Fit {
    model: String,
    trend: TrendKind,
    season_length: Option<usize>,
    aicc: Option<f64>,
    candidates: Vec<Candidate>,
    /// Point forecasts and bounds for steps 1..=steps_ahead after the last value.
    point: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    /// One-step errors of the fitted values.
    errors: Vec<f64>,
    dynamics: Dynamics,
}

impl Fit {
    fn into_forecast(
        self,
        prepared: &Prepared,
        input_len: usize,
        scale: f64,
        latest_value: f64,
    ) -> Option<FittedForecast> {
        let unscale = 1.0 / scale;
        let skipped = prepared.trailing_missing;
        let steps: Vec<ForecastStep> = self
            .point
            .iter()
            .zip(&self.lower)
            .zip(&self.upper)
            .skip(skipped)
            .map(|((value, low), high)| ForecastStep {
                value: value * unscale,
                low: low * unscale,
                high: high * unscale,
            })
            .collect();
        // Values near the ends of the f64 range can forecast beyond it.
        let finite_steps = steps
            .iter()
            .all(|step| step.value.is_finite() && step.low.is_finite() && step.high.is_finite());
        let mut one_step_errors = vec![None; input_len];
        for (offset, (error, was_bridged)) in self.errors.iter().zip(&prepared.bridged).enumerate()
        {
            if let Some(slot) = one_step_errors.get_mut(prepared.start + offset) {
                *slot = (!was_bridged && error.is_finite()).then_some(error * unscale);
            }
        }
        let mut dynamics = self.dynamics;
        dynamics.level *= unscale;
        dynamics.slope *= unscale;
        dynamics.sigma *= unscale;
        dynamics
            .seasonal_cycle
            .iter_mut()
            .for_each(|offset| *offset *= unscale);
        dynamics.steps_to_origin = skipped;
        let finite_dynamics = [dynamics.level, dynamics.slope, dynamics.sigma]
            .iter()
            .chain(&dynamics.seasonal_cycle)
            .all(|value| value.is_finite());
        if !(finite_steps && finite_dynamics) {
            return None;
        }
        // −2 log L holds n·ln(SSE); undoing the scale moves it by −2n·ln(scale).
        let aicc_shift = -2.0 * prepared.values.len() as f64 * scale.ln();
        Some(FittedForecast {
            model: self.model,
            trend: self.trend,
            season_length: self.season_length,
            aicc: self.aicc.map(|aicc| aicc + aicc_shift),
            candidates: self
                .candidates
                .into_iter()
                .map(|candidate| Candidate {
                    aicc: candidate.aicc.map(|aicc| aicc + aicc_shift),
                    ..candidate
                })
                .collect(),
            alpha: dynamics.alpha,
            beta: (self.trend != TrendKind::None).then_some(dynamics.beta),
            phi: (self.trend == TrendKind::Damped).then_some(dynamics.phi),
            sigma: dynamics.sigma,
            steps,
            one_step_errors,
            fit_start: prepared.start,
            fit_end: prepared.start + prepared.values.len(),
            span: prepared.span,
            latest_value,
            dynamics,
        })
    }
}

/// MSTL + ETS: the season removed by STL, the ETS candidates fitted to the
/// rest, the last seasonal cycle added back.
fn fit_seasonal(values: &[f64], season_length: usize, steps_ahead: usize) -> Option<Fit> {
    let mut stl_params = stlrs::params();
    // As statsmodels' STL, which statsforecast's MSTL runs: every point smoothed
    // (stlrs, like the Fortran original, skips to every tenth of the window) and
    // five inner iterations without robustness weights (stlrs: two).
    stl_params
        .seasonal_jump(1)
        .trend_jump(1)
        .low_pass_jump(1)
        .inner_loops(5);
    let mut mstl_params = stlrs::MstlParams::new();
    mstl_params.stl_params(stl_params);
    let decomposition = mstl_params.fit(values, &[season_length]).ok()?;
    let seasonal = decomposition.seasonal().first()?;
    let deseasonalised: Vec<f64> = values
        .iter()
        .zip(seasonal)
        .map(|(value, offset)| value - offset)
        .collect();
    let last_cycle = seasonal
        .get(seasonal.len().checked_sub(season_length)?..)?
        .to_vec();
    let mut fit = fit_level_and_trend(&deseasonalised, steps_ahead, last_cycle)?;
    widen_for_the_season(&mut fit, values.len() / season_length);
    fit.model = format!("MSTL({season_length})+{}", fit.model);
    fit.season_length = Some(season_length);
    Some(fit)
}

/// MSTL's interval leaves out the uncertainty of the seasonal estimate, so
/// with k cycles it covers about 86–89 % instead of 95 %. Each season's
/// offset is an average over k cycles, which adds about 1/k of the error
/// variance to every forecast and, through the remainder it leaves, takes
/// about 1/k away from the fitted error variance: the variance is scaled by
/// (1 + 1/k)/(1 − 1/k) — a correction of ours, not statsforecast's (which
/// gives the unwidened interval); it brings simulated coverage to 93–94 %.
fn widen_for_the_season(fit: &mut Fit, cycles: usize) {
    let widen = season_widening(cycles);
    for ((point, lower), upper) in fit.point.iter().zip(&mut fit.lower).zip(&mut fit.upper) {
        *lower = point - (point - *lower) * widen;
        *upper = point + (*upper - point) * widen;
    }
    fit.dynamics.sigma *= widen;
}

/// The factor on the half-width of a seasonal forecast's interval with
/// `cycles` full cycles fitted: √((1 + 1/k)/(1 − 1/k)); 1 below two cycles.
pub fn season_widening(cycles: usize) -> f64 {
    if cycles < 2 {
        return 1.0;
    }
    let k = cycles as f64;
    ((1.0 + 1.0 / k) / (1.0 - 1.0 / k)).sqrt()
}

/// Fits the three candidates to `values` and keeps the one with the smallest
/// AICc. `seasonal_cycle` (empty or one season long) is added to the forecast.
fn fit_level_and_trend(
    values: &[f64],
    steps_ahead: usize,
    seasonal_cycle: Vec<f64>,
) -> Option<Fit> {
    if values.len() < MIN_FIT_VALUES {
        return None;
    }
    let season = |step: usize| seasonal_offset(&seasonal_cycle, step);
    let first = values.first()?;
    if values.iter().all(|value| value == first) {
        return Some(constant_fit(
            *first,
            values.len(),
            steps_ahead,
            seasonal_cycle,
        ));
    }

    let fits: Vec<(TrendKind, Option<(Model, f64)>)> = TrendKind::ALL
        .iter()
        .map(|&trend| (trend, fit_candidate(values, trend)))
        .collect();
    let candidates = fits
        .iter()
        .map(|(trend, fit)| Candidate {
            model: trend.ets_name(),
            aicc: fit.as_ref().map(|(_, aicc)| *aicc),
        })
        .collect();
    let (trend, model, aicc) = fits
        .into_iter()
        .filter_map(|(trend, fit)| fit.map(|(model, aicc)| (trend, model, aicc)))
        .min_by(|left, right| left.2.total_cmp(&right.2))?;

    // At least four steps: the recovery of the dynamics reads the first four
    // interval widths.
    let predicted = model.predict(steps_ahead.max(4), INTERVAL_LEVEL).ok()?;
    let intervals = predicted.intervals.as_ref()?;
    let dynamics = recover_dynamics(trend, &predicted.point, &intervals.lower, &intervals.upper)?;
    let in_sample = model.predict_in_sample(None).ok()?;
    let errors: Vec<f64> = values
        .iter()
        .zip(&in_sample.point)
        .map(|(value, fitted)| value - fitted)
        .collect();
    let shift = |values: &[f64]| -> Vec<f64> {
        values
            .iter()
            .take(steps_ahead)
            .enumerate()
            .map(|(step, value)| value + season(step))
            .collect()
    };
    let point = shift(&predicted.point);
    let lower = shift(&intervals.lower);
    let upper = shift(&intervals.upper);
    let finite = |values: &[f64]| values.iter().all(|value| value.is_finite());
    if !(finite(&point) && finite(&lower) && finite(&upper) && aicc.is_finite()) {
        return None;
    }
    Some(Fit {
        model: trend.ets_name().to_string(),
        trend,
        season_length: None,
        aicc: Some(aicc),
        candidates,
        point,
        lower,
        upper,
        errors,
        dynamics: Dynamics {
            seasonal_cycle,
            ..dynamics
        },
    })
}

/// Fits one candidate with augurs; returns the model and its AICc, or None if
/// it cannot be fitted (too few values for its parameters, or no finite AICc).
fn fit_candidate(values: &[f64], trend: TrendKind) -> Option<(Model, f64)> {
    let parameters = trend.fitted_parameters();
    // augurs (like statsforecast) needs more values than parameters + 1.
    if parameters + 1 >= values.len() {
        return None;
    }
    let model_type = ModelType {
        error: ErrorComponent::Additive,
        trend: match trend {
            TrendKind::None => TrendComponent::None,
            TrendKind::Damped | TrendKind::Linear => TrendComponent::Additive,
        },
        season: SeasonalComponent::None,
    };
    let model = Unfit::new(model_type)
        .damped(trend == TrendKind::Damped)
        .max_iterations(MAX_ITERATIONS)
        .fit(values)
        .ok()?;
    let aicc = statsforecast_aicc(model.log_likelihood(), parameters, values.len());
    aicc.is_finite().then_some((model, aicc))
}

/// statsforecast's AICc: σ counts as a parameter in the penalty as well as
/// the correction. (augurs' own `aicc()` leaves it out of the AIC term, which is
/// the same ranking but 2 lower.)
fn statsforecast_aicc(log_likelihood: f64, fitted_parameters: usize, observations: usize) -> f64 {
    let parameters = (fitted_parameters + 1) as f64;
    let denominator = observations as f64 - parameters - 1.0;
    if denominator <= 0.0 {
        return f64::INFINITY;
    }
    -2.0 * log_likelihood + 2.0 * parameters + 2.0 * parameters * (parameters + 1.0) / denominator
}

/// A constant series: its own value, with no spread (what statsforecast's
/// AutoETS gives too, through ETS(A,N,N) with α = 0.9999 and σ = 0).
fn constant_fit(value: f64, length: usize, steps_ahead: usize, seasonal_cycle: Vec<f64>) -> Fit {
    let point: Vec<f64> = (0..steps_ahead)
        .map(|step| value + seasonal_offset(&seasonal_cycle, step))
        .collect();
    Fit {
        model: TrendKind::None.ets_name().to_string(),
        trend: TrendKind::None,
        season_length: None,
        aicc: None,
        candidates: Vec::new(),
        lower: point.clone(),
        upper: point.clone(),
        point,
        errors: vec![0.0; length],
        dynamics: Dynamics {
            level: value,
            slope: 0.0,
            alpha: 0.9999,
            beta: 0.0,
            phi: 1.0,
            sigma: 0.0,
            seasonal_cycle,
            steps_to_origin: 0,
        },
    }
}

/// Reads the fitted model's parameters and last state back from its forecast.
///
/// augurs keeps α, β, φ and the states private, but its forecast exposes them:
/// the point forecast is fₕ = l + (φ + … + φʰ)·b, and the interval's variance is
/// vₕ = σ²·(1 + c₁² + … + cₕ₋₁²) with cⱼ = α + β·(φ + … + φʲ) (ETS(A,*,N) has
/// these closed forms, and augurs computes its intervals from them). So σ² = v₁,
/// cⱼ² = (vⱼ₊₁ − vⱼ)/σ², and α, β, φ follow from c₁, c₂, c₃.
fn recover_dynamics(
    trend: TrendKind,
    point: &[f64],
    lower: &[f64],
    upper: &[f64],
) -> Option<Dynamics> {
    let variance = |step: usize| -> Option<f64> {
        let half_width = (upper.get(step)? - lower.get(step)?) / 2.0;
        Some((half_width / Z_95).powi(2))
    };
    let sigma_squared = variance(0)?;
    let sigma = sigma_squared.sqrt();
    // cⱼ from consecutive variances; rounding can make a tiny difference negative.
    let weight = |step: usize| -> Option<f64> {
        if sigma_squared <= 0.0 {
            return Some(0.0);
        }
        Some(
            ((variance(step)? - variance(step - 1)?) / sigma_squared)
                .max(0.0)
                .sqrt(),
        )
    };
    let first = *point.first()?;
    let (alpha, beta, phi, level, slope) = match trend {
        TrendKind::None => (weight(1)?, 0.0, 1.0, first, 0.0),
        TrendKind::Linear => {
            let (c1, c2) = (weight(1)?, weight(2)?);
            let beta = (c2 - c1).max(0.0);
            let slope = point.get(1)? - first;
            (c1 - beta, beta, 1.0, first - slope, slope)
        }
        TrendKind::Damped => {
            let (c1, c2, c3) = (weight(1)?, weight(2)?, weight(3)?);
            let (d1, d2) = (c2 - c1, c3 - c2);
            let from_weights = (d1 > 0.0).then(|| d2 / d1);
            let (f2, f3) = (*point.get(1)?, *point.get(2)?);
            let from_forecast = (f2 != first).then(|| (f3 - f2) / (f2 - first));
            // Both ratios give φ; take the one less exposed to rounding. The
            // bounds carry rounding of order ε·|f|, which reaches cⱼ as
            // ε·|f|/(σ·cⱼ), and c₂ − c₁ relative to itself as
            // ε·|f|/(σ·c₁·(c₂ − c₁)); the forecast difference f₂ − f₁ carries
            // ε·|f|/|f₂ − f₁|. (z is folded in: the bounds are f ± z·σ·…)
            let forecast_better = (f2 - first).abs() > Z_95 * sigma * c1 * d1;
            let phi = match (from_weights, from_forecast) {
                (Some(_), Some(forecast)) if forecast_better => forecast,
                (Some(weights), _) => weights,
                (None, Some(forecast)) => forecast,
                (None, None) => PHI_BOUNDS.1,
            };
            let phi = if phi.is_finite() {
                phi.clamp(PHI_BOUNDS.0, PHI_BOUNDS.1)
            } else {
                PHI_BOUNDS.1
            };
            let beta = (d1 / (phi * phi)).max(0.0);
            let slope = (f2 - first) / (phi * phi);
            (c1 - beta * phi, beta, phi, first - phi * slope, slope)
        }
    };
    let finite = [alpha, beta, phi, level, slope, sigma]
        .iter()
        .all(|value| value.is_finite());
    finite.then_some(Dynamics {
        level,
        slope,
        alpha,
        beta,
        phi,
        sigma,
        seasonal_cycle: Vec::new(),
        steps_to_origin: 0,
    })
}

/// The seasonal offset `step` periods after the last observation's successor
/// (0 without a season).
fn seasonal_offset(cycle: &[f64], step: usize) -> f64 {
    cycle
        .get(step.checked_rem(cycle.len()).unwrap_or(0))
        .copied()
        .unwrap_or(0.0)
}

/// The model's mean `steps` periods after the last observation (no season).
fn mean_forecast(dynamics: &Dynamics, steps: usize) -> f64 {
    let mut damping_sum = 0.0;
    let mut power = 1.0;
    for _ in 0..steps {
        power *= dynamics.phi;
        damping_sum += power;
    }
    dynamics.level + damping_sum * dynamics.slope
}

// ---------------------------------------------------------------------------
// Random numbers

/// Standard normal draws: SplitMix64 bits through Marsaglia and Tsang's
/// ziggurat (256 layers), about 3 ns a draw against 15 for Box–Muller. The
/// tables and the rare slow paths use `libm` (pure Rust) for exp, ln and sqrt,
/// so native and wasm builds draw the same numbers.
struct NormalStream {
    state: u64,
    ziggurat: &'static Ziggurat,
}

/// Layer edges x[0..=256] (x[1] = R, x[256] = 0) and densities f(x[i]).
struct Ziggurat {
    edges: [f64; ZIGGURAT_LAYERS + 1],
    densities: [f64; ZIGGURAT_LAYERS + 1],
}

const ZIGGURAT_LAYERS: usize = 256;
/// Where the tail starts and the area of each layer, for 256 layers
/// (Marsaglia & Tsang 2000, "The Ziggurat Method for Generating Random
/// Variables", Journal of Statistical Software 5(8)).
const ZIGGURAT_TAIL: f64 = 3.654_152_885_361_009;
const ZIGGURAT_AREA: f64 = 0.004_928_673_233_99;

static ZIGGURAT: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();

fn unnormalised_density(x: f64) -> f64 {
    libm::exp(-0.5 * x * x)
}

impl Ziggurat {
    fn build() -> Ziggurat {
        let mut edges = [0.0; ZIGGURAT_LAYERS + 1];
        let mut densities = [0.0; ZIGGURAT_LAYERS + 1];
        edges[0] = ZIGGURAT_AREA / unnormalised_density(ZIGGURAT_TAIL);
        edges[1] = ZIGGURAT_TAIL;
        for layer in 1..ZIGGURAT_LAYERS - 1 {
            let previous = edges[layer];
            let level = unnormalised_density(previous) + ZIGGURAT_AREA / previous;
            edges[layer + 1] = libm::sqrt(-2.0 * libm::log(level));
        }
        for (density, edge) in densities.iter_mut().zip(&edges) {
            *density = unnormalised_density(*edge);
        }
        densities[ZIGGURAT_LAYERS] = 1.0;
        Ziggurat { edges, densities }
    }
}

impl NormalStream {
    fn new(seed: u64) -> Self {
        NormalStream {
            state: seed,
            ziggurat: ZIGGURAT.get_or_init(Ziggurat::build),
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut mixed = self.state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        mixed ^ (mixed >> 31)
    }

    /// A uniform draw in (0, 1] with 53 random bits.
    fn next_open_unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn next_normal(&mut self) -> f64 {
        let Ziggurat { edges, densities } = self.ziggurat;
        loop {
            let bits = self.next_u64();
            // The low 8 bits pick the layer, the top 52 (independent of them)
            // the position in it: a uniform in [−1, 1).
            let layer = (bits & 0xff) as usize;
            let signed_unit = (bits >> 12) as f64 * (2.0 / (1u64 << 52) as f64) - 1.0;
            let x = signed_unit * edges[layer];
            if x.abs() < edges[layer + 1] {
                return x;
            }
            if layer == 0 {
                // The tail beyond R, by Marsaglia's exponential rejection.
                loop {
                    let beyond = -libm::log(self.next_open_unit()) / ZIGGURAT_TAIL;
                    let exponential = -libm::log(self.next_open_unit());
                    if 2.0 * exponential >= beyond * beyond {
                        let tail = ZIGGURAT_TAIL + beyond;
                        return if signed_unit < 0.0 { -tail } else { tail };
                    }
                }
            }
            let height = densities[layer + 1]
                + (densities[layer] - densities[layer + 1]) * self.next_open_unit();
            if height < unnormalised_density(x) {
                return x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn present(values: &[f64]) -> Vec<Option<f64>> {
        values.iter().copied().map(Some).collect()
    }

    /// A deterministic noisy series: level + slope·t + noise.
    fn noisy(length: usize, level: f64, slope: f64, seed: u64) -> Vec<f64> {
        let mut normals = NormalStream::new(seed);
        (0..length)
            .map(|t| level + slope * t as f64 + normals.next_normal())
            .collect()
    }

    /// Odd inputs of every kind: nothing may panic (run in debug builds too,
    /// where integer overflow panics), and what comes back is finite.
    #[test]
    fn no_input_panics() {
        let specials = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            1e-320,
            -0.0,
            0.0,
            1.0,
            1e15,
        ];
        let mut state = 42_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            state >> 33
        };
        for round in 0..600 {
            let length = (next() % 60) as usize;
            let mode = round % 6;
            let values: Vec<Option<f64>> = (0..length)
                .map(|index| {
                    let draw = next();
                    match mode {
                        0 => (draw % 4 != 0).then(|| specials[(draw % 11) as usize]),
                        1 => (draw % 5 != 0).then_some((draw % 3) as f64),
                        2 => Some(if index % 2 == 0 { 1e308 } else { -1e308 }),
                        3 => (draw % 7 != 0).then_some((draw % 1000) as f64 * 1e-310),
                        4 => Some(5.0 + if index == length / 2 { 1e12 } else { 0.0 }),
                        _ => (draw % 9 != 0).then(|| draw as f64 / 1e6 + index as f64),
                    }
                })
                .collect();
            let season_length = [None, Some(0), Some(1), Some(2), Some(12), Some(usize::MAX)]
                [(next() % 6) as usize];
            let horizon = [0, 1, 3, 12, usize::MAX][(next() % 5) as usize];
            let Some(fit) = forecast(&values, season_length, horizon) else {
                continue;
            };
            assert_eq!(fit.steps.len(), horizon.min(MAX_HORIZON));
            assert_eq!(fit.one_step_errors.len(), values.len());
            for step in &fit.steps {
                assert!(
                    step.value.is_finite() && step.low <= step.value && step.value <= step.high,
                    "{step:?} in round {round}: {} from {values:?}",
                    fit.model
                );
            }
            let targets = [
                ForecastTarget::AtMost(fit.latest_value),
                ForecastTarget::AtLeast(0.0),
                ForecastTarget::Between {
                    low: -1.0,
                    high: 1.0,
                },
                ForecastTarget::Between {
                    low: 1.0,
                    high: -1.0,
                },
                ForecastTarget::AtLeast(f64::NAN),
            ];
            for target in &targets {
                let _ = crossing(&fit, target);
                if let Some(probability) = breach_probability(&fit, target, 6) {
                    assert!((0.0..=1.0).contains(&probability));
                }
            }
        }
    }

    #[test]
    fn too_few_values_give_no_forecast() {
        assert!(forecast(&[], None, 3).is_none());
        assert!(forecast(&[None, None], None, 3).is_none());
        for length in 1..MIN_FIT_VALUES {
            let values = present(&noisy(length, 10.0, 0.0, 1));
            assert!(forecast(&values, None, 3).is_none(), "{length} values");
        }
        assert!(forecast(&present(&noisy(MIN_FIT_VALUES, 10.0, 0.0, 1)), None, 3).is_some());
    }

    #[test]
    fn non_finite_values_count_as_missing() {
        let mut values = present(&noisy(30, 10.0, 0.0, 2));
        values[29] = Some(f64::NAN);
        values[28] = Some(f64::INFINITY);
        let fit = forecast(&values, None, 3).expect("fit");
        assert_eq!(fit.fit_end, 28);
        assert_eq!(fit.steps.len(), 3);
        assert!(fit.one_step_errors[28].is_none());
    }

    #[test]
    fn a_constant_series_is_forecast_as_itself() {
        let fit = forecast(&present(&[4.5; 20]), None, 3).expect("fit");
        assert_eq!(fit.model, "ETS(A,N,N)");
        assert!(fit
            .steps
            .iter()
            .all(|step| step.value == 4.5 && step.low == 4.5 && step.high == 4.5));
        assert_eq!(
            breach_probability(&fit, &ForecastTarget::AtMost(5.0), 3),
            Some(0.0)
        );
        assert_eq!(
            breach_probability(&fit, &ForecastTarget::AtLeast(5.0), 3),
            Some(1.0)
        );
    }

    #[test]
    fn huge_and_tiny_values_are_fitted_like_ordinary_ones() {
        let base = noisy(40, 100.0, 0.5, 3);
        let ordinary = forecast(&present(&base), None, 4).expect("fit");
        for factor in [libm::ldexp(1.0, 900), libm::ldexp(1.0, -900)] {
            let scaled: Vec<f64> = base.iter().map(|value| value * factor).collect();
            let fit = forecast(&present(&scaled), None, 4).expect("fit");
            assert_eq!(fit.model, ordinary.model);
            for (step, reference) in fit.steps.iter().zip(&ordinary.steps) {
                let relative =
                    (step.value / factor - reference.value).abs() / reference.value.abs();
                assert!(relative < 1e-9, "{relative}");
            }
        }
        let extreme = present(&[1e308, -1e308, 1e308, 0.0, 1e308, -1e308, 1e308, 1.0]);
        let _ = forecast(&extreme, None, 3);
    }

    #[test]
    fn the_dynamics_reproduce_augurs_forecast_and_interval() {
        let cases = [
            (4, 50.0, 0.0),
            (5, 50.0, 0.8),
            (6, 50.0, -0.3),
            (16, 1e6, 0.01),
            (17, -300.0, 2.0),
            (18, 0.0, 0.0),
        ];
        for (seed, level, slope) in cases {
            let values = noisy(48, level, slope, seed);
            for trend in TrendKind::ALL {
                let Some((model, _)) = fit_candidate(&values, trend) else {
                    continue;
                };
                let predicted = model.predict(12, INTERVAL_LEVEL).expect("predict");
                let intervals = predicted.intervals.as_ref().expect("intervals");
                let dynamics =
                    recover_dynamics(trend, &predicted.point, &intervals.lower, &intervals.upper)
                        .expect("dynamics");
                let mut weights_squared = 0.0_f64;
                let mut damping_sum = 0.0;
                let mut power = 1.0;
                for step in 0..12 {
                    let mean = mean_forecast(&dynamics, step + 1);
                    assert!(
                        (mean - predicted.point[step]).abs() < 1e-8 * level.abs().max(1.0),
                        "{trend:?} mean {mean} vs {} at {step}",
                        predicted.point[step]
                    );
                    let half_width = Z_95 * dynamics.sigma * (1.0 + weights_squared).sqrt();
                    let expected = (intervals.upper[step] - intervals.lower[step]) / 2.0;
                    assert!(
                        (half_width - expected).abs() < 1e-8 * expected,
                        "{trend:?} width"
                    );
                    power *= dynamics.phi;
                    damping_sum += power;
                    weights_squared += (dynamics.alpha + dynamics.beta * damping_sum).powi(2);
                }
            }
        }
    }

    #[test]
    fn a_gap_inside_uses_the_trailing_run_when_it_is_long_enough() {
        let mut values = present(&noisy(40, 20.0, 0.2, 7));
        values[10] = None;
        let fit = forecast(&values, None, 3).expect("fit");
        assert_eq!(fit.span, FitSpan::TrailingRun);
        assert_eq!((fit.fit_start, fit.fit_end), (11, 40));
        assert!(fit.one_step_errors[..11].iter().all(Option::is_none));
    }

    #[test]
    fn a_late_gap_is_bridged() {
        let mut values = present(&noisy(40, 20.0, 0.2, 8));
        values[35] = None;
        values[36] = None;
        let fit = forecast(&values, None, 3).expect("fit");
        assert_eq!(fit.span, FitSpan::Bridged { filled: 2 });
        assert_eq!((fit.fit_start, fit.fit_end), (0, 40));
        assert!(fit.one_step_errors[35].is_none() && fit.one_step_errors[36].is_none());
        assert!(fit.one_step_errors[34].is_some());
    }

    #[test]
    fn only_the_latest_periods_are_fitted() {
        let values = present(&noisy(300, 20.0, 0.1, 14));
        let fit = forecast(&values, None, 3).expect("fit");
        assert_eq!((fit.fit_start, fit.fit_end), (300 - MAX_FIT_PERIODS, 300));
        assert!(fit.one_step_errors[..300 - MAX_FIT_PERIODS]
            .iter()
            .all(Option::is_none));
        let all = forecast_with_window(&values, None, 3, usize::MAX).expect("fit");
        assert_eq!(all.fit_start, 0);
        // A weekly season needs four cycles, more than the cap.
        let weekly = forecast(&present(&noisy(300, 20.0, 0.0, 15)), Some(52), 3).expect("fit");
        assert_eq!(weekly.fit_start, 300 - 4 * 52);
    }

    #[test]
    fn trailing_missing_periods_count_as_steps() {
        let base = noisy(30, 20.0, 0.5, 9);
        let complete = forecast(&present(&base), None, 5).expect("fit");
        let mut stale = present(&base);
        stale.push(None);
        stale.push(None);
        let fit = forecast(&stale, None, 3).expect("fit");
        assert_eq!(fit.steps, complete.steps[2..5].to_vec());
        assert_eq!(fit.latest_value, *base.last().expect("last"));
    }

    #[test]
    fn breach_probability_is_deterministic_and_plausible() {
        let values = present(&noisy(36, 10.0, 0.0, 10));
        let fit = forecast(&values, None, 3).expect("fit");
        let far = ForecastTarget::AtMost(fit.steps[0].value + 10.0 * fit.sigma);
        let near = ForecastTarget::AtMost(fit.steps[0].value);
        let first = breach_probability(&fit, &near, 3).expect("probability");
        assert_eq!(breach_probability(&fit, &near, 3), Some(first));
        assert!(first > 0.5 && first < 1.0, "{first}");
        assert_eq!(breach_probability(&fit, &far, 3), Some(0.0));
        assert_eq!(breach_probability(&fit, &near, 0), Some(0.0));
        let band = ForecastTarget::Between {
            low: f64::NAN,
            high: 1.0,
        };
        assert_eq!(breach_probability(&fit, &band, 3), None);
        // One step: the share must match the normal tail of the interval.
        let one_step = breach_probability(&fit, &ForecastTarget::AtMost(fit.steps[0].high), 1)
            .expect("probability");
        assert!((one_step - 0.025).abs() < 0.008, "{one_step}");
    }

    #[test]
    fn crossing_finds_the_point_and_interval_steps() {
        let values = present(&noisy(36, 10.0, 0.5, 11));
        let fit = forecast(&values, None, 24).expect("fit");
        let threshold = fit.steps[9].value;
        let crossing = crossing(&fit, &ForecastTarget::AtMost(threshold));
        assert_eq!(crossing.kind, CrossingKind::Breach);
        let (earliest, point, latest) = (
            crossing.earliest_step.expect("earliest"),
            crossing.point_step.expect("point"),
            crossing.latest_step.unwrap_or(usize::MAX),
        );
        assert!(
            earliest <= point && point <= latest,
            "{earliest} {point} {latest}"
        );
        let recovery = super::crossing(&fit, &ForecastTarget::AtLeast(fit.latest_value + 1e6));
        assert_eq!(recovery.kind, CrossingKind::Recovery);
        assert_eq!(recovery.point_step, None);
    }

    #[test]
    fn seasonal_history_with_enough_cycles_is_deseasonalised() {
        let values: Vec<f64> = noisy(60, 100.0, 0.0, 13)
            .iter()
            .enumerate()
            .map(|(t, value)| value + 10.0 * (std::f64::consts::TAU * t as f64 / 12.0).sin())
            .collect();
        let fit = forecast(&present(&values), Some(12), 12).expect("fit");
        assert!(fit.model.starts_with("MSTL(12)+ETS("), "{}", fit.model);
        let short = forecast(&present(&values[..47]), Some(12), 12).expect("fit");
        assert!(short.model.starts_with("ETS("), "{}", short.model);
    }

    #[test]
    fn normals_have_the_normal_moments_and_tails() {
        let mut normals = NormalStream::new(BREACH_SEED);
        let draws: Vec<f64> = (0..2_000_000).map(|_| normals.next_normal()).collect();
        let count = draws.len() as f64;
        let mean = draws.iter().sum::<f64>() / count;
        let moment = |power: i32| {
            draws
                .iter()
                .map(|draw| (draw - mean).powi(power))
                .sum::<f64>()
                / count
        };
        assert!(mean.abs() < 0.003, "mean {mean}");
        assert!((moment(2) - 1.0).abs() < 0.004, "variance {}", moment(2));
        assert!(moment(3).abs() < 0.01, "skewness {}", moment(3));
        assert!((moment(4) - 3.0).abs() < 0.03, "kurtosis {}", moment(4));
        // Tail shares against the normal's: beyond 1.96 (2.5 %), 3 (0.135 %)
        // and the ziggurat's tail start R = 3.654 (0.0129 %).
        for (threshold, expected) in [(1.96, 0.024_998), (3.0, 0.001_350), (3.654, 0.000_129)] {
            let standard_error = (expected * (1.0 - expected) / count).sqrt();
            let upper = draws.iter().filter(|draw| **draw > threshold).count() as f64 / count;
            let lower = draws.iter().filter(|draw| **draw < -threshold).count() as f64 / count;
            for share in [upper, lower] {
                assert!(
                    (share - expected).abs() < 4.0 * standard_error,
                    "beyond ±{threshold}: {share}, expected {expected}"
                );
            }
        }
        let mut again = NormalStream::new(BREACH_SEED);
        assert!(draws
            .iter()
            .take(1000)
            .all(|draw| *draw == again.next_normal()));
    }
}
