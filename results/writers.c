/*
 * writers.c owns osq_results_write (the set of result files in --out DIR, all or none), the
 * generic all-or-none set writer behind it (osq__write_set, also used by osq_compare_write), and
 * the checked output stream the format writers share.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/internal.h"
#include "results/table.h"

/* ---- checked output ---- */

void osq__out_init(osq__out_t *o, FILE *fp) {
  o->fp = fp;
  o->err = 0;
}

static void out_failed(osq__out_t *o) {
  if (!o->err) o->err = errno ? errno : EIO;
}

void osq__outs(osq__out_t *o, const char *s) {
  if (o->err) return;
  if (fputs(s, o->fp) == EOF) out_failed(o);
}

void osq__outc(osq__out_t *o, char c) {
  if (o->err) return;
  if (putc(c, o->fp) == EOF) out_failed(o);
}

void osq__outf(osq__out_t *o, const char *fmt, ...) {
  if (o->err) return;
  va_list ap;
  va_start(ap, fmt);
  if (vfprintf(o->fp, fmt, ap) < 0) out_failed(o);
  va_end(ap);
}

int osq__out_finish(osq__out_t *o, osq_error_t *err) {
  if (!o->err && fflush(o->fp) != 0) out_failed(o);
  if (!o->err && ferror(o->fp)) o->err = EIO;
  if (o->err) return osq_error_add(err, OSQ_EIO, NULL, 0, "write error: %s", strerror(o->err));
  return 0;
}

/* ---- the result set ---- */

/* Every file osq_results_write can produce, in writing order. The names are a stable interface. */
static const osq__set_file_t result_files[] = {
    {"summary.csv", OSQ_FMT_CSV},
    {"dyads.csv", OSQ_FMT_CSV},
    {"run.json", OSQ_FMT_JSON},
    {"summary.md", OSQ_FMT_MD},
    {"summary.tex", OSQ_FMT_TEX},
};
static const osq__writer_fn result_writers[] = {
    osq__write_summary_csv, osq__write_dyads_csv, osq__write_run_json, osq__write_summary_md,
    osq__write_summary_tex,
};
#define N_RESULT_FILES (sizeof result_files / sizeof result_files[0])

static char *join(const char *dir, const char *name) {
  size_t dl = strlen(dir);
  bool slash = dl > 0 && dir[dl - 1] == '/';
  size_t cap = dl + strlen(name) + 2;
  char *p = malloc(cap);
  if (p) snprintf(p, cap, "%s%s%s", dir, slash ? "" : "/", name);
  return p;
}

/*
 * mkdir -p. Records in *created the offset into the path copy where the first directory this call
 * created ends (or -1 if it created none), so that a failed write can remove exactly those.
 */
static int make_dirs(char *path, ptrdiff_t *created, osq_error_t *err) {
  *created = -1;
  size_t len = strlen(path);
  for (size_t i = 1; i <= len; i++) {
    if (path[i] != '/' && path[i] != '\0') continue;
    if (path[i - 1] == '/') continue; /* "a//b" */
    char saved = path[i];
    path[i] = '\0';
    int rc = mkdir(path, 0777);
    int e = errno;
    struct stat st;
    if (rc == 0) {
      if (*created < 0) *created = (ptrdiff_t)i;
    } else if (e != EEXIST || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
      if (e == EEXIST) e = ENOTDIR;
      osq_error_add(err, OSQ_EIO, path, 0, "cannot create output directory: %s", strerror(e));
      path[i] = saved;
      return OSQ_EIO;
    }
    path[i] = saved;
  }
  return 0;
}

/* Undo make_dirs: rmdir from the leaf up to the first directory it created (only if empty). */
static void remove_created_dirs(char *path, ptrdiff_t created) {
  if (created < 0) return;
  size_t len = strlen(path);
  while (len > 0 && path[len - 1] == '/' && len > 1) path[--len] = '\0';
  for (;;) {
    if (rmdir(path) != 0) return;
    char *slash = strrchr(path, '/');
    if (!slash || slash - path < created) return;
    while (slash > path && slash[-1] == '/') slash--;
    *slash = '\0';
    if ((ptrdiff_t)strlen(path) < created) return;
  }
}

typedef struct {
  const osq_run_header_t *hdr;
  const osq_table_t *table;
  const osq_dyad_table_t *dyads;
} run_set_t;

static int write_run_file(osq__out_t *o, size_t k, const void *ctx, osq_error_t *err) {
  const run_set_t *r = ctx;
  return result_writers[k](o, r->hdr, r->table, r->dyads, err);
}

