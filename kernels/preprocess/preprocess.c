#include "preprocess.h"

#include "cpu.h"
#include "resample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

/* ImageNet statistics, as torchvision's Normalize in upstream DA3 */
static const float imagenet_mean[3] = {0.485f, 0.456f, 0.406f};
static const float imagenet_std[3] = {0.229f, 0.224f, 0.225f};

struct da3_pp {
    tjhandle tj;
    uint8_t *rgb;
    size_t rgb_cap;
    int cs; /* the colorspace of the JPEG last probed (TJCS_*) */
    float *tmp, *inter;
    size_t tmp_cap, inter_cap;
    da3_pp_geom key; /* the geometry the plans below were built for */
    int have_plans;
    da3_rs_plan px, py1, py2;
    da3_rs_plan py, pcx, pcy; /* planar path: vertical steps composed; chroma's */
    char err[256];
};

da3_pp *da3_pp_new(void)
{
    da3_pp *pp = calloc(1, sizeof *pp);
    if (!pp)
        return NULL;
    pp->tj = tjInitDecompress();
    if (!pp->tj) {
        free(pp);
        return NULL;
    }
    return pp;
}

void da3_pp_free(da3_pp *pp)
{
    if (!pp)
        return;
    tjDestroy(pp->tj);
    free(pp->rgb);
    free(pp->tmp);
    free(pp->inter);
    da3_rs_free(&pp->px);
    da3_rs_free(&pp->py1);
    da3_rs_free(&pp->py2);
    da3_rs_free(&pp->py);
    da3_rs_free(&pp->pcx);
    da3_rs_free(&pp->pcy);
    free(pp);
}

const char *da3_pp_error(const da3_pp *pp) { return pp ? pp->err : "out of memory"; }

static int fail(da3_pp *pp, int code, const char *what)
{
    snprintf(pp->err, sizeof pp->err, "%s", what);
    return code;
}

static int jpeg_fail(da3_pp *pp, const char *stage)
{
    snprintf(pp->err, sizeof pp->err, "%s: %s", stage, tjGetErrorStr2(pp->tj));
    return DA3_EDATA;
}

int da3_pp_probe(da3_pp *pp, const uint8_t *jpeg, size_t len, const da3_pp_params *p,
                 da3_pp_geom *g)
{
    int w, h, sub, cs;
    pp->err[0] = 0;
    if (!jpeg || len < 4 || jpeg[0] != 0xff || jpeg[1] != 0xd8)
        return fail(pp, DA3_EDATA, len ? "not a JPEG file (no SOI marker)" : "empty file");
    if (len > 0xffffffffUL)
        return fail(pp, DA3_EARG, "JPEG too large");
    if (tjDecompressHeader3(pp->tj, jpeg, (unsigned long)len, &w, &h, &sub, &cs))
        return jpeg_fail(pp, "corrupt JPEG header");
    pp->cs = cs;
    if ((double)w * h > DA3_PP_MAX_PIXELS) {
        snprintf(pp->err, sizeof pp->err, "image too large: %dx%d (at most %.0f megapixels)", w, h,
                 DA3_PP_MAX_PIXELS / 1e6);
        return DA3_EARG;
    }
    if (da3_pp_geometry(w, h, p, g))
        return fail(pp, DA3_EARG, "unsupported image size or parameters");
    if (p->decode == DA3_PP_DCT) {
        /* the smallest of 1/8, 1/4, 1/2 that still covers the first resize */
        static const int dens[3] = {8, 4, 2};
        for (int i = 0; i < 3; i++) {
            const tjscalingfactor sf = {1, dens[i]};
            const int sw = TJSCALED(w, sf), sh = TJSCALED(h, sf);
            if (sw >= g->rs_w && sh >= g->rs_h) {
                g->dec_w = sw, g->dec_h = sh, g->scale_den = dens[i];
                break;
            }
        }
        if (cs == TJCS_YCbCr && sub != TJSAMP_GRAY) {
            g->cw = tjPlaneWidth(1, g->dec_w, sub), g->ch = tjPlaneHeight(1, g->dec_h, sub);
            g->planar = g->cw > 0 && g->ch > 0;
            g->subsamp = sub;
        }
    }
    return 0;
}

