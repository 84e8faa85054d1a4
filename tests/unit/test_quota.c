/*
 * test_quota.c: the quota model (models/quota.h) and the flight metrics (models/metrics.h) on
 * small hand-made treaties with known answers, and the rule checker against deliberately broken
 * years (one test per rule).
 */
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "models/bits.h"
#include "models/errors.h"
#include "models/metrics.h"
#include "models/params.h"
#include "models/quota.h"
#include "models/rng.h"
#include "quota_fixture.h"

/* Large structs live in static storage: Criterion runs each test in its own process. */
static osq_treaty_t T;
static osq_model_params_t P;
static osq_quota_caps_t C;
static osq_year_t Y;
static osq_metrics_t M;

static gsl_rng *rng_seeded(unsigned long seed) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  gsl_rng_set(r, seed);
  return r;
}

static int idx(const char *code) { return osq_treaty_find(&T, code); }

/* ---------------------------------------------------------------------------------------- */
/* Caps                                                                                      */
/* ---------------------------------------------------------------------------------------- */

Test(caps, fifty_percent_rule) {
  memset(&T, 0, sizeof T);
  const osq_day_t eif = fx_day("2002-01-01");
  fx_add(&T, "US", OSQ_BLOC_NATO, 1949, 42, eif, 0, 0);
  fx_add(&T, "RUBY", OSQ_BLOC_RUBY, 0, 42, eif, 0, 0);
  fx_add(&T, "PT", OSQ_BLOC_NATO, 1949, 2, eif, 0, 0);
  fx_add(&T, "NO", OSQ_BLOC_NATO, 1949, 7, eif, 0, 0);
  osq_model_params_default(&P);
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  cr_expect_eq(C.pair_cap[idx("US")][idx("RUBY")], 21, "42/42 -> 21");
  cr_expect_eq(C.pair_cap[idx("RUBY")][idx("US")], 21);
  cr_expect_eq(C.pair_cap[idx("PT")][idx("RUBY")], 1, "2/42 -> 1");
  cr_expect_eq(C.pair_cap[idx("RUBY")][idx("PT")], 1, "42/2 -> 1");
  cr_expect_eq(C.pair_cap[idx("NO")][idx("RUBY")], 4, "7/42 -> ceil(3.5) = 4");
  cr_expect_eq(C.pair_cap[idx("US")][idx("US")], 0, "no self-observation");
  cr_expect(C.weight[idx("US")][idx("US")] == 0.0);
  cr_expect_eq(C.active_cap[idx("US")], 42, "active cap = own passive quota");
}

Test(caps, phase_in) {
  memset(&T, 0, sizeof T);
  const osq_day_t eif = fx_day("2002-01-01");
  fx_add(&T, "DE", OSQ_BLOC_NATO, 1955, 12, eif, 0, 0);
  fx_add(&T, "RUBY", OSQ_BLOC_RUBY, 0, 42, eif, 0, 0);
  fx_add(&T, "NO", OSQ_BLOC_NATO, 1949, 7, eif, 0, 0);
  osq_model_params_default(&P);
  cr_assert_eq(osq_quota_caps(&T, &P, 2003, &C), 0);
  cr_expect_eq(C.passive_cap[idx("DE")], 9, "floor(0.75 x 12) = 9 in 2003");
  cr_expect_eq(C.passive_cap[idx("RUBY")], 31, "floor(0.75 x 42) = 31 in 2003");
  cr_expect_eq(C.passive_cap[idx("NO")], 5, "floor(0.75 x 7) = 5 in 2003");
  cr_expect_eq(C.active_cap[idx("DE")], 12, "the phase-in limits acceptance, not the active quota");
  cr_assert_eq(osq_quota_caps(&T, &P, 2005, &C), 0);
  cr_expect_eq(C.passive_cap[idx("DE")], 9, "2005 is the last phase-in year");
  cr_assert_eq(osq_quota_caps(&T, &P, 2006, &C), 0);
  cr_expect_eq(C.passive_cap[idx("DE")], 12, "full quota from 2006");
  cr_expect_eq(C.passive_cap[idx("RUBY")], 42);
  /* A factor that is not exact in binary still rounds down to the intended integer. */
  P.phase_in_factor = 0.7;
  memset(&T, 0, sizeof T);
  fx_add(&T, "A", OSQ_BLOC_NATO, 1949, 10, eif, 0, 0);
  cr_assert_eq(osq_quota_caps(&T, &P, 2003, &C), 0);
  cr_expect_eq(C.passive_cap[0], 7, "floor(0.7 x 10) = 7");
}

Test(caps, eligibility_by_membership_and_acceptance) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  cr_assert_eq(osq_quota_caps(&T, &P, 2002, &C), 0);
  cr_expect(!C.eligible[idx("FI")], "Finland in force from 2003-02-10");
  cr_expect_eq(C.passive_cap[idx("FI")], 0);
  cr_expect(C.weight[idx("US")][idx("FI")] == 0.0);
  cr_assert_eq(osq_quota_caps(&T, &P, 2003, &C), 0);
  cr_expect(C.eligible[idx("FI")]);
  fx_withdraw(&T, "US", fx_day("2020-11-22"));
  cr_assert_eq(osq_quota_caps(&T, &P, 2020, &C), 0);
  cr_expect(C.eligible[idx("US")], "in force on some day of 2020");
  cr_assert_eq(osq_quota_caps(&T, &P, 2021, &C), 0);
  cr_expect(!C.eligible[idx("US")]);
  cr_expect_eq(C.pair_cap[idx("RUBY")][idx("US")], 0);
  P.accepts_by[idx("GE")] = false;
  cr_assert_eq(osq_quota_caps(&T, &P, 2021, &C), 0);
  cr_expect(!C.eligible[idx("GE")], "accepts = false takes the party out of the distribution");
  cr_expect_eq(C.active_cap[idx("GE")], 0);
}

