#!/bin/bash
# Every shipped scenario passes `osq check` and runs (a few hundred trials, all output formats),
# writing its result files; multi-year scenarios also write their timeline charts; a shipped study
# file runs osq sensitivity at a small size. The return
# scenarios also pair with both_out in `osq compare`, and count Belarus under one holder.
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
  if [ "$name" = fitted ]; then      # the fitted defaults every shipped scenario includes: each must
    n=$((n + 1))                     # include it, or its results are the unfitted model's
    for g in scenarios/*.cfg; do
      case $(basename "$g") in treaty.cfg | fitted.cfg) continue ;; esac
      grep -q "^study = {" "$g" && continue   # a study file names scenarios, it is not one
      grep -q '^@include "fitted.cfg"' "$g" || { echo "FAIL: $g does not @include \"fitted.cfg\""; fail=$((fail + 1)); }
    done
    continue
  fi
  if grep -q '^study = {' "$f"; then # a study file (osq sensitivity): it runs, at a small size
    n=$((n + 1))
    if ! "$osq" sensitivity "$f" --points 2 --trials 16 --out "$tmp/$name" --quiet > "$tmp/$name.run" 2>&1; then
      echo "FAIL: osq sensitivity $f"; cat "$tmp/$name.run"; fail=$((fail + 1)); continue
    fi
    for out in uncertainty.csv sensitivity.csv points.csv; do
      n=$((n + 1))
      [ -s "$tmp/$name/$out" ] || { echo "FAIL: $f wrote no $out"; fail=$((fail + 1)); }
    done
    continue
  fi
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

# The return scenarios pair with both_out in `osq compare` (same years), and the parties each one
# runs never hold one state twice: Belarus under RUBY or BY, not both (docs/model.md 2.1.1).
n=$((n + 1))
if ! "$osq" compare scenarios/both_out.cfg scenarios/us_returns.cfg scenarios/ru_returns.cfg \
    scenarios/both_return.cfg --trials 200 --out "$tmp/compare_returns" --key > "$tmp/compare_returns.txt" 2>&1; then
  echo "FAIL: osq compare both_out with the return scenarios"; cat "$tmp/compare_returns.txt"; fail=$((fail + 1))
fi
# timeline_return is timeline extended to 2030 (README "A timeline with a return"): same seed, same
# settings, so its 2002-2025 rows are the timeline's, digit for digit (its first column, the
# scenario's name, apart).
n=$((n + 1))
if ! cmp -s <(awk -F, 'NR > 1 && $2 <= 2025 { $1 = ""; print }' "$tmp/timeline/summary.csv") \
            <(awk -F, 'NR > 1 && $2 <= 2025 { $1 = ""; print }' "$tmp/timeline_return/summary.csv"); then
  echo "FAIL: timeline_return's 2002-2025 differ from timeline's"; fail=$((fail + 1))
fi
# flights_over RUBY, per scenario: none in both_out and us_returns (no row, or 0: RUBY is not a
# party there), more than 10 in ru_returns and both_return.
for want in "both_out 0" "us_returns 0" "ru_returns 1" "both_return 1"; do
  set -- $want
  n=$((n + 1))
  mean=$(awk -F, -v s="$1" '$1 == s && $3 == "flights_over" && $4 == "RUBY" { print $5 }' \
    "$tmp/compare_returns/compare.csv" 2>/dev/null)
  [ -s "$tmp/compare_returns/compare.csv" ] || mean=missing
  if { [ "$2" = 0 ] && [ -n "$mean" ] && [ "$mean" != 0 ]; } ||
     { [ "$2" = 1 ] && ! awk -v m="${mean:-0}" 'BEGIN { exit !(m > 10) }'; }; then
    echo "FAIL: $1: flights over RUBY '$mean' (expected $([ "$2" = 0 ] && echo none || echo 'more than 10'))"; fail=$((fail + 1))
  fi
done
# A party the reference (both_out) lacks counts as zero there: a return shows its whole value as the
# difference (compare.csv columns 5 mean, 8 diff).
for sc in ru_returns both_return; do
  n=$((n + 1))
  awk -F, -v s=$sc '$1 == s && $3 == "flights_over" && $4 == "RUBY" { found = 1; ok = $5 > 10 && $5 == $8 }
                    END { exit !(found && ok) }' "$tmp/compare_returns/compare.csv" 2>/dev/null ||
    { echo "FAIL: $sc: flights over RUBY: the difference to both_out is not its mean"; fail=$((fail + 1)); }
done
for f in ru_returns both_return timeline_return; do
  n=$((n + 1))
  date=2022-06-01; [ $f = timeline_return ] && date=2028-06-01
  holders=$("$osq" parties "scenarios/$f.cfg" --date $date | awk '$1 == "RUBY" || $1 == "BY" { print $1 }' | tr '\n' ' ')
  [ "$holders" = "RUBY " ] || { echo "FAIL: $f on $date: Belarus under '$holders' (expected RUBY alone)"; fail=$((fail + 1)); }
done
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
