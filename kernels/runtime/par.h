/*
 * par.h - a parallel for over tasks, the one threading primitive of the
 * kernels. The caller's thread takes part, with workers of a pool started
 * on first use and kept (woken for each call, spinning ~20-50 us before
 * they sleep), so a kernel's back-to-back calls do not pay a thread start
 * each, nor land a fresh thread on a busy core. A call from inside a task,
 * or from a second thread while the pool is busy, gets threads started for
 * it and joined before it returns. Tasks are handed out dynamically (an
 * atomic counter), so uneven tasks balance. With nthreads = 1 it is a plain
 * loop on the caller's thread. A child of fork() starts its own workers.
 *
 * fn(ctx, task, tid): task in [0, ntasks), tid in [0, nthreads) identifies
 * the thread, for per-thread scratch. Returns 0, or DA3_ETHREAD when a
 * thread cannot be started (the tasks then still all run on the threads that
 * did; DA3_ENOMEM when even the list of threads could not be allocated).
 */
#ifndef DA3_PAR_H
#define DA3_PAR_H

#include "status.h"

typedef void (*da3_par_fn)(void *ctx, long task, int tid);

int da3_par_for(int nthreads, long ntasks, da3_par_fn fn, void *ctx);

#endif
