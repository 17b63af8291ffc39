/*
 * The block suite: one DA3 ViT block (kernels/block) at the model
 * variants' shapes, each case checked stage by stage against double
 * precision before it is timed, then timed whole and part by part, side by
 * side in the same run.
 *
 * Names: block/<impl>/C:1024/H:16/B:1/N:721/threads:2 (the whole block;
 * B sequences of N tokens: B = views for attention within each view, 1
 * across them), and for the last implementation of a shape its parts:
 * block/gemm/... (the four GEMMs as the block runs them), block/openblas/...
 * (the same GEMMs, one threaded cblas_sgemm each: what OpenBLAS reaches
 * alone), block/attention/<impl>/..., block/other/... (LayerNorms, head
 * split and merge, GELU, residuals).
 * Counters (whole block): GFLOPS ((GEMM + attention flops) / time),
 * pct_peak, peak_gflops, gemm_share, attn_share, other_share (of the
 * block's time, from its own clock), gemm_GFLOPS, max_rel_err, extra_bytes.
 */
#include "block.h"
#include "image_run.h"
#include "suite.h"
#include "cpu.h"
#include "gbench.h"
#include "suites.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CASES 1024
#define CHECK_ROWS 16   /* tokens checked per stage (and query rows per head) */
#define TOLERANCE 1e-4  /* |got - ref| / (1 + |ref|) */
#define VIEW_TOKENS 721 /* a 504x280 view: 36x20 patches of 14 px + the class token */

/* DA3's backbones (DINOv2's ViTs): width, heads, depth. DA3-Small uses
 * ViT-S, DA3-Base ViT-B, DA3-Large ViT-L, DA3-Giant and the DA3 nested
 * models ViT-G. */
static const struct {
    const char *name;
    int dim, heads, depth;
} vits[4] = {{"S", 384, 6, 12}, {"B", 768, 12, 12}, {"L", 1024, 16, 24}, {"G", 1536, 24, 40}};

typedef struct {
    da3_block_shape s;
    int impl;       /* da3_attn_impl */
    int part;       /* -1 the whole block, else da3_block_part */
    int threads;
    int key;        /* cases of one (shape, threads) share a key */
    double peak, peak_adj;
    struct block_run *run;
} block_case;

/* The block of the case being timed, kept across its repetitions and by the
 * parts that follow it. */
typedef struct {
    int key, impl, rc;
    da3_block *b;
    da3_block_weights w;
    float *x, *y;
    double err, bytes;
} block_inputs;

/* --image: one whole image per configuration, per variant and thread count */
#define MAX_IMAGE_CASES (4 * DA3_SWEEP_MAX * DA3_IMAGE_NCONFIG)

/* What the suite keeps for one run (suite.h). */
typedef struct block_run {
    block_case cases[MAX_CASES];
    int ncases;
    da3_image_case image_cases[MAX_IMAGE_CASES];
    block_inputs cur;
    da3_image_state *im;
} block_run;

static void release(block_inputs *cur)
{
    da3_block_free(cur->b);
    da3_block_weights_free(&cur->w);
    free(cur->x), free(cur->y);
    memset(cur, 0, sizeof *cur);
    cur->key = -1;
}

static void block_cleanup(void *p)
{
    block_run *run = p;
    release(&run->cur);
    da3_image_state_free(run->im);
    free(run);
}

static void image_body(gb_state *st, void *arg) { da3_image_body(st, arg); }

static int prepare(const block_case *c, int impl)
{
    block_inputs *cur = &c->run->cur;
    if (cur->key == c->key && cur->impl == impl)
        return cur->rc; /* a case that failed fails again, in every repetition */
    const int same_shape = cur->key == c->key && cur->b;
    if (!same_shape) {
        release(cur);
        cur->key = c->key;
        const size_t n = (size_t)c->s.tokens * c->s.dim;
        cur->x = malloc(n * sizeof(float));
        cur->y = malloc(n * sizeof(float));
        if (!cur->x || !cur->y || da3_block_weights_init(&cur->w, &c->s, 1))
            return cur->rc = DA3_ENOMEM;
        da3_block_fill(cur->x, n, 7); /* the same inputs for every implementation */
    } else {
        da3_block_free(cur->b);
        cur->b = NULL;
    }
    cur->impl = impl;
    cur->bytes = da3_block_bytes(&c->s, impl, c->threads);
    int rc = 0;
    cur->b = da3_block_new(&c->s, impl, c->threads, 0, &rc);
    if (!cur->b)
        return cur->rc = rc ? rc : DA3_ENOMEM;
    da3_block_times t;
    cur->rc = da3_block_run(cur->b, &cur->w, cur->x, cur->y, &t);
    /* Test hook: DA3BENCH_TEST_CORRUPT=block/<impl> spoils that block's
     * output before the check, so the tests see a failing block reported
     * while the others still run. */
    const char *spoil = getenv("DA3BENCH_TEST_CORRUPT");
    if (!cur->rc && spoil && !strncmp(spoil, "block/", 6) &&
        !strcmp(spoil + 6, da3_attn_impl_name(impl)))
        cur->y[(size_t)c->s.tokens * c->s.dim - 1] += 1.0f;
    cur->err = cur->rc ? NAN : da3_block_check(cur->b, &cur->w, cur->x, cur->y, CHECK_ROWS);
    return cur->rc;
}

