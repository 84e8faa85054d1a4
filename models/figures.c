/* figures.c owns the model's side of the recorded figures (see figures.h). */
#include "models/figures.h"

#include <math.h>
#include <string.h>

static const char *const QUANTITY[OSQ_Q_COUNT] = {
    [OSQ_Q_FLIGHTS] = "flights",
    [OSQ_Q_FLIGHTS_PER_YEAR] = "flights_per_year",
    [OSQ_Q_FLIGHTS_OVER] = "flights_over",
    [OSQ_Q_FLIGHTS_OVER_PER_YEAR] = "flights_over_per_year",
    [OSQ_Q_FLIGHTS_BY] = "flights_by",
    [OSQ_Q_FLIGHTS_BY_PER_YEAR] = "flights_by_per_year",
    [OSQ_Q_DYAD] = "dyad",
    [OSQ_Q_DYAD_PER_YEAR] = "dyad_per_year",
    [OSQ_Q_PLANNED] = "planned",
    [OSQ_Q_PLANNED_SLOTS] = "planned_slots",
    [OSQ_Q_CUMULATIVE_FLIGHTS] = "cumulative_flights",
    [OSQ_Q_FLIGHTS_BY_TO_DATE] = "flights_by_to_date",
    [OSQ_Q_SHARE_OVER] = "share_over",
    [OSQ_Q_OBSERVERS_OF] = "observers_of",
};

static const char *const KIND[OSQ_KIND_COUNT] = {"exact", "at_least", "at_most", "approximate", "planned"};

const char *osq_figure_quantity_name(int q) { return q >= 0 && q < OSQ_Q_COUNT ? QUANTITY[q] : "?"; }

int osq_figure_quantity_parse(const char *name) {
  for (int q = 0; q < OSQ_Q_COUNT; q++)
    if (strcmp(name, QUANTITY[q]) == 0) return q;
  return -1;
}

const char *osq_figure_kind_name(int k) { return k >= 0 && k < OSQ_KIND_COUNT ? KIND[k] : "?"; }

int osq_figure_kind_parse(const char *name) {
  for (int k = 0; k < OSQ_KIND_COUNT; k++)
    if (strcmp(name, KIND[k]) == 0) return k;
  return -1;
}

int osq_figure_needs_observer(int q) {
  switch (q) {
    case OSQ_Q_FLIGHTS_BY:
    case OSQ_Q_FLIGHTS_BY_PER_YEAR:
    case OSQ_Q_DYAD:
    case OSQ_Q_DYAD_PER_YEAR:
    case OSQ_Q_FLIGHTS_BY_TO_DATE: return 1;
    case OSQ_Q_PLANNED: return 0;
    default: return -1;
  }
}

int osq_figure_needs_observed(int q) {
  switch (q) {
    case OSQ_Q_FLIGHTS_OVER:
    case OSQ_Q_FLIGHTS_OVER_PER_YEAR:
    case OSQ_Q_DYAD:
    case OSQ_Q_DYAD_PER_YEAR:
    case OSQ_Q_SHARE_OVER:
    case OSQ_Q_OBSERVERS_OF: return 1;
    case OSQ_Q_PLANNED: return 0;
    default: return -1;
  }
}

bool osq_figure_period_is_day(int q) { return q == OSQ_Q_CUMULATIVE_FLIGHTS || q == OSQ_Q_FLIGHTS_BY_TO_DATE; }

/* The observer slot of party i on a flight, counted as flown: i is on board and its slot is not
 * void (a party that was not in force on the day flew nothing). */
static bool flew(const osq_flight_t *fl, int i) {
  for (int k = 0; k < fl->n_obs; k++)
    if (fl->obs[k] == i) return !((fl->void_obs >> k) & 1u);
  return false;
}

/* The distribution's figures count what was granted, whatever became of it. */
static void add_planned(const osq_figure_t *f, const osq_year_t *y, osq_figure_acc_t *a) {
  for (int k = 0; k < y->n_flights; k++) {
    const osq_flight_t *fl = &y->flights[k];
    if (f->observed >= 0 && fl->target != f->observed) continue;
    if (f->quantity == OSQ_Q_PLANNED_SLOTS) {
      a->num += fl->n_obs;
      continue;
    }
    bool on = f->observer < 0;
    for (int o = 0; o < fl->n_obs && !on; o++) on = fl->obs[o] == f->observer;
    a->num += on;
  }
}

