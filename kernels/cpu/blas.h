/*
 * blas.h - the CBLAS the build links: OpenBLAS everywhere but macOS, where
 * Apple's Accelerate is the system's own (meson chooses; blas_openblas.c or
 * blas_accelerate.c implements the two calls below).
 */
#ifndef DA3_BLAS_H
#define DA3_BLAS_H

#if defined(DA3_HAVE_ACCELERATE)
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

/* Threads BLAS calls may use from now on (OpenBLAS: its pool size;
 * Accelerate chooses for itself and this does nothing). */
void da3_blas_set_threads(int n);
/* The library's own description of its build, for the manifest. */
const char *da3_blas_config(void);
/* The kernels the library chose for this CPU (OpenBLAS: its core name, e.g.
 * "SkylakeX", "Zen"; Accelerate: "Accelerate"). */
const char *da3_blas_core(void);
/* Where an OpenBLAS built for many CPUs (DYNAMIC_ARCH) did not recognise
 * this one, it falls back to its "Prescott" kernels (SSE3): OpenBLAS 0.3.21
 * does so on Emerald Rapids (family 6 model 207), a quarter of the speed of
 * its AVX-512 kernels there. Given the core name it chose and the widest ISA
 * the CPU has, the OPENBLAS_CORETYPE that selects the right kernels
 * ("SkylakeX" with AVX-512, "Haswell" with AVX2), or NULL where the choice
 * stands. Pure: tested with made-up names. */
const char *da3_blas_core_for(const char *core, int has_avx512, int has_avx2);

#endif
