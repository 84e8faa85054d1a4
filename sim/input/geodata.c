/*
 * geodata.c owns reading country boundaries from TopoJSON (with jansson) and the table that maps
 * each State Party to the Natural Earth countries its territory is made of. The choices in the
 * table (what is in, what is out, and why) are documented in docs/geography.md.
 */
#include "sim/input/geodata.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* ============================================================================================ */
/* The States Parties                                                                          */
/* ============================================================================================ */

#define NOBOX 0, 0, 0, 0

/* ISO 3166-1 numeric ids as world-atlas 2.0.2 (Natural Earth 4.1.0) gives them. */
static const osq_geodata_state_t STATES[OSQ_GEODATA_STATES] = {
    {"BA", "Bosnia and Herzegovina", 1, {70}, NOBOX},
    {"BE", "Belgium", 1, {56}, NOBOX},
    {"BG", "Bulgaria", 1, {100}, NOBOX},
    {"BY", "Belarus", 1, {112}, NOBOX},
    {"CA", "Canada", 1, {124}, NOBOX},
    {"CZ", "Czech Republic", 1, {203}, NOBOX},
    {"DE", "Germany", 1, {276}, NOBOX},
    /* Greenland and the Faroes have their own Open Skies airfields in Annex A Sec. III */
    {"DK", "Denmark", 3, {208, 304, 234}, NOBOX},
    {"EE", "Estonia", 1, {233}, NOBOX},
    {"ES", "Spain", 1, {724}, NOBOX},
    /* Åland is Finnish territory; Natural Earth draws it as a country of its own */
    {"FI", "Finland", 2, {246, 248}, NOBOX},
    /* metropolitan France and Corsica; the overseas departments are beyond every airfield */
    {"FR", "France", 1, {250}, 40.0, 52.0, -6.0, 11.0},
    {"GB", "United Kingdom", 1, {826}, NOBOX},
    {"GE", "Georgia", 1, {268}, NOBOX},
    {"GR", "Greece", 1, {300}, NOBOX},
    {"HR", "Croatia", 1, {191}, NOBOX},
    {"HU", "Hungary", 1, {348}, NOBOX},
    {"IS", "Iceland", 1, {352}, NOBOX},
    {"IT", "Italy", 1, {380}, NOBOX},
    {"LT", "Lithuania", 1, {440}, NOBOX},
    {"LU", "Luxembourg", 1, {442}, NOBOX},
    {"LV", "Latvia", 1, {428}, NOBOX},
    /* the European Netherlands; Bonaire, Sint Eustatius and Saba are beyond every airfield */
    {"NL", "Netherlands", 1, {528}, 50.0, 54.5, 2.5, 8.0},
    /* Natural Earth's Norway includes Svalbard and Jan Mayen, Norwegian territory */
    {"NO", "Norway", 1, {578}, NOBOX},
    {"PL", "Poland", 1, {616}, NOBOX},
    {"PT", "Portugal", 1, {620}, NOBOX},
    {"RO", "Romania", 1, {642}, NOBOX},
    {"RU", "Russian Federation", 1, {643}, NOBOX},
    {"SE", "Sweden", 1, {752}, NOBOX},
    {"SI", "Slovenia", 1, {705}, NOBOX},
    {"SK", "Slovakia", 1, {703}, NOBOX},
    {"TR", "Turkey", 1, {792}, NOBOX},
    {"UA", "Ukraine", 1, {804}, NOBOX},
    {"US", "United States", 1, {840}, NOBOX},
};

/* Possessions of States Parties that Natural Earth draws as countries of their own and that osq
 * leaves out of the modelled territory (no Open Skies airfield can reach them): they become
 * OSQ_GEO_NONE when their owner is in the list (a party's land is no non-party border), and
 * foreign land otherwise. */
