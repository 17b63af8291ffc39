#include "prefetch.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

enum { SLOT_FREE, SLOT_LOADING, SLOT_READY };

typedef struct {
    int state;
    long batch;
    int rc;
    float *buf;
} slot;

typedef struct {
    const da3_pf_config *c;
    da3_pf_load_fn load;
    void *ctx;
    da3_pf_stats *st;
    slot *slots;
    int nbuf;
    long next_load, consuming;
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t changed;
} runner;

typedef struct {
    runner *r;
    int id;
} loader_arg;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double da3_pf_bound(long n, double io, double c)
{
    return (double)n * (io > c ? io : c) + (io < c ? io : c);
}

static void *loader_main(void *arg)
{
    loader_arg *a = arg;
    runner *r = a->r;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        const long b = r->next_load;
        if (r->stop || b >= r->c->batches)
            break;
        slot *s = &r->slots[b % r->nbuf];
        if (s->state != SLOT_FREE) { /* its previous batch is still in use */
            pthread_cond_wait(&r->changed, &r->mu);
            continue;
        }
        r->next_load++;
        s->state = SLOT_LOADING;
        s->batch = b;
        pthread_mutex_unlock(&r->mu);
        const double t0 = now_s();
        const int rc = r->load(r->ctx, b, s->buf, a->id);
        const double dt = now_s() - t0;
        pthread_mutex_lock(&r->mu);
        if (r->st->io_s)
            r->st->io_s[b] = dt;
        s->rc = rc;
        s->state = SLOT_READY;
        int ahead = 0;
        for (int k = 0; k < r->nbuf; k++)
            ahead += r->slots[k].state == SLOT_READY && r->slots[k].batch > r->consuming;
        if (ahead > r->st->max_ahead)
            r->st->max_ahead = ahead;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static float *buf_alloc(const da3_pf_config *c, size_t floats)
{
    const size_t bytes = sizeof(float) * (floats ? floats : 1);
    return c->alloc ? c->alloc(bytes, c->alloc_ctx) : malloc(bytes);
}

static void buf_free(const da3_pf_config *c, float *p)
{
    if (c->alloc)
        c->release(p, c->alloc_ctx);
    else
        free(p);
}

static int run_sequential(const da3_pf_config *c, da3_pf_load_fn load, da3_pf_compute_fn compute,
                          void *ctx, da3_pf_stats *st)
{
    float *buf = buf_alloc(c, c->batch_floats);
    if (!buf)
        return DA3_ENOMEM;
    int rc = 0;
    for (long b = 0; b < c->batches && !rc; b++) {
        double t0 = now_s();
        rc = load(ctx, b, buf, 0);
        double t1 = now_s();
        if (st->io_s)
            st->io_s[b] = t1 - t0;
        if (!rc)
            rc = compute(ctx, b, buf);
        if (st->compute_s)
            st->compute_s[b] = now_s() - t1;
        if (rc)
            st->error_batch = b, st->error = rc;
    }
    buf_free(c, buf);
    return rc;
}

int da3_pf_run(const da3_pf_config *c, da3_pf_load_fn load, da3_pf_compute_fn compute,
               void *ctx, da3_pf_stats *st)
{
    if (!c || c->batches < 0 || c->depth < 0 || (c->depth > 0 && c->loaders < 1) || !st ||
        (c->alloc && !c->release))
        return DA3_EARG;
    st->error_batch = -1, st->error = 0, st->max_ahead = 0;
    const double start = now_s();
    if (c->depth == 0) {
        int rc = run_sequential(c, load, compute, ctx, st);
        st->total_s = now_s() - start;
        return rc;
    }
    runner r = {.c = c, .load = load, .ctx = ctx, .st = st, .nbuf = c->depth + 1, .consuming = 0};
    r.slots = calloc((size_t)r.nbuf, sizeof *r.slots);
    float *mem = buf_alloc(c, (c->batch_floats ? c->batch_floats : 1) * (size_t)r.nbuf);
    pthread_t *th = calloc((size_t)c->loaders, sizeof *th);
    loader_arg *args = calloc((size_t)c->loaders, sizeof *args);
    if (!r.slots || !mem || !th || !args) {
        free(r.slots), free(th), free(args);
        if (mem)
            buf_free(c, mem);
        return DA3_ENOMEM;
    }
    for (int k = 0; k < r.nbuf; k++)
        r.slots[k] = (slot){SLOT_FREE, -1, 0, mem + (size_t)k * c->batch_floats};
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.changed, NULL);
    int started = 0, rc = 0;
    for (int i = 0; i < c->loaders; i++) {
        args[i] = (loader_arg){&r, i};
        if (pthread_create(&th[i], NULL, loader_main, &args[i]))
            break;
        started++;
    }
    if (!started)
        rc = DA3_ETHREAD;
    for (long b = 0; b < c->batches && !rc; b++) {
        slot *s = &r.slots[b % r.nbuf];
        pthread_mutex_lock(&r.mu);
        r.consuming = b;
        while (!(s->state == SLOT_READY && s->batch == b))
            pthread_cond_wait(&r.changed, &r.mu);
        pthread_mutex_unlock(&r.mu);
        if (s->rc) {
            rc = s->rc;
            st->error_batch = b, st->error = rc;
            break;
        }
        const double t0 = now_s();
        rc = compute(ctx, b, s->buf);
        if (st->compute_s)
            st->compute_s[b] = now_s() - t0;
        if (rc) {
            st->error_batch = b, st->error = rc;
            break;
        }
        pthread_mutex_lock(&r.mu);
        s->state = SLOT_FREE;
        r.consuming = b + 1; /* the next to compute: "ahead" counts past it */
        pthread_cond_broadcast(&r.changed);
        pthread_mutex_unlock(&r.mu);
    }
    /* stop: loaders waiting for a free slot wake up and leave */
    pthread_mutex_lock(&r.mu);
    r.stop = 1;
    pthread_cond_broadcast(&r.changed);
    pthread_mutex_unlock(&r.mu);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    st->total_s = now_s() - start;
    pthread_mutex_destroy(&r.mu);
    pthread_cond_destroy(&r.changed);
    free(r.slots), free(th), free(args);
    buf_free(c, mem);
    return rc;
}

int da3_pf_sim_fill(long batch, float *buf, size_t n, double io_ms)
{
    if (io_ms > 0) {
        struct timespec ts = {(time_t)(io_ms / 1000), (long)(fmod(io_ms, 1000.0) * 1e6)};
        while (nanosleep(&ts, &ts))
            ;
    }
    uint32_t s = (uint32_t)batch * 2654435761u + 12345u;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        buf[i] = (float)(s >> 8) * (1.0f / 16777216.0f) - 0.5f;
    }
    return 0;
}
