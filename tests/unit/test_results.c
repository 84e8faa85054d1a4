/*
 * test_results.c owns the tests of results/: the tables, every file format (read back and compared
 * value by value), the all-or-none result set, and the atomic single-file writer.
 *
 * Write failures are real, not simulated: the tests run as root, so a read-only directory would not
 * stop a write. Instead they use RLIMIT_FSIZE (a write past the limit fails with EFBIG; SIGXFSZ is
 * ignored), /dev/full (ENOSPC on flush) for the stream writers, a path under a regular file, and a
 * directory standing where a result file should go (the move into place fails). Criterion runs each
 * test in its own process, so a lowered file-size limit ends with the test.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files_fixture.h"
#include "results/internal.h"
#include "results/table.h"

/* ---------------------------------------------------------------------------------------------- */
/* helpers                                                                                          */
/* ---------------------------------------------------------------------------------------------- */

static bool exists_in(const char *dir, const char *name) {
  char *p = path_join(dir, name);
  struct stat st;
  bool ok = lstat(p, &st) == 0;
  free(p);
  return ok;
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  cr_assert_eq(fclose(f), 0);
}

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Lower the file-size limit: writes past it fail with EFBIG instead of killing the process. */
static void limit_file_size(rlim_t bytes) {
  signal(SIGXFSZ, SIG_IGN);
  struct rlimit rl;
  cr_assert_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
  rl.rlim_cur = bytes;
  cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0, "setrlimit: %s", strerror(errno));
}

static void unlimit_file_size(void) {
  struct rlimit rl;
  cr_assert_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_FSIZE, &rl);
}

static long file_size(const char *dir, const char *name) {
  char *p = path_join(dir, name);
  struct stat st;
  cr_assert_eq(stat(p, &st), 0, "stat %s", p);
  free(p);
  return (long)st.st_size;
}

static bool any_error_contains(const osq_error_t *err, const char *needle) {
  for (int i = 0; i < err->n; i++)
    if (strstr(err->msg[i], needle)) return true;
  return false;
}

/* ---- fixtures ---- */

static const char *SCENARIO = "base_line, \"what if\"";

static osq_row_t mkrow(int year, const char *metric, const char *party, int64_t n, double mean,
                       double sd, double se, double lo, double hi, double p05, double p50,
                       double p95) {
  osq_row_t r;
  memset(&r, 0, sizeof r);
  r.year = year;
  snprintf(r.metric, sizeof r.metric, "%s", metric);
  snprintf(r.party, sizeof r.party, "%s", party);
  r.n = n;
  r.mean = mean;
  r.sd = sd;
  r.se = se;
  r.ci95_lo = lo;
  r.ci95_hi = hi;
  r.p05 = p05;
  r.p50 = p50;
  r.p95 = p95;
  return r;
}

#define N_AWKWARD 6

/* Values that break naive number printing: short decimals, tiny and huge magnitudes, -0,
 * subnormals, non-finite values, and text that needs CSV quoting or TeX escaping. */
static osq_table_t *awkward_table(void) {
  osq_table_t *t = osq_table_alloc(SCENARIO);
  cr_assert_not_null(t);
  volatile double zero = 0.0;
  double neg_nan = zero / zero; /* usually the sign bit set: written as NaN all the same */
  osq_row_t rows[N_AWKWARD] = {
      mkrow(2019, "flights", "ALL", 1000, 0.1, 1e-300, 123456789.123, -0.0, -2.5e-10, DBL_MAX,
            4.9406564584124654e-324, 1.0 / 3.0),
      mkrow(2019, "flights_over", "RUBY", 0, NAN, NAN, NAN, NAN, NAN, neg_nan, NAN, NAN),
      mkrow(2021, "coverage", "BNLX", 7, -123.456, 0.5, 0.0, -INFINITY, INFINITY, -1e-5, 2.5e-7,
            9.99996),
      mkrow(2020, "odd,\"name\"", "US", 3, 1e300, 2.2250738585072014e-308, 1.0 - DBL_EPSILON / 2,
            -1e-300, 7.0, 0.30000000000000004, 1e22, -987654321.5),
      mkrow(2019, "buildup_detect", "DE", 1, 0.95, NAN, NAN, NAN, NAN, 0.95, 0.95, 0.95),
      mkrow(2020, "flights", "ALL", 1000, 91.25, 3.5, 0.11, 91.03, 91.47, 86, 91, 97),
  };
  for (int i = 0; i < N_AWKWARD; i++) cr_assert_eq(osq_table_add(t, &rows[i]), 0);
  return t;
}

