/*
 * run.h owns the Monte Carlo engine: trials in fixed blocks, an OpenMP loop over blocks, one
 * Philox stream per trial, per-block Welford statistics merged in block order, fixed-bin
 * histograms, dyad means and the verification hash. Results are bit-identical for any thread
 * count because the order of every floating-point operation depends only on trial and block
 * indices (docs/engineering.md §3).
 *
 * Under MPI (sim/engine/mpi.h) the engine functions are collective: every rank calls them with the same
 * scenario and options. Each wave of blocks is split over the ranks in whole blocks; the block
 * records are gathered to rank 0 bit for bit and merged there in block order, and the integer
 * counts (histograms, dyad sums, map counts, hash) are summed, so rank 0's results are the same
 * bits for any number of ranks and threads. Only rank 0 receives the tables; an error on any rank
 * is returned on every rank, with its detail in rank 0's err.
 */
#ifndef OSQ_RUN_H
#define OSQ_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "models/errors.h"
#include "results/compare.h"
#include "results/table.h"
#include "sim/engine/checkpoint.h"
#include "sim/engine/sensitivity.h"
#include "sim/engine/stats.h"
#include "sim/engine/study_checkpoint.h"
#include "sim/input/history.h"
#include "sim/input/scenario.h"
#include "sim/input/study.h"

/** Options of one run; zero values mean "as the scenario says". */
typedef struct {
  int64_t trials;                                   /**< 0 = scenario's simulation.trials */
  int threads;                                      /**< 0 = scenario's, else all available */
  /** Called after every wave of blocks from the calling thread (may be NULL). */
  void (*progress)(void *ctx, int64_t done, int64_t total);
  void *progress_ctx;
  /** If set and non-zero when a wave of blocks is to start (a signal handler sets it), the run
   *  stops at the end of the waves already started and returns the statistics of the trials
   *  completed so far, marked partial. */
  volatile sig_atomic_t *stop;
  /** For tests (`OSQ_STOP_AFTER_BLOCKS`, sim/cli/main.c): stop as on a signal at the end of the first
   *  wave after which at least this many blocks of the run are done (0 = never). */
  int64_t stop_after_blocks;
  /** Continue the run this checkpoint recorded (sim/engine/checkpoint.h): its state seeds the run's and
   *  only blocks [resume->blocks_done, end) run, so the result equals the uninterrupted run's bit
   *  for bit, on any number of threads. The caller checks its identity first
   *  (osq_checkpoint_match); the engine checks its shapes (OSQ_EINVAL, "PATH: ..." with
   *  resume_path). Under MPI only rank 0 passes it (NULL on the others); the engine shares the
   *  start block. */
  const osq_checkpoint_t *resume;
  const char *resume_path; /**< the checkpoint's file, for messages */
} osq_run_opts_t;

/** The coverage map of a run on the raster grid (cell (0,0) is the south-west corner at 90S 180W). */
typedef struct {
  float *value;                                     /**< share of trial-years imaged; NaN off-territory */
  uint8_t *tid;                                     /**< territory id per cell (0 none, 255 foreign) */
  int nlat, nlon;
  double res_deg;
} osq_run_map_t;

/**
 * What a run produced. Under MPI, table, dyads and map are filled on rank 0 only (NULL elsewhere);
 * the counts, the hash and the times are the whole job's on every rank.
 */
typedef struct {
  osq_table_t *table;                               /**< summary rows (summary.csv: README "Output files") */
  osq_dyad_table_t *dyads;                          /**< mean flights per observer->observed pair */
  uint64_t hash;                                    /**< verification hash: sum over trials */
  int64_t trials_done;
  bool partial;                                     /**< stopped early (opts.stop): trials_done < trials */
  int threads;                                      /**< threads used (per MPI rank) */
  int ranks;                                        /**< MPI ranks that shared the trials (1 without MPI) */
  double setup_seconds;                             /**< caps, workspaces (before the loop); slowest rank */
  double wall_seconds;                              /**< the trial loop alone; slowest rank */
  int64_t flights_completed;                        /**< over all trials and years (for rates) */
  int64_t cells_marked;                             /**< raster cells imaged, summed over flights */
  int64_t runs_marked;                              /**< row runs those cells were marked in (bench; this
                                                         process's trial loop only, not carried by resume) */
  int64_t draws;                                    /**< random words drawn by the trial loop (bench; as
                                                         runs_marked) */
  double thread_rate_min, thread_rate_max;          /**< this process's slowest and fastest thread, trials
                                                         per second while running blocks (osq_waves_result_t) */
  double thread_rate_sum;                           /**< the sum over its threads: the loop's rate if none
                                                         ever waited */
  osq_run_map_t map;                                /**< value == NULL without geography or map */
  int64_t trials_resumed;                           /**< trials taken from opts.resume (0: none) */
  /** A partial run's state, to resume it (rank 0 only, NULL unless partial). Its identity fields
   *  are filled except formats, which are the caller's (osq_checkpoint_save writes it). */
  osq_checkpoint_t *checkpoint;
} osq_run_result_t;

