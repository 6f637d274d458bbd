#!/usr/bin/env python3
"""The kpilot analysis written in Python, for the benchmark.

This is the analysis a competent analyst would write with the reference
packages the SPEC names ("Exact definitions"), and the way the test reference
values are computed (`tests/reference/make_expected.py`):

* read the wide CSV with pandas (periods down, one column per KPI, a target
  such as `KPI 7 (<= 105)` in some headers);
* per KPI: latest / previous / change, OLS slope and R^2
  (`scipy.stats.linregress` on the present values, x = period index),
  Theil-Sen (`scipy.stats.theilslopes`), Mann-Kendall with the tie correction
  (`pymannkendall.original_test`), a trend verdict (Mann-Kendall p <= 0.05,
  direction-aware), sd / cv, the rolling mean (pandas `rolling`, one quarter),
  the breach record against the target, the crossing of the trend line drawn
  through the latest value within one quarter, the health word, robust
  control-limit anomalies (median +- 3 * 1.4826 * MAD) and runs of 8 on one
  side of the median;
* lead/lag: first differences (pandas `diff`); for every ordered pair and lag
  k = 0..min(12, n // 4), Pearson's r and p over the pairwise-complete rows
  (`scipy.stats.pearsonr`, one call per test); Benjamini-Hochberg over all
  tests (`statsmodels.stats.multitest.multipletests(method="fdr_bh")`); the
  best lag per pair; and the Granger ssr F-test at the best lag
  (`statsmodels.tsa.stattools.grangercausalitytests`, or the same F-test with
  statsmodels OLS `compare_f_test` on the rows where everything is present when
  a value is missing, since the Granger function refuses missing values) for
  the pairs with q <= 0.05 at a lag >= 1.

Timing: the clock starts before `pd.read_csv` and stops when the last Granger
test is done; interpreter start-up and imports (about a second) are measured
separately and not counted, which flatters Python.

Budget: the pairwise loop visits the ordered pairs in a shuffled (seeded)
order and stops once it has spent `--budget` seconds (default 120). If it
stopped early, its time is extrapolated linearly to all pairs and the run is
marked "extrapolated"; Granger tests get their own budget the same way. The
significant-pair count of an extrapolated run cannot come from the partial
loop, so it comes from a vectorised NumPy/SciPy computation of every test
(same definitions; not timed), and the result says so. On runs that finish,
the vectorised computation is checked against the per-test loop.

Output: a one-line summary on stdout, and with `--json FILE` everything the
benchmark table needs (timings, counts, the significant pairs).

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
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pymannkendall  # noqa: E402
import scipy.stats as stats  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from statsmodels.stats.multitest import multipletests  # noqa: E402
from statsmodels.tsa.stattools import grangercausalitytests  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - _IMPORT_START

SIGNIFICANCE = 0.05
MIN_PAIRS = 4
CONSTANT_TOLERANCE = 1e-12
MAD_TO_SD = 1.4826
LIMIT_SIGMAS = 3.0
RUN_LENGTH = 8
TREND_ALPHA = 0.05

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
    kpis = []
    values = {}
    for header in frame.columns[1:]:
        name, target = split_header(header)
        kpis.append((name, target))
        values[name] = pd.to_numeric(frame[header], errors="coerce").astype(float)
    return periods, frequency, kpis, pd.DataFrame(values)


# --------------------------------------------------------------------------
# Per KPI
# --------------------------------------------------------------------------


def margin_inside(target, value):
    """Signed distance inside the target (negative when outside)."""
    if target["kind"] == "at_least":
        return value - target["value"]
    if target["kind"] == "at_most":
        return target["value"] - value
    return min(value - target["low"], target["high"] - value)


def direction_of(target):
    if target is not None and target["kind"] == "at_most":
        return "lower_is_better"
    return "higher_is_better"


def runs_on_one_side(values, centre):
    """Indices of the present values that make a run of RUN_LENGTH or more on one
    side of `centre`: the eighth value of a run and every one after it (the
    value that completes the run is the signal). Missing values are skipped;
    a value on the centre line ends the run."""
    flagged = []
    side, length = 0, 0
    for index, value in enumerate(values):
        if math.isnan(value):
            continue
        here = 1 if value > centre else (-1 if value < centre else 0)
        if here != 0 and here == side:
            length += 1
        else:
            side, length = here, int(here != 0)
        if length >= RUN_LENGTH:
            flagged.append(index)
    return flagged


def analyse_kpi(name, target, series, periods_per_year, window, horizon):
    y = series.to_numpy()
    n_periods = len(y)
    x_all = np.arange(n_periods, dtype=float)
    present = ~np.isnan(y)
    x, v = x_all[present], y[present]
    out = {"name": name, "direction": direction_of(target)}

    indices = np.flatnonzero(present)
    out["latest"] = float(v[-1]) if len(v) else None
    previous = float(v[-2]) if len(v) >= 2 else None
    out["change"] = out["latest"] - previous if previous is not None else None
    out["change_pct"] = 100.0 * out["change"] / abs(previous) if previous not in (None, 0.0) else None
    if periods_per_year and len(indices) and indices[-1] >= periods_per_year:
        year_ago = y[indices[-1] - periods_per_year]
        out["yoy"] = None if math.isnan(year_ago) else float(v[-1] - year_ago)

    if len(v) >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = stats.linregress(x, v)
        theil_sen = stats.theilslopes(v, x)[0]
        mk = pymannkendall.original_test(y)
        improving_sign = -1.0 if out["direction"] == "lower_is_better" else 1.0
        if mk.p <= TREND_ALPHA and mk.s * improving_sign > 0:
            verdict = "improving"
        elif mk.p <= TREND_ALPHA and mk.s * improving_sign < 0:
            verdict = "worsening"
        else:
            verdict = "flat"
        out["trend"] = {
            "ols_slope": float(fit.slope),
            "r2": float(fit.rvalue) ** 2 if not np.all(v == v[0]) else 0.0,
            "theil_sen_slope": float(theil_sen),
            "mann_kendall": {"s": float(mk.s), "tau": float(mk.Tau), "p_value": float(mk.p)},
            "verdict": verdict,
        }
    else:
        fit = None

    sd = float(series.std()) if len(v) >= 2 else None
    mean = float(series.mean()) if len(v) else None
    out["sd"] = sd
    out["cv"] = sd / abs(mean) if sd is not None and mean else None
    rolling = series.rolling(window, min_periods=1).mean()
    rolling.iloc[: window - 1] = np.nan
    out["rolling_mean_latest"] = None if rolling.isna().all() else float(rolling.iloc[-1])

    # Anomalies: robust control limits and runs on one side of the median.
    anomalies = []
    if len(v):
        centre = float(np.median(v))
        spread = LIMIT_SIGMAS * MAD_TO_SD * float(np.median(np.abs(v - centre)))
        # With MAD = 0 the limits say nothing (every other value would be outside).
        for index in indices if spread > 0 else []:
            if y[index] > centre + spread:
                anomalies.append((int(index), "above_control_limit"))
            elif y[index] < centre - spread:
                anomalies.append((int(index), "below_control_limit"))
        flagged = {i for i, _ in anomalies}
        for index in runs_on_one_side(y, centre):
            if index not in flagged:
                rule = "run_above_centre" if y[index] > centre else "run_below_centre"
                anomalies.append((index, rule))
    out["anomalies"] = len(anomalies)

    # Breach record and a straight-line forecast of the crossing.
    if target is not None and len(v):
        margins = np.array([margin_inside(target, value) for value in v])
        breached = margins < 0
        streak = 0
        for flag in breached[::-1]:
            if not flag:
                break
            streak += 1
        latest_margin = float(margins[-1])
        out["breach"] = {
            "latest_breached": bool(breached[-1]),
            "streak": streak,
            "count": int(breached.sum()),
            "margin": latest_margin,
            "margin_sd": latest_margin / sd if sd else None,
        }
        # The trend line through the latest value, over the horizon.
        crossing = None
        if fit is not None:
            for step in range(1, horizon + 1):
                projected = v[-1] + fit.slope * (n_periods - 1 + step - indices[-1])
                if (margin_inside(target, projected) < 0) != bool(breached[-1]):
                    crossing = step
                    break
        out["forecast"] = {"periods_ahead": crossing}
        verdict = out.get("trend", {}).get("verdict")
        if breached[-1]:
            out["health"] = "recovering" if crossing is not None and verdict == "improving" else "breached"
        elif crossing is not None or (verdict == "worsening" and sd and latest_margin / sd <= 1.0):
            out["health"] = "at_risk"
        else:
            out["health"] = "healthy"
    else:
        out["breach"] = None
        out["forecast"] = None
        out["health"] = "no_target"
    return out


# --------------------------------------------------------------------------
# Lead / lag, one scipy call per test (what is timed)
# --------------------------------------------------------------------------


def column_is_constant(d):
    w = d[~np.isnan(d)]
    if w.size < MIN_PAIRS:
        return True
    return float(np.sum((w - w.mean()) ** 2)) <= CONSTANT_TOLERANCE * float(np.sum(w * w))


def pair_tests(leader_diff, follower_diff, max_lag):
    """[(lag, r, p)] for every test of one ordered pair that is not skipped."""
    n = len(leader_diff)
    tests = []
    for k in range(max_lag + 1):
        x = leader_diff[1 : n - k]
        y = follower_diff[1 + k : n]
        mask = ~np.isnan(x) & ~np.isnan(y)
        if mask.sum() < MIN_PAIRS:
            continue
        xs, ys = x[mask], y[mask]
        if np.all(xs == xs[0]) or np.all(ys == ys[0]):
            continue
        res = stats.pearsonr(xs, ys)
        tests.append((k, float(res.statistic), float(res.pvalue)))
    return tests


def granger_p(leader_diff, follower_diff, k):
    """The ssr F-test p-value of leader -> follower at lag k, or None."""
    both = np.column_stack([follower_diff, leader_diff])[1:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not np.isnan(both).any():
            try:
                result = grangercausalitytests(both, [k])
                return float(result[k][0]["ssr_ftest"][1])
            except Exception:  # too few rows, singular design
                return None
        follower = pd.Series(follower_diff)
        leader = pd.Series(leader_diff)
        columns = {"y": follower}
        for j in range(1, k + 1):
            columns[f"f{j}"] = follower.shift(j)
        for j in range(1, k + 1):
            columns[f"l{j}"] = leader.shift(j)
        frame = pd.DataFrame(columns).dropna()
        own = [f"f{j}" for j in range(1, k + 1)]
        joint = own + [f"l{j}" for j in range(1, k + 1)]
        if len(frame) - 2 * k - 1 <= 0:
            return None
        restricted = sm.OLS(frame["y"], sm.add_constant(frame[own], has_constant="add")).fit()
        full = sm.OLS(frame["y"], sm.add_constant(frame[joint], has_constant="add")).fit()
        return float(full.compare_f_test(restricted)[1])


# --------------------------------------------------------------------------
# Lead / lag, vectorised (a check, and the counts of extrapolated runs)
# --------------------------------------------------------------------------


def vectorised_tests(diffs, max_lag, active):
    """{(i, j): [(lag, r, p)]} for every ordered pair of `active` columns, by matrix products."""
    d = diffs[1:, :][:, active]
    mean = np.nanmean(d, axis=0)
    d = d - mean
    present = ~np.isnan(d)
    zeroed = np.where(present, d, 0.0)
    mask = present.astype(float)
    rows = d.shape[0]
    results = {}
    for k in range(max_lag + 1):
        if rows - k < MIN_PAIRS:
            break
        xa, xm = zeroed[: rows - k], mask[: rows - k]
        ya, ym = zeroed[k:], mask[k:]
        count = xm.T @ ym
        sx, sy = xa.T @ ym, xm.T @ ya
        sxx, syy = (xa * xa).T @ ym, xm.T @ (ya * ya)
        sxy = xa.T @ ya
        with np.errstate(divide="ignore", invalid="ignore"):
            vx = sxx - sx * sx / count
            vy = syy - sy * sy / count
            r = (sxy - sx * sy / count) / np.sqrt(vx * vy)
        r = np.clip(r, -1.0, 1.0)
        dof = count - 2
        with np.errstate(divide="ignore", invalid="ignore"):
            t = r * np.sqrt(dof / np.maximum(1.0 - r * r, 0.0))
        p = 2.0 * stats.t.sf(np.abs(t), dof)
        ok = (count >= MIN_PAIRS) & (vx > CONSTANT_TOLERANCE * sxx) & (vy > CONSTANT_TOLERANCE * syy)
        for a in range(len(active)):
            for b in range(len(active)):
                if a != b and ok[a, b]:
                    results.setdefault((active[a], active[b]), []).append((k, float(r[a, b]), float(p[a, b])))
    return results


# --------------------------------------------------------------------------
# The whole analysis
# --------------------------------------------------------------------------


def best_lags(tests_by_pair, q_by_test):
    """[(leader, follower, lag, r, p, q)] at the best lag (largest |r|, ties to the smaller lag)."""
    best = []
    for pair, tests in tests_by_pair.items():
        if not tests:
            continue
        position = max(range(len(tests)), key=lambda i: (abs(tests[i][1]), -tests[i][0]))
        lag, r, p = tests[position]
        best.append((pair[0], pair[1], lag, r, p, q_by_test[pair][position]))
    return best


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


def analyse(path, budget, seed):
    clock = Stopwatch()
    periods, frequency, kpis, frame = read_sheet(path)
    n = len(periods)
    periods_per_year = 12 if frequency == "monthly" else 365
    window = 3 if frequency == "monthly" else 91
    horizon = window
    per_kpi = [
        analyse_kpi(name, target, frame[name], periods_per_year, window, horizon) for name, target in kpis
    ]
    per_kpi_time = clock.stop()

    # Lead/lag, one pearsonr per test, pairs in a shuffled order under a budget.
    clock = Stopwatch()
    names = [name for name, _ in kpis]
    diff_frame = frame.diff()
    diffs = diff_frame.to_numpy()
    columns = [diffs[:, j] for j in range(len(names))]
    active = [j for j in range(len(names)) if not column_is_constant(columns[j])]
    max_lag = min(12, n // 4)
    all_pairs = [(i, j) for i in active for j in active if i != j]
    order = np.random.default_rng(seed).permutation(len(all_pairs))
    tests_by_pair = {}
    for visited, position in enumerate(order, start=1):
        i, j = all_pairs[position]
        tests_by_pair[(i, j)] = pair_tests(columns[i], columns[j], max_lag)
        if clock.wall > budget and visited < len(all_pairs):
            break
    loop_time = clock.stop()
    pairs_done = len(tests_by_pair)
    complete = pairs_done == len(all_pairs)

    clock = Stopwatch()
    vectorised = vectorised_tests(diffs, max_lag, active)
    check_seconds = clock.stop()["wall"]

    clock = Stopwatch()
    if complete:
        q_by_test, tests_run = q_values(tests_by_pair)
        best = best_lags(tests_by_pair, q_by_test)
    bh_time = clock.stop()
    # The extrapolated case has to pay for BH over every test too: time it on the vectorised set.
    v_q, v_tests_run = q_values(vectorised)
    v_best = best_lags(vectorised, v_q)
    if not complete:
        clock = Stopwatch()
        q_values(vectorised)
        bh_time = clock.stop()
        best, tests_run = v_best, v_tests_run

    candidates = [b for b in best if b[5] <= SIGNIFICANCE and b[2] >= 1]
    clock = Stopwatch()
    granger_done = 0
    granger_results = {}
    for leader, follower, lag, *_ in candidates:
        granger_results[(leader, follower)] = granger_p(columns[leader], columns[follower], lag)
        granger_done += 1
        if clock.wall > budget and granger_done < len(candidates):
            break
    granger_time = clock.stop()

    loop_scale = len(all_pairs) / pairs_done if pairs_done else 0.0
    granger_scale = len(candidates) / granger_done if granger_done else 0.0

    def total(kind):
        return (
            per_kpi_time[kind]
            + loop_time[kind] * loop_scale
            + bh_time[kind]
            + granger_time[kind] * granger_scale
        )

    measured = per_kpi_time["wall"] + loop_time["wall"] + bh_time["wall"] + granger_time["wall"]
    extrapolated = not complete or granger_done < len(candidates)

    # Self-check: the per-test loop against the vectorised computation.
    check = None
    if complete:
        mismatched = 0
        for pair, tests in tests_by_pair.items():
            other = vectorised.get(pair, [])
            if len(other) != len(tests) or any(
                a[0] != b[0] or abs(a[1] - b[1]) > 1e-9 or abs(a[2] - b[2]) > 1e-6 * max(a[2], 1e-12) + 1e-12
                for a, b in zip(tests, other)
            ):
                mismatched += 1
        same = sorted((b[0], b[1], b[2]) for b in candidates) == sorted(
            (b[0], b[1], b[2]) for b in v_best if b[5] <= SIGNIFICANCE and b[2] >= 1
        )
        check = {"pairs_mismatched": mismatched, "same_significant_pairs": same}

    significant = sorted(
        ({"leader": names[b[0]], "follower": names[b[1]], "lag": b[2], "r": b[3], "p_value": b[4], "q_value": float(b[5]),
          "granger_p": granger_results.get((b[0], b[1]))} for b in candidates),
        key=lambda s: (s["q_value"], s["leader"], s["follower"]),
    )
    return {
        "file": os.path.basename(path),
        "kpis": len(names),
        "periods": n,
        "frequency": frequency,
        "max_lag": max_lag,
        "pairs": len(all_pairs),
        "pairs_timed": pairs_done,
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
        "health": {h: sum(1 for k in per_kpi if k["health"] == h) for h in sorted({k["health"] for k in per_kpi})},
        "significant": significant,
        "per_kpi": per_kpi,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description="kpilot's analysis in pandas + scipy + statsmodels, timed")
    parser.add_argument("file", help="a wide CSV from bench/generate.py")
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds the pairwise loop (and, separately, Granger) may run before extrapolating")
    parser.add_argument("--seed", type=int, default=12345, help="seed of the pair order")
    parser.add_argument("--json", help="write the full result to this file")
    args = parser.parse_args(argv)
    result = analyse(args.file, args.budget, args.seed)
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
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
