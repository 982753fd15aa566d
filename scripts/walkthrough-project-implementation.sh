#!/usr/bin/env bash
# Walk-through of docs/project-implementation.md as a script: a library project from the annual
# plan to its assets (年度计划 → 合同 → 进度 → 拨付 → 竣工 → 验收 → 资产确权 → 竣工公示 → closed).
# Runs scripts/walkthrough-project-intake.sh first for a fresh library project. Needs a running,
# seeded service (API=…), curl and jq. Each upload is its own file; every refusal the script does
# not expect stops it with the service's answer.
set -euo pipefail
source "$(dirname "$0")/lib/walkthrough.sh"
YEAR=$(TZ=Asia/Shanghai date +%Y)
day() { TZ=Asia/Shanghai date +%F -d "$1 day"; }   # dates on China's calendar

PROJECT=$(bash "$(dirname "$0")/walkthrough-project-intake.sh" | sed -n 's/^case .*, project \(.*\)$/\1/p')
[[ -n $PROJECT ]] || { echo "walk-through failed: no library project from the intake walk-through" >&2; exit 1; }
echo "project $PROJECT (in the library)"
VILLAGE=$(login v_huozhuang 'Demo@2026'); TOWNSHIP=$(login t_lingjing 'Demo@2026'); T2=$(login t_lingjing2 'Demo@2026')
COUNTY=$(login c_jianan 'Demo@2026'); C2=$(login c_jianan2 'Demo@2026'); AGRI=$(login d_agri 'Demo@2026')

