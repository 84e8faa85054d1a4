/*
 * geo_internal.h owns the small grid helpers that the files of the geography (raster.c,
 * sampler.c, nofly.c, swath.c) share: wrapping a column number, one bit of a cell bitmap, a row's
 * centre latitude, the longitude half-width of a disc on a parallel, and the dot product of a
 * cell centre with a unit vector. Static inline, so that each stays as cheap as it was inside one
 * file. Not part of the interface (models/geo.h is): include it only from those files.
 */
#ifndef OSQ_GEO_INTERNAL_H
#define OSQ_GEO_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/raster.h"
#include "models/sphere.h"

/* Column index of a possibly out-of-range (unwrapped) column number. */
static inline int wrap_col(long c, int nlon) {
  long m = c % nlon;
  return (int)(m < 0 ? m + nlon : m);
}

static inline bool bit_get(const uint64_t *bits, size_t i) { return (bits[i >> 6] >> (i & 63)) & 1u; }
static inline void bit_set(uint64_t *bits, size_t i) { bits[i >> 6] |= (uint64_t)1 << (i & 63); }

static inline double row_centre_deg(const osq_geo_raster_t *g, int r) { return -90.0 + (r + 0.5) * g->res_deg; }

/* Longitude half-width (degrees) of the set of points on the parallel with (sin, cos) = (sr, cr)
 * that lie within angular distance ang of a point with (sin, cos) of latitude (sq, cq).
 * Returns -1 if no point of the parallel is that close, 1000 if the whole parallel is. */
static inline double lon_halfwidth_deg(double sq, double cq, double sr, double cr, double cos_ang) {
  double den = cq * cr;
  if (den < 1e-12) return 1000.0;
  double cl = (cos_ang - sq * sr) / den;
  if (cl > 1.0) return -1.0;
  if (cl <= -1.0) return 1000.0;
  return acos(cl) * OSQ_R2D;
}

/* The dot product of cell (r, c)'s centre (a unit vector) with v. */
static inline double cell_dot(const osq_geo_raster_t *g, int r, int c, const double v[3]) {
  return g->row_cos[r] * (g->col_cos[c] * v[0] + g->col_sin[c] * v[1]) + g->row_sin[r] * v[2];
}

#endif
