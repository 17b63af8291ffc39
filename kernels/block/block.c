/*
 * block.c - the DA3 ViT block (block.h): its buffers, its weights, the
 * GEMMs over our threads and the order of the stages.
 */
#include "block.h"
#include "block_priv.h"
#include "blas.h"
#include "cpu.h"
#include "par.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


da3_attn_shape da3_block_attn_shape(const da3_block_shape *s)
{
    da3_attn_shape a = {0, 0, 0, 0};
    if (s->seqs >= 1 && s->heads >= 1)
        a = (da3_attn_shape){s->seqs, s->heads, s->tokens / s->seqs, s->dim / s->heads};
    return a;
}

int da3_block_check_shape(const da3_block_shape *s)
{
    if (s->tokens < 1 || s->dim < 1 || s->heads < 1 || s->hidden < 1 || s->seqs < 1 ||
        s->dim % s->heads || s->tokens % s->seqs)
        return DA3_ESHAPE;
    if ((double)s->tokens * (s->hidden > 3 * s->dim ? s->hidden : 3 * s->dim) > 1e12)
        return DA3_ESHAPE;
    const da3_attn_shape a = da3_block_attn_shape(s);
    return da3_attn_check_shape(&a) ? DA3_ESHAPE : 0;
}

double da3_block_gemm_flops(const da3_block_shape *s)
{
    const double c = s->dim, f = s->hidden;
    return 2.0 * s->tokens * (3 * c * c + c * c + 2 * c * f);
}

double da3_block_attn_flops(const da3_block_shape *s)
{
    const da3_attn_shape a = da3_block_attn_shape(s);
    return 4.0 * a.b * a.h * (double)a.n * a.n * a.d;
}

const char *da3_block_part_name(da3_block_part p)
{
    static const char *const names[DA3_BLOCK_NPART] = {"gemm", "openblas", "attention",
                                                        "other"};
    return (unsigned)p < DA3_BLOCK_NPART ? names[p] : "?";
}

/* xorshift64 to a uniform float in [-1, 1) */
static float uniform(unsigned long long *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return (float)((double)(*s >> 11) / 4503599627370496.0 - 1.0);
}

void da3_block_fill(float *x, size_t n, unsigned long long seed)
{
    unsigned long long s = seed * 0x9e3779b97f4a7c15ull + 7;
    for (size_t i = 0; i < n; i++)
        x[i] = uniform(&s) * 1.7320508f; /* unit variance */
}

static void fill(float *p, size_t n, float center, float half, unsigned long long *s)
{
    for (size_t i = 0; i < n; i++)
        p[i] = center + half * uniform(s);
}

