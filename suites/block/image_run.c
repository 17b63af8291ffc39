/*
 * image_run.c - the block suite's whole-image cases (--image): one
 * 1920x1080 natural JPEG (q90, the fixture set's first) through DA3's
 * preprocessing on one thread, then the backbone's depth of blocks over
 * one view's 721 tokens, timed as one call.
 *
 * What is in it and what is not: the preprocessed image is not the
 * blocks' input (the patch embedding that would turn it into tokens is
 * not built); every layer runs the same block on the same seeded tokens
 * (the same weights: the time of a layer does not depend on its values).
 * No DPT head, no camera head. Each part is checked before timing: the
 * preprocessing against its double reference, the block stage by stage.
 */
#include "image_run.h"
#include "block.h"
#include "commands.h"
#include "cpu.h"
#include "fixtures.h"
#include "gbench.h"
#include "preprocess.h"
#include "suites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PP_TOLERANCE 1e-3   /* preprocessing: |got - ref|, normalized units */
#define BLOCK_TOLERANCE 1e-4

const da3_image_config da3_image_configs[DA3_IMAGE_NCONFIG] = {
    /* the seed's before, each optimization alone, both */
    {"upstream", DA3_ATTN_NAIVE, DA3_PP_FULL},
    {"flash", DA3_ATTN_FLASH, DA3_PP_FULL},
    {"dct", DA3_ATTN_NAIVE, DA3_PP_DCT},
    {"optimized", DA3_ATTN_FLASH, DA3_PP_DCT},
};

/* what the cases of one run share: the JPEG, and the block of the last
 * (shape, implementation) */
struct da3_image_state {
    uint8_t *jpeg;
    long len;
    char err[600];
    int loaded;
    da3_pp *pp;
    float *img;
    size_t img_floats;
    da3_block_shape s;
    int impl, threads, have;
    da3_block *b;
    da3_block_weights w;
    float *x, *y;
};

da3_image_state *da3_image_state_new(void) { return calloc(1, sizeof(da3_image_state)); }

void da3_image_state_free(da3_image_state *im)
{
    if (!im)
        return;
    da3_block_free(im->b);
    da3_block_weights_free(&im->w);
    da3_pp_free(im->pp);
    free(im->jpeg), free(im->img), free(im->x), free(im->y);
    free(im);
}

