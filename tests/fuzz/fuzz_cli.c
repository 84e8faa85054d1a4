/*
 * fuzz_cli.c owns the libFuzzer harness of the command-line parsers (sim/cli/cli.h; tools/fuzz.sh
 * builds and runs it). An input is an argument vector: its bytes split at NUL into strings (a
 * trailing NUL ends the last one; at most 64 strings). Each string gets its own heap block and the
 * vector has exactly argc entries (no NULL after them), so that AddressSanitizer sees a parser
 * reading past a string or past argv[argc - 1]. The same vector goes to every parser (run,
 * compare, parties, check, init, bench, validate, calibrate, sensitivity), and each result is checked
 * against the parsers' contract:
 *   - 0 with no message, or OSQ_EINVAL with exactly one non-empty message, nothing else;
 *   - on success every string field is NULL or one of the argv strings (or a suffix of one, for
 *     --name=value), the numbers are "not given" or within their documented ranges, the scenario
 *     path does not look like an option and is given unless --help was, --resume and --out are
 *     not both set;
 *   - a parsed --date prints back as itself (YYYY-MM-DD, no other spelling accepted);
 *   - parsing is pure: a second parse of the same vector gives the same bytes;
 *   - osq_cli_parse_i64 on every string agrees with a reference implementation.
 * A broken contract calls abort(), which libFuzzer reports with the input.
 */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/date.h"
#include "sim/cli/cli.h"
#include "sim/input/scenario.h"

#define MAX_ARGS 64

static void fail(const char *what, int argc, char **argv) {
  fprintf(stderr, "fuzz_cli: %s; argv:", what);
  for (int i = 0; i < argc; i++) fprintf(stderr, " [%s]", argv[i]);
  fprintf(stderr, "\n");
  abort();
}

/* An argv string, or a suffix of one (--date=VALUE), or NULL. */
static bool from_argv(const char *p, int argc, char **argv) {
  if (!p) return true;
  const uintptr_t q = (uintptr_t)p;
  for (int i = 0; i < argc; i++) {
    const uintptr_t a = (uintptr_t)argv[i];
    if (q >= a && q <= a + strlen(argv[i])) return true;
  }
  return false;
}

static bool is_argv(const char *p, int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (p == argv[i]) return true;
  return false;
}

/* The contract of an error record after a parse that returned rc. */
static void check_err(int rc, const osq_error_t *err, const char *who, int argc, char **argv) {
  if (rc == OSQ_OK) {
    if (err->n != 0 || err->code != 0) fail(who, argc, argv);
    return;
  }
  if (rc != OSQ_EINVAL || err->code != OSQ_EINVAL || err->n != 1 || err->dropped) fail(who, argc, argv);
  const size_t len = strnlen(err->msg[0], OSQ_ERROR_MSG_LEN);
  if (len == 0 || len == OSQ_ERROR_MSG_LEN) fail(who, argc, argv);
}

/* Reference for osq_cli_parse_i64: an optional '-', then at least one digit and nothing else,
 * value (computed without overflow) in [lo, hi]. */
static bool ref_parse_i64(const char *s, long long lo, long long hi, long long *out) {
  bool neg = s[0] == '-';
  const char *d = neg ? s + 1 : s;
  if (!*d) return false;
  unsigned long long v = 0;
  bool big = false;
  for (const char *p = d; *p; p++) {
    if (*p < '0' || *p > '9') return false;
    const unsigned dig = (unsigned)(*p - '0');
    if (v > (ULLONG_MAX - dig) / 10) big = true;
    else v = v * 10 + dig;
  }
  if (big) return false;
  long long x;
  if (neg) {
    if (v > (unsigned long long)LLONG_MAX + 1) return false;
    x = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
  } else {
    if (v > (unsigned long long)LLONG_MAX) return false;
    x = (long long)v;
  }
  if (x < lo || x > hi) return false;
  *out = x;
  return true;
}