void osq_figure_add_year(const osq_figure_t *f, const osq_year_t *y, osq_figure_acc_t *a) {
  if (y->year < f->y0 || y->year > f->y1) return;
  if (f->quantity == OSQ_Q_PLANNED || f->quantity == OSQ_Q_PLANNED_SLOTS) {
    add_planned(f, y, a);
    return;
  }
  for (int k = 0; k < y->n_flights; k++) {
    const osq_flight_t *fl = &y->flights[k];
    if (fl->status != OSQ_FLIGHT_COMPLETED || fl->day < f->d0 || fl->day > f->d1) continue;
    switch ((osq_quantity_t)f->quantity) {
      case OSQ_Q_FLIGHTS:
      case OSQ_Q_FLIGHTS_PER_YEAR:
      case OSQ_Q_CUMULATIVE_FLIGHTS: a->num += 1.0; break;
      case OSQ_Q_FLIGHTS_OVER:
      case OSQ_Q_FLIGHTS_OVER_PER_YEAR: a->num += fl->target == f->observed; break;
      case OSQ_Q_FLIGHTS_BY:
      case OSQ_Q_FLIGHTS_BY_PER_YEAR:
      case OSQ_Q_FLIGHTS_BY_TO_DATE: a->num += flew(fl, f->observer); break;
      case OSQ_Q_DYAD:
      case OSQ_Q_DYAD_PER_YEAR: a->num += fl->target == f->observed && flew(fl, f->observer); break;
      case OSQ_Q_SHARE_OVER:
        a->num += fl->target == f->observed;
        a->den += 1.0;
        break;
      case OSQ_Q_OBSERVERS_OF:
        if (fl->target != f->observed) break;
        for (int o = 0; o < fl->n_obs; o++)
          if (!((fl->void_obs >> o) & 1u)) a->observers |= UINT64_C(1) << fl->obs[o];
        break;
      default: break;
    }
  }
}

/* Whether f's days hold every day of the year. */
static bool covers_year(const osq_figure_t *f, int year) {
  return f->d0 <= osq_date_from_ymd(year, 1, 1) && f->d1 >= osq_date_from_ymd(year, 12, 31);
}

void osq_figure_add_year_counted(const osq_figure_t *f, const osq_year_t *y, const osq_metrics_t *m,
                                 osq_figure_acc_t *a) {
  if (y->year < f->y0 || y->year > f->y1) return;
  /* The counts are integers and so are the scan's sums (of 1.0 and of booleans, exact in a
   * double): adding a count at once gives the scan's bits. */
  const int i = f->observer, j = f->observed, n = m->n_parties;
  const bool obs_ok = i >= 0 && i < n, tgt_ok = j >= 0 && j < n;
  if (m->year == y->year && covers_year(f, y->year)) switch ((osq_quantity_t)f->quantity) {
      case OSQ_Q_FLIGHTS:
      case OSQ_Q_FLIGHTS_PER_YEAR:
      case OSQ_Q_CUMULATIVE_FLIGHTS: a->num += m->flights; return;
      case OSQ_Q_FLIGHTS_OVER:
      case OSQ_Q_FLIGHTS_OVER_PER_YEAR:
        if (!tgt_ok) break;
        a->num += m->flights_over[j];
        return;
      case OSQ_Q_FLIGHTS_BY:
      case OSQ_Q_FLIGHTS_BY_PER_YEAR:
      case OSQ_Q_FLIGHTS_BY_TO_DATE:
        if (!obs_ok) break;
        a->num += m->flights_by[i];
        return;
      case OSQ_Q_DYAD:
      case OSQ_Q_DYAD_PER_YEAR:
        if (!obs_ok || !tgt_ok) break;
        a->num += m->dyad[i][j];
        return;
      case OSQ_Q_SHARE_OVER:
        if (!tgt_ok) break;
        a->num += m->flights_over[j];
        a->den += m->flights;
        return;
      case OSQ_Q_OBSERVERS_OF:
        if (!tgt_ok) break;
        for (int k = 0; k < n; k++)
          if (m->dyad[k][j] > 0) a->observers |= UINT64_C(1) << k;
        return;
      default: break;
    }
  osq_figure_add_year(f, y, a);
}

double osq_figure_value(const osq_figure_t *f, const osq_figure_acc_t *a) {
  const double years = (double)(f->y1 - f->y0 + 1);
  switch ((osq_quantity_t)f->quantity) {
    case OSQ_Q_FLIGHTS_PER_YEAR:
    case OSQ_Q_FLIGHTS_OVER_PER_YEAR:
    case OSQ_Q_FLIGHTS_BY_PER_YEAR:
    case OSQ_Q_DYAD_PER_YEAR: return a->num / years;
    case OSQ_Q_SHARE_OVER: return a->den > 0.0 ? a->num / a->den : NAN;
    case OSQ_Q_OBSERVERS_OF: {
      int n = 0;
      for (uint64_t m = a->observers; m; m &= m - 1) n++;
      return n;
    }
    default: return a->num;
  }
}

bool osq_figure_within(int kind, double value, double tolerance, double p05, double p95) {
  if (isnan(p05) || isnan(p95)) return false;
  const double lo = value - tolerance, hi = value + tolerance;
  switch (kind) {
    case OSQ_KIND_AT_LEAST: return p95 >= lo;
    case OSQ_KIND_AT_MOST: return p05 <= hi;
    default: return p05 <= hi && p95 >= lo;
  }
}
