/*
 * quota_fixture.h owns the treaties that the quota tests build in code (the scenario loader is
 * not used here): the 2019 treaty with its 31 quota holders, and small hand-made treaties.
 *
 * 2019 treaty: Annex A Sec. I quotas for the 21 original holders (CZ 4 from the Czech MoD, SK
 * and GE unknown: 4 as estimates); later accessions: FI 5 (Finnish Defence Forces), EE 4 (ERR),
 * SE, LV, LT, SI, HR, BA unknown: 4 as estimates (data/reference/accession_quotas.csv). Dates
 * of entry into force from states.csv (Sweden's is not known: 2002-01-01 used here). Positions
 * are rough capital/airfield coordinates, only used when proximity_km > 0.
 */
#ifndef OSQ_QUOTA_FIXTURE_H
#define OSQ_QUOTA_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "models/date.h"
#include "models/treaty.h"

static inline osq_day_t fx_day(const char *s) {
  osq_day_t d = 0;
  osq_date_parse(s, &d);
  return d;
}

/** Append a quota holder in force from `from` (never withdrawn); returns its index. */
static inline int fx_add(osq_treaty_t *t, const char *code, osq_bloc_t bloc, int nato_year, int quota, osq_day_t from,
                  double lat, double lon) {
  const int i = t->n_parties++;
  osq_party_t *q = &t->parties[i];
  memset(q, 0, sizeof *q);
  snprintf(q->code, sizeof q->code, "%s", code);
  snprintf(q->name, sizeof q->name, "%s", code);
  q->bloc = bloc;
  q->nato_year = nato_year;
  q->passive_quota = quota;
  q->area_km2 = 1.0e5;
  q->n_terms = 1;
  q->terms[0].from = from;
  q->terms[0].until = OSQ_DAY_NEVER;
  q->n_airfields = 1;
  snprintf(q->airfields[0].name, sizeof q->airfields[0].name, "%s field", code);
  q->airfields[0].lat = lat;
  q->airfields[0].lon = lon;
  q->airfields[0].n_steps = 1;
  q->airfields[0].steps[0].from = from;
  q->airfields[0].steps[0].km = 1000.0;
  return i;
}

/** Set the withdrawal of party `code` effective on `day` (its last term ends there). */
static inline void fx_withdraw(osq_treaty_t *t, const char *code, osq_day_t day) {
  const int i = osq_treaty_find(t, code);
  if (i >= 0) t->parties[i].terms[t->parties[i].n_terms - 1].until = day;
}

/** Append an aircraft that the parties named in `codes` (comma-separated) operate; returns its index. */
static inline int fx_aircraft(osq_treaty_t *t, const char *name, const char *codes, osq_day_t from, osq_day_t until,
                              int missions) {
  const int a = t->n_aircraft++;
  osq_aircraft_t *ac = &t->aircraft[a];
  memset(ac, 0, sizeof *ac);
  snprintf(ac->name, sizeof ac->name, "%s", name);
  for (const char *c = codes; *c;) {
    char code[16];
    const size_t len = strcspn(c, ",");
    snprintf(code, sizeof code, "%.*s", (int)len, c);
    const int i = osq_treaty_find(t, code);
    if (i >= 0) ac->operators |= UINT64_C(1) << i;
    c += len + (c[len] == ',');
  }
  ac->from = from;
  ac->until = until;
  ac->missions = missions;
  return a;
}

