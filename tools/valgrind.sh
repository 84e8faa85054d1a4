#!/bin/bash
# tools/valgrind.sh BUILD_DIR: run osq from a normal (RelWithDebInfo) build under valgrind memcheck
# on the baseline scenario (check, parties, a small run writing every output format and a flight
# log) and on two rejected scenarios (syntax error, several validation errors), so that the error
# paths are checked too. Exits non-zero on any memcheck error or definite/indirect leak, or if osq
# exits with another code than expected.
#
# Only definite and indirect leaks count: libgomp keeps its thread pool alive at exit ("still
# reachable"), which is not a leak. The run uses one thread: memcheck serialises threads anyway.
# tests/fuzz/valgrind.supp holds the leaks of system libraries that osq cannot free (fontconfig
# caches kept by cairo). The run takes about 2.5 minutes: it loads and rasterises the territories
# and draws the map, ~50 times slower than natively.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
if [ $# != 1 ] || [ ! -x "$1/osq" ]; then
  echo "usage: tools/valgrind.sh BUILD_DIR (a build directory holding osq)" >&2
  exit 2
fi
osq=$(cd "$1" && pwd)/osq
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/osq_valgrind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail=0
vg() { # expected_rc name args...
  local want=$1 name=$2 rc
  shift 2
  set +e
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --track-origins=yes --log-file="$tmp/$name.vg" \
    --suppressions="$root/tests/fuzz/valgrind.supp" \
    "$osq" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
  set -e
  if [ $rc != "$want" ] || [ -s "$tmp/$name.vg" ]; then
    echo "FAIL $name: exit $rc (expected $want)"
    cat "$tmp/$name.vg" "$tmp/$name.err"
    fail=$((fail + 1))
  else
    echo "ok   $name"
  fi
}

export OMP_NUM_THREADS=1
vg 0 check check scenarios/baseline.cfg
vg 0 parties parties scenarios/baseline.cfg
vg 0 run run scenarios/baseline.cfg --trials 200 --threads 1 --out "$tmp/out" --quiet \
  --format csv,json,md,tex --flight-log "$tmp/flights.csv" --flight-log-trials 2
vg 2 syntax_error check tests/bad/01_syntax_error.cfg
vg 2 several_errors check tests/bad/32_several_errors.cfg
[ $fail = 0 ] || { echo "valgrind.sh: FAIL: $fail of 5 runs" >&2; exit 1; }
echo "valgrind.sh: OK"
