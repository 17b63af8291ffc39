/*
 * flash: online-softmax attention over blocks of keys, never holding N*N.
 *
 * A task is (batch, head, block of BR queries). Its queries are packed
 * transposed and pre-scaled, Qt[d][i] = Q[i][d] * log2(e)/sqrt(D), so the
 * scores come out in base 2 and the softmax uses exp2. The output is
 * accumulated transposed too, Ot[d][i]. Everything is vectorized across
 * queries, so the softmax's running max and sum are vertical vector
 * operations with no horizontal reduction.
 *
 * For each block of BC keys and each tile of TQ = 3 vectors of queries:
 *   St[j][i]  = sum_d K[j][d] Qt[d][i]              (KRx3 register tile)
 *   m'        = max(m, max_j St[j][.]);  a = 2^(m - m')
 *   St[j][i]  = 2^(St[j][i] - m'[i]);    l = a*l + sum_j St[j][.]
 *   Ot[d][i]  = a[i]*Ot[d][i] + sum_j V[j][d] St[j][i]  (KRx3 register tile)
 * and at the end O[i][d] = Ot[d][i] / l[i].
 *
 * The tiles keep 12 accumulators in registers (4x3, AVX2) or 24 (8x3,
 * AVX-512), enough independent FMAs to cover their latency on two FMA
 * ports; the inner loops are unrolled so the loop counter and the exit
 * branch of the short D = 64 loop cost less. Key tails:
 * the last group of KR keys reads the last valid key row again and its extra
 * rows are never read back; query tails: a block's last tile holds only the
 * vectors it needs (1, 2 or 3), Qt is zero-padded to the vector and the
 * padded rows are never stored.
 */
#include "attention.h"
#include "attention_isa.h"
#include "par.h"

#include <math.h>

#define TQ (3 * DA3_VW)
#define BR DA3_ATTN_FLASH_BR
#define BC DA3_ATTN_FLASH_BC
#if BR % TQ
#error "the query block must hold whole tiles"
#endif

typedef struct {
    const da3_attn_shape *s;
    const float *q, *k, *v;
    float *o, *ws;
    size_t ws_floats; /* per thread */
    long nqb;
    float qscale;
} flash_job;

/* The tile functions take nv, the vectors of queries a tile holds: 3, or
 * 1 or 2 for a block's last tile, so a tail is computed to the vector, not
 * to the 3-vector tile (at N256 on AVX-512 the 48-query tiles had padded a
 * third of each task's last block). They are inlined into one function per
 * width (tile_w1..tile_w3) with nv a constant, so each width is its own
 * code; those three stay out of flash_task: inlined there together, they
 * left AVX2's 16 registers too few (176 spills, 30% slower). */
#if defined(__GNUC__)
#define TILE_FN static inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#else
#define TILE_FN static inline
#define NOINLINE
#endif

/* Rows of a register tile: the QK tile is KR keys x nv vectors of queries,
 * the PV tile KR output dims x nv vectors. AVX-512's 32 registers hold
 * 8 x 3 accumulators, 3 query vectors and a broadcast (1-5% faster than
 * 4 x 3 on an Intel Xeon, side by side); AVX2's 16 hold 4 x 3. */
#if DA3_VW >= 16
#define KR 8
#else
#define KR 4
#endif
#if BC % KR
#error "the key block must hold whole tiles"
#endif

/* St[r][0..nv*VW) = sum_d kr[r][d] * qt[d*BR + ..], r < KR, and the running
 * column max mx[0..nv) of the block's scores, taken while they are still in
 * registers (so the softmax needs no separate pass for it). */
TILE_FN void qk_tile(const float *restrict qt, int D, const float *const *kr,
                     float *restrict st, vf *restrict mx, int nv)
{
    vf c[KR][3];
    for (int r = 0; r < KR; r++)
        for (int x = 0; x < nv; x++)
            c[r][x] = v_zero();
#pragma GCC unroll 4
    for (int d = 0; d < D; d++) {
        const float *qd = qt + (size_t)d * BR;
        vf q[3];
        for (int x = 0; x < nv; x++)
            q[x] = v_load(qd + x * DA3_VW);
        for (int r = 0; r < KR; r++) {
            const vf b = v_set1(kr[r][d]);
            for (int x = 0; x < nv; x++)
                c[r][x] = v_fma(b, q[x], c[r][x]);
        }
    }
    for (int r = 0; r < KR; r++)
        for (int x = 0; x < nv; x++) {
            mx[x] = v_max(mx[x], c[r][x]);
            v_store(st + (size_t)r * TQ + x * DA3_VW, c[r][x]);
        }
}

/* Online softmax step on St[0..nk)[0..nv*VW), whose column max is bmax:
 * updates m and l, writes the rescale factors to alpha and the
 * probabilities over St. */
