/*
 * atomic.c owns "whole or not at all" file output: a single file written under a temporary name
 * and renamed into place, and a set of such files moved into place together with rollback.
 *
 * Why temporaries in the same directory: rename(2) is atomic only within one file system, so a
 * reader sees either the old file or the complete new one, never a torn write.
 * Why fsync before rename: without it a crash can leave the new name pointing at an empty file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/internal.h"
#include "results/table.h"

/* Temporaries and backups are ".BASE.KIND.PID.K": hidden, and unique per process and attempt. */
#define MAX_ATTEMPTS 1000

/* Build "<dir-part of path>.<base>.<kind>.<pid>.<k>". Returns NULL if out of memory. */
static char *side_name(const char *path, const char *kind, unsigned k) {
  const char *slash = strrchr(path, '/');
  size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
  const char *base = path + dlen;
  size_t cap = strlen(path) + strlen(kind) + 48;
  char *s = malloc(cap);
  if (!s) return NULL;
  snprintf(s, cap, "%.*s.%s.%s.%ld.%u", (int)dlen, path, base, kind, (long)getpid(), k);
  return s;
}

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  if (slash == path) return strdup("/");
  size_t len = (size_t)(slash - path);
  char *d = malloc(len + 1);
  if (d) {
    memcpy(d, path, len);
    d[len] = '\0';
  }
  return d;
}

void osq__fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)fsync(fd); /* some file systems refuse fsync on directories; the data is already safe */
  close(fd);
}

int osq_atomic_open(const char *path, osq_atomic_file_t **out, osq_error_t *err) {
  *out = NULL;
  size_t len = path ? strlen(path) : 0;
  if (len == 0 || path[len - 1] == '/')
    return osq_error_add(err, OSQ_EINVAL, path, 0, "not a file name");
  osq_atomic_file_t *f = calloc(1, sizeof *f);
  if (!f || !(f->path = strdup(path))) {
    free(f);
    return osq_error_add(err, OSQ_ENOMEM, path, 0, "out of memory");
  }
  int fd = -1;
  for (unsigned k = 0; k < MAX_ATTEMPTS && fd < 0; k++) {
    free(f->tmp);
    if (!(f->tmp = side_name(path, "tmp", k))) {
      osq__atomic_free(f);
      return osq_error_add(err, OSQ_ENOMEM, path, 0, "out of memory");
    }
    fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) {
      int e = errno;
      free(f->tmp);
      f->tmp = NULL;
      osq__atomic_free(f);
      return osq_error_add(err, OSQ_EIO, path, 0, "cannot create file: %s", strerror(e));
    }
  }
  if (fd < 0) {
    free(f->tmp);
    f->tmp = NULL;
    osq__atomic_free(f);
    return osq_error_add(err, OSQ_EIO, path, 0, "cannot create a temporary file next to it");
  }
  if (!(f->fp = fdopen(fd, "w"))) {
    int e = errno;
    close(fd);
    osq__atomic_free(f);
    return osq_error_add(err, OSQ_EIO, path, 0, "cannot open stream: %s", strerror(e));
  }
  *out = f;
  return 0;
}

FILE *osq_atomic_stream(osq_atomic_file_t *f) { return f->fp; }

int osq__atomic_finish(osq_atomic_file_t *f, osq_error_t *err) {
  int e = 0;
  if (fflush(f->fp) != 0) e = errno ? errno : EIO;
  /* The error flag also catches failures of earlier writes whose errno is long gone. */
  if (!e && ferror(f->fp)) e = EIO;
  if (!e && fsync(fileno(f->fp)) != 0 && errno != EINVAL) e = errno;
  if (fclose(f->fp) != 0 && !e) e = errno ? errno : EIO;
  f->fp = NULL;
  if (e) {
    unlink(f->tmp);
    free(f->tmp);
    f->tmp = NULL;
    return osq_error_add(err, OSQ_EIO, f->path, 0, "write error: %s", strerror(e));
  }
  return 0;
}

void osq__atomic_free(osq_atomic_file_t *f) {
  if (!f) return;
  if (f->fp) fclose(f->fp);
  if (f->tmp) unlink(f->tmp);
  free(f->tmp);
  free(f->path);
  free(f);
}

int osq_atomic_commit(osq_atomic_file_t *f, osq_error_t *err) {
  int rc = osq__atomic_finish(f, err);
  if (rc == 0) {
    if (rename(f->tmp, f->path) != 0) {
      rc = osq_error_add(err, OSQ_EIO, f->path, 0, "cannot move the finished file into place: %s",
                         strerror(errno));
    } else {
      free(f->tmp);
      f->tmp = NULL;
      char *dir = dir_of(f->path);
      if (dir) osq__fsync_dir(dir);
      free(dir);
    }
  }
  osq__atomic_free(f);
  return rc;
}

