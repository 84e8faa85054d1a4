/*
 * quota.c owns steps 1-4 of one simulated treaty year (membership, annual distribution,
 * schedule, execution) and the independent rule checker. docs/model.md explains every rule and
 * every modelling choice made here; the comments below say why the code is shaped as it is.
 */
#include "models/quota.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/bits.h"
#include "models/draw.h"
#include "models/errors.h"
#include "models/sphere.h"

/* ---------------------------------------------------------------------------------------- */
/* Bits                                                                                      */
/* ---------------------------------------------------------------------------------------- */

_Static_assert(OSQ_PARTIES_MAX <= 64, "a party set is one 64-bit word");
_Static_assert(OSQ_GUIDE_SHORT == 8, "spread_demand compares eight sums after a guide");

/* The distribution and the schedule exist twice: compiled for popcnt and bmi2 (HW_TARGET), taken
 * where osq_bits_hw() says the processor runs them well, and portable. Their bodies take hw, a
 * constant in each copy (always inlined), so that each copy has only its own bit counts: the
 * portable counts were 7 % of the model's instructions, popcnt and pdep a tenth of that. */
#define ALWAYS_INLINE inline __attribute__((always_inline))
#ifdef OSQ_BITS_HW
#define HW_TARGET OSQ_BITS_HW_TARGET
static bool use_hw(void) { return osq_bits_hw(); }
static ALWAYS_INLINE int bit_count(uint64_t x, bool hw) { return hw ? osq_bit_count_hw(x) : osq_bit_count(x); }
static ALWAYS_INLINE int bit_select(uint64_t x, int r, bool hw) {
  return hw ? osq_bit_select_hw(x, r) : osq_bit_select(x, r);
}
#else
#define HW_TARGET
static bool use_hw(void) { return false; }
static ALWAYS_INLINE int bit_count(uint64_t x, bool hw) { return (void)hw, osq_bit_count(x); }
static ALWAYS_INLINE int bit_select(uint64_t x, int r, bool hw) { return (void)hw, osq_bit_select(x, r); }
#endif

/* Slack for floor(factor * quota): 0.75 * 12 is exact in binary, but a user's factor such as
 * 0.7 times 10 is 6.9999999999999991 and must still give 7. */
#define PHASE_IN_EPS 1e-9

static int phase_in_cap(const osq_model_params_t *p, int year, int quota) {
  if (year > p->phase_in_last_year) return quota;
  return (int)floor(p->phase_in_factor * (double)quota + PHASE_IN_EPS);
}

/* The 50 % rule (Art. III Sec. I para 10): ceil(min(a, b) / 2) in integers. */
static int half_up(int a, int b) {
  const int m = a < b ? a : b;
  return m <= 0 ? 0 : (m + 1) / 2;
}

/* A party's position for the proximity weight: the mean of its airfields' coordinates (a crude
 * centroid that is good enough for a weight; false if it has no airfield). */
static bool party_position(const osq_party_t *q, double *lat, double *lon) {
  if (q->n_airfields <= 0) return false;
  double sl = 0.0, so = 0.0;
  for (int k = 0; k < q->n_airfields; k++) {
    sl += q->airfields[k].lat;
    so += q->airfields[k].lon;
  }
  *lat = sl / q->n_airfields;
  *lon = so / q->n_airfields;
  return true;
}

/* The running sums cum[j] = w[0] + ... + w[j], added in that order (the total is cum[n - 1]). */
static double cumulate(const double *w, int n, double *cum) {
  double total = 0.0;
  for (int j = 0; j < n; j++) {
    total += w[j];
    cum[j] = total;
  }
  return total;
}

/* The aircraft rule's year (docs/model.md 2.6): the aircraft with missions this year as planes,
 * fewest operators first, and which eligible party operates which. */
static void caps_planes(const osq_treaty_t *t, const osq_model_params_t *p, int year, osq_quota_caps_t *caps) {
  caps->aircraft = p->aircraft && t->n_aircraft > 0;
  if (!caps->aircraft) return;
  const int na = t->n_aircraft < OSQ_AIRCRAFT_MAX ? t->n_aircraft : OSQ_AIRCRAFT_MAX;
  for (int ops = 1; ops <= OSQ_PARTIES_MAX; ops++)
    for (int a = 0; a < na; a++) {
      const osq_aircraft_t *ac = &t->aircraft[a];
      const int m = osq_aircraft_missions(ac, year);
      if (osq_bit_count(ac->operators) != ops || m <= 0) continue;
      const int k = caps->n_planes++;
      caps->plane_aircraft[k] = (int8_t)a;
      caps->plane_missions[k] = (int16_t)(m > INT16_MAX ? INT16_MAX : m);
      for (uint64_t b = ac->operators; b; b &= b - 1) caps->planes_of[osq_bit_lowest(b)] |= UINT32_C(1) << k;
    }
  for (int i = 0; i < caps->n_parties; i++)
    if (caps->eligible[i] && !caps->planes_of[i]) caps->no_plane |= UINT64_C(1) << i;
}

