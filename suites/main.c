/*
 * da3bench - the command: parses the flags, measures the environment,
 * registers the suites with Google Benchmark, runs them, and prints the
 * seed's summary block. Exit status: 0 all ran and passed their checks,
 * 1 a benchmark failed (reported; the others still ran), 2 usage.
 */
#include "cli.h"
#include "commands.h"
#include "cpu.h"
#include "cuda_bench.h"
#include "env.h"
#include "gbench.h"
#include "instructions.h"
#include "suite_preprocess.h"
#include "suites.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*suite_fn)(const da3_opts *, const da3_env *, int, char *, size_t);

static const struct {
    const char *name;
    suite_fn fn;
} suite_table[] = {
    {"attention", da3_suite_attention},
    {"peak", da3_suite_peak},
    {"preprocess", da3_suite_preprocess},
    {"prefetch", da3_suite_prefetch},
    {"cuda", da3_suite_cuda},
    {"calib", da3_suite_calib},
};

static int wanted(const da3_opts *o, const char *name)
{
    /* calib only when named; peak and cuda measure hardware, which counting
     * instructions cannot */
    if (!o->nsuites)
        return strcmp(name, "calib") != 0 &&
               !(o->count_instructions && (!strcmp(name, "peak") || !strcmp(name, "cuda")));
    for (int i = 0; i < o->nsuites; i++)
        if (!strcmp(o->suites[i], name))
            return 1;
    return 0;
}

