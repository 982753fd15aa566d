#!/usr/bin/env bash
# The README walk-through, part 1, as a script: one monitoring-inclusion case from lead to
# monitoring object, with the seeded demo users. Needs a running, seeded service (npm run serve;
# API=http://host:port, default http://localhost:3000), curl and jq. Every call that the service
# refuses stops the script with the service's answer (scripts/lib/walkthrough.sh).
set -euo pipefail
source "$(dirname "$0")/lib/walkthrough.sh"
TODAY=$(TZ=Asia/Shanghai date +%F)   # the service judges dates on China's calendar

ADMIN=$(login admin 'Admin@2026')
VILLAGE=$(login v_huozhuang 'Demo@2026')
TOWNSHIP=$(login t_lingjing 'Demo@2026')
COUNTY=$(login c_jianan 'Demo@2026')

# 0. (demo only) shorten the county's notice period from 5 days to 10 seconds: a new policy version.
#    Ten seconds are below the national floor (P3D, issue 12), so the global admin lowers the
#    national bound first, with a reason; both changes are entries of GET /policies/ledger
json PUT /policies/bounds "$ADMIN" \
  '{"reason":"演示环境：纳入公示期缩短到秒级，便于现场演示","bounds":{"inclusion.noticePeriod":{"min":"PT1S"}}}' | jq -c '{version, changed}'
json PUT /policies/411003000000 "$ADMIN" \
  "{\"effectiveFrom\":\"$(date -u -d '-1 min' +%FT%TZ)\",\"values\":{\"inclusion.noticePeriod\":\"PT10S\"}}" | jq -c '{areaCode, version}'

# 1. the village records a household of 霍庄村 (a fresh one, so the script can run again) and a lead (线索) for it
ID17="41100319$(printf '%02d' $((50 + RANDOM % 20)))0612$(printf %03d $((RANDOM % 499 * 2 + 1)))"
CHECK=$(node -e 'const w=[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2];const s=process.argv[1];let t=0;for(let i=0;i<17;i++)t+=s[i]*w[i];console.log("10X98765432"[t%11])' "$ID17")
BIRTH="${ID17:6:4}-06-12"
HOUSEHOLD=$(json POST /households "$VILLAGE" "{
  \"areaCode\":\"411003100201\",\"householderName\":\"马向阳\",\"address\":\"许昌市建安区灵井镇霍庄村二组6号\",\"isFormerlyPoor\":true,
  \"members\":[{\"name\":\"马向阳\",\"idNumber\":\"$ID17$CHECK\",\"relation\":\"户主\",\"gender\":\"male\",\"birthDate\":\"$BIRTH\",
  \"laborAbility\":\"weak\",\"employment\":\"local\",\"phone\":\"13937401234\"}]}" | jq -r .id)
CASE=$(json POST /procedures/monitoring-inclusion/cases "$VILLAGE" \
  "{\"householdId\":\"$HOUSEHOLD\",\"channel\":\"cadre_visit\",\"riskDescription\":\"户主突发脑梗住院，自付医疗费用约4万元\",\"urgent\":true}" | jq -r .id)
echo "case $CASE"
get "/cases/$CASE" "$VILLAGE" | jq -c '{state, deadline, availableActions}'

# 2. household verification: survey + income calculation (each its own file); the service computes the income
SURVEY=$(upload "$VILLAGE" household_survey "caseId=$CASE"); INCOME=$(upload "$VILLAGE" income_calculation "caseId=$CASE")
#    wages are attributed to the member who earned them, with the place of work (SF-05, issue 19)
EARNER=$(get "/households/$HOUSEHOLD" "$VILLAGE" | jq -r '.members[0].id')
event "$CASE" "$VILLAGE" "{\"type\":\"RECORD_VERIFICATION\",\"evidenceIds\":[\"$SURVEY\",\"$INCOME\"],\"data\":{\"conclusion\":\"include\",\"members\":1,
  \"income\":{\"periodStart\":\"2025-11-01\",\"periodEnd\":\"2026-10-31\",\"wage\":2400,\"businessNet\":1200,\"transfer\":1800,\"property\":0,
  \"wageEarners\":[{\"memberId\":\"$EARNER\",\"amount\":2400,\"workplace\":\"建安区灵井镇\"}]},
  \"rigidExpenditure\":{\"medical\":38000,\"education\":0},\"guarantees\":{\"education\":true,\"medical\":false,\"housing\":true,\"water\":true},
  \"riskTypes\":[\"illness\"],\"monitoringType\":\"sudden_hardship\"}}"
# 3. village democratic appraisal: minutes + sign-in sheet
MINUTES=$(upload "$VILLAGE" meeting_minutes "caseId=$CASE"); SIGNIN=$(upload "$VILLAGE" sign_in_sheet "caseId=$CASE")
event "$CASE" "$VILLAGE" "{\"type\":\"RECORD_APPRAISAL\",\"evidenceIds\":[\"$MINUTES\",\"$SIGNIN\"],\"data\":{\"result\":\"passed\"}}"
# 4. public notice: photo of the posted notice; readable without login (names masked)
PHOTO=$(upload "$VILLAGE" notice_photo "caseId=$CASE")
event "$CASE" "$VILLAGE" "{\"type\":\"PUBLISH_NOTICE\",\"evidenceIds\":[\"$PHOTO\"],\"data\":{\"text\":\"霍庄村拟纳入防止返贫监测对象公示：马向阳户，如有异议请于公示期内向村委会反映\"}}"
call GET "/public/notices?areaCode=411003100201" | jq -c '.[] | {title, summary, endsAt}'
# 5. the system closes the notice when its period ends
wait_state "$CASE" "$VILLAGE" township_review 60
echo "after the notice: township_review"
# 6. township review and county approval (with the assistance contact, SF-03)
event "$CASE" "$TOWNSHIP" '{"type":"APPROVE","data":{"opinion":"经乡镇复核，情况属实，同意上报"}}'
event "$CASE" "$COUNTY" "{\"type\":\"APPROVE\",\"data\":{\"monitoringType\":\"sudden_hardship\",\"riskTypes\":[\"illness\"],\"startDate\":\"$TODAY\",
  \"assistanceContact\":{\"name\":\"孙立新\",\"unit\":\"建安区乡村振兴局\",\"phone\":\"13903740000\"}}}"
# 7. the household is a monitoring object; the audit chain verifies
get "/monitoring-objects?areaCode=411003100201" "$COUNTY" \
  | jq -ce --arg h "$HOUSEHOLD" '.items[] | select(.householdId == $h) | {status, monitoringTypeTitle, colourTitle, assistanceContact}' \
  || { echo "walk-through failed: household $HOUSEHOLD is not a monitoring object" >&2; exit 1; }
get "/cases/$CASE/history" "$COUNTY" | jq -c '.[] | {seq, event, toState, actor: .actor.username}'
get "/cases/$CASE/verify" "$COUNTY" | jq -ce 'if .valid then . else error("audit chain does not verify") end'
echo "walk-through part 1: done"
