/*
 * geosetup.h owns the set-up of a scenario's geography: reading the boundaries, rasterising the
 * member states of every quota holder, and preparing the shared read-only world (sites, reachable
 * sites per airfield, no-fly buffers). It runs once, before the trial loop, and is timed apart.
 *
 * A study (osq sensitivity) prepares several scenarios and many parameter points of each: they
 * share one raster (osq_geo_setup_shared), and a point that changes only how flights are flown
 * and imaged shares its scenario's world too (osq_geo_setup_point).
 */
#ifndef OSQ_GEOSETUP_H
#define OSQ_GEOSETUP_H

#include <stdbool.h>

#include "models/coverage.h"
#include "models/errors.h"
#include "sim/input/geodata.h"
#include "sim/input/scenario.h"

typedef struct {
  osq_geo_polys_t *polys;
  osq_geo_raster_t *raster;
  osq_world_t *world;
  int n_states;
  char states[OSQ_GEO_TERR_MAX][3];              /**< territory id - 1 -> ISO alpha-2 */
  bool shared;                                   /**< polys and raster are another set-up's: teardown frees
                                                      the world alone */
  double resolution_deg;                         /**< the raster's resolution as the scenario asked for it */
  char boundaries[OSQ_PATH_MAX];                 /**< the boundary file it was rasterised from */
} osq_geo_setup_t;

/** Build the geography of sc (a no-op that leaves everything NULL when sc->geo.enabled is false). */
int osq_geo_setup(const osq_scenario_t *sc, osq_geo_setup_t *gs, osq_error_t *err);
void osq_geo_teardown(osq_geo_setup_t *gs);

/**
 * The geography of sc over base's raster when base was built from the same boundaries, resolution
 * and member states (the raster is then shared, not copied: base must outlive gs, and only sc's
 * world is built), else a geography of its own as osq_geo_setup builds it. The same world either
 * way: the raster is a function of those three.
 */
int osq_geo_setup_shared(const osq_scenario_t *sc, const osq_geo_setup_t *base, osq_geo_setup_t *gs,
                         osq_error_t *err);

/**
 * The geography of a parameter point of the scenario whose geography is base: sc differs from
 * base's scenario only in numbers. When they leave the world as it is (osq_cov_world_view) the
 * point gets a view of base's world, else a world of its own over base's raster; *own_world says
 * which (a world of its own needs workspaces of its own: they remember its no-fly legs).
 */
int osq_geo_setup_point(const osq_scenario_t *sc, const osq_geo_setup_t *base, osq_geo_setup_t *gs, bool *own_world,
                        osq_error_t *err);

#endif