Test(caps, bad_arguments) {
  memset(&T, 0, sizeof T);
  const osq_day_t eif = fx_day("2002-01-01");
  osq_model_params_default(&P);
  for (int i = 0; i < 25; i++) {
    const char code[4] = {'P', (char)('0' + i / 10), (char)('0' + i % 10), '\0'};
    fx_add(&T, code, OSQ_BLOC_NATO, 1949, 42, eif, 0, 0);
  }
  cr_expect_eq(osq_quota_caps(&T, &P, 2019, &C), OSQ_ERANGE, "25 x 42 = 1050 > OSQ_FLIGHTS_MAX");
  T.n_parties = 3;
  cr_expect_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  cr_expect_eq(osq_quota_caps(&T, &P, 1800, &C), OSQ_EINVAL);
  T.parties[1].passive_quota = -1;
  cr_expect_eq(osq_quota_caps(&T, &P, 2019, &C), OSQ_EINVAL);
}

/* ---------------------------------------------------------------------------------------- */
/* Distribution                                                                              */
/* ---------------------------------------------------------------------------------------- */

/* Two observers A, B that only want to fly over T, whose passive quota is 1. */
static void shared_setup(void) {
  memset(&T, 0, sizeof T);
  const osq_day_t eif = fx_day("2002-01-01");
  fx_add(&T, "A", OSQ_BLOC_NATO, 1949, 2, eif, 0, 0);
  fx_add(&T, "B", OSQ_BLOC_NATO, 1949, 2, eif, 0, 0);
  fx_add(&T, "T", OSQ_BLOC_NATO, 1949, 1, eif, 0, 0);
  osq_model_params_default(&P);
  P.plan_fail_prob = 0.0;
  P.demand = 1.0;
  P.demand_by[2] = 0.0;           /* T asks for nothing */
  P.interest_by[0] = 0.0;         /* A and B are not targets */
  P.interest_by[1] = 0.0;
  P.share_prob = 1.0;
  P.completion = 1.0;
}

Test(distribute, shared_flight_counts_once_against_target_once_per_observer) {
  shared_setup();
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  cr_assert_eq(C.pair_cap[0][2], 1);
  cr_assert_eq(C.passive_cap[2], 1);
  for (unsigned long s = 1; s <= 50; s++) {
    gsl_rng *r = rng_seeded(s);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
    gsl_rng_free(r);
    cr_assert_eq(Y.n_flights, 1, "one flight over T (passive quota 1)");
    cr_assert_eq(Y.flights[0].n_obs, 2, "both observers on it");
    cr_assert_eq(Y.passive_used[2], 1);
    cr_assert_eq(Y.active_used[0], 1);
    cr_assert_eq(Y.active_used[1], 1);
    cr_assert_eq(Y.pair_used[0][2], 1);
    cr_assert_eq(Y.pair_used[1][2], 1);
    char why[256];
    cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "%s", why);
    osq_metrics_compute(&T, &Y, &M);
    cr_assert_eq(M.flights, 1);
    cr_assert_eq(M.flights_active, 2);
    cr_assert_eq(M.flights_over[2], 1);
    cr_assert_eq(M.flights_by[0], 1);
    cr_assert_eq(M.flights_by[1], 1);
    cr_assert_eq(M.dyads, 2);
    cr_assert_eq(M.dyad[0][2], 1);
    cr_assert_eq(M.dyad[1][2], 1);
    cr_assert_float_eq(M.dyad_density, 2.0 / 6.0, 1e-12);
  }
}

/* A join picks the same flight whether the target's flights are searched as a bit mask (a passive
 * cap of at most 64) or scanned (above 64): two treaties that differ only in the target's quota, 64
 * or 65, with fewer requests over it than either cap (three observers, 20 each by the 50 % rule),
 * give the same years, joins included. */
static void join_paths_setup(osq_treaty_t *t, int quota) {
  memset(t, 0, sizeof *t);
  const osq_day_t eif = fx_day("2002-01-01");
  fx_add(t, "A", OSQ_BLOC_NATO, 1949, 40, eif, 0, 0);
  fx_add(t, "B", OSQ_BLOC_NATO, 1949, 40, eif, 0, 0);
  fx_add(t, "C", OSQ_BLOC_NATO, 1949, 40, eif, 0, 0);
  fx_add(t, "T", OSQ_BLOC_RUBY, 0, quota, eif, 0, 0);
}

Test(distribute, joins_by_mask_and_by_scan_agree) {
  static osq_treaty_t T65;
  static osq_quota_caps_t C65;
  static osq_year_t Y65;
  join_paths_setup(&T, 64);
  join_paths_setup(&T65, 65);
  osq_model_params_default(&P);
  P.plan_fail_prob = 0.0;
  P.demand = 1.0;
  P.demand_by[3] = 0.0;   /* T asks for nothing */
  P.size_exponent = 0.0;  /* the target's weight does not depend on its quota */
  for (int i = 0; i < 3; i++) P.interest_by[i] = 0.0; /* A, B and C are not targets */
  P.share_prob = 0.5;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  cr_assert_eq(osq_quota_caps(&T65, &P, 2019, &C65), 0);
  cr_assert(C.passive_cap[3] == 64 && C65.passive_cap[3] == 65);
  int shared = 0;
  for (unsigned long s = 1; s <= 200; s++) {
    gsl_rng *r = rng_seeded(s), *r65 = rng_seeded(s);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
    cr_assert_eq(osq_quota_simulate(&T65, &P, &C65, r65, &Y65), 0);
    gsl_rng_free(r);
    gsl_rng_free(r65);
    cr_assert_eq(Y.n_flights, Y65.n_flights, "seed %lu", s);
    cr_assert(Y.n_flights >= 20 && Y.passive_used[3] == Y.n_flights, "seed %lu: %d flights", s, Y.n_flights);
    for (int f = 0; f < Y.n_flights; f++) {
      const osq_flight_t *a = &Y.flights[f], *b = &Y65.flights[f];
      cr_assert(a->n_obs == b->n_obs && memcmp(a->obs, b->obs, sizeof a->obs) == 0 && a->day == b->day &&
                    a->status == b->status,
                "seed %lu flight %d", s, f);
      shared += a->n_obs > 1;
    }
    char why[256];
    cr_assert_eq(osq_quota_check(&T65, &P, &Y65, why, sizeof why), 0, "%s", why);
  }
  cr_assert(shared > 1000, "%d shared flights in 200 years", shared);
}

