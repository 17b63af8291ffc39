/*
 * The cuda suite: the attention and the prefetch pipeline on an NVIDIA GPU,
 * timed with CUDA events through the shim's manual time.
 *
 *   cuda_peak/fma                      the measured fp32 FMA peak (GFLOPS)
 *   cuda_attention/IMPL/B:/H:/N:/D:    naive, naive_tf32, flash, flash_tf32
 *                                      and the _br128 variants (--cuda-impl,
 *                                      kernels/cuda/cuda_bench.h); shapes
 *                                      from the attention presets, the seed
 *                                      preset adding N 4096 and 8192
 *   cuda_prefetch/depth:D/io_ms:X[/batches:N][/batch:B]
 *                                      depth 0: pageable buffers, synchronous
 *                                      copies; depth k: k + 1 pinned buffers,
 *                                      async copies on a copy stream
 *
 * Every attention output is checked against the double reference (32 rows
 * a head) before it is timed; the prefetch half (suite_cuda_prefetch.c)
 * checks the MLP against the CPU double forward and every pipelined
 * checksum against the sequential one.
 *
 * Without a GPU (or a build without nvcc) nothing is registered: `list`
 * prints each name with "# skipped: <reason>", a run says it once on
 * stderr and writes the reason into the JSON context (cuda_skipped), so
 * the report shows it. A skip is not an error: the exit status is unchanged.
 */
#include "attention.h"
#include "suite.h"
#include "cuda_bench.h"
#include "gbench.h"
#include "suite_cuda.h"
#include "suites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_ROWS 32
#define TOL_FP32 1e-4
#define TOL_TF32 5e-3 /* 10-bit mantissas: inputs and P rounded */

/* the shape being timed, kept across implementations */
typedef struct {
    da3_attn_shape s;
    int scores;
    float *q, *k, *v, *o;
    da3_cuda_attn *dev;
} cuda_inputs;

/* What the suite keeps for one run (suite.h). */
struct da3_cuda_run {
    cuda_case cases[DA3_CUDA_MAX_CASES];
    int ncases;
    int left_out_d; /* a head dim the CUDA kernels do not take (0: none) */
    da3_cuda_info info;
    double peak_gflops;
    cuda_inputs A;
    da3_cuda_pf_state *pf;
};

static void attn_release(cuda_inputs *A)
{
    da3_cuda_attn_free(A->dev);
    free(A->q), free(A->k), free(A->v), free(A->o);
    memset(A, 0, sizeof *A);
}

static void cuda_cleanup(void *p)
{
    da3_cuda_run *run = p;
    attn_release(&run->A);
    da3_cuda_prefetch_free(run->pf);
    free(run);
}

static void peak_body(gb_state *st, void *arg)
{
    const cuda_case *c = arg;
    const da3_cuda_info *info = &c->run->info;
    char err[512];
    double best = 0;
    while (gb_keep_running(st)) {
        double flops, ms;
        if (da3_cuda_fma_run(&flops, &ms, err, sizeof err)) {
            gb_skip_with_error(st, err);
            return;
        }
        gb_set_iteration_time(st, ms * 1e-3);
        const double gf = flops / (ms * 1e-3) * 1e-9;
        best = gf > best ? gf : best;
    }
    gb_counter(st, "GFLOPS", best, GB_COUNTER_DEFAULT);
    gb_counter(st, "nominal_GFLOPS", info->nominal_gflops, GB_COUNTER_DEFAULT);
}

