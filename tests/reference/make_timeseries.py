"""Oracle values for the stats-lab Rust tests.

Generates a fixed set of KPI-like series and computes, with the reference
packages themselves, every value the Rust statistics must reproduce:

- statsmodels ``adfuller(x, regression="c", autolag="AIC")``,
  ``adfuller(x, regression="ct", autolag="AIC")`` (the wanders guard's) and
  ``kpss(x, regression="c", nlags="auto")`` on the present values;
- the stationarity decision of the SPEC from those two p-values;
- the seasonal F-test, ``OLS(y, [const, season dummies]).fit().f_test``, on
  the stationary series, and the series with its season means removed;
- ``ar_select_order(x, maxlag, ic="aic", trend="c")`` and
  ``AutoReg(x, lags=p, trend="c").fit()`` on the stationary series, and
  ``scipy.signal.lfilter(r_[1, -phi], 1, x)[p:]``;
- the Bartlett / Pyper-Peterman effective sample size with statsmodels
  ``acf`` and the t-test p-value from ``scipy.stats.t``;
- ``pymannkendall.pre_whitening_modification_test``;
- ``OLS(dy, ones).fit(cov_type="HAC", cov_kwds={"maxlags": L})`` and the
  ``trend.wanders`` rule (the "ct" ADF p > 0.05 and the HAC p > 0.05);
- ``mackinnonp`` ("c" and "ct") and the KPSS table interpolation on a grid of
  statistics;
- the whole lead/lag scan of the SPEC on three small panels: stationarity,
  seasonality, the leader's prewhitening filter applied to both series,
  ``scipy.stats.pearsonr`` at lags 0..L (Bartlett for pairs with a seasonal
  KPI), ``multipletests(method="fdr_bh")`` over every test, the best lag, and
  ``grangercausalitytests`` (ssr F) for the candidates.

Missing values follow the rules the Rust doc comments state: ADF, KPSS and
Mann-Kendall use the present values with gaps closed up; differences are
missing when either side is; AR regressions use only rows whose periods are
all present (computed here with statsmodels OLS on those rows, and checked
to agree with ar_select_order/AutoReg on every series without gaps).

Run:  python3 tests/reference/make_timeseries.py   (writes tests/fixtures/reference_timeseries.json)
Needs: numpy scipy statsmodels pymannkendall
"""

import json
import math
import pathlib
import warnings

import numpy as np
import pandas as pd
import pymannkendall
import scipy
import scipy.signal
import scipy.stats
import statsmodels
import statsmodels.api as sm
from statsmodels.tsa.adfvalues import mackinnonp
from statsmodels.tsa.ar_model import AutoReg, ar_select_order
from statsmodels.tools.sm_exceptions import SingularMatrixWarning
from statsmodels.stats.multitest import multipletests
from statsmodels.tsa.stattools import acf, adfuller, grangercausalitytests, kpss

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "reference_timeseries.json"
SIGNIFICANCE = 0.05
MIN_VALUES_FOR_LEVELS = 16
MAX_PREWHITENING_ORDER = 8

# pymannkendall's own lag-1 autocorrelation (a module-private helper).
_pmk_acf = getattr(pymannkendall.pymannkendall, "__acf")


def num(value):
    """A JSON number, or None for NaN/inf."""
    value = float(value)
    return value if math.isfinite(value) else None


def series_list(array):
    return [None if not np.isfinite(v) else float(v) for v in array]


# ---------------------------------------------------------------- series


def ar1(rng, n, phi, sd=1.0, level=0.0, burn=100):
    e = rng.normal(scale=sd, size=n + burn)
    x = np.empty(n + burn)
    x[0] = e[0]
    for t in range(1, n + burn):
        x[t] = phi * x[t - 1] + e[t]
    return level + x[burn:]


