/*
 * main.c owns the command line of osq: argument parsing, printing, and exit codes. It is the only
 * place that prints errors or exits; everything it calls returns codes and error records.
 *
 * Exit codes (README "Exit codes"): 0 success; 1 verification hash mismatch; 2 usage or scenario
 * error; 3 runtime error (I/O, memory); 130 interrupted.
 *
 * Under MPI (README "Running on a cluster") every rank runs this same code: each parses the same
 * arguments and loads the same scenario, the engine shares the trials, and only rank 0 prints
 * (the others print into /dev/null) and writes files. Rank-local failures (a file one node cannot
 * read) go through osq_mpi_agree so that all ranks take the same path; at the end all ranks exit
 * with the largest exit code of any rank.
 */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "models/errors.h"
#include "results/calibration.h"
#include "results/chart.h"
#include "results/map.h"
#include "results/sensitivity.h"
#include "results/table.h"
#include "results/validation.h"
#include "bench/bench.h"
#include "sim/engine/checkpoint.h"
#include "sim/cli/cli.h"
#include "sim/input/hash.h"
#include "sim/engine/mpi.h"
#include "models/rng.h"
#include "sim/engine/run.h"
#include "sim/input/paths.h"
#include "sim/input/scenario.h"
#include "sim/input/study.h"
#include "sim/input/starter.h"
#include "sim/cli/buildinfo.h"

enum { EXIT_OK = 0, EXIT_VERIFY = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3, EXIT_INTERRUPTED = 130 };

/* Set by SIGINT/SIGTERM during osq run; the engine stops at the end of the waves of blocks already
 * started. */
static volatile sig_atomic_t g_stop = 0;

static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
}

/* SIGINT and SIGTERM set g_stop from here on (osq run and osq sensitivity, before their loop). */
static void stop_on_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* Where the report and the errors go: stdout and stderr on rank 0, /dev/null on the other MPI
 * ranks (set in main before anything prints). */
static FILE *g_out, *g_err;

/* ============================================================================================ */
/* Help                                                                                         */
/* ============================================================================================ */

static void print_help(FILE *f) {
  fprintf(f,
          "osq %s - Open Skies observation-flight quota simulator\n"
          "\n"
          "Usage:\n"
          "  osq run SCENARIO.cfg [options]           run the Monte Carlo trials, write result files\n"
          "      --trials N          trials (default: the scenario's simulation.trials)\n"
          "      --threads T         OpenMP threads (default: the scenario's, else all cores)\n"
          "      --seed S            run seed, 0 to 2^63-1 (default: the scenario's)\n"
          "      --out DIR           result directory (default: the scenario's output.dir)\n"
          "      --format LIST       csv,json,md,tex (default: the scenario's output.formats)\n"
          "      --force             overwrite the result files of an earlier run in DIR\n"
          "      --flight-log FILE   per-flight CSV of the first trials\n"
          "      --flight-log-trials K   trials in the flight log (default 10)\n"
          "      --quiet             no summary table on stdout\n"
          "      --resume DIR        continue the interrupted run in DIR (its results and checkpoint.osq),\n"
          "                          writing there: the results equal an uninterrupted run's, on any\n"
          "                          --threads. Seed, trials and formats default to the run's (a seed or\n"
          "                          trial count given must match); the scenario file must be unchanged\n"
          "  osq compare A.cfg B.cfg ... [options]    paired comparison against the first scenario\n"
          "      --trials N, --threads T, --seed S (the reference's), --out DIR (default\n"
          "      out/compare), --format LIST, --force, --quiet (no table on stdout)\n"
          "      --key               print only the key rows of the withdrawal comparison\n"
          "      --metrics LIST, --parties LIST   print only these metrics / parties\n"
          "  osq validate SCENARIO.cfg [options]      the model against recorded figures (data/history.csv)\n"
          "      --history FILE      recorded figures (default: data/history.csv; docs/history.md)\n"
          "      --trials N, --threads T, --seed S, --out DIR (default: the scenario's output.dir),\n"
          "      --force, --quiet    writes validation.csv, validation.md, validation.png\n"
          "  osq calibrate SCENARIO.cfg --targets FILE --free KEY[=LO:HI],... [options]\n"
          "                                           fit model parameters to recorded figures (use = fit rows)\n"
          "      --trials N, --threads T, --seed S, --max-evals N (default 200), --out DIR (default\n"
          "      out/calibrate), --force, --quiet   writes fitted.cfg, fit.csv, params.csv\n"
          "  osq sensitivity STUDY.cfg [options]      how sure the answers are: the outputs over\n"
          "                                           the uncertain inputs of a study file (docs/sensitivity.md)\n"
          "      --method sobol|morris   Sobol indices (Saltelli design) or Morris effects (default: the study's)\n"
          "      --points N          Sobol base rows or Morris trajectories (default: the study's)\n"
          "      --trials T          trials of each scenario at each point (default: the study's)\n"
          "      --threads T, --seed S, --out DIR (default: the study's output.dir), --force, --quiet\n"
          "      --resume DIR        continue the interrupted study in DIR (as osq run --resume)\n"
          "      writes uncertainty.csv, sensitivity.csv, points.csv, sensitivity.md, tornado_OUTPUT.png\n"
          "  osq bench [SCENARIO.cfg] [--threads LIST] [--trials N] [--json] [--expect-hash HEX] [--repeat R]\n"
          "                                           throughput report per thread count\n"
          "  osq check SCENARIO.cfg                   validate a scenario and print its summary\n"
          "  osq parties SCENARIO.cfg [--date DATE]   quota holders in force on DATE (YYYY-MM-DD;\n"
          "                                           default 1 July of the first simulated year)\n"
          "  osq init [DIR] [--force]                 write DIR/scenario.cfg (default DIR: here), a\n"
          "                                           commented starter that @includes \"treaty.cfg\";\n"
          "                                           --force replaces an existing one\n"
          "  osq --help-scenario                      every scenario key: type, range, default\n"
          "  osq --help | -h                          this text\n"
          "  osq --version | -V                       version, commit, compiler, flags, MPI, data\n"
          "\n"
          "Every option with a value takes it as --name VALUE or --name=VALUE; --help after any\n"
          "command prints this text.\n"
          "\n"
          "Exit codes: 0 ok, 1 verification mismatch, 2 usage or scenario error,\n"
          "            3 runtime error (I/O, memory), 130 interrupted (partial results and a\n"
          "            checkpoint written: continue with osq run SCENARIO.cfg --resume DIR).\n"
          "\n"
          "Environment: OSQ_DATA (the data folder), OSQ_PATH (more @include folders, colon-\n"
          "separated), OSQ_MEMORY_LIMIT_MIB, OMP_NUM_THREADS. More: man osq.\n",
          OSQ_VERSION);
}

/* osq --version: what the program is and where it finds its data (sim/input/paths.h). */
static void print_version(FILE *f) {
  fprintf(f, "osq %s%s\n", OSQ_VERSION, osq_mpi_built() ? " (MPI)" : "");
  fprintf(f, "commit    %s\n", OSQ_GIT_COMMIT);
  fprintf(f, "compiler  %s\n", OSQ_BUILD_COMPILER);
  fprintf(f, "flags     %s\n", OSQ_BUILD_FLAGS);
  fprintf(f, "MPI       %s\n", osq_mpi_built() ? "built in (mpirun / srun share the trials over ranks)" : "not built in");
  char data[OSQ_PATH_MAX];
  const bool found = osq_paths_data_file("countries-50m.json", data, sizeof data);
  char *slash = strrchr(data, '/');
  if (slash) *slash = '\0';
  fprintf(f, "data      %s%s\n", data[0] ? data : "(none: set OSQ_DATA)", found ? "" : " (not found: set OSQ_DATA)");
}

/* The errors of err on stderr; @return the exit code: 2 for bad input (a scenario, a checkpoint, an
 * occupied directory), 3 for a runtime error (I/O, memory). */
static int runtime_error(const osq_error_t *err) {
  osq_results_print_errors(g_err, err, NULL);
  return EXIT_RUNTIME;
}

static int report(const osq_error_t *err) {
  osq_results_print_errors(g_err, err, NULL);
  return EXIT_USAGE;
}

/* A command line the parsers of sim/cli/cli.c refused. */
static int usage_report(const osq_error_t *err) {
  osq_results_print_errors(g_err, err, " (see osq --help)");
  return EXIT_USAGE;
}

static int usage_error(const char *fmt, const char *arg) {
  fprintf(g_err, "osq: error: ");
  fprintf(g_err, fmt, arg);
  fprintf(g_err, " (see osq --help)\n");
  return EXIT_USAGE;
}

