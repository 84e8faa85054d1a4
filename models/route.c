/*
 * route.c owns great-circle distances and the construction of a flight's closed route under its
 * limits (maximum flight distance, box sub-limit, no-fly buffer). See route.h for what is
 * approximate. Lengths are always summed leg by leg in flying order, so the length checked
 * against the limit is bit-for-bit the length osq_route_length_km reports.
 */
#include "models/route.h"

#include <math.h>
#include <string.h>

#include "models/errors.h"
#include "models/sphere.h"


void osq_route_point(double lat, double lon, osq_geo_path_pt_t *pt, double *coslat) {
  osq_geo_path_point(lat, lon, pt);
  *coslat = cos(lat * OSQ_D2R);
}

static void unit_vec(double lat, double lon, double v[3]) {
  double cl = cos(lat * OSQ_D2R);
  v[0] = cl * cos(lon * OSQ_D2R);
  v[1] = cl * sin(lon * OSQ_D2R);
  v[2] = sin(lat * OSQ_D2R);
}

/* The angle of an arc from its cosine and sine (cs, from arc_setup_v): 0 for an arc too short to
 * have a direction. */
static double arc_angle(const double cs[2]) { return cs[1] < 1e-15 ? 0.0 : atan2(cs[1], cs[0]); }

/* Arc from a towards b (unit vectors): the unit tangent u at a pointing to b (0 if the arc is too
 * short to have one), and the arc's cosine and sine in cs. */
static void arc_setup_v(const double a[3], const double b[3], double u[3], double cs[2]) {
  double c = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  double w[3] = {b[0] - c * a[0], b[1] - c * a[1], b[2] - c * a[2]};
  double s = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
  cs[0] = c;
  cs[1] = s;
  for (int i = 0; i < 3; i++) u[i] = s < 1e-15 ? 0.0 : w[i] / s;
}

/* The same from latitudes and longitudes (degrees), giving a too: the arc angle. */
static double arc_setup(double lat1, double lon1, double lat2, double lon2, double a[3], double u[3]) {
  double b[3], cs[2];
  unit_vec(lat1, lon1, a);
  unit_vec(lat2, lon2, b);
  arc_setup_v(a, b, u, cs);
  return arc_angle(cs);
}

static void arc_point(const double a[3], const double u[3], double t, double *lat, double *lon) {
  double ct = cos(t), st = sin(t);
  double p[3] = {a[0] * ct + u[0] * st, a[1] * ct + u[1] * st, a[2] * ct + u[2] * st};
  double z = p[2] > 1.0 ? 1.0 : (p[2] < -1.0 ? -1.0 : p[2]);
  *lat = asin(z) * OSQ_R2D;
  *lon = atan2(p[1], p[0]) * OSQ_R2D;
}

static bool in_box(double lat, double lon, const osq_route_box_t *box) {
  return lat >= box->lat_min && lat <= box->lat_max && lon >= box->lon_min && lon <= box->lon_max;
}

/* Add the parameters t in (0, theta) where A cos t + B sin t = C to ts. */
static int add_roots(double A, double B, double C, double theta, double *ts, int n) {
  double R = sqrt(A * A + B * B);
  if (R < 1e-15 || fabs(C) > R) return n;
  double phi = atan2(B, A), al = acos(C / R);
  double cand[2] = {phi + al, phi - al};
  for (int i = 0; i < 2; i++) {
    double t = fmod(cand[i], 2.0 * OSQ_PI);
    if (t < 0) t += 2.0 * OSQ_PI;
    if (t > 0 && t < theta) ts[n++] = t;
  }
  return n;
}

