#!/bin/bash
# Interruption: SIGINT or SIGTERM during `osq run` stops at the end of the waves of blocks
# already started, writes the completed trials' results marked partial (run.json "partial": true, with
# trials_done) and exits 130, with one line on stderr.
# Usage: interrupt.sh /path/to/osq /path/to/repo
set -u
osq=$1
cd "$2" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for sig in INT TERM; do
  # Far more trials than can finish before the signal; the result must hold whole waves.
  "$osq" run scenarios/baseline.cfg --trials 5000000 --threads 2 --out "$tmp/$sig" --quiet --format csv,json \
    2>"$tmp/$sig.err" &
  pid=$!
  sleep 3
  kill -s $sig $pid
  wait $pid
  rc=$?
  n=$((n + 1)); [ $rc = 130 ] || { echo "FAIL: SIG$sig: exit $rc, expected 130"; cat "$tmp/$sig.err"; fail=$((fail + 1)); continue; }
  n=$((n + 1)); grep -q '"partial": true' "$tmp/$sig/run.json" || { echo "FAIL: SIG$sig: run.json not marked partial"; fail=$((fail + 1)); }
  done_n=$(sed -n 's/.*"trials_done": \([0-9]*\).*/\1/p' "$tmp/$sig/run.json" | head -1)
  n=$((n + 1)); { [ -n "$done_n" ] && [ "$done_n" -gt 0 ] && [ "$done_n" -lt 5000000 ]; } || { echo "FAIL: SIG$sig: trials_done '$done_n'"; fail=$((fail + 1)); }
  n=$((n + 1)); [ $((done_n % 256)) = 0 ] || { echo "FAIL: SIG$sig: $done_n is not whole blocks of 256"; fail=$((fail + 1)); }
  rows_n=$(grep '^baseline,2019,flights,ALL,' "$tmp/$sig/summary.csv" | awk -F, '{print $NF}')
  n=$((n + 1)); [ "$rows_n" = "$done_n" ] || { echo "FAIL: SIG$sig: summary n $rows_n, trials_done $done_n"; fail=$((fail + 1)); }
  n=$((n + 1)); grep -q "^osq: interrupted: $done_n of 5000000 trials done" "$tmp/$sig.err" || { echo "FAIL: SIG$sig: message"; cat "$tmp/$sig.err"; fail=$((fail + 1)); }
  n=$((n + 1)); [ -z "$(ls -A "$tmp/$sig" | grep '\.tmp')" ] || { echo "FAIL: SIG$sig: temporary files left"; fail=$((fail + 1)); }
done
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
