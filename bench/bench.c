/*
 * bench.c owns `osq bench`: it parses the bench options, runs the engine once per (repeat, thread
 * count), the thread counts in turn within each round, and prints an XSBench-like report (80
 * columns, one section per configuration, units on every number, set-up apart from the trial
 * loop) or one JSON document.
 *
 * Timing is the engine's own (omp_get_wtime around set-up and around the trial loop), so the
 * figures exclude scenario loading and result tables. Best-of-R and median-of-R are reported
 * because this runs on shared VMs where one run's wall clock is noisy (docs/engineering.md §9).
 * Rates are computed from int64 counts in double, never int (XSBench's int lookups/s overflows).
 *
 * Under MPI every rank runs this code and the engine shares each run's trials over the ranks, so
 * a configuration is "T threads on each of R ranks" and every rate is the whole job's (trials
 * done by all ranks over the slowest rank's trial loop). The caller passes /dev/null streams to
 * the ranks other than 0; the checks that can fail on one rank only (the scenario file) are
 * agreed between ranks so that all stop together.
 */
#include "bench/bench.h"


#include <errno.h>
#include <jansson.h>
#include <omp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "models/errors.h"
#include "sim/engine/geosetup.h"
#include "sim/input/hash.h"
#include "bench/lowerbound.h"
#include "bench/stages.h"
#include "sim/engine/mpi.h"
#include "models/rng.h"
#include "sim/engine/run.h"
#include "sim/input/scenario.h"

#define BENCH_DEFAULT_SCENARIO "scenarios/baseline.cfg"
#define BENCH_MAX_REPEAT OSQ_BENCH_MAX_REPEAT
#define BENCH_WIDTH 80

typedef enum { ST_UNCHECKED, ST_VALID, ST_INVALID } status_t;

static const char *const STATUS_WORD[] = {"unchecked", "valid", "INVALID"};

typedef osq_bench_args_t bench_args_t;

/* One measured configuration (a thread count) and its R repeats. */
typedef struct {
  int threads;       /* per MPI rank */
  int ranks;         /* MPI ranks (1 without MPI) */
  int64_t trials;    /* trials done by each run */
  int64_t flights;   /* flights completed by each run (the same every run: the runs are identical) */
  bool has_cells;    /* the engine reports imaged raster cells (see imaged_cells()) */
  int64_t cells;
  double setup[BENCH_MAX_REPEAT], wall[BENCH_MAX_REPEAT];
  uint64_t hash[BENCH_MAX_REPEAT];
  double setup_median, wall_best, wall_median;
  double rate_best, rate_median, flights_rate, cells_rate;
  double speedup, efficiency;
  double peak_mib;
  status_t status;
  char why[160]; /* for ST_INVALID: what was expected */
  /* the lower bound (lowerbound.h) for the same work and threads; has_lb false under MPI */
  bool has_lb;
  osq_lb_work_t lb;
  double lb_seconds[BENCH_MAX_REPEAT], lb_best, lb_ratio;
  /* the quota-model bound (lowerbound.h) of a run without geography; has_qb false under MPI */
  bool has_qb;
  double qb_seconds[BENCH_MAX_REPEAT], qb_best, qb_ratio;
  /* the quota model's own stages (stages.h) on the same trials: with has_qb */
  double ms_seconds[BENCH_MAX_REPEAT], ds_seconds[BENCH_MAX_REPEAT], ms_best, ds_best;
  /* each thread's own pace while it ran blocks (osq_waves_result_t), of each repeat and of the best;
   * balance = the loop's rate / the sum of the threads' rates (one rank only, as the bounds) */
  double pace_min[BENCH_MAX_REPEAT], pace_max[BENCH_MAX_REPEAT], pace_sum[BENCH_MAX_REPEAT];
  double best_pace_min, best_pace_max, balance;
} config_t;

/* ============================================================================================ */
/* Hooks into the engine result                                                                 */
/* ============================================================================================ */

/*
 * Imaged cells per second, from the engine's cells_marked (raster cells imaged, summed over
 * flights). A run without geography (geo.enabled = false) images nothing and reports 0: then no
 * rate is printed at all rather than a rate of zero or an invented one.
 */
static bool imaged_cells(const osq_run_result_t *r, int64_t *cells) {
  *cells = r->cells_marked;
  return r->cells_marked > 0;
}

/* ============================================================================================ */
/* Arguments                                                                                    */
/* ============================================================================================ */

