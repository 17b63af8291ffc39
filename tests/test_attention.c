/*
 * Every attention implementation at every ISA level this machine has,
 * against the double-precision reference on all rows, over edge shapes:
 * N not a multiple of any block, N = 1, D = 16/32/64/128/256, B*H = 1,
 * one and several threads. Then the argument checks. With --bench, the
 * same shapes timed at every level (tests/bench.h).
 */
#include "attention.h"
#include "cpu.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "bench.h"



static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static float frand(void) /* uniform in [-1, 1) */
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (float)((double)(rng >> 11) / 4503599627370496.0 - 1.0);
}

typedef struct {
    int b, h, n, d, threads;
    float amp; /* input amplitude: large values make the softmax peaky */
} shape_case;

static const shape_case cases[] = {
    {1, 1, 1, 64, 1, 1},     {1, 1, 2, 32, 1, 1},     {1, 1, 5, 16, 2, 1},
    {1, 1, 97, 64, 1, 1},    {2, 3, 129, 32, 2, 1},   {1, 2, 200, 128, 2, 1},
    {1, 1, 255, 256, 1, 1},  {2, 2, 97, 64, 3, 4},    {1, 1, 721, 64, 2, 1},
    {1, 1, 300, 64, 2, 0.01f}, {1, 2, 130, 48, 2, 1},
};

/* q, k, v of the case filled (k and q at its amplitude), o left to the
 * caller; the number of floats in each, or 0 if memory ran out */
static size_t case_inputs(const shape_case *c, float **q, float **k, float **v, float **o)
{
    const size_t len = (size_t)c->b * c->h * c->n * c->d;
    *q = malloc(len * sizeof **q), *k = malloc(len * sizeof **k);
    *v = malloc(len * sizeof **v), *o = malloc(len * sizeof **o);
    if (!*q || !*k || !*v || !*o)
        return 0;
    for (size_t i = 0; i < len; i++)
        (*q)[i] = c->amp * frand(), (*k)[i] = c->amp * frand(), (*v)[i] = frand();
    return len;
}

static void run_case(const shape_case *c, da3_isa isa)
{
    const da3_attn_shape s = {c->b, c->h, c->n, c->d};
    float *q, *k, *v, *o;
    const size_t len = case_inputs(c, &q, &k, &v, &o);
    CHECK(len > 0, "out of memory for B%d H%d N%d D%d", c->b, c->h, c->n, c->d);
    for (int impl = 0; len && impl < DA3_ATTN_NIMPL; impl++) {
        /* the workspace at an odd float offset: the kernels align it */
        size_t ws_bytes = da3_attn_workspace_bytes(impl, &s, c->threads);
        char *ws_block = malloc(ws_bytes + 4), *ws = ws_block + 4;
        for (size_t i = 0; i < len; i++)
            o[i] = NAN;
        int rc = da3_attn_run(impl, &s, q, k, v, o, ws, ws_bytes, c->threads);
        double err = da3_attn_max_err(&s, q, k, v, o, 0);
        CHECK(rc == 0 && err < 2e-5, "%s/%s B%d H%d N%d D%d T%d: rc %d, max_abs_err %.3g",
              da3_isa_name(isa), da3_attn_impl_name(impl), c->b, c->h, c->n, c->d, c->threads, rc,
              err);
        free(ws_block);
    }
    free(q), free(k), free(v), free(o);
}

static void test_errors(void)
{
    const da3_attn_shape bad_d = {1, 1, 8, 24}, zero_n = {1, 0, 8, 64}, ok = {1, 1, 8, 64};
    float buf[8 * 64] = {0};
    char ws[64];
    CHECK(da3_attn_check_shape(&bad_d) == DA3_EHEADDIM, "D=24 accepted");
    CHECK(da3_attn_check_shape(&zero_n) == DA3_ESHAPE, "H=0 accepted");
    CHECK(da3_attn_run(DA3_ATTN_FLASH, &ok, buf, buf, buf, buf, ws, sizeof ws, 1) ==
              DA3_ENOMEM, "small workspace accepted");
    CHECK(da3_attn_run(DA3_ATTN_NIMPL, &ok, buf, buf, buf, buf, ws, sizeof ws, 1) ==
              DA3_EIMPL, "bad impl accepted");
    CHECK(da3_attn_run(DA3_ATTN_NAIVE, &ok, buf, buf, buf, buf, ws, sizeof ws, 0) ==
              DA3_ETHREADS, "0 threads accepted");
    CHECK(da3_attn_impl_parse("flash") == DA3_ATTN_FLASH, "parse flash");
    CHECK(da3_attn_impl_parse("flashy") == DA3_EIMPL, "parse flashy");
    /* flash holds O(threads * D * Br), naive B*H*N*N */
    const da3_attn_shape big = {2, 8, 1024, 64};
    CHECK(da3_attn_workspace_bytes(DA3_ATTN_NAIVE, &big, 2) ==
              2ull * 8 * 1024 * 1024 * 4 + DA3_ATTN_WS_ALIGN,
          "naive workspace");
    CHECK(da3_attn_workspace_bytes(DA3_ATTN_FLASH, &big, 2) < 200000, "flash workspace %zu",
          da3_attn_workspace_bytes(DA3_ATTN_FLASH, &big, 2));
}

/* bf16 flash, where the unit is: against the double reference of the
 * bf16-rounded inputs, within the tolerance the rounding of P allows; the
 * same shapes (key and query tails, D 16..256, several threads) */
