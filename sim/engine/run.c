/*
 * run.c owns `osq run` on the engine: one prepared scenario per trial (sim/engine/trial.h), the trials run
 * by the wave driver (sim/engine/waves.h), and what a run makes of them: the summary and dyad tables, the
 * coverage map, the checkpoint of an interrupted run and its resumption, and the flight log.
 *
 *   prepare:  the scenario's geography, caps and slots; one workspace per thread
 *   waves:    each block's trials in index order into its Welford records, merged in block order
 *   finish:   the threads' (and ranks') integer counts summed; tables, map, checkpoint
 */
#include "sim/engine/run.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "sim/input/hash.h"
#include "sim/engine/memory.h"
#include "sim/engine/mpi.h"
#include "models/rng.h"
#include "sim/engine/trial.h"
#include "sim/engine/waves.h"

/* A run in the making: what prepare builds, the waves fill and finish turns into the result. */
typedef struct {
  const osq_scenario_t *sc;
  const osq_run_opts_t *opts;
  int64_t trials;
  int threads;
  osq_trial_prep_t prep;
  osq_trial_ws_t *ws;       /* [threads] */
  osq_welford_t *total;     /* [n_slots]: the block records merged in block order (rank 0) */
  uint64_t *cells;          /* [raster cells]: trial-years each cell was imaged (with a map) */
  const osq_checkpoint_t *ck; /* the checkpoint resumed (rank 0), or NULL */
  int64_t first_block;      /* blocks the checkpoint holds */
} run_t;

/* ---- the waves' job: one trial of the prepared scenario per trial index ---- */

static int run_block(void *ctx, int tid, int64_t b, int64_t t0, int64_t t1, void *rec) {
  (void)b;
  run_t *r = ctx;
  for (int64_t t = t0; t < t1; t++) {
    const int rc = osq_trial_run(&r->prep, t, &r->ws[tid], rec, NULL, NULL);
    if (rc) return rc;
  }
  return OSQ_OK;
}

static void run_merge(void *ctx, int64_t b, const void *rec) {
  (void)b;
  run_t *r = ctx;
  const osq_welford_t *w = rec;
  for (int s = 0; s < r->prep.slots.n; s++) osq_welford_merge(&r->total[s], &w[s]);
}

/* ---- resume and checkpoint ---- */

/* Resume (rank 0): the checkpoint's state becomes the run's starting state. The merged records are
 * copied bit for bit, so merging the next blocks continues the uninterrupted run's sequence of
 * operations; the integer counts go into thread 0's workspace and the map cells, to which the
 * other threads' and ranks' counts are added later (exact in any order). */
static int resume_seed(run_t *r, osq_error_t *err) {
  const osq_trial_prep_t *p = &r->prep;
  const osq_checkpoint_t *ck = r->ck;
  const int S = p->slots.n, P = p->n_parties, Y = p->n_years;
  const size_t n_cells = p->map ? p->geo.raster->n_cells : 0;
  const char *path = r->opts->resume_path ? r->opts->resume_path : OSQ_CHECKPOINT_NAME;
  osq_trial_ws_t *ws0 = &r->ws[0];
  if (ck->n_slots != S || ck->n_parties != P || ck->n_years != Y)
    return osq_error_add(err, OSQ_EINVAL, path, 0,
                         "holds %d statistics of %d parties over %d years; this run has %d of %d over %d (was the "
                         "treaty data changed?)",
                         ck->n_slots, ck->n_parties, ck->n_years, S, P, Y);
  if (ck->geo_stride != p->geo_stride)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "geography stride %lld, this run's is %lld",
                         (long long)ck->geo_stride, (long long)p->geo_stride);
  if (ck->n_cells != (uint64_t)n_cells)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "holds a map of %llu cells; this run's has %zu",
                         (unsigned long long)ck->n_cells, n_cells);
  if (osq_hist_set_merge(ws0->hists, ck->hists, S) != OSQ_OK)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "its histograms have other bins than this run's");
  memcpy(r->total, ck->total, sizeof *r->total * (size_t)S);
  for (size_t k = 0; k < (size_t)Y * P * P; k++) ws0->dyad_sum[k] += ck->dyad_sum[k];
  for (size_t k = 0; k < n_cells; k++) r->cells[k] += ck->cells[k];
  ws0->hash += ck->hash;
  ws0->flights += ck->flights;
  ws0->cells_marked += ck->cells_marked;
  return OSQ_OK;
}

/* A partial run's state (rank 0, after the reductions): what resume_seed takes back. The map counts
 * move into it. @return NULL if out of memory */
