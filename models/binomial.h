/*
 * binomial.h owns the demand draw's table: gsl_ran_binomial(g, p, n) for one (p, n), as a search
 * of the draw's word among thresholds, with exactly GSL's values and GSL's consumption of the
 * stream.
 *
 * Why it is exact. Where n * min(p, 1 - p) is small, GSL draws one uniform u and walks the
 * probabilities f(0), f(1), ... subtracting each from u until u < f(x) (its BINV branch; with
 * p > 1/2 it walks those of 1 - p and returns n - x). The f(x) do not depend on u, and each step
 * u - f(x) is a rounded subtraction, which never reverses an order: so the x it stops at never
 * decreases as u grows, and it is fixed by the thresholds T[x] = the least u at which it passes x.
 * A u beyond the last threshold makes GSL draw again (rounding left u above every f); the table
 * then hands the draw back to GSL. The thresholds are not computed from a formula of GSL's: they
 * are found by asking gsl_ran_binomial itself, fed with chosen u (a generator that returns the u
 * it is given and counts the calls), by bisection over the 2^53 doubles u = k / 2^53 that osq's
 * Philox stream gives (models/rng.h). Where GSL takes its other branch (two or more uniforms a
 * draw, BTPE), or n is too large for the table, no table is built and the draw stays GSL's.
 *
 * The demand draw is made once per party and year: 6 % of the quota model's time (perf) as GSL's
 * loop, which divides at every step; a search of at most six comparisons as a table.
 */
#ifndef OSQ_BINOMIAL_H
#define OSQ_BINOMIAL_H

#include <stdbool.h>
#include <stdint.h>

#define OSQ_BINOM_MAX 64 /**< thresholds a table holds: demands of up to OSQ_BINOM_MAX - 1 flights */

typedef struct {
  int n;                       /**< the binomial's n, with n + 1 thresholds; 0: no table (the draw is GSL's) */
  bool down;                   /**< GSL's p > 1/2: the value is n - x */
  uint64_t thr[OSQ_BINOM_MAX]; /**< thr[x]: the least k (u = k / 2^53) at which GSL passes x;
                                    ascending; thr[n]: from there GSL draws again; 2^53 past the
                                    last reachable one, UINT64_MAX past n */
} osq_binom_table_t;

/**
 * Build t for gsl_ran_binomial(g, p, n). @return true if t holds a table; false (t->n = 0)
 * where GSL draws more than one uniform for (p, n), or n is 0 or at least OSQ_BINOM_MAX.
 */
bool osq_binom_table_build(osq_binom_table_t *t, double p, unsigned n);

/**
 * The value gsl_ran_binomial gives when its first uniform is k / 2^53 (k < 2^53: the top 53 bits of
 * a Philox word, as osq_rng_u01 takes them). @return the value, or -1 if GSL would draw again (the
 * caller then leaves the word in the stream and calls GSL).
 */
static inline int osq_binom_table_value(const osq_binom_table_t *t, uint64_t k) {
  /* the number of thresholds at most k: a search over the 64 entries (those past n never are) */
  int x = 0;
  for (int step = OSQ_BINOM_MAX / 2; step > 0; step /= 2) x += (t->thr[x + step - 1] <= k) ? step : 0;
  if (x > t->n) return -1;
  return t->down ? t->n - x : x;
}

#endif
