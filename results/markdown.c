/*
 * markdown.c owns summary.md: a table for people (reports, slides, a terminal), with four
 * significant digits, grouped by metric then party then year. The exact numbers are in
 * summary.csv and run.json; this file is for reading.
 *
 * Every table line starts with '|' and nothing else does, so scripts can still pick out the rows.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "results/internal.h"
#include "results/table.h"

#define SIG_DIGITS 4

/* Free text (scenario names): escape what Markdown would interpret; keep it on one line. */
void osq__md_text(osq__out_t *o, const char *s) {
  if (!s) return;
  for (const char *p = s; *p; p++) {
    if (*p == '\n' || *p == '\r') {
      osq__outc(o, ' ');
      continue;
    }
    if (strchr("\\`*_|<>[]#", *p)) osq__outc(o, '\\');
    osq__outc(o, *p);
  }
}

/* A code span shows identifiers such as flights_over literally in raw and rendered form. */
void osq__md_code(osq__out_t *o, const char *s) {
  if (!s) return;
  if (strpbrk(s, "`|\n\r")) {
    osq__md_text(o, s);
    return;
  }
  osq__outc(o, '`');
  osq__outs(o, s);
  osq__outc(o, '`');
}

void osq__md_num(osq__out_t *o, double x) {
  char buf[OSQ__NUM_LEN];
  osq__fmt_sig(x, SIG_DIGITS, buf);
  osq__outs(o, buf);
}

void osq__md_run_facts(osq__out_t *o, const osq_run_header_t *h, const char *file_word) {
  if (h->scenario_path) {
    osq__outs(o, file_word);
    osq__md_code(o, h->scenario_path);
    if (h->scenario_hash[0]) {
      osq__outs(o, " (hash ");
      osq__md_code(o, h->scenario_hash);
      osq__outc(o, ')');
    }
    osq__outs(o, "; ");
  }
  osq__outs(o, "osq ");
  osq__md_text(o, h->version ? h->version : "?");
  osq__outs(o, "; rng ");
  osq__md_text(o, h->rng ? h->rng : "?");
  /* Only what determines the numbers: threads, ranks, wall time and date are in the JSON, so that
   * the Markdown is byte-identical for any thread or rank count (README "Reproducibility"). */
  osq__outf(o, ", seed %llu, block size %" PRId64 "; %" PRId64 " trials", (unsigned long long)h->seed,
            h->block_size, h->trials_done);
  if (h->verification_hash[0]) {
    osq__outs(o, "; verification hash ");
    osq__md_code(o, h->verification_hash);
  }
}

static void md_preamble(osq__out_t *o, const osq_run_header_t *h) {
  osq__outs(o, "# osq results: ");
  osq__md_text(o, h->scenario_name ? h->scenario_name : "(unnamed scenario)");
  osq__outs(o, "\n\n");
  osq__md_run_facts(o, h, "Scenario file ");
  osq__outs(o, ".\n\n");
  if (h->partial)
    osq__outf(o,
              "**Partial run:** interrupted after %" PRId64 " of %" PRId64
              " trials; the statistics are over the completed trials.\n\n",
              h->trials_done, h->trials);
}

int osq__write_summary_md(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                          const osq_dyad_table_t *d, osq_error_t *err) {
  (void)d;
  if (!t) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "summary.md: no summary table");
  size_t *order = osq__table_order(t);
  if (t->n > 0 && !order) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "summary.md: out of memory");
  if (hdr) md_preamble(o, hdr);
  osq__outs(o, "| metric | party | year | mean | 95 % CI | p05 | p50 | p95 |\n");
  osq__outs(o, "|:---|:---|---:|---:|:---:|---:|---:|---:|\n");
  for (size_t k = 0; k < t->n && !o->err; k++) {
    const osq_row_t *r = &t->rows[order[k]];
    osq__outs(o, "| ");
    osq__md_code(o, r->metric);
    osq__outs(o, " | ");
    osq__md_text(o, r->party);
    osq__outf(o, " | %d | ", r->year);
    osq__md_num(o, r->mean);
    osq__outs(o, " | [");
    osq__md_num(o, r->ci95_lo);
    osq__outs(o, ", ");
    osq__md_num(o, r->ci95_hi);
    osq__outs(o, "] | ");
    osq__md_num(o, r->p05);
    osq__outs(o, " | ");
    osq__md_num(o, r->p50);
    osq__outs(o, " | ");
    osq__md_num(o, r->p95);
    osq__outs(o, " |\n");
  }
  free(order);
  return 0;
}

int osq_summary_md_write(FILE *fp, const osq_run_header_t *hdr, const osq_table_t *t,
                         osq_error_t *err) {
  osq__out_t o;
  osq__out_init(&o, fp);
  int rc = osq__write_summary_md(&o, hdr, t, NULL, err);
  int rc2 = osq__out_finish(&o, err);
  return rc ? rc : rc2;
}
