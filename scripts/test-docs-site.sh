#!/usr/bin/env bash
# The npm package in a real documentation site: packs it (scripts/build-npm.sh), installs the
# tarball into a scratch project, builds e2e/docs-site with MkDocs + Material (pinned, from
# PyPI, in target/py) with the package's files as the site's static assets, and drives the
# built site in Chromium, served under a sub-path (e2e/docs-site.test.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
tarball="$(bash scripts/build-npm.sh dist | tail -n 1)"
scratch=target/docs-site
rm -rf "$scratch" && mkdir -p "$scratch"
cp -r e2e/docs-site/. "$scratch"/
(cd "$scratch" && printf '{ "name": "handbook", "private": true }\n' > package.json &&
  npm install --no-audit --no-fund --silent "$tarball")
mkdir -p "$scratch/docs/tools/amlvnet"
cp "$scratch"/node_modules/amlvnet/{amlvnet.js,amlvnet_bg.wasm,amlvnet-check.js} "$scratch/docs/tools/amlvnet/"
(cd "$scratch" && NO_MKDOCS_2_WARNING=1 ../py/bin/mkdocs build --strict --quiet --site-dir site)
node --test e2e/docs-site.test.mjs
