/*
 * table.h owns the result tables of a run (summary rows and observer->observed dyads), the run
 * header, and every writer that turns them into files: summary.csv, dyads.csv, run.json,
 * summary.md, summary.tex, plus the atomic single-file writer other modules use for their own
 * output files (flight logs, maps).
 *
 * The file names and CSV columns are a stable interface (README "Output files"): scripts rely on them.
 *
 * Output files are written whole or not at all. Every file goes to a temporary name in its final
 * directory, is flushed, fsync'ed and checked for write errors, and is renamed into place only when
 * it (and, for osq_results_write, every other file of the set) was written successfully.
 *
 * Tables allocate (they are filled after the trial loop, never inside it). Nothing here prints:
 * errors come back as negative OSQ_E* codes with detail in a caller-owned osq_error_t.
 */
#ifndef OSQ_RESULTS_TABLE_H
#define OSQ_RESULTS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "models/errors.h"

/* ---------------------------------------------------------------------------------------------- */
/* Tables                                                                                           */
/* ---------------------------------------------------------------------------------------------- */

/** Longest metric name + 1 (metric names: README "Output files", docs/model.md §3, docs/geography.md §6). */
#define OSQ_METRIC_LEN 32
/** Longest party code + 1: quota-holder codes (US, RUBY, BNLX) and aggregates (ALL, EUR, NAM). */
#define OSQ_PARTY_LEN 8

/**
 * One line of summary.csv: the statistics of one metric, for one party (or aggregate), in one year,
 * over the trials of a run. Statistics that do not exist (e.g. every statistic when n = 0, or sd
 * when n = 1) are NaN; the writers print them as NaN (CSV), null (JSON) or n/a (Markdown, LaTeX).
 */
typedef struct {
  int year;                     /**< calendar year */
  char metric[OSQ_METRIC_LEN];  /**< metric name, NUL-terminated, e.g. "flights_over" */
  char party[OSQ_PARTY_LEN];    /**< quota-holder code or ALL / EUR / NAM, NUL-terminated */
  int64_t n;                    /**< number of trials that contributed a value */
  double mean;                  /**< sample mean */
  double sd;                    /**< sample standard deviation (n - 1 denominator) */
  double se;                    /**< standard error of the mean, sd / sqrt(n) */
  double ci95_lo, ci95_hi;      /**< 95 % confidence interval of the mean */
  double p05, p50, p95;         /**< 5th, 50th and 95th percentiles over trials */
} osq_row_t;

/** The summary table of one scenario: rows in the order they were added. */
typedef struct {
  char *scenario;   /**< scenario name (owned copy), the `scenario` column of summary.csv */
  osq_row_t *rows;  /**< n rows */
  size_t n;         /**< number of rows */
  size_t cap;       /**< allocated rows */
} osq_table_t;

/** One line of dyads.csv: mean completed flights by `observer` over `observed` in `year`. */
typedef struct {
  int year;                       /**< calendar year */
  char observer[OSQ_PARTY_LEN];   /**< observing quota holder, NUL-terminated */
  char observed[OSQ_PARTY_LEN];   /**< observed quota holder, NUL-terminated */
  double mean_flights;            /**< mean over trials of completed flights (observer slots) */
} osq_dyad_row_t;

/** The dyad table of one scenario: rows in the order they were added. */
typedef struct {
  char *scenario;        /**< scenario name (owned copy), the `scenario` column of dyads.csv */
  osq_dyad_row_t *rows;  /**< n rows */
  size_t n;              /**< number of rows */
  size_t cap;            /**< allocated rows */
} osq_dyad_table_t;

/**
 * Allocate an empty summary table.
 * @param scenario scenario name, copied (NULL is taken as "")
 * @return the table, or NULL if out of memory
 */
osq_table_t *osq_table_alloc(const char *scenario);
/** Free a table from osq_table_alloc (NULL is a no-op). */
void osq_table_free(osq_table_t *t);
/**
 * Append a copy of *row.
 * @return 0; OSQ_EINVAL if metric or party is empty or not NUL-terminated within its array;
 *         OSQ_ENOMEM if the table cannot grow (the table is unchanged)
 */
int osq_table_add(osq_table_t *t, const osq_row_t *row);

/** Allocate an empty dyad table (scenario copied, NULL taken as ""); NULL if out of memory. */
osq_dyad_table_t *osq_dyad_table_alloc(const char *scenario);
/** Free a table from osq_dyad_table_alloc (NULL is a no-op). */
void osq_dyad_table_free(osq_dyad_table_t *t);
/**
 * Append a copy of *row.
 * @return 0; OSQ_EINVAL if a party code is empty or not NUL-terminated; OSQ_ENOMEM
 */
int osq_dyad_table_add(osq_dyad_table_t *t, const osq_dyad_row_t *row);

/* ---------------------------------------------------------------------------------------------- */
/* Run header                                                                                       */
/* ---------------------------------------------------------------------------------------------- */

