#!/usr/bin/env bash
# Long-poll scale (issue 4): N (default 5000) command long-polls parked on
# one admin center; its RSS and threads; the time from queuing a command to
# its arrival at the parked poll.
#
#   bench/longpoll_bench.sh [N]      after a build in build/release
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/release
n=${1:-5000}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
port=18482
token=$("$bin/admincenter/admincenter" init --data-dir "$work/data")
"$bin/admincenter/admincenter" run --data-dir "$work/data" --listen 127.0.0.1:$port 2>"$work/ac.log" &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
"$bin/bench/longpoll_bench" $port "$token" "$pid" "$n"
