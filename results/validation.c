/* validation.c owns the result files of `osq validate` (see validation.h). */
#include "results/validation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/internal.h"
#include "results/plot.h"

static const osq__set_file_t FILES[] = {{"validation.csv", OSQ_FMT_CSV}, {"validation.md", OSQ_FMT_MD}};
#define N_FILES (sizeof FILES / sizeof FILES[0])

static const char *within_word(int w) { return w > 0 ? "yes" : w == 0 ? "no" : "skipped"; }

static int write_csv(osq__out_t *o, const osq_validation_t *v) {
  osq__outs(o, OSQ_VALIDATION_HEADER "\n");
  for (int i = 0; i < v->n_rows; i++) {
    const osq_validation_row_t *r = &v->rows[i];
    osq__csv_field(o, r->id);
    osq__outc(o, ',');
    osq__csv_field(o, r->period);
    osq__outc(o, ',');
    osq__csv_field(o, r->quantity);
    osq__outc(o, ',');
    osq__csv_field(o, r->party);
    osq__csv_num(o, r->history);
    osq__outc(o, ',');
    osq__csv_field(o, r->kind);
    osq__outc(o, ',');
    osq__csv_field(o, r->tolerance);
    const double nums[] = {r->mean, r->ci95_lo, r->ci95_hi, r->p05, r->p95};
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
      if (r->within < 0) osq__outc(o, ',');
      else osq__csv_num(o, nums[k]);
    }
    osq__outc(o, ',');
    osq__csv_field(o, within_word(r->within));
    osq__outc(o, ',');
    osq__csv_field(o, r->source);
    osq__outc(o, '\n');
  }
  return OSQ_OK;
}

/* The tally: figures within tolerance of those simulated, and of those kept out of every fit. */
static void tally(const osq_validation_t *v, int *in, int *n, int *in_check, int *n_check, int *skipped) {
  *in = *n = *in_check = *n_check = *skipped = 0;
  for (int i = 0; i < v->n_rows; i++) {
    const osq_validation_row_t *r = &v->rows[i];
    if (r->within < 0) {
      (*skipped)++;
      continue;
    }
    (*n)++;
    *in += r->within;
    if (r->use && strcmp(r->use, "check") == 0) {
      (*n_check)++;
      *in_check += r->within;
    }
  }
}

static void md_row(osq__out_t *o, const osq_validation_row_t *r) {
  osq__outs(o, "| ");
  osq__md_code(o, r->id);
  osq__outs(o, " | ");
  osq__md_text(o, r->period);
  osq__outs(o, " | ");
  osq__md_text(o, r->quantity);
  osq__outs(o, " | ");
  osq__md_text(o, r->party);
  osq__outs(o, " | ");
  osq__md_num(o, r->history);
  osq__outs(o, " (");
  osq__md_text(o, r->kind);
  osq__outs(o, ", ±");
  osq__md_text(o, r->tolerance);
  osq__outs(o, ") | ");
  osq__md_num(o, r->mean);
  osq__outs(o, " | ");
  osq__md_num(o, r->p05);
  osq__outs(o, " – ");
  osq__md_num(o, r->p95);
  osq__outs(o, " | ");
  osq__outs(o, within_word(r->within));
  osq__outs(o, " | ");
  osq__md_text(o, r->use ? r->use : "");
  osq__outs(o, " |\n");
}

static int write_md(osq__out_t *o, const osq_validation_t *v) {
  int in, n, in_check, n_check, skipped;
  tally(v, &in, &n, &in_check, &n_check, &skipped);
  osq__outs(o, "# Validation against recorded figures\n\n");
  osq__outs(o, "- ");
  osq__md_run_facts(o, v->hdr, "scenario ");
  osq__outs(o, "\n- history: ");
  osq__md_code(o, v->history_path);
  osq__outf(o, "\n\n**%d of %d figures within tolerance** (%d of %d of those kept out of every fit); %d outside "
            "the simulated years skipped. A figure is within tolerance when its recorded value, widened by its "
            "tolerance, meets the model's 90 %% band (p05–p95 over trials); an `at_least` figure when the band "
            "reaches it, an `at_most` one when the band comes down to it.\n\n",
            in, n, in_check, n_check, skipped);
  osq__outs(o, "| id | period | quantity | party | history | model mean | model p05 – p95 | within | use |\n");
  osq__outs(o, "|:---|:---|:---|:---|---:|---:|---:|:---|:---|\n");
  for (int pass = 0; pass < 2; pass++) /* the misses first */
    for (int i = 0; i < v->n_rows; i++)
      if (v->rows[i].within == (pass == 0 ? 0 : 1)) md_row(o, &v->rows[i]);
  return OSQ_OK;
}

static int write_one(osq__out_t *o, size_t k, const void *ctx, osq_error_t *err) {
  (void)err;
  return k == 0 ? write_csv(o, ctx) : write_md(o, ctx);
}

int osq_validation_check_dir(const char *dir, osq_error_t *err) { return osq__set_check(dir, FILES, N_FILES, err); }

static int write_chart(const char *dir, const osq_validation_t *v, osq_error_t *err) {
  const int n = v->n_years;
  int *years = malloc(sizeof *years * (size_t)n);
  double *buf = malloc(sizeof *buf * (size_t)n * 4);
  if (!years || !buf) {
    free(years);
    free(buf);
    return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  }
  double *mean = buf, *lo = buf + n, *hi = buf + 2 * n, *rec = buf + 3 * n;
  for (int i = 0; i < n; i++) {
    years[i] = v->years[i].year;
    mean[i] = v->years[i].mean;
    lo[i] = v->years[i].p05;
    hi[i] = v->years[i].p95;
    rec[i] = v->years[i].recorded;
  }
  const osq_plot_series_t s[2] = {{.name = "model: mean of trials", .y = mean, .lo = lo, .hi = hi},
                                  {.name = "recorded (data/history.csv)", .y = rec}};
  char path[1200], subtitle[256];
  snprintf(path, sizeof path, "%s/validation.png", dir);
  snprintf(subtitle, sizeof subtitle, "scenario %s, %lld trials, seed %llu; osq %s", v->hdr->scenario_name,
           (long long)v->hdr->trials_done, (unsigned long long)v->hdr->seed, v->hdr->version);
  const osq_plot_lines_t c = {.years = years, .n = n, .series = s, .n_series = 2,
                              .title = "Completed observation flights a year: model and record",
                              .subtitle = subtitle, .x_label = "year", .y_label = "completed flights",
                              .band_label = "90 % of trials (p05-p95)"};
  const int rc = osq_plot_lines(path, &c, err);
  free(years);
  free(buf);
  return rc;
}

int osq_validation_write(const char *dir, const osq_validation_t *v, bool force, osq_error_t *err) {
  int rc = osq__write_set(dir, FILES, N_FILES, OSQ_FMT_CSV | OSQ_FMT_MD, force, write_one, v, err);
  if (rc == OSQ_OK && v->n_years >= 2) rc = write_chart(dir, v, err);
  return rc;
}
