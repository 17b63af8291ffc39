/*
 * The preprocessing pipeline against the plain reference (two separate
 * OpenCV-style resizes in double, each straight from its formula, then the
 * crop, then ImageNet normalization), on JPEGs encoded in the test; the geometry of upstream's
 * methods on edge sizes; bad inputs (empty, truncated, PNG, random bytes)
 * giving an error and never a crash.
 *
 * The reference (kernels/preprocess/reference.c) is a separate, plain
 * implementation in double. Tolerance: 2e-3 after normalization (about 0.1
 * of an 8-bit step): the kernel composes the two horizontal steps into one
 * set of float weights.
 *
 * With --bench, the reference cases timed at every ISA level (decode and
 * resize together, as a run does; tests/bench.h).
 */
#include "cpu.h"
#include "fixtures.h"
#include "preprocess.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include "check.h"
#include "bench.h"


static uint8_t *encode(const da3_fix_params *fp, int index, unsigned long *len, uint8_t **rgb_out)
{
    uint8_t *rgb = malloc((size_t)fp->width * fp->height * 3);
    da3_fix_render(fp, index, rgb);
    tjhandle tj = tjInitCompress();
    unsigned char *jpg = NULL;
    tjCompress2(tj, rgb, fp->width, 0, fp->height, TJPF_RGB, &jpg, len, TJSAMP_420, 95, 0);
    tjDestroy(tj);
    *rgb_out = rgb;
    return jpg;
}

static void test_geometry(void)
{
    static const struct {
        int w, h, method, out_w, out_h, rs_w, rs_h;
    } cases[] = {
        {1920, 1080, DA3_PP_UPPER_BOUND_RESIZE, 504, 280, 504, 284},
        {1080, 1920, DA3_PP_UPPER_BOUND_RESIZE, 280, 504, 284, 504},
        {504, 504, DA3_PP_UPPER_BOUND_RESIZE, 504, 504, 504, 504},
        {100, 3000, DA3_PP_UPPER_BOUND_RESIZE, 14, 504, 17, 504},
        {14, 14, DA3_PP_UPPER_BOUND_RESIZE, 504, 504, 504, 504},
        {1, 1, DA3_PP_UPPER_BOUND_RESIZE, 504, 504, 504, 504},
        {1920, 1080, DA3_PP_LOWER_BOUND_RESIZE, 896, 504, 896, 504},
        {1920, 1080, DA3_PP_UPPER_BOUND_CROP, 504, 280, 504, 284},
        {100, 3000, DA3_PP_UPPER_BOUND_CROP, 14, 504, 17, 504},
        {1920, 1080, DA3_PP_LOWER_BOUND_CROP, 896, 504, 896, 504},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        da3_pp_params p = DA3_PP_DEFAULTS;
        p.method = cases[i].method;
        da3_pp_geom g;
        int rc = da3_pp_geometry(cases[i].w, cases[i].h, &p, &g);
        CHECK(rc == 0 && g.out_w == cases[i].out_w && g.out_h == cases[i].out_h &&
                  g.rs_w == cases[i].rs_w && g.rs_h == cases[i].rs_h,
              "%dx%d %s: got rs %dx%d out %dx%d", cases[i].w, cases[i].h,
              da3_pp_method_name(p.method), g.rs_w, g.rs_h, g.out_w, g.out_h);
    }
    /* Python's round: 283.5 -> 284 (even), 282.5 -> 282; ties of the
     * nearest multiple go up */
    CHECK(da3_pp_round_half_even(283.5) == 284 && da3_pp_round_half_even(282.5) == 282, "round");
    CHECK(da3_pp_nearest_multiple(21, 14) == 28 && da3_pp_nearest_multiple(20, 14) == 14 &&
              da3_pp_nearest_multiple(3, 14) == 14, "nearest multiple");
    da3_pp_params bad = DA3_PP_DEFAULTS;
    da3_pp_geom g;
    bad.res = 0;
    CHECK(da3_pp_geometry(10, 10, &bad, &g) == DA3_EARG, "res 0 refused");
}

typedef struct {
    int w, h, method, res;
} ref_case;

