/*
 * plot_lines.c owns the line chart of plot.h (osq_plot_lines): the y range and its ticks, the
 * layout of plot area and legend, the year axis, the series with their bands and markers, and
 * the legend. What it shares with the map (canvas, PNG, text, ticks, titles) is in plot_draw.c.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "models/sphere.h"
#include "results/plot.h"
#include "results/plot_draw.h"

/*
 * Series colours: the Okabe-Ito palette (M. Okabe and K. Ito, "Color Universal Design", 2008),
 * distinguishable with the common colour-vision deficiencies. Yellow comes last: it is weak on
 * white and is only used by an eighth series.
 */
static const uint32_t series_rgb[OSQ_PLOT_SERIES_MAX] = {
    0x0072B2, /* blue */
    0xD55E00, /* vermillion */
    0x009E73, /* bluish green */
    0xCC79A7, /* reddish purple */
    0xE69F00, /* orange */
    0x56B4E9, /* sky blue */
    0x000000, /* black */
    0xC9B400, /* yellow, darkened from F0E442 to show on white */
};

#define RGB_GRID 0xDDDDDD
#define RGB_ZERO 0x9A9A9A /* the y = 0 line when the axis crosses it */

static int lines_check(const char *path, const osq_plot_lines_t *c, osq_error_t *err) {
  if (!c || !c->years || c->n < 1)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "chart: no years to draw");
  if (!c->series || c->n_series < 1 || c->n_series > OSQ_PLOT_SERIES_MAX)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "chart: %d series (1..%d)", c ? c->n_series : 0,
                         OSQ_PLOT_SERIES_MAX);
  for (int i = 1; i < c->n; i++) {
    if (c->years[i] <= c->years[i - 1])
      return osq_error_add(err, OSQ_EINVAL, path, 0, "chart: years must increase (%d after %d)", c->years[i],
                           c->years[i - 1]);
  }
  for (int k = 0; k < c->n_series; k++) {
    const osq_plot_series_t *s = &c->series[k];
    if (!s->name || !s->y)
      return osq_error_add(err, OSQ_EINVAL, path, 0, "chart: series %d has no name or no values", k + 1);
    if ((s->lo == NULL) != (s->hi == NULL))
      return osq_error_add(err, OSQ_EINVAL, path, 0, "chart: series \"%s\" has only one side of its band", s->name);
  }
  int w = c->width_px ? c->width_px : OSQ_PLOT_LINES_WIDTH_DEFAULT;
  int h = c->height_px ? c->height_px : OSQ_PLOT_LINES_HEIGHT_DEFAULT;
  if (w < OSQ_PLOT_WIDTH_MIN || w > OSQ_PLOT_WIDTH_MAX || h < OSQ_PLOT_WIDTH_MIN / 2 || h > OSQ_PLOT_WIDTH_MAX)
    return osq_error_add(err, OSQ_ERANGE, path, 0, "chart: size %d x %d px (width %d..%d, height %d..%d)", w, h,
                         OSQ_PLOT_WIDTH_MIN, OSQ_PLOT_WIDTH_MAX, OSQ_PLOT_WIDTH_MIN / 2, OSQ_PLOT_WIDTH_MAX);
  if (isfinite(c->y_min) && isfinite(c->y_max) && c->y_min > c->y_max)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "chart: y range %g..%g is reversed", c->y_min, c->y_max);
  return 0;
}

