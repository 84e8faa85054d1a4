/*
 * files_fixture.h owns the helpers that the tests of result files share (test_results.c,
 * test_compare.c): a temporary folder and its removal, a folder's listing, a file's text, a small
 * RFC 4180 reader written apart from the writers it checks, and the bit-for-bit number checks.
 * Static inline: each test program takes what it uses.
 */
#ifndef OSQ_FILES_FIXTURE_H
#define OSQ_FILES_FIXTURE_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline char *make_tmpdir(void) {
  char *t = strdup("/tmp/osq_test_XXXXXX");
  cr_assert_not_null(mkdtemp(t), "mkdtemp: %s", strerror(errno));
  return t;
}

static inline char *path_join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", a, b);
  return p;
}

static inline void rm_rf(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (d) {
      struct dirent *e;
      while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *c = path_join(path, e->d_name);
        rm_rf(c);
        free(c);
      }
      closedir(d);
    }
    rmdir(path);
  } else {
    unlink(path);
  }
}

static inline int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted entry names of dir, joined by spaces ("" if empty). Includes hidden files. */
static inline char *list_dir(const char *dir) {
  DIR *d = opendir(dir);
  cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
  char *names[256];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp_str);
  size_t cap = 1;
  for (size_t i = 0; i < n; i++) cap += strlen(names[i]) + 1;
  char *out = calloc(1, cap);
  for (size_t i = 0; i < n; i++) {
    if (i) strcat(out, " ");
    strcat(out, names[i]);
    free(names[i]);
  }
  return out;
}

/* The directory holds exactly these entries (sorted, space-separated; hidden files included). */
static inline void assert_listing_why(const char *dir, const char *want, const char *why) {
  char *got = list_dir(dir);
  cr_assert_str_eq(got, want, "directory %s: %s", dir, why);
  free(got);
}

static inline void assert_listing(const char *dir, const char *want) { assert_listing_why(dir, want, "its files"); }

static inline char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = '\0';
  fclose(f);
  return s;
}

static inline char *slurp_in(const char *dir, const char *name) {
  char *p = path_join(dir, name);
  char *s = slurp(p);
  free(p);
  return s;
}

static inline bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static inline int count_substr(const char *s, const char *needle) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

/* ---- a small RFC 4180 reader, independent of the writer ---- */

#define MAX_FIELDS 16

/* Parse one record at *p into fields (malloc'ed). @return the field count, 0 at end of text. */
static inline int csv_record(const char **p, char *fields[MAX_FIELDS]) {
  const char *s = *p;
  if (*s == '\0') return 0;
  int n = 0;
  for (;;) {
    char buf[512];
    size_t len = 0;
    if (*s == '"') {
      s++;
      for (;;) {
        cr_assert_neq(*s, '\0', "unterminated quoted field");
        if (*s == '"' && s[1] == '"') {
          buf[len++] = '"';
          s += 2;
        } else if (*s == '"') {
          s++;
          break;
        } else {
          buf[len++] = *s++;
        }
      }
    } else {
      while (*s && *s != ',' && *s != '\n') {
        cr_assert_neq(*s, '"', "quote inside an unquoted field");
        buf[len++] = *s++;
      }
    }
    buf[len] = '\0';
    cr_assert_lt(n, MAX_FIELDS);
    fields[n++] = strdup(buf);
    if (*s == ',') {
      s++;
      continue;
    }
    cr_assert_eq(*s, '\n', "record not ended by a newline");
    s++;
    break;
  }
  *p = s;
  return n;
}

static inline void free_fields(char *fields[], int n) {
  for (int i = 0; i < n; i++) free(fields[i]);
}

static inline double parse_double(const char *s) {
  char *end;
  errno = 0;
  double x = strtod(s, &end);
  cr_assert(end != s && *end == '\0', "not a number: '%s'", s);
  return x;
}

static inline void assert_same_number(double written, const char *text, const char *what) {
  double back = parse_double(text);
  if (isnan(written))
    cr_assert(isnan(back) && strcmp(text, "NaN") == 0, "%s: NaN written as '%s'", what, text);
  else
    cr_assert(same_bits(written, back), "%s: %.17g written as '%s' reads back as %.17g", what,
              written, text, back);
}

#endif
