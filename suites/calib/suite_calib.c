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

static int64_t works[DA3_SWEEP_MAX];
static double slowdown = 1.0;

static void spin_body(gb_state *st, void *arg)
{
    const int64_t w = *(const int64_t *)arg;
    const int64_t steps = (int64_t)((double)w * 4096 * slowdown + 0.5);
    uint64_t x = 1;
    while (gb_keep_running(st)) {
        for (int64_t i = 0; i < steps; i++)
            x = x * 6364136223846793005ull + 1442695040888963407ull;
        __asm__ volatile("" : "+r"(x)); /* keep the chain */
    }
    gb_counter(st, "steps", (double)steps, GB_COUNTER_DEFAULT);
}

int da3_suite_calib(const da3_opts *o, const da3_env *env, int mode, char *err, size_t errlen)
{
    (void)env, (void)err, (void)errlen;
    da3_sweep w = o->work;
    if (!w.n)
        da3_sweep_add(&w, 1000);
    slowdown = o->slowdown > 0 ? o->slowdown : 1.0;
    static const char *const names[] = {"work"};
    for (int i = 0; i < w.n; i++) {
        works[i] = w.v[i];
        if (mode == 2)
            continue;
        if (mode == 1) {
            printf("calib/spin/work:%lld\n", (long long)w.v[i]);
            continue;
        }
        gb_bench *b = gb_register("calib/spin", spin_body, &works[i]);
        gb_args(b, &works[i], 1);
        gb_arg_names(b, names, 1);
        gb_set_unit(b, GB_US);
    }
    return w.n;
}

const da3_suite da3_calib_suite = {"calib", 0, da3_suite_calib, NULL, NULL};
