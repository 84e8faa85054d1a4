/*
 * test_stats.c checks sim/stats: Welford against GSL's two-pass statistics, bitwise
 * reproducibility of the block-order merge however the blocks were computed, the Chan merge,
 * exact integer quantiles and order-free merges of histograms, the summary, and the actual
 * coverage of the 95 % t-interval (deterministic: fixed seed and Philox streams).
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "models/errors.h"
#include "models/rng.h"
#include "sim/engine/stats.h"

#define SEED UINT64_C(20240601)

static int rel_close(double a, double b, double tol) {
  return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

/* ---- Welford ---- */

Test(welford, small_known_set) {
  const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
  osq_welford_t w = OSQ_WELFORD_INIT;
  for (int i = 0; i < 8; i++) osq_welford_add(&w, x[i]);
  cr_expect_eq(w.n, 8);
  cr_expect_eq(w.mean, 5.0);
  cr_expect(rel_close(osq_welford_var(&w), 32.0 / 7.0, 1e-15));
  cr_expect(rel_close(osq_welford_sd(&w), sqrt(32.0 / 7.0), 1e-15));
  cr_expect(rel_close(osq_welford_se(&w), sqrt(32.0 / 7.0 / 8.0), 1e-15));
}

/* n values of Exponential(mean 2) + shift from a fixed stream, into x[] and a Welford. */
static osq_welford_t exp_data(double *x, int n, double shift) {
  gsl_rng *g = osq_rng_gsl_alloc();
  cr_assert(g != NULL);
  osq_rng_gsl_reset(g, SEED, 0, OSQ_STREAM_TEST);
  osq_welford_t w = OSQ_WELFORD_INIT;
  for (int i = 0; i < n; i++) {
    x[i] = shift + gsl_ran_exponential(g, 2.0);
    osq_welford_add(&w, x[i]);
  }
  gsl_rng_free(g);
  return w;
}

Test(welford, matches_gsl_two_pass) {
  enum { N = 100000 };
  double *x = malloc(N * sizeof *x);
  cr_assert(x != NULL);
  const osq_welford_t w = exp_data(x, N, 0.0);
  const double mean = gsl_stats_mean(x, 1, N), var = gsl_stats_variance(x, 1, N);
  cr_expect_eq(w.n, N);
  cr_expect(rel_close(w.mean, mean, 1e-12), "mean %.17g vs gsl %.17g", w.mean, mean);
  cr_expect(rel_close(osq_welford_var(&w), var, 1e-12), "var %.17g vs gsl %.17g",
            osq_welford_var(&w), var);
  cr_expect(rel_close(osq_welford_sd(&w), gsl_stats_sd(x, 1, N), 1e-12));
  cr_expect(rel_close(osq_welford_se(&w), gsl_stats_sd(x, 1, N) / sqrt(N), 1e-12));
  free(x);
}

Test(welford, stable_under_a_large_offset) {
  /* The same data shifted by 10^6 (mean^2/var ~ 2.5e11). Welford's variance stays within
   * 1e-10 of GSL's two-pass value (measured: 2.9e-12; the two-pass error is 1e-16), while
   * the naive sum/sum-of-squares formula loses every digit. */
  enum { N = 100000 };
  double *x = malloc(N * sizeof *x);
  cr_assert(x != NULL);
  const osq_welford_t w = exp_data(x, N, 1e6);
  const double var = gsl_stats_variance(x, 1, N);
  cr_expect(rel_close(w.mean, gsl_stats_mean(x, 1, N), 1e-12));
  cr_expect(rel_close(osq_welford_var(&w), var, 1e-10), "var %.17g vs gsl %.17g",
            osq_welford_var(&w), var);
  double s = 0.0, ss = 0.0;
  for (int i = 0; i < N; i++) {
    s += x[i];
    ss += x[i] * x[i];
  }
  const double naive = (ss - s * s / N) / (N - 1);
  cr_expect(!rel_close(naive, var, 1e-3), "naive %.17g unexpectedly close to %.17g", naive, var);
  free(x);
}

