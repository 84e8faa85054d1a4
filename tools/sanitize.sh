#!/bin/bash
# tools/sanitize.sh [BUILD_DIR]: build osq and its tests with AddressSanitizer + UndefinedBehavior-
# Sanitizer (Debug, -DOSQ_SANITIZE=address,undefined) in BUILD_DIR (default build-sanitize) and run
# the whole ctest suite. Exits non-zero on any test failure or sanitizer report. Leaks inside
# system libraries that osq cannot free are suppressed by tests/fuzz/lsan.supp (see there).
#
# How a report fails a test: CMake builds with -fno-sanitize-recover=all, so ASan and UBSan stop
# the process at the first error (ASan aborts, UBSan exits 1); LeakSanitizer runs at exit and
# makes the exit code 23. Criterion runs each test in a forked worker: an error in the test body
# is counted as a crash, and a leak found when the worker exits prints "crashed during its setup
# or teardown" and makes the runner exit 1 (measured with Criterion 2.4.1). The CLI tests check
# osq's exit code, which the sanitizers change. As a second net, the ctest log is searched for
# sanitizer reports (a script that ignores an exit code cannot hide one).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${1:-build-sanitize}
# Debug, but at -O1 (what the ASan documentation recommends): the suite runs 3 times faster than
# at -O0 (2.3 against 6.8 minutes on the 2-core CI machine) and CI has 30 minutes in all.
# OSQ_SANITIZE_OPT=-O0 gives the plain Debug build.
opt=${OSQ_SANITIZE_OPT:--O1}

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g $opt" \
  -DOSQ_SANITIZE=address,undefined >/dev/null
cmake --build "$build" -j2

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Leaks inside libconfig and fontconfig that osq cannot free (see the file).
export LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0

log=$build/sanitize-ctest.log
set +e
ctest --test-dir "$build" --output-on-failure --output-log "$log"
rc=$?
set -e
if grep -n -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log"; then
  echo "sanitize.sh: FAIL: sanitizer reports in $log (lines above)" >&2
  exit 1
fi
if [ $rc != 0 ]; then
  echo "sanitize.sh: FAIL: ctest exited $rc (log: $log)" >&2
  exit 1
fi
echo "sanitize.sh: OK"
