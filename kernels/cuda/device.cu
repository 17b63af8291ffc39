/*
 * device.cu - what GPU is there, and its fp32 peak measured: an FMA loop
 * with 8 independent chains per thread over enough blocks to fill every
 * SM, timed with CUDA events.
 */
#include "cuda_bench.h"
#include "check.cuh"

#include <cstring>
#include <dlfcn.h>

extern "C" int da3_cuda_built(void) { return 1; }

/* fp32 lanes per SM by architecture (the nominal figure only; the measured
 * peak is what the percentages use) */
static int fp32_lanes(int major, int minor)
{
    if (major == 8 && minor == 0)
        return 64; /* A100 */
    if (major >= 8)
        return 128; /* sm_86, sm_89, sm_90, sm_100, sm_120 */
    return 64;
}

extern "C" int da3_cuda_probe(da3_cuda_info *info, char *err, size_t errlen)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        /* the runtime says "driver version is insufficient" when there is
         * no driver at all: say which */
        void *drv = dlopen("libcuda.so.1", RTLD_LAZY);
        if (!drv)
            snprintf(err, errlen, "no NVIDIA driver on this machine (libcuda.so.1 not found)");
        else
            snprintf(err, errlen, "no usable CUDA device: %s (%s)", cudaGetErrorString(e),
                     cudaGetErrorName(e));
        if (drv)
            dlclose(drv);
        return DA3_EDEVICE;
    }
    if (n == 0) {
        snprintf(err, errlen, "no CUDA device");
        return DA3_EDEVICE;
    }
    memset(info, 0, sizeof *info);
    cudaDeviceProp p;
    DA3_CU(cudaGetDeviceProperties(&p, 0), err, errlen);
    int khz = 0;
    DA3_CU(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0), err, errlen);
    snprintf(info->name, sizeof info->name, "%.127s", p.name);
    info->sms = p.multiProcessorCount;
    info->cc_major = p.major, info->cc_minor = p.minor;
    info->mem_gib = (double)p.totalGlobalMem / (1024.0 * 1024 * 1024);
    info->clock_ghz = khz * 1e-6;
    info->nominal_gflops = 2.0 * info->sms * fp32_lanes(p.major, p.minor) * info->clock_ghz;
    cudaDriverGetVersion(&info->driver_version);
    cudaRuntimeGetVersion(&info->runtime_version);
    if (p.major < 8) {
        snprintf(err, errlen, "%s is compute capability %d.%d: the kernels need 8.0 or later",
                 p.name, p.major, p.minor);
        return DA3_EDEVICE;
    }
    return 0;
}

__global__ void fma_loop(float *out, int iters, float a, float b)
{
    float x[8];
    for (int i = 0; i < 8; i++)
        x[i] = threadIdx.x + i;
    for (int it = 0; it < iters; it++)
#pragma unroll
        for (int i = 0; i < 8; i++)
            x[i] = fmaf(x[i], a, b);
    float s = 0;
    for (int i = 0; i < 8; i++)
        s += x[i];
    if (s == 1234.5f) /* never: keeps the loop */
        out[0] = s;
}

/* The loop's buffer and events, made on first use and kept: a timed run
 * allocates nothing. */
static struct {
    float *out;
    cudaEvent_t t0, t1;
    int blocks;
} F;

static int fma_init(char *err, size_t errlen)
{
    if (F.out)
        return 0;
    da3_cuda_info info;
    if (da3_cuda_probe(&info, err, errlen))
        return DA3_EDEVICE;
    DA3_CU(cudaMalloc(&F.out, sizeof(float)), err, errlen);
    DA3_CU(cudaEventCreate(&F.t0), err, errlen);
    DA3_CU(cudaEventCreate(&F.t1), err, errlen);
    F.blocks = info.sms * 8;
    return 0;
}

#define FMA_THREADS 256
#define FMA_ITERS (1 << 16)

extern "C" int da3_cuda_fma_run(double *flops, double *ms, char *err, size_t errlen)
{
    if (fma_init(err, errlen))
        return DA3_EDEVICE;
    DA3_CU(cudaEventRecord(F.t0), err, errlen);
    fma_loop<<<F.blocks, FMA_THREADS>>>(F.out, FMA_ITERS, 0.999f, 0.001f);
    DA3_CU(cudaGetLastError(), err, errlen);
    DA3_CU(cudaEventRecord(F.t1), err, errlen);
    DA3_CU(cudaEventSynchronize(F.t1), err, errlen);
    float t = 0;
    DA3_CU(cudaEventElapsedTime(&t, F.t0, F.t1), err, errlen);
    *ms = t;
    *flops = 2.0 * 8 * (double)FMA_ITERS * FMA_THREADS * F.blocks;
    return 0;
}

extern "C" double da3_cuda_peak_gflops(int trials, char *err, size_t errlen)
{
    if (fma_init(err, errlen))
        return DA3_EDEVICE;
    fma_loop<<<F.blocks, FMA_THREADS>>>(F.out, 1024, 0.999f, 0.001f); /* warm up the clocks */
    double best = 0;
    for (int t = 0; t < (trials > 0 ? trials : 1); t++) {
        double flops, ms;
        if (da3_cuda_fma_run(&flops, &ms, err, errlen))
            return DA3_EDEVICE;
        best = flops / (ms * 1e-3) * 1e-9 > best ? flops / (ms * 1e-3) * 1e-9 : best;
    }
    return best;
}
