/*
 * The prefetch suite: the seed's benchmark_prefetch.py in C. Each case runs
 * `batches` batches of `batch` rows through a loader and the MLP
 * (512 -> 2048 -> 2048 -> 2048 -> 512, ReLU), sequentially (depth 0) or
 * with a bounded prefetch queue (depth k).
 *
 * Names: prefetch/depth:D/io_ms:X[/loader:jpeg][/loaders:L][/batches:N][/batch:B]
 * Counters: batches_per_s; io_ms and compute_ms (medians per batch,
 * measured separately); overlap_eff = (T_seq - T_pipe) / min(T_io, T_compute)
 * over the run, with T_seq the depth-0 case of the same configuration (run
 * first); bound_ratio = T_pipe / (n max(io, c) + min(io, c)), io divided by
 * the loader threads (they load that many batches at once); checksum of
 * every output, which must equal the sequential run's.
 */
#include "cpu.h"
#include "suite.h"
#include "fixtures.h"
#include "gbench.h"
#include "stats.h"
#include "pf_images.h"
#include "prefetch_case.h"
#include "prefetch.h"
#include "commands.h"
#include "suites.h"

#include "da3_config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PF 512
const int da3_pf_mlp_dims[5] = {512, 2048, 2048, 2048, 512};

typedef da3_pf_case pf_case;

typedef struct {
    double t_seq[64];
    int nseq;
    double checksum;
    int have_checksum;
} pf_group;

/* What the cases share (the MLP, its output, the decoders, the images), kept
 * from one case to the next; the loaders and compute get it as their ctx. */
typedef struct {
    da3_mlp *mlp;
    int batch;
    float *out;
    double checksum;
    int compute_threads;
    double io_ms;
    da3_pf_jpeg *jpeg;
    int jpeg_batch, jpeg_loaders;
    da3_pf_images images;
    char err[512];
} pf_state;
/* What the suite keeps for one run (suite.h). */
struct da3_pf_suite_run {
    pf_case cases[MAX_PF];
    pf_group groups[MAX_PF];
    int ncases, ngroups;
    const char *fixtures; /* --fixtures, or NULL */
    int name_threads;     /* --compute-threads given: it is in the names */
    pf_state S;
};

int da3_pf_is_case(const da3_pf_suite_run *run, const void *p)
{
    return run && da3_points_into(p, run->cases, (size_t)run->ncases, sizeof *run->cases);
}

int da3_pf_groups(const da3_pf_suite_run *run) { return run ? run->ngroups : 0; }

static void prefetch_cleanup(void *p)
{
    da3_pf_suite_run *run = p;
    pf_state *S = &run->S;
    da3_mlp_free(S->mlp);
    da3_pf_jpeg_free(S->jpeg);
    free(S->out);
    da3_pf_images_free(&S->images);
    free(run);
}

static int sim_load(void *ctx, long batch, float *buf, int loader)
{
    const pf_state *s = ctx;
    (void)loader;
    return da3_pf_sim_fill(batch, buf, (size_t)s->batch * da3_pf_mlp_dims[0], s->io_ms);
}

static int jpeg_load(void *ctx, long batch, float *buf, int loader)
{
    const pf_state *s = ctx;
    return da3_pf_jpeg_fill(s->jpeg, batch, buf, loader);
}

static int compute(void *ctx, long batch, const float *buf)
{
    pf_state *ps = ctx;
    da3_mlp_forward(ps->mlp, buf, ps->out, ps->compute_threads);
    double s = 0;
    const size_t n = (size_t)ps->batch * da3_pf_mlp_dims[4];
    for (size_t i = 0; i < n; i++)
        s += ps->out[i];
    ps->checksum += s * (double)(batch + 1); /* order matters: a swapped batch changes it */
    return 0;
}

static int setup(const pf_case *c, char *msg, size_t len)
{
    pf_state *S = &c->run->S;
    if (!S->mlp || S->batch != c->batch) {
        da3_mlp_free(S->mlp);
        free(S->out);
        S->batch = c->batch;
        S->mlp = da3_mlp_new(c->batch, da3_pf_mlp_dims, 5, 42);
        S->out = malloc(sizeof(float) * (size_t)c->batch * da3_pf_mlp_dims[4]);
        if (!S->mlp || !S->out) {
            snprintf(msg, len, "out of memory for the MLP");
            return -1;
        }
        /* the compute checked against the double forward before timing */
        float *in = malloc(sizeof(float) * (size_t)c->batch * da3_pf_mlp_dims[0]);
        if (!in) {
            snprintf(msg, len, "out of memory");
            return -1;
        }
        da3_pf_sim_fill(0, in, (size_t)c->batch * da3_pf_mlp_dims[0], 0);
        da3_mlp_forward(S->mlp, in, S->out, c->compute_threads);
        const double e = da3_mlp_check_row(S->mlp, in, S->out, c->batch - 1);
        free(in);
        if (!(e < 1e-4)) {
            snprintf(msg, len, "MLP max_abs_err %.3g against the double forward", e);
            return -1;
        }
    }
    if (c->loader == 1 && (!S->jpeg || S->jpeg_batch != c->batch || S->jpeg_loaders < c->loaders)) {
        da3_pf_jpeg_free(S->jpeg);
        if (da3_pf_images_load(&S->images, 16, c->run->fixtures, S->err, sizeof S->err)) {
            snprintf(msg, len, "fixtures: %s", S->err);
            return -1;
        }
        S->jpeg = da3_pf_jpeg_new((const uint8_t *const *)S->images.data, S->images.len,
                                  S->images.n, c->batch, da3_pf_mlp_dims[0], c->loaders);
        S->jpeg_batch = c->batch, S->jpeg_loaders = c->loaders;
        if (!S->jpeg) {
            snprintf(msg, len, "out of memory for the jpeg loader");
            return -1;
        }
    }
    S->compute_threads = c->compute_threads;
    S->io_ms = c->io_ms;
    return 0;
}

