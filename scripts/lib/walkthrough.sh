# Shared by the walk-through scripts (sourced, not run): a curl wrapper that fails loudly with
# the service's answer, logins, and a distinct evidence file per upload (the service refuses the
# same file serving twice: EVIDENCE_REUSED). Needs curl and jq.
API=${API:-http://localhost:3000}
WT_DIR=$(mktemp -d); trap 'rm -rf "$WT_DIR"' EXIT

# call METHOD PATH [curl args...]: prints the answer's body; on an HTTP error (or no answer)
# prints the request, the status and the service's answer to stderr and stops the script.
call() {
  local method=$1 path=$2; shift 2
  local out="$WT_DIR/body" status
  status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$API$path" "$@") || status=000
  if [[ ! $status =~ ^2 ]]; then
    {
      echo "walk-through failed: $method $path -> HTTP $status"
      if [[ -s $out ]]; then jq . "$out" 2>/dev/null || cat "$out"; else echo "(no answer from $API)"; fi
    } >&2
    exit 1
  fi
  cat "$out"
}
# json METHOD PATH TOKEN BODY [curl args...]
json() { local m=$1 p=$2 t=$3 b=$4; shift 4; call "$m" "$p" -H "Authorization: Bearer $t" -H 'Content-Type: application/json' -d "$b" "$@"; }
get() { call GET "$1" -H "Authorization: Bearer $2"; }
login() { json POST /auth/login '' "{\"username\":\"$1\",\"password\":\"$2\"}" | jq -r .accessToken; }
uuid() { cat /proc/sys/kernel/random/uuid; }

# a PDF of its own for every upload: the same file may serve one purpose only
WT_FILES=0
pdf() {
  WT_FILES=$((WT_FILES + 1))
  local f="$WT_DIR/evidence-$WT_FILES.pdf"
  printf '%%PDF-1.4\n%% walk-through evidence %s %s %s\n%%%%EOF\n' "$1" "$WT_FILES" "$(uuid)" > "$f"
  echo "$f"
}
# upload TOKEN TYPE FIELD=VALUE (caseId=… or batchId=…): the evidence id
upload() { call POST /evidence -H "Authorization: Bearer $1" -F "type=$2" -F "$3" -F "file=@$(pdf "$2");type=application/pdf" | jq -r .id; }

# event CASE TOKEN BODY-JSON: a case event on the case's current version, with an Idempotency-Key
event() {
  local v; v=$(get "/cases/$1" "$2" | jq .version)
  json POST "/cases/$1/events" "$2" "$(jq -c --argjson v "$v" '. + {version: $v}' <<<"$3")" -H "Idempotency-Key: $(uuid)" | jq -c '{state, version}'
}

# wait_state CASE TOKEN STATE [SECONDS]: until the case is in STATE, or fail naming the state it is in
wait_state() {
  local s
  for _ in $(seq 1 "${4:-60}"); do
    s=$(get "/cases/$1" "$2" | jq -r .state); [[ $s == "$3" ]] && return 0; sleep 1
  done
  echo "walk-through failed: case $1 is in $s, not $3, after ${4:-60} s" >&2; exit 1
}
