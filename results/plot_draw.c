/*
 * plot_draw.c owns the drawing kit shared by the map and the line chart (see plot_draw.h): the
 * canvas and its PNG writing, colours, text, axis numbers, the title block and ticks.
 *
 * The PNG goes through the atomic writer of results/table.h, so a failure leaves no file behind.
 */
#include "results/plot_draw.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "results/table.h"

/* ---------------------------------------------------------------------------------------------- */
/* Colours                                                                                          */
/* ---------------------------------------------------------------------------------------------- */

void osq__draw_rgb(cairo_t *cr, uint32_t rgb) {
  cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0);
}

void osq__draw_rgba(cairo_t *cr, uint32_t rgb, double a) {
  cairo_set_source_rgba(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0, a);
}

/* ---------------------------------------------------------------------------------------------- */
/* Numbers                                                                                          */
/* ---------------------------------------------------------------------------------------------- */

int osq__draw_step_decimals(double step) {
  double s = fabs(step);
  for (int d = 0; d < 6; d++) {
    double m = s * pow(10.0, d);
    if (fabs(m - round(m)) < 1e-6 * (m > 1.0 ? m : 1.0)) return d;
  }
  return 6;
}

/* Built from integers, which no locale groups or gives another decimal point. */
void osq__draw_fixed(double v, int dec, char out[OSQ__DRAW_LABEL_LEN]) {
  if (!isfinite(v)) {
    snprintf(out, OSQ__DRAW_LABEL_LEN, "%s", isnan(v) ? "n/a" : (v > 0 ? "inf" : "\xe2\x88\x92inf"));
    return;
  }
  if (dec < 0) dec = 0;
  if (dec > 6) dec = 6;
  double scale = pow(10.0, dec);
  double a = round(fabs(v) * scale);
  if (a > 9e15) { /* beyond exact integers: no label a chart axis would need */
    snprintf(out, OSQ__DRAW_LABEL_LEN, "%.3g", v);
    return;
  }
  long long n = (long long)a;
  long long ip = n / (long long)scale, fp = n % (long long)scale;
  char digits[24], grouped[32], frac[8];
  snprintf(digits, sizeof digits, "%lld", ip);
  size_t len = strlen(digits), k = 0;
  for (size_t i = 0; i < len && k + 2 < sizeof grouped; i++) {
    if (i > 0 && (len - i) % 3 == 0) grouped[k++] = ',';
    grouped[k++] = digits[i];
  }
  grouped[k] = '\0';
  for (int i = dec - 1; i >= 0; i--) {
    frac[i] = (char)('0' + fp % 10);
    fp /= 10;
  }
  frac[dec] = '\0';
  const char *sign = (v < 0 && n != 0) ? "\xe2\x88\x92" : ""; /* U+2212 MINUS SIGN */
  snprintf(out, OSQ__DRAW_LABEL_LEN, "%s%s%s%s", sign, grouped, dec > 0 ? "." : "", frac);
}

double osq__draw_nice_step(double raw) {
  if (!(raw > 0.0) || !isfinite(raw)) return 1.0;
  double mag = pow(10.0, floor(log10(raw)));
  double f = raw / mag;
  static const double nice[] = {1.0, 2.0, 2.5, 5.0, 10.0};
  for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
    if (f <= nice[i] * (1.0 + 1e-9)) return nice[i] * mag;
  return 10.0 * mag;
}

/* ---------------------------------------------------------------------------------------------- */
/* Text                                                                                             */
/* ---------------------------------------------------------------------------------------------- */

void osq__draw_font(cairo_t *cr, double px, osq__draw_weight_t w) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         w == OSQ__DRAW_BOLD ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, px);
}

double osq__draw_text_width(cairo_t *cr, const char *s) {
  cairo_text_extents_t te;
  cairo_text_extents(cr, s, &te);
  return te.x_advance;
}

double osq__draw_line_height(cairo_t *cr) {
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  return fe.ascent + fe.descent;
}

static double font_ascent(cairo_t *cr) {
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  return fe.ascent;
}

void osq__draw_text_at(cairo_t *cr, const char *s, double x, double y, double ax, bool vcentre) {
  double w = osq__draw_text_width(cr, s);
  double base;
  if (vcentre) {
    cairo_text_extents_t te;
    cairo_text_extents(cr, "0", &te);
    base = y - (te.y_bearing + te.height / 2.0);
  } else {
    base = y + font_ascent(cr);
  }
  cairo_move_to(cr, x - ax * w, base);
  cairo_show_text(cr, s);
}

void osq__draw_text_fit(cairo_t *cr, const char *s, double x, double y, double ax, bool vcentre, double max_w) {
  double w = osq__draw_text_width(cr, s);
  if (w <= max_w || max_w <= 0.0) {
    osq__draw_text_at(cr, s, x, y, ax, vcentre);
    return;
  }
  cairo_matrix_t fm;
  cairo_get_font_matrix(cr, &fm);
  double size = fm.xx;
  cairo_set_font_size(cr, fmax(size * max_w / w, 0.6 * size));
  if (osq__draw_text_width(cr, s) <= max_w) {
    osq__draw_text_at(cr, s, x, y, ax, vcentre);
  } else {
    char buf[512];
    size_t len = strlen(s);
    if (len > sizeof buf - 4) len = sizeof buf - 4;
    memcpy(buf, s, len);
    for (;;) {
      while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80) len--; /* not inside a character */
      memcpy(buf + len, "\xe2\x80\xa6", 4);                              /* U+2026 and the NUL */
      if (len == 0 || osq__draw_text_width(cr, buf) <= max_w) break;
      len--;
    }
    osq__draw_text_at(cr, buf, x, y, ax, vcentre);
  }
  cairo_set_font_size(cr, size);
}