/* Marker k at (x, y): filled shape with a white rim, so that overlapping markers stay apart. */
static void marker(cairo_t *cr, int k, double x, double y, double r, uint32_t rgb) {
  switch (k % OSQ_PLOT_SERIES_MAX) {
    case 0:
      cairo_new_sub_path(cr);
      cairo_arc(cr, x, y, r, 0.0, 2.0 * OSQ_PI);
      break;
    case 1:
      cairo_rectangle(cr, x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r);
      break;
    case 2:
    case 4: {
      double d = (k % OSQ_PLOT_SERIES_MAX == 2) ? -1.0 : 1.0; /* up, down */
      double rr = 1.2 * r;
      cairo_move_to(cr, x, y + d * rr);
      cairo_line_to(cr, x + 0.866 * rr, y - d * 0.5 * rr);
      cairo_line_to(cr, x - 0.866 * rr, y - d * 0.5 * rr);
      cairo_close_path(cr);
      break;
    }
    case 3:
      cairo_move_to(cr, x, y - 1.25 * r);
      cairo_line_to(cr, x + 1.25 * r, y);
      cairo_line_to(cr, x, y + 1.25 * r);
      cairo_line_to(cr, x - 1.25 * r, y);
      cairo_close_path(cr);
      break;
    case 5: /* star */
      for (int i = 0; i < 10; i++) {
        double a = -OSQ_PI / 2.0 + i * OSQ_PI / 5.0, rr = (i % 2) ? 0.55 * r : 1.35 * r;
        if (i == 0)
          cairo_move_to(cr, x + rr * cos(a), y + rr * sin(a));
        else
          cairo_line_to(cr, x + rr * cos(a), y + rr * sin(a));
      }
      cairo_close_path(cr);
      break;
    case 6: /* pentagon */
      for (int i = 0; i < 5; i++) {
        double a = -OSQ_PI / 2.0 + i * 2.0 * OSQ_PI / 5.0;
        if (i == 0)
          cairo_move_to(cr, x + 1.1 * r * cos(a), y + 1.1 * r * sin(a));
        else
          cairo_line_to(cr, x + 1.1 * r * cos(a), y + 1.1 * r * sin(a));
      }
      cairo_close_path(cr);
      break;
    default: /* hexagon */
      for (int i = 0; i < 6; i++) {
        double a = i * OSQ_PI / 3.0;
        if (i == 0)
          cairo_move_to(cr, x + 1.1 * r * cos(a), y + 1.1 * r * sin(a));
        else
          cairo_line_to(cr, x + 1.1 * r * cos(a), y + 1.1 * r * sin(a));
      }
      cairo_close_path(cr);
      break;
  }
  osq__draw_rgb(cr, rgb);
  cairo_fill_preserve(cr);
  osq__draw_rgb(cr, OSQ__DRAW_WHITE);
  cairo_set_line_width(cr, 1.0);
  cairo_stroke(cr);
}


/* ---------------------------------------------------------------------------------------------- */
/* Layout                                                                                           */
/* ---------------------------------------------------------------------------------------------- */

/* Everything the chart's layout fixes, in pixels unless said otherwise. */
typedef struct {
  int W, H;                         /* the picture */
  double s;                         /* scale of fonts and spacing against the default size */
  double pad, tick;
  double f_label, f_axis, f_legend; /* font sizes: tick labels, axis titles, legend */
  osq__draw_titles_t titles;
  bool any_band, any_value;         /* some series has a band; some value or band is finite */
  double y0, y1, ystep;             /* y range and tick step, data units */
  int ydec;                         /* decimals of the y tick labels */
  double lab_h, year_w, axis_h;     /* heights of a tick label and an axis title, width of a year */
  double leg_h, sample_w, leg_text_w; /* legend: text height, line sample, widest text */
  const char *band_label;
  double px0, px1, py0, py1;        /* plot area: left, right, top, bottom */
  double xa, xb;                    /* x range, years (half a year beyond the data each side) */
  double lw, mr;                    /* line width, marker radius */
} lines_layout_t;

