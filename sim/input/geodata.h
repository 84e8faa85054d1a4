/*
 * geodata.h owns the country boundaries on disk: reading a TopoJSON topology (the world-atlas
 * package's countries-50m.json, Natural Earth 1:50m, see data/README.md) into plain polygons,
 * and the table of which Natural Earth countries make up each State Party's territory as osq
 * models it (docs/geography.md says why each choice was made).
 *
 * Typical set-up (serial, once per run):
 *   osq_geo_polys_t *polys; osq_geo_raster_t *g;
 *   osq_geodata_load("data/countries-50m.json", &polys, &err);
 *   osq_geodata_assign(polys, codes, n, 0, &err);     // territory ids 1..n, the rest foreign
 *   osq_geo_raster_build(polys, n, OSQ_GEO_RES_DEFAULT, &g);
 *   osq_geodata_polys_free(polys);                            // the raster keeps no pointer into it
 */
#ifndef OSQ_GEODATA_H
#define OSQ_GEODATA_H

#include <stdbool.h>

#include "models/errors.h"
#include "models/geo.h"

/** States Parties in the table (all 34 that were ever in force). */
#define OSQ_GEODATA_STATES 34
/** Natural Earth countries a state may be made of (Denmark: itself, Greenland, the Faroes). */
#define OSQ_GEODATA_PARTS_MAX 3

/** Leave Crimea with Russia, as Natural Earth 4.1 draws it (default: Ukraine, de jure). */
#define OSQ_GEODATA_CRIMEA_AS_DRAWN 1u
/** Keep the overseas parts of France and the Netherlands (default: metropolitan parts only). */
#define OSQ_GEODATA_OVERSEAS 2u

/** How one State Party's territory is built from Natural Earth countries. */
typedef struct {
  char alpha2[3];                          /**< ISO 3166-1 alpha-2 */
  const char *name;
  int n_parts;
  int iso_n3[OSQ_GEODATA_PARTS_MAX];       /**< ISO 3166-1 numeric ids of the Natural Earth countries */
  /** If lat_max > lat_min: keep only polygons of the state whose outer ring's bounding-box centre
   *  lies in this box (drops overseas departments no Open Skies airfield can reach). */
  double keep_lat_min, keep_lat_max, keep_lon_min, keep_lon_max;
} osq_geodata_state_t;

/** @return the table entry of a State Party by alpha-2 code, or NULL. */
const osq_geodata_state_t *osq_geodata_state(const char *alpha2);

/** @return table entry i (0 <= i < OSQ_GEODATA_STATES), or NULL. */
const osq_geodata_state_t *osq_geodata_state_at(int i);

/** @return the ISO 3166-1 numeric id of a State Party's main country (e.g. "DE" -> 276), or -1. */
int osq_geodata_iso_numeric(const char *alpha2);

/**
 * Read the "countries" object of a TopoJSON topology: arcs are decoded (quantised and
 * delta-encoded positions through the transform, when there is one), rings are joined from arcs
 * (a negative index ~i means arc i reversed), Polygon and MultiPolygon geometries become
 * polygons; other geometries give a feature without polygons. Every poly_tid is OSQ_GEO_NONE
 * until osq_geodata_assign.
 * @return 0 and *out; OSQ_EIO (cannot read, not JSON, not a topology, bad arc reference) or
 *         OSQ_ENOMEM, with a message naming the file in err
 */
int osq_geodata_load(const char *path, osq_geo_polys_t **out, osq_error_t *err);

/** Free polygons read by osq_geodata_load (NULL is fine). */
void osq_geodata_polys_free(osq_geo_polys_t *p);

/**
 * Set poly_tid: the polygons of state alpha2[i] get territory id i + 1 (per the table: Denmark
 * with Greenland and the Faroes, Finland with Åland, France and the Netherlands metropolitan
 * only unless OSQ_GEODATA_OVERSEAS, Crimea with Ukraine unless OSQ_GEODATA_CRIMEA_AS_DRAWN);
 * every other polygon with an ISO id or a name becomes OSQ_GEO_FOREIGN (land of a non-party),
 * except Antarctica and what osq leaves out of a listed party's territory (French and Dutch
 * overseas parts, US territories such as Puerto Rico and Guam, the British Crown dependencies
 * and overseas territories, French overseas collectivities), which stay OSQ_GEO_NONE: not
 * coverage, and no non-party border either.
 * @param alpha2 n codes of States Parties (n <= OSQ_GEO_TERR_MAX), each at most once
 * @return 0; OSQ_ECONFIG if a code is not one of the 34 States Parties, is repeated, or a
 *         country it needs is missing from the file (message names the file)
 */
int osq_geodata_assign(osq_geo_polys_t *p, const char *const *alpha2, int n, unsigned flags, osq_error_t *err);

#endif
