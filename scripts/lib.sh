# Shared helpers for the project's scripts: each `ensure_*` installs a tool
# only when it is missing, so a fresh machine and a warm one run the same
# commands. Sourced, not run.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASM_TARGET=wasm32-unknown-unknown

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx "$WASM_TARGET"; then
    say "installing the $WASM_TARGET Rust target"
    rustup target add "$WASM_TARGET"
  fi
}

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen() {
  local wanted
  wanted="$(wasm_bindgen_version)"
  if [ -z "$wanted" ]; then
    echo "could not find the wasm-bindgen version in Cargo.lock" >&2
    exit 1
  fi
  if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$wanted" ]; then
    say "installing wasm-bindgen-cli $wanted (takes a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$wanted"
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium (Debian package) for the browser tests"
    if [ "$(id -u)" -eq 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
  fi
}

ensure_node_packages() {
  if ! command -v node >/dev/null; then
    echo "Node.js is required for the page's build and tests; install it (e.g. apt-get install nodejs npm)" >&2
    exit 1
  fi
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    say "installing npm packages"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