double osq_route_gc_box_km(double lat1, double lon1, double lat2, double lon2, const osq_route_box_t *box) {
  /* Quick reject: away from the poles a great-circle arc's longitude runs monotonically between
   * its ends, so an arc whose ends are both east (or both west) of the box misses it. */
  double dl = lon2 - lon1;
  if (dl > -180.0 && dl < 180.0 && fabs(lat1) < 89.0 && fabs(lat2) < 89.0 &&
      ((lon1 > box->lon_max && lon2 > box->lon_max) || (lon1 < box->lon_min && lon2 < box->lon_min)))
    return 0.0;
  double a[3], u[3];
  double theta = arc_setup(lat1, lon1, lat2, lon2, a, u);
  if (theta <= 0) return 0.0;
  /* cut points: the arc's crossings of the box's two parallels and two meridians (each a
   * solution of A cos t + B sin t = C along the arc) */
  double ts[12];
  int n = 0;
  ts[n++] = 0.0;
  double lats[2] = {box->lat_min, box->lat_max};
  for (int i = 0; i < 2; i++) n = add_roots(a[2], u[2], sin(lats[i] * OSQ_D2R), theta, ts, n);
  double lons[2] = {box->lon_min, box->lon_max};
  for (int i = 0; i < 2; i++) {
    double nx = -sin(lons[i] * OSQ_D2R), ny = cos(lons[i] * OSQ_D2R); /* normal of the meridian plane */
    n = add_roots(nx * a[0] + ny * a[1], nx * u[0] + ny * u[1], 0.0, theta, ts, n);
  }
  ts[n++] = theta;
  for (int i = 1; i < n; i++) /* insertion sort: at most 10 values */
    for (int j = i; j > 0 && ts[j - 1] > ts[j]; j--) {
      double t = ts[j];
      ts[j] = ts[j - 1];
      ts[j - 1] = t;
    }
  double inside = 0.0;
  for (int i = 0; i + 1 < n; i++) {
    if (ts[i + 1] <= ts[i]) continue;
    double lat, lon;
    arc_point(a, u, 0.5 * (ts[i] + ts[i + 1]), &lat, &lon);
    if (in_box(lat, lon, box)) inside += ts[i + 1] - ts[i];
  }
  return inside * OSQ_EARTH_RADIUS_KM;
}

/*
 * Knots every OSQ_ROUTE_KNOT_KM along the great circle are exact; between two knots the track is
 * walked in straight lat/lon steps of a third of a cell. Over 150 km the straight line departs from
 * the great circle by about L^2 tan(lat) / 8R: 0.8 km at 60 degrees, 1.2 km at 70, less than a
 * 0.1-degree cell; the walk costs arithmetic instead of three trigonometric calls per step, and
 * this test runs for every candidate leg (it dominated the time of a trial).
 */
#define OSQ_ROUTE_KNOT_KM 150.0

static inline bool blocked_at(const osq_geo_raster_t *g, const osq_geo_buffer_t *nofly, double inv_res, double lat,
                              double lon) {
  long r = (long)((lat + 90.0) * inv_res);
  if (r < 0) r = 0;
  if (r >= g->nlat) r = g->nlat - 1;
  double x = lon + 180.0;
  while (x < 0.0) x += 360.0;
  while (x >= 360.0) x -= 360.0;
  long c = (long)(x * inv_res);
  if (c >= g->nlon) c = g->nlon - 1;
  const size_t idx = (size_t)r * (size_t)g->nlon + (size_t)c;
  return (nofly->bits[idx >> 6] >> (idx & 63)) & 1u;
}

/* True if the buffer's coarse blocks show no buffer cell in the box around the straight lat/lon
 * piece from (lat1, lon1) to (lat2, lon2) (lon2 unwrapped next to lon1), widened by a cell for the
 * rounding of the steps: then no step of the walk below can be blocked and it is skipped. Most
 * pieces lie far from any border, so this leaves the walk to the few that pass near one. */
static bool piece_clear(const osq_geo_raster_t *g, const osq_geo_buffer_t *nofly, double inv_res, double lat1,
                        double lon1, double lat2, double lon2) {
  const double la = fmin(lat1, lat2), lb = fmax(lat1, lat2);
  double xa = fmin(lon1, lon2) + 180.0, xb = fmax(lon1, lon2) + 180.0;
  const double shift = 360.0 * floor(xa / 360.0);
  xa -= shift;
  xb -= shift;
  if (xb >= 360.0 - 2.0 * g->res_deg || xa < 2.0 * g->res_deg) return false; /* near or across 180 E: walk */
  long r0 = (long)((la + 90.0) * inv_res) - 1, r1 = (long)((lb + 90.0) * inv_res) + 1;
  if (r0 < 0) r0 = 0;
  if (r1 > g->nlat - 1) r1 = g->nlat - 1;
  long c0 = (long)(xa * inv_res) - 1, c1 = (long)(xb * inv_res) + 1;
  if (c0 < 0) c0 = 0;
  if (c1 > g->nlon - 1) c1 = g->nlon - 1;
  if (r0 > r1) return false;
  return osq_geo_buffer_box_clear(nofly, (int)r0, (int)r1, (int)c0, (int)c1);
}

