"""Running the kpilot CLI on a simulated sheet and reading its JSON defensively.

The engine's JSON gains fields while the statistics are rewritten, so every
read goes through `dig`, which returns None for anything absent; the tables
print None as "n/a".
"""

import json
import os
import subprocess
import time

import numpy as np


def month_labels(n, start_year=2020):
    """`2020-01`, `2020-02`, … (n labels)."""
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def quarter_labels(n, start_year=1980):
    """`1980 Q1`, `1980 Q2`, … (n labels)."""
    return [f"{start_year + i // 4} Q{i % 4 + 1}" for i in range(n)]


def year_labels(n, start_year=1970):
    """`1970`, `1971`, … (n labels)."""
    return [str(start_year + i) for i in range(n)]


LABELS = {"monthly": month_labels, "quarterly": quarter_labels, "yearly": year_labels}


def kpi_names(k):
    """`KPI 1` … `KPI k`: neutral names, so the direction heuristic says nothing."""
    return [f"KPI {j + 1}" for j in range(k)]


def target_header(name, target):
    """A header with the target in it: `KPI 7 (<= 105.1234)`; target = (op, value) or None."""
    if target is None:
        return name
    op, value = target
    return f"{name} ({op} {value:.4f})"


def write_wide_csv(path, values, names, targets=None, frequency="monthly", period_column="Month"):
    """Write an (n, k) array as a wide CSV: one period column, one column per KPI."""
    n, k = values.shape
    labels = LABELS[frequency](n)
    targets = targets or [None] * k
    headers = [target_header(name, target) for name, target in zip(names, targets)]
    lines = [",".join([period_column] + headers)]
    for i in range(n):
        # Fixed-point (never scientific) with 6 decimals: exact enough for every statistic.
        cells = [f"{v:.6f}" if np.isfinite(v) else "" for v in values[i]]
        lines.append(",".join([labels[i]] + cells))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


class Engine:
    """The kpilot binary, with a count of its runs, failures and time spent."""

    def __init__(self, binary, work_dir):
        self.binary = binary
        self.work_dir = work_dir
        self.runs = 0
        self.failures = []
        self.seconds = 0.0
        os.makedirs(work_dir, exist_ok=True)

    def version(self):
        try:
            out = subprocess.run([self.binary, "--version"], capture_output=True, text=True, timeout=30)
            return out.stdout.strip() or "unknown"
        except OSError:
            return "unknown"

    def analyze(self, values, names, targets=None, frequency="monthly", horizon=None, tag="sheet"):
        """Write the sheet, run `kpilot analyze FILE --format json`, return the parsed report.

        Returns None when the engine fails (the failure is recorded and shown
        under the tables).
        """
        path = os.path.join(self.work_dir, f"{tag}.csv")
        write_wide_csv(path, values, names, targets, frequency)
        command = [self.binary, "analyze", path, "--format", "json"]
        if horizon is not None:
            command += ["--horizon", str(horizon)]
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        self.seconds += time.perf_counter() - start
        self.runs += 1
        if result.returncode != 0:
            self.failures.append(f"{tag}: exit {result.returncode}: {result.stderr.strip()[:200]}")
            return None
        try:
            return json.loads(result.stdout)
        except json.JSONDecodeError as error:
            self.failures.append(f"{tag}: unreadable JSON ({error})")
            return None


def dig(obj, path, default=None):
    """obj["a"]["b"]… for path "a.b…", or default when any step is absent or null."""
    for key in path.split("."):
        if not isinstance(obj, dict) or obj.get(key) is None:
            return default
        obj = obj[key]
    return obj


def kpis_by_name(report):
    """The report's KPIs keyed by name (the header without its target)."""
    return {kpi.get("name"): kpi for kpi in (report or {}).get("kpis") or [] if isinstance(kpi, dict)}


def lead_lag_pairs(report):
    """The report's lead/lag list, or None when the report has none."""
    pairs = (report or {}).get("lead_lag")
    return pairs if isinstance(pairs, list) else None


def significant_pairs(report):
    """{(leader, follower): entry} for every pair the engine calls significant, or None."""
    pairs = lead_lag_pairs(report)
    if pairs is None:
        return None
    return {(p.get("leader"), p.get("follower")): p for p in pairs if p.get("significant") is True}


def forecast_path(kpi):
    """(value, low, high) arrays of the KPI's forecast path, or None when absent or incomplete."""
    path = dig(kpi, "forecast.path")
    if not isinstance(path, list) or not path:
        return None
    try:
        rows = [(float(p["value"]), float(p["low"]), float(p["high"])) for p in path]
    except (KeyError, TypeError, ValueError):
        return None
    return tuple(np.array(column) for column in zip(*rows))
