#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void da3_median_sd(const double *v, int n, double *median, double *sd)
{
    *median = *sd = 0;
    if (n < 1)
        return;
    double *t = malloc(sizeof(double) * (size_t)n);
    if (!t)
        return;
    memcpy(t, v, sizeof(double) * (size_t)n);
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    *median = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    free(t);
    double mean = 0, ss = 0;
    for (int i = 0; i < n; i++)
        mean += v[i] / n;
    for (int i = 0; i < n; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    *sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
}

double da3_median(const double *v, int n)
{
    double m, sd;
    da3_median_sd(v, n, &m, &sd);
    return m;
}