static osq_checkpoint_t *checkpoint_make(run_t *r, const osq_run_result_t *res, int64_t blocks_done) {
  const osq_trial_prep_t *p = &r->prep;
  const osq_scenario_t *sc = r->sc;
  const osq_trial_ws_t *ws0 = &r->ws[0];
  const int S = p->slots.n, P = p->n_parties, Y = p->n_years;
  osq_checkpoint_t *ck = osq_checkpoint_alloc(Y, P, S, ws0->hists, 0);
  if (!ck) return NULL;
  snprintf(ck->version, sizeof ck->version, "%s", OSQ_VERSION);
  snprintf(ck->scenario_hash, sizeof ck->scenario_hash, "%s", sc->hash);
  ck->seed = sc->seed;
  ck->trials = r->trials;
  ck->block_size = sc->block_size;
  ck->geo_stride = p->geo_stride;
  ck->blocks_done = blocks_done;
  ck->wall_seconds = res->wall_seconds;
  ck->hash = res->hash;
  ck->flights = res->flights_completed;
  ck->cells_marked = res->cells_marked;
  memcpy(ck->total, r->total, sizeof *r->total * (size_t)S);
  if (osq_hist_set_merge(ck->hists, ws0->hists, S) != OSQ_OK) {
    osq_checkpoint_free(ck);
    return NULL;
  }
  memcpy(ck->dyad_sum, ws0->dyad_sum, sizeof *ck->dyad_sum * (size_t)Y * P * P);
  ck->n_cells = p->map ? p->geo.raster->n_cells : 0;
  ck->cells = r->cells;
  r->cells = NULL;
  return ck;
}

/* ---- prepare ---- */

static int prepare(run_t *r, osq_error_t *err) {
  const osq_scenario_t *sc = r->sc;
  int rc = osq_memory_check(sc, r->threads, err); /* before the geography and the workspaces */
  if (rc == OSQ_OK) rc = osq_trial_prep_init(&r->prep, sc, r->trials, sc->map, err);
  if (rc != OSQ_OK) return rc;
  const osq_trial_prep_t *p = &r->prep;
  /* Each thread counts a cell's imaged trial-years in 8 + 32 bits (osq_trial_ws_t): a map that
   * could count more is refused, never wrapped. */
  const uint64_t map_years = (uint64_t)((r->trials + p->geo_stride - 1) / p->geo_stride) * (uint64_t)p->n_years;
  const uint64_t map_years_max = ((uint64_t)1 << (32 + 8)) - 1;
  if (p->map && map_years > map_years_max)
    return osq_error_add(err, OSQ_ERANGE, sc->path, 0,
                         "a map over %llu trial-years with geography would overflow its counters (at most %llu); "
                         "nothing was run (expected output.map = false, or geo.trials set)",
                         (unsigned long long)map_years, (unsigned long long)map_years_max);
  r->total = calloc((size_t)p->slots.n, sizeof *r->total);
  r->ws = osq_trial_ws_array_alloc(r->threads);
  if (p->map) r->cells = calloc(p->geo.raster->n_cells, sizeof *r->cells);
  if (!r->total || !r->ws || (p->map && !r->cells)) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int t = 0; t < r->threads; t++)
    if (!osq_trial_ws_init(&r->ws[t], p, OSQ_ACC_HIST | OSQ_ACC_DYADS))
      return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for %d thread workspaces", r->threads);
  if (r->ck && (rc = resume_seed(r, err)) != OSQ_OK) return rc;
  const int64_t n_blocks = (r->trials + sc->block_size - 1) / sc->block_size;
  if (r->first_block >= n_blocks)
    return osq_error_add(err, OSQ_EINVAL, r->opts->resume_path, 0, "holds all %lld blocks of the run already",
                         (long long)n_blocks);
  return OSQ_OK;
}

/* ---- finish ---- */

/* The map (rank 0): for each cell of a party's territory, the share of trial-years it was imaged. */
static int make_map(const run_t *r, int64_t done, osq_run_map_t *m, osq_error_t *err) {
  const osq_trial_prep_t *p = &r->prep;
  const osq_geo_raster_t *g = p->geo.raster;
  m->value = malloc(sizeof *m->value * g->n_cells);
  m->tid = malloc(g->n_cells);
  if (!m->value || !m->tid) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for the map");
  const int64_t geo_trials = (done + p->geo_stride - 1) / p->geo_stride;
  const double denom = (double)geo_trials * p->n_years;
  for (size_t k = 0; k < g->n_cells; k++) {
    const uint8_t id = g->tid[k];
    m->tid[k] = id;
    m->value[k] = id >= 1 && id <= g->n_terr && denom > 0 ? (float)((double)r->cells[k] / denom) : NAN;
  }
  m->nlat = g->nlat;
  m->nlon = g->nlon;
  m->res_deg = g->res_deg;
  return OSQ_OK;
}

