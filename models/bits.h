/*
 * bits.h owns the bit-scanning helpers the bitmaps of osq need (quota.c's day maps and party
 * sets, nofly.c's buffer blocks, run.c's map counters): the lowest set bit, the number of set
 * bits and the position of the r-th set bit of a 64-bit word, inline, with a portable fallback
 * where GCC's builtins are missing.
 */
#ifndef OSQ_BITS_H
#define OSQ_BITS_H

#include <stdint.h>

/** Index (0-63) of the lowest set bit of x; x must not be 0. */
static inline int osq_bit_lowest(uint64_t x) {
#if defined(__GNUC__)
  return __builtin_ctzll(x);
#else
  int b = 0;
  while (!((x >> b) & 1u)) b++;
  return b;
#endif
}

/** Number of set bits of x. Without the popcnt instruction (x86-64 unless built with -mpopcnt),
 *  __builtin_popcountll is a call into libgcc that cost 7 % of the quota model; this is a dozen
 *  inline instructions. */
static inline int osq_bit_count(uint64_t x) {
#if defined(__GNUC__) && defined(__POPCNT__)
  return __builtin_popcountll(x);
#else
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return (int)((x * 0x0101010101010101ULL) >> 56);
#endif
}

/**
 * Position (0-63) of the r-th lowest set bit of x (r counts from 0, r < osq_bit_count(x)). The
 * bytes' running counts come from one multiplication and are compared with r all at once
 * (Vigna, "Broadword implementation of rank/select queries", 2008): they only grow, so the bytes
 * whose running count is at most r are the bytes below the one that holds the bit. Then at most
 * seven bits are dropped within that byte.
 */
static inline int osq_bit_select(uint64_t x, int r) {
  const uint64_t L8 = 0x0101010101010101ULL, H8 = 0x8080808080808080ULL;
  uint64_t s = x - ((x >> 1) & 0x5555555555555555ULL);
  s = (s & 0x3333333333333333ULL) + ((s >> 2) & 0x3333333333333333ULL);
  s = ((s + (s >> 4)) & 0x0F0F0F0F0F0F0F0FULL) * L8; /* byte k: the set bits of bytes 0..k (<= 64) */
  const uint64_t at_most_r = ((((uint64_t)r * L8) | H8) - s) & H8; /* byte k: 128 + r - s_k >= 128 */
  const int byte = (int)(((at_most_r >> 7) * L8) >> 56);
  const int below = byte ? (int)((s >> (8 * byte - 8)) & 0xff) : 0;
  uint64_t b = (x >> (8 * byte)) & 0xff;
  for (int k = r - below; k > 0; k--) b &= b - 1;
  return 8 * byte + osq_bit_lowest(b);
}

#endif
