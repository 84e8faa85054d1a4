/*
 * cli.h owns the command-line parsers of osq: the option syntax of `run`, `compare`, `parties` and
 * `check` as pure functions (no printing, no exiting, no file access: argv in, a struct or one
 * error message out), and the small helpers the front ends (sim/main.c, sim/bench.c) share, so
 * that an option means the same thing in every command. sim/main.c turns an error into
 * "osq: error: MESSAGE (see osq --help)" and exit code 2. tests/fuzz/fuzz_cli.c fuzzes these.
 *
 * `osq bench` parses its own options inside sim/bench.c (a static function printing to the stream
 * it is given), so it is not here.
 */
#ifndef OSQ_CLI_H
#define OSQ_CLI_H

#include <stdbool.h>

#include "models/date.h"
#include "models/errors.h"

/**
 * Parse a whole decimal integer in [lo, hi]: an optional '-' then digits only (no blanks, no '+',
 * no trailing text). @return false otherwise (out untouched).
 */
bool osq_cli_parse_i64(const char *s, long long lo, long long hi, long long *out);

/** Most scenario files `osq compare` takes (equals OSQ_COMPARE_MAX of sim/run.h). */
#define OSQ_CLI_COMPARE_MAX 16

/** `osq run SCENARIO [options]`. Strings point into argv; NULL / 0 / -1 = not given. */
typedef struct {
  const char *path;        /**< the scenario file */
  const char *out;         /**< --out DIR */
  const char *formats;     /**< --format LIST (checked later: osq_formats_parse) */
  const char *flight_log;  /**< --flight-log FILE */
  const char *resume;      /**< --resume DIR: continue the interrupted run in DIR */
  long long trials;        /**< --trials N in [1, 2^40], 0 = not given */
  long long threads;       /**< --threads T in [1, 1024], 0 = not given */
  long long seed;          /**< --seed S in [0, 2^63-1], -1 = not given */
  long long log_trials;    /**< --flight-log-trials K in [0, 10^6], -1 = not given */
  bool force;              /**< --force */
  bool quiet;              /**< --quiet */
} osq_run_args_t;

/**
 * Parse the arguments after `run`. A later repetition of an option wins. --resume DIR and --out
 * cannot both be given (the resumed run writes into DIR).
 * @return 0 and *out; OSQ_EINVAL with one message in err (*out partly filled)
 */
int osq_cli_parse_run(int argc, char **argv, osq_run_args_t *out, osq_error_t *err);

/** `osq compare A.cfg B.cfg ... [options]`. Strings point into argv; NULL / 0 = not given. */
typedef struct {
  const char *paths[OSQ_CLI_COMPARE_MAX]; /**< the scenario files, the reference first */
  int n;                                  /**< 2 to OSQ_CLI_COMPARE_MAX */
  const char *out;                        /**< --out DIR (default "out/compare") */
  const char *formats;                    /**< --format LIST */
  const char *metrics;                    /**< --metrics LIST */
  const char *parties;                    /**< --parties LIST */
  long long trials, threads;              /**< as for run; 0 = not given */
  bool force;                             /**< --force */
  bool key;                               /**< --key */
} osq_compare_args_t;

/** Parse the arguments after `compare`. @return 0 and *out; OSQ_EINVAL with one message */
int osq_cli_parse_compare(int argc, char **argv, osq_compare_args_t *out, osq_error_t *err);

/** `osq parties SCENARIO [--date YYYY-MM-DD]`. */
typedef struct {
  const char *path;  /**< the scenario file */
  const char *date;  /**< --date as given, NULL = not given */
  osq_day_t day;     /**< the parsed --date (valid when date is not NULL) */
} osq_parties_args_t;

/** Parse the arguments after `parties`. @return 0 and *out; OSQ_EINVAL with one message */
int osq_cli_parse_parties(int argc, char **argv, osq_parties_args_t *out, osq_error_t *err);

/** `osq check SCENARIO`: exactly one argument, taken as the file whatever it looks like. */
typedef struct {
  const char *path; /**< the scenario file */
} osq_check_args_t;

/** Parse the arguments after `check`. @return 0 and *out; OSQ_EINVAL with one message */
int osq_cli_parse_check(int argc, char **argv, osq_check_args_t *out, osq_error_t *err);

#endif
