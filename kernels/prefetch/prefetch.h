/*
 * prefetch.h - overlapping batch loading with compute: the seed's
 * "prefetch pipeline" (load batch N+1 while computing batch N) in C.
 *
 * da3_pf_run() runs `batches` batches through load() then compute().
 * depth 0 is sequential, on the caller's thread. depth k uses k + 1 batch
 * buffers, allocated once per run and reused: `loaders` threads fill
 * batches in order of their index, at most k ahead of the batch the caller
 * is computing, and the caller computes them in order. A loader's error
 * reaches the caller as the error of that batch; the run then stops, the
 * loaders are woken and joined, and nothing deadlocks. Per-batch load and
 * compute times are measured separately.
 *
 * The compute is a 4-layer MLP (da3_mlp, CBLAS sgemm + bias + ReLU); the
 * loaders are `sim` (sleeps io_ms, fills deterministically: the seed's) and
 * `jpeg` (DA3's preprocessing of fixture JPEGs), in loaders.c.
 *
 * The bound: with per-batch io and compute times, n batches cannot take
 * less than n * max(io, c) + min(io, c) when overlapped.
 */
#ifndef DA3_PREFETCH_H
#define DA3_PREFETCH_H

#include "status.h"

#include <stddef.h>
#include <stdint.h>

typedef int (*da3_pf_load_fn)(void *ctx, long batch, float *buf, int loader);
typedef int (*da3_pf_compute_fn)(void *ctx, long batch, const float *buf);

typedef struct {
    long batches;
    int depth;          /* 0: sequential */
    int loaders;        /* loader threads, depth > 0 */
    size_t batch_floats;
    /* the batch buffers' memory: NULL for malloc/free, or another
     * allocator (the CUDA pipeline's pinned host memory) */
    void *(*alloc)(size_t bytes, void *ctx);
    void (*release)(void *p, void *ctx);
    void *alloc_ctx;
} da3_pf_config;

typedef struct {
    double total_s;
    double *io_s;        /* per batch, `batches` entries, or NULL */
    double *compute_s;   /* per batch, or NULL */
    long error_batch;    /* the first failing batch, or -1 */
    int error;           /* its code (0 if none) */
    int max_ahead;       /* most batches loaded and waiting, beyond the one computing */
} da3_pf_stats;


/* 0, a load or compute function's code, or a DA3_PF_E* code. */
int da3_pf_run(const da3_pf_config *c, da3_pf_load_fn load, da3_pf_compute_fn compute,
               void *ctx, da3_pf_stats *st);

/* n * max(io, c) + min(io, c) */
double da3_pf_bound(long n, double io, double c);

/* ---- the compute: a multilayer perceptron ---- */
typedef struct da3_mlp da3_mlp;
/* layers = ndims - 1 Linear layers, ReLU after all but the last; weights
 * uniform in +-1/sqrt(fan_in) from `seed`. */
da3_mlp *da3_mlp_new(int batch, const int *dims, int ndims, uint64_t seed);
void da3_mlp_free(da3_mlp *m);
int da3_mlp_in(const da3_mlp *m);
int da3_mlp_out(const da3_mlp *m);
double da3_mlp_flops(const da3_mlp *m); /* per forward */
int da3_mlp_layers(const da3_mlp *m);
/* layer l's weights (dims[l] x dims[l+1], row-major) and bias (dims[l+1]) */
const float *da3_mlp_weights(const da3_mlp *m, int l);
const float *da3_mlp_bias(const da3_mlp *m, int l);
/* out: batch x dims[last]; threads: the BLAS threads to use */
int da3_mlp_forward(da3_mlp *m, const float *in, float *out, int threads);
/* The same forward in double for row `row` of the batch; largest |diff|
 * against out's row. */
double da3_mlp_check_row(const da3_mlp *m, const float *in, const float *out, int row);

/* ---- loaders ---- */
/* sim: sleeps io_ms, then fills the batch from its index (deterministic). */
int da3_pf_sim_fill(long batch, float *buf, size_t n, double io_ms);

/* jpeg: each batch's images (batch * size + r, modulo n) preprocessed and
 * average-pooled into `features` inputs per row. */
typedef struct da3_pf_jpeg da3_pf_jpeg;
da3_pf_jpeg *da3_pf_jpeg_new(const uint8_t *const *data, const size_t *len, int n, int batch,
                             int features, int loaders);
int da3_pf_jpeg_fill(da3_pf_jpeg *j, long batch, float *buf, int loader);
const char *da3_pf_jpeg_error(const da3_pf_jpeg *j, int loader);
void da3_pf_jpeg_free(da3_pf_jpeg *j);

#endif
