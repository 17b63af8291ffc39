/*
 * prefetch_case.h - private to suites/prefetch: one case of the prefetch
 * suite and what the suite keeps for a run (suite_prefetch.c registers
 * the cases; console_prefetch.c prints the seed's block from them, handed
 * back with each result by the shim).
 */
#ifndef DA3_PREFETCH_CASE_H
#define DA3_PREFETCH_CASE_H

#include <stddef.h>

typedef struct da3_pf_suite_run da3_pf_suite_run;

typedef struct {
    int depth, loader, loaders, batches, batch, compute_threads;
    double io_ms;
    int group; /* the configuration: the same case at every depth */
    da3_pf_suite_run *run;
} da3_pf_case;

/* 1 if p is one of the run's cases (not another suite's arg) */
int da3_pf_is_case(const da3_pf_suite_run *run, const void *p);
/* The number of configurations (groups) of the run. */
int da3_pf_groups(const da3_pf_suite_run *run);
/* The case's name without "prefetch/depth:D/": its configuration. */
void da3_pf_case_config(const da3_pf_case *c, char *buf, size_t len);

/* After the run: the seed's block per configuration (console_prefetch.c) */
void da3_console_prefetch(const void *run);

#endif
