/*
 * plot_tornado.c owns the tornado chart of plot.h (osq_plot_tornado): which inputs drive a study's
 * output, one bar per input, largest first. What it shares with the other pictures (canvas, PNG,
 * text, ticks, titles) is in plot_draw.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "results/plot.h"
#include "results/plot_draw.h"

/* The Okabe-Ito blues of the line chart (plot_lines.c): sky blue wide, blue narrow. */
#define RGB_WIDE 0x56B4E9
#define RGB_INNER 0x0072B2
#define RGB_WHISKER 0x222222
#define RGB_GRID 0xDDDDDD
#define RGB_ZERO 0x9A9A9A
#define TORNADO_WIDTH 1400

typedef struct {
  int W, H;
  double s, pad, tick, row_h;
  double f_label, f_axis, f_legend;
  osq__draw_titles_t titles;
  double x0, x1, xstep;
  int xdec;
  double lab_w, lab_h, axis_h, leg_h;
  double px0, px1, py0, py1, top;
} tornado_layout_t;

static int tornado_check(const char *path, const osq_plot_tornado_t *t, osq_error_t *err) {
  if (!t || !t->labels || !t->value || !t->value_label || t->n < 1 || t->n > OSQ_PLOT_BARS_MAX)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "tornado chart: %d bars, labels and values (expected 1..%d)",
                         t ? t->n : 0, OSQ_PLOT_BARS_MAX);
  if ((t->lo == NULL) != (t->hi == NULL))
    return osq_error_add(err, OSQ_EINVAL, path, 0, "tornado chart: whiskers need both ends");
  for (int i = 0; i < t->n; i++)
    if (!t->labels[i]) return osq_error_add(err, OSQ_EINVAL, path, 0, "tornado chart: bar %d has no label", i + 1);
  const int w = t->width_px ? t->width_px : TORNADO_WIDTH;
  if (w < OSQ_PLOT_WIDTH_MIN || w > OSQ_PLOT_WIDTH_MAX)
    return osq_error_add(err, OSQ_ERANGE, path, 0, "tornado chart: width %d px (%d..%d)", w, OSQ_PLOT_WIDTH_MIN,
                         OSQ_PLOT_WIDTH_MAX);
  return OSQ_OK;
}

/* Sizes, and the x range from the data (0 included). */
static void tornado_scale(const osq_plot_tornado_t *t, tornado_layout_t *L) {
  memset(L, 0, sizeof *L);
  L->W = t->width_px ? t->width_px : TORNADO_WIDTH;
  double s = L->W / (double)TORNADO_WIDTH;
  L->s = s = s < 0.6 ? 0.6 : s > 2.0 ? 2.0 : s;
  L->pad = 24.0 * s;
  L->tick = 6.0 * s;
  L->row_h = 34.0 * s;
  L->f_label = 16.0 * s;
  L->f_axis = 18.0 * s;
  L->f_legend = 16.0 * s;
  L->titles = (osq__draw_titles_t){.title = t->title, .subtitle = t->subtitle, .f_title = 26.0 * s, .f_sub = 16.0 * s};
  double lo = 0.0, hi = 0.0;
  for (int i = 0; i < t->n; i++) {
    const double v[4] = {t->value[i], t->inner ? t->inner[i] : NAN, t->lo ? t->lo[i] : NAN, t->hi ? t->hi[i] : NAN};
    for (int k = 0; k < 4; k++)
      if (isfinite(v[k])) {
        lo = fmin(lo, v[k]);
        hi = fmax(hi, v[k]);
      }
  }
  if (t->x_max > 0) { /* a fixed scale (shares of a variance): what lies beyond is cut at its edge */
    hi = t->x_max;
    lo = fmax(lo, -0.25 * t->x_max);
  }
  if (hi - lo <= 0) hi = lo + 1.0;
  L->xstep = osq__draw_nice_step((hi - lo) / 5.0);
  L->x0 = floor(lo / L->xstep + 1e-9) * L->xstep;
  L->x1 = ceil(hi / L->xstep - 1e-9) * L->xstep;
  L->xdec = osq__draw_step_decimals(L->xstep);
}

