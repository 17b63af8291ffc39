/*
 * The cuda suite's prefetch half: the seed's MLP on the GPU fed through the
 * prefetch queue (kernels/prefetch), with pageable buffers and synchronous
 * copies at depth 0, pinned buffers and async copies on a copy stream at
 * depth k (kernels/cuda/prefetch_cuda.cu). Per case: the MLP checked
 * against the CPU's double forward, the H2D copy and the MLP of one batch
 * timed alone (events), then whole runs timed with events; the checksum
 * must equal the sequential run's.
 */
#include "cuda_bench.h"
#include "pf_images.h"
#include "prefetch.h"
#include "stats.h"
#include "suite_cuda.h"
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* the prefetch state of the current (batch, batches); the loaders and
 * compute get it as their ctx */
struct da3_cuda_pf_state {
    int batch, batches;
    da3_mlp *mlp;
    da3_cuda_pf *dev;
    double io_ms;
    da3_pf_images images;
    da3_pf_jpeg *jpeg;
    int jpeg_batch, jpeg_loaders;
    double checksum[DA3_CUDA_MAX_CASES], t_seq[DA3_CUDA_MAX_CASES];
    int have[DA3_CUDA_MAX_CASES];
};
typedef da3_cuda_pf_state cuda_pf_state;

cuda_pf_state *da3_cuda_prefetch_new(void) { return calloc(1, sizeof(cuda_pf_state)); }

void da3_cuda_prefetch_free(cuda_pf_state *P)
{
    if (!P)
        return;
    da3_cuda_pf_free(P->dev);
    da3_mlp_free(P->mlp);
    da3_pf_jpeg_free(P->jpeg);
    da3_pf_images_free(&P->images);
    free(P);
}

static int sim_load(void *ctx, long batch, float *buf, int loader)
{
    const cuda_pf_state *s = ctx;
    (void)loader;
    return da3_pf_sim_fill(batch, buf, (size_t)s->batch * da3_pf_mlp_dims[0], s->io_ms);
}

static int jpeg_load(void *ctx, long batch, float *buf, int loader)
{
    const cuda_pf_state *s = ctx;
    return da3_pf_jpeg_fill(s->jpeg, batch, buf, loader);
}

static int compute_sync(void *ctx, long batch, const float *buf)
{
    const cuda_pf_state *s = ctx;
    return da3_cuda_pf_batch_sync(s->dev, batch, buf);
}

static int compute_async(void *ctx, long batch, const float *buf)
{
    const cuda_pf_state *s = ctx;
    return da3_cuda_pf_batch_async(s->dev, batch, buf);
}

/* the jpeg loader: DA3's preprocessing of fixture JPEGs, pooled into the
 * MLP's inputs, on `loaders` threads (as the CPU prefetch suite's) */
static int jpeg_prepare(const cuda_case *c, char *err, size_t errlen)
{
    cuda_pf_state *P = c->pf;
    if (P->jpeg && P->jpeg_batch == c->batch && P->jpeg_loaders >= c->loaders)
        return 0;
    da3_pf_jpeg_free(P->jpeg);
    P->jpeg = NULL;
    char e[512];
    if (da3_pf_images_load(&P->images, 16, c->fixtures, e, sizeof e)) {
        snprintf(err, errlen, "fixtures: %s", e);
        return -1;
    }
    P->jpeg = da3_pf_jpeg_new((const uint8_t *const *)P->images.data, P->images.len, P->images.n,
                             c->batch, da3_pf_mlp_dims[0], c->loaders);
    if (!P->jpeg) {
        snprintf(err, errlen, "out of memory for the jpeg loader");
        return -1;
    }
    P->jpeg_batch = c->batch, P->jpeg_loaders = c->loaders;
    return 0;
}

static int pf_prepare(const cuda_case *c, char *err, size_t errlen)
{
    cuda_pf_state *P = c->pf;
    P->io_ms = c->io_ms;
    if (c->loader == 1 && jpeg_prepare(c, err, errlen))
        return -1;
    if (P->dev && P->batch == c->batch && P->batches >= c->batches)
        return 0;
    da3_cuda_pf_free(P->dev), da3_mlp_free(P->mlp);
    P->dev = NULL;
    P->mlp = da3_mlp_new(c->batch, da3_pf_mlp_dims, 5, 42);
    if (!P->mlp) {
        snprintf(err, errlen, "out of host memory");
        return -1;
    }
    const float *w[4], *b[4];
    for (int l = 0; l < 4; l++)
        w[l] = da3_mlp_weights(P->mlp, l), b[l] = da3_mlp_bias(P->mlp, l);
    P->dev = da3_cuda_pf_new(c->batch, da3_pf_mlp_dims, 5, w, b, c->batches, err, errlen);
    if (!P->dev)
        return -1;
    P->batch = c->batch, P->batches = c->batches;
    return 0;
}

/* medians of the H2D copy and the MLP of one batch, and the MLP checked
 * against the CPU's double forward */
