/*
 * run_compare.c owns `osq compare` on the engine: several prepared scenarios per trial, all over the
 * reference's (the first's) trials, seed and block size, so that trial i of each scenario draws
 * from the same streams (common random numbers) and the differences are paired. A block's record
 * holds, per scenario, the Welford records of its slots, of its paired differences to the
 * reference's matching slots, and (for the others than the reference) of the reference rows it
 * lacks, counted as zero in it.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine/memory.h"
#include "sim/engine/mpi.h"
#include "sim/engine/run.h"
#include "sim/engine/trial.h"
#include "sim/engine/waves.h"

/* One scenario of the comparison. */
typedef struct {
  osq_scenario_t sc;         /* the scenario, with the reference's seed, trials and block size */
  osq_trial_prep_t prep;
  osq_trial_ws_t *ws;        /* [threads] */
  osq_welford_t *total;      /* [S]: its slots, merged in block order */
  osq_welford_t *dtot;       /* [S]: paired differences to the reference's slots */
  int *pair;                 /* [S]: the reference slot of each slot (same year position, metric and
                                party code), -1: none (then, unless the metric has no zero, the
                                reference counts as zero: a party absent from it, e.g. one that
                                returns, shows its whole value as the difference); the reference's
                                own: itself */
  int *phantom;              /* reference slots it lacks: counted as zero in it (no flight over a
                                party that left, none of its territory imaged), so the loss shows */
  int n_phantom;
  osq_welford_t *ptot;       /* [n_phantom]: 0 - reference, merged in block order */
  size_t off_rec, off_drec, off_prec; /* where its parts start in a block's record (in records) */
} cmp_one_t;

typedef struct {
  cmp_one_t *one;            /* [n] */
  int n, threads, max_s;
  double *vals;              /* [threads][n][max_s]: each slot's value in the current trial */
  size_t rec_len;            /* records in one block's record */
} cmp_t;

/* Whether a metric is zero for a party that is not in the scenario (no flight over it, none of its
 * territory imaged, no imagery access): all but the mean revisit interval and the dyad density,
 * which have no value there. */
static bool has_zero(int metric) { return metric != OSQ_M_REVISIT_DAYS && metric != OSQ_M_DYAD_DENSITY; }

/* ---- the waves' job ---- */

/* One trial of every scenario, then the paired differences of its slots. */
static int cmp_trial(cmp_t *c, int tid, int64_t t, osq_welford_t *rec) {
  double *v = c->vals + (size_t)tid * c->n * c->max_s;
  for (int k = 0; k < c->n; k++) {
    const cmp_one_t *o = &c->one[k];
    const int rc = osq_trial_run(&o->prep, t, &o->ws[tid], rec + o->off_rec, v + (size_t)k * c->max_s, NULL);
    if (rc) return rc;
  }
  for (int k = 0; k < c->n; k++) {
    const cmp_one_t *o = &c->one[k];
    const double *vk = v + (size_t)k * c->max_s;
    osq_welford_t *d = rec + o->off_drec;
    for (int s = 0; s < o->prep.slots.n; s++) {
      const int r = o->pair[s];
      if (r < 0 && !has_zero(o->prep.slots.slot[s].metric)) continue;
      const double x = vk[s] - (r < 0 ? 0.0 : v[r]);
      if (!isnan(x)) osq_welford_add(&d[s], x);
    }
    osq_welford_t *pd = rec + o->off_prec;
    for (int q = 0; q < o->n_phantom; q++) {
      const double x = 0.0 - v[o->phantom[q]];
      if (!isnan(x)) osq_welford_add(&pd[q], x);
    }
  }
  return OSQ_OK;
}

static int cmp_block(void *ctx, int tid, int64_t b, int64_t t0, int64_t t1, void *rec) {
  (void)b;
  for (int64_t t = t0; t < t1; t++) {
    const int rc = cmp_trial(ctx, tid, t, rec);
    if (rc) return rc;
  }
  return OSQ_OK;
}

static void cmp_merge(void *ctx, int64_t b, const void *rec_) {
  (void)b;
  const cmp_t *c = ctx;
  const osq_welford_t *rec = rec_;
  for (int k = 0; k < c->n; k++) {
    const cmp_one_t *o = &c->one[k];
    for (int s = 0; s < o->prep.slots.n; s++) {
      osq_welford_merge(&o->total[s], &rec[o->off_rec + (size_t)s]);
      osq_welford_merge(&o->dtot[s], &rec[o->off_drec + (size_t)s]);
    }
    for (int q = 0; q < o->n_phantom; q++) osq_welford_merge(&o->ptot[q], &rec[o->off_prec + (size_t)q]);
  }
}

/* ---- prepare ---- */

