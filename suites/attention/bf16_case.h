/*
 * bf16_case.h - private to suites/attention: the --dtype bf16 cases
 * (bf16_case.c), flash with Q, K, V stored as bf16 on AVX512-BF16.
 */
#ifndef DA3_BF16_CASE_H
#define DA3_BF16_CASE_H

#include "attention.h"

#include <stddef.h>
#include <stdint.h>

/* The inputs of the bf16 case being timed, kept across its repetitions,
 * and the bf16 peak per thread count, measured once: part of the
 * attention suite's run. */
typedef struct {
    da3_attn_shape s;
    int threads, have;
    uint16_t *q, *k, *v;
    float *o, *ref_in; /* the widened bf16 inputs, for the reference */
    void *ws;
    size_t ws_bytes;
    double err, tol;
    double peaks[65];
} da3_bf16_inputs;

typedef struct {
    da3_attn_shape s;
    int threads;
    da3_bf16_inputs *in; /* the run's */
} da3_bf16_case;

typedef struct gb_state gb_state;
void da3_bf16_body(gb_state *st, void *arg);
void da3_bf16_release(da3_bf16_inputs *in); /* the buffers (not the peaks) */

#endif
