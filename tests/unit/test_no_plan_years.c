/*
 * test_no_plan_years.c: model.no_plan_years, the years in which no annual plan is agreed
 * (models/params.h, osq_quota_distribute in models/quota.c, the loader in sim/input/scenario.c): a listed
 * year never has a plan or a flight; listing a year changes no draw of the years before it nor
 * of any unlisted year simulated on its own; a listed year consumes exactly the draw of a failed
 * plan; the checker rejects an agreed plan in a listed year; the shipped timeline loads it.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "models/errors.h"
#include "models/params.h"
#include "models/quota.h"
#include "quota_fixture.h"
#include "sim/input/scenario.h"

/* Large structs live in static storage: Criterion runs each test in its own process. */
static osq_treaty_t T;
static osq_model_params_t P, Q;
static osq_quota_caps_t C, D;
static osq_year_t Y, Z;

static gsl_rng *rng_seeded(unsigned long seed) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  gsl_rng_set(r, seed);
  return r;
}

/* Two simulated years are the same: plan, flights (targets, observers, days, statuses). */
static void assert_same_year(const osq_year_t *a, const osq_year_t *b, unsigned long seed) {
  cr_assert_eq(a->plan_agreed, b->plan_agreed, "seed %lu: plan differs", seed);
  cr_assert_eq(a->n_flights, b->n_flights, "seed %lu: %d vs %d flights", seed, a->n_flights, b->n_flights);
  for (int f = 0; f < a->n_flights; f++) {
    const osq_flight_t *x = &a->flights[f], *y = &b->flights[f];
    cr_assert(x->target == y->target && x->n_obs == y->n_obs && x->day == y->day && x->status == y->status &&
                  x->void_obs == y->void_obs && memcmp(x->obs, y->obs, sizeof x->obs) == 0,
              "seed %lu: flight %d differs", seed, f);
  }
}

Test(no_plan_years, default_is_empty) {
  osq_model_params_default(&P);
  cr_assert_eq(P.n_no_plan_years, 0);
  cr_assert(!osq_model_params_no_plan_year(&P, 2018));
  P.no_plan_years[0] = 2018;
  P.n_no_plan_years = 1;
  cr_assert(osq_model_params_no_plan_year(&P, 2018));
  cr_assert(!osq_model_params_no_plan_year(&P, 2019));
}

Test(no_plan_years, listed_year_has_no_plan_and_no_flight) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  P.plan_fail_prob = 0.0; /* without the list every year would have a plan */
  P.no_plan_years[0] = 2017;
  P.no_plan_years[1] = 2018;
  P.n_no_plan_years = 2;
  cr_assert_eq(osq_quota_caps(&T, &P, 2018, &C), 0);
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &D), 0);
  for (unsigned long s = 1; s <= 200; s++) {
    gsl_rng *r = rng_seeded(s);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
    cr_assert(!Y.plan_agreed, "seed %lu: 2018 has a plan", s);
    cr_assert_eq(Y.n_flights, 0);
    cr_assert_eq(osq_quota_check(&T, &P, &Y, NULL, 0), 0);
    cr_assert_eq(osq_quota_simulate(&T, &P, &D, r, &Z), 0);
    cr_assert(Z.plan_agreed, "seed %lu: 2019 (not listed) has no plan", s);
    cr_assert_gt(Z.n_flights, 0);
    gsl_rng_free(r);
  }
}

Test(no_plan_years, unlisted_years_keep_their_draws) {
  /* 2019 on its own, with and without 2018 listed (default plan_fail_prob, so plans do fail
   * sometimes; a withdrawal in the year, so void flights are compared too): bit-identical years
   * for every seed. */
  fx_treaty_2019(&T);
  fx_withdraw(&T, "US", fx_day("2019-07-01"));
  osq_model_params_default(&P);
  Q = P;
  Q.no_plan_years[0] = 2018;
  Q.n_no_plan_years = 1;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  cr_assert_eq(osq_quota_caps(&T, &Q, 2019, &D), 0);
  int failed = 0;
  for (unsigned long s = 1; s <= 300; s++) {
    gsl_rng *a = rng_seeded(s), *b = rng_seeded(s);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, a, &Y), 0);
    cr_assert_eq(osq_quota_simulate(&T, &Q, &D, b, &Z), 0);
    assert_same_year(&Y, &Z, s);
    cr_assert_eq(gsl_rng_get(a), gsl_rng_get(b), "seed %lu: streams diverged", s);
    failed += !Y.plan_agreed;
    gsl_rng_free(a);
    gsl_rng_free(b);
  }
  cr_assert_gt(failed, 0, "no plan failed in 300 seeds: the comparison did not cover failures");
}