static void pf_body(gb_state *st, void *arg)
{
    pf_case *c = arg;
    pf_group *g = &c->run->groups[c->group];
    pf_state *S = &c->run->S;
    char msg[600];
    if (setup(c, msg, sizeof msg)) {
        gb_skip_with_error(st, msg);
        return;
    }
    double *io = calloc((size_t)c->batches, sizeof *io),
           *cp = calloc((size_t)c->batches, sizeof *cp);
    if (!io || !cp) {
        free(io), free(cp);
        gb_skip_with_error(st, "out of memory");
        return;
    }
    const da3_pf_config cfg = {.batches = c->batches, .depth = c->depth, .loaders = c->loaders,
                              .batch_floats = (size_t)c->batch * da3_pf_mlp_dims[0]};
    double total = 0, io_sum = 0, c_sum = 0;
    int64_t iters = 0;
    int max_ahead = 0;
    while (gb_keep_running(st)) {
        da3_pf_stats ps = {.io_s = io, .compute_s = cp};
        S->checksum = 0;
        int rc = da3_pf_run(&cfg, c->loader ? jpeg_load : sim_load, compute, S, &ps);
        if (rc) {
            snprintf(msg, sizeof msg, "batch %ld failed: %s", ps.error_batch,
                     c->loader && ps.error_batch >= 0 ? da3_pf_jpeg_error(S->jpeg, 0) : "error");
            gb_skip_with_error(st, msg);
            free(io), free(cp);
            return;
        }
        /* every run must compute the same outputs as the sequential one */
        if (!g->have_checksum)
            g->checksum = S->checksum, g->have_checksum = 1;
        else if (S->checksum != g->checksum) {
            snprintf(
                msg, sizeof msg,
                "checksum %.17g differs from the sequential %.17g: a batch was lost or reordered",
                S->checksum, g->checksum);
            gb_skip_with_error(st, msg);
            free(io), free(cp);
            return;
        }
        total += ps.total_s;
        for (long b = 0; b < c->batches; b++)
            io_sum += io[b], c_sum += cp[b];
        max_ahead = ps.max_ahead > max_ahead ? ps.max_ahead : max_ahead;
        iters++;
    }
    const double t_pipe = total / (double)iters;
    const double io_med = da3_median(io, c->batches), c_med = da3_median(cp, c->batches);
    const double t_io = io_sum / (double)iters, t_c = c_sum / (double)iters;
    if (c->depth == 0 && g->nseq < 64)
        g->t_seq[g->nseq++] = t_pipe;
    gb_counter(st, "batches_per_s", c->batches / t_pipe, GB_COUNTER_DEFAULT);
    gb_counter(st, "io_ms", 1e3 * io_med, GB_COUNTER_DEFAULT);
    gb_counter(st, "compute_ms", 1e3 * c_med, GB_COUNTER_DEFAULT);
    /* L loaders load L batches at once: the I/O a batch costs the pipeline
     * is io / L (sequential runs have one loader: the caller) */
    const double io_eff = c->depth > 0 ? io_med / c->loaders : io_med;
    gb_counter(st, "bound_ratio", t_pipe / da3_pf_bound(c->batches, io_eff, c_med),
               GB_COUNTER_DEFAULT);
    gb_counter(st, "checksum", g->checksum, GB_COUNTER_DEFAULT);
    gb_counter(st, "max_ahead", max_ahead, GB_COUNTER_DEFAULT);
    if (g->nseq > 0 && c->depth > 0) {
        double tmp[64];
        memcpy(tmp, g->t_seq, sizeof(double) * (size_t)g->nseq);
        const double t_seq = da3_median(tmp, g->nseq), m = t_io < t_c ? t_io : t_c;
        gb_counter(st, "overlap_eff", m > 0 ? (t_seq - t_pipe) / m : 0, GB_COUNTER_DEFAULT);
        gb_counter(st, "speedup", t_seq / t_pipe, GB_COUNTER_DEFAULT);
    }
    snprintf(msg, sizeof msg, "mlp %.0f MFLOP/batch, %d compute thread%s",
             da3_mlp_flops(S->mlp) * 1e-6, c->compute_threads, c->compute_threads == 1 ? "" : "s");
    gb_set_label(st, msg);
    free(io), free(cp);
}

