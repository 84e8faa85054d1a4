/*
 * run_sensitivity.c owns `osq sensitivity` on the engine: a study is several parameter points per
 * trial index, several scenarios per point, each scenario at each point over the same trials of
 * the same seed, so that the differences between scenarios are paired (as in osq compare) and the
 * differences between points are the inputs' effect, not noise (common random numbers).
 *
 *   prepare:  the study's copy of each scenario (its seed, trials, block size, geography trials);
 *             one raster for all, each scenario's world, caps and slots (the central point); the
 *             outputs resolved to slots; the design; one workspace per thread and scenario
 *   points:   one after another, each with a scenario copy holding the point's values, its caps
 *             and a view of its scenario's world (a world of its own if the point changes what a
 *             world is built from), its trials run by the wave driver: each block's Welford record
 *             of every output, from its trials in index order, merged in block order
 *   finish:   each point's outputs; the spread over the sample points, the Sobol indices or the
 *             Morris effects; the checkpoint of an interrupted study
 *
 * Points run one after another rather than interleaved within a trial: a point's set-up (a
 * scenario copy, its caps, a world view) is then made once and held once, and the waves of one
 * point balance over the threads as a run's do. The results do not depend on the order: every
 * point's records are a function of its trials alone.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine/memory.h"
#include "sim/engine/mpi.h"
#include "sim/engine/run.h"
#include "sim/engine/trial.h"
#include "sim/engine/waves.h"

/* One scenario of the study. */
typedef struct {
  osq_scenario_t base;      /* the study's copy: its seed, trials, block size, geography trials */
  osq_trial_prep_t prep;    /* at the central point; its geography is every point's */
  osq_trial_ws_t *ws;       /* [threads] */
  osq_scenario_t point;     /* the point under way's copy, with the point's values */
  osq_trial_prep_t pprep;   /* its preparation */
  osq_trial_ws_t *pws;      /* [threads] a point with a world of its own needs its own, else NULL */
} scen_t;

/* An output as slots: value = (s >= 0 ? v[k][s] : 0) - (km >= 0 ? (sm >= 0 ? v[km][sm] : 0) : 0). */
typedef struct {
  int k, s, km, sm;
} out_ref_t;

typedef struct {
  const osq_study_t *st;
  const osq_study_opts_t *o;
  int K, d, n_out, threads;
  int64_t trials, n_points, bpp; /* blocks per point */
  scen_t *sc;                 /* [K] */
  out_ref_t *ref;             /* [n_out] */
  int max_s;
  double *vals;               /* [threads][K][max_s] each slot's value in the current trial */
  double *u, *x;              /* [n_points][d] */
  int *moved;                 /* [n_points] */
  osq_welford_t *rec;         /* [n_points][n_out] merged records (rank 0) */
  int64_t cur;                /* the point under way */
  double point_setup;         /* seconds of the points' own set-up */
} study_t;

/* ---- the waves' job: one trial of every scenario at the current point ---- */

static int study_block(void *ctx, int tid, int64_t b, int64_t t0, int64_t t1, void *rec_) {
  (void)b;
  study_t *s = ctx;
  osq_welford_t *rec = rec_;
  double *v = s->vals + (size_t)tid * s->K * s->max_s;
  for (int64_t t = t0; t < t1; t++) {
    for (int k = 0; k < s->K; k++) {
      scen_t *c = &s->sc[k];
      osq_trial_ws_t *ws = c->pws ? &c->pws[tid] : &c->ws[tid];
      const int rc = osq_trial_run(&c->pprep, t, ws, NULL, v + (size_t)k * s->max_s, NULL);
      if (rc) return rc;
    }
    for (int q = 0; q < s->n_out; q++) {
      const out_ref_t *r = &s->ref[q];
      const double a = r->s >= 0 ? v[(size_t)r->k * s->max_s + (size_t)r->s] : 0.0;
      const double m = r->km < 0 ? 0.0 : r->sm >= 0 ? v[(size_t)r->km * s->max_s + (size_t)r->sm] : 0.0;
      const double x = a - m;
      if (!isnan(x)) osq_welford_add(&rec[q], x); /* undefined this trial (no geography): n counts the rest */
    }
  }
  return OSQ_OK;
}

