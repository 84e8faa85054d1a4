/*
 * test_scenario.c: the scenario loader and the integrity of the treaty data, asserted against the
 * sources in data/reference/ (Annex A Sec. I quotas, NLDB dates in states.csv).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/input/scenario.h"

static osq_scenario_t *load(const char *rel) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", OSQ_SOURCE_DIR, rel);
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t err;
  osq_error_clear(&err);
  int rc = osq_scenario_load(path, sc, &err);
  cr_assert_eq(rc, OSQ_OK, "loading %s failed: %s", rel, err.n ? err.msg[0] : "?");
  return sc;
}

static const osq_party_t *party(const osq_scenario_t *sc, const char *code) {
  int i = osq_treaty_find(&sc->treaty, code);
  cr_assert_geq(i, 0, "no party %s", code);
  return &sc->treaty.parties[i];
}

Test(treaty, annex_a_quotas_sum_to_225) {
  /* Annex A Sec. I: 21 original quota holders. The CSFR's 4 is not a party of its own (it never
   * entered into force); its quota passed to the Czech Republic (4, [S]). */
  static const char *const original[] = {"DE", "US", "RUBY", "BNLX", "BG", "CA", "DK", "ES", "FR", "GB",
                                         "GR", "HU", "IS",   "IT",   "NO", "PL", "PT", "RO", "TR", "UA"};
  static const int annex_a[] = {12, 42, 42, 6, 4, 12, 6, 4, 12, 12, 4, 4, 4, 12, 7, 6, 2, 6, 12, 12};
  osq_scenario_t *sc = load("scenarios/baseline.cfg");
  int sum = 0;
  for (size_t k = 0; k < sizeof original / sizeof original[0]; k++) {
    const osq_party_t *p = party(sc, original[k]);
    cr_expect_eq(p->passive_quota, annex_a[k], "%s quota %d, Annex A says %d", original[k], p->passive_quota,
                 annex_a[k]);
    cr_expect(!p->quota_estimate, "%s is in Annex A: not an estimate", original[k]);
    sum += p->passive_quota;
  }
  cr_assert_eq(sum + 4 /* CSFR */, 225);
  free(sc);
}

Test(treaty, groups_and_members) {
  osq_scenario_t *sc = load("scenarios/baseline.cfg");
  const osq_party_t *ruby = party(sc, "RUBY");
  cr_assert_eq(ruby->passive_quota, 42);
  cr_assert_eq(ruby->n_members, 2);
  cr_assert_str_eq(ruby->members[0], "RU");
  cr_assert_str_eq(ruby->members[1], "BY");
  cr_assert_eq(ruby->bloc, OSQ_BLOC_RUBY);
  const osq_party_t *bnlx = party(sc, "BNLX");
  cr_assert_eq(bnlx->n_members, 3);
  cr_assert_eq(bnlx->passive_quota, 6);
  int states = 0;
  const osq_party_t *by = party(sc, "BY");
  for (int i = 0; i < sc->treaty.n_parties; i++)
    if (&sc->treaty.parties[i] != by) states += sc->treaty.parties[i].n_members;
  cr_assert_eq(states, 34, "34 states were ever parties, got %d", states);
  free(sc);
}

Test(treaty, every_party_has_an_airfield_and_a_distance) {
  osq_scenario_t *sc = load("scenarios/baseline.cfg");
  for (int i = 0; i < sc->treaty.n_parties; i++) {
    const osq_party_t *p = &sc->treaty.parties[i];
    cr_expect_geq(p->n_airfields, 1, "%s has no airfield", p->code);
    for (int a = 0; a < p->n_airfields; a++) cr_expect_gt(p->airfields[a].n_steps, 0, "%s airfield %d", p->code, a);
    cr_expect_gt(p->area_km2, 0.0, "%s area", p->code);
  }
  /* Kubinka: 5,000 km in Annex A Sec. III, 5,500 km reported from 2012. */
  const osq_party_t *ruby = party(sc, "RUBY");
  const osq_airfield_t *kub = NULL;
  for (int a = 0; a < ruby->n_airfields; a++)
    if (strstr(ruby->airfields[a].name, "Kubinka")) kub = &ruby->airfields[a];
  cr_assert_not_null(kub);
  cr_assert_float_eq(osq_airfield_max_km(kub, osq_date_from_ymd(2005, 6, 1)), 5000.0, 1e-9);
  cr_assert_float_eq(osq_airfield_max_km(kub, osq_date_from_ymd(2019, 6, 1)), 5500.0, 1e-9);
  free(sc);
}