/* Picture size, the scale of its text, and the y range: from the data unless the caller fixed it. */
static void lines_scale(const osq_plot_lines_t *c, lines_layout_t *L) {
  memset(L, 0, sizeof *L);
  L->W = c->width_px ? c->width_px : OSQ_PLOT_LINES_WIDTH_DEFAULT;
  L->H = c->height_px ? c->height_px : OSQ_PLOT_LINES_HEIGHT_DEFAULT;
  double s = fmin(L->W / (double)OSQ_PLOT_LINES_WIDTH_DEFAULT, L->H / (double)OSQ_PLOT_LINES_HEIGHT_DEFAULT);
  if (s < 0.6) s = 0.6;
  if (s > 2.0) s = 2.0;
  L->s = s;
  L->pad = 24.0 * s;
  L->tick = 6.0 * s;
  L->titles = (osq__draw_titles_t){.title = c->title, .subtitle = c->subtitle, .f_title = 28.0 * s, .f_sub = 18.0 * s};
  L->f_label = 16.0 * s;
  L->f_axis = 18.0 * s;
  L->f_legend = 17.0 * s;
  L->lw = 2.5 * s;
  L->mr = 4.5 * s;

  double dmin = INFINITY, dmax = -INFINITY;
  for (int k = 0; k < c->n_series; k++) {
    const osq_plot_series_t *sr = &c->series[k];
    if (sr->lo) L->any_band = true;
    for (int i = 0; i < c->n; i++) {
      double v[3] = {sr->y[i], sr->lo ? sr->lo[i] : NAN, sr->hi ? sr->hi[i] : NAN};
      for (int j = 0; j < 3; j++) {
        if (!isfinite(v[j])) continue;
        L->any_value = true;
        if (v[j] < dmin) dmin = v[j];
        if (v[j] > dmax) dmax = v[j];
      }
    }
  }
  if (isfinite(c->y_min) && isfinite(c->y_max) && c->y_min < c->y_max) {
    L->y0 = c->y_min;
    L->y1 = c->y_max;
    L->ystep = osq__draw_nice_step((L->y1 - L->y0) / 5.0);
  } else {
    if (!(dmin <= dmax)) { /* no finite value: empty axes */
      dmin = 0.0;
      dmax = 1.0;
    }
    if (dmin >= 0.0) dmin = 0.0;
    if (dmax - dmin <= 0.0) dmax = dmin + (dmin == 0.0 ? 1.0 : fabs(dmin) * 0.1);
    L->ystep = osq__draw_nice_step((dmax - dmin) / 5.0);
    L->y0 = floor(dmin / L->ystep + 1e-9) * L->ystep;
    L->y1 = ceil(dmax / L->ystep - 1e-9) * L->ystep;
  }
  L->ydec = osq__draw_step_decimals(L->ystep);
}

/* Label of the y tick at t (an exact 0 for the rounding residue of a sum of steps). */
static void y_tick_label(const lines_layout_t *L, double t, char buf[OSQ__DRAW_LABEL_LEN]) {
  osq__draw_fixed(fabs(t) < 1e-12 * L->ystep ? 0.0 : t, L->ydec, buf);
}

/* Measure the text and place titles, plot area and legend (cr: the canvas, only fonts are used). */
static void lines_layout(cairo_t *cr, const osq_plot_lines_t *c, lines_layout_t *L) {
  double s = L->s, pad = L->pad, tick = L->tick;
  char buf[OSQ__DRAW_LABEL_LEN];
  double top = osq__draw_titles_layout(cr, &L->titles, pad, s) + 14.0 * s;

  osq__draw_font(cr, L->f_label, OSQ__DRAW_NORMAL);
  L->lab_h = osq__draw_line_height(cr);
  double ytick_w = 0.0;
  for (double t = L->y0; t <= L->y1 + 1e-9 * L->ystep; t += L->ystep) {
    y_tick_label(L, t, buf);
    ytick_w = fmax(ytick_w, osq__draw_text_width(cr, buf));
  }
  L->year_w = osq__draw_text_width(cr, "2000");
  osq__draw_font(cr, L->f_axis, OSQ__DRAW_NORMAL);
  L->axis_h = osq__draw_line_height(cr);
  osq__draw_font(cr, L->f_legend, OSQ__DRAW_NORMAL);
  L->leg_h = osq__draw_line_height(cr);
  L->sample_w = 44.0 * s;
  L->leg_text_w = 0.0;
  for (int k = 0; k < c->n_series; k++)
    L->leg_text_w = fmax(L->leg_text_w, osq__draw_text_width(cr, c->series[k].name));
  L->band_label = c->band_label ? c->band_label : "95 % CI";
  if (L->any_band) L->leg_text_w = fmax(L->leg_text_w, osq__draw_text_width(cr, L->band_label));
  L->leg_text_w = fmin(L->leg_text_w, 0.25 * L->W); /* long names are fitted, not given the chart */
  double leg_w = L->sample_w + 10.0 * s + L->leg_text_w;

  double px0 = pad + (c->y_label && *c->y_label ? L->axis_h + 12.0 * s : 0.0) + ytick_w + tick + 6.0 * s;
  double px1 = L->W - pad - leg_w - 30.0 * s;
  double py0 = top + L->lab_h / 2.0; /* room for the top tick label */
  double py1 = L->H - pad - L->axis_h - 10.0 * s - L->lab_h - tick - 4.0 * s;
  if (px1 - px0 < 60.0) px1 = px0 + 60.0; /* absurd legends: keep some plot */
  if (py1 - py0 < 40.0) py1 = py0 + 40.0;
  L->px0 = round(px0);
  L->px1 = round(px1);
  L->py0 = round(py0);
  L->py1 = round(py1);
  L->xa = c->years[0] - 0.5; /* ticks only at the data's years */
  L->xb = c->years[c->n - 1] + 0.5;
}

