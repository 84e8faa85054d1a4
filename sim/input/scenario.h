/*
 * scenario.h owns the scenario: a libconfig file that @includes the treaty data file and sets the
 * simulation, participation changes, model parameters and outputs. One schema table
 * (sim/input/scenario.c) drives validation, defaults and the printed summary.
 *
 * Rules that libconfig 1.5 does not enforce and this loader does (docs/engineering.md §6):
 * @include paths are looked up in the scenario's folder, then in the folders of OSQ_PATH and osq's
 * own scenarios (sim/input/paths.h), unknown keys are errors, every integer is
 * read as int64 and range-checked, literals that 1.5 silently truncated are detected from the
 * source text, floats must be finite, and all errors of a file are reported in one run.
 */
#ifndef OSQ_SCENARIO_H
#define OSQ_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "models/coverage.h"
#include "models/errors.h"
#include "models/params.h"
#include "models/treaty.h"

#define OSQ_PATH_MAX 1024
#define OSQ_TRIALS_MAX (INT64_C(1) << 40)

/** What one scenario file asks for, after validation and defaults. */
typedef struct {
  char path[OSQ_PATH_MAX];        /**< the scenario file as given */
  char name[64];                  /**< simulation.name, default the file's base name */
  char hash[17];                  /**< FNV-1a 64 of the scenario file and every included file */

  /* simulation */
  int64_t trials;
  uint64_t seed;
  int first_year, last_year;
  int threads;                    /**< 0 = the OpenMP default */
  int64_t block_size;

  /* the treaty with the participation changes applied */
  osq_treaty_t treaty;
  int n_changes;                  /**< participation entries applied */

  osq_model_params_t model;

  /* geography (docs/geography.md) */
  osq_geo_params_t geo;
  char boundaries[OSQ_PATH_MAX];  /**< TopoJSON of the territories, resolved to a usable path */
  bool fixed_area[OSQ_PARTIES_MAX]; /**< in force on 2019-07-01 in the treaty file: the fixed treaty area */

  /* output */
  char out_dir[OSQ_PATH_MAX];
  char formats[64];               /**< comma list, e.g. "csv,json" */
  char flight_log[OSQ_PATH_MAX];  /**< "" = none */
  int64_t flight_log_trials;
  bool map;                       /**< write map.png and map.csv */
  double map_grid_deg;            /**< cell size of map.csv */
} osq_scenario_t;

/**
 * Load and validate a scenario file. On failure *err holds one message per problem (each
 * "FILE:LINE: what is wrong (what was expected)") and the return value is OSQ_ECONFIG (bad
 * content), OSQ_EIO (cannot read the file) or OSQ_ENOMEM.
 * @param sc filled on success; the caller owns it (it is large: allocate it, do not put it on
 *           a small stack).
 */
int osq_scenario_load(const char *path, osq_scenario_t *sc, osq_error_t *err);

/**
 * Geography runs for every k-th trial of a run of `trials` trials, k = ceil(trials / geo.trials)
 * (1 when geo.trials is 0 or not below trials): about geo.trials trials spread over all blocks,
 * ceil(trials / k) exactly. @return k
 */
int64_t osq_scenario_geo_stride(const osq_scenario_t *sc, int64_t trials);

/** osq_scenario_load_opts flags. */
enum {
  OSQ_LOAD_NO_FITTED = 1u, /**< ignore the fitted group (fitted.cfg): the built-in defaults stay (osq calibrate) */
};

/** osq_scenario_load with flags (OSQ_LOAD_*). */
int osq_scenario_load_opts(const char *path, unsigned flags, osq_scenario_t *sc, osq_error_t *err);

/**
 * Numeric scenario keys by name, for the commands that vary parameters (osq calibrate, osq
 * sensitivity): a number of the schema with a single place in the scenario ("model.demand",
 * "model.interest.ruby_nato", "geo.swath_half_km"), a per-party model value
 * ("model.parties.US.completion": reading an unset one gives the global value it falls back on), a
 * per-year one ("model.years.2002.season_first_doy", likewise), a pair's interest
 * ("model.pairs.RUBY.US.interest", 1 while unset), or a quota holder's passive quota
 * ("treaty.parties.SE.passive_quota").
 * @return 0; OSQ_EINVAL (not such a key, not an integer where one is needed), OSQ_ERANGE (out of the
 *         schema's range), with one message in err
 */
int osq_scenario_number_info(osq_scenario_t *sc, const char *key, bool *integer, double *lo, double *hi,
                             osq_error_t *err);
int osq_scenario_get_number(osq_scenario_t *sc, const char *key, double *v, osq_error_t *err);
int osq_scenario_set_number(osq_scenario_t *sc, const char *key, double v, osq_error_t *err);

/** Print the schema (every key, type, range, default, help) as a table: `osq --help-scenario`. */
void osq_scenario_print_schema(FILE *f);

/** Print the effective settings of a loaded scenario, marking values that are defaults. */
void osq_scenario_print_settings(FILE *f, const osq_scenario_t *sc);

/* ---- libconfig helpers shared by the scenario, history and study loaders ---- */

struct config_setting_t;

/** What a libconfig setting holds, for a message's "(got ...)": its value, or "a group", ... */
void osq_config_describe(const struct config_setting_t *s, char *buf, size_t n);

/**
 * libconfig 1.5 reads an integer literal of 2^31 or more without an L suffix as a truncated 32-bit
 * INT: read setting s's literal back from line `line` (1-based) of the file's text and compare.
 * @return true and *literal if the literal there differs from what libconfig read
 */
bool osq_config_truncated_literal(const char *text, int line, const struct config_setting_t *s, long long *literal);

#endif
