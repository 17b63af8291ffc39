/* blas.h with OpenBLAS */
#include "blas.h"

#include <string.h>

void da3_blas_set_threads(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }

const char *da3_blas_core(void)
{
    const char *c = openblas_get_corename();
    return c ? c : "";
}

const char *da3_blas_core_for(const char *core, int has_avx512, int has_avx2)
{
    if (!core || strcmp(core, "Prescott") != 0)
        return NULL;
    return has_avx512 ? "SkylakeX" : has_avx2 ? "Haswell" : NULL;
}

const char *da3_blas_config(void)
{
    const char *c = openblas_get_config();
    return c ? c : "";
}