int da3_pf_case_name(char *buf, size_t len, const char *suite, int depth, double io_ms,
                     int jpeg, int loaders, int batches, int batch)
{
    int n = snprintf(buf, len, "%s/depth:%d/io_ms:%g", suite, depth, io_ms);
    if (jpeg)
        n += snprintf(buf + n, len - (size_t)n, "/loader:jpeg");
    if (loaders != 1)
        n += snprintf(buf + n, len - (size_t)n, "/loaders:%d", loaders);
    if (batches != 50)
        n += snprintf(buf + n, len - (size_t)n, "/batches:%d", batches);
    if (batch != 32)
        n += snprintf(buf + n, len - (size_t)n, "/batch:%d", batch);
    return n;
}

static void case_name(const pf_case *c, char *buf, size_t len)
{
    int n = da3_pf_case_name(buf, len, "prefetch", c->depth, c->io_ms, c->loader, c->loaders,
                             c->batches, c->batch);
    if (c->run->name_threads && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, "/compute_threads:%d", c->compute_threads);
}

void da3_pf_case_config(const pf_case *c, char *buf, size_t len)
{
    char name[256];
    case_name(c, name, sizeof name);
    const char *rest = strchr(name + strlen("prefetch/depth:"), '/');
    snprintf(buf, len, "%s", rest ? rest + 1 : "");
}

void da3_prefetch_axes(const da3_opts *o, da3_pf_axes *ax)
{
    const int quick = o->preset == DA3_PRESET_QUICK;
    ax->depth = o->depth, ax->io = o->io_ms, ax->loader_threads = o->loader_threads;
    if (!ax->depth.n)
        da3_sweep_add(&ax->depth, 0), da3_sweep_add(&ax->depth, 2);
    /* the sequential run first: the others' overlap is measured against it */
    for (int i = 1; i < ax->depth.n; i++)
        if (ax->depth.v[i] == 0)
            ax->depth.v[i] = ax->depth.v[0], ax->depth.v[0] = 0;
    if (!ax->io.n)
        da3_sweep_add(&ax->io, quick ? 5 : 10);
    if (!ax->loader_threads.n)
        da3_sweep_add(&ax->loader_threads, 1);
    /* counting instructions (under Valgrind, ~50x slower) needs few
     * batches: the count per batch is the same */
    ax->batches = o->batches             ? o->batches
                  : o->count_instructions ? 2
                  : quick                 ? 10
                                          : 50;
    ax->batch = o->batch_size ? o->batch_size : 32;
    ax->nload = o->nloader ? o->nloader : 1;
}

static int prefetch_add(const da3_opts *o, const da3_env *env, int mode, void **runp, char *err,
                        size_t errlen)
{
    (void)env;
    da3_pf_suite_run *run = calloc(1, sizeof *run);
    if (!run) {
        snprintf(err, errlen, "da3bench: prefetch: out of memory");
        return -2;
    }
    *runp = run;
    run->fixtures = o->fixtures;
    run->name_threads = o->compute_threads != 0;
    pf_case *const cases = run->cases;
    da3_pf_axes ax;
    da3_prefetch_axes(o, &ax);
    const da3_sweep depth = ax.depth, io = ax.io, lt = ax.loader_threads;
    const int batches = ax.batches, batch = ax.batch, nload = ax.nload;
    const int threads = o->compute_threads ? o->compute_threads : da3_cpu_count();
    for (int l = 0; l < nload; l++)
        for (int i = 0; i < io.n; i++)
            for (int t = 0; t < lt.n; t++) {
                const int loader = o->nloader ? o->loaders[l] : 0;
                if (loader == 1 && i > 0)
                    continue; /* io_ms is the sim loader's; jpeg's I/O is real */
                if (run->ngroups == MAX_PF) {
                    snprintf(err, errlen, "da3bench: too many prefetch configurations");
                    return -2;
                }
                for (int d = 0; d < depth.n; d++) {
                    if (run->ncases == MAX_PF) {
                        snprintf(err, errlen, "da3bench: too many prefetch cases");
                        return -2;
                    }
                    cases[run->ncases++] = (pf_case){.depth = (int)depth.v[d], .loader = loader,
                                                .loaders = (int)lt.v[t], .batches = batches,
                                                .batch = batch, .compute_threads = threads,
                                                .io_ms = loader ? 0 : (double)io.v[i],
                                                .group = run->ngroups, .run = run};
                }
                run->ngroups++;
            }
    for (int i = 0; i < run->ncases; i++) {
        char name[256];
        case_name(&cases[i], name, sizeof name);
        if (mode == 2)
            continue;
        if (mode == 1) {
            puts(name);
            continue;
        }
        gb_bench *b = gb_register(name, pf_body, &cases[i]);
        gb_set_unit(b, GB_MS);
    }
    return run->ncases;
}

const da3_suite da3_prefetch_suite = {
    "prefetch", DA3_SUITE_DEFAULT | DA3_SUITE_CPU_PEAK, prefetch_add,
    da3_console_prefetch, prefetch_cleanup,
};
