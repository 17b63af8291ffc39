/*
 * cuda_none.c - the CUDA functions in a build without nvcc: each says so.
 */
#include "cuda_bench.h"

#include <stdio.h>

#define WHY "built without CUDA (no nvcc when meson ran; -Dcuda=enabled requires it)"

int da3_cuda_built(void) { return 0; }

int da3_cuda_probe(da3_cuda_info *info, char *err, size_t errlen)
{
    (void)info;
    snprintf(err, errlen, WHY);
    return DA3_EUNAVAIL;
}

double da3_cuda_peak_gflops(int trials, char *err, size_t errlen)
{
    (void)trials;
    snprintf(err, errlen, WHY);
    return DA3_EUNAVAIL;
}

int da3_cuda_fma_run(double *flops, double *ms, char *err, size_t errlen)
{
    (void)flops, (void)ms;
    snprintf(err, errlen, WHY);
    return DA3_EUNAVAIL;
}

da3_cuda_attn *da3_cuda_attn_new(int b, int h, int n, int d, const float *q, const float *k,
                                 const float *v, int scores, char *err, size_t errlen)
{
    (void)b, (void)h, (void)n, (void)d, (void)q, (void)k, (void)v, (void)scores;
    snprintf(err, errlen, WHY);
    return NULL;
}

int da3_cuda_attn_run(da3_cuda_attn *a, int impl, double *ms)
{
    (void)a, (void)impl, (void)ms;
    return DA3_EUNAVAIL;
}

int da3_cuda_attn_download(da3_cuda_attn *a, float *o)
{
    (void)a, (void)o;
    return DA3_EUNAVAIL;
}

const char *da3_cuda_attn_error(const da3_cuda_attn *a)
{
    (void)a;
    return WHY;
}

void da3_cuda_attn_free(da3_cuda_attn *a) { (void)a; }

da3_cuda_pf *da3_cuda_pf_new(int batch, const int *dims, int ndims, const float *const *weights,
                             const float *const *bias, long max_batches, char *err, size_t errlen)
{
    (void)batch, (void)dims, (void)ndims, (void)weights, (void)bias, (void)max_batches;
    snprintf(err, errlen, WHY);
    return NULL;
}

void *da3_cuda_host_alloc(size_t bytes, void *ctx)
{
    (void)bytes, (void)ctx;
    return NULL;
}

void da3_cuda_host_free(void *p, void *ctx) { (void)p, (void)ctx; }

int da3_cuda_pf_begin(da3_cuda_pf *p)
{
    (void)p;
    return DA3_EUNAVAIL;
}

int da3_cuda_pf_batch_sync(da3_cuda_pf *p, long batch, const float *in)
{
    (void)p, (void)batch, (void)in;
    return DA3_EUNAVAIL;
}

int da3_cuda_pf_batch_async(da3_cuda_pf *p, long batch, const float *in_pinned)
{
    (void)p, (void)batch, (void)in_pinned;
    return DA3_EUNAVAIL;
}

int da3_cuda_pf_end(da3_cuda_pf *p, long batches, double *ms, double *checksum)
{
    (void)p, (void)batches, (void)ms, (void)checksum;
    return DA3_EUNAVAIL;
}

int da3_cuda_pf_stage_ms(da3_cuda_pf *p, const float *in_pinned, double *h2d_ms, double *mlp_ms)
{
    (void)p, (void)in_pinned, (void)h2d_ms, (void)mlp_ms;
    return DA3_EUNAVAIL;
}

int da3_cuda_pf_last_output(da3_cuda_pf *p, float *out)
{
    (void)p, (void)out;
    return DA3_EUNAVAIL;
}

const char *da3_cuda_pf_error(const da3_cuda_pf *p)
{
    (void)p;
    return WHY;
}

void da3_cuda_pf_free(da3_cuda_pf *p) { (void)p; }
