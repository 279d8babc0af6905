#!/usr/bin/env bash
# Installs what building and testing amlvnet needs, idempotently (seconds when all is
# there; about 10 minutes on a fresh machine, mostly compiling trunk).
#   Debian: chromium, chromium-driver, brotli     (browser tests, size report)
#   rustup: the wasm32-unknown-unknown target
#   cargo:  trunk 0.21.14 (0.22 needs rustc 1.96), wasm-bindgen-cli = the Cargo.lock version
#   npm:    package.json devDependencies (SARIF validator, wasm-opt 132, playwright-core, axe-core)
#   PyPI:   MkDocs + Material, pinned, in target/py (the docs site the npm package is tested in)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="$CARGO_HOME/bin:$PATH"
step() { printf '== %s (t=%ss)\n' "$*" "$SECONDS"; }

step "debian packages"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v brotli >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver brotli >/dev/null
fi

step "rust wasm target"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

step "trunk"
[ "$(trunk --version 2>/dev/null || true)" = "trunk 0.21.14" ] || cargo install trunk --version 0.21.14 --locked

WB="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)"
step "wasm-bindgen-cli ${WB:-(not used)}"
if [ -n "$WB" ] && [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WB" ] ||
   [ "$(wasm-bindgen-test-runner --version 2>/dev/null || true)" != "wasm-bindgen-test-runner $WB" ]; then
  cargo install wasm-bindgen-cli --version "$WB" --locked --force
fi

step "npm packages"
if [ ! -x node_modules/.bin/sarif-multitool ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
chmod u+x node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool 2>/dev/null || true

step "python: mkdocs-material (target/py)"
if [ "$(target/py/bin/mkdocs --version 2>/dev/null | awk '{print $3}')" != "1.6.1" ] || ! target/py/bin/pip show mkdocs-material 2>/dev/null | grep -qx 'Version: 9.8.2'; then
  python3 -m venv target/py
  target/py/bin/pip install -q --disable-pip-version-check mkdocs==1.6.1 mkdocs-material==9.8.2
fi

step "cargo fetch"
cargo fetch --locked -q
step "setup done"
