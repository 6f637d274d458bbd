"""Simulated KPI series of the kinds real sheets hold, with fixed seeds.

Every generator returns an (n, k) array: n monthly periods down, k KPIs across.
Stationary KPIs sit around a level of 100 with a marginal standard deviation of
SD = 5; random walks start at 100 with steps of sd 1. The scale does not matter
to any statistic the benchmark measures; it only keeps the numbers KPI-like
(positive, a few digits).

Seeds: `rng_for(study, *keys)` derives one generator per cell and panel from the
base seed, so a quick run draws the first panels of a full run, and any table
cell can be re-drawn on its own.
"""

import zlib

import numpy as np

LEVEL = 100.0
SD = 5.0
RW_STEP_SD = 1.0
PERIOD = 12  # monthly sheets

# The series types of the study, in table order, with their labels.
TYPES = {
    "iid": "i.i.d.",
    "ar05": "AR(1) φ=0.5",
    "ar09": "AR(1) φ=0.9",
    "rw": "random walk",
    "trend": "trend + noise",
    "seasonal": "seasonal",
    "mix": "mix",
}
# Types without a deterministic trend (the trend study's null).
TRENDLESS = ["iid", "ar05", "ar09", "rw", "seasonal", "mix"]
# Types a "mix" panel draws its KPIs from (trendless mixes drop "trend").
MIX_ALL = ["iid", "ar05", "ar09", "rw", "trend", "seasonal"]
MIX_TRENDLESS = ["iid", "ar05", "ar09", "rw", "seasonal"]

BASE_SEED = 20240808


def rng_for(study, *keys):
    """A generator seeded by the study name and integer/str keys (stable across runs)."""
    words = [BASE_SEED, zlib.crc32(study.encode())]
    for key in keys:
        words.append(zlib.crc32(str(key).encode()))
    return np.random.default_rng(words)


def ar1(n, k, phi, rng):
    """AR(1) around LEVEL with marginal sd SD, started in its stationary distribution."""
    innovations = rng.normal(0.0, SD * np.sqrt(1.0 - phi * phi), size=(n, k))
    x = np.empty((n, k))
    x[0] = rng.normal(0.0, SD, size=k)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + innovations[t]
    return LEVEL + x


def random_walk(n, k, rng):
    """Random walk without drift starting at LEVEL."""
    steps = rng.normal(0.0, RW_STEP_SD, size=(n, k))
    steps[0] = 0.0
    return LEVEL + np.cumsum(steps, axis=0)


def linear_trend(n, k, rng, slope_sd=None, return_slopes=False):
    """Linear trend plus i.i.d. noise.

    slope_sd=None draws each KPI's slope from ±U(0.02, 0.1) noise sd per period
    (the lead/lag null's "trend + noise"); a number fixes |slope| = slope_sd·SD
    with a random sign per KPI (the trend study's power cell). With
    return_slopes, returns (values, slopes).
    """
    signs = rng.choice([-1.0, 1.0], size=k)
    if slope_sd is None:
        slopes = signs * rng.uniform(0.02, 0.1, size=k) * SD
    else:
        slopes = signs * slope_sd * SD
    t = np.arange(n)[:, None]
    values = LEVEL + slopes * t + rng.normal(0.0, SD, size=(n, k))
    return (values, slopes) if return_slopes else values


def seasonal_pattern(rng):
    """One month profile (12 values, mean 0): a sine of random phase plus an irregular part."""
    months = np.arange(PERIOD)
    pattern = np.sin(2 * np.pi * months / PERIOD + rng.uniform(0, 2 * np.pi))
    pattern = pattern + 0.5 * rng.normal(size=PERIOD)
    return SD * (pattern - pattern.mean())


def seasonal(n, k, rng, pattern=None):
    """KPIs sharing one monthly pattern (each with its own amplitude) plus i.i.d. noise."""
    if pattern is None:
        pattern = seasonal_pattern(rng)
    amplitude = rng.uniform(0.5, 1.5, size=k)
    season = pattern[np.arange(n) % PERIOD][:, None] * amplitude
    return LEVEL + season + rng.normal(0.0, SD, size=(n, k))


