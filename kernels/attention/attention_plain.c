/*
 * naive and fused: the seed's "upstream" and "optimized" attention, in the
 * order PyTorch eager runs them, one parallel pass per operator over all
 * B*H heads: S = Q K^T; (naive) S *= scale; softmax(S); O = S V.
 * Plain C loops: the compiler vectorizes what it can at each ISA level.
 * fused differs in one respect only: the scale is applied inside the
 * softmax pass instead of in a pass of its own.
 */
#include "attention.h"
#include "attention_isa.h"
#include "par.h"

#include <math.h>

#define ROWS 16 /* query rows per task */

typedef struct {
    const da3_attn_shape *s;
    const float *q, *k, *v;
    float *o, *S;
    float scale;
    long nblk; /* row blocks per head */
} plain_job;

static void rows_of(const plain_job *j, long task, size_t *bh, int *i0, int *i1)
{
    *bh = (size_t)(task / j->nblk);
    *i0 = (int)(task % j->nblk) * ROWS;
    *i1 = *i0 + ROWS < j->s->n ? *i0 + ROWS : j->s->n;
}

static void qk_task(void *ctx, long task, int tid)
{
    (void)tid;
    const plain_job *j = ctx;
    const size_t n = (size_t)j->s->n, d = (size_t)j->s->d;
    size_t bh;
    int i0, i1;
    rows_of(j, task, &bh, &i0, &i1);
    const float *q = j->q + bh * n * d, *k = j->k + bh * n * d;
    float *S = j->S + bh * n * n;
    for (int i = i0; i < i1; i++)
        for (size_t c = 0; c < n; c++) {
            float acc = 0.0f;
            for (size_t e = 0; e < d; e++)
                acc += q[(size_t)i * d + e] * k[c * d + e];
            S[(size_t)i * n + c] = acc;
        }
}

static void scale_task(void *ctx, long task, int tid)
{
    (void)tid;
    const plain_job *j = ctx;
    const size_t n = (size_t)j->s->n;
    size_t bh;
    int i0, i1;
    rows_of(j, task, &bh, &i0, &i1);
    float *S = j->S + bh * n * n;
    for (size_t x = (size_t)i0 * n; x < (size_t)i1 * n; x++)
        S[x] *= j->scale;
}

/* softmax of scale*row, in place: max, exp and sum, divide. */
static void softmax_row(float *row, size_t n, float scale)
{
    float mx = row[0];
    for (size_t c = 1; c < n; c++)
        mx = row[c] > mx ? row[c] : mx;
    float sum = 0.0f;
    for (size_t c = 0; c < n; c++) {
        row[c] = expf(scale * (row[c] - mx));
        sum += row[c];
    }
    float inv = 1.0f / sum;
    for (size_t c = 0; c < n; c++)
        row[c] *= inv;
}

static void softmax_task(void *ctx, long task, int tid)
{
    (void)tid;
    const plain_job *j = ctx;
    const size_t n = (size_t)j->s->n;
    size_t bh;
    int i0, i1;
    rows_of(j, task, &bh, &i0, &i1);
    for (int i = i0; i < i1; i++)
        softmax_row(j->S + bh * n * n + (size_t)i * n, n, j->scale);
}

static void pv_task(void *ctx, long task, int tid)
{
    (void)tid;
    const plain_job *j = ctx;
    const size_t n = (size_t)j->s->n, d = (size_t)j->s->d;
    size_t bh;
    int i0, i1;
    rows_of(j, task, &bh, &i0, &i1);
    const float *v = j->v + bh * n * d, *S = j->S + bh * n * n;
    float *o = j->o + bh * n * d;
    for (int i = i0; i < i1; i++) {
        float *orow = o + (size_t)i * d;
        for (size_t e = 0; e < d; e++)
            orow[e] = 0.0f;
        for (size_t c = 0; c < n; c++) {
            const float p = S[(size_t)i * n + c];
            for (size_t e = 0; e < d; e++)
                orow[e] += p * v[c * d + e];
        }
    }
}

static int run_plain(const da3_attn_shape *s, const float *q, const float *k, const float *v,
                     float *o, float *ws, int threads, int fused)
{
    plain_job j = {.s = s, .q = q, .k = k, .v = v, .o = o, .S = ws,
                   .scale = 1.0f / sqrtf((float)s->d), .nblk = (s->n + ROWS - 1) / ROWS};
    const long tasks = (long)s->b * s->h * j.nblk;
    int rc = da3_par_for(threads, tasks, qk_task, &j), r;
    if (!fused) {
        /* upstream: attn = attn * scale as an operator of its own, then a
         * softmax that sees already-scaled scores. */
        r = da3_par_for(threads, tasks, scale_task, &j);
        rc = rc ? rc : r;
        j.scale = 1.0f;
    }
    r = da3_par_for(threads, tasks, softmax_task, &j);
    rc = rc ? rc : r;
    r = da3_par_for(threads, tasks, pv_task, &j);
    return rc ? rc : r;
}

int DA3_FN(da3_attn_naive)(const da3_attn_shape *s, const float *q, const float *k,
                           const float *v, float *o, float *ws, int threads)
{
    return run_plain(s, q, k, v, o, ws, threads, 0);
}

int DA3_FN(da3_attn_fused)(const da3_attn_shape *s, const float *q, const float *k,
                           const float *v, float *o, float *ws, int threads)
{
    return run_plain(s, q, k, v, o, ws, threads, 1);
}
