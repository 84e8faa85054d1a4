/*
 * test_route.c checks models/route: great-circle distances, the exact length inside a box,
 * and the route generator over 10,000 seeds on the real territories: every route is closed at
 * its airfield, never longer than the airfield's maximum distance (checked with an independent
 * recomputation), visits only the observed party's territory, keeps Russia's 500 km sub-limit
 * over the Kaliningrad box, and keeps out of non-party land when a no-fly buffer is given.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/geo.h"
#include "models/route.h"
#include "sim/input/geodata.h"

#define DATA OSQ_SOURCE_DIR "/data/countries-50m.json"
static const double PI = 3.14159265358979323846;
#define R OSQ_EARTH_RADIUS_KM

static const char *codes[OSQ_GEODATA_STATES];
static osq_geo_raster_t *G;

static void setup_world(void) {
  osq_error_t err;
  osq_error_clear(&err);
  osq_geo_polys_t *p = NULL;
  cr_assert_eq(osq_geodata_load(DATA, &p, &err), 0, "%s", err.n ? err.msg[0] : "");
  for (int i = 0; i < OSQ_GEODATA_STATES; i++) codes[i] = osq_geodata_state_at(i)->alpha2;
  cr_assert_eq(osq_geodata_assign(p, codes, OSQ_GEODATA_STATES, 0, &err), 0);
  cr_assert_eq(osq_geo_raster_build(p, OSQ_GEODATA_STATES, OSQ_GEO_RES_DEFAULT, &G), 0);
  osq_geodata_polys_free(p);
}

static void teardown_world(void) {
  osq_geo_raster_free(G);
  G = NULL;
}

static uint8_t tid_of(const char *code) {
  for (int i = 0; i < OSQ_GEODATA_STATES; i++)
    if (strcmp(codes[i], code) == 0) return (uint8_t)(i + 1);
  cr_assert_fail("no %s", code);
  return 0;
}

/* Russia's 2017 sub-limit: 500 km over the Kaliningrad region (box around the oblast) */
static const osq_route_box_t KALININGRAD = {54.3, 55.35, 19.6, 22.95, 500.0};

/* length inside the box by sampling each leg every step km (midpoint rule; error at most a step
 * per crossing of the box's edge): independent of osq_route_gc_box_km */
static double sampled_box_km(const osq_route_t *rt, const osq_route_box_t *box, double step) {
  double s = 0.0;
  for (int i = 0; i <= rt->n_sites; i++) {
    double d = osq_gc_distance_km(rt->lat[i], rt->lon[i], rt->lat[i + 1], rt->lon[i + 1]);
    int K = (int)ceil(d / step);
    if (K < 1) continue;
    double p1 = rt->lat[i] * PI / 180, l1 = rt->lon[i] * PI / 180, p2 = rt->lat[i + 1] * PI / 180,
           l2 = rt->lon[i + 1] * PI / 180;
    double a[3] = {cos(p1) * cos(l1), cos(p1) * sin(l1), sin(p1)}, b[3] = {cos(p2) * cos(l2), cos(p2) * sin(l2), sin(p2)};
    double th = d / R;
    for (int k = 0; k < K; k++) {
      double f = (k + 0.5) / K, s1 = sin((1 - f) * th) / sin(th), s2 = sin(f * th) / sin(th);
      double v[3] = {s1 * a[0] + s2 * b[0], s1 * a[1] + s2 * b[1], s1 * a[2] + s2 * b[2]};
      double lat = asin(v[2]) * 180 / PI, lon = atan2(v[1], v[0]) * 180 / PI;
      if (lat >= box->lat_min && lat <= box->lat_max && lon >= box->lon_min && lon <= box->lon_max) s += d / K;
    }
  }
  return s;
}

