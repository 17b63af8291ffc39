#include "host.h"
#include "env.h"

#include "cpu.h"
#include "da3_config.h"
#include "da3_version.h"

#include "blas.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

void da3_env_set(da3_env *e, const char *key, const char *fmt, ...)
{
    int i = 0;
    while (i < e->n && strcmp(e->key[i], key))
        i++;
    if (i == DA3_ENV_MAX)
        return;
    if (i == e->n)
        e->n++;
    snprintf(e->key[i], sizeof e->key[i], "%s", key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->val[i], sizeof e->val[i], fmt, ap);
    va_end(ap);
}

const char *da3_env_get(const da3_env *e, const char *key)
{
    for (int i = 0; i < e->n; i++)
        if (!strcmp(e->key[i], key))
            return e->val[i];
    return NULL;
}

double da3_env_peak(const da3_env *e, int threads)
{
    char key[40];
    snprintf(key, sizeof key, "peak_gflops_%dt", threads);
    const char *v = da3_env_get(e, key);
    return v ? atof(v) : 0.0;
}

static const char *isa_flags(da3_isa isa)
{
    switch (isa) {
    case DA3_ISA_AVX512: return "-mavx512f -mavx2 -mfma";
    case DA3_ISA_AVX2: return "-mavx2 -mfma";
    case DA3_ISA_NEON: return "-DDA3_USE_NEON (AArch64 Advanced SIMD)";
    default: return "-fno-tree-vectorize";
    }
}

