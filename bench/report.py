#!/usr/bin/env python3
"""The benchmark table: kpilot against the Python reference, per sheet.

Reads what `bench/run.sh` leaves in `bench/out/` for each sheet NAME.csv:

* `NAME.kpilot.seconds`   best-of-N wall time of the release CLI (one number);
* `NAME.kpilot.cpu`       its CPU time (user + system);
* `NAME.kpilot.json`      the CLI's `--format json` output;
* `NAME.reference.json`   `bench/reference.py --json` (time, counts, per-KPI
                          results, every pair at its best lag).

Prints a Markdown table (size, both sides' wall and CPU seconds, the ratios,
whether Python was extrapolated, significant pairs kpilot / Python, and the
number of KPIs and pairs on which the two disagree beyond the tolerances),
the project's goals with a pass or fail, and every disagreement, each with an
example. The tolerances are the SPEC's ("Exact definitions"):

* lead/lag: the same significant pairs at the same lags; every tested pair's
  best lag and method the same, its r, p, q (and granger_p of the
  significant ones) within 1e-6 relative;
* per KPI, within 1e-6 relative: latest, change, OLS slope, R², Theil–Sen,
  Mann–Kendall S and p, and the pre-whitened Mann–Kendall S, tau, p and lag-1
  autocorrelation (`trend.significance`); the same stationarity, seasonality,
  `trend.wanders`, verdict, breach record and health;
* forecast: the same model, every step's point forecast and 95 % bounds
  within 1e-3 relative, the same crossing steps (point, earliest, latest); the
  breach probability within four standard errors of the difference of two
  independent 4,000-path simulations (the two sides draw different random
  numbers), √(2·p(1−p)/4000) each; the same anomalous periods.

    python3 bench/report.py bench/out [--write bench/out/results.md]
"""

import argparse
import json
import math
import os
import re
import sys

GOAL_SIZE = (500, 1000)
GOAL_SECONDS = 3.0  # issue 8: "stays under 3 s on one core natively"
GOAL_RATIO = 20.0
TOLERANCE = 1e-6
FORECAST_TOLERANCE = 1e-3
BREACH_PATHS = 4000
BREACH_SIGMAS = 4.0
SIGNIFICANCE = 0.05
EXAMPLES = 3
SIZE_IN_NAME = re.compile(r"wide_(\d+)x(\d+)_(\w+)\.csv$")
TRAILING_CLAUSE = re.compile(r"\s*\([^()]*\)\s*$")


def plain_name(name):
    """A KPI name without a target clause in brackets, for matching the two sides."""
    return TRAILING_CLAUSE.sub("", name).strip()


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def load_seconds(path):
    try:
        with open(path, encoding="utf-8") as f:
            return float(f.read().strip())
    except (OSError, ValueError):
        return None


def relative_difference(a, b):
    if a is None or b is None:
        return 0.0 if a is None and b is None else math.inf
    if a == b:
        return 0.0
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale > 1e-9 else abs(a - b)


def fmt(value):
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:.9g}"
    return str(value)


def dig(obj, path):
    for key in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


class Findings:
    """Disagreements grouped by what differs, with the items (KPIs, pairs) they touch."""

    def __init__(self):
        self.groups = {}  # label -> [(item, text, size)]
        self.items = set()

    def add(self, label, item, text, size=None):
        self.groups.setdefault(label, []).append((item, text, size))
        self.items.add(item)

    def lines(self, total_by_kind):
        out = []
        for label, found in self.groups.items():
            kind = "pairs" if found[0][0][0] == "pair" else "KPIs"
            sized = [f for f in found if f[2] is not None]
            if sized:
                found = sorted(sized, key=lambda f: -f[2]) + [f for f in found if f[2] is None]
            examples = "; ".join(text for _, text, _ in found[:EXAMPLES])
            worst = f", largest {found[0][2]:.2e}" if sized else ""
            out.append(f"{label}: {len(found)} of {total_by_kind[kind]} {kind}{worst} — e.g. {examples}")
        return out


# --------------------------------------------------------------------------
# Lead / lag
# --------------------------------------------------------------------------


