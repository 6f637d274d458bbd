#!/usr/bin/env bash
# Builds everything the page needs into www/: the wasm package (www/pkg),
# the chart library (www/vendor) and the bundled sample (www/sample.xlsx).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_wasm_target
ensure_wasm_bindgen
ensure_node_packages

say "building the engine for the browser (wasm-release profile, $WASM_TARGET)"
cargo build --profile wasm-release --lib --target "$WASM_TARGET"
rm -rf pkg
wasm-bindgen --target web --typescript --out-dir pkg --out-name kpilot \
  "target/$WASM_TARGET/wasm-release/kpilot.wasm"

if [ -x node_modules/.bin/wasm-opt ] && [ "${KPILOT_WASM_OPT:-0}" = 1 ]; then
  say "optimising the wasm module with wasm-opt"
  node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals pkg/kpilot_bg.wasm -o pkg/kpilot_bg.opt.wasm
  # Keep the optimised module only if it is smaller once compressed.
  if [ "$(gzip -9c pkg/kpilot_bg.opt.wasm | wc -c)" -lt "$(gzip -9c pkg/kpilot_bg.wasm | wc -c)" ]; then
    # (gzip stands in for both encodings here; the sizes of both are printed below)
    mv pkg/kpilot_bg.opt.wasm pkg/kpilot_bg.wasm
  else
    rm pkg/kpilot_bg.opt.wasm
  fi
fi

rm -rf www/pkg && cp -r pkg www/pkg
mkdir -p www/vendor
cp node_modules/uplot/dist/uPlot.esm.js www/vendor/uPlot.esm.js
cp node_modules/uplot/dist/uPlot.min.css www/vendor/uPlot.min.css

say "writing the bundled sample workbook"
cargo run --quiet --bin kpilot -- sample www/sample.xlsx >/dev/null

node -e '
  const fs = require("fs"), zlib = require("zlib");
  const bytes = fs.readFileSync("www/pkg/kpilot_bg.wasm");
  const gzip = zlib.gzipSync(bytes, { level: 9 }).length;
  const brotli = zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const mb = (n) => (n / 1048576).toFixed(2) + " MB";
  console.error(`==> wasm module: ${mb(bytes.length)} raw, ${mb(gzip)} gzip, ${mb(brotli)} brotli`);
'

