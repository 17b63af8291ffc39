/*
 * cuda_bench.h - the CUDA side of da3bench, callable from C. Built from
 * the .cu files of kernels/cuda/ when meson finds nvcc (option cuda = auto | enabled |
 * disabled); otherwise cuda_none.c gives the same functions, each saying
 * why there is no GPU to run on.
 *
 * Device:    da3_cuda_probe() fills da3_cuda_info or gives the reason none
 *            can run (built without CUDA, no driver, no device).
 * Peak:      da3_cuda_peak_gflops() times an FMA loop over every SM with
 *            CUDA events: the measured fp32 peak the attention is a percent of.
 * Attention: Q, K, V uploaded once per shape; da3_cuda_attn_run() times
 *            one call of an implementation with events (milliseconds);
 *            da3_cuda_attn_download() brings O back for the CPU reference.
 *              naive       cuBLAS sgemm S = QK^T/sqrt(D) (all heads batched),
 *                          softmax_rows, cuBLAS sgemm O = P V; fp32 math
 *              naive_tf32  the same with cuBLAS on TF32 tensor cores
 *              flash       one fused kernel, online softmax, fp32 FMA
 *              flash_tf32  one fused kernel, mma.sync tf32 tensor cores
 *              flash_br128, flash_tf32_br128: the same with 128 queries a
 *                          block, for tuning on the device (--cuda-impl)
 * Prefetch:  the MLP on the GPU (cuBLAS, weights from the CPU da3_mlp),
 *            fed either by pageable buffers and synchronous copies, or by
 *            pinned buffers copied with cudaMemcpyAsync on a copy stream
 *            while the compute stream runs the previous batch, ordered by
 *            events. Per-batch output sums make a checksum.
 *
 * Every function returning int gives 0, or a da3_status (status.h):
 * DA3_EDEVICE where the GPU or its runtime failed, DA3_EUNAVAIL in a build
 * without CUDA, with a one-line message in the err buffer it was given (or
 * the object's, da3_cuda_*_error()).
 */
#ifndef DA3_CUDA_BENCH_H
#define DA3_CUDA_BENCH_H

#include "status.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    char name[128];
    int sms, cc_major, cc_minor;
    double mem_gib;
    double clock_ghz;        /* the SM clock the driver reports */
    double nominal_gflops;   /* SMs x fp32 lanes per SM x 2 x clock: the spec sheet's */
    int driver_version, runtime_version;
} da3_cuda_info;

/* 1 when this binary was built with CUDA */
int da3_cuda_built(void);
/* 0 and *info when device 0 can run; -1 and the reason otherwise */
int da3_cuda_probe(da3_cuda_info *info, char *err, size_t errlen);
/* GFLOP/s of the FMA loop, best of `trials` after a warm-up; < 0 on error */
double da3_cuda_peak_gflops(int trials, char *err, size_t errlen);
/* one run of the FMA loop: its floating-point operations and event time */
int da3_cuda_fma_run(double *flops, double *ms, char *err, size_t errlen);

typedef enum {
    DA3_CUDA_NAIVE = 0,
    DA3_CUDA_NAIVE_TF32,
    DA3_CUDA_FLASH,
    DA3_CUDA_FLASH_TF32,
    DA3_CUDA_FLASH_BR128,      /* flash with 128 queries a block (tuning) */
    DA3_CUDA_FLASH_TF32_BR128, /* flash_tf32 with 8 warps, 128 queries (tuning) */
    DA3_CUDA_NIMPL
} da3_cuda_impl;
#define DA3_CUDA_NDEFAULT 4 /* the suite's default: naive .. flash_tf32 */

const char *da3_cuda_impl_name(int impl);
int da3_cuda_impl_parse(const char *name); /* impl, or -1 */
/* 1 if the kernels take this head dim (32, 64, 128) */
int da3_cuda_head_dim_ok(int d);
/* device bytes an implementation needs beyond Q, K, V, O */
size_t da3_cuda_attn_extra_bytes(int impl, int b, int h, int n, int d);

typedef struct da3_cuda_attn da3_cuda_attn;
/* q, k, v: [B][H][N][D] fp32 on the host; scores: allocate the naive
 * paths' B*H*N*N buffer too */
da3_cuda_attn *da3_cuda_attn_new(int b, int h, int n, int d, const float *q, const float *k,
                                 const float *v, int scores, char *err, size_t errlen);
/* one call, timed with events around it */
int da3_cuda_attn_run(da3_cuda_attn *a, int impl, double *ms);
int da3_cuda_attn_download(da3_cuda_attn *a, float *o);
const char *da3_cuda_attn_error(const da3_cuda_attn *a);
void da3_cuda_attn_free(da3_cuda_attn *a);

typedef struct da3_cuda_pf da3_cuda_pf;
/* weights[l]: dims[l] x dims[l+1] row-major (in x out), bias[l]: dims[l+1];
 * ReLU after all layers but the last (the CPU da3_mlp's). */
da3_cuda_pf *da3_cuda_pf_new(int batch, const int *dims, int ndims, const float *const *weights,
                             const float *const *bias, long max_batches, char *err,
                             size_t errlen);
/* pinned host memory for the pipelined run's buffers (da3_pf_config's
 * allocator): cudaHostAlloc / cudaFreeHost */
void *da3_cuda_host_alloc(size_t bytes, void *ctx);
void da3_cuda_host_free(void *p, void *ctx);
/* starts a run: clears the sums, records the start event */
int da3_cuda_pf_begin(da3_cuda_pf *p);
/* pageable and synchronous: cudaMemcpy in, MLP, sum, wait */
int da3_cuda_pf_batch_sync(da3_cuda_pf *p, long batch, const float *in);
/* pinned and asynchronous: waits until the device buffer is free, copies on
 * the copy stream, the compute stream waits for the copy, runs the MLP and
 * the sum; returns once the copy is done (the host buffer is free again) */
int da3_cuda_pf_batch_async(da3_cuda_pf *p, long batch, const float *in_pinned);
/* waits for everything; the run's milliseconds (events) and checksum (the
 * per-batch sums added in batch order) */
int da3_cuda_pf_end(da3_cuda_pf *p, long batches, double *ms, double *checksum);
/* stage times of one batch, with events: pinned H2D copy and MLP */
int da3_cuda_pf_stage_ms(da3_cuda_pf *p, const float *in_pinned, double *h2d_ms, double *mlp_ms);
/* the output of the last batch computed (batch x dims[last]) to the host */
int da3_cuda_pf_last_output(da3_cuda_pf *p, float *out);
const char *da3_cuda_pf_error(const da3_cuda_pf *p);
void da3_cuda_pf_free(da3_cuda_pf *p);

#ifdef __cplusplus
}
#endif

#endif