Test(welford, degenerate_counts) {
  osq_welford_t w = OSQ_WELFORD_INIT;
  cr_expect_eq(osq_welford_var(&w), 0.0);
  cr_expect_eq(osq_welford_se(&w), 0.0);
  osq_welford_add(&w, 3.5);
  cr_expect_eq(w.mean, 3.5);
  cr_expect_eq(osq_welford_var(&w), 0.0);
  cr_expect_eq(osq_welford_sd(&w), 0.0);
  cr_expect_eq(osq_welford_se(&w), 0.0);
  osq_welford_reset(&w);
  cr_expect_eq(w.n, 0);
  cr_expect_eq(w.mean, 0.0);
  cr_expect_eq(w.m2, 0.0);
}

/* Trial i's value: a pure function of (SEED, i), as in the engine. */
static double trial_value(gsl_rng *g, int64_t i) {
  osq_rng_gsl_reset(g, SEED, (uint64_t)i, OSQ_STREAM_MODEL);
  return gsl_ran_exponential(g, 2.0) + (double)gsl_ran_poisson(g, 3.0);
}

enum { NTRIAL = 50000, BLOCK = 4096, NBLOCK = (NTRIAL + BLOCK - 1) / BLOCK };

static void compute_block(gsl_rng *g, int b, osq_welford_t *out) {
  osq_welford_reset(out);
  const int64_t lo = (int64_t)b * BLOCK;
  const int64_t hi = lo + BLOCK < NTRIAL ? lo + BLOCK : NTRIAL;
  for (int64_t i = lo; i < hi; i++) osq_welford_add(out, trial_value(g, i));
}

static osq_welford_t merge_in_block_order(const osq_welford_t *blocks) {
  osq_welford_t total = OSQ_WELFORD_INIT;
  for (int b = 0; b < NBLOCK; b++) osq_welford_merge(&total, &blocks[b]);
  return total;
}

Test(welford, block_order_merge_is_bitwise_reproducible) {
  gsl_rng *g = osq_rng_gsl_alloc();
  cr_assert(g != NULL);
  osq_welford_t blocks[NBLOCK];
  for (int b = 0; b < NBLOCK; b++) compute_block(g, b, &blocks[b]);
  const osq_welford_t ref = merge_in_block_order(blocks);
  cr_assert_eq(ref.n, NTRIAL);

  /* t simulated threads: thread s owns blocks s, s+t, ... and computes them last-first, on
   * a generator that has just run other blocks. The merge is still in block order. */
  for (int t = 1; t <= 4; t++) {
    memset(blocks, 0xa5, sizeof blocks);
    for (int s = t - 1; s >= 0; s--) {
      int last = s;
      while (last + t < NBLOCK) last += t;
      for (int b = last; b >= 0; b -= t) compute_block(g, b, &blocks[b]);
    }
    const osq_welford_t got = merge_in_block_order(blocks);
    cr_expect(memcmp(&got, &ref, sizeof ref) == 0, "t=%d simulated: mean %a vs %a, m2 %a vs %a", t,
              got.mean, ref.mean, got.m2, ref.m2);
  }

  /* Real OpenMP threads, dynamic schedule, one generator per thread. */
  for (int t = 1; t <= 4; t++) {
    memset(blocks, 0x5a, sizeof blocks);
    int failed = 0;
#pragma omp parallel num_threads(t) reduction(+ : failed)
    {
      gsl_rng *tg = osq_rng_gsl_alloc();
      if (tg == NULL) failed++;
#pragma omp for schedule(dynamic, 1)
      for (int b = 0; b < NBLOCK; b++)
        if (tg != NULL) compute_block(tg, b, &blocks[b]);
      gsl_rng_free(tg);
    }
    cr_assert_eq(failed, 0);
    const osq_welford_t got = merge_in_block_order(blocks);
    cr_expect(memcmp(&got, &ref, sizeof ref) == 0, "t=%d OpenMP: mean %a vs %a, m2 %a vs %a", t,
              got.mean, ref.mean, got.m2, ref.m2);
  }
  gsl_rng_free(g);
}