int osq_quota_caps(const osq_treaty_t *t, const osq_model_params_t *p, int year, osq_quota_caps_t *caps) {
  if (!t || !p || !caps || t->n_parties < 0 || t->n_parties > OSQ_PARTIES_MAX || year < 1900 || year > 2200)
    return OSQ_EINVAL;
  const int n = t->n_parties;
  memset(caps, 0, sizeof *caps);
  caps->year = year;
  caps->n_parties = n;

  int active_sum = 0;
  for (int i = 0; i < n; i++) {
    const osq_party_t *q = &t->parties[i];
    if (q->passive_quota < 0) return OSQ_EINVAL;
    if (q->passive_quota > INT16_MAX) return OSQ_ERANGE;
    caps->eligible[i] = osq_party_in_force_year(q, year) && p->accepts_by[i];
    if (!caps->eligible[i]) continue;
    caps->passive_cap[i] = (int16_t)phase_in_cap(p, year, q->passive_quota);
    /* Art. III Sec. I para 5: the total active quota shall not exceed the total passive quota.
     * The entitlement is the full Annex A quota also in the phase-in (Annex A Sec. II limits
     * what a State must accept, not what it may conduct). */
    caps->active_cap[i] = (int16_t)q->passive_quota;
    active_sum += q->passive_quota;
    const double d = p->demand_by[i] >= 0.0 ? p->demand_by[i] : p->demand;
    caps->demand[i] = !(d > 0.0) ? 0.0 : (d > 1.0 ? 1.0 : d); /* NaN -> 0 */
  }
  /* The sum of the passive caps is at most the sum of the quotas; this bounds both the flight
   * list and the request list of osq_year_t. */
  if (active_sum > OSQ_FLIGHTS_MAX) return OSQ_ERANGE;

  double lat[OSQ_PARTIES_MAX], lon[OSQ_PARTIES_MAX];
  bool has_pos[OSQ_PARTIES_MAX];
  osq_bloc_t bloc[OSQ_PARTIES_MAX];
  double size_w[OSQ_PARTIES_MAX];
  for (int j = 0; j < n; j++) {
    has_pos[j] = p->proximity_km > 0.0 && party_position(&t->parties[j], &lat[j], &lon[j]);
    bloc[j] = osq_party_bloc(&t->parties[j], year);
    const double f = p->interest_by[j] >= 0.0 ? p->interest_by[j] : 1.0;
    size_w[j] = caps->eligible[j] ? f * pow((double)t->parties[j].passive_quota, p->size_exponent) : 0.0;
  }

  for (int i = 0; i < n; i++) {
    if (!caps->eligible[i]) continue;
    for (int j = 0; j < n; j++) {
      if (j == i || !caps->eligible[j]) continue;
      /* Art. III Sec. I para 10, read with the observer's entitlement (its own passive quota)
       * as its "total active quota": unlike the quota actually distributed to it, this reading
       * fits every pair of the printed first distribution (docs/model.md, section 2.2). */
      caps->pair_cap[i][j] = (int16_t)half_up(t->parties[i].passive_quota, t->parties[j].passive_quota);
      const double row = p->interest_obs_by[i][bloc[j]];
      double w = (row >= 0.0 ? row : p->interest[bloc[i]][bloc[j]]) * size_w[j];
      if (has_pos[i] && has_pos[j]) w *= exp(-osq_gc_distance_km(lat[i], lon[i], lat[j], lon[j]) / p->proximity_km);
      if (p->pair_interest[i][j] >= 0.0) w *= p->pair_interest[i][j]; /* a pair's own factor (model.pairs) */
      if (!(w > 0.0) || !isfinite(w) || caps->pair_cap[i][j] == 0 || caps->passive_cap[j] == 0) w = 0.0;
      caps->weight[i][j] = w;
    }
    const double total = cumulate(caps->weight[i], n, caps->cum_weight[i]);
    int last = n - 1;
    while (last >= 0 && !(caps->weight[i][last] > 0.0)) last--;
    caps->last_target[i] = (int8_t)last;
    /* guide[b]: the targets whose running sum is at most b/64 of the total, as the search
     * computes the draw's share of the total (b/64 is exact, so is u01 * 64) */
    int span = 0;
    for (int b = 0, j = 0; b <= OSQ_GUIDE; b++) {
      const double at = (double)b / OSQ_GUIDE * total;
      while (j < n && caps->cum_weight[i][j] <= at) j++;
      caps->guide[i][b] = (uint8_t)j;
      if (b > 0 && j - caps->guide[i][b - 1] > span) span = j - caps->guide[i][b - 1];
    }
    /* Past n, sums above any draw, so that the search may compare the OSQ_GUIDE_SHORT after a
     * guide whatever they are: those at or past the next guide exceed the draw anyway. */
    for (int j = n; j < OSQ_PARTIES_MAX; j++) caps->cum_weight[i][j] = INFINITY;
    caps->guide_short[i] = span <= OSQ_GUIDE_SHORT && n <= OSQ_PARTIES_MAX - OSQ_GUIDE_SHORT;
  }
  caps_planes(t, p, year, caps);
  /* Each target's flights get a stretch of osq_year_t.over as long as its passive cap. */
  int base = 0;
  for (int j = 0; j < n; j++) {
    caps->over_base[j] = (int16_t)base;
    base += caps->passive_cap[j];
  }
  return OSQ_OK;
}

int osq_quota_caps_tables(osq_quota_caps_t *caps) {
  int built = 0;
  for (int i = 0; i < caps->n_parties; i++)
    if (caps->eligible[i] && caps->active_cap[i] > 0)
      built += osq_binom_table_build(&caps->demand_table[i], caps->demand[i], (unsigned)caps->active_cap[i]);
  return built;
}

/* Zero columns 0..n-1 of rows 0..n-1 of a party x party matrix: a store of known size a row (32 or
 * all columns), where a call to memset a row, or one over the whole rows, cost more than the
 * clearing itself. */
static void clear_square(int16_t (*m)[OSQ_PARTIES_MAX], int n) {
  if (n <= 32)
    for (int i = 0; i < n; i++) memset(m[i], 0, 32 * sizeof m[i][0]);
  else
    for (int i = 0; i < n; i++) memset(m[i], 0, OSQ_PARTIES_MAX * sizeof m[i][0]);
}

void osq_quota_reset(osq_year_t *y, int year, int n_parties) {
  y->year = year;
  y->n_parties = n_parties;
  y->plan_agreed = false;
  y->n_flights = 0;
  const size_t np = (size_t)n_parties;
  memset(y->passive_used, 0, np * sizeof y->passive_used[0]);
  memset(y->active_used, 0, np * sizeof y->active_used[0]);
  memset(y->open_over, 0, np * sizeof y->open_over[0]);
  clear_square(y->pair_used, n_parties);
}

/* ---------------------------------------------------------------------------------------- */
/* Distribution                                                                              */
/* ---------------------------------------------------------------------------------------- */

/* Spread observer i's demand over targets one request at a time, each by interest weight among
 * the targets it has not yet asked for as often as the 50 % rule allows: parties know that rule
 * and do not waste requests on flights it forbids. */
/* The first j in [0, n) with u < cum[j], or n (cum never decreases): the number of j with
 * cum[j] <= u, counted in two rounds of independent comparisons, the ends of eight stretches and
 * then the entries of the one stretch that holds the answer. A binary search waits for each
 * comparison before the next (and, with branches, was mispredicted half the time). */
static inline int first_above(const double *cum, int n, double u) {
  const int step = (n + 7) / 8;
  int stretch = 0;
  for (int k = 1; k < 8 && k * step <= n; k++) stretch += cum[k * step - 1] <= u;
  const int lo = stretch * step, hi = lo + step < n ? lo + step : n;
  int count = lo;
  for (int j = lo; j < hi; j++) count += cum[j] <= u;
  return count;
}

/* Party i's demand, gsl_ran_binomial(demand, active cap): by its table where one was built and the
 * stream is osq's Philox (the table reads the word as osq_rng_u01 does), else by GSL. */
static ALWAYS_INLINE int demand_draw(const osq_quota_caps_t *caps, int i, osq_draw_t *rng) {
  const osq_binom_table_t *t = &caps->demand_table[i];
  if (t->n && rng->s) {
    const int v = osq_binom_table_value(t, osq_draw_u64(rng) >> 11);
    if (v >= 0) return v;
    osq_draw_unread(rng); /* GSL would draw again: the word goes back, to be GSL's first draw */
  }
  return (int)osq_draw_binomial(rng, caps->demand[i], (unsigned)caps->active_cap[i]);
}

