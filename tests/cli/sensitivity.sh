#!/bin/bash
# osq sensitivity: a small study of two shipped scenarios (3 inputs, 5 outputs) writes the same
# files byte for byte on 1 and 2 threads; its central point is `osq compare`'s (same trials, seed
# and blocks: the same bits), and a point is `osq run` of its scenario with the point's values (a
# swath, a no-fly distance that rebuilds the world, a demand: the same bits); an interruption
# (OSQ_STOP_AFTER_BLOCKS within a point and between points, repeated; a real SIGINT) exits 130 with
# partial results and a checkpoint, and --resume on other thread counts ends with the uninterrupted
# study's files; a checkpoint of another study, seed, trial count or method, or a corrupt one, is
# refused with exit 2 and the directory untouched; Morris writes its own columns; bad study files
# (unknown setting, unknown or non-numeric key, empty range, min > max, unknown output) exit 2 with
# FILE:LINE messages and write nothing; a study the memory cannot hold is refused before it runs.
# Usage: sensitivity.sh /path/to/osq /path/to/repo
set -u
osq=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
repo=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
cp "$repo"/scenarios/treaty.cfg "$repo"/scenarios/baseline.cfg "$repo"/scenarios/us_out.cfg .
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fail=$((fail + 1)); }

# 4 base rows of 3 inputs: 21 points x 2 scenarios x 64 trials, blocks of 8 (8 a point), geography
# on every 10th trial (the scenarios' share).
cat > s.cfg <<'EOF'
study = {
  scenarios = [ "baseline.cfg", "us_out.cfg" ];
  points = 4;
  trials = 64;
};
inputs = (
  { key = "geo.swath_half_km"; dist = "uniform"; min = 3.85; max = 50.0; reason = "7.7 km measured; 50 km cap"; },
  { key = "model.demand"; dist = "triangular"; min = 0.35; mode = 0.45; max = 0.55; reason = "fit"; },
  { key = "treaty.parties.SE.passive_quota"; dist = "uniform"; min = 4; max = 12; reason = "estimate" ; }
);
outputs = (
  { name = "flights_us"; metric = "flights"; scenario = "us_out"; minus = "baseline"; },
  { name = "flights"; metric = "flights"; },
  { name = "over_us"; metric = "flights_over"; party = "US"; scenario = "us_out"; minus = "baseline"; },
  { name = "coverage_ruby"; metric = "coverage"; party = "RUBY"; scenario = "us_out"; minus = "baseline"; },
  { name = "dyads"; metric = "dyads"; scenario = "us_out"; }
);
output = { dir = "default"; formats = [ "csv", "md", "tex" ]; };
EOF
run() { "$osq" sensitivity s.cfg --quiet "$@"; }
stop() { OSQ_STOP_AFTER_BLOCKS=$1 "$osq" sensitivity s.cfg --quiet "${@:2}"; }
files="uncertainty.csv sensitivity.csv points.csv sensitivity.md sensitivity.tex tornado_flights_us.png
  tornado_flights.png tornado_over_us.png tornado_coverage_ruby.png tornado_dyads.png"
same() { # REF DIR LABEL: the same files, byte for byte, and no checkpoint left
  for f in $files; do cmp -s "$1/$f" "$2/$f" && ok || bad "$3: $f differs"; done
  [ "$(ls "$1" | sort)" = "$(ls "$2" | sort)" ] && ok || bad "$3: other files: $(ls "$2" | tr '\n' ' ')"
}

# 1. The same files on 1 and 2 threads.
run --threads 2 --out ref || { echo "FAIL: the reference study exited $?"; exit 1; }
run --threads 1 --out t1 || bad "1 thread exited $?"
same ref t1 "1 vs 2 threads"
[ "$(wc -l < ref/points.csv)" = 22 ] && ok || bad "points.csv has $(wc -l < ref/points.csv) lines, expected 1 + 21"
[ "$(head -1 ref/uncertainty.csv)" = "output,mean,p05,p50,p95,mc_ci95_lo,mc_ci95_hi,points,trials" ] && ok ||
  bad "uncertainty.csv header: $(head -1 ref/uncertainty.csv)"
[ "$(head -1 ref/sensitivity.csv)" = "output,input,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi" ] && ok ||
  bad "sensitivity.csv header: $(head -1 ref/sensitivity.csv)"