Test(route, great_circle_distances) {
  cr_expect_float_eq(osq_gc_distance_km(0, 0, 0, 90), PI / 2 * R, 1e-6);
  cr_expect_float_eq(osq_gc_distance_km(0, 0, 0, 180), PI * R, 1e-6);
  cr_expect_float_eq(osq_gc_distance_km(-90, 0, 90, 0), PI * R, 1e-6);
  cr_expect_float_eq(osq_gc_distance_km(10, 179.5, 10, -179.5), osq_gc_distance_km(10, 0, 10, 1), 1e-9,
                     "across 180 the short way");
  cr_expect_eq(osq_gc_distance_km(55.6, 36.6, 55.6, 36.6), 0.0);
  /* Kubinka to Ulan-Ude, about 4,400 km */
  double d = osq_gc_distance_km(55.60833, 36.65278, 51.8, 107.45);
  cr_expect(d > 4300 && d < 4500, "%.0f", d);
}

Test(route, length_in_box_is_exact) {
  /* along the meridian 21 E from 54 N to 56 N: inside between 54.3 and 55.35 N */
  double want = (55.35 - 54.3) * PI / 180 * R;
  cr_expect_float_eq(osq_route_gc_box_km(54.0, 21.0, 56.0, 21.0, &KALININGRAD), want, 1e-6);
  cr_expect_float_eq(osq_route_gc_box_km(56.0, 21.0, 54.0, 21.0, &KALININGRAD), want, 1e-6, "either direction");
  cr_expect_eq(osq_route_gc_box_km(50.0, 30.0, 51.0, 31.0, &KALININGRAD), 0.0, "far away");
  double all = osq_gc_distance_km(54.5, 20.0, 55.0, 22.0);
  cr_expect_float_eq(osq_route_gc_box_km(54.5, 20.0, 55.0, 22.0, &KALININGRAD), all, 1e-6, "wholly inside");
  /* oblique legs against dense sampling */
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 3);
  for (int i = 0; i < 200; i++) {
    osq_route_t rt;
    osq_route_init(&rt, 53.0 + 3.5 * gsl_rng_uniform(r), 18.0 + 6.0 * gsl_rng_uniform(r));
    rt.n_sites = 0;
    rt.lat[1] = 53.0 + 3.5 * gsl_rng_uniform(r);
    rt.lon[1] = 18.0 + 6.0 * gsl_rng_uniform(r);
    double exact = osq_route_gc_box_km(rt.lat[0], rt.lon[0], rt.lat[1], rt.lon[1], &KALININGRAD);
    cr_expect(fabs(exact - sampled_box_km(&rt, &KALININGRAD, 0.05)) < 0.2, "leg %d: %.3f vs %.3f", i, exact,
              sampled_box_km(&rt, &KALININGRAD, 0.05));
  }
  gsl_rng_free(r);
}

typedef struct {
  const char *name;
  double lat, lon, max_km;
  const char *members[2];
  int n_members;
  bool kaliningrad;
} airfield_t;

/* Annex A Sec. III distances (and Kubinka's later 5,500 km), Annex E positions */
static const airfield_t AF[] = {
    {"Kubinka", 55.60833, 36.65278, 5500, {"RU", "BY"}, 2, true},
    {"Magadan (as printed)", 59.90167, 150.05028, 6500, {"RU", "BY"}, 2, false},
    {"Wunstorf", 52.46333, 9.42833, 1200, {"DE"}, 1, false},
    {"Vaerloese", 55.76917, 12.32611, 800, {"DK"}, 1, false},
    {"Elmendorf AFB", 61.25333, -149.79167, 3000, {"US"}, 1, false},
    {"Borispol", 50.345, 30.895, 2100, {"UA"}, 1, false},
    {"Iqaluit", 63.75611, -68.55694, 6000, {"CA"}, 1, false},
    {"Gando (Canary Islands)", 27.93028, -15.38472, 750, {"ES"}, 1, false},
    {"Zaventem/Melsbroek", 50.90222, 4.48583, 945, {"BE", "NL"}, 2, false},
};
#define N_AF (sizeof AF / sizeof AF[0])

