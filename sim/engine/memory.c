/*
 * memory.c owns the memory guard (see memory.h): the estimate, term by term, of what a run
 * allocates; what the machine can give; and the refusal with a message that says what to change.
 *
 * Every term below names the allocation it stands for. When the engine, geosetup.c, raster.c,
 * swath.c, nofly.c or coverage.c change what they allocate, this file must follow;
 * tests/unit/test_memory.c keeps the estimate above the measured peak of a real run.
 */
#include "sim/engine/memory.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/coverage.h"
#include "models/metrics.h"
#include "models/quota.h"
#include "models/rng.h"
#include "sim/engine/mpi.h"
#include "sim/engine/waves.h"
#include "sim/engine/run.h"
#include "sim/engine/stats.h"

#define MIB (INT64_C(1) << 20)

/* The program itself, its libraries' heaps, the result tables' fixed parts and the error
 * records: a run without geography peaks at 7.7 MiB of resident memory (libraries included). */
#define BASE_BYTES (8 * MIB)
/* Reading the boundary file (sim/input/geodata.c): jansson's tree of the TopoJSON while it is read,
 * then the decoded polygons, which the run keeps. Measured with data/countries-50m.json (739 KiB):
 * 18.5 MiB more resident memory than a run without geography; the polygons alone are about
 * 2.2 bytes per byte of the file (99,539 vertices of 16 bytes). */
#define JSON_BYTES_PER_BYTE 30
#define POLY_BYTES_PER_BYTE 3
/* A gsl_rng over Philox with its state (models/rng.c: on whole cache lines), rounded up. */
#define RNG_BYTES 1024
_Static_assert(sizeof(gsl_rng) + (sizeof(osq_rng_t) + 63) / 64 * 64 <= RNG_BYTES, "RNG_BYTES bounds a stream");
/* Bins of a continuous metric's histogram (slots.c osq_slot_bins: 1,000 bins + 1). */
#define CONT_BINS 1001

static int64_t words_bytes(int64_t bits) { return (bits + 63) / 64 * 8; }

/* Distinct member states of the treaty: the territory ids geosetup.c assigns. */
static int count_states(const osq_treaty_t *t) {
  char seen[OSQ_PARTIES_MAX * OSQ_MEMBERS_MAX][3];
  int n = 0;
  for (int p = 0; p < t->n_parties; p++)
    for (int m = 0; m < t->parties[p].n_members; m++) {
      bool dup = false;
      for (int s = 0; s < n && !dup; s++) dup = strcmp(seen[s], t->parties[p].members[m]) == 0;
      if (!dup) memcpy(seen[n++], t->parties[p].members[m], 3);
    }
  return n;
}

/* No-fly buffers of coverage.c osq_cov_world_build: one per run of consecutive years whose parties in
 * force on 1 July leave the same states blocked (none when nofly_km is 0). Comparing the sets of
 * parties in force is an upper bound (two sets of parties can unblock the same states). */
static int count_nofly_sets(const osq_scenario_t *sc) {
  if (!(sc->geo.nofly_km > 0)) return 0;
  int n = 0;
  bool prev[OSQ_PARTIES_MAX];
  for (int y = sc->first_year; y <= sc->last_year; y++) {
    bool cur[OSQ_PARTIES_MAX];
    const osq_day_t jul1 = osq_date_from_ymd(y, 7, 1);
    for (int p = 0; p < sc->treaty.n_parties; p++) cur[p] = osq_party_in_force(&sc->treaty.parties[p], jul1);
    if (y == sc->first_year || memcmp(prev, cur, sizeof(bool) * (size_t)sc->treaty.n_parties) != 0) n++;
    memcpy(prev, cur, sizeof prev);
  }
  return n;
}

/* Synthetic sites of coverage.c: max(sites_min, area / site_km2) per party. The world uses the
 * rasterised area, which can exceed the treaty file's area_km2 (Denmark's raster holds Greenland):
 * a quarter more, and these arrays are small at the default 50,000 km² per site. */
