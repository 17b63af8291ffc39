#!/usr/bin/env python3
"""The adaptive regression gate: base and head run in rounds until the verdict is settled.

usage: gate.py BASE_DA3BENCH HEAD_DA3BENCH [--mode interleaved|duet]
               [--budget 10m] [--threshold 5%] [--alpha 0.05] [--filter REGEX]
               [--reps 2] [--min-rounds 3] [--max-rounds 12] [--seed S]
               [--out DIR] [--summary FILE] [--inconclusive fail|pass]
               [-- da3bench arguments]

Each round runs both builds with the same arguments (plus --repetitions
REPS --json ...): interleaved, one after the other in a random order drawn
each round; duet, both at once, each pinned to its own core (taskset), their
repetitions paired by index - both suffer the same interference, and the
test is on the paired ratios (Bulej et al., "Duet benchmarking", ICPE 2020).
After each round from --min-rounds on, every benchmark is judged
(scripts/verdict.py: Mann-Whitney, or Wilcoxon signed-rank on the pairs;
Holm across benchmarks) and the gate stops as soon as none is
inconclusive, or when the next round would overrun --budget or exceed
--max-rounds: what is still unsettled is then inconclusive.

Repeated looks would inflate the false-alarm rate if each used alpha. The
sequential method here is Bonferroni alpha-spending over the K possible
looks (K = max-rounds - min-rounds + 1): each look tests at alpha / K, so
the probability of a false regression at any look is at most alpha by the
union bound, whatever the dependence between looks. It is conservative (a
Pocock or O'Brien-Fleming boundary spends alpha more efficiently); stopping
early for a settled 'unchanged' never adds false alarms.

The verdict table goes to stdout (and --summary FILE); the rounds' JSON to
--out. Exit: 0 no regression, 1 regression, 2 bad input or a failed run,
3 inconclusive (unless --inconclusive pass). Same inputs and seed, same
order of runs.
"""

import argparse
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from compare import fmt_ms, percent  # noqa: E402
from results import ResultsError, load  # noqa: E402
from verdict import exit_code, judge_all, judge_all_paired  # noqa: E402


def duration(text):
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not a duration such as 90s, 10m or 1h")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]


def samples(path, pattern):
    """name -> real times in ms of each repetition, in order (results.py's reader)."""
    out = {}
    for r in load(path).records:
        if not r.error and not (pattern and not pattern.search(r.name)):
            out.setdefault(r.name, []).append(r.time_ms)
    return out


def command(binary, args, reps, json_path, cpu):
    cmd = [binary, *args, "--repetitions", str(reps), "--json", json_path, "--quiet"]
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu), *cmd]
    return cmd