int osq_results_write(const char *dir, unsigned formats, const osq_run_header_t *hdr,
                      const osq_table_t *table, const osq_dyad_table_t *dyads, bool force,
                      osq_error_t *err) {
  if (!dir || !dir[0]) return osq_error_add(err, OSQ_EINVAL, NULL, 0, "no output directory given");
  if (formats == 0 || (formats & ~(unsigned)OSQ_FMT_ALL))
    return osq_error_add(err, OSQ_EINVAL, dir, 0, "no valid output format requested");
  if (!hdr || !table)
    return osq_error_add(err, OSQ_EINVAL, dir, 0, "no run header or summary table to write");
  const run_set_t ctx = {hdr, table, dyads};
  return osq__write_set(dir, result_files, N_RESULT_FILES, formats, force, write_run_file, &ctx, err);
}

int osq__set_check(const char *dir, const osq__set_file_t *set, size_t nset, osq_error_t *err) {
  char existing[256] = "";
  for (size_t i = 0; i < nset; i++) {
    char *path = join(dir, set[i].name);
    if (!path) return osq_error_add(err, OSQ_ENOMEM, dir, 0, "out of memory");
    struct stat st;
    const bool there = lstat(path, &st) == 0;
    free(path);
    if (!there) continue;
    size_t el = strlen(existing);
    snprintf(existing + el, sizeof existing - el, "%s%s", el ? ", " : "", set[i].name);
  }
  if (existing[0])
    return osq_error_add(err, OSQ_EEXIST, dir, 0,
                         "already holds osq results (%s); not overwritten (use --force to replace them)", existing);
  return 0;
}

int osq_results_check_dir(const char *dir, osq_error_t *err) {
  return osq__set_check(dir, result_files, N_RESULT_FILES, err);
}

int osq__write_set(const char *dir, const osq__set_file_t *set, size_t nset, unsigned formats,
                   bool force, osq__set_writer_fn write, const void *ctx, osq_error_t *err) {
  if (!dir || !dir[0] || !set || nset == 0 || !write)
    return osq_error_add(err, OSQ_EINVAL, dir, 0, "no output directory or files given");
  int rc = 0;
  char *dircopy = strdup(dir);
  char **paths = calloc(nset, sizeof *paths);
  osq_atomic_file_t **files = calloc(nset, sizeof *files);
  const char **stale = calloc(nset, sizeof *stale);
  size_t nfiles = 0, nstale = 0;
  ptrdiff_t created = -1;
  if (!dircopy || !paths || !files || !stale) {
    rc = osq_error_add(err, OSQ_ENOMEM, dir, 0, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < nset; i++) {
    if (!(paths[i] = join(dir, set[i].name))) {
      rc = osq_error_add(err, OSQ_ENOMEM, dir, 0, "out of memory");
      goto out;
    }
  }

  if ((rc = make_dirs(dircopy, &created, err)) != 0) goto out;

  /* Existing results: refuse without force; with force, those outside the set go too. */
  if (!force && (rc = osq__set_check(dir, set, nset, err)) != 0) goto out;
  for (size_t i = 0; i < nset; i++) {
    struct stat st;
    if (lstat(paths[i], &st) == 0 && !(formats & set[i].format)) stale[nstale++] = paths[i];
  }

  for (size_t i = 0; i < nset; i++) {
    if (!(formats & set[i].format)) continue;
    osq_atomic_file_t *f;
    if ((rc = osq_atomic_open(paths[i], &f, err)) != 0) goto out;
    files[nfiles++] = f;
    osq__out_t o;
    osq__out_init(&o, osq_atomic_stream(f));
    if ((rc = write(&o, i, ctx, err)) != 0) goto out;
    if (o.err) {
      rc = osq_error_add(err, OSQ_EIO, paths[i], 0, "write error: %s", strerror(o.err));
      goto out;
    }
    if ((rc = osq__atomic_finish(f, err)) != 0) goto out;
  }

  rc = osq__atomic_commit_set(files, nfiles, dir, stale, force ? nstale : 0, force, err);
  nfiles = 0; /* freed by commit_set */

out:
  for (size_t i = 0; i < nfiles; i++) osq__atomic_free(files[i]);
  if (rc != 0 && dircopy) remove_created_dirs(dircopy, created);
  for (size_t i = 0; paths && i < nset; i++) free(paths[i]);
  free(paths);
  free(files);
  free(stale);
  free(dircopy);
  return rc;
}
