/*
 * figures.h owns the recorded figures the model is judged against, as the model computes them:
 * a figure (a row of data/history.csv, docs/history.md) is a quantity over a period — completed
 * flights, flights over or by a party, a dyad, flights granted in the distribution, a count by
 * date — and one trial's value of it follows from the trial's simulated years alone. The values
 * are accumulated year by year (osq_figure_add_year) and read at the end of the trial
 * (osq_figure_value). Pure: no I/O, no allocation.
 */
#ifndef OSQ_FIGURES_H
#define OSQ_FIGURES_H

#include <stdbool.h>
#include <stdint.h>

#include "models/date.h"
#include "models/metrics.h"
#include "models/quota.h"

/** The quantities of data/history.csv (their names: osq_figure_quantity_name). */
typedef enum {
  OSQ_Q_FLIGHTS,                 /**< completed flights (a shared flight once) */
  OSQ_Q_FLIGHTS_PER_YEAR,        /**< the same, per year of the period */
  OSQ_Q_FLIGHTS_OVER,            /**< completed flights over `observed` */
  OSQ_Q_FLIGHTS_OVER_PER_YEAR,
  OSQ_Q_FLIGHTS_BY,              /**< completed (non-void) slots of `observer` */
  OSQ_Q_FLIGHTS_BY_PER_YEAR,
  OSQ_Q_DYAD,                    /**< completed flights over `observed` with `observer` on board */
  OSQ_Q_DYAD_PER_YEAR,
  OSQ_Q_PLANNED,                 /**< flights granted in the distribution (whatever became of them);
                                      with an observer: its granted slots */
  OSQ_Q_PLANNED_SLOTS,           /**< observer slots granted in the distribution */
  OSQ_Q_CUMULATIVE_FLIGHTS,      /**< completed flights from the first simulated year through a day */
  OSQ_Q_FLIGHTS_BY_TO_DATE,      /**< completed slots of `observer` in a day's year through that day */
  OSQ_Q_SHARE_OVER,              /**< flights over `observed` / all flights (NaN without flights) */
  OSQ_Q_OBSERVERS_OF,            /**< distinct observers of completed flights over `observed` */
  OSQ_Q_COUNT
} osq_quantity_t;

/** How the recorded value bounds the truth (docs/history.md). */
typedef enum { OSQ_KIND_EXACT, OSQ_KIND_AT_LEAST, OSQ_KIND_AT_MOST, OSQ_KIND_APPROXIMATE, OSQ_KIND_PLANNED, OSQ_KIND_COUNT } osq_kind_t;

/** One figure as the model computes it. */
typedef struct {
  int quantity;         /**< osq_quantity_t */
  int observer;         /**< party index, -1: any */
  int observed;         /**< party index, -1: any */
  osq_day_t d0, d1;     /**< the days counted, inclusive */
  int y0, y1;           /**< the calendar years the period touches, inclusive */
} osq_figure_t;

/** One trial's running sums of a figure. */
typedef struct {
  double num, den;      /**< the count (and the denominator of a share) */
  uint64_t observers;   /**< OSQ_Q_OBSERVERS_OF: the observers seen, one bit per party */
} osq_figure_acc_t;

/** @return the quantity's name in data/history.csv ("flights", "dyad", ...), "?" outside the enum. */
const char *osq_figure_quantity_name(int q);
/** @return the quantity with that name, or -1. */
int osq_figure_quantity_parse(const char *name);
/** @return the kind's name ("exact", "at_least", ...), "?" outside the enum. */
const char *osq_figure_kind_name(int k);
/** @return the kind with that name, or -1. */
int osq_figure_kind_parse(const char *name);

/** Whether the quantity needs an observer / an observed party (1), forbids one (-1) or takes either (0). */
int osq_figure_needs_observer(int q);
int osq_figure_needs_observed(int q);
/** Whether the quantity's period is one day (the by-date quantities) rather than years or days. */
bool osq_figure_period_is_day(int q);

/** Start a trial's sums. */
static inline void osq_figure_reset(osq_figure_acc_t *a) {
  a->num = a->den = 0.0;
  a->observers = 0;
}

/** Add year y's flights (after execution) to the sums of figure f (years outside f's are ignored). */
void osq_figure_add_year(const osq_figure_t *f, const osq_year_t *y, osq_figure_acc_t *a);

/**
 * osq_figure_add_year with the year's metrics (m: osq_metrics_compute or osq_metrics_count of y):
 * the same sums, bit for bit, read from m's counts where the figure's days cover the whole year
 * and its quantity is one of them (flights, over, by, dyad, share, observers); else by the scan.
 * Calibration and validation add every figure of every trial-year, and a scan of the year's
 * flights per figure was a fifth of a calibration's time.
 */
void osq_figure_add_year_counted(const osq_figure_t *f, const osq_year_t *y, const osq_metrics_t *m,
                                 osq_figure_acc_t *a);

/** @return the trial's value of figure f from its sums (NaN: undefined, e.g. a share of no flights). */
double osq_figure_value(const osq_figure_t *f, const osq_figure_acc_t *a);

/**
 * Whether a model whose trials give the 90 % band [p05, p95] of a figure is consistent with its
 * recorded value: the value widened by its tolerance meets the band (exact, approximate,
 * planned); the band reaches value - tolerance (at_least) or comes down to value + tolerance
 * (at_most). A band with a NaN end is not consistent with anything.
 */
bool osq_figure_within(int kind, double value, double tolerance, double p05, double p95);

#endif
