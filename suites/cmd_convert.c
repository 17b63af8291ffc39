/*
 * da3bench convert IMAGE.jpg -o TENSOR.npy [--res 504]
 *                 [--method upper_bound_resize] [--decode full|dct]
 * Runs the preprocessing pipeline on one file and writes the float32 CHW
 * tensor as a NumPy .npy file (format 1.0, little-endian, C order), so its
 * parity with upstream DA3's own preprocessing can be checked in Python.
 */
#include "commands.h"
#include "fixtures.h"
#include "cpu.h"
#include "preprocess.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    puts("usage: da3bench convert IMAGE.jpg -o TENSOR.npy [--res 504]\n"
         "                        [--method upper_bound_resize|lower_bound_resize|\n"
         "                                  upper_bound_crop|lower_bound_crop]\n"
         "                        [--decode full|dct]\n"
         "\n"
         "Writes the preprocessed float32 tensor, shape (3, H, W), as a .npy file:\n"
         "np.load('TENSOR.npy') gives what DA3's InputProcessor feeds the model.");
}

static int write_npy(const char *path, const float *data, int c, int h, int w)
{
    char header[128];
    int n = snprintf(header, sizeof header,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d), }", c, h, w);
    /* magic (6) + version (2) + length (2) + header, padded with spaces
     * and a newline to a multiple of 64 */
    int total = 10 + n + 1;
    int pad = (64 - total % 64) % 64;
    FILE *f = fopen(path, "wb");
    if (!f)
        return -errno;
    const unsigned short hl = (unsigned short)(n + pad + 1);
    const unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 0xff),
                                   (unsigned char)(hl >> 8)};
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(header, 1, (size_t)n, f) == (size_t)n;
    for (int i = 0; i < pad && ok; i++)
        ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF;
    const size_t count = (size_t)c * h * w;
    ok = ok && fwrite(data, sizeof(float), count, f) == count; /* x86-64 and arm64: little-endian */
    if (fclose(f) || !ok)
        return -EIO;
    return 0;
}

int da3_cmd_convert(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    da3_pp_params p = DA3_PP_DEFAULTS;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        }
        if (a[0] != '-') {
            if (in) {
                fprintf(stderr, "da3bench convert: one image at a time ('%s' and '%s')\n", in, a);
                return 2;
            }
            in = a;
            continue;
        }
        const char *v = i + 1 < argc ? argv[++i] : "";
        long n;
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            out = v;
        } else if (!strcmp(a, "--res")) {
            if (da3_parse_int(v, DA3_PP_PATCH, 8192, &n)) {
                fprintf(stderr, "da3bench convert: --res '%s': expected 14..8192\n", v);
                return 2;
            }
            p.res = (int)n;
        } else if (!strcmp(a, "--method")) {
            int m = da3_pp_method_parse(v);
            if (m < 0) {
                fprintf(stderr, "da3bench convert: --method '%s': unknown\n", v);
                return 2;
            }
            p.method = (da3_pp_method)m;
        } else if (!strcmp(a, "--decode")) {
            if (strcmp(v, "full") && strcmp(v, "dct")) {
                fprintf(stderr, "da3bench convert: --decode '%s': expected full or dct\n", v);
                return 2;
            }
            p.decode = strcmp(v, "dct") ? DA3_PP_FULL : DA3_PP_DCT;
        } else {
            fprintf(stderr, "da3bench convert: unknown flag '%s'\n", a);
            return 2;
        }
    }
    if (!in || !out || !*out) {
        fprintf(stderr, "da3bench convert: need IMAGE.jpg and -o TENSOR.npy (see --help)\n");
        return 2;
    }
    size_t cap = 0;
    uint8_t *buf = NULL;
    const long rlen = da3_fix_read_file(in, &buf, &cap);
    if (rlen < 0) {
        fprintf(stderr, "da3bench convert: %s: %s\n", in, strerror((int)-rlen));
        free(buf);
        return 1;
    }
    const size_t len = (size_t)rlen;
    da3_cpu_init();
    da3_pp *pp = da3_pp_new();
    da3_pp_geom g;
    int rc = 1;
    if (!buf || !pp) {
        fprintf(stderr, "da3bench convert: %s: out of memory\n", in);
        goto out;
    }
    if (da3_pp_probe(pp, buf, len, &p, &g)) {
        fprintf(stderr, "da3bench convert: %s: %s\n", in, da3_pp_error(pp));
        goto out;
    }
    size_t n = (size_t)3 * g.out_w * g.out_h;
    float *t = malloc(sizeof(float) * n);
    if (!t || da3_pp_run(pp, buf, len, &p, t, n, &g)) {
        fprintf(stderr, "da3bench convert: %s: %s\n", in, t ? da3_pp_error(pp) : "out of memory");
        free(t);
        goto out;
    }
    int e = write_npy(out, t, 3, g.out_h, g.out_w);
    free(t);
    if (e) {
        fprintf(stderr, "da3bench convert: %s: %s\n", out, strerror(-e));
        goto out;
    }
    printf("%s: %dx%d -> %s (3, %d, %d) float32, %s, %s decode\n", in, g.src_w, g.src_h, out,
           g.out_h, g.out_w, da3_pp_method_name(p.method), p.decode ? "dct" : "full");
    rc = 0;
out:
    da3_pp_free(pp);
    free(buf);
    return rc;
}
