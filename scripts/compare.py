#!/usr/bin/env python3
"""The regression gate: compare two da3bench results, benchmark by benchmark.

usage: compare.py BASE.json NEW.json [--threshold 5%] [--alpha 0.05]
                  [--filter REGEX] [--summary FILE] [--color auto|always|never]

Files from `da3bench --mode instructions` are compared on their
instruction counts instead: deterministic, so no statistics, a threshold
(default 1%) on the change, the same verdict table and exit codes.

Pairs benchmarks by name and compares their repetitions (real time per
iteration): the median change, the Mann-Whitney U test, a bootstrap 95%
confidence interval of the ratio of medians, and the minimum detectable
effect given the noise. Verdicts:
  slower           significant (p < alpha) and the interval reaches the
                   threshold: the data are consistent with a slowdown at
                   least that large. This fails the gate (exit 1).
  slower (< thr)   significant but the whole interval is below the threshold
  faster           significant speed-up
  unchanged        not significant, and the test could have seen the threshold
  too noisy        not significant, and the noise hides changes of the
                   threshold's size (minimum detectable effect > threshold)
  too few runs     fewer than 5 repetitions on a side: not judged
Added and removed benchmarks are listed, never failed. The markdown table
goes to stdout and, with --summary, is appended to FILE (for
$GITHUB_STEP_SUMMARY). On a terminal (and without NO_COLOR in the
environment) the verdicts are coloured: red slower, green faster, yellow
what cannot be judged, cyan unchanged; never in the --summary file or a pipe. `da3bench
compare` runs this script. Exit: 0 pass, 1 a significant slowdown beyond
the threshold, 2 unreadable input or bad flags.
"""

import argparse
import math
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from results import ResultsError, load  # noqa: E402
from stats import bootstrap_ratio, mann_whitney, mde  # noqa: E402

MIN_REPS = 5


def percent(text):
    t = text.strip().rstrip("%")
    try:
        v = float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a percentage such as 5%") from None
    if not 0 < v < 1000:
        raise argparse.ArgumentTypeError(f"'{text}' must be above 0%")
    return v / 100


def samples(machine, pattern, key=None):
    """name -> values: times in ms, or the `key` counter (instructions)."""
    out = {}
    for r in machine.records:
        if r.error or (pattern and not pattern.search(r.name)):
            continue
        v = r.counters.get(key) if key else r.time_ms
        if v is None or not math.isfinite(v):
            continue
        out.setdefault(r.name, []).append(v)
    return out


def counted(machine):
    """True for a --mode instructions run: every benchmark has a count."""
    return bool(machine.records) and all("instructions" in r.counters for r in machine.records
                                         if not r.error)


def judge_counts(base, new, threshold):
    """Instruction counts are deterministic: no test, the change itself."""
    b, n = statistics.median(base), statistics.median(new)
    change = n / b - 1 if b > 0 else math.nan
    verdict = ("slower" if change > threshold else "faster" if change < -threshold
               else "unchanged")
    return {"base": b, "new": n, "n": (len(base), len(new)), "change": change, "p": math.nan,
            "lo": math.nan, "hi": math.nan, "mde": 0.0, "verdict": verdict}


def judge(base, new, threshold, alpha):
    row = {"base": statistics.median(base), "new": statistics.median(new),
           "n": (len(base), len(new))}
    row["change"] = row["new"] / row["base"] - 1 if row["base"] > 0 else math.nan
    if len(base) < MIN_REPS or len(new) < MIN_REPS:
        row.update(p=math.nan, lo=math.nan, hi=math.nan, mde=math.nan,
                   verdict=f"too few runs (need {MIN_REPS})")
        return row
    row["p"] = mann_whitney(base, new)
    row["lo"], row["hi"] = bootstrap_ratio(base, new)
    row["mde"] = mde(base, new, alpha)
    if row["p"] < alpha:
        if row["change"] > 0:
            row["verdict"] = "slower" if row["hi"] - 1 >= threshold else f"slower (< {threshold:.0%})"
        else:
            row["verdict"] = "faster"
    else:
        row["verdict"] = "too noisy" if row["mde"] > threshold else "unchanged"
    return row