/* osq_route_leg_clear with the ends' unit vectors a and b known. */
static bool leg_clear(const osq_geo_raster_t *g, const osq_geo_buffer_t *nofly, const double a[3], double lat1,
                      double lon1, const double b[3], double lat2, double lon2) {
  if (!nofly) return true;
  const double inv_res = 1.0 / g->res_deg;
  double u[3], cs[2];
  arc_setup_v(a, b, u, cs); /* the angle (an atan2) only where it is needed: most legs end at the box test */
  /* The whole leg first: every point the walk below visits lies in the box of the knots around
   * it, and the knots lie on the arc, so if the blocks show no buffer cell in the arc's box (its
   * latitudes include its highest or lowest point when that is inside it; its longitudes run
   * monotonically away from the poles), the walk cannot fail. Most legs end here. */
  {
    /* The arc's latitude is monotone when it rises (or falls) at both ends: z' is u[2] at a and
     * u[2] cos theta - a[2] sin theta at b (its sign is all that counts here), and an arc spans
     * less than pi. Its extremes are then its ends' latitudes. */
    const double zb_rate = u[2] * cs[0] - a[2] * cs[1];
    double lat_lo = fmin(lat1, lat2), lat_hi = fmax(lat1, lat2);
    if (!(u[2] * zb_rate > 0.0)) {
      double zlo, zhi;
      osq_geo_arc_z_range(a, u, arc_angle(cs), b[2], &zlo, &zhi);
      lat_lo = asin(fmax(-1.0, zlo)) * OSQ_R2D;
      lat_hi = asin(fmin(1.0, zhi)) * OSQ_R2D;
    }
    double l2 = lon2;
    while (l2 - lon1 > 180.0) l2 -= 360.0;
    while (l2 - lon1 < -180.0) l2 += 360.0;
    if (lat_hi < 89.0 && lat_lo > -89.0 && piece_clear(g, nofly, inv_res, lat_lo, lon1, lat_hi, l2)) return true;
  }
  const double theta = arc_angle(cs);
  const double len_km = theta * OSQ_EARTH_RADIUS_KM;
  int K = (int)ceil(len_km / OSQ_ROUTE_KNOT_KM);
  if (K < 1) K = 1;
  double plat = lat1, plon = lon1;
  if (blocked_at(g, nofly, inv_res, plat, plon)) return false;
  for (int k = 1; k <= K; k++) {
    double lat, lon;
    if (k == K) {
      lat = lat2;
      lon = lon2;
    } else {
      arc_point(a, u, theta * k / K, &lat, &lon);
    }
    while (lon - plon > 180.0) lon -= 360.0;
    while (lon - plon < -180.0) lon += 360.0;
    if (piece_clear(g, nofly, inv_res, plat, plon, lat, lon)) {
      plat = lat;
      plon = lon;
      continue;
    }
    /* Steps of at most a third of a cell in latitude and in longitude visit every cell the line
     * crosses (but for a corner's width), at any latitude and resolution. */
    const double span = fmax(fabs(lat - plat), fabs(lon - plon));
    const int n = span > 0 ? (int)ceil(span / (g->res_deg / 3.0)) : 1;
    const double dlat = (lat - plat) / n, dlon = (lon - plon) / n;
    for (int j = 1; j <= n; j++)
      if (blocked_at(g, nofly, inv_res, plat + j * dlat, plon + j * dlon)) return false;
    plat = lat;
    plon = lon;
  }
  return true;
}

/* leg_clear between points i and j of lim->known, looked up where known and remembered where not
 * (ids < 0: computed). */
static bool leg_clear_known(const osq_geo_raster_t *g, const osq_route_limits_t *lim, int i, int j, const double a[3],
                            double lat1, double lon1, const double b[3], double lat2, double lon2) {
  if (!lim->nofly) return true;
  const osq_route_known_t *kn = lim->known;
  if (!kn || !kn->leg || i < 0 || j < 0 || i >= kn->n_points || j >= kn->n_points)
    return leg_clear(g, lim->nofly, a, lat1, lon1, b, lat2, lon2);
  uint16_t *e = &kn->leg[(size_t)i * (size_t)kn->n_points + (size_t)j];
  if ((*e >> 1) == kn->tag) return *e & 1u;
  const bool ok = leg_clear(g, lim->nofly, a, lat1, lon1, b, lat2, lon2);
  *e = (uint16_t)((unsigned)kn->tag << 1 | (ok ? 1u : 0u));
  return ok;
}

