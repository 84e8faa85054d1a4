/*
 * raster.c owns the raster of territories: scanline rasterisation of polygons onto the grid (its
 * conventions are in raster.h), the cells' areas, each territory's measured area, the index of
 * each territory's cells row by row that sampler.c draws from, and the look-up of a point's cell.
 */
#include "models/raster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/errors.h"
#include "models/geo_internal.h"
#include "models/sphere.h"

double osq_geo_cell_area_km2(double lat1_deg, double lat2_deg, double dlon_deg) {
  return OSQ_EARTH_RADIUS_KM * OSQ_EARTH_RADIUS_KM * (dlon_deg * OSQ_D2R) * (sin(lat2_deg * OSQ_D2R) - sin(lat1_deg * OSQ_D2R));
}

typedef struct {
  double *x, *y;           /* unwrapped vertices of one polygon */
  size_t cap_x, cap_y;
  size_t *rs;              /* ring starts in x/y, n_rings + 1 */
  size_t cap_rings;
  int *cnt;                /* [nlat + 1] crossings per row, then offsets */
  double *xs;              /* crossings */
  size_t cap_xs;
  double *yc;              /* [nlat] row centre latitudes */
} fill_scratch_t;

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t n = *cap ? *cap : 64;
  while (n < need) n *= 2;
  void *q = realloc(*p, n * elem);
  if (!q) return OSQ_ENOMEM;
  *p = q;
  *cap = n;
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Fill centre-inside cells of the row between longitudes xa and xb (unwrapped). */
static void fill_span(osq_geo_raster_t *g, int r, double xa, double xb, uint8_t id) {
  long ca = (long)ceil((xa + 180.0) / g->res_deg - 0.5);
  long cb = (long)ceil((xb + 180.0) / g->res_deg - 0.5);
  if (cb <= ca) return;
  if (cb - ca >= g->nlon) {
    ca = 0;
    cb = g->nlon;
  }
  uint8_t *row = g->tid + (size_t)r * (size_t)g->nlon;
  for (long c = ca; c < cb; c++) row[wrap_col(c, g->nlon)] = id;
}

/* Copy polygon p's rings into s with continuous longitudes; close rings that wind around the
 * globe over the pole; shift holes into the outer ring's longitude frame. Returns rings copied. */
static int unwrap_polygon(const osq_geo_polys_t *P, int p, fill_scratch_t *s, int *n_rings_out) {
  int r0 = P->poly_ring[p], r1 = P->poly_ring[p + 1];
  size_t need = 0;
  for (int k = r0; k < r1; k++) need += P->ring_start[k + 1] - P->ring_start[k] + 3;
  if (grow((void **)&s->x, &s->cap_x, need, sizeof(double))) return OSQ_ENOMEM;
  if (grow((void **)&s->y, &s->cap_y, need, sizeof(double))) return OSQ_ENOMEM;
  if (grow((void **)&s->rs, &s->cap_rings, (size_t)(r1 - r0) + 1, sizeof(size_t))) return OSQ_ENOMEM;

  size_t np = 0;
  int nr = 0;
  double outer_min = 0.0;
  for (int k = r0; k < r1; k++) {
    size_t a = P->ring_start[k], b = P->ring_start[k + 1];
    if (b - a < 3) {
      if (k == r0) break; /* no outer ring: nothing to fill */
      continue;
    }
    size_t start = np;
    double x0 = P->lon[a], x = x0, xmin = x0, ext = 0.0, pole = 90.0;
    s->x[np] = x;
    s->y[np++] = P->lat[a];
    for (size_t i = a + 1; i < b; i++) {
      double d = P->lon[i] - P->lon[i - 1];
      if (d > 180.0) d -= 360.0;
      else if (d < -180.0) d += 360.0;
      x += d;
      if (x < xmin) xmin = x;
      if (fabs(P->lat[i]) > ext) {
        ext = fabs(P->lat[i]);
        pole = P->lat[i] < 0 ? -90.0 : 90.0;
      }
      s->x[np] = x;
      s->y[np++] = P->lat[i];
    }
    double d = P->lon[a] - P->lon[b - 1];
    if (d > 180.0) d -= 360.0;
    else if (d < -180.0) d += 360.0;
    double xend = x + d;
    if (fabs(xend - x0) > 180.0) { /* winds around the globe: close the ring over the pole */
      s->x[np] = xend;
      s->y[np++] = P->lat[a];
      s->x[np] = xend;
      s->y[np++] = pole;
      s->x[np] = x0;
      s->y[np++] = pole;
    }
    if (k == r0) {
      outer_min = xmin;
    } else {
      double shift = 360.0 * floor((s->x[start] - outer_min) / 360.0);
      if (shift != 0.0)
        for (size_t i = start; i < np; i++) s->x[i] -= shift;
    }
    s->rs[nr++] = start;
  }
  s->rs[nr] = np;
  *n_rings_out = nr;
  return 0;
}