def simulate(kind, n, k, rng, mix_of=MIX_ALL):
    """k independent KPIs of one type over n periods (seasonal ones share one pattern).

    "mix" draws each KPI's type from `mix_of`; its seasonal KPIs share the
    panel's pattern too.
    """
    if kind == "iid":
        return LEVEL + rng.normal(0.0, SD, size=(n, k))
    if kind == "ar05":
        return ar1(n, k, 0.5, rng)
    if kind == "ar09":
        return ar1(n, k, 0.9, rng)
    if kind == "rw":
        return random_walk(n, k, rng)
    if kind == "trend":
        return linear_trend(n, k, rng)
    if kind == "seasonal":
        return seasonal(n, k, rng)
    if kind == "mix":
        pattern = seasonal_pattern(rng)
        kinds = rng.choice(mix_of, size=k)
        columns = [
            seasonal(n, 1, rng, pattern) if one == "seasonal" else simulate(one, n, 1, rng)
            for one in kinds
        ]
        return np.hstack(columns)
    raise ValueError(f"unknown series type {kind!r}")


def planted_panel(kind, n, rng, lags=(1, 2, 3, 1, 2, 3), extra=8, coefficient=0.6):
    """A panel with planted lead/lag pairs and independent fillers.

    For each lag k in `lags`, a leader of type `kind` and a follower
    follower_t = LEVEL ± coefficient·(leader_{t−k} − LEVEL) + noise (noise sd SD,
    the sign alternating + − + …). `extra` further independent KPIs of the same
    type fill the panel. Returns (values (n, 2·len(lags)+extra), planted) where
    planted lists (leader column, follower column, lag, sign).
    """
    max_lag = max(lags)
    leaders = simulate(kind, n + max_lag, len(lags), rng)
    columns, planted = [], []
    for j, lag in enumerate(lags):
        sign = 1.0 if j % 2 == 0 else -1.0
        leader = leaders[:, j]
        shifted = leader[max_lag - lag : max_lag - lag + n]
        follower = LEVEL + sign * coefficient * (shifted - LEVEL) + rng.normal(0.0, SD, size=n)
        planted.append((len(columns), len(columns) + 1, lag, sign))
        columns += [leader[max_lag:], follower]
    values = np.column_stack(columns + [simulate(kind, n, extra, rng)])
    return values, planted


# Targets for the at_risk study: each series gets an upper (`<=`) or lower (`>=`)
# threshold at a distance d = margin·exp(RISK_SPREAD·z) beyond its latest value;
# the margin is set per type so that a given share of the series breach within
# the horizon.
RISK_SPREAD = 1.0


def risk_targets(values, n, horizon, margin, upper, z):
    """Thresholds beside each series' latest value, and whether the next periods breach.

    values: (n + horizon) × k; upper: which series get `<=` targets (the rest
    `>=`); z: N(0, 1) draws spreading the distances. Returns (thresholds
    rounded as the CSV writes them, breached within the horizon).
    """
    latest, future = values[n - 1], values[n : n + horizon]
    distance = margin * np.exp(RISK_SPREAD * z)
    thresholds = np.round(np.where(upper, latest + distance, latest - distance), 4)
    breached = np.where(upper, (future > thresholds).any(axis=0), (future < thresholds).any(axis=0))
    return thresholds, breached


def risk_margin(kind, n, horizon, goal, rng, draws=4000):
    """The margin at which about `goal` of the series of a type breach within the horizon.

    Bisection (on a log scale) over pilot series; the breach share falls as
    the margin grows.
    """
    values = simulate(kind, n + horizon, draws, rng)
    upper, z = rng.random(draws) < 0.5, rng.normal(size=draws)
    low, high = np.log(1e-4 * SD), np.log(20 * SD)
    for _ in range(40):
        middle = (low + high) / 2
        breach_share = risk_targets(values, n, horizon, np.exp(middle), upper, z)[1].mean()
        low, high = (middle, high) if breach_share > goal else (low, middle)
    return float(np.exp((low + high) / 2))


def true_breach_probability(kind, history, target, horizon, rng, draws=4000):
    """P(a breach within the horizon) under the true process given the history (the oracle).

    Defined for the Markov types (i.i.d., AR(1), random walk), whose future
    depends only on the latest value; None for the others.
    """
    phi = {"iid": 0.0, "ar05": 0.5, "ar09": 0.9}.get(kind)
    if phi is None and kind != "rw":
        return None
    paths = np.empty((draws, horizon))
    state = np.full(draws, history[-1])
    for step in range(horizon):
        if kind == "rw":
            state = state + rng.normal(0.0, RW_STEP_SD, size=draws)
        else:
            shock = rng.normal(0.0, SD * np.sqrt(1.0 - phi * phi), size=draws)
            state = LEVEL + phi * (state - LEVEL) + shock
        paths[:, step] = state
    op, value = target
    outside = paths > value if op == "<=" else paths < value
    return float(outside.any(axis=1).mean())