static const ref_case ref_cases[] = {
    {640, 360, DA3_PP_UPPER_BOUND_RESIZE, 504}, /* enlarges: cubic */
    {640, 360, DA3_PP_UPPER_BOUND_RESIZE, 210}, /* shrinks: area */
    {301, 97, DA3_PP_LOWER_BOUND_RESIZE, 140},
    {333, 500, DA3_PP_UPPER_BOUND_CROP, 200},
    {50, 30, DA3_PP_LOWER_BOUND_CROP, 100},
    {1920, 1080, DA3_PP_UPPER_BOUND_RESIZE, 504},
};

static void test_against_reference(void)
{
    const ref_case *cases = ref_cases;
    da3_pp *pp = da3_pp_new();
    for (size_t i = 0; i < sizeof ref_cases / sizeof *ref_cases; i++) {
        da3_fix_params fp = DA3_FIX_DEFAULTS;
        fp.width = cases[i].w, fp.height = cases[i].h;
        unsigned long len;
        uint8_t *rgb, *jpg = encode(&fp, (int)i, &len, &rgb);
        da3_pp_params p = {cases[i].res, cases[i].method, DA3_PP_FULL};
        da3_pp_geom g;
        size_t cap = (size_t)3 * 2048 * 2048;
        float *out = malloc(sizeof(float) * cap);
        int rc = da3_pp_run(pp, jpg, len, &p, out, cap, &g);
        CHECK(rc == 0, "run %dx%d: %s", cases[i].w, cases[i].h, da3_pp_error(pp));
        if (rc == 0) {
            /* the reference starts from the same decoded pixels */
            int dw, dh;
            const uint8_t *dec = da3_pp_decode_only(pp, jpg, len, &dw, &dh);
            float *ref = da3_pp_reference(dec, dw, dh, &p, &g);
            double err = 0;
            for (size_t k = 0; k < (size_t)3 * g.out_w * g.out_h; k++)
                err = fmax(err, fabs(ref[k] - out[k]));
            CHECK(err < 2e-3, "%dx%d %s res %d: max error %.3g against the reference",
                  cases[i].w, cases[i].h, da3_pp_method_name(p.method), p.res, err);
            free(ref);
            /* dct mode: same shape, close values */
            p.decode = DA3_PP_DCT;
            da3_pp_geom g2;
            float *out2 = malloc(sizeof(float) * cap);
            CHECK(da3_pp_run(pp, jpg, len, &p, out2, cap, &g2) == 0 && g2.out_w == g.out_w &&
                      g2.out_h == g.out_h, "dct shape");
            /* and exact against the reference of the samples it decoded
             * (Y, Cb, Cr planes when planar) */
            float *ref2 = da3_pp_reference_jpeg(pp, jpg, len, &p, &g2);
            double err2 = 0, mse = 0;
            const size_t nf = (size_t)3 * g.out_w * g.out_h;
            for (size_t k = 0; ref2 && k < nf; k++) {
                err2 = fmax(err2, fabs(ref2[k] - out2[k]));
                const double d = (out[k] - out2[k]) * 0.229 * 255;
                mse += d * d / (double)nf;
            }
            CHECK(ref2 && err2 < 2e-3, "dct %dx%d %s res %d (planar %d): max error %.3g",
                  cases[i].w, cases[i].h, da3_pp_method_name(p.method), p.res, g2.planar, err2);
            /* close to the full decode: PSNR above 30 dB even on these
             * small synthetic images */
            CHECK(mse < 255.0 * 255.0 / 1e3, "dct %dx%d: PSNR %.1f dB against full", cases[i].w,
                  cases[i].h, 10 * log10(255.0 * 255.0 / mse));
            free(ref2);
            free(out2);
        }
        free(out), free(rgb);
        tjFree(jpg);
    }
    da3_pp_free(pp);
}

