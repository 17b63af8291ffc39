// progress.cc - see progress.h
#include "progress.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include <unistd.h>

namespace progress {
namespace {

using clock = std::chrono::steady_clock;

std::mutex mu;
std::condition_variable cv;
std::thread ticker;
bool on = false, live = false, stop = false, drawn = false;
int total = 0, started = 0;
const void *current = nullptr;
std::string name;
std::set<const void *> seen;
clock::time_point t_run, t_bench;

double since(clock::time_point t)
{
    return std::chrono::duration<double>(clock::now() - t).count();
}

void fmt_time(double s, char *buf, size_t len)
{
    if (s < 60)
        std::snprintf(buf, len, "%.0f s", s);
    else if (s < 3600)
        std::snprintf(buf, len, "%d min %02d s", (int)s / 60, (int)s % 60);
    else
        std::snprintf(buf, len, "%d h %02d min", (int)s / 3600, (int)s / 60 % 60);
}

// caller holds mu
void draw()
{
    if (!current || since(t_run) < 2.0)
        return;
    char el[32], left[48] = "";
    fmt_time(since(t_run), el, sizeof el);
    const int done = started - 1;
    if (done > 0 && total >= started) {
        char r[32];
        fmt_time(since(t_run) / done * (total - done) - since(t_bench), r, sizeof r);
        std::snprintf(left, sizeof left, ", ~%s left", r[0] == '-' ? "0 s" : r);
    }
    std::fprintf(stderr, "\r\033[K[%d/%d] %s  (%s elapsed%s)", started, total, name.c_str(), el,
                 left);
    std::fflush(stderr);
    drawn = true;
}

void clear_line()
{
    if (drawn) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        drawn = false;
    }
}

// the finished benchmark's plain line (not a terminal); caller holds mu
void finished_line()
{
    if (!current || live)
        return;
    std::fprintf(stderr, "[%d/%d] %s done in %.1f s (%.0f s elapsed)\n", started, total,
                 name.c_str(), since(t_bench), since(t_run));
    std::fflush(stderr);
}

} // namespace

void begin(int mode, int n)
{
    std::lock_guard<std::mutex> lk(mu);
    on = mode != 0;
    live = on && isatty(STDERR_FILENO);
    total = n, started = 0, current = nullptr, stop = false, drawn = false;
    seen.clear();
    t_run = clock::now();
    if (live)
        ticker = std::thread([] {
            std::unique_lock<std::mutex> lk(mu);
            while (!stop) {
                cv.wait_for(lk, std::chrono::milliseconds(500));
                if (!stop)
                    draw();
            }
        });
}

void enter(const void *bench, const std::string &n)
{
    if (!on)
        return;
    std::lock_guard<std::mutex> lk(mu);
    if (bench == current)
        return;
    finished_line();
    current = bench;
    name = n;
    t_bench = clock::now();
    if (seen.insert(bench).second) // random interleaving comes back to a benchmark
        started++;
    if (live)
        draw();
}

void before_output()
{
    if (!on)
        return;
    std::lock_guard<std::mutex> lk(mu);
    clear_line();
}

void end()
{
    if (!on)
        return;
    {
        std::lock_guard<std::mutex> lk(mu);
        finished_line();
        clear_line();
        stop = true;
        on = false;
        current = nullptr;
    }
    cv.notify_all();
    if (ticker.joinable())
        ticker.join();
}

} // namespace progress
