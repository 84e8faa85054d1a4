/*
 * test_figures.c: the recorded figures as the model computes them (models/figures.h) on hand-made
 * flight lists with known answers — counts by date, periods of days and of years, shares, dyads,
 * void slots, the distribution's planned flights — and the within-tolerance rule; the sums read
 * from a year's metrics equal the scan's on 1,500 simulated years.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "models/date.h"
#include "models/figures.h"
#include "models/metrics.h"
#include "models/quota.h"
#include "quota_fixture.h"

static osq_year_t Y;

static osq_day_t day(const char *s) {
  osq_day_t d = 0;
  osq_date_parse(s, &d);
  return d;
}

/* A flight over target by the observers in obs[] (-1 ended) on a day, with a status. */
static void add(int target, const int *obs, const char *date, int status) {
  osq_flight_t *f = &Y.flights[Y.n_flights++];
  memset(f, 0, sizeof *f);
  f->target = (int16_t)target;
  for (int k = 0; obs[k] >= 0; k++) f->obs[f->n_obs++] = (int8_t)obs[k];
  f->day = date ? day(date) : OSQ_DAY_NEVER;
  f->status = (uint8_t)status;
}

static osq_figure_t fig(int q, int observer, int observed, const char *d0, const char *d1) {
  osq_figure_t f = {.quantity = q, .observer = observer, .observed = observed, .d0 = day(d0), .d1 = day(d1)};
  f.y0 = osq_date_year(f.d0);
  f.y1 = osq_date_year(f.d1);
  return f;
}

static double value(const osq_figure_t *f) {
  osq_figure_acc_t a;
  osq_figure_reset(&a);
  osq_figure_add_year(f, &Y, &a);
  return osq_figure_value(f, &a);
}

/* 2015, parties 0 (RUBY), 1 (US), 2 (CA), 3 (UA): Russia's flights on known days. */
static void russia_2015(void) {
  memset(&Y, 0, sizeof Y);
  Y.year = 2015;
  Y.n_parties = 4;
  Y.plan_agreed = true;
  static const int ru[] = {0, -1}, us[] = {1, -1}, us_ca[] = {1, 2, -1}, ru_ua[] = {0, 3, -1};
  add(1, ru, "2015-02-10", OSQ_FLIGHT_COMPLETED);
  add(2, ru, "2015-06-01", OSQ_FLIGHT_COMPLETED);
  add(3, ru, "2015-11-30", OSQ_FLIGHT_COMPLETED);  /* the day counted */
  add(1, ru, "2015-12-01", OSQ_FLIGHT_COMPLETED);  /* the day after */
  add(1, ru, "2015-03-03", OSQ_FLIGHT_CANCELLED);  /* not flown */
  add(0, us_ca, "2015-05-05", OSQ_FLIGHT_COMPLETED); /* shared: once over RUBY, a slot each */
  add(0, us, "2015-09-09", OSQ_FLIGHT_COMPLETED);
  add(0, us, NULL, OSQ_FLIGHT_CANCELLED);          /* granted, never dated */
  add(2, ru_ua, "2015-07-07", OSQ_FLIGHT_COMPLETED); /* flown by UA: RUBY's slot void, it flew nothing */
  Y.flights[Y.n_flights - 1].void_obs = 1;
}

Test(figures, count_by_date) {
  russia_2015();
  const osq_figure_t f = fig(OSQ_Q_FLIGHTS_BY_TO_DATE, 0, -1, "2015-01-01", "2015-11-30");
  cr_expect_eq(value(&f), 3.0, "RUBY's completed flights through 30 Nov: 10 Feb, 1 Jun, 30 Nov (not 1 Dec, not "
                               "the cancelled one, not the void slot)");
  const osq_figure_t g = fig(OSQ_Q_FLIGHTS_BY_TO_DATE, 0, -1, "2015-01-01", "2015-11-29");
  cr_expect_eq(value(&g), 2.0, "the day before: 2");
  const osq_figure_t h = fig(OSQ_Q_FLIGHTS_BY_TO_DATE, 0, -1, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&h), 4.0);
}