def fmt_ms(x):
    return f"{x:.4g}" if math.isfinite(x) else "—"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("--threshold", type=percent, default=None,
                    help="e.g. 5%% (default for times; 1%% for instruction counts)")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--filter", default="", help="only benchmarks whose name matches")
    ap.add_argument("--summary", help="append the markdown table to this file")
    ap.add_argument("--color", default="auto", choices=("auto", "always", "never"),
                    help="colour the verdicts: auto (a terminal without NO_COLOR), always, never")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    if not 0 < a.alpha < 1:
        print(f"compare.py: --alpha {a.alpha}: must be between 0 and 1", file=sys.stderr)
        return 2
    try:
        pattern = re.compile(a.filter) if a.filter else None
    except re.error as e:
        print(f"compare.py: --filter '{a.filter}': {e}", file=sys.stderr)
        return 2
    try:
        mb, mn = load(a.base), load(a.new)
    except ResultsError as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2
    counts = counted(mb) and counted(mn)
    if counted(mb) != counted(mn):
        print("compare.py: one file holds instruction counts (--mode instructions) and the other "
              "times: compare like with like", file=sys.stderr)
        return 2
    if a.threshold is None:
        a.threshold = 0.01 if counts else 0.05
    key = "instructions" if counts else None
    base, new = samples(mb, pattern, key), samples(mn, pattern, key)
    common = [n for n in base if n in new]
    if counts:
        head = [f"Gate on instruction counts (callgrind): threshold {a.threshold:.1%}; counts are "
                "deterministic, so any change beyond the threshold is a verdict.", "",
                "| benchmark | base instructions | new instructions | change | p | 95% CI of ratio | "
                "MDE | verdict |"]
    else:
        head = [f"Gate: threshold {a.threshold:.1%}, alpha {a.alpha}; a slowdown fails when it is "
                "significant and its 95% interval reaches the threshold.", "",
                "| benchmark | base ms | new ms | change | p | 95% CI of ratio | MDE | verdict |"]
    lines = head + ["|---|---|---|---|---|---|---|---|"]
    failed = 0
    for n in common:
        r = judge_counts(base[n], new[n], a.threshold) if counts else \
            judge(base[n], new[n], a.threshold, a.alpha)
        failed += r["verdict"] == "slower"
        ci = f"{r['lo']:.3f} – {r['hi']:.3f}" if math.isfinite(r["lo"]) else "—"
        fb, fn = (f"{r['base']:.0f}", f"{r['new']:.0f}") if counts else (fmt_ms(r["base"]), fmt_ms(r["new"]))
        lines.append(f"| `{n}` | {fb} | {fn} | {r['change']:+.2%} | "
                     f"{r['p']:.3g} | {ci} | {r['mde']:.1%} | "
                     f"{'**' + r['verdict'] + '**' if r['verdict'] == 'slower' else r['verdict']} |")
    added = [n for n in new if n not in base]
    removed = [n for n in base if n not in new]
    if added:
        lines += ["", "Added (not compared): " + ", ".join(f"`{n}`" for n in added)]
    if removed:
        lines += ["", "Removed (not compared): " + ", ".join(f"`{n}`" for n in removed)]
    lines += ["", f"**{failed} significant slowdown{'s' if failed != 1 else ''} beyond the threshold**"
              if failed else "No significant slowdown beyond the threshold."]
    text = "\n".join(lines)
    print(colorize(text) if use_color(a.color) else text)
    if a.summary:
        try:
            with open(a.summary, "a", encoding="utf-8") as f:
                f.write(text + "\n")
        except OSError as e:
            print(f"compare.py: --summary {a.summary}: {e.strerror}", file=sys.stderr)
            return 2
    return 1 if failed else 0


COLORS = {"slower": "31;1", "faster": "32", "unchanged": "36", "too noisy": "33",
          "too few runs": "33", "slower (< thr)": "33"}


def use_color(mode):
    if mode == "always":
        return True
    if mode == "never":
        return False
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def colorize(text):
    """The verdict cell of each row (the last one), in its colour."""
    out = []
    for line in text.split("\n"):
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) > 1:
            v = cells[-1].rstrip(" |").strip("*")
            for word, code in COLORS.items():
                if v.startswith(word) and (word != "slower" or v == "slower"):
                    cells[-1] = f"\033[{code}m{cells[-1].rstrip(' |')}\033[0m |"
                    break
            line = " | ".join(cells)
        elif line.startswith("**") and "slowdown" in line:
            line = f"\033[31;1m{line}\033[0m"
        out.append(line)
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
