#!/bin/bash
# bench/run.sh: run `osq bench` on every workload of bench/ with 1 and 2 threads, 3 repeats each,
# and write bench/RESULTS.md (machine, date, commit, the exact commands, a scaling table and the
# raw `bench:` lines). It builds nothing: pass the osq binary (default build/osq).
#
# Usage: bench/run.sh [OSQ_BINARY]        (from any directory; workloads are found beside this file)
# Environment: THREADS (default 1,2), REPEAT (default 5), WORKLOADS (default "small baseline heavy quota"),
# STUDY (default 1: also bench/study.sh, a study's point against osq run; 0: not).
#
# RESULTS.md is written to a temporary file and moved into place, so a failed or interrupted run
# leaves the previous RESULTS.md intact. A section of the previous RESULTS.md headed "## Measured by
# hand" (and everything after it) is carried over unchanged: figures this script does not measure. If any `osq bench` exits non-zero (1 = the verification
# hash differs between thread counts), RESULTS.md is not replaced and this exits with that code.
set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
osq_arg=${1:-build/osq}
# The binary is named relative to the caller's directory, or to the repository root as a fallback.
if [ -x "$osq_arg" ]; then osq=$(cd "$(dirname "$osq_arg")" && pwd)/$(basename "$osq_arg")
elif [ -x "$root/$osq_arg" ]; then osq=$root/$osq_arg
else echo "bench/run.sh: no executable osq at '$osq_arg' (build it first: cmake -S . -B build && cmake --build build)" >&2; exit 2
fi
threads=${THREADS:-1,2}
repeat=${REPEAT:-5}
workloads=${WORKLOADS:-small baseline heavy quota}

cd "$root" || exit 2
tmp=$(mktemp -d)
out=
trap 'rm -rf "$tmp"; [ -z "$out" ] || rm -f "$out"' EXIT

# ---- the machine ----
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
ncpu=$(lscpu 2>/dev/null | sed -n 's/^CPU(s):[[:space:]]*//p' | head -1)
tpc=$(lscpu 2>/dev/null | sed -n 's/^Thread(s) per core:[[:space:]]*//p' | head -1)
cps=$(lscpu 2>/dev/null | sed -n 's/^Core(s) per socket:[[:space:]]*//p' | head -1)
sockets=$(lscpu 2>/dev/null | sed -n 's/^Socket(s):[[:space:]]*//p' | head -1)
mem_kib=$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/meminfo)
mem=$(awk -v k="$mem_kib" 'BEGIN { printf "%.1f GiB", k / 1048576 }')
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
kernel=$(uname -sr)
gccv=$(gcc --version 2>/dev/null | head -1)
version=$("$osq" --version 2>/dev/null | head -1)   # its first line: "osq X.Y.Z"; the rest is in the table below
cache=$(dirname "$osq")/CMakeCache.txt
build_type=unknown
if [ -f "$cache" ]; then
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache")
fi
# the flags the binary was compiled with, as it reports them (the build type's and the project's)
flags=$("$osq" --version 2>/dev/null | sed -n 's/^flags *//p')
build_type="$build_type${flags:+ ($flags)}"
commit=$(git rev-parse HEAD 2>/dev/null || echo "not a git work tree")
# --no-optional-locks: only read the index, never refresh it (others may be using the tree).
# RESULTS.md itself does not count: it is what this script rewrites.
if [ -n "$(git --no-optional-locks status --porcelain --untracked-files=no -- . ':!bench/RESULTS.md' 2>/dev/null)" ]; then
  commit="$commit (plus uncommitted changes)"
fi
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the runs ----
: >"$tmp/commands"
: >"$tmp/lines"
for w in $workloads; do
  cmd=("$osq" bench "bench/$w.cfg" --threads "$threads" --repeat "$repeat")
  echo "${osq_arg} bench bench/$w.cfg --threads $threads --repeat $repeat" >>"$tmp/commands"
  echo "bench/run.sh: ${cmd[*]}" >&2
  "${cmd[@]}" >"$tmp/$w.out"
  rc=$?
  cat "$tmp/$w.out"
  if [ $rc != 0 ]; then
    echo "bench/run.sh: osq bench bench/$w.cfg exited $rc; bench/RESULTS.md not replaced" >&2
    exit $rc
  fi
  grep '^bench: ' "$tmp/$w.out" | sed "s|^|$w |" >>"$tmp/lines"
