/*
 * attention_cuda.cu - the host side of the CUDA attention: device buffers,
 * the cuBLAS calls of the unfused paths, the launches of the fused kernels
 * (attention_kernels.cuh), and their timing with CUDA events.
 */
#include "attention_kernels.cuh"
#include "check.cuh"
#include "cuda_bench.h"

#include <cmath>
#include <cstdlib>

struct da3_cuda_attn {
    int b, h, n, d;
    int smem_optin; /* the largest dynamic shared memory a block may have */
    size_t len; /* floats in each of Q, K, V, O */
    float *q, *k, *v, *o, *s;
    cublasHandle_t blas[2]; /* fp32 (pedantic) and tf32 math, set once */
    cudaEvent_t t0, t1;
    char err[512];
};

extern "C" const char *da3_cuda_attn_error(const da3_cuda_attn *a) { return a->err; }

extern "C" void da3_cuda_attn_free(da3_cuda_attn *a)
{
    if (!a)
        return;
    cudaFree(a->q), cudaFree(a->k), cudaFree(a->v), cudaFree(a->o), cudaFree(a->s);
    for (int i = 0; i < 2; i++)
        if (a->blas[i])
            cublasDestroy(a->blas[i]);
    if (a->t0)
        cudaEventDestroy(a->t0);
    if (a->t1)
        cudaEventDestroy(a->t1);
    free(a);
}

/* Past 48 KiB, dynamic shared memory is opt-in per kernel. A variant that
 * needs more than this GPU allows is left out here and refused by name
 * when launched (smem_fits). */
template <class K> static int opt_in_one(da3_cuda_attn *a, K kernel, size_t bytes)
{
    if (bytes > 48 * 1024 && bytes <= (size_t)a->smem_optin)
        DA3_CU(
            cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes),
            a->err, sizeof a->err);
    return 0;
}

static int smem_fits(da3_cuda_attn *a, size_t bytes)
{
    if (bytes <= 48 * 1024 || bytes <= (size_t)a->smem_optin)
        return 1;
    snprintf(a->err, sizeof a->err, "D=%d: this kernel needs %zu KiB of shared memory a block; "
             "this GPU allows %d KiB", a->d, bytes / 1024, a->smem_optin / 1024);
    return 0;
}

template <int D> static int opt_in(da3_cuda_attn *a)
{
    return opt_in_one(a, flash_fp32<D, 64>, flash_fp32_smem_bytes<D, 64>()) ||
           opt_in_one(a, flash_fp32<D, 128>, flash_fp32_smem_bytes<D, 128>()) ||
           opt_in_one(a, flash_tf32<D, 4>, flash_tf32_smem_bytes<D>()) ||
           opt_in_one(a, flash_tf32<D, 8>, flash_tf32_smem_bytes<D>());
}

static int setup(da3_cuda_attn *a, const float *q, const float *k, const float *v, int scores)
{
    const size_t bytes = sizeof(float) * a->len;
    DA3_CU(cudaMalloc(&a->q, bytes), a->err, sizeof a->err);
    DA3_CU(cudaMalloc(&a->k, bytes), a->err, sizeof a->err);
    DA3_CU(cudaMalloc(&a->v, bytes), a->err, sizeof a->err);
    DA3_CU(cudaMalloc(&a->o, bytes), a->err, sizeof a->err);
    if (scores)
        DA3_CU(cudaMalloc(&a->s, da3_cuda_attn_extra_bytes(DA3_CUDA_NAIVE, a->b, a->h, a->n, a->d)),
               a->err, sizeof a->err);
    DA3_CU(cudaMemcpy(a->q, q, bytes, cudaMemcpyHostToDevice), a->err, sizeof a->err);
    DA3_CU(cudaMemcpy(a->k, k, bytes, cudaMemcpyHostToDevice), a->err, sizeof a->err);
    DA3_CU(cudaMemcpy(a->v, v, bytes, cudaMemcpyHostToDevice), a->err, sizeof a->err);
    for (int i = 0; i < 2; i++) {
        DA3_CUBLAS(cublasCreate(&a->blas[i]), a->err, sizeof a->err);
        DA3_CUBLAS(
            cublasSetMathMode(a->blas[i], i ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_PEDANTIC_MATH),
            a->err, sizeof a->err);
    }
    DA3_CU(cudaEventCreate(&a->t0), a->err, sizeof a->err);
    DA3_CU(cudaEventCreate(&a->t1), a->err, sizeof a->err);
    DA3_CU(cudaDeviceGetAttribute(&a->smem_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0),
           a->err, sizeof a->err);
    if (opt_in<32>(a) || opt_in<64>(a) || opt_in<128>(a))
        return DA3_EDEVICE;
    return 0;
}

extern "C" da3_cuda_attn *da3_cuda_attn_new(int b, int h, int n, int d, const float *q,
                                            const float *k, const float *v, int scores, char *err,
                                            size_t errlen)
{
    if (b < 1 || h < 1 || n < 1 || !da3_cuda_head_dim_ok(d)) {
        snprintf(err, errlen, "B=%d H=%d N=%d D=%d: the CUDA kernels take D = 32, 64 or 128", b,
                 h, n, d);
        return nullptr;
    }
    da3_cuda_attn *a = (da3_cuda_attn *)calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return nullptr;
    }
    a->b = b, a->h = h, a->n = n, a->d = d;
    a->len = (size_t)b * h * n * d;
    if (setup(a, q, k, v, scores)) {
        snprintf(err, errlen, "%s", a->err);
        da3_cuda_attn_free(a);
        return nullptr;
    }
    return a;
}

