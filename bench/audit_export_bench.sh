#!/usr/bin/env bash
# Audit export throughput and memory, side by side in one run: 1,000,000
# events exported by the admin center as JSON Lines and CSV (streamed over
# HTTP) next to `sqlite3 -csv` reading the same table from the same file.
# The admin center's peak RSS during each export shows whether memory stays
# flat.
#
#   bench/audit_export_bench.sh [EVENTS]     after a build in build/release
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/release
events=${1:-1000000}
work=$(mktemp -d)
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port=18482
token=$("$bin/admincenter/admincenter" init --data-dir "$work/data")
echo "filling $events events..." >&2
"$bin/bench/fill_audit" "$work/data/admincenter.db" "$events"
"$bin/admincenter/admincenter" run --data-dir "$work/data" --listen 127.0.0.1:$port 2>/dev/null &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done

rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
peak_during() {  # runs "$@" while sampling the server's RSS; prints seconds and peak KiB
  local peak start end
  peak=$(rss)
  start=$(date +%s.%N)
  "$@" &
  local job=$!
  while kill -0 "$job" 2>/dev/null; do
    local now
    now=$(rss)
    ((now > peak)) && peak=$now
    sleep 0.05
  done
  wait "$job"
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc -l) $peak"
}
export_to_null() {
  curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/audit/events?format=$1" -o /dev/null
}
idle=$(rss)
read -r t_sqlite _ < <(peak_during sh -c "sqlite3 -csv '$work/data/admincenter.db' 'SELECT * FROM audit_events' >/dev/null")
read -r t_jsonl p_jsonl < <(peak_during export_to_null jsonl)
read -r t_csv p_csv < <(peak_during export_to_null csv)
rows=$(sqlite3 "$work/data/admincenter.db" 'SELECT COUNT(*) FROM audit_events')
printf '%-36s %12s %8s %16s\n' "export of $rows events" "rows/s" "ratio" "server peak RSS"
printf '%-36s %12.0f %8s %16s\n' "sqlite3 -csv (same database)" "$(echo "$rows / $t_sqlite" | bc -l)" "1.00" "-"
printf '%-36s %12.0f %8.2f %13s KiB\n' "GET /v1/audit/events?format=jsonl" "$(echo "$rows / $t_jsonl" | bc -l)" "$(echo "$t_sqlite / $t_jsonl" | bc -l)" "$p_jsonl"
printf '%-36s %12.0f %8.2f %13s KiB\n' "GET /v1/audit/events?format=csv" "$(echo "$rows / $t_csv" | bc -l)" "$(echo "$t_sqlite / $t_csv" | bc -l)" "$p_csv"
echo "server RSS when idle: $idle KiB"