static osq_dyad_table_t *dyad_table(void) {
  osq_dyad_table_t *d = osq_dyad_table_alloc(SCENARIO);
  cr_assert_not_null(d);
  osq_dyad_row_t rows[] = {
      {2019, "US", "RUBY", 21.0},
      {2019, "DE", "RUBY", 0.1},
      {2020, "RUBY", "BNLX", 1e-300},
      {2020, "CA", "UA", NAN},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    cr_assert_eq(osq_dyad_table_add(d, &rows[i]), 0);
  return d;
}

static osq_run_header_t test_header(void) {
  osq_run_header_t h;
  osq_run_header_init(&h);
  h.version = "0.1.0-test";
  h.scenario_name = SCENARIO;
  h.scenario_path = "scenarios/base_line.cfg";
  strcpy(h.scenario_hash, "0123456789abcdef");
  h.seed = 12345678901234567ULL;
  h.trials = 1000;
  h.trials_done = 900;
  h.threads = 2;
  h.ranks = 1;
  h.rng = "philox2x64-10";
  h.block_size = 4096;
  h.wall_seconds = 12.345678901234567;
  strcpy(h.verification_hash, "fedcba9876543210");
  strcpy(h.result_digest, "00000000000000ff");
  h.partial = true;
  h.created = "2024-05-01T12:00:00Z";
  return h;
}

/* A small, different table: the "older run" whose files must survive a failed write. */
static osq_table_t *old_table(void) {
  osq_table_t *t = osq_table_alloc("old");
  osq_row_t r = mkrow(2018, "plans_agreed", "ALL", 10, 0, 0, 0, 0, 0, 0, 0, 0);
  cr_assert_eq(osq_table_add(t, &r), 0);
  return t;
}

/* ---------------------------------------------------------------------------------------------- */
/* tables                                                                                           */
/* ---------------------------------------------------------------------------------------------- */

Test(results_table, add_grows_and_keeps_rows) {
  osq_table_t *t = osq_table_alloc(NULL);
  cr_assert_str_eq(t->scenario, "");
  for (int i = 0; i < 1000; i++) {
    osq_row_t r = mkrow(2000 + i, "flights", "ALL", i, i, 0, 0, 0, 0, 0, 0, 0);
    cr_assert_eq(osq_table_add(t, &r), 0);
  }
  cr_assert_eq(t->n, 1000);
  for (int i = 0; i < 1000; i++) {
    cr_assert_eq(t->rows[i].year, 2000 + i);
    cr_assert_eq(t->rows[i].mean, (double)i);
  }
  osq_table_free(t);
  osq_table_free(NULL);
}

Test(results_table, add_rejects_bad_codes) {
  osq_table_t *t = osq_table_alloc("x");
  osq_row_t r = mkrow(2019, "flights", "ALL", 1, 0, 0, 0, 0, 0, 0, 0, 0);
  r.metric[0] = '\0';
  cr_assert_eq(osq_table_add(t, &r), OSQ_EINVAL);
  r = mkrow(2019, "flights", "ALL", 1, 0, 0, 0, 0, 0, 0, 0, 0);
  memset(r.party, 'X', sizeof r.party); /* no terminating NUL */
  cr_assert_eq(osq_table_add(t, &r), OSQ_EINVAL);
  cr_assert_eq(t->n, 0);

  osq_dyad_table_t *d = osq_dyad_table_alloc("x");
  osq_dyad_row_t dr = {2019, "US", "", 1.0};
  cr_assert_eq(osq_dyad_table_add(d, &dr), OSQ_EINVAL);
  cr_assert_eq(d->n, 0);
  osq_dyad_table_free(d);
  osq_table_free(t);
}

Test(results_table, utc_timestamp) {
  char buf[OSQ_ISO8601_LEN];
  cr_assert_eq(osq_format_utc(0, buf, sizeof buf), 0);
  cr_assert_str_eq(buf, "1970-01-01T00:00:00Z");
  cr_assert_eq(osq_format_utc(1714564800, buf, sizeof buf), 0);
  cr_assert_str_eq(buf, "2024-05-01T12:00:00Z");
  cr_assert_eq(osq_format_utc(0, buf, 10), OSQ_ERANGE);
}

Test(results_table, formats_parse) {
  osq_error_t err;
  unsigned f = 12345;
  osq_error_clear(&err);
  cr_assert_eq(osq_formats_parse("csv,json,md,tex", &f, &err), 0);
  cr_assert_eq(f, OSQ_FMT_ALL);
  cr_assert_eq(osq_formats_parse(" md , csv ,md", &f, &err), 0);
  cr_assert_eq(f, OSQ_FMT_MD | OSQ_FMT_CSV);
  cr_assert_eq(osq_formats_parse("json", &f, &err), 0);
  cr_assert_eq(f, OSQ_FMT_JSON);
  cr_assert_eq(err.n, 0);

  f = 777;
  cr_assert_eq(osq_formats_parse("csv,xml", &f, &err), OSQ_EINVAL);
  cr_assert_eq(f, 777, "output must be untouched on error");
  cr_assert_eq(err.code, OSQ_EINVAL);
  cr_assert(strstr(err.msg[0], "unknown format 'xml'") && strstr(err.msg[0], "csv, json, md, tex"),
            "unclear message: %s", err.msg[0]);

  const char *bad[] = {"", "csv,", ",csv", "CSV", "csv;json", "csvx"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    osq_error_clear(&err);
    cr_assert_eq(osq_formats_parse(bad[i], &f, &err), OSQ_EINVAL, "accepted \"%s\"", bad[i]);
    cr_assert_eq(err.n, 1);
  }
}

/* The one list of format names: what --format accepts is what osq_format_valid accepts. */
Test(results_table, format_names) {
  const char *good[] = {"csv", "json", "md", "tex"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    unsigned f = 0;
    osq_error_t err;
    osq_error_clear(&err);
    cr_assert(osq_format_valid(good[i]), "refused %s", good[i]);
    cr_assert_eq(osq_formats_parse(good[i], &f, &err), 0);
  }
  cr_assert_eq(OSQ_FMT_ALL, (1u << OSQ_FMT_COUNT) - 1, "one bit per format");
  const char *bad[] = {"", "xml", "CSV", "csv ", "cs", "jsonx", "md,tex"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert(!osq_format_valid(bad[i]), "accepted \"%s\"", bad[i]);
  cr_assert(!osq_format_valid(NULL));

  char buf[OSQ_FMT_TEXT_LEN];
  osq_formats_text(buf, "", ", ");
  cr_assert_str_eq(buf, "csv, json, md, tex");
  osq_formats_text(buf, "\"", " or ");
  cr_assert_str_eq(buf, "\"csv\", \"json\", \"md\" or \"tex\"");
}

Test(results_table, human_number_format) {
  struct {
    double x;
    const char *want;
  } cases[] = {
      {0.1, "0.1000"},         {91.25, "91.25"},        {123456789.123, "123456789"},
      {-123.456, "-123.5"},    {9.99996, "10.00"},      {0.0, "0"},
      {-0.0, "0"},             {-0.00001, "-1.000e-05"}, {1e300, "1.000e+300"},
      {NAN, "n/a"},            {-INFINITY, "-inf"},     {0.000123456, "0.0001235"},
      {-0.00049999, "-0.0005000"}, {1.0 / 3.0, "0.3333"},
      /* Integer values read as integers (93, not 93.00), whatever their size below 1e15. */
      {93.0, "93"},            {-4.0, "-4"},            {1.0, "1"},
      {11872661.0, "11872661"}, {1e14, "100000000000000"}, {1e15, "1.000e+15"},
      {93.000000000001, "93.00"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[OSQ__NUM_LEN];
    osq__fmt_sig(cases[i].x, 4, buf);
    cr_assert_str_eq(buf, cases[i].want, "%.17g", cases[i].x);
  }
}

/* The significant digits of a decimal as written ("-0.0012500e-5" has 3: 125). */
static int sig_digits(const char *s) {
  char d[64];
  int n = 0;
  for (const char *p = s; *p && *p != 'e' && n < 63; p++)
    if (*p >= '0' && *p <= '9') d[n++] = *p;
  int lo = 0, hi = n;
  while (lo < hi && d[lo] == '0') lo++;
  while (hi > lo && d[hi - 1] == '0') hi--;
  return hi - lo;
}

/* Whether x printed with p significant digits ("%.{p}g") reads back as x. */
static bool reads_back(double x, int p) {
  char buf[80];
  snprintf(buf, sizeof buf, "%.*g", p, x);
  return strtod(buf, NULL) == x;
}

static void assert_shortest(double x) {
  char buf[OSQ__NUM_LEN];
  osq__fmt_exact(x, buf);
  uint64_t a, b;
  const double back = strtod(buf, NULL);
  memcpy(&a, &x, sizeof a);
  memcpy(&b, &back, sizeof b);
  cr_assert_eq(a, b, "%.17g written as '%s' reads back as %.17g", x, buf, back);
  const char *e = strchr(buf, 'e');
  if (e) cr_assert(e[1] != '+' && e[1 + (e[1] == '-')] != '0', "'%s': exponent with '+' or a leading zero", buf);
  /* No fewer digits read back: d - 1, and 15 when d is 17. Up to 15 digits a normal double (15.95
   * digits of precision) that reads back from p digits also does from p + 1, so these two cover
   * every count below d; a subnormal (less precision) is checked at every count. */
  const int d = sig_digits(buf);
  if (x == 0) return;
  if (fabs(x) < DBL_MIN) {
    for (int p = 1; p < d; p++) cr_assert(!reads_back(x, p), "%.17g written as '%s': %d digits do", x, buf, p);
    return;
  }
  if (d > 1) cr_assert(!reads_back(x, d - 1), "%.17g written as '%s': %d digits read back", x, buf, d - 1);
  if (d == 17) cr_assert(!reads_back(x, 15), "%.17g written as '%s': 15 digits read back", x, buf);
}

/* Every number of CSV and JSON is the shortest decimal that reads back as the same double: a million
 * random doubles (any bit pattern, decimals of a few digits, integers, tiny and huge), and the
 * special values. */
Test(results_table, shortest_round_trip) {
  const double special[] = {0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.30000000000000004, 1.0 / 3.0, 2.0 / 3.0, 88.1123,
                            DBL_MAX, -DBL_MAX, DBL_MIN, DBL_TRUE_MIN, DBL_EPSILON, 1e-5, 1e21, 1e22, 1e23,
                            9007199254740993.0, 123456789012345678.0, 5e-324, 2.2250738585072009e-308,
                            1.7976931348623157e308, 0.1 + 0.2, 100.0, 1e15, 1e16, 1e17};
  for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) assert_shortest(special[i]);
  char buf[OSQ__NUM_LEN];
  osq__fmt_exact(NAN, buf);
  cr_assert_str_eq(buf, "NaN");
  osq__fmt_exact(-NAN, buf);
  cr_assert_str_eq(buf, "NaN");
  osq__fmt_exact(INFINITY, buf);
  cr_assert_str_eq(buf, "Inf");
  osq__fmt_exact(-INFINITY, buf);
  cr_assert_str_eq(buf, "-Inf");
  osq__fmt_exact(88.112300000000005, buf);
  cr_assert_str_eq(buf, "88.1123");
  osq__fmt_exact(1e-5, buf);
  cr_assert_str_eq(buf, "1e-5");

  uint64_t s = UINT64_C(0x853c49e6748fea9b);
  for (int i = 0; i < 1000000; i++) {
    s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    uint64_t r = s ^ (s >> 29);
    double x;
    switch (i % 4) {
      case 0: /* any finite bit pattern */
        memcpy(&x, &r, sizeof x);
        if (!isfinite(x)) continue;
        break;
      case 1: x = (double)(int64_t)(r >> 20) / pow(10.0, (double)(r % 12)); break; /* a few decimals */
      case 2: x = (double)(int64_t)(r >> (r % 60)); break;                        /* integers */
      default: x = ldexp((double)(r >> 11) / 9007199254740992.0, (int)(r % 2000) - 1000); break;
    }
    assert_shortest((r & 1) ? x : -x);
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* CSV                                                                                              */
/* ---------------------------------------------------------------------------------------------- */

Test(results_csv, summary_round_trips_bitwise) {
  char *dir = make_tmpdir();
  osq_table_t *t = awkward_table();
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(dir, OSQ_FMT_CSV, &h, t, NULL, false, &err), 0, "%s", err.msg[0]);
  assert_listing_why(dir, "dyads.csv summary.csv", "unexpected entries");

  char *text = slurp_in(dir, "summary.csv");
  const char *p = text;
  char *f[MAX_FIELDS];
  int n = csv_record(&p, f);
  const char *cols[] = {"scenario", "year", "metric", "party", "mean", "sd", "se",
                        "ci95_lo", "ci95_hi", "p05", "p50", "p95", "n"};
  cr_assert_eq(n, 13);
  for (int i = 0; i < 13; i++) cr_assert_str_eq(f[i], cols[i]);
  cr_assert(starts_with(text, "scenario,year,metric,party,mean,sd,se,ci95_lo,ci95_hi,p05,p50,p95,n\n"));
  free_fields(f, n);

  size_t row = 0;
  while ((n = csv_record(&p, f)) > 0) {
    cr_assert_lt(row, t->n);
    const osq_row_t *r = &t->rows[row];
    cr_assert_eq(n, 13, "row %zu has %d fields", row, n);
    cr_assert_str_eq(f[0], SCENARIO);
    cr_assert_eq(atoi(f[1]), r->year);
    cr_assert_str_eq(f[2], r->metric);
    cr_assert_str_eq(f[3], r->party);
    const double want[] = {r->mean, r->sd, r->se, r->ci95_lo, r->ci95_hi, r->p05, r->p50, r->p95};
    for (int k = 0; k < 8; k++) assert_same_number(want[k], f[4 + k], cols[4 + k]);
    cr_assert_eq(strtoll(f[12], NULL, 10), r->n);
    free_fields(f, n);
    row++;
  }
  cr_assert_eq(row, t->n);
  cr_assert_eq(*p, '\0');
  /* The awkward values print as expected, not only read back: the shortest exact decimals. */
  cr_assert(strstr(text, ",0.1,1e-300,123456789.123,-0,-2.5e-10,1.7976931348623157e308,5e-324,"
                         "0.3333333333333333,1000\n"), "%s", text);
  cr_assert(strstr(text, ",1e300,2.2250738585072014e-308,0.9999999999999999,-1e-300,7,0.30000000000000004,1e22,"
                         "-987654321.5,3\n"), "%s", text);
  cr_assert(strstr(text, ",-Inf,Inf,"));
  cr_assert(strstr(text, "\"base_line, \"\"what if\"\"\",2020,\"odd,\"\"name\"\"\",US,"));

  free(text);
  osq_table_free(t);
  rm_rf(dir);
  free(dir);
}

Test(results_csv, dyads_header_and_rows) {
  char *dir = make_tmpdir();
  osq_table_t *t = awkward_table();
  osq_dyad_table_t *d = dyad_table();
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(dir, OSQ_FMT_CSV, &h, t, d, false, &err), 0, "%s", err.msg[0]);

  char *text = slurp_in(dir, "dyads.csv");
  cr_assert(starts_with(text, "scenario,year,observer,observed,mean_flights\n"));
  const char *p = text;
  char *f[MAX_FIELDS];
  int n = csv_record(&p, f);
  cr_assert_eq(n, 5);
  free_fields(f, n);
  size_t row = 0;
  while ((n = csv_record(&p, f)) > 0) {
    const osq_dyad_row_t *r = &d->rows[row];
    cr_assert_eq(n, 5);
    cr_assert_str_eq(f[0], SCENARIO);
    cr_assert_eq(atoi(f[1]), r->year);
    cr_assert_str_eq(f[2], r->observer);
    cr_assert_str_eq(f[3], r->observed);
    assert_same_number(r->mean_flights, f[4], "mean_flights");
    free_fields(f, n);
    row++;
  }
  cr_assert_eq(row, d->n);
  free(text);

  /* Without a dyad table, the file is the header alone. */
  char *dir2 = path_join(dir, "nodyads");
  cr_assert_eq(osq_results_write(dir2, OSQ_FMT_CSV, &h, t, NULL, false, &err), 0);
  text = slurp_in(dir2, "dyads.csv");
  cr_assert_str_eq(text, "scenario,year,observer,observed,mean_flights\n");
  free(text);
  free(dir2);
  osq_dyad_table_free(d);
  osq_table_free(t);
  rm_rf(dir);
  free(dir);
}

/* ---------------------------------------------------------------------------------------------- */
/* JSON                                                                                             */
/* ---------------------------------------------------------------------------------------------- */

static void assert_json_number(json_t *obj, const char *key, double want, const char *ctx) {
  json_t *v = json_object_get(obj, key);
  cr_assert_not_null(v, "%s: no key %s", ctx, key);
  if (!isfinite(want)) {
    cr_assert(json_is_null(v), "%s.%s: non-finite must be null", ctx, key);
  } else {
    cr_assert(json_is_real(v), "%s.%s: not a real", ctx, key);
    cr_assert(same_bits(json_real_value(v), want), "%s.%s: %.17g != %.17g", ctx, key,
              json_real_value(v), want);
  }
}

static void assert_json_string(json_t *obj, const char *key, const char *want) {
  json_t *v = json_object_get(obj, key);
  cr_assert(json_is_string(v), "%s is not a string", key);
  cr_assert_str_eq(json_string_value(v), want, "%s", key);
}

static void assert_json_int(json_t *obj, const char *key, long long want) {
  json_t *v = json_object_get(obj, key);
  cr_assert(json_is_integer(v), "%s is not an integer", key);
  cr_assert_eq(json_integer_value(v), want, "%s", key);
}

Test(results_json, valid_complete_and_exact) {
  char *dir = make_tmpdir();
  osq_table_t *t = awkward_table();
  osq_dyad_table_t *d = dyad_table();
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(dir, OSQ_FMT_JSON, &h, t, d, false, &err), 0, "%s", err.msg[0]);
  assert_listing_why(dir, "run.json", "unexpected entries");

  char *path = path_join(dir, "run.json");
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  cr_assert_not_null(root, "run.json invalid: %s line %d", jerr.text, jerr.line);
  assert_json_string(root, "format", "osq-run");
  assert_json_int(root, "format_version", 1);

  json_t *run = json_object_get(root, "run");
  cr_assert(json_is_object(run));
  assert_json_string(run, "version", h.version);
  assert_json_string(run, "scenario", h.scenario_name);
  assert_json_string(run, "scenario_path", h.scenario_path);
  assert_json_string(run, "scenario_hash", h.scenario_hash);
  assert_json_int(run, "seed", (long long)h.seed);
  assert_json_int(run, "trials", h.trials);
  assert_json_int(run, "trials_done", h.trials_done);
  assert_json_int(run, "threads", h.threads);
  assert_json_int(run, "ranks", h.ranks);
  assert_json_string(run, "rng", h.rng);
  assert_json_int(run, "block_size", h.block_size);
  assert_json_number(run, "wall_seconds", h.wall_seconds, "run");
  assert_json_string(run, "verification_hash", h.verification_hash);
  assert_json_string(run, "result_digest", h.result_digest);
  cr_assert(json_is_true(json_object_get(run, "partial")));
  assert_json_string(run, "created", h.created);
  cr_assert_eq(json_object_size(run), 16, "a header field was added without a test");

  json_t *rows = json_object_get(root, "summary");
  cr_assert(json_is_array(rows));
  cr_assert_eq(json_array_size(rows), t->n);
  for (size_t i = 0; i < t->n; i++) {
    json_t *o = json_array_get(rows, i);
    const osq_row_t *r = &t->rows[i];
    assert_json_string(o, "scenario", SCENARIO);
    assert_json_int(o, "year", r->year);
    assert_json_string(o, "metric", r->metric);
    assert_json_string(o, "party", r->party);
    assert_json_int(o, "n", r->n);
    assert_json_number(o, "mean", r->mean, "row");
    assert_json_number(o, "sd", r->sd, "row");
    assert_json_number(o, "se", r->se, "row");
    assert_json_number(o, "ci95_lo", r->ci95_lo, "row");
    assert_json_number(o, "ci95_hi", r->ci95_hi, "row");
    assert_json_number(o, "p05", r->p05, "row");
    assert_json_number(o, "p50", r->p50, "row");
    assert_json_number(o, "p95", r->p95, "row");
    cr_assert_eq(json_object_size(o), 13);
  }
  json_t *dy = json_object_get(root, "dyads");
  cr_assert(json_is_array(dy));
  cr_assert_eq(json_array_size(dy), d->n);
  for (size_t i = 0; i < d->n; i++) {
    json_t *o = json_array_get(dy, i);
    assert_json_int(o, "year", d->rows[i].year);
    assert_json_string(o, "observer", d->rows[i].observer);
    assert_json_string(o, "observed", d->rows[i].observed);
    assert_json_number(o, "mean_flights", d->rows[i].mean_flights, "dyad");
  }
  json_decref(root);

  /* Deterministic: the same input gives the same bytes, keys in sorted order. */
  char *first = slurp(path);
  char *dir2 = path_join(dir, "again");
  cr_assert_eq(osq_results_write(dir2, OSQ_FMT_JSON, &h, t, d, false, &err), 0);
  char *second = slurp_in(dir2, "run.json");
  cr_assert_str_eq(first, second);
  cr_assert_lt(strstr(first, "\"dyads\""), strstr(first, "\"format\""));
  cr_assert_lt(strstr(first, "\"run\""), strstr(first, "\"summary\""));
  free(first);
  free(second);
  free(dir2);
  free(path);
  osq_dyad_table_free(d);
  osq_table_free(t);
  rm_rf(dir);
  free(dir);
}

Test(results_json, large_seed_and_missing_fields) {
  osq_table_t *t = osq_table_alloc("s");
  osq_run_header_t h;
  osq_run_header_init(&h);
  h.seed = UINT64_MAX;
  h.wall_seconds = NAN;
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_run_json_write(fp, &h, t, NULL, &err), 0);
  fclose(fp);
  json_error_t jerr;
  json_t *root = json_loads(buf, 0, &jerr);
  cr_assert_not_null(root, "%s", jerr.text);
  json_t *run = json_object_get(root, "run");
  assert_json_string(run, "seed", "18446744073709551615");
  assert_json_string(run, "version", OSQ_VERSION);
  cr_assert(json_is_null(json_object_get(run, "scenario")));
  cr_assert(json_is_null(json_object_get(run, "scenario_hash")));
  cr_assert(json_is_null(json_object_get(run, "wall_seconds")));
  cr_assert(json_is_false(json_object_get(run, "partial")));
  cr_assert_eq(json_array_size(json_object_get(root, "summary")), 0);
  cr_assert_eq(json_array_size(json_object_get(root, "dyads")), 0);
  json_decref(root);
  free(buf);
  osq_table_free(t);
}

