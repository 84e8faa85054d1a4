/*
 * run.c owns the trial loop. Its shape, at a glance:
 *
 *   set-up:  per-year quota caps, the catalogue of reported statistics ("slots"), one workspace
 *            per thread (year scratch, metrics, gsl_rng over Philox, histograms, dyad sums)
 *   loop:    for each wave of blocks (a few per thread, so memory is bounded):
 *              parallel for over the wave's blocks (dynamic): each block runs its trials in
 *              index order into its own Welford record; histograms, dyad sums and the hash are
 *              integer counts, kept per thread (integer addition is exact, so order is free)
 *            merge the wave's block records in block order into the run's Welford slots
 *   results: summaries (mean, sd, CI, quantiles) per slot, dyad means, the verification hash
 *
 * Nothing is allocated and no lock is taken inside the trial loop.
 */
#include "sim/run.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "models/metrics.h"
#include "models/quota.h"
#include "sim/hash.h"
#include "sim/rng.h"
#include "sim/stats.h"

typedef enum {
  M_FLIGHTS,
  M_FLIGHTS_ACTIVE,
  M_FLIGHTS_OVER,
  M_FLIGHTS_BY,
  M_DYADS,
  M_DYAD_DENSITY,
  M_PLANS_AGREED,
  M_COUNT
} metric_t;

static const char *const METRIC_NAMES[M_COUNT] = {"flights", "flights_active", "flights_over", "flights_by",
                                                  "dyads",   "dyad_density",   "plans_agreed"};

/* One reported statistic: a metric of a party (or aggregate row) in a year. */
typedef struct {
  int16_t year_idx;
  int8_t metric;
  int16_t party; /* >= 0: party index; < 0: aggregate -1 - osq_agg_t */
} slot_t;

typedef struct {
  osq_year_t year;
  osq_metrics_t metrics;
  gsl_rng *rng;
  osq_hist_t *hists;  /* one set of n_slots */
  int64_t *dyad_sum;  /* [n_years][P][P] */
  uint64_t hash;
  int64_t flights;
} thread_ws_t;

typedef struct {
  const osq_scenario_t *sc;
  int n_years, n_parties;
  osq_quota_caps_t *caps; /* [n_years] */
  slot_t *slots;
  int n_slots;
  int *year_first_slot;   /* [n_years + 1] */
} plan_t;

static double slot_value(const slot_t *s, const osq_metrics_t *m) {
  switch ((metric_t)s->metric) {
    case M_FLIGHTS: return m->flights;
    case M_FLIGHTS_ACTIVE: return m->flights_active;
    case M_FLIGHTS_OVER: return s->party >= 0 ? m->flights_over[s->party] : m->flights_over_agg[-1 - s->party];
    case M_FLIGHTS_BY: return s->party >= 0 ? m->flights_by[s->party] : m->flights_by_agg[-1 - s->party];
    case M_DYADS: return m->dyads;
    case M_DYAD_DENSITY: return m->dyad_density;
    case M_PLANS_AGREED: return m->plans_agreed;
    case M_COUNT: break;
  }
  return NAN;
}

/* Histogram bins: integer metrics get one bin per value (exact quantiles); the density gets one
 * bin per possible dyad count, so its quantiles are exact too. */
