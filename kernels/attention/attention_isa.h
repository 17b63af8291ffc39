/*
 * attention_isa.h - private to kernels/attention: the per-ISA entry points,
 * each defined once per level by the same sources (DA3_FN adds the suffix).
 */
#ifndef DA3_ATTENTION_ISA_H
#define DA3_ATTENTION_ISA_H

#include "attention.h"
#include "simd.h"

#define DA3_ATTN_DECL(name)                                                                   \
    int DA3_FN(name)(const da3_attn_shape *s, const float *q, const float *k, const float *v, \
                     float *o, float *ws, int threads)

/* Flash scratch per thread, in floats (defined in attention.c, which sizes
 * the workspace): Qt and Ot (D x BR), one score tile (BC x 3 vectors at the
 * widest level), m, l and alpha; rounded to 64 bytes. */
size_t da3_attn_flash_ws_floats(int d);

DA3_ATTN_DECL(da3_attn_naive);
DA3_ATTN_DECL(da3_attn_fused);
DA3_ATTN_DECL(da3_attn_flash);
DA3_ATTN_DECL(da3_attn_blas);

#endif
