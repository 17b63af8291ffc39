/*
 * attention_kernels.cuh - the device code of the CUDA attention, shared by
 * attention_cuda.cu (nvcc) and the CPU emulation in tests/test_cuda_emul.cc.
 *
 * All take Q, K, V, O as [B*H][N][D] fp32, grid (ceil(N / BR), B*H), BR
 * queries a block (64, or 128 for the _br128 variants: twice the reuse of
 * each K and V tile, half the blocks).
 *
 * flash_fp32<D, BR>: BR threads own a block of BR queries; each thread an 8x8
 *   tile of the scores (rows rg*4+{0..3} and 32+rg*4+{0..3}, columns
 *   likewise) and an 8 x D/8 tile of the output. Per block of 64 keys:
 *   S = Q K^T from shared memory (Q and K transposed so each thread reads
 *   float4s), the running max across the 8 threads of a row by shuffles,
 *   P written transposed over K's tile, O += P V. Q is pre-scaled by
 *   log2(e)/sqrt(D) so the exponentials are exp2. Dynamic shared memory:
 *   BR D + 64 (D + max(D, BR)) floats (48 KiB at D = 64, BR = 64).
 *
 * flash_tf32<D, WARPS>: 16 queries a warp, tensor cores through
 *   mma.m16n8k8 (tf32 in, fp32 accumulate). Q's fragments stay in
 *   registers; K and V tiles (64 keys, rows padded to D + 4 floats: no bank
 *   conflicts for the fragment loads) are rounded to tf32 once when stored.
 *   P goes from the accumulator layout of S straight into the A operand of
 *   P V, with the keys of each 8-key step permuted (thread t's keys 2t and
 *   2t+1 stand at k = t and t + 4) and V's rows read in the same order.
 *
 * softmax_rows: one warp per row of S (already scaled), in place: the
 *   unfused path's middle step.
 */
#ifndef DA3_CUDA_ATTENTION_KERNELS_CUH
#define DA3_CUDA_ATTENTION_KERNELS_CUH

#include "portable.cuh"

#include <cmath>

struct da3_attn_args {
    const float *q, *k, *v;
    float *o;
    int n;
    float scale_log2; /* log2(e) / sqrt(D) */
};

#define DA3_FLASH_BC 64 /* keys per tile */

template <int N> static __device__ __forceinline__ void load_vec(const float *p, float *out)
{
    if constexpr (N % 4 == 0) {
        for (int i = 0; i < N; i += 4) {
            const float4 x = *reinterpret_cast<const float4 *>(p + i);
            out[i] = x.x, out[i + 1] = x.y, out[i + 2] = x.z, out[i + 3] = x.w;
        }
    } else {
        for (int i = 0; i < N; i++)
            out[i] = p[i];
    }
}

template <int D, int BR> static constexpr size_t flash_fp32_smem_bytes()
{
    /* Q^T, then K^T or P^T (whichever is larger), then V */
    const int kp = D > BR ? D : BR;
    return sizeof(float) * (size_t)(D * BR + kp * DA3_FLASH_BC + DA3_FLASH_BC * D);
}