static void count_sites(const osq_scenario_t *sc, int64_t *total, int64_t *max_party, int64_t *reach,
                        int64_t *known_pairs) {
  *total = *max_party = *reach = *known_pairs = 0;
  for (int p = 0; p < sc->treaty.n_parties; p++) {
    const osq_party_t *q = &sc->treaty.parties[p];
    int64_t n = (int64_t)ceil(1.25 * q->area_km2 / sc->geo.site_km2);
    if (n < sc->geo.sites_min) n = sc->geo.sites_min;
    *total += n;
    if (n > *max_party) *max_party = n;
    for (int a = 0; a < q->n_airfields; a++) *reach += (int64_t)q->airfields[a].n_steps * n;
    /* pairs of the party's airfields and sites whose distances the world keeps: none beyond
     * OSQ_KNOWN_POINTS_MAX points, but this count of sites is an upper one, so the bound's */
    const int64_t pts = n + q->n_airfields < OSQ_KNOWN_POINTS_MAX ? n + q->n_airfields : OSQ_KNOWN_POINTS_MAX;
    *known_pairs += pts * pts;
  }
}

typedef struct {
  int64_t slots;      /* slots.c osq_slots_build: statistics slots of the whole run */
  int64_t hist;       /* bytes of one set of histograms (headers and counters) */
} slots_t;

/* Slots and histogram bins per year as slots.c osq_slots_build and osq_slot_bins make them, with every party
 * counted as in force (an upper bound). */
static slots_t count_slots(const osq_scenario_t *sc, bool geo) {
  const int64_t P = sc->treaty.n_parties, A = OSQ_AGG_COUNT, Y = sc->last_year - sc->first_year + 1;
  int64_t passive = 0, sites_max = 0, dummy1, dummy2, dummy3;
  for (int p = 0; p < P; p++) passive += sc->treaty.parties[p].passive_quota;
  if (passive > OSQ_FLIGHTS_MAX) passive = OSQ_FLIGHTS_MAX;
  count_sites(sc, &dummy1, &sites_max, &dummy2, &dummy3);
  const int64_t qb = passive + 1;           /* flights, flights_active, flights_over/by: <= quota total + 1 */
  const int64_t db = P * (P - 1) + 1;       /* dyads and dyad_density: one bin per possible dyad count */
  int64_t slots = 2 + 2 * (P + A) + 3;      /* flights, flights_active; over/by per party + aggregates; dyads, density, plans */
  int64_t bins = 2 * qb + 2 * (P + A) * qb + 2 * db + 2;
  if (geo) {
    /* coverage (P + A), coverage_fixed, revisit_days (P), imagery_own (P), imagery_access (P),
     * buildup_detect aggregates (A): 1,001 bins each; sites_observed: a bin per site;
     * buildup_detect per party: a bin per build-up count */
    slots += 6 * P + 2 * A + 1;
    bins += (P + A + 1 + 3 * P + A) * CONT_BINS + P * (sites_max + 1) + P * (sc->geo.buildups + 1);
  }
  slots_t s = {Y * slots, Y * (slots * (int64_t)sizeof(osq_hist_t) + bins * (int64_t)sizeof(uint64_t))};
  return s;
}

/* Raster geometry of raster.c osq_geo_raster_build. */
static void raster_size(double res, int64_t *nlat, int64_t *nlon, int64_t *cells) {
  if (!(res >= OSQ_GEO_RES_MIN)) res = OSQ_GEO_RES_MIN;
  *nlat = (int64_t)llround(180.0 / res);
  *nlon = 2 * *nlat;
  *cells = *nlat * *nlon;
}

/*
 * One scenario's share. `map`: trial.c keeps map counts per thread and run.c the map totals
 * (osq run with output.map);
 * `compare_n` > 0: the records of osq compare of that many scenarios; `res` > 0 replaces the
 * scenario's resolution (to find one that fits).
 */
