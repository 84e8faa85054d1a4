/*
 * raster.h owns the raster of territories: country polygons as plain data, their rasterisation
 * onto a global lat/lon grid whose cells carry their true area on a sphere, the measured area of
 * each territory, and the index of each territory's cells from which models/sampler.h draws.
 *
 * Grid: rows from the south pole northwards, columns from 180 W eastwards, both of res_deg
 * degrees; cell (r, c) has index r * nlon + c. The grid spans the whole globe so that polygons
 * that cross the antimeridian (Chukotka, Wrangel Island, the Aleutians) need no special case: a
 * filled span that runs past 180 E wraps to column 0. A cell belongs to a territory when its
 * centre lies inside one of the territory's polygons (even-odd rule, holes included).
 */
#ifndef OSQ_RASTER_H
#define OSQ_RASTER_H

#include <stddef.h>
#include <stdint.h>

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

#endif
