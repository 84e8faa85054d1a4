/*
 * latex.c owns summary.tex: a booktabs tabular ready for \input in a paper (the float, caption and
 * label stay with the author). Same columns and order as summary.md; the run header goes in one
 * comment line so that the table can be traced back to its run.
 *
 * Text cells are escaped (_ % & # $ { } ~ ^ \) because metric names hold underscores and scenario
 * names may hold anything.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "results/internal.h"
#include "results/table.h"

#define SIG_DIGITS 4

void osq__tex_text(osq__out_t *o, const char *s) {
  if (!s) return;
  for (const char *p = s; *p; p++) {
    switch (*p) {
      case '_': case '%': case '&': case '#': case '$': case '{': case '}':
        osq__outc(o, '\\');
        osq__outc(o, *p);
        break;
      case '~': osq__outs(o, "\\textasciitilde{}"); break;
      case '^': osq__outs(o, "\\textasciicircum{}"); break;
      case '\\': osq__outs(o, "\\textbackslash{}"); break;
      case '\n': case '\r': osq__outc(o, ' '); break;
      default: osq__outc(o, *p);
    }
  }
}

/* A comment runs to the end of the line: only line breaks need care. */
static void tex_comment_text(osq__out_t *o, const char *s) {
  if (!s) {
    osq__outs(o, "-");
    return;
  }
  for (const char *p = s; *p; p++) osq__outc(o, (*p == '\n' || *p == '\r') ? ' ' : *p);
}

/* A hyphen is not a minus sign in text mode, and 1.2e-05 should read as a power of ten. */
void osq__tex_num(osq__out_t *o, double x) {
  char buf[OSQ__NUM_LEN];
  osq__fmt_sig(x, SIG_DIGITS, buf);
  char *e = strchr(buf, 'e');
  if (e) {
    *e = '\0';
    osq__outf(o, "$%s\\times 10^{%d}$", buf, atoi(e + 1));
  } else if (strcmp(buf, "inf") == 0) {
    osq__outs(o, "$\\infty$");
  } else if (strcmp(buf, "-inf") == 0) {
    osq__outs(o, "$-\\infty$");
  } else if (buf[0] == '-') {
    osq__outf(o, "$-$%s", buf + 1);
  } else {
    osq__outs(o, buf);
  }
}

/* Only what determines the numbers: threads, ranks, wall time and date are in run.json, so that
 * this file is byte-identical for any thread or rank count (README "Reproducibility"). */
void osq__tex_header_comment(osq__out_t *o, const osq_run_header_t *h) {
  osq__outs(o, "% run: osq ");
  tex_comment_text(o, h->version);
  osq__outs(o, " scenario=");
  tex_comment_text(o, h->scenario_name);
  osq__outs(o, " file=");
  tex_comment_text(o, h->scenario_path);
  osq__outs(o, " scenario_hash=");
  tex_comment_text(o, h->scenario_hash[0] ? h->scenario_hash : NULL);
  osq__outf(o, " seed=%llu trials=%" PRId64 " trials_done=%" PRId64 " rng=", (unsigned long long)h->seed, h->trials,
            h->trials_done);
  tex_comment_text(o, h->rng);
  osq__outf(o, " block_size=%" PRId64 " verification_hash=", h->block_size);
  tex_comment_text(o, h->verification_hash[0] ? h->verification_hash : NULL);
  osq__outs(o, " result_digest=");
  tex_comment_text(o, h->result_digest[0] ? h->result_digest : NULL);
  osq__outf(o, " partial=%s", h->partial ? "yes" : "no");
  osq__outc(o, '\n');
}

int osq__write_summary_tex(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                           const osq_dyad_table_t *d, osq_error_t *err) {
  (void)d;
  if (!t) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "summary.tex: no summary table");
  size_t *order = osq__table_order(t);
  if (t->n > 0 && !order)
    return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "summary.tex: out of memory");
  osq__outs(o, "% summary.tex written by osq; needs \\usepackage{booktabs}\n");
  if (hdr) osq__tex_header_comment(o, hdr);
  osq__outs(o, "\\begin{tabular}{llrrcrrr}\n\\toprule\n");
  osq__outs(o, "Metric & Party & Year & Mean & 95\\,\\% CI & $p_{05}$ & $p_{50}$ & $p_{95}$ \\\\\n");
  osq__outs(o, "\\midrule\n");
  for (size_t k = 0; k < t->n && !o->err; k++) {
    const osq_row_t *r = &t->rows[order[k]];
    osq__tex_text(o, r->metric);
    osq__outs(o, " & ");
    osq__tex_text(o, r->party);
    osq__outf(o, " & %d & ", r->year);
    osq__tex_num(o, r->mean);
    osq__outs(o, " & [");
    osq__tex_num(o, r->ci95_lo);
    osq__outs(o, ", ");
    osq__tex_num(o, r->ci95_hi);
    osq__outs(o, "] & ");
    osq__tex_num(o, r->p05);
    osq__outs(o, " & ");
    osq__tex_num(o, r->p50);
    osq__outs(o, " & ");
    osq__tex_num(o, r->p95);
    osq__outs(o, " \\\\\n");
  }
  osq__outs(o, "\\bottomrule\n\\end{tabular}\n");
  free(order);
  return 0;
}

int osq_summary_tex_write(FILE *fp, const osq_run_header_t *hdr, const osq_table_t *t,
                          osq_error_t *err) {
  osq__out_t o;
  osq__out_init(&o, fp);
  int rc = osq__write_summary_tex(&o, hdr, t, NULL, err);
  int rc2 = osq__out_finish(&o, err);
  return rc ? rc : rc2;
}