static void print_usage(FILE *f) {
  fprintf(f,
          "Usage: osq bench [SCENARIO.cfg] [options]\n"
          "  Throughput of the Monte Carlo engine: trials/s per thread count, parallel\n"
          "  efficiency, peak memory, and the verification hash (equal for all threads).\n"
          "\n"
          "  SCENARIO.cfg       default: scenarios/baseline.cfg in the working directory\n"
          "  --threads LIST     comma list of thread counts, e.g. 1,2 (default: 1 and the\n"
          "                     number of cores); the first entry is the scaling reference\n"
          "  --trials N         trials per run (default: the scenario's simulation.trials)\n"
          "  --repeat R         runs per thread count, 1..%d, in rounds (each thread count\n"
          "                     once a round); best and median reported\n"
          "  --expect-hash HEX  expected verification hash (16 hex digits, optional 0x)\n"
          "  --json             one JSON document instead of the text report\n"
          "  --help             this text\n"
          "\n"
          "Exit codes: 0 ok, 1 hash mismatch (between thread counts, repeats, or with\n"
          "            --expect-hash), 2 usage or scenario error, 3 runtime error.\n",
          BENCH_MAX_REPEAT);
}

/* The defaults the parser leaves open: the scenario and the thread counts (1 and every core). */
static void default_args(bench_args_t *a) {
  if (!a->path) a->path = BENCH_DEFAULT_SCENARIO;
  if (a->n_threads == 0) {
    const int cores = omp_get_num_procs();
    a->threads[a->n_threads++] = 1;
    if (cores > 1) a->threads[a->n_threads++] = cores < OSQ_BENCH_MAX_THREADS ? cores : OSQ_BENCH_MAX_THREADS;
  }
}

/* ============================================================================================ */
/* Measurement                                                                                  */
/* ============================================================================================ */

static int cmp_double(const void *x, const void *y) {
  const double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

static double median(const double *v, int n) {
  double s[BENCH_MAX_REPEAT];
  memcpy(s, v, sizeof *v * (size_t)n);
  qsort(s, (size_t)n, sizeof *s, cmp_double);
  return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

static double minimum(const double *v, int n) {
  double m = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] < m) m = v[i];
  return m;
}

/* Events per second; a loop too short for the clock (0 s) counts as 1 ns, never a division by 0. */
static double rate(int64_t count, double seconds) { return (double)count / (seconds > 1e-9 ? seconds : 1e-9); }

/* Peak resident set of the whole process so far, MiB (Linux ru_maxrss is in KiB). */
static double peak_mib(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0.0;
  return (double)ru.ru_maxrss / 1024.0;
}

/* Round r of configuration c: one run of the engine, then its lower bound (the work as this run
 * counted it) and, with geography off, the quota-model bound. Under MPI neither bound is measured:
 * their loops are one process's. @return 0, or the engine's error code with detail in err. */
static int measure_round(const osq_scenario_t *sc, const osq_geo_raster_t *g, const bench_args_t *a, config_t *c,
                         int r, osq_error_t *err) {
  osq_run_opts_t opts = {.trials = a->trials, .threads = c->threads};
  osq_run_result_t *res = NULL;
  int rc = osq_run_execute(sc, &opts, &res, err);
  if (rc != OSQ_OK) return rc;
  c->setup[r] = res->setup_seconds;
  c->wall[r] = res->wall_seconds;
  c->hash[r] = res->hash;
  c->pace_min[r] = res->thread_rate_min;
  c->pace_max[r] = res->thread_rate_max;
  c->pace_sum[r] = res->thread_rate_sum;
  c->trials = res->trials_done;
  c->flights = res->flights_completed;
  c->threads = res->threads;
  c->ranks = res->ranks;
  c->has_cells = imaged_cells(res, &c->cells);
  const int64_t stride = osq_scenario_geo_stride(sc, res->trials_done);
  const int64_t geo_trials = sc->geo.enabled ? (res->trials_done + stride - 1) / stride : 0;
  c->lb = (osq_lb_work_t){.trials = res->trials_done,
                          .years = sc->last_year - sc->first_year + 1,
                          .geo_stride = stride,
                          .draws = res->draws,
                          /* flights of the trials with geography, for the per-flight clears */
                          .flights = res->trials_done ? (int64_t)((double)res->flights_completed *
                                                                  (double)geo_trials / (double)res->trials_done + 0.5)
                                                      : 0,
                          .cells = res->cells_marked,
                          .runs = res->runs_marked,
                          .seed = sc->seed,
                          .block_size = sc->block_size};
  osq_run_result_free(res);
  if (r == 0) c->peak_mib = peak_mib(); /* the process's peak after this configuration's first run */
  c->has_lb = c->ranks == 1;
  c->has_qb = c->has_lb && !sc->geo.enabled;
  if (!c->has_lb) return OSQ_OK;
  osq_lb_result_t out;
  if ((rc = osq_lb_run(g, &c->lb, c->threads, &out, err)) != OSQ_OK) return rc;
  c->lb_seconds[r] = out.seconds;
  if (!c->has_qb) return OSQ_OK;
  if ((rc = osq_lb_quota_run(&c->lb, c->threads, &out, err)) != OSQ_OK) return rc;
  c->qb_seconds[r] = out.seconds;
  osq_stage_result_t st;
  if ((rc = osq_stage_run(sc, c->trials, c->threads, OSQ_STAGE_DISTRIBUTION, &st, err)) != OSQ_OK) return rc;
  c->ds_seconds[r] = st.seconds;
  if ((rc = osq_stage_run(sc, c->trials, c->threads, OSQ_STAGE_MODEL, &st, err)) != OSQ_OK) return rc;
  c->ms_seconds[r] = st.seconds;
  /* The model's loop leaves out what comes after the model, nothing before it: the same words. */
  if (st.draws != c->lb.draws)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "model stages drew %lld words, the run %lld",
                         (long long)st.draws, (long long)c->lb.draws);
  return OSQ_OK;
}

