/*
 * sampler.h owns area-weighted sampling of points inside territories: a per-thread scratch aimed
 * at the cells of some territories (within a disc, or all of them), then drawn from uniformly by
 * area.
 */
#ifndef OSQ_SAMPLER_H
#define OSQ_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/raster.h"

/**
 * Scratch of area-weighted draws: the runs of cells of one or more territories that lie within
 * a disc (or the whole territories). Allocate once per thread; re-aim per flight.
 */
typedef struct {
  size_t cap, n;                  /**< runs allocated / in use */
  uint32_t *first, *count;        /**< runs: index into g->scol, number of cells */
  int32_t *row;                   /**< row of each run */
  double *cum;                    /**< cumulative area through each run (km²) */
  double total_km2;               /**< area the sampler draws from */
} osq_geo_sampler_t;

/** Allocate a sampler for up to max_tids territories at once. @return NULL if out of memory. */
osq_geo_sampler_t *osq_geo_sampler_alloc(const osq_geo_raster_t *g, int max_tids);

/** Free a sampler (NULL is fine). */
void osq_geo_sampler_free(osq_geo_sampler_t *s);

/**
 * Aim the sampler at the cells of territories tids[0..n_tids-1] whose centres lie within
 * radius_km of (lat0, lon0) (great-circle distance); radius_km <= 0 means the whole
 * territories. No allocation.
 * @return the area (km²) it will draw from (0: nothing to draw), or a negative OSQ_EINVAL if
 *         n_tids exceeds what the sampler was allocated for or an id is out of range
 */
double osq_geo_sampler_aim(osq_geo_sampler_t *s, const osq_geo_raster_t *g, const uint8_t *tids, int n_tids,
                           double lat0, double lon0, double radius_km);

/**
 * Draw one point, uniformly by area, from the cells the sampler is aimed at (a cell is chosen
 * with probability proportional to its area, then a point uniform by area inside it).
 * Always four uniform draws from rng (run, cell in the run, longitude, latitude).
 * @return 0 and *lat, *lon, or OSQ_ERANGE if the sampler holds no area
 */
int osq_geo_sampler_draw(const osq_geo_sampler_t *s, const osq_geo_raster_t *g, gsl_rng *rng, double *lat,
                         double *lon);

#endif
