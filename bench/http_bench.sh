#!/usr/bin/env bash
# Admin center HTTP benchmarks, side by side in one run (wrk on loopback):
#  1. the ceiling: bare_server, the same Beast server answering a constant
#     to the very same requests (headers and body);
#  2. POST /v1/decisions (what-if) as an admin;
#  3. an authenticated GET /v1/groups/{id};
#  4. durable edits (PATCH /v1/groups/{id}, each a synchronous=FULL commit
#     with its audit event) at 1 and at 64 concurrent clients.
#
#   bench/http_bench.sh [SECONDS]      after tools/test.sh (or a build in build/release)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/release
secs=${1:-10}
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

ac_port=18480 bare_port=18481
token=$("$bin/admincenter/admincenter" init --data-dir "$work/data")
"$bin/admincenter/admincenter" run --data-dir "$work/data" --listen 127.0.0.1:$ac_port \
  ${AC_FLAGS:-} 2>"$work/ac.log" & pids+=($!)
"$bin/bench/bare_server" $bare_port 2 & pids+=($!)
for port in $ac_port $bare_port; do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
done

api() { curl -fsS -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$ac_port$2" ${3:+-d "$3"} >/dev/null; }
api POST /v1/groups '{"id":"g-bench","name":"Bench","permissions":{"unattended_access":true}}'
for i in $(seq 0 7); do api POST /v1/groups "{\"id\":\"g-edit-$i\",\"name\":\"E\",\"parent_id\":\"g-bench\"}"; done
tech=$(curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$ac_port/v1/technicians" \
  -d '{"name":"tina","password":"correct horse battery","group_id":"g-bench","time_zone":"Europe/Berlin"}' |
  sed 's/.*"id":"\([^"]*\)".*/\1/')

cat >"$work/decide.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"action":"unattended.request","technician_id":"$tech","session":{"type":"applet","active":true},"endpoint":{"os":"windows","time_zone":"America/New_York"},"credential_mode":"at_setup","schedule":{"kind":"days","days":7,"time_reference":"customer","daily":{"from":"08:00","to":"18:00"}}}'
LUA
cat >"$work/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA

export CUSTODIAN_TOKEN=$token
rate() {  # rate NAME THREADS CONNECTIONS URL [SCRIPT]
  local out
  out=$(wrk -t"$2" -c"$3" -d"${secs}s" ${5:+-s "$5"} "$4")
  if grep -q "Non-2xx" <<<"$out"; then echo "$1: errors: $(grep Non-2xx <<<"$out")" >&2; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
# Interleaved rounds, medians: the machine's noise hits every series alike.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Each ceiling gets the same request as the route it is compared with (the
# same bytes from the same client), so only the server's work differs.
b=() bp=() d=() g=()
for _ in $(seq "${ROUNDS:-3}"); do
  b+=("$(rate bare 2 32 "http://127.0.0.1:$bare_port/v1/groups/g-bench" "$work/get.lua")")
  bp+=("$(rate bare-post 2 32 "http://127.0.0.1:$bare_port/v1/decisions" "$work/decide.lua")")
  d+=("$(rate decisions 2 32 "http://127.0.0.1:$ac_port/v1/decisions" "$work/decide.lua")")
  g+=("$(rate get 2 32 "http://127.0.0.1:$ac_port/v1/groups/g-bench" "$work/get.lua")")
done
bare=$(median "${b[@]}") bare_post=$(median "${bp[@]}") decide=$(median "${d[@]}") get=$(median "${g[@]}")
edit1=$(rate edit1 1 1 "http://127.0.0.1:$ac_port" "$root/bench/edit.lua")
edit64=$(rate edit64 2 64 "http://127.0.0.1:$ac_port" "$root/bench/edit.lua")
printf '%-44s %12s %8s\n' "benchmark (wrk, ${secs}s each, median of ${ROUNDS:-3})" "requests/s" "ratio"
printf '%-44s %12.0f %8s\n' "bare Beast server: the same GET" "$bare" "1.00"
printf '%-44s %12.0f %8.2f\n' "GET /v1/groups/{id} (authenticated)" "$get" "$(echo "$get / $bare" | bc -l)"
printf '%-44s %12.0f %8s\n' "bare Beast server: the same POST" "$bare_post" "1.00"
printf '%-44s %12.0f %8.2f\n' "POST /v1/decisions (admin, what-if)" "$decide" "$(echo "$decide / $bare_post" | bc -l)"
printf '%-44s %12.0f\n' "durable edits, 1 client" "$edit1"
printf '%-44s %12.0f\n' "durable edits, 64 clients" "$edit64"
