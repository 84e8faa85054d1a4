/*
 * trial.h owns one trial of a prepared scenario: the read-only preparation shared by every thread
 * (the geography, the quota caps of each year, the slots), the per-thread workspace allocated once
 * before the trial loop (scratch, random streams and the thread's integer counts), and
 * osq_trial_run(), which simulates every year of one trial into caller-owned accumulators.
 *
 * Every command that simulates (run, compare, the flight log, bench) calls osq_trial_run(); the
 * wave driver (sim/engine/waves.h) calls it from its one OpenMP loop. A trial draws only from its own
 * Philox streams, keyed by (seed, trial index), so its result does not depend on which thread or
 * rank runs it. Nothing here allocates, prints or takes a lock while a trial runs.
 */
#ifndef OSQ_TRIAL_H
#define OSQ_TRIAL_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/coverage.h"
#include "models/errors.h"
#include "models/metrics.h"
#include "models/quota.h"
#include "results/table.h"
#include "sim/engine/geosetup.h"
#include "sim/input/scenario.h"
#include "sim/engine/slots.h"
#include "sim/engine/stats.h"

/** A scenario prepared for its trials: read-only once built, shared by every thread. */
typedef struct {
  const osq_scenario_t *sc;  /**< the scenario (not owned) */
  osq_geo_setup_t geo;       /**< its geography (owned, but a shared raster; all NULL without geography) */
  int64_t trials;            /**< the run's trial count (it fixes the geography stride) */
  int64_t geo_stride;        /**< geography on trials t with t % geo_stride == 0 */
  int n_years, n_parties;
  osq_model_params_t *params; /**< [n_years] each year's parameters (model.years applied) */
  osq_quota_caps_t *caps;    /**< [n_years] what the rules allow each year */
  osq_metrics_year_t *myear; /**< [n_years] what each year's metrics take from the treaty */
  osq_slots_t slots;         /**< the reported statistics */
  bool map;                  /**< count each raster cell's imaged trial-years (the coverage map) */
  size_t map_w0, map_nw;     /**< the raster words that hold territory: the map's window */
} osq_trial_prep_t;

/**
 * Prepare sc for `trials` trials: its geography (unless sc->geo.enabled is false), the caps of each
 * year and the slots; with want_map (and geography) the coverage map's window too.
 * @return 0, or an error with detail in err (the geography's, OSQ_ENOMEM, the caps' errors)
 */
int osq_trial_prep_init(osq_trial_prep_t *p, const osq_scenario_t *sc, int64_t trials, bool want_map, osq_error_t *err);

/**
 * osq_trial_prep_init over a geography set up elsewhere (sim/engine/geosetup.h: a study's scenarios
 * share one raster, its points their scenario's world): *geo is moved into p, which frees it as
 * osq_geo_teardown does (a shared raster stays its owner's), on failure too (osq_trial_prep_free).
 */
int osq_trial_prep_init_geo(osq_trial_prep_t *p, const osq_scenario_t *sc, int64_t trials, bool want_map,
                            osq_geo_setup_t *geo, osq_error_t *err);

/** Free what osq_trial_prep_init built (a zeroed struct is fine). */
void osq_trial_prep_free(osq_trial_prep_t *p);

/** What a workspace accumulates besides the block records: OSQ_ACC_* bits. */
enum {
  OSQ_ACC_HIST = 1u,  /**< one histogram per slot (quantiles) */
  OSQ_ACC_DYADS = 2u, /**< completed flights per observer->observed pair and year */
};

/** One thread's workspace for one prepared scenario: scratch, streams and integer counts. The
 *  struct is aligned to a cache line and its counts start a line of their own, so that in an array
 *  of them (one per thread, osq_trial_ws_array_alloc) no line holds two threads' data: the year's
 *  scratch, written at every flight, once shared a line with the previous workspace's counts. */
