/*
 * bits.h owns the two bit-scanning helpers the bitmaps of osq need (quota.c's day maps and party
 * sets, nofly.c's buffer blocks, run.c's map counters): the lowest set bit and the number of set
 * bits of a 64-bit word, inline, with a portable fallback where GCC's builtins are missing.
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

#endif
