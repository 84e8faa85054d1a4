/*
 * test_plot.c owns the tests of results/plot.h: the coverage map and the line chart are written
 * to a temporary directory, read back with cairo, and checked pixel by pixel where the picture
 * has a known colour (cell centres, borders, the sea), plus the whole-or-nothing contract on
 * failures.
 *
 * Set OSQ_TEST_PLOT_DIR to an existing directory to keep the pictures there for a look.
 */
#include <criterion/criterion.h>

#include <cairo.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/plot.h"

/* ---- temporary directory ---- */

static char dir[256];
static bool keep;

static void setup(void) {
  const char *d = getenv("OSQ_TEST_PLOT_DIR");
  keep = d && *d;
  snprintf(dir, sizeof dir, "%s/osq_test_plot_XXXXXX", keep ? d : "/tmp");
  cr_assert_not_null(mkdtemp(dir), "mkdtemp");
}

static void teardown(void) {
  if (keep) return;
  DIR *dp = opendir(dir);
  if (!dp) return;
  struct dirent *e;
  char p[512];
  while ((e = readdir(dp)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  closedir(dp);
  rmdir(dir);
}

static void path_in(char *out, size_t len, const char *name) { snprintf(out, len, "%s/%s", dir, name); }

/* Entries of dir other than . and .. */
static int dir_entries(const char *d) {
  DIR *dp = opendir(d);
  if (!dp) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dp)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  closedir(dp);
  return n;
}

/* ---- reading pictures back ---- */

typedef struct {
  int r, g, b;
} rgb_t;

static rgb_t pixel(cairo_surface_t *s, int x, int y) {
  cr_assert(x >= 0 && y >= 0 && x < cairo_image_surface_get_width(s) && y < cairo_image_surface_get_height(s),
            "pixel (%d, %d) outside the picture", x, y);
  const unsigned char *data = cairo_image_surface_get_data(s);
  uint32_t v = *(const uint32_t *)(const void *)(data + (size_t)y * (size_t)cairo_image_surface_get_stride(s) +
                                                 (size_t)x * 4);
  return (rgb_t){(int)((v >> 16) & 0xFF), (int)((v >> 8) & 0xFF), (int)(v & 0xFF)};
}

static cairo_surface_t *read_png(const char *path) {
  cairo_surface_t *s = cairo_image_surface_create_from_png(path);
  cr_assert_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS, "cairo cannot read %s: %s", path,
               cairo_status_to_string(cairo_surface_status(s)));
  cairo_surface_flush(s);
  return s;
}

static void assert_png_signature(const char *path) {
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  unsigned char head[8] = {0};
  FILE *fp = fopen(path, "rb");
  cr_assert_not_null(fp, "%s was not written", path);
  size_t n = fread(head, 1, sizeof head, fp);
  fclose(fp);
  cr_assert_eq(n, sizeof head);
  cr_assert(memcmp(head, sig, sizeof sig) == 0, "%s does not start with the PNG signature", path);
}

static void assert_rgb_near(rgb_t got, int r, int g, int b, int tol, const char *what) {
  cr_assert(abs(got.r - r) <= tol && abs(got.g - g) <= tol && abs(got.b - b) <= tol,
            "%s: got (%d, %d, %d), want (%d, %d, %d) +- %d", what, got.r, got.g, got.b, r, g, b, tol);
}

/* ---- the synthetic map ---- */

/*
 * 36 x 18 cells of 5 degrees: the window 60 W..120 E, 0..90 N (not the globe, on purpose).
 * Rows from the south. Territory 1 (value 1) and territory 2 (value 0) touch along the meridian
 * between columns 9 and 10; territory 3 has value 0.5 in its west half and no data (NaN) in its
 * east half; a block of foreign land (255) without values; the rest is sea (0).
 */
enum { NLAT = 18, NLON = 36 };
#define RES 5.0
#define LAT0 0.0
#define LON0 (-60.0)

static float value[NLAT * NLON];
static uint8_t tid[NLAT * NLON];

