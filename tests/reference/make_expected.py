#!/usr/bin/env python3
"""Independent reference values for kpilot's statistics kernels.

Writes ``tests/fixtures/reference_stats.json``, which the unit tests in
``src/analysis/trend.rs`` and ``src/analysis/leadlag.rs`` load and compare
against (1e-6 relative, 1e-9 absolute near zero).

Every expected number comes from the reference packages named in the SPEC
("Exact definitions"), not from re-derived formulas:

* OLS slope / intercept / R^2 ........ scipy.stats.linregress
* residual sd, prediction se ......... statsmodels OLS (``scale``, ``se_obs``)
* Theil-Sen slope .................... scipy.stats.theilslopes
* Mann-Kendall ....................... pymannkendall.original_test
* lag correlation r and p ............ scipy.stats.pearsonr
* q-values ........................... statsmodels multipletests(method="fdr_bh")
* Granger F-test ..................... statsmodels grangercausalitytests
                                       (``ssr_ftest``) on complete rows, and
                                       OLS ``compare_f_test`` on the rows where
                                       everything is present when a value is
                                       missing (statsmodels' Granger function
                                       refuses missing values).

The only logic written here is what the SPEC defines on top of those packages:
the x = period index with gaps keeping their index, first differences,
pairwise-complete masking of each lag window, the "fewer than 4 pairs or a
constant side" skip rule, the best-lag choice and the significance flag.

The inputs are small, deterministic series (fixed seeds, rounded to 3
decimals so they are exact in the JSON) with missing values, ties, a constant
series, short series and planted lag-1 / lag-2 relationships.

Run from the repository root:  python3 tests/reference/make_expected.py
"""

import json
import math
import os
import warnings

import numpy as np
import pandas as pd
import pymannkendall
import scipy.stats as stats
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests
from statsmodels.tsa.stattools import grangercausalitytests

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "reference_stats.json")


def as_json_values(arr):
    """np array with NaN for missing -> list with None for missing."""
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v) for v in arr]


