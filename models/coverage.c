/*
 * coverage.c owns routes, swaths and the transparency metrics of a year (see coverage.h).
 *
 * Sites of interest are synthetic: a fixed number per party, area-weighted at random over its
 * territory, drawn once per scenario and seed. A route starts at one of the observed party's
 * airfields (uniformly chosen among those with a distance that day), visits sites reachable within
 * half the maximum distance (cheapest insertion, osq_route_try_add) and returns. The swath is
 * marked only over the observed party's own territory: an observation flight observes its host.
 */
#include "models/coverage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/errors.h"
#include "models/sphere.h"


void osq_cov_params_default(osq_geo_params_t *gp) {
  memset(gp, 0, sizeof *gp);
  gp->enabled = true;
  gp->resolution_deg = OSQ_GEO_RES_DEFAULT;
  gp->swath_half_km = 25.0;
  gp->route_sites = 5;
  gp->site_km2 = 50000.0;
  gp->sites_min = 5;
  gp->buildups = 4;
  gp->buildup_days = 30;
  gp->nofly_km = 10.0;
}

struct osq_world {
  const osq_geo_raster_t *g;
  osq_geo_params_t gp;
  bool view;                                       /* its arrays are another world's (osq_cov_world_view) */
  int n_parties, first_year, n_years;
  int n_tids[OSQ_PARTIES_MAX];
  uint8_t tids[OSQ_PARTIES_MAX][OSQ_MEMBERS_MAX];
  uint8_t filter[OSQ_PARTIES_MAX][OSQ_GEO_IDS];   /* mark only the observed party's territory */
  double area[OSQ_PARTIES_MAX];
  bool fixed_tid[OSQ_GEO_IDS];                     /* territory of the fixed (2019) treaty */
  double fixed_area;
  /* sites: party p owns sites site_first[p] .. site_first[p+1]-1 */
  int site_first[OSQ_PARTIES_MAX + 1];
  uint32_t *site_cell;
  double *site_lat, *site_lon;
  int n_sites, max_party_sites;
  /* sites reachable from airfield a, distance step s of party p: reach[first .. first+n-1] */
  int reach_first[OSQ_PARTIES_MAX][OSQ_AIRFIELDS_MAX][OSQ_DIST_STEPS_MAX];
  int reach_n[OSQ_PARTIES_MAX][OSQ_AIRFIELDS_MAX][OSQ_DIST_STEPS_MAX];
  int32_t *reach;                                  /* global site indices */
  /* no-fly buffer of each simulated year (shared between years with the same non-parties) */
  osq_geo_buffer_t **nofly;                        /* [n_years] */
  double max_flight_km2;
  double max_route_km;                             /* the longest maximum flight distance */
  /* distances between the points of each party's routes, as osq_route_known_t holds them:
   * ids 0..n_af-1 its airfields, n_af + k its site site_first[p] + k; n_known[p] = 0: none
   * (more than OSQ_KNOWN_POINTS_MAX points) */
  int n_known[OSQ_PARTIES_MAX];
  double *known_km[OSQ_PARTIES_MAX];               /* [n_known^2] */
  osq_geo_path_pt_t *known_pt[OSQ_PARTIES_MAX];    /* [n_known]: each point as osq_route_point gives it */
  double *known_cos[OSQ_PARTIES_MAX];              /* [n_known] */
};

struct osq_cov_ws {
  osq_geo_marks_t *year, *flight;
  uint16_t *leg[OSQ_PARTIES_MAX];                  /* per party with known points: [n_known^2] legs found clear
                                                      or not (osq_route_known_t), into leg_block */
  uint16_t *leg_block;
  int32_t *pick;                                   /* [max_party_sites] scratch for site draws */
  int16_t *last_day;                               /* [n_sites] day of year a site was last imaged, -1 none */
  double revisit_sum[OSQ_PARTIES_MAX];
  int revisit_n[OSQ_PARTIES_MAX];
  int bu_site[OSQ_PARTIES_MAX][OSQ_BUILDUPS_MAX];
  int16_t bu_start[OSQ_PARTIES_MAX][OSQ_BUILDUPS_MAX];
  uint8_t bu_det[OSQ_PARTIES_MAX][OSQ_BUILDUPS_MAX];
};

