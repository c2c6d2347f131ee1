#!/usr/bin/env bash
# Two builds side by side in one run: this tree and OTHER (another checkout,
# e.g. `git worktree add ../baseline <commit>`), each built in build/release.
# The benchmarks run interleaved (A B A B) so that the machine's noise hits
# both alike: decisions in-process (decide_bench), HTTP (http_bench.sh),
# parked long-polls (longpoll_bench.sh) and the audit export
# (audit_export_bench.sh). Their full outputs go to OUT (default a temporary
# folder, printed at the end); compare the medians there.
#
#   bench/compare.sh OTHER [OUT]
#   COMPARE_ONLY="export" COMPARE_ROUNDS=3 bench/compare.sh OTHER   # some, more often
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
other=$(cd "$1" && pwd)
out=${2:-$(mktemp -d)}
mkdir -p "$out"
rounds=${COMPARE_ROUNDS:-2}

run() {  # run NAME TREE
  local name=$1 tree=$2 tag
  tag=$([[ $tree == "$here" ]] && echo ours || echo other)
  case $name in
    decide)
      "$tree/build/release/bench/decide_bench" --benchmark_min_time=1 \
        --benchmark_filter='Decide|Parse' 2>/dev/null
      ;;
    http) ROUNDS=3 "$tree/bench/http_bench.sh" 5 ;;
    longpoll) "$tree/bench/longpoll_bench.sh" 2000 ;;
    export) "$tree/bench/audit_export_bench.sh" 200000 ;;
  esac >>"$out/$name.$tag.txt" 2>&1
}

for name in ${COMPARE_ONLY:-decide http longpoll export}; do
  for _ in $(seq "$rounds"); do
    run "$name" "$other"
    run "$name" "$here"
  done
done
echo "results in $out"
