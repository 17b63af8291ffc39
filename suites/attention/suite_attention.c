/*
 * The attention suite: every implementation over the configurations of the
 * preset (a table) or of the sweep flags (a product), each case checked
 * against the double-precision reference before it is timed.
 *
 * Names: attention/<impl>/B:2/H:8/N:1024/D:64/threads:2
 * Counters: GFLOPS (4*B*H*N^2*D per call / time), pct_peak (against the
 * peak measured at the same thread count), max_abs_err, extra_bytes (the
 * workspace: naive B*H*N^2 floats, flash per-thread blocks).
 */
#include "attention.h"
#include "attention_case.h"
#include "bf16_case.h"
#include "suite.h"
#include "cpu.h"
#include "gbench.h"
#include "suites.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CASES 4096
#define CHECK_ROWS 32    /* query rows checked per head (all if N <= 32) */
#define TOLERANCE 1e-4   /* outputs are O(1): averages of V in [-1, 1] */

typedef da3_attn_case attn_case;

/* Inputs of the case being timed, kept across its repetitions. */
typedef struct {
    const attn_case *owner;
    float *q, *k, *v, *o;
    void *ws;
    size_t ws_bytes;
    double err;
    int rc;
} attn_inputs;

/* What the suite keeps for one run (suite.h). */
struct da3_attn_suite_run {
    attn_case cases[MAX_CASES];
    int ncases;
    /* --dtype bf16: flash on the bf16 unit, one case per shape and threads */
    da3_bf16_case bcases[MAX_CASES / 4];
    int nbcases;
    double inject; /* --inject-slowdown: the fraction added to each flash call */
    attn_inputs cur;
    da3_bf16_inputs bf16;
};

int da3_attn_is_case(const da3_attn_suite_run *run, const void *p)
{
    return run && da3_points_into(p, run->cases, (size_t)run->ncases, sizeof *run->cases);
}

/* The caller's thread CPU time: it takes part in the kernel's tasks and
 * spins at the join (par.h), so unloaded it runs the call's whole time. */
static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The injected slowdown: a busy wait of `seconds` of this thread's CPU
 * time (the core stays occupied, as extra work would keep it). Counted in
 * CPU time, not wall time, so it is the given fraction of the call's work
 * on a shared machine too: a wall-time spin made a call preempted by a
 * neighbour pay for the preemption again (2.0-2.5x for +50% when the
 * 2 cores ran 4 other busy processes). */
static void spin(double seconds)
{
    const double until = thread_cpu() + seconds;
    while (thread_cpu() < until)
        ;
}

static void release(attn_inputs *cur)
{
    free(cur->q), free(cur->k), free(cur->v), free(cur->o), free(cur->ws);
    memset(cur, 0, sizeof *cur);
}

static void attention_cleanup(void *p)
{
    da3_attn_suite_run *run = p;
    release(&run->cur);
    da3_bf16_release(&run->bf16);
    free(run);
}

void da3_attention_fill(float *x, size_t n, unsigned long long seed)
{
    /* uniform in [-sqrt(3), sqrt(3)): unit variance, so scores have the
     * spread of a trained ViT's rather than a near-flat softmax */
    unsigned long long s = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        x[i] = (float)(((double)(s >> 11) / 4503599627370496.0 - 1.0) * 1.7320508);
    }
}

static int prepare(const attn_case *c)
{
    attn_inputs *cur = &c->run->cur;
    if (cur->owner == c)
        return cur->rc; /* a case that failed fails again, in every repetition */
    release(cur);
    cur->owner = c;
    const size_t len = (size_t)c->s.b * c->s.h * c->s.n * c->s.d;
    cur->q = malloc(len * sizeof(float));
    cur->k = malloc(len * sizeof(float));
    cur->v = malloc(len * sizeof(float));
    cur->o = malloc(len * sizeof(float));
    cur->ws_bytes = da3_attn_workspace_bytes(c->impl, &c->s, c->threads);
    cur->ws = malloc(cur->ws_bytes ? cur->ws_bytes : 1);
    if (!cur->q || !cur->k || !cur->v || !cur->o || !cur->ws)
        return cur->rc = DA3_ENOMEM;
    /* The same inputs for every implementation of a shape. */
    da3_attention_fill(cur->q, len, 1), da3_attention_fill(cur->k, len, 2),
        da3_attention_fill(cur->v, len, 3);
    for (size_t i = 0; i < len; i++)
        cur->v[i] *= 0.57735027f; /* V in [-1, 1) */
    cur->rc = da3_attn_run(c->impl, &c->s, cur->q, cur->k, cur->v, cur->o, cur->ws, cur->ws_bytes,
                          c->threads);
    /* Test hook: DA3BENCH_TEST_CORRUPT=<impl> spoils that implementation's
     * output before the check, so the tests can see a failing benchmark
     * reported while the others still run. */
    const char *spoil = getenv("DA3BENCH_TEST_CORRUPT");
    if (!cur->rc && spoil && !strcmp(spoil, da3_attn_impl_name(c->impl)))
        cur->o[len / 2] += 1.0f;
    cur->err = cur->rc ? NAN : da3_attn_max_err(&c->s, cur->q, cur->k, cur->v, cur->o, CHECK_ROWS);
    return cur->rc;
}