template <int D, int BR> __global__ __launch_bounds__(BR) void flash_fp32(da3_attn_args a)
{
    constexpr int BC = DA3_FLASH_BC, DH = D / 16; /* O columns per half */
    static_assert(D % 16 == 0 && (BR == 64 || BR == 128), "tiles");
    float *qt = DA3_DYN_SMEM(float); /* [D][BR] */
    float *kt = qt + D * BR;         /* [D][BC], then P^T [BC][BR] */
    float *vs = kt + (D > BR ? D : BR) * BC; /* [BC][D] */
    const int t = threadIdx.x, rg = t / 8, cg = t % 8;
    const size_t head = (size_t)blockIdx.y * (size_t)a.n * D;
    const int row0 = blockIdx.x * BR;

    /* Q tile, transposed and pre-scaled: consecutive threads, consecutive rows */
    for (int i = t; i < BR * D / 4; i += BR) {
        const int r = i % BR, d4 = i / BR;
        float4 x = make_float4(0.f, 0.f, 0.f, 0.f);
        if (row0 + r < a.n)
            x = *reinterpret_cast<const float4 *>(a.q + head + (size_t)(row0 + r) * D + 4 * d4);
        qt[(4 * d4 + 0) * BR + r] = x.x * a.scale_log2;
        qt[(4 * d4 + 1) * BR + r] = x.y * a.scale_log2;
        qt[(4 * d4 + 2) * BR + r] = x.z * a.scale_log2;
        qt[(4 * d4 + 3) * BR + r] = x.w * a.scale_log2;
    }
    float o[8][2 * DH], m[8], l[8];
    for (int i = 0; i < 8; i++) {
        m[i] = -INFINITY, l[i] = 0.f;
        for (int j = 0; j < 2 * DH; j++)
            o[i][j] = 0.f;
    }
    for (int kb = 0; kb < a.n; kb += BC) {
        __syncthreads(); /* the last tile's P and V are read */
        for (int i = t; i < BC * D / 4; i += BR) {
            const int c = i % BC, d4 = i / BC;
            float4 x = make_float4(0.f, 0.f, 0.f, 0.f);
            if (kb + c < a.n)
                x = *reinterpret_cast<const float4 *>(a.k + head + (size_t)(kb + c) * D + 4 * d4);
            kt[(4 * d4 + 0) * BC + c] = x.x;
            kt[(4 * d4 + 1) * BC + c] = x.y;
            kt[(4 * d4 + 2) * BC + c] = x.z;
            kt[(4 * d4 + 3) * BC + c] = x.w;
        }
        for (int i = t; i < BC * D / 4; i += BR) {
            const int c = i / (D / 4), d4 = i % (D / 4);
            float4 x = make_float4(0.f, 0.f, 0.f, 0.f);
            if (kb + c < a.n)
                x = *reinterpret_cast<const float4 *>(a.v + head + (size_t)(kb + c) * D + 4 * d4);
            *reinterpret_cast<float4 *>(vs + c * D + 4 * d4) = x;
        }
        __syncthreads();

        float s[8][8];
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++)
                s[i][j] = 0.f;
#pragma unroll 4
        for (int d = 0; d < D; d++) {
            float qv[8], kv[8];
            load_vec<4>(qt + d * BR + rg * 4, qv);
            load_vec<4>(qt + d * BR + BR / 2 + rg * 4, qv + 4);
            load_vec<4>(kt + d * BC + cg * 4, kv);
            load_vec<4>(kt + d * BC + BC / 2 + cg * 4, kv + 4);
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++)
                    s[i][j] = fmaf(qv[i], kv[j], s[i][j]);
        }
        if (kb + BC > a.n) /* the last tile: keys past N score -inf */
            for (int j = 0; j < 8; j++) {
                const int c = (j < 4 ? cg * 4 + j : BC / 2 + cg * 4 + j - 4);
                if (kb + c >= a.n)
                    for (int i = 0; i < 8; i++)
                        s[i][j] = -INFINITY;
            }
        for (int i = 0; i < 8; i++) {
            float mx = s[i][0];
            for (int j = 1; j < 8; j++)
                mx = fmaxf(mx, s[i][j]);
            mx = fmaxf(mx, dev_shfl_xor(mx, 1));
            mx = fmaxf(mx, dev_shfl_xor(mx, 2));
            mx = fmaxf(mx, dev_shfl_xor(mx, 4));
            const float mnew = fmaxf(m[i], mx), alpha = dev_exp2(m[i] - mnew);
            m[i] = mnew;
            float sum = 0.f;
            for (int j = 0; j < 8; j++) {
                s[i][j] = dev_exp2(s[i][j] - mnew);
                sum += s[i][j];
            }
            l[i] = l[i] * alpha + sum; /* this thread's columns; summed at the end */
            for (int j = 0; j < 2 * DH; j++)
                o[i][j] *= alpha;
        }
        __syncthreads(); /* K's tile is read: P^T goes over it */
        float *pt = kt;
        for (int j = 0; j < 8; j++) {
            const int c = (j < 4 ? cg * 4 + j : BC / 2 + cg * 4 + j - 4);
            *reinterpret_cast<float4 *>(pt + c * BR + rg * 4) =
                make_float4(s[0][j], s[1][j], s[2][j], s[3][j]);
            *reinterpret_cast<float4 *>(pt + c * BR + BR / 2 + rg * 4) =
                make_float4(s[4][j], s[5][j], s[6][j], s[7][j]);
        }
        __syncthreads();