static int fill_polygon(osq_geo_raster_t *g, const osq_geo_polys_t *P, int p, uint8_t id, fill_scratch_t *s) {
  int nr = 0;
  int rc = unwrap_polygon(P, p, s, &nr);
  if (rc) return rc;
  if (nr == 0) return 0;
  size_t np = s->rs[nr];
  double ymin = 90.0, ymax = -90.0;
  for (size_t i = 0; i < np; i++) {
    if (s->y[i] < ymin) ymin = s->y[i];
    if (s->y[i] > ymax) ymax = s->y[i];
  }
  int rlo = (int)floor((ymin + 90.0) / g->res_deg - 0.5) - 1;
  int rhi = (int)ceil((ymax + 90.0) / g->res_deg - 0.5) + 1;
  if (rlo < 0) rlo = 0;
  if (rhi > g->nlat - 1) rhi = g->nlat - 1;
  if (rlo > rhi) return 0;
  for (int r = rlo; r <= rhi + 1; r++) s->cnt[r] = 0;

  /* Two passes over the edges: count crossings per row, then store them. A row's centre y is
   * crossed by an edge when exactly one end lies at or below it (half-open rule), so vertices
   * on a row are counted once and every row sees an even number of crossings. */
  for (int pass = 0; pass < 2; pass++) {
    for (int k = 0; k < nr; k++) {
      size_t a = s->rs[k], b = s->rs[k + 1];
      for (size_t i = a; i < b; i++) {
        size_t j = (i + 1 < b) ? i + 1 : a;
        double x1 = s->x[i], y1 = s->y[i], x2 = s->x[j], y2 = s->y[j];
        if (y1 == y2) continue;
        double lo = y1 < y2 ? y1 : y2, hi = y1 < y2 ? y2 : y1;
        int ra = (int)floor((lo + 90.0) / g->res_deg - 0.5);
        int rb = (int)ceil((hi + 90.0) / g->res_deg - 0.5);
        if (ra < rlo) ra = rlo;
        if (rb > rhi) rb = rhi;
        for (int r = ra; r <= rb; r++) {
          double yc = s->yc[r];
          if ((y1 <= yc) == (y2 <= yc)) continue;
          if (pass == 0) {
            s->cnt[r + 1]++;
          } else {
            s->xs[s->cnt[r]++] = x1 + (yc - y1) * (x2 - x1) / (y2 - y1);
          }
        }
      }
    }
    if (pass == 0) {
      /* offsets: cnt[r] = first slot of row r */
      s->cnt[rlo] = 0;
      for (int r = rlo; r <= rhi; r++) s->cnt[r + 1] += s->cnt[r];
      size_t total = (size_t)s->cnt[rhi + 1];
      if (grow((void **)&s->xs, &s->cap_xs, total + 1, sizeof(double))) return OSQ_ENOMEM;
    }
  }
  /* after pass 1, cnt[r] is the end of row r = start of row r + 1 */
  int start = 0;
  for (int r = rlo; r <= rhi; r++) {
    int end = s->cnt[r];
    int n = end - start;
    if (n >= 2) {
      qsort(s->xs + start, (size_t)n, sizeof(double), cmp_double);
      for (int q = 0; q + 1 < n; q += 2) fill_span(g, r, s->xs[start + q], s->xs[start + q + 1], id);
    }
    start = end;
  }
  return 0;
}

