/*
 * test_geo.c checks models/ raster, sampler, no-fly buffer and swath (models/geo.h) and sim/input/geodata: the TopoJSON reader (decoding, errors), the
 * rasteriser on hand-made polygons against analytic spherical areas (squares at 0 and 60 N, a
 * hole, a polygon across 180 degrees, a ring around the pole), the real territories of the 34
 * States Parties against reference areas (table printed), where disputed and outlying places
 * end up, the swath marker (area of a straight swath, far points untouched, clear/merge/filter),
 * the area-weighted sampler and the no-fly buffer.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "models/geo.h"
#include "models/route.h"
#include "sim/input/geodata.h"

#define DATA OSQ_SOURCE_DIR "/data/countries-50m.json"

static const double PI = 3.14159265358979323846;
#define R OSQ_EARTH_RADIUS_KM

/* analytic area of the lat/lon box on the sphere */
static double box_area(double lat1, double lat2, double lon1, double lon2) {
  return R * R * (lon2 - lon1) * PI / 180.0 * (sin(lat2 * PI / 180.0) - sin(lat1 * PI / 180.0));
}

/* ------------------------------------------------------------------------------------------ */
/* Hand-made polygons                                                                         */
/* ------------------------------------------------------------------------------------------ */

#define MAXP 64
typedef struct {
  osq_geo_polys_t p;
  double lon[256], lat[256];
  size_t ring_start[MAXP + 1];
  int poly_ring[MAXP + 1];
  int poly_feature[MAXP];
  uint8_t poly_tid[MAXP];
} hand_t;

static void hand_init(hand_t *h) {
  memset(h, 0, sizeof *h);
  h->p.lon = h->lon;
  h->p.lat = h->lat;
  h->p.ring_start = h->ring_start;
  h->p.poly_ring = h->poly_ring;
  h->p.poly_feature = h->poly_feature;
  h->p.poly_tid = h->poly_tid;
}

/* add a ring (n vertices, lon/lat pairs) to the polygon being built; new_poly starts a polygon */
static void hand_ring(hand_t *h, bool new_poly, uint8_t tid, int n, const double *lonlat) {
  osq_geo_polys_t *p = &h->p;
  if (new_poly) {
    p->poly_ring[p->n_polys] = p->n_rings;
    p->poly_feature[p->n_polys] = -1;
    p->poly_tid[p->n_polys] = tid;
    p->n_polys++;
  }
  p->ring_start[p->n_rings] = p->n_pts;
  for (int i = 0; i < n; i++) {
    p->lon[p->n_pts] = lonlat[2 * i];
    p->lat[p->n_pts] = lonlat[2 * i + 1];
    p->n_pts++;
  }
  p->n_rings++;
  p->ring_start[p->n_rings] = p->n_pts;
  p->poly_ring[p->n_polys] = p->n_rings;
}

static void hand_box(hand_t *h, bool new_poly, uint8_t tid, double lon1, double lat1, double lon2, double lat2) {
  double v[] = {lon1, lat1, lon2, lat1, lon2, lat2, lon1, lat2, lon1, lat1};
  hand_ring(h, new_poly, tid, 5, v);
}

static osq_geo_raster_t *build(const osq_geo_polys_t *p, int n_terr, double res) {
  osq_geo_raster_t *g = NULL;
  int rc = osq_geo_raster_build(p, n_terr, res, &g);
  cr_assert_eq(rc, 0, "raster build failed: %d", rc);
  return g;
}

Test(geo, cell_area_sums_to_sphere) {
  hand_t h;
  hand_init(&h);
  osq_geo_raster_t *g = build(&h.p, 0, 0.5);
  double s = 0.0;
  for (int r = 0; r < g->nlat; r++) s += (double)g->row_area_km2[r] * g->nlon;
  cr_expect(fabs(s / (4 * PI * R * R) - 1.0) < 1e-6, "sphere %.1f vs %.1f", s, 4 * PI * R * R);
  cr_expect(fabs(g->area_km2[OSQ_GEO_NONE] / (4 * PI * R * R) - 1.0) < 1e-6);
  osq_geo_raster_free(g);
}

Test(geo, squares_match_spherical_area) {
  hand_t h;
  hand_init(&h);
  hand_box(&h, true, 1, 0.03, 0.02, 10.03, 10.02);   /* 10x10 degrees at the equator, off-grid */
  hand_box(&h, true, 2, 20.01, 60.04, 30.01, 70.04); /* 10x10 degrees at 60 N */
  osq_geo_raster_t *g = build(&h.p, 2, 0.1);
  double a1 = box_area(0.02, 10.02, 0.03, 10.03), a2 = box_area(60.04, 70.04, 20.01, 30.01);
  cr_log_info("equator square: %.0f km2 (analytic %.0f); 60N square: %.0f km2 (analytic %.0f)", g->area_km2[1], a1,
              g->area_km2[2], a2);
  cr_expect(fabs(g->area_km2[1] / a1 - 1.0) < 0.01, "equator %.0f vs %.0f", g->area_km2[1], a1);
  cr_expect(fabs(g->area_km2[2] / a2 - 1.0) < 0.01, "60N %.0f vs %.0f", g->area_km2[2], a2);
  cr_expect_eq(osq_geo_tid_at(g, 5.0, 5.0), 1);
  cr_expect_eq(osq_geo_tid_at(g, 65.0, 25.0), 2);
  cr_expect_eq(osq_geo_tid_at(g, 30.0, 15.0), OSQ_GEO_NONE);
  osq_geo_raster_free(g);
}

Test(geo, polygon_with_hole) {
  hand_t h;
  hand_init(&h);
  hand_box(&h, true, 1, 0.0, 40.0, 10.0, 50.0);
  hand_box(&h, false, 1, 2.0, 42.0, 8.0, 48.0); /* hole */
  osq_geo_raster_t *g = build(&h.p, 1, 0.1);
  double a = box_area(40, 50, 0, 10) - box_area(42, 48, 2, 8);
  cr_expect(fabs(g->area_km2[1] / a - 1.0) < 0.01, "%.0f vs %.0f", g->area_km2[1], a);
  cr_expect_eq(osq_geo_tid_at(g, 45.0, 5.0), OSQ_GEO_NONE, "centre of the hole is not filled");
  cr_expect_eq(osq_geo_tid_at(g, 41.0, 5.0), 1);
  osq_geo_raster_free(g);
}

Test(geo, polygon_across_antimeridian) {
  hand_t h;
  hand_init(&h);
  /* consecutive vertices 350 degrees apart are joined the short way, across 180 */
  double v[] = {175.0, 10.0, -175.0, 10.0, -175.0, 20.0, 175.0, 20.0, 175.0, 10.0};
  hand_ring(&h, true, 1, 5, v);
  /* the same size drawn as Natural Earth does: split at 180 into two polygons */
  hand_box(&h, true, 2, 175.0, 30.0, 180.0, 40.0);
  hand_box(&h, true, 2, -180.0, 30.0, -175.0, 40.0);
  osq_geo_raster_t *g = build(&h.p, 2, 0.1);
  double a1 = box_area(10, 20, 175, 185), a2 = box_area(30, 40, 175, 185);
  cr_expect(fabs(g->area_km2[1] / a1 - 1.0) < 0.01, "joined %.0f vs %.0f", g->area_km2[1], a1);
  cr_expect(fabs(g->area_km2[2] / a2 - 1.0) < 0.01, "split %.0f vs %.0f", g->area_km2[2], a2);
  cr_expect_eq(osq_geo_tid_at(g, 15.0, 179.95), 1);
  cr_expect_eq(osq_geo_tid_at(g, 15.0, -179.95), 1);
  cr_expect_eq(osq_geo_tid_at(g, 15.0, 0.0), OSQ_GEO_NONE, "not the long way round");
  cr_expect_eq(osq_geo_tid_at(g, 35.0, 179.95), 2);
  cr_expect_eq(osq_geo_tid_at(g, 35.0, -179.95), 2);
  osq_geo_raster_free(g);
}

