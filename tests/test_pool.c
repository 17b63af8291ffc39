/*
 * The pools: results in input order, per-job errors, shutdown with jobs
 * pending (prompt, the unstarted ones cancelled), the process pool's copies
 * and a worker that dies mid-job, and auto-tuning's range. alarm() bounds
 * the whole test so a deadlock fails instead of hanging. And the one error
 * convention they share with the kernels (status.h): every code negative,
 * distinct, and named by da3_strerror.
 */
#include "pool.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"


static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Every da3_status from DA3_ESHAPE down to DA3_EDEVICE has its own line;
 * anything else reads as unknown. */
static void test_status(void)
{
    const char *seen[32] = {0};
    int n = 0;
    CHECK(!strcmp(da3_strerror(DA3_OK), "success"), "DA3_OK reads as success");
    for (int c = DA3_ESHAPE; c >= DA3_EDEVICE; c--) {
        const char *m = da3_strerror(c);
        CHECK(m && *m && strcmp(m, "unknown error code"), "code %d has a message", c);
        for (int k = 0; k < n; k++)
            CHECK(strcmp(seen[k], m), "codes %d and %d read the same: %s", c, -1 - k, m);
        if (n < 32)
            seen[n++] = m;
    }
    CHECK(!strcmp(da3_strerror(DA3_EDEVICE - 1), "unknown error code") &&
              !strcmp(da3_strerror(1), "unknown error code"),
          "codes outside the enum read as unknown");
    CHECK(DA3_ECANCELLED < 0 && DA3_EWORKER < 0 && DA3_ECANCELLED != DA3_EWORKER,
          "the pools' codes are statuses");
}

static long out[1000];
static atomic_int ran;

static int square_job(void *ctx, long job, int worker)
{
    (void)ctx, (void)worker;
    usleep((useconds_t)((job * 7919) % 500)); /* finish out of order */
    out[job] = job * job;
    atomic_fetch_add(&ran, 1);
    return job % 7 == 0 ? -5 : 0;
}

static int slow_job(void *ctx, long job, int worker)
{
    (void)ctx, (void)job, (void)worker;
    usleep(20000);
    atomic_fetch_add(&ran, 1);
    return 0;
}

static int fill_job(void *ctx, long job, int worker, void *buf)
{
    (void)ctx, (void)worker;
    if (job == 5)
        _exit(3); /* a worker dies mid-job */
    long *b = buf;
    for (int i = 0; i < 4096; i++)
        b[i] = job * 100000 + i;
    return job == 9 ? -9 : 0;
}

static int spin_job(void *ctx, long job, int worker)
{
    (void)ctx, (void)job, (void)worker;
    volatile double x = 0;
    for (int i = 0; i < 200000; i++)
        x += i * 0.5;
    return x < 0; /* read: the loop is the job's work */
}

int main(void)
{
    test_status();
    alarm(120);
    /* order and per-job errors, twice on the same pool */
    da3_pool *p = da3_pool_new(4);
    CHECK(p && da3_pool_workers(p) == 4, "pool of 4");
    for (int round = 0; round < 2; round++) {
        static int rc[1000];
        memset(out, 0, sizeof out);
        atomic_store(&ran, 0);
        long failed = da3_pool_map(p, 1000, square_job, NULL, rc);
        int ok = 1;
        for (long j = 0; j < 1000; j++)
            ok &= out[j] == j * j && rc[j] == (j % 7 == 0 ? -5 : 0);
        CHECK(ok && failed == 143 && atomic_load(&ran) == 1000,
              "round %d: every slot in order, 143 failed (got %ld)", round, failed);
    }
    da3_pool_free(p);

    /* shutdown with jobs pending */
    static int rc2[200];
    for (int j = 0; j < 200; j++)
        rc2[j] = 12345;
    atomic_store(&ran, 0);
    p = da3_pool_new(2);
    da3_pool_submit(p, 200, slow_job, NULL, rc2);
    usleep(30000);
    double t0 = now();
    da3_pool_free(p);
    double dt = now() - t0;
    int cancelled = 0, done = 0, other = 0;
    for (int j = 0; j < 200; j++)
        cancelled += rc2[j] == DA3_ECANCELLED, done += rc2[j] == 0,
            other += rc2[j] != 0 && rc2[j] != DA3_ECANCELLED;
    CHECK(dt < 0.5, "free with pending jobs returns promptly (%.3f s)", dt);
    CHECK(cancelled > 150 && done == atomic_load(&ran) && cancelled + done == 200 && !other,
          "pending jobs cancelled: %d cancelled, %d done", cancelled, done);
    CHECK(da3_pool_new(0) == NULL, "0 workers refused");

    /* the process pool: copies in order, a dead worker fails its job only */
    da3_ppool *pp = da3_ppool_new(3, fill_job, NULL, 4096 * sizeof(long));
    CHECK(pp != NULL, "process pool");
    if (pp) {
        long *buf = calloc(20 * 4096, sizeof *buf);
        int rc3[20];
        long failed = da3_ppool_map(pp, 20, buf, rc3);
        int ok = 1;
        for (long j = 0; j < 20; j++)
            if (j != 5 && j != 9)
                ok &= rc3[j] == 0 && buf[j * 4096] == j * 100000 &&
                      buf[j * 4096 + 4095] == j * 100000 + 4095;
        CHECK(ok, "process pool results in their slots");
        CHECK(rc3[5] == DA3_EWORKER && rc3[9] == -9 && failed == 2,
              "dead worker fails its job (rc %d), job error kept (rc %d), failed %ld", rc3[5],
              rc3[9], failed);
        /* the pool still works with the workers left */
        failed = da3_ppool_map(pp, 4, buf, rc3);
        CHECK(failed == 0 && rc3[0] == 0 && rc3[3] == 0 && buf[3 * 4096] == 300000,
              "second map on the two survivors (failed %ld)", failed);
        da3_ppool_free(pp);
        free(buf);
    }

    /* auto-tuning stays in range and reports what it measured */
    da3_pool_trial table[16];
    int n = 0;
    int best = da3_pool_autotune(8, 16, spin_job, NULL, table, &n);
    CHECK(best >= 1 && best <= 8 && n >= 1 && table[0].workers == 1,
          "autotune chose %d of %d trials", best, n);
    int listed = 0;
    for (int i = 0; i < n; i++) {
        listed |= table[i].workers == best;
        CHECK(table[i].jobs_per_s > 0, "trial rate");
    }
    CHECK(listed, "the choice is one of the measured counts");
    /* the errors are the kernels' codes, as everywhere (status.h) */
    CHECK(da3_pool_autotune(0, 16, spin_job, NULL, table, &n) == DA3_EARG, "0 workers accepted");
    CHECK(da3_pool_autotune(4, 0, spin_job, NULL, table, &n) == DA3_EARG, "0 jobs accepted");
    printf("pool: %d failures\n", failures);
    return failures != 0;
}
