/*
 * libFuzzer target: the preprocessing entry on arbitrary bytes (decode,
 * resize, normalize). The first byte picks the method, decode mode and a
 * process_res; the rest is the file. Any outcome but a crash, a sanitizer
 * report or a hang is fine: errors are the expected answer to most inputs.
 */
#include "preprocess.h"

#include <stdint.h>
#include <stdlib.h>
#include <turbojpeg.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static da3_pp *pp;
static float *out;
#define CAP ((size_t)3 * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!pp) {
        pp = da3_pp_new();
        out = malloc(sizeof(float) * CAP);
        if (!pp || !out)
            abort();
    }
    static const int res[4] = {504, 56, 14, 1000};
    da3_pp_params p = {res[(data[0] >> 4) & 3], (da3_pp_method)(data[0] & 3),
                       (da3_pp_decode)((data[0] >> 2) & 1)};
    da3_pp_geom g;
    /* keep each input fast: no more than 4096x4096 decoded */
    if (da3_pp_probe(pp, data + 1, size - 1, &p, &g) == 0 && g.src_w <= 4096 && g.src_h <= 4096)
        da3_pp_run(pp, data + 1, size - 1, &p, out, CAP, &g);
    return 0;
}
