/* geocheck.c owns the distance from a point to a territory's bounding boxes. */
#include "sim/geocheck.h"

#include <math.h>
#include <string.h>

#include "models/errors.h"

static double haversine_km(double lat1, double lon1, double lat2, double lon2) {
  const double r = 6371.0088, d2r = 3.14159265358979323846 / 180.0;
  double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
  double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) * sin(dlon / 2);
  return 2.0 * r * asin(sqrt(a < 1.0 ? a : 1.0));
}

int osq_geocheck_outside_km(const char (*members)[3], int n_members, double lat, double lon, double *km) {
  double best = INFINITY;
  for (int m = 0; m < n_members; m++) {
    for (int e = 0; e < OSQ_GEOCHECK_TABLE_N; e++) {
      const osq_geocheck_entry_t *t = &OSQ_GEOCHECK_TABLE[e];
      if (strcmp(t->code, members[m]) != 0) continue;
      for (int b = 0; b < t->n_boxes; b++) {
        double clat = fmin(fmax(lat, t->boxes[b].lat_min), t->boxes[b].lat_max);
        double clon = fmin(fmax(lon, t->boxes[b].lon_min), t->boxes[b].lon_max);
        double d = (clat == lat && clon == lon) ? 0.0 : haversine_km(lat, lon, clat, clon);
        if (d < best) best = d;
      }
    }
  }
  if (!isfinite(best)) return OSQ_EINVAL;
  *km = best;
  return OSQ_OK;
}