static inline bool bit_at(const uint64_t *bits, size_t idx) { return (bits[idx >> 6] >> (idx & 63)) & 1u; }

double osq_cov_world_party_area(const osq_world_t *w, int party) { return w->area[party]; }
const osq_geo_raster_t *osq_cov_world_raster(const osq_world_t *w) { return w->g; }
int osq_cov_world_party_sites(const osq_world_t *w, int party) {
  return w->site_first[party + 1] - w->site_first[party];
}
double osq_cov_world_max_flight_km2(const osq_world_t *w) { return w->max_flight_km2; }

void osq_cov_world_free(osq_world_t *w) {
  if (!w) return;
  if (w->view) {
    free(w);
    return;
  }
  if (w->nofly)
    for (int y = 0; y < w->n_years; y++) {
      bool shared = false;
      for (int k = 0; k < y; k++) shared |= w->nofly[k] == w->nofly[y];
      if (!shared) osq_geo_buffer_free(w->nofly[y]);
    }
  free(w->nofly);
  free(w->site_cell);
  free(w->site_lat);
  free(w->site_lon);
  free(w->reach);
  for (int p = 0; p < OSQ_PARTIES_MAX; p++) {
    free(w->known_km[p]);
    free(w->known_pt[p]);
    free(w->known_cos[p]);
  }
  free(w);
}

int osq_cov_world_view(const osq_world_t *w, const osq_geo_params_t *gp, osq_world_t **out) {
  *out = NULL;
  if (gp->enabled != w->gp.enabled || gp->resolution_deg != w->gp.resolution_deg || gp->site_km2 != w->gp.site_km2 ||
      gp->sites_min != w->gp.sites_min || gp->nofly_km != w->gp.nofly_km)
    return OSQ_EINVAL;
  osq_world_t *v = malloc(sizeof *v);
  if (!v) return OSQ_ENOMEM;
  *v = *w;
  v->gp = *gp;
  v->view = true;
  /* As osq_cov_world_build derives it from the swath: the histograms' range of a flight's area. */
  const double hw = gp->swath_half_km;
  v->max_flight_km2 = w->max_route_km * 2.0 * hw + OSQ_PI * hw * hw;
  *out = v;
  return OSQ_OK;
}

static int step_index(const osq_airfield_t *a, osq_day_t day) {
  int s = 0;
  for (int k = 1; k < a->n_steps; k++)
    if (day >= a->steps[k].from) s = k;
  return s;
}