/** Length of a 64-bit hash as 16 lowercase hex digits, plus the NUL. */
#define OSQ_HASH_HEX_LEN 17
/** Length of an ISO 8601 UTC timestamp "YYYY-MM-DDTHH:MM:SSZ" plus the NUL. */
#define OSQ_ISO8601_LEN 21

/**
 * What a run was: everything needed to reproduce it and to check a rerun against it. run.json
 * carries every field; summary.md and summary.tex carry them in a preamble / comment line.
 * Pointers are borrowed (they must stay valid during the write); a NULL string or an empty hash is
 * written as JSON null.
 */
typedef struct {
  const char *version;          /**< osq version, normally OSQ_VERSION */
  const char *scenario_name;    /**< scenario name (as in the `scenario` CSV column) */
  const char *scenario_path;    /**< scenario file as given on the command line */
  char scenario_hash[OSQ_HASH_HEX_LEN];  /**< hash of the scenario file (and its includes), hex */
  uint64_t seed;                /**< RNG key; JSON integer (a decimal string above 2^63 - 1) */
  int64_t trials;               /**< trials requested */
  int64_t trials_done;          /**< trials completed: equals trials unless `partial` */
  int threads;                  /**< OpenMP threads used */
  int ranks;                    /**< MPI ranks used (1 without MPI) */
  const char *rng;              /**< generator name, e.g. "philox2x64-10" */
  int64_t block_size;           /**< trials per statistics block (results depend on it) */
  double wall_seconds;          /**< wall time of the trial loop, seconds */
  char verification_hash[OSQ_HASH_HEX_LEN];  /**< trial hash (docs/engineering.md §5), hex */
  char result_digest[OSQ_HASH_HEX_LEN];      /**< digest of the merged statistics, hex ("" = none) */
  bool partial;                 /**< true if the run was interrupted: statistics over trials_done */
  const char *created;          /**< when the run finished, ISO 8601 UTC (osq_format_utc) */
} osq_run_header_t;

/**
 * Print every message of err to f as "osq: error: MESSAGE[SUFFIX]" (suffix may be NULL), and a last
 * line for the messages an overfull record dropped: the one way osq reports errors on stderr.
 */
void osq_results_print_errors(FILE *f, const osq_error_t *err, const char *suffix);

/** Zero a header and set version = OSQ_VERSION, threads = ranks = 1. */
void osq_run_header_init(osq_run_header_t *h);

/**
 * Format t as ISO 8601 UTC, "2024-05-01T12:00:00Z".
 * @param buf at least OSQ_ISO8601_LEN bytes
 * @return 0, or OSQ_ERANGE if t cannot be represented or len is too small
 */
int osq_format_utc(time_t t, char *buf, size_t len);

/* ---------------------------------------------------------------------------------------------- */
/* Formats and the result set                                                                       */
/* ---------------------------------------------------------------------------------------------- */

/** Output format bits for osq_results_write. */
enum {
  OSQ_FMT_CSV = 1u << 0,   /**< summary.csv and dyads.csv */
  OSQ_FMT_JSON = 1u << 1,  /**< run.json */
  OSQ_FMT_MD = 1u << 2,    /**< summary.md */
  OSQ_FMT_TEX = 1u << 3,   /**< summary.tex */
};
/** Every format. */
#define OSQ_FMT_ALL (OSQ_FMT_CSV | OSQ_FMT_JSON | OSQ_FMT_MD | OSQ_FMT_TEX)
/** What `osq run` writes without --format: Markdown and LaTeX are on request (README "Output files"). */
#define OSQ_FMT_DEFAULT (OSQ_FMT_CSV | OSQ_FMT_JSON)

/** How many output formats there are: one OSQ_FMT_* bit each. */
#define OSQ_FMT_COUNT 4

/**
 * Whether name is exactly the name of an output format ("csv", "json", "md", "tex"; NULL is not).
 * results/ holds the one list of names: --format, a scenario's output.formats and their messages
 * all go through it.
 */
bool osq_format_valid(const char *name);

/** Room for any list osq_formats_text writes. */
#define OSQ_FMT_TEXT_LEN 64

/**
 * The format names as a list for a message: each between two quote strings, separated by ", ",
 * the last one by last. ("", ", ") gives csv, json, md, tex; ("\"", " or ") gives "csv", "json",
 * "md" or "tex".
 */
void osq_formats_text(char buf[static OSQ_FMT_TEXT_LEN], const char *quote, const char *last);

/**
 * Parse a --format list: comma-separated format names (blanks around a name are ignored, a name
 * may repeat).
 * @param list e.g. "csv,json,md,tex"
 * @param out  the OSQ_FMT_* bits, set only on success
 * @return 0; OSQ_EINVAL (with a message naming the offending entry) for an unknown or empty name
 */
