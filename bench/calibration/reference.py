"""The SPEC's statistics ("Exact definitions") written with the reference packages.

The calibration tables show, next to kpilot's numbers, what these methods
achieve on the same series, so a gap is either the engine departing from the
SPEC or the SPEC's method itself falling short.

* Lead/lag (`lead_lag`): stationarity by ADF + KPSS (levels only when ADF
  rejects and KPSS does not), the month-dummy F-test for seasonality (1 %), month
  means removed from seasonal KPIs; for pairs of non-seasonal KPIs both series
  filtered with the leader's AR(p) (`ar_select_order`, AIC, p ≤ min(8, m/4),
  then `AutoReg`) and Pearson's t-test; for pairs with a seasonal KPI no
  prewhitening and the Bartlett / Pyper–Peterman effective sample size; lags
  0..min(3, n/4); Benjamini–Hochberg over every test; significant when the best
  lag's q ≤ 0.05 and the best lag ≥ 1.
* Trend (`trend_signs`): `pymannkendall.pre_whitening_modification_test` at 5 %,
  flat when the series "wanders" (ADF p > 0.05 and the HAC t-test of the mean
  first difference p > 0.05); the ADF with a constant, or with a constant and
  a trend (a variant, see `wanders`).
* Forecast (`fit_ets`, `forecast`): statsforecast `AutoETS` over ETS(A,N,N),
  ETS(A,Ad,N), ETS(A,A,N), plus the additive-season models for a seasonal KPI
  with at least four full cycles, chosen by AICc; its 95 % interval.
* at_risk (`breach_probability`): the share of 4,000 simulated paths of the
  fitted ETS model (fixed seed) with a period outside the target within the
  horizon; at_risk when ≥ 0.5.

Where the SPEC leaves a choice open, the choice is said in the function.
"""

import math
import warnings

import numpy as np
from scipy import signal, stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.multitest import multipletests
from statsmodels.tsa.ar_model import AutoReg, ar_select_order
from statsmodels.tsa.stattools import adfuller, kpss

warnings.filterwarnings("ignore")  # KPSS's "p-value outside the table" and friends

ALPHA = 0.05
SEASONAL_ALPHA = 0.01
ETS_DRAWS = 4000


# --- stationarity and seasonality ---------------------------------------------


def adf_p(y, regression="c"):
    """ADF p-value, constant only (or "ct"), lag order by AIC (NaN when the test cannot run)."""
    try:
        return float(adfuller(y, regression=regression, autolag="AIC")[1])
    except (ValueError, np.linalg.LinAlgError):
        return math.nan


def kpss_p(y):
    """KPSS level-stationarity p-value, automatic lags (NaN when the test cannot run)."""
    try:
        return float(kpss(y, regression="c", nlags="auto")[1])
    except (ValueError, OverflowError, np.linalg.LinAlgError):
        return math.nan


def stationary(y):
    """The series the lead/lag scan uses, as a length-n array (NaN where absent).

    Levels (demeaned) when ADF rejects a unit root (p ≤ 0.05) and KPSS does not
    reject level stationarity (p > 0.05); first differences otherwise, and for
    fewer than 16 values.
    """
    y = np.asarray(y, dtype=float)
    if len(y) >= 16 and adf_p(y) <= ALPHA and kpss_p(y) > ALPHA:
        return y - y.mean()
    z = np.full(len(y), np.nan)
    z[1:] = np.diff(y)
    return z


def is_seasonal(z, period):
    """Month (quarter) dummy F-test on the stationary series z, significant at 1 %.

    Only with a seasonal period and at least three full cycles of periods.
    """
    if period <= 1 or len(z) < 3 * period:
        return False
    t = np.flatnonzero(np.isfinite(z))
    dummies = (t[:, None] % period) == np.arange(1, period)[None, :]
    design = np.column_stack([np.ones(len(t)), dummies.astype(float)])
    restriction = np.eye(period)[1:]  # every dummy coefficient is zero
    try:
        fit = OLS(z[t], design).fit()
        return float(fit.f_test(restriction).pvalue) <= SEASONAL_ALPHA
    except (ValueError, np.linalg.LinAlgError):
        return False


def deseasonalise(z, period):
    """z minus its month (quarter) means over the present values."""
    out = z.copy()
    t = np.arange(len(z))
    for month in range(period):
        at = (t % period == month) & np.isfinite(z)
        if at.any():
            out[at] -= z[at].mean()
    return out


# --- lead/lag -------------------------------------------------------------------


