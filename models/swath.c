/*
 * swath.c owns the marking of imaged swaths: mark sets (allocation, clearing, merging), the
 * per-cell definition of a segment's swath, and the fast marking of a segment's or a path's
 * swath row by row by exact longitude arcs (the hottest code of osq); also the latitude range of
 * a great-circle arc, which routes use too. All geometry is on a sphere of radius
 * OSQ_EARTH_RADIUS_KM; points are handled as unit vectors where distances matter, so no formula
 * breaks down near the antimeridian.
 */
#include "models/swath.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/geo_internal.h"
#include "models/sphere.h"

void osq_geo_arc_z_range(const double a[3], const double u[3], double theta, double zb, double *zlo, double *zhi) {
  double lo = fmin(a[2], zb), hi = fmax(a[2], zb);
  /* z = ze cos(t - te) along the whole circle: highest at te, lowest at te + pi */
  const double te = atan2(u[2], a[2]), ze = hypot(a[2], u[2]);
  for (int k = 0; k < 2; k++) {
    double t = te + k * OSQ_PI;
    while (t < 0.0) t += 2.0 * OSQ_PI;
    while (t >= 2.0 * OSQ_PI) t -= 2.0 * OSQ_PI;
    if (t <= theta) {
      if (k == 0) hi = fmax(hi, ze);
      else lo = fmin(lo, -ze);
    }
  }
  *zlo = lo;
  *zhi = hi;
}

static void unit_vec(double lat, double lon, double v[3]) {
  double cl = cos(lat * OSQ_D2R);
  v[0] = cl * cos(lon * OSQ_D2R);
  v[1] = cl * sin(lon * OSQ_D2R);
  v[2] = sin(lat * OSQ_D2R);
}

osq_geo_marks_t *osq_geo_marks_alloc(const osq_geo_raster_t *g) {
  if (!g) return NULL;
  osq_geo_marks_t *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->bits = calloc((g->n_cells + 63) / 64, sizeof *m->bits);
  m->cap = g->n_terr_cells;
  m->n_ids = (size_t)g->n_terr + 1 < OSQ_GEO_IDS ? (size_t)g->n_terr + 1 : OSQ_GEO_IDS;
  m->touched = malloc((m->cap + 1) * sizeof *m->touched); /* cap cells at most; + 1 spare */
  /* Written once now, so that the whole list is resident from the start: otherwise the memory a
   * run holds grows with the largest swath it happens to meet, page by page, inside the loop. */
  if (m->touched) memset(m->touched, 0, (m->cap + 1) * sizeof *m->touched);
  if (!m->bits || !m->touched) {
    osq_geo_marks_free(m);
    return NULL;
  }
  return m;
}

void osq_geo_marks_free(osq_geo_marks_t *m) {
  if (!m) return;
  free(m->bits);
  free(m->touched);
  free(m);
}

void osq_geo_marks_clear(osq_geo_marks_t *m) {
  /* whole words: every set bit of a word that holds a touched cell is itself a touched cell */
  for (size_t i = 0; i < m->n_touched; i++) m->bits[m->touched[i] >> 6] = 0;
  m->n_touched = 0;
  m->n_runs = 0;
  memset(m->area_km2, 0, sizeof m->area_km2[0] * m->n_ids); /* ids above n_terr are never marked */
  m->total_km2 = 0.0;
}

/* ------------------------------------------------------------------------------------------ */
/* Swath marking by exact per-row arcs                                                          */
/*                                                                                              */
/* A cell centre p is in the swath of the segment a-b (half-width delta) when                   */
/*   |n.p| <= sin delta  and  ((na.p >= 0 and bn.p >= 0) or a.p >= cos delta or b.p >= cos delta) */
/* with n the unit normal of the great circle and na, bn the tangents at the ends (the wedge of  */
/* points whose nearest point of the great circle lies on the segment): swath_contains() below. */
/* On the parallel of latitude phi each of these six conditions v.p >= k is an arc of          */
/* longitudes, because v.p = cos(phi) R_v cos(lon - alpha_v) + sin(phi) v_z (R_v, alpha_v: the  */
/* length and direction of v's equatorial part). So one row of the swath is a union of a few    */
/* arcs, found with at most six acos per row, and the cells whose centres lie inside are marked */
/* with no per-cell trigonometry: about 10 cells per row at 0.1 degrees and 25 km.              */
/*                                                                                              */
/* Exactness: the marked set must not depend on this shortcut, so the predicate stays the      */
/* definition. Every arc end carries a radius that bounds the rounding of its computation (and  */
/* of the predicate's own, which is large only where an arc is nearly tangent to the parallel); */
/* a cell whose centre lies within that radius of an arc end is decided by the predicate, every */
/* other cell by the arcs, which then agree with it. tests/unit/test_geo.c compares the result  */
/* with the predicate applied to every cell of the grid.                                        */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  double a[3], b[3], n[3], na[3], bn[3];
  double cosd, sind;
  bool point;                      /* a and b closer than 1e-9 rad: a disc around a */
  double sn, dot;                  /* sine and cosine of the segment's angle (before normalising n) */
} swath_t;

/* The defining predicate (see above). */
static inline bool swath_contains(const osq_geo_raster_t *g, const swath_t *s, int r, int c) {
  if (s->point) return cell_dot(g, r, c, s->a) >= s->cosd;
  if (fabs(cell_dot(g, r, c, s->n)) > s->sind) return false;
  return (cell_dot(g, r, c, s->na) >= 0 && cell_dot(g, r, c, s->bn) >= 0) || cell_dot(g, r, c, s->a) >= s->cosd ||
         cell_dot(g, r, c, s->b) >= s->cosd;
}

/* A condition v.p >= k: v's equatorial length R, its direction alpha (reduced to [base, base +
 * 2 pi), the origin of the row's intervals) and alpha + pi (likewise), its z, and k. */
typedef struct {
  double R, alpha, alpha_pi, z, k;
} arc_cond_t;

static double reduce_angle(double x, double base) {
  const double TWO_PI = 2.0 * OSQ_PI;
  x -= TWO_PI * floor((x - base) / TWO_PI);
  return x < base + TWO_PI ? x : base; /* rounding may land on the upper end */
}

/* The same from v's equatorial direction al = atan2(v[1], v[0]) and length R = hypot(v[0], v[1]),
 * known beforehand for the points of a path. */
static arc_cond_t arc_cond_known(double al, double R, double z, double k, double base) {
  arc_cond_t ac = {R, reduce_angle(al, base), reduce_angle(al + OSQ_PI, base), z, k};
  return ac;
}

static arc_cond_t arc_cond(const double v[3], double sign, double k, double base) {
  /* sqrt, not hypot: v is a unit vector, nothing to overflow, and the arcs allow for rounding */
  return arc_cond_known(atan2(sign * v[1], sign * v[0]), sqrt(v[0] * v[0] + v[1] * v[1]), sign * v[2], k, base);
}

#define ARC_SET_MAX 8
#define ARC_PTS_MAX 16

/* Intervals of longitude (radians, ascending, disjoint) inside [base, base + 2 pi]. */
typedef struct {
  int n;
  double lo[ARC_SET_MAX], hi[ARC_SET_MAX];
} arc_set_t;

/* Arc ends where the arcs and the predicate may disagree: centre and radius (radians). */
typedef struct {
  int n;
  bool whole_row;                  /* give up on arcs: test every cell of the row */
  double at[ARC_PTS_MAX], rad[ARC_PTS_MAX];
} arc_pts_t;

static inline void pts_add(arc_pts_t *p, double at, double rad) {
  if (p->n < ARC_PTS_MAX) {
    p->at[p->n] = at;
    p->rad[p->n] = rad;
    p->n++;
  } else {
    p->whole_row = true;
  }
}

/* The arc centre +- half (centre in [base, base + 2 pi)), as one or two intervals of
 * [base, base + 2 pi]. */
static inline void arc_set_arc(arc_set_t *s, double base, double centre, double half) {
  const double TWO_PI = 2.0 * OSQ_PI;
  if (half >= OSQ_PI) {
    s->n = 1;
    s->lo[0] = base;
    s->hi[0] = base + TWO_PI;
    return;
  }
  const double lo = centre - half, hi = centre + half;
  if (lo < base) {
    s->n = 2;
    s->lo[0] = base;
    s->hi[0] = hi;
    s->lo[1] = lo + TWO_PI;
    s->hi[1] = base + TWO_PI;
  } else if (hi > base + TWO_PI) {
    s->n = 2;
    s->lo[0] = base;
    s->hi[0] = hi - TWO_PI;
    s->lo[1] = lo;
    s->hi[1] = base + TWO_PI;
  } else {
    s->n = 1;
    s->lo[0] = lo;
    s->hi[0] = hi;
  }
}

