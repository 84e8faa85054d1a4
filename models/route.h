/*
 * route.h owns the path of one observation flight: great-circle distances, and the closed route
 * Open Skies airfield -> site -> ... -> site -> same airfield that a flight flies, built so that
 * its total great-circle length never exceeds the airfield's maximum flight distance (Annex A
 * Sec. III), optionally with a sub-limit on the length flown inside a lat/lon box (Russia's
 * 500 km over the Kaliningrad region, 2017) and a no-fly buffer around non-party land
 * (Art. VI Sec. II para 2: 10 km from the border of an adjacent non-party State).
 *
 * Pure: no I/O, no globals, no allocation; every random draw from the gsl_rng passed in.
 *
 * What is approximate (docs/geography.md): legs are great circles over any surface (the real
 * path follows the agreed mission plan and air-traffic routes); the length counted is the whole
 * route, also where it crosses the sea or a third party (the treaty counts distance "over the
 * territory of the observed Party"); the sub-limit region is a box, not the region's outline;
 * the no-fly test is done at raster resolution: exact points every 150 km along each leg, joined
 * by straight lat/lon steps of a third of a cell (route.c says how far that strays).
 */
#ifndef OSQ_ROUTE_H
#define OSQ_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/geo.h"

/** Sites a route may visit. */
#define OSQ_ROUTE_SITES_MAX 32
/** Rejected site draws in a row after which osq_route_generate stops (default). */
#define OSQ_ROUTE_MAX_FAIL_DEFAULT 16

/** A region in which at most max_km of the route may be flown (lat/lon box, lon_min < lon_max). */
typedef struct {
  double lat_min, lat_max, lon_min, lon_max;
  double max_km;
} osq_route_box_t;

/**
 * What a route may look up instead of recompute when its points are among a fixed set (a
 * party's airfields and sites: coverage.c), named by ids 0..n_points-1. The answers are the
 * ones the computation gives, to the bit, so a route is the same with or without them.
 */
typedef struct {
  int n_points;
  const double *dist_km; /**< [n_points^2]: dist_km[i * n_points + j] = osq_gc_distance_km(point i, point j) */
  const osq_geo_path_pt_t *pt; /**< [n_points]: each point as osq_route_point gives it */
  const double *coslat;  /**< [n_points]: likewise */
  uint16_t *leg;         /**< NULL, or [n_points^2], the caller's and written here: per ordered pair (i, j), 0, or
                              tag << 1 | 1 if the leg from i to j keeps out of the no-fly buffer, tag << 1 if not */
  uint16_t tag;          /**< 1..32767, one per no-fly buffer: entries of another tag are unknown */
} osq_route_known_t;

/** Limits a route must respect. */
typedef struct {
  double max_km;                      /**< maximum flight distance of the airfield */
  const osq_route_box_t *sublimit;    /**< NULL: none */
  const osq_geo_buffer_t *nofly;      /**< NULL: none; else no leg may cross a buffer cell */
  int max_fail;                       /**< <= 0: OSQ_ROUTE_MAX_FAIL_DEFAULT */
  const osq_route_known_t *known;     /**< NULL: none; else distances and legs between points with ids */
} osq_route_limits_t;

/**
 * A closed route: point 0 and point n_sites + 1 are the airfield, points 1..n_sites the sites in
 * flying order. leg_km[i] is the leg from point i to point i + 1.
 */
typedef struct {
  int n_sites;
  double lat[OSQ_ROUTE_SITES_MAX + 2], lon[OSQ_ROUTE_SITES_MAX + 2];
  double coslat[OSQ_ROUTE_SITES_MAX + 2];       /**< cos of each point's latitude (for distances) */
  osq_geo_path_pt_t pt[OSQ_ROUTE_SITES_MAX + 2]; /**< each point as a path point (its unit vector .v for the
                                                      no-fly test; all of it for the swath) */
  double leg_km[OSQ_ROUTE_SITES_MAX + 1];
  double leg_box_km[OSQ_ROUTE_SITES_MAX + 1];   /**< length of each leg inside the sub-limit box */
  double length_km;                             /**< sum of leg_km in leg order */
  double box_km;                                /**< sum of leg_box_km in leg order */
  int id[OSQ_ROUTE_SITES_MAX + 2];              /**< each point's id in osq_route_known_t, -1: none */
} osq_route_t;

/** A route point's path point and the cosine of its latitude, as a route computes them. */
void osq_route_point(double lat, double lon, osq_geo_path_pt_t *pt, double *coslat);

/**
 * Length (km) of the great-circle segment from point 1 to point 2 that lies inside the box:
 * exact (the segment is cut where it crosses the box's parallels and meridians).
 */
double osq_route_gc_box_km(double lat1, double lon1, double lat2, double lon2, const osq_route_box_t *box);

/**
 * @return true if no point of the leg, tested in steps of a third of a cell (ends included),
 *         lies in a cell of the buffer (always true if nofly is NULL)
 */
bool osq_route_leg_clear(const osq_geo_raster_t *g, const osq_geo_buffer_t *nofly, double lat1, double lon1,
                         double lat2, double lon2);

/** Start a route with no sites at the airfield (length 0). */
void osq_route_init(osq_route_t *rt, double af_lat, double af_lon);

/** The same, the airfield being point af_id of the limits' `known` points. */
void osq_route_init_id(osq_route_t *rt, double af_lat, double af_lon, int af_id);

/** @return the route's length recomputed from its points (sum of great-circle legs, in order). */
double osq_route_length_km(const osq_route_t *rt);

/**
 * Insert a site where it lengthens the route least, if the route then still respects every
 * limit (total length, sub-limit, no-fly legs) and has room (OSQ_ROUTE_SITES_MAX).
 * @return true if the site was added
 */
bool osq_route_try_add(osq_route_t *rt, const osq_geo_raster_t *g, double lat, double lon,
                       const osq_route_limits_t *lim);

/** The same, the site being point id of lim->known (-1: none): the same result, with the
 *  distances and legs between known points looked up. */
bool osq_route_try_add_id(osq_route_t *rt, const osq_geo_raster_t *g, double lat, double lon, int id,
                          const osq_route_limits_t *lim);

/**
 * Build a route from an airfield over sites drawn area-weighted in the territories tids[0..n_tids-1]
 * (the observed party's member states). The sampler is aimed at the territory within half the
 * maximum distance of the airfield (the only sites a round trip can reach), then sites are drawn
 * and inserted (osq_route_try_add) until n_sites are on the route or lim->max_fail draws in a row
 * were rejected: far sites are dropped and nearer ones tried. A route with no site (length 0) is
 * the result when nothing fits. Uses the sampler as scratch; no allocation.
 * @return the number of sites visited (0..n_sites), or OSQ_EINVAL (bad arguments)
 */
int osq_route_generate(osq_route_t *rt, const osq_geo_raster_t *g, osq_geo_sampler_t *sampler, const uint8_t *tids,
                       int n_tids, double af_lat, double af_lon, int n_sites, const osq_route_limits_t *lim,
                       gsl_rng *rng);

/**
 * Mark the swath of a route (every leg, half_width_km to each side) in m.
 * @return the area (km²) newly marked
 */
double osq_route_mark(const osq_route_t *rt, const osq_geo_raster_t *g, double half_width_km, osq_geo_marks_t *m);

#endif
