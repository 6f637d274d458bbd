#!/usr/bin/env python3
"""The benchmark table: kpilot against the Python reference, per sheet.

Reads what `bench/run.sh` leaves in `bench/out/` for each sheet NAME.csv:

* `NAME.kpilot.seconds`   best-of-N wall time of the release CLI (one number);
* `NAME.kpilot.json`      the CLI's `--format json` output (for the counts);
* `NAME.reference.json`   `bench/reference.py --json` (time, counts, pairs).

Prints a Markdown table (size, kpilot s, Python s, ratio, extrapolated,
significant pairs kpilot / Python), the project's two goals with a pass or
fail, and every disagreement between the two analyses: significant pairs found
by one and not the other, lags that differ, and per-KPI trend numbers
(OLS slope, R^2, Theil-Sen, Mann-Kendall S and p) that differ by more than
1e-6 relative.

    python3 bench/report.py bench/out [--write bench/out/results.md]
"""

import argparse
import json
import math
import os
import re
import sys

GOAL_SIZE = (500, 1000)
GOAL_SECONDS = 2.0
GOAL_RATIO = 20.0
TOLERANCE = 1e-6
SIGNIFICANCE = 0.05
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


def kpilot_significant(report):
    return {
        (plain_name(row["leader"]), plain_name(row["follower"])): row
        for row in report.get("lead_lag", [])
        if row.get("significant")
    }


def reference_significant(reference):
    return {(plain_name(row["leader"]), plain_name(row["follower"])): row for row in reference["significant"]}


def compare_pairs(report, reference):
    """Lines describing how the significant pairs of the two sides differ."""
    ours = kpilot_significant(report)
    theirs = reference_significant(reference)
    lines = []
    all_rows = {(plain_name(r["leader"]), plain_name(r["follower"])): r for r in report.get("lead_lag", [])}
    for pair in sorted(set(theirs) - set(ours)):
        row = theirs[pair]
        k = all_rows.get(pair)
        seen = (
            f"kpilot has lag {k['lag']}, r = {k['r']:.4f}, q = {k['q_value']:.3g}, significant = {k['significant']}"
            if k else "kpilot does not list the pair"
        )
        lines.append(
            f"only Python: {pair[0]} -> {pair[1]} lag {row['lag']} r = {row['r']:.4f} q = {row['q_value']:.3g} ({seen})"
        )
    for pair in sorted(set(ours) - set(theirs)):
        row = ours[pair]
        lines.append(
            f"only kpilot: {pair[0]} -> {pair[1]} lag {row['lag']} r = {row['r']:.4f} q = {row['q_value']:.3g}"
        )
    worst = {"r": 0.0, "p_value": 0.0, "q_value": 0.0, "granger_p": 0.0}
    for pair in sorted(set(ours) & set(theirs)):
        a, b = ours[pair], theirs[pair]
        if a["lag"] != b["lag"]:
            lines.append(f"lag differs: {pair[0]} -> {pair[1]}: kpilot {a['lag']}, Python {b['lag']}")
            continue
        for field in worst:
            worst[field] = max(worst[field], relative_difference(a.get(field), b.get(field)))
    for field, value in worst.items():
        if value > TOLERANCE:
            lines.append(f"significant pairs: largest relative difference in {field} is {value:.2e}")
    return lines