/* Configuration c's figures from its R rounds. */
static void summarize_config(const bench_args_t *a, config_t *c) {
  const int R = a->repeat;
  c->setup_median = median(c->setup, R);
  c->wall_best = minimum(c->wall, R);
  c->wall_median = median(c->wall, R);
  c->rate_best = rate(c->trials, c->wall_best);
  c->rate_median = rate(c->trials, c->wall_median);
  c->flights_rate = rate(c->flights, c->wall_best);
  c->cells_rate = c->has_cells ? rate(c->cells, c->wall_best) : 0.0;
  int best = 0;
  for (int r = 1; r < R; r++) best = c->wall[r] < c->wall[best] ? r : best;
  c->best_pace_min = c->pace_min[best];
  c->best_pace_max = c->pace_max[best];
  c->balance = c->pace_sum[best] > 0.0 ? c->rate_best / c->pace_sum[best] : 0.0;
  if (c->has_lb) {
    c->lb_best = minimum(c->lb_seconds, R);
    c->lb_ratio = c->wall_best / (c->lb_best > 1e-9 ? c->lb_best : 1e-9);
  }
  if (c->has_qb) {
    c->qb_best = minimum(c->qb_seconds, R);
    c->qb_ratio = c->wall_best / (c->qb_best > 1e-9 ? c->qb_best : 1e-9);
    c->ms_best = minimum(c->ms_seconds, R);
    c->ds_best = minimum(c->ds_seconds, R);
  }
}

/* Scaling against the first configuration, and the verification status. */
static void judge(config_t *c, const config_t *first, const bench_args_t *a) {
  c->speedup = c->rate_best / first->rate_best;
  c->efficiency = c->speedup * (double)first->threads / (double)c->threads;
  char hx[17];
  c->status = a->has_expect ? ST_VALID : ST_UNCHECKED;
  c->why[0] = '\0';
  for (int r = 1; r < a->repeat; r++)
    if (c->hash[r] != c->hash[0]) {
      osq_hash_hex(c->hash[r], hx);
      c->status = ST_INVALID;
      snprintf(c->why, sizeof c->why, "repeat %d gave %s", r + 1, hx);
      return;
    }
  if (c != first && c->hash[0] != first->hash[0]) {
    osq_hash_hex(first->hash[0], hx);
    c->status = ST_INVALID;
    snprintf(c->why, sizeof c->why, "expected 0x%s as with %d thread%s", hx, first->threads,
             first->threads == 1 ? "" : "s");
    return;
  }
  if (a->has_expect && c->hash[0] != a->expect) {
    osq_hash_hex(a->expect, hx);
    c->status = ST_INVALID;
    snprintf(c->why, sizeof c->why, "expected 0x%s", hx);
  }
}

/* ============================================================================================ */
/* Text report                                                                                  */
/* ============================================================================================ */

/* An integer with thousands separators, as XSBench's fancy_int. */
static const char *fancy(int64_t v, char buf[32]) {
  char digits[24];
  const bool neg = v < 0;
  snprintf(digits, sizeof digits, "%llu", neg ? 0ULL - (unsigned long long)v : (unsigned long long)v);
  const size_t n = strlen(digits);
  size_t k = 0;
  if (neg) buf[k++] = '-';
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 == 0) buf[k++] = ',';
    buf[k++] = digits[i];
  }
  buf[k] = '\0';
  return buf;
}

