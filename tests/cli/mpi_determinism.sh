#!/bin/bash
# MPI determinism: the MPI build under mpiexec with 1, 2 and 3 ranks x 1 and 2 threads writes
# summary.csv, dyads.csv, summary.md, summary.tex, map.csv and map.png byte-identical to the
# non-MPI build's (osq-serial: the same sources without MPI), and a run.json that differs only in
# its run-environment fields; a run spread over many waves with a partial last one
# (bench/small.cfg: 125 blocks of 16 trials) likewise; the report is printed once (rank 0) with
# the serial verification hash, and the flight log is the serial one; a run interrupted and
# resumed over different rank counts ends with the serial files; `osq compare` under 2 and 3
# ranks writes the serial compare.csv.
# Usage: mpi_determinism.sh OSQ OSQ_SERIAL REPO MPIEXEC NUMPROC_FLAG [MPIEXEC_FLAGS...]
set -u
osq=$(realpath "$1") serial=$(realpath "$2")   # the test changes directory below
cd "$3" || exit 1
mpiexec=$4 npflag=$5
shift 5
flags=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL: $*"; }
# mpi NP ARGS...: the MPI osq on NP ranks (a hung job is a failure, not a stuck CI).
mpi() { local np=$1; shift; timeout 300 "$mpiexec" "$npflag" "$np" "${flags[@]}" "$osq" "$@"; }
same() { if cmp -s "$1" "$2"; then ok; else bad "$3"; fi; }
strip() { grep -v -e '"wall_seconds"' -e '"created"' -e '"threads"' "$1"; }
files="summary.csv dyads.csv summary.md summary.tex map.csv map.png"

"$serial" run scenarios/baseline.cfg --trials 1500 --threads 2 --out "$tmp/serial" --quiet --format csv,json,md,tex \
  --flight-log "$tmp/serial.log" ||
  { echo "FAIL: the non-MPI run exited $?"; exit 1; }
for np in 1 2 3; do
  for t in 1 2; do
    d=$tmp/np${np}t$t
    mpi $np run scenarios/baseline.cfg --trials 1500 --threads $t --out "$d" --quiet --format csv,json,md,tex \
      >"$d.out" 2>"$d.err"
    rc=$?
    if [ $rc != 0 ]; then bad "$np ranks x $t threads exited $rc"; cat "$d.err"; continue; fi
    ok
    for f in $files; do same "$tmp/serial/$f" "$d/$f" "$f differs: $np ranks x $t threads vs the non-MPI build"; done
    if diff -q <(strip "$tmp/serial/run.json") <(strip "$d/run.json") >/dev/null; then ok; else
      bad "run.json differs beyond threads/wall_seconds/created: $np ranks x $t threads"; fi
    [ ! -s "$d.out" ] && ok || bad "--quiet printed on stdout with $np ranks"
  done
done

# The report: once, from rank 0, naming the ranks, with the serial hash.
hash=$(sed -nE 's/.*"verification_hash": *"([0-9a-f]+)".*/\1/p' "$tmp/serial/run.json")
mpi 3 run scenarios/baseline.cfg --trials 1500 --threads 1 --out "$tmp/report" --flight-log "$tmp/report.log" \
  >"$tmp/report.out" 2>"$tmp/report.err"
rc=$?
[ $rc = 0 ] && ok || { bad "the reported run exited $rc"; cat "$tmp/report.err"; }
[ "$(grep -c '^verification hash ' "$tmp/report.out")" = 1 ] && ok || bad "the report is not printed exactly once"
grep -q "^verification hash $hash\$" "$tmp/report.out" && ok || bad "the hash printed differs from the serial $hash"
grep -q '^trials 1500 .* threads 1 x 3 MPI ranks$' "$tmp/report.out" && ok || bad "the report does not name 3 ranks"
[ "$(grep -c '^results in ' "$tmp/report.out")" = 1 ] && ok || bad "'results in' not printed exactly once"
same "$tmp/serial.log" "$tmp/report.log" "the flight log written under 3 ranks differs from the non-MPI one"

# Many waves, the last one partial: 125 blocks; 3 ranks x 1 thread take 12 blocks a wave.
"$serial" run bench/small.cfg --threads 1 --out "$tmp/small" --quiet --format csv,json || bad "serial small.cfg exited $?"
for cfg in "3 1" "2 2"; do
  set -- $cfg
  mpi $1 run bench/small.cfg --threads $2 --out "$tmp/small$1" --quiet --format csv,json 2>"$tmp/small.err" ||
    { bad "small.cfg on $1 ranks x $2 threads exited $?"; cat "$tmp/small.err"; }
  for f in summary.csv dyads.csv; do same "$tmp/small/$f" "$tmp/small$1/$f" "small.cfg $f differs: $1 ranks x $2 threads"; done
