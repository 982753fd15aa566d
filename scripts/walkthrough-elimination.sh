#!/usr/bin/env bash
# README walk-through, part 2: an elimination list (风险消除) from the village's proposal to
# 风险已消除, for the monitoring object made by scripts/walkthrough.sh. Needs a running, seeded
# service, curl and jq. Shortens the county's policy periods for the demo.
set -euo pipefail
API=${API:-http://localhost:3000}
PDF=$(mktemp --suffix=.pdf); printf '%%PDF-1.4\n%% demo evidence\n%%%%EOF\n' > "$PDF"
login() { curl -sf -X POST "$API/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$1\",\"password\":\"$2\"}" | jq -r .accessToken; }
ADMIN=$(login admin 'Admin@2026'); VILLAGE=$(login v_huozhuang 'Demo@2026')
TOWNSHIP=$(login t_lingjing 'Demo@2026'); COUNTY=$(login c_jianan 'Demo@2026')
uuid() { cat /proc/sys/kernel/random/uuid; }

# 0. (demo only) minimum monitoring time, income stability and notice period become seconds,
#    the concentration alert is switched off: all outside the national bounds (issue 12), which
#    the global admin lowers first, with a reason
curl -sf -X PUT "$API/policies/bounds" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"reason":"演示环境：监测期、收入稳定期和公示期缩短到秒级，便于现场演示","bounds":{"elimination.minMonitoringPeriod":{"min":"PT1S"},
  "elimination.incomeStablePeriod":{"min":"PT1S"},"elimination.noticePeriod":{"min":"PT1S"},"elimination.concentrationThreshold":{"max":1}}}' | jq -c '{version, changed}'
curl -sf -X PUT "$API/policies/411003000000" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d "{\"effectiveFrom\":\"$(date -u -d '-1 min' +%FT%TZ)\",\"values\":{\"elimination.minMonitoringPeriod\":\"PT1S\",
  \"elimination.incomeStablePeriod\":\"PT1S\",\"elimination.noticePeriod\":\"PT5S\",\"elimination.concentrationThreshold\":1}}" | jq -c '{areaCode, version}'

# 1. a monitoring object of 霍庄村 in monitoring, its risks and an assistance measure that resolved them
MO=$(curl -sf "$API/monitoring-objects?areaCode=411003100201&status=monitoring" -H "Authorization: Bearer $VILLAGE" | jq -r '.items[0].id')
RISK=$(curl -sf "$API/monitoring-objects/$MO" -H "Authorization: Bearer $VILLAGE" | jq -c .riskTypes)
MEASURE=$(curl -sf -X POST "$API/monitoring-objects/$MO/measures" -H "Authorization: Bearer $VILLAGE" -H 'Content-Type: application/json' \
  -d "{\"type\":\"health\",\"description\":\"落实大病专项救助，报销后自付降至3000元\",\"date\":\"$(date +%F)\",\"riskTypes\":$RISK}" | jq -r .id)
# a monitoring visit: the income is computed and kept in the household's income history; wages
# are attributed to the member who earned them, with the place of work (SF-05, issue 19)
HH=$(curl -sf "$API/monitoring-objects/$MO" -H "Authorization: Bearer $VILLAGE" | jq -r .householdId)
EARNER=$(curl -sf "$API/households/$HH" -H "Authorization: Bearer $VILLAGE" | jq -r '[.members[] | select(.employment == "local" or .employment == "outside")][0].id')
curl -sf -X POST "$API/monitoring-objects/$MO/income-records" -H "Authorization: Bearer $VILLAGE" -H 'Content-Type: application/json' -d "{\"members\":1,
  \"income\":{\"periodStart\":\"2025-12-01\",\"periodEnd\":\"2026-11-30\",\"wage\":9600,\"businessNet\":1200,\"transfer\":2400,\"property\":0,
  \"wageEarners\":[{\"memberId\":\"$EARNER\",\"amount\":9600,\"workplace\":\"建安区灵井镇\"}]},
  \"rigidExpenditure\":{\"medical\":3000,\"education\":0},\"guarantees\":{\"education\":true,\"medical\":true,\"housing\":true,\"water\":true}}" | jq -c '{perCapitaNetIncome, aboveLine}'
sleep 2

