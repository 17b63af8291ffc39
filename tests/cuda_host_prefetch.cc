// prefetch_cuda.cu built against the CPU stand-in of the CUDA runtime
// (tests/cuda_fake), for test_cuda_host.
#include "../kernels/cuda/prefetch_cuda.cu"