/* ---------------------------------------------------------------------------------------------- */
/* Markdown and LaTeX                                                                               */
/* ---------------------------------------------------------------------------------------------- */

Test(results_md, one_line_per_row_grouped) {
  char *dir = make_tmpdir();
  osq_table_t *t = awkward_table();
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(dir, OSQ_FMT_MD, &h, t, NULL, false, &err), 0, "%s", err.msg[0]);
  assert_listing_why(dir, "summary.md", "unexpected entries");
  char *text = slurp_in(dir, "summary.md");

  int table_lines = 0;
  const char *rows[16];
  for (char *line = text; *line;) {
    char *nl = strchr(line, '\n');
    cr_assert_not_null(nl, "last line without newline");
    if (*line == '|') {
      cr_assert_lt(table_lines, 16);
      rows[table_lines++] = line;
      int pipes = 0;
      for (char *q = line; q < nl; q++)
        if (*q == '|' && (q == line || q[-1] != '\\')) pipes++;
      cr_assert_eq(pipes, 9, "wrong column count: %.*s", (int)(nl - line), line);
    }
    line = nl + 1;
  }
  cr_assert_eq(table_lines, (int)t->n + 2);
  cr_assert(starts_with(rows[0], "| metric | party | year | mean | 95 % CI | p05 | p50 | p95 |\n"));
  /* Grouped by metric in order of first appearance, then party, then year. */
  cr_assert(starts_with(rows[2], "| `flights` | ALL | 2019 | 0.1000 | [0, -2.500e-10] |"),
            "%.80s", rows[2]);
  cr_assert(starts_with(rows[3], "| `flights` | ALL | 2020 | 91.25 | [91.03, 91.47] | 86 | 91 | 97 |"),
            "%.80s", rows[3]);
  cr_assert(starts_with(rows[4], "| `flights_over` | RUBY | 2019 | n/a | [n/a, n/a] | n/a |"));
  cr_assert(strstr(text, "base\\_line, \"what if\""), "scenario name not escaped");
  cr_assert(strstr(text, "**Partial run:** interrupted after 900 of 1000 trials"));
  free(text);

  /* Without a header: the table alone. */
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  cr_assert_eq(osq_summary_md_write(fp, NULL, t, &err), 0);
  fclose(fp);
  cr_assert_eq(buf[0], '|');
  cr_assert_eq(count_substr(buf, "\n"), (int)t->n + 2);
  free(buf);
  osq_table_free(t);
  rm_rf(dir);
  free(dir);
}

