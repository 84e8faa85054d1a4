/*
 * study.c owns loading and validating study files (see study.h): the schema table, the walk that
 * checks every setting against it, the extraction of the study, its scenarios (through the
 * scenario loader), its inputs and their distributions, and its outputs.
 *
 * As the scenario loader does, it collects every problem of a file before returning, each at the
 * line of the setting at fault, so that a file is fixed in one round trip. What only the engine
 * knows (whether a scenario has the row an output names) is checked when the study is prepared,
 * at the output's line too (sim/engine/run_sensitivity.c).
 */
#include "sim/input/study.h"

#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/input/hash.h"
#include "sim/input/paths.h"

/* ------------------------------------------------------------------------------------------ */
/* The schema                                                                                  */
/* ------------------------------------------------------------------------------------------ */

typedef enum { K_GROUP, K_LIST, K_INT, K_FLOAT, K_STRING, K_STRARRAY, K_NUMARRAY } kind_t;

typedef struct {
  const char *key;  /* dotted path; "*" stands for any element of a list */
  kind_t kind;
  double lo, hi;    /* inclusive range of numbers, of string lengths, of entries */
  bool required;
  const char *help;
} skey_t;

#define TWO31 2147483647.0
#define I63 9223372036854775807.0

static const skey_t SCHEMA[] = {
    {"study", K_GROUP, 0, 0, true, "what to study and how"},
    {"study.name", K_STRING, 1, 63, false, "study name (default: the file's base name)"},
    {"study.scenarios", K_STRARRAY, 1, OSQ_STUDY_SCENARIOS_MAX, true,
     "scenario files, relative to the study file; the first is the reference of every difference"},
    {"study.method", K_STRING, 1, 16, false, "\"sobol\" (default) or \"morris\""},
    {"study.points", K_INT, 2, 65536, false, "Sobol: base rows N (default 32); Morris: trajectories r (default 20)"},
    {"study.trials", K_INT, 1, TWO31, false, "trials of each scenario at each point (default 400)"},
    {"study.geo_trials", K_INT, 0, TWO31, false, "of those with geography, about (default: the scenarios' share)"},
    {"study.seed", K_INT, 0, I63, false, "seed of every scenario's trials (default: the first scenario's)"},
    {"study.block_size", K_INT, 1, 1048576, false, "trials per statistics block (default: a point's trials in 8)"},
    {"study.bootstrap", K_INT, 100, 100000, false, "bootstrap resamples of the Sobol indices' CIs (default 1000)"},
    {"study.levels", K_INT, 4, 20, false, "Morris grid levels, even (default 4)"},
    {"study.threads", K_INT, 0, 1024, false, "OpenMP threads, 0 = all available"},
    {"inputs", K_LIST, 1, OSQ_STUDY_INPUTS_MAX, true, "the uncertain inputs"},
    {"inputs.*", K_GROUP, 0, 0, false, "one input"},
    {"inputs.*.key", K_STRING, 1, OSQ_STUDY_KEY_LEN - 1, true, "a numeric scenario key (osq --help-scenario)"},
    {"inputs.*.dist", K_STRING, 1, 16, true, "uniform, loguniform, triangular, normal or discrete"},
    {"inputs.*.min", K_FLOAT, -1e15, 1e15, false, "lower end of the range"},
    {"inputs.*.max", K_FLOAT, -1e15, 1e15, false, "upper end of the range"},
    {"inputs.*.mode", K_FLOAT, -1e15, 1e15, false, "triangular: the most likely value"},
    {"inputs.*.mean", K_FLOAT, -1e15, 1e15, false, "normal: its mean before truncation"},
    {"inputs.*.sd", K_FLOAT, 0, 1e15, false, "normal: its standard deviation before truncation"},
    {"inputs.*.values", K_NUMARRAY, 2, OSQ_STUDY_VALUES_MAX, false, "discrete: the values, equally likely"},
    {"inputs.*.reason", K_STRING, 1, OSQ_STUDY_REASON_LEN - 1, true, "why this range (its source)"},
    {"outputs", K_LIST, 1, OSQ_STUDY_OUTPUTS_MAX, true, "what to report"},
    {"outputs.*", K_GROUP, 0, 0, false, "one output"},
    {"outputs.*.name", K_STRING, 1, OSQ_STUDY_NAME_LEN - 1, true, "its name: lower-case letters, digits, _"},
    {"outputs.*.metric", K_STRING, 1, 31, true, "a metric of summary.csv"},
    {"outputs.*.party", K_STRING, 2, 4, false, "a quota holder's code, or ALL (default), EUR, NAM"},
    {"outputs.*.scenario", K_STRING, 1, 63, false, "a study scenario's name (default: the first)"},
    {"outputs.*.minus", K_STRING, 1, 63, false, "report scenario - minus, paired (default: none)"},
    {"outputs.*.year", K_INT, 2002, 2100, false, "a simulated year of scenario (default: its first)"},
    {"output", K_GROUP, 0, 0, false, "where to write"},
    {"output.dir", K_STRING, 1, OSQ_PATH_MAX - 1, false, "result directory (default: out/NAME)"},
    {"output.formats", K_STRARRAY, 1, 3, false, "csv (always), md, tex (default [\"csv\", \"md\"])"},
};
#define N_SCHEMA (sizeof SCHEMA / sizeof SCHEMA[0])

