/*
 * quota.h owns one simulated treaty year, steps 1-4 of the model (docs/model.md §1-2): membership, the
 * annual distribution of active quotas under the rules of Art. III, the schedule under the
 * 96-hour window and the quarterly cap, and the execution of the flights. It also owns the
 * independent checker of every rule (osq_quota_check), which the tests and the flight-log checker
 * use. The rules, their treaty paragraphs and every modelling choice are documented in
 * docs/model.md.
 *
 * Usage: allocate one osq_year_t per thread once (~62 KB: heap or static, not a small stack);
 * per scenario year compute one osq_quota_caps_t (~45 KB) with osq_quota_caps() (it depends
 * only on the treaty, the parameters and the year, so the engine computes it once and shares it
 * read-only between threads); per trial year call osq_quota_distribute(), osq_quota_schedule(),
 * osq_quota_execute() (or osq_quota_simulate(), which does the three). None of them allocates, prints or keeps state
 * outside its arguments; every random draw comes from the gsl_rng passed in.
 */
#ifndef OSQ_QUOTA_H
#define OSQ_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/binomial.h"
#include "models/date.h"
#include "models/params.h"
#include "models/treaty.h"

#define OSQ_OBS_MAX 4           /**< observers on one shared flight */
#define OSQ_FLIGHTS_MAX 1024    /**< flights a year can hold; also bounds the sum of the quotas */
#define OSQ_YEAR_BITS 384       /**< day bitmap of a year (366 days rounded up to 64) */
#define OSQ_YEAR_WORDS (OSQ_YEAR_BITS / 64)
#define OSQ_GUIDE 64            /**< stretches of a request's draw in osq_quota_caps_t.guide */
#define OSQ_GUIDE_SHORT 8       /**< targets after a guide that a request's search compares at once */

/** Status of a flight. A flight is PLANNED after the distribution and after the schedule. */
typedef enum {
  OSQ_FLIGHT_PLANNED = 0,       /**< granted (and, after osq_quota_schedule, dated) */
  OSQ_FLIGHT_COMPLETED = 1,     /**< flown */
  OSQ_FLIGHT_CANCELLED = 2,     /**< not flown: no legal date (day == OSQ_DAY_NEVER) or failed */
  OSQ_FLIGHT_VOID = 3           /**< dated when the target or every observer was not a party */
} osq_flight_status_t;

/** One granted flight: one target, 1..OSQ_OBS_MAX observers (obs[0] leads). */
typedef struct {
  int16_t target;               /**< index into osq_treaty_t.parties */
  int8_t n_obs;                 /**< 1..OSQ_OBS_MAX */
  int8_t obs[OSQ_OBS_MAX];      /**< observer indices, distinct, none == target */
  uint8_t void_obs;             /**< bit k: obs[k] was not a party on `day` (its slot is void) */
  uint8_t status;               /**< osq_flight_status_t */
  int8_t aircraft;              /**< index into osq_treaty_t.aircraft of the aircraft that flies it;
                                     -1 when the aircraft rule is off (docs/model.md 2.6) */
  osq_day_t day;                /**< date; OSQ_DAY_NEVER until scheduled or if no date was legal */
} osq_flight_t;

/**
 * What the rules allow in one year, per party and per pair: computed once per (treaty,
 * parameters, year) by osq_quota_caps() and read-only afterwards.
 */