static void make_map(osq_plot_map_t *m) {
  for (int r = 0; r < NLAT; r++) {
    for (int c = 0; c < NLON; c++) {
      size_t i = (size_t)r * NLON + (size_t)c;
      tid[i] = 0;
      value[i] = NAN;
      if (r >= 2 && r <= 7 && c >= 2 && c <= 9) {
        tid[i] = 1;
        value[i] = 1.0f;
      } else if (r >= 2 && r <= 7 && c >= 10 && c <= 17) {
        tid[i] = 2;
        value[i] = 0.0f;
      } else if (r >= 10 && r <= 15 && c >= 20 && c <= 31) {
        tid[i] = 3;
        value[i] = c <= 25 ? 0.5f : NAN;
      } else if (r >= 10 && r <= 15 && c >= 2 && c <= 8) {
        tid[i] = 255;
      }
    }
  }
  *m = (osq_plot_map_t){
      .value = value,
      .tid = tid,
      .nlat = NLAT,
      .nlon = NLON,
      .lat0 = LAT0,
      .lon0 = LON0,
      .res_deg = RES,
      .vmin = 0.0,
      .vmax = 1.0,
      .title = "Synthetic coverage map",
      .subtitle = "three territories, foreign land and sea; 5\xc2\xb0 cells",
      .legend_label = "probability that a cell is imaged in the year",
      .width_px = 1200,
  };
}

/* Pixel of the centre of cell (r, c). */
static void cell_px(const osq_plot_map_geom_t *g, int r, int c, int *x, int *y) {
  *x = (int)floor(g->map_x + (c + 0.5) / NLON * g->map_w);
  *y = (int)floor(g->map_y + (NLAT - r - 0.5) / NLAT * g->map_h);
}

static rgb_t viridis8(double r, double g, double b) {
  return (rgb_t){(int)lround(r * 255), (int)lround(g * 255), (int)lround(b * 255)};
}

TestSuite(plot_map, .init = setup, .fini = teardown);

Test(plot_map, png_readable_with_expected_size) {
  osq_plot_map_t m;
  make_map(&m);
  char path[512];
  path_in(path, sizeof path, "map.png");
  osq_error_t err = {0};
  int rc = osq_plot_map(path, &m, &err);
  cr_assert_eq(rc, 0, "osq_plot_map: %d %s", rc, err.n ? err.msg[0] : "");
  assert_png_signature(path);

  osq_plot_map_geom_t g;
  cr_assert_eq(osq_plot_map_geometry(&m, &g, &err), 0);
  cr_assert_eq(g.width, 1200);
  /* 180 x 90 degrees: the map is twice as wide as high. */
  cr_assert(abs(g.map_w - 2 * g.map_h) <= 1, "map %d x %d px for a 2:1 window", g.map_w, g.map_h);
  cr_assert(g.map_x > 0 && g.map_y > 0 && g.map_x + g.map_w < g.width && g.map_y + g.map_h < g.height);

  cairo_surface_t *s = read_png(path);
  cr_assert_eq(cairo_image_surface_get_width(s), g.width);
  cr_assert_eq(cairo_image_surface_get_height(s), g.height);
  cairo_surface_destroy(s);
}

