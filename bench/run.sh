#!/usr/bin/env bash
# The analysis benchmark: kpilot's release CLI against the Python reference,
# side by side on synthetic sheets, one core each. See bench/README.md.
#
#   bench/run.sh                      # the whole grid (several minutes)
#   BENCH_SIZES=10x24,50x120 bench/run.sh
#
# Environment:
#   BENCH_SIZES   comma-separated KPIsxPERIODS (default: generate.py's grid)
#   BENCH_BUDGET  seconds the Python pair loop may run before it extrapolates (120)
#   BENCH_CPU     the core both sides are pinned to (0)
#   BENCH_RUNS    kpilot runs per sheet, the best one counts (3)
#   BENCH_SKIP_BUILD=1  use the existing binary, build nothing
#   KPILOT_BIN    the kpilot binary to time (default target/release/kpilot;
#                 setting it skips the build, like BENCH_SKIP_BUILD=1)
#   BENCH_WANDERS_ADF  the ADF regression of the reference's wanders guard
#                 ("c" or "ct"; default: what bench/reference.py says)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
budget="${BENCH_BUDGET:-120}"
cpu="${BENCH_CPU:-0}"
runs="${BENCH_RUNS:-3}"
kpilot="${KPILOT_BIN:-$root/target/release/kpilot}"

# Single-threaded BLAS for the Python side (reference.py sets these too).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMEXPR_NUM_THREADS=1

pin() {
    if command -v taskset > /dev/null; then taskset -c "$cpu" "$@"; else "$@"; fi
}

echo "== Python packages"
packages=(numpy scipy pandas statsmodels pymannkendall statsforecast)
if ! python3 -c 'import numpy, scipy, pandas, statsmodels, pymannkendall, statsforecast' 2> /dev/null; then
    python3 -m pip install --quiet "${packages[@]}" \
        || python3 -m pip install --quiet --break-system-packages "${packages[@]}"
fi
python3 -c 'import numpy, scipy, pandas, statsmodels, pymannkendall as m, statsforecast
print("numpy", numpy.__version__, "scipy", scipy.__version__, "pandas", pandas.__version__,
      "statsmodels", statsmodels.__version__, "pymannkendall", getattr(m, "__version__", "?"),
      "statsforecast", statsforecast.__version__)'

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 && -z "${KPILOT_BIN:-}" ]]; then
    echo "== cargo build --release --bin kpilot"
    (cd "$root" && cargo build --release --bin kpilot)
fi
[[ -x "$kpilot" ]] || { echo "no $kpilot: build it first (or set KPILOT_BIN)" >&2; exit 1; }
echo "== kpilot: $kpilot ($("$kpilot" --version 2>/dev/null))"

echo "== generating sheets in $out"
mkdir -p "$out"
size_args=()
[[ -n "${BENCH_SIZES:-}" ]] && size_args=(--sizes "$BENCH_SIZES")
python3 "$here/generate.py" --out "$out" "${size_args[@]}" > /dev/null
mapfile -t sheets < <(python3 "$here/generate.py" --list "${size_args[@]}" | cut -f3)

for sheet in "${sheets[@]}"; do
    file="$out/$sheet"
    stem="${file%.csv}"
    echo "== $sheet"
    rm -f "$stem.kpilot.seconds" "$stem.kpilot.cpu" "$stem.kpilot.json" "$stem.reference.json"

    # Once for the JSON (the counts the table compares), not timed.
    if ! pin "$kpilot" analyze "$file" --format json > "$stem.kpilot.json" 2> "$stem.kpilot.stderr"; then
        echo "   kpilot failed: $(head -c 300 "$stem.kpilot.stderr")"
        rm -f "$stem.kpilot.json"
    else
        # Best of $runs, the whole process: read, analyse, render JSON. The
        # CPU time (user + system) is next to it: a busy machine distorts it least.
        if command -v hyperfine > /dev/null; then
            pin hyperfine --style none -N --warmup 1 --runs "$runs" --output null \
                --export-json "$stem.hyperfine.json" \
                "$kpilot analyze $file --format json" > /dev/null 2> "$stem.hyperfine.stderr"
            python3 - "$stem" <<'PY'
import json, sys
stem = sys.argv[1]
result = json.load(open(stem + ".hyperfine.json"))["results"][0]
open(stem + ".kpilot.seconds", "w").write(f"{min(result['times'])}\n")
open(stem + ".kpilot.cpu", "w").write(f"{result['user'] + result['system']}\n")
PY
        else
            pin python3 - "$stem" "$runs" "$kpilot" analyze "$file" --format json <<'PY'
import resource, subprocess, sys, time
stem, runs, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
best = None
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if best is None or wall < best[0]:
        best = (wall, cpu)
open(stem + ".kpilot.seconds", "w").write(f"{best[0]}\n")
open(stem + ".kpilot.cpu", "w").write(f"{best[1]}\n")
PY
        fi
        printf '   kpilot: %.4f s (%.4f s CPU), best of %s\n' "$(cat "$stem.kpilot.seconds")" "$(cat "$stem.kpilot.cpu")" "$runs"
    fi

    # One run of the reference, same core.
    printf '   python: '
    pin python3 "$here/reference.py" "$file" --budget "$budget" --json "$stem.reference.json"
done

echo
names="$(IFS=,; echo "${sheets[*]}")"
preamble="Benchmark run $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -m), $(nproc --all) cores (both sides pinned to core $cpu), \
load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'); \
kpilot $("$kpilot" --version 2>/dev/null | cut -d' ' -f2) (\`$kpilot\`, built $(date -u -r "$kpilot" +%Y-%m-%dT%H:%MZ)), best of $runs runs of \`kpilot analyze FILE --format json\`; \
Python: one run of bench/reference.py (the SPEC's definitions with scipy, statsmodels, pymannkendall, statsforecast), \
analysis time without interpreter start-up, imports and statsforecast's compile warm-up; pair-loop budget ${budget} s."
python3 "$here/report.py" "$out" --only "$names" --write "$out/results.md" --preamble "$preamble"
echo
echo "written: $out/results.md"
