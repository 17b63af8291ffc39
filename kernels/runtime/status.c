#include "status.h"

const char *da3_strerror(int status)
{
    switch (status) {
    case DA3_OK:
        return "success";
    case DA3_ESHAPE:
        return "bad shape: every size at least 1, dividing as the kernel needs (a block's heads "
               "its width, its sequences its tokens), and tensors that fit in memory";
    case DA3_EHEADDIM:
        return "head_dim must be a multiple of 16 between 16 and 256";
    case DA3_EIMPL:
        return "unknown implementation or part";
    case DA3_ETHREADS:
        return "threads must be at least 1";
    case DA3_ENOMEM:
        return "out of memory, or a workspace missing or too small";
    case DA3_EUNAVAIL:
        return "this CPU, OS or build lacks the unit";
    case DA3_EARG:
        return "a parameter is out of its range";
    case DA3_EBADNAME:
        return "not a known name";
    case DA3_EDATA:
        return "not a JPEG, or corrupt or truncated data";
    case DA3_ESPACE:
        return "the output buffer is too small";
    case DA3_ETHREAD:
        return "a thread could not be started";
    case DA3_ECANCELLED:
        return "cancelled: the pool was freed before the job ran";
    case DA3_EWORKER:
        return "the worker process died or its pipe broke";
    case DA3_EDEVICE:
        return "the GPU or its runtime failed";
    default:
        return "unknown error code";
    }
}