static void estimate_one(const osq_scenario_t *sc, int threads, bool map, int compare_n, double res,
                         osq_memory_estimate_t *e) {
  const bool geo = sc->geo.enabled;
  const int64_t P = sc->treaty.n_parties, Y = sc->last_year - sc->first_year + 1;
  const slots_t sl = count_slots(sc, geo);
  /* Blocks held at once by rank 0 (waves.c: two waves in one process, a wave of all ranks under MPI). */
  const int64_t wave = osq_waves_recs(threads, osq_mpi_size());

  e->fixed += (int64_t)sizeof(osq_scenario_t);            /* main.c / run_compare.c: the scenario's copy */
  int64_t per_thread = 0, results = 0;

  /* --- per thread (trial.c osq_trial_ws_init) --- */
  per_thread += (int64_t)(sizeof(osq_year_t) + sizeof(osq_metrics_t) + sizeof(osq_cov_metrics_t)) + 256; /* osq_trial_ws_t */
  per_thread += 2 * RNG_BYTES;                              /* rng, geo_rng */
  per_thread += 64;                                         /* waves.c: its pace (thread_use_t) */
  per_thread += sl.hist;                                    /* hists: one set of n_slots */
  per_thread += Y * P * P * 8;                              /* dyad_sum [n_years][P][P] int64 */

  /* --- results (trial.c osq_trial_prep_init, osq_trial_tables; run.c; run_compare.c; waves.c) --- */
  results += Y * (int64_t)sizeof(osq_quota_caps_t);        /* prep: caps per year */
  results += Y * (int64_t)sizeof(osq_model_params_t);      /* prep: parameters per year */
  results += Y * (int64_t)sizeof(osq_metrics_year_t);      /* prep: the metrics' part of each year */
  results += Y * (6 + 8 * (P + OSQ_AGG_COUNT)) * 6;         /* plan: slot array, its cap of 6-byte slots */
  results += sl.slots * (int64_t)sizeof(osq_welford_t) * (1 + wave); /* total + recs of a wave */
  results += 64 * (1 + wave);                               /* the recs padded to cache lines (waves.c) */
  results += sl.slots * 256;                                /* result table rows (metric, party, numbers) */
  results += Y * P * P * 64;                                /* dyads table rows */
  if (compare_n > 0) {
    /* dtot + drecs (paired differences), precs + ptot (rows a scenario lacks), pair, phantom */
    results += sl.slots * (int64_t)sizeof(osq_welford_t) * (1 + wave) * 2 + sl.slots * 8;
    per_thread += sl.slots * compare_n * 8;                 /* vals: one value per slot and scenario */
  }

  if (geo) {
    int64_t nlat, nlon, cells;
    raster_size(res > 0 ? res : sc->geo.resolution_deg, &nlat, &nlon, &cells);
    const int64_t terr = (int64_t)ceil((double)cells * OSQ_MEMORY_TERR_SHARE);
    const int64_t bits = words_bytes(cells);                /* one bit per cell, in 64-bit words */
    const int states = count_states(&sc->treaty);
    int64_t n_sites, max_sites, n_reach, known_pairs;
    count_sites(sc, &n_sites, &max_sites, &n_reach, &known_pairs);
    e->cells = cells;
    e->terr_cells = terr;

    /* --- boundaries (geodata.c): polygons kept for the run --- */
    struct stat st;
    const int64_t file = stat(sc->boundaries, &st) == 0 ? (int64_t)st.st_size : 0;
    e->fixed += POLY_BYTES_PER_BYTE * file;

    /* --- raster (raster.c osq_geo_raster_build, index_raster) --- */
    e->raster += cells;                                     /* tid: one byte per cell */
    e->raster += nlat * (4 + 8 + 8) + nlon * (8 + 8);       /* row area (float), row sin/cos, column sin/cos */
    e->raster += 2 * terr;                                  /* scol: a uint16 column per territory cell */
    e->raster += (int64_t)states * nlat * 12;               /* srow_row/first/count: a run per territory and row */
    e->raster += nlat * (4 + 8) + 64 * 1024;                /* fill scratch while building: counts, row centres, crossings */

    /* --- world (coverage.c osq_cov_world_build) --- */
    e->nofly_sets = count_nofly_sets(sc);
    e->world += e->nofly_sets * bits;                       /* no-fly buffers: a bitset per membership */
    e->world += n_sites * (4 + 8 + 8);                      /* site cell, lat, lon */
    e->world += n_reach * 4;                                /* sites reachable per airfield and distance step */
    e->world += known_pairs * 8;                            /* distances between each party's airfields and sites */
    e->world += (int64_t)OSQ_MEMBERS_MAX * nlat * 2 * (4 + 4 + 4 + 8); /* site sampler while drawing */

    /* --- per thread: coverage workspace (coverage.c osq_cov_ws_alloc, swath.c osq_geo_marks_alloc) --- */
    const int64_t marks = bits + 4 * terr + 3 * 8 * nlat + (int64_t)sizeof(osq_geo_marks_t);
    per_thread += 2 * marks;                                /* year and flight mark sets: bits, touched, row scratch */
    per_thread += 4 * (max_sites + 1) + 2 * (n_sites + 1) + 16 * 1024; /* pick, last_day, the struct */
    per_thread += known_pairs * 2;                          /* legs found clear or not, per pair of known points */
    if (map) {
      per_thread += 4 * cells + cells;                      /* map counts: 8 bit planes and wraps (uint32) per cell */
      results += 8 * cells;                                 /* cells: the threads' counts summed, uint64 */
      results += 4 * cells + cells;                         /* the map: value (float) and tid per cell */
    }
  }
  e->per_thread += per_thread;
  e->results += results;
}

