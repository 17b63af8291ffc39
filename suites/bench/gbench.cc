// gbench.cc - the C shim's only C++: wraps benchmark::State and Benchmark.
#include "gbench.h"
#include "csv_reporter.h"
#include "progress.h"

#include <benchmark/benchmark.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <cstdio>
#include <iostream>
#include <memory>
#include <regex>
#include <cmath>
#include <string>
#include <vector>

#include <unistd.h>

#ifdef DA3_HAVE_VALGRIND
#include <valgrind/callgrind.h>
#endif

struct gb_bench {
    benchmark::internal::Benchmark *b;
    std::string name, full; // registered name; with its named arguments
    std::vector<int64_t> args;
    std::vector<std::string> arg_names;
    const char *time_suffix = ""; // "/real_time" or "/manual_time" in GB's names
    void *arg = nullptr;          // the suite's case, handed back with its results
};

struct gb_state {
    benchmark::State *s;
    gb_bench *bench;
    bool counting; // callgrind is collecting this benchmark's loop
};

namespace {

struct Captured {
    std::string name, run_name, aggregate, label, error;
    bool errored;
    double real_time, cpu_time;
    std::string unit;
    int64_t iterations, repetitions;
    benchmark::UserCounters counters;
    void *arg;
};

std::vector<Captured> g_runs;
std::vector<gb_result> g_views;
std::vector<std::unique_ptr<gb_bench>> g_benches;
// The benchmark running, or last run: Google Benchmark reports a
// benchmark's runs (and then its aggregates) when it has finished it.
gb_bench *g_current = nullptr;
std::string g_format = "console";
int g_unit = -1; // --benchmark_time_unit, over each suite's own unit
std::string g_filter;
bool g_count = false; // instruction-count mode: bracket each timed loop
volatile std::sig_atomic_t g_signal = 0;

// An error before the timed loop leaves the state unstarted: Google
// Benchmark then reports 0 iterations for that repetition, the others the
// repetitions' count, and (1.7.x) ComputeStats checks that they agree
// before it skips errored runs - an abort, no JSON. Starting the loop
// first makes the errored repetition report the same count as the others.
void skip_with_error(benchmark::State &s, const char *msg)
{
    if (s.iterations() == 0 && !s.error_occurred())
        (void)s.KeepRunning();
    s.SkipWithError(msg);
}

void skip_interrupted(benchmark::State &s)
{
    char msg[64];
    std::snprintf(msg, sizeof msg, "interrupted by signal %d", (int)g_signal);
    skip_with_error(s, msg);
}
bool g_color = true;
int g_progress = 1;
std::string g_out; // --benchmark_out, for a run with nothing registered
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
            c.arg = g_current ? g_current->arg : nullptr;
            g_runs.push_back(std::move(c));
        }
        // --benchmark_display_aggregates_only is applied here rather than by
        // Google Benchmark, so that every repetition is still captured. The
        // repetitions and their aggregates come in two calls: hide the first
        // unless it holds an error (errored runs have no aggregates).
        bool show = !g_display_aggregates_only;
        for (const Run &r : runs)
            show |= r.run_type == Run::RT_Aggregate || r.repetitions <= 1 || r.error_occurred;
        if (show) {
            progress::before_output();
            // the cv of a counter that is 0 in every repetition is 0/0, which
            // the console printed as "-nan%": it varies by nothing, so 0
            std::vector<Run> shown(runs);
            for (Run &r : shown)
                if (r.aggregate_name == "cv")
                    for (auto &kv : r.counters)
                        if (std::isnan(kv.second.value))
                            kv.second.value = 0;
            inner_->ReportRuns(shown);
        }
        // each result as it comes, also into a pipe (CI logs, tests)
        std::cout.flush();
        std::fflush(stdout);
    }
    void Finalize() override { inner_->Finalize(); }

  private:
    benchmark::BenchmarkReporter *inner_;
};

} // namespace

// Instruction-count mode: the counters of every thread are zeroed at the
// first call of the loop and dumped at its end under the benchmark's name,
// so the set-up before the loop and the checks after it are not counted.
// (Not CALLGRIND_TOGGLE_COLLECT: that switches the calling thread only, and
// the kernels' worker threads would go uncounted.)
static void count_begin(gb_state *st)
{
#ifdef DA3_HAVE_VALGRIND
    if (g_count && !st->counting) {
        st->counting = true;
        CALLGRIND_ZERO_STATS;
    }
#else
    (void)st;
#endif
}