/* ---------------------------------------------------------------------------------------------- */
/* Title block and ticks                                                                            */
/* ---------------------------------------------------------------------------------------------- */

double osq__draw_titles_layout(cairo_t *cr, osq__draw_titles_t *t, double y, double s) {
  t->title_y = t->sub_y = 0.0;
  if (t->title && *t->title) {
    osq__draw_font(cr, t->f_title, OSQ__DRAW_BOLD);
    t->title_y = y;
    y += osq__draw_line_height(cr) + 4.0 * s;
  }
  if (t->subtitle && *t->subtitle) {
    osq__draw_font(cr, t->f_sub, OSQ__DRAW_NORMAL);
    t->sub_y = y;
    y += osq__draw_line_height(cr) + 4.0 * s;
  }
  return y;
}

void osq__draw_titles(cairo_t *cr, const osq__draw_titles_t *t, double x, double max_w) {
  if (t->title && *t->title) {
    osq__draw_font(cr, t->f_title, OSQ__DRAW_BOLD);
    osq__draw_rgb(cr, OSQ__DRAW_TEXT);
    osq__draw_text_fit(cr, t->title, x, t->title_y, 0.0, false, max_w);
  }
  if (t->subtitle && *t->subtitle) {
    osq__draw_font(cr, t->f_sub, OSQ__DRAW_NORMAL);
    osq__draw_rgb(cr, OSQ__DRAW_SUBTEXT);
    osq__draw_text_fit(cr, t->subtitle, x, t->sub_y, 0.0, false, max_w);
  }
}

void osq__draw_tick(cairo_t *cr, double x0, double y0, double x1, double y1, const char *label, double lx,
                    double ly, double ax, bool vcentre) {
  osq__draw_rgb(cr, OSQ__DRAW_AXIS);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
  if (!label) return;
  osq__draw_rgb(cr, OSQ__DRAW_TEXT);
  osq__draw_text_at(cr, label, lx, ly, ax, vcentre);
}

/* ---------------------------------------------------------------------------------------------- */
/* Canvas and PNG output through the atomic writer                                                  */
/* ---------------------------------------------------------------------------------------------- */

/* cairo reduces every failed write to CAIRO_STATUS_WRITE_ERROR; the sink keeps the errno so that
 * the message can say why ("No space left on device"), as the other writers do. */
typedef struct {
  FILE *fp;
  int errnum; /* errno of the first failed fwrite, 0 if none */
} png_sink_t;

static cairo_status_t png_sink(void *closure, const unsigned char *data, unsigned int len) {
  png_sink_t *sink = closure;
  if (sink->errnum) return CAIRO_STATUS_WRITE_ERROR;
  errno = 0;
  if (fwrite(data, 1, len, sink->fp) == len) return CAIRO_STATUS_SUCCESS;
  sink->errnum = errno ? errno : EIO;
  return CAIRO_STATUS_WRITE_ERROR;
}

int osq__draw_failure(cairo_status_t st, const char *path, osq_error_t *err) {
  int code = st == CAIRO_STATUS_NO_MEMORY ? OSQ_ENOMEM : OSQ_EIO;
  return osq_error_add(err, code, path, 0, "cannot draw the picture: %s", cairo_status_to_string(st));
}

/* Write a finished surface to path, whole or not at all. */
static int write_png(cairo_surface_t *surf, const char *path, osq_error_t *err) {
  cairo_surface_flush(surf);
  cairo_status_t st = cairo_surface_status(surf);
  if (st != CAIRO_STATUS_SUCCESS) return osq__draw_failure(st, path, err);
  osq_atomic_file_t *f;
  int rc = osq_atomic_open(path, &f, err);
  if (rc) return rc;
  png_sink_t sink = {osq_atomic_stream(f), 0};
  st = cairo_surface_write_to_png_stream(surf, png_sink, &sink);
  if (st != CAIRO_STATUS_SUCCESS) {
    osq_atomic_abort(f);
    if (st == CAIRO_STATUS_WRITE_ERROR)
      return osq_error_add(err, OSQ_EIO, path, 0, "write error: %s",
                           strerror(sink.errnum ? sink.errnum : EIO));
    return osq__draw_failure(st, path, err);
  }
  return osq_atomic_commit(f, err);
}

int osq__draw_canvas_open(osq__draw_canvas_t *cv, int w, int h, const char *path, osq_error_t *err) {
  cv->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cv->cr = cairo_create(cv->surf);
  cairo_status_t st = cairo_status(cv->cr);
  if (st != CAIRO_STATUS_SUCCESS) return osq__draw_failure(st, path, err);
  osq__draw_rgb(cv->cr, OSQ__DRAW_WHITE);
  cairo_paint(cv->cr);
  return 0;
}

void osq__draw_canvas_free(osq__draw_canvas_t *cv) {
  if (cv->cr) cairo_destroy(cv->cr);
  if (cv->surf) cairo_surface_destroy(cv->surf);
  cv->cr = NULL;
  cv->surf = NULL;
}

int osq__draw_canvas_write(osq__draw_canvas_t *cv, const char *path, osq_error_t *err) {
  cairo_status_t st = cairo_status(cv->cr);
  if (st != CAIRO_STATUS_SUCCESS) return osq__draw_failure(st, path, err);
  return write_png(cv->surf, path, err);
}
