/*
 * lowerbound.h owns the lower bound that `osq bench` sets beside each measured run: a tight loop
 * that does the run's random draws and marks the run's imaged cells, and nothing else. No
 * geometry (no routes, no swaths, no sorting), no statistics: what any implementation of the
 * same model must at least do. The ratio of the real trial loop to it says how much of the time
 * goes into the model's own work rather than into unavoidable memory traffic and draws.
 *
 * What one imaged cell costs here: a test-and-set of its bit in the flight's set and in the
 * year's set, its index appended to each set's list (for the per-flight and per-year clears),
 * and its row's area counted to its territory in each, with the two sets' words in registers
 * while a run is inside them, as the engine's loop (models/swath.c mark_run) has them; every cell
 * here is new, so its tests are predictable branches, the fastest form for this loop. The cells
 * come in runs along raster rows, as many runs as the real swaths made (so the same number of
 * runs, and their mean length), a flight's runs in consecutive rows as a swath's are, at
 * positions from an integer hash (addressing, not model draws), in the latitudes the parties
 * lie in. The draws are Philox words from one stream per trial, as the real run's.
 *
 * Beside it, the quota-model bound (osq_lb_quota_run) for runs without geography: the trial's own
 * draws and nothing else. Each trial's model stream (seed, trial, OSQ_STREAM_MODEL) yields its
 * share of the run's words, each made into the double in [0, 1) that the model makes of a word
 * (53 bits, osq_rng_u01); no distribution, no schedule, no statistics. What any implementation of
 * the quota model that keeps its draws must at least do.
 */
#ifndef OSQ_LOWERBOUND_H
#define OSQ_LOWERBOUND_H

#include <stdint.h>

#include "models/errors.h"
#include "models/geo.h"

/** The work of one real run, as its counters report it. */
typedef struct {
  int64_t trials;        /**< trials of the run */
  int years;             /**< simulated years per trial: the year's set is cleared after each */
  int64_t geo_stride;    /**< every geo_stride-th trial has geography (osq_geo_stride) */
  int64_t draws;         /**< random words drawn by the run, all streams */
  int64_t flights;       /**< flights whose swaths were marked */
  int64_t cells;         /**< cells newly marked in the flights' sets */
  int64_t runs;          /**< row runs those cells came in */
  uint64_t seed;
  int block_size;        /**< trials per scheduling chunk, as the real run's blocks */
} osq_lb_work_t;

typedef struct {
  double seconds;        /**< wall time of the loop (allocation excluded) */
  uint64_t check;        /**< a sum over the draws and marks, so that nothing is optimised away */
  int64_t cells;         /**< cells marked (equals work.cells up to rounding of the split) */
  int64_t draws;         /**< words drawn */
} osq_lb_result_t;

/**
 * Run the lower-bound loop on `threads` OpenMP threads over the raster g (its territory ids and
 * row areas; NULL if the run had no geography: then only the draws).
 * @return 0, OSQ_EINVAL (bad work) or OSQ_ENOMEM (with err filled)
 */
int osq_lb_run(const osq_geo_raster_t *g, const osq_lb_work_t *work, int threads, osq_lb_result_t *out,
               osq_error_t *err);

/**
 * Run the quota-model bound on `threads` OpenMP threads: for each of work->trials trials (in
 * blocks of work->block_size, as the engine hands them out) its own model stream and its share of
 * work->draws words as uniform doubles. The geography fields of work are ignored.
 * @return 0, OSQ_EINVAL (bad work) or OSQ_ENOMEM (with err filled)
 */
int osq_lb_quota_run(const osq_lb_work_t *work, int threads, osq_lb_result_t *out, osq_error_t *err);

#endif