int osq_cov_world_build(const osq_treaty_t *t, const osq_geo_params_t *gp, const osq_geo_raster_t *g,
                    const char *const *state_codes, int n_states, const bool *fixed_area, int first_year,
                    int last_year, gsl_rng *rng, osq_world_t **out) {
  *out = NULL;
  osq_world_t *w = calloc(1, sizeof *w);
  if (!w) return OSQ_ENOMEM;
  w->g = g;
  w->gp = *gp;
  w->n_parties = t->n_parties;
  w->first_year = first_year;
  w->n_years = last_year - first_year + 1;
  int rc = OSQ_OK;

  /* Territory ids of each party: its member states. */
  for (int p = 0; p < t->n_parties && rc == OSQ_OK; p++) {
    const osq_party_t *q = &t->parties[p];
    for (int m = 0; m < q->n_members; m++) {
      int id = -1;
      for (int s = 0; s < n_states; s++)
        if (strcmp(state_codes[s], q->members[m]) == 0) id = s + 1;
      if (id < 1 || id > g->n_terr) {
        rc = OSQ_EINVAL;
        break;
      }
      w->tids[p][w->n_tids[p]++] = (uint8_t)id;
      w->filter[p][id] = 1;
      w->area[p] += g->area_km2[id];
      if (fixed_area && fixed_area[p] && !w->fixed_tid[id]) {
        w->fixed_tid[id] = true;
        w->fixed_area += g->area_km2[id];
      }
    }
  }

  /* Synthetic sites: one per site_km2 of territory, at least sites_min, area-weighted. */
  osq_geo_sampler_t *smp = rc == OSQ_OK ? osq_geo_sampler_alloc(g, OSQ_MEMBERS_MAX) : NULL;
  if (rc == OSQ_OK && !smp) rc = OSQ_ENOMEM;
  int total = 0;
  for (int p = 0; p < t->n_parties; p++) {
    int n = (int)lround(w->area[p] / gp->site_km2);
    if (n < gp->sites_min) n = gp->sites_min;
    w->site_first[p] = total;
    total += n;
    if (n > w->max_party_sites) w->max_party_sites = n;
  }
  w->site_first[t->n_parties] = total;
  w->n_sites = total;
  w->site_cell = malloc(sizeof *w->site_cell * (size_t)(total + 1));
  w->site_lat = malloc(sizeof *w->site_lat * (size_t)(total + 1));
  w->site_lon = malloc(sizeof *w->site_lon * (size_t)(total + 1));
  if (rc == OSQ_OK && (!w->site_cell || !w->site_lat || !w->site_lon)) rc = OSQ_ENOMEM;
  for (int p = 0; p < t->n_parties && rc == OSQ_OK; p++) {
    double area = osq_geo_sampler_aim(smp, g, w->tids[p], w->n_tids[p], 0.0, 0.0, 1.0e9);
    for (int s = w->site_first[p]; s < w->site_first[p + 1]; s++) {
      double lat = 0.0, lon = 0.0;
      if (area > 0 && osq_geo_sampler_draw(smp, g, rng, &lat, &lon) != OSQ_OK) rc = OSQ_EINVAL;
      w->site_lat[s] = lat;
      w->site_lon[s] = lon;
      w->site_cell[s] = (uint32_t)osq_geo_cell_index(g, lat, lon);
    }
  }
  osq_geo_sampler_free(smp);

  /* Sites reachable from each airfield and distance step: within half the maximum distance. */
  size_t n_reach = 0, cap = 0;
  for (int p = 0; p < t->n_parties && rc == OSQ_OK; p++)
    for (int a = 0; a < t->parties[p].n_airfields; a++)
      cap += (size_t)t->parties[p].airfields[a].n_steps * (size_t)(w->site_first[p + 1] - w->site_first[p]);
  w->reach = malloc(sizeof *w->reach * (cap + 1));
  if (rc == OSQ_OK && !w->reach) rc = OSQ_ENOMEM;
  double max_km = 0.0;
  for (int p = 0; p < t->n_parties && rc == OSQ_OK; p++) {
    const osq_party_t *q = &t->parties[p];
    for (int a = 0; a < q->n_airfields; a++) {
      const osq_airfield_t *af = &q->airfields[a];
      for (int s = 0; s < af->n_steps; s++) {
        w->reach_first[p][a][s] = (int)n_reach;
        const double half = 0.5 * af->steps[s].km;
        if (af->steps[s].km > max_km) max_km = af->steps[s].km;
        for (int k = w->site_first[p]; k < w->site_first[p + 1]; k++)
          if (osq_gc_distance_km(af->lat, af->lon, w->site_lat[k], w->site_lon[k]) <= half) w->reach[n_reach++] = k;
        w->reach_n[p][a][s] = (int)n_reach - w->reach_first[p][a][s];
      }
    }
  }
  const double hw = gp->swath_half_km;
  w->max_route_km = max_km;
  w->max_flight_km2 = max_km * 2.0 * hw + OSQ_PI * hw * hw;

  /* Distances between each party's airfields and sites, once: a route's insertions look them up
   * (osq_route_known_t) instead of computing each with two sines and an asin. */
  for (int p = 0; p < t->n_parties && rc == OSQ_OK; p++) {
    const osq_party_t *q = &t->parties[p];
    const int n_af = q->n_airfields, n = n_af + w->site_first[p + 1] - w->site_first[p];
    if (n == 0 || n > OSQ_KNOWN_POINTS_MAX) continue;
    w->known_km[p] = malloc(sizeof *w->known_km[p] * (size_t)n * (size_t)n);
    w->known_pt[p] = malloc(sizeof *w->known_pt[p] * (size_t)n);
    w->known_cos[p] = malloc(sizeof *w->known_cos[p] * (size_t)n);
    if (!w->known_km[p] || !w->known_pt[p] || !w->known_cos[p]) {
      rc = OSQ_ENOMEM;
      break;
    }
    w->n_known[p] = n;
    for (int i = 0; i < n; i++) {
      const double lat1 = i < n_af ? q->airfields[i].lat : w->site_lat[w->site_first[p] + i - n_af];
      const double lon1 = i < n_af ? q->airfields[i].lon : w->site_lon[w->site_first[p] + i - n_af];
      osq_route_point(lat1, lon1, &w->known_pt[p][i], &w->known_cos[p][i]);
      for (int j = 0; j < n; j++) {
        const double lat2 = j < n_af ? q->airfields[j].lat : w->site_lat[w->site_first[p] + j - n_af];
        const double lon2 = j < n_af ? q->airfields[j].lon : w->site_lon[w->site_first[p] + j - n_af];
        w->known_km[p][(size_t)i * (size_t)n + (size_t)j] = osq_gc_distance_km(lat1, lon1, lat2, lon2);
      }
    }
  }

  /* No-fly buffers: land of states without a party in force on 1 July, and foreign land. */
  w->nofly = calloc((size_t)w->n_years, sizeof *w->nofly);
  if (rc == OSQ_OK && !w->nofly) rc = OSQ_ENOMEM;
  uint8_t prev[OSQ_GEO_IDS];
  for (int y = 0; y < w->n_years && rc == OSQ_OK; y++) {
    uint8_t blocked[OSQ_GEO_IDS];
    memset(blocked, 0, sizeof blocked);
    blocked[OSQ_GEO_FOREIGN] = 1;
    for (int s = 1; s <= n_states && s < OSQ_GEO_FOREIGN; s++) blocked[s] = 1;
    const osq_day_t jul1 = osq_date_from_ymd(first_year + y, 7, 1);
    for (int p = 0; p < t->n_parties; p++)
      if (osq_party_in_force(&t->parties[p], jul1))
        for (int m = 0; m < w->n_tids[p]; m++) blocked[w->tids[p][m]] = 0;
    if (y > 0 && memcmp(prev, blocked, sizeof blocked) == 0) {
      w->nofly[y] = w->nofly[y - 1];
    } else if (gp->nofly_km > 0) {
      w->nofly[y] = osq_geo_buffer_build(g, blocked, gp->nofly_km);
      if (!w->nofly[y]) rc = OSQ_ENOMEM;
    }
    memcpy(prev, blocked, sizeof blocked);
  }
  if (rc != OSQ_OK) {
    osq_cov_world_free(w);
    return rc;
  }
  *out = w;
  return OSQ_OK;
}

