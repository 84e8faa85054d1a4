/*
 * sensitivity.h owns the result files of `osq sensitivity` (docs/sensitivity.md):
 *   uncertainty.csv  each output's spread over the sample points (mean, p05, p50, p95) beside the
 *                    Monte Carlo 95 % CI at the central point;
 *   sensitivity.csv  each output x input: Sobol S1 and ST with their bootstrap CIs, or Morris mu*
 *                    and sigma;
 *   points.csv       every point done: its inputs and its outputs, for one's own analysis;
 *   sensitivity.md / sensitivity.tex  the tables for people;
 *   tornado_NAME.png one chart per output: the inputs that drive it, largest first.
 * The tables are written as one set, whole or not at all (results/internal.h); the charts after them.
 * Numbers go through the shared cell writers, as every other table's.
 */
#ifndef OSQ_RESULTS_SENSITIVITY_H
#define OSQ_RESULTS_SENSITIVITY_H

#include <stdbool.h>
#include <stdint.h>

#include "models/errors.h"

/** The columns of the CSV files: a stable interface. */
#define OSQ_UNCERTAINTY_HEADER "output,mean,p05,p50,p95,mc_ci95_lo,mc_ci95_hi,points,trials"
#define OSQ_SOBOL_HEADER "output,input,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi"
#define OSQ_MORRIS_HEADER "output,input,mu_star,sigma"

/** One output's row of uncertainty.csv, and what the tables say of it. */
typedef struct {
  const char *name;          /**< the study's output name */
  const char *what;          /**< for people: "flights ALL, us_out (2021) - baseline (2019)" */
  double mean, p05, p50, p95; /**< over the sample points */
  double mc_mean, mc_lo, mc_hi; /**< the central point's mean and 95 % CI over its trials */
  int64_t points;            /**< sample points with a value */
  int64_t trials;            /**< trials that gave the central point's value */
} osq_uncertainty_row_t;

/** One output x input of sensitivity.csv (the Sobol or the Morris fields). */
typedef struct {
  double s1, s1_lo, s1_hi, st, st_lo, st_hi;
  double mu_star, sigma;
} osq_index_cell_t;

/** A study's results, as the engine found them. */
typedef struct {
  const char *name, *path, *hash, *version;
  bool morris;                     /**< Morris' fields, else Sobol's */
  int64_t rows, rows_done;         /**< base rows (trajectories) of the design, and complete */
  int64_t n_points, points_done;
  int64_t trials, geo_trials, block_size;
  uint64_t seed;
  int bootstrap, levels;
  bool partial;
  int n_scenarios;
  const char *const *scenario_name, *const *scenario_path;
  int d;
  const char *const *input_key, *const *input_dist, *const *input_reason; /**< [d] */
  int n_outputs;
  const osq_uncertainty_row_t *out;  /**< [n_outputs] */
  const osq_index_cell_t *index;     /**< [n_outputs][d] */
  const double *x;                   /**< [n_points][d] each point's inputs (point 0: the first scenario's) */
  const double *value;               /**< [n_points][n_outputs] */
  const int *moved;                  /**< [n_points] the input a point changed, -1 none */
} osq_sensitivity_t;

/** OSQ_EEXIST (naming the files) if dir holds a study's tables already, else 0. */
int osq_sensitivity_check_dir(const char *dir, osq_error_t *err);

/**
 * Write the tables (csv always; md, tex as formats' OSQ_FMT_MD, OSQ_FMT_TEX bits say) as one set,
 * then a tornado chart per output. force replaces an earlier study's files.
 * @return 0, OSQ_EEXIST, OSQ_EIO, OSQ_ENOMEM
 */
int osq_sensitivity_write(const char *dir, unsigned formats, const osq_sensitivity_t *s, bool force,
                          osq_error_t *err);

#endif
