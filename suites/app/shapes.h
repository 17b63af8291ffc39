/*
 * shapes.h - attention shapes from a file (--shapes FILE), one per line,
 * as oneDNN's benchdnn batch files give them:
 *
 *     # ViT-L global attention over 4 views
 *     B=1 H=16 N=2884 D=64
 *     N=1024             # B=1 H=8 D=64 when omitted
 *
 * Keys B, H, N, D in any order, separated by blanks; '#' starts a comment;
 * blank lines are skipped. A bad line is an error naming the file and the
 * line number, and nothing runs.
 */
#ifndef DA3_SHAPES_H
#define DA3_SHAPES_H

#include "attention.h"

#include <stddef.h>

#define DA3_MAX_SHAPES 256

/* Reads path into out[0..*n). 0, or -1 with a one-line message in err. */
int da3_shapes_read(const char *path, da3_attn_shape *out, int max, int *n, char *err,
                    size_t errlen);

#endif