static void count_end(gb_state *st)
{
#ifdef DA3_HAVE_VALGRIND
    if (st->counting) {
        st->counting = false;
        CALLGRIND_DUMP_STATS_AT(st->bench->full.c_str());
    }
#else
    (void)st;
#endif
}

extern "C" {

gb_bench *gb_register(const char *name, gb_fn fn, void *arg)
{
    g_benches.push_back(std::unique_ptr<gb_bench>(new gb_bench{nullptr, name, name, {}, {}, ""}));
    gb_bench *self = g_benches.back().get();
    self->arg = arg;
    self->b = benchmark::RegisterBenchmark(name, [fn, arg, self](benchmark::State &s) {
        g_current = self;
        if (g_signal) { // skipped: the run was interrupted before it
            skip_interrupted(s);
            while (s.KeepRunning()) {
            }
            return;
        }
        progress::enter(self, self->full);
        gb_state st{&s, self, false};
        fn(&st, arg);
        count_end(&st);
    });
    if (!self->b) {
        g_benches.pop_back();
        return nullptr;
    }
    return self;
}

// The instance name Google Benchmark will report: name/arg:value/...
static void compose_name(gb_bench *b)
{
    b->full = b->name;
    for (size_t i = 0; i < b->args.size(); i++) {
        b->full += "/";
        if (i < b->arg_names.size() && !b->arg_names[i].empty())
            b->full += b->arg_names[i] + ":";
        b->full += std::to_string(b->args[i]);
    }
}

void gb_args(gb_bench *b, const int64_t *args, int n)
{
    b->b->Args(std::vector<int64_t>(args, args + n));
    b->args.assign(args, args + n);
    compose_name(b);
}

void gb_arg_names(gb_bench *b, const char *const *names, int n)
{
    b->b->ArgNames(std::vector<std::string>(names, names + n));
    b->arg_names.assign(names, names + n);
    compose_name(b);
}

void gb_use_real_time(gb_bench *b)
{
    b->b->UseRealTime();
    b->time_suffix = "/real_time";
}

void gb_use_manual_time(gb_bench *b)
{
    b->b->UseManualTime();
    b->time_suffix = "/manual_time";
}

int gb_check_filter(char *err, size_t size)
{
    // Google Benchmark's own test, ahead of it: a filter that does not
    // compile, or that matches no benchmark, would otherwise run nothing
    // and exit 0 with an empty results file.
    if (g_filter.empty() || g_filter == "all" || g_filter == "." || g_benches.empty())
        return 0;
    const bool negative = g_filter[0] == '-';
    const std::string spec = negative ? g_filter.substr(1) : g_filter;
    std::regex re;
    try {
        re = std::regex(spec, std::regex_constants::extended);
    } catch (const std::regex_error &e) {
        std::snprintf(err, size, "--benchmark_filter '%s': not a regular expression (%s)",
                      g_filter.c_str(), e.what());
        return -1;
    }
    for (const auto &b : g_benches)
        if (std::regex_search(b->full + b->time_suffix, re) != negative)
            return 0;
    std::snprintf(err, size, "--benchmark_filter '%s': matches none of the %zu benchmarks "
                  "(da3bench list shows them)", g_filter.c_str(), g_benches.size());
    return -1;
}

void gb_set_unit(gb_bench *b, gb_unit u)
{
    static const benchmark::TimeUnit map[] = {benchmark::kNanosecond, benchmark::kMicrosecond,
                                              benchmark::kMillisecond, benchmark::kSecond};
    b->b->Unit(map[g_unit >= 0 ? g_unit : u]);
}

void gb_iterations(gb_bench *b, int64_t n) { b->b->Iterations(n); }
void gb_repetitions(gb_bench *b, int n) { b->b->Repetitions(n); }
void gb_min_time(gb_bench *b, double s) { b->b->MinTime(s); }
void gb_report_aggregates_only(gb_bench *b, bool only) { b->b->ReportAggregatesOnly(only); }

bool gb_keep_running(gb_state *st)
{
    if (g_signal && !st->s->error_occurred())
        skip_interrupted(*st->s);
    count_begin(st);
    const bool more = st->s->KeepRunning();
    if (!more)
        count_end(st);
    return more;
}

bool gb_keep_running_batch(gb_state *st, int64_t n)
{
    if (g_signal && !st->s->error_occurred())
        skip_interrupted(*st->s);
    count_begin(st);
    const bool more = st->s->KeepRunningBatch(n);
    if (!more)
        count_end(st);
    return more;
}

void gb_count_instructions(int on) { g_count = on != 0; }

int gb_under_valgrind(void)
{
#ifdef DA3_HAVE_VALGRIND
    return RUNNING_ON_VALGRIND ? 1 : 0;
#else
    return 0;
#endif
}

int gb_can_count(void)
{
#ifdef DA3_HAVE_VALGRIND
    return 1;
#else
    return 0;
#endif
}

void gb_interrupt(int sig) { g_signal = sig; }
void gb_set_progress(int on) { g_progress = on; }
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

void gb_skip_with_error(gb_state *st, const char *msg) { skip_with_error(*st->s, msg); }
bool gb_error_occurred(const gb_state *st) { return st->s->error_occurred(); }
void gb_set_label(gb_state *st, const char *label) { st->s->SetLabel(label); }
int64_t gb_iterations_done(const gb_state *st) { return st->s->iterations(); }

int gb_machine_format(void) { return g_format != "console"; }

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
        else if (!std::strncmp(a, "--benchmark_out=", 16))
            g_out = a + 16;
        else if (!std::strncmp(a, "--benchmark_filter=", 19))
            g_filter = a + 19;
        else if (!std::strncmp(a, "--benchmark_min_time=", 21)) {
            // Google Benchmark 1.8 takes "0.5", "0.5s" or "100x"; Debian 12's
            // 1.7.1 only a plain number and rejects the others. "0.5s" is
            // passed on as "0.5"; "100x" cannot be. A time that is not
            // positive would run each benchmark once and call it measured.
            char *end;
            const double v = std::strtod(a + 21, &end);
            const bool secs = *end == 0 || !std::strcmp(end, "s");
            if (end == a + 21 || !(v > 0) || !secs) {
                std::cerr << "da3bench: --benchmark_min_time=" << (a + 21)
                          << (!std::strcmp(end, "x") && v > 0
                                  ? ": an iteration count needs Google Benchmark 1.8; give "
                                    "seconds\n"
                                  : ": expected a positive number of seconds\n");
                return -1;
            }
            if (*end == 's') {
                static std::string plain;
                plain.assign(a, (size_t)(end - a));
                argv[kept - 1] = &plain[0];
            }
        }
        else if (!std::strncmp(a, "--benchmark_time_unit=", 22)) {
            static const char *const units[] = {"ns", "us", "ms", "s"};
            g_unit = -1;
            for (int u = 0; u < 4; u++)
                if (!std::strcmp(a + 22, units[u]))
                    g_unit = u;
            if (g_unit < 0) {
                std::cerr << "da3bench: --benchmark_time_unit=" << (a + 22)
                          << ": expected ns, us, ms or s\n";
                return -1;
            }
        }
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
    else if (g_format == "csv")
        inner = da3_csv_reporter();
    else {
        bool color = g_color && isatty(STDOUT_FILENO);
        inner.reset(new benchmark::ConsoleReporter(
            color ? benchmark::ConsoleReporter::OO_ColorTabular
                  : benchmark::ConsoleReporter::OO_Tabular));
    }
    g_runs.clear();
    g_views.clear();
    if (g_benches.empty()) {
        // Nothing to run (every suite asked for skipped itself): Google
        // Benchmark would write no file; the results file still gets the
        // context (which says why) and an empty list.
        if (!g_out.empty()) {
            std::ofstream f(g_out);
            benchmark::JSONReporter j;
            j.SetOutputStream(&f);
            j.SetErrorStream(&std::cerr);
            benchmark::BenchmarkReporter::Context ctx;
            j.ReportContext(ctx);
            j.Finalize();
            if (!f)
                return -1;
        }
        return 0;
    }
    CaptureReporter rep(inner.get());
    progress::begin(g_progress, (int)g_benches.size());
    benchmark::RunSpecifiedBenchmarks(&rep);
    progress::end();
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
        v.arg = c.arg;
        g_views.push_back(v);
    }
    return (int)g_views.size();
}

void gb_shutdown(void) { benchmark::Shutdown(); }

int gb_stdout_failed(void)
{
    std::cout.flush();
    return std::cout.fail() || std::fflush(stdout) != 0 || std::ferror(stdout);
}

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
