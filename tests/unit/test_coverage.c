/*
 * test_coverage.c: steps 5-6 of a year on the real territories. Routes within their airfield's
 * maximum distance; a flight images only its host's territory; build-ups on the path are
 * detected and those off it or out of their window are not; a withdrawn party's territory is not
 * imaged after its withdrawal; the coverage rows agree with the flight log.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/coverage.h"
#include "sim/engine/geosetup.h"
#include "models/rng.h"
#include "sim/engine/run.h"

static osq_scenario_t *load(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/scenarios/baseline.cfg", OSQ_SOURCE_DIR);
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_scenario_load(path, sc, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  return sc;
}

/* A year with n completed flights by `obs` over `target`, one every 10 days from 1 February. */
static void make_year(osq_year_t *y, int year, int n_parties, int target, int obs, int n) {
  osq_quota_reset(y, year, n_parties);
  y->plan_agreed = true;
  for (int i = 0; i < n; i++) {
    osq_flight_t *f = &y->flights[y->n_flights++];
    memset(f, 0, sizeof *f);
    f->target = (int16_t)target;
    f->n_obs = 1;
    f->obs[0] = (int8_t)obs;
    f->day = osq_date_from_ymd(year, 2, 1) + 10 * i;
    f->status = OSQ_FLIGHT_COMPLETED;
  }
}

