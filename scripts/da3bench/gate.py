#!/usr/bin/env python3
"""The adaptive regression gate: base and head run in rounds until every verdict is settled.

usage: gate.py BASE_DA3BENCH HEAD_DA3BENCH [--mode interleaved|duet]
               [--budget 10m] [--threshold 5%] [--alpha 0.05] [--filter REGEX]
               [--reps 8] [--stat min|median] [--min-rounds 1]
               [--max-rounds 300] [--seed S]
               [--out DIR] [--summary FILE] [--inconclusive fail|pass]
               [-- da3bench arguments]

Each round runs both builds with the same arguments (plus --repetitions
REPS --benchmark_enable_random_interleaving=true --json ..., and --no-peak
where both builds know it: no FMA-peak measurement, times only), so each
benchmark's repetitions are spread over the whole process rather than run
back to back: interleaved, one after the other in a random order drawn
each round; duet, both at once, each pinned to its own core (taskset) - both
suffer the same interference (Bulej et al., "Duet benchmarking", ICPE 2020).
Each benchmark gives one paired value a round, the log of the ratio of the
two sides' fastest repetitions (--stat min, the default: measured on this
project's 2-core machines, interference comes in bursts of 1.4-1.9x that
last tens of milliseconds to seconds, and the fastest of 8 spread
repetitions cut the spread of that value up to 11x against the median
(flash N256), about 3x for blas, little for prefetch; reports/reference/README.md,
'The gate on the real kernels'), and is judged on the rounds' values by a
distribution-free interval of their centre at the corrected level
(scripts/da3bench/rounds.py says exactly how): regression when the interval is
above 0 and reaches the threshold, unchanged when it lies within
+-threshold (equivalence), else more rounds. Looks follow a geometric
schedule and every interval is at level 1 - alpha / (benchmarks x looks),
so the chance of any false verdict in the whole comparison is at most
alpha. A settled benchmark keeps its verdict and leaves the later rounds
(--benchmark_filter); the gate stops when all are settled, or when the
next round would overrun --budget or --max-rounds: what is unsettled then
is inconclusive.

Nothing compared is never a pass: a benchmark that errored, has no valid
time, or ran on one side only (removed by the head) ends the gate with
exit 3 and one line naming it; benchmarks the head adds are listed.

The verdict table goes to stdout (and --summary FILE); the rounds' JSON to
--out. Exit: 0 no regression, 1 regression, 2 bad input or a failed run,
3 inconclusive or nothing to compare (inconclusive passes with
--inconclusive pass). Same inputs and seed, same order of runs.
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


from . import rounds
from .args import appendable, duration, percent, split_at_dashes
from .results import ResultsError, load
from .tables import fmt_ms

MAX_ROUNDS = 300


def samples(path, pattern):
    """(name -> real times in ms of each repetition, name -> error) of one run."""
    times, errors = {}, {}
    for r in load(path).records:
        if pattern and not pattern.search(r.name):
            continue
        if r.error:
            errors.setdefault(r.name, r.error)
        elif not (r.time_ms > 0 and math.isfinite(r.time_ms)):
            errors.setdefault(r.name, f"no valid time ({r.time_ms})")
        else:
            times.setdefault(r.name, []).append(r.time_ms)
    for n in errors:
        times.pop(n, None)
    return times, errors


def only(names):
    """A --benchmark_filter that selects exactly these names."""
    return "--benchmark_filter=^(" + "|".join(re.sub(r"([][.*+?(){}|^$\\])", r"\\\1", n)
                                              for n in sorted(names)) + ")$"


def knows(binary, flag):
    """Whether BINARY's --help lists FLAG (an older base build may not)."""
    try:
        p = subprocess.run([binary, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return flag in p.stdout.split()


def command(binary, args, reps, json_path, cpu, names):
    cmd = [binary, *args, "--repetitions", str(reps), "--benchmark_enable_random_interleaving=true",
           "--json", json_path, "--quiet"]
    if names is not None:
        cmd.append(only(names))
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu), *cmd]
    return cmd


