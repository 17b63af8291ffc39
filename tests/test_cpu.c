/* CPU detection, the ISA override, the parallel for, and the peak probes. */
#include "attention.h"
#include "blas.h"
#include "cpu.h"
#include "host.h"
#include "par.h"
#include "resample.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

/* ThreadSanitizer cannot start threads in the child of a threaded fork():
 * that one check is skipped under it (and says so) */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif


static atomic_int hits[1000];
static atomic_int bad_tid;
static int max_tid;

static void count_task(void *ctx, long task, int tid)
{
    (void)ctx;
    atomic_fetch_add(&hits[task], 1);
    if (tid < 0 || tid >= max_tid)
        atomic_store(&bad_tid, 1);
}

/* a task that runs a parallel for of its own (the pool is busy: the inner
 * call gets threads of its own) */
static atomic_long inner_sum;
static void inner_task(void *ctx, long task, int tid)
{
    (void)ctx;
    (void)tid;
    atomic_fetch_add(&inner_sum, task + 1);
}
static void outer_task(void *ctx, long task, int tid)
{
    (void)ctx;
    (void)task;
    (void)tid;
    da3_par_for(2, 10, inner_task, NULL);
}

/* two threads that call the parallel for at once, many times */
static atomic_long sum_tasks;
static void add_task(void *ctx, long task, int tid)
{
    (void)ctx;
    (void)tid;
    atomic_fetch_add(&sum_tasks, task);
}
static void *caller_main(void *arg)
{
    (void)arg;
    for (int i = 0; i < 300; i++)
        da3_par_for(2, 100, add_task, NULL);
    return NULL;
}

