/*
 * lowerbound.c owns the lower-bound loop of `osq bench` (see lowerbound.h for what it does and
 * why). It is written the way the real engine is (one Philox stream per trial, trials handed out
 * in blocks, per-thread work space allocated before the clock starts) so that the ratio compares
 * like with like.
 */
#include "bench/lowerbound.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "models/rng.h"

/* splitmix64: positions of the runs (addressing only). */
static inline uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

typedef struct {
  uint64_t *bits;
  uint32_t *touched;
  size_t n;
  double area[OSQ_GEO_IDS];
} lb_set_t;

/* One thread's work space. The padding keeps each thread's counters and set headers, written
 * per cell, off the cache lines of its neighbours in the array (false sharing cost the first
 * version all of its 2-thread speed-up). */
typedef struct {
  char pad0[128];
  lb_set_t flight, year;
  uint64_t check;
  int64_t cells, draws;
  char pad1[128];
} lb_ws_t;

static void set_free(lb_set_t *s) {
  free(s->bits);
  free(s->touched);
}

static int set_alloc(lb_set_t *s, size_t n_cells, size_t cap) {
  memset(s, 0, sizeof *s);
  s->bits = calloc((n_cells + 63) / 64, sizeof *s->bits);
  s->touched = malloc((cap + 1) * sizeof *s->touched); /* cap cells at most; + 1 spare */
  return s->bits && s->touched ? 0 : OSQ_ENOMEM;
}

static inline void set_clear(lb_set_t *s) {
  for (size_t i = 0; i < s->n; i++) s->bits[s->touched[i] >> 6] = 0;
  s->n = 0;
}

/* Mark cells i0 .. i1 - 1 of row r in both sets. Every cell here is new to both (the runs do
 * not overlap but by chance), so the tests are predictable branches, the fastest way for this
 * loop; as in the engine, the two sets' words are kept in registers while the run is inside
 * them, and the areas are counted per stretch of one territory and added as count x area,
 * without a chain of floating-point additions from cell to cell. */
static inline void mark_run(const osq_geo_raster_t *g, lb_set_t *f, lb_set_t *y, int r, size_t i0, size_t i1) {
  const double a = (double)g->row_area_km2[r];
  const uint8_t *tid = g->tid;
  unsigned cur = tid[i0];
  uint64_t fcnt = 0, ycnt = 0;
  uint32_t *ft = f->touched, *yt = y->touched;
  size_t fn = f->n, yn = y->n;
  size_t i = i0;
  while (i < i1) {
    const size_t w = i >> 6, wend = (w + 1) << 6 < i1 ? (w + 1) << 6 : i1;
    uint64_t fb = f->bits[w], yb = y->bits[w];
    for (; i < wend; i++) {
      const unsigned t = tid[i];
      if (t != cur) {
        f->area[cur] += a * (double)fcnt;
        y->area[cur] += a * (double)ycnt;
        fcnt = ycnt = 0;
        cur = t;
      }
      const uint64_t bit = (uint64_t)1 << (i & 63);
      if (fb & bit) continue;
      fb |= bit;
      ft[fn++] = (uint32_t)i;
      fcnt++;
      if (yb & bit) continue;
      yb |= bit;
      yt[yn++] = (uint32_t)i;
      ycnt++;
    }
    f->bits[w] = fb;
    y->bits[w] = yb;
  }
  f->n = fn;
  y->n = yn;
  f->area[cur] += a * (double)fcnt;
  y->area[cur] += a * (double)ycnt;
}

/* Share `total` over `parts` as evenly as whole numbers allow: part k's share. */
static inline int64_t share(int64_t total, int64_t parts, int64_t k) {
  return total / parts + (k < total % parts ? 1 : 0);
}

