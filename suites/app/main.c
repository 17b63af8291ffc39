/*
 * da3bench - the command: parses the flags, measures the environment,
 * registers the suites with Google Benchmark, runs them, and prints the
 * seed's summary block. Exit status: 0 all ran and passed their checks,
 * 1 a benchmark failed (reported; the others still ran), 2 usage.
 */
#include "atomic_file.h"
#include "blas.h"
#include "cli.h"
#include "commands.h"
#include "cpu.h"
#include "cuda_bench.h"
#include "env.h"
#include "gbench.h"
#include "instructions.h"
#include "suite.h"
#include "suites.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/mman.h> /* memfd_create */
#endif
#include <unistd.h>

static int wanted(const da3_opts *o, const da3_suite *s)
{
    /* calib only when named; a suite that measures hardware has nothing to
     * count under Valgrind */
    if (!o->nsuites && o->count_instructions && (s->flags & DA3_SUITE_HARDWARE))
        return 0;
    return da3_cli_runs_suite(o, s->name);
}

/* What each suite keeps for this run (suite.h), owned by the command:
 * released after the console blocks; a run that stops earlier leaves it
 * to the exit. */
static void *runs[DA3_SUITE_MAX];

/* What each suite keeps for the run, freed. */
static void release_runs(void)
{
    for (int i = 0; i < da3_suite_count; i++) {
        if (runs[i] && da3_suite_list[i]->cleanup)
            da3_suite_list[i]->cleanup(runs[i]);
        runs[i] = NULL;
    }
}

/* mode: 0 register, 1 print names, 2 check only. Returns 0 or 2; runs[i]
 * is what suite i keeps (released on an error, and on entry). */
static int each_suite(const da3_opts *o, const da3_env *env, int mode)
{
    char err[512];
    release_runs();
    for (int i = 0; i < da3_suite_count; i++) {
        if (!wanted(o, da3_suite_list[i]))
            continue;
        if (da3_suite_list[i]->add(o, env, mode, &runs[i], err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            release_runs();
            return 2;
        }
    }
    return 0;
}

/* SIGINT/SIGTERM: stop the running benchmark, skip the rest, write what was
 * measured, exit 128 + signal. A second signal kills (SA_RESETHAND). */
static void on_signal(int sig) { gb_interrupt(sig); }

/* The JSON Google Benchmark wrote (into json_fd, or the file tmp) to its
 * target, whole or not at all. Not complete (the output stream failed:
 * GB does not check it), or not written (a full disk): the target keeps
 * its old contents, the results go to a file in TMPDIR if they can, and
 * one line says where. */
static int save_json(const char *target, int fd, const char *tmp)
{
    char *doc = NULL;
    size_t len = 0;
    int e = fd >= 0 ? da3_read_fd(fd, &doc, &len) : 0;
    if (fd < 0) {
        int tfd = open(tmp, O_RDONLY | O_CLOEXEC);
        e = tfd < 0 ? -errno : da3_read_fd(tfd, &doc, &len);
        if (tfd >= 0)
            close(tfd);
    }
    size_t end = len;
    while (end && (doc[end - 1] == '\n' || doc[end - 1] == ' '))
        end--;
    if (!e && (end == 0 || doc[end - 1] != '}'))
        e = -EIO; /* GB's stream failed part-way */
    if (!e)
        e = da3_write_atomic(target, doc, len);
    if (fd >= 0)
        close(fd);
    else
        unlink(tmp);
    if (!e) {
        free(doc);
        return 0;
    }
    char keep[4200] = "";
    if (len) {
        const char *dir = getenv("TMPDIR");
        const char *base = strrchr(target, '/');
        snprintf(keep, sizeof keep, "%s/da3bench-%ld-%s", dir && *dir ? dir : "/tmp",
                 (long)getpid(), base ? base + 1 : target);
        if (da3_write_atomic(keep, doc, len))
            keep[0] = 0;
    }
    fprintf(stderr, "da3bench: --json %s: %s; %s kept as it was%s%s\n", target,
            e == -EIO ? "the results could not be written in full" : strerror(-e), target,
            keep[0] ? ", the results are in " : ", the results are lost (see the console)",
            keep);
    free(doc);
    return 1;
}

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

/* The commands besides run, list and env (da3_cli_parse's), each given
 * the arguments after its name (commands.h). */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"fixtures", da3_cmd_fixtures}, {"convert", da3_cmd_convert}, {"tune", da3_cmd_tune},
    {"report", da3_cmd_report},     {"compare", da3_cmd_compare},
};

/* OpenBLAS fell back to its generic kernels on a CPU it does not know
 * (blas.h): run again with the ones it should have chosen. The run's header
 * and JSON context say so (env.c: blas_core), not a line on stderr, which
 * stays one line for a usage error. A user's own OPENBLAS_CORETYPE stands. */