def compare_pairs(report, reference, findings):
    rows = {(plain_name(r["leader"]), plain_name(r["follower"])): r for r in report.get("lead_lag", [])}
    ours = {pair: row for pair, row in rows.items() if row.get("significant")}
    theirs = {(plain_name(r["leader"]), plain_name(r["follower"])): r for r in reference["significant"]}

    for pair in sorted(set(theirs) - set(ours)):
        row, k = theirs[pair], rows.get(pair)
        seen = (f"kpilot: lag {k['lag']}, r = {k['r']:.4f}, q = {k['q_value']:.3g}" if k else "kpilot does not list it")
        findings.add("significant only in Python", ("pair",) + pair,
                     f"{pair[0]} → {pair[1]} lag {row['lag']}, r = {row['r']:.4f}, q = {row['q_value']:.3g} ({seen})")
    for pair in sorted(set(ours) - set(theirs)):
        row = ours[pair]
        findings.add("significant only in kpilot", ("pair",) + pair,
                     f"{pair[0]} → {pair[1]} lag {row['lag']}, r = {row['r']:.4f}, q = {row['q_value']:.3g}")
    for pair in sorted(set(ours) & set(theirs)):
        a, b = ours[pair], theirs[pair]
        if a["lag"] == b["lag"]:
            difference = relative_difference(a.get("granger_p"), b.get("granger_p"))
            if difference > TOLERANCE:
                findings.add("granger_p beyond 1e-6", ("pair",) + pair,
                             f"{pair[0]} → {pair[1]}: kpilot {fmt(a.get('granger_p'))}, Python {fmt(b.get('granger_p'))}",
                             difference)

    # Every tested pair at its best lag.
    names = reference["kpi_names"]
    tested = 0
    for a, b, lag, r, p, q, method in reference["best_lags"]:
        pair = (plain_name(names[a]), plain_name(names[b]))
        mine = rows.get(pair)
        tested += 1
        label = f"{pair[0]} → {pair[1]}"
        if mine is None:
            findings.add("tested pair missing from kpilot", ("pair",) + pair, label)
            continue
        if mine["lag"] != lag:
            findings.add("best lag differs", ("pair",) + pair,
                         f"{label}: kpilot lag {mine['lag']} (r = {mine['r']:.6f}), Python lag {lag} (r = {r:.6f})")
            continue
        if mine.get("method") != method:
            findings.add("method differs", ("pair",) + pair, f"{label}: kpilot {mine.get('method')}, Python {method}")
        for field, value in (("r", r), ("p_value", p), ("q_value", q)):
            difference = relative_difference(mine.get(field), value)
            if difference > TOLERANCE:
                findings.add(f"{field} beyond 1e-6", ("pair",) + pair,
                             f"{label} lag {lag}: kpilot {fmt(mine.get(field))}, Python {fmt(value)}", difference)
    if report.get("lead_lag_tested") is not None and report["lead_lag_tested"] != reference["pairs_tested"]:
        findings.add("pairs tested", ("pair", "*", "*"),
                     f"kpilot tested {report['lead_lag_tested']} pairs, Python {reference['pairs_tested']}")
    return tested


# --------------------------------------------------------------------------
# Per KPI
# --------------------------------------------------------------------------

EXACT = [
    ("latest", "latest", "latest"),
    ("change", "change", "change"),
    ("trend.ols_slope", "trend.ols_slope", "trend.ols_slope"),
    ("trend.r2", "trend.r2", "trend.r2"),
    ("trend.theil_sen_slope", "trend.theil_sen_slope", "trend.theil_sen_slope"),
    ("trend.mann_kendall.s", "trend.mann_kendall.s", "trend.mann_kendall.s"),
    ("trend.mann_kendall.p_value", "trend.mann_kendall.p_value", "trend.mann_kendall.p_value"),
    ("trend.significance.s", "trend.significance.s", "trend.significance.s"),
    ("trend.significance.tau", "trend.significance.tau", "trend.significance.tau"),
    ("trend.significance.p_value", "trend.significance.p_value", "trend.significance.p_value"),
    ("trend.significance.lag1_autocorrelation", "trend.significance.lag1_autocorrelation",
     "trend.significance.lag1_autocorrelation"),
]

CATEGORICAL = [
    ("stationarity", "stationarity", "stationarity"),
    ("seasonal", "seasonal", "seasonal"),
    ("trend.wanders", "trend.wanders", "trend.wanders"),
    ("trend verdict", "trend.verdict", "trend.verdict"),
    ("breach streak", "breach.streak", "breach.streak"),
    ("breach count", "breach.count", "breach.count"),
    ("health", "health", "health"),
    ("forecast model", "forecast.model", "forecast.model"),
]


def crossing_steps(forecast):
    """kpilot's crossing as steps after the last period (1 = the next), from its path's labels."""
    labels = [point["period"] for point in forecast.get("path") or []]

    def step(label):
        return labels.index(label) + 1 if label in labels else None

    return forecast.get("periods_ahead"), step(forecast.get("earliest_period")), step(forecast.get("latest_period"))


