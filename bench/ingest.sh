#!/usr/bin/env bash
# Issue 2's reading benchmark: times the release CLI on a 100,000-row long
# CSV and a 20,000-row wide XLSX (whole analysis, JSON output), best of 3,
# pinned to one core. Usage: bench/ingest.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin kpilot
python3 bench/make_ingest_files.py
for file in bench/out/long_100k.csv bench/out/wide_20k.xlsx; do
  best=""
  for _ in 1 2 3; do
    start=$(date +%s.%N)
    taskset -c 0 target/release/kpilot analyze "$file" --format json > /dev/null
    end=$(date +%s.%N)
    elapsed=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$elapsed < $best" | bc)" = 1 ]; then best=$elapsed; fi
  done
  printf '%s\t%.2f s (best of 3, one core)\n' "$file" "$best"
done
