/*
 * resample.h - private to kernels/preprocess: one-axis resampling plans.
 * A plan maps n_in samples to n_out: output i is the weighted sum of inputs
 * start[i] .. start[i] + ntaps[i] - 1 with weights w[i * maxtaps + t].
 * Plans compose (a resize followed by another, or by a crop), so a chain of
 * OpenCV-style resizes becomes one pass per axis.
 */
#ifndef DA3_RESAMPLE_H
#define DA3_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int n_in, n_out, maxtaps;
    int *start, *ntaps;
    float *w;
} da3_rs_plan;

/* OpenCV INTER_AREA for n_out <= n_in (each output averages the input
 * interval it covers); identity when equal. 0 or -1 (no memory, bad sizes). */
int da3_rs_area(int n_in, int n_out, da3_rs_plan *p);
/* OpenCV INTER_CUBIC: a = -0.75, half-pixel centres, replicated borders. */
int da3_rs_cubic(int n_in, int n_out, da3_rs_plan *p);
/* OpenCV INTER_LINEAR: half-pixel centres, replicated borders. */
int da3_rs_linear(int n_in, int n_out, da3_rs_plan *p);
/* out = b after a (a.n_out == b.n_in). */
int da3_rs_compose(const da3_rs_plan *a, const da3_rs_plan *b, da3_rs_plan *out);
/* out[k] = a[k + offset] for k < n, clamped to a's last output. */
int da3_rs_crop(const da3_rs_plan *a, int offset, int n, da3_rs_plan *out);
void da3_rs_free(da3_rs_plan *p);
/* Gives every output maxtaps taps (zero weights padded, windows shifted
 * inside [0, n_in)), so loops over taps have one trip count. -1 if n_in <
 * maxtaps, and the plan is left as it was. */
int da3_rs_uniform(da3_rs_plan *p);

/* Per-ISA: RGB8 interleaved (w x h) into planar CHW floats,
 * out = v * scale[c] + bias[c]: px maps w -> W (both horizontal steps),
 * py1 h -> the intermediate height, py2 the intermediate -> H.
 * tmp holds max(w, W) * 3 + 4 floats, inter py1->n_out * W * 3 floats
 * (three planes). Windows are cut at 64 taps (a 64x shrink). */
#define DA3_PP_APPLY_ARGS                                                                   \
    const uint8_t *rgb, int w, const da3_rs_plan *px, const da3_rs_plan *py1,               \
        const da3_rs_plan *py2, const float scale[3], const float bias[3], float *tmp,     \
        float *inter, float *out
typedef void (*da3_pp_apply_fn)(DA3_PP_APPLY_ARGS);
void da3_pp_apply_scalar(DA3_PP_APPLY_ARGS);
void da3_pp_apply_avx2(DA3_PP_APPLY_ARGS);
void da3_pp_apply_avx512(DA3_PP_APPLY_ARGS);
void da3_pp_apply_neon(DA3_PP_APPLY_ARGS);

/* Per-ISA, one channel: an 8-bit plane w samples wide (rows stride bytes
 * apart) to a float plane of px->n_out x py->n_out, no scaling: per four
 * output rows, py's taps (both vertical steps composed: on the planes of a
 * scaled decode the windows stay narrow), then px's over the four rows at
 * once. tmp holds 8 * w floats. */
#define DA3_PP_PLANE_ARGS                                                                   \
    const uint8_t *src, size_t stride, int w, const da3_rs_plan *px, const da3_rs_plan *py, \
        float *tmp, float *out
typedef void (*da3_pp_plane_fn)(DA3_PP_PLANE_ARGS);
void da3_pp_apply_plane_scalar(DA3_PP_PLANE_ARGS);
void da3_pp_apply_plane_avx2(DA3_PP_PLANE_ARGS);
void da3_pp_apply_plane_avx512(DA3_PP_PLANE_ARGS);
void da3_pp_apply_plane_neon(DA3_PP_PLANE_ARGS);

/* Per-ISA, in place: three planes Y, Cb, Cr of n floats to the normalized
 * R, G, B planes (JFIF conversion, each clamped to 0..255 first). */
#define DA3_PP_YCC_ARGS float *out, size_t n, const float scale[3], const float bias[3]
typedef void (*da3_pp_ycc_fn)(DA3_PP_YCC_ARGS);
void da3_pp_ycc_normalize_scalar(DA3_PP_YCC_ARGS);
void da3_pp_ycc_normalize_avx2(DA3_PP_YCC_ARGS);
void da3_pp_ycc_normalize_avx512(DA3_PP_YCC_ARGS);
void da3_pp_ycc_normalize_neon(DA3_PP_YCC_ARGS);

/* The per-ISA passes of one level (apply.c, compiled per level), and the
 * dispatch every family shares (cpu.h): C first, each level of the mask
 * overriding it in order. */
typedef struct {
    da3_pp_apply_fn apply;
    da3_pp_plane_fn plane;
    da3_pp_ycc_fn ycc;
} da3_pp_fns;
extern const da3_pp_fns da3_pp_fns_scalar, da3_pp_fns_avx2, da3_pp_fns_avx512, da3_pp_fns_neon;
void da3_pp_dsp_init(da3_pp_fns *dsp, unsigned isa_mask);

#endif
