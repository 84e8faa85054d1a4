/* calibration.c owns the result files of `osq calibrate` (see calibration.h). */
#include "results/calibration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/internal.h"

static const osq__set_file_t FILES[] = {{"fitted.cfg", OSQ_FMT_CSV}, {"fit.csv", OSQ_FMT_CSV}, {"params.csv", OSQ_FMT_CSV}};
#define N_FILES (sizeof FILES / sizeof FILES[0])

/* A fitted value as libconfig reads it back: an integer, or a float with 6 significant digits (and
 * a decimal point, so that libconfig types it as a float). */
static void cfg_num(osq__out_t *o, const osq_param_row_t *p) {
  if (p->integer) {
    osq__outf(o, "%lld", (long long)p->value);
    return;
  }
  char buf[48];
  snprintf(buf, sizeof buf, "%.6g", p->value);
  osq__outs(o, buf);
  if (!strpbrk(buf, ".eEn")) osq__outs(o, ".0");
}

/* The part of a key after "model.", split at its first dot: head "parties", rest "US.completion". */
static void split(const char *key, char *head, size_t nh, const char **rest) {
  const char *k = key + 6, *dot = strchr(k, '.');
  const size_t n = dot ? (size_t)(dot - k) : strlen(k);
  snprintf(head, nh, "%.*s", (int)n, k);
  *rest = dot ? dot + 1 : NULL;
}

/* The keys of a list group (parties: "CODE.field", years: "YEAR.field"), one element per first part,
 * in order of first appearance. */
static void write_list(osq__out_t *o, const osq_calibration_t *c, const char *list, const char *name_key, bool quoted) {
  bool any = false;
  for (int i = 0; i < c->n_param; i++) {
    char head[32], elem[16];
    const char *rest;
    split(c->param[i].key, head, sizeof head, &rest);
    if (strcmp(head, list) != 0 || !rest) continue;
    snprintf(elem, sizeof elem, "%.*s", (int)strcspn(rest, "."), rest);
    bool seen = false; /* an element already written with an earlier key */
    for (int j = 0; j < i && !seen; j++) {
      const char *r2;
      char h2[32];
      split(c->param[j].key, h2, sizeof h2, &r2);
      seen = strcmp(h2, list) == 0 && r2 && strncmp(r2, elem, strlen(elem)) == 0 && r2[strlen(elem)] == '.';
    }
    if (seen) continue;
    osq__outf(o, "%s\n      { %s = ", any ? "," : "", name_key);
    osq__outf(o, quoted ? "\"%s\";" : "%s;", elem);
    for (int j = i; j < c->n_param; j++) {
      const char *r2;
      char h2[32];
      split(c->param[j].key, h2, sizeof h2, &r2);
      if (strcmp(h2, list) != 0 || !r2 || strncmp(r2, elem, strlen(elem)) != 0 || r2[strlen(elem)] != '.') continue;
      osq__outf(o, " %s = ", r2 + strlen(elem) + 1);
      cfg_num(o, &c->param[j]);
      osq__outc(o, ';');
    }
    osq__outs(o, " }");
    any = true;
  }
  if (any) osq__outs(o, "\n    );\n");
}

