/*
 * test_rng.c checks models/rng: Philox2x64-10 against Random123's known-answer vectors through
 * osq's own call path, the (seed, trial, substream) -> counter/key mapping, stream
 * reproducibility across threads and trial order, the gsl_rng_type wrapper, and uniformity; and
 * models/draw.h: the model's inline draws equal GSL's on a Philox stream and on any other generator.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "models/binomial.h"
#include "models/draw.h"
#include "models/rng.h"

/* Known-answer vectors for philox2x64 with 10 rounds, copied from Random123 1.14's
 * /usr/share/doc/librandom123-dev/tests/kat_vectors.gz (lines "philox2x64 10 ..."):
 * ctr.v[0] ctr.v[1] key.v[0] -> out.v[0] out.v[1]. */
static const uint64_t kat[][5] = {
    {0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u, 0xca00a0459843d731u,
     0x66c24222c9a845b5u},
    {0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x65b021d60cd8310fu,
     0x4d02f3222f86df20u},
    {0x243f6a8885a308d3u, 0x13198a2e03707344u, 0xa4093822299f31d0u, 0x0a5e742c2997341cu,
     0xb0f883d38000de5du},
};

Test(rng, kat_vectors_block) {
  for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
    uint64_t out[2] = {0, 0};
    osq_philox2x64_block(kat[i][0], kat[i][1], kat[i][2], out);
    cr_expect_eq(out[0], kat[i][3], "vector %zu word 0: %016llx", i, (unsigned long long)out[0]);
    cr_expect_eq(out[1], kat[i][4], "vector %zu word 1: %016llx", i, (unsigned long long)out[1]);
  }
}

Test(rng, kat_vector_through_stream) {
  /* (seed 0, trial 0, substream 0) is ctr {0,0}, key {0}: the first KAT vector, in order. */
  osq_rng_t r;
  osq_rng_init(&r, 0, 0, 0);
  cr_expect_eq(osq_rng_u64(&r), UINT64_C(0xca00a0459843d731));
  cr_expect_eq(osq_rng_u64(&r), UINT64_C(0x66c24222c9a845b5));
}

Test(rng, counter_key_mapping) {
  /* The third KAT vector's counter read as (substream 0x24, block 0x3f6a8885a308d3). */
  const uint64_t seed = UINT64_C(0xa4093822299f31d0), trial = UINT64_C(0x13198a2e03707344);
  osq_rng_t r;
  osq_rng_init(&r, seed, trial, 0x24);
  cr_assert_eq(r.key.v[0], seed);
  cr_assert_eq(r.ctr.v[1], trial);
  cr_assert_eq(r.ctr.v[0], UINT64_C(0x24) << 56);
  r.ctr.v[0] |= UINT64_C(0x3f6a8885a308d3); /* seek to that block */
  cr_expect_eq(osq_rng_u64(&r), kat[2][3]);
  cr_expect_eq(osq_rng_u64(&r), kat[2][4]);

  /* Word 2b+w of stream (seed, trial, s) is word w of block ((s << 56) | b, trial; seed). */
  const unsigned subs[] = {OSQ_STREAM_MODEL, OSQ_STREAM_SITES, OSQ_STREAM_TEST};
  for (size_t s = 0; s < 3; s++) {
    osq_rng_init(&r, 42, 123456789, subs[s]);
    for (uint64_t b = 0; b < 50; b++) {
      uint64_t out[2];
      osq_philox2x64_block(((uint64_t)subs[s] << 56) | b, 123456789, 42, out);
      cr_assert_eq(osq_rng_u64(&r), out[0], "substream %u block %llu word 0", subs[s],
                   (unsigned long long)b);
      cr_assert_eq(osq_rng_u64(&r), out[1], "substream %u block %llu word 1", subs[s],
                   (unsigned long long)b);
    }
  }
}

/* The stream's refill (eight blocks a vector on a processor with AVX-512, one at a time on another)
 * gives the words of philox2x64_R block after block, across many refills, for keys and counters
 * with every bit set as well as the usual ones (the KAT-checked block is the reference). */