Test(distribute, without_sharing_the_second_observer_is_refused) {
  shared_setup();
  P.share_prob = 0.0;
  P.share_full_prob = 0.0;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  gsl_rng *r = rng_seeded(7);
  osq_quota_distribute(&T, &P, &C, r, &Y);
  gsl_rng_free(r);
  cr_assert_eq(Y.n_flights, 1);
  cr_assert_eq(Y.flights[0].n_obs, 1);
  cr_assert_eq(Y.active_used[0] + Y.active_used[1], 1);
}

Test(distribute, demand_is_binomial_in_the_own_quota) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  osq_model_params_party_defaults(&P, &T);
  P.plan_fail_prob = 0.0;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  const int de = idx("DE"), us = idx("US"), ru = idx("RUBY");
  double sum_de = 0.0, sum_us = 0.0;
  gsl_rng *r = rng_seeded(5);
  for (int s = 0; s < 2000; s++) {
    osq_quota_distribute(&T, &P, &C, r, &Y);
    int n_de = 0, n_us = 0, n_ru = 0;
    for (int j = 0; j < T.n_parties; j++) {
      n_de += Y.req[de][j];
      n_us += Y.req[us][j];
      n_ru += Y.req[ru][j];
      cr_assert_leq(Y.req[us][j], C.pair_cap[us][j], "requests stay within the 50 %% rule");
    }
    cr_assert_eq(n_ru, 42, "RUBY (demand 1) asks for its whole quota");
    cr_assert_leq(n_de, 12);
    sum_de += n_de;
    sum_us += n_us;
  }
  gsl_rng_free(r);
  /* Binomial(12, 0.45): mean 5.4, sd of the mean 0.038; Binomial(42, 0.65): 27.3, 0.066. */
  cr_expect(sum_de / 2000.0 > 5.2 && sum_de / 2000.0 < 5.6, "DE mean demand %.3f", sum_de / 2000.0);
  cr_expect(sum_us / 2000.0 > 27.0 && sum_us / 2000.0 < 27.6, "US mean demand %.3f", sum_us / 2000.0);
}

Test(distribute, no_flights_when_the_plan_fails) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  P.plan_fail_prob = 1.0;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  for (unsigned long s = 1; s <= 20; s++) {
    gsl_rng *r = rng_seeded(s);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
    gsl_rng_free(r);
    cr_assert(!Y.plan_agreed);
    cr_assert_eq(Y.n_flights, 0);
    cr_assert_eq(osq_quota_check(&T, &P, &Y, NULL, 0), 0);
    osq_metrics_compute(&T, &Y, &M);
    cr_assert_eq(M.plans_agreed, 0);
    cr_assert_eq(M.flights, 0);
    cr_assert_eq(M.dyads, 0);
  }
}

Test(distribute, plan_failure_rate) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  cr_assert_float_eq(P.plan_fail_prob, 1.0 / 18.0, 1e-15);
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  int agreed = 0;
  gsl_rng *r = rng_seeded(11);
  for (int s = 0; s < 3600; s++) {
    osq_quota_distribute(&T, &P, &C, r, &Y);
    agreed += Y.plan_agreed;
  }
  gsl_rng_free(r);
  /* 3600 x 17/18 = 3400, sd = 13.7: +-5 sd. */
  cr_expect(agreed > 3331 && agreed < 3469, "agreed %d of 3600", agreed);
}

/* Reciprocity: T (quota 2, so one flight for each observer by the 50 % rule) asks to fly over R
 * only; R, X and Y ask to fly over T. R's request is backed by T's and served first. */
static void reciprocity_setup(void) {
  memset(&T, 0, sizeof T);
  const osq_day_t eif = fx_day("2002-01-01");
  fx_add(&T, "T", OSQ_BLOC_OTHER, 0, 2, eif, 0, 0);
  fx_add(&T, "R", OSQ_BLOC_RUBY, 0, 4, eif, 0, 0);
  fx_add(&T, "X", OSQ_BLOC_NATO, 1949, 4, eif, 0, 0);
  fx_add(&T, "Y", OSQ_BLOC_NATO, 1949, 4, eif, 0, 0);
  fx_add(&T, "Z", OSQ_BLOC_NATO, 1949, 4, eif, 0, 0);
  osq_model_params_default(&P);
  P.plan_fail_prob = 0.0;
  P.demand = 1.0;
  for (int a = 0; a < OSQ_BLOC_COUNT; a++)
    for (int b = 0; b < OSQ_BLOC_COUNT; b++) P.interest[a][b] = 0.0;
  P.interest[OSQ_BLOC_OTHER][OSQ_BLOC_RUBY] = 1.0;
  P.interest[OSQ_BLOC_RUBY][OSQ_BLOC_OTHER] = 1.0;
  P.interest[OSQ_BLOC_NATO][OSQ_BLOC_OTHER] = 1.0;
  P.share_prob = 0.0;
  P.share_full_prob = 0.0;
}

