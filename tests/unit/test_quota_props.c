/*
 * test_quota_props.c: property tests of the quota model. Over many seeds of the 2019 treaty, a
 * phase-in year, the two withdrawal years and a family of random hand-made treaties, a simulated
 * year (distribute + schedule + execute) must pass the independent checker every time, and the
 * metrics must agree with the flight list.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <string.h>

#include "models/errors.h"
#include "models/metrics.h"
#include "models/params.h"
#include "models/quota.h"
#include "quota_fixture.h"

static osq_treaty_t T;
static osq_model_params_t P;
static osq_quota_caps_t C;
static osq_year_t Y;
static osq_metrics_t M;

/* Metrics recomputed the slow way, to compare with osq_metrics_compute. */
static void check_metrics(unsigned long seed) {
  osq_metrics_compute(&T, &Y, &M);
  int flights = 0, slots = 0;
  int over[OSQ_PARTIES_MAX] = {0}, by[OSQ_PARTIES_MAX] = {0};
  for (int f = 0; f < Y.n_flights; f++) {
    const osq_flight_t *fl = &Y.flights[f];
    if (fl->status != OSQ_FLIGHT_COMPLETED) continue;
    flights++;
    over[fl->target]++;
    for (int k = 0; k < fl->n_obs; k++)
      if (!(fl->void_obs & (1u << k))) {
        slots++;
        by[fl->obs[k]]++;
      }
  }
  cr_assert_eq(M.flights, flights, "seed %lu", seed);
  cr_assert_eq(M.flights_active, slots, "seed %lu", seed);
  int dyads = 0, sum_over = 0;
  for (int i = 0; i < T.n_parties; i++) {
    cr_assert_eq(M.flights_over[i], over[i]);
    cr_assert_eq(M.flights_by[i], by[i]);
    sum_over += M.flights_over[i];
    for (int j = 0; j < T.n_parties; j++) dyads += M.dyad[i][j] > 0;
  }
  cr_assert_eq(M.dyads, dyads);
  cr_assert_eq(sum_over, flights);
  cr_assert_eq(M.flights_over_agg[OSQ_AGG_ALL], flights);
  cr_assert_eq(M.flights_by_agg[OSQ_AGG_ALL], slots);
  cr_assert(M.dyad_density >= 0.0 && M.dyad_density <= 1.0);
  cr_assert_eq(M.plans_agreed, Y.plan_agreed ? 1 : 0);
  if (!Y.plan_agreed) cr_assert_eq(M.flights, 0);
  /* the aggregate rows by osq_agg_member, the dyads that flew by their mask */
  for (int a = 0; a < OSQ_AGG_COUNT; a++) {
    int agg_over = 0, agg_by = 0;
    for (int i = 0; i < T.n_parties; i++)
      if (osq_agg_member(&T, i, Y.year, (osq_agg_t)a)) {
        agg_over += over[i];
        agg_by += by[i];
      }
    cr_assert_eq(M.flights_over_agg[a], agg_over, "seed %lu row %s", seed, osq_agg_name(a));
    cr_assert_eq(M.flights_by_agg[a], agg_by, "seed %lu row %s", seed, osq_agg_name(a));
  }
  static int listed[OSQ_PARTIES_MAX][OSQ_PARTIES_MAX];
  memset(listed, 0, sizeof listed);
  for (int k = 0; k < M.dyads; k++) listed[M.dyad_list[k] >> 6][M.dyad_list[k] & 63]++;
  for (int i = 0; i < T.n_parties; i++)
    for (int j = 0; j < OSQ_PARTIES_MAX; j++)
      cr_assert_eq(listed[i][j], j < T.n_parties && M.dyad[i][j] > 0, "seed %lu: dyad %d->%d listed %d times", seed, i,
                   j, listed[i][j]);
  /* The engine's way (the year's part once, the struct reused from year to year) gives the same. */
  static osq_metrics_t M2;
  osq_metrics_year_t my;
  osq_metrics_year(&T, Y.year, &my);
  osq_metrics_count(&my, &Y, &M2);
  cr_assert(M2.flights == M.flights && M2.flights_active == M.flights_active && M2.dyads == M.dyads &&
                M2.dyad_density == M.dyad_density && M2.n_in_force == M.n_in_force && M2.plans_agreed == M.plans_agreed,
            "seed %lu: osq_metrics_count differs from osq_metrics_compute", seed);
  cr_assert(memcmp(M2.flights_over_agg, M.flights_over_agg, sizeof M.flights_over_agg) == 0 &&
                memcmp(M2.flights_by_agg, M.flights_by_agg, sizeof M.flights_by_agg) == 0 &&
                memcmp(M2.dyad_list, M.dyad_list, (size_t)M.dyads * sizeof M.dyad_list[0]) == 0,
            "seed %lu", seed);
  for (int i = 0; i < T.n_parties; i++) {
    cr_assert_eq(M2.flights_over[i], M.flights_over[i]);
    cr_assert_eq(M2.flights_by[i], M.flights_by[i]);
    cr_assert(memcmp(M2.dyad[i], M.dyad[i], (size_t)T.n_parties * sizeof M.dyad[i][0]) == 0, "seed %lu", seed);
  }
}

