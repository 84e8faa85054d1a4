/*
 * stats.c owns the out-of-line parts of the statistics module: the Chan merge, histogram
 * allocation (k histograms in one block), exact histogram merge, quantiles and the summary.
 */
#include "sim/engine/stats.h"

#include <float.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "models/errors.h"

/* ---- Welford ---- */

void osq_welford_merge(osq_welford_t *into, const osq_welford_t *b) {
  if (b->n == 0) return;
  if (into->n == 0) {
    *into = *b; /* exact copy: the formula below would round mean*nB/nB */
    return;
  }
  const double na = (double)into->n;
  const double nb = (double)b->n;
  const double n = na + nb;
  const double d = b->mean - into->mean;
  into->mean = into->mean + d * nb / n;
  into->m2 = into->m2 + b->m2 + d * d * na * nb / n;
  into->n += b->n;
}

double osq_welford_var(const osq_welford_t *w) {
  return w->n < 2 ? 0.0 : w->m2 / (double)(w->n - 1);
}

double osq_welford_sd(const osq_welford_t *w) { return sqrt(osq_welford_var(w)); }

double osq_welford_se(const osq_welford_t *w) {
  return w->n < 2 ? 0.0 : sqrt(osq_welford_var(w) / (double)w->n);
}

/* ---- histograms ---- */

static int bins_valid(double lo, double width, int nbins) {
  return nbins >= 1 && isfinite(lo) && isfinite(width) && width > 0.0 &&
         isfinite(lo + width * (double)nbins);
}

static void hist_clear(osq_hist_t *h) {
  h->under = h->over = h->nan = 0;
  h->min = INFINITY;
  h->max = -INFINITY;
  memset(h->counts, 0, (size_t)h->nbins * sizeof *h->counts);
}

osq_hist_t *osq_hist_set_alloc(int k, const double lo[], const double width[], const int nbins[]) {
  if (k < 1) return NULL;
  size_t total = 0;
  for (int j = 0; j < k; j++) {
    if (!bins_valid(lo[j], width[j], nbins[j])) return NULL;
    total += (size_t)nbins[j];
  }
  /* Layout: k headers, then every histogram's counters back to back. sizeof(osq_hist_t) is a
   * multiple of 8 (it holds doubles and uint64_t), so the counters are suitably aligned. */
  const size_t head = (size_t)k * sizeof(osq_hist_t);
  if (total > (SIZE_MAX - head) / sizeof(uint64_t)) return NULL;
  osq_hist_t *set = osq_lines_calloc(1, head + total * sizeof(uint64_t)); /* each thread's on lines of its own */
  if (set == NULL) return NULL;
  uint64_t *c = (uint64_t *)(void *)((char *)set + head);
  for (int j = 0; j < k; j++) {
    set[j].lo = lo[j];
    set[j].width = width[j];
    set[j].nbins = (int32_t)nbins[j];
    set[j].counts = c;
    c += nbins[j];
    hist_clear(&set[j]);
  }
  return set;
}

osq_hist_t *osq_hist_alloc(double lo, double width, int nbins) {
  return osq_hist_set_alloc(1, &lo, &width, &nbins);
}

osq_hist_t *osq_hist_set_alloc_like(const osq_hist_t *set, int k) {
  if (set == NULL || k < 1) return NULL;
  double *lo = malloc((size_t)k * sizeof *lo);
  double *width = malloc((size_t)k * sizeof *width);
  int *nbins = malloc((size_t)k * sizeof *nbins);
  osq_hist_t *out = NULL;
  if (lo != NULL && width != NULL && nbins != NULL) {
    for (int j = 0; j < k; j++) {
      lo[j] = set[j].lo;
      width[j] = set[j].width;
      nbins[j] = set[j].nbins;
    }
    out = osq_hist_set_alloc(k, lo, width, nbins);
  }
  free(lo);
  free(width);
  free(nbins);
  return out;
}