static int64_t json_bytes(const osq_scenario_t *sc) {
  struct stat st;
  if (!sc->geo.enabled || stat(sc->boundaries, &st) != 0) return 0;
  return JSON_BYTES_PER_BYTE * (int64_t)st.st_size;
}

/* run (compare false, n = 1) or compare of n scenarios, at their resolutions or at res > 0. */
static int64_t estimate_all(const osq_scenario_t *const *scs, int n, int threads, bool compare, double res,
                            osq_memory_estimate_t *out) {
  osq_memory_estimate_t e;
  memset(&e, 0, sizeof e);
  if (threads < 1) threads = 1;
  int64_t json = 0;
  for (int k = 0; k < n; k++) {
    osq_memory_estimate_t one;
    memset(&one, 0, sizeof one);
    const osq_scenario_t *sc = scs[k];
    estimate_one(sc, threads, !compare && sc->geo.enabled && sc->map, compare ? n : 0, res, &one);
    e.fixed += one.fixed;
    e.raster += one.raster;
    e.world += one.world;
    e.per_thread += one.per_thread;
    e.results += one.results;
    e.nofly_sets += one.nofly_sets;
    if (one.cells > e.cells) {
      e.cells = one.cells;
      e.terr_cells = one.terr_cells;
    }
    /* The JSON tree of one boundary file at a time: each is freed before its raster is built. */
    if (json_bytes(sc) > json) json = json_bytes(sc);
  }
  e.threads = threads;
  e.scenarios = n;
  e.fixed += BASE_BYTES + json;
  e.total = e.fixed + e.raster + e.world + (int64_t)threads * e.per_thread + e.results;
  if (out) *out = e;
  return e.total;
}

int64_t osq_memory_estimate(const osq_scenario_t *sc, int threads, osq_memory_estimate_t *out) {
  return estimate_all(&sc, 1, threads, false, 0.0, out);
}

int64_t osq_memory_estimate_compare(const osq_scenario_t *const *scs, int n, int threads, osq_memory_estimate_t *out) {
  return estimate_all(scs, n, threads, true, 0.0, out);
}

/* ------------------------------------------------------------------------------------------ */
/* What the machine can give                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* The value (kB) of "key:" in a /proc file such as /proc/meminfo or /proc/self/status, or -1. */
static int64_t proc_kb(const char *path, const char *key) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[256];
  int64_t v = -1;
  const size_t kl = strlen(key);
  while (fgets(line, sizeof line, f))
    if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
      long long x;
      if (sscanf(line + kl + 1, "%lld", &x) == 1) v = x;
      break;
    }
  fclose(f);
  return v;
}

