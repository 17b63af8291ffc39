/*
 * pf_images.c - the prefetch suites' fixture JPEGs in memory.
 */
#include "pf_images.h"

#include "commands.h"
#include "cpu.h"
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void da3_pf_images_free(da3_pf_images *im)
{
    for (int i = 0; i < im->n; i++)
        free(im->data[i]);
    free(im->data), free(im->len);
    memset(im, 0, sizeof *im);
}

int da3_pf_images_load(da3_pf_images *im, int n, const char *fixtures, char *err, size_t errlen)
{
    if (im->n >= n)
        return 0;
    da3_pf_images_free(im);
    char dir[4200];
    da3_fix_params fp = DA3_FIX_DEFAULTS;
    fp.count = n;
    da3_fix_set_dir(da3_fixtures_dir(fixtures), &fp, dir, sizeof dir);
    if (da3_fix_ensure(dir, &fp, da3_cpu_count(), err, errlen))
        return -1;
    im->data = calloc((size_t)n, sizeof *im->data);
    im->len = calloc((size_t)n, sizeof *im->len);
    if (!im->data || !im->len) {
        snprintf(err, errlen, "out of memory for %d images", n);
        da3_pf_images_free(im);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char name[32], path[4300];
        da3_fix_name(i, name, sizeof name);
        snprintf(path, sizeof path, "%s/%s", dir, name);
        size_t cap = 0;
        uint8_t *buf = NULL;
        const long len = da3_fix_read_file(path, &buf, &cap);
        im->data[i] = buf, im->len[i] = len > 0 ? (size_t)len : 0;
        im->n = i + 1;
        if (len < 0) {
            snprintf(err, errlen, "%s: cannot read", path);
            return -1;
        }
    }
    return 0;
}