/* pdflatex on PATH, or NULL. */
static char *find_pdflatex(void) {
  const char *path = getenv("PATH");
  if (!path) return NULL;
  char *copy = strdup(path), *save = NULL;
  for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    char *p = path_join(d, "pdflatex");
    if (access(p, X_OK) == 0) {
      free(copy);
      return p;
    }
    free(p);
  }
  free(copy);
  return NULL;
}

Test(results_tex, longtable_balanced_and_escaped) {
  char *dir = make_tmpdir();
  osq_table_t *t = awkward_table();
  osq_row_t special = mkrow(2019, "a_%&#${}~^\\z", "EUR", 1, -0.5, 0, 0, -1e-6, 1, 0, 0, 0);
  cr_assert_eq(osq_table_add(t, &special), 0);
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(dir, OSQ_FMT_TEX, &h, t, NULL, false, &err), 0, "%s", err.msg[0]);
  assert_listing_why(dir, "summary.tex", "unexpected entries");
  char *text = slurp_in(dir, "summary.tex");

  cr_assert(strstr(text, "needs \\usepackage{booktabs,longtable}"));
  cr_assert_eq(count_substr(text, "\\begin{"), count_substr(text, "\\end{"));
  cr_assert_eq(count_substr(text, "\\begin{longtable}{@{}lrrcrrr@{}}\n"), 1);
  cr_assert_eq(count_substr(text, "\\end{longtable}"), 1);
  cr_assert_eq(count_substr(text, "\\begingroup"), 1);
  cr_assert_eq(count_substr(text, "\\endgroup"), 1);
  /* The heads on the first page and on the next ones, the "continued" foot, the last rule. */
  cr_assert_eq(count_substr(text, "\\toprule"), 2);
  cr_assert_eq(count_substr(text, "\\midrule"), 3);
  cr_assert_eq(count_substr(text, "\\bottomrule"), 1);
  cr_assert(strstr(text, "\\caption{osq: scenario base\\_line, \"what if\", 2019--2021, 900 trials, seed "
                         "12345678901234567."),
            "%s", text);
  cr_assert(strstr(text, "\\label{tab:osq-base_line---what-if-}"), "%s", text);

  /* The body: one heading per metric, one line per table row, every underscore escaped. */
  const char *body = strstr(text, "\\endlastfoot\n"), *bot = strstr(text, "\\end{longtable}");
  cr_assert(body && bot && body < bot);
  int rows = 0, headings = 0;
  for (const char *p = body; p < bot; p++) {
    if (*p == '_') cr_assert_eq(p[-1], '\\', "unescaped underscore: %.40s", p - 20);
    if (p[0] == '\\' && p[1] == '\\' && p[2] == '\n') rows++;
    if (strncmp(p, "\\multicolumn{7}{@{}l}{\\texttt{", 30) == 0) headings++;
  }
  cr_assert_eq(rows, (int)t->n);
  cr_assert_eq(headings, 6, "flights, flights_over, coverage, odd\"name\", buildup_detect, a_%%...");
  cr_assert(strstr(text, "\\multicolumn{7}{@{}l}{\\texttt{flights\\_over}} \\\\*\nRUBY & 2019 &"), "%s", text);
  cr_assert(strstr(text, "\\multicolumn{7}{@{}l}{\\texttt{a\\_\\%\\&\\#\\$\\{\\}\\textasciitilde{}"
                         "\\textasciicircum{}\\textbackslash{}z}} \\\\*\nEUR & 2019 &"),
            "special characters not escaped");
  cr_assert(strstr(text, "EUR & 2019 & $-$0.5000 & [$-1.000\\times 10^{-6}$, 1] & 0 & 0 & 0 \\\\\n"), "%s", text);
  cr_assert(strstr(text, "ALL & 2020 & 91.25 & [91.03, 91.47] & 86 & 91 & 97 \\\\\n"), "integer quantiles");

  /* The run header is one comment line with every field that determines the numbers, and none
   * of the run environment (threads, ranks, wall time, date), so the file is byte-identical for
   * any thread or rank count. */
  const char *c = strstr(text, "\n% run: ");
  cr_assert_not_null(c);
  const char *fields[] = {"osq 0.1.0-test", "scenario=base_line", "file=scenarios/base_line.cfg",
                          "scenario_hash=0123456789abcdef", "seed=12345678901234567",
                          "trials=1000", "trials_done=900",
                          "rng=philox2x64-10", "block_size=4096",
                          "verification_hash=fedcba9876543210",
                          "result_digest=00000000000000ff", "partial=yes"};
  const char *eol = strchr(c + 1, '\n');
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    const char *hit = strstr(c, fields[i]);
    cr_assert(hit && hit < eol, "header comment lacks %s", fields[i]);
  }
  const char *env[] = {"threads=", "ranks=", "wall_seconds=", "created="};
  for (size_t i = 0; i < sizeof env / sizeof env[0]; i++) {
    const char *hit = strstr(c, env[i]);
    cr_assert(!hit || hit > eol, "header comment holds run-environment field %s", env[i]);
  }

  /* It compiles in a plain article (tools/install-deps.sh installs pdflatex: this test needs it). */
  char *pdflatex = find_pdflatex();
  cr_assert_not_null(pdflatex, "pdflatex not found (apt-get install texlive-latex-recommended)");
  char *doc = path_join(dir, "doc.tex");
  write_text(doc, "\\documentclass{article}\\usepackage{booktabs,longtable}\\begin{document}"
                  "\\input{summary.tex}\\end{document}\n");
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "cd '%s' && '%s' -interaction=nonstopmode -halt-on-error doc.tex "
                            ">/dev/null 2>&1", dir, pdflatex);
  cr_assert_eq(system(cmd), 0, "pdflatex failed on summary.tex (see %s/doc.log)", dir);
  free(doc);
  free(pdflatex);
  free(text);
  osq_table_free(t);
  rm_rf(dir);
  free(dir);
}