Test(rng, refill_equals_blocks) {
  const uint64_t keys[] = {0, 20190101, UINT64_MAX, kat[2][2]};
  const uint64_t trials[] = {0, 17, UINT64_MAX, kat[2][1]};
  const unsigned subs[] = {OSQ_STREAM_MODEL, OSQ_STREAM_GEO, 0xffu};
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
    for (size_t t = 0; t < sizeof trials / sizeof trials[0]; t++)
      for (size_t s = 0; s < sizeof subs / sizeof subs[0]; s++) {
        osq_rng_t r;
        osq_rng_init(&r, keys[k], trials[t], subs[s]);
        for (uint64_t b = 0; b < 5 * OSQ_RNG_BATCH + 3; b++) {
          uint64_t out[2];
          osq_philox2x64_block(((uint64_t)subs[s] << 56) | b, trials[t], keys[k], out);
          const uint64_t w0 = osq_rng_u64(&r), w1 = osq_rng_u64(&r);
          cr_assert(w0 == out[0] && w1 == out[1], "key %zu trial %zu substream %u block %llu", k, t, subs[s],
                    (unsigned long long)b);
        }
      }
}

Test(rng, substream_ids_and_masking) {
  cr_expect_eq(OSQ_STREAM_MODEL, 0u);
  cr_expect_eq(OSQ_STREAM_SITES, 1u);
  cr_expect_eq(OSQ_STREAM_TEST, 255u);
  osq_rng_t a, b;
  osq_rng_init(&a, 9, 9, 256 + 3); /* only the low 8 bits of the substream count */
  osq_rng_init(&b, 9, 9, 3);
  for (int i = 0; i < 5; i++) cr_expect_eq(osq_rng_u64(&a), osq_rng_u64(&b));
}

Test(rng, u01_is_top_53_bits) {
  osq_rng_t a, b;
  osq_rng_init(&a, 5, 77, OSQ_STREAM_TEST);
  osq_rng_init(&b, 5, 77, OSQ_STREAM_TEST);
  for (int i = 0; i < 10000; i++) {
    const double u = osq_rng_u01(&a);
    const uint64_t x = osq_rng_u64(&b);
    cr_assert_eq(u, (double)(x >> 11) * 0x1.0p-53);
    cr_assert(u >= 0.0 && u < 1.0);
  }
}

Test(rng, reinit_discards_half_used_block) {
  osq_rng_t r, fresh;
  osq_rng_init(&fresh, 1, 2, 0);
  const uint64_t first = osq_rng_u64(&fresh), second = osq_rng_u64(&fresh);
  osq_rng_init(&r, 1, 2, 0);
  (void)osq_rng_u64(&r); /* one word left in the buffer */
  osq_rng_init(&r, 1, 2, 0);
  cr_expect_eq(osq_rng_u64(&r), first);
  cr_expect_eq(osq_rng_u64(&r), second);
}

#define NT 2000
#define ND 8

/* Each trial's first ND words, taken from a fresh stream, serially. */
static void reference_draws(uint64_t seed, uint64_t (*ref)[ND]) {
  for (uint64_t i = 0; i < NT; i++) {
    osq_rng_t r;
    osq_rng_init(&r, seed, i, OSQ_STREAM_MODEL);
    for (int d = 0; d < ND; d++) ref[i][d] = osq_rng_u64(&r);
  }
}

