/*
 * simd.h - the one vector abstraction of the per-ISA builds.
 *
 * A kernel source that includes this header is compiled once per ISA level
 * (meson adds -mavx2 -mfma, or -mavx512f ..., and -DDA3_ISA=<name>); the
 * vector width follows the compiler's predefined macros:
 *
 *   scalar   DA3_VW 1   plain floats (built with -fno-tree-vectorize)
 *   avx2     DA3_VW 8   __m256, FMA
 *   avx512   DA3_VW 16  __m512, FMA
 *   neon     DA3_VW 4   float32x4_t, FMA (AArch64; the build defines
 *                       DA3_USE_NEON, since every AArch64 compiler
 *                       predefines __ARM_NEON, the scalar build's too)
 *
 * DA3_FN(name) gives the per-ISA symbol, e.g. da3_attn_flash_avx2, so the
 * three builds link side by side and cpu.c picks one at run time.
 * Only header-inline helpers live here; nothing is exported.
 */
#ifndef DA3_CPU_SIMD_H
#define DA3_CPU_SIMD_H

#include <stdint.h>
#include <string.h>

#ifndef DA3_ISA
#error "simd.h is for per-ISA sources: the build must define DA3_ISA"
#endif

#define DA3_CAT2(a, b) a##_##b
#define DA3_CAT(a, b) DA3_CAT2(a, b)
#define DA3_FN(name) DA3_CAT(name, DA3_ISA)

#if defined(__AVX512F__)
#include <immintrin.h>
#define DA3_VW 16
typedef __m512 vf;
static inline vf v_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void v_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf v_set1(float s) { return _mm512_set1_ps(s); }
static inline vf v_zero(void) { return _mm512_setzero_ps(); }
static inline vf v_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf v_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf v_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf v_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf v_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf v_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf v_shl23(vf a)
{
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(a), 23));
}
static inline vf v_load_u8(const uint8_t *p) /* 16 bytes to 16 floats */
{
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)p)));
}
static inline float v_hmax(vf a) { return _mm512_reduce_max_ps(a); }
static inline float v_hsum(vf a) { return _mm512_reduce_add_ps(a); }
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define DA3_VW 8
typedef __m256 vf;
static inline vf v_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void v_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline vf v_set1(float s) { return _mm256_set1_ps(s); }
static inline vf v_zero(void) { return _mm256_setzero_ps(); }
static inline vf v_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf v_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf v_div(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf v_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf v_max(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf v_min(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf v_shl23(vf a)
{
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(a), 23));
}
static inline vf v_load_u8(const uint8_t *p) /* 8 bytes to 8 floats */
{
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}
static inline float v_hmax(vf a)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}
static inline float v_hsum(vf a)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
#elif defined(DA3_USE_NEON)
#include <arm_neon.h>
#define DA3_VW 4
typedef float32x4_t vf;
static inline vf v_load(const float *p) { return vld1q_f32(p); }
static inline void v_store(float *p, vf v) { vst1q_f32(p, v); }
static inline vf v_set1(float s) { return vdupq_n_f32(s); }
static inline vf v_zero(void) { return vdupq_n_f32(0.0f); }
static inline vf v_add(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf v_sub(vf a, vf b) { return vsubq_f32(a, b); }
static inline vf v_mul(vf a, vf b) { return vmulq_f32(a, b); }
static inline vf v_div(vf a, vf b) { return vdivq_f32(a, b); }
static inline vf v_fma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
static inline vf v_max(vf a, vf b) { return vmaxq_f32(a, b); }
static inline vf v_min(vf a, vf b) { return vminq_f32(a, b); }
static inline vf v_shl23(vf a)
{
    return vreinterpretq_f32_u32(vshlq_n_u32(vreinterpretq_u32_f32(a), 23));
}
static inline vf v_load_u8(const uint8_t *p) /* 4 bytes to 4 floats */
{
    uint32_t x;
    memcpy(&x, p, sizeof x);
    const uint16x8_t h = vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(x)));
    return vcvtq_f32_u32(vmovl_u16(vget_low_u16(h)));
}
static inline float v_hmax(vf a) { return vmaxvq_f32(a); }
static inline float v_hsum(vf a) { return vaddvq_f32(a); }
#else
#define DA3_VW 1
typedef float vf;
static inline vf v_load(const float *p) { return *p; }
static inline void v_store(float *p, vf v) { *p = v; }
static inline vf v_set1(float s) { return s; }
static inline vf v_zero(void) { return 0.0f; }
static inline vf v_add(vf a, vf b) { return a + b; }
static inline vf v_sub(vf a, vf b) { return a - b; }
static inline vf v_mul(vf a, vf b) { return a * b; }
static inline vf v_div(vf a, vf b) { return a / b; }
static inline vf v_fma(vf a, vf b, vf c) { return a * b + c; }
static inline vf v_max(vf a, vf b) { return a > b ? a : b; }
static inline vf v_min(vf a, vf b) { return a < b ? a : b; }
static inline vf v_shl23(vf a)
{
    uint32_t u;
    memcpy(&u, &a, sizeof u);
    u <<= 23;
    memcpy(&a, &u, sizeof a);
    return a;
}
static inline vf v_load_u8(const uint8_t *p) { return (float)*p; }
static inline float v_hmax(vf a) { return a; }
static inline float v_hsum(vf a) { return a; }
#endif

/*
 * 2^x for x <= 0 (the softmaxes only ever need that range). x is clamped to
 * -126 so the result stays a normal float (2^-126 ~ 1e-38 stands for zero)
 * and split as n + f, n = round(x), |f| <= 0.5, by adding 1.5 * 2^23 + 127:
 * in [2^23, 2^24) a float's ulp is 1, so the sum is rounded to an integer and
 * its low mantissa bits hold n + 127, which v_shl23 moves into the exponent
 * field: the bits of 2^n. 2^f is a degree-5 polynomial fitted for minimax
 * relative error on [-0.5, 0.5] (1.6e-7 with these float coefficients, as
 * close as the degree-6 Taylor polynomial it replaces, one FMA less; no
 * round or int conversion either). Needs IEEE semantics (no -ffast-math),
 * which the build never enables.
 */
static inline vf v_exp2(vf x)
{
    const vf shifter = v_set1(12582912.0f + 127.0f);
    x = v_max(x, v_set1(-126.0f));
    const vf t = v_add(x, shifter);
    const vf f = v_sub(x, v_sub(t, shifter));
    vf p = v_set1(1.327647245e-3f);
    p = v_fma(p, f, v_set1(9.675541893e-3f));
    p = v_fma(p, f, v_set1(5.550713092e-2f));
    p = v_fma(p, f, v_set1(2.402212024e-1f));
    p = v_fma(p, f, v_set1(6.931469440e-1f));
    p = v_fma(p, f, v_set1(1.000000119e+0f));
    return v_mul(p, v_shl23(t));
}
#endif
