/*
 * plot.h owns the pictures osq writes: the coverage map (a lat/lon grid window drawn as a plate
 * carrée PNG with a colour bar) and the per-year line chart (series with confidence bands).
 *
 * Both writers render into memory and write the PNG through the atomic single-file writer of
 * results/table.h, so a failed write leaves nothing behind (README "Output files": output files
 * are written whole or not at all). They never print; errors come back as negative OSQ_E* codes
 * with detail in a caller-owned osq_error_t.
 *
 * Rendering uses cairo (see plot_draw.h for why). Text is drawn in the "sans-serif" face that
 * fontconfig resolves (DejaVu Sans on Debian); strings are UTF-8. plot_map.c draws the map,
 * plot_lines.c the chart, with the drawing kit they share in plot_draw.c.
 */
#ifndef OSQ_RESULTS_PLOT_H
#define OSQ_RESULTS_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "models/errors.h"

/* ---------------------------------------------------------------------------------------------- */
/* Coverage map                                                                                     */
/* ---------------------------------------------------------------------------------------------- */

/** Width of a map picture when width_px is 0: readable for the whole treaty window. */
#define OSQ_PLOT_MAP_WIDTH_DEFAULT 1800
/** Narrowest and widest pictures accepted (pixels; cairo's own limit is 32767). */
#define OSQ_PLOT_WIDTH_MIN 320
#define OSQ_PLOT_WIDTH_MAX 8000
/** Most colour-bar ticks a caller may give. */
#define OSQ_PLOT_TICKS_MAX 16

/**
 * A window of a lat/lon grid to draw, laid out like the osq raster (models/geo.h): cell (r, c)
 * is value[r * stride + c], rows from south to north, columns from west to east, so cell (0, 0)
 * is the south-west corner of the window and spans lat0..lat0+res_deg, lon0..lon0+res_deg.
 * The picture is equirectangular (one degree of latitude as long as one of longitude) and shows
 * exactly the window: nothing assumes the whole globe. A window of the global raster needs no
 * copy: point value and tid at its first cell and set stride to the raster's nlon.
 *
 * Cell colours:
 *  - value finite: the viridis colour scale from vmin (dark blue) to vmax (yellow); values
 *    outside the range are clamped to it;
 *  - value NaN on a territory (tid 1..254): light grey ("no data");
 *  - value NaN on foreign land (tid 255, OSQ_GEO_FOREIGN): a paler grey ("non-party land");
 *  - tid 0 (sea, land of no one the model knows): white, whatever the value.
 * Borders are drawn 1 px wide where the territory id changes between neighbouring cells: dark
 * grey between two land ids (light grey where the cell underneath is so dark, low on the scale,
 * that dark grey would vanish), a mid grey along coasts (land next to id 0), so that frontiers
 * stand out from the coastline. A faint graticule every 30 degrees (finer for a small window)
 * is labelled outside the frame.
 *
 * When the picture has fewer pixels than the window has cells (0.1 degree raster, 1800 px), each
 * pixel averages the colours of several cells, so narrow swaths still show.
 */
typedef struct {
  const float *value;        /**< [cells] value per cell, NaN = no data; required */
  const uint8_t *tid;        /**< [cells] territory id per cell (0 sea, 255 foreign), or NULL:
                                  then no borders, and NaN cells are drawn white */
  int nlat, nlon;            /**< rows and columns of the window, >= 1 */
  size_t stride;             /**< elements from one row to the next; 0 means nlon */
  double lat0, lon0;         /**< south-west corner of cell (0, 0), degrees */
  double res_deg;            /**< cell size, degrees (> 0) */
  double vmin, vmax;         /**< value range of the colour scale, finite, vmin < vmax */
  const char *title;         /**< bold line at the top, or NULL */
  const char *subtitle;      /**< smaller grey line under the title (scenario, year, trials), or NULL */
  const char *legend_label;  /**< what the colour bar measures, e.g. "P(imaged in the year)", or NULL */
  const char *nodata_label;  /**< legend text of the no-data swatch; NULL means "no data" */
  int width_px;              /**< picture width; 0 means OSQ_PLOT_MAP_WIDTH_DEFAULT. The height
                                  follows from the window's aspect ratio */
  const double *ticks;       /**< colour-bar ticks within [vmin, vmax], or NULL: "nice" ticks */
  int n_ticks;               /**< number of ticks (0..OSQ_PLOT_TICKS_MAX) */
} osq_plot_map_t;

/**
 * Draw a map window to a PNG file, whole or not at all.
 * @param path PNG file to write (replaced if it exists); its directory must exist
 * @return 0; OSQ_EINVAL (bad description: sizes, range, NULL value, ticks); OSQ_ERANGE (the
 *         picture would be larger than OSQ_PLOT_WIDTH_MAX in either dimension); OSQ_EIO (the
 *         file cannot be created or written: nothing is left at path); OSQ_ENOMEM
 */
int osq_plot_map(const char *path, const osq_plot_map_t *m, osq_error_t *err);

/** Where osq_plot_map puts things, in pixels from the picture's top-left corner. */
typedef struct {
  int width, height;          /**< the whole picture */
  int map_x, map_y;           /**< top-left pixel of the map: the north-west corner of the window */
  int map_w, map_h;           /**< map size; longitude lon is at x = map_x + (lon - lon0) / (nlon *
                                   res_deg) * map_w, latitude lat at y = map_y + (lat0 + nlat *
                                   res_deg - lat) / (nlat * res_deg) * map_h */
} osq_plot_map_geom_t;