static const char *const DIST_NAMES[OSQ_DIST_COUNT] = {"uniform", "loguniform", "triangular", "normal", "discrete"};

const char *osq_dist_name(int kind) { return kind >= 0 && kind < OSQ_DIST_COUNT ? DIST_NAMES[kind] : "?"; }

const char *osq_method_name(int method) { return method == OSQ_METHOD_MORRIS ? "morris" : "sobol"; }

/* Study files are small; libconfig 1.5 parses large ones very slowly (sim/input/scenario.c). */
#define STUDY_MAX_BYTES (256 * 1024)

/* ------------------------------------------------------------------------------------------ */
/* Load context and the walk                                                                   */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  osq_error_t *err;
  const char *path;
  char dir[OSQ_PATH_MAX];
  const char *text; /* the file, for the literals libconfig 1.5 truncates */
} ctx_t;

#define ERR_AT(c, s, ...) osq_error_add((c)->err, OSQ_ECONFIG, (c)->path, (int)config_setting_source_line(s), __VA_ARGS__)

static const skey_t *schema_find(const char *pattern) {
  for (size_t i = 0; i < N_SCHEMA; i++)
    if (strcmp(SCHEMA[i].key, pattern) == 0) return &SCHEMA[i];
  return NULL;
}

static const char *kind_name(kind_t k) {
  switch (k) {
    case K_GROUP: return "a group { ... }";
    case K_LIST: return "a list ( ... )";
    case K_INT: return "an integer";
    case K_FLOAT: return "a number";
    case K_STRING: return "a string";
    case K_STRARRAY: return "an array of strings [ ... ]";
    case K_NUMARRAY: return "an array of numbers [ ... ]";
  }
  return "?";
}

static void fmt_bound(double v, char *buf, size_t n) {
  if (v >= I63) snprintf(buf, n, "2^63-1");
  else if (v == TWO31) snprintf(buf, n, "2^31-1");
  else snprintf(buf, n, "%.15g", v);
}

static void walk_group(ctx_t *c, const config_setting_t *g, const char *pattern, const char *display);

static void check_required(ctx_t *c, const config_setting_t *g, const char *pattern, const char *display) {
  const size_t lp = strlen(pattern);
  for (size_t i = 0; i < N_SCHEMA; i++) {
    const skey_t *k = &SCHEMA[i];
    const char *leaf = k->key + (lp ? lp + 1 : 0);
    if (!k->required || (lp && (strncmp(k->key, pattern, lp) != 0 || k->key[lp] != '.')) || strchr(leaf, '.'))
      continue;
    if (!config_setting_get_member(g, leaf))
      ERR_AT(c, g, "%s%s%s is missing (expected %s: %s)", display, lp ? "." : "", leaf, kind_name(k->kind), k->help);
  }
}

static void check_array(ctx_t *c, const config_setting_t *s, const skey_t *k, const char *display) {
  char got[96];
  const int n = config_setting_length(s);
  if (n < k->lo || n > k->hi) {
    ERR_AT(c, s, "%s has %d entries (expected %g to %g)", display, n, k->lo, k->hi);
    return;
  }
  for (int i = 0; i < n; i++) {
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    const int et = config_setting_type(e);
    const bool num = et == CONFIG_TYPE_INT || et == CONFIG_TYPE_INT64 || et == CONFIG_TYPE_FLOAT;
    if (k->kind == K_STRARRAY ? et != CONFIG_TYPE_STRING : !num) {
      osq_config_describe(e, got, sizeof got);
      ERR_AT(c, s, "%s[%d] must be %s (got %s)", display, i, k->kind == K_STRARRAY ? "a string" : "a number", got);
      return;
    }
    if (num && !isfinite(config_setting_get_float(e)) && et == CONFIG_TYPE_FLOAT) {
      ERR_AT(c, s, "%s[%d] is not finite (expected a number)", display, i);
      return;
    }
  }
}