static void attn_body(gb_state *st, void *arg)
{
    attn_case *c = arg;
    const attn_inputs *cur = &c->run->cur;
    const double inject = c->run->inject;
    char msg[160];
    /* blas: the BLAS library picks its own kernels; our softmax runs at the ISA */
    snprintf(msg, sizeof msg, "%s%s", c->impl == DA3_ATTN_BLAS ? "sgemm+" : "",
             da3_isa_name(da3_cpu_isa()));
    gb_set_label(st, msg);
    if (prepare(c)) {
        if (!cur->ws || !cur->q || !cur->k || !cur->v || !cur->o)
            snprintf(msg, sizeof msg,
                     "out of memory: %.1f MiB of inputs and workspace (lower the sizes or raise "
                     "ulimit -v)",
                     (4.0 * sizeof(float) * c->s.b * c->s.h * (double)c->s.n * c->s.d +
                      (double)cur->ws_bytes) /
                         (1 << 20));
        else
            snprintf(msg, sizeof msg, "%s", da3_strerror(cur->rc));
        gb_skip_with_error(st, msg);
        return;
    }
    if (!(cur->err <= TOLERANCE)) {
        snprintf(msg, sizeof msg, "max_abs_err %.3g above the tolerance %.1g", cur->err,
                 TOLERANCE);
        gb_counter(st, "max_abs_err", cur->err, GB_COUNTER_DEFAULT);
        gb_skip_with_error(st, msg);
        return;
    }
    const double peak = da3_case_peak(c->peak, &c->peak_adj, c->threads);
    double total = 0;
    int64_t iters = 0;
    while (gb_keep_running(st)) {
        double t0 = da3_now(), c0 = inject > 0 ? thread_cpu() : 0;
        da3_attn_run(c->impl, &c->s, cur->q, cur->k, cur->v, cur->o, cur->ws, cur->ws_bytes,
                     c->threads);
        if (inject > 0 && c->impl == DA3_ATTN_FLASH)
            spin(inject * (thread_cpu() - c0));
        double dt = da3_now() - t0;
        total += dt;
        iters++;
    }
    const double flops = 4.0 * c->s.b * c->s.h * (double)c->s.n * c->s.n * c->s.d;
    const double gflops = total > 0 ? flops * (double)iters / total * 1e-9 : 0;
    da3_peak_counters(st, msg, sizeof msg, gflops, peak);
    gb_counter(st, "max_abs_err", cur->err, GB_COUNTER_DEFAULT);
    gb_counter(st, "extra_bytes", (double)cur->ws_bytes, GB_COUNTER_DEFAULT);
}

int da3_attention_threads(const da3_opts *o, int *out, int max)
{
    if (!o->threads.n) {
        out[0] = da3_cpu_count();
        return 1;
    }
    int n = o->threads.n < max ? o->threads.n : max;
    for (int i = 0; i < n; i++)
        out[i] = (int)o->threads.v[i];
    return n;
}