/* ---------------------------------------------------------------------------------------------- */
/* The result set: all or none                                                                      */
/* ---------------------------------------------------------------------------------------------- */

Test(results_set, all_formats_then_eexist_then_force) {
  char *dir = make_tmpdir();
  char *out = path_join(dir, "a/b/out"); /* missing parents are created */
  osq_table_t *t = awkward_table();
  osq_dyad_table_t *d = dyad_table();
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(out, OSQ_FMT_ALL, &h, t, d, false, &err), 0, "%s", err.msg[0]);
  assert_listing_why(out, "dyads.csv run.json summary.csv summary.md summary.tex", "unexpected entries");
  char *before = slurp_in(out, "summary.csv");

  /* Any one result file is enough to refuse. */
  osq_table_t *t2 = old_table();
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(out, OSQ_FMT_MD, &h, t2, NULL, false, &err), OSQ_EEXIST);
  cr_assert_eq(err.code, OSQ_EEXIST);
  cr_assert(strstr(err.msg[0], "summary.csv") && strstr(err.msg[0], "--force"), "%s", err.msg[0]);
  assert_listing_why(out, "dyads.csv run.json summary.csv summary.md summary.tex", "unexpected entries");
  char *after = slurp_in(out, "summary.csv");
  cr_assert_str_eq(before, after);
  free(after);

  char *other = make_tmpdir();
  char *lone = path_join(other, "run.json");
  write_text(lone, "{}\n");
  cr_assert_eq(osq_results_write(other, OSQ_FMT_CSV, &h, t2, NULL, false, &err), OSQ_EEXIST);
  assert_listing_why(other, "run.json", "unexpected entries");
  free(lone);
  rm_rf(other);
  free(other);

  /* With force the new set replaces the old one, and old results outside the set go. */
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(out, OSQ_FMT_CSV, &h, t2, NULL, true, &err), 0, "%s", err.msg[0]);
  assert_listing_why(out, "dyads.csv summary.csv", "unexpected entries");
  after = slurp_in(out, "summary.csv");
  cr_assert(strstr(after, "old,2018,plans_agreed,ALL,"), "%s", after);
  free(after);

  /* Unrelated files in the directory are left alone, with or without force. */
  char *note = path_join(out, "notes.txt");
  write_text(note, "mine\n");
  cr_assert_eq(osq_results_write(out, OSQ_FMT_JSON, &h, t, d, true, &err), 0);
  assert_listing_why(out, "notes.txt run.json", "unexpected entries");
  free(note);

  free(before);
  osq_table_free(t2);
  osq_dyad_table_free(d);
  osq_table_free(t);
  free(out);
  rm_rf(dir);
  free(dir);
}

