/* sensitivity.c owns the result files of `osq sensitivity` (see sensitivity.h). */
#include "results/sensitivity.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/internal.h"
#include "results/plot.h"

static const osq__set_file_t FILES[] = {{"uncertainty.csv", OSQ_FMT_CSV},
                                        {"sensitivity.csv", OSQ_FMT_CSV},
                                        {"points.csv", OSQ_FMT_CSV},
                                        {"sensitivity.md", OSQ_FMT_MD},
                                        {"sensitivity.tex", OSQ_FMT_TEX}};
#define N_FILES (sizeof FILES / sizeof FILES[0])

/* How many drivers the human tables name per output. */
#define TOP_DRIVERS 3

/* The index that ranks the inputs: ST (Sobol) or mu* (Morris). */
static double rank_value(const osq_sensitivity_t *s, int q, int i) {
  const osq_index_cell_t *c = &s->index[(size_t)q * s->d + (size_t)i];
  return s->morris ? c->mu_star : c->st;
}

/* The inputs of output q, largest index first, NaN last, ties in input order. */
static void rank_inputs(const osq_sensitivity_t *s, int q, int *order) {
  for (int i = 0; i < s->d; i++) order[i] = i;
  for (int i = 1; i < s->d; i++) { /* insertion sort: stable, d <= 20 */
    const int x = order[i];
    const double vx = rank_value(s, q, x);
    int j = i;
    while (j > 0) {
      const double vy = rank_value(s, q, order[j - 1]);
      const bool before = !isnan(vx) && (isnan(vy) || vx > vy);
      if (!before) break;
      order[j] = order[j - 1];
      j--;
    }
    order[j] = x;
  }
}

/* ---- CSV ---- */

static void write_uncertainty(osq__out_t *o, const osq_sensitivity_t *s) {
  osq__outs(o, OSQ_UNCERTAINTY_HEADER "\n");
  for (int q = 0; q < s->n_outputs; q++) {
    const osq_uncertainty_row_t *r = &s->out[q];
    osq__csv_field(o, r->name);
    const double v[] = {r->mean, r->p05, r->p50, r->p95, r->mc_lo, r->mc_hi};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) osq__csv_num(o, v[k]);
    osq__outf(o, ",%" PRId64 ",%" PRId64 "\n", r->points, r->trials);
  }
}

static void write_indices(osq__out_t *o, const osq_sensitivity_t *s) {
  osq__outs(o, s->morris ? OSQ_MORRIS_HEADER "\n" : OSQ_SOBOL_HEADER "\n");
  for (int q = 0; q < s->n_outputs; q++)
    for (int i = 0; i < s->d; i++) {
      const osq_index_cell_t *c = &s->index[(size_t)q * s->d + (size_t)i];
      osq__csv_field(o, s->out[q].name);
      osq__outc(o, ',');
      osq__csv_field(o, s->input_key[i]);
      if (s->morris) {
        osq__csv_num(o, c->mu_star);
        osq__csv_num(o, c->sigma);
      } else {
        const double v[] = {c->s1, c->s1_lo, c->s1_hi, c->st, c->st_lo, c->st_hi};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) osq__csv_num(o, v[k]);
      }
      osq__outc(o, '\n');
    }
}

/* A point's place in the design: Sobol "A", "B", "AB" (with the input taken from B), Morris
 * "start", "step" (with the input moved); the central point first. */
static void point_kind(const osq_sensitivity_t *s, int64_t p, const char **kind, int64_t *row, int *input) {
  *input = -1;
  if (p == 0) {
    *kind = "central";
    *row = -1;
    return;
  }
  const int per = s->morris ? s->d + 1 : s->d + 2;
  const int64_t k = (p - 1) % per;
  *row = (p - 1) / per;
  if (s->morris) {
    *kind = k == 0 ? "start" : "step";
    *input = s->moved ? s->moved[p] : -1;
  } else {
    *kind = k == 0 ? "A" : k == 1 ? "B" : "AB";
    if (k >= 2) *input = (int)(k - 2);
  }
}

static void write_points(osq__out_t *o, const osq_sensitivity_t *s) {
  osq__outs(o, "point,row,kind,input");
  for (int i = 0; i < s->d; i++) {
    osq__outc(o, ',');
    osq__csv_field(o, s->input_key[i]);
  }
  for (int q = 0; q < s->n_outputs; q++) {
    osq__outc(o, ',');
    osq__csv_field(o, s->out[q].name);
  }
  osq__outc(o, '\n');
  for (int64_t p = 0; p < s->points_done; p++) {
    const char *kind;
    int64_t row;
    int input;
    point_kind(s, p, &kind, &row, &input);
    osq__outf(o, "%" PRId64 ",", p);
    if (row >= 0) osq__outf(o, "%" PRId64, row);
    osq__outf(o, ",%s,", kind);
    if (input >= 0) osq__csv_field(o, s->input_key[input]);
    for (int i = 0; i < s->d; i++) osq__csv_num(o, s->x[(size_t)p * s->d + (size_t)i]);
    for (int q = 0; q < s->n_outputs; q++) osq__csv_num(o, s->value[(size_t)p * s->n_outputs + (size_t)q]);
    osq__outc(o, '\n');
  }
}

