/*
 * test_run.c: the engine. The flight log checked against every quota rule from its text alone;
 * results independent of the thread count; memory independent of the trial count; and the
 * engine's 95 % confidence interval of a metric whose law is known exactly (plans_agreed is
 * Bernoulli(1 - plan_fail_prob)) covering the truth at the expected rate. Resume: a run stopped
 * twice and continued from its checkpoints (through their bytes, on other thread counts) equals
 * the uninterrupted run bit for bit; damaged checkpoint bytes and checkpoints of other runs are
 * refused.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/input/hash.h"
#include "sim/engine/run.h"

static osq_scenario_t *load_baseline(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/scenarios/baseline.cfg", OSQ_SOURCE_DIR);
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_scenario_load(path, sc, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  return sc;
}

/* ---------------------------------------------------------------------------------------------- */
/* The flight log against the rules                                                                 */
/* ---------------------------------------------------------------------------------------------- */

#define MAXP OSQ_PARTIES_MAX

typedef struct {
  int64_t trial;
  int year;
  int granted_over[MAXP];                 /* every listed flight: it was granted in the distribution */
  int slots_by[MAXP];
  int pair[MAXP][MAXP];
  int n_dated[MAXP];
  osq_day_t dated[MAXP][512];
} tally_t;

static int cap_passive(const osq_scenario_t *sc, int j, int year) {
  int q = sc->treaty.parties[j].passive_quota;
  return year <= sc->model.phase_in_last_year ? (int)floor(sc->model.phase_in_factor * q) : q;
}

static int checks_done;

static void check_tally(const osq_scenario_t *sc, const tally_t *t) {
  const osq_treaty_t *tr = &sc->treaty;
  for (int j = 0; j < tr->n_parties; j++) {
    const osq_party_t *pj = &tr->parties[j];
    cr_assert_leq(t->granted_over[j], cap_passive(sc, j, t->year), "trial %lld %d: %d flights over %s, quota %d",
                  (long long)t->trial, t->year, t->granted_over[j], pj->code, cap_passive(sc, j, t->year));
    cr_assert_leq(t->slots_by[j], pj->passive_quota, "trial %lld: %s flew %d slots, active quota %d",
                  (long long)t->trial, pj->code, t->slots_by[j], pj->passive_quota);
    for (int i = 0; i < tr->n_parties; i++) {
      int m = tr->parties[i].passive_quota < pj->passive_quota ? tr->parties[i].passive_quota : pj->passive_quota;
      int cap = (m + 1) / 2; /* 50 % of the smaller, rounded up (Art. III Sec. I para 10) */
      cr_assert_leq(t->pair[i][j], cap, "trial %lld: %s over %s %d times, 50 %% rule allows %d", (long long)t->trial,
                    tr->parties[i].code, pj->code, t->pair[i][j], cap);
    }
    int per_q[4] = {0};
    for (int a = 0; a < t->n_dated[j]; a++) {
      int y, m, d;
      osq_date_to_ymd(t->dated[j][a], &y, &m, &d);
      per_q[(m - 1) / 3]++;
      for (int b = a + 1; b < t->n_dated[j]; b++)
        cr_assert_geq(abs(t->dated[j][a] - t->dated[j][b]), 4, "trial %lld: two flights over %s within 96 h",
                      (long long)t->trial, pj->code);
    }
    for (int q = 0; q < 4; q++)
      cr_assert_leq(per_q[q], 16, "trial %lld: %d flights over %s in quarter %d", (long long)t->trial, per_q[q],
                    pj->code, q + 1);
  }
  checks_done++;
}

