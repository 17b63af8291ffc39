/*
 * suite_preprocess.h - private to suites/preprocess: what the suite shares
 * with its running machinery (preprocess_run.c) and its console block:
 * the configuration groups (one per decode, res, method and fixture set)
 * and the cases within them, each pointing to the run it belongs to.
 */
#ifndef DA3_SUITE_PREPROCESS_H
#define DA3_SUITE_PREPROCESS_H

#include "preprocess.h"

typedef struct {
    int decode, res, method, kind, width, height, images;
    int auto_workers;  /* measured choice, 0 until measured */
    double base[64];   /* the 4-worker thread pool's batch times */
    int nbase;
} da3_pp_group;

/* What the suite keeps for one run (suite_preprocess.c). */
typedef struct da3_pp_suite_run da3_pp_suite_run;

typedef struct {
    int pool;     /* -2 side by side, -1 decode only, 0 threads, 1 processes */
    int workers;  /* 0: auto */
    int group;
    da3_pp_params pp;
    int used_workers;
    int checked;
    double max_err, psnr;
    da3_pp_suite_run *run;
} da3_pp_case;

/* 1 if p is one of the run's cases (not another suite's arg) */
int da3_pp_is_case(const da3_pp_suite_run *run, const void *p);
/* The case's group. */
const da3_pp_group *da3_pp_case_group(const da3_pp_case *c);
/* The case's configuration: its name without "preprocess/" and without
 * "/workers:W" ("threads/decode:full/images:8"). */
void da3_pp_case_config(const da3_pp_case *c, char *buf, size_t len);

/* After the run: the seed's block per configuration (console_preprocess.c) */
void da3_console_preprocess(const void *run);

#endif