static int spread_demand(const osq_quota_caps_t *caps, int i, int demand, osq_draw_t *rng, osq_year_t *y,
                         uint64_t *asked) {
  const int n = caps->n_parties;
  /* The year's weights and running sums (caps) until a target reaches its 50 % cap; from then on
   * this observer's own copy, with that target's weight 0. */
  const double *cum = caps->cum_weight[i];
  double w[OSQ_PARTIES_MAX], own[OSQ_PARTIES_MAX];
  double total = n > 0 ? cum[n - 1] : 0.0;
  int last = caps->last_target[i]; /* the last target with a positive weight */
  const bool short_guides = caps->guide_short[i];
  int made = 0;
  while (made < demand && total > 0.0) {
    /* The first target whose running sum exceeds u: it has a positive weight (a zero weight
     * repeats the sum before it), and the sums are those of adding the weights in order, so it
     * is the target a linear scan would pick. If rounding puts u at the total, the last one. */
    const double u01 = osq_draw_u01(rng), u = u01 * total;
    int lo;
    if (cum != own) { /* the year's sums: the answer lies between two guides (caps->guide) */
      const int b = (int)(u01 * OSQ_GUIDE);
      lo = caps->guide[i][b];
      if (short_guides) { /* a loop of 0 to 8 rounds was mispredicted about once a request */
        const double *c = cum + lo;
        lo += ((c[0] <= u) + (c[1] <= u)) + ((c[2] <= u) + (c[3] <= u)) + ((c[4] <= u) + (c[5] <= u)) +
              ((c[6] <= u) + (c[7] <= u));
      } else {
        for (int j = lo; j < caps->guide[i][b + 1]; j++) lo += cum[j] <= u;
      }
    } else {
      lo = first_above(cum, n, u);
    }
    const int pick = lo < n ? lo : last;
    y->req[i][pick]++;
    *asked |= UINT64_C(1) << pick;
    made++;
    if (y->req[i][pick] >= caps->pair_cap[i][pick]) {
      if (cum != own) {
        memcpy(w, caps->weight[i], (size_t)n * sizeof w[0]);
        memcpy(own, cum, (size_t)n * sizeof own[0]);
        cum = own;
      }
      w[pick] = 0.0;
      /* Recompute instead of subtracting, so rounding can never leave a positive total with
       * no target left: from pick on, as the sums before it are the same additions. */
      total = pick > 0 ? own[pick - 1] : 0.0;
      for (int j = pick; j < n; j++) own[j] = total += w[j];
      while (last >= 0 && !(w[last] > 0.0)) last--;
    }
  }
  return made;
}

static ALWAYS_INLINE void add_flight(const osq_quota_caps_t *caps, osq_year_t *y, int obs, int target, int aircraft) {
  const int f = y->n_flights++;
  osq_flight_t *fl = &y->flights[f];
  memset(fl, 0, sizeof *fl);
  fl->target = (int16_t)target;
  fl->n_obs = 1;
  fl->obs[0] = (int8_t)obs;
  fl->obs[1] = fl->obs[2] = fl->obs[3] = -1;
  fl->void_obs = 0;
  fl->status = OSQ_FLIGHT_PLANNED;
  fl->aircraft = (int8_t)aircraft;
  fl->day = OSQ_DAY_NEVER;
  const int pos = y->passive_used[target]++;
  y->over[caps->over_base[target] + pos] = (int16_t)f;
  y->closed_to[f] = UINT64_C(1) << obs;
  if (pos < 64) {
    y->open_over[target] |= UINT64_C(1) << pos;
    y->on_over[obs][target] = (y->on_over[obs][target] & -(uint64_t)(y->pair_used[obs][target] != 0)) | UINT64_C(1) << pos;
  }
}

/* The flights over j that observer i may join, as positions in j's list (bit k: the k-th flight
 * granted over j): those with room that i is not on. on_over[i][j] is valid once i holds a slot
 * over j this year (pair_used), so that it needs no clearing. @return false if j has more than 64
 * flights: then the caller scans them. */
static bool joinable(const osq_quota_caps_t *caps, const osq_year_t *y, int i, int j, uint64_t *positions) {
  if (caps->passive_cap[j] > 64) return false;
  *positions = y->open_over[j] & ~(y->on_over[i][j] & -(uint64_t)(y->pair_used[i][j] != 0));
  return true;
}

/* The flight over j that observer i joins when j may have more than 64 flights: the k-th of those
 * with room that i is not on, newest first, by a scan; -1 if there is none. Out of line, so that
 * its scratch does not weigh on the usual join. */
static __attribute__((noinline)) int join_by_scan(const osq_quota_caps_t *caps, const osq_year_t *y, int i, int j,
                                                  osq_draw_t *rng) {
  const int16_t *over = y->over + caps->over_base[j];
  int16_t cand[OSQ_FLIGHTS_MAX];
  int count = 0;
  for (int k = y->passive_used[j] - 1; k >= 0; k--) {
    cand[count] = over[k];
    count += !(y->closed_to[over[k]] & (UINT64_C(1) << i));
  }
  return count ? cand[osq_draw_int(rng, (uint32_t)count)] : -1;
}

/* Try to add observer i to an existing flight over j (uniformly among those with room): the
 * k-th such flight, newest first, k drawn from their count. */
static ALWAYS_INLINE bool join_flight_body(const osq_quota_caps_t *caps, osq_year_t *y, int i, int j, osq_draw_t *rng,
                                           bool hw) {
  const uint64_t bit = UINT64_C(1) << i;
  uint64_t positions;
  int f, pos = -1;
  if (joinable(caps, y, i, j, &positions)) {
    const int count = bit_count(positions, hw);
    if (count == 0) return false;
    pos = bit_select(positions, count - 1 - (int)osq_draw_int(rng, (uint32_t)count), hw);
    f = y->over[caps->over_base[j] + pos];
  } else if ((f = join_by_scan(caps, y, i, j, rng)) < 0) {
    return false;
  }
  osq_flight_t *fl = &y->flights[f];
  fl->obs[fl->n_obs++] = (int8_t)i;
  y->closed_to[f] = fl->n_obs < OSQ_OBS_MAX ? y->closed_to[f] | bit : ~UINT64_C(0);
  if (pos >= 0) {
    if (fl->n_obs == OSQ_OBS_MAX) y->open_over[j] &= ~(UINT64_C(1) << pos);
    y->on_over[i][j] = (y->on_over[i][j] & -(uint64_t)(y->pair_used[i][j] != 0)) | UINT64_C(1) << pos;
  }
  return true;
}

/* join_flight_body out of line (grant calls it from three places), in both forms. */
static __attribute__((noinline)) bool join_flight_portable(const osq_quota_caps_t *caps, osq_year_t *y, int i, int j,
                                                           osq_draw_t *rng) {
  return join_flight_body(caps, y, i, j, rng, false);
}

static HW_TARGET __attribute__((noinline)) bool join_flight_hw(const osq_quota_caps_t *caps, osq_year_t *y, int i,
                                                               int j, osq_draw_t *rng) {
  return join_flight_body(caps, y, i, j, rng, true);
}

