"""The calibration studies: each simulates (or loads) series, runs kpilot and the
Python reference on the same ones, and returns its markdown table.

The number of panels / series per cell comes from the mode (quick or full);
every table says how many each side used.
"""

from dataclasses import dataclass

import numpy as np

import reference
from engine import dig, forecast_path, kpi_names, kpis_by_name, significant_pairs
from realdata import real_series, rolling_windows
from simulate import (
    MIX_TRENDLESS,
    TRENDLESS,
    TYPES,
    linear_trend,
    planted_panel,
    risk_margin,
    risk_targets,
    rng_for,
    simulate,
    true_breach_probability,
)
from tables import Table, mean, num, pct, share

BATCH = 200  # KPIs per sheet when KPIs are studied one by one
NULL_KPIS = 20  # KPIs per lead/lag panel
WINDOW = 48  # training periods of the forecast study
FORECAST_H = 6
RISK_H = 3  # the engine's default horizon for monthly sheets: one quarter


@dataclass(frozen=True)
class Mode:
    """How many panels / series each study draws (engine, reference)."""

    name: str
    null_panels: tuple
    power_panels: tuple
    power_ns: tuple
    power_types: tuple
    trend_series: tuple
    forecast_series: int
    forecast_origins: int
    real_origins: int
    risk_ns: tuple
    risk_series: tuple
    risk_goals: tuple = (0.5, 0.2)  # the shares of series that breach within the horizon


QUICK = Mode(
    name="quick",
    null_panels=(20, 5),
    power_panels=(20, 5),
    power_ns=(60,),
    power_types=("iid", "ar05"),
    trend_series=(200, 200),
    forecast_series=50,
    forecast_origins=2,
    real_origins=8,
    risk_ns=(36,),
    risk_series=(200, 200),
)
FULL = Mode(
    name="full",
    null_panels=(50, 50),
    power_panels=(50, 50),
    power_ns=(36, 60, 120),
    power_types=("iid", "ar05", "ar09"),
    trend_series=(1000, 1000),
    forecast_series=100,
    forecast_origins=5,
    real_origins=40,
    risk_ns=(36, 60),
    risk_series=(1000, 1000),
)


def counts_note(table, what, engine_count, reference_count):
    """Say how many panels / series each side used (the reference may use fewer)."""
    fewer = " (fewer: the reference is slower)" if reference_count < engine_count else ""
    table.note(f"kpilot: {engine_count} {what} per cell; reference: {reference_count}{fewer}.")


def engine_kpis(engine, values, targets=None, horizon=None, frequency="monthly", tag="batch"):
    """The engine's KPI object for each column of `values` (None where absent), BATCH per sheet."""
    k = values.shape[1]
    out = [None] * k
    for start in range(0, k, BATCH):
        stop = min(k, start + BATCH)
        names = kpi_names(stop - start)
        report = engine.analyze(
            values[:, start:stop],
            names,
            targets[start:stop] if targets is not None else None,
            frequency,
            horizon,
            tag,
        )
        found = kpis_by_name(report)
        for j, name in enumerate(names):
            out[start + j] = found.get(name)
    return out


def largest(values):
    """The largest value that is not None, None when there is none."""
    return max((v for v in values if v is not None), default=None)


# --- lead/lag under the null ------------------------------------------------------