Test(route, ten_thousand_seeds_respect_every_limit, .init = setup_world, .fini = teardown_world) {
  osq_geo_sampler_t *s = osq_geo_sampler_alloc(G, 2);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int with_sites[N_AF] = {0}, runs[N_AF] = {0};
  double sum_len[N_AF] = {0}, max_box = 0.0;
  for (int seed = 0; seed < 10000; seed++) {
    const airfield_t *a = &AF[seed % N_AF];
    gsl_rng_set(r, (unsigned long)seed + 1);
    uint8_t t[2];
    for (int k = 0; k < a->n_members; k++) t[k] = tid_of(a->members[k]);
    osq_route_limits_t lim = {.max_km = a->max_km, .sublimit = a->kaliningrad ? &KALININGRAD : NULL};
    int want = 1 + seed % 12;
    osq_route_t rt;
    int n = osq_route_generate(&rt, G, s, t, a->n_members, a->lat, a->lon, want, &lim, r);
    cr_assert(n >= 0 && n <= want, "seed %d: %d sites", seed, n);
    cr_assert_eq(n, rt.n_sites);
    /* closed at the airfield */
    cr_assert(rt.lat[0] == a->lat && rt.lon[0] == a->lon && rt.lat[n + 1] == a->lat && rt.lon[n + 1] == a->lon,
              "seed %d: route not closed at %s", seed, a->name);
    /* the length the generator checked is the length of the points, and within the limit */
    double len = osq_route_length_km(&rt);
    cr_assert(len == rt.length_km, "seed %d: %.17g vs %.17g", seed, len, rt.length_km);
    cr_assert(len <= a->max_km, "seed %d %s: %.3f km > %.0f", seed, a->name, len, a->max_km);
    if (n > 0) cr_assert(len > 0, "seed %d: sites but no length", seed);
    else cr_assert_eq(len, 0.0);
    /* sites lie in the observed party's territory */
    for (int i = 1; i <= n; i++) {
      uint8_t k = osq_geo_tid_at(G, rt.lat[i], rt.lon[i]);
      bool ok = false;
      for (int j = 0; j < a->n_members; j++) ok |= k == t[j];
      cr_assert(ok, "seed %d %s: site %d at %.3f %.3f is in territory %d", seed, a->name, i, rt.lat[i], rt.lon[i], k);
    }
    if (a->kaliningrad) {
      double bx = sampled_box_km(&rt, &KALININGRAD, 0.5);
      cr_assert(rt.box_km <= 500.0, "seed %d: %.3f km in the Kaliningrad box", seed, rt.box_km);
      cr_assert(bx <= 500.0 + 3.0, "seed %d: %.3f km in the box by sampling", seed, bx);
      if (bx > max_box) max_box = bx;
    }
    runs[seed % N_AF]++;
    with_sites[seed % N_AF] += n > 0;
    sum_len[seed % N_AF] += len;
  }
  printf("\n%-24s %6s %8s %12s\n", "airfield", "routes", "sites>0", "mean_km");
  for (size_t i = 0; i < N_AF; i++) {
    printf("%-24s %6d %8d %12.0f (max %.0f)\n", AF[i].name, runs[i], with_sites[i], sum_len[i] / runs[i], AF[i].max_km);
    /* every airfield here has its own territory within reach: a site always fits */
    cr_expect_eq(with_sites[i], runs[i], "%s: %d of %d routes without a site", AF[i].name, runs[i] - with_sites[i],
                 runs[i]);
  }
  printf("Kubinka: most flown in the Kaliningrad box %.1f km (limit 500)\n", max_box);
  fflush(stdout);
  gsl_rng_free(r);
  osq_geo_sampler_free(s);
}

