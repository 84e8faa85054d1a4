/*
 * nofly.h owns the no-fly buffer: the cells a flight path must not cross because they lie too
 * close to land that must not be approached, as a bitmap with a coarse map of blocks for a quick
 * "nothing near" test.
 */
#ifndef OSQ_NOFLY_H
#define OSQ_NOFLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/raster.h"

/**
 * Cells whose centre lies within dist_km of blocked land (Art. VI Sec. II para 2: no flight
 * path closer than 10 km to the border of an adjacent non-party State). "Within" is measured
 * from the cell centre to the nearest blocked cell's centre minus that cell's half-diagonal, so
 * it is as accurate as the raster itself (about half a cell). Territorial waters of the blocked
 * states are not modelled: the buffer grows from their land.
 */
typedef struct {
  uint64_t *bits;                 /**< one bit per raster cell */
  double dist_km;
  size_t n_cells_set;             /**< cells in the buffer (blocked land included) */
  uint8_t *blocks;                /**< 1 where a block of OSQ_GEO_BLOCK_ROWS x OSQ_GEO_BLOCK_COLS cells holds a buffer cell */
  int blocks_w, blocks_h;         /**< blocks per row of blocks, rows of blocks */
} osq_geo_buffer_t;

/** Rows and columns of a block of the buffer's coarse map (a column block is one bit word wide). */
#define OSQ_GEO_BLOCK_ROWS 8
#define OSQ_GEO_BLOCK_COLS 64

/**
 * Build the buffer around every cell whose id has blocked[id] != 0 (e.g. OSQ_GEO_FOREIGN and
 * the territories of withdrawn states). Set-up only (allocates); build one per membership
 * configuration.
 * @return the buffer, or NULL if out of memory or dist_km < 0
 */
osq_geo_buffer_t *osq_geo_buffer_build(const osq_geo_raster_t *g, const uint8_t blocked[OSQ_GEO_IDS], double dist_km);

/** Free a buffer (NULL is fine). */
void osq_geo_buffer_free(osq_geo_buffer_t *b);

/** @return true if the cell containing (lat, lon) is in the buffer. */
bool osq_geo_buffer_test(const osq_geo_buffer_t *b, const osq_geo_raster_t *g, double lat, double lon);

/**
 * @return true if no cell of rows r0..r1 and columns c0..c1 (0 <= r0 <= r1 < nlat,
 *         0 <= c0 <= c1 < nlon) is in the buffer, judged by blocks: false means "maybe", and the
 *         caller tests cells. Lets a path far from any border skip its cell-by-cell walk.
 */
static inline bool osq_geo_buffer_box_clear(const osq_geo_buffer_t *b, int r0, int r1, int c0, int c1) {
  for (int rb = r0 / OSQ_GEO_BLOCK_ROWS; rb <= r1 / OSQ_GEO_BLOCK_ROWS; rb++)
    for (int cb = c0 / OSQ_GEO_BLOCK_COLS; cb <= c1 / OSQ_GEO_BLOCK_COLS; cb++)
      if (b->blocks[(size_t)rb * (size_t)b->blocks_w + (size_t)cb]) return false;
  return true;
}

#endif
