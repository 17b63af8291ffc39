/*
 * attention_case.h - private to suites/attention: one case of the attention
 * suite (suite_attention.c registers them; console_attention.c prints the
 * seed's block from them, handed back with each result by the shim).
 */
#ifndef DA3_ATTENTION_CASE_H
#define DA3_ATTENTION_CASE_H

#include "attention.h"

/* What the suite keeps for one run (suite_attention.c): its cases, the
 * inputs of the case being timed, the bf16 cases' own. */
typedef struct da3_attn_suite_run da3_attn_suite_run;

typedef struct {
    da3_attn_impl impl;
    da3_attn_shape s;
    int threads;
    double peak;     /* GFLOP/s at this thread count, measured at start-up */
    double peak_adj; /* the same, measured again just before this case */
    da3_attn_suite_run *run; /* the run it belongs to */
} da3_attn_case;

/* 1 if p is one of the run's cases (not another suite's arg) */
int da3_attn_is_case(const da3_attn_suite_run *run, const void *p);

/* After the run: the seed's block per configuration (console_attention.c),
 * from the run's cases */
void da3_console_attention(const void *run);

#endif
