/*
 * test_compare.c owns the tests of results/compare.h: the comparison table, its four formats read
 * back (compare.csv value by value and bit for bit, compare.json parsed by jansson, the Markdown
 * table's shape and line-up, the LaTeX tabular's structure), the all-or-none file set, and the
 * statistic behind the difference columns: the paired CI of (b - a) over common random numbers
 * against the unpaired one, on a synthetic case with a known answer.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files_fixture.h"
#include "results/compare.h"
#include "results/table.h"
#include "sim/engine/stats.h"

/* ---------------------------------------------------------------------------------------------- */
/* helpers                                                                                          */
/* ---------------------------------------------------------------------------------------------- */

/* Run one stream writer into a temporary file and return what it wrote. */
typedef int (*stream_writer_fn)(FILE *, const osq_compare_t *, osq_error_t *);
static char *capture(stream_writer_fn w, const osq_compare_t *c) {
  FILE *f = tmpfile();
  cr_assert_not_null(f);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(w(f, c, &err), 0, "%s", err.msg[0]);
  long n = ftell(f);
  rewind(f);
  char *s = malloc((size_t)n + 1);
  cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = '\0';
  fclose(f);
  return s;
}

/* ---- fixtures ---- */

static osq_run_header_t header(const char *name, const char *path, uint64_t seed) {
  osq_run_header_t h;
  osq_run_header_init(&h);
  h.version = "0.1.0-test";
  h.scenario_name = name;
  h.scenario_path = path;
  snprintf(h.scenario_hash, sizeof h.scenario_hash, "0123456789abcdef");
  h.seed = seed;
  h.trials = h.trials_done = 2000;
  h.threads = 2;
  h.rng = "philox2x64-10";
  h.block_size = 4096;
  h.wall_seconds = 0.25;
  snprintf(h.verification_hash, sizeof h.verification_hash, "fedcba9876543210");
  h.created = "2025-01-02T03:04:05Z";
  return h;
}

static osq_compare_row_t crow(int scenario, int year, const char *metric, const char *party, double mean,
                              double lo, double hi, double diff, double dlo, double dhi) {
  osq_compare_row_t r;
  memset(&r, 0, sizeof r);
  r.scenario = scenario;
  r.year = year;
  snprintf(r.metric, sizeof r.metric, "%s", metric);
  snprintf(r.party, sizeof r.party, "%s", party);
  r.mean = mean;
  r.ci95_lo = lo;
  r.ci95_hi = hi;
  r.diff = diff;
  r.diff_ci95_lo = dlo;
  r.diff_ci95_hi = dhi;
  return r;
}

/*
 * The withdrawal comparison in small: baseline 2019, us_out 2021 (no US rows), and a third
 * scenario with an awkward name (comma, quote, Markdown and TeX specials). Numbers chosen to need
 * all 17 digits, plus a NaN difference (a party the reference does not have) and an infinity.
 */
static const char *AWKWARD = "ru_out, \"what|if\" #1 & 50%";

static osq_compare_t *sample(void) {
  osq_compare_t *c = osq_compare_alloc();
  cr_assert_not_null(c);
  osq_run_header_t h0 = header("baseline", "scenarios/baseline.cfg", 20190101);
  osq_run_header_t h1 = header("us_out", "scenarios/us_out.cfg", 20190101);
  osq_run_header_t h2 = header(AWKWARD, "scenarios/ru out.cfg", UINT64_C(12345678901234567890));
  int idx = -1;
  cr_assert_eq(osq_compare_add_scenario(c, &h0, &idx), 0);
  cr_assert_eq(idx, 0);
  cr_assert_eq(osq_compare_add_scenario(c, &h1, &idx), 0);
  cr_assert_eq(idx, 1);
  cr_assert_eq(osq_compare_add_scenario(c, &h2, &idx), 0);
  cr_assert_eq(idx, 2);
  const osq_compare_row_t rows[] = {
      crow(0, 2019, "flights", "ALL", 87.977000000000004, 86.969, 88.986, 0, 0, 0),
      crow(0, 2019, "flights_over", "US", 8.4649999999999999, 8.318, 8.613, 0, 0, 0),
      crow(0, 2019, "flights_over", "RUBY", 29.537, 29.167, 29.907, 0, 0, 0),
      crow(1, 2021, "flights", "ALL", 76.486, 75.6, 77.37, -11.492, -11.9, -11.1),
      crow(1, 2021, "flights_over", "RUBY", 22.28, 21.974, 22.586, -7.257, -7.5, -7.0),
      crow(1, 2021, "flights_over", "BY", 0, 0, 0, NAN, NAN, NAN),
      crow(2, 2019, "flights", "ALL", 45.338, 44.801, 45.875, -42.639, -43.1, -42.2),
      crow(2, 2019, "flights_over", "US", 2.632, 2.562, 2.701, -5.833, -5.9, -5.76),
      crow(2, 2019, "plans_agreed", "ALL", 0.1 + 0.2, 1.0 / 3.0, INFINITY, 1e-300, -1e-7, 2.5e-5),
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) cr_assert_eq(osq_compare_add(c, &rows[i]), 0);
  return c;
}