Test(distribute, reciprocal_requests_are_served_first) {
  reciprocity_setup();
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  cr_assert_eq(C.passive_cap[0], 2);
  int r_missed = 0;
  for (unsigned long s = 1; s <= 300; s++) {
    gsl_rng *r = rng_seeded(s);
    osq_quota_distribute(&T, &P, &C, r, &Y);
    gsl_rng_free(r);
    cr_assert_eq(Y.req[0][1], 1, "T asks once over R");
    cr_assert_eq(Y.passive_used[0], 2, "T's two flights are granted");
    r_missed += Y.pair_used[1][0] == 0;
  }
  cr_expect_eq(r_missed, 0, "R's backed request was refused %d times", r_missed);

  /* Without the reciprocity round, R competes with X, Y and Z for T's two flights. */
  P.reciprocity = false;
  r_missed = 0;
  for (unsigned long s = 1; s <= 300; s++) {
    gsl_rng *r = rng_seeded(s);
    osq_quota_distribute(&T, &P, &C, r, &Y);
    gsl_rng_free(r);
    r_missed += Y.pair_used[1][0] == 0;
  }
  cr_expect(r_missed > 100 && r_missed < 200, "R refused %d of 300 times, expected about 150", r_missed);
}

Test(distribute, phase_in_cap_holds_under_heavy_demand) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  P.plan_fail_prob = 0.0;
  P.demand = 1.0;
  P.share_prob = 0.0;
  P.share_full_prob = 0.0;
  cr_assert_eq(osq_quota_caps(&T, &P, 2003, &C), 0);
  int full = 0;
  for (unsigned long s = 1; s <= 50; s++) {
    gsl_rng *r = rng_seeded(s);
    osq_quota_distribute(&T, &P, &C, r, &Y);
    gsl_rng_free(r);
    for (int j = 0; j < T.n_parties; j++) cr_assert_leq(Y.passive_used[j], C.passive_cap[j]);
    full += Y.passive_used[idx("DE")] == 9;
    cr_assert_eq(osq_quota_check(&T, &P, &Y, NULL, 0), 0);
  }
  cr_expect_gt(full, 0, "DE's phase-in cap of 9 should be reached under full demand");
}

/* ---------------------------------------------------------------------------------------- */
/* Schedule and execution                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* Target Q with quota 40 and two observers that may each fly 20 times over it. */
static void crowded_setup(void) {
  memset(&T, 0, sizeof T);
  const osq_day_t eif = fx_day("2002-01-01");
  fx_add(&T, "Q", OSQ_BLOC_OTHER, 0, 40, eif, 0, 0);
  fx_add(&T, "A", OSQ_BLOC_NATO, 1949, 40, eif, 0, 0);
  fx_add(&T, "B", OSQ_BLOC_NATO, 1949, 40, eif, 0, 0);
  osq_model_params_default(&P);
  P.plan_fail_prob = 0.0;
  P.demand = 1.0;
  P.demand_by[0] = 0.0;
  P.interest_by[1] = 0.0;
  P.interest_by[2] = 0.0;
  P.share_prob = 0.0;
  P.share_full_prob = 0.0;
  P.completion = 1.0;
}

Test(schedule, window_holds_when_demand_exceeds_it) {
  crowded_setup();
  P.season_first_doy = 1;
  P.season_last_doy = 30; /* 30 days, one flight per 4 days: at most 8 */
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  for (unsigned long s = 1; s <= 200; s++) {
    gsl_rng *r = rng_seeded(s);
    osq_quota_distribute(&T, &P, &C, r, &Y);
    cr_assert_eq(Y.n_flights, 40);
    const int unplaced = osq_quota_schedule(&T, &P, r, &Y);
    osq_quota_execute(&T, &P, r, &Y);
    gsl_rng_free(r);
    int dated = 0;
    for (int f = 0; f < Y.n_flights; f++) dated += Y.flights[f].day != OSQ_DAY_NEVER;
    cr_assert_eq(dated + unplaced, 40);
    cr_assert_leq(dated, 8, "seed %lu: %d flights in 30 days", s, dated);
    cr_assert_geq(dated, 5, "a random legal placement leaves at most 6 days between flights");
    char why[256];
    cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "%s", why);
    osq_metrics_compute(&T, &Y, &M);
    cr_assert_eq(M.flights, dated, "every dated flight completes (completion 1)");
  }
}

Test(schedule, quarter_cap_holds_when_demand_exceeds_it) {
  crowded_setup();
  P.quarter_max = 3;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  for (unsigned long s = 1; s <= 200; s++) {
    gsl_rng *r = rng_seeded(s);
    osq_quota_distribute(&T, &P, &C, r, &Y);
    const int unplaced = osq_quota_schedule(&T, &P, r, &Y);
    gsl_rng_free(r);
    cr_assert_eq(unplaced, 40 - 12, "3 per quarter: 12 placed, 28 cancelled");
    int q[4] = {0};
    for (int f = 0; f < Y.n_flights; f++) {
      const osq_flight_t *fl = &Y.flights[f];
      if (fl->day == OSQ_DAY_NEVER) {
        cr_assert_eq(fl->status, OSQ_FLIGHT_CANCELLED);
        continue;
      }
      int yy, mm, dd;
      osq_date_to_ymd(fl->day, &yy, &mm, &dd);
      cr_assert_eq(yy, 2019);
      q[(mm - 1) / 3]++;
    }
    for (int k = 0; k < 4; k++) cr_assert_eq(q[k], 3);
    cr_assert_eq(osq_quota_check(&T, &P, &Y, NULL, 0), 0);
  }
}

