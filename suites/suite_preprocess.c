/*
 * The preprocess suite: DA3's input pipeline over a fixture set, per worker
 * count and pool kind, against the plain decode alone.
 *
 * Names: preprocess/<threads|processes>/workers:<N|auto>/decode:<full|dct>
 *        [/res:R][/method:M][/kind:K][/size:WxH]/images:N
 *        preprocess/decode_only[/kind:K][/size:WxH]/images:N
 *        preprocess/dct_vs_full[/res:R][/method:M][/kind:K][/size:WxH]/images:N
 * Each iteration reads every file of the set and runs the pipeline on it,
 * the results in per-image slots (in input order). Counters: img_per_s,
 * ms_per_img, MB_per_s (JPEG bytes), speedup_vs_4 (against the 4-worker
 * thread pool of the same configuration, when it ran first), auto_workers,
 * max_abs_err (image 0 against the double reference), psnr_db (dct against
 * full, image 0).
 * side_by_side (when both decodes run): one thread, each image through the
 * plain decode, the full pipeline and the dct pipeline, back to back, so
 * all three see the same machine at the same moment; its counters
 * decode_ms, full_ms, dct_ms (per image), full_over_decode and
 * dct_speedup (full / dct) are the side-by-side figures the targets are
 * judged by (the separate cases run seconds apart, and these shared
 * machines drift by more than the differences measured).
 */
#include "cpu.h"
#include "fixtures.h"
#include "gbench.h"
#include "stats.h"
#include "pool.h"
#include "preprocess.h"
#include "suite_preprocess.h"
#include "commands.h"
#include "suites.h"

#include "da3_config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PP_CASES 1024
#define MAX_GROUPS 256
#define TOLERANCE 2e-3

static da3_pp_case pcases[MAX_PP_CASES];
static int npcases;
static da3_pp_group groups[MAX_GROUPS];
static int ngroups;

/* the fixture set, loaded once */
static struct {
    int loaded;
    char dir[4096];
    int n;
    char **path;
    double bytes;
    char err[512];
} set;

const da3_pp_group *da3_pp_groups(int *n)
{
    *n = ngroups;
    return groups;
}

static const char *pool_name(int pool)
{
    return pool == -2 ? "side_by_side" : pool < 0 ? "decode_only" : pool ? "processes" : "threads";
}