def as_array(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def r3(arr):
    return np.round(np.asarray(arr, dtype=float), 3)


def fnum(v):
    """A finite float, or None."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


# --------------------------------------------------------------------------
# Trend
# --------------------------------------------------------------------------


def trend_inputs():
    rng = np.random.default_rng(20240501)
    series = {}

    y = r3(10 + 0.5 * np.arange(24) + rng.normal(0, 1.0, 24))
    y[[3, 10, 11, 20]] = np.nan
    series["trend_noise_missing"] = y

    series["integer_ties"] = np.array(
        [3, 3, 4, 3, 5, 5, np.nan, 6, 5, 7, 7, 7, 8, 6, 8], dtype=float
    )
    y = np.full(10, 7.5)
    y[4] = np.nan
    series["constant"] = y
    series["short_two"] = np.array([np.nan, 4.0, np.nan, 6.5])
    series["short_three"] = np.array([1.0, np.nan, 3.0, 2.0])
    series["single"] = np.array([np.nan, 5.0, np.nan])
    series["all_missing"] = np.array([np.nan, np.nan, np.nan])
    series["empty"] = np.array([], dtype=float)

    y = r3(100 - 0.3 * np.arange(120) + np.cumsum(rng.normal(0, 1.0, 120)))
    y[[0, 1, 57]] = np.nan
    series["random_walk_down"] = y

    series["odd_pair_count"] = r3(rng.normal(0, 1, 30))  # 435 slopes
    series["strong_trend"] = r3(2 * np.arange(50) + rng.normal(0, 0.5, 50))
    series["flat_noise"] = r3(rng.normal(50, 3, 36))
    y = np.round(rng.normal(0, 2, 60))  # integers: many ties
    y[[5, 6, 7]] = np.nan
    series["rounded_noise_ties"] = y
    return series


def trend_expected(name, y):
    x_all = np.arange(len(y), dtype=float)
    present = ~np.isnan(y)
    x, v = x_all[present], y[present]
    n = int(present.sum())
    out = {"name": name, "values": as_json_values(y), "n": n}

    if n >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lr = stats.linregress(x, v)
        fit = {
            "slope": float(lr.slope),
            "intercept": float(lr.intercept),
            # scipy gives NaN for a constant series; the engine's convention is 0.
            "r2": 0.0 if np.all(v == v[0]) else float(lr.rvalue) ** 2,
            "n": n,
            "residual_sd": None,
            "slope_se": None,
            "prediction_se": [],
        }
        if n >= 3:
            ols = sm.OLS(v, sm.add_constant(x)).fit()
            fit["residual_sd"] = float(np.sqrt(ols.scale))
            fit["slope_se"] = float(ols.bse[1])  # = linregress stderr, and 0 (not NaN) when constant
            for x0 in (float(len(y)), float(len(y) + 5), float(x.mean())):
                pred = ols.get_prediction(np.array([[1.0, x0]]))
                fit["prediction_se"].append({"x": x0, "se": float(pred.se_obs[0])})
        out["ols"] = fit
        out["theil_sen_slope"] = float(stats.theilslopes(v, x)[0])
        res = pymannkendall.original_test(y)
        out["mann_kendall"] = {
            "s": float(res.s),
            "tau": float(res.Tau),
            "var_s": float(res.var_s),
            "z": float(res.z),
            "p_value": float(res.p),
        }
    else:
        out["ols"] = None
        out["theil_sen_slope"] = None
        out["mann_kendall"] = None
    return out


# --------------------------------------------------------------------------
# Pearson p-values and Benjamini-Hochberg
# --------------------------------------------------------------------------


def pearson_cases():
    rng = np.random.default_rng(7)
    cases = []
    for m, rho in [(4, 0.5), (5, 0.9), (12, -0.3), (60, 0.5), (300, 0.02), (1000, 0.6), (1000, -0.95), (1000, 0.05)]:
        x = r3(rng.normal(0, 1, m))
        y = r3(rho * x + math.sqrt(1 - rho * rho) * rng.normal(0, 1, m))
        res = stats.pearsonr(x, y)
        cases.append({"x": x.tolist(), "y": y.tolist(), "r": float(res.statistic), "p": float(res.pvalue)})
    return cases


def bh_cases():
    rng = np.random.default_rng(11)
    lists = [
        [0.01, 0.04, 0.03, 0.2, 0.04, 0.9, 0.0, 1.0, 0.5, 0.04],
        [0.3],
        [1e-12, 1e-300, 0.049, 0.051, 0.051, 0.051],
        [float(v) for v in rng.uniform(0, 1, 200) ** 3],
    ]
    return [{"p": p, "q": multipletests(p, method="fdr_bh")[1].tolist()} for p in lists]


# --------------------------------------------------------------------------
# Lead / lag
# --------------------------------------------------------------------------


def first_differences(y):
    return pd.Series(y, dtype=float).diff().to_numpy()


def column_is_constant(d):
    """The SPEC's 'constant side' for a differenced column as a whole: zero
    variance up to rounding (a linear series has constant differences that
    floating point makes differ in the last bits)."""
    w = d[~np.isnan(d)]
    if w.size == 0:
        return True
    dev = float(np.sum((w - w.mean()) ** 2))
    return dev <= 1e-12 * float(np.sum(w * w))


def lag_tests(diffs, leader, follower, max_lag):
    """Every lag test of one ordered pair: list of dicts (or skipped)."""
    n = len(diffs[leader])
    out = []
    for k in range(max_lag + 1):
        # Delta[t] exists from t = 1; the leader at t pairs with the follower at t + k.
        x = diffs[leader][1 : n - k]
        y = diffs[follower][1 + k : n]
        mask = ~np.isnan(x) & ~np.isnan(y)
        m = int(mask.sum())
        xs, ys = x[mask], y[mask]
        if (
            m < 4
            or column_is_constant(diffs[leader])
            or column_is_constant(diffs[follower])
            or np.all(xs == xs[0])
            or np.all(ys == ys[0])
        ):
            out.append({"lag": k, "pairs": m, "skipped": True})
            continue
        res = stats.pearsonr(xs, ys)
        out.append({"lag": k, "pairs": m, "skipped": False, "r": float(res.statistic), "p": float(res.pvalue)})
    return out


def granger_reference(leader_diff, follower_diff, k):
    """p of the SPEC's Granger F-test, from statsmodels; None when it cannot run."""
    ld = pd.Series(leader_diff, dtype=float)
    fd = pd.Series(follower_diff, dtype=float)
    cols = {"y": fd}
    for j in range(1, k + 1):
        cols[f"f{j}"] = fd.shift(j)
    for j in range(1, k + 1):
        cols[f"l{j}"] = ld.shift(j)
    frame = pd.DataFrame(cols).dropna()
    p_compare = None
    own = [f"f{j}" for j in range(1, k + 1)]
    joint = own + [f"l{j}" for j in range(1, k + 1)]
    if len(frame) - 2 * k - 1 > 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rank-deficient designs are rejected below
            restricted = sm.OLS(frame["y"], sm.add_constant(frame[own], has_constant="add")).fit()
            full = sm.OLS(frame["y"], sm.add_constant(frame[joint], has_constant="add")).fit()
        # statsmodels' own rank and "perfect fit" rules from grangercausalitytests
        full_rank = np.linalg.matrix_rank(full.model.exog) == full.model.exog.shape[1]
        if full_rank and full.centered_tss > 0 and full.ssr / full.centered_tss >= np.finfo(float).eps:
            p_compare = float(full.compare_f_test(restricted)[1])

    # On complete data the statsmodels Granger function itself is the reference.
    both = np.column_stack([follower_diff, leader_diff])
    start = 0
    while start < len(both) and np.isnan(both[start]).any():
        start += 1
    block = both[start:]
    if block.shape[0] > 0 and not np.isnan(block).any():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = grangercausalitytests(block, [k])
            p = float(res[k][0]["ssr_ftest"][1])
        except Exception:  # insufficient rows, constant column, perfect fit
            return None
        assert p_compare is not None and abs(p - p_compare) <= 1e-9 + 1e-9 * abs(p), (p, p_compare)
        return p
    return p_compare


def leadlag_inputs():
    periods = 40
    rng = np.random.default_rng(424242)

    def level(diffs, start):
        return r3(start + np.concatenate([[0.0], np.cumsum(diffs)]))[:periods]

    # A complete data set (no missing values: the engine's fast path).
    d0 = rng.normal(0, 1, periods)
    d1 = 0.85 * np.concatenate([[0, 0], d0[:-2]]) + rng.normal(0, 0.4, periods)  # follows d0 by 2
    d2 = -0.7 * np.concatenate([[0], d0[:-1]]) + rng.normal(0, 0.5, periods)  # opposite, lag 1
    d3 = rng.normal(0, 1, periods)
    d4 = rng.normal(0, 2, periods)
    d5 = 0.6 * np.concatenate([[0], d3[:-1]]) + rng.normal(0, 0.6, periods)
    complete = {
        "names": ["page_load", "active_users", "churn", "signups", "tickets", "nps"],
        "series": [level(d, s) for d, s in zip([d0, d1, d2, d3, d4, d5], [50, 200, 7, 30, 80, 40])],
    }

    # A messy data set: missing values, ties, constant, short, linear.
    e0 = rng.normal(0, 1, periods)
    e1 = 0.9 * np.concatenate([[0, 0], e0[:-2]]) + rng.normal(0, 0.35, periods)
    s0 = level(e0, 10)
    s1 = level(e1, 20)
    s0[[5, 17, 30]] = np.nan
    s1[[2, 3, 22]] = np.nan
    s2 = r3(np.round(level(rng.normal(0, 1, periods), 5)))  # integers: tied differences
    s2[[12]] = np.nan
    s3 = np.full(periods, 4.2)  # constant
    s4 = np.full(periods, np.nan)  # short: only the last 8 periods
    s4[-8:] = level(rng.normal(0, 1, 8), 3)[:8]
    s5 = r3(0.1 * np.arange(periods) + 1.0)  # linear: constant differences up to rounding
    e6 = -0.75 * np.concatenate([[0], e0[:-1]]) + rng.normal(0, 0.5, periods)
    s6 = level(e6, 60)
    s6[[0, 9, 10, 11, 25]] = np.nan
    s7 = np.full(periods, np.nan)  # all missing
    messy = {
        "names": ["driver", "lag2_follower", "integer_steps", "constant", "short", "linear", "opposite_lag1", "all_missing"],
        "series": [s0, s1, s2, s3, s4, s5, s6, s7],
    }
    return {"complete": complete, "messy": messy}


def leadlag_expected(name, data):
    series = [np.asarray(s, dtype=float) for s in data["series"]]
    periods = len(series[0])
    max_lag = min(12, periods // 4)
    diffs = [first_differences(s) for s in series]
    count = len(series)

    all_tests = []
    per_pair = {}
    for i in range(count):
        for j in range(count):
            if i == j:
                continue
            tests = lag_tests(diffs, i, j, max_lag)
            per_pair[(i, j)] = tests
            for t in tests:
                if not t["skipped"]:
                    all_tests.append((i, j, t))
    p_all = [t["p"] for (_, _, t) in all_tests]
    q_all = multipletests(p_all, method="fdr_bh")[1] if p_all else []
    for (i, j, t), q in zip(all_tests, q_all):
        t["q"] = float(q)

    best = []
    for (i, j), tests in per_pair.items():
        run = [t for t in tests if not t["skipped"]]
        if not run:
            continue
        b = run[int(np.argmax([abs(t["r"]) for t in run]))]
        significant = b["q"] <= 0.05 and b["lag"] >= 1
        granger = granger_reference(diffs[i], diffs[j], b["lag"]) if significant else None
        best.append(
            {
                "leader": i,
                "follower": j,
                "lag": b["lag"],
                "r": b["r"],
                "pairs": b["pairs"],
                "p": b["p"],
                "q": b["q"],
                "granger_p": granger,
                "significant": bool(significant),
            }
        )
    best.sort(key=lambda b: (b["q"], b["p"], b["leader"], b["follower"]))

    return {
        "name": name,
        "names": data["names"],
        "periods": periods,
        "max_lag": max_lag,
        "series": [as_json_values(s) for s in series],
        "differences": [as_json_values(d) for d in diffs],
        "tests": [
            {"leader": i, "follower": j, **t} for (i, j), tests in per_pair.items() for t in tests
        ],
        "best": best,
    }, diffs


def granger_cases(diffs_by_set):
    cases = []
    complete = diffs_by_set["complete"]
    messy = diffs_by_set["messy"]
    picks = [
        ("complete", complete, 0, 1, [1, 2, 3, 5]),
        ("complete", complete, 0, 2, [1, 2]),
        ("complete", complete, 3, 5, [1, 4]),
        ("complete", complete, 4, 0, [2, 12]),  # lag 12: too few rows -> null
        ("messy", messy, 0, 1, [1, 2, 3]),
        ("messy", messy, 0, 6, [1, 2]),
        ("messy", messy, 2, 1, [2]),
        ("messy", messy, 0, 4, [1, 3]),  # short series: lag 3 leaves too few rows -> null
        ("messy", messy, 3, 1, [1]),  # constant leader: singular -> null
    ]
    for set_name, diffs, i, j, lags in picks:
        for k in lags:
            cases.append(
                {
                    "set": set_name,
                    "leader": i,
                    "follower": j,
                    "lag": k,
                    "leader_diff": as_json_values(diffs[i]),
                    "follower_diff": as_json_values(diffs[j]),
                    "p": fnum(granger_reference(diffs[i], diffs[j], k)),
                }
            )
    return cases


def main():
    trend = [trend_expected(name, y) for name, y in trend_inputs().items()]
    leadlag = []
    diffs_by_set = {}
    for name, data in leadlag_inputs().items():
        expected, diffs = leadlag_expected(name, data)
        leadlag.append(expected)
        diffs_by_set[name] = diffs

    doc = {
        "generated_by": "tests/reference/make_expected.py",
        "packages": {
            "numpy": np.__version__,
            "scipy": __import__("scipy").__version__,
            "statsmodels": sm.__version__,
            "pandas": pd.__version__,
            "pymannkendall": getattr(pymannkendall, "__version__", "unknown"),
        },
        "trend": trend,
        "pearson": pearson_cases(),
        "benjamini_hochberg": bh_cases(),
        "leadlag": leadlag,
        "granger": granger_cases(diffs_by_set),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1, allow_nan=False)
        fh.write("\n")
    print(f"wrote {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
