/*
 * bf16_case.c - the attention suite's --dtype bf16 cases:
 * attention/flash_bf16/B:/H:/N:/D:/threads:. Q, K and V are the fp32
 * cases' seeded inputs rounded to bf16 once, before timing (stored as
 * bf16, as a bf16 model holds them); the output is fp32. Checked first
 * against the double reference computed from the bf16 values themselves,
 * within the tolerance the rounding of P allows (attention.h), on 32 query
 * rows a head. GFLOPS counts 4*B*H*N^2*D as the fp32 cases do, and
 * pct_peak is against the bf16 unit's own measured peak (peak/bf16_dot) at
 * the case's thread count, not the fp32 FMA's.
 */
#include "bf16_case.h"
#include "cpu.h"
#include "gbench.h"
#include "suites.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_ROWS 32

void da3_bf16_release(da3_bf16_inputs *in)
{
    free(in->q), free(in->k), free(in->v), free(in->o), free(in->ref_in), free(in->ws);
    in->q = in->k = in->v = NULL, in->o = in->ref_in = NULL, in->ws = NULL;
    in->have = 0;
}

static int prepare(const da3_bf16_case *c, char *err, size_t errlen)
{
    da3_bf16_inputs *in = c->in;
    if (in->have && !memcmp(&in->s, &c->s, sizeof c->s) && in->threads == c->threads)
        return 0;
    da3_bf16_release(in);
    const size_t len = (size_t)c->s.b * c->s.h * c->s.n * c->s.d;
    in->s = c->s, in->threads = c->threads;
    in->ws_bytes = da3_attn_bf16_workspace_bytes(&c->s, c->threads);
    in->q = malloc(len * 2), in->k = malloc(len * 2), in->v = malloc(len * 2);
    in->o = malloc(len * sizeof(float)), in->ref_in = malloc(3 * len * sizeof(float));
    in->ws = malloc(in->ws_bytes);
    if (!in->q || !in->k || !in->v || !in->o || !in->ref_in || !in->ws) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    float *q = in->ref_in, *k = q + len, *v = k + len;
    /* the fp32 cases' inputs (suite_attention.c), then rounded */
    da3_attention_fill(q, len, 1), da3_attention_fill(k, len, 2), da3_attention_fill(v, len, 3);
    for (size_t i = 0; i < len; i++)
        v[i] *= 0.57735027f;
    da3_bf16_round(q, in->q, len), da3_bf16_round(k, in->k, len), da3_bf16_round(v, in->v, len);
    da3_bf16_widen(in->q, q, len), da3_bf16_widen(in->k, k, len), da3_bf16_widen(in->v, v, len);
    const int rc = da3_attn_run_bf16(&c->s, in->q, in->k, in->v, in->o, in->ws, in->ws_bytes,
                                     c->threads);
    if (rc) {
        const char *why = rc == DA3_EUNAVAIL ? da3_cpu_bf16_missing() : NULL;
        snprintf(err, errlen, "%s%s", why ? "bf16 attention: " : "", why ? why : da3_strerror(rc));
        return -1;
    }
    in->err = da3_attn_max_err(&c->s, q, k, v, in->o, CHECK_ROWS);
    in->tol = da3_attn_bf16_tolerance(in->v, len);
    in->have = 1;
    return 0;
}

void da3_bf16_body(gb_state *st, void *arg)
{
    const da3_bf16_case *c = arg;
    da3_bf16_inputs *in = c->in;
    char msg[200];
    if (prepare(c, msg, sizeof msg)) {
        gb_skip_with_error(st, msg);
        return;
    }
    gb_counter(st, "max_abs_err", in->err, GB_COUNTER_DEFAULT);
    if (!(in->err <= in->tol)) {
        snprintf(msg, sizeof msg, "max_abs_err %.3g above the bf16 tolerance %.3g", in->err,
                 in->tol);
        gb_skip_with_error(st, msg);
        return;
    }
    if (c->threads <= 64 && in->peaks[c->threads] == 0)
        in->peaks[c->threads] = da3_cpu_bf16_peak_gflops(c->threads, 0.05, 3);
    double total = 0;
    int64_t iters = 0;
    while (gb_keep_running(st)) {
        const double t0 = da3_now();
        da3_attn_run_bf16(&c->s, in->q, in->k, in->v, in->o, in->ws, in->ws_bytes, c->threads);
        total += da3_now() - t0;
        iters++;
    }
    const double flops = 4.0 * c->s.b * c->s.h * (double)c->s.n * c->s.n * c->s.d;
    snprintf(msg, sizeof msg, "avx512_bf16, bf16 inputs, fp32 softmax and output");
    if (total > 0)
        da3_peak_counters(st, msg, sizeof msg, flops * (double)iters / total * 1e-9,
                          c->threads <= 64 ? in->peaks[c->threads] : 0);
    gb_counter(st, "tolerance", in->tol, GB_COUNTER_DEFAULT);
    gb_set_label(st, msg);
}