/* Load a scenario into a heap block (it holds the whole treaty). NULL after printing errors.
 * Under MPI every rank loads it, and all fail if one does (then rank 0 prints that rank's errors). */
static osq_scenario_t *load_or_report(const char *path, int *rc) {
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t *err = malloc(sizeof *err);
  int lrc = sc && err ? OSQ_OK : OSQ_ENOMEM;
  if (err) osq_error_clear(err);
  if (lrc == OSQ_OK) lrc = osq_scenario_load(path, sc, err);
  lrc = osq_mpi_agree(lrc, err);
  if (lrc != OSQ_OK) {
    if (!err) fprintf(g_err, "osq: error: out of memory\n");
    *rc = err ? report(err) : EXIT_RUNTIME;
    free(sc);
    free(err);
    return NULL;
  }
  free(err);
  *rc = EXIT_OK;
  return sc;
}

/* Allocate an error record on every rank; NULL (after printing) if any rank could not. */
static osq_error_t *alloc_error(void) {
  osq_error_t *err = calloc(1, sizeof *err);
  if (osq_mpi_agree(err ? OSQ_OK : OSQ_ENOMEM, NULL) == OSQ_OK) return err;
  fprintf(g_err, "osq: error: out of memory\n");
  free(err);
  return NULL;
}

/* ============================================================================================ */
/* osq check                                                                                    */
/* ============================================================================================ */

static int count_estimates(const osq_treaty_t *t) {
  int n = 0;
  for (int i = 0; i < t->n_parties; i++) n += t->parties[i].quota_estimate;
  return n;
}

static void print_year_table(FILE *f, const osq_scenario_t *sc) {
  const osq_treaty_t *t = &sc->treaty;
  fprintf(f, "%-6s %-8s %-8s %-9s %-10s %s\n", "year", "parties", "states", "passive", "airfields", "changes in the year");
  for (int y = sc->first_year; y <= sc->last_year; y++) {
    int parties = 0, states = 0, quota = 0, airfields = 0;
    char changes[512] = "";
    size_t used = 0;
    const osq_day_t jan1 = osq_date_from_ymd(y, 1, 1), next = osq_date_from_ymd(y + 1, 1, 1);
    for (int i = 0; i < t->n_parties; i++) {
      const osq_party_t *p = &t->parties[i];
      if (!osq_party_in_force_year(p, y)) continue;
      parties++;
      states += p->n_members;
      quota += p->passive_quota;
      airfields += p->n_airfields;
      for (int k = 0; k < p->n_terms; k++) {
        char d[11];
        if (p->terms[k].from > jan1 && p->terms[k].from < next && used < sizeof changes - 32) {
          osq_date_format(p->terms[k].from, d);
          used += (size_t)snprintf(changes + used, sizeof changes - used, "%s+%s %s", used ? ", " : "", p->code, d);
        }
        if (p->terms[k].until < next && p->terms[k].until >= jan1 && used < sizeof changes - 32) {
          osq_date_format(p->terms[k].until, d);
          used += (size_t)snprintf(changes + used, sizeof changes - used, "%s-%s %s", used ? ", " : "", p->code, d);
        }
      }
    }
    fprintf(f, "%-6d %-8d %-8d %-9d %-10d %s\n", y, parties, states, quota, airfields, changes);
  }
}

/* Parse with one of sim/cli/cli.c's parsers into *args; EXIT_OK, or the exit code after the message. */
#define PARSE_OR_RETURN(fn, argc, argv, args)                         \
  do {                                                                \
    osq_error_t *perr_ = alloc_error();                               \
    if (!perr_) return EXIT_RUNTIME;                                  \
    const int prc_ = fn((argc), (argv), (args), perr_) == OSQ_OK      \
                         ? EXIT_OK                                    \
                         : usage_report(perr_);                       \
    free(perr_);                                                      \
    if (prc_ != EXIT_OK) return prc_;                                 \
    if ((args)->help) {                                               \
      print_help(g_out);                                              \
      return EXIT_OK;                                                 \
    }                                                                 \
  } while (0)

static int cmd_check(int argc, char **argv) {
  osq_check_args_t a;
  PARSE_OR_RETURN(osq_cli_parse_check, argc, argv, &a);
  int rc;
  osq_scenario_t *sc = load_or_report(a.path, &rc);
  if (!sc) return rc;
  const osq_treaty_t *t = &sc->treaty;
  fprintf(g_out, "osq %s: %s is valid (scenario hash %s)\n\n", OSQ_VERSION, sc->path, sc->hash);
  fprintf(g_out, "scenario   %s\n", sc->name);
  fprintf(g_out, "treaty     %d quota holders in the file, %d quota estimates, %d participation changes\n",
          t->n_parties, count_estimates(t), sc->n_changes);
  fprintf(g_out, "simulates  %d-%d, %lld trials, seed %llu, block size %lld, threads %s\n\n", sc->first_year,
          sc->last_year, (long long)sc->trials, (unsigned long long)sc->seed, (long long)sc->block_size,
          sc->threads ? "as set" : "all available");
  fprintf(g_out,
          "Parties in force per simulated year (a party counts if in force on any day of the year;\n"
          "passive = sum of their passive quotas; + entry into force, - withdrawal):\n");
  print_year_table(g_out, sc);
  fprintf(g_out, "\nSettings (\"(set)\" = differs from the default):\n");
  osq_scenario_print_settings(g_out, sc);
  free(sc);
  return EXIT_OK;
}

/* ============================================================================================ */
/* osq parties                                                                                  */
/* ============================================================================================ */

static int cmd_parties(int argc, char **argv) {
  osq_parties_args_t a;
  PARSE_OR_RETURN(osq_cli_parse_parties, argc, argv, &a);
  int rc;
  osq_scenario_t *sc = load_or_report(a.path, &rc);
  if (!sc) return rc;
  const osq_day_t day = a.date ? a.day : osq_date_from_ymd(sc->first_year, 7, 1);
  const osq_treaty_t *t = &sc->treaty;
  char ds[11];
  osq_date_format(day, ds);
  const int year = osq_date_year(day);
  fprintf(g_out, "Quota holders in force on %s (%s):\n\n", ds, sc->path);
  fprintf(g_out, "%-5s %-28s %-9s %-6s %-9s %-11s %-11s %s\n", "code", "name", "members", "bloc", "passive", "in force",
          "withdrawn", "airfields");
  int n = 0, quota = 0, states = 0;
  for (int i = 0; i < t->n_parties; i++) {
    const osq_party_t *p = &t->parties[i];
    if (!osq_party_in_force(p, day)) continue;
    char members[16] = "", from[11], until[11], q[16];
    for (int m = 0; m < p->n_members; m++) {
      size_t u = strlen(members);
      snprintf(members + u, sizeof members - u, "%s%s", m ? "+" : "", p->members[m]);
    }
    osq_date_format(osq_party_first_day(p), from);
    osq_date_format(osq_party_last_day(p), until);
    snprintf(q, sizeof q, "%d%s", p->passive_quota, p->quota_estimate ? " est." : "");
    fprintf(g_out, "%-5s %-28.28s %-9s %-6s %-9s %-11s %-11s %d\n", p->code, p->name, members,
            osq_bloc_name(osq_party_bloc(p, year)), q, from, until, p->n_airfields);
    n++;
    quota += p->passive_quota;
    states += p->n_members;
  }
  fprintf(g_out, "\n%d quota holders (%d states), total passive quota %d; \"est.\" = no source, see docs/data.md\n", n,
          states, quota);
  free(sc);
  return EXIT_OK;
}


/* ============================================================================================ */
/* osq run                                                                                      */
/* ============================================================================================ */


static void progress_line(void *ctx, int64_t done, int64_t total) {
  (void)ctx;
  fprintf(g_err, "\rosq: %3d%%  %lld of %lld trials", (int)(100.0 * (double)done / (double)total), (long long)done,
          (long long)total);
  if (done == total) fputc('\n', g_err);
  fflush(g_err);
}

static const osq_row_t *find_row(const osq_table_t *t, int year, const char *metric, const char *party) {
  for (size_t i = 0; i < t->n; i++)
    if (t->rows[i].year == year && strcmp(t->rows[i].metric, metric) == 0 && strcmp(t->rows[i].party, party) == 0)
      return &t->rows[i];
  return NULL;
}

