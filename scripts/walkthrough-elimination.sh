#!/usr/bin/env bash
# README walk-through, part 2: an elimination list (风险消除) from the village's proposal to
# 风险已消除, for the monitoring object made by scripts/walkthrough.sh (the newest one of 霍庄村
# in monitoring). Needs a running, seeded service (API=…), curl and jq. Shortens the county's
# policy periods for the demo. Every refusal stops the script with the service's answer.
set -euo pipefail
source "$(dirname "$0")/lib/walkthrough.sh"
TODAY=$(TZ=Asia/Shanghai date +%F)   # the service judges dates on China's calendar

ADMIN=$(login admin 'Admin@2026'); VILLAGE=$(login v_huozhuang 'Demo@2026')
TOWNSHIP=$(login t_lingjing 'Demo@2026'); COUNTY=$(login c_jianan 'Demo@2026')

# 0. (demo only) minimum monitoring time, income stability and notice period become seconds,
#    the concentration alert is switched off: all outside the national bounds (issue 12), which
#    the global admin lowers first, with a reason
json PUT /policies/bounds "$ADMIN" '{"reason":"演示环境：监测期、收入稳定期和公示期缩短到秒级，便于现场演示","bounds":{"elimination.minMonitoringPeriod":{"min":"PT1S"},
  "elimination.incomeStablePeriod":{"min":"PT1S"},"elimination.noticePeriod":{"min":"PT1S"},"elimination.concentrationThreshold":{"max":1}}}' | jq -c '{version, changed}'
json PUT /policies/411003000000 "$ADMIN" "{\"effectiveFrom\":\"$(date -u -d '-1 min' +%FT%TZ)\",\"values\":{\"elimination.minMonitoringPeriod\":\"PT1S\",
  \"elimination.incomeStablePeriod\":\"PT1S\",\"elimination.noticePeriod\":\"PT5S\",\"elimination.concentrationThreshold\":1}}" | jq -c '{areaCode, version}'

# 1. the newest monitoring object of 霍庄村 in monitoring, its risks and an assistance measure that resolved them
MO=$(get "/monitoring-objects?areaCode=411003100201&status=monitoring" "$VILLAGE" | jq -r '.items | sort_by(.createdAt) | last | .id // empty')
[[ -n $MO ]] || { echo "walk-through failed: no monitoring object of 霍庄村 in monitoring; run scripts/walkthrough.sh first" >&2; exit 1; }
echo "monitoring object $MO"
RISK=$(get "/monitoring-objects/$MO" "$VILLAGE" | jq -c .riskTypes)
MEASURE=$(json POST "/monitoring-objects/$MO/measures" "$VILLAGE" \
  "{\"type\":\"health\",\"description\":\"落实大病专项救助，报销后自付降至3000元\",\"date\":\"$TODAY\",\"riskTypes\":$RISK}" | jq -r .id)
# a monitoring visit: the income is computed and kept in the household's income history; wages
# are attributed to the member who earned them, with the place of work (SF-05, issue 19)
HH=$(get "/monitoring-objects/$MO" "$VILLAGE" | jq -r .householdId)
EARNER=$(get "/households/$HH" "$VILLAGE" | jq -r '[.members[] | select(.employment == "local" or .employment == "outside")][0].id')
json POST "/monitoring-objects/$MO/income-records" "$VILLAGE" "{\"members\":1,
  \"income\":{\"periodStart\":\"2025-12-01\",\"periodEnd\":\"2026-11-30\",\"wage\":9600,\"businessNet\":1200,\"transfer\":2400,\"property\":0,
  \"wageEarners\":[{\"memberId\":\"$EARNER\",\"amount\":9600,\"workplace\":\"建安区灵井镇\"}]},
  \"rigidExpenditure\":{\"medical\":3000,\"education\":0},\"guarantees\":{\"education\":true,\"medical\":true,\"housing\":true,\"water\":true}}" | jq -c '{perCapitaNetIncome, aboveLine}'
sleep 2

