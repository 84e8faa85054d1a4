/*
 * draw.c owns the constant table behind osq_draw_int (draw.h): for each bound n up to
 * OSQ_DRAW_RECIP_MAX, the reciprocal that turns GSL's division of a 32-bit word by its scale into
 * a multiplication, computed by the compiler from constant expressions; and the draws' slow paths
 * (a refill of the stream's buffer, another generator), out of line.
 */
#include "models/draw.h"

/* c(n) = ceil(2^64 / s(n)) with s(n) = (2^32 - 1) / n, GSL's scale for the bound n */
#define SCALE(n) (UINT32_C(0xffffffff) / (uint32_t)(n))
#define RECIP(n) ((n) == 0 ? 0 : UINT64_MAX / SCALE((n) ? (n) : 1) + 1)
#define R4(n) RECIP(n), RECIP((n) + 1), RECIP((n) + 2), RECIP((n) + 3)
#define R16(n) R4(n), R4((n) + 4), R4((n) + 8), R4((n) + 12)
#define R64(n) R16(n), R16((n) + 16), R16((n) + 32), R16((n) + 48)
#define R256(n) R64(n), R64((n) + 64), R64((n) + 128), R64((n) + 192)

const uint64_t osq_draw_recip[OSQ_DRAW_RECIP_MAX + 1] = {R256(0), R256(256), R256(512), R256(768), RECIP(1024)};

/* Refill d's stream: its buffer then holds the next 2 * OSQ_RNG_BATCH words, none read. */
static void draw_refill(osq_draw_t *d) {
  osq_rng_refill(d->s);
  d->next = d->s->buf;
}

uint64_t osq_draw_u64_slow(osq_draw_t *d) {
  draw_refill(d);
  return *d->next++;
}

double osq_draw_u01_slow(osq_draw_t *d) {
  if (!d->s) return gsl_rng_uniform(d->g);
  if (d->next == d->end) draw_refill(d);
  return (double)(*d->next++ >> 11) * 0x1.0p-53;
}

uint32_t osq_draw_int_slow(osq_draw_t *d, uint32_t n) {
  if (!d->s) return (uint32_t)gsl_rng_uniform_int(d->g, n);
  const uint32_t scale = UINT32_C(0xffffffff) / n;
  for (;;) {
    if (d->next == d->end) draw_refill(d);
    const uint32_t x = (uint32_t)(*d->next++ >> 32);
    const uint32_t k = n <= OSQ_DRAW_RECIP_MAX ? (uint32_t)(((unsigned __int128)osq_draw_recip[n] * x) >> 64) : x / scale;
    if (k < n) return k;
  }
}
