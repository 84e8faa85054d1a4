/*
 * checkpoint.c owns the checkpoint file of an interrupted run: its encoding (the format is at the
 * top of checkpoint.h), its strict decoding, the identity check against the run to resume, and its
 * atomic writing and removal.
 *
 * The decoder trusts nothing but the checksum-covered bytes it was given, and not even those for
 * sizes: every count is checked against the bytes left before anything is allocated, so a
 * truncated, corrupt or hostile file is refused with one message and never over-allocates.
 */
#include "sim/engine/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/table.h"
#include "sim/input/hash.h"
#include "sim/engine/run.h"

static const unsigned char MAGIC[8] = {'o', 's', 'q', '-', 'c', 'k', 'p', 't'};

/* Larger files are refused before they are read: the largest real checkpoint (every 0.1-degree
 * cell imaged, thousands of slots) is about 120 MiB. */
#define CKPT_MAX_BYTES (UINT64_C(1) << 30)
/* Bounds on the shapes, far above any scenario's, so that products below cannot overflow. */
#define CKPT_MAX_YEARS 1000
#define CKPT_MAX_SLOTS (1 << 22)
/* The map cells are stored sparse but held dense: their count is bounded by the finest raster a
 * scenario can ask for (geo.resolution_deg >= 0.05: 7,200 x 3,600 cells, 207 MB of counts), not
 * by the file's size. */
#define CKPT_MAX_CELLS (UINT64_C(7200) * 3600)

osq_checkpoint_t *osq_checkpoint_alloc(int n_years, int n_parties, int n_slots, const osq_hist_t *bins,
                                       uint64_t n_cells) {
  if (n_years < 1 || n_parties < 1 || n_slots < 1 || !bins) return NULL;
  osq_checkpoint_t *ck = calloc(1, sizeof *ck);
  if (!ck) return NULL;
  ck->n_years = n_years;
  ck->n_parties = n_parties;
  ck->n_slots = n_slots;
  ck->n_cells = n_cells;
  ck->total = calloc((size_t)n_slots, sizeof *ck->total);
  ck->hists = osq_hist_set_alloc_like(bins, n_slots);
  ck->dyad_sum = calloc((size_t)n_years * (size_t)n_parties * (size_t)n_parties, sizeof *ck->dyad_sum);
  if (n_cells) ck->cells = calloc((size_t)n_cells, sizeof *ck->cells);
  if (!ck->total || !ck->hists || !ck->dyad_sum || (n_cells && !ck->cells)) {
    osq_checkpoint_free(ck);
    return NULL;
  }
  return ck;
}

void osq_checkpoint_free(osq_checkpoint_t *ck) {
  if (!ck) return;
  free(ck->total);
  osq_hist_free(ck->hists);
  free(ck->dyad_sum);
  free(ck->cells);
  free(ck);
}

int64_t osq_checkpoint_trials_done(const osq_checkpoint_t *ck) {
  if (ck->block_size <= 0 || ck->blocks_done <= 0) return 0;
  if (ck->blocks_done >= (ck->trials + ck->block_size - 1) / ck->block_size) return ck->trials;
  return ck->blocks_done * ck->block_size;
}

char *osq_checkpoint_path(const char *dir, char *buf, size_t len) {
  snprintf(buf, len, "%s/%s", dir, OSQ_CHECKPOINT_NAME);
  return buf;
}

/* ============================================================================================ */
/* Encoding                                                                                     */
/* ============================================================================================ */

typedef struct {
  unsigned char *p;
} writer_t;

static void put_u64(writer_t *w, uint64_t v) {
  for (int i = 0; i < 8; i++) *w->p++ = (unsigned char)(v >> (8 * i));
}
static void put_u32(writer_t *w, uint32_t v) {
  for (int i = 0; i < 4; i++) *w->p++ = (unsigned char)(v >> (8 * i));
}
static void put_f64(writer_t *w, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  put_u64(w, bits);
}
static void put_bytes(writer_t *w, const void *s, size_t n) {
  memcpy(w->p, s, n);
  w->p += n;
}

static uint64_t nonzero_cells(const osq_checkpoint_t *ck) {
  uint64_t k = 0;
  for (uint64_t c = 0; c < ck->n_cells; c++) k += ck->cells[c] != 0;
  return k;
}

