/*
 * geo.h owns the geography of the model: country polygons as plain data, their rasterisation
 * onto a global lat/lon grid whose cells carry their true area on a sphere, the measured area of
 * each territory, area-weighted sampling of points inside territories, the no-fly buffer around
 * land that must not be approached, and the marking of the swath a flight images along a
 * great-circle leg.
 *
 * Pure domain code: no I/O and no globals. Memory is allocated only by the *_build / *_alloc
 * functions, which run at set-up; every per-trial function (sampling, marking, clearing,
 * testing) works in buffers the caller allocated once.
 *
 * Grid: rows from the south pole northwards, columns from 180 W eastwards, both of res_deg
 * degrees; cell (r, c) has index r * nlon + c. The grid spans the whole globe so that polygons
 * that cross the antimeridian (Chukotka, Wrangel Island, the Aleutians) need no special case: a
 * filled span that runs past 180 E wraps to column 0. A cell belongs to a territory when its
 * centre lies inside one of the territory's polygons (even-odd rule, holes included).
 */
#ifndef OSQ_GEO_H
#define OSQ_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/sphere.h"

/** Default raster resolution (degrees). */
#define OSQ_GEO_RES_DEFAULT 0.1
/** Finest and coarsest resolutions accepted (degrees); 0.01 keeps column numbers in 16 bits. */
#define OSQ_GEO_RES_MIN 0.01
#define OSQ_GEO_RES_MAX 5.0

/** Territory id of sea and of land that belongs to no one the model knows. */
#define OSQ_GEO_NONE 0
/** Territory id of land of a state outside the caller's list (needed for non-party borders). */
#define OSQ_GEO_FOREIGN 255
/** Highest id of a territory of the caller's list (ids 1..n_terr, n_terr <= this). */
#define OSQ_GEO_TERR_MAX 254
/** Size of an array indexed by territory id. */
#define OSQ_GEO_IDS 256

/** One country (feature) of a boundary file. */
typedef struct {
  int iso_n3;                     /**< ISO 3166-1 numeric code, -1 if the file gives none */
  char name[48];                  /**< name as the file gives it (UTF-8, truncated) */
} osq_geo_feature_t;

/**
 * Polygons as plain data. Rings are lists of (lon, lat) vertices in degrees; a polygon is an
 * outer ring followed by its holes. Consecutive vertices more than 180 degrees of longitude
 * apart are joined across the antimeridian (as Natural Earth draws Chukotka and Wrangel Island).
 * A ring whose longitudes wind once around the globe (Antarctica) is closed over the nearer pole.
 *
 * poly_tid decides what the rasteriser does with each polygon: OSQ_GEO_NONE skips it,
 * 1..OSQ_GEO_TERR_MAX fills it with that territory id, OSQ_GEO_FOREIGN fills it as foreign land.
 */
typedef struct {
  size_t n_pts;
  double *lon, *lat;              /**< [n_pts] vertices, degrees */
  int n_rings;
  size_t *ring_start;             /**< [n_rings + 1]: ring k is vertices ring_start[k] .. ring_start[k+1]-1 */
  int n_polys;
  int *poly_ring;                 /**< [n_polys + 1]: polygon p is rings poly_ring[p] .. poly_ring[p+1]-1 */
  int *poly_feature;              /**< [n_polys] index into features, -1 if none */
  uint8_t *poly_tid;              /**< [n_polys] territory id to fill (see above) */
  int n_features;
  osq_geo_feature_t *features;    /**< [n_features] */
  char source[256];               /**< where the polygons came from, for messages */
} osq_geo_polys_t;

/**
 * The raster. Territory ids are one byte per cell; cell area depends only on the row, so it is
 * stored once per row. The sampler index lists, for every territory, its cells row by row (in
 * column order) so that points can be drawn area-weighted without scanning the grid.
 */
typedef struct {
  double res_deg;                 /**< actual resolution: 180 / nlat */
  int nlat, nlon;                 /**< rows (south to north), columns (west to east from 180 W) */
  size_t n_cells;
  uint8_t *tid;                   /**< [n_cells] territory id of each cell */
  float *row_area_km2;            /**< [nlat] area of one cell of the row */
  double *row_sin, *row_cos;      /**< [nlat] sin and cos of the row's centre latitude */
  double *col_sin, *col_cos;      /**< [nlon] sin and cos of the column's centre longitude */
  int n_terr;                     /**< territories of the caller's list: ids 1..n_terr */
  double area_km2[OSQ_GEO_IDS];   /**< measured area of each id (sum of its cells' areas) */
  size_t n_cells_by_id[OSQ_GEO_IDS]; /**< cells of each id */
  size_t n_terr_cells;            /**< cells with an id in 1..n_terr */
  /* sampler index (ids 1..n_terr only) */
  uint16_t *scol;                 /**< [n_terr_cells] columns, grouped by territory, then row */
  int32_t *srow_row;              /**< row of each (territory, row) run */
  uint32_t *srow_first;           /**< first index into scol of the run */
  uint32_t *srow_count;           /**< cells in the run */
  size_t srow_start[OSQ_GEO_IDS + 1]; /**< runs of territory t: srow_start[t] .. srow_start[t+1]-1 */
} osq_geo_raster_t;

