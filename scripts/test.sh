#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every test: format, clippy with -D warnings, the
# native suite (unit, fixtures, property tests with 1,000 cases, corpus, CLI with SARIF
# validation), then the web layers when the page is present.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true CI="${CI:-true}"
t() { local s=$SECONDS; echo "== $*"; "$@"; echo "== $(( SECONDS - s ))s: $*"; }
t cargo fmt --check
t cargo clippy --locked --all-targets -- -D warnings
t cargo test --locked
if [ -f scripts/test-web.sh ]; then t scripts/test-web.sh; fi
echo "all tests passed"