Test(welford, merge_equals_sequential) {
  gsl_rng *g = osq_rng_gsl_alloc();
  cr_assert(g != NULL);
  osq_welford_t a = OSQ_WELFORD_INIT, b = OSQ_WELFORD_INIT, all = OSQ_WELFORD_INIT;
  for (int64_t i = 0; i < 3000; i++) {
    const double x = trial_value(g, i);
    osq_welford_add(&a, x);
    osq_welford_add(&all, x);
  }
  for (int64_t i = 3000; i < 8000; i++) {
    const double x = 5.0 + 3.0 * trial_value(g, i); /* a different distribution: d != 0 */
    osq_welford_add(&b, x);
    osq_welford_add(&all, x);
  }
  osq_welford_t m = a;
  osq_welford_merge(&m, &b);
  cr_expect_eq(m.n, all.n);
  cr_expect(rel_close(m.mean, all.mean, 1e-12), "mean %.17g vs %.17g", m.mean, all.mean);
  cr_expect(rel_close(m.m2, all.m2, 1e-12), "m2 %.17g vs %.17g", m.m2, all.m2);
  cr_expect(rel_close(osq_welford_var(&m), osq_welford_var(&all), 1e-12));

  /* Empty on either side is exact. */
  const osq_welford_t empty = OSQ_WELFORD_INIT;
  osq_welford_t e = OSQ_WELFORD_INIT;
  osq_welford_merge(&e, &b);
  cr_expect(memcmp(&e, &b, sizeof b) == 0);
  osq_welford_t c = a;
  osq_welford_merge(&c, &empty);
  cr_expect(memcmp(&c, &a, sizeof a) == 0);
  gsl_rng_free(g);
}

/* ---- histograms ---- */

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

Test(hist, integer_quantiles_are_exact) {
  enum { N = 10007 };
  double *x = malloc(N * sizeof *x);
  cr_assert(x != NULL);
  gsl_rng *g = osq_rng_gsl_alloc();
  cr_assert(g != NULL);
  osq_rng_gsl_reset(g, SEED, 1, OSQ_STREAM_TEST);
  osq_hist_t *h = osq_hist_alloc(-0.5, 1.0, 80); /* the integers 0..79 */
  cr_assert(h != NULL);
  for (int i = 0; i < N; i++) {
    x[i] = (double)gsl_ran_poisson(g, 20.0);
    osq_hist_add(h, x[i]);
  }
  cr_assert_eq(h->under + h->over + h->nan, 0u, "test data outside the bins");
  cr_expect_eq(osq_hist_count(h), (uint64_t)N);
  qsort(x, N, sizeof *x, cmp_double);
  cr_expect_eq(h->min, x[0]);
  cr_expect_eq(h->max, x[N - 1]);

  const double ps[] = {0.05, 0.5, 0.95};
  for (int j = 0; j < 3; j++) {
    const double q = osq_hist_quantile(h, ps[j]);
    const size_t k = (size_t)ceil(ps[j] * N); /* p*N is 500.35, 5003.5, 9506.65 */
    cr_expect_eq(q, floor(q), "p=%g gave a non-integer %g", ps[j], q);
    cr_expect_eq(q, x[k - 1], "p=%g: %g, but the %zu-th smallest value is %g", ps[j], q, k,
                 x[k - 1]);
    /* GSL interpolates between x[floor(p(N-1))] and the next value; with 10^4 tied integers
     * those are equal here, so both definitions give the same integer. */
    const double gq = gsl_stats_quantile_from_sorted_data(x, 1, N, ps[j]);
    cr_expect_eq(q, gq, "p=%g: histogram %g vs gsl %g", ps[j], q, gq);
  }
  cr_expect_eq(osq_hist_quantile(h, 0.0), x[0]);
  cr_expect_eq(osq_hist_quantile(h, 1.0), x[N - 1]);
  osq_hist_free(h);
  gsl_rng_free(g);
  free(x);
}

Test(hist, quantile_definition_is_inverse_ecdf) {
  /* {1,2,3,4}: F(2) = 0.5, so the median is 2 (GSL's interpolating definition gives 2.5). */
  osq_hist_t *h = osq_hist_alloc(-0.5, 1.0, 10);
  cr_assert(h != NULL);
  const double x[] = {1, 2, 3, 4};
  for (int i = 0; i < 4; i++) osq_hist_add(h, x[i]);
  cr_expect_eq(osq_hist_quantile(h, 0.5), 2.0);
  cr_expect_eq(gsl_stats_quantile_from_sorted_data(x, 1, 4, 0.5), 2.5);
  cr_expect_eq(osq_hist_quantile(h, 0.25), 1.0);
  cr_expect_eq(osq_hist_quantile(h, 0.2500001), 2.0);
  cr_expect_eq(osq_hist_quantile(h, 0.75), 3.0);
  cr_expect_eq(osq_hist_quantile(h, 0.76), 4.0);
  osq_hist_free(h);

  /* 1..100, p = 0.07: 0.07*100 evaluates to 7.000000000000001 but the 7th value is meant. */
  h = osq_hist_alloc(0.5, 1.0, 100);
  cr_assert(h != NULL);
  for (int i = 1; i <= 100; i++) osq_hist_add(h, i);
  cr_expect_eq(osq_hist_quantile(h, 0.07), 7.0);
  cr_expect_eq(osq_hist_quantile(h, 0.95), 95.0);
  cr_expect_eq(osq_hist_quantile(h, 0.951), 96.0);
  osq_hist_free(h);
}

