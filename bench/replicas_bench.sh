#!/usr/bin/env bash
# Replicas on PostgreSQL (issue 13), side by side in one run, on one
# machine (so the replicas, PostgreSQL and wrk share its cores: the ratios
# show what the serialised writes cost, not what more machines would add):
#  1. durable edits per second (PATCH /v1/groups/{id}, each committed with
#     its audit event) at 64 clients: the SQLite node, then 1, 2 and 3
#     replicas on one PostgreSQL server (the 64 clients split over them);
#  2. commands across replicas: N long-polls parked over 3 replicas, a
#     command queued through the first for one endpoint after another —
#     median and p99 to the poll, on the same replica and across; the
#     replicas' memory per parked poll.
#
#   bench/replicas_bench.sh [SECONDS] [POLLS]    after a build in build/release
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/release
ac=$bin/admincenter/admincenter
secs=${1:-10}
polls=${2:-10000}
work=$(mktemp -d)
chmod 0755 "$work"
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  "$root/tests/support/postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

wait_up() { for _ in $(seq 200); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.05; done; }
api() { curl -fsS -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$port$2" ${3:+-d "$3"} >/dev/null; }
groups() { for i in $(seq 0 7); do api POST /v1/groups "{\"id\":\"g-edit-$i\",\"name\":\"E\"}"; done; }
# rate CONNECTIONS PORT…: the summed requests/s of one wrk per port.
rate() {
  local c=$1 n=$(($# - 1)) outs=()
  shift
  for p in "$@"; do
    wrk -t1 -c$((c / n)) -d"${secs}s" -s "$root/bench/edit.lua" "http://127.0.0.1:$p" >"$work/wrk-$p" &
    outs+=($!)
  done
  wait "${outs[@]}"
  for p in "$@"; do
    grep -q "Non-2xx" "$work/wrk-$p" && echo "port $p: $(grep Non-2xx "$work/wrk-$p")" >&2
    awk '/Requests\/sec/ {print $2}' "$work/wrk-$p"
  done | paste -sd+ | bc
}

# The SQLite node.
port=18490
token=$("$ac" init --data-dir "$work/sqlite")
"$ac" run --data-dir "$work/sqlite" --listen 127.0.0.1:$port 2>"$work/sqlite.log" & pids+=($!)
wait_up $port
export CUSTODIAN_TOKEN=$token
groups
sqlite=$(rate 64 $port)
kill "${pids[@]}"; wait 2>/dev/null || true; pids=()

# Three replicas on one PostgreSQL server.
url=$("$root/tests/support/postgres.sh" start "$work/pg")
psql -q "$url/postgres" -c "CREATE DATABASE custodian" >/dev/null
token=$("$ac" init --data-dir "$work/r1" --database "$url/custodian")
ports=(18491 18492 18493)
for i in 0 1 2; do
  "$ac" run --data-dir "$work/r$((i + 1))" --database "$url/custodian" --key-dir "$work/r1" \
    --listen 127.0.0.1:${ports[$i]} 2>"$work/r$((i + 1)).log" & pids+=($!)
done
for p in "${ports[@]}"; do wait_up "$p"; done
port=${ports[0]}
export CUSTODIAN_TOKEN=$token
groups
pg1=$(rate 64 "${ports[0]}")
pg2=$(rate 64 "${ports[0]}" "${ports[1]}")
pg3=$(rate 64 "${ports[@]}")

printf '%-52s %12s %8s\n' "durable edits, 64 clients (wrk, ${secs}s each)" "requests/s" "ratio"
printf '%-52s %12.0f %8s\n' "SQLite node" "$sqlite" "1.00"
for n in 1 2 3; do
  v=pg$n
  printf '%-52s %12.0f %8.2f\n' "PostgreSQL, $n replica(s)" "${!v}" "$(echo "${!v} / $sqlite" | bc -l)"
done
echo
echo "commands across replicas, $polls parked long-polls over 3 replicas:"
"$bin/bench/longpoll_bench" "$(IFS=,; echo "${ports[*]}")" "$token" \
  "$(IFS=,; echo "${pids[*]}")" "$polls" 60