/* Pixel column of a year, pixel row of a value. */
static inline double x_px(const lines_layout_t *L, double yr) {
  return L->px0 + (yr - L->xa) / (L->xb - L->xa) * (L->px1 - L->px0);
}
static inline double y_px(const lines_layout_t *L, double v) {
  return L->py1 - (v - L->y0) / (L->y1 - L->y0) * (L->py1 - L->py0);
}

/* ---------------------------------------------------------------------------------------------- */
/* Axes                                                                                             */
/* ---------------------------------------------------------------------------------------------- */

/* Horizontal grid lines with the y ticks and their labels. */
static void lines_y_axis(cairo_t *cr, const lines_layout_t *L) {
  double s = L->s, tick = L->tick;
  char buf[OSQ__DRAW_LABEL_LEN];
  cairo_set_line_width(cr, 1.0);
  osq__draw_font(cr, L->f_label, OSQ__DRAW_NORMAL);
  for (double t = L->y0; t <= L->y1 + 1e-9 * L->ystep; t += L->ystep) {
    double y = round(y_px(L, t)) + 0.5;
    /* Zero stands out when the axis crosses it (differences against a baseline). */
    osq__draw_rgb(cr, (fabs(t) < 1e-9 * L->ystep && L->y0 < 0.0) ? RGB_ZERO : RGB_GRID);
    cairo_move_to(cr, L->px0, y);
    cairo_line_to(cr, L->px1, y);
    cairo_stroke(cr);
    y_tick_label(L, t, buf);
    osq__draw_tick(cr, L->px0 - tick, y, L->px0, y, buf, L->px0 - tick - 4.0 * s, y, 1.0, true);
  }
}

/* Year ticks: every year if the labels fit, else 2, 5, 10, ... years. */
static int year_step(double px_per_year, double label_px) {
  static const int steps[] = {1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000};
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
    if (steps[i] * px_per_year >= label_px) return steps[i];
  return 1000;
}

static void lines_x_axis(cairo_t *cr, const lines_layout_t *L) {
  double s = L->s, tick = L->tick;
  char buf[OSQ__DRAW_LABEL_LEN];
  int ystp = year_step((L->px1 - L->px0) / (L->xb - L->xa), L->year_w * 1.6);
  int first = (int)ceil(L->xa);
  first = ((first + ystp - 1) / ystp) * ystp; /* years are positive: no negative rounding */
  for (int yr = first; yr <= L->xb; yr += ystp) {
    double x = round(x_px(L, yr)) + 0.5;
    snprintf(buf, sizeof buf, "%d", yr);
    osq__draw_tick(cr, x, L->py1, x, L->py1 + tick, buf, x, L->py1 + tick + 4.0 * s, 0.5, false);
  }
}