int da3_block_weights_init(da3_block_weights *w, const da3_block_shape *s,
                           unsigned long long seed)
{
    memset(w, 0, sizeof *w);
    int rc = da3_block_check_shape(s);
    if (rc)
        return rc;
    const size_t C = (size_t)s->dim, F = (size_t)s->hidden;
    const size_t sizes[14] = {C, C, 3 * C * C, 3 * C, C * C, C, C, C, C, F * C, F, C * F, C, C};
    size_t total = 0;
    for (int i = 0; i < 14; i++)
        total += (sizes[i] + 15) & ~(size_t)15;
    w->mem = malloc(total * sizeof(float));
    if (!w->mem)
        return DA3_ENOMEM;
    float **ptr[14] = {&w->ln1_w, &w->ln1_b, &w->qkv_w, &w->qkv_b, &w->proj_w,
                       &w->proj_b, &w->ls1,  &w->ln2_w, &w->ln2_b, &w->fc1_w,
                       &w->fc1_b,  &w->fc2_w, &w->fc2_b, &w->ls2};
    float *p = w->mem;
    for (int i = 0; i < 14; i++) {
        *ptr[i] = p;
        p += (sizes[i] + 15) & ~(size_t)15;
    }
    unsigned long long st = seed * 0x9e3779b97f4a7c15ull + 3;
    /* Uniform on [-a, a] has variance a^2 / 3: a = sqrt(3 / fan_in) keeps a
     * linear layer's outputs at its inputs' spread. Q and K 1.5x that: the
     * scores q.k / sqrt(D) then spread ~2.3, a trained ViT's order, so
     * softmax is neither flat nor one-hot. */
    const float ac = 1.7320508f / sqrtf((float)C), af = 1.7320508f / sqrtf((float)F);
    fill(w->ln1_w, C, 1.0f, 0.1f, &st), fill(w->ln1_b, C, 0.0f, 0.05f, &st);
    fill(w->qkv_w, 2 * C * C, 0.0f, 1.5f * ac, &st);
    fill(w->qkv_w + 2 * C * C, C * C, 0.0f, ac, &st);
    fill(w->qkv_b, 3 * C, 0.0f, 0.02f, &st);
    fill(w->proj_w, C * C, 0.0f, ac, &st), fill(w->proj_b, C, 0.0f, 0.02f, &st);
    fill(w->ls1, C, 0.1f, 0.05f, &st);
    fill(w->ln2_w, C, 1.0f, 0.1f, &st), fill(w->ln2_b, C, 0.0f, 0.05f, &st);
    fill(w->fc1_w, F * C, 0.0f, ac, &st), fill(w->fc1_b, F, 0.0f, 0.02f, &st);
    fill(w->fc2_w, C * F, 0.0f, af, &st), fill(w->fc2_b, C, 0.0f, 0.02f, &st);
    fill(w->ls2, C, 0.1f, 0.05f, &st);
    return 0;
}

void da3_block_weights_free(da3_block_weights *w)
{
    free(w->mem);
    memset(w, 0, sizeof *w);
}

/* floats per token of the intermediates: h1 qkv(3) q k v o am proj x1 h2 mlp, fc1 u */
static double floats_per_token(const da3_block_shape *s)
{
    return 13.0 * s->dim + 2.0 * s->hidden;
}

double da3_block_bytes(const da3_block_shape *s, da3_attn_impl impl, int threads)
{
    const da3_attn_shape a = da3_block_attn_shape(s);
    return sizeof(float) * floats_per_token(s) * s->tokens +
           (double)da3_attn_workspace_bytes(impl, &a, threads);
}

void da3_block_dsp_init(da3_block_fns *dsp, unsigned mask)
{
    *dsp = da3_block_fns_scalar;
#ifdef DA3_HAVE_X86_ISAS
    if (mask & DA3_ISA_BIT(DA3_ISA_AVX2))
        *dsp = da3_block_fns_avx2;
    if (mask & DA3_ISA_BIT(DA3_ISA_AVX512))
        *dsp = da3_block_fns_avx512;
#endif
#ifdef DA3_HAVE_NEON_ISA
    if (mask & DA3_ISA_BIT(DA3_ISA_NEON))
        *dsp = da3_block_fns_neon;
#endif
}

da3_block *da3_block_new(const da3_block_shape *s, da3_attn_impl impl, int threads,
                         unsigned isa_mask, int *err)
{
    int rc = da3_block_check_shape(s);
    if (!rc && (unsigned)impl >= DA3_ATTN_NIMPL)
        rc = DA3_EIMPL;
    if (!rc && threads < 1)
        rc = DA3_ETHREADS;
    da3_block *b = rc ? NULL : calloc(1, sizeof *b);
    if (!rc && !b)
        rc = DA3_ENOMEM;
    if (rc) {
        *err = rc;
        return NULL;
    }
    b->s = *s;
    b->a = da3_block_attn_shape(s);
    b->impl = impl;
    b->threads = threads;
    da3_block_dsp_init(&b->f, isa_mask ? isa_mask : da3_cpu_isa_mask());
    const size_t T = (size_t)s->tokens, C = (size_t)s->dim, F = (size_t)s->hidden;
    b->mem = malloc((size_t)floats_per_token(s) * T * sizeof(float));
    b->ws_bytes = da3_attn_workspace_bytes(impl, &b->a, threads);
    b->ws = malloc(b->ws_bytes ? b->ws_bytes : 1);
    if (!b->mem || !b->ws) {
        da3_block_free(b);
        *err = DA3_ENOMEM;
        return NULL;
    }
    float *p = b->mem;
    float **seq[] = {&b->h1, &b->q, &b->k, &b->v, &b->o, &b->am, &b->proj, &b->x1, &b->h2,
                     &b->mlp};
    for (size_t i = 0; i < sizeof seq / sizeof *seq; i++, p += T * C)
        *seq[i] = p;
    b->qkv = p, p += 3 * T * C;
    b->fc1 = p, p += T * F;
    b->u = p;
    *err = 0;
    return b;
}

