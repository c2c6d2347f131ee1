#!/usr/bin/env bash
# A legitimate admin's write latency, alone and under a login flood, side by
# side in one run (issue "Integrity under attack", finding 11):
#  1. 200 sequential durable edits (PATCH /v1/groups/{id}) with nothing else;
#  2. the same while wrk sends wrong-password logins from 100 connections;
# and the admin center's resident memory before and during the flood, and
# how the flood's logins were answered (401 with Argon2, 429 without).
#
#   bench/login_flood.sh [SECONDS]     after a build in build/release
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/release
secs=${1:-10}
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port=18490
token=$("$bin/admincenter/admincenter" init --data-dir "$work/data")
"$bin/admincenter/admincenter" run --data-dir "$work/data" --listen 127.0.0.1:$port \
  2>"$work/ac.log" & pids+=($!)
ac=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$port/v1/groups" -d '{"id":"g-lat","name":"L"}' >/dev/null
curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$port/v1/technicians" \
  -d '{"name":"anna","password":"correct horse battery","group_id":"g-lat","time_zone":"UTC"}' >/dev/null

edits() {  # prints the median and p99 of 200 edits in ms
  for i in $(seq 200); do
    curl -fsS -o /dev/null -w '%{time_total}\n' -X PATCH -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' "http://127.0.0.1:$port/v1/groups/g-lat" \
      -d "{\"name\":\"L$i\"}"
  done | sort -n | awk '{v[NR]=$1*1000} END {printf "median %.1f ms, p99 %.1f ms", v[int(NR/2)], v[int(NR*0.99)]}'
}
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$ac/status"; }

echo "alone:       $(edits), RSS $(rss)"
cat >"$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local name = (n % 3 == 0) and "anna" or ("guess" .. (n % 50))
  return wrk.format(nil, "/v1/tokens", nil, '{"name":"' .. name .. '","password":"wrong"}')
end
response = function(status) counts = counts or {}; counts[status] = (counts[status] or 0) + 1 end
done = function(summary, latency, requests)
  io.write(string.format("flood: %d logins in %.1f s\n", summary.requests, summary.duration / 1e6))
end
LUA
wrk -t2 -c100 -d"${secs}s" -s "$work/login.lua" "http://127.0.0.1:$port" >"$work/wrk.out" 2>&1 &
flood=$!
sleep 1
echo "under flood: $(edits), RSS $(rss)"
wait $flood || true
grep -E "flood:|Non-2xx|Requests/sec" "$work/wrk.out" || true
echo "how the logins were answered (401: Argon2 computed; 429: backed off, none computed):"
curl -fs "http://127.0.0.1:$port/metrics" | grep 'route="/v1/tokens"' || true
