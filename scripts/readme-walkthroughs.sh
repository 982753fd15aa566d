#!/usr/bin/env bash
# The README's walk-throughs are tests too (issue 19): serve the embedded default the README way
# (`npm run serve`: build, seed, start) on a fresh temporary DATA_DIR and its own PORT, wait for
# health, run every walk-through script to its end, one after the other, stop the server.
# A failing script prints the service's answer; this script then prints the server's log tail
# and exits 1.
#   bash scripts/readme-walkthroughs.sh [--no-build] [--json FILE]
#   --no-build  the build in dist/ is fresh (scripts/test.sh just made it): seed and start only
#   --json FILE write {numPassedTests, numFailedTests} (one test per walk-through script) for
#               scripts/test.sh's closing line
# Env: WALKTHROUGH_PORT (default 3101), WALKTHROUGH_TIMEOUT seconds per script (default 300).
set -uo pipefail
cd "$(dirname "$0")/.."
SCRIPTS=(scripts/walkthrough.sh scripts/walkthrough-elimination.sh scripts/walkthrough-rectification.sh scripts/walkthrough-welfare-posts.sh
  scripts/walkthrough-project-intake.sh scripts/walkthrough-project-implementation.sh)
build=1; json=
while [[ $# -gt 0 ]]; do
  case $1 in --no-build) build=0 ;; --json) json=$2; shift ;; *) echo "unknown option $1" >&2; exit 2 ;; esac
  shift
done
port=${WALKTHROUGH_PORT:-3101}
limit=${WALKTHROUGH_TIMEOUT:-300}
data=$(mktemp -d); log="$data/serve.log"
passed=0; failed=0; server=

report() {
  [[ -n $json ]] && printf '{"numPassedTests":%d,"numFailedTests":%d}\n' "$passed" "$failed" > "$json"
  echo "walk-throughs: $passed passed, $failed failed"
}
stop() {
  if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
    kill -TERM -- "-$server" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$server" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$server" 2>/dev/null
  fi
  rm -rf "$data"
}
trap stop EXIT
fail_all() { # the server never came up: every script counts as failed
  echo "$1" >&2; tail -n 40 "$log" >&2; failed=${#SCRIPTS[@]}; report; exit 1
}

# the README's serve, on the embedded default only (no PostgreSQL, no Redis), in its own process group
if [[ $build == 1 ]]; then cmd='npm run serve'; else cmd='npm run seed && npm start'; fi
echo "::: walk-throughs: $cmd on port $port, DATA_DIR=$data"
env -u DATABASE_URL -u REDIS_URL -u QUEUE_PREFIX DATA_DIR="$data" PORT="$port" NODE_ENV=development \
  setsid bash -c "$cmd" > "$log" 2>&1 &
server=$!
up=0
for _ in $(seq 1 $(( build == 1 ? 600 : 240 ))); do
  kill -0 "$server" 2>/dev/null || fail_all "walk-throughs: the server exited before it was healthy"
  if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then up=1; break; fi
  sleep 0.5
done
[[ $up == 1 ]] || fail_all "walk-throughs: the server was not healthy in time"

for s in "${SCRIPTS[@]}"; do
  echo "::: $s"
  if API="http://127.0.0.1:$port" timeout "$limit" bash "$s"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "walk-through FAILED: $s" >&2
    echo "--- server log (last 20 lines)" >&2; tail -n 20 "$log" >&2
  fi
done
report
[[ $failed == 0 ]]