Test(geo, ring_around_the_pole) {
  hand_t h;
  hand_init(&h);
  double v[2 * 13];
  for (int i = 0; i <= 12; i++) { /* winds once around the globe at 80 N */
    v[2 * i] = -180.0 + 30.0 * i;
    if (v[2 * i] > 180.0) v[2 * i] -= 360.0;
    v[2 * i + 1] = 80.0;
  }
  hand_ring(&h, true, 1, 13, v);
  osq_geo_raster_t *g = build(&h.p, 1, 0.1);
  double a = box_area(80, 90, -180, 180);
  cr_expect(fabs(g->area_km2[1] / a - 1.0) < 0.01, "polar cap %.0f vs %.0f", g->area_km2[1], a);
  cr_expect_eq(osq_geo_tid_at(g, 89.0, 10.0), 1);
  cr_expect_eq(osq_geo_tid_at(g, 70.0, 10.0), OSQ_GEO_NONE);
  osq_geo_raster_free(g);
}

Test(geo, raster_rejects_bad_arguments) {
  hand_t h;
  hand_init(&h);
  hand_box(&h, true, 3, 0, 0, 1, 1);
  osq_geo_raster_t *g = (osq_geo_raster_t *)1;
  cr_expect_eq(osq_geo_raster_build(&h.p, 2, 0.1, &g), OSQ_EINVAL, "tid 3 > n_terr 2");
  cr_expect_null(g);
  cr_expect_eq(osq_geo_raster_build(&h.p, 3, 0.001, &g), OSQ_EINVAL, "resolution too fine");
  cr_expect_eq(osq_geo_raster_build(&h.p, 3, 0.0, &g), OSQ_EINVAL);
  cr_expect_eq(osq_geo_raster_build(&h.p, 300, 0.1, &g), OSQ_EINVAL);
}

/* ------------------------------------------------------------------------------------------ */
/* TopoJSON reader                                                                            */
/* ------------------------------------------------------------------------------------------ */

static void write_tmp(char *path, const char *text) {
  strcpy(path, "/tmp/osq_test_geo_XXXXXX");
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  size_t n = strlen(text);
  cr_assert_eq(write(fd, text, n), (ssize_t)n);
  close(fd);
}

/* Two squares sharing an edge, arcs quantised and delta-encoded:
 * arc 0: the shared edge (1,0)->(1,1); arc 1: (1,1)->(0,1)->(0,0)->(1,0); arc 2: (1,0)->(2,0)->(2,1)->(1,1)
 * quantised with scale 0.5 and translate (10, 20): q = 2 * (x - 10), 2 * (y - 20). */
static const char *TINY =
    "{\"type\":\"Topology\",\"transform\":{\"scale\":[0.5,0.5],\"translate\":[10,20]},"
    "\"objects\":{\"countries\":{\"type\":\"GeometryCollection\",\"geometries\":["
    "{\"type\":\"Polygon\",\"id\":\"276\",\"properties\":{\"name\":\"West\"},\"arcs\":[[1,0]]},"
    "{\"type\":\"MultiPolygon\",\"id\":\"250\",\"properties\":{\"name\":\"East\"},\"arcs\":[[[2,-1]]]},"
    "{\"type\":null,\"id\":\"999\",\"properties\":{\"name\":\"Nothing\"}}]}},"
    "\"arcs\":[[[2,0],[0,2]],[[2,2],[-2,0],[0,-2],[2,0]],[[2,0],[2,0],[0,2],[-2,0]]]}";

Test(geodata, decodes_quantised_delta_arcs) {
  char path[64];
  write_tmp(path, TINY);
  osq_error_t err;
  osq_error_clear(&err);
  osq_geo_polys_t *p = NULL;
  int rc = osq_geodata_load(path, &p, &err);
  cr_assert_eq(rc, 0, "%s", err.n ? err.msg[0] : "");
  cr_expect_eq(p->n_features, 3);
  cr_expect_eq(p->features[0].iso_n3, 276);
  cr_expect_str_eq(p->features[1].name, "East");
  cr_expect_eq(p->n_polys, 2);
  /* West: arc 1 then arc 0 => (11,21) (10,21) (10,20) (11,20) (11,21) */
  double wx[] = {11, 10, 10, 11, 11}, wy[] = {21, 21, 20, 20, 21};
  size_t a = p->ring_start[p->poly_ring[0]];
  cr_assert_eq(p->ring_start[p->poly_ring[0] + 1] - a, 5);
  for (int i = 0; i < 5; i++) {
    cr_expect_float_eq(p->lon[a + i], wx[i], 1e-12, "west x[%d]", i);
    cr_expect_float_eq(p->lat[a + i], wy[i], 1e-12, "west y[%d]", i);
  }
  /* East: arc 2 then arc 0 reversed (~0 = -1) => (11,20) (12,20) (12,21) (11,21) (11,20) */
  double ex[] = {11, 12, 12, 11, 11}, ey[] = {20, 20, 21, 21, 20};
  a = p->ring_start[p->poly_ring[1]];
  cr_assert_eq(p->ring_start[p->poly_ring[1] + 1] - a, 5);
  for (int i = 0; i < 5; i++) {
    cr_expect_float_eq(p->lon[a + i], ex[i], 1e-12, "east x[%d]", i);
    cr_expect_float_eq(p->lat[a + i], ey[i], 1e-12, "east y[%d]", i);
  }
  cr_expect_eq(p->poly_feature[1], 1);
  osq_geodata_polys_free(p);
  unlink(path);
}

Test(geodata, missing_file_names_it) {
  osq_error_t err;
  osq_error_clear(&err);
  osq_geo_polys_t *p = (osq_geo_polys_t *)1;
  int rc = osq_geodata_load("/nonexistent/boundaries.json", &p, &err);
  cr_expect_eq(rc, OSQ_EIO);
  cr_expect_null(p);
  cr_assert_eq(err.n, 1);
  cr_expect(strstr(err.msg[0], "/nonexistent/boundaries.json") != NULL, "%s", err.msg[0]);
}

Test(geodata, bad_json_names_file_and_line) {
  char path[64];
  write_tmp(path, "{\"type\":\"Topology\",\n\"arcs\": [1, 2,,]}");
  osq_error_t err;
  osq_error_clear(&err);
  osq_geo_polys_t *p = NULL;
  cr_expect_eq(osq_geodata_load(path, &p, &err), OSQ_EIO);
  cr_assert_eq(err.n, 1);
  char want[80];
  snprintf(want, sizeof want, "%s:2:", path);
  cr_expect(strstr(err.msg[0], want) != NULL, "%s", err.msg[0]);
  unlink(path);
}

Test(geodata, not_a_topology_and_bad_arc) {
  char path[64];
  write_tmp(path, "{\"type\":\"FeatureCollection\",\"features\":[]}");
  osq_error_t err;
  osq_error_clear(&err);
  osq_geo_polys_t *p = NULL;
  cr_expect_eq(osq_geodata_load(path, &p, &err), OSQ_EIO);
  cr_expect(strstr(err.msg[0], "Topology") != NULL, "%s", err.msg[0]);
  unlink(path);
  write_tmp(path, "{\"type\":\"Topology\",\"objects\":{\"countries\":{\"type\":\"GeometryCollection\","
                  "\"geometries\":[{\"type\":\"Polygon\",\"id\":\"1\",\"arcs\":[[5]]}]}},\"arcs\":[[[0,0],[1,1]]]}");
  osq_error_clear(&err);
  cr_expect_eq(osq_geodata_load(path, &p, &err), OSQ_EIO);
  cr_expect(strstr(err.msg[0], "arc index 5") != NULL, "%s", err.msg[0]);
  unlink(path);
}

