/*
 * paths.c owns where osq finds its own files (see paths.h): the data folder and the @include
 * folders, relative to the executable and from OSQ_DATA and OSQ_PATH; a file's name and folder.
 */
/* realpath() is XSI: the build defines only _POSIX_C_SOURCE. */
#define _XOPEN_SOURCE 700

#include "sim/input/paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* From the install layout (CMakeLists.txt): the bin folder's path to osq's share folder. */
#ifndef OSQ_REL_SHARE
#define OSQ_REL_SHARE "../share/osq"
#endif

bool osq_paths_exe_dir(char *buf, size_t n) {
  if (n < 2) return false;
  const ssize_t len = readlink("/proc/self/exe", buf, n - 1);
  if (len <= 0 || (size_t)len >= n - 1) return false;
  buf[len] = '\0';
  char *slash = strrchr(buf, '/');
  if (!slash) return false;
  if (slash == buf) slash[1] = '\0'; /* an executable in / */
  else *slash = '\0';
  return true;
}

/* Append a folder to the list (skipped if the list is full or the path too long). */
static void add_dir(osq_dirs_t *d, const char *a, const char *b) {
  if (d->n == OSQ_PATHS_MAX) return;
  const int w = snprintf(d->dir[d->n], OSQ_PATHS_LEN, "%s%s%s", a, b[0] ? "/" : "", b);
  if (w > 0 && w < OSQ_PATHS_LEN) d->n++;
}

/* BINDIR/REL and BINDIR/../TAIL: the installed folder, then the source tree's. */
static void add_exe_dirs(osq_dirs_t *d, const char *tail) {
  char exe[OSQ_PATHS_LEN], rel[64];
  if (!osq_paths_exe_dir(exe, sizeof exe)) return;
  snprintf(rel, sizeof rel, "%s/%s", OSQ_REL_SHARE, tail);
  add_dir(d, exe, rel);
  snprintf(rel, sizeof rel, "../%s", tail);
  add_dir(d, exe, rel);
}

void osq_paths_data_dirs(osq_dirs_t *d) {
  d->n = 0;
  const char *env = getenv(OSQ_DATA_ENV);
  if (env && env[0]) {
    add_dir(d, env, "");
    return;
  }
  add_exe_dirs(d, "data");
}

bool osq_paths_data_file(const char *name, char *out, size_t n) {
  osq_dirs_t d;
  osq_paths_data_dirs(&d);
  out[0] = '\0';
  for (int i = 0; i < d.n; i++) {
    char path[2 * OSQ_PATHS_LEN];
    snprintf(path, sizeof path, "%s/%s", d.dir[i], name);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && strlen(path) < n) {
      /* Canonical where it can be (BINDIR/../data/x prints as the folder a user knows: it goes
       * into messages and result files such as validation.md); else as found. */
      char canon[PATH_MAX];
      snprintf(out, n, "%s", realpath(path, canon) && strlen(canon) < n ? canon : path);
      return true;
    }
  }
  if (d.n > 0) snprintf(out, n, "%s/%s", d.dir[0], name);
  return false;
}

void osq_paths_include_dirs(osq_dirs_t *d) {
  d->n = 0;
  const char *env = getenv(OSQ_PATH_ENV);
  for (const char *p = env ? env : ""; *p;) {
    const char *colon = strchr(p, ':');
    const size_t len = colon ? (size_t)(colon - p) : strlen(p);
    if (len > 0 && len < OSQ_PATHS_LEN && d->n < OSQ_PATHS_MAX - 2) {
      char one[OSQ_PATHS_LEN];
      memcpy(one, p, len);
      one[len] = '\0';
      add_dir(d, one, "");
    }
    p += len + (colon != NULL);
  }
  add_exe_dirs(d, "scenarios");
}

void osq_paths_base_name(const char *path, char *out, size_t n) {
  const char *b = strrchr(path, '/');
  snprintf(out, n, "%s", b ? b + 1 : path);
  char *dot = strrchr(out, '.');
  if (dot && dot != out) *dot = '\0';
}

void osq_paths_dir_name(const char *path, char *out, size_t n) {
  snprintf(out, n, "%s", path);
  char *slash = strrchr(out, '/');
  if (!slash) snprintf(out, n, ".");
  else if (slash == out) out[1] = '\0';
  else *slash = '\0';
}
