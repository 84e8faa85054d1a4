/*
 * test_sensitivity.c checks a study's model-free numbers (sim/engine/sensitivity.h) on functions
 * whose answers are known:
 *   - the Sobol estimators on the Ishigami function (a = 7, b = 0.1; Ishigami & Homma 1990, Sobol'
 *     and Levitan 1999): S1 = 0.3139, 0.4424, 0 and ST = 0.5576, 0.4424, 0.2437, each within its
 *     bootstrap CI and within 0.03 at N = 8192 base rows; a function of one input: its ST and S1 near
 *     1, every other input's exactly 0, with any pair of dimensions of the sequence (their halves
 *     are paired at random: sensitivity.c);
 *   - Morris on a linear function: every elementary effect is its coefficient, so mu* is
 *     proportional to the coefficients and sigma is 0;
 *   - each distribution's draws against its CDF (Kolmogorov-Smirnov statistic under its 1 %
 *     critical value) and its quantile against its CDF;
 *   - the designs' layout (A, B, AB points; Morris steps on the grid), the spread's quantiles,
 *     and that the same call gives the same bits.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/errors.h"
#include "models/rng.h"
#include "sim/engine/sensitivity.h"

#define SEED UINT64_C(20240601)
#define PI 3.14159265358979323846

/* ---- Ishigami ---- */

static double ishigami(const double *x) {
  const double a = 7.0, b = 0.1;
  return sin(x[0]) + a * sin(x[1]) * sin(x[1]) + b * pow(x[2], 4) * sin(x[0]);
}

/* The analytic indices (a = 7, b = 0.1): V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2. */
static void ishigami_truth(double s1[3], double st[3]) {
  const double a = 7.0, b = 0.1, pi4 = pow(PI, 4), pi8 = pow(PI, 8);
  const double v1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5), v2 = a * a / 8, v13 = b * b * pi8 * (1.0 / 18 - 1.0 / 50);
  const double V = v1 + v2 + v13;
  s1[0] = v1 / V;
  s1[1] = v2 / V;
  s1[2] = 0.0;
  st[0] = (v1 + v13) / V;
  st[1] = v2 / V;
  st[2] = v13 / V;
}

/* f at every point of a Sobol design of N rows over U(-pi, pi)^3 (point 0: unused). */
static double *ishigami_outputs(int64_t N, double **u_out) {
  const int d = 3;
  const int64_t P = osq_design_points(OSQ_METHOD_SOBOL, N, d);
  double *u = malloc(sizeof *u * (size_t)P * d), *f = malloc(sizeof *f * (size_t)P);
  cr_assert(u && f);
  cr_assert_eq(osq_design_build(OSQ_METHOD_SOBOL, N, d, 4, SEED, u, NULL), OSQ_OK);
  const osq_dist_t dist = {.kind = OSQ_DIST_UNIFORM, .min = -PI, .max = PI};
  f[0] = NAN;
  for (int64_t p = 1; p < P; p++) {
    double x[3];
    for (int i = 0; i < d; i++) x[i] = osq_dist_quantile(&dist, u[p * d + i]);
    f[p] = ishigami(x);
  }
  if (u_out) *u_out = u;
  else free(u);
  return f;
}

