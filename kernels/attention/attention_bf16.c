/*
 * flash in bf16 (issue 25): Q, K and V stored as bf16, the products on
 * AVX512-BF16's vdpbf16ps, accumulation, softmax and output in fp32.
 * Compiled with -mavx512f -mavx512bf16 only (the da3_bf16 library) and
 * called only where cpu.c found the unit (attention.c checks).
 *
 * vdpbf16ps multiplies 32 bf16 pairs and adds each lane's two products to
 * an fp32 lane, so both products are laid out in pairs along the sum:
 *   QK^T sums over d: Kp[block][d/2][key 0..KB)[2], one key per lane, a
 *        query's (d, d+1) pair broadcast;
 *   PV sums over keys: Vp[block][key/2][d/16][16 d][2], one d per lane, a
 *        query's pair of probabilities broadcast.
 * Phase 1 packs every head's K and V so (a pass over the inputs, in
 * parallel over heads); phase 2 runs tasks of (batch, head, 64 queries),
 * each over tiles of TQ = 4 queries and blocks of KB = 64 keys: a 4 x
 * 4-vector score tile (16 independent accumulators), the online softmax in fp32 (exp2,
 * the scale applied in fp32 after the products), P rounded to bf16 and
 * P V accumulated over 4 queries x 4 d-vectors at a time in fp32.
 * Key tails are packed as zeros and masked to -inf before the softmax;
 * query tails are zero rows never stored.
 *
 * What rounding costs, stated: the products of bf16 values are exact in
 * fp32; P is rounded to bf16 (relative 2^-9) in the numerator while the
 * running sum l adds the fp32 probabilities, so |o - ref| <= 2^-9 max|v|
 * beside the fp32 rounding of the sums (the tolerance, attention.c).
 */
#include "attention.h"
#include "par.h"
#include "simd.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#ifndef DA3_BF16_KB
#define DA3_BF16_KB 64
#endif
#ifndef DA3_BF16_TQ
#define DA3_BF16_TQ 4
#endif
#define KB DA3_BF16_KB /* keys per block: KV vectors of scores */
#define KV (KB / 16)
#define TQ DA3_BF16_TQ /* queries per tile */
#define QB 64  /* queries per task */

typedef struct {
    const da3_attn_shape *s;
    const uint16_t *q, *k, *v;
    float *o;
    uint16_t *kp, *vp; /* packed, per head: npad x D each */
    char *scratch;     /* per thread */
    size_t scratch_bytes, head_elems;
    long npad, nqb;
    float scale;
} bf16_job;

static void pack_head(void *ctx, long task, int tid)
{
    (void)tid;
    const bf16_job *j = ctx;
    const int n = j->s->n, D = j->s->d;
    const uint16_t *k = j->k + (size_t)task * n * D, *v = j->v + (size_t)task * n * D;
    uint16_t *kp = j->kp + (size_t)task * j->head_elems;
    uint16_t *vp = j->vp + (size_t)task * j->head_elems;
    const int dc = D / 16;
    for (long kb = 0; kb < j->npad / KB; kb++) {
        uint16_t *kb0 = kp + (size_t)kb * KB * D, *vb0 = vp + (size_t)kb * KB * D;
        for (int key = 0; key < KB; key++) {
            const long r = kb * KB + key;
            const uint16_t *kr = r < n ? k + (size_t)r * D : NULL;
            const uint16_t *vr = r < n ? v + (size_t)r * D : NULL;
            for (int d = 0; d < D; d++) {
                /* Kp[d/2][key][d%2] */
                kb0[(size_t)(d / 2) * KB * 2 + key * 2 + (d & 1)] = kr ? kr[d] : 0;
                /* Vp[key/2][d/16][d%16][key%2] */
                vb0[((size_t)(key / 2) * dc + d / 16) * 32 + (d % 16) * 2 + (key & 1)] =
                    vr ? vr[d] : 0;
            }
        }
    }
}

static inline __m512 bcast_pair(const uint16_t *p)
{
    int32_t x;
    memcpy(&x, p, 4);
    return _mm512_castsi512_ps(_mm512_set1_epi32(x));
}

static inline __m512 dp(__m512 acc, __m512 a, __m512 b)
{
    return _mm512_dpbf16_ps(acc, (__m512bh)a, (__m512bh)b);
}

