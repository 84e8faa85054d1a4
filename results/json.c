/*
 * json.c owns run.json: the run header, every summary row and every dyad, through jansson.
 *
 * Deterministic output (sorted keys, fixed indentation) so that two runs with the same results
 * give byte-identical files apart from the timing and date fields. The document is built with
 * jansson and written by osq__json_write in jansson's own layout (JSON_INDENT(2) | JSON_SORT_KEYS)
 * but for the reals: each is the shortest decimal that reads back as the same double
 * (osq__fmt_exact: 88.1123, not jansson's 88.112300000000005), with ".0" after an integer value
 * so that it stays a real for the readers that tell them apart (93.0; Python reads 93 as an int).
 * It goes through the caller's stream: json_dump_file would write the final file in place,
 * which is not atomic.
 *
 * Layout:
 *   { "format": "osq-run", "format_version": 1,
 *     "run": { header fields, see osq_run_header_t },
 *     "summary": [ { the summary.csv columns }, ... ],
 *     "dyads": [ { the dyads.csv columns }, ... ] }
 * Non-finite numbers are null (JSON has no NaN); a missing string or hash is null.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "results/internal.h"
#include "results/table.h"

#define OSQ_RUN_JSON_FORMAT_VERSION 1

/* jansson rejects invalid UTF-8 (a file name may hold any bytes); keep the ASCII and mark the
 * rest rather than lose the whole value. */
static json_t *jstr(const char *s) {
  if (!s) return json_null();
  json_t *v = json_string(s);
  if (v) return v;
  char *copy = strdup(s);
  if (!copy) return NULL;
  for (char *p = copy; *p; p++)
    if ((unsigned char)*p >= 0x80) *p = '?';
  v = json_string(copy);
  free(copy);
  return v;
}

static json_t *jhash(const char *hex) { return hex[0] ? jstr(hex) : json_null(); }

static json_t *jnum(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* Collects allocation failures so that the builders need not test every call. */
typedef struct {
  bool failed;
} jctx_t;

static void jset(jctx_t *c, json_t *obj, const char *key, json_t *v) {
  if (!obj || !v || json_object_set_new(obj, key, v) != 0) c->failed = true;
}

static void jappend(jctx_t *c, json_t *arr, json_t *v) {
  if (!arr || !v || json_array_append_new(arr, v) != 0) c->failed = true;
}

static json_t *header_json(jctx_t *c, const osq_run_header_t *h) {
  json_t *o = json_object();
  jset(c, o, "version", jstr(h->version));
  jset(c, o, "scenario", jstr(h->scenario_name));
  jset(c, o, "scenario_path", jstr(h->scenario_path));
  jset(c, o, "scenario_hash", jhash(h->scenario_hash));
  if (h->seed <= (uint64_t)INT64_MAX) {
    jset(c, o, "seed", json_integer((json_int_t)h->seed));
  } else {
    /* jansson integers are signed 64-bit; a larger key is kept exact as a decimal string. */
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)h->seed);
    jset(c, o, "seed", json_string(buf));
  }
  jset(c, o, "trials", json_integer((json_int_t)h->trials));
  jset(c, o, "trials_done", json_integer((json_int_t)h->trials_done));
  jset(c, o, "threads", json_integer(h->threads));
  jset(c, o, "ranks", json_integer(h->ranks));
  jset(c, o, "rng", jstr(h->rng));
  jset(c, o, "block_size", json_integer((json_int_t)h->block_size));
  jset(c, o, "wall_seconds", jnum(h->wall_seconds));
  jset(c, o, "verification_hash", jhash(h->verification_hash));
  jset(c, o, "result_digest", jhash(h->result_digest));
  jset(c, o, "partial", json_boolean(h->partial));
  jset(c, o, "created", jstr(h->created));
  return o;
}

static json_t *row_json(jctx_t *c, const char *scenario, const osq_row_t *r) {
  json_t *o = json_object();
  jset(c, o, "scenario", jstr(scenario));
  jset(c, o, "year", json_integer(r->year));
  jset(c, o, "metric", jstr(r->metric));
  jset(c, o, "party", jstr(r->party));
  jset(c, o, "mean", jnum(r->mean));
  jset(c, o, "sd", jnum(r->sd));
  jset(c, o, "se", jnum(r->se));
  jset(c, o, "ci95_lo", jnum(r->ci95_lo));
  jset(c, o, "ci95_hi", jnum(r->ci95_hi));
  jset(c, o, "p05", jnum(r->p05));
  jset(c, o, "p50", jnum(r->p50));
  jset(c, o, "p95", jnum(r->p95));
  jset(c, o, "n", json_integer((json_int_t)r->n));
  return o;
}

static json_t *dyad_json(jctx_t *c, const char *scenario, const osq_dyad_row_t *r) {
  json_t *o = json_object();
  jset(c, o, "scenario", jstr(scenario));
  jset(c, o, "year", json_integer(r->year));
  jset(c, o, "observer", jstr(r->observer));
  jset(c, o, "observed", jstr(r->observed));
  jset(c, o, "mean_flights", jnum(r->mean_flights));
  return o;
}