static void check_value(ctx_t *c, const config_setting_t *s, const skey_t *k, const char *pattern,
                        const char *display) {
  char got[96], lo[32], hi[32];
  const int type = config_setting_type(s);
  osq_config_describe(s, got, sizeof got);
  fmt_bound(k->lo, lo, sizeof lo);
  fmt_bound(k->hi, hi, sizeof hi);
  const bool is_int = type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64;
  switch (k->kind) {
    case K_GROUP:
      if (type != CONFIG_TYPE_GROUP) {
        ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
        return;
      }
      walk_group(c, s, pattern, display);
      check_required(c, s, pattern, display);
      return;
    case K_LIST: {
      if (type != CONFIG_TYPE_LIST) {
        ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
        return;
      }
      const int n = config_setting_length(s);
      if (n < k->lo || n > k->hi) ERR_AT(c, s, "%s has %d entries (expected %g to %g)", display, n, k->lo, k->hi);
      char epat[96], edisp[96];
      snprintf(epat, sizeof epat, "%s.*", pattern);
      const skey_t *ek = schema_find(epat);
      for (int i = 0; ek && i < n && i < (int)k->hi; i++) {
        snprintf(edisp, sizeof edisp, "%s[%d]", display, i);
        check_value(c, config_setting_get_elem(s, (unsigned)i), ek, epat, edisp);
      }
      return;
    }
    case K_INT: {
      long long lit;
      if (!is_int) ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
      else if (type == CONFIG_TYPE_INT && osq_config_truncated_literal(c->text, (int)config_setting_source_line(s), s, &lit))
        ERR_AT(c, s,
               "%s: the literal does not fit in 32 bits and libconfig 1.5 reads it as %d (expected a value below "
               "2^31, or the same number with an L suffix, e.g. %lldL)",
               display, config_setting_get_int(s), lit);
      else if ((double)config_setting_get_int64(s) < k->lo || (double)config_setting_get_int64(s) > k->hi)
        ERR_AT(c, s, "%s = %lld is out of range (expected an integer in [%s, %s])", display,
               config_setting_get_int64(s), lo, hi);
      return;
    }
    case K_FLOAT: {
      const double v = type == CONFIG_TYPE_FLOAT ? config_setting_get_float(s) : (double)config_setting_get_int64(s);
      if (type != CONFIG_TYPE_FLOAT && !is_int) ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
      else if (!isfinite(v) || v < k->lo || v > k->hi)
        ERR_AT(c, s, "%s = %g is out of range (expected a number in [%s, %s])", display, v, lo, hi);
      return;
    }
    case K_STRING: {
      if (type != CONFIG_TYPE_STRING) {
        ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
        return;
      }
      const size_t len = strlen(config_setting_get_string(s));
      if ((double)len < k->lo || (double)len > k->hi)
        ERR_AT(c, s, "%s = %s has %zu characters (expected %g to %g)", display, got, len, k->lo, k->hi);
      return;
    }
    case K_STRARRAY:
    case K_NUMARRAY:
      if (type != CONFIG_TYPE_ARRAY) ERR_AT(c, s, "%s must be %s (got %s)", display, kind_name(k->kind), got);
      else check_array(c, s, k, display);
      return;
  }
}