#define PV_TILE(NAME, NC)                                                                      \
    static inline void NAME(float *restrict ot, const uint16_t *restrict pb,                   \
                            const uint16_t *restrict vblk, const float *alpha, int r0, int c0, \
                            int D, int dc)                                                     \
    {                                                                                          \
        __m512 o[4][NC];                                                                       \
        for (int r = 0; r < 4; r++) {                                                          \
            const __m512 a = _mm512_set1_ps(alpha[r0 + r]);                                    \
            for (int c = 0; c < NC; c++)                                                       \
                o[r][c] =                                                                      \
                    _mm512_mul_ps(a, _mm512_loadu_ps(ot + (size_t)(r0 + r) * D + (c0 + c) * 16)); \
        }                                                                                      \
        _Pragma("GCC unroll 4") for (int jp = 0; jp < KB / 2; jp++)                            \
        {                                                                                      \
            __m512 vv[NC];                                                                     \
            for (int c = 0; c < NC; c++)                                                       \
                vv[c] = _mm512_loadu_ps(vblk + ((size_t)jp * dc + c0 + c) * 32);               \
            for (int r = 0; r < 4; r++) {                                                      \
                const __m512 pp = bcast_pair(pb + (size_t)(r0 + r) * KB + 2 * jp);             \
                for (int c = 0; c < NC; c++)                                                   \
                    o[r][c] = dp(o[r][c], vv[c], pp);                                          \
            }                                                                                  \
        }                                                                                      \
        for (int r = 0; r < 4; r++)                                                            \
            for (int c = 0; c < NC; c++)                                                       \
                _mm512_storeu_ps(ot + (size_t)(r0 + r) * D + (c0 + c) * 16, o[r][c]);          \
    }
PV_TILE(pv_tile4, 4)
PV_TILE(pv_tile1, 1)

