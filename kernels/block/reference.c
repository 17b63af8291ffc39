/*
 * reference.c - the block in double precision, plain loops: the whole
 * block for the tests (small shapes), and the stage-by-stage check the
 * suite runs before timing (each stage from its own float inputs, on a
 * sample of tokens, so it stays cheap at DA3's sizes).
 */
#include "block.h"
#include "block_priv.h"

#include <math.h>
#include <stdlib.h>

static void ref_layernorm(const double *x, const float *g, const float *b, double *out, int c)
{
    double m = 0, v = 0;
    for (int i = 0; i < c; i++)
        m += x[i];
    m /= c;
    for (int i = 0; i < c; i++)
        v += (x[i] - m) * (x[i] - m);
    const double r = 1.0 / sqrt(v / c + (double)DA3_BLOCK_LN_EPS);
    for (int i = 0; i < c; i++)
        out[i] = (x[i] - m) * r * g[i] + b[i];
}

/* out[n] = in . w[n, :] + bias[n] for one row (bias may be NULL) */
static void ref_linear(const double *in, const float *w, const float *bias, double *out, int n,
                       int k)
{
    for (int j = 0; j < n; j++) {
        double acc = bias ? bias[j] : 0.0;
        const float *wr = w + (size_t)j * k;
        for (int i = 0; i < k; i++)
            acc += in[i] * wr[i];
        out[j] = acc;
    }
}

static double ref_gelu(double x) { return 0.5 * x * (1.0 + erf(x / sqrt(2.0))); }

static void to_double(const float *x, double *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = x[i];
}

static double worst(double e, const float *got, const double *ref, int n)
{
    for (int i = 0; i < n; i++) {
        const double d = fabs(got[i] - ref[i]) / (1.0 + fabs(ref[i]));
        e = d > e || d != d ? d : e; /* NaN wins */
    }
    return e;
}

int da3_block_reference(const da3_block_shape *s, const da3_block_weights *w, const float *x,
                        double *y)
{
    if (da3_block_check_shape(s))
        return DA3_ESHAPE;
    const int T = s->tokens, C = s->dim, F = s->hidden, H = s->heads, D = C / H;
    const int N = T / s->seqs;
    double *qkv = malloc(sizeof(double) * (size_t)T * 3 * C);
    double *a = malloc(sizeof(double) * (size_t)T * C);
    double *row = malloc(sizeof(double) * (size_t)(4 * C + 2 * F + N));
    if (!qkv || !a || !row) {
        free(qkv), free(a), free(row);
        return DA3_ENOMEM;
    }
    double *xr = row, *h = xr + C, *t = h + C, *x1 = t + C, *u = x1 + C, *p = u + 2 * F;
    for (int r = 0; r < T; r++) {
        to_double(x + (size_t)r * C, xr, C);
        ref_layernorm(xr, w->ln1_w, w->ln1_b, h, C);
        ref_linear(h, w->qkv_w, w->qkv_b, qkv + (size_t)r * 3 * C, 3 * C, C);
    }
    const double scale = 1.0 / sqrt((double)D);
    for (int r = 0; r < T; r++) {
        const int seq0 = r / N * N;
        for (int hh = 0; hh < H; hh++) {
            const double *q = qkv + (size_t)r * 3 * C + hh * D;
            double mx = -INFINITY, sum = 0;
            for (int j = 0; j < N; j++) {
                const double *k = qkv + (size_t)(seq0 + j) * 3 * C + C + hh * D;
                double acc = 0;
                for (int e = 0; e < D; e++)
                    acc += q[e] * k[e];
                p[j] = acc * scale;
                mx = p[j] > mx ? p[j] : mx;
            }
            for (int j = 0; j < N; j++)
                sum += p[j] = exp(p[j] - mx);
            for (int e = 0; e < D; e++) {
                double acc = 0;
                for (int j = 0; j < N; j++)
                    acc += p[j] * qkv[(size_t)(seq0 + j) * 3 * C + 2 * C + hh * D + e];
                a[(size_t)r * C + hh * D + e] = acc / sum;
            }
        }
    }
    for (int r = 0; r < T; r++) {
        ref_linear(a + (size_t)r * C, w->proj_w, w->proj_b, t, C, C);
        for (int i = 0; i < C; i++)
            x1[i] = x[(size_t)r * C + i] + w->ls1[i] * t[i];
        ref_layernorm(x1, w->ln2_w, w->ln2_b, h, C);
        ref_linear(h, w->fc1_w, w->fc1_b, u, F, C);
        for (int i = 0; i < F; i++)
            u[i] = ref_gelu(u[i]);
        ref_linear(u, w->fc2_w, w->fc2_b, t, C, F);
        for (int i = 0; i < C; i++)
            y[(size_t)r * C + i] = x1[i] + w->ls2[i] * t[i];
    }
    free(qkv), free(a), free(row);
    return 0;
}