void da3_block_free(da3_block *b)
{
    if (!b)
        return;
    free(b->mem);
    free(b->ws);
    free(b);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* y[M, N] = a[M, K] w[N, K]^T: the output columns in 2 slices per thread
 * (balance when a neighbour takes a core), each a single-threaded
 * cblas_sgemm that packs only its slice of w. */
typedef struct {
    const float *a, *w;
    float *y;
    int m, n, k, chunk;
} gemm_job;

static void gemm_task(void *ctx, long task, int tid)
{
    (void)tid;
    const gemm_job *j = ctx;
    const int n0 = (int)task * j->chunk, nn = j->n - n0 < j->chunk ? j->n - n0 : j->chunk;
    if (nn > 0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, j->m, nn, j->k, 1.0f, j->a, j->k,
                    j->w + (size_t)n0 * j->k, j->k, 0.0f, j->y + n0, j->n);
}

static int gemm(const da3_block *b, const float *a, const float *w, float *y, int n, int k,
                int openblas)
{
    const int m = b->s.tokens;
    if (openblas) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, w, k, 0.0f,
                    y, n);
        return 0;
    }
    const int slices = b->threads > 1 ? 2 * b->threads : 1;
    gemm_job j = {a, w, y, m, n, k, ((n + slices - 1) / slices + 15) & ~15};
    return da3_par_for(b->threads, slices, gemm_task, &j);
}

static int gemms(const da3_block *b, const da3_block_weights *w, int openblas)
{
    const int C = b->s.dim, F = b->s.hidden;
    da3_blas_set_threads(openblas ? b->threads : 1);
    int rc = gemm(b, b->h1, w->qkv_w, b->qkv, 3 * C, C, openblas);
    rc = rc ? rc : gemm(b, b->am, w->proj_w, b->proj, C, C, openblas);
    rc = rc ? rc : gemm(b, b->h2, w->fc1_w, b->fc1, F, C, openblas);
    rc = rc ? rc : gemm(b, b->u, w->fc2_w, b->mlp, C, F, openblas);
    da3_blas_set_threads(1);
    return rc;
}

/* The row operations, over tasks of ROWS tokens. */
#define ROWS 16
enum { OP_LN1, OP_SPLIT, OP_MERGE, OP_RES1, OP_LN2, OP_GELU, OP_RES2 };

typedef struct {
    const da3_block *b;
    const da3_block_weights *w;
    const float *x;
    float *y;
    int op;
} rows_job;

static void rows_task(void *ctx, long task, int tid)
{
    (void)tid;
    const rows_job *j = ctx;
    const da3_block *b = j->b;
    const da3_block_weights *w = j->w;
    const long r0 = task * ROWS, r1 = r0 + ROWS < b->s.tokens ? r0 + ROWS : b->s.tokens;
    const int C = b->s.dim, F = b->s.hidden;
    switch (j->op) {
    case OP_LN1:
        b->f.layernorm(j->x, w->ln1_w, w->ln1_b, b->h1, C, r0, r1);
        break;
    case OP_SPLIT:
        b->f.split_heads(b->qkv, w->qkv_b, b->q, b->k, b->v, &b->a, r0, r1);
        break;
    case OP_MERGE:
        b->f.merge_heads(b->o, b->am, &b->a, r0, r1);
        break;
    case OP_RES1:
        b->f.residual(j->x, b->proj, w->proj_b, w->ls1, b->x1, C, r0, r1);
        break;
    case OP_LN2:
        b->f.layernorm(b->x1, w->ln2_w, w->ln2_b, b->h2, C, r0, r1);
        break;
    case OP_GELU:
        b->f.gelu(b->fc1, w->fc1_b, b->u, F, r0, r1);
        break;
    default:
        b->f.residual(b->x1, b->mlp, w->fc2_b, w->ls2, j->y, C, r0, r1);
        break;
    }
}

