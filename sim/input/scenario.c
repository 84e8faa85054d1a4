/*
 * scenario.c owns loading and validating scenario files: the schema table, the generic walk that
 * checks every setting against it, the treaty and participation extraction, the semantic checks
 * (dates, quotas, codes), and the printed summaries of the schema and of a loaded scenario.
 *
 * Validation collects every problem of a file into the caller's osq_error_t before returning, so
 * a user fixes a file in one round trip, not one error at a time.
 */
#include "sim/input/scenario.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "models/quota.h"
#include "results/table.h"
#include "sim/input/geocheck.h"
#include "sim/input/geodata.h"
#include "sim/input/hash.h"
#include "sim/input/paths.h"

/* ------------------------------------------------------------------------------------------ */
/* The schema                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* K_INTARRAY: an array of integers [ ... ]; lo/hi bound each element, and the destination member
 * (given with SC, extracted by code) bounds the number of entries: size / sizeof(int). */
typedef enum { K_GROUP, K_LIST, K_INT, K_FLOAT, K_BOOL, K_STRING, K_DATE, K_STRARRAY, K_INTARRAY } kind_t;
typedef enum { D_NONE, D_I64, D_INT, D_U64, D_DOUBLE, D_BOOL, D_STR } dest_t;

typedef struct {
  const char *key;    /* dotted path; "*" stands for any element of a list */
  kind_t kind;
  double lo, hi;      /* inclusive range of numbers (and of string lengths) */
  bool required;
  const char *def;    /* default as shown and applied; NULL: none, or the model's default */
  const char *help;
  dest_t dest;        /* where a scalar setting is stored in osq_scenario_t (D_NONE: extracted by code) */
  size_t off, size;
} key_t_;

#define SC(member) D_NONE, offsetof(osq_scenario_t, member), sizeof(((osq_scenario_t *)0)->member)
#define ST(d, member) d, offsetof(osq_scenario_t, member), sizeof(((osq_scenario_t *)0)->member)
#define NOST D_NONE, 0, 0
#define TWO40 1099511627776.0
#define I63 9223372036854775807.0

static const key_t_ SCHEMA[] = {
    /* --- treaty data (scenarios/treaty.cfg) --- */
    {"treaty", K_GROUP, 0, 0, true, NULL, "the treaty data, normally @include \"treaty.cfg\"", NOST},
    {"treaty.parties", K_LIST, 1, OSQ_PARTIES_MAX, true, NULL, "quota holders that were ever States Parties", NOST},
    {"treaty.parties.*", K_GROUP, 0, 0, false, NULL, "one quota holder", NOST},
    {"treaty.parties.*.code", K_STRING, 2, 4, true, NULL, "ISO 3166 alpha-2, or RUBY / BNLX for the groups", NOST},
    {"treaty.parties.*.name", K_STRING, 1, OSQ_NAME_MAX - 1, true, NULL, "name", NOST},
    {"treaty.parties.*.members", K_STRARRAY, 1, OSQ_MEMBERS_MAX, true, NULL, "member states (ISO 3166 alpha-2)", NOST},
    {"treaty.parties.*.bloc", K_STRING, 1, 16, true, NULL, "\"NATO\", \"RU-BY\" or \"other\"", NOST},
    {"treaty.parties.*.nato_year", K_INT, 0, 2100, false, "0", "year of NATO accession, 0 if none", NOST},
    {"treaty.parties.*.passive_quota", K_INT, 0, 1000, true, NULL, "flights it must accept a year (Annex A Sec. I)", NOST},
    {"treaty.parties.*.quota_estimate", K_BOOL, 0, 0, false, "false", "true if no source gives the quota", NOST},
    {"treaty.parties.*.in_force", K_DATE, 0, 0, true, NULL, "entry into force for it, YYYY-MM-DD", NOST},
    {"treaty.parties.*.withdrawn", K_DATE, 0, 0, false, NULL, "day its withdrawal took effect", NOST},
    {"treaty.parties.*.area_km2", K_FLOAT, 1, 2e7, true, NULL, "reference land area, km2", NOST},
    {"treaty.parties.*.airfields", K_LIST, 1, OSQ_AIRFIELDS_MAX, true, NULL, "Open Skies airfields (Annex E)", NOST},
    {"treaty.parties.*.airfields.*", K_GROUP, 0, 0, false, NULL, "one airfield", NOST},
    {"treaty.parties.*.airfields.*.name", K_STRING, 1, OSQ_NAME_MAX - 1, true, NULL, "airfield name", NOST},
    {"treaty.parties.*.airfields.*.lat", K_FLOAT, -90, 90, true, NULL, "latitude, degrees north", NOST},
    {"treaty.parties.*.airfields.*.lon", K_FLOAT, -180, 180, true, NULL, "longitude, degrees east", NOST},
    {"treaty.parties.*.airfields.*.max_km", K_LIST, 1, OSQ_DIST_STEPS_MAX, true, NULL,
     "maximum flight distance steps (Annex A Sec. III)", NOST},
    {"treaty.parties.*.airfields.*.max_km.*", K_GROUP, 0, 0, false, NULL, "a distance from a day on", NOST},
    {"treaty.parties.*.airfields.*.max_km.*.from", K_DATE, 0, 0, true, NULL, "day the distance applies from", NOST},
    {"treaty.parties.*.airfields.*.max_km.*.km", K_FLOAT, 1, 20000, true, NULL, "maximum flight distance, km", NOST},

    {"treaty.aircraft", K_LIST, 0, OSQ_AIRCRAFT_MAX, false, NULL, "observation aircraft (docs/model.md 2.6)", NOST},
    {"treaty.aircraft.*", K_GROUP, 0, 0, false, NULL, "one aircraft or fleet", NOST},
    {"treaty.aircraft.*.name", K_STRING, 1, OSQ_NAME_MAX - 1, true, NULL, "its name", NOST},
    {"treaty.aircraft.*.operators", K_STRARRAY, 1, OSQ_PARTIES_MAX, true, NULL, "quota holders that may lead flights on it",
     NOST},
    {"treaty.aircraft.*.from", K_DATE, 0, 0, true, NULL, "first day in service", NOST},
    {"treaty.aircraft.*.until", K_DATE, 0, 0, false, NULL, "day it left service (none: still in service)", NOST},
    {"treaty.aircraft.*.missions", K_INT, 0, 366, true, NULL, "observation flights it can fly a year", NOST},

    /* --- simulation --- */
    {"simulation", K_GROUP, 0, 0, false, NULL, "what to simulate", NOST},
    {"simulation.name", K_STRING, 1, 63, false, NULL, "scenario name (default: the file's base name)", ST(D_STR, name)},
    {"simulation.trials", K_INT, 1, TWO40, false, "10000", "Monte Carlo trials", ST(D_I64, trials)},
    {"simulation.seed", K_INT, 0, I63, false, "20020101", "run seed (Philox key)", ST(D_U64, seed)},
    {"simulation.first_year", K_INT, 2002, 2100, false, "2019", "first simulated calendar year", ST(D_INT, first_year)},
    {"simulation.last_year", K_INT, 2002, 2100, false, NULL, "last simulated year (default: first_year)", ST(D_INT, last_year)},
    {"simulation.threads", K_INT, 0, 1024, false, "0", "OpenMP threads, 0 = all available", ST(D_INT, threads)},
    {"simulation.block_size", K_INT, 1, 1048576, false, "256", "trials per statistics block (fixes the merge order)",
     ST(D_I64, block_size)},

    /* --- participation changes --- */
    {"participation", K_LIST, 0, 64, false, NULL, "changes to the treaty's membership and quotas, applied in order", NOST},
    {"participation.*", K_GROUP, 0, 0, false, NULL, "one change", NOST},
    {"participation.*.party", K_STRING, 2, 4, true, NULL, "quota-holder code", NOST},
    {"participation.*.withdraw", K_DATE, 0, 0, false, NULL, "withdrawal takes effect on this day", NOST},
    {"participation.*.readmit", K_DATE, 0, 0, false, NULL, "in force again from this day", NOST},
    {"participation.*.passive_quota", K_INT, 0, 1000, false, NULL, "override the passive quota", NOST},

    /* --- model parameters (defaults: osq_model_params_default, docs/model.md) --- */
    {"model", K_GROUP, 0, 0, false, NULL, "model parameters", NOST},
    {"model.plan_fail_prob", K_FLOAT, 0, 1, false, NULL, "chance that no annual plan is agreed", ST(D_DOUBLE, model.plan_fail_prob)},
    {"model.phase_in_last_year", K_INT, 2001, 2100, false, NULL, "last year of the phase-in", ST(D_INT, model.phase_in_last_year)},
    {"model.phase_in_factor", K_FLOAT, 0, 1, false, NULL, "share of the passive quota accepted in the phase-in",
     ST(D_DOUBLE, model.phase_in_factor)},
    {"model.demand", K_FLOAT, 0, 1, false, NULL, "share of its own quota a party asks to fly", ST(D_DOUBLE, model.demand)},
    {"model.size_exponent", K_FLOAT, 0, 4, false, NULL, "target weight ~ passive_quota^x", ST(D_DOUBLE, model.size_exponent)},
    {"model.proximity_km", K_FLOAT, 0, 1e5, false, NULL, "target weight ~ exp(-distance/x), 0 = off", ST(D_DOUBLE, model.proximity_km)},
    {"model.share_prob", K_FLOAT, 0, 1, false, NULL, "chance a request is flown jointly", ST(D_DOUBLE, model.share_prob)},
    {"model.season_first_doy", K_INT, 1, 366, false, NULL, "first day of the flying season", ST(D_INT, model.season_first_doy)},
    {"model.season_last_doy", K_INT, 1, 366, false, NULL, "last day of the flying season", ST(D_INT, model.season_last_doy)},
    {"model.window_days", K_INT, 1, 90, false, NULL, "one flight per target in any window of this many days",
     ST(D_INT, model.window_days)},
    {"model.quarter_max", K_INT, 1, 92, false, NULL, "flights per target per quarter (Annex H)", ST(D_INT, model.quarter_max)},
    {"model.completion", K_FLOAT, 0, 1, false, NULL, "chance a scheduled flight is completed", ST(D_DOUBLE, model.completion)},
    {"model.reciprocity", K_BOOL, 0, 0, false, NULL, "serve requests matched by the target's own first (Art. III I 3)",
     ST(D_BOOL, model.reciprocity)},
    {"model.share_full_prob", K_FLOAT, 0, 1, false, NULL, "chance a request over a full target joins one of its flights",
     ST(D_DOUBLE, model.share_full_prob)},
    {"model.interest", K_GROUP, 0, 0, false, NULL, "interest weight, observer bloc x target bloc", NOST},
    {"model.interest.nato_nato", K_FLOAT, 0, 1e3, false, NULL, "NATO over NATO", ST(D_DOUBLE, model.interest[0][0])},
    {"model.interest.nato_ruby", K_FLOAT, 0, 1e3, false, NULL, "NATO over RU-BY", ST(D_DOUBLE, model.interest[0][1])},
    {"model.interest.nato_other", K_FLOAT, 0, 1e3, false, NULL, "NATO over other", ST(D_DOUBLE, model.interest[0][2])},
    {"model.interest.ruby_nato", K_FLOAT, 0, 1e3, false, NULL, "RU-BY over NATO", ST(D_DOUBLE, model.interest[1][0])},
    {"model.interest.ruby_ruby", K_FLOAT, 0, 1e3, false, NULL, "RU-BY over RU-BY", ST(D_DOUBLE, model.interest[1][1])},
    {"model.interest.ruby_other", K_FLOAT, 0, 1e3, false, NULL, "RU-BY over other", ST(D_DOUBLE, model.interest[1][2])},
    {"model.interest.other_nato", K_FLOAT, 0, 1e3, false, NULL, "other over NATO", ST(D_DOUBLE, model.interest[2][0])},
    {"model.interest.other_ruby", K_FLOAT, 0, 1e3, false, NULL, "other over RU-BY", ST(D_DOUBLE, model.interest[2][1])},
    {"model.interest.other_other", K_FLOAT, 0, 1e3, false, NULL, "other over other", ST(D_DOUBLE, model.interest[2][2])},
    {"model.no_plan_years", K_INTARRAY, 2002, 2100, false, "[]", "years without an agreed annual plan, e.g. [2018]",
     SC(model.no_plan_years)},
    {"model.aircraft", K_BOOL, 0, 0, false, NULL, "only parties with an aircraft lead flights (docs/model.md 2.6)",
     ST(D_BOOL, model.aircraft)},
    {"model.taxi_prob", K_FLOAT, 0, 1, false, NULL, "chance the observed party flies an observer that has no aircraft",
     ST(D_DOUBLE, model.taxi_prob)},
    {"model.years", K_LIST, 0, OSQ_YEAR_PARAMS_MAX, false, NULL, "per-year parameters (docs/model.md 2.3)", NOST},
    {"model.years.*", K_GROUP, 0, 0, false, NULL, "the parameters of one year", NOST},
    {"model.years.*.year", K_INT, 2002, 2100, true, NULL, "the calendar year", NOST},
    {"model.years.*.demand_factor", K_FLOAT, 0, 2, false, NULL, "factor on every party's demand that year", NOST},
    {"model.years.*.share_prob", K_FLOAT, 0, 1, false, NULL, "its chance a request is flown jointly", NOST},
    {"model.years.*.completion", K_FLOAT, 0, 1, false, NULL, "its completion chance", NOST},
    {"model.years.*.season_first_doy", K_INT, 1, 366, false, NULL, "its first day of flights (213 = 1 Aug)", NOST},
    {"model.years.*.season_last_doy", K_INT, 1, 366, false, NULL, "its last day of flights", NOST},
    {"model.pauses", K_LIST, 0, OSQ_PAUSES_MAX, false, NULL, "days without quota flights (docs/model.md 2.5)", NOST},
    {"model.pauses.*", K_GROUP, 0, 0, false, NULL, "one pause", NOST},
    {"model.pauses.*.from", K_DATE, 0, 0, true, NULL, "first day without flights", NOST},
    {"model.pauses.*.until", K_DATE, 0, 0, true, NULL, "last day without flights", NOST},
    {"model.pairs", K_LIST, 0, 256, false, NULL, "per-pair interest (docs/model.md 2.3)", NOST},
    {"model.pairs.*", K_GROUP, 0, 0, false, NULL, "one observer over one target", NOST},
    {"model.pairs.*.observer", K_STRING, 2, 4, true, NULL, "observer code", NOST},
    {"model.pairs.*.observed", K_STRING, 2, 4, true, NULL, "target code", NOST},
    {"model.pairs.*.interest", K_FLOAT, 0, 1e3, true, NULL, "factor on the observer's interest in the target", NOST},
    {"model.pairs.*.from_year", K_INT, 2002, 2100, false, "2002", "first year it applies", NOST},
    {"model.pairs.*.until_year", K_INT, 2002, 2100, false, "2100", "last year it applies", NOST},
    {"model.parties", K_LIST, 0, OSQ_PARTIES_MAX, false, NULL, "per-party parameters", NOST},
    {"model.parties.*", K_GROUP, 0, 0, false, NULL, "parameters of one party", NOST},
    {"model.parties.*.party", K_STRING, 2, 4, true, NULL, "quota-holder code", NOST},
    {"model.parties.*.demand", K_FLOAT, 0, 1, false, NULL, "its demand share", NOST},
    {"model.parties.*.interest", K_FLOAT, 0, 1e3, false, NULL, "its attractiveness as a target (factor)", NOST},
    {"model.parties.*.completion", K_FLOAT, 0, 1, false, NULL, "completion chance of flights it leads", NOST},
    {"model.parties.*.accepts", K_BOOL, 0, 0, false, NULL, "false: takes no part in the distribution", NOST},
    {"model.parties.*.interest_nato", K_FLOAT, 0, 1e3, false, NULL, "its own interest in NATO targets", NOST},
    {"model.parties.*.interest_ruby", K_FLOAT, 0, 1e3, false, NULL, "its own interest in RU-BY targets", NOST},
    {"model.parties.*.interest_other", K_FLOAT, 0, 1e3, false, NULL, "its own interest in other targets", NOST},

    /* --- fitted defaults (scenarios/fitted.cfg, written by osq calibrate; docs/model.md section 6) --- */
    {"fitted", K_GROUP, 0, 0, false, NULL, "fitted model defaults, applied before model (@include \"fitted.cfg\")", NOST},
    {"fitted.source", K_STRING, 1, 1023, false, NULL, "the command that wrote them", NOST},
    {"fitted.model", K_GROUP, 0, 0, false, NULL, "model parameters, as in model (the scenario's model wins)", NOST},

    /* --- geography (docs/geography.md) --- */
    {"geo", K_GROUP, 0, 0, false, NULL, "territories, routes, imaging", NOST},
    {"geo.enabled", K_BOOL, 0, 0, false, "true", "false: quota model only, no coverage metrics", ST(D_BOOL, geo.enabled)},
    {"geo.trials", K_INT, 0, TWO40, false, "0",
     "geography for about N trials, every k-th (its rows say n); 0 = every trial", ST(D_I64, geo.trials)},
    {"geo.boundaries", K_STRING, 1, OSQ_PATH_MAX - 1, false, NULL,
     "TopoJSON of the territories, relative to the scenario (default: data/countries-50m.json)", NOST},
    {"geo.resolution_deg", K_FLOAT, 0.05, 5, false, "0.1", "raster cell size, degrees", ST(D_DOUBLE, geo.resolution_deg)},
    {"geo.swath_half_km", K_FLOAT, 0.1, 50, false, "25", "imaged half-width each side of the track (treaty cap 50 km)",
     ST(D_DOUBLE, geo.swath_half_km)},
    {"geo.route_sites", K_INT, 1, 32, false, "5", "sites of interest a route tries to visit", ST(D_INT, geo.route_sites)},
    {"geo.site_km2", K_FLOAT, 1000, 1e7, false, "50000", "one synthetic site per this many km2", ST(D_DOUBLE, geo.site_km2)},
    {"geo.sites_min", K_INT, 1, 1000, false, "5", "at least this many sites per party", ST(D_INT, geo.sites_min)},
    {"geo.buildups", K_INT, 0, 16, false, "4", "build-up events per party and year", ST(D_INT, geo.buildups)},
    {"geo.buildup_days", K_INT, 1, 366, false, "30", "duration of a build-up, days", ST(D_INT, geo.buildup_days)},
    {"geo.nofly_km", K_FLOAT, 0, 200, false, "10", "distance kept from a non-party's border (Art. VI II 2)",
     ST(D_DOUBLE, geo.nofly_km)},
    {"geo.sublimits", K_LIST, 0, OSQ_SUBLIMITS_MAX, false, NULL, "regions with their own distance limit", NOST},
    {"geo.sublimits.*", K_GROUP, 0, 0, false, NULL, "one region", NOST},
    {"geo.sublimits.*.party", K_STRING, 2, 4, true, NULL, "quota-holder code", NOST},
    {"geo.sublimits.*.lat_min", K_FLOAT, -90, 90, true, NULL, "box south edge", NOST},
    {"geo.sublimits.*.lat_max", K_FLOAT, -90, 90, true, NULL, "box north edge", NOST},
    {"geo.sublimits.*.lon_min", K_FLOAT, -180, 180, true, NULL, "box west edge", NOST},
    {"geo.sublimits.*.lon_max", K_FLOAT, -180, 180, true, NULL, "box east edge", NOST},
    {"geo.sublimits.*.max_km", K_FLOAT, 0, 20000, true, NULL, "km a route may fly inside the box", NOST},
    {"geo.sublimits.*.from", K_DATE, 0, 0, true, NULL, "first day it applies", NOST},
    {"geo.sublimits.*.until", K_DATE, 0, 0, true, NULL, "first day it no longer applies", NOST},

    /* --- outputs --- */
    {"output", K_GROUP, 0, 0, false, NULL, "what to write", NOST},
    {"output.dir", K_STRING, 1, OSQ_PATH_MAX - 1, false, NULL, "result directory (default: out/NAME)", ST(D_STR, out_dir)},
    {"output.formats", K_STRARRAY, 1, OSQ_FMT_COUNT, false, "[\"csv\", \"json\"]", "csv, json, md, tex", NOST},
    {"output.flight_log", K_STRING, 1, OSQ_PATH_MAX - 1, false, NULL, "per-flight CSV log (default: none)", ST(D_STR, flight_log)},
    {"output.flight_log_trials", K_INT, 0, 1000000, false, "10", "trials written to the flight log",
     ST(D_I64, flight_log_trials)},
    {"output.map", K_BOOL, 0, 0, false, "true", "write map.png and map.csv (needs geo.enabled)", ST(D_BOOL, map)},
    {"output.map_grid_deg", K_FLOAT, 0.1, 10, false, "0.5", "cell size of map.csv, degrees", ST(D_DOUBLE, map_grid_deg)},
};
#define N_SCHEMA (sizeof SCHEMA / sizeof SCHEMA[0])