int osq_checkpoint_encode(const osq_checkpoint_t *ck, unsigned char **buf, size_t *len, osq_error_t *err) {
  *buf = NULL;
  *len = 0;
  if (!ck || ck->n_years < 1 || ck->n_parties < 1 || ck->n_slots < 1 || !ck->total || !ck->hists || !ck->dyad_sum ||
      (ck->n_cells && !ck->cells))
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "checkpoint: incomplete state");
  const size_t vlen = strnlen(ck->version, sizeof ck->version - 1);
  const size_t S = (size_t)ck->n_slots, D = (size_t)ck->n_years * ck->n_parties * ck->n_parties;
  const uint64_t k = nonzero_cells(ck);
  size_t n = 8 + 4 + 8 + 1 + vlen + 16 + 8 * 4 + 4 + 8 * 2 + 8 * 3 + 4 * 3;
  n += S * 24;
  for (size_t s = 0; s < S; s++) n += 8 * 2 + 4 + 8 * 5 + 8 * (size_t)ck->hists[s].nbins;
  n += D * 8 + 8 + 8 + (size_t)k * 16 + 8;
  unsigned char *b = malloc(n);
  if (!b) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for the checkpoint");
  writer_t w = {b};
  put_bytes(&w, MAGIC, sizeof MAGIC);
  put_u32(&w, OSQ_CHECKPOINT_FORMAT);
  put_u64(&w, (uint64_t)n);
  *w.p++ = (unsigned char)vlen;
  put_bytes(&w, ck->version, vlen);
  char h[16];
  memset(h, '0', sizeof h);
  memcpy(h, ck->scenario_hash, strnlen(ck->scenario_hash, 16));
  put_bytes(&w, h, 16);
  put_u64(&w, ck->seed);
  put_u64(&w, (uint64_t)ck->trials);
  put_u64(&w, (uint64_t)ck->block_size);
  put_u64(&w, (uint64_t)ck->geo_stride);
  put_u32(&w, ck->formats);
  put_u64(&w, (uint64_t)ck->blocks_done);
  put_f64(&w, ck->wall_seconds);
  put_u64(&w, ck->hash);
  put_u64(&w, (uint64_t)ck->flights);
  put_u64(&w, (uint64_t)ck->cells_marked);
  put_u32(&w, (uint32_t)ck->n_years);
  put_u32(&w, (uint32_t)ck->n_parties);
  put_u32(&w, (uint32_t)ck->n_slots);
  for (size_t s = 0; s < S; s++) {
    put_u64(&w, (uint64_t)ck->total[s].n);
    put_f64(&w, ck->total[s].mean);
    put_f64(&w, ck->total[s].m2);
  }
  for (size_t s = 0; s < S; s++) {
    const osq_hist_t *hs = &ck->hists[s];
    put_f64(&w, hs->lo);
    put_f64(&w, hs->width);
    put_u32(&w, (uint32_t)hs->nbins);
    put_u64(&w, hs->under);
    put_u64(&w, hs->over);
    put_u64(&w, hs->nan);
    put_f64(&w, hs->min);
    put_f64(&w, hs->max);
    for (int32_t i = 0; i < hs->nbins; i++) put_u64(&w, hs->counts[i]);
  }
  for (size_t d = 0; d < D; d++) put_u64(&w, (uint64_t)ck->dyad_sum[d]);
  put_u64(&w, ck->n_cells);
  put_u64(&w, k);
  for (uint64_t c = 0; c < ck->n_cells; c++)
    if (ck->cells[c]) {
      put_u64(&w, c);
      put_u64(&w, ck->cells[c]);
    }
  put_u64(&w, osq_fnv1a64(b, (size_t)(w.p - b), OSQ_FNV1A64_INIT));
  *buf = b;
  *len = n;
  return OSQ_OK;
}

/* ============================================================================================ */
/* Decoding                                                                                     */
/* ============================================================================================ */

typedef struct {
  const unsigned char *p, *end;
} reader_t;

static size_t left(const reader_t *r) { return (size_t)(r->end - r->p); }

