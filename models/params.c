/*
 * params.c owns the default model parameters and the fitted per-party defaults. Every value is
 * explained, with its source and how it was fitted to the recorded history (docs/history.md), in docs/model.md
 * ("Parameters" and "Calibration").
 */
#include "models/params.h"

#include <string.h>

void osq_model_params_default(osq_model_params_t *p) {
  memset(p, 0, sizeof *p);
  /* 2018 was the one year of 18 (2002-2019) without an agreed distribution. */
  p->plan_fail_prob = 1.0 / 18.0;
  /* Annex A Sec. II para 1-2 with Art. XVIII Sec. II para 1: 75 % rounded down to 31 Dec 2005. */
  p->phase_in_last_year = 2005;
  p->phase_in_factor = 0.75;
  p->demand = 0.45;
  p->size_exponent = 1.0;
  p->proximity_km = 0.0;
  p->share_prob = 0.4;
  /* Observer bloc x target bloc (NATO, RU-BY, other). */
  static const double interest[OSQ_BLOC_COUNT][OSQ_BLOC_COUNT] = {
      {0.02, 1.0, 1.0}, /* NATO over NATO, RU-BY, other */
      {1.0, 0.0, 0.5},  /* RU-BY over ... */
      {0.3, 1.0, 0.3},  /* other over ... */
  };
  for (int a = 0; a < OSQ_BLOC_COUNT; a++)
    for (int b = 0; b < OSQ_BLOC_COUNT; b++) p->interest[a][b] = interest[a][b];
  for (int i = 0; i < OSQ_PARTIES_MAX; i++) {
    p->demand_by[i] = -1.0;
    p->interest_by[i] = -1.0;
    p->completion_by[i] = -1.0;
    p->accepts_by[i] = true;
    for (int b = 0; b < OSQ_BLOC_COUNT; b++) p->interest_obs_by[i][b] = -1.0;
    for (int j = 0; j < OSQ_PARTIES_MAX; j++) p->pair_interest[i][j] = -1.0;
  }
  p->season_first_doy = 1;
  p->season_last_doy = 366;
  p->window_days = 4;
  p->quarter_max = 16;
  p->completion = 0.92;
  p->reciprocity = true;
  p->share_full_prob = 1.0;
  p->aircraft = true;  /* section 2.6: applies when the treaty lists aircraft */
  p->taxi_prob = 0.1;  /* section 2.6: an estimate, the taxi option was the exception */
  /* No year is forced to go without a plan: plan_fail_prob alone decides (n_no_plan_years = 0
   * from the memset above). */
}

void osq_model_params_for_year(const osq_model_params_t *p, int year, osq_model_params_t *out) {
  *out = *p;
  const int n = p->n_years < OSQ_YEAR_PARAMS_MAX ? p->n_years : OSQ_YEAR_PARAMS_MAX;
  for (int k = 0; k < n; k++) {
    const osq_year_params_t *y = &p->years[k];
    if (y->year != year) continue;
    if (y->demand_factor >= 0.0) {
      out->demand *= y->demand_factor;
      for (int i = 0; i < OSQ_PARTIES_MAX; i++)
        if (out->demand_by[i] >= 0.0) out->demand_by[i] *= y->demand_factor;
    }
    if (y->share_prob >= 0.0) out->share_prob = y->share_prob;
    if (y->completion >= 0.0) out->completion = y->completion;
    if (y->season_first_doy > 0) out->season_first_doy = y->season_first_doy;
    if (y->season_last_doy > 0) out->season_last_doy = y->season_last_doy;
  }
  const int m = p->n_pairs < OSQ_PAIRS_MAX ? p->n_pairs : OSQ_PAIRS_MAX;
  for (int k = 0; k < m; k++) {
    const osq_pair_params_t *q = &p->pairs[k];
    if (year >= q->first_year && year <= q->last_year && q->observer >= 0 && q->observer < OSQ_PARTIES_MAX &&
        q->observed >= 0 && q->observed < OSQ_PARTIES_MAX)
      out->pair_interest[q->observer][q->observed] = q->interest;
  }
}

osq_year_params_t *osq_model_params_year(osq_model_params_t *p, int year) {
  for (int k = 0; k < p->n_years && k < OSQ_YEAR_PARAMS_MAX; k++)
    if (p->years[k].year == year) return &p->years[k];
  return NULL;
}

bool osq_model_params_paused(const osq_model_params_t *p, osq_day_t day) {
  for (int k = 0; k < p->n_pauses && k < OSQ_PAUSES_MAX; k++)
    if (day >= p->pauses[k].from && day <= p->pauses[k].until) return true;
  return false;
}

bool osq_model_params_no_plan_year(const osq_model_params_t *p, int year) {
  const int n = p->n_no_plan_years < OSQ_NO_PLAN_YEARS_MAX ? p->n_no_plan_years : OSQ_NO_PLAN_YEARS_MAX;
  for (int k = 0; k < n; k++)
    if (p->no_plan_years[k] == year) return true;
  return false;
}

/* Per-party defaults with a source (docs/model.md, "Per-party defaults"). */
typedef struct {
  const char *code;
  double demand;                      /* < 0: keep the global value */
  double completion;                  /* < 0: keep the global value */
  double interest[OSQ_BLOC_COUNT];    /* observer row over NATO, RU-BY, other; < 0: bloc row */
} party_default_t;

static const party_default_t PARTY_DEFAULTS[] = {
    /* US: the OC-135Bs completed 65 % of their missions 2007-2017 (Omaha World-Herald); the US
     * flew 14 of its 17 missions of 2014 over Russia and 3 over Crimea/eastern Ukraine (Air &
     * Space Forces), so its interest is concentrated on RU-BY; demand fitted so that it is
     * granted close to its 50 % allowance of 21 over RU-BY. */
    {"US", 0.65, 0.65, {0.02, 1.0, 0.1}},
    /* RU-BY: 39 flights by 30 Nov 2015 of an active quota of 42 (Russian MoD via press): it
     * asks for all of its quota. */
    {"RUBY", 1.0, -1.0, {-1.0, -1.0, -1.0}},
};

int osq_model_params_party_defaults(osq_model_params_t *p, const osq_treaty_t *t) {
  int set = 0;
  for (size_t k = 0; k < sizeof PARTY_DEFAULTS / sizeof PARTY_DEFAULTS[0]; k++) {
    const party_default_t *d = &PARTY_DEFAULTS[k];
    const int i = osq_treaty_find(t, d->code);
    if (i < 0) continue;
    if (d->demand >= 0.0) {
      p->demand_by[i] = d->demand;
      set++;
    }
    if (d->completion >= 0.0) {
      p->completion_by[i] = d->completion;
      set++;
    }
    for (int b = 0; b < OSQ_BLOC_COUNT; b++)
      if (d->interest[b] >= 0.0) {
        p->interest_obs_by[i][b] = d->interest[b];
        set++;
      }
  }
  return set;
}
