/*
 * test_behaviours.c: the behaviours added with the history (docs/model.md sections 2.3-2.5) —
 * per-year parameters, pauses, a pair's own interest, aircraft (2.6) — with known answers, and as properties over
 * many seeds: no rule is ever broken (osq_quota_check), and a pause leaves every draw of the year
 * and every flight outside it as they were.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <string.h>

#include "models/errors.h"
#include "models/params.h"
#include "models/quota.h"
#include "quota_fixture.h"

static osq_treaty_t T;
static osq_model_params_t P, PY;
static osq_quota_caps_t C;
static osq_year_t Y, Y2;

Test(years, per_year_values_apply_to_their_year_only) {
  osq_model_params_default(&P);
  P.demand_by[3] = 0.8;
  P.years[P.n_years++] = (osq_year_params_t){.year = 2002, .demand_factor = 0.5, .share_prob = -1, .completion = 0.5,
                                             .season_first_doy = 220};
  osq_model_params_for_year(&P, 2002, &PY);
  cr_expect_float_eq(PY.demand, 0.5 * P.demand, 1e-15, "the factor on the global demand");
  cr_expect_float_eq(PY.demand_by[3], 0.4, 1e-15, "and on every party's own");
  cr_expect(PY.demand_by[4] < 0.0, "an unset one stays unset (the global value, scaled)");
  cr_expect_float_eq(PY.completion, 0.5, 1e-15);
  cr_expect_float_eq(PY.share_prob, P.share_prob, 1e-15, "unset: the global value");
  cr_expect_eq(PY.season_first_doy, 220);
  cr_expect_eq(PY.season_last_doy, P.season_last_doy);
  osq_model_params_for_year(&P, 2003, &PY);
  cr_expect_float_eq(PY.demand, P.demand, 1e-15, "another year: the global values");
  cr_expect_eq(PY.season_first_doy, 1);
}

Test(years, a_late_season_has_no_flight_before_it, .timeout = 60) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  P.years[P.n_years++] = (osq_year_params_t){.year = 2002, .demand_factor = -1, .share_prob = -1, .completion = -1,
                                             .season_first_doy = 220};
  osq_model_params_for_year(&P, 2002, &PY);
  cr_assert_eq(osq_quota_caps(&T, &PY, 2002, &C), 0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  const osq_day_t aug8 = fx_day("2002-08-08");
  int flights = 0;
  for (unsigned long seed = 1; seed <= 500; seed++) {
    gsl_rng_set(r, seed);
    cr_assert_eq(osq_quota_simulate(&T, &PY, &C, r, &Y), 0);
    char why[256];
    cr_assert_eq(osq_quota_check(&T, &PY, &Y, why, sizeof why), 0, "seed %lu: %s", seed, why);
    for (int f = 0; f < Y.n_flights; f++) {
      if (Y.flights[f].day == OSQ_DAY_NEVER) continue;
      cr_assert(Y.flights[f].day >= aug8, "seed %lu: a flight before 8 August", seed);
      flights += Y.flights[f].status == OSQ_FLIGHT_COMPLETED;
    }
  }
  cr_expect(flights > 500 * 40, "flights are still flown after 8 August (%d)", flights);
  gsl_rng_free(r);
}

/* A pause cancels exactly the flights dated in it, and changes nothing else: the same seed gives
 * the same flights and days, and the same fate outside the pause. */
Test(pauses, cancel_exactly_the_flights_in_them, .timeout = 60) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  PY = P;
  PY.pauses[PY.n_pauses++] = (osq_pause_t){fx_day("2019-04-01"), fx_day("2019-10-31")};
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  int in_pause = 0;
  for (unsigned long seed = 1; seed <= 2000; seed++) {
    gsl_rng_set(r, seed);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
    gsl_rng_set(r, seed);
    cr_assert_eq(osq_quota_simulate(&T, &PY, &C, r, &Y2), 0);
    char why[256];
    cr_assert_eq(osq_quota_check(&T, &PY, &Y2, why, sizeof why), 0, "seed %lu: %s", seed, why);
    cr_assert_eq(Y.n_flights, Y2.n_flights);
    for (int f = 0; f < Y.n_flights; f++) {
      const osq_flight_t *a = &Y.flights[f], *b = &Y2.flights[f];
      cr_assert_eq(a->day, b->day, "seed %lu: a pause moved a flight", seed);
      const bool paused = b->day != OSQ_DAY_NEVER && b->day >= PY.pauses[0].from && b->day <= PY.pauses[0].until;
      if (paused) {
        cr_assert(b->status != OSQ_FLIGHT_COMPLETED, "seed %lu: a flight completed in the pause", seed);
        in_pause += a->status == OSQ_FLIGHT_COMPLETED;
      } else {
        cr_assert_eq(a->status, b->status, "seed %lu: a pause changed a flight outside it", seed);
      }
    }
  }
  cr_expect(in_pause > 2000 * 40, "the pause cancelled flights that would have been flown (%d)", in_pause);
  gsl_rng_free(r);
}