static void study_merge(void *ctx, int64_t b, const void *rec_) {
  (void)b;
  study_t *s = ctx;
  const osq_welford_t *rec = rec_;
  osq_welford_t *tot = s->rec + (size_t)s->cur * s->n_out;
  for (int q = 0; q < s->n_out; q++) osq_welford_merge(&tot[q], &rec[q]);
}

static void study_progress(void *ctx, int64_t done, int64_t total) {
  (void)total;
  const study_t *s = ctx;
  s->o->progress(s->o->progress_ctx, s->cur * s->trials + done, s->n_points * s->trials);
}

/* ---- outputs ---- */

static int find_slot(const osq_trial_prep_t *p, const osq_study_output_t *o, int metric, int year_idx) {
  for (int s = 0; s < p->slots.n; s++) {
    const osq_slot_t *sl = &p->slots.slot[s];
    if (sl->year_idx == year_idx && sl->metric == metric && strcmp(osq_slot_party(sl, &p->sc->treaty), o->party) == 0)
      return s;
  }
  return -1;
}

/* Each output's slots, or a message at its line: a metric that is not one, a row that no scenario
 * has, a row without a value where a scenario lacks it. */
static int resolve_outputs(study_t *s, osq_error_t *err) {
  const osq_study_t *st = s->st;
  char names[512] = "";
  for (int m = 0; m < OSQ_M_COUNT; m++)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", m ? ", " : "", osq_slot_metric_name(m));
  for (int q = 0; q < s->n_out; q++) {
    const osq_study_output_t *o = &st->output[q];
    int metric = -1;
    for (int m = 0; m < OSQ_M_COUNT; m++)
      if (strcmp(o->metric, osq_slot_metric_name(m)) == 0) metric = m;
    if (metric < 0) {
      osq_error_add(err, OSQ_ECONFIG, st->path, o->metric_line, "outputs[%d].metric = \"%s\" is not a metric (expected "
                    "one of %s)", q, o->metric, names);
      continue;
    }
    out_ref_t *r = &s->ref[q];
    r->k = o->scenario;
    r->km = o->minus;
    r->s = find_slot(&s->sc[r->k].prep, o, metric, o->year_idx);
    r->sm = r->km >= 0 ? find_slot(&s->sc[r->km].prep, o, metric, o->year_idx) : -1;
    const char *sn = st->sc[r->k]->name, *mn = r->km >= 0 ? st->sc[r->km]->name : "";
    const int year = s->sc[r->k].base.first_year + o->year_idx;
    const bool no_zero = metric == OSQ_M_REVISIT_DAYS || metric == OSQ_M_DYAD_DENSITY;
    if (r->km < 0 && r->s < 0)
      osq_error_add(err, OSQ_ECONFIG, st->path, o->line, "outputs[%d]: \"%s\" has no row %s %s in %d (expected a "
                    "party in force that year, and geography for a coverage metric)", q, sn, o->metric, o->party, year);
    else if (r->km >= 0 && r->s < 0 && r->sm < 0)
      osq_error_add(err, OSQ_ECONFIG, st->path, o->line, "outputs[%d]: neither \"%s\" nor \"%s\" has a row %s %s "
                    "(expected a row of at least one of them)", q, sn, mn, o->metric, o->party);
    else if (r->km >= 0 && (r->s < 0 || r->sm < 0) && no_zero)
      osq_error_add(err, OSQ_ECONFIG, st->path, o->line, "outputs[%d]: \"%s\" has no row %s %s, and a %s that is "
                    "missing has no value (expected a row of both scenarios)", q, r->s < 0 ? sn : mn, o->metric,
                    o->party, o->metric);
  }
  return err->code ? OSQ_ECONFIG : OSQ_OK;
}

/* ---- prepare ---- */

