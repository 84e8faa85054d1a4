#!/bin/bash
# bench/study.sh: what a study's point costs against `osq run` of the same trials (issue 16: at most
# 1.15 times). bench/study.cfg is the four cells of the withdrawal comparison over 400 trials a
# point (geography on 40, blocks of 50) with one input that changes no trial, so that each of its
# 7 points simulates what the central point does; `osq run` runs each of the four scenarios alone
# over the same trials (copies with trials = 400, geo.trials = 40, block_size = 50, and no coverage
# map, which a study's points do not count: the same work on both sides).
#
#   - instructions (callgrind, the same on a busy machine): the study's block function
#     (study_block, all points) per point, against the sum of the four runs' block functions
#     (run_block), on 1 thread;
#   - wall time on 2 threads, REPEAT times interleaved (study, then the four runs), medians: the
#     study's seconds a point as it prints them (a point's set-up, waves and merges) against the
#     sum of the four runs' trial loops.
#
# Prints a Markdown section on stdout; with --update, puts it into bench/RESULTS.md in place of the
# section between its markers (appended if there is none). bench/run.sh includes it when it
# rewrites RESULTS.md.
#
# Usage: bench/study.sh [OSQ_BINARY] [--update]     (default build/osq; REPEAT, default 3)
set -u
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
osq_arg=build/osq update=0
for a in "$@"; do
  if [ "$a" = --update ]; then update=1; else osq_arg=$a; fi