Test(figures, cumulative_and_day_ranges) {
  russia_2015();
  const osq_figure_t all = fig(OSQ_Q_CUMULATIVE_FLIGHTS, -1, -1, "2002-01-01", "2015-06-30");
  cr_expect_eq(value(&all), 3.0, "through 30 Jun: 10 Feb, 5 May, 1 Jun (3 Mar was cancelled)");
  const osq_figure_t pause = fig(OSQ_Q_FLIGHTS, -1, -1, "2015-04-01", "2015-10-31");
  cr_expect_eq(value(&pause), 4.0, "5 May, 1 Jun, 7 Jul, 9 Sep");
}

Test(figures, over_by_dyads_and_shares) {
  russia_2015();
  const osq_figure_t over_ru = fig(OSQ_Q_FLIGHTS_OVER, -1, 0, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&over_ru), 2.0, "a shared flight counts once over its target");
  const osq_figure_t by_ca = fig(OSQ_Q_FLIGHTS_BY, 2, -1, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&by_ca), 1.0, "and once per observer");
  const osq_figure_t ru_ca = fig(OSQ_Q_DYAD, 0, 2, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&ru_ca), 1.0, "RUBY over CA: 1 Jun; the 7 Jul flight's RUBY slot was void");
  const osq_figure_t share = fig(OSQ_Q_SHARE_OVER, -1, 0, "2015-01-01", "2015-12-31");
  cr_expect_float_eq(value(&share), 2.0 / 7.0, 1e-15, "2 of the 7 completed flights were over RUBY");
  const osq_figure_t obs = fig(OSQ_Q_OBSERVERS_OF, -1, 0, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&obs), 2.0, "US and CA flew over RUBY");
  const osq_figure_t obs_ca = fig(OSQ_Q_OBSERVERS_OF, -1, 2, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&obs_ca), 2.0, "RUBY (1 Jun) and UA (7 Jul) over CA, not RUBY's void slot twice");
  const osq_figure_t by_ua = fig(OSQ_Q_FLIGHTS_BY, 3, -1, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&by_ua), 1.0);
  const osq_figure_t none = fig(OSQ_Q_SHARE_OVER, -1, 0, "2015-12-25", "2015-12-31");
  cr_expect(isnan(value(&none)), "a share of no flights is undefined");
}

Test(figures, planned_counts_what_was_granted) {
  russia_2015();
  const osq_figure_t all = fig(OSQ_Q_PLANNED, -1, -1, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&all), 9.0, "every granted flight, flown or not");
  const osq_figure_t us = fig(OSQ_Q_PLANNED, 1, -1, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&us), 3.0, "the US's granted slots");
  const osq_figure_t slots = fig(OSQ_Q_PLANNED_SLOTS, -1, -1, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&slots), 11.0, "one slot per observer, void ones included");
  const osq_figure_t us_ru = fig(OSQ_Q_PLANNED, 1, 0, "2015-01-01", "2015-12-31");
  cr_expect_eq(value(&us_ru), 3.0);
}

Test(figures, per_year_and_other_years) {
  russia_2015();
  const osq_figure_t f = fig(OSQ_Q_FLIGHTS_PER_YEAR, -1, -1, "2014-01-01", "2015-12-31");
  osq_figure_acc_t a;
  osq_figure_reset(&a);
  osq_figure_add_year(&f, &Y, &a);
  Y.year = 2016; /* a year outside the period adds nothing */
  osq_figure_add_year(&f, &Y, &a);
  cr_expect_float_eq(osq_figure_value(&f, &a), 7.0 / 2.0, 1e-15, "7 completed flights over two years");
}

Test(figures, within_tolerance) {
  cr_expect(osq_figure_within(OSQ_KIND_EXACT, 74, 0, 75, 90) == false, "74 below a band 75-90");
  cr_expect(osq_figure_within(OSQ_KIND_EXACT, 74, 1, 75, 90), "74 +- 1 meets 75-90");
  cr_expect(osq_figure_within(OSQ_KIND_APPROXIMATE, 220, 22, 317, 347) == false);
  cr_expect(osq_figure_within(OSQ_KIND_AT_LEAST, 1200, 0, 1100, 1199) == false, "never reaches 1,200");
  cr_expect(osq_figure_within(OSQ_KIND_AT_LEAST, 1200, 0, 1400, 1500), "at least 1,200: 1,400 is");
  cr_expect(osq_figure_within(OSQ_KIND_AT_MOST, 67, 0, 74, 88) == false, "at most 67: never below 74");
  cr_expect(osq_figure_within(OSQ_KIND_AT_MOST, 67, 0, 60, 88));
  cr_expect(osq_figure_within(OSQ_KIND_EXACT, 1, 0, NAN, 3) == false, "a NaN band agrees with nothing");
}

