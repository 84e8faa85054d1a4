/*
 * enospc_shim.c owns the simulated full and read-only file systems of tests/cli/hostile.sh, for
 * machines where the test cannot mount a small tmpfs (a container whose seccomp profile refuses
 * mount(2) and unshare(2), as Docker's default does). hostile.sh builds it with the system C
 * compiler (cc -shared -fPIC) and runs osq with it in LD_PRELOAD:
 *
 *   OSQ_TEST_FULL_DIR=DIR OSQ_TEST_FULL_BYTES=N  files opened for writing under DIR accept N bytes
 *                                                in all (this process), then every write fails
 *                                                with ENOSPC, as on a full tmpfs
 *   OSQ_TEST_RO_DIR=DIR                          creating, opening for writing, renaming, linking
 *                                                or removing anything under DIR fails with EROFS,
 *                                                as on a read-only mount
 *
 * Why the shim swaps the stream rather than wrapping fputs, putc, vfprintf, fwrite, fflush...:
 * glibc's stdio writes its buffer with an internal write(2) that no LD_PRELOAD can interpose, and
 * a disk fills when a buffer is flushed, not when fputs copies bytes into it. osq writes every
 * result file through osq_atomic_open (results/atomic.c): open(2), then fdopen(3). An fd opened
 * for writing under DIR is marked, and fdopen of a marked fd returns a fopencookie(3) stream whose
 * write function spends the budget and writes the real file. Every stdio call on it (osq's
 * fputs/putc/vfprintf/fwrite, jansson's json_dumpf, the PNG sink's fwrite), fflush and fclose then
 * fail as on a full disk: at the flush, with errno ENOSPC and the stream's error flag set, and the
 * file keeps the bytes that fitted. fileno(3) of such a stream returns the real fd, so that
 * osq's fsync works on the real file. A plain write(2) to a marked fd spends the same budget.
 *
 * Removing a file does not give its bytes back: osq removes files only after the failure the
 * tests provoke. The calls covered are those osq makes on its output (nm -D osq: open, fdopen,
 * fileno, close, mkdir, rename, link, unlink, rmdir), and fopen and write(2) in case a writer
 * turns to them; a result file written some other way would escape the budget, and the full-disk
 * cases would then fail (exit 0 instead of 3), not pass silently.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FDS 4096
#define MAX_STREAMS 256

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static FILE *(*real_fdopen)(int, const char *);
static FILE *(*real_fopen)(const char *, const char *);
static FILE *(*real_fopen64)(const char *, const char *);
static int (*real_fileno)(FILE *);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_close)(int);
static int (*real_mkdir)(const char *, mode_t);
static int (*real_rename)(const char *, const char *);
static int (*real_link)(const char *, const char *);
static int (*real_unlink)(const char *);
static int (*real_rmdir)(const char *);

/* The directories as given and as resolved (both are compared: osq sees the path as given). */
static char full_dir[PATH_MAX], full_real[PATH_MAX], ro_dir[PATH_MAX], ro_real[PATH_MAX];
static unsigned long long budget; /* bytes still accepted under full_dir */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool marked[MAX_FDS]; /* fds opened for writing under full_dir */
static struct {
  FILE *fp;
  int fd;
} streams[MAX_STREAMS]; /* the cookie streams, for fileno */

static void die(const char *what) {
  fprintf(stderr, "enospc_shim: %s\n", what);
  _exit(97);
}

static void *sym(const char *name) {
  void *p = dlsym(RTLD_NEXT, name);
  if (!p) die(name);
  return p;
}

/* Copy DIR without trailing slashes into buf, and its resolved form into real. */
static void set_dir(const char *env, char *buf, char *real) {
  const char *v = getenv(env);
  if (!v || !v[0]) return;
  size_t n = strlen(v);
  while (n > 1 && v[n - 1] == '/') n--;
  if (n >= PATH_MAX) die("directory name too long");
  memcpy(buf, v, n);
  buf[n] = '\0';
  if (!realpath(buf, real)) strcpy(real, buf);
}

