/* metrics.c owns the flight metrics of one trial year and the ALL/EUR/NAM aggregate rows. */
#include "models/metrics.h"

#include <string.h>

#include "models/bits.h"

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

void osq_metrics_year(const osq_treaty_t *t, int year, osq_metrics_year_t *my) {
  memset(my, 0, sizeof *my);
  my->year = year;
  my->n_parties = t->n_parties;
  for (int i = 0; i < t->n_parties; i++) {
    my->n_in_force += osq_party_in_force_year(&t->parties[i], year);
    for (int a = 0; a < OSQ_AGG_COUNT; a++)
      if (osq_agg_member(t, i, year, (osq_agg_t)a)) my->agg_members[a] |= UINT64_C(1) << i;
  }
}

void osq_metrics_compute(const osq_treaty_t *t, const osq_year_t *y, osq_metrics_t *out) {
  osq_metrics_year_t my;
  osq_metrics_year(t, y->year, &my);
  osq_metrics_count(&my, y, out);
}

void osq_metrics_count(const osq_metrics_year_t *my, const osq_year_t *y, osq_metrics_t *out) {
  const int n = my->n_parties;
  out->year = y->year;
  out->n_parties = n;
  out->plans_agreed = y->plan_agreed ? 1 : 0;
  memset(out->flights_over, 0, sizeof out->flights_over);
  memset(out->flights_by, 0, sizeof out->flights_by);
  /* the first 32 columns of a row as one store of known size where they hold every party (a
   * call to memset per row cost more than the clearing) */
  if (n <= 32)
    for (int i = 0; i < n; i++) memset(out->dyad[i], 0, 32 * sizeof out->dyad[i][0]);
  else
    for (int i = 0; i < n; i++) memset(out->dyad[i], 0, (size_t)n * sizeof out->dyad[i][0]);

  /* Counts in locals (not through out, where each would wait for its own last store). */
  int flights = 0, active = 0, dyads = 0;
  for (int f = 0; f < y->n_flights; f++) {
    const osq_flight_t *fl = &y->flights[f];
    if (fl->status != OSQ_FLIGHT_COMPLETED) continue;
    const int t = fl->target;
    flights++;
    out->flights_over[t]++;
    /* The observers whose slot was flown (a completed flight has at least one), bit by bit. */
    for (unsigned flown = ~(unsigned)fl->void_obs & ((1u << fl->n_obs) - 1u); flown; flown &= flown - 1) {
      const int i = fl->obs[osq_bit_lowest(flown)];
      active++;
      out->flights_by[i]++;
      out->dyad_list[dyads] = (int16_t)(i << 6 | t); /* kept if the first */
      dyads += out->dyad[i][t]++ == 0;
    }
  }
  out->flights = flights;
  out->flights_active = active;
  out->dyads = dyads;

  out->n_in_force = my->n_in_force;
  const int nf = out->n_in_force;
  out->dyad_density = nf >= 2 ? (double)out->dyads / ((double)nf * (double)(nf - 1)) : 0.0;

  for (int a = 0; a < OSQ_AGG_COUNT; a++) {
    int over = 0, by = 0;
    for (uint64_t m = my->agg_members[a]; m; m &= m - 1) {
      const int i = osq_bit_lowest(m);
      over += out->flights_over[i];
      by += out->flights_by[i];
    }
    out->flights_over_agg[a] = over;
    out->flights_by_agg[a] = by;
  }
}
