/*
 * blas: what PyTorch eager does on a CPU, with the BLAS library doing the
 * two matrix products: per head, S = Q K^T (cblas_sgemm), one fused pass
 * per row computing softmax(scale * S) with a vectorized exp, O = S V.
 * Heads run in parallel on our threads with the BLAS single-threaded inside
 * each, which is faster than a threaded BLAS on one head at these sizes
 * (each product is N x N x D, too thin to split well).
 */
#include "attention.h"
#include "attention_isa.h"
#include "par.h"

#include "blas.h"
#include <math.h>

typedef struct {
    const da3_attn_shape *s;
    const float *q, *k, *v;
    float *o, *S;
    float c; /* log2(e) / sqrt(D): scores to base-2 exponents */
} blas_job;

static void softmax_row(float *row, int n, float c)
{
    int x = 0;
    vf mv = v_set1(-INFINITY);
    for (; x + DA3_VW <= n; x += DA3_VW)
        mv = v_max(mv, v_load(row + x));
    float mx = v_hmax(mv);
    for (; x < n; x++)
        mx = row[x] > mx ? row[x] : mx;
    const vf cv = v_set1(c), off = v_set1(-c * mx);
    vf sv = v_zero();
    for (x = 0; x + DA3_VW <= n; x += DA3_VW) {
        const vf e = v_exp2(v_fma(cv, v_load(row + x), off));
        v_store(row + x, e);
        sv = v_add(sv, e);
    }
    float sum = v_hsum(sv);
    for (; x < n; x++) {
        row[x] = exp2f(c * row[x] - c * mx);
        sum += row[x];
    }
    const vf inv = v_set1(1.0f / sum);
    for (x = 0; x + DA3_VW <= n; x += DA3_VW)
        v_store(row + x, v_mul(v_load(row + x), inv));
    for (; x < n; x++)
        row[x] *= 1.0f / sum;
}

static void head_task(void *ctx, long task, int tid)
{
    const blas_job *j = ctx;
    const int N = j->s->n, D = j->s->d;
    const size_t off = (size_t)task * N * D;
    float *S = j->S + (size_t)tid * N * N;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, N, D, 1.0f, j->q + off, D,
                j->k + off, D, 0.0f, S, N);
    for (int i = 0; i < N; i++)
        softmax_row(S + (size_t)i * N, N, j->c);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, D, N, 1.0f, S, N, j->v + off, D,
                0.0f, j->o + off, D);
}

int DA3_FN(da3_attn_blas)(const da3_attn_shape *s, const float *q, const float *k,
                          const float *v, float *o, float *ws, int threads)
{
    blas_job j = {.s = s, .q = q, .k = k, .v = v, .o = o, .S = ws,
                  .c = (float)(M_LOG2E / sqrt((double)s->d))};
    da3_blas_set_threads(1);
    return da3_par_for(threads, (long)s->b * s->h, head_task, &j);
}