/* ---- Markdown ---- */

static void md_facts(osq__out_t *o, const osq_sensitivity_t *s) {
  osq__outs(o, "- study ");
  osq__md_code(o, s->path);
  osq__outs(o, " (hash ");
  osq__md_code(o, s->hash);
  osq__outs(o, "); scenarios");
  for (int k = 0; k < s->n_scenarios; k++) {
    osq__outs(o, k ? ", " : " ");
    osq__md_code(o, s->scenario_name[k]);
    osq__outs(o, " (");
    osq__md_code(o, s->scenario_path[k]);
    osq__outc(o, ')');
  }
  osq__outs(o, "; osq ");
  osq__md_text(o, s->version);
  if (s->morris)
    osq__outf(o, "\n- method Morris: %" PRId64 " trajectories on %d levels, %" PRId64 " points", s->rows, s->levels,
              s->n_points);
  else
    osq__outf(o, "\n- method Sobol (Saltelli design, GSL's Sobol sequence): N = %" PRId64 " base rows, %" PRId64
              " points, %d bootstrap resamples", s->rows, s->n_points, s->bootstrap);
  osq__outf(o, "; %" PRId64 " trials of each scenario at each point (geography on about %" PRId64 "), seed %llu, "
            "block size %" PRId64 "; common random numbers across scenarios and points\n", s->trials, s->geo_trials,
            (unsigned long long)s->seed, s->block_size);
  if (s->partial)
    osq__outf(o, "- **partial**: %" PRId64 " of %" PRId64 " points done (%" PRId64 " of %" PRId64 " %s): the figures "
              "are those of the points done\n", s->points_done, s->n_points, s->rows_done, s->rows,
              s->morris ? "trajectories" : "base rows");
}

static void md_uncertainty(osq__out_t *o, const osq_sensitivity_t *s) {
  osq__outs(o, "\n## How sure: each output over the inputs' uncertainty\n\n"
               "The Monte Carlo CI is the sampling noise of the central point's trials (the scenarios as they "
               "stand); the spread is how far the inputs' ranges move the answer.\n\n");
  osq__outs(o, "| output | what | central point, mean [95 % MC CI] | over the inputs: mean | p05 – p95 | points |\n");
  osq__outs(o, "|:---|:---|---:|---:|---:|---:|\n");
  for (int q = 0; q < s->n_outputs; q++) {
    const osq_uncertainty_row_t *r = &s->out[q];
    osq__outs(o, "| ");
    osq__md_code(o, r->name);
    osq__outs(o, " | ");
    osq__md_text(o, r->what);
    osq__outs(o, " | ");
    osq__md_num(o, r->mc_mean);
    osq__outs(o, " [");
    osq__md_num(o, r->mc_lo);
    osq__outs(o, ", ");
    osq__md_num(o, r->mc_hi);
    osq__outs(o, "] | ");
    osq__md_num(o, r->mean);
    osq__outs(o, " | ");
    osq__md_num(o, r->p05);
    osq__outs(o, " – ");
    osq__md_num(o, r->p95);
    osq__outf(o, " | %" PRId64 " |\n", r->points);
  }
}

static void md_drivers(osq__out_t *o, const osq_sensitivity_t *s) {
  if (s->morris)
    osq__outs(o, "\n## What drives it: Morris mu* (mean |elementary effect| over the input's range), sigma\n\n");
  else
    osq__outs(o, "\n## What drives it: total-effect Sobol index ST [95 % bootstrap CI] (first-order S1)\n\n");
  osq__outs(o, "| output | 1st | 2nd | 3rd |\n|:---|:---|:---|:---|\n");
  int order[64];
  for (int q = 0; q < s->n_outputs; q++) {
    rank_inputs(s, q, order);
    osq__outs(o, "| ");
    osq__md_code(o, s->out[q].name);
    for (int k = 0; k < TOP_DRIVERS; k++) {
      osq__outs(o, " | ");
      if (k >= s->d) continue;
      const osq_index_cell_t *c = &s->index[(size_t)q * s->d + (size_t)order[k]];
      osq__md_code(o, s->input_key[order[k]]);
      osq__outc(o, ' ');
      if (s->morris) {
        osq__md_num(o, c->mu_star);
        osq__outs(o, " (sigma ");
        osq__md_num(o, c->sigma);
      } else {
        osq__md_num(o, c->st);
        osq__outs(o, " [");
        osq__md_num(o, c->st_lo);
        osq__outs(o, ", ");
        osq__md_num(o, c->st_hi);
        osq__outs(o, "] (S1 ");
        osq__md_num(o, c->s1);
      }
      osq__outc(o, ')');
    }
    osq__outs(o, " |\n");
  }
}

