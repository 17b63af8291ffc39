/*
 * sweep.h - the values of one swept axis, from the command line:
 *   "256,1024,2048"   a list
 *   "256..8192:x2"    geometric: 256, 512, ..., 8192 (the last <= 8192)
 *   "0..20:+5"        linear: 0, 5, 10, 15, 20
 *   "256,1024..4096:x2"  items combine, in order, duplicates dropped
 */
#ifndef DA3_SWEEP_H
#define DA3_SWEEP_H

#include <stdint.h>

#define DA3_SWEEP_MAX 256

typedef struct {
    int n;
    int64_t v[DA3_SWEEP_MAX];
} da3_sweep;

/* Parses `text` into *out. Values must be >= min_value. Returns 0, or -1
 * with a reason in err (without the flag's name, which the caller adds). */
int da3_sweep_parse(const char *text, int64_t min_value, da3_sweep *out, char *err, int errlen);

/* Appends v unless present; -1 if full. */
int da3_sweep_add(da3_sweep *s, int64_t v);

#endif