Test(schedule, a_one_day_season_holds_one_flight_on_that_day) {
  crowded_setup();
  P.season_first_doy = 100;
  P.season_last_doy = 100;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  for (unsigned long s = 1; s <= 20; s++) {
    gsl_rng *r = rng_seeded(s);
    osq_quota_distribute(&T, &P, &C, r, &Y);
    cr_assert_eq(osq_quota_schedule(&T, &P, r, &Y), 39);
    gsl_rng_free(r);
    for (int f = 0; f < Y.n_flights; f++)
      if (Y.flights[f].day != OSQ_DAY_NEVER) cr_assert_eq(Y.flights[f].day, fx_day("2019-04-10"));
  }
}

Test(schedule, a_second_call_changes_nothing) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  osq_model_params_party_defaults(&P, &T);
  P.plan_fail_prob = 0.0;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  static osq_flight_t before[OSQ_FLIGHTS_MAX];
  for (unsigned long s = 1; s <= 20; s++) {
    gsl_rng *r = rng_seeded(s);
    osq_quota_distribute(&T, &P, &C, r, &Y);
    osq_quota_schedule(&T, &P, r, &Y);
    memcpy(before, Y.flights, sizeof before);
    cr_assert_eq(osq_quota_schedule(&T, &P, r, &Y), 0);
    gsl_rng_free(r);
    cr_assert(memcmp(before, Y.flights, (size_t)Y.n_flights * sizeof before[0]) == 0);
    cr_assert_eq(osq_quota_check(&T, &P, &Y, NULL, 0), 0);
  }
}

Test(schedule, withdrawn_party_flights_after_withdrawal_are_void) {
  fx_treaty_2019(&T);
  const osq_day_t wd = fx_day("2020-11-22");
  fx_withdraw(&T, "US", wd);
  osq_model_params_default(&P);
  osq_model_params_party_defaults(&P, &T);
  P.plan_fail_prob = 0.0;
  P.completion = 1.0;
  P.completion_by[idx("US")] = 1.0;
  P.season_first_doy = 300; /* 27 Oct 2020 .. 31 Dec 2020: both sides of the withdrawal */
  cr_assert_eq(osq_quota_caps(&T, &P, 2020, &C), 0);
  const int us = idx("US");
  int void_seen = 0, dropped_seen = 0, before = 0;
  for (unsigned long s = 1; s <= 100; s++) {
    gsl_rng *r = rng_seeded(s);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
    gsl_rng_free(r);
    char why[256];
    cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "%s", why);
    osq_metrics_compute(&T, &Y, &M);
    int us_by = 0;
    for (int f = 0; f < Y.n_flights; f++) {
      const osq_flight_t *fl = &Y.flights[f];
      if (fl->day == OSQ_DAY_NEVER) continue;
      bool us_obs = false;
      int k_us = -1;
      for (int k = 0; k < fl->n_obs; k++)
        if (fl->obs[k] == us) {
          k_us = k;
          us_obs = true;
        }
      if (fl->day >= wd) {
        if (fl->target == us) {
          cr_assert_eq(fl->status, OSQ_FLIGHT_VOID, "a flight over the US after its withdrawal");
          void_seen++;
        }
        if (us_obs) {
          cr_assert(fl->void_obs & (1u << k_us), "the US slot after its withdrawal is void");
          cr_assert(fl->status != OSQ_FLIGHT_COMPLETED || fl->n_obs > 1);
          if (fl->n_obs == 1) cr_assert_eq(fl->status, OSQ_FLIGHT_VOID);
          else dropped_seen++;
        }
      } else {
        cr_assert_eq(fl->void_obs, 0);
        cr_assert_eq(fl->status, OSQ_FLIGHT_COMPLETED, "completion 1 before the withdrawal");
        if (us_obs) {
          us_by++;
          before++;
        }
      }
    }
    cr_assert_eq(M.flights_by[us], us_by, "only the US flights before 22 Nov count");
  }
  cr_expect_gt(void_seen, 0);
  cr_expect_gt(dropped_seen, 0, "a shared flight should lose its US slot at least once");
  cr_expect_gt(before, 0);
}

Test(execute, completion_of_the_lead_observer) {
  shared_setup();
  P.share_prob = 0.0;
  P.share_full_prob = 0.0;
  P.completion = 0.0;
  P.completion_by[0] = 1.0; /* A always completes, B never */
  T.parties[2].passive_quota = 2; /* room for A and B each */
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  for (unsigned long s = 1; s <= 20; s++) {
    gsl_rng *r = rng_seeded(s);
    osq_quota_simulate(&T, &P, &C, r, &Y);
    gsl_rng_free(r);
    cr_assert_eq(Y.n_flights, 2);
    for (int f = 0; f < 2; f++) {
      const osq_flight_t *fl = &Y.flights[f];
      cr_assert_eq(fl->status, fl->obs[0] == 0 ? OSQ_FLIGHT_COMPLETED : OSQ_FLIGHT_CANCELLED);
    }
  }
}

