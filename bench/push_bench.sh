#!/usr/bin/env bash
# Push (issue 15): a policy edit to a verified bundle in force on N
# simulated enforcers (default 1000) that speak the real protocol, over
# ROUNDS edits (default 5), each enforcer fetching within the delay the
# admin center asks for ("spread"), then on another node fetching at once
# ("stampede"), side by side; see push_bench.cc.
#
#   bench/push_bench.sh [N] [ROUNDS]      after a build in build/release
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node.sh"
ulimit -n "$(ulimit -Hn)"
n=${1:-1000}
# Room for every simulated enforcer's connection and the driver's own.
echo "{\"max_connections\": $((n + 1000))}" >"$work/ac.json"
start_node --config "$work/ac.json"
"$bin/bench/push_bench" "$port" "$token" "$n" "${2:-5}"
kill "$node_pid"; wait "$node_pid" 2>/dev/null || true
rm -rf "$work/data"; token=
start_node --config "$work/ac.json"
"$bin/bench/push_bench" "$port" "$token" "$n" "${2:-5}" stampede