/* mode: 0 register, 1 print names, 2 check only. Returns 0 or 2. */
static int each_suite(const da3_opts *o, const da3_env *env, int mode)
{
    char err[512];
    for (size_t i = 0; i < sizeof suite_table / sizeof *suite_table; i++) {
        if (!wanted(o, suite_table[i].name))
            continue;
        if (suite_table[i].fn(o, env, mode, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
    }
    return 0;
}

/* SIGINT/SIGTERM: stop the running benchmark, skip the rest, write what was
 * measured, exit 128 + signal. A second signal kills (SA_RESETHAND). */
static void on_signal(int sig) { gb_interrupt(sig); }

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
    static da3_opts o;
    char err[512];
    if (argc > 1 && !strcmp(argv[1], "fixtures"))
        return da3_cmd_fixtures(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "convert"))
        return da3_cmd_convert(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "tune"))
        return da3_cmd_tune(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "report"))
        return da3_cmd_report(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "compare"))
        return da3_cmd_compare(argc - 2, argv + 2);
    if (da3_cli_parse(argc, argv, &o, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (o.help) {
        da3_cli_usage(o.cmd);
        return 0;
    }
    if (da3_cpu_init()) {
        fprintf(stderr, "da3bench: %s\n", da3_cpu_error());
        return 2;
    }
    static da3_env env;
    if (o.cmd == DA3_CMD_ENV) {
        da3_env_collect(&env, NULL, 0, 1);
        /* the GPU, or why there is none to use (a run's cuda suite says it
         * in the results' context) */
        da3_cuda_info gpu;
        char why[512];
        if (da3_cuda_probe(&gpu, why, sizeof why) == 0)
            da3_env_set(&env, "cuda_device", "%s (compute capability %d.%d, %d SMs, %.1f GiB)",
                        gpu.name, gpu.cc_major, gpu.cc_minor, gpu.sms, gpu.mem_gib);
        else
            da3_env_set(&env, "cuda_skipped", "%s", why);
        da3_env_print_json(&env);
        return 0;
    }
    if (o.cmd == DA3_CMD_LIST)
        return each_suite(&o, &env, 1);

    /* run: refuse bad configurations and unwritable files before measuring */
    if (each_suite(&o, &env, 2))
        return 2;
    static char report_json[4200];
    if (o.report) {
        if (mkdir(o.report, 0777) && errno != EEXIST) {
            fprintf(stderr, "da3bench: --report %s: %s\n", o.report, strerror(errno));
            return 2;
        }
        snprintf(report_json, sizeof report_json, "%s/results.json", o.report);
        o.json = report_json;
    }
    if (o.count_instructions && !gb_can_count()) {
        fprintf(stderr, "da3bench: --mode instructions: built without Valgrind's headers "
                        "(apt-get install valgrind, then rebuild)\n");
        return 2;
    }
    if (o.count_instructions && !gb_under_valgrind()) {
        if (o.json) { /* fail early on an unwritable target, as a timed run does */
            FILE *f = fopen(o.json, "a");
            if (!f) {
                fprintf(stderr, "da3bench: --json %s: %s\n", o.json, strerror(errno));
                return 2;
            }
            fclose(f);
        }
        return da3_run_counting(argc, argv, o.json);
    }
    if (o.count_instructions) {
        /* the child under callgrind: one iteration, one repetition each */
        gb_count_instructions(1);
        o.gb_has_min_time = o.gb_has_repetitions = 1;
        o.gb_argv[o.gb_argc++] = "--benchmark_min_time=1e-9";
        o.gb_argv[o.gb_argc++] = "--benchmark_repetitions=1";
    }
    /* --json: Google Benchmark writes a temporary file beside the target,
     * renamed over it once complete, so an existing results file is never
     * truncated by a run that fails or is stopped. */
    static char out_flag[4200], json_tmp[4200];
    if (o.json) {
        if (o.gb_has_out) {
            fprintf(stderr, "da3bench: --json and --benchmark_out both name an output file\n");
            return 2;
        }
        snprintf(json_tmp, sizeof json_tmp, "%s.partial-%ld", o.json, (long)getpid());
        FILE *f = fopen(json_tmp, "w");
        if (!f) {
            fprintf(stderr, "da3bench: --json %s: %s\n", o.json, strerror(errno));
            return 2;
        }
        fclose(f);
        snprintf(out_flag, sizeof out_flag, "--benchmark_out=%s", json_tmp);
        o.gb_argv[o.gb_argc++] = out_flag;
        o.gb_argv[o.gb_argc++] = "--benchmark_out_format=json";
    }
    /* The preset's repetitions and minimum time, as Google Benchmark flags
     * (per-benchmark settings would change the benchmarks' names). */
    static char reps_flag[64], min_flag[64];
    if (!o.gb_has_repetitions) {
        snprintf(reps_flag, sizeof reps_flag, "--benchmark_repetitions=%d",
                 da3_preset_repetitions(&o));
        o.gb_argv[o.gb_argc++] = reps_flag;
    }
    if (!o.gb_has_min_time) {
        snprintf(min_flag, sizeof min_flag, "--benchmark_min_time=%g", da3_preset_min_time(&o));
        o.gb_argv[o.gb_argc++] = min_flag;
    }
    if (!o.gb_has_display_aggregates && da3_preset_repetitions(&o) > 1)
        o.gb_argv[o.gb_argc++] = "--benchmark_display_aggregates_only=true";
    o.gb_argv[o.gb_argc] = NULL;
    if (gb_init(&o.gb_argc, o.gb_argv) || o.gb_argc > 1) {
        if (o.gb_argc > 1)
            fprintf(stderr, "da3bench: unrecognized Google Benchmark flag '%s'\n", o.gb_argv[1]);
        if (o.json)
            unlink(json_tmp);
        return 2;
    }

    int threads[DA3_SWEEP_MAX];
    int nthreads = wanted(&o, "attention") ? da3_attention_threads(&o, threads, DA3_SWEEP_MAX) : 0;
    if (o.count_instructions || (!wanted(&o, "attention") && !wanted(&o, "peak") &&
                                 !wanted(&o, "prefetch") && !wanted(&o, "preprocess")))
        nthreads = -1; /* counting, or calib alone: a measured peak means nothing there */
    da3_env_collect(&env, threads, nthreads, 0);
    char cmdline[2048] = "da3bench";
    for (int i = 1; i < argc; i++) /* the command, for the report's captions */
        snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline), " %s", argv[i]);
    da3_env_set(&env, "command", "%s", cmdline);
    if (o.count_instructions)
        da3_env_set(&env, "measure", "instructions (valgrind callgrind, per iteration)");
    if (o.inject > 0) {
        da3_env_set(&env, "injected_slowdown", "attention/flash +%g%%", 100 * o.inject);
        fprintf(stderr, "da3bench: TEST KNOB --inject-slowdown: attention/flash is made %g%% "
                        "slower on purpose (recorded in the JSON context)\n", 100 * o.inject);
    }
    for (int i = 0; i < env.n; i++)
        gb_add_context(env.key[i], env.val[i]);
    fprintf(stderr, "da3bench %s: %s, ISA %s, measured peak %s%s on %s cores\n",
            da3_env_get(&env, "da3bench_version"), da3_env_get(&env, "cpu_model"),
            da3_env_get(&env, "isa_selected"), da3_env_get(&env, "peak_gflops"),
            nthreads < 0 ? "" : " GFLOP/s", da3_env_get(&env, "cores"));
    if (da3_env_get(&env, "emulated"))
        fprintf(stderr, "da3bench: EMULATED (qemu-user or Rosetta): the times below are the "
                        "emulator's, not measurements; only the correctness checks count\n");
    if (each_suite(&o, &env, 0))
        return 2;

    catch_signals();
    gb_set_progress(!o.quiet);
    gb_run();
    if (o.json && rename(json_tmp, o.json)) {
        fprintf(stderr, "da3bench: --json %s: %s (the results are in %s)\n", o.json,
                strerror(errno), json_tmp);
        return 1;
    }
    int failed = 0;
    for (int i = 0; i < gb_result_count(); i++)
        failed += gb_result_at(i)->error != NULL;
    /* the seed's blocks compare times: none under Valgrind */
    if (wanted(&o, "attention") && !o.count_instructions)
        da3_console_attention();
    if (wanted(&o, "preprocess") && !o.count_instructions)
        da3_console_preprocess();
    if (wanted(&o, "prefetch") && !o.count_instructions)
        da3_console_prefetch();
    da3_suites_cleanup();
    da3_suite_peak_cleanup();
    da3_suite_preprocess_cleanup();
    da3_suite_prefetch_cleanup();
    da3_suite_cuda_cleanup();
    gb_shutdown();
    if (o.report && !gb_interrupted()) {
        int rc = da3_run_report(o.json, o.report);
        if (rc) {
            fprintf(stderr, "da3bench: --report %s: the report failed (exit %d); the results "
                            "are in %s\n", o.report, rc, o.json);
            return rc == 2 ? 1 : rc;
        }
    }
    if (gb_interrupted()) {
        fprintf(stderr, "da3bench: interrupted by signal %d; the benchmarks that completed are%s%s\n",
                gb_interrupted(), o.json ? " in " : " above", o.json ? o.json : "");
        return 128 + gb_interrupted();
    }
    if (failed) {
        fprintf(stderr, "da3bench: %d benchmark run%s failed; the others ran (see above%s)\n",
                failed, failed == 1 ? "" : "s", o.json ? " and the JSON" : "");
        return 1;
    }
    return 0;
}
