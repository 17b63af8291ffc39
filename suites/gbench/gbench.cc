// gbench.cc - the C shim's only C++: wraps benchmark::State and Benchmark.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <csignal>
#include <cstring>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

struct gb_state {
    benchmark::State *s;
};

struct gb_bench {
    benchmark::internal::Benchmark *b;
};

namespace {

struct Captured {
    std::string name, run_name, aggregate, label, error;
    bool errored;
    double real_time, cpu_time;
    std::string unit;
    int64_t iterations, repetitions;
    benchmark::UserCounters counters;
};

std::vector<Captured> g_runs;
std::vector<gb_result> g_views;
std::vector<std::unique_ptr<gb_bench>> g_benches;
std::string g_format = "console";
volatile std::sig_atomic_t g_signal = 0;

void skip_interrupted(benchmark::State &s)
{
    char msg[64];
    std::snprintf(msg, sizeof msg, "interrupted by signal %d", (int)g_signal);
    s.SkipWithError(msg);
}
bool g_color = true;
bool g_display_aggregates_only = false;

const char *unit_name(benchmark::TimeUnit u)
{
    switch (u) {
    case benchmark::kNanosecond: return "ns";
    case benchmark::kMicrosecond: return "us";
    case benchmark::kMillisecond: return "ms";
    default: return "s";
    }
}

// Forwards to Google Benchmark's own display reporter and keeps every run.
class CaptureReporter : public benchmark::BenchmarkReporter {
  public:
    explicit CaptureReporter(benchmark::BenchmarkReporter *inner) : inner_(inner) {}
    bool ReportContext(const Context &c) override { return inner_->ReportContext(c); }
    void ReportRuns(const std::vector<Run> &runs) override
    {
        for (const Run &r : runs) {
            Captured c;
            c.name = r.benchmark_name();
            c.run_name = r.run_name.str();
            c.aggregate = r.aggregate_name;
            c.label = r.report_label;
            c.errored = r.error_occurred;
            c.error = r.error_message;
            c.real_time = r.GetAdjustedRealTime();
            c.cpu_time = r.GetAdjustedCPUTime();
            c.unit = unit_name(r.time_unit);
            c.iterations = r.iterations;
            c.repetitions = r.repetitions;
            c.counters = r.counters;
            g_runs.push_back(std::move(c));
        }
        // --benchmark_display_aggregates_only is applied here rather than by
        // Google Benchmark, so that every repetition is still captured. The
        // repetitions and their aggregates come in two calls: hide the first
        // unless it holds an error (errored runs have no aggregates).
        bool show = !g_display_aggregates_only;
        for (const Run &r : runs)
            show |= r.run_type == Run::RT_Aggregate || r.repetitions <= 1 || r.error_occurred;
        if (show)
            inner_->ReportRuns(runs);
    }
    void Finalize() override { inner_->Finalize(); }

  private:
    benchmark::BenchmarkReporter *inner_;
};

} // namespace

extern "C" {

gb_bench *gb_register(const char *name, gb_fn fn, void *arg)
{
    auto *b = benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &s) {
        if (g_signal) { // skipped: the run was interrupted before it
            skip_interrupted(s);
            while (s.KeepRunning()) {
            }
            return;
        }
        gb_state st{&s};
        fn(&st, arg);
    });
    if (!b)
        return nullptr;
    g_benches.push_back(std::unique_ptr<gb_bench>(new gb_bench{b}));
    return g_benches.back().get();
}

void gb_args(gb_bench *b, const int64_t *args, int n)
{
    b->b->Args(std::vector<int64_t>(args, args + n));
}

void gb_arg_names(gb_bench *b, const char *const *names, int n)
{
    b->b->ArgNames(std::vector<std::string>(names, names + n));
}

void gb_use_real_time(gb_bench *b) { b->b->UseRealTime(); }
void gb_use_manual_time(gb_bench *b) { b->b->UseManualTime(); }

void gb_set_unit(gb_bench *b, gb_unit u)
{
    static const benchmark::TimeUnit map[] = {benchmark::kNanosecond, benchmark::kMicrosecond,
                                              benchmark::kMillisecond, benchmark::kSecond};
    b->b->Unit(map[u]);
}

void gb_iterations(gb_bench *b, int64_t n) { b->b->Iterations(n); }
void gb_repetitions(gb_bench *b, int n) { b->b->Repetitions(n); }
void gb_min_time(gb_bench *b, double s) { b->b->MinTime(s); }
void gb_report_aggregates_only(gb_bench *b, bool only) { b->b->ReportAggregatesOnly(only); }

bool gb_keep_running(gb_state *st)
{
    if (g_signal && !st->s->error_occurred())
        skip_interrupted(*st->s);
    return st->s->KeepRunning();
}

bool gb_keep_running_batch(gb_state *st, int64_t n)
{
    if (g_signal && !st->s->error_occurred())
        skip_interrupted(*st->s);
    return st->s->KeepRunningBatch(n);
}

