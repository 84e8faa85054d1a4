/*
 * compare.c owns the comparison table of `osq compare` (alloc/add/free) and its four formats:
 * compare.csv (exact numbers, the stable interface), compare.json (the same rows plus every
 * scenario's run header), compare.md (for people: scenarios side by side) and compare.tex (for a
 * paper: a longtable in long form that fits the page).
 *
 * The cell writers, number formats and the all-or-none set writer are those of the run results
 * (results/internal.h), so both kinds of output quote, round and fail the same way.
 */
#include "results/compare.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "results/internal.h"

#define OSQ_COMPARE_JSON_FORMAT_VERSION 1

/* ---------------------------------------------------------------------------------------------- */
/* The table                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

osq_compare_t *osq_compare_alloc(void) { return calloc(1, sizeof(osq_compare_t)); }

static void scenario_free(osq_compare_scenario_t *s) {
  for (size_t k = 0; k < sizeof s->strings / sizeof s->strings[0]; k++) free(s->strings[k]);
}

void osq_compare_free(osq_compare_t *c) {
  if (!c) return;
  for (size_t i = 0; i < c->n_scenarios; i++) scenario_free(&c->scenarios[i]);
  free(c->scenarios);
  free(c->rows);
  free(c);
}

/* Grow *rows (elements of size elem) so that one more fits; doubling keeps appends O(1). */
static int grow(void **rows, size_t *cap, size_t n, size_t elem) {
  if (n < *cap) return 0;
  size_t ncap = *cap ? *cap * 2 : 16;
  if (ncap < *cap || ncap > SIZE_MAX / elem) return OSQ_ENOMEM;
  void *p = realloc(*rows, ncap * elem);
  if (!p) return OSQ_ENOMEM;
  *rows = p;
  *cap = ncap;
  return 0;
}

/* Copy one borrowed header string into the scenario's own storage. */
static bool own(const char **field, char **slot) {
  if (!*field) return true;
  *slot = strdup(*field);
  if (!*slot) return false;
  *field = *slot;
  return true;
}

static bool label_taken(const osq_compare_t *c, const char *label) {
  for (size_t i = 0; i < c->n_scenarios; i++)
    if (strcmp(c->scenarios[i].label, label) == 0) return true;
  return false;
}

int osq_compare_add_scenario(osq_compare_t *c, const osq_run_header_t *hdr, int *index) {
  if (!c || !hdr || c->n_scenarios >= INT32_MAX) return OSQ_EINVAL;
  void *p = c->scenarios;
  int rc = grow(&p, &c->scenarios_cap, c->n_scenarios, sizeof *c->scenarios);
  c->scenarios = p;
  if (rc) return rc;
  osq_compare_scenario_t *s = &c->scenarios[c->n_scenarios];
  memset(s, 0, sizeof *s);
  s->hdr = *hdr;
  if (!own(&s->hdr.version, &s->strings[0]) || !own(&s->hdr.scenario_name, &s->strings[1]) ||
      !own(&s->hdr.scenario_path, &s->strings[2]) || !own(&s->hdr.rng, &s->strings[3]) ||
      !own(&s->hdr.created, &s->strings[4])) {
    scenario_free(s);
    return OSQ_ENOMEM;
  }
  /* A repeated name gets "#K" (K = 1-based position) until it is unique, so that the scenario
   * column identifies a scenario. */
  snprintf(s->label, sizeof s->label, "%.70s", hdr->scenario_name ? hdr->scenario_name : "");
  for (int tries = 0; tries < 4 && label_taken(c, s->label); tries++) {
    size_t len = strlen(s->label);
    snprintf(s->label + len, sizeof s->label - len, "#%zu", c->n_scenarios + 1);
  }
  if (index) *index = (int)c->n_scenarios;
  c->n_scenarios++;
  return 0;
}

/* A code or name field must be non-empty and NUL-terminated inside its fixed array. */
static bool field_ok(const char *s, size_t cap) {
  size_t len = strnlen(s, cap);
  return len > 0 && len < cap;
}

