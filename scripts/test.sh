#!/usr/bin/env bash
# Every test: the engine's native tests, the wasm build, and the browser
# tests that drive the real page in Chromium. Installs what is missing.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

say "native tests (cargo test)"
cargo test --all-targets
cargo test --doc

"$ROOT/scripts/build-web.sh"

ensure_chromium
say "browser tests (node --test, Chromium)"
node --test --test-concurrency=1 tests/browser/
