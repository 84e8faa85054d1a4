/*
 * scenario_fixture.h owns the loading of a shipped scenario file by the unit tests that run the
 * engine on one: by its path in the source tree, with the assertion that it loads.
 */
#ifndef OSQ_SCENARIO_FIXTURE_H
#define OSQ_SCENARIO_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/input/scenario.h"

/* The scenario at `rel` (relative to the source tree), loaded; free() it. */
static osq_scenario_t *fixture_load(const char *rel) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", OSQ_SOURCE_DIR, rel);
  osq_scenario_t *sc = malloc(sizeof *sc);
  cr_assert_not_null(sc);
  osq_error_t err;
  osq_error_clear(&err);
  cr_assert_eq(osq_scenario_load(path, sc, &err), OSQ_OK, "%s", err.n ? err.msg[0] : "");
  return sc;
}

#endif
