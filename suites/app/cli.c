#include "cli.h"

#include "attention.h"
#include "commands.h"
#include "cuda_bench.h"
#include "fixtures.h"
#include "preprocess.h"
#include "suite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const preset_names[DA3_NPRESET] = {"quick", "seed", "da3"};

const char *da3_preset_name(da3_preset p)
{
    return (unsigned)p < DA3_NPRESET ? preset_names[p] : "?";
}

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

/* "--flag=value" or "--flag value": returns the value or NULL. */
static const char *flag_value(const char *name, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] == 0 && *i + 1 < argc)
        return argv[++*i];
    if (a[n] == 0)
        return ""; /* missing: reported as an empty value */
    return NULL;
}

static int sweep_flag(const char *flag, const char *val, int64_t min, int64_t max,
                      da3_sweep *out, char *err, size_t errlen)
{
    char why[160];
    if (da3_sweep_parse(val, min, out, why, sizeof why)) {
        snprintf(err, errlen, "da3bench: %s '%s': %s", flag, val, why);
        return 2;
    }
    for (int i = 0; i < out->n; i++)
        if (out->v[i] > max) {
            snprintf(err, errlen, "da3bench: %s '%s': %lld is above the maximum %lld", flag, val,
                     (long long)out->v[i], (long long)max);
            return 2;
        }
    return 0;
}

/* A comma list of names out of `known` (comma-separated), as indices. */
/* The index of name in a comma-separated list, or -1. */
static int index_in(const char *known, const char *name)
{
    char names[256];
    snprintf(names, sizeof names, "%s", known);
    int idx = 0;
    for (char *save, *k = strtok_r(names, ",", &save); k; k = strtok_r(NULL, ",", &save), idx++)
        if (!strcmp(k, name))
            return idx;
    return -1;
}

/* A comma-separated list of names into their codes, in order, duplicates
 * dropped: parse(name) gives the code, or (parse NULL) the name's index in
 * `known`, which the error message lists either way. */