static int finish(run_t *r, const osq_waves_result_t *w, double setup_seconds, osq_run_result_t *res,
                  osq_error_t *err) {
  int rc = osq_trial_ws_reduce(r->ws, r->threads, &r->prep, r->cells, err);
  if (rc != OSQ_OK) return rc;
  const osq_trial_ws_t *ws0 = &r->ws[0];
  const int64_t B = r->sc->block_size;
  res->hash = ws0->hash;
  res->flights_completed = ws0->flights;
  res->cells_marked = ws0->cells_marked;
  res->runs_marked = ws0->runs_marked;
  res->draws = ws0->draws;
  res->thread_rate_min = w->rate_min;
  res->thread_rate_max = w->rate_max;
  res->thread_rate_sum = w->rate_sum;
  res->trials_done = w->trials_done;
  res->trials_resumed = r->first_block * B < r->trials ? r->first_block * B : r->trials;
  res->partial = w->partial;
  res->threads = r->threads;
  res->ranks = osq_mpi_size();
  /* The job's times: the slowest rank's. */
  res->setup_seconds = osq_mpi_max_double(setup_seconds);
  res->wall_seconds = osq_mpi_max_double(w->seconds + (r->ck ? r->ck->wall_seconds : 0.0));
  if (!osq_mpi_root()) return OSQ_OK; /* rank 0 alone holds the merged records */
  rc = osq_trial_tables(&r->prep, r->total, ws0->hists, ws0->dyad_sum, w->trials_done, &res->table, &res->dyads, err);
  if (rc == OSQ_OK && r->prep.map) rc = make_map(r, w->trials_done, &res->map, err);
  if (rc == OSQ_OK && res->partial) {
    res->checkpoint = checkpoint_make(r, res, w->blocks_done);
    if (!res->checkpoint) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for the checkpoint");
  }
  return rc;
}

static void run_free(run_t *r) {
  for (int t = 0; r->ws && t < r->threads; t++) osq_trial_ws_free(&r->ws[t]);
  free(r->ws);
  free(r->total);
  free(r->cells);
  osq_trial_prep_free(&r->prep);
}

int osq_run_execute(const osq_scenario_t *sc, const osq_run_opts_t *opts, osq_run_result_t **out, osq_error_t *err) {
  static const osq_run_opts_t none;
  *out = NULL;
  if (!opts) opts = &none;
  const double t_setup = omp_get_wtime();
  run_t r = {.sc = sc, .opts = opts};
  r.trials = opts->trials > 0 ? opts->trials : sc->trials;
  r.threads = opts->threads > 0 ? opts->threads : sc->threads > 0 ? sc->threads : omp_get_max_threads();
  if (r.threads < 1) r.threads = 1;
  /* A resumed run starts after the checkpoint's blocks: rank 0 holds the checkpoint and shares where
   * it ends (a sum over ranks of which only rank 0's term is not zero). */
  r.ck = osq_mpi_root() ? opts->resume : NULL;
  uint64_t start = r.ck && r.ck->blocks_done > 0 ? (uint64_t)r.ck->blocks_done : 0;
  osq_mpi_allsum_u64(&start, 1);
  r.first_block = (int64_t)start;

  osq_run_result_t *res = calloc(1, sizeof *res);
  int rc = res ? prepare(&r, err) : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  rc = osq_mpi_agree(rc, err); /* a set-up that failed on any rank stops every rank */
  const double setup_seconds = omp_get_wtime() - t_setup;

  osq_waves_result_t w;
  if (rc == OSQ_OK) {
    const osq_waves_job_t job = {.rec_size = sizeof *r.total * (size_t)r.prep.slots.n, .run_block = run_block,
                                 .merge_block = run_merge, .ctx = &r};
    const osq_waves_spec_t spec = {.trials = r.trials, .block_size = sc->block_size, .threads = r.threads,
                                   .first_block = r.first_block, .progress = opts->progress,
                                   .progress_ctx = opts->progress_ctx, .stop = opts->stop,
                                   .stop_after_blocks = opts->stop_after_blocks};
    rc = osq_waves_run(&job, &spec, &w, err);
  }
  if (rc == OSQ_OK) rc = finish(&r, &w, setup_seconds, res, err);
  rc = osq_mpi_agree(rc, err); /* rank 0 alone built the tables: its outcome is every rank's */
  run_free(&r);
  if (rc != OSQ_OK) {
    osq_run_result_free(res);
    return rc;
  }
  *out = res;
  return OSQ_OK;
}

void osq_run_header_fill(osq_run_header_t *h, const osq_scenario_t *sc, int64_t trials_done, int threads,
                         uint64_t hash) {
  h->scenario_name = sc->name;
  h->scenario_path = sc->path;
  snprintf(h->scenario_hash, sizeof h->scenario_hash, "%s", sc->hash);
  h->seed = sc->seed;
  h->trials = sc->trials;
  h->trials_done = trials_done;
  h->threads = threads;
  h->rng = OSQ_RNG_NAME;
  h->block_size = sc->block_size;
  osq_hash_hex(hash, h->verification_hash);
}