/* The axis titles: x centred under the year labels, y turned up the left edge. */
static void lines_axis_titles(cairo_t *cr, const osq_plot_lines_t *c, const lines_layout_t *L) {
  double s = L->s;
  osq__draw_font(cr, L->f_axis, OSQ__DRAW_NORMAL);
  osq__draw_rgb(cr, OSQ__DRAW_TEXT);
  osq__draw_text_fit(cr, c->x_label ? c->x_label : "year", (L->px0 + L->px1) / 2.0,
                     L->py1 + L->tick + 4.0 * s + L->lab_h + 10.0 * s, 0.5, false, L->px1 - L->px0);
  if (c->y_label && *c->y_label) {
    cairo_save(cr);
    cairo_translate(cr, L->pad, (L->py0 + L->py1) / 2.0);
    cairo_rotate(cr, -OSQ_PI / 2.0);
    osq__draw_text_fit(cr, c->y_label, 0.0, 0.0, 0.5, false, L->py1 - L->py0);
    cairo_restore(cr);
  }
}

/* The two axis lines, over the data. */
static void lines_frame(cairo_t *cr, const lines_layout_t *L) {
  osq__draw_rgb(cr, OSQ__DRAW_AXIS);
  cairo_set_line_width(cr, 1.0);
  cairo_move_to(cr, L->px0 + 0.5, L->py0);
  cairo_line_to(cr, L->px0 + 0.5, L->py1 + 0.5);
  cairo_line_to(cr, L->px1, L->py1 + 0.5);
  cairo_stroke(cr);
}

/* ---------------------------------------------------------------------------------------------- */
/* Series and legend                                                                                */
/* ---------------------------------------------------------------------------------------------- */

/* The band of series k, one filled shape per run of years where both sides are finite. */
static void lines_band(cairo_t *cr, const osq_plot_lines_t *c, const lines_layout_t *L, int k) {
  const osq_plot_series_t *sr = &c->series[k];
  for (int i = 0; i < c->n;) {
    if (!isfinite(sr->lo[i]) || !isfinite(sr->hi[i])) {
      i++;
      continue;
    }
    int j = i;
    while (j + 1 < c->n && isfinite(sr->lo[j + 1]) && isfinite(sr->hi[j + 1])) j++;
    if (j == i) { /* a lone year: a short bar */
      double x = x_px(L, c->years[i]);
      cairo_rectangle(cr, x - 3.0 * L->s, y_px(L, sr->hi[i]), 6.0 * L->s, y_px(L, sr->lo[i]) - y_px(L, sr->hi[i]));
    } else {
      cairo_move_to(cr, x_px(L, c->years[i]), y_px(L, sr->hi[i]));
      for (int q = i + 1; q <= j; q++) cairo_line_to(cr, x_px(L, c->years[q]), y_px(L, sr->hi[q]));
      for (int q = j; q >= i; q--) cairo_line_to(cr, x_px(L, c->years[q]), y_px(L, sr->lo[q]));
      cairo_close_path(cr);
    }
    osq__draw_rgba(cr, series_rgb[k], 0.18);
    cairo_fill(cr);
    i = j + 1;
  }
}

/* The line of series k (NaN leaves a gap) and its markers. */
static void lines_series(cairo_t *cr, const osq_plot_lines_t *c, const lines_layout_t *L, int k) {
  const osq_plot_series_t *sr = &c->series[k];
  bool pen = false;
  for (int i = 0; i < c->n; i++) {
    if (!isfinite(sr->y[i])) {
      pen = false;
      continue;
    }
    if (pen)
      cairo_line_to(cr, x_px(L, c->years[i]), y_px(L, sr->y[i]));
    else
      cairo_move_to(cr, x_px(L, c->years[i]), y_px(L, sr->y[i]));
    pen = true;
  }
  osq__draw_rgb(cr, series_rgb[k]);
  cairo_set_line_width(cr, L->lw);
  cairo_stroke(cr);
  for (int i = 0; i < c->n; i++)
    if (isfinite(sr->y[i])) marker(cr, k, x_px(L, c->years[i]), y_px(L, sr->y[i]), L->mr, series_rgb[k]);
}

