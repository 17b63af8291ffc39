/*
 * suite.h - what every suite family implements. A family is a folder of
 * suites/ (its cases, its run body, its console block) and one
 * `const da3_suite` it defines; suites/app/suite_list.c lists them, and
 * the command (main.c, cli.c) knows the suites only through that list:
 * adding a family is adding its folder and one line there.
 */
#ifndef DA3_SUITE_H
#define DA3_SUITE_H

#include "cli.h"
#include "env.h"

#include <stddef.h>

enum {
    DA3_SUITE_DEFAULT = 1,  /* runs when no suite is named */
    DA3_SUITE_HARDWARE = 2, /* measures the hardware: nothing to count under Valgrind */
    DA3_SUITE_CPU_PEAK = 4, /* a percent of the CPU's measured peak: the run measures it */
};

/* mode of add(): register the cases with Google Benchmark, print their
 * names (da3bench list), or only check that they can run */
enum { DA3_SUITE_REGISTER = 0, DA3_SUITE_LIST = 1, DA3_SUITE_CHECK = 2 };

typedef struct da3_suite {
    const char *name;
    unsigned flags; /* DA3_SUITE_* */
    /* The cases of the options. What the family keeps for this run (its
     * cases, the inputs of the case being timed, what the cases share) is
     * one allocation, handed back in *run (NULL if nothing): the bodies
     * reach it through their case, console() and cleanup() get it, and no
     * family keeps per-run state in file-static variables. A
     * configuration that cannot run (over the memory limit, say) is a
     * usage error found before anything runs: -2 with a one-line message
     * in err (*run may still be set: cleanup() frees it). */
    int (*add)(const da3_opts *o, const da3_env *env, int mode, void **run, char *err,
               size_t errlen);
    void (*console)(const void *run); /* the seed's block after the run, from the cases; or NULL */
    void (*cleanup)(void *run);       /* frees *run and what the bodies kept in it; or NULL */
} da3_suite;

extern const da3_suite da3_attention_suite, da3_peak_suite, da3_preprocess_suite,
    da3_prefetch_suite, da3_cuda_suite, da3_calib_suite, da3_block_suite;

/* Every suite, in the order they run and print (at most DA3_SUITE_MAX). */
#define DA3_SUITE_MAX 16
extern const da3_suite *const da3_suite_list[];
extern const int da3_suite_count;
const da3_suite *da3_suite_find(const char *name);

#endif
