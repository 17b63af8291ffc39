/*
 * The plain reference of the pipeline after decoding, in double, written
 * from the definitions and sharing no code with the fast path: each OpenCV
 * resize computed on its own (every output's weights from the formula,
 * applied along one axis then the other), then the crop, then ImageNet
 * normalization. Slow and simple; the suite and the tests check the fast
 * path against it.
 */
#include "preprocess.h"

#include <math.h>
#include <stdlib.h>


static double cubic_w(double x) /* Keys kernel, a = -0.75, as OpenCV */
{
    const double a = -0.75;
    x = fabs(x);
    if (x <= 1)
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2)
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0;
}

/* resize along one axis of an (h x w x nc) image: rows if axis 0, else
 * cols; cubic: 0 area, 1 cubic, 2 linear */
static double *resize_axis_nc(const double *src, int h, int w, int nc, int axis, int n_out,
                              int cubic)
{
    const int n_in = axis ? w : h, oh = axis ? h : n_out, ow = axis ? n_out : w;
    double *dst = calloc((size_t)oh * ow * nc, sizeof *dst);
    const double s = (double)n_in / n_out;
    for (int o = 0; o < n_out; o++) {
        double wsum = 0;
        double *wt = calloc((size_t)n_in, sizeof *wt);
        if (cubic == 2) { /* linear */
            const double fx = (o + 0.5) * s - 0.5;
            const int x0 = (int)floor(fx);
            for (int k = 0; k <= 1; k++) {
                int x = x0 + k;
                const double c = 1 - fabs(fx - x);
                x = x < 0 ? 0 : x >= n_in ? n_in - 1 : x;
                wt[x] += c;
            }
        } else if (cubic) {
            const double fx = (o + 0.5) * s - 0.5;
            const int x0 = (int)floor(fx);
            for (int k = -1; k <= 2; k++) {
                int x = x0 + k;
                const double c = cubic_w(fx - x);
                x = x < 0 ? 0 : x >= n_in ? n_in - 1 : x;
                wt[x] += c;
            }
        } else {
            for (int j = 0; j < n_in; j++) {
                const double lo = fmax(o * s, j), hi = fmin((o + 1) * s, j + 1);
                wt[j] = hi > lo ? (hi - lo) / s : 0;
            }
        }
        for (int j = 0; j < n_in; j++)
            wsum += wt[j];
        for (int j = 0; j < n_in; j++) {
            if (wt[j] == 0)
                continue;
            const int other = axis ? h : w;
            for (int q = 0; q < other; q++)
                for (int c = 0; c < nc; c++) {
                    const size_t si =
                        axis ? ((size_t)q * w + j) * nc + c : ((size_t)j * w + q) * nc + c;
                    const size_t di =
                        axis ? ((size_t)q * ow + o) * nc + c : ((size_t)o * ow + q) * nc + c;
                    dst[di] += wt[j] * src[si];
                }
        }
        (void)wsum;
        free(wt);
    }
    return dst;
}

static double *resize_axis(const double *src, int h, int w, int axis, int n_out, int cubic)
{
    return resize_axis_nc(src, h, w, 3, axis, n_out, cubic);
}

static double *resize2d(const double *src, int h, int w, int oh, int ow, int cubic)
{
    double *a = resize_axis(src, h, w, 0, oh, cubic);
    double *b = resize_axis(a, oh, w, 1, ow, cubic);
    free(a);
    return b;
}

