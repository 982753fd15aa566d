#!/usr/bin/env bash
# Walk-through of docs/welfare-posts.md as a script: a public-welfare post from its setting (设岗)
# to a holder's first month's subsidy (聘任, 在岗领补). Needs a running, seeded service (API=…),
# curl and jq. Registers a fresh formerly poor household of 霍庄村 so it can run again; shortens
# the county's post notice period to seconds (below the national floor: lowered first, with a
# reason). Every refusal stops the script with the service's answer.
set -euo pipefail
source "$(dirname "$0")/lib/walkthrough.sh"
MONTH=$(TZ=Asia/Shanghai date +%Y-%m)   # months and dates on China's calendar

ADMIN=$(login admin 'Admin@2026'); V=$(login v_huozhuang 'Demo@2026')
T=$(login t_lingjing 'Demo@2026'); C=$(login c_jianan 'Demo@2026')

# 0. (demo only) the post notice period becomes 5 seconds instead of 5 days
json PUT /policies/bounds "$ADMIN" '{"reason":"演示环境：公益岗位公示期缩短到秒级，便于现场演示","bounds":{"posts.noticePeriod":{"min":"PT1S"}}}' | jq -c '{version, changed}'
json PUT /policies/411003000000 "$ADMIN" "{\"effectiveFrom\":\"$(date -u -d '-1 min' +%FT%TZ)\",\"values\":{\"posts.noticePeriod\":\"PT5S\"}}" | jq -c '{areaCode, version}'

# 1. 设岗: the village applies for a water-keeper post; township and county approve (when the
#    village has no open one with a free place: above the cap only the county may set one, SF-12)
POST=$(get "/welfare-posts?areaCode=411003100201" "$V" | jq -r '[.[] | select(.postType == "water_keeper" and .status == "open" and .free > 0)] | first | .id // empty')
if [[ -z $POST ]]; then
  S=$(json POST /procedures/welfare-post-setting/cases "$V" '{"areaCode":"411003100201","postType":"water_keeper","places":1,
    "duties":"负责村内供水设施日常巡查与维护","monthlySubsidy":600,"termMonths":12,"justification":"全村集中供水工程一处，管网4公里，需专人管护"}' | jq -r .id)
  FORM=$(upload "$V" application_form "caseId=$S")
  event "$S" "$V" "{\"type\":\"SUBMIT\",\"evidenceIds\":[\"$FORM\"]}"
  event "$S" "$T" '{"type":"APPROVE","data":{"opinion":"经乡镇实地核实确有需要"}}'
  event "$S" "$C" '{"type":"APPROVE","data":{"opinion":"同意设岗"}}'
  POST=$(get "/cases/$S" "$C" | jq -r .subject.id)
fi
get "/welfare-posts?areaCode=411003100201" "$V" | jq -c --arg p "$POST" '.[] | select(.id == $p) | {id, postTypeTitle, places, free, status}'

# 2. 聘任: the householder of a fresh formerly poor household (55, weak labour)
ID17="41100319$(printf '%02d' $((66 + RANDOM % 5)))0315$(printf %03d $((RANDOM % 499 * 2 + 1)))"
CHECK=$(node -e 'const w=[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2];const s=process.argv[1];let t=0;for(let i=0;i<17;i++)t+=s[i]*w[i];console.log("10X98765432"[t%11])' "$ID17")
HOUSEHOLD=$(json POST /households "$V" "{\"areaCode\":\"411003100201\",\"householderName\":\"赵守田\",\"address\":\"许昌市建安区灵井镇霍庄村三组9号\",\"isFormerlyPoor\":true,
  \"members\":[{\"name\":\"赵守田\",\"idNumber\":\"$ID17$CHECK\",\"relation\":\"户主\",\"gender\":\"male\",\"birthDate\":\"${ID17:6:4}-03-15\",
  \"laborAbility\":\"weak\",\"employment\":\"none\"}]}" | jq -r .id)
MEMBER=$(get "/households/$HOUSEHOLD" "$V" | jq -r '.members[0].id')
H=$(json POST /procedures/welfare-post-hiring/cases "$V" \
  "{\"postId\":\"$POST\",\"memberId\":\"$MEMBER\",\"exclusions\":{\"villageCadreOrFamily\":false,\"publicEmployee\":false,\"urbanEmployeePension\":false}}" | jq -r .id)
MINUTES=$(upload "$V" meeting_minutes "caseId=$H"); SIGNIN=$(upload "$V" sign_in_sheet "caseId=$H")
event "$H" "$V" "{\"type\":\"RECOMMEND\",\"evidenceIds\":[\"$MINUTES\",\"$SIGNIN\"],\"data\":{\"result\":\"recommended\"}}"
PHOTO=$(upload "$V" notice_photo "caseId=$H")
event "$H" "$V" "{\"type\":\"PUBLISH_NOTICE\",\"evidenceIds\":[\"$PHOTO\"],\"data\":{\"text\":\"霍庄村拟聘用公益性岗位水管员公示，如有异议请于公示期内反映\"}}"
call GET "/public/notices?areaCode=411003100201" | jq -c '.[] | select(.title | test("公益")) | {title, summary}' | sed -n 1,3p
wait_state "$H" "$V" township_review 60   # the system closes the notice after posts.noticePeriod
event "$H" "$T" '{"type":"APPROVE","data":{"opinion":"经审核符合聘用条件"}}'
event "$H" "$C" '{"type":"APPROVE","data":{}}'   # eligibility judged again here
AGREEMENT=$(upload "$T" agreement "caseId=$H")
event "$H" "$T" "{\"type\":\"SIGN_AGREEMENT\",\"evidenceIds\":[\"$AGREEMENT\"],\"data\":{\"startDate\":\"$MONTH-01\",\"termMonths\":12}}"

# 3. 在岗领补: the township records the month; the subsidy is computed
SHEET=$(upload "$T" attendance_sheet "caseId=$H")
json POST /welfare-posts/attendance "$T" "{\"caseId\":\"$H\",\"month\":\"$MONTH\",\"daysWorked\":22,\"evidenceIds\":[\"$SHEET\"]}" \
  -H "Idempotency-Key: $(uuid)" | jq -c '.data.attendance // .'
get "/welfare-posts/ledger?areaCode=411003100201&month=$MONTH" "$T" \
  | jq -ce '[.rows[] | select(.name == "赵守田")] | if length > 0 then .[] | {name, idNumber, daysWorked, subsidy} else error("the holder is not on the month'"'"'s ledger") end'
echo "walk-through welfare posts: done"
