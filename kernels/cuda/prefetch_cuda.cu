/*
 * prefetch_cuda.cu - the seed's CUDA prefetch (torch.cuda.Stream) in CUDA C.
 *
 * The MLP runs on a compute stream: per layer one cuBLAS sgemm and a
 * bias + ReLU kernel, then a one-block reduction writes that batch's output
 * sum (a fixed order: the checksum is the same every run). Two device input
 * buffers alternate: batch b's copy (copy stream) waits for the compute
 * that last read its buffer (event `consumed`), and the compute waits for
 * the copy (event `copied`). The caller's host buffer is free again once
 * its copy is done, so the host returns to the queue while the GPU works.
 */
#include "check.cuh"
#include "cuda_bench.h"
#include "portable.cuh"

#include <cstdlib>
#include <cstring>

#define NDEV 2
#define MAX_LAYERS 8

struct da3_cuda_pf {
    int batch, ndims, dims[MAX_LAYERS + 1];
    float *w[MAX_LAYERS], *bias[MAX_LAYERS];
    float *in[NDEV], *act[2];
    double *sums;
    long max_batches;
    cudaStream_t copy, compute;
    cudaEvent_t copied[NDEV], consumed[NDEV], start, stop, t0, t1, t2;
    cublasHandle_t blas;
    int last_act; /* which act buffer holds the last output */
    char err[512];
};

extern "C" const char *da3_cuda_pf_error(const da3_cuda_pf *p) { return p->err; }

extern "C" void *da3_cuda_host_alloc(size_t bytes, void *ctx)
{
    (void)ctx;
    void *p = nullptr;
    return cudaHostAlloc(&p, bytes, cudaHostAllocDefault) == cudaSuccess ? p : nullptr;
}

extern "C" void da3_cuda_host_free(void *p, void *ctx)
{
    (void)ctx;
    if (p)
        cudaFreeHost(p);
}

extern "C" void da3_cuda_pf_free(da3_cuda_pf *p)
{
    if (!p)
        return;
    if (p->compute)
        cudaStreamSynchronize(p->compute);
    if (p->copy)
        cudaStreamSynchronize(p->copy);
    for (int l = 0; l < MAX_LAYERS; l++)
        cudaFree(p->w[l]), cudaFree(p->bias[l]);
    for (int i = 0; i < NDEV; i++) {
        cudaFree(p->in[i]);
        if (p->copied[i])
            cudaEventDestroy(p->copied[i]);
        if (p->consumed[i])
            cudaEventDestroy(p->consumed[i]);
    }
    cudaFree(p->act[0]), cudaFree(p->act[1]), cudaFree(p->sums);
    for (cudaEvent_t e : {p->start, p->stop, p->t0, p->t1, p->t2})
        if (e)
            cudaEventDestroy(e);
    if (p->blas)
        cublasDestroy(p->blas);
    if (p->copy)
        cudaStreamDestroy(p->copy);
    if (p->compute)
        cudaStreamDestroy(p->compute);
    free(p);
}

static int setup(da3_cuda_pf *p, const float *const *weights, const float *const *bias)
{
    char *e = p->err;
    const size_t el = sizeof p->err;
    int widest = 0;
    for (int l = 0; l < p->ndims; l++)
        widest = p->dims[l] > widest ? p->dims[l] : widest;
    for (int l = 0; l + 1 < p->ndims; l++) {
        const size_t wb = sizeof(float) * (size_t)p->dims[l] * p->dims[l + 1];
        const size_t bb = sizeof(float) * (size_t)p->dims[l + 1];
        DA3_CU(cudaMalloc(&p->w[l], wb), e, el);
        DA3_CU(cudaMalloc(&p->bias[l], bb), e, el);
        DA3_CU(cudaMemcpy(p->w[l], weights[l], wb, cudaMemcpyHostToDevice), e, el);
        DA3_CU(cudaMemcpy(p->bias[l], bias[l], bb, cudaMemcpyHostToDevice), e, el);
    }
    for (int i = 0; i < NDEV; i++) {
        DA3_CU(cudaMalloc(&p->in[i], sizeof(float) * (size_t)p->batch * p->dims[0]), e, el);
        DA3_CU(cudaEventCreateWithFlags(&p->copied[i], cudaEventDisableTiming), e, el);
        DA3_CU(cudaEventCreateWithFlags(&p->consumed[i], cudaEventDisableTiming), e, el);
    }
    for (int i = 0; i < 2; i++)
        DA3_CU(cudaMalloc(&p->act[i], sizeof(float) * (size_t)p->batch * widest), e, el);
    DA3_CU(cudaMalloc(&p->sums, sizeof(double) * (size_t)p->max_batches), e, el);
    for (cudaEvent_t *ev : {&p->start, &p->stop, &p->t0, &p->t1, &p->t2})
        DA3_CU(cudaEventCreate(ev), e, el);
    DA3_CU(cudaStreamCreateWithFlags(&p->copy, cudaStreamNonBlocking), e, el);
    DA3_CU(cudaStreamCreateWithFlags(&p->compute, cudaStreamNonBlocking), e, el);
    DA3_CUBLAS(cublasCreate(&p->blas), e, el);
    DA3_CUBLAS(cublasSetStream(p->blas, p->compute), e, el);
    DA3_CUBLAS(cublasSetMathMode(p->blas, CUBLAS_PEDANTIC_MATH), e, el);
    /* a pageable cudaMemcpy may return before its DMA lands, and the
     * streams here do not wait for the legacy stream: wait once */
    DA3_CU(cudaDeviceSynchronize(), e, el);
    return 0;
}

