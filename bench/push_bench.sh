#!/usr/bin/env bash
# Push (issue 15): a policy edit to a verified bundle in force on N
# simulated enforcers (default 1000) that speak the real protocol, over
# ROUNDS edits (default 5); see push_bench.cc.
#
#   bench/push_bench.sh [N] [ROUNDS]      after a build in build/release
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node.sh"
ulimit -n "$(ulimit -Hn)"
start_node
"$bin/bench/push_bench" "$port" "$token" "${1:-1000}" "${2:-5}"
