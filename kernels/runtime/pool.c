#include "pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

typedef struct batch {
    da3_pool_fn fn;
    void *ctx;
    int *rc;
    long n, next, done;
    struct batch *link;
} batch;

struct da3_pool {
    pthread_mutex_t mu;
    pthread_cond_t work, idle;
    batch *head, *tail;
    long failed, outstanding;
    int stop, nthreads;
    pthread_t *threads;
    struct worker_arg *args;
};

static void *worker_main(void *arg);

typedef struct worker_arg {
    da3_pool *p;
    int id;
} worker_arg;

da3_pool *da3_pool_new(int workers)
{
    if (workers < 1 || workers > 4096)
        return NULL;
    da3_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->threads = calloc((size_t)workers, sizeof *p->threads);
    p->args = calloc((size_t)workers, sizeof *p->args);
    if (!p->threads || !p->args) {
        free(p->threads), free(p->args), free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    for (int i = 0; i < workers; i++) {
        p->args[i] = (worker_arg){p, i};
        if (pthread_create(&p->threads[i], NULL, worker_main, &p->args[i]))
            break;
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        da3_pool_free(p);
        return NULL;
    }
    return p;
}

int da3_pool_workers(const da3_pool *p) { return p->nthreads; }

static void *worker_main(void *arg)
{
    worker_arg *a = arg;
    da3_pool *p = a->p;
    const int id = a->id;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && !p->head)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop)
            break;
        batch *b = p->head;
        const long job = b->next++;
        if (b->next == b->n) /* every job of it handed out */
            p->head = b->link, p->tail = p->head ? p->tail : NULL;
        pthread_mutex_unlock(&p->mu);
        const int rc = b->fn(b->ctx, job, id);
        pthread_mutex_lock(&p->mu);
        if (b->rc)
            b->rc[job] = rc;
        if (rc)
            p->failed++;
        if (++b->done == b->n)
            free(b);
        if (--p->outstanding == 0)
            pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int da3_pool_submit(da3_pool *p, long n, da3_pool_fn fn, void *ctx, int *rc)
{
    if (n <= 0)
        return 0;
    batch *b = calloc(1, sizeof *b);
    if (!b)
        return DA3_ENOMEM;
    *b = (batch){.fn = fn, .ctx = ctx, .rc = rc, .n = n};
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->link = b;
    else
        p->head = b;
    p->tail = b;
    p->outstanding += n;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

long da3_pool_wait(da3_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->outstanding > 0)
        pthread_cond_wait(&p->idle, &p->mu);
    const long failed = p->failed;
    p->failed = 0;
    pthread_mutex_unlock(&p->mu);
    return failed;
}

long da3_pool_map(da3_pool *p, long n, da3_pool_fn fn, void *ctx, int *rc)
{
    int e = da3_pool_submit(p, n, fn, ctx, rc);
    return e ? e : da3_pool_wait(p);
}

void da3_pool_free(da3_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    /* cancel what has not started */
    for (batch *b = p->head; b;) {
        batch *next = b->link;
        for (long j = b->next; j < b->n; j++) {
            if (b->rc)
                b->rc[j] = DA3_ECANCELLED;
            b->done++;
        }
        b->next = b->n;
        if (b->done == b->n)
            free(b);
        b = next;
    }
    p->head = p->tail = NULL;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->idle);
    free(p->threads);
    free(p->args);
    free(p);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int da3_pool_autotune(int max_workers, long jobs, da3_pool_fn fn, void *ctx,
                      da3_pool_trial *table, int *ntable)
{
    static const int counts[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256};
    if (max_workers < 1 || jobs < 1)
        return DA3_EARG;
    int n = 0, below = 0;
    double best = 0;
    for (size_t i = 0; i < sizeof counts / sizeof *counts && counts[i] <= max_workers; i++) {
        da3_pool *p = da3_pool_new(counts[i]);
        if (!p)
            break;
        /* one untimed round warms the workers' caches and buffers */
        const long batch_jobs = jobs > counts[i] ? jobs : counts[i];
        da3_pool_map(p, counts[i], fn, ctx, NULL);
        const double t0 = now_s();
        da3_pool_map(p, batch_jobs, fn, ctx, NULL);
        const double dt = now_s() - t0;
        da3_pool_free(p);
        const double rate = dt > 0 ? (double)batch_jobs / dt : 0;
        table[n++] = (da3_pool_trial){counts[i], dt, rate};
        if (rate > best)
            best = rate, below = 0;
        else if (rate < 0.9 * best && ++below == 2)
            break;
    }
    *ntable = n;
    if (!n) /* not even one pool could be made */
        return DA3_ETHREAD;
    for (int i = 0; i < n; i++)
        if (table[i].jobs_per_s >= 0.97 * best)
            return table[i].workers;
    return table[0].workers;
}