static int rows(const da3_block *b, const da3_block_weights *w, const float *x, float *y,
                int op)
{
    rows_job j = {b, w, x, y, op};
    const long tasks = (b->s.tokens + ROWS - 1) / ROWS;
    return da3_par_for(b->threads, tasks, rows_task, &j);
}

static int attention(da3_block *b)
{
    return da3_attn_run(b->impl, &b->a, b->q, b->k, b->v, b->o, b->ws, b->ws_bytes, b->threads);
}

int da3_block_run(da3_block *b, const da3_block_weights *w, const float *x, float *y,
                  da3_block_times *t)
{
    const int C = b->s.dim, F = b->s.hidden;
    double g = 0, at = 0, ot = 0, t0 = now(), t1;
    int rc = rows(b, w, x, y, OP_LN1);
    t1 = now(), ot += t1 - t0, t0 = t1;
    da3_blas_set_threads(1);
    rc = rc ? rc : gemm(b, b->h1, w->qkv_w, b->qkv, 3 * C, C, 0);
    t1 = now(), g += t1 - t0, t0 = t1;
    rc = rc ? rc : rows(b, w, x, y, OP_SPLIT);
    t1 = now(), ot += t1 - t0, t0 = t1;
    rc = rc ? rc : attention(b);
    t1 = now(), at += t1 - t0, t0 = t1;
    rc = rc ? rc : rows(b, w, x, y, OP_MERGE);
    t1 = now(), ot += t1 - t0, t0 = t1;
    rc = rc ? rc : gemm(b, b->am, w->proj_w, b->proj, C, C, 0);
    t1 = now(), g += t1 - t0, t0 = t1;
    rc = rc ? rc : rows(b, w, x, y, OP_RES1);
    rc = rc ? rc : rows(b, w, x, y, OP_LN2);
    t1 = now(), ot += t1 - t0, t0 = t1;
    rc = rc ? rc : gemm(b, b->h2, w->fc1_w, b->fc1, F, C, 0);
    t1 = now(), g += t1 - t0, t0 = t1;
    rc = rc ? rc : rows(b, w, x, y, OP_GELU);
    t1 = now(), ot += t1 - t0, t0 = t1;
    rc = rc ? rc : gemm(b, b->u, w->fc2_w, b->mlp, C, F, 0);
    t1 = now(), g += t1 - t0, t0 = t1;
    rc = rc ? rc : rows(b, w, x, y, OP_RES2);
    ot += now() - t0;
    if (t)
        *t = (da3_block_times){g, at, ot};
    return rc;
}

int da3_block_run_part(da3_block *b, const da3_block_weights *w, const float *x, float *y,
                       da3_block_part p)
{
    switch (p) {
    case DA3_BLOCK_PART_GEMM:
    case DA3_BLOCK_PART_OPENBLAS:
        return gemms(b, w, p == DA3_BLOCK_PART_OPENBLAS);
    case DA3_BLOCK_PART_ATTN:
        return attention(b);
    case DA3_BLOCK_PART_OTHER: {
        int rc = 0;
        for (int op = OP_LN1; op <= OP_RES2 && !rc; op++)
            rc = rows(b, w, x, y, op);
        return rc;
    }
    default:
        return DA3_EIMPL;
    }
}