static void print_summary(const osq_scenario_t *sc, const osq_run_result_t *r) {
  static const char *const scalar[] = {"plans_agreed", "flights", "flights_active", "dyads", "dyad_density"};
  for (int y = sc->first_year; y <= sc->last_year; y++) {
    fprintf(g_out, "\n%d  (%lld trials)            mean  95%% CI                    p05      p50      p95\n", y,
            (long long)r->trials_done);
    for (size_t k = 0; k < sizeof scalar / sizeof scalar[0]; k++) {
      const osq_row_t *row = find_row(r->table, y, scalar[k], "ALL");
      if (row)
        fprintf(g_out, "  %-22s %9.4g  [%9.4g, %9.4g]  %7.4g  %7.4g  %7.4g\n", row->metric, row->mean, row->ci95_lo,
                row->ci95_hi, row->p05, row->p50, row->p95);
    }
    fprintf(g_out, "  %-6s %-30s %-30s\n", "party", "flights_over  mean [95% CI]", "flights_by  mean [95% CI]");
    for (size_t i = 0; i < r->table->n; i++) {
      const osq_row_t *o = &r->table->rows[i];
      if (o->year != y || strcmp(o->metric, "flights_over") != 0) continue;
      const osq_row_t *b = find_row(r->table, y, "flights_by", o->party);
      fprintf(g_out, "  %-6s %7.3f [%7.3f, %7.3f]     ", o->party, o->mean, o->ci95_lo, o->ci95_hi);
      if (b) fprintf(g_out, "%7.3f [%7.3f, %7.3f]", b->mean, b->ci95_lo, b->ci95_hi);
      fprintf(g_out, "\n");
    }
  }
}

static int write_flight_log(const osq_scenario_t *sc, const char *path, int64_t k, osq_error_t *err) {
  osq_atomic_file_t *af;
  int rc = osq_atomic_open(path, &af, err);
  if (rc) return rc;
  rc = osq_run_flight_log(sc, k, osq_atomic_stream(af), err);
  if (rc) {
    osq_atomic_abort(af);
    return rc;
  }
  return osq_atomic_commit(af, err);
}

/* OSQ_STOP_AFTER_BLOCKS=N (for tests, tests/cli/resume.sh): stop as on SIGINT at the end of the
 * first wave after which N blocks of the run are done, which makes an interruption reproducible.
 * @return 0 and *n (0 when unset), or EXIT_USAGE after the message. */
static int stop_after_blocks(long long *n) {
  const char *v = getenv("OSQ_STOP_AFTER_BLOCKS");
  *n = 0;
  if (!v || !*v) return EXIT_OK;
  if (!osq_cli_parse_i64(v, 1, INT64_MAX, n))
    return usage_error("OSQ_STOP_AFTER_BLOCKS '%s' is not an integer in [1, 2^63-1]", v);
  return EXIT_OK;
}

/* Before a fresh run: an output directory holding another run's results, or the checkpoint of an
 * interrupted run, is refused without --force (only rank 0 looks; it alone writes). */
static int check_out_dir(const char *dir, osq_error_t *err) {
  if (!osq_mpi_root()) return OSQ_OK;
  if (osq_checkpoint_exists(dir))
    return osq_error_add(err, OSQ_EEXIST, dir, 0,
                         "holds an interrupted run (%s): continue it with --resume %s, or use --force to replace it",
                         OSQ_CHECKPOINT_NAME, dir);
  return osq_results_check_dir(dir, err);
}

/* The coverage map of a run (map.png, map.csv), with its title and the run's figures. */
static int write_map(const osq_scenario_t *sc, const osq_run_result_t *res, osq_error_t *err) {
  char title[160], subtitle[256], years[32];
  if (sc->last_year > sc->first_year) snprintf(years, sizeof years, "%d-%d", sc->first_year, sc->last_year);
  else snprintf(years, sizeof years, "%d", sc->first_year);
  snprintf(title, sizeof title, "Open Skies coverage: %s, %s", sc->name, years);
  const int64_t stride = osq_scenario_geo_stride(sc, sc->trials);
  const int64_t gt = (res->trials_done + stride - 1) / stride;
  snprintf(subtitle, sizeof subtitle,
           "share of %lld simulated years in which a cell was imaged; swath %.0f km each side, %.2g deg cells; "
           "osq %s, seed %llu",
           (long long)gt * (sc->last_year - sc->first_year + 1), sc->geo.swath_half_km, sc->geo.resolution_deg,
           OSQ_VERSION, (unsigned long long)sc->seed);
  osq_map_t m = {.value = res->map.value, .tid = res->map.tid, .nlat = res->map.nlat, .nlon = res->map.nlon,
                 .res_deg = res->map.res_deg, .grid_deg = sc->map_grid_deg, .title = title, .subtitle = subtitle};
  return osq_map_write(sc->out_dir, &m, err);
}

/* The report of a run on stdout: its identity, times, hash and summary table. */
static void print_run(const osq_scenario_t *sc, const osq_run_result_t *res, const osq_run_header_t *hdr,
                      const char *ck_path) {
  fprintf(g_out, "osq %s  scenario %s (%s, hash %s)\n", OSQ_VERSION, sc->name, sc->path, sc->hash);
  if (res->trials_resumed > 0)
    fprintf(g_out, "resumed from %s: %lld trials were done\n", ck_path, (long long)res->trials_resumed);
  fprintf(g_out, "trials %lld  seed %llu  rng %s  block %lld  threads %d", (long long)res->trials_done,
          (unsigned long long)sc->seed, OSQ_RNG_NAME, (long long)sc->block_size, res->threads);
  if (res->ranks > 1) fprintf(g_out, " x %d MPI ranks", res->ranks);
  fprintf(g_out, "\n");
  fprintf(g_out, "set-up %.3f s  trial loop %.3f s  (%.0f trials/s)\n", res->setup_seconds, res->wall_seconds,
          res->wall_seconds > 0 ? (double)res->trials_done / res->wall_seconds : 0.0);
  fprintf(g_out, "verification hash %s\n", hdr->verification_hash);
  print_summary(sc, res);
}

/* Rank 0, after a run: every result file, then the checkpoint (written after a partial run's
 * results, removed after a complete run's: see cmd_run). @return the exit code */
static int write_run(const osq_scenario_t *sc, const osq_run_args_t *a, unsigned fmt, osq_run_result_t *res,
                     const char *ck_path, osq_error_t *err) {
  osq_run_header_t hdr;
  osq_run_header_init(&hdr);
  char created[OSQ_ISO8601_LEN];
  osq_format_utc(time(NULL), created, sizeof created);
  osq_run_header_fill(&hdr, sc, res->trials_done, res->threads, res->hash);
  hdr.wall_seconds = res->wall_seconds;
  hdr.partial = res->partial;
  hdr.created = created;
  if (!a->quiet) print_run(sc, res, &hdr, ck_path);
  /* A resumed run replaces its own partial results. */
  if (osq_results_write(sc->out_dir, fmt, &hdr, res->table, res->dyads, a->force || a->resume, err) != OSQ_OK)
    return err->code == OSQ_EEXIST ? report(err) : runtime_error(err);
  if (sc->flight_log[0] && write_flight_log(sc, sc->flight_log, sc->flight_log_trials, err) != OSQ_OK)
    return runtime_error(err);
  if (res->map.value && write_map(sc, res, err) != OSQ_OK) return runtime_error(err);
  if (sc->last_year > sc->first_year) {
    char subtitle[256];
    snprintf(subtitle, sizeof subtitle, "scenario %s, %lld trials, seed %llu; osq %s", sc->name,
             (long long)res->trials_done, (unsigned long long)sc->seed, OSQ_VERSION);
    if (osq_chart_timeline(sc->out_dir, res->table, subtitle, err) != OSQ_OK) return runtime_error(err);
  }
  if (res->partial && res->checkpoint) {
    res->checkpoint->formats = fmt;
    if (osq_checkpoint_save(sc->out_dir, res->checkpoint, err) != OSQ_OK) return runtime_error(err);
  } else if (!res->partial && osq_checkpoint_remove(sc->out_dir, err) != OSQ_OK) {
    return runtime_error(err);
  }
  if (!a->quiet) fprintf(g_out, "\nresults in %s/\n", sc->out_dir);
  if (!res->partial) return EXIT_OK;
  /* README "Exit codes": the completed trials' results are written, marked partial. */
  fprintf(g_err,
          "osq: interrupted: %lld of %lld trials done; partial results in %s/ (run.json \"partial\": true); "
          "continue with: osq run %s --resume %s\n",
          (long long)res->trials_done, (long long)sc->trials, sc->out_dir, sc->path, sc->out_dir);
  return EXIT_INTERRUPTED;
}

/* Before a run: the command line applied to the scenario, the checkpoint of --resume read (rank 0
 * reads it, it alone writes the directory, and shares the run's trials and seed, which the resumed
 * run keeps unless they are given again) and matched, the output formats, and an occupied output
 * directory refused (before the run, not after it). Every rank takes part in each agreement so
 * that all stop together. @return EXIT_OK or the exit code after the message */
