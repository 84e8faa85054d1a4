#!/bin/bash
# osq bench: the exit codes and the machine-readable output, never the timings (a shared VM is
# too noisy for timing assertions). Checks: two thread counts give two `bench:` lines with the
# leading fields of README "Output files" and equal hashes (exit 0); that hash passed back as --expect-hash is accepted
# and a wrong one gives exit 1 with the whole report printed; bad options give exit 2 and nothing
# on stdout; a missing scenario is named; --json is one parseable document with the same hash;
# every bench workload passes osq check; without geography the model's stages are reported; each
# thread's pace is consistent with the loop's rate.
# Usage: bench.sh /path/to/osq /path/to/repo
set -u
osq=$1
case $osq in /*) ;; *) osq=$PWD/$osq ;; esac # the test changes directory below
cd "$2" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL: $*"; }

# Every bench workload (the scenario files of bench/; study.cfg is bench/study.sh's study) passes
# osq check, so that a workload bench/run.sh or a measurement by hand relies on cannot rot.
for f in bench/*.cfg; do
  grep -q '^study *=' "$f" && continue
  "$osq" check "$f" >/dev/null 2>"$tmp/err" && ok || bad "osq check $f: $(head -1 "$tmp/err")"
done

# Two thread counts: exit 0, two bench: lines, equal hashes.
"$osq" bench bench/small.cfg --threads 1,2 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && ok || { bad "--threads 1,2 exited $rc"; cat "$tmp/err"; }
grep '^bench: ' "$tmp/out" >"$tmp/lines"
[ "$(wc -l <"$tmp/lines")" = 2 ] && ok || bad "expected 2 bench: lines, got $(wc -l <"$tmp/lines")"
re='^bench: scenario=small threads=([0-9]+) trials=2000 seconds=[0-9.e+-]+ trials_per_s=[0-9.e+-]+ hash=([0-9a-f]{16})( |$)'
threads=$(sed -nE "s/$re.*/\1/p" "$tmp/lines" | tr '\n' ' ')
[ "$threads" = "1 2 " ] && ok || { bad "bench: lines lack the leading fields in order (threads seen: '$threads')"; cat "$tmp/lines"; }
hashes=$(sed -nE "s/$re.*/\2/p" "$tmp/lines" | sort -u)
[ "$(echo "$hashes" | wc -l)" = 1 ] && [ -n "$hashes" ] && ok || bad "hashes differ between 1 and 2 threads: $hashes"
grep -q 'status=unchecked$' "$tmp/lines" && ok || bad "no status=unchecked without --expect-hash"
grep -q '^Verification: .*(unchecked)' "$tmp/out" && ok || bad "no Verification line in the report"

# The hash it printed is accepted as --expect-hash (with 0x), a wrong one is exit 1.
"$osq" bench bench/small.cfg --threads 1 --expect-hash "0x$hashes" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'status=valid$' "$tmp/out" && ok || bad "--expect-hash 0x$hashes: exit $rc, or no status=valid"
"$osq" bench bench/small.cfg --threads 1,2 --expect-hash 0000000000000000 >"$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] && ok || bad "--expect-hash 0000000000000000 exited $rc, expected 1"
[ "$(grep -c '^bench: .*status=INVALID$' "$tmp/out")" = 2 ] && ok || bad "a mismatch must still print both bench: lines, status=INVALID"
grep -q 'INVALID: expected 0x0000000000000000' "$tmp/out" && ok || bad "the report does not say which hash was expected"