static void expect_in_force(const osq_scenario_t *sc, int y, int m, int d, const char *const *codes, int n) {
  const osq_day_t day = osq_date_from_ymd(y, m, d);
  int count = osq_treaty_count_in_force(&sc->treaty, day);
  cr_expect_eq(count, n, "%04d-%02d-%02d: %d parties in force, expected %d", y, m, d, count, n);
  for (int k = 0; k < n; k++) {
    int i = osq_treaty_find(&sc->treaty, codes[k]);
    cr_expect(i >= 0 && osq_party_in_force(&sc->treaty.parties[i], day), "%s should be in force on %04d-%02d-%02d",
              codes[k], y, m, d);
  }
}

/* NLDB (states.csv): 34 states in 2019; the US out from 2020-11-22; Russia out from 2021-12-18,
 * after which Belarus (still a party) holds its own quota. */
static const char *const BASE[] = {"DE", "BNLX", "BG", "CA", "DK", "ES", "FR", "GB", "GR", "HU", "IS", "IT", "NO",
                                   "PL", "PT",   "RO", "TR", "UA", "CZ", "SK", "GE", "SE", "FI", "LV", "BA", "SI",
                                   "HR", "EE",   "LT"};

Test(treaty, parties_in_force_2019) {
  osq_scenario_t *sc = load("scenarios/baseline.cfg");
  const char *codes[32];
  int n = 0;
  for (size_t k = 0; k < sizeof BASE / sizeof BASE[0]; k++) codes[n++] = BASE[k];
  codes[n++] = "US";
  codes[n++] = "RUBY";
  expect_in_force(sc, 2019, 6, 1, codes, n);
  cr_assert_eq(n, 31);
  free(sc);
}

Test(treaty, parties_in_force_2021_without_the_us) {
  osq_scenario_t *sc = load("scenarios/baseline.cfg");
  const char *codes[32];
  int n = 0;
  for (size_t k = 0; k < sizeof BASE / sizeof BASE[0]; k++) codes[n++] = BASE[k];
  codes[n++] = "RUBY";
  expect_in_force(sc, 2021, 6, 1, codes, n);
  cr_assert(!osq_party_in_force(party(sc, "US"), osq_date_from_ymd(2021, 6, 1)));
  free(sc);
}

Test(treaty, parties_in_force_2022_without_russia) {
  osq_scenario_t *sc = load("scenarios/baseline.cfg");
  const char *codes[32];
  int n = 0;
  for (size_t k = 0; k < sizeof BASE / sizeof BASE[0]; k++) codes[n++] = BASE[k];
  codes[n++] = "BY";
  expect_in_force(sc, 2022, 6, 1, codes, n);
  cr_assert(!osq_party_in_force(party(sc, "RUBY"), osq_date_from_ymd(2022, 6, 1)));
  free(sc);
}

Test(scenario, defaults_and_includes_relative_to_the_file) {
  /* Loaded by absolute path from the test's working directory: the @include must still resolve. */
  osq_scenario_t *sc = load("tests/bad/ok_mini.cfg");
  cr_assert_eq(sc->trials, 100);
  cr_assert_eq(sc->seed, 7u);
  cr_assert_eq(sc->first_year, 2019);
  cr_assert_eq(sc->last_year, 2019);
  cr_assert_eq(sc->block_size, 256);
  cr_assert_str_eq(sc->name, "ok_mini");
  cr_assert_str_eq(sc->formats, "csv,json");
  cr_assert_eq(sc->treaty.n_parties, 3);
  free(sc);
}