/* ---------------------------------------------------------------------------------------------- */
/* the table                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

Test(compare_table, headers_are_copied_and_labels_unique) {
  osq_compare_t *c = osq_compare_alloc();
  char name[16] = "base", path[32] = "a/base.cfg";
  osq_run_header_t h = header(name, path, 7);
  cr_assert_eq(osq_compare_add_scenario(c, &h, NULL), 0);
  path[0] = 'b';
  cr_assert_eq(osq_compare_add_scenario(c, &h, NULL), 0);
  strcpy(name, "changed");
  strcpy(path, "changed");
  cr_assert_eq(c->n_scenarios, 2);
  cr_assert_str_eq(c->scenarios[0].label, "base");
  cr_assert_str_eq(c->scenarios[1].label, "base#2", "a repeated name gets its position");
  cr_assert_str_eq(c->scenarios[0].hdr.scenario_name, "base", "the header's strings are copies");
  cr_assert_str_eq(c->scenarios[0].hdr.scenario_path, "a/base.cfg");
  cr_assert_str_eq(c->scenarios[1].hdr.scenario_path, "b/base.cfg");
  cr_assert_str_eq(c->scenarios[1].hdr.verification_hash, "fedcba9876543210");
  osq_run_header_t anon = header(NULL, NULL, 1);
  anon.created = NULL;
  cr_assert_eq(osq_compare_add_scenario(c, &anon, NULL), 0);
  cr_assert_str_eq(c->scenarios[2].label, "");
  cr_assert_null(c->scenarios[2].hdr.scenario_path);
  cr_assert_eq(osq_compare_add_scenario(NULL, &h, NULL), OSQ_EINVAL);
  cr_assert_eq(osq_compare_add_scenario(c, NULL, NULL), OSQ_EINVAL);
  osq_compare_free(c);
  osq_compare_free(NULL);
}

Test(compare_table, add_checks_rows) {
  osq_compare_t *c = osq_compare_alloc();
  osq_compare_row_t r = crow(0, 2019, "flights", "ALL", 1, 0, 2, 0, 0, 0);
  cr_assert_eq(osq_compare_add(c, &r), OSQ_EINVAL, "no scenario added yet");
  osq_run_header_t h = header("a", "a.cfg", 1);
  cr_assert_eq(osq_compare_add_scenario(c, &h, NULL), 0);
  cr_assert_eq(osq_compare_add(c, &r), 0);
  r.scenario = 1;
  cr_assert_eq(osq_compare_add(c, &r), OSQ_EINVAL, "scenario index out of range");
  r.scenario = -1;
  cr_assert_eq(osq_compare_add(c, &r), OSQ_EINVAL);
  r = crow(0, 2019, "", "ALL", 1, 0, 2, 0, 0, 0);
  cr_assert_eq(osq_compare_add(c, &r), OSQ_EINVAL, "empty metric");
  r = crow(0, 2019, "flights", "ALL", 1, 0, 2, 0, 0, 0);
  memset(r.party, 'X', sizeof r.party);
  cr_assert_eq(osq_compare_add(c, &r), OSQ_EINVAL, "party not terminated");
  for (int i = 0; i < 1000; i++) {
    r = crow(0, 2000 + i % 24, "flights", "ALL", i, 0, 2, 0, 0, 0);
    cr_assert_eq(osq_compare_add(c, &r), 0);
  }
  cr_assert_eq(c->n, 1001);
  cr_assert(c->rows[1000].mean == 999.0 && c->rows[0].mean == 1.0, "rows kept in order");
  osq_compare_free(c);
}

/* ---------------------------------------------------------------------------------------------- */
/* compare.csv                                                                                      */
/* ---------------------------------------------------------------------------------------------- */