/* Abramowitz and Stegun 4.4.46 (Hastings): acos x = sqrt(1 - x) (a0 + a1 x + ... + a7 x^7) + e
 * on [0, 1], |e| <= 2e-8; acos(-x) = pi - acos(x). Inline: two per raster row of a swath. */
static inline double acos_fast(double x) {
  const double ax = fabs(x), x2 = ax * ax, x4 = x2 * x2;
  /* Estrin's scheme: the same polynomial in three levels of dependent operations instead of seven */
  const double p01 = 1.5707963050 + ax * -0.2145988016, p23 = 0.0889789874 + ax * -0.0501743046;
  const double p45 = 0.0308918810 + ax * -0.0170881256, p67 = 0.0066700901 + ax * -0.0012624911;
  const double p = sqrt(1.0 - ax) * ((p01 + x2 * p23) + x4 * (p45 + x2 * p67));
  return x >= 0 ? p : OSQ_PI - p;
}

double osq_geo_acos_fast(double x) { return acos_fast(x); }

/* acos_fast of two values at once, in the two lanes of one SSE2 register where the compiler has
 * them (GCC's vector extension): the same operations in the same order per lane, so each result
 * is bit for bit acos_fast's (-ffp-contract=off: no lane is fused differently). */
typedef double v2d __attribute__((vector_size(16)));
static inline void acos_fast2(double x0, double x1, double *h0, double *h1) {
  const v2d x = {x0, x1}, ax = {fabs(x0), fabs(x1)}, x2 = ax * ax, x4 = x2 * x2;
  const v2d p01 = 1.5707963050 + ax * -0.2145988016, p23 = 0.0889789874 + ax * -0.0501743046;
  const v2d p45 = 0.0308918810 + ax * -0.0170881256, p67 = 0.0066700901 + ax * -0.0012624911;
  const v2d q = 1.0 - ax;
  const v2d sq = {sqrt(q[0]), sqrt(q[1])};
  const v2d p = sq * ((p01 + x2 * p23) + x4 * (p45 + x2 * p67));
  *h0 = x[0] >= 0 ? p[0] : OSQ_PI - p[0];
  *h1 = x[1] >= 0 ? p[1] : OSQ_PI - p[1];
}

void osq_geo_acos_fast2(double x0, double x1, double *h0, double *h1) { acos_fast2(x0, x1, h0, h1); }

/* The radius of an arc end computed by acos_fast away from tangency (1 - |t| > 1e-6, A > 1e-4):
 * the polynomial's error plus a bound on the rounding of t and of the predicate, which there is
 * below 6e-12 / A (see arc_row). Cells whose centres lie within it of an end go to the predicate. */
#define ARC_RAD (OSQ_GEO_ACOS_FAST_ERR + 1e-7)

/* The longitudes of row (sin phi, cos phi) where v.p >= k, with the rounding radius of its ends. */
static inline void arc_row(const arc_cond_t *ac, double sphi, double cphi, double base, arc_set_t *out, arc_pts_t *pts) {
  const double A = cphi * ac->R, C = sphi * ac->z;
  if (A < 1e-12) { /* v.p does not depend on the longitude here */
    if (fabs(C - ac->k) <= 1e-13) pts->whole_row = true;
    out->n = C >= ac->k ? 1 : 0;
    out->lo[0] = base;
    out->hi[0] = base + 2.0 * OSQ_PI;
    return;
  }
  const double t = (ac->k - C) / A;
  const double dt = 4e-15 / A; /* bound on the rounding of t and of the predicate, in units of t */
  if (t > 1.0 + dt) {
    out->n = 0;
  } else if (t < -1.0 - dt) {
    arc_set_arc(out, base, base, OSQ_PI);
  } else if (t >= 1.0 - dt) { /* tangent: a sliver of at most 2 sqrt(dt) around alpha */
    out->n = 0;
    pts_add(pts, ac->alpha, 2.0 * sqrt(dt) + 1e-9);
  } else if (t <= -1.0 + dt) {
    arc_set_arc(out, base, base, OSQ_PI);
    pts_add(pts, ac->alpha_pi, 2.0 * sqrt(dt) + 1e-9);
  } else {
    /* a cheap acos: its error joins the radius, and the few cells that fall within it are
     * decided by the predicate; away from tangency (1 - |t| > 1e-6) the rounding term
     * 2 dt / sqrt(1 - t^2) is below 6e-12 / A, so a constant bound serves unless A is tiny */
    const double h = acos_fast(t);
    const double rad =
        fabs(t) < 1.0 - 1e-6 && A > 1e-4 ? ARC_RAD : OSQ_GEO_ACOS_FAST_ERR + 2.0 * dt / sqrt(1.0 - t * t);
    arc_set_arc(out, base, ac->alpha, h);
    pts_add(pts, ac->alpha - h, rad);
    pts_add(pts, ac->alpha + h, rad);
  }
}

static inline void arc_set_and(arc_set_t *out, const arc_set_t *x, const arc_set_t *y) {
  int i = 0, j = 0, n = 0;
  while (i < x->n && j < y->n) {
    double lo = x->lo[i] > y->lo[j] ? x->lo[i] : y->lo[j];
    double hi = x->hi[i] < y->hi[j] ? x->hi[i] : y->hi[j];
    if (lo <= hi && n < ARC_SET_MAX) {
      out->lo[n] = lo;
      out->hi[n] = hi;
      n++;
    }
    if (x->hi[i] < y->hi[j]) i++;
    else j++;
  }
  out->n = n;
}

static inline void arc_set_or(arc_set_t *out, const arc_set_t *x, const arc_set_t *y) {
  int i = 0, j = 0, n = 0;
  while (i < x->n || j < y->n) {
    double lo, hi;
    if (j >= y->n || (i < x->n && x->lo[i] <= y->lo[j])) {
      lo = x->lo[i];
      hi = x->hi[i++];
    } else {
      lo = y->lo[j];
      hi = y->hi[j++];
    }
    if (n > 0 && lo <= out->hi[n - 1]) {
      if (hi > out->hi[n - 1]) out->hi[n - 1] = hi;
    } else if (n < ARC_SET_MAX) {
      out->lo[n] = lo;
      out->hi[n] = hi;
      n++;
    }
  }
  out->n = n;
}

static inline bool markable(const osq_geo_raster_t *g, const osq_geo_marks_t *m, uint8_t t) {
  return t >= 1 && t <= g->n_terr && (!m->filter || m->filter[t]);
}

static inline double mark_cell(const osq_geo_raster_t *g, osq_geo_marks_t *m, size_t idx, int r, uint8_t t) {
  bit_set(m->bits, idx);
  m->touched[m->n_touched++] = (uint32_t)idx;
  double a = (double)g->row_area_km2[r];
  m->area_km2[t] += a;
  return a;
}


/* The ids a mark set may mark: its cached table, rebuilt when its filter changes. */
static void marks_ok_build(const osq_geo_raster_t *g, osq_geo_marks_t *m) {
  /* ids above n_terr are never markable: their entries stay 0 from the allocation */
  for (int t = 0; t <= g->n_terr && t < OSQ_GEO_IDS; t++) m->ok[t] = markable(g, m, (uint8_t)t);
  m->ok_for = m->filter;
  m->ok_valid = true;
}

static inline const uint8_t *marks_ok(const osq_geo_raster_t *g, osq_geo_marks_t *m) {
  if (!m->ok_valid || m->ok_for != m->filter) marks_ok_build(g, m);
  return m->ok;
}

/* A mark set and its `also` (NULL: none) as osq_geo_mark_segment marks them: the pointers and
 * the ids' tables read once per segment, the list lengths kept here and written back by
 * marker_end(), so that a run of a dozen cells costs little more than its cells. The areas of
 * `also` are summed here too: every partial sum of these float-valued areas is exact in double,
 * so the order of the additions does not change the total. */
typedef struct {
  osq_geo_marks_t *m, *y;
  uint64_t *bits, *ybits;
  uint32_t *touched, *ytouched;
  const uint8_t *ok, *yok;
  double *area, *yarea;
  size_t n, yn, runs;
  double ytotal;
} marker_t;

