/*
 * test_cuda_emul - the CUDA attention kernels (kernels/cuda/attention_kernels.cuh)
 * run on the CPU through kernels/cuda/emulate.h and checked against a
 * double-precision reference: tails (N not a multiple of 64, N = 1),
 * head dims 32/64/128, several heads, the tf32 fragment layouts and the
 * unfused path's softmax, and the mma fragment layouts against CUTLASS's.
 * The emulation runs warps in turns between
 * barriers (forward in even blocks, reverse in odd ones), so a missing
 * __syncthreads fails here: removing any one of flash_fp32's three or
 * flash_tf32's two fails 9 to 15 of these checks. Needs no GPU; built
 * whenever a C++20 compiler is there, with or without nvcc.
 */
#define DA3_CUDA_EMULATE 1
#include "../kernels/cuda/attention_kernels.cuh"

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

static int failures;

static void reference(int heads, int n, int d, const std::vector<float> &q,
                      const std::vector<float> &k, const std::vector<float> &v,
                      std::vector<double> &o)
{
    o.assign((size_t)heads * n * d, 0.0);
    std::vector<double> p(n);
    const double scale = 1.0 / std::sqrt((double)d);
    for (int h = 0; h < heads; h++)
        for (int i = 0; i < n; i++) {
            const size_t base = (size_t)h * n * d;
            double mx = -INFINITY, sum = 0;
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int e = 0; e < d; e++)
                    s += (double)q[base + (size_t)i * d + e] * k[base + (size_t)j * d + e];
                p[j] = s * scale;
                mx = std::max(mx, p[j]);
            }
            for (int j = 0; j < n; j++)
                sum += p[j] = std::exp(p[j] - mx);
            for (int j = 0; j < n; j++)
                for (int e = 0; e < d; e++)
                    o[base + (size_t)i * d + e] += p[j] / sum * v[base + (size_t)j * d + e];
        }
}

static void fill(std::vector<float> &x, size_t n, unsigned seed, float amp)
{
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> u(-amp, amp);
    x.resize(n);
    for (auto &e : x)
        e = u(g);
}

template <int D, int BR = 64>
static void check_flash(int heads, int n, bool tf32, float amp, double tol)
{
    std::vector<float> q, k, v, o((size_t)heads * n * D, NAN);
    fill(q, o.size(), 1 + n, amp), fill(k, o.size(), 2 + n, amp), fill(v, o.size(), 3 + n, 1.f);
    std::vector<double> ref;
    reference(heads, n, D, q, k, v, ref);
    da3_attn_args a = {q.data(), k.data(), v.data(), o.data(), n,
                       (float)(1.4426950408889634 / std::sqrt((double)D))};
    const dim3 grid((unsigned)((n + BR - 1) / BR), (unsigned)heads);
    if (tf32)
        emu::launch(grid, dim3(2 * BR), flash_tf32_smem_bytes<D>(),
                    [&] { flash_tf32<D, BR / 16>(a); });
    else
        emu::launch(grid, dim3(BR), flash_fp32_smem_bytes<D, BR>(), [&] { flash_fp32<D, BR>(a); });
    double err = 0;
    for (size_t i = 0; i < o.size(); i++)
        err = std::isnan(o[i]) ? INFINITY : std::max(err, std::fabs(o[i] - ref[i]));
    const bool ok = err <= tol;
    failures += !ok;
    printf("%s flash_%s D=%d BR=%d heads=%d N=%d |q|,|k|<=%g: max_abs_err %.3g (tolerance %.0e)\n",
           ok ? "ok  " : "FAIL", tf32 ? "tf32" : "fp32", D, BR, heads, n, amp, err, tol);
}

static void check_softmax(long rows, int n)
{
    std::vector<float> s;
    fill(s, (size_t)rows * n, 7 + n, 8.f);
    std::vector<float> in = s;
    emu::launch(dim3((unsigned)((rows + 7) / 8)), dim3(256), 0,
                [&] { softmax_rows(s.data(), rows, n); });
    double err = 0;
    for (long r = 0; r < rows; r++) {
        double mx = -INFINITY, sum = 0;
        for (int j = 0; j < n; j++)
            mx = std::max(mx, (double)in[r * n + j]);
        for (int j = 0; j < n; j++)
            sum += std::exp(in[r * n + j] - mx);
        for (int j = 0; j < n; j++)
            err = std::max(err, std::fabs(s[r * n + j] - std::exp(in[r * n + j] - mx) / sum));
    }
    const bool ok = err <= 1e-6;
    failures += !ok;
    printf("%s softmax_rows rows=%ld N=%d: max_abs_err %.3g\n", ok ? "ok  " : "FAIL", rows, n, err);
}

