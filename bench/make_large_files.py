#!/usr/bin/env python3
"""Deterministic large files for the browser benchmark (bench/browser.mjs).

Writes into bench/out/ (gitignored), keeping a file that already exists
unless --force is given:

  browser-daily-40kpi.xlsx    ~10 MB workbook, wide with periods down: a `Date`
                              column of daily date cells and 40 KPI columns
                              (openpyxl write_only).
  browser-long-38mb.csv       ~38 MiB long CSV (`date,kpi,value`), daily, 100
                              KPIs: the issue's "38 MB" CSV, which the page
                              must analyse.
  browser-long-50mb.csv       ~50 MB long CSV of the same shape, longer (the
                              page's limit was 40 MB; it is 80 MB now).
  browser-wide-500x120.csv    500 KPIs x 120 monthly periods, wide with periods
                              down (`Month`, `2015-01` ...): the sheet on which
                              target edits are timed.
  browser-leadlag-500x120.csv the same shape with 100 leaders driving four
                              followers each: the Lead & lag tab's sheet.
  browser-long-80mb.csv       ~80 MB and ~120 MB long CSVs of the same shape
  browser-long-120mb.csv      as the 38 MiB one: the tab's peak memory by size.
  browser-100k-x10.xlsx       100,000 rows x 10 columns (a `Date` column of
  browser-100k-x10.csv        daily dates from 1900 and 9 KPIs), as a workbook
                              and as CSV: kpilot's reading side by side with
                              SheetJS and PapaParse.

Every KPI is a random walk with its own level and scale (daily series add a
weekly cycle), values rounded to two decimals; ~0.5 % of the cells are blank.
No file carries a target, so every KPI starts as "No target". The random
numbers come from Python's `random.Random` with fixed seeds, and the .xlsx is
re-zipped with fixed timestamps, so the same command writes the same bytes.

    python3 bench/make_large_files.py            # all of them
    python3 bench/make_large_files.py --force    # rewrite them
    python3 bench/make_large_files.py --only wide
"""

import argparse
import datetime as dt
import io
import os
import random
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")

MISSING_SHARE = 0.005
XLSX_KPIS = 40
XLSX_DAYS = 35_600  # tuned so the workbook is ~10 MB (10.0 MB)
LONG_KPIS = 100
LONG_START = dt.date(1990, 1, 1)
MIB = 1024 * 1024
LONG_38_BYTES = 38 * MIB  # the "38 MB" CSV
LONG_50_BYTES = 50 * 1000 * 1000
LONG_80_BYTES = 80 * 1000 * 1000
LONG_120_BYTES = 120 * 1000 * 1000
TABLE_ROWS = 100_000
TABLE_KPIS = 9  # and the date: ten columns
WIDE_KPIS = 500
WIDE_PERIODS = 120
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


class Walk:
    """One KPI: a random walk around its own level, optionally with a weekly cycle."""

    def __init__(self, rng, weekly):
        self.rng = rng
        self.level = rng.uniform(50, 5000)
        self.scale = self.level * rng.uniform(0.002, 0.02)
        self.weekly = [rng.uniform(-1, 1) * self.scale * 3 for _ in range(7)] if weekly else None
        self.value = self.level

    def next(self, index):
        self.value += self.rng.gauss(0, self.scale) + (self.level - self.value) * 0.001
        if self.rng.random() < MISSING_SHARE:
            return None
        shown = self.value + (self.weekly[index % 7] if self.weekly else 0.0)
        return round(shown, 2)


def kpi_names(count, prefix):
    width = len(str(count))
    return [f"{prefix} {i + 1:0{width}d}" for i in range(count)]


def write_xlsx(path):
    rng = random.Random(20240101)
    names = kpi_names(XLSX_KPIS, "KPI")
    walks = [Walk(rng, weekly=True) for _ in names]
    start = dt.date(1930, 1, 1)
    rows = ([start + dt.timedelta(days=day), *(walk.next(day) for walk in walks)] for day in range(XLSX_DAYS))
    write_workbook(path, ["Date", *names], rows)


def write_workbook(path, header, rows):
    """One sheet `Data` (openpyxl write_only), re-zipped with fixed times."""
    import openpyxl  # only the workbooks need it

    workbook = openpyxl.Workbook(write_only=True)
    fixed = dt.datetime(*FIXED_ZIP_TIME)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    sheet = workbook.create_sheet("Data")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl stamps each zip entry, and the `modified` property, with the
    # current time: re-zip with fixed ones.
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(
        path, "w", compression=zipfile.ZIP_DEFLATED
    ) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2024-01-01T00:00:00Z\g<2>",
                    data,
                )
            target.writestr(entry, data)


