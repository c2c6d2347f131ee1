#!/usr/bin/env bash
# The quick start (README): on a fresh Debian 12 machine, installs what is
# needed, builds, starts an admin center and two enforcers (one of them a
# Windows endpoint) on loopback with the embedded SQLite default in a
# temporary directory, and shows the policy at work. It stops everything it
# started unless asked to keep it running.
#
#   tools/demo.sh [--keep]
#
# The story grows with the product: today an admin sets up the policy, the
# endpoints enroll and receive the signed bundle, decisions are made
# centrally and on the endpoint (also while the admin center is down), and
# an auditor verifies the log.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
keep=0
[[ "${1:-}" == "--keep" ]] && keep=1

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
note() { printf '  %s\n' "$*"; }

say "Preparing: dependencies and a build (once)"
bash tools/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target admincenter enforcer custodian >/dev/null
bin=$root/build/release

work=$(mktemp -d /tmp/custodian-demo.XXXXXX)
pids=()
stop_all() {
  if ((keep)); then
    echo "Kept running (--keep): admin center at $ac, state in $work; stop with: kill ${pids[*]}"
    return
  fi
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop_all EXIT

port=$(( 20000 + RANDOM % 20000 ))
ac=http://127.0.0.1:$port
TOKEN=$("$bin/admincenter/admincenter" init --data-dir "$work/admincenter")
"$bin/admincenter/admincenter" run --data-dir "$work/admincenter" --listen "127.0.0.1:$port" \
  2>"$work/admincenter.log" &
pids+=($!)
for _ in $(seq 200); do curl -fs "$ac/healthz" >/dev/null && break; sleep 0.05; done

api() {  # api METHOD PATH [BODY]: as the master admin
  curl -sS -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    "$ac$2" ${3:+-d "$3"}
}

say "1. An admin sets up the policy"
api POST /v1/groups '{"id":"g-support","name":"Support",
  "permissions":{"unattended_access":true,"request_windows_credentials":true},
  "unattended":{"auth_modes":["at_connection","at_setup"],"max_days":14}}' >/dev/null
api POST /v1/groups '{"id":"g-firstline","name":"First line","parent_id":"g-support",
  "permissions":{"request_windows_credentials":false}}' >/dev/null
tech=$(api POST /v1/technicians '{"name":"anna","password":"correct horse battery staple",
  "group_id":"g-support","time_zone":"Europe/Berlin"}' | jq -r .id)
note "groups: Support (unattended access, at most 14 days) > First line"
note "technician anna ($tech) in Support, working in Europe/Berlin"
note "effective for First line: $(api GET /v1/groups/g-firstline/effective |
  jq -c '{unattended_access: .permissions.unattended_access | {value, source},
          max_days: .unattended.max_days | {value, source}}')"

say "2. Two customer computers enroll and receive the signed policy"
start_enforcer() {  # NAME OS ZONE
  local code
  code=$(api POST /v1/enrollment-codes '{"ttl_minutes":10}' | jq -r .code)
  "$bin/enforcer/enforcer" enroll --admin-center "$ac" --code "$code" --state-dir "$work/$1" \
    --name "$1" --os "$2" --time-zone "$3" >/dev/null
  "$bin/enforcer/enforcer" run --state-dir "$work/$1" --poll-interval 1 --command-wait 5 \
    2>"$work/$1.log" &
  pids+=($!)
  for _ in $(seq 200); do grep -q listening "$work/$1.log" 2>/dev/null && break; sleep 0.05; done
}
local_api() {  # local_api NAME METHOD PATH [BODY]: the enforcer's local API
  local url
  url=$(grep -o '"detail":"http://127.0.0.1:[0-9]*' "$work/$1.log" | head -1 | cut -d'"' -f4)
  curl -sS -X "$2" -H "Authorization: Bearer $(cat "$work/$1/local-api-token")" \
    -H 'Content-Type: application/json' "$url$3" ${4:+-d "$4"}
}
start_enforcer win-pc windows America/New_York
start_enforcer linux-srv linux Europe/Vienna
for name in win-pc linux-srv; do
  for _ in $(seq 100); do
    [[ $(local_api $name GET /v1/status | jq .policy.version) != null ]] && break; sleep 0.1
  done
  note "$name: $(local_api $name GET /v1/status | jq -c '{policy: .policy.version, expires_at: .policy.expires_at}')"
done

request() {  # request DAYS SESSION_TYPE [MODE]
  local session="{\"type\":\"$2\",\"active\":true${3:+,\"mode\":\"$3\"}}"
  echo "{\"action\":\"unattended.request\",\"technician_id\":\"$tech\",\"session\":$session,
    \"endpoint\":{\"os\":\"windows\",\"time_zone\":\"America/New_York\"},
    \"credential_mode\":\"at_setup\",\"schedule\":{\"kind\":\"days\",\"days\":$1,
    \"time_reference\":\"customer\",\"daily\":{\"from\":\"08:00\",\"to\":\"18:00\"}}}"
}
show() { jq -c '{effect, reasons: [.reasons[] | "\(.rule) \(.code): \(.message)"]}'; }

say "3. Anna asks for unattended access; the admin center decides (what-if)"
note "from a chat-only session, 7 days:  $(api POST /v1/decisions "$(request 7 instant_chat chat_only)" | show)"
note "20 days with customer credentials: $(api POST /v1/decisions "$(request 20 applet)" | show)"
note "7 days from an applet session:     $(api POST /v1/decisions "$(request 7 applet)" | show)"

say "4. The Windows computer decides again with its own bundle"
note "7 days: $(local_api win-pc POST /v1/decisions "$(request 7 applet)" | show)"

say "5. The admin withdraws unattended access; the endpoint follows within its poll"
before=$(local_api win-pc GET /v1/status | jq .policy.version)
api PATCH /v1/groups/g-support '{"permissions":{"unattended_access":false}}' >/dev/null
for _ in $(seq 100); do
  [[ $(local_api win-pc GET /v1/status | jq .policy.version) -gt $before ]] && break; sleep 0.1
done
note "bundle $before -> $(local_api win-pc GET /v1/status | jq .policy.version)"
note "7 days now: $(local_api win-pc POST /v1/decisions "$(request 7 applet)" | show)"

say "6. The admin center goes down; the endpoint keeps deciding and keeps its events"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
note "decision offline: $(local_api win-pc POST /v1/decisions "$(request 7 applet)" | jq -c '{effect}')"
note "events waiting for the admin center: $(local_api win-pc GET /v1/status | jq .events_unsent)"
"$bin/admincenter/admincenter" run --data-dir "$work/admincenter" --listen "127.0.0.1:$port" \
  2>>"$work/admincenter.log" &
pids[0]=$!
for _ in $(seq 200); do
  [[ $(local_api win-pc GET /v1/status | jq .events_unsent) == 0 ]] && break; sleep 0.1
done
note "back up: events waiting $(local_api win-pc GET /v1/status | jq .events_unsent)"

say "7. An auditor exports the log and verifies it offline"
api GET '/v1/audit/events?format=jsonl' >"$work/audit.jsonl"
note "$(wc -l <"$work/audit.jsonl") lines; actions: $(jq -r 'select(.action) | .action' "$work/audit.jsonl" |
  sort | uniq -c | sort -rn | head -6 | awk '{printf "%s %s, ", $1, $2}')…"
key=$(api GET /v1/policy/keys | jq -r '.items[] | select(.state == "active") | .public_key')
"$bin/tools/custodian/custodian" audit verify --public-key "$key" "$work/audit.jsonl" | sed 's/^/  /'

say "Done."
