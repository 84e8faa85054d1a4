#!/bin/bash
# tools/fnlen.sh: the length in lines of every function defined in the C files given (default:
# models/ sim/ results/ bench/), longest first; with --max N, prints only the longer ones and
# exits 1 if there is any. A function is taken to start at a line that begins (in column 0) with
# a name and ends with '{' and to end at the next line that is a lone '}' in column 0, or on the
# same line for a one-line function: the style of this code base (clang-format).
set -u
max=0
if [ "${1:-}" = "--max" ]; then max=$2; shift 2; fi
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
  set -- $(cd "$root" && find models sim results bench -name '*.c' 2>/dev/null | sort)
  cd "$root" || exit 2
fi
awk -v max="$max" '
  FNR == 1 { name = "" }
  /^[A-Za-z_][A-Za-z0-9_ \t\*]*[ \t\*]+\**[A-Za-z_][A-Za-z0-9_]*\(/ && !/;[ \t]*$/ && name == "" {
    s = $0; sub(/\(.*/, "", s); n = split(s, w, /[ \t\*]+/); name = w[n]; start = FNR; file = FILENAME
    if ($0 ~ /\{.*\}[ \t]*$/) { if (1 > max) printf "%5d %s:%d %s\n", 1, file, start, name; name = "" }
  }
  /^}/ && name != "" {
    len = FNR - start + 1
    if (len > max) printf "%5d %s:%d %s\n", len, file, start, name
    name = ""
  }
' "$@" | sort -rn > /tmp/fnlen.$$
cat /tmp/fnlen.$$
n=$(wc -l < /tmp/fnlen.$$)
rm -f /tmp/fnlen.$$
if [ "$max" -gt 0 ] && [ "$n" -gt 0 ]; then exit 1; fi
exit 0