static ALWAYS_INLINE bool join_flight(const osq_quota_caps_t *caps, osq_year_t *y, int i, int j, osq_draw_t *rng,
                                      bool hw) {
  return hw ? join_flight_hw(caps, y, i, j, rng) : join_flight_portable(caps, y, i, j, rng);
}

/* The plane a new flight of observer i over j takes (docs/model.md 2.6): one of i's with a
 * mission left; else, if the taxi draw says so, one of j's; -1 if neither. */
static ALWAYS_INLINE int take_plane(const osq_model_params_t *p, const osq_quota_caps_t *caps, int i, int j,
                                    double u_taxi, osq_year_t *y) {
  uint32_t m = caps->planes_of[i] & y->planes_left;
  if (!m && u_taxi < p->taxi_prob) m = caps->planes_of[j] & y->planes_left;
  if (!m) return -1;
  const int a = osq_bit_lowest(m);
  if (--y->missions_left[a] == 0) y->planes_left &= ~(UINT32_C(1) << a);
  return caps->plane_aircraft[a];
}

/* Grant one request i -> j if no rule forbids it. A shared flight costs the target nothing more
 * (one flight against its passive quota) and each observer one slot of its active quota and of
 * its 50 % allowance towards the target. Under the aircraft rule a new flight needs a plane; an
 * observer without one may only join. */
static ALWAYS_INLINE void grant(const osq_model_params_t *p, const osq_quota_caps_t *caps, int i, int j,
                                osq_draw_t *rng, osq_year_t *y, bool hw) {
  const double u = osq_draw_u01(rng); /* one draw per request, whether or not it is granted */
  const double u_taxi = caps->aircraft ? osq_draw_u01(rng) : 1.0; /* likewise, under the rule */
  if (y->active_used[i] >= caps->active_cap[i] || y->pair_used[i][j] >= caps->pair_cap[i][j]) return;
  bool ok = false, tried = false;
  if (u < p->share_prob) { /* the usual join inline, the two rarer ones out of line */
    ok = join_flight_body(caps, y, i, j, rng, hw);
    tried = true;
  }
  if (!ok && y->passive_used[j] < caps->passive_cap[j] && y->n_flights < OSQ_FLIGHTS_MAX) {
    const int aircraft = caps->aircraft ? take_plane(p, caps, i, j, u_taxi, y) : -1;
    if (!caps->aircraft || aircraft >= 0) {
      add_flight(caps, y, i, j, aircraft);
      ok = true;
    } else if (!tried) {
      ok = join_flight(caps, y, i, j, rng, hw);
      tried = true;
    }
  }
  /* A fully booked target: the interested States may still agree to fly jointly (Annex L
   * Sec. II para 3), which costs the target no further passive quota. */
  if (!ok && !tried && p->share_full_prob > 0.0 && osq_draw_u01(rng) < p->share_full_prob)
    ok = join_flight(caps, y, i, j, rng, hw);
  if (ok) {
    y->active_used[i]++;
    y->pair_used[i][j]++;
  }
}

/* Move the units of observers in `later` behind the others, each group in its order (a stable
 * partition; scratch has room for n). Each unit is written to both places and only one count
 * moves on: a branch on the observer was mispredicted about once in three units. */
static void defer_units(int16_t *a, int n, uint64_t later, int16_t *scratch) {
  int k = 0, m = 0;
  for (int u = 0; u < n; u++) {
    const int16_t v = a[u];
    const int back = (int)((later >> (v >> 6)) & 1u);
    scratch[m] = v;
    a[k] = v; /* k <= u: a[u] is already read */
    m += back;
    k += 1 - back;
  }
  memcpy(a + k, scratch, (size_t)m * sizeof a[0]);
}

/* a[0..count-1] = unit, four at a time (a has room for three more): the first four stored whatever
 * the count (0 to 4 nearly always), as a loop of no round or one was mispredicted about once a
 * pair; the next ones a round of four each. */
static inline void fill_units(int16_t *a, int16_t unit, int count) {
  const int16_t four[4] = {unit, unit, unit, unit};
  memcpy(a, four, sizeof four);
  for (int k = 4; k < count; k += 4) memcpy(a + k, four, sizeof four);
}

static void shuffle_units(osq_draw_t *rng, int16_t *a, int n) {
  /* Fisher-Yates, last to first (gsl_ran_shuffle would do, but this keeps int16 and is short). */
  for (int k = n - 1; k > 0; k--) {
    const int r = (int)osq_draw_int(rng, (uint32_t)k + 1);
    const int16_t tmp = a[k];
    a[k] = a[r];
    a[r] = tmp;
  }
}

static ALWAYS_INLINE int distribute(const osq_model_params_t *p, const osq_quota_caps_t *caps, gsl_rng *g,
                                    osq_year_t *y, bool hw) {
  osq_draw_t draw = osq_draw_of(g), *rng = &draw;
  const int n = caps->n_parties;
  osq_quota_reset(y, caps->year, n);
  clear_square(y->req, n);
  /* The plan draw is made in every year, listed in no_plan_years or not: a listed year then
   * consumes exactly what a failed plan consumes, and an empty list changes no draw at all. */
  const double u_plan = osq_draw_u01(rng);
  y->plan_agreed = !(u_plan < p->plan_fail_prob) && !osq_model_params_no_plan_year(p, caps->year);
  if (!y->plan_agreed) {
    osq_draw_done(rng);
    return OSQ_OK;
  }

  uint64_t asked[OSQ_PARTIES_MAX] = {0}; /* the targets each observer requested: req[i][j] > 0 */
  for (int i = 0; i < n; i++) {
    if (!caps->eligible[i] || caps->active_cap[i] <= 0) continue;
    spread_demand(caps, i, demand_draw(caps, i, rng), rng, y, &asked[i]);
  }

  /* Reciprocity (Art. III Sec. I para 3): i may fly over j as often as j may fly over i. Read
   * as a priority: the requests i -> j matched by requests j -> i are resolved in a first round,
   * the rest in a second round, each round in a random order. */
  /* Pairs in the order i, then j, as a scan of the whole matrix would meet them; only the
   * requested ones (a few of the n^2). */
  /* One pass: the first round's units into units, the second's into order (free until the schedule),
   * then moved behind them. */
  int n1 = 0, n_later = 0;
  for (int i = 0; i < n; i++)
    for (uint64_t m = asked[i]; m; m &= m - 1) {
      const int j = osq_bit_lowest(m), r = y->req[i][j];
      const int back = p->reciprocity ? (r < y->req[j][i] ? r : y->req[j][i]) : 0;
      const int16_t unit = (int16_t)(i << 6 | j);
      fill_units(y->units + n1, unit, back);
      fill_units(y->order + n_later, unit, r - back);
      n1 += back;
      n_later += r - back;
    }
  memcpy(y->units + n1, y->order, (size_t)n_later * sizeof y->units[0]);
  const int n2 = n1 + n_later;
  shuffle_units(rng, y->units, n1);
  shuffle_units(rng, y->units + n1, n2 - n1);
  if (caps->aircraft) {
    /* Observers without a plane only join: their requests come after the others of their round,
     * so that the flights they could join exist (docs/model.md 2.6). */
    defer_units(y->units, n1, caps->no_plane, y->order);
    defer_units(y->units + n1, n2 - n1, caps->no_plane, y->order);
    memcpy(y->missions_left, caps->plane_missions, (size_t)caps->n_planes * sizeof y->missions_left[0]);
    y->planes_left = caps->n_planes ? (uint32_t)(UINT64_C(0xffffffff) >> (32 - caps->n_planes)) : 0u;
  }
  for (int k = 0; k < n2; k++) grant(p, caps, y->units[k] >> 6, y->units[k] & 63, rng, y, hw);
  osq_draw_done(rng);
  return OSQ_OK;
}