static void slot_bins(const plan_t *pl, const slot_t *s, double *lo, double *width, int *nbins) {
  const osq_quota_caps_t *c = &pl->caps[s->year_idx];
  int passive = 0, active = 0, n_elig = 0;
  for (int i = 0; i < pl->n_parties; i++)
    if (c->eligible[i]) {
      passive += c->passive_cap[i];
      active += c->active_cap[i];
      n_elig++;
    }
  int max = 1;
  switch ((metric_t)s->metric) {
    case M_FLIGHTS: max = passive; break;
    case M_FLIGHTS_ACTIVE: max = active; break;
    case M_FLIGHTS_OVER: max = s->party >= 0 ? c->passive_cap[s->party] : passive; break;
    case M_FLIGHTS_BY: max = s->party >= 0 ? c->active_cap[s->party] : active; break;
    case M_DYADS: max = n_elig * (n_elig - 1); break;
    case M_PLANS_AGREED: max = 1; break;
    case M_DYAD_DENSITY: {
      int pairs = n_elig > 1 ? n_elig * (n_elig - 1) : 1;
      *width = 1.0 / pairs;
      *lo = -0.5 * *width;
      *nbins = pairs + 1;
      return;
    }
    case M_COUNT: break;
  }
  *lo = -0.5;
  *width = 1.0;
  *nbins = (max > 0 ? max : 0) + 1;
}

static int add_slot(plan_t *pl, int cap, int y, metric_t m, int party) {
  if (pl->n_slots == cap) return -1;
  pl->slots[pl->n_slots++] = (slot_t){(int16_t)y, (int8_t)m, (int16_t)party};
  return 0;
}

static int plan_build(plan_t *pl, const osq_scenario_t *sc, osq_error_t *err) {
  memset(pl, 0, sizeof *pl);
  pl->sc = sc;
  pl->n_years = sc->last_year - sc->first_year + 1;
  pl->n_parties = sc->treaty.n_parties;
  pl->caps = calloc((size_t)pl->n_years, sizeof *pl->caps);
  const int cap = pl->n_years * (5 + 2 * (OSQ_PARTIES_MAX + OSQ_AGG_COUNT));
  pl->slots = calloc((size_t)cap, sizeof *pl->slots);
  pl->year_first_slot = calloc((size_t)pl->n_years + 1, sizeof *pl->year_first_slot);
  if (!pl->caps || !pl->slots || !pl->year_first_slot) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int y = 0; y < pl->n_years; y++) {
    int rc = osq_quota_caps(&sc->treaty, &sc->model, sc->first_year + y, &pl->caps[y]);
    if (rc) return osq_error_add(err, rc, NULL, 0, "cannot compute the quotas of %d", sc->first_year + y);
    pl->year_first_slot[y] = pl->n_slots;
    add_slot(pl, cap, y, M_FLIGHTS, -1 - OSQ_AGG_ALL);
    add_slot(pl, cap, y, M_FLIGHTS_ACTIVE, -1 - OSQ_AGG_ALL);
    for (int m = M_FLIGHTS_OVER; m <= M_FLIGHTS_BY; m++) {
      for (int i = 0; i < pl->n_parties; i++)
        if (osq_party_in_force_year(&sc->treaty.parties[i], sc->first_year + y)) add_slot(pl, cap, y, (metric_t)m, i);
      for (int a = 0; a < OSQ_AGG_COUNT; a++) add_slot(pl, cap, y, (metric_t)m, -1 - a);
    }
    add_slot(pl, cap, y, M_DYADS, -1 - OSQ_AGG_ALL);
    add_slot(pl, cap, y, M_DYAD_DENSITY, -1 - OSQ_AGG_ALL);
    add_slot(pl, cap, y, M_PLANS_AGREED, -1 - OSQ_AGG_ALL);
  }
  pl->year_first_slot[pl->n_years] = pl->n_slots;
  return OSQ_OK;
}

static void plan_free(plan_t *pl) {
  free(pl->caps);
  free(pl->slots);
  free(pl->year_first_slot);
}

static osq_hist_t *hist_set_alloc(const plan_t *pl) {
  double *lo = malloc(sizeof(double) * (size_t)pl->n_slots), *w = malloc(sizeof(double) * (size_t)pl->n_slots);
  int *nb = malloc(sizeof(int) * (size_t)pl->n_slots);
  osq_hist_t *h = NULL;
  if (lo && w && nb) {
    for (int s = 0; s < pl->n_slots; s++) slot_bins(pl, &pl->slots[s], &lo[s], &w[s], &nb[s]);
    h = osq_hist_set_alloc(pl->n_slots, lo, w, nb);
  }
  free(lo);
  free(w);
  free(nb);
  return h;
}

