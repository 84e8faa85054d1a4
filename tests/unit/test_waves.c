/*
 * test_waves.c: the trial-loop driver (sim/engine/waves.c) on a synthetic job whose blocks cost
 * different times, so that threads run ahead into the next wave: every block runs once and is
 * merged once, in block order, with its own record; a test's stop ends the run at the first wave
 * boundary at or past it, a stop flag raised during the run ends it after the waves already
 * started, and in both cases every block that ran was merged (what a block adds to its thread's
 * workspace cannot be taken back); a failing block fails the run; progress never goes back. On 1
 * to 5 threads (more threads than the machine's cores too), from block 0 and from a resumed block.
 */
#include <criterion/criterion.h>
#include <omp.h>
#include <signal.h>
#include <string.h>

#include "sim/engine/waves.h"

typedef struct {
  int64_t b, t0, t1;
  uint64_t sum; /* of the block's trial indices, mixed */
} rec_t;

typedef struct {
  int64_t ran;       /* run_block calls (atomic) */
  int64_t merged;    /* merge_block calls */
  int64_t expect;    /* the block the next merge must be */
  int64_t bad;       /* merges out of order or of a wrong record */
  int64_t fail_at;   /* the block that fails (-1: none) */
  int64_t last_done; /* the last progress count */
  int64_t progress_back;
  int64_t raise_after; /* raise *flag once this many blocks are merged (0: never) */
  volatile sig_atomic_t *flag;
} job_ctx_t;

static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  return x ^ (x >> 31);
}

/* Block b busy for (b % 4) x 0.2 ms: neighbouring blocks end at different times. */
static int run_block(void *ctx, int tid, int64_t b, int64_t t0, int64_t t1, void *rec) {
  (void)tid;
  job_ctx_t *c = ctx;
  __atomic_fetch_add(&c->ran, 1, __ATOMIC_SEQ_CST);
  rec_t *r = rec;
  if (r->b != 0 || r->t0 != 0 || r->t1 != 0 || r->sum != 0) return OSQ_EINVAL; /* not zeroed */
  const double until = omp_get_wtime() + 0.0002 * (double)(b % 4);
  while (omp_get_wtime() < until) {
  }
  r->b = b;
  r->t0 = t0;
  r->t1 = t1;
  for (int64_t t = t0; t < t1; t++) r->sum += mix((uint64_t)t);
  return b == c->fail_at ? OSQ_ERANGE : OSQ_OK;
}

static void merge_block(void *ctx, int64_t b, const void *rec) {
  job_ctx_t *c = ctx;
  const rec_t *r = rec;
  uint64_t sum = 0;
  for (int64_t t = r->t0; t < r->t1; t++) sum += mix((uint64_t)t);
  if (b != c->expect || r->b != b || r->sum != sum || r->t1 <= r->t0) c->bad++;
  c->expect = b + 1;
  c->merged++;
  if (c->raise_after > 0 && c->merged >= c->raise_after && c->flag) *c->flag = 1;
}

static void progress(void *ctx, int64_t done, int64_t total) {
  job_ctx_t *c = ctx;
  (void)total;
  if (done < c->last_done) c->progress_back++;
  c->last_done = done;
}

typedef struct {
  job_ctx_t c;
  osq_waves_result_t out;
  int rc;
  osq_error_t err;
} ran_t;

static ran_t run(int threads, int64_t trials, int64_t block, int64_t first, int64_t stop_after, int64_t fail_at,
                 int64_t raise_after) {
  static volatile sig_atomic_t flag;
  flag = 0;
  ran_t x;
  memset(&x, 0, sizeof x);
  x.c.fail_at = fail_at;
  x.c.expect = first;
  x.c.raise_after = raise_after;
  x.c.flag = raise_after > 0 ? &flag : NULL;
  osq_error_clear(&x.err);
  const osq_waves_job_t job = {.rec_size = sizeof(rec_t), .run_block = run_block, .merge_block = merge_block,
                               .ctx = &x.c};
  const osq_waves_spec_t spec = {.trials = trials, .block_size = block, .threads = threads, .first_block = first,
                                 .progress = progress, .progress_ctx = &x.c, .stop = raise_after > 0 ? &flag : NULL,
                                 .stop_after_blocks = stop_after};
  x.rc = osq_waves_run(&job, &spec, &x.out, &x.err);
  return x;
}