static int prepare_scenarios(study_t *s, osq_error_t *err) {
  const osq_study_t *st = s->st;
  for (int k = 0; k < s->K; k++) {
    scen_t *c = &s->sc[k];
    memcpy(&c->base, st->sc[k], sizeof c->base);
    c->base.seed = st->seed;
    c->base.trials = st->trials;
    c->base.block_size = st->block_size;
    c->base.geo.trials = st->geo_trials;
    c->base.map = false;
  }
  const osq_scenario_t *scs[OSQ_STUDY_SCENARIOS_MAX];
  for (int k = 0; k < s->K; k++) scs[k] = &s->sc[k].base;
  const int64_t extra = (int64_t)s->n_points * (int64_t)(2 * s->d * 8 + 4 + s->n_out * 48) +
                        (int64_t)s->K * (int64_t)sizeof(osq_scenario_t);
  int rc = osq_memory_check_study(scs, s->K, s->threads, extra, err);
  for (int k = 0; rc == OSQ_OK && k < s->K; k++) {
    scen_t *c = &s->sc[k];
    osq_geo_setup_t geo;
    /* one raster for the whole study: the first scenario's */
    rc = k == 0 ? osq_geo_setup(&c->base, &geo, err) : osq_geo_setup_shared(&c->base, &s->sc[0].prep.geo, &geo, err);
    if (rc == OSQ_OK) rc = osq_trial_prep_init_geo(&c->prep, &c->base, s->trials, false, &geo, err);
    if (rc != OSQ_OK) break;
    c->ws = osq_trial_ws_array_alloc(s->threads);
    if (!c->ws) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
    for (int t = 0; t < s->threads; t++)
      if (!osq_trial_ws_init(&c->ws[t], &c->prep, 0)) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
    if (c->prep.slots.n > s->max_s) s->max_s = c->prep.slots.n;
  }
  return rc;
}

static int prepare(study_t *s, osq_error_t *err) {
  const osq_study_t *st = s->st;
  const size_t P = (size_t)s->n_points, D = (size_t)s->d;
  s->sc = calloc((size_t)s->K, sizeof *s->sc);
  s->ref = calloc((size_t)s->n_out, sizeof *s->ref);
  s->u = malloc(sizeof *s->u * P * D);
  s->x = malloc(sizeof *s->x * P * D);
  s->moved = malloc(sizeof *s->moved * P);
  s->rec = calloc(P * (size_t)s->n_out, sizeof *s->rec);
  if (!s->sc || !s->ref || !s->u || !s->x || !s->moved || !s->rec)
    return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for a design of %lld points", (long long)P);
  int rc = prepare_scenarios(s, err);
  if (rc == OSQ_OK) rc = resolve_outputs(s, err);
  if (rc != OSQ_OK) return rc;
  s->vals = malloc(sizeof *s->vals * (size_t)s->threads * (size_t)s->K * (size_t)s->max_s + 1);
  if (!s->vals) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  rc = osq_design_build(st->method, st->points, s->d, st->levels, st->seed, s->u, s->moved);
  if (rc != OSQ_OK) return osq_error_add(err, rc, NULL, 0, "cannot build the design: %s", osq_strerror(rc));
  for (int i = 0; i < s->d; i++) {
    double v = NAN;
    osq_scenario_get_number(&s->sc[0].base, st->input[i].key, &v, err);
    s->x[i] = v;
  }
  for (size_t p = 1; p < P; p++)
    for (size_t i = 0; i < D; i++) s->x[p * D + i] = osq_dist_quantile(&st->input[i].dist, s->u[p * D + i]);
  return OSQ_OK;
}

/* ---- one point ---- */

static void point_release(study_t *s) {
  for (int k = 0; k < s->K; k++) {
    scen_t *c = &s->sc[k];
    for (int t = 0; c->pws && t < s->threads; t++) osq_trial_ws_free(&c->pws[t]);
    free(c->pws);
    c->pws = NULL;
    osq_trial_prep_free(&c->pprep);
  }
}

/* Every scenario at point p: its copy with the point's values (none at the central point), its
 * caps and slots, its world. */