Test(sobol, ishigami_within_their_cis_and_0_03) {
  const int64_t N = 8192;
  double *f = ishigami_outputs(N, NULL);
  osq_sobol_index_t idx[3];
  cr_assert_eq(osq_sobol_indices(f, N, 3, 1000, SEED, idx), OSQ_OK);
  double s1[3], st[3];
  ishigami_truth(s1, st);
  cr_expect(fabs(s1[0] - 0.3139) < 1e-4 && fabs(s1[1] - 0.4424) < 1e-4 && fabs(st[0] - 0.5576) < 1e-4 &&
            fabs(st[2] - 0.2437) < 1e-4, "the analytic values are the issue's");
  for (int i = 0; i < 3; i++) {
    cr_expect(fabs(idx[i].s1 - s1[i]) < 0.03, "S1_%d = %.4f, truth %.4f", i + 1, idx[i].s1, s1[i]);
    cr_expect(fabs(idx[i].st - st[i]) < 0.03, "ST_%d = %.4f, truth %.4f", i + 1, idx[i].st, st[i]);
    cr_expect(idx[i].s1_lo <= s1[i] && s1[i] <= idx[i].s1_hi, "S1_%d truth %.4f outside [%.4f, %.4f]", i + 1, s1[i],
              idx[i].s1_lo, idx[i].s1_hi);
    cr_expect(idx[i].st_lo <= st[i] && st[i] <= idx[i].st_hi, "ST_%d truth %.4f outside [%.4f, %.4f]", i + 1, st[i],
              idx[i].st_lo, idx[i].st_hi);
    cr_expect(idx[i].s1_lo <= idx[i].s1 && idx[i].s1 <= idx[i].s1_hi, "S1_%d outside its own CI", i + 1);
    cr_expect(idx[i].st_hi - idx[i].st_lo < 0.1, "ST_%d's CI [%.4f, %.4f] is no CI at N = 8192", i + 1, idx[i].st_lo,
              idx[i].st_hi);
  }
  free(f);
}

/* f = x_k alone over 18 inputs and 64 rows, for every k: ST_k and S1_k near 1, their 95 % CIs holding
 * 1 for all but a few k (17.1 of 18 expected), the others exactly 0. With the halves paired as the
 * sequence pairs them, four inputs (k = 0, 5, 11, 12) had ST near 1.7: their two halves are
 * correlated about -0.7 over these rows. */
Test(sobol, one_input_alone_has_it_all) {
  const int d = 18;
  const int64_t N = 64, P = osq_design_points(OSQ_METHOD_SOBOL, N, d);
  double *u = malloc(sizeof *u * (size_t)P * d), *f = malloc(sizeof *f * (size_t)P);
  cr_assert_eq(osq_design_build(OSQ_METHOD_SOBOL, N, d, 4, SEED, u, NULL), OSQ_OK);
  int st_in = 0, s1_in = 0;
  for (int k = 0; k < d; k++) {
    for (int64_t p = 1; p < P; p++) f[p] = u[p * d + k];
    osq_sobol_index_t idx[18];
    cr_assert_eq(osq_sobol_indices(f, N, d, 500, SEED, idx), OSQ_OK);
    cr_expect(fabs(idx[k].st - 1.0) < 0.4 && fabs(idx[k].s1 - 1.0) < 0.4, "ST_%d = %.3f, S1_%d = %.3f", k, idx[k].st,
              k, idx[k].s1);
    st_in += idx[k].st_lo <= 1.0 && 1.0 <= idx[k].st_hi;
    s1_in += idx[k].s1_lo <= 1.0 && 1.0 <= idx[k].s1_hi;
    for (int i = 0; i < d; i++)
      if (i != k) cr_expect(idx[i].st == 0.0 && idx[i].s1 == 0.0, "input %d of f = x_%d: ST %g", i, k, idx[i].st);
  }
  cr_expect(st_in >= 15 && s1_in >= 15, "the CIs of ST hold 1 for %d of 18 inputs, of S1 for %d", st_in, s1_in);
  free(u);
  free(f);
}

Test(sobol, same_bits_every_time_and_wider_cis_with_fewer_rows) {
  double *f = ishigami_outputs(256, NULL);
  osq_sobol_index_t a[3], b[3], c[3];
  cr_assert_eq(osq_sobol_indices(f, 256, 3, 500, SEED, a), OSQ_OK);
  cr_assert_eq(osq_sobol_indices(f, 256, 3, 500, SEED, b), OSQ_OK);
  cr_expect(memcmp(a, b, sizeof a) == 0, "two calls differ");
  /* The first 64 rows of the same design: a design of their own, with wider intervals. */
  cr_assert_eq(osq_sobol_indices(f, 64, 3, 500, SEED, c), OSQ_OK);
  for (int i = 0; i < 2; i++)
    cr_expect(c[i].st_hi - c[i].st_lo > a[i].st_hi - a[i].st_lo, "ST_%d: 64 rows [%g, %g], 256 rows [%g, %g]", i + 1,
              c[i].st_lo, c[i].st_hi, a[i].st_lo, a[i].st_hi);
  free(f);
}

