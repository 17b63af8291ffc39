/*
 * gbench.h - a C API over Google Benchmark (C++), so the suites stay in C.
 *
 * Register: gb_register(name, fn, arg) returns a handle to configure with
 * argument tuples and names, time unit, real or manual time, iterations,
 * repetitions. The benchmark name plus its named arguments gives the name
 * in the results ("attention/flash" + B,H -> "attention/flash/B:2/H:8").
 *
 * Body: fn(state, arg) runs `while (gb_keep_running_batch(st, n))` or
 * `while (gb_keep_running(st))`, reads arguments with gb_range(st, i), and
 * after the loop sets items/bytes processed and named counters. A body that
 * cannot run calls gb_skip_with_error(): the run is marked errored in the
 * results and the other benchmarks still run.
 *
 * Run: gb_init() takes the --benchmark_* flags out of argv (Google
 * Benchmark's own parsing, unchanged); gb_add_context() adds key/values to
 * the JSON context; gb_run() runs what the filter selects, printing Google
 * Benchmark's own table (or JSON/CSV per --benchmark_format) and writing
 * --benchmark_out; the runs are also kept for the caller (gb_result_*).
 */
#ifndef DA3_GBENCH_H
#define DA3_GBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state;
typedef struct gb_bench gb_bench;
typedef void (*gb_fn)(gb_state *st, void *arg);

typedef enum { GB_NS, GB_US, GB_MS, GB_S } gb_unit;

enum {
    GB_COUNTER_DEFAULT = 0,   /* the value as given */
    GB_COUNTER_RATE = 1,      /* divided by the run's time */
    GB_COUNTER_AVG_ITERS = 2, /* divided by the iteration count */
};

/* Registration. Strings are copied. Returns NULL only on allocation failure. */
gb_bench *gb_register(const char *name, gb_fn fn, void *arg);
void gb_args(gb_bench *b, const int64_t *args, int n);
void gb_arg_names(gb_bench *b, const char *const *names, int n);
void gb_use_real_time(gb_bench *b);
void gb_use_manual_time(gb_bench *b);
/* u, unless --benchmark_time_unit asked for another */
void gb_set_unit(gb_bench *b, gb_unit u);
/* --benchmark_format is json or csv: stdout holds that format alone */
int gb_machine_format(void);
/* stdout (the table, a machine format, the summary) could not be written
 * whole: a full disk, a closed pipe */
int gb_stdout_failed(void);
void gb_iterations(gb_bench *b, int64_t n);
void gb_repetitions(gb_bench *b, int n);
void gb_min_time(gb_bench *b, double seconds);
void gb_report_aggregates_only(gb_bench *b, bool only);

/* Body. */
bool gb_keep_running(gb_state *st);
bool gb_keep_running_batch(gb_state *st, int64_t n);
int64_t gb_range(const gb_state *st, int i);
void gb_pause(gb_state *st);
void gb_resume(gb_state *st);
void gb_set_iteration_time(gb_state *st, double seconds);
void gb_set_items_processed(gb_state *st, int64_t n);
void gb_set_bytes_processed(gb_state *st, int64_t n);
void gb_counter(gb_state *st, const char *name, double value, int flags);
void gb_skip_with_error(gb_state *st, const char *msg);
bool gb_error_occurred(const gb_state *st);
void gb_set_label(gb_state *st, const char *label);
int64_t gb_iterations_done(const gb_state *st);

/* Interruption: after gb_interrupt(sig) (from a signal handler: it only
 * sets a flag), the running benchmark stops at its next gb_keep_running
 * and every later one is skipped, each reported as errored "interrupted",
 * so gb_run returns and the results file is completed normally.
 * gb_interrupted() gives the signal, or 0. */
void gb_interrupt(int sig);
/* Progress on stderr while gb_run() runs (default on): a live line on a
 * terminal, one line per finished benchmark otherwise; 0 for none. */
void gb_set_progress(int on);
int gb_interrupted(void);

/* Instruction counting: with gb_count_instructions(1), under Valgrind's
 * callgrind, each benchmark's loop (first gb_keep_running to its end) is
 * collected and dumped as "Client Request: <benchmark name>". */
void gb_count_instructions(int on);
int gb_under_valgrind(void); /* 1 when running under Valgrind */
int gb_can_count(void);      /* 1 if built with Valgrind's headers */

/* Running. gb_init removes the flags it knows from argv; the ones left are
 * the caller's. Returns 0, or -1 when a --benchmark_* flag is malformed. */
int gb_init(int *argc, char **argv);
void gb_add_context(const char *key, const char *value);
/* 0, or -1 with a message when --benchmark_filter does not compile or
 * matches no registered benchmark (nothing would run). */
int gb_check_filter(char *err, size_t size);
/* Runs the registered benchmarks matching --benchmark_filter. Returns the
 * number of runs reported, or -1 if the output file could not be written. */
int gb_run(void);
void gb_shutdown(void);

/* Every run reported by gb_run, in order: one per repetition, then the
 * aggregates ("mean", "median", "stddev", "cv") when repeated. */
typedef struct {
    const char *name;      /* full name, with "_median" etc. for aggregates */
    const char *run_name;  /* the benchmark's name without the aggregate */
    const char *aggregate; /* "" for a plain run */
    const char *label;
    const char *error;     /* NULL unless errored */
    double real_time;      /* per iteration, in `unit` */
    double cpu_time;
    const char *unit;      /* "ns", "us", "ms" or "s" */
    int64_t iterations;
    int64_t repetitions;
    void *arg;             /* what gb_register was given: the suite's case */
} gb_result;

int gb_result_count(void);
const gb_result *gb_result_at(int i);
/* The named counter of result i; *found (if not NULL) says whether it exists. */
double gb_result_counter(int i, const char *name, bool *found);

#ifdef __cplusplus
}
#endif

#endif
