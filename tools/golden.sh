#!/bin/bash
# tools/golden.sh: run every shipped scenario and bench workload at fixed sizes (and osq validate
# and a short osq calibrate) and keep the result files, so that a change that must not alter
# results can be checked byte for byte:
#
#   tools/golden.sh build/osq /tmp/before      # on the old code
#   tools/golden.sh build/osq /tmp/after       # on the new code
#   tools/golden.sh --compare /tmp/before /tmp/after
#
# Each run is made on 1 and 2 threads (the files must be the same for both). What differs from
# run to run by nature (wall times, dates, thread counts in run.json and compare.json) is
# stripped into *.stable copies before comparing. Prints one line per run with its verification
# hash; --compare prints every file that differs and exits 1 if any does.
set -u
set -o pipefail

if [ "${1:-}" = "--compare" ]; then
  [ $# -eq 3 ] || { echo "usage: tools/golden.sh --compare DIR_A DIR_B" >&2; exit 2; }
  bad=0
  while IFS= read -r f; do
    [ -e "$2/$f.stable" ] && continue   # its .stable copy is compared instead
    if ! cmp -s "$2/$f" "$3/$f"; then echo "differs: $f"; bad=1; fi
  done < <(cd "$2" && find . -type f | sort)
  for f in $(cd "$3" && find . -type f | sort); do [ -e "$2/$f" ] || { echo "only in $3: $f"; bad=1; }; done
  [ $bad -eq 0 ] && echo "golden: every file of $2 equals $3's"
  exit $bad
fi

[ $# -eq 2 ] || { echo "usage: tools/golden.sh OSQ_BINARY OUT_DIR | --compare DIR_A DIR_B" >&2; exit 2; }
osq=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root" || exit 2

# FILE.stable: FILE without what changes between two runs of the same thing: in run.json and
# compare.json the run's environment, in fitted.cfg its output folder and thread count (in the
# command it records), in validation.md the history file's path (the binary's tree).
stable() { # FILE RUN_DIR
  case "$1" in
    *.json) sed -E -e '/"(wall_seconds|setup_seconds|created|threads|ranks)"/d' "$1" > "$1.stable" ;;
    */fitted.cfg) sed -e "s#$2#OUT#g" -e 's/--threads [0-9]*/--threads T/g' "$1" > "$1.stable" ;;
    */validation.md) sed -e '/^- history: /d' "$1" > "$1.stable" ;;
  esac
}

fail=0
one() { # NAME THREADS osq-args...
  local name=$1 t=$2; shift 2
  local dir="$out/$name/t$t"
  rm -rf "$dir"
  if ! "$osq" "$@" --threads "$t" --out "$dir" --force > "$out/$name.t$t.log" 2>&1; then
    echo "golden: $name (threads $t) failed:"; cat "$out/$name.t$t.log"; fail=1; return
  fi
  for j in "$dir"/*.json "$dir"/fitted.cfg "$dir"/validation.md; do [ -e "$j" ] && stable "$j" "$dir"; done
  local h
  h=$(sed -n 's/.*"verification_hash": *"\([0-9a-f]*\)".*/\1/p' "$dir"/*.json 2>/dev/null | tr '\n' ' ')
  echo "$name threads=$t hash=${h:-n/a}"
  rm -f "$out/$name.t$t.log"
}

for t in 1 2; do
  one baseline "$t" run scenarios/baseline.cfg --format csv,json,md,tex
  one us_out "$t" run scenarios/us_out.cfg --trials 2000
  one ru_out "$t" run scenarios/ru_out.cfg --trials 2000
  one both_out "$t" run scenarios/both_out.cfg --trials 2000
  one timeline "$t" run scenarios/timeline.cfg --trials 400
  one small "$t" run bench/small.cfg
  one heavy "$t" run bench/heavy.cfg --trials 400
  one baseline_log "$t" run scenarios/baseline.cfg --trials 300 --flight-log "$out/baseline_log.t$t.flights.csv" \
    --flight-log-trials 12
  one compare "$t" compare scenarios/baseline.cfg scenarios/us_out.cfg scenarios/ru_out.cfg scenarios/both_out.cfg \
    --trials 2000 --format csv,json,md,tex
  one validate "$t" validate scenarios/timeline.cfg --trials 1000
  one validate_return "$t" validate scenarios/timeline_return.cfg --trials 500
  one calibrate "$t" calibrate scenarios/timeline.cfg --targets data/history.csv \
    --free model.demand=0.3:1,model.share_prob=0.1:0.8,model.parties.UA.demand=0.2:1 --trials 300 --max-evals 40
done
# The two thread counts must agree with each other.
for d in "$out"/*/t1; do
  n=$(basename "$(dirname "$d")")
  for f in $(cd "$d" && ls); do
    case "$f" in *.stable) continue ;; esac   # compared in place of the file it was made from
    [ -e "$d/$f.stable" ] && f=$f.stable
    cmp -s "$d/$f" "$out/$n/t2/$f" || { echo "golden: $n/$f differs between 1 and 2 threads"; fail=1; }
  done
done
cmp -s "$out/baseline_log.t1.flights.csv" "$out/baseline_log.t2.flights.csv" ||
  { echo "golden: the flight log differs between 1 and 2 threads"; fail=1; }
exit $fail