static void marker_begin(const osq_geo_raster_t *g, osq_geo_marks_t *m, marker_t *k) {
  osq_geo_marks_t *y = m->also;
  *k = (marker_t){m, y, m->bits, NULL, m->touched, NULL, marks_ok(g, m), NULL, m->area_km2, NULL, m->n_touched, 0, 0,
                  0.0};
  if (y) {
    k->ybits = y->bits;
    k->ytouched = y->touched;
    k->yok = marks_ok(g, y);
    k->yarea = y->area_km2;
    k->yn = y->n_touched;
  }
}

static void marker_end(marker_t *k) {
  k->m->n_touched = k->n;
  k->m->n_runs += k->runs;
  if (k->y) {
    k->y->n_touched = k->yn;
    k->y->total_km2 += k->ytotal;
  }
}

/* Mark cell i of row r, markable in the first set and not yet marked there, in both sets. */
static inline void mark_new(const osq_geo_raster_t *g, marker_t *k, size_t i, int r) {
  const unsigned t = g->tid[i];
  const double a = (double)g->row_area_km2[r];
  bit_set(k->bits, i);
  k->touched[k->n++] = (uint32_t)i;
  k->area[t] += a;
  if (k->y && k->yok[t] && !bit_get(k->ybits, i)) {
    bit_set(k->ybits, i);
    k->ytouched[k->yn++] = (uint32_t)i;
    k->yarea[t] += a;
    k->ytotal += a;
  }
}

/* Whether cell i may be marked and is not yet marked in the first set. */
static inline bool mark_open(const osq_geo_raster_t *g, const marker_t *k, size_t i) {
  return k->ok[g->tid[i]] && !bit_get(k->bits, i);
}

/* Mark the markable, unmarked cells of columns c0..c1 (0 <= c0, c1 < nlon) of row r, in both
 * sets; count those new in the first. */
static size_t mark_run(const osq_geo_raster_t *g, marker_t *k, int r, long c0, long c1) {
  const size_t base = (size_t)r * (size_t)g->nlon;
  const uint8_t *tid = g->tid + base, *ok = k->ok;
  const double a = (double)g->row_area_km2[r];
  uint64_t *bits = k->bits;
  uint32_t *touched = k->touched + k->n;
  double *area = k->area;
  size_t n = 0;
  if (!k->y) {
    for (long c = c0; c <= c1; c++) {
      const unsigned t = tid[c];
      if (!ok[t]) continue;
      const size_t i = base + (size_t)c;
      const uint64_t bit = (uint64_t)1 << (i & 63);
      if (bits[i >> 6] & bit) continue;
      bits[i >> 6] |= bit;
      touched[n++] = (uint32_t)i;
      area[t] += a;
    }
  } else {
    /* Branches on whether a cell is new to the flight and to the year: a third of a flight's
     * cells are new to the year, but they come in stretches (a patch an earlier flight imaged
     * is old all along a run), so the branches are mostly predicted, and a predicted branch
     * costs less than the branch-free form's two list writes and lookups per cell (baseline
     * 1-thread loop about 3 % faster, A/B). The two sets' words are kept in registers while the
     * run is inside them, and stored once per word. The areas are counted per stretch of one
     * territory (the cells a list advanced by) and added as count x area: the same sum (see
     * marker_t), without a chain of dependent floating-point additions through memory from cell
     * to cell. */
    const uint8_t *yok = k->yok, *tid_row = g->tid;
    uint64_t *ybits = k->ybits;
    double *yarea = k->yarea;
    uint32_t *tp = touched, *ytp = k->ytouched + k->yn, *tmark = tp, *ymark = ytp;
    unsigned cur = tid[c0];
    size_t i = base + (size_t)c0;
    const size_t iend = base + (size_t)c1 + 1;
    while (i < iend) {
      const size_t w = i >> 6, wend = (w + 1) << 6 < iend ? (w + 1) << 6 : iend;
      uint64_t fb = bits[w], yb = ybits[w];
      for (; i < wend; i++) {
        const unsigned t = tid_row[i];
        if (t != cur) {
          area[cur] += a * (double)(tp - tmark);
          yarea[cur] += a * (double)(ytp - ymark);
          tmark = tp;
          ymark = ytp;
          cur = t;
        }
        const uint64_t bit = (uint64_t)1 << (i & 63);
        if (!ok[t] || (fb & bit)) continue;
        fb |= bit;
        *tp++ = (uint32_t)i;
        if (!yok[t] || (yb & bit)) continue;
        yb |= bit;
        *ytp++ = (uint32_t)i;
      }
      bits[w] = fb;
      ybits[w] = yb;
    }
    area[cur] += a * (double)(tp - tmark);
    yarea[cur] += a * (double)(ytp - ymark);
    const size_t yn = (size_t)(ytp - (k->ytouched + k->yn));
    n = (size_t)(tp - touched);
    k->yn += yn;
    k->ytotal += (double)yn * a; /* exact: yn copies of a float's value */
  }
  k->n += n;
  k->runs += n > 0;
  return n;
}

/* Columns (0..nlon-1, ascending, no repeats) whose centres lie within a point's radius. */
static int ambiguous_cols(const osq_geo_raster_t *g, const arc_pts_t *pts, double res, int cols[], int cap) {
  const double inv_res = 1.0 / res;
  int n = 0;
  for (int i = 0; i < pts->n; i++) {
    /* the usual case first: no centre within the radius, not even the nearest one (the offset
     * makes u positive, so the cast floors it) */
    const double u = (pts->at[i] + 5.0 * OSQ_PI) * inv_res - 0.5;
    const double fr = u - (double)(long)u;
    if (fr * res > pts->rad[i] && (1.0 - fr) * res > pts->rad[i]) continue;
    long c0 = (long)ceil((pts->at[i] - pts->rad[i] + OSQ_PI) / res - 0.5);
    long c1 = (long)floor((pts->at[i] + pts->rad[i] + OSQ_PI) / res - 0.5);
    for (long cc = c0; cc <= c1 && n < cap; cc++) {
      int c = wrap_col(cc, g->nlon), k = n;
      while (k > 0 && cols[k - 1] > c) k--;
      if (k > 0 && cols[k - 1] == c) continue;
      memmove(cols + k + 1, cols + k, (size_t)(n - k) * sizeof *cols);
      cols[k] = c;
      n++;
    }
  }
  return n;
}

/* Mark columns c0..c1 (unwrapped, c1 - c0 < nlon) of row r except the sorted columns skip[]. */
static size_t mark_cols(const osq_geo_raster_t *g, marker_t *k, int r, long c0, long c1, const int *skip, int n_skip) {
  if (n_skip == 0 && c0 >= 0 && c1 < g->nlon) return mark_run(g, k, r, c0, c1); /* the usual case */
  size_t n = 0;
  long lo = c0;
  while (lo <= c1) { /* split where the range wraps past 180 E */
    long w = lo; /* lo lies within a few turns of the grid: no division */
    while (w < 0) w += g->nlon;
    while (w >= g->nlon) w -= g->nlon;
    long len = c1 - lo + 1;
    if (len > g->nlon - w) len = g->nlon - w;
    long a = w, b = w + len - 1, cur = a;
    for (int j = 0; j < n_skip; j++) {
      if (skip[j] < a || skip[j] > b) continue;
      if (skip[j] > cur) n += mark_run(g, k, r, cur, skip[j] - 1);
      cur = skip[j] + 1;
    }
    if (cur <= b) n += mark_run(g, k, r, cur, b);
    lo += len;
  }
  return n;
}

/* x - 2 pi k in [-pi, pi), for x within a few turns of it. */
static inline double turn_pi(double x) {
  while (x >= OSQ_PI) x -= 2.0 * OSQ_PI;
  while (x < -OSQ_PI) x += 2.0 * OSQ_PI;
  return x;
}

/* The half-width h of the arc of row (sin phi, cos phi) where the condition holds (cos(lon -
 * alpha) >= t): 1 with *h set when the arc is a proper one away from tangency (its ends then
 * carry the short cut's radius), 0 when the row misses it by a clear margin, -1 otherwise. */
