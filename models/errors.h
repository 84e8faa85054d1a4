/*
 * errors.h owns the error codes of every osq module and the caller-owned error record.
 *
 * Library functions return 0 on success or a negative OSQ_E* code; the detail goes into an
 * osq_error_t that the caller owns (never a global buffer: the engine is multi-threaded).
 * Only main() prints and exits. Exit codes are documented in README.md ("Exit codes").
 */
#ifndef OSQ_ERRORS_H
#define OSQ_ERRORS_H

#include <stddef.h>

/* X-macro table: name, value, message. One table drives the enum and osq_strerror(). */
#define OSQ_ERRNO_MAP(XX)                                        \
  XX(OK, 0, "success")                                           \
  XX(EINVAL, -1, "invalid argument")                             \
  XX(ECONFIG, -2, "invalid scenario")                            \
  XX(EIO, -3, "input/output error")                              \
  XX(ENOMEM, -4, "out of memory")                                \
  XX(ERANGE, -5, "value out of range")                           \
  XX(EVERIFY, -6, "verification hash mismatch")                  \
  XX(EINTR, -7, "interrupted")                                   \
  XX(EEXIST, -8, "output exists")

typedef enum {
#define OSQ_XX_ENUM(name, val, msg) OSQ_##name = (val),
  OSQ_ERRNO_MAP(OSQ_XX_ENUM)
#undef OSQ_XX_ENUM
} osq_errno_t;

/** Maximum number of messages one osq_error_t collects (validation reports all errors). */
#define OSQ_ERROR_MAX_MESSAGES 64
#define OSQ_ERROR_MSG_LEN 512

/**
 * Caller-owned error record. Validation appends one line per problem, each already formatted as
 * "FILE:LINE: what is wrong (what was expected)" (without the "osq: error: " prefix, which main adds).
 */
typedef struct {
  int code;                                       /**< first error code recorded, 0 if none */
  int n;                                          /**< number of messages stored */
  int dropped;                                    /**< messages beyond OSQ_ERROR_MAX_MESSAGES */
  char msg[OSQ_ERROR_MAX_MESSAGES][OSQ_ERROR_MSG_LEN];
} osq_error_t;

/** @return a static description of an OSQ_E* code. */
const char *osq_strerror(int code);
/** @return the symbolic name of an OSQ_E* code, e.g. "OSQ_ECONFIG". */
const char *osq_err_name(int code);

/** Reset an error record to "no error". */
void osq_error_clear(osq_error_t *err);

/**
 * Append a message. file may be NULL (no location) and line 0 (file only).
 * @return code, so that callers can write `return osq_error_add(err, OSQ_ECONFIG, ...)`.
 */
int osq_error_add(osq_error_t *err, int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