Test(results_set, bad_arguments) {
  char *dir = make_tmpdir();
  osq_table_t *t = old_table();
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(dir, 0, &h, t, NULL, false, &err), OSQ_EINVAL);
  cr_assert_eq(osq_results_write(dir, 1u << 7, &h, t, NULL, false, &err), OSQ_EINVAL);
  cr_assert_eq(osq_results_write(dir, OSQ_FMT_CSV, &h, NULL, NULL, false, &err), OSQ_EINVAL);
  cr_assert_eq(osq_results_write("", OSQ_FMT_CSV, &h, t, NULL, false, &err), OSQ_EINVAL);
  assert_listing_why(dir, "", "unexpected entries");
  osq_table_free(t);
  rm_rf(dir);
  free(dir);
}

Test(results_set, unwritable_directory_under_a_file) {
  char *dir = make_tmpdir();
  char *file = path_join(dir, "plain");
  write_text(file, "x\n");
  char *out = path_join(file, "out"); /* parent is a regular file: even root cannot mkdir here */
  osq_table_t *t = old_table();
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(out, OSQ_FMT_ALL, &h, t, NULL, false, &err), OSQ_EIO);
  cr_assert(strstr(err.msg[0], "cannot create output directory") &&
                strstr(err.msg[0], "Not a directory"),
            "%s", err.msg[0]);
  /* The output path itself being a file is refused the same way. */
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(file, OSQ_FMT_CSV, &h, t, NULL, true, &err), OSQ_EIO);
  assert_listing_why(dir, "plain", "unexpected entries");
  osq_table_free(t);
  free(out);
  free(file);
  rm_rf(dir);
  free(dir);
}