static void run_task(void *ctx, long task, int tid)
{
    const bf16_job *j = ctx;
    const da3_attn_shape *s = j->s;
    const int n = s->n, D = s->d, dc = D / 16;
    const long head = task / j->nqb, q0 = (task % j->nqb) * QB;
    const uint16_t *kp = j->kp + (size_t)head * j->head_elems;
    const uint16_t *vp = j->vp + (size_t)head * j->head_elems;
    char *mem = j->scratch + (size_t)tid * j->scratch_bytes;
    uint16_t *qt = (uint16_t *)mem;                                /* TQ x D */
    uint16_t *pb = qt + (size_t)TQ * D;                            /* TQ x KB */
    float *ot = (float *)(void *)(mem + (size_t)TQ * (D + KB) * 2); /* TQ x D */
    const long nblocks = (n + KB - 1) / KB;
    for (long t0 = q0; t0 < q0 + QB && t0 < n; t0 += TQ) {
        const int rows = n - t0 < TQ ? (int)(n - t0) : TQ;
        memset(qt, 0, sizeof(uint16_t) * TQ * D);
        memcpy(qt, j->q + ((size_t)head * n + t0) * D, sizeof(uint16_t) * rows * D);
        memset(ot, 0, sizeof(float) * TQ * D);
        float m[TQ], l[TQ];
        for (int r = 0; r < TQ; r++)
            m[r] = -INFINITY, l[r] = 0;
        for (long kb = 0; kb < nblocks; kb++) {
            const uint16_t *kblk = kp + (size_t)kb * KB * D;
            __m512 acc[TQ][KV];
            for (int r = 0; r < TQ; r++)
                for (int x = 0; x < KV; x++)
                    acc[r][x] = _mm512_setzero_ps();
            for (int p = 0; p < D / 2; p++) {
                __m512 kk[KV];
                for (int x = 0; x < KV; x++)
                    kk[x] = _mm512_loadu_ps(kblk + (size_t)p * KB * 2 + 32 * x);
#pragma GCC unroll 8
                for (int r = 0; r < TQ; r++) {
                    const __m512 qb = bcast_pair(qt + (size_t)r * D + 2 * p);
                    for (int x = 0; x < KV; x++)
                        acc[r][x] = dp(acc[r][x], kk[x], qb);
                }
            }
            /* keys past N were packed as zeros: -inf before the softmax */
            const long valid = n - kb * KB;
            __mmask16 mk[KV];
            for (int x = 0; x < KV; x++) {
                const long vx = valid - 16 * x;
                mk[x] = vx >= 16 ? 0xffff : vx <= 0 ? 0 : (__mmask16)((1u << vx) - 1);
            }
            const __m512 ninf = _mm512_set1_ps(-INFINITY), sc = _mm512_set1_ps(j->scale);
            float alpha[TQ];
            for (int r = 0; r < TQ; r++) {
                __m512 sv[KV], mxv = ninf;
                for (int x = 0; x < KV; x++) {
                    sv[x] = _mm512_mask_mul_ps(ninf, mk[x], acc[r][x], sc);
                    mxv = _mm512_max_ps(mxv, sv[x]);
                }
                const float mx = fmaxf(m[r], _mm512_reduce_max_ps(mxv));
                const __m512 mv = _mm512_set1_ps(mx);
                __m512 sum = _mm512_setzero_ps();
                for (int x = 0; x < KV; x++) {
                    /* exp2 clamps at 2^-126: masked keys must be exactly 0 */
                    const __m512 z = _mm512_maskz_mov_ps(mk[x], v_exp2(_mm512_sub_ps(sv[x], mv)));
                    sum = _mm512_add_ps(sum, z);
                    _mm256_storeu_si256((__m256i *)(void *)(pb + (size_t)r * KB + 16 * x),
                                        (__m256i)_mm512_cvtneps_pbh(z));
                }
                alpha[r] = exp2f(m[r] - mx);
                l[r] = alpha[r] * l[r] + _mm512_reduce_add_ps(sum);
                m[r] = mx;
            }
            /* O = alpha O + P V: 4 queries x 4 d-vectors at a time, then any
             * d-vectors left one by one (a count known when compiled keeps
             * the 16 accumulators in registers: a variable one spilled them) */
            const uint16_t *vblk = vp + (size_t)kb * KB * D;
            for (int r0 = 0; r0 + 4 <= TQ; r0 += 4) {
                int c0 = 0;
                for (; c0 + 4 <= dc; c0 += 4)
                    pv_tile4(ot, pb, vblk, alpha, r0, c0, D, dc);
                for (; c0 < dc; c0++)
                    pv_tile1(ot, pb, vblk, alpha, r0, c0, D, dc);
            }
        }
        for (int r = 0; r < rows; r++) {
            float *orow = j->o + ((size_t)head * n + t0 + r) * D;
            const __m512 inv = _mm512_set1_ps(1.0f / l[r]);
            for (int c = 0; c < dc; c++)
                _mm512_storeu_ps(orow + c * 16,
                                 _mm512_mul_ps(inv, _mm512_loadu_ps(ot + (size_t)r * D + c * 16)));
        }
    }
}

static size_t scratch_bytes(int d)
{
    return ((size_t)TQ * (d + KB) * 2 + sizeof(float) * TQ * d + 63) / 64 * 64;
}

/* K and V packed per head (N padded to whole blocks), then each thread's
 * scratch: Q tile, P tile, O tile */
size_t da3_attn_bf16_kernel_ws(const da3_attn_shape *s, int threads)
{
    const size_t npad = ((size_t)s->n + KB - 1) / KB * KB;
    return 2 * sizeof(uint16_t) * (size_t)s->b * s->h * npad * s->d +
           (size_t)threads * scratch_bytes(s->d);
}

int da3_attn_flash_bf16_kernel(const da3_attn_shape *s, const uint16_t *q, const uint16_t *k,
                               const uint16_t *v, float *o, void *ws, int threads)
{
    bf16_job j = {.s = s, .q = q, .k = k, .v = v, .o = o};
    j.npad = (s->n + KB - 1) / KB * KB;
    j.head_elems = (size_t)j.npad * s->d;
    const long heads = (long)s->b * s->h;
    j.kp = ws;
    j.vp = j.kp + (size_t)heads * j.head_elems;
    j.scratch = (char *)(j.vp + (size_t)heads * j.head_elems);
    j.scratch_bytes = scratch_bytes(s->d);
    j.nqb = (s->n + QB - 1) / QB;
    j.scale = (float)(1.4426950408889634 / sqrt((double)s->d));
    const int rc = da3_par_for(threads, heads, pack_head, &j);
    return rc ? rc : da3_par_for(threads, heads * j.nqb, run_task, &j);
}
