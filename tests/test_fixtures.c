/*
 * Fixtures: two generations give byte-identical files; verify passes on
 * them and names the file after one flipped byte; a missing file and a
 * missing manifest are reported; ensure regenerates a damaged set.
 */
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"


static char last[1024];
static int reports;
static void note(void *ctx, const char *line)
{
    (void)ctx;
    snprintf(last, sizeof last, "%s", line);
    reports++;
}

static long file_bytes(const char *path, unsigned char **data)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    *data = malloc((size_t)n);
    if (fread(*data, 1, (size_t)n, f) != (size_t)n)
        n = -1;
    fclose(f);
    return n;
}

int main(void)
{
    char a[] = "/tmp/da3fixA-XXXXXX", b[] = "/tmp/da3fixB-XXXXXX", err[512];
    if (!mkdtemp(a) || !mkdtemp(b))
        return 1;
    da3_fix_params p = DA3_FIX_DEFAULTS;
    p.width = 320, p.height = 240, p.count = 3;
    CHECK(da3_fix_generate(a, &p, 2, err, sizeof err) == 0, "gen A: %s", err);
    CHECK(da3_fix_generate(b, &p, 1, err, sizeof err) == 0, "gen B: %s", err);
    for (int i = 0; i < p.count; i++) {
        char name[32], pa[256], pb[256];
        da3_fix_name(i, name, sizeof name);
        snprintf(pa, sizeof pa, "%s/%s", a, name);
        snprintf(pb, sizeof pb, "%s/%s", b, name);
        unsigned char *da = NULL, *db = NULL;
        long na = file_bytes(pa, &da), nb = file_bytes(pb, &db);
        CHECK(na > 0 && na == nb && !memcmp(da, db, (size_t)na), "%s identical across runs", name);
        free(da), free(db);
    }
    /* natural content is neither flat nor noise: a 320x240 q90 file is
     * far below raw size and far above a flat image's */
    unsigned char *d = NULL;
    char path[256];
    snprintf(path, sizeof path, "%s/img_0000.jpg", a);
    long n = file_bytes(path, &d);
    CHECK(n > 5000 && n < 120000, "natural 320x240 size %ld bytes", n);
    free(d);

    CHECK(da3_fix_verify(a, note, NULL, err, sizeof err) == 0 && reports == 0, "verify clean");
    /* flip one byte */
    snprintf(path, sizeof path, "%s/img_0001.jpg", a);
    FILE *f = fopen(path, "r+b");
    fseek(f, 1000, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 1000, SEEK_SET);
    fputc(c ^ 1, f);
    fclose(f);
    reports = 0;
    CHECK(da3_fix_verify(a, note, NULL, err, sizeof err) == 1 && strstr(last, "img_0001.jpg"),
          "verify names the flipped file: %s", last);
    /* ensure regenerates it */
    CHECK(da3_fix_ensure(a, &p, 2, err, sizeof err) == 0, "ensure: %s", err);
    reports = 0;
    CHECK(da3_fix_verify(a, note, NULL, err, sizeof err) == 0, "clean after ensure");
    /* a missing file */
    snprintf(path, sizeof path, "%s/img_0002.jpg", b);
    unlink(path);
    reports = 0;
    CHECK(da3_fix_verify(b, note, NULL, err, sizeof err) == 1 && strstr(last, "img_0002.jpg") &&
              strstr(last, "missing"), "missing file named: %s", last);
    /* no manifest */
    snprintf(path, sizeof path, "%s/manifest.txt", b);
    unlink(path);
    CHECK(da3_fix_verify(b, note, NULL, err, sizeof err) < 0 && strstr(err, "manifest"),
          "missing manifest: %s", err);
    /* noise differs from natural and is deterministic too */
    uint8_t px1[48], px2[48];
    da3_fix_params q = p;
    q.kind = DA3_FIX_NOISE, q.width = 4, q.height = 4;
    da3_fix_render(&q, 0, px1);
    da3_fix_render(&q, 0, px2);
    CHECK(!memcmp(px1, px2, sizeof px1), "noise deterministic");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s", a, b);
    if (system(cmd))
        fprintf(stderr, "note: could not remove %s %s\n", a, b);
    printf("fixtures: %d failures\n", failures);
    return failures != 0;
}
