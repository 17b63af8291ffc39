/* blas.h with OpenBLAS */
#include "blas.h"

void da3_blas_set_threads(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }

const char *da3_blas_config(void)
{
    const char *c = openblas_get_config();
    return c ? c : "";
}