int osq_lb_run(const osq_geo_raster_t *g, const osq_lb_work_t *w, int threads, osq_lb_result_t *out,
               osq_error_t *err) {
  memset(out, 0, sizeof *out);
  if (!w || w->trials <= 0 || w->draws < 0 || w->cells < 0 || w->runs < 0 || w->flights < 0 || threads < 1 ||
      w->geo_stride < 1 || w->block_size < 1 || w->years < 1)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "lower bound: bad work description");
  const bool geo = g && w->cells > 0 && w->runs > 0 && w->flights > 0;
  const int64_t geo_trials = (w->trials + w->geo_stride - 1) / w->geo_stride;
  /* rows of the parties' latitudes (36 N to 70 N: Turkey's south to Norway's north) */
  int r0 = 0, r1 = 0;
  if (geo) {
    r0 = (int)((36.0 + 90.0) / g->res_deg);
    r1 = (int)((70.0 + 90.0) / g->res_deg);
    if (r1 > g->nlat - 1) r1 = g->nlat - 1;
    if (r0 > r1) r0 = r1;
  }

  lb_ws_t *ws = calloc((size_t)threads, sizeof *ws);
  if (!ws) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "lower bound: out of memory");
  int rc = OSQ_OK;
  for (int t = 0; t < threads && rc == OSQ_OK && geo; t++) {
    /* neither set ever holds more than one trial's cells */
    const int64_t per_trial = w->cells / geo_trials + 2;
    if (set_alloc(&ws[t].flight, g->n_cells, (size_t)per_trial) || set_alloc(&ws[t].year, g->n_cells, (size_t)per_trial))
      rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "lower bound: out of memory");
  }

  if (rc == OSQ_OK) {
    const double t0 = omp_get_wtime();
#pragma omp parallel num_threads(threads)
    {
      lb_ws_t *me = &ws[omp_get_thread_num()];
      osq_rng_t rng;
#pragma omp for schedule(dynamic, 1)
      for (int64_t b = 0; b < (w->trials + w->block_size - 1) / w->block_size; b++) {
        const int64_t t_end = (b + 1) * w->block_size < w->trials ? (b + 1) * w->block_size : w->trials;
        for (int64_t trial = b * w->block_size; trial < t_end; trial++) {
          osq_rng_init(&rng, w->seed, (uint64_t)trial, OSQ_STREAM_MODEL);
          const int64_t nd = share(w->draws, w->trials, trial);
          uint64_t acc = 0;
          for (int64_t k = 0; k < nd; k++) acc += osq_rng_u64(&rng);
          me->check += acc;
          me->draws += nd;
          if (!geo || trial % w->geo_stride != 0) continue;
          const int64_t gt = trial / w->geo_stride;
          const int64_t nf = share(w->flights, geo_trials, gt);
          const int64_t runs_trial = share(w->runs, geo_trials, gt);
          const int64_t cells_trial = share(w->cells, geo_trials, gt);
          int64_t run_k = 0, cells_left = cells_trial;
          for (int64_t f = 0; f < nf; f++) {
            const int64_t nr = share(runs_trial, nf, f);
            /* A flight's runs lie as a swath's do: one per row, row after row, drifting slowly
             * in longitude (a fixed drift per flight), which is the access pattern of the real
             * marking; scattered runs would make this bound slower than it need be once the
             * sets outgrow the cache (0.05 degrees). */
            const uint64_t hf = mix((uint64_t)trial << 24 ^ (uint64_t)f ^ 0x9e3779b97f4a7c15ull);
            const int64_t n_rows = r1 - r0 + 1, rs = (int64_t)(hf % (uint64_t)n_rows);
            const int64_t cs = (int64_t)((hf >> 24) % (uint64_t)g->nlon), drift = (int64_t)((hf >> 56) % 5) - 2;
            for (int64_t k = 0; k < nr; k++, run_k++) {
              const int r = r0 + (int)((rs + k) % n_rows);
              int64_t len = run_k + 1 == runs_trial ? cells_left : share(cells_trial, runs_trial, run_k);
              if (len > g->nlon) len = g->nlon;
              cells_left -= len;
              const int64_t span = g->nlon - len + 1; /* columns a run of len may start in */
              const int c = (int)((((cs + k * drift) % span) + span) % span);
              const size_t base = (size_t)r * (size_t)g->nlon + (size_t)c;
              mark_run(g, &me->flight, &me->year, r, base, base + (size_t)len);
              me->cells += len;
            }
            me->check += me->flight.n;
            set_clear(&me->flight);
            if ((f + 1) * w->years / nf != f * w->years / nf) { /* the last flight of a year */
              me->check += me->year.n;
              set_clear(&me->year);
            }
          }
          me->check += me->year.n;
          set_clear(&me->year);
        }
      }
    }
    out->seconds = omp_get_wtime() - t0;
    for (int t = 0; t < threads; t++) {
      out->check += ws[t].check;
      out->cells += ws[t].cells;
      out->draws += ws[t].draws;
    }
  }
  for (int t = 0; t < threads; t++) {
    set_free(&ws[t].flight);
    set_free(&ws[t].year);
  }
  free(ws);
  return rc;
}

int osq_lb_quota_run(const osq_lb_work_t *w, int threads, osq_lb_result_t *out, osq_error_t *err) {
  memset(out, 0, sizeof *out);
  if (!w || w->trials <= 0 || w->draws < 0 || threads < 1 || w->block_size < 1)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "quota bound: bad work description");
  lb_ws_t *ws = calloc((size_t)threads, sizeof *ws);
  if (!ws) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "quota bound: out of memory");
  const int64_t blocks = (w->trials + w->block_size - 1) / w->block_size;
  const double t0 = omp_get_wtime();
#pragma omp parallel num_threads(threads)
  {
    lb_ws_t *me = &ws[omp_get_thread_num()];
    osq_rng_t rng;
#pragma omp for schedule(dynamic, 1)
    for (int64_t b = 0; b < blocks; b++) {
      const int64_t t_end = (b + 1) * w->block_size < w->trials ? (b + 1) * w->block_size : w->trials;
      for (int64_t trial = b * w->block_size; trial < t_end; trial++) {
        osq_rng_init(&rng, w->seed, (uint64_t)trial, OSQ_STREAM_MODEL);
        const int64_t nd = share(w->draws, w->trials, trial);
        /* each double used as the model uses most of its draws, in a comparison (a sum of the
         * doubles would chain floating-point additions that the model does not make) */
        uint64_t below = 0;
        for (int64_t k = 0; k < nd; k++) below += osq_rng_u01(&rng) < 0.5;
        me->check += below;
        me->draws += nd;
      }
    }
  }
  out->seconds = omp_get_wtime() - t0;
  for (int t = 0; t < threads; t++) {
    out->check += ws[t].check;
    out->draws += ws[t].draws;
  }
  free(ws);
  return OSQ_OK;
}
