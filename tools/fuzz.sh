#!/bin/bash
# tools/fuzz.sh [SECONDS] [LIBFUZZER_ARGS...]: build the libFuzzer harness of the scenario loader
# (tests/fuzz/fuzz_scenario.c) with clang and ASan+UBSan, replay every input of
# tests/fuzz/regressions/, then fuzz for SECONDS (default 60). Exits non-zero on any crash, leak,
# timeout or out-of-memory, and prints the path of the input that caused it.
#
# Installs nothing: needs clang (Debian 12: clang-14 libclang-rt-14-dev) besides the build
# dependencies. Environment: CC (default: clang-14, else clang), OSQ_FUZZ_BUILD (build directory,
# default build-fuzz; its corpus/ grows from run to run, so keep it between local runs).
#
# Why a script and not a CMake target: the harness needs clang while the project is built with gcc;
# compiling the loader sources directly keeps the normal build untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${1:-60}
shift || true
case $secs in '' | *[!0-9]*) echo "usage: tools/fuzz.sh [SECONDS] [LIBFUZZER_ARGS...]" >&2; exit 2 ;; esac

cc=${CC:-}
if [ -z "$cc" ]; then
  if command -v clang-14 >/dev/null; then cc=clang-14; else cc=clang; fi
fi
command -v "$cc" >/dev/null || { echo "fuzz.sh: $cc not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }

build=${OSQ_FUZZ_BUILD:-build-fuzz}
mkdir -p "$build/corpus" "$build/artifacts"
build=$(cd "$build" && pwd)
bin=$build/fuzz_scenario

# The loader (sim/scenario.c and the airfield check it calls) and models/, which is pure domain
# code (no I/O, no OpenMP); not the engine or the writers, which need OpenMP (clang's libomp is
# not installed) and jansson. If the loader starts calling another sim/ file, add it here.
srcs="tests/fuzz/fuzz_scenario.c sim/scenario.c sim/geocheck.c sim/geocheck_table.c $(echo models/*.c)"
echo "fuzz.sh: building $bin with $cc"
# shellcheck disable=SC2046,SC2086
"$cc" -std=c17 -D_POSIX_C_SOURCE=200809L -DHAVE_INLINE -DOSQ_SOURCE_DIR="\"$root\"" -I"$root" \
  -DOSQ_VERSION="\"fuzz\"" -DOSQ_DATA_DIR="\"$root/data\"" \
  -g -O1 -fno-omit-frame-pointer -Wall -Wextra \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  $srcs $(pkg-config --cflags --libs libconfig gsl) -lm -o "$bin"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# libconfig 1.5 leaks a string token on some syntax errors; see the file for why this is safe.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0}
opts=(-timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=2048)

# Replay: libFuzzer runs a file given as an argument once. One process per file, so that a leak
# (reported when the process exits) names its input.
n=0
for f in tests/fuzz/regressions/*; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  if ! "$bin" "${opts[@]}" "$f" >"$build/replay.log" 2>&1; then
    cat "$build/replay.log"
    echo "fuzz.sh: FAIL: regression input $f fails again" >&2
    exit 1
  fi
done
echo "fuzz.sh: replayed $n regression inputs"

# Seeds: every scenario and bad-input file, copied at run time (not committed twice), and the
# hand-written seeds of tests/fuzz/corpus/ that reach what those files do not.
seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
cp scenarios/*.cfg tests/bad/*.cfg tests/fuzz/corpus/*.cfg "$seeds/"
for f in tests/bad/inc/*.cfg; do cp "$f" "$seeds/inc_$(basename "$f")"; done

# Dictionary: tests/fuzz/scenario.dict plus any key of the schema it lacks.
dict=$build/scenario.dict
cp tests/fuzz/scenario.dict "$dict"
sed -n '/^static const key_t_ SCHEMA/,/^};/p' sim/scenario.c | grep -o '{"[a-z_.*0-9]*"' | tr -d '{"' |
  tr '.' '\n' | grep -v '^\*$' | sort -u | while read -r k; do
  grep -q "=\"$k\"\$" "$dict" || echo "key_$k=\"$k\"" >>"$dict"
done

rm -f "$build"/artifacts/*
echo "fuzz.sh: fuzzing for ${secs}s (corpus $build/corpus)"
set +e
"$bin" "${opts[@]}" -max_total_time="$secs" -print_final_stats=1 \
  -dict="$dict" -artifact_prefix="$build/artifacts/" "$@" \
  "$build/corpus" "$seeds" 2>&1 | tee "$build/fuzz.log" | grep -v -E '^#[0-9]+.*(NEW|REDUCE)' 
rc=${PIPESTATUS[0]}
set -e
found=$(find "$build/artifacts" -type f | sort)
if [ "$rc" != 0 ] || [ -n "$found" ]; then
  echo "fuzz.sh: FAIL: libFuzzer exited $rc" >&2
  for f in $found; do echo "fuzz.sh: crasher: $f" >&2; done
  # libconfig's own (suppressed) leak makes libFuzzer stop checking leaks after each input once it
  # has seen 1000 inputs with more mallocs than frees; a leak is then found only at exit, and the
  # artifact is just the last input. Run the corpus one file per process to name the culprit.
  if grep -q 'disabled leak detection' "$build/fuzz.log"; then
    echo "fuzz.sh: leak checks were per run, not per input: replaying the corpus one input at a time" >&2
    for f in "$build"/corpus/*; do
      "$bin" "${opts[@]}" "$f" >/dev/null 2>&1 || echo "fuzz.sh: crasher: $f" >&2
    done
  fi
  echo "fuzz.sh: reproduce with: $bin CRASHER (output: $build/fuzz.log)" >&2
  exit 1
fi
echo "fuzz.sh: OK"
