/*
 * The calib suite: a workload whose cost is exactly linear in W, to
 * calibrate the regression gate. calib/spin/work:W runs W * 4096 steps of a
 * dependent integer recurrence (no memory, no branches that vary), so
 * W against 1.05 W is a true 5% slowdown. --slowdown F multiplies the work
 * while keeping the name: the "head" build of an A/B calibration.
 * Only run when named (da3bench calib ...), never in the default set.
 */
#include "gbench.h"
#include "suite.h"
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>

/* a case: the work, and the run's --slowdown */
typedef struct {
    int64_t work;
    double slowdown;
} calib_case;

static void spin_body(gb_state *st, void *arg)
{
    const calib_case *c = arg;
    const int64_t steps = (int64_t)((double)c->work * 4096 * c->slowdown + 0.5);
    uint64_t x = 1;
    while (gb_keep_running(st)) {
        for (int64_t i = 0; i < steps; i++)
            x = x * 6364136223846793005ull + 1442695040888963407ull;
        __asm__ volatile("" : "+r"(x)); /* keep the chain */
    }
    gb_counter(st, "steps", (double)steps, GB_COUNTER_DEFAULT);
}

/* What the suite keeps for one run (suite.h): its cases. */
static int calib_add(const da3_opts *o, const da3_env *env, int mode, void **runp, char *err,
                     size_t errlen)
{
    (void)env;
    da3_sweep w = o->work;
    if (!w.n)
        da3_sweep_add(&w, 1000);
    calib_case *cases = calloc((size_t)w.n, sizeof *cases);
    if (!cases) {
        snprintf(err, errlen, "da3bench: calib: out of memory");
        return -2;
    }
    *runp = cases;
    static const char *const names[] = {"work"};
    for (int i = 0; i < w.n; i++) {
        cases[i] = (calib_case){w.v[i], o->slowdown > 0 ? o->slowdown : 1.0};
        if (mode == 2)
            continue;
        if (mode == 1) {
            printf("calib/spin/work:%lld\n", (long long)w.v[i]);
            continue;
        }
        gb_bench *b = gb_register("calib/spin", spin_body, &cases[i]);
        gb_args(b, &cases[i].work, 1);
        gb_arg_names(b, names, 1);
        gb_set_unit(b, GB_US);
    }
    return w.n;
}

static void calib_cleanup(void *run) { free(run); }

const da3_suite da3_calib_suite = {"calib", 0, calib_add, NULL, calib_cleanup};
