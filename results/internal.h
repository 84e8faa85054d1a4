/*
 * internal.h owns the declarations shared between the results/ sources and nobody else: the
 * atomic-file internals the result-set writer needs, the checked output stream, and number
 * formatting. Not part of the public API (names are osq__x).
 */
#ifndef OSQ_RESULTS_INTERNAL_H
#define OSQ_RESULTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "results/table.h"

/* ---- atomic files ---- */

struct osq_atomic_file {
  char *path;  /* final path */
  char *tmp;   /* temporary path, same directory */
  FILE *fp;    /* open while writing, NULL once finished */
};

/**
 * Flush, fsync, check and close the temporary, keeping it on disk for a later rename.
 * On failure the temporary is removed (f stays allocated; free it with osq__atomic_free).
 */
int osq__atomic_finish(osq_atomic_file_t *f, osq_error_t *err);
/** Remove the temporary if it still exists, close the stream if open, free f. */
void osq__atomic_free(osq_atomic_file_t *f);

/**
 * Move n finished temporaries into place as one set (see osq_results_write for the contract).
 * stale[0..nstale) are final paths to remove as part of the set (only with replace).
 * Without replace an existing final path is an error (OSQ_EEXIST) and nothing is changed.
 * Frees every f in all cases.
 */
int osq__atomic_commit_set(osq_atomic_file_t **files, size_t n, const char *dir,
                           const char *const *stale, size_t nstale, bool replace,
                           osq_error_t *err);

/** fsync a directory so that renames in it survive a crash (best effort: errors ignored). */
void osq__fsync_dir(const char *dir);

/* ---- checked output: remembers the first errno, so writers need not test every call ---- */

typedef struct {
  FILE *fp;
  int err;  /* first errno seen, 0 if none */
} osq__out_t;

void osq__out_init(osq__out_t *o, FILE *fp);
void osq__outs(osq__out_t *o, const char *s);
void osq__outc(osq__out_t *o, char c);
void osq__outf(osq__out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Flush and check; on error record "write error: ..." in err. @return 0 or OSQ_EIO. */
int osq__out_finish(osq__out_t *o, osq_error_t *err);

/* ---- format writers ---- */

/**
 * One format written to o. All share one signature so that osq_results_write can loop over them;
 * each uses the arguments its format needs. Write errors are left in o->err (the caller reports
 * them with the file name); the return value covers the rest (OSQ_ENOMEM, OSQ_EINVAL).
 */
typedef int (*osq__writer_fn)(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                              const osq_dyad_table_t *d, osq_error_t *err);

int osq__write_summary_csv(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                           const osq_dyad_table_t *d, osq_error_t *err);
int osq__write_dyads_csv(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                         const osq_dyad_table_t *d, osq_error_t *err);
int osq__write_run_json(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                        const osq_dyad_table_t *d, osq_error_t *err);
int osq__write_summary_md(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                          const osq_dyad_table_t *d, osq_error_t *err);
int osq__write_summary_tex(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                           const osq_dyad_table_t *d, osq_error_t *err);

/* ---- number formatting ---- */

/** Size of a buffer that holds any number the formatters below produce. */
#define OSQ__NUM_LEN 48

/** "%.17g" with '.' whatever the locale; NaN, Inf, -Inf for non-finite values. */
void osq__fmt_exact(double x, char buf[static OSQ__NUM_LEN]);
/**
 * sig significant digits for people to read: fixed notation for 1e-4 <= |x| < 1e15 (large values
 * keep their integer digits), otherwise d.ddde-XX; "n/a" for NaN, "inf" / "-inf"; never "-0".
 */
void osq__fmt_sig(double x, int sig, char buf[static OSQ__NUM_LEN]);

/* ---- presentation order ---- */

/**
 * Order for the human-readable tables: grouped by metric (in order of first appearance), then
 * party (first appearance), then year, ties in table order.
 * @return a malloc'ed permutation of 0..t->n-1, or NULL if out of memory (or t->n == 0: check n)
 */
size_t *osq__table_order(const osq_table_t *t);

#endif