Test(rng, same_stream_any_thread_any_order) {
  const uint64_t seed = 20240601;
  uint64_t(*ref)[ND] = malloc(sizeof(uint64_t[NT][ND]));
  uint64_t(*got)[ND] = malloc(sizeof(uint64_t[NT][ND]));
  int *who = malloc(NT * sizeof *who);
  cr_assert(ref != NULL && got != NULL && who != NULL);
  reference_draws(seed, ref);

  for (int threads = 1; threads <= 4; threads++) {
    memset(got, 0, sizeof(uint64_t[NT][ND]));
    int alloc_failed = 0;
#pragma omp parallel num_threads(threads) reduction(+ : alloc_failed)
    {
      gsl_rng *g = osq_rng_gsl_alloc(); /* one per thread, reused for every trial */
      if (g == NULL) {
        alloc_failed++;
      } else {
        osq_rng_t *s = osq_rng_gsl_state(g);
        /* Reverse trial order, dynamic schedule: each trial runs after a varying set of others
         * on the same generator, which was left mid-block by the previous trial. */
#pragma omp for schedule(dynamic, 1)
        for (int k = 0; k < NT; k++) {
          const int i = NT - 1 - k;
          osq_rng_gsl_reset(g, seed, (uint64_t)i, OSQ_STREAM_MODEL);
          for (int d = 0; d < ND; d++)
            got[i][d] = (d % 2) ? osq_rng_u64(s) : ((uint64_t)gsl_rng_get(g) << 32);
          for (int extra = 0; extra < i % 3; extra++) (void)gsl_rng_uniform(g);
          who[i] = omp_get_thread_num();
        }
        gsl_rng_free(g);
      }
    }
    cr_assert_eq(alloc_failed, 0);
    for (int i = 0; i < NT; i++)
      for (int d = 0; d < ND; d++) {
        const uint64_t want = (d % 2) ? ref[i][d] : (ref[i][d] >> 32) << 32;
        cr_assert_eq(got[i][d], want, "threads=%d trial %d draw %d (ran on thread %d)", threads,
                     i, d, who[i]);
      }
  }
  free(ref);
  free(got);
  free(who);
}