static int name_list(const char *flag, const char *val, const char *known,
                     int (*parse)(const char *), int *out, int *n, int max, char *err,
                     size_t errlen)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", val);
    *n = 0;
    /* strtok would skip an empty item: "flash,", ",flash" and "flash,,blas"
     * are typos, refused as the number lists refuse them */
    if (!*val || val[0] == ',' || val[strlen(val) - 1] == ',' || strstr(val, ",,")) {
        snprintf(err, errlen, "da3bench: %s '%s': an empty item (%s)", flag, val, known);
        return 2;
    }
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const int code = parse ? parse(t) : index_in(known, t);
        if (code < 0) {
            snprintf(err, errlen, "da3bench: %s '%s': unknown '%s' (%s)", flag, val, t, known);
            return 2;
        }
        int dup = 0;
        for (int k = 0; k < *n; k++)
            dup |= out[k] == code;
        if (!dup && *n < max)
            out[(*n)++] = code;
    }
    if (!*n) {
        snprintf(err, errlen, "da3bench: %s: expected one of %s", flag, known);
        return 2;
    }
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
    for (int i = first; i < argc; i++) {
        const char *a = argv[i], *v;
        if (a[0] != '-') {
            if (o->cmd == DA3_CMD_ENV) {
                snprintf(err, errlen, "da3bench env: unexpected argument '%s'", a);
                return 2;
            }
            if (!da3_suite_find(a)) {
                int n = snprintf(err, errlen, "da3bench: unknown suite '%s' (", a);
                for (int k = 0; k < da3_suite_count && n > 0 && (size_t)n < errlen; k++)
                    n += snprintf(err + n, errlen - (size_t)n, "%s%s", k ? ", " : "",
                                  da3_suite_list[k]->name);
                if (n > 0 && (size_t)n < errlen)
                    snprintf(err + n, errlen - (size_t)n, ")");
                return 2;
            }
            if (o->nsuites == DA3_MAX_SUITES) {
                snprintf(err, errlen, "da3bench: too many suites");
                return 2;
            }
            o->suites[o->nsuites++] = a;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = 1;
        } else if (!strncmp(a, "--benchmark_", 12)) {
            if (o->gb_argc >= DA3_MAX_PASS) {
                snprintf(err, errlen, "da3bench: too many --benchmark_* flags");
                return 2;
            }
            if (!strchr(a, '=')) {
                snprintf(err, errlen, "da3bench: %s: Google Benchmark flags take '=VALUE'", a);
                return 2;
            }
            o->gb_argv[o->gb_argc++] = argv[i];
            o->gb_has_repetitions |= !strncmp(a, "--benchmark_repetitions=", 24);
            o->gb_has_min_time |= !strncmp(a, "--benchmark_min_time=", 21);
            o->gb_has_display_aggregates |= !strncmp(a, "--benchmark_display_aggregates_only=", 36);
            o->gb_has_out |= !strncmp(a, "--benchmark_out=", 16);
        } else if ((v = flag_value("--seq", argc, argv, &i))) {
            if (sweep_flag("--seq", v, 1, 1 << 20, &o->seq, err, errlen))
                return 2;
        } else if ((v = flag_value("--heads", argc, argv, &i))) {
            if (sweep_flag("--heads", v, 1, 1024, &o->heads, err, errlen))
                return 2;
        } else if ((v = flag_value("--batch", argc, argv, &i))) {
            if (sweep_flag("--batch", v, 1, 1 << 16, &o->batch, err, errlen))
                return 2;
        } else if ((v = flag_value("--threads", argc, argv, &i))) {
            if (sweep_flag("--threads", v, 1, 1024, &o->threads, err, errlen))
                return 2;
        } else if ((v = flag_value("--head-dim", argc, argv, &i))) {
            if (sweep_flag("--head-dim", v, 1, 1 << 20, &o->head_dim, err, errlen))
                return 2;
            for (int k = 0; k < o->head_dim.n; k++) {
                da3_attn_shape s = {1, 1, 1, (int)o->head_dim.v[k]};
                if (da3_attn_check_shape(&s)) {
                    snprintf(err, errlen, "da3bench: --head-dim %lld: unsupported (%s)",
                             (long long)o->head_dim.v[k], da3_attn_strerror(DA3_ATTN_EHEADDIM));
                    return 2;
                }
            }
        } else if ((v = flag_value("--impl", argc, argv, &i))) {
            if (name_list("--impl", v, "naive,fused,flash,blas", da3_attn_impl_parse, o->impls,
                          &o->nimpl, 4, err, errlen))
                return 2;
        } else if ((v = flag_value("--cuda-impl", argc, argv, &i))) {
            if (name_list("--cuda-impl", v,
                          "naive,naive_tf32,flash,flash_tf32,flash_br128,flash_tf32_br128",
                          da3_cuda_impl_parse, o->cuda_impls, &o->ncuda_impl, DA3_CUDA_NIMPL, err,
                          errlen))
                return 2;
        } else if ((v = flag_value("--shapes", argc, argv, &i))) {
            if (da3_shapes_read(v, o->shapes, DA3_MAX_SHAPES, &o->nshapes, err, errlen))
                return 2;
            o->shapes_file = v;
        } else if (!strcmp(a, "--image")) {
            o->image = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = 1;
        } else if ((v = flag_value("--report", argc, argv, &i))) {
            if (!*v) {
                snprintf(err, errlen, "da3bench: --report: missing folder");
                return 2;
            }
            o->report = v;
        } else if ((v = flag_value("--preset", argc, argv, &i))) {
            int p = 0;
            while (p < DA3_NPRESET && strcmp(v, preset_names[p]))
                p++;
            if (p == DA3_NPRESET) {
                snprintf(err, errlen, "da3bench: --preset '%s': unknown (quick, seed, da3)", v);
                return 2;
            }
            o->preset = (da3_preset)p, o->preset_given = 1;
        } else if ((v = flag_value("--workers", argc, argv, &i))) {
            /* a sweep where "auto" may stand for a value */
            char buf[256], rest[256] = "";
            snprintf(buf, sizeof buf, "%s", v);
            int autos = 0;
            if (!*v || v[0] == ',' || v[strlen(v) - 1] == ',' || strstr(v, ",,")) {
                snprintf(err, errlen, "da3bench: --workers '%s': an empty item", v);
                return 2;
            }
            for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (!strcmp(t, "auto"))
                    autos = 1;
                else
                    snprintf(rest + strlen(rest), sizeof rest - strlen(rest), "%s%s",
                             *rest ? "," : "", t);
            }
            o->workers.n = 0;
            if (*rest && sweep_flag("--workers", rest, 1, 1024, &o->workers, err, errlen))
                return 2;
            if (!autos && !*rest) {
                snprintf(err, errlen, "da3bench: --workers '%s': expected counts and/or auto", v);
                return 2;
            }
            if (autos)
                da3_sweep_add(&o->workers, 0);
        } else if ((v = flag_value("--res", argc, argv, &i))) {
            if (sweep_flag("--res", v, DA3_PP_PATCH, 8192, &o->res, err, errlen))
                return 2;
        } else if ((v = flag_value("--images", argc, argv, &i))) {
            long n;
            if (da3_parse_int(v, 1, 10000, &n)) {
                snprintf(err, errlen, "da3bench: --images '%s': expected 1..10000", v);
                return 2;
            }
            o->images = (int)n;
        } else if ((v = flag_value("--size", argc, argv, &i))) {
            if (da3_parse_size(v, &o->width, &o->height)) {
                snprintf(err, errlen, "da3bench: --size '%s': expected WxH such as 1920x1080", v);
                return 2;
            }
        } else if ((v = flag_value("--kind", argc, argv, &i))) {
            if ((o->kind = da3_fix_kind_parse(v)) < 0) {
                snprintf(err, errlen, "da3bench: --kind '%s': expected natural or noise", v);
                return 2;
            }
        } else if ((v = flag_value("--decode", argc, argv, &i))) {
            if (name_list("--decode", v, "full,dct", NULL, o->decodes, &o->ndecode, 2, err, errlen))
                return 2;
        } else if ((v = flag_value("--method", argc, argv, &i))) {
            if (name_list("--method", v,
                          "upper_bound_resize,lower_bound_resize,upper_bound_crop,lower_bound_crop",
                          NULL, o->methods, &o->nmethod, 4, err, errlen))
                return 2;
        } else if ((v = flag_value("--pool", argc, argv, &i))) {
            if (name_list("--pool", v, "threads,processes", NULL, o->pools, &o->npool, 2, err,
                          errlen))
                return 2;
        } else if ((v = flag_value("--io-ms", argc, argv, &i))) {
            if (sweep_flag("--io-ms", v, 0, 10000, &o->io_ms, err, errlen))
                return 2;
        } else if ((v = flag_value("--depth", argc, argv, &i))) {
            if (sweep_flag("--depth", v, 0, 64, &o->depth, err, errlen))
                return 2;
        } else if ((v = flag_value("--loader-threads", argc, argv, &i))) {
            if (sweep_flag("--loader-threads", v, 1, 64, &o->loader_threads, err, errlen))
                return 2;
        } else if ((v = flag_value("--batches", argc, argv, &i))) {
            long n;
            if (da3_parse_int(v, 1, 100000, &n)) {
                snprintf(err, errlen, "da3bench: --batches '%s': expected 1..100000", v);
                return 2;
            }
            o->batches = (int)n;
        } else if ((v = flag_value("--batch-size", argc, argv, &i))) {
            long n;
            if (da3_parse_int(v, 1, 4096, &n)) {
                snprintf(err, errlen, "da3bench: --batch-size '%s': expected 1..4096", v);
                return 2;
            }
            o->batch_size = (int)n;
        } else if ((v = flag_value("--compute-threads", argc, argv, &i))) {
            long n;
            if (da3_parse_int(v, 1, 1024, &n)) {
                snprintf(err, errlen, "da3bench: --compute-threads '%s': expected 1..1024", v);
                return 2;
            }
            o->compute_threads = (int)n;
        } else if ((v = flag_value("--loader", argc, argv, &i))) {
            if (name_list("--loader", v, "sim,jpeg", NULL, o->loaders, &o->nloader, 2, err, errlen))
                return 2;
        } else if ((v = flag_value("--vit", argc, argv, &i))) {
            if (name_list("--vit", v, "S,B,L,G", NULL, o->vits, &o->nvit, 4, err, errlen))
                return 2;
        } else if ((v = flag_value("--views", argc, argv, &i))) {
            if (sweep_flag("--views", v, 1, 64, &o->views, err, errlen))
                return 2;
        } else if ((v = flag_value("--dtype", argc, argv, &i))) {
            if (name_list("--dtype", v, "fp32,bf16", NULL, o->dtypes, &o->ndtype, 2, err, errlen))
                return 2;
        } else if ((v = flag_value("--scope", argc, argv, &i))) {
            if (name_list("--scope", v, "local,global", NULL, o->scopes, &o->nscope, 2, err,
                          errlen))
                return 2;
        } else if ((v = flag_value("--work", argc, argv, &i))) {
            if (sweep_flag("--work", v, 1, 1000000, &o->work, err, errlen))
                return 2;
        } else if ((v = flag_value("--slowdown", argc, argv, &i))) {
            char *end;
            errno = 0;
            double f = strtod(v, &end);
            if (!*v || *end || errno || !(f >= 0.5 && f <= 10)) {
                snprintf(err, errlen, "da3bench: --slowdown '%s': expected a factor in 0.5..10", v);
                return 2;
            }
            o->slowdown = f;
        } else if ((v = flag_value("--inject-slowdown", argc, argv, &i))) {
            /* test knob for the gate's calibration: recorded in the
             * results' context and announced on stderr */
            char *end;
            errno = 0;
            double f = strtod(v, &end);
            if (*end == '%')
                end++;
            if (!*v || *end || errno || !(f > 0 && f <= 100)) {
                snprintf(err, errlen,
                         "da3bench: --inject-slowdown '%s': expected a percentage in (0, 100], "
                         "such as 5%%",
                         v);
                return 2;
            }
            o->inject = f / 100;
        } else if ((v = flag_value("--fixtures", argc, argv, &i))) {
            if (!*v) {
                snprintf(err, errlen, "da3bench: --fixtures: missing folder");
                return 2;
            }
            struct stat sb;
            if (stat(v, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
                snprintf(err, errlen, "da3bench: --fixtures '%s': not a folder", v);
                return 2;
            }
            o->fixtures = v;
        } else if ((v = flag_value("--mode", argc, argv, &i))) {
            if (strcmp(v, "time") && strcmp(v, "instructions")) {
                snprintf(err, errlen, "da3bench: --mode '%s': expected time or instructions", v);
                return 2;
            }
            o->count_instructions = !strcmp(v, "instructions");
        } else if ((v = flag_value("--json", argc, argv, &i))) {
            if (!*v) {
                snprintf(err, errlen, "da3bench: --json: missing file name");
                return 2;
            }
            o->json = v;
        } else if ((v = flag_value("--mem-limit", argc, argv, &i))) {
            if (da3_parse_bytes(v, &o->mem_limit)) {
                snprintf(err, errlen,
                         "da3bench: --mem-limit '%s': expected a positive size such as 8G or 512M",
                         v);
                return 2;
            }
        } else if ((v = flag_value("--repetitions", argc, argv, &i))) {
            da3_sweep r;
            if (sweep_flag("--repetitions", v, 1, 1000, &r, err, errlen))
                return 2;
            if (r.n != 1) {
                snprintf(err, errlen, "da3bench: --repetitions '%s': one number", v);
                return 2;
            }
            o->repetitions = (int)r.v[0];
        } else if ((v = flag_value("--min-time", argc, argv, &i))) {
            char *end;
            errno = 0;
            double t = strtod(v, &end);
            if (!*v || *end || errno || !(t > 0) || t > 3600) {
                snprintf(err, errlen, "da3bench: --min-time '%s': expected seconds > 0", v);
                return 2;
            }
            o->min_time = t;
        } else {
            snprintf(err, errlen, "da3bench: unknown flag '%s' (see da3bench --help)", a);
            return 2;
        }
    }
    if (o->nshapes && (o->seq.n || o->batch.n || o->heads.n || o->head_dim.n)) {
        snprintf(err, errlen, "da3bench: --shapes %s: replaces --seq, --batch, --heads and "
                              "--head-dim; give one or the other", o->shapes_file);
        return 2;
    }
    if (o->report && o->json) {
        snprintf(err, errlen, "da3bench: --report %s writes results.json there; drop --json %s",
                 o->report, o->json);
        return 2;
    }
    if (o->cmd == DA3_CMD_ENV && (o->nsuites || o->nimpl || o->seq.n || o->preset_given)) {
        snprintf(err, errlen, "da3bench env: takes no suite or sweep flags");
        return 2;
    }
    /* a flag that only one suite reads, given when that suite does not run,
     * would be silently ignored */
    const struct {
        const char *flag, *suite;
        int given;
    } own[] = {
        {"--slowdown", "calib", o->slowdown != 0},
        {"--work", "calib", o->work.n != 0},
        {"--inject-slowdown", "attention", o->inject != 0},
        {"--workers", "preprocess", o->workers.n != 0},
        {"--pool", "preprocess", o->npool != 0},
        {"--decode", "preprocess", o->ndecode != 0},
        {"--method", "preprocess", o->nmethod != 0},
        {"--res", "preprocess", o->res.n != 0},
        {"--vit", "block", o->nvit != 0},
        {"--views", "block", o->views.n != 0},
        {"--scope", "block", o->nscope != 0},
        {"--image", "block", o->image != 0},
        {"--dtype", "attention", o->ndtype != 0},
    };
    for (size_t k = 0; o->cmd != DA3_CMD_ENV && k < sizeof own / sizeof *own; k++)
        if (own[k].given && !da3_cli_runs_suite(o, own[k].suite)) {
            snprintf(err, errlen, "da3bench: %s is a flag of the %s suite, which this run does "
                                  "not include (name it: da3bench %s ... %s)",
                     own[k].flag, own[k].suite, own[k].suite, own[k].flag);
            return 2;
        }
    return 0;
}
