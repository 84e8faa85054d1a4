/*
 * test_memory.c: the memory guard (sim/engine/memory.h). The estimate grows as threads / resolution²;
 * it is above what a real baseline run allocates and holds resident, and not far above; the
 * check refuses a 0.01-degree raster on a 1 GiB machine with one message naming the scenario
 * file, and lets the baseline through; OSQ_MEMORY_LIMIT_MIB sets, lifts or is refused.
 */
#include <criterion/criterion.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sim/engine/memory.h"
#include "sim/engine/run.h"
#include "scenario_fixture.h"

#if defined(__SANITIZE_ADDRESS__)
#define OSQ_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OSQ_TEST_ASAN 1
#endif
#endif
#ifdef OSQ_TEST_ASAN
/* AddressSanitizer's allocator statistics (declared here: Debian's gcc ships no sanitizer headers). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

static osq_scenario_t *load(const char *rel) { return fixture_load(rel); }

static int64_t estimate_at(osq_scenario_t *sc, double res, int threads, osq_memory_estimate_t *e) {
  sc->geo.resolution_deg = res;
  return osq_memory_estimate(sc, threads, e);
}

Test(memory, grows_as_one_over_resolution_squared) {
  osq_scenario_t *sc = load("scenarios/baseline.cfg");
  osq_memory_estimate_t e1, e2, e3;
  const int64_t a = estimate_at(sc, 0.2, 2, &e1), b = estimate_at(sc, 0.1, 2, &e2), c = estimate_at(sc, 0.05, 2, &e3);
  cr_assert_eq(e1.cells, INT64_C(1620000));
  cr_assert_eq(e2.cells, INT64_C(6480000));
  cr_assert_eq(e3.cells, INT64_C(25920000));
  /* Halving the cell size quadruples the part that depends on the raster: the differences grow 4x
   * (to within the per-row tables, which grow 2x). */
  const double ratio = (double)(c - b) / (double)(b - a);
  cr_assert(ratio > 3.95 && ratio < 4.0, "(E(0.05) - E(0.1)) / (E(0.1) - E(0.2)) = %.4f", ratio);
  /* 0.01 degrees: 648 million cells, 25 times 0.05's raster-dependent part. */
  osq_memory_estimate_t e4;
  const int64_t d = estimate_at(sc, 0.01, 2, &e4);
  cr_assert_eq(e4.cells, INT64_C(648000000));
  cr_assert(d > 24 * (c - e3.fixed), "E(0.01) = %lld, E(0.05) = %lld", (long long)d, (long long)c);
  /* Each thread adds its workspace, which is mostly raster: marks and map counts (and the run
   * holds a few more blocks' records). */
  const int64_t one = estimate_at(sc, 0.1, 1, NULL), four = estimate_at(sc, 0.1, 4, NULL);
  cr_assert_geq(four - one, 3 * e2.per_thread);
  cr_assert_lt(four - one, 3 * e2.per_thread + (1 << 20));
  cr_assert_gt(e2.per_thread, 4 * e2.cells, "map counts are 4 bytes per cell and thread");
  /* Without geography nothing depends on the raster. */
  sc->geo.enabled = false;
  osq_memory_estimate_t e5;
  const int64_t g0 = estimate_at(sc, 0.01, 2, &e5);
  cr_assert_eq(e5.cells, 0);
  cr_assert_eq(g0, estimate_at(sc, 5.0, 2, NULL));
  cr_assert_lt(g0, 64 << 20, "no geography: %lld bytes", (long long)g0);
  free(sc);
}