static int same_geom(const da3_pp_geom *a, const da3_pp_geom *b)
{
    return a->dec_w == b->dec_w && a->dec_h == b->dec_h && a->rs_w == b->rs_w &&
           a->rs_h == b->rs_h && a->out_w == b->out_w && a->out_h == b->out_h &&
           a->crop_x == b->crop_x && a->crop_y == b->crop_y &&
           a->first_cubic == b->first_cubic && a->second_cubic == b->second_cubic &&
           a->planar == b->planar && a->cw == b->cw && a->ch == b->ch;
}

/* The second step along an axis: to the multiple of 14, or the crop. */
static int second_step(int rs, int out, int crop, int crop_method, int cubic2, da3_rs_plan *first,
                       da3_rs_plan *second)
{
    int rc;
    da3_rs_plan id;
    if (crop_method) {
        rc = da3_rs_area(rs, rs, &id);
        if (!rc) {
            rc = da3_rs_crop(&id, crop, out, second);
            da3_rs_free(&id);
        }
    } else
        rc = (cubic2 || rs < out) ? da3_rs_cubic(rs, out, second) : da3_rs_area(rs, out, second);
    if (rc)
        da3_rs_free(first);
    return rc;
}

/* The two steps along one axis: decoded size -> first resize (first), then
 * nearest multiple of 14 (resize methods) or a centred crop (crop methods). */
static int axis_steps(int dec, int rs, int out, int crop, int crop_method, int cubic1, int cubic2,
                      da3_rs_plan *first, da3_rs_plan *second)
{
    int rc = (cubic1 || dec < rs) ? da3_rs_cubic(dec, rs, first) : da3_rs_area(dec, rs, first);
    if (rc)
        return rc;
    return second_step(rs, out, crop, crop_method, cubic2, first, second);
}

/* A chroma plane's first step: it enlarges only because the plane is
 * subsampled where luma shrinks, and then it is interpolated linearly, as
 * libjpeg-turbo's own (triangle) chroma upsampling does; if the whole
 * picture is enlarged, it is cubic as luma. */
static int chroma_steps(int dec, int luma_dec, int rs, int out, int crop, int crop_method,
                        int cubic1, int cubic2, da3_rs_plan *first, da3_rs_plan *second)
{
    int rc;
    if (cubic1 || luma_dec < rs)
        rc = da3_rs_cubic(dec, rs, first);
    else
        rc = dec < rs ? da3_rs_linear(dec, rs, first) : da3_rs_area(dec, rs, first);
    if (rc)
        return rc;
    return second_step(rs, out, crop, crop_method, cubic2, first, second);
}

static int build_plans(da3_pp *pp, const da3_pp_params *p, const da3_pp_geom *g)
{
    const int crop = p->method == DA3_PP_UPPER_BOUND_CROP || p->method == DA3_PP_LOWER_BOUND_CROP;
    da3_rs_plan x1, x2;
    if (axis_steps(g->dec_w, g->rs_w, g->out_w, g->crop_x, crop, g->first_cubic, g->second_cubic,
                   &x1, &x2))
        return -1;
    int rc = da3_rs_compose(&x1, &x2, &pp->px);
    da3_rs_free(&x1), da3_rs_free(&x2);
    if (!rc)
        da3_rs_uniform(&pp->px); /* where it cannot, the general loop runs */
    if (rc || axis_steps(g->dec_h, g->rs_h, g->out_h, g->crop_y, crop, g->first_cubic,
                         g->second_cubic, &pp->py1, &pp->py2))
        return -1;
    if (!g->planar)
        return 0;
    if (da3_rs_compose(&pp->py1, &pp->py2, &pp->py))
        return -1;
    /* chroma: its plane covers the same picture with fewer samples (JPEG
     * sites them at the centre of the luma samples they cover) */
    rc = chroma_steps(g->cw, g->dec_w, g->rs_w, g->out_w, g->crop_x, crop, g->first_cubic,
                      g->second_cubic, &x1, &x2);
    if (rc)
        return -1;
    rc = da3_rs_compose(&x1, &x2, &pp->pcx);
    da3_rs_free(&x1), da3_rs_free(&x2);
    if (rc)
        return -1;
    da3_rs_uniform(&pp->pcx);
    if (chroma_steps(g->ch, g->dec_h, g->rs_h, g->out_h, g->crop_y, crop, g->first_cubic,
                     g->second_cubic, &x1, &x2))
        return -1;
    rc = da3_rs_compose(&x1, &x2, &pp->pcy);
    da3_rs_free(&x1), da3_rs_free(&x2);
    return rc ? -1 : 0;
}