static int prepare_run(osq_scenario_t *sc, osq_run_args_t *a, osq_checkpoint_t **ck, const char *ck_path,
                       unsigned *fmt, osq_error_t *err) {
  if (a->resume) {
    const int lrc = osq_mpi_agree(osq_mpi_root() ? osq_checkpoint_load(a->resume, ck, err) : OSQ_OK, err);
    if (lrc != OSQ_OK) return lrc == OSQ_ENOMEM ? runtime_error(err) : report(err);
    uint64_t shared[2] = {*ck ? (uint64_t)(*ck)->trials : 0, *ck ? (*ck)->seed : 0};
    osq_mpi_allsum_u64(shared, 2);
    if (!a->trials) a->trials = (long long)shared[0];
    if (a->seed < 0) a->seed = (long long)shared[1];
    snprintf(sc->out_dir, sizeof sc->out_dir, "%s", a->resume);
  }
  if (a->trials) sc->trials = a->trials;
  if (a->seed >= 0) sc->seed = (uint64_t)a->seed;
  if (a->out) snprintf(sc->out_dir, sizeof sc->out_dir, "%s", a->out);
  if (a->flight_log) snprintf(sc->flight_log, sizeof sc->flight_log, "%s", a->flight_log);
  if (a->log_trials >= 0) sc->flight_log_trials = a->log_trials;
  if (*ck && !a->formats) *fmt = (*ck)->formats; /* as the interrupted run wrote them */
  else if (osq_formats_parse(a->formats ? a->formats : sc->formats, fmt, err) != OSQ_OK) return report(err);
  if (a->resume) {
    if (osq_mpi_agree(*ck ? osq_checkpoint_match(*ck, sc, ck_path, err) : OSQ_OK, err) != OSQ_OK) return report(err);
  } else if (!a->force && osq_mpi_agree(check_out_dir(sc->out_dir, err), err) != OSQ_OK) {
    return report(err);
  }
  return EXIT_OK;
}

/*
 * osq run. With --resume DIR it continues the interrupted run in DIR from DIR/checkpoint.osq
 * (sim/engine/checkpoint.h) and writes into DIR. The checkpoint's life cycle:
 *   - a run that stops early (signal, OSQ_STOP_AFTER_BLOCKS) writes its partial results, then the
 *     checkpoint (atomically), and exits 130; a resumed run interrupted again replaces it;
 *   - a run that completes writes every result file, then removes DIR/checkpoint.osq (a resumed
 *     run's own, or a stale one a --force run replaced).
 * Any checkpoint present is a true prefix of its run, so a crash between two steps never leads to
 * wrong results (resuming a leftover checkpoint recomputes the same complete results).
 */
static int cmd_run(int argc, char **argv) {
  osq_run_args_t a;
  PARSE_OR_RETURN(osq_cli_parse_run, argc, argv, &a);
  long long stop_blocks;
  int rc = stop_after_blocks(&stop_blocks);
  if (rc != EXIT_OK) return rc;
  osq_scenario_t *sc = load_or_report(a.path, &rc);
  if (!sc) return rc;
  osq_error_t *err = alloc_error();
  osq_checkpoint_t *ck = NULL;
  osq_run_result_t *res = NULL;
  char ck_path[OSQ_PATH_MAX + 32] = "";
  unsigned fmt = 0;
  if (a.resume) osq_checkpoint_path(a.resume, ck_path, sizeof ck_path);
  rc = err ? prepare_run(sc, &a, &ck, ck_path, &fmt, err) : EXIT_RUNTIME;
  if (rc == EXIT_OK) {
    osq_run_opts_t opts = {.threads = (int)a.threads, .stop = &g_stop, .stop_after_blocks = stop_blocks,
                           .resume = ck, .resume_path = ck_path};
    if (!a.quiet && osq_mpi_root() && isatty(STDERR_FILENO)) opts.progress = progress_line;
    stop_on_signals();
    const int xrc = osq_run_execute(sc, &opts, &res, err);
    /* A checkpoint whose shapes do not fit this run is bad input, like a mismatch. (The returned
     * code, not err->code: under MPI only rank 0's err holds the detail.) */
    if (xrc != OSQ_OK) rc = a.resume && xrc == OSQ_EINVAL ? report(err) : runtime_error(err);
  }
  /* The tables are rank 0's, and so are the report and the files. */
  if (rc == EXIT_OK && osq_mpi_root()) rc = write_run(sc, &a, fmt, res, ck_path, err);
  osq_run_result_free(res);
  osq_checkpoint_free(ck);
  free(err);
  free(sc);
  return rc;
}

/* ============================================================================================ */
/* osq compare                                                                                  */
/* ============================================================================================ */

/* The key rows of the withdrawal comparison (README): metric and party. */
static const char *const KEY_ROWS[][2] = {
    {"flights", "ALL"},          {"flights_over", "RUBY"},     {"flights_over", "US"},   {"flights_by", "EUR"},
    {"dyads", "ALL"},            {"coverage", "RUBY"},         {"coverage", "US"},       {"coverage", "EUR"},
    {"coverage", "ALL"},         {"coverage_fixed", "ALL"},    {"buildup_detect", "RUBY"}, {"imagery_access", "US"},
    {"imagery_access", "DE"},
};

static bool row_selected(const osq_compare_row_t *r, bool key, const char *metrics, const char *parties) {
  if (key) {
    for (size_t k = 0; k < sizeof KEY_ROWS / sizeof KEY_ROWS[0]; k++)
      if (strcmp(r->metric, KEY_ROWS[k][0]) == 0 && strcmp(r->party, KEY_ROWS[k][1]) == 0) return true;
    return false;
  }
  /* A comma list matches whole names. */
  const char *lists[2] = {metrics, parties}, *names[2] = {r->metric, r->party};
  for (int i = 0; i < 2; i++) {
    if (!lists[i]) continue;
    bool hit = false;
    size_t ln = strlen(names[i]);
    for (const char *p = lists[i]; *p;) {
      const char *e = strchr(p, ',');
      size_t len = e ? (size_t)(e - p) : strlen(p);
      hit |= len == ln && strncmp(p, names[i], len) == 0;
      p += len + (e != NULL);
    }
    if (!hit) return false;
  }
  return true;
}

/* The rows of cmp that --key, --metrics and --parties select (all without them), on stdout. */
static int print_compare(const osq_compare_t *cmp, const osq_compare_args_t *a, osq_error_t *err) {
  osq_compare_t *shown = osq_compare_alloc();
  if (!shown) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  int rc = OSQ_OK;
  for (size_t k = 0; rc == OSQ_OK && k < cmp->n_scenarios; k++) {
    int idx;
    rc = osq_compare_add_scenario(shown, &cmp->scenarios[k].hdr, &idx);
  }
  for (size_t i = 0; rc == OSQ_OK && i < cmp->n; i++)
    if (row_selected(&cmp->rows[i], a->key, a->metrics, a->parties)) rc = osq_compare_add(shown, &cmp->rows[i]);
  if (rc != OSQ_OK) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  fprintf(g_out, "osq %s compare: %lld trials of each scenario, seed %llu (common random numbers)\n\n", OSQ_VERSION,
          (long long)cmp->scenarios[0].hdr.trials_done, (unsigned long long)cmp->scenarios[0].hdr.seed);
  if (rc == OSQ_OK) rc = osq_compare_print(g_out, shown, err);
  osq_compare_free(shown);
  return rc;
}

