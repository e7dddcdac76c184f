#!/bin/sh
# Lints docs/openapi.json with Redocly's recommended ruleset (SPEC I2).
# Installs the pinned @redocly/cli from package-lock.json on first use.
# Exits non-zero if the document has errors.
set -eu
cd "$(dirname "$0")"
# No usage telemetry and no update check: the only network use is `npm ci`.
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true
if [ ! -x node_modules/.bin/redocly ]; then
  npm ci --no-audit --no-fund
fi
exec node_modules/.bin/redocly lint --config redocly.yaml ../../docs/openapi.json