static void walk_group(ctx_t *c, const config_setting_t *g, const char *pattern, const char *display) {
  const int n = config_setting_length(g);
  for (int i = 0; i < n; i++) {
    const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
    const char *name = config_setting_name(s);
    char cpat[96], cdisp[96];
    snprintf(cpat, sizeof cpat, "%s%s%s", pattern, *pattern ? "." : "", name);
    snprintf(cdisp, sizeof cdisp, "%s%s%s", display, *display ? "." : "", name);
    const skey_t *k = schema_find(cpat);
    if (!k) {
      /* the keys the group may hold, for the message */
      char known[512] = "";
      size_t u = 0;
      const size_t lp = strlen(pattern);
      for (size_t j = 0; j < N_SCHEMA && u < sizeof known - 40; j++) {
        const char *key = SCHEMA[j].key, *leaf = key + (lp ? lp + 1 : 0);
        if ((lp && (strncmp(key, pattern, lp) != 0 || key[lp] != '.')) || strchr(leaf, '.') || !strcmp(leaf, "*"))
          continue;
        u += (size_t)snprintf(known + u, sizeof known - u, "%s%s", u ? ", " : "", leaf);
      }
      ERR_AT(c, s, "unknown setting '%s' (expected one of: %s)", cdisp, known);
      continue;
    }
    check_value(c, s, k, cpat, cdisp);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Typed getters (after the walk: they skip what it refused)                                  */
/* ------------------------------------------------------------------------------------------ */

static const char *get_str(const config_setting_t *g, const char *name) {
  const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
  return s && config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
}

static bool get_i64(const config_setting_t *g, const char *name, int64_t *out) {
  const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
  if (!s || (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)) return false;
  *out = (int64_t)config_setting_get_int64(s);
  return true;
}

static bool get_num(const config_setting_t *g, const char *name, double *out) {
  const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
  if (!s) return false;
  const int t = config_setting_type(s);
  if (t == CONFIG_TYPE_FLOAT) *out = config_setting_get_float(s);
  else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) *out = (double)config_setting_get_int64(s);
  else return false;
  return isfinite(*out);
}

/* The line of a member if present, else of its group. */
static int line_of(const config_setting_t *g, const char *name) {
  const config_setting_t *s = config_setting_get_member(g, name);
  return (int)config_setting_source_line(s ? s : g);
}

/* ------------------------------------------------------------------------------------------ */
/* Extraction                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* The scenarios, each loaded by the scenario loader (its own messages carry its own FILE:LINE). */
static void load_scenarios(ctx_t *c, const config_setting_t *arr, osq_study_t *st) {
  const int n = config_setting_length(arr);
  for (int i = 0; i < n && i < OSQ_STUDY_SCENARIOS_MAX; i++) {
    const char *rel = config_setting_get_string_elem(arr, (unsigned)i);
    if (!rel) return;
    char full[2 * OSQ_PATH_MAX + 2];
    if (rel[0] == '/' || strcmp(c->dir, ".") == 0) snprintf(full, sizeof full, "%s", rel);
    else snprintf(full, sizeof full, "%s/%s", c->dir, rel);
    if (strlen(full) >= OSQ_PATH_MAX) {
      ERR_AT(c, arr, "study.scenarios[%d] = \"%.60s...\" is too long (expected a path of at most %d characters)", i,
             rel, OSQ_PATH_MAX - 1);
      continue;
    }
    osq_scenario_t *sc = malloc(sizeof *sc);
    if (!sc) {
      osq_error_add(c->err, OSQ_ENOMEM, NULL, 0, "out of memory");
      return;
    }
    const int rc = osq_scenario_load(full, sc, c->err);
    if (rc == OSQ_EIO) ERR_AT(c, arr, "study.scenarios[%d] = \"%s\" cannot be read (expected a scenario file relative "
                              "to %s)", i, rel, c->dir);
    if (rc != OSQ_OK) {
      free(sc);
      continue;
    }
    for (int k = 0; k < st->n_scenarios; k++)
      if (strcmp(st->sc[k]->name, sc->name) == 0)
        ERR_AT(c, arr, "study.scenarios[%d] is named \"%s\" as study.scenarios[%d] is (expected scenarios of distinct "
               "names: outputs name them)", i, sc->name, k);
    if (st->n_scenarios > 0 && sc->last_year - sc->first_year != st->sc[0]->last_year - st->sc[0]->first_year)
      ERR_AT(c, arr, "study.scenarios[%d] = \"%s\" simulates %d years, the first scenario %d (expected the same number "
             "of years: rows are paired by year position)", i, rel, sc->last_year - sc->first_year + 1,
             st->sc[0]->last_year - st->sc[0]->first_year + 1);
    st->sc[st->n_scenarios++] = sc;
  }
}

static void load_settings(ctx_t *c, const config_t *cfg, osq_study_t *st) {
  const config_setting_t *g = config_lookup(cfg, "study");
  const char *name = get_str(g, "name"), *method = get_str(g, "method");
  if (name) snprintf(st->name, sizeof st->name, "%s", name);
  if (method && strcmp(method, "sobol") == 0) st->method = OSQ_METHOD_SOBOL;
  else if (method && strcmp(method, "morris") == 0) st->method = OSQ_METHOD_MORRIS;
  else if (method) ERR_AT(c, config_setting_get_member(g, "method"), "study.method = \"%s\" is not a method (expected "
                          "\"sobol\" or \"morris\")", method);
  int64_t v;
  st->points_set = get_i64(g, "points", &st->points);
  if (get_i64(g, "trials", &v)) st->trials = v;
  st->geo_trials_set = get_i64(g, "geo_trials", &st->geo_trials);
  st->block_size_set = get_i64(g, "block_size", &st->block_size);
  if (get_i64(g, "seed", &v)) st->seed = (uint64_t)v;
  if (get_i64(g, "threads", &v)) st->threads = (int)v;
  if (get_i64(g, "bootstrap", &v)) st->bootstrap = (int)v;
  if (get_i64(g, "levels", &v)) {
    st->levels = (int)v;
    if (v % 2) ERR_AT(c, config_setting_get_member(g, "levels"), "study.levels = %d is odd (expected an even number of "
                      "levels: the Morris step is levels / (2 (levels - 1)))", (int)v);
  }
  const config_setting_t *out = config_lookup(cfg, "output");
  const char *dir = get_str(out, "dir");
  if (dir) snprintf(st->out_dir, sizeof st->out_dir, "%s", dir);
  else snprintf(st->out_dir, sizeof st->out_dir, "out/%s", st->name);
  const config_setting_t *f = out ? config_setting_get_member(out, "formats") : NULL;
  snprintf(st->formats, sizeof st->formats, "%s", f ? "csv" : "csv,md");
  for (int i = 0; f && config_setting_type(f) == CONFIG_TYPE_ARRAY && i < config_setting_length(f); i++) {
    const char *fmt = config_setting_get_string_elem(f, (unsigned)i);
    if (!fmt || strcmp(fmt, "csv") == 0) continue;
    if (strcmp(fmt, "md") != 0 && strcmp(fmt, "tex") != 0)
      ERR_AT(c, f, "output.formats[%d] = \"%s\" is not a format of a study (expected \"csv\", \"md\" or \"tex\")", i, fmt);
    else if (!strstr(st->formats, fmt)) snprintf(st->formats + strlen(st->formats), sizeof st->formats - strlen(st->formats), ",%s", fmt);
  }
}

/* Keys a study may not vary: they say how the trials run or what is written, not what is modelled;
 * the raster is shared by every point of a study. */
static const char *fixed_key(const char *key) {
  static const char *const fixed[] = {"simulation.", "output.", "geo.trials", "geo.resolution_deg"};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    if (strncmp(key, fixed[i], strlen(fixed[i])) == 0) return fixed[i];
  return NULL;
}

/* The distribution's parameters: present as its kind needs them, consistent, within [lo, hi]. */
static void load_dist(ctx_t *c, const config_setting_t *g, const char *disp, osq_dist_t *d, double lo, double hi) {
  const int L = (int)config_setting_source_line(g);
  const bool has_min = get_num(g, "min", &d->min), has_max = get_num(g, "max", &d->max);
  const bool has_mode = get_num(g, "mode", &d->mode), has_mean = get_num(g, "mean", &d->mean);
  const bool has_sd = get_num(g, "sd", &d->sd);
  const config_setting_t *vals = config_setting_get_member(g, "values");
  static const char *const needs[OSQ_DIST_COUNT] = {"min and max", "min and max", "min, mode and max",
                                                    "mean, sd, min and max", "values"};
  const bool complete[OSQ_DIST_COUNT] = {has_min && has_max, has_min && has_max, has_min && has_mode && has_max,
                                         has_mean && has_sd && has_min && has_max, vals != NULL};
  if (!complete[d->kind]) {
    osq_error_add(c->err, OSQ_ECONFIG, c->path, L, "%s: a %s distribution needs %s (expected them in the group)", disp,
                  osq_dist_name(d->kind), needs[d->kind]);
    return;
  }
  if (d->kind == OSQ_DIST_DISCRETE) {
    if (config_setting_type(vals) != CONFIG_TYPE_ARRAY) return;
    d->n_values = config_setting_length(vals);
    if (d->n_values > OSQ_STUDY_VALUES_MAX) d->n_values = OSQ_STUDY_VALUES_MAX;
    for (int i = 0; i < d->n_values; i++) {
      d->values[i] = config_setting_get_float_elem(vals, (unsigned)i);
      const int t = config_setting_type(config_setting_get_elem(vals, (unsigned)i));
      if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) d->values[i] = (double)config_setting_get_int64_elem(vals, (unsigned)i);
      if (i > 0 && !(d->values[i] > d->values[i - 1]))
        osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "values"), "%s.values[%d] = %g is not above "
                      "values[%d] = %g (expected distinct values in ascending order)", disp, i, d->values[i], i - 1,
                      d->values[i - 1]);
    }
    if (d->n_values < 2) return;
    d->min = d->values[0];
    d->max = d->values[d->n_values - 1];
  } else if (d->max < d->min) {
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "min"), "%s: min = %g is above max = %g (expected min < max)",
                  disp, d->min, d->max);
    return;
  } else if (d->max == d->min) {
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "min"), "%s: the range [%g, %g] is empty (expected min < "
                  "max: an input that cannot vary is no uncertainty)", disp, d->min, d->max);
    return;
  }
  if (d->kind == OSQ_DIST_LOGUNIFORM && !(d->min > 0))
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "min"), "%s: min = %g (expected min > 0 for a loguniform "
                  "distribution)", disp, d->min);
  if (d->kind == OSQ_DIST_TRIANGULAR && !(d->mode >= d->min && d->mode <= d->max))
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "mode"), "%s: mode = %g is outside [%g, %g] (expected "
                  "min <= mode <= max)", disp, d->mode, d->min, d->max);
  if (d->kind == OSQ_DIST_NORMAL && !(d->sd > 0))
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "sd"), "%s: sd = %g (expected sd > 0)", disp, d->sd);
  if (d->min < lo || d->max > hi)
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, d->kind == OSQ_DIST_DISCRETE ? "values" : "min"),
                  "%s: the range [%g, %g] leaves the key's [%g, %g] (expected a range within the key's, osq "
                  "--help-scenario)", disp, d->min, d->max, lo, hi);
  if (d->integer) {
    bool whole = d->kind == OSQ_DIST_UNIFORM || d->kind == OSQ_DIST_DISCRETE;
    for (int i = 0; whole && i < d->n_values; i++) whole = d->values[i] == floor(d->values[i]);
    if (whole && d->kind == OSQ_DIST_UNIFORM) whole = d->min == floor(d->min) && d->max == floor(d->max);
    if (!whole)
      osq_error_add(c->err, OSQ_ECONFIG, c->path, L, "%s: the key is an integer (expected a uniform distribution "
                    "between whole numbers, or discrete whole values)", disp);
  }
}