/* Parse the log and check every (trial, year) against the rules. Returns the rows read. */
static long check_log(const osq_scenario_t *sc, FILE *f, int *completed_void_violations) {
  char line[512];
  cr_assert_not_null(fgets(line, sizeof line, f));
  cr_assert_str_eq(line, "trial,year,day,observed,observers,status,airfield,distance_km,imaged_km2\n");
  tally_t *t = calloc(1, sizeof *t);
  t->trial = -1;
  long rows = 0;
  *completed_void_violations = 0;
  while (fgets(line, sizeof line, f)) {
    rows++;
    char *fields[9];
    int nf = 0;
    char *p = line;
    while (nf < 9) {
      fields[nf++] = p;
      char *c = strpbrk(p, ",\n");
      if (!c) break;
      *c = '\0';
      p = c + 1;
    }
    cr_assert_eq(nf, 9, "row %ld has %d fields", rows, nf);
    int64_t trial = atoll(fields[0]);
    int year = atoi(fields[1]);
    if (trial != t->trial || year != t->year) {
      if (t->trial >= 0) check_tally(sc, t);
      memset(t, 0, sizeof *t);
      t->trial = trial;
      t->year = year;
    }
    int j = osq_treaty_find(&sc->treaty, fields[3]);
    cr_assert_geq(j, 0, "unknown observed party %s", fields[3]);
    t->granted_over[j]++;
    const char *status = fields[5];
    cr_assert(!strcmp(status, "completed") || !strcmp(status, "cancelled") || !strcmp(status, "void"), "status %s",
              status);
    osq_day_t day = OSQ_DAY_NEVER;
    if (fields[2][0]) {
      cr_assert_eq(osq_date_parse(fields[2], &day), OSQ_OK, "bad day %s", fields[2]);
      cr_assert_eq(osq_date_year(day), year);
      t->dated[j][t->n_dated[j]++] = day;
    } else {
      cr_assert_str_eq(status, "cancelled", "an undated flight must be cancelled");
    }
    char obs[64];
    snprintf(obs, sizeof obs, "%s", fields[4]);
    int n_obs = 0;
    for (char *save = NULL, *o = strtok_r(obs, "+", &save); o; o = strtok_r(NULL, "+", &save)) {
      int i = osq_treaty_find(&sc->treaty, o);
      cr_assert_geq(i, 0, "unknown observer %s", o);
      cr_assert_neq(i, j, "%s observes itself", o);
      t->slots_by[i]++;
      t->pair[i][j]++;
      n_obs++;
      if (!strcmp(status, "completed") && !osq_party_in_force(&sc->treaty.parties[i], day)) (*completed_void_violations)++;
    }
    cr_assert(n_obs >= 1 && n_obs <= 4, "%d observers", n_obs);
    if (!strcmp(status, "completed") && !osq_party_in_force(&sc->treaty.parties[j], day)) (*completed_void_violations)++;
  }
  if (t->trial >= 0) check_tally(sc, t);
  free(t);
  return rows;
}

Test(flight_log, baseline_obeys_every_rule, .timeout = 300) {
  osq_scenario_t *sc = load_baseline();
  sc->geo.enabled = false; /* the quota rules only: the routes are tested in test_coverage.c */
  FILE *f = tmpfile();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_run_flight_log(sc, 2000, f, &err), OSQ_OK);
  rewind(f);
  int bad = 0;
  checks_done = 0;
  long rows = check_log(sc, f, &bad);
  fclose(f);
  cr_assert_eq(bad, 0, "%d completed flights involve a party not in force", bad);
  cr_assert_gt(rows, 2000 * 80L, "only %ld flights in 2000 trials", rows);
  cr_assert_gt(checks_done, 1800, "%d trial-years checked", checks_done);
  free(sc);
}

Test(flight_log, withdrawal_years_void_flights_after_the_date, .timeout = 300) {
  osq_scenario_t *sc = load_baseline();
  sc->geo.enabled = false;
  sc->first_year = 2020; /* the US withdrawal took effect on 2020-11-22 */
  sc->last_year = 2021;  /* Russia's on 2021-12-18 */
  FILE *f = tmpfile();
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_run_flight_log(sc, 500, f, &err), OSQ_OK);
  rewind(f);
  int bad = 0;
  long rows = check_log(sc, f, &bad);
  cr_assert_eq(bad, 0, "%d completed flights involve a party not in force", bad);
  cr_assert_gt(rows, 0);
  /* Some flights must have been voided: a late-November US flight in 500 trials is certain. */
  rewind(f);
  char line[512];
  long voided = 0;
  while (fgets(line, sizeof line, f)) voided += strstr(line, ",void,") != NULL;
  fclose(f);
  cr_assert_gt(voided, 0, "no void flight after the withdrawals");
  free(sc);
}