void osq_cov_metrics_nan(osq_cov_metrics_t *c) {
  for (int p = 0; p < OSQ_PARTIES_MAX; p++)
    c->coverage[p] = c->sites_observed[p] = c->revisit_days[p] = c->buildup_detect[p] = c->imagery_own[p] =
        c->imagery_access[p] = NAN;
  for (int g = 0; g < OSQ_AGG_COUNT; g++) c->coverage_agg[g] = c->buildup_detect_agg[g] = NAN;
  c->coverage_fixed = NAN;
  c->cells_marked = 0;
  c->runs_marked = 0;
}

osq_cov_ws_t *osq_cov_ws_alloc(const osq_world_t *w) {
  osq_cov_ws_t *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  ws->year = osq_geo_marks_alloc(w->g);
  ws->flight = osq_geo_marks_alloc(w->g);
  ws->pick = malloc(sizeof *ws->pick * (size_t)(w->max_party_sites + 1));
  ws->last_day = malloc(sizeof *ws->last_day * (size_t)(w->n_sites + 1));
  size_t n_leg = 0;
  for (int p = 0; p < w->n_parties; p++) n_leg += (size_t)w->n_known[p] * (size_t)w->n_known[p];
  ws->leg_block = calloc(n_leg + 1, sizeof *ws->leg_block);
  if (ws->leg_block)
    for (int p = 0, at = 0; p < w->n_parties; at += w->n_known[p] * w->n_known[p], p++)
      ws->leg[p] = w->n_known[p] ? ws->leg_block + at : NULL;
  if (!ws->year || !ws->flight || !ws->pick || !ws->last_day || !ws->leg_block) {
    osq_cov_ws_free(ws);
    return NULL;
  }
  return ws;
}

