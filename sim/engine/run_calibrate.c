/*
 * run_calibrate.c owns `osq calibrate` on the engine: a simulated method of moments. The free
 * parameters (numeric scenario keys) are fitted by minimising a weighted distance between the
 * model's means of the target figures and their recorded values, each evaluation running the same
 * trials with the same streams (common random numbers: osq_run_validate with the scenario's seed),
 * so that the objective changes with the parameters and not with the noise. The minimiser is GSL's
 * Nelder-Mead simplex (nmsimplex2) over the parameters mapped from their ranges [lo, hi] onto the
 * real line (a logistic map), so that every point it tries is a valid scenario.
 *
 * The distance (docs/model.md section 6): sum over targets of w_i r_i^2, where r_i is the model's
 * mean minus the recorded value for an exact, approximate or planned figure, the shortfall below
 * value - tolerance for an at_least one and the excess over value + tolerance for an at_most one;
 * w_i = 1 / (s_i^2 g_i) with s_i^2 = sd_i^2 + tolerance_i^2 (sd_i: the spread of the figure over
 * trials at the starting point; a floor keeps exact figures finite) and g_i the number of targets
 * of the same quantity and period (so that the 52 pairs of the first distribution weigh as one
 * figure). Each parameter's uncertainty is read off the distance's curvature at the optimum.
 */
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine/mpi.h"
#include "sim/engine/run.h"

typedef struct {
  const osq_scenario_t *sc;
  osq_scenario_t *work;         /* the scenario the parameters are set on */
  const osq_history_t *targets; /* the target rows only */
  const osq_calibrate_opts_t *o;
  osq_calibrate_result_t *res;
  double *weight;               /* [n_targets] */
  double *mean;                 /* [n_targets]: the last evaluation's means */
  osq_error_t *err;
  int rc;                       /* the first error of an evaluation */
} calib_t;

static double squash(double u, double lo, double hi) { return lo + (hi - lo) / (1.0 + exp(-u)); }

static double unsquash(double x, double lo, double hi) {
  double t = (x - lo) / (hi - lo);
  if (t < 1e-9) t = 1e-9;
  if (t > 1.0 - 1e-9) t = 1.0 - 1e-9;
  return log(t / (1.0 - t));
}

/* The residual of target i given the model's mean m. */
static double residual(const osq_history_row_t *r, double m) {
  switch (r->kind) {
    case OSQ_KIND_AT_LEAST: return m < r->value - r->tolerance ? m - (r->value - r->tolerance) : 0.0;
    case OSQ_KIND_AT_MOST: return m > r->value + r->tolerance ? m - (r->value + r->tolerance) : 0.0;
    default: return m - r->value;
  }
}

/* The model's means of the targets at the parameters x (rank 0's, shared with every rank so that all
 * take the same steps). @return 0 or the engine's error */
static int evaluate(calib_t *c, const double *x, double *sd) {
  const osq_calibrate_result_t *res = c->res;
  memcpy(c->work, c->sc, sizeof *c->work);
  for (int k = 0; k < res->n_params; k++) {
    double v = x[k];
    if (res->param[k].integer) v = floor(v + 0.5);
    const int rc = osq_scenario_set_number(c->work, res->param[k].key, v, c->err);
    if (rc != OSQ_OK) return rc;
  }
  osq_run_opts_t ro = {.trials = c->o->trials, .threads = c->o->threads};
  osq_validate_result_t *v = NULL;
  int rc = osq_run_validate(c->work, c->targets, &ro, &v, c->err);
  if (rc != OSQ_OK) return rc;
  const int n = c->targets->n;
  uint64_t *bits = calloc(2 * (size_t)n + 1, sizeof *bits);
  if (!bits) rc = OSQ_ENOMEM;
  rc = osq_mpi_agree(rc, c->err);
  if (rc == OSQ_OK) {
    for (int i = 0; v && i < n; i++) { /* rank 0 holds the result: the others add zero bits */
      memcpy(&bits[i], &v->row[i].mean, sizeof bits[i]);
      memcpy(&bits[n + i], &v->row[i].sd, sizeof bits[i]);
    }
    osq_mpi_allsum_u64(bits, 2 * (size_t)n);
    for (int i = 0; i < n; i++) {
      memcpy(&c->mean[i], &bits[i], sizeof bits[i]);
      if (sd) memcpy(&sd[i], &bits[n + i], sizeof bits[i]);
    }
  }
  free(bits);
  osq_validate_result_free(v);
  return rc;
}

static double distance(const calib_t *c) {
  double d = 0.0;
  for (int i = 0; i < c->targets->n; i++) {
    const double r = residual(&c->targets->row[i], c->mean[i]);
    if (!isnan(r)) d += c->weight[i] * r * r;
  }
  return d;
}

