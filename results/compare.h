/*
 * compare.h owns the comparison table of `osq compare A.cfg B.cfg ...` (README "Output files"): the
 * statistics of several scenarios side by side, each with its paired difference against the
 * first scenario (the reference), and its writers: compare.csv, compare.json, compare.md and
 * compare.tex (written as one set, all or none, like osq_results_write), plus the Markdown table
 * for a terminal.
 *
 * The table is a plain container: the engine (sim/) computes every number, this module only
 * keeps and prints them. How the engine fills a row:
 *   - mean, ci95_lo, ci95_hi: the scenario's own statistic, as in summary.csv;
 *   - diff, diff_ci95_lo, diff_ci95_hi: the PAIRED difference (this scenario - reference) over
 *     common random numbers: trial i of both runs uses the same stream (same seed, same trial
 *     index), year k of the scenario is paired with year k of the reference, and the difference
 *     is summarised as its own sample: a Welford accumulator of (b_i - a_i) per trial, whose
 *     osq_summarize() (sim/engine/stats.h) gives diff = mean and the 95 % t-interval
 *     mean +/- t(0.975, n-1) se. This interval is much narrower than one built from the two
 *     separate CIs when the runs are positively correlated (tests/unit/test_compare.c checks it
 *     on a case with a known answer).
 *   - the reference's own rows: diff = 0 with CI [0, 0] (the paired difference of the reference
 *     with itself, exactly). Chosen over empty cells so that every diff column is numeric in every
 *     row (R, pandas and spreadsheets read it without missing values) and "scenario == first"
 *     selects the reference rows.
 *   - a row with no counterpart in the reference (e.g. a party in force only in this scenario,
 *     a year past the reference's last): diff and its CI are NaN (written NaN / null / n/a).
 *
 * Scenario labels: the `scenario` column is the scenario's name (osq_run_header_t.scenario_name);
 * a name that repeats an earlier scenario's gets "#K" appended, K its 1-based position
 * (`osq compare a/base.cfg b/base.cfg` gives base and base#2), so every label is unique.
 *
 * Tables allocate (they are filled after the trial loops). Nothing here prints except the
 * stream writers, to the stream they are given; errors are negative OSQ_E* codes with detail in a
 * caller-owned osq_error_t.
 */
#ifndef OSQ_RESULTS_COMPARE_H
#define OSQ_RESULTS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "models/errors.h"
#include "results/table.h"

/** Longest scenario label + 1 (the name, up to 63 characters, and a "#K" suffix). */
#define OSQ_COMPARE_LABEL_LEN 80

/** One line of compare.csv. */
typedef struct {
  int scenario;                 /**< index of the scenario (0 = the reference), see osq_compare_add_scenario */
  int year;                     /**< calendar year of this scenario */
  char metric[OSQ_METRIC_LEN];  /**< metric name, NUL-terminated */
  char party[OSQ_PARTY_LEN];    /**< quota-holder code or ALL / EUR / NAM, NUL-terminated */
  double mean;                  /**< the scenario's mean */
  double ci95_lo, ci95_hi;      /**< its 95 % confidence interval */
  double diff;                  /**< mean paired difference, this scenario - reference (0 for the reference) */
  double diff_ci95_lo;          /**< 95 % CI of the paired difference */
  double diff_ci95_hi;
} osq_compare_row_t;

/** One compared scenario: its run header (strings owned by the table) and its unique label. */
typedef struct {
  osq_run_header_t hdr;                 /**< copy; its string pointers point into `strings` */
  char label[OSQ_COMPARE_LABEL_LEN];    /**< the `scenario` column */
  char *strings[5];                     /**< owned copies: version, name, path, rng, created */
} osq_compare_scenario_t;

/** The comparison: scenarios in command-line order (the first is the reference) and rows in the
 *  order they were added. Fields are read-only for callers. */
typedef struct {
  osq_compare_scenario_t *scenarios;    /**< n_scenarios entries */
  size_t n_scenarios;
  size_t scenarios_cap;
  osq_compare_row_t *rows;              /**< n rows */
  size_t n;
  size_t cap;
} osq_compare_t;

/** Allocate an empty comparison. @return NULL if out of memory. */
osq_compare_t *osq_compare_alloc(void);
/** Free a comparison from osq_compare_alloc (NULL is a no-op). */
void osq_compare_free(osq_compare_t *c);

