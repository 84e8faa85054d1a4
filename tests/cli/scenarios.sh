#!/bin/bash
# Every shipped scenario passes `osq check` and runs (a few hundred trials, all output formats),
# writing its result files; multi-year scenarios also write their timeline charts.
# Usage: scenarios.sh /path/to/osq /path/to/repo
set -u
osq=$1
cd "$2" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for f in scenarios/*.cfg; do
  name=$(basename "$f" .cfg)
  [ "$name" = treaty ] && continue   # the data file every scenario includes, not a scenario
  n=$((n + 1))
  if ! "$osq" check "$f" > "$tmp/$name.check" 2>&1; then
    echo "FAIL: osq check $f"; cat "$tmp/$name.check"; fail=$((fail + 1)); continue
  fi
  n=$((n + 1))
  if ! "$osq" run "$f" --trials 200 --out "$tmp/$name" --quiet --format csv,json,md,tex > "$tmp/$name.run" 2>&1; then
    echo "FAIL: osq run $f"; cat "$tmp/$name.run"; fail=$((fail + 1)); continue
  fi
  for out in summary.csv dyads.csv run.json summary.md summary.tex map.png map.csv; do
    n=$((n + 1))
    [ -s "$tmp/$name/$out" ] || { echo "FAIL: $f wrote no $out"; fail=$((fail + 1)); }
  done
  if grep -q 'last_year' "$f" && [ "$(sed -n 's/^ *first_year *= *\([0-9]*\).*/\1/p' "$f")" != "$(sed -n 's/^ *last_year *= *\([0-9]*\).*/\1/p' "$f")" ]; then
    n=$((n + 1))
    [ -s "$tmp/$name/timeline_flights.png" ] || { echo "FAIL: $f (several years) wrote no timeline chart"; fail=$((fail + 1)); }
  fi
done
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