/* Every band under every line, clipped to the plot area (markers may reach a little beyond it). */
static void lines_data(cairo_t *cr, const osq_plot_lines_t *c, const lines_layout_t *L) {
  double mr = L->mr, px0 = L->px0, px1 = L->px1, py0 = L->py0, py1 = L->py1;
  cairo_save(cr);
  cairo_rectangle(cr, px0 - mr - 2.0, py0 - mr - 2.0, px1 - px0 + 2.0 * mr + 4.0, py1 - py0 + 2.0 * mr + 4.0);
  cairo_clip(cr);
  for (int k = 0; k < c->n_series; k++)
    if (c->series[k].lo) lines_band(cr, c, L, k);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (int k = 0; k < c->n_series; k++) lines_series(cr, c, L, k);
  cairo_restore(cr);
  if (!L->any_value) { /* say so, rather than leave the reader guessing */
    osq__draw_font(cr, L->f_axis, OSQ__DRAW_NORMAL);
    osq__draw_rgb(cr, OSQ__DRAW_SUBTEXT);
    osq__draw_text_at(cr, "no data", (px0 + px1) / 2.0, (py0 + py1) / 2.0, 0.5, true);
  }
}

/* The legend, right of the plot, top-aligned: a sample of each series, then the band's. */
static void lines_legend(cairo_t *cr, const osq_plot_lines_t *c, const lines_layout_t *L) {
  double s = L->s, mr = L->mr, sample_w = L->sample_w;
  double lx = L->px1 + 30.0 * s, ly = L->py0;
  double row_h = fmax(L->leg_h, 2.5 * mr) + 10.0 * s;
  osq__draw_font(cr, L->f_legend, OSQ__DRAW_NORMAL);
  for (int k = 0; k < c->n_series; k++) {
    double yc = ly + row_h * k + row_h / 2.0;
    if (c->series[k].lo) {
      osq__draw_rgba(cr, series_rgb[k], 0.18);
      cairo_rectangle(cr, lx, yc - 0.35 * row_h, sample_w, 0.7 * row_h);
      cairo_fill(cr);
    }
    osq__draw_rgb(cr, series_rgb[k]);
    cairo_set_line_width(cr, L->lw);
    cairo_move_to(cr, lx, yc);
    cairo_line_to(cr, lx + sample_w, yc);
    cairo_stroke(cr);
    marker(cr, k, lx + sample_w / 2.0, yc, mr, series_rgb[k]);
    osq__draw_rgb(cr, OSQ__DRAW_TEXT);
    osq__draw_text_fit(cr, c->series[k].name, lx + sample_w + 10.0 * s, yc, 0.0, true, L->leg_text_w);
  }
  if (L->any_band) {
    double yc = ly + row_h * c->n_series + row_h / 2.0 + 6.0 * s;
    osq__draw_rgba(cr, 0x000000, 0.15);
    cairo_rectangle(cr, lx, yc - 0.35 * row_h, sample_w, 0.7 * row_h);
    cairo_fill(cr);
    osq__draw_rgb(cr, OSQ__DRAW_SUBTEXT);
    osq__draw_text_fit(cr, L->band_label, lx + sample_w + 10.0 * s, yc, 0.0, true, L->leg_text_w);
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* The picture                                                                                      */
/* ---------------------------------------------------------------------------------------------- */

int osq_plot_lines(const char *path, const osq_plot_lines_t *c, osq_error_t *err) {
  int rc = lines_check(path, c, err);
  if (rc) return rc;
  lines_layout_t L;
  lines_scale(c, &L);
  osq__draw_canvas_t cv = {0};
  rc = osq__draw_canvas_open(&cv, L.W, L.H, path, err);
  if (rc == 0) {
    lines_layout(cv.cr, c, &L);
    osq__draw_titles(cv.cr, &L.titles, L.px0, L.W - L.px0 - L.pad);
    lines_y_axis(cv.cr, &L);
    lines_x_axis(cv.cr, &L);
    lines_axis_titles(cv.cr, c, &L);
    lines_data(cv.cr, c, &L);
    lines_frame(cv.cr, &L);
    lines_legend(cv.cr, c, &L);
    rc = osq__draw_canvas_write(&cv, path, err);
  }
  osq__draw_canvas_free(&cv);
  return rc;
}
