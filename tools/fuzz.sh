#!/bin/bash
# tools/fuzz.sh [SECONDS] [LIBFUZZER_ARGS...]: build the libFuzzer harnesses of the scenario
# loader (tests/fuzz/fuzz_scenario.c) and of the command-line parsers (tests/fuzz/fuzz_cli.c) with
# clang and ASan+UBSan, replay every input of tests/fuzz/regressions/ and
# tests/fuzz/regressions-cli/, then fuzz for SECONDS in all (default 60): three quarters for the
# scenario loader, a quarter (at least 1 s) for the parsers, which are small and fast. Exits
# non-zero on any crash, leak, timeout, out-of-memory or broken contract, and prints the path of
# the input that caused it. LIBFUZZER_ARGS go to both fuzzing runs.
#
# Installs nothing: needs clang (Debian 12: clang-14 libclang-rt-14-dev) besides the build
# dependencies. Environment: CC (default: clang-14, else clang), OSQ_FUZZ_BUILD (build directory,
# default build-fuzz; its corpus/ and corpus-cli/ grow from run to run, so keep it between local
# runs), OSQ_FUZZ_CLI_SECONDS (the parsers' share of SECONDS, instead of a quarter).
#
# Why a script and not a CMake target: the harnesses need clang while the project is built with
# gcc; compiling their sources directly keeps the normal build untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${1:-60}
shift || true
case $secs in '' | *[!0-9]*) echo "usage: tools/fuzz.sh [SECONDS] [LIBFUZZER_ARGS...]" >&2; exit 2 ;; esac
cli_secs=${OSQ_FUZZ_CLI_SECONDS:-$(( secs / 4 > 0 ? secs / 4 : 1 ))}
case $cli_secs in '' | *[!0-9]*) echo "fuzz.sh: OSQ_FUZZ_CLI_SECONDS must be a number of seconds" >&2; exit 2 ;; esac
[ "$cli_secs" -le "$secs" ] || cli_secs=$secs
scen_secs=$((secs - cli_secs))

cc=${CC:-}
if [ -z "$cc" ]; then
  if command -v clang-14 >/dev/null; then cc=clang-14; else cc=clang; fi