/* ------------------------------------------------------------------------------------------ */
/* Raster                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/**
 * Area (km²) of the cell between latitudes lat1 < lat2 spanning dlon degrees of longitude:
 * R² · dlon · (sin lat2 − sin lat1), exact on the sphere.
 */
double osq_geo_cell_area_km2(double lat1_deg, double lat2_deg, double dlon_deg);

/**
 * Rasterise polygons: each cell gets the id of the polygon that contains its centre. Foreign
 * polygons are filled first, so where a party and a foreign polygon claim the same cell (shared
 * borders drawn with slightly different vertices) the party wins; among parties, later polygons
 * win. Set-up only (allocates).
 * @param polys  polygons with poly_tid set; ids other than 0, 255 must be <= n_terr
 * @param n_terr number of territories (ids 1..n_terr), 0..OSQ_GEO_TERR_MAX
 * @param res_deg cell size in degrees, OSQ_GEO_RES_MIN..OSQ_GEO_RES_MAX; it is adjusted so that
 *               180 / res_deg is a whole number of rows
 * @return 0 and *out, OSQ_EINVAL (bad argument) or OSQ_ENOMEM
 */
int osq_geo_raster_build(const osq_geo_polys_t *polys, int n_terr, double res_deg, osq_geo_raster_t **out);

/** Free a raster (NULL is fine). */
void osq_geo_raster_free(osq_geo_raster_t *g);

/** @return the index of the cell containing (lat, lon); lon is wrapped, lat clamped. */
size_t osq_geo_cell_index(const osq_geo_raster_t *g, double lat, double lon);

/** @return the territory id of the cell containing (lat, lon). */
uint8_t osq_geo_tid_at(const osq_geo_raster_t *g, double lat, double lon);

/** Centre (degrees) of a cell. */
void osq_geo_cell_centre(const osq_geo_raster_t *g, size_t cell, double *lat, double *lon);

/**
 * Lowest and highest z (the sine of the latitude) along the great-circle arc
 * p(t) = a cos t + u sin t, 0 <= t <= theta (a, u orthonormal; zb = z of the arc's far end): the
 * ends, and the circle's northernmost or southernmost point where that lies inside the arc.
 */
void osq_geo_arc_z_range(const double a[3], const double u[3], double theta, double zb, double *zlo, double *zhi);

/* ------------------------------------------------------------------------------------------ */
/* Sampling points area-weighted in territories                                               */
/* ------------------------------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------------------------------ */
/* No-fly buffer                                                                              */
/* ------------------------------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------------------------------ */
/* Marking imaged swaths                                                                      */
/* ------------------------------------------------------------------------------------------ */

/**
 * A set of marked cells, with the marked area per territory. Only territory cells (ids
 * 1..n_terr, further restricted by filter) are ever marked: sea and foreign land are not part
 * of any coverage. Clearing costs in proportion to the cells marked since the last clear, not
 * to the grid. Allocate once per thread (one set per flight, one per year, as needed).
 */
typedef struct osq_geo_marks {
  uint64_t *bits;                 /**< one bit per raster cell */
  uint32_t *touched;              /**< marked cells in marking order */
  size_t n_touched, cap;          /**< cap = number of territory cells: a cell is marked once */
  size_t n_ids;                   /**< area_km2[0 .. n_ids - 1] can be nonzero (ids 0..n_terr) */
  size_t n_runs;                  /**< row runs osq_geo_mark_segment marked cells in (a throughput
                                       figure for the bench's lower bound; cleared with the marks) */
  double area_km2[OSQ_GEO_IDS];   /**< marked area per territory id */
  double total_km2;               /**< marked area, all territories */
  const uint8_t *filter;          /**< NULL, or [OSQ_GEO_IDS]: only ids with filter[id] != 0 are marked;
                                       point it at another table rather than edit the one it points at
                                       (the ids it allows are cached by pointer) */
  /** NULL, or a second set that osq_geo_mark_segment marks too, as osq_geo_marks_merge would
   *  afterwards (its own filter applies): a flight's swath goes into the year's coverage in the
   *  same pass. Not followed further (its own `also` is ignored). */
  struct osq_geo_marks *also;
  /* cache of which ids may be marked under `filter` (rebuilt when filter changes) */
  const uint8_t *ok_for;          /**< the filter ok[] was built for */
  bool ok_valid;
  uint8_t ok[OSQ_GEO_IDS];        /**< 1 where an id may be marked: 1..n_terr and the filter */
} osq_geo_marks_t;