bool osq_route_leg_clear(const osq_geo_raster_t *g, const osq_geo_buffer_t *nofly, double lat1, double lon1,
                         double lat2, double lon2) {
  double a[3], b[3];
  unit_vec(lat1, lon1, a);
  unit_vec(lat2, lon2, b);
  return leg_clear(g, nofly, a, lat1, lon1, b, lat2, lon2);
}

void osq_route_init(osq_route_t *rt, double af_lat, double af_lon) { osq_route_init_id(rt, af_lat, af_lon, -1); }

void osq_route_init_id(osq_route_t *rt, double af_lat, double af_lon, int af_id) {
  memset(rt, 0, sizeof *rt);
  rt->id[0] = rt->id[1] = af_id;
  rt->lat[0] = rt->lat[1] = af_lat;
  rt->lon[0] = rt->lon[1] = af_lon;
  osq_route_point(af_lat, af_lon, &rt->pt[0], &rt->coslat[0]);
  rt->pt[1] = rt->pt[0];
  rt->coslat[1] = rt->coslat[0];
}

double osq_route_length_km(const osq_route_t *rt) {
  double s = 0.0;
  for (int i = 0; i <= rt->n_sites; i++) s += osq_gc_distance_km(rt->lat[i], rt->lon[i], rt->lat[i + 1], rt->lon[i + 1]);
  return s;
}

/* Sum of legs in flying order with legs i and i + 1 of the new route being x1, x2. */
static double sum_with(const double *legs, int n_legs, int i, double x1, double x2) {
  double s = 0.0;
  for (int j = 0; j < i; j++) s += legs[j];
  s += x1;
  s += x2;
  for (int j = i + 1; j < n_legs; j++) s += legs[j];
  return s;
}

bool osq_route_try_add(osq_route_t *rt, const osq_geo_raster_t *g, double lat, double lon,
                       const osq_route_limits_t *lim) {
  return osq_route_try_add_id(rt, g, lat, lon, -1, lim);
}

