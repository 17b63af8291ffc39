// progress.h - the shim's progress display, on stderr only (never stdout,
// never the JSON): on a terminal a live line (benchmark k of N, its name,
// elapsed and estimated remaining time) redrawn every half second once the
// run has lasted two seconds, cleared before each result is printed; when
// stderr is not a terminal, one plain line per finished benchmark. Private
// to suites/bench.
#ifndef DA3_GBENCH_PROGRESS_H
#define DA3_GBENCH_PROGRESS_H

#include <string>

namespace progress {

// mode: 0 off, 1 on (live or lines, by isatty(2)); total: benchmarks to run.
void begin(int mode, int total);
// A benchmark's body is entered (called many times per benchmark).
void enter(const void *bench, const std::string &name);
// Results are about to go to stdout: clear the live line.
void before_output();
// The run is over: the last benchmark's line, and the ticker stops.
void end();

} // namespace progress

#endif
