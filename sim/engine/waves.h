/*
 * waves.h owns the trial loop of every command: the trials cut into fixed blocks, the blocks run in
 * waves (a few blocks per thread at a time, so memory is bounded whatever the trial count) by one
 * OpenMP loop over each wave's blocks, and under MPI each wave's blocks shared over the ranks in
 * whole blocks. Each block's record is built by its own thread from its trials in index order;
 * the records are then merged in block order on rank 0 (gathered byte for byte under MPI, never
 * added). The order of every floating-point operation thus depends only on trial and block
 * indices, so the results are bit-identical for any number of threads and ranks. Between waves the
 * driver reports progress and honours an interruption; in one process (no MPI) a thread free
 * before the wave's end starts the next wave's blocks, and an interruption ends the run after the
 * waves already started.
 *
 * What a block computes and what its record is belong to the caller (osq_waves_job_t): `osq run`
 * runs one prepared scenario per trial, `osq compare` several. Collective under MPI: every rank
 * calls osq_waves_run with the same job shape and spec.
 */
#ifndef OSQ_WAVES_H
#define OSQ_WAVES_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/errors.h"

/** What the blocks compute: called by the driver, never allocating. */
typedef struct {
  size_t rec_size; /**< bytes of one block's record (the driver zeroes it before the block) */
  /** Run trials [t0, t1) of block b on OpenMP thread tid into rec. Called in parallel, one block
   *  per call. @return 0, or an error code (the run stops after the wave, on every rank). */
  int (*run_block)(void *ctx, int tid, int64_t b, int64_t t0, int64_t t1, void *rec);
  /** Merge block b's record into the totals. Rank 0 only, in block order. */
  void (*merge_block)(void *ctx, int64_t b, const void *rec);
  void *ctx;
} osq_waves_job_t;

/** How to run: the trials, their blocks, the threads, where to start and when to stop. */
typedef struct {
  int64_t trials;       /**< trials of the whole run */
  int64_t block_size;   /**< trials per block */
  int threads;          /**< OpenMP threads (per rank) */
  int64_t first_block;  /**< blocks [0, first_block) are done already (a resumed run) */
  /** Called after every wave from the calling thread (may be NULL). */
  void (*progress)(void *ctx, int64_t done, int64_t total);
  void *progress_ctx;
  /** If set and non-zero when a wave is to start (a signal handler sets it), the run stops at the
   *  end of the waves already started (under MPI: at the end of the current wave). */
  volatile sig_atomic_t *stop;
  /** For tests: stop as on a signal at the end of the first wave after which at least this many
   *  blocks of the run are done (0 = never). */
  int64_t stop_after_blocks;
} osq_waves_spec_t;

/** What ran. */
typedef struct {
  int64_t blocks_done;  /**< blocks [0, blocks_done) are merged */
  int64_t trials_done;  /**< their trials */
  bool partial;         /**< stopped early (spec.stop, spec.stop_after_blocks) */
  double seconds;       /**< this process's time in the loop (wall) */
  /** This process's threads, each at its own pace: trials per second of the time it spent running
   *  blocks (not waiting for the others), the slowest and fastest thread's and their sum, the rate
   *  the threads would reach together if none ever waited (0 for a thread that ran no block). On a
   *  shared machine the cores may not run at one speed: this tells the host's share of a scaling
   *  figure from the loop's own (osq bench). */
  double rate_min, rate_max, rate_sum;
} osq_waves_result_t;

/**
 * Run blocks [spec->first_block, ceil(trials / block_size)) of the job in waves.
 * @return 0 and *out; OSQ_ENOMEM (the wave's records), or the first error a block returned, with
 *         "a trial failed: ..." in err (rank 0's under MPI; every rank returns it)
 */
int osq_waves_run(const osq_waves_job_t *job, const osq_waves_spec_t *spec, osq_waves_result_t *out,
                  osq_error_t *err);

/** Blocks in a wave per thread (and rank): enough for dynamic scheduling to even out the threads,
 *  few enough that a stop takes effect soon. */
#define OSQ_WAVE_BLOCKS 4

/** Block records held at once by rank 0 (or the one process) for `threads` threads on each of
 *  `ranks` ranks: two waves in one process (they overlap), one wave of all ranks under MPI. Not
 *  collective: for memory estimates. */
int64_t osq_waves_recs(int threads, int ranks);

#endif