Test(no_plan_years, listed_year_consumes_the_draw_of_a_failed_plan) {
  /* 2018 listed then 2019, against 2018 failing by plan_fail_prob = 1 then 2019 with the
   * default: the same 2019 for every seed, so a listed year uses exactly one plan draw. */
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  P.no_plan_years[0] = 2018;
  P.n_no_plan_years = 1;
  osq_model_params_default(&Q);
  Q.plan_fail_prob = 1.0;
  osq_quota_caps_t c18p, c18q;
  cr_assert_eq(osq_quota_caps(&T, &P, 2018, &c18p), 0);
  cr_assert_eq(osq_quota_caps(&T, &Q, 2018, &c18q), 0);
  osq_model_params_t q19;
  osq_model_params_default(&q19);
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  cr_assert_eq(osq_quota_caps(&T, &q19, 2019, &D), 0);
  for (unsigned long s = 1; s <= 200; s++) {
    gsl_rng *a = rng_seeded(s), *b = rng_seeded(s);
    cr_assert_eq(osq_quota_simulate(&T, &P, &c18p, a, &Y), 0);
    cr_assert_eq(osq_quota_simulate(&T, &Q, &c18q, b, &Z), 0);
    cr_assert(!Y.plan_agreed && !Z.plan_agreed);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, a, &Y), 0);
    cr_assert_eq(osq_quota_simulate(&T, &q19, &D, b, &Z), 0);
    assert_same_year(&Y, &Z, s);
    gsl_rng_free(a);
    gsl_rng_free(b);
  }
}

Test(no_plan_years, checker_rejects_a_plan_in_a_listed_year) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  P.plan_fail_prob = 0.0;
  cr_assert_eq(osq_quota_caps(&T, &P, 2018, &C), 0);
  gsl_rng *r = rng_seeded(5);
  cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0); /* 2018 with a plan: legal without a list */
  gsl_rng_free(r);
  cr_assert(Y.plan_agreed);
  cr_assert_eq(osq_quota_check(&T, &P, &Y, NULL, 0), 0);
  P.no_plan_years[0] = 2018;
  P.n_no_plan_years = 1;
  char why[256];
  cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), OSQ_EINVAL);
  cr_assert(strstr(why, "plan") && strstr(why, "no_plan_years"), "%s", why);
  Y.n_flights = 0; /* an agreed but empty plan is still an agreed plan */
  cr_assert_eq(osq_quota_check(&T, &P, &Y, NULL, 0), OSQ_EINVAL);
}

Test(no_plan_years, shipped_scenarios) {
  osq_scenario_t *sc = malloc(sizeof *sc);
  cr_assert_not_null(sc);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_scenario_load(OSQ_SOURCE_DIR "/scenarios/timeline.cfg", sc, &err), 0, "%s", err.msg[0]);
  cr_assert_eq(sc->model.n_no_plan_years, 1);
  cr_assert_eq(sc->model.no_plan_years[0], 2018);
  cr_assert(sc->model.plan_fail_prob == 0.0);
  cr_assert_eq(sc->first_year, 2002);
  cr_assert_eq(sc->last_year, 2025);
  osq_error_clear(&err);
  cr_assert_eq(osq_scenario_load(OSQ_SOURCE_DIR "/scenarios/baseline.cfg", sc, &err), 0, "%s", err.msg[0]);
  cr_assert_eq(sc->model.n_no_plan_years, 0);
  free(sc);
}
