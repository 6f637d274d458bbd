#!/usr/bin/env python3
"""Writes the two files issue 2's reading benchmark times (deterministic):

- bench/out/long_100k.csv: a long CSV of 100,000 rows
  (date, metric, value, target, department): 100 KPIs x 1,000 days.
- bench/out/wide_20k.xlsx: a wide XLSX of 20,000 rows (one row per day,
  periods down) x 10 KPI columns, with real date cells.
"""
import datetime
import os
import random

import openpyxl

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


def long_csv(path, kpis=100, days=1000):
    rng = random.Random(2)
    start = datetime.date(2021, 1, 1)
    levels = [100.0 + 10 * k for k in range(kpis)]
    with open(path, "w", encoding="utf-8") as out:
        out.write("date,metric,value,target,department\n")
        for day in range(days):
            date = (start + datetime.timedelta(days=day)).isoformat()
            for k in range(kpis):
                levels[k] += rng.gauss(0, 1)
                target = ">= 90" if k % 5 == 0 else ""
                out.write(f"{date},KPI {k + 1},{levels[k]:.3f},{target},Dept {k % 4 + 1}\n")


def wide_xlsx(path, rows=20000, kpis=10):
    rng = random.Random(3)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(["Date"] + [f"KPI {k + 1}" for k in range(kpis)])
    start = datetime.date(1970, 1, 1)
    levels = [100.0] * kpis
    for day in range(rows):
        for k in range(kpis):
            levels[k] += rng.gauss(0, 1)
        sheet.append([start + datetime.timedelta(days=day)] + [round(v, 3) for v in levels])
    workbook.save(path)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    long_csv(os.path.join(OUT, "long_100k.csv"))
    wide_xlsx(os.path.join(OUT, "wide_20k.xlsx"))
    for name in ("long_100k.csv", "wide_20k.xlsx"):
        print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")