Test(compare_csv, round_trips_bitwise) {
  osq_compare_t *c = sample();
  char *text = capture(osq_compare_csv_write, c);
  const char *p = text;
  char *f[MAX_FIELDS];
  int n = csv_record(&p, f);
  const char *want[] = {"scenario", "year",    "metric", "party",        "mean",
                        "ci95_lo",  "ci95_hi", "diff",   "diff_ci95_lo", "diff_ci95_hi"};
  cr_assert_eq(n, 10);
  for (int k = 0; k < 10; k++) cr_assert_str_eq(f[k], want[k]);
  free_fields(f, n);
  const char *head = "scenario,year,metric,party,mean,ci95_lo,ci95_hi,diff,diff_ci95_lo,diff_ci95_hi\n";
  cr_assert(strncmp(text, head, strlen(head)) == 0);
  for (size_t i = 0; i < c->n; i++) {
    n = csv_record(&p, f);
    cr_assert_eq(n, 10, "row %zu has %d fields", i, n);
    const osq_compare_row_t *r = &c->rows[i];
    cr_assert_str_eq(f[0], c->scenarios[r->scenario].label);
    cr_assert_eq(atoi(f[1]), r->year);
    cr_assert_str_eq(f[2], r->metric);
    cr_assert_str_eq(f[3], r->party);
    const double v[] = {r->mean, r->ci95_lo, r->ci95_hi, r->diff, r->diff_ci95_lo, r->diff_ci95_hi};
    for (int k = 0; k < 6; k++) assert_same_number(v[k], f[4 + k], want[4 + k]);
    free_fields(f, n);
  }
  cr_assert_eq(csv_record(&p, f), 0, "extra records");
  cr_assert(strstr(text, "\"ru_out, \"\"what|if\"\" #1 & 50%\",2019,"), "the awkward name is quoted");
  cr_assert(strstr(text, ",Inf,"), "infinity written as Inf");
  cr_assert(strstr(text, "us_out,2021,flights_over,BY,0,0,0,NaN,NaN,NaN\n"));
  cr_assert(strstr(text, "baseline,2019,flights,ALL,87.977,86.969,88.986,0,0,0\n"),
            "reference rows: the shortest exact digits and a zero difference");
  free(text);
  osq_compare_free(c);
}

/* ---------------------------------------------------------------------------------------------- */
/* compare.json                                                                                     */
/* ---------------------------------------------------------------------------------------------- */

static void assert_json_number(json_t *obj, const char *key, double want, const char *ctx) {
  json_t *v = json_object_get(obj, key);
  cr_assert_not_null(v, "%s: no %s", ctx, key);
  if (!isfinite(want)) {
    cr_assert(json_is_null(v), "%s: %s should be null", ctx, key);
    return;
  }
  cr_assert(json_is_number(v), "%s: %s is not a number", ctx, key);
  cr_assert(same_bits(json_number_value(v), want), "%s: %s = %.17g, want %.17g", ctx, key, json_number_value(v),
            want);
}

