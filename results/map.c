/* map.c owns map.png and map.csv (see map.h). */
#include "results/map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/sphere.h"
#include "results/plot.h"
#include "results/table.h"


static int write_csv(const char *path, const osq_map_t *m, osq_error_t *err) {
  const int k = (int)lround(m->grid_deg / m->res_deg) > 0 ? (int)lround(m->grid_deg / m->res_deg) : 1;
  const double grid = k * m->res_deg;
  osq_atomic_file_t *af;
  int rc = osq_atomic_open(path, &af, err);
  if (rc) return rc;
  FILE *f = osq_atomic_stream(af);
  fprintf(f, "lat,lon,p_imaged,territory_km2\n");
  const double r2 = OSQ_EARTH_RADIUS_KM * OSQ_EARTH_RADIUS_KM, dl = m->res_deg * OSQ_D2R;
  for (int R = 0; R * k < m->nlat; R++) {
    /* One row of grid cells: area-weighted sums over the raster cells inside each. */
    for (int C = 0; C * k < m->nlon; C++) {
      double area = 0.0, sum = 0.0;
      for (int r = R * k; r < (R + 1) * k && r < m->nlat; r++) {
        const double lat1 = -90.0 + r * m->res_deg, lat2 = lat1 + m->res_deg;
        const double a = r2 * dl * (sin(lat2 * OSQ_D2R) - sin(lat1 * OSQ_D2R));
        for (int c = C * k; c < (C + 1) * k && c < m->nlon; c++) {
          const size_t idx = (size_t)r * (size_t)m->nlon + (size_t)c;
          if (isnan(m->value[idx])) continue;
          area += a;
          sum += a * m->value[idx];
        }
      }
      if (area > 0)
        fprintf(f, "%.4f,%.4f,%.6f,%.1f\n", -90.0 + (R + 0.5) * grid, -180.0 + (C + 0.5) * grid, sum / area, area);
    }
  }
  return osq_atomic_commit(af, err);
}

int osq_map_write(const char *dir, const osq_map_t *m, osq_error_t *err) {
  char path[1200];
  snprintf(path, sizeof path, "%s/map.csv", dir);
  int rc = write_csv(path, m, err);
  if (rc) return rc;
  /* The treaty window: Hawaii and the Canaries (about 19-28N) to the Arctic coasts. */
  const int r0 = (int)floor((15.0 + 90.0) / m->res_deg), r1 = (int)ceil((84.0 + 90.0) / m->res_deg);
  const double ticks[] = {0.0, 0.25, 0.5, 0.75, 1.0};
  osq_plot_map_t pm = {.value = m->value + (size_t)r0 * (size_t)m->nlon,
                       .tid = m->tid + (size_t)r0 * (size_t)m->nlon,
                       .nlat = r1 - r0,
                       .nlon = m->nlon,
                       .stride = (size_t)m->nlon,
                       .lat0 = -90.0 + r0 * m->res_deg,
                       .lon0 = -180.0,
                       .res_deg = m->res_deg,
                       .vmin = 0.0,
                       .vmax = 1.0,
                       .title = m->title,
                       .subtitle = m->subtitle,
                       .legend_label = "probability that the cell is imaged in a year",
                       .nodata_label = "not a party",
                       .width_px = 0,
                       .ticks = ticks,
                       .n_ticks = 5};
  snprintf(path, sizeof path, "%s/map.png", dir);
  return osq_plot_map(path, &pm, err);
}
