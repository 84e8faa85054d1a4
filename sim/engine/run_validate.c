/*
 * run_validate.c owns `osq validate` on the engine: the scenario's trials (without geography: no
 * recorded figure is about coverage) with a per-year hook that adds each simulated year to the
 * recorded figures it touches (models/figures.h), so that every trial gives a value of every figure.
 * A block's record holds one Welford record per figure; the threads' histograms give the 90 %
 * band. Besides the history's figures, one figure per simulated year counts its flights, for the
 * chart. The verification hash sums, over trials, a digest of every figure's value in the trial.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine/mpi.h"
#include "sim/engine/run.h"
#include "sim/engine/trial.h"
#include "sim/engine/waves.h"
#include "sim/input/hash.h"

/* One thread's figure sums and histograms. */
typedef struct {
  osq_figure_acc_t *acc; /* [F] */
  osq_hist_t *hists;     /* [F] */
  struct val_s *v;       /* back to the run, for the hook */
} val_thread_t;

typedef struct val_s {
  osq_scenario_t sc;     /* the scenario without geography */
  osq_trial_prep_t prep;
  osq_figure_t *fig;     /* [F]: the simulated history rows, then one per year */
  int *row_of;           /* [F]: the history row of a figure, -1 for a year's */
  int F, n_hist;
  int **by_year;         /* [n_years][...]: the figures each year touches, -1 ended */
  osq_trial_ws_t *ws;    /* [threads] */
  val_thread_t *th;      /* [threads] */
  osq_welford_t *total;  /* [F] */
  int threads;
} val_t;

/* ---- the trial ---- */

static void val_year(void *ctx, int64_t trial, int year_idx, const osq_year_t *y, const osq_metrics_t *m,
                     const osq_flight_geo_t *fg) {
  (void)trial;
  (void)fg;
  val_thread_t *th = ctx;
  for (const int *f = th->v->by_year[year_idx]; *f >= 0; f++)
    osq_figure_add_year_counted(&th->v->fig[*f], y, m, &th->acc[*f]);
}

static int val_block(void *ctx, int tid, int64_t b, int64_t t0, int64_t t1, void *rec_) {
  (void)b;
  val_t *v = ctx;
  val_thread_t *th = &v->th[tid];
  osq_welford_t *rec = rec_;
  const osq_trial_hook_t hook = {.year = val_year, .ctx = th};
  for (int64_t t = t0; t < t1; t++) {
    for (int f = 0; f < v->F; f++) osq_figure_reset(&th->acc[f]);
    const int rc = osq_trial_run(&v->prep, t, &v->ws[tid], NULL, NULL, &hook);
    if (rc) return rc;
    osq_digest_t dg;
    osq_digest_init(&dg);
    for (int f = 0; f < v->F; f++) {
      const double x = osq_figure_value(&v->fig[f], &th->acc[f]);
      osq_digest_double(&dg, x);
      if (isnan(x)) continue;
      osq_welford_add(&rec[f], x);
      osq_hist_add(&th->hists[f], x);
    }
    v->ws[tid].hash += osq_hash_trial((uint64_t)t, dg.h);
  }
  return OSQ_OK;
}

static void val_merge(void *ctx, int64_t b, const void *rec_) {
  (void)b;
  val_t *v = ctx;
  const osq_welford_t *rec = rec_;
  for (int f = 0; f < v->F; f++) osq_welford_merge(&v->total[f], &rec[f]);
}

/* ---- prepare ---- */

/* The most a count of figure f can reach, from the caps of the years it spans. */
static double figure_max(const osq_trial_prep_t *p, const osq_figure_t *f) {
  double max = 0.0;
  for (int y = f->y0; y <= f->y1; y++) {
    const int k = y - p->sc->first_year;
    if (k < 0 || k >= p->n_years) continue;
    const osq_quota_caps_t *c = &p->caps[k];
    int all = 0, slots = 0;
    for (int j = 0; j < c->n_parties; j++) {
      all += c->passive_cap[j];
      slots += c->active_cap[j];
    }
    const int o = f->observer, t = f->observed;
    switch ((osq_quantity_t)f->quantity) {
      case OSQ_Q_FLIGHTS_OVER:
      case OSQ_Q_FLIGHTS_OVER_PER_YEAR: max += c->passive_cap[t]; break;
      case OSQ_Q_FLIGHTS_BY:
      case OSQ_Q_FLIGHTS_BY_PER_YEAR:
      case OSQ_Q_FLIGHTS_BY_TO_DATE: max += c->active_cap[o]; break;
      case OSQ_Q_DYAD:
      case OSQ_Q_DYAD_PER_YEAR: max += c->pair_cap[o][t]; break;
      case OSQ_Q_PLANNED:
        max += o >= 0 && t >= 0 ? c->pair_cap[o][t] : o >= 0 ? c->active_cap[o] : t >= 0 ? c->passive_cap[t] : all;
        break;
      case OSQ_Q_PLANNED_SLOTS: max += slots; break;
      default: max += all; break;
    }
  }
  return max;
}

