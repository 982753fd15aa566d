#!/usr/bin/env bash
# README walk-through, part 3: a finding from a detector to 销号 (SF-26, SF-24, SF-11). A monitoring
# object of 霍庄村 with no assistance measure (made by scripts/walkthrough.sh when none is in
# monitoring) is listed by the stale-monitoring detector; the supervisor turns it into a finding,
# the county hands it over (交办), the village rectifies and applies for 销号, the county's
# acceptance is refused while the detector still lists the household (no 数字整改), and closes
# the item once a measure is recorded. Needs a running, seeded service (API=…), curl and jq.
set -euo pipefail
source "$(dirname "$0")/lib/walkthrough.sh"
TODAY=$(TZ=Asia/Shanghai date +%F)
DEADLINE=$(TZ=Asia/Shanghai date -d '+30 days' +%F)

ADMIN=$(login admin 'Admin@2026'); VILLAGE=$(login v_huozhuang 'Demo@2026')
COUNTY=$(login c_jianan 'Demo@2026'); SUPERVISOR=$(login s_jianan 'Demo@2026')

# 0. a monitoring object of 霍庄村 in monitoring with no measure: part 1 makes one when there is none
MO=$(get "/monitoring-objects?areaCode=411003100201&status=monitoring" "$COUNTY" | jq -r '.items | sort_by(.createdAt) | last | .id // empty')
if [[ -z $MO ]]; then
  echo "no monitoring object of 霍庄村 in monitoring: walk-through part 1 makes one"
  bash "$(dirname "$0")/walkthrough.sh" >/dev/null
  MO=$(get "/monitoring-objects?areaCode=411003100201&status=monitoring" "$COUNTY" | jq -r '.items | sort_by(.createdAt) | last | .id // empty')
fi
echo "monitoring object $MO"
# (demo only) "long in monitoring" becomes one second instead of a year: below the national floor
# (P6M), so the global admin lowers the bound first, with a reason
json PUT /policies/bounds "$ADMIN" '{"reason":"演示环境：长期监测预警的监测时长缩短到秒级，便于现场演示","bounds":{"inspection.staleMonitoringAfter":{"min":"PT1S"}}}' | jq -c '{version, changed}'
json PUT /policies/411003000000 "$ADMIN" "{\"effectiveFrom\":\"$(date -u -d '-1 min' +%FT%TZ)\",\"values\":{\"inspection.staleMonitoringAfter\":\"PT1S\"}}" | jq -c '{areaCode, version}'
sleep 1

# 1. the supervisor turns the detector's result into findings (source 系统检测), one per subject
MADE=$(json POST /rectification/findings/from-inspection "$SUPERVISOR" '{"detector":"stale-monitoring","params":{"areaCode":"411003100201"}}')
FINDING=$(jq -r --arg k "monitoring-object:$MO" '([.created[] | select(.detector.subjectKey == $k) | .id] + [.existing[] | select(.subjectKey == $k) | .findingId]) | first // empty' <<<"$MADE")
[[ -n $FINDING ]] || { echo "walk-through failed: the detector does not list $MO" >&2; jq . <<<"$MADE" >&2; exit 1; }
get "/rectification/findings/$FINDING" "$COUNTY" | jq -c '{id, source: .source.title, category, areaCode, detector: .detector.id}'
# 2. 交办: the county hands it to the village, with measures, responsible unit and person, deadline
ITEM=$(json POST /procedures/rectification/cases "$COUNTY" "{\"findingId\":\"$FINDING\",\"areaCode\":\"411003100201\",\"responsibleUnit\":\"霍庄村村民委员会\",
  \"responsiblePerson\":\"李红梅\",\"measures\":\"对长期未落实帮扶的监测户逐户制定帮扶计划并落实措施\",\"deadline\":\"$DEADLINE\"}" | jq -r .id)
get "/cases/$ITEM" "$COUNTY" | jq -c '{state, deadline}'
# 3. 整改: progress with its evidence, then 申请销号 with 举一反三
PROOF=$(upload "$VILLAGE" rectification_evidence "caseId=$ITEM")
event "$ITEM" "$VILLAGE" "{\"type\":\"RECORD_PROGRESS\",\"evidenceIds\":[\"$PROOF\"],\"data\":{\"progress\":\"已逐户上门走访，补充落实产业和就业帮扶措施并录入系统\"}}"
event "$ITEM" "$VILLAGE" '{"type":"APPLY_CLOSURE","data":{"summary":"问题已整改到位，帮扶措施全部录入","similarChecks":[{"target":"大路陈村（411003100202）","result":"同步排查全部监测户，未发现同类问题"}]}}'
# 4. 验收: refused while the detector still lists the household (detector_cleared, no 数字整改) ...
V=$(get "/cases/$ITEM" "$COUNTY" | jq .version)
REFUSED=$(curl -sS -X POST "$API/cases/$ITEM/events" -H "Authorization: Bearer $COUNTY" -H "Idempotency-Key: $(uuid)" -H 'Content-Type: application/json' \
  -d "{\"type\":\"ACCEPT\",\"version\":$V,\"data\":{\"opinion\":\"经抽查核实，整改到位，同意销号\"}}")
jq -ce 'if .details.rule == "detector_cleared" then {code, rule: .details.rule, message} else error("ACCEPT was not refused with detector_cleared") end' <<<"$REFUSED" \
  || { echo "walk-through failed: the service answered" >&2; jq . <<<"$REFUSED" >&2; exit 1; }
# ... and closes the item once a measure is actually recorded for the household
RISK=$(get "/monitoring-objects/$MO" "$VILLAGE" | jq -c .riskTypes)
json POST "/monitoring-objects/$MO/measures" "$VILLAGE" \
  "{\"type\":\"employment\",\"description\":\"推荐到县内企业稳定就业，签订一年劳动合同\",\"date\":\"$TODAY\",\"riskTypes\":$RISK}" | jq -c '{id, type, date}'
event "$ITEM" "$COUNTY" '{"type":"ACCEPT","data":{"opinion":"经抽查核实，整改到位，同意销号"}}'
# 5. the ledger in the seed documents' columns, and the figures
get "/rectification/items?areaCode=411003100201&source=system_detection&status=closed" "$COUNTY" \
  | jq -ce --arg c "$ITEM" '.items[] | select(.caseId == $c) | {status, detector, progressCount}' \
  || { echo "walk-through failed: item $ITEM is not closed in the ledger" >&2; exit 1; }
get "/rectification/figures?areaCode=411003000000" "$COUNTY" | jq -c .total
# back to the county's real threshold (the demo value would list every new monitoring object)
json PUT /policies/411003000000 "$ADMIN" "{\"effectiveFrom\":\"$(date -u +%FT%TZ)\",\"values\":{\"inspection.staleMonitoringAfter\":null}}" | jq -c '{areaCode, version}'
echo "walk-through part 3: done"
