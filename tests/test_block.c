/*
 * The DA3 ViT block at every ISA level this machine has, checkasm's way:
 * the whole block against the double-precision reference (block/
 * reference.c) on small shapes with local and global attention, every
 * attention implementation; each level's row operations against the C
 * level's on the same inputs; the stage check must pass a correct block
 * and catch a spoiled stage; the parts alone and the errors. With --bench,
 * the row operations and the whole block (flash attention) on the same
 * shapes, timed at every level (tests/bench.h).
 */
#include "block.h"
#include "block_priv.h"
#include "check.h"
#include "bench.h"
#include "cpu.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-4 /* |got - ref| / (1 + |ref|), fp32 sums of up to 4C terms */

typedef struct {
    da3_block_shape s;
    int threads;
} block_case;

static const block_case cases[] = {
    {{48, 64, 4, 256, 1}, 1},  /* D16, global attention */
    {{96, 128, 2, 512, 3}, 2}, /* D64, 3 views of 32 tokens, local attention */
    {{37, 96, 2, 200, 1}, 2},  /* D48, odd token count, F not a vector multiple */
};

static void run_case(const block_case *c, da3_isa isa, da3_attn_impl impl)
{
    const da3_block_shape *s = &c->s;
    const size_t tc = (size_t)s->tokens * s->dim;
    da3_block_weights w;
    CHECK(da3_block_weights_init(&w, s, 11) == 0, "weights");
    float *x = malloc(tc * sizeof(float)), *y = malloc(tc * sizeof(float));
    double *ref = malloc(tc * sizeof(double));
    da3_block_fill(x, tc, 5);
    int err = 1;
    da3_block *b = da3_block_new(s, impl, c->threads, da3_isa_mask_upto(isa), &err);
    CHECK(b && err == 0, "new: %s", da3_strerror(err));
    if (!b || !x || !y || !ref || !w.mem)
        goto done;
    da3_block_times t = {-1, -1, -1};
    CHECK(da3_block_run(b, &w, x, y, &t) == 0, "run");
    CHECK(t.gemm >= 0 && t.attn >= 0 && t.other >= 0, "times");
    CHECK(da3_block_reference(s, &w, x, ref) == 0, "reference");
    double e = 0, spread = 0;
    for (size_t i = 0; i < tc; i++) {
        const double d = fabs(y[i] - ref[i]) / (1 + fabs(ref[i]));
        e = d > e || d != d ? d : e;
        spread += fabs(ref[i] - x[i]);
    }
    CHECK(e <= TOL, "%s %s T%d C%d H%d seqs%d: block vs reference %.3g", da3_isa_name(isa),
          da3_attn_impl_name(impl), s->tokens, s->dim, s->heads, s->seqs, e);
    /* the block changes x by more than nothing (LayerScale 0.1) */
    CHECK(spread / (double)tc > 1e-3, "the block left x as it was (%.3g)", spread / (double)tc);
    const double ec = da3_block_check(b, &w, x, y, 8);
    CHECK(ec <= TOL, "%s stage check %.3g on a correct block", da3_isa_name(isa), ec);
    /* spoil one value of each checked stage in turn: the check sees it */
    float *stages[] = {b->h1, b->q, b->x1, b->h2, b->u, y};
    for (size_t k = 0; k < sizeof stages / sizeof *stages; k++) {
        stages[k][0] += 0.01f;
        const double es = da3_block_check(b, &w, x, y, 8);
        CHECK(es > TOL, "stage %zu spoiled, the check says %.3g", k, es);
        stages[k][0] -= 0.01f;
    }
    b->o[0] += 0.01f; /* the attention's output */
    CHECK(da3_block_check(b, &w, x, y, 8) > TOL, "attention spoiled, not seen");
    b->o[0] -= 0.01f;
    /* the parts alone run and leave the outputs as the block did */
    for (int p = 0; p < DA3_BLOCK_NPART; p++)
        CHECK(da3_block_run_part(b, &w, x, y, (da3_block_part)p) == 0, "part %s",
              da3_block_part_name((da3_block_part)p));
    CHECK(da3_block_check(b, &w, x, y, 8) <= TOL, "stage check after the parts");
done:
    da3_block_free(b);
    da3_block_weights_free(&w);
    free(x), free(y), free(ref);
}

