#!/usr/bin/env bash
# China's calendar, at any hour (issue 19): the date-dependent e2e specs with the clock at 00:30
# and at 23:30 Beijing time (TEST_CLOCK, test/support/clock-setup.ts: the process's Date shifted,
# time running on at its real speed). 00:30 Beijing is 16:30 UTC of the day before: every place
# that took an instant's UTC date for China's date fails there. On the embedded default, and on
# PostgreSQL + Redis when DATABASE_URL and REDIS_URL are set (the service never reads the
# database's clock, so the shifted Date is the clock of both engines).
#   bash scripts/clock-runs.sh [RESULTS_DIR]   (jest JSON per run there, for scripts/test.sh's closing line)
# Env: CLOCK_HOURS (default "00:30 23:30"), CLOCK_PG_HOURS (default "00:30": the hour at which UTC and
# China's dates differ; PostgreSQL + Redis runs at it only, to bound CI's time), CLOCK_SPECS (default:
# the list below), CLOCK_ENGINES (default "embedded postgres-redis"; the second only when
# DATABASE_URL and REDIS_URL are set).
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning"
results=${1:-$(mktemp -d)}; mkdir -p "$results"
hours=${CLOCK_HOURS:-00:30 23:30}
pg_hours=${CLOCK_PG_HOURS:-00:30}
# the specs that judge calendar dates: births, record dates and their back-dating bound, deadlines,
# notice ends, the daily digest and its catch-up, months of attendance, ages
specs=${CLOCK_SPECS:-test/calendar.e2e-spec.ts test/household-registry.e2e-spec.ts test/notifications-and-webhooks.e2e-spec.ts test/risk-elimination.e2e-spec.ts test/welfare-posts.e2e-spec.ts test/rectification.e2e-spec.ts}
engines=${CLOCK_ENGINES:-embedded postgres-redis}
status=0
for h in $hours; do
  tag=${h/:/}
  if [[ " $engines " == *" embedded "* ]]; then
    echo "::: e2e-embedded at $h Asia/Shanghai"
    ( unset DATABASE_URL REDIS_URL; TEST_CLOCK=$h npx jest --selectProjects e2e --runInBand $specs --json --outputFile="$results/clock-$tag-embedded.json" ) || status=1
  fi
  if [[ " $engines " == *" postgres-redis "* && " $pg_hours " == *" $h "* && -n "${DATABASE_URL:-}" && -n "${REDIS_URL:-}" ]]; then
    echo "::: e2e-postgres-redis at $h Asia/Shanghai"
    TEST_CLOCK=$h npx jest --selectProjects e2e --runInBand $specs --json --outputFile="$results/clock-$tag-postgres-redis.json" || status=1
  fi
done
exit $status
