#!/bin/bash
# osq bench under MPI: one report (rank 0) that says "MPI ranks: 2", one `bench:` line per thread
# count with ranks=2 and the non-MPI build's hash; that hash as --expect-hash passes and a wrong
# one exits 1 on every rank; --json carries "ranks". Never timings (the VM is too noisy).
# Usage: mpi_bench.sh OSQ OSQ_SERIAL REPO MPIEXEC NUMPROC_FLAG [MPIEXEC_FLAGS...]
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
mpi() { local np=$1; shift; timeout 300 "$mpiexec" "$npflag" "$np" "${flags[@]}" "$osq" "$@"; }

"$serial" bench bench/small.cfg --threads 1 >"$tmp/serial" 2>&1 || bad "serial bench exited $?"
hash=$(sed -nE 's/^bench: .* hash=([0-9a-f]{16}) .*/\1/p' "$tmp/serial")
grep -q '^bench: .* hash=[0-9a-f]\{16\} ranks=1 ' "$tmp/serial" && ok || bad "the non-MPI bench: line lacks ranks=1"
grep -q '^MPI ranks: *1' "$tmp/serial" && ok || bad "the non-MPI report lacks 'MPI ranks: 1'"

mpi 2 bench bench/small.cfg --threads 1,2 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && ok || { bad "bench on 2 ranks exited $rc"; cat "$tmp/err"; }
[ "$(grep -c '^bench: ' "$tmp/out")" = 2 ] && ok || bad "expected 2 bench: lines (one report), got $(grep -c '^bench: ' "$tmp/out")"
[ "$(grep -c '^bench: scenario=small threads=[12] trials=2000 .* hash='"$hash"' ranks=2 ' "$tmp/out")" = 2 ] && ok ||
  { bad "bench: lines without ranks=2 and the serial hash $hash"; grep '^bench: ' "$tmp/out"; }
grep -q '^MPI ranks: *2 ' "$tmp/out" && ok || bad "the report lacks 'MPI ranks: 2'"
# One report: a Verification line per thread count and one under RESULTS.
[ "$(grep -c '^Verification: .*(unchecked)' "$tmp/out")" = 3 ] && ok || bad "not one report's 3 Verification lines"
[ "$(grep -c '^RESULTS$' "$tmp/out")" = 1 ] && ok || bad "not exactly one RESULTS section"

mpi 2 bench bench/small.cfg --threads 1 --expect-hash "0x$hash" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'status=valid$' "$tmp/out" && ok || bad "--expect-hash 0x$hash on 2 ranks: exit $rc or not valid"
mpi 3 bench bench/small.cfg --threads 1 --expect-hash 0000000000000000 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && ok || bad "a wrong --expect-hash on 3 ranks exited $rc, expected 1"
[ "$(grep -c '^bench: .*ranks=3 .*status=INVALID$' "$tmp/out")" = 1 ] && ok || bad "no single INVALID bench: line on 3 ranks"

mpi 2 bench bench/small.cfg --threads 1 --json >"$tmp/json" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && ok || bad "--json on 2 ranks exited $rc"
python3 - "$tmp/json" "$hash" <<'EOF' && ok || bad "--json on 2 ranks: one document with ranks 2 and the serial hash"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ranks"] == 2, d["ranks"]
assert [c["hash"] for c in d["configurations"]] == [sys.argv[2]], d["configurations"]
EOF

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
