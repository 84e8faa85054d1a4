/*
 * stages.h owns the quota model's own time that `osq bench` sets beside a run without geography:
 * the run's trials through the model's steps and nothing after them, timed twice: the distribution
 * alone (osq_quota_distribute) and the whole model (osq_quota_simulate: distribution, schedule,
 * execution). No metrics, no statistics, no digest. The trial loop less the model is what the
 * engine's accounting costs; the model less its distribution is the schedule and the execution.
 *
 * Why it exists: the quota bound (lowerbound.h) says how far the trial loop is from its draws, not
 * where the rest goes. These two loops say it with a command anyone can repeat (bench/RESULTS.md),
 * instead of a patched copy of the engine. The whole-model loop draws exactly the words the run
 * drew (the same streams, the same steps), which osq bench checks, so it is the same work.
 */
#ifndef OSQ_STAGES_H
#define OSQ_STAGES_H

#include <stdint.h>

#include "models/errors.h"
#include "sim/input/scenario.h"

/** How far into each trial year the loop goes. */
typedef enum {
  OSQ_STAGE_DISTRIBUTION = 1, /**< osq_quota_distribute only */
  OSQ_STAGE_MODEL = 3         /**< osq_quota_simulate: distribution, schedule, execution */
} osq_stage_t;

typedef struct {
  double seconds;   /**< wall time of the loop (preparation and allocation excluded) */
  int64_t draws;    /**< words drawn from the trials' model streams */
  int64_t granted;  /**< flights granted, summed over trial-years (so that nothing is optimised away) */
} osq_stage_result_t;

/**
 * Run trials [0, trials) of scenario sc (without geography) on `threads` OpenMP threads, in the
 * scenario's blocks as the engine hands them out, each trial on its own model stream, each year
 * up to stage `upto`.
 * @return 0; OSQ_EINVAL (geography on, bad counts), OSQ_ENOMEM, or the model's error (err filled)
 */
int osq_stage_run(const osq_scenario_t *sc, int64_t trials, int threads, osq_stage_t upto, osq_stage_result_t *out,
                  osq_error_t *err);

#endif
