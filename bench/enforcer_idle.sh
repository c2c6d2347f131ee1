#!/usr/bin/env bash
# The enforcer's idle footprint (issue 4): RSS, threads and CPU time used
# over SECONDS (default 60) of idling with the default poll interval (30 s)
# and command long-poll (25 s) against a local admin center.
#
#   bench/enforcer_idle.sh [SECONDS]      after a build in build/release
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/release
secs=${1:-60}
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=18483
token=$("$bin/admincenter/admincenter" init --data-dir "$work/data")
"$bin/admincenter/admincenter" run --data-dir "$work/data" --listen 127.0.0.1:$port 2>"$work/ac.log" &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
code=$(curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$port/v1/enrollment-codes" -d '{}' | sed 's/.*"code":"\([^"]*\)".*/\1/')
"$bin/enforcer/enforcer" enroll --admin-center "http://127.0.0.1:$port" --code "$code" \
  --state-dir "$work/enforcer" >/dev/null
"$bin/enforcer/enforcer" run --state-dir "$work/enforcer" 2>"$work/enforcer.log" &
pid=$!
pids+=($pid)
sleep 3  # enrolled, first bundle in force
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
start=$(ticks)
sleep "$secs"
end=$(ticks)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
threads=$(awk '/Threads/ {print $2}' "/proc/$pid/status")
printf 'enforcer idle for %s s: RSS %.1f MiB, %s threads, CPU %.2f s (%.3f%% of one core)\n' \
  "$secs" "$(echo "$rss / 1024" | bc -l)" "$threads" "$(echo "($end - $start) / $hz" | bc -l)" \
  "$(echo "($end - $start) / $hz / $secs * 100" | bc -l)"
