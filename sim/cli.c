/*
 * cli.c owns the command-line parsers of osq (see cli.h). They are pure so that they can be
 * fuzzed (tests/fuzz/fuzz_cli.c) and so that sim/main.c only has to print what they report; the
 * messages are exactly those main.c printed before the parsers moved here.
 */
#include "sim/cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"

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

static bool is(const char *a, const char *name) { return strcmp(a, name) == 0; }

/* --trials and --threads mean the same in run and compare. @return 0, or OSQ_EINVAL when a is one
 * of them and v is not a valid value. */
static int trials_threads(const char *a, const char *v, long long *trials, long long *threads, osq_error_t *err) {
  if (is(a, "--trials") && !osq_cli_parse_i64(v, 1, OSQ_TRIALS_MAX, trials))
    return usage(err, "--trials '%s' is not an integer in [1, 2^40]", v);
  if (is(a, "--threads") && !osq_cli_parse_i64(v, 1, 1024, threads))
    return usage(err, "--threads '%s' is not an integer in [1, 1024]", v);
  return OSQ_OK;
}

int osq_cli_parse_run(int argc, char **argv, osq_run_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  out->seed = -1;
  out->log_trials = -1;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (is(a, "--force")) out->force = true;
    else if (is(a, "--quiet")) out->quiet = true;
    else if (is(a, "--trials") || is(a, "--threads") || is(a, "--seed") || is(a, "--out") || is(a, "--format") ||
             is(a, "--flight-log") || is(a, "--flight-log-trials") || is(a, "--resume")) {
      if (!v) return usage(err, "option %s needs a value", a);
      i++;
      const int bad = trials_threads(a, v, &out->trials, &out->threads, err);
      if (bad) return bad;
      if (is(a, "--seed") && !osq_cli_parse_i64(v, 0, INT64_MAX, &out->seed))
        return usage(err, "--seed '%s' is not an integer in [0, 2^63-1]", v);
      if (is(a, "--flight-log-trials") && !osq_cli_parse_i64(v, 0, 1000000, &out->log_trials))
        return usage(err, "--flight-log-trials '%s' is not an integer in [0, 1000000]", v);
      if (is(a, "--out")) out->out = v;
      if (is(a, "--format")) out->formats = v;
      if (is(a, "--flight-log")) out->flight_log = v;
      if (is(a, "--resume")) out->resume = v;
    } else if (a[0] == '-' && a[1]) {
      return usage(err, "unknown option '%s' for run", a);
    } else if (!out->path) {
      out->path = a;
    } else {
      return usage(err, "unexpected argument '%s' (run takes one scenario file)", a);
    }
  }
  if (!out->path) return usage(err, "run needs a scenario file%s", "");
  if (out->resume && !out->resume[0]) return usage(err, "--resume needs a directory%s", "");
  if (out->resume && out->out)
    return usage(err, "--resume '%s' writes into that directory; --out cannot be given with it", out->resume);
  return OSQ_OK;
}

int osq_cli_parse_compare(int argc, char **argv, osq_compare_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  out->out = "out/compare";
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (is(a, "--force")) out->force = true;
    else if (is(a, "--key")) out->key = true;
    else if (is(a, "--trials") || is(a, "--threads") || is(a, "--out") || is(a, "--format") || is(a, "--metrics") ||
             is(a, "--parties")) {
      if (!v) return usage(err, "option %s needs a value", a);
      i++;
      const int bad = trials_threads(a, v, &out->trials, &out->threads, err);
      if (bad) return bad;
      if (is(a, "--out")) out->out = v;
      if (is(a, "--format")) out->formats = v;
      if (is(a, "--metrics")) out->metrics = v;
      if (is(a, "--parties")) out->parties = v;
    } else if (a[0] == '-' && a[1]) {
      return usage(err, "unknown option '%s' for compare", a);
    } else if (out->n == OSQ_CLI_COMPARE_MAX) {
      return usage(err, "too many scenarios (compare takes at most 16)%s", "");
    } else {
      out->paths[out->n++] = a;
    }
  }
  if (out->n < 2) return usage(err, "compare needs at least two scenario files%s", "");
  return OSQ_OK;
}

int osq_cli_parse_parties(int argc, char **argv, osq_parties_args_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < argc; i++) {
    if (is(argv[i], "--date")) {
      if (i + 1 >= argc) return usage(err, "--date needs a value YYYY-MM-DD%s", "");
      out->date = argv[++i];
    } else if (strncmp(argv[i], "--date=", 7) == 0) {
      out->date = argv[i] + 7;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage(err, "unknown option '%s' for parties", argv[i]);
    } else if (!out->path) {
      out->path = argv[i];
    } else {
      return usage(err, "unexpected argument '%s' (parties takes one scenario file)", argv[i]);
    }
  }
  if (!out->path) return usage(err, "parties needs a scenario file%s", "");
  if (out->date && osq_date_parse(out->date, &out->day) != OSQ_OK)
    return usage(err, "--date '%s' is not a valid date (expected YYYY-MM-DD)", out->date);
  return OSQ_OK;
}

int osq_cli_parse_check(int argc, char **argv, osq_check_args_t *out, osq_error_t *err) {
  out->path = NULL;
  if (argc != 1) return usage(err, "check takes one scenario file%s", "");
  out->path = argv[0];
  return OSQ_OK;
}
