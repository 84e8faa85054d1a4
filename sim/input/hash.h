/*
 * hash.h owns osq's verification and content hashes (docs/engineering.md §5):
 * - the trial hash: each trial folds its integer results into a 64-bit digest
 *   (osq_digest_t), osq_hash_trial() binds the digest to the trial index, and the run hash is
 *   the wrapping uint64_t SUM of the trial hashes. Addition mod 2^64 is commutative and
 *   associative, so `reduction(+:h)` over uint64_t and MPI_SUM on MPI_UINT64_T give the same
 *   value for any thread or rank count, while mixing in the index catches a result that lands
 *   on the wrong trial;
 * - FNV-1a 64 for hashing files and byte strings (scenario content hashes);
 * - formatting/parsing of hashes as 16 lowercase hex digits.
 * None of these is cryptographic: they detect accidents, not tampering.
 */
#ifndef OSQ_HASH_H
#define OSQ_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** Starting value of an FNV-1a 64 hash (the FNV offset basis). */
#define OSQ_FNV1A64_INIT UINT64_C(0xcbf29ce484222325)

/** Initial state of an osq_digest_t (the splitmix64 increment, 2^64 / golden ratio). */
#define OSQ_DIGEST_INIT UINT64_C(0x9e3779b97f4a7c15)

/**
 * The splitmix64 finaliser (Steele, Lea & Flood 2014; constants from Vigna's splitmix64.c):
 * a bijection of uint64_t with good avalanche. Note mix64(0) == 0.
 */
static inline uint64_t osq_mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
  return x ^ (x >> 31);
}

/**
 * Hash of one trial: mix64(digest ^ mix64(trial)). The run hash is the wrapping sum of these
 * over all trials (start from 0).
 */
static inline uint64_t osq_hash_trial(uint64_t trial, uint64_t digest) {
  return osq_mix64(digest ^ osq_mix64(trial));
}

/**
 * Order-sensitive digest of a sequence of values (one trial's results, in a fixed order).
 * Read the result from .h. Each step is h = mix64((h ^ v) + OSQ_DIGEST_INIT), a bijection of h
 * for fixed v and of v for fixed h, so a changed value always changes that step's state.
 */
typedef struct {
  uint64_t h;
} osq_digest_t;

/** Start an empty digest. */
static inline void osq_digest_init(osq_digest_t *d) { d->h = OSQ_DIGEST_INIT; }

/** Fold a 64-bit value into the digest. */
static inline void osq_digest_u64(osq_digest_t *d, uint64_t v) {
  d->h = osq_mix64((d->h ^ v) + OSQ_DIGEST_INIT);
}

/** Fold a 32-bit signed value (as its 32-bit two's-complement pattern, zero-extended). */
static inline void osq_digest_i32(osq_digest_t *d, int32_t v) {
  osq_digest_u64(d, (uint64_t)(uint32_t)v);
}

/**
 * Fold a double by its IEEE-754 bit pattern (so -0.0 and 0.0 differ, and any last-bit change
 * shows). Only fold doubles whose computation order is fixed by the trial alone.
 */
static inline void osq_digest_double(osq_digest_t *d, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  osq_digest_u64(d, bits);
}

/**
 * FNV-1a 64 over n bytes, continuing from h (pass OSQ_FNV1A64_INIT to start; pass a previous
 * result to hash data that arrives in pieces: the result equals hashing the concatenation).
 */
uint64_t osq_fnv1a64(const void *p, size_t n, uint64_t h);

/** Write h as exactly 16 lowercase hex digits plus a terminating NUL (no "0x" prefix). */
void osq_hash_hex(uint64_t h, char buf[static 17]);

/**
 * Parse a hash written as 1 to 16 hex digits (either case), optionally prefixed by "0x"/"0X",
 * with nothing before or after.
 * @return 0 and *out on success, OSQ_EINVAL (*out untouched) otherwise.
 */
int osq_hash_parse(const char *s, uint64_t *out);

#endif