static __attribute__((noinline)) int distribute_portable(const osq_model_params_t *p, const osq_quota_caps_t *caps,
                                                         gsl_rng *g, osq_year_t *y) {
  return distribute(p, caps, g, y, false);
}

static HW_TARGET __attribute__((noinline)) int distribute_hw(const osq_model_params_t *p, const osq_quota_caps_t *caps,
                                                             gsl_rng *g, osq_year_t *y) {
  return distribute(p, caps, g, y, true);
}

int osq_quota_distribute(const osq_treaty_t *t, const osq_model_params_t *p, const osq_quota_caps_t *caps, gsl_rng *g,
                   osq_year_t *y) {
  if (!t || !p || !caps || !g || !y || caps->n_parties != t->n_parties) return OSQ_EINVAL;
  return use_hw() ? distribute_hw(p, caps, g, y) : distribute_portable(p, caps, g, y);
}

/* ---------------------------------------------------------------------------------------- */
/* Schedule                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/* Quarter starts as 0-based day of year: Jan 1, Apr 1, Jul 1, Oct 1, and the year's end. */
static void quarter_starts(int year, int qs[5]) {
  const osq_day_t d0 = osq_date_from_ymd(year, 1, 1);
  qs[0] = 0;
  qs[1] = (int)(osq_date_from_ymd(year, 4, 1) - d0);
  qs[2] = (int)(osq_date_from_ymd(year, 7, 1) - d0);
  qs[3] = (int)(osq_date_from_ymd(year, 10, 1) - d0);
  qs[4] = osq_date_year_days(year);
}

static void season_bounds(const osq_model_params_t *p, int year, int *lo, int *hi) {
  const int nd = osq_date_year_days(year);
  int a = p->season_first_doy < 1 ? 1 : p->season_first_doy;
  int b = p->season_last_doy > nd ? nd : p->season_last_doy;
  *lo = a - 1;
  *hi = b - 1; /* lo > hi: an empty season */
}

static int window_of(const osq_model_params_t *p) { return p->window_days < 1 ? 1 : p->window_days; }

/* The bits of word w of a day bitmap that hold days lo..hi (inclusive; 0 if none). */
static inline uint64_t days_in_word(int w, int lo, int hi) {
  const int a = lo > w * 64 ? lo - w * 64 : 0, b = hi < w * 64 + 63 ? hi - w * 64 : 63;
  return a > b ? 0 : (~UINT64_C(0) >> (63 - b)) & (~UINT64_C(0) << a);
}

/* A target's days are its busy bitmap (the days no flight may take) and its free days counted per
 * word of the bitmap, the six counts in one 64-bit word of 10-bit lanes (free_words): a flight's
 * day is then found without counting the year's bits again, and the running counts of all six
 * words come from one multiplication. A lane holds at most 384 (no carry into the next) and its
 * top bit stays clear, which nth_free_day's comparison uses. */
_Static_assert(OSQ_YEAR_WORDS == 6 && OSQ_YEAR_BITS < 512, "six 10-bit lanes of free days");
#define LANES10 (UINT64_C(1) | UINT64_C(1) << 10 | UINT64_C(1) << 20 | UINT64_C(1) << 30 | UINT64_C(1) << 40 | UINT64_C(1) << 50)

/* Days lo..hi of word w (mask: their bits) become busy for target j. */
static ALWAYS_INLINE void occupy_word(osq_year_t *y, int j, int w, uint64_t mask, bool hw) {
  uint64_t *busy = y->busy[j];
  const uint64_t add = mask & ~busy[w];
  const int n = bit_count(add, hw);
  busy[w] |= add;
  y->free_words[j] -= (uint64_t)n << (10 * w);
  y->free_days[j] = (int16_t)(y->free_days[j] - n);
}

/* Days lo..hi (inclusive, clamped to the bitmap) become busy for target j, word by word. */
static ALWAYS_INLINE void occupy_body(osq_year_t *y, int j, int lo, int hi, bool hw) {
  if (lo < 0) lo = 0;
  if (hi > OSQ_YEAR_BITS - 1) hi = OSQ_YEAR_BITS - 1;
  const int w0 = lo >> 6, w1 = hi >> 6;
  for (int w = w0; w <= w1 && lo <= hi; w++) {
    const uint64_t from = w == w0 ? ~UINT64_C(0) << (lo & 63) : ~UINT64_C(0);
    const uint64_t to = w == w1 ? ~UINT64_C(0) >> (63 - (hi & 63)) : ~UINT64_C(0);
    occupy_word(y, j, w, from & to, hw);
  }
}

static __attribute__((noinline)) void occupy_portable(osq_year_t *y, int j, int lo, int hi) {
  occupy_body(y, j, lo, hi, false);
}

static HW_TARGET __attribute__((noinline)) void occupy_hw(osq_year_t *y, int j, int lo, int hi) {
  occupy_body(y, j, lo, hi, true);
}

/* Days lo..hi (inclusive, clamped to the bitmap) become busy for target j. A flight's window (7
 * days by default) lies in one word of the bitmap nine times in ten: that case inline, the others
 * (and a quarter's closing) out of line. */
static ALWAYS_INLINE void occupy(osq_year_t *y, int j, int lo, int hi, bool hw) {
  if ((unsigned)hi < OSQ_YEAR_BITS && (unsigned)lo <= (unsigned)hi && (lo ^ hi) < 64)
    occupy_word(y, j, lo >> 6, (~UINT64_C(0) >> (63 - (hi & 63))) & (~UINT64_C(0) << (lo & 63)), hw);
  else if (hw)
    occupy_hw(y, j, lo, hi);
  else
    occupy_portable(y, j, lo, hi);
}

/* The r-th free day of target j, counted from 0 (r < its free days): its word is the number of
 * words whose running count of free days is at most r, all six compared at once (512 + r - count
 * keeps its top bit exactly when count <= r), without a branch: a loop over the words was
 * mispredicted about once a flight. */