static int cmp_u64(const void *a, const void *b) {
  const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

Test(rng, different_identities_give_different_streams) {
  const uint64_t seeds[] = {0, 1, 42, UINT64_C(1) << 32, UINT64_C(1) << 63};
  const uint64_t trials[] = {0, 1, 2, UINT64_C(1) << 32, UINT64_MAX};
  const unsigned subs[] = {OSQ_STREAM_MODEL, OSQ_STREAM_SITES, 2, OSQ_STREAM_TEST};
  enum { NS = 5, NTR = 5, NSUB = 4, N = NS * NTR * NSUB };
  uint64_t first[N], second[N];
  int n = 0;
  for (int a = 0; a < NS; a++)
    for (int b = 0; b < NTR; b++)
      for (int c = 0; c < NSUB; c++) {
        osq_rng_t r;
        osq_rng_init(&r, seeds[a], trials[b], subs[c]);
        first[n] = osq_rng_u64(&r);
        second[n] = osq_rng_u64(&r);
        n++;
      }
  /* All first words (and all second words) distinct: no two identities share a stream. */
  qsort(first, N, sizeof first[0], cmp_u64);
  qsort(second, N, sizeof second[0], cmp_u64);
  for (int i = 1; i < N; i++) {
    cr_expect_neq(first[i], first[i - 1], "two streams share their first word");
    cr_expect_neq(second[i], second[i - 1], "two streams share their second word");
  }
}

Test(rng, gsl_wrapper_matches_inline) {
  gsl_rng *g = osq_rng_gsl_alloc();
  cr_assert(g != NULL);
  cr_expect_str_eq(gsl_rng_name(g), "philox2x64-10");
  cr_expect_str_eq(gsl_rng_name(g), OSQ_RNG_NAME);
  cr_expect_eq(gsl_rng_max(g), 0xffffffffUL);
  cr_expect_eq(gsl_rng_min(g), 0UL);
  cr_expect_eq(gsl_rng_size(g), sizeof(osq_rng_t));
  cr_expect(g->type == osq_rng_philox);

  /* A fresh generator sits at stream (0, 0, 0): top half of the first KAT word. */
  cr_expect_eq(gsl_rng_get(g), 0xca00a045UL);

  osq_rng_t r;
  osq_rng_gsl_reset(g, 42, 7, OSQ_STREAM_MODEL);
  osq_rng_init(&r, 42, 7, OSQ_STREAM_MODEL);
  for (int i = 0; i < 3000; i++) {
    switch (i % 3) {
    case 0:
      cr_assert_eq(gsl_rng_uniform(g), osq_rng_u01(&r), "draw %d", i);
      break;
    case 1:
      cr_assert_eq(gsl_rng_get(g), (unsigned long)(osq_rng_u64(&r) >> 32), "draw %d", i);
      break;
    default:
      cr_assert_eq(osq_rng_u64(osq_rng_gsl_state(g)), osq_rng_u64(&r), "draw %d", i);
    }
  }

  /* gsl_rng_set(g, s) == osq_rng_gsl_reset(g, s, 0, 0), with all 64 seed bits. */
  const uint64_t s = UINT64_C(0x123456789abcdef0);
  gsl_rng_set(g, (unsigned long)s);
  osq_rng_init(&r, s, 0, 0);
  for (int i = 0; i < 10; i++) cr_expect_eq(gsl_rng_uniform(g), osq_rng_u01(&r));

  /* gsl_rng_clone copies the state (mid-block included). */
  gsl_rng *c = gsl_rng_clone(g);
  cr_assert(c != NULL);
  for (int i = 0; i < 10; i++) cr_expect_eq(gsl_rng_get(c), gsl_rng_get(g));
  gsl_rng_free(c);
  gsl_rng_free(g);
}

Test(rng, gsl_state_of_foreign_generator_is_null) {
  gsl_rng *t = gsl_rng_alloc(gsl_rng_taus2);
  cr_assert(t != NULL);
  cr_expect_null(osq_rng_gsl_state(t));
  cr_expect_null(osq_rng_gsl_state(NULL));
  gsl_rng_free(t);
}

static double chisq_p_value(const uint64_t *counts, int bins, uint64_t n) {
  const double expect = (double)n / bins;
  double chi2 = 0.0;
  for (int b = 0; b < bins; b++) {
    const double d = (double)counts[b] - expect;
    chi2 += d * d / expect;
  }
  return gsl_cdf_chisq_Q(chi2, bins - 1);
}

Test(rng, chisq_uniformity_within_a_stream) {
  enum { BINS = 100, N = 1000000 };
  uint64_t counts[BINS] = {0};
  osq_rng_t r;
  osq_rng_init(&r, 20240601, 0, OSQ_STREAM_TEST);
  for (int i = 0; i < N; i++) counts[(int)(osq_rng_u01(&r) * BINS)]++;
  const double p = chisq_p_value(counts, BINS, N);
  cr_expect_gt(p, 1e-6, "chi-square p-value %g", p);
}

Test(rng, chisq_uniformity_across_trials) {
  /* First draw of each of 10^5 consecutive trials: the counter mapping must not correlate them. */
  enum { BINS = 100, N = 100000 };
  uint64_t counts[BINS] = {0};
  for (int i = 0; i < N; i++) {
    osq_rng_t r;
    osq_rng_init(&r, 20240601, (uint64_t)i, OSQ_STREAM_MODEL);
    counts[(int)(osq_rng_u01(&r) * BINS)]++;
  }
  const double p = chisq_p_value(counts, BINS, N);
  cr_expect_gt(p, 1e-6, "chi-square p-value %g", p);
}

/* |sample mean - mu| within 5 standard errors, given the true variance. */
static void expect_mean(const char *what, double sum, int n, double mu, double var) {
  const double mean = sum / n, se = sqrt(var / n);
  cr_expect(fabs(mean - mu) < 5.0 * se, "%s: mean %.6g, truth %.6g, 5 SE = %.3g", what, mean, mu,
            5.0 * se);
}

Test(rng, gsl_samplers_through_wrapper) {
  enum { N = 200000 };
  gsl_rng *g = osq_rng_gsl_alloc();
  cr_assert(g != NULL);
  osq_rng_gsl_reset(g, 99, 0, OSQ_STREAM_TEST);

  double s = 0.0;
  for (int i = 0; i < N; i++) s += gsl_ran_gaussian(g, 2.0);
  expect_mean("gaussian(sd 2)", s, N, 0.0, 4.0);

  s = 0.0;
  for (int i = 0; i < N; i++) s += gsl_ran_gaussian_ziggurat(g, 1.5);
  expect_mean("gaussian_ziggurat(sd 1.5)", s, N, 0.0, 2.25);

  s = 0.0;
  for (int i = 0; i < N; i++) s += gsl_ran_binomial(g, 0.3, 20);
  expect_mean("binomial(0.3, 20)", s, N, 6.0, 20 * 0.3 * 0.7);

  s = 0.0;
  for (int i = 0; i < N; i++) s += gsl_ran_exponential(g, 2.0);
  expect_mean("exponential(mean 2)", s, N, 2.0, 4.0);

  s = 0.0;
  unsigned long maxv = 0;
  for (int i = 0; i < N; i++) {
    const unsigned long k = gsl_rng_uniform_int(g, 10);
    if (k > maxv) maxv = k;
    s += (double)k;
  }
  cr_expect_lt(maxv, 10UL);
  expect_mean("uniform_int(10)", s, N, 4.5, (100.0 - 1.0) / 12.0);

  /* n above 2^31 exercises max = 0xffffffff (a 31-bit max would make GSL reject n). */
  const double big = 3e9;
  s = 0.0;
  maxv = 0;
  for (int i = 0; i < N; i++) {
    const unsigned long k = gsl_rng_uniform_int(g, (unsigned long)big);
    if (k > maxv) maxv = k;
    s += (double)k;
  }
  cr_expect_lt(maxv, (unsigned long)big);
  cr_expect_gt(maxv, (unsigned long)(0.99 * big));
  expect_mean("uniform_int(3e9)", s, N, (big - 1.0) / 2.0, (big * big - 1.0) / 12.0);

  gsl_rng_free(g);
}

/* The model's draws (models/draw.h) are GSL's, word for word: the same values as
 * gsl_rng_uniform and gsl_rng_uniform_int from two generators at the same position, for bounds
 * small (every n up to 1,100: shuffles, days, joins), near a power of two and at the largest,
 * where GSL's rejection draws again; and the same position afterwards. On another generator
 * (taus2) the draws go through GSL. */
static void expect_same_draws(gsl_rng *a, gsl_rng *b) {
  osq_draw_t d = osq_draw_of(a);
  const uint32_t big[] = {0x7fffffffu, 0x80000000u, 0x80000001u, 0xaaaaaaabu, 0xfffffffeu, 0xffffffffu};
  for (int rep = 0; rep < 3; rep++) {
    for (uint32_t n = 1; n <= 1100; n++) {
      const uint32_t x = osq_draw_int(&d, n);
      const unsigned long y = gsl_rng_uniform_int(b, n);
      cr_assert_eq(x, y, "n = %u: %u, GSL %lu", n, x, y);
      const double u = osq_draw_u01(&d), v = gsl_rng_uniform(b);
      cr_assert(u == v, "u01 after n = %u: %.17g, GSL %.17g", n, u, v);
    }
    for (size_t k = 0; k < sizeof big / sizeof big[0]; k++)
      for (int r = 0; r < 50; r++) {
        const uint32_t x = osq_draw_int(&d, big[k]);
        const unsigned long y = gsl_rng_uniform_int(b, big[k]);
        cr_assert_eq(x, y, "n = %u: %u, GSL %lu", big[k], x, y);
      }
    cr_assert_eq(osq_draw_binomial(&d, 0.45, 42), gsl_ran_binomial(b, 0.45, 42));
  }
  osq_draw_done(&d);
  cr_assert(gsl_rng_uniform(a) == gsl_rng_uniform(b), "the streams end at different positions");
}

Test(rng, model_draws_equal_gsl_draws) {
  gsl_rng *a = osq_rng_gsl_alloc(), *b = osq_rng_gsl_alloc();
  cr_assert(a && b);
  osq_rng_gsl_reset(a, 20190101, 17, OSQ_STREAM_MODEL);
  osq_rng_gsl_reset(b, 20190101, 17, OSQ_STREAM_MODEL);
  cr_assert(osq_draw_of(a).s != NULL, "a Philox stream is drawn inline");
  expect_same_draws(a, b);
  gsl_rng_free(a);
  gsl_rng_free(b);
  gsl_rng *c = gsl_rng_alloc(gsl_rng_taus2), *e = gsl_rng_alloc(gsl_rng_taus2);
  gsl_rng_set(c, 5);
  gsl_rng_set(e, 5);
  cr_assert(osq_draw_of(c).s == NULL, "another generator goes through GSL");
  expect_same_draws(c, e);
  gsl_rng_free(c);
  gsl_rng_free(e);
}

/* The reciprocals behind osq_draw_int: for every bound n <= OSQ_DRAW_RECIP_MAX and 32-bit words at
 * and around every multiple of GSL's scale (where a rounded reciprocal would be off by one), and at
 * the ends of the range, the multiplication gives GSL's quotient word / scale. */
Test(rng, draw_reciprocals_divide_exactly) {
  for (uint32_t n = 1; n <= OSQ_DRAW_RECIP_MAX; n++) {
    const uint64_t s = UINT32_C(0xffffffff) / n, c = osq_draw_recip[n];
    for (uint64_t m = 0; m <= n + 1; m++)
      for (int e = -1; e <= 2; e++) {
        const int64_t x0 = (int64_t)(m * s) + (e == 2 ? (int64_t)s - 1 : e);
        if (x0 < 0 || x0 > (int64_t)UINT32_C(0xffffffff)) continue;
        const uint64_t x = (uint64_t)x0;
        const uint64_t q = (uint64_t)(((unsigned __int128)c * x) >> 64);
        cr_assert_eq(q, x / s, "n = %u, x = %llu: %llu, expected %llu", n, (unsigned long long)x,
                     (unsigned long long)q, (unsigned long long)(x / s));
      }
  }
}

/* ---- models/binomial.h: the demand draw's tables ---- */

/* A generator for the tests that returns the uniforms it is given, in turn (0.5 once they run
 * out), and counts the calls: written apart from binomial.c's own. */
typedef struct {
  double u[2];
  int calls;
} fixed_t;
static double fixed_double(void *s) {
  fixed_t *f = s;
  const double u = f->calls < 2 ? f->u[f->calls] : 0.5;
  f->calls++;
  return u;
}
static unsigned long int fixed_get(void *s) {
  ((fixed_t *)s)->calls++;
  return 0;
}
static void fixed_set(void *s, unsigned long int seed) { (void)s, (void)seed; }
static const gsl_rng_type fixed_type = {"fixed", 0xffffffffUL, 0, sizeof(fixed_t), fixed_set, fixed_get, fixed_double};

/* GSL's value and calls when its first uniform is k / 2^53 and its second, if any, 0.25. */
static unsigned gsl_at(double p, unsigned n, uint64_t k, int *calls) {
  fixed_t f = {{(double)k * 0x1.0p-53, 0.25}, 0};
  gsl_rng g = {&fixed_type, &f};
  const unsigned v = gsl_ran_binomial(&g, p, n);
  *calls = f.calls;
  return v;
}

/* The table's value at k: -1 exactly where GSL draws more than once, else GSL's value. */
static void expect_table_at(const osq_binom_table_t *t, double p, unsigned n, uint64_t k) {
  int calls;
  const unsigned v = gsl_at(p, n, k, &calls);
  const int tv = osq_binom_table_value(t, k);
  if (calls != 1)
    cr_assert_eq(tv, -1, "p %.17g n %u k %llu: GSL drew %d times, the table says %d", p, n, (unsigned long long)k,
                 calls, tv);
  else
    cr_assert_eq(tv, (int)v, "p %.17g n %u k %llu: GSL %u, table %d", p, n, (unsigned long long)k, v, tv);
}

Test(binomial, tables_give_gsl_values_word_for_word) {
  const double ps[] = {0.0, 1e-3, 0.05, 0.2, 0.35, 0.434391, 0.45, 0.5, 0.5 + 1e-12, 0.565609, 0.65, 0.7, 0.9, 0.999, 1.0};
  const unsigned ns[] = {1, 2, 3, 5, 8, 10, 12, 20, 30, 42, 61, 62};
  const uint64_t K = UINT64_C(1) << 53;
  uint64_t state = 0x9e3779b97f4a7c15u;
  int built = 0, refused = 0, at_edges = 0;
  for (size_t a = 0; a < sizeof ps / sizeof ps[0]; a++)
    for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++) {
      osq_binom_table_t t;
      if (!osq_binom_table_build(&t, ps[a], ns[b])) {
        cr_assert_eq(t.n, 0);
        refused++;
        continue;
      }
      built++;
      cr_assert_eq(t.n, (int)ns[b]);
      /* on both sides of every threshold, and at the ends of the range */
      for (int x = 0; x <= t.n; x++)
        if (t.thr[x] < K) {
          if (t.thr[x] > 0) expect_table_at(&t, ps[a], ns[b], t.thr[x] - 1);
          expect_table_at(&t, ps[a], ns[b], t.thr[x]);
          at_edges++;
        }
      expect_table_at(&t, ps[a], ns[b], 0);
      expect_table_at(&t, ps[a], ns[b], K - 1);
      for (int r = 0; r < 4000; r++) { /* and at random words */
        state = state * 6364136223846793005u + 1442695040888963407u;
        expect_table_at(&t, ps[a], ns[b], state >> 11);
      }
    }
  cr_log_info("%d tables built, %d refused, %d thresholds checked on both sides", built, refused, at_edges);
  cr_assert_gt(built, 100, "%d tables built", built);
  cr_assert_gt(refused, 5, "GSL's two-uniform branch and n > %d get no table (%d)", OSQ_BINOM_MAX - 2, refused);
  cr_assert_gt(at_edges, 1000, "%d thresholds checked on both sides", at_edges);
  osq_binom_table_t t;
  cr_assert(!osq_binom_table_build(&t, 0.3, 0) && !osq_binom_table_build(&t, 0.3, OSQ_BINOM_MAX - 1) &&
            !osq_binom_table_build(&t, NAN, 10) && !osq_binom_table_build(&t, 1.5, 10));
}