/* Simulate and check one seeded year; returns the number of flights granted. */
static int run_one(unsigned long seed, gsl_rng *r) {
  gsl_rng_set(r, seed);
  cr_assert_eq(osq_quota_simulate(&T, &P, &C, r, &Y), 0);
  char why[512];
  const int rc = osq_quota_check(&T, &P, &Y, why, sizeof why);
  cr_assert_eq(rc, 0, "seed %lu, year %d: %s", seed, C.year, why);
  for (int f = 0; f < Y.n_flights; f++)
    cr_assert_neq(Y.flights[f].status, OSQ_FLIGHT_PLANNED, "seed %lu: a flight left PLANNED", seed);
  check_metrics(seed);
  return Y.n_flights;
}

/* Flights over RUBY (passive, any status) and US observer slots over RUBY. */
static void ruby_counts(int *over, int *us_over) {
  const int ru = osq_treaty_find(&T, "RUBY"), us = osq_treaty_find(&T, "US");
  *over = *us_over = 0;
  for (int f = 0; f < Y.n_flights; f++) {
    const osq_flight_t *fl = &Y.flights[f];
    if (fl->target != ru) continue;
    (*over)++;
    for (int k = 0; k < fl->n_obs; k++) *us_over += fl->obs[k] == us;
  }
}

static void setup_2019(int year) {
  fx_treaty_2019(&T);
  osq_model_params_default(&P);
  osq_model_params_party_defaults(&P, &T);
  (void)year;
}

Test(props, treaty_2019_10000_seeds) {
  setup_2019(2019);
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  long total = 0, agreed = 0, shared = 0, ruby_max = 0, us_max = 0;
  for (unsigned long s = 1; s <= 10000; s++) {
    total += run_one(s, r);
    agreed += Y.plan_agreed;
    int over, us_over;
    ruby_counts(&over, &us_over);
    cr_assert_leq(over, 42, "seed %lu: %d flights over RUBY", s, over);
    cr_assert_leq(us_over, 21, "seed %lu: %d US flights over RUBY", s, us_over);
    if (over > ruby_max) ruby_max = over;
    if (us_over > us_max) us_max = us_over;
    for (int f = 0; f < Y.n_flights; f++) shared += Y.flights[f].n_obs > 1;
  }
  gsl_rng_free(r);
  /* The properties above must not hold vacuously. */
  cr_assert_gt(agreed, 9000);
  cr_assert_gt(total, 900000);
  cr_assert_gt(shared, 0);
  cr_assert_eq(ruby_max, 42, "RUBY's quota should be fully booked in some year");
  cr_assert_eq(us_max, 21, "the US should reach its 50 %% cap in some year");
}

/* The 2019 treaty with its fleets (docs/model.md 2.6): every year obeys the rules and every
 * aircraft's missions (osq_quota_check), a party without an aircraft leads a flight only on the
 * observed party's, and those without one still fly by joining. */
Test(props, treaty_2019_with_aircraft_5000_seeds) {
  setup_2019(2019);
  fx_fleets_2019(&T);
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  cr_assert(C.aircraft, "the rule is on by default when the treaty lists aircraft");
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  const int pl = osq_treaty_find(&T, "PL");
  long total = 0, taxis = 0, pl_slots = 0, pl_leads = 0;
  for (unsigned long s = 1; s <= 5000; s++) {
    total += run_one(s, r);
    for (int f = 0; f < Y.n_flights; f++) {
      const osq_flight_t *fl = &Y.flights[f];
      const uint64_t ops = T.aircraft[fl->aircraft].operators;
      const bool taxi = !((ops >> fl->obs[0]) & 1u);
      taxis += taxi;
      if (fl->obs[0] == pl) {
        pl_leads++;
        cr_assert(taxi && ((ops >> fl->target) & 1u), "seed %lu: PL leads a flight on a plane it has not", s);
      }
      for (int k = 0; k < fl->n_obs; k++) pl_slots += fl->obs[k] == pl;
    }
  }
  gsl_rng_free(r);
  cr_assert_gt(total, 300000);
  cr_assert_gt(taxis, 0, "the taxi option is used");
  cr_assert_gt(pl_slots, pl_leads, "Poland, without an aircraft, flies mostly by joining");
  cr_assert_gt(pl_slots, 5000, "and it does fly (%ld observer slots)", pl_slots);
}