done
if [ -x "$osq_arg" ]; then osq=$(cd "$(dirname "$osq_arg")" && pwd)/$(basename "$osq_arg")
elif [ -x "$root/$osq_arg" ]; then osq=$root/$osq_arg
else echo "bench/study.sh: no executable osq at '$osq_arg'" >&2; exit 2
fi
command -v valgrind >/dev/null || { echo "bench/study.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
repeat=${REPEAT:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 2

scenarios="baseline us_out ru_out both_out"
mkdir -p "$tmp/sc"
cp scenarios/treaty.cfg "$tmp/sc/"
for s in $scenarios; do
  sed -e 's/trials = 10000;/trials = 400;/' -e 's/block_size = 256;/block_size = 50;/' -e 's/^  trials = 1000;/  trials = 40;/' \
    -e 's/^output = {/output = {\n  map = false;/' "scenarios/$s.cfg" > "$tmp/sc/$s.cfg"
  grep -q 'trials = 40;' "$tmp/sc/$s.cfg" && grep -q 'map = false;' "$tmp/sc/$s.cfg" ||
    { echo "bench/study.sh: cannot set $s's trials and map" >&2; exit 3; }
done
points=7

# ---- instructions ----
ir() { # OUTFILE FUNCTION CMD...: the instructions callgrind collects in FUNCTION (and what it calls)
  local out=$1 fn=$2
  shift 2
  valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="$fn" "$@" >/dev/null 2>&1 || return 1
  sed -n 's/^summary: //p' "$out"
}
echo "bench/study.sh: callgrind of the study (1 thread)" >&2
ir_study=$(ir "$tmp/cg.study" study_block "$osq" sensitivity bench/study.cfg --threads 1 --out "$tmp/s1" --quiet) ||
  { echo "bench/study.sh: the study under callgrind failed" >&2; exit 3; }
ir_runs=0
for s in $scenarios; do
  echo "bench/study.sh: callgrind of osq run $s (1 thread)" >&2
  i=$(ir "$tmp/cg.$s" run_block "$osq" run "$tmp/sc/$s.cfg" --threads 1 --out "$tmp/r1$s" --quiet --format csv) ||
    { echo "bench/study.sh: osq run $s under callgrind failed" >&2; exit 3; }
  ir_runs=$((ir_runs + i))
done
ir_point=$((ir_study / points))

# ---- wall time, interleaved ----
: > "$tmp/wall"
for k in $(seq "$repeat"); do
  echo "bench/study.sh: round $k of $repeat (2 threads)" >&2
  p=$("$osq" sensitivity bench/study.cfg --threads 2 --out "$tmp/s2" --force | sed -n 's/.* s (\([0-9.]*\) s a point.*/\1/p')
  r=0
  for s in $scenarios; do
    l=$("$osq" run "$tmp/sc/$s.cfg" --threads 2 --out "$tmp/r2$s" --force --format csv |
      sed -n 's/.*trial loop \([0-9.]*\) s.*/\1/p')
    r=$(awk -v a="$r" -v b="$l" 'BEGIN { print a + b }')
  done
  echo "$p $r" >> "$tmp/wall"
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
wall_point=$(cut -d' ' -f1 "$tmp/wall" | median)
wall_runs=$(cut -d' ' -f2 "$tmp/wall" | median)
load=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "not a git work tree")
# --no-optional-locks: only read the index (others may be using the tree); RESULTS.md does not count.
if [ -n "$(git --no-optional-locks status --porcelain --untracked-files=no -- . ':!bench/RESULTS.md' 2>/dev/null)" ]; then
  commit="$commit (plus uncommitted changes)"
fi

commas() {
  awk -v x="$1" 'BEGIN { s = sprintf("%.0f", x); n = length(s); o = "";
    for (i = 1; i <= n; i++) { o = o substr(s, i, 1); if (i < n && (n - i) % 3 == 0) o = o "," } print o }'
}
section() {
  echo "<!-- study: written by bench/study.sh -->"
  echo "## A study's point against osq run"
  echo
  echo "\`osq sensitivity\` runs every scenario of a study at every parameter point over the same trials"
  echo "(docs/sensitivity.md). \`bench/study.cfg\`: the four cells of the withdrawal comparison, 400 trials a"
  echo "point (geography on 40, blocks of 50), and one input that changes no trial, so that each of its"
  echo "$points points simulates what the central point does. \`osq run\` runs each of the four scenarios"
  echo "alone over the same trials, without the coverage map (a study's points count none). Measured $(date -u +%Y-%m-%dT%H:%MZ), commit $commit,"
  echo "load average after: $load."
  echo
  echo "| measure | a point of the study | the four osq runs | ratio |"
  echo "|---|---:|---:|---:|"
  printf '| instructions (callgrind, 1 thread: study_block / %d points, run_block summed) | %s | %s | %.3fx |\n' "$points" \
    "$(commas "$ir_point")" "$(commas "$ir_runs")" "$(awk -v a="$ir_point" -v b="$ir_runs" 'BEGIN { print a / b }')"
  printf '| wall seconds (2 threads, median of %d interleaved rounds: the study'"'"'s "s a point", the runs'"'"' trial loops) | %.4f | %.4f | %.3fx |\n' \
    "$repeat" "$wall_point" "$wall_runs" "$(awk -v a="$wall_point" -v b="$wall_runs" 'BEGIN { print a / b }')"
  echo
  echo "A point's trials do less than a run's (the outputs' records only, no histograms, dyad sums or"
  echo "verification digest), and more: the values of every slot of every scenario, the outputs' paired"
  echo "differences, and its own set-up (the scenarios' copies with its values, their caps, a view of"
  echo "each world). The set-up of the whole study (raster, worlds) is made once, like a run's."
  echo "<!-- /study -->"
}
section > "$tmp/section.md"
cat "$tmp/section.md"
if [ $update = 1 ]; then
  res=$here/RESULTS.md
  if grep -q '^<!-- study: ' "$res"; then
    awk -v f="$tmp/section.md" '/^<!-- study: / { while ((getline l < f) > 0) print l; skip = 1; next }
      /^<!-- \/study -->/ { skip = 0; next } !skip' "$res" > "$tmp/RESULTS.md"
  else
    { cat "$res"; echo; cat "$tmp/section.md"; } > "$tmp/RESULTS.md"
  fi
  cp "$tmp/RESULTS.md" "$res.tmp" && mv -f "$res.tmp" "$res"
  echo "bench/study.sh: updated bench/RESULTS.md" >&2
fi
