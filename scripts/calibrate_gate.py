#!/usr/bin/env python3
"""Calibrate the regression gate on this machine with the calib suite.

usage: calibrate_gate.py DA3BENCH [--pairs 20] [--rounds 5] [--reps 2]
                         [--work 200] [--slowdown 1.05] [--threshold 5%]

Runs --pairs A/A comparisons (the same work on both sides) and --pairs A/B
comparisons (the head does --slowdown times the work under the same name: a
true slowdown), each through scripts/interleave.sh, and prints the
false-alarm rate, the detection rate, the repetitions per side and the
gate's wall time per comparison.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("da3bench")
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--work", type=int, default=200)
    ap.add_argument("--slowdown", type=float, default=1.05)
    ap.add_argument("--threshold", default="5%")
    a = ap.parse_args()
    exe = os.path.abspath(a.da3bench)
    results = {"A/A": [], "A/B": []}
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        # the head of an A/B pair: the same binary, told to do more work
        head_ab = os.path.join(tmp, "head-slow.sh")
        with open(head_ab, "w") as f:
            f.write(f"#!/bin/sh\nexec '{exe}' \"$@\" --slowdown {a.slowdown}\n")
        os.chmod(head_ab, 0o755)
        for i in range(a.pairs):
            for kind, head in (("A/A", exe), ("A/B", head_ab)):
                out = os.path.join(tmp, f"{kind.replace('/', '')}-{i}")
                t0 = time.monotonic()
                p = subprocess.run(
                    [os.path.join(HERE, "interleave.sh"), exe, head, str(a.rounds), out, "--",
                     "calib", "--work", str(a.work), "--repetitions", str(a.reps),
                     "--min-time", "0.02"],
                    capture_output=True, text=True, env=dict(os.environ, COMPARE_ARGS=f"--threshold {a.threshold}"))
                times.append(time.monotonic() - t0)
                if p.returncode not in (0, 1):
                    print(p.stderr, file=sys.stderr)
                    return 2
                results[kind].append(p.returncode == 1)
    n = a.pairs
    fa, det = sum(results["A/A"]), sum(results["A/B"])
    print(f"A/A comparisons: {n}, false alarms: {fa} ({fa / n:.0%})")
    print(f"A/B comparisons ({a.slowdown - 1:.0%} slower): {n}, detected: {det} ({det / n:.0%})")
    print(f"repetitions per side: {a.rounds} rounds x {a.reps} = {a.rounds * a.reps}; "
          f"threshold {a.threshold}; calib work {a.work}")
    print(f"gate wall time per comparison: median {sorted(times)[len(times) // 2]:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
