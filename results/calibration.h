/*
 * calibration.h owns the result files of `osq calibrate`: fitted.cfg (the fitted values as a
 * libconfig `fitted = { model = { ... }; };` group that scenarios @include, with the command that
 * wrote it), fit.csv (each target: its recorded value, the model before and after, its weight) and
 * params.csv (each parameter: start, fitted value, uncertainty, range). Written as one set.
 */
#ifndef OSQ_RESULTS_CALIBRATION_H
#define OSQ_RESULTS_CALIBRATION_H

#include <stdbool.h>

#include "models/errors.h"

/** fit.csv's and params.csv's columns: a stable interface. */
#define OSQ_FIT_HEADER "id,period,quantity,party,value,kind,tolerance,weight,model_before,model_after"
#define OSQ_PARAMS_HEADER "parameter,start,value,sd,lo,hi"

typedef struct {
  const char *id, *period, *quantity, *party, *kind, *tolerance;
  double value, weight, before, after;
} osq_fit_row_t;

typedef struct {
  const char *key;    /**< "model.demand", "model.parties.US.completion", "model.interest.ruby_nato" ... */
  bool integer;
  double start, value, sd, lo, hi;
} osq_param_row_t;

typedef struct {
  const char *command;           /**< the command line that produced it (for fitted.cfg's comment) */
  const char *facts;             /**< one line of facts: osq version, scenario hash, trials, seed, distance */
  const osq_fit_row_t *fit;
  int n_fit;
  const osq_param_row_t *param;
  int n_param;
} osq_calibration_t;

/** OSQ_EEXIST (naming the files) if dir holds calibration files already, else 0. */
int osq_calibration_check_dir(const char *dir, osq_error_t *err);

/**
 * Write dir/fitted.cfg, dir/fit.csv and dir/params.csv, whole and together or not at all. Every
 * parameter key must start with "model." (fitted.cfg holds model parameters only).
 * @return 0, OSQ_EINVAL (a key fitted.cfg cannot hold), OSQ_EEXIST, OSQ_EIO, OSQ_ENOMEM
 */
int osq_calibration_write(const char *dir, const osq_calibration_t *c, bool force, osq_error_t *err);

#endif