# 2. the village proposes the list (one case per household, one batch) with its meeting evidence (SF-07)
BATCH=$(json POST /procedures/risk-elimination/batches "$VILLAGE" \
  "{\"areaCode\":\"411003100201\",\"monitoringObjectIds\":[\"$MO\"],\"eliminationType\":\"assisted\"}" | jq -r .batchId)
# batch TOKEN BODY: one event to every case of the batch; fails unless every case took it
batch() {
  local r; r=$(json POST "/batches/$BATCH/events" "$1" "$2" -H "Idempotency-Key: $(uuid)")
  jq -c '.results[] | {caseId, ok, state, code, message}' <<<"$r"
  jq -e '.results | all(.ok)' <<<"$r" >/dev/null || { echo "walk-through failed: a case of the batch refused $(jq -r .type <<<"$2")" >&2; exit 1; }
}
MINUTES=$(upload "$VILLAGE" meeting_minutes "batchId=$BATCH"); PHOTOS=$(upload "$VILLAGE" meeting_photos "batchId=$BATCH")
SIGNIN=$(upload "$VILLAGE" sign_in_sheet "batchId=$BATCH")
batch "$VILLAGE" "{\"type\":\"SUBMIT\",\"evidenceIds\":[\"$MINUTES\",\"$PHOTOS\",\"$SIGNIN\"]}"
CASE=$(get "/batches/$BATCH" "$VILLAGE" | jq -r '.cases[0].id')

# 3. household verification: each recorded risk resolved by its measure; 3+1 secure
SURVEY=$(upload "$VILLAGE" household_survey "caseId=$CASE"); INCOME=$(upload "$VILLAGE" income_calculation "caseId=$CASE")
event "$CASE" "$VILLAGE" "{\"type\":\"RECORD_VERIFICATION\",\"evidenceIds\":[\"$SURVEY\",\"$INCOME\"],\"data\":{\"members\":1,
  \"income\":{\"periodStart\":\"2025-12-01\",\"periodEnd\":\"2026-11-30\",\"wage\":9600,\"businessNet\":1200,\"transfer\":2400,\"property\":0,
  \"wageEarners\":[{\"memberId\":\"$EARNER\",\"amount\":9600,\"workplace\":\"建安区灵井镇\"}]},
  \"rigidExpenditure\":{\"medical\":3000,\"education\":0},\"guarantees\":{\"education\":true,\"medical\":true,\"housing\":true,\"water\":true},
  \"risks\":$(jq -c --arg m "$MEASURE" '[.[] | {riskType: ., resolved: true, measureId: $m}]' <<<"$RISK")}}"
# 4. village appraisal, 5. public notice closed by the system
MINUTES=$(upload "$VILLAGE" meeting_minutes "caseId=$CASE"); SIGNIN=$(upload "$VILLAGE" sign_in_sheet "caseId=$CASE")
event "$CASE" "$VILLAGE" "{\"type\":\"RECORD_APPRAISAL\",\"evidenceIds\":[\"$MINUTES\",\"$SIGNIN\"],\"data\":{\"result\":\"passed\"}}"
PHOTO=$(upload "$VILLAGE" notice_photo "caseId=$CASE")
event "$CASE" "$VILLAGE" "{\"type\":\"PUBLISH_NOTICE\",\"evidenceIds\":[\"$PHOTO\"],\"data\":{\"text\":\"霍庄村风险消除对象名单公示，如有异议请于公示期内反映\"}}"
wait_state "$CASE" "$VILLAGE" township_review 60
# 6. township review and county approval of the whole batch (SF-09 rules checked per case)
batch "$TOWNSHIP" '{"type":"APPROVE","data":{"opinion":"经乡镇复核，风险已稳定消除"}}'
batch "$COUNTY" '{"type":"APPROVE","data":{"opinion":"同意认定风险消除"}}'
get "/monitoring-objects/$MO" "$COUNTY" | jq -ce '{statusTitle, eliminationTypeTitle, colourTitle, eliminatedAt} | if .eliminatedAt then . else error("not eliminated") end'
get "/cases/$CASE/verify" "$COUNTY" | jq -ce 'if .valid then . else error("audit chain does not verify") end'
echo "walk-through part 2: done"