def run_round(a, k, rng, out):
    """One round; returns {side: {name: [ms...]}}, or raises RuntimeError."""
    sides = ["base", "head"]
    rng.shuffle(sides)  # which goes first (interleaved) or gets which core (duet)
    bins = {"base": a.base, "head": a.head}
    paths = {s: os.path.join(out, f"{s}-{k}.json") for s in sides}
    pin = a.mode == "duet" and shutil.which("taskset") and (os.cpu_count() or 1) >= 2
    if a.mode == "duet":
        procs = {s: subprocess.Popen(command(bins[s], a.args, a.reps, paths[s], i if pin else None),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for i, s in enumerate(sides)}
        errs = {s: p.communicate()[1] for s, p in procs.items()}
        codes = {s: p.returncode for s, p in procs.items()}
    else:
        codes, errs = {}, {}
        for s in sides:
            p = subprocess.run(command(bins[s], a.args, a.reps, paths[s], None),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            codes[s], errs[s] = p.returncode, p.stderr
    for s in sides:
        if codes[s] != 0:
            raise RuntimeError(f"{bins[s]} exited {codes[s]}: {errs[s].strip()[-300:]}")
    return {s: samples(paths[s], a.pattern) for s in sides}


def table(rows, a, looks, rounds, elapsed, stopped):
    head = [f"Gate ({a.mode}): threshold {a.threshold:.1%}, alpha {a.alpha} for the whole "
            f"comparison; {rounds} round{'s' if rounds != 1 else ''} of {a.reps} repetitions per "
            f"side in {elapsed:.0f} s ({stopped}); each look at alpha/{looks} "
            "(Bonferroni alpha-spending), Holm across benchmarks.", "",
            "| benchmark | base ms | head ms | change | 95% CI of ratio | p (Holm) | MDE | "
            "verdict |", "|---|---|---|---|---|---|---|---|"]
    lines = list(head)
    for n, r in rows.items():
        ci = f"{r['lo']:.3f} – {r['hi']:.3f}" if math.isfinite(r["lo"]) else "—"
        p = f"{r['p']:.3g} ({r['p_adj']:.3g})" if math.isfinite(r["p"]) else "—"
        mde = f"{r['mde']:.1%}" if math.isfinite(r["mde"]) else "—"
        change = f"{r['change']:+.2%}" if math.isfinite(r["change"]) else "—"
        v = "**regression**" if r["verdict"] == "regression" else r["verdict"]
        lines.append(f"| `{n}` | {fmt_ms(r['base'])} | {fmt_ms(r['new'])} | {change} | {ci} | "
                     f"{p} | {mde} | {v}: {r['why']} |")
    return "\n".join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    rest = []
    if "--" in argv:
        i = argv.index("--")
        argv, rest = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base")
    ap.add_argument("head")
    ap.add_argument("--mode", choices=("interleaved", "duet"), default="interleaved")
    ap.add_argument("--budget", type=duration, default=600.0)
    ap.add_argument("--threshold", type=percent, default=0.05)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--filter", default="")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--min-rounds", type=int, default=3)
    ap.add_argument("--max-rounds", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--summary")
    ap.add_argument("--inconclusive", choices=("fail", "pass"), default="fail")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    a.args = rest
    for b in (a.base, a.head):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            print(f"gate.py: {b}: not an executable", file=sys.stderr)
            return 2
    if not 0 < a.alpha < 1 or a.reps < 1 or not 1 <= a.min_rounds <= a.max_rounds \
            or a.budget <= 0:
        print("gate.py: need 0 < --alpha < 1, --reps >= 1, 1 <= --min-rounds <= --max-rounds, "
              "--budget > 0", file=sys.stderr)
        return 2
    try:
        a.pattern = re.compile(a.filter) if a.filter else None
    except re.error as e:
        print(f"gate.py: --filter '{a.filter}': {e}", file=sys.stderr)
        return 2
    out = a.out or tempfile.mkdtemp(prefix="da3gate-")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(a.seed)
    looks = a.max_rounds - a.min_rounds + 1
    level = a.alpha / looks
    base, head = {}, {}
    rows, t0, rounds, stopped = {}, time.monotonic(), 0, "max rounds"
    for k in range(1, a.max_rounds + 1):
        elapsed = time.monotonic() - t0
        if k > 1 and elapsed + elapsed / (k - 1) > a.budget:
            stopped = "time budget"
            break
        try:
            got = run_round(a, k, rng, out)
        except (RuntimeError, OSError, ValueError, ResultsError) as e:
            print(f"gate.py: round {k}: {e}", file=sys.stderr)
            return 2
        rounds = k
        for name, v in got["base"].items():
            base.setdefault(name, []).extend(v)
        for name, v in got["head"].items():
            head.setdefault(name, []).extend(v)
        if k < a.min_rounds:
            continue
        common = [n for n in base if n in head]
        judge = judge_all_paired if a.mode == "duet" else judge_all
        rows = judge({n: (base[n], head[n]) for n in common}, a.threshold, level)
        if rows and all(r["verdict"] != "inconclusive" for r in rows.values()):
            stopped = "settled"
            break
    common = [n for n in base if n in head]
    if not rows and common:  # stopped by the budget before --min-rounds: judge what ran
        judge = judge_all_paired if a.mode == "duet" else judge_all
        rows = judge({n: (base[n], head[n]) for n in common}, a.threshold, level)
    if not rows:
        print("gate.py: no benchmark ran on both sides", file=sys.stderr)
        return 2
    text = table(rows, a, looks, rounds, time.monotonic() - t0, stopped)
    print(text)
    if a.summary:
        with open(a.summary, "a", encoding="utf-8") as f:
            f.write(text + "\n")
    return exit_code(rows, a.inconclusive == "fail")


if __name__ == "__main__":
    sys.exit(main())