static int point_prepare(study_t *s, int64_t p, osq_error_t *err) {
  const osq_study_t *st = s->st;
  const double t0 = omp_get_wtime();
  int rc = OSQ_OK;
  for (int k = 0; rc == OSQ_OK && k < s->K; k++) {
    scen_t *c = &s->sc[k];
    memcpy(&c->point, &c->base, sizeof c->point);
    for (int i = 0; p > 0 && rc == OSQ_OK && i < s->d; i++) {
      rc = osq_scenario_set_number(&c->point, st->input[i].key, s->x[(size_t)p * s->d + (size_t)i], err);
      if (rc != OSQ_OK) rc = osq_error_add(err, OSQ_EINVAL, st->path, st->input[i].line, "inputs[%d]: point %lld "
                                           "cannot be set in %s", i, (long long)p, c->base.name);
    }
    osq_geo_setup_t geo;
    bool own = false;
    if (rc == OSQ_OK) rc = osq_geo_setup_point(&c->point, &c->prep.geo, &geo, &own, err);
    if (rc == OSQ_OK) rc = osq_trial_prep_init_geo(&c->pprep, &c->point, s->trials, false, &geo, err);
    if (rc == OSQ_OK && c->pprep.slots.n != c->prep.slots.n)
      rc = osq_error_add(err, OSQ_EINVAL, st->path, 0, "point %lld changes the rows of %s (expected inputs that "
                         "leave who is a party as it is)", (long long)p, c->base.name);
    if (rc == OSQ_OK && own) {
      c->pws = osq_trial_ws_array_alloc(s->threads);
      for (int t = 0; c->pws && t < s->threads && rc == OSQ_OK; t++)
        if (!osq_trial_ws_init(&c->pws[t], &c->pprep, 0)) rc = OSQ_ENOMEM;
      if (!c->pws || rc != OSQ_OK) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
    }
  }
  s->point_setup += omp_get_wtime() - t0;
  return rc;
}

/* ---- the points ---- */

typedef struct {
  int64_t points_done, blocks_done;
  bool partial;
  double seconds;
  int64_t points_run;
} loop_out_t;

static bool agree_stop(const study_t *s, int64_t blocks_done) {
  const int64_t n = s->o->stop_after_blocks;
  const bool want = (s->o->stop && *s->o->stop) || (n > 0 && blocks_done >= n);
  return osq_mpi_max_int(want ? 1 : 0) != 0;
}

static int run_points(study_t *s, int64_t first_point, int64_t first_block, loop_out_t *lo, osq_error_t *err) {
  const osq_waves_job_t job = {.rec_size = sizeof(osq_welford_t) * (size_t)s->n_out, .run_block = study_block,
                               .merge_block = study_merge, .ctx = s};
  lo->points_done = first_point;
  lo->blocks_done = first_block;
  int rc = OSQ_OK;
  for (int64_t p = first_point; rc == OSQ_OK && p < s->n_points; p++) {
    const int64_t before = p * s->bpp + (p == first_point ? first_block : 0);
    if (p > first_point && agree_stop(s, before)) { /* between points: whole points are done */
      lo->partial = true;
      break;
    }
    s->cur = p;
    const double t0 = omp_get_wtime();
    rc = osq_mpi_agree(point_prepare(s, p, err), err);
    osq_waves_result_t w;
    if (rc == OSQ_OK) {
      const int64_t n = s->o->stop_after_blocks, left = n > 0 ? n - p * s->bpp : 0;
      const osq_waves_spec_t spec = {.trials = s->trials, .block_size = s->st->block_size, .threads = s->threads,
                                     .first_block = p == first_point ? first_block : 0,
                                     .progress = s->o->progress ? study_progress : NULL, .progress_ctx = s,
                                     .stop = s->o->stop, .stop_after_blocks = n > 0 ? (left > 0 ? left : 1) : 0};
      rc = osq_waves_run(&job, &spec, &w, err);
    }
    point_release(s);
    lo->seconds += omp_get_wtime() - t0;
    if (rc != OSQ_OK) break;
    lo->points_run++;
    if (w.partial) {
      lo->points_done = p;
      lo->blocks_done = w.blocks_done;
      lo->partial = true;
      break;
    }
    lo->points_done = p + 1;
    lo->blocks_done = 0;
  }
  return rc;
}

/* ---- finish (rank 0) ---- */