/* One trial: every simulated year, its metrics into the block record and the thread's counts. */
static int run_trial(const plan_t *pl, int64_t trial, thread_ws_t *ws, osq_welford_t *rec) {
  const osq_scenario_t *sc = pl->sc;
  const int P = pl->n_parties;
  osq_rng_gsl_reset(ws->rng, sc->seed, (uint64_t)trial, OSQ_STREAM_MODEL);
  osq_digest_t dg;
  osq_digest_init(&dg);
  for (int y = 0; y < pl->n_years; y++) {
    int rc = osq_year_simulate(&sc->treaty, &sc->model, &pl->caps[y], ws->rng, &ws->year);
    if (rc) return rc;
    osq_metrics_compute(&sc->treaty, &ws->year, &ws->metrics);
    const osq_metrics_t *m = &ws->metrics;
    for (int s = pl->year_first_slot[y]; s < pl->year_first_slot[y + 1]; s++) {
      const double v = slot_value(&pl->slots[s], m);
      osq_welford_add(&rec[s], v);
      osq_hist_add(&ws->hists[s], v);
    }
    int64_t *ds = ws->dyad_sum + (size_t)y * P * P;
    osq_digest_i32(&dg, m->plans_agreed);
    osq_digest_i32(&dg, m->flights);
    osq_digest_i32(&dg, m->flights_active);
    for (int i = 0; i < P; i++) {
      osq_digest_i32(&dg, m->flights_over[i]);
      osq_digest_i32(&dg, m->flights_by[i]);
      for (int j = 0; j < P; j++) {
        ds[i * P + j] += m->dyad[i][j];
        osq_digest_i32(&dg, m->dyad[i][j]);
      }
    }
    ws->flights += m->flights;
  }
  ws->hash += osq_hash_trial((uint64_t)trial, dg.h);
  return OSQ_OK;
}

static void ws_free(thread_ws_t *ws, int n) {
  if (!ws) return;
  for (int t = 0; t < n; t++) {
    if (ws[t].rng) gsl_rng_free(ws[t].rng);
    osq_hist_free(ws[t].hists);
    free(ws[t].dyad_sum);
  }
  free(ws);
}

void osq_run_result_free(osq_run_result_t *r) {
  if (!r) return;
  osq_table_free(r->table);
  osq_dyad_table_free(r->dyads);
  free(r);
}

static int build_tables(const plan_t *pl, const osq_welford_t *total, const osq_hist_t *hists, const int64_t *dyad_sum,
                        int64_t n, osq_run_result_t *res, osq_error_t *err) {
  const osq_scenario_t *sc = pl->sc;
  res->table = osq_table_alloc(sc->name);
  res->dyads = osq_dyad_table_alloc(sc->name);
  if (!res->table || !res->dyads) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int s = 0; s < pl->n_slots; s++) {
    const slot_t *sl = &pl->slots[s];
    osq_summary_t sum;
    osq_summarize(&total[s], &hists[s], &sum);
    osq_row_t row = {.year = sc->first_year + sl->year_idx, .n = sum.n, .mean = sum.mean, .sd = sum.sd, .se = sum.se,
                     .ci95_lo = sum.ci95_lo, .ci95_hi = sum.ci95_hi, .p05 = sum.p05, .p50 = sum.p50, .p95 = sum.p95};
    snprintf(row.metric, sizeof row.metric, "%s", METRIC_NAMES[sl->metric]);
    snprintf(row.party, sizeof row.party, "%s",
             sl->party >= 0 ? sc->treaty.parties[sl->party].code : osq_agg_name(-1 - sl->party));
    if (osq_table_add(res->table, &row)) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  }
  const int P = pl->n_parties;
  for (int y = 0; y < pl->n_years; y++) {
    const int year = sc->first_year + y;
    for (int i = 0; i < P; i++) {
      if (!osq_party_in_force_year(&sc->treaty.parties[i], year)) continue;
      for (int j = 0; j < P; j++) {
        if (j == i || !osq_party_in_force_year(&sc->treaty.parties[j], year)) continue;
        osq_dyad_row_t d = {.year = year, .mean_flights = (double)dyad_sum[((size_t)y * P + i) * P + j] / (double)n};
        snprintf(d.observer, sizeof d.observer, "%s", sc->treaty.parties[i].code);
        snprintf(d.observed, sizeof d.observed, "%s", sc->treaty.parties[j].code);
        if (osq_dyad_table_add(res->dyads, &d)) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
      }
    }
  }
  return OSQ_OK;
}