static const struct {
  int iso_n3;
  char owner[3];
} DEPENDENCIES[] = {
    {630, "US"}, {316, "US"}, {850, "US"}, {580, "US"}, {16, "US"},                 /* PR, GU, VI, MP, AS */
    {831, "GB"}, {832, "GB"}, {833, "GB"},                                           /* Crown dependencies */
    {60, "GB"},  {92, "GB"},  {136, "GB"}, {238, "GB"}, {239, "GB"}, {500, "GB"},    /* overseas territories */
    {612, "GB"}, {654, "GB"}, {660, "GB"}, {796, "GB"}, {86, "GB"},
    {258, "FR"}, {540, "FR"}, {666, "FR"}, {876, "FR"}, {652, "FR"}, {663, "FR"}, {260, "FR"},
    {533, "NL"}, {531, "NL"}, {534, "NL"},                                           /* Aruba, Curacao, Sint Maarten */
};

/* A point inside Crimea (near Simferopol) that identifies the peninsula's polygon. */
static const double CRIMEA_LAT = 45.0, CRIMEA_LON = 34.1;
static const int ISO_RU = 643, ISO_UA = 804, ISO_ANTARCTICA = 10;

const osq_geodata_state_t *osq_geodata_state(const char *alpha2) {
  if (!alpha2) return NULL;
  for (int i = 0; i < OSQ_GEODATA_STATES; i++)
    if (strcmp(STATES[i].alpha2, alpha2) == 0) return &STATES[i];
  return NULL;
}

const osq_geodata_state_t *osq_geodata_state_at(int i) {
  return (i >= 0 && i < OSQ_GEODATA_STATES) ? &STATES[i] : NULL;
}

int osq_geodata_iso_numeric(const char *alpha2) {
  const osq_geodata_state_t *s = osq_geodata_state(alpha2);
  return s ? s->iso_n3[0] : -1;
}

/* ============================================================================================ */
/* Growing arrays                                                                              */
/* ============================================================================================ */

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t n = *cap ? *cap : 256;
  while (n < need) n *= 2;
  void *q = realloc(*p, n * elem);
  if (!q) return OSQ_ENOMEM;
  *p = q;
  *cap = n;
  return 0;
}

typedef struct {
  osq_geo_polys_t *P;
  size_t cap_pts, cap_rings, cap_polys, cap_features;
  /* decoded arcs */
  double *ax, *ay;
  size_t *arc_start;
  size_t n_arcs;
  const char *path;
  osq_error_t *err;
} loader_t;

void osq_geodata_polys_free(osq_geo_polys_t *p) {
  if (!p) return;
  free(p->lon);
  free(p->lat);
  free(p->ring_start);
  free(p->poly_ring);
  free(p->poly_feature);
  free(p->poly_tid);
  free(p->features);
  free(p);
}

static int bad(loader_t *L, const char *what) {
  return osq_error_add(L->err, OSQ_EIO, L->path, 0, "not a usable TopoJSON topology: %s", what);
}

static int nomem(loader_t *L) { return osq_error_add(L->err, OSQ_ENOMEM, L->path, 0, "out of memory reading boundaries"); }

/* Decode every arc to absolute degrees. With a transform, positions are quantised integers and
 * each position after the first is a delta from the previous one (TopoJSON spec 2.1.2). */
