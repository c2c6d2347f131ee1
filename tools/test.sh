#!/usr/bin/env bash
# The test command (README): installs dependencies, checks formatting,
# builds with warnings as errors and runs every test with ctest; then runs
# the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer
# and the fuzzers (policy codec, HTTP request path, bundle verification) for
# a short while each (clang's libFuzzer).
#
#   tools/test.sh            everything
#   CUSTODIAN_QUICK=1 tools/test.sh   the main build and its tests only
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=$(nproc)

step() { printf '\n== %s (at %d s)\n' "$*" "$SECONDS"; }
# ctest counts a test as skipped, not failed, when a GoogleTest fixture's
# SetUpTestSuite fails; no test here is meant to be skipped.
run_ctest() {
  local log
  log=$(mktemp)
  set +e
  ctest "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  if grep -q '\*\*\*Skipped' "$log"; then
    echo "test.sh: tests were skipped (a fixture failed to set up):" >&2
    grep '\*\*\*Skipped' "$log" >&2
    status=1
  fi
  rm -f "$log"
  return "$status"
}
trap 'printf "\n== done in %d s\n" "$SECONDS"' EXIT

step "dependencies"
bash tools/install-deps.sh

step "clang-format"
mapfile -t sources < <(find policy common schema admincenter enforcer tools tests bench fuzz -type f \
  \( -name '*.cc' -o -name '*.h' \) 2>/dev/null | sort)
clang-format --dry-run -Werror "${sources[@]}"

step "build (RelWithDebInfo)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$jobs"

step "tests"
run_ctest --test-dir build/release --output-on-failure -j "$jobs"

if [[ "${CUSTODIAN_QUICK:-0}" == 1 ]]; then
  exit 0
fi

step "unit and integration tests under ASan + UBSan"
cmake -S . -B build/sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCUSTODIAN_SANITIZE=ON \
  -DCUSTODIAN_BENCH=OFF >/dev/null
cmake --build build/sanitize -j "$jobs"
# Slow unwinding lets the suppressions see through libcrypto's frames.
ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 UBSAN_OPTIONS=print_stacktrace=1 \
  LSAN_OPTIONS=suppressions=$root/tests/lsan.supp \
  run_ctest --test-dir build/sanitize --output-on-failure -j "$jobs" -L "unit|integration" \
  -E '^replicated/'  # the workflows again on replicas: release only (tests/CMakeLists.txt)

step "fuzz (libFuzzer, a short run of each target)"
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCUSTODIAN_FUZZ=ON \
  -DCUSTODIAN_BENCH=OFF -DCUSTODIAN_FUZZ_SECONDS=20 -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build build/fuzz -j "$jobs" --target policy_codec_fuzz http_request_fuzz bundle_verify_fuzz
run_ctest --test-dir build/fuzz --output-on-failure -L fuzz
