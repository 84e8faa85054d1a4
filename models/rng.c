/*
 * rng.c owns the Philox stream set-up, its refill (Random123's rounds, or the same rounds on eight
 * blocks at once with AVX-512 where the processor has it) and the gsl_rng_type adapter. Random123's
 * own GSL adapters return get()/2^32 (32-bit doubles); this one returns 53-bit doubles
 * (docs/engineering.md §2.4).
 */
#include "models/rng.h"

#include <stdlib.h>

#if defined(__GNUC__) && defined(__x86_64__) && !defined(OSQ_NO_AVX512)
#include <immintrin.h>
#define OSQ_RNG_AVX512 1
#endif

void osq_rng_init(osq_rng_t *r, uint64_t seed, uint64_t trial, unsigned substream) {
  r->key.v[0] = seed;
  r->ctr.v[0] = (uint64_t)(substream & 0xffu) << 56;
  r->ctr.v[1] = trial;
  for (int k = 0; k < 2 * OSQ_RNG_BATCH; k++) r->buf[k] = 0;
  r->avail = 0;
}

#ifdef OSQ_RNG_AVX512

/* The 128-bit product of each lane of a with the constant m = m_hi:m_lo (32-bit halves), as its
 * high and low words, from four 32 x 32-bit products (AVX-512 has no 64 x 64 -> 128): exact, so
 * the rounds are Random123's to the bit. */
__attribute__((target("avx512f"))) static inline __m512i mulhilo_avx512(__m512i a, __m512i m_lo, __m512i m_hi,
                                                                       __m512i *lo) {
  const __m512i low32 = _mm512_set1_epi64(0xffffffffLL);
  const __m512i a_hi = _mm512_srli_epi64(a, 32);
  const __m512i p0 = _mm512_mul_epu32(a, m_lo), p1 = _mm512_mul_epu32(a, m_hi);
  const __m512i p2 = _mm512_mul_epu32(a_hi, m_lo), p3 = _mm512_mul_epu32(a_hi, m_hi);
  const __m512i mid = _mm512_add_epi64(_mm512_add_epi64(_mm512_srli_epi64(p0, 32), _mm512_and_si512(p1, low32)),
                                       _mm512_and_si512(p2, low32)); /* < 3 * 2^32 */
  *lo = _mm512_or_si512(_mm512_slli_epi64(mid, 32), _mm512_and_si512(p0, low32));
  return _mm512_add_epi64(_mm512_add_epi64(p3, _mm512_srli_epi64(p1, 32)),
                          _mm512_add_epi64(_mm512_srli_epi64(p2, 32), _mm512_srli_epi64(mid, 32)));
}

/* The stream's next OSQ_RNG_BATCH blocks, eight a vector (word 0s and word 1s in two), round by
 * round as philox2x64_R computes one: out = (hi(M x0) ^ key ^ x1, lo(M x0)), the key bumped by W
 * before every round but the first. The vectors' rounds are independent: one vector alone would
 * wait for each round's products. */
