/*
 * memory.h owns the memory guard of a run: an upper estimate of what `osq run` and `osq compare`
 * allocate for a scenario (derived from the sizes that the engine (trial.c, run.c, run_compare.c, waves.c), geosetup.c, raster.c, swath.c, nofly.c and coverage.c
 * allocate), what the machine can give, and the refusal, before any large allocation, of a run
 * that cannot fit (issue #7: "a raster or a party count that would need more memory than the
 * machine has is refused with a message before allocation").
 *
 * The raster dominates: every raster cell costs a byte of territory id, 8 + 4 + 1 bytes of map
 * totals, a bit per mark set and per no-fly buffer, and 4 bytes of map counts in every thread,
 * so memory grows as threads / resolution².
 *
 * What "available" means (osq_memory_available):
 *   - OSQ_MEMORY_LIMIT_MIB=N in the environment: N MiB, and nothing else is asked (N = 0: no
 *     limit, the check never refuses). For tests, and to run anyway when the guard is wrong.
 *   - otherwise the smallest of: MemAvailable of /proc/meminfo (sysconf(_SC_AVPHYS_PAGES) × page
 *     size where there is no /proc); the memory cgroup's limit minus its usage (cgroup v2
 *     memory.max, v1 memory.limit_in_bytes, over the process's cgroup and its ancestors; the
 *     inactive page cache counts as free); RLIMIT_AS minus the address space in use (VmSize);
 *     RLIMIT_DATA minus the data segment in use (VmData).
 * Swap is not counted: the trial loop marks cells all over the raster, so a workspace that lives
 * partly in swap makes a run crawl rather than fail; a run that should use swap anyway can raise
 * the figure with OSQ_MEMORY_LIMIT_MIB. Under MPI each rank checks its own needs against its
 * node's figure, so ranks that share a node can together still exceed it.
 */
#ifndef OSQ_MEMORY_H
#define OSQ_MEMORY_H

#include <stdint.h>

#include "models/errors.h"
#include "sim/input/scenario.h"

/** Environment variable that replaces the machine's figure (MiB; 0 = no limit). */
#define OSQ_MEMORY_ENV "OSQ_MEMORY_LIMIT_MIB"

/**
 * Share of the raster's cells that are territory of some party, upper bound: measured 0.1118 to
 * 0.1120 at 2 to 0.0625 degrees with data/countries-50m.json for all 34 States Parties, and a
 * treaty can only hold those 34 (osq_geodata_assign refuses any other state).
 */
#define OSQ_MEMORY_TERR_SHARE 0.12

/** An upper estimate of one run's memory, in bytes, with the terms the message names. */
typedef struct {
  int64_t cells;          /**< raster cells, (180/res) × (360/res); 0 without geography */
  int64_t terr_cells;     /**< territory cells (cells × OSQ_MEMORY_TERR_SHARE) */
  int nofly_sets;         /**< no-fly buffers: one per run of years with the same non-parties */
  int threads;            /**< threads the estimate is for */
  int scenarios;          /**< 1 for osq run, n for osq compare */
  int64_t fixed;          /**< program, scenario copies, boundary file while read and its polygons */
  int64_t raster;         /**< territory ids, sampler index, row and column tables (all scenarios) */
  int64_t world;          /**< no-fly buffers, sites, sites reachable per airfield */
  int64_t per_thread;     /**< one thread's workspace: year, histograms, dyads, marks, map counts */
  int64_t results;        /**< statistics records, quota caps, map totals, the map, the tables */
  int64_t total;          /**< fixed + raster + world + threads × per_thread + results */
} osq_memory_estimate_t;

/**
 * Upper estimate of what `osq run` allocates for sc on `threads` threads (at its peak, the end of
 * the trial loop, when the workspaces, the map totals and the map are all held).
 * @param out may be NULL
 * @return the total in bytes
 */
int64_t osq_memory_estimate(const osq_scenario_t *sc, int threads, osq_memory_estimate_t *out);

/**
 * The same for `osq compare` of n scenarios: every scenario's geography and workspaces are held
 * at once, without maps, plus the paired-difference records.
 */
int64_t osq_memory_estimate_compare(const osq_scenario_t *const *scs, int n, int threads, osq_memory_estimate_t *out);

/**
 * Bytes the process can still allocate (see the header comment); INT64_MAX when nothing limits
 * it or nothing can be read; a negative OSQ_EINVAL when OSQ_MEMORY_LIMIT_MIB is not an integer
 * >= 0.
 * @param source if not NULL, receives a static name of what set the figure, e.g. "MemAvailable"
 */
int64_t osq_memory_available_from(const char **source);

/** osq_memory_available_from(NULL). */
int64_t osq_memory_available(void);

/**
 * Refuse a run that cannot fit: call before the geography is set up and before any workspace is
 * allocated. `threads` is the number the run will use (after its defaults are applied).
 * @return 0; OSQ_ENOMEM with one message, e.g. "FILE:LINE: this run needs about 15.0 GiB of
 *         memory (a raster of 0.01 degrees: 648,000,000 cells; 2 threads x 3.1 GiB; map and
 *         statistics 7.8 GiB) but the machine has 1.0 GiB available (OSQ_MEMORY_LIMIT_MIB);
 *         nothing was run (expected a coarser geo.resolution_deg: 0.05 fits; ...)", LINE being
 *         that of geo.resolution_deg when the scenario file itself sets it (else FILE alone);
 *         OSQ_EINVAL when OSQ_MEMORY_LIMIT_MIB is malformed
 */
int osq_memory_check(const osq_scenario_t *sc, int threads, osq_error_t *err);

/** osq_memory_check for `osq compare` (the message names the first scenario). */
int osq_memory_check_compare(const osq_scenario_t *const *scs, int n, int threads, osq_error_t *err);

/**
 * osq_memory_check for `osq sensitivity`: its n scenarios as for osq compare (an upper bound: a
 * study shares one raster), plus `extra` bytes of its own (the design and the points' records).
 */
int osq_memory_check_study(const osq_scenario_t *const *scs, int n, int threads, int64_t extra, osq_error_t *err);

#endif