static int cmd_compare(int argc, char **argv) {
  osq_compare_args_t a;
  PARSE_OR_RETURN(osq_cli_parse_compare, argc, argv, &a);
  osq_scenario_t *sc[OSQ_CLI_COMPARE_MAX];
  int rc = EXIT_OK, loaded = 0;
  for (int k = 0; k < a.n; k++) {
    sc[k] = load_or_report(a.paths[k], &rc);
    if (!sc[k]) break;
    loaded++;
  }
  osq_error_t *err = loaded == a.n ? alloc_error() : NULL;
  osq_compare_t *cmp = NULL;
  unsigned fmt = 0;
  if (loaded < a.n || !err) {
    if (loaded == a.n) rc = EXIT_RUNTIME;
  } else if (osq_formats_parse(a.formats ? a.formats : "csv,json", &fmt, err) != OSQ_OK) {
    rc = report(err);
  } else if (!a.force && osq_mpi_agree(osq_mpi_root() ? osq_compare_check_dir(a.out, err) : OSQ_OK, err) != OSQ_OK) {
    rc = report(err);
  } else {
    /* Every scenario runs the reference's trials and seed (common random numbers). */
    if (a.seed >= 0) sc[0]->seed = (uint64_t)a.seed;
    osq_run_opts_t opts = {.trials = a.trials, .threads = (int)a.threads};
    if (!a.quiet && osq_mpi_root() && isatty(STDERR_FILENO)) opts.progress = progress_line;
    if (osq_run_compare((const osq_scenario_t *const *)sc, a.n, &opts, &cmp, err) != OSQ_OK)
      rc = err->code == OSQ_EINVAL ? report(err) : runtime_error(err);
  }
  /* cmp is NULL on the MPI ranks other than 0: rank 0 prints and writes. */
  if (rc == EXIT_OK && cmp && !a.quiet && print_compare(cmp, &a, err) != OSQ_OK) rc = runtime_error(err);
  if (rc == EXIT_OK && cmp && osq_compare_write(a.out, fmt, cmp, a.force, err) != OSQ_OK)
    rc = err->code == OSQ_EEXIST ? report(err) : runtime_error(err);
  if (rc == EXIT_OK && cmp && !a.quiet) fprintf(g_out, "\nall rows in %s/\n", a.out);
  osq_compare_free(cmp);
  free(err);
  for (int k = 0; k < loaded; k++) free(sc[k]);
  return rc;
}

/* ============================================================================================ */
/* osq validate                                                                                 */
/* ============================================================================================ */

/* The party column of a figure: the observed party, the observer, or "O>T" for a dyad. */
static void figure_party(const osq_history_row_t *r, char *buf, size_t n) {
  if (r->observer[0] && r->observed[0]) snprintf(buf, n, "%s>%s", r->observer, r->observed);
  else snprintf(buf, n, "%s", r->observer[0] ? r->observer : r->observed[0] ? r->observed : "ALL");
}

/* The table of validation.csv from the history and the model's summaries; the years' flights with
 * the recorded yearly totals, for the chart. @return 0 or OSQ_ENOMEM */
static int validation_table(const osq_scenario_t *sc, const osq_history_t *h, const osq_validate_result_t *res,
                            osq_validation_row_t *rows, char (*party)[24], osq_validation_year_t *years) {
  for (int i = 0; i < h->n; i++) {
    const osq_history_row_t *r = &h->row[i];
    const osq_summary_t *m = &res->row[i];
    figure_party(r, party[i], sizeof party[i]);
    rows[i] = (osq_validation_row_t){.id = r->id, .period = r->period, .quantity = osq_figure_quantity_name(r->fig.quantity),
                                     .party = party[i], .kind = osq_figure_kind_name(r->kind), .tolerance = r->tolerance_text,
                                     .source = r->source, .use = r->fit ? "fit" : "check", .history = r->value,
                                     .mean = m->mean, .ci95_lo = m->ci95_lo, .ci95_hi = m->ci95_hi, .p05 = m->p05, .p95 = m->p95};
    rows[i].within = !r->simulated ? -1 : osq_figure_within(r->kind, r->value, r->tolerance, m->p05, m->p95);
  }
  for (int y = 0; y < res->n_years; y++) {
    const int year = sc->first_year + y;
    years[y] = (osq_validation_year_t){.year = year, .mean = res->year[y].mean, .p05 = res->year[y].p05,
                                       .p95 = res->year[y].p95, .recorded = NAN};
    for (int i = 0; i < h->n; i++) /* a recorded total of the calendar year */
      if (h->row[i].fig.quantity == OSQ_Q_FLIGHTS && h->row[i].fig.y0 == year && h->row[i].fig.y1 == year &&
          h->row[i].fig.d0 == osq_date_from_ymd(year, 1, 1) && h->row[i].fig.d1 == osq_date_from_ymd(year, 12, 31) &&
          h->row[i].kind != OSQ_KIND_PLANNED)
        years[y].recorded = h->row[i].value;
  }
  return OSQ_OK;
}

static void print_validation(const osq_validation_t *v) {
  int in = 0, n = 0, skipped = 0;
  for (int i = 0; i < v->n_rows; i++) {
    if (v->rows[i].within < 0) skipped++;
    else {
      n++;
      in += v->rows[i].within;
    }
  }
  fprintf(g_out, "osq %s validate: %s against %s, %lld trials, seed %llu\n\n", OSQ_VERSION, v->hdr->scenario_path,
          v->history_path, (long long)v->hdr->trials_done, (unsigned long long)v->hdr->seed);
  fprintf(g_out, "%d of %d figures within tolerance (%d outside the simulated years skipped)\n", in, n, skipped);
  for (int i = 0; i < v->n_rows; i++) {
    const osq_validation_row_t *r = &v->rows[i];
    if (r->within != 0) continue;
    fprintf(g_out, "  miss %-28s %-24s %-22s %-8s history %g (%s, tolerance %s), model %.4g [p05 %.4g, p95 %.4g]\n",
            r->id, r->period, r->quantity, r->party, r->history, r->kind, r->tolerance, r->mean, r->p05, r->p95);
  }
}

static int write_validation(const osq_scenario_t *sc, const osq_validate_args_t *a, const osq_history_t *h,
                            const osq_validate_result_t *res, osq_error_t *err) {
  osq_validation_row_t *rows = calloc((size_t)h->n + 1, sizeof *rows);
  char(*party)[24] = calloc((size_t)h->n + 1, sizeof *party);
  osq_validation_year_t *years = calloc((size_t)res->n_years + 1, sizeof *years);
  if (!rows || !party || !years) {
    free(rows);
    free(party);
    free(years);
    fprintf(g_err, "osq: error: out of memory\n");
    return EXIT_RUNTIME;
  }
  validation_table(sc, h, res, rows, party, years);
  osq_run_header_t hdr;
  osq_run_header_init(&hdr);
  osq_run_header_fill(&hdr, sc, res->trials_done, res->threads, res->hash);
  hdr.wall_seconds = res->wall_seconds;
  const osq_validation_t v = {.hdr = &hdr, .history_path = h->path, .rows = rows, .n_rows = h->n, .years = years,
                              .n_years = res->n_years};
  const char *dir = a->out ? a->out : sc->out_dir;
  int rc = EXIT_OK;
  if (!a->quiet) print_validation(&v);
  if (osq_validation_write(dir, &v, a->force, err) != OSQ_OK) rc = err->code == OSQ_EEXIST ? report(err) : runtime_error(err);
  else if (!a->quiet) fprintf(g_out, "\nvalidation.csv, validation.md, validation.png in %s/\n", dir);
  free(rows);
  free(party);
  free(years);
  return rc;
}

static int cmd_validate(int argc, char **argv) {
  osq_validate_args_t a;
  PARSE_OR_RETURN(osq_cli_parse_validate, argc, argv, &a);
  int rc;
  osq_scenario_t *sc = load_or_report(a.path, &rc);
  if (!sc) return rc;
  if (a.trials) sc->trials = a.trials;
  if (a.seed >= 0) sc->seed = (uint64_t)a.seed;
  osq_error_t *err = alloc_error();
  osq_history_t h;
  memset(&h, 0, sizeof h);
  osq_validate_result_t *res = NULL;
  const char *dir = a.out ? a.out : sc->out_dir;
  rc = err ? EXIT_OK : EXIT_RUNTIME;
  if (rc == EXIT_OK) {
    char shipped[OSQ_PATHS_LEN];
    if (!a.history && !osq_paths_data_file("history.csv", shipped, sizeof shipped) && !shipped[0])
      snprintf(shipped, sizeof shipped, "history.csv"); /* no data folder at all: the loader says so */
    const char *path = a.history ? a.history : shipped;
    const int hrc = osq_mpi_agree(osq_history_load(path, sc, &h, err), err);
    if (hrc != OSQ_OK) rc = hrc == OSQ_ENOMEM ? runtime_error(err) : report(err);
  }
  if (rc == EXIT_OK && !a.force && osq_mpi_agree(osq_mpi_root() ? osq_validation_check_dir(dir, err) : OSQ_OK, err))
    rc = report(err);
  if (rc == EXIT_OK) {
    osq_run_opts_t opts = {.threads = (int)a.threads};
    if (!a.quiet && osq_mpi_root() && isatty(STDERR_FILENO)) opts.progress = progress_line;
    if (osq_run_validate(sc, &h, &opts, &res, err) != OSQ_OK) rc = runtime_error(err);
  }
  if (rc == EXIT_OK && osq_mpi_root()) rc = write_validation(sc, &a, &h, res, err);
  osq_validate_result_free(res);
  osq_history_free(&h);
  free(err);
  free(sc);
  return rc;
}

/* ============================================================================================ */
/* osq calibrate                                                                                */
/* ============================================================================================ */

