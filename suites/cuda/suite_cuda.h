/*
 * suite_cuda.h - what the cuda suite's files share: a case, and the
 * prefetch half (suite_cuda_prefetch.c) the suite registers.
 */
#ifndef DA3_SUITE_CUDA_H
#define DA3_SUITE_CUDA_H

#include "attention.h"
#include "gbench.h"

/* What the suite keeps for one run (suite_cuda.c), and its prefetch half's
 * part of it (suite_cuda_prefetch.c). */
typedef struct da3_cuda_run da3_cuda_run;
typedef struct da3_cuda_pf_state da3_cuda_pf_state;

typedef struct {
    int kind; /* 0 peak, 1 attention, 2 prefetch */
    int impl;
    da3_attn_shape s;
    int depth, batches, batch, group;
    int loader, loaders; /* prefetch: 0 sim, 1 jpeg; loader threads */
    double io_ms;
    const char *fixtures; /* the fixtures cache (--fixtures), NULL: the build's */
    da3_cuda_run *run;
    da3_cuda_pf_state *pf; /* the run's prefetch state */
} cuda_case;

#define DA3_CUDA_MAX_CASES 1024

/* the body of a cuda_prefetch case (arg: its cuda_case) */
void da3_cuda_prefetch_body(gb_state *st, void *arg);
da3_cuda_pf_state *da3_cuda_prefetch_new(void); /* NULL: no memory */
void da3_cuda_prefetch_free(da3_cuda_pf_state *pf);

#endif