void da3_pp_dsp_init(da3_pp_fns *dsp, unsigned mask)
{
    *dsp = da3_pp_fns_scalar;
#ifdef DA3_HAVE_X86_ISAS
    if (mask & DA3_ISA_BIT(DA3_ISA_AVX2))
        *dsp = da3_pp_fns_avx2;
    if (mask & DA3_ISA_BIT(DA3_ISA_AVX512))
        *dsp = da3_pp_fns_avx512;
#endif
#ifdef DA3_HAVE_NEON_ISA
    if (mask & DA3_ISA_BIT(DA3_ISA_NEON))
        *dsp = da3_pp_fns_neon;
#endif
}

static int grow(void **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    void *nb = realloc(*buf, need);
    if (!nb)
        return -1;
    *buf = nb, *cap = need;
    return 0;
}

/* CMYK (or YCCK, which libjpeg-turbo returns as CMYK) to RGB in place,
 * the way Pillow does it: the stored values are taken as Adobe's inverted
 * CMYK (Pillow's rawmode CMYK;I), and R = (255-K) - (255-K)*C/255 with
 * Pillow's rounding of the product. Forward in place is safe: pixel i's
 * three bytes land at or before its four. */
static void cmyk_to_rgb(uint8_t *px, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const uint8_t *s = px + 4 * i;
        const int nk = s[3], c[3] = {255 - s[0], 255 - s[1], 255 - s[2]};
        uint8_t *d = px + 3 * i;
        for (int j = 0; j < 3; j++) {
            const int t = c[j] * nk + 128;
            const int v = nk - (((t >> 8) + t) >> 8);
            d[j] = (uint8_t)(v < 0 ? 0 : v);
        }
    }
}

/* Decodes to interleaved RGB, w x h (the scale libjpeg-turbo picks for
 * that size). */
static int decode(da3_pp *pp, const uint8_t *jpeg, size_t len, int w, int h)
{
    /* the colorspace from the header read just before (a second header read
     * on a handle whose last decode failed fails too) */
    const int cmyk = pp->cs == TJCS_CMYK || pp->cs == TJCS_YCCK;
    if (grow((void **)&pp->rgb, &pp->rgb_cap, (size_t)w * h * (cmyk ? 4 : 3)))
        return fail(pp, DA3_ENOMEM, "out of memory for the decoded image");
    /* Any warning (truncated or corrupt data) is an error: a benchmark must
     * not time a half-decoded image. */
    if (tjDecompress2(pp->tj, jpeg, (unsigned long)len, pp->rgb, w, 0, h,
                      cmyk ? TJPF_CMYK : TJPF_RGB, TJFLAG_STOPONWARNING))
        return jpeg_fail(pp, "corrupt or truncated JPEG data");
    if (cmyk)
        cmyk_to_rgb(pp->rgb, (size_t)w * h);
    return 0;
}

/* Decodes to the Y, Cb, Cr planes at g's scaled size, into pp->rgb. */
static int decode_planes(da3_pp *pp, const uint8_t *jpeg, size_t len, const da3_pp_geom *g,
                         uint8_t *planes[3], int stride[3])
{
    const int yw = tjPlaneWidth(0, g->dec_w, g->subsamp),
              yh = tjPlaneHeight(0, g->dec_h, g->subsamp);
    const size_t ysz = (size_t)yw * yh, csz = (size_t)g->cw * g->ch;
    if (grow((void **)&pp->rgb, &pp->rgb_cap, ysz + 2 * csz))
        return fail(pp, DA3_ENOMEM, "out of memory for the decoded image");
    planes[0] = pp->rgb, planes[1] = pp->rgb + ysz, planes[2] = pp->rgb + ysz + csz;
    stride[0] = yw, stride[1] = stride[2] = g->cw;
    if (tjDecompressToYUVPlanes(pp->tj, jpeg, (unsigned long)len, planes, g->dec_w, stride,
                                g->dec_h, TJFLAG_STOPONWARNING))
        return jpeg_fail(pp, "corrupt or truncated JPEG data");
    return 0;
}

