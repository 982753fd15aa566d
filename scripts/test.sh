#!/usr/bin/env bash
# The test command of the README: the build (the crash spec runs the compiled service), unit
# specs, then the e2e suite on the embedded default
# (SQLite + in-process timers), then, when DATABASE_URL and REDIS_URL are set, the same e2e
# suite on PostgreSQL + Redis (Bull), then the console's browser tests (issue 20). Fails on the
# first failing run.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

run() {
  local name=$1; shift
  echo "::: $name"
  npx jest "$@" --json --outputFile="$results/$name.json"
}

# the crash spec runs the compiled service as a child process
echo "::: build"
npm run build >/dev/null

run unit --selectProjects unit
( unset DATABASE_URL REDIS_URL; run e2e-embedded --selectProjects e2e --runInBand )
if [[ -n "${DATABASE_URL:-}" && -n "${REDIS_URL:-}" ]]; then
  run e2e-postgres-redis --selectProjects e2e --runInBand
else
  echo "::: e2e on PostgreSQL + Redis skipped: DATABASE_URL and REDIS_URL are not both set"
fi

# --- console (issue 20): browser tests of the built console, Debian's Chromium via playwright-core,
# against the service started as the README does (seed + start on a fresh DATA_DIR and port) ---
( unset DATABASE_URL REDIS_URL; run browser --selectProjects browser --runInBand )
# --- end console ---

# one plain closing line over every run
node -e '
  const fs = require("fs"); const dir = process.argv[1];
  let passed = 0, failed = 0;
  for (const f of fs.readdirSync(dir)) { const r = JSON.parse(fs.readFileSync(dir + "/" + f, "utf8")); passed += r.numPassedTests; failed += r.numFailedTests; }
  console.log(`${passed} passed, ${failed} failed`);
' "$results"
