/*
 * latex.c owns summary.tex: a booktabs longtable ready for \input in a plain article (with
 * \usepackage{booktabs,longtable}): it breaks across pages, repeats its column heads, and fits
 * the text width (no overfull box: tests/cli/latex.sh compiles it with pdflatex). Same rows and
 * order as summary.md, each metric under its name as a heading; the caption and label are the
 * author's to edit; the run header goes in one comment line so that the table can be traced back
 * to its run. The shared longtable frame is compare.tex's too.
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
/* The longtables' font size and column gap (measured: the widest rows of the baseline and of the
 * 2x2 comparison fit a plain article's 345 pt text width with room to spare). */
#define TEX_FONT "small"
#define TEX_COLSEP "4pt"

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

/* A \label key from a name: letters, digits and -_.: kept, anything else as '-'. */
void osq__tex_label(osq__out_t *o, const char *prefix, const char *name) {
  osq__outs(o, "\\label{");
  osq__outs(o, prefix);
  for (const char *p = name ? name : ""; *p; p++) {
    const char ch = *p;
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                      ch == '-' || ch == '_' || ch == '.' || ch == ':';
    osq__outc(o, keep ? ch : '-');
  }
  osq__outc(o, '}');
}

/*
 * The frame of a longtable: a smaller font and narrower column gaps (so that the widest rows,
 * eight-digit km^2 with their intervals, fit a plain article's text width), the caption on the
 * first page, the column heads repeated on every page, the rule at the end.
 */
void osq__tex_longtable_begin(osq__out_t *o, const char *cols) {
  osq__outf(o, "\\begingroup\n\\%s\n\\setlength{\\tabcolsep}{%s}\n", TEX_FONT, TEX_COLSEP);
  osq__outf(o, "\\begin{longtable}{%s}\n", cols);
}

void osq__tex_longtable_heads(osq__out_t *o, int ncols, const char *heads) {
  osq__outf(o, "\\toprule\n%s \\\\\n\\midrule\n\\endfirsthead\n", heads);
  osq__outf(o, "\\multicolumn{%d}{@{}l}{\\emph{(continued)}} \\\\\n\\toprule\n%s \\\\\n\\midrule\n\\endhead\n", ncols,
            heads);
  osq__outf(o, "\\midrule\n\\multicolumn{%d}{@{}r}{\\emph{(continued on the next page)}} \\\\\n\\endfoot\n", ncols);
  osq__outs(o, "\\bottomrule\n\\endlastfoot\n");
}

void osq__tex_longtable_end(osq__out_t *o) { osq__outs(o, "\\end{longtable}\n\\endgroup\n"); }

/* "2019" or "2002--2025": the years of the table's rows. */
static void year_range(const osq_table_t *t, char *buf, size_t n) {
  int lo = 0, hi = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (i == 0 || t->rows[i].year < lo) lo = t->rows[i].year;
    if (i == 0 || t->rows[i].year > hi) hi = t->rows[i].year;
  }
  if (lo == hi) snprintf(buf, n, "%d", lo);
  else snprintf(buf, n, "%d--%d", lo, hi);
}

#define SUMMARY_HEADS "Party & Year & Mean & 95\\,\\% CI & $p_{05}$ & $p_{50}$ & $p_{95}$"

int osq__write_summary_tex(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                           const osq_dyad_table_t *d, osq_error_t *err) {
  (void)d;
  if (!t) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "summary.tex: no summary table");
  size_t *order = osq__table_order(t);
  if (t->n > 0 && !order)
    return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "summary.tex: out of memory");
  osq__outs(o, "% summary.tex written by osq; needs \\usepackage{booktabs,longtable}\n");
  if (hdr) osq__tex_header_comment(o, hdr);
  osq__tex_longtable_begin(o, "@{}lrrcrrr@{}");
  /* The caption and label go with the table (a longtable is not a float): the author may edit them. */
  char years[32];
  year_range(t, years, sizeof years);
  osq__outs(o, "\\caption{osq: scenario ");
  osq__tex_text(o, t->scenario);
  osq__outf(o, ", %s", years);
  if (hdr) osq__outf(o, ", %" PRId64 " trials, seed %llu", hdr->trials_done, (unsigned long long)hdr->seed);
  osq__outs(o, ". Per metric: the mean over trials, its 95\\,\\% confidence interval, and the 5th, 50th and "
               "95th percentiles.}");
  osq__tex_label(o, "tab:osq-", t->scenario);
  osq__outs(o, " \\\\\n");
  osq__tex_longtable_heads(o, 7, SUMMARY_HEADS);
  const char *metric = NULL;
  for (size_t k = 0; k < t->n && !o->err; k++) {
    const osq_row_t *r = &t->rows[order[k]];
    /* Each metric under its name; "\\*" keeps the name on the page of its first row. */
    if (!metric || strcmp(metric, r->metric) != 0) {
      if (metric) osq__outs(o, "\\addlinespace\n");
      osq__outs(o, "\\multicolumn{7}{@{}l}{\\texttt{");
      osq__tex_text(o, r->metric);
      osq__outs(o, "}} \\\\*\n");
      metric = r->metric;
    }
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
  osq__tex_longtable_end(o);
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