Test(compare_json, valid_with_headers_and_exact_rows) {
  osq_compare_t *c = sample();
  char *text = capture(osq_compare_json_write, c);
  json_error_t je;
  json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
  cr_assert_not_null(root, "invalid JSON at line %d: %s", je.line, je.text);
  cr_assert_str_eq(json_string_value(json_object_get(root, "format")), "osq-compare");
  cr_assert_eq(json_integer_value(json_object_get(root, "format_version")), 1);
  cr_assert_str_eq(json_string_value(json_object_get(root, "reference")), "baseline");

  json_t *sc = json_object_get(root, "scenarios");
  cr_assert(json_is_array(sc) && json_array_size(sc) == 3);
  for (size_t i = 0; i < 3; i++) {
    json_t *h = json_array_get(sc, i);
    cr_assert_str_eq(json_string_value(json_object_get(h, "label")), c->scenarios[i].label);
    cr_assert_str_eq(json_string_value(json_object_get(h, "scenario")), c->scenarios[i].hdr.scenario_name);
    cr_assert_str_eq(json_string_value(json_object_get(h, "scenario_path")), c->scenarios[i].hdr.scenario_path);
    cr_assert_str_eq(json_string_value(json_object_get(h, "scenario_hash")), "0123456789abcdef");
    cr_assert_str_eq(json_string_value(json_object_get(h, "verification_hash")), "fedcba9876543210");
    cr_assert_str_eq(json_string_value(json_object_get(h, "rng")), "philox2x64-10");
    cr_assert_eq(json_integer_value(json_object_get(h, "trials")), 2000);
    cr_assert_eq(json_integer_value(json_object_get(h, "block_size")), 4096);
    cr_assert_eq(json_integer_value(json_object_get(h, "threads")), 2);
  }
  cr_assert_eq(json_integer_value(json_object_get(json_array_get(sc, 0), "seed")), 20190101);
  cr_assert_str_eq(json_string_value(json_object_get(json_array_get(sc, 2), "seed")), "12345678901234567890",
                   "a seed above 2^63-1 stays exact, as in run.json");

  json_t *rows = json_object_get(root, "rows");
  cr_assert(json_is_array(rows) && json_array_size(rows) == c->n);
  for (size_t i = 0; i < c->n; i++) {
    json_t *o = json_array_get(rows, i);
    const osq_compare_row_t *r = &c->rows[i];
    char ctx[32];
    snprintf(ctx, sizeof ctx, "row %zu", i);
    cr_assert_eq(json_object_size(o), 10, "%s: unexpected keys", ctx);
    cr_assert_str_eq(json_string_value(json_object_get(o, "scenario")), c->scenarios[r->scenario].label);
    cr_assert_eq(json_integer_value(json_object_get(o, "year")), r->year);
    cr_assert_str_eq(json_string_value(json_object_get(o, "metric")), r->metric);
    cr_assert_str_eq(json_string_value(json_object_get(o, "party")), r->party);
    assert_json_number(o, "mean", r->mean, ctx);
    assert_json_number(o, "ci95_lo", r->ci95_lo, ctx);
    assert_json_number(o, "ci95_hi", r->ci95_hi, ctx);
    assert_json_number(o, "diff", r->diff, ctx);
    assert_json_number(o, "diff_ci95_lo", r->diff_ci95_lo, ctx);
    assert_json_number(o, "diff_ci95_hi", r->diff_ci95_hi, ctx);
  }
  json_decref(root);
  free(text);
  osq_compare_free(c);
}

/* ---------------------------------------------------------------------------------------------- */
/* Markdown                                                                                         */
/* ---------------------------------------------------------------------------------------------- */

/* The line of s that starts with prefix, copied (NULL if none). */
static char *line_starting(const char *s, const char *prefix) {
  for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
    if (strncmp(p, prefix, strlen(prefix)) == 0) {
      const char *e = strchr(p, '\n');
      size_t n = e ? (size_t)(e - p) : strlen(p);
      char *out = malloc(n + 1);
      memcpy(out, p, n);
      out[n] = '\0';
      return out;
    }
  }
  return NULL;
}

/* Cells of a Markdown table line "| a | b |" (escaped pipes "\|" do not split), trimmed. */
static int md_cells(const char *line, char cells[][160], int max) {
  cr_assert_eq(line[0], '|');
  int n = 0;
  const char *p = line + 1;
  while (*p && n < max) {
    size_t len = 0;
    while (*p && !(*p == '|' && p[-1] != '\\')) {
      if (len < 159) cells[n][len++] = *p;
      p++;
    }
    if (!*p) break;
    while (len > 0 && cells[n][len - 1] == ' ') len--;
    cells[n][len] = '\0';
    char *s = cells[n];
    while (*s == ' ') memmove(s, s + 1, strlen(s));
    n++;
    p++;
  }
  return n;
}