static int load_jpeg(da3_image_state *im, const char *fixtures)
{
    if (im->loaded)
        return im->loaded > 0 ? 0 : -1;
    im->loaded = -1;
    char base[3000], dir[4096];
    snprintf(base, sizeof base, "%s", da3_fixtures_dir(fixtures));
    da3_fix_params fp = DA3_FIX_DEFAULTS;
    fp.count = 1;
    da3_fix_set_dir(base, &fp, dir, sizeof dir);
    if (da3_fix_ensure(dir, &fp, da3_cpu_count(), im->err, sizeof im->err))
        return -1;
    char name[32], path[4200];
    da3_fix_name(0, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t cap = 0;
    im->len = da3_fix_read_file(path, &im->jpeg, &cap);
    if (im->len < 0) {
        snprintf(im->err, sizeof im->err, "%s: %s", path, strerror((int)-im->len));
        return -1;
    }
    im->pp = da3_pp_new();
    if (!im->pp) {
        snprintf(im->err, sizeof im->err, "out of memory");
        return -1;
    }
    im->loaded = 1;
    return 0;
}

/* the preprocessing of this decode mode, checked against its reference */
static int check_pp(da3_image_state *im, da3_pp_decode decode, char *err, size_t errlen)
{
    da3_pp_params p = DA3_PP_DEFAULTS;
    p.decode = decode;
    da3_pp_geom g;
    if (da3_pp_probe(im->pp, im->jpeg, (size_t)im->len, &p, &g)) {
        snprintf(err, errlen, "preprocess: %s", da3_pp_error(im->pp));
        return -1;
    }
    const size_t n = 3 * (size_t)g.out_w * (size_t)g.out_h;
    if (n > im->img_floats) {
        free(im->img);
        im->img = malloc(n * sizeof(float));
        im->img_floats = im->img ? n : 0;
    }
    if (!im->img || da3_pp_run(im->pp, im->jpeg, (size_t)im->len, &p, im->img, n, &g)) {
        snprintf(err, errlen, "preprocess: %s", im->img ? da3_pp_error(im->pp) : "out of memory");
        return -1;
    }
    float *ref = da3_pp_reference_jpeg(im->pp, im->jpeg, (size_t)im->len, &p, &g);
    if (!ref) {
        snprintf(err, errlen, "preprocess reference: %s", da3_pp_error(im->pp));
        return -1;
    }
    double e = 0;
    for (size_t k = 0; k < n; k++)
        e = fmax(e, fabs((double)ref[k] - im->img[k]));
    free(ref);
    if (!(e <= PP_TOLERANCE)) {
        snprintf(err, errlen, "preprocess max_abs_err %.3g above the tolerance %.0e", e,
                 PP_TOLERANCE);
        return -1;
    }
    return 0;
}

/* the block of this case, built and checked once per (shape, impl) */
static int prepare_block(da3_image_state *im, const da3_block_shape *s, int impl, int threads,
                         char *err, size_t errlen)
{
    if (im->have && !memcmp(&im->s, s, sizeof *s) && im->impl == impl && im->threads == threads)
        return 0;
    if (!im->have || memcmp(&im->s, s, sizeof *s)) {
        da3_block_weights_free(&im->w);
        free(im->x), free(im->y);
        const size_t n = (size_t)s->tokens * s->dim;
        im->x = malloc(n * sizeof(float));
        im->y = malloc(n * sizeof(float));
        if (!im->x || !im->y || da3_block_weights_init(&im->w, s, 1)) {
            im->have = 0;
            snprintf(err, errlen, "%s", da3_strerror(DA3_ENOMEM));
            return -1;
        }
        da3_block_fill(im->x, n, 7);
    }
    da3_block_free(im->b);
    im->s = *s, im->impl = impl, im->threads = threads, im->have = 1;
    int rc = 0;
    im->b = da3_block_new(s, (da3_attn_impl)impl, threads, 0, &rc);
    da3_block_times t;
    if (!im->b || (rc = da3_block_run(im->b, &im->w, im->x, im->y, &t))) {
        im->have = 0;
        snprintf(err, errlen, "%s", da3_strerror(rc ? rc : DA3_ENOMEM));
        return -1;
    }
    const double e = da3_block_check(im->b, &im->w, im->x, im->y, 16);
    if (!(e <= BLOCK_TOLERANCE)) {
        im->have = 0;
        snprintf(err, errlen, "block max_rel_err %.3g above the tolerance %.1g", e,
                 BLOCK_TOLERANCE);
        return -1;
    }
    return 0;
}

void da3_image_body(gb_state *st, const da3_image_case *c)
{
    const da3_image_config *cf = &da3_image_configs[c->config];
    da3_image_state *im = c->im;
    char err[700];
    if (load_jpeg(im, c->fixtures)) {
        snprintf(err, sizeof err, "fixtures: %s", im->err);
        gb_skip_with_error(st, err);
        return;
    }
    if (check_pp(im, cf->decode, err, sizeof err) ||
        prepare_block(im, &c->s, cf->impl, c->threads, err, sizeof err)) {
        gb_skip_with_error(st, err);
        return;
    }
    da3_pp_params p = DA3_PP_DEFAULTS;
    p.decode = cf->decode;
    double total = 0, pre = 0;
    da3_block_times sum = {0, 0, 0};
    int64_t iters = 0;
    int rc = 0;
    while (gb_keep_running(st)) {
        da3_pp_geom g;
        const double t0 = da3_now();
        rc |= da3_pp_run(im->pp, im->jpeg, (size_t)im->len, &p, im->img, im->img_floats, &g);
        const double t1 = da3_now();
        for (int l = 0; l < c->depth; l++) {
            da3_block_times t;
            rc |= da3_block_run(im->b, &im->w, im->x, im->y, &t);
            sum.gemm += t.gemm, sum.attn += t.attn, sum.other += t.other;
        }
        const double t2 = da3_now();
        total += t2 - t0, pre += t1 - t0;
        iters++;
    }
    if (rc) {
        gb_skip_with_error(st, "a timed run failed after its check passed");
        return;
    }
    if (total <= 0)
        return;
    gb_counter(st, "pre_share", pre / total, GB_COUNTER_DEFAULT);
    gb_counter(st, "attn_share", sum.attn / total, GB_COUNTER_DEFAULT);
    gb_counter(st, "gemm_share", sum.gemm / total, GB_COUNTER_DEFAULT);
    /* the rest of the blocks, and the loop's own few calls */
    gb_counter(st, "other_share", 1.0 - (pre + sum.attn + sum.gemm) / total,
               GB_COUNTER_DEFAULT);
    gb_counter(st, "depth", c->depth, GB_COUNTER_DEFAULT);
    snprintf(err, sizeof err, "%s attention, %s decode, %d blocks", da3_attn_impl_name(cf->impl),
             cf->decode == DA3_PP_DCT ? "dct" : "full", c->depth);
    gb_set_label(st, err);
}
