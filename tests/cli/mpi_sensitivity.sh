#!/bin/bash
# MPI and osq sensitivity: a small study under mpiexec with 1, 2 and 3 ranks x 1 and 2 threads
# writes every file byte-identical to the non-MPI build's (osq-serial: the same sources without
# MPI), prints its report once; a study interrupted on 2 ranks (within a point), resumed and
# interrupted again on 3, finished on 2 ranks x 2 threads ends with the serial files and no
# checkpoint; a bad output is refused with exit 2 on every rank count.
# Usage: mpi_sensitivity.sh OSQ OSQ_SERIAL REPO MPIEXEC NUMPROC_FLAG [MPIEXEC_FLAGS...]
set -u
osq=$(realpath "$1") serial=$(realpath "$2")
repo=$(realpath "$3")
mpiexec=$4 npflag=$5
shift 5
flags=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
cp "$repo"/scenarios/treaty.cfg "$repo"/scenarios/baseline.cfg "$repo"/scenarios/us_out.cfg .
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL: $*"; }
mpi() { local np=$1; shift; timeout 300 "$mpiexec" "$npflag" "$np" "${flags[@]}" "$osq" "$@"; }
same_dir() { # REF DIR LABEL
  for f in "$1"/*; do cmp -s "$f" "$2/$(basename "$f")" && ok || bad "$3: $(basename "$f") differs"; done
  [ "$(ls "$1")" = "$(ls "$2")" ] && ok || bad "$3: other files: $(ls "$2" | tr '\n' ' ')"
}

# 3 base rows of 3 inputs: 16 points x 2 scenarios x 48 trials, blocks of 6 (8 a point).
cat > s.cfg <<'EOF'
study = { scenarios = [ "baseline.cfg", "us_out.cfg" ]; points = 3; trials = 48; };
inputs = (
  { key = "geo.swath_half_km"; dist = "uniform"; min = 3.85; max = 50.0; reason = "r"; },
  { key = "model.share_prob"; dist = "uniform"; min = 0.3; max = 0.5; reason = "r"; },
  { key = "treaty.parties.LV.passive_quota"; dist = "uniform"; min = 2; max = 6; reason = "r"; }
);
outputs = (
  { name = "flights_us"; metric = "flights"; scenario = "us_out"; minus = "baseline"; },
  { name = "coverage"; metric = "coverage_fixed"; scenario = "us_out"; minus = "baseline"; }
);
output = { formats = [ "csv", "md", "tex" ]; };
EOF
"$serial" sensitivity s.cfg --threads 2 --out serial --quiet || { echo "FAIL: the non-MPI study exited $?"; exit 1; }
for np in 1 2 3; do
  for t in 1 2; do
    mpi $np sensitivity s.cfg --threads $t --out np${np}t$t > out 2> err
    rc=$?
    if [ $rc != 0 ]; then bad "$np ranks x $t threads exited $rc"; cat err; continue; fi
    same_dir serial np${np}t$t "$np ranks x $t threads"
    [ "$(grep -c '^results in ' out)" = 1 ] && ok || bad "$np ranks: the report is not printed once"
  done
done

# Interrupted and resumed across rank counts. 1 thread a rank: waves of 4 blocks a rank.
OSQ_STOP_AFTER_BLOCKS=20 mpi 2 sensitivity s.cfg --threads 1 --out res --quiet 2> err
rc=$?
[ $rc = 130 ] && [ -f res/study_checkpoint.osq ] && ok || { bad "interrupted on 2 ranks: exit $rc"; cat err; }
OSQ_STOP_AFTER_BLOCKS=70 mpi 3 sensitivity s.cfg --threads 1 --resume res --quiet 2> err
rc=$?
[ $rc = 130 ] && ok || { bad "resumed and interrupted on 3 ranks: exit $rc"; cat err; }
mpi 2 sensitivity s.cfg --threads 2 --resume res --quiet 2> err
rc=$?
[ $rc = 0 ] && ok || { bad "resumed to the end on 2 ranks x 2 threads: exit $rc"; cat err; }
same_dir serial res "interrupted and resumed over 2, 3 and 2 ranks"

# A bad output: exit 2 and one message on every rank count, nothing written.
sed 's/metric = "coverage_fixed"/metric = "coverage_fix"/' s.cfg > b.cfg
for np in 1 3; do
  mpi $np sensitivity b.cfg --out bad$np > out 2> err
  rc=$?
  [ $rc = 2 ] && [ "$(grep -c 'b.cfg:9: outputs\[1\].metric = "coverage_fix" is not a metric' err)" = 1 ] &&
    [ ! -e bad$np ] && ok || { bad "a bad output on $np ranks: exit $rc"; cat err; }
done

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
