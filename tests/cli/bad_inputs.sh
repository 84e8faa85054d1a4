#!/bin/bash
# The bad-input corpus: every tests/bad/NN_*.cfg must make `osq check` exit 2, print exactly the
# "# expect:" lines at the end of the file on stderr, and nothing on stdout. Also checks a few
# inputs that cannot live in the corpus (missing file, directory, binary file) and that the one
# valid corpus file passes.
# Usage: bad_inputs.sh /path/to/osq /path/to/repo
set -u
osq=$1
cd "$2" || exit 1
fail=0 n=0
check() { # name expected_rc expected_stderr_file cmd...
  local name=$1 want_rc=$2 want=$3; shift 3
  local out err rc
  out=$("$@" 2>/tmp/osq_bad_err.$$); rc=$?
  err=$(cat /tmp/osq_bad_err.$$)
  n=$((n + 1))
  if [ "$rc" != "$want_rc" ]; then echo "FAIL $name: exit $rc, expected $want_rc"; echo "$err"; fail=$((fail + 1)); return; fi
  if [ -n "$want" ] && [ "$err" != "$want" ]; then
    echo "FAIL $name: stderr differs"; diff <(echo "$want") <(echo "$err"); fail=$((fail + 1)); return
  fi
  if [ "$want_rc" != 0 ] && [ -n "$out" ]; then echo "FAIL $name: printed on stdout"; fail=$((fail + 1)); return; fi
}
for f in tests/bad/[0-9]*.cfg; do
  want=$(sed -n 's/^# expect: //p' "$f")
  if [ -z "$want" ]; then echo "FAIL $f: no '# expect:' lines"; fail=$((fail + 1)); continue; fi
  check "$f" 2 "$want" "$osq" check "$f"
done
check ok_mini 0 "" "$osq" check tests/bad/ok_mini.cfg
check missing_file 2 "osq: error: tests/bad/no_such_file.cfg: cannot read the scenario: No such file or directory" \
  "$osq" check tests/bad/no_such_file.cfg
check directory 2 "osq: error: tests/bad: cannot read the scenario: Is a directory" "$osq" check tests/bad
printf '\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe\x00\x01{{;;==\x80\x90' > /tmp/osq_binary.$$.cfg
n=$((n + 1))
"$osq" check /tmp/osq_binary.$$.cfg >/dev/null 2>/tmp/osq_bad_err.$$; rc=$?
if [ $rc != 2 ] || ! grep -q "^osq: error: /tmp/osq_binary.$$.cfg:[0-9]*: " /tmp/osq_bad_err.$$; then
  echo "FAIL binary file: exit $rc"; cat /tmp/osq_bad_err.$$; fail=$((fail + 1)); fi
check unknown_command 2 "osq: error: unknown command 'frobnicate' (see osq --help)" "$osq" frobnicate
check unknown_option 2 "osq: error: unknown option '--dat' for parties (see osq --help)" "$osq" parties tests/bad/ok_mini.cfg --dat 2019-01-01
check bad_date_option 2 "osq: error: --date '2019-13-01' is not a valid date (expected YYYY-MM-DD) (see osq --help)" \
  "$osq" parties tests/bad/ok_mini.cfg --date 2019-13-01
# An output directory holding another run's results is refused before the run, not after it.
occupied=$(mktemp -d)
"$osq" run tests/bad/ok_mini.cfg --trials 20 --out "$occupied" --quiet --format csv >/dev/null 2>&1
check occupied_output 2 "osq: error: $occupied: already holds osq results (summary.csv, dyads.csv); not overwritten (use --force to replace them)" \
  "$osq" run tests/bad/ok_mini.cfg --trials 1000000 --out "$occupied" --quiet
rm -rf "$occupied"
rm -f /tmp/osq_bad_err.$$ /tmp/osq_binary.$$.cfg
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
