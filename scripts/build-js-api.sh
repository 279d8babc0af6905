#!/usr/bin/env bash
# Builds the JavaScript API (amlvnet.js, amlvnet_bg.wasm, amlvnet.d.ts) from the library,
# into Trunk's staging folder (a post-build hook in Trunk.toml) or into the folder given.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${TRUNK_STAGING_DIR:-dist}}"
cargo build --locked --quiet --lib --target wasm32-unknown-unknown --profile web --no-default-features --features js-api
wasm-bindgen --target web --out-name amlvnet --out-dir "$out" target/wasm32-unknown-unknown/web/amlvnet.wasm
# A trap (out of bounds, unreachable, stack exhausted) skips every destructor: the instance's
# memory can't be trusted after it, and each later call would fail or lie. Each exported
# function runs guarded: on a trap, the instance is replaced by a fresh one from the same
# compiled module (synchronously), and the call that trapped throws an Error saying so.
node - "$out/amlvnet.js" <<'JS'
const fs = require('node:fs');
const file = process.argv[2];
let js = fs.readFileSync(file, 'utf8');
// Every call into the instance from an exported function: `const ret = wasm.f(…);` or,
// for a function without a result, `wasm.f(…);` (the glue's own calls stay as they are).
const call = /^( {4}(?:const ret = )?)(wasm\.\w+\([^)]*\));$/m;
let guarded = 0;
js = js.replace(/^export function \w+\([^)]*\) \{\n[\s\S]*?\n\}$/gm, (body) => {
  if (!call.test(body)) return body;
  guarded += 1;
  return body.replace(call, '$1__amlvnetGuard(() => $2);');
});
if (guarded < 5 || !js.includes('let wasmModule, wasmInstance, wasm;') || !js.includes('function initSync(module)')) {
  throw new Error('build-js-api: wasm-bindgen\'s output is not the shape the trap guard expects');
}
js += `
// A trap leaves the instance unusable: replace it, then say what happened.
function __amlvnetGuard(call) {
    try {
        return call();
    } catch (e) {
        if (!(e instanceof WebAssembly.RuntimeError || e instanceof RangeError) || wasmModule === undefined) throw e;
        const module = wasmModule;
        wasm = undefined;
        initSync({ module });
        throw new Error(\`amlvnet stopped on this input (\${e.message}); it started afresh, and the next call works as before\`);
    }
}
`;
fs.writeFileSync(file, js);
JS
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext --enable-mutable-globals \
  "$out/amlvnet_bg.wasm" -o "$out/amlvnet_bg.wasm"
node scripts/write-rules-json.mjs "$out"
