/*
 * trial.c owns one trial of a prepared scenario (see trial.h): the preparation, the per-thread
 * workspaces, the trial itself, the coverage map's per-thread counts, and what is done with the
 * threads' integer counts after the loop.
 */
#include "sim/engine/trial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/bits.h"
#include "sim/input/hash.h"
#include "sim/engine/mpi.h"
#include "models/rng.h"

/* Runs of at least this many trials build the demand draws' tables (osq_quota_caps_tables): the
 * 2019 treaty's take about 0.16 ms to build (bench/quota.cfg's set-up, 0.27 -> 0.44 ms) and save
 * about 0.35 µs a trial-year (its trial loop, 20,000 trials: 7 ms), so they pay from about 460. */
#define OSQ_TABLE_TRIALS 500

#define MAP_PLANES 8 /* bits of the map's per-thread counters before they wrap (osq_trial_ws_t) */

#if defined(__GNUC__)
#define OSQ_PREFETCH(p) __builtin_prefetch((p), 1)
#else
#define OSQ_PREFETCH(p) ((void)(p))
#endif

/* ---- preparation ---- */

int osq_trial_prep_init(osq_trial_prep_t *p, const osq_scenario_t *sc, int64_t trials, bool want_map,
                        osq_error_t *err) {
  osq_geo_setup_t geo;
  const int rc = osq_geo_setup(sc, &geo, err);
  if (rc != OSQ_OK) {
    memset(p, 0, sizeof *p);
    return rc;
  }
  return osq_trial_prep_init_geo(p, sc, trials, want_map, &geo, err);
}

int osq_trial_prep_init_geo(osq_trial_prep_t *p, const osq_scenario_t *sc, int64_t trials, bool want_map,
                            osq_geo_setup_t *geo, osq_error_t *err) {
  memset(p, 0, sizeof *p);
  p->sc = sc;
  p->trials = trials;
  p->n_years = sc->last_year - sc->first_year + 1;
  p->n_parties = sc->treaty.n_parties;
  p->geo_stride = osq_scenario_geo_stride(sc, trials);
  p->geo = *geo;
  memset(geo, 0, sizeof *geo);
  int rc;
  p->caps = calloc((size_t)p->n_years, sizeof *p->caps);
  p->params = calloc((size_t)p->n_years, sizeof *p->params);
  p->myear = calloc((size_t)p->n_years, sizeof *p->myear);
  if (!p->caps || !p->params || !p->myear) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int y = 0; y < p->n_years; y++) {
    osq_model_params_for_year(&sc->model, sc->first_year + y, &p->params[y]);
    rc = osq_quota_caps(&sc->treaty, &p->params[y], sc->first_year + y, &p->caps[y]);
    if (rc) return osq_error_add(err, rc, NULL, 0, "cannot compute the quotas of %d", sc->first_year + y);
    /* with or without the demand draws' tables, every draw and result is the same */
    if (trials >= OSQ_TABLE_TRIALS) osq_quota_caps_tables(&p->caps[y]);
    osq_metrics_year(&sc->treaty, sc->first_year + y, &p->myear[y]);
  }
  rc = osq_slots_build(&p->slots, sc, p->geo.world != NULL, err);
  if (rc != OSQ_OK) return rc;
  p->map = want_map && p->geo.world;
  if (p->map) {
    /* The map's window: the raster words from the first territory cell's to the last's (nothing
     * else is ever imaged). */
    const osq_geo_raster_t *g = p->geo.raster;
    size_t first = g->n_cells, last = 0;
    for (size_t k = 0; k < g->n_cells; k++)
      if (g->tid[k] >= 1 && g->tid[k] <= g->n_terr) {
        if (first == g->n_cells) first = k;
        last = k;
      }
    if (first < g->n_cells) {
      p->map_w0 = first / 64;
      p->map_nw = last / 64 + 1 - p->map_w0;
    }
  }
  return OSQ_OK;
}

void osq_trial_prep_free(osq_trial_prep_t *p) {
  free(p->caps);
  free(p->params);
  free(p->myear);
  p->caps = NULL;
  p->params = NULL;
  p->myear = NULL;
  osq_slots_free(&p->slots);
  osq_geo_teardown(&p->geo);
}

/* ---- workspaces ---- */

static osq_hist_t *hist_set_alloc(const osq_trial_prep_t *p) {
  const int S = p->slots.n;
  double *lo = malloc(sizeof(double) * (size_t)S), *w = malloc(sizeof(double) * (size_t)S);
  int *nb = malloc(sizeof(int) * (size_t)S);
  osq_hist_t *h = NULL;
  if (lo && w && nb) {
    for (int s = 0; s < S; s++) {
      const osq_slot_t *sl = &p->slots.slot[s];
      osq_slot_bins(sl, p->sc, &p->caps[sl->year_idx], p->geo.world, &lo[s], &w[s], &nb[s]);
    }
    h = osq_hist_set_alloc(S, lo, w, nb);
  }
  free(lo);
  free(w);
  free(nb);
  return h;
}