/* Histogram bins of figure f: one per possible value (counts are integers; a per-year mean is a
 * multiple of 1 / years), 1,000 over [0, 1] for a share, one per party for a count of observers. */
static void figure_bins(const osq_trial_prep_t *p, const osq_figure_t *f, double *lo, double *w, int *nb) {
  if (f->quantity == OSQ_Q_SHARE_OVER) {
    *w = 0.001;
    *lo = -0.0005;
    *nb = 1001;
    return;
  }
  if (f->quantity == OSQ_Q_OBSERVERS_OF) {
    *w = 1.0;
    *lo = -0.5;
    *nb = p->n_parties + 1;
    return;
  }
  const bool per_year = f->quantity == OSQ_Q_FLIGHTS_PER_YEAR || f->quantity == OSQ_Q_FLIGHTS_OVER_PER_YEAR ||
                        f->quantity == OSQ_Q_FLIGHTS_BY_PER_YEAR || f->quantity == OSQ_Q_DYAD_PER_YEAR;
  const double years = per_year ? (double)(f->y1 - f->y0 + 1) : 1.0;
  *w = 1.0 / years;
  *lo = -0.5 * *w;
  *nb = (int)figure_max(p, f) + 1;
}

/* The figures: the history's rows within the simulated years, then each year's flights. */
static int make_figures(val_t *v, const osq_history_t *h, osq_error_t *err) {
  const int Y = v->prep.n_years;
  v->fig = calloc((size_t)h->n + (size_t)Y, sizeof *v->fig);
  v->row_of = calloc((size_t)h->n + (size_t)Y, sizeof *v->row_of);
  v->by_year = calloc((size_t)Y, sizeof *v->by_year);
  if (!v->fig || !v->row_of || !v->by_year) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int r = 0; r < h->n; r++)
    if (h->row[r].simulated) {
      v->row_of[v->F] = r;
      v->fig[v->F++] = h->row[r].fig;
    }
  v->n_hist = v->F;
  for (int y = 0; y < Y; y++) {
    const int year = v->sc.first_year + y;
    v->row_of[v->F] = -1;
    v->fig[v->F++] = (osq_figure_t){.quantity = OSQ_Q_FLIGHTS, .observer = -1, .observed = -1,
                                    .d0 = osq_date_from_ymd(year, 1, 1), .d1 = osq_date_from_ymd(year, 12, 31),
                                    .y0 = year, .y1 = year};
  }
  for (int y = 0; y < Y; y++) {
    const int year = v->sc.first_year + y;
    v->by_year[y] = malloc(sizeof **v->by_year * ((size_t)v->F + 1));
    if (!v->by_year[y]) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
    int k = 0;
    for (int f = 0; f < v->F; f++)
      if (v->fig[f].y0 <= year && v->fig[f].y1 >= year) v->by_year[y][k++] = f;
    v->by_year[y][k] = -1;
  }
  return OSQ_OK;
}

static osq_hist_t *hist_set(const val_t *v) {
  double *lo = malloc(sizeof(double) * (size_t)v->F), *w = malloc(sizeof(double) * (size_t)v->F);
  int *nb = malloc(sizeof(int) * (size_t)v->F);
  osq_hist_t *h = NULL;
  if (lo && w && nb) {
    for (int f = 0; f < v->F; f++) figure_bins(&v->prep, &v->fig[f], &lo[f], &w[f], &nb[f]);
    h = osq_hist_set_alloc(v->F, lo, w, nb);
  }
  free(lo);
  free(w);
  free(nb);
  return h;
}

static int prepare(val_t *v, const osq_history_t *h, int64_t trials, osq_error_t *err) {
  int rc = osq_trial_prep_init(&v->prep, &v->sc, trials, false, err);
  if (rc == OSQ_OK) rc = make_figures(v, h, err);
  if (rc != OSQ_OK) return rc;
  v->total = calloc((size_t)v->F, sizeof *v->total);
  v->ws = osq_trial_ws_array_alloc(v->threads);
  v->th = calloc((size_t)v->threads, sizeof *v->th);
  if (!v->total || !v->ws || !v->th) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int t = 0; t < v->threads; t++) {
    v->th[t].v = v;
    v->th[t].acc = calloc((size_t)v->F, sizeof *v->th[t].acc);
    v->th[t].hists = hist_set(v);
    if (!osq_trial_ws_init(&v->ws[t], &v->prep, 0) || !v->th[t].acc || !v->th[t].hists)
      return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  }
  return OSQ_OK;
}

