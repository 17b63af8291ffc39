/*
 * The FMA throughput loop, compiled once per ISA and once per accumulator
 * count. Enough independent accumulators must be in flight to cover the
 * FMA latency on every FMA port (4-5 cycles x 2 ports on Zen 3/4 and
 * Sapphire Rapids needs at least 10 vectors); too many spill out of the
 * register file. Which count is enough is measured, not assumed:
 * da3_cpu_peak_gflops sweeps the counts listed here once per ISA and
 * keeps the best (issue 21). The multiplier and addend keep every value
 * finite and normal forever.
 */
#include "cpu.h"
#include "simd.h"

/* counts to sweep: up to the register file (32 zmm / NEON v, 16 ymm),
 * leaving two for the multiplier and the addend */
#if DA3_VW == 16 || DA3_VW == 4
#define ACCS(X) X(8) X(12) X(16) X(20) X(24) X(28)
#elif DA3_VW == 8
#define ACCS(X) X(4) X(6) X(8) X(10) X(12) X(14)
#else
#define ACCS(X) X(4) X(8) X(12) X(16)
#endif

/* read at run time: with constants, gcc folded the scalar loop whole */
static volatile float mul_v = 0.9999999f, add_v = 1e-7f;

#define LOOP(N)                                                                                \
    static float loop_##N(long iters, double *flops)                                           \
    {                                                                                          \
        vf acc[N];                                                                             \
        for (int k = 0; k < N; k++)                                                            \
            acc[k] = v_set1(1.0f + 0.01f * (float)k);                                          \
        const vf m = v_set1(mul_v), a = v_set1(add_v);                                         \
        for (long i = 0; i < iters; i++) {                                                     \
            /* unrolled, so acc[] lives in registers: a rolled loop kept it                  \
             * on the stack, and the peak measured 2.5x low on AVX-512 */                     \
            _Pragma("GCC unroll 32") for (int k = 0; k < N; k++) acc[k] = v_fma(acc[k], m, a); \
        }                                                                                      \
        vf s = acc[0];                                                                         \
        for (int k = 1; k < N; k++)                                                            \
            s = v_add(s, acc[k]);                                                              \
        *flops = 2.0 * N * DA3_VW * (double)iters;                                             \
        return v_hsum(s);                                                                      \
    }
ACCS(LOOP)

#define CASE(N)                                                                                \
    case N:                                                                                    \
        return loop_##N(iters, flops);
static float fma_loop(long iters, int accs, double *flops)
{
    switch (accs) {
        ACCS(CASE)
    default:
        *flops = 0;
        return 0;
    }
}

#define LIST(N) N,
static int fma_accs(const int **list)
{
    static const int accs[] = {ACCS(LIST)};
    *list = accs;
    return (int)(sizeof accs / sizeof *accs);
}

const da3_fma_fns DA3_CAT(da3_fma_fns, DA3_ISA) = {
    .loop = fma_loop,
    .accs = fma_accs,
};