/* Scenario k's pairing with the reference (one[0]): pair[] and phantom[]. */
static void pair_slots(cmp_one_t *o, const cmp_one_t *ref, int k) {
  const osq_slots_t *a = &o->prep.slots, *b = &ref->prep.slots;
  for (int s = 0; s < a->n; s++) {
    const osq_slot_t *x = &a->slot[s];
    const char *code = osq_slot_party(x, &o->sc.treaty);
    o->pair[s] = k == 0 ? s : -1;
    for (int r = 0; r < b->n && k > 0; r++) {
      const osq_slot_t *y = &b->slot[r];
      if (y->year_idx == x->year_idx && y->metric == x->metric && strcmp(code, osq_slot_party(y, &ref->sc.treaty)) == 0)
        o->pair[s] = r;
    }
  }
  for (int r = 0; k > 0 && r < b->n; r++) {
    if (!has_zero(b->slot[r].metric)) continue; /* no value, not zero */
    bool matched = false;
    for (int s = 0; s < a->n && !matched; s++) matched = o->pair[s] == r;
    if (!matched) o->phantom[o->n_phantom++] = r;
  }
}

static int prepare_one(cmp_t *c, int k, const osq_scenario_t *src, int64_t trials, osq_error_t *err) {
  cmp_one_t *o = &c->one[k];
  const osq_scenario_t *ref = k == 0 ? src : &c->one[0].sc;
  o->sc = *src;
  o->sc.seed = ref->seed;
  o->sc.trials = trials;
  o->sc.block_size = ref->block_size;
  o->sc.map = false;
  int rc = osq_trial_prep_init(&o->prep, &o->sc, trials, false, err);
  if (rc != OSQ_OK) return rc;
  const int S = o->prep.slots.n, R = c->one[0].prep.slots.n;
  o->total = calloc((size_t)S, sizeof *o->total);
  o->dtot = calloc((size_t)S, sizeof *o->dtot);
  o->pair = malloc(sizeof *o->pair * (size_t)S);
  o->phantom = malloc(sizeof *o->phantom * (size_t)R + 1);
  o->ptot = calloc((size_t)R + 1, sizeof *o->ptot);
  o->ws = osq_trial_ws_array_alloc(c->threads);
  if (!o->total || !o->dtot || !o->pair || !o->phantom || !o->ptot || !o->ws)
    return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int t = 0; t < c->threads; t++)
    if (!osq_trial_ws_init(&o->ws[t], &o->prep, 0)) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  pair_slots(o, &c->one[0], k);
  o->off_rec = c->rec_len;
  o->off_drec = o->off_rec + (size_t)S;
  o->off_prec = o->off_drec + (size_t)S;
  c->rec_len = o->off_prec + (size_t)o->n_phantom;
  if (S > c->max_s) c->max_s = S;
  return OSQ_OK;
}

static int prepare(cmp_t *c, const osq_scenario_t *const *scs, int64_t trials, osq_error_t *err) {
  int rc = osq_memory_check_compare(scs, c->n, c->threads, err);
  for (int k = 0; rc == OSQ_OK && k < c->n; k++) rc = prepare_one(c, k, scs[k], trials, err);
  if (rc != OSQ_OK) return rc;
  c->vals = malloc(sizeof *c->vals * (size_t)c->threads * (size_t)c->n * (size_t)c->max_s);
  return c->vals ? OSQ_OK : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
}

static void cmp_free(cmp_t *c) {
  for (int k = 0; c->one && k < c->n; k++) {
    cmp_one_t *o = &c->one[k];
    for (int t = 0; o->ws && t < c->threads; t++) osq_trial_ws_free(&o->ws[t]);
    free(o->ws);
    free(o->total);
    free(o->dtot);
    free(o->pair);
    free(o->phantom);
    free(o->ptot);
    osq_trial_prep_free(&o->prep);
  }
  free(c->one);
  free(c->vals);
}

/* ---- finish (rank 0) ---- */

static int add_row(osq_compare_t *cmp, int idx, const cmp_one_t *o, const osq_scenario_t *names, const osq_slot_t *sl,
                   const osq_summary_t *a, double diff, double lo, double hi) {
  osq_compare_row_t row = {.scenario = idx, .year = o->sc.first_year + sl->year_idx, .mean = a->mean,
                           .ci95_lo = a->ci95_lo, .ci95_hi = a->ci95_hi, .diff = diff, .diff_ci95_lo = lo,
                           .diff_ci95_hi = hi};
  snprintf(row.metric, sizeof row.metric, "%s", osq_slot_metric_name(sl->metric));
  snprintf(row.party, sizeof row.party, "%s", osq_slot_party(sl, &names->treaty));
  return osq_compare_add(cmp, &row);
}

/* Scenario k's header and rows: its slots with their paired differences, then the reference rows it
 * lacks (zero in it). */