done
if [ "${STUDY:-1}" = 1 ]; then
  echo "bench/run.sh: bench/study.sh $osq" >&2
  bash "$here/study.sh" "$osq" > "$tmp/study.md" ||
    { echo "bench/run.sh: bench/study.sh failed; bench/RESULTS.md not replaced" >&2; exit 3; }
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# ---- RESULTS.md ----
field() { # line key -> value
  echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
years_of() { # workload -> the simulated years a trial of bench/W.cfg runs
  local last first
  last=$(sed -n 's/^[[:space:]]*last_year[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "bench/$1.cfg" | head -1)
  first=$(sed -n 's/^[[:space:]]*first_year[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "bench/$1.cfg" | head -1)
  echo $((last - first + 1))
}
commas() { # 12345.6 -> 12,346 (not printf %'d: that depends on the locale)
  awk -v x="$1" 'BEGIN { s = sprintf("%.0f", x); n = length(s); o = "";
    for (i = 1; i <= n; i++) { o = o substr(s, i, 1); if (i < n && (n - i) % 3 == 0) o = o "," } print o }'
}
out=$(mktemp "$here/.RESULTS.md.XXXXXX") || exit 3
{
  echo "# osq bench results"
  echo
  echo "Written by \`bench/run.sh\`; do not edit by hand, but the sections \"Measured by hand\" at the end. Throughput is wall-clock time of the trial"
  echo "loop alone (the engine's set-up is timed apart); \"best\" and \"median\" are over $repeat runs"
  echo "per thread count, and a large gap between them means the machine was busy with other work."
  echo "Speed-up and efficiency are against 1 thread (efficiency = speed-up / threads)."
  echo "The machine is a shared VM: read the numbers with the load average below in mind."
  echo
  echo "## Machine and build"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| CPU | ${cpu:-unknown} |"
  echo "| CPUs | ${ncpu:-?} (${sockets:-?} socket(s) x ${cps:-?} core(s) x ${tpc:-?} thread(s) per core) |"
  echo "| Memory | $mem (MemTotal, /proc/meminfo) |"
  echo "| OS | ${os:-unknown}, $kernel |"
  echo "| Compiler | $gccv |"
  echo "| osq | $version, build type $build_type |"
  echo "| Commit | $commit |"
  echo "| Date | $started to $finished (UTC) |"
  echo "| Load average (1, 5, 15 min) | before $load_before, after $load_after |"
  echo
  echo "## Commands"
  echo
  echo '```sh'
  cat "$tmp/commands"
  echo '```'
  echo
  echo "## Scaling"
  echo
  echo "The last two columns are each thread's own pace (trials per second of the time it spent running"
  echo "blocks, in the best run) and the loop's rate as a share of their sum: a speed-up below the thread"
  echo "count is the host's when the threads' paces differ (this VM slows one core at times), the"
  echo "loop's (waiting at the end of each wave of blocks) when the share is below 100 %."
  echo
  echo "| workload | threads | trials/s (best) | trials/s (median) | speed-up vs 1 thread | efficiency | hash | thread pace (trials/s) | of their sum |"
  echo "|---|---:|---:|---:|---:|---:|---|---:|---:|"
  while read -r w rest; do
    t=$(field "$rest" threads)
    r=$(field "$rest" trials_per_s)
    tr=$(field "$rest" trials)
    med=$(field "$rest" median_s)
    s=$(field "$rest" speedup)
    e=$(field "$rest" efficiency)
    h=$(field "$rest" hash)
    st=$(field "$rest" status)
    lo=$(field "$rest" thread_rate_min)
    hi=$(field "$rest" thread_rate_max)
    pace="" share=""
    if [ -n "$lo" ]; then
      pace="$(commas "$lo")-$(commas "$hi")"
      share=$(awk -v x="$(field "$rest" balance)" 'BEGIN { printf "%.1f %%", 100 * x }')
    fi
    printf '| %s | %s | %s | %s | %.2fx | %.1f %% | `%s` (%s) | %s | %s |\n' "$w" "$t" \
      "$(commas "$r")" "$(commas "$(awk -v n="$tr" -v s="$med" 'BEGIN { print n / s }')")" "$s" "$(awk -v x="$e" 'BEGIN { print 100 * x }')" "$h" "$st" \
      "$pace" "$share"
  done <"$tmp/lines"
  echo
  echo "## Against the lower bound"
  echo
  echo "Beside every configuration \`osq bench\` times a lower bound (\`bench/lowerbound.c\`): a tight loop"
  echo "that does the run's own random draws (one Philox stream per trial) and marks the run's imaged"
  echo "cells in a flight set and a year set (bit test-and-set, index list, area per territory), in"
  echo "as many row runs as the swaths made (a flight's runs in consecutive rows, as a swath's are),"
  echo "with no routes, no geometry and no statistics, on the same threads. Ratio = trial loop /"
  echo "lower bound (best of $repeat each)."
  echo
  echo "| workload | threads | trial loop (s) | lower bound (s) | ratio | draws | cell marks | runs |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  while read -r w rest; do
    lb=$(field "$rest" lower_bound_s)
    [ -n "$lb" ] || continue
    printf '| %s | %s | %.3f | %.3f | %.2fx | %s | %s | %s |\n' "$w" "$(field "$rest" threads)" "$(field "$rest" seconds)" \
      "$lb" "$(field "$rest" ratio)" "$(commas "$(field "$rest" draws)")" "$(commas "$(field "$rest" cell_marks)")" \
      "$(commas "$(field "$rest" runs)")"
  done <"$tmp/lines"
  echo
  if grep -q ' quota_bound_s=' "$tmp/lines"; then
    echo "## Against the quota-model bound"
    echo
    echo "Beside every configuration without geography \`osq bench\` also times the quota-model bound"
    echo "(\`osq_lb_quota_run\`, \`bench/lowerbound.c\`): the trials' own draws and nothing else, each trial's"
    echo "model stream giving its share of the run's words as the uniform doubles the model makes of"
    echo "them. Quota ratio = trial loop / quota bound (best of $repeat each)."
    echo
    echo "| workload | threads | trial loop (s) | µs per trial-year per thread | quota bound (s) | quota ratio | draws |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    while read -r w rest; do
      qb=$(field "$rest" quota_bound_s)
      [ -n "$qb" ] || continue
      y=$(years_of "$w")
      printf '| %s | %s | %.3f | %.2f | %.3f | %.2fx | %s |\n' "$w" "$(field "$rest" threads)" "$(field "$rest" seconds)" \
        "$(awk -v s="$(field "$rest" seconds)" -v t="$(field "$rest" threads)" -v n="$(field "$rest" trials)" \
          -v y="$y" 'BEGIN { print 1e6 * s * t / (n * y) }')" \
        "$qb" "$(field "$rest" quota_ratio)" "$(commas "$(field "$rest" draws)")"
    done <"$tmp/lines"
    echo
    echo "Where the trial loop's time goes: \`osq bench\` also runs the same trials through the quota model's"
    echo "steps and nothing after them (\`bench/stages.c\`: the distribution alone, then the whole model:"
    echo "distribution, schedule, execution; it checks that the model drew every word the run drew)."
    echo "Accounting = trial loop less the model alone: the metrics, the statistics, the digest. In µs"
    echo "per trial-year per thread, best of $repeat each."
    echo
    echo "| workload | threads | trial loop | model alone | distribution | schedule and execution | accounting |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    while read -r w rest; do
      ms=$(field "$rest" model_s)
      [ -n "$ms" ] || continue
      y=$(years_of "$w")
      awk -v w="$w" -v s="$(field "$rest" seconds)" -v m="$ms" -v d="$(field "$rest" distribution_s)" \
        -v t="$(field "$rest" threads)" -v n="$(field "$rest" trials)" -v y="$y" \
        'BEGIN { k = 1e6 * t / (n * y); printf "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", w, t, k * s, k * m, k * d, k * (m - d), k * (s - m) }'
    done <"$tmp/lines"
    echo
  fi
  echo "Workloads: \`bench/small.cfg\` (2019, 2,000 trials, geography for 100 of them, every 20th, blocks of 16),"
  echo "\`bench/baseline.cfg\` (as \`scenarios/baseline.cfg\` with the built-in model defaults, not fitted.cfg: 2019, 10,000 trials, geography for 1,000 of them,"
  echo "every 10th, blocks of 256), \`bench/heavy.cfg\` (2002-2025, 2,000 trials, geography at 0.05 degrees for 100 of them, every 20th,"
  echo "blocks of 16), \`bench/quota.cfg\` (the quota model alone: 2019, 20,000 trials, geography off, blocks of 256)."
  echo "Trials with geography cost far more than the others, so trials/s depends on"
  echo "the mix; compare a workload only with itself."
  echo "The hash must be the same for every thread count of a workload (\`osq bench\` exits 1"
  echo "otherwise); \`(unchecked)\` means no expected value was given with \`--expect-hash\`."
  echo
  if [ -s "$tmp/study.md" ]; then
    cat "$tmp/study.md"
    echo
  fi
  echo "## Raw \`bench:\` lines"
  echo
  echo '```'
  cut -d' ' -f2- "$tmp/lines"
  echo '```'
  # Sections measured by hand (not by this script) are kept from the previous RESULTS.md: from the
  # first heading "## Measured by hand" to the end.
  if [ -f "$here/RESULTS.md" ] && grep -q '^## Measured by hand' "$here/RESULTS.md"; then
    echo
    sed -n '/^## Measured by hand/,$p' "$here/RESULTS.md"
  fi
} >"$out" || { rm -f "$out"; exit 3; }
chmod 644 "$out"
mv -f "$out" "$here/RESULTS.md" || { rm -f "$out"; exit 3; }
echo "bench/run.sh: wrote bench/RESULTS.md" >&2
