#!/usr/bin/env bash
# The test command of the README: the build (the crash spec runs the compiled service), unit
# specs, then the e2e suite on the embedded default
# (SQLite + in-process timers), then, when DATABASE_URL and REDIS_URL are set, the same e2e
# suite on PostgreSQL + Redis (Bull), then the console's browser tests (issue 20), then the README's
# walk-through scripts against a served embedded default and the date-dependent specs at 00:30 and
# 23:30 Beijing time (issue 19). Fails on the first failing run (the last two run to their end and
# fail after the closing line).
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

# unit specs need no service: the entities' column types are the embedded default's (SQLite)
( unset DATABASE_URL REDIS_URL; run unit --selectProjects unit )
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

# --- issue 19 (branch calendar): the README's walk-throughs and China's calendar at any hour ---
# Both run to their end and count in the closing line; a failure fails the command after it.
# Every walk-through script against a freshly served embedded default (npm run serve's seed and
# start on a temporary DATA_DIR and its own port; the build above is fresh): one test per script.
bash scripts/readme-walkthroughs.sh --no-build --json "$results/walkthroughs.json" || calendar_failed=1
# the date-dependent e2e specs with the clock at 00:30 and at 23:30 Beijing time (TEST_CLOCK), on
# the embedded default and, when DATABASE_URL and REDIS_URL are set, on PostgreSQL + Redis
bash scripts/clock-runs.sh "$results" || calendar_failed=1
# --- end of issue 19's block ---

# one plain closing line over every run
node -e '
  const fs = require("fs"); const dir = process.argv[1];
  let passed = 0, failed = 0;
  for (const f of fs.readdirSync(dir)) { const r = JSON.parse(fs.readFileSync(dir + "/" + f, "utf8")); passed += r.numPassedTests; failed += r.numFailedTests; }
  console.log(`${passed} passed, ${failed} failed`);
' "$results"
# issue 19's block above: its failures fail the command once the closing line is printed
exit "${calendar_failed:-0}"