Test(plot_map, cell_colours) {
  osq_plot_map_t m;
  make_map(&m);
  char path[512];
  path_in(path, sizeof path, "map.png");
  osq_error_t err = {0};
  cr_assert_eq(osq_plot_map(path, &m, &err), 0, "%s", err.n ? err.msg[0] : "");
  osq_plot_map_geom_t g;
  cr_assert_eq(osq_plot_map_geometry(&m, &g, &err), 0);
  cairo_surface_t *s = read_png(path);
  int x, y;

  /* value 1: the top of viridis, #FDE725 */
  cell_px(&g, 4, 5, &x, &y);
  rgb_t top = viridis8(0.993248, 0.906157, 0.143936);
  assert_rgb_near(pixel(s, x, y), top.r, top.g, top.b, 2, "value-1 cell");
  /* value 0: the bottom, #440154 */
  cell_px(&g, 4, 14, &x, &y);
  rgb_t bottom = viridis8(0.267004, 0.004874, 0.329415);
  assert_rgb_near(pixel(s, x, y), bottom.r, bottom.g, bottom.b, 2, "value-0 cell");
  /* value 0.5: entry 128 (matplotlib's floor(0.5 * 256)) */
  cell_px(&g, 12, 22, &x, &y);
  rgb_t mid = viridis8(0.128729, 0.563265, 0.551229);
  assert_rgb_near(pixel(s, x, y), mid.r, mid.g, mid.b, 2, "value-0.5 cell");
  /* territory without data: light grey, neither white nor a scale colour */
  cell_px(&g, 12, 29, &x, &y);
  rgb_t nd = pixel(s, x, y);
  cr_assert(nd.r == nd.g && nd.g == nd.b && nd.r >= 170 && nd.r <= 225, "no-data cell (%d, %d, %d)", nd.r, nd.g,
            nd.b);
  /* foreign land: a paler grey than no data, still not white */
  cell_px(&g, 12, 5, &x, &y);
  rgb_t fo = pixel(s, x, y);
  cr_assert(fo.r == fo.g && fo.g == fo.b && fo.r > nd.r && fo.r < 250, "foreign cell (%d, %d, %d)", fo.r, fo.g,
            fo.b);
  /* sea: white */
  cell_px(&g, 0, 0, &x, &y);
  assert_rgb_near(pixel(s, x, y), 255, 255, 255, 0, "sea cell");
  cell_px(&g, 16, 34, &x, &y);
  assert_rgb_near(pixel(s, x, y), 255, 255, 255, 0, "sea cell (north-east)");
  cairo_surface_destroy(s);
}

Test(plot_map, border_between_territories_is_dark) {
  osq_plot_map_t m;
  make_map(&m);
  char path[512];
  path_in(path, sizeof path, "map.png");
  osq_error_t err = {0};
  cr_assert_eq(osq_plot_map(path, &m, &err), 0, "%s", err.n ? err.msg[0] : "");
  osq_plot_map_geom_t g;
  cr_assert_eq(osq_plot_map_geometry(&m, &g, &err), 0);
  cairo_surface_t *s = read_png(path);

  /* The meridian between columns 9 (territory 1) and 10 (territory 2), at the height of row 4. */
  int xb = (int)lround(g.map_x + 10.0 / NLON * g.map_w);
  int x, y;
  cell_px(&g, 4, 9, &x, &y);
  int dark = 0;
  for (int xx = xb - 2; xx <= xb + 1; xx++) {
    rgb_t p = pixel(s, xx, y);
    if (p.r < 90 && p.g < 90 && p.b < 90 && abs(p.r - p.g) < 8 && abs(p.g - p.b) < 8) dark++;
  }
  cr_assert(dark >= 1 && dark <= 2, "%d dark grey pixels across the border (want a 1 px line)", dark);
  /* A few pixels either side the cells keep their own colours. */
  rgb_t w = pixel(s, xb - 6, y), e = pixel(s, xb + 6, y);
  assert_rgb_near(w, 253, 231, 37, 2, "west of the border");
  assert_rgb_near(e, 68, 1, 84, 2, "east of the border");
  /* No border inside a territory: nothing dark along row 4 from column 3 to 8 (the faint
   * graticule crosses it, but only darkens the cells a little). */
  int x3, x8;
  cell_px(&g, 4, 3, &x3, &y);
  cell_px(&g, 4, 8, &x8, &y);
  for (int xx = x3; xx <= x8; xx++) {
    rgb_t p = pixel(s, xx, y);
    cr_assert(p.r > 150 && p.g > 150, "dark pixel (%d, %d, %d) inside territory 1 at x %d", p.r, p.g, p.b, xx);
  }
  cairo_surface_destroy(s);
}

