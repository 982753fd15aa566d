#!/usr/bin/env bash
# Walk-through of docs/project-intake.md as a script: a project from the village's application
# to the project library (村申报 → 乡审核 → 部门论证 → 县审定 → 公告公示 → 入库). Needs a running,
# seeded service (API=…), curl and jq. Shortens the county's project notice period to seconds
# (below the national floor, P10D: lowered first, with a reason). Each upload is its own file;
# every refusal stops the script with the service's answer.
set -euo pipefail
source "$(dirname "$0")/lib/walkthrough.sh"
YEAR=$(TZ=Asia/Shanghai date +%Y)
NAME="霍庄村食用菌产业大棚建设项目（演练$(date +%s | tail -c 6)）"   # a fresh name: the script can run again

ADMIN=$(login admin 'Admin@2026'); VILLAGE=$(login v_huozhuang 'Demo@2026'); TOWNSHIP=$(login t_lingjing 'Demo@2026')
COUNTY=$(login c_jianan 'Demo@2026'); AGRI=$(login d_agri 'Demo@2026')

# 0. (demo only) a 10-second notice instead of 10 days
json PUT /policies/bounds "$ADMIN" '{"reason":"演示环境：项目公告公示期缩短到秒级，便于现场演示","bounds":{"projects.noticePeriod":{"min":"PT1S"}}}' | jq -c '{version, changed}'
json PUT /policies/411003000000 "$ADMIN" "{\"effectiveFrom\":\"$(date -u -d '-1 min' +%FT%TZ)\",\"values\":{\"projects.noticePeriod\":\"PT10S\"}}" | jq -c '{areaCode, version}'

# 1. 村申报: the application with budget, period, performance targets, beneficiaries and 联农带农
CASE=$(json POST /procedures/project-intake/cases "$VILLAGE" "{
  \"areaCode\":\"411003100201\",\"name\":\"$NAME\",\"category\":\"industry\",\"subCategory\":\"种植业基地\",\"year\":$YEAR,
  \"budget\":{\"total\":1200000,\"linkageFunds\":1000000,\"otherFunds\":200000},\"fundSource\":\"中央和省级财政衔接推进乡村振兴补助资金\",
  \"period\":{\"start\":\"$YEAR-04-01\",\"end\":\"$YEAR-10-31\"},\"content\":\"新建食用菌标准化大棚20座及配套水电设施\",
  \"performanceTargets\":[{\"kind\":\"output\",\"indicator\":\"新建大棚数量\",\"value\":\"20\",\"unit\":\"座\"},
                        {\"kind\":\"benefit\",\"indicator\":\"带动脱贫户增收\",\"value\":\"2000\",\"unit\":\"元/户·年\"}],
  \"beneficiaries\":{\"households\":120,\"formerlyPoorHouseholds\":30,\"monitoredHouseholds\":5},
  \"linkageMechanism\":\"资产收益分红、优先吸纳脱贫户和监测户务工、订单收购\"}" | jq -r .id)
PROJECT=$(get "/cases/$CASE" "$VILLAGE" | jq -r .subject.id)
echo "case $CASE, project $PROJECT"
RESOLUTION=$(upload "$VILLAGE" villager_resolution "caseId=$CASE"); PHOTO=$(upload "$VILLAGE" notice_photo "caseId=$CASE")
PROPOSAL=$(upload "$VILLAGE" project_proposal "caseId=$CASE")
event "$CASE" "$VILLAGE" "{\"type\":\"SUBMIT\",\"evidenceIds\":[\"$RESOLUTION\",\"$PHOTO\",\"$PROPOSAL\"]}"
# 2. 乡审核, 3. 部门论证 (industry is argued by 农业农村; with more sectors each one approves: 会签)
event "$CASE" "$TOWNSHIP" '{"type":"APPROVE","data":{"opinion":"材料齐全，同意上报"}}'
OPINION=$(upload "$AGRI" feasibility_opinion "caseId=$CASE")
event "$CASE" "$AGRI" "{\"type\":\"APPROVE\",\"evidenceIds\":[\"$OPINION\"],\"data\":{\"opinion\":\"符合产业规划，技术方案可行\"}}"
# 4. 县审定, 5. 公告公示 (readable without login); the system closes the notice: in_library
event "$CASE" "$COUNTY" '{"type":"APPROVE","data":{"opinion":"同意入库，绩效目标审定","performanceTargetsApproved":true}}'
NOTICE=$(upload "$COUNTY" notice_photo "caseId=$CASE")
event "$CASE" "$COUNTY" "{\"type\":\"PUBLISH_NOTICE\",\"evidenceIds\":[\"$NOTICE\"],\"data\":{\"text\":\"建安区${YEAR}年度项目库入库公告\"}}"
call GET "/public/notices?areaCode=411003100201" | jq -c --arg c "$CASE" '.[] | select(.caseId == $c or .procedure == "project-intake") | .summary' | sed -n 1,2p
for _ in $(seq 1 60); do
  STATUS=$(get "/projects/$PROJECT" "$COUNTY" | jq -r .status); [[ $STATUS == in_library ]] && break; sleep 1
done
[[ $STATUS == in_library ]] || { echo "walk-through failed: project $PROJECT is $STATUS, not in_library" >&2; exit 1; }
get "/projects/$PROJECT" "$COUNTY" | jq -c '{name, status, version, year}'
get "/projects/figures?areaCode=411003000000&year=$YEAR" "$COUNTY" | jq -c .
get "/cases/$CASE/verify" "$COUNTY" | jq -ce 'if .valid then . else error("audit chain does not verify") end'
echo "walk-through project intake: done"