static void run_bf16(const shape_case *c)
{
    const da3_attn_shape s = {c->b, c->h, c->n, c->d};
    float *q, *k, *v, *o;
    const size_t len = case_inputs(c, &q, &k, &v, &o);
    uint16_t *qb = malloc(len * 2), *kb = malloc(len * 2), *vb = malloc(len * 2);
    CHECK(len && qb && kb && vb, "bf16: out of memory for B%d H%d N%d D%d", c->b, c->h, c->n, c->d);
    if (!len || !qb || !kb || !vb) {
        free(q), free(k), free(v), free(o), free(qb), free(kb), free(vb);
        return;
    }
    for (size_t i = 0; i < len; i++)
        o[i] = NAN;
    da3_bf16_round(q, qb, len), da3_bf16_round(k, kb, len), da3_bf16_round(v, vb, len);
    da3_bf16_widen(qb, q, len), da3_bf16_widen(kb, k, len), da3_bf16_widen(vb, v, len);
    const size_t ws_bytes = da3_attn_bf16_workspace_bytes(&s, c->threads);
    char *ws = malloc(ws_bytes);
    const int rc = da3_attn_run_bf16(&s, qb, kb, vb, o, ws, ws_bytes, c->threads);
    const double err = da3_attn_max_err(&s, q, k, v, o, 0);
    const double tol = da3_attn_bf16_tolerance(vb, len);
    CHECK(rc == 0 && err <= tol,
          "bf16 flash B%d H%d N%d D%d T%d: rc %d, max_abs_err %.3g (tol %.3g)", c->b, c->h, c->n,
          c->d, c->threads, rc, err, tol);
    /* a workspace one byte short is refused, not overrun */
    CHECK(da3_attn_run_bf16(&s, qb, kb, vb, o, ws, ws_bytes - 1, c->threads) == DA3_ENOMEM,
          "bf16: a short workspace refused");
    free(ws), free(q), free(k), free(v), free(o), free(qb), free(kb), free(vb);
}

static void test_bf16(void)
{
    /* round to nearest even, NaN kept, and back exactly */
    const float x[] = {1.0f, 1.00390625f, 1.01171875f, -3.5f, NAN, 65504.0f};
    uint16_t y[6];
    float z[6];
    da3_bf16_round(x, y, 6);
    da3_bf16_widen(y, z, 6);
    CHECK(z[0] == 1.0f && z[1] == 1.0f && z[2] == 1.015625f && z[3] == -3.5f && isnan(z[4]) &&
              z[5] == 65536.0f,
          "bf16 rounding: %g %g %g %g %g %g", z[0], z[1], z[2], z[3], z[4], z[5]);
    const char *why = da3_cpu_bf16_missing();
    if (why) {
        const da3_attn_shape s = {1, 1, 8, 16};
        uint16_t in[128] = {0};
        float out[128];
        char ws[1 << 16];
        CHECK(da3_attn_run_bf16(&s, in, in, in, out, ws, sizeof ws, 1) == DA3_EUNAVAIL,
              "bf16 missing (%s): refused by name", why);
        printf("skip bf16 flash: %s\n", why);
        return;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_bf16(&cases[i]);
}

/* --bench: each implementation on each shape, timed at every level */
typedef struct {
    da3_attn_impl impl;
    da3_attn_shape s;
    int threads;
    const float *q, *k, *v;
    float *o;
    char *ws;
    size_t ws_bytes;
} attn_call;

static int attn_call_run(void *p)
{
    const attn_call *a = p;
    return da3_attn_run(a->impl, &a->s, a->q, a->k, a->v, a->o, a->ws, a->ws_bytes, a->threads);
}

static int bench_all(void)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const shape_case *c = &cases[i];
        float *q, *k, *v, *o;
        if (!case_inputs(c, &q, &k, &v, &o))
            bad++;
        for (int impl = 0; q && k && v && o && impl < DA3_ATTN_NIMPL; impl++) {
            attn_call a = {(da3_attn_impl)impl, {c->b, c->h, c->n, c->d}, c->threads, q, k, v, o,
                           NULL, 0};
            for (int isa = 0; isa < DA3_ISA_COUNT; isa++) { /* the largest any level needs */
                if (da3_cpu_has((da3_isa)isa) && da3_cpu_set_isa((da3_isa)isa) == 0) {
                    const size_t b = da3_attn_workspace_bytes(a.impl, &a.s, c->threads);
                    a.ws_bytes = b > a.ws_bytes ? b : a.ws_bytes;
                }
            }
            a.ws = malloc(a.ws_bytes);
            char what[96];
            snprintf(what, sizeof what, "attention/%s B%d H%d N%d D%d T%d",
                     da3_attn_impl_name(a.impl), c->b, c->h, c->n, c->d, c->threads);
            bad += a.ws ? bench_case(what, bench_set_isa, attn_call_run, &a) : 1;
            free(a.ws);
        }
        free(q), free(k), free(v), free(o);
    }
    return bad;
}

int main(int argc, char **argv)
{
    if (bench_args(argc, argv))
        return 2;
    if (da3_cpu_init() != 0) {
        fprintf(stderr, "%s\n", da3_cpu_error());
        return 1;
    }
    int levels = 0;
    for (int isa = 0; isa < DA3_ISA_COUNT; isa++) {
        if (!da3_cpu_has(isa)) {
            printf("skip %s: not supported here\n", da3_isa_name(isa));
            continue;
        }
        da3_cpu_set_isa(isa);
        levels++;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            run_case(&cases[i], isa);
    }
    test_errors();
    da3_cpu_set_isa(da3_cpu_best_isa());
    test_bf16();
    printf("attention: %d ISA levels, %zu shapes, %d failures\n", levels,
           sizeof cases / sizeof cases[0], failures);
    if (failures || !bench_ms)
        return failures ? 1 : 0;
    const int bad = bench_all();
    da3_cpu_set_isa(da3_cpu_best_isa());
    printf("attention: %d cases timed, %d could not be\n", bench_rows, bad);
    return bad || !bench_rows;
}