bool osq_trial_ws_init(osq_trial_ws_t *w, const osq_trial_prep_t *p, unsigned acc) {
  memset(w, 0, sizeof *w);
  w->rng = osq_rng_gsl_alloc();
  bool ok = w->rng != NULL;
  if (acc & OSQ_ACC_HIST) ok = ok && (w->hists = hist_set_alloc(p)) != NULL;
  if (acc & OSQ_ACC_DYADS)
    ok = ok && (w->dyad_sum = osq_lines_calloc((size_t)p->n_years * p->n_parties * p->n_parties, sizeof *w->dyad_sum));
  if (p->geo.world) {
    w->geo_rng = osq_rng_gsl_alloc();
    w->cov_ws = osq_cov_ws_alloc(p->geo.world);
    ok = ok && w->geo_rng && w->cov_ws;
    if (p->map) {
      const size_t words = (p->geo.raster->n_cells + 63) / 64;
      w->map_planes = calloc(words * MAP_PLANES, sizeof *w->map_planes);
      w->map_wraps = calloc(words * 64, sizeof *w->map_wraps);
      ok = ok && w->map_planes && w->map_wraps;
    }
  }
  return ok;
}

void osq_trial_ws_free(osq_trial_ws_t *w) {
  if (w->rng) gsl_rng_free(w->rng);
  if (w->geo_rng) gsl_rng_free(w->geo_rng);
  osq_cov_ws_free(w->cov_ws);
  free(w->map_planes);
  free(w->map_wraps);
  osq_hist_free(w->hists);
  free(w->dyad_sum);
  memset(w, 0, sizeof *w);
}

osq_trial_ws_t *osq_trial_ws_array_alloc(int n) {
  _Static_assert(_Alignof(osq_trial_ws_t) == 64, "a workspace starts a cache line");
  return n < 1 ? NULL : osq_lines_calloc((size_t)n, sizeof(osq_trial_ws_t));
}

/* ---- the coverage map's counts ---- */

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

/* Count one trial-year's imaged cells (the year's bitmap over the raster) into the map. A year is
 * counted by reading its bitmap in order over the map's window, one addition per word with imaged
 * cells: a read-modify-write per imaged cell, in the order the swaths marked them, went to
 * scattered addresses and took 12 % of the trial loop. The words that hold imaged cells are listed
 * first, a batch at a time and without a branch on the data, then added, each word's planes
 * fetched a few words ahead (a cache line each, spread over megabytes). */