static void write_md(osq__out_t *o, const osq_sensitivity_t *s) {
  osq__outs(o, "# Uncertainty and sensitivity: ");
  osq__md_text(o, s->name);
  osq__outs(o, "\n\n");
  md_facts(o, s);
  md_uncertainty(o, s);
  md_drivers(o, s);
  osq__outs(o, "\n## The inputs\n\n| input | distribution | why this range |\n|:---|:---|:---|\n");
  for (int i = 0; i < s->d; i++) {
    osq__outs(o, "| ");
    osq__md_code(o, s->input_key[i]);
    osq__outs(o, " | ");
    osq__md_text(o, s->input_dist[i]);
    osq__outs(o, " | ");
    osq__md_text(o, s->input_reason[i]);
    osq__outs(o, " |\n");
  }
}

/* ---- LaTeX ---- */

#define STUDY_TEX_HEADS "Output & Value & Interval"

/* "value & [lo, hi]" */
static void tex_pair(osq__out_t *o, double v, double lo, double hi) {
  osq__tex_num(o, v);
  osq__outs(o, " & [");
  osq__tex_num(o, lo);
  osq__outs(o, ", ");
  osq__tex_num(o, hi);
  osq__outs(o, "]");
}

/*
 * sensitivity.tex: one booktabs longtable in long form, like compare.tex (a plain article with
 * \usepackage{booktabs,longtable}; it breaks across pages and fits the text width, which side-by-side
 * columns of eight-digit km^2 intervals and long input keys did not: tests/cli/latex.sh compiles
 * it). Each output is a group under its name: the central point's mean and Monte Carlo CI, the
 * spread over the inputs, and its TOP_DRIVERS inputs by ST with the CI (Sobol) or by mu* with
 * sigma (Morris). A group stays on one page ("\\*" inside it).
 */
static void write_tex(osq__out_t *o, const osq_sensitivity_t *s) {
  osq__outs(o, "% sensitivity.tex written by osq; needs \\usepackage{booktabs,longtable}\n");
  osq__outf(o, "%% study: osq %s study=%s study_hash=%s method=%s rows=%" PRId64 " points=%" PRId64 " trials=%" PRId64
            " seed=%llu block_size=%" PRId64 "%s\n", s->version, s->name, s->hash, s->morris ? "morris" : "sobol",
            s->rows, s->points_done, s->trials, (unsigned long long)s->seed, s->block_size,
            s->partial ? " partial" : "");
  osq__tex_longtable_begin(o, "@{}lrc@{}");
  osq__outs(o, "\\caption{osq sensitivity study ");
  osq__tex_text(o, s->name);
  osq__outf(o, ", %s over %" PRId64 " points, %" PRId64 " trials a point, seed %llu. Per output: the central point's "
               "mean with its 95\\,\\%% Monte Carlo CI, the mean over the inputs with $p_{05}$ and $p_{95}$, and the "
               "inputs that move it most: %s.}",
            s->morris ? "Morris elementary effects" : "Sobol indices (Saltelli design)", s->points_done, s->trials,
            (unsigned long long)s->seed,
            s->morris ? "$\\mu^*$ with $\\sigma$" : "total-effect index $S_T$ with its 95\\,\\% bootstrap CI");
  osq__tex_label(o, "tab:osq-sensitivity-", s->name);
  osq__outs(o, " \\\\\n");
  osq__tex_longtable_heads(o, 3, STUDY_TEX_HEADS);
  int order[64];
  for (int q = 0; q < s->n_outputs && !o->err; q++) {
    const osq_uncertainty_row_t *r = &s->out[q];
    if (q > 0) osq__outs(o, "\\addlinespace\n");
    osq__outs(o, "\\multicolumn{3}{@{}l}{\\texttt{");
    osq__tex_text(o, r->name);
    osq__outs(o, "}} \\\\*\n\\multicolumn{3}{@{}l}{\\quad ");
    osq__tex_text(o, r->what);
    osq__outs(o, "} \\\\*\n\\quad central point, 95\\,\\% MC CI & ");
    tex_pair(o, r->mc_mean, r->mc_lo, r->mc_hi);
    osq__outs(o, " \\\\*\n\\quad over the inputs, $p_{05}$--$p_{95}$ & ");
    tex_pair(o, r->mean, r->p05, r->p95);
    rank_inputs(s, q, order);
    for (int k = 0; k < TOP_DRIVERS && k < s->d; k++) {
      const osq_index_cell_t *c = &s->index[(size_t)q * s->d + (size_t)order[k]];
      osq__outf(o, " \\\\*\n\\quad %d. ", k + 1);
      osq__tex_text(o, s->input_key[order[k]]);
      if (s->morris) {
        osq__outs(o, " & $\\mu^*$ ");
        osq__tex_num(o, c->mu_star);
        osq__outs(o, " & $\\sigma$ ");
        osq__tex_num(o, c->sigma);
      } else {
        osq__outs(o, " & $S_T$ ");
        tex_pair(o, c->st, c->st_lo, c->st_hi);
      }
    }
    osq__outs(o, " \\\\\n");
  }
  osq__tex_longtable_end(o);
}