static ALWAYS_INLINE int nth_free_day(const osq_year_t *y, int j, int r, bool hw) {
  const uint64_t running = y->free_words[j] * LANES10; /* lane k: free days in words 0..k */
  const uint64_t at_most_r = (((uint64_t)r * LANES10) | (LANES10 << 9)) - running;
  const int w = (int)(((((at_most_r >> 9) & LANES10) * LANES10) >> 50) & 1023);
  const int before = (int)(((running << 10) >> (10 * w)) & 1023); /* free days in the words before w */
  return w * 64 + bit_select(~y->busy[j][w], r - before, hw);
}

/* The quarter (0-3) that holds day (0-based), qs as quarter_starts gives them. */
static inline int quarter_of(const int qs[5], int day) { return (day >= qs[1]) + (day >= qs[2]) + (day >= qs[3]); }

/* The parties in force on every day of the year [d0, end) by one term: membership on a flight's day
 * needs no look-up for them (a party whose year is covered only by adjacent terms is looked up). */
static uint64_t whole_year_parties(const osq_treaty_t *t, int n, osq_day_t d0, osq_day_t end) {
  uint64_t m = 0;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < t->parties[i].n_terms; k++)
      if (t->parties[i].terms[k].from <= d0 && t->parties[i].terms[k].until >= end) m |= UINT64_C(1) << i;
  return m;
}

static bool in_force_on(const osq_treaty_t *t, uint64_t whole_year, int i, osq_day_t day) {
  return ((whole_year >> i) & 1u) || osq_party_in_force(&t->parties[i], day);
}

/* Membership on the day (docs/model.md §2.1) of a dated PLANNED flight with a party in `out` (not
 * in force all year): an observer not in force is void for it, and the flight is VOID if its
 * target or every observer is out. Out of line: it is rarely needed. */
static __attribute__((noinline)) void mark_void(const osq_treaty_t *t, uint64_t whole_year, osq_flight_t *fl) {
  for (int k = 0; k < fl->n_obs; k++)
    if (!in_force_on(t, whole_year, fl->obs[k], fl->day)) fl->void_obs |= (uint8_t)(1u << k);
  const uint8_t all = (uint8_t)((1u << fl->n_obs) - 1u);
  if (!in_force_on(t, whole_year, fl->target, fl->day) || fl->void_obs == all) fl->status = OSQ_FLIGHT_VOID;
}

/* Membership of a dated PLANNED flight; `out` = the parties not in force all year (~whole_year).
 * Whether any of its parties may be out: the four observer places tested without a branch (an
 * unused place holds -1, i.e. bit 63, never a party's; whatever it holds, mark_void only reads
 * the first n_obs). Inline, so that the usual flight costs this test and no call. */
static inline void mark_membership(const osq_treaty_t *t, uint64_t whole_year, uint64_t out, osq_flight_t *fl) {
  fl->void_obs = 0;
  if (((out >> fl->target) | (out >> (fl->obs[0] & 63)) | (out >> (fl->obs[1] & 63)) | (out >> (fl->obs[2] & 63)) |
       (out >> (fl->obs[3] & 63))) & 1u)
    mark_void(t, whole_year, fl);
}

static ALWAYS_INLINE int schedule(const osq_treaty_t *t, const osq_model_params_t *p, gsl_rng *g, osq_year_t *y,
                                  bool hw) {
  osq_draw_t draw = osq_draw_of(g), *rng = &draw;
  const int n = y->n_parties;
  const int W = window_of(p);
  int qs[5];
  quarter_starts(y->year, qs);
  int lo, hi;
  season_bounds(p, y->year, &lo, &hi);

  /* Days outside the season are busy from the start; so is everything if no quarter admits a
   * flight. */
  uint64_t closed[OSQ_YEAR_WORDS];
  uint64_t free_words = 0;
  int16_t free_days = 0;
  for (int w = 0; w < OSQ_YEAR_WORDS; w++) {
    closed[w] = lo <= hi && p->quarter_max > 0 ? ~days_in_word(w, lo, hi) : ~UINT64_C(0);
    free_words |= (uint64_t)osq_bit_count(~closed[w]) << (10 * w);
    free_days = (int16_t)(free_days + osq_bit_count(~closed[w]));
  }
  for (int j = 0; j < n; j++) {
    memcpy(y->busy[j], closed, sizeof closed);
    y->free_words[j] = free_words;
    y->free_days[j] = free_days;
    memset(y->quarter_used[j], 0, sizeof y->quarter_used[j]);
  }

  const osq_day_t d0 = osq_date_from_ymd(y->year, 1, 1);
  const uint64_t whole_year = whole_year_parties(t, n, d0, d0 + qs[4]);
  const uint64_t out = ~whole_year & ((UINT64_C(1) << (OSQ_PARTIES_MAX - 1) << 1) - 1);
  /* Flights that already have a date (a second call, or dates set by the caller) keep it and
   * occupy their window and quarter first; the planned ones without a date are placed in random
   * order. */
  int m = 0;
  for (int f = 0; f < y->n_flights; f++) {
    osq_flight_t *fl = &y->flights[f];
    if (fl->day == OSQ_DAY_NEVER) {
      if (fl->status == OSQ_FLIGHT_PLANNED) y->order[m++] = (int16_t)f;
      continue;
    }
    if (fl->status == OSQ_FLIGHT_PLANNED) mark_membership(t, whole_year, out, fl);
    const int day = (int)(fl->day - d0);
    if (day < 0 || day >= OSQ_YEAR_BITS) continue;
    occupy(y, fl->target, day - (W - 1), day + (W - 1), hw);
    const int q = quarter_of(qs, day);
    if (++y->quarter_used[fl->target][q] >= p->quarter_max) occupy(y, fl->target, qs[q], qs[q + 1] - 1, hw);
  }
  shuffle_units(rng, y->order, m);

  int unplaced = 0;
  for (int k = 0; k < m; k++) {
    osq_flight_t *fl = &y->flights[y->order[k]];
    const int j = fl->target;
    if (y->free_days[j] == 0) {
      fl->status = OSQ_FLIGHT_CANCELLED;
      unplaced++;
      continue;
    }
    /* The r-th free day, uniformly. */
    const int day = nth_free_day(y, j, (int)osq_draw_int(rng, (uint32_t)y->free_days[j]), hw);
    fl->day = d0 + day;
    /* 96-hour window (Art. VI Sec. I para 3): no other flight over this target closer than W. */
    occupy(y, j, day - (W - 1), day + (W - 1), hw);
    const int q = quarter_of(qs, day);
    /* Annex H para 2: at most quarter_max flights over one State in a quarter. */
    if (++y->quarter_used[j][q] >= p->quarter_max) occupy(y, j, qs[q], qs[q + 1] - 1, hw);
    mark_membership(t, whole_year, out, fl);
  }
  osq_draw_done(rng);
  return unplaced;
}

static __attribute__((noinline)) int schedule_portable(const osq_treaty_t *t, const osq_model_params_t *p, gsl_rng *g,
                                                       osq_year_t *y) {
  return schedule(t, p, g, y, false);
}