typedef struct {
  int year;
  int n_parties;
  bool eligible[OSQ_PARTIES_MAX];               /**< in force on some day of the year and accepts */
  int16_t passive_cap[OSQ_PARTIES_MAX];         /**< flights it must accept (phase-in applied) */
  int16_t active_cap[OSQ_PARTIES_MAX];          /**< flights it may conduct (Art. III I 5) */
  int16_t pair_cap[OSQ_PARTIES_MAX][OSQ_PARTIES_MAX]; /**< [observer][target], 50 % rule */
  double demand[OSQ_PARTIES_MAX];               /**< demand share (override applied) */
  double weight[OSQ_PARTIES_MAX][OSQ_PARTIES_MAX]; /**< interest [observer][target]; 0 = never */
  double cum_weight[OSQ_PARTIES_MAX][OSQ_PARTIES_MAX]; /**< weight[i][0] + ... + weight[i][j], in that order;
                                                           +inf for j >= n */
  uint8_t guide[OSQ_PARTIES_MAX][OSQ_GUIDE + 1];  /**< [i][b]: the j with cum_weight[i][j] at most b/OSQ_GUIDE
                                                      of the total: a draw u01 * total with u01 in
                                                      [b, b + 1) / OSQ_GUIDE picks a target from
                                                      guide[i][b] to guide[i][b + 1] */
  int16_t over_base[OSQ_PARTIES_MAX];           /**< where target j's flights start in osq_year_t.over */
  int8_t last_target[OSQ_PARTIES_MAX];          /**< [i], i eligible: the last j with weight[i][j] > 0, -1 if none */
  bool guide_short[OSQ_PARTIES_MAX];            /**< [i], i eligible: no two guides of i are more than
                                                     OSQ_GUIDE_SHORT targets apart and n <= OSQ_PARTIES_MAX -
                                                     OSQ_GUIDE_SHORT (cum_weight[i][j] is +inf for j >= n) */
  /* The aircraft rule (docs/model.md 2.6), when model.aircraft is on and the treaty lists aircraft.
   * Planes are the aircraft with missions this year, fewest operators first (a party that flies
   * one of its own and a shared one uses its own first), then in the treaty's order. */
  bool aircraft;                                /**< the rule applies */
  int n_planes;
  int8_t plane_aircraft[OSQ_AIRCRAFT_MAX];      /**< plane -> index into osq_treaty_t.aircraft */
  int16_t plane_missions[OSQ_AIRCRAFT_MAX];     /**< missions this year: annual figure x share in service */
  uint32_t planes_of[OSQ_PARTIES_MAX];          /**< bit a: the party operates plane a */
  uint64_t no_plane;                            /**< eligible parties that operate no plane this year */
  /* The demand draws' tables (models/binomial.h), built by osq_quota_caps_tables where the caller
   * wants them (n = 0 otherwise: the draw is gsl_ran_binomial's). The same values either way. */
  osq_binom_table_t demand_table[OSQ_PARTIES_MAX];
} osq_quota_caps_t;

/** One year of one trial: the flight list, the distribution counters and fixed-size scratch. */
typedef struct {
  int year;
  int n_parties;
  bool plan_agreed;
  int n_flights;
  osq_flight_t flights[OSQ_FLIGHTS_MAX];

  /* Counters of the distribution (observer slots, void ones included), so that every rule is
   * checked in O(1) while granting. osq_quota_check() never trusts them. */
  int16_t passive_used[OSQ_PARTIES_MAX];
  int16_t active_used[OSQ_PARTIES_MAX];
  int16_t pair_used[OSQ_PARTIES_MAX][OSQ_PARTIES_MAX];

  /* Scratch of the distribution and the schedule. req holds the requests of the last
   * osq_quota_distribute (for diagnostics); the rest is undefined between calls. */
  int16_t req[OSQ_PARTIES_MAX][OSQ_PARTIES_MAX];   /**< requests [observer][target] */
  int16_t units[OSQ_FLIGHTS_MAX + 4];              /**< one request each: observer << 6 | target (+ room
                                                        for the last four written at once) */
  int16_t over[OSQ_FLIGHTS_MAX];                   /**< flights over each target in the order granted,
                                                        target j's from caps->over_base[j] on */
  uint64_t closed_to[OSQ_FLIGHTS_MAX];             /**< who cannot join a flight: its observers, one
                                                        bit per party; everyone once it is full */
  uint64_t open_over[OSQ_PARTIES_MAX];             /**< per target with at most 64 flights: bit k set if
                                                        its k-th flight (over[]) has room */
  uint64_t on_over[OSQ_PARTIES_MAX][OSQ_PARTIES_MAX]; /**< [observer][target]: bit k set if the observer
                                                        is on the target's k-th flight (valid where
                                                        pair_used > 0) */
  int16_t order[OSQ_FLIGHTS_MAX + 4];
  uint64_t busy[OSQ_PARTIES_MAX][OSQ_YEAR_WORDS];  /**< per target: days no flight may take */
  uint64_t free_words[OSQ_PARTIES_MAX];            /**< per target: days not busy in each word of busy,
                                                        10 bits a word */
  int16_t free_days[OSQ_PARTIES_MAX];              /**< per target: days not busy */
  int16_t quarter_used[OSQ_PARTIES_MAX][4];
  int16_t missions_left[OSQ_AIRCRAFT_MAX];         /**< per plane of the caps (aircraft rule) */
  uint32_t planes_left;                            /**< bit a: plane a has a mission left */
} osq_year_t;