/**
 * Run the scenario's trials. On success *out holds the result (free with osq_run_result_free).
 * Collective under MPI (see the top of this file). With opts->resume, wall_seconds includes the
 * checkpoint's, trials_done counts the checkpoint's trials and the result is the whole run's.
 * @return 0, or OSQ_ENOMEM / OSQ_ECONFIG with detail in err (rank 0's, under MPI); OSQ_EINVAL if
 *         opts->resume does not fit the scenario's shapes (slots, bins, parties, years, map).
 */
int osq_run_execute(const osq_scenario_t *sc, const osq_run_opts_t *opts, osq_run_result_t **out, osq_error_t *err);

/** Free a result (NULL is a no-op). */
void osq_run_result_free(osq_run_result_t *r);

/**
 * Write the flight log of trials [0, k) to f in the format of README "Output files"
 * (`trial,year,day,observed,observers,status,airfield,distance_km,imaged_km2`). The trials are
 * re-simulated serially with the same streams, so the log equals what the run simulated.
 * Not collective: under MPI only rank 0 calls it.
 */
int osq_run_flight_log(const osq_scenario_t *sc, int64_t k, FILE *f, osq_error_t *err);

/**
 * Fill a result header with what every run of sc records: scenario name, path and content hash,
 * seed, trials (sc->trials), trials done, threads, RNG, block size and the verification hash
 * (after osq_run_header_init; wall time, partial flag and creation time are the caller's).
 * h points into sc: sc must outlive h.
 */
void osq_run_header_fill(osq_run_header_t *h, const osq_scenario_t *sc, int64_t trials_done, int threads,
                         uint64_t hash);

/**
 * osq compare: run every scenario over the reference's (scs[0]) trials, seed and block size, so
 * that trial i of each scenario draws from the same stream (common random numbers), and pair the
 * rows by year position, metric and party: each row gets its scenario's mean and 95 % CI and, for
 * the others than the first, the mean paired difference to the first and its 95 % CI. The
 * scenarios must simulate the same number of years. Collective under MPI: *out is set on rank 0
 * only (NULL on the other ranks, which still return 0 on success).
 */
int osq_run_compare(const osq_scenario_t *const *scs, int n, const osq_run_opts_t *opts, osq_compare_t **out,
                        osq_error_t *err);

/** What `osq validate` found: the model's summary of every history row and of each year's flights. */
typedef struct {
  int n;                  /**< history rows */
  osq_summary_t *row;     /**< [n] mean, CI, p05, p50, p95 over trials (NaN: outside the simulated years) */
  int n_years;            /**< simulated years */
  osq_summary_t *year;    /**< [n_years] completed flights in each year */
  int64_t trials_done;
  int threads;
  double wall_seconds;    /**< the trial loop; slowest rank */
  uint64_t hash;          /**< verification hash: the figures' values of every trial */
} osq_validate_result_t;

/**
 * osq validate: run sc's trials without geography and compute, in every trial, the model's value of
 * every row of h that lies within the simulated years (models/figures.h), and each year's flights.
 * Collective under MPI: *out is set on rank 0 only. Bit-identical for any number of threads and ranks.
 * @return 0, or the engine's error with detail in err
 */
int osq_run_validate(const osq_scenario_t *sc, const osq_history_t *h, const osq_run_opts_t *opts,
                     osq_validate_result_t **out, osq_error_t *err);

/** Free a validation result (NULL is a no-op). */
void osq_validate_result_free(osq_validate_result_t *r);

/** Most parameters one calibration fits (Nelder-Mead gets slow, and the fit ill-posed, beyond). */
#define OSQ_CALIBRATE_PARAMS_MAX 16

/** How to calibrate. */
typedef struct {
  int64_t trials;            /**< trials per evaluation (0: the scenario's) */
  int threads;               /**< 0: the scenario's, else all available */
  int max_evals;             /**< most evaluations of the distance by the minimiser */
  double tolerance;          /**< stop when the simplex is this small (logistic scale) */
  const double *bounds;      /**< [2 * n_keys] lo, hi of each parameter (NaN: the schema's range), or NULL */
  void (*progress)(void *ctx, int64_t done, int64_t total); /**< after each evaluation (may be NULL) */
  void *progress_ctx;
} osq_calibrate_opts_t;

/** One fitted parameter. */
typedef struct {
  char key[96];
  bool integer;
  double lo, hi;             /**< its range */
  double start, value, sd;   /**< where the fit started and ended; sd from the curvature (NaN: flat) */
} osq_calibrate_param_t;