/** Allocate an empty mark set for the raster. @return NULL if out of memory. */
osq_geo_marks_t *osq_geo_marks_alloc(const osq_geo_raster_t *g);

/** Free a mark set (NULL is fine). */
void osq_geo_marks_free(osq_geo_marks_t *m);

/** Unmark every marked cell and zero the areas (cost in proportion to n_touched). Keeps filter and also. */
void osq_geo_marks_clear(osq_geo_marks_t *m);

/**
 * Mark every territory cell whose centre lies within half_width_km (great-circle distance) of
 * the great-circle segment from (lat1, lon1) to (lat2, lon2), i.e. the ground swath of a sensor
 * imaging half_width_km to each side, with round caps at the ends. Cells already marked are not
 * counted again. No allocation. A segment shorter than 1e-9 rad marks a disc.
 * @return the area (km²) newly marked by this call
 */
double osq_geo_mark_segment(const osq_geo_raster_t *g, double lat1, double lon1, double lat2, double lon2,
                            double half_width_km, osq_geo_marks_t *m);

/**
 * Mark the swaths of the segments of a path, point 0 to point 1, ..., point n_points - 2 to point
 * n_points - 1: the same cells and area as osq_geo_mark_segment on each segment in turn, with
 * each point's trigonometry done once. No allocation.
 * @return the area (km²) newly marked by this call (0 if n_points < 2)
 */
double osq_geo_mark_path(const osq_geo_raster_t *g, const double *lat, const double *lon, int n_points,
                         double half_width_km, osq_geo_marks_t *m);

/** A point of a path as osq_geo_mark_path_pts takes it: its unit vector, its latitude (radians,
 *  asin of v[2]), and the direction (atan2) and length of v's equatorial part. */
typedef struct {
  double v[3];
  double lat, al, R;
} osq_geo_path_pt_t;

/** The path point of (lat, lon) in degrees, as osq_geo_mark_path computes it. */
void osq_geo_path_point(double lat, double lon, osq_geo_path_pt_t *p);

/**
 * osq_geo_mark_path with its points' trigonometry done beforehand (osq_geo_path_point), e.g.
 * once for points that many paths share: the same cells and area. `first` is the path's first
 * point if pts[0] is not (NULL: pts[0]): the last segment's end cap is left out when the path
 * ends where it began (a closed route), exactly as osq_geo_mark_path does.
 */
double osq_geo_mark_path_pts(const osq_geo_raster_t *g, const osq_geo_path_pt_t *pts, int n_points,
                             const osq_geo_path_pt_t *first, double half_width_km, osq_geo_marks_t *m);

/** Bound (radians) on the error of osq_geo_acos_fast: over twice the 2.2e-8 measured (unit.geo). */
#define OSQ_GEO_ACOS_FAST_ERR 5e-8

/** acos to within OSQ_GEO_ACOS_FAST_ERR for x in [-1, 1]: marking needs the arcs' ends only to
 *  that accuracy, since cells that close to an end are decided by the exact per-cell test. */
double osq_geo_acos_fast(double x);

/** osq_geo_acos_fast of two values at once (two lanes of one vector): bit for bit the same. */
void osq_geo_acos_fast2(double x0, double x1, double *h0, double *h1);

/**
 * The definition osq_geo_mark_segment implements: true if the centre of the cell lies within
 * half_width_km of the segment, evaluated cell by cell (slow; for tests and checks).
 */
bool osq_geo_swath_contains(const osq_geo_raster_t *g, double lat1, double lon1, double lat2, double lon2,
                            double half_width_km, size_t cell);

/**
 * Add the cells marked in src to dst (honouring dst->filter): e.g. a flight's swath into the
 * year's coverage. Cost in proportion to src->n_touched.
 * @return the area (km²) newly marked in dst
 */
double osq_geo_marks_merge(const osq_geo_raster_t *g, osq_geo_marks_t *dst, const osq_geo_marks_t *src);

/** @return true if the cell containing (lat, lon) is marked. */
bool osq_geo_marks_test(const osq_geo_marks_t *m, const osq_geo_raster_t *g, double lat, double lon);

#endif