static int run_naive(da3_cuda_attn *a, bool tf32)
{
    if (!a->s) {
        snprintf(a->err, sizeof a->err, "the scores buffer was not allocated");
        return DA3_EDEVICE;
    }
    cublasHandle_t blas = a->blas[tf32 ? 1 : 0];
    const int n = a->n, d = a->d, bh = a->b * a->h;
    const long long sd = (long long)n * d, ss = (long long)n * n;
    const float scale = 1.f / std::sqrt((float)d), zero = 0.f, one = 1.f;
    /* row-major S = Q K^T is column-major S^T = K Q^T: K is D x N column-major */
    DA3_CUBLAS(cublasSgemmStridedBatched(blas, CUBLAS_OP_T, CUBLAS_OP_N, n, n, d, &scale, a->k,
                                         d, sd, a->q, d, sd, &zero, a->s, n, ss, bh),
               a->err, sizeof a->err);
    const long rows = (long)bh * n;
    DA3_LAUNCH(softmax_rows, (unsigned)((rows + 7) / 8), 256, 0, 0, a->s, rows, n);
    DA3_CU(cudaGetLastError(), a->err, sizeof a->err);
    /* row-major O = P V is column-major O^T = V^T P^T */
    DA3_CUBLAS(cublasSgemmStridedBatched(blas, CUBLAS_OP_N, CUBLAS_OP_N, d, n, n, &one, a->v, d,
                                         sd, a->s, n, ss, &zero, a->o, d, sd, bh),
               a->err, sizeof a->err);
    return 0;
}

template <int D> static int launch_flash(da3_cuda_attn *a, bool tf32, bool wide)
{
    const da3_attn_args args = {a->q, a->k, a->v, a->o, a->n,
                                (float)(1.4426950408889634 / std::sqrt((double)D))};
    const int br = wide ? 128 : 64;
    const dim3 grid((unsigned)((a->n + br - 1) / br), (unsigned)(a->b * a->h));
    /* through a pointer: a template's comma would split the macro's arguments */
    const size_t smem = tf32   ? flash_tf32_smem_bytes<D>()
                        : wide ? flash_fp32_smem_bytes<D, 128>()
                               : flash_fp32_smem_bytes<D, 64>();
    if (!smem_fits(a, smem))
        return DA3_EDEVICE;
    if (tf32) {
        auto k = wide ? flash_tf32<D, 8> : flash_tf32<D, 4>;
        DA3_LAUNCH(k, grid, wide ? 256 : 128, smem, 0, args);
    } else {
        auto k = wide ? flash_fp32<D, 128> : flash_fp32<D, 64>;
        DA3_LAUNCH(k, grid, br, smem, 0, args);
    }
    return 0;
}

static int run_flash(da3_cuda_attn *a, bool tf32, bool wide)
{
    int rc = 0;
    switch (a->d) {
    case 32: rc = launch_flash<32>(a, tf32, wide); break;
    case 64: rc = launch_flash<64>(a, tf32, wide); break;
    case 128: rc = launch_flash<128>(a, tf32, wide); break;
    }
    if (rc)
        return rc;
    DA3_CU(cudaGetLastError(), a->err, sizeof a->err);
    return 0;
}

extern "C" int da3_cuda_attn_run(da3_cuda_attn *a, int impl, double *ms)
{
    DA3_CU(cudaEventRecord(a->t0), a->err, sizeof a->err);
    int rc;
    switch (impl) {
    case DA3_CUDA_NAIVE: rc = run_naive(a, false); break;
    case DA3_CUDA_NAIVE_TF32: rc = run_naive(a, true); break;
    case DA3_CUDA_FLASH: rc = run_flash(a, false, false); break;
    case DA3_CUDA_FLASH_TF32: rc = run_flash(a, true, false); break;
    case DA3_CUDA_FLASH_BR128: rc = run_flash(a, false, true); break;
    case DA3_CUDA_FLASH_TF32_BR128: rc = run_flash(a, true, true); break;
    default: snprintf(a->err, sizeof a->err, "unknown implementation %d", impl); return DA3_EIMPL;
    }
    if (rc)
        return rc;
    DA3_CU(cudaEventRecord(a->t1), a->err, sizeof a->err);
    DA3_CU(cudaEventSynchronize(a->t1), a->err, sizeof a->err);
    float t = 0;
    DA3_CU(cudaEventElapsedTime(&t, a->t0, a->t1), a->err, sizeof a->err);
    *ms = t;
    return 0;
}

extern "C" int da3_cuda_attn_download(da3_cuda_attn *a, float *o)
{
    DA3_CU(cudaMemcpy(o, a->o, sizeof(float) * a->len, cudaMemcpyDeviceToHost), a->err,
           sizeof a->err);
    return 0;
}
