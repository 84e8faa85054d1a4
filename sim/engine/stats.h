/*
 * stats.h owns streaming, mergeable, order-deterministic statistics (docs/engineering.md §4, §3):
 * - osq_welford_t: count, mean and M2 of a stream, merged with Chan et al.'s formula. Floating
 *   point merges are NOT associative, so the engine keeps one osq_welford_t per fixed block of
 *   trials (each filled in trial order) and merges the blocks in block order: then the result
 *   is bitwise identical for any thread or rank count. Never merge per-thread accumulators.
 * - osq_hist_t: fixed-bin histograms with integer counts, for quantiles. Integer addition is
 *   exact and commutative, so histograms merge bitwise identically in ANY order: unlike
 *   Welford records they may be kept per thread (or per block) and merged however convenient.
 * - osq_summary_t: what gets reported (mean, sd, standard error, 95 % t-interval, quantiles).
 */
#ifndef OSQ_STATS_H
#define OSQ_STATS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------------------------------- */
/* Welford accumulators                                                                      */

/** Streaming count, mean and sum of squared deviations M2. Zero-initialise or OSQ_WELFORD_INIT. */
typedef struct {
  int64_t n;   /**< number of values added */
  double mean; /**< running mean (0 when n == 0) */
  double m2;   /**< sum of squared deviations from the mean */
} osq_welford_t;

/** Initialiser of an empty accumulator. */
#define OSQ_WELFORD_INIT {0, 0.0, 0.0}

/** Empty the accumulator. */
static inline void osq_welford_reset(osq_welford_t *w) {
  w->n = 0;
  w->mean = 0.0;
  w->m2 = 0.0;
}

/** Add one value (Welford 1962: n += 1; d = x - mean; mean += d/n; M2 += d*(x - mean)). */
static inline void osq_welford_add(osq_welford_t *w, double x) {
  w->n += 1;
  const double d = x - w->mean;
  w->mean += d / (double)w->n;
  w->m2 += d * (x - w->mean);
}

/**
 * Merge b into `into` (Chan, Golub & LeVeque 1979): with n = nA + nB and d = meanB - meanA,
 * mean = meanA + d*nB/n and M2 = M2A + M2B + d*d*nA*nB/n. Merging into an empty accumulator
 * copies b exactly, and merging an empty b changes nothing, so a block-order merge starting
 * from empty is a pure function of the block records.
 */
void osq_welford_merge(osq_welford_t *into, const osq_welford_t *b);

/** @return the sample variance M2/(n-1), or 0 if n < 2. */
double osq_welford_var(const osq_welford_t *w);
/** @return the sample standard deviation sqrt(var), or 0 if n < 2. */
double osq_welford_sd(const osq_welford_t *w);
/** @return the standard error of the mean sqrt(var/n), or 0 if n < 2. */
double osq_welford_se(const osq_welford_t *w);

/* ---------------------------------------------------------------------------------------- */
/* Fixed-bin histograms                                                                      */

/**
 * Histogram of nbins equal bins starting at lo: bin i counts lo + i*width <= x < lo + (i+1)*width
 * (up to the rounding of (x - lo)/width). Values below lo go to `under`, at or above
 * lo + nbins*width to `over`, NaN to `nan`. For an integer-valued metric use lo = v0 - 0.5 and
 * width = 1: bin i then holds exactly the integer v0 + i and quantiles are exact integers.
 * Fields are read-only for callers; counts is owned by the histogram (or its set).
 */
typedef struct {
  double lo;        /**< lower edge of bin 0 */
  double width;     /**< bin width (> 0) */
  int32_t nbins;    /**< number of bins (>= 1) */
  uint64_t under;   /**< values < lo */
  uint64_t over;    /**< values >= lo + nbins*width */
  uint64_t nan;     /**< NaN values: not counted anywhere else, excluded from quantiles */
  double min, max;  /**< smallest/largest non-NaN value added (+inf/-inf when none) */
  uint64_t *counts; /**< nbins counters */
} osq_hist_t;

/**
 * Allocate one empty histogram in a single block.
 * @return NULL if nbins < 1, width is not finite and > 0, lo is not finite, or out of memory.
 */
osq_hist_t *osq_hist_alloc(double lo, double width, int nbins);

