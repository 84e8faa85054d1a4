/*
 * test_lowerbound.c: the lower-bound loop of `osq bench` (bench/lowerbound.c) does the work it is
 * given, all of it, the same for any thread count, and refuses work it cannot describe.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "models/geo.h"
#include "bench/lowerbound.h"

/* A 0.5-degree raster that is territory 1 everywhere. */
static osq_geo_raster_t *all_land(void) {
  static double lon[10], lat[10];
  static size_t ring_start[3];
  static int poly_ring[3], poly_feature[2];
  static uint8_t poly_tid[2];
  const double boxes[2][4] = {{-180.0, -90.0, 0.0, 90.0}, {0.0, -90.0, 180.0, 90.0}};
  osq_geo_polys_t p;
  memset(&p, 0, sizeof p);
  p.lon = lon;
  p.lat = lat;
  p.ring_start = ring_start;
  p.poly_ring = poly_ring;
  p.poly_feature = poly_feature;
  p.poly_tid = poly_tid;
  for (int b = 0; b < 2; b++) {
    const double *x = boxes[b];
    const double v[] = {x[0], x[1], x[2], x[1], x[2], x[3], x[0], x[3], x[0], x[1]};
    p.poly_ring[p.n_polys] = p.n_rings;
    p.poly_feature[p.n_polys] = -1;
    p.poly_tid[p.n_polys] = 1;
    p.n_polys++;
    p.ring_start[p.n_rings] = p.n_pts;
    for (int i = 0; i < 5; i++) {
      p.lon[p.n_pts] = v[2 * i];
      p.lat[p.n_pts] = v[2 * i + 1];
      p.n_pts++;
    }
    p.n_rings++;
    p.ring_start[p.n_rings] = p.n_pts;
    p.poly_ring[p.n_polys] = p.n_rings;
  }
  osq_geo_raster_t *g = NULL;
  cr_assert_eq(osq_geo_raster_build(&p, 1, 0.5, &g), 0);
  return g;
}

static osq_lb_work_t work(void) {
  osq_lb_work_t w;
  memset(&w, 0, sizeof w);
  w.trials = 200;
  w.years = 2;
  w.geo_stride = 4;
  w.draws = 123457;
  w.flights = 310;
  w.cells = 61003;
  w.runs = 3001;
  w.seed = 7;
  w.block_size = 16;
  return w;
}

Test(lowerbound, does_all_the_work_on_any_thread_count) {
  osq_geo_raster_t *g = all_land();
  const osq_lb_work_t w = work();
  uint64_t check1 = 0;
  for (int threads = 1; threads <= 3; threads++) {
    osq_lb_result_t out;
    osq_error_t err;
    osq_error_clear(&err);
    cr_assert_eq(osq_lb_run(g, &w, threads, &out, &err), 0, "%d threads", threads);
    cr_expect_eq(out.cells, w.cells, "%d threads: %lld cells marked", threads, (long long)out.cells);
    cr_expect_eq(out.draws, w.draws, "%d threads: %lld words drawn", threads, (long long)out.draws);
    cr_expect(out.seconds > 0.0);
    if (threads == 1) check1 = out.check;
    cr_expect_eq(out.check, check1, "%d threads: check %llu, 1 thread %llu", threads, (unsigned long long)out.check,
                 (unsigned long long)check1);
  }
  osq_geo_raster_free(g);
}

Test(lowerbound, draws_only_without_geography) {
  const osq_lb_work_t w = work();
  osq_lb_result_t out;
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_lb_run(NULL, &w, 2, &out, &err), 0);
  cr_expect_eq(out.cells, 0);
  cr_expect_eq(out.draws, w.draws);
}

Test(lowerbound, refuses_work_it_cannot_describe) {
  osq_geo_raster_t *g = all_land();
  osq_lb_result_t out;
  osq_error_t err;
  osq_lb_work_t w = work();
  w.trials = 0;
  osq_error_clear(&err);
  cr_expect_eq(osq_lb_run(g, &w, 1, &out, &err), OSQ_EINVAL);
  w = work();
  w.cells = -1;
  osq_error_clear(&err);
  cr_expect_eq(osq_lb_run(g, &w, 1, &out, &err), OSQ_EINVAL);
  w = work();
  osq_error_clear(&err);
  cr_expect_eq(osq_lb_run(g, &w, 0, &out, &err), OSQ_EINVAL);
  cr_expect_eq(osq_lb_run(g, NULL, 1, &out, &err), OSQ_EINVAL);
  osq_geo_raster_free(g);
}

/* The quota-model bound: every word of the work drawn as a uniform double, on any thread count the
 * same draws (the same check), about half of them below 0.5, and bad work refused. */
Test(lowerbound, quota_bound_draws_every_word_on_any_thread_count) {
  const osq_lb_work_t w = work();
  uint64_t check1 = 0;
  for (int threads = 1; threads <= 3; threads++) {
    osq_lb_result_t out;
    osq_error_t err;
    osq_error_clear(&err);
    cr_assert_eq(osq_lb_quota_run(&w, threads, &out, &err), 0, "%d threads", threads);
    cr_expect_eq(out.draws, w.draws, "%d threads: %lld words drawn", threads, (long long)out.draws);
    cr_expect_eq(out.cells, 0);
    if (threads == 1) check1 = out.check;
    cr_expect_eq(out.check, check1, "%d threads: check %llu, 1 thread %llu", threads, (unsigned long long)out.check,
                 (unsigned long long)check1);
  }
  /* 123,457 uniforms: below 0.5 within 5 sd (176) of half */
  cr_expect(check1 > 61728 - 900 && check1 < 61728 + 900, "%llu of 123457 draws below 0.5", (unsigned long long)check1);
  osq_lb_result_t out;
  osq_error_t err;
  osq_lb_work_t bad = w;
  bad.trials = 0;
  osq_error_clear(&err);
  cr_expect_eq(osq_lb_quota_run(&bad, 1, &out, &err), OSQ_EINVAL);
  bad = w;
  bad.draws = -1;
  cr_expect_eq(osq_lb_quota_run(&bad, 1, &out, &err), OSQ_EINVAL);
  cr_expect_eq(osq_lb_quota_run(&w, 0, &out, &err), OSQ_EINVAL);
  cr_expect_eq(osq_lb_quota_run(NULL, 1, &out, &err), OSQ_EINVAL);
}