Test(route, kaliningrad_sub_limit_binds, .init = setup_world, .fini = teardown_world) {
  /* offer only sites inside the Kaliningrad region (Russian cells in the box, spread over it):
   * with the sub-limit the route stops at 500 km inside the box; without it, the same offers fly
   * far more there */
  double sites[OSQ_ROUTE_SITES_MAX][2];
  int n_offer = 0;
  uint8_t ru = tid_of("RU");
  for (double lat = 54.40; lat <= 55.25 && n_offer < OSQ_ROUTE_SITES_MAX; lat += 0.17)
    for (double lon = 19.8; lon <= 22.8 && n_offer < OSQ_ROUTE_SITES_MAX; lon += 0.45)
      if (osq_geo_tid_at(G, lat, lon) == ru) {
        sites[n_offer][0] = lat;
        sites[n_offer][1] = lon;
        n_offer++;
      }
  cr_assert(n_offer >= 15, "%d offers", n_offer);
  osq_route_limits_t lim = {.max_km = 5500, .sublimit = &KALININGRAD};
  osq_route_limits_t free_lim = {.max_km = 5500};
  osq_route_t with, without;
  osq_route_init(&with, 55.60833, 36.65278);
  osq_route_init(&without, 55.60833, 36.65278);
  int added = 0, refused = 0;
  for (int i = 0; i < n_offer; i++) {
    if (osq_route_try_add(&with, G, sites[i][0], sites[i][1], &lim)) added++;
    else refused++;
    osq_route_try_add(&without, G, sites[i][0], sites[i][1], &free_lim);
    cr_assert(with.box_km <= 500.0);
    cr_assert(sampled_box_km(&with, &KALININGRAD, 0.05) <= 500.5);
  }
  double free_box = sampled_box_km(&without, &KALININGRAD, 0.05);
  cr_log_info("sub-limit: %d of %d sites added, %.0f km in the box; without it %d sites, %.0f km", added, n_offer,
              with.box_km, without.n_sites, free_box);
  cr_expect(added >= 1 && refused >= 1, "the limit must bind: added %d refused %d", added, refused);
  cr_expect(free_box > 500.0, "without the sub-limit the route flies %.0f km in the box", free_box);
}

Test(route, nothing_fits_gives_an_empty_route, .init = setup_world, .fini = teardown_world) {
  osq_geo_sampler_t *s = osq_geo_sampler_alloc(G, 1);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  uint8_t de = tid_of("DE");
  osq_route_limits_t tiny = {.max_km = 1.0};
  osq_route_t rt;
  /* Wunstorf with a 1 km limit: every site is farther */
  cr_expect_eq(osq_route_generate(&rt, G, s, &de, 1, 52.46333, 9.42833, 5, &tiny, r), 0);
  cr_expect_eq(rt.n_sites, 0);
  cr_expect_eq(rt.length_km, 0.0);
  cr_expect(rt.lat[1] == 52.46333 && rt.lon[1] == 9.42833);
  /* an airfield with no German territory within reach */
  osq_route_limits_t lim = {.max_km = 1200};
  cr_expect_eq(osq_route_generate(&rt, G, s, &de, 1, 40.0, -100.0, 5, &lim, r), 0);
  /* zero sites asked */
  cr_expect_eq(osq_route_generate(&rt, G, s, &de, 1, 52.46333, 9.42833, 0, &lim, r), 0);
  cr_expect_eq(osq_route_mark(&rt, G, 50.0, NULL), 0.0, "an empty route images nothing");
  /* bad arguments */
  cr_expect_eq(osq_route_generate(&rt, G, s, &de, 1, 52.4, 9.4, -1, &lim, r), OSQ_EINVAL);
  uint8_t two[2] = {de, de};
  cr_expect_eq(osq_route_generate(&rt, G, s, two, 2, 52.4, 9.4, 3, &lim, r), OSQ_EINVAL, "sampler sized for one");
  gsl_rng_free(r);
  osq_geo_sampler_free(s);
}

