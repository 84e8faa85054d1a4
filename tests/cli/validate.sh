#!/bin/bash
# osq validate: the shipped history against the timeline (the tally on stdout, the three files,
# byte-identical on 1 and 2 threads), and bad history files refused with exit 2, one FILE:LINE
# message per problem and nothing written.
# Usage: validate.sh /path/to/osq /path/to/repo
set -u
osq=$1
cd "$2" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fail=$((fail + 1)); }

for t in 1 2; do
  "$osq" validate scenarios/timeline.cfg --history data/history.csv --trials 300 --threads $t --out "$tmp/v$t" \
    > "$tmp/out$t" 2>&1 || bad "validate on $t threads exited $?"
done
grep -qE '^[0-9]+ of [0-9]+ figures within tolerance' "$tmp/out1" && ok || { bad "no tally line"; cat "$tmp/out1"; }
for f in validation.csv validation.md validation.png; do
  [ -s "$tmp/v1/$f" ] && cmp -s "$tmp/v1/$f" "$tmp/v2/$f" && ok || bad "$f missing or different on 1 and 2 threads"
done
rows=$(($(wc -l < data/history.csv) - 1))
[ "$(($(wc -l < "$tmp/v1/validation.csv") - 1))" = "$rows" ] && ok || bad "validation.csv lacks rows of the history"
head -1 "$tmp/v1/validation.csv" | grep -qx \
  'id,period,quantity,party,history,kind,tolerance,model_mean,model_ci95_lo,model_ci95_hi,model_p05,model_p95,within,source' \
  && ok || bad "validation.csv header"
# A scenario that starts in 2019 skips the earlier figures and counts them.
"$osq" validate scenarios/baseline.cfg --trials 100 --out "$tmp/b" > "$tmp/outb" 2>&1
grep -qE 'within tolerance \([1-9][0-9]* outside the simulated years skipped\)' "$tmp/outb" && ok ||
  { bad "baseline: skipped figures not counted"; cat "$tmp/outb"; }
grep -q ',skipped,' "$tmp/b/validation.csv" && ok || bad "baseline: no skipped row in validation.csv"

# Bad history files: each line below is "expected message" then the file's data lines.
hdr='id,period,quantity,observer,observed,value,kind,tolerance,tolerance_reason,use,source,note'
refuse() { # name expected-stderr lines...
  local name=$1 want=$2; shift 2
  printf '%s\n' "$hdr" "$@" > "$tmp/$name.csv"
  local out err rc
  out=$("$osq" validate tests/bad/ok_mini.cfg --history "$tmp/$name.csv" --out "$tmp/o_$name" 2>"$tmp/err"); rc=$?
  err=$(cat "$tmp/err")
  want=${want//FILE/$tmp/$name.csv}
  if [ $rc = 2 ] && [ -z "$out" ] && [ "$err" = "$want" ] && [ ! -e "$tmp/o_$name" ]; then ok
  else bad "$name: exit $rc, stderr: $err"; fi
}
refuse unknown_quantity "osq: error: FILE:2: quantity \"flight\" is unknown (expected one of docs/history.md: flights, flights_over, flights_by, dyad, planned, cumulative_flights, ...)" \
  'a,2019,flight,,,3,exact,0,r,fit,s,n'
refuse unknown_party "osq: error: FILE:2: observed \"XX\" is not a quota holder of the treaty (expected a code such as US, RUBY, DE)" \
  'a,2019,flights_over,,XX,3,exact,0,r,fit,s,n'
refuse year_out_of_range "osq: error: FILE:2: period \"1999\" has a year out of range (expected 2002 to 2100)" \
  'a,1999,flights,,,3,exact,0,r,fit,s,n'
refuse duplicate_id "osq: error: FILE:3: id \"a\" is used twice (first on line 2)" \
  'a,2019,flights,,,3,exact,0,r,fit,s,n' 'a,2019,flights,,,4,exact,0,r,fit,s,n'
refuse not_a_number "osq: error: FILE:2: value \"about 3\" is not a number >= 0" \
  'a,2019,flights,,,about 3,exact,0,r,fit,s,n'
refuse bad_kind_and_tolerance "osq: error: FILE:2: kind \"roughly\" is unknown (expected exact, at_least, at_most, approximate or planned)
osq: error: FILE:2: tolerance \"x%\" is not a number >= 0 or a percentage" \
  'a,2019,flights,,,3,roughly,x%,r,fit,s,n'
refuse party_missing "osq: error: FILE:2: observer is empty (dyad needs a party)" \
  'a,2019,dyad,,US,3,exact,0,r,fit,s,n'
refuse wrong_field_count "osq: error: FILE:2: has 3 fields (expected 12: $hdr)" 'a,2019,flights'
refuse open_quote "osq: error: FILE:2: a quoted field is never closed" 'a,2019,flights,,,3,exact,0,"r,fit,s,n'
refuse bad_period "osq: error: FILE:2: period \"2019-20\" is not a period (expected YYYY, YYYY-YYYY or YYYY-MM-DD..YYYY-MM-DD)" \
  'a,2019-20,flights,,,3,exact,0,r,fit,s,n'
# A header of another file.
printf 'id,period,value\n' > "$tmp/hdr.csv"
"$osq" validate tests/bad/ok_mini.cfg --history "$tmp/hdr.csv" --out "$tmp/o_hdr" 2>"$tmp/err" >/dev/null
[ $? = 2 ] && grep -q "^osq: error: $tmp/hdr.csv:1: the header is not the history's" "$tmp/err" && ok || bad "wrong header"
"$osq" validate tests/bad/ok_mini.cfg --history "$tmp/none.csv" 2>"$tmp/err" >/dev/null
[ $? = 2 ] && grep -q "cannot read the history: No such file or directory" "$tmp/err" && ok || bad "missing history"

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