static void check_i64(int argc, char **argv) {
  static const long long bounds[][2] = {{1, OSQ_TRIALS_MAX}, {1, 1024}, {0, INT64_MAX}, {0, 1000000},
                                        {INT64_MIN, INT64_MAX}, {-5, 5}};
  for (int i = 0; i < argc; i++)
    for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++) {
      long long a = 42, r = 42;
      const bool got = osq_cli_parse_i64(argv[i], bounds[b][0], bounds[b][1], &a);
      const bool want = ref_parse_i64(argv[i], bounds[b][0], bounds[b][1], &r);
      if (got != want || a != r) fail("osq_cli_parse_i64 disagrees with the reference", 1, &argv[i]);
    }
}

static void fuzz_run(int argc, char **argv, osq_error_t *err) {
  osq_run_args_t a, b;
  osq_error_clear(err);
  const int rc = osq_cli_parse_run(argc, argv, &a, err);
  check_err(rc, err, "run: error contract", argc, argv);
  osq_error_clear(err);
  if (osq_cli_parse_run(argc, argv, &b, err) != rc || memcmp(&a, &b, sizeof a) != 0) fail("run: not pure", argc, argv);
  if (rc != OSQ_OK || a.help) return; /* --help: the help is all that happens */
  if (!a.path || !is_argv(a.path, argc, argv) || (a.path[0] == '-' && a.path[1])) fail("run: path", argc, argv);
  if (!from_argv(a.out, argc, argv) || !from_argv(a.formats, argc, argv) || !from_argv(a.flight_log, argc, argv) ||
      !from_argv(a.resume, argc, argv))
    fail("run: a string not from argv", argc, argv);
  if (a.resume && (a.out || !a.resume[0])) fail("run: --resume with --out, or empty", argc, argv);
  if (a.trials < 0 || a.trials > OSQ_TRIALS_MAX || a.threads < 0 || a.threads > 1024 || a.seed < -1 ||
      a.log_trials < -1 || a.log_trials > 1000000)
    fail("run: a number out of range", argc, argv);
}

static void fuzz_compare(int argc, char **argv, osq_error_t *err) {
  osq_compare_args_t a, b;
  osq_error_clear(err);
  const int rc = osq_cli_parse_compare(argc, argv, &a, err);
  check_err(rc, err, "compare: error contract", argc, argv);
  osq_error_clear(err);
  if (osq_cli_parse_compare(argc, argv, &b, err) != rc || memcmp(&a, &b, sizeof a) != 0)
    fail("compare: not pure", argc, argv);
  if (rc != OSQ_OK || a.help) return;
  if (a.n < 2 || a.n > OSQ_CLI_COMPARE_MAX) fail("compare: scenario count", argc, argv);
  for (int k = 0; k < a.n; k++)
    if (!is_argv(a.paths[k], argc, argv) || (a.paths[k][0] == '-' && a.paths[k][1])) fail("compare: path", argc, argv);
  if (!a.out || (strcmp(a.out, "out/compare") != 0 && !from_argv(a.out, argc, argv)))
    fail("compare: out", argc, argv);
  if (!from_argv(a.formats, argc, argv) || !from_argv(a.metrics, argc, argv) || !from_argv(a.parties, argc, argv))
    fail("compare: a string not from argv", argc, argv);
  if (a.trials < 0 || a.trials > OSQ_TRIALS_MAX || a.threads < 0 || a.threads > 1024 || a.seed < -1)
    fail("compare: a number out of range", argc, argv);
}

static void fuzz_parties(int argc, char **argv, osq_error_t *err) {
  osq_parties_args_t a, b;
  osq_error_clear(err);
  const int rc = osq_cli_parse_parties(argc, argv, &a, err);
  check_err(rc, err, "parties: error contract", argc, argv);
  osq_error_clear(err);
  if (osq_cli_parse_parties(argc, argv, &b, err) != rc || memcmp(&a, &b, sizeof a) != 0)
    fail("parties: not pure", argc, argv);
  if (rc != OSQ_OK) return;
  if (!from_argv(a.date, argc, argv)) fail("parties: date not from argv", argc, argv);
  if (a.help) return; /* --help: nothing else is checked, the help is all that happens */
  if (!a.path || !is_argv(a.path, argc, argv) || (a.path[0] == '-' && a.path[1])) fail("parties: path", argc, argv);
  if (a.date) {
    char back[11];
    osq_date_format(a.day, back);
    if (strcmp(back, a.date) != 0) fail("parties: --date does not print back as itself", argc, argv);
  }
}

