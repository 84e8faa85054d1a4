/*
 * plot_draw.h owns the drawing kit that the coverage map (plot_map.c) and the line chart
 * (plot_lines.c) share: the canvas (cairo surface and context, white) and its atomic PNG
 * writing, the colours common to both pictures, text (fonts, measuring, anchored and fitted
 * labels), the numbers of axes and scales ("nice" steps, fixed-point labels), the title block and
 * axis ticks. Internal to results/ (names osq__draw_); the pictures' API is results/plot.h.
 *
 * Why cairo: it is a well-kept library (Debian's libcairo2, which GTK and much of the desktop
 * draw with) that both rasterises vector graphics and writes PNG, and it renders text through
 * fontconfig and FreeType, which legends, tick labels and titles need; libpng alone has no text,
 * and drawing our own glyphs would be a home-made font renderer. Only cairo's "toy" text API is
 * used: it is enough for single-line labels and needs no further library (Pango).
 */
#ifndef OSQ_RESULTS_PLOT_DRAW_H
#define OSQ_RESULTS_PLOT_DRAW_H

#include <stdbool.h>
#include <stdint.h>

#include <cairo.h>

#include "models/errors.h"

/* ---- colours (0xRRGGBB) both pictures use ---- */

#define OSQ__DRAW_WHITE 0xFFFFFF
#define OSQ__DRAW_TEXT 0x222222
#define OSQ__DRAW_SUBTEXT 0x555555
#define OSQ__DRAW_AXIS 0x444444

/** Set the source colour, opaque or with alpha a. */
void osq__draw_rgb(cairo_t *cr, uint32_t rgb);
void osq__draw_rgba(cairo_t *cr, uint32_t rgb, double a);

/* ---- numbers of axes and scales ---- */

/** Size of a label buffer. */
#define OSQ__DRAW_LABEL_LEN 64

/** Decimals needed to print multiples of step exactly (0.25 -> 2, 5 -> 0), at most 6. */
int osq__draw_step_decimals(double step);
/** The "nice" step (1, 2, 2.5 or 5 times a power of ten) at least raw; 1 for a bad raw. */
double osq__draw_nice_step(double raw);
/**
 * v with dec decimals, '.' whatever the locale, thousands grouped with ',' (the house style:
 * "1,500 flights"), a real minus sign, never "-0"; "n/a", "inf", "−inf" for non-finite values.
 */
void osq__draw_fixed(double v, int dec, char out[OSQ__DRAW_LABEL_LEN]);

/* ---- text ---- */

typedef enum { OSQ__DRAW_NORMAL, OSQ__DRAW_BOLD } osq__draw_weight_t;

/** Select the "sans-serif" face at px pixels. */
void osq__draw_font(cairo_t *cr, double px, osq__draw_weight_t w);
/** Advance width of s in the current font. */
double osq__draw_text_width(cairo_t *cr, const char *s);
/** Height of a line of text in the current font: ascent plus descent. */
double osq__draw_line_height(cairo_t *cr);
/**
 * Draw s with its anchor at (x, y): ax = 0 / 0.5 / 1 puts x at the left / centre / right of the
 * text; y is the top of the line (font ascent below it is the baseline), or, with vcentre, the
 * middle of the digits' height, so that tick labels sit on their tick.
 */
void osq__draw_text_at(cairo_t *cr, const char *s, double x, double y, double ax, bool vcentre);
/**
 * osq__draw_text_at for caller-supplied text that must stay within max_w pixels (titles on a
 * narrow picture, long series names): the font shrinks, down to 60 % of its size, then the text
 * is cut at a UTF-8 character boundary and ends in an ellipsis. The current font size is restored.
 */
void osq__draw_text_fit(cairo_t *cr, const char *s, double x, double y, double ax, bool vcentre, double max_w);

/* ---- the title block at the top of a picture ---- */

/** A bold title and a smaller grey subtitle under it, either NULL or "" to leave it out. */
typedef struct {
  const char *title, *subtitle;
  double f_title, f_sub;  /* font sizes, pixels */
  double title_y, sub_y;  /* tops of the lines, set by osq__draw_titles_layout */
} osq__draw_titles_t;

/** Place the lines from y down (s: the picture's scale of spacing); @return y below the last. */
double osq__draw_titles_layout(cairo_t *cr, osq__draw_titles_t *t, double y, double s);
/** Draw the lines left-aligned at x, each fitted into max_w pixels. */
void osq__draw_titles(cairo_t *cr, const osq__draw_titles_t *t, double x, double max_w);

/* ---- axes ---- */

/**
 * A tick from (x0, y0) to (x1, y1) in the axis colour, then, unless label is NULL, its label at
 * (lx, ly) anchored as by osq__draw_text_at, in the text colour (the caller sets the line width
 * and the font).
 */
void osq__draw_tick(cairo_t *cr, double x0, double y0, double x1, double y1, const char *label, double lx,
                    double ly, double ax, bool vcentre);

/* ---- canvas and PNG ---- */

/** A surface and its context. Zero-initialise; NULL-safe to free with osq__draw_canvas_free. */
typedef struct {
  cairo_surface_t *surf;
  cairo_t *cr;
} osq__draw_canvas_t;

/** A white w x h RGB canvas. @return 0, or OSQ_ENOMEM / OSQ_EIO naming path (free cv anyway). */
int osq__draw_canvas_open(osq__draw_canvas_t *cv, int w, int h, const char *path, osq_error_t *err);
void osq__draw_canvas_free(osq__draw_canvas_t *cv);
/** Check what was drawn, then write the PNG to path, whole or not at all (atomic writer). */
int osq__draw_canvas_write(osq__draw_canvas_t *cv, const char *path, osq_error_t *err);
/** Report a cairo failure: OSQ_ENOMEM for CAIRO_STATUS_NO_MEMORY, else OSQ_EIO. */
int osq__draw_failure(cairo_status_t st, const char *path, osq_error_t *err);

#endif