/* ---------------------------------------------------------------------------------------------- */
/* Thread count and memory                                                                          */
/* ---------------------------------------------------------------------------------------------- */

Test(engine, same_bits_for_any_thread_count, .timeout = 300) {
  osq_scenario_t *sc = load_baseline();
  sc->block_size = 256; /* many blocks, so that threads really interleave */
  sc->geo.trials = 600; /* coverage rows too, over fewer trials: the geography is the costly part */
  osq_run_result_t *r[3];
  for (int k = 0; k < 3; k++) {
    osq_run_opts_t o = {.trials = 3000, .threads = k + 1};
    osq_error_t err;
    osq_error_clear(&err);
    cr_assert_eq(osq_run_execute(sc, &o, &r[k], &err), OSQ_OK);
  }
  for (int k = 0; k < 3; k++) { /* each thread's pace: no thread is faster than the loop allows */
    const osq_run_result_t *x = r[k];
    cr_assert(x->thread_rate_min > 0.0 && x->thread_rate_min <= x->thread_rate_max, "%d threads: %g-%g", k + 1,
              x->thread_rate_min, x->thread_rate_max);
    cr_assert_leq(x->thread_rate_max, x->thread_rate_sum);
    cr_assert_geq(x->thread_rate_sum, (double)x->trials_done / x->wall_seconds, "%d threads: the threads' sum %g "
                  "below the loop's %g trials/s", k + 1, x->thread_rate_sum, (double)x->trials_done / x->wall_seconds);
    if (k == 0) cr_assert_eq(x->thread_rate_min, x->thread_rate_sum);
  }
  for (int k = 1; k < 3; k++) {
    cr_assert_eq(r[k]->hash, r[0]->hash);
    cr_assert_eq(r[k]->table->n, r[0]->table->n);
    cr_assert_eq(memcmp(r[k]->table->rows, r[0]->table->rows, r[0]->table->n * sizeof(osq_row_t)), 0,
                 "summary rows differ between 1 and %d threads", k + 1);
    cr_assert_eq(memcmp(r[k]->dyads->rows, r[0]->dyads->rows, r[0]->dyads->n * sizeof(osq_dyad_row_t)), 0);
  }
  for (int k = 0; k < 3; k++) osq_run_result_free(r[k]);
  free(sc);
}

