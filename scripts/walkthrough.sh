#!/usr/bin/env bash
# The README walk-through as a script: one monitoring-inclusion case from lead to monitoring
# object, with the seeded demo users. Needs a running, seeded service (npm run serve), curl and jq.
set -euo pipefail
API=${API:-http://localhost:3000}
PDF=$(mktemp --suffix=.pdf); printf '%%PDF-1.4\n%% demo evidence\n%%%%EOF\n' > "$PDF"

login() { curl -sf -X POST "$API/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$1\",\"password\":\"$2\"}" | jq -r .accessToken; }
ADMIN=$(login admin 'Admin@2026')
VILLAGE=$(login v_huozhuang 'Demo@2026')
TOWNSHIP=$(login t_lingjing 'Demo@2026')
COUNTY=$(login c_jianan 'Demo@2026')

# 0. (demo only) shorten the county's notice period from 5 days to 10 seconds: a new policy version.
#    Ten seconds are below the national floor (P3D, issue 12), so the global admin lowers the
#    national bound first, with a reason; both changes are entries of GET /policies/ledger
curl -sf -X PUT "$API/policies/bounds" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"reason":"演示环境：纳入公示期缩短到秒级，便于现场演示","bounds":{"inclusion.noticePeriod":{"min":"PT1S"}}}' | jq -c '{version, changed}'
curl -sf -X PUT "$API/policies/411003000000" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d "{\"effectiveFrom\":\"$(date -u -d '-1 min' +%FT%TZ)\",\"values\":{\"inclusion.noticePeriod\":\"PT10S\"}}" | jq -c .

# 1. the village records a lead for a household of 霍庄村 (a fresh one, so the script can run again)
N=$(( $(date +%s) % 400 + 100 )); ID17="41100319630612$(printf %03d $((N*2+1)))"
CHECK=$(node -e 'const w=[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2];const s=process.argv[1];let t=0;for(let i=0;i<17;i++)t+=s[i]*w[i];console.log("10X98765432"[t%11])' "$ID17")
HOUSEHOLD=$(curl -sf -X POST "$API/households" -H "Authorization: Bearer $VILLAGE" -H 'Content-Type: application/json' -d "{
  \"areaCode\":\"411003100201\",\"householderName\":\"马向阳\",\"address\":\"许昌市建安区灵井镇霍庄村二组6号\",\"isFormerlyPoor\":true,
  \"members\":[{\"name\":\"马向阳\",\"idNumber\":\"$ID17$CHECK\",\"relation\":\"户主\",\"gender\":\"male\",\"birthDate\":\"1963-06-12\",
  \"laborAbility\":\"weak\",\"employment\":\"local\",\"phone\":\"13937401234\"}]}" | jq -r .id)
CASE=$(curl -sf -X POST "$API/procedures/monitoring-inclusion/cases" -H "Authorization: Bearer $VILLAGE" -H 'Content-Type: application/json' \
  -d "{\"householdId\":\"$HOUSEHOLD\",\"channel\":\"cadre_visit\",\"riskDescription\":\"户主突发脑梗住院，自付医疗费用约4万元\",\"urgent\":true}" | jq -r .id)
echo "case $CASE"

upload() { curl -sf -X POST "$API/evidence" -H "Authorization: Bearer $VILLAGE" -F "type=$1" -F "caseId=$CASE" -F "file=@$PDF;type=application/pdf" | jq -r .id; }
event() { # user-token body-json
  local version; version=$(curl -sf "$API/cases/$CASE" -H "Authorization: Bearer $1" | jq .version)
  curl -sf -X POST "$API/cases/$CASE/events" -H "Authorization: Bearer $1" -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \
    -H 'Content-Type: application/json' -d "$(jq -c --argjson v "$version" '. + {version: $v}' <<<"$2")" | jq -c '{state, version}'; }

# 2. household verification: survey + income calculation; the service computes the income
SURVEY=$(upload household_survey); INCOME=$(upload income_calculation)
#    wages are attributed to the member who earned them, with the place of work (SF-05, issue 19)
EARNER=$(curl -sf "$API/households/$HOUSEHOLD" -H "Authorization: Bearer $VILLAGE" | jq -r '.members[0].id')
event "$VILLAGE" "{\"type\":\"RECORD_VERIFICATION\",\"evidenceIds\":[\"$SURVEY\",\"$INCOME\"],\"data\":{\"conclusion\":\"include\",\"members\":1,
  \"income\":{\"periodStart\":\"2025-11-01\",\"periodEnd\":\"2026-10-31\",\"wage\":2400,\"businessNet\":1200,\"transfer\":1800,\"property\":0,
  \"wageEarners\":[{\"memberId\":\"$EARNER\",\"amount\":2400,\"workplace\":\"建安区灵井镇\"}]},
  \"rigidExpenditure\":{\"medical\":38000,\"education\":0},\"guarantees\":{\"education\":true,\"medical\":false,\"housing\":true,\"water\":true},
  \"riskTypes\":[\"illness\"],\"monitoringType\":\"sudden_hardship\"}}"
# 3. village democratic appraisal: minutes + sign-in sheet
MINUTES=$(upload meeting_minutes); SIGNIN=$(upload sign_in_sheet)
event "$VILLAGE" "{\"type\":\"RECORD_APPRAISAL\",\"evidenceIds\":[\"$MINUTES\",\"$SIGNIN\"],\"data\":{\"result\":\"passed\"}}"
# 4. public notice: photo of the posted notice; readable without login
PHOTO=$(upload notice_photo)
event "$VILLAGE" "{\"type\":\"PUBLISH_NOTICE\",\"evidenceIds\":[\"$PHOTO\"],\"data\":{\"text\":\"霍庄村拟纳入防止返贫监测对象公示：马向阳户，如有异议请于公示期内向村委会反映\"}}"
curl -sf "$API/public/notices?areaCode=411003100201" | jq -c '.[] | {title, summary, endsAt}'
# 5. the system closes the notice when its period ends
for _ in $(seq 1 30); do
  STATE=$(curl -sf "$API/cases/$CASE" -H "Authorization: Bearer $VILLAGE" | jq -r .state)
  [ "$STATE" = township_review ] && break; sleep 1
done
echo "after the notice: $STATE"
# 6. township review and county approval (with the assistance contact, SF-03)
event "$TOWNSHIP" '{"type":"APPROVE","data":{"opinion":"经乡镇复核，情况属实，同意上报"}}'
event "$COUNTY" '{"type":"APPROVE","data":{"monitoringType":"sudden_hardship","riskTypes":["illness"],"startDate":"2026-11-22",
  "assistanceContact":{"name":"孙立新","unit":"建安区乡村振兴局","phone":"13903740000"}}}'
# 7. the household is a monitoring object; the audit chain verifies
curl -sf "$API/monitoring-objects?areaCode=411003100201" -H "Authorization: Bearer $COUNTY" \
  | jq -c --arg h "$HOUSEHOLD" '.items[] | select(.householdId == $h) | {status, monitoringTypeTitle, colourTitle, assistanceContact}'
curl -sf "$API/cases/$CASE/history" -H "Authorization: Bearer $COUNTY" | jq -c '.[] | {seq, event, toState, actor: .actor.username}'
curl -sf "$API/cases/$CASE/verify" -H "Authorization: Bearer $COUNTY" | jq -c .
rm -f "$PDF"