def compare_forecast(mine, kpi, findings, item):
    name = kpi["name"]
    a, b = mine.get("forecast") or {}, kpi.get("forecast") or {}
    if not a.get("path") and not b:
        return
    if a.get("model") != b.get("model"):
        return  # reported as "forecast model"; the numbers of different models are not compared
    worst, where = 0.0, None
    for step, (p, q) in enumerate(zip(a.get("path") or [], b.get("path") or []), start=1):
        for field in ("value", "low", "high"):
            difference = relative_difference(p[field], q[field])
            if difference > worst:
                worst, where = difference, f"step {step} {field}: kpilot {p[field]:.6f}, Python {q[field]:.6f}"
    if len(a.get("path") or []) != len(b.get("path") or []):
        findings.add("forecast horizon", item, f"{name}: kpilot {len(a.get('path') or [])} steps, Python {len(b.get('path') or [])}")
    if worst > FORECAST_TOLERANCE:
        findings.add("forecast path beyond 1e-3", item, f"{name} ({b['model']}) {where}", worst)
    pa, pb = a.get("breach_probability"), b.get("breach_probability")
    if (pa is None) != (pb is None):
        findings.add("breach probability", item, f"{name}: kpilot {fmt(pa)}, Python {fmt(pb)}")
    elif pa is not None:
        mean = (pa + pb) / 2
        allowed = BREACH_SIGMAS * math.sqrt(2 * mean * (1 - mean) / BREACH_PATHS) + 1e-12
        if abs(pa - pb) > allowed:
            findings.add("breach probability beyond sampling error", item,
                         f"{name}: kpilot {pa:.5f}, Python {pb:.5f} (allowed ±{allowed:.4f})", abs(pa - pb))
    if pb is not None:
        ours = crossing_steps(a)
        theirs = (b.get("periods_ahead"), b.get("earliest_step"), b.get("latest_step"))
        if ours != theirs:
            findings.add("crossing steps (point, earliest, latest)", item, f"{name}: kpilot {ours}, Python {theirs}")


def compare_kpis(report, reference, findings):
    ours = {plain_name(k["name"]): k for k in report.get("kpis", [])}
    for kpi in reference["per_kpi"]:
        item = ("kpi", kpi["name"])
        mine = ours.get(plain_name(kpi["name"]))
        if mine is None:
            findings.add("KPI missing from kpilot's JSON", item, kpi["name"])
            continue
        for label, path_ours, path_theirs in EXACT:
            a, b = dig(mine, path_ours), dig(kpi, path_theirs)
            difference = relative_difference(a, b)
            if difference > TOLERANCE:
                findings.add(f"{label} beyond 1e-6", item, f"{kpi['name']}: kpilot {fmt(a)}, Python {fmt(b)}", difference)
        for label, path_ours, path_theirs in CATEGORICAL:
            if path_theirs.startswith("breach.") and kpi.get("breach") is None and mine.get("target") is None:
                continue  # no target: kpilot keeps an empty breach record, Python none
            a, b = dig(mine, path_ours), dig(kpi, path_theirs)
            if a != b:
                findings.add(label, item, f"{kpi['name']}: kpilot {fmt(a)}, Python {fmt(b)}")
        compare_forecast(mine, kpi, findings, item)
        a = [anomaly["period"] for anomaly in mine.get("anomalies") or []]
        b = kpi.get("anomalies") or []
        if sorted(a) != sorted(b):
            only_ours = sorted(set(a) - set(b))
            only_theirs = sorted(set(b) - set(a))
            findings.add("anomalous periods", item,
                         f"{kpi['name']}: only kpilot {only_ours or '–'}, only Python {only_theirs or '–'}")


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------


def sheets_in(out_dir):
    found = []
    for entry in os.listdir(out_dir):
        match = SIZE_IN_NAME.match(entry)
        if match:
            found.append((int(match.group(1)), int(match.group(2)), match.group(3), entry))
    # Work grows with KPIs^2 x periods: sort by that, as the table reads best.
    return sorted(found, key=lambda s: (s[0] * s[0] * s[1], s[0], s[1]))