int osq_formats_parse(const char *list, unsigned *out, osq_error_t *err);

/**
 * Check before a run that dir holds no result files of another run (the check osq_results_write
 * makes without force), so that a long run is not wasted. @return 0 or OSQ_EEXIST with the list.
 */
int osq_results_check_dir(const char *dir, osq_error_t *err);

/**
 * Write the result files of a run into dir, all of them or none.
 *
 * Creates dir (and missing parents) if needed. Refuses with OSQ_EEXIST if dir already holds any osq
 * result file (summary.csv, dyads.csv, run.json, summary.md, summary.tex) unless force. With force,
 * the requested files replace the old ones and old result files outside the requested set are
 * removed, so the directory never mixes two runs.
 *
 * Each file is written to a temporary ".NAME.tmp.PID.K" in dir, flushed, fsync'ed and checked
 * (ferror, fclose). Only when every file succeeded are they moved into place; if a move fails, the
 * moves already done are rolled back from hard-link backups of the old files. On any failure no
 * temporary is left behind, the previous files are untouched, and a dir created by this call is
 * removed again.
 *
 * @param formats OSQ_FMT_* bits (not 0)
 * @param hdr     the run header (required)
 * @param table   summary rows
 * @param dyads   dyad rows; NULL writes dyads.csv with its header only and "dyads": [] in run.json
 * @return 0; OSQ_EINVAL (bad arguments), OSQ_EEXIST, OSQ_EIO, OSQ_ENOMEM
 */
int osq_results_write(const char *dir, unsigned formats, const osq_run_header_t *hdr,
                      const osq_table_t *table, const osq_dyad_table_t *dyads, bool force,
                      osq_error_t *err);

/* ---------------------------------------------------------------------------------------------- */
/* Stream writers: one format to an open stream (e.g. stdout). Each flushes the stream and         */
/* returns OSQ_EIO on a write error; osq_results_write is built on them.                            */
/* ---------------------------------------------------------------------------------------------- */

/** summary.csv: header `scenario,year,metric,party,mean,sd,se,ci95_lo,ci95_hi,p05,p50,p95,n`,
 *  each number the shortest decimal that reads back as the same double (15 to 17 significant
 *  digits: 88.1123, not 88.112300000000005), NaN / Inf / -Inf for non-finite values. */
int osq_summary_csv_write(FILE *fp, const osq_table_t *t, osq_error_t *err);
/** dyads.csv: header `scenario,year,observer,observed,mean_flights`. dyads may be NULL. */
int osq_dyads_csv_write(FILE *fp, const osq_dyad_table_t *dyads, osq_error_t *err);
/** run.json: {"format", "run": header, "summary": [rows], "dyads": [rows]}, keys sorted, reals
 *  as the shortest decimal that reads back as the same double (93.0 for an integer value),
 *  non-finite numbers as null. dyads may be NULL. */
int osq_run_json_write(FILE *fp, const osq_run_header_t *hdr, const osq_table_t *t,
                       const osq_dyad_table_t *dyads, osq_error_t *err);
/** summary.md: a Markdown table (metric, party, year, mean, 95 % CI, p05, p50, p95), 4
 *  significant digits, grouped by metric then party. hdr may be NULL (no preamble). */
int osq_summary_md_write(FILE *fp, const osq_run_header_t *hdr, const osq_table_t *t,
                         osq_error_t *err);
/** summary.tex: a booktabs longtable (needs \usepackage{booktabs,longtable}) with the columns of
 *  summary.md, each metric under its name, that breaks across pages and fits a plain article's
 *  width; a caption, a label, and a comment line with the run header. hdr may be NULL. */
int osq_summary_tex_write(FILE *fp, const osq_run_header_t *hdr, const osq_table_t *t,
                          osq_error_t *err);

/* ---------------------------------------------------------------------------------------------- */
/* Atomic single file                                                                               */
/* ---------------------------------------------------------------------------------------------- */

/** A file being written under a temporary name next to its final path. */
typedef struct osq_atomic_file osq_atomic_file_t;

/**
 * Start writing path: creates the temporary ".BASENAME.tmp.PID.K" in path's directory.
 * @return 0 and *out; OSQ_EIO (directory missing or unwritable), OSQ_ENOMEM
 */
int osq_atomic_open(const char *path, osq_atomic_file_t **out, osq_error_t *err);
/** @return the stream to write to (owned by f: do not fclose it). */
FILE *osq_atomic_stream(osq_atomic_file_t *f);
/**
 * Flush, fsync, check for write errors, close, and rename the temporary over path (replacing an
 * existing file). Frees f in every case.
 * @return 0; OSQ_EIO (the temporary is removed and path is untouched)
 */
int osq_atomic_commit(osq_atomic_file_t *f, osq_error_t *err);
/** Discard: close and remove the temporary, free f. NULL is a no-op. */
void osq_atomic_abort(osq_atomic_file_t *f);

#endif