/* The preset's axes; a flag given on the command line replaces its axis. */
void da3_attention_axes(const da3_opts *o, int gpu, row_bn *rows, int *nrows, da3_sweep *heads,
                        da3_sweep *dims)
{
    da3_sweep h = {0}, d = {0};
    *nrows = 0;
    if (o->preset == DA3_PRESET_SEED) {
        /* benchmark_attention.py: (seq, batch) = (256, 4), (1024, 2), (2048, 1) */
        static const row_bn seed[] = {{4, 256}, {2, 1024}, {1, 2048}, {2, 4096}, {2, 8192}};
        memcpy(rows, seed, sizeof seed);
        *nrows = gpu ? 5 : 3; /* the GPU's goals are stated at N >= 4096 */
        da3_sweep_add(&h, 8);
    } else if (o->preset == DA3_PRESET_DA3) {
        /* A 504x280 view is 36x20 = 720 patches of 14 px, plus the class
         * token; global attention concatenates the views. */
        static const int views[] = {1, 2, 4, 8};
        for (int i = 0; i < 4; i++)
            rows[(*nrows)++] = (row_bn){1, 721 * views[i]};
        static const int vit_heads[] = {6, 12, 16, 24}; /* ViT-S, B, L, G */
        for (int i = 0; i < 4; i++)
            da3_sweep_add(&h, vit_heads[i]);
    } else { /* quick */
        rows[(*nrows)++] = (row_bn){1, 256};
        rows[(*nrows)++] = (row_bn){1, 512};
        da3_sweep_add(&h, 8);
    }
    da3_sweep_add(&d, 64);
    *heads = o->heads.n ? o->heads : h;
    *dims = o->head_dim.n ? o->head_dim : d;
    if (o->seq.n || o->batch.n) {
        /* Replace the axis in every row, then drop duplicate rows. */
        da3_sweep seqs = {0}, batches = {0};
        for (int i = 0; i < *nrows; i++) {
            da3_sweep_add(&seqs, rows[i].n);
            da3_sweep_add(&batches, rows[i].b);
        }
        const int table = o->preset == DA3_PRESET_SEED && !(o->seq.n && o->batch.n);
        row_bn out[DA3_SWEEP_MAX * 4];
        int n = 0;
        if (table) {
            for (int i = 0; i < *nrows; i++) {
                const int nb = o->batch.n ? o->batch.n : 1, ns = o->seq.n ? o->seq.n : 1;
                for (int x = 0; x < nb; x++)
                    for (int y = 0; y < ns && n < DA3_SWEEP_MAX * 4; y++) {
                        row_bn r = {o->batch.n ? (int)o->batch.v[x] : rows[i].b,
                                    o->seq.n ? (int)o->seq.v[y] : rows[i].n};
                        int dup = 0;
                        for (int k = 0; k < n; k++)
                            dup |= out[k].b == r.b && out[k].n == r.n;
                        if (!dup)
                            out[n++] = r;
                    }
            }
        } else {
            const da3_sweep *bs = o->batch.n ? &o->batch : &batches;
            const da3_sweep *ss = o->seq.n ? &o->seq : &seqs;
            for (int x = 0; x < bs->n; x++)
                for (int y = 0; y < ss->n && n < DA3_SWEEP_MAX * 4; y++)
                    out[n++] = (row_bn){(int)bs->v[x], (int)ss->v[y]};
        }
        memcpy(rows, out, sizeof(row_bn) * (size_t)n);
        *nrows = n;
    }
}

static void human_bytes(double b, char *buf, size_t len)
{
    if (b >= 1024.0 * 1024 * 1024)
        snprintf(buf, len, "%.1f GiB", b / (1024.0 * 1024 * 1024));
    else
        snprintf(buf, len, "%.1f MiB", b / (1024.0 * 1024));
}