__attribute__((constructor)) static void shim_init(void) {
  real_open = sym("open");
  real_open64 = sym("open64");
  real_fdopen = sym("fdopen");
  real_fopen = sym("fopen");
  real_fopen64 = sym("fopen64");
  real_fileno = sym("fileno");
  real_write = sym("write");
  real_close = sym("close");
  real_mkdir = sym("mkdir");
  real_rename = sym("rename");
  real_link = sym("link");
  real_unlink = sym("unlink");
  real_rmdir = sym("rmdir");
  set_dir("OSQ_TEST_FULL_DIR", full_dir, full_real);
  set_dir("OSQ_TEST_RO_DIR", ro_dir, ro_real);
  const char *b = getenv("OSQ_TEST_FULL_BYTES");
  if (full_dir[0]) {
    char *end;
    errno = 0;
    budget = b ? strtoull(b, &end, 10) : 0;
    if (!b || errno || end == b || *end) die("OSQ_TEST_FULL_BYTES is not a number of bytes");
  }
}

/* Whether path names something strictly inside dir (given as dir, resolved as real). */
static bool under(const char *path, const char *dir, const char *real) {
  if (!dir[0] || !path) return false;
  char abs[PATH_MAX * 2];
  if (path[0] == '/') {
    snprintf(abs, sizeof abs, "%s", path);
  } else {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return false;
    snprintf(abs, sizeof abs, "%s/%s", cwd, path);
  }
  for (const char *d = dir;; d = real) {
    size_t n = strlen(d);
    if (strncmp(abs, d, n) == 0 && abs[n] == '/' && abs[n + 1] != '\0') return true;
    if (d == real) break;
  }
  /* Resolve the parent as well (symbolic links, "..", "//"): the file itself may not exist yet. */
  char parent[PATH_MAX * 2], resolved[PATH_MAX];
  snprintf(parent, sizeof parent, "%s", abs);
  char *slash = strrchr(parent, '/');
  if (!slash || slash == parent) return false;
  *slash = '\0';
  if (!realpath(parent, resolved)) return false;
  size_t n = strlen(real);
  return strcmp(resolved, real) == 0 || (strncmp(resolved, real, n) == 0 && resolved[n] == '/');
}

static bool writes(int flags) { return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)); }

/* Spend up to len bytes of the budget; returns how many may be written. */
static size_t take(size_t len) {
  pthread_mutex_lock(&lock);
  size_t n = len < budget ? len : (size_t)budget;
  budget -= n;
  pthread_mutex_unlock(&lock);
  return n;
}

static void give_back(size_t n) {
  pthread_mutex_lock(&lock);
  budget += n;
  pthread_mutex_unlock(&lock);
}

/* Write what the budget allows; short of len, fail with ENOSPC like write(2) on a full disk. */
static ssize_t budget_write(int fd, const void *buf, size_t len) {
  size_t n = take(len), done = 0;
  while (done < n) {
    ssize_t w = real_write(fd, (const char *)buf + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int e = errno;
      give_back(n - done);
      errno = e;
      return done ? (ssize_t)done : -1;
    }
    done += (size_t)w;
  }
  if (done < len) {
    errno = ENOSPC;
    return done ? (ssize_t)done : -1;
  }
  return (ssize_t)done;
}

static void mark(int fd, bool on) {
  if (fd >= 0 && fd < MAX_FDS) marked[fd] = on;
  else if (on) die("file descriptor beyond the shim's table");
}

static bool is_marked(int fd) { return fd >= 0 && fd < MAX_FDS && marked[fd]; }

static int open_common(int (*real)(const char *, int, ...), const char *path, int flags, va_list ap) {
  mode_t mode = 0;
  if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) mode = (mode_t)va_arg(ap, int);
  if (writes(flags) && under(path, ro_dir, ro_real)) {
    errno = EROFS;
    return -1;
  }
  int fd = real(path, flags, mode);
  if (fd >= 0 && writes(flags) && under(path, full_dir, full_real)) mark(fd, true);
  return fd;
}

int open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int fd = open_common(real_open, path, flags, ap);
  va_end(ap);
  return fd;
}

int open64(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int fd = open_common(real_open64, path, flags, ap);
  va_end(ap);
  return fd;
}

