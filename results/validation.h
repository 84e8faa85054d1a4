/*
 * validation.h owns the result files of `osq validate`: validation.csv (one row per recorded
 * figure: the figure, the model's mean, 95 % CI and 90 % band, and whether they agree),
 * validation.md (the same for people, with the tally and every miss) and validation.png (flights a
 * year: the model's band and mean with the recorded yearly figures drawn over it).
 */
#ifndef OSQ_RESULTS_VALIDATION_H
#define OSQ_RESULTS_VALIDATION_H

#include <stdbool.h>

#include "models/errors.h"
#include "results/table.h"

/** validation.csv's columns, in order: a stable interface. */
#define OSQ_VALIDATION_HEADER                                                                                     \
  "id,period,quantity,party,history,kind,tolerance,model_mean,model_ci95_lo,model_ci95_hi,model_p05,model_p95," \
  "within,source"

/** One figure and the model's answer. within: 1 yes, 0 no, -1 skipped (outside the simulated years). */
typedef struct {
  const char *id, *period, *quantity, *party, *kind, *tolerance, *source, *use;
  double history;
  double mean, ci95_lo, ci95_hi, p05, p95;
  int within;
} osq_validation_row_t;

/** The model's flights a year, for the chart. */
typedef struct {
  int year;
  double mean, p05, p95;
  double recorded; /**< a recorded total of the year's flights (NaN: none) */
} osq_validation_year_t;

/** What `osq validate` writes. */
typedef struct {
  const osq_run_header_t *hdr;
  const char *history_path;
  const osq_validation_row_t *rows;
  int n_rows;
  const osq_validation_year_t *years;
  int n_years;
} osq_validation_t;

/** OSQ_EEXIST (naming the files) if dir holds validation files already, else 0. */
int osq_validation_check_dir(const char *dir, osq_error_t *err);

/**
 * Write dir/validation.csv and dir/validation.md (as one set, whole or none; with force, replacing
 * earlier ones), then dir/validation.png (whole or not at all) when there are two years or more.
 * @return 0, OSQ_EEXIST, OSQ_EIO, OSQ_ENOMEM
 */
int osq_validation_write(const char *dir, const osq_validation_t *v, bool force, osq_error_t *err);

#endif
