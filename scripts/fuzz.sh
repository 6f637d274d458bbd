#!/usr/bin/env bash
# Runs kpilot's fuzz targets (fuzz/, cargo-fuzz on nightly) one after the
# other, one job each, under nice, for a given time per target:
#
#   scripts/fuzz.sh 300                      # every target, 5 minutes each
#   scripts/fuzz.sh 600 read_table_xlsx      # one target, 10 minutes
#   scripts/fuzz.sh 60 read_table_xls parse_value
#
# Seeds come from tests/fixtures (and ../shared/calamine-tests when present),
# written by fuzz/seed.py into fuzz/corpus/<target>/ on the first run;
# the corpus grows there between runs. libFuzzer runs in fork mode and goes
# on after a finding: every crash, hang (an input over 10 s) or input that
# takes over 1 GB is left in fuzz/artifacts/<target>/, and the script exits 1
# at the end if any target has findings. Each target's executions and
# coverage are read from libFuzzer's log in fuzz/logs/<target>.log.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SECONDS_PER_TARGET="${1:?usage: scripts/fuzz.sh SECONDS_PER_TARGET [TARGET ...]}"
shift
ALL_TARGETS=(read_table_bytes read_table_text read_table_xls read_table_xlsx read_table_xlsb
  read_table_ods parse_period parse_value parse_target)
TARGETS=("$@")
[ "${#TARGETS[@]}" -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")

ensure_fuzz_tools() {
  if ! rustup toolchain list | grep -q '^nightly'; then
    say "installing the nightly toolchain (the fuzz crate only)"
    rustup toolchain install nightly --profile minimal
  fi
  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz (takes a few minutes, once)"
    cargo +nightly install cargo-fuzz
  fi
}

ensure_fuzz_tools
# Debug assertions on (overflow checks included); no sanitizer: kpilot and
# calamine are safe Rust, and what is looked for is panics, aborts, hangs
# and runaway memory.
FUZZ_FLAGS=(--debug-assertions --sanitizer none)
say "building the fuzz targets"
nice cargo +nightly fuzz build "${FUZZ_FLAGS[@]}"
if [ ! -d fuzz/corpus ]; then
  say "seeding fuzz/corpus from tests/fixtures"
  python3 fuzz/seed.py
fi
mkdir -p fuzz/logs
failed=()
for target in "${TARGETS[@]}"; do
  say "fuzzing $target for $SECONDS_PER_TARGET s"
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  nice cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$target" -- \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=1024 \
    -malloc_limit_mb=1024 -max_len=262144 \
    >"fuzz/logs/$target.log" 2>&1 || true
  # Fork mode's status lines: "#<executions>: cov: <edges> ft: … crash: <n> …".
  status="$(grep -E '^#[0-9]+: cov:' "fuzz/logs/$target.log" | tail -1 || true)"
  runs="$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$status")"
  coverage="$(grep -oE 'cov: [0-9]+' <<<"$status" || true)"
  findings="$(find "fuzz/artifacts/$target" -type f | wc -l)"
  echo "$target: ${runs:-?} executions, ${coverage:-cov: ?}, $findings findings in fuzz/artifacts/$target" >&2
  [ "$findings" -gt 0 ] && failed+=("$target")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "findings in: ${failed[*]}" >&2
  exit 1
fi
