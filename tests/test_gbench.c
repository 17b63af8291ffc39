/*
 * The C shim over Google Benchmark: benchmarks registered from C appear in
 * Google Benchmark's JSON with their arguments, counters, label and the
 * custom context; a benchmark that skips with an error is reported as such
 * and the next one still runs.
 */
#include "gbench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

static int ran_after_error;


static void body(gb_state *st, void *arg)
{
    const int *scale = arg;
    volatile long sink = 0;
    while (gb_keep_running_batch(st, 4))
        for (long i = 0; i < 1000 * gb_range(st, 0); i++)
            sink += i;
    gb_counter(st, "answer", 42.0 * *scale, GB_COUNTER_DEFAULT);
    gb_counter(st, "per_iter", 2.0 * (double)gb_iterations_done(st), GB_COUNTER_AVG_ITERS);
    gb_set_items_processed(st, gb_iterations_done(st));
    gb_set_label(st, sink >= 0 ? "from-c" : "?"); /* sink read: the loop is work */
}

static void failing(gb_state *st, void *arg)
{
    (void)arg;
    gb_skip_with_error(st, "deliberate failure");
    while (gb_keep_running(st))
        ;
}

static void after(gb_state *st, void *arg)
{
    (void)arg;
    while (gb_keep_running(st))
        ;
    ran_after_error = 1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

int main(void)
{
    char path[] = "/tmp/da3bench-gbench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    char out[128];
    snprintf(out, sizeof out, "--benchmark_out=%s", path);
    char *argv[] = {"test_gbench", out, "--benchmark_out_format=json",
                    "--benchmark_min_time=0.001", "--benchmark_format=console", NULL};
    int argc = 5;
    CHECK(gb_init(&argc, argv) == 0 && argc == 1, "init consumed the flags (argc %d)", argc);

    static int scale = 1;
    gb_bench *b = gb_register("shim/body", body, &scale);
    static const char *const names[] = {"x", "y"};
    const int64_t args[] = {3, 7};
    gb_args(b, args, 2);
    gb_arg_names(b, names, 2);
    gb_set_unit(b, GB_US);
    gb_iterations(b, 8);
    gb_register("shim/failing", failing, NULL);
    gb_register("shim/after", after, NULL);
    gb_add_context("da3_test_key", "da3_test_value");

    int n = gb_run();
    CHECK(n == 3, "3 runs reported, got %d", n);
    CHECK(ran_after_error, "the benchmark after the failing one ran");
    const gb_result *r = gb_result_at(0);
    CHECK(r && !strcmp(r->name, "shim/body/x:3/y:7/iterations:8"), "name '%s'", r ? r->name : "?");
    CHECK(r && r->iterations == 8 && !strcmp(r->unit, "us") && !strcmp(r->label, "from-c"),
          "iterations, unit, label");
    bool found;
    CHECK(gb_result_counter(0, "answer", &found) == 42.0 && found, "counter answer");
    CHECK(gb_result_counter(0, "per_iter", &found) == 2.0 && found, "avg-iterations counter");
    gb_result_counter(0, "missing", &found);
    CHECK(!found, "missing counter not found");
    CHECK(gb_result_at(1) && gb_result_at(1)->error &&
              !strcmp(gb_result_at(1)->error, "deliberate failure"), "error captured");
    CHECK(r && r->arg == &scale && gb_result_at(1)->arg == NULL && gb_result_at(2)->arg == NULL,
          "each result carries its benchmark's arg");
    gb_shutdown();

    const char *json = slurp(path);
    CHECK(json != NULL, "JSON written to %s", path);
    if (json) {
        static const char *const want[] = {
            "\"da3_test_key\": \"da3_test_value\"", "\"name\": \"shim/body/x:3/y:7/iterations:8\"",
            "\"label\": \"from-c\"", "\"answer\": 4.2000000000000000e+01",
            "\"iterations\": 8", "\"time_unit\": \"us\"", "\"error_occurred\": true",
            "\"error_message\": \"deliberate failure\"", "\"name\": \"shim/after\"",
            "\"items_per_second\""};
        for (size_t i = 0; i < sizeof want / sizeof *want; i++)
            CHECK(strstr(json, want[i]), "JSON lacks %s", want[i]);
    }
    unlink(path);
    printf("gbench: %d failures\n", failures);
    return failures != 0;
}
