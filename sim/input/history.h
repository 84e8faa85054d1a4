/*
 * history.h owns reading a file of recorded figures (data/history.csv; its columns and quantities
 * are in docs/history.md): CSV in, one osq_figure_t per row out, with the party codes resolved
 * against a scenario's treaty. Every problem of the file is reported in one run, each as
 * "FILE:LINE: what is wrong (what was expected)" (exit 2 in the command line).
 */
#ifndef OSQ_HISTORY_H
#define OSQ_HISTORY_H

#include <stdbool.h>

#include "models/errors.h"
#include "models/figures.h"
#include "sim/input/scenario.h"

/** The columns of a history file, in this order (the header line must name them). */
#define OSQ_HISTORY_HEADER \
  "id,period,quantity,observer,observed,value,kind,tolerance,tolerance_reason,use,source,note"

/** One recorded figure. */
typedef struct {
  char id[48];
  char period[32];            /**< as written */
  char observer[8], observed[8]; /**< codes as written ("" = any) */
  osq_figure_t fig;           /**< the figure as the model computes it */
  double value;               /**< the recorded value */
  int kind;                   /**< osq_kind_t */
  double tolerance;           /**< how far the truth may be from value (absolute; a relative one is converted) */
  char tolerance_text[16];    /**< as written, e.g. "10%" */
  bool fit;                   /**< use = fit (else check: kept out of every fit) */
  bool simulated;             /**< the period lies within the scenario's simulated years */
  char *source;               /**< its source (owned by the history) */
  int line;                   /**< line of the file */
} osq_history_row_t;

/** A history file's rows. */
typedef struct {
  osq_history_row_t *row;
  int n;
  char path[OSQ_PATH_MAX];
} osq_history_t;

/**
 * Read and check path against sc (party codes of its treaty; whether each period lies within its
 * simulated years). A cumulative count runs from 1 January 2002 (the treaty's first flights were in
 * August 2002) and so needs a scenario that starts in 2002.
 * @return 0 and *h (free with osq_history_free); OSQ_ECONFIG with every problem in err, OSQ_EIO
 *         if the file cannot be read, OSQ_ENOMEM
 */
int osq_history_load(const char *path, const osq_scenario_t *sc, osq_history_t *h, osq_error_t *err);

/** Free what osq_history_load allocated (a zeroed struct is fine). */
void osq_history_free(osq_history_t *h);

#endif