def build(out_dir, only=None):
    rows = []
    notes = []
    goal_lines = []
    ratios_ok = True
    goal_time = None
    for kpis, periods, frequency, name in sheets_in(out_dir):
        if only is not None and name not in only:
            continue
        stem = os.path.join(out_dir, name[: -len(".csv")])
        seconds = load_seconds(stem + ".kpilot.seconds")
        cpu = load_seconds(stem + ".kpilot.cpu")
        report = load_json(stem + ".kpilot.json")
        reference = load_json(stem + ".reference.json")
        if seconds is None and reference is None:
            continue
        python_seconds = reference["seconds"] if reference else None
        python_cpu = reference.get("cpu_seconds") if reference else None
        ratio = python_seconds / seconds if seconds and python_seconds else None
        cpu_ratio = python_cpu / cpu if cpu and python_cpu else None
        if ratio is None or ratio < GOAL_RATIO:
            ratios_ok = False
        if (kpis, periods) == GOAL_SIZE:
            goal_time = (seconds, cpu)
        kpilot_count = str(sum(1 for row in report.get("lead_lag", []) if row.get("significant"))) if report else "error"
        python_count = str(reference["significant_pairs"]) if reference else "–"
        extrapolated = "–"
        if reference:
            extrapolated = (
                f"yes ({reference['pairs_timed']:,} of {reference['pairs']:,} pairs timed)"
                if reference["extrapolated"] else "no"
            )
        disagreements = "–"
        if report is not None and reference is not None:
            findings = Findings()
            pairs_compared = compare_pairs(report, reference, findings)
            compare_kpis(report, reference, findings)
            kpi_items = sum(1 for item in findings.items if item[0] == "kpi")
            pair_items = sum(1 for item in findings.items if item[0] == "pair")
            disagreements = "0" if not findings.items else f"{kpi_items} KPIs, {pair_items} pairs"
            details = findings.lines({"KPIs": len(reference["per_kpi"]), "pairs": pairs_compared})
            if reference["extrapolated"]:
                details.insert(0, "(Python's pairs come from its vectorised computation: the per-test loop was extrapolated)")
            check = reference.get("self_check")
            if check and (check["pairs_mismatched"] or not check["same_significant_pairs"]):
                details.append(f"Python's per-test loop and vectorised computation disagree: {check}")
            if findings.items or (check and (check["pairs_mismatched"] or not check["same_significant_pairs"])):
                notes.append(f"**{name}** (Python: seasonal KPIs {', '.join(reference.get('seasonal_kpis') or []) or 'none'}; "
                             f"wanders guard ADF regression \"{reference.get('wanders_adf_regression', 'c')}\")")
                notes.extend(f"- {line}" for line in details)
        elif report is None and seconds is not None:
            notes.append(f"**{name}**: kpilot's JSON could not be read (see {stem}.kpilot.stderr)")
        rows.append(
            "| {k} × {n} {f} | {ks} | {kc_} | {ps} | {pc_} | {ratio} | {cpu_ratio} | {ex} | {kc} / {pc} | {dis} |".format(
                k=kpis, n=periods, f=frequency,
                ks=f"{seconds:.3f}" if seconds is not None else "failed",
                kc_=f"{cpu:.3f}" if cpu is not None else "–",
                ps=f"{python_seconds:.1f}" if python_seconds is not None else "–",
                pc_=f"{python_cpu:.1f}" if python_cpu is not None else "–",
                ratio=f"{ratio:,.0f}×" if ratio is not None else "–",
                cpu_ratio=f"{cpu_ratio:,.0f}×" if cpu_ratio is not None else "–",
                ex=extrapolated, kc=kpilot_count, pc=python_count, dis=disagreements,
            )
        )

    header = [
        "| Sheet (KPIs × periods) | kpilot (s) | kpilot CPU (s) | Python (s) | Python CPU (s) "
        "| Python / kpilot | same, CPU | Python extrapolated | Significant pairs kpilot / Python | Disagreements |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    if goal_time is not None and goal_time[0] is not None:
        wall, cpu = goal_time
        verdict = "met" if wall < GOAL_SECONDS else "NOT met"
        cpu_note = f" ({cpu:.3f} s CPU: {'met' if cpu < GOAL_SECONDS else 'NOT met'} on CPU time)" if cpu is not None else ""
        goal_lines.append(
            f"- {GOAL_SIZE[0]} KPIs × {GOAL_SIZE[1]} periods in under {GOAL_SECONDS:g} s on one core: "
            f"{wall:.3f} s wall — {verdict}{cpu_note}"
        )
    if rows:
        goal_lines.append(
            f"- at least {GOAL_RATIO:g}× faster than the Python reference on every size: "
            f"{'met' if ratios_ok else 'NOT met'}"
        )
    return header + rows, goal_lines, notes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    parser.add_argument("--write", help="also write the Markdown to this file")
    parser.add_argument("--only", help="comma-separated sheet file names to include")
    parser.add_argument("--preamble", default="", help="text put above the table")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    table, goals, notes = build(args.out_dir, only)
    parts = []
    if args.preamble:
        parts.append(args.preamble.rstrip() + "\n")
    parts.append("\n".join(table) + "\n")
    if goals:
        parts.append("Goals:\n\n" + "\n".join(goals) + "\n")
    parts.append(
        "Disagreements between kpilot and the Python reference (tolerances: bench/README.md):\n\n"
        + ("\n".join(notes) if notes else
           "none (same significant pairs and best lags; r, p, q and trend numbers within 1e-6; same stationarity, "
           "seasonality, wanders, verdicts, health and anomalies; forecasts within 1e-3; breach probabilities "
           "within sampling error)")
        + "\n"
    )
    text = "\n".join(parts)
    print(text, end="")
    if args.write:
        with open(args.write, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