#define AVX512_VECTORS (OSQ_RNG_BATCH / 8)
_Static_assert(OSQ_RNG_BATCH % 8 == 0, "whole vectors of eight 64-bit counters");
__attribute__((target("avx512f"))) static void refill_avx512(osq_rng_t *r) {
  const uint64_t m = PHILOX_M2x64_0;
  const __m512i m_lo = _mm512_set1_epi64((long long)(m & 0xffffffffu)), m_hi = _mm512_set1_epi64((long long)(m >> 32));
  __m512i x0[AVX512_VECTORS], x1[AVX512_VECTORS];
  for (int v = 0; v < AVX512_VECTORS; v++) {
    x0[v] = _mm512_add_epi64(_mm512_set1_epi64((long long)(r->ctr.v[0] + 8u * (unsigned)v)),
                             _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
    x1[v] = _mm512_set1_epi64((long long)r->ctr.v[1]);
  }
  uint64_t key = r->key.v[0];
  for (int round = 0; round < OSQ_PHILOX_ROUNDS; round++) {
    if (round > 0) key += PHILOX_W64_0;
    const __m512i k = _mm512_set1_epi64((long long)key);
    for (int v = 0; v < AVX512_VECTORS; v++) {
      __m512i lo;
      const __m512i hi = mulhilo_avx512(x0[v], m_lo, m_hi, &lo);
      x0[v] = _mm512_ternarylogic_epi64(hi, x1[v], k, 0x96); /* hi ^ x1 ^ key */
      x1[v] = lo;
    }
  }
  /* buf[2b] = word 0 of block b, buf[2b + 1] = word 1 */
  const __m512i first = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), second = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
  for (int v = 0; v < AVX512_VECTORS; v++) {
    _mm512_storeu_si512(r->buf + 16 * v, _mm512_permutex2var_epi64(x0[v], first, x1[v]));
    _mm512_storeu_si512(r->buf + 16 * v + 8, _mm512_permutex2var_epi64(x0[v], second, x1[v]));
  }
  r->ctr.v[0] += OSQ_RNG_BATCH;
  r->avail = 2 * OSQ_RNG_BATCH;
}
#endif

void osq_rng_refill(osq_rng_t *r) {
#ifdef OSQ_RNG_AVX512
  /* A third of the instructions of the rounds one block at a time: the draws were a fifth of the
   * quota model's time. The processor's features are read by libgcc once, at start-up. */
  if (__builtin_cpu_supports("avx512f")) {
    refill_avx512(r);
    return;
  }
#endif
  for (int b = 0; b < OSQ_RNG_BATCH; b++) {
    const philox2x64_ctr_t out = philox2x64_R(OSQ_PHILOX_ROUNDS, r->ctr, r->key);
    r->buf[2 * b] = out.v[0];
    r->buf[2 * b + 1] = out.v[1];
    r->ctr.v[0]++;
  }
  r->avail = 2 * OSQ_RNG_BATCH;
}

void osq_philox2x64_block(uint64_t ctr0, uint64_t ctr1, uint64_t key, uint64_t out[2]) {
  const philox2x64_ctr_t c = {{ctr0, ctr1}};
  const philox2x64_key_t k = {{key}};
  const philox2x64_ctr_t o = philox2x64_R(OSQ_PHILOX_ROUNDS, c, k);
  out[0] = o.v[0];
  out[1] = o.v[1];
}

/* unsigned long is 64-bit on every platform we build for (LP64), so the seed keeps all bits. */
static void philox_set(void *state, unsigned long int seed) {
  osq_rng_init(state, (uint64_t)seed, 0, 0);
}

static unsigned long int philox_get(void *state) {
  return (unsigned long int)(osq_rng_u64(state) >> 32);
}

static double philox_get_double(void *state) { return osq_rng_u01(state); }

static const gsl_rng_type philox_type = {
    OSQ_RNG_NAME, 0xffffffffUL, 0, sizeof(osq_rng_t), philox_set, philox_get, philox_get_double,
};

const gsl_rng_type *const osq_rng_philox = &philox_type;

gsl_rng *osq_rng_gsl_alloc(void) {
  /* Not gsl_rng_alloc: on failure it calls the GSL error handler, whose default aborts.
   * gsl_rng_free() is free(state) + free(r), which matches these allocations. */
  gsl_rng *r = malloc(sizeof *r);
  if (r == NULL) return NULL;
  /* Whole cache lines of its own: each thread's stream is written at every draw, and two streams
   * allocated one after the other would otherwise share a line between two threads. */
  r->state = aligned_alloc(64, (sizeof(osq_rng_t) + 63) / 64 * 64);
  if (r->state == NULL) {
    free(r);
    return NULL;
  }
  r->type = osq_rng_philox;
  osq_rng_init(r->state, 0, 0, 0);
  return r;
}

void osq_rng_gsl_reset(gsl_rng *r, uint64_t seed, uint64_t trial, unsigned substream) {
  osq_rng_init(r->state, seed, trial, substream);
}
