/* treaty.c owns the membership and distance queries over the treaty data. */
#include "models/treaty.h"

#include <string.h>

#include "models/errors.h"

int osq_treaty_find(const osq_treaty_t *t, const char *code) {
  for (int i = 0; i < t->n_parties; i++)
    if (strcmp(t->parties[i].code, code) == 0) return i;
  return -1;
}

bool osq_party_in_force(const osq_party_t *p, osq_day_t day) {
  for (int k = 0; k < p->n_terms; k++)
    if (day >= p->terms[k].from && day < p->terms[k].until) return true;
  return false;
}

bool osq_party_in_force_year(const osq_party_t *p, int year) {
  const osq_day_t first = osq_date_from_ymd(year, 1, 1);
  const osq_day_t end = osq_date_from_ymd(year + 1, 1, 1);
  for (int k = 0; k < p->n_terms; k++)
    if (p->terms[k].from < end && p->terms[k].until > first) return true;
  return false;
}

int osq_aircraft_missions(const osq_aircraft_t *a, int year) {
  const osq_day_t first = osq_date_from_ymd(year, 1, 1);
  const osq_day_t end = osq_date_from_ymd(year + 1, 1, 1);
  const osq_day_t from = a->from > first ? a->from : first;
  const osq_day_t until = a->until < end ? a->until : end;
  if (until <= from || a->missions <= 0) return 0;
  const long long days = until - from, year_days = end - first;
  return (int)((2LL * a->missions * days + year_days) / (2LL * year_days));
}

osq_day_t osq_party_first_day(const osq_party_t *p) { return p->n_terms ? p->terms[0].from : OSQ_DAY_NEVER; }

osq_day_t osq_party_last_day(const osq_party_t *p) {
  return p->n_terms ? p->terms[p->n_terms - 1].until : OSQ_DAY_NEVER;
}

double osq_airfield_max_km(const osq_airfield_t *a, osq_day_t day) {
  /* Steps are sorted; before the first step the first value applies (the 1992 treaty value). */
  double km = a->n_steps ? a->steps[0].km : 0.0;
  for (int k = 1; k < a->n_steps; k++)
    if (day >= a->steps[k].from) km = a->steps[k].km;
  return km;
}

static bool shares_state(const osq_party_t *a, const osq_party_t *b, int *ma) {
  for (int m = 0; m < a->n_members; m++)
    for (int n = 0; n < b->n_members; n++)
      if (strcmp(a->members[m], b->members[n]) == 0) {
        *ma = m;
        return true;
      }
  return false;
}

/* Keeps the earlier of the found conflict and *best (the scan order breaks ties by index). */
static void keep_first(bool *found, osq_membership_conflict_t *best, const osq_party_t *pa, int m, int a, int b,
                       int ka, int kb, osq_day_t day) {
  if (*found && best->day <= day) return;
  *found = true;
  memcpy(best->state, pa->members[m], sizeof best->state);
  best->holder_a = a;
  best->holder_b = b;
  best->term_a = ka;
  best->term_b = kb;
  best->day = day;
}

int osq_treaty_check_membership(const osq_treaty_t *t, osq_membership_conflict_t *first) {
  bool found = false;
  osq_membership_conflict_t best = {{0}, -1, -1, -1, -1, OSQ_DAY_NEVER};
  for (int a = 0; a < t->n_parties; a++) {
    const osq_party_t *pa = &t->parties[a];
    /* A state listed twice in one holder would be counted twice on its first day. */
    for (int m = 0; m < pa->n_members && pa->n_terms > 0; m++)
      for (int n = m + 1; n < pa->n_members; n++)
        if (strcmp(pa->members[m], pa->members[n]) == 0) keep_first(&found, &best, pa, m, a, a, 0, 0, pa->terms[0].from);
    for (int b = a + 1; b < t->n_parties; b++) {
      const osq_party_t *pb = &t->parties[b];
      int m;
      if (!shares_state(pa, pb, &m)) continue;
      for (int ka = 0; ka < pa->n_terms; ka++)
        for (int kb = 0; kb < pb->n_terms; kb++) {
          const osq_day_t from = pa->terms[ka].from > pb->terms[kb].from ? pa->terms[ka].from : pb->terms[kb].from;
          const osq_day_t until =
              pa->terms[ka].until < pb->terms[kb].until ? pa->terms[ka].until : pb->terms[kb].until;
          if (from < until) keep_first(&found, &best, pa, m, a, b, ka, kb, from);
        }
    }
  }
  if (!found) return OSQ_OK;
  if (first) *first = best;
  return OSQ_EINVAL;
}

int osq_treaty_count_in_force(const osq_treaty_t *t, osq_day_t day) {
  int n = 0;
  for (int i = 0; i < t->n_parties; i++) n += osq_party_in_force(&t->parties[i], day);
  return n;
}

int osq_treaty_passive_total(const osq_treaty_t *t, osq_day_t day) {
  int sum = 0;
  for (int i = 0; i < t->n_parties; i++)
    if (osq_party_in_force(&t->parties[i], day)) sum += t->parties[i].passive_quota;
  return sum;
}

osq_bloc_t osq_party_bloc(const osq_party_t *p, int year) {
  if (p->nato_year > 0) return year >= p->nato_year ? OSQ_BLOC_NATO : OSQ_BLOC_OTHER;
  return p->bloc == OSQ_BLOC_NATO ? OSQ_BLOC_OTHER : p->bloc;
}

const char *osq_bloc_name(osq_bloc_t b) {
  switch (b) {
    case OSQ_BLOC_NATO: return "NATO";
    case OSQ_BLOC_RUBY: return "RU-BY";
    case OSQ_BLOC_OTHER: return "other";
    default: return "?";
  }
}

int osq_bloc_parse(const char *s, osq_bloc_t *out) {
  if (strcmp(s, "NATO") == 0) *out = OSQ_BLOC_NATO;
  else if (strcmp(s, "RU-BY") == 0) *out = OSQ_BLOC_RUBY;
  else if (strcmp(s, "other") == 0) *out = OSQ_BLOC_OTHER;
  else return OSQ_EINVAL;
  return OSQ_OK;
}
