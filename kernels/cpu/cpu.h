/*
 * cpu.h - what the processor can do, detected once, and what it measures at.
 *
 * ISA levels are ordered: scalar < avx2 < avx512 on x86-64, scalar < neon
 * on AArch64. da3_cpu_isa() returns the level the kernels run at: the best
 * one the CPU and OS support (CPUID and XGETBV; NEON is part of AArch64),
 * or the one named by the environment variable DA3BENCH_ISA
 * (scalar|avx2|avx512|neon). Naming a level this machine lacks is an error, never
 * a crash: da3_cpu_init() returns DA3_EUNAVAIL or DA3_EBADNAME and
 * da3_cpu_error() says which.
 *
 * The peak figures are measured, never assumed: an FMA loop over independent
 * vector accumulators at the best ISA (GFLOP/s), and the STREAM triad
 * a[i] = b[i] + s*c[i] over arrays far larger than the caches (GB/s,
 * counting 3 arrays of traffic as STREAM does).
 */
#ifndef DA3_CPU_H
#define DA3_CPU_H

#include "status.h"

#include <stddef.h>

typedef enum {
    DA3_ISA_SCALAR = 0,
    DA3_ISA_AVX2 = 1,
    DA3_ISA_AVX512 = 2,
    DA3_ISA_NEON = 3, /* AArch64 Advanced SIMD: always there on AArch64 */
    DA3_ISA_COUNT
} da3_isa;

/* Detects the CPU and reads DA3BENCH_ISA; idempotent. 0 or a negative code. */
int da3_cpu_init(void);
const char *da3_cpu_error(void);

da3_isa da3_cpu_isa(void);          /* selected level */
/* Selects a level for what follows (tests run every level this way).
 * 0, or DA3_EUNAVAIL if this CPU or build lacks it. */
int da3_cpu_set_isa(da3_isa isa);
da3_isa da3_cpu_best_isa(void);     /* best level the CPU supports */
int da3_cpu_has(da3_isa isa);       /* 1 if supported here */

/* The dispatch of every kernel family, one pattern (dav1d's): a family's
 * table is filled by its *_dsp_init(&table, mask), the C level first, then
 * each level in the mask overriding it in order (scalar < avx2 < avx512;
 * scalar < neon). The mask is a set of DA3_ISA_BIT(level):
 * da3_cpu_isa_mask() is the selected level and those below it that this
 * CPU and build have; a test or benchmark can pass any subset of it. */
#define DA3_ISA_BIT(isa) (1u << (unsigned)(isa))
unsigned da3_cpu_isa_mask(void);
unsigned da3_isa_mask_upto(da3_isa isa); /* the levels up to isa, of those here */
const char *da3_isa_name(da3_isa isa);
int da3_isa_parse(const char *name); /* level or -1 */
void da3_cpu_model(char *buf, size_t len); /* CPUID brand string */
int da3_cpu_count(void);            /* cores this process may use (affinity) */
size_t da3_cpu_phys_mem(void);      /* bytes of physical memory */
/* What a run may allocate by default: half the physical memory, or less
 * under an address-space limit (ulimit -v). */
size_t da3_cpu_mem_budget(void);

/* FMA throughput at the best ISA, threads running at once; the best of
 * `trials` runs of about `seconds` each. GFLOP/s, or a negative code. */
double da3_cpu_peak_gflops(int threads, double seconds, int trials);

/* The same at one ISA level (< 0 if this CPU lacks it). */
double da3_cpu_peak_gflops_isa(da3_isa isa, int threads, double seconds, int trials);

/* The accumulator count the peak uses at this ISA: swept once per process
 * (one thread, every count the loop is compiled for), the fastest kept. */
int da3_cpu_peak_accs(da3_isa isa);

/* Runs the best ISA's FMA loop for `iters` rounds on each of `threads`
 * threads at once; returns the floating-point operations done (< 0: error). */
double da3_cpu_fma_work(int threads, long iters);

/* The STREAM triad on arrays allocated once: new, run (returns the bytes
 * moved, 3 arrays' worth), free. */
typedef struct da3_triad da3_triad;
da3_triad *da3_triad_new(size_t n, int threads);
double da3_triad_run(da3_triad *t);
void da3_triad_free(da3_triad *t);

/* STREAM triad bandwidth over n floats per array; the best of `trials`. */
double da3_cpu_triad_gbs(int threads, size_t n, int trials);

/* Per-ISA FMA loop (fma_loop.c, compiled per level): loop runs `iters`
 * rounds over `accs` accumulators (one of the counts accs lists) and
 * returns a value to keep the work alive; *flops gets the floating-point
 * operations (0 for a count not compiled). */
typedef struct {
    float (*loop)(long iters, int accs, double *flops);
    int (*accs)(const int **list);
} da3_fma_fns;
extern const da3_fma_fns da3_fma_fns_scalar, da3_fma_fns_avx2, da3_fma_fns_avx512,
    da3_fma_fns_neon;
void da3_fma_dsp_init(da3_fma_fns *dsp, unsigned isa_mask);

/* The bf16 units, detected, never assumed (issue 25). AVX512-BF16
 * (vdpbf16ps): CPUID.(7,1):EAX bit 5, on top of the avx512 level being
 * selectable (the OS saving ZMM state), in a build whose compiler has
 * -mavx512bf16. NULL when usable, else why not, in one phrase. Forcing a
 * lower level with DA3BENCH_ISA turns it off too. */
const char *da3_cpu_bf16_missing(void);
/* Its dot-product throughput, as da3_cpu_peak_gflops: GFLOP/s (2 per
 * bf16 multiply-add pair), or < 0 where it is missing. */
double da3_cpu_bf16_peak_gflops(int threads, double seconds, int trials);
int da3_cpu_bf16_accs(void); /* the swept accumulator count, < 0 if missing */
/* `iters` rounds of the loop on each of `threads` threads: flops, < 0 error */
double da3_cpu_bf16_work(int threads, long iters);
/* bf16_loop.c (compiled with -mavx512bf16 only) */
float da3_bf16_dp_loop(long iters, int accs, double *flops);
int da3_bf16_dp_accs(const int **list);

#endif
