/*
 * table.c owns the result tables (alloc/add/free), the run header helpers, the list of output
 * formats and the --format parser, and the number formatting and row ordering that the writers
 * share.
 */
#include "results/table.h"

#include <ctype.h>
#include <locale.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/internal.h"

/* ---- tables ---- */

static char *dup_or_empty(const char *s) {
  if (!s) s = "";
  size_t len = strlen(s) + 1;
  char *d = malloc(len);
  if (d) memcpy(d, s, len);
  return d;
}

/* A code or name field must be non-empty and NUL-terminated inside its fixed array. */
static bool field_ok(const char *s, size_t cap) {
  size_t len = strnlen(s, cap);
  return len > 0 && len < cap;
}

/* Grow *rows (elements of size elem) so that one more fits; doubling keeps appends O(1). */
static int grow(void **rows, size_t *cap, size_t n, size_t elem) {
  if (n < *cap) return 0;
  size_t ncap = *cap ? *cap * 2 : 64;
  if (ncap < *cap || ncap > SIZE_MAX / elem) return OSQ_ENOMEM;
  void *p = realloc(*rows, ncap * elem);
  if (!p) return OSQ_ENOMEM;
  *rows = p;
  *cap = ncap;
  return 0;
}

osq_table_t *osq_table_alloc(const char *scenario) {
  osq_table_t *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->scenario = dup_or_empty(scenario);
  if (!t->scenario) {
    free(t);
    return NULL;
  }
  return t;
}

void osq_table_free(osq_table_t *t) {
  if (!t) return;
  free(t->scenario);
  free(t->rows);
  free(t);
}

int osq_table_add(osq_table_t *t, const osq_row_t *row) {
  if (!t || !row || !field_ok(row->metric, sizeof row->metric) ||
      !field_ok(row->party, sizeof row->party))
    return OSQ_EINVAL;
  void *rows = t->rows;
  int rc = grow(&rows, &t->cap, t->n, sizeof *t->rows);
  t->rows = rows;
  if (rc) return rc;
  t->rows[t->n++] = *row;
  return 0;
}

osq_dyad_table_t *osq_dyad_table_alloc(const char *scenario) {
  osq_dyad_table_t *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->scenario = dup_or_empty(scenario);
  if (!t->scenario) {
    free(t);
    return NULL;
  }
  return t;
}

void osq_dyad_table_free(osq_dyad_table_t *t) {
  if (!t) return;
  free(t->scenario);
  free(t->rows);
  free(t);
}

int osq_dyad_table_add(osq_dyad_table_t *t, const osq_dyad_row_t *row) {
  if (!t || !row || !field_ok(row->observer, sizeof row->observer) ||
      !field_ok(row->observed, sizeof row->observed))
    return OSQ_EINVAL;
  void *rows = t->rows;
  int rc = grow(&rows, &t->cap, t->n, sizeof *t->rows);
  t->rows = rows;
  if (rc) return rc;
  t->rows[t->n++] = *row;
  return 0;
}

/* ---- run header ---- */

void osq_run_header_init(osq_run_header_t *h) {
  memset(h, 0, sizeof *h);
  h->version = OSQ_VERSION;
  h->threads = 1;
  h->ranks = 1;
}

int osq_format_utc(time_t t, char *buf, size_t len) {
  struct tm tm;
  if (!buf || len < OSQ_ISO8601_LEN || !gmtime_r(&t, &tm)) return OSQ_ERANGE;
  if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) return OSQ_ERANGE;
  if (strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) != OSQ_ISO8601_LEN - 1) return OSQ_ERANGE;
  return 0;
}

/* ---- format names and --format ---- */

static const struct {
  const char *name;
  unsigned bit;
} format_names[] = {
    {"csv", OSQ_FMT_CSV}, {"json", OSQ_FMT_JSON}, {"md", OSQ_FMT_MD}, {"tex", OSQ_FMT_TEX}};
_Static_assert(sizeof format_names / sizeof format_names[0] == OSQ_FMT_COUNT, "one name per format");

/* The bit of the format named by a[0..len), 0 if none is. */
static unsigned format_bit(const char *a, size_t len) {
  for (size_t i = 0; i < OSQ_FMT_COUNT; i++)
    if (strlen(format_names[i].name) == len && memcmp(format_names[i].name, a, len) == 0) return format_names[i].bit;
  return 0;
}

