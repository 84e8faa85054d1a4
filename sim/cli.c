/* cli.c owns the shared command-line parsing helpers (see cli.h). */
#include "sim/cli.h"

#include <errno.h>
#include <stdlib.h>

bool osq_cli_parse_i64(const char *s, long long lo, long long hi, long long *out) {
  if (!s || !*s) return false;
  errno = 0;
  char *end;
  long long v = strtoll(s, &end, 10);
  if (errno || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}