static int summarise(const study_t *s, osq_study_result_t *r) {
  const osq_study_t *st = s->st;
  const int64_t P = s->n_points;
  const int d = s->d, n_out = s->n_out, per = osq_design_row_points(st->method, d);
  r->rows_done = r->points_done > 0 ? (r->points_done - 1) / per : 0;
  double *f = malloc(sizeof *f * (size_t)P), *sample = malloc(sizeof *sample * (size_t)P);
  int rc = f && sample ? OSQ_OK : OSQ_ENOMEM;
  for (int q = 0; rc == OSQ_OK && q < n_out; q++) {
    for (int64_t p = 0; p < P; p++) f[p] = r->value[(size_t)p * n_out + (size_t)q];
    int64_t n = 0;
    for (int64_t p = 1; p < r->points_done; p++)
      if (osq_design_is_sample(st->method, d, p)) sample[n++] = f[p];
    rc = osq_spread(sample, n, &r->spread[q]);
    if (rc == OSQ_OK && st->method == OSQ_METHOD_SOBOL)
      rc = osq_sobol_indices(f, r->rows_done, d, st->bootstrap, st->seed, &r->sobol[(size_t)q * d]);
    if (rc == OSQ_OK && st->method == OSQ_METHOD_MORRIS)
      osq_morris_effects(f, r->u, r->moved, r->rows_done, d, &r->morris[(size_t)q * d]);
  }
  free(f);
  free(sample);
  return rc;
}

static int finish(study_t *s, const loop_out_t *lo, osq_study_result_t *r, osq_error_t *err) {
  const size_t P = (size_t)s->n_points, D = (size_t)s->d, Q = (size_t)s->n_out;
  r->n_points = s->n_points;
  r->points_done = lo->points_done;
  r->d = s->d;
  r->n_outputs = s->n_out;
  r->partial = lo->partial;
  r->u = malloc(sizeof *r->u * P * D);
  r->x = malloc(sizeof *r->x * P * D);
  r->moved = malloc(sizeof *r->moved * P);
  r->value = malloc(sizeof *r->value * P * Q);
  r->se = malloc(sizeof *r->se * P * Q);
  r->central = calloc(Q, sizeof *r->central);
  r->spread = calloc(Q, sizeof *r->spread);
  r->sobol = calloc(Q * D, sizeof *r->sobol);
  r->morris = calloc(Q * D, sizeof *r->morris);
  if (!r->u || !r->x || !r->moved || !r->value || !r->se || !r->central || !r->spread || !r->sobol || !r->morris)
    return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  memcpy(r->u, s->u, sizeof *r->u * P * D);
  memcpy(r->x, s->x, sizeof *r->x * P * D);
  memcpy(r->moved, s->moved, sizeof *r->moved * P);
  for (size_t p = 0; p < P; p++)
    for (size_t q = 0; q < Q; q++) {
      const osq_welford_t *w = &s->rec[p * Q + q];
      const bool done = (int64_t)p < lo->points_done && w->n > 0;
      r->value[p * Q + q] = done ? w->mean : NAN;
      r->se[p * Q + q] = done ? osq_welford_se(w) : NAN;
    }
  for (size_t q = 0; q < Q; q++) {
    if (lo->points_done > 0) osq_summarize(&s->rec[q], NULL, &r->central[q]);
    else r->central[q] = (osq_summary_t){.mean = NAN, .ci95_lo = NAN, .ci95_hi = NAN, .p05 = NAN, .p50 = NAN, .p95 = NAN};
  }
  if (summarise(s, r) != OSQ_OK) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  if (!lo->partial) return OSQ_OK;
  osq_study_ckpt_t *ck = osq_study_ckpt_alloc(lo->points_done, s->n_out);
  if (!ck) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for the study checkpoint");
  const osq_study_t *st = s->st;
  snprintf(ck->version, sizeof ck->version, "%s", OSQ_VERSION);
  snprintf(ck->study_hash, sizeof ck->study_hash, "%s", st->hash);
  ck->seed = st->seed;
  ck->trials = st->trials;
  ck->block_size = st->block_size;
  ck->geo_trials = st->geo_trials;
  ck->method = (int)st->method;
  ck->rows = st->points;
  ck->n_inputs = s->d;
  ck->blocks_done = lo->blocks_done;
  ck->loop_seconds = r->loop_seconds;
  memcpy(ck->rec, s->rec, sizeof *ck->rec * (size_t)(lo->points_done + 1) * Q);
  r->checkpoint = ck;
  return OSQ_OK;
}