static inline int arc_half(const arc_cond_t *ac, double sphi, double cphi, double *h) {
  const double A = cphi * ac->R;
  if (!(A > 1e-4)) return -1;
  const double t = (ac->k - sphi * ac->z) / A;
  if (t > 1.0 + 1e-6) return 0;
  if (!(fabs(t) < 1.0 - 1e-6)) return -1;
  *h = acos_fast(t);
  return 1;
}

/* The piece [lo, hi] (lo <= hi < lo + pi) of a row cut by the arc of a wedge's condition (half-width
 * hw about w->alpha): 1 with [*x0, *x1] when one interval is left, 0 when none, -1 when two (or
 * when the cut is too close to call). */
static int wedge_cut(const arc_cond_t *w, double hw, double lo, double hi, double *x0, double *x1) {
  const double L = hi - lo, dlo = turn_pi(lo - w->alpha), dhi = turn_pi(hi - w->alpha);
  const bool in_lo = fabs(dlo) <= hw, in_hi = fabs(dhi) <= hw;
  double e = -hw - dlo; /* where the arc begins, from lo (when lo lies outside it) */
  if (e < 0.0) e += 2.0 * OSQ_PI;
  if (in_lo && in_hi) { /* the whole piece, unless the arc's complement lies inside it */
    double gm = turn_pi(w->alpha + OSQ_PI - lo);
    if (gm < 0.0) gm += 2.0 * OSQ_PI;
    if (gm <= L + 1e-9) return -1;
    *x0 = lo, *x1 = hi;
  } else if (in_lo) { /* leaves the arc at alpha + hw and must not come back before hi */
    const double x = hw - dlo;
    if (x > L + 1e-9 || x + 2.0 * OSQ_PI - 2.0 * hw <= L) return -1;
    *x0 = lo, *x1 = fmin(lo + x, hi);
  } else if (in_hi) { /* enters the arc at alpha - hw and stays in it to hi */
    if (e > L + 1e-9 || e + 2.0 * hw < L - 1e-9) return -1;
    *x0 = fmin(lo + e, hi), *x1 = hi;
  } else if (e <= L) { /* the whole arc inside the piece */
    if (e + 2.0 * hw >= L) return -1;
    *x0 = lo + e, *x1 = lo + e + 2.0 * hw;
  } else {
    return 0;
  }
  return 1;
}

/* The cells of a row near one end of a swath, given the band's pieces that lie in the far end's
 * wedge (n_pieces of them, [lo[i], hi[i]]): those pieces cut by the near end's wedge w, joined
 * with the end's cap c (NULL: left to the next segment). In the usual row one piece survives the
 * cut and meets the cap, since the wedge's boundary cuts the band within the cap: one interval.
 * @return 1 with [*x0, *x1] (longitudes, each end within 2 rad of the exact one, rad the short
 * cut's radius of an arc end), 0 if the row holds no cell of them, -1 if the row is not this
 * simple case (the caller takes the general way). */
static int near_row(const arc_cond_t *w, const arc_cond_t *c, double sphi, double cphi, int n_pieces, const double lo[2],
                    const double hi[2], double *x0, double *x1) {
  double hw, r0 = 0.0, r1 = 0.0;
  bool have = false;
  if (n_pieces > 0 && arc_half(w, sphi, cphi, &hw) != 1) return -1;
  for (int i = 0; i < n_pieces; i++) {
    double y0, y1;
    const int got = wedge_cut(w, hw, lo[i], hi[i], &y0, &y1);
    if (got < 0 || (got > 0 && have)) return -1;
    if (got > 0) r0 = y0, r1 = y1, have = true;
  }
  if (c) {
    double hc;
    const int got = arc_half(c, sphi, cphi, &hc);
    if (got < 0) return -1;
    if (got > 0) {
      if (!have) {
        r0 = c->alpha - hc, r1 = c->alpha + hc;
        have = true;
      } else {
        /* the cap's arc, taken in the turn nearest the piece's; the two must overlap by more
         * than their ends' uncertainty for the union to be one interval for certain */
        const double m = 0.5 * (r0 + r1), cc = m + turn_pi(c->alpha - m);
        if (cc - hc > r1 - 1e-6 || cc + hc < r0 + 1e-6) return -1;
        r0 = fmin(r0, cc - hc), r1 = fmax(r1, cc + hc);
      }
    }
  }
  if (!have) return 0;
  if (r1 - r0 >= OSQ_PI) return -1;
  *x0 = r0, *x1 = r1;
  return 1;
}

/* Mark the cells of row r whose centres lie in [x0, x1] (longitudes; each end uncertain by up to
 * rad, far less than a column): the column nearest an end is decided by the swath's predicate
 * when its centre lies within rad of that end, every other column by the interval. The area
 * newly marked is that of the cells returned. */
static size_t mark_interval(const osq_geo_raster_t *g, const swath_t *s, marker_t *k, int r, double x0, double x1,
                            double rad) {
  const double res = g->res_deg * OSQ_D2R, inv_res = 1.0 / res, off = 8.0 * (double)g->nlon;
  const double ulo = (x0 + OSQ_PI) * inv_res - 0.5 + off, uhi = (x1 + OSQ_PI) * inv_res - 0.5 + off;
  long c0 = (long)ulo, c1 = (long)uhi; /* floors: both are positive */
  const double flo = ulo - (double)c0, fhi = uhi - (double)c1;
  const size_t base_idx = (size_t)r * (size_t)g->nlon;
  size_t n = 0;
  c0 += 1; /* the first column centred after x0, unless one is centred within rad of it */
  if (flo * res <= rad || (1.0 - flo) * res <= rad) {
    const long ca = flo < 0.5 ? c0 - 1 : c0; /* the column centred near x0 */
    const int cw = wrap_col(ca - 8L * g->nlon, g->nlon);
    if (ca <= c1 + 1 && mark_open(g, k, base_idx + (size_t)cw) && swath_contains(g, s, r, cw)) {
      mark_new(g, k, base_idx + (size_t)cw, r);
      n++;
    }
    c0 = ca + 1;
  }
  if (fhi * res <= rad || (1.0 - fhi) * res <= rad) {
    const long cb = fhi < 0.5 ? c1 : c1 + 1; /* the column centred near x1 */
    const int cw = wrap_col(cb - 8L * g->nlon, g->nlon);
    if (cb >= c0 && mark_open(g, k, base_idx + (size_t)cw) && swath_contains(g, s, r, cw)) {
      mark_new(g, k, base_idx + (size_t)cw, r);
      n++;
    }
    c1 = cb - 1;
  }
  c0 -= 8L * g->nlon;
  c1 -= 8L * g->nlon;
  if (c1 - c0 + 1 > g->nlon) c1 = c0 + g->nlon - 1;
  if (c0 <= c1) n += mark_cols(g, k, r, c0, c1, NULL, 0);
  return n;
}

void osq_geo_path_point(double lat, double lon, osq_geo_path_pt_t *p) {
  unit_vec(lat, lon, p->v);
  p->lat = asin(fmax(-1.0, fmin(1.0, p->v[2])));
  p->al = atan2(p->v[1], p->v[0]);
  p->R = sqrt(p->v[0] * p->v[0] + p->v[1] * p->v[1]);
}

/* The swath of the segment between unit vectors a and b, with cos and sin of its half-width. */
static void swath_from(swath_t *s, const double a_in[3], const double b_in[3], double cosd, double sind) {
  memset(s, 0, sizeof *s);
  memcpy(s->a, a_in, sizeof s->a);
  memcpy(s->b, b_in, sizeof s->b);
  const double *a = s->a, *b = s->b;
  double *n = s->n;
  n[0] = a[1] * b[2] - a[2] * b[1];
  n[1] = a[2] * b[0] - a[0] * b[2];
  n[2] = a[0] * b[1] - a[1] * b[0];
  const double sn = sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  const double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  /* theta >= sin theta = sn (to rounding), so only a tiny sn can make a point; the angle itself
   * (atan2) is needed only for a latitude range with a vertex inside (swath_rows) */
  s->point = sn < 2e-9 && atan2(sn, dot) < 1e-9;
  s->sn = sn;
  s->dot = dot;
  if (!s->point) {
    for (int i = 0; i < 3; i++) n[i] /= sn;
    s->na[0] = n[1] * a[2] - n[2] * a[1]; /* tangent at a, towards b */
    s->na[1] = n[2] * a[0] - n[0] * a[2];
    s->na[2] = n[0] * a[1] - n[1] * a[0];
    s->bn[0] = b[1] * n[2] - b[2] * n[1]; /* tangent at b, back towards a */
    s->bn[1] = b[2] * n[0] - b[0] * n[2];
    s->bn[2] = b[0] * n[1] - b[1] * n[0];
  }
  s->cosd = cosd;
  s->sind = sind;
}