/* The full awkward set is far larger than the one-row old set. */
static osq_table_t *big_table(void) {
  osq_table_t *t = awkward_table();
  for (int i = 0; i < 200; i++) {
    osq_row_t r = mkrow(2000 + i % 25, "coverage", "EUR", 1000, i / 7.0, 0.1, 0.01, 0, 1, 0, 0, 1);
    cr_assert_eq(osq_table_add(t, &r), 0);
  }
  return t;
}

Test(results_set, write_failure_leaves_old_files_and_no_temporaries) {
  char *dir = make_tmpdir();
  osq_table_t *old = old_table();
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(dir, OSQ_FMT_ALL, &h, old, NULL, false, &err), 0);
  char *old_csv = slurp_in(dir, "summary.csv");
  char *old_json = slurp_in(dir, "run.json");
  char *listing = list_dir(dir);

  osq_table_t *t = big_table();
  long biggest_old = 0;
  const char *names[] = {"summary.csv", "dyads.csv", "run.json", "summary.md", "summary.tex"};
  for (int i = 0; i < 5; i++)
    if (file_size(dir, names[i]) > biggest_old) biggest_old = file_size(dir, names[i]);

  limit_file_size((rlim_t)biggest_old + 16); /* the old files fit, the new summary.csv does not */
  osq_error_clear(&err);
  int rc = osq_results_write(dir, OSQ_FMT_ALL, &h, t, NULL, true, &err);
  unlimit_file_size();
  cr_assert_eq(rc, OSQ_EIO);
  cr_assert(any_error_contains(&err, "summary.csv") && any_error_contains(&err, "File too large"),
            "%s", err.msg[0]);
  assert_listing_why(dir, listing, "temporaries left behind or files lost");
  char *now = slurp_in(dir, "summary.csv");
  cr_assert_str_eq(now, old_csv);
  free(now);
  now = slurp_in(dir, "run.json");
  cr_assert_str_eq(now, old_json);
  free(now);

  free(old_csv);
  free(old_json);
  free(listing);
  osq_table_free(t);
  osq_table_free(old);
  rm_rf(dir);
  free(dir);
}

Test(results_set, late_failure_removes_earlier_temporaries) {
  /* summary.csv and dyads.csv fit under the limit, run.json does not: the finished temporaries
   * of the first two must go as well, and a directory this call created is removed again. */
  char *dir = make_tmpdir();
  char *probe = path_join(dir, "probe");
  osq_table_t *t = big_table();
  osq_dyad_table_t *d = dyad_table();
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(probe, OSQ_FMT_CSV | OSQ_FMT_JSON, &h, t, d, false, &err), 0);
  long csv = file_size(probe, "summary.csv"), json = file_size(probe, "run.json");
  cr_assert_gt(json, csv + 64);
  rm_rf(probe);

  char *out = path_join(dir, "new/out");
  limit_file_size((rlim_t)csv + 32);
  osq_error_clear(&err);
  int rc = osq_results_write(out, OSQ_FMT_CSV | OSQ_FMT_JSON, &h, t, d, false, &err);
  unlimit_file_size();
  cr_assert_eq(rc, OSQ_EIO);
  cr_assert(any_error_contains(&err, "run.json"), "%s", err.msg[0]);
  assert_listing_why(dir, "", "created directories or temporaries left behind");

  /* Into an existing directory with older results: they stay, nothing else appears. */
  osq_table_t *old = old_table();
  cr_assert_eq(osq_results_write(dir, OSQ_FMT_CSV, &h, old, NULL, false, &err), 0);
  char *old_csv = slurp_in(dir, "summary.csv");
  limit_file_size((rlim_t)csv + 32);
  osq_error_clear(&err);
  rc = osq_results_write(dir, OSQ_FMT_CSV | OSQ_FMT_JSON, &h, t, d, true, &err);
  unlimit_file_size();
  cr_assert_eq(rc, OSQ_EIO);
  assert_listing_why(dir, "dyads.csv summary.csv", "unexpected entries");
  char *now = slurp_in(dir, "summary.csv");
  cr_assert_str_eq(now, old_csv);

  free(now);
  free(old_csv);
  osq_table_free(old);
  free(out);
  free(probe);
  osq_dyad_table_free(d);
  osq_table_free(t);
  rm_rf(dir);
  free(dir);
}

