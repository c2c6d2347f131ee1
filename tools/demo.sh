#!/usr/bin/env bash
# The quick start (README): on a fresh Debian 12 machine, installs what is
# needed, builds, starts an admin center and two enforcers (one of them a
# Windows endpoint) on loopback with the embedded SQLite default in a
# temporary directory, and tells the story of the source documents with the
# `custodian` CLI. It stops everything it started unless asked to keep it
# running.
#
#   tools/demo.sh [--keep]
#
# The customer answers the first prompt in their window (web/customer,
# served by the enforcer), in headless Chromium (web/demo/customer-window.mjs);
# the rest of the customer's side (further prompts, the remote session's
# login screen) talks to the enforcer's local API, played by curl. The operating
# system's part is played by two small scripts: the "OS action" that would
# unlock or log on (it notes what it was asked and a hash of the password
# it received, never the password) and the administrator-password check.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
keep=0
[[ "${1:-}" == "--keep" ]] && keep=1

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
note() { printf '  %s\n' "$*"; }
run() { printf '  $ custodian %s\n' "$*"; custodian "$@" 2>&1 | sed 's/^/    /'; }
capture() {  # like run, leaving the first word of the answer (an id) in $id
  printf '  $ custodian %s\n' "$*"
  local out
  out=$(custodian "$@" 2>&1)
  printf '%s\n' "$out" | sed 's/^/    /'
  id=${out%%[[:space:]]*}
}
fails() {  # a refusal the story expects; anything else stops the demo
  printf '  $ custodian %s\n' "$*"
  if custodian "$@" 2>&1 | sed 's/^/    /'; then echo "expected a refusal" >&2; exit 1; fi
}

say "Preparing: dependencies and a build (once)"
bash tools/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# The web UIs too, when tools/install-deps.sh could install their npm packages.
targets=(admincenter enforcer custodian)
ninja -C build/release -t targets all 2>/dev/null | grep -q '^console:' &&
  targets+=(console customer_window)
cmake --build build/release -j "$(nproc)" --target "${targets[@]}" >/dev/null
bin=$root/build/release
custodian() { "$bin/tools/custodian/custodian" "$@"; }

