#!/usr/bin/env bash
# The npm package `amlvnet`: the JavaScript API and the <amlvnet-check> element from a built
# dist/ (trunk build), with npm/'s package.json, types and README, into target/npm/amlvnet;
# then `npm pack` writes target/npm/amlvnet-VERSION.tgz (its path is printed last).
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${1:-dist}"
out=target/npm/amlvnet
for f in amlvnet.js amlvnet.d.ts amlvnet_bg.wasm amlvnet-check.js; do
  [ -f "$dist/$f" ] || { echo "build-npm: $dist/$f is missing; run trunk build first" >&2; exit 2; }
done
rm -rf target/npm && mkdir -p "$out"
cp "$dist"/amlvnet.js "$dist"/amlvnet.d.ts "$dist"/amlvnet_bg.wasm "$dist"/amlvnet-check.js npm/README.md npm/amlvnet-check.d.ts "$out"/
version="$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)"
node -e 'const fs=require("fs");const p=JSON.parse(fs.readFileSync("npm/package.json"));p.version=process.argv[1];fs.writeFileSync(process.argv[2],JSON.stringify(p,null,2)+"\n")' "$version" "$out/package.json"
(cd target/npm && npm pack --silent ./amlvnet >/dev/null)
echo "$PWD/target/npm/amlvnet-$version.tgz"
