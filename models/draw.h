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

/** The draws of one call: the generator, and its Philox stream if it is one (else NULL). While a
 *  call draws, the stream's position is kept here, as the next unread word of its buffer (the
 *  stream's own count of unread words is written back by osq_draw_done): a draw is then a load,
 *  a comparison and an increment of a local, where keeping the stream's count took twice as many
 *  instructions (its loads and stores could not be kept in registers across the model's stores). */
typedef struct {
  gsl_rng *g;
  osq_rng_t *s;
  const uint64_t *next; /**< the next unread word of s->buf; == end when none is left (always, for
                             another generator, so that every draw takes the slow path) */
  const uint64_t *end;
} osq_draw_t;

/** @return the draws from g (inline if g is an osq_rng_philox). Call osq_draw_done before g is
 *  drawn from in any other way, and before the caller returns. */
static inline osq_draw_t osq_draw_of(gsl_rng *g) {
  osq_rng_t *s = osq_rng_gsl_state(g);
  osq_draw_t d = {g, s, NULL, NULL};
  if (s) {
    d.end = s->buf + 2 * OSQ_RNG_BATCH;
    d.next = d.end - s->avail;
  }
  return d;
}

/** The stream's position after the draws made through d (its count of unread words). */
static inline void osq_draw_done(osq_draw_t *d) {
  if (d->s) d->s->avail = (unsigned)(d->end - d->next);
}

/** Bounds n whose reciprocal osq_draw_recip holds (every bound of the model's usual draws: a
 *  shuffle of at most a year's flights, a day of the year, a flight of a target). */
#define OSQ_DRAW_RECIP_MAX 1024

/** osq_draw_recip[n] = ceil(2^64 / s) for GSL's scale s = (2^32 - 1) / n (n >= 1): then for every
 *  32-bit word x, x / s is the high half of the 128-bit product osq_draw_recip[n] * x (Lemire,
 *  Kaser and Kurz, "Faster remainder by direct computation", 2019), a multiplication where GSL's
 *  rule takes two divisions. */
extern const uint64_t osq_draw_recip[OSQ_DRAW_RECIP_MAX + 1];

/** The slow paths (models/draw.c): a refill of the stream's buffer, or another generator. */
double osq_draw_u01_slow(osq_draw_t *d);
uint32_t osq_draw_int_slow(osq_draw_t *d, uint32_t n);

/** @return the stream's next word (d->s must be an osq Philox stream): what osq_draw_u01 would
 *  turn into a double. */
uint64_t osq_draw_u64_slow(osq_draw_t *d);
static inline uint64_t osq_draw_u64(osq_draw_t *d) {
  if (__builtin_expect(d->next == d->end, 0)) return osq_draw_u64_slow(d);
  return *d->next++;
}

/** Give back the word osq_draw_u64 just read: the stream's next draw reads it again (it is still in
 *  the buffer, also when that read refilled it). */
static inline void osq_draw_unread(osq_draw_t *d) { d->next--; }

/** @return gsl_rng_uniform(d->g): a double in [0, 1). */
static inline double osq_draw_u01(osq_draw_t *d) {
  if (__builtin_expect(d->next == d->end, 0)) return osq_draw_u01_slow(d);
  return (double)(*d->next++ >> 11) * 0x1.0p-53; /* osq_rng_u01 */
}

/**
 * @return gsl_rng_uniform_int(d->g, n), an integer in [0, n), for 1 <= n <= 2^32 - 1. On a Philox
 * stream (get() = the top 32 bits of a word, range [0, 2^32 - 1]) this is GSL's own rule: scale =
 * range / n, k = get() / scale, drawn again while k >= n; the division by the scale as a
 * multiplication for n <= OSQ_DRAW_RECIP_MAX.
 */
static inline uint32_t osq_draw_int(osq_draw_t *d, uint32_t n) {
  if (n > OSQ_DRAW_RECIP_MAX) return osq_draw_int_slow(d, n);
  const uint64_t c = osq_draw_recip[n];
  for (;;) {
    if (__builtin_expect(d->next == d->end, 0)) return osq_draw_int_slow(d, n);
    const uint32_t k = (uint32_t)(((unsigned __int128)c * (*d->next++ >> 32)) >> 64);
    if (k < n) return k;
  }
}

/** @return gsl_ran_binomial(d->g, p, n) (GSL's sampler, drawing from the same stream). */
static inline unsigned osq_draw_binomial(osq_draw_t *d, double p, unsigned n) {
  osq_draw_done(d);
  const unsigned k = gsl_ran_binomial(d->g, p, n);
  if (d->s) d->next = d->end - d->s->avail;
  return k;
}

#endif