# 2. the village proposes the list (one case per household, one batch) with its meeting evidence (SF-07)
BATCH=$(curl -sf -X POST "$API/procedures/risk-elimination/batches" -H "Authorization: Bearer $VILLAGE" -H 'Content-Type: application/json' \
  -d "{\"areaCode\":\"411003100201\",\"monitoringObjectIds\":[\"$MO\"],\"eliminationType\":\"assisted\"}" | jq -r .batchId)
bup() { curl -sf -X POST "$API/evidence" -H "Authorization: Bearer $VILLAGE" -F "type=$1" -F "batchId=$BATCH" -F "file=@$PDF;type=application/pdf" | jq -r .id; }
batch() { curl -sf -X POST "$API/batches/$BATCH/events" -H "Authorization: Bearer $1" -H "Idempotency-Key: $(uuid)" -H 'Content-Type: application/json' -d "$2" \
  | jq -c '.results[] | {caseId, ok, state, code}'; }
batch "$VILLAGE" "{\"type\":\"SUBMIT\",\"evidenceIds\":[\"$(bup meeting_minutes)\",\"$(bup meeting_photos)\",\"$(bup sign_in_sheet)\"]}"
CASE=$(curl -sf "$API/batches/$BATCH" -H "Authorization: Bearer $VILLAGE" | jq -r '.cases[0].id')

cup() { curl -sf -X POST "$API/evidence" -H "Authorization: Bearer $VILLAGE" -F "type=$1" -F "caseId=$CASE" -F "file=@$PDF;type=application/pdf" | jq -r .id; }
event() { local v; v=$(curl -sf "$API/cases/$CASE" -H "Authorization: Bearer $1" | jq .version)
  curl -sf -X POST "$API/cases/$CASE/events" -H "Authorization: Bearer $1" -H "Idempotency-Key: $(uuid)" -H 'Content-Type: application/json' \
    -d "$(jq -c --argjson v "$v" '. + {version: $v}' <<<"$2")" | jq -c '{state, version}'; }
# 3. household verification: each recorded risk resolved by its measure; 3+1 secure
event "$VILLAGE" "{\"type\":\"RECORD_VERIFICATION\",\"evidenceIds\":[\"$(cup household_survey)\",\"$(cup income_calculation)\"],\"data\":{\"members\":1,
  \"income\":{\"periodStart\":\"2025-12-01\",\"periodEnd\":\"2026-11-30\",\"wage\":9600,\"businessNet\":1200,\"transfer\":2400,\"property\":0,
  \"wageEarners\":[{\"memberId\":\"$EARNER\",\"amount\":9600,\"workplace\":\"建安区灵井镇\"}]},
  \"rigidExpenditure\":{\"medical\":3000,\"education\":0},\"guarantees\":{\"education\":true,\"medical\":true,\"housing\":true,\"water\":true},
  \"risks\":$(jq -c --arg m "$MEASURE" '[.[] | {riskType: ., resolved: true, measureId: $m}]' <<<"$RISK")}}"
# 4. village appraisal, 5. public notice closed by the system
event "$VILLAGE" "{\"type\":\"RECORD_APPRAISAL\",\"evidenceIds\":[\"$(cup meeting_minutes)\",\"$(cup sign_in_sheet)\"],\"data\":{\"result\":\"passed\"}}"
event "$VILLAGE" "{\"type\":\"PUBLISH_NOTICE\",\"evidenceIds\":[\"$(cup notice_photo)\"],\"data\":{\"text\":\"霍庄村风险消除对象名单公示，如有异议请于公示期内反映\"}}"
for _ in $(seq 1 30); do
  [ "$(curl -sf "$API/cases/$CASE" -H "Authorization: Bearer $VILLAGE" | jq -r .state)" = township_review ] && break; sleep 1
done
# 6. township review and county approval of the whole batch (SF-09 rules checked per case)
batch "$TOWNSHIP" '{"type":"APPROVE","data":{"opinion":"经乡镇复核，风险已稳定消除"}}'
batch "$COUNTY" '{"type":"APPROVE","data":{"opinion":"同意认定风险消除"}}'
curl -sf "$API/monitoring-objects/$MO" -H "Authorization: Bearer $COUNTY" | jq -c '{statusTitle, eliminationTypeTitle, colourTitle, eliminatedAt}'
curl -sf "$API/cases/$CASE/verify" -H "Authorization: Bearer $COUNTY" | jq -c .
rm -f "$PDF"