static void check_pool(void)
{
    /* back-to-back calls at widths that grow and shrink reuse the workers */
    long want = 0;
    atomic_store(&sum_tasks, 0);
    for (int i = 0; i < 2000; i++) {
        int w = 1 + i % 5;
        CHECK(da3_par_for(w, 64, add_task, NULL) == 0, "call %d", i);
        want += 64 * 63 / 2;
    }
    CHECK(atomic_load(&sum_tasks) == want, "2000 calls: every task once (%ld, want %ld)",
          atomic_load(&sum_tasks), want);

    atomic_store(&inner_sum, 0);
    CHECK(da3_par_for(2, 8, outer_task, NULL) == 0, "nested call");
    CHECK(atomic_load(&inner_sum) == 8 * 55, "nested: each inner task once (%ld)",
          atomic_load(&inner_sum));

    atomic_store(&sum_tasks, 0);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, caller_main, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CHECK(atomic_load(&sum_tasks) == 2L * 300 * 4950, "two callers at once (%ld)",
          atomic_load(&sum_tasks));

    /* a child of fork() has none of the parent's workers: it starts its own */
    if (UNDER_TSAN) {
        printf("skipped under ThreadSanitizer: parallel for in a child of fork()\n");
        return;
    }
    /* qemu-user cannot fork a process whose threads it runs: the child
     * dies on its own assertion ("cpu == current_cpu", accel/tcg) or hangs;
     * the native runs test this */
    if (da3_host_emulated()) {
        printf("skipped under emulation: parallel for in a child of fork()\n");
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        atomic_store(&sum_tasks, 0);
        int rc = da3_par_for(3, 100, add_task, NULL);
        _exit(rc == 0 && atomic_load(&sum_tasks) == 4950 ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0,
          "parallel for in a child of fork()");
}

/* The one dispatch of every family (cpu.h): the mask holds the selected
 * level and the ones below it; C alone gives the C tables; each level here
 * gives tables of its own, different from every other level's. */
static void test_dispatch(void)
{
    da3_attn_fns attn[DA3_ISA_COUNT];
    da3_pp_fns pp[DA3_ISA_COUNT];
    da3_fma_fns fma[DA3_ISA_COUNT];
    for (int i = 0; i < DA3_ISA_COUNT; i++) {
        if (!da3_cpu_has(i))
            continue;
        const unsigned m = da3_isa_mask_upto(i);
        CHECK((m & DA3_ISA_BIT(i)) && (m & DA3_ISA_BIT(DA3_ISA_SCALAR)) && m < 2 * DA3_ISA_BIT(i),
              "mask up to %s: %#x", da3_isa_name(i), m);
        da3_cpu_set_isa(i);
        CHECK(da3_cpu_isa_mask() == m, "the selected level's mask: %#x", da3_cpu_isa_mask());
        da3_attn_dsp_init(&attn[i], m);
        da3_pp_dsp_init(&pp[i], m);
        da3_fma_dsp_init(&fma[i], m);
        for (int j = 0; j < i; j++) {
            if (!da3_cpu_has(j))
                continue;
            CHECK(attn[i].flash != attn[j].flash && attn[i].blas != attn[j].blas,
                  "attention: %s and %s share a table", da3_isa_name(i), da3_isa_name(j));
            CHECK(pp[i].apply != pp[j].apply && pp[i].ycc != pp[j].ycc,
                  "preprocess: %s and %s share a table", da3_isa_name(i), da3_isa_name(j));
            CHECK(fma[i].loop != fma[j].loop, "fma: %s and %s share a loop", da3_isa_name(i),
                  da3_isa_name(j));
        }
    }
    da3_attn_fns a;
    da3_pp_fns p;
    da3_attn_dsp_init(&a, DA3_ISA_BIT(DA3_ISA_SCALAR));
    da3_pp_dsp_init(&p, DA3_ISA_BIT(DA3_ISA_SCALAR));
    CHECK(!memcmp(&a, &da3_attn_fns_scalar, sizeof a) && !memcmp(&p, &da3_pp_fns_scalar, sizeof p),
          "C alone gives the C tables");
    /* a mask is a set: the best level alone, without the ones below it */
    const da3_isa best = da3_cpu_best_isa();
    da3_attn_dsp_init(&a, DA3_ISA_BIT(DA3_ISA_SCALAR) | DA3_ISA_BIT(best));
    CHECK(a.flash == attn[best].flash, "the best level alone");
    da3_cpu_set_isa(best);
}

/* OpenBLAS's generic fallback is corrected only where the CPU has better
 * kernels to give; every other choice stands (kernels/cpu/blas.h). */
static void test_blas_core(void)
{
    CHECK(!da3_blas_core_for("SkylakeX", 1, 1) && !da3_blas_core_for("Zen", 0, 1) &&
              !da3_blas_core_for("Haswell", 0, 1) && !da3_blas_core_for(NULL, 1, 1) &&
              !da3_blas_core_for("Prescott", 0, 0),
          "blas core: a chosen core, or no better ISA, stands");
#ifndef DA3_HAVE_ACCELERATE
    const char *a = da3_blas_core_for("Prescott", 1, 1), *b = da3_blas_core_for("Prescott", 0, 1);
    CHECK(a && !strcmp(a, "SkylakeX") && b && !strcmp(b, "Haswell"),
          "blas core: Prescott on AVX-512 -> %s, on AVX2 -> %s", a ? a : "-", b ? b : "-");
#endif
    CHECK(da3_blas_core() && *da3_blas_core(), "blas core named: %s", da3_blas_core());
}

int main(void)
{
    CHECK(da3_cpu_init() == 0, "init: %s", da3_cpu_error());
    test_blas_core();
    CHECK(da3_cpu_has(DA3_ISA_SCALAR), "scalar always there");
    CHECK(da3_cpu_isa() == da3_cpu_best_isa(), "best selected by default");
    CHECK(da3_isa_parse("avx2") == DA3_ISA_AVX2 && da3_isa_parse("sse9") == -1, "parse");
    for (int i = 0; i < DA3_ISA_COUNT; i++)
        CHECK((da3_cpu_set_isa(i) == 0) == da3_cpu_has(i), "set_isa %s", da3_isa_name(i));
    da3_cpu_set_isa(da3_cpu_best_isa());
    test_dispatch();
    CHECK(da3_cpu_count() >= 1 && da3_cpu_phys_mem() > 0, "cores and memory");

    static const int threads[] = {1, 2, 3, 8};
    static const long tasks[] = {0, 1, 2, 7, 1000};
    for (size_t t = 0; t < 4; t++)
        for (size_t n = 0; n < 5; n++) {
            for (int i = 0; i < 1000; i++)
                atomic_store(&hits[i], 0);
            max_tid = threads[t];
            int rc = da3_par_for(threads[t], tasks[n], count_task, NULL);
            int ok = rc == 0;
            for (long i = 0; i < 1000; i++)
                ok &= atomic_load(&hits[i]) == (i < tasks[n]);
            CHECK(ok, "par_for %d threads, %ld tasks: each task once", threads[t], tasks[n]);
        }
    CHECK(!atomic_load(&bad_tid), "tid within [0, nthreads)");
    check_pool();

    double peak = da3_cpu_peak_gflops(1, 0.02, 1);
    /* under qemu-user the emulator's speed is measured: only its sign counts */
    CHECK(peak > (da3_host_emulated() ? 0.0 : 0.5), "peak %.2f GFLOP/s", peak);
    setenv("DA3BENCH_EMULATED", "1", 1);
    CHECK(da3_host_emulated() == 1, "DA3BENCH_EMULATED=1 says emulated");
    setenv("DA3BENCH_EMULATED", "0", 1);
    CHECK(da3_host_emulated() == 0, "DA3BENCH_EMULATED=0 overrides the detection");
    unsetenv("DA3BENCH_EMULATED");
    char model[128];
    da3_cpu_model(model, sizeof model);
    CHECK(model[0] && strcmp(model, "unknown"), "a CPU name: %s", model);
    CHECK(da3_cpu_peak_gflops(0, 0.02, 1) < 0, "0 threads refused");
    /* every level present: the sweep keeps one of the compiled counts, and
     * the loop at that count does the flops it says */
    for (int i = 0; i < DA3_ISA_COUNT; i++) {
        if (!da3_cpu_has((da3_isa)i)) {
            CHECK(da3_cpu_peak_accs((da3_isa)i) < 0 &&
                      da3_cpu_peak_gflops_isa((da3_isa)i, 1, 0.01, 1) < 0,
                  "%s absent: no peak", da3_isa_name((da3_isa)i));
            continue;
        }
        const int accs = da3_cpu_peak_accs((da3_isa)i);
        CHECK(accs >= 4 && accs <= 32, "%s: %d accumulators", da3_isa_name((da3_isa)i), accs);
        double p = da3_cpu_peak_gflops_isa((da3_isa)i, 1, 0.01, 1);
        /* a loop folded away by the compiler reads as an absurd rate */
        CHECK(p > (da3_host_emulated() ? 0.0 : 0.1) && p < 1000, "%s peak %.2f GFLOP/s (1 thread)",
              da3_isa_name((da3_isa)i), p);
    }
    /* the bf16 unit: detected or said missing, never assumed; where it is,
     * the loop does the flops it says, at 0.3 to 4.8 times an fp32 FMA's
     * rate (one vdpbf16ps: 64 flops on 512 bits, one FMA: 32; an Intel Xeon
     * of family 6 model 207 measured 0.49-0.50, a Zen 4 2.0) */
    const char *why = da3_cpu_bf16_missing();
    if (why) {
        CHECK(da3_cpu_bf16_peak_gflops(1, 0.01, 1) < 0 && da3_cpu_bf16_work(1, 10) < 0 &&
                  da3_cpu_bf16_accs() < 0,
              "bf16 missing (%s): no peak", why);
    } else {
        const double bf = da3_cpu_bf16_peak_gflops(1, 0.02, 2);
        const double fp = da3_cpu_peak_gflops_isa(DA3_ISA_AVX512, 1, 0.02, 2);
        CHECK(da3_host_emulated() || (bf > 0.3 * fp && bf < 4.8 * fp),
              "bf16 peak %.1f GFLOP/s beside fp32 %.1f (1 thread)", bf, fp);
        const int accs = da3_cpu_bf16_accs();
        CHECK(accs >= 8 && accs <= 28 && da3_cpu_bf16_work(2, 100) == 2 * 100 * 64.0 * accs,
              "bf16: %d accumulators, 64 flops each per round", accs);
        da3_cpu_set_isa(DA3_ISA_AVX2);
        CHECK(da3_cpu_bf16_missing() != NULL, "bf16 off with a level below avx512 selected");
        da3_cpu_set_isa(da3_cpu_best_isa());
    }
    double bw = da3_cpu_triad_gbs(1, 1 << 20, 1);
    CHECK(bw > 0.1, "triad %.2f GB/s", bw);
    CHECK(da3_triad_new(0, 1) == NULL, "empty triad refused");
    printf("cpu: best ISA %s, 1-thread peak %.1f GFLOP/s, %d failures\n",
           da3_isa_name(da3_cpu_best_isa()), peak, failures);
    return failures != 0;
}