/* GSL's objective: the distance at the parameters of the point u (mapped onto their ranges). */
static double objective(const gsl_vector *u, void *ctx) {
  calib_t *c = ctx;
  if (c->rc != OSQ_OK) return GSL_POSINF;
  double x[OSQ_CALIBRATE_PARAMS_MAX];
  for (int k = 0; k < c->res->n_params; k++)
    x[k] = squash(gsl_vector_get(u, (size_t)k), c->res->param[k].lo, c->res->param[k].hi);
  c->rc = evaluate(c, x, NULL);
  c->res->evals++;
  if (c->o->progress) c->o->progress(c->o->progress_ctx, c->res->evals, c->o->max_evals);
  return c->rc == OSQ_OK ? distance(c) : GSL_POSINF;
}

/* The weights from the spread at the starting point. */
static void set_weights(calib_t *c, const double *sd) {
  const osq_history_t *t = c->targets;
  for (int i = 0; i < t->n; i++) {
    const osq_history_row_t *r = &t->row[i];
    int g = 0;
    for (int j = 0; j < t->n; j++)
      g += t->row[j].fig.quantity == r->fig.quantity && strcmp(t->row[j].period, r->period) == 0;
    const double floor_sd = r->fig.quantity == OSQ_Q_SHARE_OVER ? 0.01 : 0.5;
    double s2 = sd[i] * sd[i] + r->tolerance * r->tolerance;
    if (!(s2 >= floor_sd * floor_sd)) s2 = floor_sd * floor_sd;
    c->weight[i] = 1.0 / (s2 * (g > 0 ? g : 1));
  }
}

/* Each parameter's uncertainty from the distance's curvature in it (central second differences at a
 * step of 2 % of its range): with the distance a sum of squared standardised residuals, a change of
 * one standard deviation raises it by 1, so sd = sqrt(2 / d2). */
static int curvature(calib_t *c, double d0) {
  osq_calibrate_result_t *res = c->res;
  double x[OSQ_CALIBRATE_PARAMS_MAX];
  for (int k = 0; k < res->n_params; k++) x[k] = res->param[k].value;
  for (int k = 0; k < res->n_params; k++) {
    osq_calibrate_param_t *p = &res->param[k];
    const double h = p->integer ? 1.0 : 0.02 * (p->hi - p->lo);
    double d[2];
    for (int s = 0; s < 2; s++) {
      x[k] = p->value + (s ? h : -h);
      if (x[k] < p->lo) x[k] = p->lo;
      if (x[k] > p->hi) x[k] = p->hi;
      const int rc = evaluate(c, x, NULL);
      if (rc != OSQ_OK) return rc;
      d[s] = distance(c);
    }
    x[k] = p->value;
    const double d2 = (d[0] - 2.0 * d0 + d[1]) / (h * h);
    p->sd = d2 > 0.0 ? sqrt(2.0 / d2) : NAN;
  }
  return OSQ_OK;
}

static int minimise(calib_t *c) {
  osq_calibrate_result_t *res = c->res;
  const size_t n = (size_t)res->n_params;
  gsl_vector *u = gsl_vector_alloc(n), *step = gsl_vector_alloc(n);
  gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, n);
  if (!u || !step || !m) {
    gsl_vector_free(u);
    gsl_vector_free(step);
    gsl_multimin_fminimizer_free(m);
    return osq_error_add(c->err, OSQ_ENOMEM, NULL, 0, "out of memory");
  }
  for (size_t k = 0; k < n; k++) {
    gsl_vector_set(u, k, unsquash(res->param[k].start, res->param[k].lo, res->param[k].hi));
    gsl_vector_set(step, k, 0.5); /* in the logistic scale: about a tenth of the range near the middle */
  }
  gsl_multimin_function f = {.f = objective, .n = n, .params = c};
  /* Restarted from its best point with a fresh simplex until a restart gains less than 0.1 % of the
   * distance: a simplex that has collapsed along one direction stops short of the minimum (measured
   * on the shipped fit: one run stopped at 19.70, restarts reach lower, docs/model.md section 6). */
  double best = INFINITY;
  for (int restart = 0; restart < 10 && c->rc == OSQ_OK && res->evals < c->o->max_evals; restart++) {
    res->converged = false;
    gsl_multimin_fminimizer_set(m, &f, u, step);
    while (c->rc == OSQ_OK && res->evals < c->o->max_evals) {
      if (gsl_multimin_fminimizer_iterate(m) != GSL_SUCCESS) break;
      if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), c->o->tolerance) == GSL_SUCCESS) {
        res->converged = true;
        break;
      }
    }
    gsl_vector_memcpy(u, m->x);
    const bool gained = isinf(best) || m->fval < best - 1e-3 * fabs(best);
    if (m->fval < best) best = m->fval;
    if (!gained || !res->converged) break;
  }
  for (size_t k = 0; k < n; k++) {
    double v = squash(gsl_vector_get(m->x, k), res->param[k].lo, res->param[k].hi);
    if (res->param[k].integer) v = floor(v + 0.5);
    res->param[k].value = v;
  }
  res->distance_after = m->fval;
  gsl_vector_free(u);
  gsl_vector_free(step);
  gsl_multimin_fminimizer_free(m);
  return c->rc;
}