static int attn_prepare(const cuda_case *c, char *err, size_t errlen)
{
    cuda_inputs *A = &c->run->A;
    const da3_cuda_info *info = &c->run->info;
    const int scores = c->impl == DA3_CUDA_NAIVE || c->impl == DA3_CUDA_NAIVE_TF32;
    if (A->dev && !memcmp(&A->s, &c->s, sizeof c->s) && (A->scores || !scores))
        return 0;
    attn_release(A);
    const size_t len = (size_t)c->s.b * c->s.h * c->s.n * c->s.d;
    A->q = malloc(sizeof(float) * len), A->k = malloc(sizeof(float) * len);
    A->v = malloc(sizeof(float) * len), A->o = malloc(sizeof(float) * len);
    if (!A->q || !A->k || !A->v || !A->o) {
        snprintf(err, errlen, "out of host memory");
        attn_release(A);
        return -1;
    }
    da3_attention_fill(A->q, len, 1), da3_attention_fill(A->k, len, 2),
        da3_attention_fill(A->v, len, 3);
    const double need = 4.0 * sizeof(float) * len +
                        (double)da3_cuda_attn_extra_bytes(c->impl, c->s.b, c->s.h, c->s.n, c->s.d);
    if (need > 0.9 * info->mem_gib * 1073741824.0) {
        snprintf(err, errlen, "needs %.1f GiB of device memory; %s has %.1f GiB",
                 need / 1073741824.0, info->name, info->mem_gib);
        attn_release(A);
        return -1;
    }
    A->dev =
        da3_cuda_attn_new(c->s.b, c->s.h, c->s.n, c->s.d, A->q, A->k, A->v, scores, err, errlen);
    if (!A->dev) {
        attn_release(A);
        return -1;
    }
    A->s = c->s, A->scores = scores;
    return 0;
}

static void attn_body(gb_state *st, void *arg)
{
    const cuda_case *c = arg;
    const cuda_inputs *A = &c->run->A;
    const da3_cuda_info *info = &c->run->info;
    const double peak_gflops = c->run->peak_gflops;
    char err[600];
    if (attn_prepare(c, err, sizeof err)) {
        gb_skip_with_error(st, err);
        return;
    }
    double ms = 0;
    /* one untimed call, then the check against the double reference */
    if (da3_cuda_attn_run(A->dev, c->impl, &ms) || da3_cuda_attn_download(A->dev, A->o)) {
        gb_skip_with_error(st, da3_cuda_attn_error(A->dev));
        return;
    }
    const int tf32 = c->impl == DA3_CUDA_NAIVE_TF32 || c->impl == DA3_CUDA_FLASH_TF32 ||
                     c->impl == DA3_CUDA_FLASH_TF32_BR128;
    const double tol = tf32 ? TOL_TF32 : TOL_FP32;
    const double e = da3_attn_max_err(&c->s, A->q, A->k, A->v, A->o, CHECK_ROWS);
    gb_counter(st, "max_abs_err", e, GB_COUNTER_DEFAULT);
    if (!(e <= tol)) {
        snprintf(err, sizeof err, "max_abs_err %.3g above the tolerance %.0e", e, tol);
        gb_skip_with_error(st, err);
        return;
    }
    double total = 0;
    int64_t iters = 0;
    while (gb_keep_running(st)) {
        if (da3_cuda_attn_run(A->dev, c->impl, &ms)) {
            gb_skip_with_error(st, da3_cuda_attn_error(A->dev));
            return;
        }
        gb_set_iteration_time(st, ms * 1e-3);
        total += ms, iters++;
    }
    /* QK^T and PV: 2 N^2 D multiply-adds a head; the rate from the event
     * times (Google Benchmark's rate counters divide by the CPU time) */
    const double flops = 4.0 * c->s.b * c->s.h * (double)c->s.n * c->s.n * c->s.d;
    const double gflops = iters ? flops / (total / (double)iters * 1e-3) * 1e-9 : 0;
    gb_counter(st, "GFLOPS", gflops, GB_COUNTER_DEFAULT);
    if (tf32) {
        /* mma.sync on the tensor cores: the fp32 FMA loop is not their roof
         * (the H200 ran flash_tf32 at 1.9-2.2x it), and no TF32 peak is
         * measured, so no % of peak is given rather than a false one */
        gb_set_label(st, "tf32 tensor cores: no measured roof, no % of peak");
    } else {
        const double pct = peak_gflops > 0 ? 100.0 * gflops / peak_gflops : 0;
        if (peak_gflops > 0)
            gb_counter(st, "pct_peak", pct, GB_COUNTER_DEFAULT);
        gb_counter(st, "pct_nominal", 100.0 * gflops / info->nominal_gflops, GB_COUNTER_DEFAULT);
        if (pct > DA3_PEAK_SUSPECT_PCT) /* beyond a physical limit: the peak is wrong */
            gb_set_label(st, "peak under-measured: pct_peak above 100%");
    }
    gb_counter(st, "extra_bytes",
               (double)da3_cuda_attn_extra_bytes(c->impl, c->s.b, c->s.h, c->s.n, c->s.d),
               GB_COUNTER_DEFAULT);
}

