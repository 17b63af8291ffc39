/*
 * block_ops.c - the block's row operations that are not GEMMs or the
 * attention, compiled once per ISA level (simd.h): each is one pass over
 * its rows, memory-bound but for GELU.
 */
#include "block.h"
#include "simd.h"

#include <math.h>

static void layernorm(const float *x, const float *g, const float *bias, float *out, int c,
                      long r0, long r1)
{
    for (long r = r0; r < r1; r++) {
        const float *xr = x + (size_t)r * c;
        float *o = out + (size_t)r * c;
        int i = 0;
        vf sv = v_zero();
        for (; i + DA3_VW <= c; i += DA3_VW)
            sv = v_add(sv, v_load(xr + i));
        float sum = v_hsum(sv);
        for (; i < c; i++)
            sum += xr[i];
        const float mean = sum / (float)c;
        const vf mv = v_set1(mean);
        vf qv = v_zero();
        for (i = 0; i + DA3_VW <= c; i += DA3_VW) {
            const vf d = v_sub(v_load(xr + i), mv);
            qv = v_fma(d, d, qv);
        }
        float sq = v_hsum(qv);
        for (; i < c; i++)
            sq += (xr[i] - mean) * (xr[i] - mean);
        const float rstd = 1.0f / sqrtf(sq / (float)c + DA3_BLOCK_LN_EPS);
        const vf rv = v_set1(rstd);
        for (i = 0; i + DA3_VW <= c; i += DA3_VW) {
            const vf n = v_mul(v_sub(v_load(xr + i), mv), rv);
            v_store(o + i, v_fma(n, v_load(g + i), v_load(bias + i)));
        }
        for (; i < c; i++)
            o[i] = (xr[i] - mean) * rstd * g[i] + bias[i];
    }
}

/* Token r of sequence r / N goes to row r % N of each head. D is a
 * multiple of 16 (attention.h), so whole vectors always. */
static void split_heads(const float *qkv, const float *bias, float *q, float *k, float *v,
                        const da3_attn_shape *a, long r0, long r1)
{
    const int H = a->h, N = a->n, D = a->d, C = H * D;
    float *const dst[3] = {q, k, v};
    for (long r = r0; r < r1; r++) {
        const long bi = r / N, n = r % N;
        const float *src = qkv + (size_t)r * 3 * C;
        for (int w = 0; w < 3; w++)
            for (int h = 0; h < H; h++) {
                const float *s = src + w * C + h * D, *bb = bias + w * C + h * D;
                float *o = dst[w] + (((size_t)bi * H + h) * N + n) * D;
                for (int e = 0; e < D; e += DA3_VW)
                    v_store(o + e, v_add(v_load(s + e), v_load(bb + e)));
            }
    }
}

static void merge_heads(const float *o, float *a, const da3_attn_shape *s, long r0, long r1)
{
    const int H = s->h, N = s->n, D = s->d, C = H * D;
    for (long r = r0; r < r1; r++) {
        const long bi = r / N, n = r % N;
        for (int h = 0; h < H; h++) {
            const float *src = o + (((size_t)bi * H + h) * N + n) * D;
            float *d = a + (size_t)r * C + h * D;
            for (int e = 0; e < D; e += DA3_VW)
                v_store(d + e, v_load(src + e));
        }
    }
}

static void residual(const float *x, const float *y, const float *bias, const float *ls,
                     float *out, int c, long r0, long r1)
{
    for (long r = r0; r < r1; r++) {
        const float *xr = x + (size_t)r * c, *yr = y + (size_t)r * c;
        float *o = out + (size_t)r * c;
        int i = 0;
        for (; i + DA3_VW <= c; i += DA3_VW) {
            const vf t = v_add(v_load(yr + i), v_load(bias + i));
            v_store(o + i, v_fma(v_load(ls + i), t, v_load(xr + i)));
        }
        for (; i < c; i++)
            o[i] = xr[i] + ls[i] * (yr[i] + bias[i]);
    }
}

/*
 * GELU(x) = x/2 (1 + erf(x / sqrt 2)), exact to float precision: with
 * z = |x| / sqrt 2, 1 - erf(z) = P(t) exp(-z^2), t = 1 / (1 + p z), the
 * degree-5 form of Abramowitz and Stegun 7.1.26 (absolute error <= 1.5e-7).
 * For x >= 0 that is x - |x|/2 P e^(-z^2); for x < 0, x/2 (1 - erf(z)) is
 * -|x|/2 P e^(-z^2): both are max(x, 0) - |x|/2 P e^(-z^2), with no branch.
 */
static inline vf gelu_v(vf x)
{
    const vf ax = v_max(x, v_sub(v_zero(), x));
    const vf z = v_mul(ax, v_set1(0.70710678f));
    const vf t = v_div(v_set1(1.0f), v_fma(v_set1(0.3275911f), z, v_set1(1.0f)));
    vf p = v_set1(1.061405429f);
    p = v_fma(p, t, v_set1(-1.453152027f));
    p = v_fma(p, t, v_set1(1.421413741f));
    p = v_fma(p, t, v_set1(-0.284496736f));
    p = v_fma(p, t, v_set1(0.254829592f));
    p = v_mul(p, t);
    const vf e = v_exp2(v_mul(v_mul(z, z), v_set1(-1.44269504f)));
    return v_sub(v_max(x, v_zero()), v_mul(v_mul(v_set1(0.5f), ax), v_mul(p, e)));
}

static void gelu(const float *in, const float *bias, float *u, int f, long r0, long r1)
{
    for (long r = r0; r < r1; r++) {
        const float *ir = in + (size_t)r * f;
        float *ur = u + (size_t)r * f;
        int i = 0;
        for (; i + DA3_VW <= f; i += DA3_VW)
            v_store(ur + i, gelu_v(v_add(v_load(ir + i), v_load(bias + i))));
        for (; i < f; i++) {
            const float x = ir[i] + bias[i];
            ur[i] = 0.5f * x * (1.0f + erff(x * 0.70710678f));
        }
    }
}

const da3_block_fns DA3_CAT(da3_block_fns, DA3_ISA) = {
    .layernorm = layernorm,
    .split_heads = split_heads,
    .merge_heads = merge_heads,
    .residual = residual,
    .gelu = gelu,
};