/* The half-width as an angle (radians): false if it is not a number >= 0. */
static bool swath_delta(double half_width_km, double *delta) {
  if (!(half_width_km >= 0)) return false;
  *delta = half_width_km / OSQ_EARTH_RADIUS_KM;
  if (*delta > OSQ_PI / 2) *delta = OSQ_PI / 2;
  return true;
}

/* The swath of the segment (lat1, lon1)-(lat2, lon2): false if the half-width is not a number >= 0. */
static bool swath_setup(swath_t *s, double lat1, double lon1, double lat2, double lon2, double half_width_km,
                        double *delta_out) {
  double delta, a[3], b[3];
  if (!swath_delta(half_width_km, &delta)) return false;
  unit_vec(lat1, lon1, a);
  unit_vec(lat2, lon2, b);
  swath_from(s, a, b, cos(delta), sin(delta));
  *delta_out = delta;
  return true;
}

bool osq_geo_swath_contains(const osq_geo_raster_t *g, double lat1, double lon1, double lat2, double lon2,
                            double half_width_km, size_t cell) {
  swath_t s;
  double delta;
  if (!swath_setup(&s, lat1, lon1, lat2, lon2, half_width_km, &delta)) return false;
  return swath_contains(g, &s, (int)(cell / (size_t)g->nlon), (int)(cell % (size_t)g->nlon));
}

/* The range [zlo, zhi] of z (the sine of the latitude) of the rows in which end e of a swath
 * (latitude lat_e, cos lat_e = R_e, half-width delta) needs its wedge and cap arcs; o_z is the z
 * of the direction out of the segment at e (-na at a, -bn at b). The band meets the boundary of
 * e's wedge (the great circle through e and n) in the arc e cos t + n sin t, |t| <= delta (and
 * near -e, which the antipode test keeps apart), whose z differs from e's by at most
 * |n_z| sin delta + |e_z| (1 - cos delta); the half of e's cap outside the wedge reaches a full
 * delta in latitude only on the outward side. In a row within delta of e but outside this range,
 * the band lies wholly inside e's wedge and the cap's cells lie in the band: the row is not
 * near e. A small margin covers rounding. */
static void end_rows_z(const double e[3], double o_z, double n_z, double R_e, double lat_e, double delta, double cosd,
                       double sind, double *zlo, double *zhi) {
  const double dz = fabs(n_z) * sind + fabs(e[2]) * (1.0 - cosd), m = 1e-9;
  const double za_lo = e[2] - dz, za_hi = e[2] + dz;
  const double zd_lo = lat_e - delta <= -OSQ_PI / 2 ? -1.0 : e[2] * cosd - R_e * sind; /* sin(lat_e -+ delta) */
  const double zd_hi = lat_e + delta >= OSQ_PI / 2 ? 1.0 : e[2] * cosd + R_e * sind;
  *zlo = (o_z > 0.0 ? za_lo : zd_lo) - m;
  *zhi = (o_z < 0.0 ? za_hi : zd_hi) + m;
}

/* What the rows of one segment's swath need, set up once per segment (swath_plan): for the short
 * cuts (usual_row, row_one_end), the band's condition (sin delta; n's R, z and alpha), the ends'
 * latitudes, the z ranges of the rows near each end (end_rows_z) and the side of alpha_n on which
 * a monotone segment crosses its rows; for every row, the conditions and their origin. */
typedef struct {
  double sind, R, z, alpha, lat_a, lat_b, near_end, zlo_a, zhi_a, zlo_b, zhi_b, res, inv_res;
  int seg_side;
  /* for the rows near one end: cos and sin of alpha_n, the wedges' tangents, the conditions
   * (mark_swath's cond[]), and whether the end cap at b is marked */
  double ca_n, sa_n;
  const double *na, *bn;
  const arc_cond_t *cond;
  bool cap_b;
  double base;                     /* the origin of the rows' arcs: any works, they wrap around it */
} seg_rows_t;

/* Row r of a monotone segment by the short cuts: a usual row (far from both ends and their
 * antipodes, away from tangency) gives 1 with its columns [*c0, *c1] (unwrapped; none if
 * c0 > c1), or 4 with its interval [*x0, *x1] when a column centre lies within rad of an end (that
 * column to the exact test); a row near one end gives 3 with its one interval (near_row); 2 if
 * the row holds no cell; 0 if the row must take the general way (mark_row). Computed row by row
 * ahead of the marking (mark_usual_row), so that with no branch mispredicted between them the
 * processor overlaps the rows' chains of dependent operations (two acos each), which a row's
 * marking would otherwise expose one after the other. */
static inline int usual_row(const osq_geo_raster_t *g, const seg_rows_t *u, int r, long *c0_out, long *c1_out,
                            double *x0_out, double *x1_out) {
  const double sphi = g->row_sin[r], cphi = g->row_cos[r];
  const double phi = -OSQ_PI / 2 + (r + 0.5) * u->res;
  if (!(fabs(phi + u->lat_a) > u->near_end && fabs(phi + u->lat_b) > u->near_end)) return 0;
  const bool near_a = sphi >= u->zlo_a && sphi <= u->zhi_a, near_b = sphi >= u->zlo_b && sphi <= u->zhi_b;
  if (near_a && near_b) return 0;
  const double A = cphi * u->R, C = sphi * u->z;
  const double inv = A > 1e-4 ? 1.0 / A : 0.0;
  const double t0 = (-u->sind - C) * inv, t1 = (-u->sind + C) * inv; /* cos h0, cos h1 */
  if (!(inv > 0.0 && fabs(t0) < 1.0 - 1e-6 && fabs(t1) < 1.0 - 1e-6)) return 0;
  double h0, h1;
  acos_fast2(t0, t1, &h0, &h1);
  const double gap = (OSQ_PI - h1) - h0, rad = ARC_RAD;
  if (gap > 4.0 * rad) return 2;
  if (!(gap < -4.0 * rad)) return 0;
  if (near_a || near_b) {
    /* A row near one end: which band pieces lie in the far end's wedge, by the point of each
     * where the great circle crosses the row (cos = -C / A, a unit vector); then the near end's
     * wedge and cap by near_row() when the row is the simple case (3: one interval, whose ends
     * are within 2 rad + 1e-9 of the exact ones). */
    const double *far_w = near_a ? u->bn : u->na;
    const double tc = 0.5 * (t0 - t1), sc = sqrt(1.0 - tc * tc);
    double plo[2], phi_[2];
    int kept = 0;
    for (int side = 1; side >= -1; side -= 2) {
      const double p[3] = {cphi * (u->ca_n * tc - u->sa_n * side * sc), cphi * (u->sa_n * tc + u->ca_n * side * sc), sphi};
      const double wf = far_w[0] * p[0] + far_w[1] * p[1] + far_w[2] * p[2];
      if (wf > 1e-9) {
        plo[kept] = side > 0 ? u->alpha + OSQ_PI - h1 : u->alpha - h0;
        phi_[kept++] = side > 0 ? u->alpha + h0 : u->alpha - OSQ_PI + h1;
      } else if (!(wf < -1e-9)) {
        return 0; /* too close to call */
      }
    }
    const int got = near_row(&u->cond[near_a ? 2 : 3], near_a || u->cap_b ? &u->cond[near_a ? 4 : 5] : NULL, sphi,
                             cphi, kept, plo, phi_, x0_out, x1_out);
    return got < 0 ? 0 : got == 0 ? 2 : 3;
  }
  const double lo = u->seg_side > 0 ? u->alpha + OSQ_PI - h1 : u->alpha - h0;
  const double hi = u->seg_side > 0 ? u->alpha + h0 : u->alpha - OSQ_PI + h1;
  const double off = 8.0 * (double)g->nlon;
  const double ulo = (lo + OSQ_PI) * u->inv_res - 0.5 + off, uhi = (hi + OSQ_PI) * u->inv_res - 0.5 + off;
  long c0 = (long)ulo, c1 = (long)uhi; /* floors: both are positive */
  const double flo = ulo - (double)c0, fhi = uhi - (double)c1;
  if (!(flo * u->res > rad && (1.0 - flo) * u->res > rad && fhi * u->res > rad && (1.0 - fhi) * u->res > rad)) {
    *x0_out = lo; /* a column centred within rad of an end: 4, the interval for mark_interval */
    *x1_out = hi;
    return 4;
  }
  c0 += 1 - 8L * g->nlon; /* ulo is not a whole number: this is its ceiling */
  c1 -= 8L * g->nlon;
  if (c1 - c0 + 1 > g->nlon) c1 = c0 + g->nlon - 1;
  *c0_out = c0;
  *c1_out = c1;
  return 1;
}