/* Each level's row operations give the C level's results (to rounding). */
static void ops_vs_c(da3_isa isa)
{
    da3_block_fns c, v;
    da3_block_dsp_init(&c, da3_isa_mask_upto(DA3_ISA_SCALAR));
    da3_block_dsp_init(&v, da3_isa_mask_upto(isa));
    enum { R = 5, F = 200 };
    float in[R * F], g[F], bias[F], o1[R * F], o2[R * F];
    da3_block_fill(in, R * F, 1), da3_block_fill(g, F, 2), da3_block_fill(bias, F, 3);
    for (int i = 0; i < R * F; i++)
        in[i] *= 3; /* GELU over [-5.2, 5.2] */
    double e = 0;
    c.gelu(in, bias, o1, F, 0, R), v.gelu(in, bias, o2, F, 0, R);
    for (int i = 0; i < R * F; i++)
        e = fmax(e, fabs(o1[i] - o2[i]));
    CHECK(e <= 2e-6, "%s gelu vs C: %.3g", da3_isa_name(isa), e);
    e = 0;
    c.layernorm(in, g, bias, o1, F, 0, R), v.layernorm(in, g, bias, o2, F, 0, R);
    for (int i = 0; i < R * F; i++)
        e = fmax(e, fabs(o1[i] - o2[i]));
    CHECK(e <= 1e-5, "%s layernorm vs C: %.3g", da3_isa_name(isa), e);
    /* GELU's values where they are known */
    const float xs[] = {0.0f, 1.0f, -1.0f, 3.0f, -3.0f, -10.0f, 10.0f};
    const double want[] = {0.0, 0.8413447460685429, -0.15865525393145707, 2.9959502,
                           -0.0040497, -7.6e-23, 10.0};
    float zero[1] = {0}, out[1];
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
        v.gelu(&xs[i], zero, out, 1, 0, 1);
        CHECK(fabs(out[0] - want[i]) <= 1e-6, "%s gelu(%g) = %.9g, want %.9g",
              da3_isa_name(isa), xs[i], out[0], want[i]);
    }
}

static void errors(void)
{
    const da3_block_shape bad[] = {
        {0, 64, 4, 256, 1},  /* no tokens */
        {48, 64, 5, 256, 1}, /* 5 heads do not divide 64 */
        {48, 64, 4, 256, 5}, /* 5 sequences do not divide 48 */
        {48, 40, 4, 256, 1}, /* D = 10: not a head size */
        {48, 64, 4, 0, 1},   /* no MLP */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int err = 0;
        CHECK(!da3_block_new(&bad[i], DA3_ATTN_FLASH, 1, 0, &err) && err == DA3_ESHAPE,
              "bad shape %zu: err %d", i, err);
    }
    int err = 0;
    const da3_block_shape ok = {48, 64, 4, 256, 1};
    CHECK(!da3_block_new(&ok, DA3_ATTN_NIMPL, 1, 0, &err) && err == DA3_EIMPL, "impl");
    CHECK(!da3_block_new(&ok, DA3_ATTN_FLASH, 0, 0, &err) && err == DA3_ETHREADS, "threads");
    CHECK(strstr(da3_strerror(DA3_ESHAPE), "shape") != NULL, "strerror");
    CHECK(da3_block_gemm_flops(&ok) == 2.0 * 48 * (4 * 64 * 64 + 2 * 64 * 256), "gemm flops");
    CHECK(da3_block_attn_flops(&ok) == 4.0 * 4 * 48 * 48 * 16, "attention flops");
}

/* --bench: a block (flash attention) at every level, built for that level */
typedef struct {
    const block_case *c;
    da3_block_weights w;
    float *x, *y;
    da3_block *b;
} block_call;