Test(compare_md, shape_lineup_and_differences) {
  osq_compare_t *c = sample();
  char *text = capture(osq_compare_print, c);
  /* Every line is a table line except one blank line and the legend after the table. */
  int table_lines = 0, other = 0;
  for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
    if (*p == '|') table_lines++;
    else other++;
    cr_assert_not_null(strchr(p, '\n'), "last line not ended");
  }
  /* Groups: flights/ALL, flights_over/US, flights_over/RUBY, flights_over/BY, plans_agreed/ALL. */
  cr_assert_eq(table_lines, 2 + 5, "header, separator and one line per (metric, party)");
  cr_assert_eq(other, 2);
  cr_assert(strstr(text, "\nEach scenario: mean [95 % CI]. Each difference: scenario - baseline, paired"));

  char cells[16][160];
  char *head = line_starting(text, "| metric");
  cr_assert_not_null(head);
  int n = md_cells(head, cells, 16);
  cr_assert_eq(n, 2 + 3 + 2, "metric, party, 3 scenarios, 2 differences (single years: no year column)");
  cr_assert_str_eq(cells[2], "baseline (2019)");
  cr_assert_str_eq(cells[3], "us\\_out (2021)");
  cr_assert(strstr(cells[4], "ru\\_out, \"what\\|if\" \\#1 & 50%") == cells[4], "%s", cells[4]);
  cr_assert_str_eq(cells[5], "us\\_out - baseline");
  free(head);

  /* The 2019 baseline and the 2021 us_out line up on one line (first year of each). */
  char *fl = line_starting(text, "| `flights` | ALL |");
  cr_assert_not_null(fl);
  n = md_cells(fl, cells, 16);
  cr_assert_eq(n, 7);
  cr_assert_str_eq(cells[2], "87.98 [86.97, 88.99]");
  cr_assert_str_eq(cells[3], "76.49 [75.60, 77.37]");
  cr_assert_str_eq(cells[4], "45.34 [44.80, 45.88]");
  cr_assert_str_eq(cells[5], "-11.49 [-11.90, -11.10]");
  cr_assert_str_eq(cells[6], "-42.64 [-43.10, -42.20]");
  free(fl);

  /* A party missing in a scenario: "-"; a NaN difference: n/a; a positive one: signed. */
  char *us = line_starting(text, "| `flights_over` | US |");
  cr_assert_not_null(us);
  n = md_cells(us, cells, 16);
  cr_assert_str_eq(cells[3], "-", "no US row in us_out");
  cr_assert_str_eq(cells[5], "-");
  cr_assert_str_eq(cells[6], "-5.833 [-5.900, -5.760]");
  free(us);
  char *by = line_starting(text, "| `flights_over` | BY |");
  cr_assert_not_null(by);
  n = md_cells(by, cells, 16);
  cr_assert_str_eq(cells[2], "-");
  cr_assert_str_eq(cells[5], "n/a", "a difference that does not exist");
  free(by);
  char *pl = line_starting(text, "| `plans_agreed` | ALL |");
  cr_assert_not_null(pl);
  n = md_cells(pl, cells, 16);
  cr_assert(cells[6][0] == '+', "positive difference without a sign: %s", cells[6]);
  cr_assert(strstr(cells[4], "inf]"), "%s", cells[4]);
  free(pl);

  /* Grouped by metric then party, in order of first appearance. */
  const char *a = strstr(text, "| `flights` | ALL"), *b = strstr(text, "| `flights_over` | US"),
             *r = strstr(text, "| `flights_over` | RUBY"), *y = strstr(text, "| `flights_over` | BY"),
             *q = strstr(text, "| `plans_agreed`");
  cr_assert(a < b && b < r && r < y && y < q, "rows out of order");

  /* compare.md = title, one line per scenario, the same table. */
  char *md = capture(osq_compare_md_write, c);
  cr_assert(strncmp(md, "# osq comparison: baseline vs us\\_out vs ", 41) == 0, "%.60s", md);
  cr_assert_eq(count_substr(md, "\n- "), 3, "one line per scenario");
  cr_assert(strstr(md, "seed 20190101, block size 4096; 2000 trials; verification hash `fedcba9876543210`"));
  cr_assert(strstr(md, "file `scenarios/baseline.cfg` (hash `0123456789abcdef`)"));
  cr_assert_not_null(strstr(md, text), "compare.md holds the printed table");
  cr_assert_null(strstr(md, "0.25"), "no wall time: the file must not depend on the run environment");
  free(md);
  free(text);
  osq_compare_free(c);
}

Test(compare_md, multi_year_gets_a_year_column) {
  /* Two timelines of different spans: lined up by position; the year cell shows both years
   * where they differ. */
  osq_compare_t *c = osq_compare_alloc();
  osq_run_header_t h0 = header("tl", "tl.cfg", 1), h1 = header("tl_late", "tl_late.cfg", 1);
  cr_assert_eq(osq_compare_add_scenario(c, &h0, NULL), 0);
  cr_assert_eq(osq_compare_add_scenario(c, &h1, NULL), 0);
  for (int y = 2002; y <= 2004; y++) {
    osq_compare_row_t r = crow(0, y, "flights", "ALL", y - 2000, 0, 10, 0, 0, 0);
    cr_assert_eq(osq_compare_add(c, &r), 0);
  }
  for (int y = 2003; y <= 2004; y++) {
    osq_compare_row_t r = crow(1, y, "flights", "ALL", y - 2000, 0, 10, 1, 0.5, 1.5);
    cr_assert_eq(osq_compare_add(c, &r), 0);
  }
  char *text = capture(osq_compare_print, c);
  char cells[8][160];
  char *head = line_starting(text, "| metric");
  cr_assert_eq(md_cells(head, cells, 8), 6);
  cr_assert_str_eq(cells[2], "year");
  cr_assert_str_eq(cells[3], "tl (2002-2004)");
  cr_assert_str_eq(cells[4], "tl\\_late (2003-2004)");
  free(head);
  char *l1 = line_starting(text, "| `flights` | ALL | 2002/2003 |");
  char *l2 = line_starting(text, "| `flights` | ALL | 2003/2004 |");
  char *l3 = line_starting(text, "| `flights` | ALL | 2004 |");
  cr_assert(l1 && l2 && l3, "%s", text);
  cr_assert_eq(md_cells(l3, cells, 8), 6);
  cr_assert_str_eq(cells[4], "-", "the shorter timeline has no third year");
  free(l1);
  free(l2);
  free(l3);
  free(text);
  osq_compare_free(c);
}