/* ------------------------------------------------------------------------------------------ */
/* Load context                                                                                */
/* ------------------------------------------------------------------------------------------ */

#define MAX_SRC_FILES 16

typedef struct {
  char path[OSQ_PATH_MAX];
  char *text;                                  /* whole file, NUL-terminated */
  size_t len;
} src_file_t;

/* Where each line of the composed text (below) came from: from composed line `cline` on, line
 * `line` of file names[name] and the lines after it. */
typedef struct {
  int cline, line, name;
} seg_t;

#define INCLUDE_NAMES_MAX 64 /* distinct files in one scenario's include tree (INCLUDE_FILES_MAX) */

typedef struct {
  osq_error_t *err;
  const char *main_path;
  char include_dir[OSQ_PATH_MAX];
  osq_dirs_t search;                           /* @include folders after include_dir (paths.h) */
  src_file_t files[MAX_SRC_FILES];
  int n_files;
  /* The scenario with every @include line replaced by the text of the file it names, which is
   * what libconfig reads: libconfig 1.5 has one include folder, osq looks in several. */
  char *text;
  size_t len, cap;
  int lines;                                   /* composed lines so far, the first is 1 */
  seg_t *segs;
  int n_segs, segs_cap;
  char *names[INCLUDE_NAMES_MAX + 1];          /* files as messages name them */
  int n_names;
  bool too_big;                                /* the composed text reached COMPOSED_MAX_BYTES */
} ctx_t;

/* The segment that holds line cl of the composed text; NULL before the first. */
static const seg_t *seg_of(const ctx_t *c, int cl) {
  int lo = 0, hi = c->n_segs - 1;
  const seg_t *hit = NULL;
  while (lo <= hi) {
    const int mid = lo + (hi - lo) / 2;
    if (c->segs[mid].cline <= cl) {
      hit = &c->segs[mid];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return hit;
}

/* Line cl of the composed text as messages name it: the file (as the user can open it) and its
 * line there. Line 0 (libconfig's root) is the scenario's. */
static const char *composed_file(const ctx_t *c, int cl) {
  const seg_t *g = cl > 0 ? seg_of(c, cl) : NULL;
  return g ? c->names[g->name] : c->main_path;
}

static int composed_line(const ctx_t *c, int cl) {
  const seg_t *g = cl > 0 ? seg_of(c, cl) : NULL;
  return g ? g->line + (cl - g->cline) : 0;
}

static const char *src_file(ctx_t *c, const config_setting_t *s) {
  return composed_file(c, (int)config_setting_source_line(s));
}

static int src_line(ctx_t *c, const config_setting_t *s) {
  return composed_line(c, (int)config_setting_source_line(s));
}

#define ERR_AT(c, s, ...) osq_error_add((c)->err, OSQ_ECONFIG, src_file((c), (s)), src_line((c), (s)), __VA_ARGS__)

static const src_file_t *load_src(ctx_t *c, const char *path) {
  for (int i = 0; i < c->n_files; i++)
    if (strcmp(c->files[i].path, path) == 0) return &c->files[i];
  if (c->n_files == MAX_SRC_FILES) return NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  src_file_t *sf = &c->files[c->n_files];
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (cap - len - 1 == 0) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf) return NULL;
  buf[len] = '\0';
  snprintf(sf->path, sizeof sf->path, "%s", path);
  sf->text = buf;
  sf->len = len;
  c->n_files++;
  return sf;
}

static void free_srcs(ctx_t *c) {
  for (int i = 0; i < c->n_files; i++) free(c->files[i].text);
  c->n_files = 0;
  for (int i = 0; i < c->n_names; i++) free(c->names[i]);
  c->n_names = 0;
  free(c->text);
  free(c->segs);
  c->text = NULL;
  c->segs = NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Schema helpers                                                                              */
/* ------------------------------------------------------------------------------------------ */

static const key_t_ *schema_find(const char *pattern) {
  for (size_t i = 0; i < N_SCHEMA; i++)
    if (strcmp(SCHEMA[i].key, pattern) == 0) return &SCHEMA[i];
  return NULL;
}

/* Levenshtein distance of two short names, for "did you mean". */
static int edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 99;
  int prev[64], cur[64];
  for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
      int del = prev[j] + 1, ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
    }
    memcpy(prev, cur, sizeof(int) * (lb + 1));
  }
  return prev[lb];
}

/* The closest known key under the same parent pattern, or NULL. */
static const char *suggest(const char *parent, const char *name) {
  const char *best = NULL;
  int best_d = 3;
  size_t lp = strlen(parent);
  for (size_t i = 0; i < N_SCHEMA; i++) {
    const char *k = SCHEMA[i].key;
    if (lp ? (strncmp(k, parent, lp) != 0 || k[lp] != '.') : strchr(k, '.') != NULL) continue;
    const char *leaf = k + (lp ? lp + 1 : 0);
    if (strchr(leaf, '.') || strcmp(leaf, "*") == 0) continue;
    int d = edit_distance(name, leaf);
    if (d < best_d) {
      best_d = d;
      best = leaf;
    }
  }
  return best;
}

static const char *kind_name(kind_t k) {
  switch (k) {
    case K_GROUP: return "a group { ... }";
    case K_LIST: return "a list ( ... )";
    case K_INT: return "an integer";
    case K_FLOAT: return "a number";
    case K_BOOL: return "true or false";
    case K_STRING: return "a string";
    case K_DATE: return "a date \"YYYY-MM-DD\"";
    case K_STRARRAY: return "an array of strings [ ... ]";
    case K_INTARRAY: return "an array of integers [ ... ]";
  }
  return "?";
}

void osq_config_describe(const config_setting_t *s, char *buf, size_t n) {
  switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: snprintf(buf, n, "%d", config_setting_get_int(s)); break;
    case CONFIG_TYPE_INT64: snprintf(buf, n, "%lld", config_setting_get_int64(s)); break;
    case CONFIG_TYPE_FLOAT: snprintf(buf, n, "%g", config_setting_get_float(s)); break;
    case CONFIG_TYPE_BOOL: snprintf(buf, n, "%s", config_setting_get_bool(s) ? "true" : "false"); break;
    case CONFIG_TYPE_STRING: snprintf(buf, n, "\"%.60s\"", config_setting_get_string(s)); break;
    case CONFIG_TYPE_GROUP: snprintf(buf, n, "a group"); break;
    case CONFIG_TYPE_LIST: snprintf(buf, n, "a list"); break;
    case CONFIG_TYPE_ARRAY: snprintf(buf, n, "an array"); break;
    default: snprintf(buf, n, "nothing"); break;
  }
}

static void fmt_bound(double v, char *buf, size_t n) {
  if (v == TWO40) snprintf(buf, n, "2^40");
  else if (v >= I63) snprintf(buf, n, "2^63-1");
  else snprintf(buf, n, "%.15g", v);
}

/*
 * libconfig 1.5 parses an integer literal of 2^31 or more without an L suffix as a 32-bit INT
 * and silently truncates it (10000000000 becomes 1410065408). The value is lost by then, so read
 * the literal back from the source line and compare.
 */
