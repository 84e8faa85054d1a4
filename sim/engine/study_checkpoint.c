/*
 * study_checkpoint.c owns the checkpoint file of an interrupted study (format: study_checkpoint.h):
 * its encoding, its strict decoding (every count checked against the bytes left before anything
 * is allocated, so a truncated, corrupt or hostile file is refused with one message), the
 * identity check, and its atomic writing and removal.
 */
#include "sim/engine/study_checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/table.h"
#include "sim/engine/checkpoint.h"
#include "sim/input/hash.h"

static const unsigned char MAGIC[8] = {'o', 's', 'q', '-', 's', 't', 'd', 'y'};
/* The file is read by osq_checkpoint_read_file, which refuses one beyond 1 GiB before reading it (a
 * study of 65,536 base rows of 22 points and 64 outputs would be 2.2 GB of records). */

osq_study_ckpt_t *osq_study_ckpt_alloc(int64_t points_done, int n_outputs) {
  if (points_done < 0 || n_outputs < 1) return NULL;
  osq_study_ckpt_t *ck = calloc(1, sizeof *ck);
  if (!ck) return NULL;
  ck->points_done = points_done;
  ck->n_outputs = n_outputs;
  ck->rec = calloc((size_t)(points_done + 1) * (size_t)n_outputs, sizeof *ck->rec);
  if (!ck->rec) {
    free(ck);
    return NULL;
  }
  return ck;
}

void osq_study_ckpt_free(osq_study_ckpt_t *ck) {
  if (!ck) return;
  free(ck->rec);
  free(ck);
}

char *osq_study_ckpt_path(const char *dir, char *buf, size_t len) {
  snprintf(buf, len, "%s/%s", dir, OSQ_STUDY_CKPT_NAME);
  return buf;
}

/* ---- encoding ---- */

static unsigned char *put_u64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) *p++ = (unsigned char)(v >> (8 * i));
  return p;
}
static unsigned char *put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) *p++ = (unsigned char)(v >> (8 * i));
  return p;
}
static unsigned char *put_f64(unsigned char *p, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  return put_u64(p, bits);
}

#define HEAD_FIXED (16 + 8 * 4 + 4 + 8 + 4 * 2 + 8 * 3) /* after the version: hash .. loop_seconds */

int osq_study_ckpt_encode(const osq_study_ckpt_t *ck, unsigned char **buf, size_t *len, osq_error_t *err) {
  *buf = NULL;
  *len = 0;
  if (!ck || !ck->rec || ck->n_outputs < 1 || ck->points_done < 0)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "study checkpoint: incomplete state");
  const size_t vlen = strnlen(ck->version, sizeof ck->version - 1);
  const size_t R = (size_t)(ck->points_done + 1) * (size_t)ck->n_outputs;
  const size_t n = 8 + 4 + 8 + 1 + vlen + HEAD_FIXED + R * 24 + 8;
  unsigned char *b = malloc(n), *p = b;
  if (!b) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for the study checkpoint");
  memcpy(p, MAGIC, sizeof MAGIC);
  p += sizeof MAGIC;
  p = put_u32(p, OSQ_STUDY_CKPT_FORMAT);
  p = put_u64(p, (uint64_t)n);
  *p++ = (unsigned char)vlen;
  memcpy(p, ck->version, vlen);
  p += vlen;
  memset(p, '0', 16);
  memcpy(p, ck->study_hash, strnlen(ck->study_hash, 16));
  p += 16;
  p = put_u64(p, ck->seed);
  p = put_u64(p, (uint64_t)ck->trials);
  p = put_u64(p, (uint64_t)ck->block_size);
  p = put_u64(p, (uint64_t)ck->geo_trials);
  p = put_u32(p, (uint32_t)ck->method);
  p = put_u64(p, (uint64_t)ck->rows);
  p = put_u32(p, (uint32_t)ck->n_inputs);
  p = put_u32(p, (uint32_t)ck->n_outputs);
  p = put_u64(p, (uint64_t)ck->points_done);
  p = put_u64(p, (uint64_t)ck->blocks_done);
  p = put_f64(p, ck->loop_seconds);
  for (size_t k = 0; k < R; k++) {
    p = put_u64(p, (uint64_t)ck->rec[k].n);
    p = put_f64(p, ck->rec[k].mean);
    p = put_f64(p, ck->rec[k].m2);
  }
  p = put_u64(p, osq_fnv1a64(b, (size_t)(p - b), OSQ_FNV1A64_INIT));
  *buf = b;
  *len = n;
  return OSQ_OK;
}

/* ---- decoding ---- */

