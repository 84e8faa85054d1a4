/*
 * study_checkpoint.h owns the checkpoint of an interrupted study (`osq sensitivity --resume DIR`):
 * what the engine needs to finish a study that stopped at the end of a wave of blocks so that the
 * finished study is, bit for bit, the one never interrupted.
 *
 * Why that is enough: a study's numbers are a pure function of each point's Welford records of its
 * outputs, merged in block order (sim/engine/checkpoint.h says why a block-order merge continues
 * exactly), and of the design, which the study file and seed fix. So the checkpoint stores the
 * records of the points done and of the point under way after whole blocks, with their bits, and
 * the identity of the study (osq version, study hash: the file and its scenarios' hashes, seed,
 * trials, block size, geography trials, method, base rows, inputs, outputs) so that it is never
 * applied to another study.
 *
 * The file, DIR/study_checkpoint.osq (format 1): integers little-endian, doubles as the bytes of
 * their IEEE-754 binary64 pattern, in this order:
 *   magic "osq-stdy" | u32 format = 1 | u64 file length in bytes
 *   u8 n + n bytes: osq version | 16 bytes: study hash (lowercase hex)
 *   u64 seed | i64 trials | i64 block_size | i64 geo_trials | u32 method | i64 base rows
 *   i32 inputs | i32 outputs | i64 points_done | i64 blocks_done | f64 loop_seconds
 *   (points_done + 1) x outputs x { i64 n | f64 mean | f64 m2 }   the records, point by point
 *   u64 FNV-1a 64 of every byte before it
 * The life cycle is osq run's checkpoint's (sim/cli/main.c): written after a stopped study's
 * partial results, removed after a complete study's.
 */
#ifndef OSQ_STUDY_CHECKPOINT_H
#define OSQ_STUDY_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/errors.h"
#include "sim/engine/stats.h"
#include "sim/input/study.h"

#define OSQ_STUDY_CKPT_NAME "study_checkpoint.osq"
#define OSQ_STUDY_CKPT_FORMAT 1u

/** A study after points [0, points_done) and blocks [0, blocks_done) of point points_done. */
typedef struct {
  char version[32];
  char study_hash[17];
  uint64_t seed;
  int64_t trials, block_size, geo_trials;
  int method;                    /**< osq_method_t */
  int64_t rows;                  /**< base rows (Sobol) or trajectories (Morris) */
  int32_t n_inputs, n_outputs;
  int64_t points_done, blocks_done;
  double loop_seconds;           /**< seconds of the points so far */
  osq_welford_t *rec;            /**< [(points_done + 1) * n_outputs] */
} osq_study_ckpt_t;

/** @return a checkpoint with zeroed records for this shape, or NULL (out of memory, bad shape). */
osq_study_ckpt_t *osq_study_ckpt_alloc(int64_t points_done, int n_outputs);
void osq_study_ckpt_free(osq_study_ckpt_t *ck);

/** Serialise (free() *buf). @return 0, OSQ_EINVAL, OSQ_ENOMEM */
int osq_study_ckpt_encode(const osq_study_ckpt_t *ck, unsigned char **buf, size_t *len, osq_error_t *err);

/** Parse and check a serialised checkpoint (name: the file's, for messages).
 *  @return 0 and *out; OSQ_ECONFIG ("NAME: truncated ...", "NAME: corrupt ..."), OSQ_ENOMEM */
int osq_study_ckpt_decode(const unsigned char *buf, size_t len, const char *name, osq_study_ckpt_t **out,
                          osq_error_t *err);

/** Write dir/study_checkpoint.osq whole or not at all. @return 0, OSQ_EIO, OSQ_ENOMEM */
int osq_study_ckpt_save(const char *dir, const osq_study_ckpt_t *ck, osq_error_t *err);

/** Read dir/study_checkpoint.osq. @return 0 and *out; OSQ_ECONFIG (missing, unreadable, corrupt), OSQ_ENOMEM */
int osq_study_ckpt_load(const char *dir, osq_study_ckpt_t **out, osq_error_t *err);

/**
 * Check that ck continues st as configured (its command-line settings applied): same osq version,
 * study hash, seed, trials, block size, geography trials, method, base rows, inputs and outputs,
 * and a point of the study under way. @return 0, or OSQ_ECONFIG with one message saying what differs
 */
int osq_study_ckpt_match(const osq_study_ckpt_t *ck, const osq_study_t *st, const char *path, osq_error_t *err);

bool osq_study_ckpt_exists(const char *dir);
/** Remove dir/study_checkpoint.osq if it exists. @return 0 or OSQ_EIO */
int osq_study_ckpt_remove(const char *dir, osq_error_t *err);
/** dir/study_checkpoint.osq into buf. @return buf */
char *osq_study_ckpt_path(const char *dir, char *buf, size_t len);

#endif
