#!/bin/bash
# Installed like a real tool: `cmake --install` of this build into a prefix that is then moved
# elsewhere, and from an unrelated folder (no OSQ_DATA, no OSQ_PATH) the installed osq finds its
# data and scenarios from its own place (the shipped study included); a scenario in a fresh folder
# @includes "treaty.cfg"; OSQ_PATH and OSQ_DATA extend and override; a treaty.cfg beside the
# scenario comes first; the man page, the completion, the docs and the data are installed; the
# binary holds no path of the tree's data or scenarios, nor of the build.
# Usage: install.sh /path/to/build/osq /path/to/repo
set -u
osq=$1
repo=$(cd "$2" && pwd)
build=$(cd "$(dirname "$osq")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fail=$((fail + 1)); }
unset OSQ_DATA OSQ_PATH

cmake --install "$build" --prefix "$tmp/first" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; bad "cmake --install"; }
mv "$tmp/first" "$tmp/moved"
P=$tmp/moved
for f in bin/osq share/osq/scenarios/treaty.cfg share/osq/scenarios/baseline.cfg share/osq/scenarios/timeline.cfg \
  share/osq/data/countries-50m.json share/osq/data/history.csv share/osq/data/README.md \
  share/osq/data/reference/states.csv share/doc/osq/README.md share/doc/osq/docs/model.md \
  share/man/man1/osq.1 share/bash-completion/completions/osq; do
  [ -f "$P/$f" ] && ok || bad "not installed: $f"
done
[ "$(ls "$P/share/osq/scenarios" | wc -l)" = "$(ls "$repo"/scenarios/*.cfg | wc -l)" ] && ok || bad "not every scenario installed"

mkdir -p "$tmp/elsewhere"
cd "$tmp/elsewhere" || exit 1
"$P/bin/osq" --version >"$tmp/version" 2>&1 && grep -q "^data      $(cd "$P" && pwd -P)/share/osq/data$" "$tmp/version" && ok ||
  { bad "--version: data not in the moved prefix"; cat "$tmp/version"; }
"$P/bin/osq" check "$P/share/osq/scenarios/baseline.cfg" >/dev/null && ok || bad "check the installed baseline"
if "$P/bin/osq" run "$P/share/osq/scenarios/baseline.cfg" --trials 100 --out X --quiet; then
  [ -s X/summary.csv ] && [ -s X/map.png ] && grep -q '^baseline,2019,coverage,RUBY,' X/summary.csv && ok ||
    bad "run: no summary, map or coverage rows in X/"
else
  bad "run the installed baseline from an unrelated folder"
fi

# The installed study finds its scenarios beside it and writes where it is told (a tiny design).
"$P/bin/osq" sensitivity "$P/share/osq/scenarios/withdrawal_uncertainty.cfg" --points 2 --trials 4 --out S --quiet &&
  [ -s S/uncertainty.csv ] && [ -s S/tornado_flights_us_out.png ] && ok || bad "the installed study from an unrelated folder"

# A fresh folder: osq init, then the starter runs as it is from there.
"$P/bin/osq" init fresh >/dev/null && ok || bad "init fresh"
(cd fresh && "$P/bin/osq" run scenario.cfg --trials 100 --quiet) && [ -s fresh/out/scenario/summary.csv ] && ok ||
  bad "the starter scenario did not run from its folder"
# As it says, it is the baseline: the same numbers but for the scenario's name.
cmp -s <(cut -d, -f2- fresh/out/scenario/summary.csv) <(cut -d, -f2- X/summary.csv) && ok ||
  bad "the starter's summary differs from the baseline's"
"$P/bin/osq" init fresh >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q "fresh/scenario.cfg: already exists; not overwritten (use --force to replace it)" "$tmp/err" && ok ||
  bad "init over an existing scenario.cfg: exit $rc, $(cat "$tmp/err")"
"$P/bin/osq" init fresh --force >/dev/null && ok || bad "init --force"

# A user scenario of its own that @includes "treaty.cfg", and a treaty of one's own beside it.
mkdir -p mine
printf '@include "treaty.cfg"\nsimulation = { trials = 50; first_year = 2021; };\ngeo = { enabled = false; };\n' > mine/s.cfg
"$P/bin/osq" run mine/s.cfg --out mine/out --quiet && ok || bad "a scenario in its own folder including treaty.cfg"
sed 's/name = "Germany"/name = "Germany (local copy)"/' "$P/share/osq/scenarios/treaty.cfg" > mine/treaty.cfg
"$P/bin/osq" parties mine/s.cfg | grep -q "Germany (local copy)" && ok || bad "treaty.cfg beside the scenario is not the one read"

# OSQ_PATH: more folders, in order; without it the include is missing (exit 2, where it is named).
mkdir -p lib1 lib2 other
cp "$P/share/osq/scenarios/treaty.cfg" lib2/my_treaty.cfg
printf '@include "my_treaty.cfg"\nsimulation = { trials = 50; };\ngeo = { enabled = false; };\n' > other/s.cfg
OSQ_PATH="$tmp/elsewhere/lib1:$tmp/elsewhere/lib2" "$P/bin/osq" check other/s.cfg >/dev/null && ok ||
  bad "OSQ_PATH: my_treaty.cfg not found in its second folder"
"$P/bin/osq" check other/s.cfg >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 2 ] && grep -qx "osq: error: other/s.cfg:1: cannot open an @include file (expected a path relative to other)" "$tmp/err" &&
  ok || bad "without OSQ_PATH: exit $rc, $(cat "$tmp/err")"

# OSQ_DATA replaces the data folder: a wrong one is named in the error.
OSQ_DATA="$tmp/no_data" "$P/bin/osq" run mine/s.cfg --out mine/out2 --quiet >/dev/null 2>&1 && ok ||
  bad "OSQ_DATA matters only to geography"
printf '@include "treaty.cfg"\nsimulation = { trials = 20; };\n' > mine/geo.cfg
OSQ_DATA="$tmp/no_data" "$P/bin/osq" run mine/geo.cfg --out mine/out3 --quiet >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 3 ] && grep -q "$tmp/no_data/countries-50m.json" "$tmp/err" && ok || bad "OSQ_DATA=no_data: exit $rc, $(cat "$tmp/err")"
OSQ_DATA="$P/share/osq/data" "$P/bin/osq" run mine/geo.cfg --out mine/out4 --quiet >/dev/null && ok || bad "OSQ_DATA=the data"

# The man page renders; the completion loads and completes.
man -l "$P/share/man/man1/osq.1" 2>/dev/null | grep -q "Open Skies" && ok || bad "man -l the installed page"
bash -c "source '$P/share/bash-completion/completions/osq'; COMP_WORDS=(osq ru); COMP_CWORD=1; _osq; [ \"\${COMPREPLY[*]}\" = run ]" &&
  ok || bad "the installed completion"

# No path of the tree's data or scenarios, nor of the build, in the program (its debugging
# sections aside; a sanitizer build names its source files for its reports).
objcopy --strip-debug "$P/bin/osq" "$tmp/osq.stripped"
if grep -qaF -e "$repo/data" -e "$repo/scenarios" -e "$build" "$tmp/osq.stripped"; then
  bad "the program holds a path of the tree: $(strings "$tmp/osq.stripped" | grep -F -e "$repo/data" -e "$repo/scenarios" -e "$build" | head -3)"
else
  ok
fi

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