static int pf_stages(const cuda_pf_state *P, double *h2d, double *mlp, double *err_out, char *err,
                     size_t errlen)
{
    const size_t nin = (size_t)P->batch * da3_pf_mlp_dims[0],
                 nout = (size_t)P->batch * da3_pf_mlp_dims[4];
    float *in = da3_cuda_host_alloc(sizeof(float) * nin, NULL);
    float *out = malloc(sizeof(float) * nout);
    double a[15], m[15];
    int rc = !in || !out ? -1 : 0;
    if (rc)
        snprintf(err, errlen, "out of pinned host memory");
    if (!rc)
        da3_pf_sim_fill(0, in, nin, 0);
    for (int i = 0; i < 15 && !rc; i++)
        if (da3_cuda_pf_stage_ms(P->dev, in, &a[i], &m[i]) ||
            (i == 0 && da3_cuda_pf_last_output(P->dev, out))) {
            snprintf(err, errlen, "%s", da3_cuda_pf_error(P->dev));
            rc = -1;
        }
    if (!rc) {
        *h2d = da3_median(a, 15), *mlp = da3_median(m, 15);
        double e = 0;
        for (int r = 0; r < P->batch; r += P->batch > 1 ? P->batch - 1 : 1) {
            const double er = da3_mlp_check_row(P->mlp, in, out, r);
            e = er > e ? er : e;
        }
        *err_out = e;
    }
    da3_cuda_host_free(in, NULL);
    free(out);
    return rc;
}

void da3_cuda_prefetch_body(gb_state *st, void *arg)
{
    const cuda_case *c = arg;
    cuda_pf_state *P = c->pf;
    char err[600];
    double h2d = 0, mlp = 0, merr = 0;
    if (pf_prepare(c, err, sizeof err) || pf_stages(P, &h2d, &mlp, &merr, err, sizeof err)) {
        gb_skip_with_error(st, err);
        return;
    }
    gb_counter(st, "max_abs_err", merr, GB_COUNTER_DEFAULT);
    if (!(merr <= 1e-3)) {
        snprintf(err, sizeof err, "MLP max_abs_err %.3g against the double forward", merr);
        gb_skip_with_error(st, err);
        return;
    }
    double *io = calloc((size_t)c->batches, sizeof *io);
    if (!io) {
        gb_skip_with_error(st, "out of memory");
        return;
    }
    da3_pf_config cfg = {.batches = c->batches, .depth = c->depth, .loaders = c->loaders,
                         .batch_floats = (size_t)c->batch * da3_pf_mlp_dims[0]};
    if (c->depth > 0)
        cfg.alloc = da3_cuda_host_alloc, cfg.release = da3_cuda_host_free;
    double total_ms = 0;
    int64_t iters = 0;
    while (gb_keep_running(st)) {
        da3_pf_stats ps = {.io_s = io};
        double ms = 0, sum = 0;
        int rc = da3_cuda_pf_begin(P->dev);
        if (!rc)
            rc = da3_pf_run(&cfg, c->loader ? jpeg_load : sim_load,
                            c->depth ? compute_async : compute_sync, P, &ps);
        if (!rc)
            rc = da3_cuda_pf_end(P->dev, c->batches, &ms, &sum);
        if (rc) {
            snprintf(err, sizeof err, "batch %ld: %s", ps.error_batch,
                     c->loader && ps.error_batch >= 0 && ps.error ? da3_pf_jpeg_error(P->jpeg, 0)
                                                                  : da3_cuda_pf_error(P->dev));
            gb_skip_with_error(st, err);
            free(io);
            return;
        }
        if (!P->have[c->group])
            P->checksum[c->group] = sum, P->have[c->group] = 1;
        else if (sum != P->checksum[c->group]) {
            snprintf(err, sizeof err, "checksum %.17g differs from the sequential %.17g", sum,
                     P->checksum[c->group]);
            gb_skip_with_error(st, err);
            free(io);
            return;
        }
        gb_set_iteration_time(st, ms * 1e-3);
        total_ms += ms, iters++;
    }
    const double t = total_ms / (double)iters * 1e-3;
    if (c->depth == 0)
        P->t_seq[c->group] = t;
    const double io_med = da3_median(io, c->batches) * 1e3;
    /* a three-stage pipeline (load, copy, MLP) cannot beat n * slowest +
     * the other two once; L loader threads load L batches at once */
    const double sl[3] = {c->depth > 0 ? io_med / c->loaders : io_med, h2d, mlp};
    double mx = 0, all = 0;
    for (int i = 0; i < 3; i++)
        mx = sl[i] > mx ? sl[i] : mx, all += sl[i];
    const double bound = (c->batches * mx + all - mx) * 1e-3;
    gb_counter(st, "batches_per_s", c->batches / t, GB_COUNTER_DEFAULT);
    gb_counter(st, "io_ms", io_med, GB_COUNTER_DEFAULT);
    gb_counter(st, "h2d_ms", h2d, GB_COUNTER_DEFAULT);
    gb_counter(st, "compute_ms", mlp, GB_COUNTER_DEFAULT);
    gb_counter(st, "bound_ratio", t / bound, GB_COUNTER_DEFAULT);
    gb_counter(st, "checksum", P->checksum[c->group], GB_COUNTER_DEFAULT);
    if (c->depth > 0 && P->t_seq[c->group] > 0)
        gb_counter(st, "speedup", P->t_seq[c->group] / t, GB_COUNTER_DEFAULT);
    gb_set_label(st, c->depth ? "pinned, async copies on a copy stream"
                              : "pageable, synchronous copies");
    free(io);
}