def run_round(a, k, rng, out, names):
    """One round; returns {side: (times, errors)}, or raises RuntimeError."""
    sides = ["base", "head"]
    rng.shuffle(sides)  # which goes first (interleaved) or gets which core (duet)
    bins = {"base": a.base, "head": a.head}
    paths = {s: os.path.join(out, f"{s}-{k}.json") for s in sides}
    pin = a.mode == "duet" and shutil.which("taskset") and (os.cpu_count() or 1) >= 2
    if a.mode == "duet":
        procs = {s: subprocess.Popen(command(bins[s], a.args, a.reps, paths[s],
                                             i if pin else None, names),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for i, s in enumerate(sides)}
        errs = {s: p.communicate()[1] for s, p in procs.items()}
        codes = {s: p.returncode for s, p in procs.items()}
    else:
        codes, errs = {}, {}
        for s in sides:
            p = subprocess.run(command(bins[s], a.args, a.reps, paths[s], None, names),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            codes[s], errs[s] = p.returncode, p.stderr
    got = {}
    for s in sides:
        # exit 1 is da3bench's "a benchmark failed": its JSON says which
        if codes[s] not in (0, 1) or not os.path.exists(paths[s]):
            raise RuntimeError(f"{bins[s]} exited {codes[s]}: {errs[s].strip()[-300:]}")
        got[s] = samples(paths[s], a.pattern)
    return got


def table(rows, a, level, looks, nrounds, elapsed, stopped, notes):
    lines = [f"Gate ({a.mode}): threshold {a.threshold:.1%}, alpha {a.alpha} for the whole "
             f"comparison; {nrounds} round{'s' if nrounds != 1 else ''} of {a.reps} repetitions "
             f"per side (their {'fastest' if a.stat == 'min' else 'median'}) in {elapsed:.0f} s ({stopped}); looks at rounds "
             f"{', '.join(map(str, looks))}, each interval at level 1 - {level:.2g} "
             f"(alpha / benchmarks x looks).", "",
             "| benchmark | base ms | head ms | change | interval of ratio | rounds | verdict |",
             "|---|---|---|---|---|---|---|"]
    for n, r in rows.items():
        ci = (f"{r['lo']:.3f} – {r['hi']:.3f}" if math.isfinite(r["lo"]) and
              math.isfinite(r["hi"]) and r["hi"] > 0 else "—")
        change = f"{r['change']:+.2%}" if math.isfinite(r["change"]) else "—"
        v = "**regression**" if r["verdict"] == "regression" else r["verdict"]
        lines.append(f"| `{n}` | {fmt_ms(r['base'])} | {fmt_ms(r['new'])} | {change} | {ci} | "
                     f"{r['rounds']} | {v}: {r['why']} |")
    return "\n".join(lines + [""] + notes if notes else lines)


def parser():
    """The flags of gate.py, also read by gate_bisect.py to check its gate flags."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base")
    ap.add_argument("head")
    ap.add_argument("--mode", choices=("interleaved", "duet"), default="interleaved")
    ap.add_argument("--budget", type=duration, default=600.0)
    ap.add_argument("--threshold", type=percent, default=0.05)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--filter", default="")
    ap.add_argument("--reps", type=int, default=8)
    ap.add_argument("--stat", choices=("min", "median"), default="min")
    ap.add_argument("--min-rounds", type=int, default=1)
    # a cap the budget reaches first on these machines (300 rounds of the
    # perf.yml command take 16 minutes idle): what stops an unsettled gate
    # is --budget, not the round count (100 had been reached idle in 319 s
    # once --no-peak made rounds cheaper, leaving half the budget unspent)
    ap.add_argument("--max-rounds", type=int, default=MAX_ROUNDS)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--summary")
    ap.add_argument("--inconclusive", choices=("fail", "pass"), default="fail")
    return ap


def check(a):
    if not 0 < a.alpha < 1 or a.reps < 1 or not 1 <= a.min_rounds <= a.max_rounds \
            or a.budget <= 0:
        return "need 0 < --alpha < 1, --reps >= 1, 1 <= --min-rounds <= --max-rounds, --budget > 0"
    return None


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    argv, rest = split_at_dashes(argv)
    ap = parser()
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    a.args = rest
    for b in (a.base, a.head):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            print(f"gate.py: {b}: not an executable", file=sys.stderr)
            return 2
    bad = check(a)
    if bad:
        print(f"gate.py: {bad}", file=sys.stderr)
        return 2
    # The rounds compare times: the FMA-peak measurements (about a quarter
    # of a quick process's time, for pct_peak) are skipped where both
    # builds know --no-peak, so more rounds fit in the budget.
    if "--no-peak" not in a.args and all(knows(b, "--no-peak") for b in (a.base, a.head)):
        a.args = [*a.args, "--no-peak"]
    try:
        a.pattern = re.compile(a.filter) if a.filter else None
    except re.error as e:
        print(f"gate.py: --filter '{a.filter}': {e}", file=sys.stderr)
        return 2
    if a.summary:  # refused before the rounds, not after ten minutes of them
        bad = appendable(a.summary, "--summary")
        if bad:
            print(f"gate.py: {bad}", file=sys.stderr)
            return 2
    out = a.out or tempfile.mkdtemp(prefix="da3gate-")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        print(f"gate.py: --out {out}: {e.strerror}", file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    t0, k, nrounds, stopped = time.monotonic(), 0, 0, "max rounds"
    base, head, d, rows = {}, {}, {}, {}
    names, looks, level, added, last = None, [], math.nan, [], 0.0
    while k < a.max_rounds:
        k += 1
        started = time.monotonic()
        if started - t0 + last > a.budget:  # the next round as long as the last one
            stopped = "time budget"
            break
        try:
            got = run_round(a, k, rng, out, names)
        except (RuntimeError, OSError, ValueError, ResultsError) as e:
            print(f"gate.py: round {k}: {e}", file=sys.stderr)
            return 2
        nrounds, last = k, time.monotonic() - started
        (bt, be), (ht, he) = got["base"], got["head"]
        broken = {**{n: f"base: {e}" for n, e in be.items()},
                  **{n: f"head: {e}" for n, e in he.items()}}
        if names is None:  # the first round fixes what is compared
            gone = [n for n in bt if n not in ht and n not in he]
            added = [n for n in ht if n not in bt and n not in be]
            broken.update({n: "removed: runs on the base only" for n in gone})
            names = {n for n in bt if n in ht}
            if not names and not broken:
                print("gate.py: nothing to compare: no benchmark ran on both sides "
                      "(check the arguments and --filter)", file=sys.stderr)
                return 3
            looks, level = rounds.plan(a.alpha, len(names) + len(broken), a.min_rounds,
                                       a.max_rounds)
            if not looks:
                print(f"gate.py: --max-rounds {a.max_rounds} is too few: at alpha {a.alpha} over "
                      f"{len(names)} benchmarks the first look needs "
                      f"{rounds.min_rounds_for(level)} rounds", file=sys.stderr)
                return 2
        else:
            broken.update({n: "vanished from a later round" for n in names
                           if n not in broken and (n not in bt or n not in ht)})
        if broken:
            for n, why in sorted(broken.items()):
                print(f"gate.py: {n}: {why}", file=sys.stderr)
            print(f"gate.py: nothing compared is not a pass: {len(broken)} benchmark"
                  f"{'s' if len(broken) != 1 else ''} errored, had no valid time or ran on one "
                  "side only (round " f"{k})", file=sys.stderr)
            return 3
        for n in names:
            base.setdefault(n, []).extend(bt[n])
            head.setdefault(n, []).extend(ht[n])
            d.setdefault(n, []).append(rounds.log_ratio(bt[n], ht[n], a.stat))
        if k not in looks:
            continue
        for n in sorted(names):
            r = rounds.decide(d[n], a.threshold, level)
            if r["verdict"] != "inconclusive":
                rows[n] = r
        names = {n for n in names if n not in rows}
        if not names:
            stopped = "settled"
            break
    for n in sorted(names or ()):  # unsettled: judged on what ran, stays inconclusive
        r = rounds.decide(d[n], a.threshold, level)
        r["verdict"], r["why"] = "inconclusive", r["why"] if r["verdict"] == "inconclusive" else \
            "settled only between looks"
        need = rounds.rounds_to_settle(d[n], a.threshold, level)
        if need is not None and r["why"] != "settled only between looks":
            # what a larger --budget would buy, at the pace of the last round
            r["why"] += (f"; at this noise about {need} rounds would settle it "
                         f"(~{math.ceil((need - len(d[n])) * last / 60)} min more)")
        rows[n] = r
    for n, r in rows.items():
        r["base"], r["new"] = (rounds.statistics.median(base[n]),
                               rounds.statistics.median(head[n]))
    rows = dict(sorted(rows.items()))
    notes = ["Added by the head (not compared): " + ", ".join(f"`{n}`" for n in added)] \
        if added else []
    text = table(rows, a, level, looks, nrounds, time.monotonic() - t0, stopped, notes)
    print(text)
    vs = [r["verdict"] for r in rows.values()]
    if a.summary:
        try:
            with open(a.summary, "a", encoding="utf-8") as f:
                f.write(text + "\n")
        except OSError as e:
            # the verdict is on stdout; a regression still fails with 1
            print(f"gate.py: --summary {a.summary}: {e.strerror}", file=sys.stderr)
            return 1 if "regression" in vs else 2
    if "regression" in vs:
        return 1
    return 3 if "inconclusive" in vs and a.inconclusive == "fail" else 0
