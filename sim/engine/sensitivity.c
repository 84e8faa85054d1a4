/*
 * sensitivity.c owns a study's model-free numbers (see sensitivity.h): distributions, designs and
 * estimators.
 */
#include "sim/engine/sensitivity.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>

#include "models/rng.h"

/* ---- distributions ---- */

static double clamp01(double u) { return u < 0.0 ? 0.0 : u > 1.0 ? 1.0 : u; }

double osq_dist_quantile(const osq_dist_t *d, double u) {
  u = clamp01(u);
  double x = NAN;
  switch (d->kind) {
    case OSQ_DIST_UNIFORM:
      if (d->integer) { /* each whole number of [min, max] with probability 1 / (max - min + 1) */
        x = floor(d->min + u * (d->max - d->min + 1.0));
        return x > d->max ? d->max : x;
      }
      x = d->min + u * (d->max - d->min);
      break;
    case OSQ_DIST_LOGUNIFORM: x = exp(log(d->min) + u * (log(d->max) - log(d->min))); break;
    case OSQ_DIST_TRIANGULAR: {
      const double w = d->max - d->min, fc = (d->mode - d->min) / w;
      x = u < fc ? d->min + sqrt(u * w * (d->mode - d->min)) : d->max - sqrt((1.0 - u) * w * (d->max - d->mode));
      break;
    }
    case OSQ_DIST_NORMAL: {
      const double pa = gsl_cdf_ugaussian_P((d->min - d->mean) / d->sd);
      const double pb = gsl_cdf_ugaussian_P((d->max - d->mean) / d->sd);
      x = d->mean + d->sd * gsl_cdf_ugaussian_Pinv(pa + u * (pb - pa));
      if (isnan(x)) x = u < 0.5 ? d->min : d->max;
      break;
    }
    case OSQ_DIST_DISCRETE: {
      int k = (int)floor(u * d->n_values);
      return d->values[k >= d->n_values ? d->n_values - 1 : k];
    }
    case OSQ_DIST_COUNT: return NAN;
  }
  return x < d->min ? d->min : x > d->max ? d->max : x;
}

double osq_dist_cdf(const osq_dist_t *d, double x) {
  if (x < d->min) return 0.0;
  if (x >= d->max) return 1.0;
  switch (d->kind) {
    case OSQ_DIST_UNIFORM:
      if (d->integer) return (floor(x) - d->min + 1.0) / (d->max - d->min + 1.0);
      return (x - d->min) / (d->max - d->min);
    case OSQ_DIST_LOGUNIFORM: return (log(x) - log(d->min)) / (log(d->max) - log(d->min));
    case OSQ_DIST_TRIANGULAR: {
      const double w = d->max - d->min;
      if (x <= d->mode) return (x - d->min) * (x - d->min) / (w * (d->mode - d->min));
      return 1.0 - (d->max - x) * (d->max - x) / (w * (d->max - d->mode));
    }
    case OSQ_DIST_NORMAL: {
      const double pa = gsl_cdf_ugaussian_P((d->min - d->mean) / d->sd);
      const double pb = gsl_cdf_ugaussian_P((d->max - d->mean) / d->sd);
      return (gsl_cdf_ugaussian_P((x - d->mean) / d->sd) - pa) / (pb - pa);
    }
    case OSQ_DIST_DISCRETE: {
      int k = 0;
      while (k < d->n_values && d->values[k] <= x) k++;
      return (double)k / d->n_values;
    }
    case OSQ_DIST_COUNT: break;
  }
  return NAN;
}

/* ---- designs ---- */

int osq_design_row_points(osq_method_t m, int d) { return m == OSQ_METHOD_MORRIS ? d + 1 : d + 2; }

int64_t osq_design_points(osq_method_t m, int64_t n, int d) { return 1 + n * osq_design_row_points(m, d); }

bool osq_design_is_sample(osq_method_t m, int d, int64_t p) {
  if (p < 1) return false;
  if (m == OSQ_METHOD_MORRIS) return true;
  return (p - 1) % (d + 2) < 2;
}

