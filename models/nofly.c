/*
 * nofly.c owns the no-fly buffer: the cells within a distance of blocked land, grown as discs
 * around the cells at the edge of that land, and the coarse map of blocks that lets a path far
 * from any border skip its cell-by-cell test.
 */
#include "models/nofly.h"

#include <math.h>
#include <stdlib.h>

#include "models/bits.h"
#include "models/geo_internal.h"
#include "models/sphere.h"

/* Set the bits of every cell whose centre is within angular distance ang of cell (r0, c0). */
static void set_disc(const osq_geo_raster_t *g, uint64_t *bits, int r0, int c0, double ang) {
  double q[3] = {g->row_cos[r0] * g->col_cos[c0], g->row_cos[r0] * g->col_sin[c0], g->row_sin[r0]};
  double cos_ang = cos(ang), ang_deg = ang * OSQ_R2D;
  int rlo = r0 - (int)ceil(ang_deg / g->res_deg) - 1, rhi = r0 + (int)ceil(ang_deg / g->res_deg) + 1;
  if (rlo < 0) rlo = 0;
  if (rhi > g->nlat - 1) rhi = g->nlat - 1;
  double lon0 = -180.0 + (c0 + 0.5) * g->res_deg;
  for (int r = rlo; r <= rhi; r++) {
    double dl = lon_halfwidth_deg(g->row_sin[r0], g->row_cos[r0], g->row_sin[r], g->row_cos[r], cos_ang);
    if (dl < 0) continue;
    long clo, chi;
    if (dl >= 180.0) {
      clo = 0;
      chi = g->nlon - 1;
    } else {
      clo = (long)ceil((lon0 - dl + 180.0) / g->res_deg - 0.5) - 1;
      chi = (long)floor((lon0 + dl + 180.0) / g->res_deg - 0.5) + 1;
      if (chi - clo + 1 >= g->nlon) {
        clo = 0;
        chi = g->nlon - 1;
      }
    }
    size_t base = (size_t)r * (size_t)g->nlon;
    for (long cc = clo; cc <= chi; cc++) {
      int c = wrap_col(cc, g->nlon);
      if (bit_get(bits, base + (size_t)c)) continue;
      if (cell_dot(g, r, c, q) >= cos_ang) bit_set(bits, base + (size_t)c);
    }
  }
}

osq_geo_buffer_t *osq_geo_buffer_build(const osq_geo_raster_t *g, const uint8_t blocked[OSQ_GEO_IDS], double dist_km) {
  if (!g || !blocked || !(dist_km >= 0)) return NULL;
  osq_geo_buffer_t *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  b->dist_km = dist_km;
  size_t words = (g->n_cells + 63) / 64;
  b->bits = calloc(words, sizeof *b->bits);
  if (!b->bits) {
    free(b);
    return NULL;
  }
  double dlat_km = g->res_deg * OSQ_D2R * OSQ_EARTH_RADIUS_KM;
  for (int r = 0; r < g->nlat; r++) {
    const uint8_t *row = g->tid + (size_t)r * (size_t)g->nlon;
    const uint8_t *up = r + 1 < g->nlat ? row + g->nlon : NULL;
    const uint8_t *dn = r > 0 ? row - g->nlon : NULL;
    double dlon_km = dlat_km * g->row_cos[r];
    double half_diag = 0.5 * sqrt(dlat_km * dlat_km + dlon_km * dlon_km);
    double ang = (dist_km + half_diag) / OSQ_EARTH_RADIUS_KM;
    for (int c = 0; c < g->nlon; c++) {
      if (!blocked[row[c]]) continue;
      bit_set(b->bits, (size_t)r * (size_t)g->nlon + (size_t)c);
      if (dist_km <= 0) continue;
      /* only cells at the edge of blocked land can be the nearest blocked cell to anything */
      int cl = c > 0 ? c - 1 : g->nlon - 1, cr = c + 1 < g->nlon ? c + 1 : 0;
      bool edge = !blocked[row[cl]] || !blocked[row[cr]];
      for (int k = 0; !edge && k < 2; k++) {
        const uint8_t *o = k ? up : dn;
        if (o) edge = !blocked[o[cl]] || !blocked[o[c]] || !blocked[o[cr]];
      }
      if (edge) set_disc(g, b->bits, r, c, ang);
    }
  }
  b->blocks_w = (g->nlon + OSQ_GEO_BLOCK_COLS - 1) / OSQ_GEO_BLOCK_COLS;
  b->blocks_h = (g->nlat + OSQ_GEO_BLOCK_ROWS - 1) / OSQ_GEO_BLOCK_ROWS;
  b->blocks = calloc((size_t)b->blocks_w * (size_t)b->blocks_h, 1);
  if (!b->blocks) {
    osq_geo_buffer_free(b);
    return NULL;
  }
  size_t n = 0;
  for (size_t i = 0; i < words; i++) {
    uint64_t w = b->bits[i];
    while (w) {
      const size_t idx = i * 64 + (size_t)osq_bit_lowest(w);
      const size_t r = idx / (size_t)g->nlon, col = idx % (size_t)g->nlon;
      b->blocks[(r / OSQ_GEO_BLOCK_ROWS) * (size_t)b->blocks_w + col / OSQ_GEO_BLOCK_COLS] = 1;
      w &= w - 1;
      n++;
    }
  }
  b->n_cells_set = n;
  return b;
}

void osq_geo_buffer_free(osq_geo_buffer_t *b) {
  if (!b) return;
  free(b->blocks);
  free(b->bits);
  free(b);
}

bool osq_geo_buffer_test(const osq_geo_buffer_t *b, const osq_geo_raster_t *g, double lat, double lon) {
  return bit_get(b->bits, osq_geo_cell_index(g, lat, lon));
}