/* The rows whose centres lie within delta of the segment's latitude range: *rlo_out..*rhi_out.
 * The segment's latitude is monotone when it rises (or falls) at both ends (na is the unit
 * tangent at a, -bn at b; a segment spans less than pi), and its extremes are then its ends';
 * otherwise a vertex of its great circle lies inside. */
static inline void swath_rows(const osq_geo_raster_t *g, const swath_t *s, bool monotone, double delta, double lat_a,
                              double lat_b, int *rlo_out, int *rhi_out) {
  const double *a = s->a, *b = s->b;
  double zmin = fmin(a[2], b[2]), zmax = fmax(a[2], b[2]);
  if (!monotone) osq_geo_arc_z_range(a, s->na, atan2(s->sn, s->dot), b[2], &zmin, &zmax);
  const double res = g->res_deg * OSQ_D2R;
  const double zl = zmin < -1.0 ? -1.0 : zmin, zh = zmax > 1.0 ? 1.0 : zmax;
  const double lat_hi = (zh == a[2] ? lat_a : zh == b[2] ? lat_b : asin(zh)) + delta;
  const double lat_lo = (zl == a[2] ? lat_a : zl == b[2] ? lat_b : asin(zl)) - delta;
  /* the rows whose centres lie within [lat_lo, lat_hi], widened for rounding by far less than a row */
  int rlo = (int)ceil((lat_lo - 1e-9 + OSQ_PI / 2) / res - 0.5), rhi = (int)floor((lat_hi + 1e-9 + OSQ_PI / 2) / res - 0.5);
  if (rlo < 0) rlo = 0;
  if (rhi > g->nlat - 1) rhi = g->nlat - 1;
  *rlo_out = rlo;
  *rhi_out = rhi;
}

/* The six conditions of the predicate as arcs about base: cond[0] and cond[1] the band's sides,
 * cond[2] and cond[3] the wedges at a and b, cond[4] and cond[5] the caps; a point's disc is
 * cond[0] alone (the rest stay zero). */
static inline void swath_conds(const swath_t *s, const osq_geo_path_pt_t *pa, const osq_geo_path_pt_t *pb, double base,
                               arc_cond_t cond[6]) {
  memset(cond, 0, 6 * sizeof cond[0]);
  if (s->point) {
    cond[0] = arc_cond_known(pa->al, pa->R, s->a[2], s->cosd, base);
    return;
  }
  cond[0] = arc_cond(s->n, 1.0, -s->sind, base); /* n.p >= -sin delta */
  cond[1] = cond[0];                             /* n.p <= sin delta: -n.p >= -sin delta */
  cond[1].alpha = cond[0].alpha_pi;
  cond[1].alpha_pi = cond[0].alpha;
  cond[1].z = -cond[0].z;
  cond[2] = arc_cond(s->na, 1.0, 0.0, base);
  cond[3] = arc_cond(s->bn, 1.0, 0.0, base);
  cond[4] = arc_cond_known(pa->al, pa->R, s->a[2], s->cosd, base);
  cond[5] = arc_cond_known(pb->al, pb->R, s->b[2], s->cosd, base);
}

/* What the rows of the swath s (half-width delta) of the segment from pa to pb need, its
 * conditions cond[] (about base) known: *u. */
static inline void swath_plan(const osq_geo_raster_t *g, const swath_t *s, bool monotone, double delta,
                              const osq_geo_path_pt_t *pa, const osq_geo_path_pt_t *pb, const arc_cond_t cond[6],
                              double base, bool cap_b, seg_rows_t *u) {
  const double *a = s->a, *b = s->b, *n = s->n;
  /* A cap reaches only the rows within delta of its end's latitude (with 1e-4 rad for rounding),
   * since cell centres lie on their row's latitude: near_end bounds the caps of the general path
   * and the rows near an end's antipode; which rows the short cut treats as near an end is
   * decided more finely (end_rows_z, below). */
  const double near_end = delta + 1e-4;
  /* The rows "near" each end, by the sine of their latitude: those that meet the boundary of the
   * end's wedge inside the band, or the half of its cap outside the wedge (end_rows_z). */
  double zlo_a = -2.0, zhi_a = 2.0, zlo_b = -2.0, zhi_b = 2.0;
  if (!s->point) {
    end_rows_z(a, -s->na[2], n[2], pa->R, pa->lat, delta, s->cosd, s->sind, &zlo_a, &zhi_a);
    end_rows_z(b, -s->bn[2], n[2], pb->R, pb->lat, delta, s->cosd, s->sind, &zlo_b, &zhi_b);
  }
  /* cos and sin of alpha_n */
  const double ca_n = cond[0].R > 0.0 ? n[0] / cond[0].R : 1.0, sa_n = cond[0].R > 0.0 ? n[1] / cond[0].R : 0.0;
  /* In a row far from both ends, the piece to keep is the one that holds the point where the
   * segment crosses the row. When the segment's latitude is monotone (no vertex of its great
   * circle inside: its extreme z are its ends'), it crosses every such row once, and on one side
   * of alpha_n throughout: the crossings are alpha_n +- h with cos h = -C / A, and change sides
   * only where h reaches 0 or pi, at a vertex. The side is that of the segment's middle; 0 (test
   * each row) where the middle is too close to alpha_n's meridian to call. */
  int seg_side = 0;
  if (monotone) {
    const double mx = a[0] + b[0], my = a[1] + b[1];
    const double cr = n[0] * my - n[1] * mx, tol = 1e-6 * (fabs(mx) + fabs(my)) * (fabs(n[0]) + fabs(n[1]));
    seg_side = cr > tol ? 1 : cr < -tol ? -1 : 0;
  }
  const double res = g->res_deg * OSQ_D2R;
  *u = (seg_rows_t){s->sind, cond[0].R, cond[0].z, cond[0].alpha, pa->lat, pb->lat, near_end, zlo_a, zhi_a, zlo_b,
                    zhi_b, res, 1.0 / res, seg_side, ca_n, sa_n, s->na, s->bn, cond, cap_b, base};
}

/* The usual rows of a monotone segment, computed USUAL_AHEAD at a time ahead of their marking
 * (usual_row): rows lo..hi, with usual_row's kind and columns or interval for each. */
enum { USUAL_AHEAD = 32 };
typedef struct {
  int lo, hi;
  long c0[USUAL_AHEAD], c1[USUAL_AHEAD];
  double x0[USUAL_AHEAD], x1[USUAL_AHEAD];
  signed char kind[USUAL_AHEAD];
} usual_ahead_t;

/* Mark row r (<= rhi) of a monotone segment by the short cuts of usual_row, computing the next
 * USUAL_AHEAD rows first when r lies past those computed; the area newly marked is added to
 * *added. @return false if the row must take the general way (mark_row). */
static inline bool mark_usual_row(const osq_geo_raster_t *g, const swath_t *s, const seg_rows_t *u, int r, int rhi,
                                  usual_ahead_t *ua, marker_t *k, double *added) {
  if (r > ua->hi) {
    ua->lo = r;
    ua->hi = r + USUAL_AHEAD - 1 < rhi ? r + USUAL_AHEAD - 1 : rhi;
    for (int q = ua->lo; q <= ua->hi; q++) {
      const int i = q - ua->lo;
      ua->kind[i] = (signed char)usual_row(g, u, q, &ua->c0[i], &ua->c1[i], &ua->x0[i], &ua->x1[i]);
    }
  }
  const int i = r - ua->lo, kind = ua->kind[i];
  if (kind == 1) {
    const long c0 = ua->c0[i], c1 = ua->c1[i];
    if (c0 <= c1) *added += (double)mark_cols(g, k, r, c0, c1, NULL, 0) * (double)g->row_area_km2[r];
  } else if (kind >= 3) { /* 3: a near row's interval, 4: a usual row's with a column at an end to test */
    const double rad = kind == 3 ? 2.0 * ARC_RAD + 1e-9 : ARC_RAD;
    *added += (double)mark_interval(g, s, k, r, ua->x0[i], ua->x1[i], rad) * (double)g->row_area_km2[r];
  }
  return kind != 0; /* 2: no cell in the row */
}

