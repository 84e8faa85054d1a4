#!/bin/bash
# Resume: a run stopped early (OSQ_STOP_AFTER_BLOCKS, the deterministic stand-in for a signal, or
# a real SIGINT) writes DIR/checkpoint.osq with its partial results; `osq run SCENARIO --resume DIR`
# finishes it with result files byte-identical to an uninterrupted run's (run.json up to threads,
# wall_seconds, created), on any thread count, across repeated interruptions, and removes the
# checkpoint. A checkpoint of another run (scenario, seed, trials), or a missing, truncated or
# corrupt one, is refused with exit 2 and one message, and nothing is written.
# Usage: resume.sh /path/to/osq /path/to/repo
set -u
osq=$1
cd "$2" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
t() { n=$((n + 1)); }

# Two years (timeline charts), geography on 60 of 2,000 trials (map.csv, map.png), every format,
# 125 blocks of 16: about a second a run.
cp scenarios/treaty.cfg "$tmp/"
cat >"$tmp/s.cfg" <<EOF
@include "treaty.cfg"
simulation = { name = "resume"; trials = 2000; seed = 11; first_year = 2019; last_year = 2020; block_size = 16; };
geo = { trials = 60; };
output = { dir = "$tmp/default"; formats = [ "csv", "json", "md", "tex" ]; };
EOF
run() { "$osq" run "$tmp/s.cfg" --quiet "$@"; }
stop() { OSQ_STOP_AFTER_BLOCKS=$1 "$osq" run "$tmp/s.cfg" --quiet "${@:2}"; }
strip() { grep -v -e '"wall_seconds"' -e '"created"' -e '"threads"' "$1"; }
# same REF DIR LABEL: the same files, byte for byte (run.json up to the environment fields).
same() {
  t; [ "$(ls -A "$1")" = "$(ls -A "$2")" ] || bad "$3: files differ: $(ls -A "$2" | tr '\n' ' ')"
  for f in "$1"/*; do
    b=$(basename "$f")
    [ "$b" = run.json ] && continue
    t; cmp -s "$f" "$2/$b" || bad "$3: $b differs from the uninterrupted run's"
  done
  t; diff -q <(strip "$1/run.json") <(strip "$2/run.json") >/dev/null || bad "$3: run.json differs beyond threads/wall_seconds/created"
}
done_of() { sed -n 's/.*"trials_done": \([0-9]*\).*/\1/p' "$1/run.json" | head -1; }
# interrupted RC DIR LABEL: exit 130, partial results and a checkpoint.
interrupted() {
  t; [ "$1" = 130 ] || bad "$3: exit $1, expected 130"
  t; grep -q '"partial": true' "$2/run.json" 2>/dev/null || bad "$3: run.json not marked partial"
  t; [ -s "$2/checkpoint.osq" ] || bad "$3: no checkpoint.osq"
}

run --threads 2 --out "$tmp/ref" || { echo "FAIL: reference run exited $?"; exit 1; }

# 1. Interrupted once (2 threads), resumed on 1 thread.
stop 20 --threads 2 --out "$tmp/a" 2>"$tmp/a.err"; interrupted $? "$tmp/a" "once"
t; grep -q -- "--resume $tmp/a\$" "$tmp/a.err" || bad "once: the message does not say how to resume: $(cat "$tmp/a.err")"
run --threads 1 --resume "$tmp/a"; rc=$?
t; [ $rc = 0 ] || bad "once: resume exited $rc"
same "$tmp/ref" "$tmp/a" "once"

# 2. Interrupted, resumed and interrupted again on other thread counts, resumed to the end.
stop 10 --threads 1 --out "$tmp/b" 2>/dev/null; interrupted $? "$tmp/b" "twice (1st)"
d1=$(done_of "$tmp/b")
stop 50 --threads 2 --resume "$tmp/b" 2>/dev/null; interrupted $? "$tmp/b" "twice (2nd)"
d2=$(done_of "$tmp/b")
t; [ -n "$d1" ] && [ -n "$d2" ] && [ "$d1" -lt "$d2" ] && [ "$d2" -lt 2000 ] || bad "twice: trials_done $d1 then $d2"
run --threads 3 --resume "$tmp/b"; rc=$?
t; [ $rc = 0 ] || bad "twice: resume exited $rc"
same "$tmp/ref" "$tmp/b" "twice"

# 3. Seed, trials and formats given to the interrupted run are the resumed run's without repeating
#    them; given again they must match, and another seed, trial count or scenario is refused with
#    exit 2, one message, and the directory untouched.
run --threads 2 --seed 5 --trials 1000 --format csv,json --out "$tmp/ref5"
stop 12 --threads 2 --seed 5 --trials 1000 --format csv,json --out "$tmp/c" 2>/dev/null; interrupted $? "$tmp/c" "seed 5"
refused() { # LABEL EXPECTED_MESSAGE_PART CMD...
  local label=$1 want=$2
  shift 2
  rm -rf "$tmp/c.before"
  cp -a "$tmp/c" "$tmp/c.before"
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  t; [ $rc = 2 ] || bad "$label: exit $rc, expected 2"
  t; [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q -- "^osq: error: .*$want" "$tmp/err" || bad "$label: message: $(cat "$tmp/err")"
  t; [ ! -s "$tmp/out" ] || bad "$label: wrote to stdout"
  t; diff -r "$tmp/c.before" "$tmp/c" >/dev/null || bad "$label: the directory changed"
}
ck="$tmp/c/checkpoint.osq"
refused "other seed" "$ck: belongs to a run with seed 5, not 6" run --resume "$tmp/c" --seed 6
refused "other trials" "$ck: belongs to a run of 1000 trials, not 2000" run --resume "$tmp/c" --trials 2000
sed 's/name = "resume"/name = "resumed"/' "$tmp/s.cfg" >"$tmp/s2.cfg"
refused "other scenario" "$ck: belongs to another scenario" "$osq" run "$tmp/s2.cfg" --quiet --resume "$tmp/c"
refused "with --out" "--out cannot be given with it" run --resume "$tmp/c" --out "$tmp/elsewhere"
refused "no checkpoint" "$tmp/ref/checkpoint.osq: cannot read the checkpoint: No such file or directory" \
  run --resume "$tmp/ref"
t; [ ! -e "$tmp/elsewhere" ] || bad "with --out: created $tmp/elsewhere"
refused "fresh run over a checkpoint" "$tmp/c: holds an interrupted run (checkpoint.osq): continue it with --resume" \
  run --out "$tmp/c" --format csv
cp "$ck" "$tmp/c.good"
size=$(stat -c %s "$ck")
head -c $((size / 2)) "$tmp/c.good" >"$ck"
refused "truncated" "$ck: truncated checkpoint ($((size / 2)) of $size bytes)" run --resume "$tmp/c"
cp "$tmp/c.good" "$ck"
printf '\x55' | dd of="$ck" bs=1 seek=$((size / 3)) conv=notrunc status=none
cmp -s "$ck" "$tmp/c.good" && printf '\xaa' | dd of="$ck" bs=1 seek=$((size / 3)) conv=notrunc status=none
refused "corrupt" "$ck: corrupt checkpoint: checksum mismatch" run --resume "$tmp/c"
: >"$ck"
refused "empty" "$ck: not an osq checkpoint" run --resume "$tmp/c"
cp "$tmp/c.good" "$ck"
run --threads 1 --resume "$tmp/c"; rc=$?
t; [ $rc = 0 ] || bad "seed 5: resume exited $rc"
same "$tmp/ref5" "$tmp/c" "seed 5"

# 4. A real SIGINT resumes too. The run (quota model only) must outlast the one-second sleep by a
# wide margin on any machine: 1,000,000 trials take about 5 s on 2 threads of the 2-core VM at
# 9 us a trial-year. (200,000 trials once finished inside the second, after the model got faster.)
cat >"$tmp/q.cfg" <<EOF
@include "treaty.cfg"
simulation = { name = "quota"; trials = 1000000; seed = 3; first_year = 2019; block_size = 64; };
geo = { enabled = false; };
EOF
"$osq" run "$tmp/q.cfg" --quiet --threads 2 --out "$tmp/qref" --format csv,json
"$osq" run "$tmp/q.cfg" --quiet --threads 2 --out "$tmp/q" --format csv,json 2>/dev/null &
pid=$!
sleep 1
kill -INT $pid || bad "SIGINT: the run had ended before the signal (make it longer)"
wait $pid; interrupted $? "$tmp/q" "SIGINT"
"$osq" run "$tmp/q.cfg" --quiet --threads 2 --resume "$tmp/q"; rc=$?
t; [ $rc = 0 ] || bad "SIGINT: resume exited $rc"
same "$tmp/qref" "$tmp/q" "SIGINT"

# 5. --force over a checkpoint: a fresh run replaces the interrupted one and removes its checkpoint.
stop 8 --threads 2 --out "$tmp/e" 2>/dev/null; interrupted $? "$tmp/e" "force"
run --threads 2 --out "$tmp/e" --force; rc=$?
t; [ $rc = 0 ] || bad "force: exit $rc"
same "$tmp/ref" "$tmp/e" "force"

t; [ -z "$(find "$tmp" -name '.*.tmp.*')" ] || bad "temporary files left: $(find "$tmp" -name '.*.tmp.*')"
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