void gb_interrupt(int sig) { g_signal = sig; }
int gb_interrupted(void) { return (int)g_signal; }
int64_t gb_range(const gb_state *st, int i) { return st->s->range(i); }
void gb_pause(gb_state *st) { st->s->PauseTiming(); }
void gb_resume(gb_state *st) { st->s->ResumeTiming(); }
void gb_set_iteration_time(gb_state *st, double s) { st->s->SetIterationTime(s); }
void gb_set_items_processed(gb_state *st, int64_t n) { st->s->SetItemsProcessed(n); }
void gb_set_bytes_processed(gb_state *st, int64_t n) { st->s->SetBytesProcessed(n); }

void gb_counter(gb_state *st, const char *name, double value, int flags)
{
    int f = benchmark::Counter::kDefaults;
    if (flags & GB_COUNTER_RATE)
        f |= benchmark::Counter::kIsRate;
    if (flags & GB_COUNTER_AVG_ITERS)
        f |= benchmark::Counter::kAvgIterations;
    st->s->counters[name] = benchmark::Counter(value, benchmark::Counter::Flags(f));
}

void gb_skip_with_error(gb_state *st, const char *msg) { st->s->SkipWithError(msg); }
bool gb_error_occurred(const gb_state *st) { return st->s->error_occurred(); }
void gb_set_label(gb_state *st, const char *label) { st->s->SetLabel(label); }
int64_t gb_iterations_done(const gb_state *st) { return st->s->iterations(); }

int gb_init(int *argc, char **argv)
{
    // Google Benchmark parses its flags in Initialize; the display format
    // and colour are read here too, since we build the display reporter.
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (!std::strncmp(a, "--benchmark_display_aggregates_only=", 36)) {
            const char *v = a + 36;
            g_display_aggregates_only = !std::strcmp(v, "true") || !std::strcmp(v, "1") ||
                                        !std::strcmp(v, "yes");
            continue; // applied by CaptureReporter, see there
        }
        argv[kept++] = argv[i];
        if (!std::strncmp(a, "--benchmark_format=", 19))
            g_format = a + 19;
        else if (!std::strncmp(a, "--benchmark_color=", 18))
            g_color = std::strcmp(a + 18, "false") && std::strcmp(a + 18, "no");
    }
    if (g_format != "console" && g_format != "json" && g_format != "csv") {
        std::cerr << "da3bench: --benchmark_format=" << g_format
                  << ": expected console, json or csv\n";
        return -1;
    }
    *argc = kept;
    argv[kept] = nullptr;
    benchmark::Initialize(argc, argv);
    return 0;
}

void gb_add_context(const char *key, const char *value)
{
    benchmark::AddCustomContext(key, value);
}

int gb_run(void)
{
    std::unique_ptr<benchmark::BenchmarkReporter> inner;
    if (g_format == "json")
        inner.reset(new benchmark::JSONReporter());
    else if (g_format == "csv") {
        // Deprecated upstream but still Google Benchmark's own csv format,
        // which --benchmark_format=csv promises.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        inner.reset(new benchmark::CSVReporter());
#pragma GCC diagnostic pop
    }
    else {
        bool color = g_color && isatty(STDOUT_FILENO);
        inner.reset(new benchmark::ConsoleReporter(
            color ? benchmark::ConsoleReporter::OO_ColorTabular
                  : benchmark::ConsoleReporter::OO_Tabular));
    }
    CaptureReporter rep(inner.get());
    g_runs.clear();
    benchmark::RunSpecifiedBenchmarks(&rep);
    std::cout.flush();
    g_views.clear();
    for (const Captured &c : g_runs) {
        gb_result v;
        v.name = c.name.c_str();
        v.run_name = c.run_name.c_str();
        v.aggregate = c.aggregate.c_str();
        v.label = c.label.c_str();
        v.error = c.errored ? c.error.c_str() : nullptr;
        v.real_time = c.real_time;
        v.cpu_time = c.cpu_time;
        v.unit = c.unit.c_str();
        v.iterations = c.iterations;
        v.repetitions = c.repetitions;
        g_views.push_back(v);
    }
    return (int)g_views.size();
}

void gb_shutdown(void) { benchmark::Shutdown(); }

int gb_result_count(void) { return (int)g_views.size(); }

const gb_result *gb_result_at(int i)
{
    return i >= 0 && i < (int)g_views.size() ? &g_views[i] : nullptr;
}

double gb_result_counter(int i, const char *name, bool *found)
{
    if (found)
        *found = false;
    if (i < 0 || i >= (int)g_runs.size())
        return 0.0;
    auto it = g_runs[i].counters.find(name);
    if (it == g_runs[i].counters.end())
        return 0.0;
    if (found)
        *found = true;
    return it->second.value;
}

} // extern "C"