TILE_FN void softmax_tile(float *restrict st, int nk, float *restrict m, float *restrict l,
                          float *restrict alpha, const vf *bmax, int nv)
{
    for (int c = 0; c < nv * DA3_VW; c += DA3_VW) {
        const vf mold = v_load(m + c);
        const vf mx = v_max(mold, bmax[c / DA3_VW]);
        vf sum0 = v_zero(), sum1 = v_zero();
        int j = 0;
        for (; j + 1 < nk; j += 2) {
            float *p0 = st + (size_t)j * TQ + c, *p1 = p0 + TQ;
            const vf e0 = v_exp2(v_sub(v_load(p0), mx)), e1 = v_exp2(v_sub(v_load(p1), mx));
            v_store(p0, e0), v_store(p1, e1);
            sum0 = v_add(sum0, e0), sum1 = v_add(sum1, e1);
        }
        if (j < nk) {
            float *p0 = st + (size_t)j * TQ + c;
            const vf e0 = v_exp2(v_sub(v_load(p0), mx));
            v_store(p0, e0);
            sum0 = v_add(sum0, e0);
        }
        const vf a = v_exp2(v_sub(mold, mx));
        v_store(alpha + c, a);
        v_store(l + c, v_fma(v_load(l + c), a, v_add(sum0, sum1)));
        v_store(m + c, mx);
    }
}

/* Ot[d0+r][0..nv*VW) = alpha * Ot[d0+r][..] + sum_j v[j*D + d0+r] * St[j][..], r < KR */
TILE_FN void pv_tile(float *restrict ot, const float *restrict st, int nk,
                     const float *restrict v, int D, const float *restrict alpha, int nv)
{
    vf c[KR][3];
    for (int x = 0; x < nv; x++) {
        const vf a = v_load(alpha + x * DA3_VW);
        for (int r = 0; r < KR; r++)
            c[r][x] = v_mul(a, v_load(ot + (size_t)r * BR + x * DA3_VW));
    }
#pragma GCC unroll 2
    for (int j = 0; j < nk; j++) {
        const float *sj = st + (size_t)j * TQ, *vj = v + (size_t)j * D;
        vf p[3];
        for (int x = 0; x < nv; x++)
            p[x] = v_load(sj + x * DA3_VW);
        for (int r = 0; r < KR; r++) {
            const vf b = v_set1(vj[r]);
            for (int x = 0; x < nv; x++)
                c[r][x] = v_fma(b, p[x], c[r][x]);
        }
    }
    for (int r = 0; r < KR; r++)
        for (int x = 0; x < nv; x++)
            v_store(ot + (size_t)r * BR + x * DA3_VW, c[r][x]);
}

/* One tile of nv vectors of queries against the block's nk keys. */
TILE_FN void tile_step(const float *restrict qt, float *restrict ot, float *restrict st,
                       float *restrict m, float *restrict l, float *restrict alpha,
                       const float *kblk, const float *vblk, int nk, int D, int nv)
{
    vf bmax[3] = {v_set1(-INFINITY), v_set1(-INFINITY), v_set1(-INFINITY)};
    for (int jg = 0; jg < nk; jg += KR) {
        const float *kr[KR];
        for (int r = 0; r < KR; r++)
            kr[r] = kblk + (size_t)(jg + r < nk ? jg + r : nk - 1) * D;
        qk_tile(qt, D, kr, st + (size_t)jg * TQ, bmax, nv);
    }
    softmax_tile(st, nk, m, l, alpha, bmax, nv);
    for (int d0 = 0; d0 < D; d0 += KR)
        pv_tile(ot + (size_t)d0 * BR, st, nk, vblk + d0, D, alpha, nv);
}

#define TILE_WIDTH(nv)                                                                        \
    static NOINLINE void tile_w##nv(const float *qt, float *ot, float *st, float *m, float *l, \
                                    float *alpha, const float *kblk, const float *vblk, int nk, \
                                    int D)                                                    \
    {                                                                                         \
        tile_step(qt, ot, st, m, l, alpha, kblk, vblk, nk, D, nv);                            \
    }
TILE_WIDTH(1)
TILE_WIDTH(2)
TILE_WIDTH(3)

#if defined(__AVX2__)
#include <immintrin.h>
#define FLASH_TR8 1
/* dst[c*ds + r] = src[r*ss + c] * mul[c], r, c < 8: an 8x8 block transposed
 * (unpack, shuffle, lane permute), each source row scaled by mul first.
 * It packs Qt and writes O back: done with scalar loads and stores, these
 * strided copies took a quarter of a task's time at N = 256. (The AVX-512
 * build has AVX2 too: a memory transpose does not care about the width.) */