static int design_sobol(int64_t n, int d, uint64_t seed, double *u) {
  if (2 * d > 40) return OSQ_EINVAL;
  gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * d));
  int64_t *pair = malloc(sizeof *pair * (size_t)(n + 1));
  double *b = malloc(sizeof *b * (size_t)(n + 1) * (size_t)d);
  if (!q || !pair || !b) {
    if (q) gsl_qrng_free(q);
    free(pair);
    free(b);
    return OSQ_ENOMEM;
  }
  double v[40];
  /* Skip the sequence's first 2^ceil(log2 n) points, as SALib's Saltelli sampler does by default: the
   * first is the centre of every dimension (A = B, nothing on the indices), and the next ones lie on a
   * coarse dyadic grid where the two halves often share a coordinate (A_i = B_i: that row says
   * nothing on input i). Measured with 18 inputs and n = 32: 10 % of the (row, input) pairs share it
   * in the first 32 points, 2.4 % in the next 32. */
  int64_t skip = 1;
  while (skip < n) skip *= 2;
  for (int64_t k = 0; k < skip; k++) gsl_qrng_get(q, v);
  /* Each row's B is the second half of another point, in a random order (a Fisher-Yates shuffle of
   * the stream (seed, 0, OSQ_STREAM_PAIRING)): some pairs of dimensions (i, d + i) of the sequence
   * are strongly correlated at small n (measured with 18 inputs and n = 32: four of them at about
   * -0.7), which would put A and B far apart in those inputs and inflate their total effects by up
   * to 1.7 times; paired at random, A and B are independent as the estimators need, and each stays
   * a quasi-random sample of the inputs. */
  osq_rng_t g;
  osq_rng_init(&g, seed, 0, OSQ_STREAM_PAIRING);
  for (int64_t j = 0; j < n; j++) pair[j] = j;
  for (int64_t j = n - 1; j > 0; j--) {
    const int64_t k = (int64_t)(osq_rng_u64(&g) % (uint64_t)(j + 1)), tmp = pair[j];
    pair[j] = pair[k];
    pair[k] = tmp;
  }
  for (int64_t j = 0; j < n; j++) {
    gsl_qrng_get(q, v);
    double *row = u + (size_t)(1 + j * (d + 2)) * (size_t)d;
    for (int i = 0; i < d; i++) {
      row[i] = v[i];                             /* A */
      b[(size_t)pair[j] * d + (size_t)i] = v[d + i]; /* B, of row pair[j] */
    }
  }
  for (int64_t j = 0; j < n; j++) {
    double *row = u + (size_t)(1 + j * (d + 2)) * (size_t)d;
    memcpy(row + d, b + (size_t)j * d, sizeof *row * (size_t)d);
    for (int k = 0; k < d; k++) { /* AB^(k): A with coordinate k from B */
      double *ab = row + (size_t)(2 + k) * (size_t)d;
      memcpy(ab, row, sizeof *ab * (size_t)d);
      ab[k] = row[d + k];
    }
  }
  gsl_qrng_free(q);
  free(pair);
  free(b);
  return OSQ_OK;
}

/* Morris (1991) on a grid of p levels {0, 1/(p-1), ..., 1}, step D = p / (2 (p - 1)): a start drawn
 * on the grid, the inputs moved one at a time in a random order, each up by D from a level below
 * 1 - D and down by D from the others, so that every step stays on the grid. */
static int design_morris(int64_t r, int d, int levels, uint64_t seed, double *u, int *moved) {
  if (levels < 2 || levels % 2) return OSQ_EINVAL;
  const double step = (double)levels / (2.0 * (levels - 1));
  osq_rng_t g;
  for (int64_t t = 0; t < r; t++) {
    osq_rng_init(&g, seed, (uint64_t)t, OSQ_STREAM_DESIGN);
    double *x = u + (size_t)(1 + t * (d + 1)) * (size_t)d;
    for (int i = 0; i < d; i++) x[i] = (double)(osq_rng_u64(&g) % (uint64_t)levels) / (levels - 1);
    int order[OSQ_STUDY_INPUTS_MAX];
    for (int i = 0; i < d; i++) order[i] = i;
    for (int i = d - 1; i > 0; i--) { /* Fisher-Yates */
      const int k = (int)(osq_rng_u64(&g) % (uint64_t)(i + 1)), tmp = order[i];
      order[i] = order[k];
      order[k] = tmp;
    }
    moved[1 + t * (d + 1)] = -1;
    for (int s = 0; s < d; s++) {
      double *next = x + (size_t)(s + 1) * (size_t)d;
      memcpy(next, x + (size_t)s * (size_t)d, sizeof *next * (size_t)d);
      const int i = order[s];
      next[i] = next[i] < 1.0 - step + 1e-12 ? next[i] + step : next[i] - step;
      if (fabs(next[i] - round(next[i] * (levels - 1)) / (levels - 1)) < 1e-9)
        next[i] = round(next[i] * (levels - 1)) / (levels - 1); /* exactly on the grid */
      moved[1 + t * (d + 1) + s + 1] = i;
    }
  }
  return OSQ_OK;
}

