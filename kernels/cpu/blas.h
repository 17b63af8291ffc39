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

#endif