static int write_one(osq__out_t *o, size_t k, const void *ctx, osq_error_t *err) {
  (void)err;
  const osq_sensitivity_t *s = ctx;
  switch (k) {
    case 0: write_uncertainty(o, s); break;
    case 1: write_indices(o, s); break;
    case 2: write_points(o, s); break;
    case 3: write_md(o, s); break;
    default: write_tex(o, s); break;
  }
  return OSQ_OK;
}

/* ---- tornado charts ---- */

static int write_tornado(const char *dir, const osq_sensitivity_t *s, int q, osq_error_t *err) {
  int order[64];
  rank_inputs(s, q, order);
  const char *labels[64];
  double v[64], lo[64], hi[64], inner[64];
  for (int k = 0; k < s->d; k++) {
    const osq_index_cell_t *c = &s->index[(size_t)q * s->d + (size_t)order[k]];
    labels[k] = s->input_key[order[k]];
    v[k] = s->morris ? c->mu_star : c->st;
    lo[k] = s->morris ? NAN : c->st_lo;
    hi[k] = s->morris ? NAN : c->st_hi;
    inner[k] = s->morris ? NAN : c->s1;
  }
  char path[1200], title[256], subtitle[512];
  snprintf(path, sizeof path, "%s/tornado_%s.png", dir, s->out[q].name);
  snprintf(title, sizeof title, "What drives %s", s->out[q].what);
  if (s->morris)
    snprintf(subtitle, sizeof subtitle, "Morris, %" PRId64 " trajectories x %" PRId64 " trials; study %s; osq %s%s",
             s->rows_done, s->trials, s->name, s->version, s->partial ? " (partial)" : "");
  else
    snprintf(subtitle, sizeof subtitle, "Sobol indices, N = %" PRId64 " base rows x %" PRId64 " trials, CI from %d "
             "bootstrap resamples; study %s; osq %s%s", s->rows_done, s->trials, s->bootstrap, s->name, s->version,
             s->partial ? " (partial)" : "");
  const osq_plot_tornado_t t = {
      .labels = labels, .n = s->d, .value = v, .lo = s->morris ? NULL : lo, .hi = s->morris ? NULL : hi,
      .inner = s->morris ? NULL : inner,
      .value_label = s->morris ? "mu*: mean |elementary effect| over the input's range" : "total effect ST",
      .inner_label = "first order S1", .whisker_label = "95 % CI of ST", .title = title, .subtitle = subtitle,
      .x_label = s->morris ? "mu* (output units)" : "share of the output's variance over the inputs",
      .x_max = s->morris ? 0.0 : 1.0};
  return osq_plot_tornado(path, &t, err);
}

int osq_sensitivity_check_dir(const char *dir, osq_error_t *err) { return osq__set_check(dir, FILES, N_FILES, err); }

int osq_sensitivity_write(const char *dir, unsigned formats, const osq_sensitivity_t *s, bool force,
                          osq_error_t *err) {
  if (s->d < 1 || s->d > 64 || s->n_outputs < 1)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "a study of %d inputs and %d outputs", s->d, s->n_outputs);
  const unsigned fmt = OSQ_FMT_CSV | (formats & (OSQ_FMT_MD | OSQ_FMT_TEX));
  int rc = osq__write_set(dir, FILES, N_FILES, fmt, force, write_one, s, err);
  for (int q = 0; rc == OSQ_OK && q < s->n_outputs; q++) rc = write_tornado(dir, s, q, err);
  return rc;
}