def leadlag_null(engine, mode, progress):
    """Panels of independent KPIs: how often any pair is called significant."""
    ns = (36, 60, 120)
    table = Table(
        "Lead/lag under the null: panels of 20 independent KPIs with any significant pair",
        ["Type", "n", "kpilot: panels", "kpilot: false pairs / panel", "reference: panels", "reference: false pairs / panel"],
        intro="BH at 5 % promises about 5 % of panels. Target: ≤ 5 % averaged over the cells, ≤ 10 % in every cell.",
    )
    engine_count, reference_count = mode.null_panels
    engine_shares, reference_shares = [], []
    for kind in TYPES:
        for n in ns:
            progress(f"lead/lag null {kind} n={n}")
            engine_any, engine_false, reference_any, reference_false = [], [], [], []
            for panel in range(max(engine_count, reference_count)):
                values = simulate(kind, n, NULL_KPIS, rng_for("leadlag-null", kind, n, panel))
                if panel < engine_count:
                    called = significant_pairs(engine.analyze(values, kpi_names(NULL_KPIS), tag="leadlag-null"))
                    if called is not None:
                        engine_any.append(len(called) > 0)
                        engine_false.append(len(called))
                if panel < reference_count:
                    calls = len(reference_calls(reference.lead_lag(values)))
                    reference_any.append(calls > 0)
                    reference_false.append(calls)
            engine_share, reference_share = mean(engine_any), mean(reference_any)
            engine_shares.append(engine_share)
            reference_shares.append(reference_share)
            table.add(TYPES[kind], n, pct(engine_share), num(mean(engine_false), 1), pct(reference_share), num(mean(reference_false), 1))
    table.add("**mean over cells**", "", pct(mean(engine_shares), 1), "", pct(mean(reference_shares), 1), "")
    table.add("**worst cell**", "", pct(largest(engine_shares)), "", pct(largest(reference_shares)), "")
    counts_note(table, "panels", engine_count, reference_count)
    return table


# --- lead/lag power on planted pairs -----------------------------------------------


def engine_calls(report, names):
    """{(leader column, follower column): (lag, sign of r)} of the engine's significant pairs, or None."""
    called = significant_pairs(report)
    if called is None:
        return None
    column = {name: j for j, name in enumerate(names)}
    return {(column.get(a), column.get(b)): (p.get("lag"), np.sign(p.get("r") or 0.0)) for (a, b), p in called.items()}


def reference_calls(results):
    """The same for reference.lead_lag's results."""
    return {pair: (lag, np.sign(r)) for pair, (lag, r, _, _, significant) in results.items() if significant}


def add_planted_outcome(tally, calls, planted):
    """Add one panel to a tally: planted pairs found with the right lag and sign, found at all, and the FDP.

    A call on a planted (leader, follower) pair is a true discovery whatever
    its lag; every other call, including the reverse of a planted pair, is false.
    """
    truth = {(leader, follower) for leader, follower, _, _ in planted}
    tally["right"] += sum(1 for leader, follower, lag, sign in planted if calls.get((leader, follower)) == (lag, sign))
    tally["found"] += sum(1 for pair in truth if pair in calls)
    tally["fdp"].append(sum(1 for pair in calls if pair not in truth) / max(len(calls), 1))
    tally["planted"] += len(planted)


def leadlag_power(engine, mode, progress):
    """Planted pairs follower_t = ±0.6·leader_{t−k} + noise, k = 1..3, stationary leaders."""
    table = Table(
        "Lead/lag power: planted pairs follower = ±0.6·leader(t−k) + noise, k = 1..3",
        ["Leader type", "n", "kpilot: right lag & sign", "kpilot: significant", "kpilot: FDP",
         "reference: right lag & sign", "reference: significant", "reference: FDP"],
        intro=("Each panel: 6 planted pairs (lags 1, 2, 3, 1, 2, 3; signs + − + − + −; noise sd = the leader's sd) "
               "and 8 independent KPIs of the leader's type. \"significant\": planted pairs called at any lag. "
               "FDP: the share of significant calls that are not a planted (leader → follower) pair, averaged "
               "over panels (0 for a panel without calls). "
               "Target at n = 60: ≥ 40 % found with the right lag and sign, FDP ≤ 10 %."),
    )
    engine_count, reference_count = mode.power_panels
    for kind in mode.power_types:
        for n in mode.power_ns:
            progress(f"lead/lag power {kind} n={n}")
            tallies = {side: {"right": 0, "found": 0, "fdp": [], "planted": 0} for side in ("kpilot", "reference")}
            for panel in range(max(engine_count, reference_count)):
                values, planted = planted_panel(kind, n, rng_for("leadlag-power", kind, n, panel))
                names = kpi_names(values.shape[1])
                if panel < engine_count:
                    calls = engine_calls(engine.analyze(values, names, tag="leadlag-power"), names)
                    if calls is not None:
                        add_planted_outcome(tallies["kpilot"], calls, planted)
                if panel < reference_count:
                    add_planted_outcome(tallies["reference"], reference_calls(reference.lead_lag(values)), planted)
            cells = []
            for tally in tallies.values():
                cells += [pct(share(tally["right"], tally["planted"])), pct(share(tally["found"], tally["planted"])),
                          pct(mean(tally["fdp"]))]
            table.add(TYPES[kind], n, *cells)
    counts_note(table, "panels", engine_count, reference_count)
    return table