/**
 * Compute what the rules allow in a year: eligibility, passive caps (with the 75 % phase-in),
 * active caps, the 50 % rule per pair, the demand shares and the interest weights.
 * @return 0; OSQ_EINVAL if an argument is out of range (year outside 1900..2200, more parties
 *         than OSQ_PARTIES_MAX, a negative quota); OSQ_ERANGE if a quota exceeds
 *         INT16_MAX or the eligible parties' passive quotas sum to more than OSQ_FLIGHTS_MAX.
 */
int osq_quota_caps(const osq_treaty_t *t, const osq_model_params_t *p, int year, osq_quota_caps_t *caps);

/**
 * Build the demand draws' tables of caps (models/binomial.h): for each eligible party whose draw
 * GSL makes from one uniform, the thresholds that give the same value from the same word. The
 * draws and every result are the same with and without them. The tables of the 2019 treaty take
 * about 0.16 ms to build and save about 0.35 µs a trial-year, so a caller builds them for runs of
 * some hundreds of trials or more (sim/engine/trial.c: 500).
 * @return the number of tables built
 */
int osq_quota_caps_tables(osq_quota_caps_t *caps);

/** Reset a year to "no plan, no flights" (cheap: only the counters of caps->n_parties). */
void osq_quota_reset(osq_year_t *y, int year, int n_parties);

/**
 * Annual distribution: draw whether the plan is agreed, draw each eligible party's demand,
 * spread it over targets by interest, and grant the requests in a random order (reciprocal
 * requests first) under every rule of caps. Granted flights are PLANNED with day OSQ_DAY_NEVER.
 * @return 0; OSQ_EINVAL if caps does not belong to t.
 */
int osq_quota_distribute(const osq_treaty_t *t, const osq_model_params_t *p, const osq_quota_caps_t *caps, gsl_rng *rng,
                   osq_year_t *y);

/**
 * Schedule: give every PLANNED flight a day of the flying season such that a target has no two
 * flights closer than window_days and at most quarter_max flights per calendar quarter, drawn
 * uniformly among the legal days (flights in random order; flights that already have a date keep
 * it and count first, so a second call changes nothing). A flight without a legal day is
 * CANCELLED (day stays OSQ_DAY_NEVER). Then membership: observers not in force on the day are
 * marked in void_obs; if the target or every observer is out, the flight is VOID.
 * @return the number of flights cancelled for lack of a legal day (>= 0).
 */
int osq_quota_schedule(const osq_treaty_t *t, const osq_model_params_t *p, gsl_rng *rng, osq_year_t *y);

/**
 * Execution: each dated PLANNED flight is COMPLETED with the completion chance of its lead
 * observer (the first non-void observer; completion_by override, else completion), otherwise
 * CANCELLED.
 */
void osq_quota_execute(const osq_treaty_t *t, const osq_model_params_t *p, gsl_rng *rng, osq_year_t *y);

/** osq_quota_distribute + osq_quota_schedule + osq_quota_execute. @return 0 or the error of osq_quota_distribute. */
int osq_quota_simulate(const osq_treaty_t *t, const osq_model_params_t *p, const osq_quota_caps_t *caps, gsl_rng *rng,
                      osq_year_t *y);

/**
 * Re-check every rule from the flight list alone (it recounts everything and recomputes the
 * caps with its own code): plan, observer count and distinctness, no self-observation,
 * eligibility, passive cap, active cap, 50 % rule, season, 96-hour window, quarterly cap,
 * void status against membership, status values.
 * @param why receives the first violation found ("" if none); may be NULL.
 * @return 0 if the year obeys every rule, OSQ_EINVAL otherwise.
 */
int osq_quota_check(const osq_treaty_t *t, const osq_model_params_t *p, const osq_year_t *y, char *why, size_t n);

/** @return "planned", "completed", "cancelled" or "void" (the flight-log words), "?" otherwise. */
const char *osq_quota_status_name(int status);

#endif