static void tornado_layout(cairo_t *cr, const osq_plot_tornado_t *t, tornado_layout_t *L) {
  const double s = L->s;
  double top = osq__draw_titles_layout(cr, &L->titles, L->pad, s) + 8.0 * s;
  osq__draw_font(cr, L->f_legend, OSQ__DRAW_NORMAL);
  L->leg_h = osq__draw_line_height(cr);
  L->top = top;
  top += L->leg_h + 18.0 * s; /* the legend's line */
  osq__draw_font(cr, L->f_label, OSQ__DRAW_NORMAL);
  L->lab_h = osq__draw_line_height(cr);
  for (int i = 0; i < t->n; i++) L->lab_w = fmax(L->lab_w, osq__draw_text_width(cr, t->labels[i]));
  L->lab_w = fmin(L->lab_w, 0.42 * L->W);
  osq__draw_font(cr, L->f_axis, OSQ__DRAW_NORMAL);
  L->axis_h = osq__draw_line_height(cr);
  L->px0 = round(L->pad + L->lab_w + 12.0 * s);
  L->px1 = round(L->W - L->pad - 90.0 * s); /* room for a value's label right of its bar */
  L->py0 = round(top);
  L->py1 = round(top + t->n * L->row_h);
  L->H = (int)ceil(L->py1 + L->tick + 4.0 * s + L->lab_h + 10.0 * s + L->axis_h + L->pad);
}

static inline double x_px(const tornado_layout_t *L, double v) {
  return L->px0 + (v - L->x0) / (L->x1 - L->x0) * (L->px1 - L->px0);
}

static void tornado_axis(cairo_t *cr, const osq_plot_tornado_t *t, const tornado_layout_t *L) {
  const double s = L->s;
  char buf[OSQ__DRAW_LABEL_LEN];
  cairo_set_line_width(cr, 1.0);
  osq__draw_font(cr, L->f_label, OSQ__DRAW_NORMAL);
  for (double v = L->x0; v <= L->x1 + 1e-9 * L->xstep; v += L->xstep) {
    const double x = round(x_px(L, v)) + 0.5, vv = fabs(v) < 1e-12 * L->xstep ? 0.0 : v;
    osq__draw_rgb(cr, vv == 0.0 ? RGB_ZERO : RGB_GRID);
    cairo_move_to(cr, x, L->py0);
    cairo_line_to(cr, x, L->py1);
    cairo_stroke(cr);
    osq__draw_fixed(vv, L->xdec, buf);
    osq__draw_tick(cr, x, L->py1, x, L->py1 + L->tick, buf, x, L->py1 + L->tick + 4.0 * s, 0.5, false);
  }
  if (t->x_label) {
    osq__draw_font(cr, L->f_axis, OSQ__DRAW_NORMAL);
    osq__draw_rgb(cr, OSQ__DRAW_TEXT);
    osq__draw_text_fit(cr, t->x_label, (L->px0 + L->px1) / 2.0, L->py1 + L->tick + 4.0 * s + L->lab_h + 10.0 * s, 0.5,
                       false, L->px1 - L->px0);
  }
  osq__draw_rgb(cr, OSQ__DRAW_AXIS);
  cairo_move_to(cr, L->px0, L->py1 + 0.5);
  cairo_line_to(cr, L->px1, L->py1 + 0.5);
  cairo_stroke(cr);
}

static inline double x_clip(const tornado_layout_t *L, double v) { return fmin(fmax(x_px(L, v), L->px0), L->px1); }

static void tornado_bars(cairo_t *cr, const osq_plot_tornado_t *t, const tornado_layout_t *L) {
  const double s = L->s, zero = x_px(L, 0.0);
  char buf[OSQ__DRAW_LABEL_LEN];
  for (int i = 0; i < t->n; i++) {
    const double yc = L->py0 + (i + 0.5) * L->row_h, v = t->value[i];
    osq__draw_font(cr, L->f_label, OSQ__DRAW_NORMAL);
    osq__draw_rgb(cr, OSQ__DRAW_TEXT);
    osq__draw_text_fit(cr, t->labels[i], L->px0 - 12.0 * s, yc, 1.0, true, L->lab_w);
    cairo_save(cr);
    cairo_rectangle(cr, L->px0, L->py0, L->px1 - L->px0, L->py1 - L->py0);
    cairo_clip(cr);
    if (isfinite(v)) {
      osq__draw_rgb(cr, RGB_WIDE);
      cairo_rectangle(cr, fmin(zero, x_px(L, v)), yc - 0.32 * L->row_h, fabs(x_px(L, v) - zero), 0.64 * L->row_h);
      cairo_fill(cr);
    }
    if (t->inner && isfinite(t->inner[i])) {
      const double xi = x_px(L, t->inner[i]);
      osq__draw_rgb(cr, RGB_INNER);
      cairo_rectangle(cr, fmin(zero, xi), yc - 0.14 * L->row_h, fabs(xi - zero), 0.28 * L->row_h);
      cairo_fill(cr);
    }
    double right = isfinite(v) ? fmax(zero, x_clip(L, v)) : zero;
    if (t->lo && isfinite(t->lo[i]) && isfinite(t->hi[i])) {
      const double a = x_px(L, t->lo[i]), b = x_px(L, t->hi[i]), cap = 0.2 * L->row_h;
      osq__draw_rgb(cr, RGB_WHISKER);
      cairo_set_line_width(cr, 1.5 * s);
      cairo_move_to(cr, a, yc);
      cairo_line_to(cr, b, yc);
      cairo_move_to(cr, a, yc - cap);
      cairo_line_to(cr, a, yc + cap);
      cairo_move_to(cr, b, yc - cap);
      cairo_line_to(cr, b, yc + cap);
      cairo_stroke(cr);
      right = fmax(right, b);
    }
    cairo_restore(cr);
    right = fmin(right, L->px1);
    osq__draw_fixed(v, L->xdec + 1 > 2 ? L->xdec + 1 : 2, buf);
    osq__draw_font(cr, L->f_label * 0.9, OSQ__DRAW_NORMAL);
    osq__draw_rgb(cr, OSQ__DRAW_SUBTEXT);
    osq__draw_text_at(cr, buf, right + 6.0 * s, yc, 0.0, true);
  }
}