/* no point of any leg, sampled every 0.5 km, lies on blocked land */
static bool route_avoids(const osq_route_t *rt, const uint8_t blocked[OSQ_GEO_IDS]) {
  for (int i = 0; i <= rt->n_sites; i++) {
    double d = osq_gc_distance_km(rt->lat[i], rt->lon[i], rt->lat[i + 1], rt->lon[i + 1]);
    int K = (int)ceil(d / 0.5);
    for (int k = 0; k <= K; k++) {
      double f = K ? (double)k / K : 0.0;
      /* linear in lat/lon is not a great circle: use the slerp */
      double p1 = rt->lat[i] * PI / 180, l1 = rt->lon[i] * PI / 180, p2 = rt->lat[i + 1] * PI / 180,
             l2 = rt->lon[i + 1] * PI / 180, th = d / R;
      double a[3] = {cos(p1) * cos(l1), cos(p1) * sin(l1), sin(p1)},
             b[3] = {cos(p2) * cos(l2), cos(p2) * sin(l2), sin(p2)};
      double s1 = th > 0 ? sin((1 - f) * th) / sin(th) : 1.0, s2 = th > 0 ? sin(f * th) / sin(th) : 0.0;
      double v[3] = {s1 * a[0] + s2 * b[0], s1 * a[1] + s2 * b[1], s1 * a[2] + s2 * b[2]};
      double lat = asin(v[2]) * 180 / PI, lon = atan2(v[1], v[0]) * 180 / PI;
      if (blocked[osq_geo_tid_at(G, lat, lon)]) return false;
    }
  }
  return true;
}

Test(route, no_fly_buffer_keeps_routes_off_non_party_land, .init = setup_world, .fini = teardown_world) {
  osq_geo_sampler_t *s = osq_geo_sampler_alloc(G, 2);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  /* Ulan-Ude, near Mongolia and China; Ottawa after the US withdrawal */
  uint8_t blocked[OSQ_GEO_IDS] = {0};
  blocked[OSQ_GEO_FOREIGN] = 1;
  uint8_t blocked_us[OSQ_GEO_IDS] = {0};
  blocked_us[OSQ_GEO_FOREIGN] = 1;
  blocked_us[tid_of("US")] = 1;
  osq_geo_buffer_t *b = osq_geo_buffer_build(G, blocked, 10.0);
  osq_geo_buffer_t *b_us = osq_geo_buffer_build(G, blocked_us, 10.0);
  cr_assert(b && b_us);
  uint8_t ruby[2] = {tid_of("RU"), tid_of("BY")}, ca = tid_of("CA");
  int crossed_without = 0, n_sites = 0;
  for (int seed = 0; seed < 300; seed++) {
    gsl_rng_set(r, 500000 + (unsigned long)seed);
    osq_route_t rt;
    osq_route_limits_t lim = {.max_km = 5000, .nofly = b};
    osq_route_generate(&rt, G, s, ruby, 2, 51.8, 107.45, 8, &lim, r);
    cr_assert(route_avoids(&rt, blocked), "seed %d: Ulan-Ude route over non-party land", seed);
    n_sites += rt.n_sites;
    osq_route_limits_t lim_us = {.max_km = 5000, .nofly = b_us};
    osq_route_generate(&rt, G, s, &ca, 1, 45.3225, -75.66944, 8, &lim_us, r);
    cr_assert(route_avoids(&rt, blocked_us), "seed %d: Ottawa route over the US after 2020", seed);
    n_sites += rt.n_sites;
    /* the same draws without the buffer do cross, so the test can fail */
    osq_route_limits_t open = {.max_km = 5000};
    osq_route_generate(&rt, G, s, &ca, 1, 45.3225, -75.66944, 8, &open, r);
    crossed_without += !route_avoids(&rt, blocked_us);
  }
  cr_log_info("no-fly: %d sites placed; %d of 300 unrestricted Ottawa routes crossed the US", n_sites,
              crossed_without);
  cr_expect(n_sites > 300, "routes still get sites: %d", n_sites);
  cr_expect(crossed_without > 0);
  osq_geo_buffer_free(b);
  osq_geo_buffer_free(b_us);
  gsl_rng_free(r);
  osq_geo_sampler_free(s);
}

