#!/usr/bin/env python3
"""Calibrate the regression gate on this machine: A/A and known slowdowns.

usage: calibrate_gate.py DA3BENCH [--suite calib|real] [--modes interleaved]
                         [--aa N] [--ab N] [--slowdowns 1.02,1.05]
                         [--threshold 5%] [--alpha 0.01] [--budget 10m]
                         [--neighbour 25] [--log FILE] [--stop-after 2h]
                         [--first-seed N] [-- gate.py flags]
       calibrate_gate.py BIN [--suite calib|real] --spread REPS,... [--processes 20]
                         [--neighbour 25]
       calibrate_gate.py --tabulate LOG [LOG...]

--suite calib (the synthetic suite: `calib --work W`; the head does a
factor more work under the same name) or real: the command of
.github/workflows/perf.yml (`attention prefetch --preset quick --impl
flash --io-ms 20`, threshold 5%, alpha 0.01, a 10-minute budget), the head the same binary with
--inject-slowdown (attention/flash made that much slower inside its timed
region, a test knob recorded in the JSON context).

Runs scripts/gate.py --aa times with the same binary on both sides (any
regression or improvement is a false verdict) and --ab times per slowdown,
and prints per mode and kind: comparisons, false verdicts, caught (the
gate failed with a regression on every slowed benchmark and on no other),
inconclusive, unchanged, and the median and longest wall time.
--neighbour P runs, the whole time, a process busy P% of one core (a
shared runner's light neighbour). Each comparison's outcome is appended to
--log as one JSON line as soon as it ends, so an interrupted calibration
keeps what it measured; the kinds take turns, and --stop-after starts no
comparison after that much time (the table then says so); --first-seed
continues a calibration in another sitting with fresh seeds, and
--tabulate prints the table of the comparisons in --log files, sittings
together. --spread 4,8,16 measures instead how noisy a round's value is
with each repetition count (scripts/da3bench/spread.py): the measurement
behind gate.py's --reps. Extra gate.py flags can follow `--`. The same command reproduces the tables of reports/reference/README.md.
"""

import argparse
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from . import spread
from .args import duration, percent, split_at_dashes

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the entry points
PERF_YML = ["attention", "prefetch", "--preset", "quick", "--impl", "flash", "--io-ms", "20"]


def neighbour(pct):
    """Busy pct% of one core: 10 ms periods, busy for pct% of each."""
    busy, period = pct / 100 * 0.01, 0.01
    while True:
        t = time.monotonic()
        while time.monotonic() - t < busy:
            pass
        time.sleep(max(0.0, period - (time.monotonic() - t)))


def verdicts(out):
    got = {}
    for line in out.splitlines():
        if line.startswith("| `"):
            cells = line.split(" | ")
            got[cells[0][3:-1]] = cells[-1].split(":")[0].strip("*")
    return got


def intervals(out):
    """benchmark -> [lo, hi] of the ratio's interval as the gate printed it,
    or None where it printed none: how far inside (or outside) the +-threshold
    band a verdict was decided, which a verdict word alone does not say."""
    got = {}
    for line in out.splitlines():
        if line.startswith("| `"):
            cells = line.split(" | ")
            m = re.fullmatch(r"([0-9.]+) – ([0-9.]+)", cells[4].strip()) if len(cells) > 4 \
                else None
            got[cells[0][3:-1]] = [float(m.group(1)), float(m.group(2))] if m else None
    return got


def wrapper(tmp, exe, flag, f):
    h = os.path.join(tmp, f"head-{f}.sh")
    with open(h, "w") as fh:
        fh.write(f"#!/bin/sh\nexec '{exe}' \"$@\" {flag} {f}\n")
    os.chmod(h, 0o755)
    return h


HEAD = ("| mode | kind | comparisons | false verdict | caught | inconclusive | unchanged | "
        "median wall time | longest |\n|---|---|---|---|---|---|---|---|---|")


def table_row(mode, kind, tally, times, slowed):
    return (f"| {mode} | {kind} | {len(times)} | {tally['false']} | "
            f"{tally['caught'] if slowed else '—'} | {tally['inconclusive']} | "
            f"{tally['unchanged']} | {statistics.median(times):.0f} s | {max(times):.0f} s |")


