/*
 * suite_cuda.h - what the cuda suite's files share: a case, and the
 * prefetch half (suite_cuda_prefetch.c) the suite registers.
 */
#ifndef DA3_SUITE_CUDA_H
#define DA3_SUITE_CUDA_H

#include "attention.h"
#include "gbench.h"

typedef struct {
    int kind; /* 0 peak, 1 attention, 2 prefetch */
    int impl;
    da3_attn_shape s;
    int depth, batches, batch, group;
    int loader, loaders; /* prefetch: 0 sim, 1 jpeg; loader threads */
    double io_ms;
    const char *fixtures; /* the fixtures cache (--fixtures), NULL: the build's */
} cuda_case;

#define DA3_CUDA_MAX_CASES 1024

/* the body of a cuda_prefetch case (arg: its cuda_case) */
void da3_cuda_prefetch_body(gb_state *st, void *arg);
void da3_cuda_prefetch_cleanup(void);

#endif