def make_series():
    rng = np.random.default_rng(20240611)
    cases = []

    def add(name, values, frequency=None, first_season=0, conditioning=None):
        cases.append(
            {
                "name": name,
                "values": np.asarray(values, dtype=float),
                "frequency": frequency,
                "first_season": first_season,
                "conditioning": conditioning,
            }
        )

    for n in (24, 50, 200, 1000):
        add(f"iid_n{n}", 10 + 2 * rng.normal(size=n))
    for n in (36, 60, 300):
        add(f"ar1_0.5_n{n}", ar1(rng, n, 0.5, level=5))
    for n in (48, 60, 500):
        add(f"ar1_0.9_n{n}", ar1(rng, n, 0.9, level=100))
    for n in (40, 120, 250):
        add(f"random_walk_n{n}", 50 + np.cumsum(rng.normal(size=n)))
    for n in (60, 300):
        add(f"random_walk_drift_n{n}", 50 + np.cumsum(0.5 + rng.normal(size=n)))
    for n in (36, 120):
        t = np.arange(n)
        add(f"trend_n{n}", 20 + 0.3 * t + 2 * rng.normal(size=n))

    months = np.arange(60)
    pattern = 3 * np.sin(2 * np.pi * months / 12) + 1.5 * np.cos(4 * np.pi * months / 12)
    add("seasonal_monthly_3y", (100 + pattern + rng.normal(size=60))[:36], "monthly", 0)
    add("seasonal_monthly_4y_april", (100 + pattern + rng.normal(size=60))[:48], "monthly", 3)
    add(
        "seasonal_monthly_5y_walk",
        100 + pattern + np.cumsum(0.4 * rng.normal(size=60)),
        "monthly",
        0,
    )
    add("weak_seasonal_monthly_4y", (20 + 0.3 * pattern + 2 * rng.normal(size=60))[:48], "monthly", 6)
    add("nonseasonal_monthly_5y", 10 + rng.normal(size=60), "monthly", 0)
    quarters = np.arange(32)
    quarter_pattern = np.array([4.0, -1.0, -3.0, 0.0])[quarters % 4]
    add("seasonal_quarterly_4y", (50 + quarter_pattern + rng.normal(size=32))[:16], "quarterly", 0)
    add("seasonal_quarterly_6y_q3", (50 + quarter_pattern + rng.normal(size=32))[:24], "quarterly", 2)
    add("seasonal_quarterly_8y_trend", 50 + 0.5 * quarters + quarter_pattern + rng.normal(size=32), "quarterly", 1)
    add("short_quarterly_2y", (50 + quarter_pattern + rng.normal(size=32))[:8], "quarterly", 0)

    for n in (4, 5, 7, 10, 12, 15, 16, 20):
        add(f"short_n{n}", 30 + np.cumsum(rng.normal(size=n)) + rng.normal(size=n))

    add("ties_rounded_ar_n48", np.round(ar1(rng, 48, 0.6, sd=0.8, level=3)))
    add("ties_integer_counts_n60", rng.poisson(4, size=60).astype(float), "monthly", 0)
    add("ties_steps_n30", np.repeat([1.0, 2.0, 2.0, 3.0, 1.0, 4.0], 5))
    add("constant_n30", np.full(30, 7.25))
    add("churn_rate_n36", 0.05 + 0.004 * ar1(rng, 36, 0.4), "monthly", 0)
    add("kpss_n512", ar1(rng, 512, 0.7))
    # statsmodels' pinv declares these designs rank-deficient (a level of
    # 1e9 against variation of 1; regressors of 1e150 against the constant
    # column of 1) and its answer is rounding noise: see CONDITIONING below.
    add("huge_offset_n80", 1e9 + ar1(rng, 80, 0.5), conditioning=("shift", 1e9))
    add("huge_scale_n80", 1e150 * ar1(rng, 80, 0.5), conditioning=("scale", 2.0**-500))

    gappy = ar1(rng, 80, 0.5, level=5)
    gappy[[3, 17, 18, 40, 63, 79]] = np.nan
    add("missing_ar1_0.5_n80", gappy)
    gappy_walk = 50 + np.cumsum(rng.normal(size=70))
    gappy_walk[[0, 10, 11, 12, 50]] = np.nan
    add("missing_random_walk_n70", gappy_walk)
    gappy_seasonal = 100 + pattern[:48] + rng.normal(size=48)
    gappy_seasonal[[5, 20, 33]] = np.nan
    add("missing_seasonal_monthly_4y", gappy_seasonal, "monthly", 0)
    gappy_iid = 10 + rng.normal(size=40)
    gappy_iid[[1, 2, 7, 30]] = np.nan
    add("missing_iid_n40", gappy_iid)
    # A random batch: more chances to land on AIC near-ties, bandwidth
    # truncation edges and every lag order.
    batch = np.random.default_rng(7)
    kinds = ("iid", "ar05", "ar09", "walk", "drift", "trend", "seasonal")
    for index in range(70):
        kind = kinds[index % len(kinds)]
        n = int(batch.integers(16, 400))
        noise = batch.normal(size=n)
        t = np.arange(n)
        if kind == "iid":
            values = 3 + noise
        elif kind == "ar05":
            values = ar1(batch, n, 0.5)
        elif kind == "ar09":
            values = ar1(batch, n, 0.9, level=20)
        elif kind == "walk":
            values = np.cumsum(noise)
        elif kind == "drift":
            values = np.cumsum(0.3 + noise)
        elif kind == "trend":
            values = 0.05 * t + noise
        else:
            values = 10 + 2 * np.sin(2 * np.pi * t / 12) + noise
        if index % 5 == 4:
            values = values.copy()
            values[batch.choice(n, size=max(1, n // 20), replace=False)] = np.nan
        add(f"batch_{index:02d}_{kind}_n{n}", values, "monthly" if kind == "seasonal" else None, index % 12)
    # The wanders guard on the calibration benchmark's kinds (a slope of 0.05
    # sd per period, a walk, a trend in AR noise), with its own generator so
    # the series above keep their values.
    guard = np.random.default_rng(20250301)
    for n in (36, 60):
        add(f"guard_trend_0.05sd_n{n}", 100 + 0.25 * np.arange(n) + 5 * guard.normal(size=n))
        add(f"guard_walk_n{n}", 100 + np.cumsum(guard.normal(size=n)))
    add("guard_trend_ar05_n60", 100 + 0.25 * np.arange(60) + ar1(guard, 60, 0.5, sd=5))
    gappy_trend = 100 + 0.25 * np.arange(48) + 5 * guard.normal(size=48)
    gappy_trend[[0, 9, 10, 30]] = np.nan
    add("guard_missing_trend_n48", gappy_trend)
    add("guard_short_n6", 30 + np.cumsum(guard.normal(size=6)))
    add("all_missing_n12", np.full(12, np.nan))
    add("two_values", np.array([1.0, 3.0]))
    return cases


# ---------------------------------------------------------------- oracles


# CONDITIONING: where statsmodels reports a rank-deficient design for a case
# that defines an exact conditioning (subtracting a constant that Sterbenz's
# lemma makes exact, or multiplying by a power of two), the ADF and AR
# oracles are computed on the conditioned copy, which is the same series
# for these shift- and scale-invariant statistics, and mapped back exactly
# (the AR intercept and the filtered values are scaled back). The raw
# statsmodels answer is kept in the JSON as "statsmodels_raw" for the record.


class RankDeficiency:
    """Records whether statsmodels warned of a rank-deficient design."""

    def __enter__(self):
        self._catcher = warnings.catch_warnings(record=True)
        self._caught = self._catcher.__enter__()
        warnings.simplefilter("always")
        self.found = False
        return self

    def __exit__(self, *exc):
        self.found = any(issubclass(w.category, SingularMatrixWarning) for w in self._caught)
        self._catcher.__exit__(*exc)
        return False


def condition(array, conditioning):
    kind, amount = conditioning
    return array - amount if kind == "shift" else array * amount


def uncondition_ar(ar, conditioning):
    kind, amount = conditioning
    if ar is None or kind == "shift":
        return ar
    ar = dict(ar)
    ar["intercept"] = ar["intercept"] / amount
    ar["filtered"] = [None if v is None else v / amount for v in ar["filtered"]]
    return ar


def adf_oracle(present, regression="c"):
    try:
        res = adfuller(present, regression=regression, autolag="AIC", result_object=True)
    except (ValueError, np.linalg.LinAlgError):
        return None
    if not math.isfinite(res.statistic):
        return None
    return {
        "statistic": float(res.statistic),
        "p_value": float(res.pvalue),
        "used_lag": int(res.lags),
        "nobs": int(res.nobs),
        "critical_1": float(res.critical_values["1%"]),
        "critical_5": float(res.critical_values["5%"]),
        "critical_10": float(res.critical_values["10%"]),
    }


def kpss_oracle(present):
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = kpss(present, regression="c", nlags="auto", result_object=True)
    except (ValueError, OverflowError, ZeroDivisionError):
        return None
    if not math.isfinite(res.statistic):
        return None
    interpolation = [w for w in caught if "look-up table" in str(w.message)]
    clipped = None
    if interpolation:
        clipped = "larger" if "greater" in str(interpolation[0].message) else "smaller"
    return {
        "statistic": float(res.statistic),
        "p_value": float(res.pvalue),
        "lags": int(res.lags),
        "clipped": clipped,
    }


def decide(present_count, adf, kpss_result):
    levels = (
        present_count >= MIN_VALUES_FOR_LEVELS
        and adf is not None
        and adf["p_value"] <= SIGNIFICANCE
        and kpss_result is not None
        and kpss_result["p_value"] > SIGNIFICANCE
    )
    return "level" if levels else "differenced"


def stationary_array(values, form):
    if form == "level":
        return values - np.nanmean(values) if np.isfinite(values).any() else values.copy()
    out = np.full(values.shape, np.nan)
    out[1:] = values[1:] - values[:-1]
    return out


def seasonal_oracle(values, stationary, frequency, first_season):
    seasons = 12 if frequency == "monthly" else 4
    if np.isfinite(values).sum() < 3 * seasons:
        return None, None
    season = (first_season + np.arange(len(stationary))) % seasons
    keep = np.isfinite(stationary)
    y = stationary[keep]
    s = season[keep]
    if len(set(s.tolist())) < seasons or len(y) <= seasons:
        return None, None
    dummies = np.column_stack([(s == k).astype(float) for k in range(1, seasons)])
    exog = np.column_stack([np.ones(len(y)), dummies])
    fit = sm.OLS(y, exog).fit()
    restriction = np.zeros((seasons - 1, seasons))
    restriction[:, 1:] = np.eye(seasons - 1)
    test = fit.f_test(restriction)
    means = {k: y[s == k].mean() for k in range(seasons)}
    deseasonalised = np.array(
        [v - means[season[i]] if np.isfinite(v) else np.nan for i, v in enumerate(stationary)]
    )
    result = {
        "f_statistic": float(np.squeeze(test.fvalue)),
        "p_value": float(np.squeeze(test.pvalue)),
        "df_numerator": int(test.df_num),
        "df_denominator": int(test.df_denom),
    }
    return result, series_list(deseasonalised)


def complete_rows(x, max_lag):
    rows = [t for t in range(max_lag, len(x)) if np.isfinite(x[t - max_lag : t + 1]).all()]
    y = np.array([x[t] for t in rows])
    lags = np.array([[x[t - j] for j in range(1, max_lag + 1)] for t in rows]).reshape(
        len(rows), max_lag
    )
    return y, lags


def ar_select_on_complete_rows(x, max_order):
    """ar_select_order's AIC search, on the rows whose periods are all present."""
    for cap in range(max_order, -1, -1):
        y, lags = complete_rows(x, cap)
        if len(y) < cap + 2:
            continue
        nobs = len(y)
        best = None
        for order in range(cap + 1):
            exog = np.column_stack([np.ones(nobs), lags[:, :order]])
            res = sm.OLS(y, exog).fit()
            sigma2 = np.sum(res.resid**2) / nobs
            llf = -nobs * (np.log(2 * np.pi * sigma2) + 1) / 2
            aic = -2 * llf + 2 * (order + 1)
            if best is None or aic < best[0]:
                best = (aic, order)
        return best[1]
    return None


def ar_fit_on_complete_rows(x, order):
    y, lags = complete_rows(x, order)
    exog = np.column_stack([np.ones(len(y)), lags])
    params = sm.OLS(y, exog).fit().params
    return float(params[0]), [float(p) for p in params[1:]]


def ar_oracle(stationary):
    present = np.isfinite(stationary)
    m = int(present.sum())
    if m < 2:
        return None
    max_order = min(MAX_PREWHITENING_ORDER, m // 4)
    first = int(np.argmax(present))
    last = len(stationary) - int(np.argmax(present[::-1]))
    interior_gaps = not present[first:last].all()
    if interior_gaps:
        order = ar_select_on_complete_rows(stationary, max_order)
        intercept, coefficients = ar_fit_on_complete_rows(stationary, order)
    else:
        x = stationary[first:last]
        if max_order > 0:
            order = ar_select_order(x, max_order, ic="aic", trend="c").ar_lags
            order = 0 if order is None else len(order)
        else:
            order = 0
        res = AutoReg(x, lags=order, trend="c").fit()
        intercept = float(res.params[0])
        coefficients = [float(p) for p in res.params[1:]]
        # The complete-rows oracle used for gappy series must agree here.
        assert ar_select_on_complete_rows(stationary, max_order) == order
        check_intercept, check_coefficients = ar_fit_on_complete_rows(stationary, order)
        assert np.allclose(check_coefficients, coefficients, rtol=1e-9, atol=1e-12)
    filtered = scipy.signal.lfilter(np.r_[1.0, -np.asarray(coefficients)], 1.0, stationary)
    return {
        "max_order": max_order,
        "order": order,
        "intercept": intercept,
        "coefficients": coefficients,
        "filtered": series_list(filtered[order:]),
    }


def mk_oracle(values):
    present = values[np.isfinite(values)]
    if len(present) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pymannkendall.pre_whitening_modification_test(values)
        lag1 = _pmk_acf(present, nlags=1)[1]
    return {
        "s": float(res.s),
        "tau": float(res.Tau),
        "p_value": float(res.p),
        "z": float(res.z),
        "var_s": float(res.var_s),
        "lag1_autocorrelation": num(lag1),
    }


def hac_oracle(values):
    dy = values[1:] - values[:-1]
    dy = dy[np.isfinite(dy)]
    n = len(dy)
    if n < 2:
        return None
    maxlags = int(np.floor(4 * (n / 100.0) ** (2.0 / 9.0)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.OLS(dy, np.ones(n)).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags})
    t = float(res.tvalues[0])
    if not math.isfinite(t):
        return None
    assert res.use_t is False and res.cov_kwds["use_correction"] is False
    return {
        "mean_difference": float(res.params[0]),
        "standard_error": float(res.bse[0]),
        "t_statistic": t,
        "p_value": float(res.pvalues[0]),
        "maxlags": maxlags,
        "nobs": n,
    }


def bartlett_oracle(name, x, y):
    """N* and the t-test p-value for the pairs (x[t], y[t])."""
    length = min(len(x), len(y))
    x, y = x[:length].copy(), y[:length].copy()
    paired = np.isfinite(x) & np.isfinite(y)
    x[~paired] = np.nan
    y[~paired] = np.nan
    m = int(paired.sum())
    lags = min(max(m // 5, 13), m - 1, length - 1)
    missing = "conservative" if not paired.all() else "none"
    rho_x = acf(x, nlags=lags, adjusted=False, fft=False, missing=missing)
    rho_y = acf(y, nlags=lags, adjusted=False, fft=False, missing=missing)
    j = np.arange(1, lags + 1)
    inverse = 1.0 / m + (2.0 / m) * np.sum((m - j) / m * rho_x[1:] * rho_y[1:])
    n_star = m if inverse <= 0 else float(np.clip(1.0 / inverse, 3.0, m))
    r = scipy.stats.pearsonr(x[paired], y[paired]).statistic
    df = n_star - 2
    t = r * np.sqrt(df / (1 - r * r))
    p = 2 * scipy.stats.t.sf(abs(t), df)
    return {
        "name": name,
        "x": series_list(x),
        "y": series_list(y),
        "pairs": m,
        "effective_sample_size": float(n_star),
        "r": float(r),
        "p_value": float(p),
    }


def kpss_table_p(stat):
    return float(np.interp(stat, [0.347, 0.463, 0.574, 0.739], [0.10, 0.05, 0.025, 0.01]))


MIN_PAIRS = 8
MAX_LAG = 3


def granger_oracle(leader, follower, k):
    """The SPEC's Granger F-test on the rows where every lag is present."""
    ld = pd.Series(leader, dtype=float)
    fd = pd.Series(follower, dtype=float)
    cols = {"y": fd}
    for j in range(1, k + 1):
        cols[f"f{j}"] = fd.shift(j)
    for j in range(1, k + 1):
        cols[f"l{j}"] = ld.shift(j)
    frame = pd.DataFrame(cols).dropna()
    if len(frame) - 2 * k - 1 <= 0:
        return None
    own = [f"f{j}" for j in range(1, k + 1)]
    joint = own + [f"l{j}" for j in range(1, k + 1)]
    # grangercausalitytests itself when the rows are one unbroken run.
    both = np.column_stack([follower, leader])
    start = 0
    while start < len(both) and np.isnan(both[start]).any():
        start += 1
    run = both[start:]
    if run.shape[0] > 0 and not np.isnan(run).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = grangercausalitytests(run, [k])
        return float(res[k][0]["ssr_ftest"][1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        restricted = sm.OLS(frame["y"], sm.add_constant(frame[own], has_constant="add")).fit()
        full = sm.OLS(frame["y"], sm.add_constant(frame[joint], has_constant="add")).fit()
    return float(full.compare_f_test(restricted)[1])


def filtered(series, coefficients):
    """e[t] = x[t] - sum phi_j x[t-j], aligned to periods, NaN where a window has one."""
    p = len(coefficients)
    out = np.full(len(series), np.nan)
    for t in range(p, len(series)):
        window = series[t - p : t + 1]
        if np.isfinite(window).all():
            out[t] = series[t] - sum(c * series[t - j - 1] for j, c in enumerate(coefficients))
    return out


def lag_test(x, y, lag, seasonal):
    """r, pairs and p of (x[t], y[t+lag]); None when skipped."""
    length = min(len(x), len(y))
    a, b = x[: length - lag], y[lag:length]
    paired = np.isfinite(a) & np.isfinite(b)
    m = int(paired.sum())
    if m < MIN_PAIRS or np.ptp(a[paired]) == 0 or np.ptp(b[paired]) == 0:
        return None
    if seasonal:
        result = bartlett_oracle("pair", a, b)
        return result["r"], m, result["p_value"]
    r, p = scipy.stats.pearsonr(a[paired], b[paired])
    return float(r), m, float(p)


def leadlag_oracle(name, panel, frequency="monthly", first_season=0):
    profiles = []
    for values in panel:
        present = values[np.isfinite(values)]
        adf = adf_oracle(present)
        kp = kpss_oracle(present)
        form = decide(len(present), adf, kp)
        stationary = stationary_array(values, form)
        seasonal, deseasonalised = seasonal_oracle(values, stationary, frequency, first_season)
        is_seasonal = seasonal is not None and seasonal["p_value"] <= 0.01
        if is_seasonal:
            stationary = np.array([np.nan if v is None else v for v in deseasonalised])
        coefficients = []
        if not is_seasonal:
            ar = ar_oracle(stationary)
            coefficients = ar["coefficients"] if ar is not None else []
        profiles.append(
            {"form": form, "seasonal": is_seasonal, "stationary": stationary, "coefficients": coefficients}
        )
    n = len(panel[0])
    max_lag = min(MAX_LAG, n // 4)
    tests = []
    for i, leader in enumerate(profiles):
        for j, follower in enumerate(profiles):
            if i == j:
                continue
            seasonal = leader["seasonal"] or follower["seasonal"]
            if seasonal:
                x, y = leader["stationary"], follower["stationary"]
            else:
                x = filtered(leader["stationary"], leader["coefficients"])
                y = filtered(follower["stationary"], leader["coefficients"])
            for lag in range(max_lag + 1):
                result = lag_test(x, y, lag, seasonal)
                if result is not None:
                    tests.append((i, j, lag, *result, "deseasonalised" if seasonal else "prewhitened"))
    q_values = multipletests([t[5] for t in tests], method="fdr_bh")[1]
    best = {}
    for test, q in zip(tests, q_values):
        i, j, lag, r, m, p, method = test
        kept = best.get((i, j))
        if kept is None or abs(r) > abs(kept["r"]):
            best[(i, j)] = {"leader": i, "follower": j, "lag": lag, "r": r, "pairs": m, "p": p, "q": float(q), "method": method}
    pairs = []
    for key in sorted(best):
        entry = best[key]
        entry["significant"] = bool(entry["q"] <= 0.05 and entry["lag"] >= 1)
        entry["granger_p"] = (
            granger_oracle(profiles[key[0]]["stationary"], profiles[key[1]]["stationary"], entry["lag"])
            if entry["significant"]
            else None
        )
        pairs.append(entry)
    return {
        "name": name,
        "frequency": frequency,
        "first_season": first_season,
        "max_lag": max_lag,
        "series": [series_list(values) for values in panel],
        "forms": [profile["form"] for profile in profiles],
        "seasonal": [profile["seasonal"] for profile in profiles],
        "orders": [len(profile["coefficients"]) for profile in profiles],
        "tests": len(tests),
        "pairs": pairs,
    }


def leadlag_panels():
    rng = np.random.default_rng(20261201)
    panels = []
    # Stationary rates and a random walk, a planted lag-2 pair, gaps.
    n = 60
    leader = ar1(rng, n, 0.5, level=10.0)
    follower = np.r_[np.full(2, np.nan), 0.8 * (leader[:-2] - 10.0)] + rng.normal(0, 0.6, n) + 5.0
    follower[:2] = 5.0 + rng.normal(0, 0.6, 2)
    walk = np.cumsum(rng.normal(0, 1, n)) + 50.0
    driven_by_walk = np.r_[np.nan, 0.9 * np.diff(walk)].cumsum()
    driven_by_walk[0] = 0.0
    driven_by_walk = np.nan_to_num(driven_by_walk) + rng.normal(0, 0.5, n).cumsum() * 0.3 + 20.0
    noise = rng.normal(3.0, 1.0, n)
    trend = 0.05 * np.arange(n) + rng.normal(0, 1.0, n)
    gappy = ar1(rng, n, 0.3, level=7.0)
    gappy[[5, 6, 30, 47]] = np.nan
    panels.append(leadlag_oracle("stationary_and_walks_n60", [leader, follower, walk, driven_by_walk, noise, trend, gappy]))
    # A shared monthly season, one pair planted at lag 1 beneath it.
    n = 72
    season = 3.0 * np.sin(2 * np.pi * np.arange(n) / 12)
    base = rng.normal(0, 1, n)
    a = 20 + season + base
    b = 40 + season + np.r_[0.0, 0.8 * base[:-1]] + rng.normal(0, 0.5, n)
    c = 10 + season + rng.normal(0, 1, n)
    d = np.cumsum(rng.normal(0, 1, n)) + 5
    panels.append(leadlag_oracle("shared_season_n72", [a, b, c, d], first_season=3))
    # Short and exploratory.
    n = 30
    x = ar1(rng, n, 0.2, level=1.0)
    y = np.r_[1.0, 0.9 * x[:-1]] + rng.normal(0, 0.3, n)
    z = rng.normal(0, 1, n)
    panels.append(leadlag_oracle("short_n30", [x, y, z]))
    return panels


def main():
    warnings.simplefilter("ignore")
    cases = make_series()
    values_by_name = {case["name"]: case["values"] for case in cases}
    out_series = []
    stationary_by_name = {}
    for case in cases:
        values = case["values"]
        present = values[np.isfinite(values)]
        conditioning = case["conditioning"]
        record = {}
        with RankDeficiency() as adf_check:
            adf = adf_oracle(present)
        if adf_check.found and conditioning is not None:
            record["statsmodels_raw_adf"] = adf
            adf = adf_oracle(condition(present, conditioning))
        with RankDeficiency() as adf_ct_check:
            adf_ct = adf_oracle(present, regression="ct")
        if adf_ct_check.found and conditioning is not None:
            record["statsmodels_raw_adf_ct"] = adf_ct
            adf_ct = adf_oracle(condition(present, conditioning), regression="ct")
        kpss_result = kpss_oracle(present)
        form = decide(len(present), adf, kpss_result)
        stationary = stationary_array(values, form)
        stationary_by_name[case["name"]] = stationary
        with RankDeficiency() as ar_check:
            ar = ar_oracle(stationary)
        if ar_check.found and conditioning is not None:
            record["statsmodels_raw_ar"] = ar
            conditioned = stationary_array(condition(values, conditioning), form)
            ar = uncondition_ar(ar_oracle(conditioned), conditioning)
        rank_deficient = [
            name
            for name, check in (("adf", adf_check), ("adf_ct", adf_ct_check), ("ar", ar_check))
            if check.found
        ]
        if rank_deficient:
            print(f"  {case['name']}: statsmodels rank-deficient in {rank_deficient}"
                  + (" (conditioned oracle used)" if conditioning else ""))
        seasonal, deseasonalised = (None, None)
        if case["frequency"] is not None:
            seasonal, deseasonalised = seasonal_oracle(
                values, stationary, case["frequency"], case["first_season"]
            )
        hac = hac_oracle(values)
        # The guard asks "random walk, or trend?": its ADF has a trend.
        wanders = bool(
            adf_ct is not None
            and hac is not None
            and adf_ct["p_value"] > SIGNIFICANCE
            and hac["p_value"] > SIGNIFICANCE
        )
        out_series.append(
            {
                "name": case["name"],
                "values": series_list(values),
                "frequency": case["frequency"],
                "first_season": case["first_season"],
                "adf": adf,
                "adf_ct": adf_ct,
                "kpss": kpss_result,
                "stationarity": form,
                "stationary": series_list(stationary),
                "seasonal": seasonal,
                "deseasonalised": deseasonalised,
                "ar": ar,
                "mk_prewhitened": mk_oracle(values),
                "hac": hac,
                "wanders": wanders,
                "statsmodels_rank_deficient": rank_deficient,
                **record,
            }
        )

    def seasonal_stationary(name, frequency, first_season):
        stationary = stationary_by_name[name]
        seasons = 12 if frequency == "monthly" else 4
        season = (first_season + np.arange(len(stationary))) % seasons
        out = stationary.copy()
        for k in range(seasons):
            mask = (season == k) & np.isfinite(stationary)
            out[mask] -= stationary[mask].mean()
        return out

    a = seasonal_stationary("seasonal_monthly_5y_walk", "monthly", 0)
    b = seasonal_stationary("nonseasonal_monthly_5y", "monthly", 0)
    c = seasonal_stationary("ties_integer_counts_n60", "monthly", 0)
    d = seasonal_stationary("missing_seasonal_monthly_4y", "monthly", 0)
    pairs = [
        bartlett_oracle("seasonal_walk_vs_noise_lag0", a, b),
        bartlett_oracle("seasonal_walk_vs_noise_lag2", a[:-2], b[2:]),
        bartlett_oracle("seasonal_walk_vs_counts_lag1", a[:-1], c[1:]),
        bartlett_oracle("seasonal_walk_vs_itself_lag1", a[:-1], a[1:]),
        bartlett_oracle("stationary_ar09_vs_ar05", stationary_by_name["ar1_0.9_n60"], stationary_by_name["ar1_0.5_n60"]),
        bartlett_oracle("levels_ar09_vs_drifting_walk", values_by_name["ar1_0.9_n60"], values_by_name["random_walk_drift_n60"]),
        bartlett_oracle("gappy_seasonal_vs_walk_lag3", d[:-3], a[3:48]),
        bartlett_oracle("short_20_pairs", a[:20], c[:20]),
    ]

    mackinnon_grid = [float(s) for s in np.r_[np.linspace(-20, 3, 93), [-18.83, -1.61, 2.74, -1.6100001, -3.0]]]
    mackinnon = [[s, float(mackinnonp(s, regression="c", N=1))] for s in mackinnon_grid]
    mackinnon_ct_grid = [
        float(s) for s in np.r_[np.linspace(-20, 3, 93), [-16.18, -2.89, 0.7, -2.8900001, -3.5]]
    ]
    mackinnon_ct = [[s, float(mackinnonp(s, regression="ct", N=1))] for s in mackinnon_ct_grid]
    kpss_grid = [float(s) for s in np.r_[np.linspace(0.0, 1.0, 41), [0.347, 0.463, 0.574, 0.739]]]
    kpss_table = [[s, kpss_table_p(s)] for s in kpss_grid]

    document = {
        "generator": "tests/reference/make_timeseries.py",
        "versions": {
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
            "pymannkendall": pymannkendall.__version__,
        },
        "series": out_series,
        "bartlett": pairs,
        "mackinnon": mackinnon,
        "mackinnon_ct": mackinnon_ct,
        "kpss_table": kpss_table,
        "leadlag": leadlag_panels(),
    }
    OUT.write_text(json.dumps(document, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"wrote {OUT} ({len(out_series)} series, {len(pairs)} pairs)")


if __name__ == "__main__":
    main()
