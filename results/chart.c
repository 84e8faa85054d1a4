/* chart.c owns the timeline charts (see chart.h). */
#include "results/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/plot.h"

#define MAX_YEARS 128
#define MAX_SERIES 5

typedef struct {
  double y[MAX_YEARS], lo[MAX_YEARS], hi[MAX_YEARS];
} series_data_t;

/* Fill a series from the rows (metric, party), NaN where a year has no row. @return rows found. */
static int fill(const osq_table_t *t, const int *years, int n, const char *metric, const char *party,
                series_data_t *d) {
  int found = 0;
  for (int i = 0; i < n; i++) d->y[i] = d->lo[i] = d->hi[i] = NAN;
  for (size_t r = 0; r < t->n; r++) {
    const osq_row_t *row = &t->rows[r];
    if (strcmp(row->metric, metric) || strcmp(row->party, party)) continue;
    for (int i = 0; i < n; i++)
      if (years[i] == row->year) {
        d->y[i] = row->mean;
        d->lo[i] = row->ci95_lo;
        d->hi[i] = row->ci95_hi;
        found++;
      }
  }
  return found;
}

static int chart(const char *path, const osq_table_t *t, const int *years, int n, const char *const (*rows)[3],
                 int n_rows, const char *title, const char *subtitle, const char *y_label, osq_error_t *err) {
  series_data_t *d = calloc((size_t)n_rows, sizeof *d);
  osq_plot_series_t s[MAX_SERIES];
  if (!d) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory");
  int k = 0;
  for (int i = 0; i < n_rows && k < MAX_SERIES; i++)
    if (fill(t, years, n, rows[i][0], rows[i][1], &d[k]) > 0) {
      s[k] = (osq_plot_series_t){.name = rows[i][2], .y = d[k].y, .lo = d[k].lo, .hi = d[k].hi};
      k++;
    }
  int rc = OSQ_OK;
  if (k > 0) {
    osq_plot_lines_t c = {.years = years, .n = n, .series = s, .n_series = k, .title = title, .subtitle = subtitle,
                          .x_label = "year", .y_label = y_label};
    rc = osq_plot_lines(path, &c, err);
  }
  free(d);
  return rc;
}

int osq_chart_timeline(const char *dir, const osq_table_t *t, const char *subtitle, osq_error_t *err) {
  int years[MAX_YEARS], n = 0;
  for (size_t r = 0; r < t->n && n < MAX_YEARS; r++) {
    bool seen = false;
    for (int i = 0; i < n; i++) seen |= years[i] == t->rows[r].year;
    if (!seen) years[n++] = t->rows[r].year;
  }
  for (int i = 1; i < n; i++) /* insertion sort: a few dozen years */
    for (int j = i; j > 0 && years[j - 1] > years[j]; j--) {
      int tmp = years[j];
      years[j] = years[j - 1];
      years[j - 1] = tmp;
    }
  if (n < 2) return OSQ_OK;
  static const char *const flights[][3] = {{"flights", "ALL", "all completed flights"},
                                           {"flights_over", "RUBY", "over Russia and Belarus (RUBY)"},
                                           {"flights_over", "US", "over the United States"},
                                           {"flights_over", "EUR", "over the European parties"}};
  static const char *const cover[][3] = {{"coverage", "ALL", "parties in force (ALL)"},
                                         {"coverage_fixed", "ALL", "fixed 2019 treaty area"},
                                         {"coverage", "RUBY", "Russia and Belarus (RUBY)"},
                                         {"coverage", "US", "United States"},
                                         {"coverage", "EUR", "European parties (EUR)"}};
  char path[1200];
  snprintf(path, sizeof path, "%s/timeline_flights.png", dir);
  int rc = chart(path, t, years, n, flights, 4, "Open Skies observation flights a year", subtitle,
                 "completed flights (mean, 95 % CI)", err);
  if (rc == OSQ_OK) {
    snprintf(path, sizeof path, "%s/timeline_coverage.png", dir);
    rc = chart(path, t, years, n, cover, 5, "Share of territory imaged in a year", subtitle,
               "coverage (mean, 95 % CI)", err);
  }
  return rc;
}