Test(results_set, failed_move_rolls_back_earlier_moves) {
  /* A non-empty directory where summary.md should go: every file is written, the moves of
   * summary.csv, dyads.csv and run.json succeed, then summary.md cannot be moved into place.
   * The three already moved must be put back as they were. */
  char *dir = make_tmpdir();
  osq_table_t *old = old_table();
  osq_run_header_t h = test_header();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_results_write(dir, OSQ_FMT_CSV | OSQ_FMT_JSON, &h, old, NULL, false, &err), 0);
  char *old_csv = slurp_in(dir, "summary.csv");
  char *old_json = slurp_in(dir, "run.json");
  char *blocker = path_join(dir, "summary.md");
  cr_assert_eq(mkdir(blocker, 0777), 0);
  char *inside = path_join(blocker, "keep");
  write_text(inside, "x\n");
  char *listing = list_dir(dir);

  osq_table_t *t = awkward_table();
  osq_dyad_table_t *d = dyad_table();
  osq_error_clear(&err);
  int rc = osq_results_write(dir, OSQ_FMT_ALL, &h, t, d, true, &err);
  cr_assert_eq(rc, OSQ_EIO);
  cr_assert(any_error_contains(&err, "summary.md") && any_error_contains(&err, "cannot move"),
            "%s", err.msg[0]);
  assert_listing_why(dir, listing, "temporaries or backups left behind");
  cr_assert(!exists_in(dir, "summary.tex") && exists_in(blocker, "keep"));
  char *now = slurp_in(dir, "summary.csv");
  cr_assert_str_eq(now, old_csv);
  free(now);
  now = slurp_in(dir, "run.json");
  cr_assert_str_eq(now, old_json);
  free(now);

  free(listing);
  free(inside);
  free(blocker);
  free(old_csv);
  free(old_json);
  osq_dyad_table_free(d);
  osq_table_free(t);
  osq_table_free(old);
  rm_rf(dir);
  free(dir);
}

/* ---------------------------------------------------------------------------------------------- */
/* Stream writers and the atomic single file                                                        */
/* ---------------------------------------------------------------------------------------------- */

Test(results_stream, dev_full_is_reported) {
  osq_table_t *t = awkward_table();
  osq_dyad_table_t *d = dyad_table();
  osq_run_header_t h = test_header();
  for (int which = 0; which < 5; which++) {
    FILE *fp = fopen("/dev/full", "w");
    cr_assert_not_null(fp, "/dev/full: %s", strerror(errno));
    osq_error_t err;
    osq_error_clear(&err);
    int rc = which == 0   ? osq_summary_csv_write(fp, t, &err)
             : which == 1 ? osq_dyads_csv_write(fp, d, &err)
             : which == 2 ? osq_run_json_write(fp, &h, t, d, &err)
             : which == 3 ? osq_summary_md_write(fp, &h, t, &err)
                          : osq_summary_tex_write(fp, &h, t, &err);
    fclose(fp);
    cr_assert_eq(rc, OSQ_EIO, "writer %d", which);
    cr_assert(strstr(err.msg[0], "No space left on device"), "writer %d: %s", which, err.msg[0]);
  }
  osq_dyad_table_free(d);
  osq_table_free(t);
}

Test(results_atomic, commit_abort_and_failure) {
  char *dir = make_tmpdir();
  char *path = path_join(dir, "flights.csv");
  osq_error_t err;
  osq_error_clear(&err);

  osq_atomic_file_t *f;
  cr_assert_eq(osq_atomic_open(path, &f, &err), 0, "%s", err.msg[0]);
  fputs("first\n", osq_atomic_stream(f));
  char *during = list_dir(dir);
  cr_assert_not_null(strstr(during, ".flights.csv.tmp."), "temporary not in place");
  free(during);
  cr_assert_eq(osq_atomic_commit(f, &err), 0);
  assert_listing_why(dir, "flights.csv", "unexpected entries");
  char *s = slurp(path);
  cr_assert_str_eq(s, "first\n");
  free(s);

  cr_assert_eq(osq_atomic_open(path, &f, &err), 0);
  fputs("discarded\n", osq_atomic_stream(f));
  osq_atomic_abort(f);
  osq_atomic_abort(NULL);
  assert_listing_why(dir, "flights.csv", "unexpected entries");
  s = slurp(path);
  cr_assert_str_eq(s, "first\n");
  free(s);

  /* Replacing works; a failed write leaves the previous file and no temporary. */
  cr_assert_eq(osq_atomic_open(path, &f, &err), 0);
  fputs("second\n", osq_atomic_stream(f));
  cr_assert_eq(osq_atomic_commit(f, &err), 0);
  cr_assert_eq(osq_atomic_open(path, &f, &err), 0);
  limit_file_size(4096);
  for (int i = 0; i < 1000; i++) fputs("0123456789abcdef\n", osq_atomic_stream(f));
  osq_error_clear(&err);
  int rc = osq_atomic_commit(f, &err);
  unlimit_file_size();
  cr_assert_eq(rc, OSQ_EIO);
  cr_assert(strstr(err.msg[0], "flights.csv") && strstr(err.msg[0], "File too large"), "%s",
            err.msg[0]);
  assert_listing_why(dir, "flights.csv", "unexpected entries");
  s = slurp(path);
  cr_assert_str_eq(s, "second\n");
  free(s);

  /* A directory that does not exist. */
  char *nowhere = path_join(dir, "missing/f.csv");
  osq_error_clear(&err);
  cr_assert_eq(osq_atomic_open(nowhere, &f, &err), OSQ_EIO);
  cr_assert_null(f);
  cr_assert(strstr(err.msg[0], "No such file or directory"), "%s", err.msg[0]);
  free(nowhere);

  free(path);
  rm_rf(dir);
  free(dir);
}
