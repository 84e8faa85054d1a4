/*
 * sensitivity.h owns the numbers of a study (osq sensitivity, docs/sensitivity.md) that do not
 * depend on the model: each input distribution's quantile and CDF, the parameter points of the
 * designs (Saltelli's from GSL's Sobol sequence, Morris trajectories), and the estimators
 * (first-order and total-effect Sobol indices with bootstrap CIs, Morris' mu* and sigma, the
 * spread of an output over the points). Pure functions of their arguments: they allocate their
 * scratch and draw only from Philox streams keyed by the seed they are given, so the same call
 * gives the same bits anywhere. The study itself runs in run_sensitivity.c.
 *
 * Designs are laid out point by point, point 0 being the central point (the scenarios' own
 * values, no design coordinates):
 *   Sobol:  1 + j (d + 2) + {0: A_j, 1: B_j, 2 + i: AB_j^(i)} for base row j < N: A_j is the first
 *           half of point S + j of the 2d-dimensional Sobol sequence, S = 2^ceil(log2 N), B_j the
 *           second half of point S + k, k a random permutation of the rows (sensitivity.c says why
 *           the first points are skipped and the halves paired at random), AB_j^(i) is A_j with
 *           coordinate i from B_j;
 *   Morris: 1 + t (d + 1) + k for trajectory t < r: its start, then one input moved per step.
 * A study interrupted after whole base rows (trajectories) still has a design of its own.
 */
#ifndef OSQ_SENSITIVITY_H
#define OSQ_SENSITIVITY_H

#include <stdbool.h>
#include <stdint.h>

#include "models/errors.h"
#include "models/rng.h"
#include "sim/input/study.h"


/** @return the value at probability u in [0, 1] (an integer key's values are whole numbers). */
double osq_dist_quantile(const osq_dist_t *d, double u);

/** @return P(X <= x). */
double osq_dist_cdf(const osq_dist_t *d, double x);

/** @return the points of a design of n base rows (trajectories) over d inputs, the central one
 *  included. */
int64_t osq_design_points(osq_method_t m, int64_t n, int d);

/** @return the points of one base row (d + 2) or trajectory (d + 1). */
int osq_design_row_points(osq_method_t m, int d);

/** @return whether point p is a draw from the inputs' joint distribution: Sobol's A and B points
 *  (the AB points are too, but not independently of them); every Morris point. Not the central one. */
bool osq_design_is_sample(osq_method_t m, int d, int64_t p);

/**
 * The unit-cube coordinates of every point, u[p * d + i] in [0, 1] (row 0, the central point: NaN),
 * and for Morris the input each point moved (moved[p], -1 at a trajectory's start and for point 0;
 * may be NULL for Sobol). Sobol needs 2 d <= 40; Morris draws from stream (seed, t, OSQ_STREAM_DESIGN)
 * on a grid of `levels` levels with the step levels / (2 (levels - 1)).
 * @return 0, OSQ_EINVAL (d out of range), OSQ_ENOMEM
 */
int osq_design_build(osq_method_t m, int64_t n, int d, int levels, uint64_t seed, double *u, int *moved);

/** One input's Sobol indices of one output, with their 95 % bootstrap percentile intervals. */
typedef struct {
  double s1, s1_lo, s1_hi; /**< first order (Saltelli et al. 2010) */
  double st, st_lo, st_hi; /**< total effect (Jansen 1999) */
} osq_sobol_index_t;

/**
 * The Sobol indices of every input from the outputs f[p] of the Sobol points of base rows
 * [0, rows) (laid out as above; f[0] unused). With V the variance of the A and B outputs:
 *   S1_i = mean_j (f_B(j) - m) (f_ABi(j) - f_A(j)) / V,  ST_i = mean_j (f_A(j) - f_ABi(j))^2 / (2 V),
 * m the mean of the A and B values (sensitivity.c says why S1 is centred).
 * A row with a NaN among the values an index needs is left out of it. The CIs: n_boot resamples of
 * the rows with replacement (stream (seed, 0, OSQ_STREAM_BOOTSTRAP)), the 2.5 % and 97.5 %
 * quantiles of the resampled indices. NaN where fewer than 2 rows or no variance.
 * @return 0 or OSQ_ENOMEM
 */
int osq_sobol_indices(const double *f, int64_t rows, int d, int n_boot, uint64_t seed, osq_sobol_index_t *out);

/** One input's Morris elementary effects of one output (on the unit scale of the input's quantile). */
typedef struct {
  double mu_star; /**< mean |EE| */
  double mu;      /**< mean EE */
  double sigma;   /**< standard deviation of EE (n - 1) */
  int n;          /**< effects (trajectories with both values defined) */
} osq_morris_t;

/** mu*, mu and sigma of every input from the outputs f[p] of the Morris points of trajectories
 *  [0, r) with the design's u and moved. */
void osq_morris_effects(const double *f, const double *u, const int *moved, int64_t r, int d, osq_morris_t *out);

/** An output's spread over points. */
typedef struct {
  int64_t n;              /**< values (NaN left out) */
  double mean, p05, p50, p95;
} osq_spread_t;

/** The spread of v[0..n) (quantiles as osq_hist_quantile's: the smallest value with F >= p).
 *  @return 0 or OSQ_ENOMEM */
int osq_spread(const double *v, int64_t n, osq_spread_t *out);

#endif