/* A rate rounded to an integer, with separators (rates here are far below 2^63). */
static const char *fancy_rate(double v, char buf[32]) { return fancy((int64_t)(v + 0.5), buf); }

static void border(FILE *f, char ch) {
  for (int i = 0; i < BENCH_WIDTH; i++) fputc(ch, f);
  fputc('\n', f);
}

static void center(FILE *f, const char *s) {
  const int pad = (BENCH_WIDTH - (int)strlen(s)) / 2;
  fprintf(f, "%*s%s\n", pad > 0 ? pad : 0, "", s);
}

static void section(FILE *f, const char *title) {
  border(f, '=');
  fprintf(f, "%s\n", title);
  border(f, '-');
}

static void verification_word(const config_t *c, char *buf, size_t n) {
  if (c->status == ST_INVALID) snprintf(buf, n, "(INVALID: %s)", c->why);
  else snprintf(buf, n, "(%s)", STATUS_WORD[c->status]);
}

/* The scenario name as one key=value token: no blanks or '=' (names may hold spaces). */
static void token(const char *s, char *out, size_t n) {
  size_t k = 0;
  for (; *s && k + 1 < n; s++) out[k++] = ((unsigned char)*s <= ' ' || *s == '=' || *s == 0x7f) ? '_' : *s;
  out[k] = '\0';
}

static void print_header(FILE *f, const osq_scenario_t *sc, const bench_args_t *a, int64_t trials, double load_s) {
  char b1[32], b2[32], line[256];
  border(f, '=');
  center(f, "osq " OSQ_VERSION " bench");
  section(f, "INPUT SUMMARY");
  fprintf(f, "%-17s%s  (%s)\n", "Scenario:", sc->name, sc->path);
  fprintf(f, "%-17s%s  (FNV-1a 64 of the file and its includes)\n", "Scenario hash:", sc->hash);
  fprintf(f, "%-17s%d-%d  (%d simulated year%s per trial)\n", "Years:", sc->first_year, sc->last_year,
          sc->last_year - sc->first_year + 1, sc->last_year > sc->first_year ? "s" : "");
  fprintf(f, "%-17s%-20s%-13s%s\n", "Trials:", fancy(trials, b1), "Block size:", fancy(sc->block_size, b2));
  snprintf(line, sizeof line, "%llu", (unsigned long long)sc->seed);
  fprintf(f, "%-17s%-20s%-13s%s\n", "RNG:", OSQ_RNG_NAME, "Seed:", line);
  size_t k = 0;
  line[0] = '\0';
  for (int i = 0; i < a->n_threads && k < sizeof line - 16; i++)
    k += (size_t)snprintf(line + k, sizeof line - k, "%s%d", i ? ", " : "", a->threads[i]);
  fprintf(f, "%-17s%-20s%-13s%d\n", "Threads:", line, "Cores:", omp_get_num_procs());
  if (osq_mpi_size() > 1)
    fprintf(f, "%-17s%-20d%s\n", "MPI ranks:", osq_mpi_size(), "(threads per rank; rates of the whole job)");
  else
    fprintf(f, "%-17s%d\n", "MPI ranks:", 1);
  fprintf(f, "%-17s%d per thread count (best and median wall-clock)\n", "Repeats:", a->repeat);
  if (a->has_expect) {
    osq_hash_hex(a->expect, b1);
    fprintf(f, "%-17s%s\n", "Expected hash:", b1);
  } else {
    fprintf(f, "%-17s(none: hashes are compared between thread counts only)\n", "Expected hash:");
  }
  section(f, "INITIALIZATION - DO NOT PROFILE");
  fprintf(f, "%-17s%.3f s  (parse and validate the scenario, once)\n", "Load scenario:", load_s);
}

