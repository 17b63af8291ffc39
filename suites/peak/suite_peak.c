/*
 * The peak suite: what this machine can do, measured, so every other
 * result can say what fraction of it it reached.
 *   peak/fma/threads:T    FMA loop at the best ISA on T threads: GFLOPS
 *   peak/triad/threads:T  STREAM triad a = b + s*c over 3 x 128 MiB: GB_per_s
 *   peak/bf16_dot/threads:T  AVX512-BF16's vdpbf16ps loop: GFLOPS (2 per bf16
 *                         multiply-add); where the unit is missing, listed as
 *                         skipped with why, and the reason in the JSON context
 * T is 1 and all cores, plus the --threads values.
 */
#include "cpu.h"
#include "suite.h"
#include "gbench.h"
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRIAD_FLOATS ((size_t)1 << 25) /* 128 MiB per array: far past any L3 here */

typedef struct peak_run peak_run;

/* a case: the thread count, and the run it belongs to */
typedef struct {
    int threads;
    peak_run *run;
} peak_case;

/* What the suite keeps for one run (suite.h): its cases, the triad arrays
 * of the last thread count. */
struct peak_run {
    peak_case cases[DA3_SWEEP_MAX + 2];
    int npeak;
    da3_triad *triad;
    int triad_threads;
};

static void peak_cleanup(void *p)
{
    peak_run *run = p;
    da3_triad_free(run->triad);
    free(run);
}

/* a throughput loop timed: `iters` rounds a call on t threads, GFLOPS;
 * one untimed call first (the bf16 loop sweeps its accumulator count on
 * its first call: inside the loop, that read as a repetition at 13
 * GFLOP/s) */
static void loop_body(gb_state *st, int t, double (*work)(int, long), long iters,
                      const char *label)
{
    if (work(t, iters / 10) < 0) {
        gb_skip_with_error(st, "the loop could not run (threads, or the unit is missing)");
        return;
    }
    double flops = 0, total = 0;
    while (gb_keep_running(st)) {
        double t0 = da3_now();
        double f = work(t, iters);
        double dt = da3_now() - t0;
        if (f < 0) {
            gb_skip_with_error(st, "could not start the threads");
            return;
        }
        flops += f, total += dt;
    }
    gb_counter(st, "GFLOPS", total > 0 ? flops / total * 1e-9 : 0, GB_COUNTER_DEFAULT);
    gb_set_label(st, label);
}

static void fma_body(gb_state *st, void *arg)
{
    char label[64];
    snprintf(label, sizeof label, "%s, %d accumulators", da3_isa_name(da3_cpu_best_isa()),
             da3_cpu_peak_accs(da3_cpu_best_isa()));
    /* about 10-20 ms per call at 100 GFLOP/s per thread */
    loop_body(st, ((const peak_case *)arg)->threads, da3_cpu_fma_work, 4000000, label);
}

static void bf16_body(gb_state *st, void *arg)
{
    char label[64];
    snprintf(label, sizeof label, "vdpbf16ps, %d accumulators", da3_cpu_bf16_accs());
    loop_body(st, ((const peak_case *)arg)->threads, da3_cpu_bf16_work, 2000000, label);
}

static void triad_body(gb_state *st, void *arg)
{
    const peak_case *c = arg;
    peak_run *run = c->run;
    const int t = c->threads;
    if (!run->triad || run->triad_threads != t) {
        da3_triad_free(run->triad);
        run->triad = da3_triad_new(TRIAD_FLOATS, t);
        run->triad_threads = t;
        if (!run->triad) {
            gb_skip_with_error(st, "out of memory for the triad arrays (384 MiB)");
            return;
        }
    }
    double bytes = 0, total = 0;
    while (gb_keep_running(st)) {
        double t0 = da3_now();
        double b = da3_triad_run(run->triad);
        double dt = da3_now() - t0;
        bytes += b, total += dt;
    }
    gb_counter(st, "GB_per_s", total > 0 ? bytes / total * 1e-9 : 0, GB_COUNTER_DEFAULT);
}

static int peak_add(const da3_opts *o, const da3_env *env, int list_only, void **runp, char *err,
                    size_t errlen)
{
    (void)env;
    peak_run *run = calloc(1, sizeof *run);
    if (!run) {
        snprintf(err, errlen, "da3bench: peak: out of memory");
        return -2;
    }
    *runp = run;
    int extra[DA3_SWEEP_MAX], peak_threads[DA3_SWEEP_MAX + 2];
    int n = o->threads.n ? da3_attention_threads(o, extra, DA3_SWEEP_MAX) : 0;
    int npeak = 0;
    peak_threads[npeak++] = 1;
    if (da3_cpu_count() > 1)
        peak_threads[npeak++] = da3_cpu_count();
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int k = 0; k < npeak; k++)
            dup |= peak_threads[k] == extra[i];
        if (!dup && extra[i] <= 64)
            peak_threads[npeak++] = extra[i];
    }
    for (int i = 0; i < npeak; i++)
        run->cases[i] = (peak_case){peak_threads[i], run};
    run->npeak = npeak;
    static const char *const names[] = {"threads"};
    static const char *const kinds[] = {"peak/fma", "peak/triad"};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < npeak; i++) {
            if (list_only == 2)
                continue;
            if (list_only) {
                printf("%s/threads:%d\n", kinds[k], peak_threads[i]);
                continue;
            }
            gb_bench *b = gb_register(kinds[k], k ? triad_body : fma_body, &run->cases[i]);
            const int64_t arg = peak_threads[i];
            gb_args(b, &arg, 1);
            gb_arg_names(b, names, 1);
            gb_set_unit(b, GB_MS);
        }
    /* the bf16 unit: measured where it is, listed as skipped where not */
    const char *why = da3_cpu_bf16_missing();
    for (int i = 0; i < npeak && list_only != 2; i++) {
        if (list_only) {
            printf("peak/bf16_dot/threads:%d%s%s\n", peak_threads[i], why ? "  # skipped: " : "",
                   why ? why : "");
            continue;
        }
        if (why)
            continue;
        gb_bench *b = gb_register("peak/bf16_dot", bf16_body, &run->cases[i]);
        const int64_t arg = peak_threads[i];
        gb_args(b, &arg, 1);
        gb_arg_names(b, names, 1);
        gb_set_unit(b, GB_MS);
    }
    if (why && !list_only) {
        fprintf(stderr, "da3bench: peak: %d bf16 benchmarks skipped: %s\n", npeak, why);
        gb_add_context("bf16_skipped", why);
    }
    return 2 * npeak + (why ? 0 : npeak);
}

const da3_suite da3_peak_suite = {
    "peak", DA3_SUITE_DEFAULT | DA3_SUITE_HARDWARE | DA3_SUITE_CPU_PEAK, peak_add, NULL,
    peak_cleanup,
};