Test(hist, out_of_range_nan_and_invalid) {
  osq_hist_t *h = osq_hist_alloc(-0.5, 1.0, 5); /* integers 0..4 */
  cr_assert(h != NULL);
  cr_expect(isnan(osq_hist_quantile(h, 0.5)), "empty histogram");
  const double x[] = {-1, 0, 1, 2, 3, 4, 5, NAN};
  for (int i = 0; i < 8; i++) osq_hist_add(h, x[i]);
  cr_expect_eq(h->under, 1u);
  cr_expect_eq(h->over, 1u);
  cr_expect_eq(h->nan, 1u);
  cr_expect_eq(osq_hist_count(h), 7u);
  cr_expect_eq(h->min, -1.0);
  cr_expect_eq(h->max, 5.0);
  cr_expect_eq(osq_hist_quantile(h, 0.5), 2.0); /* 4th of -1,0,1,2,3,4,5 */
  cr_expect_eq(osq_hist_quantile(h, 0.0), -INFINITY);
  cr_expect_eq(osq_hist_quantile(h, 1.0), INFINITY);
  cr_expect(isnan(osq_hist_quantile(h, -0.1)));
  cr_expect(isnan(osq_hist_quantile(h, 1.1)));
  cr_expect(isnan(osq_hist_quantile(h, NAN)));
  osq_hist_reset(h);
  cr_expect_eq(osq_hist_count(h), 0u);
  cr_expect_eq(h->nan, 0u);
  cr_expect_eq(h->min, INFINITY);
  osq_hist_free(h);

  cr_expect_null(osq_hist_alloc(0.0, 0.0, 5));
  cr_expect_null(osq_hist_alloc(0.0, -1.0, 5));
  cr_expect_null(osq_hist_alloc(0.0, 1.0, 0));
  cr_expect_null(osq_hist_alloc(NAN, 1.0, 5));
  cr_expect_null(osq_hist_alloc(0.0, INFINITY, 5));
  cr_expect_null(osq_hist_set_alloc(0, NULL, NULL, NULL));
  osq_hist_free(NULL);
}

static int same_hist(const osq_hist_t *a, const osq_hist_t *b) {
  return a->nbins == b->nbins && a->under == b->under && a->over == b->over && a->nan == b->nan &&
         memcmp(&a->min, &b->min, sizeof a->min) == 0 &&
         memcmp(&a->max, &b->max, sizeof a->max) == 0 &&
         memcmp(a->counts, b->counts, (size_t)a->nbins * sizeof *a->counts) == 0;
}

