/*
 * preprocess.h - DA3's input pipeline for one image, in C, as upstream's
 * InputProcessor does it (depth_anything_3/utils/io/input_processor.py):
 *
 *   1. decode the JPEG to RGB (TurboJPEG);
 *   2. resize: upper_bound_* scales the longest side to `res` (default 504),
 *      lower_bound_* the shortest; aspect kept, new size round(w*s) x
 *      round(h*s) with Python's round (half to even); area resampling when
 *      shrinking (OpenCV INTER_AREA), bicubic when enlarging (INTER_CUBIC,
 *      a = -0.75, replicated borders);
 *   3. *_resize: each side to the nearest multiple of 14 by a second small
 *      resize (ties go up; cubic if either side grows, else area);
 *      *_crop: a centred crop to the multiple of 14 below;
 *   4. planar float CHW, x/255, ImageNet mean (0.485, 0.456, 0.406) and std
 *      (0.229, 0.224, 0.225).
 * 1920x1080 gives 3 x 280 x 504.
 *
 * Both resizes and the crop are linear maps along each axis, so they are
 * composed into one set of weights per axis and applied in one separable
 * pass (vertical, then horizontal with the normalization fused), in float:
 * upstream rounds to uint8 after each OpenCV resize, so outputs agree to
 * within about one 8-bit step (0.02 after normalization).
 * A side that would round below 14 is kept at 14 (upstream would give a
 * size the model cannot take).
 *
 * Decode modes: full; dct = libjpeg-turbo's scaled IDCT at the smallest of
 * 1/8, 1/4, 1/2 whose output is still at least the first resize's target,
 * with chroma upsampled by replication (TJFLAG_FASTUPSAMPLE), then the same
 * resampling from that size.
 *
 * A da3_pp context holds a TurboJPEG handle and scratch buffers reused from
 * image to image; one per thread. Errors: negative codes, and
 * da3_pp_error() has a one-line message (corrupt or truncated data, not a
 * JPEG, out of memory).
 */
#ifndef DA3_PREPROCESS_H
#define DA3_PREPROCESS_H

#include "status.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    DA3_PP_UPPER_BOUND_RESIZE = 0,
    DA3_PP_LOWER_BOUND_RESIZE,
    DA3_PP_UPPER_BOUND_CROP,
    DA3_PP_LOWER_BOUND_CROP,
    DA3_PP_NMETHOD
} da3_pp_method;

typedef enum { DA3_PP_FULL = 0, DA3_PP_DCT = 1 } da3_pp_decode;

typedef struct {
    int res;              /* process_res, default 504 */
    da3_pp_method method; /* default upper_bound_resize */
    da3_pp_decode decode;
} da3_pp_params;

#define DA3_PP_PATCH 14
#define DA3_PP_MAX_PIXELS 100e6 /* larger JPEGs are refused, not decoded */
#define DA3_PP_DEFAULTS {504, DA3_PP_UPPER_BOUND_RESIZE, DA3_PP_FULL}

typedef struct {
    int src_w, src_h;       /* the JPEG's size */
    int dec_w, dec_h;       /* decoded size (smaller in dct mode) */
    int scale_num, scale_den;
    int rs_w, rs_h;         /* after the first resize */
    int out_w, out_h;       /* final: multiples of 14 */
    int crop_x, crop_y;     /* crop offset in the first resize (crop methods) */
    int first_cubic, second_cubic;
    /* dct mode on a YCbCr JPEG: decoded as its Y, Cb, Cr planes (no
     * upsampling, no colour conversion), each plane resized, and the
     * conversion made at the output size. Chroma planes are cw x ch. */
    int planar, subsamp, cw, ch;
} da3_pp_geom;

const char *da3_pp_method_name(da3_pp_method m);
int da3_pp_method_parse(const char *s); /* method or -1 */

/* Python 3's round() of a double: half to even. */
long da3_pp_round_half_even(double x);
/* Upstream's nearest multiple of p, ties up; at least p. */
int da3_pp_nearest_multiple(int x, int p);

/* The geometry for an image of w x h (the decode fields assume full decode). */
int da3_pp_geometry(int w, int h, const da3_pp_params *p, da3_pp_geom *g);

typedef struct da3_pp da3_pp;
da3_pp *da3_pp_new(void);
void da3_pp_free(da3_pp *pp);
const char *da3_pp_error(const da3_pp *pp);

/* Reads the header and fills *g for these parameters (dct scale included). */
int da3_pp_probe(da3_pp *pp, const uint8_t *jpeg, size_t len, const da3_pp_params *p,
                 da3_pp_geom *g);

/* The whole pipeline: writes 3 * out_h * out_w floats (CHW) to out. */
int da3_pp_run(da3_pp *pp, const uint8_t *jpeg, size_t len, const da3_pp_params *p, float *out,
               size_t out_floats, da3_pp_geom *g);

/* Only the decode to RGB, full size, into the context's buffer: the floor
 * the pipeline is measured against. Returns the buffer or NULL. */
const uint8_t *da3_pp_decode_only(da3_pp *pp, const uint8_t *jpeg, size_t len, int *w, int *h);

/* Decodes at 1/den (1, 2, 4 or 8) into the context's buffer; NULL on error. */
const uint8_t *da3_pp_decode_scaled(da3_pp *pp, const uint8_t *jpeg, size_t len, int den, int *w,
                                    int *h);

/* The plain double-precision reference of everything after decoding: rgb
 * (w x h, as decoded, so dec_w x dec_h) to CHW floats for geometry g.
 * Returns a malloc'd array of 3 * out_h * out_w floats, or NULL. */
float *da3_pp_reference(const uint8_t *rgb, int w, int h, const da3_pp_params *p,
                        const da3_pp_geom *g);
/* The same for the planar path: Y (dec_w x dec_h) and Cb, Cr (cw x ch)
 * planes, rows stride[i] bytes apart, resized in double, then converted. */
float *da3_pp_reference_planes(const uint8_t *const planes[3], const int stride[3],
                               const da3_pp_params *p, const da3_pp_geom *g);
/* Decodes jpeg as da3_pp_run would for (p, g) and returns the reference
 * computed from those very samples (malloc'd, 3 * out_h * out_w), or NULL
 * with the error set. What a check of da3_pp_run's output compares with. */
float *da3_pp_reference_jpeg(da3_pp *pp, const uint8_t *jpeg, size_t len, const da3_pp_params *p,
                             da3_pp_geom *g);

#endif