Test(plot_map, finer_grid_than_pixels_averages_cells) {
  /* A window of 0.05 degree cells, 20 x 20 degrees, drawn 400 px wide: about two cells a pixel.
   * Alternate columns of value 0 and 1 must average to a colour between the two ends. */
  enum { N = 400 };
  static float v[N * N];
  static uint8_t t[N * N];
  for (int r = 0; r < N; r++)
    for (int c = 0; c < N; c++) {
      v[r * N + c] = (float)(c % 2);
      t[r * N + c] = 1;
    }
  osq_plot_map_t m = {.value = v, .tid = t, .nlat = N, .nlon = N, .lat0 = 50.0, .lon0 = 10.0, .res_deg = 0.05,
                      .vmin = 0.0, .vmax = 1.0, .width_px = 400};
  char path[512];
  path_in(path, sizeof path, "fine.png");
  osq_error_t err = {0};
  cr_assert_eq(osq_plot_map(path, &m, &err), 0, "%s", err.n ? err.msg[0] : "");
  osq_plot_map_geom_t g;
  cr_assert_eq(osq_plot_map_geometry(&m, &g, &err), 0);
  cr_assert(g.map_w < N, "the test needs fewer pixels (%d) than cells (%d)", g.map_w, N);
  cairo_surface_t *s = read_png(path);
  rgb_t p = pixel(s, g.map_x + g.map_w / 2, g.map_y + g.map_h / 2);
  /* mean of #440154 and #FDE725 */
  assert_rgb_near(p, (68 + 253) / 2, (1 + 231) / 2, (84 + 37) / 2, 3, "averaged pixel");
  cairo_surface_destroy(s);
}

Test(plot_map, parent_is_a_file_fails_and_leaves_nothing) {
  osq_plot_map_t m;
  make_map(&m);
  char file[512], path[600];
  path_in(file, sizeof file, "not_a_dir");
  FILE *fp = fopen(file, "w");
  cr_assert_not_null(fp);
  fputs("x\n", fp);
  fclose(fp);
  snprintf(path, sizeof path, "%s/map.png", file);
  osq_error_t err = {0};
  int rc = osq_plot_map(path, &m, &err);
  cr_assert_eq(rc, OSQ_EIO, "rc %d", rc);
  cr_assert_gt(err.n, 0);
  cr_assert(strstr(err.msg[0], "map.png") != NULL, "message names the file: %s", err.msg[0]);
  struct stat st;
  cr_assert_neq(stat(path, &st), 0, "%s exists after a failure", path);
  cr_assert_eq(dir_entries(dir), 1, "only the regular file remains in %s", dir);

  /* The chart obeys the same contract. */
  int years[2] = {2019, 2020};
  double y[2] = {1, 2};
  osq_plot_series_t sr = {.name = "x", .y = y};
  osq_plot_lines_t c = {.years = years, .n = 2, .series = &sr, .n_series = 1};
  osq_error_clear(&err);
  cr_assert_eq(osq_plot_lines(path, &c, &err), OSQ_EIO);
  cr_assert_gt(err.n, 0);
  cr_assert_neq(stat(path, &st), 0);
  cr_assert_eq(dir_entries(dir), 1);
}

Test(plot_map, bad_descriptions_are_refused_without_output) {
  osq_plot_map_t m;
  make_map(&m);
  char path[512];
  path_in(path, sizeof path, "bad.png");
  osq_error_t err = {0};

  osq_plot_map_t b = m;
  b.vmax = b.vmin;
  cr_assert_eq(osq_plot_map(path, &b, &err), OSQ_EINVAL);
  b = m;
  b.value = NULL;
  cr_assert_eq(osq_plot_map(path, &b, &err), OSQ_EINVAL);
  b = m;
  b.res_deg = 0.0;
  cr_assert_eq(osq_plot_map(path, &b, &err), OSQ_EINVAL);
  b = m;
  b.lat0 = 10.0; /* 10 + 18 * 5 = 100 N */
  cr_assert_eq(osq_plot_map(path, &b, &err), OSQ_EINVAL);
  b = m;
  b.width_px = 100;
  cr_assert_eq(osq_plot_map(path, &b, &err), OSQ_ERANGE);
  double ticks[1] = {2.0};
  b = m;
  b.ticks = ticks;
  b.n_ticks = 1;
  cr_assert_eq(osq_plot_map(path, &b, &err), OSQ_EINVAL);
  cr_assert_geq(err.n, 6);
  cr_assert_eq(dir_entries(dir), 0, "nothing written for refused maps");
}