/* ---------------------------------------------------------------------------------------------- */
/* LaTeX                                                                                            */
/* ---------------------------------------------------------------------------------------------- */

Test(compare_tex, longtable_structure_and_escaping) {
  osq_compare_t *c = sample();
  char *text = capture(osq_compare_tex_write, c);
  cr_assert(strstr(text, "needs \\usepackage{booktabs,longtable}"));
  cr_assert_eq(count_substr(text, "\\begin{longtable}{@{}llrc@{}}\n"), 1, "scenario, year, value, CI");
  cr_assert_eq(count_substr(text, "\\end{longtable}"), 1);
  cr_assert_eq(count_substr(text, "\\begingroup"), 1);
  cr_assert_eq(count_substr(text, "\\endgroup"), 1);
  /* The heads twice (first page, next pages), a rule above the "continued" foot, one at the end. */
  cr_assert_eq(count_substr(text, "\\toprule"), 2);
  cr_assert_eq(count_substr(text, "\\midrule"), 3);
  cr_assert_eq(count_substr(text, "\\bottomrule"), 1);
  cr_assert_eq(count_substr(text, "\\endfirsthead"), 1);
  cr_assert_eq(count_substr(text, "\\endhead"), 1);
  cr_assert_eq(count_substr(text, "\\endlastfoot"), 1);
  cr_assert(strstr(text, "\\caption{osq comparison of baseline (2019), us\\_out (2021) and ru\\_out"), "%s", text);
  cr_assert(strstr(text, "\\label{tab:osq-compare-baseline}"));
  cr_assert_eq(count_substr(text, "\n% run: osq "), 3, "one header comment per scenario");
  cr_assert(strstr(text, "seed=12345678901234567890"));

  /* The body: a heading per (metric, party), then a line per scenario (4 columns: 3 unescaped
   * '&'), and under each other scenario that has the row its difference to the reference. */
  const char *body = strstr(text, "\\endlastfoot\n") + strlen("\\endlastfoot\n"), *end = strstr(text, "\\end{longtable}");
  int headings = 0, rows = 0;
  for (const char *p = body; p < end;) {
    const char *e = strchr(p, '\n');
    if (strncmp(p, "\\multicolumn{4}", 15) == 0) {
      headings++;
    } else if (strncmp(p, "\\addlinespace", 13) != 0) {
      int amps = 0;
      for (const char *q = p; q < e; q++) amps += (*q == '&' && q[-1] != '\\');
      cr_assert_eq(amps, 3, "row with %d columns: %.*s", amps + 1, (int)(e - p), p);
      rows++;
    }
    cr_assert(strncmp(p, "\\addlinespace", 13) == 0 || (e - p >= 3 && e[-1] == '*') ||
                  (e[-1] == '\\' && e[-2] == '\\'),
              "line not ended by \\\\ or \\\\*: %.*s", (int)(e - p), p);
    p = e + 1;
  }
  cr_assert_eq(headings, 5, "one heading per (metric, party)");
  cr_assert_eq(rows, 5 * 3 + 2 + 1 + 1 + 1 + 1, "3 scenarios a group, and the differences that exist");
  for (const char *q = body; q < end; q++)
    if (*q == '_') cr_assert(q[-1] == '\\', "unescaped underscore: %.30s", q - 10);
  cr_assert(strstr(text, "ru\\_out, \"what|if\" \\#1 \\& 50\\%"), "the awkward name is escaped");
  cr_assert(strstr(text, "\\multicolumn{4}{@{}l}{\\texttt{flights\\_over}, US} \\\\*\n"
                         "baseline & 2019 & 8.465 & [8.318, 8.613] \\\\*\n"
                         "us\\_out & & -- & \\\\*\n"),
            "%s", text);
  cr_assert(strstr(text, " & 2019 & 2.632 & [2.562, 2.701] \\\\*\n\\quad $-$ baseline & & $-$5.833 & "
                         "[$-$5.900, $-$5.760] \\\\\n"),
            "%s", text);
  cr_assert(strstr(text, "& $+${}$1.000\\times 10^{-300}$ & [$-1.000\\times 10^{-7}$, $2.500\\times 10^{-5}$]"),
            "positive difference with its sign");
  cr_assert(strstr(text, "us\\_out & 2021 & 0 & [0, 0] \\\\*\n\\quad $-$ baseline & & n/a & \\\\*\n"),
            "a difference that does not exist: %s", text);
  free(text);
  osq_compare_free(c);
}