Test(sobol, no_variance_or_one_row_gives_nan) {
  const int d = 2;
  const int64_t N = 8, P = osq_design_points(OSQ_METHOD_SOBOL, N, d);
  double *f = malloc(sizeof *f * (size_t)P);
  for (int64_t p = 0; p < P; p++) f[p] = 5.0;
  osq_sobol_index_t idx[2];
  cr_assert_eq(osq_sobol_indices(f, N, d, 100, SEED, idx), OSQ_OK);
  cr_expect(isnan(idx[0].s1) && isnan(idx[0].st) && isnan(idx[1].st_lo), "a constant output has no indices");
  for (int64_t p = 0; p < P; p++) f[p] = (double)p;
  cr_assert_eq(osq_sobol_indices(f, 1, d, 100, SEED, idx), OSQ_OK);
  cr_expect(isnan(idx[0].s1) && isnan(idx[1].st), "one row has no indices");
  free(f);
}

Test(design, sobol_layout) {
  const int d = 4;
  const int64_t N = 16, P = osq_design_points(OSQ_METHOD_SOBOL, N, d);
  cr_assert_eq(P, 1 + N * (d + 2));
  double *u = malloc(sizeof *u * (size_t)P * d);
  cr_assert_eq(osq_design_build(OSQ_METHOD_SOBOL, N, d, 4, SEED, u, NULL), OSQ_OK);
  for (int i = 0; i < d; i++) cr_expect(isnan(u[i]), "the central point has no coordinates");
  int shared = 0;
  for (int64_t j = 0; j < N; j++) {
    const double *A = u + (1 + j * (d + 2)) * d, *B = A + d;
    cr_expect(osq_design_is_sample(OSQ_METHOD_SOBOL, d, 1 + j * (d + 2)));
    cr_expect(osq_design_is_sample(OSQ_METHOD_SOBOL, d, 2 + j * (d + 2)));
    cr_expect(!osq_design_is_sample(OSQ_METHOD_SOBOL, d, 3 + j * (d + 2)));
    for (int k = 0; k < d; k++) {
      const double *AB = A + (size_t)(2 + k) * d;
      for (int i = 0; i < d; i++) cr_expect_eq(AB[i], i == k ? B[i] : A[i], "row %lld AB%d[%d]", (long long)j, k, i);
      cr_expect(A[k] > 0 && A[k] < 1 && B[k] > 0 && B[k] < 1);
    }
    bool same = true; /* the first points (the centre: A = B) are skipped */
    for (int i = 0; i < d; i++) same = same && A[i] == B[i];
    cr_expect(!same, "row %lld has A = B", (long long)j);
    shared += A[0] == B[0];
  }
  cr_expect(shared <= 1, "input 1 is the same in A and B in %d of %lld rows", shared, (long long)N);
  cr_expect_eq(osq_design_build(OSQ_METHOD_SOBOL, N, 21, 4, SEED, u, NULL), OSQ_EINVAL, "2 d > 40 is refused");
  free(u);
}

/* ---- Morris ---- */

