/*
 * The resampling pass with the normalization fused, compiled per ISA.
 *
 *   1. for each row r the second vertical step reads: tmp = sum over py1's
 *      taps of weight * input row (only the columns px reads), then inter[r]
 *      = px applied to tmp (both horizontal steps composed), as three planes;
 *   2. for each output row and channel: the py2 taps over inter (the second
 *      vertical resize, or the crop), scaled and biased into the CHW output.
 * The two vertical steps are kept apart because composing them widens the
 * windows (4.8 + 3.8 taps for 1080 -> 284 -> 280) and the vertical pass is
 * the one over full-size rows.
 */
#include "resample.h"
#include "simd.h"

#include <math.h>
#include <string.h>

typedef float v4f __attribute__((vector_size(16)));

static inline v4f load4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* dst[lo..hi) = sum_t w[t] * rows[t][lo..hi) from uint8 rows, converted
 * on the fly and summed in registers: dst is written once, and no float
 * copy of the input is ever stored (stores cost more than the conversions
 * on the machines measured). */
#define VSUM_U8_FIXED(T)                                                                    \
    static void vsum_u8_##T(float *restrict dst, const uint8_t *const *rows, const float *w,  \
                            size_t i, size_t hi)                                            \
    {                                                                                       \
        vf wv[T];                                                                           \
        const uint8_t *rp[T];                                                               \
        for (int t = 0; t < (T); t++)                                                       \
            wv[t] = v_set1(w[t]), rp[t] = rows[t];                                          \
        for (; i + DA3_VW <= hi; i += DA3_VW) {                                             \
            vf acc = v_mul(wv[0], v_load_u8(rp[0] + i));                                    \
            for (int t = 1; t < (T); t++)                                                   \
                acc = v_fma(wv[t], v_load_u8(rp[t] + i), acc);                              \
            v_store(dst + i, acc);                                                          \
        }                                                                                   \
        for (; i < hi; i++) {                                                               \
            float acc = 0;                                                                  \
            for (int t = 0; t < (T); t++)                                                   \
                acc += w[t] * (float)rp[t][i];                                              \
            dst[i] = acc;                                                                   \
        }                                                                                   \
    }
VSUM_U8_FIXED(2)
VSUM_U8_FIXED(3)
VSUM_U8_FIXED(4)
VSUM_U8_FIXED(5)
VSUM_U8_FIXED(6)

static void vsum_u8(float *restrict dst, const uint8_t *const *rows, const float *w, int taps,
                    size_t lo, size_t hi)
{
    switch (taps) { /* the common window sizes, unrolled */
    case 2: vsum_u8_2(dst, rows, w, lo, hi); return;
    case 3: vsum_u8_3(dst, rows, w, lo, hi); return;
    case 4: vsum_u8_4(dst, rows, w, lo, hi); return;
    case 5: vsum_u8_5(dst, rows, w, lo, hi); return;
    case 6: vsum_u8_6(dst, rows, w, lo, hi); return;
    default: break;
    }
    vf wv[64];
    for (int t = 0; t < taps; t++)
        wv[t] = v_set1(w[t]);
    size_t i = lo;
    for (; i + DA3_VW <= hi; i += DA3_VW) {
        vf acc = v_mul(wv[0], v_load_u8(rows[0] + i));
        for (int t = 1; t < taps; t++)
            acc = v_fma(wv[t], v_load_u8(rows[t] + i), acc);
        v_store(dst + i, acc);
    }
    for (; i < hi; i++) {
        float acc = 0;
        for (int t = 0; t < taps; t++)
            acc += w[t] * (float)rows[t][i];
        dst[i] = acc;
    }
}

/* dst[lo..hi) = bias + sum_t w[t] * rows[t][lo..hi), two rows per pass */
static void vsum_f32(float *restrict dst, const float *const *rows, const float *w, int taps,
                     float bias, size_t lo, size_t hi)
{
    if (taps < 1) {
        for (size_t i = lo; i < hi; i++)
            dst[i] = bias;
        return;
    }
    const float w0 = w[0];
    const float *r0 = rows[0];
    for (size_t i = lo; i < hi; i++)
        dst[i] = w0 * r0[i] + bias;
    int t = 1;
    for (; t + 1 < taps; t += 2) {
        const float *a = rows[t], *b = rows[t + 1];
        const float wa = w[t], wb = w[t + 1];
        for (size_t i = lo; i < hi; i++)
            dst[i] += wa * a[i] + wb * b[i];
    }
    if (t < taps) {
        const float *a = rows[t];
        const float wa = w[t];
        for (size_t i = lo; i < hi; i++)
            dst[i] += wa * a[i];
    }
}

/* dst planes (R, G, B; stride pstride) at x = sum_t w[x][t] * src pixel
 * start[x] + t. A uniform plan (every output maxtaps taps) takes an
 * unrolled loop. */