static int write_cfg(osq__out_t *o, const osq_calibration_t *c) {
  osq__outs(o, "# osq's fitted model defaults, included by the shipped scenarios (@include \"fitted.cfg\") and\n"
               "# applied before a scenario's own model group. Written by osq calibrate, not by hand\n"
               "# (docs/model.md section 6); to reproduce it, run:\n#   ");
  osq__outs(o, c->command);
  osq__outs(o, "\n# ");
  osq__outs(o, c->facts);
  osq__outs(o, "\nfitted = {\n  source = \"");
  for (const char *p = c->command; *p; p++) osq__outc(o, *p == '"' ? '\'' : *p);
  osq__outs(o, "\";\n  model = {\n");
  char groups[8][32];
  int n_groups = 0;
  for (int i = 0; i < c->n_param; i++) { /* plain keys, then one-level groups (interest.*) */
    char head[32];
    const char *rest;
    split(c->param[i].key, head, sizeof head, &rest);
    if (!rest) {
      osq__outf(o, "    %s = ", head);
      cfg_num(o, &c->param[i]);
      osq__outs(o, ";\n");
    } else if (strcmp(head, "parties") != 0 && strcmp(head, "years") != 0 && strcmp(head, "pairs") != 0) {
      bool seen = false;
      for (int g = 0; g < n_groups; g++) seen |= strcmp(groups[g], head) == 0;
      if (!seen && n_groups < 8) snprintf(groups[n_groups++], sizeof groups[0], "%s", head);
    }
  }
  for (int g = 0; g < n_groups; g++) {
    osq__outf(o, "    %s = {", groups[g]);
    for (int i = 0; i < c->n_param; i++) {
      char head[32];
      const char *rest;
      split(c->param[i].key, head, sizeof head, &rest);
      if (!rest || strcmp(head, groups[g]) != 0) continue;
      osq__outf(o, " %s = ", rest);
      cfg_num(o, &c->param[i]);
      osq__outc(o, ';');
    }
    osq__outs(o, " };\n");
  }
  bool any_list = false;
  for (int i = 0; i < c->n_param && !any_list; i++) any_list = strncmp(c->param[i].key, "model.parties.", 14) == 0;
  if (any_list) {
    osq__outs(o, "    parties = (");
    write_list(o, c, "parties", "party", true);
  }
  bool any_pair = false; /* model.pairs.O.T.interest: one element per pair */
  for (int i = 0; i < c->n_param; i++) {
    char ob[8], tg[8];
    if (sscanf(c->param[i].key, "model.pairs.%7[A-Z].%7[A-Z].interest", ob, tg) != 2) continue;
    osq__outf(o, "%s\n      { observer = \"%s\"; observed = \"%s\"; interest = ", any_pair ? "," : "    pairs = (", ob, tg);
    cfg_num(o, &c->param[i]);
    osq__outs(o, "; }");
    any_pair = true;
  }
  if (any_pair) osq__outs(o, "\n    );\n");
  any_list = false;
  for (int i = 0; i < c->n_param && !any_list; i++) any_list = strncmp(c->param[i].key, "model.years.", 12) == 0;
  if (any_list) {
    osq__outs(o, "    years = (");
    write_list(o, c, "years", "year", false);
  }
  osq__outs(o, "  };\n};\n");
  return OSQ_OK;
}

static int write_fit(osq__out_t *o, const osq_calibration_t *c) {
  osq__outs(o, OSQ_FIT_HEADER "\n");
  for (int i = 0; i < c->n_fit; i++) {
    const osq_fit_row_t *r = &c->fit[i];
    const char *text[] = {r->id, r->period, r->quantity, r->party};
    for (int k = 0; k < 4; k++) {
      if (k) osq__outc(o, ',');
      osq__csv_field(o, text[k]);
    }
    osq__csv_num(o, r->value);
    osq__outc(o, ',');
    osq__csv_field(o, r->kind);
    osq__outc(o, ',');
    osq__csv_field(o, r->tolerance);
    osq__csv_num(o, r->weight);
    osq__csv_num(o, r->before);
    osq__csv_num(o, r->after);
    osq__outc(o, '\n');
  }
  return OSQ_OK;
}

static int write_params(osq__out_t *o, const osq_calibration_t *c) {
  osq__outs(o, OSQ_PARAMS_HEADER "\n");
  for (int i = 0; i < c->n_param; i++) {
    const osq_param_row_t *p = &c->param[i];
    osq__csv_field(o, p->key);
    osq__csv_num(o, p->start);
    osq__csv_num(o, p->value);
    osq__csv_num(o, p->sd);
    osq__csv_num(o, p->lo);
    osq__csv_num(o, p->hi);
    osq__outc(o, '\n');
  }
  return OSQ_OK;
}

static int write_one(osq__out_t *o, size_t k, const void *ctx, osq_error_t *err) {
  (void)err;
  return k == 0 ? write_cfg(o, ctx) : k == 1 ? write_fit(o, ctx) : write_params(o, ctx);
}

int osq_calibration_check_dir(const char *dir, osq_error_t *err) { return osq__set_check(dir, FILES, N_FILES, err); }

int osq_calibration_write(const char *dir, const osq_calibration_t *c, bool force, osq_error_t *err) {
  for (int i = 0; i < c->n_param; i++)
    if (strncmp(c->param[i].key, "model.", 6) != 0)
      return osq_error_add(err, OSQ_EINVAL, NULL, 0, "%s: fitted.cfg holds model parameters only (model.*)",
                           c->param[i].key);
  return osq__write_set(dir, FILES, N_FILES, OSQ_FMT_CSV, force, write_one, c, err);
}
