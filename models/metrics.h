/*
 * metrics.h owns the per-trial, per-year flight metrics of docs/model.md §3 that follow from the flight
 * list alone (flights, flights_active, flights_over, flights_by, dyads, dyad_density,
 * plans_agreed), their aggregate rows ALL, EUR and NAM, and the dyad matrix of completed
 * flights behind dyads.csv. Coverage metrics belong to the route and coverage model.
 *
 * Only completed flights count, and on a shared flight only the observers whose slot is not
 * void. Everything is fixed-size; osq_metrics_compute() does not allocate.
 */
#ifndef OSQ_METRICS_H
#define OSQ_METRICS_H

#include <stdint.h>

#include "models/quota.h"
#include "models/treaty.h"

/** Aggregate rows (docs/model.md §3), in this order in osq_metrics_t's *_agg arrays. */
typedef enum { OSQ_AGG_ALL = 0, OSQ_AGG_EUR = 1, OSQ_AGG_NAM = 2, OSQ_AGG_COUNT = 3 } osq_agg_t;

/** The flight metrics of one trial year. */
typedef struct {
  int year;
  int n_parties;
  int plans_agreed;                             /**< 1 if the year's distribution was agreed */
  int flights;                                  /**< completed flights (a shared flight once) */
  int flights_active;                           /**< completed observer slots */
  int n_in_force;                               /**< parties in force on some day of the year */
  int dyads;                                    /**< observer->observed pairs with >= 1 completed flight */
  double dyad_density;                          /**< dyads / (n_in_force (n_in_force - 1)); 0 if < 2 */
  int16_t flights_over[OSQ_PARTIES_MAX];        /**< completed flights over the party */
  int16_t flights_by[OSQ_PARTIES_MAX];          /**< completed observer slots the party flew */
  int flights_over_agg[OSQ_AGG_COUNT];          /**< sums of flights_over over the row's parties */
  int flights_by_agg[OSQ_AGG_COUNT];            /**< sums of flights_by over the row's parties */
  int16_t dyad[OSQ_PARTIES_MAX][OSQ_PARTIES_MAX]; /**< [observer][observed] completed flights */
  int16_t dyad_list[OSQ_PARTIES_MAX * OSQ_PARTIES_MAX]; /**< the dyads that flew, observer << 6 | observed,
                                                     in the order of their first flight
                                                     ([0, dyads)): a reader visits them, not all */
} osq_metrics_t;

/** @return "ALL", "EUR", "NAM" (the stable row names of README "Output files"), "?" otherwise. */
const char *osq_agg_name(int agg);

/**
 * @return true if party i belongs to the aggregate row in that year: ALL = every party; NAM =
 * codes US and CA; EUR = every other party except the RU-BY bloc (osq_party_bloc).
 */
bool osq_agg_member(const osq_treaty_t *t, int i, int year, osq_agg_t agg);

/** What the metrics of a year take from the treaty: computed once per (treaty, year). */
typedef struct {
  int year;
  int n_parties;
  int n_in_force;                       /**< parties in force on some day of the year */
  uint64_t agg_members[OSQ_AGG_COUNT];  /**< bit i: party i belongs to the row (osq_agg_member) */
} osq_metrics_year_t;

/** Compute what the metrics of `year` take from the treaty (t must have at most 64 parties). */
void osq_metrics_year(const osq_treaty_t *t, int year, osq_metrics_year_t *my);

/** Compute the metrics of one simulated year (y after osq_quota_execute). */
void osq_metrics_compute(const osq_treaty_t *t, const osq_year_t *y, osq_metrics_t *out);

/** osq_metrics_compute with the treaty's part of the year computed once (my, of y's year and
 *  treaty): the same result, for the engine, which counts every trial's year. */
void osq_metrics_count(const osq_metrics_year_t *my, const osq_year_t *y, osq_metrics_t *out);

#endif