static void blas_core_check(char **argv)
{
    if (getenv("OPENBLAS_CORETYPE"))
        return;
    const char *core = da3_blas_core();
    const char *want = da3_blas_core_for(core, da3_cpu_has(DA3_ISA_AVX512),
                                         da3_cpu_has(DA3_ISA_AVX2));
    if (!want)
        return;
    setenv("DA3BENCH_BLAS_CORE_FROM", core, 1);
    setenv("OPENBLAS_CORETYPE", want, 1);
    execv("/proc/self/exe", argv);
    fprintf(stderr,
            "da3bench: OpenBLAS chose its generic %s kernels here and running again with "
            "OPENBLAS_CORETYPE=%s failed (%s): set it yourself\n",
            core, want, strerror(errno));
    unsetenv("DA3BENCH_BLAS_CORE_FROM");
}

int main(int argc, char **argv)
{
    static da3_opts o;
    char err[512];
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("da3bench %s\n", da3_version_string());
        return 0;
    }
    for (size_t i = 0; argc > 1 && i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 2, argv + 2);
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
    blas_core_check(argv);
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
    if (o.cmd == DA3_CMD_LIST) {
        const int rc = each_suite(&o, &env, 1);
        release_runs();
        return rc;
    }

    /* run: refuse bad configurations and unwritable files before measuring */
    if (each_suite(&o, &env, 2))
        return 2;
    release_runs();
    static char report_json[4200];
    if (o.report) {
        struct stat st;
        if (da3_report_ready())
            return 2; /* known now, not after the run */
        if (mkdir(o.report, 0777) && errno != EEXIST) {
            fprintf(stderr, "da3bench: --report %s: %s\n", o.report, strerror(errno));
            return 2;
        }
        if (stat(o.report, &st) || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "da3bench: --report %s: not a folder\n", o.report);
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
            const int existed = access(o.json, F_OK) == 0;
            FILE *f = fopen(o.json, "a");
            if (!f) {
                fprintf(stderr, "da3bench: --json %s: %s\n", o.json, strerror(errno));
                return 2;
            }
            fclose(f);
            if (!existed) /* the probe's file: a failed count must not leave it empty */
                unlink(o.json);
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
    /* --json: Google Benchmark writes into memory (a memfd; on other
     * systems a temporary file beside the target), which is written beside
     * the target, every write checked, and renamed over it once complete:
     * an existing results file is never truncated by a run that fails, is
     * stopped, or meets a full disk. What cannot be known after the run is
     * checked now: a directory, a folder that does not exist or cannot be
     * written. */
    static char out_flag[4200], json_tmp[4200];
    int json_fd = -1;
    if (o.json) {
        struct stat st;
        if (o.gb_has_out) {
            fprintf(stderr, "da3bench: --json and --benchmark_out both name an output file\n");
            return 2;
        }
        if (!stat(o.json, &st) && S_ISDIR(st.st_mode)) {
            fprintf(stderr, "da3bench: --json %s: is a directory\n", o.json);
            return 2;
        }
        /* a pipe or a device (--json /dev/stdout) is written in place at
         * the end: its partial file goes to TMPDIR, not beside it in /dev */
        const int stream = da3_is_stream(o.json);
        if (stream && access(o.json, W_OK)) {
            fprintf(stderr, "da3bench: --json %s: %s\n", o.json, strerror(errno));
            return 2;
        }
        const char *tmpdir = getenv("TMPDIR");
        const int n = stream ? snprintf(json_tmp, sizeof json_tmp, "%s/da3bench-%ld.partial",
                                        tmpdir && *tmpdir ? tmpdir : "/tmp", (long)getpid())
                             : 0;
        if (stream ? n < 0 || (size_t)n >= sizeof json_tmp
                   : da3_partial_name(json_tmp, sizeof json_tmp, o.json) != 0) {
            fprintf(stderr, "da3bench: --json %s: %s\n", o.json, strerror(ENAMETOOLONG));
            return 2;
        }
        if (!stream)
            da3_clean_stale_partials(o.json);
        FILE *f = fopen(json_tmp, "w");
        if (!f) {
            fprintf(stderr, "da3bench: --json %s: %s%s%s\n", o.json, strerror(errno),
                    stream ? "; its partial file goes to TMPDIR: " : "", stream ? json_tmp : "");
            return 2;
        }
        fclose(f);
#ifdef __linux__
        json_fd = memfd_create("da3bench-json", MFD_CLOEXEC);
        if (json_fd >= 0) {
            unlink(json_tmp);
            snprintf(out_flag, sizeof out_flag, "--benchmark_out=/proc/self/fd/%d", json_fd);
        } else
#endif
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
    const int gb_bad = gb_init(&o.gb_argc, o.gb_argv);
    if (gb_bad || o.gb_argc > 1) {
        if (!gb_bad)
            fprintf(stderr, "da3bench: unrecognized Google Benchmark flag '%s'\n", o.gb_argv[1]);
        if (o.json && json_fd < 0)
            unlink(json_tmp);
        return 2;
    }

    int threads[DA3_SWEEP_MAX];
    int nthreads = wanted(&o, &da3_attention_suite) || wanted(&o, &da3_block_suite)
                       ? da3_attention_threads(&o, threads, DA3_SWEEP_MAX)
                       : 0;
    int cpu_peak = 0;
    for (int i = 0; i < da3_suite_count; i++)
        cpu_peak |=
            wanted(&o, da3_suite_list[i]) && (da3_suite_list[i]->flags & DA3_SUITE_CPU_PEAK);
    if (o.count_instructions || !cpu_peak || o.no_peak)
        nthreads = -1; /* counting, calib alone, or --no-peak: no measured peak */
    da3_env_collect(&env, threads, nthreads, 0);
    char cmdline[2048] = "da3bench";
    for (int i = 1; i < argc; i++) /* the command, for the report's captions */
        snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline), " %s", argv[i]);
    da3_env_set(&env, "command", "%s", cmdline);
    if (o.count_instructions)
        da3_env_set(&env, "measure", "instructions (valgrind callgrind, per iteration)");
    if (each_suite(&o, &env, 0))
        return 2;
    /* nothing to run is a usage error, said before the header line */
    if (gb_check_filter(err, sizeof err)) {
        fprintf(stderr, "da3bench: %s\n", err);
        if (json_fd < 0 && o.json)
            unlink(json_tmp);
        return 2;
    }
    if (o.inject > 0) {
        da3_env_set(&env, "injected_slowdown", "attention/flash +%g%%", 100 * o.inject);
        fprintf(stderr, "da3bench: TEST KNOB --inject-slowdown: attention/flash is made %g%% "
                        "slower on purpose (recorded in the JSON context)\n", 100 * o.inject);
    }
    for (int i = 0; i < env.n; i++)
        gb_add_context(env.key[i], env.val[i]);
    fprintf(stderr, "da3bench %s: %s, ISA %s, %s%s%s on %s cores\n",
            da3_env_get(&env, "da3bench_version"), da3_env_get(&env, "cpu_model"),
            da3_env_get(&env, "isa_selected"), nthreads < 0 ? "peak " : "measured peak ",
            da3_env_get(&env, "peak_gflops"), nthreads < 0 ? "" : " GFLOP/s",
            da3_env_get(&env, "cores"));
    if (da3_env_get(&env, "emulated"))
        fprintf(stderr, "da3bench: EMULATED (qemu-user or Rosetta): the times below are the "
                        "emulator's, not measurements; only the correctness checks count\n");

    catch_signals();
    gb_set_progress(!o.quiet);
    gb_run();
    /* a JSON that could not be saved (a full disk) is said at once; the
     * console blocks still follow, and an interruption keeps its exit code */
    const int json_lost = o.json && save_json(o.json, json_fd, json_tmp);
    int failed = 0;
    for (int i = 0; i < gb_result_count(); i++)
        failed += gb_result_at(i)->error != NULL;
    /* the seed's blocks compare times: none under Valgrind; with a machine
     * format on stdout, they go to stderr */
    fflush(stdout);
    da3_console_out = gb_machine_format() ? stderr : stdout;
    for (int i = 0; i < da3_suite_count; i++)
        if (da3_suite_list[i]->console && wanted(&o, da3_suite_list[i]) && !o.count_instructions)
            da3_suite_list[i]->console(runs[i]);
    release_runs();
    gb_shutdown();
    if (o.report && !gb_interrupted() && !json_lost) {
        int rc = da3_run_report(o.json, o.report);
        if (rc && !gb_interrupted()) {
            fprintf(stderr, "da3bench: --report %s: the report failed (exit %d); the results "
                            "are in %s\n", o.report, rc, o.json);
            return rc == 2 ? 1 : rc;
        }
    }
    const char *saved = o.json && !json_lost ? o.json : NULL; /* else: said above */
    if (gb_stdout_failed()) {
        fprintf(stderr, "da3bench: stdout: the results could not be written (%s)%s%s\n",
                strerror(errno), saved ? "; they are in " : "", saved ? saved : "");
        return 1;
    }
    if (gb_interrupted()) {
        fprintf(stderr,
                "da3bench: interrupted by signal %d; the benchmarks that completed are%s%s\n",
                gb_interrupted(), saved ? " in " : " above", saved ? saved : "");
        return 128 + gb_interrupted();
    }
    if (json_lost)
        return 1;
    if (failed) {
        fprintf(stderr, "da3bench: %d benchmark run%s failed; the others ran (see above%s)\n",
                failed, failed == 1 ? "" : "s", o.json ? " and the JSON" : "");
        return 1;
    }
    return 0;
}