/* The arc sets of a row the general way: the row's set and three for the steps to it. Kept from
 * row to row (zeroed once: -O3 cannot see every path sets them). */
typedef struct {
  arc_set_t set, x, y, z;
} row_sets_t;

/* Row (sin phi, cos phi, latitude phi) by the short cut for rows near at most one end and far
 * from both antipodes: most rows (those of a monotone segment go ahead in usual_row unless they
 * are hard). The boundary of an end's wedge meets the band only within delta of that end or its
 * antipode, so in a row far from both, each piece of the band lies wholly inside or wholly
 * outside that wedge, and one point of the piece decides which. The band of a row is
 * {pi - h1 <= |lon - alpha_n| <= h0}: two pieces, one each side of alpha_n, whose middles follow
 * from cos h = t without trigonometry. The near end's wedge and cap, if there is one, are added
 * as arcs. Only the ends of the pieces kept (and of the arcs) need the exact test nearby: cells
 * near the dropped pieces are outside a far end's wedge, so outside the swath, either way.
 * @return 1 with the row's arcs in w->set and their uncertain ends in *pts, -1 if the row holds
 * no cell, 0 if the row is not this case or too close to call (*pts then empty): the general way. */
static inline int row_one_end(const swath_t *s, const seg_rows_t *u, double sphi, double cphi, double phi,
                              row_sets_t *w, arc_pts_t *pts) {
  if (!(fabs(phi + u->lat_a) > u->near_end && fabs(phi + u->lat_b) > u->near_end &&
        !(sphi >= u->zlo_a && sphi <= u->zhi_a && sphi >= u->zlo_b && sphi <= u->zhi_b)))
    return 0;
  const arc_cond_t *cond = u->cond;
  const double base = u->base;
  const bool near_a = sphi >= u->zlo_a && sphi <= u->zhi_a, near_b = sphi >= u->zlo_b && sphi <= u->zhi_b;
  const double *far_w = near_a ? s->bn : s->na; /* near_b, or neither (then both by a point) */
  const double A = cphi * cond[0].R, C = sphi * cond[0].z;
  const double inv = A > 1e-4 ? 1.0 / A : 0.0;
  const double t0 = (-s->sind - C) * inv, t1 = (-s->sind + C) * inv; /* cos h0, cos h1 */
  if (!(inv > 0.0 && fabs(t0) < 1.0 - 1e-6 && fabs(t1) < 1.0 - 1e-6)) return 0;
  const double h0 = acos_fast(t0), h1 = acos_fast(t1);
  const double gap = (OSQ_PI - h1) - h0, rad = ARC_RAD;
  if (gap > 4.0 * rad) return -1; /* the row passes outside the band */
  if (!(gap < -4.0 * rad)) return 0;
  const double s0 = sqrt(1.0 - t0 * t0), s1 = sqrt(1.0 - t1 * t1);
  bool done = true;
  w->set.n = 0;
  for (int side = 1; side >= -1 && done; side -= 2) {
    /* the piece from alpha + side (pi - h1) to alpha + side h0; its middle's direction is the sum
     * of its ends' unit vectors, rotated by alpha */
    const double ex = t0 - t1, ey = side * (s0 + s1), en = sqrt(ex * ex + ey * ey);
    /* en times the point: the signs are those of the unit vector's products */
    const double p[3] = {cphi * (u->ca_n * ex - u->sa_n * ey), cphi * (u->sa_n * ex + u->ca_n * ey), sphi * en};
    const double wf = far_w[0] * p[0] + far_w[1] * p[1] + far_w[2] * p[2];
    const double wn = near_a || near_b ? 1.0 : s->bn[0] * p[0] + s->bn[1] * p[1] + s->bn[2] * p[2];
    const double tiny = 1e-9 * en;
    if (wf > tiny && wn > tiny) {
      const double lo = side > 0 ? cond[0].alpha + OSQ_PI - h1 : cond[0].alpha - h0;
      const double hi = side > 0 ? cond[0].alpha + h0 : cond[0].alpha - OSQ_PI + h1;
      if (near_a || near_b) {
        if (w->set.n == 0) { /* the usual case: one piece */
          arc_set_arc(&w->set, base, reduce_angle(0.5 * (lo + hi), base), 0.5 * (hi - lo));
        } else {
          arc_set_arc(&w->x, base, reduce_angle(0.5 * (lo + hi), base), 0.5 * (hi - lo));
          arc_set_or(&w->y, &w->set, &w->x);
          w->set = w->y;
        }
      } else {
        w->set.lo[w->set.n] = lo;
        w->set.hi[w->set.n++] = hi;
      }
      pts_add(pts, lo, rad);
      pts_add(pts, hi, rad);
    } else if (!(wf < -tiny || wn < -tiny)) {
      done = false; /* too close to call: the full way */
    }
  }
  if (done && (near_a || near_b)) { /* the near end: its wedge, then its cap */
    arc_row(&cond[near_a ? 2 : 3], sphi, cphi, base, &w->x, pts);
    if (near_a || u->cap_b) {
      arc_set_and(&w->y, &w->set, &w->x);
      arc_row(&cond[near_a ? 4 : 5], sphi, cphi, base, &w->x, pts);
      arc_set_or(&w->set, &w->y, &w->x);
    } else {
      arc_set_and(&w->y, &w->set, &w->x);
      w->set = w->y;
    }
  }
  if (!done) {
    pts->n = 0;
    pts->whole_row = false;
    return 0;
  }
  return w->set.n == 0 && pts->n == 0 ? -1 : 1;
}

/* Row (sin phi, cos phi, latitude phi) from all six conditions: the band, cut by both wedges,
 * joined with the caps whose end lies within near_end in latitude (b's only with cap_b).
 * @return true with the row's arcs in w->set and their uncertain ends in *pts, false if the row
 * lies beyond the band (no cell). */
static inline bool row_all_six(const seg_rows_t *u, double sphi, double cphi, double phi, row_sets_t *w,
                               arc_pts_t *pts) {
  const arc_cond_t *cond = u->cond;
  const double base = u->base;
  arc_row(&cond[0], sphi, cphi, base, &w->x, pts);
  if (w->x.n == 0 && !pts->n && !pts->whole_row) return false; /* beyond the band: nothing in this row */
  arc_row(&cond[1], sphi, cphi, base, &w->y, pts);
  arc_set_and(&w->z, &w->x, &w->y); /* band */
  if (w->z.n == 0 && !pts->n && !pts->whole_row) return false;
  arc_row(&cond[2], sphi, cphi, base, &w->x, pts);
  arc_set_and(&w->y, &w->z, &w->x);
  arc_row(&cond[3], sphi, cphi, base, &w->x, pts);
  arc_set_and(&w->set, &w->y, &w->x); /* band and wedge */
  if (fabs(phi - u->lat_a) <= u->near_end) { /* caps */
    arc_row(&cond[4], sphi, cphi, base, &w->x, pts);
    arc_set_or(&w->y, &w->set, &w->x);
    w->set = w->y;
  }
  if (u->cap_b && fabs(phi - u->lat_b) <= u->near_end) {
    arc_row(&cond[5], sphi, cphi, base, &w->x, pts);
    arc_set_or(&w->y, &w->set, &w->x); /* or either cap */
    w->set = w->y;
  }
  return true;
}

/* Mark the cells of row r whose centres lie in the arcs of set: a column whose centre lies within
 * the radius of an uncertain arc end (pts) is decided by the swath's predicate, every other
 * column by the arcs; with pts->whole_row, every column by the predicate.
 * @return the cells newly marked in the first set */
