#!/usr/bin/env python3
"""The kpilot analysis written in Python, for the benchmark.

This is the analysis a competent analyst would write with the reference
packages the SPEC names ("Exact definitions"), each definition computed with
the oracle the SPEC gives it. Where the project already has that code it is
imported, not copied: `tests/reference/make_timeseries.py` (the oracles of
the native tests: ADF, KPSS, the stationarity decision, the seasonal F-test,
the AR fit on the rows a gap leaves whole, the lagged Pearson / Bartlett test,
the HAC drift test, Granger) and `bench/calibration/reference.py` (the ADF
variant of the wanders guard, the statsforecast forecast and its sample
paths, the lagged tests vectorised over followers). Neither is changed.

* Read the wide CSV with pandas (periods down, one column per KPI, a target
  such as `KPI 7 (<= 105)` in some headers).
* Per KPI:
  - latest / previous / change, OLS slope and R² (`scipy.stats.linregress`,
    x = period index), Theil–Sen (`scipy.stats.theilslopes`), the descriptive
    Mann–Kendall test (`pymannkendall.original_test`), sd / cv, the rolling
    mean over one quarter (pandas `rolling`);
  - stationarity: `adfuller(regression="c", autolag="AIC")` and
    `kpss(regression="c", nlags="auto")` on the present values; levels
    (demeaned) only with ≥ 16 values, ADF p ≤ 0.05 and KPSS p > 0.05, else
    first differences;
  - seasonality (monthly sheets with 36 present values): the F-test of the
    month dummies on the stationary series (`OLS.f_test`), 1 %; a seasonal
    KPI has its month means removed from the stationary series;
  - the trend verdict: `pymannkendall.pre_whitening_modification_test` at 5 %,
    direction-aware, and `flat` when the KPI wanders (ADF p > 0.05 and the HAC
    t-test of the mean first difference p > 0.05: `OLS(dy, ones).fit(
    cov_type="HAC", cov_kwds={"maxlags": ⌊4(m/100)^(2/9)⌋})`, m differences);
    the guard's ADF regression is `WANDERS_ADF_REGRESSION` below;
  - the leader's prewhitening model: `ar_select_order(x, min(8, m/4),
    ic="aic", trend="c")` and `AutoReg` on the stationary series (on the
    complete rows when a gap is inside it, as the test oracle does);
  - the forecast: statsforecast `AutoETS` over ETS(A,N,N), ETS(A,Ad,N),
    ETS(A,A,N) by AICc (and ETS(A,*,A) for a seasonal KPI with four full
    cycles), its 95 % interval per step of the horizon (one quarter: 3 months,
    91 days), the crossing of the target by the point forecast and by the
    interval, the breach probability from 4,000 simulated paths of the fitted
    model (fixed seed), at_risk when it is ≥ 0.5, and the health word;
  - anomalies: the periods whose one-step-ahead error of that fit lies outside
    median ± 3 × 1.4826 × MAD of the errors.
* Lead/lag: for every leader, both series of every pair filtered with the
  leader's AR polynomial (`scipy.signal.lfilter(r_[1, −φ], 1, x)`, the first
  p values dropped; one `lfilter` call filters every KPI for that leader);
  Pearson's r and p (`scipy.stats.pearsonr`, one call per (pair, lag) test)
  at lags 0..L, L = min(K, n // 4), K = 3 monthly, 7 daily; for a pair with a
  seasonal KPI the deseasonalised series unfiltered and the Bartlett /
  Pyper–Peterman effective sample size; Benjamini–Hochberg over every test
  (`multipletests(method="fdr_bh")`); the best lag per pair; the Granger ssr
  F-test on the stationary series (`grangercausalitytests`, or the same
  F-test with OLS `compare_f_test` when a value is missing) for the pairs with
  q ≤ 0.05 at a lag ≥ 1.

Where the SPEC is silent the engine's documented convention is followed, and
said so: missing values are closed up for ADF, KPSS, Mann–Kendall and the HAC
test; the forecast fits at most the latest 120 periods, and with a gap inside
them the values after the last gap (when there are at least 12, or four
seasons), else the span with the gaps bridged by straight lines
(`src/analysis/forecast/ets.rs`, "Missing values"); anomalies need 8 errors.

Timing: the clock starts before `pd.read_csv` and stops when the last Granger
test is done; interpreter start-up, imports and one warm-up fit of
statsforecast's compiled (numba) code are measured separately and not
counted, which flatters Python.

Budget: the pair loop visits the leaders in a shuffled (seeded) order, each
against every follower, and stops once it has spent `--budget` seconds
(default 120). If it stopped early, its time is extrapolated linearly to all
pairs and the run is marked "extrapolated"; Granger tests get their own
budget the same way. The significant pairs of an extrapolated run cannot come
from the partial loop, so they come from the vectorised computation of every
test (same definitions: per leader one filtered matrix, every follower's r
and p at once; not timed), and the result says so. On runs that finish, the
vectorised computation is checked against the per-test loop.

Output: a one-line summary on stdout, and with `--json FILE` everything the
benchmark table needs (timings, counts, per-KPI results, every pair at its
best lag, the significant pairs).

    python3 bench/reference.py bench/out/wide_10x24_monthly.csv
    python3 bench/reference.py FILE --budget 30 --json result.json
"""