int osq_run_execute(const osq_scenario_t *sc, const osq_run_opts_t *opts, osq_run_result_t **out, osq_error_t *err) {
  *out = NULL;
  const double t_setup = omp_get_wtime();
  const int64_t trials = opts && opts->trials > 0 ? opts->trials : sc->trials;
  int threads = opts && opts->threads > 0 ? opts->threads : sc->threads > 0 ? sc->threads : omp_get_max_threads();
  if (threads < 1) threads = 1;
  const int64_t B = sc->block_size;
  const int64_t n_blocks = (trials + B - 1) / B;
  const int64_t wave = 4 * (int64_t)threads; /* blocks held in memory at once */

  plan_t pl;
  osq_run_result_t *res = calloc(1, sizeof *res);
  int rc = res ? plan_build(&pl, sc, err) : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  if (!res) return rc;
  const int S = pl.n_slots, P = pl.n_parties, Y = pl.n_years;
  osq_welford_t *total = calloc((size_t)S, sizeof *total);
  osq_welford_t *recs = calloc((size_t)(S * wave), sizeof *recs);
  thread_ws_t *ws = calloc((size_t)threads, sizeof *ws);
  if (rc == OSQ_OK && (!total || !recs || !ws)) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int t = 0; rc == OSQ_OK && t < threads; t++) {
    ws[t].rng = osq_rng_gsl_alloc();
    ws[t].hists = hist_set_alloc(&pl);
    ws[t].dyad_sum = calloc((size_t)Y * P * P, sizeof *ws[t].dyad_sum);
    if (!ws[t].rng || !ws[t].hists || !ws[t].dyad_sum)
      rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for %d thread workspaces", threads);
  }
  res->setup_seconds = omp_get_wtime() - t_setup;

  const double t0 = omp_get_wtime();
  int fail = OSQ_OK;
  int64_t done = 0;
  for (int64_t w0 = 0; rc == OSQ_OK && w0 < n_blocks && fail == OSQ_OK; w0 += wave) {
    const int64_t w1 = w0 + wave < n_blocks ? w0 + wave : n_blocks;
    memset(recs, 0, sizeof *recs * (size_t)(S * wave));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) default(none) \
    shared(pl, ws, recs, fail, w0, w1, B, trials, S)
    for (int64_t b = w0; b < w1; b++) {
      thread_ws_t *tw = &ws[omp_get_thread_num()];
      osq_welford_t *rec = recs + (size_t)(b - w0) * S;
      const int64_t end = (b + 1) * B < trials ? (b + 1) * B : trials;
      for (int64_t t = b * B; t < end; t++) {
        int frc = run_trial(&pl, t, tw, rec);
        if (frc) {
#pragma omp atomic write
          fail = frc;
          break;
        }
      }
    }
    for (int64_t b = w0; b < w1; b++)
      for (int s = 0; s < S; s++) osq_welford_merge(&total[s], &recs[(size_t)(b - w0) * S + s]);
    done = w1 * B < trials ? w1 * B : trials;
    if (opts && opts->progress) opts->progress(opts->progress_ctx, done, trials);
  }
  res->wall_seconds = omp_get_wtime() - t0;
  if (rc == OSQ_OK && fail) rc = osq_error_add(err, fail, NULL, 0, "a trial failed: %s", osq_strerror(fail));

  if (rc == OSQ_OK) {
    /* Integer counts: the sum over threads is exact whatever thread ran which block. */
    for (int t = 1; t < threads; t++) {
      osq_hist_set_merge(ws[0].hists, ws[t].hists, S);
      for (size_t k = 0; k < (size_t)Y * P * P; k++) ws[0].dyad_sum[k] += ws[t].dyad_sum[k];
    }
    for (int t = 0; t < threads; t++) {
      res->hash += ws[t].hash;
      res->flights_completed += ws[t].flights;
    }
    res->trials_done = done;
    res->threads = threads;
    rc = build_tables(&pl, total, ws[0].hists, ws[0].dyad_sum, done, res, err);
  }
  ws_free(ws, threads);
  free(recs);
  free(total);
  plan_free(&pl);
  if (rc != OSQ_OK) {
    osq_run_result_free(res);
    return rc;
  }
  *out = res;
  return OSQ_OK;
}

