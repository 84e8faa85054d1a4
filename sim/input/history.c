/*
 * history.c owns reading a history file (see history.h): an RFC 4180 CSV reader (quoted fields
 * with commas, doubled quotes and line breaks), and the checks of each row against the columns of
 * docs/history.md and the scenario's treaty.
 */
#include "sim/input/history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLS 12
enum { C_ID, C_PERIOD, C_QUANTITY, C_OBSERVER, C_OBSERVED, C_VALUE, C_KIND, C_TOL, C_REASON, C_USE, C_SOURCE, C_NOTE };
static const char *const COL_NAME[COLS] = {"id",   "period",    "quantity",         "observer", "observed", "value",
                                           "kind", "tolerance", "tolerance_reason", "use",      "source",   "note"};
#define FIELD_MAX 4096
#define ROWS_MAX 100000

/* The whole file in memory, read field by field. */
typedef struct {
  const char *p, *end;
  int line;
} reader_t;

/* The next field into buf (truncated at FIELD_MAX - 1). @return 1 if a comma followed, 0 at the
 * end of a record, -1 at the end of the file, -2 for a quoted field left open. */
static int next_field(reader_t *r, char *buf, size_t *len) {
  size_t n = 0;
  *len = 0;
  if (r->p >= r->end) return -1;
  if (*r->p == '"') {
    r->p++;
    for (;;) {
      if (r->p >= r->end) return -2;
      const char c = *r->p++;
      if (c == '"') {
        if (r->p < r->end && *r->p == '"') r->p++;
        else break;
      } else if (c == '\n') {
        r->line++;
      }
      if (n < FIELD_MAX - 1) buf[n++] = c;
    }
  } else {
    while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
      if (n < FIELD_MAX - 1) buf[n] = *r->p;
      n++;
      r->p++;
    }
    if (n > FIELD_MAX - 1) n = FIELD_MAX - 1;
  }
  buf[n] = '\0';
  *len = n;
  if (r->p < r->end && *r->p == '\r') r->p++;
  if (r->p < r->end && *r->p == ',') {
    r->p++;
    return 1;
  }
  if (r->p < r->end && *r->p == '\n') {
    r->p++;
    r->line++;
  }
  return 0;
}

/* A record's fields into f[COLS] (extra fields counted in *n). @return 0, -1 at the end of the
 * file, -2 for an open quote. */
static int next_record(reader_t *r, char (*f)[FIELD_MAX], int *n) {
  *n = 0;
  char scratch[FIELD_MAX];
  for (;;) {
    size_t len;
    char *dst = *n < COLS ? f[*n] : scratch;
    const int rc = next_field(r, dst, &len);
    if (rc == -2) return -2;
    if (rc == -1 && *n == 0) return -1;
    (*n)++;
    if (rc <= 0) return 0;
  }
}

/* ---- the checks of one row ---- */

static bool parse_number(const char *s, double *v) {
  if (!*s) return false;
  errno = 0;
  char *end;
  *v = strtod(s, &end);
  return !errno && !*end && isfinite(*v);
}

