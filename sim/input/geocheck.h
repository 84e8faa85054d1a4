/*
 * geocheck.h owns the plausibility check of airfield positions at load time: is a point far
 * outside the territory of a party's member states? It uses bounding boxes generated from
 * Natural Earth (tools/gen_geocheck.py), an outer bound of each territory, so it never rejects a
 * real airfield but catches swapped signs, swapped lat/lon and misprints (e.g. the printed
 * Diyarbakir position of Annex E, 30.83N, lies in Syria/Iraq).
 */
#ifndef OSQ_GEOCHECK_H
#define OSQ_GEOCHECK_H

#define OSQ_GEOCHECK_MAX_BOXES 12
#define OSQ_GEOCHECK_TOLERANCE_KM 100

typedef struct {
  char code[3];                                   /**< ISO 3166 alpha-2 */
  int n_boxes;
  struct { double lat_min, lat_max, lon_min, lon_max; } boxes[OSQ_GEOCHECK_MAX_BOXES];
} osq_geocheck_entry_t;

extern const osq_geocheck_entry_t OSQ_GEOCHECK_TABLE[];
extern const int OSQ_GEOCHECK_TABLE_N;

/**
 * Distance (km) from a point to the nearest box of any of the member states.
 * @return 0 and *km (0 inside), or OSQ_EINVAL if no member state is in the table (no check).
 */
int osq_geocheck_outside_km(const char (*members)[3], int n_members, double lat, double lon, double *km);

#endif