Test(geodata, missing_country_and_unknown_code) {
  char path[64];
  write_tmp(path, TINY); /* has Germany (276) but not Poland */
  osq_error_t err;
  osq_error_clear(&err);
  osq_geo_polys_t *p = NULL;
  cr_assert_eq(osq_geodata_load(path, &p, &err), 0);
  const char *ok[] = {"DE"};
  cr_expect_eq(osq_geodata_assign(p, ok, 1, 0, &err), 0);
  cr_expect_eq(p->poly_tid[0], 1);
  cr_expect_eq(p->poly_tid[1], OSQ_GEO_FOREIGN, "France not requested: foreign land");
  const char *missing[] = {"DE", "PL"};
  cr_expect_eq(osq_geodata_assign(p, missing, 2, 0, &err), OSQ_ECONFIG);
  cr_assert_eq(err.n, 1);
  cr_expect(strstr(err.msg[0], path) != NULL && strstr(err.msg[0], "616") != NULL, "%s", err.msg[0]);
  osq_error_clear(&err);
  const char *unknown[] = {"XX"};
  cr_expect_eq(osq_geodata_assign(p, unknown, 1, 0, &err), OSQ_ECONFIG);
  cr_expect(strstr(err.msg[0], "'XX'") != NULL, "%s", err.msg[0]);
  osq_error_clear(&err);
  const char *twice[] = {"DE", "DE"};
  cr_expect_eq(osq_geodata_assign(p, twice, 2, 0, &err), OSQ_ECONFIG);
  osq_geodata_polys_free(p);
  unlink(path);
}

Test(geodata, alpha2_table) {
  cr_expect_eq(osq_geodata_iso_numeric("DE"), 276);
  cr_expect_eq(osq_geodata_iso_numeric("RU"), 643);
  cr_expect_eq(osq_geodata_iso_numeric("US"), 840);
  cr_expect_eq(osq_geodata_iso_numeric("XX"), -1);
  cr_expect_eq(osq_geodata_state("DK")->n_parts, 3);
  for (int i = 0; i < OSQ_GEODATA_STATES; i++) {
    const osq_geodata_state_t *s = osq_geodata_state_at(i);
    cr_assert_not_null(s);
    cr_expect_eq(osq_geodata_state(s->alpha2), s, "%s", s->alpha2);
  }
  cr_expect_null(osq_geodata_state_at(OSQ_GEODATA_STATES));
}

/* ------------------------------------------------------------------------------------------ */
/* The real territories                                                                       */
/* ------------------------------------------------------------------------------------------ */

static const char *codes[OSQ_GEODATA_STATES];

static osq_geo_raster_t *world(double res, unsigned flags) {
  osq_error_t err;
  osq_error_clear(&err);
  osq_geo_polys_t *p = NULL;
  int rc = osq_geodata_load(DATA, &p, &err);
  cr_assert_eq(rc, 0, "%s", err.n ? err.msg[0] : "");
  for (int i = 0; i < OSQ_GEODATA_STATES; i++) codes[i] = osq_geodata_state_at(i)->alpha2;
  rc = osq_geodata_assign(p, codes, OSQ_GEODATA_STATES, flags, &err);
  cr_assert_eq(rc, 0, "%s", err.n ? err.msg[0] : "");
  osq_geo_raster_t *g = build(p, OSQ_GEODATA_STATES, res);
  osq_geodata_polys_free(p);
  return g;
}

static int tid_of(const char *code) {
  for (int i = 0; i < OSQ_GEODATA_STATES; i++)
    if (strcmp(codes[i], code) == 0) return i + 1;
  cr_assert_fail("no %s", code);
  return 0;
}

/* area of a territory's cells whose centre is in a box */
static double area_in(const osq_geo_raster_t *g, int t, double lat1, double lat2, double lon1, double lon2) {
  double a = 0.0;
  for (size_t i = 0; i < g->n_cells; i++) {
    if (g->tid[i] != t) continue;
    double lat, lon;
    osq_geo_cell_centre(g, i, &lat, &lon);
    if (lat >= lat1 && lat <= lat2 && lon >= lon1 && lon <= lon2) a += g->row_area_km2[i / (size_t)g->nlon];
  }
  return a;
}

/* Reference areas (km²) of data/reference/states_parties_land_area.csv: mledoze/countries
 * countries.json (ODbL-1.0), commit 5e9f370050f83ad2ba4cb885f75d66114badf72c. Tolerances: 3 %
 * where the definitions agree; docs/geography.md explains every wider one. */
static const struct {
  const char *code;
  double ref_km2;
  double tol;
  const char *note;
} REF[] = {
    {"BA", 51209, 0.03, ""},
    {"BE", 30528, 0.03, ""},
    {"BG", 110879, 0.03, ""},
    {"BY", 207600, 0.03, ""},
    {"CA", 9984670, 0.03, ""},
    {"CZ", 78865, 0.03, ""},
    {"DE", 357114, 0.03, ""},
    {"DK", 43094 + 2166086 + 1393, 0.03, "with Greenland and the Faroes"},
    {"EE", 45227, 0.03, ""},
    {"ES", 505992, 0.03, ""},
    {"FI", 338424, 0.03, "with Aland"},
    {"FR", 551695, 0.03, "metropolitan"},
    {"GB", 242900, 0.03, ""},
    {"GE", 69700, 0.03, "with Abkhazia, S. Ossetia"},
    {"GR", 131990, 0.03, ""},
    {"HR", 56594, 0.03, ""},
    {"HU", 93028, 0.03, ""},
    {"IS", 103000, 0.03, ""},
    {"IT", 301336, 0.03, ""},
    {"LT", 65300, 0.03, ""},
    {"LU", 2586, 0.03, ""},
    {"LV", 64559, 0.03, ""},
    {"NL", 41850, 0.15, "reference includes inland water"},
    {"NO", 323802, 0.22, "osq adds Svalbard, Jan Mayen"},
    {"PL", 312679, 0.03, ""},
    {"PT", 92090, 0.03, ""},
    {"RO", 238391, 0.03, ""},
    {"RU", 17098242, 0.03, "Crimea to UA"},
    {"SE", 450295, 0.03, ""},
    {"SI", 20273, 0.03, ""},
    {"SK", 49037, 0.03, ""},
    {"TR", 783562, 0.03, ""},
    {"UA", 603500, 0.03, "with Crimea"},
    {"US", 9372610, 0.03, "with Alaska, Hawaii"},
};

Test(territory, germany_within_3_percent) {
  osq_geo_raster_t *g = world(OSQ_GEO_RES_DEFAULT, 0);
  double a = g->area_km2[tid_of("DE")];
  cr_log_info("Germany: %.0f km2 at 0.1 deg (reference 357,114)", a);
  cr_expect(fabs(a / 357114.0 - 1.0) < 0.03, "Germany %.0f", a);
  osq_geo_raster_free(g);
}

Test(territory, all_34_states_against_reference) {
  osq_geo_raster_t *g = world(OSQ_GEO_RES_DEFAULT, 0);
  cr_assert_eq(sizeof REF / sizeof REF[0], OSQ_GEODATA_STATES);
  printf("\n%-4s %12s %12s %8s  %s\n", "code", "osq_km2", "ref_km2", "diff_%", "note");
  double sum = 0, sum_ref = 0;
  for (size_t i = 0; i < sizeof REF / sizeof REF[0]; i++) {
    double a = g->area_km2[tid_of(REF[i].code)];
    double d = a / REF[i].ref_km2 - 1.0;
    sum += a;
    sum_ref += REF[i].ref_km2;
    printf("%-4s %12.0f %12.0f %+8.2f  %s\n", REF[i].code, a, REF[i].ref_km2, 100 * d, REF[i].note);
    cr_expect(fabs(d) < REF[i].tol, "%s: %.0f vs %.0f (%+.2f %%, tolerance %.0f %%)", REF[i].code, a,
              REF[i].ref_km2, 100 * d, 100 * REF[i].tol);
  }
  printf("%-4s %12.0f %12.0f %+8.2f\n", "ALL", sum, sum_ref, 100 * (sum / sum_ref - 1.0));
  fflush(stdout);
  osq_geo_raster_free(g);
}

