/*
 * mpi.c owns every MPI call of osq (see mpi.h). Without OSQ_WITH_MPI it compiles to the one-rank
 * no-ops at the bottom and references no MPI symbol; with it, each function talks to
 * MPI_COMM_WORLD, and falls back to the same no-ops until osq_mpi_init has run.
 */
#include "sim/engine/mpi.h"

void osq_mpi_share(int64_t nb, int rank, int size, int64_t *first, int64_t *count) {
  const int64_t base = nb / size, rem = nb % size;
  *count = base + (rank < rem ? 1 : 0);
  *first = rank * base + (rank < rem ? rank : rem);
}

bool osq_mpi_root(void) { return osq_mpi_rank() == 0; }

#ifdef OSQ_WITH_MPI

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>

enum { TAG_ERROR = 1 };

static bool g_on;                  /* osq_mpi_init has run and MPI is not finalised */
static int g_rank = 0, g_size = 1; /* size 1 while !g_on: every collective returns at once */
static int *g_counts, *g_displs;   /* [g_size], rank 0's scratch for MPI_Gatherv */
static osq_error_t g_spare;        /* an error record for ranks that passed none (main thread only) */

bool osq_mpi_built(void) { return true; }

int osq_mpi_init(int *argc, char ***argv, osq_error_t *err) {
  int provided = MPI_THREAD_SINGLE;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_on = true;
  g_counts = malloc(sizeof *g_counts * (size_t)g_size);
  g_displs = malloc(sizeof *g_displs * (size_t)g_size);
  /* Every rank checks the same two things, so all of them fail or none does. */
  if (!g_counts || !g_displs) return osq_error_add(err, OSQ_ENOMEM, NULL, 0, "out of memory (MPI set-up)");
  if (provided < MPI_THREAD_FUNNELED)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0,
                         "the MPI library gives thread support level %d; osq needs MPI_THREAD_FUNNELED (%d)",
                         provided, MPI_THREAD_FUNNELED);
  return OSQ_OK;
}

int osq_mpi_finalize(int exit_code) {
  if (!g_on) return exit_code;
  MPI_Allreduce(MPI_IN_PLACE, &exit_code, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  free(g_counts);
  free(g_displs);
  g_counts = g_displs = NULL;
  g_on = false;
  g_rank = 0;
  g_size = 1;
  return exit_code;
}

int osq_mpi_rank(void) { return g_rank; }

int osq_mpi_size(void) { return g_size; }

void osq_mpi_gather_blocks(void *buf, size_t block_bytes, int64_t nb) {
  if (g_size == 1 || block_bytes == 0) return;
  /* One block is one element, so the counts stay small whatever the record size. */
  MPI_Datatype blk;
  MPI_Type_contiguous((int)block_bytes, MPI_BYTE, &blk);
  MPI_Type_commit(&blk);
  if (g_rank == 0) {
    for (int r = 0; r < g_size; r++) {
      int64_t first, count;
      osq_mpi_share(nb, r, g_size, &first, &count);
      g_counts[r] = (int)count;
      g_displs[r] = (int)first;
    }
    MPI_Gatherv(MPI_IN_PLACE, 0, blk, buf, g_counts, g_displs, blk, 0, MPI_COMM_WORLD);
  } else {
    int64_t first, count;
    osq_mpi_share(nb, g_rank, g_size, &first, &count);
    MPI_Gatherv(buf, (int)count, blk, NULL, NULL, NULL, blk, 0, MPI_COMM_WORLD);
  }
  MPI_Type_free(&blk);
}

int osq_mpi_agree(int rc, osq_error_t *err) {
  if (g_size == 1) return rc;
  int who = rc != OSQ_OK ? g_rank : g_size;
  MPI_Allreduce(MPI_IN_PLACE, &who, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (who == g_size) return OSQ_OK;
  int code = rc;
  MPI_Bcast(&code, 1, MPI_INT, who, MPI_COMM_WORLD);
  if (who == 0) return code; /* rank 0 holds the detail itself */
  if (g_rank == who) {
    const osq_error_t *send = err;
    if (!send || send->n == 0) {
      osq_error_clear(&g_spare);
      osq_error_add(&g_spare, code, NULL, 0, "%s", osq_strerror(code));
      send = &g_spare;
    }
    MPI_Send(send, (int)sizeof *send, MPI_BYTE, 0, TAG_ERROR, MPI_COMM_WORLD);
  } else if (g_rank == 0) {
    osq_error_t *into = err ? err : &g_spare;
    MPI_Recv(into, (int)sizeof *into, MPI_BYTE, who, TAG_ERROR, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    osq_error_add(into, code, NULL, 0, "(the error above happened on MPI rank %d of %d; every rank stopped)", who,
                  g_size);
  }
  return code;
}

int osq_mpi_max_int(int v) {
  if (g_size > 1) MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return v;
}

double osq_mpi_max_double(double v) {
  if (g_size > 1) MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return v;
}

/* Element-wise reduction in chunks that fit MPI's int counts; to every rank or to rank 0. */
static void reduce(void *v, size_t n, size_t elem, MPI_Datatype type, MPI_Op op, bool to_all) {
  if (g_size == 1) return;
  char *p = v;
  while (n > 0) {
    const int k = n > (size_t)(INT_MAX / 2) ? INT_MAX / 2 : (int)n;
    if (to_all) MPI_Allreduce(MPI_IN_PLACE, p, k, type, op, MPI_COMM_WORLD);
    else if (g_rank == 0) MPI_Reduce(MPI_IN_PLACE, p, k, type, op, 0, MPI_COMM_WORLD);
    else MPI_Reduce(p, NULL, k, type, op, 0, MPI_COMM_WORLD);
    p += (size_t)k * elem;
    n -= (size_t)k;
  }
}

void osq_mpi_allsum_u64(uint64_t *v, size_t n) { reduce(v, n, sizeof *v, MPI_UINT64_T, MPI_SUM, true); }
void osq_mpi_sum_u64(uint64_t *v, size_t n) { reduce(v, n, sizeof *v, MPI_UINT64_T, MPI_SUM, false); }
void osq_mpi_sum_i64(int64_t *v, size_t n) { reduce(v, n, sizeof *v, MPI_INT64_T, MPI_SUM, false); }
void osq_mpi_min_double(double *v, size_t n) { reduce(v, n, sizeof *v, MPI_DOUBLE, MPI_MIN, false); }

#else /* one process, no MPI: rank 0 of 1 */

bool osq_mpi_built(void) { return false; }

int osq_mpi_init(int *argc, char ***argv, osq_error_t *err) {
  (void)argc;
  (void)argv;
  (void)err;
  return OSQ_OK;
}

int osq_mpi_finalize(int exit_code) { return exit_code; }
int osq_mpi_rank(void) { return 0; }
int osq_mpi_size(void) { return 1; }

void osq_mpi_gather_blocks(void *buf, size_t block_bytes, int64_t nb) {
  (void)buf;
  (void)block_bytes;
  (void)nb;
}

int osq_mpi_agree(int rc, osq_error_t *err) {
  (void)err;
  return rc;
}

int osq_mpi_max_int(int v) { return v; }
double osq_mpi_max_double(double v) { return v; }

void osq_mpi_allsum_u64(uint64_t *v, size_t n) {
  (void)v;
  (void)n;
}

void osq_mpi_sum_u64(uint64_t *v, size_t n) {
  (void)v;
  (void)n;
}

void osq_mpi_sum_i64(int64_t *v, size_t n) {
  (void)v;
  (void)n;
}

void osq_mpi_min_double(double *v, size_t n) {
  (void)v;
  (void)n;
}

#endif
