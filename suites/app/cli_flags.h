/*
 * cli_flags.h - the table of da3bench's run flags (cli_flags.c), which
 * da3_cli_parse() hands to getopt_long: one row a flag, its value's parser
 * and bounds, the da3_opts member it fills, and the one suite that reads it.
 */
#ifndef DA3_CLI_FLAGS_H
#define DA3_CLI_FLAGS_H

#include "cli.h"

#include <stddef.h>

typedef struct da3_flag da3_flag;

/* Fills the flag's member from val ("" when the value is missing): 0, or 2
 * with a one-line message naming the flag and the value in err. */
typedef int (*da3_flag_set)(const da3_flag *f, const char *val, da3_opts *o, char *err,
                            size_t errlen);

struct da3_flag {
    const char *name;    /* without "--" */
    char shortopt;       /* 0: none */
    int takes_value;
    const char *suite;   /* the one suite that reads it, or NULL: every run */
    da3_flag_set set;
    size_t field;        /* offsetof(da3_opts, member) */
    size_t count;        /* name lists: offsetof the count */
    long long min, max;  /* numbers: the bounds; name lists: max is the list size */
    const char *known;   /* name lists: the names; strings: what a missing value lacks */
    int (*parse)(const char *); /* name lists: a name's code; NULL: its index in known */
};

extern const da3_flag da3_flags[];
extern const int da3_nflags;

#endif
