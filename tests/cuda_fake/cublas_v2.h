/*
 * cublas_v2.h (fake) - cublasSgemm and cublasSgemmStridedBatched as the
 * cuBLAS documentation defines them (column-major C = alpha op(A) op(B) +
 * beta C, leading dimensions lda/ldb/ldc), run in double on the handle's
 * stream. The math mode is recorded, not emulated (tf32 rounding is not).
 */
#ifndef DA3_FAKE_CUBLAS_V2_H
#define DA3_FAKE_CUBLAS_V2_H

#include "cuda_runtime.h"

enum cublasStatus_t { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_INVALID_VALUE = 7 };
enum cublasOperation_t { CUBLAS_OP_N, CUBLAS_OP_T };
enum cublasMath_t { CUBLAS_DEFAULT_MATH, CUBLAS_PEDANTIC_MATH, CUBLAS_TF32_TENSOR_OP_MATH };

struct fake_cublas {
    cudaStream_t stream = nullptr;
    cublasMath_t math = CUBLAS_DEFAULT_MATH;
};
typedef fake_cublas *cublasHandle_t;

inline const char *cublasGetStatusString(cublasStatus_t s)
{
    return s ? "invalid value" : "success";
}
inline cublasStatus_t cublasCreate(cublasHandle_t *h)
{
    *h = new fake_cublas;
    return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasDestroy(cublasHandle_t h)
{
    delete h;
    return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasSetStream(cublasHandle_t h, cudaStream_t s)
{
    h->stream = s;
    return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t m)
{
    h->math = m;
    return CUBLAS_STATUS_SUCCESS;
}

inline void fake_gemm(cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, float alpha,
                      const float *A, int lda, const float *B, int ldb, float beta, float *C,
                      int ldc)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int p = 0; p < k; p++) {
                const double a =
                    ta == CUBLAS_OP_N ? A[i + (size_t)p * lda] : A[p + (size_t)i * lda];
                const double b =
                    tb == CUBLAS_OP_N ? B[p + (size_t)j * ldb] : B[j + (size_t)p * ldb];
                s += a * b;
            }
            float &c = C[i + (size_t)j * ldc];
            c = (float)(alpha * s + (beta != 0.f ? beta * c : 0.0));
        }
}

inline bool fake_dims_ok(cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, int lda,
                         int ldb, int ldc)
{
    return m >= 0 && n >= 0 && k >= 0 && lda >= (ta == CUBLAS_OP_N ? m : k) &&
           ldb >= (tb == CUBLAS_OP_N ? k : n) && ldc >= m && lda > 0 && ldb > 0 && ldc > 0;
}

inline cublasStatus_t cublasSgemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb,
                                  int m, int n, int k, const float *alpha, const float *A, int lda,
                                  const float *B, int ldb, const float *beta, float *C, int ldc)
{
    if (!fake_dims_ok(ta, tb, m, n, k, lda, ldb, ldc))
        return CUBLAS_STATUS_INVALID_VALUE;
    const float al = *alpha, be = *beta;
    fake_resolve(h->stream).push(
        [=] { fake_gemm(ta, tb, m, n, k, al, A, lda, B, ldb, be, C, ldc); });
    return CUBLAS_STATUS_SUCCESS;
}

inline cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, cublasOperation_t ta,
                                                cublasOperation_t tb, int m, int n, int k,
                                                const float *alpha, const float *A, int lda,
                                                long long sa, const float *B, int ldb,
                                                long long sb, const float *beta, float *C, int ldc,
                                                long long sc, int batches)
{
    if (!fake_dims_ok(ta, tb, m, n, k, lda, ldb, ldc) || batches < 0)
        return CUBLAS_STATUS_INVALID_VALUE;
    const float al = *alpha, be = *beta;
    fake_resolve(h->stream).push([=] {
        for (int i = 0; i < batches; i++)
            fake_gemm(ta, tb, m, n, k, al, A + i * sa, lda, B + i * sb, ldb, be, C + i * sc, ldc);
    });
    return CUBLAS_STATUS_SUCCESS;
}

#endif