bool osq_format_valid(const char *name) { return name && format_bit(name, strlen(name)) != 0; }

void osq_formats_text(char buf[static OSQ_FMT_TEXT_LEN], const char *quote, const char *last) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < OSQ_FMT_COUNT && used < OSQ_FMT_TEXT_LEN; i++) {
    const char *sep = i == 0 ? "" : (i + 1 == OSQ_FMT_COUNT ? last : ", ");
    int n = snprintf(buf + used, OSQ_FMT_TEXT_LEN - used, "%s%s%s%s", sep, quote, format_names[i].name, quote);
    if (n < 0) break;
    used += (size_t)n;
  }
}

int osq_formats_parse(const char *list, unsigned *out, osq_error_t *err) {
  if (!list || !out)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "--format: no format list given");
  char names[OSQ_FMT_TEXT_LEN];
  osq_formats_text(names, "", ", ");
  unsigned bits = 0;
  const char *p = list;
  for (;;) {
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    const char *a = p, *b = end;
    while (a < b && isspace((unsigned char)*a)) a++;
    while (b > a && isspace((unsigned char)b[-1])) b--;
    size_t len = (size_t)(b - a);
    unsigned bit = format_bit(a, len);
    if (!bit) {
      if (len == 0)
        return osq_error_add(err, OSQ_EINVAL, NULL, 0,
                             "--format \"%s\": empty format name (expected a comma-separated list of %s)", list,
                             names);
      return osq_error_add(err, OSQ_EINVAL, NULL, 0,
                           "--format \"%s\": unknown format '%.*s' (expected a comma-separated list of %s)", list,
                           (int)(len > 64 ? 64 : len), a, names);
    }
    bits |= bit;
    if (*end == '\0') break;
    p = end + 1;
  }
  *out = bits;
  return 0;
}

/* ---- number formatting ---- */

/* printf honours LC_NUMERIC; the files must not depend on the caller's locale. */
static void fix_decimal_point(char *buf) {
  const char *dp = localeconv()->decimal_point;
  if (!dp || !dp[0] || strcmp(dp, ".") == 0) return;
  char *hit = strstr(buf, dp);
  if (!hit) return;
  size_t dl = strlen(dp);
  *hit = '.';
  memmove(hit + 1, hit + dl, strlen(hit + dl) + 1);
}

static bool nonfinite(double x, const char *nan_text, const char *inf_text, char *buf) {
  if (isnan(x)) {
    strcpy(buf, nan_text);
    return true;
  }
  if (isinf(x)) {
    if (x < 0) {
      buf[0] = '-';
      strcpy(buf + 1, inf_text);
    } else {
      strcpy(buf, inf_text);
    }
    return true;
  }
  return false;
}

/* What strtod does not need of printf's exponent: "e+20" is "e20", "e-05" is "e-5". */
static void tidy_exponent(char *buf) {
  char *e = strchr(buf, 'e');
  if (!e) return;
  char *to = e + 1 + (e[1] == '-'), *from = e + 1 + (e[1] == '-' || e[1] == '+');
  while (from[0] == '0' && from[1]) from++;
  memmove(to, from, strlen(from) + 1);
}

void osq__fmt_exact(double x, char buf[static OSQ__NUM_LEN]) {
  /* NaN is written one way whatever its sign or payload; R and pandas read NaN, Inf, -Inf. */
  if (nonfinite(x, "NaN", "Inf", buf)) return;
  /* The shortest of 15, 16 and 17 significant digits that reads back as x (88.1123, not
   * 88.112300000000005). 17 always do; when any shorter form does, 15 do, as %g drops trailing
   * zeros: a normal double has more than 15 digits of precision, so the correctly rounded 15
   * digits are that shorter form. A subnormal has fewer (5e-324 has one): from 1 digit up. The
   * comparison is in the C locale, like every printf here. */
  for (int digits = fabs(x) < DBL_MIN ? 1 : 15;; digits++) {
    snprintf(buf, OSQ__NUM_LEN, "%.*g", digits, x);
    if (digits == 17 || strtod(buf, NULL) == x) break;
  }
  tidy_exponent(buf);
  fix_decimal_point(buf);
}

