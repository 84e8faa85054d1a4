/*
 * geo.h gathers the geography of the model, one header per part, for the files that use most of
 * it (routes, coverage, the set-up in sim/, the tests); a file that needs one part may include
 * that header alone:
 *
 *   models/raster.h   country polygons, the raster of territories (grid conventions), areas
 *   models/sampler.h  area-weighted sampling of points inside territories
 *   models/nofly.h    the no-fly buffer around land that must not be approached
 *   models/swath.h    the marking of the swath a flight images along a great-circle leg
 *
 * Pure domain code: no I/O and no globals. Memory is allocated only by the *_build / *_alloc
 * functions, which run at set-up; every per-trial function (sampling, marking, clearing,
 * testing) works in buffers the caller allocated once.
 */
#ifndef OSQ_GEO_H
#define OSQ_GEO_H

#include "models/nofly.h"
#include "models/raster.h"
#include "models/sampler.h"
#include "models/sphere.h"
#include "models/swath.h"

#endif
