/*
 * draw.h owns how the model draws from the gsl_rng passed in: uniform doubles and uniform integers
 * with exactly the values of gsl_rng_uniform() and gsl_rng_uniform_int(), made inline when the
 * generator is osq's Philox stream (models/rng.h), through the gsl_rng's function pointers for any
 * other generator. A function of the model takes an osq_draw_t of its gsl_rng once, at entry, and
 * draws through it: the test of the generator's type is then made once a call, not once a draw,
 * and the draws (about 800 a trial-year) cost what the stream costs.
 */
#ifndef OSQ_DRAW_H
#define OSQ_DRAW_H

#include <stdint.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "models/rng.h"

/** The draws of one call: the generator, and its Philox stream if it is one (else NULL). */
typedef struct {
  gsl_rng *g;
  osq_rng_t *s;
} osq_draw_t;

/** @return the draws from g (inline if g is an osq_rng_philox). */
static inline osq_draw_t osq_draw_of(gsl_rng *g) {
  const osq_draw_t d = {g, osq_rng_gsl_state(g)};
  return d;
}

/** Bounds n whose reciprocal osq_draw_recip holds (every bound of the model's usual draws: a
 *  shuffle of at most a year's flights, a day of the year, a flight of a target). */
#define OSQ_DRAW_RECIP_MAX 1024

/** osq_draw_recip[n] = ceil(2^64 / s) for GSL's scale s = (2^32 - 1) / n (n >= 1): then for every
 *  32-bit word x, x / s is the high half of the 128-bit product osq_draw_recip[n] * x (Lemire,
 *  Kaser and Kurz, "Faster remainder by direct computation", 2019), a multiplication where GSL's
 *  rule takes two divisions. */
extern const uint64_t osq_draw_recip[OSQ_DRAW_RECIP_MAX + 1];

/** @return gsl_rng_uniform(d->g): a double in [0, 1). */
static inline double osq_draw_u01(osq_draw_t *d) { return d->s ? osq_rng_u01(d->s) : gsl_rng_uniform(d->g); }

/**
 * @return gsl_rng_uniform_int(d->g, n), an integer in [0, n), for 1 <= n <= 2^32 - 1. On a Philox
 * stream (get() = the top 32 bits of a word, range [0, 2^32 - 1]) this is GSL's own rule: scale =
 * range / n, k = get() / scale, drawn again while k >= n; the division by the scale as a
 * multiplication for n <= OSQ_DRAW_RECIP_MAX.
 */
static inline uint32_t osq_draw_int(osq_draw_t *d, uint32_t n) {
  if (!d->s) return (uint32_t)gsl_rng_uniform_int(d->g, n);
  uint32_t k;
  if (n <= OSQ_DRAW_RECIP_MAX) {
    const uint64_t c = osq_draw_recip[n];
    do k = (uint32_t)(((unsigned __int128)c * (osq_rng_u64(d->s) >> 32)) >> 64);
    while (k >= n);
  } else {
    const uint32_t scale = UINT32_C(0xffffffff) / n;
    do k = (uint32_t)(osq_rng_u64(d->s) >> 32) / scale;
    while (k >= n);
  }
  return k;
}

/** @return gsl_ran_binomial(d->g, p, n) (GSL's sampler, drawing from the same stream). */
static inline unsigned osq_draw_binomial(osq_draw_t *d, double p, unsigned n) {
  return gsl_ran_binomial(d->g, p, n);
}

#endif
