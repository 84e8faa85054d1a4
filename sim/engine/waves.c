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
 *
 * Under MPI that is the loop. One process alone runs the same waves overlapped (run_overlapped): a
 * thread that has no block of a wave left starts on the next wave's, into a second set of
 * records, while thread 0 merges each wave, in block order, as its last block ends. The records,
 * the merges and their order are those above, so are the waves at which a test's stop
 * (stop_after_blocks) ends the run; an interruption ends it after the waves already started (one
 * or two). What is gone is the waiting at the end of each wave: 1-8 % of a 2-thread loop on this
 * VM (bench/RESULTS.md), more where blocks differ in cost (a tenth of the trials with geography).
 */
#include "sim/engine/waves.h"

#include <omp.h>
#include <sched.h>
#include <stdbool.h>
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
static int64_t per_rank(int threads) { return OSQ_WAVE_BLOCKS * (int64_t)osq_mpi_max_int(threads); }

int64_t osq_waves_recs(int threads, int ranks) {
  /* one process: two waves (overlapped); under MPI rank 0 receives the whole wave of all ranks */
  const int64_t w = OSQ_WAVE_BLOCKS * (int64_t)threads;
  return ranks <= 1 ? 2 * w : w * ranks;
}

/* Blocks of records this rank holds (collective under MPI: the largest thread count of the ranks
 * sizes the waves). */
static int64_t waves_held(int threads) {
  const int R = osq_mpi_size();
  return osq_mpi_rank() == 0 ? osq_waves_recs(osq_mpi_max_int(threads), R) : per_rank(threads);
}

/* Block b (trials [b * B, end)) on thread tid into rec, its time and trials added to the thread's
 * use. @return what run_block returned. */
static int run_timed(const osq_waves_job_t *job, const osq_waves_spec_t *spec, thread_use_t *use, int tid,
                     int64_t b, unsigned char *rec) {
  const int64_t B = spec->block_size, end = (b + 1) * B < spec->trials ? (b + 1) * B : spec->trials;
  const double t0 = omp_get_wtime();
  const int rc = job->run_block(job->ctx, tid, b, b * B, end, rec);
  use[tid].busy += omp_get_wtime() - t0;
  use[tid].trials += end - b * B;
  return rc;
}

/* Blocks [first, w1) are merged: the result's counts and the progress report. */
static void note_merged(const osq_waves_spec_t *spec, osq_waves_result_t *out, int64_t w1) {
  const int64_t B = spec->block_size, trials = spec->trials;
  out->blocks_done = w1;
  out->trials_done = w1 * B < trials ? w1 * B : trials;
  if (spec->progress) spec->progress(spec->progress_ctx, out->trials_done, trials);
}

/* One rank's blocks [b0, b1) of a wave, over OpenMP threads (the waves of an MPI job).
 * @return 0 or the first error a block returned. */
static int run_share(const osq_waves_job_t *job, const osq_waves_spec_t *spec, int64_t b0, int64_t b1,
                     unsigned char *recs, thread_use_t *use) {
  const size_t rs = rec_stride(job);
  int fail = OSQ_OK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(spec->threads) default(none) \
    shared(job, spec, recs, fail, b0, b1, rs, use)
  for (int64_t b = b0; b < b1; b++) {
    const int rc = run_timed(job, spec, use, omp_get_thread_num(), b, recs + (size_t)(b - b0) * rs);
    if (rc) {
#pragma omp atomic write
      fail = rc;
    }
  }
  return fail;
}

/* Whether a run told to stop (a signal, or a test's block count) should not start the wave at block
 * w0: in one process asked before each wave but the first, under MPI by stop_here after each. */
static bool stop_before(const osq_waves_spec_t *spec, int64_t w0) {
  return (spec->stop && *spec->stop) || (spec->stop_after_blocks > 0 && w0 >= spec->stop_after_blocks);
}

/* Whether to stop after a wave that ended at block w1 with `done` trials: every rank takes part in
 * the agreement, so all stop at the same wave. */
static bool stop_here(const osq_waves_spec_t *spec, int64_t w1, int64_t done) {
  if ((!spec->stop && spec->stop_after_blocks <= 0) || done >= spec->trials) return false;
  return osq_mpi_max_int(stop_before(spec, w1) ? 1 : 0) != 0;
}

/* One round of waiting for another thread (which is running a block of milliseconds): a pause,
 * and every 16th round the processor given up, so that with more threads than cores the thread
 * waited for gets to run. */
static inline void relax(unsigned *rounds) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
  if ((++*rounds & 15u) == 0) sched_yield();
}

/* The overlapped loop of one process. Blocks are claimed in order from one counter; the blocks of
 * wave k go to record set k % 2, so a block of wave k waits until wave k - 2 is merged; thread 0
 * merges each wave, in order, as soon as its last block has ended. Whether to stop is decided when
 * a wave is about to start (by the thread that claims its first block, before any of its blocks
 * runs), never after: every block that runs is merged, because what a block adds to its thread's
 * workspace (histograms, dyad sums, the hash, the map) cannot be taken back. A stop for the tests
 * (stop_after_blocks) thus ends where run_share's caller ends; a signal ends the run after the
 * waves already started (at most two). Shared counters are sequentially consistent atomics (GCC's
 * __atomic builtins): a block's record is written before its wave's count is raised, a set is
 * zeroed before the merged count that frees it is raised, and a wave's decision is published
 * before its blocks run. */