static int polys_valid(const osq_geo_polys_t *P, int n_terr) {
  if (P->n_polys < 0 || P->n_rings < 0) return 0;
  if (P->n_polys > 0 && (!P->poly_ring || !P->poly_tid)) return 0;
  if (P->n_rings > 0 && (!P->ring_start || !P->lon || !P->lat)) return 0;
  for (int p = 0; p < P->n_polys; p++) {
    int a = P->poly_ring[p], b = P->poly_ring[p + 1];
    if (a < 0 || b < a || b > P->n_rings) return 0;
    uint8_t t = P->poly_tid[p];
    if (t != OSQ_GEO_NONE && t != OSQ_GEO_FOREIGN && t > n_terr) return 0;
  }
  for (int k = 0; k < P->n_rings; k++)
    if (P->ring_start[k + 1] < P->ring_start[k] || P->ring_start[k + 1] > P->n_pts) return 0;
  return 1;
}

void osq_geo_raster_free(osq_geo_raster_t *g) {
  if (!g) return;
  free(g->tid);
  free(g->row_area_km2);
  free(g->row_sin);
  free(g->row_cos);
  free(g->col_sin);
  free(g->col_cos);
  free(g->scol);
  free(g->srow_row);
  free(g->srow_first);
  free(g->srow_count);
  free(g);
}

/* Areas per id and the sampler index (cells of each territory, row by row). */
static int index_raster(osq_geo_raster_t *g) {
  size_t nruns[OSQ_GEO_IDS] = {0};
  size_t cnt[OSQ_GEO_IDS];
  for (int r = 0; r < g->nlat; r++) {
    memset(cnt, 0, sizeof cnt);
    const uint8_t *row = g->tid + (size_t)r * (size_t)g->nlon;
    for (int c = 0; c < g->nlon; c++) cnt[row[c]]++;
    for (int t = 0; t < OSQ_GEO_IDS; t++) {
      if (!cnt[t]) continue;
      g->n_cells_by_id[t] += cnt[t];
      g->area_km2[t] += (double)cnt[t] * (double)g->row_area_km2[r];
      if (t >= 1 && t <= g->n_terr) nruns[t]++;
    }
  }
  size_t cell_pos[OSQ_GEO_IDS] = {0}, run_pos[OSQ_GEO_IDS] = {0};
  size_t cells = 0, runs = 0;
  for (int t = 0; t <= OSQ_GEO_IDS; t++) {
    g->srow_start[t] = runs;
    if (t >= 1 && t <= g->n_terr) {
      cell_pos[t] = cells;
      run_pos[t] = runs;
      cells += g->n_cells_by_id[t];
      runs += nruns[t];
    }
  }
  g->n_terr_cells = cells;
  g->scol = malloc((cells ? cells : 1) * sizeof *g->scol);
  g->srow_row = malloc((runs ? runs : 1) * sizeof *g->srow_row);
  g->srow_first = malloc((runs ? runs : 1) * sizeof *g->srow_first);
  g->srow_count = malloc((runs ? runs : 1) * sizeof *g->srow_count);
  if (!g->scol || !g->srow_row || !g->srow_first || !g->srow_count) return OSQ_ENOMEM;
  for (int r = 0; r < g->nlat; r++) {
    const uint8_t *row = g->tid + (size_t)r * (size_t)g->nlon;
    size_t before[OSQ_GEO_IDS];
    for (int t = 1; t <= g->n_terr; t++) before[t] = cell_pos[t];
    for (int c = 0; c < g->nlon; c++) {
      uint8_t t = row[c];
      if (t >= 1 && t <= g->n_terr) g->scol[cell_pos[t]++] = (uint16_t)c;
    }
    for (int t = 1; t <= g->n_terr; t++) {
      if (cell_pos[t] == before[t]) continue;
      size_t k = run_pos[t]++;
      g->srow_row[k] = r;
      g->srow_first[k] = (uint32_t)before[t];
      g->srow_count[k] = (uint32_t)(cell_pos[t] - before[t]);
    }
  }
  return 0;
}