static void fuzz_check(int argc, char **argv, osq_error_t *err) {
  osq_check_args_t a;
  osq_error_clear(err);
  const int rc = osq_cli_parse_check(argc, argv, &a, err);
  check_err(rc, err, "check: error contract", argc, argv);
  if (rc != OSQ_OK || a.help) return;
  if (!a.path || !is_argv(a.path, argc, argv) || (a.path[0] == '-' && a.path[1])) fail("check: path", argc, argv);
}

static void fuzz_sensitivity(int argc, char **argv, osq_error_t *err) {
  osq_sensitivity_args_t a, b;
  osq_error_clear(err);
  const int rc = osq_cli_parse_sensitivity(argc, argv, &a, err);
  check_err(rc, err, "sensitivity: error contract", argc, argv);
  osq_error_clear(err);
  if (osq_cli_parse_sensitivity(argc, argv, &b, err) != rc || memcmp(&a, &b, sizeof a) != 0)
    fail("sensitivity: not pure", argc, argv);
  if (rc != OSQ_OK || a.help) return;
  if (!a.path || !is_argv(a.path, argc, argv) || (a.path[0] == '-' && a.path[1])) fail("sensitivity: path", argc, argv);
  if (!from_argv(a.out, argc, argv) || !from_argv(a.resume, argc, argv))
    fail("sensitivity: a string not from argv", argc, argv);
  if (a.resume && (a.out || !a.resume[0])) fail("sensitivity: --resume with --out, or empty", argc, argv);
  if (a.method < 0 || a.method > 2 || (a.points != 0 && (a.points < 2 || a.points > 65536)) || a.trials < 0 ||
      a.trials > INT32_MAX || a.threads < 0 || a.threads > 1024 || a.seed < -1)
    fail("sensitivity: a number out of range", argc, argv);
}

static void fuzz_validate(int argc, char **argv, osq_error_t *err) {
  osq_validate_args_t a, b;
  osq_error_clear(err);
  const int rc = osq_cli_parse_validate(argc, argv, &a, err);
  check_err(rc, err, "validate: error contract", argc, argv);
  osq_error_clear(err);
  if (osq_cli_parse_validate(argc, argv, &b, err) != rc || memcmp(&a, &b, sizeof a) != 0)
    fail("validate: not pure", argc, argv);
  if (rc != OSQ_OK || a.help) return;
  if (!a.path || !is_argv(a.path, argc, argv) || (a.path[0] == '-' && a.path[1])) fail("validate: path", argc, argv);
  if (!from_argv(a.history, argc, argv) || !from_argv(a.out, argc, argv)) fail("validate: a string not from argv", argc, argv);
  if (a.trials < 0 || a.trials > OSQ_TRIALS_MAX || a.threads < 0 || a.threads > 1024 || a.seed < -1)
    fail("validate: a number out of range", argc, argv);
}

static void fuzz_calibrate(int argc, char **argv, osq_error_t *err) {
  osq_calibrate_args_t a, b;
  osq_error_clear(err);
  const int rc = osq_cli_parse_calibrate(argc, argv, &a, err);
  check_err(rc, err, "calibrate: error contract", argc, argv);
  osq_error_clear(err);
  if (osq_cli_parse_calibrate(argc, argv, &b, err) != rc || memcmp(&a, &b, sizeof a) != 0)
    fail("calibrate: not pure", argc, argv);
  if (rc != OSQ_OK || a.help) return;
  if (!a.path || !is_argv(a.path, argc, argv) || !a.targets || a.n_keys < 1 || a.n_keys > OSQ_CLI_FREE_MAX)
    fail("calibrate: path, targets or keys", argc, argv);
  for (int k = 0; k < a.n_keys; k++) {
    if (!a.keys[k][0] || strlen(a.keys[k]) >= OSQ_CLI_KEY_LEN) fail("calibrate: an empty or long key", argc, argv);
    const double lo = a.bounds[2 * k], hi = a.bounds[2 * k + 1];
    if (isnan(lo) != isnan(hi) || (!isnan(lo) && !(lo < hi))) fail("calibrate: bounds", argc, argv);
  }
  if (a.max_evals < 1 || a.max_evals > 100000) fail("calibrate: max-evals out of range", argc, argv);
}

