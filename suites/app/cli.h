/*
 * cli.h - the da3bench command line, parsed into da3_opts.
 *
 *   da3bench [run] [SUITE...] [flags]    run suites (default: attention peak)
 *   da3bench list [SUITE...] [flags]     print what a run would execute
 *   da3bench env                         print the environment manifest (JSON)
 *
 * The flags are getopt_long's, from the table in cli_flags.c. Every
 * --benchmark_* flag is passed to Google Benchmark unchanged.
 * da3_cli_parse() never exits: it returns 0, or 2 with a one-line message
 * naming the flag and value in err.
 */
#ifndef DA3_CLI_H
#define DA3_CLI_H

#include "shapes.h"
#include "sweep.h"

#include <stddef.h>

enum { DA3_CMD_RUN, DA3_CMD_LIST, DA3_CMD_ENV };

#define DA3_MAX_SUITES 8
#define DA3_MAX_PASS 64

/* --preset: the named sets of cases and run controls (cli_usage.c says
 * what each holds; the suites read their axes from it). */
typedef enum { DA3_PRESET_QUICK, DA3_PRESET_SEED, DA3_PRESET_DA3, DA3_NPRESET } da3_preset;
const char *da3_preset_name(da3_preset p);

typedef struct {
    int cmd;
    int help;
    const char *suites[DA3_MAX_SUITES];
    int nsuites;
    da3_preset preset;  /* quick unless --preset was given */
    int preset_given;
    da3_sweep seq, heads, head_dim, batch, threads; /* n == 0: not given */
    da3_attn_shape shapes[DA3_MAX_SHAPES]; /* --shapes FILE: replaces the axes */
    int nshapes;
    const char *shapes_file;
    int impls[4];       /* in the order given */
    int nimpl;          /* 0: not given */
    int cuda_impls[8];  /* --cuda-impl, in the order given */
    int ncuda_impl;     /* 0: not given */
    /* preprocess */
    da3_sweep workers;  /* 0 stands for auto */
    da3_sweep res;
    int images;         /* 0: the preset's */
    int width, height;  /* 0: the preset's */
    int kind;           /* -1: the preset's */
    int decodes[2], ndecode;
    int methods[4], nmethod;
    int pools[2], npool; /* 0 threads, 1 processes */
    const char *fixtures; /* cache folder, NULL: inside the build folder */
    /* prefetch */
    da3_sweep io_ms, depth, loader_threads;
    int batches, batch_size, compute_threads; /* 0: the preset's / default */
    int loaders[2], nloader;                  /* 0 sim, 1 jpeg */
    /* block */
    int vits[4], nvit;      /* --vit: 0 S, 1 B, 2 L, 3 G, in the order given; 0: the preset's */
    da3_sweep views;        /* --views */
    int scopes[2], nscope;  /* --scope: 0 local (within each view), 1 global (across) */
    int image;              /* --image: also one whole image per configuration */
    int dtypes[2], ndtype;  /* --dtype (attention): 0 fp32, 1 bf16; none: fp32 */
    /* calib */
    da3_sweep work;
    double slowdown;                          /* 0: none */
    double inject; /* --inject-slowdown: attention/flash made this fraction slower (test knob) */
    int count_instructions; /* --mode instructions */
    const char *json;   /* --json FILE */
    const char *report; /* --report DIR: JSON, markdown and plots there */
    int quiet;          /* --quiet: no progress on stderr */
    int no_peak;        /* --no-peak: no FMA-peak measurement, no pct_peak (times only) */
    size_t mem_limit;   /* bytes; 0: not given */
    int repetitions;    /* 0: the preset's */
    double min_time;    /* < 0: the preset's */
    int gb_argc;        /* argv for Google Benchmark: [0] and pass-through */
    char *gb_argv[DA3_MAX_PASS + 8];
    int gb_has_repetitions, gb_has_min_time, gb_has_display_aggregates, gb_has_out;
} da3_opts;

int da3_cli_parse(int argc, char **argv, da3_opts *o, char *err, size_t errlen);

/* Whether the run includes this suite: the named ones, or all but calib. */
int da3_cli_runs_suite(const da3_opts *o, const char *name);
/* The run controls, the command line's, else the preset's: repetitions
 * (5 for seed, else 3) and Google Benchmark's minimum time per repetition. */
int da3_preset_repetitions(const da3_opts *o);
double da3_preset_min_time(const da3_opts *o);

/* Parses "16G", "512M", "1000000" (bytes); 0 on success. */
int da3_parse_bytes(const char *s, size_t *out);

void da3_cli_usage(int cmd);

#endif
