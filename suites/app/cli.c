#include "cli.h"
#include "cli_flags.h"

#include "attention.h"
#include "commands.h"
#include "cuda_bench.h"
#include "fixtures.h"
#include "preprocess.h"
#include "suite.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int da3_preset_repetitions(const da3_opts *o)
{
    if (o->repetitions)
        return o->repetitions;
    return o->preset == DA3_PRESET_SEED ? 5 : 3;
}

double da3_preset_min_time(const da3_opts *o)
{
    if (o->min_time > 0)
        return o->min_time;
    return o->preset == DA3_PRESET_SEED ? 0.2 : 0.02;
}

int da3_parse_bytes(const char *s, size_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || end == s || v <= 0)
        return -1;
    double mult = 1;
    switch (*end) {
    case 'K': case 'k': mult = 1024.0; end++; break;
    case 'M': case 'm': mult = 1024.0 * 1024; end++; break;
    case 'G': case 'g': mult = 1024.0 * 1024 * 1024; end++; break;
    case 'T': case 't': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (mult > 1 && end[0] == 'i' && end[1] == 'B')
        end += 2;
    else if (*end == 'B')
        end++;
    if (*end || v * mult < 1 || v * mult > 1e18)
        return -1;
    *out = (size_t)(v * mult);
    return 0;
}

int da3_cli_runs_suite(const da3_opts *o, const char *name)
{
    if (!o->nsuites) {
        const da3_suite *s = da3_suite_find(name);
        return s && (s->flags & DA3_SUITE_DEFAULT);
    }
    for (int i = 0; i < o->nsuites; i++)
        if (!strcmp(o->suites[i], name))
            return 1;
    return 0;
}

/* The suite names, for the message on an unknown one. */
static int unknown_suite(const char *a, char *err, size_t errlen)
{
    int n = snprintf(err, errlen, "da3bench: unknown suite '%s' (", a);
    for (int k = 0; k < da3_suite_count && n > 0 && (size_t)n < errlen; k++)
        n += snprintf(err + n, errlen - (size_t)n, "%s%s", k ? ", " : "", da3_suite_list[k]->name);
    if (n > 0 && (size_t)n < errlen)
        snprintf(err + n, errlen - (size_t)n, ")");
    return 2;
}

static int positional(da3_opts *o, const char *a, char *err, size_t errlen)
{
    if (o->cmd == DA3_CMD_ENV) {
        snprintf(err, errlen, "da3bench env: unexpected argument '%s'", a);
        return 2;
    }
    if (!da3_suite_find(a))
        return unknown_suite(a, err, errlen);
    if (o->nsuites == DA3_MAX_SUITES) {
        snprintf(err, errlen, "da3bench: too many suites");
        return 2;
    }
    o->suites[o->nsuites++] = a;
    return 0;
}

/* An abbreviation getopt_long cannot resolve (--b: --batch or --bf16-...?)
 * is named as such, with the flags it could mean; 0 if `a` is not one. */
static int ambiguous(const char *a, char *err, size_t errlen)
{
    if (strncmp(a, "--", 2) || !a[2])
        return 0;
    const char *name = a + 2;
    const size_t len = strcspn(name, "=");
    int hits = 0;
    for (int k = 0; k < da3_nflags; k++)
        hits += !strncmp(da3_flags[k].name, name, len);
    if (hits < 2)
        return 0;
    int n = snprintf(err, errlen, "da3bench: '--%.*s' is ambiguous:", (int)len, name);
    for (int k = 0, i = 0; k < da3_nflags && n > 0 && (size_t)n < errlen; k++)
        if (!strncmp(da3_flags[k].name, name, len))
            n += snprintf(err + n, errlen - (size_t)n, "%s --%s", i++ ? "," : "",
                          da3_flags[k].name);
    return 2;
}

/* A flag getopt_long does not know: Google Benchmark's pass through. */
static int pass_through(da3_opts *o, char *a, char *err, size_t errlen)
{
    if (ambiguous(a, err, errlen))
        return 2;
    if (o->cmd == DA3_CMD_ENV) {
        snprintf(err, errlen, "da3bench env: takes no flags, not %s", a);
        return 2;
    }
    if (strncmp(a, "--benchmark_", 12)) {
        snprintf(err, errlen, "da3bench: unknown flag '%s' (see da3bench --help)", a);
        return 2;
    }
    if (o->gb_argc >= DA3_MAX_PASS) {
        snprintf(err, errlen, "da3bench: too many --benchmark_* flags");
        return 2;
    }
    if (!strchr(a, '=')) {
        snprintf(err, errlen, "da3bench: %s: Google Benchmark flags take '=VALUE'", a);
        return 2;
    }
    o->gb_argv[o->gb_argc++] = a;
    o->gb_has_repetitions |= !strncmp(a, "--benchmark_repetitions=", 24);
    o->gb_has_min_time |= !strncmp(a, "--benchmark_min_time=", 21);
    o->gb_has_display_aggregates |= !strncmp(a, "--benchmark_display_aggregates_only=", 36);
    o->gb_has_out |= !strncmp(a, "--benchmark_out=", 16);
    return 0;
}

/* getopt_long over the flag table (cli_flags.c), in the order given: "-"
 * returns each suite name in place (whatever POSIXLY_CORRECT says), ":"
 * reports a missing value, which the flag's parser then names. */
