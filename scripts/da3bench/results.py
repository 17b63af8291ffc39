"""Reading da3bench results: Google Benchmark JSON files into records.

A benchmark name reads as a path: ``suite/word/key:value/...`` such as
``attention/flash/B:2/H:8/N:1024/D:64/threads:2``. Each iteration run (one
per repetition) becomes a Record; aggregates are recomputed here from the
repetitions, so medians and spreads mean the same for every file.

Errors in the input raise ResultsError with a one-line message naming the
file, never a traceback.
"""

import json
import math
import os
import statistics
from dataclasses import dataclass, field


class ResultsError(Exception):
    """A results file that cannot be read: the message names it."""


@dataclass
class Record:
    name: str            # full run name, without aggregate suffixes
    suite: str
    words: tuple         # path parts without ':' after the suite
    params: dict         # key:value parts, values as int/float when numeric
    time_ms: float       # real time per iteration
    counters: dict
    label: str = ""
    error: str = ""


@dataclass
class Machine:
    path: str
    context: dict
    records: list = field(default_factory=list)

    @property
    def label(self):
        c = self.context
        host = c.get("host_name", "?")
        cpu = c.get("cpu_model", "")
        gpu = f", {c['cuda_device']}" if c.get("cuda_device") else ""
        return f"{host} ({cpu}, {c.get('isa_selected', '?')}{gpu})" if cpu else host

    def peak(self, threads=None):
        key = f"peak_gflops_{threads}t" if threads else "peak_gflops"
        return number(self.context.get(key)) or number(self.context.get("peak_gflops"))


def number(v):
    try:
        x = float(v)
        return x if math.isfinite(x) else None
    except (TypeError, ValueError):
        return None


def _value(text):
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def parse_name(name):
    parts = name.split("/")
    words, params = [], {}
    for p in parts[1:]:
        if ":" in p:
            k, v = p.split(":", 1)
            params[k] = _value(v)
        else:
            words.append(p)
    return parts[0], tuple(words), params


_UNIT_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
_NOT_COUNTERS = {
    "name", "family_index", "per_family_instance_index", "run_name", "run_type",
    "repetitions", "repetition_index", "threads", "iterations", "real_time", "cpu_time",
    "time_unit", "label", "error_occurred", "error_message", "aggregate_name",
    "aggregate_unit", "items_per_second", "bytes_per_second",
}


def load(path):
    """One results file -> Machine. Raises ResultsError."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ResultsError(f"{path}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise ResultsError(f"{path}: not a results file (not UTF-8 text at byte {e.start})") from None
    if not text.strip():
        raise ResultsError(f"{path}: empty file")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ResultsError(f"{path}: not JSON (line {e.lineno}: {e.msg})") from None
    except RecursionError:
        raise ResultsError(f"{path}: not a results file (JSON nested too deeply)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
        raise ResultsError(f"{path}: not a Google Benchmark results file (no 'benchmarks' list)")
    m = Machine(os.path.basename(path), doc.get("context") or {})
    for b in doc["benchmarks"]:
        if not isinstance(b, dict) or b.get("run_type", "iteration") != "iteration":
            continue
        name = b.get("run_name") or b.get("name")
        if not isinstance(name, str):
            continue
        suite, words, params = parse_name(name)
        unit = _UNIT_MS.get(b.get("time_unit", "ns"), 1e-6)
        t = number(b.get("real_time"))
        counters = {k: number(v) for k, v in b.items()
                    if k not in _NOT_COUNTERS and number(v) is not None}
        m.records.append(Record(name, suite, words, params,
                                t * unit if t is not None else math.nan, counters,
                                b.get("label", ""),
                                b.get("error_message", "error") if b.get("error_occurred") else ""))
    return m


def load_many(paths, warn):
    """Every readable file; unreadable ones are reported through warn()."""
    machines = []
    for p in paths:
        try:
            machines.append(load(p))
        except ResultsError as e:
            warn(str(e))
    return machines


def merge_runs(machines):
    """Files of one machine and commit whose benchmarks differ (the GPU
    batch writes its attention and prefetch runs apart) -> one Machine, so
    the report gives one column and one set of sections to one machine.
    Files that share a benchmark stay apart: they are separate runs to
    compare, not parts of one."""
    out = []
    for m in machines:
        c = m.context
        key = tuple(c.get(k) for k in ("host_name", "cpu_model", "cores", "cuda_device",
                                       "git_commit"))
        # the peak loops measure the machine, and every run has them
        names = {r.name for r in m.records if r.suite not in ("peak", "cuda_peak")}
        for o in out:
            oc = o.context
            if key == tuple(oc.get(k) for k in ("host_name", "cpu_model", "cores",
                                                "cuda_device", "git_commit")) \
                    and not names & {r.name for r in o.records
                                     if r.suite not in ("peak", "cuda_peak")}:
                o.path += " + " + m.path
                o.records += m.records
                break
        else:
            out.append(Machine(m.path, m.context, list(m.records)))
    return out


def group(records, suite):
    """name -> list of successful records of that suite (the repetitions)."""
    out = {}
    for r in records:
        if r.suite == suite and not r.error:
            out.setdefault(r.name, []).append(r)
    return out


def errors(records):
    seen = {}
    for r in records:
        if r.error:
            seen.setdefault(r.name, r.error)
    return seen


def median_sd(values):
    v = [x for x in values if x is not None and math.isfinite(x)]
    if not v:
        return math.nan, math.nan
    return statistics.median(v), (statistics.stdev(v) if len(v) > 1 else 0.0)


def counter(reps, key):
    """Median of a counter over repetitions, or None if absent."""
    v = [r.counters[key] for r in reps if key in r.counters]
    return statistics.median(v) if v else None


def median_ci(values, level=0.95):
    """A distribution-free interval for the median (order statistics of the
    binomial): the widest ranks k, n+1-k with P(Bin(n, 1/2) < k) <= (1-level)/2.
    Below 6 values no such pair exists at 95%: min and max, which hold the
    median with probability 1 - 2^(1-n) only (75% with 3): say so where shown.
    (lo, hi), or (nan, nan) without values."""
    v = sorted(x for x in values if x is not None and math.isfinite(x))
    n = len(v)
    if not n:
        return math.nan, math.nan
    tail, k, cdf = (1 - level) / 2, 0, 0.0
    for j in range(n + 1):  # the largest k with P(X <= k-1) <= tail
        cdf += math.comb(n, j) / 2 ** n
        if cdf > tail:
            break
        k = j + 1
    if k < 1:
        return v[0], v[-1]
    return v[k - 1], v[n - k]


def counter_ci(reps, key, level=0.95):
    return median_ci([r.counters.get(key) for r in reps], level)
