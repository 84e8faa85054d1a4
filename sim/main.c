/*
 * main.c owns the command line of osq: argument parsing, printing, and exit codes. It is the only
 * place that prints errors or exits; everything it calls returns codes and error records.
 *
 * Exit codes (README "Exit codes"): 0 success; 1 verification hash mismatch; 2 usage or scenario
 * error; 3 runtime error (I/O, memory); 130 interrupted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/errors.h"
#include "sim/scenario.h"

enum { EXIT_OK = 0, EXIT_VERIFY = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };

/* ============================================================================================ */
/* Help                                                                                         */
/* ============================================================================================ */

static void print_help(FILE *f) {
  fprintf(f,
          "osq %s - Open Skies observation-flight quota simulator\n"
          "\n"
          "Usage:\n"
          "  osq check SCENARIO.cfg                   validate a scenario and print its summary\n"
          "  osq parties SCENARIO.cfg [--date DATE]   quota holders in force on DATE (YYYY-MM-DD;\n"
          "                                           default 1 July of the first simulated year)\n"
          "  osq --help-scenario                      every scenario key: type, range, default\n"
          "  osq --help | -h                          this text\n"
          "  osq --version | -V                       version\n"
          "\n"
          "Exit codes: 0 ok, 1 verification mismatch, 2 usage or scenario error,\n"
          "            3 runtime error (I/O, memory), 130 interrupted.\n",
          OSQ_VERSION);
}

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "osq: error: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see osq --help)\n");
  return EXIT_USAGE;
}

static int report(const osq_error_t *err) {
  for (int i = 0; i < err->n; i++) fprintf(stderr, "osq: error: %s\n", err->msg[i]);
  if (err->dropped) fprintf(stderr, "osq: error: ... and %d more errors\n", err->dropped);
  return EXIT_USAGE;
}

/* Load a scenario into a heap block (it holds the whole treaty). NULL after printing errors. */
static osq_scenario_t *load_or_report(const char *path, int *rc) {
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t *err = malloc(sizeof *err);
  if (!sc || !err) {
    free(sc);
    free(err);
    fprintf(stderr, "osq: error: out of memory\n");
    *rc = EXIT_RUNTIME;
    return NULL;
  }
  osq_error_clear(err);
  if (osq_scenario_load(path, sc, err) != OSQ_OK) {
    *rc = report(err);
    free(sc);
    free(err);
    return NULL;
  }
  free(err);
  *rc = EXIT_OK;
  return sc;
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

static int cmd_check(int argc, char **argv) {
  if (argc != 1) return usage_error("check takes one scenario file%s", "");
  int rc;
  osq_scenario_t *sc = load_or_report(argv[0], &rc);
  if (!sc) return rc;
  const osq_treaty_t *t = &sc->treaty;
  int states = 0;
  for (int i = 0; i < t->n_parties; i++) states += t->parties[i].n_members;
  printf("osq %s: %s is valid (scenario hash %s)\n\n", OSQ_VERSION, sc->path, sc->hash);
  printf("scenario   %s\n", sc->name);
  printf("treaty     %d quota holders in the file, %d quota estimates, %d participation changes\n", t->n_parties,
         count_estimates(t), sc->n_changes);
  printf("simulates  %d-%d, %lld trials, seed %llu, block size %lld, threads %s\n\n", sc->first_year, sc->last_year,
         (long long)sc->trials, (unsigned long long)sc->seed, (long long)sc->block_size,
         sc->threads ? "as set" : "all available");
  (void)states;
  printf("Parties in force per simulated year (a party counts if in force on any day of the year;\n"
         "passive = sum of their passive quotas; + entry into force, - withdrawal):\n");
  print_year_table(stdout, sc);
  printf("\nSettings (\"(set)\" = differs from the default):\n");
  osq_scenario_print_settings(stdout, sc);
  free(sc);
  return EXIT_OK;
}

/* ============================================================================================ */
/* osq parties                                                                                  */
/* ============================================================================================ */

static int cmd_parties(int argc, char **argv) {
  const char *path = NULL, *date = NULL;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--date") == 0) {
      if (i + 1 >= argc) return usage_error("--date needs a value YYYY-MM-DD%s", "");
      date = argv[++i];
    } else if (strncmp(argv[i], "--date=", 7) == 0) {
      date = argv[i] + 7;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error("unknown option '%s' for parties", argv[i]);
    } else if (!path) {
      path = argv[i];
    } else {
      return usage_error("unexpected argument '%s' (parties takes one scenario file)", argv[i]);
    }
  }
  if (!path) return usage_error("parties needs a scenario file%s", "");
  osq_day_t day = 0;
  if (date && osq_date_parse(date, &day) != OSQ_OK)
    return usage_error("--date '%s' is not a valid date (expected YYYY-MM-DD)", date);
  int rc;
  osq_scenario_t *sc = load_or_report(path, &rc);
  if (!sc) return rc;
  if (!date) day = osq_date_from_ymd(sc->first_year, 7, 1);
  const osq_treaty_t *t = &sc->treaty;
  char ds[11];
  osq_date_format(day, ds);
  const int year = osq_date_year(day);
  printf("Quota holders in force on %s (%s):\n\n", ds, sc->path);
  printf("%-5s %-28s %-9s %-6s %-9s %-11s %-11s %s\n", "code", "name", "members", "bloc", "passive", "in force",
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
    printf("%-5s %-28.28s %-9s %-6s %-9s %-11s %-11s %d\n", p->code, p->name, members,
           osq_bloc_name(osq_party_bloc(p, year)), q, from, until, p->n_airfields);
    n++;
    quota += p->passive_quota;
    states += p->n_members;
  }
  printf("\n%d quota holders (%d states), total passive quota %d; \"est.\" = no source, see docs/data.md\n", n, states,
         quota);
  free(sc);
  return EXIT_OK;
}

/* ============================================================================================ */
/* main                                                                                         */
/* ============================================================================================ */

int main(int argc, char **argv) {
  if (argc < 2) {
    print_help(stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    print_help(stdout);
    return EXIT_OK;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
    printf("osq %s\n", OSQ_VERSION);
    return EXIT_OK;
  }
  if (strcmp(cmd, "--help-scenario") == 0) {
    osq_scenario_print_schema(stdout);
    return EXIT_OK;
  }
  if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
  if (strcmp(cmd, "parties") == 0) return cmd_parties(argc - 2, argv + 2);
  return usage_error("unknown command '%s'", cmd);
}