Test(territory, parts_of_denmark_and_norway) {
  osq_geo_raster_t *g = world(OSQ_GEO_RES_DEFAULT, 0);
  int dk = tid_of("DK"), no = tid_of("NO");
  double metro = area_in(g, dk, 54, 58, 7, 16), gl = area_in(g, dk, 59, 84, -75, -10),
         fo = area_in(g, dk, 61, 63, -8, -6);
  double svalbard = area_in(g, no, 74, 81, 0, 35), jan_mayen = area_in(g, no, 70.5, 71.5, -10, -7);
  double mainland = g->area_km2[no] - svalbard - jan_mayen;
  cr_log_info("DK metro %.0f, Greenland %.0f, Faroes %.0f; NO mainland %.0f, Svalbard %.0f, Jan Mayen %.0f", metro,
              gl, fo, mainland, svalbard, jan_mayen);
  cr_expect(fabs(metro / 43094 - 1) < 0.03, "Denmark proper %.0f", metro);
  cr_expect(fabs(gl / 2166086 - 1) < 0.03, "Greenland %.0f", gl);
  cr_expect(fabs(fo / 1393 - 1) < 0.30, "Faroes %.0f (islands of a few cells each)", fo);
  cr_expect(fabs(metro + gl + fo - g->area_km2[dk]) < 1.0, "no other Danish cells");
  cr_expect(fabs(mainland / 323802 - 1) < 0.03, "Norway without Svalbard/Jan Mayen %.0f", mainland);
  cr_expect(svalbard > 55000 && svalbard < 68000, "Svalbard %.0f (about 61,000)", svalbard);
  osq_geo_raster_free(g);
}

Test(territory, where_places_belong) {
  osq_geo_raster_t *g = world(OSQ_GEO_RES_DEFAULT, 0);
  struct {
    const char *what;
    double lat, lon;
    const char *code; /* NULL: no party's territory */
  } P[] = {
      {"Simferopol, Crimea", 45.0, 34.1, "UA"},       {"Sevastopol", 44.6, 33.52, "UA"},
      {"Kaliningrad", 54.7, 20.5, "RU"},              {"Wrangel Island W of 180", 71.2, -179.5, "RU"},
      {"Wrangel Island E of 180", 71.3, 179.5, "RU"}, {"Chukotka E of 180", 66.0, -172.0, "RU"},
      {"Hawaii", 19.6, -155.5, "US"},                 {"Attu, Aleutians (E longitude)", 52.9, 173.2, "US"},
      {"Anchorage", 61.2, -149.8, "US"},              {"Svalbard", 78.0, 16.0, "NO"},
      {"Tenerife", 28.3, -16.6, "ES"},                {"Sao Miguel, Azores", 37.78, -25.5, "PT"},
      {"Madeira", 32.75, -16.95, "PT"},               {"Greenland", 72.0, -40.0, "DK"},
      {"Faroes", 62.2, -6.9, "DK"},                   {"Aland", 60.25, 20.0, "FI"},
      {"Corsica", 42.1, 9.1, "FR"},                   {"French Guiana", 4.0, -53.0, NULL},
      {"Reunion", -21.1, 55.5, NULL},                 {"Abkhazia", 43.0, 41.0, "GE"},
      {"Minsk", 53.9, 27.55, "BY"},                   {"Mexico City", 19.4, -99.1, NULL},
      {"Puerto Rico", 18.25, -66.5, NULL},
  };
  for (size_t i = 0; i < sizeof P / sizeof P[0]; i++) {
    uint8_t t = osq_geo_tid_at(g, P[i].lat, P[i].lon);
    if (P[i].code) cr_expect_eq(t, tid_of(P[i].code), "%s: got %d", P[i].what, t);
    else cr_expect(t == OSQ_GEO_NONE || t == OSQ_GEO_FOREIGN, "%s: got %d", P[i].what, t);
  }
  cr_expect_eq(osq_geo_tid_at(g, 19.4, -99.1), OSQ_GEO_FOREIGN, "Mexico is foreign land");
  cr_expect_eq(osq_geo_tid_at(g, 4.0, -53.0), OSQ_GEO_NONE, "French Guiana: French, but not modelled");
  cr_expect_eq(osq_geo_tid_at(g, 18.25, -66.5), OSQ_GEO_NONE, "Puerto Rico: US, but not modelled");
  cr_expect_eq(osq_geo_tid_at(g, 35.2, 33.4), OSQ_GEO_FOREIGN, "Northern Cyprus (no ISO id): foreign land");
  osq_geo_raster_free(g);
}

Test(territory, crimea_as_drawn_and_overseas_options) {
  osq_geo_raster_t *g = world(OSQ_GEO_RES_DEFAULT, OSQ_GEODATA_CRIMEA_AS_DRAWN | OSQ_GEODATA_OVERSEAS);
  cr_expect_eq(osq_geo_tid_at(g, 45.0, 34.1), tid_of("RU"), "Natural Earth 4.1 draws Crimea in Russia");
  cr_expect_eq(osq_geo_tid_at(g, 4.0, -53.0), tid_of("FR"), "French Guiana kept on request");
  double ua = g->area_km2[tid_of("UA")];
  cr_expect(ua < 580000 && ua > 560000, "Ukraine without Crimea %.0f", ua);
  osq_geo_raster_free(g);
}

/* ------------------------------------------------------------------------------------------ */
/* Swaths                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* destination point at distance d (km) and initial bearing b (deg) from (lat, lon) */
static void dest(double lat, double lon, double d, double b, double *lat2, double *lon2) {
  double p1 = lat * PI / 180, l1 = lon * PI / 180, a = d / R, th = b * PI / 180;
  double p2 = asin(sin(p1) * cos(a) + cos(p1) * sin(a) * cos(th));
  double l2 = l1 + atan2(sin(th) * sin(a) * cos(p1), cos(a) - sin(p1) * sin(p2));
  *lat2 = p2 * 180 / PI;
  *lon2 = l2 * 180 / PI;
  if (*lon2 > 180) *lon2 -= 360;
  if (*lon2 < -180) *lon2 += 360;
}