static inline void tr8x8(const float *src, size_t ss, float *dst, size_t ds, __m256 mul)
{
    __m256 r[8], t[8], u[8];
    for (int k = 0; k < 8; k++)
        r[k] = _mm256_mul_ps(_mm256_loadu_ps(src + (size_t)k * ss), mul);
    for (int k = 0; k < 8; k += 2)
        t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]), t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
    for (int k = 0; k < 8; k += 4) {
        u[k] = _mm256_shuffle_ps(t[k], t[k + 2], 0x44);
        u[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], 0xEE);
        u[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0x44);
        u[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0xEE);
    }
    for (int k = 0; k < 4; k++) {
        _mm256_storeu_ps(dst + (size_t)k * ds, _mm256_permute2f128_ps(u[k], u[k + 4], 0x20));
        _mm256_storeu_ps(dst + (size_t)(k + 4) * ds, _mm256_permute2f128_ps(u[k], u[k + 4], 0x31));
    }
}
#endif

/* Qt[d][i] = Q[i][d] * scale for the task's nq queries, zero up to BR. */
static void pack_qt(const float *restrict q, int nq, int D, float scale, float *restrict qt)
{
    int i = 0;
#ifdef FLASH_TR8
    for (; i + 8 <= nq; i += 8)
        for (int d = 0; d < D; d += 8)
            tr8x8(q + (size_t)i * D + d, (size_t)D, qt + (size_t)d * BR + i, BR,
                  _mm256_set1_ps(scale));
#endif
    for (int d = 0; d < D; d++)
        for (int r = i; r < BR; r++)
            qt[(size_t)d * BR + r] = r < nq ? q[(size_t)r * D + d] * scale : 0.0f;
}

/* O[i][d] = Ot[d][i] * inv[i] for the task's nq queries. */
static void unpack_o(const float *restrict ot, const float *restrict inv, int nq, int D,
                     float *restrict o)
{
    int i = 0;
#ifdef FLASH_TR8
    for (; i + 8 <= nq; i += 8)
        for (int d = 0; d < D; d += 8)
            tr8x8(ot + (size_t)d * BR + i, BR, o + (size_t)i * D + d, (size_t)D,
                  _mm256_loadu_ps(inv + i));
#endif
    for (; i < nq; i++)
        for (int d = 0; d < D; d++)
            o[(size_t)i * D + d] = ot[(size_t)d * BR + i] * inv[i];
}

static void flash_task(void *ctx, long task, int tid)
{
    const flash_job *job = ctx;
    const int N = job->s->n, D = job->s->d;
    const size_t bh = (size_t)(task / job->nqb);
    const int i_start = (int)(task % job->nqb) * BR;
    const int nq = N - i_start < BR ? N - i_start : BR;
    const float *q = job->q + bh * (size_t)N * D + (size_t)i_start * D;
    const float *k = job->k + bh * (size_t)N * D, *v = job->v + bh * (size_t)N * D;
    float *o = job->o + bh * (size_t)N * D + (size_t)i_start * D;

    float *qt = job->ws + (size_t)tid * job->ws_floats;
    float *ot = qt + (size_t)D * BR, *st = ot + (size_t)D * BR;
    float *m = st + (size_t)BC * TQ, *l = m + BR, *alpha = l + BR;

    pack_qt(q, nq, D, job->qscale, qt);
    for (size_t x = 0; x < (size_t)D * BR; x++)
        ot[x] = 0.0f;
    for (int i = 0; i < BR; i++)
        m[i] = -INFINITY, l[i] = 0.0f;

    for (int kb = 0; kb < N; kb += BC) {
        const int nk = N - kb < BC ? N - kb : BC;
        const float *kblk = k + (size_t)kb * D, *vblk = v + (size_t)kb * D;
        for (int i0 = 0; i0 < nq; i0 += TQ) {
            const int left = (nq - i0 + DA3_VW - 1) / DA3_VW; /* vectors */
            void (*tile)(const float *, float *, float *, float *, float *, float *,
                         const float *, const float *, int, int) =
                left >= 3 ? tile_w3 : left == 2 ? tile_w2 : tile_w1;
            tile(qt + i0, ot + i0, st, m + i0, l + i0, alpha, kblk, vblk, nk, D);
        }
    }
    for (int i = 0; i < nq; i++)
        alpha[i] = 1.0f / l[i]; /* alpha is free now: the inverse sums */
    unpack_o(ot, alpha, nq, D, o);
}

int DA3_FN(da3_attn_flash)(const da3_attn_shape *s, const float *q, const float *k,
                           const float *v, float *o, float *ws, int threads)
{
    flash_job job = {.s = s, .q = q, .k = k, .v = v, .o = o, .ws = ws,
                     .ws_floats = da3_attn_flash_ws_floats(s->d),
                     .nqb = (s->n + BR - 1) / BR,
                     .qscale = (float)(M_LOG2E / sqrt((double)s->d))};
    return da3_par_for(threads, (long)s->b * s->h * job.nqb, flash_task, &job);
}
