#include "resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void da3_rs_free(da3_rs_plan *p)
{
    free(p->start), free(p->ntaps), free(p->w);
    memset(p, 0, sizeof *p);
}

static int alloc_plan(da3_rs_plan *p, int n_in, int n_out, int maxtaps)
{
    memset(p, 0, sizeof *p);
    if (n_in < 1 || n_out < 1 || maxtaps < 1)
        return -1;
    p->n_in = n_in, p->n_out = n_out, p->maxtaps = maxtaps;
    p->start = calloc((size_t)n_out, sizeof *p->start);
    p->ntaps = calloc((size_t)n_out, sizeof *p->ntaps);
    p->w = calloc((size_t)n_out * (size_t)maxtaps, sizeof *p->w);
    if (!p->start || !p->ntaps || !p->w) {
        da3_rs_free(p);
        return -1;
    }
    return 0;
}

/* Stores the dense window win[0..len) starting at input lo as output i,
 * trimming zero weights at both ends. */
static void store(da3_rs_plan *p, int i, int lo, const double *win, int len)
{
    int a = 0, b = len;
    while (a < b - 1 && win[a] == 0.0)
        a++;
    while (b > a + 1 && win[b - 1] == 0.0)
        b--;
    p->start[i] = lo + a;
    p->ntaps[i] = b - a;
    for (int t = a; t < b; t++)
        p->w[(size_t)i * p->maxtaps + (t - a)] = (float)win[t];
}

int da3_rs_area(int n_in, int n_out, da3_rs_plan *p)
{
    if (n_out > n_in)
        return -1;
    const double s = (double)n_in / n_out;
    if (alloc_plan(p, n_in, n_out, (int)ceil(s) + 1))
        return -1;
    double win[64 + 2];
    double *w = p->maxtaps <= 64 ? win : malloc(sizeof(double) * (size_t)(p->maxtaps + 2));
    if (!w) {
        da3_rs_free(p);
        return -1;
    }
    for (int i = 0; i < n_out; i++) {
        const double a = i * s, b = (i + 1) * s;
        int j0 = (int)floor(a), j1 = (int)ceil(b);
        if (j1 > n_in)
            j1 = n_in;
        if (j1 - j0 > p->maxtaps)
            j1 = j0 + p->maxtaps;
        for (int j = j0; j < j1; j++) {
            double lo = a > j ? a : j, hi = b < j + 1 ? b : j + 1;
            w[j - j0] = hi > lo ? (hi - lo) / s : 0.0;
        }
        store(p, i, j0, w, j1 - j0);
    }
    if (w != win)
        free(w);
    return 0;
}

int da3_rs_cubic(int n_in, int n_out, da3_rs_plan *p)
{
    if (alloc_plan(p, n_in, n_out, 4))
        return -1;
    const double s = (double)n_in / n_out, A = -0.75;
    for (int i = 0; i < n_out; i++) {
        const double fx = (i + 0.5) * s - 0.5;
        const int x0 = (int)floor(fx);
        const double t = fx - x0;
        double c[4];
        c[0] = ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A;
        c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
        c[2] = ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1;
        c[3] = 1.0 - c[0] - c[1] - c[2];
        /* replicated borders: clamp each tap, then sum taps that meet */
        int lo = x0 - 1 < 0 ? 0 : x0 - 1 > n_in - 1 ? n_in - 1 : x0 - 1;
        double win[4] = {0, 0, 0, 0};
        for (int k = 0; k < 4; k++) {
            int x = x0 - 1 + k;
            x = x < 0 ? 0 : x > n_in - 1 ? n_in - 1 : x;
            win[x - lo] += c[k];
        }
        int len = 4;
        if (lo + len > n_in)
            len = n_in - lo;
        store(p, i, lo, win, len);
    }
    return 0;
}