static bool parse_year(const char *s, int *y) {
  if (strlen(s) != 4) return false;
  for (int i = 0; i < 4; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  *y = atoi(s);
  return true;
}

#define YEAR_MIN 2002 /* the treaty's quota flights began in 2002 */
#define YEAR_MAX 2100

/* The period's days and years into fig; the by-date quantities take one day. @return an error
 * message, or NULL. */
static const char *parse_period(const char *s, osq_figure_t *fig) {
  const bool by_day = osq_figure_period_is_day(fig->quantity);
  int y0, y1;
  osq_day_t a, b;
  const char *dots = strstr(s, "..");
  if (by_day) {
    if (osq_date_parse(s, &a) != OSQ_OK) return "is not a day (expected YYYY-MM-DD for a count by date)";
    fig->d1 = a;
    fig->y1 = osq_date_year(a);
    fig->y0 = fig->quantity == OSQ_Q_CUMULATIVE_FLIGHTS ? YEAR_MIN : fig->y1;
    fig->d0 = osq_date_from_ymd(fig->y0, 1, 1);
  } else if (dots) {
    char left[16];
    const size_t n = (size_t)(dots - s);
    if (n >= sizeof left) return "is not a period (expected YYYY, YYYY-YYYY or YYYY-MM-DD..YYYY-MM-DD)";
    memcpy(left, s, n);
    left[n] = '\0';
    if (osq_date_parse(left, &a) != OSQ_OK || osq_date_parse(dots + 2, &b) != OSQ_OK)
      return "is not a period (expected YYYY, YYYY-YYYY or YYYY-MM-DD..YYYY-MM-DD)";
    if (b < a) return "ends before it starts";
    fig->d0 = a;
    fig->d1 = b;
    fig->y0 = osq_date_year(a);
    fig->y1 = osq_date_year(b);
  } else if (strlen(s) == 9 && s[4] == '-') {
    char left[5];
    memcpy(left, s, 4);
    left[4] = '\0';
    if (!parse_year(left, &y0) || !parse_year(s + 5, &y1))
      return "is not a period (expected YYYY, YYYY-YYYY or YYYY-MM-DD..YYYY-MM-DD)";
    if (y1 < y0) return "ends before it starts";
    fig->y0 = y0;
    fig->y1 = y1;
  } else if (parse_year(s, &y0)) {
    fig->y0 = fig->y1 = y0;
  } else {
    return "is not a period (expected YYYY, YYYY-YYYY or YYYY-MM-DD..YYYY-MM-DD)";
  }
  if (fig->y0 < YEAR_MIN || fig->y1 > YEAR_MAX) return "has a year out of range (expected 2002 to 2100)";
  if (!dots && !by_day) {
    fig->d0 = osq_date_from_ymd(fig->y0, 1, 1);
    fig->d1 = osq_date_from_ymd(fig->y1, 12, 31);
  }
  return NULL;
}

/* A party column: "" (any) or a quota-holder code of the treaty, as the quantity needs. */
static void check_party(osq_error_t *err, const char *path, int line, const osq_scenario_t *sc, const char *col,
                        const char *code, int need, const char *qname, int *idx) {
  *idx = -1;
  if (!*code) {
    if (need > 0) osq_error_add(err, OSQ_ECONFIG, path, line, "%s is empty (%s needs a party)", col, qname);
    return;
  }
  if (need < 0) {
    osq_error_add(err, OSQ_ECONFIG, path, line, "%s \"%s\" is given (%s takes none; expected it empty)", col, code, qname);
    return;
  }
  *idx = osq_treaty_find(&sc->treaty, code);
  if (*idx < 0)
    osq_error_add(err, OSQ_ECONFIG, path, line, "%s \"%s\" is not a quota holder of the treaty (expected a code such as "
                  "US, RUBY, DE)", col, code);
}

static int check_row(char (*f)[FIELD_MAX], const osq_scenario_t *sc, const char *path, int line, osq_history_row_t *r,
                     osq_error_t *err) {
  const int before = err->n + err->dropped;
  memset(r, 0, sizeof *r);
  r->line = line;
  if (!*f[C_ID] || strlen(f[C_ID]) >= sizeof r->id)
    osq_error_add(err, OSQ_ECONFIG, path, line, "id \"%.60s\" is empty or longer than %zu characters", f[C_ID],
                  sizeof r->id - 1);
  snprintf(r->id, sizeof r->id, "%s", f[C_ID]);
  snprintf(r->period, sizeof r->period, "%s", f[C_PERIOD]);
  snprintf(r->observer, sizeof r->observer, "%s", f[C_OBSERVER]);
  snprintf(r->observed, sizeof r->observed, "%s", f[C_OBSERVED]);
  const int q = osq_figure_quantity_parse(f[C_QUANTITY]);
  if (q < 0) {
    osq_error_add(err, OSQ_ECONFIG, path, line, "quantity \"%.60s\" is unknown (expected one of docs/history.md: "
                  "flights, flights_over, flights_by, dyad, planned, cumulative_flights, ...)", f[C_QUANTITY]);
    return OSQ_ECONFIG;
  }
  r->fig.quantity = q;
  const char *why = parse_period(f[C_PERIOD], &r->fig);
  if (why) osq_error_add(err, OSQ_ECONFIG, path, line, "period \"%.40s\" %s", f[C_PERIOD], why);
  check_party(err, path, line, sc, "observer", f[C_OBSERVER], osq_figure_needs_observer(q), f[C_QUANTITY], &r->fig.observer);
  check_party(err, path, line, sc, "observed", f[C_OBSERVED], osq_figure_needs_observed(q), f[C_QUANTITY], &r->fig.observed);
  if (!parse_number(f[C_VALUE], &r->value) || r->value < 0)
    osq_error_add(err, OSQ_ECONFIG, path, line, "value \"%.40s\" is not a number >= 0", f[C_VALUE]);
  r->kind = osq_figure_kind_parse(f[C_KIND]);
  if (r->kind < 0)
    osq_error_add(err, OSQ_ECONFIG, path, line, "kind \"%.40s\" is unknown (expected exact, at_least, at_most, "
                  "approximate or planned)", f[C_KIND]);
  const size_t tl = strlen(f[C_TOL]);
  const bool rel = tl > 0 && f[C_TOL][tl - 1] == '%';
  char tol[32];
  snprintf(tol, sizeof tol, "%.*s", (int)(rel ? tl - 1 : tl), f[C_TOL]);
  double t;
  if (!parse_number(tol, &t) || t < 0) {
    osq_error_add(err, OSQ_ECONFIG, path, line, "tolerance \"%.40s\" is not a number >= 0 or a percentage", f[C_TOL]);
    t = 0;
  }
  r->tolerance = rel ? r->value * t / 100.0 : t;
  snprintf(r->tolerance_text, sizeof r->tolerance_text, "%s", f[C_TOL]);
  if (strcmp(f[C_USE], "fit") != 0 && strcmp(f[C_USE], "check") != 0)
    osq_error_add(err, OSQ_ECONFIG, path, line, "use \"%.40s\" is neither fit nor check", f[C_USE]);
  r->fit = strcmp(f[C_USE], "fit") == 0;
  r->simulated = r->fig.y0 >= sc->first_year && r->fig.y1 <= sc->last_year;
  r->source = strdup(f[C_SOURCE]);
  if (!r->source) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  return err->n + err->dropped > before ? OSQ_ECONFIG : OSQ_OK;
}

/* ---- the file ---- */

static int read_file(const char *path, char **text, size_t *len, osq_error_t *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return osq_error_add(err, OSQ_EIO, path, 0, "cannot read the history: %s", strerror(errno));
  char *buf = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (n + 65536 > cap) {
      cap = cap ? 2 * cap : 65536 * 2;
      char *g = realloc(buf, cap);
      if (!g) {
        free(buf);
        fclose(f);
        return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
      }
      buf = g;
    }
    const size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  const bool bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return osq_error_add(err, OSQ_EIO, path, 0, "cannot read the history: read error");
  }
  *text = buf;
  *len = n;
  return OSQ_OK;
}