/* ---- cases ---- */

static int add(da3_cuda_run *run, cuda_case c, char *err, size_t errlen)
{
    if (run->ncases == DA3_CUDA_MAX_CASES) {
        snprintf(err, errlen, "da3bench: more than %d cuda cases", DA3_CUDA_MAX_CASES);
        return -1;
    }
    c.run = run, c.pf = run->pf;
    run->cases[run->ncases++] = c;
    return 0;
}

static int build_cases(da3_cuda_run *run, const da3_opts *o, char *err, size_t errlen)
{
    if (add(run, (cuda_case){.kind = 0}, err, errlen))
        return -1;
    row_bn rows[DA3_SWEEP_MAX * 4];
    int nrows;
    da3_sweep heads, dims;
    da3_attention_axes(o, 1, rows, &nrows, &heads, &dims);
    if (o->nshapes)
        nrows = o->nshapes, heads.n = dims.n = 1;
    for (int r = 0; r < nrows; r++)
        for (int hi = 0; hi < heads.n; hi++)
            for (int di = 0; di < dims.n; di++) {
                da3_attn_shape s = {rows[r].b, (int)heads.v[hi], rows[r].n, (int)dims.v[di]};
                if (o->nshapes)
                    s = o->shapes[r];
                if (!da3_cuda_head_dim_ok(s.d)) {
                    /* named, cuda refuses what it cannot run; as a default
                     * suite it leaves the shape to the CPU's attention */
                    if (o->nsuites && o->nshapes) {
                        snprintf(err, errlen, "da3bench: --shapes %s: head dim %d: the CUDA "
                                              "kernels take 32, 64 or 128", o->shapes_file, s.d);
                        return -1;
                    }
                    if (o->nsuites) {
                        snprintf(err, errlen, "da3bench: --head-dim %d: the CUDA kernels take "
                                              "32, 64 or 128", s.d);
                        return -1;
                    }
                    run->left_out_d = s.d;
                    continue;
                }
                const int nimpl = o->ncuda_impl ? o->ncuda_impl : DA3_CUDA_NDEFAULT;
                for (int ii = 0; ii < nimpl; ii++) {
                    const int impl = o->ncuda_impl ? o->cuda_impls[ii] : ii;
                    if (add(run, (cuda_case){.kind = 1, .impl = impl, .s = s}, err, errlen))
                        return -1;
                }
            }
    da3_pf_axes ax; /* the CPU prefetch suite's axes and defaults */
    da3_prefetch_axes(o, &ax);
    const da3_sweep depth = ax.depth, io = ax.io, lt = ax.loader_threads;
    const int batches = ax.batches, batch = ax.batch, nload = ax.nload;
    int group = 0;
    for (int l = 0; l < nload; l++)
        for (int i = 0; i < io.n; i++)
            for (int t = 0; t < lt.n; t++) {
                const int loader = o->nloader ? o->loaders[l] : 0;
                if (loader == 1 && i > 0)
                    continue; /* io_ms is the sim loader's; jpeg's I/O is real */
                for (int d = 0; d < depth.n; d++)
                    if (add(run, (cuda_case){.kind = 2, .depth = (int)depth.v[d],
                                        .io_ms = loader ? 0 : io.v[i], .batches = batches,
                                        .batch = batch, .group = group, .loader = loader,
                                        .loaders = (int)lt.v[t], .fixtures = o->fixtures},
                            err, errlen))
                        return -1;
                group++;
            }
    return 0;
}

static void case_name(const cuda_case *c, char *buf, size_t len)
{
    if (c->kind == 0)
        snprintf(buf, len, "cuda_peak/fma");
    else if (c->kind == 1)
        snprintf(buf, len, "cuda_attention/%s/B:%d/H:%d/N:%d/D:%d", da3_cuda_impl_name(c->impl),
                 c->s.b, c->s.h, c->s.n, c->s.d);
    else
        da3_pf_case_name(buf, len, "cuda_prefetch", c->depth, c->io_ms, c->loader, c->loaders,
                         c->batches, c->batch);
}