Test(figures, names_round_trip) {
  for (int q = 0; q < OSQ_Q_COUNT; q++) cr_expect_eq(osq_figure_quantity_parse(osq_figure_quantity_name(q)), q);
  for (int k = 0; k < OSQ_KIND_COUNT; k++) cr_expect_eq(osq_figure_kind_parse(osq_figure_kind_name(k)), k);
  cr_expect_eq(osq_figure_quantity_parse("flight"), -1);
  cr_expect_eq(osq_figure_kind_parse("roughly"), -1);
}

/* osq_figure_add_year_counted reads whole years from the metrics: the same sums, bit for bit, as
 * the scan, for every quantity, on simulated years of the 2019 treaty with a withdrawal in the
 * year (void slots and void flights), over periods that cover the year, cover it and more, or
 * cut into it (the scan's path), and for any party or none. */
static void same_sums(const osq_figure_t *f, const osq_year_t *y, const osq_metrics_t *m, unsigned long seed) {
  osq_figure_acc_t a, b;
  osq_figure_reset(&a);
  osq_figure_reset(&b);
  osq_figure_add_year(f, y, &a);
  osq_figure_add_year_counted(f, y, m, &b);
  cr_assert(memcmp(&a.num, &b.num, sizeof a.num) == 0 && memcmp(&a.den, &b.den, sizeof a.den) == 0 &&
                a.observers == b.observers,
            "seed %lu, %s, observer %d, observed %d, days %d..%d: scan %.17g/%.17g/%llx, counted %.17g/%.17g/%llx",
            seed, osq_figure_quantity_name(f->quantity), f->observer, f->observed, (int)f->d0, (int)f->d1, a.num, a.den,
            (unsigned long long)a.observers, b.num, b.den, (unsigned long long)b.observers);
}

Test(figures, counted_equals_scan) {
  static osq_treaty_t t;
  static osq_model_params_t p;
  static osq_quota_caps_t c;
  static osq_year_t y;
  static osq_metrics_t m;
  fx_treaty_2019(&t);
  fx_withdraw(&t, "US", fx_day("2019-08-01")); /* flights after it: void slots, void flights */
  osq_model_params_default(&p);
  osq_model_params_party_defaults(&p, &t);
  p.demand = 0.8; /* busy years: shared flights, full targets */
  cr_assert_eq(osq_quota_caps(&t, &p, 2019, &c), 0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
  const osq_day_t jan1 = fx_day("2019-01-01"), dec31 = fx_day("2019-12-31");
  const osq_day_t d0s[] = {jan1, fx_day("2015-03-01"), jan1 + 1, jan1, jan1 + 100};
  const osq_day_t d1s[] = {dec31, fx_day("2021-12-31"), dec31, dec31 - 1, jan1 + 200};
  long flights = 0, void_slots = 0;
  for (unsigned long seed = 1; seed <= 1500; seed++) {
    gsl_rng_set(r, seed);
    cr_assert_eq(osq_quota_simulate(&t, &p, &c, r, &y), 0);
    osq_metrics_compute(&t, &y, &m);
    for (int k = 0; k < y.n_flights; k++) void_slots += y.flights[k].void_obs != 0;
    flights += m.flights;
    const int i = (int)(seed % (unsigned long)t.n_parties), j = (int)((seed * 7 + 3) % (unsigned long)t.n_parties);
    const int observers[] = {-1, i, osq_treaty_find(&t, "US")}, observeds[] = {-1, j, osq_treaty_find(&t, "RUBY")};
    for (int q = 0; q < OSQ_Q_COUNT; q++)
      for (int per = 0; per < 5; per++) /* the year; more; all but its first or last day; a part */
        for (int a = 0; a < 3; a++)
          for (int b = 0; b < 3; b++) {
            osq_figure_t f = {.quantity = q, .observer = observers[a], .observed = observeds[b], .d0 = d0s[per],
                              .d1 = d1s[per]};
            f.y0 = osq_date_year(f.d0);
            f.y1 = osq_date_year(f.d1);
            same_sums(&f, &y, &m, seed);
          }
  }
  gsl_rng_free(r);
  cr_expect_gt(flights, 1500 * 50, "the years had flights (%ld)", flights);
  cr_expect_gt(void_slots, 1500, "and void slots (%ld flights with one)", void_slots);
}