/** The fleets of scenarios/treaty.cfg in service in 2019, over fx_treaty_2019's parties. */
static inline void fx_fleets_2019(osq_treaty_t *t) {
  const osq_day_t eif = fx_day("2002-01-01");
  fx_aircraft(t, "OC-135B", "US", eif, fx_day("2021-06-01"), 42);
  fx_aircraft(t, "Tu-214ON", "RUBY", eif, OSQ_DAY_NEVER, 42);
  fx_aircraft(t, "An-30 UA", "UA", eif, fx_day("2022-02-24"), 12);
  fx_aircraft(t, "An-30 RO", "RO", eif, OSQ_DAY_NEVER, 10);
  fx_aircraft(t, "An-30 BG", "BG", eif, OSQ_DAY_NEVER, 5);
  fx_aircraft(t, "An-26 HU", "HU", eif, OSQ_DAY_NEVER, 5);
  fx_aircraft(t, "Saab 340B", "SE,GB,DE", fx_day("2004-01-01"), OSQ_DAY_NEVER, 22);
  fx_aircraft(t, "C-130H", "BNLX,CA,FR,GR,IT,PT,ES,NO", eif, OSQ_DAY_NEVER, 60);
}

/** The treaty as in 2019: 31 quota holders. */
static inline void fx_treaty_2019(osq_treaty_t *t) {
  memset(t, 0, sizeof *t);
  const osq_day_t eif = fx_day("2002-01-01");
  const osq_bloc_t N = OSQ_BLOC_NATO, R = OSQ_BLOC_RUBY, O = OSQ_BLOC_OTHER;
  fx_add(t, "US", N, 1949, 42, eif, 38.9, -77.0);
  fx_add(t, "RUBY", R, 0, 42, eif, 55.6, 36.6);
  fx_add(t, "CA", N, 1949, 12, eif, 45.4, -75.7);
  fx_add(t, "FR", N, 1949, 12, eif, 48.9, 2.4);
  fx_add(t, "DE", N, 1955, 12, eif, 50.9, 7.1);
  fx_add(t, "IT", N, 1949, 12, eif, 41.9, 12.5);
  fx_add(t, "TR", N, 1952, 12, eif, 39.9, 32.9);
  fx_add(t, "UA", O, 0, 12, eif, 50.5, 30.5);
  fx_add(t, "GB", N, 1949, 12, eif, 51.8, -1.6);
  fx_add(t, "NO", N, 1949, 7, eif, 59.9, 10.8);
  fx_add(t, "BNLX", N, 1949, 6, eif, 50.9, 4.4);
  fx_add(t, "DK", N, 1949, 6, eif, 55.7, 12.6);
  fx_add(t, "PL", N, 1999, 6, eif, 52.2, 21.0);
  fx_add(t, "RO", N, 2004, 6, eif, 44.4, 26.1);
  fx_add(t, "BG", N, 2004, 4, eif, 42.7, 23.3);
  fx_add(t, "GR", N, 1952, 4, eif, 38.0, 23.7);
  fx_add(t, "HU", N, 1999, 4, eif, 47.5, 19.1);
  fx_add(t, "IS", N, 1949, 4, eif, 64.1, -21.9);
  fx_add(t, "ES", N, 1982, 4, eif, 40.4, -3.7);
  fx_add(t, "PT", N, 1949, 2, eif, 38.7, -9.1);
  fx_add(t, "CZ", N, 1999, 4, eif, 50.1, 14.4);
  fx_add(t, "SK", N, 2004, 4, eif, 48.2, 17.1);
  fx_add(t, "GE", O, 0, 4, eif, 41.7, 44.8);
  fx_add(t, "FI", N, 2023, 5, fx_day("2003-02-10"), 60.2, 24.9);
  fx_add(t, "SE", N, 2024, 4, eif, 59.3, 18.1);
  fx_add(t, "LV", N, 2004, 4, fx_day("2003-02-11"), 57.0, 24.1);
  fx_add(t, "LT", N, 2004, 4, fx_day("2005-07-08"), 54.7, 25.3);
  fx_add(t, "EE", N, 2004, 4, fx_day("2005-05-23"), 59.4, 24.8);
  fx_add(t, "SI", N, 2004, 4, fx_day("2004-11-24"), 46.1, 14.5);
  fx_add(t, "HR", N, 2009, 4, fx_day("2005-01-01"), 45.8, 16.0);
  fx_add(t, "BA", O, 0, 4, fx_day("2003-10-20"), 43.9, 18.4);
}

#endif