static void print_bench_line(FILE *f, const osq_scenario_t *sc, const bench_args_t *a, const config_t *c) {
  char name[64], hx[17];
  token(sc->name, name, sizeof name);
  osq_hash_hex(c->hash[0], hx);
  fprintf(f, "bench: scenario=%s threads=%d trials=%lld seconds=%.6f trials_per_s=%.6g hash=%s ranks=%d", name,
          c->threads, (long long)c->trials, c->wall_best, c->rate_best, hx, c->ranks);
  fprintf(f, " setup_s=%.6f median_s=%.6f repeat=%d flights_per_s=%.6g", c->setup_median, c->wall_median, a->repeat,
          c->flights_rate);
  if (c->has_cells) fprintf(f, " imaged_cells_per_s=%.6g", c->cells_rate);
  if (c->has_lb)
    fprintf(f, " lower_bound_s=%.6f ratio=%.4f draws=%lld cell_marks=%lld runs=%lld", c->lb_best, c->lb_ratio,
            (long long)c->lb.draws, (long long)c->lb.cells, (long long)c->lb.runs);
  if (c->has_qb)
    fprintf(f, " quota_bound_s=%.6f quota_ratio=%.4f model_s=%.6f distribution_s=%.6f", c->qb_best, c->qb_ratio,
            c->ms_best, c->ds_best);
  if (c->has_lb)
    fprintf(f, " thread_rate_min=%.6g thread_rate_max=%.6g balance=%.4f", c->best_pace_min, c->best_pace_max,
            c->balance);
  fprintf(f, " speedup=%.4f efficiency=%.4f peak_mib=%.1f status=%s\n", c->speedup, c->efficiency, c->peak_mib,
          STATUS_WORD[c->status]);
}

static void print_config(FILE *f, const osq_scenario_t *sc, const bench_args_t *a, const config_t *c,
                         const config_t *first) {
  char title[64], b1[32], b2[32], word[200], hx[17];
  if (c->ranks > 1)
    snprintf(title, sizeof title, "SIMULATION - %d thread%s x %d MPI ranks", c->threads, c->threads == 1 ? "" : "s",
             c->ranks);
  else
    snprintf(title, sizeof title, "SIMULATION - %d thread%s", c->threads, c->threads == 1 ? "" : "s");
  section(f, title);
  if (a->repeat > 1) {
    fprintf(f, "%-17s%.6f s  (engine, before the trial loop; median of %d)\n", "Set-up:", c->setup_median, a->repeat);
    fprintf(f, "%-17s%.3f s best, %.3f s median  (trial loop only)\n", "Simulation:", c->wall_best, c->wall_median);
    fprintf(f, "%-17s%s trials/s best, %s trials/s median\n", "Throughput:", fancy_rate(c->rate_best, b1),
            fancy_rate(c->rate_median, b2));
  } else {
    fprintf(f, "%-17s%.6f s  (engine, before the trial loop)\n", "Set-up:", c->setup_median);
    fprintf(f, "%-17s%.3f s  (trial loop only)\n", "Simulation:", c->wall_best);
    fprintf(f, "%-17s%s trials/s\n", "Throughput:", fancy_rate(c->rate_best, b1));
  }
  fprintf(f, "%-17s%.2f us per trial per thread\n", "Cost:",
          1e6 * c->wall_best * c->threads * c->ranks / (double)c->trials);
  fprintf(f, "%-17s%s completed per run, %s flights/s\n", "Flights:", fancy(c->flights, b1),
          fancy_rate(c->flights_rate, b2));
  if (c->has_cells)
    fprintf(f, "%-17s%s per run, %s imaged cells/s\n", "Imaged cells:", fancy(c->cells, b1),
            fancy_rate(c->cells_rate, b2));
  if (c->has_lb) {
    fprintf(f, "%-17s%.3f s  (%s draws and %s cell marks in %s runs, no geometry)\n", "Lower bound:", c->lb_best,
            fancy(c->lb.draws, b1), fancy(c->lb.cells, b2), fancy(c->lb.runs, word));
    fprintf(f, "%-17s%.2fx the lower bound  (trial loop / lower bound)\n", "Ratio:", c->lb_ratio);
  }
  if (c->has_qb) {
    fprintf(f, "%-17s%.3f s  (the trials' own %s draws as uniform doubles, nothing else)\n", "Quota bound:",
            c->qb_best, fancy(c->lb.draws, b1));
    fprintf(f, "%-17s%.2fx the quota-model bound  (trial loop / quota bound)\n", "Quota ratio:", c->qb_ratio);
    const double per = 1e6 * c->threads / (double)c->trials; /* seconds -> us per trial per thread */
    fprintf(f, "%-17s%.3f s  (%.2f us a trial: its steps and draws, no more)\n", "Model alone:",
            c->ms_best, per * c->ms_best);
    fprintf(f, "%-17s%.3f s  (%.2f us; the schedule and execution %.2f us)\n", "Distribution:",
            c->ds_best, per * c->ds_best, per * (c->ms_best - c->ds_best));
    fprintf(f, "%-17s%.3f s  (%.2f us: the trial loop less the model alone)\n", "Accounting:",
            c->wall_best - c->ms_best, per * (c->wall_best - c->ms_best));
  }
  fprintf(f, "%-17s%.2fx speed-up vs %d thread%s, efficiency %.1f %%\n", "Scaling:", c->speedup, first->threads,
          first->threads == 1 ? "" : "s", 100.0 * c->efficiency);
  if (c->has_lb)
    fprintf(f, "%-17s%s-%s trials/s a thread while busy; the loop %.1f %% of their sum\n", "Thread pace:",
            fancy_rate(c->best_pace_min, b1), fancy_rate(c->best_pace_max, b2), 100.0 * c->balance);
  fprintf(f, "%-17s%.1f MiB  (peak resident set of the process so far%s)\n", "Peak memory:", c->peak_mib,
          c->ranks > 1 ? ", rank 0" : "");
  osq_hash_hex(c->hash[0], hx);
  verification_word(c, word, sizeof word);
  fprintf(f, "%-17shash %s %s\n", "Verification:", hx, word);
  border(f, '-');
  print_bench_line(f, sc, a, c);
  fflush(f);
}

