/*
 * The FMA throughput loop, compiled once per ISA. Enough independent
 * accumulators to cover the FMA latency on both FMA ports (4-5 cycles x 2
 * on Zen 3/4 and Sapphire Rapids needs at least 10); the multiplier and
 * addend keep every value finite and normal forever.
 */
#include "cpu.h"
#include "simd.h"

#if DA3_VW == 16
#define NACC 24
#elif DA3_VW == 4 /* NEON: up to 4 FMA pipes of latency 4 (Apple M, Neoverse V) */
#define NACC 20
#else
#define NACC 12
#endif

float DA3_FN(da3_cpu_fma_loop)(long iters, double *flops)
{
    vf acc[NACC];
    for (int k = 0; k < NACC; k++)
        acc[k] = v_set1(1.0f + 0.01f * (float)k);
    const vf m = v_set1(0.9999999f), a = v_set1(1e-7f);
    for (long i = 0; i < iters; i++) {
        /* unrolled, so acc[] lives in registers: a rolled loop kept it on
         * the stack, each FMA waiting on a load and a store, and the peak
         * measured 2.5x low on AVX-512 (issue 21) */
#pragma GCC unroll 32
        for (int k = 0; k < NACC; k++)
            acc[k] = v_fma(acc[k], m, a);
    }
    vf s = acc[0];
    for (int k = 1; k < NACC; k++)
        s = v_add(s, acc[k]);
    *flops = 2.0 * NACC * DA3_VW * (double)iters;
    return v_hsum(s);
}