Test(swath, straight_segment_area) {
  osq_geo_raster_t *g = world(OSQ_GEO_RES_DEFAULT, 0);
  osq_geo_marks_t *m = osq_geo_marks_alloc(g);
  cr_assert_not_null(m);
  int ru = tid_of("RU");
  const double L = 500.0, w = 25.0;
  double expect = L * 2 * w + PI * w * w; /* a swath with round ends */
  struct {
    double lat, lon, bearing;
  } S[] = {{60.0, 90.0, 90.0}, {55.0, 45.0, 0.0}, {62.0, 100.0, 45.0}, {66.0, 120.0, 135.0}, {58.0, 75.0, 300.0}};
  for (size_t i = 0; i < sizeof S / sizeof S[0]; i++) {
    double lat2, lon2;
    dest(S[i].lat, S[i].lon, L, S[i].bearing, &lat2, &lon2);
    cr_expect_float_eq(osq_gc_distance_km(S[i].lat, S[i].lon, lat2, lon2), L, 1e-6);
    osq_geo_marks_clear(m);
    double a = osq_geo_mark_segment(g, S[i].lat, S[i].lon, lat2, lon2, w, m);
    cr_log_info("segment %zu: %.0f km2 marked, expected %.0f (L x 2w = %.0f)", i, a, expect, L * 2 * w);
    cr_expect(fabs(a / expect - 1.0) < 0.05, "segment %zu: %.0f vs %.0f", i, a, expect);
    cr_expect(fabs(m->area_km2[ru] - a) < 1e-6, "all of it Russian");
    cr_expect_float_eq(m->total_km2, a, 1e-9);
    /* the midpoint and a point 20 km to the side are marked; 40 km to the side is not */
    double mlat, mlon, slat, slon;
    dest(S[i].lat, S[i].lon, L / 2, S[i].bearing, &mlat, &mlon);
    cr_expect(osq_geo_marks_test(m, g, mlat, mlon));
    /* bearing of the segment at its midpoint: from the midpoint towards the end */
    double y = sin((lon2 - mlon) * PI / 180) * cos(lat2 * PI / 180);
    double x = cos(mlat * PI / 180) * sin(lat2 * PI / 180) - sin(mlat * PI / 180) * cos(lat2 * PI / 180) * cos((lon2 - mlon) * PI / 180);
    double brg = atan2(y, x) * 180 / PI;
    dest(mlat, mlon, 15.0, brg + 90, &slat, &slon);
    cr_expect(osq_geo_marks_test(m, g, slat, slon), "15 km to the side is inside the 25 km swath");
    dest(mlat, mlon, 40.0, brg + 90, &slat, &slon);
    cr_expect(!osq_geo_marks_test(m, g, slat, slon), "40 km to the side is outside");
    dest(mlat, mlon, 40.0, brg - 90, &slat, &slon);
    cr_expect(!osq_geo_marks_test(m, g, slat, slon), "40 km to the other side is outside");
  }
  osq_geo_marks_free(m);
  osq_geo_raster_free(g);
}

/* Cells count by their centre, so one swath's area depends on how it lies on the grid (a
 * north-south swath 50 km wide at the equator covers 4 or 5 columns of 11 km: -10 % or +10 %).
 * Over random positions and bearings the count is unbiased. */
Test(swath, unbiased_over_random_segments) {
  hand_t h;
  hand_init(&h);
  hand_box(&h, true, 1, -180.0, -70.0, 0.0, 70.0);
  hand_box(&h, true, 1, 0.0, -70.0, 180.0, 70.0);
  osq_geo_raster_t *g = build(&h.p, 1, OSQ_GEO_RES_DEFAULT);
  osq_geo_marks_t *m = osq_geo_marks_alloc(g);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2024);
  const double L = 500.0, w = 25.0, expect = L * 2 * w + PI * w * w;
  double sum = 0.0, worst = 0.0;
  int n = 400;
  for (int i = 0; i < n; i++) {
    double lat = -60.0 + 120.0 * gsl_rng_uniform(r), lon = -180.0 + 360.0 * gsl_rng_uniform(r);
    double b = 360.0 * gsl_rng_uniform(r), lat2, lon2;
    dest(lat, lon, L, b, &lat2, &lon2);
    osq_geo_marks_clear(m);
    double q = osq_geo_mark_segment(g, lat, lon, lat2, lon2, w, m) / expect;
    sum += q;
    if (fabs(q - 1) > worst) worst = fabs(q - 1);
  }
  cr_log_info("mean marked/expected over %d random 500 km x 25 km segments: %.4f (worst single %.1f %%)", n, sum / n,
              100 * worst);
  cr_expect(fabs(sum / n - 1.0) < 0.01, "mean ratio %.4f", sum / n);
  cr_expect(worst < 0.12, "worst single segment %.1f %%", 100 * worst);
  gsl_rng_free(r);
  osq_geo_marks_free(m);
  osq_geo_raster_free(g);
}

Test(swath, far_point_untouched_and_exact_distances) {
  osq_geo_raster_t *g = world(OSQ_GEO_RES_DEFAULT, 0);
  osq_geo_marks_t *m = osq_geo_marks_alloc(g);
  double lat1 = 50.0, lon1 = 10.0, lat2, lon2;
  dest(lat1, lon1, 300.0, 60.0, &lat2, &lon2);
  osq_geo_mark_segment(g, lat1, lon1, lat2, lon2, 30.0, m);
  cr_expect(!osq_geo_marks_test(m, g, 40.0, 3.0), "a point in Spain is not marked");
  /* every marked cell centre is within 30 km of the segment; the segment's own cells are marked */
  size_t bad = 0;
  for (size_t i = 0; i < m->n_touched; i++) {
    double lat, lon;
    osq_geo_cell_centre(g, m->touched[i], &lat, &lon);
    double best = 1e9;
    for (int k = 0; k <= 3000; k++) { /* distance to the segment, by dense sampling (0.1 km) */
      double la, lo;
      dest(lat1, lon1, 300.0 * k / 3000, 60.0, &la, &lo);
      double d = osq_gc_distance_km(lat, lon, la, lo);
      if (d < best) best = d;
    }
    if (best > 30.0 + 0.2) bad++;
  }
  cr_expect_eq(bad, 0, "%zu of %zu marked cells farther than the half-width", bad, m->n_touched);
  osq_geo_marks_free(m);
  osq_geo_raster_free(g);
}

Test(swath, across_the_antimeridian_and_into_the_sea) {
  osq_geo_raster_t *g = world(OSQ_GEO_RES_DEFAULT, 0);
  osq_geo_marks_t *m = osq_geo_marks_alloc(g);
  /* over Chukotka, from 176 E to 174 W */
  double a = osq_geo_mark_segment(g, 66.5, 176.0, 66.0, -174.0, 20.0, m);
  cr_expect(a > 0);
  cr_expect(osq_geo_marks_test(m, g, 66.3, 179.9) || osq_geo_tid_at(g, 66.3, 179.9) == OSQ_GEO_NONE);
  cr_expect(osq_geo_marks_test(m, g, 66.3, -179.9) || osq_geo_tid_at(g, 66.3, -179.9) == OSQ_GEO_NONE);
  cr_expect(!osq_geo_marks_test(m, g, 66.3, 0.0), "not the long way round");
  double expect_max = osq_gc_distance_km(66.5, 176.0, 66.0, -174.0) * 40.0 + PI * 400.0;
  cr_expect(a < expect_max * 1.05, "%.0f vs at most %.0f", a, expect_max);
  /* sea only: nothing marked */
  osq_geo_marks_clear(m);
  cr_expect_eq(osq_geo_mark_segment(g, 40.0, -40.0, 41.0, -38.0, 50.0, m), 0.0, "mid-Atlantic");
  cr_expect_eq(m->n_touched, 0);
  osq_geo_marks_free(m);
  osq_geo_raster_free(g);
}

Test(swath, clear_merge_filter) {
  osq_geo_raster_t *g = world(0.25, 0);
  osq_geo_marks_t *flight = osq_geo_marks_alloc(g), *year = osq_geo_marks_alloc(g);
  int de = tid_of("DE"), pl = tid_of("PL");
  /* Berlin to Warsaw crosses the DE/PL border */
  double a1 = osq_geo_mark_segment(g, 52.52, 13.40, 52.23, 21.01, 50.0, flight);
  cr_expect(a1 > 0 && flight->area_km2[de] > 0 && flight->area_km2[pl] > 0);
  cr_expect_eq(osq_geo_mark_segment(g, 52.52, 13.40, 52.23, 21.01, 50.0, flight), 0.0, "already marked");
  cr_expect_float_eq(osq_geo_marks_merge(g, year, flight), a1, 1e-6);
  cr_expect_eq(osq_geo_marks_merge(g, year, flight), 0.0);
  osq_geo_marks_clear(flight);
  cr_expect_eq(flight->n_touched, 0);
  cr_expect_eq(flight->total_km2, 0.0);
  cr_expect(!osq_geo_marks_test(flight, g, 52.4, 17.0), "cleared");
  cr_expect(osq_geo_marks_test(year, g, 52.4, 17.0), "the year keeps it");
  for (size_t i = 0; i < (g->n_cells + 63) / 64; i++) cr_assert_eq(flight->bits[i], 0, "word %zu not cleared", i);
  /* a filter keeps a Polish flight's swath out of Germany */
  uint8_t only_pl[OSQ_GEO_IDS] = {0};
  only_pl[pl] = 1;
  flight->filter = only_pl;
  double a2 = osq_geo_mark_segment(g, 52.52, 13.40, 52.23, 21.01, 50.0, flight);
  cr_expect_eq(flight->area_km2[de], 0.0);
  cr_expect_float_eq(a2, flight->area_km2[pl], 1e-6);
  cr_expect(a2 < a1);
  osq_geo_marks_free(flight);
  osq_geo_marks_free(year);
  osq_geo_raster_free(g);
}

