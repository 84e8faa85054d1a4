/*
 * study.h owns the study file of `osq sensitivity` (docs/sensitivity.md): a libconfig file that
 * names the scenarios it studies (the first is the reference of every paired difference, as in
 * `osq compare`), the uncertain inputs (numeric scenario keys, each with a distribution and the
 * reason for its range), the outputs (a metric, party and year of one scenario, or the paired
 * difference of two) and how to sample them. Its own small schema table (sim/input/study.c)
 * drives validation; every problem of the file is reported at once, each as
 * "FILE:LINE: what is wrong (what was expected)". The scenarios are loaded by the scenario loader,
 * their paths relative to the study file.
 */
#ifndef OSQ_STUDY_H
#define OSQ_STUDY_H

#include <stdbool.h>
#include <stdint.h>

#include "models/errors.h"
#include "sim/input/scenario.h"

#define OSQ_STUDY_SCENARIOS_MAX 8
/** Most inputs: the Saltelli design takes 2 x inputs dimensions of GSL's Sobol sequence (40 at most). */
#define OSQ_STUDY_INPUTS_MAX 20
#define OSQ_STUDY_OUTPUTS_MAX 64
/** Most values of a discrete distribution. */
#define OSQ_STUDY_VALUES_MAX 32
#define OSQ_STUDY_KEY_LEN 96
#define OSQ_STUDY_NAME_LEN 41
#define OSQ_STUDY_REASON_LEN 512

/** The distributions of an input. */
typedef enum {
  OSQ_DIST_UNIFORM,    /**< min, max (an integer key: each whole number of [min, max] equally likely) */
  OSQ_DIST_LOGUNIFORM, /**< min > 0, max: uniform in log */
  OSQ_DIST_TRIANGULAR, /**< min, mode, max */
  OSQ_DIST_NORMAL,     /**< mean, sd, truncated to [min, max] */
  OSQ_DIST_DISCRETE,   /**< values = [ ... ], each equally likely */
  OSQ_DIST_COUNT
} osq_dist_kind_t;

/** @return the distribution's name in a study file ("uniform", ...), "?" outside the enum. */
const char *osq_dist_name(int kind);

/** An input's distribution (its quantile and CDF: sim/engine/sensitivity.h). */
typedef struct {
  osq_dist_kind_t kind;
  bool integer;                              /**< the key is an integer: every draw is a whole number */
  double min, max;                           /**< the support (discrete: the smallest and largest value) */
  double mode;                               /**< triangular */
  double mean, sd;                           /**< normal, before the truncation to [min, max] */
  int n_values;                              /**< discrete */
  double values[OSQ_STUDY_VALUES_MAX];       /**< discrete, ascending, distinct */
} osq_dist_t;

typedef enum { OSQ_METHOD_SOBOL, OSQ_METHOD_MORRIS } osq_method_t;

/** @return "sobol" or "morris". */
const char *osq_method_name(int method);

/** One uncertain input: a numeric scenario key, set to the same value in every scenario of a point. */
typedef struct {
  char key[OSQ_STUDY_KEY_LEN];
  osq_dist_t dist;
  char reason[OSQ_STUDY_REASON_LEN];
  int line;                                  /**< of its group in the study file */
} osq_study_input_t;

/** One output: a row of a scenario (metric, party, year), or the paired difference scenario - minus
 *  (rows paired by year position, metric and party; a row a scenario lacks counts as zero there). */
typedef struct {
  char name[OSQ_STUDY_NAME_LEN];             /**< [a-z0-9_], unique: tornado_NAME.png */
  char metric[32];                           /**< a metric of summary.csv (checked by the engine) */
  char party[8];                             /**< a quota holder's code, or ALL, EUR, NAM */
  int scenario;                              /**< index into the study's scenarios */
  int minus;                                 /**< index, or -1: not a difference */
  int year_idx;                              /**< the row's year position (0: first simulated year) */
  int line;                                  /**< of its group in the study file */
  int metric_line;                           /**< of its metric setting (or the group's) */
} osq_study_output_t;

/** A loaded study. Large: allocate it. */
typedef struct {
  char path[OSQ_PATH_MAX];
  char name[64];                             /**< study.name, default the file's base name */
  char hash[17];                             /**< FNV-1a 64 of the study file and its scenarios' hashes */
  int n_scenarios;
  osq_scenario_t *sc[OSQ_STUDY_SCENARIOS_MAX]; /**< loaded, owned */
  osq_method_t method;
  int64_t points;                            /**< Sobol: base rows N; Morris: trajectories r */
  int64_t trials;                            /**< trials of each scenario at each point */
  int64_t geo_trials;                        /**< of those with geography, about (geo.trials of each scenario) */
  int64_t block_size;
  uint64_t seed;                             /**< every scenario's trials draw from this seed's streams */
  int threads;                               /**< 0: all available */
  int bootstrap;                             /**< resamples of the Sobol indices' CIs */
  int levels;                                /**< Morris grid levels (even) */
  int n_inputs;
  osq_study_input_t input[OSQ_STUDY_INPUTS_MAX];
  int n_outputs;
  osq_study_output_t output[OSQ_STUDY_OUTPUTS_MAX];
  char out_dir[OSQ_PATH_MAX];
  char formats[64];                          /**< comma list of csv, md, tex */
  /* what the file set itself (command-line options override the rest of the defaults alike) */
  bool points_set, block_size_set, geo_trials_set;
} osq_study_t;

/**
 * Load and validate a study file and the scenarios it names. On failure *err holds one message per
 * problem and the study holds nothing (osq_study_free is still fine).
 * @return 0; OSQ_ECONFIG (bad content, here or in a scenario), OSQ_EIO (cannot read), OSQ_ENOMEM
 */
int osq_study_load(const char *path, osq_study_t *st, osq_error_t *err);

/** Free the scenarios of a study (a zeroed study is fine). */
void osq_study_free(osq_study_t *st);

/**
 * The defaults that follow from other settings, after the command line changed any of method,
 * points or trials: points (32 Sobol base rows, 20 Morris trajectories), geo_trials (each
 * scenario's share of trials with geography) and block_size (a point's trials in 8 blocks), each
 * unless the file set it.
 */
void osq_study_defaults(osq_study_t *st);

/** @return the number of parameter points of the study: the central point, then N (d + 2) (Sobol)
 *  or r (d + 1) (Morris). */
int64_t osq_study_n_points(const osq_study_t *st);

#endif