static int calibrate(calib_t *c) {
  osq_calibrate_result_t *res = c->res;
  const int n = c->targets->n;
  double x[OSQ_CALIBRATE_PARAMS_MAX], *sd = calloc((size_t)n + 1, sizeof *sd);
  if (!sd) return osq_error_add(c->err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int k = 0; k < res->n_params; k++) x[k] = res->param[k].start;
  int rc = evaluate(c, x, sd);
  if (rc == OSQ_OK) {
    set_weights(c, sd);
    memcpy(res->before, c->mean, sizeof *c->mean * (size_t)n);
    memcpy(res->weight, c->weight, sizeof *c->weight * (size_t)n);
    res->distance_before = distance(c);
    rc = minimise(c);
  }
  for (int k = 0; k < res->n_params; k++) x[k] = res->param[k].value;
  if (rc == OSQ_OK) rc = evaluate(c, x, NULL); /* the means at the fitted values */
  if (rc == OSQ_OK) {
    memcpy(res->after, c->mean, sizeof *c->mean * (size_t)n);
    res->distance_after = distance(c);
    rc = curvature(c, res->distance_after);
  }
  free(sd);
  return rc;
}

int osq_run_calibrate(const osq_scenario_t *sc, const osq_history_t *targets, const char *const *keys, int n_keys,
                      const osq_calibrate_opts_t *o, osq_calibrate_result_t **out, osq_error_t *err) {
  *out = NULL;
  if (n_keys < 1 || n_keys > OSQ_CALIBRATE_PARAMS_MAX)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "calibrate fits 1 to %d parameters, not %d", OSQ_CALIBRATE_PARAMS_MAX,
                         n_keys);
  if (targets->n < 1) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "no target figure within the simulated years");
  const int n = targets->n;
  osq_calibrate_result_t *res = calloc(1, sizeof *res);
  calib_t c = {.sc = sc, .targets = targets, .o = o, .res = res, .err = err};
  c.work = malloc(sizeof *c.work);
  c.weight = calloc((size_t)n, sizeof *c.weight);
  c.mean = calloc((size_t)n, sizeof *c.mean);
  if (res) {
    res->n_params = n_keys;
    res->n_targets = n;
    res->before = calloc((size_t)n, sizeof *res->before);
    res->after = calloc((size_t)n, sizeof *res->after);
    res->weight = calloc((size_t)n, sizeof *res->weight);
  }
  int rc = res && c.work && c.weight && c.mean && res->before && res->after && res->weight
               ? OSQ_OK
               : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int k = 0; rc == OSQ_OK && k < n_keys; k++) {
    osq_calibrate_param_t *p = &res->param[k];
    snprintf(p->key, sizeof p->key, "%s", keys[k]);
    memcpy(c.work, sc, sizeof *c.work);
    rc = osq_scenario_number_info(c.work, keys[k], &p->integer, &p->lo, &p->hi, err);
    if (rc == OSQ_OK) rc = osq_scenario_get_number(c.work, keys[k], &p->start, err);
    if (rc == OSQ_OK && o->bounds && !isnan(o->bounds[2 * k])) {
      p->lo = o->bounds[2 * k];
      p->hi = o->bounds[2 * k + 1];
    }
    if (rc == OSQ_OK && !(p->start >= p->lo && p->start <= p->hi))
      rc = osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s starts at %g, outside its range %g to %g", p->key, p->start,
                         p->lo, p->hi);
    p->value = p->start;
  }
  if (rc == OSQ_OK) rc = calibrate(&c);
  free(c.work);
  free(c.weight);
  free(c.mean);
  if (rc != OSQ_OK) {
    osq_calibrate_result_free(res);
    return rc;
  }
  *out = res;
  return OSQ_OK;
}

void osq_calibrate_result_free(osq_calibrate_result_t *r) {
  if (!r) return;
  free(r->before);
  free(r->after);
  free(r->weight);
  free(r);
}
