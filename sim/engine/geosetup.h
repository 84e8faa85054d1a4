/*
 * geosetup.h owns the set-up of a scenario's geography: reading the boundaries, rasterising the
 * member states of every quota holder, and preparing the shared read-only world (sites, reachable
 * sites per airfield, no-fly buffers). It runs once, before the trial loop, and is timed apart.
 */
#ifndef OSQ_GEOSETUP_H
#define OSQ_GEOSETUP_H

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
} osq_geo_setup_t;

/** Build the geography of sc (a no-op that leaves everything NULL when sc->geo.enabled is false). */
int osq_geo_setup(const osq_scenario_t *sc, osq_geo_setup_t *gs, osq_error_t *err);
void osq_geo_teardown(osq_geo_setup_t *gs);

#endif
