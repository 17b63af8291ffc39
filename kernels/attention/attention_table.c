/* The function table of one ISA level, compiled once per level. */
#include "attention_isa.h"

const da3_attn_fns DA3_CAT(da3_attn_fns, DA3_ISA) = {
    .naive = DA3_FN(da3_attn_naive),
    .fused = DA3_FN(da3_attn_fused),
    .flash = DA3_FN(da3_attn_flash),
    .blas = DA3_FN(da3_attn_blas),
};