static int decode_arcs(loader_t *L, json_t *arcs, json_t *transform) {
  double sx = 1, sy = 1, tx = 0, ty = 0;
  bool quant = false;
  if (transform) {
    json_t *sc = json_object_get(transform, "scale"), *tr = json_object_get(transform, "translate");
    if (!json_is_array(sc) || !json_is_array(tr) || json_array_size(sc) != 2 || json_array_size(tr) != 2 ||
        !json_is_number(json_array_get(sc, 0)) || !json_is_number(json_array_get(sc, 1)) ||
        !json_is_number(json_array_get(tr, 0)) || !json_is_number(json_array_get(tr, 1)))
      return bad(L, "transform needs scale [sx, sy] and translate [tx, ty]");
    sx = json_number_value(json_array_get(sc, 0));
    sy = json_number_value(json_array_get(sc, 1));
    tx = json_number_value(json_array_get(tr, 0));
    ty = json_number_value(json_array_get(tr, 1));
    quant = true;
  }
  L->n_arcs = json_array_size(arcs);
  size_t total = 0;
  for (size_t i = 0; i < L->n_arcs; i++) {
    json_t *a = json_array_get(arcs, i);
    if (!json_is_array(a)) return bad(L, "an arc is not an array of positions");
    total += json_array_size(a);
  }
  L->arc_start = malloc((L->n_arcs + 1) * sizeof *L->arc_start);
  L->ax = malloc((total ? total : 1) * sizeof(double));
  L->ay = malloc((total ? total : 1) * sizeof(double));
  if (!L->arc_start || !L->ax || !L->ay) return nomem(L);
  size_t k = 0;
  for (size_t i = 0; i < L->n_arcs; i++) {
    json_t *a = json_array_get(arcs, i);
    L->arc_start[i] = k;
    double qx = 0, qy = 0;
    for (size_t j = 0; j < json_array_size(a); j++) {
      json_t *pos = json_array_get(a, j);
      if (!json_is_array(pos) || json_array_size(pos) < 2 || !json_is_number(json_array_get(pos, 0)) ||
          !json_is_number(json_array_get(pos, 1)))
        return bad(L, "an arc position is not [x, y]");
      double x = json_number_value(json_array_get(pos, 0)), y = json_number_value(json_array_get(pos, 1));
      if (quant) {
        qx += x;
        qy += y;
        L->ax[k] = qx * sx + tx;
        L->ay[k] = qy * sy + ty;
      } else {
        L->ax[k] = x;
        L->ay[k] = y;
      }
      k++;
    }
  }
  L->arc_start[L->n_arcs] = k;
  return 0;
}

static int push_pt(loader_t *L, double x, double y) {
  osq_geo_polys_t *P = L->P;
  if (P->n_pts + 1 > L->cap_pts) {
    size_t cap = L->cap_pts;
    if (grow((void **)&P->lon, &cap, P->n_pts + 1, sizeof(double))) return nomem(L);
    cap = L->cap_pts;
    if (grow((void **)&P->lat, &cap, P->n_pts + 1, sizeof(double))) return nomem(L);
    L->cap_pts = cap;
  }
  P->lon[P->n_pts] = x;
  P->lat[P->n_pts] = y;
  P->n_pts++;
  return 0;
}

/* Join a ring from its arc indices; consecutive arcs share their joining position. */
static int read_ring(loader_t *L, json_t *ring) {
  osq_geo_polys_t *P = L->P;
  if (!json_is_array(ring)) return bad(L, "a ring is not an array of arc indices");
  if (grow((void **)&P->ring_start, &L->cap_rings, (size_t)P->n_rings + 2, sizeof(size_t))) return nomem(L);
  P->ring_start[P->n_rings] = P->n_pts;
  for (size_t i = 0; i < json_array_size(ring); i++) {
    json_t *v = json_array_get(ring, i);
    if (!json_is_integer(v)) return bad(L, "an arc index is not an integer");
    json_int_t idx = json_integer_value(v);
    bool rev = idx < 0;
    json_int_t arc = rev ? ~idx : idx;
    if (arc < 0 || (size_t)arc >= L->n_arcs)
      return osq_error_add(L->err, OSQ_EIO, L->path, 0,
                           "not a usable TopoJSON topology: arc index %lld out of range (%zu arcs)", (long long)idx,
                           L->n_arcs);
    size_t a = L->arc_start[arc], b = L->arc_start[arc + 1];
    size_t n = b - a;
    for (size_t j = (i == 0 ? 0 : 1); j < n; j++) {
      size_t q = rev ? b - 1 - j : a + j;
      int rc = push_pt(L, L->ax[q], L->ay[q]);
      if (rc) return rc;
    }
  }
  P->n_rings++;
  P->ring_start[P->n_rings] = P->n_pts;
  return 0;
}

