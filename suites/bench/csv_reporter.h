// --benchmark_format=csv for a run of several suites: Google Benchmark's
// CSVReporter aborts the process ("All counters must be present in each
// run") as soon as a later benchmark has a counter the first did not, and
// an errored row has fewer fields than the header. This one writes the
// same columns, in the same order and format, once every run is in: the
// header names the union of the counters, every row has every field, and
// a counter a benchmark does not have is an empty cell.
#pragma once

#include <benchmark/benchmark.h>

#include <memory>

std::unique_ptr<benchmark::BenchmarkReporter> da3_csv_reporter();