/** What a calibration found (identical on every MPI rank). */
typedef struct {
  int n_params;
  osq_calibrate_param_t param[OSQ_CALIBRATE_PARAMS_MAX];
  int n_targets;
  double *before, *after;    /**< [n_targets] the model's means at the start and at the fitted values */
  double *weight;            /**< [n_targets] */
  double distance_before, distance_after;
  int evals;                 /**< evaluations by the minimiser */
  bool converged;            /**< the simplex shrank below the tolerance before max_evals */
} osq_calibrate_result_t;

/**
 * osq calibrate: fit the numeric scenario keys keys[0..n_keys) (osq_scenario_set_number) to the
 * target rows (every row of targets must lie within sc's simulated years) by a simulated method of
 * moments over common random numbers (see run_calibrate.c). Collective under MPI; deterministic.
 * @return 0 and *out; OSQ_EINVAL (a bad key, bound or start), or the engine's error
 */
int osq_run_calibrate(const osq_scenario_t *sc, const osq_history_t *targets, const char *const *keys, int n_keys,
                      const osq_calibrate_opts_t *o, osq_calibrate_result_t **out, osq_error_t *err);

/** Free a calibration result (NULL is a no-op). */
void osq_calibrate_result_free(osq_calibrate_result_t *r);

/** How to run a study; zero values mean "as the study says". */
typedef struct {
  /** Called after every wave of blocks from the calling thread (may be NULL): point-trials done of
   *  the study's points x trials. */
  void (*progress)(void *ctx, int64_t done, int64_t total);
  void *progress_ctx;
  /** As osq_run_opts_t's: a signal's flag, and for tests a stop after this many blocks of the study
   *  (a point's blocks, point after point). */
  volatile sig_atomic_t *stop;
  int64_t stop_after_blocks;
  /** Continue the study this checkpoint recorded (rank 0 only; the caller matched it first). */
  const osq_study_ckpt_t *resume;
} osq_study_opts_t;

/** What a study found (rank 0; the other ranks get NULL). Points not done hold NaN. */
typedef struct {
  int64_t n_points;            /**< the design's, the central point (0) included */
  int64_t points_done;         /**< points [0, points_done) are complete */
  int64_t rows_done;           /**< complete base rows (Sobol) or trajectories (Morris) */
  int d, n_outputs;
  double *u;                   /**< [n_points][d] unit-cube coordinates (row 0: NaN) */
  double *x;                   /**< [n_points][d] input values (row 0: the first scenario's own) */
  int *moved;                  /**< [n_points] Morris: the input each point moved (-1: none) */
  double *value;               /**< [n_points][n_outputs] each point's mean over its trials */
  double *se;                  /**< [n_points][n_outputs] its Monte Carlo standard error */
  osq_summary_t *central;      /**< [n_outputs] the central point's mean and 95 % CI */
  osq_spread_t *spread;        /**< [n_outputs] over the sample points done (osq_design_is_sample) */
  osq_sobol_index_t *sobol;    /**< [n_outputs][d] (method sobol; NaN with fewer than 2 rows) */
  osq_morris_t *morris;        /**< [n_outputs][d] (method morris) */
  bool partial;                /**< stopped early: points_done < n_points */
  int threads, ranks;
  double setup_seconds;        /**< the scenarios' geography, caps and workspaces; slowest rank */
  double loop_seconds;         /**< the points (their set-up and trials), resumed ones included; slowest rank */
  int64_t points_run;          /**< points this process ran (a resumed point counts) */
  double point_setup_seconds;  /**< of loop_seconds, the points' own set-up (values, caps, world views) */
  osq_study_ckpt_t *checkpoint; /**< a partial study's state (rank 0, NULL unless partial) */
} osq_study_result_t;

/**
 * osq sensitivity: run every scenario of the study at every point of its design (the central point
 * first: the scenarios as loaded), each over the same trials of the same seed (common random numbers
 * across scenarios and points), and summarise each output over the points (spread, indices). The
 * scenarios share one raster, and a point shares its scenario's world unless it changes what the
 * world is built from. Collective under MPI; bit-identical for any number of threads and ranks.
 * @return 0 and *out (rank 0); OSQ_ECONFIG (an output names no row: "STUDY:LINE: ..."), OSQ_ENOMEM,
 *         OSQ_EINVAL (a point's value refused by a scenario), or the engine's error
 */
int osq_run_sensitivity(const osq_study_t *st, const osq_study_opts_t *o, osq_study_result_t **out, osq_error_t *err);

/** Free a study's result (NULL is a no-op). */
void osq_study_result_free(osq_study_result_t *r);

#endif