/* Readers: the caller checked that the bytes are there (need()). */
static uint64_t get_u64(reader_t *r) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)r->p[i] << (8 * i);
  r->p += 8;
  return v;
}
static uint32_t get_u32(reader_t *r) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)r->p[i] << (8 * i);
  r->p += 4;
  return v;
}
static double get_f64(reader_t *r) {
  uint64_t bits = get_u64(r);
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

#define CORRUPT(...) osq_error_add(err, OSQ_ECONFIG, name, 0, "corrupt checkpoint: " __VA_ARGS__)

/* The envelope: magic, format, length and checksum. On success r spans the body (after the length,
 * before the checksum). */
static int decode_envelope(const unsigned char *buf, size_t len, const char *name, reader_t *r, osq_error_t *err) {
  const size_t head = sizeof MAGIC + 4 + 8;
  if (len < sizeof MAGIC || memcmp(buf, MAGIC, sizeof MAGIC) != 0)
    return osq_error_add(err, OSQ_ECONFIG, name, 0, "not an osq checkpoint (no \"osq-ckpt\" magic at the start)");
  if (len < head) return osq_error_add(err, OSQ_ECONFIG, name, 0, "truncated checkpoint (%zu bytes)", len);
  *r = (reader_t){buf + sizeof MAGIC, buf + len};
  const uint32_t format = get_u32(r);
  if (format != OSQ_CHECKPOINT_FORMAT)
    return osq_error_add(err, OSQ_ECONFIG, name, 0, "checkpoint format %u (this osq reads format %u)", format,
                         OSQ_CHECKPOINT_FORMAT);
  const uint64_t want = get_u64(r);
  if (want > len)
    return osq_error_add(err, OSQ_ECONFIG, name, 0, "truncated checkpoint (%zu of %llu bytes)", len,
                         (unsigned long long)want);
  if (want < len)
    return osq_error_add(err, OSQ_ECONFIG, name, 0, "corrupt checkpoint: %zu bytes, its header says %llu", len,
                         (unsigned long long)want);
  if (len < head + 8) return CORRUPT("too short");
  r->end = buf + len - 8;
  reader_t tail = {r->end, buf + len};
  if (get_u64(&tail) != osq_fnv1a64(buf, len - 8, OSQ_FNV1A64_INIT)) return CORRUPT("checksum mismatch");
  return OSQ_OK;
}

/* The fixed part (version, identity, counts, shape) into tmp, checked for range. */
static int decode_header(reader_t *r, const char *name, osq_checkpoint_t *tmp, osq_error_t *err) {
  /* version (1 + n), hash 16, 4 x 8, 4, 2 x 8, 3 x 8, 3 x 4 */
  if (left(r) < 1) return CORRUPT("too short");
  const size_t vlen = *r->p++;
  if (vlen >= sizeof tmp->version || left(r) < vlen + 16 + 32 + 4 + 16 + 24 + 12) return CORRUPT("bad header");
  memcpy(tmp->version, r->p, vlen);
  r->p += vlen;
  if (memchr(tmp->version, '\0', vlen)) return CORRUPT("bad version string");
  memcpy(tmp->scenario_hash, r->p, 16);
  r->p += 16;
  for (int i = 0; i < 16; i++)
    if (!strchr("0123456789abcdef", tmp->scenario_hash[i]) || !tmp->scenario_hash[i])
      return CORRUPT("bad scenario hash");
  tmp->seed = get_u64(r);
  tmp->trials = (int64_t)get_u64(r);
  tmp->block_size = (int64_t)get_u64(r);
  tmp->geo_stride = (int64_t)get_u64(r);
  tmp->formats = get_u32(r);
  tmp->blocks_done = (int64_t)get_u64(r);
  tmp->wall_seconds = get_f64(r);
  tmp->hash = get_u64(r);
  tmp->flights = (int64_t)get_u64(r);
  tmp->cells_marked = (int64_t)get_u64(r);
  const uint32_t Y = get_u32(r), P = get_u32(r), S = get_u32(r);
  if (tmp->seed > (uint64_t)INT64_MAX) return CORRUPT("seed out of range");
  if (tmp->trials < 1 || tmp->trials > OSQ_TRIALS_MAX) return CORRUPT("trials out of range");
  if (tmp->block_size < 1 || tmp->block_size > tmp->trials) return CORRUPT("block size out of range");
  if (tmp->geo_stride < 1 || tmp->geo_stride > tmp->trials) return CORRUPT("geography stride out of range");
  if (tmp->formats == 0 || (tmp->formats & ~(unsigned)OSQ_FMT_ALL)) return CORRUPT("bad formats");
  /* A checkpoint is written only by a run that stopped before its last block. */
  const int64_t n_blocks = (tmp->trials + tmp->block_size - 1) / tmp->block_size;
  if (tmp->blocks_done < 1 || tmp->blocks_done >= n_blocks) return CORRUPT("blocks done out of range");
  if (!(tmp->wall_seconds >= 0.0) || !isfinite(tmp->wall_seconds)) return CORRUPT("bad wall time");
  if (tmp->flights < 0 || tmp->cells_marked < 0) return CORRUPT("negative count");
  if (Y < 1 || Y > CKPT_MAX_YEARS || P < 1 || P > OSQ_PARTIES_MAX || S < 1 || S > CKPT_MAX_SLOTS)
    return CORRUPT("bad shape (%u years, %u parties, %u slots)", Y, P, S);
  tmp->n_years = (int32_t)Y;
  tmp->n_parties = (int32_t)P;
  tmp->n_slots = (int32_t)S;
  return OSQ_OK;
}

/* The shapes of the variable part: the Welford records skipped, the histograms' bins read (and that
 * their counts are there), the map's cell count; then the checkpoint allocated for them and tmp
 * copied into it. r is left at the dyad sums. */
static int decode_shapes(reader_t *r, const char *name, const osq_checkpoint_t *tmp, osq_checkpoint_t **out,
                         osq_error_t *err) {
  const uint32_t S = (uint32_t)tmp->n_slots;
  if (left(r) / 24 < S) return CORRUPT("too short for %u statistics records", S);
  r->p += (size_t)S * 24;
  double *lo = malloc(sizeof *lo * S), *width = malloc(sizeof *width * S);
  int *nbins = malloc(sizeof *nbins * S);
  int rc = lo && width && nbins ? OSQ_OK : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (uint32_t s = 0; rc == OSQ_OK && s < S; s++) {
    if (left(r) < 60) {
      rc = CORRUPT("too short for histogram %u", s);
      break;
    }
    lo[s] = get_f64(r);
    width[s] = get_f64(r);
    const uint32_t nb = get_u32(r);
    r->p += 40;
    if (!isfinite(lo[s]) || !isfinite(width[s]) || !(width[s] > 0) || nb < 1 || nb > INT32_MAX || left(r) / 8 < nb) {
      rc = CORRUPT("bad histogram %u", s);
      break;
    }
    nbins[s] = (int)nb;
    r->p += (size_t)nb * 8;
  }
  const size_t D = (size_t)tmp->n_years * tmp->n_parties * tmp->n_parties;
  if (rc == OSQ_OK && left(r) / 8 < D + 2) rc = CORRUPT("too short for the dyads");
  osq_checkpoint_t *ck = NULL;
  if (rc == OSQ_OK) {
    osq_hist_t *bins = osq_hist_set_alloc((int)S, lo, width, nbins);
    if (!bins) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
    /* The cells' count must be known (and checked against the bytes) before allocating them. */
    reader_t c = {r->p + D * 8, r->end};
    const uint64_t n_cells = rc == OSQ_OK ? get_u64(&c) : 0;
    if (rc == OSQ_OK && n_cells > CKPT_MAX_CELLS) rc = CORRUPT("%llu map cells", (unsigned long long)n_cells);
    if (rc == OSQ_OK) {
      ck = osq_checkpoint_alloc(tmp->n_years, tmp->n_parties, (int)S, bins, n_cells);
      if (!ck) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory for the checkpoint");
    }
    osq_hist_free(bins);
  }
  free(lo);
  free(width);
  free(nbins);
  if (rc != OSQ_OK) return rc;
  osq_checkpoint_t arrays = *ck;
  *ck = *tmp;
  ck->total = arrays.total;
  ck->hists = arrays.hists;
  ck->dyad_sum = arrays.dyad_sum;
  ck->cells = arrays.cells;
  ck->n_cells = arrays.n_cells;
  *out = ck;
  return OSQ_OK;
}

/* The variable part into ck's arrays: Welford records and histogram counts (from body, the start
 * of the records), dyad sums and map cells (from r, at the dyad sums). */
static int decode_body(reader_t body, reader_t *r, const char *name, osq_checkpoint_t *ck, osq_error_t *err) {
  const int64_t trials_done = ck->blocks_done * ck->block_size;
  for (int32_t s = 0; s < ck->n_slots; s++) {
    osq_welford_t *w = &ck->total[s];
    w->n = (int64_t)get_u64(&body);
    w->mean = get_f64(&body);
    w->m2 = get_f64(&body);
    if (w->n < 0 || w->n > trials_done) return CORRUPT("statistics record %d counts %lld values", s, (long long)w->n);
  }
  for (int32_t s = 0; s < ck->n_slots; s++) {
    osq_hist_t *hs = &ck->hists[s];
    body.p += 20; /* bins, read by decode_shapes */
    hs->under = get_u64(&body);
    hs->over = get_u64(&body);
    hs->nan = get_u64(&body);
    hs->min = get_f64(&body);
    hs->max = get_f64(&body);
    for (int32_t i = 0; i < hs->nbins; i++) hs->counts[i] = get_u64(&body);
    if (isnan(hs->min) || isnan(hs->max)) return CORRUPT("histogram %d has a NaN extreme", s);
  }
  const size_t D = (size_t)ck->n_years * ck->n_parties * ck->n_parties;
  for (size_t d = 0; d < D; d++) {
    ck->dyad_sum[d] = (int64_t)get_u64(r);
    if (ck->dyad_sum[d] < 0) return CORRUPT("negative dyad sum");
  }
  r->p += 8; /* n_cells, read by decode_shapes */
  const uint64_t k = get_u64(r);
  if (k > ck->n_cells || left(r) / 16 < k || left(r) != k * 16) return CORRUPT("bad map cell list");
  uint64_t prev = 0;
  for (uint64_t i = 0; i < k; i++) {
    const uint64_t cell = get_u64(r), count = get_u64(r);
    if (cell >= ck->n_cells || (i > 0 && cell <= prev) || count == 0)
      return CORRUPT("bad map cell %llu", (unsigned long long)cell);
    ck->cells[cell] = count;
    prev = cell;
  }
  return OSQ_OK;
}

int osq_checkpoint_decode(const unsigned char *buf, size_t len, const char *name, osq_checkpoint_t **out,
                          osq_error_t *err) {
  *out = NULL;
  reader_t r = {NULL, NULL};
  osq_checkpoint_t tmp, *ck = NULL;
  memset(&tmp, 0, sizeof tmp);
  int rc = decode_envelope(buf, len, name, &r, err);
  if (rc == OSQ_OK) rc = decode_header(&r, name, &tmp, err);
  const reader_t body = r; /* the Welford records start here */
  if (rc == OSQ_OK) rc = decode_shapes(&r, name, &tmp, &ck, err);
  if (rc == OSQ_OK) rc = decode_body(body, &r, name, ck, err);
  if (rc != OSQ_OK) {
    osq_checkpoint_free(ck);
    return rc;
  }
  *out = ck;
  return OSQ_OK;
}

/* ============================================================================================ */
/* Files                                                                                        */
/* ============================================================================================ */

int osq_checkpoint_write_file(const char *path, const unsigned char *buf, size_t len, const char *what,
                              osq_error_t *err) {
  osq_atomic_file_t *af;
  int rc = osq_atomic_open(path, &af, err);
  if (rc != OSQ_OK) return rc;
  if (fwrite(buf, 1, len, osq_atomic_stream(af)) != len) {
    osq_atomic_abort(af);
    return osq_error_add(err, OSQ_EIO, path, 0, "cannot write the %s: %s", what, strerror(errno));
  }
  return osq_atomic_commit(af, err);
}

int osq_checkpoint_read_file(const char *path, const char *dir, const char *what, const char *run, unsigned char **buf,
                             size_t *len, osq_error_t *err) {
  *buf = NULL;
  *len = 0;
  /* O_NONBLOCK: a FIFO in its place must not hang the open; it is refused just below. */
  int fd = open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "cannot read the %s: %s (is %s the directory of an interrupted %s?)",
                         what, strerror(errno), dir, run);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "not a regular file");
  }
  if ((uint64_t)st.st_size > CKPT_MAX_BYTES) {
    close(fd);
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "corrupt %s: %lld bytes (at most 1 GiB expected)", what,
                         (long long)st.st_size);
  }
  const size_t size = (size_t)st.st_size;
  unsigned char *b = malloc(size ? size : 1);
  if (!b) {
    close(fd);
    return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  }
  size_t got = 0;
  while (got < size) {
    ssize_t n = read(fd, b + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  const int read_errno = errno;
  close(fd);
  if (got < size && got == 0 && size > 0) {
    free(b);
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "cannot read the %s: %s", what, strerror(read_errno));
  }
  *buf = b;
  *len = got; /* a short read leaves a truncated file to the decoder, which says so */
  return OSQ_OK;
}

