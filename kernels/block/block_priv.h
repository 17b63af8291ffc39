/*
 * block_priv.h - private to kernels/block: the block's buffers, shared by
 * block.c (which fills them) and reference.c (which checks them).
 */
#ifndef DA3_BLOCK_PRIV_H
#define DA3_BLOCK_PRIV_H

#include "block.h"

struct da3_block {
    da3_block_shape s;
    da3_attn_shape a;
    da3_attn_impl impl;
    int threads;
    da3_block_fns f;
    /* the stages' outputs, in order; fc1 is before GELU, u after */
    float *h1, *qkv, *q, *k, *v, *o, *am, *proj, *x1, *h2, *fc1, *u, *mlp;
    void *ws;
    size_t ws_bytes;
    float *mem;
};

#endif