/* Routes over a fixed set of points (airfields and sites, as coverage.c keeps them) are the same,
 * bit for bit, whether their distances and legs are looked up (osq_route_known_t) or computed:
 * over 600 random offer sequences, with the leg table shared between routes and two no-fly
 * buffers taking turns under their own tags (a stale entry would change the route). */
Test(route, known_points_give_the_same_routes, .init = setup_world, .fini = teardown_world) {
  enum { KN_AF = 3, KN_SITES = 150, KN_PTS = KN_AF + KN_SITES };
  const double af[KN_AF][2] = {{51.8, 107.45}, {55.60833, 36.65278}, {53.9, 27.55}}; /* Ulan-Ude, Kubinka, Minsk */
  double lat[KN_PTS], lon[KN_PTS];
  for (int i = 0; i < KN_AF; i++) lat[i] = af[i][0], lon[i] = af[i][1];
  osq_geo_sampler_t *s = osq_geo_sampler_alloc(G, 2);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 4242);
  uint8_t ruby[2] = {tid_of("RU"), tid_of("BY")};
  for (int i = KN_AF; i < KN_PTS; i++) { /* sites near one airfield or another */
    const double *a = af[i % KN_AF];
    cr_assert(osq_geo_sampler_aim(s, G, ruby, 2, a[0], a[1], 1500.0) > 0);
    cr_assert_eq(osq_geo_sampler_draw(s, G, r, &lat[i], &lon[i]), 0);
  }
  static double dist[KN_PTS * KN_PTS], coslat[KN_PTS];
  static osq_geo_path_pt_t pt[KN_PTS];
  static uint16_t leg[KN_PTS * KN_PTS];
  for (int i = 0; i < KN_PTS; i++) {
    osq_route_point(lat[i], lon[i], &pt[i], &coslat[i]);
    for (int j = 0; j < KN_PTS; j++) dist[i * KN_PTS + j] = osq_gc_distance_km(lat[i], lon[i], lat[j], lon[j]);
  }
  osq_geo_marks_t *mx = osq_geo_marks_alloc(G), *my = osq_geo_marks_alloc(G);
  cr_assert(mx && my);
  uint8_t blocked[OSQ_GEO_IDS] = {0}, blocked_by[OSQ_GEO_IDS] = {0};
  blocked[OSQ_GEO_FOREIGN] = blocked_by[OSQ_GEO_FOREIGN] = 1;
  blocked_by[tid_of("BY")] = 1;
  osq_geo_buffer_t *b[2] = {osq_geo_buffer_build(G, blocked, 10.0), osq_geo_buffer_build(G, blocked_by, 10.0)};
  cr_assert(b[0] && b[1]);
  int differ = 0, sites = 0;
  for (int k = 0; k < 600; k++) {
    const int which = (k / 50) % 2; /* the buffers take turns, 50 routes each */
    const osq_route_known_t kn = {KN_PTS, dist, pt, coslat, leg, (uint16_t)(which + 1)};
    osq_route_limits_t plain = {.max_km = 1500.0 + 3000.0 * gsl_rng_uniform(r), .nofly = b[which]};
    osq_route_limits_t with = plain;
    with.known = &kn;
    const int a = (int)gsl_rng_uniform_int(r, KN_AF);
    osq_route_t x, y;
    osq_route_init(&x, lat[a], lon[a]);
    osq_route_init_id(&y, lat[a], lon[a], a);
    for (int t = 0; t < 12; t++) {
      const int id = KN_AF + (int)gsl_rng_uniform_int(r, KN_SITES);
      const bool ax = osq_route_try_add(&x, G, lat[id], lon[id], &plain);
      const bool ay = osq_route_try_add_id(&y, G, lat[id], lon[id], id, &with);
      differ += ax != ay;
    }
    sites += x.n_sites;
    differ += x.n_sites != y.n_sites || memcmp(x.lat, y.lat, sizeof x.lat) || memcmp(x.lon, y.lon, sizeof x.lon) ||
              memcmp(x.leg_km, y.leg_km, sizeof x.leg_km) || x.length_km != y.length_km ||
              memcmp(x.pt, y.pt, sizeof x.pt);
    if (k % 20 == 0) { /* the swath from the path points is the swath from the latitudes and longitudes */
      osq_geo_marks_clear(mx);
      osq_geo_marks_clear(my);
      const double ax = osq_route_mark(&y, G, 25.0, mx);
      const double ay = x.n_sites ? osq_geo_mark_path(G, x.lat, x.lon, x.n_sites + 2, 25.0, my) : 0.0;
      differ += ax != ay || mx->n_touched != my->n_touched;
    }
  }
  osq_geo_marks_free(mx);
  osq_geo_marks_free(my);
  int known_legs = 0, blocked_legs = 0;
  for (int i = 0; i < KN_PTS * KN_PTS; i++) {
    known_legs += leg[i] != 0;
    blocked_legs += leg[i] != 0 && !(leg[i] & 1u);
  }
  cr_log_info("known points: %d sites on 600 routes, %d legs remembered (%d blocked), %d differences", sites,
              known_legs, blocked_legs, differ);
  cr_expect_eq(differ, 0);
  cr_expect(known_legs > 500 && blocked_legs > 0, "the table was used: %d legs, %d blocked", known_legs, blocked_legs);
  osq_geo_buffer_free(b[0]);
  osq_geo_buffer_free(b[1]);
  gsl_rng_free(r);
  osq_geo_sampler_free(s);
}