# 1. the county puts the library project in its year's plan with its funds by source
json POST /project-plans/entries "$COUNTY" "{\"year\":$YEAR,\"projectId\":\"$PROJECT\",\"funds\":[{\"source\":\"中央财政衔接资金\",\"amount\":1000000},
  {\"source\":\"县级财政衔接资金\",\"amount\":200000}]}" | jq -c '{year, planned}'
# 2. the implementation case, contract and start of works
CASE=$(json POST /procedures/project-implementation/cases "$VILLAGE" "{\"projectId\":\"$PROJECT\"}" | jq -r .id)
CONTRACT=$(upload "$VILLAGE" contract "caseId=$CASE"); START=$(upload "$VILLAGE" start_report "caseId=$CASE")
NO="JA-$YEAR-$(date +%s | tail -c 6)"
event "$CASE" "$VILLAGE" "{\"type\":\"RECORD_CONTRACT\",\"evidenceIds\":[\"$CONTRACT\",\"$START\"],\"data\":{\"contractNo\":\"$NO\",
  \"contractor\":\"许昌建安建筑工程有限公司\",\"contractAmount\":1000000,\"signedOn\":\"$(day -60)\",\"startedOn\":\"$(day -58)\",\"plannedEnd\":\"$(day +60)\"}}"
# 3. a payment is a case of its own: the invoice with SUBMIT, the county approves (not the requester)
request() { # kind amount: the payment case
  json POST /procedures/project-payment/cases "$VILLAGE" "{\"projectId\":\"$PROJECT\",\"kind\":\"$1\",\"amount\":$2,\"invoiceNo\":\"INV-$(uuid | cut -c1-8)\",
    \"contractRef\":\"$NO\",\"purpose\":\"支付工程款\"}" | jq -r .id
}
pay() { # kind amount [approver]
  local p; p=$(request "$1" "$2"); local inv; inv=$(upload "$VILLAGE" invoice "caseId=$p")
  event "$p" "$VILLAGE" "{\"type\":\"SUBMIT\",\"evidenceIds\":[\"$inv\"]}"
  event "$p" "${3:-$COUNTY}" '{"type":"APPROVE","data":{"opinion":"票据齐全，同意拨付"}}'
}
pay advance 300000                                   # the 30% advance
PROGRESS=$(upload "$TOWNSHIP" progress_photo "caseId=$CASE")
event "$CASE" "$TOWNSHIP" "{\"type\":\"REPORT_PROGRESS\",\"evidenceIds\":[\"$PROGRESS\"],\"data\":{\"percent\":50,\"date\":\"$(day -30)\"}}"
pay progress 200000                                  # 500,000 paid at 50% progress (SF-23)
# a final payment before acceptance is refused, naming the rule (SF-23)
P=$(request final 100); INV=$(upload "$VILLAGE" invoice "caseId=$P"); V=$(get "/cases/$P" "$VILLAGE" | jq .version)
REFUSED=$(curl -sS -X POST "$API/cases/$P/events" -H "Authorization: Bearer $VILLAGE" -H "Idempotency-Key: $(uuid)" -H 'Content-Type: application/json' \
  -d "{\"type\":\"SUBMIT\",\"version\":$V,\"evidenceIds\":[\"$INV\"]}")
jq -ce 'if .code == "RULE_VIOLATED" then {code, rule: .details.rule, message} else error("a final payment before acceptance was not refused") end' <<<"$REFUSED" \
  || { echo "walk-through failed: the service answered" >&2; jq . <<<"$REFUSED" >&2; exit 1; }
PROGRESS=$(upload "$TOWNSHIP" progress_photo "caseId=$CASE")
event "$CASE" "$TOWNSHIP" "{\"type\":\"REPORT_PROGRESS\",\"evidenceIds\":[\"$PROGRESS\"],\"data\":{\"percent\":100,\"date\":\"$(day -10)\"}}"
REPORT=$(upload "$VILLAGE" completion_report "caseId=$CASE")
event "$CASE" "$VILLAGE" "{\"type\":\"COMPLETE\",\"evidenceIds\":[\"$REPORT\"],\"data\":{\"completedOn\":\"$(day -5)\"}}"
# 4. acceptance: township (not the one who reported progress), 农业农村, county, each with its own record
R=$(upload "$T2" acceptance_record "caseId=$CASE")
event "$CASE" "$T2" "{\"type\":\"SIGN_ACCEPTANCE\",\"evidenceIds\":[\"$R\"],\"data\":{\"opinion\":\"工程质量合格，同意验收\"}}"
R=$(upload "$AGRI" acceptance_record "caseId=$CASE")
event "$CASE" "$AGRI" "{\"type\":\"SIGN_ACCEPTANCE\",\"evidenceIds\":[\"$R\"],\"data\":{\"opinion\":\"符合建设标准，同意验收\"}}"
R=$(upload "$COUNTY" acceptance_record "caseId=$CASE")
event "$CASE" "$COUNTY" "{\"type\":\"SIGN_ACCEPTANCE\",\"evidenceIds\":[\"$R\"],\"data\":{\"opinion\":\"同意通过竣工验收\"}}"
pay final 500000 "$C2"                               # the rest, after acceptance
# 5. assets to the village collective, with the handover record; the completion notice
R=$(upload "$COUNTY" handover_record "caseId=$CASE")
event "$CASE" "$COUNTY" "{\"type\":\"REGISTER_ASSETS\",\"evidenceIds\":[\"$R\"],\"data\":{\"handoverDate\":\"$(day -2)\",
  \"assets\":[{\"name\":\"食用菌标准化大棚\",\"kind\":\"经营性资产\",\"quantity\":20,\"unit\":\"座\",\"value\":980000,
  \"owner\":{\"type\":\"village_collective\",\"name\":\"霍庄村股份经济合作社\",\"areaCode\":\"411003100201\"}}]}}"
R=$(upload "$COUNTY" notice_photo "caseId=$CASE")
event "$CASE" "$COUNTY" "{\"type\":\"PUBLISH_NOTICE\",\"evidenceIds\":[\"$R\"],\"data\":{\"text\":\"霍庄村食用菌产业大棚建设项目竣工公告\"}}"
call GET "/public/notices?areaCode=411003100201" | jq -c '.[] | select(.procedure == "project-implementation") | .summary' | sed -n 1,1p
wait_state "$CASE" "$COUNTY" closed 60              # the system closes the notice: closed
# 6. the ledgers and the detectors
get "/project-implementations/$PROJECT" "$COUNTY" | jq -c '{payments: [.payments[] | {kind, amount, state}], assets: [.assets[] | {name, value}]}'
get "/project-implementations/ledger?year=$YEAR&areaCode=411003000000&format=csv" "$COUNTY" | sed -n 1,3p
get "/project-implementations/assets?format=csv" "$COUNTY" | sed -n 1,3p
get "/inspection/stalled-projects" "$COUNTY" | jq -c '{stalled: (.items | length)}'
get "/inspection/overdue-projects" "$COUNTY" | jq -c '{overdue: (.items | length)}'
echo "walk-through project implementation: done"