def tabulate(paths):
    """The table of the comparisons in --log files, in the order first met."""
    rows = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                lines = [json.loads(line) for line in f if line.strip()]
        except (OSError, ValueError) as e:
            print(f"calibrate_gate.py: --tabulate {path}: {e}", file=sys.stderr)
            return 2
        for k, d in enumerate(lines, 1):
            try:
                tally, times = rows.setdefault(
                    (d["mode"], d["kind"], d.get("neighbour_pct", 0)),
                    ({"false": 0, "caught": 0, "inconclusive": 0, "unchanged": 0}, []))
                tally[d["outcome"]] += 1
                times.append(float(d["wall_s"]))
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                print(f"calibrate_gate.py: --tabulate {path}: comparison {k} is not one "
                      f"(missing or bad {e})", file=sys.stderr)
                return 2
    if not rows:
        print("calibrate_gate.py: --tabulate: no comparisons in " + ", ".join(paths),
              file=sys.stderr)
        return 2
    print(HEAD)
    for (mode, kind, nb), (tally, times) in rows.items():
        print(table_row(mode, kind + (f", neighbour {nb:g}%" if nb else ""), tally, times,
                        kind.startswith("A/B")))
    return 0


def bad_slowdowns(slow, real):
    """Why the --slowdowns list cannot be used, or None: percentages above 0
    on the real suite, factors above 1 on calib."""
    for f in slow:
        try:
            v = float(f.strip().rstrip("%") if real else f)
        except ValueError:
            v = None
        if v is None or v != v or (real and not 0 < v < 1000) or (not real and not 1 < v < 10):
            return (f"'{f}' is not " + ("a percentage above 0 such as 5%" if real
                                        else "a factor above 1 such as 1.05"))
    return None