/* One number from a cgroup file; "max" (v2) and the v1 "unlimited" value give INT64_MAX. */
static int64_t read_number(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char buf[64] = "";
  const bool ok = fgets(buf, sizeof buf, f) != NULL;
  fclose(f);
  if (!ok) return -1;
  if (strncmp(buf, "max", 3) == 0) return INT64_MAX;
  errno = 0;
  char *end;
  long long v = strtoll(buf, &end, 10);
  if (end == buf || errno) return -1;
  return v >= (INT64_C(1) << 62) ? INT64_MAX : v;
}

/* "key N" of a cgroup memory.stat, or 0. */
static int64_t stat_key(const char *path, const char *key) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[256];
  int64_t v = 0;
  const size_t kl = strlen(key);
  while (fgets(line, sizeof line, f))
    if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
      v = strtoll(line + kl + 1, NULL, 10);
      break;
    }
  fclose(f);
  return v;
}

/* Free memory of a memory cgroup directory: limit - (usage - inactive page cache); INT64_MAX when
 * it sets no limit, -1 when it has no such files. */
static int64_t cgroup_dir_free(const char *dir, bool v2) {
  char p[OSQ_PATH_MAX + 160];
  snprintf(p, sizeof p, "%s/%s", dir, v2 ? "memory.max" : "memory.limit_in_bytes");
  const int64_t limit = read_number(p);
  if (limit < 0) return -1;
  if (limit == INT64_MAX) return INT64_MAX;
  snprintf(p, sizeof p, "%s/%s", dir, v2 ? "memory.current" : "memory.usage_in_bytes");
  int64_t usage = read_number(p);
  if (usage < 0) usage = 0;
  snprintf(p, sizeof p, "%s/memory.stat", dir);
  usage -= stat_key(p, v2 ? "inactive_file" : "total_inactive_file");
  if (usage < 0) usage = 0;
  return limit > usage ? limit - usage : 0;
}

/* The smallest free memory of a cgroup directory rel under root and of its ancestors. */
static int64_t cgroup_walk(const char *root, const char *rel, bool v2) {
  char path[OSQ_PATH_MAX];
  snprintf(path, sizeof path, "%s", rel[0] == '/' ? rel : "/");
  int64_t best = INT64_MAX;
  for (;;) {
    char dir[OSQ_PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s%s", root, strcmp(path, "/") == 0 ? "" : path);
    const int64_t v = cgroup_dir_free(dir, v2);
    if (v >= 0 && v < best) best = v;
    if (strcmp(path, "/") == 0) break;
    char *slash = strrchr(path, '/');
    if (slash == path) path[1] = '\0';
    else *slash = '\0';
  }
  return best;
}

/* The smallest free memory of the process's memory cgroups (v2 and v1) and their ancestors. */
static int64_t cgroup_free(void) {
  FILE *f = fopen("/proc/self/cgroup", "r");
  if (!f) return INT64_MAX;
  char line[OSQ_PATH_MAX + 64];
  int64_t best = INT64_MAX;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) continue;
    *c2 = '\0';
    const char *ctrl = c1 + 1, *rel = c2 + 1;
    int64_t v = INT64_MAX;
    if (strncmp(line, "0:", 2) == 0 && *ctrl == '\0') { /* v2: "0::PATH" */
      const int64_t a = cgroup_walk("/sys/fs/cgroup", rel, true), b = cgroup_walk("/sys/fs/cgroup/unified", rel, true);
      v = a < b ? a : b;
    } else {
      for (const char *q = ctrl; *q;) { /* v1: "N:CONTROLLERS:PATH", one of them "memory" */
        const size_t len = strcspn(q, ",");
        if (len == 6 && strncmp(q, "memory", 6) == 0) v = cgroup_walk("/sys/fs/cgroup/memory", rel, false);
        q += len + (q[len] == ',');
      }
    }
    if (v < best) best = v;
  }
  fclose(f);
  return best;
}