static void fuzz_init(int argc, char **argv, osq_error_t *err) {
  osq_init_args_t a, b;
  osq_error_clear(err);
  const int rc = osq_cli_parse_init(argc, argv, &a, err);
  check_err(rc, err, "init: error contract", argc, argv);
  osq_error_clear(err);
  if (osq_cli_parse_init(argc, argv, &b, err) != rc || memcmp(&a, &b, sizeof a) != 0) fail("init: not pure", argc, argv);
  if (rc != OSQ_OK) return;
  if (a.dir && (!is_argv(a.dir, argc, argv) || (a.dir[0] == '-' && a.dir[1]))) fail("init: dir", argc, argv);
}

static void fuzz_bench(int argc, char **argv, osq_error_t *err) {
  osq_bench_args_t a, b;
  osq_error_clear(err);
  const int rc = osq_cli_parse_bench(argc, argv, &a, err);
  check_err(rc, err, "bench: error contract", argc, argv);
  osq_error_clear(err);
  if (osq_cli_parse_bench(argc, argv, &b, err) != rc || memcmp(&a, &b, sizeof a) != 0) fail("bench: not pure", argc, argv);
  if (rc != OSQ_OK) return;
  if (a.path && (!is_argv(a.path, argc, argv) || (a.path[0] == '-' && a.path[1]))) fail("bench: path", argc, argv);
  if (a.n_threads < 0 || a.n_threads > OSQ_BENCH_MAX_CONFIGS || a.repeat < 1 || a.repeat > OSQ_BENCH_MAX_REPEAT ||
      a.trials < 0 || a.trials > OSQ_TRIALS_MAX)
    fail("bench: a number out of range", argc, argv);
  for (int i = 0; i < a.n_threads; i++) {
    if (a.threads[i] < 1 || a.threads[i] > OSQ_BENCH_MAX_THREADS) fail("bench: a thread count out of range", argc, argv);
    for (int j = 0; j < i; j++)
      if (a.threads[i] == a.threads[j]) fail("bench: a thread count twice", argc, argv);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char **argv = NULL;
  int argc = 0;
  size_t start = 0;
  /* Strings end at NUL or at the end of the input; a NUL at the very end adds no empty string. */
  while (start < size && argc < MAX_ARGS) {
    size_t end = start;
    while (end < size && data[end] != 0) end++;
    char **grown = realloc(argv, sizeof *argv * (size_t)(argc + 1));
    if (!grown) abort();
    argv = grown;
    argv[argc] = malloc(end - start + 1);
    if (!argv[argc]) abort();
    memcpy(argv[argc], data + start, end - start);
    argv[argc][end - start] = '\0';
    argc++;
    start = end + 1;
  }
  /* Heap, not stack: ASan then sees a write past the record. */
  osq_error_t *err = malloc(sizeof *err);
  if (!err) abort();
  fuzz_run(argc, argv, err);
  fuzz_compare(argc, argv, err);
  fuzz_parties(argc, argv, err);
  fuzz_check(argc, argv, err);
  fuzz_init(argc, argv, err);
  fuzz_bench(argc, argv, err);
  fuzz_validate(argc, argv, err);
  fuzz_calibrate(argc, argv, err);
  fuzz_sensitivity(argc, argv, err);
  check_i64(argc, argv);
  free(err);
  for (int i = 0; i < argc; i++) free(argv[i]);
  free(argv);
  return 0;
}
