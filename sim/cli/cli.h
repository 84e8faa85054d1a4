/*
 * cli.h owns the command-line parsers of osq: the option syntax of every command as pure functions
 * (no printing, no exiting, no file access: argv in, a struct or one error message out), on one
 * option walker so that every command accepts `--name value` and `--name=value` alike (the
 * getopt_long convention) and an option means the same thing everywhere. It also owns the one
 * printer of error records, which the front ends (sim/cli/main.c, bench/bench.c) share.
 * sim/cli/main.c turns a parser's error into "osq: error: MESSAGE (see osq --help)" and exit code 2.
 * tests/fuzz/fuzz_cli.c fuzzes the parsers.
 */
#ifndef OSQ_CLI_H
#define OSQ_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/bench.h"
#include "models/date.h"
#include "models/errors.h"

/**
 * Parse a whole decimal integer in [lo, hi]: an optional '-' then digits only (no blanks, no '+',
 * no trailing text). @return false otherwise (out untouched).
 */
bool osq_cli_parse_i64(const char *s, long long lo, long long hi, long long *out);

/** One option of a command: "--name" (or a short alias such as "-h"), with or without a value. */
typedef struct {
  const char *name;
  bool value;
} osq_cli_opt_t;

/** What osq_cli_next found. */
enum { OSQ_CLI_END = -1, OSQ_CLI_ARG = -2, OSQ_CLI_ERROR = -3 };

/**
 * The next item of argv from *i on, against the options opts[0..n): an option `--name value` or
 * `--name=value` (a value option), `--name` (a flag), or a plain argument (one that does not start
 * with '-', or "-" alone). A value option takes the next argument whatever it looks like.
 * @return the option's index in opts with *val its value (NULL for a flag); OSQ_CLI_ARG with *val
 *         the argument; OSQ_CLI_END after the last; OSQ_CLI_ERROR with one message in err
 *         ("unknown option '--x' for CMD", "option --x needs a value", "option '--x=v' takes no value")
 */
int osq_cli_next(int argc, char **argv, int *i, const osq_cli_opt_t *opts, int n, const char *cmd, const char **val,
                 osq_error_t *err);

/** Most scenario files `osq compare` takes. */
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
  bool help;               /**< --help: print the help, nothing else */
} osq_run_args_t;

/**
 * Parse the arguments after `run`. A later repetition of an option wins. --resume DIR and --out
 * cannot both be given (the resumed run writes into DIR).
 * @return 0 and *out; OSQ_EINVAL with one message in err (*out partly filled)
 */
int osq_cli_parse_run(int argc, char **argv, osq_run_args_t *out, osq_error_t *err);

/** `osq compare A.cfg B.cfg ... [options]`. Strings point into argv; NULL / 0 / -1 = not given. */
typedef struct {
  const char *paths[OSQ_CLI_COMPARE_MAX]; /**< the scenario files, the reference first */
  int n;                                  /**< 2 to OSQ_CLI_COMPARE_MAX */
  const char *out;                        /**< --out DIR (default "out/compare") */
  const char *formats;                    /**< --format LIST */
  const char *metrics;                    /**< --metrics LIST */
  const char *parties;                    /**< --parties LIST */
  long long trials, threads;              /**< as for run; 0 = not given */
  long long seed;                         /**< --seed S as for run, -1 = not given */
  bool force;                             /**< --force */
  bool key;                               /**< --key */
  bool quiet;                             /**< --quiet: no table on stdout */
  bool help;                              /**< --help */
} osq_compare_args_t;

/** Parse the arguments after `compare`. @return 0 and *out; OSQ_EINVAL with one message */
int osq_cli_parse_compare(int argc, char **argv, osq_compare_args_t *out, osq_error_t *err);

/** `osq parties SCENARIO [--date YYYY-MM-DD]`. */
typedef struct {
  const char *path;  /**< the scenario file */
  const char *date;  /**< --date as given, NULL = not given */
  osq_day_t day;     /**< the parsed --date (valid when date is not NULL) */
  bool help;         /**< --help */
} osq_parties_args_t;

/** Parse the arguments after `parties`. @return 0 and *out; OSQ_EINVAL with one message */
int osq_cli_parse_parties(int argc, char **argv, osq_parties_args_t *out, osq_error_t *err);

