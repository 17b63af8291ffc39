"""How noisy the gate's round value is, per choice of repetitions: the
measurement behind gate.py's --reps (calibrate_gate.py --spread).

A round gives each benchmark d = log(fastest head / fastest base), the
fastest over each side's repetitions (in one process, or in several: a
choice '2x4' is the fastest over 2 processes of 4 repetitions). With
the same binary on both sides, the two processes of a round are
independent draws, so the spread of d is sqrt(2) times the spread of
log(fastest) over separate processes: this runs --processes processes of
the gate's own command for each repetition count (the counts take turns,
so slow drift or a neighbour hits each alike) and prints, per benchmark,
that SD of d (and a robust one, 1.4826 x MAD, which is what a rank-based
interval feels), the median wall time of a side, and the cost of
settling: the gate needs about (z SD / threshold)^2 rounds for an
equivalence verdict, each round two processes, so SD^2 x 2 x time ranks
the choices (lower is better), whatever z and the threshold are.
"""

import math
import os
import statistics
import subprocess
import sys
import time

from . import gate


def one(exe, args, reps, path):
    """(name -> log of the fastest repetition, wall seconds) of one process."""
    cmd = gate.command(exe, args, reps, path, None, None)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t0
    if p.returncode not in (0, 1) or not os.path.exists(path):
        raise RuntimeError(f"{exe} exited {p.returncode}: {p.stderr.strip()[-300:]}")
    times, errors = gate.samples(path, None)
    if errors:  # a benchmark that failed has no spread: stop, never drop its row
        n, why = sorted(errors.items())[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise RuntimeError(f"{n} failed: {why}{more}")
    if not times:
        raise RuntimeError(f"{exe} ran no benchmark")
    return {n: math.log(min(v)) for n, v in times.items()}, wall


def sd_of_d(xs):
    """(SD, robust SD) of d = x_head - x_base for independent x."""
    m = statistics.median(xs)
    mad = statistics.median(abs(x - m) for x in xs)
    return math.sqrt(2) * statistics.stdev(xs), math.sqrt(2) * 1.4826 * mad


def parse(choice):
    """'8' (one process of 8 repetitions) or '2x4' (the fastest over 2
    processes of 4): (processes, repetitions), or None."""
    p, _, r = choice.rpartition("x")
    try:
        p, r = int(p or 1), int(r)
    except ValueError:
        return None
    return (p, r) if p >= 1 and r >= 1 else None


def run(exe, bench, reps_list, processes, tmp, out=sys.stdout):
    """reps_list: choices as parse() reads them; processes: the round values
    measured per choice."""
    args = [*bench, "--no-peak"] if gate.knows(exe, "--no-peak") else list(bench)
    logs = {r: {} for r in reps_list}
    walls = {r: [] for r in reps_list}
    for k in range(processes):
        for r in reps_list:
            nproc, reps = parse(r)
            best, wall = {}, 0.0
            for j in range(nproc):
                got, w = one(exe, args, reps, os.path.join(tmp, f"spread-{r}-{k}-{j}.json"))
                wall += w
                for n, x in got.items():
                    best[n] = min(best.get(n, x), x)
            walls[r].append(wall)
            for n, x in best.items():
                logs[r].setdefault(n, []).append(x)
    names = sorted({n for r in reps_list for n in logs[r]})
    print(f"The spread of the gate's round value d over {processes} rounds per choice "
          f"(`{' '.join(args)}`, repetitions spread by random interleaving, the fastest "
          "kept): SD of d, robust SD (1.4826 MAD) in brackets; cost = SD^2 x 2 x a side's "
          "time, relative to the cheapest choice (the rounds to settle a benchmark grow "
          "as SD^2).", file=out)
    print("", file=out)
    print("| benchmark | " + " | ".join(
        f"{parse(r)[0]} processes x {parse(r)[1]} reps" if parse(r)[0] > 1 else f"reps {r}"
        for r in reps_list) + " |", file=out)
    print("|---|" + "---|" * len(reps_list), file=out)
    worst = {r: 0.0 for r in reps_list}
    for n in names:
        cells = []
        for r in reps_list:
            xs = logs[r].get(n, [])
            if len(xs) < 3:
                cells.append("—")
                continue
            sd, rob = sd_of_d(xs)
            worst[r] = max(worst[r], sd)
            cells.append(f"{sd:.1%} [{rob:.1%}]")
        print(f"| `{n}` | " + " | ".join(cells) + " |", file=out)
    wall = {r: statistics.median(walls[r]) for r in reps_list}
    print("| wall time of a side (median) | " + " | ".join(f"{wall[r]:.2f} s"
                                                       for r in reps_list) + " |", file=out)
    cost = {r: worst[r] ** 2 * 2 * wall[r] for r in reps_list}
    best = min((c for c in cost.values() if c > 0), default=0)
    print("| cost of the noisiest benchmark | " + " | ".join(
        f"{cost[r] / best:.2f}x" if best else "—" for r in reps_list) + " |", file=out)
    return 0
