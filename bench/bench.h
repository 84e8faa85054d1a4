/*
 * bench.h owns `osq bench`: throughput of the engine on one scenario for a list of thread counts,
 * with set-up time kept apart from the trial loop, best and median of repeated runs, parallel
 * efficiency, peak memory and the verification hash, which must be the same for every thread
 * count (docs/engineering.md §9 XSBench-style report, §5 hash; the `bench:` line: README "Output files").
 *
 * Unlike the rest of the library this module talks to the user, but only through the two
 * streams its caller passes in; sim/cli/main.c still owns the process (it calls this and exits with
 * the code returned).
 */
#ifndef OSQ_BENCH_H
#define OSQ_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/** Exit codes of osq_bench_main (the same as the rest of the command line, README "Exit codes"). */
enum {
  OSQ_BENCH_OK = 0,      /**< every configuration ran and every hash agreed */
  OSQ_BENCH_VERIFY = 1,  /**< hashes differ between thread counts or repeats, or from --expect-hash */
  OSQ_BENCH_USAGE = 2,   /**< bad option or bad/missing scenario file */
  OSQ_BENCH_RUNTIME = 3  /**< memory, engine failure, or the report could not be written */
};

/** Most thread counts and repeats `osq bench` takes, and its largest thread count. */
#define OSQ_BENCH_MAX_CONFIGS 64
#define OSQ_BENCH_MAX_REPEAT 100
#define OSQ_BENCH_MAX_THREADS 1024

/** What `osq bench [SCENARIO] [options]` was asked (parsed by sim/cli/cli.c: osq_cli_parse_bench). */
typedef struct {
  const char *path;                        /**< the scenario file, NULL = scenarios/baseline.cfg */
  int threads[OSQ_BENCH_MAX_CONFIGS];      /**< --threads LIST, duplicates dropped */
  int n_threads;                           /**< 0 = 1 and the number of cores */
  long long trials;                        /**< --trials N, 0 = the scenario's */
  int repeat;                              /**< --repeat R in [1, 100], default 1 */
  bool json;                               /**< --json */
  bool help;                               /**< --help, -h */
  bool has_expect;                         /**< --expect-hash given */
  uint64_t expect;                         /**< its value */
} osq_bench_args_t;

/**
 * Run `osq bench` as a asks.
 *
 * SCENARIO defaults to scenarios/baseline.cfg relative to the working directory. For every thread
 * count in LIST (default: 1 and the number of cores) the scenario runs R times (default 1); the
 * report gives the set-up and trial-loop seconds, trials/s and flights/s (best and median), the
 * speed-up and efficiency against the first entry, the process's peak resident memory so far,
 * and the verification hash. Each configuration ends with one machine-readable line
 * `bench: scenario=NAME threads=T trials=N seconds=S trials_per_s=X hash=HEX ...` (seconds and
 * rates are those of the best repeat). With --json one JSON document replaces the text report.
 *
 * @param a       the parsed arguments (a->help: print the usage on out, nothing else)
 * @param out     where the report goes (stdout)
 * @param errout  where errors go, one "osq: error: ..." line each (stderr)
 * @return an OSQ_BENCH_* exit code; on OSQ_BENCH_VERIFY the whole report has been printed first.
 */
int osq_bench_main(const osq_bench_args_t *a, FILE *out, FILE *errout);

#endif
