/*
 * rng.h owns osq's random streams: Philox2x64-10 (Random123), one stream per
 * (run seed, trial index, substream id), and a gsl_rng_type wrapping it so that every
 * gsl_ran_* sampler can draw from a stream. It lives with the model (pure: constant data, no
 * state outside the streams) so that the model can draw from a stream inline, the same values
 * as through the gsl_rng's function pointers (models/draw.h).
 *
 * Why counter-based: a trial's stream is fixed by its identity, not by which thread runs it or
 * what ran before, so results are bitwise identical for any thread count (docs/engineering.md §3),
 * starting a trial costs a few stores, and two trials can never share a stream (64-bit trial
 * counter; seeding 32-bit generators per trial replays ~130 trials per 10^6, §2.3).
 *
 * Mapping (part of the reproducibility contract: changing it changes every result and hash):
 *   key.v[0] = seed
 *   ctr.v[1] = trial
 *   ctr.v[0] = (substream << 56) | block,  block = 0, 1, 2, ... as words are consumed
 * Each block yields two 64-bit words, consumed word 0 then word 1. A stream holds 2^57 words
 * (decades of draws at 2.3 ns each); the block counter is not guarded against wrapping into
 * the substream bits.
 *
 * Typical use in the engine (one gsl_rng per thread, allocated once):
 *   gsl_rng *g = osq_rng_gsl_alloc();                 // per thread, outside the trial loop
 *   for each trial i:
 *     osq_rng_gsl_reset(g, seed, i, OSQ_STREAM_MODEL);
 *     gsl_ran_exponential(g, mu); ...                  // or osq_rng_u01(osq_rng_gsl_state(g))
 *   gsl_rng_free(g);
 */
#ifndef OSQ_RNG_H
#define OSQ_RNG_H

#include <stdint.h>

#include <Random123/philox.h>
#include <gsl/gsl_rng.h>

/** Substream of a trial's own model draws. */
#define OSQ_STREAM_MODEL 0u
/** Substream of geography / site set-up (drawn per trial or in serial set-up). */
#define OSQ_STREAM_SITES 1u
/** Routes, build-ups and other geography draws of a trial: a stream apart from the quota model's,
 *  so that changing a geography setting does not change the flights. */
#define OSQ_STREAM_GEO 2u
/** Substreams of a study's own draws (sim/engine/sensitivity.c), keyed by its seed: the Morris
 *  trajectories (trial index = trajectory), the bootstrap resamples and the pairing of the Sobol
 *  design's A and B halves (trial index 0). */
#define OSQ_STREAM_DESIGN 3u
#define OSQ_STREAM_BOOTSTRAP 4u
#define OSQ_STREAM_PAIRING 5u
/** Substream reserved for tests, so test draws never coincide with model draws. */
#define OSQ_STREAM_TEST 255u

/** Name of the generator as recorded in outputs and returned by gsl_rng_name(). */
#define OSQ_RNG_NAME "philox2x64-10"

/** Number of Philox rounds; 10 is the Random123 default and what the KAT vectors test. */
#define OSQ_PHILOX_ROUNDS 10

/** Blocks a stream computes at once: independent counters, so that the processor overlaps their
 *  ten rounds of multiplications instead of waiting for one block's in the middle of the model's
 *  work (the words, and their order, are those of one block at a time). 32: four AVX-512 vectors of
 *  eight, whose rounds overlap (rng.c); one or two vectors waited for each round's products. */
#define OSQ_RNG_BATCH 32

/**
 * One random stream. Plain data: copying it forks the stream (both copies then produce the
 * same words). Fields are private; use osq_rng_init.
 */
typedef struct {
  philox2x64_ctr_t ctr;             /**< ctr.v[0] = substream<<56 | next block, ctr.v[1] = trial */
  philox2x64_key_t key;             /**< key.v[0] = seed */
  unsigned avail;                   /**< unread words in buf, read from buf[2 * OSQ_RNG_BATCH - avail] */
  uint64_t buf[2 * OSQ_RNG_BATCH];  /**< the output of the last OSQ_RNG_BATCH blocks, in order */
} osq_rng_t;

/**
 * Start the stream (seed, trial, substream) at its first word. A few stores, no allocation;
 * any previous state (including a half-used block) is discarded.
 * @param substream 0..255 (higher bits are dropped); see OSQ_STREAM_*.
 */
void osq_rng_init(osq_rng_t *r, uint64_t seed, uint64_t trial, unsigned substream);

/**
 * One Philox2x64-10 block: out = philox2x64_R(10, {ctr0, ctr1}, {key}). This is the exact call
 * the streams make, exposed so the tests can check it against Random123's known-answer vectors.
 */
void osq_philox2x64_block(uint64_t ctr0, uint64_t ctr1, uint64_t key, uint64_t out[2]);

/** Compute the stream's next OSQ_RNG_BATCH blocks into its buffer (out of line: the draws' fast
 *  path stays a load). */
void osq_rng_refill(osq_rng_t *r);

/** @return the stream's next 64-bit word (uniform on [0, 2^64)). */
static inline uint64_t osq_rng_u64(osq_rng_t *r) {
  if (r->avail == 0) osq_rng_refill(r);
  return r->buf[2 * OSQ_RNG_BATCH - r->avail--];
}

/**
 * @return a double uniform on [0, 1) with 53 random bits: (x >> 11) * 2^-53, one word per call.
 * Can return 0, never 1.
 */
static inline double osq_rng_u01(osq_rng_t *r) {
  return (double)(osq_rng_u64(r) >> 11) * 0x1.0p-53;
}

/** @return the 64-bit words drawn from the stream since osq_rng_init (a throughput figure). */
static inline uint64_t osq_rng_words(const osq_rng_t *r) {
  return (r->ctr.v[0] & (((uint64_t)1 << 56) - 1)) * 2u - r->avail;
}

/**
 * gsl_rng_type of the Philox streams ("philox2x64-10", min 0, max 0xffffffff).
 * - get() returns the top 32 bits of the next 64-bit word (one word per call);
 * - get_double() returns osq_rng_u01() (53-bit resolution, one word per call), so
 *   gsl_rng_uniform() draws exactly what the inline fast path would;
 * - gsl_rng_set(r, s) restarts the stream (seed = s, trial = 0, substream = 0), i.e.
 *   osq_rng_gsl_reset(r, s, 0, 0). Use osq_rng_gsl_reset to choose the trial and substream.
 * Both get() and get_double() advance the same word sequence, so mixing them is well defined.
 */
extern const gsl_rng_type *const osq_rng_philox;

/**
 * Allocate a gsl_rng of type osq_rng_philox, positioned at stream (0, 0, 0) whatever
 * gsl_rng_default_seed is. Free with gsl_rng_free(). Allocate one per thread, once.
 * @return NULL if out of memory (without calling the GSL error handler, which would abort).
 */
gsl_rng *osq_rng_gsl_alloc(void);

/**
 * Restart r at stream (seed, trial, substream): a few stores, no allocation; call once per
 * trial. r must come from osq_rng_gsl_alloc (or gsl_rng_alloc(osq_rng_philox)).
 */
void osq_rng_gsl_reset(gsl_rng *r, uint64_t seed, uint64_t trial, unsigned substream);

/**
 * @return the stream inside r, for the inline osq_rng_u64/osq_rng_u01 fast path (draws from it
 * and from the gsl_rng advance the same sequence), or NULL if r is not an osq_rng_philox.
 */
static inline osq_rng_t *osq_rng_gsl_state(gsl_rng *r) {
  return r != NULL && r->type == osq_rng_philox ? (osq_rng_t *)r->state : NULL;
}

#endif
