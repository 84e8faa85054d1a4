#!/bin/bash
# Every input in tests/fuzz/regressions/ once made the scenario loader crash, leak, exit from
# inside libconfig, print on stdout or parse for seconds (found by tools/fuzz.sh or by hand; the
# file name says which). `osq check` must now accept or reject each one cleanly: exit 0 or 2 (2
# with an "osq: error:" line and nothing on stdout), never a signal (134, 139), a sanitizer's exit
# code or a hang. Each input is loaded as the fuzz harness loads it, from a directory that also
# holds treaty.cfg and inc/ (tests/bad/inc), so that its @include lines resolve the same way.
# Needs no clang: part of the normal test suite (under tools/sanitize.sh it also catches leaks).
# Usage: fuzz_regressions.sh /path/to/osq /path/to/repo
set -u
osq=$1
cd "$2" || exit 1
dir=$(mktemp -d "${TMPDIR:-/tmp}/osq_fuzzreg.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
cp scenarios/treaty.cfg "$dir/" && mkdir "$dir/inc" && cp tests/bad/inc/*.cfg "$dir/inc/" || exit 1
fail=0 n=0
for f in tests/fuzz/regressions/*; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  cp "$f" "$dir/fuzz.cfg"
  timeout 20 "$osq" check "$dir/fuzz.cfg" </dev/null >"$dir/out" 2>"$dir/err"
  rc=$?
  if [ $rc != 0 ] && [ $rc != 2 ]; then
    echo "FAIL $f: exit $rc (expected 0 or 2; 124 = timeout)"
    head -c 2000 "$dir/err"
    fail=$((fail + 1))
  elif [ $rc = 2 ] && ! grep -q '^osq: error: ' "$dir/err"; then
    echo "FAIL $f: exit 2 without an 'osq: error:' line (did a library print and exit?)"
    head -c 2000 "$dir/err"
    fail=$((fail + 1))
  elif [ $rc = 2 ] && [ -s "$dir/out" ]; then
    echo "FAIL $f: rejected, but printed on stdout:"
    head -c 200 "$dir/out"
    fail=$((fail + 1))
  fi
done
if [ $n = 0 ]; then echo "FAIL: no inputs in tests/fuzz/regressions/"; exit 1; fi
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