static void test_bad_inputs(void)
{
    da3_pp *pp = da3_pp_new();
    da3_fix_params fp = DA3_FIX_DEFAULTS;
    fp.width = 320, fp.height = 200;
    unsigned long len;
    uint8_t *rgb, *jpg = encode(&fp, 0, &len, &rgb);
    da3_pp_params p = DA3_PP_DEFAULTS;
    da3_pp_geom g;
    static float out[3 * 504 * 504];
    const size_t cap = sizeof out / sizeof *out;
    CHECK(da3_pp_run(pp, jpg, 0, &p, out, cap, &g) == DA3_EDATA, "empty");
    CHECK(da3_pp_run(pp, jpg, len / 2, &p, out, cap, &g) == DA3_EDATA && *da3_pp_error(pp),
          "truncated: %s", da3_pp_error(pp));
    CHECK(da3_pp_run(pp, jpg, 300, &p, out, cap, &g) == DA3_EDATA, "header only");
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
    CHECK(da3_pp_run(pp, png, sizeof png, &p, out, cap, &g) == DA3_EDATA, "PNG");
    uint8_t junk[4096];
    unsigned s = 12345;
    for (int k = 0; k < 4096; k++)
        junk[k] = (uint8_t)((s = s * 1103515245u + 12345u) >> 16);
    junk[0] = 0xff, junk[1] = 0xd8; /* a SOI marker, then garbage */
    CHECK(da3_pp_run(pp, junk, sizeof junk, &p, out, cap, &g) < 0, "random bytes after SOI");
    /* a corrupt body: flip bytes in the entropy-coded data */
    uint8_t *bad = malloc(len);
    memcpy(bad, jpg, len);
    for (unsigned long k = len / 2; k < len / 2 + 64; k++)
        bad[k] ^= 0x5a;
    int rc = da3_pp_run(pp, bad, len, &p, out, cap, &g);
    CHECK(rc == 0 || rc == DA3_EDATA, "corrupt body gives a result or an error, rc %d", rc);
    CHECK(da3_pp_run(pp, jpg, len, &p, out, 10, &g) == DA3_ESPACE, "small output buffer");
    CHECK(da3_pp_run(pp, jpg, len, &p, out, cap, &g) == 0, "the good file after the bad ones");
    free(bad), free(rgb);
    tjFree(jpg);
    da3_pp_free(pp);
}

/* --bench: each reference case, decode and preprocess, at every level */
typedef struct {
    da3_pp *pp;
    const uint8_t *jpg;
    unsigned long len;
    da3_pp_params p;
    float *out;
    size_t cap;
} pp_call;

static int pp_call_run(void *ctx)
{
    pp_call *c = ctx;
    da3_pp_geom g;
    return da3_pp_run(c->pp, c->jpg, c->len, &c->p, c->out, c->cap, &g);
}

static int bench_all(void)
{
    int bad = 0;
    pp_call c = {da3_pp_new(), NULL, 0, DA3_PP_DEFAULTS, NULL, (size_t)3 * 2048 * 2048};
    c.out = malloc(sizeof(float) * c.cap);
    for (size_t i = 0; c.pp && c.out && i < sizeof ref_cases / sizeof *ref_cases; i++) {
        da3_fix_params fp = DA3_FIX_DEFAULTS;
        fp.width = ref_cases[i].w, fp.height = ref_cases[i].h;
        uint8_t *rgb, *jpg = encode(&fp, (int)i, &c.len, &rgb);
        c.jpg = jpg;
        for (int mode = 0; mode < 2; mode++) {
            c.p = (da3_pp_params){ref_cases[i].res, ref_cases[i].method,
                                  mode ? DA3_PP_DCT : DA3_PP_FULL};
            char what[96];
            snprintf(what, sizeof what, "preprocess/%s %dx%d %s res %d",
                     mode ? "dct" : "full", fp.width, fp.height,
                     da3_pp_method_name(c.p.method), c.p.res);
            bad += bench_case(what, bench_set_isa, pp_call_run, &c);
        }
        free(rgb);
        tjFree(jpg);
    }
    if (!c.pp || !c.out)
        bad++;
    free(c.out);
    da3_pp_free(c.pp);
    return bad;
}

int main(int argc, char **argv)
{
    if (bench_args(argc, argv))
        return 2;
    da3_cpu_init();
    for (int isa = 0; isa < DA3_ISA_COUNT; isa++) {
        if (!da3_cpu_has(isa))
            continue;
        da3_cpu_set_isa(isa);
        test_against_reference();
    }
    test_geometry();
    test_bad_inputs();
    printf("preprocess: %d failures\n", failures);
    if (failures || !bench_ms)
        return failures != 0;
    const int bad = bench_all();
    da3_cpu_set_isa(da3_cpu_best_isa());
    printf("preprocess: %d cases timed, %d could not be\n", bench_rows, bad);
    return bad || !bench_rows;
}
