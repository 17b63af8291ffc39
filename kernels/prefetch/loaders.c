/*
 * The jpeg loader: a batch of `batch` images from in-memory JPEG files
 * through DA3's preprocessing (kernels/preprocess), each image's CHW tensor
 * average-pooled into `features` values as the MLP's input row. One
 * preprocessing context per loader thread, made once.
 */
#include "prefetch.h"
#include "preprocess.h"

#include <stdlib.h>

struct da3_pf_jpeg {
    const uint8_t *const *data;
    const size_t *len;
    int n, batch, features, loaders;
    da3_pp **pp;
    float **tensor;
    size_t tensor_floats;
};

da3_pf_jpeg *da3_pf_jpeg_new(const uint8_t *const *data, const size_t *len, int n, int batch,
                             int features, int loaders)
{
    if (n < 1 || batch < 1 || features < 1 || loaders < 1)
        return NULL;
    da3_pf_jpeg *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    *j = (da3_pf_jpeg){.data = data, .len = len, .n = n, .batch = batch, .features = features,
                       .loaders = loaders};
    j->pp = calloc((size_t)loaders, sizeof *j->pp);
    j->tensor = calloc((size_t)loaders, sizeof *j->tensor);
    j->tensor_floats = (size_t)3 * 504 * 504; /* enough for res 504, any aspect */
    for (int i = 0; j->pp && j->tensor && i < loaders; i++) {
        j->pp[i] = da3_pp_new();
        j->tensor[i] = malloc(sizeof(float) * j->tensor_floats);
        if (!j->pp[i] || !j->tensor[i]) {
            da3_pf_jpeg_free(j);
            return NULL;
        }
    }
    if (!j->pp || !j->tensor) {
        da3_pf_jpeg_free(j);
        return NULL;
    }
    return j;
}

void da3_pf_jpeg_free(da3_pf_jpeg *j)
{
    if (!j)
        return;
    for (int i = 0; i < j->loaders; i++) {
        da3_pp_free(j->pp ? j->pp[i] : NULL);
        free(j->tensor ? j->tensor[i] : NULL);
    }
    free(j->pp), free(j->tensor), free(j);
}

int da3_pf_jpeg_fill(da3_pf_jpeg *j, long batch, float *buf, int loader)
{
    const da3_pp_params p = DA3_PP_DEFAULTS;
    for (int r = 0; r < j->batch; r++) {
        const long img = (batch * j->batch + r) % j->n;
        da3_pp_geom g;
        int rc = da3_pp_run(j->pp[loader], j->data[img], j->len[img], &p, j->tensor[loader],
                            j->tensor_floats, &g);
        if (rc)
            return rc;
        const size_t total = (size_t)3 * g.out_w * g.out_h, chunk = total / (size_t)j->features;
        for (int f = 0; f < j->features; f++) {
            double acc = 0;
            const float *t = j->tensor[loader] + (size_t)f * chunk;
            for (size_t k = 0; k < chunk; k++)
                acc += t[k];
            buf[(size_t)r * j->features + f] = (float)(acc / (double)(chunk ? chunk : 1));
        }
    }
    return 0;
}

const char *da3_pf_jpeg_error(const da3_pf_jpeg *j, int loader)
{
    return da3_pp_error(j->pp[loader]);
}
