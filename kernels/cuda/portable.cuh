/*
 * portable.cuh - the few device primitives the attention kernels use, for
 * nvcc (the real instructions) or for the CPU emulation of the tests
 * (emulate.h, built with DA3_CUDA_EMULATE). The kernels use nothing else
 * that differs between the two.
 */
#ifndef DA3_CUDA_PORTABLE_CUH
#define DA3_CUDA_PORTABLE_CUH

#include <cstdint>

#ifdef DA3_CUDA_EMULATE
#include "emulate.h"

static inline float dev_shfl_xor(float v, int mask) { return emu::shfl_xor(v, mask); }
static inline uint32_t dev_tf32(float f) { return emu::to_tf32(f); }
static inline void dev_mma_tf32(float c[4], const uint32_t a[4], const uint32_t b[2])
{
    emu::mma_tf32(c, a, b);
}
static inline float dev_exp2(float x) { return std::exp2(x); }
/* host code built against tests/cuda_fake (a CPU stand-in for the runtime) */
#define DA3_LAUNCH(kernel, grid, block, smem, stream, ...)                                       \
    fake_launch((stream), dim3(grid), dim3(block), (smem), [=] { kernel(__VA_ARGS__); })
static inline float dev_as_float(uint32_t u) { return emu::flt(u); }
static inline uint32_t dev_bits(float f) { return emu::bits(f); }

#else

#define DA3_DYN_SMEM(type) (reinterpret_cast<type *>(da3_dyn_smem_))
#define DA3_LAUNCH(kernel, grid, block, smem, stream, ...)                                       \
    kernel<<<(grid), (block), (smem), (stream)>>>(__VA_ARGS__)
extern __shared__ float4 da3_dyn_smem_[];

static __device__ __forceinline__ float dev_shfl_xor(float v, int mask)
{
    return __shfl_xor_sync(0xffffffffu, v, mask);
}
static __device__ __forceinline__ uint32_t dev_tf32(float f)
{
    uint32_t r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(f));
    return r;
}
/* D = A B + C, m16n8k8, tf32 inputs, fp32 accumulation (sm_80 and later) */
static __device__ __forceinline__ void dev_mma_tf32(float c[4], const uint32_t a[4],
                                                    const uint32_t b[2])
{
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
                 "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
/* ex2.approx: 2 ulp, what exp2f compiles to under --use_fast_math */
static __device__ __forceinline__ float dev_exp2(float x) { return exp2f(x); }
static __device__ __forceinline__ float dev_as_float(uint32_t u) { return __uint_as_float(u); }
static __device__ __forceinline__ uint32_t dev_bits(float f) { return __float_as_uint(f); }

#endif

#endif