def write_long_csv(path, limit_bytes, seed):
    """Long layout, one row per (day, KPI), written until the next day would pass `limit_bytes`."""
    rng = random.Random(seed)
    names = kpi_names(LONG_KPIS, "Metric")
    walks = [Walk(rng, weekly=True) for _ in names]
    header = "date,kpi,value\n"
    written = len(header)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(header)
        day = 0
        while True:
            label = (LONG_START + dt.timedelta(days=day)).isoformat()
            lines = []
            for name, walk in zip(names, walks):
                value = walk.next(day)
                lines.append(f"{label},{name},{'' if value is None else f'{value:.2f}'}\n")
            block = "".join(lines)
            if written + len(block) > limit_bytes:
                break
            out.write(block)
            written += len(block)
            day += 1
    return day


def write_wide_csv(path):
    rng = random.Random(500120)
    names = kpi_names(WIDE_KPIS, "KPI")
    walks = [Walk(rng, weekly=False) for _ in names]
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(["Month", *names]) + "\n")
        for month in range(WIDE_PERIODS):
            label = f"{2015 + month // 12}-{month % 12 + 1:02d}"
            values = (walk.next(month) for walk in walks)
            out.write(",".join([label, *("" if v is None else f"{v:.2f}" for v in values)]) + "\n")


def write_leadlag_csv(path):
    """Followers are 0.8 x a leader's change k months earlier plus their own noise."""
    rng = random.Random(500121)
    leaders = 100
    followers_per_leader = 4
    names = kpi_names(leaders * (1 + followers_per_leader), "KPI")
    columns = []
    for leader in range(leaders):
        steps = [rng.gauss(0, 1) for _ in range(WIDE_PERIODS)]
        columns.append(steps)
        for follower in range(followers_per_leader):
            lag = 1 + (leader + follower) % 3
            own = [0.8 * (steps[t - lag] if t >= lag else 0.0) + rng.gauss(0, 0.6) for t in range(WIDE_PERIODS)]
            columns.append(own)
    # Cumulate the changes into levels (random walks that share their steps).
    series = []
    for index, steps in enumerate(columns):
        level = 100 + 10 * (index % 37)
        values = []
        for step in steps:
            level += step
            values.append(level)
        series.append(values)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(["Month", *names]) + "\n")
        for month in range(WIDE_PERIODS):
            label = f"{2015 + month // 12}-{month % 12 + 1:02d}"
            out.write(",".join([label, *(f"{column[month]:.2f}" for column in series)]) + "\n")


def table_rows():
    """100,000 days from 1900 (to 2173) of 9 KPIs: the side-by-side table."""
    rng = random.Random(100010)
    walks = [Walk(rng, weekly=True) for _ in range(TABLE_KPIS)]
    start = dt.date(1900, 1, 1)
    for day in range(TABLE_ROWS):
        yield start + dt.timedelta(days=day), [walk.next(day) for walk in walks]


TABLE_HEADER = ["Date", *kpi_names(TABLE_KPIS, "KPI")]


def write_table_xlsx(path):
    write_workbook(path, TABLE_HEADER, ([date, *values] for date, values in table_rows()))


def write_table_csv(path):
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(TABLE_HEADER) + "\n")
        for date, values in table_rows():
            cells = ("" if value is None else f"{value:.2f}" for value in values)
            out.write(",".join([date.isoformat(), *cells]) + "\n")


FILES = {
    "xlsx": ("browser-daily-40kpi.xlsx", write_xlsx),
    "csv38": ("browser-long-38mb.csv", lambda path: write_long_csv(path, LONG_38_BYTES, 38)),
    "csv50": ("browser-long-50mb.csv", lambda path: write_long_csv(path, LONG_50_BYTES, 50)),
    "wide": ("browser-wide-500x120.csv", write_wide_csv),
    "leadlag": ("browser-leadlag-500x120.csv", write_leadlag_csv),
    "csv80": ("browser-long-80mb.csv", lambda path: write_long_csv(path, LONG_80_BYTES, 80)),
    "csv120": ("browser-long-120mb.csv", lambda path: write_long_csv(path, LONG_120_BYTES, 120)),
    "table_xlsx": ("browser-100k-x10.xlsx", write_table_xlsx),
    "table_csv": ("browser-100k-x10.csv", write_table_csv),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=OUT, help="output directory (default bench/out)")
    parser.add_argument("--force", action="store_true", help="rewrite files that exist")
    parser.add_argument("--only", choices=sorted(FILES), action="append", help="only this file (repeatable)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for key in args.only or FILES:
        name, write = FILES[key]
        path = os.path.join(args.out, name)
        if os.path.exists(path) and not args.force:
            print(f"{path}: exists ({os.path.getsize(path) / MIB:.1f} MiB), kept", file=sys.stderr)
            continue
        temporary = path + ".tmp"
        write(temporary)
        os.replace(temporary, path)
        print(f"{path}: {os.path.getsize(path) / MIB:.1f} MiB ({os.path.getsize(path):,} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
