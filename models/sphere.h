/*
 * sphere.h owns the constants and the one distance formula of osq's geometry: pi, the degree
 * conversions, the Earth's radius and the great-circle distance. Every file that needs one of
 * them includes this header, so that two parts of the model can never disagree on them.
 */
#ifndef OSQ_SPHERE_H
#define OSQ_SPHERE_H

#include <math.h>

/** pi to the precision of a double. */
#define OSQ_PI 3.14159265358979323846
/** Degrees to radians and back. */
#define OSQ_D2R (OSQ_PI / 180.0)
#define OSQ_R2D (180.0 / OSQ_PI)
/** Mean Earth radius R1 of IUGG/WGS84 (km), used for every distance and area in osq
 *  (Moritz, "Geodetic Reference System 1980", J. Geodesy 74 (2000), table: R1 = 6371.0088 km). */
#define OSQ_EARTH_RADIUS_KM 6371.0088

/**
 * Great-circle distance (km) between two points by the haversine formula on a sphere of
 * OSQ_EARTH_RADIUS_KM, with the cosines of the two latitudes given (c1 = cos(lat1 * OSQ_D2R),
 * c2 likewise), so that a caller that keeps its points' cosines pays two sines and an asin.
 */
static inline double osq_haversine_cos_km(double lat1, double lon1, double c1, double lat2, double lon2, double c2) {
  const double p1 = lat1 * OSQ_D2R, p2 = lat2 * OSQ_D2R;
  const double s1 = sin(0.5 * (p2 - p1)), s2 = sin(0.5 * (lon2 - lon1) * OSQ_D2R);
  double h = s1 * s1 + c1 * c2 * s2 * s2;
  if (h > 1.0) h = 1.0;
  return 2.0 * OSQ_EARTH_RADIUS_KM * asin(sqrt(h));
}

/** Great-circle distance (km) between two points given in degrees (osq_haversine_cos_km). */
static inline double osq_gc_distance_km(double lat1, double lon1, double lat2, double lon2) {
  return osq_haversine_cos_km(lat1, lon1, cos(lat1 * OSQ_D2R), lat2, lon2, cos(lat2 * OSQ_D2R));
}

#endif