Test(execute, a_void_lead_hands_the_flight_to_the_next_observer) {
  /* W (never completes) and A (always completes) share T's only flight; W has left by the
   * season, so the flight is A's whoever asked first. */
  memset(&T, 0, sizeof T);
  const osq_day_t eif = fx_day("2002-01-01");
  fx_add(&T, "W", OSQ_BLOC_NATO, 1949, 2, eif, 0, 0);
  fx_add(&T, "A", OSQ_BLOC_NATO, 1949, 2, eif, 0, 0);
  fx_add(&T, "T", OSQ_BLOC_NATO, 1949, 1, eif, 0, 0);
  fx_withdraw(&T, "W", fx_day("2019-06-01"));
  osq_model_params_default(&P);
  P.plan_fail_prob = 0.0;
  P.demand = 1.0;
  P.demand_by[2] = 0.0;
  P.interest_by[0] = P.interest_by[1] = 0.0;
  P.share_prob = 1.0;
  P.season_first_doy = 200;
  P.completion = 1.0;
  P.completion_by[0] = 0.0;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  int w_led = 0;
  for (unsigned long s = 1; s <= 40; s++) {
    gsl_rng *r = rng_seeded(s);
    osq_quota_simulate(&T, &P, &C, r, &Y);
    gsl_rng_free(r);
    cr_assert_eq(Y.n_flights, 1);
    const osq_flight_t *fl = &Y.flights[0];
    cr_assert_eq(fl->n_obs, 2);
    w_led += fl->obs[0] == 0;
    cr_assert_eq(fl->void_obs, fl->obs[0] == 0 ? 1u : 2u);
    cr_assert_eq(fl->status, OSQ_FLIGHT_COMPLETED);
    osq_metrics_compute(&T, &Y, &M);
    cr_assert_eq(M.flights_by[0], 0);
    cr_assert_eq(M.flights_by[1], 1);
  }
  cr_expect(w_led > 0 && w_led < 40, "W led %d of 40 flights", w_led);
}

Test(execute, same_seed_same_year) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  osq_model_params_party_defaults(&P, &T);
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  static osq_year_t Y2;
  for (unsigned long s = 1; s <= 20; s++) {
    gsl_rng *r = rng_seeded(s);
    osq_quota_simulate(&T, &P, &C, r, &Y);
    gsl_rng_set(r, s);
    osq_quota_simulate(&T, &P, &C, r, &Y2);
    gsl_rng_free(r);
    cr_assert_eq(Y.n_flights, Y2.n_flights);
    cr_assert(memcmp(Y.flights, Y2.flights, (size_t)Y.n_flights * sizeof Y.flights[0]) == 0);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Metrics                                                                                   */
/* ---------------------------------------------------------------------------------------- */

Test(metrics, aggregate_rows) {
  fx_treaty_2019(&T);
  cr_expect(osq_agg_member(&T, idx("US"), 2019, OSQ_AGG_NAM));
  cr_expect(osq_agg_member(&T, idx("CA"), 2019, OSQ_AGG_NAM));
  cr_expect(!osq_agg_member(&T, idx("US"), 2019, OSQ_AGG_EUR));
  cr_expect(!osq_agg_member(&T, idx("RUBY"), 2019, OSQ_AGG_EUR));
  cr_expect(!osq_agg_member(&T, idx("RUBY"), 2019, OSQ_AGG_NAM));
  cr_expect(osq_agg_member(&T, idx("RUBY"), 2019, OSQ_AGG_ALL));
  cr_expect(osq_agg_member(&T, idx("DE"), 2019, OSQ_AGG_EUR));
  cr_expect(osq_agg_member(&T, idx("UA"), 2019, OSQ_AGG_EUR));
  cr_expect(osq_agg_member(&T, idx("FI"), 2019, OSQ_AGG_EUR));
  cr_expect_str_eq(osq_agg_name(OSQ_AGG_EUR), "EUR");

  osq_model_params_default(&P);
  osq_model_params_party_defaults(&P, &T);
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  gsl_rng *r = rng_seeded(3);
  P.plan_fail_prob = 0.0;
  osq_quota_simulate(&T, &P, &C, r, &Y);
  gsl_rng_free(r);
  osq_metrics_compute(&T, &Y, &M);
  const int ru = idx("RUBY");
  cr_expect_eq(M.flights_over_agg[OSQ_AGG_ALL], M.flights);
  cr_expect_eq(M.flights_by_agg[OSQ_AGG_ALL], M.flights_active);
  cr_expect_eq(M.flights_over_agg[OSQ_AGG_EUR] + M.flights_over_agg[OSQ_AGG_NAM] + M.flights_over[ru], M.flights);
  cr_expect_eq(M.flights_by_agg[OSQ_AGG_EUR] + M.flights_by_agg[OSQ_AGG_NAM] + M.flights_by[ru], M.flights_active);
  cr_expect_eq(M.n_in_force, 31);
  cr_expect_float_eq(M.dyad_density, M.dyads / (31.0 * 30.0), 1e-12);
}

/* ---------------------------------------------------------------------------------------- */
/* The checker against deliberately broken years                                             */
/* ---------------------------------------------------------------------------------------- */

/* A(12) B(12) C(4) D(2), all NATO, in force from 2002, D withdrawn on 1 Jul 2019. */
static void broken_setup(void) {
  memset(&T, 0, sizeof T);
  const osq_day_t eif = fx_day("2002-01-01");
  fx_add(&T, "A", OSQ_BLOC_NATO, 1949, 12, eif, 0, 0);
  fx_add(&T, "B", OSQ_BLOC_NATO, 1949, 12, eif, 0, 0);
  fx_add(&T, "C", OSQ_BLOC_NATO, 1949, 4, eif, 0, 0);
  fx_add(&T, "D", OSQ_BLOC_NATO, 1949, 2, eif, 0, 0);
  fx_withdraw(&T, "D", fx_day("2019-07-01"));
  osq_model_params_default(&P);
  osq_quota_reset(&Y, 2019, T.n_parties);
  Y.plan_agreed = true;
}

static osq_flight_t *put(int target, int o1, int o2, const char *day, int status) {
  osq_flight_t *fl = &Y.flights[Y.n_flights++];
  memset(fl, 0, sizeof *fl);
  fl->target = (int16_t)target;
  fl->obs[0] = (int8_t)o1;
  fl->obs[1] = (int8_t)o2;
  fl->obs[2] = fl->obs[3] = -1;
  fl->n_obs = o2 >= 0 ? 2 : 1;
  fl->aircraft = -1; /* the fixture lists no aircraft */
  fl->day = day ? fx_day(day) : OSQ_DAY_NEVER;
  fl->status = (uint8_t)status;
  return fl;
}

/* A valid base year: a shared flight, a cancelled one, an unscheduled one, D before it left. */
static void base_year(void) {
  broken_setup();
  put(0, 1, 2, "2019-01-10", OSQ_FLIGHT_COMPLETED);
  put(0, 3, -1, "2019-01-14", OSQ_FLIGHT_COMPLETED);
  put(1, 0, -1, "2019-03-01", OSQ_FLIGHT_CANCELLED);
  put(2, 0, -1, NULL, OSQ_FLIGHT_CANCELLED);
  put(3, 0, -1, "2019-06-30", OSQ_FLIGHT_COMPLETED);
}

static void expect_violation(const char *word) {
  char why[512];
  const int rc = osq_quota_check(&T, &P, &Y, why, sizeof why);
  cr_assert_eq(rc, OSQ_EINVAL, "the checker missed a '%s' violation", word);
  cr_assert(strstr(why, word) != NULL, "expected '%s' in: %s", word, why);
}

Test(check, base_year_is_valid) {
  base_year();
  char why[512];
  cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "%s", why);
  cr_assert_str_eq(why, "");
}