/* ---------------------------------------------------------------------------------------------- */
/* The set: all or none                                                                             */
/* ---------------------------------------------------------------------------------------------- */

Test(compare_set, all_formats_then_eexist_then_force) {
  char *dir = make_tmpdir();
  char *out = path_join(dir, "a/cmp");
  osq_compare_t *c = sample();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_compare_write(out, OSQ_FMT_ALL, c, false, &err), 0, "%s", err.msg[0]);
  assert_listing(out, "compare.csv compare.json compare.md compare.tex");
  char *csv = slurp_in(out, "compare.csv");
  char *want = capture(osq_compare_csv_write, c);
  cr_assert_str_eq(csv, want, "the file and the stream writer agree");
  free(want);
  char *md = slurp_in(out, "compare.md");
  want = capture(osq_compare_md_write, c);
  cr_assert_str_eq(md, want);
  free(want);
  free(md);

  /* Run results in the same directory are no conflict and are left alone. */
  char *summary = path_join(out, "summary.csv");
  FILE *f = fopen(summary, "w");
  fputs("keep\n", f);
  fclose(f);

  osq_compare_t *other = osq_compare_alloc();
  osq_run_header_t h = header("x", "x.cfg", 1);
  cr_assert_eq(osq_compare_add_scenario(other, &h, NULL), 0);
  osq_error_clear(&err);
  cr_assert_eq(osq_compare_write(out, OSQ_FMT_CSV, other, false, &err), OSQ_EEXIST);
  cr_assert(strstr(err.msg[0], "already holds osq results (compare.csv, compare.json, compare.md, compare.tex)"),
            "%s", err.msg[0]);
  char *now = slurp_in(out, "compare.csv");
  cr_assert_str_eq(now, csv, "refused: the old file is untouched");
  free(now);

  osq_error_clear(&err);
  cr_assert_eq(osq_compare_write(out, OSQ_FMT_CSV, other, true, &err), 0, "%s", err.msg[0]);
  assert_listing(out, "compare.csv summary.csv");
  now = slurp_in(out, "compare.csv");
  cr_assert_str_eq(now, "scenario,year,metric,party,mean,ci95_lo,ci95_hi,diff,diff_ci95_lo,diff_ci95_hi\n");
  free(now);
  now = slurp_in(out, "summary.csv");
  cr_assert_str_eq(now, "keep\n");
  free(now);

  free(summary);
  free(csv);
  osq_compare_free(other);
  osq_compare_free(c);
  free(out);
  rm_rf(dir);
  free(dir);
}

Test(compare_set, bad_arguments_and_unwritable_directory) {
  char *dir = make_tmpdir();
  osq_compare_t *c = sample();
  osq_compare_t *empty = osq_compare_alloc();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_compare_write(dir, 0, c, false, &err), OSQ_EINVAL);
  cr_assert_eq(osq_compare_write(dir, 1u << 7, c, false, &err), OSQ_EINVAL);
  cr_assert_eq(osq_compare_write("", OSQ_FMT_CSV, c, false, &err), OSQ_EINVAL);
  cr_assert_eq(osq_compare_write(dir, OSQ_FMT_CSV, NULL, false, &err), OSQ_EINVAL);
  cr_assert_eq(osq_compare_write(dir, OSQ_FMT_CSV, empty, false, &err), OSQ_EINVAL);
  cr_assert_eq(osq_compare_print(stdout, empty, &err), OSQ_EINVAL);
  assert_listing(dir, "");

  /* A directory below a regular file cannot be created: nothing is left behind. */
  char *file = path_join(dir, "plain");
  FILE *f = fopen(file, "w");
  fclose(f);
  char *under = path_join(file, "out");
  osq_error_clear(&err);
  cr_assert_eq(osq_compare_write(under, OSQ_FMT_ALL, c, false, &err), OSQ_EIO);
  assert_listing(dir, "plain");

  /* A write error on a stream is reported. */
  FILE *full = fopen("/dev/full", "w");
  if (full) {
    osq_error_clear(&err);
    cr_assert_eq(osq_compare_csv_write(full, c, &err), OSQ_EIO);
    fclose(full);
  }
  free(under);
  free(file);
  osq_compare_free(empty);
  osq_compare_free(c);
  rm_rf(dir);
  free(dir);
}

