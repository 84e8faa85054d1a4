/*
 * mpi.h owns osq's use of MPI: a thin wrapper that is the only code to call MPI, so that the
 * engine and the command line carry no #ifdef. Built with -DOSQ_WITH_MPI=ON it talks to
 * MPI_COMM_WORLD; built without, every function is a no-op for one rank (rank 0 of 1), and so is
 * an MPI build whose process never called osq_mpi_init (the unit tests link the same library).
 *
 * The rules the rest of osq follows with it (docs/engineering.md §3.2, §8):
 * - MPI is initialised with MPI_THREAD_FUNNELED and called only by the main thread, outside
 *   OpenMP parallel regions.
 * - Every function below marked "collective" must be called by all ranks in the same order.
 *   A rank that fails never leaves that order: it reports its code through osq_mpi_agree(), so
 *   the others never wait for it forever, and every rank takes the same error path.
 * - Floating-point values only ever travel bit for bit (gathered, never summed), so the result
 *   of a run is the same for any number of ranks; integer counts are summed.
 * - MPI's own errors keep MPI's default handler (MPI_ERRORS_ARE_FATAL): they end the job.
 */
#ifndef OSQ_MPI_H
#define OSQ_MPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/errors.h"

/** @return true when this osq was built with -DOSQ_WITH_MPI=ON. */
bool osq_mpi_built(void);

/**
 * Initialise MPI (MPI_Init_thread with MPI_THREAD_FUNNELED); a no-op without MPI. Call once,
 * first thing in main.
 * @return 0, or OSQ_EINVAL (detail in err) when the MPI library cannot give MPI_THREAD_FUNNELED;
 *         MPI is initialised in both cases, so osq_mpi_finalize() must still be called.
 */
int osq_mpi_init(int *argc, char ***argv, osq_error_t *err);

/**
 * Collective: agree on the process exit code (the largest of all ranks, so that every rank exits
 * with the same code and mpirun reports it), then MPI_Finalize. Without MPI: returns exit_code.
 */
int osq_mpi_finalize(int exit_code);

/** @return this process's rank in MPI_COMM_WORLD (0 without MPI). */
int osq_mpi_rank(void);

/** @return the number of ranks (1 without MPI). */
int osq_mpi_size(void);

/** @return true on rank 0, the only rank that prints and writes files. */
bool osq_mpi_root(void);

/**
 * The share of a wave of nb blocks that rank `rank` of `size` runs: the contiguous blocks
 * [*first, *first + *count), the remainder spread over the first ranks (as OpenMC's
 * calculate_work). Rank 0's share always starts at 0. A pure function.
 */
void osq_mpi_share(int64_t nb, int rank, int size, int64_t *first, int64_t *count);

/**
 * Collective: gather a wave's block records to rank 0. On entry buf holds this rank's share of
 * the nb blocks (osq_mpi_share), block_bytes each, from its start; on return rank 0's buf holds
 * all nb blocks in block order (it must have room for nb blocks). The bytes are copied, never
 * combined, so every record arrives bit for bit.
 */
void osq_mpi_gather_blocks(void *buf, size_t block_bytes, int64_t nb);

/**
 * Collective: agree on the outcome of a step that may fail on some ranks only. Every rank passes
 * its own code; all get back 0 if every rank succeeded, otherwise the code of the lowest-ranked
 * failing rank. If that rank is not 0, its error record is copied into rank 0's err (err may be
 * NULL on any rank: then a record holding only the code's description is sent, or nothing is
 * kept), followed by a line naming the rank, so that rank 0 can print the error once.
 * Without MPI: returns rc.
 */
int osq_mpi_agree(int rc, osq_error_t *err);

/** Collective: the largest v over all ranks, on every rank. */
int osq_mpi_max_int(int v);

/** Collective: the largest v over all ranks, on every rank. */
double osq_mpi_max_double(double v);

/** Collective: element-wise sums of v[0..n) over all ranks, in place on every rank. */
void osq_mpi_allsum_u64(uint64_t *v, size_t n);

/** Collective: element-wise sums of v[0..n) over all ranks, in place on rank 0 (others: unchanged). */
void osq_mpi_sum_u64(uint64_t *v, size_t n);

/** Collective: as osq_mpi_sum_u64 for int64_t. */
void osq_mpi_sum_i64(int64_t *v, size_t n);

/** Collective: element-wise minima of v[0..n) over all ranks, in place on rank 0 (exact). */
void osq_mpi_min_double(double *v, size_t n);

#endif