static void block_body(gb_state *st, void *arg)
{
    block_case *c = arg;
    const block_inputs *cur = &c->run->cur;
    char msg[160];
    snprintf(msg, sizeof msg, "%s", da3_isa_name(da3_cpu_isa()));
    gb_set_label(st, msg);
    if (prepare(c, c->impl)) {
        gb_skip_with_error(st, da3_strerror(cur->rc));
        return;
    }
    if (!(cur->err <= TOLERANCE)) {
        snprintf(msg, sizeof msg, "max_rel_err %.3g above the tolerance %.1g", cur->err,
                 TOLERANCE);
        gb_counter(st, "max_rel_err", cur->err, GB_COUNTER_DEFAULT);
        gb_skip_with_error(st, msg);
        return;
    }
    const double peak = da3_case_peak(c->peak, &c->peak_adj, c->threads);
    const double gf = da3_block_gemm_flops(&c->s), af = da3_block_attn_flops(&c->s);
    if (c->part >= 0) {
        int rc = 0;
        double total = 0;
        int64_t iters = 0;
        while (gb_keep_running(st)) {
            const double t0 = da3_now();
            rc |= da3_block_run_part(cur->b, &cur->w, cur->x, cur->y, (da3_block_part)c->part);
            total += da3_now() - t0;
            iters++;
        }
        if (rc) {
            gb_skip_with_error(st, da3_strerror(rc));
            return;
        }
        const double flops = c->part == DA3_BLOCK_PART_ATTN    ? af
                             : c->part == DA3_BLOCK_PART_OTHER ? 0
                                                               : gf;
        if (flops > 0 && total > 0)
            da3_peak_counters(st, msg, sizeof msg, flops * (double)iters / total * 1e-9, peak);
        return;
    }
    double total = 0;
    da3_block_times sum = {0, 0, 0};
    int64_t iters = 0;
    while (gb_keep_running(st)) {
        da3_block_times t;
        const double t0 = da3_now();
        da3_block_run(cur->b, &cur->w, cur->x, cur->y, &t);
        total += da3_now() - t0;
        sum.gemm += t.gemm, sum.attn += t.attn, sum.other += t.other;
        iters++;
    }
    if (total <= 0)
        return;
    const double gflops = (gf + af) * (double)iters / total * 1e-9;
    da3_peak_counters(st, msg, sizeof msg, gflops, peak);
    gb_counter(st, "gemm_share", sum.gemm / total, GB_COUNTER_DEFAULT);
    gb_counter(st, "attn_share", sum.attn / total, GB_COUNTER_DEFAULT);
    gb_counter(st, "other_share", sum.other / total, GB_COUNTER_DEFAULT);
    if (sum.gemm > 0)
        gb_counter(st, "gemm_GFLOPS", gf * (double)iters / sum.gemm * 1e-9, GB_COUNTER_DEFAULT);
    gb_counter(st, "max_rel_err", cur->err, GB_COUNTER_DEFAULT);
    gb_counter(st, "extra_bytes", cur->bytes, GB_COUNTER_DEFAULT);
}

static int add_case(block_run *run, const block_case *c, char *err, size_t errlen)
{
    if (run->ncases == MAX_CASES) {
        snprintf(err, errlen, "da3bench: more than %d block cases", MAX_CASES);
        return -2;
    }
    run->cases[run->ncases] = *c;
    run->cases[run->ncases++].run = run;
    return 0;
}

/* one case: listed (name/C:/H:/B:/N:/threads:), or registered */
static void emit(int mode, const char *name, const int64_t args[5], void (*fn)(gb_state *, void *),
                 void *arg)
{
    static const char *const names[] = {"C", "H", "B", "N", "threads"};
    if (mode == DA3_SUITE_CHECK)
        return;
    if (mode == DA3_SUITE_LIST) {
        printf("%s", name);
        for (int k = 0; k < 5; k++)
            printf("/%s:%lld", names[k], (long long)args[k]);
        printf("\n");
        return;
    }
    gb_bench *b = gb_register(name, fn, arg);
    gb_args(b, args, 5);
    gb_arg_names(b, names, 5);
    gb_set_unit(b, GB_MS);
}

