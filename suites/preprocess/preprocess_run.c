/*
 * preprocess_run.c - what the preprocess suite runs, apart from how it is
 * registered and reported: the fixture set (loaded once), one case's
 * running state (per-worker contexts and file buffers, per-image output
 * slots and errors), the thread and process pools, the correctness check
 * against the double reference (and dct's PSNR against full), and the
 * side-by-side pass. Private to suites/ (preprocess_run.h).
 */
#include "preprocess_run.h"

#include "cpu.h"
#include "fixtures.h"
#include "pool.h"
#include "commands.h"
#include "suites.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the fixture set, loaded once */
typedef struct {
    int loaded;
    char dir[4096];
    int n;
    char **path;
    double bytes;
    char err[512];
} fixture_set;

static int load_set(fixture_set *set, const char *fixtures, const da3_pp_group *g)
{
    if (set->loaded)
        return set->loaded > 0 ? 0 : -1;
    char base[3000];
    snprintf(base, sizeof base, "%s", da3_fixtures_dir(fixtures));
    da3_fix_params fp = DA3_FIX_DEFAULTS;
    fp.kind = (da3_fix_kind)g->kind, fp.width = g->width, fp.height = g->height,
    fp.count = g->images;
    da3_fix_set_dir(base, &fp, set->dir, sizeof set->dir);
    char err[512];
    if (da3_fix_ensure(set->dir, &fp, da3_cpu_count(), err, sizeof err)) {
        snprintf(set->err, sizeof set->err, "%s", err);
        set->loaded = -1;
        return -1;
    }
    set->n = fp.count;
    set->path = calloc((size_t)set->n, sizeof *set->path);
    for (int i = 0; i < set->n && set->path; i++) {
        char name[32];
        da3_fix_name(i, name, sizeof name);
        const size_t plen = strlen(set->dir) + 40;
        set->path[i] = malloc(plen);
        if (set->path[i])
            snprintf(set->path[i], plen, "%s/%s", set->dir, name);
        uint8_t *buf = NULL;
        size_t cap = 0;
        long len = da3_fix_read_file(set->path[i], &buf, &cap);
        free(buf);
        if (len < 0) {
            snprintf(set->err, sizeof set->err, "%s: %s", set->path[i], strerror((int)-len));
            set->loaded = -1;
            return -1;
        }
        set->bytes += (double)len;
    }
    set->loaded = 1;
    return 0;
}

/* ---- one case's running state ---- */

typedef struct {
    const fixture_set *set;
    da3_pp_case *c;
    da3_pp **pp;          /* per worker */
    uint8_t **buf;        /* per worker file buffer */
    size_t *cap;
    float *out;           /* images * out_floats */
    size_t out_floats;
    int *rc;
    char (*msg)[300];     /* per image error */
    float **scratch;      /* per worker output while auto-tuning */
    char (*wmsg)[300];    /* per worker error while auto-tuning */
    int workers;
} run_state;

/* What the suite keeps for a run: the set, the case being timed, its pool. */
struct da3_pprun {
    const char *fixtures; /* --fixtures, or NULL */
    fixture_set set;
    run_state rs;
    da3_pool *tpool;
    da3_ppool *ppool;
};

da3_pprun *da3_pprun_new(const char *fixtures)
{
    da3_pprun *r = calloc(1, sizeof *r);
    if (r)
        r->fixtures = fixtures;
    return r;
}

static void release_state(da3_pprun *r)
{
    run_state *rs = &r->rs;
    da3_pool_free(r->tpool);
    r->tpool = NULL;
    da3_ppool_free(r->ppool);
    r->ppool = NULL;
    for (int w = 0; w < rs->workers; w++) {
        da3_pp_free(rs->pp ? rs->pp[w] : NULL);
        free(rs->buf ? rs->buf[w] : NULL);
        free(rs->scratch ? rs->scratch[w] : NULL);
    }
    free(rs->pp), free(rs->buf), free(rs->cap), free(rs->out), free(rs->rc), free(rs->msg);
    free(rs->scratch), free(rs->wmsg);
    memset(rs, 0, sizeof *rs);
}

void da3_pprun_free(da3_pprun *r)
{
    if (!r)
        return;
    release_state(r);
    for (int i = 0; r->set.path && i < r->set.n; i++)
        free(r->set.path[i]);
    free(r->set.path);
    free(r);
}

static int do_image(run_state *s, long job, int worker, float *dst, char msg[300])
{
    long len = da3_fix_read_file(s->set->path[job], &s->buf[worker], &s->cap[worker]);
    if (len < 0) {
        snprintf(msg, 300, "%s: %s", s->set->path[job], strerror((int)-len));
        return (int)len;
    }
    if (!s->pp[worker] && !(s->pp[worker] = da3_pp_new()))
        return DA3_ENOMEM;
    da3_pp_geom g;
    int rc =
        da3_pp_run(s->pp[worker], s->buf[worker], (size_t)len, &s->c->pp, dst, s->out_floats, &g);
    if (rc)
        snprintf(msg, 300, "%s: %s", s->set->path[job], da3_pp_error(s->pp[worker]));
    return rc;
}