bool osq_config_truncated_literal(const char *text, int line, const config_setting_t *s, long long *literal) {
  const char *name = config_setting_name(s);
  if (!text || !name) return false;
  const char *p = text;
  for (int l = 1; l < line && p; l++) {
    p = strchr(p, '\n');
    if (p) p++;
  }
  if (!p) return false;
  const char *eol = strchr(p, '\n');
  size_t ln = strlen(name);
  for (const char *q = p; *q && (!eol || q < eol); q++) {
    if (strncmp(q, name, ln) != 0) continue;
    if (q > p && (q[-1] == '_' || (q[-1] >= 'a' && q[-1] <= 'z') || (q[-1] >= 'A' && q[-1] <= 'Z'))) continue;
    const char *v = q + ln;
    while (*v == ' ' || *v == '\t') v++;
    if (*v != '=' && *v != ':') continue;
    v++;
    while (*v == ' ' || *v == '\t') v++;
    errno = 0;
    char *end;
    long long lit = strtoll(v, &end, 0);
    if (end == v) return false;
    if (errno == ERANGE || lit != (long long)config_setting_get_int(s)) {
      *literal = lit;
      return true;
    }
    return false;
  }
  return false;
}

static bool truncated_literal(ctx_t *c, const config_setting_t *s, long long *literal) {
  const src_file_t *sf = load_src(c, src_file(c, s));
  return sf && osq_config_truncated_literal(sf->text, src_line(c, s), s, literal);
}

/* ------------------------------------------------------------------------------------------ */
/* The walk: every setting against the schema                                                 */
/* ------------------------------------------------------------------------------------------ */

static void walk_group(ctx_t *c, const config_setting_t *g, const char *pattern, const char *display);

static void check_required(ctx_t *c, const config_setting_t *g, const char *pattern, const char *display) {
  size_t lp = strlen(pattern);
  for (size_t i = 0; i < N_SCHEMA; i++) {
    const key_t_ *k = &SCHEMA[i];
    if (!k->required) continue;
    const char *leaf;
    if (lp == 0) {
      if (strchr(k->key, '.')) continue;
      leaf = k->key;
    } else {
      if (strncmp(k->key, pattern, lp) != 0 || k->key[lp] != '.') continue;
      leaf = k->key + lp + 1;
      if (strchr(leaf, '.')) continue;
    }
    if (!config_setting_get_member(g, leaf))
      ERR_AT(c, g, "%s%s%s is missing (expected %s: %s)", display, lp ? "." : "", leaf, kind_name(k->kind), k->help);
  }
}

static void check_value(ctx_t *c, const config_setting_t *s, const key_t_ *k, const char *pattern,
                        const char *display) {
  char got[96], lo[32], hi[32];
  const int type = config_setting_type(s);
  osq_config_describe(s, got, sizeof got);
  switch (k->kind) {
    case K_GROUP:
      if (type != CONFIG_TYPE_GROUP) {
        ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
        return;
      }
    {
      /* fitted.model holds what model may hold, checked by model's keys */
      const char *schema = strcmp(pattern, "fitted.model") == 0 ? "model" : pattern;
      walk_group(c, s, schema, display);
      check_required(c, s, schema, display);
      return;
    }
    case K_LIST: {
      if (type != CONFIG_TYPE_LIST && !(type == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)) {
        ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
        return;
      }
      int n = config_setting_length(s);
      if (n < k->lo || n > k->hi)
        ERR_AT(c, s, "%s has %d entries (expected %g to %g)", display, n, k->lo, k->hi);
      char epat[256], edisp[256];
      snprintf(epat, sizeof epat, "%s.*", pattern);
      const key_t_ *ek = schema_find(epat);
      for (int i = 0; i < n && i < (int)k->hi; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        snprintf(edisp, sizeof edisp, "%s[%d]", display, i);
        if (ek) check_value(c, e, ek, epat, edisp);
      }
      return;
    }
    case K_INT: {
      if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
        ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
        return;
      }
      long long lit;
      if (type == CONFIG_TYPE_INT && truncated_literal(c, s, &lit)) {
        ERR_AT(c, s,
               "%s: the literal does not fit in 32 bits and libconfig 1.5 reads it as %d (expected a value below "
               "2^31, or the same number with an L suffix, e.g. %lldL)",
               display, config_setting_get_int(s), lit);
        return;
      }
      long long v = config_setting_get_int64(s);
      if ((double)v < k->lo || (double)v > k->hi) {
        fmt_bound(k->lo, lo, sizeof lo);
        fmt_bound(k->hi, hi, sizeof hi);
        ERR_AT(c, s, "%s = %lld is out of range (expected an integer in [%s, %s])", display, v, lo, hi);
      }
      return;
    }
    case K_FLOAT: {
      double v;
      if (type == CONFIG_TYPE_FLOAT) v = config_setting_get_float(s);
      else if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) v = (double)config_setting_get_int64(s);
      else {
        ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
        return;
      }
      if (!isfinite(v) || v < k->lo || v > k->hi) {
        fmt_bound(k->lo, lo, sizeof lo);
        fmt_bound(k->hi, hi, sizeof hi);
        ERR_AT(c, s, "%s = %g is out of range (expected a number in [%s, %s])", display, v, lo, hi);
      }
      return;
    }
    case K_BOOL:
      if (type != CONFIG_TYPE_BOOL) ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
      return;
    case K_STRING:
    case K_DATE: {
      if (type != CONFIG_TYPE_STRING) {
        ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
        return;
      }
      const char *v = config_setting_get_string(s);
      if (k->kind == K_DATE) {
        osq_day_t d;
        if (osq_date_parse(v, &d) != OSQ_OK)
          ERR_AT(c, s, "%s = \"%s\" is not a valid date (expected \"YYYY-MM-DD\", a real calendar day)", display, v);
      } else {
        size_t len = strlen(v);
        if ((double)len < k->lo || (double)len > k->hi)
          ERR_AT(c, s, "%s = \"%.60s\" has %zu characters (expected %g to %g)", display, v, len, k->lo, k->hi);
      }
      return;
    }
    case K_STRARRAY: {
      if (type != CONFIG_TYPE_ARRAY) {
        ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
        return;
      }
      int n = config_setting_length(s);
      if (n < k->lo || n > k->hi) {
        ERR_AT(c, s, "%s has %d entries (expected %g to %g)", display, n, k->lo, k->hi);
        return;
      }
      for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
          osq_config_describe(e, got, sizeof got);
          ERR_AT(c, s, "%s[%d] must be a string (got %s)", display, i, got);
          return;
        }
      }
      return;
    }
    case K_INTARRAY: {
      if (type != CONFIG_TYPE_ARRAY && !(type == CONFIG_TYPE_LIST && config_setting_length(s) == 0)) {
        ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
        return;
      }
      const int n = config_setting_length(s), max = (int)(k->size / sizeof(int));
      if (n > max) {
        ERR_AT(c, s, "%s has %d entries (expected 0 to %d)", display, n, max);
        return;
      }
      fmt_bound(k->lo, lo, sizeof lo);
      fmt_bound(k->hi, hi, sizeof hi);
      for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const int et = config_setting_type(e);
        if (et != CONFIG_TYPE_INT && et != CONFIG_TYPE_INT64) {
          osq_config_describe(e, got, sizeof got);
          ERR_AT(c, s, "%s[%d] must be an integer (got %s)", display, i, got);
          continue;
        }
        const long long v = config_setting_get_int64(e);
        if ((double)v < k->lo || (double)v > k->hi) {
          ERR_AT(c, s, "%s[%d] = %lld is out of range (expected an integer in [%s, %s])", display, i, v, lo, hi);
          continue;
        }
        for (int j = 0; j < i; j++)
          if (config_setting_get_int64(config_setting_get_elem(s, (unsigned)j)) == v) {
            ERR_AT(c, s, "%s[%d] = %lld repeats %s[%d] (expected each value once)", display, i, v, display, j);
            break;
          }
      }
      return;
    }
  }
}

static void walk_group(ctx_t *c, const config_setting_t *g, const char *pattern, const char *display) {
  int n = config_setting_length(g);
  for (int i = 0; i < n; i++) {
    const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
    const char *name = config_setting_name(s);
    char cpat[256], cdisp[256];
    snprintf(cpat, sizeof cpat, "%s%s%s", pattern, *pattern ? "." : "", name);
    snprintf(cdisp, sizeof cdisp, "%s%s%s", display, *display ? "." : "", name);
    const key_t_ *k = schema_find(cpat);
    if (!k) {
      const char *sug = suggest(pattern, name);
      if (sug)
        ERR_AT(c, s, "unknown setting '%s' (did you mean '%s'?)", cdisp, sug);
      else
        ERR_AT(c, s, "unknown setting '%s' (expected one of the keys listed by osq --help-scenario)", cdisp);
      continue;
    }
    check_value(c, s, k, cpat, cdisp);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Typed getters for extraction (run after the walk; they skip values the walk rejected)      */
/* ------------------------------------------------------------------------------------------ */

static bool get_str(const config_setting_t *g, const char *name, const char **out) {
  const config_setting_t *s = config_setting_get_member(g, name);
  if (!s || config_setting_type(s) != CONFIG_TYPE_STRING) return false;
  *out = config_setting_get_string(s);
  return true;
}

static bool get_i64(const config_setting_t *g, const char *name, long long *out) {
  const config_setting_t *s = config_setting_get_member(g, name);
  if (!s) return false;
  int t = config_setting_type(s);
  if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) return false;
  *out = config_setting_get_int64(s);
  return true;
}

static bool get_num(const config_setting_t *g, const char *name, double *out) {
  const config_setting_t *s = config_setting_get_member(g, name);
  if (!s) return false;
  int t = config_setting_type(s);
  if (t == CONFIG_TYPE_FLOAT) *out = config_setting_get_float(s);
  else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) *out = (double)config_setting_get_int64(s);
  else return false;
  return isfinite(*out);
}

static bool get_bool(const config_setting_t *g, const char *name, bool *out) {
  const config_setting_t *s = config_setting_get_member(g, name);
  if (!s || config_setting_type(s) != CONFIG_TYPE_BOOL) return false;
  *out = config_setting_get_bool(s) != 0;
  return true;
}

static bool get_date(const config_setting_t *g, const char *name, osq_day_t *out) {
  const char *v;
  return get_str(g, name, &v) && osq_date_parse(v, out) == OSQ_OK;
}

static bool is_code(const char *s, size_t lo, size_t hi) {
  size_t n = strlen(s);
  if (n < lo || n > hi) return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < 'A' || s[i] > 'Z') return false;
  return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Treaty extraction and semantic checks                                                       */
/* ------------------------------------------------------------------------------------------ */

static void load_airfield(ctx_t *c, const config_setting_t *a, const char *disp, osq_airfield_t *af) {
  const char *name = "";
  if (get_str(a, "name", &name) && strpbrk(name, ",\"\n"))
    ERR_AT(c, config_setting_get_member(a, "name"),
           "%s.name = \"%s\" holds a comma or a quote (expected a plain name: it is a CSV field of the flight log)", disp,
           name);
  snprintf(af->name, sizeof af->name, "%s", name);
  get_num(a, "lat", &af->lat);
  get_num(a, "lon", &af->lon);
  const config_setting_t *steps = config_setting_get_member(a, "max_km");
  af->n_steps = 0;
  if (!steps || config_setting_type(steps) != CONFIG_TYPE_LIST) return;
  int n = config_setting_length(steps);
  for (int i = 0; i < n && af->n_steps < OSQ_DIST_STEPS_MAX; i++) {
    const config_setting_t *st = config_setting_get_elem(steps, (unsigned)i);
    osq_distance_step_t step = {0, 0.0};
    if (!get_date(st, "from", &step.from) || !get_num(st, "km", &step.km)) continue;
    if (af->n_steps > 0 && step.from <= af->steps[af->n_steps - 1].from) {
      char a1[11], a2[11];
      osq_date_format(step.from, a1);
      osq_date_format(af->steps[af->n_steps - 1].from, a2);
      ERR_AT(c, st, "%s.max_km[%d].from = \"%s\" is not after the previous step's \"%s\" (expected steps in date order)",
             disp, i, a1, a2);
      continue;
    }
    af->steps[af->n_steps++] = step;
  }
}