Test(check, passive_quota) {
  base_year();
  put(3, 1, -1, "2019-02-01", OSQ_FLIGHT_COMPLETED);
  put(3, 2, -1, "2019-03-01", OSQ_FLIGHT_COMPLETED); /* D (2) now has 3 flights */
  expect_violation("passive quota");
}

Test(check, shared_flight_counts_once_against_the_target) {
  base_year();
  put(3, 1, 2, "2019-02-01", OSQ_FLIGHT_COMPLETED); /* D: 2 flights, 3 observer slots */
  char why[512];
  cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "%s", why);
}

Test(check, phase_in_passive_cap) {
  base_year();
  Y.year = 2003;
  for (int f = 0; f < Y.n_flights; f++)
    if (Y.flights[f].day != OSQ_DAY_NEVER) Y.flights[f].day -= fx_day("2019-01-01") - fx_day("2003-01-01");
  char why[512];
  cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "%s", why);
  put(3, 1, -1, "2003-02-01", OSQ_FLIGHT_COMPLETED); /* D: floor(0.75 x 2) = 1 in 2003 */
  expect_violation("passive quota");
}

Test(check, active_quota) {
  base_year();
  put(1, 3, -1, "2019-02-01", OSQ_FLIGHT_COMPLETED);
  put(2, 3, -1, "2019-02-01", OSQ_FLIGHT_COMPLETED); /* D (2) now flies 3 times */
  expect_violation("active quota");
}

Test(check, fifty_percent_rule) {
  base_year();
  put(0, 2, -1, "2019-05-01", OSQ_FLIGHT_COMPLETED);
  put(0, 2, -1, "2019-05-10", OSQ_FLIGHT_COMPLETED); /* C over A: 3 > ceil(4/2) = 2 */
  expect_violation("50 % rule");
}

Test(check, self_observation) {
  base_year();
  put(1, 1, -1, "2019-05-01", OSQ_FLIGHT_COMPLETED);
  expect_violation("self-observation");
}

Test(check, observer_count_and_duplicates) {
  base_year();
  Y.flights[0].n_obs = 0;
  expect_violation("observers");
  base_year();
  Y.flights[0].n_obs = OSQ_OBS_MAX + 1;
  expect_violation("observers");
  base_year();
  Y.flights[0].obs[1] = 1; /* B twice */
  expect_violation("twice");
}

Test(check, window) {
  base_year();
  put(0, 2, -1, "2019-01-12", OSQ_FLIGHT_CANCELLED); /* 2 days after a flight over A */
  expect_violation("96-hour window");
}

Test(check, window_counts_exactly_four_days_as_legal) {
  base_year();
  put(0, 2, -1, "2019-01-18", OSQ_FLIGHT_COMPLETED); /* 4 days after 14 Jan */
  char why[512];
  cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "%s", why);
}

Test(check, quarter_cap) {
  base_year();
  P.quarter_max = 2;
  put(0, 2, -1, "2019-02-20", OSQ_FLIGHT_COMPLETED); /* third over A in Q1 */
  expect_violation("quarter cap");
}

Test(check, season) {
  base_year();
  P.season_first_doy = 32; /* from 1 Feb: the January flights are outside */
  expect_violation("season");
}

Test(check, void_flight_after_withdrawal_must_be_void) {
  base_year();
  put(3, 1, -1, "2019-08-01", OSQ_FLIGHT_COMPLETED); /* over D after it left */
  expect_violation("void");
}

Test(check, void_slot_must_be_marked) {
  base_year();
  put(1, 3, 2, "2019-08-01", OSQ_FLIGHT_COMPLETED); /* D on board after it left, not marked */
  expect_violation("void");
  base_year();
  osq_flight_t *fl = put(1, 3, 2, "2019-08-01", OSQ_FLIGHT_COMPLETED);
  fl->void_obs = 1u; /* marked: legal */
  char why[512];
  cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), 0, "%s", why);
}

Test(check, void_without_reason) {
  base_year();
  Y.flights[0].status = OSQ_FLIGHT_VOID; /* everybody in force on 10 Jan */
  expect_violation("void");
}