void osq_cov_ws_free(osq_cov_ws_t *ws) {
  if (!ws) return;
  osq_geo_marks_free(ws->year);
  osq_geo_marks_free(ws->flight);
  free(ws->pick);
  free(ws->last_day);
  free(ws->leg_block);
  free(ws);
}

const uint64_t *osq_cov_ws_year_bits(const osq_cov_ws_t *ws) { return ws->year->bits; }

/* Shell sort of at most OSQ_FLIGHTS_MAX keys: in place, no allocation (glibc's qsort may
 * allocate a merge buffer, which the trial loop must never do). */
static void sort_i64(int64_t *v, int n) {
  static const int gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
  for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
    const int gap = gaps[g];
    for (int i = gap; i < n; i++) {
      const int64_t x = v[i];
      int j = i;
      for (; j >= gap && v[j - gap] > x; j -= gap) v[j] = v[j - gap];
      v[j] = x;
    }
  }
}

/* Build one flight's route; returns the airfield index or -1 if the target has none. */
static int fly_route(const osq_world_t *w, const osq_treaty_t *t, int year_idx, const osq_flight_t *fl, gsl_rng *rng,
                     osq_cov_ws_t *ws, osq_route_t *rt) {
  const int p = fl->target;
  const osq_party_t *q = &t->parties[p];
  if (q->n_airfields == 0) return -1;
  const int a = (int)(gsl_rng_uniform(rng) * q->n_airfields);
  const osq_airfield_t *af = &q->airfields[a];
  const int s = step_index(af, fl->day);
  osq_route_limits_t lim = {.max_km = af->steps[s].km, .nofly = w->nofly[year_idx], .max_fail = 0};
  for (int k = 0; k < w->gp.n_sublimits; k++) {
    const osq_sublimit_t *sl = &w->gp.sublimits[k];
    if (sl->party == p && fl->day >= sl->from && fl->day < sl->until) lim.sublimit = &sl->box;
  }
  /* the party's airfields and sites as known points: distances looked up, legs remembered per
   * year's no-fly buffer (the same route as without) */
  const osq_route_known_t kn = {w->n_known[p], w->known_km[p], w->known_pt[p], w->known_cos[p],
                                year_idx < 32767 ? ws->leg[p] : NULL, (uint16_t)(year_idx + 1)};
  const bool known = w->n_known[p] > 0;
  if (known) lim.known = &kn;
  osq_route_init_id(rt, af->lat, af->lon, known ? a : -1);
  /* Draw sites without replacement from those reachable, until the route holds route_sites or
   * every candidate was tried (a site that does not fit is skipped, as a planner would). */
  const int n = w->reach_n[p][a][s];
  memcpy(ws->pick, w->reach + w->reach_first[p][a][s], sizeof *ws->pick * (size_t)n);
  for (int k = 0; k < n && rt->n_sites < w->gp.route_sites && rt->n_sites < OSQ_ROUTE_SITES_MAX; k++) {
    const int r = k + (int)(gsl_rng_uniform(rng) * (n - k));
    const int32_t tmp = ws->pick[k];
    ws->pick[k] = ws->pick[r];
    ws->pick[r] = tmp;
    osq_route_try_add_id(rt, w->g, w->site_lat[ws->pick[k]], w->site_lon[ws->pick[k]],
                         known ? q->n_airfields + ws->pick[k] - w->site_first[p] : -1, &lim);
  }
  return a;
}

