#!/usr/bin/env python3
"""The regression gate: compare two da3bench results, benchmark by benchmark.

usage: compare.py BASE.json NEW.json [--threshold 5%] [--alpha 0.05]
                  [--filter REGEX] [--summary FILE] [--color auto|always|never]

Files from `da3bench --mode instructions` are compared on their
instruction counts instead: deterministic, so no statistics, a threshold
(default 1%) on the change, the same verdict table and exit codes.

Pairs benchmarks by name and compares their repetitions (real time per
iteration): the median change, the Mann-Whitney U test, Holm's correction
across every benchmark compared, a bootstrap 95% confidence interval of the
ratio of medians (fixed seed: the same inputs give byte-identical output),
the minimum detectable effect given the noise, and the change in spread.
Verdicts (scripts/da3bench/verdict.py says exactly when):
  regression     significant after the correction, and the interval
                 reaches the threshold (fails the gate: exit 1)
  improvement    the same, faster
  unchanged      no change the test could have missed, or a significant one
                 smaller than the threshold
  inconclusive   the data cannot tell a threshold-sized change from none
                 (too few repetitions, or too much noise): exit 3 unless
                 --inconclusive pass; it never reads as a pass by itself
Nothing compared is never a pass: when the files share no benchmark, when
a benchmark errored or has no valid time (NaN, infinite) on a side, or when
one in the base is missing from the new file (removed, or filtered out on
one side only), the table says so and the exit status is 3, with one line
on stderr per cause. Benchmarks only the new file has are listed as added. The markdown table
goes to stdout and, with --summary, is appended to FILE (for
$GITHUB_STEP_SUMMARY). On a terminal (and without NO_COLOR in the
environment) the verdicts are coloured: red regression, green improvement,
yellow inconclusive, cyan unchanged; never in the --summary file or a pipe.
`da3bench compare` runs this script. Exit: 0 no regression, 1 a regression,
2 unreadable input or bad flags, 3 inconclusive (with --inconclusive fail,
the default) or nothing (or not everything) compared.
"""

import argparse
import math
import os
import re
import sys


from .args import appendable, percent
from .results import ResultsError, load
from .tables import fmt_ms
from .verdict import exit_code, judge_all, judge_counts


def samples(machine, pattern, key=None):
    """name -> values: times in ms, or the `key` counter (instructions);
    name -> why, for the benchmarks with an error or a value that is not a
    finite positive number on any repetition (left out of the first)."""
    out, broken = {}, {}
    for r in machine.records:
        if pattern and not pattern.search(r.name):
            continue
        v = r.counters.get(key) if key else r.time_ms
        if r.error:
            broken.setdefault(r.name, f"errored: {r.error}")
        elif v is None or not math.isfinite(v) or v <= 0:
            broken.setdefault(r.name, f"no valid {key or 'time'} ({v})")
        else:
            out.setdefault(r.name, []).append(v)
    for n in broken:
        out.pop(n, None)
    return out, broken