#define HPASS_FIXED(T)                                                                      \
    for (int x = 0; x < W; x++) {                                                           \
        const float *wx = px->w + (size_t)x * (T);                                          \
        const float *p = src + (size_t)px->start[x] * 3;                                    \
        v4f acc = wx[0] * load4(p);                                                         \
        for (int t = 1; t < (T); t++)                                                       \
            acc += wx[t] * load4(p + 3 * t); /* R G B and the next R, unused */            \
        dst[x] = acc[0], dst[x + pstride] = acc[1], dst[x + 2 * pstride] = acc[2];          \
    }

static void hpass(const float *src, const da3_rs_plan *px, int uniform, float *restrict dst,
                  size_t pstride)
{
    const int W = px->n_out;
    switch (uniform ? px->maxtaps : 0) {
    case 2: HPASS_FIXED(2) break;
    case 3: HPASS_FIXED(3) break;
    case 4: HPASS_FIXED(4) break;
    case 5: HPASS_FIXED(5) break;
    case 6: HPASS_FIXED(6) break;
    case 7: HPASS_FIXED(7) break;
    case 8: HPASS_FIXED(8) break;
    default:
        for (int x = 0; x < W; x++) {
            const float *wx = px->w + (size_t)x * px->maxtaps;
            const float *p = src + (size_t)px->start[x] * 3;
            v4f acc = {0, 0, 0, 0};
            for (int t = 0; t < px->ntaps[x]; t++)
                acc += wx[t] * load4(p + 3 * t);
            dst[x] = acc[0], dst[x + pstride] = acc[1], dst[x + 2 * pstride] = acc[2];
        }
    }
}

#define RING 64 /* the most taps a window may have */

void DA3_FN(da3_pp_apply)(const uint8_t *rgb, int w, const da3_rs_plan *px,
                          const da3_rs_plan *py1, const da3_rs_plan *py2, const float scale[3],
                          const float bias[3], float *tmp, float *inter, float *out)
{
    const int W = px->n_out, H = py2->n_out;
    const size_t plane = (size_t)W * H, rw = (size_t)w * 3;
    int c0 = px->start[0], c1 = 0, r0 = py2->start[0], r1 = 0, uniform = 1;
    for (int x = 0; x < W; x++) {
        c0 = px->start[x] < c0 ? px->start[x] : c0;
        c1 = px->start[x] + px->ntaps[x] > c1 ? px->start[x] + px->ntaps[x] : c1;
        uniform &= px->ntaps[x] == px->maxtaps;
    }
    for (int y = 0; y < H; y++) {
        r0 = py2->start[y] < r0 ? py2->start[y] : r0;
        r1 = py2->start[y] + py2->ntaps[y] > r1 ? py2->start[y] + py2->ntaps[y] : r1;
    }
    const size_t lo = (size_t)c0 * 3, hi = (size_t)c1 * 3;
    const size_t istride = (size_t)W * (size_t)py1->n_out; /* one plane of inter */
    const uint8_t *rows[RING];
    for (int r = r0; r < r1; r++) {
        const int taps = py1->ntaps[r] < RING ? py1->ntaps[r] : RING;
        for (int t = 0; t < taps; t++)
            rows[t] = rgb + (size_t)(py1->start[r] + t) * rw;
        vsum_u8(tmp, rows, py1->w + (size_t)r * py1->maxtaps, taps, lo, hi);
        hpass(tmp, px, uniform, inter + (size_t)r * W, istride);
    }
    for (int c = 0; c < 3; c++) {
        const float *ip = inter + (size_t)c * istride;
        for (int y = 0; y < H; y++) {
            const float *wy = py2->w + (size_t)y * py2->maxtaps;
            float *o = out + (size_t)c * plane + (size_t)y * W;
            const float *a = ip + (size_t)py2->start[y] * W;
            const float sc = scale[c], bi = bias[c];
            const float *rws[RING];
            float wts[RING];
            const int taps = py2->ntaps[y] < RING ? py2->ntaps[y] : RING;
            for (int t = 0; t < taps; t++)
                rws[t] = a + (size_t)t * W, wts[t] = wy[t] * sc;
            vsum_f32(o, rws, wts, taps, bi, 0, (size_t)W);
        }
    }
}

/* One channel, four rows at once: src holds four rows interleaved
 * (src[4 * i + r] is sample i of row r), so each output's taps are four
 * rows wide, one v4f: dst[r][x] = sum_t w[x][t] * src[4 * (start[x] + t) + r]
 * for r < nr. The same trick as the RGB pass's three channels. */
#define HPASS4_FIXED(T)                                                                     \
    for (int x = 0; x < W; x++) {                                                           \
        const float *wx = px->w + (size_t)x * (T);                                          \
        const float *p = src + (size_t)px->start[x] * 4;                                    \
        v4f acc = wx[0] * load4(p);                                                         \
        for (int t = 1; t < (T); t++)                                                       \
            acc += wx[t] * load4(p + 4 * t);                                                \
        for (int r = 0; r < nr; r++)                                                        \
            dst[(size_t)r * W + x] = acc[r];                                                \
    }

