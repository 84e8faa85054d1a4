/*
 * coverage.h owns steps 5-6 of a simulated year (docs/geography.md §6): the route of each completed flight
 * from one of the observed party's Open Skies airfields through sites of interest and back,
 * never longer than that airfield's maximum flight distance; the swath it images; and what the
 * year's flights buy in transparency: coverage, sites observed, revisit intervals, detection of
 * build-ups, and the imagery each party took or may obtain.
 *
 * A "world" (osq_world_t) is prepared once per scenario and shared read-only by all threads: the
 * raster of territories, each party's synthetic sites, the sites reachable from each airfield,
 * and the no-fly buffers of each simulated year. A per-thread workspace holds the marks of the
 * year and of one flight; the per-trial reset costs in proportion to the cells touched.
 */
#ifndef OSQ_COVERAGE_H
#define OSQ_COVERAGE_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/geo.h"
#include "models/metrics.h"
#include "models/quota.h"
#include "models/route.h"
#include "models/treaty.h"

#define OSQ_SUBLIMITS_MAX 4
#define OSQ_BUILDUPS_MAX 16
/** A party's airfields and sites whose distances the world keeps (osq_route_known_t) when they
 *  number at most this: 8 MiB of distances shared, 2 MiB of legs per thread, at the most. */
#define OSQ_KNOWN_POINTS_MAX 1024

/** A part of a party's territory where a flight may fly at most max_km (e.g. Kaliningrad, 500 km). */
typedef struct {
  int party;                       /**< index into the treaty */
  osq_route_box_t box;             /**< lat/lon box and its km limit */
  osq_day_t from, until;           /**< applies on days [from, until) */
} osq_sublimit_t;

/** Geography parameters of a scenario (defaults and sources: docs/geography.md). */
typedef struct {
  bool enabled;                    /**< false: no routes, no coverage metrics (quota model only) */
  int64_t trials;                  /**< geography for about this many trials (every k-th); 0 = all */
  double resolution_deg;           /**< raster cell size */
  double swath_half_km;            /**< imaged half-width each side of the track (treaty cap 50) */
  int route_sites;                 /**< sites a route tries to visit */
  double site_km2;                 /**< one synthetic site per this many km2 of territory */
  int sites_min;                   /**< at least this many sites per party */
  int buildups;                    /**< build-up events per party and year */
  int buildup_days;                /**< duration of a build-up */
  double nofly_km;                 /**< distance kept from the border of a non-party (Art. VI II 2) */
  int n_sublimits;
  osq_sublimit_t sublimits[OSQ_SUBLIMITS_MAX];
} osq_geo_params_t;

/** Fill the documented defaults (enabled, 0.1 degree, 25 km half-width, ...). */
void osq_cov_params_default(osq_geo_params_t *gp);

typedef struct osq_world osq_world_t;

/**
 * Prepare the world of a scenario. The raster must have been built with territory ids 1..n_states
 * for the member states listed in `state_codes` (ISO alpha-2, id = index + 1). Sites are drawn
 * from the (seed, OSQ_STREAM_SITES) stream passed in `rng`, so they are fixed for a scenario and
 * seed. `fixed_area` marks the parties whose territory makes up the fixed (2019) treaty area.
 * Allocation happens here, never in the per-trial functions.
 * @return 0, OSQ_ENOMEM or OSQ_EINVAL (a party member missing from state_codes).
 */
int osq_cov_world_build(const osq_treaty_t *t, const osq_geo_params_t *gp, const osq_geo_raster_t *g,
                    const char *const *state_codes, int n_states, const bool *fixed_area, int first_year,
                    int last_year, gsl_rng *rng, osq_world_t **out);
void osq_cov_world_free(osq_world_t *w);

/**
 * A world that shares w's sites, reachable sites, distances and no-fly buffers (read-only, not
 * copied) and flies with gp: for the parameter points of a study, which change how a flight is
 * flown and imaged (swath_half_km, route_sites, buildups, buildup_days, sublimits) but not what
 * the world is built from. Free it with osq_cov_world_free (which then frees the view alone);
 * w must outlive it.
 * @return 0; OSQ_EINVAL if gp differs from w's in what the world is built from (enabled,
 *         resolution_deg, site_km2, sites_min, nofly_km): build a world for gp instead; OSQ_ENOMEM
 */
int osq_cov_world_view(const osq_world_t *w, const osq_geo_params_t *gp, osq_world_t **out);

/** @return total territory area (km2, as rasterised) of a party. */
double osq_cov_world_party_area(const osq_world_t *w, int party);
/** @return the raster of the world. */
const osq_geo_raster_t *osq_cov_world_raster(const osq_world_t *w);
/** @return the number of synthetic sites of a party. */
int osq_cov_world_party_sites(const osq_world_t *w, int party);
/** @return the largest area (km2) one flight can image: for histogram ranges. */
double osq_cov_world_max_flight_km2(const osq_world_t *w);

/** Per-flight geography, for the flight log. */
typedef struct {
  int airfield;                    /**< index into the target's airfields, -1 if none */
  double distance_km;              /**< route length */
  double imaged_km2;               /**< territory of the observed party imaged by this flight */
} osq_flight_geo_t;

/** Transparency metrics of one trial year (docs/geography.md §6). NaN where a value is undefined. */
typedef struct {
  double coverage[OSQ_PARTIES_MAX];
  double coverage_agg[OSQ_AGG_COUNT];
  double coverage_fixed;
  double sites_observed[OSQ_PARTIES_MAX];
  double revisit_days[OSQ_PARTIES_MAX];          /**< NaN if no site was imaged twice */
  double buildup_detect[OSQ_PARTIES_MAX];        /**< NaN for a party not in force */
  double buildup_detect_agg[OSQ_AGG_COUNT];
  double imagery_own[OSQ_PARTIES_MAX];
  double imagery_access[OSQ_PARTIES_MAX];
  int64_t cells_marked;                          /**< raster cells marked (throughput figure) */
  int64_t runs_marked;                           /**< row runs they were marked in (throughput figure) */
} osq_cov_metrics_t;

/** Set every metric to NaN (a trial without geography contributes nothing to these rows). */
void osq_cov_metrics_nan(osq_cov_metrics_t *c);

typedef struct osq_cov_ws osq_cov_ws_t;
osq_cov_ws_t *osq_cov_ws_alloc(const osq_world_t *w);
void osq_cov_ws_free(osq_cov_ws_t *ws);

/** The cells the last osq_cov_year imaged (for the map), as a bitmap over the raster: bit
 *  i % 64 of word i / 64 for cell i. */
const uint64_t *osq_cov_ws_year_bits(const osq_cov_ws_t *ws);

/**
 * Fly the year's completed flights (in date order) and compute the metrics. Draws (airfields,
 * sites, build-ups) come from rng. `fg` (may be NULL) receives one entry per flight of y, in
 * y->flights order (flights not completed get airfield -1 and zeros).
 * @return 0 or OSQ_EINVAL.
 */
int osq_cov_year(const osq_world_t *w, const osq_treaty_t *t, const osq_year_t *y, gsl_rng *rng,
                      osq_cov_ws_t *ws, osq_cov_metrics_t *out, osq_flight_geo_t *fg);

#endif
