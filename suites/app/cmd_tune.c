/*
 * da3bench tune workers [--images N] [--max M] [--fixtures DIR]
 * What workers=auto does, shown: times a calibration batch of the
 * preprocessing pipeline at increasing worker counts and prints the table
 * and the choice (the smallest count within 3% of the best throughput).
 */
#include "commands.h"
#include "cpu.h"
#include "fixtures.h"
#include "pool.h"
#include "preprocess.h"

#include "da3_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t **data;
    size_t *len;
    int n;
    da3_pp *pp[256];
    float *out[256];
} tune_ctx;

static int tune_job(void *ctx, long job, int worker)
{
    tune_ctx *t = ctx;
    if (worker >= 256)
        return -1;
    if (!t->pp[worker]) {
        t->pp[worker] = da3_pp_new();
        t->out[worker] = malloc(sizeof(float) * 3 * 504 * 504);
        if (!t->pp[worker] || !t->out[worker])
            return -1;
    }
    da3_pp_params p = DA3_PP_DEFAULTS;
    da3_pp_geom g;
    return da3_pp_run(t->pp[worker], t->data[job % t->n], t->len[job % t->n], &p, t->out[worker],
                      3 * 504 * 504, &g);
}

int da3_cmd_tune(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "workers")) {
        if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
            puts("usage: da3bench tune workers [--images 16] [--max 4xCORES] [--fixtures DIR]");
            return 0;
        }
        fprintf(stderr, "da3bench tune: expected 'workers' (see da3bench tune --help)\n");
        return 2;
    }
    long images = 16, maxw = 4L * da3_cpu_count();
    const char *base = da3_fixtures_dir(NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            puts("usage: da3bench tune workers [--images 16] [--max 4xCORES] [--fixtures DIR]");
            return 0;
        }
        if (strcmp(a, "--images") && strcmp(a, "--max") && strcmp(a, "--fixtures")) {
            fprintf(stderr, "da3bench tune: unknown flag '%s' (see da3bench tune --help)\n", a);
            return 2;
        }
        if (i + 1 >= argc || !*argv[i + 1]) {
            fprintf(stderr, "da3bench tune: %s needs a value (see da3bench tune --help)\n", a);
            return 2;
        }
        v = argv[++i];
        if (!strcmp(a, "--images")) {
            if (da3_parse_int(v, 1, 1000, &images)) {
                fprintf(stderr, "da3bench tune: --images '%s': expected 1..1000\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--max")) {
            if (da3_parse_int(v, 1, 256, &maxw)) {
                fprintf(stderr, "da3bench tune: --max '%s': expected 1..256\n", v);
                return 2;
            }
        } else {
            base = v;
        }
    }
    if (da3_cpu_init()) {
        fprintf(stderr, "da3bench tune: %s\n", da3_cpu_error());
        return 2;
    }
    da3_fix_params fp = DA3_FIX_DEFAULTS;
    fp.count = (int)images;
    char dir[4200], err[512];
    da3_fix_set_dir(base, &fp, dir, sizeof dir);
    if (da3_fix_ensure(dir, &fp, da3_cpu_count(), err, sizeof err)) {
        fprintf(stderr, "da3bench tune: %s\n", err);
        return 1;
    }
    tune_ctx t = {.n = (int)images};
    t.data = calloc((size_t)images, sizeof *t.data);
    t.len = calloc((size_t)images, sizeof *t.len);
    for (int i = 0; i < t.n; i++) {
        char name[32], path[4300];
        da3_fix_name(i, name, sizeof name);
        snprintf(path, sizeof path, "%s/%s", dir, name);
        size_t cap = 0;
        uint8_t *buf = NULL;
        const long len = da3_fix_read_file(path, &buf, &cap);
        t.data[i] = buf, t.len[i] = len > 0 ? (size_t)len : 0;
        if (len < 0) {
            fprintf(stderr, "da3bench tune: cannot read %s\n", path);
            return 1;
        }
    }
    da3_pool_trial table[16];
    int n = 0;
    int best = da3_pool_autotune((int)maxw, images, tune_job, &t, table, &n);
    printf("workers  batch of %ld (ms)  img/s\n", images);
    double top = 0;
    for (int i = 0; i < n; i++)
        top = table[i].jobs_per_s > top ? table[i].jobs_per_s : top;
    for (int i = 0; i < n; i++)
        printf("%7d  %16.2f  %6.1f%s\n", table[i].workers, 1e3 * table[i].seconds,
               table[i].jobs_per_s, table[i].workers == best ? "  <- chosen" : "");
    if (best < 1)
        fprintf(stderr, "da3bench tune: auto-tuning failed: %s\n", da3_strerror(best));
    else
        printf("auto: %d workers on %d cores (the smallest count within 3%% of the best, "
               "%.1f img/s)\n", best, da3_cpu_count(), top);
    for (int i = 0; i < 256; i++)
        da3_pp_free(t.pp[i]), free(t.out[i]);
    for (int i = 0; i < t.n; i++)
        free(t.data[i]);
    free(t.data), free(t.len);
    return best > 0 ? 0 : 1;
}