#pragma unroll 4
        for (int c = 0; c < BC; c++) {
            float pv[8], vv[2 * DH];
            load_vec<4>(pt + c * BR + rg * 4, pv);
            load_vec<4>(pt + c * BR + BR / 2 + rg * 4, pv + 4);
            load_vec<DH>(vs + c * D + cg * DH, vv);
            load_vec<DH>(vs + c * D + D / 2 + cg * DH, vv + DH);
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 2 * DH; j++)
                    o[i][j] = fmaf(pv[i], vv[j], o[i][j]);
        }
    }
    for (int i = 0; i < 8; i++) {
        float sum = l[i];
        sum += dev_shfl_xor(sum, 1);
        sum += dev_shfl_xor(sum, 2);
        sum += dev_shfl_xor(sum, 4);
        const int r = row0 + (i < 4 ? rg * 4 + i : BR / 2 + rg * 4 + i - 4);
        if (r >= a.n)
            continue;
        const float inv = 1.f / sum;
        float *out = a.o + head + (size_t)r * D;
        for (int j = 0; j < 2 * DH; j++)
            out[j < DH ? cg * DH + j : D / 2 + cg * DH + j - DH] = o[i][j] * inv;
    }
}

template <int D> static constexpr size_t flash_tf32_smem_bytes()
{
    return sizeof(float) * (size_t)(2 * DA3_FLASH_BC * (D + 4));
}