static void load_party(ctx_t *c, const config_setting_t *g, int idx, osq_party_t *p) {
  char disp[64];
  snprintf(disp, sizeof disp, "treaty.parties[%d]", idx);
  memset(p, 0, sizeof *p);
  const char *s;
  if (get_str(g, "code", &s)) {
    snprintf(p->code, sizeof p->code, "%s", s);
    if (!is_code(s, 2, 4))
      ERR_AT(c, config_setting_get_member(g, "code"),
             "%s.code = \"%s\" is not a quota-holder code (expected 2 to 4 capital letters, e.g. \"DE\" or \"RUBY\")",
             disp, s);
  }
  if (get_str(g, "name", &s)) snprintf(p->name, sizeof p->name, "%s", s);
  const config_setting_t *m = config_setting_get_member(g, "members");
  if (m && config_setting_type(m) == CONFIG_TYPE_ARRAY) {
    int n = config_setting_length(m);
    for (int i = 0; i < n && i < OSQ_MEMBERS_MAX; i++) {
      const char *ms = config_setting_get_string_elem(m, (unsigned)i);
      if (!ms) continue;
      if (!is_code(ms, 2, 2)) {
        ERR_AT(c, m, "%s.members[%d] = \"%s\" is not an ISO 3166 alpha-2 code (expected two capital letters)", disp, i,
               ms);
        continue;
      }
      memcpy(p->members[p->n_members++], ms, 3);
    }
  }
  if (get_str(g, "bloc", &s) && osq_bloc_parse(s, &p->bloc) != OSQ_OK)
    ERR_AT(c, config_setting_get_member(g, "bloc"), "%s.bloc = \"%s\" is not a bloc (expected \"NATO\", \"RU-BY\" or \"other\")",
           disp, s);
  long long v;
  if (get_i64(g, "nato_year", &v)) {
    p->nato_year = (int)v;
    if (v != 0 && v < 1949)
      ERR_AT(c, config_setting_get_member(g, "nato_year"),
             "%s.nato_year = %lld is before NATO existed (expected 0 or a year from 1949)", disp, v);
  }
  if (get_i64(g, "passive_quota", &v)) p->passive_quota = (int)v;
  get_bool(g, "quota_estimate", &p->quota_estimate);
  get_num(g, "area_km2", &p->area_km2);
  osq_day_t from = 0, until = OSQ_DAY_NEVER;
  get_date(g, "in_force", &from);
  if (get_date(g, "withdrawn", &until) && until <= from) {
    char a1[11], a2[11];
    osq_date_format(until, a1);
    osq_date_format(from, a2);
    ERR_AT(c, config_setting_get_member(g, "withdrawn"),
           "%s (%s): withdrawal %s is not after entry into force %s (expected a later date)", disp, p->code, a1, a2);
  }
  p->n_terms = 1;
  p->terms[0].from = from;
  p->terms[0].until = until;
  const config_setting_t *afs = config_setting_get_member(g, "airfields");
  if (afs && config_setting_type(afs) == CONFIG_TYPE_LIST) {
    int n = config_setting_length(afs);
    for (int i = 0; i < n && i < OSQ_AIRFIELDS_MAX; i++) {
      char adisp[96];
      snprintf(adisp, sizeof adisp, "%s.airfields[%d]", disp, i);
      const config_setting_t *a = config_setting_get_elem(afs, (unsigned)i);
      osq_airfield_t *af = &p->airfields[p->n_airfields++];
      load_airfield(c, a, adisp, af);
      double km;
      if (p->n_members > 0 && fabs(af->lat) <= 90.0 && fabs(af->lon) <= 180.0 && osq_geocheck_outside_km(p->members, p->n_members, af->lat, af->lon, &km) == 0 &&
          km > OSQ_GEOCHECK_TOLERANCE_KM)
        ERR_AT(c, a, "%s (%s, %s) at %.4f, %.4f is %.0f km outside the territory of %s (expected a position within %d km)",
               adisp, p->code, af->name, af->lat, af->lon, km, p->code, OSQ_GEOCHECK_TOLERANCE_KM);
    }
  }
}

/* treaty.aircraft, after the parties: operator codes to party bits. */
static void load_aircraft(ctx_t *c, const config_t *cfg, osq_treaty_t *t) {
  const config_setting_t *list = config_lookup(cfg, "treaty.aircraft");
  if (!list || config_setting_type(list) != CONFIG_TYPE_LIST) return;
  const int n = config_setting_length(list);
  for (int i = 0; i < n && t->n_aircraft < OSQ_AIRCRAFT_MAX; i++) {
    const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
    const char *name;
    long long missions;
    osq_day_t from, until = OSQ_DAY_NEVER;
    const config_setting_t *ops = config_setting_get_member(g, "operators");
    if (!get_str(g, "name", &name) || !get_i64(g, "missions", &missions) || !get_date(g, "from", &from) || !ops ||
        config_setting_type(ops) != CONFIG_TYPE_ARRAY)
      continue;
    if (get_date(g, "until", &until) && until <= from) {
      ERR_AT(c, config_setting_get_member(g, "until"), "treaty.aircraft[%d].until is not after its from (expected a "
             "later day)", i);
      continue;
    }
    osq_aircraft_t *a = &t->aircraft[t->n_aircraft];
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", name);
    a->from = from;
    a->until = until;
    a->missions = (int)missions;
    const int m = config_setting_length(ops);
    for (int k = 0; k < m; k++) {
      const char *code = config_setting_get_string_elem(ops, (unsigned)k);
      const int p = code ? osq_treaty_find(t, code) : -1;
      if (p < 0) ERR_AT(c, ops, "treaty.aircraft[%d].operators[%d] = \"%s\" is not a quota holder of the treaty", i, k,
                        code ? code : "?");
      else a->operators |= UINT64_C(1) << p;
    }
    t->n_aircraft++;
  }
}

static void load_treaty(ctx_t *c, const config_t *cfg, osq_treaty_t *t) {
  memset(t, 0, sizeof *t);
  const config_setting_t *parties = config_lookup(cfg, "treaty.parties");
  if (!parties || config_setting_type(parties) != CONFIG_TYPE_LIST) return;
  int n = config_setting_length(parties);
  for (int i = 0; i < n && i < OSQ_PARTIES_MAX; i++) {
    const config_setting_t *g = config_setting_get_elem(parties, (unsigned)i);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) continue;
    osq_party_t *p = &t->parties[t->n_parties];
    load_party(c, g, i, p);
    if (p->code[0] && osq_treaty_find(t, p->code) >= 0) {
      int first = osq_treaty_find(t, p->code);
      ERR_AT(c, config_setting_get_member(g, "code"),
             "treaty.parties[%d].code = \"%s\" is a duplicate of treaty.parties[%d] (expected unique codes)", i, p->code,
             first);
    }
    t->n_parties++;
  }
  load_aircraft(c, cfg, t);
}

static void load_geo(ctx_t *c, const config_t *cfg, osq_scenario_t *sc) {
  /* The geography rasterises the member states from the boundary table of sim/input/geodata.c, which
   * holds the 34 States Parties: a member state outside it would fail only when a run sets up
   * its geography (osq check would pass it). Refuse it here, at its line. */
  const config_setting_t *parties = config_lookup(cfg, "treaty.parties");
  const int np = sc->geo.enabled && parties && config_setting_type(parties) == CONFIG_TYPE_LIST
                     ? config_setting_length(parties)
                     : 0;
  for (int i = 0; i < np && i < OSQ_PARTIES_MAX; i++) {
    const config_setting_t *g = config_setting_get_elem(parties, (unsigned)i);
    const config_setting_t *m = g ? config_setting_get_member(g, "members") : NULL;
    const int n = m && config_setting_type(m) == CONFIG_TYPE_ARRAY ? config_setting_length(m) : 0;
    for (int k = 0; k < n && k < OSQ_MEMBERS_MAX; k++) {
      const char *ms = config_setting_get_string_elem(m, (unsigned)k);
      if (ms && is_code(ms, 2, 2) && !osq_geodata_state(ms))
        ERR_AT(c, m,
               "treaty.parties[%d].members[%d] = \"%s\" is not a State Party whose territory osq knows (expected one "
               "of the %d States Parties of docs/geography.md, or geo.enabled = false)",
               i, k, ms, OSQ_GEODATA_STATES);
    }
  }
  const config_setting_t *list = config_lookup(cfg, "geo.sublimits");
  if (list && config_setting_type(list) == CONFIG_TYPE_LIST) {
    int n = config_setting_length(list);
    for (int i = 0; i < n && sc->geo.n_sublimits < OSQ_SUBLIMITS_MAX; i++) {
      const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
      const char *code;
      osq_sublimit_t sl;
      memset(&sl, 0, sizeof sl);
      if (!get_str(g, "party", &code)) continue;
      sl.party = osq_treaty_find(&sc->treaty, code);
      if (sl.party < 0) {
        ERR_AT(c, config_setting_get_member(g, "party"),
               "geo.sublimits[%d].party = \"%s\" is not a quota holder of the treaty (expected a code such as \"RUBY\")",
               i, code);
        continue;
      }
      bool ok = get_num(g, "lat_min", &sl.box.lat_min) && get_num(g, "lat_max", &sl.box.lat_max) &&
                get_num(g, "lon_min", &sl.box.lon_min) && get_num(g, "lon_max", &sl.box.lon_max) &&
                get_num(g, "max_km", &sl.box.max_km) && get_date(g, "from", &sl.from) && get_date(g, "until", &sl.until);
      if (!ok) continue;
      if (sl.box.lat_max <= sl.box.lat_min || sl.box.lon_max <= sl.box.lon_min)
        ERR_AT(c, g, "geo.sublimits[%d]: the box is empty (expected lat_min < lat_max and lon_min < lon_max)", i);
      else if (sl.until <= sl.from)
        ERR_AT(c, g, "geo.sublimits[%d]: until is not after from (expected a period of at least one day)", i);
      else
        sc->geo.sublimits[sc->geo.n_sublimits++] = sl;
    }
  }
  /* Boundaries: relative to the scenario file when given, else the data shipped with osq. */
  const char *b;
  if (config_lookup_string(cfg, "geo.boundaries", &b) == CONFIG_TRUE) {
    if (b[0] == '/') snprintf(sc->boundaries, sizeof sc->boundaries, "%s", b);
    else snprintf(sc->boundaries, sizeof sc->boundaries, "%.500s/%.500s", c->include_dir, b);
  } else {
    /* The data osq ships, found from the executable's place or OSQ_DATA (sim/input/paths.h). */
    if (!osq_paths_data_file("countries-50m.json", sc->boundaries, sizeof sc->boundaries) && !sc->boundaries[0])
      snprintf(sc->boundaries, sizeof sc->boundaries, "$%s/countries-50m.json", OSQ_DATA_ENV);
  }
}

/* The year workspace holds OSQ_FLIGHTS_MAX flights: the quotas of all parties must fit in it. */
static void check_quota_total(ctx_t *c, const config_t *cfg, const osq_treaty_t *t) {
  int sum = 0;
  for (int i = 0; i < t->n_parties; i++) sum += t->parties[i].passive_quota;
  if (sum > OSQ_FLIGHTS_MAX) {
    const config_setting_t *s = config_lookup(cfg, "treaty.parties");
    ERR_AT(c, s, "treaty.parties: the passive quotas add up to %d flights a year (expected at most %d)", sum,
           OSQ_FLIGHTS_MAX);
  }
}

/*
 * Where the days of each membership term came from, so that a refusal names the change behind it:
 * the participation entry whose readmission added days to the term (from added_from on; -1: none,
 * all its days are the treaty file's) and the entry whose withdrawal ended it (-1: none).
 */
typedef struct {
  int added_by[OSQ_PARTIES_MAX][OSQ_TERMS_MAX];
  osq_day_t added_from[OSQ_PARTIES_MAX][OSQ_TERMS_MAX];
  const config_setting_t *added_at[OSQ_PARTIES_MAX][OSQ_TERMS_MAX];
  int ended_by[OSQ_PARTIES_MAX][OSQ_TERMS_MAX];
} term_src_t;

static void term_src_init(term_src_t *s) {
  for (int i = 0; i < OSQ_PARTIES_MAX; i++)
    for (int k = 0; k < OSQ_TERMS_MAX; k++) {
      s->added_by[i][k] = -1;
      s->added_from[i][k] = OSQ_DAY_NEVER;
      s->added_at[i][k] = NULL;
      s->ended_by[i][k] = -1;
    }
}

static void apply_withdraw(ctx_t *c, const config_setting_t *key, int idx, osq_treaty_t *t, int pi, osq_day_t d,
                           term_src_t *src) {
  osq_party_t *p = &t->parties[pi];
  char ds[11], es[11];
  osq_date_format(d, ds);
  int k = -1, starts = -1;
  for (int j = 0; j < p->n_terms; j++) {
    if (d > p->terms[j].from && d < p->terms[j].until) k = j;
    if (d == p->terms[j].from) starts = j;
  }
  /* The day a readmission of this scenario takes effect (a new term, or a term it extended). */
  const int same = k >= 0 ? k : starts;
  if (same >= 0 && src->added_by[pi][same] >= 0 && src->added_from[pi][same] == d) {
    ERR_AT(c, key,
           "participation[%d]: %s cannot withdraw on %s: participation[%d] re-admits it that very day, so it would be "
           "in force on no day of that membership (expected a withdrawal after %s, or neither change)",
           idx, p->code, ds, src->added_by[pi][same], ds);
  } else if (k >= 0) {
    p->terms[k].until = d;
    p->n_terms = k + 1;
    src->ended_by[pi][k] = idx;
    if (d <= src->added_from[pi][k]) src->added_by[pi][k] = -1; /* nothing the readmission added is left */
  } else if (starts >= 0) {
    ERR_AT(c, key,
           "participation[%d]: %s cannot withdraw on %s: it enters into force that day, so it would be in force on no "
           "day (expected a day after %s)",
           idx, p->code, ds, ds);
  } else {
    osq_date_format(osq_party_first_day(p), es);
    ERR_AT(c, key,
           "participation[%d]: %s cannot withdraw on %s: it is not in force then (in force from %s; expected a day "
           "after entry into force and before any earlier withdrawal)",
           idx, p->code, ds, es);
  }
}

static void apply_readmit(ctx_t *c, const config_setting_t *key, const config_setting_t *g, int idx, osq_treaty_t *t,
                          int pi, osq_day_t d, term_src_t *src) {
  osq_party_t *p = &t->parties[pi];
  char ds[11], es[11];
  osq_date_format(d, ds);
  const osq_day_t last = osq_party_last_day(p);
  const int lk = p->n_terms - 1;
  if (last == OSQ_DAY_NEVER && src->added_by[pi][lk] >= 0) {
    osq_date_format(src->added_from[pi][lk], es);
    ERR_AT(c, key,
           "participation[%d]: %s cannot be re-admitted on %s: participation[%d] re-admits it from %s and it has not "
           "withdrawn since (expected a withdrawal first)",
           idx, p->code, ds, src->added_by[pi][lk], es);
  } else if (last == OSQ_DAY_NEVER) {
    ERR_AT(c, key, "participation[%d]: %s cannot be re-admitted on %s: it never withdrew (expected a withdrawal first)",
           idx, p->code, ds);
  } else if (d < last) {
    osq_date_format(last, es);
    ERR_AT(c, key,
           "participation[%d]: %s cannot be re-admitted on %s: it is still in force then (expected a day on or after "
           "its withdrawal, %s)",
           idx, p->code, ds, es);
  } else if (d == last && src->ended_by[pi][lk] >= 0) {
    ERR_AT(c, key,
           "participation[%d]: %s cannot be re-admitted on %s: participation[%d] withdraws it that very day, so it "
           "would be out of the treaty on no day (expected a readmission after %s, or neither change)",
           idx, p->code, ds, src->ended_by[pi][lk], ds);
  } else if (d > last && p->n_terms == OSQ_TERMS_MAX) {
    ERR_AT(c, g, "participation[%d]: %s has too many membership terms (expected at most %d)", idx, p->code,
           OSQ_TERMS_MAX);
  } else {
    /* Re-admitted on the day the treaty file's withdrawal took effect: as if it never left. */
    const int k = d == last ? lk : p->n_terms++;
    if (d != last) p->terms[k].from = d;
    p->terms[k].until = OSQ_DAY_NEVER;
    src->added_by[pi][k] = idx;
    src->added_from[pi][k] = d;
    src->added_at[pi][k] = key;
    src->ended_by[pi][k] = -1;
  }
}