# the swath does not move a flight count (geography draws from its own stream): its indices are 0
awk -F, '$1 == "flights_us" && $2 == "geo.swath_half_km" { exit !($3 == 0 && $6 == 0) }' ref/sensitivity.csv && ok ||
  bad "the swath moves flights: $(grep swath ref/sensitivity.csv | head -1)"
for f in ref/tornado_*.png; do [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = "211PNG" ] && ok || bad "$f is no PNG"; done

# 2. The central point is osq compare's: same trials, seed and blocks give the same bits.
"$osq" compare baseline.cfg us_out.cfg --trials 64 --out cmp --quiet --format csv || bad "compare exited $?"
sed 's/trials = 64;/trials = 64; block_size = 64;/' s.cfg > s64.cfg
"$osq" sensitivity s64.cfg --quiet --points 2 --out c64 || bad "the study of one block exited $?"
want=$(awk -F, '$1 == "us_out" && $3 == "flights" && $4 == "ALL" { print $8 }' cmp/compare.csv)
got=$(awk -F, '$1 == 0 { print $8 }' c64/points.csv)
[ -n "$want" ] && [ "$want" = "$got" ] && ok || bad "central flights_us $got, osq compare's difference $want"

# 3. Interrupted (within a point on 1 thread: waves of 4 blocks, 8 a point; then between points on
#    2 threads), resumed on other thread counts, interrupted again, finished.
stop 34 --threads 1 --out a 2> a.err; rc=$?
[ $rc = 130 ] && [ -s a/study_checkpoint.osq ] && ok || bad "within a point: exit $rc, checkpoint $(ls a)"
grep -q 'partial' a/sensitivity.md && ok || bad "the partial study's tables do not say so"
[ "$(wc -l < a/points.csv)" = 5 ] && ok || bad "4 points were done, points.csv has $(($(wc -l < a/points.csv) - 1))"
grep -q -- "--resume a\$" a.err && ok || bad "the message does not say how to resume: $(cat a.err)"
stop 100 --threads 2 --resume a 2>/dev/null; rc=$?
[ $rc = 130 ] && ok || bad "second interruption: exit $rc"
[ "$(wc -l < a/points.csv)" = 14 ] && ok || bad "13 points were done, points.csv has $(($(wc -l < a/points.csv) - 1))"
run --threads 2 --resume a || bad "resume exited $?"
same ref a "interrupted twice"
stop 40 --threads 2 --out b 2>/dev/null; rc=$?
[ $rc = 130 ] && [ "$(wc -l < b/points.csv)" = 6 ] && ok || bad "between points: exit $rc, $(wc -l < b/points.csv) lines"
run --threads 1 --resume b || bad "resume b exited $?"
same ref b "interrupted between points"

# A real SIGINT stops it with partial results; resumed on 1 thread it ends with the uninterrupted
# study's files. The study must outlast the one-second sleep by a wide margin on any machine: 96
# base rows take about 5.5 s on 2 threads of the 2-core VM (48 rows took 2.8 s: too close).
run --threads 2 --points 96 --out sref || bad "the 96-row study exited $?"
"$osq" sensitivity s.cfg --quiet --threads 2 --points 96 --out sig 2>/dev/null &
pid=$!
sleep 1
kill -INT $pid || bad "SIGINT: the study had ended before the signal (make it longer)"
wait $pid; rc=$?
[ $rc = 130 ] && [ -s sig/study_checkpoint.osq ] && ok || bad "SIGINT: exit $rc, $(ls sig 2>&1 | tr '\n' ' ')"
run --threads 1 --resume sig || bad "resume after SIGINT exited $?"
same sref sig "SIGINT"

# 4. Refusals: exit 2, one message, the directory untouched.
stop 20 --threads 2 --out c 2>/dev/null
refused() { # LABEL MESSAGE-PART CMD...
  local label=$1 want=$2
  shift 2
  rm -rf c.before && cp -a c c.before
  "$@" > out 2> err
  local rc=$?
  [ $rc = 2 ] && [ "$(wc -l < err)" = 1 ] && grep -q -- "^osq: error: .*$want" err && ok ||
    bad "$label: exit $rc: $(cat err)"
  [ ! -s out ] && diff -r c.before c > /dev/null && ok || bad "$label: wrote something"
}
refused "other seed" "c/study_checkpoint.osq: belongs to a study with seed 20190101, not 5" run --resume c --seed 5
refused "other trials" "belongs to a study of 64 trials a point, not 32" run --resume c --trials 32
refused "other method" "belongs to a sobol study of 4 base rows, not a morris study" run --resume c --method morris
sed 's/reason = "fit"/reason = "fitted"/' s.cfg > s2.cfg
refused "other study" "belongs to another study" "$osq" sensitivity s2.cfg --quiet --resume c
refused "fresh study over it" "holds an interrupted study" run --out c
refused "results there" "" run --out ref
cp c/study_checkpoint.osq good.osq
printf '\x55' | dd of=c/study_checkpoint.osq bs=1 seek=60 conv=notrunc status=none
cmp -s c/study_checkpoint.osq good.osq && printf '\xaa' | dd of=c/study_checkpoint.osq bs=1 seek=60 conv=notrunc status=none
refused "corrupt" "corrupt study checkpoint: checksum mismatch" run --resume c
cp good.osq c/study_checkpoint.osq
run --resume c || bad "resume c exited $?"
same ref c "after the refusals"