done

# Interrupted and resumed across rank counts (--resume): stopped after 40 of small.cfg's 125
# blocks on 2 ranks, resumed and stopped again after 80 on 3 ranks, finished on 2 ranks x 2
# threads; the files are the non-MPI run's and the checkpoint is gone.
OSQ_STOP_AFTER_BLOCKS=40 mpi 2 run bench/small.cfg --threads 1 --out "$tmp/res" --quiet --format csv,json \
  2>"$tmp/res.err"
rc=$?
[ $rc = 130 ] && [ -f "$tmp/res/checkpoint.osq" ] && ok || { bad "interrupted on 2 ranks: exit $rc"; cat "$tmp/res.err"; }
OSQ_STOP_AFTER_BLOCKS=80 mpi 3 run bench/small.cfg --threads 1 --resume "$tmp/res" --quiet 2>"$tmp/res.err"
rc=$?
[ $rc = 130 ] && ok || { bad "resumed and interrupted on 3 ranks: exit $rc"; cat "$tmp/res.err"; }
mpi 2 run bench/small.cfg --threads 2 --resume "$tmp/res" --quiet 2>"$tmp/res.err"
rc=$?
[ $rc = 0 ] && ok || { bad "resumed to the end on 2 ranks x 2 threads: exit $rc"; cat "$tmp/res.err"; }
for f in summary.csv dyads.csv; do same "$tmp/small/$f" "$tmp/res/$f" "resumed small.cfg $f differs from the non-MPI run"; done
[ ! -e "$tmp/res/checkpoint.osq" ] && ok || bad "the checkpoint is left after the resumed run completed"

# osq compare: common random numbers over ranks.
"$serial" compare scenarios/baseline.cfg scenarios/us_out.cfg --trials 600 --threads 2 --out "$tmp/cmp" \
  >"$tmp/cmp.out" || bad "serial compare exited $?"
for np in 2 3; do
  mpi $np compare scenarios/baseline.cfg scenarios/us_out.cfg --trials 600 --threads 1 --out "$tmp/cmp$np" \
    >"$tmp/cmp$np.out" 2>"$tmp/cmp$np.err"
  rc=$?
  if [ $rc != 0 ]; then bad "compare on $np ranks exited $rc"; cat "$tmp/cmp$np.err"; continue; fi
  ok
  same "$tmp/cmp/compare.csv" "$tmp/cmp$np/compare.csv" "compare.csv differs: $np ranks vs the non-MPI build"
  if diff -q <(strip "$tmp/cmp/compare.json") <(strip "$tmp/cmp$np/compare.json") >/dev/null; then ok; else
    bad "compare.json differs beyond threads/wall_seconds/created: $np ranks"; fi
  if diff -q <(grep -v '^all rows in ' "$tmp/cmp.out") <(grep -v '^all rows in ' "$tmp/cmp$np.out") >/dev/null; then ok
  else bad "compare's stdout differs on $np ranks (printed more than once?)"; fi
done

# osq validate and osq calibrate under 2 and 3 ranks: the serial files (validate: the figures of the
# history, the chart; calibrate: the same fit, evaluation by evaluation, on every rank).
"$serial" validate scenarios/timeline.cfg --trials 300 --threads 2 --out "$tmp/val" --quiet ||
  bad "the non-MPI validate exited $?"
printf 'id,period,quantity,observer,observed,value,kind,tolerance,tolerance_reason,use,source,note\n%s\n%s\n' \
  'f,2019,flights,,,95,approximate,0,r,fit,s,n' 'u,2019,flights_by,US,,18,approximate,0,r,fit,s,n' > "$tmp/targets.csv"
"$serial" calibrate scenarios/baseline.cfg --targets "$tmp/targets.csv" --free model.demand --trials 200 \
  --max-evals 12 --out "$tmp/cal" --quiet || bad "the non-MPI calibrate exited $?"
for np in 2 3; do
  mpi $np validate scenarios/timeline.cfg --trials 300 --threads 1 --out "$tmp/val$np" --quiet ||
    bad "validate on $np ranks exited $?"
  for f in validation.csv validation.md validation.png; do
    same "$tmp/val/$f" "$tmp/val$np/$f" "$f differs: $np ranks vs the non-MPI build"
  done
  mpi $np calibrate scenarios/baseline.cfg --targets "$tmp/targets.csv" --free model.demand --trials 200 \
    --max-evals 12 --threads 1 --out "$tmp/cal$np" --quiet || bad "calibrate on $np ranks exited $?"
  for f in fit.csv params.csv; do same "$tmp/cal/$f" "$tmp/cal$np/$f" "$f differs: $np ranks vs the non-MPI build"; done
done

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
