/*
 * suite_preprocess.h - what the preprocess suite shares with its console
 * block: the configuration groups (one per decode, res, method and fixture
 * set) and the cases within them.
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

typedef struct {
    int pool;     /* -1 decode only, 0 threads, 1 processes */
    int workers;  /* 0: auto */
    int group;
    da3_pp_params pp;
    int used_workers;
    int checked;
    double max_err, psnr;
} da3_pp_case;

const da3_pp_group *da3_pp_groups(int *n);
void da3_suite_preprocess_cleanup(void);

#endif