/* Reads a whole file into *buf (grown as needed); returns its length or -errno. */
static long read_file(const char *path, uint8_t **buf, size_t *cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    for (;;) {
        if (n == *cap) {
            size_t nc = *cap ? 2 * *cap : 1 << 20;
            uint8_t *nb = realloc(*buf, nc);
            if (!nb) {
                close(fd);
                return -ENOMEM;
            }
            *buf = nb, *cap = nc;
        }
        ssize_t k = read(fd, *buf + n, *cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    return (long)n;
}

static int load_set(const da3_opts *o, const da3_pp_group *g)
{
    if (set.loaded)
        return set.loaded > 0 ? 0 : -1;
    char base[3000];
    snprintf(base, sizeof base, "%s", da3_fixtures_dir(o->fixtures));
    da3_fix_params fp = DA3_FIX_DEFAULTS;
    fp.kind = (da3_fix_kind)g->kind, fp.width = g->width, fp.height = g->height, fp.count = g->images;
    snprintf(set.dir, sizeof set.dir, "%s/%s-%dx%d-q%d-s%llu-n%d", base, da3_fix_kind_name(fp.kind),
             fp.width, fp.height, fp.quality, (unsigned long long)fp.seed, fp.count);
    char err[512];
    if (da3_fix_ensure(set.dir, &fp, da3_cpu_count(), err, sizeof err)) {
        snprintf(set.err, sizeof set.err, "%s", err);
        set.loaded = -1;
        return -1;
    }
    set.n = fp.count;
    set.path = calloc((size_t)set.n, sizeof *set.path);
    for (int i = 0; i < set.n && set.path; i++) {
        char name[32];
        da3_fix_name(i, name, sizeof name);
        const size_t plen = strlen(set.dir) + 40;
        set.path[i] = malloc(plen);
        if (set.path[i])
            snprintf(set.path[i], plen, "%s/%s", set.dir, name);
        uint8_t *buf = NULL;
        size_t cap = 0;
        long len = read_file(set.path[i], &buf, &cap);
        free(buf);
        if (len < 0) {
            snprintf(set.err, sizeof set.err, "%s: %s", set.path[i], strerror((int)-len));
            set.loaded = -1;
            return -1;
        }
        set.bytes += (double)len;
    }
    set.loaded = 1;
    return 0;
}

/* ---- one case's running state ---- */

typedef struct {
    da3_pp_case *c;
    da3_pp **pp;          /* per worker */
    uint8_t **buf;        /* per worker file buffer */
    size_t *cap;
    float *out;           /* images * out_floats */
    size_t out_floats;
    int *rc;
    char (*msg)[300];     /* per image error */
    int workers;
} run_state;

static run_state rs;
static da3_pool *tpool;
static da3_ppool *ppool;

static void release_state(void)
{
    da3_pool_free(tpool);
    tpool = NULL;
    da3_ppool_free(ppool);
    ppool = NULL;
    for (int w = 0; w < rs.workers; w++) {
        da3_pp_free(rs.pp ? rs.pp[w] : NULL);
        free(rs.buf ? rs.buf[w] : NULL);
    }
    free(rs.pp), free(rs.buf), free(rs.cap), free(rs.out), free(rs.rc), free(rs.msg);
    memset(&rs, 0, sizeof rs);
}

void da3_suite_preprocess_cleanup(void)
{
    release_state();
    for (int i = 0; set.path && i < set.n; i++)
        free(set.path[i]);
    free(set.path);
    memset(&set, 0, sizeof set);
}

static int do_image(run_state *s, long job, int worker, float *dst)
{
    long len = read_file(set.path[job], &s->buf[worker], &s->cap[worker]);
    if (len < 0) {
        snprintf(s->msg[job], sizeof s->msg[job], "%s: %s", set.path[job], strerror((int)-len));
        return (int)len;
    }
    if (!s->pp[worker] && !(s->pp[worker] = da3_pp_new()))
        return DA3_PP_ENOMEM;
    da3_pp_geom g;
    int rc = da3_pp_run(s->pp[worker], s->buf[worker], (size_t)len, &s->c->pp, dst, s->out_floats, &g);
    if (rc)
        snprintf(s->msg[job], sizeof s->msg[job], "%s: %s", set.path[job], da3_pp_error(s->pp[worker]));
    return rc;
}

static int thread_job(void *ctx, long job, int worker)
{
    run_state *s = ctx;
    return do_image(s, job, worker, s->out + (size_t)job * s->out_floats);
}

static int process_job(void *ctx, long job, int worker, void *buf)
{
    (void)worker;
    /* in the child: one worker slot of its own (index 0) */
    return do_image(ctx, job, 0, buf);
}

static int decode_job(run_state *s, long job)
{
    long len = read_file(set.path[job], &s->buf[0], &s->cap[0]);
    int w, h;
    if (len < 0 || !da3_pp_decode_only(s->pp[0], s->buf[0], (size_t)len, &w, &h)) {
        snprintf(s->msg[job], sizeof s->msg[job], "%s: %s", set.path[job],
                 len < 0 ? strerror((int)-len) : da3_pp_error(s->pp[0]));
        return -1;
    }
    return 0;
}

static int auto_job(void *ctx, long job, int worker)
{
    run_state *s = ctx;
    if (worker >= s->workers)
        return -1;
    return do_image(s, job % set.n, worker, s->out + (size_t)(job % set.n) * s->out_floats);
}

/* Sets up rs for case c: buffers for max(workers, 64) slots. */
static int setup(da3_pp_case *c, const da3_opts *o, char *msg, size_t len)
{
    if (rs.c == c)
        return 0;
    release_state();
    da3_pp_group *g = &groups[c->group];
    if (load_set(o, g)) {
        snprintf(msg, len, "fixtures: %s", set.err);
        return -1;
    }
    da3_pp_geom geom;
    if (da3_pp_geometry(g->width, g->height, &c->pp, &geom)) {
        snprintf(msg, len, "unsupported geometry");
        return -1;
    }
    rs.c = c;
    rs.workers = 256;
    rs.out_floats = (size_t)3 * geom.out_w * geom.out_h;
    rs.pp = calloc((size_t)rs.workers, sizeof *rs.pp);
    rs.buf = calloc((size_t)rs.workers, sizeof *rs.buf);
    rs.cap = calloc((size_t)rs.workers, sizeof *rs.cap);
    rs.out = malloc(sizeof(float) * rs.out_floats * (size_t)set.n);
    rs.rc = calloc((size_t)set.n, sizeof *rs.rc);
    rs.msg = calloc((size_t)set.n, sizeof *rs.msg);
    if (!rs.pp || !rs.buf || !rs.cap || !rs.out || !rs.rc || !rs.msg || !(rs.pp[0] = da3_pp_new())) {
        snprintf(msg, len, "out of memory for %d images", set.n);
        return -1;
    }
    if (c->pool < 0)
        return 0;
    int w = c->workers;
    if (w == 0) { /* auto: measured once per group, on a calibration batch */
        if (!g->auto_workers) {
            da3_pool_trial t[16];
            int nt = 0;
            const long calib = set.n < 16 ? set.n : 16;
            int best = da3_pool_autotune(4 * da3_cpu_count() < 64 ? 4 * da3_cpu_count() : 64, calib,
                                         auto_job, &rs, t, &nt);
            if (best < 1) {
                snprintf(msg, len, "auto-tuning failed");
                return -1;
            }
            g->auto_workers = best;
        }
        w = g->auto_workers;
    }
    c->used_workers = w;
    if (c->pool == 0)
        tpool = da3_pool_new(w);
    else
        ppool = da3_ppool_new(w, process_job, &rs, rs.out_floats * sizeof(float));
    if (!tpool && !ppool) {
        snprintf(msg, len, "could not start %d workers", w);
        return -1;
    }
    return 0;
}

static const char *first_error(void)
{
    for (int j = 0; j < set.n; j++)
        if (rs.rc[j])
            return rs.msg[j][0] ? rs.msg[j] : "a worker failed";
    return "unknown error";
}

/* side_by_side: every image through the plain decode (context 2), full
 * (context 0) then dct (context 1); adds the seconds of each to t[0..2]. */
static long run_paired(da3_pp_case *c, double t[3])
{
    da3_pp_params full = c->pp, dct = c->pp;
    full.decode = DA3_PP_FULL, dct.decode = DA3_PP_DCT;
    long failed = 0;
    for (int k = 1; k < 3; k++)
        if (!rs.pp[k] && !(rs.pp[k] = da3_pp_new()))
            return set.n;
    for (long j = 0; j < set.n; j++) {
        long len = read_file(set.path[j], &rs.buf[0], &rs.cap[0]);
        if (len < 0) {
            snprintf(rs.msg[j], sizeof rs.msg[j], "%s: %s", set.path[j], strerror((int)-len));
            failed += (rs.rc[j] = -1) != 0;
            continue;
        }
        da3_pp_geom g;
        float *dst = rs.out + (size_t)j * rs.out_floats;
        int rc = 0;
        /* the order turns with the image: no side always goes first */
        for (int s = 0; s < 3 && !rc; s++) {
            const int k = (int)((j + s) % 3);
            int w, h;
            const double t0 = da3_now();
            if (k == 0)
                rc = da3_pp_decode_only(rs.pp[2], rs.buf[0], (size_t)len, &w, &h) ? 0 : DA3_PP_EJPEG;
            else
                rc = da3_pp_run(rs.pp[k - 1], rs.buf[0], (size_t)len, k == 1 ? &full : &dct, dst,
                                rs.out_floats, &g);
            t[k] += da3_now() - t0;
        }
        if ((rs.rc[j] = rc))
            snprintf(rs.msg[j], sizeof rs.msg[j], "%s: %s", set.path[j],
                     da3_pp_error(rs.pp[0])[0]   ? da3_pp_error(rs.pp[0])
                     : da3_pp_error(rs.pp[1])[0] ? da3_pp_error(rs.pp[1])
                                                 : da3_pp_error(rs.pp[2]));
        failed += rc != 0;
    }
    return failed;
}

static void paired_body(gb_state *st, da3_pp_case *c)
{
    char msg[600];
    double t[3] = {0, 0, 0};
    int64_t iters = 0;
    long failed = run_paired(c, t); /* warm-up, untimed: plans and buffers */
    t[0] = t[1] = t[2] = 0;
    while (!failed && gb_keep_running(st)) {
        failed += run_paired(c, t);
        iters++;
    }
    if (failed) {
        snprintf(msg, sizeof msg, "%s", first_error());
        gb_skip_with_error(st, msg);
        return;
    }
    const double n = (double)set.n * (double)(iters ? iters : 1);
    gb_counter(st, "decode_ms", 1e3 * t[0] / n, GB_COUNTER_DEFAULT);
    gb_counter(st, "full_ms", 1e3 * t[1] / n, GB_COUNTER_DEFAULT);
    gb_counter(st, "dct_ms", 1e3 * t[2] / n, GB_COUNTER_DEFAULT);
    gb_counter(st, "full_over_decode", t[0] > 0 ? t[1] / t[0] : 0, GB_COUNTER_DEFAULT);
    gb_counter(st, "dct_speedup", t[2] > 0 ? t[1] / t[2] : 0, GB_COUNTER_DEFAULT);
    snprintf(msg, sizeof msg, "decode, full, dct per image, 1 thread, %s",
             da3_isa_name(da3_cpu_isa()));
    gb_set_label(st, msg);
}

static long run_once(da3_pp_case *c)
{
    if (c->pool < 0) {
        long failed = 0;
        for (long j = 0; j < set.n; j++)
            failed += (rs.rc[j] = decode_job(&rs, j)) != 0;
        return failed;
    }
    return c->pool == 0 ? da3_pool_map(tpool, set.n, thread_job, &rs, rs.rc)
                        : da3_ppool_map(ppool, set.n, rs.out, rs.rc);
}


/* image 0 against the double reference; for dct, also PSNR against full */
static void check(da3_pp_case *c)
{
    if (c->checked || c->pool < 0)
        return;
    c->checked = 1;
    uint8_t *buf = NULL;
    size_t cap = 0;
    long len = read_file(set.path[0], &buf, &cap);
    da3_pp *pp = da3_pp_new();
    da3_pp_geom g;
    c->max_err = NAN;
    if (len > 0 && pp && da3_pp_probe(pp, buf, (size_t)len, &c->pp, &g) == 0) {
        float *ref = da3_pp_reference_jpeg(pp, buf, (size_t)len, &c->pp, &g);
        if (ref) {
            double e = 0;
            for (size_t k = 0; k < rs.out_floats; k++)
                e = fmax(e, fabs((double)ref[k] - rs.out[k]));
            c->max_err = e;
        }
        free(ref);
        if (c->pp.decode == DA3_PP_DCT) {
            da3_pp_params full = c->pp;
            full.decode = DA3_PP_FULL;
            float *f = malloc(sizeof(float) * rs.out_floats);
            static const float sd[3] = {0.229f, 0.224f, 0.225f};
            if (f && da3_pp_run(pp, buf, (size_t)len, &full, f, rs.out_floats, &g) == 0) {
                double mse = 0;
                const size_t plane = rs.out_floats / 3;
                for (size_t k = 0; k < rs.out_floats; k++) {
                    const double d = ((double)f[k] - rs.out[k]) * sd[k / plane] * 255.0;
                    mse += d * d / (double)rs.out_floats;
                }
                c->psnr = mse > 0 ? 10 * log10(255.0 * 255.0 / mse) : 99.0;
            }
            free(f);
        }
    }
    da3_pp_free(pp);
    free(buf);
}

static const da3_opts *g_opts;

static void pp_body(gb_state *st, void *arg)
{
    da3_pp_case *c = arg;
    da3_pp_group *g = &groups[c->group];
    char msg[600];
    if (setup(c, g_opts, msg, sizeof msg)) {
        gb_skip_with_error(st, msg);
        return;
    }
    if (c->pool == -2) {
        paired_body(st, c);
        return;
    }
    /* the first run checks the output before anything is timed */
    if (run_once(c)) {
        snprintf(msg, sizeof msg, "%s", first_error());
        gb_skip_with_error(st, msg);
        return;
    }
    check(c);
    if (c->pool >= 0 && !(c->max_err <= TOLERANCE)) {
        snprintf(msg, sizeof msg, "max_abs_err %.3g against the reference, above %.0e", c->max_err,
                 TOLERANCE);
        gb_skip_with_error(st, msg);
        return;
    }
    double total = 0;
    int64_t iters = 0;
    long failed = 0;
    while (gb_keep_running(st)) {
        const double t0 = da3_now();
        failed += run_once(c);
        total += da3_now() - t0;
        iters++;
    }
    if (failed) {
        snprintf(msg, sizeof msg, "%s", first_error());
        gb_skip_with_error(st, msg);
        return;
    }
    const double per_batch = total / (double)iters;
    gb_counter(st, "img_per_s", set.n / per_batch, GB_COUNTER_DEFAULT);
    gb_counter(st, "ms_per_img", 1e3 * per_batch / set.n, GB_COUNTER_DEFAULT);
    gb_counter(st, "MB_per_s", set.bytes / per_batch * 1e-6, GB_COUNTER_DEFAULT);
    if (c->pool >= 0) {
        gb_counter(st, "workers", c->used_workers, GB_COUNTER_DEFAULT);
        gb_counter(st, "max_abs_err", c->max_err, GB_COUNTER_DEFAULT);
    }
    if (c->workers == 0)
        gb_counter(st, "auto_workers", g->auto_workers, GB_COUNTER_DEFAULT);
    if (c->pp.decode == DA3_PP_DCT && c->pool >= 0)
        gb_counter(st, "psnr_db", c->psnr, GB_COUNTER_DEFAULT);
    /* the 4-worker thread pool is the seed's baseline */
    if (c->pool == 0 && c->workers == 4 && g->nbase < 64)
        g->base[g->nbase++] = per_batch;
    if (c->pool >= 0 && g->nbase > 0) {
        double med, sd;
        da3_median_sd(g->base, g->nbase, &med, &sd);
        gb_counter(st, "speedup_vs_4", med / per_batch, GB_COUNTER_DEFAULT);
    }
    snprintf(msg, sizeof msg, "%s%s", c->pool >= 0 ? "" : "tjDecompress2 RGB, 1 thread",
             c->pool >= 0 ? da3_isa_name(da3_cpu_isa()) : "");
    gb_set_label(st, msg);
}

/* ---- configuration ---- */

static int group_of(const da3_pp_group *want)
{
    for (int i = 0; i < ngroups; i++)
        if (groups[i].decode == want->decode && groups[i].res == want->res &&
            groups[i].method == want->method && groups[i].kind == want->kind &&
            groups[i].width == want->width && groups[i].height == want->height &&
            groups[i].images == want->images)
            return i;
    if (ngroups == MAX_GROUPS)
        return -1;
    groups[ngroups] = *want;
    return ngroups++;
}

static void case_name(const da3_pp_case *c, char *buf, size_t len)
{
    const da3_pp_group *g = &groups[c->group];
    int n = snprintf(buf, len, "preprocess/%s", pool_name(c->pool));
    if (c->pool == -2) {
        if (g->res != 504)
            n += snprintf(buf + n, len - (size_t)n, "/res:%d", g->res);
        if (g->method != DA3_PP_UPPER_BOUND_RESIZE)
            n += snprintf(buf + n, len - (size_t)n, "/method:%s", da3_pp_method_name(g->method));
    }
    if (c->pool >= 0) {
        if (c->workers)
            n += snprintf(buf + n, len - (size_t)n, "/workers:%d", c->workers);
        else
            n += snprintf(buf + n, len - (size_t)n, "/workers:auto");
        n += snprintf(buf + n, len - (size_t)n, "/decode:%s", g->decode ? "dct" : "full");
        if (g->res != 504)
            n += snprintf(buf + n, len - (size_t)n, "/res:%d", g->res);
        if (g->method != DA3_PP_UPPER_BOUND_RESIZE)
            n += snprintf(buf + n, len - (size_t)n, "/method:%s", da3_pp_method_name(g->method));
    }
    if (g->kind != DA3_FIX_NATURAL)
        n += snprintf(buf + n, len - (size_t)n, "/kind:%s", da3_fix_kind_name(g->kind));
    if (g->width != 1920 || g->height != 1080)
        n += snprintf(buf + n, len - (size_t)n, "/size:%dx%d", g->width, g->height);
    snprintf(buf + n, len - (size_t)n, "/images:%d", g->images);
}

static int add_case(da3_pp_case c, char *err, size_t errlen)
{
    if (npcases == MAX_PP_CASES) {
        snprintf(err, errlen, "da3bench: more than %d preprocess cases", MAX_PP_CASES);
        return -2;
    }
    pcases[npcases++] = c;
    return 0;
}

int da3_suite_preprocess(const da3_opts *o, const da3_env *env, int mode, char *err,
                         size_t errlen)
{
    (void)env;
    g_opts = o;
    const char *preset = o->preset ? o->preset : "quick";
    const int big = strcmp(preset, "quick") != 0; /* seed and da3 */
    da3_sweep workers = {0};
    if (o->workers.n)
        workers = o->workers;
    else if (big) {
        static const int w[] = {4, 8, 12, 0};
        for (int i = 0; i < 4; i++)
            da3_sweep_add(&workers, w[i]);
    } else {
        static const int w[] = {1, 2, 4, 0};
        for (int i = 0; i < 4; i++)
            da3_sweep_add(&workers, w[i]);
    }
    /* the 4-worker baseline runs first in each group, so the others can
     * state their speedup against it */
    for (int i = 1; i < workers.n; i++)
        if (workers.v[i] == 4) {
            workers.v[i] = workers.v[0];
            workers.v[0] = 4;
        }
    const int images = o->images ? o->images : big ? 50 : 8;
    const int width = o->width ? o->width : 1920, height = o->height ? o->height : 1080;
    const int kind = o->kind >= 0 ? o->kind : DA3_FIX_NATURAL;
    da3_sweep res = o->res;
    if (!res.n)
        da3_sweep_add(&res, 504);
    const int ndec = o->ndecode ? o->ndecode : 1, nmeth = o->nmethod ? o->nmethod : 1;
    const int npool = o->npool ? o->npool : 1;
    int has_full = 0;
    for (int d = 0; d < o->ndecode; d++)
        has_full |= o->decodes[d] == DA3_PP_FULL;
    npcases = ngroups = 0;
    /* the floor: decode alone */
    da3_pp_group g0 = {.decode = 0, .res = 504, .method = 0, .kind = kind, .width = width,
                       .height = height, .images = images};
    int gi = group_of(&g0);
    if (gi < 0 || add_case((da3_pp_case){.pool = -1, .group = gi, .pp = DA3_PP_DEFAULTS}, err, errlen))
        return -2;
    for (int d = 0; d < ndec; d++)
        for (int r = 0; r < res.n; r++)
            for (int m = 0; m < nmeth; m++) {
                da3_pp_group g = g0;
                g.decode = o->ndecode ? o->decodes[d] : DA3_PP_FULL;
                g.res = (int)res.v[r];
                g.method = o->nmethod ? o->methods[m] : DA3_PP_UPPER_BOUND_RESIZE;
                da3_pp_geom geom;
                da3_pp_params p = {g.res, (da3_pp_method)g.method, (da3_pp_decode)g.decode};
                if (da3_pp_geometry(width, height, &p, &geom)) {
                    snprintf(err, errlen, "da3bench: --res %d with --size %dx%d: unsupported", g.res, width, height);
                    return -2;
                }
                const double need = (double)images * 3 * geom.out_w * geom.out_h * sizeof(float);
                const size_t limit = o->mem_limit ? o->mem_limit : da3_cpu_mem_budget();
                if (need > (double)limit) {
                    snprintf(err, errlen, "da3bench: --images %d at --res %d needs %.1f GiB of outputs, over the memory limit (--mem-limit)",
                             images, g.res, need / (1 << 30));
                    return -2;
                }
                if ((gi = group_of(&g)) < 0) {
                    snprintf(err, errlen, "da3bench: too many preprocess configurations");
                    return -2;
                }
                /* both decodes asked: the paired figure, after the first
                 * (full) group's cases for this res and method */
                if (g.decode == DA3_PP_DCT && has_full &&
                    add_case((da3_pp_case){.pool = -2, .group = gi, .pp = p}, err, errlen))
                    return -2;
                for (int pl = 0; pl < npool; pl++)
                    for (int w = 0; w < workers.n; w++) {
                        da3_pp_case c = {.pool = o->npool ? o->pools[pl] : 0,
                                         .workers = (int)workers.v[w], .group = gi, .pp = p};
                        if (add_case(c, err, errlen))
                            return -2;
                    }
            }
    for (int i = 0; i < npcases; i++) {
        char name[256];
        case_name(&pcases[i], name, sizeof name);
        if (mode == 2)
            continue;
        if (mode == 1) {
            puts(name);
            continue;
        }
        gb_bench *b = gb_register(name, pp_body, &pcases[i]);
        gb_set_unit(b, GB_MS);
    }
    return npcases;
}
