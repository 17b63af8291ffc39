/*
 * test_cuda_host - the host side of the CUDA code (attention_cuda.cu,
 * prefetch_cuda.cu) run against tests/cuda_fake: a CPU stand-in for the
 * CUDA runtime and cuBLAS whose streams are concurrent threads, whose
 * asynchronous copies are late, and whose pageable copies land after they
 * return, as the runtime documents. Checked: the cuBLAS calls of the
 * unfused path (transposes, leading dimensions, strides), every launch's
 * grid and shared memory, and the prefetch pipeline's ordering: the
 * sequential (pageable) and the pipelined (pinned, two streams, events)
 * runs give the same per-batch sums as the CPU's MLP, and the MLP's output
 * matches the CPU double forward.
 */
#include <cuda_runtime.h>

extern "C" {
#include "attention.h"
#include "prefetch.h"
}
#include "cuda_bench.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "check.h"


static void fill(std::vector<float> &x, size_t n, unsigned seed)
{
    x.resize(n);
    unsigned s = seed * 2654435761u + 1;
    for (auto &e : x) {
        s = s * 1664525u + 1013904223u;
        e = (float)((s >> 8) / 16777216.0 * 2 - 1);
    }
}

static void check_attention(int b, int h, int n, int d)
{
    const size_t len = (size_t)b * h * n * d;
    std::vector<float> q, k, v, o(len);
    fill(q, len, 1), fill(k, len, 2), fill(v, len, 3);
    char err[512];
    da3_cuda_attn *a =
        da3_cuda_attn_new(b, h, n, d, q.data(), k.data(), v.data(), 1, err, sizeof err);
    CHECK(a, "attn_new B%d H%d N%d D%d: %s", b, h, n, d, err);
    if (!a)
        return;
    const da3_attn_shape s = {b, h, n, d};
    for (int impl = 0; impl < DA3_CUDA_NIMPL; impl++) {
        std::fill(o.begin(), o.end(), NAN);
        double ms = -1;
        const int rc = da3_cuda_attn_run(a, impl, &ms);
        CHECK(rc == 0 && ms >= 0, "%s run: %s", da3_cuda_impl_name(impl), da3_cuda_attn_error(a));
        CHECK(da3_cuda_attn_download(a, o.data()) == 0, "download");
        const double e = da3_attn_max_err(&s, q.data(), k.data(), v.data(), o.data(), 0);
        const double tol =
            impl == DA3_CUDA_FLASH_TF32 || impl == DA3_CUDA_FLASH_TF32_BR128 ? 4e-3 : 1e-5;
        CHECK(e <= tol, "%s B%d H%d N%d D%d: max_abs_err %.3g > %.0e", da3_cuda_impl_name(impl), b,
              h, n, d, e, tol);
        printf("%-10s B%d H%d N%-3d D%-3d max_abs_err %.3g\n", da3_cuda_impl_name(impl), b, h, n,
               d, e);
    }
    da3_cuda_attn_free(a);
}

/* the pipeline's sources and sinks */
static da3_cuda_pf *g_pf;
static size_t g_in;

static int load(void *, long batch, float *buf, int)
{
    return da3_pf_sim_fill(batch, buf, g_in, 0);
}
static int comp_sync(void *, long batch, const float *buf)
{
    return da3_cuda_pf_batch_sync(g_pf, batch, buf);
}
static int comp_async(void *, long batch, const float *buf)
{
    return da3_cuda_pf_batch_async(g_pf, batch, buf);
}