static void print_results(FILE *f, const config_t *cs, int n, const bench_args_t *a) {
  char b1[32], b2[32], hx[17], word[200];
  section(f, "RESULTS");
  fprintf(f, "%-7s %9s %13s %10s %9s %8s  %s\n", "threads", "seconds", "trials/s", "(median)", "speed-up", "effic.",
          "hash");
  for (int i = 0; i < n; i++) {
    const config_t *c = &cs[i];
    osq_hash_hex(c->hash[0], hx);
    fprintf(f, "%7d %9.3f %13s %10s %8.2fx %7.1f%%  %s\n", c->threads, c->wall_best, fancy_rate(c->rate_best, b1),
            fancy_rate(c->rate_median, b2), c->speedup, 100.0 * c->efficiency, hx);
  }
  fprintf(f, "(seconds: trial loop of the best of %d run%s; ", a->repeat, a->repeat == 1 ? "" : "s");
  if (cs[0].threads == 1) fprintf(f, "efficiency = speed-up / threads)\n");
  else fprintf(f, "efficiency = speed-up x %d / threads)\n", cs[0].threads);
  border(f, '-');
  int bad = 0;
  for (int i = 0; i < n; i++) bad += cs[i].status == ST_INVALID;
  osq_hash_hex(cs[0].hash[0], hx);
  if (!bad) {
    fprintf(f, "%-17shash %s (%s)\n", "Verification:", hx, STATUS_WORD[cs[0].status]);
    fprintf(f, "%-17sthe same for every thread count%s\n", "", a->repeat > 1 ? " and repeat" : "");
  } else {
    fprintf(f, "%-17s%d of %d configurations INVALID:\n", "Verification:", bad, n);
    for (int i = 0; i < n; i++) {
      osq_hash_hex(cs[i].hash[0], hx);
      verification_word(&cs[i], word, sizeof word);
      fprintf(f, "  threads %-4d hash %s %s\n", cs[i].threads, hx, word);
    }
  }
  border(f, '=');
}

/* ============================================================================================ */
/* JSON report                                                                                  */
/* ============================================================================================ */

/* Set key to v (stealing v); a NULL v (allocation failure) marks *ok false. */
static void jset(json_t *o, const char *key, json_t *v, bool *ok) {
  if (!o || !v || json_object_set_new(o, key, v) != 0) *ok = false;
}

static json_t *jhash(uint64_t h) {
  char hx[17];
  osq_hash_hex(h, hx);
  return json_string(hx);
}

