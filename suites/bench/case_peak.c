/*
 * case_peak.c - the % of peak a case reports, the same in every suite
 * that reports one (suites.h).
 */
#include "suites.h"
#include "cpu.h"
#include "gbench.h"

#include <stdio.h>
#include <string.h>

double da3_case_peak(double start, double *adj, int threads)
{
    /* The peak again, next to the case (once, not per repetition): a
     * neighbour's load during the start-up measurement would otherwise make
     * every pct_peak of the run too high (above 100% was seen). The larger
     * of the two is the one used, so pct_peak is never inflated by a
     * momentarily slow measurement of the peak. */
    if (start > 0 && *adj == 0) /* start 0: not measured (counting instructions) */
        *adj = da3_cpu_peak_gflops(threads, 0.05, 3);
    return start > *adj ? start : *adj;
}

void da3_peak_counters(gb_state *st, char *label, size_t len, double gflops, double peak)
{
    gb_counter(st, "GFLOPS", gflops, GB_COUNTER_DEFAULT);
    if (peak <= 0) /* not measured (--no-peak, counting): no % of an unknown roof */
        return;
    const double pct = 100.0 * gflops / peak;
    gb_counter(st, "pct_peak", pct, GB_COUNTER_DEFAULT);
    gb_counter(st, "peak_gflops", peak, GB_COUNTER_DEFAULT);
    if (pct > DA3_PEAK_SUSPECT_PCT) { /* beyond a physical limit: the peak is wrong */
        const size_t l = strlen(label);
        snprintf(label + l, len - l, ", peak under-measured: pct_peak above 100%%");
        gb_set_label(st, label);
    }
}
