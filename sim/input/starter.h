/*
 * starter.h owns the starter scenario that `osq init [DIR]` writes: a commented scenario file that
 * @includes "treaty.cfg" (found in osq's scenarios wherever DIR is: sim/input/paths.h) and runs
 * as it is, from DIR.
 */
#ifndef OSQ_STARTER_H
#define OSQ_STARTER_H

#include <stdbool.h>
#include <stddef.h>

#include "models/errors.h"

/** The file name osq init writes in its folder. */
#define OSQ_STARTER_NAME "scenario.cfg"

/** The starter scenario's text (static). */
const char *osq_starter_text(void);

/**
 * Write dir/scenario.cfg (dir and missing parents created), whole or not at all.
 * @param path the file written, at least n bytes
 * @return 0; OSQ_EEXIST if it exists and !force (nothing written); OSQ_EIO; OSQ_EINVAL (dir too long)
 */
int osq_starter_write(const char *dir, bool force, char *path, size_t n, osq_error_t *err);

#endif