/* Apply one participation entry; the treaty's terms stay sorted and non-overlapping. */
static void apply_change(ctx_t *c, const config_setting_t *g, int idx, osq_treaty_t *t, term_src_t *src) {
  const char *code;
  if (!get_str(g, "party", &code)) return;
  int pi = osq_treaty_find(t, code);
  if (pi < 0) {
    ERR_AT(c, config_setting_get_member(g, "party"),
           "participation[%d].party = \"%s\" is not a quota holder of the treaty (expected a code such as \"US\" or "
           "\"RUBY\", see osq parties)",
           idx, code);
    return;
  }
  osq_party_t *p = &t->parties[pi];
  osq_day_t dw = 0, dr = 0;
  const bool has_w = get_date(g, "withdraw", &dw), has_r = get_date(g, "readmit", &dr);
  if (has_w && has_r && dw == dr) {
    char ds[11];
    osq_date_format(dw, ds);
    ERR_AT(c, g,
           "participation[%d]: %s is withdrawn and re-admitted on the same day, %s, which leaves its membership as it "
           "was (expected a readmission after the withdrawal, or only one of the two)",
           idx, code, ds);
  } else {
    if (has_w) apply_withdraw(c, config_setting_get_member(g, "withdraw"), idx, t, pi, dw, src);
    if (has_r) apply_readmit(c, config_setting_get_member(g, "readmit"), g, idx, t, pi, dr, src);
  }
  bool any = has_w || has_r;
  long long q;
  if (get_i64(g, "passive_quota", &q)) {
    any = true;
    p->passive_quota = (int)q;
    p->quota_estimate = false;
  }
  if (!any && !config_setting_get_member(g, "withdraw") && !config_setting_get_member(g, "readmit") &&
      !config_setting_get_member(g, "passive_quota"))
    ERR_AT(c, g, "participation[%d] for %s changes nothing (expected withdraw, readmit or passive_quota)", idx, code);
}

/* "RU+BY": a holder's member states, for messages. */
static void members_text(const osq_party_t *p, char *out, size_t n) {
  out[0] = '\0';
  for (int m = 0; m < p->n_members; m++) {
    size_t len = strlen(out);
    snprintf(out + len, n - len, "%s%s", m ? "+" : "", p->members[m]);
  }
}

/* "from 2021-12-18" or "from 2002-01-01 to 2021-12-18". */
static void term_text(const osq_term_t *tm, char *out, size_t n) {
  char a[11], b[11];
  osq_date_format(tm->from, a);
  osq_date_format(tm->until, b);
  if (tm->until == OSQ_DAY_NEVER) snprintf(out, n, "from %s", a);
  else snprintf(out, n, "from %s to %s", a, b);
}

/*
 * The treaty file alone must already count each state once; report a conflict at the holder
 * listed later. @return true if the file is consistent.
 */
static bool check_file_membership(ctx_t *c, const config_t *cfg, const osq_treaty_t *t) {
  osq_membership_conflict_t k;
  if (osq_treaty_check_membership(t, &k) == OSQ_OK) return true;
  const osq_party_t *a = &t->parties[k.holder_a], *b = &t->parties[k.holder_b];
  if (k.holder_a != k.holder_b && strcmp(a->code, b->code) == 0) return false; /* a duplicate code, reported */
  const config_setting_t *list = config_lookup(cfg, "treaty.parties"), *at = list;
  int line_idx = k.holder_b;
  for (int i = 0; list && i < config_setting_length(list); i++) {
    const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
    const char *code;
    if (get_str(g, "code", &code) && strcmp(code, b->code) == 0) {
      at = config_setting_get_member(g, "in_force") ? config_setting_get_member(g, "in_force") : g;
      line_idx = i;
    }
  }
  char ds[11], ta[40], tb[40];
  osq_date_format(k.day, ds);
  term_text(&a->terms[k.term_a], ta, sizeof ta);
  term_text(&b->terms[k.term_b], tb, sizeof tb);
  if (k.holder_a == k.holder_b)
    ERR_AT(c, at, "treaty.parties[%d] (%s): state %s is listed twice in its members (expected each member once)",
           line_idx, b->code, k.state);
  else
    ERR_AT(c, at,
           "treaty.parties[%d] (%s, %s): state %s would be counted twice from %s: it is also a member of %s, in force "
           "%s (expected each state in one quota holder on any day: terms that do not overlap)",
           line_idx, b->code, tb, k.state, ds, a->code, ta);
  return false;
}

/*
 * After all changes: each state in at most one quota holder in force on any day (docs/model.md
 * section 2.1). A conflict is refused at the readmission that made it, with the change that
 * would resolve it; the model does not pick a resolution itself.
 */
static void check_change_membership(ctx_t *c, const osq_treaty_t *t, const term_src_t *src) {
  osq_membership_conflict_t k;
  if (osq_treaty_check_membership(t, &k) == OSQ_OK) return;
  const int h[2] = {k.holder_a, k.holder_b}, tm[2] = {k.term_a, k.term_b};
  int by[2];
  for (int s = 0; s < 2; s++)
    by[s] = src->added_by[h[s]][tm[s]] >= 0 && k.day >= src->added_from[h[s]][tm[s]] ? src->added_by[h[s]][tm[s]] : -1;
  const int x = by[1] > by[0] ? 1 : 0, y = 1 - x; /* x: the later readmission, the one refused */
  if (by[x] < 0) return;                            /* the treaty file's own conflict, reported already */
  const osq_party_t *px = &t->parties[h[x]], *py = &t->parties[h[y]];
  const osq_term_t *ty = &py->terms[tm[y]];
  const osq_day_t r = src->added_from[h[x]][tm[x]];
  char rs[11], ds[11], mx[16], my[16], tys[40], fix[160];
  osq_date_format(r, rs);
  osq_date_format(k.day, ds);
  members_text(px, mx, sizeof mx);
  members_text(py, my, sizeof my);
  term_text(ty, tys, sizeof tys);
  if (ty->from < r && r < ty->until) {
    snprintf(fix, sizeof fix, "add { party = \"%s\"; withdraw = \"%s\"; } to end %s's membership the day %s returns",
             py->code, rs, py->code, px->code);
  } else if (r < ty->from) {
    snprintf(fix, sizeof fix, "add { party = \"%s\"; withdraw = \"%s\"; } to end %s's membership the day %s's begins",
             px->code, ds, px->code, py->code);
  } else {
    snprintf(fix, sizeof fix, "re-admit %s after %s, with %s withdrawn on that day", px->code, rs, py->code);
  }
  ERR_AT(c, src->added_at[h[x]][tm[x]],
         "participation[%d]: re-admitting %s on %s would count state %s twice from %s: it is a member of %s (%s) and "
         "of %s (%s), in force %s (expected each state in one quota holder on any day: %s)",
         by[x], px->code, rs, k.state, ds, px->code, mx, py->code, my, tys, fix);
}

/*
 * A holder has one passive quota for all its terms: an override would also rewrite the quota of
 * its earlier membership. Refused when the simulated years reach two of its terms, where that
 * would change results the user did not mean to change.
 */
static void check_quota_overrides(ctx_t *c, const config_setting_t *changes, const osq_scenario_t *sc) {
  const osq_day_t y0 = osq_date_from_ymd(sc->first_year, 1, 1), y1 = osq_date_from_ymd(sc->last_year + 1, 1, 1);
  for (int i = 0; i < config_setting_length(changes); i++) {
    const config_setting_t *g = config_setting_get_elem(changes, (unsigned)i);
    const char *code;
    long long q;
    if (!get_str(g, "party", &code) || !get_i64(g, "passive_quota", &q)) continue;
    const int pi = osq_treaty_find(&sc->treaty, code);
    if (pi < 0) continue;
    const osq_party_t *p = &sc->treaty.parties[pi];
    int n = 0, first = -1;
    for (int k = 0; k < p->n_terms; k++)
      if (p->terms[k].from < y1 && p->terms[k].until > y0 && n++ == 0) first = k;
    if (n < 2) continue;
    char ts[40];
    term_text(&p->terms[first], ts, sizeof ts);
    ERR_AT(c, config_setting_get_member(g, "passive_quota"),
           "participation[%d]: passive_quota = %lld for %s would apply to each of its %d memberships in the simulated "
           "years %d-%d, also the one %s: a quota holder has one passive quota (expected simulated years within one "
           "membership, or no override)",
           i, q, code, n, sc->first_year, sc->last_year, ts);
  }
}

/* The treaty file's membership check, then the participation entries, then the checks of the result. */
static void apply_participation(ctx_t *c, const config_t *cfg, osq_scenario_t *sc) {
  const bool file_consistent = check_file_membership(c, cfg, &sc->treaty);
  const config_setting_t *changes = config_lookup(cfg, "participation");
  if (!changes || config_setting_type(changes) != CONFIG_TYPE_LIST) return;
  int n = config_setting_length(changes);
  term_src_t src; /* 4 KB */
  term_src_init(&src);
  for (int i = 0; i < n; i++) apply_change(c, config_setting_get_elem(changes, (unsigned)i), i, &sc->treaty, &src);
  sc->n_changes = n;
  if (file_consistent) check_change_membership(c, &sc->treaty, &src);
  check_quota_overrides(c, changes, sc);
}

