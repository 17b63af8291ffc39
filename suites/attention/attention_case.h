/*
 * attention_case.h - private to suites/attention: one case of the attention
 * suite (suite_attention.c registers them; console_attention.c prints the
 * seed's block from them, handed back with each result by the shim).
 */
#ifndef DA3_ATTENTION_CASE_H
#define DA3_ATTENTION_CASE_H

#include "attention.h"

typedef struct {
    da3_attn_impl impl;
    da3_attn_shape s;
    int threads;
    double peak;     /* GFLOP/s at this thread count, measured at start-up */
    double peak_adj; /* the same, measured again just before this case */
} da3_attn_case;

/* 1 if p is one of the attention suite's cases (not another suite's arg) */
int da3_attn_is_case(const void *p);

#endif