void osq_run_result_free(osq_run_result_t *r) {
  if (!r) return;
  free(r->map.value);
  free(r->map.tid);
  osq_table_free(r->table);
  osq_dyad_table_free(r->dyads);
  osq_checkpoint_free(r->checkpoint);
  free(r);
}

/* ---- the flight log ---- */

typedef struct {
  const osq_scenario_t *sc;
  const osq_trial_prep_t *prep;
  FILE *f;
  int rc;
  osq_error_t *err;
} log_t;

/* The log lists a year's flights in date order (undated ones, never scheduled, last): each flight
 * is keyed by (day << 16 | index), so a plain integer sort does it. */
static int cmp_i64(const void *a, const void *b) {
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static void log_year(void *ctx, int64_t trial, int year_idx, const osq_year_t *year, const osq_metrics_t *m,
                     const osq_flight_geo_t *fg) {
  (void)year_idx;
  (void)m;
  log_t *lg = ctx;
  const osq_treaty_t *t = &lg->sc->treaty;
  int64_t order[OSQ_FLIGHTS_MAX];
  for (int i = 0; i < year->n_flights; i++) order[i] = ((int64_t)year->flights[i].day << 16) | i;
  qsort(order, (size_t)year->n_flights, sizeof order[0], cmp_i64);
  for (int i = 0; lg->rc == OSQ_OK && i < year->n_flights; i++) {
    const int fi = (int)(order[i] & 0xffff);
    const osq_flight_t *fl = &year->flights[fi];
    char day[11] = "", obs[64] = "", where[OSQ_NAME_MAX + 48] = ",,";
    if (fl->day != OSQ_DAY_NEVER) osq_date_format(fl->day, day);
    /* An observer that was not a party on the day flew nothing: its slot is left out, unless the
     * whole flight is void. */
    for (int o = 0; o < fl->n_obs; o++) {
      if (fl->status != OSQ_FLIGHT_VOID && (fl->void_obs >> o) & 1u) continue;
      size_t u = strlen(obs);
      snprintf(obs + u, sizeof obs - u, "%s%s", u ? "+" : "", t->parties[fl->obs[o]].code);
    }
    if (lg->prep->geo.world && fg[fi].airfield >= 0) /* airfield names hold no comma or quote (scenario check) */
      snprintf(where, sizeof where, "%s,%.1f,%.0f", t->parties[fl->target].airfields[fg[fi].airfield].name,
               fg[fi].distance_km, fg[fi].imaged_km2);
    if (fprintf(lg->f, "%lld,%d,%s,%s,%s,%s,%s\n", (long long)trial, year->year, day, t->parties[fl->target].code, obs,
                osq_quota_status_name(fl->status), where) < 0)
      lg->rc = osq_error_add(lg->err, OSQ_EIO, NULL, 0, "cannot write the flight log");
  }
}

int osq_run_flight_log(const osq_scenario_t *sc, int64_t k, FILE *f, osq_error_t *err) {
  osq_trial_prep_t prep;
  osq_trial_ws_t ws;
  memset(&ws, 0, sizeof ws);
  int rc = osq_trial_prep_init(&prep, sc, sc->trials, false, err);
  osq_flight_geo_t *fg = malloc(sizeof *fg * OSQ_FLIGHTS_MAX);
  if (rc == OSQ_OK && (!fg || !osq_trial_ws_init(&ws, &prep, 0)))
    rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  if (rc == OSQ_OK && fprintf(f, "trial,year,day,observed,observers,status,airfield,distance_km,imaged_km2\n") < 0)
    rc = osq_error_add(err, OSQ_EIO, NULL, 0, "cannot write the flight log");
  /* The logged trials are simulated again, serially, from the same streams: the log is what the run
   * simulated. Their geography runs in every one of them, so that every flight has its route. */
  log_t lg = {.sc = sc, .prep = &prep, .f = f, .rc = OSQ_OK, .err = err};
  const osq_trial_hook_t hook = {.year = log_year, .ctx = &lg, .all_geo = true, .fg = fg};
  for (int64_t t = 0; rc == OSQ_OK && t < k && t < sc->trials; t++) {
    const int trc = osq_trial_run(&prep, t, &ws, NULL, NULL, &hook);
    if (trc) rc = osq_error_add(err, trc, NULL, 0, "trial %lld failed", (long long)t);
    else rc = lg.rc;
  }
  osq_trial_ws_free(&ws);
  free(fg);
  osq_trial_prep_free(&prep);
  return rc;
}