Test(memory, compare_holds_every_scenario_at_once) {
  osq_scenario_t *a = load("scenarios/baseline.cfg"), *b = load("scenarios/us_out.cfg");
  const osq_scenario_t *both[2] = {a, b};
  osq_memory_estimate_t ec;
  const int64_t c = osq_memory_estimate_compare(both, 2, 2, &ec);
  /* osq compare keeps no map: two runs without their maps, held at once, but for the program and
   * the boundary file's JSON tree, which count once. */
  a->map = b->map = false;
  osq_memory_estimate_t ea, eb;
  const int64_t ra = osq_memory_estimate(a, 2, &ea), rb = osq_memory_estimate(b, 2, &eb);
  cr_assert_eq(ec.scenarios, 2);
  cr_assert_eq(ec.raster, ea.raster + eb.raster);
  cr_assert_eq(ec.world, ea.world + eb.world);
  cr_assert_geq(c, ra + rb - ea.fixed, "compare %lld, runs %lld + %lld", (long long)c, (long long)ra, (long long)rb);
  cr_assert_leq(c, ra + rb, "compare %lld, runs %lld + %lld", (long long)c, (long long)ra, (long long)rb);
  free(a);
  free(b);
}

/* Bytes the program holds allocated now: glibc's arenas and mmapped blocks, or ASan's allocator. */
static int64_t allocated_now(void) {
#ifdef OSQ_TEST_ASAN
  return (int64_t)__sanitizer_get_current_allocated_bytes();
#else
  struct mallinfo2 mi = mallinfo2();
  return (int64_t)(mi.uordblks + mi.hblkhd);
#endif
}

static int64_t peak_allocated;
static void on_wave(void *ctx, int64_t done, int64_t total) {
  (void)ctx;
  (void)done;
  (void)total;
  const int64_t a = allocated_now(); /* every workspace, the raster, the world and the map totals are held */
  if (a > peak_allocated) peak_allocated = a;
}

Test(memory, estimate_is_above_a_real_run_and_not_far_above) {
  osq_scenario_t *sc = load("scenarios/baseline.cfg");
  sc->trials = 1000; /* geography for 100 of them, every 10th: the baseline's shape, a tenth of its work */
  sc->geo.trials = 100;
  const int threads = 2;
  osq_memory_estimate_t e;
  const int64_t est = osq_memory_estimate(sc, threads, &e);
  osq_run_opts_t opts = {.threads = threads, .progress = on_wave};
  osq_run_result_t *res = NULL;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_run_execute(sc, &opts, &res, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  cr_assert_not_null(res->map.value, "the baseline writes a map: its totals are part of the peak");
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  const int64_t rss = (int64_t)ru.ru_maxrss * 1024;
  fprintf(stderr,
          "memory: baseline at 0.1 degrees, %d threads: estimate %.1f MiB (fixed %.1f, raster %.1f, world %.1f, "
          "per thread %.1f, results %.1f); allocated during the trial loop %.1f MiB; peak resident %.1f MiB\n",
          threads, est / 1048576.0, e.fixed / 1048576.0, e.raster / 1048576.0, e.world / 1048576.0,
          e.per_thread / 1048576.0, e.results / 1048576.0, peak_allocated / 1048576.0, rss / 1048576.0);
  /* An upper estimate: above what was allocated while the trials ran (the peak but for the map's
   * 5 bytes a cell, allocated after the loop) ... */
  cr_assert_gt(peak_allocated, 0);
  cr_assert_geq(est, peak_allocated + 5 * e.cells, "estimate %lld, allocated %lld + map %lld", (long long)est,
                (long long)peak_allocated, (long long)(5 * e.cells));
  /* ... and not far above it: within 1.5 times what the run allocated (measured 1.14). */
  cr_assert_leq(est, 3 * (peak_allocated + 5 * e.cells) / 2, "estimate %lld, allocated %lld", (long long)est,
                (long long)peak_allocated);
#ifndef OSQ_TEST_ASAN
  /* Resident memory (libraries included) stays below it; untouched calloc pages are never
   * resident, so it is lower than the allocation (measured factor 1.6). Under AddressSanitizer the
   * resident set holds shadow memory and the quarantine, so only the allocation is compared. */
  cr_assert_geq(est, rss, "estimate %lld, peak resident %lld", (long long)est, (long long)rss);
  cr_assert_leq(est, 3 * rss, "estimate %lld, peak resident %lld", (long long)est, (long long)rss);
#endif
  osq_run_result_free(res);
  free(sc);
}

Test(memory, refuses_a_hundredth_of_a_degree_on_one_gib) {
  osq_scenario_t *sc = load("scenarios/baseline.cfg");
  cr_assert_eq(setenv(OSQ_MEMORY_ENV, "1024", 1), 0);
  cr_assert_eq(osq_memory_available(), INT64_C(1024) << 20);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_memory_check(sc, 2, &err), OSQ_OK, "the baseline fits in 1 GiB: %s", err.n ? err.msg[0] : "");
  cr_assert_eq(err.n, 0);
  sc->geo.resolution_deg = 0.01;
  cr_assert_eq(osq_memory_check(sc, 2, &err), OSQ_ENOMEM);
  cr_assert_eq(err.n, 1, "one message");
  const char *m = err.msg[0];
  fprintf(stderr, "memory: %s\n", m);
  char want[1100];
  /* The scenario file, and no line: baseline.cfg does not set geo.resolution_deg itself. */
  snprintf(want, sizeof want, "%s/scenarios/baseline.cfg: this run needs about ", OSQ_SOURCE_DIR);
  cr_assert(strncmp(m, want, strlen(want)) == 0, "%s", m);
  cr_assert_not_null(strstr(m, "a raster of 0.01 degrees: 648,000,000 cells"), "%s", m);
  cr_assert_not_null(strstr(m, "but the machine has 1.0 GiB available (OSQ_MEMORY_LIMIT_MIB)"), "%s", m);
  cr_assert_not_null(strstr(m, "(expected a coarser geo.resolution_deg: 0.05 fits"), "%s", m);
  /* Fewer threads do not help when one thread alone needs more than the machine has. */
  cr_assert_null(strstr(m, "thread (--threads)"), "%s", m);
  free(sc);
}