/* Write a scenario next to a copy of the mini treaty in a fresh temporary directory. */
static void write_scenario(char dir[static 32], char path[static 64], const char *body) {
  snprintf(dir, 32, "/tmp/osq_test_XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  char src[1024], dst[128], cmd[1400];
  snprintf(src, sizeof src, "%s/tests/bad/inc/mini_treaty.cfg", OSQ_SOURCE_DIR);
  snprintf(dst, sizeof dst, "%s/mini_treaty.cfg", dir);
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", src, dst);
  cr_assert_eq(system(cmd), 0);
  snprintf(path, 64, "%s/s.cfg", dir);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(body, f);
  cr_assert_eq(fclose(f), 0);
}

static void remove_scenario(const char *dir) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
}

Test(scenario, participation_changes_apply_in_order) {
  char dir[32], path[64];
  write_scenario(dir, path,
                 "@include \"mini_treaty.cfg\"\n"
                 "participation = ( { party = \"US\"; readmit = \"2023-01-01\"; },\n"
                 "                  { party = \"DE\"; withdraw = \"2024-03-01\"; passive_quota = 10; } );\n");
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t err;
  osq_error_clear(&err);
  int rc = osq_scenario_load(path, sc, &err);
  remove_scenario(dir);
  cr_assert_eq(rc, OSQ_OK, "%s", err.n ? err.msg[0] : "");
  const osq_party_t *us = party(sc, "US");
  cr_assert_eq(us->n_terms, 2);
  cr_assert(osq_party_in_force(us, osq_date_from_ymd(2020, 11, 21)));
  cr_assert(!osq_party_in_force(us, osq_date_from_ymd(2020, 11, 22)));
  cr_assert(!osq_party_in_force(us, osq_date_from_ymd(2022, 12, 31)));
  cr_assert(osq_party_in_force(us, osq_date_from_ymd(2023, 1, 1)));
  const osq_party_t *de = party(sc, "DE");
  cr_assert_eq(de->passive_quota, 10);
  cr_assert(osq_party_in_force(de, osq_date_from_ymd(2024, 2, 29)));
  cr_assert(!osq_party_in_force(de, osq_date_from_ymd(2024, 3, 1)));
  free(sc);
}

Test(scenario, all_errors_of_a_file_in_one_run) {
  char path[1024];
  snprintf(path, sizeof path, "%s/tests/bad/32_several_errors.cfg", OSQ_SOURCE_DIR);
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_scenario_load(path, sc, &err), OSQ_ECONFIG);
  cr_assert_eq(err.n, 3);
  cr_assert(strstr(err.msg[0], "simulation.trials = 0 is out of range"));
  cr_assert(strstr(err.msg[2], "model.share_prob = 2 is out of range"));
  free(sc);
}

Test(dates, round_trip_and_validation) {
  for (osq_day_t d = osq_date_from_ymd(1999, 1, 1); d < osq_date_from_ymd(2031, 1, 1); d++) {
    int y, m, dd;
    osq_date_to_ymd(d, &y, &m, &dd);
    cr_assert(osq_date_valid(y, m, dd));
    cr_assert_eq(osq_date_from_ymd(y, m, dd), d);
  }
  osq_day_t d;
  cr_assert_eq(osq_date_parse("2020-02-29", &d), OSQ_OK);
  cr_assert_neq(osq_date_parse("2021-02-29", &d), OSQ_OK);
  cr_assert_neq(osq_date_parse("2021-1-01", &d), OSQ_OK);
  cr_assert_eq(osq_date_from_ymd(1970, 1, 1), 0);
}

Test(scenario, absolute_include_is_refused_with_a_clear_message) {
  char dir[32], path[64];
  write_scenario(dir, path, "@include \"/etc/osq_treaty.cfg\"\n");
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t err;
  osq_error_clear(&err);
  int rc = osq_scenario_load(path, sc, &err);
  remove_scenario(dir);
  cr_assert_eq(rc, OSQ_ECONFIG);
  cr_assert_eq(err.n, 1);
  cr_assert(strstr(err.msg[0], "s.cfg:1: @include \"/etc/osq_treaty.cfg\" is an absolute path"), "%s", err.msg[0]);
  free(sc);
}