Test(check, plan) {
  base_year();
  Y.plan_agreed = false;
  expect_violation("plan");
}

Test(check, eligibility) {
  base_year();
  Y.year = 2001; /* nobody in force */
  for (int f = 0; f < Y.n_flights; f++) {
    Y.flights[f].day = OSQ_DAY_NEVER;
    Y.flights[f].status = OSQ_FLIGHT_CANCELLED;
  }
  expect_violation("not eligible");
  base_year();
  P.accepts_by[0] = false;
  expect_violation("not eligible");
}

Test(check, status) {
  base_year();
  Y.flights[3].status = OSQ_FLIGHT_COMPLETED; /* completed without a date */
  expect_violation("status");
  base_year();
  Y.flights[0].status = 9;
  expect_violation("status");
}

/* The words both bit tests take, one an iteration: xorshift words, sparse ones, single bits and
 * runs of ones to the top. */
static inline uint64_t bits_test_word(uint64_t *s, int it) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  uint64_t x = *s;
  if (it % 3 == 1) x &= *s * 2654435761u;
  if (it % 5 == 2) x = UINT64_C(1) << (it % 64);
  if (it % 11 == 3) x = ~UINT64_C(0) << (it % 64);
  return x;
}

/* osq_bit_select (models/bits.h), which the schedule and the joins use to find the r-th free day and
 * the k-th joinable flight: the position a scan of the bits gives, for every rank of words sparse,
 * dense, single bits and all ones. */
Test(bits, select_matches_a_scan) {
  uint64_t s = 88172645463325252ULL;
  for (int it = 0; it < 200000; it++) {
    const uint64_t x = bits_test_word(&s, it);
    if (x == 0) continue;
    for (int r = 0, seen = 0; r < 64; r++) {
      if (!((x >> r) & 1u)) continue;
      cr_assert_eq(osq_bit_select(x, seen), r, "x = %016llx, rank %d", (unsigned long long)x, seen);
      seen++;
    }
    cr_assert_eq(osq_bit_count(x), __builtin_popcountll(x));
  }
}

#ifdef OSQ_BITS_HW
/* The forms with popcnt and pdep (models/bits.h), which quota.c's hot loops take where
 * osq_bits_hw(): the same answers as the portable forms above, for every rank of the same words. */
static OSQ_BITS_HW_TARGET void check_hw_words(void) {
  uint64_t s = 88172645463325252ULL;
  for (int it = 0; it < 200000; it++) {
    const uint64_t x = bits_test_word(&s, it);
    cr_assert_eq(osq_bit_count_hw(x), osq_bit_count(x), "x = %016llx", (unsigned long long)x);
    for (int r = 0; r < osq_bit_count(x); r++)
      cr_assert_eq(osq_bit_select_hw(x, r), osq_bit_select(x, r), "x = %016llx, rank %d", (unsigned long long)x, r);
  }
}

Test(bits, hardware_forms_match_the_portable_ones) {
  /* A processor without them runs only the portable forms; the popcnt and bmi2 check alone (not
   * osq_bits_hw's exclusion of slow pdep) decides whether they can be run here. */
  if (!__builtin_cpu_supports("popcnt") || !__builtin_cpu_supports("bmi2")) {
    cr_assert(!osq_bits_hw());
    return;
  }
  check_hw_words();
}
#endif

/* The demand draws' tables (osq_quota_caps_tables) change no draw: the same years, flight for
 * flight, on osq's Philox streams (where the tables are used) over 3,000 trials, with demands on
 * both sides of 1/2 (GSL counts down above it) and the parties whose draw GSL makes from two or
 * more uniforms left to GSL. */
Test(distribute, demand_tables_change_no_draw) {
  static osq_quota_caps_t CT;
  static osq_year_t YT;
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  osq_model_params_party_defaults(&P, &T);
  P.demand_by[idx("DE")] = 0.8;
  P.demand_by[idx("FR")] = 0.3;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  CT = C;
  const int built = osq_quota_caps_tables(&CT);
  int eligible = 0;
  for (int i = 0; i < T.n_parties; i++) eligible += C.eligible[i] && C.active_cap[i] > 0;
  cr_assert(built > eligible / 2 && built < eligible, "%d tables for %d parties (RUBY's and the US's 42 go to GSL)",
            built, eligible);
  gsl_rng *a = osq_rng_gsl_alloc(), *b = osq_rng_gsl_alloc();
  cr_assert(a && b);
  long flights = 0;
  for (uint64_t t = 0; t < 3000; t++) {
    osq_rng_gsl_reset(a, 20190101, t, OSQ_STREAM_MODEL);
    osq_rng_gsl_reset(b, 20190101, t, OSQ_STREAM_MODEL);
    cr_assert_eq(osq_quota_simulate(&T, &P, &C, a, &Y), 0);
    cr_assert_eq(osq_quota_simulate(&T, &P, &CT, b, &YT), 0);
    cr_assert_eq(Y.n_flights, YT.n_flights, "trial %llu", (unsigned long long)t);
    cr_assert(memcmp(Y.flights, YT.flights, sizeof Y.flights[0] * (size_t)Y.n_flights) == 0 &&
                  memcmp(Y.req, YT.req, sizeof Y.req) == 0,
              "trial %llu", (unsigned long long)t);
    cr_assert(gsl_rng_uniform(a) == gsl_rng_uniform(b), "trial %llu: the streams end apart", (unsigned long long)t);
    flights += Y.n_flights;
  }
  cr_assert_gt(flights, 3000 * 50);
  gsl_rng_free(a);
  gsl_rng_free(b);
}
