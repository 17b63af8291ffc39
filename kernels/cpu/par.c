#include "par.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct {
    da3_par_fn fn;
    void *ctx;
    long ntasks;
    atomic_long next;
} par_job;

typedef struct {
    par_job *job;
    int tid;
} par_worker;

static void par_drain(par_job *job, int tid)
{
    for (;;) {
        long t = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
        if (t >= job->ntasks)
            return;
        job->fn(job->ctx, t, tid);
    }
}

static void *par_main(void *arg)
{
    par_worker *w = arg;
    par_drain(w->job, w->tid);
    return NULL;
}

int da3_par_for(int nthreads, long ntasks, da3_par_fn fn, void *ctx)
{
    if (nthreads > ntasks)
        nthreads = (int)(ntasks > 0 ? ntasks : 1);
    if (nthreads <= 1) {
        for (long t = 0; t < ntasks; t++)
            fn(ctx, t, 0);
        return 0;
    }
    par_job job = {.fn = fn, .ctx = ctx, .ntasks = ntasks};
    atomic_init(&job.next, 0);
    pthread_t *th = malloc(sizeof *th * (size_t)nthreads);
    par_worker *w = malloc(sizeof *w * (size_t)nthreads);
    if (!th || !w) {
        free(th);
        free(w);
        par_drain(&job, 0);
        return -ENOMEM;
    }
    int started = 0, err = 0;
    for (int i = 1; i < nthreads; i++) {
        w[i] = (par_worker){.job = &job, .tid = i};
        int rc = pthread_create(&th[i], NULL, par_main, &w[i]);
        if (rc) {
            err = -rc;
            break;
        }
        started = i;
    }
    par_drain(&job, 0);
    for (int i = 1; i <= started; i++)
        pthread_join(th[i], NULL);
    free(th);
    free(w);
    return err;
}
