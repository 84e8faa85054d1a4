/*
 * params.h owns the model parameters of one scenario: the annual distribution (demand, interest,
 * sharing, plan failure, phase-in), the schedule (season, 96-hour window, quarterly cap) and the
 * execution (completion probability). Defaults are set by osq_model_params_default() and
 * documented, with their sources and fitting, in docs/model.md.
 *
 * Per-party arrays are indexed like osq_treaty_t.parties; a negative value means "use the
 * global value".
 */
#ifndef OSQ_PARAMS_H
#define OSQ_PARAMS_H

#include <stdbool.h>

#include "models/date.h"
#include "models/treaty.h"

/** Most years a scenario can list in no_plan_years (a timeline needs one: 2018). */
#define OSQ_NO_PLAN_YEARS_MAX 8
/** Most years with their own parameters, and most pauses. */
#define OSQ_YEAR_PARAMS_MAX 32
#define OSQ_PAUSES_MAX 8

/** One year's own values of some parameters (model.years): < 0 (or 0 for a day) = the global value;
 *  demand_factor multiplies every party's demand share that year (the ramp-up of 2002-2005). */
typedef struct {
  int year;
  double demand_factor, share_prob, completion;
  int season_first_doy, season_last_doy;
} osq_year_params_t;

/** Most pairs with their own interest. */
#define OSQ_PAIRS_MAX 64

/** One observer's own factor on its interest in one target, in years [first_year, last_year] (model.pairs). */
typedef struct {
  int observer, observed;
  double interest;
  int first_year, last_year;
} osq_pair_params_t;

/** Days on which no quota flight is flown (model.pauses), inclusive. */
typedef struct {
  osq_day_t from, until;
} osq_pause_t;

typedef struct {
  /* --- annual distribution (docs/model.md §2.3) --- */
  double plan_fail_prob;          /**< chance that no annual plan is agreed (2018) */
  int phase_in_last_year;         /**< last year of the 75 % phase-in (Annex A Sec. II; Art. XVIII) */
  double phase_in_factor;         /**< share of the passive quota accepted during phase-in */
  double demand;                  /**< share of its own passive quota a party asks to fly */
  double demand_by[OSQ_PARTIES_MAX];            /**< per-party override of demand, < 0 = unset */
  double interest[OSQ_BLOC_COUNT][OSQ_BLOC_COUNT]; /**< observer bloc x target bloc weight */
  double interest_by[OSQ_PARTIES_MAX];          /**< per-target attractiveness factor, < 0 = 1 */
  double size_exponent;           /**< target weight ~ passive_quota^size_exponent */
  double proximity_km;            /**< target weight ~ exp(-distance/proximity_km); 0 = off */
  double share_prob;              /**< chance a request is flown jointly with another observer */
  bool accepts_by[OSQ_PARTIES_MAX];             /**< false: party accepts no flights and so, by
                                                     reciprocity, takes no part in the distribution (BY 2022) */

  /* --- schedule (docs/model.md §2.4) --- */
  int season_first_doy;           /**< first day of the flying season (1 = 1 Jan) */
  int season_last_doy;            /**< last day of the flying season */
  int window_days;                /**< one flight per target in any window of this many days (96 h = 4) */
  int quarter_max;                /**< flights per target per quarter (Annex H para 2: 16) */

  /* --- execution (docs/model.md §2.5) --- */
  double completion;              /**< chance a scheduled flight is completed */
  double completion_by[OSQ_PARTIES_MAX];        /**< per-observer override, < 0 = unset */

  /* --- added with the quota model (docs/model.md) --- */
  bool reciprocity;               /**< serve requests matched by the target's own requests first (Art. III I 3) */
  double share_full_prob;         /**< chance a request over a fully booked target joins one of its flights */
  double interest_obs_by[OSQ_PARTIES_MAX][OSQ_BLOC_COUNT]; /**< per-observer row of interest, < 0 = bloc row */

  /* --- added for the timeline (docs/model.md, section 2.3) --- */
  int no_plan_years[OSQ_NO_PLAN_YEARS_MAX];     /**< years in which no annual plan is agreed (2018), any order */
  int n_no_plan_years;                          /**< entries used in no_plan_years; 0 = none (default) */

  /* --- added with the history (docs/model.md, sections 2.3-2.5) --- */
  osq_year_params_t years[OSQ_YEAR_PARAMS_MAX]; /**< per-year values (osq_model_params_for_year applies them) */
  int n_years;
  osq_pause_t pauses[OSQ_PAUSES_MAX];           /**< flights dated in a pause are cancelled (section 2.5) */
  int n_pauses;
  osq_pair_params_t pairs[OSQ_PAIRS_MAX];      /**< pairs' own interest, each in its years (model.pairs) */
  int n_pairs;
  double pair_interest[OSQ_PARTIES_MAX][OSQ_PARTIES_MAX]; /**< [observer][target] factor on the weight in the
                                                              year, < 0 = 1: what osq_quota_caps reads
                                                              (osq_model_params_for_year fills it from pairs) */
  bool aircraft;                  /**< a new flight needs an aircraft its lead operates, with a mission
                                       left this year, or the target's (taxi) (section 2.6) */
  double taxi_prob;               /**< chance the target provides its aircraft to an observer without one */
} osq_model_params_t;

/** Fill p with the documented defaults (all per-party overrides unset, all parties accept). */
void osq_model_params_default(osq_model_params_t *p);

/**
 * Set the fitted per-party defaults that have a source (docs/model.md, "Per-party defaults"),
 * found by quota-holder code in t: e.g. the US completion rate of 65 % and Russia-Belarus
 * flying close to its active quota. Call it after osq_model_params_default() and before the
 * scenario's own per-party values, which override it. Codes missing from t are skipped.
 * @return the number of per-party values set.
 */
int osq_model_params_party_defaults(osq_model_params_t *p, const osq_treaty_t *t);

/**
 * @return true if year is listed in p->no_plan_years: the annual plan of that year is never
 *         agreed, whatever plan_fail_prob says (the timeline's 2018).
 */
bool osq_model_params_no_plan_year(const osq_model_params_t *p, int year);

/**
 * The parameters of one year: p with the year's own values (p->years) in place of the global ones,
 * and pair_interest set from the pairs whose years include it (on top of p->pair_interest). out may
 * not be p.
 */
void osq_model_params_for_year(const osq_model_params_t *p, int year, osq_model_params_t *out);

/** @return the entry of p->years for year, or NULL. */
osq_year_params_t *osq_model_params_year(osq_model_params_t *p, int year);

/** @return true if no quota flight may be flown on day (it falls in one of p->pauses). */
bool osq_model_params_paused(const osq_model_params_t *p, osq_day_t day);

#endif
