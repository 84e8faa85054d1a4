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
 * Under MPI (sim/mpi.h) each rank runs a contiguous share of every wave's blocks; the records
 * are gathered to rank 0 byte for byte (never added) and merged there in block order as above,
 * and the integer counts are summed over ranks at the end. Every rank runs every wave, and the
 * outcome of each step that can fail on one rank (set-up, a wave's trials, the tables) is agreed
 * between all ranks before the next collective call, so that no rank waits for one that stopped.
 *
 * Nothing is allocated and no lock is taken inside the trial loop.
 */
#include "sim/run.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "models/bits.h"
#include "models/coverage.h"
#include "models/metrics.h"
#include "models/quota.h"
#include "sim/geosetup.h"
#include "sim/hash.h"
#include "sim/memory.h"
#include "sim/mpi.h"
#include "sim/rng.h"
#include "sim/stats.h"

#define MAP_PLANES 8 /* bits of the map's per-thread counters before they wrap (thread_ws_t) */

#if defined(__GNUC__)
#define OSQ_PREFETCH(p) __builtin_prefetch((p), 1)
#else
#define OSQ_PREFETCH(p) ((void)(p))
#endif

typedef enum {
  M_FLIGHTS,
  M_FLIGHTS_ACTIVE,
  M_FLIGHTS_OVER,
  M_FLIGHTS_BY,
  M_DYADS,
  M_DYAD_DENSITY,
  M_PLANS_AGREED,
  M_COVERAGE,
  M_COVERAGE_FIXED,
  M_SITES_OBSERVED,
  M_REVISIT_DAYS,
  M_BUILDUP_DETECT,
  M_IMAGERY_OWN,
  M_IMAGERY_ACCESS,
  M_COUNT
} metric_t;

static const char *const METRIC_NAMES[M_COUNT] = {
    "flights",  "flights_active", "flights_over",   "flights_by",     "dyads",       "dyad_density",
    "plans_agreed", "coverage",   "coverage_fixed", "sites_observed", "revisit_days", "buildup_detect",
    "imagery_own",  "imagery_access"};

/* One reported statistic: a metric of a party (or aggregate row) in a year. */
typedef struct {
  int16_t year_idx;
  int8_t metric;
  int16_t party; /* >= 0: party index; < 0: aggregate -1 - osq_agg_t */
} slot_t;

typedef struct {
  osq_year_t year;
  osq_metrics_t metrics;
  osq_cov_metrics_t cov;
  osq_cov_ws_t *cov_ws;
  gsl_rng *geo_rng;
  /* The trial-years in which each raster cell was imaged, as MAP_PLANES-bit counters in bit
   * planes (map_planes[w * MAP_PLANES + p]: bit p of the counts of the 64 cells of word w, one
   * cache line per word) and the times each counter wrapped (map_wraps, per cell). A year is
   * counted by reading its bitmap in order over the window of words that hold territory (map_w0,
   * map_nw: nothing else is ever imaged), one addition per word with imaged cells: a
   * read-modify-write per imaged cell, in the order the swaths marked them, went to scattered
   * addresses and took 12 % of the trial loop. The arrays span the whole raster (pages outside
   * the window are never touched), so that sim/memory.c's estimate holds for any territory. */
  uint64_t *map_planes;
  uint32_t *map_wraps;
  size_t map_w0, map_nw;
  int64_t cells_marked;
  int64_t runs_marked, draws; /* bench figures, this process only */
  gsl_rng *rng;
  osq_hist_t *hists;  /* one set of n_slots */
  int64_t *dyad_sum;  /* [n_years][P][P] */
  uint64_t hash;
  int64_t flights;
} thread_ws_t;

typedef struct {
  const osq_scenario_t *sc;
  const osq_world_t *world; /* NULL without geography */
  int64_t geo_stride;       /* geography for trials t with t % geo_stride == 0 */
  int n_years, n_parties;
  osq_quota_caps_t *caps; /* [n_years] */
  slot_t *slots;
  int n_slots;
  int *year_first_slot;   /* [n_years + 1] */
} plan_t;

static double slot_value(const slot_t *s, const osq_metrics_t *m, const osq_cov_metrics_t *c) {
  const int p = s->party, agg = -1 - s->party;
  switch ((metric_t)s->metric) {
    case M_COVERAGE: return p >= 0 ? c->coverage[p] : c->coverage_agg[agg];
    case M_COVERAGE_FIXED: return c->coverage_fixed;
    case M_SITES_OBSERVED: return c->sites_observed[p];
    case M_REVISIT_DAYS: return c->revisit_days[p];
    case M_BUILDUP_DETECT: return p >= 0 ? c->buildup_detect[p] : c->buildup_detect_agg[agg];
    case M_IMAGERY_OWN: return c->imagery_own[p];
    case M_IMAGERY_ACCESS: return c->imagery_access[p];
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
    case M_SITES_OBSERVED: max = osq_world_party_sites(pl->world, s->party); break;
    case M_COVERAGE:
    case M_COVERAGE_FIXED:
    case M_BUILDUP_DETECT:
    case M_IMAGERY_OWN:
    case M_IMAGERY_ACCESS:
    case M_REVISIT_DAYS: {
      /* Continuous values: 1,000 bins over the possible range (quantiles to 0.1 % of it), except
       * a party's build-up detection, a multiple of 1/buildups, which gets one bin per value. */
      double hi = 1.0;
      if (s->metric == M_REVISIT_DAYS) hi = 366.0;
      if (s->metric == M_IMAGERY_OWN) hi = c->active_cap[s->party] * osq_world_max_flight_km2(pl->world);
      if (s->metric == M_IMAGERY_ACCESS) hi = passive * osq_world_max_flight_km2(pl->world);
      int bins = 1000;
      if (s->metric == M_BUILDUP_DETECT && s->party >= 0 && pl->sc->geo.buildups > 0) bins = pl->sc->geo.buildups;
      if (!(hi > 0)) hi = 1.0;
      *width = hi / bins;
      *lo = -0.5 * *width;
      *nbins = bins + 1;
      return;
    }
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

int64_t osq_geo_stride(int64_t geo_trials, int64_t trials) {
  if (geo_trials <= 0 || geo_trials >= trials) return 1;
  return (trials + geo_trials - 1) / geo_trials;
}

static int plan_build(plan_t *pl, const osq_scenario_t *sc, const osq_world_t *world, osq_error_t *err) {
  memset(pl, 0, sizeof *pl);
  pl->sc = sc;
  pl->world = world;
  pl->geo_stride = 1;
  pl->n_years = sc->last_year - sc->first_year + 1;
  pl->n_parties = sc->treaty.n_parties;
  pl->caps = calloc((size_t)pl->n_years, sizeof *pl->caps);
  const int cap = pl->n_years * (6 + 8 * (OSQ_PARTIES_MAX + OSQ_AGG_COUNT));
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
    if (!pl->world) continue;
    static const metric_t per_party[] = {M_COVERAGE,     M_SITES_OBSERVED, M_REVISIT_DAYS,
                                         M_BUILDUP_DETECT, M_IMAGERY_OWN,  M_IMAGERY_ACCESS};
    for (size_t k = 0; k < sizeof per_party / sizeof per_party[0]; k++) {
      const metric_t m = per_party[k];
      for (int i = 0; i < pl->n_parties; i++)
        if (osq_party_in_force_year(&sc->treaty.parties[i], sc->first_year + y)) add_slot(pl, cap, y, m, i);
      if (m == M_COVERAGE || m == M_BUILDUP_DETECT)
        for (int a = 0; a < OSQ_AGG_COUNT; a++) add_slot(pl, cap, y, m, -1 - a);
      if (m == M_COVERAGE) add_slot(pl, cap, y, M_COVERAGE_FIXED, -1 - OSQ_AGG_ALL);
    }
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

/* ---- the coverage map's counts (see thread_ws_t) ---- */

/* Add 1 to the counts of the cells of word w set in `add`: a ripple-carry addition across the
 * planes, a fixed number of steps; a carry out of the last plane is a wrap. */
static inline void map_add_word(uint64_t *planes, uint32_t *wraps, size_t w, uint64_t add) {
  uint64_t *x = planes + w * MAP_PLANES;
  for (int p = 0; p < MAP_PLANES; p++) {
    const uint64_t carry = x[p] & add;
    x[p] ^= add;
    add = carry;
  }
  for (; add; add &= add - 1) wraps[w * 64 + (size_t)osq_bit_lowest(add)]++; /* once in 2^MAP_PLANES */
}

/* Count one trial-year's imaged cells (the year's bitmap over the raster) into the map: the
 * words that hold imaged cells are listed first, a batch at a time and without a branch on the
 * data, then added, each word's planes fetched a few words ahead (a cache line each, spread over
 * megabytes). */
static void map_add_year(thread_ws_t *ws, const uint64_t *bits) {
  enum { BATCH = 256, AHEAD = 8 };
  uint32_t nz[BATCH];
  size_t w = ws->map_w0;
  const size_t end = ws->map_w0 + ws->map_nw;
  while (w < end) {
    int n = 0;
    /* eight words at a time where all eight are empty (most of the window, in long stretches:
     * 0.10-0.12 -> 0.08-0.09 s of the baseline's map step, timed inside the run) */
    for (; w + 8 <= end && n + 8 <= BATCH; w += 8) {
      if ((bits[w] | bits[w + 1] | bits[w + 2] | bits[w + 3] | bits[w + 4] | bits[w + 5] | bits[w + 6] | bits[w + 7]) == 0)
        continue;
      for (size_t j = w; j < w + 8; j++) {
        nz[n] = (uint32_t)j;
        n += bits[j] != 0;
      }
    }
    for (; w < end && n < BATCH; w++) {
      nz[n] = (uint32_t)w;
      n += bits[w] != 0;
    }
    for (int i = 0; i < n; i++) {
      if (i + AHEAD < n) OSQ_PREFETCH(ws->map_planes + (size_t)nz[i + AHEAD] * MAP_PLANES);
      map_add_word(ws->map_planes, ws->map_wraps, nz[i], bits[nz[i]]);
    }
  }
}

/* Add a thread's counts to cells[] (over the whole raster). */
static void map_merge(const thread_ws_t *ws, uint64_t *cells, size_t n_cells) {
  for (size_t w = ws->map_w0; w < ws->map_w0 + ws->map_nw; w++) {
    const uint64_t *x = ws->map_planes + w * MAP_PLANES;
    for (size_t k = w * 64; k < (w + 1) * 64 && k < n_cells; k++) {
      uint64_t c = (uint64_t)ws->map_wraps[k] << MAP_PLANES;
      for (int p = 0; p < MAP_PLANES; p++) c |= ((x[p] >> (k & 63)) & 1u) << p;
      cells[k] += c;
    }
  }
}

/* One trial: every simulated year, its metrics into the block record and the thread's counts;
 * with vals (compare), each slot's value of this trial too (NaN where undefined). */
static int run_trial(const plan_t *pl, int64_t trial, thread_ws_t *ws, osq_welford_t *rec, double *vals) {
  const osq_scenario_t *sc = pl->sc;
  const int P = pl->n_parties;
  osq_rng_gsl_reset(ws->rng, sc->seed, (uint64_t)trial, OSQ_STREAM_MODEL);
  /* Geography is the costly part of a trial: it may be limited to about geo.trials trials, every
   * geo_stride-th one, spread over all blocks so that the threads share the work; the coverage
   * rows then carry that n. Which trials is a function of the index and the trial count alone. */
  const bool geo = pl->world && trial % pl->geo_stride == 0;
  if (geo) osq_rng_gsl_reset(ws->geo_rng, sc->seed, (uint64_t)trial, OSQ_STREAM_GEO);
  osq_digest_t dg;
  osq_digest_init(&dg);
  for (int y = 0; y < pl->n_years; y++) {
    int rc = osq_year_simulate(&sc->treaty, &sc->model, &pl->caps[y], ws->rng, &ws->year);
    if (rc) return rc;
    osq_metrics_compute(&sc->treaty, &ws->year, &ws->metrics);
    const osq_metrics_t *m = &ws->metrics;
    osq_cov_metrics_t *c = &ws->cov;
    if (!geo && pl->world) osq_cov_metrics_nan(c);
    if (geo) {
      rc = osq_coverage_year(pl->world, &sc->treaty, &ws->year, ws->geo_rng, ws->cov_ws, &ws->cov, NULL);
      if (rc) return rc;
      ws->cells_marked += c->cells_marked;
      ws->runs_marked += c->runs_marked;
      if (ws->map_planes) map_add_year(ws, osq_cov_ws_year_bits(ws->cov_ws));
      for (int i = 0; i < P; i++) {
        osq_digest_double(&dg, c->coverage[i]);
        osq_digest_double(&dg, c->buildup_detect[i]);
        osq_digest_double(&dg, c->revisit_days[i]);
        osq_digest_double(&dg, c->imagery_own[i]);
      }
      osq_digest_double(&dg, c->coverage_fixed);
    }
    for (int s = pl->year_first_slot[y]; s < pl->year_first_slot[y + 1]; s++) {
      const double v = slot_value(&pl->slots[s], m, c);
      if (vals) vals[s] = v;
      if (isnan(v)) continue; /* undefined this trial (e.g. no site imaged twice): n counts the rest */
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
  ws->draws += (int64_t)osq_rng_words(osq_rng_gsl_state(ws->rng));
  if (geo) ws->draws += (int64_t)osq_rng_words(osq_rng_gsl_state(ws->geo_rng));
  ws->hash += osq_hash_trial((uint64_t)trial, dg.h);
  return OSQ_OK;
}

/* One thread's workspace, allocated once before the loop. @return false when out of memory. */
static bool ws_init(thread_ws_t *w, const plan_t *pl, const osq_geo_setup_t *geo, bool want_map, size_t map_w0,
                    size_t map_nw) {
  w->rng = osq_rng_gsl_alloc();
  w->hists = hist_set_alloc(pl);
  w->dyad_sum = calloc((size_t)pl->n_years * pl->n_parties * pl->n_parties, sizeof *w->dyad_sum);
  bool geo_ok = true;
  if (geo->world) {
    w->geo_rng = osq_rng_gsl_alloc();
    w->cov_ws = osq_cov_ws_alloc(geo->world);
    if (want_map) {
      const size_t words = (geo->raster->n_cells + 63) / 64;
      w->map_w0 = map_w0;
      w->map_nw = map_nw;
      w->map_planes = calloc(words * MAP_PLANES, sizeof *w->map_planes);
      w->map_wraps = calloc(words * 64, sizeof *w->map_wraps);
      geo_ok = w->map_planes && w->map_wraps;
    }
    geo_ok = geo_ok && w->geo_rng && w->cov_ws;
  }
  return w->rng && w->hists && w->dyad_sum && geo_ok;
}

static void ws_free(thread_ws_t *ws, int n) {
  if (!ws) return;
  for (int t = 0; t < n; t++) {
    if (ws[t].rng) gsl_rng_free(ws[t].rng);
    if (ws[t].geo_rng) gsl_rng_free(ws[t].geo_rng);
    osq_cov_ws_free(ws[t].cov_ws);
    free(ws[t].map_planes);
    free(ws[t].map_wraps);
    osq_hist_free(ws[t].hists);
    free(ws[t].dyad_sum);
  }
  free(ws);
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

/* Rank-local counts of the MPI ranks summed into rank 0's (a no-op on one rank). Integer sums are
 * exact in any order; the histograms' minima and maxima are exact too (maxima travel negated, and
 * negation is exact). pack has room for every bin plus 3 counts per histogram, mm for 2 per. */
static void hist_set_reduce(osq_hist_t *h, int S, uint64_t *pack, double *mm) {
  if (osq_mpi_size() == 1) return;
  size_t k = 0;
  for (int s = 0; s < S; s++) {
    pack[k++] = h[s].under;
    pack[k++] = h[s].over;
    pack[k++] = h[s].nan;
    for (int32_t i = 0; i < h[s].nbins; i++) pack[k++] = h[s].counts[i];
    mm[s] = h[s].min;
    mm[S + s] = -h[s].max;
  }
  osq_mpi_sum_u64(pack, k);
  osq_mpi_min_double(mm, 2 * (size_t)S);
  if (!osq_mpi_root()) return;
  k = 0;
  for (int s = 0; s < S; s++) {
    h[s].under = pack[k++];
    h[s].over = pack[k++];
    h[s].nan = pack[k++];
    for (int32_t i = 0; i < h[s].nbins; i++) h[s].counts[i] = pack[k++];
    h[s].min = mm[s];
    h[s].max = -mm[S + s];
  }
}

static size_t hist_pack_len(const osq_hist_t *h, int S) {
  size_t n = 0;
  for (int s = 0; s < S; s++) n += (size_t)h[s].nbins + 3;
  return n;
}

/* Resume (rank 0): the checkpoint's state becomes the run's starting state. The merged records are
 * copied bit for bit, so merging the next blocks continues the uninterrupted run's sequence of
 * operations; the integer counts go into thread 0's workspace and the map cells, to which the
 * other threads' and ranks' counts are added later (exact in any order). */
static int resume_seed(const plan_t *pl, const osq_checkpoint_t *ck, const char *path, osq_welford_t *total,
                       thread_ws_t *ws0, uint64_t *cells, size_t n_cells, osq_error_t *err) {
  const int S = pl->n_slots, P = pl->n_parties, Y = pl->n_years;
  if (!path) path = OSQ_CHECKPOINT_NAME;
  if (ck->n_slots != S || ck->n_parties != P || ck->n_years != Y)
    return osq_error_add(err, OSQ_EINVAL, path, 0,
                         "holds %d statistics of %d parties over %d years; this run has %d of %d over %d (was the "
                         "treaty data changed?)",
                         ck->n_slots, ck->n_parties, ck->n_years, S, P, Y);
  if (ck->geo_stride != pl->geo_stride)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "geography stride %lld, this run's is %lld",
                         (long long)ck->geo_stride, (long long)pl->geo_stride);
  if (ck->n_cells != (uint64_t)n_cells)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "holds a map of %llu cells; this run's has %zu",
                         (unsigned long long)ck->n_cells, n_cells);
  if (osq_hist_set_merge(ws0->hists, ck->hists, S) != OSQ_OK)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "its histograms have other bins than this run's");
  memcpy(total, ck->total, sizeof *total * (size_t)S);
  for (size_t k = 0; k < (size_t)Y * P * P; k++) ws0->dyad_sum[k] += ck->dyad_sum[k];
  for (size_t k = 0; k < n_cells; k++) cells[k] += ck->cells[k];
  ws0->hash += ck->hash;
  ws0->flights += ck->flights;
  ws0->cells_marked += ck->cells_marked;
  return OSQ_OK;
}

/* A partial run's state (rank 0, after the reductions): what resume_seed takes back. */
static osq_checkpoint_t *checkpoint_make(const plan_t *pl, const osq_welford_t *total, const thread_ws_t *ws0,
                                         uint64_t *const *cells, size_t n_cells, const uint64_t sums[3],
                                         int64_t trials, int64_t blocks_done, double wall_seconds) {
  const osq_scenario_t *sc = pl->sc;
  const int S = pl->n_slots, P = pl->n_parties, Y = pl->n_years;
  osq_checkpoint_t *ck = osq_checkpoint_alloc(Y, P, S, ws0->hists, 0);
  if (!ck) return NULL;
  snprintf(ck->version, sizeof ck->version, "%s", OSQ_VERSION);
  snprintf(ck->scenario_hash, sizeof ck->scenario_hash, "%s", sc->hash);
  ck->seed = sc->seed;
  ck->trials = trials;
  ck->block_size = sc->block_size;
  ck->geo_stride = pl->geo_stride;
  ck->blocks_done = blocks_done;
  ck->wall_seconds = wall_seconds;
  ck->hash = sums[0];
  ck->flights = (int64_t)sums[1];
  ck->cells_marked = (int64_t)sums[2];
  memcpy(ck->total, total, sizeof *total * (size_t)S);
  if (osq_hist_set_merge(ck->hists, ws0->hists, S) != OSQ_OK) {
    osq_checkpoint_free(ck);
    return NULL;
  }
  memcpy(ck->dyad_sum, ws0->dyad_sum, sizeof *ck->dyad_sum * (size_t)Y * P * P);
  /* The map counts move to the checkpoint (the map was built from them already). */
  ck->n_cells = n_cells;
  ck->cells = *cells;
  return ck;
}

int osq_run_execute(const osq_scenario_t *sc, const osq_run_opts_t *opts, osq_run_result_t **out, osq_error_t *err) {
  *out = NULL;
  const double t_setup = omp_get_wtime();
  const int64_t trials = opts && opts->trials > 0 ? opts->trials : sc->trials;
  int threads = opts && opts->threads > 0 ? opts->threads : sc->threads > 0 ? sc->threads : omp_get_max_threads();
  if (threads < 1) threads = 1;
  const int64_t B = sc->block_size;
  const int64_t n_blocks = (trials + B - 1) / B;
  /* Blocks held in memory at once (a wave): a few per thread on each rank. The waves must be the
   * same on every rank, so a rank with fewer threads than another sizes them by the largest. */
  const int R = osq_mpi_size(), me = osq_mpi_rank();
  const int64_t per_rank = 4 * (int64_t)osq_mpi_max_int(threads), wave = per_rank * R;
  /* A resumed run starts after the checkpoint's blocks: rank 0 holds the checkpoint and shares
   * where it ends (a sum over ranks of which only rank 0's term is not zero). */
  const osq_checkpoint_t *ck = opts && me == 0 ? opts->resume : NULL;
  uint64_t start_u = ck && ck->blocks_done > 0 ? (uint64_t)ck->blocks_done : 0;
  osq_mpi_allsum_u64(&start_u, 1);
  const int64_t b_start = (int64_t)start_u;

  plan_t pl;
  osq_geo_setup_t geo;
  memset(&pl, 0, sizeof pl);
  memset(&geo, 0, sizeof geo);
  osq_run_result_t *res = calloc(1, sizeof *res);
  int rc = res ? OSQ_OK : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  /* A run that cannot fit is refused before the geography and the workspaces (sim/memory.h). */
  if (rc == OSQ_OK) rc = osq_memory_check(sc, threads, err);
  if (rc == OSQ_OK) rc = osq_geo_setup(sc, &geo, err);
  if (rc == OSQ_OK) rc = plan_build(&pl, sc, geo.world, err);
  pl.geo_stride = osq_geo_stride(sc->geo.trials, trials);
  const int S = pl.n_slots, P = pl.n_parties, Y = pl.n_years;
  const bool want_map = geo.world && sc->map;
  const size_t n_cells = geo.raster ? geo.raster->n_cells : 0;
  /* Each thread counts a cell's imaged trial-years in MAP_PLANES + 32 bits (thread_ws_t): a map
   * that could count more is refused, never wrapped. */
  const uint64_t map_years = (uint64_t)((trials + pl.geo_stride - 1) / pl.geo_stride) * (uint64_t)(Y > 0 ? Y : 1);
  const uint64_t map_years_max = ((uint64_t)1 << (32 + MAP_PLANES)) - 1;
  if (rc == OSQ_OK && want_map && map_years > map_years_max)
    rc = osq_error_add(err, OSQ_ERANGE, sc->path, 0,
                       "a map over %llu trial-years with geography would overflow its counters (at most %llu); "
                       "nothing was run (expected output.map = false, or geo.trials set)",
                       (unsigned long long)map_years, (unsigned long long)map_years_max);
  osq_welford_t *total = NULL, *recs = NULL;
  thread_ws_t *ws = NULL;
  uint64_t *cells = NULL, *pack = NULL;
  double *mm = NULL;
  if (rc == OSQ_OK) {
    /* Rank 0 receives the whole wave; the others hold their share. */
    total = calloc((size_t)S, sizeof *total);
    recs = calloc((size_t)S * (size_t)(me == 0 ? wave : per_rank), sizeof *recs);
    ws = calloc((size_t)threads, sizeof *ws);
    if (want_map) cells = calloc(n_cells, sizeof *cells);
    if (!total || !recs || !ws || (want_map && !cells)) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  }
  /* The map's window: the raster words from the first territory cell's to the last's. */
  size_t map_w0 = 0, map_nw = 0;
  if (rc == OSQ_OK && want_map) {
    const osq_geo_raster_t *g = geo.raster;
    size_t first = n_cells, last = 0;
    for (size_t k = 0; k < n_cells; k++)
      if (g->tid[k] >= 1 && g->tid[k] <= g->n_terr) {
        if (first == n_cells) first = k;
        last = k;
      }
    if (first < n_cells) {
      map_w0 = first / 64;
      map_nw = last / 64 + 1 - map_w0;
    }
  }
  for (int t = 0; rc == OSQ_OK && t < threads; t++)
    if (!ws_init(&ws[t], &pl, &geo, want_map, map_w0, map_nw))
      rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for %d thread workspaces", threads);
  if (rc == OSQ_OK && R > 1) {
    pack = malloc(sizeof *pack * hist_pack_len(ws[0].hists, S));
    mm = malloc(sizeof *mm * 2 * (size_t)S);
    if (!pack || !mm) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  }
  if (rc == OSQ_OK && ck) rc = resume_seed(&pl, ck, opts->resume_path, total, &ws[0], cells, want_map ? n_cells : 0, err);
  if (rc == OSQ_OK && b_start >= n_blocks)
    rc = osq_error_add(err, OSQ_EINVAL, opts ? opts->resume_path : NULL, 0, "holds all %lld blocks of the run already",
                       (long long)n_blocks);
  /* A set-up that failed on any rank (a file one node cannot read, memory) stops every rank. */
  rc = osq_mpi_agree(rc, err);
  const double setup_seconds = omp_get_wtime() - t_setup;

  const double t0 = omp_get_wtime();
  int fail = OSQ_OK;
  int64_t done = b_start * B < trials ? b_start * B : trials, blocks_done = b_start;
  for (int64_t w0 = b_start; rc == OSQ_OK && w0 < n_blocks && fail == OSQ_OK; w0 += wave) {
    const int64_t w1 = w0 + wave < n_blocks ? w0 + wave : n_blocks;
    /* This rank runs blocks [b0, b1) of the wave into recs from its start (rank 0's share starts
     * the wave, so rank 0 then receives the others' behind its own, in block order). */
    int64_t first, count;
    osq_mpi_share(w1 - w0, me, R, &first, &count);
    const int64_t b0 = w0 + first, b1 = b0 + count;
    memset(recs, 0, sizeof *recs * (size_t)S * (size_t)count);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) default(none) \
    shared(pl, ws, recs, fail, b0, b1, B, trials, S)
    for (int64_t b = b0; b < b1; b++) {
      thread_ws_t *tw = &ws[omp_get_thread_num()];
      osq_welford_t *rec = recs + (size_t)(b - b0) * S;
      const int64_t end = (b + 1) * B < trials ? (b + 1) * B : trials;
      for (int64_t t = b * B; t < end; t++) {
        int frc = run_trial(&pl, t, tw, rec, NULL);
        if (frc) {
#pragma omp atomic write
          fail = frc;
          break;
        }
      }
    }
    /* A trial that failed on any rank stops every rank after this wave. */
    fail = osq_mpi_agree(fail, NULL);
    if (fail) break;
    osq_mpi_gather_blocks(recs, sizeof *recs * (size_t)S, w1 - w0);
    for (int64_t b = w0; me == 0 && b < w1; b++)
      for (int s = 0; s < S; s++) osq_welford_merge(&total[s], &recs[(size_t)(b - w0) * S + s]);
    done = w1 * B < trials ? w1 * B : trials;
    blocks_done = w1;
    if (opts && opts->progress) opts->progress(opts->progress_ctx, done, trials);
    /* An interruption takes effect between waves, where the statistics hold whole blocks in
     * block order; every rank takes part in the agreement, so all stop at the same wave. */
    if (opts && (opts->stop || opts->stop_after_blocks > 0) && done < trials) {
      const bool want = (opts->stop && *opts->stop) || (opts->stop_after_blocks > 0 && w1 >= opts->stop_after_blocks);
      if (osq_mpi_max_int(want ? 1 : 0)) {
        res->partial = true;
        break;
      }
    }
  }
  const double wall_seconds = omp_get_wtime() - t0 + (ck ? ck->wall_seconds : 0.0);
  if (rc == OSQ_OK && fail) rc = osq_error_add(err, fail, NULL, 0, "a trial failed: %s", osq_strerror(fail));

  if (rc == OSQ_OK) {
    /* Integer counts: the sum over threads and ranks is exact whatever ran which block. */
    for (int t = 1; t < threads; t++) {
      osq_hist_set_merge(ws[0].hists, ws[t].hists, S);
      for (size_t k = 0; k < (size_t)Y * P * P; k++) ws[0].dyad_sum[k] += ws[t].dyad_sum[k];
    }
    uint64_t sums[3] = {0, 0, 0}; /* hash, flights, cells marked (non-negative int64 as uint64) */
    for (int t = 0; t < threads; t++) {
      sums[0] += ws[t].hash;
      sums[1] += (uint64_t)ws[t].flights;
      sums[2] += (uint64_t)ws[t].cells_marked;
    }
    osq_mpi_allsum_u64(sums, 3);
    hist_set_reduce(ws[0].hists, S, pack, mm);
    osq_mpi_sum_i64(ws[0].dyad_sum, (size_t)Y * P * P);
    for (int t = 0; want_map && t < threads; t++) map_merge(&ws[t], cells, n_cells);
    if (want_map) osq_mpi_sum_u64(cells, n_cells);
    res->hash = sums[0];
    res->flights_completed = (int64_t)sums[1];
    res->cells_marked = (int64_t)sums[2];
    for (int t = 0; t < threads; t++) {
      res->runs_marked += ws[t].runs_marked;
      res->draws += ws[t].draws;
    }
    res->trials_done = done;
    res->trials_resumed = b_start * B < trials ? b_start * B : trials;
    res->threads = threads;
    res->ranks = R;
    /* The job's times: the slowest rank's. */
    res->setup_seconds = osq_mpi_max_double(setup_seconds);
    res->wall_seconds = osq_mpi_max_double(wall_seconds);
    if (me == 0) rc = build_tables(&pl, total, ws[0].hists, ws[0].dyad_sum, done, res, err);
  }
  if (rc == OSQ_OK && want_map && me == 0) {
    /* The map: for each cell of a party's territory, the share of trial-years it was imaged. */
    osq_run_map_t *m = &res->map;
    const osq_geo_raster_t *g = geo.raster;
    m->value = malloc(sizeof *m->value * n_cells);
    m->tid = malloc(n_cells);
    if (!m->value || !m->tid) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for the map");
    const int64_t geo_trials = (done + pl.geo_stride - 1) / pl.geo_stride;
    const double denom = (double)geo_trials * Y;
    for (size_t k = 0; rc == OSQ_OK && k < n_cells; k++) {
      const uint8_t id = g->tid[k];
      m->tid[k] = id;
      m->value[k] = id >= 1 && id <= g->n_terr && denom > 0 ? (float)((double)cells[k] / denom) : NAN;
    }
    m->nlat = g->nlat;
    m->nlon = g->nlon;
    m->res_deg = g->res_deg;
  }
  if (rc == OSQ_OK && res->partial && me == 0) {
    const uint64_t sums[3] = {res->hash, (uint64_t)res->flights_completed, (uint64_t)res->cells_marked};
    res->checkpoint = checkpoint_make(&pl, total, &ws[0], &cells, want_map ? n_cells : 0, sums, trials, blocks_done,
                                      res->wall_seconds);
    if (!res->checkpoint) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for the checkpoint");
    else cells = NULL; /* moved into the checkpoint */
  }
  /* Rank 0 alone built the tables: its outcome is every rank's. */
  rc = osq_mpi_agree(rc, err);
  ws_free(ws, threads);
  free(recs);
  free(total);
  free(cells);
  free(pack);
  free(mm);
  plan_free(&pl);
  osq_geo_teardown(&geo);
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
  osq_geo_setup_t geo;
  int rc = osq_geo_setup(sc, &geo, err);
  if (rc != OSQ_OK) return rc;
  rc = plan_build(&pl, sc, geo.world, err);
  osq_year_t *year = malloc(sizeof *year);
  gsl_rng *rng = osq_rng_gsl_alloc(), *geo_rng = osq_rng_gsl_alloc();
  osq_cov_ws_t *cws = geo.world ? osq_cov_ws_alloc(geo.world) : NULL;
  osq_cov_metrics_t *cm = malloc(sizeof *cm);
  osq_flight_geo_t *fg = malloc(sizeof *fg * OSQ_FLIGHTS_MAX);
  if (rc == OSQ_OK && (!year || !rng || !geo_rng || !cm || !fg || (geo.world && !cws)))
    rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  if (rc == OSQ_OK && fprintf(f, "trial,year,day,observed,observers,status,airfield,distance_km,imaged_km2\n") < 0)
    rc = osq_error_add(err, OSQ_EIO, NULL, 0, "cannot write the flight log");
  for (int64_t t = 0; rc == OSQ_OK && t < k && t < sc->trials; t++) {
    osq_rng_gsl_reset(rng, sc->seed, (uint64_t)t, OSQ_STREAM_MODEL);
    osq_rng_gsl_reset(geo_rng, sc->seed, (uint64_t)t, OSQ_STREAM_GEO);
    for (int y = 0; rc == OSQ_OK && y < pl.n_years; y++) {
      rc = osq_year_simulate(&sc->treaty, &sc->model, &pl.caps[y], rng, year);
      if (rc == OSQ_OK && geo.world) rc = osq_coverage_year(geo.world, &sc->treaty, year, geo_rng, cws, cm, fg);
      if (rc) {
        osq_error_add(err, rc, NULL, 0, "trial %lld failed", (long long)t);
        break;
      }
      int64_t order[OSQ_FLIGHTS_MAX];
      for (int i = 0; i < year->n_flights; i++) order[i] = ((int64_t)year->flights[i].day << 16) | i;
      qsort(order, (size_t)year->n_flights, sizeof order[0], cmp_i64);
      for (int i = 0; i < year->n_flights; i++) {
        const int fi = (int)(order[i] & 0xffff);
        const osq_flight_t *fl = &year->flights[fi];
        char day[11] = "", obs[64] = "", where[OSQ_NAME_MAX + 48] = ",,";
        if (fl->day != OSQ_DAY_NEVER) osq_date_format(fl->day, day);
        /* An observer that was not a party on the day flew nothing: its slot is left out, unless
         * the whole flight is void. */
        for (int o = 0; o < fl->n_obs; o++) {
          if (fl->status != OSQ_FLIGHT_VOID && (fl->void_obs >> o) & 1u) continue;
          size_t u = strlen(obs);
          snprintf(obs + u, sizeof obs - u, "%s%s", u ? "+" : "", sc->treaty.parties[fl->obs[o]].code);
        }
        if (geo.world && fg[fi].airfield >= 0) /* airfield names hold no comma or quote (scenario check) */
          snprintf(where, sizeof where, "%s,%.1f,%.0f", sc->treaty.parties[fl->target].airfields[fg[fi].airfield].name,
                   fg[fi].distance_km, fg[fi].imaged_km2);
        if (fprintf(f, "%lld,%d,%s,%s,%s,%s,%s\n", (long long)t, year->year, day, sc->treaty.parties[fl->target].code,
                    obs, osq_flight_status_name(fl->status), where) < 0) {
          rc = osq_error_add(err, OSQ_EIO, NULL, 0, "cannot write the flight log");
          break;
        }
      }
    }
  }
  gsl_rng_free(rng);
  gsl_rng_free(geo_rng);
  osq_cov_ws_free(cws);
  free(cm);
  free(fg);
  free(year);
  plan_free(&pl);
  osq_geo_teardown(&geo);
  return rc;
}

/* ============================================================================================ */
/* osq compare: several scenarios over the same trials (common random numbers)                 */
/* ============================================================================================ */

int osq_compare_execute(const osq_scenario_t *const *scs, int n, const osq_run_opts_t *opts, osq_compare_t **out,
                        osq_error_t *err) {
  *out = NULL;
  if (n < 1 || n > OSQ_COMPARE_MAX) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "compare takes 1 to %d scenarios", OSQ_COMPARE_MAX);
  const osq_scenario_t *ref = scs[0];
  const int64_t trials = opts && opts->trials > 0 ? opts->trials : ref->trials;
  int threads = opts && opts->threads > 0 ? opts->threads : ref->threads > 0 ? ref->threads : omp_get_max_threads();
  if (threads < 1) threads = 1;
  const int n_years = ref->last_year - ref->first_year + 1;
  for (int k = 1; k < n; k++)
    if (scs[k]->last_year - scs[k]->first_year + 1 != n_years)
      return osq_error_add(err, OSQ_EINVAL, scs[k]->path, 0,
                           "simulates %d years, %s %d (expected the same number of years: rows are paired by year "
                           "position)",
                           scs[k]->last_year - scs[k]->first_year + 1, ref->path, n_years);

  /* Every scenario runs the reference's trials, seed and block size, so trial i of each draws from
   * the same stream: the differences are paired (common random numbers). */
  osq_scenario_t **sc = calloc((size_t)n, sizeof *sc);
  osq_geo_setup_t *geo = calloc((size_t)n, sizeof *geo);
  plan_t *pl = calloc((size_t)n, sizeof *pl);
  thread_ws_t **ws = calloc((size_t)n, sizeof *ws);
  osq_welford_t **total = calloc((size_t)n, sizeof *total), **recs = calloc((size_t)n, sizeof *recs);
  osq_welford_t **dtot = calloc((size_t)n, sizeof *dtot), **drecs = calloc((size_t)n, sizeof *drecs);
  int **pair = calloc((size_t)n, sizeof *pair);
  /* Reference rows a scenario lacks (a party not in force there): counted as zero in it (no flight
   * over a party that left, none of its territory imaged), so the loss shows as a difference. */
  int **phantom = calloc((size_t)n, sizeof *phantom), *n_phantom = calloc((size_t)n, sizeof *n_phantom);
  osq_welford_t **ptot = calloc((size_t)n, sizeof *ptot), **precs = calloc((size_t)n, sizeof *precs);
  double **vals = NULL;
  int rc = (sc && geo && pl && ws && total && recs && dtot && drecs && pair && phantom && n_phantom && ptot && precs)
               ? OSQ_OK
                                                                              : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  /* Waves as in osq_run_execute: a few blocks per thread on each rank; rank 0 receives them all. */
  const int R = osq_mpi_size(), me = osq_mpi_rank();
  const int64_t per_rank = 4 * (int64_t)osq_mpi_max_int(threads), wave = per_rank * R;
  const int64_t held = me == 0 ? wave : per_rank;
  const int64_t B = ref->block_size, n_blocks = (trials + B - 1) / B;
  if (rc == OSQ_OK) rc = osq_memory_check_compare(scs, n, threads, err);
  for (int k = 0; rc == OSQ_OK && k < n; k++) {
    sc[k] = malloc(sizeof *sc[k]);
    if (!sc[k]) {
      rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
      break;
    }
    *sc[k] = *scs[k];
    sc[k]->seed = ref->seed;
    sc[k]->trials = trials;
    sc[k]->block_size = B;
    sc[k]->map = false;
    rc = osq_geo_setup(sc[k], &geo[k], err);
    if (rc == OSQ_OK) rc = plan_build(&pl[k], sc[k], geo[k].world, err);
    pl[k].geo_stride = osq_geo_stride(sc[k]->geo.trials, trials);
    if (rc != OSQ_OK) break;
    const int S = pl[k].n_slots;
    total[k] = calloc((size_t)S, sizeof **total);
    dtot[k] = calloc((size_t)S, sizeof **dtot);
    recs[k] = calloc((size_t)S * (size_t)held, sizeof **recs);
    drecs[k] = calloc((size_t)S * (size_t)held, sizeof **drecs);
    pair[k] = malloc(sizeof **pair * (size_t)S);
    ws[k] = calloc((size_t)threads, sizeof **ws);
    if (!total[k] || !dtot[k] || !recs[k] || !drecs[k] || !pair[k] || !ws[k]) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
    for (int t = 0; rc == OSQ_OK && t < threads; t++)
      if (!ws_init(&ws[k][t], &pl[k], &geo[k], false, 0, 0)) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
    /* The reference slot of each slot: same year position, metric and party code. */
    for (int s = 0; rc == OSQ_OK && s < S; s++) {
      const slot_t *a = &pl[k].slots[s];
      const char *code = a->party >= 0 ? sc[k]->treaty.parties[a->party].code : osq_agg_name(-1 - a->party);
      pair[k][s] = -1;
      for (int r = 0; r < pl[0].n_slots && k > 0; r++) {
        const slot_t *b = &pl[0].slots[r];
        const char *rcode = b->party >= 0 ? sc[0]->treaty.parties[b->party].code : osq_agg_name(-1 - b->party);
        if (b->year_idx == a->year_idx && b->metric == a->metric && strcmp(code, rcode) == 0) pair[k][s] = r;
      }
      if (k == 0) pair[k][s] = s;
    }
    if (rc != OSQ_OK || k == 0) continue;
    phantom[k] = malloc(sizeof **phantom * (size_t)(pl[0].n_slots + 1));
    ptot[k] = calloc((size_t)pl[0].n_slots + 1, sizeof **ptot);
    precs[k] = calloc((size_t)(pl[0].n_slots + 1) * (size_t)held, sizeof **precs);
    if (!phantom[k] || !ptot[k] || !precs[k]) {
      rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
      continue;
    }
    for (int r = 0; r < pl[0].n_slots; r++) {
      const metric_t m = (metric_t)pl[0].slots[r].metric;
      if (m == M_REVISIT_DAYS || m == M_DYAD_DENSITY) continue; /* no value, not zero */
      bool matched = false;
      for (int s2 = 0; s2 < pl[k].n_slots && !matched; s2++) matched = pair[k][s2] == r;
      if (!matched) phantom[k][n_phantom[k]++] = r;
    }
  }
  /* Per thread, one value per slot and scenario of the current trial. */
  int max_s = 0;
  for (int k = 0; rc == OSQ_OK && k < n; k++) max_s = pl[k].n_slots > max_s ? pl[k].n_slots : max_s;
  if (rc == OSQ_OK) {
    vals = calloc((size_t)threads, sizeof *vals);
    if (!vals) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
    for (int t = 0; rc == OSQ_OK && t < threads; t++) {
      vals[t] = malloc(sizeof **vals * (size_t)max_s * (size_t)n);
      if (!vals[t]) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
    }
  }
  /* A set-up that failed on any rank stops every rank. */
  rc = osq_mpi_agree(rc, err);

  int fail = OSQ_OK;
  int64_t done = 0;
  for (int64_t w0 = 0; rc == OSQ_OK && w0 < n_blocks && fail == OSQ_OK; w0 += wave) {
    const int64_t w1 = w0 + wave < n_blocks ? w0 + wave : n_blocks;
    /* This rank's blocks [b0, b1) of the wave, into the record arrays from their start. */
    int64_t first, count;
    osq_mpi_share(w1 - w0, me, R, &first, &count);
    const int64_t b0 = w0 + first, b1 = b0 + count;
    for (int k = 0; k < n; k++) {
      memset(recs[k], 0, sizeof **recs * (size_t)pl[k].n_slots * (size_t)count);
      memset(drecs[k], 0, sizeof **drecs * (size_t)pl[k].n_slots * (size_t)count);
      if (k > 0) memset(precs[k], 0, sizeof **precs * (size_t)(pl[0].n_slots + 1) * (size_t)count);
    }
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) default(none) \
    shared(pl, ws, recs, drecs, precs, phantom, n_phantom, vals, pair, fail, b0, b1, B, trials, n, max_s)
    for (int64_t b = b0; b < b1; b++) {
      const int tid = omp_get_thread_num();
      double *v = vals[tid];
      const int64_t end = (b + 1) * B < trials ? (b + 1) * B : trials;
      for (int64_t t = b * B; t < end; t++) {
        for (int k = 0; k < n; k++) {
          const int S = pl[k].n_slots;
          int frc = run_trial(&pl[k], t, &ws[k][tid], recs[k] + (size_t)(b - b0) * S, v + (size_t)k * max_s);
          if (frc) {
#pragma omp atomic write
            fail = frc;
            break;
          }
        }
        for (int k = 0; k < n; k++) {
          const int S = pl[k].n_slots;
          osq_welford_t *d = drecs[k] + (size_t)(b - b0) * S;
          for (int s = 0; s < S; s++) {
            const int r = pair[k][s];
            if (r < 0) continue;
            const double x = v[(size_t)k * max_s + s] - v[r];
            if (!isnan(x)) osq_welford_add(&d[s], x);
          }
          if (k == 0) continue;
          osq_welford_t *pd = precs[k] + (size_t)(b - b0) * (size_t)(pl[0].n_slots + 1);
          for (int q = 0; q < n_phantom[k]; q++) {
            const double x = 0.0 - v[phantom[k][q]];
            if (!isnan(x)) osq_welford_add(&pd[q], x);
          }
        }
      }
    }
    /* A trial that failed on any rank stops every rank after this wave. */
    fail = osq_mpi_agree(fail, NULL);
    if (fail) break;
    for (int k = 0; k < n; k++) {
      osq_mpi_gather_blocks(recs[k], sizeof **recs * (size_t)pl[k].n_slots, w1 - w0);
      osq_mpi_gather_blocks(drecs[k], sizeof **drecs * (size_t)pl[k].n_slots, w1 - w0);
      if (k > 0) osq_mpi_gather_blocks(precs[k], sizeof **precs * (size_t)(pl[0].n_slots + 1), w1 - w0);
    }
    for (int k = 0; me == 0 && k < n; k++) {
      const int S = pl[k].n_slots;
      for (int64_t b = w0; b < w1; b++)
        for (int s = 0; s < S; s++) {
          osq_welford_merge(&total[k][s], &recs[k][(size_t)(b - w0) * S + s]);
          osq_welford_merge(&dtot[k][s], &drecs[k][(size_t)(b - w0) * S + s]);
        }
      for (int64_t b = w0; k > 0 && b < w1; b++)
        for (int q = 0; q < n_phantom[k]; q++)
          osq_welford_merge(&ptot[k][q], &precs[k][(size_t)(b - w0) * (size_t)(pl[0].n_slots + 1) + q]);
    }
    done = w1 * B < trials ? w1 * B : trials;
    if (opts && opts->progress) opts->progress(opts->progress_ctx, done, trials);
  }
  if (rc == OSQ_OK && fail) rc = osq_error_add(err, fail, NULL, 0, "a trial failed: %s", osq_strerror(fail));

  /* The hashes are sums over trials: over threads, then over ranks (exact). */
  uint64_t hashes[OSQ_COMPARE_MAX] = {0};
  for (int k = 0; rc == OSQ_OK && k < n; k++)
    for (int t = 0; t < threads; t++) hashes[k] += ws[k][t].hash;
  if (rc == OSQ_OK) osq_mpi_sum_u64(hashes, (size_t)n);
  /* Only rank 0 holds the merged records: it alone builds the table. */
  osq_compare_t *cmp = rc == OSQ_OK && me == 0 ? osq_compare_alloc() : NULL;
  if (rc == OSQ_OK && me == 0 && !cmp) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int k = 0; rc == OSQ_OK && me == 0 && k < n; k++) {
    const uint64_t hash = hashes[k];
    osq_run_header_t h;
    osq_run_header_init(&h);
    h.scenario_name = sc[k]->name;
    h.scenario_path = sc[k]->path;
    snprintf(h.scenario_hash, sizeof h.scenario_hash, "%s", sc[k]->hash);
    h.seed = sc[k]->seed;
    h.trials = trials;
    h.trials_done = done;
    h.threads = threads;
    h.rng = OSQ_RNG_NAME;
    h.block_size = B;
    osq_hash_hex(hash, h.verification_hash);
    int idx;
    rc = osq_compare_add_scenario(cmp, &h, &idx);
    for (int s = 0; rc == OSQ_OK && s < pl[k].n_slots; s++) {
      const slot_t *sl = &pl[k].slots[s];
      osq_summary_t a, d;
      osq_summarize(&total[k][s], NULL, &a);
      osq_summarize(&dtot[k][s], NULL, &d);
      osq_compare_row_t row = {.scenario = idx, .year = sc[k]->first_year + sl->year_idx, .mean = a.mean,
                               .ci95_lo = a.ci95_lo, .ci95_hi = a.ci95_hi};
      if (k == 0) {
        row.diff = row.diff_ci95_lo = row.diff_ci95_hi = 0.0;
      } else if (pair[k][s] < 0) {
        row.diff = row.diff_ci95_lo = row.diff_ci95_hi = NAN;
      } else {
        row.diff = d.mean;
        row.diff_ci95_lo = d.ci95_lo;
        row.diff_ci95_hi = d.ci95_hi;
      }
      snprintf(row.metric, sizeof row.metric, "%s", METRIC_NAMES[sl->metric]);
      snprintf(row.party, sizeof row.party, "%s",
               sl->party >= 0 ? sc[k]->treaty.parties[sl->party].code : osq_agg_name(-1 - sl->party));
      rc = osq_compare_add(cmp, &row);
    }
    for (int q = 0; rc == OSQ_OK && k > 0 && q < n_phantom[k]; q++) {
      const slot_t *sl = &pl[0].slots[phantom[k][q]];
      osq_summary_t d;
      osq_summarize(&ptot[k][q], NULL, &d);
      osq_compare_row_t row = {.scenario = idx, .year = sc[k]->first_year + sl->year_idx, .mean = 0.0, .ci95_lo = 0.0,
                               .ci95_hi = 0.0, .diff = d.mean, .diff_ci95_lo = d.ci95_lo, .diff_ci95_hi = d.ci95_hi};
      snprintf(row.metric, sizeof row.metric, "%s", METRIC_NAMES[sl->metric]);
      snprintf(row.party, sizeof row.party, "%s",
               sl->party >= 0 ? sc[0]->treaty.parties[sl->party].code : osq_agg_name(-1 - sl->party));
      rc = osq_compare_add(cmp, &row);
    }
  }

  /* Rank 0 alone built the table: its outcome is every rank's. */
  rc = osq_mpi_agree(rc, err);
  for (int k = 0; k < n; k++) {
    if (ws && ws[k]) ws_free(ws[k], threads);
    if (total) free(total[k]);
    if (dtot) free(dtot[k]);
    if (recs) free(recs[k]);
    if (drecs) free(drecs[k]);
    if (pair) free(pair[k]);
    if (phantom) free(phantom[k]);
    if (ptot) free(ptot[k]);
    if (precs) free(precs[k]);
    if (pl) plan_free(&pl[k]);
    if (geo) osq_geo_teardown(&geo[k]);
    if (sc) free(sc[k]);
  }
  for (int t = 0; vals && t < threads; t++) free(vals[t]);
  free(vals);
  free(ws);
  free(total);
  free(dtot);
  free(recs);
  free(drecs);
  free(pair);
  free(phantom);
  free(n_phantom);
  free(ptot);
  free(precs);
  free(pl);
  free(geo);
  free(sc);
  if (rc != OSQ_OK) {
    osq_compare_free(cmp);
    return rc;
  }
  *out = cmp;
  return OSQ_OK;
}
