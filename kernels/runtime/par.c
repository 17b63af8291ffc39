#include "par.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif

/* how long a worker (or the caller, at the join) spins before it sleeps:
 * about 20-50 us, less than a kernel's back-to-back calls are apart */
#define PAR_SPIN 2000
#define PAR_MAX 256

typedef struct {
    da3_par_fn fn;
    void *ctx;
    long ntasks;
    atomic_long next;
} par_job;

static void par_drain(par_job *job, int tid)
{
    for (;;) {
        long t = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
        if (t >= job->ntasks)
            return;
        job->fn(job->ctx, t, tid);
    }
}

/* --- the fallback: threads started for the call and joined ----------- */

typedef struct {
    par_job *job;
    int tid;
} par_worker;

static void *spawn_main(void *arg)
{
    par_worker *w = arg;
    par_drain(w->job, w->tid);
    return NULL;
}

static int par_spawn(int nthreads, par_job *job)
{
    pthread_t *th = malloc(sizeof *th * (size_t)nthreads);
    par_worker *w = malloc(sizeof *w * (size_t)nthreads);
    if (!th || !w) {
        free(th);
        free(w);
        par_drain(job, 0);
        return DA3_ENOMEM;
    }
    int started = 0, err = 0;
    for (int i = 1; i < nthreads; i++) {
        w[i] = (par_worker){.job = job, .tid = i};
        int rc = pthread_create(&th[i], NULL, spawn_main, &w[i]);
        if (rc) {
            err = DA3_ETHREAD;
            break;
        }
        started = i;
    }
    par_drain(job, 0);
    for (int i = 1; i <= started; i++)
        pthread_join(th[i], NULL);
    free(th);
    free(w);
    return err;
}

/* --- the pool: workers that stay, woken for each call ----------------- */

static struct {
    pthread_mutex_t busy; /* one call at a time owns the pool */
    pthread_mutex_t m;
    pthread_cond_t go, done;
    int nworkers;          /* workers 1..nworkers are running */
    atomic_ulong gen;      /* bumped once per call */
    par_job *job;
    int want;              /* workers with tid < want take part */
    atomic_int running;    /* of those, still draining */
    unsigned long start_gen[PAR_MAX];
    int atfork;
} pool = {.busy = PTHREAD_MUTEX_INITIALIZER,
          .m = PTHREAD_MUTEX_INITIALIZER,
          .go = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER};

static _Thread_local int in_worker;

static void *pool_main(void *arg)
{
    int tid = (int)(intptr_t)arg;
    unsigned long seen = pool.start_gen[tid];
    in_worker = 1;
    for (;;) {
        for (int i = 0; i < PAR_SPIN && atomic_load(&pool.gen) == seen; i++)
            cpu_relax();
        pthread_mutex_lock(&pool.m);
        while (atomic_load(&pool.gen) == seen)
            pthread_cond_wait(&pool.go, &pool.m);
        seen = atomic_load(&pool.gen);
        par_job *job = pool.job;
        int take = tid < pool.want;
        pthread_mutex_unlock(&pool.m);
        if (!take)
            continue;
        par_drain(job, tid);
        if (atomic_fetch_sub(&pool.running, 1) == 1) {
            pthread_mutex_lock(&pool.m);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.m);
        }
    }
    return NULL;
}

/* a child of fork() has none of the workers: it starts its own */
static void pool_after_fork(void)
{
    pthread_mutex_init(&pool.busy, NULL);
    pthread_mutex_init(&pool.m, NULL);
    pthread_cond_init(&pool.go, NULL);
    pthread_cond_init(&pool.done, NULL);
    pool.nworkers = 0;
    atomic_store(&pool.running, 0);
}

static int pool_grow(int n)
{
    if (!pool.atfork) {
        if (pthread_atfork(NULL, NULL, pool_after_fork))
            return DA3_ENOMEM;
        pool.atfork = 1;
    }
    while (pool.nworkers < n) {
        int tid = pool.nworkers + 1;
        pthread_attr_t attr;
        pthread_t th;
        pool.start_gen[tid] = atomic_load(&pool.gen);
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&th, &attr, pool_main, (void *)(intptr_t)tid);
        pthread_attr_destroy(&attr);
        if (rc)
            return DA3_ETHREAD;
        pool.nworkers = tid;
    }
    return 0;
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
    /* a call from inside a task, or from a second thread while the pool
     * is busy, or wider than the pool: threads of its own */
    if (in_worker || nthreads > PAR_MAX || pthread_mutex_trylock(&pool.busy))
        return par_spawn(nthreads, &job);
    int err = pool_grow(nthreads - 1);
    int want = pool.nworkers + 1 < nthreads ? pool.nworkers + 1 : nthreads;
    if (want > 1) {
        pthread_mutex_lock(&pool.m);
        pool.job = &job;
        pool.want = want;
        atomic_store(&pool.running, want - 1);
        atomic_fetch_add(&pool.gen, 1);
        pthread_cond_broadcast(&pool.go);
        pthread_mutex_unlock(&pool.m);
    }
    par_drain(&job, 0);
    if (want > 1) {
        for (int i = 0; i < PAR_SPIN && atomic_load(&pool.running) > 0; i++)
            cpu_relax();
        pthread_mutex_lock(&pool.m);
        while (atomic_load(&pool.running) > 0)
            pthread_cond_wait(&pool.done, &pool.m);
        pthread_mutex_unlock(&pool.m);
    }
    pthread_mutex_unlock(&pool.busy);
    return err;
}
