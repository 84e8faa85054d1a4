#!/bin/bash
# osq calibrate: parameter recovery (targets made by the model itself at known parameters, with
# another seed, are fitted back from the built-in defaults within 0.03), the same command writing
# the same files byte for byte on 1 and 2 threads, fitted.cfg included by a scenario giving the
# fitted values, and bad keys refused with exit 2.
# Usage: calibrate.sh /path/to/osq /path/to/repo
set -u
osq=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
repo=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
cp "$repo/scenarios/treaty.cfg" .
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fail=$((fail + 1)); }

cat > truth.cfg <<'EOF'
@include "treaty.cfg"
simulation = { trials = 400; seed = 11; first_year = 2019; };
geo = { enabled = false; };
model = { demand = 0.6; share_prob = 0.25; };
EOF
cat > start.cfg <<'EOF'
@include "treaty.cfg"
simulation = { trials = 400; seed = 12; first_year = 2019; };
geo = { enabled = false; };
EOF
cat > t.csv <<'EOF'
id,period,quantity,observer,observed,value,kind,tolerance,tolerance_reason,use,source,note
flights,2019,flights,,,0,approximate,0,r,fit,s,n
slots,2019,planned_slots,,,0,approximate,0,r,fit,s,n
planned,2019,planned,,,0,approximate,0,r,fit,s,n
us,2019,flights_by,US,,0,approximate,0,r,fit,s,n
over_ruby,2019,flights_over,,RUBY,0,approximate,0,r,fit,s,n
kept_out,2019,flights,,,1000,exact,0,r,check,s,n
EOF
"$osq" validate truth.cfg --history t.csv --out v --quiet || bad "validate at the truth"
# The targets: the model's means at the truth (column 8 of validation.csv) as recorded values.
awk -F, 'NR == FNR { if (FNR > 1) m[$1] = $8; next } FNR == 1 { print; next } { OFS = ","; $6 = m[$1]; print }' \
  v/validation.csv t.csv > targets.csv
for t in 1 2; do
  "$osq" calibrate start.cfg --targets targets.csv --free model.demand,model.share_prob --threads $t \
    --max-evals 100 --out c$t > out$t 2>&1 || { bad "calibrate on $t threads exited $?"; cat out$t; }
done
grep -q '^5 targets (1 rows of the file kept out' out1 && ok || { bad "targets not counted"; cat out1; }
for f in fit.csv params.csv; do
  cmp -s "c1/$f" "c2/$f" && ok || bad "$f differs between 1 and 2 threads"
done
# fitted.cfg names the command that wrote it (--threads, --out differ): the rest is the same.
diff <(grep -v 'osq calibrate' c1/fitted.cfg) <(grep -v 'osq calibrate' c2/fitted.cfg) > /dev/null && ok ||
  bad "fitted.cfg differs between 1 and 2 threads"
# model.demand,0.45...,FITTED,...: within 0.03 of the truth
awk -F, '$1 == "model.demand" { d = $3 - 0.6; exit (d < -0.03 || d > 0.03) }' c1/params.csv && ok ||
  { bad "demand not recovered"; cat c1/params.csv; }
awk -F, '$1 == "model.share_prob" { d = $3 - 0.25; exit (d < -0.03 || d > 0.03) }' c1/params.csv && ok ||
  { bad "share_prob not recovered"; cat c1/params.csv; }
# fitted.cfg as an include: the scenario then runs with the fitted values.
cp c1/fitted.cfg .
printf '@include "treaty.cfg"\n@include "fitted.cfg"\nsimulation = { trials = 10; };\n' > with_fit.cfg
fitted=$(awk -F, '$1 == "model.demand" { printf "%.6g", $3 }' c1/params.csv)
"$osq" check with_fit.cfg | grep -qE "^  model.demand +$fitted " && ok || bad "fitted.cfg not applied (demand $fitted)"
# The same command, again: the same bytes (the fit starts from the built-in defaults, not from an
# included fitted.cfg).
printf '@include "treaty.cfg"\n@include "fitted.cfg"\nsimulation = { trials = 400; seed = 12; first_year = 2019; };\ngeo = { enabled = false; };\n' > start2.cfg
"$osq" calibrate start2.cfg --targets targets.csv --free model.demand,model.share_prob --max-evals 100 --out c3 \
  --quiet || bad "calibrate with fitted.cfg included"
diff <(sed 1,5d c1/fitted.cfg | grep -v source) <(sed 1,5d c3/fitted.cfg | grep -v source) > /dev/null && ok ||
  bad "an included fitted.cfg changed the fit"

refuse() { # expected-stderr args...
  local want=$1; shift
  "$osq" calibrate "$@" > o 2> e
  local rc=$?
  [ $rc = 2 ] && [ "$(cat e)" = "$want" ] && [ ! -s o ] && ok || { bad "calibrate $*: exit $rc"; cat e; }
}
refuse "osq: error: model.demnd is not a numeric scenario key (expected a number of osq --help-scenario such as model.demand, model.parties.US.completion or treaty.parties.SE.passive_quota)" \
  start.cfg --targets targets.csv --free model.demnd --out x1
refuse "osq: error: --free: 'model.demand=0.5:0.2' is not KEY=LO:HI with LO < HI (see osq --help)" \
  start.cfg --targets targets.csv --free model.demand=0.5:0.2 --out x2
refuse "osq: error: calibrate needs --targets FILE (a history file: its use = fit rows) (see osq --help)" \
  start.cfg --free model.demand --out x3
[ ! -e x1 ] && [ ! -e x2 ] && [ ! -e x3 ] && ok || bad "a refused calibration wrote files"

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