/* The command line as the user would type it again (arguments with blanks or quotes single-quoted). */
static void command_line(int argc, char **argv, char *buf, size_t n) {
  size_t used = (size_t)snprintf(buf, n, "osq calibrate");
  for (int i = 0; i < argc && used < n; i++) {
    const bool quote = strpbrk(argv[i], " \t'\"$\\") != NULL;
    used += (size_t)snprintf(buf + used, n - used, quote ? " '%s'" : " %s", argv[i]);
  }
}

/* The targets: the rows of the history meant for fitting (use = fit) within the simulated years,
 * borrowing their strings. */
static int fit_targets(const osq_history_t *h, osq_history_t *t) {
  memset(t, 0, sizeof *t);
  snprintf(t->path, sizeof t->path, "%s", h->path);
  t->row = calloc((size_t)h->n + 1, sizeof *t->row);
  if (!t->row) return OSQ_ENOMEM;
  for (int i = 0; i < h->n; i++)
    if (h->row[i].fit && h->row[i].simulated) t->row[t->n++] = h->row[i];
  return OSQ_OK;
}

static void print_calibration(const osq_calibrate_result_t *r, const osq_history_t *t, int skipped) {
  fprintf(g_out, "%d targets (%d rows of the file kept out: use = check, or outside the simulated years)\n", t->n,
          skipped);
  fprintf(g_out, "distance %.6g -> %.6g after %d evaluations (%s)\n\n", r->distance_before, r->distance_after, r->evals,
          r->converged ? "converged" : "stopped at --max-evals");
  fprintf(g_out, "  %-40s %12s %12s %12s   range\n", "parameter", "start", "fitted", "sd");
  for (int k = 0; k < r->n_params; k++) {
    const osq_calibrate_param_t *p = &r->param[k];
    fprintf(g_out, "  %-40s %12.6g %12.6g %12.3g   [%g, %g]\n", p->key, p->start, p->value, p->sd, p->lo, p->hi);
  }
}

static int write_calibration(const osq_scenario_t *sc, const osq_calibrate_args_t *a, const char *command,
                             const osq_history_t *t, const osq_calibrate_result_t *r, osq_error_t *err) {
  osq_fit_row_t *fit = calloc((size_t)t->n + 1, sizeof *fit);
  char(*party)[24] = calloc((size_t)t->n + 1, sizeof *party);
  osq_param_row_t param[OSQ_CALIBRATE_PARAMS_MAX];
  if (!fit || !party) {
    free(fit);
    free(party);
    fprintf(g_err, "osq: error: out of memory\n");
    return EXIT_RUNTIME;
  }
  for (int i = 0; i < t->n; i++) {
    const osq_history_row_t *h = &t->row[i];
    figure_party(h, party[i], sizeof party[i]);
    fit[i] = (osq_fit_row_t){.id = h->id, .period = h->period, .quantity = osq_figure_quantity_name(h->fig.quantity),
                             .party = party[i], .kind = osq_figure_kind_name(h->kind), .tolerance = h->tolerance_text,
                             .value = h->value, .weight = r->weight[i], .before = r->before[i], .after = r->after[i]};
  }
  for (int k = 0; k < r->n_params; k++) {
    const osq_calibrate_param_t *p = &r->param[k];
    param[k] = (osq_param_row_t){.key = p->key, .integer = p->integer, .start = p->start, .value = p->value,
                                 .sd = p->sd, .lo = p->lo, .hi = p->hi};
  }
  char facts[2048];
  snprintf(facts, sizeof facts,
           /* No scenario hash: it covers the included fitted.cfg, which this command rewrites, and the
            * file must come out byte for byte the same when rerun (docs/model.md section 6). */
           "osq %s; scenario %s with its fitted group ignored; %lld trials a point, seed %llu; %d targets; "
           "distance %.6g -> %.6g in %d evaluations%s",
           OSQ_VERSION, sc->path, (long long)sc->trials, (unsigned long long)sc->seed, t->n,
           r->distance_before, r->distance_after, r->evals, r->converged ? "" : " (stopped at --max-evals)");
  const osq_calibration_t c = {.command = command, .facts = facts, .fit = fit, .n_fit = t->n, .param = param,
                               .n_param = r->n_params};
  int rc = EXIT_OK;
  if (osq_calibration_write(a->out, &c, a->force, err) != OSQ_OK)
    rc = err->code == OSQ_EEXIST || err->code == OSQ_EINVAL ? report(err) : runtime_error(err);
  else if (!a->quiet)
    fprintf(g_out, "\nfitted.cfg, fit.csv, params.csv in %s/\n", a->out);
  free(fit);
  free(party);
  return rc;
}

static int cmd_calibrate(int argc, char **argv) {
  osq_calibrate_args_t a;
  PARSE_OR_RETURN(osq_cli_parse_calibrate, argc, argv, &a);
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t *err = alloc_error();
  if (!sc || !err) {
    free(sc);
    free(err);
    return EXIT_RUNTIME;
  }
  /* The fit starts from the built-in defaults, whatever fitted.cfg the scenario includes, so that
   * the same command always writes the same fitted.cfg. */
  int rc = osq_mpi_agree(osq_scenario_load_opts(a.path, OSQ_LOAD_NO_FITTED, sc, err), err) == OSQ_OK ? EXIT_OK
                                                                                               : report(err);
  if (a.trials) sc->trials = a.trials;
  if (a.seed >= 0) sc->seed = (uint64_t)a.seed;
  osq_history_t h, t;
  memset(&h, 0, sizeof h);
  memset(&t, 0, sizeof t);
  if (rc == EXIT_OK) {
    const int hrc = osq_mpi_agree(osq_history_load(a.targets, sc, &h, err), err);
    if (hrc != OSQ_OK) rc = hrc == OSQ_ENOMEM ? runtime_error(err) : report(err);
  }
  if (rc == EXIT_OK && fit_targets(&h, &t) != OSQ_OK) rc = EXIT_RUNTIME;
  if (rc == EXIT_OK && !a.force && osq_mpi_agree(osq_mpi_root() ? osq_calibration_check_dir(a.out, err) : OSQ_OK, err))
    rc = report(err);
  osq_calibrate_result_t *res = NULL;
  if (rc == EXIT_OK) {
    const char *keys[OSQ_CLI_FREE_MAX];
    for (int k = 0; k < a.n_keys; k++) keys[k] = a.keys[k];
    osq_calibrate_opts_t o = {.trials = sc->trials, .threads = (int)a.threads, .max_evals = (int)a.max_evals,
                              .tolerance = 1e-3, .bounds = a.bounds};
    if (!a.quiet && osq_mpi_root() && isatty(STDERR_FILENO)) o.progress = progress_line;
    const int crc = osq_run_calibrate(sc, &t, keys, a.n_keys, &o, &res, err);
    if (crc != OSQ_OK) rc = crc == OSQ_EINVAL || crc == OSQ_ERANGE ? report(err) : runtime_error(err);
  }
  if (rc == EXIT_OK && osq_mpi_root()) {
    char command[2048];
    command_line(argc, argv, command, sizeof command);
    if (!a.quiet) print_calibration(res, &t, h.n - t.n);
    rc = write_calibration(sc, &a, command, &t, res, err);
  }
  osq_calibrate_result_free(res);
  free(t.row);
  osq_history_free(&h);
  free(err);
  free(sc);
  return rc;
}

/* ============================================================================================ */
/* osq sensitivity                                                                              */
/* ============================================================================================ */

static void progress_points(void *ctx, int64_t done, int64_t total) {
  const int64_t trials = *(const int64_t *)ctx;
  fprintf(g_err, "\rosq: %3d%%  %lld of %lld points", (int)(100.0 * (double)done / (double)total),
          (long long)(done / trials), (long long)(total / trials));
  if (done == total) fputc('\n', g_err);
  fflush(g_err);
}

/* An input's distribution in words, for the tables. */
static void dist_text(const osq_dist_t *d, char *buf, size_t n) {
  switch (d->kind) {
    case OSQ_DIST_UNIFORM:
      if (d->integer) snprintf(buf, n, "uniform over the integers %g to %g", d->min, d->max);
      else snprintf(buf, n, "uniform on [%g, %g]", d->min, d->max);
      break;
    case OSQ_DIST_LOGUNIFORM: snprintf(buf, n, "log-uniform on [%g, %g]", d->min, d->max); break;
    case OSQ_DIST_TRIANGULAR: snprintf(buf, n, "triangular, mode %g on [%g, %g]", d->mode, d->min, d->max); break;
    case OSQ_DIST_NORMAL: snprintf(buf, n, "normal(%g, sd %g) truncated to [%g, %g]", d->mean, d->sd, d->min, d->max); break;
    default: {
      size_t u = (size_t)snprintf(buf, n, "one of");
      for (int i = 0; i < d->n_values && u < n; i++) u += (size_t)snprintf(buf + u, n - u, "%s %g", i ? "," : "", d->values[i]);
      break;
    }
  }
}