void osq_hist_free(osq_hist_t *h) { free(h); }

void *osq_lines_calloc(size_t n, size_t size) {
  if (size != 0 && n > (SIZE_MAX - 63) / size) return NULL;
  const size_t bytes = (n * size + 63) / 64 * 64;
  void *p = aligned_alloc(64, bytes ? bytes : 64);
  if (p) memset(p, 0, bytes ? bytes : 64);
  return p;
}

void osq_hist_reset(osq_hist_t *h) { hist_clear(h); }

static int same_bins(const osq_hist_t *a, const osq_hist_t *b) {
  return a->lo == b->lo && a->width == b->width && a->nbins == b->nbins;
}

static void hist_merge(osq_hist_t *into, const osq_hist_t *b) {
  into->under += b->under;
  into->over += b->over;
  into->nan += b->nan;
  if (b->min < into->min) into->min = b->min;
  if (b->max > into->max) into->max = b->max;
  for (int32_t i = 0; i < into->nbins; i++) into->counts[i] += b->counts[i];
}

int osq_hist_merge(osq_hist_t *into, const osq_hist_t *b) {
  if (!same_bins(into, b)) return OSQ_EINVAL;
  hist_merge(into, b);
  return 0;
}

int osq_hist_set_merge(osq_hist_t *into, const osq_hist_t *b, int k) {
  for (int j = 0; j < k; j++)
    if (!same_bins(&into[j], &b[j])) return OSQ_EINVAL;
  for (int j = 0; j < k; j++) hist_merge(&into[j], &b[j]);
  return 0;
}

uint64_t osq_hist_count(const osq_hist_t *h) {
  uint64_t n = h->under + h->over;
  for (int32_t i = 0; i < h->nbins; i++) n += h->counts[i];
  return n;
}

/* k = max(1, ceil(p*n)), with p*n snapped to a nearby integer: p is usually a decimal such as
 * 0.07 whose double is a hair off, and 0.07*100 evaluates to 7.000000000000001. */
static uint64_t quantile_rank(double p, uint64_t n) {
  double t = p * (double)n;
  const double r = round(t);
  if (fabs(t - r) <= 8.0 * DBL_EPSILON * t) t = r;
  uint64_t k = (uint64_t)ceil(t);
  if (k < 1) k = 1;
  if (k > n) k = n;
  return k;
}

double osq_hist_quantile(const osq_hist_t *h, double p) {
  const uint64_t n = osq_hist_count(h);
  if (n == 0 || !(p >= 0.0 && p <= 1.0)) return NAN;
  const uint64_t k = quantile_rank(p, n);
  uint64_t c = h->under;
  if (c >= k) return -INFINITY;
  for (int32_t i = 0; i < h->nbins; i++) {
    c += h->counts[i];
    if (c >= k) return h->lo + ((double)i + 0.5) * h->width;
  }
  return INFINITY;
}

/* ---- summary ---- */

void osq_summarize(const osq_welford_t *w, const osq_hist_t *h, osq_summary_t *out) {
  out->n = w->n;
  out->sd = osq_welford_sd(w);
  out->se = osq_welford_se(w);
  if (w->n == 0) {
    out->mean = out->ci95_lo = out->ci95_hi = NAN;
  } else if (w->n == 1) {
    out->mean = out->ci95_lo = out->ci95_hi = w->mean;
  } else {
    const double t = gsl_cdf_tdist_Pinv(0.975, (double)(w->n - 1));
    out->mean = w->mean;
    out->ci95_lo = w->mean - t * out->se;
    out->ci95_hi = w->mean + t * out->se;
  }
  if (h == NULL) {
    out->p05 = out->p50 = out->p95 = NAN;
  } else {
    out->p05 = osq_hist_quantile(h, 0.05);
    out->p50 = osq_hist_quantile(h, 0.5);
    out->p95 = osq_hist_quantile(h, 0.95);
  }
}
