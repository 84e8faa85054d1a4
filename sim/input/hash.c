/* hash.c owns the out-of-line hash helpers: FNV-1a 64 and hex formatting/parsing. */
#include "sim/input/hash.h"

#include "models/errors.h"

#define FNV1A64_PRIME UINT64_C(0x100000001b3)

uint64_t osq_fnv1a64(const void *p, size_t n, uint64_t h) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= FNV1A64_PRIME;
  }
  return h;
}

void osq_hash_hex(uint64_t h, char buf[static 17]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; i--) {
    buf[i] = digits[h & 0xf];
    h >>= 4;
  }
  buf[16] = '\0';
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int osq_hash_parse(const char *s, uint64_t *out) {
  if (s == NULL) return OSQ_EINVAL;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
  uint64_t v = 0;
  int n = 0;
  for (; s[n] != '\0'; n++) {
    const int d = hex_value(s[n]);
    if (d < 0 || n >= 16) return OSQ_EINVAL;
    v = (v << 4) | (uint64_t)d;
  }
  if (n == 0) return OSQ_EINVAL;
  *out = v;
  return 0;
}