static void study_free(study_t *s) {
  for (int k = 0; s->sc && k < s->K; k++) {
    scen_t *c = &s->sc[k];
    for (int t = 0; c->ws && t < s->threads; t++) osq_trial_ws_free(&c->ws[t]);
    free(c->ws);
  }
  /* the points' geography shares the scenarios': freed first; the first scenario's raster last */
  if (s->sc) point_release(s);
  for (int k = s->K - 1; s->sc && k >= 0; k--) osq_trial_prep_free(&s->sc[k].prep);
  free(s->sc);
  free(s->ref);
  free(s->vals);
  free(s->u);
  free(s->x);
  free(s->moved);
  free(s->rec);
}

/* Resume (rank 0 holds the checkpoint; every rank learns where it ends). */
static void resume_at(study_t *s, int64_t *first_point, int64_t *first_block, double *seconds) {
  const osq_study_ckpt_t *ck = osq_mpi_root() ? s->o->resume : NULL;
  uint64_t at[2] = {ck ? (uint64_t)ck->points_done : 0, ck ? (uint64_t)ck->blocks_done : 0};
  osq_mpi_allsum_u64(at, 2);
  *first_point = (int64_t)at[0];
  *first_block = (int64_t)at[1];
  *seconds = ck ? ck->loop_seconds : 0.0;
  if (ck) memcpy(s->rec, ck->rec, sizeof *s->rec * (size_t)(ck->points_done + 1) * (size_t)s->n_out);
}

int osq_run_sensitivity(const osq_study_t *st, const osq_study_opts_t *o, osq_study_result_t **out, osq_error_t *err) {
  static const osq_study_opts_t none;
  *out = NULL;
  if (!o) o = &none;
  const double t_setup = omp_get_wtime();
  study_t s = {.st = st, .o = o, .K = st->n_scenarios, .d = st->n_inputs, .n_out = st->n_outputs, .trials = st->trials};
  s.threads = st->threads > 0 ? st->threads : omp_get_max_threads();
  if (s.threads < 1) s.threads = 1;
  s.n_points = osq_study_n_points(st);
  s.bpp = (st->trials + st->block_size - 1) / st->block_size;
  osq_study_result_t *r = calloc(1, sizeof *r);
  int rc = r ? prepare(&s, err) : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  rc = osq_mpi_agree(rc, err); /* a set-up that failed on any rank stops every rank */
  const double setup_seconds = omp_get_wtime() - t_setup;
  loop_out_t lo = {0};
  double resumed = 0.0;
  if (rc == OSQ_OK) {
    int64_t p0, b0;
    resume_at(&s, &p0, &b0, &resumed);
    rc = run_points(&s, p0, b0, &lo, err);
  }
  /* the job's times: the slowest rank's (collective, so on every rank whatever happened) */
  const double setup_max = osq_mpi_max_double(setup_seconds), loop_max = osq_mpi_max_double(lo.seconds);
  const double point_setup_max = osq_mpi_max_double(s.point_setup);
  if (r) {
    r->threads = s.threads;
    r->ranks = osq_mpi_size();
    r->setup_seconds = setup_max;
    r->loop_seconds = loop_max + resumed;
    r->points_run = lo.points_run;
    r->point_setup_seconds = point_setup_max;
  }
  if (rc == OSQ_OK && osq_mpi_root()) rc = finish(&s, &lo, r, err);
  rc = osq_mpi_agree(rc, err); /* rank 0 alone summarised: its outcome is every rank's */
  study_free(&s);
  if (rc != OSQ_OK || !osq_mpi_root()) {
    osq_study_result_free(r);
    return rc;
  }
  *out = r;
  return OSQ_OK;
}

void osq_study_result_free(osq_study_result_t *r) {
  if (!r) return;
  free(r->u);
  free(r->x);
  free(r->moved);
  free(r->value);
  free(r->se);
  free(r->central);
  free(r->spread);
  free(r->sobol);
  free(r->morris);
  osq_study_ckpt_free(r->checkpoint);
  free(r);
}
