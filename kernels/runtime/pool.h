/*
 * pool.h - the worker pools of the preprocessing stage.
 *
 * Thread pool: a fixed number of pthreads over one work queue. Jobs are
 * numbered 0..n-1 and each writes its own result slot, so results come back
 * in input order whatever order the workers finish in. A job returns 0 or a
 * negative code, recorded for that job alone: one failing job never stops
 * the others nor hangs the pool. da3_pool_free() with jobs pending cancels
 * the ones not started (their code becomes DA3_ECANCELLED), lets the
 * running ones finish, and joins every thread.
 *
 * Process pool: the same jobs in forked worker processes, each job's output
 * (a fixed number of bytes) copied back through a pipe into its slot: what
 * the seed's ProcessPool pays to move results between processes, measured
 * in C. Jobs are handed out one at a time to whichever worker is free. A
 * worker that dies fails its job (DA3_EWORKER) and is not used again.
 *
 * Auto-tuning: da3_pool_autotune() times a calibration batch at increasing
 * worker counts and returns the smallest count within 3% of the best
 * throughput it measured, with the table it measured.
 */
#ifndef DA3_POOL_H
#define DA3_POOL_H

#include "status.h"

#include <stddef.h>


typedef int (*da3_pool_fn)(void *ctx, long job, int worker);

typedef struct da3_pool da3_pool;

da3_pool *da3_pool_new(int workers); /* NULL if workers < 1 or no thread started */
int da3_pool_workers(const da3_pool *p);
/* Queues jobs 0..n-1; rc (n entries, may be NULL) receives each job's code. */
int da3_pool_submit(da3_pool *p, long n, da3_pool_fn fn, void *ctx, int *rc);
/* Waits for everything submitted; returns how many jobs failed. */
long da3_pool_wait(da3_pool *p);
/* submit + wait */
long da3_pool_map(da3_pool *p, long n, da3_pool_fn fn, void *ctx, int *rc);
void da3_pool_free(da3_pool *p);

/* fn runs in the worker process and fills buf (out_bytes). */
typedef int (*da3_ppool_fn)(void *ctx, long job, int worker, void *buf);
typedef struct da3_ppool da3_ppool;

/* Forks the workers now: they see the parent's memory as it is at this
 * call (inputs must be loaded before). NULL on failure. */
da3_ppool *da3_ppool_new(int workers, da3_ppool_fn fn, void *ctx, size_t out_bytes);
/* Runs jobs 0..n-1, job i's output into out + i * out_bytes; returns how
 * many failed. */
long da3_ppool_map(da3_ppool *p, long n, void *out, int *rc);
void da3_ppool_free(da3_ppool *p);

typedef struct {
    int workers;
    double seconds;     /* for the calibration batch */
    double jobs_per_s;
} da3_pool_trial;

/* Tries 1, 2, 3, 4, 6, 8, 12, 16, 24, 32 ... up to max_workers, each
 * running `jobs` jobs (fn as for da3_pool_map); stops once two counts in a
 * row fall below 90% of the best. Fills table (up to 16 rows) and *ntable;
 * returns the chosen count, or DA3_EARG (max_workers or jobs below 1) or
 * DA3_ETHREAD (no pool could be made). */
int da3_pool_autotune(int max_workers, long jobs, da3_pool_fn fn, void *ctx,
                      da3_pool_trial *table, int *ntable);

#endif
