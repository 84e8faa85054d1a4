/* errors.c owns the error-code table and the caller-owned error record. */
#include "models/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *osq_strerror(int code) {
  switch (code) {
#define OSQ_XX_STR(name, val, msg) \
  case (val):                      \
    return msg;
    OSQ_ERRNO_MAP(OSQ_XX_STR)
#undef OSQ_XX_STR
  }
  return "unknown error";
}

const char *osq_err_name(int code) {
  switch (code) {
#define OSQ_XX_NAME(name, val, msg) \
  case (val):                       \
    return "OSQ_" #name;
    OSQ_ERRNO_MAP(OSQ_XX_NAME)
#undef OSQ_XX_NAME
  }
  return "OSQ_UNKNOWN";
}

void osq_error_clear(osq_error_t *err) {
  err->code = 0;
  err->n = 0;
  err->dropped = 0;
}

int osq_error_add(osq_error_t *err, int code, const char *file, int line, const char *fmt, ...) {
  if (err->code == 0) err->code = code;
  if (err->n >= OSQ_ERROR_MAX_MESSAGES) {
    err->dropped++;
    return code;
  }
  char *dst = err->msg[err->n++];
  size_t cap = OSQ_ERROR_MSG_LEN;
  int off = 0;
  if (file && line > 0)
    off = snprintf(dst, cap, "%s:%d: ", file, line);
  else if (file)
    off = snprintf(dst, cap, "%s: ", file);
  if (off < 0 || (size_t)off >= cap) off = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dst + off, cap - (size_t)off, fmt, ap);
  va_end(ap);
  return code;
}
