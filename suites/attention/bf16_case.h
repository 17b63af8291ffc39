/*
 * bf16_case.h - private to suites/attention: the --dtype bf16 cases
 * (bf16_case.c), flash with Q, K, V stored as bf16 on AVX512-BF16.
 */
#ifndef DA3_BF16_CASE_H
#define DA3_BF16_CASE_H

#include "attention.h"

typedef struct {
    da3_attn_shape s;
    int threads;
} da3_bf16_case;

typedef struct gb_state gb_state;
void da3_bf16_body(gb_state *st, void *arg);
void da3_bf16_cleanup(void);

#endif
