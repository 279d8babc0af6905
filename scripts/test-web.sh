#!/usr/bin/env bash
# The page's tests: the core in wasm in headless Chromium (wasm-bindgen-test, the same
# reports as native on fixtures), the release build, then end-to-end tests in Chromium
# (playwright-core) with an accessibility scan and a record of every request: the page,
# the <amlvnet-check> element and the page under a sub-path, and the npm package inside a
# MkDocs site.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
t() { local s=$SECONDS; echo "== $*"; "$@"; echo "== $(( SECONDS - s ))s: $*"; }
t cargo clippy --locked --no-default-features --features web --bin web -- -D warnings
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver \
  t cargo test --locked --target wasm32-unknown-unknown --no-default-features --test wasm
t cargo test --locked --no-default-features --features web --bin web
t trunk build --release --locked
t node --test e2e/page.test.mjs
t node --test e2e/embed.test.mjs
t node --test e2e/types.test.mjs
t scripts/test-docs-site.sh
t node e2e/measure.mjs