# 5. Morris: its own columns, mu* of the swath on flights 0.
run --method morris --points 3 --out m || bad "morris exited $?"
[ "$(head -1 m/sensitivity.csv)" = "output,input,mu_star,sigma" ] && ok || bad "morris header $(head -1 m/sensitivity.csv)"
[ "$(wc -l < m/points.csv)" = 14 ] && ok || bad "morris: 1 + 3 x 4 points expected, $(wc -l < m/points.csv) lines"
awk -F, '$1 == "flights" && $2 == "geo.swath_half_km" { exit !($3 == 0) }' m/sensitivity.csv && ok ||
  bad "morris: the swath moves flights"

# 6. A point is osq run of its scenario with its values: the same bits, over the same trials, seed,
#    blocks and geography trials. The swath changes only how flights are imaged (the point flies
#    over a view of the scenario's world); the no-fly distance changes the world (a world of its
#    own, and workspaces of their own); the demand changes the quota model.
cat > p.cfg <<'EOF'
study = { scenarios = [ "baseline.cfg" ]; points = 2; trials = 40; block_size = 8; };
inputs = (
  { key = "geo.swath_half_km"; dist = "uniform"; min = 3.85; max = 50.0; reason = "r"; },
  { key = "geo.nofly_km"; dist = "uniform"; min = 0.0; max = 50.0; reason = "r"; },
  { key = "model.demand"; dist = "uniform"; min = 0.35; max = 0.55; reason = "r"; }
);
outputs = ( { name = "cov"; metric = "coverage"; party = "RUBY"; }, { name = "f"; metric = "flights"; } );
EOF
"$osq" sensitivity p.cfg --quiet --threads 2 --out p || bad "the study of points exited $?"
for point in 0 1 4 7; do
  IFS=, read -r _ _ kind _ swath nofly demand cov flights < <(awk -F, -v p=$point '$1 == p' p/points.csv)
  sed -e 's/trials = 10000;/trials = 40;/' -e 's/block_size = 256;/block_size = 8;/' \
    -e "s/^  trials = 1000;/  trials = 4; swath_half_km = $swath; nofly_km = $nofly;/" baseline.cfg > q.cfg
  printf 'model = { demand = %s; };\n' "$demand" >> q.cfg
  "$osq" run q.cfg --quiet --threads 1 --out q$point --format csv || bad "osq run of point $point exited $?"
  want_cov=$(awk -F, '$2 == 2019 && $3 == "coverage" && $4 == "RUBY" { print $5 }' q$point/summary.csv)
  want_f=$(awk -F, '$2 == 2019 && $3 == "flights" && $4 == "ALL" { print $5 }' q$point/summary.csv)
  [ "$cov" = "$want_cov" ] && [ "$flights" = "$want_f" ] && ok ||
    bad "point $point ($kind: swath $swath, nofly $nofly, demand $demand): coverage $cov and flights $flights, osq run $want_cov and $want_f"
done

# 7. Bad study files: exit 2, FILE:LINE, nothing written.
bad_study() { # LABEL EXPECTED-STDERR (sed script on s.cfg)
  local label=$1 want=$2
  sed "$3" s.cfg > bad.cfg
  "$osq" sensitivity bad.cfg --out badout > out 2> err
  local rc=$?
  [ $rc = 2 ] && [ "$(cat err)" = "$want" ] && [ ! -s out ] && [ ! -e badout ] && ok ||
    { bad "$label: exit $rc"; diff <(echo "$want") err; }
}
bad_study "unknown setting" \
  "osq: error: bad.cfg:4: unknown setting 'study.trails' (expected one of: name, scenarios, method, points, trials, geo_trials, seed, block_size, bootstrap, levels, threads)" \
  's/trials = 64;/trails = 64;/'
