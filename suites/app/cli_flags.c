/*
 * cli_flags.c - every run flag of da3bench in one table, and the parsers of
 * their values. A flag is a row: adding one is adding a row (and its line
 * in cli_usage.c); the generic parsers read the bounds and the member from
 * the row, and a flag with rules of its own has its own small parser.
 */
#include "cli_flags.h"

#include "attention.h"
#include "commands.h"
#include "cuda_bench.h"
#include "fixtures.h"
#include "preprocess.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MEMBER(o, f, T) ((T *)((char *)(o) + (f)->field))

static const char *const preset_names[DA3_NPRESET] = {"quick", "seed", "da3"};

const char *da3_preset_name(da3_preset p)
{
    return (unsigned)p < DA3_NPRESET ? preset_names[p] : "?";
}

static int sweep_in(const char *flag, const char *val, long long min, long long max,
                    da3_sweep *out, char *err, size_t errlen)
{
    char why[160];
    if (da3_sweep_parse(val, min, out, why, sizeof why)) {
        snprintf(err, errlen, "da3bench: --%s '%s': %s", flag, val, why);
        return 2;
    }
    for (int i = 0; i < out->n; i++)
        if (out->v[i] > max) {
            snprintf(err, errlen, "da3bench: --%s '%s': %lld is above the maximum %lld", flag,
                     val, (long long)out->v[i], max);
            return 2;
        }
    return 0;
}

/* A sweep of numbers in min..max ("256,512", "256..1024"). */
static int set_sweep(const da3_flag *f, const char *val, da3_opts *o, char *err, size_t errlen)
{
    return sweep_in(f->name, val, f->min, f->max, MEMBER(o, f, da3_sweep), err, errlen);
}

/* One integer in min..max. */
static int set_int(const da3_flag *f, const char *val, da3_opts *o, char *err, size_t errlen)
{
    long n;
    if (da3_parse_int(val, (long)f->min, (long)f->max, &n)) {
        snprintf(err, errlen, "da3bench: --%s '%s': expected %lld..%lld", f->name, val, f->min,
                 f->max);
        return 2;
    }
    *MEMBER(o, f, int) = (int)n;
    return 0;
}

/* A non-empty string; known says what a missing one lacks. */
static int set_string(const da3_flag *f, const char *val, da3_opts *o, char *err,
                      size_t errlen)
{
    if (!*val) {
        snprintf(err, errlen, "da3bench: --%s: missing %s", f->name, f->known);
        return 2;
    }
    *MEMBER(o, f, const char *) = val;
    return 0;
}

static int set_switch(const da3_flag *f, const char *val, da3_opts *o, char *err,
                      size_t errlen)
{
    (void)val, (void)err, (void)errlen;
    *MEMBER(o, f, int) = 1;
    return 0;
}

/* The index of name in a comma-separated list, or -1. */
static int index_in(const char *known, const char *name)
{
    char names[256];
    snprintf(names, sizeof names, "%s", known);
    int idx = 0;
    for (char *save, *k = strtok_r(names, ",", &save); k; k = strtok_r(NULL, ",", &save), idx++)
        if (!strcmp(k, name))
            return idx;
    return -1;
}

/* A comma-separated list of names into their codes, in order, duplicates
 * dropped: parse(name) gives the code, or (parse NULL) the name's index in
 * `known`, which the error message lists either way. */
static int set_names(const da3_flag *f, const char *val, da3_opts *o, char *err, size_t errlen)
{
    int *out = MEMBER(o, f, int), *n = (int *)((char *)o + f->count);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", val);
    *n = 0;
    /* strtok would skip an empty item: "flash,", ",flash" and "flash,,blas"
     * are typos, refused as the number lists refuse them */
    if (!*val || val[0] == ',' || val[strlen(val) - 1] == ',' || strstr(val, ",,")) {
        snprintf(err, errlen, "da3bench: --%s '%s': an empty item (%s)", f->name, val, f->known);
        return 2;
    }
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const int code = f->parse ? f->parse(t) : index_in(f->known, t);
        if (code < 0) {
            snprintf(err, errlen, "da3bench: --%s '%s': unknown '%s' (%s)", f->name, val, t,
                     f->known);
            return 2;
        }
        int dup = 0;
        for (int k = 0; k < *n; k++)
            dup |= out[k] == code;
        if (!dup && *n < f->max)
            out[(*n)++] = code;
    }
    return 0;
}