Test(waves, every_block_once_in_order_on_any_thread_count) {
  const int64_t shapes[][3] = {{1000, 100, 0}, {1000, 7, 0}, {64, 8, 0}, {5000, 16, 0}, {5000, 16, 37}, {10, 16, 0}};
  for (int threads = 1; threads <= 5; threads++)
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
      const int64_t trials = shapes[k][0], block = shapes[k][1], first = shapes[k][2];
      const int64_t n_blocks = (trials + block - 1) / block;
      const ran_t x = run(threads, trials, block, first, 0, -1, 0);
      cr_assert_eq(x.rc, OSQ_OK, "%d threads, shape %zu: rc %d", threads, k, x.rc);
      cr_expect_eq(x.c.bad, 0, "%d threads, shape %zu: %lld merges out of order or wrong", threads, k,
                   (long long)x.c.bad);
      cr_expect_eq(x.c.merged, n_blocks - first, "%d threads, shape %zu", threads, k);
      cr_expect_eq(x.c.ran, n_blocks - first, "%d threads, shape %zu: %lld blocks ran", threads, k,
                   (long long)x.c.ran);
      cr_expect_eq(x.out.blocks_done, n_blocks);
      cr_expect_eq(x.out.trials_done, trials);
      cr_expect_not(x.out.partial);
      cr_expect_eq(x.c.progress_back, 0);
      cr_expect_eq(x.c.last_done, trials);
      cr_expect(x.out.rate_min > 0.0 && x.out.rate_min <= x.out.rate_max && x.out.rate_max <= x.out.rate_sum);
    }
}

/* A test's stop: the first wave boundary at or past N (waves of OSQ_WAVE_BLOCKS a thread, counted
 * from the first block), and nothing run beyond it. */
Test(waves, a_tests_stop_ends_at_the_wave_boundary_and_runs_nothing_more) {
  for (int threads = 1; threads <= 4; threads++)
    for (int64_t n = 1; n <= 40; n += 3) {
      const int64_t trials = 1000, block = 10, first = 3, n_blocks = 100, wave = OSQ_WAVE_BLOCKS * threads;
      int64_t want = first + wave;
      while (want < n) want += wave;
      if (want > n_blocks) want = n_blocks;
      const ran_t x = run(threads, trials, block, first, n, -1, 0);
      cr_assert_eq(x.rc, OSQ_OK);
      cr_expect_eq(x.out.blocks_done, want, "%d threads, stop after %lld: done %lld, want %lld", threads, (long long)n,
                   (long long)x.out.blocks_done, (long long)want);
      cr_expect_eq(x.out.partial, want < n_blocks);
      cr_expect_eq(x.c.ran, x.c.merged, "%d threads, stop after %lld: %lld ran, %lld merged", threads, (long long)n,
                   (long long)x.c.ran, (long long)x.c.merged);
      cr_expect_eq(x.c.merged, want - first);
      cr_expect_eq(x.c.bad, 0);
    }
}

/* A stop flag raised during the run (as by a signal): the run ends at a wave boundary before the
 * end, and every block that ran was merged. */
Test(waves, a_signal_ends_after_the_waves_started_and_every_run_block_is_merged) {
  for (int threads = 1; threads <= 4; threads++) {
    const int64_t first = 0, n_blocks = 200, wave = OSQ_WAVE_BLOCKS * threads;
    const ran_t x = run(threads, 2000, 10, first, 0, -1, 2 * wave);
    cr_assert_eq(x.rc, OSQ_OK);
    cr_expect(x.out.partial, "%d threads: not stopped", threads);
    cr_expect_eq((x.out.blocks_done - first) % wave, 0, "%d threads: stopped at block %lld, not a wave's end", threads,
                 (long long)x.out.blocks_done);
    cr_expect_geq(x.out.blocks_done, 2 * wave);
    cr_expect_leq(x.out.blocks_done, 4 * wave, "%d threads: %lld blocks done after the flag at %lld", threads,
                  (long long)x.out.blocks_done, (long long)(2 * wave));
    cr_expect_lt(x.out.blocks_done, n_blocks);
    cr_expect_eq(x.c.ran, x.c.merged, "%d threads: %lld ran, %lld merged", threads, (long long)x.c.ran,
                 (long long)x.c.merged);
    cr_expect_eq(x.c.merged, x.out.blocks_done - first);
    cr_expect_eq(x.c.bad, 0);
  }
}

Test(waves, a_failing_block_fails_the_run) {
  for (int threads = 1; threads <= 4; threads++) {
    const ran_t x = run(threads, 1000, 10, 0, 0, 37, 0);
    cr_expect_eq(x.rc, OSQ_ERANGE, "%d threads: rc %d", threads, x.rc);
    cr_expect_eq(x.err.n, 1);
    cr_expect(strstr(x.err.msg[0], "a trial failed") != NULL, "%s", x.err.msg[0]);
    cr_expect_lt(x.out.blocks_done, 100);
    cr_expect_eq(x.c.bad, 0);
  }
}
