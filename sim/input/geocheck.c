/* geocheck.c owns the distance from a point to a territory's bounding boxes. */
#include "sim/input/geocheck.h"

#include <math.h>
#include <string.h>

#include "models/errors.h"
#include "models/sphere.h"

int osq_geocheck_outside_km(const char (*members)[3], int n_members, double lat, double lon, double *km) {
  double best = INFINITY;
  for (int m = 0; m < n_members; m++) {
    for (int e = 0; e < OSQ_GEOCHECK_TABLE_N; e++) {
      const osq_geocheck_entry_t *t = &OSQ_GEOCHECK_TABLE[e];
      if (strcmp(t->code, members[m]) != 0) continue;
      for (int b = 0; b < t->n_boxes; b++) {
        double clat = fmin(fmax(lat, t->boxes[b].lat_min), t->boxes[b].lat_max);
        double clon = fmin(fmax(lon, t->boxes[b].lon_min), t->boxes[b].lon_max);
        double d = (clat == lat && clon == lon) ? 0.0 : osq_gc_distance_km(lat, lon, clat, clon);
        if (d < best) best = d;
      }
    }
  }
  if (!isfinite(best)) return OSQ_EINVAL;
  *km = best;
  return OSQ_OK;
}