int64_t osq_memory_available_from(const char **source) {
  const char *src = "unknown";
  int64_t best = INT64_MAX;
  const char *env = getenv(OSQ_MEMORY_ENV);
  if (env && *env) {
    errno = 0;
    char *end;
    long long v = strtoll(env, &end, 10);
    while (*end && isspace((unsigned char)*end)) end++;
    if (end == env || *end || errno || v < 0 || v > INT64_MAX / MIB) return OSQ_EINVAL;
    if (source) *source = OSQ_MEMORY_ENV;
    return v == 0 ? INT64_MAX : (int64_t)v * MIB;
  }
  const int64_t avail_kb = proc_kb("/proc/meminfo", "MemAvailable");
  if (avail_kb >= 0) {
    best = avail_kb * 1024;
    src = "MemAvailable";
  } else {
    const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) {
      best = (int64_t)pages * page;
      src = "free physical memory";
    }
  }
  const int64_t cg = cgroup_free();
  if (cg < best) {
    best = cg;
    src = "the memory cgroup's limit";
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    const int64_t used = proc_kb("/proc/self/status", "VmSize");
    const int64_t v = (int64_t)rl.rlim_cur - (used > 0 ? used * 1024 : 0);
    if (v < best) {
      best = v > 0 ? v : 0;
      src = "RLIMIT_AS (ulimit -v)";
    }
  }
  if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    const int64_t used = proc_kb("/proc/self/status", "VmData");
    const int64_t v = (int64_t)rl.rlim_cur - (used > 0 ? used * 1024 : 0);
    if (v < best) {
      best = v > 0 ? v : 0;
      src = "RLIMIT_DATA (ulimit -d)";
    }
  }
  if (source) *source = src;
  return best;
}

int64_t osq_memory_available(void) { return osq_memory_available_from(NULL); }

/* ------------------------------------------------------------------------------------------ */
/* The check                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static void fmt_bytes(int64_t b, char *buf, size_t n) {
  const double x = (double)b;
  if (b >= (INT64_C(1) << 30)) snprintf(buf, n, "%.1f GiB", x / (double)(INT64_C(1) << 30));
  else if (b >= MIB) snprintf(buf, n, "%.0f MiB", x / (double)MIB);
  else snprintf(buf, n, "%.0f KiB", x / 1024.0);
}

static void fmt_count(int64_t v, char *buf, size_t n) {
  char digits[32];
  snprintf(digits, sizeof digits, "%" PRId64, v);
  const size_t len = strlen(digits);
  size_t k = 0;
  for (size_t i = 0; i < len && k + 2 < n; i++) {
    if (i > 0 && (len - i) % 3 == 0) buf[k++] = ',';
    buf[k++] = digits[i];
  }
  buf[k] = '\0';
}

/* The line of the scenario file that sets key (e.g. "resolution_deg = 0.01;"), 0 if none is found:
 * a line whose first word, after blanks, is not a comment and which holds key followed by '=' or
 * ':'. Only the scenario file itself is searched, not its includes. */
static int setting_line(const char *path, const char *key) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[4096];
  int no = 0, found = 0;
  const size_t kl = strlen(key);
  while (!found && fgets(line, sizeof line, f)) {
    no++;
    const char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '#' || (p[0] == '/' && (p[1] == '/' || p[1] == '*'))) continue;
    for (const char *q = strstr(p, key); q; q = strstr(q + 1, key)) {
      if (q > line && (isalnum((unsigned char)q[-1]) || q[-1] == '_')) continue;
      const char *v = q + kl;
      while (*v == ' ' || *v == '\t') v++;
      if (*v == '=' || *v == ':') {
        found = no;
        break;
      }
    }
  }
  fclose(f);
  return found;
}