/* A CuTe layout ((4,8),(v...)) : ((s0,s1),(w...)) evaluated at (lane, value):
 * the linear, column-major index into the M x K (or N x K, M x N) tile. */
static unsigned cute(unsigned lane, unsigned v, unsigned s0, unsigned s1, const unsigned *vshape,
                     const unsigned *vstride, int nv)
{
    unsigned idx = (lane % 4) * s0 + (lane / 4) * s1;
    for (int i = 0; i < nv; i++) {
        idx += (v % vshape[i]) * vstride[i];
        v /= vshape[i];
    }
    return idx;
}

/* The fragment layouts emulate.h encodes, against CUTLASS 4.2's CuTe traits
 * for SM80_16x8x8_F32TF32TF32F32_TN (cute/atom/mma_traits_sm80.hpp):
 *   A: ((4,8),(2,2)) : ((16,1),(8,64))  over M16 x K8
 *   B: ((4,8),2)     : ((8,1),32)       over N8 x K8
 *   C: ((4,8),(2,2)) : ((32,1),(16,8))  over M16 x N8 */
static void check_layouts()
{
    int bad = 0;
    static const unsigned a_sh[] = {2, 2}, a_st[] = {8, 64}, b_sh[] = {2}, b_st[] = {32},
                          c_sh[] = {2, 2}, c_st[] = {16, 8};
    for (unsigned lane = 0; lane < 32; lane++) {
        for (unsigned v = 0; v < 4; v++) {
            const unsigned ia = cute(lane, v, 16, 1, a_sh, a_st, 2); /* m + 16 k */
            const emu::frag fa = emu::frag_a(ia % 16, ia / 16);
            bad += fa.lane != lane || fa.reg != v;
            const unsigned ic = cute(lane, v, 32, 1, c_sh, c_st, 2); /* m + 16 n */
            unsigned r, c;
            emu::frag_c(lane, v, &r, &c);
            bad += r != ic % 16 || c != ic / 16;
        }
        for (unsigned v = 0; v < 2; v++) {
            const unsigned ib = cute(lane, v, 8, 1, b_sh, b_st, 1); /* n + 8 k */
            const emu::frag fb = emu::frag_b(ib / 8, ib % 8);
            bad += fb.lane != lane || fb.reg != v;
        }
    }
    failures += bad != 0;
    printf("%s mma.m16n8k8.tf32 fragment layouts against CuTe's: %d mismatches\n",
           bad ? "FAIL" : "ok  ", bad);
}

int main()
{
    check_layouts();
    for (int n : {1, 63, 64, 65, 200}) {
        check_flash<64>(2, n, false, 1.f, 1e-5);
        check_flash<64>(2, n, true, 1.f, 4e-3);
    }
    check_flash<32>(1, 64, false, 1.f, 1e-5);
    check_flash<32>(1, 1, false, 1.f, 1e-5);
    check_flash<32>(1, 130, false, 1.f, 1e-5);
    check_flash<32>(1, 130, true, 1.f, 4e-3);
    check_flash<128>(1, 97, false, 1.f, 1e-5);
    check_flash<128>(1, 97, true, 1.f, 4e-3);
    /* large scores: the running max must keep the exponentials finite */
    check_flash<64>(1, 150, false, 6.f, 1e-4);
    check_flash<64>(1, 150, true, 6.f, 4e-2);
    /* the 128-query variants */
    for (int n : {1, 127, 130, 260}) {
        check_flash<64, 128>(2, n, false, 1.f, 1e-5);
        check_flash<64, 128>(2, n, true, 1.f, 4e-3);
    }
    check_flash<32, 128>(1, 200, false, 1.f, 1e-5);
    check_flash<128, 128>(1, 150, true, 1.f, 4e-3);
    check_softmax(13, 1);
    check_softmax(9, 300);
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