int osq_design_build(osq_method_t m, int64_t n, int d, int levels, uint64_t seed, double *u, int *moved) {
  if (d < 1 || d > OSQ_STUDY_INPUTS_MAX || n < 1) return OSQ_EINVAL;
  for (int i = 0; i < d; i++) u[i] = NAN;
  const int64_t np = osq_design_points(m, n, d);
  if (moved)
    for (int64_t p = 0; p < np; p++) moved[p] = -1;
  if (m == OSQ_METHOD_MORRIS) return moved ? design_morris(n, d, levels, seed, u, moved) : OSQ_EINVAL;
  return design_sobol(n, d, seed, u);
}

/* ---- estimators ---- */

/* k = max(1, ceil(p n)), p n snapped to a nearby integer (as osq_hist_quantile, sim/engine/stats.c). */
static int64_t quantile_rank(double p, int64_t n) {
  double t = p * (double)n;
  const double r = round(t);
  if (fabs(t - r) <= 8.0 * DBL_EPSILON * t) t = r;
  int64_t k = (int64_t)ceil(t);
  return k < 1 ? 1 : k > n ? n : k;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int osq_spread(const double *v, int64_t n, osq_spread_t *out) {
  double *s = malloc(sizeof *s * (size_t)(n + 1));
  if (!s) return OSQ_ENOMEM;
  int64_t k = 0;
  double sum = 0.0;
  for (int64_t i = 0; i < n; i++)
    if (!isnan(v[i])) {
      s[k++] = v[i];
      sum += v[i];
    }
  out->n = k;
  if (k == 0) {
    out->mean = out->p05 = out->p50 = out->p95 = NAN;
  } else {
    out->mean = sum / (double)k;
    qsort(s, (size_t)k, sizeof *s, cmp_double);
    out->p05 = s[quantile_rank(0.05, k) - 1];
    out->p50 = s[quantile_rank(0.50, k) - 1];
    out->p95 = s[quantile_rank(0.95, k) - 1];
  }
  free(s);
  return OSQ_OK;
}

/* The indices from the rows row[0..n) (indices into the base rows, repeats allowed). S1's f_B is
 * centred on the mean of the A and B values: the expectation is unchanged (E[f_ABi - f_A] = 0) but
 * the estimator's variance no longer grows with the square of the mean, which for an output such
 * as "88 flights, give or take 5" (and its Monte Carlo noise) would swamp the index. */
static void sobol_once(const double *f, const int64_t *row, int64_t n, int d, double *s1, double *st) {
  /* V over the A and B values of the rows (the population variance, as Saltelli et al. 2010) */
  double sum = 0.0, sum2 = 0.0;
  int64_t m = 0;
  for (int64_t k = 0; k < n; k++) {
    const double *p = f + 1 + row[k] * (d + 2);
    for (int h = 0; h < 2; h++)
      if (!isnan(p[h])) {
        sum += p[h];
        m++;
      }
  }
  const double mean = m ? sum / (double)m : NAN;
  for (int64_t k = 0; k < n; k++) {
    const double *p = f + 1 + row[k] * (d + 2);
    for (int h = 0; h < 2; h++)
      if (!isnan(p[h])) sum2 += (p[h] - mean) * (p[h] - mean);
  }
  const double V = m > 1 ? sum2 / (double)m : NAN;
  for (int i = 0; i < d; i++) {
    double a = 0.0, b = 0.0;
    int64_t c = 0;
    for (int64_t k = 0; k < n; k++) {
      const double *p = f + 1 + row[k] * (d + 2);
      const double fa = p[0], fb = p[1], fab = p[2 + i];
      if (isnan(fa) || isnan(fb) || isnan(fab)) continue;
      a += (fb - mean) * (fab - fa);
      b += (fa - fab) * (fa - fab);
      c++;
    }
    const bool ok = c >= 2 && V > 0;
    s1[i] = ok ? a / (double)c / V : NAN;
    st[i] = ok ? b / (2.0 * (double)c) / V : NAN;
  }
}

int osq_sobol_indices(const double *f, int64_t rows, int d, int n_boot, uint64_t seed, osq_sobol_index_t *out) {
  int64_t *row = calloc((size_t)rows + 1, sizeof *row);
  double *bs1 = malloc(sizeof *bs1 * (size_t)(n_boot + 1) * (size_t)d);
  double *bst = malloc(sizeof *bst * (size_t)(n_boot + 1) * (size_t)d);
  double *col = malloc(sizeof *col * (size_t)(n_boot + 1));
  if (!row || !bs1 || !bst || !col) {
    free(row);
    free(bs1);
    free(bst);
    free(col);
    return OSQ_ENOMEM;
  }
  double s1[OSQ_STUDY_INPUTS_MAX], st[OSQ_STUDY_INPUTS_MAX];
  for (int64_t j = 0; j < rows; j++) row[j] = j;
  sobol_once(f, row, rows, d, s1, st);
  osq_rng_t g;
  osq_rng_init(&g, seed, 0, OSQ_STREAM_BOOTSTRAP);
  for (int b = 0; b < n_boot && rows > 0; b++) {
    for (int64_t j = 0; j < rows; j++) row[j] = (int64_t)(osq_rng_u64(&g) % (uint64_t)rows);
    sobol_once(f, row, rows, d, bs1 + (size_t)b * d, bst + (size_t)b * d);
  }
  for (int i = 0; i < d; i++) {
    out[i].s1 = s1[i];
    out[i].st = st[i];
    double *lo[2] = {&out[i].s1_lo, &out[i].st_lo}, *hi[2] = {&out[i].s1_hi, &out[i].st_hi};
    const double *src[2] = {bs1, bst};
    for (int w = 0; w < 2; w++) {
      int64_t k = 0;
      for (int b = 0; b < n_boot && rows > 0; b++)
        if (!isnan(src[w][(size_t)b * d + i])) col[k++] = src[w][(size_t)b * d + i];
      /* a CI only where (nearly) every resample has the index */
      if (isnan(w ? st[i] : s1[i]) || k < n_boot / 2 || k == 0) {
        *lo[w] = *hi[w] = NAN;
        continue;
      }
      qsort(col, (size_t)k, sizeof *col, cmp_double);
      *lo[w] = col[quantile_rank(0.025, k) - 1];
      *hi[w] = col[quantile_rank(0.975, k) - 1];
    }
  }
  free(row);
  free(bs1);
  free(bst);
  free(col);
  return OSQ_OK;
}

void osq_morris_effects(const double *f, const double *u, const int *moved, int64_t r, int d, osq_morris_t *out) {
  for (int i = 0; i < d; i++) out[i] = (osq_morris_t){0.0, 0.0, 0.0, 0};
  double m2[OSQ_STUDY_INPUTS_MAX] = {0};
  for (int64_t t = 0; t < r; t++)
    for (int s = 1; s <= d; s++) {
      const int64_t p = 1 + t * (d + 1) + s;
      const int i = moved[p];
      if (i < 0 || i >= d || isnan(f[p]) || isnan(f[p - 1])) continue;
      const double du = u[(size_t)p * d + (size_t)i] - u[(size_t)(p - 1) * d + (size_t)i];
      const double ee = (f[p] - f[p - 1]) / du;
      /* Welford: mean EE and its M2; mean |EE| */
      osq_morris_t *o = &out[i];
      o->n++;
      const double delta = ee - o->mu;
      o->mu += delta / o->n;
      m2[i] += delta * (ee - o->mu);
      o->mu_star += (fabs(ee) - o->mu_star) / o->n;
    }
  for (int i = 0; i < d; i++) {
    if (out[i].n == 0) out[i].mu = out[i].mu_star = NAN;
    out[i].sigma = out[i].n > 1 ? sqrt(m2[i] / (out[i].n - 1)) : NAN;
  }
}
