/* slots.c owns the catalogue of reported statistics (see slots.h). */
#include "sim/engine/slots.h"

#include <stdlib.h>

static const char *const METRIC_NAMES[OSQ_M_COUNT] = {
    "flights",  "flights_active", "flights_over",   "flights_by",     "dyads",       "dyad_density",
    "plans_agreed", "coverage",   "coverage_fixed", "sites_observed", "revisit_days", "buildup_detect",
    "imagery_own",  "imagery_access"};

const char *osq_slot_metric_name(int metric) {
  return metric >= 0 && metric < OSQ_M_COUNT ? METRIC_NAMES[metric] : "?";
}

const char *osq_slot_party(const osq_slot_t *s, const osq_treaty_t *t) {
  return s->party >= 0 ? t->parties[s->party].code : osq_agg_name(-1 - s->party);
}

static void add(osq_slots_t *s, int cap, int y, osq_metric_t m, int party) {
  if (s->n < cap) s->slot[s->n++] = (osq_slot_t){(int16_t)y, (int8_t)m, (int16_t)party};
}

/* The coverage metrics of a year: per party in force, plus aggregate rows where they mean something. */
static void add_geo(osq_slots_t *s, int cap, const osq_scenario_t *sc, int y) {
  static const osq_metric_t per_party[] = {OSQ_M_COVERAGE,       OSQ_M_SITES_OBSERVED, OSQ_M_REVISIT_DAYS,
                                           OSQ_M_BUILDUP_DETECT, OSQ_M_IMAGERY_OWN,    OSQ_M_IMAGERY_ACCESS};
  const osq_treaty_t *t = &sc->treaty;
  for (size_t k = 0; k < sizeof per_party / sizeof per_party[0]; k++) {
    const osq_metric_t m = per_party[k];
    for (int i = 0; i < t->n_parties; i++)
      if (osq_party_in_force_year(&t->parties[i], sc->first_year + y)) add(s, cap, y, m, i);
    if (m == OSQ_M_COVERAGE || m == OSQ_M_BUILDUP_DETECT)
      for (int a = 0; a < OSQ_AGG_COUNT; a++) add(s, cap, y, m, -1 - a);
    if (m == OSQ_M_COVERAGE) add(s, cap, y, OSQ_M_COVERAGE_FIXED, -1 - OSQ_AGG_ALL);
  }
}

int osq_slots_build(osq_slots_t *s, const osq_scenario_t *sc, bool geo, osq_error_t *err) {
  const osq_treaty_t *t = &sc->treaty;
  s->n = 0;
  s->n_years = sc->last_year - sc->first_year + 1;
  const int cap = s->n_years * (6 + 8 * (OSQ_PARTIES_MAX + OSQ_AGG_COUNT));
  s->slot = calloc((size_t)cap, sizeof *s->slot);
  s->year_first = calloc((size_t)s->n_years + 1, sizeof *s->year_first);
  if (!s->slot || !s->year_first) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int y = 0; y < s->n_years; y++) {
    s->year_first[y] = s->n;
    add(s, cap, y, OSQ_M_FLIGHTS, -1 - OSQ_AGG_ALL);
    add(s, cap, y, OSQ_M_FLIGHTS_ACTIVE, -1 - OSQ_AGG_ALL);
    for (int m = OSQ_M_FLIGHTS_OVER; m <= OSQ_M_FLIGHTS_BY; m++) {
      for (int i = 0; i < t->n_parties; i++)
        if (osq_party_in_force_year(&t->parties[i], sc->first_year + y)) add(s, cap, y, (osq_metric_t)m, i);
      for (int a = 0; a < OSQ_AGG_COUNT; a++) add(s, cap, y, (osq_metric_t)m, -1 - a);
    }
    add(s, cap, y, OSQ_M_DYADS, -1 - OSQ_AGG_ALL);
    add(s, cap, y, OSQ_M_DYAD_DENSITY, -1 - OSQ_AGG_ALL);
    add(s, cap, y, OSQ_M_PLANS_AGREED, -1 - OSQ_AGG_ALL);
    if (geo) add_geo(s, cap, sc, y);
  }
  s->year_first[s->n_years] = s->n;
  return OSQ_OK;
}

void osq_slots_free(osq_slots_t *s) {
  free(s->slot);
  free(s->year_first);
  s->slot = NULL;
  s->year_first = NULL;
  s->n = 0;
}

/* Continuous metrics: 1,000 bins over the possible range (quantiles to 0.1 % of it), except a
 * party's build-up detection, a multiple of 1/buildups, which gets one bin per value. */
static void continuous_bins(const osq_slot_t *s, const osq_scenario_t *sc, const osq_quota_caps_t *c,
                            const osq_world_t *world, int passive, double *lo, double *width, int *nbins) {
  double hi = 1.0;
  if (s->metric == OSQ_M_REVISIT_DAYS) hi = 366.0;
  if (s->metric == OSQ_M_IMAGERY_OWN) hi = c->active_cap[s->party] * osq_cov_world_max_flight_km2(world);
  if (s->metric == OSQ_M_IMAGERY_ACCESS) hi = passive * osq_cov_world_max_flight_km2(world);
  int bins = 1000;
  if (s->metric == OSQ_M_BUILDUP_DETECT && s->party >= 0 && sc->geo.buildups > 0) bins = sc->geo.buildups;
  if (!(hi > 0)) hi = 1.0;
  *width = hi / bins;
  *lo = -0.5 * *width;
  *nbins = bins + 1;
}

void osq_slot_bins(const osq_slot_t *s, const osq_scenario_t *sc, const osq_quota_caps_t *c,
                   const osq_world_t *world, double *lo, double *width, int *nbins) {
  int passive = 0, active = 0, n_elig = 0;
  for (int i = 0; i < c->n_parties; i++)
    if (c->eligible[i]) {
      passive += c->passive_cap[i];
      active += c->active_cap[i];
      n_elig++;
    }
  int max = 1;
  switch ((osq_metric_t)s->metric) {
    case OSQ_M_FLIGHTS: max = passive; break;
    case OSQ_M_FLIGHTS_ACTIVE: max = active; break;
    case OSQ_M_FLIGHTS_OVER: max = s->party >= 0 ? c->passive_cap[s->party] : passive; break;
    case OSQ_M_FLIGHTS_BY: max = s->party >= 0 ? c->active_cap[s->party] : active; break;
    case OSQ_M_DYADS: max = n_elig * (n_elig - 1); break;
    case OSQ_M_PLANS_AGREED: max = 1; break;
    case OSQ_M_SITES_OBSERVED: max = osq_cov_world_party_sites(world, s->party); break;
    case OSQ_M_COVERAGE:
    case OSQ_M_COVERAGE_FIXED:
    case OSQ_M_BUILDUP_DETECT:
    case OSQ_M_IMAGERY_OWN:
    case OSQ_M_IMAGERY_ACCESS:
    case OSQ_M_REVISIT_DAYS: continuous_bins(s, sc, c, world, passive, lo, width, nbins); return;
    case OSQ_M_DYAD_DENSITY: {
      const int pairs = n_elig > 1 ? n_elig * (n_elig - 1) : 1;
      *width = 1.0 / pairs;
      *lo = -0.5 * *width;
      *nbins = pairs + 1;
      return;
    }
    case OSQ_M_COUNT: break;
  }
  *lo = -0.5;
  *width = 1.0;
  *nbins = (max > 0 ? max : 0) + 1;
}