static void load_input(ctx_t *c, const config_setting_t *g, int i, osq_study_t *st) {
  osq_study_input_t *in = &st->input[st->n_inputs];
  char disp[32];
  snprintf(disp, sizeof disp, "inputs[%d]", i);
  in->line = (int)config_setting_source_line(g);
  const char *key = get_str(g, "key"), *dist = get_str(g, "dist"), *reason = get_str(g, "reason");
  if (!key || !dist || !reason) return;
  snprintf(in->key, sizeof in->key, "%s", key);
  snprintf(in->reason, sizeof in->reason, "%s", reason);
  const int kl = line_of(g, "key");
  for (int k = 0; k < st->n_inputs; k++)
    if (strcmp(st->input[k].key, key) == 0)
      osq_error_add(c->err, OSQ_ECONFIG, c->path, kl, "%s.key = \"%s\" repeats inputs[%d] (expected each key once)",
                    disp, key, k);
  const char *fixed = fixed_key(key);
  if (fixed) {
    osq_error_add(c->err, OSQ_ECONFIG, c->path, kl, "%s.key = \"%s\": %s* says how the trials run or what is written, "
                  "not what is modelled (expected a model, geography or treaty number)", disp, key, fixed);
    return;
  }
  /* A key of every scenario, with one range and one integer-ness (the schema's). */
  bool integer = false;
  double lo = 0, hi = 0;
  for (int s = 0; s < st->n_scenarios; s++) {
    osq_error_t e;
    osq_error_clear(&e);
    if (osq_scenario_number_info(st->sc[s], key, &integer, &lo, &hi, &e) != OSQ_OK) {
      osq_error_add(c->err, OSQ_ECONFIG, c->path, kl, "%s.key: %s", disp, e.n ? e.msg[0] : "not a numeric key");
      return;
    }
  }
  int kind = OSQ_DIST_COUNT;
  for (int k = 0; k < OSQ_DIST_COUNT; k++)
    if (strcmp(dist, DIST_NAMES[k]) == 0) kind = k;
  if (kind == OSQ_DIST_COUNT) {
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "dist"), "%s.dist = \"%s\" is not a distribution (expected "
                  "uniform, loguniform, triangular, normal or discrete)", disp, dist);
    return;
  }
  in->dist.kind = (osq_dist_kind_t)kind;
  in->dist.integer = integer;
  load_dist(c, g, disp, &in->dist, lo, hi);
  st->n_inputs++;
}

