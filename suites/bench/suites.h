/*
 * suites.h - what more than one suite family uses: the attention axes and
 * inputs (the CPU and CUDA attention, the block), the prefetch axes and
 * names (the CPU and CUDA pipelines), the peak counters, the console's
 * stream, a clock. The interface every family implements is suite.h.
 */
#ifndef DA3_SUITES_H
#define DA3_SUITES_H

/* % of the measured FMA peak above which a result says the peak is wrong
 * (a physical limit cannot be passed; 3% allowed for noise) */
#define DA3_PEAK_SUSPECT_PCT 103.0

#include "cli.h"
#include "env.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* A row of the attention presets' (batch, sequence) tables. */
typedef struct {
    int b, n; /* 0 = from the axis */
} row_bn;
/* The attention shapes of the preset and flags: rows x heads x dims; gpu
 * adds the GPU's longer sequences to the seed preset. */
void da3_attention_axes(const da3_opts *o, int gpu, row_bn *rows, int *nrows, da3_sweep *heads,
                        da3_sweep *dims);
/* Unit-variance inputs, the same for CPU and GPU runs of a shape. */
void da3_attention_fill(float *x, size_t n, unsigned long long seed);

/* The thread counts an attention run will use (for the peak measurement). */
int da3_attention_threads(const da3_opts *o, int *out, int max);

/* After a run: the families' console blocks (the seed's) are written to
 * da3_console_out (stdout; stderr when stdout holds --benchmark_format=json
 * or csv, which must stay that format alone). */
extern FILE *da3_console_out;
/* The prefetch axes of the CPU and GPU suites: the flags', else the preset's
 * (depth 0,2 with 0 first; io 5 ms quick, 10 otherwise; one loader thread;
 * 10 or 50 batches of 32; the sim loader). */
typedef struct {
    da3_sweep depth, io, loader_threads;
    int batches, batch, nload;
} da3_pf_axes;
void da3_prefetch_axes(const da3_opts *o, da3_pf_axes *ax);
/* The MLP both prefetch suites compute (the seed's: 512-2048-2048-2048-512). */
extern const int da3_pf_mlp_dims[5];
/* A prefetch case's name, "SUITE/depth:D/io_ms:T" and the axes that are not
 * at their defaults (loader:jpeg, loaders, batches 50, batch 32); returns
 * its length, as snprintf. */
int da3_pf_case_name(char *buf, size_t len, const char *suite, int depth, double io_ms,
                     int jpeg, int loaders, int batches, int batch);

/* The peak a case's pct_peak is against: `start`, the run's measurement
 * at its thread count, or one made next to the case (once, cached in
 * *adj, which starts at 0), the larger. 0 where the run measures none. */
double da3_case_peak(double start, double *adj, int threads);
/* GFLOPS, pct_peak and peak_gflops of a case; above DA3_PEAK_SUSPECT_PCT
 * the label (a buffer of len bytes) says the peak is under-measured. */
typedef struct gb_state gb_state;
void da3_peak_counters(gb_state *st, char *label, size_t len, double gflops, double peak);

/* 1 if p points into the n elements of `size` bytes at base: a result's
 * case (gb_result.arg) is one of a run's cases */
static inline int da3_points_into(const void *p, const void *base, size_t n, size_t size)
{
    const uintptr_t a = (uintptr_t)p, lo = (uintptr_t)base;
    return base && a >= lo && a - lo < n * size;
}

static inline double da3_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
