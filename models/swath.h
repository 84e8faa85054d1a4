/*
 * swath.h owns the marking of the swath a flight images along its great-circle legs: sets of
 * marked cells with their area per territory, the marking of a segment's or a path's swath, the
 * per-cell definition that marking implements, and the spherical helpers that marking and routes
 * share (path points, the latitude range of an arc, a fast acos).
 */
#ifndef OSQ_SWATH_H
#define OSQ_SWATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/raster.h"

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

/**
 * Lowest and highest z (the sine of the latitude) along the great-circle arc
 * p(t) = a cos t + u sin t, 0 <= t <= theta (a, u orthonormal; zb = z of the arc's far end): the
 * ends, and the circle's northernmost or southernmost point where that lies inside the arc.
 */
void osq_geo_arc_z_range(const double a[3], const double u[3], double theta, double zb, double *zlo, double *zhi);

#endif