/* An output in words: "flights ALL, us_out (2021) - baseline (2019)". */
static void output_text(const osq_study_t *st, const osq_study_output_t *o, char *buf, size_t n) {
  const osq_scenario_t *a = st->sc[o->scenario];
  size_t u = (size_t)snprintf(buf, n, "%s %s, %s (%d)", o->metric, o->party, a->name, a->first_year + o->year_idx);
  if (o->minus >= 0 && u < n) {
    const osq_scenario_t *b = st->sc[o->minus];
    snprintf(buf + u, n - u, " - %s (%d)", b->name, b->first_year + o->year_idx);
  }
}

typedef struct {
  char what[OSQ_STUDY_OUTPUTS_MAX][160];
  char dist[OSQ_STUDY_INPUTS_MAX][160];
  const char *key[OSQ_STUDY_INPUTS_MAX], *reason[OSQ_STUDY_INPUTS_MAX], *sname[OSQ_STUDY_SCENARIOS_MAX];
  const char *spath[OSQ_STUDY_SCENARIOS_MAX], *dptr[OSQ_STUDY_INPUTS_MAX];
  osq_uncertainty_row_t out[OSQ_STUDY_OUTPUTS_MAX];
  osq_index_cell_t *index;
} study_text_t;

/* The engine's result as results/sensitivity.h takes it. @return 0 or OSQ_ENOMEM */
static int study_tables(const osq_study_t *st, const osq_study_result_t *r, study_text_t *t, osq_sensitivity_t *s) {
  const int d = st->n_inputs, Q = st->n_outputs;
  t->index = calloc((size_t)Q * (size_t)d, sizeof *t->index);
  if (!t->index) return OSQ_ENOMEM;
  for (int i = 0; i < d; i++) {
    t->key[i] = st->input[i].key;
    t->reason[i] = st->input[i].reason;
    dist_text(&st->input[i].dist, t->dist[i], sizeof t->dist[i]);
    t->dptr[i] = t->dist[i];
  }
  for (int k = 0; k < st->n_scenarios; k++) {
    t->sname[k] = st->sc[k]->name;
    t->spath[k] = st->sc[k]->path;
  }
  for (int q = 0; q < Q; q++) {
    output_text(st, &st->output[q], t->what[q], sizeof t->what[q]);
    const osq_spread_t *sp = &r->spread[q];
    const osq_summary_t *c = &r->central[q];
    t->out[q] = (osq_uncertainty_row_t){.name = st->output[q].name, .what = t->what[q], .mean = sp->mean, .p05 = sp->p05,
                                        .p50 = sp->p50, .p95 = sp->p95, .mc_mean = c->mean, .mc_lo = c->ci95_lo,
                                        .mc_hi = c->ci95_hi, .points = sp->n, .trials = c->n};
    for (int i = 0; i < d; i++) {
      const size_t at = (size_t)q * (size_t)d + (size_t)i;
      const osq_sobol_index_t *so = &r->sobol[at];
      t->index[at] = (osq_index_cell_t){.s1 = so->s1, .s1_lo = so->s1_lo, .s1_hi = so->s1_hi, .st = so->st,
                                        .st_lo = so->st_lo, .st_hi = so->st_hi, .mu_star = r->morris[at].mu_star,
                                        .sigma = r->morris[at].sigma};
    }
  }
  *s = (osq_sensitivity_t){.name = st->name, .path = st->path, .hash = st->hash, .version = OSQ_VERSION,
                           .morris = st->method == OSQ_METHOD_MORRIS, .rows = st->points, .rows_done = r->rows_done,
                           .n_points = r->n_points, .points_done = r->points_done, .trials = st->trials,
                           .geo_trials = st->geo_trials, .block_size = st->block_size, .seed = st->seed,
                           .bootstrap = st->bootstrap, .levels = st->levels, .partial = r->partial,
                           .n_scenarios = st->n_scenarios, .scenario_name = t->sname, .scenario_path = t->spath,
                           .d = d, .input_key = t->key, .input_dist = t->dptr, .input_reason = t->reason,
                           .n_outputs = Q, .out = t->out, .index = t->index, .x = r->x, .value = r->value,
                           .moved = r->moved};
  return OSQ_OK;
}

static void print_study(const osq_study_t *st, const osq_study_result_t *r, const osq_sensitivity_t *s) {
  fprintf(g_out, "osq %s sensitivity: %s (%s, hash %s)\n", OSQ_VERSION, st->name, st->path, st->hash);
  fprintf(g_out, "method %s, %lld %s of %d inputs: %lld points x %d scenarios x %lld trials, seed %llu, threads %d",
          osq_method_name(st->method), (long long)st->points,
          st->method == OSQ_METHOD_MORRIS ? "trajectories" : "base rows", st->n_inputs, (long long)r->n_points,
          st->n_scenarios, (long long)st->trials, (unsigned long long)st->seed, r->threads);
  if (r->ranks > 1) fprintf(g_out, " x %d MPI ranks", r->ranks);
  fprintf(g_out, "\nset-up %.3f s  points %.3f s (%.4f s a point, of which %.4f s its own set-up)\n\n",
          r->setup_seconds, r->loop_seconds, r->points_run ? r->loop_seconds / (double)r->points_done : 0.0,
          r->points_run ? r->point_setup_seconds / (double)r->points_run : 0.0);
  fprintf(g_out, "  %-28s %-32s %-32s %s\n", "output", "central point [95% MC CI]", "over the inputs: mean [p05, p95]",
          st->method == OSQ_METHOD_MORRIS ? "largest mu*" : "largest ST");
  for (int q = 0; q < st->n_outputs; q++) {
    const osq_uncertainty_row_t *o = &s->out[q];
    int best = -1;
    double bv = -INFINITY;
    for (int i = 0; i < st->n_inputs; i++) {
      const osq_index_cell_t *c = &s->index[(size_t)q * st->n_inputs + (size_t)i];
      const double v = s->morris ? c->mu_star : c->st;
      if (!isnan(v) && v > bv) bv = v, best = i;
    }
    char a[64], b[64];
    snprintf(a, sizeof a, "%.4g [%.4g, %.4g]", o->mc_mean, o->mc_lo, o->mc_hi);
    snprintf(b, sizeof b, "%.4g [%.4g, %.4g]", o->mean, o->p05, o->p95);
    fprintf(g_out, "  %-28s %-32s %-32s %s %.3g\n", o->name, a, b, best >= 0 ? st->input[best].key : "-", bv);
  }
}

/* Rank 0, after a study: the tables and charts, then the checkpoint (written after a partial study's
 * results, removed after a complete one's, as osq run's). @return the exit code */
static int write_study(const osq_study_t *st, const osq_sensitivity_args_t *a, osq_study_result_t *r, osq_error_t *err) {
  study_text_t *t = calloc(1, sizeof *t);
  osq_sensitivity_t s;
  if (!t || study_tables(st, r, t, &s) != OSQ_OK) {
    if (t) free(t->index);
    free(t);
    fprintf(g_err, "osq: error: out of memory\n");
    return EXIT_RUNTIME;
  }
  unsigned fmt = OSQ_FMT_CSV;
  if (strstr(st->formats, "md")) fmt |= OSQ_FMT_MD;
  if (strstr(st->formats, "tex")) fmt |= OSQ_FMT_TEX;
  int rc = EXIT_OK;
  if (!a->quiet) print_study(st, r, &s);
  if (osq_sensitivity_write(st->out_dir, fmt, &s, a->force || a->resume, err) != OSQ_OK)
    rc = err->code == OSQ_EEXIST ? report(err) : runtime_error(err);
  else if (r->partial && osq_study_ckpt_save(st->out_dir, r->checkpoint, err) != OSQ_OK)
    rc = runtime_error(err);
  else if (!r->partial && osq_study_ckpt_remove(st->out_dir, err) != OSQ_OK)
    rc = runtime_error(err);
  free(t->index);
  free(t);
  if (rc != EXIT_OK) return rc;
  if (!a->quiet) fprintf(g_out, "\nresults in %s/\n", st->out_dir);
  if (!r->partial) return EXIT_OK;
  fprintf(g_err,
          "osq: interrupted: %lld of %lld points done; partial results in %s/; continue with: osq sensitivity %s "
          "--resume %s\n",
          (long long)r->points_done, (long long)r->n_points, st->out_dir, st->path, st->out_dir);
  return EXIT_INTERRUPTED;
}