Test(morris, linear_function_mu_star_is_the_coefficients) {
  const int d = 5, levels = 4;
  const int64_t r = 30, P = osq_design_points(OSQ_METHOD_MORRIS, r, d);
  const double c[5] = {4.0, -2.0, 1.0, 0.5, 0.0};
  double *u = malloc(sizeof *u * (size_t)P * d), *f = malloc(sizeof *f * (size_t)P);
  int *moved = malloc(sizeof *moved * (size_t)P);
  cr_assert_eq(osq_design_build(OSQ_METHOD_MORRIS, r, d, levels, SEED, u, moved), OSQ_OK);
  /* inputs uniform on [10, 20]: the effects are on the unit scale of the quantile, c_i x 10 */
  const osq_dist_t dist = {.kind = OSQ_DIST_UNIFORM, .min = 10.0, .max = 20.0};
  f[0] = NAN;
  for (int64_t p = 1; p < P; p++) {
    f[p] = 3.0;
    for (int i = 0; i < d; i++) f[p] += c[i] * osq_dist_quantile(&dist, u[p * d + i]);
  }
  osq_morris_t m[5];
  osq_morris_effects(f, u, moved, r, d, m);
  for (int i = 0; i < d; i++) {
    cr_expect_eq(m[i].n, r, "input %d moved in every trajectory", i);
    cr_expect(fabs(m[i].mu_star - fabs(c[i]) * 10.0) < 1e-9, "mu*_%d = %g, expected %g", i, m[i].mu_star,
              fabs(c[i]) * 10.0);
    cr_expect(fabs(m[i].mu - c[i] * 10.0) < 1e-9, "mu_%d = %g", i, m[i].mu);
    cr_expect(m[i].sigma < 1e-9, "sigma_%d = %g of a linear function", i, m[i].sigma);
  }
  /* every step moves one input by the grid's step D = p / (2 (p - 1)) = 2/3, on the grid */
  for (int64_t t = 0; t < r; t++)
    for (int s = 1; s <= d; s++) {
      const int64_t p = 1 + t * (d + 1) + s;
      for (int i = 0; i < d; i++) {
        const double du = u[p * d + i] - u[(p - 1) * d + i], x = u[p * d + i] * (levels - 1);
        cr_expect(fabs(x - round(x)) < 1e-12 && x >= 0 && x <= levels - 1, "off the grid");
        if (i == moved[p]) cr_expect(fabs(fabs(du) - 2.0 / 3.0) < 1e-12, "a step of %g", du);
        else cr_expect_eq(du, 0.0);
      }
    }
  free(u);
  free(f);
  free(moved);
}

Test(morris, nonlinear_and_interacting_inputs_have_sigma) {
  const int d = 3;
  const int64_t r = 40, P = osq_design_points(OSQ_METHOD_MORRIS, r, d);
  double *u = malloc(sizeof *u * (size_t)P * d), *f = malloc(sizeof *f * (size_t)P);
  int *moved = malloc(sizeof *moved * (size_t)P);
  cr_assert_eq(osq_design_build(OSQ_METHOD_MORRIS, r, d, 6, SEED, u, moved), OSQ_OK);
  for (int64_t p = 1; p < P; p++) f[p] = u[p * d] * u[p * d + 1] + 2.0 * u[p * d + 2]; /* x0 x1 + 2 x2 */
  osq_morris_t m[3];
  osq_morris_effects(f, u, moved, r, d, m);
  cr_expect(m[0].sigma > 0.1 && m[1].sigma > 0.1, "x0 and x1 interact: sigma %g %g", m[0].sigma, m[1].sigma);
  cr_expect(m[2].sigma < 1e-9 && fabs(m[2].mu_star - 2.0) < 1e-9, "x2 is linear: mu* %g sigma %g", m[2].mu_star,
            m[2].sigma);
  free(u);
  free(f);
  free(moved);
}

/* ---- distributions ---- */

