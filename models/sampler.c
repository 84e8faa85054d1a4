/*
 * sampler.c owns area-weighted sampling inside territories: aiming a sampler at the runs of
 * territory cells (the raster's index) whose centres lie within a disc, and drawing points from
 * them uniformly by area.
 */
#include "models/sampler.h"

#include <math.h>
#include <stdlib.h>

#include "models/errors.h"
#include "models/geo_internal.h"
#include "models/sphere.h"

osq_geo_sampler_t *osq_geo_sampler_alloc(const osq_geo_raster_t *g, int max_tids) {
  if (!g || max_tids < 1) return NULL;
  osq_geo_sampler_t *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->cap = (size_t)max_tids * (size_t)g->nlat * 2;
  s->first = malloc(s->cap * sizeof *s->first);
  s->count = malloc(s->cap * sizeof *s->count);
  s->row = malloc(s->cap * sizeof *s->row);
  s->cum = malloc(s->cap * sizeof *s->cum);
  if (!s->first || !s->count || !s->row || !s->cum) {
    osq_geo_sampler_free(s);
    return NULL;
  }
  return s;
}

void osq_geo_sampler_free(osq_geo_sampler_t *s) {
  if (!s) return;
  free(s->first);
  free(s->count);
  free(s->row);
  free(s->cum);
  free(s);
}

/* first index in [lo, hi) of a sorted column list with value >= v */
static uint32_t lower_bound_u16(const uint16_t *a, uint32_t lo, uint32_t hi, long v) {
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if ((long)a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static void sampler_push(osq_geo_sampler_t *s, const osq_geo_raster_t *g, int row, uint32_t first, uint32_t count,
                         double *cum) {
  if (count == 0) return;
  *cum += (double)count * (double)g->row_area_km2[row];
  s->first[s->n] = first;
  s->count[s->n] = count;
  s->row[s->n] = row;
  s->cum[s->n] = *cum;
  s->n++;
}

double osq_geo_sampler_aim(osq_geo_sampler_t *s, const osq_geo_raster_t *g, const uint8_t *tids, int n_tids,
                           double lat0, double lon0, double radius_km) {
  s->n = 0;
  s->total_km2 = 0.0;
  if (n_tids < 0 || (size_t)n_tids * (size_t)g->nlat * 2 > s->cap) return OSQ_EINVAL;
  double ang = radius_km / OSQ_EARTH_RADIUS_KM;
  bool disc = radius_km > 0 && ang < OSQ_PI;
  double sq = sin(lat0 * OSQ_D2R), cq = cos(lat0 * OSQ_D2R), cos_ang = cos(ang), ang_deg = ang * OSQ_R2D;
  double cum = 0.0;
  for (int i = 0; i < n_tids; i++) {
    int t = tids[i];
    if (t < 1 || t > g->n_terr) {
      s->n = 0;
      return OSQ_EINVAL;
    }
    for (size_t k = g->srow_start[t]; k < g->srow_start[t + 1]; k++) {
      int r = g->srow_row[k];
      uint32_t first = g->srow_first[k], count = g->srow_count[k];
      if (!disc) {
        sampler_push(s, g, r, first, count, &cum);
        continue;
      }
      if (fabs(row_centre_deg(g, r) - lat0) > ang_deg) continue;
      double dl = lon_halfwidth_deg(sq, cq, g->row_sin[r], g->row_cos[r], cos_ang);
      if (dl < 0) continue;
      long clo = (long)ceil((lon0 - dl + 180.0) / g->res_deg - 0.5);
      long chi = (long)floor((lon0 + dl + 180.0) / g->res_deg - 0.5);
      if (dl >= 180.0 || chi - clo + 1 >= g->nlon) {
        sampler_push(s, g, r, first, count, &cum);
        continue;
      }
      if (chi < clo) continue;
      long shift = (long)floor((double)clo / g->nlon) * g->nlon;
      clo -= shift;
      chi -= shift;
      long win[2][2] = {{clo, chi < g->nlon ? chi : g->nlon - 1}, {0, chi - g->nlon}};
      int nw = chi < g->nlon ? 1 : 2;
      /* keep runs in column order: the wrapped part [0, ..] first */
      for (int w = nw - 1; w >= 0; w--) {
        uint32_t a = lower_bound_u16(g->scol, first, first + count, win[w][0]);
        uint32_t b = lower_bound_u16(g->scol, first, first + count, win[w][1] + 1);
        sampler_push(s, g, r, a, b - a, &cum);
      }
    }
  }
  s->total_km2 = cum;
  return cum;
}

int osq_geo_sampler_draw(const osq_geo_sampler_t *s, const osq_geo_raster_t *g, gsl_rng *rng, double *lat,
                         double *lon) {
  if (s->n == 0 || !(s->total_km2 > 0)) return OSQ_ERANGE;
  double u = gsl_rng_uniform(rng) * s->total_km2;
  double v = gsl_rng_uniform(rng);
  double w = gsl_rng_uniform(rng);
  double z = gsl_rng_uniform(rng);
  size_t lo = 0, hi = s->n - 1;
  while (lo < hi) { /* first run with cum > u */
    size_t mid = lo + (hi - lo) / 2;
    if (s->cum[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  uint32_t j = (uint32_t)(v * s->count[lo]);
  if (j >= s->count[lo]) j = s->count[lo] - 1;
  int r = s->row[lo];
  int c = g->scol[s->first[lo] + j];
  double lat_s = -90.0 + r * g->res_deg, lat_n = lat_s + g->res_deg;
  if (lat_n > 90.0) lat_n = 90.0;
  double s1 = sin(lat_s * OSQ_D2R), s2 = sin(lat_n * OSQ_D2R);
  *lat = asin(s1 + z * (s2 - s1)) * OSQ_R2D; /* uniform in sin(lat): uniform by area */
  *lon = -180.0 + (c + w) * g->res_deg;
  return 0;
}
