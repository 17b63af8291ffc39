/*
 * bench.h - checkasm's last step for the family tests. Without arguments a
 * test checks every ISA level against the reference and exits. With
 * --bench (or --bench=MS), once every check has run, the same cases are
 * timed at every level this machine has: each case's call repeated for MS
 * milliseconds (default 50) after one warm-up call, its fastest call kept,
 * and one line per case gives each level's time and its speedup over the
 * C (scalar) level:
 *
 *   bench attention/flash B1 H8 N256 D64 T2   scalar 21.4 ms   avx2 1.02 ms (21.0x)
 *
 * `meson test -C build --benchmark` runs every family's test this way.
 * These are not results of record (da3bench's suites make those, with
 * repetitions, spreads and the machine's context); they show, beside the
 * check, what each level buys on the very cases it was checked on.
 */
#ifndef DA3_TEST_BENCH_H
#define DA3_TEST_BENCH_H

#include "cpu.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double bench_ms; /* 0: no timing (the default) */
static int bench_rows;  /* lines printed, for the test to check */

/* Reads the test's arguments: none, --bench or --bench=MS. 0, or 2 after
 * one line on stderr naming the argument. */
static int bench_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *end = NULL;
        double ms = !strcmp(a, "--bench") ? 50
                    : !strncmp(a, "--bench=", 8) && a[8] ? strtod(a + 8, &end)
                                                           : NAN;
        if (end && *end)
            ms = NAN;
        if (!(ms > 0 && ms <= 60000)) {
            fprintf(stderr, "%s: bad argument '%s' (usage: %s [--bench[=MS]], MS in (0, 60000])\n",
                    argv[0], a, argv[0]);
            return 2;
        }
        bench_ms = ms;
    }
    return 0;
}

static double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The fastest call of fn(ctx) in bench_ms of calls, after a warm-up, in
 * seconds; at least 3 calls; NaN if a call fails (returns non-zero). */
static double bench_best(int (*fn)(void *), void *ctx)
{
    if (fn(ctx))
        return NAN;
    double best = INFINITY;
    const double stop = bench_now() + bench_ms * 1e-3;
    for (int n = 0; n < 3 || bench_now() < stop; n++) {
        const double t0 = bench_now();
        if (fn(ctx))
            return NAN;
        const double dt = bench_now() - t0;
        best = dt < best ? dt : best;
    }
    return best;
}

static void bench_time(char *buf, size_t len, double s)
{
    if (s >= 1)
        snprintf(buf, len, "%.3g s", s);
    else if (s >= 1e-3)
        snprintf(buf, len, "%.3g ms", s * 1e3);
    else
        snprintf(buf, len, "%.3g us", s * 1e6);
}

/* The usual set(): the level every kernel's dispatch reads */
static inline int bench_set_isa(void *ctx, da3_isa isa)
{
    (void)ctx;
    return da3_cpu_set_isa(isa);
}

/* One case at every level this machine has: set(ctx, level) selects it
 * (0 on success), then fn(ctx) is timed. Prints one line; returns the
 * number of levels that could not be timed (a failed call or selection). */
static int bench_case(const char *what, int (*set)(void *, da3_isa), int (*fn)(void *),
                      void *ctx)
{
    double t[DA3_ISA_COUNT], c = NAN;
    int bad = 0;
    printf("bench %-52s", what);
    for (int isa = 0; isa < DA3_ISA_COUNT; isa++) {
        if (!da3_cpu_has((da3_isa)isa))
            continue;
        t[isa] = set(ctx, (da3_isa)isa) ? NAN : bench_best(fn, ctx);
        char s[32];
        bench_time(s, sizeof s, t[isa]);
        if (!(t[isa] > 0)) {
            printf("   %s failed", da3_isa_name((da3_isa)isa));
            bad++;
        } else if (isa == DA3_ISA_SCALAR) {
            c = t[isa];
            printf("   %s %s", da3_isa_name((da3_isa)isa), s);
        } else {
            printf("   %s %s (%.1fx)", da3_isa_name((da3_isa)isa), s, c / t[isa]);
        }
    }
    printf("\n");
    fflush(stdout);
    bench_rows++;
    return bad;
}

#endif
