#!/bin/bash
# Every command accepts an option's value as `--name value` and as `--name=value` (getopt_long's
# convention), with the same result; `--help` works after every command; a flag given a value and a
# value option without one are refused with exit 2 and one message.
# Usage: options.sh /path/to/osq /path/to/repo
set -u
osq=$1
cd "$2" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fail=$((fail + 1)); }
cfg=tests/bad/ok_mini.cfg

# run: both forms give the same files
"$osq" run $cfg --trials 40 --seed 3 --threads 1 --format csv --out "$tmp/r1" --quiet --force || bad "run, spaced form"
"$osq" run $cfg --trials=40 --seed=3 --threads=1 --format=csv --out="$tmp/r2" --quiet --force || bad "run, = form"
if cmp -s "$tmp/r1/summary.csv" "$tmp/r2/summary.csv" && cmp -s "$tmp/r1/dyads.csv" "$tmp/r2/dyads.csv"; then ok
else bad "run: --x v and --x=v gave different files"; fi
"$osq" run $cfg --trials=40 --seed=4 --threads=1 --format=csv --out="$tmp/r3" --quiet --force
if cmp -s "$tmp/r1/summary.csv" "$tmp/r3/summary.csv"; then bad "run: --seed=4 was not read"; else ok; fi

# compare: both forms, and --seed (which changes the common streams)
"$osq" compare $cfg $cfg --trials 30 --seed 5 --out "$tmp/c1" --quiet --force || bad "compare, spaced form"
"$osq" compare $cfg $cfg --trials=30 --seed=5 --out="$tmp/c2" --quiet --force || bad "compare, = form"
if cmp -s "$tmp/c1/compare.csv" "$tmp/c2/compare.csv"; then ok; else bad "compare: --x v and --x=v gave different files"; fi
"$osq" compare $cfg $cfg --trials=30 --seed=6 --out="$tmp/c3" --quiet --force
if cmp -s "$tmp/c1/compare.csv" "$tmp/c3/compare.csv"; then bad "compare: --seed was not read"; else ok; fi
[ -z "$("$osq" compare $cfg $cfg --trials 30 --out "$tmp/c4" --quiet --force)" ] && ok || bad "compare --quiet printed"

# parties
a=$("$osq" parties $cfg --date 2019-06-01) || bad "parties, spaced form"
b=$("$osq" parties $cfg --date=2019-06-01) || bad "parties, = form"
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "parties: --date v and --date=v differ"

# bench: both forms, same hash
h1=$("$osq" bench bench/small.cfg --threads 1 --trials 64 --repeat 1 | sed -n 's/^bench: .*hash=\([0-9a-f]*\).*/\1/p')
h2=$("$osq" bench bench/small.cfg --threads=1 --trials=64 --repeat=1 | sed -n 's/^bench: .*hash=\([0-9a-f]*\).*/\1/p')
[ -n "$h1" ] && [ "$h1" = "$h2" ] && ok || bad "bench: --x v and --x=v differ ($h1 / $h2)"

# sensitivity: both forms give the same files, and --seed is read
printf 'study = { scenarios = [ "%s/%s" ]; };\ninputs = ( { key = "model.demand"; dist = "uniform"; min = 0.3; max = 0.6; reason = "r"; } );\noutputs = ( { name = "f"; metric = "flights"; } );\n' \
  "$PWD" "$cfg" > "$tmp/s.cfg"
"$osq" sensitivity "$tmp/s.cfg" --method sobol --points 2 --trials 20 --seed 3 --threads 1 --out "$tmp/s1" --quiet ||
  bad "sensitivity, spaced form"
"$osq" sensitivity "$tmp/s.cfg" --method=sobol --points=2 --trials=20 --seed=3 --threads=1 --out="$tmp/s2" --quiet ||
  bad "sensitivity, = form"
cmp -s "$tmp/s1/points.csv" "$tmp/s2/points.csv" && cmp -s "$tmp/s1/sensitivity.csv" "$tmp/s2/sensitivity.csv" && ok ||
  bad "sensitivity: --x v and --x=v gave different files"
"$osq" sensitivity "$tmp/s.cfg" --method=sobol --points=2 --trials=20 --seed=4 --threads=1 --out="$tmp/s3" --quiet
cmp -s "$tmp/s1/points.csv" "$tmp/s3/points.csv" && bad "sensitivity: --seed=4 was not read" || ok

# --help after every command: the help on stdout, exit 0
for c in run compare parties check sensitivity; do
  out=$("$osq" $c --help 2>&1) && echo "$out" | grep -q '^Usage:' && ok || bad "$c --help"
done
"$osq" bench --help | grep -q '^Usage: osq bench' && ok || bad "bench --help"

# refusals: exit 2, one line, nothing on stdout
refuse() { # expected-message args...
  local want=$1; shift
  local out err rc
  out=$("$osq" "$@" 2>"$tmp/err"); rc=$?
  err=$(cat "$tmp/err")
  if [ $rc = 2 ] && [ -z "$out" ] && [ "$err" = "$want" ]; then ok; else bad "osq $*: exit $rc, stderr '$err'"; fi
}
refuse "osq: error: option '--force=yes' takes no value (see osq --help)" run $cfg --force=yes
refuse "osq: error: option --trials needs a value (see osq --help)" run $cfg --trials
refuse "osq: error: --trials 'x' is not an integer in [1, 2^40] (see osq --help)" compare $cfg $cfg --trials=x
refuse "osq: error: --seed '-1' is not an integer in [0, 2^63-1] (see osq --help)" compare $cfg $cfg --seed=-1
refuse "osq: error: unknown option '--dates=2019-01-01' for parties (see osq --help)" parties $cfg --dates=2019-01-01
refuse "osq: error: option '--json=1' takes no value (see osq bench --help)" bench bench/small.cfg --json=1
refuse "osq: error: --method 'sobel' is not a method (expected sobol or morris) (see osq --help)" sensitivity x.cfg --method=sobel

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
