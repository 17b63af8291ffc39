/*
 * The seed's console block, printed after Google Benchmark's table, one per
 * attention configuration (benchmark_attention.py's format):
 *   Optimized = fused, Upstream = naive, Speedup, Improvement, then flash
 *   and blas. Times are the median of the repetitions +- their standard
 *   deviation; the speedup's spread is propagated from both; GFLOP/s and
 *   % of peak are the medians of the repetitions.
 */
#include "attention_case.h"
#include "cpu.h"
#include "gbench.h"
#include "stats.h"
#include "suites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CFG 1024
#define MAX_REP 1000

typedef struct {
    da3_attn_shape s;
    int threads;
    double ms[4][MAX_REP / 10];
    int n[4];
    int errored[4];
    double gflops[4][MAX_REP / 10], pct[4][MAX_REP / 10];
} cfg_times;

FILE *da3_console_out;

static double to_ms(double t, const char *unit)
{
    if (!strcmp(unit, "ns"))
        return t * 1e-6;
    if (!strcmp(unit, "us"))
        return t * 1e-3;
    if (!strcmp(unit, "s"))
        return t * 1e3;
    return t;
}

void da3_console_attention(const void *run)
{
    cfg_times *cfg = calloc(MAX_CFG, sizeof *cfg);
    if (!cfg) {
        fprintf(stderr, "da3bench: attention: out of memory for the console block\n");
        return;
    }
    int ncfg = 0;
    for (int i = 0; i < gb_result_count(); i++) {
        /* the case each result belongs to, as the suite registered it */
        const gb_result *r = gb_result_at(i);
        const da3_attn_case *ac = r->arg;
        if (!da3_attn_is_case(run, ac) || *r->aggregate || (unsigned)ac->impl >= 4)
            continue;
        const int k = ac->impl; /* naive, fused, flash, blas */
        int c = 0;
        while (c < ncfg &&
               (memcmp(&cfg[c].s, &ac->s, sizeof ac->s) || cfg[c].threads != ac->threads))
            c++;
        if (c == ncfg) {
            if (ncfg == MAX_CFG)
                continue;
            memset(&cfg[c], 0, sizeof cfg[c]);
            cfg[c].s = ac->s, cfg[c].threads = ac->threads;
            ncfg++;
        }
        if (r->error) {
            cfg[c].errored[k] = 1;
            continue;
        }
        if (cfg[c].n[k] == MAX_REP / 10)
            continue;
        const int x = cfg[c].n[k]++;
        cfg[c].ms[k][x] = to_ms(r->real_time, r->unit);
        cfg[c].gflops[k][x] = gb_result_counter(i, "GFLOPS", NULL);
        cfg[c].pct[k][x] = gb_result_counter(i, "pct_peak", NULL);
    }
    char model[64];
    da3_cpu_model(model, sizeof model);
    for (int c = 0; c < ncfg; c++) {
        const int b = cfg[c].s.b, h = cfg[c].s.h, n = cfg[c].s.n, d = cfg[c].s.d,
                  t = cfg[c].threads;
        double med[4] = {0}, sd[4] = {0}, gf[4] = {0}, pct[4] = {0}, unused;
        for (int k = 0; k < 4; k++)
            if (cfg[c].n[k]) {
                da3_median_sd(cfg[c].ms[k], cfg[c].n[k], &med[k], &sd[k]);
                da3_median_sd(cfg[c].gflops[k], cfg[c].n[k], &gf[k], &unused);
                da3_median_sd(cfg[c].pct[k], cfg[c].n[k], &pct[k], &unused);
            }
        fprintf(
            da3_console_out,
            "\n================================================================================\n");
        fprintf(da3_console_out, "BENCHMARKING ON CPU (%s, %s, %d thread%s)\n", model,
                da3_isa_name(da3_cpu_isa()), t, t == 1 ? "" : "s");
        fprintf(da3_console_out, "Config: batch=%d, seq_len=%d, heads=%d, head_dim=%d\n", b, n, h,
                d);
        fprintf(
            da3_console_out,
            "================================================================================\n\n");
        static const char *const labels[4] = {"Upstream:", "Optimized:", "Flash:", "BLAS:"};
        static const char *const notes[4] = {
            "naive: scale pass, then softmax", "fused: scale folded into softmax",
            "online softmax, no N*N", "sgemm + fused softmax (PyTorch eager's path)"};
        static const int order[4] = {1, 0, 2, 3};
        for (int x = 0; x < 4; x++) {
            int k = order[x];
            if (cfg[c].errored[k])
                fprintf(da3_console_out, "%-12s FAILED (see the error above)\n", labels[k]);
            else if (cfg[c].n[k]) {
                fprintf(da3_console_out, "%-12s %9.3f ± %.3f ms  (%s", labels[k], med[k], sd[k],
                        notes[k]);
                if (k >= 2 && med[0] > 0)
                    fprintf(da3_console_out, "; %.2fx vs upstream", med[0] / med[k]);
                if (k >= 2 && pct[k] > DA3_PEAK_SUSPECT_PCT)
                    fprintf(da3_console_out, "; %.1f GFLOP/s, peak under-measured (%.0f%% of it)",
                            gf[k], pct[k]);
                else if (k >= 2 && pct[k] > 0)
                    fprintf(da3_console_out, "; %.1f GFLOP/s, %.1f%% of peak", gf[k], pct[k]);
                else if (k >= 2) /* the peak was not measured (--no-peak) */
                    fprintf(da3_console_out, "; %.1f GFLOP/s", gf[k]);
                fprintf(da3_console_out, ")\n");
            }
            if (x == 1 && cfg[c].n[0] && cfg[c].n[1] && med[1] > 0) {
                const double s = med[0] / med[1];
                const double rel = sqrt(pow(sd[0] / med[0], 2) + pow(sd[1] / med[1], 2));
                fprintf(da3_console_out, "%-12s %.2fx ± %.2f\n", "Speedup:", s, s * rel);
                fprintf(da3_console_out, "Improvement: %.1f%%\n",
                        100.0 * (med[0] - med[1]) / med[0]);
            }
        }
    }
    free(cfg);
}