# Usage errors: exit 2, a message on stderr, nothing on stdout.
usage() {
  "$osq" bench "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ $rc != 2 ]; then bad "bench $* exited $rc, expected 2"
  elif [ -s "$tmp/out" ]; then bad "bench $* printed on stdout"
  elif ! grep -q '^osq: error: ' "$tmp/err"; then bad "bench $* gave no error message"
  else ok; fi
}
usage bench/small.cfg --threads 0
usage bench/small.cfg --threads 1,,2
usage bench/small.cfg --threads
usage bench/small.cfg --trials 0
usage bench/small.cfg --repeat 0
usage bench/small.cfg --expect-hash nothex
usage bench/small.cfg --no-such-option
usage bench/small.cfg bench/small.cfg
usage bench/no_such_workload.cfg
grep -q "bench/no_such_workload.cfg' does not exist" "$tmp/err" && ok || bad "a missing scenario is not named"
usage tests/bad/01_syntax_error.cfg
# The default scenario is relative to the working directory: say so where it is missing.
(cd "$tmp" && "$osq" bench >/dev/null 2>"$tmp/err"; echo $? >"$tmp/rc")
[ "$(cat "$tmp/rc")" = 2 ] && grep -q "scenarios/baseline.cfg' does not exist" "$tmp/err" && ok ||
  bad "a missing default scenario: exit $(cat "$tmp/rc"), stderr: $(cat "$tmp/err")"

# --json: one document that parses, with the same hash and no text report around it.
"$osq" bench bench/small.cfg --threads 1,2 --repeat 2 --json >"$tmp/json" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && ok || bad "--json exited $rc"
python3 -c 'import json,sys; json.load(sys.stdin)' <"$tmp/json" && ok || bad "--json output does not parse"
python3 - "$tmp/json" "$hashes" <<'EOF' && ok || bad "--json content"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["configurations"]
assert [x["threads"] for x in c] == [1, 2], c
assert all(x["hash"] == sys.argv[2] for x in c), c
assert all(len(x["repeats"]) == 2 and x["trials"] == 2000 for x in c), c
assert d["verification"]["status"] == "unchecked" and d["verification"]["hash"] == sys.argv[2], d["verification"]
assert d["scenario"]["name"] == "small" and d["repeat"] == 2, d
EOF

# Without geography the report adds the quota bound and the model's own stages (bench/stages.h):
# their fields on the bench: line, their lines in the report, their object in the JSON; with
# geography none of them (their loops would not be the run's work).
"$osq" bench bench/quota.cfg --trials 600 --threads 1,2 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && ok || { bad "bench/quota.cfg exited $rc"; cat "$tmp/err"; }
[ "$(grep -cE '^bench: .* quota_bound_s=[0-9.]+ quota_ratio=[0-9.]+ model_s=[0-9.]+ distribution_s=[0-9.]+ ' "$tmp/out")" = 2 ] &&
  ok || bad "bench/quota.cfg: no model_s, distribution_s on both bench: lines"
for k in 'Model alone:' 'Distribution:' 'Accounting:'; do
  [ "$(grep -c "^$k " "$tmp/out")" = 2 ] && ok || bad "bench/quota.cfg: '$k' not in both configurations"
done
grep -q ' model_s=' "$tmp/lines" && bad "small.cfg (geography on) reports model_s" || ok
# Each thread's pace (one rank): the slowest at most the fastest, and the loop at most their sum
# (balance in (0, 1]: a thread's busy time is within the loop's); absent from no configuration.
awk '/^bench: / {
  for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  if (!(v["thread_rate_min"] > 0 && v["thread_rate_min"] <= v["thread_rate_max"] && v["balance"] > 0 && v["balance"] <= 1)) bad++
  seen++ } END { exit !(seen == 2 && !bad) }' "$tmp/out" && ok || bad "thread_rate_min, thread_rate_max, balance: $(grep -o 'thread_rate.*balance=[0-9.]*' "$tmp/out" | tr '\n' ' ')"
[ "$(grep -c '^Thread pace: ' "$tmp/out")" = 2 ] && ok || bad "no 'Thread pace:' line in both configurations"
"$osq" bench bench/quota.cfg --trials 600 --threads 2 --json >"$tmp/json" 2>"$tmp/err" || bad "quota.cfg --json exited $?"
python3 - "$tmp/json" <<'EOF' && ok || bad "quota.cfg --json: no model_alone"
import json, sys
c = json.load(open(sys.argv[1]))["configurations"][0]
m = c["model_alone"]
assert m["seconds"] > 0 and m["distribution_seconds"] > 0, m
EOF

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