int da3_pp_run(da3_pp *pp, const uint8_t *jpeg, size_t len, const da3_pp_params *p, float *out,
               size_t out_floats, da3_pp_geom *g)
{
    int rc = da3_pp_probe(pp, jpeg, len, p, g);
    if (rc)
        return rc;
    if (out_floats < (size_t)3 * g->out_w * g->out_h)
        return fail(pp, DA3_ESPACE, "output buffer too small");
    uint8_t *planes[3];
    int stride[3];
    rc = g->planar ? decode_planes(pp, jpeg, len, g, planes, stride)
                   : decode(pp, jpeg, len, g->dec_w, g->dec_h);
    if (rc)
        return rc;
    if (!pp->have_plans || !same_geom(&pp->key, g)) {
        da3_rs_plan *all[] = {&pp->px, &pp->py1, &pp->py2, &pp->py, &pp->pcx, &pp->pcy};
        for (size_t i = 0; i < sizeof all / sizeof *all; i++)
            da3_rs_free(all[i]);
        pp->have_plans = 0;
        if (build_plans(pp, p, g))
            return fail(pp, DA3_ENOMEM, "out of memory for the resampling plans");
        pp->key = *g;
        pp->have_plans = 1;
    }
    size_t tw = (size_t)(g->dec_w > g->out_w ? g->dec_w : g->out_w) * 3 + 4;
    if (g->planar && tw < (size_t)8 * (g->dec_w + 4))
        tw = (size_t)8 * (g->dec_w + 4);
    if (grow((void **)&pp->tmp, &pp->tmp_cap, sizeof(float) * tw) ||
        grow((void **)&pp->inter, &pp->inter_cap,
             sizeof(float) * (size_t)g->rs_h * g->out_w * 3))
        return fail(pp, DA3_ENOMEM, "out of memory");
    float scale[3], bias[3];
    for (int c = 0; c < 3; c++) {
        scale[c] = 1.0f / (255.0f * imagenet_std[c]);
        bias[c] = -imagenet_mean[c] / imagenet_std[c];
    }
    da3_pp_fns f;
    da3_pp_dsp_init(&f, da3_cpu_isa_mask());
    if (!g->planar) {
        f.apply(pp->rgb, g->dec_w, &pp->px, &pp->py1, &pp->py2, scale, bias, pp->tmp, pp->inter,
                out);
        return 0;
    }
    const size_t n = (size_t)g->out_w * g->out_h;
    f.plane(planes[0], (size_t)stride[0], g->dec_w, &pp->px, &pp->py, pp->tmp, out);
    for (int c = 1; c < 3; c++)
        f.plane(planes[c], (size_t)stride[c], g->cw, &pp->pcx, &pp->pcy, pp->tmp, out + c * n);
    f.ycc(out, n, scale, bias);
    return 0;
}

float *da3_pp_reference_jpeg(da3_pp *pp, const uint8_t *jpeg, size_t len, const da3_pp_params *p,
                             da3_pp_geom *g)
{
    if (da3_pp_probe(pp, jpeg, len, p, g))
        return NULL;
    uint8_t *planes[3];
    int stride[3];
    if (g->planar ? decode_planes(pp, jpeg, len, g, planes, stride)
                  : decode(pp, jpeg, len, g->dec_w, g->dec_h))
        return NULL;
    float *ref = g->planar ? da3_pp_reference_planes((const uint8_t *const *)planes, stride, p, g)
                           : da3_pp_reference(pp->rgb, g->dec_w, g->dec_h, p, g);
    if (!ref)
        fail(pp, DA3_ENOMEM, "out of memory for the reference");
    return ref;
}

const uint8_t *da3_pp_decode_only(da3_pp *pp, const uint8_t *jpeg, size_t len, int *w, int *h)
{
    return da3_pp_decode_scaled(pp, jpeg, len, 1, w, h);
}

const uint8_t *da3_pp_decode_scaled(da3_pp *pp, const uint8_t *jpeg, size_t len, int den, int *w,
                                    int *h)
{
    int sub, cs;
    pp->err[0] = 0;
    if (!jpeg || len < 4 || jpeg[0] != 0xff || jpeg[1] != 0xd8) {
        fail(pp, DA3_EDATA, len ? "not a JPEG file (no SOI marker)" : "empty file");
        return NULL;
    }
    if (tjDecompressHeader3(pp->tj, jpeg, (unsigned long)len, w, h, &sub, &cs)) {
        jpeg_fail(pp, "corrupt JPEG header");
        return NULL;
    }
    pp->cs = cs;
    if (den != 1 && den != 2 && den != 4 && den != 8) {
        fail(pp, DA3_EARG, "scale must be 1/1, 1/2, 1/4 or 1/8");
        return NULL;
    }
    const tjscalingfactor sf = {1, den};
    *w = TJSCALED(*w, sf), *h = TJSCALED(*h, sf);
    return decode(pp, jpeg, len, *w, *h) ? NULL : pp->rgb;
}