template <int D, int WARPS>
__global__ __launch_bounds__(32 * WARPS) void flash_tf32(da3_attn_args a)
{
    constexpr int BR = 16 * WARPS, BC = DA3_FLASH_BC, LD = D + 4, KS = D / 8;
    static_assert(D % 8 == 0 && (WARPS == 4 || WARPS == 8), "tiles");
    float *ks = DA3_DYN_SMEM(float); /* [BC][LD], tf32 */
    float *vs = ks + BC * LD;        /* [BC][LD], tf32 */
    const int t = threadIdx.x, warp = t / 32, lane = t % 32, g = lane / 4, tg = lane % 4;
    const size_t head = (size_t)blockIdx.y * (size_t)a.n * D;
    const int r0 = blockIdx.x * BR + warp * 16 + g, r1 = r0 + 8;

    uint32_t qa[KS][4];
    for (int kk = 0; kk < KS; kk++) {
        const int d0 = kk * 8 + tg, d1 = d0 + 4;
        const float *q0 = a.q + head + (size_t)r0 * D, *q1 = a.q + head + (size_t)r1 * D;
        qa[kk][0] = dev_tf32(r0 < a.n ? q0[d0] * a.scale_log2 : 0.f);
        qa[kk][1] = dev_tf32(r1 < a.n ? q1[d0] * a.scale_log2 : 0.f);
        qa[kk][2] = dev_tf32(r0 < a.n ? q0[d1] * a.scale_log2 : 0.f);
        qa[kk][3] = dev_tf32(r1 < a.n ? q1[d1] * a.scale_log2 : 0.f);
    }
    float o[D / 8][4];
    for (int nt = 0; nt < D / 8; nt++)
        o[nt][0] = o[nt][1] = o[nt][2] = o[nt][3] = 0.f;
    float m0 = -INFINITY, m1 = -INFINITY, l0 = 0.f, l1 = 0.f;

    for (int kb = 0; kb < a.n; kb += BC) {
        __syncthreads();
        for (int i = t; i < BC * D / 4; i += 32 * WARPS) {
            const int c = i / (D / 4), d = 4 * (i % (D / 4));
            float4 x = make_float4(0.f, 0.f, 0.f, 0.f), y = x;
            if (kb + c < a.n) {
                x = *reinterpret_cast<const float4 *>(a.k + head + (size_t)(kb + c) * D + d);
                y = *reinterpret_cast<const float4 *>(a.v + head + (size_t)(kb + c) * D + d);
            }
            float *kd = ks + c * LD + d, *vd = vs + c * LD + d;
            kd[0] = dev_as_float(dev_tf32(x.x)), kd[1] = dev_as_float(dev_tf32(x.y));
            kd[2] = dev_as_float(dev_tf32(x.z)), kd[3] = dev_as_float(dev_tf32(x.w));
            vd[0] = dev_as_float(dev_tf32(y.x)), vd[1] = dev_as_float(dev_tf32(y.y));
            vd[2] = dev_as_float(dev_tf32(y.z)), vd[3] = dev_as_float(dev_tf32(y.w));
        }
        __syncthreads();

        float s[BC / 8][4];
        for (int nt = 0; nt < BC / 8; nt++) {
            s[nt][0] = s[nt][1] = s[nt][2] = s[nt][3] = 0.f;
            const float *kr = ks + (nt * 8 + g) * LD + tg;
            for (int kk = 0; kk < KS; kk++) {
                const uint32_t b[2] = {dev_bits(kr[kk * 8]),
                                       dev_bits(kr[kk * 8 + 4])};
                dev_mma_tf32(s[nt], qa[kk], b);
            }
        }
        if (kb + BC > a.n)
            for (int nt = 0; nt < BC / 8; nt++)
                for (int i = 0; i < 4; i++)
                    if (kb + nt * 8 + 2 * tg + (i & 1) >= a.n)
                        s[nt][i] = -INFINITY;
        float mx0 = -INFINITY, mx1 = -INFINITY;
        for (int nt = 0; nt < BC / 8; nt++) {
            mx0 = fmaxf(mx0, fmaxf(s[nt][0], s[nt][1]));
            mx1 = fmaxf(mx1, fmaxf(s[nt][2], s[nt][3]));
        }
        mx0 = fmaxf(mx0, dev_shfl_xor(mx0, 1));
        mx0 = fmaxf(mx0, dev_shfl_xor(mx0, 2));
        mx1 = fmaxf(mx1, dev_shfl_xor(mx1, 1));
        mx1 = fmaxf(mx1, dev_shfl_xor(mx1, 2));
        const float n0 = fmaxf(m0, mx0), n1 = fmaxf(m1, mx1);
        const float al0 = dev_exp2(m0 - n0), al1 = dev_exp2(m1 - n1);
        m0 = n0, m1 = n1;
        float sum0 = 0.f, sum1 = 0.f;
        for (int nt = 0; nt < BC / 8; nt++) {
            s[nt][0] = dev_exp2(s[nt][0] - n0), s[nt][1] = dev_exp2(s[nt][1] - n0);
            s[nt][2] = dev_exp2(s[nt][2] - n1), s[nt][3] = dev_exp2(s[nt][3] - n1);
            sum0 += s[nt][0] + s[nt][1], sum1 += s[nt][2] + s[nt][3];
        }
        l0 = l0 * al0 + sum0, l1 = l1 * al1 + sum1;
        for (int nt = 0; nt < D / 8; nt++)
            o[nt][0] *= al0, o[nt][1] *= al0, o[nt][2] *= al1, o[nt][3] *= al1;
        for (int kk = 0; kk < BC / 8; kk++) {
            const uint32_t pa[4] = {dev_tf32(s[kk][0]), dev_tf32(s[kk][2]), dev_tf32(s[kk][1]),
                                    dev_tf32(s[kk][3])};
            const float *v0 = vs + (kk * 8 + 2 * tg) * LD + g, *v1 = v0 + LD;
            for (int nt = 0; nt < D / 8; nt++) {
                const uint32_t b[2] = {dev_bits(v0[nt * 8]),
                                       dev_bits(v1[nt * 8])};
                dev_mma_tf32(o[nt], pa, b);
            }
        }
    }
    l0 += dev_shfl_xor(l0, 1), l0 += dev_shfl_xor(l0, 2);
    l1 += dev_shfl_xor(l1, 1), l1 += dev_shfl_xor(l1, 2);
    const float i0 = 1.f / l0, i1 = 1.f / l1;
    for (int nt = 0; nt < D / 8; nt++) {
        const int col = nt * 8 + 2 * tg;
        if (r0 < a.n) {
            float *out = a.o + head + (size_t)r0 * D + col;
            out[0] = o[nt][0] * i0, out[1] = o[nt][1] * i0;
        }
        if (r1 < a.n) {
            float *out = a.o + head + (size_t)r1 * D + col;
            out[0] = o[nt][2] * i1, out[1] = o[nt][3] * i1;
        }
    }
}

/* In place over rows of n floats: x = exp(x - max) / sum. 8 rows a block. */
__global__ __launch_bounds__(256) void softmax_rows(float *s, long rows, int n)
{
    const int lane = threadIdx.x % 32;
    const long row = (long)blockIdx.x * 8 + threadIdx.x / 32;
    if (row >= rows)
        return; /* a whole warp: its shuffles are not needed */
    float *x = s + row * (long)n;
    const float log2e = 1.4426950408889634f;
    float mx = -INFINITY;
    for (int j = lane; j < n; j += 32)
        mx = fmaxf(mx, x[j]);
    for (int w = 16; w > 0; w /= 2)
        mx = fmaxf(mx, dev_shfl_xor(mx, w));
    float sum = 0.f;
    for (int j = lane; j < n; j += 32)
        sum += dev_exp2((x[j] - mx) * log2e);
    for (int w = 16; w > 0; w /= 2)
        sum += dev_shfl_xor(sum, w);
    const float inv = 1.f / sum;
    for (int j = lane; j < n; j += 32)
        x[j] = dev_exp2((x[j] - mx) * log2e) * inv;
}

#endif