static inline size_t mark_row_arcs(const osq_geo_raster_t *g, const swath_t *s, marker_t *k, int r,
                                   const arc_set_t *set, const arc_pts_t *pts, double res, double inv_res) {
  const size_t base_idx = (size_t)r * (size_t)g->nlon;
  size_t row_cells = 0;
  if (pts->whole_row) {
    for (int c = 0; c < g->nlon; c++) {
      if (mark_open(g, k, base_idx + (size_t)c) && swath_contains(g, s, r, c)) {
        mark_new(g, k, base_idx + (size_t)c, r);
        row_cells++;
      }
    }
    return row_cells;
  }
  int amb[2 * ARC_PTS_MAX + 2];
  const int n_amb = ambiguous_cols(g, pts, res, amb, (int)(sizeof amb / sizeof amb[0]));
  for (int i = 0; i < set->n; i++) {
    /* the columns whose centres lie in [lo, hi]; the offset of 8 turns makes the casts floors */
    const double off = 8.0 * (double)g->nlon, ulo = (set->lo[i] + OSQ_PI) * inv_res - 0.5 + off;
    const double uhi = (set->hi[i] + OSQ_PI) * inv_res - 0.5 + off;
    long c0 = (long)ulo, c1 = (long)uhi;
    c0 += (double)c0 < ulo;
    c0 -= 8L * g->nlon;
    c1 -= 8L * g->nlon;
    if (c1 - c0 + 1 > g->nlon) c1 = c0 + g->nlon - 1;
    if (c0 <= c1) row_cells += mark_cols(g, k, r, c0, c1, amb, n_amb);
  }
  for (int j = 0; j < n_amb; j++) {
    const size_t idx = base_idx + (size_t)amb[j];
    if (mark_open(g, k, idx) && swath_contains(g, s, r, amb[j])) {
      mark_new(g, k, idx, r);
      row_cells++;
    }
  }
  return row_cells;
}

/* Mark row r the general way: its arcs (a point's disc, row_one_end, or else row_all_six), then
 * its cells (mark_row_arcs); the area newly marked is added to *added. */
static inline void mark_row(const osq_geo_raster_t *g, const swath_t *s, const seg_rows_t *u, int r, row_sets_t *w,
                            marker_t *k, double *added) {
  const double sphi = g->row_sin[r], cphi = g->row_cos[r];
  const double phi = -OSQ_PI / 2 + (r + 0.5) * u->res;
  arc_pts_t pts;
  pts.n = 0;
  pts.whole_row = false;
  w->set.n = w->x.n = w->y.n = w->z.n = 0;
  int got = 1; /* 1: the row's arcs are in w->set and pts, -1: the row holds no cell */
  if (s->point) arc_row(&u->cond[0], sphi, cphi, u->base, &w->set, &pts);
  else if ((got = row_one_end(s, u, sphi, cphi, phi, w, &pts)) == 0)
    got = row_all_six(u, sphi, cphi, phi, w, &pts) ? 1 : -1;
  if (got < 0) return;
  *added += (double)mark_row_arcs(g, s, k, r, &w->set, &pts, u->res, u->inv_res) * (double)g->row_area_km2[r];
}

/* Mark the swath s (half-width delta) of the segment from pa to pb: the area newly marked. With
 * cap_b false, the cap around pb may be left out (cells of it are still marked where the arcs or
 * the exact test of the full swath put them): the caller marks the same cap with the next
 * segment, which starts at pb. Per segment: its rows (swath_rows), the conditions of its predicate
 * as arcs (swath_conds) and what its rows need (swath_plan); per row, usual_row's short cuts where
 * the segment is monotone and the row simple (mark_usual_row: most rows), else the general way
 * (mark_row). */
static double mark_swath(const osq_geo_raster_t *g, const swath_t *sw, double delta, const osq_geo_path_pt_t *pa,
                         const osq_geo_path_pt_t *pb, bool cap_b, marker_t *mk) {
  const swath_t s = *sw;
  marker_t k = *mk; /* a copy the compiler may keep in registers; written back at the end */
  const bool monotone = !s.point && s.na[2] * s.bn[2] < 0.0;
  int rlo, rhi;
  swath_rows(g, &s, monotone, delta, pa->lat, pb->lat, &rlo, &rhi);
  const double base = pa->al - OSQ_PI; /* any origin works; the arcs wrap around it */
  arc_cond_t cond[6];
  swath_conds(&s, pa, pb, base, cond);
  seg_rows_t u;
  swath_plan(g, &s, monotone, delta, pa, pb, cond, base, cap_b, &u);
  double added = 0.0;
  row_sets_t w;
  w.set = (arc_set_t){0, {0}, {0}};
  w.x = w.y = w.z = w.set;
  usual_ahead_t ua;
  ua.lo = rlo;
  ua.hi = rlo - 1;
  for (int r = rlo; r <= rhi; r++) {
    if (!s.point && u.seg_side != 0 && mark_usual_row(g, &s, &u, r, rhi, &ua, &k, &added)) continue;
    mark_row(g, &s, &u, r, &w, &k, &added);
  }
  *mk = k;
  return added;
}

double osq_geo_mark_segment(const osq_geo_raster_t *g, double lat1, double lon1, double lat2, double lon2,
                            double half_width_km, osq_geo_marks_t *m) {
  const double lat[2] = {lat1, lat2}, lon[2] = {lon1, lon2};
  return osq_geo_mark_path(g, lat, lon, 2, half_width_km, m);
}

/* Mark the segments pts[0]-pts[1], ..., pts[n - 2]-pts[n - 1] of a path whose first point is
 * `first`; ends_path: pts[n - 1] is the path's last point. A segment's end cap is the next
 * segment's start cap (the same disc about the same point), so only the start caps are marked,
 * and the last segment's end cap unless the path closes on its first point (a flight's route
 * does): the union of the swaths is the same, and the cells of each joint are visited once
 * instead of twice. */
static double mark_pts(const osq_geo_raster_t *g, const osq_geo_path_pt_t *pts, int n,
                       const osq_geo_path_pt_t *first, bool ends_path, double delta, double cosd, double sind,
                       marker_t *k, osq_geo_marks_t *m) {
  double total = 0.0;
  for (int i = 1; i < n; i++) {
    const osq_geo_path_pt_t *pa = &pts[i - 1], *pb = &pts[i];
    const bool cap_b = ends_path && i == n - 1 && memcmp(pb->v, first->v, sizeof first->v) != 0;
    swath_t s;
    swath_from(&s, pa->v, pb->v, cosd, sind);
    const double added = mark_swath(g, &s, delta, pa, pb, cap_b, k);
    m->total_km2 += added;
    total += added;
  }
  return total;
}

double osq_geo_mark_path(const osq_geo_raster_t *g, const double *lat, const double *lon, int n_points,
                         double half_width_km, osq_geo_marks_t *m) {
  double delta, total = 0.0;
  if (n_points < 2 || !swath_delta(half_width_km, &delta)) return 0.0;
  const double cosd = cos(delta), sind = sin(delta);
  marker_t k;
  marker_begin(g, m, &k);
  osq_geo_path_pt_t p[2], first;
  osq_geo_path_point(lat[0], lon[0], &p[0]);
  first = p[0];
  for (int i = 1; i < n_points; i++) {
    osq_geo_path_point(lat[i], lon[i], &p[i & 1]);
    const osq_geo_path_pt_t seg[2] = {p[(i - 1) & 1], p[i & 1]};
    total += mark_pts(g, seg, 2, &first, i == n_points - 1, delta, cosd, sind, &k, m);
  }
  marker_end(&k);
  return total;
}

double osq_geo_mark_path_pts(const osq_geo_raster_t *g, const osq_geo_path_pt_t *pts, int n_points,
                             const osq_geo_path_pt_t *first, double half_width_km, osq_geo_marks_t *m) {
  double delta;
  if (n_points < 2 || !swath_delta(half_width_km, &delta)) return 0.0;
  marker_t k;
  marker_begin(g, m, &k);
  const double total = mark_pts(g, pts, n_points, first ? first : &pts[0], true, delta, cos(delta), sin(delta), &k, m);
  marker_end(&k);
  return total;
}

double osq_geo_marks_merge(const osq_geo_raster_t *g, osq_geo_marks_t *dst, const osq_geo_marks_t *src) {
  double added = 0.0;
  for (size_t i = 0; i < src->n_touched; i++) {
    size_t idx = src->touched[i];
    uint8_t t = g->tid[idx];
    if (!markable(g, dst, t) || bit_get(dst->bits, idx)) continue;
    added += mark_cell(g, dst, idx, (int)(idx / (size_t)g->nlon), t);
  }
  dst->total_km2 += added;
  return added;
}

bool osq_geo_marks_test(const osq_geo_marks_t *m, const osq_geo_raster_t *g, double lat, double lon) {
  return bit_get(m->bits, osq_geo_cell_index(g, lat, lon));
}
