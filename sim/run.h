/*
 * run.h owns the Monte Carlo engine: trials in fixed blocks, an OpenMP loop over blocks, one
 * Philox stream per trial, per-block Welford statistics merged in block order, fixed-bin
 * histograms, dyad means and the verification hash. Results are bit-identical for any thread
 * count because the order of every floating-point operation depends only on trial and block
 * indices (ENGINEERING.md §2.6, §6.4).
 */
#ifndef OSQ_RUN_H
#define OSQ_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "models/errors.h"
#include "results/table.h"
#include "sim/scenario.h"

/** Options of one run; zero values mean "as the scenario says". */
typedef struct {
  int64_t trials;                                   /**< 0 = scenario's simulation.trials */
  int threads;                                      /**< 0 = scenario's, else all available */
  /** Called after every wave of blocks from the calling thread (may be NULL). */
  void (*progress)(void *ctx, int64_t done, int64_t total);
  void *progress_ctx;
} osq_run_opts_t;

/** What a run produced. */
typedef struct {
  osq_table_t *table;                               /**< summary rows (BRIEF §6 summary.csv) */
  osq_dyad_table_t *dyads;                          /**< mean flights per observer->observed pair */
  uint64_t hash;                                    /**< verification hash: sum over trials */
  int64_t trials_done;
  int threads;                                      /**< threads used */
  double setup_seconds;                             /**< caps, workspaces (before the loop) */
  double wall_seconds;                              /**< the trial loop alone */
  int64_t flights_completed;                        /**< over all trials and years (for rates) */
} osq_run_result_t;

/**
 * Run the scenario's trials. On success *out holds the result (free with osq_run_result_free).
 * @return 0, or OSQ_ENOMEM / OSQ_ECONFIG / OSQ_EINVAL with detail in err.
 */
int osq_run_execute(const osq_scenario_t *sc, const osq_run_opts_t *opts, osq_run_result_t **out, osq_error_t *err);

/** Free a result (NULL is a no-op). */
void osq_run_result_free(osq_run_result_t *r);

/**
 * Write the flight log of trials [0, k) to f in the format of BRIEF §6
 * (`trial,year,day,observed,observers,status,airfield,distance_km,imaged_km2`). The trials are
 * re-simulated serially with the same streams, so the log equals what the run simulated.
 */
int osq_run_flight_log(const osq_scenario_t *sc, int64_t k, FILE *f, osq_error_t *err);

#endif
