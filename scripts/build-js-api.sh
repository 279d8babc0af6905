#!/usr/bin/env bash
# Builds the JavaScript API (amlvnet.js, amlvnet_bg.wasm, amlvnet.d.ts) from the library,
# into Trunk's staging folder (a post-build hook in Trunk.toml) or into the folder given.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${TRUNK_STAGING_DIR:-dist}}"
cargo build --locked --quiet --lib --target wasm32-unknown-unknown --profile web --no-default-features --features js-api
wasm-bindgen --target web --out-name amlvnet --out-dir "$out" target/wasm32-unknown-unknown/web/amlvnet.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext --enable-mutable-globals \
  "$out/amlvnet_bg.wasm" -o "$out/amlvnet_bg.wasm"
node scripts/write-rules-json.mjs "$out"
