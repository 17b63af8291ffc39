/*
 * The prefetch pipeline: every batch computed once and in order at every
 * depth and loader count; the queue never holds more than `depth` batches
 * ahead; a compute error while the queue is full and a loader error while
 * it is empty both end the run promptly with that batch's error; the MLP
 * against its double forward; identical checksums for sequential and
 * prefetch; the bound formula. alarm() turns a deadlock into a failure.
 */
#include "prefetch.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"


typedef struct {
    long seen[256];
    int nseen;
    int fail_load_at, fail_compute_at;
    int load_us, compute_us;
    atomic_int loads;
} probe;

static int p_load(void *ctx, long batch, float *buf, int loader)
{
    probe *p = ctx;
    (void)loader;
    if (p->load_us)
        usleep((useconds_t)p->load_us);
    atomic_fetch_add(&p->loads, 1);
    buf[0] = (float)batch, buf[1] = (float)(batch * 3);
    return batch == p->fail_load_at ? -77 : 0;
}

static int p_compute(void *ctx, long batch, const float *buf)
{
    probe *p = ctx;
    if (p->compute_us)
        usleep((useconds_t)p->compute_us);
    if (buf[0] != (float)batch || buf[1] != (float)(batch * 3))
        return -55; /* the buffer holds another batch */
    if (p->nseen < 256)
        p->seen[p->nseen++] = batch;
    return batch == p->fail_compute_at ? -66 : 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *g_out;
static double g_sum;
static da3_mlp *g_mlp;

static int m_load(void *ctx, long batch, float *buf, int loader)
{
    (void)ctx, (void)loader;
    return da3_pf_sim_fill(batch, buf, 8 * 64, 0.2);
}

static int m_compute(void *ctx, long batch, const float *buf)
{
    (void)ctx;
    da3_mlp_forward(g_mlp, buf, g_out, 1);
    for (int i = 0; i < 8 * 16; i++)
        g_sum += g_out[i] * (double)(batch + 1);
    return 0;
}

/* a counting allocator: the batch buffers come from it and go back to it */
typedef struct {
    int allocs, releases;
    size_t bytes;
} counting;

static void *c_alloc(size_t bytes, void *ctx)
{
    counting *k = ctx;
    k->allocs++, k->bytes += bytes;
    return malloc(bytes);
}

static void c_release(void *p, void *ctx)
{
    ((counting *)ctx)->releases++;
    free(p);
}

int main(void)
{
    alarm(120);
    static const int depths[] = {0, 1, 2, 4}, loaders[] = {1, 3};
    for (int d = 0; d < 4; d++)
        for (int l = 0; l < 2; l++) {
            probe p = {.fail_load_at = -1, .fail_compute_at = -1, .compute_us = 300};
            da3_pf_config c = {
                .batches = 40, .depth = depths[d], .loaders = loaders[l], .batch_floats = 2};
            da3_pf_stats st = {0};
            int rc = da3_pf_run(&c, p_load, p_compute, &p, &st);
            int ordered = p.nseen == 40;
            for (int i = 0; i < p.nseen; i++)
                ordered &= p.seen[i] == i;
            CHECK(rc == 0 && ordered && atomic_load(&p.loads) == 40,
                  "depth %d, %d loaders: 40 batches once, in order (rc %d, seen %d)", depths[d],
                  loaders[l], rc, p.nseen);
            CHECK(st.max_ahead <= depths[d], "depth %d: at most %d ahead, saw %d", depths[d],
                  depths[d], st.max_ahead);
            if (depths[d] >= 2)
                CHECK(st.max_ahead >= 1, "depth %d: loaders run ahead", depths[d]);
        }

    /* compute fails while the queue is full (fast loaders, slow compute) */
    probe p = {.fail_load_at = -1, .fail_compute_at = 3, .compute_us = 20000};
    da3_pf_config c = {.batches = 100, .depth = 4, .loaders = 2, .batch_floats = 2};
    da3_pf_stats st = {0};
    double t0 = now();
    int rc = da3_pf_run(&c, p_load, p_compute, &p, &st);
    CHECK(rc == -66 && st.error_batch == 3 && now() - t0 < 1.0,
          "compute error with a full queue: rc %d at batch %ld in %.2f s", rc, st.error_batch,
          now() - t0);
    CHECK(atomic_load(&p.loads) <= 3 + 1 + 4 + 2, "loaders stopped (%d loads)",
          atomic_load(&p.loads));

    /* a loader fails while the queue is empty (slow loader, fast compute) */
    probe q = {.fail_load_at = 5, .fail_compute_at = -1, .load_us = 5000};
    c = (da3_pf_config){.batches = 100, .depth = 2, .loaders = 1, .batch_floats = 2};
    t0 = now();
    rc = da3_pf_run(&c, p_load, p_compute, &q, &st);
    CHECK(rc == -77 && st.error_batch == 5 && q.nseen == 5 && now() - t0 < 1.0,
          "loader error reaches the consumer: rc %d at batch %ld, %d computed", rc, st.error_batch,
          q.nseen);
    c.depth = 0;
    probe q0 = {.fail_load_at = 5, .fail_compute_at = -1};
    rc = da3_pf_run(&c, p_load, p_compute, &q0, &st);
    CHECK(rc == -77 && st.error_batch == 5, "sequential loader error");
    c = (da3_pf_config){.batches = 10, .depth = 2, .loaders = 0, .batch_floats = 2};
    CHECK(da3_pf_run(&c, p_load, p_compute, &q0, &st) == DA3_EARG, "0 loaders refused");

    /* the caller's allocator (the CUDA pipeline's pinned memory) */
    for (int d = 0; d <= 3; d += 3) {
        counting k = {0};
        probe pa = {.fail_load_at = -1, .fail_compute_at = -1};
        c = (da3_pf_config){.batches = 12, .depth = d, .loaders = 1, .batch_floats = 5,
                            .alloc = c_alloc, .release = c_release, .alloc_ctx = &k};
        rc = da3_pf_run(&c, p_load, p_compute, &pa, &st);
        const size_t want = sizeof(float) * 5 * (size_t)(d + 1);
        CHECK(rc == 0 && pa.nseen == 12 && k.allocs == 1 && k.releases == 1 && k.bytes == want,
              "depth %d: buffers from the allocator (rc %d, %d allocs, %d releases, %zu bytes, "
              "want %zu)",
              d, rc, k.allocs, k.releases, k.bytes, want);
    }
    c.release = NULL;
    CHECK(da3_pf_run(&c, p_load, p_compute, &q0, &st) == DA3_EARG,
          "an allocator without release refused");

    /* the MLP, and identical checksums */
    static const int dims[] = {64, 128, 96, 16};
    g_mlp = da3_mlp_new(8, dims, 4, 7);
    g_out = malloc(sizeof(float) * 8 * 16);
    float in[8 * 64];
    da3_pf_sim_fill(0, in, 8 * 64, 0);
    da3_mlp_forward(g_mlp, in, g_out, 1);
    CHECK(da3_mlp_check_row(g_mlp, in, g_out, 7) < 1e-5, "MLP against its double forward");
    CHECK(fabs(da3_mlp_flops(g_mlp) - 2.0 * 8 * (64 * 128 + 128 * 96 + 96 * 16)) < 1, "flops");
    double sums[4];
    for (int d = 0; d < 4; d++) {
        g_sum = 0;
        da3_pf_config mc = {
            .batches = 20, .depth = depths[d], .loaders = 2, .batch_floats = 8 * 64};
        CHECK(da3_pf_run(&mc, m_load, m_compute, NULL, &st) == 0, "mlp run depth %d", depths[d]);
        sums[d] = g_sum;
    }
    CHECK(sums[0] == sums[1] && sums[0] == sums[2] && sums[0] == sums[3] && sums[0] != 0,
          "checksums identical: %.17g %.17g %.17g %.17g", sums[0], sums[1], sums[2], sums[3]);
    da3_mlp_free(g_mlp);
    free(g_out);

    /* the bound: n * max(io, c) + min(io, c) */
    CHECK(da3_pf_bound(50, 10, 8) == 508 && da3_pf_bound(50, 8, 10) == 508, "bound 50x10+8");
    CHECK(da3_pf_bound(1, 3, 5) == 8 && da3_pf_bound(10, 0, 4) == 40, "bound edge cases");
    printf("prefetch: %d failures\n", failures);
    return failures != 0;
}