/* Peak resident memory (KiB) of a child process that runs `trials` trials. */
static long child_peak_kib(int64_t trials) {
  int fd[2];
  cr_assert_eq(pipe(fd), 0);
  pid_t pid = fork();
  cr_assert_geq(pid, 0);
  if (pid == 0) {
    osq_scenario_t *sc = load_baseline();
    sc->geo.trials = 200; /* geography on (its buffers count), over few trials */
    /* No map: its per-thread counts are 4 bytes a cell, and which of their pages become resident
     * depends on which thread imaged what, i.e. on the scheduling (a few MiB either way). */
    sc->map = false;
    osq_run_opts_t o = {.trials = trials, .threads = 2};
    osq_run_result_t *r;
    osq_error_t err;
    osq_error_clear(&err);
    if (osq_run_execute(sc, &o, &r, &err) != OSQ_OK) _exit(1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long kib = ru.ru_maxrss;
    if (write(fd[1], &kib, sizeof kib) != (ssize_t)sizeof kib) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  long kib = -1;
  cr_assert_eq(read(fd[0], &kib, sizeof kib), (ssize_t)sizeof kib);
  close(fd[0]);
  int status;
  waitpid(pid, &status, 0);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return kib;
}

/* Peak RSS of one process varies by about 1 MiB from run to run whatever the trial count (thread
 * start-up, malloc arenas: measured 25.9-27.2 MiB for both counts below under load), so the test
 * compares 80 times the trials against a 4 MiB margin: anything kept per trial, down to 13 bytes,
 * would exceed it. */
Test(engine, memory_does_not_grow_with_trials, .timeout = 300) {
  long small = child_peak_kib(4096);
  long large = child_peak_kib(80 * 4096);
  cr_log_info("peak RSS %ld KiB for 4,096 trials, %ld KiB for 327,680", small, large);
  cr_assert_lt(large - small, 4096, "peak RSS %ld KiB for 4,096 trials, %ld KiB for 327,680", small, large);
}

/* ---------------------------------------------------------------------------------------------- */
/* The engine's confidence interval                                                                  */
/* ---------------------------------------------------------------------------------------------- */

Test(engine, ci_covers_a_known_mean_at_the_expected_rate, .timeout = 300) {
  osq_scenario_t *sc = load_baseline();
  sc->geo.enabled = false; /* plans_agreed does not need the geography; 200 runs stay fast */
  const double truth = 1.0 - sc->model.plan_fail_prob; /* plans_agreed ~ Bernoulli(truth) */
  const int runs = 200;
  int covered = 0;
  for (int k = 0; k < runs; k++) {
    sc->seed = 1000 + (uint64_t)k;
    osq_run_opts_t o = {.trials = 400, .threads = 2};
    osq_run_result_t *r;
    osq_error_t err;
    osq_error_clear(&err);
    cr_assert_eq(osq_run_execute(sc, &o, &r, &err), OSQ_OK);
    for (size_t i = 0; i < r->table->n; i++) {
      const osq_row_t *row = &r->table->rows[i];
      if (strcmp(row->metric, "plans_agreed") == 0) covered += row->ci95_lo <= truth && truth <= row->ci95_hi;
    }
    osq_run_result_free(r);
  }
  /* 99.9 % binomial band around 0.95 for 200 runs: 0.95 +- 3.29 * sqrt(0.95 * 0.05 / 200). */
  const double rate = (double)covered / runs, half = 3.29 * sqrt(0.95 * 0.05 / runs);
  cr_assert(fabs(rate - 0.95) <= half, "coverage %.3f outside [%.3f, %.3f]", rate, 0.95 - half, 0.95 + half);
  free(sc);
}

/* ---------------------------------------------------------------------------------------------- */
/* Resume from a checkpoint                                                                         */
/* ---------------------------------------------------------------------------------------------- */

static osq_run_result_t *run_or_fail(const osq_scenario_t *sc, const osq_run_opts_t *o) {
  osq_run_result_t *r = NULL;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_run_execute(sc, o, &r, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  return r;
}

static osq_checkpoint_t *round_trip(const osq_checkpoint_t *ck) {
  unsigned char *buf, *again;
  size_t len, len2;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_checkpoint_encode(ck, &buf, &len, &err), OSQ_OK);
  osq_checkpoint_t *back;
  cr_assert_eq(osq_checkpoint_decode(buf, len, "ck", &back, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  cr_assert_eq(osq_checkpoint_encode(back, &again, &len2, &err), OSQ_OK);
  cr_assert(len == len2 && memcmp(buf, again, len) == 0, "the checkpoint does not survive encode, decode, encode");
  free(buf);
  free(again);
  return back;
}

static void assert_same_results(const osq_run_result_t *a, const osq_run_result_t *b) {
  cr_assert_eq(a->hash, b->hash);
  cr_assert_eq(a->trials_done, b->trials_done);
  cr_assert_eq(a->flights_completed, b->flights_completed);
  cr_assert_eq(a->cells_marked, b->cells_marked);
  cr_assert(!a->partial && !b->partial);
  cr_assert_eq(a->table->n, b->table->n);
  cr_assert_eq(memcmp(a->table->rows, b->table->rows, a->table->n * sizeof(osq_row_t)), 0, "summary rows differ");
  cr_assert_eq(a->dyads->n, b->dyads->n);
  cr_assert_eq(memcmp(a->dyads->rows, b->dyads->rows, a->dyads->n * sizeof(osq_dyad_row_t)), 0, "dyads differ");
  cr_assert_eq(a->map.value == NULL, b->map.value == NULL);
  if (a->map.value)
    cr_assert_eq(memcmp(a->map.value, b->map.value, sizeof(float) * (size_t)a->map.nlat * (size_t)a->map.nlon), 0,
                 "map differs");
}

Test(resume, continues_bit_for_bit_on_other_thread_counts, .timeout = 300) {
  osq_scenario_t *sc = load_baseline();
  sc->block_size = 32;
  sc->geo.trials = 60; /* coverage rows and the map, cheaply */
  osq_run_opts_t o = {.trials = 1200, .threads = 2};
  sc->trials = 1200;
  osq_run_result_t *ref = run_or_fail(sc, &o);

  /* Stopped twice (after 8 then 20 blocks, 1 then 3 threads), each checkpoint through its bytes. */
  osq_run_opts_t s1 = {.trials = 1200, .threads = 1, .stop_after_blocks = 8};
  osq_run_result_t *p1 = run_or_fail(sc, &s1);
  cr_assert(p1->partial && p1->checkpoint);
  cr_assert_eq(p1->trials_done, 8 * 32);
  cr_assert_eq(osq_checkpoint_trials_done(p1->checkpoint), 8 * 32);
  p1->checkpoint->formats = OSQ_FMT_CSV; /* the caller's part (osq run sets its --format) */
  osq_checkpoint_t *c1 = round_trip(p1->checkpoint);
  osq_run_opts_t s2 = {.trials = 1200, .threads = 3, .stop_after_blocks = 20, .resume = c1};
  osq_run_result_t *p2 = run_or_fail(sc, &s2);
  cr_assert(p2->partial && p2->checkpoint);
  cr_assert_eq(p2->trials_resumed, 8 * 32);
  cr_assert_gt(p2->trials_done, 20 * 32 - 1);
  p2->checkpoint->formats = OSQ_FMT_CSV;
  osq_checkpoint_t *c2 = round_trip(p2->checkpoint);
  osq_run_opts_t s3 = {.trials = 1200, .threads = 2, .resume = c2};
  osq_run_result_t *fin = run_or_fail(sc, &s3);
  cr_assert_null(fin->checkpoint);
  assert_same_results(ref, fin);

  osq_run_result_free(ref);
  osq_run_result_free(p1);
  osq_run_result_free(p2);
  osq_run_result_free(fin);
  osq_checkpoint_free(c1);
  osq_checkpoint_free(c2);
  free(sc);
}

/* A partial run of the baseline without geography (fast), its checkpoint encoded. */
static osq_checkpoint_t *small_checkpoint(osq_scenario_t *sc, unsigned char **buf, size_t *len) {
  sc->geo.enabled = false;
  sc->block_size = 16;
  sc->trials = 400;
  osq_run_opts_t o = {.threads = 2, .stop_after_blocks = 4};
  osq_run_result_t *r = run_or_fail(sc, &o);
  cr_assert(r->partial && r->checkpoint);
  osq_checkpoint_t *ck = r->checkpoint;
  r->checkpoint = NULL;
  osq_run_result_free(r);
  ck->formats = OSQ_FMT_CSV;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_checkpoint_encode(ck, buf, len, &err), OSQ_OK);
  return ck;
}

static void assert_refused(const unsigned char *buf, size_t len, const char *what) {
  osq_checkpoint_t *ck = NULL;
  osq_error_t err;
  osq_error_clear(&err);
  int rc = osq_checkpoint_decode(buf, len, "ck", &ck, &err);
  cr_assert_eq(rc, OSQ_ECONFIG, "%s: accepted (rc %d)", what, rc);
  cr_assert_null(ck);
  cr_assert_eq(err.n, 1, "%s: %d messages", what, err.n);
  cr_assert_eq(strncmp(err.msg[0], "ck: ", 4), 0, "%s: %s", what, err.msg[0]);
}

Test(checkpoint, refuses_truncated_corrupt_or_extended_bytes) {
  osq_scenario_t *sc = load_baseline();
  unsigned char *buf;
  size_t len;
  osq_checkpoint_t *ck = small_checkpoint(sc, &buf, &len);
  char what[64];
  for (size_t cut = 0; cut < len; cut += cut < 64 ? 1 : 997) {
    snprintf(what, sizeof what, "cut to %zu bytes", cut);
    assert_refused(buf, cut, what);
  }
  unsigned char *copy = malloc(len + 1);
  for (size_t i = 0; i < len; i += i < 64 ? 1 : 331) {
    memcpy(copy, buf, len);
    copy[i] ^= 0x10;
    snprintf(what, sizeof what, "byte %zu flipped", i);
    assert_refused(copy, len, what);
  }
  memcpy(copy, buf, len);
  copy[len] = 0;
  assert_refused(copy, len + 1, "one byte more");
  free(copy);
  free(buf);
  osq_checkpoint_free(ck);
  free(sc);
}

/* Found by fuzzing the decoder: the sparse cell list is short whatever the raster's size, so a
 * count of cells must be bounded on its own or a 60-byte change asks for gigabytes. */
Test(checkpoint, refuses_an_impossible_map_before_allocating) {
  osq_scenario_t *sc = load_baseline();
  unsigned char *buf;
  size_t len;
  osq_checkpoint_t *ck = small_checkpoint(sc, &buf, &len);
  cr_assert_eq(ck->n_cells, 0); /* no map: the file ends with n_cells = 0, k = 0, checksum */
  const uint64_t huge = 100000000; /* above the finest raster (7,200 x 3,600), 800 MB of counts */
  for (int i = 0; i < 8; i++) buf[len - 24 + i] = (unsigned char)(huge >> (8 * i));
  const uint64_t h = osq_fnv1a64(buf, len - 8, OSQ_FNV1A64_INIT);
  for (int i = 0; i < 8; i++) buf[len - 8 + i] = (unsigned char)(h >> (8 * i));
  osq_checkpoint_t *back = NULL;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_checkpoint_decode(buf, len, "ck", &back, &err), OSQ_ECONFIG);
  cr_assert_null(back);
  cr_assert_str_eq(err.msg[0], "ck: corrupt checkpoint: 100000000 map cells");
  free(buf);
  osq_checkpoint_free(ck);
  free(sc);
}

Test(checkpoint, belongs_to_one_run_only) {
  osq_scenario_t *sc = load_baseline();
  unsigned char *buf;
  size_t len;
  osq_checkpoint_t *ck = small_checkpoint(sc, &buf, &len);
  free(buf);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_checkpoint_match(ck, sc, "ck", &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  osq_scenario_t other = *sc;
  other.seed++;
  cr_assert_eq(osq_checkpoint_match(ck, &other, "ck", &err), OSQ_ECONFIG);
  other = *sc;
  other.trials++;
  cr_assert_eq(osq_checkpoint_match(ck, &other, "ck", &err), OSQ_ECONFIG);
  other = *sc;
  other.block_size = 32;
  cr_assert_eq(osq_checkpoint_match(ck, &other, "ck", &err), OSQ_ECONFIG);
  other = *sc;
  other.hash[0] = other.hash[0] == '0' ? '1' : '0';
  cr_assert_eq(osq_checkpoint_match(ck, &other, "ck", &err), OSQ_ECONFIG);
  cr_assert_eq(err.n, 4);

  /* The engine checks the shapes: two years of statistics do not continue one. */
  other = *sc;
  other.last_year = other.first_year + 1;
  osq_run_opts_t o = {.threads = 1, .resume = ck, .resume_path = "ck"};
  osq_run_result_t *r = NULL;
  osq_error_clear(&err);
  cr_assert_eq(osq_run_execute(&other, &o, &r, &err), OSQ_EINVAL);
  cr_assert_null(r);
  cr_assert_eq(strncmp(err.msg[0], "ck: ", 4), 0, "%s", err.msg[0]);
  osq_checkpoint_free(ck);
  free(sc);
}
