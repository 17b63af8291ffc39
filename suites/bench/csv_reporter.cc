// See csv_reporter.h.
#include "csv_reporter.h"

#include <iomanip>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace {

std::string escape(const std::string &s)
{
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

const char *unit_string(benchmark::TimeUnit u)
{
    switch (u) {
    case benchmark::kNanosecond: return "ns";
    case benchmark::kMicrosecond: return "us";
    case benchmark::kMillisecond: return "ms";
    default: return "s";
    }
}

class UnionCsvReporter : public benchmark::BenchmarkReporter {
  public:
    bool ReportContext(const Context &) override { return true; }
    void ReportRuns(const std::vector<Run> &runs) override
    {
        for (const Run &r : runs) {
            runs_.push_back(r);
            for (const auto &c : r.counters)
                if (c.first != "bytes_per_second" && c.first != "items_per_second")
                    counters_.insert(c.first);
        }
    }
    void Finalize() override
    {
        std::ostream &out = GetOutputStream();
        out << "name,iterations,real_time,cpu_time,time_unit,bytes_per_second,"
               "items_per_second,label,error_occurred,error_message";
        for (const auto &n : counters_)
            out << "," << escape(n);
        out << "\n";
        for (const Run &r : runs_) {
            out << escape(r.benchmark_name()) << ",";
            if (r.error_occurred) {
                out << ",,,,,,," << "true," << escape(r.error_message);
            } else {
                out << r.iterations << "," << std::setprecision(10) << r.GetAdjustedRealTime()
                    << "," << r.GetAdjustedCPUTime() << "," << unit_string(r.time_unit) << ",";
                auto b = r.counters.find("bytes_per_second");
                if (b != r.counters.end())
                    out << b->second.value;
                out << ",";
                auto i = r.counters.find("items_per_second");
                if (i != r.counters.end())
                    out << i->second.value;
                out << ",";
                if (!r.report_label.empty())
                    out << escape(r.report_label);
                out << ",,";
            }
            for (const auto &n : counters_) {
                out << ",";
                auto c = r.counters.find(n);
                if (c != r.counters.end() && !r.error_occurred)
                    out << c->second.value;
            }
            out << "\n";
        }
        out.flush();
    }

  private:
    std::vector<Run> runs_;
    std::set<std::string> counters_;
};

} // namespace

std::unique_ptr<benchmark::BenchmarkReporter> da3_csv_reporter()
{
    return std::unique_ptr<benchmark::BenchmarkReporter>(new UnionCsvReporter());
}