Test(plot_map, window_of_a_larger_grid_via_stride) {
  /* The same map embedded in a grid twice as wide: stride selects the window without a copy. */
  osq_plot_map_t m;
  make_map(&m);
  static float big_v[NLAT * NLON * 2];
  static uint8_t big_t[NLAT * NLON * 2];
  for (int r = 0; r < NLAT; r++)
    for (int c = 0; c < 2 * NLON; c++) {
      size_t i = (size_t)r * 2 * NLON + (size_t)c;
      bool in = c >= NLON;
      big_v[i] = in ? value[(size_t)r * NLON + (size_t)(c - NLON)] : 0.25f;
      big_t[i] = in ? tid[(size_t)r * NLON + (size_t)(c - NLON)] : 7;
    }
  char p1[512], p2[512];
  path_in(p1, sizeof p1, "direct.png");
  path_in(p2, sizeof p2, "strided.png");
  osq_error_t err = {0};
  cr_assert_eq(osq_plot_map(p1, &m, &err), 0);
  m.value = big_v + NLON;
  m.tid = big_t + NLON;
  m.stride = 2 * NLON;
  cr_assert_eq(osq_plot_map(p2, &m, &err), 0);
  cairo_surface_t *a = read_png(p1), *b = read_png(p2);
  int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
  cr_assert_eq(w, cairo_image_surface_get_width(b));
  cr_assert_eq(h, cairo_image_surface_get_height(b));
  int diff = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      rgb_t pa = pixel(a, x, y), pb = pixel(b, x, y);
      if (pa.r != pb.r || pa.g != pb.g || pa.b != pb.b) diff++;
    }
  cr_assert_eq(diff, 0, "%d pixels differ between the direct and the strided window", diff);
  cairo_surface_destroy(a);
  cairo_surface_destroy(b);
}

Test(plot_map, tall_window_keeps_its_aspect_within_a_bounded_height) {
  /* 20 x 90 degrees, 170 E to 170 W: drawn full width the map would be 4.5 times higher than
   * wide, and the window crosses the antimeridian. */
  enum { TR = 36, TC = 8 };
  static float v[TR * TC];
  static uint8_t t[TR * TC];
  for (int i = 0; i < TR * TC; i++) {
    v[i] = (float)(i % 7) / 6.0f;
    t[i] = (uint8_t)(1 + i % 3);
  }
  osq_plot_map_t m = {.value = v, .tid = t, .nlat = TR, .nlon = TC, .lat0 = -45.0, .lon0 = 170.0, .res_deg = 2.5,
                      .vmin = 0.0, .vmax = 1.0, .title = "Tall window across the antimeridian", .width_px = 800};
  osq_plot_map_geom_t g;
  osq_error_t err = {0};
  cr_assert_eq(osq_plot_map_geometry(&m, &g, &err), 0, "%s", err.n ? err.msg[0] : "");
  cr_assert_leq(g.height, 2 * g.width, "picture %d x %d", g.width, g.height);
  cr_assert(fabs((double)g.map_h / g.map_w - 4.5) < 0.05, "map %d x %d px for a 2:9 window", g.map_w, g.map_h);
  char path[512];
  path_in(path, sizeof path, "tall.png");
  cr_assert_eq(osq_plot_map(path, &m, &err), 0, "%s", err.n ? err.msg[0] : "");
  cairo_surface_t *s = read_png(path);
  cr_assert_eq(cairo_image_surface_get_width(s), g.width);
  cr_assert_eq(cairo_image_surface_get_height(s), g.height);
  cairo_surface_destroy(s);
}

/* ---- line chart ---- */

TestSuite(plot_lines, .init = setup, .fini = teardown);