/* A number with strtod, in [lo, hi] (lo_open: (lo, hi]), an optional
 * suffix (such as '%') after it. */
static int parse_real(const char *val, double lo, int lo_open, double hi, char suffix,
                      double *out)
{
    char *end;
    errno = 0;
    const double v = strtod(val, &end);
    if (suffix && *end == suffix)
        end++;
    if (!*val || *end || errno || !(lo_open ? v > lo : v >= lo) || !(v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int set_head_dim(const da3_flag *f, const char *val, da3_opts *o, char *err,
                        size_t errlen)
{
    if (set_sweep(f, val, o, err, errlen))
        return 2;
    for (int k = 0; k < o->head_dim.n; k++) {
        da3_attn_shape s = {1, 1, 1, (int)o->head_dim.v[k]};
        if (da3_attn_check_shape(&s)) {
            snprintf(err, errlen, "da3bench: --head-dim %lld: unsupported (%s)",
                     (long long)o->head_dim.v[k], da3_strerror(DA3_EHEADDIM));
            return 2;
        }
    }
    return 0;
}

static int set_shapes(const da3_flag *f, const char *val, da3_opts *o, char *err,
                      size_t errlen)
{
    (void)f;
    if (da3_shapes_read(val, o->shapes, DA3_MAX_SHAPES, &o->nshapes, err, errlen))
        return 2;
    o->shapes_file = val;
    return 0;
}

static int set_preset(const da3_flag *f, const char *val, da3_opts *o, char *err,
                      size_t errlen)
{
    (void)f;
    int p = 0;
    while (p < DA3_NPRESET && strcmp(val, preset_names[p]))
        p++;
    if (p == DA3_NPRESET) {
        snprintf(err, errlen, "da3bench: --preset '%s': unknown (quick, seed, da3)", val);
        return 2;
    }
    o->preset = (da3_preset)p, o->preset_given = 1;
    return 0;
}

/* A sweep where "auto" may stand for a value (0 in the sweep). */
static int set_workers(const da3_flag *f, const char *val, da3_opts *o, char *err,
                       size_t errlen)
{
    char buf[256], rest[256] = "";
    snprintf(buf, sizeof buf, "%s", val);
    int autos = 0;
    if (!*val || val[0] == ',' || val[strlen(val) - 1] == ',' || strstr(val, ",,")) {
        snprintf(err, errlen, "da3bench: --workers '%s': an empty item", val);
        return 2;
    }
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "auto"))
            autos = 1;
        else
            snprintf(rest + strlen(rest), sizeof rest - strlen(rest), "%s%s", *rest ? "," : "",
                     t);
    }
    o->workers.n = 0;
    if (*rest && sweep_in(f->name, rest, f->min, f->max, &o->workers, err, errlen))
        return 2;
    if (!autos && !*rest) {
        snprintf(err, errlen, "da3bench: --workers '%s': expected counts and/or auto", val);
        return 2;
    }
    if (autos)
        da3_sweep_add(&o->workers, 0);
    return 0;
}

static int set_size(const da3_flag *f, const char *val, da3_opts *o, char *err, size_t errlen)
{
    (void)f;
    if (da3_parse_size(val, &o->width, &o->height)) {
        snprintf(err, errlen, "da3bench: --size '%s': expected WxH such as 1920x1080", val);
        return 2;
    }
    return 0;
}