static int check(const osq_scenario_t *const *scs, int n, int threads, bool compare, int64_t extra, osq_error_t *err) {
  if (threads < 1) threads = 1;
  const char *src = "unknown";
  const int64_t avail = osq_memory_available_from(&src);
  if (avail < 0)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0,
                         "%s = '%s' is not a number of MiB (expected an integer >= 0; 0 turns the memory check off)",
                         OSQ_MEMORY_ENV, getenv(OSQ_MEMORY_ENV));
  osq_memory_estimate_t e;
  const int64_t need = estimate_all(scs, n, threads, compare, 0.0, &e) + extra;
  if (need <= avail) return OSQ_OK;

  /* The finest raster takes the memory: the message names that scenario's file and setting (a
   * compare's or a study's first scenario need not be it). */
  const osq_scenario_t *sc = scs[0];
  for (int k = 1; k < n; k++)
    if (scs[k]->geo.enabled && (!sc->geo.enabled || scs[k]->geo.resolution_deg < sc->geo.resolution_deg)) sc = scs[k];
  bool geo = false;
  for (int k = 0; k < n; k++) geo |= scs[k]->geo.enabled;
  /* What would fit: the finest of the usual resolutions coarser than the scenario's, or fewer threads. */
  static const double steps[] = {0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0};
  double fits = 0.0;
  for (size_t k = 0; geo && k < sizeof steps / sizeof steps[0] && fits == 0.0; k++)
    if (steps[k] > sc->geo.resolution_deg * (1 + 1e-9) &&
        estimate_all(scs, n, threads, compare, steps[k], NULL) + extra <= avail)
      fits = steps[k];
  int fewer = 0;
  for (int t = threads - 1; t >= 1 && !fewer; t--)
    if (estimate_all(scs, n, t, compare, 0.0, NULL) + extra <= avail) fewer = t;
  char advice[160] = "";
  size_t u = 0;
  if (fits > 0) u += (size_t)snprintf(advice, sizeof advice, "a coarser geo.resolution_deg: %g fits", fits);
  if (fewer > 0)
    u += (size_t)snprintf(advice + u, sizeof advice - u, "%s%d thread%s (--threads)", u ? ", or " : "", fewer,
                          fewer > 1 ? "s" : "");
  if (u == 0) snprintf(advice, sizeof advice, "more memory%s", geo ? ", or geo.enabled = false" : "");

  char s_need[32], s_avail[32], s_thr[32], s_res[32], s_cells[40], s_raster[160] = "";
  fmt_bytes(need, s_need, sizeof s_need);
  fmt_bytes(avail, s_avail, sizeof s_avail);
  fmt_bytes(e.per_thread, s_thr, sizeof s_thr);
  fmt_bytes(e.results, s_res, sizeof s_res);
  fmt_count(e.cells, s_cells, sizeof s_cells);
  if (geo) snprintf(s_raster, sizeof s_raster, "a raster of %g degrees: %s cells; ", sc->geo.resolution_deg, s_cells);
  char what[64] = "this run";
  if (compare) snprintf(what, sizeof what, "%s of %d scenarios", extra ? "osq sensitivity" : "osq compare", n);
  const int line = sc->geo.enabled ? setting_line(sc->path, "resolution_deg") : 0;
  return osq_error_add(err, OSQ_ENOMEM, sc->path, line,
                       "%s needs about %s of memory (%s%d thread%s x %s; map and statistics %s) but the machine has "
                       "%s available (%s); nothing was run (expected %s; %s=N sets the MiB available, 0 turns the check off)",
                       what, s_need, s_raster, threads, threads > 1 ? "s" : "", s_thr, s_res, s_avail, src, advice,
                       OSQ_MEMORY_ENV);
}

int osq_memory_check(const osq_scenario_t *sc, int threads, osq_error_t *err) {
  return check(&sc, 1, threads, false, 0, err);
}

int osq_memory_check_compare(const osq_scenario_t *const *scs, int n, int threads, osq_error_t *err) {
  if (n < 1) return OSQ_OK; /* osq_run_compare refuses it with its own message */
  return check(scs, n, threads, true, 0, err);
}

int osq_memory_check_study(const osq_scenario_t *const *scs, int n, int threads, int64_t extra, osq_error_t *err) {
  if (n < 1) return OSQ_OK;
  return check(scs, n, threads, true, extra > 0 ? extra : 1, err);
}