Test(pauses, the_checker_refuses_a_flight_completed_in_one) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  gsl_rng_set(r, 7);
  cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
  int f = 0;
  while (f < Y.n_flights && Y.flights[f].status != OSQ_FLIGHT_COMPLETED) f++;
  cr_assert(f < Y.n_flights);
  P.pauses[P.n_pauses++] = (osq_pause_t){Y.flights[f].day, Y.flights[f].day};
  char why[256] = "";
  cr_expect_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), OSQ_EINVAL);
  cr_expect(strncmp(why, "pause", 5) == 0, "%s", why);
  gsl_rng_free(r);
}

Test(pairs, a_pair_of_zero_interest_never_flies) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  const int ru = osq_treaty_find(&T, "RUBY"), us = osq_treaty_find(&T, "US");
  P.pair_interest[ru][us] = 0.0;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  cr_expect(C.weight[ru][us] == 0.0);
  cr_expect(C.weight[us][ru] > 0.0, "only that direction");
  P.pair_interest[ru][us] = 0.5;
  osq_quota_caps_t C2;
  osq_model_params_t P1;
  osq_model_params_default(&P1);
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  cr_assert_eq(osq_quota_caps(&T, &P1, 2019, &C2), 0);
  cr_expect_float_eq(C.weight[ru][us], 0.5 * C2.weight[ru][us], 1e-12, "the factor scales the weight");
}

Test(pairs, a_pair_applies_in_its_years_only) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  const int ge = osq_treaty_find(&T, "GE"), ru = osq_treaty_find(&T, "RUBY");
  P.pairs[P.n_pairs++] = (osq_pair_params_t){ge, ru, 0.0, 2012, 2021};
  osq_model_params_for_year(&P, 2011, &PY);
  cr_assert_eq(osq_quota_caps(&T, &PY, 2011, &C), 0);
  cr_expect(C.weight[ge][ru] > 0.0, "before the ban");
  osq_model_params_for_year(&P, 2012, &PY);
  cr_assert_eq(osq_quota_caps(&T, &PY, 2012, &C), 0);
  cr_expect(C.weight[ge][ru] == 0.0, "during the ban");
  cr_expect(C.weight[ru][ge] > 0.0, "only that direction");
  osq_model_params_for_year(&P, 2022, &PY);
  cr_assert_eq(osq_quota_caps(&T, &PY, 2022, &C), 0);
  cr_expect(C.weight[ge][ru] > 0.0, "after it");
}

/* ---------------------------------------------------------------------------------------- */
/* Aircraft (docs/model.md 2.6)                                                              */
/* ---------------------------------------------------------------------------------------- */

/* Three parties of quota 6: A operates a plane of `missions` a year, B none, C one of
 * `c_missions` when it is positive. Everyone asks for all it may. */
static void aircraft_setup(int missions, int c_missions, double taxi) {
  memset(&T, 0, sizeof T);
  const osq_day_t eif = fx_day("2002-01-01");
  fx_add(&T, "A", OSQ_BLOC_NATO, 1949, 6, eif, 50.0, 5.0);
  fx_add(&T, "B", OSQ_BLOC_NATO, 1949, 6, eif, 52.0, 10.0);
  fx_add(&T, "C", OSQ_BLOC_NATO, 1949, 6, eif, 48.0, 15.0);
  fx_aircraft(&T, "A's", "A", eif, OSQ_DAY_NEVER, missions);
  if (c_missions > 0) fx_aircraft(&T, "C's", "C", eif, OSQ_DAY_NEVER, c_missions);
  osq_model_params_default(&P);
  P.demand = 1.0;
  P.plan_fail_prob = 0.0;
  P.completion = 1.0;
  P.taxi_prob = taxi;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
}

Test(aircraft, a_plane_flies_its_missions_and_no_more) {
  aircraft_setup(3, 0, 0.0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  long b_slots = 0;
  for (unsigned long seed = 1; seed <= 2000; seed++) {
    gsl_rng_set(r, seed);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
    char why[256];
    cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "seed %lu: %s", seed, why);
    cr_assert_leq(Y.n_flights, 3, "seed %lu: %d flights on a plane of 3 missions", seed, Y.n_flights);
    for (int f = 0; f < Y.n_flights; f++) {
      cr_assert_eq(Y.flights[f].obs[0], 0, "seed %lu: only A leads", seed);
      cr_assert_eq(Y.flights[f].aircraft, 0);
      for (int k = 1; k < Y.flights[f].n_obs; k++) b_slots += Y.flights[f].obs[k] == 1;
    }
  }
  gsl_rng_free(r);
  cr_expect_gt(b_slots, 0, "B flies by joining A's flights");
}