float *da3_pp_reference(const uint8_t *rgb, int w, int h, const da3_pp_params *p,
                        const da3_pp_geom *g)
{
    double *img = malloc(sizeof(double) * (size_t)w * h * 3);
    for (size_t i = 0; i < (size_t)w * h * 3; i++)
        img[i] = rgb[i];
    double *a = (g->rs_w == w && g->rs_h == h)
                    ? img
                    : resize2d(img, h, w, g->rs_h, g->rs_w, g->first_cubic);
    double *b;
    const int crop = p->method == DA3_PP_UPPER_BOUND_CROP || p->method == DA3_PP_LOWER_BOUND_CROP;
    if (crop) {
        b = malloc(sizeof(double) * (size_t)g->out_w * g->out_h * 3);
        for (int y = 0; y < g->out_h; y++)
            for (int x = 0; x < g->out_w; x++)
                for (int c = 0; c < 3; c++)
                    b[((size_t)y * g->out_w + x) * 3 + c] =
                        a[((size_t)(y + g->crop_y) * g->rs_w + x + g->crop_x) * 3 + c];
    } else
        b = resize2d(a, g->rs_h, g->rs_w, g->out_h, g->out_w, g->second_cubic);
    static const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
    float *out = malloc(sizeof(float) * 3 * (size_t)g->out_w * g->out_h);
    for (int c = 0; c < 3; c++)
        for (size_t i = 0; i < (size_t)g->out_w * g->out_h; i++)
            out[(size_t)c * g->out_w * g->out_h + i] =
                (float)((b[i * 3 + c] / 255.0 - mean[c]) / sd[c]);
    if (a != img)
        free(a);
    free(img), free(b);
    return out;
}


/* One plane (h x w) through the two steps of each axis as the fast path
 * chooses them: the first resize is cubic when the picture is enlarged (or
 * asked), linear for a chroma plane enlarged only by its subsampling, area
 * otherwise; the second resizes to the multiple of 14, or crops. */
static int first_mode(int n, int luma_n, int rs, int cubic)
{
    if (cubic || luma_n < rs)
        return 1;
    return n < rs ? 2 : 0; /* a subsampled chroma plane: linear */
}

static double *plane_steps(const double *src, int h, int w, const da3_pp_params *p,
                           const da3_pp_geom *g)
{
    const int my = first_mode(h, g->dec_h, g->rs_h, g->first_cubic);
    const int mx = first_mode(w, g->dec_w, g->rs_w, g->first_cubic);
    double *a = resize_axis_nc(src, h, w, 1, 0, g->rs_h, my);
    double *b = resize_axis_nc(a, g->rs_h, w, 1, 1, g->rs_w, mx);
    free(a);
    const int crop = p->method == DA3_PP_UPPER_BOUND_CROP || p->method == DA3_PP_LOWER_BOUND_CROP;
    if (crop) {
        a = malloc(sizeof(double) * (size_t)g->out_w * g->out_h);
        for (int y = 0; y < g->out_h; y++)
            for (int x = 0; x < g->out_w; x++)
                a[(size_t)y * g->out_w + x] = b[(size_t)(y + g->crop_y) * g->rs_w + x + g->crop_x];
        free(b);
        return a;
    }
    a = resize_axis_nc(b, g->rs_h, g->rs_w, 1, 0, g->out_h, g->second_cubic || g->rs_h < g->out_h);
    free(b);
    b = resize_axis_nc(a, g->out_h, g->rs_w, 1, 1, g->out_w, g->second_cubic || g->rs_w < g->out_w);
    free(a);
    return b;
}

float *da3_pp_reference_planes(const uint8_t *const planes[3], const int stride[3],
                               const da3_pp_params *p, const da3_pp_geom *g)
{
    double *r[3];
    for (int c = 0; c < 3; c++) {
        const int w = c ? g->cw : g->dec_w, h = c ? g->ch : g->dec_h;
        double *img = malloc(sizeof(double) * (size_t)w * h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                img[(size_t)y * w + x] = planes[c][(size_t)y * stride[c] + x];
        r[c] = plane_steps(img, h, w, p, g);
        free(img);
    }
    static const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
    const size_t n = (size_t)g->out_w * g->out_h;
    float *out = malloc(sizeof(float) * 3 * n);
    for (size_t i = 0; i < n; i++) {
        const double y = r[0][i], u = r[1][i] - 128, v = r[2][i] - 128;
        const double rgb[3] = {y + 1.402 * v, y - 0.344136 * u - 0.714136 * v, y + 1.772 * u};
        for (int c = 0; c < 3; c++)
            out[c * n + i] = (float)((fmin(fmax(rgb[c], 0), 255) / 255.0 - mean[c]) / sd[c]);
    }
    for (int c = 0; c < 3; c++)
        free(r[c]);
    return out;
}
