/*
 * checkpoint.h owns the checkpoint of an interrupted run (`osq run --resume DIR`, README "Exit
 * codes"): everything the engine needs to continue a run that stopped at the end of a wave of
 * blocks so that the finished run is bit for bit the run that was never interrupted.
 *
 * What it holds, and why that is enough: the engine's results are a pure function of
 *   - the run's Welford records merged in block order (the merge of blocks [0, k) is a fixed value,
 *     and merging blocks k, k+1, ... into it continues the very same sequence of operations), and
 *   - integer counts (histograms, dyad sums, map cells, flights, the verification hash), which add
 *     exactly in any order, plus the histograms' minima and maxima, which are exact too.
 * So the checkpoint stores those after whole blocks [0, blocks_done), with their bits, and the
 * identity of the run (osq version, scenario content hash, seed, trials, block size, geography
 * stride) so that it is never applied to another run.
 *
 * The file, DIR/checkpoint.osq (format 2), is binary: every integer little-endian, every double as
 * the little-endian bytes of its IEEE-754 binary64 pattern (so it round-trips exactly, NaN and
 * infinities included), in this order:
 *
 *   magic "osq-ckpt" (8 bytes) | u32 format = 2 | u64 file length in bytes (truncation check)
 *   u8 n + n bytes: osq version | 16 bytes: scenario hash (lowercase hex)
 *   u64 seed | i64 trials | i64 block_size | i64 geo_stride | u32 formats (OSQ_FMT_* bits)
 *   i64 blocks_done | f64 wall_seconds (trial-loop seconds so far)
 *   u64 hash | i64 flights | i64 cells_marked
 *   i32 n_years | i32 n_parties | i32 n_slots
 *   n_slots x { i64 n | f64 mean | f64 m2 }                                  merged Welford records
 *   n_slots x { f64 lo | f64 width | i32 nbins | u64 under | u64 over | u64 nan | f64 min | f64 max
 *               | nbins x u64 count }                                         histograms
 *   n_years * n_parties * n_parties x i64                                     dyad sums [y][i][j]
 *   u64 n_cells | u64 k | k x { u64 cell | u64 count }                        map cells, sparse,
 *                                                                             increasing, count > 0
 *   u64 FNV-1a 64 of every byte before it                                     corruption check
 *
 * Life cycle (sim/cli/main.c): a run that stops early writes its partial results, then the checkpoint
 * (atomically: temporary file, fsync, rename). A resumed run that is interrupted again replaces it
 * the same way; one that completes writes its complete results and then removes it. Every
 * checkpoint.osq that exists is therefore a true prefix of its run: should osq die between two of
 * these steps, resuming from the checkpoint left behind still yields the same complete results.
 *
 * Nothing here prints; errors name the file ("DIR/checkpoint.osq: ...") in a caller-owned
 * osq_error_t: OSQ_ECONFIG for a checkpoint that is missing, unreadable, truncated, corrupt or
 * of another run (bad input, exit 2), OSQ_EIO for a failed write, OSQ_ENOMEM.
 */
#ifndef OSQ_CHECKPOINT_H
#define OSQ_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/errors.h"
#include "sim/input/scenario.h"
#include "sim/engine/stats.h"

/** The checkpoint's file name inside the output directory. */
#define OSQ_CHECKPOINT_NAME "checkpoint.osq"
/** The format version this osq writes and reads. Format 2 has format 1's layout, but its hash is a
 *  sum of trial hashes over the digest of sim/engine/trial.c since the quota model's speed-up
 *  (flight metrics packed, only the dyads that flew): a format-1 hash cannot be continued. */
#define OSQ_CHECKPOINT_FORMAT 2u

/** The state of a run after whole blocks [0, blocks_done), and the run it belongs to. */
typedef struct {
  char version[32];        /**< osq version that wrote it (OSQ_VERSION) */
  char scenario_hash[17];  /**< content hash of the scenario file and its includes (hex) */
  uint64_t seed;           /**< run seed */
  int64_t trials;          /**< trials of the whole run */
  int64_t block_size;      /**< trials per block */
  int64_t geo_stride;      /**< geography on every geo_stride-th trial (osq_geo_stride) */
  unsigned formats;        /**< OSQ_FMT_* bits the interrupted run wrote (default of the resumed run) */
  int64_t blocks_done;     /**< blocks merged: trials [0, blocks_done * block_size) */
  double wall_seconds;     /**< trial-loop seconds spent so far */
  uint64_t hash;           /**< verification hash over the trials done */
  int64_t flights;         /**< completed flights over the trials done */
  int64_t cells_marked;    /**< raster cells imaged, summed over flights */
  int32_t n_years, n_parties, n_slots;
  osq_welford_t *total;    /**< [n_slots] block-order merge of the blocks done */
  osq_hist_t *hists;       /**< set of n_slots histograms (osq_hist_set_alloc) */
  int64_t *dyad_sum;       /**< [n_years][n_parties][n_parties] completed flights per dyad */
  uint64_t n_cells;        /**< raster cells (0 without a map) */
  uint64_t *cells;         /**< [n_cells] trial-years each cell was imaged (NULL when n_cells is 0) */
} osq_checkpoint_t;