/* The fast marking (exact arcs per row) must mark exactly the cells the definition accepts, cell
 * by cell over the whole grid: segments of every length and bearing, at high latitude, through
 * the vertex of their great circle (two arcs per row), over a pole, across the antimeridian,
 * points, and swaths from 0 to 500 km; at three resolutions. Also the `also` set receives the same
 * cells as a merge would. */
static void check_against_definition(const osq_geo_raster_t *g, osq_geo_marks_t *m, osq_geo_marks_t *y, double lat1,
                                     double lon1, double lat2, double lon2, double w, int *mismatch) {
  osq_geo_marks_clear(m);
  osq_geo_marks_clear(y);
  m->also = y;
  double a = osq_geo_mark_segment(g, lat1, lon1, lat2, lon2, w, m);
  m->also = NULL;
  /* Rows that cannot hold a swath cell, found independently of the code under test: the
   * segment's latitudes by dense sampling, widened by the half-width and a degree. The
   * definition is evaluated in every other row, every column; outside them nothing may be marked. */
  double L = osq_gc_distance_km(lat1, lon1, lat2, lon2), b0 = 0.0, la_min = lat1, la_max = lat1;
  {
    double y1 = sin((lon2 - lon1) * PI / 180) * cos(lat2 * PI / 180);
    double x1 = cos(lat1 * PI / 180) * sin(lat2 * PI / 180) - sin(lat1 * PI / 180) * cos(lat2 * PI / 180) * cos((lon2 - lon1) * PI / 180);
    b0 = atan2(y1, x1) * 180 / PI;
  }
  for (int k = 0; k <= 4000; k++) {
    double la, lo;
    dest(lat1, lon1, L * k / 4000, b0, &la, &lo);
    if (la < la_min) la_min = la;
    if (la > la_max) la_max = la;
  }
  if (lat2 < la_min) la_min = lat2;
  if (lat2 > la_max) la_max = lat2;
  const double wdeg = w / 111.19492664455873 + 1.0 + L / 4000 / 111.0;
  size_t n_def = 0, bad = 0;
  double area = 0.0;
  for (size_t i = 0; i < g->n_cells; i++) {
    double clat = -90.0 + ((double)(i / (size_t)g->nlon) + 0.5) * g->res_deg;
    bool near = clat >= la_min - wdeg && clat <= la_max + wdeg;
    bool def = near && g->tid[i] == 1 && osq_geo_swath_contains(g, lat1, lon1, lat2, lon2, w, i);
    bool got = (m->bits[i >> 6] >> (i & 63)) & 1u, got_y = (y->bits[i >> 6] >> (i & 63)) & 1u;
    if (def) {
      n_def++;
      area += (double)g->row_area_km2[i / (size_t)g->nlon];
    }
    if (def != got || got != got_y) bad++;
  }
  if (bad) {
    (*mismatch)++;
    cr_log_error("res %.2f: (%.4f, %.4f)-(%.4f, %.4f) w %.1f: %zu cells differ (definition %zu, marked %zu)", g->res_deg,
                 lat1, lon1, lat2, lon2, w, bad, n_def, m->n_touched);
  }
  cr_expect_eq(m->n_touched, n_def);
  cr_expect_eq(y->n_touched, n_def);
  cr_expect(fabs(a - area) <= 1e-9 * (area + 1.0), "area %.6f vs %.6f", a, area);
}

Test(swath, fast_acos_within_its_bound) {
  double worst = 0.0;
  for (long i = 0; i <= 2000000; i++) {
    double x = -1.0 + 2.0 * (double)i / 2000000.0;
    double e = fabs(osq_geo_acos_fast(x) - acos(x));
    if (e > worst) worst = e;
  }
  cr_log_info("osq_geo_acos_fast: worst error %.3g rad over 2,000,001 points (bound %.3g)", worst, OSQ_GEO_ACOS_FAST_ERR);
  cr_expect(worst < 0.6 * OSQ_GEO_ACOS_FAST_ERR, "worst error %.3g", worst);
  /* the two-lane form gives the same bits, in either lane */
  long differ = 0;
  for (long i = 0; i <= 2000000; i++) {
    const double x = -1.0 + 2.0 * (double)i / 2000000.0, y = -x * 0.999;
    double h0, h1;
    osq_geo_acos_fast2(x, y, &h0, &h1);
    const double e0 = osq_geo_acos_fast(x), e1 = osq_geo_acos_fast(y);
    differ += memcmp(&h0, &e0, sizeof h0) != 0 || memcmp(&h1, &e1, sizeof h1) != 0;
  }
  cr_expect_eq(differ, 0, "osq_geo_acos_fast2 differs from osq_geo_acos_fast at %ld points", differ);
}

/* A raster whose every cell is territory 1, so that the definition can be checked everywhere. */
static osq_geo_raster_t *all_land(double res) {
  hand_t h;
  hand_init(&h);
  hand_box(&h, true, 1, -180.0, -90.0, 0.0, 90.0);
  hand_box(&h, true, 1, 0.0, -90.0, 180.0, 90.0);
  return build(&h.p, 1, res);
}

/* The length of a cell's side along a meridian (km). */
static double w_cells(const osq_geo_raster_t *g) { return 111.19492664455873 * g->res_deg; }