static int scenario_index(const osq_study_t *st, const char *name) {
  for (int k = 0; k < st->n_scenarios; k++)
    if (strcmp(st->sc[k]->name, name) == 0) return k;
  return -1;
}

static bool is_name(const char *s) {
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
  return true;
}

static void load_output(ctx_t *c, const config_setting_t *g, int i, osq_study_t *st) {
  osq_study_output_t *o = &st->output[st->n_outputs];
  char disp[32], names[256] = "";
  snprintf(disp, sizeof disp, "outputs[%d]", i);
  o->line = (int)config_setting_source_line(g);
  o->metric_line = line_of(g, "metric");
  const char *name = get_str(g, "name"), *metric = get_str(g, "metric"), *party = get_str(g, "party");
  const char *scen = get_str(g, "scenario"), *minus = get_str(g, "minus");
  if (!name || !metric || st->n_scenarios == 0) return;
  snprintf(o->name, sizeof o->name, "%s", name);
  snprintf(o->metric, sizeof o->metric, "%s", metric);
  snprintf(o->party, sizeof o->party, "%s", party ? party : "ALL");
  if (!is_name(name))
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "name"), "%s.name = \"%s\" (expected lower-case letters, "
                  "digits and _ only: it names a file)", disp, name);
  for (int k = 0; k < st->n_outputs; k++)
    if (strcmp(st->output[k].name, name) == 0)
      osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "name"), "%s.name = \"%s\" repeats outputs[%d] (expected "
                    "unique names)", disp, name, k);
  for (int k = 0; k < st->n_scenarios; k++)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s\"%s\"", k ? ", " : "", st->sc[k]->name);
  o->scenario = scen ? scenario_index(st, scen) : 0;
  o->minus = minus ? scenario_index(st, minus) : -1;
  if (o->scenario < 0 || (minus && o->minus < 0)) {
    const char *which = o->scenario < 0 ? "scenario" : "minus";
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, which), "%s.%s = \"%s\" is not a scenario of the study "
                  "(expected one of %s)", disp, which, o->scenario < 0 ? scen : minus, names);
    return;
  }
  if (o->minus == o->scenario)
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "minus"), "%s: scenario and minus are both \"%s\" "
                  "(expected two scenarios: the difference of one with itself is zero)", disp, minus);
  const osq_scenario_t *sc = st->sc[o->scenario];
  int64_t year = sc->first_year;
  get_i64(g, "year", &year);
  if (year < sc->first_year || year > sc->last_year)
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "year"), "%s.year = %lld is not simulated by \"%s\" "
                  "(expected %d to %d)", disp, (long long)year, sc->name, sc->first_year, sc->last_year);
  o->year_idx = (int)(year - sc->first_year);
  const bool agg = strcmp(o->party, "ALL") == 0 || strcmp(o->party, "EUR") == 0 || strcmp(o->party, "NAM") == 0;
  if (!agg && osq_treaty_find(&sc->treaty, o->party) < 0)
    osq_error_add(c->err, OSQ_ECONFIG, c->path, line_of(g, "party"), "%s.party = \"%s\" is not a quota holder of "
                  "\"%s\" (expected a code of its treaty, or ALL, EUR, NAM)", disp, o->party, sc->name);
  st->n_outputs++;
}