/* One line under the titles: a swatch and the text of each part drawn. */
static void tornado_legend(cairo_t *cr, const osq_plot_tornado_t *t, const tornado_layout_t *L) {
  const double s = L->s, yc = L->top + L->leg_h / 2.0, sw = 30.0 * s;
  double x = L->px0;
  osq__draw_font(cr, L->f_legend, OSQ__DRAW_NORMAL);
  const char *text[3] = {t->value_label, t->inner ? t->inner_label : NULL, t->lo ? t->whisker_label : NULL};
  for (int k = 0; k < 3; k++) {
    if (!text[k]) continue;
    if (k < 2) {
      osq__draw_rgb(cr, k == 0 ? RGB_WIDE : RGB_INNER);
      const double h = (k == 0 ? 0.64 : 0.28) * L->row_h * 0.7;
      cairo_rectangle(cr, x, yc - h / 2.0, sw, h);
      cairo_fill(cr);
    } else {
      osq__draw_rgb(cr, RGB_WHISKER);
      cairo_set_line_width(cr, 1.5 * s);
      cairo_move_to(cr, x, yc);
      cairo_line_to(cr, x + sw, yc);
      cairo_move_to(cr, x, yc - 5.0 * s);
      cairo_line_to(cr, x, yc + 5.0 * s);
      cairo_move_to(cr, x + sw, yc - 5.0 * s);
      cairo_line_to(cr, x + sw, yc + 5.0 * s);
      cairo_stroke(cr);
    }
    osq__draw_rgb(cr, OSQ__DRAW_TEXT);
    osq__draw_text_at(cr, text[k], x + sw + 8.0 * s, yc, 0.0, true);
    x += sw + 8.0 * s + osq__draw_text_width(cr, text[k]) + 28.0 * s;
  }
}

int osq_plot_tornado(const char *path, const osq_plot_tornado_t *t, osq_error_t *err) {
  int rc = tornado_check(path, t, err);
  if (rc) return rc;
  tornado_layout_t L;
  tornado_scale(t, &L);
  /* The height follows from the text's measures: lay out on a scratch canvas first. */
  osq__draw_canvas_t probe = {0};
  rc = osq__draw_canvas_open(&probe, 16, 16, path, err);
  if (rc == 0) tornado_layout(probe.cr, t, &L);
  osq__draw_canvas_free(&probe);
  if (rc) return rc;
  if (L.H > OSQ_PLOT_WIDTH_MAX)
    return osq_error_add(err, OSQ_ERANGE, path, 0, "tornado chart: height %d px (at most %d)", L.H, OSQ_PLOT_WIDTH_MAX);
  osq__draw_canvas_t cv = {0};
  rc = osq__draw_canvas_open(&cv, L.W, L.H, path, err);
  if (rc == 0) {
    tornado_layout(cv.cr, t, &L);
    osq__draw_titles(cv.cr, &L.titles, L.pad, L.W - 2.0 * L.pad);
    tornado_legend(cv.cr, t, &L);
    tornado_axis(cv.cr, t, &L);
    tornado_bars(cv.cr, t, &L);
    rc = osq__draw_canvas_write(&cv, path, err);
  }
  osq__draw_canvas_free(&cv);
  return rc;
}