static int block_set(void *ctx, da3_isa isa)
{
    block_call *k = ctx;
    int err = 0;
    da3_block_free(k->b);
    da3_cpu_set_isa(isa); /* the attention inside runs at it too */
    k->b = da3_block_new(&k->c->s, DA3_ATTN_FLASH, k->c->threads, da3_isa_mask_upto(isa), &err);
    return k->b ? 0 : -1;
}

static int block_call_run(void *ctx)
{
    block_call *k = ctx;
    da3_block_times t;
    return da3_block_run(k->b, &k->w, k->x, k->y, &t);
}

/* the row operations of one level's table on 64 rows of F values */
typedef struct {
    da3_block_fns f;
    int layernorm, F;
    float *in, *g, *bias, *out;
} ops_call;

static int ops_set(void *ctx, da3_isa isa)
{
    da3_block_dsp_init(&((ops_call *)ctx)->f, da3_isa_mask_upto(isa));
    return 0;
}

static int ops_call_run(void *ctx)
{
    ops_call *o = ctx;
    if (o->layernorm)
        o->f.layernorm(o->in, o->g, o->bias, o->out, o->F, 0, 64);
    else
        o->f.gelu(o->in, o->bias, o->out, o->F, 0, 64);
    return 0;
}

static int bench_all(void)
{
    int bad = 0;
    enum { F = 1024 };
    ops_call o = {.F = F, .in = malloc(64 * F * sizeof(float)), .g = malloc(F * sizeof(float)),
                  .bias = malloc(F * sizeof(float)), .out = malloc(64 * F * sizeof(float))};
    if (o.in && o.g && o.bias && o.out) {
        da3_block_fill(o.in, 64 * F, 1), da3_block_fill(o.g, F, 2), da3_block_fill(o.bias, F, 3);
        bad += bench_case("block/gelu 64 rows x 1024", ops_set, ops_call_run, &o);
        o.layernorm = 1;
        bad += bench_case("block/layernorm 64 rows x 1024", ops_set, ops_call_run, &o);
    } else {
        bad++;
    }
    free(o.in), free(o.g), free(o.bias), free(o.out);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const da3_block_shape *s = &cases[i].s;
        const size_t tc = (size_t)s->tokens * s->dim;
        block_call k = {.c = &cases[i], .x = malloc(tc * sizeof(float)),
                        .y = malloc(tc * sizeof(float))};
        if (da3_block_weights_init(&k.w, s, 11) == 0 && k.x && k.y) {
            da3_block_fill(k.x, tc, 5);
            char what[96];
            snprintf(what, sizeof what, "block/flash T%d C%d H%d seqs%d threads%d", s->tokens,
                     s->dim, s->heads, s->seqs, cases[i].threads);
            bad += bench_case(what, block_set, block_call_run, &k);
        } else {
            bad++;
        }
        da3_block_free(k.b);
        da3_block_weights_free(&k.w);
        free(k.x), free(k.y);
    }
    da3_cpu_set_isa(da3_cpu_best_isa());
    return bad;
}

int main(int argc, char **argv)
{
    if (bench_args(argc, argv))
        return 2;
    int levels = 0;
    for (int isa = 0; isa < DA3_ISA_COUNT; isa++) {
        if (!da3_cpu_has((da3_isa)isa)) {
            printf("skip %s: not supported here\n", da3_isa_name((da3_isa)isa));
            continue;
        }
        da3_cpu_set_isa((da3_isa)isa); /* the attention inside runs at it too */
        levels++;
        ops_vs_c((da3_isa)isa);
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            for (int impl = 0; impl < DA3_ATTN_NIMPL; impl++)
                run_case(&cases[i], (da3_isa)isa, (da3_attn_impl)impl);
    }
    errors();
    printf("block: %d ISA levels, %zu shapes x %d implementations, %d failures\n", levels,
           sizeof cases / sizeof *cases, (int)DA3_ATTN_NIMPL, failures);
    if (failures || !bench_ms)
        return failures != 0;
    const int bad = bench_all();
    printf("block: %d cases timed, %d could not be\n", bench_rows, bad);
    return bad || !bench_rows;
}