static uint64_t get_u64(const unsigned char **p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)(*p)[i] << (8 * i);
  *p += 8;
  return v;
}
static uint32_t get_u32(const unsigned char **p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)(*p)[i] << (8 * i);
  *p += 4;
  return v;
}
static double get_f64(const unsigned char **p) {
  const uint64_t bits = get_u64(p);
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

#define CORRUPT(...) osq_error_add(err, OSQ_ECONFIG, name, 0, "corrupt study checkpoint: " __VA_ARGS__)

/* The fixed part into ck, range-checked; p is left at the records. */
static int decode_header(const unsigned char **p, const unsigned char *end, const char *name, osq_study_ckpt_t *ck,
                         osq_error_t *err) {
  if (end - *p < 1) return CORRUPT("too short");
  const size_t vlen = *(*p)++;
  if (vlen >= sizeof ck->version || (size_t)(end - *p) < vlen + HEAD_FIXED) return CORRUPT("bad header");
  memcpy(ck->version, *p, vlen);
  *p += vlen;
  if (memchr(ck->version, '\0', vlen)) return CORRUPT("bad version string");
  memcpy(ck->study_hash, *p, 16);
  *p += 16;
  for (int i = 0; i < 16; i++)
    if (!ck->study_hash[i] || !strchr("0123456789abcdef", ck->study_hash[i])) return CORRUPT("bad study hash");
  ck->seed = get_u64(p);
  ck->trials = (int64_t)get_u64(p);
  ck->block_size = (int64_t)get_u64(p);
  ck->geo_trials = (int64_t)get_u64(p);
  ck->method = (int)get_u32(p);
  ck->rows = (int64_t)get_u64(p);
  ck->n_inputs = (int32_t)get_u32(p);
  ck->n_outputs = (int32_t)get_u32(p);
  ck->points_done = (int64_t)get_u64(p);
  ck->blocks_done = (int64_t)get_u64(p);
  ck->loop_seconds = get_f64(p);
  if (ck->seed > (uint64_t)INT64_MAX) return CORRUPT("seed out of range");
  if (ck->trials < 1 || ck->trials > OSQ_TRIALS_MAX) return CORRUPT("trials out of range");
  if (ck->block_size < 1 || ck->block_size > ck->trials) return CORRUPT("block size out of range");
  if (ck->geo_trials < 0 || ck->geo_trials > OSQ_TRIALS_MAX) return CORRUPT("geography trials out of range");
  if (ck->method != OSQ_METHOD_SOBOL && ck->method != OSQ_METHOD_MORRIS) return CORRUPT("bad method");
  if (ck->rows < 1 || ck->rows > 65536) return CORRUPT("base rows out of range");
  if (ck->n_inputs < 1 || ck->n_inputs > OSQ_STUDY_INPUTS_MAX || ck->n_outputs < 1 ||
      ck->n_outputs > OSQ_STUDY_OUTPUTS_MAX)
    return CORRUPT("bad shape (%d inputs, %d outputs)", (int)ck->n_inputs, (int)ck->n_outputs);
  const int64_t per = ck->method == OSQ_METHOD_MORRIS ? ck->n_inputs + 1 : ck->n_inputs + 2;
  const int64_t n_points = 1 + ck->rows * per, n_blocks = (ck->trials + ck->block_size - 1) / ck->block_size;
  if (ck->points_done < 0 || ck->points_done >= n_points) return CORRUPT("points done out of range");
  if (ck->blocks_done < 0 || ck->blocks_done >= n_blocks) return CORRUPT("blocks done out of range");
  if (!(ck->loop_seconds >= 0.0) || !isfinite(ck->loop_seconds)) return CORRUPT("bad time");
  return OSQ_OK;
}

int osq_study_ckpt_decode(const unsigned char *buf, size_t len, const char *name, osq_study_ckpt_t **out,
                          osq_error_t *err) {
  *out = NULL;
  const size_t head = sizeof MAGIC + 4 + 8;
  if (len < sizeof MAGIC || memcmp(buf, MAGIC, sizeof MAGIC) != 0)
    return osq_error_add(err, OSQ_ECONFIG, name, 0, "not a study checkpoint (no \"osq-stdy\" magic at the start)");
  if (len < head + 8) return osq_error_add(err, OSQ_ECONFIG, name, 0, "truncated study checkpoint (%zu bytes)", len);
  const unsigned char *p = buf + sizeof MAGIC;
  const uint32_t format = get_u32(&p);
  if (format != OSQ_STUDY_CKPT_FORMAT)
    return osq_error_add(err, OSQ_ECONFIG, name, 0, "study checkpoint format %u (this osq reads format %u)", format,
                         OSQ_STUDY_CKPT_FORMAT);
  const uint64_t want = get_u64(&p);
  if (want > len)
    return osq_error_add(err, OSQ_ECONFIG, name, 0, "truncated study checkpoint (%zu of %llu bytes)", len,
                         (unsigned long long)want);
  if (want < len) return CORRUPT("%zu bytes, its header says %llu", len, (unsigned long long)want);
  const unsigned char *end = buf + len - 8, *tail = end;
  if (get_u64(&tail) != osq_fnv1a64(buf, len - 8, OSQ_FNV1A64_INIT)) return CORRUPT("checksum mismatch");
  osq_study_ckpt_t tmp;
  memset(&tmp, 0, sizeof tmp);
  int rc = decode_header(&p, end, name, &tmp, err);
  if (rc != OSQ_OK) return rc;
  const size_t R = (size_t)(tmp.points_done + 1) * (size_t)tmp.n_outputs;
  if ((size_t)(end - p) / 24 != R || (size_t)(end - p) % 24)
    return CORRUPT("%zu bytes of records for %zu", (size_t)(end - p), R);
  osq_study_ckpt_t *ck = osq_study_ckpt_alloc(tmp.points_done, tmp.n_outputs);
  if (!ck) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for the study checkpoint");
  osq_welford_t *rec = ck->rec;
  *ck = tmp;
  ck->rec = rec;
  for (size_t k = 0; k < R; k++) {
    rec[k].n = (int64_t)get_u64(&p);
    rec[k].mean = get_f64(&p);
    rec[k].m2 = get_f64(&p);
    if (rec[k].n < 0 || rec[k].n > ck->trials) {
      osq_study_ckpt_free(ck);
      return CORRUPT("record %zu counts %lld values", k, (long long)rec[k].n);
    }
  }
  *out = ck;
  return OSQ_OK;
}

/* ---- files ---- */

int osq_study_ckpt_save(const char *dir, const osq_study_ckpt_t *ck, osq_error_t *err) {
  char path[OSQ_PATH_MAX + 32];
  osq_study_ckpt_path(dir, path, sizeof path);
  unsigned char *buf;
  size_t len;
  int rc = osq_study_ckpt_encode(ck, &buf, &len, err);
  if (rc) return rc;
  rc = osq_checkpoint_write_file(path, buf, len, "study checkpoint", err);
  free(buf);
  return rc;
}

int osq_study_ckpt_load(const char *dir, osq_study_ckpt_t **out, osq_error_t *err) {
  *out = NULL;
  char path[OSQ_PATH_MAX + 32];
  osq_study_ckpt_path(dir, path, sizeof path);
  unsigned char *buf;
  size_t len;
  int rc = osq_checkpoint_read_file(path, dir, "study checkpoint", "study", &buf, &len, err);
  if (rc != OSQ_OK) return rc;
  rc = osq_study_ckpt_decode(buf, len, path, out, err);
  free(buf);
  return rc;
}

int osq_study_ckpt_match(const osq_study_ckpt_t *ck, const osq_study_t *st, const char *path, osq_error_t *err) {
  if (strcmp(ck->version, OSQ_VERSION) != 0)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "written by osq %s, this is osq %s (a study resumes only with the "
                         "osq that started it)", ck->version, OSQ_VERSION);
  if (strncmp(ck->study_hash, st->hash, 16) != 0)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "belongs to another study (hash %.16s; %s and its scenarios have "
                         "%s): resume with the files the study started with, unchanged", ck->study_hash, st->path,
                         st->hash);
  if (ck->seed != st->seed)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "belongs to a study with seed %llu, not %llu",
                         (unsigned long long)ck->seed, (unsigned long long)st->seed);
  if (ck->trials != st->trials)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "belongs to a study of %lld trials a point, not %lld",
                         (long long)ck->trials, (long long)st->trials);
  if (ck->method != (int)st->method || ck->rows != st->points)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "belongs to a %s study of %lld %s, not a %s study of %lld",
                         osq_method_name(ck->method), (long long)ck->rows,
                         ck->method == OSQ_METHOD_MORRIS ? "trajectories" : "base rows", osq_method_name(st->method),
                         (long long)st->points);
  if (ck->block_size != st->block_size || ck->geo_trials != st->geo_trials)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "belongs to a study with blocks of %lld trials and geography on "
                         "about %lld, not %lld and %lld", (long long)ck->block_size, (long long)ck->geo_trials,
                         (long long)st->block_size, (long long)st->geo_trials);
  if (ck->n_inputs != st->n_inputs || ck->n_outputs != st->n_outputs)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "holds %d inputs and %d outputs; the study has %d and %d",
                         (int)ck->n_inputs, (int)ck->n_outputs, st->n_inputs, st->n_outputs);
  return OSQ_OK;
}

bool osq_study_ckpt_exists(const char *dir) {
  char path[OSQ_PATH_MAX + 32];
  struct stat st;
  return lstat(osq_study_ckpt_path(dir, path, sizeof path), &st) == 0;
}

int osq_study_ckpt_remove(const char *dir, osq_error_t *err) {
  char path[OSQ_PATH_MAX + 32];
  osq_study_ckpt_path(dir, path, sizeof path);
  if (unlink(path) != 0) {
    if (errno == ENOENT) return OSQ_OK;
    return osq_error_add(err, OSQ_EIO, path, 0, "cannot remove the study checkpoint: %s", strerror(errno));
  }
  int fd = open(dir, O_RDONLY); /* the removal is durable once the directory is synced */
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  return OSQ_OK;
}
