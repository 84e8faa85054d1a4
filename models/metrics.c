/* metrics.c owns the flight metrics of one trial year and the ALL/EUR/NAM aggregate rows. */
#include "models/metrics.h"

#include <string.h>

const char *osq_agg_name(int agg) {
  switch (agg) {
    case OSQ_AGG_ALL: return "ALL";
    case OSQ_AGG_EUR: return "EUR";
    case OSQ_AGG_NAM: return "NAM";
    default: return "?";
  }
}

static bool is_nam(const osq_party_t *q) { return strcmp(q->code, "US") == 0 || strcmp(q->code, "CA") == 0; }

bool osq_agg_member(const osq_treaty_t *t, int i, int year, osq_agg_t agg) {
  const osq_party_t *q = &t->parties[i];
  switch (agg) {
    case OSQ_AGG_ALL: return true;
    case OSQ_AGG_NAM: return is_nam(q);
    /* docs/model.md §3: EUR is the European parties, the RU-BY bloc excluded. By bloc rather than by code, so that
     * Belarus alone (a RU-BY bloc holder after 2021) stays out as well. */
    case OSQ_AGG_EUR: return !is_nam(q) && osq_party_bloc(q, year) != OSQ_BLOC_RUBY;
    default: return false;
  }
}

void osq_metrics_compute(const osq_treaty_t *t, const osq_year_t *y, osq_metrics_t *out) {
  const int n = t->n_parties;
  out->year = y->year;
  out->n_parties = n;
  out->plans_agreed = y->plan_agreed ? 1 : 0;
  out->flights = 0;
  out->flights_active = 0;
  out->dyads = 0;
  memset(out->flights_over, 0, sizeof out->flights_over);
  memset(out->flights_by, 0, sizeof out->flights_by);
  for (int i = 0; i < n; i++) memset(out->dyad[i], 0, (size_t)n * sizeof out->dyad[i][0]);

  for (int f = 0; f < y->n_flights; f++) {
    const osq_flight_t *fl = &y->flights[f];
    if (fl->status != OSQ_FLIGHT_COMPLETED) continue;
    out->flights++;
    out->flights_over[fl->target]++;
    for (int k = 0; k < fl->n_obs; k++) {
      if (fl->void_obs & (1u << k)) continue;
      const int i = fl->obs[k];
      out->flights_active++;
      out->flights_by[i]++;
      if (out->dyad[i][fl->target]++ == 0) out->dyads++;
    }
  }

  out->n_in_force = 0;
  for (int i = 0; i < n; i++) out->n_in_force += osq_party_in_force_year(&t->parties[i], y->year);
  const int nf = out->n_in_force;
  out->dyad_density = nf >= 2 ? (double)out->dyads / ((double)nf * (double)(nf - 1)) : 0.0;

  for (int a = 0; a < OSQ_AGG_COUNT; a++) {
    int over = 0, by = 0;
    for (int i = 0; i < n; i++) {
      if (!osq_agg_member(t, i, y->year, (osq_agg_t)a)) continue;
      over += out->flights_over[i];
      by += out->flights_by[i];
    }
    out->flights_over_agg[a] = over;
    out->flights_by_agg[a] = by;
  }
}
