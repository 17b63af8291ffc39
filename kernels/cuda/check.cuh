/* check.cuh - CUDA and cuBLAS calls that fail write one line and return -1 */
#ifndef DA3_CUDA_CHECK_CUH
#define DA3_CUDA_CHECK_CUH

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cstdio>

#define DA3_CU(call, buf, len)                                                                  \
    do {                                                                                        \
        cudaError_t e_ = (call);                                                                \
        if (e_ != cudaSuccess) {                                                                \
            snprintf((buf), (len), "%s: %s (%s)", #call, cudaGetErrorString(e_),                \
                     cudaGetErrorName(e_));                                                     \
            return -1;                                                                          \
        }                                                                                       \
    } while (0)

#define DA3_CUBLAS(call, buf, len)                                                              \
    do {                                                                                        \
        cublasStatus_t s_ = (call);                                                             \
        if (s_ != CUBLAS_STATUS_SUCCESS) {                                                      \
            snprintf((buf), (len), "%s: %s", #call, cublasGetStatusString(s_));                 \
            return -1;                                                                          \
        }                                                                                       \
    } while (0)

#endif