static void load_lists(ctx_t *c, const config_t *cfg, osq_study_t *st) {
  const config_setting_t *ins = config_lookup(cfg, "inputs"), *outs = config_lookup(cfg, "outputs");
  for (int i = 0; ins && config_setting_type(ins) == CONFIG_TYPE_LIST && i < config_setting_length(ins) &&
                  st->n_inputs < OSQ_STUDY_INPUTS_MAX; i++) {
    const config_setting_t *g = config_setting_get_elem(ins, (unsigned)i);
    if (config_setting_type(g) == CONFIG_TYPE_GROUP) load_input(c, g, i, st);
  }
  for (int i = 0; outs && config_setting_type(outs) == CONFIG_TYPE_LIST && i < config_setting_length(outs) &&
                  st->n_outputs < OSQ_STUDY_OUTPUTS_MAX; i++) {
    const config_setting_t *g = config_setting_get_elem(outs, (unsigned)i);
    if (config_setting_type(g) == CONFIG_TYPE_GROUP) load_output(c, g, i, st);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Public                                                                                      */
/* ------------------------------------------------------------------------------------------ */

void osq_study_free(osq_study_t *st) {
  for (int k = 0; k < st->n_scenarios; k++) free(st->sc[k]);
  st->n_scenarios = 0;
}

void osq_study_defaults(osq_study_t *st) {
  if (!st->points_set) st->points = st->method == OSQ_METHOD_MORRIS ? 20 : 32;
  if (!st->geo_trials_set && st->n_scenarios > 0) {
    /* the first scenario's share of trials with geography (0 there: every trial) */
    const osq_scenario_t *sc = st->sc[0];
    st->geo_trials = sc->geo.trials > 0 && sc->geo.trials < sc->trials
                         ? (st->trials * sc->geo.trials + sc->trials - 1) / sc->trials
                         : 0;
  }
  if (!st->block_size_set) st->block_size = (st->trials + 7) / 8;
}

int64_t osq_study_n_points(const osq_study_t *st) {
  const int64_t per = st->method == OSQ_METHOD_MORRIS ? st->n_inputs + 1 : st->n_inputs + 2;
  return 1 + st->points * per;
}

/* Read the file whole (for the hash and the literal check). NULL if it cannot be read. */
static char *read_all(const char *path, size_t *len, osq_error_t *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    osq_error_add(err, OSQ_EIO, path, 0, "cannot read the study: %s", strerror(errno));
    return NULL;
  }
  struct stat st;
  const bool reg = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
  if (!reg || st.st_size > STUDY_MAX_BYTES) {
    fclose(f);
    if (!reg) osq_error_add(err, OSQ_EIO, path, 0, "cannot read the study: not a regular file (expected a file)");
    else osq_error_add(err, OSQ_ECONFIG, path, 0, "the study has %lld bytes (expected at most %d)", (long long)st.st_size,
                       STUDY_MAX_BYTES);
    return NULL;
  }
  char *buf = malloc((size_t)st.st_size + 1);
  const size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
  fclose(f);
  if (!buf) {
    osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

int osq_study_load(const char *path, osq_study_t *st, osq_error_t *err) {
  memset(st, 0, sizeof *st);
  snprintf(st->path, sizeof st->path, "%s", path);
  osq_paths_base_name(path, st->name, sizeof st->name);
  st->trials = 400;
  st->bootstrap = 1000;
  st->levels = 4;
  size_t len = 0;
  char *text = read_all(path, &len, err);
  if (!text) return err->code;
  /* Includes are not a study's business: a study names its scenarios, which include their data. */
  for (const char *p = strstr(text, "@include"); p; p = strstr(p + 1, "@include"))
    if (p == text || p[-1] == '\n') {
      int line = 1;
      for (const char *q = text; q < p; q++) line += *q == '\n';
      osq_error_add(err, OSQ_ECONFIG, path, line, "@include in a study (expected the scenarios in study.scenarios)");
    }
  if (err->code) {
    free(text);
    return err->code;
  }
  ctx_t c = {.err = err, .path = path, .text = text};
  osq_paths_dir_name(path, c.dir, sizeof c.dir);
  config_t cfg;
  config_init(&cfg);
  if (config_read_string(&cfg, text) != CONFIG_TRUE) {
    osq_error_add(err, OSQ_ECONFIG, path, config_error_line(&cfg), "%s (expected libconfig syntax: name = value;)",
                  config_error_text(&cfg));
  } else {
    const config_setting_t *root = config_root_setting(&cfg);
    walk_group(&c, root, "", "");
    check_required(&c, root, "", "");
    const config_setting_t *arr = config_lookup(&cfg, "study.scenarios");
    if (!err->code && arr) load_scenarios(&c, arr, st);
    if (!err->code) {
      st->seed = st->sc[0]->seed;
      load_settings(&c, &cfg, st);
      load_lists(&c, &cfg, st);
    }
  }
  uint64_t h = osq_fnv1a64(text, len, OSQ_FNV1A64_INIT);
  for (int k = 0; k < st->n_scenarios; k++) h = osq_fnv1a64(st->sc[k]->hash, strlen(st->sc[k]->hash), h);
  osq_hash_hex(h, st->hash);
  config_destroy(&cfg);
  free(text);
  if (err->code) {
    osq_study_free(st);
    return err->code == OSQ_ENOMEM || err->code == OSQ_EIO ? err->code : OSQ_ECONFIG;
  }
  osq_study_defaults(st);
  return OSQ_OK;
}