bad_study "unknown key" \
  "osq: error: bad.cfg:8: inputs[1].key: model.demnd is not a numeric scenario key (expected a number of osq --help-scenario such as model.demand, model.parties.US.completion or treaty.parties.SE.passive_quota)" \
  's/"model.demand"/"model.demnd"/'
bad_study "non-numeric key" \
  "osq: error: bad.cfg:7: inputs[0].key: geo.enabled is not a numeric scenario key (expected a number of osq --help-scenario such as model.demand, model.parties.US.completion or treaty.parties.SE.passive_quota)" \
  's/"geo.swath_half_km"/"geo.enabled"/'
bad_study "empty range" \
  "osq: error: bad.cfg:7: inputs[0]: the range [50, 50] is empty (expected min < max: an input that cannot vary is no uncertainty)" \
  's/min = 3.85;/min = 50.0;/'
bad_study "min > max" \
  "osq: error: bad.cfg:9: inputs[2]: min = 12 is above max = 4 (expected min < max)" \
  's/min = 4; max = 12;/min = 12; max = 4;/'
bad_study "unknown metric" \
  "osq: error: bad.cfg:13: outputs[1].metric = \"flight\" is not a metric (expected one of flights, flights_active, flights_over, flights_by, dyads, dyad_density, plans_agreed, coverage, coverage_fixed, sites_observed, revisit_days, buildup_detect, imagery_own, imagery_access)" \
  's/name = "flights"; metric = "flights";/name = "flights"; metric = "flight";/'
bad_study "unknown scenario" \
  "osq: error: bad.cfg:14: outputs[2].scenario = \"us\" is not a scenario of the study (expected one of \"baseline\", \"us_out\")" \
  's/party = "US"; scenario = "us_out"/party = "US"; scenario = "us"/'
bad_study "no such row" \
  "osq: error: bad.cfg:16: outputs[4]: \"us_out\" has no row dyads US in 2021 (expected a party in force that year, and geography for a coverage metric)" \
  's/metric = "dyads"; scenario/metric = "dyads"; party = "US"; scenario/'
bad_study "integer key, fractional range" \
  "osq: error: bad.cfg:9: inputs[2]: the key is an integer (expected a uniform distribution between whole numbers, or discrete whole values)" \
  's/min = 4; max = 12;/min = 4.5; max = 12;/'
printf 'study = { scenarios = [ "baseline.cfg" ]; };\ninputs = ( { key = "model.demand"; dist = "uniform"; min = 0; max = 2; reason = "r"; } );\noutputs = ( { name = "f"; metric = "flights"; } );\n' > range.cfg
"$osq" sensitivity range.cfg --out badout > out 2> err; rc=$?
[ $rc = 2 ] && grep -q "^osq: error: range.cfg:2: inputs\[0\]: the range \[0, 2\] leaves the key's \[0, 1\]" err &&
  [ ! -e badout ] && ok || bad "a range beyond the key's: exit $rc: $(cat err)"
printf 'study = { scenarios = [ "nope.cfg" ]; };\ninputs = ( { key = "model.demand"; dist = "uniform"; min = 0; max = 1; reason = "r"; } );\noutputs = ( { name = "f"; metric = "flights"; } );\n' > missing.cfg
"$osq" sensitivity missing.cfg --out badout > out 2> err; rc=$?
[ $rc = 2 ] && grep -q '^osq: error: missing.cfg:1: study.scenarios\[0\] = "nope.cfg" cannot be read' err && [ ! -e badout ] &&
  ok || bad "a missing scenario: exit $rc: $(cat err)"

# 8. The memory check comes before anything is run or written: exit 3, the study's needs named.
OSQ_MEMORY_LIMIT_MIB=16 "$osq" sensitivity s.cfg --threads 2 --out memout > out 2> err; rc=$?
[ $rc = 3 ] && grep -q "^osq: error: baseline.cfg: osq sensitivity of 2 scenarios needs about [0-9.]* [MG]iB of memory (.*) but the machine has 16 MiB available (OSQ_MEMORY_LIMIT_MIB); nothing was run" err &&
  [ ! -s out ] && [ ! -e memout ] && ok || bad "the memory check: exit $rc: $(cat err)"

[ -z "$(find . -name '.*.tmp.*')" ] && ok || bad "temporary files left: $(find . -name '.*.tmp.*')"
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