def compare_kpis(report, reference):
    """Lines for per-KPI trend numbers that differ by more than the tolerance."""
    ours = {plain_name(k["name"]): k for k in report.get("kpis", [])}
    lines = []
    missing = [k["name"] for k in reference["per_kpi"] if plain_name(k["name"]) not in ours]
    if missing:
        lines.append(f"KPIs missing from kpilot's JSON: {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    fields = [
        ("ols_slope", lambda t: t["ols_slope"]),
        ("r2", lambda t: t["r2"]),
        ("theil_sen_slope", lambda t: t["theil_sen_slope"]),
        ("mann_kendall.s", lambda t: t["mann_kendall"]["s"]),
        ("mann_kendall.p_value", lambda t: t["mann_kendall"]["p_value"]),
    ]
    for label, get in fields:
        worst, where = 0.0, None
        for kpi in reference["per_kpi"]:
            mine = ours.get(plain_name(kpi["name"]))
            if not mine or not kpi.get("trend") or not mine.get("trend"):
                continue
            try:
                difference = relative_difference(get(mine["trend"]), get(kpi["trend"]))
            except (KeyError, TypeError):
                difference = math.inf
            if difference > worst:
                worst, where = difference, kpi["name"]
        if worst > TOLERANCE:
            lines.append(f"trend {label}: largest relative difference {worst:.2e} ({where})")
    # Engine choices beyond the SPEC's exact definitions (verdict, breach record,
    # anomaly rules, health): counted, not held to a tolerance.
    categorical = [
        ("trend verdict", lambda k: (k.get("trend") or {}).get("verdict")),
        ("health", lambda k: k.get("health")),
        ("breach streak/count", lambda k: (k["breach"]["streak"], k["breach"]["count"]) if k.get("breach") else None),
        ("anomaly count", lambda k: len(k["anomalies"]) if isinstance(k.get("anomalies"), list) else k.get("anomalies")),
    ]
    for label, get in categorical:
        differing = []
        for kpi in reference["per_kpi"]:
            mine = ours.get(plain_name(kpi["name"]))
            if mine is None or get(kpi) is None:
                continue
            try:
                if get(mine) != get(kpi):
                    differing.append(f"{kpi['name']} kpilot {get(mine)} / Python {get(kpi)}")
            except (KeyError, TypeError):
                differing.append(f"{kpi['name']} (kpilot's JSON lacks it)")
        if differing:
            lines.append(
                f"{label} differs on {len(differing)} of {len(reference['per_kpi'])} KPIs, e.g. "
                + "; ".join(differing[:3])
            )
    for field in ("latest", "change"):
        worst, where = 0.0, None
        for kpi in reference["per_kpi"]:
            mine = ours.get(plain_name(kpi["name"]))
            if mine is None:
                continue
            difference = relative_difference(mine.get(field), kpi.get(field))
            if difference > worst:
                worst, where = difference, kpi["name"]
        if worst > TOLERANCE:
            lines.append(f"{field}: largest relative difference {worst:.2e} ({where})")
    return lines


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
        if report is not None:
            kpilot_count = str(sum(1 for row in report.get("lead_lag", []) if row.get("significant")))
        else:
            kpilot_count = "error"
        python_count = str(reference["significant_pairs"]) if reference else "–"
        extrapolated = "–"
        if reference:
            extrapolated = (
                f"yes ({reference['pairs_timed']:,} of {reference['pairs']:,} pairs timed)"
                if reference["extrapolated"] else "no"
            )
        rows.append(
            "| {k} × {n} {f} | {ks} | {kc_} | {ps} | {pc_} | {ratio} | {cpu_ratio} | {ex} | {kc} / {pc} |".format(
                k=kpis,
                n=periods,
                f=frequency,
                ks=f"{seconds:.3f}" if seconds is not None else "failed",
                kc_=f"{cpu:.3f}" if cpu is not None else "–",
                ps=f"{python_seconds:.1f}" if python_seconds is not None else "–",
                pc_=f"{python_cpu:.1f}" if python_cpu is not None else "–",
                ratio=f"{ratio:,.0f}×" if ratio is not None else "–",
                cpu_ratio=f"{cpu_ratio:,.0f}×" if cpu_ratio is not None else "–",
                ex=extrapolated,
                kc=kpilot_count,
                pc=python_count,
            )
        )
        if report is not None and reference is not None:
            details = compare_pairs(report, reference) + compare_kpis(report, reference)
            if reference["extrapolated"]:
                details.insert(0, "(Python's significant pairs come from its vectorised check: the per-test loop was extrapolated)")
            if reference.get("self_check") and (
                reference["self_check"]["pairs_mismatched"] or not reference["self_check"]["same_significant_pairs"]
            ):
                details.append(f"Python's per-test loop and vectorised check disagree: {reference['self_check']}")
            if len(details) > (1 if reference["extrapolated"] else 0):
                notes.append(f"**{name}**")
                notes.extend(f"- {line}" for line in details[:15])
                if len(details) > 15:
                    notes.append(f"- … {len(details) - 15} more")
        elif report is None and seconds is not None:
            notes.append(f"**{name}**: kpilot's JSON could not be read (see {stem}.kpilot.stderr)")

    header = [
        "| Sheet (KPIs × periods) | kpilot (s) | kpilot CPU (s) | Python (s) | Python CPU (s) "
        "| Python / kpilot | same, CPU | Python extrapolated | Significant pairs kpilot / Python |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
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
        "Disagreements between kpilot and the Python reference:\n\n"
        + ("\n".join(notes) if notes else "none (same significant pairs and lags; per-KPI trend numbers within 1e-6; same verdicts, health, breach records and anomaly counts)")
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
