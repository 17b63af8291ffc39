/*
 * attention.h - scaled dot-product attention, the DA3 ViT's hot path.
 *
 *   O = softmax(Q K^T / sqrt(D)) V     Q, K, V, O: [B, H, N, D] fp32, contiguous
 *
 * Four implementations of the same function (da3_attn_impl):
 *   naive  the seed's "upstream": scores Q K^T materialized for all B*H heads,
 *          a separate pass multiplying by the scale, a softmax pass (max,
 *          exp and sum, divide), then P V. Plain C loops.
 *   fused  the seed's "optimized": the same, with the scale folded into the
 *          single softmax pass per row. It saves one pass over B*H*N*N
 *          floats, nothing else: the seed's claim, measured.
 *   flash  online softmax over blocks of keys (Dao et al., FlashAttention):
 *          per block of queries, S = Q K_blk^T in registers-tiled form, the
 *          running max and sum rescale the output accumulator, O += P V_blk.
 *          Never holds N*N; threads take (batch, head, query block) tasks.
 *   blas   cblas_sgemm for Q K^T and P V per head with one fused softmax pass
 *          between: what PyTorch eager does on a CPU.
 *
 * naive, fused and flash are compiled per ISA (kernels/cpu/simd.h) and the
 * level chosen by da3_cpu_isa() runs; blas uses the BLAS library's own.
 *
 * Memory: the caller allocates da3_attn_workspace_bytes() once and passes it,
 * so a timed call allocates nothing. naive and fused need B*H*N*N floats (as
 * eager does), blas N*N per thread; flash needs per-thread blocks,
 * O(threads*D*Br). Any alignment will do: the size includes
 * DA3_ATTN_WS_ALIGN bytes by which da3_attn_run moves the start to a cache
 * line.
 *
 * Errors are da3_status codes (status.h); da3_strerror() says which.
 */
#ifndef DA3_ATTENTION_H
#define DA3_ATTENTION_H

#include "status.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    DA3_ATTN_NAIVE = 0,
    DA3_ATTN_FUSED,
    DA3_ATTN_FLASH,
    DA3_ATTN_BLAS,
    DA3_ATTN_NIMPL
} da3_attn_impl;

typedef struct {
    int b, h, n, d;
} da3_attn_shape;

#define DA3_ATTN_WS_ALIGN 64
#define DA3_ATTN_DMIN 16
#define DA3_ATTN_DMAX 256

const char *da3_attn_impl_name(da3_attn_impl impl);
int da3_attn_impl_parse(const char *name); /* impl, or DA3_EIMPL */

int da3_attn_check_shape(const da3_attn_shape *s);
size_t da3_attn_workspace_bytes(da3_attn_impl impl, const da3_attn_shape *s, int threads);

int da3_attn_run(da3_attn_impl impl, const da3_attn_shape *s, const float *q, const float *k,
                 const float *v, float *o, void *ws, size_t ws_bytes, int threads);

/* Largest |o - reference| where the reference is computed in double
 * precision for `rows` query rows of every head, spread evenly and always
 * including the first and last (rows <= 0 or >= N: all rows). */
double da3_attn_max_err(const da3_attn_shape *s, const float *q, const float *k, const float *v,
                        const float *o, int rows);

/* flash in bf16 (attention_bf16.c, AVX512-BF16): q, k and v hold bf16
 * values (the high 16 bits of an fp32, B x H x N x D as the fp32 kernels),
 * o is fp32; products on the bf16 unit, accumulation and softmax in fp32.
 * DA3_EUNAVAIL where da3_cpu_bf16_missing() says why. */
size_t da3_attn_bf16_workspace_bytes(const da3_attn_shape *s, int threads);
int da3_attn_run_bf16(const da3_attn_shape *s, const uint16_t *q, const uint16_t *k,
                      const uint16_t *v, float *o, void *ws, size_t ws_bytes, int threads);
/* fp32 -> bf16, rounding to nearest even (NaN stays NaN); and back, exactly */
void da3_bf16_round(const float *x, uint16_t *y, size_t n);
void da3_bf16_widen(const uint16_t *x, float *y, size_t n);
/* The check's tolerance against the double reference of the bf16 inputs:
 * P is rounded to bf16 (relative 2^-9) in P V, so |o - ref| <= 2^-9 max|v|;
 * twice that, plus 1e-5 for the fp32 sums. */
double da3_attn_bf16_tolerance(const uint16_t *v, size_t n);
/* attention_bf16.c's own entry points, behind da3_attn_run_bf16 */
size_t da3_attn_bf16_kernel_ws(const da3_attn_shape *s, int threads);
int da3_attn_flash_bf16_kernel(const da3_attn_shape *s, const uint16_t *q, const uint16_t *k,
                               const uint16_t *v, float *o, void *ws, int threads);

/* Per-ISA entry points (attention_isa.c compiled per level). ws is the
 * caller's workspace as sized above. */
typedef int (*da3_attn_fn)(const da3_attn_shape *s, const float *q, const float *k,
                           const float *v, float *o, float *ws, int threads);
typedef struct {
    da3_attn_fn naive, fused, flash, blas;
} da3_attn_fns;

extern const da3_attn_fns da3_attn_fns_scalar;
extern const da3_attn_fns da3_attn_fns_avx2;
extern const da3_attn_fns da3_attn_fns_avx512;
extern const da3_attn_fns da3_attn_fns_neon;
/* The table of the levels in isa_mask (cpu.h): C first, each level
 * overriding it in order. da3_attn_run uses da3_cpu_isa_mask(). */
void da3_attn_dsp_init(da3_attn_fns *dsp, unsigned isa_mask);

/* Flash blocking, shared by the workspace size and the kernel (overridable
 * at build time for tuning experiments only). */
#ifndef DA3_ATTN_FLASH_BR
#define DA3_ATTN_FLASH_BR 96  /* queries per task: a multiple of 3 vectors */
#endif
#ifndef DA3_ATTN_FLASH_BC
#define DA3_ATTN_FLASH_BC 128 /* keys per block */
#endif

#endif