/**
 * Add a scenario: its run header is copied (strings included), its label derived from
 * hdr->scenario_name (NULL is taken as ""; see "Scenario labels" above).
 * @param index receives the scenario's index (0 for the first: the reference); may be NULL
 * @return 0; OSQ_EINVAL (NULL argument); OSQ_ENOMEM
 */
int osq_compare_add_scenario(osq_compare_t *c, const osq_run_header_t *hdr, int *index);

/**
 * Append a copy of *row.
 * @return 0; OSQ_EINVAL if row->scenario is not an added scenario or metric/party is empty or not
 *         NUL-terminated within its array; OSQ_ENOMEM (the table is unchanged)
 */
int osq_compare_add(osq_compare_t *c, const osq_compare_row_t *row);

/** What `osq compare` writes without --format: compare.csv and compare.json (md, tex on request). */
#define OSQ_COMPARE_FMT_DEFAULT (OSQ_FMT_CSV | OSQ_FMT_JSON)

/** Before a comparison: OSQ_EEXIST if dir already holds compare files (see osq_results_check_dir). */
int osq_compare_check_dir(const char *dir, osq_error_t *err);

/**
 * Write the comparison files into dir, all of them or none, with the contract of
 * osq_results_write (table.h): OSQ_FMT_CSV -> compare.csv, OSQ_FMT_JSON -> compare.json,
 * OSQ_FMT_MD -> compare.md, OSQ_FMT_TEX -> compare.tex. A dir holding any compare.* file is
 * refused (OSQ_EEXIST) unless force; with force the compare.* files outside formats are removed.
 * Run result files (summary.csv, ...) in dir are neither a conflict nor touched.
 * @return 0; OSQ_EINVAL (bad arguments, no scenario), OSQ_EEXIST, OSQ_EIO, OSQ_ENOMEM
 */
int osq_compare_write(const char *dir, unsigned formats, const osq_compare_t *c, bool force,
                      osq_error_t *err);

/* Stream writers: one format to an open stream. Each flushes and returns OSQ_EIO on a write
 * error; osq_compare_write is built on them. */

/** compare.csv: header `scenario,year,metric,party,mean,ci95_lo,ci95_hi,diff,diff_ci95_lo,
 *  diff_ci95_hi`, rows in table order, each number the shortest decimal that reads back as the
 *  same double (15 to 17 significant digits), NaN / Inf / -Inf. */
int osq_compare_csv_write(FILE *fp, const osq_compare_t *c, osq_error_t *err);

/** compare.json: {"format": "osq-compare", "format_version": 1, "reference": label,
 *  "scenarios": [run header of each, as in run.json "run", plus "label"], "rows": [the CSV
 *  columns]}; keys sorted, reals as the shortest decimal that reads back as the same double,
 *  non-finite numbers null. */
int osq_compare_json_write(FILE *fp, const osq_compare_t *c, osq_error_t *err);

/**
 * compare.md: a title, one line per scenario (file, hash, seed, trials, verification hash), and
 * the table of osq_compare_print.
 */
int osq_compare_md_write(FILE *fp, const osq_compare_t *c, osq_error_t *err);

/**
 * The comparison as one Markdown table, readable on a terminal (for stdout):
 * | metric | party | [year |] one column per scenario: mean [95 % CI] | one column per other
 * scenario: its difference to the reference [95 % CI] |, 4 significant digits, differences with
 * a sign. Rows grouped by metric, then party (each in order of first appearance), then year.
 * Rows of different scenarios are lined up by (metric, party, position of the year in the
 * scenario's own years), so a 2019 baseline lines up with a 2021 scenario; the year column
 * appears only when a scenario simulates more than one year, and shows "2019/2021" where the
 * scenarios' years differ. A cell with no row is "-"; a cell whose value and CI are all NaN is
 * "n/a" (a single NaN shows as n/a in its place). A line under the table says what the
 * differences are.
 */
int osq_compare_print(FILE *fp, const osq_compare_t *c, osq_error_t *err);

/** compare.tex: a booktabs longtable (needs \usepackage{booktabs,longtable}) that fits a plain
 *  article's width and breaks across pages: per (metric, party) a line per scenario (year, mean,
 *  95 % CI) and under each other scenario its paired difference to the reference; a caption and
 *  label, and one "% run:" comment line per scenario. */
int osq_compare_tex_write(FILE *fp, const osq_compare_t *c, osq_error_t *err);

#endif