bool osq_route_try_add_id(osq_route_t *rt, const osq_geo_raster_t *g, double lat, double lon, int id,
                          const osq_route_limits_t *lim) {
  int n = rt->n_sites;
  const osq_route_known_t *kn = lim->known;
  if (!kn || id < 0 || id >= kn->n_points) id = -1;
  if (n >= OSQ_ROUTE_SITES_MAX || !(lim->max_km > 0)) return false;
  int n_legs = n + 1;
  double total[OSQ_ROUTE_SITES_MAX + 1], btotal[OSQ_ROUTE_SITES_MAX + 1];
  double d1[OSQ_ROUTE_SITES_MAX + 1], d2[OSQ_ROUTE_SITES_MAX + 1];
  double b1[OSQ_ROUTE_SITES_MAX + 1], b2[OSQ_ROUTE_SITES_MAX + 1];
  bool ok[OSQ_ROUTE_SITES_MAX + 1];
  int n_ok = 0;
  /* The distance from the new point to each route point, once: the haversine is symmetric to the
   * bit (sin is odd, the product of cosines commutes), so leg i's d2 is leg i + 1's d1. */
  double dn[OSQ_ROUTE_SITES_MAX + 2];
  /* the new point's cosine now, its path point (two libm calls more) only once an insertion is
   * feasible, as before the known points: most candidates fail on length */
  osq_geo_path_pt_t pn = {{0.0, 0.0, 0.0}, 0.0, 0.0, 0.0};
  const double cn = id >= 0 ? kn->coslat[id] : cos(lat * OSQ_D2R);
  for (int j = 0; j <= n_legs; j++)
    dn[j] = j == n_legs && rt->lat[j] == rt->lat[0] && rt->lon[j] == rt->lon[0]
                ? dn[0] /* back at the airfield */
            : id >= 0 && rt->id[j] >= 0 && rt->id[j] < kn->n_points
                ? kn->dist_km[(size_t)rt->id[j] * (size_t)kn->n_points + (size_t)id] /* the same haversine */
                : osq_haversine_cos_km(rt->lat[j], rt->lon[j], rt->coslat[j], lat, lon, cn);
  for (int i = 0; i < n_legs; i++) { /* insert between point i and point i + 1 */
    ok[i] = false;
    d1[i] = dn[i];
    d2[i] = dn[i + 1];
    total[i] = sum_with(rt->leg_km, n_legs, i, d1[i], d2[i]);
    if (!(total[i] <= lim->max_km)) continue;
    b1[i] = b2[i] = btotal[i] = 0.0;
    if (lim->sublimit) {
      b1[i] = osq_route_gc_box_km(rt->lat[i], rt->lon[i], lat, lon, lim->sublimit);
      b2[i] = osq_route_gc_box_km(lat, lon, rt->lat[i + 1], rt->lon[i + 1], lim->sublimit);
      btotal[i] = sum_with(rt->leg_box_km, n_legs, i, b1[i], b2[i]);
      if (!(btotal[i] <= lim->sublimit->max_km)) continue;
    }
    ok[i] = true;
    n_ok++;
  }
  /* cheapest feasible insertion whose two new legs keep out of the no-fly buffer */
  int best = -1;
  if (n_ok > 0) {
    if (id >= 0) pn = kn->pt[id];
    else osq_geo_path_point(lat, lon, &pn);
  }
  const double *vn = pn.v;
  while (n_ok > 0) {
    best = -1;
    for (int i = 0; i < n_legs; i++)
      if (ok[i] && (best < 0 || total[i] < total[best])) best = i;
    if (leg_clear_known(g, lim, rt->id[best], id, rt->pt[best].v, rt->lat[best], rt->lon[best], vn, lat, lon) &&
        leg_clear_known(g, lim, id, rt->id[best + 1], vn, lat, lon, rt->pt[best + 1].v, rt->lat[best + 1],
                        rt->lon[best + 1]))
      break;
    ok[best] = false;
    n_ok--;
    best = -1;
  }
  if (best < 0) return false;

  for (int j = n + 1; j > best; j--) { /* points best+1 .. n+1 move up by one */
    rt->lat[j + 1] = rt->lat[j];
    rt->lon[j + 1] = rt->lon[j];
    rt->coslat[j + 1] = rt->coslat[j];
    rt->id[j + 1] = rt->id[j];
    rt->pt[j + 1] = rt->pt[j];
  }
  for (int j = n; j > best; j--) { /* legs best+1 .. n move up by one */
    rt->leg_km[j + 1] = rt->leg_km[j];
    rt->leg_box_km[j + 1] = rt->leg_box_km[j];
  }
  rt->lat[best + 1] = lat;
  rt->lon[best + 1] = lon;
  rt->coslat[best + 1] = cn;
  rt->id[best + 1] = id;
  rt->pt[best + 1] = pn;
  rt->leg_km[best] = d1[best];
  rt->leg_km[best + 1] = d2[best];
  rt->leg_box_km[best] = b1[best];
  rt->leg_box_km[best + 1] = b2[best];
  rt->n_sites = n + 1;
  rt->length_km = total[best];
  rt->box_km = btotal[best];
  return true;
}

int osq_route_generate(osq_route_t *rt, const osq_geo_raster_t *g, osq_geo_sampler_t *sampler, const uint8_t *tids,
                       int n_tids, double af_lat, double af_lon, int n_sites, const osq_route_limits_t *lim,
                       gsl_rng *rng) {
  osq_route_init(rt, af_lat, af_lon);
  if (!g || !sampler || !lim || !rng || n_sites < 0 || n_tids < 0 || (n_tids > 0 && !tids)) return OSQ_EINVAL;
  if (n_sites > OSQ_ROUTE_SITES_MAX) n_sites = OSQ_ROUTE_SITES_MAX;
  if (n_sites == 0 || !(lim->max_km > 0)) return 0;
  double area = osq_geo_sampler_aim(sampler, g, tids, n_tids, af_lat, af_lon, 0.5 * lim->max_km);
  if (area < 0) return OSQ_EINVAL;
  if (area == 0) return 0;
  int max_fail = lim->max_fail > 0 ? lim->max_fail : OSQ_ROUTE_MAX_FAIL_DEFAULT;
  int fails = 0;
  while (rt->n_sites < n_sites && fails < max_fail) {
    double lat, lon;
    if (osq_geo_sampler_draw(sampler, g, rng, &lat, &lon)) break;
    if (osq_route_try_add(rt, g, lat, lon, lim)) fails = 0;
    else fails++;
  }
  return rt->n_sites;
}

double osq_route_mark(const osq_route_t *rt, const osq_geo_raster_t *g, double half_width_km, osq_geo_marks_t *m) {
  if (rt->n_sites == 0) return 0.0; /* no flight path: the aircraft never left the airfield */
  return osq_geo_mark_path_pts(g, rt->pt, rt->n_sites + 2, NULL, half_width_km, m);
}