int da3_cli_parse(int argc, char **argv, da3_opts *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->cmd = DA3_CMD_RUN;
    o->min_time = -1;
    o->kind = -1;
    o->gb_argv[o->gb_argc++] = argv[0];
    int first = 1;
    if (argc > 1 && argv[1][0] != '-') {
        if (!strcmp(argv[1], "run"))
            first = 2;
        else if (!strcmp(argv[1], "list"))
            o->cmd = DA3_CMD_LIST, first = 2;
        else if (!strcmp(argv[1], "env"))
            o->cmd = DA3_CMD_ENV, first = 2;
        else if (!strcmp(argv[1], "help"))
            o->help = 1, first = 2;
    }
    struct option lo[64];
    char shorts[16] = "-:";
    size_t ns = 2;
    if (da3_nflags >= (int)(sizeof lo / sizeof *lo))
        abort(); /* the table outgrew lo: a build-time mistake */
    for (int k = 0; k < da3_nflags; k++) {
        lo[k] = (struct option){da3_flags[k].name,
                                da3_flags[k].takes_value ? required_argument : no_argument,
                                NULL, 256 + k};
        if (da3_flags[k].shortopt && ns + 1 < sizeof shorts)
            shorts[ns++] = da3_flags[k].shortopt;
    }
    lo[da3_nflags] = (struct option){0};
    unsigned char given[64] = {0};
    const int ac = argc - first + 1;
    char **av = argv + first - 1; /* av[0] is only getopt's program name */
#if defined(__APPLE__) || defined(__FreeBSD__)
    optreset = 1;
    optind = 1;
#else
    optind = 0; /* glibc: start afresh (da3_cli_parse may run more than once) */
#endif
    opterr = 0;
    int c, rc = 0;
    while (!rc && (c = getopt_long(ac, av, shorts, lo, NULL)) != -1) {
        int k = c >= 256 ? c - 256 : -1;
        for (int j = 0; k < 0 && j < da3_nflags; j++)
            if (c > 0 && c < 256 && da3_flags[j].shortopt == c)
                k = j;
        if (c == 1) {
            rc = positional(o, optarg, err, errlen);
        } else if (c == ':') { /* the value is missing: its parser names the flag */
            k = optopt >= 256 ? optopt - 256 : -1;
            rc = k >= 0 ? da3_flags[k].set(&da3_flags[k], "", o, err, errlen) : 2;
            given[k >= 0 ? k : 0] |= k >= 0;
        } else if (c == '?' && optopt >= 256) {
            snprintf(err, errlen, "da3bench: --%s takes no value", da3_flags[optopt - 256].name);
            rc = 2;
        } else if (c == '?' && optopt > 0) {
            snprintf(err, errlen, "da3bench: unknown flag '-%c' (see da3bench --help)", optopt);
            rc = 2;
        } else if (c == '?') {
            rc = pass_through(o, av[optind - 1], err, errlen);
        } else if (k >= 0) {
            given[k] = 1;
            rc = da3_flags[k].set(&da3_flags[k], optarg ? optarg : "", o, err, errlen);
        }
    }
    for (int i = optind; !rc && i < ac; i++) /* after "--": suites */
        rc = positional(o, av[i], err, errlen);
    if (rc)
        return rc;
    if (o->nshapes && (o->seq.n || o->batch.n || o->heads.n || o->head_dim.n)) {
        snprintf(err, errlen, "da3bench: --shapes %s: replaces --seq, --batch, --heads and "
                              "--head-dim; give one or the other", o->shapes_file);
        return 2;
    }
    const char *fx = getenv("DA3BENCH_FIXTURES");
    struct stat fst;
    if (o->cmd != DA3_CMD_ENV && !o->fixtures && fx && *fx && !stat(fx, &fst) &&
        !S_ISDIR(fst.st_mode)) {
        snprintf(err, errlen, "da3bench: DA3BENCH_FIXTURES=%s: not a folder", fx);
        return 2;
    }
    if (o->report && o->count_instructions) {
        snprintf(err, errlen, "da3bench: --report %s: a report of timings; --mode instructions "
                              "counts instructions (use --json FILE, then compare.py)",
                 o->report);
        return 2;
    }
    if (o->report && o->json) {
        snprintf(err, errlen, "da3bench: --report %s writes results.json there; drop --json %s",
                 o->report, o->json);
        return 2;
    }
    /* env measures and prints the machine, nothing a flag could change:
     * one given would be silently ignored */
    for (int k = 0; o->cmd == DA3_CMD_ENV && k < da3_nflags; k++)
        if (given[k] && strcmp(da3_flags[k].name, "help")) {
            snprintf(err, errlen, "da3bench env: takes no flags, not --%s", da3_flags[k].name);
            return 2;
        }
    /* a flag that only one suite reads, given when that suite does not run,
     * would be silently ignored */
    for (int k = 0; o->cmd != DA3_CMD_ENV && k < da3_nflags; k++)
        if (given[k] && da3_flags[k].suite && !da3_cli_runs_suite(o, da3_flags[k].suite)) {
            snprintf(err, errlen, "da3bench: --%s is a flag of the %s suite, which this run does "
                                  "not include (name it: da3bench %s ... --%s)",
                     da3_flags[k].name, da3_flags[k].suite, da3_flags[k].suite,
                     da3_flags[k].name);
            return 2;
        }
    return 0;
}