import os

# One core for BLAS, before NumPy is imported (run.sh also pins the process).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import time  # noqa: E402

_IMPORT_START = time.perf_counter()

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pymannkendall  # noqa: E402
import scipy.stats as stats  # noqa: E402
from scipy import signal  # noqa: E402
from statsforecast.models import AutoETS  # noqa: E402
from statsmodels.stats.multitest import multipletests  # noqa: E402
from statsmodels.tsa.ar_model import AutoReg, ar_select_order  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# The test oracles (tests/reference/make_timeseries.py): importing runs nothing.
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
import make_timeseries as oracle  # noqa: E402


def _load(name, path):
    """Imports a file under another module name (bench/calibration/reference.py
    would otherwise shadow this file, which is also called reference.py)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


calibration = _load("calibration_reference", os.path.join(HERE, "calibration", "reference.py"))

IMPORT_SECONDS = time.perf_counter() - _IMPORT_START

warnings.filterwarnings("ignore")  # KPSS's "outside the table", statsforecast's, statsmodels'

SIGNIFICANCE = 0.05
TREND_ALPHA = 0.05
AT_RISK = 0.5
MIN_VALUES_FOR_LEVELS = oracle.MIN_VALUES_FOR_LEVELS  # 16
MAX_PREWHITENING_ORDER = oracle.MAX_PREWHITENING_ORDER  # 8
MIN_PAIRS = oracle.MIN_PAIRS  # 8
MAX_LAG_BY_FREQUENCY = {"daily": 7, "weekly": 4, "monthly": 3, "quarterly": 3, "yearly": 3}
SEASONS = {"monthly": 12, "quarterly": 4}
HORIZON = {"daily": 91, "weekly": 13, "monthly": 3, "quarterly": 1, "yearly": 1}

# The ADF of the wanders guard: "ct" (a constant and a trend), as
# src/analysis/hac.rs uses it ("c" is the stationarity test's). The
# environment variable BENCH_WANDERS_ADF overrides it for one run.
WANDERS_ADF_REGRESSION = os.environ.get("BENCH_WANDERS_ADF", "ct")

# Forecast (the SPEC, and where it is silent src/analysis/forecast/ets.rs).
BREACH_PATHS = calibration.ETS_DRAWS  # 4,000
BREACH_SEED = 20261201
MIN_FIT_VALUES = 7  # statsforecast refuses fewer
MIN_SEASONAL_CYCLES = 4
MAX_FIT_PERIODS = 120
MIN_TRAILING_RUN = 12

# Anomalies.
MAD_TO_SD = 1.4826
LIMIT_SIGMAS = 3.0
MIN_ERRORS = 8

TARGET_CLAUSE = re.compile(
    r"^(?P<name>.*?)\s*\(\s*(?:(?P<op><=|>=|<|>)\s*(?P<value>-?[\d.]+)"
    r"|between\s+(?P<low>-?[\d.]+)\s+and\s+(?P<high>-?[\d.]+))\s*\)\s*$",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def split_header(header):
    """`KPI 7 (<= 105)` -> ("KPI 7", target dict); a plain name -> (name, None)."""
    match = TARGET_CLAUSE.match(header)
    if not match:
        return header.strip(), None
    name = match.group("name").strip()
    if match.group("op"):
        kind = "at_most" if match.group("op").startswith("<") else "at_least"
        return name, {"kind": kind, "value": float(match.group("value"))}
    return name, {"kind": "between", "low": float(match.group("low")), "high": float(match.group("high"))}


def read_sheet(path):
    frame = pd.read_csv(path)
    period_column = frame.columns[0]
    periods = frame[period_column].astype(str).tolist()
    frequency = "monthly" if period_column.lower() == "month" else "daily"
    # The season of the first period (0 = January): `2020-01` labels.
    first_season = int(periods[0][5:7]) - 1 if frequency == "monthly" else 0
    kpis = []
    values = {}
    for header in frame.columns[1:]:
        name, target = split_header(header)
        kpis.append((name, target))
        values[name] = pd.to_numeric(frame[header], errors="coerce").astype(float)
    return periods, frequency, first_season, kpis, pd.DataFrame(values)


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------


def margin_inside(target, value):
    """Signed distance inside the target (negative when outside)."""
    if target["kind"] == "at_least":
        return value - target["value"]
    if target["kind"] == "at_most":
        return target["value"] - value
    return min(value - target["low"], target["high"] - value)


def outside(target, values):
    """Element-wise: outside the target (its boundaries count as met)."""
    if target["kind"] == "at_least":
        return values < target["value"]
    if target["kind"] == "at_most":
        return values > target["value"]
    return (values < target["low"]) | (values > target["high"])


def direction_of(target):
    if target is not None and target["kind"] == "at_most":
        return "lower_is_better"
    return "higher_is_better"


# --------------------------------------------------------------------------
# Stationarity, seasonality, the prewhitening model
# --------------------------------------------------------------------------


def profile(y, frequency, first_season):
    """The SPEC's stationarity and seasonality of one KPI, and its lead/lag series."""
    present = y[np.isfinite(y)]
    adf = oracle.adf_oracle(present)
    kp = oracle.kpss_oracle(present)
    form = oracle.decide(len(present), adf, kp)
    z = oracle.stationary_array(y, form)
    seasonal, seasonal_p = False, None
    if frequency in SEASONS:
        test, deseasonalised = oracle.seasonal_oracle(y, z, frequency, first_season)
        if test is not None:
            seasonal_p = test["p_value"]
            seasonal = seasonal_p <= 0.01
            if seasonal:
                z = np.array([np.nan if v is None else v for v in deseasonalised])
    return {
        "adf_p": adf["p_value"] if adf else None,
        "kpss_p": kp["p_value"] if kp else None,
        "stationarity": form,
        "seasonal": bool(seasonal),
        "seasonal_p": seasonal_p,
        "stationary": z,
    }