Test(swath, fast_marking_equals_the_definition, .timeout = 300) {
  const double res[] = {1.0, 0.5, 0.1};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 77);
  int mismatch = 0, n = 0;
  for (size_t k = 0; k < sizeof res / sizeof res[0]; k++) {
    osq_geo_raster_t *g = all_land(res[k]);
    osq_geo_marks_t *m = osq_geo_marks_alloc(g), *y = osq_geo_marks_alloc(g);
    /* hand-picked: the vertex of the great circle inside the segment, a pole, the antimeridian,
     * cell centres exactly on the segment's ends, a point, a meridian, the equator */
    const double fixed[][5] = {{60.0, -10.0, 60.0, 40.0, 50.0},   {70.0, 100.0, 70.0, 170.0, 25.0},
                               {85.0, 0.0, 85.0, 180.0, 100.0},  {66.5, 176.0, 66.0, -174.0, 20.0},
                               {-89.9, 10.0, -60.0, 10.0, 300.0}, {0.05, 0.05, 0.05, 0.05, 30.0},
                               {10.0, 20.0, 40.0, 20.0, 0.0},     {0.0, -30.0, 0.0, 30.0, 40.0},
                               {45.05, 10.05, 45.05, 10.05, 11.1}, {52.0, 13.0, 52.0, 13.0 + 1e-10, 25.0}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++, n++)
      check_against_definition(g, m, y, fixed[i][0], fixed[i][1], fixed[i][2], fixed[i][3], fixed[i][4], &mismatch);
    const int n_random = res[k] >= 0.5 ? 300 : 25;
    for (int i = 0; i < n_random; i++, n++) {
      double lat1 = -89.0 + 178.0 * gsl_rng_uniform(r), lon1 = -180.0 + 360.0 * gsl_rng_uniform(r);
      double L = 20000.0 * pow(gsl_rng_uniform(r), 2.0), lat2, lon2; /* mostly short, some half-way round */
      dest(lat1, lon1, L, 360.0 * gsl_rng_uniform(r), &lat2, &lon2);
      double w = 500.0 * pow(gsl_rng_uniform(r), 3.0);
      if (i % 10 == 0) { /* snap to cell centres: ends and arcs through them */
        lat1 = -90.0 + (floor((lat1 + 90.0) / g->res_deg) + 0.5) * g->res_deg;
        lon1 = -180.0 + (floor((lon1 + 180.0) / g->res_deg) + 0.5) * g->res_deg;
        lat2 = lat1;
        w = 111.19492664455873 * g->res_deg * (1 + (i / 10) % 3); /* a whole number of cells */
      }
      check_against_definition(g, m, y, lat1, lon1, lat2, lon2, w, &mismatch);
    }
    /* Ties: a disc (or a segment's cap) whose edge passes through another cell's centre, up to
     * the last bit, where only the exact per-cell decision can be trusted. */
    for (int i = 0; i < 40; i++, n++) {
      int r0 = (int)(gsl_rng_uniform(r) * g->nlat), c0 = (int)(gsl_rng_uniform(r) * g->nlon);
      int r1 = r0 + (int)(gsl_rng_uniform(r) * 7) - 3, c1 = c0 + (int)(gsl_rng_uniform(r) * 7) - 3;
      if (r1 < 0 || r1 >= g->nlat) r1 = r0;
      c1 = (c1 + g->nlon) % g->nlon;
      double d = g->row_cos[r0] * g->row_cos[r1] * (g->col_cos[c0] * g->col_cos[c1] + g->col_sin[c0] * g->col_sin[c1]) +
                 g->row_sin[r0] * g->row_sin[r1];
      double w = OSQ_EARTH_RADIUS_KM * acos(d > 1 ? 1 : d);
      double lat0 = -90.0 + (r0 + 0.5) * g->res_deg, lon0 = -180.0 + (c0 + 0.5) * g->res_deg;
      double lat2 = i % 2 ? lat0 : lat0 + 3 * g->res_deg, lon2 = i % 2 ? lon0 : lon0 - 2 * g->res_deg;
      check_against_definition(g, m, y, lat0, lon0, lat2, lon2, w, &mismatch);
    }
    /* Ties along a long side: the swath's edge through a cell centre in the middle of a segment
     * (to within rounding: the arcs' approximate ends are then certainly wrong by more). */
    for (int i = 0; i < 40; i++, n++) {
      const int r0 = g->nlat / 4 + (int)(gsl_rng_uniform(r) * g->nlat / 2), c0 = (int)(gsl_rng_uniform(r) * g->nlon);
      const double lat0 = -90.0 + (r0 + 0.5) * g->res_deg, lon0 = -180.0 + (c0 + 0.5) * g->res_deg;
      const double lat2 = lat0 + (20 + (i % 7)) * g->res_deg, lon2 = lon0 + ((i % 5) - 2) * 3 * g->res_deg;
      /* the cell a few columns off the segment, half way up */
      const int rm = r0 + (10 + (i % 7) / 2), cm = (c0 + (i % 5) - 2 + (i % 2 ? 2 : -2) + g->nlon) % g->nlon;
      double u[3] = {cos(lat0 * PI / 180) * cos(lon0 * PI / 180), cos(lat0 * PI / 180) * sin(lon0 * PI / 180), sin(lat0 * PI / 180)};
      double v[3] = {cos(lat2 * PI / 180) * cos(lon2 * PI / 180), cos(lat2 * PI / 180) * sin(lon2 * PI / 180), sin(lat2 * PI / 180)};
      double nn[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
      double nl = sqrt(nn[0] * nn[0] + nn[1] * nn[1] + nn[2] * nn[2]);
      double d = g->row_cos[rm] * (g->col_cos[cm] * nn[0] + g->col_sin[cm] * nn[1]) + g->row_sin[rm] * nn[2];
      double w = OSQ_EARTH_RADIUS_KM * asin(fabs(d) / nl);
      check_against_definition(g, m, y, lat0, lon0, lat2, lon2, w, &mismatch);
    }
    /* Segments that start (or end) just past the vertex of their great circle: in the rows near
     * that end both of the band's pieces come close to the end, and may both reach its wedge
     * (the near rows' short cut must then give way to the general one). */
    const int n_vertex = res[k] >= 0.5 ? 60 : 16;
    for (int i = 0; i < n_vertex; i++, n++) {
      const double lat_v = 20.0 + 60.0 * gsl_rng_uniform(r), lon_v = -180.0 + 360.0 * gsl_rng_uniform(r);
      const double d0 = 4.0 * w_cells(g) * pow(gsl_rng_uniform(r), 2.0), L = 30.0 + 1500.0 * gsl_rng_uniform(r);
      const double w = 5.0 + 150.0 * gsl_rng_uniform(r);
      double lat1, lon1, lat2, lon2;
      dest(lat_v, lon_v, d0, 90.0, &lat1, &lon1);
      dest(lat_v, lon_v, d0 + L, 90.0, &lat2, &lon2);
      if (i % 2) check_against_definition(g, m, y, lat2, lon2, lat1, lon1, w, &mismatch);
      else check_against_definition(g, m, y, lat1, lon1, lat2, lon2, w, &mismatch);
    }
    osq_geo_marks_free(m);
    osq_geo_marks_free(y);
    osq_geo_raster_free(g);
  }
  cr_log_info("%d segments checked cell by cell against the definition, %d differ", n, mismatch);
  cr_expect_eq(mismatch, 0);
  gsl_rng_free(r);
}

/* ------------------------------------------------------------------------------------------ */
/* Sampler and buffer                                                                         */
/* ------------------------------------------------------------------------------------------ */

/* A path (open, or closed on its first point as a flight's route is): osq_geo_mark_path marks
 * the union of its segments' swaths, cell by cell, though it leaves out the end cap of every
 * segment that the next one starts with. */
Test(swath, path_marking_equals_the_union_of_its_segments, .timeout = 300) {
  const double res[] = {0.5, 0.1};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 78);
  int mismatch = 0, n_paths = 0, n_segments = 0;
  for (size_t k = 0; k < sizeof res / sizeof res[0]; k++) {
    osq_geo_raster_t *g = all_land(res[k]);
    osq_geo_marks_t *m = osq_geo_marks_alloc(g), *y = osq_geo_marks_alloc(g);
    const int n_tries = res[k] >= 0.5 ? 120 : 12;
    for (int t = 0; t < n_tries; t++, n_paths++) {
      double lat[8], lon[8];
      const int n_sites = 1 + (int)(gsl_rng_uniform(r) * 5), closed = t % 2 == 0;
      lat[0] = 30.0 + 45.0 * gsl_rng_uniform(r);
      lon[0] = -180.0 + 360.0 * gsl_rng_uniform(r);
      for (int i = 1; i <= n_sites; i++)
        dest(lat[i - 1], lon[i - 1], 1500.0 * gsl_rng_uniform(r), 360.0 * gsl_rng_uniform(r), &lat[i], &lon[i]);
      int n_pts = n_sites + 1;
      if (closed) {
        lat[n_pts] = lat[0];
        lon[n_pts] = lon[0];
        n_pts++;
      }
      if (t % 5 == 1) { /* a repeated point: a segment of length zero inside the path */
        lat[1] = lat[0];
        lon[1] = lon[0];
      }
      const double w = 2.0 + 98.0 * gsl_rng_uniform(r);
      osq_geo_marks_clear(m);
      osq_geo_marks_clear(y);
      m->also = y;
      const double got_area = osq_geo_mark_path(g, lat, lon, n_pts, w, m);
      m->also = NULL;
      n_segments += n_pts - 1;
      double la_min = 90.0, la_max = -90.0;
      for (int i = 0; i < n_pts; i++) {
        la_min = fmin(la_min, lat[i]);
        la_max = fmax(la_max, lat[i]);
      }
      const double margin = w / 111.19492664455873 + 5.0; /* > the bulge of a 1,500 km arc up here */
      size_t n_def = 0, bad = 0;
      double area = 0.0;
      for (size_t i = 0; i < g->n_cells; i++) {
        const double clat = -90.0 + ((double)(i / (size_t)g->nlon) + 0.5) * g->res_deg;
        bool def = false;
        for (int j = 0; j + 1 < n_pts && !def && clat >= la_min - margin && clat <= la_max + margin; j++)
          def = osq_geo_swath_contains(g, lat[j], lon[j], lat[j + 1], lon[j + 1], w, i);
        const bool got = (m->bits[i >> 6] >> (i & 63)) & 1u, got_y = (y->bits[i >> 6] >> (i & 63)) & 1u;
        if (def) {
          n_def++;
          area += (double)g->row_area_km2[i / (size_t)g->nlon];
        }
        if (def != got || got != got_y) bad++;
      }
      if (bad) {
        mismatch++;
        cr_log_error("res %.2f: path %d (%d points, %s, w %.1f): %zu cells differ", g->res_deg, t, n_pts,
                     closed ? "closed" : "open", w, bad);
      }
      cr_expect_eq(m->n_touched, n_def);
      cr_expect(fabs(got_area - area) <= 1e-9 * (area + 1.0), "area %.6f vs %.6f", got_area, area);
    }
    osq_geo_marks_free(m);
    osq_geo_marks_free(y);
    osq_geo_raster_free(g);
  }
  cr_log_info("%d paths (%d segments) checked cell by cell against the union of the definition, %d differ", n_paths,
              n_segments, mismatch);
  cr_expect_eq(mismatch, 0);
  gsl_rng_free(r);
}