/* Before a study: the checkpoint of --resume read (rank 0) and its settings shared, the command
 * line applied, the checkpoint matched, an occupied output directory refused. @return the exit code */
static int prepare_study(osq_study_t *st, osq_sensitivity_args_t *a, osq_study_ckpt_t **ck, osq_error_t *err) {
  char path[OSQ_PATH_MAX + 32] = "";
  if (a->resume) {
    const int lrc = osq_mpi_agree(osq_mpi_root() ? osq_study_ckpt_load(a->resume, ck, err) : OSQ_OK, err);
    if (lrc != OSQ_OK) return lrc == OSQ_ENOMEM ? runtime_error(err) : report(err);
    uint64_t shared[4] = {*ck ? (uint64_t)(*ck)->trials : 0, *ck ? (*ck)->seed : 0, *ck ? (uint64_t)(*ck)->rows : 0,
                          *ck ? (uint64_t)(*ck)->method + 1 : 0};
    osq_mpi_allsum_u64(shared, 4);
    if (!a->trials) a->trials = (long long)shared[0];
    if (a->seed < 0) a->seed = (long long)shared[1];
    if (!a->points) a->points = (long long)shared[2];
    if (!a->method) a->method = (int)shared[3];
    snprintf(st->out_dir, sizeof st->out_dir, "%s", a->resume);
    osq_study_ckpt_path(a->resume, path, sizeof path);
  }
  if (a->method) st->method = a->method == 2 ? OSQ_METHOD_MORRIS : OSQ_METHOD_SOBOL;
  if (a->points) {
    st->points = a->points;
    st->points_set = true;
  }
  if (a->trials) st->trials = a->trials;
  if (a->seed >= 0) st->seed = (uint64_t)a->seed;
  if (a->threads) st->threads = (int)a->threads;
  if (a->out) snprintf(st->out_dir, sizeof st->out_dir, "%s", a->out);
  osq_study_defaults(st);
  if (st->block_size > st->trials) st->block_size = st->trials;
  if (a->resume) {
    if (osq_mpi_agree(*ck ? osq_study_ckpt_match(*ck, st, path, err) : OSQ_OK, err) != OSQ_OK) return report(err);
  } else if (!a->force) {
    int crc = OSQ_OK;
    if (osq_mpi_root() && osq_study_ckpt_exists(st->out_dir))
      crc = osq_error_add(err, OSQ_EEXIST, st->out_dir, 0, "holds an interrupted study (%s): continue it with --resume "
                          "%s, or use --force to replace it", OSQ_STUDY_CKPT_NAME, st->out_dir);
    else if (osq_mpi_root())
      crc = osq_sensitivity_check_dir(st->out_dir, err);
    if (osq_mpi_agree(crc, err) != OSQ_OK) return report(err);
  }
  return EXIT_OK;
}

/* osq sensitivity: see docs/sensitivity.md. The checkpoint's life cycle is osq run's (cmd_run). */
static int cmd_sensitivity(int argc, char **argv) {
  osq_sensitivity_args_t a;
  PARSE_OR_RETURN(osq_cli_parse_sensitivity, argc, argv, &a);
  long long stop_blocks;
  int rc = stop_after_blocks(&stop_blocks);
  if (rc != EXIT_OK) return rc;
  osq_study_t *st = calloc(1, sizeof *st);
  osq_error_t *err = alloc_error();
  if (!st || !err) {
    free(st);
    free(err);
    return EXIT_RUNTIME;
  }
  const int lrc = osq_mpi_agree(osq_study_load(a.path, st, err), err);
  rc = lrc == OSQ_OK ? EXIT_OK : lrc == OSQ_ENOMEM ? runtime_error(err) : report(err);
  osq_study_ckpt_t *ck = NULL;
  osq_study_result_t *res = NULL;
  if (rc == EXIT_OK) rc = prepare_study(st, &a, &ck, err);
  if (rc == EXIT_OK) {
    int64_t trials = st->trials;
    osq_study_opts_t opts = {.stop = &g_stop, .stop_after_blocks = stop_blocks, .resume = ck};
    if (!a.quiet && osq_mpi_root() && isatty(STDERR_FILENO)) {
      opts.progress = progress_points;
      opts.progress_ctx = &trials;
    }
    stop_on_signals();
    const int xrc = osq_run_sensitivity(st, &opts, &res, err);
    if (xrc != OSQ_OK) rc = xrc == OSQ_ECONFIG || xrc == OSQ_EINVAL ? report(err) : runtime_error(err);
  }
  if (rc == EXIT_OK && osq_mpi_root()) rc = write_study(st, &a, res, err);
  osq_study_result_free(res);
  osq_study_ckpt_free(ck);
  osq_study_free(st);
  free(st);
  free(err);
  return rc;
}

/* ============================================================================================ */
/* osq bench                                                                                    */
/* ============================================================================================ */

static int cmd_bench(int argc, char **argv) {
  osq_bench_args_t a;
  osq_error_t *err = alloc_error();
  if (!err) return EXIT_RUNTIME;
  const int prc = osq_cli_parse_bench(argc, argv, &a, err);
  if (prc != OSQ_OK) osq_results_print_errors(g_err, err, " (see osq bench --help)");
  free(err);
  return prc != OSQ_OK ? EXIT_USAGE : osq_bench_main(&a, g_out, g_err);
}

/* ============================================================================================ */
/* osq init                                                                                     */
/* ============================================================================================ */

static int cmd_init(int argc, char **argv) {
  osq_init_args_t a;
  PARSE_OR_RETURN(osq_cli_parse_init, argc, argv, &a);
  osq_error_t *err = alloc_error();
  if (!err) return EXIT_RUNTIME;
  char path[OSQ_PATH_MAX + 32];
  int rc = EXIT_OK;
  /* Under MPI only rank 0 writes (every rank parsed the same arguments). */
  if (osq_mpi_root() && osq_starter_write(a.dir, a.force, path, sizeof path, err) != OSQ_OK)
    rc = err->code == OSQ_EEXIST || err->code == OSQ_EINVAL ? report(err) : runtime_error(err);
  else if (osq_mpi_root() && (!a.dir || strcmp(a.dir, ".") == 0))
    fprintf(g_out, "wrote %s; run it with: osq run %s\n", path, OSQ_STARTER_NAME);
  else if (osq_mpi_root())
    fprintf(g_out, "wrote %s; run it from its folder: cd %s && osq run %s\n", path, a.dir, OSQ_STARTER_NAME);
  free(err);
  return rc;
}

/* ============================================================================================ */
/* main                                                                                         */
/* ============================================================================================ */

static int dispatch(int argc, char **argv) {
  if (argc < 2) {
    print_help(g_err);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    print_help(g_out);
    return EXIT_OK;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
    print_version(g_out);
    return EXIT_OK;
  }
  if (strcmp(cmd, "--help-scenario") == 0) {
    osq_scenario_print_schema(g_out);
    return EXIT_OK;
  }
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (strcmp(cmd, "compare") == 0) return cmd_compare(argc - 2, argv + 2);
  if (strcmp(cmd, "bench") == 0) return cmd_bench(argc - 2, argv + 2);
  if (strcmp(cmd, "validate") == 0) return cmd_validate(argc - 2, argv + 2);
  if (strcmp(cmd, "calibrate") == 0) return cmd_calibrate(argc - 2, argv + 2);
  if (strcmp(cmd, "sensitivity") == 0) return cmd_sensitivity(argc - 2, argv + 2);
  if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
  if (strcmp(cmd, "parties") == 0) return cmd_parties(argc - 2, argv + 2);
  if (strcmp(cmd, "init") == 0) return cmd_init(argc - 2, argv + 2);
  return usage_error("unknown command '%s'", cmd);
}

int main(int argc, char **argv) {
  /* GSL's default handler aborts; osq validates arguments itself and reports its own errors. */
  gsl_set_error_handler_off();
  g_out = stdout;
  g_err = stderr;
  static osq_error_t err; /* static: 32 KiB */
  int rc = osq_mpi_init(&argc, &argv, &err) == OSQ_OK ? EXIT_OK : EXIT_RUNTIME;
  FILE *sink = NULL;
  if (!osq_mpi_root()) { /* only rank 0 talks */
    sink = fopen("/dev/null", "w");
    if (sink) g_out = g_err = sink;
  }
  rc = rc == EXIT_OK ? dispatch(argc, argv) : runtime_error(&err);
  fflush(g_out);
  fflush(g_err);
  if (sink) fclose(sink);
  return osq_mpi_finalize(rc);
}