int osq_geo_raster_build(const osq_geo_polys_t *polys, int n_terr, double res_deg, osq_geo_raster_t **out) {
  if (out) *out = NULL;
  if (!polys || !out || n_terr < 0 || n_terr > OSQ_GEO_TERR_MAX) return OSQ_EINVAL;
  if (!(res_deg >= OSQ_GEO_RES_MIN && res_deg <= OSQ_GEO_RES_MAX)) return OSQ_EINVAL;
  if (!polys_valid(polys, n_terr)) return OSQ_EINVAL;

  osq_geo_raster_t *g = calloc(1, sizeof *g);
  if (!g) return OSQ_ENOMEM;
  g->nlat = (int)lround(180.0 / res_deg);
  g->nlon = 2 * g->nlat;
  g->res_deg = 180.0 / g->nlat;
  g->n_cells = (size_t)g->nlat * (size_t)g->nlon;
  g->n_terr = n_terr;
  g->tid = calloc(g->n_cells, 1);
  g->row_area_km2 = malloc((size_t)g->nlat * sizeof *g->row_area_km2);
  g->row_sin = malloc((size_t)g->nlat * sizeof(double));
  g->row_cos = malloc((size_t)g->nlat * sizeof(double));
  g->col_sin = malloc((size_t)g->nlon * sizeof(double));
  g->col_cos = malloc((size_t)g->nlon * sizeof(double));
  fill_scratch_t s = {0};
  s.cnt = malloc(((size_t)g->nlat + 2) * sizeof *s.cnt);
  s.yc = malloc((size_t)g->nlat * sizeof *s.yc);
  int rc = OSQ_ENOMEM;
  if (!g->tid || !g->row_area_km2 || !g->row_sin || !g->row_cos || !g->col_sin || !g->col_cos || !s.cnt || !s.yc)
    goto fail;

  for (int r = 0; r < g->nlat; r++) {
    double lat_s = -90.0 + r * g->res_deg;
    double lat_n = (r == g->nlat - 1) ? 90.0 : lat_s + g->res_deg;
    g->row_area_km2[r] = (float)osq_geo_cell_area_km2(lat_s, lat_n, g->res_deg);
    double yc = row_centre_deg(g, r);
    s.yc[r] = yc;
    g->row_sin[r] = sin(yc * OSQ_D2R);
    g->row_cos[r] = cos(yc * OSQ_D2R);
  }
  for (int c = 0; c < g->nlon; c++) {
    double xc = -180.0 + (c + 0.5) * g->res_deg;
    g->col_sin[c] = sin(xc * OSQ_D2R);
    g->col_cos[c] = cos(xc * OSQ_D2R);
  }

  /* foreign land first, then the territories, so that a party keeps cells it shares with a
   * neighbour drawn from a slightly different vertex list */
  for (int pass = 0; pass < 2; pass++) {
    for (int p = 0; p < polys->n_polys; p++) {
      uint8_t t = polys->poly_tid[p];
      if (t == OSQ_GEO_NONE) continue;
      if ((pass == 0) != (t == OSQ_GEO_FOREIGN)) continue;
      rc = fill_polygon(g, polys, p, t, &s);
      if (rc) goto fail;
    }
  }
  rc = index_raster(g);
  if (rc) goto fail;

  free(s.x);
  free(s.y);
  free(s.rs);
  free(s.cnt);
  free(s.xs);
  free(s.yc);
  *out = g;
  return 0;

fail:
  free(s.x);
  free(s.y);
  free(s.rs);
  free(s.cnt);
  free(s.xs);
  free(s.yc);
  osq_geo_raster_free(g);
  return rc;
}

size_t osq_geo_cell_index(const osq_geo_raster_t *g, double lat, double lon) {
  long r = (long)floor((lat + 90.0) / g->res_deg);
  if (r < 0) r = 0;
  if (r >= g->nlat) r = g->nlat - 1;
  double x = fmod(lon + 180.0, 360.0);
  if (x < 0) x += 360.0;
  long c = (long)floor(x / g->res_deg);
  if (c >= g->nlon) c = g->nlon - 1;
  return (size_t)r * (size_t)g->nlon + (size_t)c;
}

uint8_t osq_geo_tid_at(const osq_geo_raster_t *g, double lat, double lon) {
  return g->tid[osq_geo_cell_index(g, lat, lon)];
}

void osq_geo_cell_centre(const osq_geo_raster_t *g, size_t cell, double *lat, double *lon) {
  size_t r = cell / (size_t)g->nlon, c = cell % (size_t)g->nlon;
  *lat = -90.0 + ((double)r + 0.5) * g->res_deg;
  *lon = -180.0 + ((double)c + 0.5) * g->res_deg;
}