Test(props, phase_in_2003_2000_seeds) {
  setup_2019(2003);
  cr_assert_eq(osq_quota_caps(&T, &P, 2003, &C), 0);
  cr_assert_eq(C.passive_cap[osq_treaty_find(&T, "RUBY")], 31);
  cr_assert(!C.eligible[osq_treaty_find(&T, "LT")], "Lithuania joined in 2005");
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  int ruby_max = 0;
  for (unsigned long s = 1; s <= 2000; s++) {
    run_one(s, r);
    int over, us_over;
    ruby_counts(&over, &us_over);
    cr_assert_leq(over, 31, "seed %lu: %d flights over RUBY in 2003", s, over);
    cr_assert_leq(us_over, 21);
    if (over > ruby_max) ruby_max = over;
    for (int f = 0; f < Y.n_flights; f++) {
      const osq_flight_t *fl = &Y.flights[f];
      if (fl->day == OSQ_DAY_NEVER) continue;
      /* Finland and Latvia entered into force in February 2003: no slot of theirs before. */
      for (int k = 0; k < fl->n_obs; k++)
        if (!osq_party_in_force(&T.parties[fl->obs[k]], fl->day)) cr_assert(fl->void_obs & (1u << k));
    }
  }
  gsl_rng_free(r);
  cr_assert_eq(ruby_max, 31);
}

Test(props, us_withdrawal_2020_2000_seeds) {
  setup_2019(2020);
  const osq_day_t wd = fx_day("2020-11-22");
  fx_withdraw(&T, "US", wd);
  cr_assert_eq(osq_quota_caps(&T, &P, 2020, &C), 0);
  const int us = osq_treaty_find(&T, "US");
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  int voided = 0;
  for (unsigned long s = 1; s <= 2000; s++) {
    run_one(s, r);
    int over, us_over;
    ruby_counts(&over, &us_over);
    cr_assert_leq(over, 42);
    cr_assert_leq(us_over, 21);
    for (int f = 0; f < Y.n_flights; f++) {
      const osq_flight_t *fl = &Y.flights[f];
      if (fl->day == OSQ_DAY_NEVER || fl->day < wd) continue;
      if (fl->target == us) cr_assert_eq(fl->status, OSQ_FLIGHT_VOID, "seed %lu", s);
      for (int k = 0; k < fl->n_obs; k++)
        if (fl->obs[k] == us) cr_assert(fl->void_obs & (1u << k), "seed %lu", s);
      voided += fl->status == OSQ_FLIGHT_VOID;
    }
    /* The US flew only before 22 Nov. */
    int us_completed = 0;
    for (int f = 0; f < Y.n_flights; f++) {
      const osq_flight_t *fl = &Y.flights[f];
      if (fl->status != OSQ_FLIGHT_COMPLETED || fl->day >= wd) continue;
      for (int k = 0; k < fl->n_obs; k++) us_completed += fl->obs[k] == us;
    }
    cr_assert_eq(M.flights_by[us], us_completed);
  }
  gsl_rng_free(r);
  cr_assert_gt(voided, 0);
}