static int cuda_add(const da3_opts *o, const da3_env *env, int mode, void **runp, char *err,
                    size_t errlen)
{
    (void)env;
    da3_cuda_run *run = calloc(1, sizeof *run);
    if (run && !(run->pf = da3_cuda_prefetch_new()))
        free(run), run = NULL;
    if (!run) {
        snprintf(err, errlen, "da3bench: cuda: out of memory");
        return -2;
    }
    *runp = run;
    if (build_cases(run, o, err, errlen))
        return -2;
    const int ncases = run->ncases;
    cuda_case *const cases = run->cases;
    da3_cuda_info *const info = &run->info;
    char why[512];
    const int usable = da3_cuda_probe(info, why, sizeof why) == 0;
    if (mode == 2)
        return ncases;
    if (mode == 1) {
        for (int i = 0; i < ncases; i++) {
            char name[160];
            case_name(&cases[i], name, sizeof name);
            if (usable)
                printf("%s\n", name);
            else
                printf("%s  # skipped: %s\n", name, why);
        }
        return ncases;
    }
    if (run->left_out_d && usable)
        fprintf(stderr, "da3bench: cuda: attention at head dim %d left out: the CUDA kernels "
                        "take 32, 64 or 128\n", run->left_out_d);
    if (!usable) {
        fprintf(stderr, "da3bench: cuda: %d benchmarks skipped: %s\n", ncases, why);
        gb_add_context("cuda_skipped", why);
        return 0;
    }
    run->peak_gflops = da3_cuda_peak_gflops(5, err, errlen);
    if (run->peak_gflops < 0) {
        fprintf(stderr, "da3bench: cuda: the FMA loop failed (%s); the benchmarks run, "
                        "without a measured peak\n", err);
        run->peak_gflops = 0;
    }
    char v[256];
    gb_add_context("cuda_device", info->name);
    snprintf(v, sizeof v, "%d.%d", info->cc_major, info->cc_minor);
    gb_add_context("cuda_compute_capability", v);
    snprintf(v, sizeof v, "%d", info->sms);
    gb_add_context("cuda_sms", v);
    snprintf(v, sizeof v, "%.1f", info->mem_gib);
    gb_add_context("cuda_mem_gib", v);
    snprintf(v, sizeof v, "%.3f", info->clock_ghz);
    gb_add_context("cuda_clock_ghz", v);
    snprintf(v, sizeof v, "%.0f", run->peak_gflops);
    gb_add_context("cuda_peak_gflops", v);
    snprintf(v, sizeof v, "%.0f", info->nominal_gflops);
    gb_add_context("cuda_nominal_gflops", v);
    snprintf(v, sizeof v, "driver %d, runtime %d", info->driver_version, info->runtime_version);
    gb_add_context("cuda_versions", v);
    fprintf(stderr, "da3bench: cuda: %s, %d SMs, measured fp32 peak %.0f GFLOP/s (nominal %.0f)\n",
            info->name, info->sms, run->peak_gflops, info->nominal_gflops);
    static const char *const anames[] = {"B", "H", "N", "D"};
    for (int i = 0; i < ncases; i++) {
        cuda_case *c = &cases[i];
        char name[160];
        case_name(c, name, sizeof name);
        gb_bench *b;
        if (c->kind == 1) {
            char base[64];
            snprintf(base, sizeof base, "cuda_attention/%s", da3_cuda_impl_name(c->impl));
            b = gb_register(base, attn_body, c);
            const int64_t args[] = {c->s.b, c->s.h, c->s.n, c->s.d};
            gb_args(b, args, 4);
            gb_arg_names(b, anames, 4);
        } else {
            b = gb_register(name, c->kind == 0 ? peak_body : da3_cuda_prefetch_body, c);
        }
        gb_use_manual_time(b);
        gb_set_unit(b, GB_MS);
    }
    return ncases;
}

const da3_suite da3_cuda_suite = {
    "cuda", DA3_SUITE_DEFAULT | DA3_SUITE_HARDWARE, cuda_add, NULL, cuda_cleanup,
};