/* The log lists a year's flights in date order (undated ones, never scheduled, last): each flight
 * is keyed by (day << 16 | index), so a plain integer sort does it. */
static int cmp_i64(const void *a, const void *b) {
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

int osq_run_flight_log(const osq_scenario_t *sc, int64_t k, FILE *f, osq_error_t *err) {
  plan_t pl;
  int rc = plan_build(&pl, sc, err);
  osq_year_t *year = malloc(sizeof *year);
  gsl_rng *rng = osq_rng_gsl_alloc();
  if (rc == OSQ_OK && (!year || !rng)) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  if (rc == OSQ_OK && fprintf(f, "trial,year,day,observed,observers,status,airfield,distance_km,imaged_km2\n") < 0)
    rc = osq_error_add(err, OSQ_EIO, NULL, 0, "cannot write the flight log");
  for (int64_t t = 0; rc == OSQ_OK && t < k && t < sc->trials; t++) {
    osq_rng_gsl_reset(rng, sc->seed, (uint64_t)t, OSQ_STREAM_MODEL);
    for (int y = 0; rc == OSQ_OK && y < pl.n_years; y++) {
      rc = osq_year_simulate(&sc->treaty, &sc->model, &pl.caps[y], rng, year);
      if (rc) {
        osq_error_add(err, rc, NULL, 0, "trial %lld failed", (long long)t);
        break;
      }
      int64_t order[OSQ_FLIGHTS_MAX];
      for (int i = 0; i < year->n_flights; i++) order[i] = ((int64_t)year->flights[i].day << 16) | i;
      qsort(order, (size_t)year->n_flights, sizeof order[0], cmp_i64);
      for (int i = 0; i < year->n_flights; i++) {
        const osq_flight_t *fl = &year->flights[order[i] & 0xffff];
        char day[11] = "", obs[64] = "";
        if (fl->day != OSQ_DAY_NEVER) osq_date_format(fl->day, day);
        /* An observer that was not a party on the day flew nothing: its slot is left out, unless
         * the whole flight is void. */
        for (int o = 0; o < fl->n_obs; o++) {
          if (fl->status != OSQ_FLIGHT_VOID && (fl->void_obs >> o) & 1u) continue;
          size_t u = strlen(obs);
          snprintf(obs + u, sizeof obs - u, "%s%s", u ? "+" : "", sc->treaty.parties[fl->obs[o]].code);
        }
        if (fprintf(f, "%lld,%d,%s,%s,%s,%s,,,\n", (long long)t, year->year, day, sc->treaty.parties[fl->target].code,
                    obs, osq_flight_status_name(fl->status)) < 0) {
          rc = osq_error_add(err, OSQ_EIO, NULL, 0, "cannot write the flight log");
          break;
        }
      }
    }
  }
  gsl_rng_free(rng);
  free(year);
  plan_free(&pl);
  return rc;
}
