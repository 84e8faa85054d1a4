/*
 * waves.c owns the trial loop (see waves.h). Its shape, at a glance:
 *
 *   for each wave of blocks (4 per thread and rank):
 *     this rank's share of the wave: parallel for over its blocks (dynamic), each block's trials
 *       in index order into the block's own record
 *     a failed trial on any rank stops every rank
 *     the records gathered to rank 0 (byte for byte), merged there in block order
 *     progress; an interruption takes effect here, where the totals hold whole blocks
 *
 * The records of a wave are allocated once, before the first wave: nothing is allocated and no
 * lock is taken inside the loop.
 */
#include "sim/engine/waves.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine/mpi.h"
#include "sim/engine/stats.h"

/* What one thread did in the loop: its own cache line, written once a block. */
typedef struct {
  double busy;     /* seconds inside run_block */
  int64_t trials;  /* trials of the blocks it ran */
  char pad[48];
} thread_use_t;
_Static_assert(sizeof(thread_use_t) == 64, "a thread's use fills one cache line");

/* The bytes between two blocks' records: a record rounded up to whole cache lines, so that two
 * threads running neighbouring blocks never write the same line (the last slot of one record and
 * the first of the next, each written every trial). */
static size_t rec_stride(const osq_waves_job_t *job) { return (job->rec_size + 63) / 64 * 64; }

/* Blocks in a wave on each rank: a few per thread, so that dynamic scheduling evens the threads'
 * load, and the same on every rank (a rank with fewer threads sizes them by the largest). */
static int64_t per_rank(int threads) { return 4 * (int64_t)osq_mpi_max_int(threads); }

int64_t osq_waves_held(int threads) {
  /* rank 0 receives the whole wave; the others hold their share */
  return osq_mpi_rank() == 0 ? per_rank(threads) * osq_mpi_size() : per_rank(threads);
}

/* One rank's blocks [b0, b1) of a wave, over OpenMP threads: the one parallel region of the
 * trials. @return 0 or the first error a block returned. */
static int run_share(const osq_waves_job_t *job, const osq_waves_spec_t *spec, int64_t b0, int64_t b1,
                     unsigned char *recs, thread_use_t *use) {
  const int64_t B = spec->block_size, trials = spec->trials;
  const size_t rs = rec_stride(job);
  int fail = OSQ_OK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(spec->threads) default(none) \
    shared(job, recs, fail, b0, b1, B, trials, rs, use)
  for (int64_t b = b0; b < b1; b++) {
    const int64_t end = (b + 1) * B < trials ? (b + 1) * B : trials;
    const int tid = omp_get_thread_num();
    const double t0 = omp_get_wtime();
    const int rc = job->run_block(job->ctx, tid, b, b * B, end, recs + (size_t)(b - b0) * rs);
    use[tid].busy += omp_get_wtime() - t0;
    use[tid].trials += end - b * B;
    if (rc) {
#pragma omp atomic write
      fail = rc;
    }
  }
  return fail;
}

/* Whether to stop after a wave that ended at block w1 with `done` trials: every rank takes part in
 * the agreement, so all stop at the same wave. */
static bool stop_here(const osq_waves_spec_t *spec, int64_t w1, int64_t done) {
  if ((!spec->stop && spec->stop_after_blocks <= 0) || done >= spec->trials) return false;
  const bool want = (spec->stop && *spec->stop) || (spec->stop_after_blocks > 0 && w1 >= spec->stop_after_blocks);
  return osq_mpi_max_int(want ? 1 : 0) != 0;
}

int osq_waves_run(const osq_waves_job_t *job, const osq_waves_spec_t *spec, osq_waves_result_t *out,
                  osq_error_t *err) {
  const int64_t B = spec->block_size, trials = spec->trials, n_blocks = (trials + B - 1) / B;
  const int R = osq_mpi_size(), me = osq_mpi_rank();
  const int64_t wave = per_rank(spec->threads) * R;
  const size_t rs = rec_stride(job);
  memset(out, 0, sizeof *out);
  out->blocks_done = spec->first_block;
  out->trials_done = spec->first_block * B < trials ? spec->first_block * B : trials;
  unsigned char *recs = aligned_alloc(64, rs * (size_t)osq_waves_held(spec->threads) + 64);
  thread_use_t *use = osq_lines_calloc((size_t)spec->threads, sizeof *use);
  int rc = osq_mpi_agree(recs && use ? OSQ_OK : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory"), err);
  const double t0 = omp_get_wtime();
  for (int64_t w0 = spec->first_block; rc == OSQ_OK && w0 < n_blocks; w0 += wave) {
    const int64_t w1 = w0 + wave < n_blocks ? w0 + wave : n_blocks;
    /* This rank runs blocks [b0, b1) of the wave into recs from its start (rank 0's share starts
     * the wave, so rank 0 then receives the others' behind its own, in block order). */
    int64_t first, count;
    osq_mpi_share(w1 - w0, me, R, &first, &count);
    memset(recs, 0, rs * (size_t)count);
    const int fail = osq_mpi_agree(run_share(job, spec, w0 + first, w0 + first + count, recs, use), NULL);
    if (fail) {
      rc = osq_error_add(err, fail, NULL, 0, "a trial failed: %s", osq_strerror(fail));
      break;
    }
    osq_mpi_gather_blocks(recs, rs, w1 - w0);
    for (int64_t b = w0; me == 0 && b < w1; b++) job->merge_block(job->ctx, b, recs + (size_t)(b - w0) * rs);
    out->blocks_done = w1;
    out->trials_done = w1 * B < trials ? w1 * B : trials;
    if (spec->progress) spec->progress(spec->progress_ctx, out->trials_done, trials);
    if (stop_here(spec, w1, out->trials_done)) {
      out->partial = true;
      break;
    }
  }
  out->seconds = omp_get_wtime() - t0;
  for (int t = 0; use && t < spec->threads; t++) {
    if (use[t].trials <= 0 || !(use[t].busy > 0.0)) continue;
    const double r = (double)use[t].trials / use[t].busy;
    out->rate_sum += r;
    out->rate_min = out->rate_min > 0.0 && out->rate_min < r ? out->rate_min : r;
    out->rate_max = out->rate_max > r ? out->rate_max : r;
  }
  free(use);
  free(recs);
  return rc;
}
