/*
 * pf_images.h - the fixture JPEGs the prefetch suites' jpeg loader reads
 * (CPU and GPU): generated once in the fixtures cache, read into memory.
 */
#ifndef DA3_PF_IMAGES_H
#define DA3_PF_IMAGES_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t **data;
    size_t *len;
    int n;
} da3_pf_images;

/* At least n natural 1920x1080 q90 images in *im (kept if already there);
 * fixtures: the cache folder (NULL: the build's). 0, or -1 with err. */
int da3_pf_images_load(da3_pf_images *im, int n, const char *fixtures, char *err, size_t errlen);
void da3_pf_images_free(da3_pf_images *im);

#endif
