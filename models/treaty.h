/*
 * treaty.h owns the treaty as data: quota holders (a state or a group such as RUBY or BNLX),
 * their passive quotas, membership dates and Open Skies airfields, and the queries the model
 * asks of them (who is in force on a day, which maximum distance applies in a year).
 *
 * Everything is fixed-size so that a treaty can be copied into each thread and read in the
 * trial loop without allocation. The scenario loader (sim/input/scenario.c) fills it from
 * scenarios/treaty.cfg plus the scenario's participation changes.
 */
#ifndef OSQ_TREATY_H
#define OSQ_TREATY_H

#include <stdbool.h>
#include <stdint.h>

#include "models/date.h"

#define OSQ_PARTIES_MAX 48      /**< quota holders a treaty may hold (34 states ever joined) */
#define OSQ_CODE_MAX 8          /**< "RUBY" + NUL, with room */
#define OSQ_NAME_MAX 64
#define OSQ_MEMBERS_MAX 4       /**< member states of a group (BNLX has 3) */
#define OSQ_AIRFIELDS_MAX 8
#define OSQ_DIST_STEPS_MAX 4    /**< changes of one airfield's maximum flight distance */
#define OSQ_TERMS_MAX 4         /**< membership terms (withdrawal then re-admission makes 2) */

typedef enum { OSQ_BLOC_NATO = 0, OSQ_BLOC_RUBY = 1, OSQ_BLOC_OTHER = 2, OSQ_BLOC_COUNT = 3 } osq_bloc_t;

/** A maximum flight distance that applies from a day on (Annex A Sec. III and later changes). */
typedef struct {
  osq_day_t from;
  double km;
} osq_distance_step_t;

/** An Open Skies airfield from which observation flights over its party start and end. */
typedef struct {
  char name[OSQ_NAME_MAX];
  double lat, lon;                                 /**< degrees, WGS84 */
  int n_steps;                                     /**< >= 1, sorted by from */
  osq_distance_step_t steps[OSQ_DIST_STEPS_MAX];
} osq_airfield_t;

/** A period of membership: in force from `from` (inclusive) to `until` (exclusive). */
typedef struct {
  osq_day_t from;
  osq_day_t until;                                 /**< OSQ_DAY_NEVER while still a party */
} osq_term_t;

/** A quota holder: a State Party, or a group of states that holds one quota. */
typedef struct {
  char code[OSQ_CODE_MAX];                         /**< ISO 3166 alpha-2, or RUBY / BNLX */
  char name[OSQ_NAME_MAX];
  int n_members;
  char members[OSQ_MEMBERS_MAX][3];                /**< ISO 3166 alpha-2 of member states */
  osq_bloc_t bloc;
  int nato_year;                                   /**< year of NATO accession, 0 if none */
  int passive_quota;                               /**< flights it must accept a year */
  bool quota_estimate;                             /**< true if no source gives the quota */
  double area_km2;                                 /**< reference land area */
  int n_terms;                                     /**< >= 1, sorted, non-overlapping */
  osq_term_t terms[OSQ_TERMS_MAX];
  int n_airfields;
  osq_airfield_t airfields[OSQ_AIRFIELDS_MAX];
} osq_party_t;

/** Most observation aircraft (or fleets) a treaty lists. */
#define OSQ_AIRCRAFT_MAX 24

/** An observation aircraft or fleet: who may lead flights on it, when, and how many a year. */
typedef struct {
  char name[OSQ_NAME_MAX];
  uint64_t operators;                              /**< one bit per party index */
  osq_day_t from, until;                           /**< in service [from, until); until OSQ_DAY_NEVER: still */
  int missions;                                    /**< flights it can fly a year */
} osq_aircraft_t;

typedef struct {
  int n_parties;
  osq_party_t parties[OSQ_PARTIES_MAX];
  int n_aircraft;                                  /**< 0: no aircraft listed (the model then ignores aircraft) */
  osq_aircraft_t aircraft[OSQ_AIRCRAFT_MAX];
} osq_treaty_t;

/** @return the index of the party with this code, or -1. */
int osq_treaty_find(const osq_treaty_t *t, const char *code);

/** @return true if the party is in force on that day (in a term and not withdrawn). */
bool osq_party_in_force(const osq_party_t *p, osq_day_t day);

/** @return true if the party is in force on at least one day of calendar year y. */
bool osq_party_in_force_year(const osq_party_t *p, int year);

/**
 * The missions an aircraft can fly in calendar year y: its annual figure times the share of the
 * year's days it is in service, rounded half up (docs/model.md 2.6). 0 outside its service.
 */
int osq_aircraft_missions(const osq_aircraft_t *a, int year);

/** @return the first day the party entered into force (its first term's start). */
osq_day_t osq_party_first_day(const osq_party_t *p);

/** @return the day its last term ends (OSQ_DAY_NEVER if still a party). */
osq_day_t osq_party_last_day(const osq_party_t *p);

/** @return the maximum flight distance (km) of an airfield that applies on a day. */
double osq_airfield_max_km(const osq_airfield_t *a, osq_day_t day);

/**
 * A state counted twice: a member of two quota holders in force on the same day (or listed twice
 * in one holder's members, then holder_a == holder_b).
 */
typedef struct {
  char state[3];                                   /**< ISO 3166 alpha-2 */
  int holder_a, holder_b;                          /**< party indices, holder_a <= holder_b */
  int term_a, term_b;                              /**< the two terms that overlap */
  osq_day_t day;                                   /**< the first day both are in force */
} osq_membership_conflict_t;

/**
 * The membership invariant: on every day, each state belongs to at most one quota holder in
 * force (docs/model.md section 2.1). Without it a state's territory, quota and flights would be
 * counted under two holders.
 * @return OSQ_OK, or OSQ_EINVAL with *first set to the conflict of the earliest day (ties: the
 *         lowest holder indices).
 */
int osq_treaty_check_membership(const osq_treaty_t *t, osq_membership_conflict_t *first);

/** @return the number of parties in force on a day. */
int osq_treaty_count_in_force(const osq_treaty_t *t, osq_day_t day);

/** @return the sum of the passive quotas of the parties in force on a day. */
int osq_treaty_passive_total(const osq_treaty_t *t, osq_day_t day);

/**
 * @return the party's bloc in a year: NATO from its accession year on (Finland 2023, Sweden
 * 2024), "other" before it, RU-BY for the Russia-Belarus group.
 */
osq_bloc_t osq_party_bloc(const osq_party_t *p, int year);

/** @return "NATO", "RU-BY" or "other". */
const char *osq_bloc_name(osq_bloc_t b);

/** @return 0 and *out for "NATO", "RU-BY", "other"; OSQ_EINVAL otherwise. */
int osq_bloc_parse(const char *s, osq_bloc_t *out);

#endif