def main():
    argv = sys.argv[1:]
    if argv[:1] == ["--tabulate"]:
        if not argv[1:]:
            print("calibrate_gate.py: --tabulate: name one or more --log files", file=sys.stderr)
            return 2
        return tabulate(argv[1:])
    argv, extra = split_at_dashes(argv)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("da3bench")
    ap.add_argument("--suite", choices=("calib", "real"), default="calib")
    ap.add_argument("--modes", default="interleaved")
    ap.add_argument("--aa", type=int, default=100)
    ap.add_argument("--ab", type=int, default=50)
    ap.add_argument("--slowdowns", default=None,
                    help="factors (calib, default 1.02,1.05) or percentages (real, default 5%%)")
    ap.add_argument("--work", type=int, default=200)
    ap.add_argument("--threshold", default=None)
    ap.add_argument("--alpha", default=None)
    ap.add_argument("--budget", default="10m")
    ap.add_argument("--neighbour", type=float, default=0.0, metavar="PCT")
    ap.add_argument("--log")
    ap.add_argument("--stop-after", type=duration, default=0.0, metavar="DURATION")
    ap.add_argument("--first-seed", type=int, default=1, metavar="N")
    ap.add_argument("--spread", metavar="REPS,...")
    ap.add_argument("--processes", type=int, default=20, metavar="N")
    a = ap.parse_args(argv)
    exe = os.path.abspath(a.da3bench)
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        print(f"calibrate_gate.py: {a.da3bench}: not an executable", file=sys.stderr)
        return 2
    if not 0 <= a.neighbour <= 100:
        print(f"calibrate_gate.py: --neighbour {a.neighbour}: expected 0..100", file=sys.stderr)
        return 2
    reps = []
    if a.spread is not None:
        reps = a.spread.split(",")
        if not all(spread.parse(r) for r in reps) or a.processes < 3:
            print(f"calibrate_gate.py: --spread '{a.spread}' --processes {a.processes}: expected "
                  "repetition counts R or PxR (P processes of R), comma-separated, and at "
                  "least 3 processes", file=sys.stderr)
            return 2
    real = a.suite == "real"
    bench = PERF_YML if real else ["calib", "--work", str(a.work), "--min-time", "0.01"]
    threshold = a.threshold or ("5%" if real else "2%")
    alpha = a.alpha or ("0.01" if real else "0.05")
    slow = (a.slowdowns or ("5%" if real else "1.02,1.05")).split(",")
    bad = bad_slowdowns(slow, real)
    if bad:
        print(f"calibrate_gate.py: --slowdowns '{a.slowdowns}': {bad}", file=sys.stderr)
        return 2
    for flag, value, check in (("--threshold", threshold, percent),
                               ("--budget", a.budget, duration)):
        try:
            check(value)
        except argparse.ArgumentTypeError as e:
            print(f"calibrate_gate.py: {flag}: {e}", file=sys.stderr)
            return 2
    try:
        log = open(a.log, "a", encoding="utf-8") if a.log and a.spread is None else None
    except OSError as e:
        print(f"calibrate_gate.py: --log {a.log}: {e.strerror}", file=sys.stderr)
        return 2
    hog = None
    if a.neighbour > 0:
        hog = multiprocessing.Process(target=neighbour, args=(a.neighbour,), daemon=True)
        hog.start()
    if a.spread is not None:
        try:
            with tempfile.TemporaryDirectory() as tmp:
                if hog:
                    print(f"(a neighbour busy {a.neighbour:g}% of one core)")
                return spread.run(exe, bench, reps, a.processes, tmp)
        except (RuntimeError, OSError) as e:
            print(f"calibrate_gate.py: --spread: {e}", file=sys.stderr)
            return 2
        finally:
            if hog:
                hog.terminate()
    print(f"gate.py {threshold} alpha {alpha} budget {a.budget} on `{' '.join(bench)}`"
          + (f", a neighbour busy {a.neighbour:g}% of one core" if hog else ""))
    print(HEAD)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            heads = {"A/A": (exe, a.aa, "")}
            for f in slow:
                if real:
                    pct = float(f.rstrip("%"))
                    heads[f"A/B flash +{pct:g}%"] = (wrapper(tmp, exe, "--inject-slowdown",
                                                             f"{pct:g}%"), a.ab, "attention/flash/")
                else:
                    heads[f"A/B +{(float(f) - 1):.0%}"] = (wrapper(tmp, exe, "--slowdown", f),
                                                          a.ab, "calib/")
            # the kinds take turns (A/A, A/B, A/A, ...), so a calibration cut
            # short by --stop-after still has both, measured in the same hours
            tallies = {(m, k): ({"false": 0, "caught": 0, "inconclusive": 0, "unchanged": 0}, [])
                       for m in a.modes.split(",") for k in heads}
            t_start, stopped = time.monotonic(), False
            for i in range(max(n for _, n, _ in heads.values())):
                for (mode, kind), (tally, times) in tallies.items():
                    head, n, slowed = heads[kind]
                    if i >= n or stopped:
                        continue
                    if a.stop_after and time.monotonic() - t_start > a.stop_after:
                        stopped = True
                        continue
                    t0 = time.monotonic()
                    p = subprocess.run(
                        [sys.executable, os.path.join(SCRIPTS, "gate.py"), exe, head,
                         "--mode", mode, "--threshold", threshold, "--alpha", alpha,
                         "--budget", a.budget, "--seed", str(i + a.first_seed),
                         "--out", os.path.join(tmp, f"{mode}-{list(heads).index(kind)}-{i}"),
                         *extra, "--", *bench],
                        capture_output=True, text=True)
                    # to the 0.1 s the log keeps: --tabulate prints the same table
                    times.append(round(time.monotonic() - t0, 1))
                    if p.returncode not in (0, 1, 3):
                        print(p.stderr, file=sys.stderr)
                        return 2
                    v = verdicts(p.stdout)
                    wrong = [b for b, x in v.items() if x in ("regression", "improvement")
                             and not (slowed and b.startswith(slowed) and x == "regression")]
                    hit = bool(slowed) and all(x == "regression" for b, x in v.items()
                                               if b.startswith(slowed))
                    outcome = ("false" if wrong else "caught" if hit and p.returncode == 1
                               else "inconclusive" if p.returncode == 3 else "unchanged")
                    tally[outcome] += 1
                    rounds = re.search(r"; (\d+) rounds?", p.stdout)
                    if log:
                        log.write(json.dumps({
                            "mode": mode, "kind": kind, "seed": i + a.first_seed,
                            "exit": p.returncode,
                            "outcome": outcome, "wall_s": times[-1],
                            "rounds": int(rounds.group(1)) if rounds else None,
                            "neighbour_pct": a.neighbour, "verdicts": v,
                            "intervals": intervals(p.stdout),
                            "command": bench, "threshold": threshold, "alpha": alpha}) + "\n")
                        log.flush()
            for (mode, kind), (tally, times) in tallies.items():
                if not times:
                    continue
                slowed = heads[kind][2]
                print(table_row(mode, kind, tally, times, slowed), flush=True)
            if stopped:
                print(f"\n(stopped by --stop-after {a.stop_after:g} s: fewer comparisons "
                      "than asked)")
    finally:
        if hog:
            hog.terminate()
        if log:
            log.close()
    return 0
