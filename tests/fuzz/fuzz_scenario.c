/*
 * fuzz_scenario.c owns the libFuzzer harness of the scenario loader (tools/fuzz.sh builds and runs
 * it). Each input is written to one scenario file in a private temporary directory and loaded with
 * osq_scenario_load; a valid scenario is also printed (to /dev/null) so that the summary code runs.
 *
 * libconfig 1.5 only reads files, and @include resolves against the scenario's directory, so the
 * directory also holds the files the seed corpus includes: treaty.cfg (scenarios/) and
 * inc/ (every tests/bad/inc/ file), copied once at start-up from OSQ_SOURCE_DIR.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/input/scenario.h"

#ifndef OSQ_SOURCE_DIR
#error "define OSQ_SOURCE_DIR (the repository root) when building the harness"
#endif

static char g_dir[256];       /* the private directory */
static char g_scenario[300];  /* <dir>/fuzz.cfg, rewritten for every input */
static FILE *g_null;          /* /dev/null, for osq_scenario_print_settings */

static void die(const char *what, const char *path) {
  fprintf(stderr, "fuzz_scenario: %s: %s\n", what, path);
  abort();
}

static void copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in) die("cannot read", from);
  FILE *out = fopen(to, "wb");
  if (!out) die("cannot write", to);
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n) die("cannot write", to);
  fclose(in);
  if (fclose(out) != 0) die("cannot write", to);
}

/* Remove the directory tree at exit (libFuzzer calls exit() after -max_total_time and -runs). */
static void cleanup(void) {
  char p[512];
  DIR *d;
  snprintf(p, sizeof p, "%s/inc", g_dir);
  if ((d = opendir(p)) != NULL) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.') continue;
      snprintf(p, sizeof p, "%s/inc/%s", g_dir, e->d_name);
      unlink(p);
    }
    closedir(d);
  }
  snprintf(p, sizeof p, "%s/inc", g_dir);
  rmdir(p);
  snprintf(p, sizeof p, "%s/treaty.cfg", g_dir);
  unlink(p);
  unlink(g_scenario);
  rmdir(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *tmp = getenv("TMPDIR");
  snprintf(g_dir, sizeof g_dir, "%s/osq_fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(g_dir)) die("mkdtemp failed", g_dir);
  snprintf(g_scenario, sizeof g_scenario, "%s/fuzz.cfg", g_dir);
  atexit(cleanup);

  char from[512], to[512];
  snprintf(to, sizeof to, "%s/treaty.cfg", g_dir);
  copy_file(OSQ_SOURCE_DIR "/scenarios/treaty.cfg", to);
  snprintf(to, sizeof to, "%s/inc", g_dir);
  if (mkdir(to, 0700) != 0) die("cannot create", to);
  DIR *d = opendir(OSQ_SOURCE_DIR "/tests/bad/inc");
  if (!d) die("cannot open", OSQ_SOURCE_DIR "/tests/bad/inc");
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".cfg") != 0) continue;
    snprintf(from, sizeof from, "%s/tests/bad/inc/%s", OSQ_SOURCE_DIR, e->d_name);
    snprintf(to, sizeof to, "%s/inc/%s", g_dir, e->d_name);
    copy_file(from, to);
  }
  closedir(d);
  g_null = fopen("/dev/null", "w");
  if (!g_null) die("cannot open", "/dev/null");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f = fopen(g_scenario, "wb");
  if (!f) die("cannot write", g_scenario);
  if (size && fwrite(data, 1, size, f) != size) die("cannot write", g_scenario);
  if (fclose(f) != 0) die("cannot write", g_scenario);

  /* Heap, not static: ASan then sees overflows past either record. */
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t *err = malloc(sizeof *err);
  if (!sc || !err) abort();
  osq_error_clear(err);
  int rc = osq_scenario_load(g_scenario, sc, err);
  if (rc == OSQ_OK) {
    osq_scenario_print_settings(g_null, sc);
  } else if (rc != OSQ_ECONFIG && rc != OSQ_EIO && rc != OSQ_ENOMEM) {
    fprintf(stderr, "fuzz_scenario: osq_scenario_load returned %d, not a documented code\n", rc);
    abort();
  }
  /* The contract: a failure always carries at least one message, success none. */
  if ((rc != OSQ_OK) != (err->n > 0)) {
    fprintf(stderr, "fuzz_scenario: rc %d with %d messages\n", rc, err->n);
    abort();
  }
  free(err);
  free(sc);
  return 0;
}
