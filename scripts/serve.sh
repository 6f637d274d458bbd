#!/usr/bin/env bash
# The main job: builds the page with its wasm engine and the bundled sample,
# then serves it on http://127.0.0.1:${PORT:-8080}/ (Ctrl-C stops it).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/build-web.sh"
exec node scripts/serve.mjs --port "${PORT:-8080}"