void osq_atomic_abort(osq_atomic_file_t *f) { osq__atomic_free(f); }

/* ---- sets ---- */

/* errno values meaning "this file system has no hard links". */
static bool no_hard_links(int e) {
  return e == EPERM || e == ENOTSUP || e == EOPNOTSUPP || e == ENOSYS || e == EMLINK;
}

/* Keep a second name for an existing file, so that it can be put back if the set fails. */
static char *make_backup(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return NULL; /* nothing to keep */
  for (unsigned k = 0; k < MAX_ATTEMPTS; k++) {
    char *b = side_name(path, "bak", k);
    if (!b) return NULL;
    if (link(path, b) == 0) return b;
    int e = errno;
    free(b);
    /* Without hard links (or for a directory in the way) there is no backup; the set is still
     * safe up to the first move, which is the only failure point that remains. */
    if (e != EEXIST) return NULL;
  }
  return NULL;
}

/* Place one temporary at its final path; without replace, never clobber a file that appeared. */
static int place(const char *tmp, const char *final, bool replace) {
  if (replace) return rename(tmp, final) == 0 ? 0 : errno;
  if (link(tmp, final) == 0) {
    unlink(tmp);
    return 0;
  }
  int e = errno;
  if (!no_hard_links(e)) return e;
  struct stat st;
  if (lstat(final, &st) == 0) return EEXIST;
  return rename(tmp, final) == 0 ? 0 : errno;
}

int osq__atomic_commit_set(osq_atomic_file_t **files, size_t n, const char *dir,
                           const char *const *stale, size_t nstale, bool replace,
                           osq_error_t *err) {
  int rc = 0;
  size_t ntarget = n + nstale;
  char **backup = calloc(ntarget ? ntarget : 1, sizeof *backup);
  bool *done = calloc(ntarget ? ntarget : 1, sizeof *done); /* placed, or stale removed */
  if (!backup || !done) {
    rc = osq_error_add(err, OSQ_ENOMEM, dir, 0, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    if (!files[i]->tmp || files[i]->fp) {
      rc = osq_error_add(err, OSQ_EINVAL, files[i]->path, 0, "file not finished");
      goto out;
    }
  }
  if (replace) {
    for (size_t i = 0; i < ntarget; i++)
      backup[i] = make_backup(i < n ? files[i]->path : stale[i - n]);
  }

  for (size_t i = 0; i < n && rc == 0; i++) {
    int e = place(files[i]->tmp, files[i]->path, replace);
    if (e == 0) {
      done[i] = true;
      free(files[i]->tmp);
      files[i]->tmp = NULL;
    } else if (e == EEXIST) {
      rc = osq_error_add(err, OSQ_EEXIST, files[i]->path, 0,
                         "appeared while the results were written; not overwritten");
    } else {
      rc = osq_error_add(err, OSQ_EIO, files[i]->path, 0, "cannot move into place: %s",
                         strerror(e));
    }
  }
  for (size_t j = 0; j < nstale && rc == 0; j++) {
    if (unlink(stale[j]) == 0)
      done[n + j] = true;
    else if (errno != ENOENT)
      rc = osq_error_add(err, OSQ_EIO, stale[j], 0, "cannot remove the old result file: %s",
                         strerror(errno));
  }

  if (rc != 0) {
    /* Roll back in reverse: put the old files back where there were old files. */
    for (size_t i = ntarget; i-- > 0;) {
      if (!done[i]) continue;
      const char *final = i < n ? files[i]->path : stale[i - n];
      if (backup[i]) {
        if (rename(backup[i], final) == 0) {
          free(backup[i]);
          backup[i] = NULL;
        } else {
          osq_error_add(err, rc, final, 0, "could not restore the previous file (kept as %s): %s",
                        backup[i], strerror(errno));
          free(backup[i]);
          backup[i] = NULL; /* keep it on disk: it is the only copy left */
        }
      } else if (i < n) {
        unlink(final);
      }
    }
  }
out:
  if (backup) {
    for (size_t i = 0; i < ntarget; i++) {
      if (backup[i]) unlink(backup[i]);
      free(backup[i]);
    }
  }
  free(backup);
  free(done);
  for (size_t i = 0; i < n; i++) osq__atomic_free(files[i]); /* removes unplaced temporaries */
  if (rc == 0) osq__fsync_dir(dir);
  return rc;
}
