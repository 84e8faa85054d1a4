/*
 * bits.h owns the bit-scanning helpers the bitmaps of osq need (quota.c's day maps and party
 * sets, nofly.c's buffer blocks, run.c's map counters): the lowest set bit, the number of set
 * bits and the position of the r-th set bit of a 64-bit word, inline, with a portable fallback
 * where GCC's builtins are missing, and the same with popcnt and pdep for code compiled for them.
 */
#ifndef OSQ_BITS_H
#define OSQ_BITS_H

#include <stdbool.h>
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

/* The number of bytes k of s (each at most 127) with s_k <= r (r < 128), when they only grow: all
 * eight compared at once, 128 + r - s_k >= 128, and the high bits counted by one multiplication. */
static inline int osq_bytes_at_most(uint64_t s, int r) {
  const uint64_t L8 = 0x0101010101010101ULL, H8 = 0x8080808080808080ULL;
  return (int)((((((((uint64_t)r * L8) | H8) - s) & H8) >> 7) * L8) >> 56);
}

/**
 * Position (0-63) of the r-th lowest set bit of x (r counts from 0, r < osq_bit_count(x)), without
 * a branch (Vigna, "Broadword implementation of rank/select queries", 2008): the bytes' running
 * counts of set bits come from one multiplication, and the byte that holds the bit is the number
 * of running counts at most r; within that byte the same again, its eight bits spread over the
 * eight bytes of a word. A loop dropping bits one by one was mispredicted about once a call.
 */
static inline int osq_bit_select(uint64_t x, int r) {
  const uint64_t L8 = 0x0101010101010101ULL, H8 = 0x8080808080808080ULL;
  uint64_t s = x - ((x >> 1) & 0x5555555555555555ULL);
  s = (s & 0x3333333333333333ULL) + ((s >> 2) & 0x3333333333333333ULL);
  s = ((s + (s >> 4)) & 0x0F0F0F0F0F0F0F0FULL) * L8; /* byte k: the set bits of bytes 0..k (<= 64) */
  const int byte = osq_bytes_at_most(s, r);
  const int below = (int)(((s << 8) >> (8 * byte)) & 0xff); /* the set bits of the bytes below it */
  const uint64_t b = (x >> (8 * byte)) & 0xff;
  /* byte t of `bits`: bit t of b, as 0 or 1; its running counts, as above */
  const uint64_t bits = ((((b * L8) & 0x8040201008040201ULL) + 0x7F7F7F7F7F7F7F7FULL) & H8) >> 7;
  return 8 * byte + osq_bytes_at_most(bits * L8, r - below);
}

/*
 * The same counts with the processor's instructions (popcnt, and pdep + tzcnt for the select), for
 * code compiled for them: a function with OSQ_BITS_HW_TARGET, chosen at run time by osq_bits_hw()
 * (quota.c's hot loops exist in both forms). The portable forms above stay the reference: a build
 * without x86-64, or with -DOSQ_NO_BMI2, has only them, and unit.quota checks the two against each
 * other on this processor.
 */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(OSQ_NO_BMI2)
#define OSQ_BITS_HW 1
#define OSQ_BITS_HW_TARGET __attribute__((target("popcnt,bmi,bmi2")))

/** Whether the processor runs osq_bit_count_hw and osq_bit_select_hw, and runs pdep fast: AMD's
 *  families 15h and 17h (Excavator, Zen 1 and 2) decode it into microcode of up to ~250 cycles,
 *  where the portable select takes ~25 instructions. libgcc reads the processor once, at start-up. */
static inline bool osq_bits_hw(void) {
  return __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi2") && !__builtin_cpu_is("amdfam15h") &&
         !__builtin_cpu_is("amdfam17h");
}

/** osq_bit_count(x), one instruction. */
static inline OSQ_BITS_HW_TARGET int osq_bit_count_hw(uint64_t x) { return __builtin_popcountll(x); }

/** osq_bit_select(x, r): pdep deposits the bits of 1 << r into the set bits of x, lowest first, so
 *  that its one set bit lands on the r-th of them. */
static inline OSQ_BITS_HW_TARGET int osq_bit_select_hw(uint64_t x, int r) {
  return __builtin_ctzll(__builtin_ia32_pdep_di(UINT64_C(1) << r, x));
}
#endif

#endif
