/*
 * paths.h owns where osq finds its own files: the data it ships (the Natural Earth boundaries)
 * and the folders an @include is looked up in after the scenario's own. Both are found relative
 * to the running executable (/proc/self/exe), never by a path compiled into it, so that an
 * installed prefix still works when moved, and a build directory directly under the source tree
 * (./build/osq) finds the tree's data/ and scenarios/:
 *
 *   data       $OSQ_DATA if set (and only it); else BINDIR/../share/osq/data (installed),
 *              then BINDIR/../data (a build directory in the source tree)
 *   includes   the folders of $OSQ_PATH (colon-separated), BINDIR/../share/osq/scenarios
 *              (installed), BINDIR/../scenarios (in the source tree); the scenario's own folder
 *              comes first (sim/input/scenario.c)
 *
 * "../share/osq" is the install layout's path from the bin folder to osq's share folder
 * (OSQ_REL_SHARE, set by CMake from the install directories: a relative path, not a place).
 */
#ifndef OSQ_PATHS_H
#define OSQ_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/** The environment variable that names osq's data folder (it replaces every other candidate). */
#define OSQ_DATA_ENV "OSQ_DATA"
/** The environment variable of extra @include folders, colon-separated, searched in order. */
#define OSQ_PATH_ENV "OSQ_PATH"

/** Longest folder path kept (longer ones are skipped). */
#define OSQ_PATHS_LEN 1024
/** Most folders in a list: 16 from OSQ_PATH and the two of the executable. */
#define OSQ_PATHS_MAX 18

/** An ordered list of folders. */
typedef struct {
  int n;
  char dir[OSQ_PATHS_MAX][OSQ_PATHS_LEN];
} osq_dirs_t;

/**
 * The folder of the running executable (/proc/self/exe, links resolved by the kernel).
 * @return true and buf; false if it cannot be known (no /proc) or does not fit in n bytes
 */
bool osq_paths_exe_dir(char *buf, size_t n);

/** The folders osq's data is looked for in, in order (see above). */
void osq_paths_data_dirs(osq_dirs_t *d);

/**
 * The data file `name` (e.g. "countries-50m.json"): the first data folder that holds it.
 * @return true and its path in out; false if no folder holds it, with out the path in the first
 *         candidate folder (where a message should say it was expected), "" if there is none
 */
bool osq_paths_data_file(const char *name, char *out, size_t n);

/** The folders an @include is looked for in after the scenario's own, in order (see above). */
void osq_paths_include_dirs(osq_dirs_t *d);

/** A file's name without its folder and its last extension ("a/b/us_out.cfg" -> "us_out"): the
 *  default name of a scenario or a study. */
void osq_paths_base_name(const char *path, char *out, size_t n);

/** A file's folder ("a/b/us_out.cfg" -> "a/b", "x.cfg" -> ".", "/x.cfg" -> "/"): where its
 *  @includes and relative paths are resolved first. */
void osq_paths_dir_name(const char *path, char *out, size_t n);

#endif
