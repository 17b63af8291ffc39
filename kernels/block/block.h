/*
 * block.h - one transformer block of DA3's ViT (DINOv2's), fp32, forward:
 *
 *   h  = LayerNorm1(x)                       x, y: [T, C] row-major, T tokens
 *   q,k,v = h Wqkv^T + bqkv                  Wqkv: [3C, C] (PyTorch Linear layout)
 *   a  = attention(q, k, v)                  over `seqs` sequences of T/seqs tokens,
 *                                            H heads of D = C/H (kernels/attention)
 *   x1 = x + ls1 * (a Wproj^T + bproj)       LayerScale ls1: [C]
 *   u  = GELU(LayerNorm2(x1) Wfc1^T + bfc1)  Wfc1: [F, C], exact (erf) GELU
 *   y  = x1 + ls2 * (u Wfc2^T + bfc2)        Wfc2: [C, F]
 *
 * The four linear layers are cblas_sgemm (OpenBLAS, single-threaded inside
 * each task, the output columns split over our threads); LayerNorm, the
 * bias + head split, the head merge, GELU and the residuals are ours,
 * vectorized per ISA (block_ops.c; kernels/cpu/simd.h). `seqs` = V with
 * T = V * 721 is DA3's attention within each view; `seqs` = 1 across views.
 *
 * Every intermediate has its own buffer in the block (da3_block_new), so a
 * timed call allocates nothing and da3_block_check can verify each stage
 * from its own inputs. Errors are da3_status codes (status.h), da3_strerror()
 * says which (the attention's codes pass through unchanged).
 */
#ifndef DA3_BLOCK_H
#define DA3_BLOCK_H

#include "status.h"

#include "attention.h"

#include <stddef.h>

typedef struct {
    int tokens; /* T, all sequences together */
    int dim;    /* C */
    int heads;  /* H; D = C / H */
    int hidden; /* F, the MLP's width (4C in every DA3 variant) */
    int seqs;   /* sequences attention runs over; divides T */
} da3_block_shape;


int da3_block_check_shape(const da3_block_shape *s);
/* The attention's shape inside the block: B = seqs, N = T / seqs. */
da3_attn_shape da3_block_attn_shape(const da3_block_shape *s);
/* Multiply-adds x 2 per call: the four GEMMs, the attention's products. */
double da3_block_gemm_flops(const da3_block_shape *s);
double da3_block_attn_flops(const da3_block_shape *s);

/* Weights, seeded: uniform, scaled as a trained ViT's are (a linear layer's
 * outputs of the order of its inputs, LayerNorm gains near 1, LayerScale
 * 0.1), so the attention's scores have a trained model's spread. */
typedef struct {
    float *ln1_w, *ln1_b, *qkv_w, *qkv_b, *proj_w, *proj_b, *ls1;
    float *ln2_w, *ln2_b, *fc1_w, *fc1_b, *fc2_w, *fc2_b, *ls2;
    float *mem;
} da3_block_weights;

int da3_block_weights_init(da3_block_weights *w, const da3_block_shape *s,
                           unsigned long long seed);
void da3_block_weights_free(da3_block_weights *w);
/* x: T*C values of unit spread, the residual stream's */
void da3_block_fill(float *x, size_t n, unsigned long long seed);

typedef struct da3_block da3_block;

/* Bytes a block of this shape holds (intermediates + the attention's
 * workspace), for a memory limit checked before anything is allocated. */
double da3_block_bytes(const da3_block_shape *s, da3_attn_impl impl, int threads);
/* isa_mask 0: da3_cpu_isa_mask(). NULL on error, with *err set. */
da3_block *da3_block_new(const da3_block_shape *s, da3_attn_impl impl, int threads,
                         unsigned isa_mask, int *err);
void da3_block_free(da3_block *b);

/* Seconds spent in each part of the last da3_block_run. */
typedef struct {
    double gemm, attn, other;
} da3_block_times;

int da3_block_run(da3_block *b, const da3_block_weights *w, const float *x, float *y,
                  da3_block_times *t);

/* One part alone, on the buffers a da3_block_run left (run it once first):
 * the same calls the block makes, nothing else. */
typedef enum {
    DA3_BLOCK_PART_GEMM,     /* the four GEMMs, columns split over our threads */
    DA3_BLOCK_PART_OPENBLAS, /* the same four, one cblas_sgemm each, OpenBLAS's threads */
    DA3_BLOCK_PART_ATTN,     /* the attention */
    DA3_BLOCK_PART_OTHER,    /* LayerNorms, head split and merge, GELU, residuals */
    DA3_BLOCK_NPART
} da3_block_part;
const char *da3_block_part_name(da3_block_part p);
int da3_block_run_part(da3_block *b, const da3_block_weights *w, const float *x, float *y,
                       da3_block_part p);

/* Each stage of the last da3_block_run checked against a double-precision
 * computation from that stage's own (float) inputs, on `rows` tokens spread
 * evenly (first and last included; the attention on `rows` query rows per
 * head): the largest |got - ref| / (1 + |ref|). */
double da3_block_check(const da3_block *b, const da3_block_weights *w, const float *x,
                       const float *y, int rows);
/* The whole block in double precision from x (the test's reference, for
 * small shapes: O(T^2 C + T C F)). y: T*C doubles. */
int da3_block_reference(const da3_block_shape *s, const da3_block_weights *w, const float *x,
                        double *y);

/* Per-ISA row operations (block_ops.c, compiled per level). Rows [r0, r1). */
typedef struct {
    void (*layernorm)(const float *x, const float *g, const float *bias, float *out, int c,
                      long r0, long r1);
    /* qkv [T, 3C] + bias -> q, k, v [B, H, N, D] */
    void (*split_heads)(const float *qkv, const float *bias, float *q, float *k, float *v,
                        const da3_attn_shape *a, long r0, long r1);
    /* o [B, H, N, D] -> a [T, C] */
    void (*merge_heads)(const float *o, float *a, const da3_attn_shape *s, long r0, long r1);
    /* out = x + ls * (y + bias), rows of c */
    void (*residual)(const float *x, const float *y, const float *bias, const float *ls,
                     float *out, int c, long r0, long r1);
    /* u = GELU(in + bias), rows of f */
    void (*gelu)(const float *in, const float *bias, float *u, int f, long r0, long r1);
} da3_block_fns;

extern const da3_block_fns da3_block_fns_scalar, da3_block_fns_avx2, da3_block_fns_avx512,
    da3_block_fns_neon;
void da3_block_dsp_init(da3_block_fns *dsp, unsigned isa_mask);

#define DA3_BLOCK_LN_EPS 1e-6f /* DINOv2's LayerNorm epsilon */

#endif