static void hpass4(const float *src, const da3_rs_plan *px, int uniform, int nr,
                   float *restrict dst)
{
    const int W = px->n_out;
    switch (uniform ? px->maxtaps : 0) {
    case 2: HPASS4_FIXED(2) break;
    case 3: HPASS4_FIXED(3) break;
    case 4: HPASS4_FIXED(4) break;
    case 5: HPASS4_FIXED(5) break;
    case 6: HPASS4_FIXED(6) break;
    default:
        for (int x = 0; x < W; x++) {
            const float *wx = px->w + (size_t)x * px->maxtaps;
            const float *p = src + (size_t)px->start[x] * 4;
            v4f acc = {0, 0, 0, 0};
            for (int t = 0; t < px->ntaps[x]; t++)
                acc += wx[t] * load4(p + 4 * t);
            for (int r = 0; r < nr; r++)
                dst[(size_t)r * W + x] = acc[r];
        }
    }
}

void DA3_FN(da3_pp_apply_plane)(const uint8_t *src, size_t stride, int w, const da3_rs_plan *px,
                                const da3_rs_plan *py, float *tmp, float *out)
{
    const int W = px->n_out, H = py->n_out;
    int c0 = px->start[0], c1 = 0, uniform = 1;
    for (int x = 0; x < W; x++) {
        c0 = px->start[x] < c0 ? px->start[x] : c0;
        c1 = px->start[x] + px->ntaps[x] > c1 ? px->start[x] + px->ntaps[x] : c1;
        uniform &= px->ntaps[x] == px->maxtaps;
    }
    const size_t tw = (size_t)w;
    float *quad = tmp + 4 * tw; /* the four rows interleaved */
    const uint8_t *rows[RING];
    for (int y = 0; y < H; y += 4) {
        const int nr = H - y < 4 ? H - y : 4;
        for (int r = 0; r < nr; r++) {
            const int taps = py->ntaps[y + r] < RING ? py->ntaps[y + r] : RING;
            for (int t = 0; t < taps; t++)
                rows[t] = src + (size_t)(py->start[y + r] + t) * stride;
            vsum_u8(tmp + r * tw, rows, py->w + (size_t)(y + r) * py->maxtaps, taps, (size_t)c0,
                    (size_t)c1);
        }
        const float *r0 = tmp, *r1 = tmp + (nr > 1 ? 1 : 0) * tw,
                    *r2 = tmp + (nr > 2 ? 2 : 0) * tw, *r3 = tmp + (nr > 3 ? 3 : 0) * tw;
        for (int i = c0; i < c1; i++) {
            float *q = quad + 4 * (size_t)i;
            q[0] = r0[i], q[1] = r1[i], q[2] = r2[i], q[3] = r3[i];
        }
        hpass4(quad, px, uniform, nr, out + (size_t)y * W);
    }
}

/* In place: planes Y, Cb, Cr (n floats each, 0..255) to normalized R, G, B,
 * with JFIF's conversion and each of R, G, B clamped to [0, 255] as a
 * decoder's would be. */
void DA3_FN(da3_pp_ycc_normalize)(float *out, size_t n, const float scale[3], const float bias[3])
{
    float *y = out, *cb = out + n, *cr = out + 2 * n;
    const vf k_rv = v_set1(1.402f), k_gu = v_set1(-0.344136f), k_gv = v_set1(-0.714136f),
             k_bu = v_set1(1.772f), c128 = v_set1(128.0f), lo = v_zero(), hi = v_set1(255.0f);
    const vf s0 = v_set1(scale[0]), s1 = v_set1(scale[1]), s2 = v_set1(scale[2]);
    const vf b0 = v_set1(bias[0]), b1 = v_set1(bias[1]), b2 = v_set1(bias[2]);
    size_t i = 0;
    for (; i + DA3_VW <= n; i += DA3_VW) {
        const vf Y = v_load(y + i), U = v_sub(v_load(cb + i), c128),
                 V = v_sub(v_load(cr + i), c128);
        const vf R = v_min(v_max(v_fma(k_rv, V, Y), lo), hi);
        const vf G = v_min(v_max(v_fma(k_gv, V, v_fma(k_gu, U, Y)), lo), hi);
        const vf B = v_min(v_max(v_fma(k_bu, U, Y), lo), hi);
        v_store(y + i, v_fma(R, s0, b0));
        v_store(cb + i, v_fma(G, s1, b1));
        v_store(cr + i, v_fma(B, s2, b2));
    }
    for (; i < n; i++) {
        const float Y = y[i], U = cb[i] - 128.0f, V = cr[i] - 128.0f;
        const float R = fminf(fmaxf(Y + 1.402f * V, 0.0f), 255.0f);
        const float G = fminf(fmaxf(Y - 0.344136f * U - 0.714136f * V, 0.0f), 255.0f);
        const float B = fminf(fmaxf(Y + 1.772f * U, 0.0f), 255.0f);
        y[i] = R * scale[0] + bias[0];
        cb[i] = G * scale[1] + bias[1];
        cr[i] = B * scale[2] + bias[2];
    }
}

const da3_pp_fns DA3_CAT(da3_pp_fns, DA3_ISA) = {
    .apply = DA3_FN(da3_pp_apply),
    .plane = DA3_FN(da3_pp_apply_plane),
    .ycc = DA3_FN(da3_pp_ycc_normalize),
};
