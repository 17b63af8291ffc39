/*
 * The prefetch benchmark's compute: the seed's 4-layer MLP
 * (512 -> 2048 -> 2048 -> 2048 -> 512, ReLU between layers) as CBLAS sgemm
 * plus a bias-and-ReLU pass, activations in buffers allocated once.
 */
#include "prefetch.h"

#include "blas.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXL 8

struct da3_mlp {
    int batch, layers;
    int dims[MAXL + 1];
    float *w[MAXL], *b[MAXL]; /* w[l]: dims[l] x dims[l+1], row-major */
    float *act[2];
};

void da3_mlp_free(da3_mlp *m)
{
    if (!m)
        return;
    for (int l = 0; l < m->layers; l++)
        free(m->w[l]), free(m->b[l]);
    free(m->act[0]), free(m->act[1]);
    free(m);
}

da3_mlp *da3_mlp_new(int batch, const int *dims, int ndims, uint64_t seed)
{
    if (batch < 1 || ndims < 2 || ndims > MAXL + 1)
        return NULL;
    da3_mlp *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->batch = batch, m->layers = ndims - 1;
    int widest = 0;
    for (int i = 0; i < ndims; i++) {
        if (dims[i] < 1) {
            free(m);
            return NULL;
        }
        m->dims[i] = dims[i];
        widest = dims[i] > widest ? dims[i] : widest;
    }
    uint64_t s = seed * 6364136223846793005ull + 1442695040888963407ull;
    for (int l = 0; l < m->layers; l++) {
        const size_t nw = (size_t)dims[l] * dims[l + 1];
        m->w[l] = malloc(sizeof(float) * nw);
        m->b[l] = malloc(sizeof(float) * (size_t)dims[l + 1]);
        if (!m->w[l] || !m->b[l]) {
            m->layers = l + 1;
            da3_mlp_free(m);
            return NULL;
        }
        /* uniform in +-1/sqrt(fan_in), as torch.nn.Linear's default */
        const float bound = 1.0f / sqrtf((float)dims[l]);
        for (size_t i = 0; i < nw; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            m->w[l][i] = bound * ((float)(s >> 40) * (2.0f / 16777216.0f) - 1.0f);
        }
        for (int i = 0; i < dims[l + 1]; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            m->b[l][i] = bound * ((float)(s >> 40) * (2.0f / 16777216.0f) - 1.0f);
        }
    }
    m->act[0] = malloc(sizeof(float) * (size_t)batch * widest);
    m->act[1] = malloc(sizeof(float) * (size_t)batch * widest);
    if (!m->act[0] || !m->act[1]) {
        da3_mlp_free(m);
        return NULL;
    }
    return m;
}

int da3_mlp_in(const da3_mlp *m) { return m->dims[0]; }
int da3_mlp_layers(const da3_mlp *m) { return m->layers; }
const float *da3_mlp_weights(const da3_mlp *m, int l) { return m->w[l]; }
const float *da3_mlp_bias(const da3_mlp *m, int l) { return m->b[l]; }
int da3_mlp_out(const da3_mlp *m) { return m->dims[m->layers]; }

double da3_mlp_flops(const da3_mlp *m)
{
    double f = 0;
    for (int l = 0; l < m->layers; l++)
        f += 2.0 * m->batch * m->dims[l] * m->dims[l + 1];
    return f;
}

int da3_mlp_forward(da3_mlp *m, const float *in, float *out, int threads)
{
    da3_blas_set_threads(threads);
    const float *x = in;
    for (int l = 0; l < m->layers; l++) {
        const int k = m->dims[l], n = m->dims[l + 1];
        float *y = l == m->layers - 1 ? out : m->act[l % 2];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m->batch, n, k, 1.0f, x, k, m->w[l],
                    n, 0.0f, y, n);
        const int relu = l < m->layers - 1;
        for (int r = 0; r < m->batch; r++) {
            float *row = y + (size_t)r * n;
            for (int j = 0; j < n; j++) {
                const float v = row[j] + m->b[l][j];
                row[j] = relu && v < 0 ? 0.0f : v;
            }
        }
        x = y;
    }
    return 0;
}

double da3_mlp_check_row(const da3_mlp *m, const float *in, const float *out, int row)
{
    int widest = 0;
    for (int l = 0; l <= m->layers; l++)
        widest = m->dims[l] > widest ? m->dims[l] : widest;
    double *a = malloc(sizeof(double) * (size_t)widest),
           *b = malloc(sizeof(double) * (size_t)widest);
    if (!a || !b) {
        free(a), free(b);
        return NAN;
    }
    for (int i = 0; i < m->dims[0]; i++)
        a[i] = in[(size_t)row * m->dims[0] + i];
    for (int l = 0; l < m->layers; l++) {
        const int k = m->dims[l], n = m->dims[l + 1];
        for (int j = 0; j < n; j++) {
            double acc = m->b[l][j];
            for (int i = 0; i < k; i++)
                acc += a[i] * m->w[l][(size_t)i * n + j];
            b[j] = (l < m->layers - 1 && acc < 0) ? 0.0 : acc;
        }
        double *t = a;
        a = b, b = t;
    }
    double err = 0;
    const int n = m->dims[m->layers];
    for (int j = 0; j < n; j++) {
        const double d = fabs(a[j] - out[(size_t)row * n + j]);
        err = d > err || d != d ? d : err;
    }
    free(a), free(b);
    return err;
}