/**
 * Allocate a checkpoint with zeroed arrays for the given shape; the histograms get the bins of
 * bins[0..n_slots-1] (typically the engine's) and zero counts.
 * @return NULL if out of memory or a shape is not positive.
 */
osq_checkpoint_t *osq_checkpoint_alloc(int n_years, int n_parties, int n_slots, const osq_hist_t *bins,
                                       uint64_t n_cells);

/** Free a checkpoint (NULL is a no-op). */
void osq_checkpoint_free(osq_checkpoint_t *ck);

/** trials [0, trials_done) are in the checkpoint: blocks_done * block_size, at most trials. */
int64_t osq_checkpoint_trials_done(const osq_checkpoint_t *ck);

/**
 * Serialise into a new buffer (free() it) in the format at the top of this file.
 * @return 0, OSQ_EINVAL (a shape or array missing), OSQ_ENOMEM
 */
int osq_checkpoint_encode(const osq_checkpoint_t *ck, unsigned char **buf, size_t *len, osq_error_t *err);

/**
 * Parse a serialised checkpoint and check it for internal consistency (magic, format, length,
 * checksum, ranges, shapes, no trailing bytes). name is the file's name for messages.
 * @return 0 and *out; OSQ_ECONFIG ("NAME: truncated ...", "NAME: corrupt ..."), OSQ_ENOMEM
 */
int osq_checkpoint_decode(const unsigned char *buf, size_t len, const char *name, osq_checkpoint_t **out,
                          osq_error_t *err);

/**
 * The file side of a checkpoint, shared by the run's and the study's (study_checkpoint.h): write
 * `len` bytes to `path` whole or not at all (temporary, fsync, rename); `what` names the file in
 * the message. @return 0, OSQ_EIO, OSQ_ENOMEM
 */
int osq_checkpoint_write_file(const char *path, const unsigned char *buf, size_t len, const char *what,
                              osq_error_t *err);

/**
 * Read a checkpoint file whole (a regular file of at most 1 GiB; a FIFO is refused without hanging).
 * `what` names it ("checkpoint", "study checkpoint") and `run` what interrupted it ("run", "study")
 * in the messages. @return 0 and *buf (malloc'd, the caller frees it), *len; OSQ_ECONFIG if it is
 * missing, not a regular file, too large or unreadable; OSQ_ENOMEM
 */
int osq_checkpoint_read_file(const char *path, const char *dir, const char *what, const char *run, unsigned char **buf,
                             size_t *len, osq_error_t *err);

/** Write dir/checkpoint.osq whole or not at all (temporary, fsync, rename). @return 0, OSQ_EIO, OSQ_ENOMEM */
int osq_checkpoint_save(const char *dir, const osq_checkpoint_t *ck, osq_error_t *err);

/**
 * Read and decode dir/checkpoint.osq.
 * @return 0 and *out; OSQ_ECONFIG if it is missing, not a regular file, unreadable, truncated or
 *         corrupt (the message starts with "DIR/checkpoint.osq: "); OSQ_ENOMEM
 */
int osq_checkpoint_load(const char *dir, osq_checkpoint_t **out, osq_error_t *err);

/**
 * Check that ck continues the run of sc as configured (sc->seed and sc->trials already set to the
 * run's): same osq version, scenario hash, seed, trials, block size and geography stride, and
 * fewer blocks done than the run has. path names the checkpoint in the message.
 * @return 0, or OSQ_ECONFIG with one message saying what differs
 */
int osq_checkpoint_match(const osq_checkpoint_t *ck, const osq_scenario_t *sc, const char *path, osq_error_t *err);

/** @return whether dir/checkpoint.osq exists (as anything). */
bool osq_checkpoint_exists(const char *dir);

/** Remove dir/checkpoint.osq if it exists and sync the directory. @return 0 or OSQ_EIO */
int osq_checkpoint_remove(const char *dir, osq_error_t *err);

/** Write dir/checkpoint.osq's path into buf (size len). @return buf */
char *osq_checkpoint_path(const char *dir, char *buf, size_t len);

#endif
