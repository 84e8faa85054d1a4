/*
 * test_stages.c: the model's stage loops of `osq bench` (bench/stages.c) do the run's work up to
 * their stage and nothing else: the whole-model loop draws exactly the words the engine's run drew
 * (one year and 24 years, any thread count), the distribution loop fewer, and a run they cannot
 * repeat (geography on, no trials) is refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/stages.h"
#include "sim/engine/run.h"
#include "scenario_fixture.h"

/* A shipped scenario without its geography (the stage loops are for runs without). */
static osq_scenario_t *load(const char *rel) {
  osq_scenario_t *sc = fixture_load(rel);
  sc->geo.enabled = false;
  return sc;
}

static int64_t run_draws(const osq_scenario_t *sc, int64_t trials) {
  osq_run_opts_t o = {.trials = trials, .threads = 2};
  osq_run_result_t *r = NULL;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_run_execute(sc, &o, &r, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  const int64_t d = r->draws;
  osq_run_result_free(r);
  return d;
}

static osq_stage_result_t stage(const osq_scenario_t *sc, int64_t trials, int threads, osq_stage_t upto) {
  osq_stage_result_t out;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_stage_run(sc, trials, threads, upto, &out, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  cr_assert_geq(out.seconds, 0.0);
  return out;
}

static void same_work(const char *rel, int64_t trials) {
  osq_scenario_t *sc = load(rel);
  const int64_t drawn = run_draws(sc, trials);
  cr_assert_gt(drawn, 0);
  osq_stage_result_t first = {0};
  for (int threads = 1; threads <= 3; threads++) {
    const osq_stage_result_t m = stage(sc, trials, threads, OSQ_STAGE_MODEL);
    cr_expect_eq(m.draws, drawn, "%s, %d threads: the model drew %lld words, the run %lld", rel, threads,
                 (long long)m.draws, (long long)drawn);
    if (threads == 1) first = m;
    cr_expect_eq(m.granted, first.granted, "%s, %d threads: %lld flights granted, %lld on 1", rel, threads,
                 (long long)m.granted, (long long)first.granted);
    const osq_stage_result_t d = stage(sc, trials, threads, OSQ_STAGE_DISTRIBUTION);
    cr_expect_lt(d.draws, m.draws, "%s: the distribution alone drew %lld words", rel, (long long)d.draws);
    cr_expect_gt(d.granted, 0);
  }
  free(sc);
}

Test(stages, the_model_loop_draws_what_the_run_drew) {
  same_work("bench/quota.cfg", 600);         /* one year (2019) */
  same_work("scenarios/timeline.cfg", 120);  /* 2002-2025: each year's own parameters */
}

/* In one year the schedule and execution add no flight: the distribution alone grants the same. */
Test(stages, one_year_grants_the_same_flights_with_or_without_the_schedule) {
  osq_scenario_t *sc = load("bench/quota.cfg");
  const osq_stage_result_t m = stage(sc, 500, 2, OSQ_STAGE_MODEL), d = stage(sc, 500, 2, OSQ_STAGE_DISTRIBUTION);
  cr_expect_eq(d.granted, m.granted);
  free(sc);
}

Test(stages, refuses_runs_it_cannot_repeat) {
  osq_scenario_t *sc = load("bench/quota.cfg");
  osq_stage_result_t out;
  osq_error_t err;
  osq_error_clear(&err);
  cr_expect_eq(osq_stage_run(sc, 0, 1, OSQ_STAGE_MODEL, &out, &err), OSQ_EINVAL);
  cr_expect_eq(osq_stage_run(sc, 10, 0, OSQ_STAGE_MODEL, &out, &err), OSQ_EINVAL);
  cr_expect_eq(osq_stage_run(NULL, 10, 1, OSQ_STAGE_MODEL, &out, &err), OSQ_EINVAL);
  sc->geo.enabled = true;
  osq_error_clear(&err);
  cr_expect_eq(osq_stage_run(sc, 10, 1, OSQ_STAGE_MODEL, &out, &err), OSQ_EINVAL);
  cr_expect_eq(err.n, 1);
  free(sc);
}