work=$(mktemp -d /tmp/custodian-demo.XXXXXX)
chmod 700 "$work"
pids=()
stop_all() {
  if ((keep)); then
    echo "Kept running (--keep): admin center at $CUSTODIAN_URL, state in $work; stop with: kill ${pids[*]}"
    if [[ -f $bin/share/custodian/console/index.html ]]; then
      echo "The web console: $CUSTODIAN_URL/ — sign in as"
      echo "  admin / $(cat "$work/admin.password")   (master admin)"
      echo "  alice / $(cat "$work/alice.password")   (admin of g-support)"
      echo "  anna / $(cat "$work/anna.password")   (technician)"
      echo "  otto / $(cat "$work/otto.password")   (auditor)"
    fi
    return
  fi
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop_all EXIT

# A port the kernel says is free (a random one could be a test's server).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CUSTODIAN_URL=http://127.0.0.1:$port CUSTODIAN_CONFIG=$work/no-config.json
password() { (umask 077; echo "$2" >"$work/$1.password"); echo "$work/$1.password"; }
( umask 077; "$bin/admincenter/admincenter" init --data-dir "$work/admincenter" \
    --admin-password-file "$(password admin 'master of all groups')" >"$work/master.token" )
"$bin/admincenter/admincenter" run --data-dir "$work/admincenter" --listen "127.0.0.1:$port" \
  2>"$work/admincenter.log" &
pids+=($!)
for _ in $(seq 200); do curl -fs "$CUSTODIAN_URL/healthz" >/dev/null && break; sleep 0.05; done
master="--token-file $work/master.token"

# The fake OS of both computers.
admin_password="Admin-Pa55word"
cat >"$work/os-action.sh" <<EOF
#!/bin/sh
echo "\$1 \$2 \$3 (password sha256 \$(cat | sha256sum | cut -c1-12)…)" >> $work/os-actions.log
EOF
cat >"$work/verify.sh" <<EOF
#!/bin/sh
[ "\$1" = administrator ] && [ "\$(cat | sha256sum | cut -d' ' -f1)" = $(printf %s "$admin_password" | sha256sum | cut -d' ' -f1) ]
EOF
chmod 700 "$work/os-action.sh" "$work/verify.sh"

say "1. An admin sets up groups and permissions"
run groups create --id g-support --name Support --allow unattended_access \
  --allow request_windows_credentials $master
run groups set g-support --auth-modes at_connection,at_setup --max-days 30 $master
run groups create --id g-firstline --name "First line" --parent g-support $master
run groups set g-firstline --deny request_windows_credentials $master
run technicians create --name anna --group g-support --time-zone Europe/Berlin \
  --password-file "$(password anna 'correct horse battery staple')" $master
run auditors create --name otto --password-file "$(password otto 'audit all the things')" $master
run admins create --name alice --scope g-support \
  --password-file "$(password alice 'support groups only')" $master
run groups tree $master
run groups effective g-firstline $master

say "2. Two customer computers enroll and receive the signed policy"
start_enforcer() {  # NAME OS ZONE
  local code
  code=$(custodian enrollment-codes create --ttl-minutes 10 $master | cut -d' ' -f1)
  "$bin/enforcer/enforcer" enroll --admin-center "$CUSTODIAN_URL" --code "$code" \
    --state-dir "$work/$1" --name "$1" --os "$2" --time-zone "$3" >/dev/null
  cat >"$work/$1.json" <<EOF
{"os_action": ["/bin/sh", "$work/os-action.sh"],
 "admin_verifier": "command", "admin_verifier_command": ["/bin/sh", "$work/verify.sh"],
 "windows_user": "maria", "windows_domain": "HOME", "warning_minutes": 5}
EOF
  "$bin/enforcer/enforcer" run --state-dir "$work/$1" --config "$work/$1.json" \
    --poll-interval 1 --command-wait 20 2>"$work/$1.log" &
  pids+=($!)
  for _ in $(seq 200); do grep -q listening "$work/$1.log" 2>/dev/null && break; sleep 0.05; done
}
customer() {  # customer NAME METHOD PATH [BODY]: the enforcer's local API
  local url
  url=$(grep -o '"detail":"http://127.0.0.1:[0-9]*' "$work/$1.log" | head -1 | cut -d'"' -f4)
  curl -sS -X "$2" -H "Authorization: Bearer $(cat "$work/$1/local-api-token")" \
    -H 'Content-Type: application/json' -H "Accept-Language: ${LANG_PROMPT:-en}" \
    "$url$3" ${4:+-d "$4"}
}
start_enforcer win-pc windows America/New_York
start_enforcer linux-srv linux Europe/Vienna
for name in win-pc linux-srv; do
  for _ in $(seq 100); do
    [[ $(customer $name GET /v1/status | jq .policy.version) != null ]] && break; sleep 0.1
  done
done
run endpoints list $master
win=$(custodian endpoints list --json $master | jq -r '.items[] | select(.name=="win-pc") | .id')

say "3. Anna, a technician, logs in and asks for unattended access"
run login --name anna --password-file "$work/anna.password" --token-out "$work/anna.token"
anna="--token-file $work/anna.token"
chat=$(custodian sessions open --endpoint "$win" --type instant_chat --mode chat_only $anna | cut -d' ' -f1)
note "From an Instant Chat in chat-only mode it is refused (R2):"
fails unattended request "$chat" --mode at_setup --days 7 $anna
session=$(custodian sessions open --endpoint "$win" --type applet $anna | cut -d' ' -f1)
note "From an applet session, 20 days with the customer's credentials are refused (R6):"
fails unattended request "$session" --mode at_setup --days 20 $anna
# A daily window around the customer's time of day now, so that the connect below is inside it.
hour=$((10#$(TZ=America/New_York date +%H)))
from=$(printf '%02d:00' $(( (hour + 23) % 24 ))); to=$(printf '%02d:00' $(( (hour + 2) % 24 )))
note "7 days, $from–$to the customer's time, is sent to the customer:"
capture unattended request "$session" --mode at_setup --days 7 --daily "$from-$to" \
  --time-reference customer $anna
request=$id

say "4. The customer sees the prompt and approves with their Windows credentials (R7)"
for _ in $(seq 100); do
  [[ $(customer win-pc GET /v1/prompts | jq '.items | length') -gt 0 ]] && break; sleep 0.1
done
note "English: $(customer win-pc GET /v1/prompts | jq -r '.items[0].message')"
note "Deutsch: $(LANG_PROMPT=de customer win-pc GET /v1/prompts | jq -r '.items[0].message')"
if [[ -f $bin/share/custodian/customer/index.html && -d web/node_modules/playwright-core ]]; then
  note "The customer opens their window (enforcer prompt) and types only the password:"
  window=$("$bin/enforcer/enforcer" prompt --state-dir "$work/win-pc" --print | grep -o 'http://[^ ]*')
  printf 'Maria-Secret-1' | node web/demo/customer-window.mjs "$window" | sed 's/^/    /'
else
  customer win-pc POST "/v1/prompts/$request/approve" \
    '{"user_name":"maria","password":"Maria-Secret-1"}' >/dev/null
fi
for _ in $(seq 100); do
  grant=$(custodian unattended requests --json $anna | jq -r ".items[] | select(.id==\"$request\") | .grant_id // empty")
  [[ -n "$grant" ]] && break; sleep 0.1
done
run grants list $anna
note "The attended session ends; the grant lives on (R8):"
run sessions end "$session" $anna

say "5. Unattended connects, inside and outside the daily window"
note "Inside the window: the endpoint logs on with the stored credentials"
run grants connect "$grant" $anna
for _ in $(seq 100); do [[ -s "$work/os-actions.log" ]] && break; sleep 0.1; done
note "OS action: $(tail -1 "$work/os-actions.log")"
session2=$(custodian sessions open --endpoint "$win" --type applet $anna | cut -d' ' -f1)
late_from=$(printf '%02d:00' $(( (hour + 6) % 24 ))); late_to=$(printf '%02d:00' $(( (hour + 8) % 24 )))
late=$(custodian unattended request "$session2" --mode at_connection --days 3 \
  --daily "$late_from-$late_to" --time-reference customer $anna | cut -d' ' -f1)
for _ in $(seq 100); do
  customer win-pc POST "/v1/prompts/$late/approve" '{}' | grep -q grant_ && break; sleep 0.1
done
for _ in $(seq 100); do
  late_grant=$(custodian unattended requests --json $anna | jq -r ".items[] | select(.id==\"$late\") | .grant_id // empty")
  [[ -n "$late_grant" ]] && break; sleep 0.1
done
note "A second grant, $late_from–$late_to the customer's time, approved by the customer (confirm only):"
fails grants connect "$late_grant" $anna
run connections list $anna

say "6. Windows credentials for this session only (R9–R15)"
session3=$(custodian sessions open --endpoint "$win" --type applet $anna | cut -d' ' -f1)
note "Without screen viewing it is refused (R13):"
fails credentials request "$session3" $anna
run sessions screen "$session3" on $anna
capture credentials request "$session3" $anna
creds=$id
for _ in $(seq 100); do
  [[ $(customer win-pc GET /v1/prompts | jq '.items | length') -gt 0 ]] && break; sleep 0.1
done
note "Prompt, pre-filled (R14): $(customer win-pc GET /v1/prompts | jq -c '.items[0].prefill')"
note "After storing (R15): $(customer win-pc POST "/v1/prompts/$creds/approve" '{"password":"Maria-Secret-1"}' | jq -r .notice)"
for _ in $(seq 100); do
  [[ $(custodian credentials list --json $anna | jq -r ".items[] | select(.id==\"$creds\") | .state") == stored ]] && break; sleep 0.1
done
run credentials apply "$session3" --operation unlock $anna
for _ in $(seq 100); do [[ $(wc -l <"$work/os-actions.log") -ge 2 ]] && break; sleep 0.1; done
note "OS action: $(tail -1 "$work/os-actions.log")"
note "The customer revokes the credentials (R12): $(customer win-pc POST "/v1/sessions/$session3/credentials/revoke" | jq -r .notice)"
for _ in $(seq 100); do
  [[ $(custodian credentials list --json $anna | jq -r ".items[] | select(.id==\"$creds\") | .state") == revoked ]] && break; sleep 0.1
done
fails credentials apply "$session3" --operation restart $anna
note "On the Linux server the request is refused (R9):"
linux=$(custodian endpoints list --json $master | jq -r '.items[] | select(.name=="linux-srv") | .id')
session4=$(custodian sessions open --endpoint "$linux" --type applet --screen-viewing $anna | cut -d' ' -f1)
fails credentials request "$session4" $anna
note "The customer ends the first grant:"
customer win-pc POST "/v1/grants/$grant/revoke" | jq -c . | sed 's/^/    /'
for _ in $(seq 100); do
  [[ $(custodian grants list --json $anna | jq -r ".items[] | select(.id==\"$grant\") | .state") == revoked ]] && break; sleep 0.1
done
run grants list $anna

say "7. An auditor exports the log and verifies it offline"
run login --name otto --password-file "$work/otto.password" --token-out "$work/otto.token"
otto="--token-file $work/otto.token"
run audit export -o "$work/audit.jsonl" $otto
note "$(wc -l <"$work/audit.jsonl") lines; the workflow steps among them: $(jq -r '.action' "$work/audit.jsonl" 2>/dev/null |
  grep -E '^(unattended|connection|credentials|grant)\.' | sort | uniq -c | sort -rn | head -8 | awk '{printf "%s %s, ", $1, $2}')…"
key=$(custodian keys list --json $otto | jq -r '.items[] | select(.state == "active") | .public_key')
run audit verify --public-key "$key" "$work/audit.jsonl"
if grep -rq "Maria-Secret-1" "$work"; then
  echo "the customer's password was found in $work" >&2
  exit 1
fi
note "The customer's password appears in no file of the demo (logs, databases, exports)."

say "Done."