static int read_polygon(loader_t *L, json_t *rings, int feature) {
  osq_geo_polys_t *P = L->P;
  if (!json_is_array(rings)) return bad(L, "a polygon is not an array of rings");
  if (json_array_size(rings) == 0) return 0;
  size_t need = (size_t)P->n_polys + 2;
  if (need > L->cap_polys) {
    size_t c1 = L->cap_polys, c2 = L->cap_polys, c3 = L->cap_polys;
    if (grow((void **)&P->poly_ring, &c1, need, sizeof(int)) || grow((void **)&P->poly_feature, &c2, need, sizeof(int)) ||
        grow((void **)&P->poly_tid, &c3, need, sizeof(uint8_t)))
      return nomem(L);
    L->cap_polys = c1;
  }
  P->poly_ring[P->n_polys] = P->n_rings;
  for (size_t i = 0; i < json_array_size(rings); i++) {
    int rc = read_ring(L, json_array_get(rings, i));
    if (rc) return rc;
  }
  P->poly_feature[P->n_polys] = feature;
  P->poly_tid[P->n_polys] = OSQ_GEO_NONE;
  P->n_polys++;
  P->poly_ring[P->n_polys] = P->n_rings;
  return 0;
}

static int read_geometry(loader_t *L, json_t *geom) {
  osq_geo_polys_t *P = L->P;
  if (!json_is_object(geom)) return bad(L, "a geometry is not an object");
  if (grow((void **)&P->features, &L->cap_features, (size_t)P->n_features + 1, sizeof *P->features)) return nomem(L);
  int f = P->n_features++;
  osq_geo_feature_t *ft = &P->features[f];
  ft->iso_n3 = -1;
  ft->name[0] = '\0';
  json_t *id = json_object_get(geom, "id");
  if (json_is_integer(id)) {
    ft->iso_n3 = (int)json_integer_value(id);
  } else if (json_is_string(id)) {
    const char *s = json_string_value(id);
    char *end;
    long v = strtol(s, &end, 10);
    if (*s && *end == '\0') ft->iso_n3 = (int)v;
  }
  json_t *props = json_object_get(geom, "properties");
  json_t *name = json_is_object(props) ? json_object_get(props, "name") : NULL;
  if (json_is_string(name)) snprintf(ft->name, sizeof ft->name, "%s", json_string_value(name));

  const char *type = json_string_value(json_object_get(geom, "type"));
  json_t *arcs = json_object_get(geom, "arcs");
  if (!type) return 0; /* TopoJSON's null geometry: a feature without area */
  if (strcmp(type, "Polygon") == 0) return read_polygon(L, arcs, f);
  if (strcmp(type, "MultiPolygon") == 0) {
    if (!json_is_array(arcs)) return bad(L, "a MultiPolygon's arcs is not an array");
    for (size_t i = 0; i < json_array_size(arcs); i++) {
      int rc = read_polygon(L, json_array_get(arcs, i), f);
      if (rc) return rc;
    }
  }
  return 0; /* null and other geometry types carry no area */
}

