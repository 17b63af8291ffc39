#include "attention.h"

#include "cpu.h"

size_t da3_attn_flash_ws_floats(int d);

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const impl_names[DA3_ATTN_NIMPL] = {"naive", "fused", "flash", "blas"};

size_t da3_attn_flash_ws_floats(int d)
{
    size_t f = 2 * (size_t)d * DA3_ATTN_FLASH_BR + (size_t)DA3_ATTN_FLASH_BC * 48 +
               3 * (size_t)DA3_ATTN_FLASH_BR;
    return (f + 15) & ~(size_t)15;
}

const char *da3_attn_impl_name(da3_attn_impl impl)
{
    return (unsigned)impl < DA3_ATTN_NIMPL ? impl_names[impl] : "?";
}

int da3_attn_impl_parse(const char *name)
{
    for (int i = 0; i < DA3_ATTN_NIMPL; i++)
        if (name && strcmp(name, impl_names[i]) == 0)
            return i;
    return DA3_EIMPL;
}

int da3_attn_check_shape(const da3_attn_shape *s)
{
    if (!s || s->b < 1 || s->h < 1 || s->n < 1 || s->d < 1)
        return DA3_ESHAPE;
    if (s->d % 16 || s->d < DA3_ATTN_DMIN || s->d > DA3_ATTN_DMAX)
        return DA3_EHEADDIM;
    /* B*H*N*N floats must be countable in bytes: naive's scores. */
    double nn = (double)s->b * s->h * (double)s->n * s->n * sizeof(float);
    if (nn > (double)(SIZE_MAX / 4))
        return DA3_ESHAPE;
    return 0;
}

size_t da3_attn_workspace_bytes(da3_attn_impl impl, const da3_attn_shape *s, int threads)
{
    if (da3_attn_check_shape(s) || threads < 1)
        return 0;
    const size_t n = (size_t)s->n;
    switch (impl) {
    case DA3_ATTN_NAIVE:
    case DA3_ATTN_FUSED:
        return (size_t)s->b * s->h * n * n * sizeof(float) + DA3_ATTN_WS_ALIGN;
    case DA3_ATTN_BLAS:
        return (size_t)threads * n * n * sizeof(float) + DA3_ATTN_WS_ALIGN;
    case DA3_ATTN_FLASH:
        return (size_t)threads * da3_attn_flash_ws_floats(s->d) * sizeof(float) +
               DA3_ATTN_WS_ALIGN;
    default:
        return 0;
    }
}

void da3_attn_dsp_init(da3_attn_fns *dsp, unsigned mask)
{
    *dsp = da3_attn_fns_scalar;
#ifdef DA3_HAVE_X86_ISAS
    if (mask & DA3_ISA_BIT(DA3_ISA_AVX2))
        *dsp = da3_attn_fns_avx2;
    if (mask & DA3_ISA_BIT(DA3_ISA_AVX512))
        *dsp = da3_attn_fns_avx512;
#endif
#ifdef DA3_HAVE_NEON_ISA
    if (mask & DA3_ISA_BIT(DA3_ISA_NEON))
        *dsp = da3_attn_fns_neon;
#endif
}

int da3_attn_run(da3_attn_impl impl, const da3_attn_shape *s, const float *q, const float *k,
                 const float *v, float *o, void *ws, size_t ws_bytes, int threads)
{
    int rc = da3_attn_check_shape(s);
    if (rc)
        return rc;
    if ((unsigned)impl >= DA3_ATTN_NIMPL)
        return DA3_EIMPL;
    if (threads < 1)
        return DA3_ETHREADS;
    if (!ws || ws_bytes < da3_attn_workspace_bytes(impl, s, threads))
        return DA3_ENOMEM;
    /* the kernels' tiles are read as whole vectors: start them on a cache
     * line, whatever the caller's allocator gave (numpy's: 16 bytes) */
    const uintptr_t mis = (uintptr_t)ws % DA3_ATTN_WS_ALIGN;
    float *aligned = (float *)((char *)ws + (mis ? DA3_ATTN_WS_ALIGN - mis : 0));
    da3_attn_fns f;
    da3_attn_dsp_init(&f, da3_cpu_isa_mask());
    const da3_attn_fn fn[DA3_ATTN_NIMPL] = {f.naive, f.fused, f.flash, f.blas};
    return fn[impl](s, q, k, v, o, aligned, threads);
}