static void load_model_parties(ctx_t *c, const config_t *cfg, const char *group, osq_scenario_t *sc) {
  char key[64];
  snprintf(key, sizeof key, "%s.parties", group);
  const config_setting_t *list = config_lookup(cfg, key);
  if (!list || config_setting_type(list) != CONFIG_TYPE_LIST) return;
  int n = config_setting_length(list);
  for (int i = 0; i < n; i++) {
    const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
    const char *code;
    if (!get_str(g, "party", &code)) continue;
    int pi = osq_treaty_find(&sc->treaty, code);
    if (pi < 0) {
      ERR_AT(c, config_setting_get_member(g, "party"),
             "%s.parties[%d].party = \"%s\" is not a quota holder of the treaty (expected a code such as \"US\")", group,
             i, code);
      continue;
    }
    get_num(g, "demand", &sc->model.demand_by[pi]);
    get_num(g, "interest", &sc->model.interest_by[pi]);
    get_num(g, "completion", &sc->model.completion_by[pi]);
    get_bool(g, "accepts", &sc->model.accepts_by[pi]);
    get_num(g, "interest_nato", &sc->model.interest_obs_by[pi][OSQ_BLOC_NATO]);
    get_num(g, "interest_ruby", &sc->model.interest_obs_by[pi][OSQ_BLOC_RUBY]);
    get_num(g, "interest_other", &sc->model.interest_obs_by[pi][OSQ_BLOC_OTHER]);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Scalars: defaults from the schema, values from the file                                    */
/* ------------------------------------------------------------------------------------------ */

static void store_scalar(osq_scenario_t *sc, const key_t_ *k, const config_setting_t *s) {
  char *base = (char *)sc + k->off;
  switch (k->dest) {
    case D_I64: *(int64_t *)(void *)base = (int64_t)config_setting_get_int64(s); break;
    case D_INT: *(int *)(void *)base = (int)config_setting_get_int64(s); break;
    case D_U64: *(uint64_t *)(void *)base = (uint64_t)config_setting_get_int64(s); break;
    case D_DOUBLE:
      *(double *)(void *)base = config_setting_type(s) == CONFIG_TYPE_FLOAT ? config_setting_get_float(s)
                                                                           : (double)config_setting_get_int64(s);
      break;
    case D_BOOL: *(bool *)(void *)base = config_setting_get_bool(s) != 0; break;
    case D_STR: snprintf(base, k->size, "%s", config_setting_get_string(s)); break;
    case D_NONE: break;
  }
}

static void store_default(osq_scenario_t *sc, const key_t_ *k) {
  if (!k->def || k->dest == D_NONE) return;
  char *base = (char *)sc + k->off;
  switch (k->dest) {
    case D_I64: *(int64_t *)(void *)base = strtoll(k->def, NULL, 10); break;
    case D_INT: *(int *)(void *)base = (int)strtol(k->def, NULL, 10); break;
    case D_U64: *(uint64_t *)(void *)base = strtoull(k->def, NULL, 10); break;
    case D_DOUBLE: *(double *)(void *)base = strtod(k->def, NULL); break;
    case D_BOOL: *(bool *)(void *)base = strcmp(k->def, "true") == 0; break;
    case D_STR: snprintf(base, k->size, "%s", k->def); break;
    case D_NONE: break;
  }
}

/* model.years: each year's own values, merged into an earlier group's entry for the same year. */
static void load_model_years(ctx_t *c, const config_t *cfg, const char *group, osq_scenario_t *sc) {
  char key[64];
  snprintf(key, sizeof key, "%s.years", group);
  const config_setting_t *list = config_lookup(cfg, key);
  if (!list || config_setting_type(list) != CONFIG_TYPE_LIST) return;
  const int n = config_setting_length(list);
  for (int i = 0; i < n; i++) {
    const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
    long long year;
    if (!get_i64(g, "year", &year)) continue;
    osq_model_params_t *m = &sc->model;
    osq_year_params_t *y = osq_model_params_year(m, (int)year);
    if (!y && m->n_years < OSQ_YEAR_PARAMS_MAX) {
      y = &m->years[m->n_years++];
      *y = (osq_year_params_t){.year = (int)year, .demand_factor = -1, .share_prob = -1, .completion = -1};
    }
    if (!y) {
      ERR_AT(c, g, "%s[%d]: more than %d years with their own parameters", key, i, OSQ_YEAR_PARAMS_MAX);
      continue;
    }
    get_num(g, "demand_factor", &y->demand_factor);
    get_num(g, "share_prob", &y->share_prob);
    get_num(g, "completion", &y->completion);
    long long v;
    if (get_i64(g, "season_first_doy", &v)) y->season_first_doy = (int)v;
    if (get_i64(g, "season_last_doy", &v)) y->season_last_doy = (int)v;
    const int first = y->season_first_doy > 0 ? y->season_first_doy : m->season_first_doy;
    const int last = y->season_last_doy > 0 ? y->season_last_doy : m->season_last_doy;
    if (last < first)
      ERR_AT(c, g, "%s[%d]: the season of %lld ends on day %d, before it starts on day %d (expected a season of at "
             "least one day)", key, i, year, last, first);
  }
}

/* model.pauses: a group's pauses replace an earlier group's. */
static void load_model_pauses(ctx_t *c, const config_t *cfg, const char *group, osq_scenario_t *sc) {
  char key[64];
  snprintf(key, sizeof key, "%s.pauses", group);
  const config_setting_t *list = config_lookup(cfg, key);
  if (!list || (config_setting_type(list) != CONFIG_TYPE_LIST && config_setting_type(list) != CONFIG_TYPE_ARRAY)) return;
  osq_model_params_t *m = &sc->model;
  m->n_pauses = 0;
  const int n = config_setting_length(list);
  for (int i = 0; i < n && m->n_pauses < OSQ_PAUSES_MAX; i++) {
    const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
    osq_day_t from, until;
    if (!get_date(g, "from", &from) || !get_date(g, "until", &until)) continue;
    if (until < from) {
      ERR_AT(c, g, "%s[%d]: ends before it starts (expected from <= until)", key, i);
      continue;
    }
    m->pauses[m->n_pauses++] = (osq_pause_t){from, until};
  }
}

/* model.pairs: an observer's interest in one target, as a factor on its weight. */
static void load_model_pairs(ctx_t *c, const config_t *cfg, const char *group, osq_scenario_t *sc) {
  char key[64];
  snprintf(key, sizeof key, "%s.pairs", group);
  const config_setting_t *list = config_lookup(cfg, key);
  if (!list || config_setting_type(list) != CONFIG_TYPE_LIST) return;
  const int n = config_setting_length(list);
  for (int i = 0; i < n; i++) {
    const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
    const char *o, *t;
    double f;
    if (!get_str(g, "observer", &o) || !get_str(g, "observed", &t) || !get_num(g, "interest", &f)) continue;
    const int oi = osq_treaty_find(&sc->treaty, o), ti = osq_treaty_find(&sc->treaty, t);
    if (oi < 0 || ti < 0 || oi == ti) {
      ERR_AT(c, g, "%s[%d]: %s over %s is not a pair of two quota holders of the treaty", key, i, o, t);
      continue;
    }
    long long y0 = 2002, y1 = 2100;
    get_i64(g, "from_year", &y0);
    get_i64(g, "until_year", &y1);
    if (y1 < y0) {
      ERR_AT(c, g, "%s[%d]: until_year %lld is before from_year %lld", key, i, y1, y0);
      continue;
    }
    osq_model_params_t *m = &sc->model;
    if (m->n_pairs == OSQ_PAIRS_MAX) {
      ERR_AT(c, g, "%s[%d]: more than %d pairs", key, i, OSQ_PAIRS_MAX);
      continue;
    }
    m->pairs[m->n_pairs++] = (osq_pair_params_t){oi, ti, f, (int)y0, (int)y1};
  }
}

/* A scalar setting of the file (NULL: absent) into its destination, if the walk found it well typed. */
static void store_setting(osq_scenario_t *sc, const key_t_ *k, const config_setting_t *s) {
  if (!s) return;
  const int t = config_setting_type(s);
  const bool ok = (k->kind == K_INT && (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)) ||
                  (k->kind == K_FLOAT && (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT)) ||
                  (k->kind == K_BOOL && t == CONFIG_TYPE_BOOL) || (k->kind == K_STRING && t == CONFIG_TYPE_STRING);
  if (ok) store_scalar(sc, k, s);
}

/* A model group ("model", or "fitted.model" of fitted.cfg) over sc->model: its scalars, its years
 * without a plan (replacing earlier ones) and its per-party values. The walk has checked type,
 * count, range and repeats; this keeps the valid entries. */
static void load_model(ctx_t *c, const config_t *cfg, const char *group, osq_scenario_t *sc) {
  char key[128];
  for (size_t i = 0; i < N_SCHEMA; i++) {
    const key_t_ *k = &SCHEMA[i];
    if (k->dest == D_NONE || strncmp(k->key, "model.", 6) != 0) continue;
    snprintf(key, sizeof key, "%s.%s", group, k->key + 6);
    store_setting(sc, k, config_lookup(cfg, key));
  }
  snprintf(key, sizeof key, "%s.no_plan_years", group);
  const config_setting_t *npy = config_lookup(cfg, key);
  if (npy && config_setting_type(npy) == CONFIG_TYPE_ARRAY) {
    sc->model.n_no_plan_years = 0;
    int n = config_setting_length(npy);
    for (int i = 0; i < n && sc->model.n_no_plan_years < OSQ_NO_PLAN_YEARS_MAX; i++) {
      const config_setting_t *e = config_setting_get_elem(npy, (unsigned)i);
      int et = config_setting_type(e);
      if (et == CONFIG_TYPE_INT || et == CONFIG_TYPE_INT64)
        sc->model.no_plan_years[sc->model.n_no_plan_years++] = (int)config_setting_get_int64(e);
    }
  }
  load_model_parties(c, cfg, group, sc);
  load_model_years(c, cfg, group, sc);
  load_model_pauses(c, cfg, group, sc);
  load_model_pairs(c, cfg, group, sc);
}

/*
 * Two libconfig 1.5 costs grow with the square of the input (measured, Debian 12 libconfig9
 * 1.5-0.4): adding a setting to a group compares its name with every earlier member (40,000
 * settings in one group: 11 s), and flex rescans a token from its start at every 8 KiB refill of
 * its buffer (a 4 MiB string: 7 s; a 10 MiB name: 65 s). These limits keep any scenario file under
 * about a second of parsing; the treaty data file has 47 KiB and under 1,000 '=' or ':'.
 */
#define SCENARIO_MAX_BYTES (1024 * 1024)
#define SCENARIO_MAX_SETTINGS 10000 /* '=' and ':' characters, an upper bound on settings */

/*
 * An @include path as libconfig 1.5's scanner reads it: everything up to the next unescaped quote,
 * with \\ and \" unescaped. Returns the length; -1 if the quote is never closed (libconfig then
 * ignores the line); -2 if the path does not fit in n; -3 if it holds a line break (a missing
 * quote), another control character (the scanner cuts the path at a NUL) or any other backslash
 * (the scanner drops it and echoes it on stdout).
 */
static int include_target(const char *r, const char *end, char *out, size_t n) {
  size_t k = 0;
  out[0] = '\0';
  for (; r < end && *r != '"'; r++) {
    char ch = *r;
    if (ch == '\\') {
      if (r + 1 >= end || (r[1] != '\\' && r[1] != '"')) return -3;
      ch = *++r;
    }
    if ((unsigned char)ch < 0x20 && ch != '\t') return -3;
    if (k + 1 >= n) return -2;
    out[k++] = ch;
    out[k] = '\0';
  }
  return r < end ? (int)k : -1;
}

/*
 * The include tree, walked before it is read. Every @include, however deeply nested, names a file
 * in the scenario's folder or in one of the search folders (include_find), as libconfig 1.5
 * resolves every @include against its one include folder, the scenario's. libconfig would open the
 * target with fopen and has no notion of a circle: a file that includes itself, directly or through
 * others, would be read again until its nesting depth reached 10 ("include file nesting too deep")
 * or a setting repeated ("duplicate setting name"), neither of which says what is wrong. A
 * directory made its flex scanner print "input in flex scanner failed" and exit(2), a FIFO blocked
 * it. So every file of the tree is checked here, depth first, with the chain of files being read:
 * a missing file is refused where it is named, a target already on the chain closes a circle, a
 * chain longer than libconfig's limit is refused by name; then compose() writes the one text
 * libconfig reads.
 * Each file is read once (a file reached again by another path is not rescanned: its height,
 * the longest chain below it, is kept for the depth check).
 */
#define INCLUDE_DEPTH_MAX 10 /* libconfig 1.5 MAX_INCLUDE_DEPTH: nested includes below the scenario */
#define INCLUDE_FILES_MAX 64

typedef struct {
  dev_t dev;
  ino_t ino;
  int state;  /* 1: on the chain being read, 2: done */
  int height; /* when done: include levels below it */
} inc_node_t;

typedef struct {
  inc_node_t nodes[INCLUDE_FILES_MAX];
  int n;
  const char *chain[INCLUDE_DEPTH_MAX + 2]; /* the files being read, as shown, scenario first */
  int chain_node[INCLUDE_DEPTH_MAX + 2];    /* their nodes */
} inc_scan_t;

/* Read a regular file of at most `size` bytes; NULL if it cannot be read. The caller frees. */
static char *read_text(const char *path, size_t size, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = malloc(size + 1);
  size_t n = buf ? fread(buf, 1, size, f) : 0;
  fclose(f);
  if (!buf) return NULL;
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* "a.cfg -> b.cfg -> a.cfg": the chain from its index `from` to depth, then `last`. */
static void chain_text(const inc_scan_t *s, int from, int depth, const char *last, char *out, size_t n) {
  size_t u = 0;
  out[0] = '\0';
  for (int i = from; i <= depth && u < n; i++) u += (size_t)snprintf(out + u, n - u, "%.200s -> ", s->chain[i]);
  if (u < n) snprintf(out + u, n - u, "%.200s", last);
}

/* If the line that starts at q is an @include line as libconfig reads one ("@include", a blank,
 * a quote, blanks around), the character after the opening quote; else NULL. */
static const char *include_line(const char *q) {
  while (*q == ' ' || *q == '\t') q++;
  if (strncmp(q, "@include", 8) != 0 || (q[8] != ' ' && q[8] != '\t')) return NULL;
  q += 8;
  while (*q == ' ' || *q == '\t') q++;
  return q[0] == '"' ? q + 1 : NULL;
}

/*
 * The file @include "target" reads: target in the scenario's folder, else in the first folder of
 * OSQ_PATH, the installed and the in-tree scenarios that holds it (sim/input/paths.h). full is the
 * path to open; shown the file as messages name it (relative to the scenario's folder as libconfig
 * named it, else the full path). @return true with *st, false (full in the scenario's folder) if no
 * folder holds it.
 */
static bool include_find(const ctx_t *c, const char *target, char *full, size_t fn, char *shown, size_t sn,
                         struct stat *st) {
  snprintf(full, fn, "%s/%s", c->include_dir, target);
  if (stat(full, st) == 0) {
    snprintf(shown, sn, "%s", strcmp(c->include_dir, ".") == 0 ? target : full);
    return true;
  }
  for (int i = 0; i < c->search.n; i++) {
    snprintf(full, fn, "%s/%s", c->search.dir[i], target);
    if (stat(full, st) == 0) {
      snprintf(shown, sn, "%s", full);
      return true;
    }
  }
  snprintf(full, fn, "%s/%s", c->include_dir, target);
  return false;
}

/* Check the include lines of one file (text, shown as `file`) at nesting depth `depth`; recurse
 * into the files it includes. @return the include levels below it. */
static int scan_includes(ctx_t *c, inc_scan_t *s, const char *file, const char *text, size_t len, int depth) {
  osq_error_t *err = c->err;
  int height = 0, line = 1, n_assign = 0;
  const char *end = text + len; /* not the first NUL: a comment may hold one */
  for (const char *q = text; q < end; q++) {
    if (*q == '\n') line++;
    if (*q == '=' || *q == ':') n_assign++;
    if (!(q == text || q[-1] == '\n')) continue;
    const char *r = include_line(q);
    if (!r) continue;
    char target[OSQ_PATH_MAX], full[2 * OSQ_PATH_MAX + 2], shown[2 * OSQ_PATH_MAX + 2];
    const int tl = include_target(r, end, target, sizeof target);
    struct stat st;
    if (tl == -2) {
      osq_error_add(err, OSQ_ECONFIG, file, line,
                    "@include path \"%.60s...\" is longer than %d characters (expected a file relative to %s)", target,
                    OSQ_PATH_MAX - 1, c->include_dir);
      continue;
    }
    if (tl == -3) {
      osq_error_add(err, OSQ_ECONFIG, file, line,
                    "@include path \"%.60s\" is followed by a line break, a control character or a backslash "
                    "(expected a file name and a closing quote on the same line)",
                    target);
      continue;
    }
    if (tl < 0) continue; /* no closing quote: libconfig ignores the line */
    if (target[0] == '/') {
      osq_error_add(err, OSQ_ECONFIG, file, line,
                    "@include \"%s\" is an absolute path (expected a path relative to the scenario's directory, %s)",
                    target, c->include_dir);
      continue;
    }
    if (!include_find(c, target, full, sizeof full, shown, sizeof shown, &st)) {
      osq_error_add(err, OSQ_ECONFIG, file, line, "cannot open an @include file (expected a path relative to %s)",
                    c->include_dir);
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      osq_error_add(err, OSQ_ECONFIG, file, line, "@include \"%s\" is not a regular file: %s is a %s (expected a file relative to %s)",
                    target, full, S_ISDIR(st.st_mode) ? "directory" : "device, FIFO or socket", c->include_dir);
      continue;
    }
    if (st.st_size > SCENARIO_MAX_BYTES) {
      osq_error_add(err, OSQ_ECONFIG, file, line,
                    "@include \"%s\" has %lld bytes (expected at most %d: libconfig 1.5 parses large files very slowly)",
                    target, (long long)st.st_size, SCENARIO_MAX_BYTES);
      continue;
    }
    int k = 0;
    while (k < s->n && !(s->nodes[k].dev == st.st_dev && s->nodes[k].ino == st.st_ino)) k++;
    char circle[512];
    if (k < s->n && s->nodes[k].state == 1) {
      int from = 0;
      while (from < depth && s->chain_node[from] != k) from++;
      chain_text(s, from, depth, shown, circle, sizeof circle);
      osq_error_add(err, OSQ_ECONFIG, file, line,
                    "@include \"%s\" is circular: %s (expected no file to include itself, directly or through "
                    "others)",
                    target, circle);
      continue;
    }
    int below = k < s->n ? s->nodes[k].height : 0;
    if (depth + 1 + below > INCLUDE_DEPTH_MAX) {
      osq_error_add(err, OSQ_ECONFIG, file, line,
                    "@include \"%s\" nests includes %d levels deep (expected at most %d: libconfig 1.5's limit)",
                    target, depth + 1 + below, INCLUDE_DEPTH_MAX);
      continue;
    }
    if (k == s->n) { /* a file not seen yet: scan it */
      if (s->n == INCLUDE_FILES_MAX) {
        osq_error_add(err, OSQ_ECONFIG, file, line, "@include \"%s\": more than %d files are included (expected fewer)",
                      target, INCLUDE_FILES_MAX);
        continue;
      }
      s->nodes[k] = (inc_node_t){st.st_dev, st.st_ino, 1, 0};
      s->n++;
      size_t tlen = 0;
      char *t = read_text(full, (size_t)st.st_size, &tlen);
      if (!t) continue; /* libconfig reports it */
      s->chain[depth + 1] = shown;
      s->chain_node[depth + 1] = k;
      below = scan_includes(c, s, shown, t, tlen, depth + 1);
      free(t);
      s->nodes[k].state = 2;
      s->nodes[k].height = below;
    }
    if (below + 1 > height) height = below + 1;
  }
  if (n_assign > SCENARIO_MAX_SETTINGS)
    osq_error_add(err, OSQ_ECONFIG, file, 0,
                  "the %s has %d '=' or ':' (expected at most %d settings: libconfig 1.5 parses a group of many "
                  "settings very slowly)",
                  depth == 0 ? "scenario" : "included file", n_assign, SCENARIO_MAX_SETTINGS);
  return height;
}

/*
 * The one text libconfig reads: the scenario with each @include line replaced by the text of the
 * file it names (found by include_find), recursively, and a map from its lines to the files' lines
 * (seg_t) for every message. The tree was checked by scan_includes; a file that changed since is
 * refused here. An included text that does not end a line gets a line break, as the end of an
 * included file ends a token for libconfig, so that no line of the text holds two files.
 */
#define COMPOSED_MAX_BYTES (16 * SCENARIO_MAX_BYTES)

static bool compose_put(ctx_t *c, const char *s, size_t n) {
  if (n > COMPOSED_MAX_BYTES || c->len + n > COMPOSED_MAX_BYTES) {
    c->too_big = true;
    return false;
  }
  if (c->len + n + 1 > c->cap) {
    size_t cap = c->cap ? c->cap : 65536;
    while (cap < c->len + n + 1) cap *= 2;
    char *t = realloc(c->text, cap);
    if (!t) return false;
    c->text = t;
    c->cap = cap;
  }
  memcpy(c->text + c->len, s, n);
  c->len += n;
  c->text[c->len] = '\0';
  for (size_t i = 0; i < n; i++) c->lines += s[i] == '\n';
  return true;
}

/* From the composed line now being written on: file `name` from its line `line`. */
static bool compose_seg(ctx_t *c, const char *name, int line) {
  int k = 0;
  while (k < c->n_names && strcmp(c->names[k], name) != 0) k++;
  if (k == c->n_names) {
    if (k == INCLUDE_NAMES_MAX + 1 || !(c->names[k] = strdup(name))) return false;
    c->n_names++;
  }
  if (c->n_segs == c->segs_cap) {
    const int cap = c->segs_cap ? 2 * c->segs_cap : 64;
    seg_t *g = realloc(c->segs, (size_t)cap * sizeof *g);
    if (!g) return false;
    c->segs = g;
    c->segs_cap = cap;
  }
  c->segs[c->n_segs++] = (seg_t){c->lines, line, k};
  return true;
}

static int compose_failed(ctx_t *c) {
  if (c->too_big)
    return osq_error_add(c->err, OSQ_ECONFIG, c->main_path, 0,
                         "the scenario and the files it includes add up to more than %d bytes (expected at most "
                         "that: each @include is read in full where it stands)",
                         COMPOSED_MAX_BYTES);
  return osq_error_add(c->err, OSQ_ENOMEM, c->main_path, 0, "out of memory reading the scenario");
}

/* Append one file (text, named `name`) with its includes. @return 0, or the error code. */
static int compose(ctx_t *c, const char *name, const char *text, size_t len, int depth) {
  const char *end = text + len, *from = text;
  int line = 1;
  if (!compose_seg(c, name, 1)) return compose_failed(c);
  for (const char *q = text; q < end; q++) {
    if (q > text && q[-1] == '\n') line++;
    if (!(q == text || q[-1] == '\n')) continue;
    const char *r = include_line(q);
    char target[OSQ_PATH_MAX], full[2 * OSQ_PATH_MAX + 2], shown[2 * OSQ_PATH_MAX + 2];
    if (!r || include_target(r, end, target, sizeof target) < 0) continue; /* as scan_includes */
    const char *close = r;
    while (close < end && *close != '"') close += *close == '\\' ? 2 : 1;
    struct stat st;
    char *t = NULL;
    size_t tlen = 0;
    if (depth < INCLUDE_DEPTH_MAX && include_find(c, target, full, sizeof full, shown, sizeof shown, &st) &&
        S_ISREG(st.st_mode) && st.st_size <= SCENARIO_MAX_BYTES)
      t = read_text(full, (size_t)st.st_size, &tlen);
    if (!t)
      return osq_error_add(c->err, OSQ_ECONFIG, name, line,
                           "cannot open an @include file (expected a path relative to %s)", c->include_dir);
    int rc = compose_put(c, from, (size_t)(q - from)) ? compose(c, shown, t, tlen, depth + 1) : compose_failed(c);
    free(t);
    if (rc) return rc;
    if ((c->len > 0 && c->text[c->len - 1] != '\n' && !compose_put(c, "\n", 1)) || !compose_seg(c, name, line))
      return compose_failed(c);
    from = close + 1;
    q = close;
  }
  return compose_put(c, from, (size_t)(end - from)) ? 0 : compose_failed(c);
}

/* libconfig reads the composed text (every @include already in it) from memory, NULs and all; its
 * messages name the file and line the text came from. @return 0 with *cfg to destroy, or the code. */
static int read_composed(ctx_t *c, config_t *cfg) {
  config_init(cfg);
  config_set_include_dir(cfg, c->include_dir);
  FILE *mem = c->len > 0 ? fmemopen(c->text, c->len, "r") : NULL;
  const int read_ok = mem ? config_read(cfg, mem) : c->len == 0 ? config_read_string(cfg, "") : CONFIG_FALSE;
  if (mem) fclose(mem);
  if (read_ok == CONFIG_TRUE) return OSQ_OK;
  const char *ef = composed_file(c, config_error_line(cfg));
  const int el = composed_line(c, config_error_line(cfg));
  const char *et = config_error_text(cfg);
  if (!mem && c->len > 0)
    osq_error_add(c->err, OSQ_ENOMEM, c->main_path, 0, "cannot read the scenario: %s", strerror(errno));
  else if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
    osq_error_add(c->err, OSQ_EIO, c->main_path, 0, "cannot read the scenario: %s", et);
  else if (et && strcmp(et, "cannot open include file") == 0)
    osq_error_add(c->err, OSQ_ECONFIG, ef, el, "cannot open an @include file (expected a path relative to %s)",
                  c->include_dir);
  else
    osq_error_add(c->err, OSQ_ECONFIG, ef, el, "%s (expected libconfig syntax: name = value;)", et);
  config_destroy(cfg);
  return c->err->code;
}

/* Collect every file a setting came from (the scenario and its includes), in order of first use. */
static void collect_files(ctx_t *c, const config_setting_t *s) {
  load_src(c, src_file(c, s));
  int t = config_setting_type(s);
  if (t == CONFIG_TYPE_GROUP || t == CONFIG_TYPE_LIST) {
    int n = config_setting_length(s);
    for (int i = 0; i < n; i++) collect_files(c, config_setting_get_elem(s, (unsigned)i));
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Public                                                                                      */
/* ------------------------------------------------------------------------------------------ */

int osq_scenario_load(const char *path, osq_scenario_t *sc, osq_error_t *err) {
  return osq_scenario_load_opts(path, 0, sc, err);
}

int osq_scenario_load_opts(const char *path, unsigned flags, osq_scenario_t *sc, osq_error_t *err) {
  memset(sc, 0, sizeof *sc);
  snprintf(sc->path, sizeof sc->path, "%s", path);
  osq_model_params_default(&sc->model);
  osq_cov_params_default(&sc->geo);
  for (size_t i = 0; i < N_SCHEMA; i++) store_default(sc, &SCHEMA[i]);
  osq_paths_base_name(path, sc->name, sizeof sc->name);

  ctx_t c = {.err = err, .main_path = path, .lines = 1};
  osq_paths_dir_name(path, c.include_dir, sizeof c.include_dir);
  osq_paths_include_dirs(&c.search);

  /* libconfig reports a missing file as a bare "file I/O error": check first, with errno. */
  FILE *probe = fopen(path, "rb");
  if (!probe) return osq_error_add(err, OSQ_EIO, path, 0, "cannot read the scenario: %s", strerror(errno));
  char byte;
  size_t got = fread(&byte, 1, 1, probe);
  int rerr = ferror(probe) ? errno : 0;
  struct stat pst;
  if (!rerr && fstat(fileno(probe), &pst) != 0) rerr = errno;
  fclose(probe);
  if (rerr) return osq_error_add(err, OSQ_EIO, path, 0, "cannot read the scenario: %s", strerror(rerr));
  (void)got;
  /* The file is read twice (here and by libconfig): a FIFO or device cannot be, /dev/zero never ends. */
  if (!S_ISREG(pst.st_mode))
    return osq_error_add(err, OSQ_EIO, path, 0, "cannot read the scenario: not a regular file (expected a file)");
  if (pst.st_size > SCENARIO_MAX_BYTES)
    return osq_error_add(err, OSQ_ECONFIG, path, 0,
                         "the scenario has %lld bytes (expected at most %d: libconfig 1.5 parses large files very slowly)",
                         (long long)pst.st_size, SCENARIO_MAX_BYTES);

  /* The include tree is checked before libconfig reads it (see scan_includes): circular and too
   * deep includes, directories, devices, FIFOs and oversized files, in every file of the tree. */
  const src_file_t *main_src = load_src(&c, path);
  if (main_src) {
    inc_scan_t scan;
    memset(&scan, 0, sizeof scan);
    scan.nodes[0].dev = pst.st_dev;
    scan.nodes[0].ino = pst.st_ino;
    scan.nodes[0].state = 1;
    scan.n = 1;
    scan.chain[0] = path;
    scan_includes(&c, &scan, path, main_src->text, main_src->len, 0);
    if (!err->code) compose(&c, path, main_src->text, main_src->len, 0);
  } else {
    osq_error_add(err, OSQ_EIO, path, 0, "cannot read the scenario: %s", strerror(errno ? errno : ENOMEM));
  }
  if (err->code) {
    free_srcs(&c);
    return err->code;
  }

  config_t cfg;
  if (read_composed(&c, &cfg) != OSQ_OK) {
    free_srcs(&c);
    return err->code;
  }

  const config_setting_t *root = config_root_setting(&cfg);
  walk_group(&c, root, "", "");
  check_required(&c, root, "", "");

  /* Scalars of simulation and output, through the schema's destinations (the model's: load_model). */
  for (size_t i = 0; i < N_SCHEMA; i++) {
    const key_t_ *k = &SCHEMA[i];
    if (k->dest == D_NONE || strncmp(k->key, "model.", 6) == 0) continue;
    store_setting(sc, k, config_lookup(&cfg, k->key));
  }
  if (!config_lookup(&cfg, "simulation.last_year")) sc->last_year = sc->first_year;
  if (sc->last_year < sc->first_year)
    ERR_AT(&c, config_lookup(&cfg, "simulation.last_year"),
           "simulation.last_year = %d is before first_year = %d (expected last_year >= first_year)", sc->last_year,
           sc->first_year);

  const config_setting_t *fmts = config_lookup(&cfg, "output.formats");
  if (fmts && config_setting_type(fmts) == CONFIG_TYPE_ARRAY) {
    sc->formats[0] = '\0';
    int n = config_setting_length(fmts);
    for (int i = 0; i < n; i++) {
      const char *f = config_setting_get_string_elem(fmts, (unsigned)i);
      if (!f) continue;
      if (!osq_format_valid(f)) {
        char names[OSQ_FMT_TEXT_LEN];
        osq_formats_text(names, "\"", " or ");
        ERR_AT(&c, fmts, "output.formats[%d] = \"%s\" is not a format (expected %s)", i, f, names);
        continue;
      }
      size_t used = strlen(sc->formats);
      snprintf(sc->formats + used, sizeof sc->formats - used, "%s%s", used ? "," : "", f);
    }
  } else {
    snprintf(sc->formats, sizeof sc->formats, "csv,json");
  }
  if (!config_lookup(&cfg, "output.dir")) snprintf(sc->out_dir, sizeof sc->out_dir, "out/%s", sc->name);

  load_treaty(&c, &cfg, &sc->treaty);
  /* The fixed treaty area (coverage_fixed): the parties of the treaty file in force mid-2019,
   * before any participation change, so that a withdrawal shows as a loss. */
  for (int i = 0; i < sc->treaty.n_parties; i++)
    sc->fixed_area[i] = osq_party_in_force(&sc->treaty.parties[i], osq_date_from_ymd(2019, 7, 1));
  apply_participation(&c, &cfg, sc);
  /* The model: the built-in defaults (set above) and the sourced per-party ones (e.g. the US completion
   * rate), then the fitted defaults of an included fitted.cfg, then the scenario's own model block. */
  osq_model_params_party_defaults(&sc->model, &sc->treaty);
  if (!(flags & OSQ_LOAD_NO_FITTED)) load_model(&c, &cfg, "fitted.model", sc);
  load_model(&c, &cfg, "model", sc);
  if (sc->model.season_last_doy < sc->model.season_first_doy)
    ERR_AT(&c, config_lookup(&cfg, "model.season_last_doy") ? config_lookup(&cfg, "model.season_last_doy")
                                                              : config_lookup(&cfg, "fitted.model.season_last_doy"),
           "model.season_last_doy = %d is before season_first_doy = %d (expected a season of at least one day)",
           sc->model.season_last_doy, sc->model.season_first_doy);
  check_quota_total(&c, &cfg, &sc->treaty);
  load_geo(&c, &cfg, sc);

  collect_files(&c, root);
  uint64_t h = OSQ_FNV1A64_INIT;
  for (int i = 0; i < c.n_files; i++) h = osq_fnv1a64(c.files[i].text, c.files[i].len, h);
  osq_hash_hex(h, sc->hash);

  free_srcs(&c);
  config_destroy(&cfg);
  return err->code ? OSQ_ECONFIG : OSQ_OK;
}

void osq_scenario_print_schema(FILE *f) {
  fprintf(f, "%-46s %-10s %-22s %-10s %s\n", "key", "type", "range", "default", "meaning");
  for (size_t i = 0; i < N_SCHEMA; i++) {
    const key_t_ *k = &SCHEMA[i];
    static const char *tn[] = {"group", "list", "integer", "number", "bool", "string", "date", "strings", "integers"};
    char range[80] = "", lo[32], hi[32];
    fmt_bound(k->lo, lo, sizeof lo);
    fmt_bound(k->hi, hi, sizeof hi);
    if (k->kind == K_INT || k->kind == K_FLOAT) snprintf(range, sizeof range, "[%s, %s]", lo, hi);
    else if (k->kind == K_LIST || k->kind == K_STRARRAY) snprintf(range, sizeof range, "%s..%s entries", lo, hi);
    else if (k->kind == K_STRING) snprintf(range, sizeof range, "%s..%s chars", lo, hi);
    else if (k->kind == K_INTARRAY) snprintf(range, sizeof range, "0..%zu of [%.12s, %.12s]", k->size / sizeof(int), lo, hi);
    const bool scalar = k->kind != K_GROUP && k->kind != K_LIST;
    const char *def = k->required                                  ? "required"
                      : k->def                                     ? k->def
                      : scalar && strncmp(k->key, "model.", 6) == 0 ? "model"
                                                                   : "-";
    fprintf(f, "%-46s %-10s %-22s %-10s %s\n", k->key, tn[k->kind], range, def, k->help);
  }
  fprintf(f, "\n\"model\" defaults are the fitted values of docs/model.md (shown by osq check).\n");
  fprintf(f, "Integers of 2^31 or more need an L suffix (libconfig 1.5): trials = 10000000000L;\n");
}

void osq_scenario_print_settings(FILE *f, const osq_scenario_t *sc) {
  osq_scenario_t defaults;
  memset(&defaults, 0, sizeof defaults);
  osq_model_params_default(&defaults.model);
  for (size_t i = 0; i < N_SCHEMA; i++) store_default(&defaults, &SCHEMA[i]);
  for (size_t i = 0; i < N_SCHEMA; i++) {
    const key_t_ *k = &SCHEMA[i];
    if (k->dest == D_NONE) continue;
    const char *a = (const char *)sc + k->off, *b = (const char *)&defaults + k->off;
    char val[OSQ_PATH_MAX + 8];
    switch (k->dest) {
      case D_I64: snprintf(val, sizeof val, "%lld", (long long)*(const int64_t *)(const void *)a); break;
      case D_INT: snprintf(val, sizeof val, "%d", *(const int *)(const void *)a); break;
      case D_U64: snprintf(val, sizeof val, "%llu", (unsigned long long)*(const uint64_t *)(const void *)a); break;
      case D_DOUBLE: snprintf(val, sizeof val, "%g", *(const double *)(const void *)a); break;
      case D_BOOL: snprintf(val, sizeof val, "%s", *(const bool *)(const void *)a ? "true" : "false"); break;
      case D_STR: snprintf(val, sizeof val, "\"%s\"", a); break;
      case D_NONE: break;
    }
    /* Keys whose default is derived (name, last_year, output.dir) carry no marker. */
    bool derived = !k->def && strncmp(k->key, "model.", 6) != 0;
    bool is_def = memcmp(a, b, k->size) == 0;
    fprintf(f, "  %-32s %-24s%s\n", k->key, val, derived || is_def ? "" : "  (set)");
  }
  fprintf(f, "  %-32s \"%s\"\n", "output.formats", sc->formats);
  char years[8 * OSQ_NO_PLAN_YEARS_MAX + 4] = "[";
  for (int k = 0; k < sc->model.n_no_plan_years; k++) {
    size_t used = strlen(years);
    snprintf(years + used, sizeof years - used, "%s%d", k ? ", " : "", sc->model.no_plan_years[k]);
  }
  size_t used = strlen(years);
  snprintf(years + used, sizeof years - used, "]");
  fprintf(f, "  %-32s %-24s%s\n", "model.no_plan_years", years, sc->model.n_no_plan_years ? "  (set)" : "");
}

int64_t osq_scenario_geo_stride(const osq_scenario_t *sc, int64_t trials) {
  const int64_t geo_trials = sc->geo.trials;
  if (geo_trials <= 0 || geo_trials >= trials) return 1;
  return (trials + geo_trials - 1) / geo_trials;
}

/* ------------------------------------------------------------------------------------------ */
/* Numeric keys by name (osq calibrate, osq sensitivity)                                      */
/* ------------------------------------------------------------------------------------------ */

/* Where a numeric key lives: a double or an int of sc, its schema entry (range, integer-ness), and
 * for a per-party value the global one it falls back on while unset (< 0). */
typedef struct {
  double *d;
  int *i;
  int64_t *i64;
  const key_t_ *k;
  const double *fallback; /* a double's value while it is unset (< 0) */
  const int *ifallback;   /* an int's value while it is unset (0) */
} number_t;

static int find_number(osq_scenario_t *sc, const char *key, number_t *n, osq_error_t *err) {
  memset(n, 0, sizeof *n);
  char code[8], field[40], pattern[96];
  const key_t_ *k = schema_find(key);
  if (k && k->dest != D_NONE && (k->kind == K_INT || k->kind == K_FLOAT)) {
    n->k = k;
    char *base = (char *)sc + k->off;
    if (k->dest == D_DOUBLE) n->d = (double *)(void *)base;
    else if (k->dest == D_INT) n->i = (int *)(void *)base;
    else if (k->dest == D_I64) n->i64 = (int64_t *)(void *)base;
    else return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s is not a number a study can vary", key);
    return OSQ_OK;
  }
  if (sscanf(key, "model.parties.%7[A-Z].%39[a-z_]", code, field) == 2) {
    const int p = osq_treaty_find(&sc->treaty, code);
    if (p < 0) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s: %s is not a quota holder of the treaty", key, code);
    snprintf(pattern, sizeof pattern, "model.parties.*.%s", field);
    n->k = schema_find(pattern);
    osq_model_params_t *m = &sc->model;
    const double *bloc_row = m->interest[osq_party_bloc(&sc->treaty.parties[p], sc->first_year)];
    static const double one = 1.0;
    if (strcmp(field, "demand") == 0) n->d = &m->demand_by[p], n->fallback = &m->demand;
    else if (strcmp(field, "interest") == 0) n->d = &m->interest_by[p], n->fallback = &one;
    else if (strcmp(field, "completion") == 0) n->d = &m->completion_by[p], n->fallback = &m->completion;
    else if (strcmp(field, "interest_nato") == 0) n->d = &m->interest_obs_by[p][OSQ_BLOC_NATO], n->fallback = &bloc_row[OSQ_BLOC_NATO];
    else if (strcmp(field, "interest_ruby") == 0) n->d = &m->interest_obs_by[p][OSQ_BLOC_RUBY], n->fallback = &bloc_row[OSQ_BLOC_RUBY];
    else if (strcmp(field, "interest_other") == 0) n->d = &m->interest_obs_by[p][OSQ_BLOC_OTHER], n->fallback = &bloc_row[OSQ_BLOC_OTHER];
    if (!n->d || !n->k) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s: %s is not a numeric per-party parameter "
                                             "(expected demand, interest, completion, interest_nato, interest_ruby or "
                                             "interest_other)", key, field);
    return OSQ_OK;
  }
  int year;
  if (sscanf(key, "model.years.%d.%39[a-z_]", &year, field) == 2 && year >= 2002 && year <= 2100) {
    snprintf(pattern, sizeof pattern, "model.years.*.%s", field);
    n->k = schema_find(pattern);
    osq_model_params_t *m = &sc->model;
    osq_year_params_t *y = osq_model_params_year(m, year);
    if (!y && m->n_years < OSQ_YEAR_PARAMS_MAX) { /* an entry for the year, all its values unset */
      y = &m->years[m->n_years++];
      *y = (osq_year_params_t){.year = year, .demand_factor = -1, .share_prob = -1, .completion = -1};
    }
    if (!y) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s: more than %d years with their own parameters", key,
                                 OSQ_YEAR_PARAMS_MAX);
    static const double one = 1.0;
    if (strcmp(field, "demand_factor") == 0) n->d = &y->demand_factor, n->fallback = &one;
    else if (strcmp(field, "share_prob") == 0) n->d = &y->share_prob, n->fallback = &m->share_prob;
    else if (strcmp(field, "completion") == 0) n->d = &y->completion, n->fallback = &m->completion;
    else if (strcmp(field, "season_first_doy") == 0) n->i = &y->season_first_doy, n->ifallback = &m->season_first_doy;
    else if (strcmp(field, "season_last_doy") == 0) n->i = &y->season_last_doy, n->ifallback = &m->season_last_doy;
    if ((!n->d && !n->i) || !n->k)
      return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s: %s is not a per-year parameter (expected demand_factor, "
                           "share_prob, completion, season_first_doy or season_last_doy)", key, field);
    return OSQ_OK;
  }
  char code2[8];
  if (sscanf(key, "model.pairs.%7[A-Z].%7[A-Z].%39[a-z_]", code, code2, field) == 3 && strcmp(field, "interest") == 0) {
    const int o = osq_treaty_find(&sc->treaty, code), t = osq_treaty_find(&sc->treaty, code2);
    if (o < 0 || t < 0 || o == t)
      return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s: %s over %s is not a pair of quota holders of the treaty", key,
                           code, code2);
    static const double one = 1.0;
    n->k = schema_find("model.pairs.*.interest");
    osq_model_params_t *m = &sc->model;
    osq_pair_params_t *q = NULL; /* the pair's entry for every year */
    for (int e = 0; e < m->n_pairs && !q; e++)
      if (m->pairs[e].observer == o && m->pairs[e].observed == t && m->pairs[e].first_year == 2002 &&
          m->pairs[e].last_year == 2100)
        q = &m->pairs[e];
    if (!q && m->n_pairs < OSQ_PAIRS_MAX) { /* first in the list: entries for some years, applied after it, win */
      memmove(&m->pairs[1], &m->pairs[0], sizeof m->pairs[0] * (size_t)m->n_pairs);
      m->n_pairs++;
      q = &m->pairs[0];
      *q = (osq_pair_params_t){o, t, -1.0, 2002, 2100};
    }
    if (!q) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s: more than %d pairs", key, OSQ_PAIRS_MAX);
    n->d = &q->interest;
    n->fallback = &one;
    return OSQ_OK;
  }
  if (sscanf(key, "treaty.parties.%7[A-Z].%39[a-z_]", code, field) == 2 && strcmp(field, "passive_quota") == 0) {
    const int p = osq_treaty_find(&sc->treaty, code);
    if (p < 0) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s: %s is not a quota holder of the treaty", key, code);
    n->k = schema_find("treaty.parties.*.passive_quota");
    n->i = &sc->treaty.parties[p].passive_quota;
    return OSQ_OK;
  }
  return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s is not a numeric scenario key (expected a number of osq "
                       "--help-scenario such as model.demand, model.parties.US.completion or "
                       "treaty.parties.SE.passive_quota)", key);
}

int osq_scenario_number_info(osq_scenario_t *sc, const char *key, bool *integer, double *lo, double *hi,
                             osq_error_t *err) {
  number_t n;
  const int rc = find_number(sc, key, &n, err);
  if (rc != OSQ_OK) return rc;
  *integer = n.k->kind == K_INT;
  *lo = n.k->lo;
  *hi = n.k->hi;
  return OSQ_OK;
}

int osq_scenario_get_number(osq_scenario_t *sc, const char *key, double *v, osq_error_t *err) {
  number_t n;
  const int rc = find_number(sc, key, &n, err);
  if (rc != OSQ_OK) return rc;
  if (n.d) *v = *n.d < 0.0 && n.fallback ? *n.fallback : *n.d;
  else if (n.i) *v = *n.i <= 0 && n.ifallback ? *n.ifallback : *n.i;
  else *v = (double)*n.i64;
  return OSQ_OK;
}

int osq_scenario_set_number(osq_scenario_t *sc, const char *key, double v, osq_error_t *err) {
  number_t n;
  const int rc = find_number(sc, key, &n, err);
  if (rc != OSQ_OK) return rc;
  if (!(v >= n.k->lo && v <= n.k->hi))
    return osq_error_add(err, OSQ_ERANGE, NULL, 0, "%s = %g is out of range (expected %g to %g)", key, v, n.k->lo,
                         n.k->hi);
  if (n.k->kind == K_INT && v != floor(v))
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s = %g is not an integer", key, v);
  if (n.d) *n.d = v;
  else if (n.i) *n.i = (int)v;
  else *n.i64 = (int64_t)v;
  return OSQ_OK;
}
