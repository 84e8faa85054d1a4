#!/bin/bash
# The tree keeps the promises of docs/architecture.md:
#   - layers: a room includes only its own headers and those of the rooms below it
#     (models < results < sim/input < sim/engine < bench < sim/cli);
#   - the trials' `#pragma omp parallel` regions all in sim/engine/waves.c, two: the waves of an
#     MPI job and the overlapped waves of one process;
#   - no function over 150 lines in models/, sim/, results/, bench/ (tools/fnlen.sh);
#   - no file of the project points outside it (a user who clones osq has nothing beside it).
# Usage: tree.sh /path/to/osq /path/to/repo
set -u
cd "$2" || exit 1
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fail=$((fail + 1)); }

# room and the include prefixes it may use
check_room() { # DIR ALLOWED-REGEX
  local hits
  hits=$(grep -HnE '^#include "' "$1"/*.[ch] | grep -vE "#include \"($2)/" || true)
  if [ -n "$hits" ]; then bad "$1 includes a room above it:"; echo "$hits"; else ok; fi
}
check_room models 'models'
check_room results 'models|results'
check_room sim/input 'models|results|sim/input'
check_room sim/engine 'models|results|sim/input|sim/engine'
check_room bench 'models|results|sim/input|sim/engine|bench'
check_room sim/cli 'models|results|sim/input|sim/engine|bench|sim/cli'

regions=$(grep -rn '#pragma omp parallel' sim | wc -l)
in_waves=$(grep -c '#pragma omp parallel' sim/engine/waves.c)
[ "$regions" = 2 ] && [ "$in_waves" = 2 ] && ok ||
  { bad "sim/ has $regions OpenMP parallel regions, $in_waves in sim/engine/waves.c (expected 2, both there):"; grep -rn '#pragma omp parallel' sim; }
grep -rqnE '#pragma omp|<omp\.h>|omp_[a-z]' models && bad "models/ uses OpenMP: $(grep -rlnE '#pragma omp|<omp\.h>|omp_[a-z]' models)" || ok

long=$(bash tools/fnlen.sh --max 150)
[ -z "$long" ] && ok || { bad "functions over 150 lines:"; echo "$long"; }

# Everything the project ships, but the copied boundary data (a 4 MB line of JSON).
outside=$(grep -rnIE 'BRIEF\.md|BRIEF §|ENGINEERING\.md|\.\./shared|/work/shared' \
  --exclude-dir=.git --exclude-dir='build*' --exclude-dir=out --exclude=countries-50m.json \
  --exclude=tree.sh . || true)
[ -z "$outside" ] && ok || { bad "lines that point outside the project:"; echo "$outside"; }

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