def prewhitening_model(z):
    """φ of the AR(p) prewhitening filter of a stationary series (empty for p = 0).

    `ar_select_order(x, min(8, m // 4), ic="aic", trend="c")` then
    `AutoReg(x, lags=p, trend="c")` on the present run; a series with a gap
    inside uses the same AIC search and least-squares fit on the rows whose
    periods are all present (the test oracle's convention, which equals
    statsmodels' on series without gaps).
    """
    present = np.isfinite(z)
    m = int(present.sum())
    if m < 2:
        return np.array([])
    max_order = min(MAX_PREWHITENING_ORDER, m // 4)
    first = int(np.argmax(present))
    last = len(z) - int(np.argmax(present[::-1]))
    try:
        if not present[first:last].all():
            order = oracle.ar_select_on_complete_rows(z, max_order)
            if not order:
                return np.array([])
            return np.asarray(oracle.ar_fit_on_complete_rows(z, order)[1])
        x = z[first:last]
        lags = ar_select_order(x, max_order, ic="aic", trend="c").ar_lags if max_order > 0 else None
        if not lags:
            return np.array([])
        return np.asarray(AutoReg(x, lags=len(lags), trend="c").fit().params[1:])
    except (ValueError, np.linalg.LinAlgError):
        return np.array([])


def prewhiten_all(z_matrix, phi):
    """Every column filtered with 1 − φ1 B − … − φp B^p, the first p rows dropped.

    `lfilter` of this FIR filter leaves NaN exactly where a window holds a
    missing value, so gaps stay gaps and never spread further.
    """
    if len(phi) == 0:
        return z_matrix
    out = signal.lfilter(np.r_[1.0, -phi], [1.0], z_matrix, axis=0)
    out[: len(phi)] = np.nan
    return out


# --------------------------------------------------------------------------
# Trend
# --------------------------------------------------------------------------


def wanders(y, adf_c_p):
    """trend.wanders: ADF p > 0.05 (regression WANDERS_ADF_REGRESSION) and HAC drift p > 0.05."""
    present = y[np.isfinite(y)]
    if WANDERS_ADF_REGRESSION == "c":
        adf_p = adf_c_p
    else:
        adf_p = calibration.adf_p(present, WANDERS_ADF_REGRESSION)
        adf_p = None if math.isnan(adf_p) else adf_p
    hac = oracle.hac_oracle(y)
    return bool(adf_p is not None and hac is not None and adf_p > SIGNIFICANCE and hac["p_value"] > SIGNIFICANCE)


def trend(y, direction, adf_p):
    x_all = np.arange(len(y), dtype=float)
    present = np.isfinite(y)
    x, v = x_all[present], y[present]
    fit = stats.linregress(x, v)
    theil_sen = stats.theilslopes(v, x)[0]
    mk = pymannkendall.original_test(y)
    significance = None
    if len(v) >= 3:
        pw = pymannkendall.pre_whitening_modification_test(y)
        lag1 = oracle._pmk_acf(v, nlags=1)[1]
        significance = {
            "s": float(pw.s),
            "tau": float(pw.Tau),
            "p_value": float(pw.p),
            "lag1_autocorrelation": float(lag1) if np.isfinite(lag1) else None,
        }
    wandering = wanders(y, adf_p)
    improving_sign = -1.0 if direction == "lower_is_better" else 1.0
    verdict = "flat"
    if significance and not wandering and significance["p_value"] <= TREND_ALPHA and significance["s"] != 0:
        verdict = "improving" if significance["s"] * improving_sign > 0 else "worsening"
    return {
        "ols_slope": float(fit.slope),
        "r2": float(fit.rvalue) ** 2 if not np.all(v == v[0]) else 0.0,
        "theil_sen_slope": float(theil_sen),
        "mann_kendall": {"s": float(mk.s), "tau": float(mk.Tau), "p_value": float(mk.p)},
        "significance": significance,
        "wanders": wandering,
        "verdict": verdict,
    }


# --------------------------------------------------------------------------
# Forecast
# --------------------------------------------------------------------------


def fit_span(y, season_length):
    """(values to fit, input index of the first, bridged flags, trailing missing) or None.

    The engine's documented rule (the SPEC is silent): the latest 120 periods
    (four seasons if more); leading/trailing missing values dropped; with a
    gap inside, the values after the last gap when there are at least 12 of
    them (four seasons for a seasonal KPI), else the gaps bridged by straight
    lines (and their errors not used).
    """
    present = np.isfinite(y)
    if not present.any():
        return None
    last = int(np.flatnonzero(present)[-1])
    window = max(season_length * MIN_SEASONAL_CYCLES if season_length else 0, MAX_FIT_PERIODS)
    start = max(0, last + 1 - window)
    first = start + int(np.argmax(present[start:]))
    span = y[first : last + 1]
    trailing = len(y) - 1 - last
    gaps = np.flatnonzero(~np.isfinite(span))
    if len(gaps) == 0:
        if len(span) < MIN_FIT_VALUES:
            return None
        return span.copy(), first, np.zeros(len(span), bool), trailing
    run = span[gaps[-1] + 1 :]
    seasonal_need = (
        season_length * MIN_SEASONAL_CYCLES
        if season_length and len(span) >= season_length * MIN_SEASONAL_CYCLES
        else 0
    )
    if len(run) >= max(MIN_TRAILING_RUN, seasonal_need):
        return run.copy(), first + gaps[-1] + 1, np.zeros(len(run), bool), trailing
    bridged = ~np.isfinite(span)
    index = np.arange(len(span))
    filled = np.interp(index, index[~bridged], span[~bridged])
    if (~bridged).sum() < MIN_FIT_VALUES:
        return None
    return filled, first, bridged, trailing


def fit_ets(values, season_length):
    """statsforecast AutoETS over the SPEC's model set by AICc (None when nothing fits)."""
    candidates = [(1, "AZN")]
    if season_length and len(values) >= MIN_SEASONAL_CYCLES * season_length:
        candidates.append((season_length, "AZA"))
    best = None
    for length, spec in candidates:
        try:
            model = AutoETS(season_length=length, model=spec).fit(values)
        except Exception:  # statsforecast raises bare exceptions on degenerate fits
            continue
        if best is None or model.model_["aicc"] < best.model_["aicc"]:
            best = model
    return best


def crossing(kind_breached_now, target, path):
    """(point, earliest, latest) steps (1-based) where the forecast and its interval cross."""
    value, low, high = (np.asarray([p[key] for p in path]) for key in ("value", "low", "high"))
    met = lambda v: ~outside(target, v)  # noqa: E731
    # Some value of [low, high] meets the target / every value does.
    if target["kind"] == "at_least":
        somewhere, everywhere = high >= target["value"], met(low) & met(high)
    elif target["kind"] == "at_most":
        somewhere, everywhere = low <= target["value"], met(low) & met(high)
    else:
        somewhere, everywhere = (high >= target["low"]) & (low <= target["high"]), met(low) & met(high)
    if kind_breached_now:
        tests = (met(value), somewhere, everywhere)
    else:
        tests = (~met(value), ~everywhere, ~somewhere)
    return tuple(int(np.argmax(t)) + 1 if t.any() else None for t in tests)


def forecast(y, season_length, target, horizon):
    """The forecast of one KPI and its one-step errors (aligned with y, NaN where unused)."""
    errors = np.full(len(y), np.nan)
    span = fit_span(y, season_length)
    if span is None:
        return None, errors
    values, start, bridged, trailing = span
    model = fit_ets(values, season_length)
    if model is None:
        return None, errors
    steps = trailing + horizon
    mean, low, high = calibration.forecast(model, steps)
    path = [{"value": float(m), "low": float(lo), "high": float(hi)}
            for m, lo, hi in zip(mean[trailing:], low[trailing:], high[trailing:])]
    residuals = np.asarray(model.model_["residuals"], dtype=float)
    errors[start : start + len(values)] = np.where(bridged, np.nan, residuals)
    out = {"model": model.model_["method"], "path": path, "breach_probability": None}
    if target is not None:
        latest = values[-1]
        breached_now = bool(outside(target, np.array([latest]))[0])
        point, earliest, latest_step = crossing(breached_now, target, path)
        paths = calibration.ets_paths(model, steps, BREACH_PATHS, np.random.default_rng(BREACH_SEED))
        out.update(
            kind="recovery" if breached_now else "breach",
            periods_ahead=point,
            earliest_step=earliest,
            latest_step=latest_step,
            breach_probability=float(outside(target, paths[:, trailing:]).any(axis=1).mean()),
        )
    return out, errors


def anomalies(errors):
    """Indices whose one-step error is outside median ± 3 × 1.4826 × MAD of the errors."""
    present = np.flatnonzero(np.isfinite(errors))
    if len(present) < MIN_ERRORS:
        return []
    e = errors[present]
    centre = np.median(e)
    half_width = LIMIT_SIGMAS * MAD_TO_SD * np.median(np.abs(e - centre))
    if not half_width > 0:
        return []
    return [int(i) for i in present[(e > centre + half_width) | (e < centre - half_width)]]


# --------------------------------------------------------------------------
# Per KPI
# --------------------------------------------------------------------------


def analyse_kpi(name, target, series, frequency, first_season, periods):
    y = series.to_numpy(dtype=float)
    present = np.isfinite(y)
    v = y[present]
    direction = direction_of(target)
    out = {"name": name, "direction": direction}
    out["latest"] = float(v[-1]) if len(v) else None
    previous = float(v[-2]) if len(v) >= 2 else None
    out["change"] = out["latest"] - previous if previous is not None else None

    window = max(HORIZON[frequency], 2)
    sd = float(series.std()) if len(v) >= 2 else None
    mean = float(series.mean()) if len(v) else None
    out["sd"] = sd
    out["cv"] = sd / abs(mean) if sd is not None and mean else None
    rolling = series.rolling(window, min_periods=1).mean()
    rolling.iloc[: window - 1] = np.nan
    out["rolling_mean_latest"] = None if rolling.isna().all() else float(rolling.iloc[-1])

    shape = profile(y, frequency, first_season)
    out.update({key: shape[key] for key in ("stationarity", "seasonal", "adf_p", "kpss_p", "seasonal_p")})
    out["trend"] = trend(y, direction, shape["adf_p"]) if len(v) >= 2 else None
    phi = prewhitening_model(shape["stationary"]) if not shape["seasonal"] else np.array([])
    out["ar_order"] = len(phi)

    season_length = SEASONS.get(frequency) if shape["seasonal"] else None
    fc, errors = forecast(y, season_length, target, HORIZON[frequency])
    out["forecast"] = fc
    out["anomalies"] = [periods[i] for i in anomalies(errors)]

    verdict = out["trend"]["verdict"] if out["trend"] else "flat"
    if target is not None and len(v):
        margins = np.array([margin_inside(target, value) for value in v])
        breached = margins < 0
        streak = 0
        for flag in breached[::-1]:
            if not flag:
                break
            streak += 1
        out["breach"] = {
            "latest_breached": bool(breached[-1]),
            "streak": streak,
            "count": int(breached.sum()),
            "margin": float(margins[-1]),
        }
        if breached[-1]:
            recovers = fc is not None and fc.get("periods_ahead") is not None
            out["health"] = "recovering" if recovers and verdict == "improving" else "breached"
        elif fc is not None and fc["breach_probability"] is not None and fc["breach_probability"] >= AT_RISK:
            out["health"] = "at_risk"
        else:
            out["health"] = "healthy"
    else:
        out["breach"] = None
        out["health"] = "no_target"
    return out, shape, phi


# --------------------------------------------------------------------------
# Lead / lag
# --------------------------------------------------------------------------


def pair_tests(x, y, max_lag, seasonal):
    """[(lag, r, p)] of one ordered pair: one scipy test per lag (Bartlett when seasonal)."""
    tests = []
    for lag in range(max_lag + 1):
        result = oracle.lag_test(x, y, lag, seasonal)
        if result is not None:
            r, _, p = result
            tests.append((lag, float(r), float(p)))
    return tests


def leader_tests_vectorised(z, a, phi, seasonal, max_lag):
    """{(a, b): [(lag, r, p)]} for every follower b of leader a, its filtered matrix at once."""
    k = z.shape[1]
    plain = np.array([b for b in range(k) if b != a and not (seasonal[a] or seasonal[b])], dtype=int)
    results = {}
    if len(plain):
        filtered = prewhiten_all(z, phi)
        for lag in range(max_lag + 1):
            r, p = calibration.lagged_tests(filtered[:, a], filtered[:, plain], lag, False)
            for b, rb, pb in zip(plain, r, p):
                if np.isfinite(pb):
                    results.setdefault((a, int(b)), []).append((lag, float(rb), float(pb)))
    for b in range(k):
        if b != a and (seasonal[a] or seasonal[b]):
            tests = pair_tests(z[:, a], z[:, b], max_lag, True)
            if tests:
                results[(a, b)] = tests
    return results


def q_values(tests_by_pair):
    pairs = list(tests_by_pair)
    flat = [p for pair in pairs for (_, _, p) in tests_by_pair[pair]]
    q_flat = multipletests(flat, method="fdr_bh")[1] if flat else np.array([])
    q_by_test = {}
    position = 0
    for pair in pairs:
        size = len(tests_by_pair[pair])
        q_by_test[pair] = q_flat[position : position + size]
        position += size
    return q_by_test, len(flat)


def best_lags(tests_by_pair, q_by_test):
    """{pair: (lag, r, p, q)} at the best lag (largest |r|, ties to the smaller lag)."""
    best = {}
    for pair, tests in tests_by_pair.items():
        position = max(range(len(tests)), key=lambda i: (abs(tests[i][1]), -tests[i][0]))
        lag, r, p = tests[position]
        best[pair] = (lag, r, p, float(q_by_test[pair][position]))
    return best


class Stopwatch:
    """Wall and CPU seconds since it was started (CPU time is what a busy
    machine distorts least)."""

    def __init__(self):
        self.wall_start = time.perf_counter()
        self.cpu_start = time.process_time()

    @property
    def wall(self):
        return time.perf_counter() - self.wall_start

    def stop(self):
        return {"wall": time.perf_counter() - self.wall_start, "cpu": time.process_time() - self.cpu_start}


def warm_up():
    """statsforecast compiles its ETS code (numba) on first use: do that before the clock."""
    clock = Stopwatch()
    rng = np.random.default_rng(0)
    y = 10 + np.sin(np.arange(60) * np.pi / 6) + rng.normal(0, 0.3, 60)
    fit_ets(y, 12)
    return clock.stop()["wall"]


def analyse(path, budget, seed):
    clock = Stopwatch()
    periods, frequency, first_season, kpis, frame = read_sheet(path)
    n = len(periods)
    names = [name for name, _ in kpis]
    per_kpi, shapes, filters = [], [], []
    for name, target in kpis:
        result, shape, phi = analyse_kpi(name, target, frame[name], frequency, first_season, periods)
        per_kpi.append(result)
        shapes.append(shape)
        filters.append(phi)
    per_kpi_time = clock.stop()

    # Lead/lag: per leader (shuffled), one lfilter of every KPI, one scipy test per (pair, lag).
    clock = Stopwatch()
    k = len(names)
    z = np.column_stack([shape["stationary"] for shape in shapes])
    seasonal = [shape["seasonal"] for shape in shapes]
    max_lag = min(MAX_LAG_BY_FREQUENCY[frequency], n // 4)
    all_pairs = k * (k - 1)
    tests_by_pair = {}
    pairs_done = 0
    stopped = False
    for a in np.random.default_rng(seed).permutation(k):
        a = int(a)
        filtered = None if seasonal[a] else prewhiten_all(z, filters[a])
        for b in range(k):
            if b == a:
                continue
            together = seasonal[a] or seasonal[b]
            x, y = (z[:, a], z[:, b]) if together else (filtered[:, a], filtered[:, b])
            tests = pair_tests(x, y, max_lag, together)
            pairs_done += 1
            if tests:
                tests_by_pair[(a, b)] = tests
            if clock.wall > budget and pairs_done < all_pairs:
                stopped = True
                break
        if stopped:
            break
    loop_time = clock.stop()
    complete = pairs_done == all_pairs

    clock = Stopwatch()
    vectorised = {}
    for a in range(k):
        vectorised.update(leader_tests_vectorised(z, a, filters[a], seasonal, max_lag))
    check_seconds = clock.stop()["wall"]

    clock = Stopwatch()
    if complete:
        q_by_test, tests_run = q_values(tests_by_pair)
        best = best_lags(tests_by_pair, q_by_test)
    bh_time = clock.stop()
    v_q, v_tests_run = q_values(vectorised)
    v_best = best_lags(vectorised, v_q)
    if not complete:
        # The extrapolated run has to pay for BH over every test too: time it on the vectorised set.
        clock = Stopwatch()
        q_values(vectorised)
        bh_time = clock.stop()
        best, tests_run = v_best, v_tests_run

    candidates = sorted(pair for pair, (lag, _, _, q) in best.items() if q <= SIGNIFICANCE and lag >= 1)
    clock = Stopwatch()
    granger_results = {}
    for leader, follower in candidates:
        granger_results[(leader, follower)] = oracle.granger_oracle(
            z[:, leader], z[:, follower], best[(leader, follower)][0]
        )
        if clock.wall > budget and len(granger_results) < len(candidates):
            break
    granger_time = clock.stop()
    granger_done = len(granger_results)

    loop_scale = all_pairs / pairs_done if pairs_done else 0.0
    granger_scale = len(candidates) / granger_done if granger_done else 0.0

    def total(kind):
        return per_kpi_time[kind] + loop_time[kind] * loop_scale + bh_time[kind] + granger_time[kind] * granger_scale

    measured = per_kpi_time["wall"] + loop_time["wall"] + bh_time["wall"] + granger_time["wall"]
    extrapolated = not complete or granger_done < len(candidates)

    # Self-check: the per-test loop against the vectorised computation.
    check = None
    if complete:
        mismatched = 0
        for pair in set(tests_by_pair) | set(vectorised):
            tests, other = tests_by_pair.get(pair, []), vectorised.get(pair, [])
            if len(other) != len(tests) or any(
                a[0] != b[0] or abs(a[1] - b[1]) > 1e-9 or abs(a[2] - b[2]) > 1e-6 * max(a[2], 1e-12) + 1e-12
                for a, b in zip(tests, other)
            ):
                mismatched += 1
        v_candidates = sorted(pair for pair, (lag, _, _, q) in v_best.items() if q <= SIGNIFICANCE and lag >= 1)
        check = {"pairs_mismatched": mismatched, "same_significant_pairs": candidates == v_candidates}

    def method(pair):
        return "deseasonalised" if seasonal[pair[0]] or seasonal[pair[1]] else "prewhitened"

    significant = sorted(
        (
            {
                "leader": names[a], "follower": names[b], "lag": best[(a, b)][0], "r": best[(a, b)][1],
                "p_value": best[(a, b)][2], "q_value": best[(a, b)][3], "granger_p": granger_results.get((a, b)),
                "method": method((a, b)),
            }
            for a, b in candidates
        ),
        key=lambda s: (s["q_value"], s["leader"], s["follower"]),
    )
    return {
        "file": os.path.basename(path),
        "kpis": k,
        "periods": n,
        "frequency": frequency,
        "max_lag": max_lag,
        "horizon": HORIZON[frequency],
        "wanders_adf_regression": WANDERS_ADF_REGRESSION,
        "pairs": all_pairs,
        "pairs_timed": pairs_done,
        "pairs_tested": len(best),
        "tests_run": tests_run,
        "significant_pairs": len(candidates),
        "significant_from": "per-test loop" if complete else "vectorised check (loop was extrapolated)",
        "granger_done": granger_done,
        "seconds": total("wall"),
        "cpu_seconds": total("cpu"),
        "seconds_measured": measured,
        "extrapolated": extrapolated,
        "phases": {
            "read_and_per_kpi": per_kpi_time["wall"],
            "pair_loop_measured": loop_time["wall"],
            "pair_loop_total": loop_time["wall"] * loop_scale,
            "benjamini_hochberg": bh_time["wall"],
            "granger_measured": granger_time["wall"],
            "granger_total": granger_time["wall"] * granger_scale,
            "vectorised_check_untimed": check_seconds,
        },
        "import_seconds": IMPORT_SECONDS,
        "self_check": check,
        "health": {h: sum(1 for kpi in per_kpi if kpi["health"] == h) for h in sorted({kpi["health"] for kpi in per_kpi})},
        "seasonal_kpis": [names[j] for j in range(k) if seasonal[j]],
        "significant": significant,
        "kpi_names": names,
        # Every tested pair at its best lag: [leader, follower, lag, r, p, q, method] (indices into kpi_names).
        "best_lags": [
            [a, b, lag, r, p, q, method((a, b))] for (a, b), (lag, r, p, q) in sorted(best.items())
        ],
        "per_kpi": per_kpi,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description="kpilot's analysis with the SPEC's reference packages, timed")
    parser.add_argument("file", help="a wide CSV from bench/generate.py")
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds the pair loop (and, separately, Granger) may run before extrapolating")
    parser.add_argument("--seed", type=int, default=12345, help="seed of the leader order")
    parser.add_argument("--json", help="write the full result to this file")
    args = parser.parse_args(argv)
    warm_up_seconds = warm_up()
    result = analyse(args.file, args.budget, args.seed)
    result["warm_up_seconds"] = warm_up_seconds
    mark = " (extrapolated from %d of %d pairs)" % (result["pairs_timed"], result["pairs"]) if result["extrapolated"] else ""
    print(
        f"{result['file']}: KPIs {result['kpis']}, periods {result['periods']}, "
        f"tests run {result['tests_run']}, significant pairs {result['significant_pairs']}, "
        f"{result['seconds']:.2f} s ({result['cpu_seconds']:.2f} s CPU){mark}"
    )
    if result["self_check"] and (result["self_check"]["pairs_mismatched"] or not result["self_check"]["same_significant_pairs"]):
        print(f"warning: per-test loop and vectorised check disagree: {result['self_check']}", file=sys.stderr)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=None, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
