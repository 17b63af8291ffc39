/*
 * cuda_common.c - the parts of cuda_bench.h that need no GPU: names, the
 * head dims the kernels take, the device memory each path needs.
 */
#include "cuda_bench.h"

#include <string.h>

static const char *const impl_names[DA3_CUDA_NIMPL] = {
    "naive", "naive_tf32", "flash", "flash_tf32", "flash_br128", "flash_tf32_br128"};

const char *da3_cuda_impl_name(int impl)
{
    return impl >= 0 && impl < DA3_CUDA_NIMPL ? impl_names[impl] : "?";
}

int da3_cuda_impl_parse(const char *name)
{
    for (int i = 0; i < DA3_CUDA_NIMPL; i++)
        if (!strcmp(name, impl_names[i]))
            return i;
    return -1;
}

int da3_cuda_head_dim_ok(int d) { return d == 32 || d == 64 || d == 128; }

size_t da3_cuda_attn_extra_bytes(int impl, int b, int h, int n, int d)
{
    (void)d;
    if (impl == DA3_CUDA_NAIVE || impl == DA3_CUDA_NAIVE_TF32)
        return sizeof(float) * (size_t)b * (size_t)h * (size_t)n * (size_t)n;
    return 0; /* the fused kernels keep their tiles in shared memory */
}
