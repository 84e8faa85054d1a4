/*
 * rng.c owns the Philox stream set-up and the gsl_rng_type adapter. Random123's own GSL
 * adapters return get()/2^32 (32-bit doubles); this one returns 53-bit doubles (docs/engineering.md §2.4).
 */
#include "models/rng.h"

#include <stdlib.h>

void osq_rng_init(osq_rng_t *r, uint64_t seed, uint64_t trial, unsigned substream) {
  r->key.v[0] = seed;
  r->ctr.v[0] = (uint64_t)(substream & 0xffu) << 56;
  r->ctr.v[1] = trial;
  for (int k = 0; k < 2 * OSQ_RNG_BATCH; k++) r->buf[k] = 0;
  r->avail = 0;
}

void osq_rng_refill(osq_rng_t *r) {
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
