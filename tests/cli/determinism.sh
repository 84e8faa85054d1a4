#!/bin/bash
# Reproducibility: the same scenario and seed give byte-identical summary.csv and dyads.csv for
# 1, 2, 3 and 4 threads, and a run.json that differs only in its run-environment fields
# (threads, wall_seconds, created). A different seed must change the results.
# Usage: determinism.sh /path/to/osq /path/to/repo
set -u
osq=$1
cd "$2" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for t in 1 2 3 4; do
  "$osq" run scenarios/baseline.cfg --trials 1500 --threads $t --out "$tmp/t$t" --quiet --format csv,json,md,tex \
    || { echo "FAIL: run with $t threads exited $?"; exit 1; }
done
strip() { grep -v -e '"wall_seconds"' -e '"created"' -e '"threads"' "$1"; }
for t in 2 3 4; do
  for f in summary.csv dyads.csv summary.md summary.tex; do
    n=$((n + 1))
    if ! cmp -s "$tmp/t1/$f" "$tmp/t$t/$f"; then echo "FAIL: $f differs between 1 and $t threads"; fail=$((fail + 1)); fi
  done
  n=$((n + 1))
  if ! diff -q <(strip "$tmp/t1/run.json") <(strip "$tmp/t$t/run.json") >/dev/null; then
    echo "FAIL: run.json differs between 1 and $t threads beyond threads/wall_seconds/created"; fail=$((fail + 1))
  fi
done
n=$((n + 1))
h1=$(grep '"verification_hash"' "$tmp/t1/run.json")
h4=$(grep '"verification_hash"' "$tmp/t4/run.json")
[ -n "$h1" ] && [ "$h1" = "$h4" ] || { echo "FAIL: verification hash differs: $h1 vs $h4"; fail=$((fail + 1)); }
"$osq" run scenarios/baseline.cfg --trials 1500 --threads 2 --seed 99 --out "$tmp/s99" --quiet --format csv
n=$((n + 1))
if cmp -s "$tmp/t1/summary.csv" "$tmp/s99/summary.csv"; then echo "FAIL: another seed gave the same summary"; fail=$((fail + 1)); fi
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
