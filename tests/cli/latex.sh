#!/bin/bash
# The LaTeX tables go into a paper as they are: the baseline's summary.tex, the 2x2 withdrawal
# comparison's compare.tex and the shipped study's sensitivity.tex (Sobol and Morris, a small
# design: the same rows, eight-digit km^2 and the longest input keys), each \input in a plain
# article with booktabs and longtable, compile with pdflatex (twice, as longtable settles its
# column widths on the second run) without an error and without an overfull box, on as many pages
# as they need. pdflatex comes from texlive-latex-recommended (tools/install-deps.sh): without it
# this test fails.
# Usage: latex.sh /path/to/osq /path/to/repo
set -u
osq=$1
cd "$2" || exit 1
command -v pdflatex >/dev/null || { echo "FAIL: pdflatex not found (apt-get install texlive-latex-recommended)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fail=$((fail + 1)); }

"$osq" run scenarios/baseline.cfg --format tex --out "$tmp/b" --quiet || bad "run baseline"
"$osq" compare scenarios/baseline.cfg scenarios/us_out.cfg scenarios/ru_out.cfg scenarios/both_out.cfg \
  --format tex --out "$tmp/c" --quiet || bad "compare 2x2"
for m in sobol morris; do
  "$osq" sensitivity scenarios/withdrawal_uncertainty.cfg --method $m --points 2 --trials 20 --out "$tmp/s$m" --quiet ||
    bad "sensitivity ($m)"
done

compile() { # NAME TEXFILE: compile, then check the log
  local name=$1 tex=$2
  printf '\\documentclass{article}\n\\usepackage{booktabs,longtable}\n\\begin{document}\n\\input{%s}\n\\end{document}\n' \
    "$tex" > "$tmp/$name.tex"
  local rc=0
  (cd "$tmp" && pdflatex -interaction=nonstopmode -halt-on-error "$name.tex" >/dev/null 2>&1 &&
    pdflatex -interaction=nonstopmode -halt-on-error "$name.tex" >/dev/null 2>&1) || rc=$?
  if [ $rc != 0 ]; then bad "$name: pdflatex failed"; grep -A3 '^!' "$tmp/$name.log" | head -20; return; fi
  ok
  if grep -q 'Overfull' "$tmp/$name.log"; then bad "$name: overfull boxes"; grep 'Overfull' "$tmp/$name.log" | head; else ok; fi
  local pages
  pages=$(sed -n 's/^Output written on .*(\([0-9]*\) pages.*/\1/p' "$tmp/$name.log")
  echo "$name: ${pages:-?} pages, no overfull box"
  [ "${pages:-0}" -gt 1 ] && ok || bad "$name: ${pages:-no} pages (expected a table that breaks across pages)"
}
compile summary "$tmp/b/summary.tex"
compile compare "$tmp/c/compare.tex"
compile sensitivity "$tmp/ssobol/sensitivity.tex"
compile sensitivity_morris "$tmp/smorris/sensitivity.tex"

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