static void val_free(val_t *v) {
  for (int t = 0; v->ws && t < v->threads; t++) osq_trial_ws_free(&v->ws[t]);
  for (int t = 0; v->th && t < v->threads; t++) {
    free(v->th[t].acc);
    osq_hist_free(v->th[t].hists);
  }
  for (int y = 0; v->by_year && y < v->prep.n_years; y++) free(v->by_year[y]);
  free(v->by_year);
  free(v->ws);
  free(v->th);
  free(v->total);
  free(v->fig);
  free(v->row_of);
  osq_trial_prep_free(&v->prep);
}

/* ---- finish ---- */

static int finish(val_t *v, const osq_history_t *h, const osq_waves_result_t *w, osq_validate_result_t *res,
                  osq_error_t *err) {
  for (int t = 1; t < v->threads; t++) osq_hist_set_merge(v->th[0].hists, v->th[t].hists, v->F);
  int rc = osq_trial_ws_reduce(v->ws, v->threads, &v->prep, NULL, err);
  res->hash = v->ws[0].hash;
  if (rc == OSQ_OK) rc = osq_trial_hist_reduce(v->th[0].hists, v->F, err);
  res->wall_seconds = osq_mpi_max_double(w->seconds); /* collective: before rank 0 goes its own way */
  if (rc != OSQ_OK || !osq_mpi_root()) return rc;
  const int Y = v->prep.n_years;
  res->n = h->n;
  res->n_years = Y;
  res->row = calloc((size_t)h->n, sizeof *res->row);
  res->year = calloc((size_t)Y, sizeof *res->year);
  if (!res->row || !res->year) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int r = 0; r < h->n; r++) res->row[r] = (osq_summary_t){.mean = NAN, .ci95_lo = NAN, .ci95_hi = NAN,
                                                               .p05 = NAN, .p50 = NAN, .p95 = NAN};
  for (int f = 0; f < v->F; f++) {
    osq_summary_t s;
    osq_summarize(&v->total[f], &v->th[0].hists[f], &s);
    if (v->row_of[f] >= 0) res->row[v->row_of[f]] = s;
    else res->year[f - v->n_hist] = s;
  }
  res->trials_done = w->trials_done;
  res->threads = v->threads;
  return OSQ_OK;
}

int osq_run_validate(const osq_scenario_t *sc, const osq_history_t *h, const osq_run_opts_t *opts,
                     osq_validate_result_t **out, osq_error_t *err) {
  static const osq_run_opts_t none;
  *out = NULL;
  if (!opts) opts = &none;
  val_t v;
  memset(&v, 0, sizeof v);
  v.sc = *sc;
  v.sc.geo.enabled = false;
  v.sc.map = false;
  const int64_t trials = opts->trials > 0 ? opts->trials : sc->trials;
  v.sc.trials = trials;
  v.threads = opts->threads > 0 ? opts->threads : sc->threads > 0 ? sc->threads : omp_get_max_threads();
  if (v.threads < 1) v.threads = 1;
  osq_validate_result_t *res = calloc(1, sizeof *res);
  int rc = res ? prepare(&v, h, trials, err) : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  rc = osq_mpi_agree(rc, err);
  osq_waves_result_t w;
  if (rc == OSQ_OK) {
    const osq_waves_job_t job = {.rec_size = sizeof(osq_welford_t) * (size_t)v.F, .run_block = val_block,
                                 .merge_block = val_merge, .ctx = &v};
    const osq_waves_spec_t spec = {.trials = trials, .block_size = sc->block_size, .threads = v.threads,
                                   .progress = opts->progress, .progress_ctx = opts->progress_ctx};
    rc = osq_waves_run(&job, &spec, &w, err);
  }
  if (rc == OSQ_OK) rc = finish(&v, h, &w, res, err);
  rc = osq_mpi_agree(rc, err);
  val_free(&v);
  if (rc != OSQ_OK || !osq_mpi_root()) { /* the result is rank 0's */
    osq_validate_result_free(res);
    return rc;
  }
  *out = res;
  return OSQ_OK;
}

void osq_validate_result_free(osq_validate_result_t *r) {
  if (!r) return;
  free(r->row);
  free(r->year);
  free(r);
}
