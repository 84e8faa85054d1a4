/*
 * stages.c owns the quota model's stage loops of `osq bench` (see stages.h for what and why). The
 * trials are prepared as the engine prepares them (osq_trial_prep_init: each year's parameters and
 * caps), the per-thread year and stream are allocated before the clock starts, and the blocks are
 * handed out as the engine's waves hand them out, so that the loop differs from the trial loop
 * only by what it leaves out.
 */
#include "bench/stages.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "models/quota.h"
#include "models/rng.h"
#include "sim/engine/stats.h"
#include "sim/engine/trial.h"

/* One thread's year, stream and counts; a whole number of cache lines apart (osq_lines_calloc). */
typedef struct {
  osq_year_t year;
  gsl_rng *rng;
  int64_t draws, granted;
  int rc;
} stage_ws_t;

int osq_stage_run(const osq_scenario_t *sc, int64_t trials, int threads, osq_stage_t upto, osq_stage_result_t *out,
                  osq_error_t *err) {
  memset(out, 0, sizeof *out);
  if (!sc || sc->geo.enabled || trials <= 0 || threads < 1 || sc->block_size < 1)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "model stages: a run without geography is needed");
  osq_trial_prep_t p;
  int rc = osq_trial_prep_init(&p, sc, trials, false, err);
  if (rc != OSQ_OK) return rc;
  const size_t stride = (sizeof(stage_ws_t) + 63) / 64 * 64;
  unsigned char *mem = osq_lines_calloc((size_t)threads, stride);
  bool ok = mem != NULL;
  for (int t = 0; ok && t < threads; t++) ok = (((stage_ws_t *)(mem + t * stride))->rng = osq_rng_gsl_alloc()) != NULL;
  if (!ok) {
    rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "model stages: out of memory");
    goto done;
  }
  const int64_t B = sc->block_size, blocks = (trials + B - 1) / B;
  const double t0 = omp_get_wtime();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) default(none) \
    shared(p, sc, mem, stride, blocks, B, trials, upto)
  for (int64_t b = 0; b < blocks; b++) {
    stage_ws_t *ws = (stage_ws_t *)(mem + (size_t)omp_get_thread_num() * stride);
    const int64_t end = (b + 1) * B < trials ? (b + 1) * B : trials;
    for (int64_t trial = b * B; trial < end && ws->rc == OSQ_OK; trial++) {
      osq_rng_gsl_reset(ws->rng, sc->seed, (uint64_t)trial, OSQ_STREAM_MODEL);
      for (int y = 0; y < p.n_years && ws->rc == OSQ_OK; y++) {
        ws->rc = upto == OSQ_STAGE_DISTRIBUTION
                     ? osq_quota_distribute(&sc->treaty, &p.params[y], &p.caps[y], ws->rng, &ws->year)
                     : osq_quota_simulate(&sc->treaty, &p.params[y], &p.caps[y], ws->rng, &ws->year);
        ws->granted += ws->year.n_flights;
      }
      ws->draws += (int64_t)osq_rng_words(osq_rng_gsl_state(ws->rng));
    }
  }
  out->seconds = omp_get_wtime() - t0;
  for (int t = 0; t < threads; t++) {
    const stage_ws_t *ws = (const stage_ws_t *)(mem + t * stride);
    out->draws += ws->draws;
    out->granted += ws->granted;
    if (ws->rc != OSQ_OK && rc == OSQ_OK)
      rc = osq_error_add(err, ws->rc, NULL, 0, "model stages: a trial failed: %s", osq_strerror(ws->rc));
  }
done:
  for (int t = 0; mem && t < threads; t++) {
    gsl_rng *r = ((stage_ws_t *)(mem + t * stride))->rng;
    if (r) gsl_rng_free(r);
  }
  free(mem);
  osq_trial_prep_free(&p);
  return rc;
}
