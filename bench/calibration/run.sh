#!/usr/bin/env bash
# The calibration benchmark: error rates of kpilot's statistics on simulated and
# real KPI series, next to the SPEC's methods in Python. See README.md.
#
#   bench/calibration/run.sh                 # quick mode, a few minutes
#   bench/calibration/run.sh --full          # the issue's counts
#   bench/calibration/run.sh --only trend,at-risk
#   KPILOT_BIN=/tmp/kpilot bench/calibration/run.sh
#
# Any argument goes to calibrate.py (--help lists them). The tables are printed
# and written to bench/calibration/out/results.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
kpilot="${KPILOT_BIN:-$root/target/release/kpilot}"

# One BLAS thread: the benchmark shares the machine with compilers.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMEXPR_NUM_THREADS=1

packages=(numpy pandas scipy statsmodels pymannkendall statsforecast)
if ! python3 -c 'import numpy, pandas, scipy, statsmodels, pymannkendall, statsforecast' 2> /dev/null; then
    echo "== installing Python packages: ${packages[*]}" >&2
    python3 -m pip install --quiet "${packages[@]}" \
        || python3 -m pip install --quiet --break-system-packages "${packages[@]}"
fi

if [[ ! -x "$kpilot" ]]; then
    if [[ -n "${KPILOT_BIN:-}" ]]; then
        echo "KPILOT_BIN=$KPILOT_BIN is not an executable" >&2
        exit 1
    fi
    echo "== cargo build --release --bin kpilot" >&2
    (cd "$root" && cargo build --release --bin kpilot)
fi

exec python3 "$here/calibrate.py" --binary "$kpilot" "$@"