fi
command -v "$cc" >/dev/null || { echo "fuzz.sh: $cc not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }

build=${OSQ_FUZZ_BUILD:-build-fuzz}
mkdir -p "$build/corpus" "$build/corpus-cli" "$build/artifacts" "$build/artifacts-cli"
build=$(cd "$build" && pwd)
bin=$build/fuzz_scenario
bin_cli=$build/fuzz_cli
cflags=(-std=c17 -D_POSIX_C_SOURCE=200809L -DHAVE_INLINE -DOSQ_SOURCE_DIR="\"$root\"" -I"$root"
  -DOSQ_VERSION="\"fuzz\""
  -g -O1 -fno-omit-frame-pointer -Wall -Wextra -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

# The loader (sim/input/scenario.c, the airfield check and the table of states it calls, the latter
# reading boundaries with jansson) and models/, which is pure domain code (no I/O, no OpenMP); not
# the engine or the writers, which need OpenMP (clang's libomp is not installed). If the loader
# starts calling another sim/ file, add it here.
srcs="tests/fuzz/fuzz_scenario.c sim/input/scenario.c sim/input/paths.c results/table.c sim/input/geocheck.c sim/input/geocheck_table.c sim/input/geodata.c sim/input/hash.c $(echo models/*.c)"
echo "fuzz.sh: building $bin with $cc"
# shellcheck disable=SC2046,SC2086
"$cc" "${cflags[@]}" $srcs $(pkg-config --cflags --libs libconfig gsl jansson) -lm -o "$bin"
# The parsers (sim/cli/cli.c) need only the date parser, the hash parser and the error record.
echo "fuzz.sh: building $bin_cli with $cc"
"$cc" "${cflags[@]}" tests/fuzz/fuzz_cli.c sim/cli/cli.c sim/input/hash.c models/date.c models/errors.c -lm -o "$bin_cli"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# libconfig 1.5 leaks a string token on some syntax errors; see the file for why this is safe.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0}
opts=(-timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=2048)

# Replay: libFuzzer runs a file given as an argument once. One process per file, so that a leak
# (reported when the process exits) names its input.
replay() { # BINARY DIR
  local n=0 f
  for f in "$2"/*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    if ! "$1" "${opts[@]}" "$f" >"$build/replay.log" 2>&1; then
      cat "$build/replay.log"
      echo "fuzz.sh: FAIL: regression input $f fails again" >&2
      exit 1
    fi
  done
  echo "fuzz.sh: replayed $n regression inputs of $2"
}
replay "$bin" tests/fuzz/regressions
replay "$bin_cli" tests/fuzz/regressions-cli

# Seeds of the loader: every scenario and bad-input file, copied at run time (not committed
# twice), and the hand-written seeds of tests/fuzz/corpus/ that reach what those files do not.
seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
cp scenarios/*.cfg tests/bad/*.cfg tests/fuzz/corpus/*.cfg "$seeds/"
for f in tests/bad/inc/*.cfg; do cp "$f" "$seeds/inc_$(basename "$f")"; done

# Dictionary of the loader: tests/fuzz/scenario.dict plus any key of the schema it lacks.
dict=$build/scenario.dict
cp tests/fuzz/scenario.dict "$dict"
sed -n '/^static const key_t_ SCHEMA/,/^};/p' sim/input/scenario.c | grep -o '{"[a-z_.*0-9]*"' | tr -d '{"' |
  tr '.' '\n' | grep -v '^\*$' | sort -u | while read -r k; do
  grep -q "=\"$k\"\$" "$dict" || echo "key_$k=\"$k\"" >>"$dict"
done
# Dictionary of the parsers: tests/fuzz/cli.dict plus any option of sim/cli/cli.c it lacks.
dict_cli=$build/cli.dict
cp tests/fuzz/cli.dict "$dict_cli"
grep -o '"--[a-z-]*' sim/cli/cli.c | tr -d '"' | sort -u | while read -r o; do
  grep -q "\\\\x00$o\\\\x00\"\$" "$dict_cli" || echo "opt_new_${o//-/_}=\"\\x00$o\\x00\"" >>"$dict_cli"
done

# fuzz NAME BINARY SECONDS CORPUS ARTIFACTS DICT SEED_DIR...: fuzz one harness; 0 or 1.
fuzz() {
  local name=$1 b=$2 s=$3 corpus=$4 art=$5 d=$6
  shift 6
  local seed_dirs=("$@")
  [ "$s" -gt 0 ] || { echo "fuzz.sh: $name: 0 s, not fuzzed"; return 0; }
  rm -f "$art"/*
  echo "fuzz.sh: fuzzing $name for ${s}s (corpus $corpus)"
  set +e
  "$b" "${opts[@]}" -max_total_time="$s" -print_final_stats=1 \
    -dict="$d" -artifact_prefix="$art/" "${extra[@]}" \
    "$corpus" "${seed_dirs[@]}" 2>&1 | tee "$build/fuzz-$name.log" | grep -v -E '^#[0-9]+.*(NEW|REDUCE)'
  local rc=${PIPESTATUS[0]}
  set -e
  local found
  found=$(find "$art" -type f | sort)
  if [ "$rc" = 0 ] && [ -z "$found" ]; then return 0; fi
  echo "fuzz.sh: FAIL: $name: libFuzzer exited $rc" >&2
  for f in $found; do echo "fuzz.sh: crasher: $f" >&2; done
  # libconfig's own (suppressed) leak makes libFuzzer stop checking leaks after each input once it
  # has seen 1000 inputs with more mallocs than frees; a leak is then found only at exit, and the
  # artifact is just the last input. Run the corpus one file per process to name the culprit.
  if grep -q 'disabled leak detection' "$build/fuzz-$name.log"; then
    echo "fuzz.sh: leak checks were per run, not per input: replaying the corpus one input at a time" >&2
    for f in "$corpus"/*; do
      "$b" "${opts[@]}" "$f" >/dev/null 2>&1 || echo "fuzz.sh: crasher: $f" >&2
    done
  fi
  echo "fuzz.sh: reproduce with: $b CRASHER (output: $build/fuzz-$name.log)" >&2
  return 1
}
extra=("$@")
status=0
fuzz scenario "$bin" "$scen_secs" "$build/corpus" "$build/artifacts" "$dict" "$seeds" || status=1
fuzz cli "$bin_cli" "$cli_secs" "$build/corpus-cli" "$build/artifacts-cli" "$dict_cli" tests/fuzz/corpus-cli || status=1
[ $status = 0 ] || exit 1
echo "fuzz.sh: OK"