/**
 * Allocate an array of k empty histograms (set[0] .. set[k-1]) and all their counters in ONE
 * allocation, so the engine can give each thread (or block) its metrics' histograms cheaply.
 * Histogram j has bins (lo[j], width[j], nbins[j]). Free with osq_hist_free(set).
 * @return NULL if k < 1, any histogram's bins are invalid (see osq_hist_alloc), or out of memory.
 */
osq_hist_t *osq_hist_set_alloc(int k, const double lo[], const double width[], const int nbins[]);

/** Allocate a set of k empty histograms with the same bins as set[0..k-1] (e.g. per thread). */
osq_hist_t *osq_hist_set_alloc_like(const osq_hist_t *set, int k);

/** Free a histogram or a set: pass exactly the pointer osq_hist_*alloc* returned (NULL is fine). */
void osq_hist_free(osq_hist_t *h);

/** n * size zeroed bytes on cache lines of their own: aligned to 64 bytes and rounded up to whole
 *  lines, so that what one thread writes there every trial shares no line with another thread's
 *  data. Free with free().
 *  @return NULL if out of memory or n * size overflows */
void *osq_lines_calloc(size_t n, size_t size);

/** Empty one histogram (bins unchanged). */
void osq_hist_reset(osq_hist_t *h);

/** Add one value. No allocation; O(1). */
static inline void osq_hist_add(osq_hist_t *h, double x) {
  if (isnan(x)) {
    h->nan++;
    return;
  }
  if (x < h->min) h->min = x;
  if (x > h->max) h->max = x;
  const double t = (x - h->lo) / h->width;
  if (t < 0.0)
    h->under++;
  else if (t >= (double)h->nbins)
    h->over++;
  else
    h->counts[(int32_t)t]++;
}

/**
 * Add b's counts into `into`. Exact and order-free: any merge order gives identical bits.
 * @return 0, or OSQ_EINVAL (into unchanged) if the two do not have identical bins.
 */
int osq_hist_merge(osq_hist_t *into, const osq_hist_t *b);

/**
 * osq_hist_merge for each of k histograms: into[j] += b[j].
 * @return 0, or OSQ_EINVAL (nothing merged) if any pair has different bins.
 */
int osq_hist_set_merge(osq_hist_t *into, const osq_hist_t *b, int k);

/** @return the number of non-NaN values added (under + bins + over). */
uint64_t osq_hist_count(const osq_hist_t *h);

/**
 * Quantile by the inverse of the empirical CDF: the smallest value x with F(x) >= p, i.e. the
 * k-th smallest value with k = max(1, ceil(p*n)) (Hyndman & Fan type 1; p*n within a few ulp
 * of an integer counts as that integer, so p = 0.07, n = 100 gives k = 7). Returns the centre of
 * the bin holding the k-th value, lo + (i + 0.5)*width: exact for integer metrics binned as
 * above, otherwise accurate to half a bin. Note gsl_stats_quantile_from_sorted_data uses a
 * different definition (type 7, interpolating at index p*(n-1)); the two agree whenever the
 * order statistics it interpolates between are equal, as they are for tied integer data.
 * @return -INFINITY / +INFINITY if the k-th value is in `under` / `over` (range too narrow),
 *         NaN if the histogram is empty or p is not in [0, 1].
 */
double osq_hist_quantile(const osq_hist_t *h, double p);

/* ---------------------------------------------------------------------------------------- */
/* Summary                                                                                   */

/** What is reported for one metric. */
typedef struct {
  int64_t n;               /**< number of trials */
  double mean;             /**< sample mean */
  double sd;               /**< sample standard deviation (n-1 denominator) */
  double se;               /**< standard error of the mean, sd/sqrt(n) */
  double ci95_lo, ci95_hi; /**< mean -/+ t(0.975, n-1) * se */
  double p05, p50, p95;    /**< quantiles from the histogram (osq_hist_quantile) */
} osq_summary_t;

/**
 * Summarise a merged accumulator and (optionally) its histogram.
 * - n >= 2: 95 % Student-t interval mean +/- gsl_cdf_tdist_Pinv(0.975, n-1) * se.
 * - n == 1: sd = se = 0 and the CI is [mean, mean] (no spread can be estimated).
 * - n == 0: sd = se = 0 and mean and the CI are NaN.
 * - h == NULL: p05, p50, p95 are NaN; otherwise see osq_hist_quantile (which can give
 *   +/-INFINITY if the histogram's range is too narrow, and NaN if it is empty).
 */
void osq_summarize(const osq_welford_t *w, const osq_hist_t *h, osq_summary_t *out);

#endif