/* Shared with compare.c (compare.json carries the run header of every scenario). */
json_t *osq__run_header_json(const osq_run_header_t *h) {
  jctx_t c = {false};
  json_t *o = header_json(&c, h);
  if (c.failed) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *osq__json_str(const char *s) { return jstr(s); }

/* ---- writing: jansson's layout, osq's reals ---- */

static void write_string(osq__out_t *o, const char *s) {
  osq__outc(o, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
      case '"': osq__outs(o, "\\\""); break;
      case '\\': osq__outs(o, "\\\\"); break;
      case '\b': osq__outs(o, "\\b"); break;
      case '\f': osq__outs(o, "\\f"); break;
      case '\n': osq__outs(o, "\\n"); break;
      case '\r': osq__outs(o, "\\r"); break;
      case '\t': osq__outs(o, "\\t"); break;
      default:
        if (*p < 0x20) osq__outf(o, "\\u%04X", *p);
        else osq__outc(o, (char)*p);
    }
  }
  osq__outc(o, '"');
}

static void write_real(osq__out_t *o, double x) {
  char buf[OSQ__NUM_LEN];
  osq__fmt_exact(x, buf);
  osq__outs(o, buf);
  if (!strpbrk(buf, ".e")) osq__outs(o, ".0");
}

static int cmp_key(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static void newline(osq__out_t *o, int depth) {
  osq__outc(o, '\n');
  for (int i = 0; i < depth; i++) osq__outs(o, "  ");
}

static void write_value(osq__out_t *o, json_t *v, int depth) {
  switch (json_typeof(v)) {
    case JSON_OBJECT: {
      const size_t n = json_object_size(v);
      const char **keys = n ? malloc(n * sizeof *keys) : NULL;
      if (n && !keys) {
        o->err = ENOMEM;
        return;
      }
      size_t k = 0;
      const char *key;
      json_t *val;
      json_object_foreach(v, key, val) keys[k++] = key;
      qsort(keys, n, sizeof *keys, cmp_key);
      osq__outc(o, '{');
      for (k = 0; k < n; k++) {
        newline(o, depth + 1);
        write_string(o, keys[k]);
        osq__outs(o, ": ");
        write_value(o, json_object_get(v, keys[k]), depth + 1);
        if (k + 1 < n) osq__outc(o, ',');
      }
      if (n) newline(o, depth);
      osq__outc(o, '}');
      free(keys);
      break;
    }
    case JSON_ARRAY: {
      const size_t n = json_array_size(v);
      osq__outc(o, '[');
      for (size_t k = 0; k < n; k++) {
        newline(o, depth + 1);
        write_value(o, json_array_get(v, k), depth + 1);
        if (k + 1 < n) osq__outc(o, ',');
      }
      if (n) newline(o, depth);
      osq__outc(o, ']');
      break;
    }
    case JSON_STRING: write_string(o, json_string_value(v)); break;
    case JSON_INTEGER: osq__outf(o, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: write_real(o, json_real_value(v)); break;
    case JSON_TRUE: osq__outs(o, "true"); break;
    case JSON_FALSE: osq__outs(o, "false"); break;
    case JSON_NULL: osq__outs(o, "null"); break;
  }
}

void osq__json_write(osq__out_t *o, json_t *root) {
  write_value(o, root, 0);
  osq__outc(o, '\n');
}

json_t *osq__json_num(double x) { return jnum(x); }

int osq__write_run_json(osq__out_t *o, const osq_run_header_t *hdr, const osq_table_t *t,
                        const osq_dyad_table_t *d, osq_error_t *err) {
  if (!hdr || !t)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "run.json: no run header or summary table");
  jctx_t c = {false};
  json_t *root = json_object();
  jset(&c, root, "format", json_string("osq-run"));
  jset(&c, root, "format_version", json_integer(OSQ_RUN_JSON_FORMAT_VERSION));
  jset(&c, root, "run", header_json(&c, hdr));
  json_t *rows = json_array();
  for (size_t i = 0; i < t->n && !c.failed; i++)
    jappend(&c, rows, row_json(&c, t->scenario, &t->rows[i]));
  jset(&c, root, "summary", rows);
  json_t *dy = json_array();
  for (size_t i = 0; d && i < d->n && !c.failed; i++)
    jappend(&c, dy, dyad_json(&c, d->scenario, &d->rows[i]));
  jset(&c, root, "dyads", dy);

  if (!c.failed) osq__json_write(o, root);
  json_decref(root);
  if (c.failed) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "run.json: out of memory");
  return 0;
}

int osq_run_json_write(FILE *fp, const osq_run_header_t *hdr, const osq_table_t *t,
                       const osq_dyad_table_t *dyads, osq_error_t *err) {
  osq__out_t o;
  osq__out_init(&o, fp);
  int rc = osq__write_run_json(&o, hdr, t, dyads, err);
  int rc2 = osq__out_finish(&o, err);
  return rc ? rc : rc2;
}
