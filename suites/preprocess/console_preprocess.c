/*
 * The seed's console block for preprocessing, one per configuration:
 * Optimized = workers auto, Upstream = 8 workers fixed (the seed's "before"
 * and "after"), then every worker count against the 4-worker baseline, and
 * the pipeline at one worker against the plain decode alone; and dct
 * against full and full against the decode timed side by side (side_by_side),
 * when both decodes ran.
 * Batch times are the median of the repetitions +- their standard deviation.
 */
#include "cpu.h"
#include "gbench.h"
#include "stats.h"
#include "suite_preprocess.h"
#include "suites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXK 64
#define MAXW 32
#define MAXR 100

typedef struct {
    char key[200];   /* pool + the rest of the name after workers: */
    char wname[MAXW][16];
    double ms[MAXW][MAXR];
    int n[MAXW], err[MAXW];
    double autow, ips[MAXW];
    int nw;
} pp_cfg;

static double ms_of(const gb_result *r)
{
    const double f = !strcmp(r->unit, "ns")   ? 1e-6
                     : !strcmp(r->unit, "us") ? 1e-3
                     : !strcmp(r->unit, "s")  ? 1e3
                                              : 1;
    return r->real_time * f;
}

void da3_console_preprocess(const void *run)
{
    pp_cfg *cfg = calloc(MAXK, sizeof *cfg);
    if (!cfg)
        return;
    int ncfg = 0;
    double dec_ms[MAXR], pair[5][MAXR]; /* side_by_side's counters, below */
    int ndec = 0, nimg = 0, npair = 0;
    for (int i = 0; i < gb_result_count(); i++) {
        /* the case each result belongs to, as the suite registered it */
        const gb_result *r = gb_result_at(i);
        const da3_pp_case *pc = r->arg;
        if (!da3_pp_is_case(run, pc) || *r->aggregate)
            continue;
        if (pc->pool == -1) { /* decode only */
            nimg = da3_pp_case_group(pc)->images;
            if (!r->error && ndec < MAXR)
                dec_ms[ndec++] = ms_of(r);
            continue;
        }
        if (pc->pool == -2) { /* side by side */
            static const char *const keys[5] = {"dct_speedup", "full_over_decode", "decode_ms",
                                                "full_ms", "dct_ms"};
            if (!r->error && npair < MAXR) {
                for (int k = 0; k < 5; k++)
                    pair[k][npair] = gb_result_counter(i, keys[k], NULL);
                npair++;
            }
            continue;
        }
        char key[200], wn[16];
        da3_pp_case_config(pc, key, sizeof key);
        if (pc->workers)
            snprintf(wn, sizeof wn, "%d", pc->workers);
        else
            snprintf(wn, sizeof wn, "auto");
        int c = 0;
        while (c < ncfg && strcmp(cfg[c].key, key))
            c++;
        if (c == ncfg) {
            if (ncfg == MAXK)
                continue;
            snprintf(cfg[c].key, sizeof cfg[c].key, "%s", key);
            ncfg++;
        }
        int k = 0;
        while (k < cfg[c].nw && strcmp(cfg[c].wname[k], wn))
            k++;
        if (k == cfg[c].nw) {
            if (k == MAXW)
                continue;
            snprintf(cfg[c].wname[k], 16, "%s", wn);
            cfg[c].nw++;
        }
        if (r->error) {
            cfg[c].err[k] = 1;
            continue;
        }
        if (cfg[c].n[k] < MAXR)
            cfg[c].ms[k][cfg[c].n[k]++] = ms_of(r);
        bool f;
        double a = gb_result_counter(i, "auto_workers", &f);
        if (f)
            cfg[c].autow = a;
        cfg[c].ips[k] = gb_result_counter(i, "img_per_s", NULL);
    }
    char model[64];
    da3_cpu_model(model, sizeof model);
    for (int c = 0; c < ncfg; c++) {
        pp_cfg *g = &cfg[c];
        double med[MAXW] = {0}, sd[MAXW] = {0};
        int i4 = -1, i8 = -1, ia = -1, i1 = -1;
        for (int k = 0; k < g->nw; k++) {
            if (g->n[k])
                da3_median_sd(g->ms[k], g->n[k], &med[k], &sd[k]);
            i4 = !strcmp(g->wname[k], "4") && g->n[k] ? k : i4;
            i8 = !strcmp(g->wname[k], "8") && g->n[k] ? k : i8;
            i1 = !strcmp(g->wname[k], "1") && g->n[k] ? k : i1;
            ia = !strcmp(g->wname[k], "auto") && g->n[k] ? k : ia;
        }
        fprintf(
            da3_console_out,
            "\n================================================================================\n");
        fprintf(da3_console_out, "PREPROCESSING ON CPU (%s, %s, %d cores)\n", model,
                da3_isa_name(da3_cpu_isa()), da3_cpu_count());
        fprintf(da3_console_out, "Config: %s\n", g->key);
        fprintf(
            da3_console_out,
            "================================================================================\n\n");
        if (ia >= 0 && i8 >= 0) {
            fprintf(da3_console_out,
                    "Optimized:   %9.3f ± %.3f ms per batch  (workers auto = %.0f, %.1f img/s)\n",
                    med[ia], sd[ia], g->autow, g->ips[ia]);
            fprintf(da3_console_out,
                    "Upstream:    %9.3f ± %.3f ms per batch  (8 workers fixed, %.1f img/s)\n",
                    med[i8], sd[i8], g->ips[i8]);
            const double s = med[i8] / med[ia];
            fprintf(da3_console_out, "Speedup:     %.2fx ± %.2f\n", s,
                   s * sqrt(pow(sd[i8] / med[i8], 2) + pow(sd[ia] / med[ia], 2)));
            fprintf(da3_console_out, "Improvement: %.1f%%\n",
                    100.0 * (med[i8] - med[ia]) / med[i8]);
        }
        if (i4 >= 0) {
            fprintf(da3_console_out, "vs 4 workers:");
            for (int k = 0; k < g->nw; k++)
                if (g->err[k])
                    fprintf(da3_console_out, "  %s: FAILED", g->wname[k]);
                else if (g->n[k])
                    fprintf(da3_console_out, "  %s: %.2fx", g->wname[k], med[i4] / med[k]);
            fprintf(da3_console_out, "\n");
        }
        for (int k = 0; k < g->nw; k++)
            if (g->err[k])
                fprintf(da3_console_out, "workers %s: FAILED (see the error above)\n", g->wname[k]);
        if (i1 >= 0 && ndec && nimg && !strncmp(g->key, "threads", 7)) {
            double dm, dsd;
            da3_median_sd(dec_ms, ndec, &dm, &dsd);
            fprintf(da3_console_out,
                    "Decode alone: %.3f ms per image (1 thread); the pipeline at 1 worker: %.3f ms "
                    "per image = %.2fx the decode\n",
                    dm / nimg, med[i1] / nimg, med[i1] / dm);
        }
    }
    if (npair) {
        double m[5], sd[5];
        for (int k = 0; k < 5; k++)
            da3_median_sd(pair[k], npair, &m[k], &sd[k]);
        fprintf(da3_console_out,
                "\nSide by side (each image through the decode, full and dct in turn, 1 thread, "
                "%d runs):\n",
                npair);
        fprintf(da3_console_out, "  decode %.3f ms, full %.3f ms, dct %.3f ms per image\n", m[2],
                m[3], m[4]);
        fprintf(da3_console_out,
                "  full pipeline = %.2fx ± %.2f the decode; dct %.2fx ± %.2f faster than full\n",
                m[1], sd[1], m[0], sd[0]);
    }
    free(cfg);
}
