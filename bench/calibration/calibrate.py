#!/usr/bin/env python3
"""kpilot's calibration benchmark: the error rates of its statistics on simulated
and real KPI series, next to the SPEC's methods in Python. See README.md.

    python3 bench/calibration/calibrate.py                 # quick mode
    python3 bench/calibration/calibrate.py --full          # the issue's counts
    python3 bench/calibration/calibrate.py --only trend,at-risk
    python3 bench/calibration/calibrate.py --full --reference-panels 5   # full counts for kpilot, fewer for the slow reference
    KPILOT_BIN=/path/to/kpilot python3 bench/calibration/calibrate.py

Prints the markdown tables and writes them to bench/calibration/out/results.md.
"""

import os

# One BLAS thread: the benchmark shares its machine with compilers.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import datetime  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from engine import Engine  # noqa: E402
from studies import FULL, QUICK, STUDIES  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the full counts (default: quick mode)")
    parser.add_argument("--only", help="comma-separated studies: " + ", ".join(STUDIES))
    parser.add_argument("--binary", default=os.environ.get("KPILOT_BIN", os.path.join(ROOT, "target", "release", "kpilot")))
    parser.add_argument("--out", default=os.path.join(HERE, "out"))
    parser.add_argument("--reference-panels", type=int,
                        help="lead/lag studies: panels per cell for the (slow) Python reference only")
    parser.add_argument("--risk-breach-shares", default="0.5,0.2",
                        help="at_risk study: the shares of series that breach within the horizon (0.5,0.2)")
    return parser.parse_args()


def main():
    args = parse_args()
    mode = dataclasses.replace(FULL if args.full else QUICK, risk_goals=tuple(float(x) for x in args.risk_breach_shares.split(",")))
    if args.reference_panels is not None:
        mode = dataclasses.replace(
            mode,
            null_panels=(mode.null_panels[0], args.reference_panels),
            power_panels=(mode.power_panels[0], args.reference_panels),
        )
    names = args.only.split(",") if args.only else list(STUDIES)
    unknown = [name for name in names if name not in STUDIES]
    if unknown:
        sys.exit(f"unknown study {', '.join(unknown)}; known: {', '.join(STUDIES)}")
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"no kpilot binary at {args.binary} (set KPILOT_BIN or build it)")

    engine = Engine(args.binary, os.path.join(args.out, "sheets"))
    began = time.perf_counter()

    def progress(text):
        print(f"[{time.perf_counter() - began:6.0f} s] {text}", file=sys.stderr, flush=True)

    sections = []
    for name in names:
        start = time.perf_counter()
        table = STUDIES[name](engine, mode, progress)
        table.note(f"{time.perf_counter() - start:.0f} s.")
        text = table.markdown()
        print("\n" + text, flush=True)
        sections.append(text)

    elapsed = time.perf_counter() - began
    header = (
        f"# kpilot calibration ({mode.name} mode)\n\n"
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.machine()}; "
        f"binary `{args.binary}` ({engine.version()}); {engine.runs} engine runs "
        f"({engine.seconds:.0f} s in the engine), {elapsed:.0f} s in total. "
        "\"n/a\": the engine's JSON has no such field (yet).\n"
    )
    if engine.failures:
        header += f"\n{len(engine.failures)} engine runs failed; the first: {engine.failures[0]}\n"
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "results.md")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(header + "\n" + "\n".join(sections))
    print(header, flush=True)
    print(f"written: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
