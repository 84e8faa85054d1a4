/*
 * slots.h owns the catalogue of a run's reported statistics: every (year, metric, party) that goes
 * into summary.csv is one slot, in a fixed order that every command shares (the order of the rows
 * of summary.csv and compare.csv, and of the Welford records of a block). It says which slots a
 * scenario has, how to read a slot's value from a trial year's metrics, and each slot's
 * histogram bins.
 */
#ifndef OSQ_SLOTS_H
#define OSQ_SLOTS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/coverage.h"
#include "models/errors.h"
#include "models/metrics.h"
#include "models/quota.h"
#include "sim/input/scenario.h"

/** The metrics of summary.csv (their stable names: osq_slot_metric_name). */
typedef enum {
  OSQ_M_FLIGHTS,
  OSQ_M_FLIGHTS_ACTIVE,
  OSQ_M_FLIGHTS_OVER,
  OSQ_M_FLIGHTS_BY,
  OSQ_M_DYADS,
  OSQ_M_DYAD_DENSITY,
  OSQ_M_PLANS_AGREED,
  OSQ_M_COVERAGE,
  OSQ_M_COVERAGE_FIXED,
  OSQ_M_SITES_OBSERVED,
  OSQ_M_REVISIT_DAYS,
  OSQ_M_BUILDUP_DETECT,
  OSQ_M_IMAGERY_OWN,
  OSQ_M_IMAGERY_ACCESS,
  OSQ_M_COUNT
} osq_metric_t;

/** @return the metric's stable name ("flights", "coverage", ...), "?" outside the enum. */
const char *osq_slot_metric_name(int metric);

/** One reported statistic: a metric of a party (or aggregate row) in a year. */
typedef struct {
  int16_t year_idx; /**< 0 = the scenario's first year */
  int8_t metric;    /**< osq_metric_t */
  int16_t party;    /**< >= 0: party index; < 0: aggregate row -1 - osq_agg_t */
} osq_slot_t;

/** A scenario's slots, year by year: those of year y are [year_first[y], year_first[y + 1]). */
typedef struct {
  osq_slot_t *slot;
  int n;
  int *year_first; /**< [n_years + 1] */
  int n_years;
} osq_slots_t;

/**
 * The slots of sc: per year the flight metrics of every party in force that year and of the
 * aggregate rows, and with geography (geo) the coverage metrics too.
 * @return 0, or OSQ_ENOMEM with detail in err
 */
int osq_slots_build(osq_slots_t *s, const osq_scenario_t *sc, bool geo, osq_error_t *err);

/** Free what osq_slots_build allocated (a zeroed struct is fine). */
void osq_slots_free(osq_slots_t *s);

/** @return the party code of a slot (a quota holder's code or "ALL", "EUR", "NAM"). */
const char *osq_slot_party(const osq_slot_t *s, const osq_treaty_t *t);

/** @return the slot's value in one trial year (c may be NULL without geography; NaN: undefined). */
static inline double osq_slot_value(const osq_slot_t *s, const osq_metrics_t *m, const osq_cov_metrics_t *c) {
  const int p = s->party, agg = -1 - s->party;
  switch ((osq_metric_t)s->metric) {
    case OSQ_M_COVERAGE: return p >= 0 ? c->coverage[p] : c->coverage_agg[agg];
    case OSQ_M_COVERAGE_FIXED: return c->coverage_fixed;
    case OSQ_M_SITES_OBSERVED: return c->sites_observed[p];
    case OSQ_M_REVISIT_DAYS: return c->revisit_days[p];
    case OSQ_M_BUILDUP_DETECT: return p >= 0 ? c->buildup_detect[p] : c->buildup_detect_agg[agg];
    case OSQ_M_IMAGERY_OWN: return c->imagery_own[p];
    case OSQ_M_IMAGERY_ACCESS: return c->imagery_access[p];
    case OSQ_M_FLIGHTS: return m->flights;
    case OSQ_M_FLIGHTS_ACTIVE: return m->flights_active;
    case OSQ_M_FLIGHTS_OVER: return p >= 0 ? m->flights_over[p] : m->flights_over_agg[agg];
    case OSQ_M_FLIGHTS_BY: return p >= 0 ? m->flights_by[p] : m->flights_by_agg[agg];
    case OSQ_M_DYADS: return m->dyads;
    case OSQ_M_DYAD_DENSITY: return m->dyad_density;
    case OSQ_M_PLANS_AGREED: return m->plans_agreed;
    case OSQ_M_COUNT: break;
  }
  return NAN;
}

/**
 * The histogram bins of slot s: integer metrics get one bin per possible value (exact quantiles),
 * the density one bin per possible dyad count, continuous metrics 1,000 bins over their range.
 * caps are the slot's year's; world may be NULL without geography.
 */
void osq_slot_bins(const osq_slot_t *s, const osq_scenario_t *sc, const osq_quota_caps_t *caps,
                   const osq_world_t *world, double *lo, double *width, int *nbins);

#endif