static void map_add_year(const osq_trial_prep_t *p, osq_trial_ws_t *ws, const uint64_t *bits) {
  enum { BATCH = 256, AHEAD = 8 };
  uint32_t nz[BATCH];
  size_t w = p->map_w0;
  const size_t end = p->map_w0 + p->map_nw;
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
static void map_merge(const osq_trial_prep_t *p, const osq_trial_ws_t *ws, uint64_t *cells) {
  const size_t n_cells = p->geo.raster->n_cells;
  for (size_t w = p->map_w0; w < p->map_w0 + p->map_nw; w++) {
    const uint64_t *x = ws->map_planes + w * MAP_PLANES;
    for (size_t k = w * 64; k < (w + 1) * 64 && k < n_cells; k++) {
      uint64_t c = (uint64_t)ws->map_wraps[k] << MAP_PLANES;
      for (int b = 0; b < MAP_PLANES; b++) c |= ((x[b] >> (k & 63)) & 1u) << b;
      cells[k] += c;
    }
  }
}

/* ---- one trial ---- */

/* A trial year's geography: its coverage, the map counts and the coverage metrics in the digest. */
static int trial_geo(const osq_trial_prep_t *p, osq_trial_ws_t *ws, osq_digest_t *dg, osq_flight_geo_t *fg) {
  osq_cov_metrics_t *c = &ws->cov;
  int rc = osq_cov_year(p->geo.world, &p->sc->treaty, &ws->year, ws->geo_rng, ws->cov_ws, c, fg);
  if (rc) return rc;
  ws->cells_marked += c->cells_marked;
  ws->runs_marked += c->runs_marked;
  if (ws->map_planes) map_add_year(p, ws, osq_cov_ws_year_bits(ws->cov_ws));
  for (int i = 0; i < p->n_parties; i++) {
    osq_digest_double(dg, c->coverage[i]);
    osq_digest_double(dg, c->buildup_detect[i]);
    osq_digest_double(dg, c->revisit_days[i]);
    osq_digest_double(dg, c->imagery_own[i]);
  }
  osq_digest_double(dg, c->coverage_fixed);
  return OSQ_OK;
}

/* A trial year's flight metrics: the dyad sums and the digest. Each step of a digest waits for the
 * one before (folding all P x P dyads one by one, most of them zero, was a chain of a thousand
 * multiplications a year), so the digest takes the integers packed into 64-bit words, and of the
 * dyad matrix only the dyads that flew, as one sum of their mixed (observer, observed, flights)
 * words: a sum's terms do not wait for each other, and it does not depend on their order. */
static void trial_counts(const osq_trial_prep_t *p, osq_trial_ws_t *ws, int y, osq_digest_t *dg) {
  const int P = p->n_parties;
  const osq_metrics_t *m = &ws->metrics;
  int64_t *ds = ws->dyad_sum ? ws->dyad_sum + (size_t)y * P * P : NULL;
  osq_digest_u64(dg, (uint64_t)(m->plans_agreed != 0) << 63 | (uint64_t)(uint32_t)m->flights << 32 |
                         (uint32_t)m->flights_active);
  for (int i = 0; i < P; i += 2) { /* two parties a word: flights over and by, 16 bits each */
    uint64_t v = (uint64_t)(uint16_t)m->flights_over[i] | (uint64_t)(uint16_t)m->flights_by[i] << 16;
    if (i + 1 < P) v |= (uint64_t)(uint16_t)m->flights_over[i + 1] << 32 | (uint64_t)(uint16_t)m->flights_by[i + 1] << 48;
    osq_digest_u64(dg, v);
  }
  uint64_t dyads = 0;
  for (int k = 0; k < m->dyads; k++) {
    const int i = m->dyad_list[k] >> 6, j = m->dyad_list[k] & 63;
    if (ds) ds[(size_t)i * P + j] += m->dyad[i][j];
    dyads += osq_mix64((uint64_t)(i * 64 + j) << 16 | (uint16_t)m->dyad[i][j]);
  }
  osq_digest_u64(dg, dyads);
  ws->flights += m->flights;
}

int osq_trial_run(const osq_trial_prep_t *p, int64_t trial, osq_trial_ws_t *ws, osq_welford_t *rec, double *vals,
                  const osq_trial_hook_t *hook) {
  const osq_scenario_t *sc = p->sc;
  osq_rng_gsl_reset(ws->rng, sc->seed, (uint64_t)trial, OSQ_STREAM_MODEL);
  /* Geography is the costly part of a trial: it may be limited to about geo.trials trials, every
   * geo_stride-th one, spread over all blocks so that the threads share the work; the coverage
   * rows then carry that n. Which trials is a function of the index and the trial count alone. */
  const bool geo = p->geo.world && (trial % p->geo_stride == 0 || (hook && hook->all_geo));
  if (geo) osq_rng_gsl_reset(ws->geo_rng, sc->seed, (uint64_t)trial, OSQ_STREAM_GEO);
  osq_digest_t dg;
  osq_digest_init(&dg);
  for (int y = 0; y < p->n_years; y++) {
    int rc = osq_quota_simulate(&sc->treaty, &p->params[y], &p->caps[y], ws->rng, &ws->year);
    if (rc) return rc;
    osq_metrics_count(&p->myear[y], &ws->year, &ws->metrics);
    if (!geo && p->geo.world) osq_cov_metrics_nan(&ws->cov);
    if (geo && (rc = trial_geo(p, ws, &dg, hook ? hook->fg : NULL)) != OSQ_OK) return rc;
    if (hook && hook->year) hook->year(hook->ctx, trial, y, &ws->year, &ws->metrics, hook->fg);
    if (!rec && !vals) continue;
    for (int s = p->slots.year_first[y]; s < p->slots.year_first[y + 1]; s++) {
      const double v = osq_slot_value(&p->slots.slot[s], &ws->metrics, &ws->cov);
      if (vals) vals[s] = v;
      if (!rec || isnan(v)) continue; /* undefined this trial (e.g. no site imaged twice): n counts the rest */
      osq_welford_add(&rec[s], v);
      if (ws->hists) osq_hist_add(&ws->hists[s], v);
    }
    if (rec) trial_counts(p, ws, y, &dg);
  }
  ws->draws += (int64_t)osq_rng_words(osq_rng_gsl_state(ws->rng));
  if (geo) ws->draws += (int64_t)osq_rng_words(osq_rng_gsl_state(ws->geo_rng));
  if (rec) ws->hash += osq_hash_trial((uint64_t)trial, dg.h);
  return OSQ_OK;
}

/* ---- after the loop ---- */

int osq_trial_hist_reduce(osq_hist_t *h, int S, osq_error_t *err) {
  if (osq_mpi_size() == 1) return OSQ_OK;
  size_t len = 0;
  for (int s = 0; s < S; s++) len += (size_t)h[s].nbins + 3;
  uint64_t *pack = malloc(sizeof *pack * len);
  double *mm = malloc(sizeof *mm * 2 * (size_t)S);
  int rc = pack && mm ? OSQ_OK : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  rc = osq_mpi_agree(rc, err);
  if (rc == OSQ_OK) {
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
    k = 0;
    for (int s = 0; osq_mpi_root() && s < S; s++) {
      h[s].under = pack[k++];
      h[s].over = pack[k++];
      h[s].nan = pack[k++];
      for (int32_t i = 0; i < h[s].nbins; i++) h[s].counts[i] = pack[k++];
      h[s].min = mm[s];
      h[s].max = -mm[S + s];
    }
  }
  free(pack);
  free(mm);
  return rc;
}

int osq_trial_ws_reduce(osq_trial_ws_t *ws, int threads, const osq_trial_prep_t *p, uint64_t *cells, osq_error_t *err) {
  const int S = p->slots.n;
  const size_t dyads = (size_t)p->n_years * p->n_parties * p->n_parties;
  for (int t = 1; t < threads; t++) {
    if (ws[0].hists) osq_hist_set_merge(ws[0].hists, ws[t].hists, S);
    for (size_t k = 0; ws[0].dyad_sum && k < dyads; k++) ws[0].dyad_sum[k] += ws[t].dyad_sum[k];
  }
  /* hash, flights, cells marked: on every rank (non-negative int64 counts travel as uint64) */
  uint64_t sums[3] = {0, 0, 0};
  for (int t = 0; t < threads; t++) {
    sums[0] += ws[t].hash;
    sums[1] += (uint64_t)ws[t].flights;
    sums[2] += (uint64_t)ws[t].cells_marked;
  }
  osq_mpi_allsum_u64(sums, 3);
  for (int t = 1; t < threads; t++) {
    ws[0].runs_marked += ws[t].runs_marked;
    ws[0].draws += ws[t].draws;
  }
  ws[0].hash = sums[0];
  ws[0].flights = (int64_t)sums[1];
  ws[0].cells_marked = (int64_t)sums[2];
  if (ws[0].hists) {
    int rc = osq_trial_hist_reduce(ws[0].hists, S, err);
    if (rc != OSQ_OK) return rc;
  }
  if (ws[0].dyad_sum) osq_mpi_sum_i64(ws[0].dyad_sum, dyads);
  if (cells && p->map) {
    for (int t = 0; t < threads; t++) map_merge(p, &ws[t], cells);
    osq_mpi_sum_u64(cells, p->geo.raster->n_cells);
  }
  return OSQ_OK;
}

int osq_trial_tables(const osq_trial_prep_t *p, const osq_welford_t *total, const osq_hist_t *hists,
                     const int64_t *dyad_sum, int64_t n, osq_table_t **table, osq_dyad_table_t **dyads,
                     osq_error_t *err) {
  const osq_scenario_t *sc = p->sc;
  const osq_treaty_t *t = &sc->treaty;
  *table = osq_table_alloc(sc->name);
  *dyads = osq_dyad_table_alloc(sc->name);
  if (!*table || !*dyads) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int s = 0; s < p->slots.n; s++) {
    const osq_slot_t *sl = &p->slots.slot[s];
    osq_summary_t sum;
    osq_summarize(&total[s], &hists[s], &sum);
    osq_row_t row = {.year = sc->first_year + sl->year_idx, .n = sum.n, .mean = sum.mean, .sd = sum.sd, .se = sum.se,
                     .ci95_lo = sum.ci95_lo, .ci95_hi = sum.ci95_hi, .p05 = sum.p05, .p50 = sum.p50, .p95 = sum.p95};
    snprintf(row.metric, sizeof row.metric, "%s", osq_slot_metric_name(sl->metric));
    snprintf(row.party, sizeof row.party, "%s", osq_slot_party(sl, t));
    if (osq_table_add(*table, &row)) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  }
  const int P = p->n_parties;
  for (int y = 0; y < p->n_years; y++) {
    const int year = sc->first_year + y;
    for (int i = 0; i < P; i++) {
      if (!osq_party_in_force_year(&t->parties[i], year)) continue;
      for (int j = 0; j < P; j++) {
        if (j == i || !osq_party_in_force_year(&t->parties[j], year)) continue;
        osq_dyad_row_t d = {.year = year, .mean_flights = (double)dyad_sum[((size_t)y * P + i) * P + j] / (double)n};
        snprintf(d.observer, sizeof d.observer, "%s", t->parties[i].code);
        snprintf(d.observed, sizeof d.observed, "%s", t->parties[j].code);
        if (osq_dyad_table_add(*dyads, &d)) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
      }
    }
  }
  return OSQ_OK;
}