static int set_kind(const da3_flag *f, const char *val, da3_opts *o, char *err, size_t errlen)
{
    (void)f;
    if ((o->kind = da3_fix_kind_parse(val)) < 0) {
        snprintf(err, errlen, "da3bench: --kind '%s': expected natural or noise", val);
        return 2;
    }
    return 0;
}

static int set_slowdown(const da3_flag *f, const char *val, da3_opts *o, char *err,
                        size_t errlen)
{
    (void)f;
    if (parse_real(val, 0.5, 0, 10, 0, &o->slowdown)) {
        snprintf(err, errlen, "da3bench: --slowdown '%s': expected a factor in 0.5..10", val);
        return 2;
    }
    return 0;
}

/* The gate calibration's test knob: recorded in the results' context and
 * announced on stderr. */
static int set_inject(const da3_flag *f, const char *val, da3_opts *o, char *err,
                      size_t errlen)
{
    (void)f;
    double pct;
    if (parse_real(val, 0, 1, 100, '%', &pct)) {
        snprintf(err, errlen,
                 "da3bench: --inject-slowdown '%s': expected a percentage in (0, 100], "
                 "such as 5%%",
                 val);
        return 2;
    }
    o->inject = pct / 100;
    return 0;
}

static int set_fixtures(const da3_flag *f, const char *val, da3_opts *o, char *err,
                        size_t errlen)
{
    struct stat sb;
    if (set_string(f, val, o, err, errlen))
        return 2;
    if (stat(val, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "da3bench: --fixtures '%s': not a folder", val);
        return 2;
    }
    return 0;
}

static int set_mode(const da3_flag *f, const char *val, da3_opts *o, char *err, size_t errlen)
{
    (void)f;
    if (strcmp(val, "time") && strcmp(val, "instructions")) {
        snprintf(err, errlen, "da3bench: --mode '%s': expected time or instructions", val);
        return 2;
    }
    o->count_instructions = !strcmp(val, "instructions");
    return 0;
}

static int set_mem_limit(const da3_flag *f, const char *val, da3_opts *o, char *err,
                         size_t errlen)
{
    (void)f;
    if (da3_parse_bytes(val, &o->mem_limit)) {
        snprintf(err, errlen,
                 "da3bench: --mem-limit '%s': expected a positive size such as 8G or 512M", val);
        return 2;
    }
    return 0;
}

static int set_repetitions(const da3_flag *f, const char *val, da3_opts *o, char *err,
                           size_t errlen)
{
    da3_sweep r;
    if (sweep_in(f->name, val, f->min, f->max, &r, err, errlen))
        return 2;
    if (r.n != 1) {
        snprintf(err, errlen, "da3bench: --repetitions '%s': one number", val);
        return 2;
    }
    o->repetitions = (int)r.v[0];
    return 0;
}

static int set_min_time(const da3_flag *f, const char *val, da3_opts *o, char *err,
                        size_t errlen)
{
    (void)f;
    if (parse_real(val, 0, 1, 3600, 0, &o->min_time)) {
        snprintf(err, errlen, "da3bench: --min-time '%s': expected seconds above 0, at most "
                              "3600", val);
        return 2;
    }
    return 0;
}

#define AT(m) offsetof(da3_opts, m)
#define SWEEP(name, suite, m, lo, hi) {name, 0, 1, suite, set_sweep, AT(m), 0, lo, hi, NULL, NULL}
#define INT(name, suite, m, lo, hi) {name, 0, 1, suite, set_int, AT(m), 0, lo, hi, NULL, NULL}
#define STRING(name, m, lacks) {name, 0, 1, NULL, set_string, AT(m), 0, 0, 0, lacks, NULL}
#define SWITCH(name, c, suite, m) {name, c, 0, suite, set_switch, AT(m), 0, 0, 0, NULL, NULL}
#define OWN(name, suite, fn, lo, hi) {name, 0, 1, suite, fn, 0, 0, lo, hi, NULL, NULL}