# --- trend verdicts -------------------------------------------------------------------


def engine_trend_sign(kpi):
    """+1 / −1 / 0 for a rising / falling / flat verdict (undoing the direction), None if absent."""
    verdict = dig(kpi, "trend.verdict")
    if verdict is None:
        return None
    if verdict == "flat":
        return 0
    better = 1 if verdict == "improving" else -1
    return better if (kpi or {}).get("direction") != "lower_is_better" else -better


def trend_cell(engine, draw, engine_count, reference_count, tag):
    """Trend calls of kpilot and the reference on series from draw(batch, k) → (values, true signs).

    Returns {"kpilot": (signs, truths, wanders), "reference": (signs, truths, None)},
    the reference's signs as (ADF "c", ADF "ct") pairs (see reference.trend_signs);
    each side sees the first engine_count / reference_count series.
    """
    engine_signs, engine_truths, wanders, reference_signs, reference_truths = [], [], [], [], []
    total = max(engine_count, reference_count)
    for start in range(0, total, BATCH):
        values, truth = draw(start // BATCH, min(BATCH, total - start))
        engine_k = max(0, min(values.shape[1], engine_count - start))
        reference_k = max(0, min(values.shape[1], reference_count - start))
        if engine_k:
            for kpi in engine_kpis(engine, values[:, :engine_k], tag=tag):
                engine_signs.append(engine_trend_sign(kpi))
                wanders.append(dig(kpi, "trend.wanders"))
            engine_truths += list(truth[:engine_k])
        for j in range(reference_k):
            reference_signs.append(reference.trend_signs(values[:, j]))
        reference_truths += list(truth[:reference_k])
    return {"kpilot": (engine_signs, engine_truths, wanders), "reference": (reference_signs, reference_truths, None)}


def trend_verdicts(engine, mode, progress):
    """Trendless series called improving / worsening, and power on a small trend."""
    ns = (36, 60)
    table = Table(
        "Trend verdict: trendless series called improving or worsening; power on a 0.05 sd/period trend",
        ["Series", "n", "kpilot: called a trend", "kpilot: wanders", "reference: called a trend",
         "reference, ADF ct: called a trend", "target"],
        intro=("Share of series whose verdict is not flat (the power rows: in the right direction). "
               "\"wanders\": the share kpilot marks `trend.wanders`. Reference: pre-whitened Mann–Kendall with "
               "the SPEC's wanders guard (ADF with a constant, as in its stationarity test); \"ADF ct\": the same "
               "with the guard's ADF on a constant and a trend, which kpilot uses (the SPEC does not say which)."),
    )
    engine_count, reference_count = mode.trend_series
    targets = {"iid": "≤ 7 %", "ar05": "≤ 7 %", "seasonal": "≤ 7 %", "ar09": "≤ 12 %", "rw": "≤ 12 %"}
    for kind in TRENDLESS:
        for n in ns:
            progress(f"trend null {kind} n={n}")

            def draw(batch, k, kind=kind, n=n):
                return simulate(kind, n, k, rng_for("trend-null", kind, n, batch), mix_of=MIX_TRENDLESS), np.zeros(k)

            calls = trend_cell(engine, draw, engine_count, reference_count, "trend")
            (engine_signs, _, wanders), (reference_signs, _, _) = calls["kpilot"], calls["reference"]
            table.add(TYPES[kind], n, pct(nonzero_share(engine_signs), 1), pct(true_share(wanders), 1),
                      *[pct(nonzero_share([s[i] for s in reference_signs]), 1) for i in (0, 1)],
                      targets.get(kind, "(none)"))
    for n in ns:
        progress(f"trend power n={n}")

        def draw(batch, k, n=n):
            values, slopes = linear_trend(n, k, rng_for("trend-power", n, batch), slope_sd=0.05, return_slopes=True)
            return values, np.sign(slopes)

        calls = trend_cell(engine, draw, engine_count, reference_count, "trend")
        (engine_signs, engine_truths, wanders), (reference_signs, reference_truths, _) = calls["kpilot"], calls["reference"]
        table.add("i.i.d. + trend 0.05 sd/period (power)", n, pct(match_share(engine_signs, engine_truths), 1),
                  pct(true_share(wanders), 1),
                  *[pct(match_share([s[i] for s in reference_signs], reference_truths), 1) for i in (0, 1)],
                  "≥ 60 %" if n == 36 else "(none)")
    counts_note(table, "series", engine_count, reference_count)
    return table


def nonzero_share(signs):
    """Share of non-flat calls among the present ones."""
    present = [s for s in signs if s is not None]
    return share(sum(1 for s in present if s != 0), len(present))


def true_share(flags):
    """Share of True among the present flags."""
    present = [f for f in flags if f is not None]
    return share(sum(1 for f in present if f is True), len(present))


def match_share(signs, truths):
    """Share of calls in the true direction among the present ones."""
    pairs = [(s, t) for s, t in zip(signs, truths) if s is not None]
    return share(sum(1 for s, t in pairs if s == t), len(pairs))


# --- forecast coverage and MASE ------------------------------------------------------


def naive_scale(train):
    """In-sample MAE of the naive one-step forecast per column (NaN when it is zero)."""
    scale = np.mean(np.abs(np.diff(train, axis=0)), axis=0)
    return np.where(scale > 0, scale, np.nan)


def score_forecasts(paths, actual, scale):
    """Coverage per step, mean coverage and MASE of (value, low, high) paths per window.

    `paths[j]` is None where the method gave no forecast; a path shorter than
    the horizon leaves the later steps out.
    """
    horizon, windows = actual.shape
    covered = np.full((windows, horizon), np.nan)
    errors = np.full((windows, horizon), np.nan)
    for j, path in enumerate(paths):
        if path is None:
            continue
        value, low, high = path
        h = min(horizon, len(value))
        truth = actual[:h, j]
        covered[j, :h] = (low[:h] <= truth) & (truth <= high[:h])
        errors[j, :h] = np.abs(truth - value[:h]) / scale[j]
    present = int(np.isfinite(covered[:, 0]).sum())
    if present == 0:
        return {"windows": 0, "steps": [None] * horizon, "coverage": None, "mase": None}
    steps = [float(np.nanmean(covered[:, h])) if np.isfinite(covered[:, h]).any() else None for h in range(horizon)]
    return {
        "windows": present,
        "steps": steps,
        "coverage": mean(steps),
        "mase": float(np.nanmean(errors)),
    }


def forecast_sides(engine, train, actual, frequency, period, tag):
    """kpilot's and the reference's scores on the same windows (train: WINDOW × W)."""
    horizon = actual.shape[0]
    scale = naive_scale(train)
    engine_paths = [forecast_path(kpi) for kpi in engine_kpis(engine, train, horizon=horizon, frequency=frequency, tag=tag)]
    reference_paths = []
    for j in range(train.shape[1]):
        model = reference.fit_ets(train[:, j], period)
        reference_paths.append(reference.forecast(model, horizon) if model is not None else None)
    return score_forecasts(engine_paths, actual, scale), score_forecasts(reference_paths, actual, scale)


def forecast_table(title, intro):
    columns = ["Series", "method", "windows"] + [f"step {h}" for h in range(1, FORECAST_H + 1)] + ["mean", "MASE", "MASE / ref"]
    return Table(title, columns, intro=intro)


def add_forecast_rows(table, label, engine_scores, reference_scores):
    """Two rows per series: kpilot (with its MASE relative to the reference) and the reference."""
    ratio = None
    if engine_scores["mase"] is not None and reference_scores["mase"]:
        ratio = engine_scores["mase"] / reference_scores["mase"]
    for method, scores, last in (("kpilot", engine_scores, num(ratio, 3)), ("AutoETS", reference_scores, "")):
        table.add(label if method == "kpilot" else "", method, scores["windows"],
                  *[pct(s) for s in scores["steps"]], pct(scores["coverage"], 1), num(scores["mase"], 3), last)


def forecast_simulated(engine, mode, progress):
    """Coverage and MASE on simulated series of every type, 48-period windows at rolling origins."""
    table = forecast_table(
        "Forecast on simulated series: 95 % interval coverage per step and MASE",
        (f"{WINDOW}-period windows, {mode.forecast_origins} rolling origins 6 periods apart on each of "
         f"{mode.forecast_series} series per type, `--horizon {FORECAST_H}`. MASE: mean absolute error over steps "
         "1–6 scaled by the window's in-sample naive one-step MAE. Target: mean coverage 90–98 % on every type; "
         "MASE at most 5 % above AutoETS's (MASE / ref ≤ 1.05)."),
    )
    length = WINDOW + FORECAST_H * mode.forecast_origins
    for kind in TYPES:
        progress(f"forecast {kind}")
        series = simulate(kind, length, mode.forecast_series, rng_for("forecast", kind))
        windows = [rolling_windows(series[:, j], WINDOW, FORECAST_H, mode.forecast_origins) for j in range(series.shape[1])]
        train = np.hstack([w[0] for w in windows])
        actual = np.hstack([w[1] for w in windows])
        add_forecast_rows(table, TYPES[kind], *forecast_sides(engine, train, actual, "monthly", 12, "forecast"))
    return table


def forecast_real(engine, mode, progress):
    """Coverage and MASE on the statsmodels datasets, 48-period windows at rolling origins."""
    table = forecast_table(
        "Forecast on real series (statsmodels datasets): 95 % interval coverage per step and MASE",
        (f"{WINDOW}-period windows at up to {mode.real_origins} evenly spaced rolling origins per series, "
         f"`--horizon {FORECAST_H}`; each window is one KPI of a sheet with the series' frequency. "
         "Target: mean coverage ≥ 85 % on every series; MASE / ref ≤ 1.05."),
    )
    for name, values, frequency, period in real_series():
        progress(f"forecast {name}")
        train, actual = rolling_windows(values, WINDOW, FORECAST_H, mode.real_origins)
        add_forecast_rows(table, name, *forecast_sides(engine, train, actual, frequency, period, "real"))
    return table


# --- at_risk ----------------------------------------------------------------------------


def flag_scores(flags, breached):
    """(flagged share, precision, false-alarm rate) of boolean flags against outcomes."""
    pairs = [(f, b) for f, b in zip(flags, breached) if f is not None]
    if not pairs:
        return None, None, None
    flagged = [b for f, b in pairs if f]
    calm = [f for f, b in pairs if not b]
    return share(len(flagged), len(pairs)), share(sum(flagged), len(flagged)), share(sum(calm), len(calm))


def risk_cell(engine, mode, kind, n, goal):
    """Flags and outcomes of kpilot, the reference and the true model on one (type, n, share) cell.

    Returns ({"kpilot" | "reference" | "true": (flags, outcomes)}, count of
    series kpilot called `breached`).
    """
    engine_count, reference_count = mode.risk_series
    margin = risk_margin(kind, n, RISK_H, goal, rng_for("risk-pilot", kind, n, goal))
    sides = {"kpilot": ([], []), "reference": ([], []), "true": ([], [])}
    breached_now = 0
    total = max(engine_count, reference_count)
    for start in range(0, total, BATCH):
        k = min(BATCH, total - start)
        rng = rng_for("risk", kind, n, goal, start // BATCH)
        values = simulate(kind, n + RISK_H, k, rng)
        thresholds, breached = risk_targets(values, n, RISK_H, margin, rng.random(k) < 0.5, rng.normal(size=k))
        targets = [("<=" if t > v else ">=", t) for t, v in zip(thresholds.tolist(), values[n - 1])]
        history = values[:n]
        engine_k = max(0, min(k, engine_count - start))
        if engine_k:
            kpis = engine_kpis(engine, history[:, :engine_k], targets[:engine_k], horizon=RISK_H, tag="risk")
            for kpi in kpis:
                health = (kpi or {}).get("health")
                sides["kpilot"][0].append(None if health is None else health == "at_risk")
                breached_now += health == "breached"
            sides["kpilot"][1].extend(breached[:engine_k])
        for j in range(max(0, min(k, reference_count - start))):
            seed = start + j
            model = reference.fit_ets(history[:, j], 12)
            p = reference.breach_probability(model, RISK_H, targets[j], seed=seed) if model else None
            truth = true_breach_probability(kind, history[:, j], targets[j], RISK_H, np.random.default_rng(seed))
            for side, probability in (("reference", p), ("true", truth)):
                sides[side][0].append(None if probability is None else probability >= 0.5)
                sides[side][1].append(breached[j])
    return sides, breached_now


def at_risk(engine, mode, progress):
    """health == "at_risk" against whether the held-out quarter actually breached."""
    table = Table(
        "at_risk against the held-out quarter",
        ["Type", "n", "design share", "breached in 3", "kpilot: flagged", "kpilot: precision", "kpilot: false alarms",
         "reference: flagged", "reference: precision", "reference: false alarms",
         "true model: precision", "true model: false alarms"],
        intro=("Each series has a target beyond its latest value (`KPI 7 (<= 105.1234)` or `(>= …)`, half each) "
               "at a distance margin·exp(z), the margin set per type so that a design share of the series breach "
               "in the next 3 periods (50 % as the issue asks, and 20 %); the engine sees the first n periods "
               "(`--horizon 3`, the monthly default). Precision: breached among flagged; false alarms: flagged "
               "among those that did not breach. Reference: AutoETS breach probability ≥ 0.5 (4,000 paths). "
               "True model: the simulating process's own P(breach) ≥ 0.5 given the history, the best a rule "
               "cut at 0.5 can do (i.i.d., AR and random walks only). Target on AR 0.9 and random walks: "
               "precision ≥ 50 % at ≤ 8 % false alarms."),
    )
    for goal in mode.risk_goals:
        for kind in TYPES:
            for n in mode.risk_ns:
                progress(f"at_risk {kind} n={n} share={goal}")
                sides, breached_now = risk_cell(engine, mode, kind, n, goal)
                outcomes = sides["kpilot"][1] or sides["reference"][1]
                cells = [pct(x) for x in flag_scores(*sides["kpilot"]) + flag_scores(*sides["reference"])]
                cells += [pct(x) for x in flag_scores(*sides["true"])[1:]]
                table.add(TYPES[kind], n, pct(goal), pct(share(int(np.sum(outcomes)), len(outcomes))), *cells)
                if breached_now:
                    table.note(f"{TYPES[kind]} n={n}, share {pct(goal)}: kpilot called {breached_now} series "
                               "`breached` although the latest value is inside the target.")
    counts_note(table, "series", *mode.risk_series)
    return table


STUDIES = {
    "leadlag-null": leadlag_null,
    "leadlag-power": leadlag_power,
    "trend": trend_verdicts,
    "forecast": forecast_simulated,
    "forecast-real": forecast_real,
    "at-risk": at_risk,
}