Test(sampler, draws_land_in_the_territory_by_area) {
  hand_t h;
  hand_init(&h);
  hand_box(&h, true, 1, 0.0, 0.0, 10.0, 10.0);
  hand_box(&h, true, 1, 0.0, 60.0, 10.0, 70.0);
  osq_geo_raster_t *g = build(&h.p, 1, 0.1);
  osq_geo_sampler_t *s = osq_geo_sampler_alloc(g, 1);
  uint8_t t = 1;
  double total = osq_geo_sampler_aim(s, g, &t, 1, 0, 0, 0);
  cr_expect_float_eq(total, g->area_km2[1], 1e-6);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 42);
  int n = 20000, north = 0;
  for (int i = 0; i < n; i++) {
    double lat, lon;
    cr_assert_eq(osq_geo_sampler_draw(s, g, r, &lat, &lon), 0);
    cr_assert_eq(osq_geo_tid_at(g, lat, lon), 1, "draw %d at %.4f %.4f", i, lat, lon);
    if (lat > 30) north++;
  }
  double p = box_area(60, 70, 0, 10) / (box_area(60, 70, 0, 10) + box_area(0, 10, 0, 10));
  double se = sqrt(p * (1 - p) / n);
  cr_expect(fabs((double)north / n - p) < 4 * se, "north share %.4f vs %.4f", (double)north / n, p);
  gsl_rng_free(r);
  osq_geo_sampler_free(s);
  osq_geo_raster_free(g);
}

Test(sampler, disc_around_an_airfield) {
  osq_geo_raster_t *g = world(OSQ_GEO_RES_DEFAULT, 0);
  osq_geo_sampler_t *s = osq_geo_sampler_alloc(g, 2);
  uint8_t t[2] = {(uint8_t)tid_of("RU"), (uint8_t)tid_of("BY")};
  double lat0 = 55.6083, lon0 = 36.6528; /* Kubinka */
  double a = osq_geo_sampler_aim(s, g, t, 2, lat0, lon0, 1000.0);
  cr_expect(a > 2.0e6 && a < PI * 1000.0 * 1000.0, "area within 1000 km %.0f", a);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  int by = 0;
  for (int i = 0; i < 5000; i++) {
    double lat, lon;
    cr_assert_eq(osq_geo_sampler_draw(s, g, r, &lat, &lon), 0);
    double d = osq_gc_distance_km(lat0, lon0, lat, lon);
    cr_assert(d <= 1000.0 + 8.0, "draw %d at %.1f km", i, d);
    uint8_t k = osq_geo_tid_at(g, lat, lon);
    cr_assert(k == t[0] || k == t[1]);
    by += k == t[1];
  }
  cr_expect(by > 0, "Belarus is within 1000 km of Kubinka");
  /* a disc across the antimeridian (Chukotka) */
  uint8_t ru = (uint8_t)tid_of("RU");
  cr_expect(osq_geo_sampler_aim(s, g, &ru, 1, 66.0, 179.0, 300.0) > 0);
  int east = 0;
  for (int i = 0; i < 2000; i++) {
    double lat, lon;
    osq_geo_sampler_draw(s, g, r, &lat, &lon);
    cr_assert(osq_gc_distance_km(66.0, 179.0, lat, lon) <= 308.0);
    east += lon < 0;
  }
  cr_expect(east > 0, "draws on both sides of 180");
  /* nothing of Germany near Kubinka */
  uint8_t de = (uint8_t)tid_of("DE");
  cr_expect_eq(osq_geo_sampler_aim(s, g, &de, 1, lat0, lon0, 500.0), 0.0);
  double lat, lon;
  cr_expect_eq(osq_geo_sampler_draw(s, g, r, &lat, &lon), OSQ_ERANGE);
  uint8_t three[3] = {1, 2, 3};
  cr_expect(osq_geo_sampler_aim(s, g, three, 3, lat0, lon0, 500.0) < 0, "more territories than allocated");
  gsl_rng_free(r);
  osq_geo_sampler_free(s);
  osq_geo_raster_free(g);
}

Test(buffer, around_non_party_land) {
  osq_geo_raster_t *g = world(OSQ_GEO_RES_DEFAULT, 0);
  uint8_t blocked[OSQ_GEO_IDS] = {0};
  blocked[OSQ_GEO_FOREIGN] = 1;
  osq_geo_buffer_t *b = osq_geo_buffer_build(g, blocked, 10.0);
  cr_assert_not_null(b);
  cr_expect(osq_geo_buffer_test(b, g, 48.0, 110.0), "Mongolia itself");
  cr_expect(!osq_geo_buffer_test(b, g, 55.75, 37.6), "Moscow");
  /* every party cell in the buffer is within 10 km + about a cell of foreign land; cells 30 km
   * from it are outside: check along a line crossing the Russian-Kazakh border near Orsk */
  int n_in = 0;
  for (int k = -50; k <= 50; k++) {
    double lat = 51.2 + 0.02 * k, lon = 58.6;
    if (osq_geo_tid_at(g, lat, lon) == OSQ_GEO_FOREIGN) cr_expect(osq_geo_buffer_test(b, g, lat, lon));
    n_in += osq_geo_buffer_test(b, g, lat, lon);
  }
  cr_expect(n_in > 0 && n_in < 101);
  /* in 2021 the US is a non-party for Canada's flights */
  uint8_t us_out[OSQ_GEO_IDS] = {0};
  us_out[OSQ_GEO_FOREIGN] = 1;
  us_out[tid_of("US")] = 1;
  osq_geo_buffer_t *b2 = osq_geo_buffer_build(g, us_out, 10.0);
  cr_expect(!osq_geo_buffer_test(b, g, 45.05, -74.0), "Canada near the US border, US a party");
  cr_expect(osq_geo_buffer_test(b2, g, 45.05, -74.0), "Canada 5 km from the US border, US not a party");
  cr_expect(b2->n_cells_set > b->n_cells_set);
  osq_geo_buffer_free(b);
  osq_geo_buffer_free(b2);
  osq_geo_raster_free(g);
}