Test(hist, merge_is_order_free) {
  enum { PARTS = 8, PER = 5000 };
  const double lo = -1.0, width = 0.37;
  const int nbins = 40;
  osq_hist_t *part[PARTS];
  osq_hist_t *direct = osq_hist_alloc(lo, width, nbins);
  cr_assert(direct != NULL);
  gsl_rng *g = osq_rng_gsl_alloc();
  cr_assert(g != NULL);
  for (int p = 0; p < PARTS; p++) {
    part[p] = osq_hist_alloc(lo, width, nbins);
    cr_assert(part[p] != NULL);
    osq_rng_gsl_reset(g, SEED, (uint64_t)p, OSQ_STREAM_TEST);
    for (int i = 0; i < PER; i++) {
      const double x = gsl_ran_gaussian(g, 4.0) + 6.0; /* spills into under and over */
      osq_hist_add(part[p], x);
      osq_hist_add(direct, x);
    }
  }
  cr_assert(direct->under > 0 && direct->over > 0);

  static const int orders[4][PARTS] = {
      {0, 1, 2, 3, 4, 5, 6, 7},
      {7, 6, 5, 4, 3, 2, 1, 0},
      {3, 0, 6, 1, 7, 2, 5, 4},
      {5, 2, 7, 0, 4, 1, 3, 6},
  };
  osq_hist_t *merged[4];
  for (int o = 0; o < 4; o++) {
    merged[o] = osq_hist_alloc(lo, width, nbins);
    cr_assert(merged[o] != NULL);
    for (int p = 0; p < PARTS; p++)
      cr_assert_eq(osq_hist_merge(merged[o], part[orders[o][p]]), 0);
    cr_expect(same_hist(merged[o], direct), "order %d differs from adding directly", o);
  }
  /* A pairwise tree merge, as ranks might do. */
  for (int step = 1; step < PARTS; step *= 2)
    for (int p = 0; p + step < PARTS; p += 2 * step)
      cr_assert_eq(osq_hist_merge(part[p], part[p + step]), 0);
  cr_expect(same_hist(part[0], direct), "tree merge differs");

  /* Mismatched bins are refused and leave the target unchanged. */
  osq_hist_t *other = osq_hist_alloc(lo, width * 2, nbins);
  cr_assert(other != NULL);
  osq_hist_add(other, 1.0);
  cr_expect_eq(osq_hist_merge(merged[0], other), OSQ_EINVAL);
  cr_expect(same_hist(merged[0], direct));

  osq_hist_free(other);
  for (int o = 0; o < 4; o++) osq_hist_free(merged[o]);
  for (int p = 0; p < PARTS; p++) osq_hist_free(part[p]);
  osq_hist_free(direct);
  gsl_rng_free(g);
}

Test(hist, sets_share_one_block) {
  const double lo[] = {-0.5, 0.0, -0.5};
  const double width[] = {1.0, 0.25, 1.0};
  const int nbins[] = {7, 3, 1000};
  osq_hist_t *set = osq_hist_set_alloc(3, lo, width, nbins);
  cr_assert(set != NULL);
  for (int j = 0; j < 3; j++) {
    cr_expect_eq(set[j].lo, lo[j]);
    cr_expect_eq(set[j].width, width[j]);
    cr_expect_eq(set[j].nbins, nbins[j]);
    cr_expect_eq(osq_hist_count(&set[j]), 0u);
    cr_expect_eq((uintptr_t)set[j].counts % _Alignof(uint64_t), 0u);
  }
  /* Counters lie back to back after the headers, without overlap. */
  cr_expect((char *)set[0].counts >= (char *)(set + 3));
  cr_expect_eq(set[1].counts, set[0].counts + 7);
  cr_expect_eq(set[2].counts, set[1].counts + 3);

  for (int v = 0; v < 7; v++) osq_hist_add(&set[0], v); /* fill every bin of set[0] */
  osq_hist_add(&set[1], 0.6);
  osq_hist_add(&set[2], 999);
  cr_expect_eq(set[1].counts[2], 1u);
  cr_expect_eq(set[1].counts[0] + set[1].counts[1], 0u);
  cr_expect_eq(set[2].counts[999], 1u);
  cr_expect_eq(set[2].counts[0], 0u);
  cr_expect_eq(osq_hist_count(&set[0]), 7u);
  cr_expect_eq(osq_hist_quantile(&set[2], 0.5), 999.0);

  osq_hist_t *like = osq_hist_set_alloc_like(set, 3);
  cr_assert(like != NULL);
  for (int j = 0; j < 3; j++) {
    cr_expect_eq(like[j].lo, lo[j]);
    cr_expect_eq(like[j].width, width[j]);
    cr_expect_eq(like[j].nbins, nbins[j]);
    cr_expect_eq(osq_hist_count(&like[j]), 0u);
  }
  osq_hist_add(&like[2], 3);
  cr_expect_eq(osq_hist_set_merge(like, set, 3), 0);
  cr_expect_eq(osq_hist_count(&like[0]), 7u);
  cr_expect_eq(osq_hist_count(&like[2]), 2u);
  cr_expect_eq(like[2].min, 3.0);
  cr_expect_eq(like[2].max, 999.0);

  /* A set with different bins in one member is refused as a whole. */
  const int nbins2[] = {7, 3, 999};
  osq_hist_t *bad = osq_hist_set_alloc(3, lo, width, nbins2);
  cr_assert(bad != NULL);
  cr_expect_eq(osq_hist_set_merge(bad, set, 3), OSQ_EINVAL);
  cr_expect_eq(osq_hist_count(&bad[0]), 0u, "first member merged despite the error");

  const int badbins[] = {7, 0, 3};
  cr_expect_null(osq_hist_set_alloc(3, lo, width, badbins));

  osq_hist_free(bad);
  osq_hist_free(like);
  osq_hist_free(set);
}