Test(memory, names_the_line_that_sets_the_resolution) {
  char dir[] = "/tmp/osq_memory_XXXXXX", path[64], treaty[1024], cmd[2200];
  cr_assert_not_null(mkdtemp(dir));
  snprintf(treaty, sizeof treaty, "%s/scenarios/treaty.cfg", OSQ_SOURCE_DIR);
  snprintf(cmd, sizeof cmd, "cp '%s' '%s/treaty.cfg'", treaty, dir);
  cr_assert_eq(system(cmd), 0);
  snprintf(path, sizeof path, "%s/fine.cfg", dir);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fprintf(f, "@include \"treaty.cfg\"\n# resolution_deg = 5; in a comment does not count\n"
             "simulation = { trials = 100; };\ngeo = {\n  resolution_deg = 0.05;\n};\n");
  fclose(f);
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_scenario_load(path, sc, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  cr_assert_eq(setenv(OSQ_MEMORY_ENV, "100", 1), 0);
  cr_assert_eq(osq_memory_check(sc, 4, &err), OSQ_ENOMEM);
  char want[128];
  snprintf(want, sizeof want, "%s:5: this run needs about ", path);
  cr_assert(strncmp(err.msg[0], want, strlen(want)) == 0, "%s", err.msg[0]);
  cr_assert_not_null(strstr(err.msg[0], "4 threads x "), "%s", err.msg[0]);
  /* A limit the run fits in: 0.05 degrees on 1 thread needs about 0.5 GiB. */
  cr_assert_eq(setenv(OSQ_MEMORY_ENV, "1200", 1), 0);
  osq_error_clear(&err);
  cr_assert_eq(osq_memory_check(sc, 1, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  /* Between the two: fewer threads are offered. */
  const int64_t two = osq_memory_estimate(sc, 2, NULL), four = osq_memory_estimate(sc, 4, NULL);
  char mib[32];
  snprintf(mib, sizeof mib, "%lld", (long long)((two + four) / 2 >> 20));
  cr_assert_eq(setenv(OSQ_MEMORY_ENV, mib, 1), 0);
  osq_error_clear(&err);
  cr_assert_eq(osq_memory_check(sc, 4, &err), OSQ_ENOMEM);
  cr_assert_not_null(strstr(err.msg[0], "or 2 threads (--threads)"), "%s", err.msg[0]);
  snprintf(cmd, sizeof cmd, "rm -r '%s'", dir);
  cr_assert_eq(system(cmd), 0);
  free(sc);
}

Test(memory, environment_override) {
  cr_assert_eq(setenv(OSQ_MEMORY_ENV, "0", 1), 0);
  const char *src = NULL;
  cr_assert_eq(osq_memory_available_from(&src), INT64_MAX, "0: no limit");
  cr_assert_str_eq(src, OSQ_MEMORY_ENV);
  cr_assert_eq(setenv(OSQ_MEMORY_ENV, "12x", 1), 0);
  cr_assert_eq(osq_memory_available(), OSQ_EINVAL);
  osq_scenario_t *sc = load("scenarios/baseline.cfg");
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_memory_check(sc, 1, &err), OSQ_EINVAL);
  cr_assert_str_eq(err.msg[0],
                   "OSQ_MEMORY_LIMIT_MIB = '12x' is not a number of MiB (expected an integer >= 0; 0 turns the memory "
                   "check off)");
  cr_assert_eq(setenv(OSQ_MEMORY_ENV, "-5", 1), 0);
  cr_assert_eq(osq_memory_available(), OSQ_EINVAL);
  /* Without the variable: what the machine says, a positive figure that the baseline fits in on
   * any machine that builds osq (it needs about 0.2 GiB). */
  cr_assert_eq(unsetenv(OSQ_MEMORY_ENV), 0);
  const int64_t avail = osq_memory_available_from(&src);
  fprintf(stderr, "memory: available %.1f MiB (%s)\n", avail / 1048576.0, src);
  cr_assert_gt(avail, 0);
  osq_error_clear(&err);
  cr_assert_eq(osq_memory_check(sc, 1, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  free(sc);
}

Test(memory, rlimit_as_limits_the_figure) {
  struct rlimit rl;
  cr_assert_eq(getrlimit(RLIMIT_AS, &rl), 0);
  cr_assert_eq(unsetenv(OSQ_MEMORY_ENV), 0);
  const int64_t before = osq_memory_available();
  /* 2 GiB of address space more than the process uses: the figure drops to at most that. */
  FILE *f = fopen("/proc/self/status", "r");
  cr_assert_not_null(f);
  char line[256];
  long long vm_kb = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmSize:", 7) == 0) sscanf(line + 7, "%lld", &vm_kb);
  fclose(f);
  cr_assert_gt(vm_kb, 0);
  const int64_t lim = vm_kb * 1024 + (INT64_C(2) << 30);
  cr_assert(rl.rlim_max == RLIM_INFINITY || (int64_t)rl.rlim_max >= lim, "the hard RLIMIT_AS is below this test's");
  struct rlimit nl = {(rlim_t)lim, rl.rlim_max};
  cr_assert_eq(setrlimit(RLIMIT_AS, &nl), 0);
  const char *src = NULL;
  const int64_t after = osq_memory_available_from(&src);
  setrlimit(RLIMIT_AS, &rl);
  cr_assert_leq(after, INT64_C(2) << 30, "before %lld, after %lld (%s)", (long long)before, (long long)after, src);
  cr_assert_gt(after, INT64_C(1) << 30, "after %lld (%s)", (long long)after, src);
  if (before > (INT64_C(2) << 30)) cr_assert_str_eq(src, "RLIMIT_AS (ulimit -v)");
}