static json_t *json_report(const osq_scenario_t *sc, const bench_args_t *a, const config_t *cs, int n, int64_t trials,
                           double load_s, bool *ok) {
  json_t *root = json_object(), *s = json_object(), *configs = json_array();
  if (!root || !s || !configs) *ok = false;
  jset(root, "osq_version", json_string(OSQ_VERSION), ok);
  jset(s, "name", json_string(sc->name), ok);
  jset(s, "path", json_string(sc->path), ok);
  jset(s, "hash", json_string(sc->hash), ok);
  jset(s, "first_year", json_integer(sc->first_year), ok);
  jset(s, "last_year", json_integer(sc->last_year), ok);
  jset(root, "scenario", s, ok);
  jset(root, "trials", json_integer(trials), ok);
  jset(root, "block_size", json_integer(sc->block_size), ok);
  jset(root, "rng", json_string(OSQ_RNG_NAME), ok);
  jset(root, "seed", json_integer((json_int_t)sc->seed), ok);
  jset(root, "cores", json_integer(omp_get_num_procs()), ok);
  jset(root, "ranks", json_integer(osq_mpi_size()), ok);
  jset(root, "repeat", json_integer(a->repeat), ok);
  jset(root, "expected_hash", a->has_expect ? jhash(a->expect) : json_null(), ok);
  jset(root, "load_seconds", json_real(load_s), ok);
  int bad = 0;
  for (int i = 0; i < n; i++) {
    const config_t *c = &cs[i];
    bad += c->status == ST_INVALID;
    json_t *o = json_object(), *reps = json_array();
    if (!reps) *ok = false;
    jset(o, "threads", json_integer(c->threads), ok);
    jset(o, "trials", json_integer(c->trials), ok);
    jset(o, "seconds", json_real(c->wall_best), ok);
    jset(o, "trials_per_s", json_real(c->rate_best), ok);
    jset(o, "hash", jhash(c->hash[0]), ok);
    jset(o, "setup_seconds_median", json_real(c->setup_median), ok);
    jset(o, "seconds_median", json_real(c->wall_median), ok);
    jset(o, "trials_per_s_median", json_real(c->rate_median), ok);
    jset(o, "flights_completed", json_integer(c->flights), ok);
    jset(o, "flights_per_s", json_real(c->flights_rate), ok);
    if (c->has_cells) {
      jset(o, "imaged_cells", json_integer(c->cells), ok);
      jset(o, "imaged_cells_per_s", json_real(c->cells_rate), ok);
    }
    if (c->has_lb) {
      json_t *lb = json_object();
      jset(lb, "seconds", json_real(c->lb_best), ok);
      jset(lb, "ratio", json_real(c->lb_ratio), ok);
      jset(lb, "draws", json_integer(c->lb.draws), ok);
      jset(lb, "cell_marks", json_integer(c->lb.cells), ok);
      jset(lb, "runs", json_integer(c->lb.runs), ok);
      jset(o, "lower_bound", lb, ok);
    }
    if (c->has_qb) {
      json_t *qb = json_object();
      jset(qb, "seconds", json_real(c->qb_best), ok);
      jset(qb, "ratio", json_real(c->qb_ratio), ok);
      jset(qb, "draws", json_integer(c->lb.draws), ok);
      jset(o, "quota_bound", qb, ok);
      json_t *ms = json_object();
      jset(ms, "seconds", json_real(c->ms_best), ok);
      jset(ms, "distribution_seconds", json_real(c->ds_best), ok);
      jset(o, "model_alone", ms, ok);
    }
    if (c->has_lb) {
      json_t *tp = json_object();
      jset(tp, "slowest_trials_per_s", json_real(c->best_pace_min), ok);
      jset(tp, "fastest_trials_per_s", json_real(c->best_pace_max), ok);
      jset(tp, "balance", json_real(c->balance), ok);
      jset(o, "thread_pace", tp, ok);
    }
    jset(o, "speedup", json_real(c->speedup), ok);
    jset(o, "efficiency", json_real(c->efficiency), ok);
    jset(o, "peak_mib", json_real(c->peak_mib), ok);
    jset(o, "status", json_string(STATUS_WORD[c->status]), ok);
    jset(o, "invalid_reason", c->status == ST_INVALID ? json_string(c->why) : json_null(), ok);
    for (int r = 0; r < a->repeat; r++) {
      json_t *rep = json_object();
      jset(rep, "setup_seconds", json_real(c->setup[r]), ok);
      jset(rep, "seconds", json_real(c->wall[r]), ok);
      jset(rep, "hash", jhash(c->hash[r]), ok);
      if (!reps || json_array_append_new(reps, rep) != 0) *ok = false;
    }
    jset(o, "repeats", reps, ok);
    if (!configs || json_array_append_new(configs, o) != 0) *ok = false;
  }
  jset(root, "configurations", configs, ok);
  json_t *v = json_object();
  jset(v, "status", json_string(bad ? "INVALID" : STATUS_WORD[cs[0].status]), ok);
  jset(v, "hash", jhash(cs[0].hash[0]), ok);
  jset(v, "invalid_configurations", json_integer(bad), ok);
  jset(root, "verification", v, ok);
  return root;
}

/* ============================================================================================ */
/* osq bench                                                                                    */
/* ============================================================================================ */