/* The demand draw by table (models/quota.c demand_draw) reads a word with osq_draw_u64 and, where
 * GSL would draw again, hands it back (osq_draw_unread) for GSL to draw: the word read is osq_draw_u01's,
 * and after the hand-back GSL's draws are those of a stream that never read it, at every offset in
 * the buffer, the first word after a refill included. */
Test(binomial, a_word_handed_back_is_gsls_next_draw) {
  gsl_rng *a = osq_rng_gsl_alloc(), *b = osq_rng_gsl_alloc();
  cr_assert(a && b);
  osq_rng_gsl_reset(a, 20190101, 3, OSQ_STREAM_MODEL);
  osq_rng_gsl_reset(b, 20190101, 3, OSQ_STREAM_MODEL);
  osq_draw_t d = osq_draw_of(a);
  for (int k = 0; k < 5 * 2 * OSQ_RNG_BATCH; k++) {
    const uint64_t pos = osq_rng_words(osq_rng_gsl_state(b)); /* the words b (and d) have read */
    const uint64_t w = osq_draw_u64(&d);
    const double u = gsl_rng_uniform(b); /* b reads the same word */
    cr_assert(u == (double)(w >> 11) * 0x1.0p-53, "word %d", k);
    if (k % 3 == 0) continue; /* most words stay read */
    osq_draw_unread(&d);      /* handed back: GSL's next draw */
    osq_rng_gsl_reset(b, 20190101, 3, OSQ_STREAM_MODEL);
    for (uint64_t j = 0; j < pos; j++) gsl_rng_uniform(b); /* b at the position before the word */
    cr_assert_eq(osq_draw_binomial(&d, 0.3, 20), gsl_ran_binomial(b, 0.3, 20), "word %d", k);
  }
  osq_draw_done(&d);
  gsl_rng_free(a);
  gsl_rng_free(b);
}
