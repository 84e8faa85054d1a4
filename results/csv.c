/*
 * csv.c owns summary.csv and dyads.csv (RFC 4180 quoting, "\n" line ends: a field is quoted
 * only when it holds a comma, a quote or a line break, and quotes inside are doubled).
 *
 * Each number is the shortest decimal that reads back as the very same double (osq__fmt_exact:
 * 88.1123, not 88.112300000000005); the column order is a stable interface (README "Output files").
 */
#include <inttypes.h>
#include <string.h>

#include "results/internal.h"
#include "results/table.h"

void osq__csv_field(osq__out_t *o, const char *s) {
  if (!s) s = "";
  if (!strpbrk(s, ",\"\r\n")) {
    osq__outs(o, s);
    return;
  }
  osq__outc(o, '"');
  for (const char *p = s; *p; p++) {
    if (*p == '"') osq__outc(o, '"');
    osq__outc(o, *p);
  }
  osq__outc(o, '"');
}

void osq__csv_num(osq__out_t *o, double x) {
  char buf[OSQ__NUM_LEN];
  osq__fmt_exact(x, buf);
  osq__outc(o, ',');
  osq__outs(o, buf);
}

int osq__write_summary_csv(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                           const osq_dyad_table_t *d, osq_error_t *err) {
  (void)hdr;
  (void)d;
  if (!t) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "summary.csv: no summary table");
  osq__outs(o, "scenario,year,metric,party,mean,sd,se,ci95_lo,ci95_hi,p05,p50,p95,n\n");
  for (size_t i = 0; i < t->n && !o->err; i++) {
    const osq_row_t *r = &t->rows[i];
    osq__csv_field(o, t->scenario);
    osq__outf(o, ",%d,", r->year);
    osq__csv_field(o, r->metric);
    osq__outc(o, ',');
    osq__csv_field(o, r->party);
    osq__csv_num(o, r->mean);
    osq__csv_num(o, r->sd);
    osq__csv_num(o, r->se);
    osq__csv_num(o, r->ci95_lo);
    osq__csv_num(o, r->ci95_hi);
    osq__csv_num(o, r->p05);
    osq__csv_num(o, r->p50);
    osq__csv_num(o, r->p95);
    osq__outf(o, ",%" PRId64 "\n", r->n);
  }
  return 0;
}

int osq__write_dyads_csv(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                         const osq_dyad_table_t *d, osq_error_t *err) {
  (void)hdr;
  (void)t;
  (void)err;
  osq__outs(o, "scenario,year,observer,observed,mean_flights\n");
  for (size_t i = 0; d && i < d->n && !o->err; i++) {
    const osq_dyad_row_t *r = &d->rows[i];
    osq__csv_field(o, d->scenario);
    osq__outf(o, ",%d,", r->year);
    osq__csv_field(o, r->observer);
    osq__outc(o, ',');
    osq__csv_field(o, r->observed);
    osq__csv_num(o, r->mean_flights);
    osq__outc(o, '\n');
  }
  return 0;
}

int osq_summary_csv_write(FILE *fp, const osq_table_t *t, osq_error_t *err) {
  osq__out_t o;
  osq__out_init(&o, fp);
  int rc = osq__write_summary_csv(&o, NULL, t, NULL, err);
  int rc2 = osq__out_finish(&o, err);
  return rc ? rc : rc2;
}

int osq_dyads_csv_write(FILE *fp, const osq_dyad_table_t *dyads, osq_error_t *err) {
  osq__out_t o;
  osq__out_init(&o, fp);
  int rc = osq__write_dyads_csv(&o, NULL, NULL, dyads, err);
  int rc2 = osq__out_finish(&o, err);
  return rc ? rc : rc2;
}
