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

/* ---- result sets (osq_results_write, osq_compare_write) ---- */

/** One file a result set can hold: its name in the directory and the OSQ_FMT_* bit selecting it. */
typedef struct {
  const char *name;
  unsigned format;
} osq__set_file_t;

/** Write file k of the set (k indexes the osq__set_file_t array) to o; ctx is the caller's. */
typedef int (*osq__set_writer_fn)(osq__out_t *o, size_t k, const void *ctx, osq_error_t *err);

/**
 * The all-or-none contract of osq_results_write (table.h) for any set of n files: creates dir
 * (and missing parents); refuses with OSQ_EEXIST if dir holds any file of the set unless force;
 * writes every file whose format bit is in formats to a temporary and moves them into place
 * together (with force, files of the set outside formats are removed in the same step); on any
 * failure leaves the old files, no temporary, and no directory this call created.
 * The caller validates formats and its own arguments.
 */
/** OSQ_EEXIST (with the list of files) if dir holds any file of the set, else 0. */
int osq__set_check(const char *dir, const osq__set_file_t *set, size_t nset, osq_error_t *err);
int osq__write_set(const char *dir, const osq__set_file_t *files, size_t n, unsigned formats,
                   bool force, osq__set_writer_fn write, const void *ctx, osq_error_t *err);

/* ---- cell writers shared by the summary and comparison tables ---- */

/** A CSV field, quoted per RFC 4180 only when needed (NULL is written as empty). */
void osq__csv_field(osq__out_t *o, const char *s);
/** "," then the number with osq__fmt_exact (shortest round trip, NaN / Inf / -Inf). */
void osq__csv_num(osq__out_t *o, double x);
/** Markdown free text, with what Markdown would interpret escaped, on one line. */
void osq__md_text(osq__out_t *o, const char *s);
/** A Markdown code span (falls back to osq__md_text for text a span cannot hold). */
void osq__md_code(osq__out_t *o, const char *s);
/** The facts of a run header that determine its numbers (file, hash, version, rng, seed, block
 *  size, trials, verification hash), as one Markdown sentence fragment; file_word precedes the path. */
void osq__md_run_facts(osq__out_t *o, const osq_run_header_t *h, const char *file_word);
/** A number with 4 significant digits for Markdown (osq__fmt_sig). */
void osq__md_num(osq__out_t *o, double x);
/** LaTeX text with _ % & # $ { } ~ ^ \ escaped. */
void osq__tex_text(osq__out_t *o, const char *s);
/** A number with 4 significant digits for LaTeX (minus sign, powers of ten, infinity). */
void osq__tex_num(osq__out_t *o, double x);
/** The "% run: ..." comment line of a run header (only fields that determine the numbers). */
void osq__tex_header_comment(osq__out_t *o, const osq_run_header_t *h);
/** "\label{PREFIXname}" with the characters a label cannot hold as '-'. */
void osq__tex_label(osq__out_t *o, const char *prefix, const char *name);
/** A longtable with column spec cols in a group that sets its font size and column gap; then the
 *  caption (the caller's, ending in "\\"), then osq__tex_longtable_heads. */
void osq__tex_longtable_begin(osq__out_t *o, const char *cols);
/** The column heads (ncols of them, "A & B & ..."), repeated on every page, and the feet. */
void osq__tex_longtable_heads(osq__out_t *o, int ncols, const char *heads);
/** The end of the longtable and of its group. */
void osq__tex_longtable_end(osq__out_t *o);

/* ---- JSON pieces (json.c), for compare.json; jansson's json_t is struct json_t ---- */

struct json_t;
/** The run header as a JSON object (keys as in run.json "run"); NULL if out of memory. */
struct json_t *osq__run_header_json(const osq_run_header_t *h);
/** A JSON string (invalid UTF-8 bytes become '?'), null for NULL; NULL if out of memory. */
struct json_t *osq__json_str(const char *s);
/** A JSON real, or null if x is not finite. */
struct json_t *osq__json_num(double x);
/**
 * Write a document and a line break: jansson's layout with JSON_INDENT(2) | JSON_SORT_KEYS, each
 * real the shortest decimal that reads back as the same double, with ".0" after an integer value.
 * Out of memory (sorting keys) is left in o->err as ENOMEM.
 */
void osq__json_write(osq__out_t *o, struct json_t *root);

/* ---- number formatting ---- */

/** Size of a buffer that holds any number the formatters below produce. */
#define OSQ__NUM_LEN 48

/** The shortest of "%.15g", "%.16g" and "%.17g" that reads back as x, exponent without '+' or
 *  leading zeros (1e-5, 2.5e20), '.' whatever the locale; NaN, Inf, -Inf for non-finite values. */
void osq__fmt_exact(double x, char buf[static OSQ__NUM_LEN]);
/**
 * sig significant digits for people to read: fixed notation for 1e-4 <= |x| < 1e15 (large values
 * keep their integer digits; an integer value is printed as one, 93 not 93.00), otherwise
 * d.ddde-XX; "n/a" for NaN, "inf" / "-inf"; never "-0".
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
