/*
 * binomial.c owns the building of the demand draw's tables (binomial.h): the thresholds of
 * gsl_ran_binomial's one-uniform branch, found by asking GSL itself.
 */
#include "models/binomial.h"

#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define K_END (UINT64_C(1) << 53) /* the u = k / 2^53 osq's stream gives: k < K_END */

/* A generator that returns the uniform it is given, once, and counts the calls GSL makes. */
typedef struct {
  double u;
  int calls;
} oracle_t;

static double oracle_double(void *state) {
  oracle_t *o = state;
  o->calls++;
  return o->calls == 1 ? o->u : 0.5;
}

static unsigned long int oracle_get(void *state) {
  oracle_t *o = state;
  o->calls++;
  return 0;
}

static void oracle_set(void *state, unsigned long int seed) {
  (void)state;
  (void)seed;
}

static const gsl_rng_type oracle_type = {"osq-binomial-oracle", 0xffffffffUL, 0, sizeof(oracle_t), oracle_set,
                                         oracle_get, oracle_double};

#define PASSED_ALL (1 << 30) /* GSL drew again: beyond every threshold */

/* How many thresholds GSL passes at u = k / 2^53 (its x, before a p > 1/2 turns it into n - x), or
 * PASSED_ALL if it draws again. */
static int passed(double p, unsigned n, bool down, uint64_t k) {
  oracle_t o = {(double)k * 0x1.0p-53, 0};
  gsl_rng g = {&oracle_type, &o};
  const unsigned v = gsl_ran_binomial(&g, p, n);
  if (o.calls != 1) return PASSED_ALL;
  return (int)(down ? n - v : v);
}

/* The least k in [lo, K_END] with passed(k) > x (K_END if none below it), given passed(lo - 1) <= x
 * or lo = 0: a bisection, its bracket first narrowed around `guess` (the caller's estimate) by
 * steps that grow eightfold, so that it takes about a dozen of GSL's draws instead of 53. */
static uint64_t threshold(double p, unsigned n, bool down, int x, uint64_t lo, uint64_t guess) {
  if (passed(p, n, down, lo) > x) return lo;
  uint64_t a = lo, b = K_END; /* passed(a) <= x < passed(b) (at K_END by definition) */
  const uint64_t g = guess <= a ? a : (guess >= b ? b - 1 : guess);
  bool up = true; /* the threshold lies above g */
  if (g > a) {
    if (passed(p, n, down, g) > x) {
      b = g;
      up = false;
    } else {
      a = g;
    }
  }
  for (uint64_t d = 64; b - a > d && d < K_END; d *= 8) {
    const uint64_t c = up ? a + d : b - d;
    const bool past = passed(p, n, down, c) > x;
    if (past) b = c;
    else a = c;
    if (past == up) break; /* the step crossed the threshold: bracketed */
  }
  while (b - a > 1) {
    const uint64_t m = a + (b - a) / 2;
    if (passed(p, n, down, m) > x)
      b = m;
    else
      a = m;
  }
  return b;
}

bool osq_binom_table_build(osq_binom_table_t *t, double p, unsigned n) {
  memset(t, 0, sizeof *t);
  if (n == 0 || n > OSQ_BINOM_MAX - 2 || !(p >= 0.0 && p <= 1.0)) return false;
  /* GSL's branch: one uniform at u = 0 (the two-uniform branch always draws two), and the value
   * there says whether it counts up (p <= 1/2: 0) or down (n). */
  oracle_t o = {0.0, 0};
  gsl_rng g = {&oracle_type, &o};
  const unsigned v0 = gsl_ran_binomial(&g, p, n);
  if (o.calls != 1 || (v0 != 0 && v0 != n)) return false;
  const bool down = v0 == n; /* n > 0: not both */
  if (down != (p > 0.5)) return false; /* not the walk described in binomial.h */
  /* The estimate of each threshold: the binomial distribution function of the probability GSL
   * walks, times 2^53 (any fair estimate does; the bisection makes it exact). */
  const double pw = down ? 1.0 - p : p;
  double cdf = 0.0;
  uint64_t lo = 0;
  for (int x = 0; x < OSQ_BINOM_MAX; x++) {
    if (x > (int)n) {
      t->thr[x] = UINT64_MAX;
      continue;
    }
    cdf += gsl_ran_binomial_pdf((unsigned)x, pw, n);
    const double est = cdf >= 1.0 ? (double)K_END : cdf * (double)K_END;
    t->thr[x] = lo >= K_END ? K_END : threshold(p, n, down, x, lo, (uint64_t)est);
    lo = t->thr[x];
  }
  t->n = (int)n;
  t->down = down;
  return true;
}