static int attention_add(const da3_opts *o, const da3_env *env, int list_only, void **runp,
                         char *err, size_t errlen)
{
    da3_attn_suite_run *run = calloc(1, sizeof *run);
    if (!run) {
        snprintf(err, errlen, "da3bench: attention: out of memory");
        return -2;
    }
    *runp = run;
    attn_case *const cases = run->cases;
    da3_bf16_case *const bcases = run->bcases;
    row_bn rows[DA3_SWEEP_MAX * 4];
    int nrows;
    da3_sweep heads, dims;
    run->inject = o->inject;
    da3_attention_axes(o, 0, rows, &nrows, &heads, &dims);
    int threads[DA3_SWEEP_MAX];
    const int nthreads = da3_attention_threads(o, threads, DA3_SWEEP_MAX);
    static const int all_impls[] = {DA3_ATTN_NAIVE, DA3_ATTN_FUSED, DA3_ATTN_FLASH, DA3_ATTN_BLAS};
    const int *impls = o->nimpl ? o->impls : all_impls;
    const int nimpl = o->nimpl ? o->nimpl : 4;
    size_t limit = o->mem_limit ? o->mem_limit : da3_cpu_mem_budget();

    if (o->nshapes) { /* --shapes: the file's shapes, in its order */
        nrows = o->nshapes;
        heads.n = dims.n = 1;
    }
    for (int r = 0; r < nrows; r++)
        for (int hi = 0; hi < heads.n; hi++)
            for (int di = 0; di < dims.n; di++)
                for (int ti = 0; ti < nthreads; ti++)
                    for (int ii = 0; ii < nimpl; ii++) {
                        attn_case c = {.impl = impls[ii],
                                       .s = {rows[r].b, (int)heads.v[hi], rows[r].n,
                                             (int)dims.v[di]},
                                       .threads = threads[ti], .run = run};
                        if (o->nshapes)
                            c.s = o->shapes[r];
                        if (da3_attn_check_shape(&c.s)) {
                            snprintf(err, errlen, "da3bench: --seq %d --batch %d --heads %d: %s",
                                     c.s.n, c.s.b, c.s.h,
                                     da3_strerror(da3_attn_check_shape(&c.s)));
                            return -2;
                        }
                        double need = 4.0 * sizeof(float) * c.s.b * c.s.h * (double)c.s.n * c.s.d +
                                      (double)da3_attn_workspace_bytes(c.impl, &c.s, c.threads);
                        if (need > (double)limit) {
                            char nb[32], lb[32];
                            human_bytes(need, nb, sizeof nb),
                                human_bytes((double)limit, lb, sizeof lb);
                            snprintf(
                                err, errlen,
                                "da3bench: --seq %d (batch %d, heads %d): %s needs %s, over the "
                                "memory limit %s (--mem-limit; default half the RAM, less under "
                                "ulimit -v)",
                                c.s.n, c.s.b, c.s.h, da3_attn_impl_name(c.impl), nb, lb);
                            return -2;
                        }
                        if (run->ncases == MAX_CASES) {
                            snprintf(err, errlen, "da3bench: more than %d attention cases",
                                     MAX_CASES);
                            return -2;
                        }
                        c.peak = da3_env_peak(env, c.threads);
                        cases[run->ncases++] = c;
                    }
    static const char *const names[] = {"B", "H", "N", "D", "threads"};
    /* the bf16 cases: the shapes and threads of the fp32 ones (listed as
     * skipped, with why, where the unit is missing) */
    const int fp32 = !o->ndtype || o->dtypes[0] == 0 || (o->ndtype > 1 && o->dtypes[1] == 0);
    const int bf16 = o->ndtype && (o->dtypes[0] == 1 || (o->ndtype > 1 && o->dtypes[1] == 1));
    for (int i = 0; fp32 && i < run->ncases; i++) {
        const attn_case *c = &cases[i];
        char name[64];
        snprintf(name, sizeof name, "attention/%s", da3_attn_impl_name(c->impl));
        if (list_only == 2)
            continue;
        if (list_only) {
            printf("%s/B:%d/H:%d/N:%d/D:%d/threads:%d\n", name, c->s.b, c->s.h, c->s.n, c->s.d,
                   c->threads);
            continue;
        }
        gb_bench *b = gb_register(name, attn_body, &cases[i]);
        const int64_t args[] = {c->s.b, c->s.h, c->s.n, c->s.d, c->threads};
        gb_args(b, args, 5);
        gb_arg_names(b, names, 5);
        gb_set_unit(b, GB_MS);
    }
    for (int i = 0; bf16 && i < run->ncases && run->nbcases < MAX_CASES / 4; i++) {
        int dup = 0;
        for (int k = 0; k < run->nbcases; k++)
            dup |= !memcmp(&bcases[k].s, &cases[i].s, sizeof cases[i].s) &&
                   bcases[k].threads == cases[i].threads;
        if (!dup)
            bcases[run->nbcases++] = (da3_bf16_case){cases[i].s, cases[i].threads, &run->bf16};
    }
    const char *why = bf16 ? da3_cpu_bf16_missing() : NULL;
    for (int i = 0; i < run->nbcases && list_only != 2; i++) {
        const da3_bf16_case *c = &bcases[i];
        if (list_only) {
            printf("attention/flash_bf16/B:%d/H:%d/N:%d/D:%d/threads:%d%s%s\n", c->s.b, c->s.h,
                   c->s.n, c->s.d, c->threads, why ? "  # skipped: " : "", why ? why : "");
            continue;
        }
        if (why)
            continue;
        gb_bench *b = gb_register("attention/flash_bf16", da3_bf16_body, &bcases[i]);
        const int64_t args[] = {c->s.b, c->s.h, c->s.n, c->s.d, c->threads};
        gb_args(b, args, 5);
        gb_arg_names(b, names, 5);
        gb_set_unit(b, GB_MS);
    }
    if (why && !list_only && run->nbcases) {
        fprintf(stderr, "da3bench: attention: %d bf16 benchmarks skipped: %s\n", run->nbcases,
                why);
        gb_add_context("bf16_skipped", why);
    }
    const int nbf16 = why ? 0 : run->nbcases;
    return (fp32 ? run->ncases : 0) + nbf16;
}

const da3_suite da3_attention_suite = {
    "attention", DA3_SUITE_DEFAULT | DA3_SUITE_CPU_PEAK, attention_add,
    da3_console_attention, attention_cleanup,
};