/* Drop the sign of a result that rounded to zero ("-0.000" reads as a value below zero). */
static void drop_negative_zero(char *buf) {
  if (buf[0] != '-') return;
  for (const char *p = buf + 1; *p; p++) {
    if (*p == 'e') break;
    if (*p >= '1' && *p <= '9') return;
  }
  memmove(buf, buf + 1, strlen(buf));
}

void osq__fmt_sig(double x, int sig, char buf[static OSQ__NUM_LEN]) {
  if (sig < 1) sig = 1;
  if (sig > 17) sig = 17;
  if (nonfinite(x, "n/a", "inf", buf)) return;
  if (x == 0) {
    strcpy(buf, "0");
    return;
  }
  double ax = fabs(x);
  if (ax < 1e15 && x == floor(x)) {
    /* An integer value reads as one: 93, not 93.00 (quantiles of counts, zero differences). */
    snprintf(buf, OSQ__NUM_LEN, "%.0f", x);
  } else if (ax < 1e-4 || ax >= 1e15) {
    snprintf(buf, OSQ__NUM_LEN, "%.*e", sig - 1, x);
  } else {
    int e = (int)floor(log10(ax));
    int decimals = sig - 1 - e;
    if (decimals < 0) decimals = 0;
    snprintf(buf, OSQ__NUM_LEN, "%.*f", decimals, x);
    /* 9.99996 at 4 digits prints as 10.000: one digit too many after the carry. */
    if (decimals > 0 && fabs(strtod(buf, NULL)) >= pow(10.0, e + 1))
      snprintf(buf, OSQ__NUM_LEN, "%.*f", decimals - 1, x);
  }
  fix_decimal_point(buf);
  drop_negative_zero(buf);
}

/* ---- presentation order ---- */

/* qsort has no context argument, so each record carries its own key. */
typedef struct {
  size_t idx;
  const char *key;
} keyed_t;

static int cmp_keyed(const void *a, const void *b) {
  const keyed_t *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  if (c) return c;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

/* rank[i] = index of the first row whose key equals row i's key. */
static int first_appearance(const osq_table_t *t, bool by_metric, size_t *rank) {
  keyed_t *k = malloc(t->n * sizeof *k);
  if (!k) return OSQ_ENOMEM;
  for (size_t i = 0; i < t->n; i++) {
    k[i].idx = i;
    k[i].key = by_metric ? t->rows[i].metric : t->rows[i].party;
  }
  qsort(k, t->n, sizeof *k, cmp_keyed);
  size_t first = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (i == 0 || strcmp(k[i].key, k[i - 1].key) != 0) first = k[i].idx;
    rank[k[i].idx] = first;
  }
  free(k);
  return 0;
}

typedef struct {
  size_t idx, metric_rank, party_rank;
  int year;
} sort_rec_t;

static int cmp_rec(const void *a, const void *b) {
  const sort_rec_t *x = a, *y = b;
  if (x->metric_rank != y->metric_rank) return x->metric_rank < y->metric_rank ? -1 : 1;
  if (x->party_rank != y->party_rank) return x->party_rank < y->party_rank ? -1 : 1;
  if (x->year != y->year) return x->year < y->year ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

size_t *osq__table_order(const osq_table_t *t) {
  if (t->n == 0) return NULL;
  size_t *mr = malloc(t->n * sizeof *mr), *pr = malloc(t->n * sizeof *pr);
  sort_rec_t *rec = malloc(t->n * sizeof *rec);
  size_t *order = malloc(t->n * sizeof *order);
  if (!mr || !pr || !rec || !order || first_appearance(t, true, mr) ||
      first_appearance(t, false, pr)) {
    free(mr);
    free(pr);
    free(rec);
    free(order);
    return NULL;
  }
  for (size_t i = 0; i < t->n; i++)
    rec[i] = (sort_rec_t){.idx = i, .metric_rank = mr[i], .party_rank = pr[i],
                          .year = t->rows[i].year};
  qsort(rec, t->n, sizeof *rec, cmp_rec);
  for (size_t i = 0; i < t->n; i++) order[i] = rec[i].idx;
  free(mr);
  free(pr);
  free(rec);
  return order;
}

void osq_results_print_errors(FILE *f, const osq_error_t *err, const char *suffix) {
  for (int i = 0; i < err->n; i++) fprintf(f, "osq: error: %s%s\n", err->msg[i], suffix ? suffix : "");
  if (err->dropped) fprintf(f, "osq: error: ... and %d more errors\n", err->dropped);
}
