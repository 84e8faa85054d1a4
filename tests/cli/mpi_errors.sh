#!/bin/bash
# MPI errors: a fatal error ends every rank with the non-MPI build's exit code and its message
# printed once (by rank 0), never a hung job: a scenario error and a usage error (every rank
# fails the same way), an unwritable output directory (only rank 0 writes), a scenario file that
# one rank cannot read while the others can, and a geography set-up that fails on one rank only
# (MPMD launches `A : B`): then rank 0 prints that rank's message and names the rank.
# Usage: mpi_errors.sh OSQ OSQ_SERIAL REPO MPIEXEC NUMPROC_FLAG [MPIEXEC_FLAGS...]
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
# osq's own lines only (mpiexec adds a banner of its own when a rank exits non-zero).
errs() { grep '^osq: ' "$1"; }

# expect NAME RC MPIEXEC_ARGS...: exit code RC (124 = timed out: a hung job), nothing on stdout,
# and osq's stderr lines recorded in $tmp/NAME.err.
expect() {
  local name=$1 want=$2
  shift 2
  timeout 120 "$mpiexec" "${flags[@]}" "$@" >"$tmp/$name.out" 2>"$tmp/$name.all"
  local rc=$?
  errs "$tmp/$name.all" >"$tmp/$name.err"
  if [ $rc = 124 ]; then bad "$name: the job hung"
  elif [ $rc != "$want" ]; then bad "$name: exit $rc, expected $want"; cat "$tmp/$name.all"
  elif [ -s "$tmp/$name.out" ]; then bad "$name: printed on stdout"; cat "$tmp/$name.out"
  else ok; fi
}
# like NAME SERIAL_ARGS...: the MPI job printed exactly what the non-MPI build prints on stderr.
like() {
  local name=$1
  shift
  "$serial" "$@" >/dev/null 2>"$tmp/$name.serial"
  if diff "$tmp/$name.serial" "$tmp/$name.err" >"$tmp/$name.diff"; then ok; else
    bad "$name: stderr differs from the non-MPI build's (message not printed exactly once?)"; cat "$tmp/$name.diff"; fi
}

# Every rank fails the same way: rank 0 alone reports.
expect scenario 2 "$npflag" 3 "$osq" run tests/bad/05_unknown_key.cfg
like scenario run tests/bad/05_unknown_key.cfg
expect usage 2 "$npflag" 3 "$osq" run scenarios/baseline.cfg --threads 0
like usage run scenarios/baseline.cfg --threads 0
expect compare_years 2 "$npflag" 2 "$osq" compare scenarios/baseline.cfg scenarios/timeline.cfg --trials 10
like compare_years compare scenarios/baseline.cfg scenarios/timeline.cfg --trials 10

# Only rank 0 writes: a directory that cannot be created (a regular file in its path stops even
# root) fails there, and every rank exits 3.
touch "$tmp/file"
expect unwritable 3 "$npflag" 3 "$osq" run scenarios/baseline.cfg --trials 40 --quiet --out "$tmp/file/out"
like unwritable run scenarios/baseline.cfg --trials 40 --quiet --out "$tmp/file/out"

# One rank cannot read the scenario (as a node without the file): all stop, rank 0 says which.
expect rank2 2 "$npflag" 2 "$osq" run scenarios/baseline.cfg --trials 40 --quiet --out "$tmp/r2" : \
  "$npflag" 1 "$osq" run "$tmp/missing.cfg" --trials 40 --quiet --out "$tmp/r2"
want="osq: error: $tmp/missing.cfg: cannot read the scenario: No such file or directory
osq: error: (the error above happened on MPI rank 2 of 3; every rank stopped)"
[ "$(cat "$tmp/rank2.err")" = "$want" ] && ok || { bad "rank 2's error not reported once by rank 0:"; cat "$tmp/rank2.all"; }
[ ! -e "$tmp/r2" ] && ok || bad "files were written although rank 2 failed"
expect rank0 2 "$npflag" 1 "$osq" run "$tmp/missing.cfg" --trials 40 --quiet : \
  "$npflag" 2 "$osq" run scenarios/baseline.cfg --trials 40 --quiet --out "$tmp/r0"
[ "$(cat "$tmp/rank0.err")" = "osq: error: $tmp/missing.cfg: cannot read the scenario: No such file or directory" ] && ok ||
  { bad "rank 0's own error not reported once:"; cat "$tmp/rank0.all"; }
# The engine's set-up fails on rank 2 only (its copy of the scenario names a missing boundaries
# file): every rank stops, exit 3 as without MPI, rank 0 prints rank 2's message once.
mkdir "$tmp/sc"
cp scenarios/treaty.cfg "$tmp/sc/"
sed 's/^geo = {/geo = {\n  boundaries = "nowhere.json";/' scenarios/baseline.cfg >"$tmp/sc/baseline.cfg"
expect geo2 3 "$npflag" 2 "$osq" run scenarios/baseline.cfg --trials 40 --quiet --out "$tmp/g2" : \
  "$npflag" 1 "$osq" run "$tmp/sc/baseline.cfg" --trials 40 --quiet --out "$tmp/g2"
"$serial" run "$tmp/sc/baseline.cfg" --trials 40 --quiet --out "$tmp/g2" 2>"$tmp/geo2.serial" >/dev/null
want="$(cat "$tmp/geo2.serial")
osq: error: (the error above happened on MPI rank 2 of 3; every rank stopped)"
grep -q 'nowhere.json' "$tmp/geo2.serial" && [ "$(cat "$tmp/geo2.err")" = "$want" ] && ok ||
  { bad "rank 2's geography error not reported once by rank 0:"; cat "$tmp/geo2.all"; }
[ ! -e "$tmp/g2" ] && ok || bad "files were written although rank 2 failed"

expect bench1 2 "$npflag" 1 "$osq" bench bench/small.cfg --threads 1 --trials 32 : \
  "$npflag" 1 "$osq" bench "$tmp/missing.cfg" --threads 1 --trials 32
grep -q "does not exist on every MPI rank" "$tmp/bench1.err" && [ "$(wc -l <"$tmp/bench1.err")" = 1 ] && ok ||
  { bad "bench with a scenario missing on rank 1:"; cat "$tmp/bench1.all"; }

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