extern "C" da3_cuda_pf *da3_cuda_pf_new(int batch, const int *dims, int ndims,
                                        const float *const *weights, const float *const *bias,
                                        long max_batches, char *err, size_t errlen)
{
    if (batch < 1 || ndims < 2 || ndims > MAX_LAYERS + 1 || max_batches < 1) {
        snprintf(err, errlen, "prefetch on CUDA: batch %d, %d layers, %ld batches: out of range",
                 batch, ndims - 1, max_batches);
        return nullptr;
    }
    da3_cuda_pf *p = (da3_cuda_pf *)calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return nullptr;
    }
    p->batch = batch, p->ndims = ndims, p->max_batches = max_batches;
    memcpy(p->dims, dims, sizeof(int) * (size_t)ndims);
    if (setup(p, weights, bias)) {
        snprintf(err, errlen, "%s", p->err);
        da3_cuda_pf_free(p);
        return nullptr;
    }
    return p;
}

__global__ void bias_act(float *x, const float *bias, int rows, int cols, int relu)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long)rows * cols)
        return;
    const float y = x[i] + bias[i % cols];
    x[i] = relu && y < 0.f ? 0.f : y;
}

/* one block: the sum of n floats in a fixed order, into *out */
__global__ void sum_into(const float *x, long n, double *out)
{
    __shared__ double part[256];
    double s = 0;
    for (long i = threadIdx.x; i < n; i += 256)
        s += x[i];
    part[threadIdx.x] = s;
    __syncthreads();
    for (int w = 128; w > 0; w /= 2) {
        if ((int)threadIdx.x < w)
            part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        *out = part[0];
}

/* The MLP from `in` on the compute stream; the output lands in act[last_act]. */
static int mlp(da3_cuda_pf *p, const float *in, long batch)
{
    const float one = 1.f, zero = 0.f;
    const float *x = in;
    int cur = 0;
    for (int l = 0; l + 1 < p->ndims; l++) {
        const int k = p->dims[l], n = p->dims[l + 1], m = p->batch;
        /* row-major Y (m x n) = X (m x k) W (k x n): column-major Y^T = W^T X^T */
        DA3_CUBLAS(cublasSgemm(p->blas, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, p->w[l], n, x, k,
                               &zero, p->act[cur], n),
                   p->err, sizeof p->err);
        const long total = (long)m * n;
        DA3_LAUNCH(bias_act, (unsigned)((total + 255) / 256), 256, 0, p->compute, p->act[cur],
                   p->bias[l], m, n, (int)(l + 2 < p->ndims));
        x = p->act[cur];
        p->last_act = cur;
        cur ^= 1;
    }
    if (batch >= 0) {
        if (batch >= p->max_batches) {
            snprintf(p->err, sizeof p->err, "batch %ld past the %ld allocated", batch,
                     p->max_batches);
            return DA3_EDEVICE;
        }
        DA3_LAUNCH(sum_into, 1, 256, 0, p->compute, p->act[p->last_act],
                   (long)p->batch * p->dims[p->ndims - 1], p->sums + batch);
    }
    DA3_CU(cudaGetLastError(), p->err, sizeof p->err);
    return 0;
}

extern "C" int da3_cuda_pf_begin(da3_cuda_pf *p)
{
    DA3_CU(cudaStreamSynchronize(p->compute), p->err, sizeof p->err);
    DA3_CU(cudaMemsetAsync(p->sums, 0, sizeof(double) * (size_t)p->max_batches, p->compute),
           p->err, sizeof p->err);
    for (int i = 0; i < NDEV; i++) /* both device buffers free */
        DA3_CU(cudaEventRecord(p->consumed[i], p->compute), p->err, sizeof p->err);
    DA3_CU(cudaEventRecord(p->start, p->compute), p->err, sizeof p->err);
    return 0;
}

extern "C" int da3_cuda_pf_batch_sync(da3_cuda_pf *p, long batch, const float *in)
{
    const size_t bytes = sizeof(float) * (size_t)p->batch * p->dims[0];
    /* pageable: the driver stages the copy through its own pinned buffer;
     * on the compute stream, so the MLP is ordered after it (as
     * torch's .to("cuda") of an unpinned tensor) */
    DA3_CU(cudaMemcpyAsync(p->in[0], in, bytes, cudaMemcpyHostToDevice, p->compute), p->err,
           sizeof p->err);
    if (mlp(p, p->in[0], batch))
        return DA3_EDEVICE;
    DA3_CU(cudaStreamSynchronize(p->compute), p->err, sizeof p->err);
    return 0;
}

extern "C" int da3_cuda_pf_batch_async(da3_cuda_pf *p, long batch, const float *in_pinned)
{
    const size_t bytes = sizeof(float) * (size_t)p->batch * p->dims[0];
    const int slot = (int)(batch % NDEV);
    DA3_CU(cudaStreamWaitEvent(p->copy, p->consumed[slot], 0), p->err, sizeof p->err);
    DA3_CU(cudaMemcpyAsync(p->in[slot], in_pinned, bytes, cudaMemcpyHostToDevice, p->copy),
           p->err, sizeof p->err);
    DA3_CU(cudaEventRecord(p->copied[slot], p->copy), p->err, sizeof p->err);
    DA3_CU(cudaStreamWaitEvent(p->compute, p->copied[slot], 0), p->err, sizeof p->err);
    if (mlp(p, p->in[slot], batch))
        return DA3_EDEVICE;
    DA3_CU(cudaEventRecord(p->consumed[slot], p->compute), p->err, sizeof p->err);
    DA3_CU(cudaEventSynchronize(p->copied[slot]), p->err, sizeof p->err);
    return 0;
}

extern "C" int da3_cuda_pf_end(da3_cuda_pf *p, long batches, double *ms, double *checksum)
{
    if (batches > p->max_batches) {
        snprintf(p->err, sizeof p->err, "%ld batches past the %ld allocated", batches,
                 p->max_batches);
        return DA3_EDEVICE;
    }
    DA3_CU(cudaEventRecord(p->stop, p->compute), p->err, sizeof p->err);
    DA3_CU(cudaEventSynchronize(p->stop), p->err, sizeof p->err);
    float t = 0;
    DA3_CU(cudaEventElapsedTime(&t, p->start, p->stop), p->err, sizeof p->err);
    *ms = t;
    double *s = (double *)malloc(sizeof(double) * (size_t)(batches > 0 ? batches : 1));
    if (!s) {
        snprintf(p->err, sizeof p->err, "out of memory");
        return DA3_EDEVICE;
    }
    cudaError_t e =
        cudaMemcpy(s, p->sums, sizeof(double) * (size_t)batches, cudaMemcpyDeviceToHost);
    double c = 0;
    for (long b = 0; b < batches; b++)
        c += s[b];
    free(s);
    DA3_CU(e, p->err, sizeof p->err);
    *checksum = c;
    return 0;
}

extern "C" int da3_cuda_pf_stage_ms(da3_cuda_pf *p, const float *in_pinned, double *h2d_ms,
                                    double *mlp_ms)
{
    const size_t bytes = sizeof(float) * (size_t)p->batch * p->dims[0];
    DA3_CU(cudaStreamSynchronize(p->compute), p->err, sizeof p->err);
    DA3_CU(cudaEventRecord(p->t0, p->compute), p->err, sizeof p->err);
    DA3_CU(cudaMemcpyAsync(p->in[0], in_pinned, bytes, cudaMemcpyHostToDevice, p->compute),
           p->err, sizeof p->err);
    DA3_CU(cudaEventRecord(p->t1, p->compute), p->err, sizeof p->err);
    if (mlp(p, p->in[0], -1))
        return DA3_EDEVICE;
    DA3_CU(cudaEventRecord(p->t2, p->compute), p->err, sizeof p->err);
    DA3_CU(cudaEventSynchronize(p->t2), p->err, sizeof p->err);
    float a = 0, b = 0;
    DA3_CU(cudaEventElapsedTime(&a, p->t0, p->t1), p->err, sizeof p->err);
    DA3_CU(cudaEventElapsedTime(&b, p->t1, p->t2), p->err, sizeof p->err);
    *h2d_ms = a, *mlp_ms = b;
    return 0;
}

extern "C" int da3_cuda_pf_last_output(da3_cuda_pf *p, float *out)
{
    DA3_CU(cudaStreamSynchronize(p->compute), p->err, sizeof p->err);
    DA3_CU(cudaMemcpy(out, p->act[p->last_act],
                      sizeof(float) * (size_t)p->batch * p->dims[p->ndims - 1],
                      cudaMemcpyDeviceToHost),
           p->err, sizeof p->err);
    return 0;
}