int osq_bench_main(const osq_bench_args_t *args, FILE *out, FILE *errout) {
  bench_args_t a = *args;
  osq_geo_setup_t geo; /* the lower bound's raster */
  memset(&geo, 0, sizeof geo);
  int rc;
  default_args(&a);
  if (a.help) {
    print_usage(out);
    return OSQ_BENCH_OK;
  }
  /* A scenario file that one node cannot see stops every rank. */
  const bool here = access(a.path, F_OK) == 0;
  if (osq_mpi_agree(here ? OSQ_OK : OSQ_EIO, NULL) != OSQ_OK) {
    if (here)
      fprintf(errout, "osq: error: scenario file '%s' does not exist on every MPI rank's node\n", a.path);
    else
      fprintf(errout,
            "osq: error: scenario file '%s' does not exist%s\n", a.path,
            strcmp(a.path, BENCH_DEFAULT_SCENARIO) == 0
                ? " (the default is relative to the working directory: run osq bench from the repository root, "
                  "or name a scenario file)"
                : "");
    return OSQ_BENCH_USAGE;
  }

  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t *err = malloc(sizeof *err);
  config_t *cs = calloc((size_t)a.n_threads, sizeof *cs);
  if (osq_mpi_agree(sc && err && cs ? OSQ_OK : OSQ_ENOMEM, NULL) != OSQ_OK) {
    fprintf(errout, "osq: error: out of memory\n");
    rc = OSQ_BENCH_RUNTIME;
    goto done;
  }
  osq_error_clear(err);
  const double t_load = omp_get_wtime();
  if (osq_mpi_agree(osq_scenario_load(a.path, sc, err), err) != OSQ_OK) {
    osq_results_print_errors(errout, err, NULL);
    rc = err->code == OSQ_ENOMEM ? OSQ_BENCH_RUNTIME : OSQ_BENCH_USAGE;
    goto done;
  }
  const double load_s = omp_get_wtime() - t_load;
  const int64_t trials = a.trials > 0 ? a.trials : sc->trials;

  if (!a.json) print_header(out, sc, &a, trials, load_s);
  /* The raster for the lower bound's cell marks: built once, outside every timing. */
  osq_error_clear(err);
  if (osq_mpi_size() == 1 && osq_geo_setup(sc, &geo, err) != OSQ_OK) {
    osq_results_print_errors(errout, err, NULL);
    rc = OSQ_BENCH_RUNTIME;
    goto done;
  }
  /* Round by round, every thread count once a round (1, 2, 1, 2, ...): a slow minute of a shared
   * machine then falls on all of them, and best-of-R compares runs made minutes apart at most,
   * not a thread count's runs against another's made later. */
  for (int i = 0; i < a.n_threads; i++) cs[i].threads = a.threads[i];
  for (int r = 0; r < a.repeat; r++)
    for (int i = 0; i < a.n_threads; i++) {
      config_t *c = &cs[i];
      osq_error_clear(err);
      if (measure_round(sc, geo.raster, &a, c, r, err) != OSQ_OK) {
        if (!a.json) fflush(out);
        osq_results_print_errors(errout, err, NULL);
        fprintf(errout, "osq: error: bench stopped at %d thread%s\n", a.threads[i], a.threads[i] == 1 ? "" : "s");
        rc = OSQ_BENCH_RUNTIME;
        goto done;
      }
    }
  for (int i = 0; i < a.n_threads; i++) {
    summarize_config(&a, &cs[i]);
    judge(&cs[i], &cs[0], &a);
    if (!a.json) print_config(out, sc, &a, &cs[i], &cs[0]);
  }

  bool ok = true;
  if (a.json) {
    json_t *root = json_report(sc, &a, cs, a.n_threads, trials, load_s, &ok);
    if (ok && json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(9)) == 0) fputc('\n', out);
    else ok = false;
    json_decref(root);
    if (!ok) fprintf(errout, "osq: error: could not build the JSON report (out of memory?)\n");
  } else {
    print_results(out, cs, a.n_threads, &a);
  }
  if (fflush(out) != 0 || ferror(out)) {
    fprintf(errout, "osq: error: could not write the report: %s\n", strerror(errno));
    ok = false;
  }
  rc = OSQ_BENCH_OK;
  for (int i = 0; i < a.n_threads; i++)
    if (cs[i].status == ST_INVALID) rc = OSQ_BENCH_VERIFY;
  if (!ok) rc = OSQ_BENCH_RUNTIME;
done:
  osq_geo_teardown(&geo);
  free(cs);
  free(err);
  free(sc);
  return rc;
}