void da3_env_collect(da3_env *e, const int *threads, int nthreads, int full)
{
    e->n = 0;
    da3_env_set(e, "da3bench_version", "%s", DA3_VERSION);
    da3_env_set(e, "git_commit", "%s", DA3_GIT_COMMIT);
    da3_env_set(e, "compiler", "%s", DA3_CC);
    da3_env_set(e, "build_type", "%s -O%s", DA3_BUILDTYPE, DA3_OPTIMIZATION);
    da3_isa sel = da3_cpu_isa(), best = da3_cpu_best_isa();
    da3_env_set(e, "kernel_flags", "-O%s -ffp-contract=fast %s%s%s", DA3_OPTIMIZATION,
                isa_flags(sel), *DA3_CFLAGS ? " " : "", DA3_CFLAGS);
    char model[64];
    da3_cpu_model(model, sizeof model);
    da3_env_set(e, "cpu_model", "%s", model);
    da3_env_set(e, "isa_detected", "%s", da3_isa_name(best));
    da3_env_set(e, "isa_selected", "%s", da3_isa_name(sel));
    const char *forced = getenv("DA3BENCH_ISA");
    da3_env_set(e, "isa_forced", "%s", forced && *forced ? "true" : "false");
    if (da3_host_emulated())
        da3_env_set(e, "emulated", "true: an instruction-set emulator ran this; its times are "
                                   "not measurements of any machine");
    da3_env_set(e, "cores", "%d", da3_cpu_count());
    int perf, eff;
    if (da3_host_core_kinds(&perf, &eff) == 0)
        da3_env_set(e, "core_kinds", "%d performance + %d efficiency", perf, eff);
    da3_env_set(e, "memory_bytes", "%zu", da3_cpu_phys_mem());
    struct utsname u;
    if (uname(&u) == 0)
        da3_env_set(e, "os", "%s %s %s", u.sysname, u.release, u.machine);
    da3_host_tuning t;
    da3_host_tuning_read(&t);
    da3_env_set(e, "cpu_governor", "%s", t.governor);
    da3_env_set(e, "cpufreq_driver", "%s", t.driver);
    da3_env_set(e, "turbo", "%s", t.turbo);
    da3_env_set(e, "smt", "%s", t.smt);
    da3_env_set(e, "isolated_cpus", "%s", t.isolated);
    da3_env_set(e, "aslr", "%s", t.aslr);
    /* one number a key, as JSON numbers: the 1, 5 and 15-minute load */
    static const char *const load_keys[3] = {"load_average_1min", "load_average_5min",
                                             "load_average_15min"};
    for (int k = 0; k < 3; k++)
        if (t.load[0] >= 0)
            da3_env_set(e, load_keys[k], "%.2f", t.load[k]);
        else
            da3_env_set(e, load_keys[k], "unknown");
    /* set by the docker image: its pinned package versions */
    const char *pkgs = getenv("DA3BENCH_IMAGE_PACKAGES");
    if (pkgs && *pkgs)
        da3_env_set(e, "image_packages", "%s", pkgs);
    da3_env_set(e, "blas", "%s %s", DA3_BLAS, da3_blas_config());
    const char *from = getenv("DA3BENCH_BLAS_CORE_FROM");
    if (from && *from)
        da3_env_set(e, "blas_core", "%s (OPENBLAS_CORETYPE set by da3bench: OpenBLAS chose %s)",
                    da3_blas_core(), from);
    else
        da3_env_set(e, "blas_core", "%s", da3_blas_core());
    /* The peak at every thread count the run uses, and at all cores. */
    int all = da3_cpu_count(), done[64] = {0};
    if (nthreads < 0) {
        da3_env_set(e, "peak_gflops", "not measured");
        return;
    }
    for (int i = -1; i < nthreads; i++) {
        int t = i < 0 ? all : threads[i];
        if (t < 1 || t >= 64 || done[t])
            continue;
        done[t] = 1;
        char key[40];
        snprintf(key, sizeof key, "peak_gflops_%dt", t);
        da3_env_set(e, key, "%.1f", da3_cpu_peak_gflops(t, 0.1, 5));
    }
    char key[40];
    snprintf(key, sizeof key, "peak_gflops_%dt", all);
    const char *peak_all = da3_env_get(e, key);
    da3_env_set(e, "peak_gflops", "%s", peak_all ? peak_all : "0");
    da3_env_set(e, "peak_isa", "%s", da3_isa_name(best));
    /* the accumulator count the sweep kept and the peak, per level: in a
     * run the best level only (the one measured; the other levels would
     * add their sweep and peak to every start-up, which the gate pays per
     * round), every level this CPU has for `da3bench env` (full) */
    for (int i = 0; i < DA3_ISA_COUNT; i++) {
        if (!da3_cpu_has((da3_isa)i) || (!full && (da3_isa)i != best))
            continue;
        const char *name = da3_isa_name((da3_isa)i);
        snprintf(key, sizeof key, "peak_accs_%s", name);
        da3_env_set(e, key, "%d", da3_cpu_peak_accs((da3_isa)i));
        snprintf(key, sizeof key, "peak_gflops_%s", name);
        if ((da3_isa)i == best)
            da3_env_set(e, key, "%s", peak_all ? peak_all : "0");
        else
            da3_env_set(e, key, "%.1f", da3_cpu_peak_gflops_isa((da3_isa)i, all, 0.05, 3));
    }
    if (full) {
        da3_env_set(e, "triad_gbs", "%.1f", da3_cpu_triad_gbs(all, (size_t)1 << 25, 3));
        /* the bf16 unit (issue 25): its measured peak, or why there is none */
        const char *why = da3_cpu_bf16_missing();
        if (why) {
            da3_env_set(e, "bf16", "none: %s", why);
        } else {
            da3_env_set(e, "bf16", "avx512_bf16");
            da3_env_set(e, "peak_accs_bf16", "%d", da3_cpu_bf16_accs());
            da3_env_set(e, "peak_gflops_bf16", "%.1f", da3_cpu_bf16_peak_gflops(all, 0.05, 3));
        }
    }
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* 1 if s is a number as JSON writes one: -?digits(.digits)? (what the
 * manifest's printf formats produce; no exponent, no '+', no '.5') */
static int json_number(const char *s)
{
    if (*s == '-')
        s++;
    if (!isdigit((unsigned char)*s))
        return 0;
    while (isdigit((unsigned char)*s))
        s++;
    if (*s == '.') {
        if (!isdigit((unsigned char)*++s))
            return 0;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return *s == 0;
}

void da3_env_print_json(const da3_env *e)
{
    puts("{");
    for (int i = 0; i < e->n; i++) {
        printf("  ");
        json_str(e->key[i]);
        printf(": ");
        /* numbers as JSON numbers; a commit or version stays a string
         * even when it reads as one */
        const int text = !strcmp(e->key[i], "git_commit") || !strcmp(e->key[i], "da3bench_version");
        if (!text && json_number(e->val[i]))
            fputs(e->val[i], stdout);
        else
            json_str(e->val[i]);
        puts(i + 1 < e->n ? "," : "");
    }
    puts("}");
}

const char *da3_version_string(void)
{
    return DA3_VERSION " (commit " DA3_GIT_COMMIT ", " DA3_BUILDTYPE ")";
}