double da3_block_check(const da3_block *b, const da3_block_weights *w, const float *x,
                       const float *y, int rows)
{
    const da3_block_shape *s = &b->s;
    const int T = s->tokens, C = s->dim, F = s->hidden, H = s->heads, D = C / H;
    const int N = b->a.n;
    if (rows <= 0 || rows > T)
        rows = T;
    double *buf = malloc(sizeof(double) * (size_t)(6 * C + 2 * F));
    if (!buf)
        return NAN;
    double *in = buf, *ref = in + (C > F ? C : F), *ref3 = ref + (C > F ? C : F);
    float *got = malloc(sizeof(float) * (size_t)3 * C);
    if (!got) {
        free(buf);
        return NAN;
    }
    double e = 0;
    for (int i = 0; i < rows; i++) {
        const long r = rows > 1 ? (long)((double)i * (T - 1) / (rows - 1) + 0.5) : 0;
        const long bi = r / N, n = r % N;
        const size_t rc = (size_t)r * C, rf = (size_t)r * F;
        /* LayerNorm 1 */
        to_double(x + rc, in, C);
        ref_layernorm(in, w->ln1_w, w->ln1_b, ref, C);
        e = worst(e, b->h1 + rc, ref, C);
        /* QKV GEMM + bias, through the head split */
        to_double(b->h1 + rc, in, C);
        ref_linear(in, w->qkv_w, w->qkv_b, ref3, 3 * C, C);
        const float *dst[3] = {b->q, b->k, b->v};
        for (int m = 0; m < 3; m++)
            for (int h = 0; h < H; h++)
                for (int d = 0; d < D; d++)
                    got[m * C + h * D + d] = dst[m][(((size_t)bi * H + h) * N + n) * D + d];
        e = worst(e, got, ref3, 3 * C);
        /* head merge, projection + bias, LayerScale, residual */
        for (int h = 0; h < H; h++)
            for (int d = 0; d < D; d++)
                in[h * D + d] = b->o[(((size_t)bi * H + h) * N + n) * D + d];
        ref_linear(in, w->proj_w, w->proj_b, ref, C, C);
        for (int c = 0; c < C; c++)
            ref[c] = x[rc + c] + (double)w->ls1[c] * ref[c];
        e = worst(e, b->x1 + rc, ref, C);
        /* LayerNorm 2 */
        to_double(b->x1 + rc, in, C);
        ref_layernorm(in, w->ln2_w, w->ln2_b, ref, C);
        e = worst(e, b->h2 + rc, ref, C);
        /* fc1 + bias, GELU */
        to_double(b->h2 + rc, in, C);
        ref_linear(in, w->fc1_w, w->fc1_b, ref, F, C);
        for (int f = 0; f < F; f++)
            ref[f] = ref_gelu(ref[f]);
        e = worst(e, b->u + rf, ref, F);
        /* fc2 + bias, LayerScale, residual */
        to_double(b->u + rf, in, F);
        ref_linear(in, w->fc2_w, w->fc2_b, ref, C, F);
        for (int c = 0; c < C; c++)
            ref[c] = b->x1[rc + c] + (double)w->ls2[c] * ref[c];
        e = worst(e, y + rc, ref, C);
    }
    free(buf), free(got);
    /* the attention, against its own double reference */
    const double ea = da3_attn_max_err(&b->a, b->q, b->k, b->v, b->o, rows);
    return ea > e || ea != ea ? ea : e;
}
