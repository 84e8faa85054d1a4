/*
 * test_study.c checks the study file (sim/input/study.h) and the checkpoint of a study
 * (sim/engine/study_checkpoint.h): the shipped study loads with the values and defaults it states
 * (and its inputs' central values are the scenarios' own); the defaults follow the command line's
 * settings; every file problem is reported at its line, all of a file at once; the checkpoint
 * round-trips bit for bit and refuses truncated, corrupt and mismatched ones. (The CLI's view:
 * tests/cli/sensitivity.sh.)
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine/study_checkpoint.h"
#include "sim/input/study.h"

static osq_study_t *load_ok(const char *path) {
  osq_study_t *st = calloc(1, sizeof *st);
  osq_error_t err;
  osq_error_clear(&err);
  const int rc = osq_study_load(path, st, &err);
  cr_assert_eq(rc, OSQ_OK, "%s: %s", path, err.n ? err.msg[0] : "?");
  return st;
}

Test(study, the_shipped_study) {
  osq_study_t *st = load_ok(OSQ_SOURCE_DIR "/scenarios/withdrawal_uncertainty.cfg");
  cr_expect_eq(st->n_scenarios, 4);
  cr_expect_str_eq(st->sc[0]->name, "baseline");
  cr_expect_str_eq(st->sc[3]->name, "both_out");
  cr_expect_eq(st->method, OSQ_METHOD_SOBOL);
  cr_expect_eq(st->points, 32);
  cr_expect_eq(st->trials, 400);
  cr_expect_eq(st->geo_trials, 40, "the scenarios' share: 1,000 of 10,000");
  cr_expect_eq(st->block_size, 50, "a point's trials in 8 blocks");
  cr_expect_eq(st->seed, st->sc[0]->seed);
  cr_expect_eq(st->n_inputs, 19);
  cr_expect_eq(osq_study_n_points(st), 1 + 32 * 21, "Saltelli: N x (k + 2) + the centre");
  int estimated = 0, in_range = 0;
  for (int i = 0; i < st->n_inputs; i++) {
    const osq_study_input_t *in = &st->input[i];
    cr_expect(in->reason[0], "%s has no reason", in->key);
    double v;
    osq_error_t err;
    osq_error_clear(&err);
    cr_assert_eq(osq_scenario_get_number(st->sc[0], in->key, &v, &err), OSQ_OK);
    in_range += v >= in->dist.min && v <= in->dist.max; /* the shipped defaults lie within every range */
    if (strncmp(in->key, "treaty.parties.", 15) == 0) {
      estimated++;
      cr_expect(in->dist.integer, "%s is an integer", in->key);
      char code[8];
      cr_assert_eq(sscanf(in->key, "treaty.parties.%7[A-Z]", code), 1);
      const int p = osq_treaty_find(&st->sc[0]->treaty, code);
      cr_expect(p >= 0 && st->sc[0]->treaty.parties[p].quota_estimate, "%s is not an estimated quota", in->key);
    }
  }
  cr_expect_eq(estimated, 9, "the nine estimated passive quotas");
  cr_expect_eq(in_range, st->n_inputs);
  /* every quota_estimate of the treaty is an input */
  int total = 0;
  for (int p = 0; p < st->sc[0]->treaty.n_parties; p++) total += st->sc[0]->treaty.parties[p].quota_estimate;
  cr_expect_eq(total, 9);
  osq_study_free(st);
  free(st);
}

Test(study, defaults_follow_the_command_line) {
  osq_study_t *st = load_ok(OSQ_SOURCE_DIR "/scenarios/withdrawal_uncertainty.cfg");
  st->trials = 1000;
  st->method = OSQ_METHOD_MORRIS;
  st->points_set = false;
  osq_study_defaults(st);
  cr_expect_eq(st->points, 20, "Morris: 20 trajectories");
  cr_expect_eq(st->geo_trials, 100);
  cr_expect_eq(st->block_size, 125);
  cr_expect_eq(osq_study_n_points(st), 1 + 20 * 20, "20 trajectories of 19 + 1 points, and the centre");
  osq_study_free(st);
  free(st);
}

/* A study file in a temporary directory beside copies of the scenarios it names. */
static char g_dir[64];