int osq_geodata_load(const char *path, osq_geo_polys_t **out, osq_error_t *err) {
  *out = NULL;
  FILE *fp = fopen(path, "rb");
  if (!fp) return osq_error_add(err, OSQ_EIO, path, 0, "cannot open boundary file: %s", strerror(errno));
  json_error_t jerr;
  json_t *root = json_loadf(fp, 0, &jerr);
  fclose(fp);
  if (!root) return osq_error_add(err, OSQ_EIO, path, jerr.line > 0 ? jerr.line : 0, "invalid JSON: %s", jerr.text);

  loader_t L = {0};
  L.path = path;
  L.err = err;
  L.P = calloc(1, sizeof *L.P);
  int rc;
  if (!L.P) {
    rc = nomem(&L);
    goto done;
  }
  snprintf(L.P->source, sizeof L.P->source, "%s", path);
  json_t *objects = json_object_get(root, "objects");
  json_t *countries = json_is_object(objects) ? json_object_get(objects, "countries") : NULL;
  json_t *arcs = json_object_get(root, "arcs");
  json_t *transform = json_object_get(root, "transform");
  const char *type = json_string_value(json_object_get(root, "type"));
  if (!type || strcmp(type, "Topology") != 0) {
    rc = bad(&L, "top-level \"type\" is not \"Topology\"");
    goto done;
  }
  if (!json_is_object(countries)) {
    rc = bad(&L, "no \"countries\" object");
    goto done;
  }
  if (!json_is_array(arcs)) {
    rc = bad(&L, "no \"arcs\" array");
    goto done;
  }
  json_t *geoms = json_object_get(countries, "geometries");
  if (!json_is_array(geoms)) {
    rc = bad(&L, "\"countries\" has no \"geometries\" array");
    goto done;
  }
  rc = decode_arcs(&L, arcs, json_is_object(transform) ? transform : NULL);
  if (rc) goto done;
  L.P->poly_ring = malloc(sizeof(int));
  L.P->ring_start = malloc(sizeof(size_t));
  if (!L.P->poly_ring || !L.P->ring_start) {
    rc = nomem(&L);
    goto done;
  }
  L.cap_polys = 1;
  L.cap_rings = 1;
  L.P->poly_ring[0] = 0;
  L.P->ring_start[0] = 0;
  for (size_t i = 0; i < json_array_size(geoms); i++) {
    rc = read_geometry(&L, json_array_get(geoms, i));
    if (rc) goto done;
  }
  if (L.P->n_polys == 0) {
    rc = bad(&L, "no Polygon or MultiPolygon geometry");
    goto done;
  }

done:
  free(L.ax);
  free(L.ay);
  free(L.arc_start);
  json_decref(root);
  if (rc) {
    osq_geodata_polys_free(L.P);
    return rc;
  }
  *out = L.P;
  return 0;
}

/* ============================================================================================ */
/* Territory assignment                                                                        */
/* ============================================================================================ */

/* Even-odd test of a point against one ring, with longitudes taken relative to the point so that
 * rings drawn across the antimeridian work too. */
static bool ring_contains(const osq_geo_polys_t *P, int ring, double lat, double lon) {
  size_t a = P->ring_start[ring], b = P->ring_start[ring + 1];
  bool in = false;
  for (size_t i = a; i < b; i++) {
    size_t j = (i + 1 < b) ? i + 1 : a;
    double y1 = P->lat[i], y2 = P->lat[j];
    if ((y1 <= lat) == (y2 <= lat)) continue;
    double x1 = P->lon[i] - lon, x2 = P->lon[j] - lon;
    x1 -= 360.0 * (x1 > 180.0) - 360.0 * (x1 < -180.0);
    x2 -= 360.0 * (x2 > 180.0) - 360.0 * (x2 < -180.0);
    if (x1 - x2 > 180.0 || x2 - x1 > 180.0) continue; /* edge on the far side of the globe */
    double x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1);
    if (x > 0) in = !in;
  }
  return in;
}

static bool poly_in_box(const osq_geo_polys_t *P, int p, const osq_geodata_state_t *s) {
  int ring = P->poly_ring[p];
  size_t a = P->ring_start[ring], b = P->ring_start[ring + 1];
  if (a == b) return false;
  double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
  for (size_t i = a; i < b; i++) {
    if (P->lon[i] < x0) x0 = P->lon[i];
    if (P->lon[i] > x1) x1 = P->lon[i];
    if (P->lat[i] < y0) y0 = P->lat[i];
    if (P->lat[i] > y1) y1 = P->lat[i];
  }
  double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
  return cy >= s->keep_lat_min && cy <= s->keep_lat_max && cx >= s->keep_lon_min && cx <= s->keep_lon_max;
}