int da3_rs_linear(int n_in, int n_out, da3_rs_plan *p)
{
    if (alloc_plan(p, n_in, n_out, 2))
        return -1;
    const double s = (double)n_in / n_out;
    for (int i = 0; i < n_out; i++) {
        const double fx = (i + 0.5) * s - 0.5;
        const int x0 = (int)floor(fx);
        const double t = fx - x0;
        /* replicated borders, as the cubic plan */
        const int a = x0 < 0 ? 0 : x0 > n_in - 1 ? n_in - 1 : x0;
        const int b = x0 + 1 < 0 ? 0 : x0 + 1 > n_in - 1 ? n_in - 1 : x0 + 1;
        double win[2] = {1 - t, 0};
        win[b - a] += t;
        store(p, i, a, win, b > a ? 2 : 1);
    }
    return 0;
}

int da3_rs_compose(const da3_rs_plan *a, const da3_rs_plan *b, da3_rs_plan *out)
{
    if (a->n_out != b->n_in)
        return -1;
    /* the widest window: b's taps spread over a's windows */
    int maxw = 1;
    for (int k = 0; k < b->n_out; k++) {
        const int m0 = b->start[k], m1 = m0 + b->ntaps[k] - 1;
        const int lo = a->start[m0], hi = a->start[m1] + a->ntaps[m1];
        int span = hi - lo;
        for (int m = m0; m <= m1; m++)
            if (a->start[m] + a->ntaps[m] - lo > span)
                span = a->start[m] + a->ntaps[m] - lo;
        if (span > maxw)
            maxw = span;
    }
    if (alloc_plan(out, a->n_in, b->n_out, maxw))
        return -1;
    double *win = calloc((size_t)maxw, sizeof *win);
    if (!win) {
        da3_rs_free(out);
        return -1;
    }
    for (int k = 0; k < b->n_out; k++) {
        const int m0 = b->start[k];
        int lo = a->start[m0];
        for (int t = 0; t < b->ntaps[k]; t++)
            if (a->start[m0 + t] < lo)
                lo = a->start[m0 + t];
        memset(win, 0, sizeof *win * (size_t)maxw);
        for (int t = 0; t < b->ntaps[k]; t++) {
            const int m = m0 + t;
            const double wb = b->w[(size_t)k * b->maxtaps + t];
            for (int u = 0; u < a->ntaps[m]; u++)
                win[a->start[m] + u - lo] += wb * a->w[(size_t)m * a->maxtaps + u];
        }
        int len = maxw;
        if (lo + len > a->n_in)
            len = a->n_in - lo;
        store(out, k, lo, win, len);
    }
    free(win);
    return 0;
}

int da3_rs_crop(const da3_rs_plan *a, int offset, int n, da3_rs_plan *out)
{
    if (offset < 0 || n < 1 || alloc_plan(out, a->n_in, n, a->maxtaps))
        return -1;
    for (int k = 0; k < n; k++) {
        int m = k + offset < a->n_out ? k + offset : a->n_out - 1;
        out->start[k] = a->start[m];
        out->ntaps[k] = a->ntaps[m];
        memcpy(out->w + (size_t)k * out->maxtaps, a->w + (size_t)m * a->maxtaps,
               sizeof(float) * (size_t)a->maxtaps);
    }
    return 0;
}

int da3_rs_uniform(da3_rs_plan *p)
{
    const int T = p->maxtaps;
    if (p->n_in < T)
        return -1;
    for (int i = 0; i < p->n_out; i++) {
        float *w = p->w + (size_t)i * T;
        const int n = p->ntaps[i];
        int shift = p->start[i] + T > p->n_in ? p->start[i] + T - p->n_in : 0;
        if (shift) { /* move the weights right, zeros in front */
            for (int t = n - 1; t >= 0; t--)
                w[t + shift] = w[t];
            for (int t = 0; t < shift; t++)
                w[t] = 0.0f;
            p->start[i] -= shift;
        }
        for (int t = n + shift; t < T; t++)
            w[t] = 0.0f;
        p->ntaps[i] = T;
    }
    return 0;
}