/* ---------------------------------------------------------------------------------------------- */
/* The difference statistic: paired over common random numbers                                     */
/* ---------------------------------------------------------------------------------------------- */

/*
 * a_i = X_i, b_i = X_i + Y_i with X ~ N(0, 10) shared by both runs (common random numbers) and
 * Y ~ N(1, 1). The paired difference b - a = Y has sd 1: its 95 % CI is 1 +/- 1.96/sqrt(n). Treated
 * as two independent samples, the difference of the means has sd sqrt((100 + 101)/n): the
 * half-width is about 1.96 sqrt(200/n), fourteen times wider. The engine fills the diff columns
 * from the Welford of (b - a) per trial through osq_summarize, which is what is checked here.
 */
static void paired_and_unpaired(gsl_rng *r, int n, osq_summary_t *paired, double *unpaired_mean,
                                double *unpaired_half) {
  osq_welford_t wa = OSQ_WELFORD_INIT, wb = OSQ_WELFORD_INIT, wd = OSQ_WELFORD_INIT;
  for (int i = 0; i < n; i++) {
    const double x = gsl_ran_gaussian(r, 10.0);
    const double a = x, b = x + 1.0 + gsl_ran_gaussian(r, 1.0);
    osq_welford_add(&wa, a);
    osq_welford_add(&wb, b);
    osq_welford_add(&wd, b - a);
  }
  osq_summarize(&wd, NULL, paired);
  const double se = sqrt(osq_welford_var(&wa) / n + osq_welford_var(&wb) / n);
  *unpaired_mean = wb.mean - wa.mean;
  *unpaired_half = 1.959963984540054 * se;
}

Test(compare_stats, paired_ci_of_common_random_numbers) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  gsl_rng_set(r, 20190101);
  const int n = 10000;
  osq_summary_t p;
  double um, uh;
  paired_and_unpaired(r, n, &p, &um, &uh);
  const double half = (p.ci95_hi - p.ci95_lo) / 2.0;
  /* The paired CI: centred within 4 sd of 1, half-width 1.96/sqrt(n) within 3 % (the sd estimate
   * of 10,000 normal values is within 3 % with overwhelming probability: its relative sd is 0.7 %). */
  cr_assert(fabs(p.mean - 1.0) < 4.0 / sqrt(n), "paired mean %.5f", p.mean);
  cr_assert(fabs(half / (1.96 / sqrt(n)) - 1.0) < 0.03, "paired half-width %.5f, want %.5f", half, 1.96 / sqrt(n));
  cr_assert(p.ci95_lo < 1.0 && 1.0 < p.ci95_hi, "[%.4f, %.4f] misses 1", p.ci95_lo, p.ci95_hi);
  /* The unpaired CI: half-width 1.96 sqrt(200/n) within 3 %, and more than ten times wider. */
  cr_assert(fabs(uh / (1.96 * sqrt(200.0 / n)) - 1.0) < 0.03, "unpaired half-width %.4f, want %.4f", uh,
            1.96 * sqrt(200.0 / n));
  cr_assert(fabs(um - p.mean) < 1e-9, "both estimate the same difference: %.12f vs %.12f", um, p.mean);
  cr_assert_gt(uh, 10.0 * half, "unpaired %.4f vs paired %.4f", uh, half);

  /* Coverage of the paired interval: 400 runs of 200 trials; expected 380 cover 1 (sd 4.4). */
  int cover = 0;
  for (int k = 0; k < 400; k++) {
    paired_and_unpaired(r, 200, &p, &um, &uh);
    cover += p.ci95_lo <= 1.0 && 1.0 <= p.ci95_hi;
  }
  cr_assert(cover >= 365 && cover <= 395, "paired 95 %% CI covered 1 in %d of 400 runs", cover);
  gsl_rng_free(r);
}
