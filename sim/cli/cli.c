/*
 * cli.c owns the command-line parsers of osq (see cli.h). They are pure so that they can be
 * fuzzed (tests/fuzz/fuzz_cli.c) and so that the front ends only have to print what they report.
 */
#include "sim/cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/input/hash.h"
#include "sim/input/scenario.h"

bool osq_cli_parse_i64(const char *s, long long lo, long long hi, long long *out) {
  if (!s || !*s) return false;
  /* strtoll alone would also take leading blanks and a '+': "--trials ' 5'" is a typo, not 5. */
  const char *d = s[0] == '-' ? s + 1 : s;
  if (*d < '0' || *d > '9') return false;
  errno = 0;
  char *end;
  long long v = strtoll(s, &end, 10);
  if (errno || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}

static int usage(osq_error_t *err, const char *fmt, const char *arg) {
  /* fmt is one of this file's literals, with one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  return osq_error_add(err, OSQ_EINVAL, NULL, 0, fmt, arg);
#pragma GCC diagnostic pop
}

int osq_cli_next(int argc, char **argv, int *i, const osq_cli_opt_t *opts, int n, const char *cmd, const char **val,
                 osq_error_t *err) {
  *val = NULL;
  if (*i >= argc) return OSQ_CLI_END;
  const char *a = argv[(*i)++];
  if (a[0] != '-' || !a[1]) {
    *val = a;
    return OSQ_CLI_ARG;
  }
  /* "--name=value": the name is what stands before the first '='. */
  const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
  const size_t len = eq ? (size_t)(eq - a) : strlen(a);
  for (int k = 0; k < n; k++) {
    if (strlen(opts[k].name) != len || strncmp(opts[k].name, a, len) != 0) continue;
    if (!opts[k].value) {
      if (eq) return usage(err, "option '%s' takes no value", a), OSQ_CLI_ERROR;
      return k;
    }
    if (eq) {
      *val = eq + 1;
    } else {
      if (*i >= argc) return usage(err, "option %s needs a value", a), OSQ_CLI_ERROR;
      *val = argv[(*i)++];
    }
    return k;
  }
  char what[48];
  snprintf(what, sizeof what, "for %s", cmd);
  osq_error_add(err, OSQ_EINVAL, NULL, 0, "unknown option '%s' %s", a, what);
  return OSQ_CLI_ERROR;
}

/* --trials and --threads (and --seed) mean the same in every command. @return 0, or OSQ_EINVAL. */
static int parse_trials(const char *v, long long *trials, osq_error_t *err) {
  if (!osq_cli_parse_i64(v, 1, OSQ_TRIALS_MAX, trials)) return usage(err, "--trials '%s' is not an integer in [1, 2^40]", v);
  return OSQ_OK;
}

static int parse_threads(const char *v, long long *threads, osq_error_t *err) {
  if (!osq_cli_parse_i64(v, 1, 1024, threads)) return usage(err, "--threads '%s' is not an integer in [1, 1024]", v);
  return OSQ_OK;
}

static int parse_seed(const char *v, long long *seed, osq_error_t *err) {
  if (!osq_cli_parse_i64(v, 0, INT64_MAX, seed)) return usage(err, "--seed '%s' is not an integer in [0, 2^63-1]", v);
  return OSQ_OK;
}

/* ---- osq run ---- */

enum { R_FORCE, R_QUIET, R_HELP, R_TRIALS, R_THREADS, R_SEED, R_OUT, R_FORMAT, R_LOG, R_LOG_TRIALS, R_RESUME, R_N };
static const osq_cli_opt_t RUN_OPTS[R_N] = {
    [R_FORCE] = {"--force", false},    [R_QUIET] = {"--quiet", false},   [R_HELP] = {"--help", false},
    [R_TRIALS] = {"--trials", true},   [R_THREADS] = {"--threads", true}, [R_SEED] = {"--seed", true},
    [R_OUT] = {"--out", true},         [R_FORMAT] = {"--format", true},   [R_LOG] = {"--flight-log", true},
    [R_LOG_TRIALS] = {"--flight-log-trials", true}, [R_RESUME] = {"--resume", true}};

static int run_option(int k, const char *v, osq_run_args_t *out, osq_error_t *err) {
  switch (k) {
    case R_FORCE: out->force = true; break;
    case R_QUIET: out->quiet = true; break;
    case R_HELP: out->help = true; break;
    case R_TRIALS: return parse_trials(v, &out->trials, err);
    case R_THREADS: return parse_threads(v, &out->threads, err);
    case R_SEED: return parse_seed(v, &out->seed, err);
    case R_OUT: out->out = v; break;
    case R_FORMAT: out->formats = v; break;
    case R_LOG: out->flight_log = v; break;
    case R_LOG_TRIALS:
      if (!osq_cli_parse_i64(v, 0, 1000000, &out->log_trials))
        return usage(err, "--flight-log-trials '%s' is not an integer in [0, 1000000]", v);
      break;
    case R_RESUME: out->resume = v; break;
    default: break;
  }
  return OSQ_OK;
}

int osq_cli_parse_run(int argc, char **argv, osq_run_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  out->seed = -1;
  out->log_trials = -1;
  const char *v;
  for (int i = 0, k; (k = osq_cli_next(argc, argv, &i, RUN_OPTS, R_N, "run", &v, err)) != OSQ_CLI_END;) {
    if (k == OSQ_CLI_ERROR) return OSQ_EINVAL;
    if (k == OSQ_CLI_ARG && out->path) return usage(err, "unexpected argument '%s' (run takes one scenario file)", v);
    if (k == OSQ_CLI_ARG) out->path = v;
    else if (run_option(k, v, out, err) != OSQ_OK) return OSQ_EINVAL;
  }
  if (out->help) return OSQ_OK;
  if (!out->path) return usage(err, "run needs a scenario file%s", "");
  if (out->resume && !out->resume[0]) return usage(err, "--resume needs a directory%s", "");
  if (out->resume && out->out)
    return usage(err, "--resume '%s' writes into that directory; --out cannot be given with it", out->resume);
  return OSQ_OK;
}

/* ---- osq compare ---- */

enum { C_FORCE, C_KEY, C_QUIET, C_HELP, C_TRIALS, C_THREADS, C_SEED, C_OUT, C_FORMAT, C_METRICS, C_PARTIES, C_N };
static const osq_cli_opt_t COMPARE_OPTS[C_N] = {
    [C_FORCE] = {"--force", false},     [C_KEY] = {"--key", false},       [C_QUIET] = {"--quiet", false},
    [C_HELP] = {"--help", false},       [C_TRIALS] = {"--trials", true},  [C_THREADS] = {"--threads", true},
    [C_SEED] = {"--seed", true},        [C_OUT] = {"--out", true},        [C_FORMAT] = {"--format", true},
    [C_METRICS] = {"--metrics", true},  [C_PARTIES] = {"--parties", true}};

static int compare_option(int k, const char *v, osq_compare_args_t *out, osq_error_t *err) {
  switch (k) {
    case C_FORCE: out->force = true; break;
    case C_KEY: out->key = true; break;
    case C_QUIET: out->quiet = true; break;
    case C_HELP: out->help = true; break;
    case C_TRIALS: return parse_trials(v, &out->trials, err);
    case C_THREADS: return parse_threads(v, &out->threads, err);
    case C_SEED: return parse_seed(v, &out->seed, err);
    case C_OUT: out->out = v; break;
    case C_FORMAT: out->formats = v; break;
    case C_METRICS: out->metrics = v; break;
    case C_PARTIES: out->parties = v; break;
    default: break;
  }
  return OSQ_OK;
}

int osq_cli_parse_compare(int argc, char **argv, osq_compare_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  out->out = "out/compare";
  out->seed = -1;
  const char *v;
  for (int i = 0, k; (k = osq_cli_next(argc, argv, &i, COMPARE_OPTS, C_N, "compare", &v, err)) != OSQ_CLI_END;) {
    if (k == OSQ_CLI_ERROR) return OSQ_EINVAL;
    if (k == OSQ_CLI_ARG && out->n == OSQ_CLI_COMPARE_MAX)
      return usage(err, "too many scenarios (compare takes at most 16)%s", "");
    if (k == OSQ_CLI_ARG) out->paths[out->n++] = v;
    else if (compare_option(k, v, out, err) != OSQ_OK) return OSQ_EINVAL;
  }
  if (out->help) return OSQ_OK;
  if (out->n < 2) return usage(err, "compare needs at least two scenario files%s", "");
  return OSQ_OK;
}

/* ---- osq validate ---- */

enum { V_FORCE, V_QUIET, V_HELP, V_TRIALS, V_THREADS, V_SEED, V_OUT, V_HISTORY, V_N };
static const osq_cli_opt_t VALIDATE_OPTS[V_N] = {
    [V_FORCE] = {"--force", false},  [V_QUIET] = {"--quiet", false},    [V_HELP] = {"--help", false},
    [V_TRIALS] = {"--trials", true}, [V_THREADS] = {"--threads", true}, [V_SEED] = {"--seed", true},
    [V_OUT] = {"--out", true},       [V_HISTORY] = {"--history", true}};

static int validate_option(int k, const char *v, osq_validate_args_t *out, osq_error_t *err) {
  switch (k) {
    case V_FORCE: out->force = true; break;
    case V_QUIET: out->quiet = true; break;
    case V_HELP: out->help = true; break;
    case V_TRIALS: return parse_trials(v, &out->trials, err);
    case V_THREADS: return parse_threads(v, &out->threads, err);
    case V_SEED: return parse_seed(v, &out->seed, err);
    case V_OUT: out->out = v; break;
    case V_HISTORY: out->history = v; break;
    default: break;
  }
  return OSQ_OK;
}

int osq_cli_parse_validate(int argc, char **argv, osq_validate_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  out->seed = -1;
  const char *v;
  for (int i = 0, k; (k = osq_cli_next(argc, argv, &i, VALIDATE_OPTS, V_N, "validate", &v, err)) != OSQ_CLI_END;) {
    if (k == OSQ_CLI_ERROR) return OSQ_EINVAL;
    if (k == OSQ_CLI_ARG && out->path)
      return usage(err, "unexpected argument '%s' (validate takes one scenario file)", v);
    if (k == OSQ_CLI_ARG) out->path = v;
    else if (validate_option(k, v, out, err) != OSQ_OK) return OSQ_EINVAL;
  }
  if (!out->help && !out->path) return usage(err, "validate needs a scenario file%s", "");
  return OSQ_OK;
}

/* ---- osq calibrate ---- */

enum { K_FORCE, K_QUIET, K_HELP, K_TRIALS, K_THREADS, K_SEED, K_OUT, K_TARGETS, K_FREE, K_EVALS, K_N };
static const osq_cli_opt_t CALIBRATE_OPTS[K_N] = {
    [K_FORCE] = {"--force", false},  [K_QUIET] = {"--quiet", false},    [K_HELP] = {"--help", false},
    [K_TRIALS] = {"--trials", true}, [K_THREADS] = {"--threads", true}, [K_SEED] = {"--seed", true},
    [K_OUT] = {"--out", true},       [K_TARGETS] = {"--targets", true}, [K_FREE] = {"--free", true},
    [K_EVALS] = {"--max-evals", true}};

/* "KEY[=LO:HI],..." into keys and bounds. */
static int parse_free(const char *list, osq_calibrate_args_t *a, osq_error_t *err) {
  a->n_keys = 0;
  for (const char *p = list;;) {
    const size_t len = strcspn(p, ",");
    char item[160];
    if (len == 0 || len >= sizeof item) return usage(err, "--free '%s' is not a comma list of KEY or KEY=LO:HI", list);
    if (a->n_keys == OSQ_CLI_FREE_MAX) return usage(err, "--free '%s' names more than 16 parameters", list);
    memcpy(item, p, len);
    item[len] = '\0';
    char *eq = strchr(item, '=');
    double lo = NAN, hi = NAN;
    if (eq) {
      *eq = '\0';
      char *end;
      lo = strtod(eq + 1, &end);
      if (*end != ':' || !isfinite(lo)) return usage(err, "--free: '%s' is not KEY=LO:HI", p);
      hi = strtod(end + 1, &end);
      if (*end || !isfinite(hi) || !(hi > lo)) return usage(err, "--free: '%s' is not KEY=LO:HI with LO < HI", p);
    }
    if (!item[0] || strlen(item) >= OSQ_CLI_KEY_LEN) return usage(err, "--free: '%s' is not a scenario key", item);
    memcpy(a->keys[a->n_keys], item, strlen(item) + 1); /* fits: checked just above */
    a->bounds[2 * a->n_keys] = lo;
    a->bounds[2 * a->n_keys + 1] = hi;
    a->n_keys++;
    if (!p[len]) return OSQ_OK;
    p += len + 1;
  }
}

static int calibrate_option(int k, const char *v, osq_calibrate_args_t *out, osq_error_t *err) {
  switch (k) {
    case K_FORCE: out->force = true; break;
    case K_QUIET: out->quiet = true; break;
    case K_HELP: out->help = true; break;
    case K_TRIALS: return parse_trials(v, &out->trials, err);
    case K_THREADS: return parse_threads(v, &out->threads, err);
    case K_SEED: return parse_seed(v, &out->seed, err);
    case K_OUT: out->out = v; break;
    case K_TARGETS: out->targets = v; break;
    case K_FREE: return parse_free(v, out, err);
    case K_EVALS:
      if (!osq_cli_parse_i64(v, 1, 100000, &out->max_evals))
        return usage(err, "--max-evals '%s' is not an integer in [1, 100000]", v);
      break;
    default: break;
  }
  return OSQ_OK;
}

int osq_cli_parse_calibrate(int argc, char **argv, osq_calibrate_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  out->seed = -1;
  out->max_evals = 200;
  out->out = "out/calibrate";
  const char *v;
  for (int i = 0, k; (k = osq_cli_next(argc, argv, &i, CALIBRATE_OPTS, K_N, "calibrate", &v, err)) != OSQ_CLI_END;) {
    if (k == OSQ_CLI_ERROR) return OSQ_EINVAL;
    if (k == OSQ_CLI_ARG && out->path)
      return usage(err, "unexpected argument '%s' (calibrate takes one scenario file)", v);
    if (k == OSQ_CLI_ARG) out->path = v;
    else if (calibrate_option(k, v, out, err) != OSQ_OK) return OSQ_EINVAL;
  }
  if (out->help) return OSQ_OK;
  if (!out->path) return usage(err, "calibrate needs a scenario file%s", "");
  if (!out->targets) return usage(err, "calibrate needs --targets FILE (a history file: its use = fit rows)%s", "");
  if (out->n_keys == 0) return usage(err, "calibrate needs --free KEY,... (the parameters to fit)%s", "");
  return OSQ_OK;
}

/* ---- osq sensitivity ---- */

enum { S_FORCE, S_QUIET, S_HELP, S_TRIALS, S_THREADS, S_SEED, S_OUT, S_RESUME, S_METHOD, S_POINTS, S_N };
static const osq_cli_opt_t SENSITIVITY_OPTS[S_N] = {
    [S_FORCE] = {"--force", false},  [S_QUIET] = {"--quiet", false},    [S_HELP] = {"--help", false},
    [S_TRIALS] = {"--trials", true}, [S_THREADS] = {"--threads", true}, [S_SEED] = {"--seed", true},
    [S_OUT] = {"--out", true},       [S_RESUME] = {"--resume", true},   [S_METHOD] = {"--method", true},
    [S_POINTS] = {"--points", true}};

static int sensitivity_option(int k, const char *v, osq_sensitivity_args_t *out, osq_error_t *err) {
  switch (k) {
    case S_FORCE: out->force = true; break;
    case S_QUIET: out->quiet = true; break;
    case S_HELP: out->help = true; break;
    case S_TRIALS: /* a study's trials are per point: a libconfig int (sim/input/study.c) */
      if (!osq_cli_parse_i64(v, 1, INT32_MAX, &out->trials))
        return usage(err, "--trials '%s' is not an integer in [1, 2^31-1]", v);
      break;
    case S_THREADS: return parse_threads(v, &out->threads, err);
    case S_SEED: return parse_seed(v, &out->seed, err);
    case S_OUT: out->out = v; break;
    case S_RESUME: out->resume = v; break;
    case S_METHOD:
      if (strcmp(v, "sobol") == 0) out->method = 1;
      else if (strcmp(v, "morris") == 0) out->method = 2;
      else return usage(err, "--method '%s' is not a method (expected sobol or morris)", v);
      break;
    case S_POINTS:
      if (!osq_cli_parse_i64(v, 2, 65536, &out->points))
        return usage(err, "--points '%s' is not an integer in [2, 65536]", v);
      break;
    default: break;
  }
  return OSQ_OK;
}

int osq_cli_parse_sensitivity(int argc, char **argv, osq_sensitivity_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  out->seed = -1;
  const char *v;
  for (int i = 0, k; (k = osq_cli_next(argc, argv, &i, SENSITIVITY_OPTS, S_N, "sensitivity", &v, err)) != OSQ_CLI_END;) {
    if (k == OSQ_CLI_ERROR) return OSQ_EINVAL;
    if (k == OSQ_CLI_ARG && out->path)
      return usage(err, "unexpected argument '%s' (sensitivity takes one study file)", v);
    if (k == OSQ_CLI_ARG) out->path = v;
    else if (sensitivity_option(k, v, out, err) != OSQ_OK) return OSQ_EINVAL;
  }
  if (out->help) return OSQ_OK;
  if (!out->path) return usage(err, "sensitivity needs a study file%s", "");
  if (out->resume && !out->resume[0]) return usage(err, "--resume needs a directory%s", "");
  if (out->resume && out->out)
    return usage(err, "--resume '%s' writes into that directory; --out cannot be given with it", out->resume);
  return OSQ_OK;
}

/* ---- osq parties, osq check ---- */

static const osq_cli_opt_t PARTIES_OPTS[] = {{"--date", true}, {"--help", false}};

int osq_cli_parse_parties(int argc, char **argv, osq_parties_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  const char *v;
  for (int i = 0, k; (k = osq_cli_next(argc, argv, &i, PARTIES_OPTS, 2, "parties", &v, err)) != OSQ_CLI_END;) {
    if (k == OSQ_CLI_ERROR) return OSQ_EINVAL;
    if (k == OSQ_CLI_ARG && out->path)
      return usage(err, "unexpected argument '%s' (parties takes one scenario file)", v);
    if (k == OSQ_CLI_ARG) out->path = v;
    if (k == 0) out->date = v;
    if (k == 1) out->help = true;
  }
  if (out->help) return OSQ_OK;
  if (!out->path) return usage(err, "parties needs a scenario file%s", "");
  if (out->date && osq_date_parse(out->date, &out->day) != OSQ_OK)
    return usage(err, "--date '%s' is not a valid date (expected YYYY-MM-DD)", out->date);
  return OSQ_OK;
}

static const osq_cli_opt_t CHECK_OPTS[] = {{"--help", false}};

int osq_cli_parse_check(int argc, char **argv, osq_check_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  const char *v;
  for (int i = 0, k; (k = osq_cli_next(argc, argv, &i, CHECK_OPTS, 1, "check", &v, err)) != OSQ_CLI_END;) {
    if (k == OSQ_CLI_ERROR) return OSQ_EINVAL;
    if (k == 0) out->help = true;
    else if (out->path) return usage(err, "check takes one scenario file%s", "");
    else out->path = v;
  }
  if (!out->path && !out->help) return usage(err, "check takes one scenario file%s", "");
  return OSQ_OK;
}

/* ---- osq init ---- */

static const osq_cli_opt_t INIT_OPTS[] = {{"--force", false}, {"--help", false}};

int osq_cli_parse_init(int argc, char **argv, osq_init_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  const char *v;
  for (int i = 0, k; (k = osq_cli_next(argc, argv, &i, INIT_OPTS, 2, "init", &v, err)) != OSQ_CLI_END;) {
    if (k == OSQ_CLI_ERROR) return OSQ_EINVAL;
    if (k == OSQ_CLI_ARG && out->dir) return usage(err, "unexpected argument '%s' (init takes one folder)", v);
    if (k == OSQ_CLI_ARG) out->dir = v;
    if (k == 0) out->force = true;
    if (k == 1) out->help = true;
  }
  return OSQ_OK;
}

/* ---- osq bench ---- */

/* "1,2,4" into a->threads, duplicates dropped (first occurrence kept). */
static bool bench_threads(const char *list, osq_bench_args_t *a) {
  a->n_threads = 0;
  const char *p = list;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    char tok[24];
    long long v;
    if (len == 0 || len >= sizeof tok) return false;
    memcpy(tok, p, len);
    tok[len] = '\0';
    if (!osq_cli_parse_i64(tok, 1, OSQ_BENCH_MAX_THREADS, &v)) return false;
    bool seen = false;
    for (int i = 0; i < a->n_threads; i++) seen |= a->threads[i] == (int)v;
    if (!seen) {
      if (a->n_threads == OSQ_BENCH_MAX_CONFIGS) return false;
      a->threads[a->n_threads++] = (int)v;
    }
    if (!comma) return true;
    p = comma + 1;
  }
}