static HW_TARGET __attribute__((noinline)) int schedule_hw(const osq_treaty_t *t, const osq_model_params_t *p,
                                                           gsl_rng *g, osq_year_t *y) {
  return schedule(t, p, g, y, true);
}

int osq_quota_schedule(const osq_treaty_t *t, const osq_model_params_t *p, gsl_rng *g, osq_year_t *y) {
  return use_hw() ? schedule_hw(t, p, g, y) : schedule_portable(t, p, g, y);
}

/* ---------------------------------------------------------------------------------------- */
/* Execution                                                                                 */
/* ---------------------------------------------------------------------------------------- */

void osq_quota_execute(const osq_treaty_t *t, const osq_model_params_t *p, gsl_rng *g, osq_year_t *y) {
  (void)t;
  osq_draw_t draw = osq_draw_of(g), *rng = &draw;
  double completion[OSQ_PARTIES_MAX]; /* each lead's chance, looked up without a branch per flight */
  const bool paused = p->n_pauses > 0;
  for (int i = 0; i < y->n_parties; i++) completion[i] = p->completion_by[i] >= 0.0 ? p->completion_by[i] : p->completion;
  for (int f = 0; f < y->n_flights; f++) {
    osq_flight_t *fl = &y->flights[f];
    if (fl->status != OSQ_FLIGHT_PLANNED || fl->day == OSQ_DAY_NEVER) continue;
    /* the lead: the first observer whose slot is not void (obs[0] if all were) */
    const unsigned live = ~(unsigned)fl->void_obs & ((1u << fl->n_obs) - 1u);
    const int lead = fl->obs[osq_bit_lowest(live | (live == 0))];
    /* The draw is made whether or not the day falls in a pause, so that a pause changes no other
     * flight's fate: a flight dated in a pause is cancelled (docs/model.md section 2.5). */
    const double u = osq_draw_u01(rng);
    fl->status = u < completion[lead] && !(paused && osq_model_params_paused(p, fl->day)) ? OSQ_FLIGHT_COMPLETED
                                                                                          : OSQ_FLIGHT_CANCELLED;
  }
  osq_draw_done(rng);
}

int osq_quota_simulate(const osq_treaty_t *t, const osq_model_params_t *p, const osq_quota_caps_t *caps, gsl_rng *rng,
                      osq_year_t *y) {
  const int rc = osq_quota_distribute(t, p, caps, rng, y);
  if (rc < 0) return rc;
  osq_quota_schedule(t, p, rng, y);
  osq_quota_execute(t, p, rng, y);
  return OSQ_OK;
}

