/* blas.h with Apple's Accelerate (macOS); checked only by the macos-14 CI job */
#include "blas.h"

void da3_blas_set_threads(int n) { (void)n; }

const char *da3_blas_config(void) { return "Accelerate (vecLib; threads chosen by the library)"; }

const char *da3_blas_core(void) { return "Accelerate"; }

const char *da3_blas_core_for(const char *core, int has_avx512, int has_avx2)
{
    (void)core, (void)has_avx512, (void)has_avx2;
    return NULL;
}