/* ---- summary ---- */

Test(summary, known_values_and_edge_cases) {
  osq_welford_t w = OSQ_WELFORD_INIT;
  osq_hist_t *h = osq_hist_alloc(-0.5, 1.0, 10);
  cr_assert(h != NULL);
  for (int i = 1; i <= 5; i++) {
    osq_welford_add(&w, i);
    osq_hist_add(h, i);
  }
  osq_summary_t s;
  osq_summarize(&w, h, &s);
  const double t = gsl_cdf_tdist_Pinv(0.975, 4);
  cr_expect(fabs(t - 2.7764451051977987) < 1e-12, "t(0.975, 4) = %.17g", t);
  cr_expect_eq(s.n, 5);
  cr_expect_eq(s.mean, 3.0);
  cr_expect(rel_close(s.sd, sqrt(2.5), 1e-15));
  cr_expect(rel_close(s.se, sqrt(0.5), 1e-15));
  cr_expect(rel_close(s.ci95_lo, 3.0 - t * sqrt(0.5), 1e-15));
  cr_expect(rel_close(s.ci95_hi, 3.0 + t * sqrt(0.5), 1e-15));
  cr_expect_eq(s.p05, 1.0);
  cr_expect_eq(s.p50, 3.0);
  cr_expect_eq(s.p95, 5.0);

  osq_summarize(&w, NULL, &s);
  cr_expect(isnan(s.p05) && isnan(s.p50) && isnan(s.p95));

  osq_welford_t one = OSQ_WELFORD_INIT;
  osq_welford_add(&one, 4.25);
  osq_summarize(&one, NULL, &s);
  cr_expect_eq(s.n, 1);
  cr_expect_eq(s.mean, 4.25);
  cr_expect_eq(s.sd, 0.0);
  cr_expect_eq(s.se, 0.0);
  cr_expect_eq(s.ci95_lo, 4.25);
  cr_expect_eq(s.ci95_hi, 4.25);

  const osq_welford_t none = OSQ_WELFORD_INIT;
  osq_hist_reset(h);
  osq_summarize(&none, h, &s);
  cr_expect_eq(s.n, 0);
  cr_expect_eq(s.sd, 0.0);
  cr_expect_eq(s.se, 0.0);
  cr_expect(isnan(s.mean) && isnan(s.ci95_lo) && isnan(s.ci95_hi) && isnan(s.p50));
  osq_hist_free(h);
}

Test(summary, ci95_coverage) {
  /* 2000 repetitions of N = 200 draws of Exponential(mean 2); repetition r is trial r. The
   * t-interval's coverage must lie in the binomial 99.9 % band 0.95 +/- 3.3*sqrt(.95*.05/2000)
   * = [0.9339, 0.9661]. Fixed seed and streams: the outcome is deterministic. */
  enum { REPS = 2000, N = 200 };
  const double mu = 2.0;
  gsl_rng *g = osq_rng_gsl_alloc();
  cr_assert(g != NULL);
  int covered = 0;
  for (int r = 0; r < REPS; r++) {
    osq_rng_gsl_reset(g, SEED, (uint64_t)r, OSQ_STREAM_TEST);
    osq_welford_t w = OSQ_WELFORD_INIT;
    for (int i = 0; i < N; i++) osq_welford_add(&w, gsl_ran_exponential(g, mu));
    osq_summary_t s;
    osq_summarize(&w, NULL, &s);
    cr_assert(s.ci95_lo < s.mean && s.mean < s.ci95_hi);
    if (s.ci95_lo <= mu && mu <= s.ci95_hi) covered++;
  }
  const double frac = (double)covered / REPS;
  const double band = 3.3 * sqrt(0.95 * 0.05 / REPS);
  cr_log_info("CI coverage %d/%d = %.4f (band %.4f..%.4f)", covered, REPS, frac, 0.95 - band,
              0.95 + band);
  cr_expect(fabs(frac - 0.95) <= band, "coverage %.4f outside 0.95 +/- %.4f", frac, band);
  gsl_rng_free(g);
}
