#!/usr/bin/env python3
"""Deterministic synthetic KPI sheets for the analysis benchmark.

Each sheet is a wide CSV with periods down: the first column is the period
(`Month` with `2020-01`, `2020-02`, ... labels, or `Date` with ISO days when
there are more than 240 periods), then one column per KPI.

Every KPI is a random walk. Every tenth KPI (`KPI 4`, `KPI 14`, ...) follows
the KPI three columns to its left (`KPI 1`, `KPI 11`, ...) by 1 to 3 periods:
its first differences are beta * the leader's differences at that lag plus
noise, with beta alternating between +0.7 and -0.7. So a sheet of k KPIs
plants k/10 lead/lag relationships that an analysis should find. About 1 % of
the cells are blank (missing), and every seventh KPI carries a target in its
header, e.g. `KPI 7 (<= 105)`.

The same size always gives the same file (the seed is derived from the size).
Output goes to `bench/out/` (gitignored) unless `--out` says otherwise.

    python3 bench/generate.py                       # the default grid
    python3 bench/generate.py --sizes 10x24,50x120  # KPIs x periods
    python3 bench/generate.py --list                # print the default grid
"""

import argparse
import csv
import datetime as dt
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "out")

# (KPIs, periods). Sheets with more than MONTHLY_LIMIT periods get daily labels.
DEFAULT_SIZES = [(10, 24), (10, 120), (50, 120), (100, 250), (200, 500), (500, 1000), (100, 2000)]
MONTHLY_LIMIT = 240
MISSING_SHARE = 0.01
PLANTED_BETA = 0.7


def frequency_for(periods):
    return "monthly" if periods <= MONTHLY_LIMIT else "daily"


def sheet_name(kpis, periods):
    return f"wide_{kpis}x{periods}_{frequency_for(periods)}.csv"


def period_labels(periods):
    """(header, labels) for `periods` consecutive periods from January 2020."""
    if frequency_for(periods) == "monthly":
        return "Month", [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(periods)]
    start = dt.date(2020, 1, 1)
    return "Date", [(start + dt.timedelta(days=d)).isoformat() for d in range(periods)]


def planted_leader(kpi):
    """(leader index, lag, beta) when KPI `kpi` (0-based) follows another, else None."""
    if kpi % 10 != 3:
        return None
    block = kpi // 10
    lag = 1 + block % 3
    beta = PLANTED_BETA if block % 2 == 0 else -PLANTED_BETA
    return kpi - 3, lag, beta


def planted_pairs(kpis):
    """The planted (leader name, follower name, lag) of a sheet of `kpis` KPIs."""
    out = []
    for j in range(kpis):
        plant = planted_leader(j)
        if plant is not None:
            out.append((f"KPI {plant[0] + 1}", f"KPI {j + 1}", plant[1]))
    return out


def header_for(kpi):
    """`KPI n`, with a target for every seventh KPI (thresholds near the start level)."""
    name = f"KPI {kpi + 1}"
    if (kpi + 1) % 7 != 0:
        return name
    style = ((kpi + 1) // 7) % 3
    if style == 0:
        return f"{name} (between 90 and 110)"
    if style == 1:
        return f"{name} (<= 105)"
    return f"{name} (>= 95)"


def generate(kpis, periods):
    """(header, rows) of one sheet: rows are lists of strings."""
    rng = np.random.default_rng(1_000_003 * kpis + periods)
    differences = rng.normal(0.0, 1.0, size=(kpis, periods))
    for j in range(kpis):
        plant = planted_leader(j)
        if plant is None:
            continue
        leader, lag, beta = plant
        shifted = np.concatenate([np.zeros(lag), differences[leader, : periods - lag]])
        noise = rng.normal(0.0, 1.0, periods)
        differences[j] = beta * shifted + np.sqrt(1.0 - beta * beta) * noise
    differences[:, 0] = 0.0
    scale = rng.uniform(0.5, 2.0, size=(kpis, 1))
    start = rng.uniform(95.0, 105.0, size=(kpis, 1))
    levels = start + scale * np.cumsum(differences, axis=1)
    levels = np.round(levels, 3)
    missing = rng.random(size=levels.shape) < MISSING_SHARE

    period_header, labels = period_labels(periods)
    header = [period_header] + [header_for(j) for j in range(kpis)]
    rows = []
    for t in range(periods):
        row = [labels[t]]
        for j in range(kpis):
            row.append("" if missing[j, t] else f"{levels[j, t]:.3f}")
        rows.append(row)
    return header, rows


def write_sheet(out_dir, kpis, periods):
    path = os.path.join(out_dir, sheet_name(kpis, periods))
    header, rows = generate(kpis, periods)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def parse_sizes(text):
    sizes = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        k, _, n = item.lower().partition("x")
        sizes.append((int(k), int(n)))
    return sizes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="output folder (default bench/out)")
    parser.add_argument("--sizes", help="comma-separated KPIsxPERIODS, e.g. 10x24,500x1000")
    parser.add_argument("--list", action="store_true", help="print the sizes and file names, write nothing")
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes) if args.sizes else DEFAULT_SIZES
    if args.list:
        for k, n in sizes:
            print(f"{k}\t{n}\t{sheet_name(k, n)}")
        return 0
    os.makedirs(args.out, exist_ok=True)
    for k, n in sizes:
        if k < 2 or n < 2:
            print(f"skipping {k}x{n}: need at least 2 KPIs and 2 periods", file=sys.stderr)
            continue
        print(write_sheet(args.out, k, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