Test(aircraft, the_taxi_option_uses_the_observed_partys_plane) {
  /* A's plane has no mission: A and B lead only over C, on C's (enough missions for C's own
   * flights, which come first, and theirs) */
  aircraft_setup(0, 20, 1.0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  long over_c = 0;
  for (unsigned long seed = 1; seed <= 2000; seed++) {
    gsl_rng_set(r, seed);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
    char why[256];
    cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "seed %lu: %s", seed, why);
    for (int f = 0; f < Y.n_flights; f++) {
      const osq_flight_t *fl = &Y.flights[f];
      cr_assert_eq(fl->aircraft, 1, "seed %lu: every flight on C's plane", seed);
      cr_assert(fl->target == 2 || fl->obs[0] == 2, "seed %lu: C's plane over C, or led by C", seed);
      over_c += fl->target == 2 && fl->obs[0] != 2;
    }
  }
  gsl_rng_free(r);
  cr_expect_gt(over_c, 2000, "taxi flights over C (%ld)", over_c);
  aircraft_setup(0, 20, 0.0); /* no taxi: only C leads */
  gsl_rng_set(r = gsl_rng_alloc(gsl_rng_taus2), 7);
  cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
  for (int f = 0; f < Y.n_flights; f++) cr_assert_eq(Y.flights[f].obs[0], 2);
  gsl_rng_free(r);
}

Test(aircraft, off_every_party_leads_and_no_plane_is_named) {
  aircraft_setup(3, 0, 0.0);
  P.aircraft = false;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  long b_leads = 0;
  for (unsigned long seed = 1; seed <= 200; seed++) {
    gsl_rng_set(r, seed);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
    for (int f = 0; f < Y.n_flights; f++) {
      cr_assert_eq(Y.flights[f].aircraft, -1);
      b_leads += Y.flights[f].obs[0] == 1;
    }
  }
  gsl_rng_free(r);
  cr_expect_gt(b_leads, 0);
}

Test(aircraft, missions_follow_the_days_in_service) {
  osq_aircraft_t a = {.from = fx_day("2022-11-04"), .until = OSQ_DAY_NEVER, .missions = 20};
  cr_expect_eq(osq_aircraft_missions(&a, 2022), 3, "58 of 365 days in service: 20 x 58 / 365 = 3.18");
  cr_expect_eq(osq_aircraft_missions(&a, 2023), 20);
  cr_expect_eq(osq_aircraft_missions(&a, 2021), 0, "before its service");
  a.until = fx_day("2024-07-02"); /* 183 of 366 days: 10 exactly, the half rounds up at 10.5 */
  cr_expect_eq(osq_aircraft_missions(&a, 2024), 10);
  a.missions = 21;
  cr_expect_eq(osq_aircraft_missions(&a, 2024), 11, "21 x 183 / 366 = 10.5, rounded half up");
}

Test(aircraft, the_checker_refuses_a_broken_plane_rule) {
  aircraft_setup(2, 0, 0.0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  char why[256];
  for (unsigned long seed = 1;; seed++) { /* a year where A flies both missions */
    gsl_rng_set(r, seed);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
    if (Y.n_flights == 2) break;
  }
  gsl_rng_free(r);
  cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "%s", why);
  Y2 = Y;
  Y2.flights[Y2.n_flights] = Y2.flights[1]; /* a third flight of A alone over the other target */
  Y2.flights[Y2.n_flights].target = Y2.flights[1].target == 1 ? 2 : 1;
  Y2.flights[Y2.n_flights].n_obs = 1;
  Y2.flights[Y2.n_flights].void_obs = 0;
  Y2.flights[Y2.n_flights].day = OSQ_DAY_NEVER;
  Y2.flights[Y2.n_flights].status = OSQ_FLIGHT_CANCELLED;
  Y2.n_flights++;
  cr_assert_neq(osq_quota_check(&T, &P, &Y2, why, sizeof why), 0);
  cr_expect(strstr(why, "more than its 2") != NULL, "%s", why);
  Y2 = Y;
  Y2.flights[0].obs[0] = 1; /* B leads on A's plane over a target that is not A */
  Y2.flights[0].target = 2;
  Y2.flights[0].n_obs = 1;
  Y2.flights[0].void_obs = 0;
  cr_assert_neq(osq_quota_check(&T, &P, &Y2, why, sizeof why), 0);
  cr_expect(strstr(why, "neither the lead nor the observed party") != NULL, "%s", why);
  Y2 = Y;
  Y2.flights[0].aircraft = -1;
  cr_assert_neq(osq_quota_check(&T, &P, &Y2, why, sizeof why), 0);
  cr_expect(strstr(why, "has no aircraft") != NULL, "%s", why);
  P.aircraft = false;
  cr_assert_neq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "rule off: a named plane is refused");
  cr_expect(strstr(why, "rule is off") != NULL, "%s", why);
}