static const char *write_study(const char *text) {
  static char path[128];
  if (!g_dir[0]) {
    snprintf(g_dir, sizeof g_dir, "/tmp/osq_study_test.XXXXXX");
    cr_assert(mkdtemp(g_dir));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s/scenarios/treaty.cfg' '%s/scenarios/fitted.cfg' '%s/scenarios/baseline.cfg' "
             "'%s/scenarios/us_out.cfg' '%s'",
             OSQ_SOURCE_DIR, OSQ_SOURCE_DIR, OSQ_SOURCE_DIR, OSQ_SOURCE_DIR, g_dir);
    cr_assert_eq(system(cmd), 0);
  }
  snprintf(path, sizeof path, "%s/s.cfg", g_dir);
  FILE *f = fopen(path, "w");
  cr_assert(f);
  fputs(text, f);
  fclose(f);
  return path;
}

static void remove_dir(void) {
  if (!g_dir[0]) return;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
  cr_expect_eq(system(cmd), 0);
}

Test(study, every_problem_at_its_line, .fini = remove_dir) {
  const char *path = write_study("study = { scenarios = [ \"baseline.cfg\", \"us_out.cfg\" ]; method = \"morrs\"; levels = 5; };\n"
                                 "inputs = (\n"
                                 "  { key = \"model.demand\"; dist = \"normal\"; mean = 0.45; min = 0.3; max = 0.6; reason = \"r\"; },\n"
                                 "  { key = \"simulation.seed\"; dist = \"uniform\"; min = 1; max = 2; reason = \"r\"; },\n"
                                 "  { key = \"model.share_prob\"; dist = \"gamma\"; reason = \"r\"; },\n"
                                 "  { key = \"model.completion\"; dist = \"discrete\"; values = [ 0.9, 0.8 ]; reason = \"r\"; },\n"
                                 "  { key = \"model.demand\"; dist = \"loguniform\"; min = 0.0; max = 0.5; reason = \"r\"; }\n"
                                 ");\n"
                                 "outputs = ( { name = \"Flights\"; metric = \"flights\"; year = 2020; },\n"
                                 "            { name = \"d\"; metric = \"flights\"; party = \"XX\"; minus = \"baseline\"; } );\n");
  osq_study_t *st = calloc(1, sizeof *st);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_study_load(path, st, &err), OSQ_ECONFIG);
  const char *want[] = {
      ":1: study.method = \"morrs\" is not a method",
      ":1: study.levels = 5 is odd",
      ":3: inputs[0]: a normal distribution needs mean, sd, min and max",
      ":4: inputs[1].key = \"simulation.seed\": simulation.* says how the trials run",
      ":5: inputs[2].dist = \"gamma\" is not a distribution",
      ":6: inputs[3].values[1] = 0.8 is not above values[0] = 0.9",
      ":7: inputs[4].key = \"model.demand\" repeats inputs[0]",
      ":7: inputs[4]: min = 0 (expected min > 0 for a loguniform distribution)",
      ":9: outputs[0].name = \"Flights\" (expected lower-case letters",
      ":9: outputs[0].year = 2020 is not simulated by \"baseline\" (expected 2019 to 2019)",
      ":10: outputs[1]: scenario and minus are both \"baseline\"",
      ":10: outputs[1].party = \"XX\" is not a quota holder of \"baseline\"",
  };
  for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
    bool found = false;
    for (int i = 0; i < err.n && !found; i++) found = strstr(err.msg[i], want[k]) != NULL;
    cr_expect(found, "no message \"%s\"", want[k]);
  }
  cr_expect_eq(err.n, (int)(sizeof want / sizeof want[0]), "%d messages, the first: %s", err.n, err.msg[0]);
  cr_expect_eq(st->n_scenarios, 0, "a refused study holds nothing");
  osq_study_free(st);
  free(st);
}

Test(study, syntax_errors_and_includes_are_refused, .fini = remove_dir) {
  osq_error_t err;
  osq_study_t *st = calloc(1, sizeof *st);
  osq_error_clear(&err);
  cr_expect_eq(osq_study_load(write_study("study = { scenarios = [ \"baseline.cfg\" ] \n"), st, &err), OSQ_ECONFIG);
  cr_expect(err.n == 1 && strstr(err.msg[0], "s.cfg:2: syntax error"), "%s", err.msg[0]);
  osq_error_clear(&err);
  cr_expect_eq(osq_study_load(write_study("@include \"baseline.cfg\"\n"), st, &err), OSQ_ECONFIG);
  cr_expect(err.n == 1 && strstr(err.msg[0], "s.cfg:1: @include in a study"), "%s", err.msg[0]);
  osq_error_clear(&err);
  cr_expect_eq(osq_study_load("/nonexistent/study.cfg", st, &err), OSQ_EIO);
  free(st);
}