typedef struct {
  const osq_waves_job_t *job;
  const osq_waves_spec_t *spec;
  osq_waves_result_t *out;
  unsigned char *recs; /* set k of `wave` records at recs + k * wave * rs */
  thread_use_t *use;
  size_t rs;
  int64_t wave, first, n_blocks;
  int64_t next;        /* the next block to claim */
  int64_t decided;     /* waves [0, decided) (counted from first) are decided */
  int64_t limit;       /* the run ends at block limit (n_blocks, or where it was told to stop) */
  int64_t merged;      /* blocks [first, merged) are merged (written by thread 0 only) */
  int64_t done[2];     /* blocks of the unmerged wave in set k that have ended */
  int fail;            /* a block's error */
} overlap_t;

static int64_t load64(int64_t *x) { return __atomic_load_n(x, __ATOMIC_SEQ_CST); }
static void store64(int64_t *x, int64_t v) { __atomic_store_n(x, v, __ATOMIC_SEQ_CST); }
static bool failed(overlap_t *o) { return __atomic_load_n(&o->fail, __ATOMIC_SEQ_CST) != 0; }

/* Thread 0: merge every wave whose blocks have all ended, in order, up to the limit. */
static void overlap_merge(overlap_t *o) {
  for (;;) {
    const int64_t m = o->merged, lim = load64(&o->limit); /* merged: only this thread writes it */
    if (m >= lim) return;
    const int k = (int)(((m - o->first) / o->wave) % 2);
    const int64_t size = o->n_blocks - m < o->wave ? o->n_blocks - m : o->wave;
    if (load64(&o->done[k]) < size) return;
    unsigned char *set = o->recs + (size_t)k * (size_t)o->wave * o->rs;
    for (int64_t b = m; b < m + size; b++) o->job->merge_block(o->job->ctx, b, set + (size_t)(b - m) * o->rs);
    memset(set, 0, o->rs * (size_t)size);
    store64(&o->done[k], 0);
    note_merged(o->spec, o->out, m + size);
    store64(&o->merged, m + size);
  }
}

/* Claim the next block: its index, or -1 when the run's blocks are all claimed (or it failed). */
static int64_t overlap_claim(overlap_t *o) {
  const int64_t b = __atomic_fetch_add(&o->next, 1, __ATOMIC_SEQ_CST);
  if (b >= o->n_blocks) return -1;
  const int64_t wi = (b - o->first) / o->wave, w0 = o->first + wi * o->wave;
  if (b == w0) { /* this thread decides the wave: stop before it, or let it run */
    if (wi > 0 && stop_before(o->spec, w0)) store64(&o->limit, w0);
    store64(&o->decided, wi + 1);
  } else {
    unsigned rounds = 0;
    while (load64(&o->decided) <= wi) relax(&rounds); /* its first block was claimed just before */
  }
  return b < load64(&o->limit) && !failed(o) ? b : -1;
}

static int run_overlapped(overlap_t *o) {
#pragma omp parallel num_threads(o->spec->threads)
  {
    const int tid = omp_get_thread_num();
    int64_t b;
    while ((b = overlap_claim(o)) >= 0) {
      const int64_t wi = (b - o->first) / o->wave, w0 = o->first + wi * o->wave;
      /* set wi % 2 is free once wave wi - 2 is merged, i.e. merged reaches wave wi - 1's start */
      unsigned rounds = 0;
      while (load64(&o->merged) < w0 - o->wave && !failed(o)) {
        if (tid == 0) overlap_merge(o);
        relax(&rounds);
      }
      if (failed(o)) break;
      unsigned char *rec = o->recs + ((size_t)(wi % 2) * (size_t)o->wave + (size_t)(b - w0)) * o->rs;
      const int rc = run_timed(o->job, o->spec, o->use, tid, b, rec);
      if (rc) __atomic_store_n(&o->fail, rc, __ATOMIC_SEQ_CST);
      __atomic_fetch_add(&o->done[wi % 2], 1, __ATOMIC_SEQ_CST);
      if (tid == 0) overlap_merge(o);
    }
    /* thread 0 merges the waves the others are still finishing */
    unsigned rounds = 0;
    while (tid == 0 && !failed(o) && load64(&o->merged) < load64(&o->limit)) {
      overlap_merge(o);
      relax(&rounds);
    }
  }
  o->out->partial = o->fail == 0 && o->limit < o->n_blocks;
  return o->fail;
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
  unsigned char *recs = aligned_alloc(64, rs * (size_t)waves_held(spec->threads) + 64);
  thread_use_t *use = osq_lines_calloc((size_t)spec->threads, sizeof *use);
  int rc = osq_mpi_agree(recs && use ? OSQ_OK : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory"), err);
  const double t0 = omp_get_wtime();
  if (rc == OSQ_OK && R == 1 && spec->first_block < n_blocks) {
    overlap_t o = {.job = job, .spec = spec, .out = out, .recs = recs, .use = use, .rs = rs, .wave = wave,
                   .first = spec->first_block, .n_blocks = n_blocks, .next = spec->first_block,
                   .limit = n_blocks, .merged = spec->first_block};
    memset(recs, 0, rs * (size_t)(2 * wave));
    const int fail = run_overlapped(&o);
    if (fail) rc = osq_error_add(err, fail, NULL, 0, "a trial failed: %s", osq_strerror(fail));
  }
  for (int64_t w0 = spec->first_block; R > 1 && rc == OSQ_OK && w0 < n_blocks; w0 += wave) {
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
    note_merged(spec, out, w1);
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
