#!/usr/bin/env bash
# Trunk's post-build hook (Trunk.toml): the JavaScript API, then, for release builds, the
# pre-rendered first results in index.html (scripts/prerender.mjs; skipped with a warning
# when Chromium is missing, since the page works without it) and the page as one
# self-contained file for offline use (scripts/build-offline.mjs: amlvnet.html).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-js-api.sh
if [ "${TRUNK_PROFILE:-}" = "release" ]; then
  if [ -x "${CHROMIUM:-/usr/bin/chromium}" ] && [ -d node_modules/playwright-core ]; then
    node scripts/prerender.mjs "$TRUNK_STAGING_DIR"
  else
    echo "warning: no Chromium or playwright-core (run scripts/setup.sh): the page is built without pre-rendered results" >&2
  fi
  node scripts/build-offline.mjs "$TRUNK_STAGING_DIR"
fi
