/*
 * The bf16 dot-product throughput loop (AVX512-BF16's vdpbf16ps), compiled
 * only for x86-64 with -mavx512bf16 and run only where CPUID says the unit
 * is there (cpu.c). One vdpbf16ps multiplies 32 bf16 pairs and adds each
 * lane's two products into an fp32 accumulator: 64 flops per instruction
 * on 512 bits, twice an fp32 FMA's 32. As for the FMA loop, the
 * accumulator count that covers latency x ports is swept, not assumed;
 * the operands (1e-3 squared, read at run time) keep every value finite
 * and normal for more than 10^12 rounds.
 */
#include "cpu.h"

#include <immintrin.h>

#define ACCS(X) X(8) X(12) X(16) X(20) X(24) X(28)

static volatile float op_v = 1e-3f;

#define LOOP(N)                                                                                \
    static float loop_##N(long iters, double *flops)                                           \
    {                                                                                          \
        __m512 acc[N];                                                                         \
        for (int k = 0; k < N; k++)                                                            \
            acc[k] = _mm512_set1_ps(1.0f + 0.01f * (float)k);                                  \
        const __m512 x = _mm512_set1_ps(op_v);                                                 \
        const __m512bh a = _mm512_cvtne2ps_pbh(x, x);                                          \
        for (long i = 0; i < iters; i++) {                                                     \
            _Pragma("GCC unroll 32") for (int k = 0; k < N; k++) acc[k] =                      \
                _mm512_dpbf16_ps(acc[k], a, a);                                                \
        }                                                                                      \
        __m512 s = acc[0];                                                                     \
        for (int k = 1; k < N; k++)                                                            \
            s = _mm512_add_ps(s, acc[k]);                                                      \
        *flops = 64.0 * N * (double)iters;                                                     \
        return _mm512_reduce_add_ps(s);                                                        \
    }
ACCS(LOOP)

#define CASE(N)                                                                                \
    case N:                                                                                    \
        return loop_##N(iters, flops);
float da3_bf16_dp_loop(long iters, int accs, double *flops)
{
    switch (accs) {
        ACCS(CASE)
    default:
        *flops = 0;
        return 0;
    }
}

#define LIST(N) N,
int da3_bf16_dp_accs(const int **list)
{
    static const int accs[] = {ACCS(LIST)};
    *list = accs;
    return (int)(sizeof accs / sizeof *accs);
}