int osq_cov_year(const osq_world_t *w, const osq_treaty_t *t, const osq_year_t *y, gsl_rng *rng,
                      osq_cov_ws_t *ws, osq_cov_metrics_t *out, osq_flight_geo_t *fg) {
  const int P = w->n_parties, year = y->year, yi = year - w->first_year;
  if (yi < 0 || yi >= w->n_years) return OSQ_EINVAL;
  const osq_day_t jan1 = osq_date_from_ymd(year, 1, 1);
  const int ndays = osq_date_year_days(year);
  const int B = w->gp.buildups < OSQ_BUILDUPS_MAX ? w->gp.buildups : OSQ_BUILDUPS_MAX;
  const int D = w->gp.buildup_days;
  bool elig[OSQ_PARTIES_MAX];
  /* in force on every day of the year (no look-up per flight), or on some days only */
  bool whole[OSQ_PARTIES_MAX], part[OSQ_PARTIES_MAX];

  osq_geo_marks_clear(ws->year);
  memset(out, 0, sizeof *out);
  for (int s = 0; s < w->n_sites; s++) ws->last_day[s] = -1;
  for (int p = 0; p < P; p++) {
    elig[p] = osq_party_in_force_year(&t->parties[p], year);
    whole[p] = false;
    for (int k = 0; k < t->parties[p].n_terms; k++)
      whole[p] = whole[p] || (t->parties[p].terms[k].from <= jan1 && t->parties[p].terms[k].until >= jan1 + ndays);
    part[p] = elig[p] && !whole[p];
    ws->revisit_sum[p] = 0.0;
    ws->revisit_n[p] = 0;
    /* Build-ups: a random site of the party, a start day such that the event lies in the year. */
    const int ns = w->site_first[p + 1] - w->site_first[p];
    for (int b = 0; b < B && elig[p]; b++) {
      ws->bu_site[p][b] = w->site_first[p] + (int)(gsl_rng_uniform(rng) * ns);
      ws->bu_start[p][b] = (int16_t)(gsl_rng_uniform(rng) * (ndays - D + 1 > 1 ? ndays - D + 1 : 1));
      ws->bu_det[p][b] = 0;
    }
  }
  if (fg)
    for (int i = 0; i < y->n_flights; i++) fg[i] = (osq_flight_geo_t){-1, 0.0, 0.0};

  /* Completed flights in date order (revisit intervals need it). */
  int64_t order[OSQ_FLIGHTS_MAX];
  int n_done = 0;
  for (int i = 0; i < y->n_flights; i++)
    if (y->flights[i].status == OSQ_FLIGHT_COMPLETED) order[n_done++] = ((int64_t)y->flights[i].day << 16) | i;
  sort_i64(order, n_done);

  osq_route_t rt;
  for (int k = 0; k < n_done; k++) {
    const int fi = (int)(order[k] & 0xffff);
    const osq_flight_t *fl = &y->flights[fi];
    const int p = fl->target, doy = fl->day - jan1;
    const int a = fly_route(w, t, yi, fl, rng, ws, &rt);
    osq_geo_marks_clear(ws->flight);
    ws->flight->filter = w->filter[p];
    ws->flight->also = ws->year; /* the year's coverage in the same pass */
    const double km2 = a >= 0 ? osq_route_mark(&rt, w->g, w->gp.swath_half_km, ws->flight) : 0.0;
    out->cells_marked += (int64_t)ws->flight->n_touched;
    out->runs_marked += (int64_t)ws->flight->n_runs;
    if (fg) fg[fi] = (osq_flight_geo_t){a, a >= 0 ? osq_route_length_km(&rt) : 0.0, km2};

    /* Sites imaged by this flight: revisit intervals and build-ups under way. */
    for (int s = w->site_first[p]; s < w->site_first[p + 1]; s++) {
      if (!bit_at(ws->flight->bits, w->site_cell[s])) continue;
      if (ws->last_day[s] >= 0) {
        ws->revisit_sum[p] += doy - ws->last_day[s];
        ws->revisit_n[p]++;
      }
      ws->last_day[s] = (int16_t)doy;
    }
    for (int b = 0; b < B; b++)
      if (!ws->bu_det[p][b] && doy >= ws->bu_start[p][b] && doy < ws->bu_start[p][b] + D &&
          bit_at(ws->flight->bits, w->site_cell[ws->bu_site[p][b]]))
        ws->bu_det[p][b] = 1;

    /* Imagery: every non-void observer took part; every party in force that day may obtain it. */
    for (int o = 0; o < fl->n_obs; o++)
      if (!((fl->void_obs >> o) & 1u)) out->imagery_own[fl->obs[o]] += km2;
    for (int q = 0; q < P; q++)
      if (whole[q] || (part[q] && osq_party_in_force(&t->parties[q], fl->day))) out->imagery_access[q] += km2;
  }

  /* Year totals. */
  bool tid_in[OSQ_AGG_COUNT][OSQ_GEO_IDS];
  memset(tid_in, 0, sizeof tid_in);
  int det_agg[OSQ_AGG_COUNT] = {0}, ev_agg[OSQ_AGG_COUNT] = {0};
  for (int p = 0; p < P; p++) {
    if (!elig[p]) {
      out->coverage[p] = out->sites_observed[p] = out->revisit_days[p] = out->buildup_detect[p] = NAN;
      out->imagery_own[p] = out->imagery_access[p] = NAN;
      continue;
    }
    double imaged = 0.0;
    for (int m = 0; m < w->n_tids[p]; m++) imaged += ws->year->area_km2[w->tids[p][m]];
    out->coverage[p] = w->area[p] > 0 ? imaged / w->area[p] : NAN;
    int seen = 0;
    for (int s = w->site_first[p]; s < w->site_first[p + 1]; s++) seen += bit_at(ws->year->bits, w->site_cell[s]);
    out->sites_observed[p] = seen;
    out->revisit_days[p] = ws->revisit_n[p] ? ws->revisit_sum[p] / ws->revisit_n[p] : NAN;
    int det = 0;
    for (int b = 0; b < B; b++) det += ws->bu_det[p][b];
    out->buildup_detect[p] = B ? (double)det / B : NAN;
    for (int g = 0; g < OSQ_AGG_COUNT; g++) {
      if (!osq_agg_member(t, p, year, (osq_agg_t)g)) continue;
      for (int m = 0; m < w->n_tids[p]; m++) tid_in[g][w->tids[p][m]] = true;
      det_agg[g] += det;
      ev_agg[g] += B;
    }
  }
  for (int g = 0; g < OSQ_AGG_COUNT; g++) {
    double area = 0.0, imaged = 0.0;
    for (int id = 1; id <= w->g->n_terr; id++)
      if (tid_in[g][id]) {
        area += w->g->area_km2[id];
        imaged += ws->year->area_km2[id];
      }
    out->coverage_agg[g] = area > 0 ? imaged / area : NAN;
    out->buildup_detect_agg[g] = ev_agg[g] ? (double)det_agg[g] / ev_agg[g] : NAN;
  }
  double fixed = 0.0;
  for (int id = 1; id <= w->g->n_terr; id++)
    if (w->fixed_tid[id]) fixed += ws->year->area_km2[id];
  out->coverage_fixed = w->fixed_area > 0 ? fixed / w->fixed_area : NAN;
  return OSQ_OK;
}