int close(int fd) {
  mark(fd, false);
  return real_close(fd);
}

ssize_t write(int fd, const void *buf, size_t len) {
  if (is_marked(fd)) return budget_write(fd, buf, len);
  return real_write(fd, buf, len);
}

/* ---- cookie streams ---- */

typedef struct {
  int fd;
  FILE *fp;
} cookie_t;

static ssize_t cookie_write(void *c, const char *buf, size_t len) {
  return budget_write(((cookie_t *)c)->fd, buf, len);
}

static int cookie_close(void *c) {
  cookie_t *k = c;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_STREAMS; i++)
    if (streams[i].fp == k->fp && k->fp) streams[i].fp = NULL;
  pthread_mutex_unlock(&lock);
  int rc = close(k->fd);
  free(k);
  return rc;
}

static FILE *cookie_stream(int fd, const char *mode) {
  cookie_t *k = malloc(sizeof *k);
  if (!k) return NULL;
  k->fd = fd;
  k->fp = NULL;
  cookie_io_functions_t io = {.read = NULL, .write = cookie_write, .seek = NULL, .close = cookie_close};
  FILE *fp = fopencookie(k, mode, io);
  if (!fp) {
    free(k);
    return NULL;
  }
  k->fp = fp;
  pthread_mutex_lock(&lock);
  int i = 0;
  while (i < MAX_STREAMS && streams[i].fp) i++;
  if (i == MAX_STREAMS) die("too many open streams");
  streams[i].fp = fp;
  streams[i].fd = fd;
  pthread_mutex_unlock(&lock);
  return fp;
}

FILE *fdopen(int fd, const char *mode) {
  if (!is_marked(fd)) return real_fdopen(fd, mode);
  if (strchr(mode, 'r') || strchr(mode, '+')) die("fdopen: a write-only mode is all the shim supports");
  return cookie_stream(fd, mode);
}

static FILE *fopen_common(FILE *(*real)(const char *, const char *), const char *path, const char *mode) {
  const bool w = strpbrk(mode, "wa+") != NULL;
  if (w && under(path, ro_dir, ro_real)) {
    errno = EROFS;
    return NULL;
  }
  if (!w || !under(path, full_dir, full_real)) return real(path, mode);
  if (strchr(mode, '+')) die("fopen: a write-only mode is all the shim supports");
  int flags = O_WRONLY | O_CREAT | (mode[0] == 'a' ? O_APPEND : O_TRUNC);
  if (strchr(mode, 'x')) flags |= O_EXCL;
  if (strchr(mode, 'e')) flags |= O_CLOEXEC;
  int fd = open(path, flags, 0666);
  if (fd < 0) return NULL;
  FILE *fp = cookie_stream(fd, mode[0] == 'a' ? "a" : "w");
  if (!fp) close(fd);
  return fp;
}

FILE *fopen(const char *path, const char *mode) { return fopen_common(real_fopen, path, mode); }
FILE *fopen64(const char *path, const char *mode) { return fopen_common(real_fopen64, path, mode); }

int fileno(FILE *fp) {
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_STREAMS; i++) {
    if (streams[i].fp == fp && fp) {
      int fd = streams[i].fd;
      pthread_mutex_unlock(&lock);
      return fd;
    }
  }
  pthread_mutex_unlock(&lock);
  return real_fileno(fp);
}

/* ---- the read-only directory ---- */

static bool refuse(const char *path) {
  if (!under(path, ro_dir, ro_real)) return false;
  errno = EROFS;
  return true;
}

int mkdir(const char *path, mode_t mode) {
  struct stat st;
  if (lstat(path, &st) == 0) return real_mkdir(path, mode); /* EEXIST comes first, as on a mount */
  return refuse(path) ? -1 : real_mkdir(path, mode);
}
int rmdir(const char *path) { return refuse(path) ? -1 : real_rmdir(path); }
int unlink(const char *path) { return refuse(path) ? -1 : real_unlink(path); }
int rename(const char *from, const char *to) { return refuse(from) || refuse(to) ? -1 : real_rename(from, to); }
int link(const char *from, const char *to) { return refuse(from) || refuse(to) ? -1 : real_link(from, to); }
