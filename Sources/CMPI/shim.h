#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H
#include <limits.h>
#include <mpi.h>

// Open MPI defines MPI_COMM_WORLD, the datatypes and the operations as macros over its own
// globals, which Swift cannot import. These wrappers are the whole MPI surface the Distributed
// target uses: everything on MPI_COMM_WORLD, plain C types only.

// MPI_THREAD_FUNNELED: only the main thread calls MPI (the engine's worker threads never do).
static inline int cmpi_init(int *rank, int *size) {
    int provided = 0;
    int status = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (status != MPI_SUCCESS) return status;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    return MPI_Comm_size(MPI_COMM_WORLD, size);
}

static inline int cmpi_is_initialized(void) {
    int flag = 0;
    MPI_Initialized(&flag);
    return flag;
}

static inline int cmpi_finalize(void) { return MPI_Finalize(); }

static inline void cmpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

// MPI counts are ints: longer buffers go in chunks of at most INT_MAX elements.
static inline int cmpi_allreduce_sum_float(float *buffer, long count) {
    for (long start = 0; start < count; start += INT_MAX) {
        long chunk = count - start < INT_MAX ? count - start : INT_MAX;
        int status = MPI_Allreduce(MPI_IN_PLACE, buffer + start, (int)chunk, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        if (status != MPI_SUCCESS) return status;
    }
    return MPI_SUCCESS;
}

static inline int cmpi_allreduce_sum_double(double *buffer, long count) {
    for (long start = 0; start < count; start += INT_MAX) {
        long chunk = count - start < INT_MAX ? count - start : INT_MAX;
        int status = MPI_Allreduce(MPI_IN_PLACE, buffer + start, (int)chunk, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        if (status != MPI_SUCCESS) return status;
    }
    return MPI_SUCCESS;
}

static inline int cmpi_allreduce_max_long(long *value) {
    return MPI_Allreduce(MPI_IN_PLACE, value, 1, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
}

static inline int cmpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

static inline double cmpi_wtime(void) { return MPI_Wtime(); }

static inline void cmpi_error_string(int code, char *text, int capacity) {
    int length = 0;
    if (capacity < MPI_MAX_ERROR_STRING || MPI_Error_string(code, text, &length) != MPI_SUCCESS) {
        if (capacity > 0) text[0] = 0;
    }
}

static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
#endif