Test(route, marks_its_swath, .init = setup_world, .fini = teardown_world) {
  osq_geo_sampler_t *s = osq_geo_sampler_alloc(G, 1);
  osq_geo_marks_t *m = osq_geo_marks_alloc(G);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  uint8_t de = tid_of("DE");
  osq_route_limits_t lim = {.max_km = 1200};
  osq_route_t rt;
  int n = osq_route_generate(&rt, G, s, &de, 1, 52.46333, 9.42833, 6, &lim, r);
  cr_assert(n > 0);
  double a = osq_route_mark(&rt, G, 50.0, m);
  cr_expect(a > 0 && a <= rt.length_km * 100.0 + PI * 2500.0 + 1.0, "%.0f km2 for %.0f km", a, rt.length_km);
  for (int i = 1; i <= n; i++) cr_expect(osq_geo_marks_test(m, G, rt.lat[i], rt.lon[i]), "site %d imaged", i);
  cr_expect(m->area_km2[de] <= G->area_km2[de]);
  gsl_rng_free(r);
  osq_geo_marks_free(m);
  osq_geo_sampler_free(s);
}

Test(route, reproducible_for_a_seed, .init = setup_world, .fini = teardown_world) {
  osq_geo_sampler_t *s = osq_geo_sampler_alloc(G, 2);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  uint8_t ruby[2] = {tid_of("RU"), tid_of("BY")};
  osq_route_limits_t lim = {.max_km = 5500, .sublimit = &KALININGRAD};
  osq_route_t a, b;
  gsl_rng_set(r, 99);
  osq_route_generate(&a, G, s, ruby, 2, 55.60833, 36.65278, 10, &lim, r);
  gsl_rng_set(r, 99);
  osq_route_generate(&b, G, s, ruby, 2, 55.60833, 36.65278, 10, &lim, r);
  cr_expect(memcmp(&a, &b, sizeof a) == 0);
  gsl_rng_free(r);
  osq_geo_sampler_free(s);
}