static int cmp_d(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The Kolmogorov-Smirnov statistic of n draws (quantiles of Philox uniforms) against the CDF: the
 * largest gap between the empirical CDF and F at each value drawn, and for a continuous F just
 * below it too (for a step CDF, F just below a value is F at the value before, checked there). */
static double ks_statistic(const osq_dist_t *d, int n, unsigned stream_trial) {
  double *x = malloc(sizeof *x * (size_t)n);
  osq_rng_t g;
  osq_rng_init(&g, SEED, stream_trial, OSQ_STREAM_TEST);
  for (int i = 0; i < n; i++) x[i] = osq_dist_quantile(d, osq_rng_u01(&g));
  qsort(x, (size_t)n, sizeof *x, cmp_d);
  const bool steps = d->kind == OSQ_DIST_DISCRETE || d->integer;
  double D = 0.0;
  for (int i = 0, first = 0; i < n; i++) {
    if (i > 0 && x[i] != x[i - 1]) first = i;
    if (i + 1 < n && x[i + 1] == x[i]) continue; /* the last of equal values: the empirical CDF's step */
    const double F = osq_dist_cdf(d, x[i]);
    D = fmax(D, fabs((double)(i + 1) / n - F));
    if (!steps) D = fmax(D, fabs(F - (double)first / n));
  }
  free(x);
  return D;
}

Test(dist, draws_against_their_cdf) {
  const osq_dist_t dists[] = {
      {.kind = OSQ_DIST_UNIFORM, .min = 3.85, .max = 50.0},
      {.kind = OSQ_DIST_UNIFORM, .integer = true, .min = 2, .max = 6},
      {.kind = OSQ_DIST_LOGUNIFORM, .min = 0.005, .max = 0.08},
      {.kind = OSQ_DIST_TRIANGULAR, .min = 0.55, .mode = 0.65, .max = 0.75},
      {.kind = OSQ_DIST_TRIANGULAR, .min = 0.0, .mode = 0.0, .max = 1.0},
      {.kind = OSQ_DIST_NORMAL, .mean = 0.45, .sd = 0.05, .min = 0.3, .max = 0.55},
      {.kind = OSQ_DIST_DISCRETE, .n_values = 4, .values = {2, 3, 4, 6}, .min = 2, .max = 6},
  };
  const int n = 4000;
  const double crit = 1.628 / sqrt(n); /* 1 % critical value of the KS statistic (asymptotic) */
  for (size_t k = 0; k < sizeof dists / sizeof dists[0]; k++) {
    const double D = ks_statistic(&dists[k], n, (unsigned)k);
    cr_expect(D < crit, "%s #%zu: KS statistic %.4f over its 1 %% critical value %.4f", osq_dist_name(dists[k].kind), k,
              D, crit);
    /* the quantile inverts the CDF: F(Q(u)) >= u, and Q(u) is the least such value */
    for (double u = 0.01; u < 1.0; u += 0.01) {
      const double x = osq_dist_quantile(&dists[k], u);
      cr_expect(x >= dists[k].min && x <= dists[k].max, "%s: Q(%g) = %g outside its range", osq_dist_name(dists[k].kind),
                u, x);
      cr_expect(osq_dist_cdf(&dists[k], x) >= u - 1e-9, "%s: F(Q(%g)) = %g", osq_dist_name(dists[k].kind), u,
                osq_dist_cdf(&dists[k], x));
    }
  }
}

Test(dist, integers_are_whole_and_equally_likely) {
  const osq_dist_t d = {.kind = OSQ_DIST_UNIFORM, .integer = true, .min = 2, .max = 6};
  int count[7] = {0};
  for (int k = 0; k < 5000; k++) {
    const double x = osq_dist_quantile(&d, (k + 0.5) / 5000.0);
    cr_assert(x == floor(x) && x >= 2 && x <= 6, "%g", x);
    count[(int)x]++;
  }
  for (int v = 2; v <= 6; v++) cr_expect_eq(count[v], 1000, "%d drawn %d times of 5000", v, count[v]);
  cr_expect_eq(osq_dist_quantile(&d, 0.0), 2.0);
  cr_expect_eq(osq_dist_quantile(&d, 1.0), 6.0);
  const osq_dist_t disc = {.kind = OSQ_DIST_DISCRETE, .n_values = 3, .values = {1, 5, 9}, .min = 1, .max = 9};
  cr_expect_eq(osq_dist_quantile(&disc, 1.0), 9.0);
  cr_expect_eq(osq_dist_quantile(&disc, 0.0), 1.0);
  cr_expect_eq(osq_dist_quantile(&disc, 0.5), 5.0);
}

/* ---- spread ---- */

Test(spread, quantiles_as_the_histograms) {
  double v[101];
  for (int i = 0; i <= 100; i++) v[i] = 100 - i; /* 100 .. 0 */
  v[50] = NAN;                                    /* left out: 100 values 0..100 but 50 */
  osq_spread_t s;
  cr_assert_eq(osq_spread(v, 101, &s), OSQ_OK);
  cr_expect_eq(s.n, 100);
  cr_expect_eq(s.p05, 4.0, "p05 %g", s.p05); /* the 5th smallest of 0..49, 51..100 */
  cr_expect_eq(s.p50, 49.0, "p50 %g", s.p50);
  cr_expect_eq(s.p95, 95.0, "p95 %g", s.p95);
  cr_expect(fabs(s.mean - 50.0) < 1e-12, "mean %g", s.mean);
}