int osq_compare_add(osq_compare_t *c, const osq_compare_row_t *row) {
  if (!c || !row || row->scenario < 0 || (size_t)row->scenario >= c->n_scenarios ||
      !field_ok(row->metric, sizeof row->metric) || !field_ok(row->party, sizeof row->party))
    return OSQ_EINVAL;
  void *p = c->rows;
  int rc = grow(&p, &c->cap, c->n, sizeof *c->rows);
  c->rows = p;
  if (rc) return rc;
  c->rows[c->n++] = *row;
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* compare.csv                                                                                      */
/* ---------------------------------------------------------------------------------------------- */

static int write_csv(osq__out_t *o, const osq_compare_t *c) {
  osq__outs(o, "scenario,year,metric,party,mean,ci95_lo,ci95_hi,diff,diff_ci95_lo,diff_ci95_hi\n");
  for (size_t i = 0; i < c->n && !o->err; i++) {
    const osq_compare_row_t *r = &c->rows[i];
    osq__csv_field(o, c->scenarios[r->scenario].label);
    osq__outf(o, ",%d,", r->year);
    osq__csv_field(o, r->metric);
    osq__outc(o, ',');
    osq__csv_field(o, r->party);
    osq__csv_num(o, r->mean);
    osq__csv_num(o, r->ci95_lo);
    osq__csv_num(o, r->ci95_hi);
    osq__csv_num(o, r->diff);
    osq__csv_num(o, r->diff_ci95_lo);
    osq__csv_num(o, r->diff_ci95_hi);
    osq__outc(o, '\n');
  }
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* compare.json                                                                                     */
/* ---------------------------------------------------------------------------------------------- */

/* Collect allocation failures so that the builders need not test every call. The *_new calls
 * take the reference even when they fail; a value with no container to go to is released here. */
static void jset(bool *failed, json_t *obj, const char *key, json_t *v) {
  if (!obj) json_decref(v);
  if (!obj || !v || json_object_set_new(obj, key, v) != 0) *failed = true;
}

static void jappend(bool *failed, json_t *arr, json_t *v) {
  if (!arr) json_decref(v);
  if (!arr || !v || json_array_append_new(arr, v) != 0) *failed = true;
}

static json_t *row_json(bool *failed, const osq_compare_t *c, const osq_compare_row_t *r) {
  json_t *o = json_object();
  jset(failed, o, "scenario", osq__json_str(c->scenarios[r->scenario].label));
  jset(failed, o, "year", json_integer(r->year));
  jset(failed, o, "metric", osq__json_str(r->metric));
  jset(failed, o, "party", osq__json_str(r->party));
  jset(failed, o, "mean", osq__json_num(r->mean));
  jset(failed, o, "ci95_lo", osq__json_num(r->ci95_lo));
  jset(failed, o, "ci95_hi", osq__json_num(r->ci95_hi));
  jset(failed, o, "diff", osq__json_num(r->diff));
  jset(failed, o, "diff_ci95_lo", osq__json_num(r->diff_ci95_lo));
  jset(failed, o, "diff_ci95_hi", osq__json_num(r->diff_ci95_hi));
  return o;
}

static int write_json(osq__out_t *o, const osq_compare_t *c, osq_error_t *err) {
  bool failed = false;
  json_t *root = json_object();
  jset(&failed, root, "format", json_string("osq-compare"));
  jset(&failed, root, "format_version", json_integer(OSQ_COMPARE_JSON_FORMAT_VERSION));
  jset(&failed, root, "reference", osq__json_str(c->scenarios[0].label));
  json_t *scen = json_array();
  for (size_t i = 0; i < c->n_scenarios && !failed; i++) {
    json_t *h = osq__run_header_json(&c->scenarios[i].hdr);
    jset(&failed, h, "label", osq__json_str(c->scenarios[i].label));
    jappend(&failed, scen, h);
  }
  jset(&failed, root, "scenarios", scen);
  json_t *rows = json_array();
  for (size_t i = 0; i < c->n && !failed; i++) jappend(&failed, rows, row_json(&failed, c, &c->rows[i]));
  jset(&failed, root, "rows", rows);
  if (!failed) osq__json_write(o, root);
  json_decref(root);
  if (failed) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "compare.json: out of memory");
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* Layout of the side-by-side tables (Markdown, LaTeX)                                              */
/* ---------------------------------------------------------------------------------------------- */

/*
 * Rows are lined up across scenarios by (metric, party, position of the year among the
 * scenario's own years): the engine pairs year k of a scenario with year k of the reference.
 */
typedef struct {
  size_t n;            /* rows */
  int *metric_id;      /* per row: metric in order of first appearance */
  int *party_id;       /* per row: party in order of first appearance */
  int *pos;            /* per row: index of its year among its scenario's distinct years */
  size_t *order;       /* row indices sorted by (metric, party, pos, scenario, index) */
  int *first_year, *last_year; /* per scenario; 0 if it has no rows */
  bool multi_year;     /* some scenario has more than one year */
} layout_t;

/* Sort key of one row: the comparator needs no context, so qsort stays reentrant. */
typedef struct {
  int metric_id, party_id, pos, scenario;
  size_t index;
} sort_key_t;

static int cmp_key(const void *a, const void *b) {
  const sort_key_t *x = a, *y = b;
  if (x->metric_id != y->metric_id) return x->metric_id < y->metric_id ? -1 : 1;
  if (x->party_id != y->party_id) return x->party_id < y->party_id ? -1 : 1;
  if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
  if (x->scenario != y->scenario) return x->scenario < y->scenario ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static void layout_free(layout_t *L) {
  free(L->metric_id);
  free(L->party_id);
  free(L->pos);
  free(L->order);
  free(L->first_year);
  free(L->last_year);
}

/* Index of s in names[0..*n) (appended if new). */
static int intern(const char **names, int *n, const char *s) {
  for (int k = 0; k < *n; k++)
    if (strcmp(names[k], s) == 0) return k;
  names[*n] = s;
  return (*n)++;
}

static int layout_build(const osq_compare_t *c, layout_t *L) {
  memset(L, 0, sizeof *L);
  const size_t n = c->n, ns = c->n_scenarios;
  L->n = n;
  L->metric_id = malloc((n ? n : 1) * sizeof *L->metric_id);
  L->party_id = malloc((n ? n : 1) * sizeof *L->party_id);
  L->pos = malloc((n ? n : 1) * sizeof *L->pos);
  L->order = malloc((n ? n : 1) * sizeof *L->order);
  L->first_year = calloc(ns, sizeof *L->first_year);
  L->last_year = calloc(ns, sizeof *L->last_year);
  const char **metrics = malloc((n ? n : 1) * sizeof *metrics);
  const char **parties = malloc((n ? n : 1) * sizeof *parties);
  int *years = malloc((n ? n : 1) * sizeof *years);
  sort_key_t *keys = NULL;
  int rc = 0;
  if (!L->metric_id || !L->party_id || !L->pos || !L->order || !L->first_year || !L->last_year || !metrics ||
      !parties || !years) {
    rc = OSQ_ENOMEM;
    goto out;
  }
  int nm = 0, np = 0;
  for (size_t i = 0; i < n; i++) {
    L->metric_id[i] = intern(metrics, &nm, c->rows[i].metric);
    L->party_id[i] = intern(parties, &np, c->rows[i].party);
  }
  /* Each scenario's distinct years, sorted; a row's position is its year's index there. */
  for (size_t s = 0; s < ns; s++) {
    size_t ny = 0;
    for (size_t i = 0; i < n; i++)
      if ((size_t)c->rows[i].scenario == s) years[ny++] = c->rows[i].year;
    qsort(years, ny, sizeof *years, cmp_int);
    size_t nd = 0;
    for (size_t k = 0; k < ny; k++)
      if (nd == 0 || years[nd - 1] != years[k]) years[nd++] = years[k];
    if (nd > 0) {
      L->first_year[s] = years[0];
      L->last_year[s] = years[nd - 1];
    }
    if (nd > 1) L->multi_year = true;
    for (size_t i = 0; i < n; i++) {
      if ((size_t)c->rows[i].scenario != s) continue;
      const int *hit = bsearch(&c->rows[i].year, years, nd, sizeof *years, cmp_int);
      L->pos[i] = (int)(hit - years);
    }
  }
  keys = malloc((n ? n : 1) * sizeof *keys);
  if (!keys) {
    rc = OSQ_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < n; i++)
    keys[i] = (sort_key_t){L->metric_id[i], L->party_id[i], L->pos[i], c->rows[i].scenario, i};
  qsort(keys, n, sizeof *keys, cmp_key);
  for (size_t i = 0; i < n; i++) L->order[i] = keys[i].index;
out:
  free(keys);
  free(metrics);
  free(parties);
  free(years);
  if (rc) layout_free(L);
  return rc;
}

/*
 * Walk the groups of the layout: for each (metric, party, position), cells[s] is the row of
 * scenario s (its first, if several), or -1. Returns the index in order just past the group.
 */
static size_t next_group(const osq_compare_t *c, const layout_t *L, size_t k, long *cells) {
  for (size_t s = 0; s < c->n_scenarios; s++) cells[s] = -1;
  const size_t first = L->order[k];
  for (; k < L->n; k++) {
    const size_t i = L->order[k];
    if (L->metric_id[i] != L->metric_id[first] || L->party_id[i] != L->party_id[first] ||
        L->pos[i] != L->pos[first])
      break;
    if (cells[c->rows[i].scenario] < 0) cells[c->rows[i].scenario] = (long)i;
  }
  return k;
}

/* "2019", or the distinct years of the group's rows in scenario order joined by "/". */
static void group_years(const osq_compare_t *c, const long *cells, char *buf, size_t len) {
  buf[0] = '\0';
  int seen[8];
  int nseen = 0;
  for (size_t s = 0; s < c->n_scenarios; s++) {
    if (cells[s] < 0) continue;
    const int y = c->rows[cells[s]].year;
    bool dup = false;
    for (int k = 0; k < nseen; k++) dup = dup || seen[k] == y;
    if (dup) continue;
    if (nseen < 8) seen[nseen++] = y;
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%d", used ? "/" : "", y);
  }
}

/* " (2019)" or " (2002-2025)" for a scenario's column head; "" if it has no rows. */
static void year_span(const layout_t *L, size_t s, char *buf, size_t len) {
  if (L->first_year[s] == 0 && L->last_year[s] == 0)
    buf[0] = '\0';
  else if (L->first_year[s] == L->last_year[s])
    snprintf(buf, len, " (%d)", L->first_year[s]);
  else
    snprintf(buf, len, " (%d-%d)", L->first_year[s], L->last_year[s]);
}

/* ---------------------------------------------------------------------------------------------- */
/* compare.md and the terminal table                                                                */
/* ---------------------------------------------------------------------------------------------- */

/* A difference with its sign, so that a gain and a loss read differently at a glance. */
static void md_signed(osq__out_t *o, double x) {
  if (x > 0.0) osq__outc(o, '+');
  osq__md_num(o, x);
}

/* A statistic that does not exist (no counterpart in the reference): its mean and CI are NaN. */
static bool all_nan(const osq_compare_row_t *r, bool diff) {
  return diff ? isnan(r->diff) && isnan(r->diff_ci95_lo) && isnan(r->diff_ci95_hi)
              : isnan(r->mean) && isnan(r->ci95_lo) && isnan(r->ci95_hi);
}

static void md_cell(osq__out_t *o, const osq_compare_row_t *r, bool diff) {
  if (!r) {
    osq__outs(o, " - |");
    return;
  }
  if (all_nan(r, diff)) {
    osq__outs(o, " n/a |");
    return;
  }
  osq__outc(o, ' ');
  if (diff) md_signed(o, r->diff);
  else osq__md_num(o, r->mean);
  osq__outs(o, " [");
  osq__md_num(o, diff ? r->diff_ci95_lo : r->ci95_lo);
  osq__outs(o, ", ");
  osq__md_num(o, diff ? r->diff_ci95_hi : r->ci95_hi);
  osq__outs(o, "] |");
}

static int write_md_table(osq__out_t *o, const osq_compare_t *c, osq_error_t *err) {
  layout_t L;
  long *cells = malloc(c->n_scenarios * sizeof *cells);
  if (!cells || layout_build(c, &L) != 0) {
    free(cells);
    return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "compare.md: out of memory");
  }
  const char *ref = c->scenarios[0].label;
  char span[32];
  osq__outs(o, "| metric | party |");
  if (L.multi_year) osq__outs(o, " year |");
  for (size_t s = 0; s < c->n_scenarios; s++) {
    osq__outc(o, ' ');
    osq__md_text(o, c->scenarios[s].label);
    year_span(&L, s, span, sizeof span);
    osq__outs(o, span);
    osq__outs(o, " |");
  }
  for (size_t s = 1; s < c->n_scenarios; s++) {
    osq__outc(o, ' ');
    osq__md_text(o, c->scenarios[s].label);
    osq__outs(o, " - ");
    osq__md_text(o, ref);
    osq__outs(o, " |");
  }
  osq__outs(o, "\n|:---|:---|");
  if (L.multi_year) osq__outs(o, "---:|");
  for (size_t s = 0; s < 2 * c->n_scenarios - 1; s++) osq__outs(o, "---:|");
  osq__outc(o, '\n');
  for (size_t k = 0; k < L.n && !o->err;) {
    const size_t first = L.order[k];
    k = next_group(c, &L, k, cells);
    osq__outs(o, "| ");
    osq__md_code(o, c->rows[first].metric);
    osq__outs(o, " | ");
    osq__md_text(o, c->rows[first].party);
    osq__outs(o, " |");
    if (L.multi_year) {
      char years[96];
      group_years(c, cells, years, sizeof years);
      osq__outf(o, " %s |", years);
    }
    for (size_t s = 0; s < c->n_scenarios; s++) md_cell(o, cells[s] >= 0 ? &c->rows[cells[s]] : NULL, false);
    for (size_t s = 1; s < c->n_scenarios; s++) md_cell(o, cells[s] >= 0 ? &c->rows[cells[s]] : NULL, true);
    osq__outc(o, '\n');
  }
  osq__outs(o, "\nEach scenario: mean [95 % CI]. Each difference: scenario - ");
  osq__md_text(o, ref);
  osq__outs(o, ", paired over common random numbers (same seed and trial index; year k with year k), "
               "mean [95 % CI].\n");
  layout_free(&L);
  free(cells);
  return 0;
}

static void md_scenario_line(osq__out_t *o, const osq_compare_scenario_t *s) {
  const osq_run_header_t *h = &s->hdr;
  osq__outs(o, "- ");
  osq__md_code(o, s->label);
  osq__outs(o, ": ");
  osq__md_run_facts(o, h, "file ");
  if (h->partial) osq__outf(o, " (**partial run**: %" PRId64 " of %" PRId64 " trials)", h->trials_done, h->trials);
  osq__outs(o, "\n");
}

static int write_md(osq__out_t *o, const osq_compare_t *c, osq_error_t *err) {
  osq__outs(o, "# osq comparison: ");
  for (size_t s = 0; s < c->n_scenarios; s++) {
    if (s) osq__outs(o, " vs ");
    osq__md_text(o, c->scenarios[s].label);
  }
  osq__outs(o, "\n\n");
  for (size_t s = 0; s < c->n_scenarios; s++) md_scenario_line(o, &c->scenarios[s]);
  osq__outs(o, "\n");
  return write_md_table(o, c, err);
}

/* ---------------------------------------------------------------------------------------------- */
/* compare.tex                                                                                      */
/* ---------------------------------------------------------------------------------------------- */

/* "mean & [lo, hi]" of a scenario's row, or of its difference; "n/a" if it does not exist. */
static void tex_value(osq__out_t *o, const osq_compare_row_t *r, bool diff) {
  if (all_nan(r, diff)) {
    osq__outs(o, "n/a &");
    return;
  }
  /* "{}" keeps "$+$" apart from a number that itself starts with "$" (1.2$\times 10^{-5}$). */
  if (diff && r->diff > 0.0) osq__outs(o, "$+${}");
  osq__tex_num(o, diff ? r->diff : r->mean);
  osq__outs(o, " & [");
  osq__tex_num(o, diff ? r->diff_ci95_lo : r->ci95_lo);
  osq__outs(o, ", ");
  osq__tex_num(o, diff ? r->diff_ci95_hi : r->ci95_hi);
  osq__outs(o, "]");
}

#define COMPARE_TEX_HEADS "Scenario & Year & Mean & 95\\,\\% CI"

/* The caption: what the cells are, over which trials. */
static void tex_caption(osq__out_t *o, const osq_compare_t *c, const layout_t *L) {
  char span[32];
  osq__outs(o, "\\caption{osq comparison of ");
  for (size_t s = 0; s < c->n_scenarios; s++) {
    osq__outs(o, s == 0 ? "" : s + 1 == c->n_scenarios ? " and " : ", ");
    osq__tex_text(o, c->scenarios[s].label);
    year_span(L, s, span, sizeof span);
    osq__tex_text(o, span);
  }
  osq__outf(o, ", %" PRId64 " trials, seed %llu. Per metric and party: each scenario's mean with its 95\\,\\%% "
               "confidence interval, and below it ($-$~",
            c->scenarios[0].hdr.trials_done, (unsigned long long)c->scenarios[0].hdr.seed);
  osq__tex_text(o, c->scenarios[0].label);
  osq__outs(o, ") its difference to ");
  osq__tex_text(o, c->scenarios[0].label);
  osq__outs(o, ", paired over common random numbers (same seed and trial index), with the interval of the "
               "difference.}");
  osq__tex_label(o, "tab:osq-compare-", c->scenarios[0].label);
  osq__outs(o, " \\\\\n");
}

/*
 * compare.tex: one longtable in long form, so that it fits a page's width for any number of
 * scenarios and breaks across pages. Each (metric, party, year position) is a group under its name:
 * a line per scenario (mean, CI), and under each other scenario its paired difference to the
 * reference. A group stays on one page ("\\*" inside it).
 */
static int write_tex(osq__out_t *o, const osq_compare_t *c, osq_error_t *err) {
  layout_t L;
  long *cells = malloc(c->n_scenarios * sizeof *cells);
  if (!cells || layout_build(c, &L) != 0) {
    free(cells);
    return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "compare.tex: out of memory");
  }
  const char *ref = c->scenarios[0].label;
  osq__outs(o, "% compare.tex written by osq; needs \\usepackage{booktabs,longtable}\n");
  for (size_t s = 0; s < c->n_scenarios; s++) osq__tex_header_comment(o, &c->scenarios[s].hdr);
  osq__outs(o, "% cells: mean [95 % CI]; differences: scenario minus the first, paired over common random numbers\n");
  osq__tex_longtable_begin(o, "@{}llrc@{}");
  tex_caption(o, c, &L);
  osq__tex_longtable_heads(o, 4, COMPARE_TEX_HEADS);
  bool first_group = true;
  for (size_t k = 0; k < L.n && !o->err;) {
    const size_t first = L.order[k];
    k = next_group(c, &L, k, cells);
    if (!first_group) osq__outs(o, "\\addlinespace\n");
    first_group = false;
    osq__outs(o, "\\multicolumn{4}{@{}l}{\\texttt{");
    osq__tex_text(o, c->rows[first].metric);
    osq__outs(o, "}, ");
    osq__tex_text(o, c->rows[first].party);
    osq__outs(o, "}");
    for (size_t s = 0; s < c->n_scenarios; s++) {
      const osq_compare_row_t *r = cells[s] >= 0 ? &c->rows[cells[s]] : NULL;
      osq__outs(o, " \\\\*\n");
      osq__tex_text(o, c->scenarios[s].label);
      if (!r) {
        osq__outs(o, " & & -- &");
        continue;
      }
      osq__outf(o, " & %d & ", r->year);
      tex_value(o, r, false);
      if (s == 0) continue;
      osq__outs(o, " \\\\*\n\\quad $-$ ");
      osq__tex_text(o, ref);
      osq__outs(o, " & & ");
      tex_value(o, r, true);
    }
    osq__outs(o, " \\\\\n");
  }
  osq__tex_longtable_end(o);
  layout_free(&L);
  free(cells);
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* The set and the stream writers                                                                   */
/* ---------------------------------------------------------------------------------------------- */

/* The file names are a stable interface (README "Output files"). */
static const osq__set_file_t compare_files[] = {
    {"compare.csv", OSQ_FMT_CSV},
    {"compare.json", OSQ_FMT_JSON},
    {"compare.md", OSQ_FMT_MD},
    {"compare.tex", OSQ_FMT_TEX},
};

int osq_compare_check_dir(const char *dir, osq_error_t *err) {
  return osq__set_check(dir, compare_files, sizeof compare_files / sizeof compare_files[0], err);
}

static int write_one(osq__out_t *o, size_t k, const void *ctx, osq_error_t *err) {
  const osq_compare_t *c = ctx;
  switch (k) {
    case 0: return write_csv(o, c);
    case 1: return write_json(o, c, err);
    case 2: return write_md(o, c, err);
    case 3: return write_tex(o, c, err);
  }
  return osq_error_add(err, OSQ_EINVAL, NULL, 0, "no such comparison file");
}

static int check_compare(const osq_compare_t *c, const char *what, osq_error_t *err) {
  if (!c || c->n_scenarios == 0)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s: no comparison (expected at least one scenario)", what);
  return 0;
}

int osq_compare_write(const char *dir, unsigned formats, const osq_compare_t *c, bool force,
                      osq_error_t *err) {
  if (!dir || !dir[0]) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "no output directory given");
  if (formats == 0 || (formats & ~(unsigned)OSQ_FMT_ALL))
    return osq_error_add(err, OSQ_EINVAL, dir, 0, "no valid output format requested");
  int rc = check_compare(c, dir, err);
  if (rc) return rc;
  return osq__write_set(dir, compare_files, sizeof compare_files / sizeof compare_files[0], formats, force,
                        write_one, c, err);
}

/* One writer to a caller's stream: check, write, flush. */
static int to_stream(FILE *fp, const osq_compare_t *c, int which, const char *what, osq_error_t *err) {
  int rc = check_compare(c, what, err);
  if (rc) return rc;
  if (!fp) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s: no stream", what);
  osq__out_t o;
  osq__out_init(&o, fp);
  rc = which < 0 ? write_md_table(&o, c, err) : write_one(&o, (size_t)which, c, err);
  int rc2 = osq__out_finish(&o, err);
  return rc ? rc : rc2;
}

int osq_compare_csv_write(FILE *fp, const osq_compare_t *c, osq_error_t *err) {
  return to_stream(fp, c, 0, "compare.csv", err);
}

int osq_compare_json_write(FILE *fp, const osq_compare_t *c, osq_error_t *err) {
  return to_stream(fp, c, 1, "compare.json", err);
}

int osq_compare_md_write(FILE *fp, const osq_compare_t *c, osq_error_t *err) {
  return to_stream(fp, c, 2, "compare.md", err);
}

int osq_compare_tex_write(FILE *fp, const osq_compare_t *c, osq_error_t *err) {
  return to_stream(fp, c, 3, "compare.tex", err);
}

int osq_compare_print(FILE *fp, const osq_compare_t *c, osq_error_t *err) {
  return to_stream(fp, c, -1, "comparison", err);
}