static void check_prefetch()
{
    static const int dims[] = {64, 128, 96, 16};
    const int batch = 4, batches = 8;
    da3_mlp *m = da3_mlp_new(batch, dims, 4, 7);
    const float *w[3], *bias[3];
    for (int l = 0; l < 3; l++)
        w[l] = da3_mlp_weights(m, l), bias[l] = da3_mlp_bias(m, l);
    char err[512];
    g_pf = da3_cuda_pf_new(batch, dims, 4, w, bias, batches, err, sizeof err);
    CHECK(g_pf, "pf_new: %s", err);
    if (!g_pf)
        return;
    g_in = (size_t)batch * dims[0];

    /* the MLP against the CPU double forward, and its stage times */
    std::vector<float> in(g_in), out((size_t)batch * dims[3]);
    da3_pf_sim_fill(3, in.data(), g_in, 0);
    float *pinned = (float *)da3_cuda_host_alloc(sizeof(float) * g_in, nullptr);
    std::copy(in.begin(), in.end(), pinned);
    double h2d = -1, mlp = -1;
    CHECK(da3_cuda_pf_stage_ms(g_pf, pinned, &h2d, &mlp) == 0 && h2d >= 0 && mlp >= 0,
          "stage_ms: %s", da3_cuda_pf_error(g_pf));
    CHECK(da3_cuda_pf_last_output(g_pf, out.data()) == 0, "last_output");
    double e = 0;
    for (int r = 0; r < batch; r++)
        e = std::max(e, da3_mlp_check_row(m, in.data(), out.data(), r));
    CHECK(e < 1e-4, "MLP against the double forward: %.3g", e);
    da3_cuda_host_free(pinned, nullptr);

    /* the CPU's checksum: the sum of every batch's output */
    double cpu = 0;
    for (long b = 0; b < batches; b++) {
        da3_pf_sim_fill(b, in.data(), g_in, 0);
        da3_mlp_forward(m, in.data(), out.data(), 1);
        for (float x : out)
            cpu += x;
    }
    /* sequential (pageable), pipelined (pinned, depth 2, one loader),
     * pipelined with two loader threads (depth 3) */
    static const int depths[3] = {0, 2, 3}, loaders[3] = {1, 1, 2};
    static const char *const what[3] = {"sequential", "pipelined", "2 loaders"};
    double sums[3] = {0, 0, 0};
    for (int mode = 0; mode < 3; mode++) {
        da3_pf_config c = {};
        c.batches = batches, c.depth = depths[mode], c.loaders = loaders[mode],
        c.batch_floats = g_in;
        if (mode)
            c.alloc = da3_cuda_host_alloc, c.release = da3_cuda_host_free;
        da3_pf_stats st = {};
        double ms = -1;
        int rc = da3_cuda_pf_begin(g_pf);
        if (!rc)
            rc = da3_pf_run(&c, load, mode ? comp_async : comp_sync, nullptr, &st);
        if (!rc)
            rc = da3_cuda_pf_end(g_pf, batches, &ms, &sums[mode]);
        CHECK(rc == 0 && ms >= 0, "%s run: rc %d (%s)", what[mode], rc, da3_cuda_pf_error(g_pf));
        const double rel = std::fabs(sums[mode] - cpu) / std::max(1.0, std::fabs(cpu));
        CHECK(rel < 1e-5, "%s checksum %.9g, CPU %.9g", what[mode], sums[mode], cpu);
        printf("prefetch %-10s checksum %.9g (CPU %.9g)\n", what[mode], sums[mode], cpu);
    }
    CHECK(sums[0] == sums[1] && sums[0] == sums[2],
          "sequential and pipelined checksums equal: %.17g %.17g %.17g", sums[0], sums[1], sums[2]);
    double ms, sum;
    CHECK(da3_cuda_pf_end(g_pf, batches + 1, &ms, &sum) != 0,
          "more batches than allocated refused");
    da3_cuda_pf_free(g_pf);
    da3_mlp_free(m);
}

int main()
{
    check_attention(1, 2, 100, 64);
    check_attention(2, 1, 64, 32);
    check_attention(1, 1, 70, 128);
    char err[256];
    CHECK(!da3_cuda_attn_new(1, 1, 8, 48, nullptr, nullptr, nullptr, 0, err, sizeof err) &&
              std::string(err).find("D = 32, 64 or 128") != std::string::npos,
          "D=48 refused by name: %s", err);
    /* a GPU with 99 KiB a block (sm_86/89): D=128's 128-query fp32 kernel
     * (128 KiB) does not fit; the rest still runs, and that one says why */
    fake_smem_optin = 99 * 1024;
    {
        std::vector<float> x;
        fill(x, 64 * 128, 5);
        da3_cuda_attn *a = da3_cuda_attn_new(1, 1, 64, 128, x.data(), x.data(), x.data(), 0, err,
                                             sizeof err);
        double ms;
        CHECK(a && da3_cuda_attn_run(a, DA3_CUDA_FLASH, &ms) == 0,
              "D=128 fp32 (96 KiB) runs with 99 KiB a block");
        CHECK(a && da3_cuda_attn_run(a, DA3_CUDA_FLASH_BR128, &ms) != 0 &&
                  std::string(da3_cuda_attn_error(a)).find("needs 128 KiB") != std::string::npos &&
                  std::string(da3_cuda_attn_error(a)).find("allows 99 KiB") != std::string::npos,
              "D=128 flash_br128 (128 KiB) refused by name: %s", a ? da3_cuda_attn_error(a) : err);
        da3_cuda_attn_free(a);
    }
    fake_smem_optin = 227 * 1024;
    check_prefetch();
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