Test(props, ruby_withdrawal_2021_2000_seeds) {
  setup_2019(2021);
  fx_withdraw(&T, "US", fx_day("2020-11-22"));
  const osq_day_t wd = fx_day("2021-12-18");
  fx_withdraw(&T, "RUBY", wd);
  cr_assert_eq(osq_quota_caps(&T, &P, 2021, &C), 0);
  const int us = osq_treaty_find(&T, "US"), ru = osq_treaty_find(&T, "RUBY");
  cr_assert(!C.eligible[us]);
  cr_assert(C.eligible[ru]);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  int after = 0;
  for (unsigned long s = 1; s <= 2000; s++) {
    run_one(s, r);
    for (int f = 0; f < Y.n_flights; f++) {
      const osq_flight_t *fl = &Y.flights[f];
      cr_assert_neq(fl->target, us);
      for (int k = 0; k < fl->n_obs; k++) cr_assert_neq(fl->obs[k], us);
      if (fl->day == OSQ_DAY_NEVER || fl->day < wd) continue;
      if (fl->target == ru) {
        cr_assert_eq(fl->status, OSQ_FLIGHT_VOID);
        after++;
      }
      for (int k = 0; k < fl->n_obs; k++)
        if (fl->obs[k] == ru) cr_assert(fl->void_obs & (1u << k));
    }
    osq_metrics_compute(&T, &Y, &M);
    cr_assert_eq(M.flights_over[us], 0);
    cr_assert_eq(M.flights_by[us], 0);
    cr_assert_eq(M.n_in_force, 30);
  }
  gsl_rng_free(r);
  cr_assert_gt(after, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Random hand-made treaties                                                                 */
/* ---------------------------------------------------------------------------------------- */

static int uni(gsl_rng *g, int lo, int hi) { return lo + (int)gsl_rng_uniform_int(g, (unsigned long)(hi - lo + 1)); }

/* A random treaty and random parameters around one year: 2..24 parties with quotas 1..42,
 * random blocs and NATO years, entry into force and withdrawal dates (some inside the year, some
 * re-admitted), and every parameter of the model drawn over its range. */
static int random_case(gsl_rng *g) {
  memset(&T, 0, sizeof T);
  const int year = uni(g, 2002, 2024);
  const osq_day_t y0 = osq_date_from_ymd(year, 1, 1), y1 = osq_date_from_ymd(year + 1, 1, 1);
  const int n = uni(g, 2, 24);
  for (int i = 0; i < n; i++) {
    const char code[4] = {'P', (char)('0' + i / 10), (char)('0' + i % 10), '\0'};
    const osq_bloc_t b = (osq_bloc_t)uni(g, 0, 2);
    const int nato = b == OSQ_BLOC_NATO ? uni(g, year - 3, year + 1) : 0;
    /* Entry: mostly before the year, sometimes inside it. */
    const osq_day_t from = gsl_rng_uniform(g) < 0.7 ? y0 - uni(g, 0, 4000) : y0 + uni(g, 0, 364);
    fx_add(&T, code, b, nato, uni(g, 1, 42), from, uni(g, 35, 70), uni(g, -120, 60));
    osq_party_t *q = &T.parties[i];
    const double u = gsl_rng_uniform(g);
    if (u < 0.25) {
      q->terms[0].until = from + 1 + uni(g, 0, (int)(y1 - from) + 60); /* withdrawn, maybe inside the year */
    } else if (u < 0.35) {
      q->terms[0].until = from + 1 + uni(g, 0, 400);
      q->n_terms = 2; /* re-admitted */
      q->terms[1].from = q->terms[0].until + uni(g, 1, 200);
      q->terms[1].until = gsl_rng_uniform(g) < 0.5 ? OSQ_DAY_NEVER : q->terms[1].from + uni(g, 1, 300);
    }
  }
  osq_model_params_default(&P);
  P.plan_fail_prob = gsl_rng_uniform(g) * 0.3;
  P.phase_in_last_year = uni(g, year - 1, year + 1);
  P.phase_in_factor = 0.3 + 0.7 * gsl_rng_uniform(g);
  P.demand = gsl_rng_uniform(g);
  P.size_exponent = 2.0 * gsl_rng_uniform(g);
  P.proximity_km = gsl_rng_uniform(g) < 0.5 ? 0.0 : uni(g, 200, 5000);
  P.share_prob = gsl_rng_uniform(g);
  P.share_full_prob = gsl_rng_uniform(g);
  P.reciprocity = gsl_rng_uniform(g) < 0.7;
  for (int a = 0; a < OSQ_BLOC_COUNT; a++)
    for (int b = 0; b < OSQ_BLOC_COUNT; b++) P.interest[a][b] = gsl_rng_uniform(g) < 0.2 ? 0.0 : gsl_rng_uniform(g);
  for (int i = 0; i < n; i++) {
    if (gsl_rng_uniform(g) < 0.3) P.demand_by[i] = gsl_rng_uniform(g);
    if (gsl_rng_uniform(g) < 0.2) P.interest_by[i] = 3.0 * gsl_rng_uniform(g);
    if (gsl_rng_uniform(g) < 0.2) P.completion_by[i] = gsl_rng_uniform(g);
    if (gsl_rng_uniform(g) < 0.1) P.interest_obs_by[i][uni(g, 0, 2)] = gsl_rng_uniform(g);
    P.accepts_by[i] = gsl_rng_uniform(g) < 0.9;
  }
  P.season_first_doy = uni(g, 1, 200);
  P.season_last_doy = uni(g, P.season_first_doy, 366);
  P.window_days = uni(g, 1, 12);
  P.quarter_max = uni(g, 1, 16);
  P.completion = gsl_rng_uniform(g);
  /* Aircraft (docs/model.md 2.6), drawn last so that the draws above are as they were: 0..6
   * planes of 1..3 operators each, in service over some of the year or none of it. */
  P.aircraft = gsl_rng_uniform(g) < 0.6;
  P.taxi_prob = gsl_rng_uniform(g);
  const int na = uni(g, 0, 6);
  for (int a = 0; a < na; a++) {
    osq_aircraft_t *ac = &T.aircraft[T.n_aircraft++];
    snprintf(ac->name, sizeof ac->name, "plane %d", a);
    for (int k = uni(g, 1, 3); k > 0; k--) ac->operators |= UINT64_C(1) << uni(g, 0, n - 1);
    ac->from = y0 + uni(g, -800, 300);
    ac->until = gsl_rng_uniform(g) < 0.5 ? OSQ_DAY_NEVER : ac->from + uni(g, 1, 700);
    ac->missions = uni(g, 0, 20);
  }
  return year;
}

Test(props, random_treaties_3000_cases) {
  gsl_rng *g = gsl_rng_alloc(gsl_rng_taus2);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  long flights = 0, cancelled_unplaced = 0, voided = 0, dropped = 0, ruled = 0, taxis = 0;
  for (unsigned long c = 1; c <= 3000; c++) {
    gsl_rng_set(g, 1000003UL * c);
    const int year = random_case(g);
    cr_assert_eq(osq_quota_caps(&T, &P, year, &C), 0, "case %lu", c);
    for (unsigned long s = 1; s <= 2; s++) {
      flights += run_one(c * 7919UL + s, r);
      for (int f = 0; f < Y.n_flights; f++) {
        const osq_flight_t *fl = &Y.flights[f];
        cancelled_unplaced += fl->day == OSQ_DAY_NEVER;
        voided += fl->status == OSQ_FLIGHT_VOID;
        dropped += fl->status != OSQ_FLIGHT_VOID && fl->void_obs != 0;
        ruled += fl->aircraft >= 0;
        taxis += fl->aircraft >= 0 && !((T.aircraft[fl->aircraft].operators >> fl->obs[0]) & 1u);
        /* The distribution's counters agree with the flight list. */
      }
      int passive[OSQ_PARTIES_MAX] = {0};
      for (int f = 0; f < Y.n_flights; f++) passive[Y.flights[f].target]++;
      for (int j = 0; j < T.n_parties; j++) cr_assert_eq(passive[j], Y.passive_used[j], "case %lu", c);
    }
  }
  gsl_rng_free(g);
  gsl_rng_free(r);
  /* Every branch was exercised. */
  cr_assert_gt(flights, 10000);
  cr_assert_gt(cancelled_unplaced, 0, "some flights found no legal day");
  cr_assert_gt(voided, 0, "some flights were void");
  cr_assert_gt(dropped, 0, "some shared flights lost an observer");
  cr_assert_gt(ruled, 1000, "flights under the aircraft rule (%ld)", ruled);
  cr_assert_gt(taxis, 0, "some flown on the observed party's aircraft");
}

Test(props, checker_catches_random_corruption) {
  /* Move one dated flight 0..3 days from another flight over the same target, in valid 2019
   * years: the checker must object every time (window, or season past 31 Dec). */
  setup_2019(2019);
  P.plan_fail_prob = 0.0;
  cr_assert_eq(osq_quota_caps(&T, &P, 2019, &C), 0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  for (unsigned long s = 1; s <= 500; s++) {
    run_one(s, r);
    int f1 = -1, f2 = -1;
    for (int f = 0; f < Y.n_flights && f2 < 0; f++) {
      if (Y.flights[f].day == OSQ_DAY_NEVER) continue;
      for (int g2 = f + 1; g2 < Y.n_flights; g2++)
        if (Y.flights[g2].target == Y.flights[f].target && Y.flights[g2].day != OSQ_DAY_NEVER) {
          f1 = f;
          f2 = g2;
          break;
        }
    }
    cr_assert_geq(f2, 0, "seed %lu: no target with two dated flights", s);
    Y.flights[f2].day = Y.flights[f1].day + (osq_day_t)(s % 4);
    char why[512];
    cr_assert_eq(osq_quota_check(&T, &P, &Y, why, sizeof why), OSQ_EINVAL, "seed %lu: moved flight not caught", s);
    cr_assert(strstr(why, "96-hour window") || strstr(why, "season"), "seed %lu: %s", s, why);
  }
  gsl_rng_free(r);
}