typedef struct {
  osq_year_t year;
  osq_metrics_t metrics;
  osq_cov_metrics_t cov;
  osq_cov_ws_t *cov_ws;      /**< NULL without geography */
  gsl_rng *rng, *geo_rng;    /**< the trial's model and geography streams */
  osq_hist_t *hists;         /**< one per slot, or NULL (no OSQ_ACC_HIST) */
  int64_t *dyad_sum;         /**< [n_years][P][P], or NULL (no OSQ_ACC_DYADS) */
  /* The trial-years in which each raster cell was imaged, as 8-bit counters in bit planes
   * (map_planes[w * 8 + p]: bit p of the counts of the 64 cells of word w, one cache line per
   * word) and the times each counter wrapped (map_wraps, per cell). NULL without a map. */
  uint64_t *map_planes;
  uint32_t *map_wraps;
  /* Integer counts over the trials this thread ran: exact in any order. */
  _Alignas(64) uint64_t hash;            /**< sum of the trials' verification digests */
  int64_t flights;           /**< completed flights */
  int64_t cells_marked;      /**< raster cells imaged, summed over flights */
  int64_t runs_marked, draws; /**< bench figures: row runs marked, random words drawn */
} osq_trial_ws_t;

/** Allocate a workspace for p accumulating `acc` (OSQ_ACC_* bits). @return false if out of memory
 *  (what was allocated is freed by osq_trial_ws_free). */
bool osq_trial_ws_init(osq_trial_ws_t *w, const osq_trial_prep_t *p, unsigned acc);

/** Free a workspace (a zeroed one is fine). */
void osq_trial_ws_free(osq_trial_ws_t *w);

/** n zeroed workspaces (one per thread), aligned as the struct needs; free() the array after
 *  osq_trial_ws_free of each. @return NULL if out of memory */
osq_trial_ws_t *osq_trial_ws_array_alloc(int n);

/**
 * What a caller may see of each simulated year (the flight log, validation): called after the
 * year's flights and metrics (and coverage, in trials with geography) are computed.
 */
typedef struct {
  void (*year)(void *ctx, int64_t trial, int year_idx, const osq_year_t *y, const osq_metrics_t *m,
               const osq_flight_geo_t *fg);
  void *ctx;
  bool all_geo;              /**< geography in every trial, not only every geo_stride-th */
  osq_flight_geo_t *fg;      /**< per-flight geography ([OSQ_FLIGHTS_MAX]), or NULL */
} osq_trial_hook_t;

/**
 * Simulate every year of trial `trial` of p. With rec, each slot's value goes into rec[slot] (a
 * block's Welford records) and the workspace's histograms, dyad sums, map counts and verification
 * hash; with vals, each slot's value of this trial is stored too (NaN where undefined). With hook,
 * hook->year sees each year. Geography runs in trials t % geo_stride == 0 (every trial with
 * hook->all_geo).
 * @return 0, or the model's error code
 */
int osq_trial_run(const osq_trial_prep_t *p, int64_t trial, osq_trial_ws_t *ws, osq_welford_t *rec, double *vals,
                  const osq_trial_hook_t *hook);

/**
 * After the trial loop: the workspaces' integer counts of every thread summed into ws[0] (and over
 * MPI ranks into rank 0's: histograms, dyad sums; hash, flights and cells on every rank), and the
 * map counts added to cells[] (NULL: no map).
 * @return 0, or OSQ_ENOMEM (the MPI reduction's buffers)
 */
int osq_trial_ws_reduce(osq_trial_ws_t *ws, int threads, const osq_trial_prep_t *p, uint64_t *cells, osq_error_t *err);

/**
 * A set of S histograms summed over the MPI ranks into rank 0's (a no-op on one rank). Integer sums
 * are exact in any order; the minima and maxima are exact too (maxima travel negated, and negation
 * is exact). Collective. @return 0, or OSQ_ENOMEM on every rank
 */
int osq_trial_hist_reduce(osq_hist_t *h, int S, osq_error_t *err);

/**
 * The summary and dyad tables of n trials from the merged records total[n_slots], the reduced
 * histograms and dyad sums.
 * @return 0 and *table, *dyads (the caller frees them), or OSQ_ENOMEM
 */
int osq_trial_tables(const osq_trial_prep_t *p, const osq_welford_t *total, const osq_hist_t *hists,
                     const int64_t *dyad_sum, int64_t n, osq_table_t **table, osq_dyad_table_t **dyads,
                     osq_error_t *err);

#endif