enum { B_THREADS, B_TRIALS, B_REPEAT, B_EXPECT, B_JSON, B_HELP, B_H, B_N };
static const osq_cli_opt_t BENCH_OPTS[B_N] = {
    [B_THREADS] = {"--threads", true}, [B_TRIALS] = {"--trials", true}, [B_REPEAT] = {"--repeat", true},
    [B_EXPECT] = {"--expect-hash", true}, [B_JSON] = {"--json", false}, [B_HELP] = {"--help", false},
    [B_H] = {"-h", false}};

static int bench_option(int k, const char *v, osq_bench_args_t *a, osq_error_t *err) {
  long long n;
  switch (k) {
    case B_THREADS:
      if (!bench_threads(v, a))
        return usage(err, "--threads '%s' is not a comma list of thread counts in [1, 1024] (at most 64 entries)", v);
      break;
    case B_TRIALS: return parse_trials(v, &a->trials, err);
    case B_REPEAT:
      if (!osq_cli_parse_i64(v, 1, OSQ_BENCH_MAX_REPEAT, &n)) return usage(err, "--repeat '%s' is not an integer in [1, 100]", v);
      a->repeat = (int)n;
      break;
    case B_EXPECT:
      if (osq_hash_parse(v, &a->expect) != OSQ_OK)
        return usage(err, "--expect-hash '%s' is not a hash (expected 1 to 16 hex digits, optional 0x)", v);
      a->has_expect = true;
      break;
    case B_JSON: a->json = true; break;
    default: a->help = true; break;
  }
  return OSQ_OK;
}

int osq_cli_parse_bench(int argc, char **argv, osq_bench_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  out->repeat = 1;
  const char *v;
  for (int i = 0, k; (k = osq_cli_next(argc, argv, &i, BENCH_OPTS, B_N, "bench", &v, err)) != OSQ_CLI_END;) {
    if (k == OSQ_CLI_ERROR) return OSQ_EINVAL;
    if (k == OSQ_CLI_ARG && out->path) return usage(err, "unexpected argument '%s' (bench takes one scenario file)", v);
    if (k == OSQ_CLI_ARG) out->path = v;
    else if (bench_option(k, v, out, err) != OSQ_OK) return OSQ_EINVAL;
  }
  return OSQ_OK;
}