def counted(machine):
    """True for a --mode instructions run: every benchmark has a count."""
    ok = [r for r in machine.records if not r.error]
    return bool(ok) and all("instructions" in r.counters for r in ok)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("--threshold", type=percent, default=None,
                    help="e.g. 5%% (default for times; 1%% for instruction counts)")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--filter", default="", help="only benchmarks whose name matches")
    ap.add_argument("--summary", help="append the markdown table to this file")
    ap.add_argument("--inconclusive", default="fail", choices=("fail", "pass"),
                    help="exit 3 (fail, the default) or 0 (pass) when a verdict is inconclusive")
    ap.add_argument("--color", default="auto", choices=("auto", "always", "never"),
                    help="colour the verdicts: auto (a terminal without NO_COLOR), always, never")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    if not 0 < a.alpha < 1:
        print(f"compare.py: --alpha {a.alpha}: must be between 0 and 1", file=sys.stderr)
        return 2
    if a.summary:
        bad = appendable(a.summary, "--summary")
        if bad:
            print(f"compare.py: {bad}", file=sys.stderr)
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
    for path, m in ((a.base, mb), (a.new, mn)):
        if m.records and all(r.error for r in m.records):
            print(f"compare.py: {path}: every benchmark errored ({len(m.records)} runs): "
                  "nothing to compare", file=sys.stderr)
            return 3
    counts = counted(mb) and counted(mn)
    if counted(mb) != counted(mn):
        print("compare.py: one file holds instruction counts (--mode instructions) and the other "
              "times: compare like with like", file=sys.stderr)
        return 2
    if a.threshold is None:
        a.threshold = 0.01 if counts else 0.05
    key = "instructions" if counts else None
    (base, bbroken), (new, nbroken) = samples(mb, pattern, key), samples(mn, pattern, key)
    common = [n for n in base if n in new]
    refused = {**{n: f"base {why}" for n, why in bbroken.items()},
               **{n: f"new {why}" for n, why in nbroken.items()}}
    refused.update({n: "removed: in the base only" for n in base
                    if n not in new and n not in nbroken})
    if not common and not refused:
        print(f"compare.py: nothing to compare: {a.base} and {a.new} share no benchmark with a "
              "valid result" + (" (after --filter)" if pattern else ""), file=sys.stderr)
        return 3
    if counts:
        head = [f"Gate on instruction counts (callgrind): threshold {a.threshold:.1%}; counts are "
                "deterministic, so any change beyond the threshold is a verdict.", "",
                "| benchmark | base instructions | new instructions | change | verdict |",
                "|---|---|---|---|---|"]
        rows = {n: judge_counts(base[n], new[n], a.threshold) for n in common}
    else:
        head = [f"Gate: threshold {a.threshold:.1%}, alpha {a.alpha} for the whole comparison "
                f"(Holm's correction over {len(common)} benchmark{'s' if len(common) != 1 else ''})"
                "; a regression is significant and its 95% interval reaches the threshold.", "",
                "| benchmark | base ms | new ms | change | 95% CI of ratio | p (Holm) | MDE | "
                "spread ratio | verdict |",
                "|---|---|---|---|---|---|---|---|---|"]
        rows = judge_all({n: (base[n], new[n]) for n in common}, a.threshold, a.alpha)
    lines = list(head)
    failed = 0
    for n in common:
        r = rows[n]
        failed += r["verdict"] == "regression"
        v = "**regression**" if r["verdict"] == "regression" else r["verdict"]
        if counts:
            lines.append(f"| `{n}` | {r['base']:.0f} | {r['new']:.0f} | {r['change']:+.2%} | {v} |")
            continue
        ci = f"{r['lo']:.3f} – {r['hi']:.3f}" if math.isfinite(r["lo"]) else "—"
        sp, slo, shi = r["spread"]
        spread = (f"{sp:.2f} ({slo:.2f} – {shi:.2f}){' changed' if shi < 1 or slo > 1 else ''}"
                  if math.isfinite(slo) else "—")
        p = f"{r['p']:.3g} ({r['p_adj']:.3g})" if math.isfinite(r["p"]) else "—"
        mdes = f"{r['mde']:.1%}" if math.isfinite(r["mde"]) else "—"
        lines.append(f"| `{n}` | {fmt_ms(r['base'])} | {fmt_ms(r['new'])} | {r['change']:+.2%} | "
                     f"{ci} | {p} | {mdes} | {spread} | {v}: {r['why']} |")
    added = [n for n in new if n not in base and n not in bbroken]
    if added:
        lines += ["", "Added (not compared): " + ", ".join(f"`{n}`" for n in added)]
    if refused:
        lines += ["", "Not compared, so not a pass:"] + [f"- `{n}`: {why}"
                                                         for n, why in sorted(refused.items())]
    n_inc = sum(r["verdict"] == "inconclusive" for r in rows.values())
    lines += ["", f"**{failed} regression{'s' if failed != 1 else ''}**" if failed else
              f"**{len(refused)} benchmark{'s' if len(refused) != 1 else ''} not compared.**"
              if refused else
              "No regression." + (f" {n_inc} inconclusive: the data cannot tell a "
                                  f"{a.threshold:.0%} change from none." if n_inc else "")]
    text = "\n".join(lines)
    print(colorize(text) if use_color(a.color) else text)
    for n, why in sorted(refused.items()):
        print(f"compare.py: {n}: {why}", file=sys.stderr)
    code = exit_code(rows, a.inconclusive == "fail")
    code = 3 if refused and code == 0 else code
    if a.summary:
        try:
            with open(a.summary, "a", encoding="utf-8") as f:
                f.write(text + "\n")
        except OSError as e:
            # the verdict is on stdout; a regression still fails with 1
            print(f"compare.py: --summary {a.summary}: {e.strerror}", file=sys.stderr)
            return 1 if code == 1 else 2
    return code


COLORS = {"regression": "31;1", "improvement": "32", "unchanged": "36", "inconclusive": "33"}


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
                if v.startswith(word) or v.startswith(f"**{word}"):
                    cells[-1] = f"\033[{code}m{cells[-1].rstrip(' |')}\033[0m |"
                    break
            line = " | ".join(cells)
        elif line.startswith("**") and "regression" in line:
            line = f"\033[31;1m{line}\033[0m"
        out.append(line)
    return "\n".join(out)
