/* geosetup.c owns the once-per-run geography set-up (see geosetup.h). */
#include "sim/engine/geosetup.h"

#include <stdio.h>
#include <string.h>

#include "models/rng.h"

void osq_geo_teardown(osq_geo_setup_t *gs) {
  osq_cov_world_free(gs->world);
  if (!gs->shared) {
    osq_geo_raster_free(gs->raster);
    osq_geodata_polys_free(gs->polys);
  }
  memset(gs, 0, sizeof *gs);
}

/* Territory ids: the member states of every quota holder, in treaty order, each once. */
static int list_states(const osq_scenario_t *sc, osq_geo_setup_t *gs, osq_error_t *err) {
  for (int p = 0; p < sc->treaty.n_parties; p++)
    for (int m = 0; m < sc->treaty.parties[p].n_members; m++) {
      const char *c = sc->treaty.parties[p].members[m];
      bool seen = false;
      for (int s = 0; s < gs->n_states; s++) seen |= strcmp(gs->states[s], c) == 0;
      if (seen) continue;
      /* Unreachable with the scenario's limits (48 holders of at most 4 states, all of them among
       * the 34 States Parties), but a raster id is one byte: never drop a state silently. */
      if (gs->n_states == OSQ_GEO_TERR_MAX)
        return osq_error_add(err, OSQ_ECONFIG, sc->path, 0,
                             "the quota holders have more than %d member states (expected at most %d: one raster id "
                             "each)",
                             OSQ_GEO_TERR_MAX, OSQ_GEO_TERR_MAX);
      memcpy(gs->states[gs->n_states], c, 3);
      gs->n_states++;
    }
  return OSQ_OK;
}

/* The world of sc over gs's raster (its sites drawn from the scenario seed's own stream). */
static int build_world(const osq_scenario_t *sc, osq_geo_setup_t *gs, osq_error_t *err) {
  const char *codes[OSQ_GEO_TERR_MAX];
  for (int s = 0; s < gs->n_states; s++) codes[s] = gs->states[s];
  gsl_rng *rng = osq_rng_gsl_alloc();
  if (!rng) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  osq_rng_gsl_reset(rng, sc->seed, 0, OSQ_STREAM_SITES);
  const int rc = osq_cov_world_build(&sc->treaty, &sc->geo, gs->raster, codes, gs->n_states, sc->fixed_area,
                                     sc->first_year, sc->last_year, rng, &gs->world);
  gsl_rng_free(rng);
  if (rc != OSQ_OK) osq_error_add(err, rc, sc->path, 0, "cannot prepare the geography: %s", osq_strerror(rc));
  return rc;
}

int osq_geo_setup(const osq_scenario_t *sc, osq_geo_setup_t *gs, osq_error_t *err) {
  memset(gs, 0, sizeof *gs);
  if (!sc->geo.enabled) return OSQ_OK;
  int rc = list_states(sc, gs, err);
  if (rc != OSQ_OK) return rc;
  const char *codes[OSQ_GEO_TERR_MAX];
  for (int s = 0; s < gs->n_states; s++) codes[s] = gs->states[s];
  gs->resolution_deg = sc->geo.resolution_deg;
  snprintf(gs->boundaries, sizeof gs->boundaries, "%s", sc->boundaries);
  rc = osq_geodata_load(sc->boundaries, &gs->polys, err);
  if (rc == OSQ_OK) rc = osq_geodata_assign(gs->polys, codes, gs->n_states, 0, err);
  if (rc == OSQ_OK) {
    const int brc = osq_geo_raster_build(gs->polys, gs->n_states, sc->geo.resolution_deg, &gs->raster);
    if (brc != OSQ_OK)
      rc = osq_error_add(err, brc, sc->boundaries, 0, "cannot rasterise the territories at %g degrees: %s",
                         sc->geo.resolution_deg, osq_strerror(brc));
  }
  if (rc == OSQ_OK) rc = build_world(sc, gs, err);
  if (rc != OSQ_OK) osq_geo_teardown(gs);
  return rc;
}

int osq_geo_setup_shared(const osq_scenario_t *sc, const osq_geo_setup_t *base, osq_geo_setup_t *gs,
                         osq_error_t *err) {
  memset(gs, 0, sizeof *gs);
  if (!sc->geo.enabled || !base->raster) return osq_geo_setup(sc, gs, err);
  int rc = list_states(sc, gs, err);
  if (rc != OSQ_OK) return rc;
  /* The raster is a function of the boundaries, the resolution and the member states' list. */
  const bool same = gs->n_states == base->n_states && base->resolution_deg == sc->geo.resolution_deg &&
                    memcmp(gs->states, base->states, sizeof gs->states) == 0 &&
                    strcmp(base->boundaries, sc->boundaries) == 0;
  if (!same) return osq_geo_setup(sc, gs, err);
  gs->resolution_deg = base->resolution_deg;
  snprintf(gs->boundaries, sizeof gs->boundaries, "%s", base->boundaries);
  gs->polys = base->polys;
  gs->raster = base->raster;
  gs->shared = true;
  rc = build_world(sc, gs, err);
  if (rc != OSQ_OK) osq_geo_teardown(gs);
  return rc;
}

int osq_geo_setup_point(const osq_scenario_t *sc, const osq_geo_setup_t *base, osq_geo_setup_t *gs, bool *own_world,
                        osq_error_t *err) {
  memset(gs, 0, sizeof *gs);
  *own_world = false;
  if (!base->world) return OSQ_OK;
  *gs = *base;
  gs->shared = true;
  gs->world = NULL;
  const int rc = osq_cov_world_view(base->world, &sc->geo, &gs->world);
  if (rc == OSQ_OK) return OSQ_OK;
  if (rc == OSQ_ENOMEM) {
    memset(gs, 0, sizeof *gs);
    return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  }
  *own_world = true;
  const int brc = build_world(sc, gs, err);
  if (brc != OSQ_OK) memset(gs, 0, sizeof *gs);
  return brc;
}