const char *osq_quota_status_name(int status) {
  switch (status) {
    case OSQ_FLIGHT_PLANNED: return "planned";
    case OSQ_FLIGHT_COMPLETED: return "completed";
    case OSQ_FLIGHT_CANCELLED: return "cancelled";
    case OSQ_FLIGHT_VOID: return "void";
    default: return "?";
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Independent checker                                                                       */
/* ---------------------------------------------------------------------------------------- */

/* The checker recomputes the caps with its own short code (not osq_quota_caps) and recounts
 * everything from the flight list, so that a bug in the distribution cannot hide itself. */

#define FAIL(...)                                  \
  do {                                             \
    if (why && n) snprintf(why, n, __VA_ARGS__);   \
    return OSQ_EINVAL;                             \
  } while (0)

static const char *code_of(const osq_treaty_t *t, int i) {
  return (i >= 0 && i < t->n_parties) ? t->parties[i].code : "?";
}

/* Flight f under the aircraft rule (docs/model.md 2.6): it names an aircraft exactly when the rule
 * applies, one its lead or its target operates, and no aircraft flies more than its missions
 * (counted in missions[], by aircraft index). */
static int check_aircraft(const osq_treaty_t *t, bool rule, int year, int f, const osq_flight_t *fl, int *missions,
                          char *why, size_t n) {
  const char *code = t->parties[fl->target].code;
  if (!rule && fl->aircraft != -1)
    FAIL("aircraft: flight %d over %s names aircraft %d although the aircraft rule is off", f, code, fl->aircraft);
  if (!rule) return OSQ_OK;
  const int a = fl->aircraft;
  if (a < 0 || a >= t->n_aircraft || a >= OSQ_AIRCRAFT_MAX)
    FAIL("aircraft: flight %d over %s has no aircraft (index %d; docs/model.md 2.6)", f, code, a);
  const osq_aircraft_t *ac = &t->aircraft[a];
  if (!((ac->operators >> fl->obs[0]) & 1u) && !((ac->operators >> fl->target) & 1u))
    FAIL("aircraft: flight %d over %s led by %s flies on the %s, which neither the lead nor the observed party "
         "operates",
         f, code, code_of(t, fl->obs[0]), ac->name);
  if (++missions[a] > osq_aircraft_missions(ac, year))
    FAIL("aircraft: the %s flies %d missions in %d, more than its %d", ac->name, missions[a], year,
         osq_aircraft_missions(ac, year));
  return OSQ_OK;
}

int osq_quota_check(const osq_treaty_t *t, const osq_model_params_t *p, const osq_year_t *y, char *why, size_t n) {
  if (why && n) why[0] = '\0';
  const int np = t->n_parties;
  if (y->n_flights < 0 || y->n_flights > OSQ_FLIGHTS_MAX) FAIL("flight count %d out of range", y->n_flights);
  if (y->n_parties != np) FAIL("year has %d parties, treaty %d", y->n_parties, np);
  if (!y->plan_agreed && y->n_flights > 0)
    FAIL("plan: %d flights although no annual plan was agreed (Art. III Sec. I para 7)", y->n_flights);
  for (int k = 0; k < p->n_no_plan_years && k < OSQ_NO_PLAN_YEARS_MAX; k++)
    if (p->no_plan_years[k] == y->year && y->plan_agreed)
      FAIL("plan: %d has an agreed plan although it is listed in no_plan_years", y->year);

  const int year = y->year;
  const osq_day_t d0 = osq_date_from_ymd(year, 1, 1);
  /* The season and the quarters by calendar, independently of the scheduler's helpers. */
  const int first_doy = p->season_first_doy < 1 ? 1 : p->season_first_doy;
  const int last_doy = p->season_last_doy > osq_date_year_days(year) ? osq_date_year_days(year) : p->season_last_doy;

  int passive[OSQ_PARTIES_MAX] = {0}, active[OSQ_PARTIES_MAX] = {0};
  int pair[OSQ_PARTIES_MAX][OSQ_PARTIES_MAX];
  memset(pair, 0, sizeof pair);
  int quarter[OSQ_PARTIES_MAX][4];
  memset(quarter, 0, sizeof quarter);
  const bool rule = p->aircraft && t->n_aircraft > 0; /* the aircraft rule, docs/model.md 2.6 */
  int missions[OSQ_AIRCRAFT_MAX] = {0};

  for (int f = 0; f < y->n_flights; f++) {
    const osq_flight_t *fl = &y->flights[f];
    const int j = fl->target;
    if (j < 0 || j >= np) FAIL("flight %d: target index %d out of range", f, j);
    const osq_party_t *tj = &t->parties[j];
    if (!osq_party_in_force_year(tj, year) || !p->accepts_by[j])
      FAIL("flight %d: target %s is not eligible in %d (not a party that year, or accepts no flights)", f, tj->code,
           year);
    if (fl->n_obs < 1 || fl->n_obs > OSQ_OBS_MAX)
      FAIL("flight %d over %s: %d observers (expected 1..%d)", f, tj->code, fl->n_obs, OSQ_OBS_MAX);
    if (fl->status > OSQ_FLIGHT_VOID)
      FAIL("status: flight %d over %s has status %d, not a flight status", f, tj->code, fl->status);
    if (fl->void_obs >> fl->n_obs)
      FAIL("flight %d over %s: void mask 0x%x marks observers it does not have", f, tj->code, fl->void_obs);
    for (int k = 0; k < fl->n_obs; k++) {
      const int i = fl->obs[k];
      if (i < 0 || i >= np) FAIL("flight %d over %s: observer index %d out of range", f, tj->code, i);
      if (i == j) FAIL("self-observation: flight %d has %s observing itself", f, tj->code);
      for (int k2 = 0; k2 < k; k2++)
        if (fl->obs[k2] == i) FAIL("flight %d over %s: observers list %s twice", f, tj->code, code_of(t, i));
      if (!osq_party_in_force_year(&t->parties[i], year) || !p->accepts_by[i])
        FAIL("flight %d over %s: observer %s is not eligible in %d", f, tj->code, code_of(t, i), year);
      active[i]++;
      pair[i][j]++;
    }
    passive[j]++;
    if (check_aircraft(t, rule, year, f, fl, missions, why, n) != OSQ_OK) return OSQ_EINVAL;

    if (fl->day == OSQ_DAY_NEVER) {
      if (fl->status != OSQ_FLIGHT_PLANNED && fl->status != OSQ_FLIGHT_CANCELLED)
        FAIL("status: flight %d over %s is %s without a date", f, tj->code, osq_quota_status_name(fl->status));
      if (fl->void_obs) FAIL("void: flight %d over %s has void observers without a date", f, tj->code);
      continue;
    }
    int fy, fm, fd;
    osq_date_to_ymd(fl->day, &fy, &fm, &fd);
    const int doy = (int)(fl->day - d0) + 1;
    if (fy != year || doy < first_doy || doy > last_doy)
      FAIL("season: flight %d over %s on day %d of %d, outside the season %d..%d", f, tj->code, doy, year, first_doy,
           last_doy);
    quarter[j][(fm - 1) / 3]++;
    /* No quota flight is flown in a pause: its own loop, not osq_model_params_paused. */
    for (int k = 0; k < p->n_pauses && k < OSQ_PAUSES_MAX && fl->status == OSQ_FLIGHT_COMPLETED; k++)
      if (fl->day >= p->pauses[k].from && fl->day <= p->pauses[k].until)
        FAIL("pause: flight %d over %s completed on day %d of %d, in a pause", f, tj->code, doy, year);

    /* Membership on the day: each observer's void bit, and VOID exactly when the target or all
     * observers are out. */
    bool all_out = true;
    for (int k = 0; k < fl->n_obs; k++) {
      const bool in = osq_party_in_force(&t->parties[fl->obs[k]], fl->day);
      const bool marked = (fl->void_obs >> k) & 1u;
      if (in == marked)
        FAIL("void: flight %d over %s: observer %s is %s on its day but %s void", f, tj->code, code_of(t, fl->obs[k]),
             in ? "a party" : "not a party", marked ? "marked" : "not marked");
      if (in) all_out = false;
    }
    const bool must_void = all_out || !osq_party_in_force(tj, fl->day);
    const bool is_void = fl->status == OSQ_FLIGHT_VOID;
    if (must_void != is_void)
      FAIL("void: flight %d over %s on a day when %s %s", f, tj->code, all_out ? "every observer" : tj->code,
           must_void ? "is not a party, but the flight is not VOID" : "is a party, but the flight is VOID");
  }

  for (int j = 0; j < np; j++) {
    const osq_party_t *tj = &t->parties[j];
    /* Annex A Sec. II: the largest k with k <= factor x quota in the phase-in years. */
    int pcap = tj->passive_quota;
    if (year <= p->phase_in_last_year) {
      pcap = 0;
      while (pcap + 1 <= p->phase_in_factor * tj->passive_quota + PHASE_IN_EPS) pcap++;
    }
    if (passive[j] > pcap)
      FAIL("passive quota: %d flights over %s exceed its cap %d in %d (Annex A Sec. I/II)", passive[j], tj->code, pcap,
           year);
    if (active[j] > tj->passive_quota)
      FAIL("active quota: %s has %d observer slots, more than its passive quota %d (Art. III Sec. I para 5)", tj->code,
           active[j], tj->passive_quota);
    for (int i = 0; i < np; i++) {
      if (pair[i][j] == 0) continue;
      /* Art. III Sec. I para 10: 50 % rounded up of the smaller quota. */
      const int qi = t->parties[i].passive_quota, qj = tj->passive_quota;
      const int cap = (qi < qj ? qi : qj) / 2 + (qi < qj ? qi : qj) % 2;
      if (pair[i][j] > cap)
        FAIL("50 %% rule: %s flies %d times over %s, more than %d (Art. III Sec. I para 10)", code_of(t, i), pair[i][j],
             tj->code, cap);
    }
    for (int q = 0; q < 4; q++)
      if (quarter[j][q] > p->quarter_max)
        FAIL("quarter cap: %d flights over %s in Q%d, more than %d (Annex H para 2)", quarter[j][q], tj->code, q + 1,
             p->quarter_max);
  }

  /* 96-hour window: for each target, sort its dated flights and compare neighbours. */
  const int W = p->window_days < 1 ? 1 : p->window_days;
  for (int j = 0; j < np; j++) {
    if (passive[j] < 2) continue;
    osq_day_t days[OSQ_FLIGHTS_MAX];
    int m = 0;
    for (int f = 0; f < y->n_flights; f++)
      if (y->flights[f].target == j && y->flights[f].day != OSQ_DAY_NEVER) {
        const osq_day_t d = y->flights[f].day;
        int k = m++;
        while (k > 0 && days[k - 1] > d) {
          days[k] = days[k - 1];
          k--;
        }
        days[k] = d;
      }
    for (int k = 1; k < m; k++)
      if (days[k] - days[k - 1] < W)
        FAIL("96-hour window: two flights over %s %d days apart (at least %d required, Art. VI Sec. I para 3)",
             t->parties[j].code, (int)(days[k] - days[k - 1]), W);
  }
  return OSQ_OK;
}
