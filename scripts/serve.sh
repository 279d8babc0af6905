#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds the page and serves it on http://127.0.0.1:8080/
# with an example loaded. PORT=9000 scripts/serve.sh picks another port.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
trunk build --release --locked
exec node e2e/serve.mjs dist "${PORT:-8080}"