/* ---- the checkpoint ---- */

static osq_study_ckpt_t *sample_ckpt(void) {
  osq_study_ckpt_t *ck = osq_study_ckpt_alloc(3, 2);
  cr_assert(ck);
  snprintf(ck->version, sizeof ck->version, "%s", OSQ_VERSION);
  snprintf(ck->study_hash, sizeof ck->study_hash, "0123456789abcdef");
  ck->seed = 7;
  ck->trials = 64;
  ck->block_size = 8;
  ck->geo_trials = 7;
  ck->method = OSQ_METHOD_SOBOL;
  ck->rows = 4;
  ck->n_inputs = 3;
  ck->blocks_done = 5;
  ck->loop_seconds = 1.25;
  for (int k = 0; k < 8; k++) ck->rec[k] = (osq_welford_t){.n = k, .mean = 1.0 / (k + 3), .m2 = k ? NAN : 0.1};
  return ck;
}

Test(study_checkpoint, round_trip_bit_for_bit) {
  osq_study_ckpt_t *ck = sample_ckpt(), *back = NULL;
  unsigned char *buf;
  size_t len;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_study_ckpt_encode(ck, &buf, &len, &err), OSQ_OK);
  cr_assert_eq(osq_study_ckpt_decode(buf, len, "x", &back, &err), OSQ_OK, "%s", err.msg[0]);
  cr_expect_str_eq(back->study_hash, ck->study_hash);
  cr_expect(back->seed == 7 && back->trials == 64 && back->block_size == 8 && back->geo_trials == 7 &&
            back->rows == 4 && back->n_inputs == 3 && back->n_outputs == 2 && back->points_done == 3 &&
            back->blocks_done == 5 && back->loop_seconds == 1.25);
  cr_expect(memcmp(back->rec, ck->rec, sizeof *ck->rec * 8) == 0, "the records' bits differ");
  /* truncated, then one byte changed: refused with a message */
  osq_study_ckpt_t *bad = NULL;
  osq_error_clear(&err);
  cr_expect_eq(osq_study_ckpt_decode(buf, len / 2, "x", &bad, &err), OSQ_ECONFIG);
  cr_expect(strstr(err.msg[0], "truncated"), "%s", err.msg[0]);
  buf[40] ^= 0x10;
  osq_error_clear(&err);
  cr_expect_eq(osq_study_ckpt_decode(buf, len, "x", &bad, &err), OSQ_ECONFIG);
  cr_expect(strstr(err.msg[0], "checksum mismatch"), "%s", err.msg[0]);
  cr_expect_null(bad);
  free(buf);
  osq_study_ckpt_free(ck);
  osq_study_ckpt_free(back);
}

Test(study_checkpoint, another_study_is_refused) {
  osq_study_t *st = load_ok(OSQ_SOURCE_DIR "/scenarios/withdrawal_uncertainty.cfg");
  osq_study_ckpt_t *ck = sample_ckpt();
  osq_error_t err;
  osq_error_clear(&err);
  cr_expect_eq(osq_study_ckpt_match(ck, st, "p", &err), OSQ_ECONFIG);
  cr_expect(strstr(err.msg[0], "belongs to another study"), "%s", err.msg[0]);
  snprintf(ck->study_hash, sizeof ck->study_hash, "%s", st->hash);
  ck->seed = st->seed;
  ck->trials = st->trials;
  ck->block_size = st->block_size;
  ck->geo_trials = st->geo_trials;
  ck->rows = st->points;
  ck->n_inputs = st->n_inputs;
  ck->n_outputs = st->n_outputs;
  osq_error_clear(&err);
  cr_expect_eq(osq_study_ckpt_match(ck, st, "p", &err), OSQ_OK, "%s", err.msg[0]);
  ck->method = OSQ_METHOD_MORRIS;
  osq_error_clear(&err);
  cr_expect_eq(osq_study_ckpt_match(ck, st, "p", &err), OSQ_ECONFIG);
  cr_expect(strstr(err.msg[0], "belongs to a morris study of 32 trajectories, not a sobol study of 32"), "%s",
            err.msg[0]);
  osq_study_ckpt_free(ck);
  osq_study_free(st);
  free(st);
}
