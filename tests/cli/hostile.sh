#!/bin/bash
# Hostile inputs and environments (issue #7): circular and self @includes; a full output file
# system, one that fills up midway, and a read-only one (small tmpfs mounts); a scenario whose
# raster needs more memory than is available; 2^40 trials. Each must end with one clear
# "osq: error:" line, the documented exit code (README "Exit codes": 2 bad input, 3 runtime error
# such as I/O or memory, 130 interrupted), no hang, and nothing half-written: no temporaries, no
# truncated file, no output directory left by a run that wrote nothing.
#
# The file systems are small tmpfs mounts in a private mount namespace, so nothing stays mounted:
# `unshare -m` as root with CAP_SYS_ADMIN, else `unshare -rm` (an unprivileged user namespace).
# Where neither may mount (a container whose seccomp profile refuses mount and unshare, as
# Docker's default does), or with OSQ_TEST_FORCE_SHIM=1, they are simulated instead: an
# LD_PRELOAD shim (tests/cli/enospc_shim.c, built here with the system C compiler, ${CC:-cc})
# makes osq's writes under the output directory fail with ENOSPC once a byte budget is spent
# (EROFS for the read-only case). Both ways check the same things; neither is skipped.
# Usage: hostile.sh /path/to/osq /path/to/repo
set -u
osq=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$2" || exit 1
repo=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/osq_hostile.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fail=0 n=0
pass() { n=$((n + 1)); }
flunk() { # name, then lines to show
  n=$((n + 1))
  fail=$((fail + 1))
  echo "FAIL $1"
  shift
  [ $# -gt 0 ] && printf '  %s\n' "$@"
}
# expect NAME RC WANT_RC ERRFILE REGEX: exit code, and stderr exactly one line matching REGEX.
expect() {
  local name=$1 rc=$2 want_rc=$3 errf=$4 re=$5
  if [ "$rc" != "$want_rc" ]; then flunk "$name: exit $rc, expected $want_rc" "$(head -c 1500 "$errf")"; return 1; fi
  if [ "$(wc -l <"$errf")" != 1 ] || ! grep -Eq -- "$re" "$errf"; then
    flunk "$name: stderr is not one line matching: $re" "$(head -c 1500 "$errf")"
    return 1
  fi
  pass
}

# A small treaty (tests/bad/inc/mini_treaty.cfg) next to every scenario written here.
mk() { mkdir -p "$work/$1" && cp tests/bad/inc/mini_treaty.cfg "$work/$1/"; }

# ------------------------------------------------------------------------------------------------
# Circular and self includes: refused by name, exit 2, no hang, nothing written.
# ------------------------------------------------------------------------------------------------
mk inc
printf '@include "mini_treaty.cfg"\n@include "b.cfg"\nsimulation = { trials = 100; };\n' >"$work/inc/a.cfg"
printf '# b includes a, which includes b\n@include "a.cfg"\n' >"$work/inc/b.cfg"
printf '@include "mini_treaty.cfg"\n@include "self.cfg"\n' >"$work/inc/self.cfg"
d=$work/inc
circ="^osq: error: $d/b\\.cfg:2: @include \"a\\.cfg\" is circular: $d/a\\.cfg -> $d/b\\.cfg -> $d/a\\.cfg \\(expected no file to include itself, directly or through others\\)$"
self="^osq: error: $d/self\\.cfg:2: @include \"self\\.cfg\" is circular: $d/self\\.cfg -> $d/self\\.cfg \\("
timeout 20 "$osq" check "$d/a.cfg" >"$work/out" 2>"$work/err"
expect circular_check $? 2 "$work/err" "$circ" && [ -s "$work/out" ] && flunk "circular_check: printed on stdout"
timeout 20 "$osq" check "$d/self.cfg" >"$work/out" 2>"$work/err"
expect self_include_check $? 2 "$work/err" "$self"
timeout 20 "$osq" run "$d/a.cfg" --out "$work/inc_out" --quiet 2>"$work/err"
expect circular_run $? 2 "$work/err" "$circ" && [ -e "$work/inc_out" ] && flunk "circular_run: created $work/inc_out"
timeout 20 "$osq" compare tests/bad/ok_mini.cfg "$d/self.cfg" --out "$work/inc_cmp" 2>"$work/err" >/dev/null
expect self_include_compare $? 2 "$work/err" "$self" && [ -e "$work/inc_cmp" ] && flunk "self_include_compare: created $work/inc_cmp"

# ------------------------------------------------------------------------------------------------
# A scenario that needs more memory than is available: refused before the geography is set up.
# OSQ_MEMORY_LIMIT_MIB stands for a small machine. (Needs osq_memory_check in osq_run_execute and
# osq_memory_check_compare in osq_run_compare, before osq_geo_setup.)
# ------------------------------------------------------------------------------------------------
mk mem
printf '@include "mini_treaty.cfg"\nsimulation = { trials = 100; };\ngeo = {\n  resolution_deg = 0.05;\n};\n' \
  >"$work/mem/fine.cfg"
mem="^osq: error: $work/mem/fine\\.cfg:4: this run needs about [0-9.]+ [GM]iB of memory \\(a raster of 0\\.05 degrees: 25,920,000 cells; 2 threads x [0-9.]+ [GM]iB; map and statistics [0-9.]+ [GM]iB\\) but the machine has 64 MiB available \\(OSQ_MEMORY_LIMIT_MIB\\); nothing was run \\(expected a coarser geo\\.resolution_deg: [0-9.]+ fits; OSQ_MEMORY_LIMIT_MIB=N sets the MiB available, 0 turns the check off\\)$"
t0=$(date +%s%N)
OSQ_MEMORY_LIMIT_MIB=64 timeout 20 "$osq" run "$work/mem/fine.cfg" --threads 2 --out "$work/mem_out" --quiet 2>"$work/err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect memory_run "$rc" 3 "$work/err" "$mem" && echo "  (memory_run: refused in $ms ms)"
[ -e "$work/mem_out" ] && flunk "memory_run: created $work/mem_out"
OSQ_MEMORY_LIMIT_MIB=64 timeout 20 "$osq" compare "$work/mem/fine.cfg" "$work/mem/fine.cfg" --threads 2 \
  --out "$work/mem_cmp" 2>"$work/err" >"$work/out"
expect memory_compare $? 3 "$work/err" "^osq: error: $work/mem/fine\\.cfg:4: osq compare of 2 scenarios needs about .* but the machine has 64 MiB available \\(OSQ_MEMORY_LIMIT_MIB\\); nothing was run \\("
[ -e "$work/mem_cmp" ] && flunk "memory_compare: created $work/mem_cmp"
# The finest raster is named, wherever it is on the command line: a coarse scenario first.
printf '@include "mini_treaty.cfg"\nsimulation = { trials = 100; };\ngeo = {\n  resolution_deg = 1.0;\n};\n' \
  >"$work/mem/coarse.cfg"
OSQ_MEMORY_LIMIT_MIB=64 timeout 20 "$osq" compare "$work/mem/coarse.cfg" "$work/mem/fine.cfg" --threads 2 \
  --out "$work/mem_cmp2" 2>"$work/err" >"$work/out"
expect memory_compare_finest $? 3 "$work/err" "^osq: error: $work/mem/fine\\.cfg:4: osq compare of 2 scenarios needs about .* \\(a raster of 0\\.05 degrees: "
[ -e "$work/mem_cmp2" ] && flunk "memory_compare_finest: created $work/mem_cmp2"
# The same scenario runs when the machine has room (0: no limit): the check refuses only what
# cannot fit.
OSQ_MEMORY_LIMIT_MIB=0 timeout 120 "$osq" run "$work/mem/fine.cfg" --trials 2 --threads 1 --out "$work/mem_ok" \
  --quiet --format csv 2>"$work/err"
rc=$?
if [ $rc = 0 ] && [ -s "$work/mem_ok/summary.csv" ]; then pass; else flunk "memory_unlimited: exit $rc" "$(head -c 800 "$work/err")"; fi

# ------------------------------------------------------------------------------------------------
# 2^40 trials: the largest count parses, runs (interrupted after 3 s: exit 130, partial results
# with the full count in run.json) and one more is refused.
# ------------------------------------------------------------------------------------------------
mk t40
printf '@include "mini_treaty.cfg"\nsimulation = { trials = 100; seed = 7; };\ngeo = { enabled = false; };\n' \
  >"$work/t40/nogeo.cfg"
"$osq" run "$work/t40/nogeo.cfg" --trials 1099511627777 --out "$work/t40/x" 2>"$work/err"
expect trials_above_2_40 $? 2 "$work/err" "^osq: error: --trials '1099511627777' is not an integer in \\[1, 2\\^40\\] \\(see osq --help\\)$"
timeout --preserve-status -s INT 3 "$osq" run "$work/t40/nogeo.cfg" --trials 1099511627776 --threads 2 \
  --out "$work/t40/out" --quiet 2>"$work/err"
rc=$?
if [ $rc = 130 ] && grep -q '"trials": 1099511627776,' "$work/t40/out/run.json" 2>/dev/null &&
  grep -q '"partial": true' "$work/t40/out/run.json" &&
  grep -Eq "^osq: interrupted: [1-9][0-9]* of 1099511627776 trials done" "$work/err"; then
  pass
else
  flunk "trials_2_40: exit $rc (expected 130 with partial results of 1099511627776 trials)" "$(head -c 800 "$work/err")"
fi

# A map over more trial-years with geography than its per-thread counters hold (2^40 - 1) is
# refused before anything runs (never a wrapped count): geography on every one of 2^40 trials.
printf '@include "mini_treaty.cfg"\nsimulation = { trials = 100; seed = 7; };\ngeo = { trials = 0; };\n' \
  >"$work/t40/allgeo.cfg"
timeout 60 "$osq" run "$work/t40/allgeo.cfg" --trials 1099511627776 --out "$work/t40/map" 2>"$work/err"
expect map_counts_overflow $? 3 "$work/err" "^osq: error: .*allgeo.cfg: a map over 1099511627776 trial-years with geography would overflow its counters \(at most 1099511627775\)"
if [ -e "$work/t40/map" ]; then flunk "map_counts_overflow: wrote $work/t40/map" ""; else pass; fi

# ------------------------------------------------------------------------------------------------
# Full, filling and read-only output file systems: a tmpfs where one can be mounted, else the shim.
# ------------------------------------------------------------------------------------------------
mnt=$work/mnt
mkdir -p "$mnt"
wrap=() shim="" why=""
if [ "${OSQ_TEST_FORCE_SHIM:-0}" = 1 ]; then
  why="forced by OSQ_TEST_FORCE_SHIM=1"
elif unshare -m bash -c "mount -t tmpfs -o size=64k tmpfs '$mnt'" 2>/dev/null; then
  wrap=(unshare -m)
elif unshare -rm bash -c "mount -t tmpfs -o size=64k tmpfs '$mnt'" 2>/dev/null; then
  wrap=(unshare -rm)
else
  why="mount not permitted here"
fi
if [ ${#wrap[@]} != 0 ]; then
  echo "  full disk: tmpfs via ${wrap[*]}"
elif ${CC:-cc} -std=c17 -O2 -Wall -Wextra -shared -fPIC -o "$work/enospc_shim.so" \
  "$repo/tests/cli/enospc_shim.c" -ldl 2>"$work/cc.err"; then
  shim=$work/enospc_shim.so
  echo "  full disk: LD_PRELOAD ENOSPC shim ($why)"
else
  flunk "full_disk: no tmpfs ($why) and the fallback, tests/cli/enospc_shim.c, does not build with ${CC:-cc}" \
    "$(head -c 1500 "$work/cc.err")"
fi
# case.sh SIZE MODE LOG CMD...: give CMD a file system at $mnt of SIZE bytes (MODE empty; fill:
# full from the start; ro: read-only), run it, record its exit code, stderr, and the listing and
# copy of what it left, under LOG.*. With a tmpfs it runs inside the private mount namespace.
cat >"$work/case.sh" <<END_OF_CASE
#!/bin/bash
size=\$1 mode=\$2 log=\$3
shift 3
env=()
if [ -n "$shim" ]; then
  rm -rf "$mnt" && mkdir "$mnt" || exit 99
  case \$mode in
    fill) env=(OSQ_TEST_FULL_DIR="$mnt" OSQ_TEST_FULL_BYTES=0) ;;
    ro) env=(OSQ_TEST_RO_DIR="$mnt") ;;
    *) env=(OSQ_TEST_FULL_DIR="$mnt" OSQ_TEST_FULL_BYTES="\$size") ;;
  esac
  # Under AddressSanitizer (tools/sanitize.sh) a library preloaded ahead of its runtime needs this.
  env+=(LD_PRELOAD="$shim\${LD_PRELOAD:+:\$LD_PRELOAD}"
    ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0")
else
  opts="size=\$size"
  [ "\$mode" = ro ] && opts="ro,\$opts"
  mount -t tmpfs -o "\$opts" tmpfs "$mnt" || exit 99
  [ "\$mode" = fill ] && dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
fi
ls -A "$mnt" >"\$log.before"
timeout 120 env "\${env[@]}" "\$@" >/dev/null 2>"\$log.err"
echo \$? >"\$log.rc"
(cd "$mnt" && find . | LC_ALL=C sort) >"\$log.after"
mkdir -p "\$log.files" && cp -a "$mnt/." "\$log.files/"
exit 0
END_OF_CASE
# disk_case NAME SIZE MODE CMD...: run case.sh; 0 if it ran.
disk_case() {
  local name=$1 size=$2 mode=$3
  shift 3
  "${wrap[@]}" bash "$work/case.sh" "$size" "$mode" "$work/$name" "$@"
  local rc=$?
  if [ $rc != 0 ]; then flunk "$name: could not set up the file system (case.sh exit $rc)"; return 1; fi
  return 0
}
# nothing_left NAME: the file system holds what it held before (no output directory, no temporary).
nothing_left() {
  local want
  want=$(printf '.\n'; sed 's|^|./|' "$work/$1.before" | LC_ALL=C sort)
  if [ "$(cat "$work/$1.after")" != "$want" ]; then
    flunk "$1: left files behind" "$(diff <(echo "$want") "$work/$1.after")"
    return 1
  fi
  pass
}
# usage FILE: the room FILE takes (a tmpfs counts whole 4 KiB pages; the shim counts bytes).
usage() {
  local s
  s=$(stat -c %s "$1")
  if [ -n "$shim" ]; then echo "$s"; else echo $(((s + 4095) / 4096 * 4096)); fi
}
# room NEXT FILE...: a size in bytes on which FILE... fit and NEXT fills it up halfway through.
room() {
  local next=$1 total=0 f half
  shift
  for f; do total=$((total + $(usage "$f"))); done
  half=$(($(usage "$next") / 2))
  [ -z "$shim" ] && half=$((half / 4096 * 4096))
  echo $((total + half))
}

if [ ${#wrap[@]} != 0 ] || [ -n "$shim" ]; then
  # The references: the same runs on a roomy file system, to size the filling file systems and
  # to check that every file a failed run keeps is whole.
  "$osq" run tests/bad/ok_mini.cfg --threads 2 --out "$work/ref" --quiet 2>"$work/err"
  [ $? = 0 ] || flunk "reference run failed" "$(cat "$work/err")"
  "$osq" compare tests/bad/ok_mini.cfg tests/bad/ok_mini.cfg --trials 20 --format csv,json,md,tex \
    --out "$work/cref" >/dev/null 2>"$work/err"
  [ $? = 0 ] || flunk "reference compare failed" "$(cat "$work/err")"

  nospace="^osq: error: $mnt/out/[a-z_]+\\.[a-z]+: .*No space left on device$"
  # A full file system: the first file cannot be written.
  if disk_case run_full 256k fill "$osq" run tests/bad/ok_mini.cfg --threads 2 --out "$mnt/out" --quiet; then
    expect run_full "$(cat "$work/run_full.rc")" 3 "$work/run_full.err" "$nospace" && nothing_left run_full
  fi
  if disk_case compare_full 256k fill "$osq" compare tests/bad/ok_mini.cfg tests/bad/ok_mini.cfg --trials 20 \
    --out "$mnt/out"; then
    expect compare_full "$(cat "$work/compare_full.rc")" 3 "$work/compare_full.err" "$nospace" &&
      nothing_left compare_full
  fi
  # compare writes its files as one set: compare.csv fits, compare.json fills the file system
  # halfway through; nothing is kept.
  if disk_case compare_midway "$(room "$work/cref/compare.json" "$work/cref/compare.csv")" empty \
    "$osq" compare tests/bad/ok_mini.cfg tests/bad/ok_mini.cfg --trials 20 --format csv,json,md,tex \
    --out "$mnt/out"; then
    expect compare_midway "$(cat "$work/compare_midway.rc")" 3 "$work/compare_midway.err" \
      "^osq: error: $mnt/out/compare\\.json: .*No space left on device$" && nothing_left compare_midway
  fi
  # Filling up midway: the tables fit, map.csv does not (a), or map.csv fits and map.png does not
  # (b). The tables and any map file written before are whole (README: "each is written whole or
  # not at all, after the tables"); no temporary is left.
  tables=("$work/ref/summary.csv" "$work/ref/dyads.csv" "$work/ref/run.json")
  size_a=$(room "$work/ref/map.csv" "${tables[@]}")
  size_b=$(room "$work/ref/map.png" "${tables[@]}" "$work/ref/map.csv")
  for c in a b; do
    name=run_midway_$c
    size=size_$c
    if disk_case $name "${!size}" empty "$osq" run tests/bad/ok_mini.cfg --threads 2 --out "$mnt/out" --quiet; then
      want=map.csv
      [ $c = b ] && want=map.png
      expect $name "$(cat "$work/$name.rc")" 3 "$work/$name.err" "^osq: error: $mnt/out/$want: .*No space left on device$"
      left=$(grep -c '/\.' "$work/$name.after")
      if [ "$left" != 0 ]; then flunk "$name: left temporaries" "$(grep '/\.' "$work/$name.after")"; else pass; fi
      out=$work/$name.files/out bad_files=""
      for f in summary.csv dyads.csv; do cmp -s "$work/ref/$f" "$out/$f" || bad_files="$bad_files $f"; done
      if [ $c = b ]; then cmp -s "$work/ref/map.csv" "$out/map.csv" || bad_files="$bad_files map.csv"; fi
      if [ $c = a ] && [ -e "$out/map.csv" ]; then bad_files="$bad_files map.csv(cannot have fitted)"; fi
      [ -e "$out/map.png" ] && bad_files="$bad_files map.png(cannot have fitted)"
      tail -c 2 "$out/run.json" 2>/dev/null | grep -q '}' || bad_files="$bad_files run.json"
      if [ -n "$bad_files" ]; then flunk "$name: files not whole or not as expected:$bad_files"; else pass; fi
    fi
  done
  # A read-only file system: the output directory cannot be created.
  if disk_case run_readonly 64k ro "$osq" run tests/bad/ok_mini.cfg --threads 2 --out "$mnt/out" --quiet; then
    expect run_readonly "$(cat "$work/run_readonly.rc")" 3 "$work/run_readonly.err" \
      "^osq: error: $mnt/out.*Read-only file system$" && nothing_left run_readonly
  fi
fi

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