int osq_checkpoint_save(const char *dir, const osq_checkpoint_t *ck, osq_error_t *err) {
  char path[OSQ_PATH_MAX + 32];
  osq_checkpoint_path(dir, path, sizeof path);
  unsigned char *buf;
  size_t len;
  int rc = osq_checkpoint_encode(ck, &buf, &len, err);
  if (rc) return rc;
  rc = osq_checkpoint_write_file(path, buf, len, "checkpoint", err);
  free(buf);
  return rc;
}

int osq_checkpoint_load(const char *dir, osq_checkpoint_t **out, osq_error_t *err) {
  *out = NULL;
  char path[OSQ_PATH_MAX + 32];
  osq_checkpoint_path(dir, path, sizeof path);
  unsigned char *buf;
  size_t len;
  int rc = osq_checkpoint_read_file(path, dir, "checkpoint", "run", &buf, &len, err);
  if (rc != OSQ_OK) return rc;
  rc = osq_checkpoint_decode(buf, len, path, out, err);
  free(buf);
  return rc;
}

int osq_checkpoint_match(const osq_checkpoint_t *ck, const osq_scenario_t *sc, const char *path, osq_error_t *err) {
  if (strcmp(ck->version, OSQ_VERSION) != 0)
    return osq_error_add(err, OSQ_ECONFIG, path, 0,
                         "written by osq %s, this is osq %s (a run resumes only with the osq that started it)",
                         ck->version, OSQ_VERSION);
  if (strncmp(ck->scenario_hash, sc->hash, 16) != 0)
    return osq_error_add(err, OSQ_ECONFIG, path, 0,
                         "belongs to another scenario (content hash %.16s; %s has %s): resume with the scenario "
                         "file the run started with, unchanged",
                         ck->scenario_hash, sc->path, sc->hash);
  if (ck->seed != sc->seed)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "belongs to a run with seed %llu, not %llu",
                         (unsigned long long)ck->seed, (unsigned long long)sc->seed);
  if (ck->trials != sc->trials)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "belongs to a run of %lld trials, not %lld", (long long)ck->trials,
                         (long long)sc->trials);
  if (ck->block_size != sc->block_size)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "belongs to a run with block size %lld, not %lld",
                         (long long)ck->block_size, (long long)sc->block_size);
  const int64_t stride = osq_scenario_geo_stride(sc, sc->trials);
  if (ck->geo_stride != stride)
    return osq_error_add(err, OSQ_ECONFIG, path, 0, "belongs to a run with geography on every %lld-th trial, not %lld",
                         (long long)ck->geo_stride, (long long)stride);
  return OSQ_OK;
}

bool osq_checkpoint_exists(const char *dir) {
  char path[OSQ_PATH_MAX + 32];
  struct stat st;
  return lstat(osq_checkpoint_path(dir, path, sizeof path), &st) == 0;
}

int osq_checkpoint_remove(const char *dir, osq_error_t *err) {
  char path[OSQ_PATH_MAX + 32];
  osq_checkpoint_path(dir, path, sizeof path);
  if (unlink(path) != 0) {
    if (errno == ENOENT) return OSQ_OK;
    return osq_error_add(err, OSQ_EIO, path, 0, "cannot remove the checkpoint: %s", strerror(errno));
  }
  /* The removal is durable only once the directory is synced. */
  int fd = open(dir, O_RDONLY);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  return OSQ_OK;
}