/* One output row in double precision, the textbook way. */
static void ref_row(const float *qi, const float *k, const float *v, int n, int d, double *p,
                    double *out)
{
    const double scale = 1.0 / sqrt((double)d);
    double mx = -INFINITY;
    for (int j = 0; j < n; j++) {
        double acc = 0;
        for (int e = 0; e < d; e++)
            acc += (double)qi[e] * k[(size_t)j * d + e];
        p[j] = acc * scale;
        mx = p[j] > mx ? p[j] : mx;
    }
    double sum = 0;
    for (int j = 0; j < n; j++)
        sum += p[j] = exp(p[j] - mx);
    for (int e = 0; e < d; e++)
        out[e] = 0;
    for (int j = 0; j < n; j++)
        for (int e = 0; e < d; e++)
            out[e] += p[j] / sum * v[(size_t)j * d + e];
}

double da3_attn_max_err(const da3_attn_shape *s, const float *q, const float *k, const float *v,
                        const float *o, int rows)
{
    if (da3_attn_check_shape(s))
        return NAN;
    const int n = s->n, d = s->d;
    if (rows <= 0 || rows > n)
        rows = n;
    double *p = malloc(sizeof(double) * (size_t)(n + d));
    if (!p)
        return NAN;
    double err = 0;
    for (size_t bh = 0; bh < (size_t)s->b * s->h; bh++) {
        const size_t off = bh * (size_t)n * d;
        for (int r = 0; r < rows; r++) {
            const int i = rows == 1 ? 0 : (int)((long)r * (n - 1) / (rows - 1));
            ref_row(q + off + (size_t)i * d, k + off, v + off, n, d, p, p + n);
            for (int e = 0; e < d; e++) {
                double diff = fabs(p[n + e] - (double)o[off + (size_t)i * d + e]);
                if (!(diff <= err)) /* NaN sticks */
                    err = diff;
            }
        }
    }
    free(p);
    return err;
}

/* ---- bf16 (attention_bf16.c) ---- */

size_t da3_attn_bf16_workspace_bytes(const da3_attn_shape *s, int threads)
{
    if (da3_attn_check_shape(s) || threads < 1)
        return 0;
#ifdef DA3_HAVE_BF16_LOOP
    return da3_attn_bf16_kernel_ws(s, threads);
#else
    return 64; /* nothing runs: da3_attn_run_bf16 says the unit is missing */
#endif
}

int da3_attn_run_bf16(const da3_attn_shape *s, const uint16_t *q, const uint16_t *k,
                      const uint16_t *v, float *o, void *ws, size_t ws_bytes, int threads)
{
    int rc = da3_attn_check_shape(s);
    if (rc)
        return rc;
    if (threads < 1)
        return DA3_ETHREADS;
    if (da3_cpu_bf16_missing())
        return DA3_EUNAVAIL;
    if (!ws || ws_bytes < da3_attn_bf16_workspace_bytes(s, threads))
        return DA3_ENOMEM;
#ifdef DA3_HAVE_BF16_LOOP
    return da3_attn_flash_bf16_kernel(s, q, k, v, o, ws, threads);
#else
    (void)q, (void)k, (void)v, (void)o;
    return DA3_EUNAVAIL;
#endif
}

void da3_bf16_round(const float *x, uint16_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], 4);
        if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN: keep it one */
            y[i] = (uint16_t)((u >> 16) | 0x40);
        else
            y[i] = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
    }
}

void da3_bf16_widen(const uint16_t *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const uint32_t u = (uint32_t)x[i] << 16;
        memcpy(&y[i], &u, 4);
    }
}

double da3_attn_bf16_tolerance(const uint16_t *v, size_t n)
{
    float mx = 0;
    for (size_t i = 0; i < n; i++) {
        float f;
        da3_bf16_widen(&v[i], &f, 1);
        mx = fmaxf(mx, fabsf(f));
    }
    return 2.0 * ldexp(1.0, -9) * mx + 1e-5;
}