int osq_geodata_assign(osq_geo_polys_t *P, const char *const *alpha2, int n, unsigned flags, osq_error_t *err) {
  const char *src = P->source[0] ? P->source : NULL;
  if (n < 0 || n > OSQ_GEO_TERR_MAX)
    return osq_error_add(err, OSQ_ECONFIG, src, 0, "%d territories requested (at most %d)", n, OSQ_GEO_TERR_MAX);
  int rc = 0;
  const osq_geodata_state_t *st[OSQ_GEO_TERR_MAX];
  for (int i = 0; i < n; i++) {
    st[i] = osq_geodata_state(alpha2[i]);
    if (!st[i]) {
      rc = osq_error_add(err, OSQ_ECONFIG, src, 0,
                         "unknown state '%s' (expected the ISO 3166 alpha-2 code of a State Party)",
                         alpha2[i] ? alpha2[i] : "(null)");
      continue;
    }
    for (int j = 0; j < i; j++)
      if (st[j] == st[i]) rc = osq_error_add(err, OSQ_ECONFIG, src, 0, "state '%s' listed twice", alpha2[i]);
  }
  if (rc) return rc;

  /* territory id of each feature */
  uint8_t *ftid = malloc((size_t)(P->n_features ? P->n_features : 1));
  if (!ftid) return osq_error_add(err, OSQ_ENOMEM, src, 0, "out of memory");
  for (int f = 0; f < P->n_features; f++) {
    const osq_geo_feature_t *ft = &P->features[f];
    ftid[f] = (ft->iso_n3 == ISO_ANTARCTICA || (ft->iso_n3 < 0 && ft->name[0] == '\0')) ? OSQ_GEO_NONE : OSQ_GEO_FOREIGN;
  }
  for (size_t d = 0; d < sizeof DEPENDENCIES / sizeof DEPENDENCIES[0]; d++) {
    bool owner_listed = false;
    for (int i = 0; i < n; i++) owner_listed |= strcmp(st[i]->alpha2, DEPENDENCIES[d].owner) == 0;
    if (!owner_listed) continue;
    for (int f = 0; f < P->n_features; f++)
      if (P->features[f].iso_n3 == DEPENDENCIES[d].iso_n3) ftid[f] = OSQ_GEO_NONE;
  }
  uint8_t tid_ua = OSQ_GEO_FOREIGN;
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < st[i]->n_parts; k++) {
      int found = 0;
      for (int f = 0; f < P->n_features; f++) {
        if (P->features[f].iso_n3 != st[i]->iso_n3[k]) continue;
        ftid[f] = (uint8_t)(i + 1);
        found = 1;
      }
      if (!found)
        rc = osq_error_add(err, OSQ_ECONFIG, src, 0, "no country with ISO 3166-1 numeric id %03d (needed for %s, %s)",
                           st[i]->iso_n3[k], st[i]->alpha2, st[i]->name);
    }
    if (st[i]->iso_n3[0] == ISO_UA) tid_ua = (uint8_t)(i + 1);
  }
  if (rc) {
    free(ftid);
    return rc;
  }
  for (int p = 0; p < P->n_polys; p++) {
    int f = P->poly_feature[p];
    uint8_t t = (f >= 0 && f < P->n_features) ? ftid[f] : OSQ_GEO_NONE;
    if (t >= 1 && t <= OSQ_GEO_TERR_MAX) {
      const osq_geodata_state_t *s = st[t - 1];
      if (!(flags & OSQ_GEODATA_OVERSEAS) && s->keep_lat_max > s->keep_lat_min && !poly_in_box(P, p, s))
        t = OSQ_GEO_NONE; /* the party's own, so no non-party border; but outside the modelled territory */
    }
    if (!(flags & OSQ_GEODATA_CRIMEA_AS_DRAWN) && f >= 0 && P->features[f].iso_n3 == ISO_RU &&
        ring_contains(P, P->poly_ring[p], CRIMEA_LAT, CRIMEA_LON))
      t = tid_ua;
    P->poly_tid[p] = t;
  }
  free(ftid);
  return 0;
}