static int thread_job(void *ctx, long job, int worker)
{
    run_state *s = ctx;
    if (worker >= s->workers) {
        snprintf(s->msg[job], sizeof s->msg[job], "worker %d: no slot", worker);
        return -1;
    }
    return do_image(s, job, worker, s->out + (size_t)job * s->out_floats, s->msg[job]);
}

static int process_job(void *ctx, long job, int worker, void *buf)
{
    (void)worker;
    /* in the child: one worker slot of its own (index 0) */
    run_state *s = ctx;
    return do_image(s, job, 0, buf, s->msg[job]);
}

static int decode_job(run_state *s, long job)
{
    long len = da3_fix_read_file(s->set->path[job], &s->buf[0], &s->cap[0]);
    int w, h;
    if (len < 0 || !da3_pp_decode_only(s->pp[0], s->buf[0], (size_t)len, &w, &h)) {
        snprintf(s->msg[job], sizeof s->msg[job], "%s: %s", s->set->path[job],
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
    /* a calibration batch may hold an image twice, run at once by two
     * workers: each writes its own scratch output and message */
    if (!s->scratch[worker] && !(s->scratch[worker] = malloc(sizeof(float) * s->out_floats)))
        return DA3_ENOMEM;
    return do_image(s, job % s->set->n, worker, s->scratch[worker], s->wmsg[worker]);
}

/* Sets up rs for case c: buffers for max(workers, 64) slots (64: the most
 * the auto-tuner tries). */
int da3_pprun_setup(da3_pprun *r, da3_pp_case *c, da3_pp_group *g, char *msg, size_t len)
{
    run_state *rs = &r->rs;
    const fixture_set *set = &r->set;
    if (rs->c == c)
        return 0;
    release_state(r);
    if (load_set(&r->set, r->fixtures, g)) {
        snprintf(msg, len, "fixtures: %s", set->err);
        return -1;
    }
    da3_pp_geom geom;
    if (da3_pp_geometry(g->width, g->height, &c->pp, &geom)) {
        snprintf(msg, len, "unsupported geometry");
        return -1;
    }
    rs->set = set;
    rs->c = c;
    rs->workers = c->workers > 64 ? c->workers : 64;
    rs->out_floats = (size_t)3 * geom.out_w * geom.out_h;
    rs->pp = calloc((size_t)rs->workers, sizeof *rs->pp);
    rs->buf = calloc((size_t)rs->workers, sizeof *rs->buf);
    rs->cap = calloc((size_t)rs->workers, sizeof *rs->cap);
    rs->out = malloc(sizeof(float) * rs->out_floats * (size_t)set->n);
    rs->rc = calloc((size_t)set->n, sizeof *rs->rc);
    rs->msg = calloc((size_t)set->n, sizeof *rs->msg);
    rs->scratch = calloc((size_t)rs->workers, sizeof *rs->scratch);
    rs->wmsg = calloc((size_t)rs->workers, sizeof *rs->wmsg);
    if (!rs->pp || !rs->buf || !rs->cap || !rs->out || !rs->rc || !rs->msg || !rs->scratch ||
        !rs->wmsg ||
        !(rs->pp[0] = da3_pp_new())) {
        snprintf(msg, len, "out of memory for %d images", set->n);
        return -1;
    }
    if (c->pool < 0)
        return 0;
    int w = c->workers;
    if (w == 0) { /* auto: measured once per group, on a calibration batch */
        if (!g->auto_workers) {
            da3_pool_trial t[16];
            int nt = 0;
            const long calib = set->n < 16 ? set->n : 16;
            int best = da3_pool_autotune(4 * da3_cpu_count() < 64 ? 4 * da3_cpu_count() : 64, calib,
                                         auto_job, rs, t, &nt);
            for (int k = 0; k < rs->workers; k++)
                free(rs->scratch[k]), rs->scratch[k] = NULL;
            if (best < 1) {
                const char *why = "";
                for (int k = 0; k < rs->workers && !*why; k++)
                    why = rs->wmsg[k];
                snprintf(msg, len, "auto-tuning failed%s%s", *why ? ": " : "", why);
                return -1;
            }
            g->auto_workers = best;
        }
        w = g->auto_workers;
    }
    c->used_workers = w;
    if (c->pool == 0)
        r->tpool = da3_pool_new(w);
    else
        r->ppool = da3_ppool_new(w, process_job, rs, rs->out_floats * sizeof(float));
    if (!r->tpool && !r->ppool) {
        snprintf(msg, len, "could not start %d workers", w);
        return -1;
    }
    return 0;
}

const char *da3_pprun_first_error(const da3_pprun *r)
{
    const run_state *rs = &r->rs;
    const fixture_set *set = &r->set;
    for (int j = 0; j < set->n; j++)
        if (rs->rc[j])
            return rs->msg[j][0] ? rs->msg[j] : "a worker failed";
    return "unknown error";
}

/* side_by_side: every image through the plain decode (context 2), full
 * (context 0) then dct (context 1); adds the seconds of each to t[0..2]. */
long da3_pprun_paired(da3_pprun *r, da3_pp_case *c, double t[3])
{
    run_state *rs = &r->rs;
    const fixture_set *set = &r->set;
    da3_pp_params full = c->pp, dct = c->pp;
    full.decode = DA3_PP_FULL, dct.decode = DA3_PP_DCT;
    long failed = 0;
    for (int k = 1; k < 3; k++)
        if (!rs->pp[k] && !(rs->pp[k] = da3_pp_new()))
            return set->n;
    for (long j = 0; j < set->n; j++) {
        long len = da3_fix_read_file(set->path[j], &rs->buf[0], &rs->cap[0]);
        if (len < 0) {
            snprintf(rs->msg[j], sizeof rs->msg[j], "%s: %s", set->path[j], strerror((int)-len));
            failed += (rs->rc[j] = -1) != 0;
            continue;
        }
        da3_pp_geom g;
        float *dst = rs->out + (size_t)j * rs->out_floats;
        int rc = 0;
        /* the order turns with the image: no side always goes first */
        for (int s = 0; s < 3 && !rc; s++) {
            const int k = (int)((j + s) % 3);
            int w, h;
            const double t0 = da3_now();
            if (k == 0)
                rc =
                    da3_pp_decode_only(rs->pp[2], rs->buf[0], (size_t)len, &w, &h) ? 0 : DA3_EDATA;
            else
                rc = da3_pp_run(rs->pp[k - 1], rs->buf[0], (size_t)len, k == 1 ? &full : &dct, dst,
                                rs->out_floats, &g);
            t[k] += da3_now() - t0;
        }
        if ((rs->rc[j] = rc))
            snprintf(rs->msg[j], sizeof rs->msg[j], "%s: %s", set->path[j],
                     da3_pp_error(rs->pp[0])[0]   ? da3_pp_error(rs->pp[0])
                     : da3_pp_error(rs->pp[1])[0] ? da3_pp_error(rs->pp[1])
                                                 : da3_pp_error(rs->pp[2]));
        failed += rc != 0;
    }
    return failed;
}

long da3_pprun_once(da3_pprun *r, da3_pp_case *c)
{
    run_state *rs = &r->rs;
    const fixture_set *set = &r->set;
    if (c->pool < 0) {
        long failed = 0;
        for (long j = 0; j < set->n; j++)
            failed += (rs->rc[j] = decode_job(rs, j)) != 0;
        return failed;
    }
    return c->pool == 0 ? da3_pool_map(r->tpool, set->n, thread_job, rs, rs->rc)
                        : da3_ppool_map(r->ppool, set->n, rs->out, rs->rc);
}


/* image 0 against the double reference; for dct, also PSNR against full */
void da3_pprun_check(const da3_pprun *r, da3_pp_case *c)
{
    const run_state *rs = &r->rs;
    const fixture_set *set = &r->set;
    if (c->checked || c->pool < 0)
        return;
    c->checked = 1;
    uint8_t *buf = NULL;
    size_t cap = 0;
    long len = da3_fix_read_file(set->path[0], &buf, &cap);
    da3_pp *pp = da3_pp_new();
    da3_pp_geom g;
    c->max_err = NAN;
    if (len > 0 && pp && da3_pp_probe(pp, buf, (size_t)len, &c->pp, &g) == 0) {
        float *ref = da3_pp_reference_jpeg(pp, buf, (size_t)len, &c->pp, &g);
        if (ref) {
            double e = 0;
            for (size_t k = 0; k < rs->out_floats; k++)
                e = fmax(e, fabs((double)ref[k] - rs->out[k]));
            c->max_err = e;
        }
        free(ref);
        if (c->pp.decode == DA3_PP_DCT) {
            da3_pp_params full = c->pp;
            full.decode = DA3_PP_FULL;
            float *f = malloc(sizeof(float) * rs->out_floats);
            static const float sd[3] = {0.229f, 0.224f, 0.225f};
            if (f && da3_pp_run(pp, buf, (size_t)len, &full, f, rs->out_floats, &g) == 0) {
                double mse = 0;
                const size_t plane = rs->out_floats / 3;
                for (size_t k = 0; k < rs->out_floats; k++) {
                    const double d = ((double)f[k] - rs->out[k]) * sd[k / plane] * 255.0;
                    mse += d * d / (double)rs->out_floats;
                }
                c->psnr = mse > 0 ? 10 * log10(255.0 * 255.0 / mse) : 99.0;
            }
            free(f);
        }
    }
    da3_pp_free(pp);
    free(buf);
}


int da3_pprun_images(const da3_pprun *r) { return r->set.n; }
double da3_pprun_bytes(const da3_pprun *r) { return r->set.bytes; }