/** `osq check SCENARIO`. */
typedef struct {
  const char *path; /**< the scenario file */
  bool help;        /**< --help */
} osq_check_args_t;

/** Parse the arguments after `check`. @return 0 and *out; OSQ_EINVAL with one message */
int osq_cli_parse_check(int argc, char **argv, osq_check_args_t *out, osq_error_t *err);

/** `osq validate SCENARIO [options]`. Strings point into argv; NULL / 0 / -1 = not given. */
typedef struct {
  const char *path;       /**< the scenario file */
  const char *history;    /**< --history FILE (default: the installed data/history.csv) */
  const char *out;        /**< --out DIR (default: the scenario's output.dir) */
  long long trials, threads; /**< as for run; 0 = not given */
  long long seed;         /**< --seed S, -1 = not given */
  bool force, quiet, help;
} osq_validate_args_t;

/** Parse the arguments after `validate`. @return 0 and *out; OSQ_EINVAL with one message */
int osq_cli_parse_validate(int argc, char **argv, osq_validate_args_t *out, osq_error_t *err);

/** Most parameters `osq calibrate --free` takes, and the longest key. */
#define OSQ_CLI_FREE_MAX 16
#define OSQ_CLI_KEY_LEN 96

/** `osq calibrate SCENARIO --targets FILE --free LIST [options]`. */
typedef struct {
  const char *path;       /**< the scenario file */
  const char *targets;    /**< --targets FILE (a history file; its use = fit rows are the targets) */
  const char *out;        /**< --out DIR (default out/calibrate) */
  char keys[OSQ_CLI_FREE_MAX][OSQ_CLI_KEY_LEN]; /**< --free KEY[=LO:HI],... */
  double bounds[2 * OSQ_CLI_FREE_MAX];          /**< lo, hi per key; NaN: the schema's range */
  int n_keys;
  long long trials, threads, seed; /**< 0 / 0 / -1 = not given */
  long long max_evals;    /**< --max-evals N in [1, 100000], default 200 */
  bool force, quiet, help;
} osq_calibrate_args_t;

/** Parse the arguments after `calibrate`. @return 0 and *out; OSQ_EINVAL with one message */
int osq_cli_parse_calibrate(int argc, char **argv, osq_calibrate_args_t *out, osq_error_t *err);

/** `osq sensitivity STUDY [options]`. Strings point into argv; NULL / 0 / -1 = not given. */
typedef struct {
  const char *path;        /**< the study file */
  const char *out;         /**< --out DIR (default: the study's output.dir) */
  const char *resume;      /**< --resume DIR: continue the interrupted study in DIR */
  int method;              /**< --method sobol|morris: 1 sobol, 2 morris, 0 = not given */
  long long points;        /**< --points N in [2, 65536]: base rows (Sobol) or trajectories (Morris), 0 = not given */
  long long trials;        /**< --trials T in [1, 2^31-1], 0 = not given */
  long long threads;       /**< --threads T in [1, 1024], 0 = not given */
  long long seed;          /**< --seed S in [0, 2^63-1], -1 = not given */
  bool force, quiet, help;
} osq_sensitivity_args_t;

/** Parse the arguments after `sensitivity`: --resume and --out not both. @return 0 and *out; OSQ_EINVAL
 *  with one message */
int osq_cli_parse_sensitivity(int argc, char **argv, osq_sensitivity_args_t *out, osq_error_t *err);

/** `osq init [DIR] [--force]`: write DIR/scenario.cfg (DIR default "."). */
typedef struct {
  const char *dir;  /**< the folder, NULL = not given (the working directory) */
  bool force;       /**< --force: replace an existing scenario.cfg */
  bool help;        /**< --help */
} osq_init_args_t;

/** Parse the arguments after `init`. @return 0 and *out; OSQ_EINVAL with one message */
int osq_cli_parse_init(int argc, char **argv, osq_init_args_t *out, osq_error_t *err);

/** Parse the arguments after `bench`. @return 0 and *out; OSQ_EINVAL with one message */
int osq_cli_parse_bench(int argc, char **argv, osq_bench_args_t *out, osq_error_t *err);

#endif