/**
 * The layout osq_plot_map would use for m, without drawing (e.g. to place annotations, or to
 * find a cell's pixel in a test).
 * @return 0 and *g; the same errors as osq_plot_map for a bad description
 */
int osq_plot_map_geometry(const osq_plot_map_t *m, osq_plot_map_geom_t *g, osq_error_t *err);

/* ---------------------------------------------------------------------------------------------- */
/* Line chart of per-year series                                                                    */
/* ---------------------------------------------------------------------------------------------- */

/** Most series on one chart: beyond this the colours stop being told apart. */
#define OSQ_PLOT_SERIES_MAX 8
/** Picture size when width_px / height_px are 0. */
#define OSQ_PLOT_LINES_WIDTH_DEFAULT 1400
#define OSQ_PLOT_LINES_HEIGHT_DEFAULT 800

/** One series of a line chart: y per year, with an optional band (e.g. the 95 % CI). */
typedef struct {
  const char *name;          /**< legend text (UTF-8), required */
  const double *y;           /**< [n] values; NaN leaves a gap in the line */
  const double *lo, *hi;     /**< [n] band drawn as a light fill, both or neither; NaN = gap */
} osq_plot_series_t;

/**
 * A line chart: x is the year (integer ticks), y is a metric. Series are told apart by colour
 * (the Okabe-Ito palette, safe for colour-blind readers) and by marker shape (safe in grey).
 *
 * The y range is taken from the data (values and bands) and rounded out to "nice" ticks; it
 * starts at 0 when every value is >= 0. Set y_min < y_max to fix it instead.
 */
typedef struct {
  const int *years;          /**< [n] x values, strictly increasing */
  int n;                     /**< points per series, >= 1 */
  const osq_plot_series_t *series; /**< [n_series] */
  int n_series;              /**< 1..OSQ_PLOT_SERIES_MAX */
  const char *title;         /**< or NULL */
  const char *subtitle;      /**< or NULL */
  const char *x_label;       /**< axis title, or NULL (then "year") */
  const char *y_label;       /**< axis title, or NULL */
  const char *band_label;    /**< legend text of the bands; NULL means "95 % CI" */
  double y_min, y_max;       /**< fixed y range if y_min < y_max (both finite); else automatic */
  int width_px, height_px;   /**< 0 means the defaults above */
} osq_plot_lines_t;

/**
 * Draw a line chart to a PNG file, whole or not at all. Series without any finite value give
 * empty axes (y 0..1), not an error: a metric can be undefined in every year.
 * @return 0; OSQ_EINVAL (bad description: n, series count, NULL arrays, a band without its other
 *         half, years not increasing, y_min > y_max); OSQ_ERANGE (picture size out of
 *         range); OSQ_EIO (the file cannot be created or written: nothing is left at path);
 *         OSQ_ENOMEM
 */
int osq_plot_lines(const char *path, const osq_plot_lines_t *c, osq_error_t *err);

/* ---------------------------------------------------------------------------------------------- */
/* Tornado chart of a study's sensitivity                                                           */
/* ---------------------------------------------------------------------------------------------- */

/** Most bars of a tornado chart. */
#define OSQ_PLOT_BARS_MAX 64

/**
 * A tornado chart: one horizontal bar per input, top to bottom in the order given (the caller sorts
 * them, largest first), each a wide light bar (e.g. the total-effect index ST, or Morris' mu*) with
 * an optional whisker (its 95 % CI) and an optional narrow dark bar inside it (e.g. the first-order
 * index S1). A value that is NaN draws no bar, and its label says "n/a". The x axis starts at 0, or
 * below when a value or whisker is negative, and ends at the data's end; with x_max > 0 it ends at
 * x_max and starts no lower than -x_max / 4, and bars and whiskers beyond are cut at the edge (their
 * values are printed beside them whatever the scale).
 */
typedef struct {
  const char *const *labels; /**< [n] bar names (UTF-8), left of the bars */
  int n;                     /**< 1..OSQ_PLOT_BARS_MAX */
  const double *value;       /**< [n] the wide bars */
  const double *lo, *hi;     /**< [n] whiskers, both or neither (NaN: none for that bar) */
  const double *inner;       /**< [n] the narrow bars, or NULL */
  const char *value_label;   /**< legend text of the wide bars, required */
  const char *inner_label;   /**< of the narrow bars (with inner) */
  const char *whisker_label; /**< of the whiskers (with lo, hi) */
  const char *title, *subtitle, *x_label; /**< or NULL */
  double x_max;              /**< fixed end of the axis if > 0 (1 for Sobol indices) */
  int width_px;              /**< 0: 1400; the height follows from n */
} osq_plot_tornado_t;

/**
 * Draw a tornado chart to a PNG file, whole or not at all.
 * @return 0; OSQ_EINVAL (bad description); OSQ_ERANGE (size); OSQ_EIO (nothing is left at path);
 *         OSQ_ENOMEM
 */
int osq_plot_tornado(const char *path, const osq_plot_tornado_t *t, osq_error_t *err);

#endif
