/*
 * par.h - a parallel for over tasks, the one threading primitive of the
 * kernels. The caller's thread takes part; nthreads-1 threads are started
 * for the call and joined before it returns, and tasks are handed out
 * dynamically (an atomic counter), so uneven tasks balance. With nthreads
 * = 1 it is a plain loop on the caller's thread.
 *
 * fn(ctx, task, tid): task in [0, ntasks), tid in [0, nthreads) identifies
 * the thread, for per-thread scratch. Returns 0, or -errno when a thread
 * cannot be started (the tasks then still all run on the threads that did).
 */
#ifndef DA3_PAR_H
#define DA3_PAR_H

typedef void (*da3_par_fn)(void *ctx, long task, int tid);

int da3_par_for(int nthreads, long ntasks, da3_par_fn fn, void *ctx);

#endif