static int add_scenario(osq_compare_t *cmp, const cmp_t *c, int k, const osq_waves_result_t *w) {
  const cmp_one_t *o = &c->one[k], *ref = &c->one[0];
  osq_run_header_t h;
  osq_run_header_init(&h);
  osq_run_header_fill(&h, &o->sc, w->trials_done, c->threads, o->ws[0].hash);
  int idx;
  int rc = osq_compare_add_scenario(cmp, &h, &idx);
  for (int s = 0; rc == OSQ_OK && s < o->prep.slots.n; s++) {
    osq_summary_t a, d;
    osq_summarize(&o->total[s], NULL, &a);
    osq_summarize(&o->dtot[s], NULL, &d);
    if (k == 0) rc = add_row(cmp, idx, o, &o->sc, &o->prep.slots.slot[s], &a, 0.0, 0.0, 0.0);
    else if (o->pair[s] < 0 && !has_zero(o->prep.slots.slot[s].metric))
      rc = add_row(cmp, idx, o, &o->sc, &o->prep.slots.slot[s], &a, NAN, NAN, NAN);
    else rc = add_row(cmp, idx, o, &o->sc, &o->prep.slots.slot[s], &a, d.mean, d.ci95_lo, d.ci95_hi);
  }
  for (int q = 0; rc == OSQ_OK && q < o->n_phantom; q++) {
    osq_summary_t d;
    const osq_summary_t zero = {.mean = 0.0, .ci95_lo = 0.0, .ci95_hi = 0.0};
    osq_summarize(&o->ptot[q], NULL, &d);
    rc = add_row(cmp, idx, o, &ref->sc, &ref->prep.slots.slot[o->phantom[q]], &zero, d.mean, d.ci95_lo, d.ci95_hi);
  }
  return rc;
}

static int finish(cmp_t *c, const osq_waves_result_t *w, osq_compare_t **out, osq_error_t *err) {
  /* The hashes are sums over trials: over threads, then over ranks (exact). */
  for (int k = 0; k < c->n; k++) {
    const int rc = osq_trial_ws_reduce(c->one[k].ws, c->threads, &c->one[k].prep, NULL, err);
    if (rc != OSQ_OK) return rc;
  }
  if (!osq_mpi_root()) return OSQ_OK; /* rank 0 alone holds the merged records */
  osq_compare_t *cmp = osq_compare_alloc();
  int rc = cmp ? OSQ_OK : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  for (int k = 0; rc == OSQ_OK && k < c->n; k++)
    if (add_scenario(cmp, c, k, w) != OSQ_OK) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  if (rc != OSQ_OK) osq_compare_free(cmp);
  else *out = cmp;
  return rc;
}

int osq_run_compare(const osq_scenario_t *const *scs, int n, const osq_run_opts_t *opts, osq_compare_t **out,
                        osq_error_t *err) {
  static const osq_run_opts_t none;
  *out = NULL;
  if (!opts) opts = &none;
  if (n < 1) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "compare takes at least one scenario");
  const osq_scenario_t *ref = scs[0];
  const int64_t trials = opts->trials > 0 ? opts->trials : ref->trials;
  const int n_years = ref->last_year - ref->first_year + 1;
  for (int k = 1; k < n; k++)
    if (scs[k]->last_year - scs[k]->first_year + 1 != n_years)
      return osq_error_add(err, OSQ_EINVAL, scs[k]->path, 0,
                           "simulates %d years, %s %d (expected the same number of years: rows are paired by year "
                           "position)",
                           scs[k]->last_year - scs[k]->first_year + 1, ref->path, n_years);
  cmp_t c = {.n = n};
  c.threads = opts->threads > 0 ? opts->threads : ref->threads > 0 ? ref->threads : omp_get_max_threads();
  if (c.threads < 1) c.threads = 1;
  c.one = calloc((size_t)n, sizeof *c.one);
  int rc = c.one ? prepare(&c, scs, trials, err) : osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  rc = osq_mpi_agree(rc, err); /* a set-up that failed on any rank stops every rank */
  osq_waves_result_t w;
  if (rc == OSQ_OK) {
    const osq_waves_job_t job = {.rec_size = sizeof(osq_welford_t) * c.rec_len, .run_block = cmp_block,
                                 .merge_block = cmp_merge, .ctx = &c};
    const osq_waves_spec_t spec = {.trials = trials, .block_size = ref->block_size, .threads = c.threads,
                                   .progress = opts->progress, .progress_ctx = opts->progress_ctx};
    rc = osq_waves_run(&job, &spec, &w, err);
  }
  if (rc == OSQ_OK) rc = finish(&c, &w, out, err);
  rc = osq_mpi_agree(rc, err); /* rank 0 alone built the table: its outcome is every rank's */
  cmp_free(&c);
  if (rc != OSQ_OK) {
    osq_compare_free(*out);
    *out = NULL;
  }
  return rc;
}
