/*
 * da3bench fixtures gen|verify: the deterministic JPEG sets.
 *   gen    [--dir D] [--count 50] [--size 1920x1080] [--kind natural|noise]
 *          [--quality 90] [--seed S]
 *   verify [--dir D]
 */
#include "commands.h"
#include "cpu.h"
#include "fixtures.h"

#include "da3_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *da3_fixtures_dir(const char *flag)
{
    const char *env = getenv("DA3BENCH_FIXTURES");
    return flag && *flag ? flag : env && *env ? env : DA3_BUILD_DIR "/fixtures-cache";
}

/* strtol also takes leading blanks and a '+': the parsers below want a
 * digit first, so " 5", "+5" and "640x+480" are refused */
static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int da3_parse_size(const char *s, int *w, int *h)
{
    char *end;
    errno = 0;
    if (!is_digit(s[0]))
        return -1;
    long a = strtol(s, &end, 10);
    if (errno || end == s || *end != 'x' || a < 1 || a > 16384)
        return -1;
    const char *p = end + 1;
    if (!is_digit(p[0]))
        return -1;
    long b = strtol(p, &end, 10);
    if (errno || end == p || *end || b < 1 || b > 16384)
        return -1;
    *w = (int)a, *h = (int)b;
    return 0;
}

int da3_parse_int(const char *s, long lo, long hi, long *out)
{
    if (!is_digit(s[0]) && !(s[0] == '-' && is_digit(s[1])))
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static void usage(void)
{
    puts("usage: da3bench fixtures gen [--dir D] [--count 50] [--size 1920x1080]\n"
         "                             [--kind natural|noise] [--quality 90] [--seed S]\n"
         "       da3bench fixtures verify [--dir D]\n"
         "\n"
         "gen writes img_NNNN.jpg (4:2:0, TurboJPEG) and manifest.txt with the SHA-256 of\n"
         "each file and of its RGB pixels; the same parameters give the same pixels on every\n"
         "machine and the same bytes with the same libjpeg-turbo. verify checks the files\n"
         "against the manifest, names each that differs, and exits 1 if any does.\n"
         "Default folder: fixtures-data/ in the current directory.");
}

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

int da3_cmd_fixtures(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "da3bench fixtures: expected gen or verify (da3bench fixtures --help)\n");
        return 2;
    }
    if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        usage();
        return 0;
    }
    const int gen = !strcmp(argv[0], "gen");
    if (!gen && strcmp(argv[0], "verify")) {
        fprintf(stderr, "da3bench fixtures: unknown action '%s' (gen, verify)\n", argv[0]);
        return 2;
    }
    da3_fix_params p = DA3_FIX_DEFAULTS;
    const char *dir = "fixtures-data";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        }
        const char *eq = strchr(a, '=');
        char flag[32];
        snprintf(flag, sizeof flag, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : "");
        long n;
        if (!strcmp(flag, "--dir")) {
            if (!*v) {
                fprintf(stderr, "da3bench fixtures: --dir: expected a folder\n");
                return 2;
            }
            dir = v;
        } else if (!gen) {
            fprintf(stderr, "da3bench fixtures verify: unknown flag '%s'\n", a);
            return 2;
        } else if (!strcmp(flag, "--count")) {
            if (da3_parse_int(v, 1, 100000, &n)) {
                fprintf(stderr, "da3bench fixtures: --count '%s': expected 1..100000\n", v);
                return 2;
            }
            p.count = (int)n;
        } else if (!strcmp(flag, "--size")) {
            if (da3_parse_size(v, &p.width, &p.height)) {
                fprintf(stderr, "da3bench fixtures: --size '%s': expected WxH, e.g. 1920x1080\n",
                        v);
                return 2;
            }
        } else if (!strcmp(flag, "--kind")) {
            if (da3_fix_kind_parse(v) < 0) {
                fprintf(stderr, "da3bench fixtures: --kind '%s': expected natural or noise\n", v);
                return 2;
            }
            p.kind = (da3_fix_kind)da3_fix_kind_parse(v);
        } else if (!strcmp(flag, "--quality")) {
            if (da3_parse_int(v, 1, 100, &n)) {
                fprintf(stderr, "da3bench fixtures: --quality '%s': expected 1..100\n", v);
                return 2;
            }
            p.quality = (int)n;
        } else if (!strcmp(flag, "--seed")) {
            if (da3_parse_int(v, 0, 0x7fffffffL, &n)) {
                fprintf(stderr, "da3bench fixtures: --seed '%s': expected 0..2147483647\n", v);
                return 2;
            }
            p.seed = (uint64_t)n;
        } else {
            fprintf(stderr, "da3bench fixtures: unknown flag '%s'%s\n", a,
                    *v ? "" : " or missing value");
            return 2;
        }
    }
    char err[512];
    if (gen) {
        if (da3_fix_generate(dir, &p, da3_cpu_count(), err, sizeof err)) {
            fprintf(stderr, "da3bench %s\n", err);
            return 1;
        }
        printf("wrote %d %s %dx%d q%d fixtures and manifest.txt to %s\n", p.count,
               da3_fix_kind_name(p.kind), p.width, p.height, p.quality, dir);
        return 0;
    }
    int bad = da3_fix_verify(dir, print_line, NULL, err, sizeof err);
    if (bad < 0) {
        fprintf(stderr, "da3bench %s\n", err);
        return 1;
    }
    if (bad)
        printf("%d file%s differ from %s/manifest.txt\n", bad, bad == 1 ? "" : "s", dir);
    else
        printf("all files match %s/manifest.txt\n", dir);
    return bad ? 1 : 0;
}
