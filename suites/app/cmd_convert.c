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
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* a 1 GiB JPEG is past any camera's; the pipeline's own limits are lower */
#define CONVERT_MAX_BYTES (1 << 30)

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
    const size_t count = (size_t)c * h * w, hdr = (size_t)(total + pad);
    unsigned char *file = malloc(hdr + count * sizeof(float));
    if (!file)
        return -ENOMEM;
    const unsigned short hl = (unsigned short)(n + pad + 1);
    const unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 0xff),
                                   (unsigned char)(hl >> 8)};
    memcpy(file, pre, 10);
    memcpy(file + 10, header, (size_t)n);
    memset(file + 10 + n, ' ', (size_t)pad);
    file[hdr - 1] = '\n';
    memcpy(file + hdr, data, count * sizeof(float)); /* x86-64 and arm64: little-endian */
    /* whole or not at all: a full disk leaves no truncated .npy */
    int e = da3_write_atomic(path, file, hdr + count * sizeof(float));
    free(file);
    return e;
}

/* The input, read only if it can be a JPEG: a regular file (not a FIFO
 * that may never be written, not /dev/zero), no larger than the limit,
 * starting with the SOI marker. 0, or a message in err. */
static int read_jpeg(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        snprintf(err, errlen, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = -1;
    unsigned char soi[2];
    if (!S_ISREG(st.st_mode))
        snprintf(err, errlen, "not a regular file");
    else if (st.st_size > CONVERT_MAX_BYTES)
        snprintf(err, errlen, "%lld bytes: larger than the %d MiB a JPEG may have here",
                 (long long)st.st_size, CONVERT_MAX_BYTES >> 20);
    else if (pread(fd, soi, 2, 0) != 2 || soi[0] != 0xFF || soi[1] != 0xD8)
        snprintf(err, errlen, "not a JPEG file (no SOI marker)");
    else if (!(*buf = malloc((size_t)st.st_size ? (size_t)st.st_size : 1)))
        snprintf(err, errlen, "out of memory");
    else {
        size_t n = 0;
        while (n < (size_t)st.st_size) {
            ssize_t k = pread(fd, *buf + n, (size_t)st.st_size - n, (off_t)n);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            n += (size_t)k;
        }
        if (n == (size_t)st.st_size)
            *len = n, rc = 0;
        else
            snprintf(err, errlen, "%s", n ? "the file shrank while it was read" : strerror(errno));
    }
    close(fd);
    return rc;
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
    if (da3_cpu_init()) {
        fprintf(stderr, "da3bench convert: %s\n", da3_cpu_error());
        return 2;
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    char rerr[160];
    if (read_jpeg(in, &buf, &len, rerr, sizeof rerr)) {
        fprintf(stderr, "da3bench convert: %s: %s\n", in, rerr);
        free(buf);
        return 1;
    }
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