static int block_add(const da3_opts *o, const da3_env *env, int mode, void **runp, char *err,
                     size_t errlen)
{
    block_run *run = calloc(1, sizeof *run);
    if (run && !(run->im = da3_image_state_new()))
        free(run), run = NULL;
    if (!run) {
        snprintf(err, errlen, "da3bench: block: out of memory");
        return -2;
    }
    run->cur.key = -1;
    *runp = run;
    block_case *const cases = run->cases;
    da3_image_case *const image_cases = run->image_cases;
    int vit[4], nvit = 0, view[DA3_SWEEP_MAX], nview = 0, scope[2], nscope = 0;
    if (o->preset == DA3_PRESET_DA3) { /* every variant, the da3 preset's views, both scopes */
        for (int i = 0; i < 4; i++)
            vit[nvit++] = i;
        static const int v[] = {1, 2, 4, 8};
        for (int i = 0; i < 4; i++)
            view[nview++] = v[i];
        scope[nscope++] = 0, scope[nscope++] = 1;
    } else { /* quick, seed: ViT-L (DA3-Large), one view */
        vit[nvit++] = 2, view[nview++] = 1, scope[nscope++] = 0;
    }
    if (o->nvit)
        memcpy(vit, o->vits, sizeof(int) * (size_t)(nvit = o->nvit));
    if (o->views.n)
        for (nview = 0; nview < o->views.n; nview++)
            view[nview] = (int)o->views.v[nview];
    if (o->nscope)
        memcpy(scope, o->scopes, sizeof(int) * (size_t)(nscope = o->nscope));
    int threads[DA3_SWEEP_MAX];
    const int nthreads = da3_attention_threads(o, threads, DA3_SWEEP_MAX);
    static const int flash[] = {DA3_ATTN_FLASH};
    const int *impls = o->nimpl ? o->impls : flash;
    const int nimpl = o->nimpl ? o->nimpl : 1;
    const size_t limit = o->mem_limit ? o->mem_limit : da3_cpu_mem_budget();

    int key = 0;
    for (int a = 0; a < nvit; a++)
        for (int v = 0; v < nview; v++)
            for (int sc = 0; sc < nscope; sc++) {
                /* one view: within and across are the same attention */
                if (view[v] == 1 && sc > 0 && scope[0] != scope[sc])
                    continue;
                const da3_block_shape s = {view[v] * VIEW_TOKENS, vits[vit[a]].dim,
                                           vits[vit[a]].heads, 4 * vits[vit[a]].dim,
                                           scope[sc] == 0 ? view[v] : 1};
                for (int t = 0; t < nthreads; t++, key++) {
                    block_case c = {.s = s, .threads = threads[t], .key = key, .part = -1};
                    c.peak = da3_env_peak(env, c.threads);
                    for (int i = 0; i < nimpl; i++) {
                        c.impl = impls[i];
                        const double need =
                            da3_block_bytes(&s, c.impl, c.threads) +
                            4.0 * ((double)s.tokens * s.dim * 2 +
                                   (double)s.dim * (4.0 * s.dim + 2.0 * s.hidden));
                        if (need > (double)limit) {
                            snprintf(err, errlen,
                                     "da3bench: --vit %s --views %d: the block needs %.1f GiB, "
                                     "over the memory limit %.1f GiB (--mem-limit; default half "
                                     "the RAM, less under ulimit -v)",
                                     vits[vit[a]].name, view[v], need / (1 << 30),
                                     (double)limit / (1 << 30));
                            return -2;
                        }
                        if (add_case(run, &c, err, errlen))
                            return -2;
                    }
                    for (int p = 0; p < DA3_BLOCK_NPART; p++) {
                        c.part = p;
                        if (add_case(run, &c, err, errlen))
                            return -2;
                    }
                }
            }
    int nimage = 0;
    for (int a = 0; o->image && a < nvit; a++)
        for (int t = 0; t < nthreads && t < DA3_SWEEP_MAX; t++)
            for (int k = 0; k < DA3_IMAGE_NCONFIG; k++)
                image_cases[nimage++] = (da3_image_case){
                    .s = {VIEW_TOKENS, vits[vit[a]].dim, vits[vit[a]].heads,
                          4 * vits[vit[a]].dim, 1},
                    .config = k, .depth = vits[vit[a]].depth, .threads = threads[t],
                    .fixtures = o->fixtures, .im = run->im};
    for (int i = 0; i < run->ncases + nimage; i++) {
        if (i >= run->ncases) { /* the whole images, after the blocks */
            const da3_image_case *c = &image_cases[i - run->ncases];
            char name[64];
            snprintf(name, sizeof name, "block/image/%s", da3_image_configs[c->config].name);
            const int64_t args[] = {c->s.dim, c->s.heads, 1, c->s.tokens, c->threads};
            emit(mode, name, args, image_body, &image_cases[i - run->ncases]);
            continue;
        }
        const block_case *c = &cases[i];
        char name[64];
        if (c->part < 0)
            snprintf(name, sizeof name, "block/%s", da3_attn_impl_name(c->impl));
        else if (c->part == DA3_BLOCK_PART_ATTN)
            snprintf(name, sizeof name, "block/attention/%s", da3_attn_impl_name(c->impl));
        else
            snprintf(name, sizeof name, "block/%s", da3_block_part_name((da3_block_part)c->part));
        const int64_t args[] = {c->s.dim, c->s.heads, c->s.seqs, c->s.tokens / c->s.seqs,
                                c->threads};
        emit(mode, name, args, block_body, &cases[i]);
    }
    return run->ncases + nimage;
}

const da3_suite da3_block_suite = {"block", DA3_SUITE_CPU_PEAK, block_add, NULL, block_cleanup};