Test(coverage, routes_fit_and_image_only_the_host, .timeout = 300) {
  osq_scenario_t *sc = load();
  osq_geo_setup_t gs;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_geo_setup(sc, &gs, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  osq_cov_ws_t *ws = osq_cov_ws_alloc(gs.world);
  osq_year_t *y = malloc(sizeof *y);
  osq_cov_metrics_t *m = malloc(sizeof *m);
  osq_flight_geo_t *fg = malloc(sizeof *fg * OSQ_FLIGHTS_MAX);
  gsl_rng *rng = osq_rng_gsl_alloc();
  const int de = osq_treaty_find(&sc->treaty, "DE"), ruby = osq_treaty_find(&sc->treaty, "RUBY");
  const int targets[] = {de, ruby, osq_treaty_find(&sc->treaty, "US"), osq_treaty_find(&sc->treaty, "CA")};
  int flights = 0;
  for (int seed = 0; seed < 200; seed++) {
    const int target = targets[seed % 4], obs = target == ruby ? de : ruby;
    make_year(y, 2019, sc->treaty.n_parties, target, obs, 6);
    osq_rng_gsl_reset(rng, 7, (uint64_t)seed, OSQ_STREAM_TEST);
    cr_assert_eq(osq_cov_year(gs.world, &sc->treaty, y, rng, ws, m, fg), OSQ_OK);
    const osq_party_t *p = &sc->treaty.parties[target];
    for (int i = 0; i < y->n_flights; i++) {
      cr_assert_geq(fg[i].airfield, 0);
      const double limit = osq_airfield_max_km(&p->airfields[fg[i].airfield], y->flights[i].day);
      cr_assert_leq(fg[i].distance_km, limit + 1e-6, "%s route %.1f km > %.1f km", p->code, fg[i].distance_km, limit);
      cr_assert_gt(fg[i].imaged_km2, 0.0, "a completed flight over %s imaged nothing", p->code);
      flights++;
    }
    cr_assert_gt(m->coverage[target], 0.0);
    for (int q = 0; q < sc->treaty.n_parties; q++) {
      if (q == target || isnan(m->coverage[q])) continue;
      bool shares_member = false; /* RUBY and BY share Belarus; BY is not in force in 2019 anyway */
      for (int a = 0; a < sc->treaty.parties[q].n_members; a++)
        for (int b = 0; b < p->n_members; b++)
          shares_member |= strcmp(sc->treaty.parties[q].members[a], p->members[b]) == 0;
      if (!shares_member) cr_assert_eq(m->coverage[q], 0.0, "flights over %s imaged %s", p->code, sc->treaty.parties[q].code);
    }
  }
  cr_assert_eq(flights, 1200);
  gsl_rng_free(rng);
  free(fg);
  free(m);
  free(y);
  osq_cov_ws_free(ws);
  osq_geo_teardown(&gs);
  free(sc);
}

Test(coverage, buildups_on_the_path_are_detected_others_not, .timeout = 300) {
  osq_scenario_t *sc = load();
  /* One site per party, every route goes to it: a build-up (always at that site) is on the path
   * of every flight over the party and is detected exactly when a flight falls in its window. */
  sc->geo.site_km2 = 1e7;
  sc->geo.sites_min = 1;
  sc->geo.route_sites = 1;
  sc->geo.buildups = 8;
  sc->geo.buildup_days = 30;
  osq_geo_setup_t gs;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_geo_setup(sc, &gs, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  osq_cov_ws_t *ws = osq_cov_ws_alloc(gs.world);
  osq_year_t *y = malloc(sizeof *y);
  osq_cov_metrics_t *m = malloc(sizeof *m);
  gsl_rng *rng = osq_rng_gsl_alloc();
  const int de = osq_treaty_find(&sc->treaty, "DE"), fr = osq_treaty_find(&sc->treaty, "FR");
  cr_assert_eq(osq_cov_world_party_sites(gs.world, de), 1);
  for (int seed = 0; seed < 100; seed++) {
    /* Flights every 10 days all year: every 30-day window holds one, so all 8 are detected. */
    make_year(y, 2019, sc->treaty.n_parties, de, fr, 36);
    for (int i = 0; i < y->n_flights; i++) y->flights[i].day = osq_date_from_ymd(2019, 1, 1) + 10 * i;
    osq_rng_gsl_reset(rng, 11, (uint64_t)seed, OSQ_STREAM_TEST);
    cr_assert_eq(osq_cov_year(gs.world, &sc->treaty, y, rng, ws, m, NULL), OSQ_OK);
    cr_assert_eq(m->buildup_detect[de], 1.0, "seed %d: %.3f of the build-ups on the path detected", seed,
                 m->buildup_detect[de]);
    /* No flight over France: none of its build-ups is seen. */
    cr_assert_eq(m->buildup_detect[fr], 0.0);
    /* One flight on 1 February only: a build-up is seen only if its window holds that day. */
    make_year(y, 2019, sc->treaty.n_parties, de, fr, 1);
    cr_assert_eq(osq_cov_year(gs.world, &sc->treaty, y, rng, ws, m, NULL), OSQ_OK);
    cr_assert_lt(m->buildup_detect[de], 1.0 + 1e-12);
  }
  /* Over many seeds a single flight sees about 30/336 of the build-ups (window holds its day). */
  double sum = 0.0;
  for (int seed = 0; seed < 400; seed++) {
    make_year(y, 2019, sc->treaty.n_parties, de, fr, 1);
    osq_rng_gsl_reset(rng, 13, (uint64_t)seed, OSQ_STREAM_TEST);
    cr_assert_eq(osq_cov_year(gs.world, &sc->treaty, y, rng, ws, m, NULL), OSQ_OK);
    sum += m->buildup_detect[de];
  }
  const double rate = sum / 400, expect = 30.0 / 336.0;
  cr_assert(fabs(rate - expect) < 0.02, "single-flight detection rate %.4f, expected about %.4f", rate, expect);
  gsl_rng_free(rng);
  free(m);
  free(y);
  osq_cov_ws_free(ws);
  osq_geo_teardown(&gs);
  free(sc);
}

Test(coverage, withdrawn_territory_not_imaged_after_withdrawal, .timeout = 300) {
  osq_scenario_t *sc = load();
  sc->first_year = sc->last_year = 2020; /* US withdrawal effective 2020-11-22 */
  FILE *f = tmpfile();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_run_flight_log(sc, 300, f, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  rewind(f);
  char line[512];
  const osq_day_t out = osq_date_from_ymd(2020, 11, 22);
  long us_imaged = 0, us_after = 0, void_imaged = 0;
  cr_assert_not_null(fgets(line, sizeof line, f));
  while (fgets(line, sizeof line, f)) {
    char *fld[9], *p = line;
    for (int k = 0; k < 9; k++) {
      fld[k] = p;
      p = strpbrk(p, ",\n");
      if (p) *p++ = '\0';
    }
    osq_day_t day = 0;
    if (fld[2][0]) osq_date_parse(fld[2], &day);
    const bool imaged = fld[8][0] && atof(fld[8]) > 0;
    if (strcmp(fld[3], "US") == 0 && imaged) {
      us_imaged++;
      if (day >= out) us_after++;
    }
    if (strcmp(fld[5], "void") == 0 && imaged) void_imaged++;
  }
  fclose(f);
  cr_assert_gt(us_imaged, 100, "only %ld imaging flights over the US in 300 trials", us_imaged);
  cr_assert_eq(us_after, 0, "%ld flights imaged the US after its withdrawal", us_after);
  cr_assert_eq(void_imaged, 0, "%ld void flights imaged something", void_imaged);
  free(sc);
}