Test(plot_lines, writes_png_of_requested_size_with_content) {
  enum { NY = 24 };
  int years[NY];
  double y[3][NY], lo[NY], hi[NY];
  for (int i = 0; i < NY; i++) {
    years[i] = 2002 + i;
    y[0][i] = 60.0 + 30.0 * sin(i * 0.5);
    y[1][i] = 20.0 + i;
    y[2][i] = (i == 16) ? NAN : 40.0 - i; /* a gap, as in 2018 without a plan */
    lo[i] = y[0][i] - 8.0;
    hi[i] = y[0][i] + 8.0;
  }
  osq_plot_series_t sr[3] = {
      {.name = "ALL", .y = y[0], .lo = lo, .hi = hi},
      {.name = "EUR", .y = y[1]},
      {.name = "RUBY", .y = y[2]},
  };
  osq_plot_lines_t c = {.years = years, .n = NY, .series = sr, .n_series = 3, .title = "Completed flights",
                        .subtitle = "timeline, 1,000 trials", .y_label = "flights per year",
                        .width_px = 1000, .height_px = 600};
  char path[512];
  path_in(path, sizeof path, "lines.png");
  osq_error_t err = {0};
  int rc = osq_plot_lines(path, &c, &err);
  cr_assert_eq(rc, 0, "osq_plot_lines: %d %s", rc, err.n ? err.msg[0] : "");
  assert_png_signature(path);
  cairo_surface_t *s = read_png(path);
  cr_assert_eq(cairo_image_surface_get_width(s), 1000);
  cr_assert_eq(cairo_image_surface_get_height(s), 600);
  long nonwhite = 0, blue = 0, vermillion = 0;
  for (int yy = 0; yy < 600; yy++)
    for (int xx = 0; xx < 1000; xx++) {
      rgb_t p = pixel(s, xx, yy);
      if (p.r != 255 || p.g != 255 || p.b != 255) nonwhite++;
      if (p.r == 0x00 && p.g == 0x72 && p.b == 0xB2) blue++;
      if (p.r == 0xD5 && p.g == 0x5E && p.b == 0x00) vermillion++;
    }
  cr_assert_gt(nonwhite, 10000, "only %ld non-white pixels", nonwhite);
  /* The first two series are drawn in the first two palette colours. */
  cr_assert_gt(blue, 200, "%ld pixels of series 1's colour", blue);
  cr_assert_gt(vermillion, 200, "%ld pixels of series 2's colour", vermillion);
  cairo_surface_destroy(s);
}

Test(plot_lines, defaults_single_year_and_all_nan) {
  int years[1] = {2021};
  double y[1] = {NAN};
  osq_plot_series_t sr = {.name = "US", .y = y};
  osq_plot_lines_t c = {.years = years, .n = 1, .series = &sr, .n_series = 1};
  char path[512];
  path_in(path, sizeof path, "empty.png");
  osq_error_t err = {0};
  cr_assert_eq(osq_plot_lines(path, &c, &err), 0, "%s", err.n ? err.msg[0] : "");
  cairo_surface_t *s = read_png(path);
  cr_assert_eq(cairo_image_surface_get_width(s), OSQ_PLOT_LINES_WIDTH_DEFAULT);
  cr_assert_eq(cairo_image_surface_get_height(s), OSQ_PLOT_LINES_HEIGHT_DEFAULT);
  cairo_surface_destroy(s);
}

Test(plot_lines, bad_descriptions_are_refused) {
  int years[3] = {2019, 2019, 2020};
  double y[3] = {1, 2, 3};
  osq_plot_series_t sr = {.name = "x", .y = y};
  osq_plot_lines_t c = {.years = years, .n = 3, .series = &sr, .n_series = 1};
  char path[512];
  path_in(path, sizeof path, "bad.png");
  osq_error_t err = {0};
  cr_assert_eq(osq_plot_lines(path, &c, &err), OSQ_EINVAL); /* years repeat */
  years[1] = 2018;
  cr_assert_eq(osq_plot_lines(path, &c, &err), OSQ_EINVAL); /* years go back */
  years[1] = 2020;
  years[2] = 2021;
  osq_plot_series_t half = {.name = "x", .y = y, .lo = y};
  c.series = &half;
  cr_assert_eq(osq_plot_lines(path, &c, &err), OSQ_EINVAL); /* band without hi */
  c.series = &sr;
  c.n_series = OSQ_PLOT_SERIES_MAX + 1;
  cr_assert_eq(osq_plot_lines(path, &c, &err), OSQ_EINVAL);
  c.n_series = 1;
  c.width_px = 50;
  cr_assert_eq(osq_plot_lines(path, &c, &err), OSQ_ERANGE);
  cr_assert_eq(dir_entries(dir), 0, "nothing written for refused charts");
  c.width_px = 0;
  cr_assert_eq(osq_plot_lines(path, &c, &err), 0, "the repaired chart draws");
  cr_assert_eq(dir_entries(dir), 1);
}
