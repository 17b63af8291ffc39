/*
 * The seed's console block for the prefetch pipeline, one per
 * configuration: Optimized = the deepest queue run, Upstream = sequential
 * (depth 0), Speedup, Improvement, the overlap efficiency and the ratio to
 * the bound, beside what the seed measured (1.37x CPU, 1.26x MPS).
 */
#include "cpu.h"
#include "gbench.h"
#include "prefetch_case.h"
#include "stats.h"
#include "suites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXD 16
#define MAXR 100

typedef struct {
    char key[160]; /* the name without depth */
    int depth[MAXD], nd;
    double ms[MAXD][MAXR], eff[MAXD], bound[MAXD], io[MAXD], cmp[MAXD];
    int n[MAXD], err[MAXD];
} pf_cfg;

void da3_console_prefetch(const void *run)
{
    /* one block per configuration (the cases' group), in the run's order */
    const int ncfg = da3_pf_groups(run);
    pf_cfg *cfg = ncfg ? calloc((size_t)ncfg, sizeof *cfg) : NULL;
    if (!cfg)
        return;
    for (int i = 0; i < gb_result_count(); i++) {
        /* the case each result belongs to, as the suite registered it */
        const gb_result *r = gb_result_at(i);
        const da3_pf_case *pc = r->arg;
        if (!da3_pf_is_case(run, pc) || *r->aggregate)
            continue;
        const int c = pc->group, depth = pc->depth;
        if (!cfg[c].key[0])
            da3_pf_case_config(pc, cfg[c].key, sizeof cfg[c].key);
        int k = 0;
        while (k < cfg[c].nd && cfg[c].depth[k] != depth)
            k++;
        if (k == cfg[c].nd) {
            if (k == MAXD)
                continue;
            cfg[c].depth[cfg[c].nd++] = depth;
        }
        if (r->error) {
            cfg[c].err[k] = 1;
            continue;
        }
        const double f = !strcmp(r->unit, "us")   ? 1e-3
                         : !strcmp(r->unit, "s")  ? 1e3
                         : !strcmp(r->unit, "ns") ? 1e-6
                                                  : 1;
        if (cfg[c].n[k] < MAXR)
            cfg[c].ms[k][cfg[c].n[k]++] = r->real_time * f;
        cfg[c].eff[k] = gb_result_counter(i, "overlap_eff", NULL);
        cfg[c].bound[k] = gb_result_counter(i, "bound_ratio", NULL);
        cfg[c].io[k] = gb_result_counter(i, "io_ms", NULL);
        cfg[c].cmp[k] = gb_result_counter(i, "compute_ms", NULL);
    }
    for (int c = 0; c < ncfg; c++) {
        pf_cfg *g = &cfg[c];
        if (!g->nd)
            continue; /* filtered out, or interrupted before it ran */
        int i0 = -1, ik = -1;
        for (int k = 0; k < g->nd; k++) {
            if (g->depth[k] == 0 && g->n[k])
                i0 = k;
            if (g->depth[k] > 0 && g->n[k] && (ik < 0 || g->depth[k] > g->depth[ik]))
                ik = k;
        }
        fprintf(
            da3_console_out,
            "\n================================================================================\n");
        fprintf(da3_console_out, "PREFETCH PIPELINE ON CPU (%d cores)\n", da3_cpu_count());
        fprintf(da3_console_out, "Config: %s\n", g->key);
        fprintf(
            da3_console_out,
            "================================================================================\n\n");
        double m0 = 0, s0 = 0, mk = 0, sk = 0;
        if (i0 >= 0)
            da3_median_sd(g->ms[i0], g->n[i0], &m0, &s0);
        if (ik >= 0)
            da3_median_sd(g->ms[ik], g->n[ik], &mk, &sk);
        if (ik >= 0)
            fprintf(da3_console_out, "Optimized:   %9.3f ± %.3f ms  (prefetch, depth %d)\n", mk, sk,
                    g->depth[ik]);
        if (i0 >= 0)
            fprintf(da3_console_out,
                    "Upstream:    %9.3f ± %.3f ms  (sequential: load, then compute)\n", m0, s0);
        if (i0 >= 0 && ik >= 0) {
            const double s = m0 / mk;
            fprintf(da3_console_out,
                    "Speedup:     %.2fx ± %.2f   (the seed measured 1.37x on CPU, 1.26x on MPS)\n",
                    s, s * sqrt(pow(s0 / m0, 2) + pow(sk / mk, 2)));
            fprintf(da3_console_out, "Improvement: %.1f%%\n", 100.0 * (m0 - mk) / m0);
            fprintf(da3_console_out,
                    "Overlap efficiency: %.2f   bound ratio: %.3f   (per batch: io %.2f ms, "
                    "compute %.2f ms)\n",
                    g->eff[ik], g->bound[ik], g->io[ik], g->cmp[ik]);
        }
        for (int k = 0; k < g->nd; k++)
            if (g->err[k])
                fprintf(da3_console_out, "depth %d: FAILED (see the error above)\n", g->depth[k]);
    }
    free(cfg);
}