static int check_header(char (*f)[FIELD_MAX], int n, const char *path, osq_error_t *err) {
  bool ok = n == COLS;
  for (int c = 0; ok && c < COLS; c++) ok = strcmp(f[c], COL_NAME[c]) == 0;
  if (!ok) return osq_error_add(err, OSQ_ECONFIG, path, 1, "the header is not the history's (expected %s)", OSQ_HISTORY_HEADER);
  return OSQ_OK;
}

int osq_history_load(const char *path, const osq_scenario_t *sc, osq_history_t *h, osq_error_t *err) {
  memset(h, 0, sizeof *h);
  snprintf(h->path, sizeof h->path, "%s", path);
  char *text = NULL;
  size_t len = 0;
  int rc = read_file(path, &text, &len, err);
  char(*f)[FIELD_MAX] = rc == OSQ_OK ? malloc(sizeof *f * COLS) : NULL;
  if (rc == OSQ_OK && !f) rc = osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  reader_t r = {text, text + len, 1};
  int n, cap = 0;
  if (rc == OSQ_OK && next_record(&r, f, &n) != 0) rc = osq_error_add(err, OSQ_ECONFIG, path, 1, "is empty (expected "
                                                                        "the header line %s)", OSQ_HISTORY_HEADER);
  if (rc == OSQ_OK) rc = check_header(f, n, path, err);
  bool bad = false;
  while (rc == OSQ_OK) {
    const int line = r.line;
    const int got = next_record(&r, f, &n);
    if (got == -1) break;
    if (got == -2) {
      rc = osq_error_add(err, OSQ_ECONFIG, path, line, "a quoted field is never closed");
      break;
    }
    if (n == 1 && !f[0][0]) continue; /* a blank line */
    if (n != COLS) {
      osq_error_add(err, OSQ_ECONFIG, path, line, "has %d fields (expected %d: %s)", n, COLS, OSQ_HISTORY_HEADER);
      bad = true;
      continue;
    }
    if (h->n == cap) {
      cap = cap ? 2 * cap : 128;
      osq_history_row_t *g = cap <= ROWS_MAX ? realloc(h->row, sizeof *g * (size_t)cap) : NULL;
      if (!g) {
        rc = osq_error_add(err, OSQ_ENOMEM, path, line, "too many rows (at most %d)", ROWS_MAX);
        break;
      }
      h->row = g;
    }
    const int crc = check_row(f, sc, path, line, &h->row[h->n], err);
    if (crc == OSQ_ENOMEM) rc = crc;
    bad |= crc != OSQ_OK;
    for (int k = 0; k < h->n && crc == OSQ_OK; k++)
      if (strcmp(h->row[k].id, h->row[h->n].id) == 0) {
        osq_error_add(err, OSQ_ECONFIG, path, line, "id \"%s\" is used twice (first on line %d)", h->row[k].id,
                      h->row[k].line);
        bad = true;
      }
    h->n++;
  }
  if (rc == OSQ_OK && bad) rc = OSQ_ECONFIG;
  free(f);
  free(text);
  if (rc != OSQ_OK) osq_history_free(h);
  return rc;
}

void osq_history_free(osq_history_t *h) {
  for (int k = 0; k < h->n; k++) free(h->row[k].source);
  free(h->row);
  h->row = NULL;
  h->n = 0;
}