const da3_flag da3_flags[] = {
    SWITCH("help", 'h', NULL, help),
    SWITCH("quiet", 'q', NULL, quiet),
    /* attention (and the block and cuda suites' shapes) */
    SWEEP("seq", NULL, seq, 1, 1 << 20),
    SWEEP("heads", NULL, heads, 1, 1024),
    SWEEP("batch", NULL, batch, 1, 1 << 16),
    SWEEP("threads", NULL, threads, 1, 1024),
    {"head-dim", 0, 1, NULL, set_head_dim, AT(head_dim), 0, 1, 1 << 20, NULL, NULL},
    {"impl", 0, 1, NULL, set_names, AT(impls), AT(nimpl), 0, 4, "naive,fused,flash,blas",
     da3_attn_impl_parse},
    {"cuda-impl", 0, 1, NULL, set_names, AT(cuda_impls), AT(ncuda_impl), 0, DA3_CUDA_NIMPL,
     "naive,naive_tf32,flash,flash_tf32,flash_br128,flash_tf32_br128", da3_cuda_impl_parse},
    OWN("shapes", NULL, set_shapes, 0, 0),
    {"dtype", 0, 1, "attention", set_names, AT(dtypes), AT(ndtype), 0, 2, "fp32,bf16", NULL},
    OWN("inject-slowdown", "attention", set_inject, 0, 0),
    /* preprocess */
    OWN("workers", "preprocess", set_workers, 1, 1024),
    SWEEP("res", "preprocess", res, DA3_PP_PATCH, 8192),
    INT("images", NULL, images, 1, 10000),
    OWN("size", NULL, set_size, 0, 0),
    OWN("kind", NULL, set_kind, 0, 0),
    {"decode", 0, 1, "preprocess", set_names, AT(decodes), AT(ndecode), 0, 2, "full,dct", NULL},
    {"method", 0, 1, "preprocess", set_names, AT(methods), AT(nmethod), 0, 4,
     "upper_bound_resize,lower_bound_resize,upper_bound_crop,lower_bound_crop", NULL},
    {"pool", 0, 1, "preprocess", set_names, AT(pools), AT(npool), 0, 2, "threads,processes",
     NULL},
    {"fixtures", 0, 1, NULL, set_fixtures, AT(fixtures), 0, 0, 0, "folder", NULL},
    /* prefetch */
    SWEEP("io-ms", NULL, io_ms, 0, 10000),
    SWEEP("depth", NULL, depth, 0, 64),
    SWEEP("loader-threads", NULL, loader_threads, 1, 64),
    INT("batches", NULL, batches, 1, 100000),
    INT("batch-size", NULL, batch_size, 1, 4096),
    INT("compute-threads", NULL, compute_threads, 1, 1024),
    {"loader", 0, 1, NULL, set_names, AT(loaders), AT(nloader), 0, 2, "sim,jpeg", NULL},
    /* block */
    {"vit", 0, 1, "block", set_names, AT(vits), AT(nvit), 0, 4, "S,B,L,G", NULL},
    SWEEP("views", "block", views, 1, 64),
    {"scope", 0, 1, "block", set_names, AT(scopes), AT(nscope), 0, 2, "local,global", NULL},
    SWITCH("image", 0, "block", image),
    /* calib */
    SWEEP("work", "calib", work, 1, 1000000),
    OWN("slowdown", "calib", set_slowdown, 0, 0),
    /* the run */
    OWN("preset", NULL, set_preset, 0, 0),
    STRING("json", json, "file name"),
    STRING("report", report, "folder"),
    OWN("mode", NULL, set_mode, 0, 0),
    SWITCH("no-peak", 0, NULL, no_peak),
    OWN("mem-limit", NULL, set_mem_limit, 0, 0),
    OWN("repetitions", NULL, set_repetitions, 1, 1000),
    OWN("min-time", NULL, set_min_time, 0, 0),
};
const int da3_nflags = (int)(sizeof da3_flags / sizeof *da3_flags);
