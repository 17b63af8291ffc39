/*
 * status.h - the one error convention of the kernels and the runtime.
 *
 * A function that can fail returns a da3_status: DA3_OK (0), or one of the
 * negative codes below, and da3_strerror() says in one line what it means.
 * A function that returns a pointer returns NULL where it fails (out of
 * memory, unless its header says more). An object that fails on its input
 * or its device (the JPEG context, the JPEG loader, the GPU objects) also
 * keeps the message of its last failure, with what a code cannot carry
 * (which file, which marker, which CUDA call): da3_pp_error(pp), as
 * libjpeg-turbo's tj3GetErrorStr(handle); so does the CPU's detection,
 * da3_cpu_error(), the process-wide object. A name lookup (an ISA level,
 * an implementation, a method) returns its index, or -1 for "no such
 * name". A measured rate (GFLOP/s, GB/s) is a double, negative (a
 * da3_status) where it could not be measured. The codes are stable; a
 * caller may switch on them.
 */
#ifndef DA3_STATUS_H
#define DA3_STATUS_H

typedef enum {
    DA3_OK = 0,
    DA3_ESHAPE = -1,     /* a size below 1, sizes that do not divide as the kernel needs,
                            or tensors too large to address */
    DA3_EHEADDIM = -2,   /* a head size other than a multiple of 16 in [16, 256] */
    DA3_EIMPL = -3,      /* an unknown implementation or part */
    DA3_ETHREADS = -4,   /* a thread or worker count below 1 */
    DA3_ENOMEM = -5,     /* out of memory, or a workspace missing or too small */
    DA3_EUNAVAIL = -6,   /* this CPU, OS or build lacks the unit (an ISA level, bf16, a GPU) */
    DA3_EARG = -7,       /* another parameter out of its range */
    DA3_EBADNAME = -8,   /* a name that is not one of the known ones (DA3BENCH_ISA) */
    DA3_EDATA = -9,      /* input that is not what it should be: not a JPEG, corrupt, truncated */
    DA3_ESPACE = -10,    /* the output buffer is too small */
    DA3_ETHREAD = -11,   /* a thread, process or pipe could not be made */
    DA3_ECANCELLED = -12, /* the pool was freed before the job ran */
    DA3_EWORKER = -13,   /* the worker process died or its pipe broke */
    DA3_EDEVICE = -14,   /* the GPU or its runtime failed (the object's message says how) */
} da3_status;

/* One line for a code; "unknown error code" for any other value. */
const char *da3_strerror(int status);

#endif
