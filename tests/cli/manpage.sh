#!/bin/bash
# The manual page (docs/osq.1) and the bash completion (sim/cli/osq.bash-completion) in step with
# the program: the same commands as `osq --help`; every option `osq --help` and `osq bench --help`
# name is in the man page and every option of the man page in the help; each command's options in
# the completion are exactly those its parser accepts; every environment variable osq reads and
# every exit code of the help are documented; the page renders without a warning (man-db from
# tools/install-deps.sh).
# Usage: manpage.sh /path/to/osq /path/to/repo
set -u
osq=$1
cd "$2" || exit 1
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fail=$((fail + 1)); }
same() { # WHAT LIST_A NAME_A LIST_B NAME_B: equal as sets
  local only_a only_b
  only_a=$(comm -23 <(echo "$2" | grep . | sort -u) <(echo "$4" | grep . | sort -u) | tr '\n' ' ')
  only_b=$(comm -13 <(echo "$2" | grep . | sort -u) <(echo "$4" | grep . | sort -u) | tr '\n' ' ')
  if [ -z "$only_a$only_b" ]; then ok; else bad "$1: only in $3: [${only_a% }], only in $5: [${only_b% }]"; fi
}
words() { grep -oE -- "$1" | sed -E 's/^[^-]*//' | grep -vx -- '--name' | sort -u; }

page=docs/osq.1
completion=sim/cli/osq.bash-completion
help=$("$osq" --help; "$osq" bench --help)
man_text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\://g' -e 's/cmake --install//g' "$page")

# Options: in the help exactly those of the man page ("--name" in "--name VALUE" is no option).
opt_re='(^|[^a-zA-Z0-9-])(--[a-z][a-z-]*|-[hV])\b'
help_opts=$(echo "$help" | words "$opt_re")
man_opts=$(echo "$man_text" | words "$opt_re")
same "options" "$help_opts" "osq --help" "$man_opts" "$page"

# Commands: the help's, the man page's sections, the completion's.
help_cmds=$("$osq" --help | sed -nE 's/^  osq ([a-z]+) .*/\1/p' | sort -u)
man_cmds=$(sed -nE 's/^\.SS "osq ([a-z]+).*/\1/p' "$page" | sort -u)
# shellcheck disable=SC1090
comp_cmds=$(bash -c "source $completion; COMP_WORDS=(osq ''); COMP_CWORD=1; _osq; printf '%s\n' \"\${COMPREPLY[@]}\"" |
  grep -v '^-' | sort -u)
same "commands" "$help_cmds" "osq --help" "$man_cmds" "$page"
same "commands" "$help_cmds" "osq --help" "$comp_cmds" "$completion"
[ "$(echo "$help_cmds" | wc -l)" -ge 6 ] && ok || bad "commands: found only [$help_cmds]"
comp_top=$(bash -c "source $completion; COMP_WORDS=(osq -); COMP_CWORD=1; _osq; printf '%s\n' \"\${COMPREPLY[@]}\"" | sort -u)
help_top=$(echo "$help_opts" | grep -E -- '^(--help|-h|--help-scenario|--version|-V)$')
same "top-level options" "$help_top" "osq --help" "$comp_top" "$completion"

# Each command's options: what its parser accepts is what the completion offers. `osq CMD OPT 1
# --help` exits 0 when a value option takes the 1 or a flag leaves it as an argument; an option
# whose value 1 is out of its domain (sensitivity's --method sobol|morris, --points from 2) exits 2
# with a message about that value ("--points '1' is not ..."), where an unknown one says "unknown
# option".
for c in $help_cmds; do
  accepted=""
  for o in $help_opts; do
    if msg=$("$osq" "$c" "$o" 1 --help 2>&1 >/dev/null) || [[ $msg == *"$o '1' "* ]]; then
      accepted="$accepted$o"$'\n'
    fi
  done
  offered=$(bash -c "source $completion; _osq_options $c" | tr ' ' '\n' | grep .)
  same "options of $c" "$accepted" "the parser" "$offered" "$completion"
done

# Environment variables osq reads, and the exit codes of the help, in the man page.
envs=$( (grep -rhoE 'getenv\("OSQ_[A-Z_]+"\)' sim bench | sed -E 's/getenv\("(.*)"\)/\1/'
  grep -rhoE '#define OSQ_[A-Z_]*ENV "OSQ_[A-Z_]+"' sim bench | sed -E 's/.*"(.*)"/\1/'
  "$osq" --help | sed -n '/^Environment:/,/^$/p' | grep -oE '\b[A-Z][A-Z_]{3,}\b') | sort -u)
env_section=$(echo "$man_text" | sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p')
for v in $envs; do
  echo "$env_section" | grep -qx "\.B $v" && ok || bad "environment variable $v is not in $page's ENVIRONMENT"
done
[ -n "$envs" ] && echo "$envs" | grep -qx OSQ_DATA && echo "$envs" | grep -qx OSQ_PATH && ok ||
  bad "found no OSQ_DATA / OSQ_PATH among the variables osq reads: [$envs]"
help_codes=$("$osq" --help | sed -n '/^Exit codes:/,/^$/p' | grep -oE '\b(0|1|2|3|130) [a-z]' | cut -d' ' -f1 | sort -u)
man_codes=$(echo "$man_text" | sed -n '/^\.SH "*EXIT STATUS/,/^\.SH /p' | sed -nE '/^\.TP/{n;s/^\.B ([0-9]+)$/\1/p}' | sort -u)
same "exit codes" "$help_codes" "osq --help" "$man_codes" "$page"

# Every section a man page should have.
for s in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
  grep -qE "^\.SH \"?$s\"?$" "$page" && ok || bad "$page has no $s section"
done

# It renders, without a warning, at several widths.
for w in 60 80 120; do
  out=$(MANWIDTH=$w man -l --warnings "$page" 2>&1 >/dev/null)
  [ -z "$out" ] && ok || bad "man -l $page (width $w): $out"
done
[ "$(man -l "$page" 2>/dev/null | grep -c .)" -gt 100 ] && ok || bad "man -l $page renders almost nothing"

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
