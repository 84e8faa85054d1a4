/*
 * map.h owns the coverage map files of a run: map.png (the per-cell probability of being imaged
 * in a year, drawn by results/plot_map.c) and map.csv (the same on a coarser grid, for other tools).
 */
#ifndef OSQ_RESULTS_MAP_H
#define OSQ_RESULTS_MAP_H

#include <stdint.h>

#include "models/errors.h"

/** A map on the global raster grid: cell (0,0) is the south-west corner at 90S, 180W. */
typedef struct {
  const float *value;        /**< share of trial-years the cell was imaged; NaN off-territory */
  const uint8_t *tid;        /**< territory id per cell (0 sea, 255 foreign land) */
  int nlat, nlon;
  double res_deg;
  double grid_deg;           /**< cell size of map.csv (a multiple of res_deg is best) */
  const char *title, *subtitle;
} osq_map_t;

/**
 * Write DIR/map.png (the treaty window, 15N-84N, all longitudes) and DIR/map.csv (`lat,lon,p_imaged,
 * territory_km2`: centre of each grid cell holding territory, area-weighted mean probability, and
 * the territory area in it). Each file is written whole or not at all.
 */
int osq_map_write(const char *dir, const osq_map_t *m, osq_error_t *err);

#endif