def ar_filter(x):
    """The AR(p) coefficients of x (present values, in order) by AIC; empty for p = 0."""
    x = x[np.isfinite(x)]
    max_lag = min(8, len(x) // 4)
    if max_lag < 1:
        return np.array([])
    try:
        lags = ar_select_order(x, max_lag, ic="aic", trend="c").ar_lags
        if not lags:
            return np.array([])
        return np.asarray(AutoReg(x, lags=max(lags), trend="c").fit().params[1:])
    except (ValueError, np.linalg.LinAlgError):
        return np.array([])


def prewhiten(z, phi):
    """Filter z with 1 − φ1 B − … − φp B^p (its present suffix), dropping the first p values."""
    out = np.full(len(z), np.nan)
    present = np.flatnonzero(np.isfinite(z))
    if len(present) == 0:
        return out
    start = present[0]
    out[start:] = signal.lfilter(np.r_[1.0, -phi], [1.0], z[start:])
    out[start : start + len(phi)] = np.nan
    return out


def acf(x, max_lag):
    """Sample autocorrelations ρ(1..max_lag) of a complete series (statsmodels' estimator)."""
    d = x - x.mean()
    denominator = d @ d
    return np.array([(d[: len(d) - j] @ d[j:]) / denominator for j in range(1, max_lag + 1)])


def bartlett_n(x, y):
    """Pyper–Peterman effective sample size of two aligned series, clipped to [3, m]."""
    m = len(x)
    J = min(max(m // 5, 13), m - 1)
    weights = (m - np.arange(1, J + 1)) / m
    inverse = 1.0 / m + (2.0 / m) * np.sum(weights * acf(x, J) * acf(y, J))
    return float(np.clip(1.0 / inverse if inverse > 0 else m, 3, m))


def lagged_tests(x, followers, lag, effective_n):
    """r and p between x[t] and each follower column at t + lag (pairwise-complete rows).

    Vectorised over the followers; NaN where the test is skipped (fewer than 8
    pairs, or a constant side). With effective_n the t-test uses the Bartlett
    effective sample size of each pair instead of the number of pairs.
    """
    a = x[: len(x) - lag, None]
    b = followers[lag:]
    both = np.isfinite(a) & np.isfinite(b)
    m = both.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        da = np.where(both, a - np.where(both, a, 0).sum(axis=0) / m, 0.0)
        db = np.where(both, b - np.where(both, b, 0).sum(axis=0) / m, 0.0)
        sxx, syy, sxy = (da * da).sum(axis=0), (db * db).sum(axis=0), (da * db).sum(axis=0)
        r = sxy / np.sqrt(sxx * syy)
    valid = (m >= 8) & (sxx > 0) & (syy > 0)
    r = np.where(valid, np.clip(r, -1.0, 1.0), np.nan)
    n_eff = m.astype(float)
    if effective_n:
        for j in np.flatnonzero(valid):
            rows = both[:, j]
            n_eff[j] = bartlett_n(a[rows, 0], b[rows, j])
    dof = n_eff - 2
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.abs(r) * np.sqrt(dof / np.maximum(1.0 - r * r, 1e-300))
    p = np.where(valid, 2.0 * stats.t.sf(t, np.maximum(dof, 1)), np.nan)
    return r, p


def lead_lag(values, period=12, max_lag=3):
    """Every ordered pair (leader, follower) of the columns of `values` (n × k).

    Returns {(leader, follower): (lag, r, p, q, significant)} at each pair's best lag.
    """
    n, k = values.shape
    lags = range(min(max_lag, n // 4) + 1)
    z = np.column_stack([stationary(values[:, j]) for j in range(k)])
    seasonal = np.array([is_seasonal(z[:, j], period) for j in range(k)])
    z = np.column_stack([deseasonalise(z[:, j], period) if seasonal[j] else z[:, j] for j in range(k)])

    tests = []  # (leader, follower, lag, r, p)
    for a in range(k):
        others = np.array([b for b in range(k) if b != a])
        # Pairs with a seasonal KPI: deseasonalised series, Bartlett; the rest prewhitened.
        groups = [(others[seasonal[a] | seasonal[others]], z, True)]
        plain = others[~(seasonal[a] | seasonal[others])]
        if len(plain):
            phi = ar_filter(z[:, a])
            filtered = np.column_stack([prewhiten(z[:, j], phi) for j in range(k)])
            groups.append((plain, filtered, False))
        for followers, series, effective_n in groups:
            if len(followers) == 0:
                continue
            for lag in lags:
                r, p = lagged_tests(series[:, a], series[:, followers], lag, effective_n)
                tests += [(a, b, lag, rj, pj) for b, rj, pj in zip(followers, r, p) if np.isfinite(pj)]
    if not tests:
        return {}
    q = multipletests([t[4] for t in tests], method="fdr_bh")[1]

    best = {}
    for (a, b, lag, r, p), q_value in zip(tests, q):
        current = best.get((a, b))
        if current is None or abs(r) > abs(current[1]) or (abs(r) == abs(current[1]) and lag < current[0]):
            best[(a, b)] = (lag, r, p, float(q_value))
    return {pair: (lag, r, p, q_value, q_value <= ALPHA and lag >= 1) for pair, (lag, r, p, q_value) in best.items()}


# --- trend ------------------------------------------------------------------------


def wanders(y, regression="c"):
    """A random walk without drift: ADF p > 0.05 and a HAC t-test of mean Δy with p > 0.05.

    The SPEC does not name the ADF's deterministic terms here; "c" (its
    stationarity test's) is the default. With "c" a trend-stationary series
    rarely rejects the unit root, and the HAC test of the mean difference is
    weak (the mean of Δy is (y_n − y_1)/(n − 1)), so the guard also silences
    real trends; regression="ct" is the variant the trend table shows beside it.
    """
    if adf_p(y, regression) <= ALPHA:
        return False
    dy = np.diff(y)
    max_lags = int(4 * (len(y) / 100) ** (2 / 9))
    fit = OLS(dy, np.ones(len(dy))).fit(cov_type="HAC", cov_kwds={"maxlags": max_lags})
    return float(fit.pvalues[0]) > ALPHA


def trend_signs(y):
    """(+1 / −1 / 0 with the SPEC's wanders guard, the same with the guard's ADF on "ct").

    +1 / −1 for a significant rising / falling pre-whitened Mann–Kendall trend,
    0 for flat (not significant, or the series wanders).
    """
    import pymannkendall

    y = np.asarray(y, dtype=float)
    result = pymannkendall.pre_whitening_modification_test(y)
    if not result.p <= ALPHA:
        return 0, 0
    sign = 1 if result.z > 0 else -1
    return tuple(0 if wanders(y, regression) else sign for regression in ("c", "ct"))


# --- forecast -------------------------------------------------------------------


def fit_ets(y, period):
    """statsforecast AutoETS over the SPEC's model set, by AICc (None when nothing fits).

    The season enters the candidate set only for a KPI whose month-dummy test
    is significant and that has at least four full cycles.
    """
    from statsforecast.models import AutoETS

    y = np.asarray(y, dtype=float)
    candidates = [(1, "AZN")]
    if period > 1 and len(y) >= 4 * period and is_seasonal(stationary(y), period):
        candidates.append((period, "AZA"))
    best = None
    for season_length, spec in candidates:
        try:
            model = AutoETS(season_length=season_length, model=spec).fit(y)
        except Exception:  # statsforecast raises bare exceptions on degenerate fits
            continue
        if best is None or model.model_["aicc"] < best.model_["aicc"]:
            best = model
    return best


def forecast(model, horizon):
    """(mean, low, high) of the fitted model's 95 % interval for steps 1..horizon."""
    result = model.predict(h=horizon, level=[95])
    return result["mean"], result["lo-95"], result["hi-95"]


def ets_paths(model, horizon, draws, rng):
    """Sample paths (draws × horizon) of a fitted additive-error ETS model from its last state.

    State equations (Hyndman et al., additive error): ŷ = l + φb + s_{t−m};
    l ← l + φb + αe; b ← φb + βe; s_t = s_{t−m} + γe, e ~ N(0, σ²).
    statsforecast keeps the seasonal states newest first, so s_{t−m} is the last one.
    """
    fitted = model.model_
    _, trend, season, damped = fitted["components"][:4]
    alpha, beta, gamma, phi = (float(v) for v in fitted["par"][:4])
    state = np.asarray(fitted["states"][-1], dtype=float)
    level = np.full(draws, state[0])
    slope = np.full(draws, state[1] if trend != "N" else 0.0)
    seasons = np.tile(state[2 if trend != "N" else 1 :], (draws, 1)) if season != "N" else None
    phi = phi if damped == "D" else 1.0
    beta = beta if trend != "N" else 0.0
    sigma = math.sqrt(float(fitted["sigma2"]))
    paths = np.empty((draws, horizon))
    for step in range(horizon):
        damped_slope = phi * slope
        season_now = seasons[:, -1] if seasons is not None else 0.0
        error = rng.normal(0.0, sigma, size=draws)
        paths[:, step] = level + damped_slope + season_now + error
        level = level + damped_slope + alpha * error
        slope = damped_slope + beta * error
        if seasons is not None:
            seasons = np.column_stack([season_now + gamma * error, seasons[:, :-1]])
    return paths


def breach_probability(model, horizon, target, seed=0):
    """Share of ETS_DRAWS simulated paths with a period outside target = (op, value)."""
    paths = ets_paths(model, horizon, ETS_DRAWS, np.random.default_rng(seed))
    op, value = target
    outside = paths > value if op == "<=" else paths < value
    return float(outside.any(axis=1).mean())
