#!/usr/bin/env python3
"""Calibrate the regression gate on this machine with the calib suite.

usage: calibrate_gate.py DA3BENCH [--modes interleaved,duet] [--aa 100]
                         [--ab 50] [--slowdowns 1.02,1.05] [--work 200]
                         [--threshold 2%] [--budget 10m] [--jobs-args ...]

Runs scripts/gate.py --aa times with the same work on both sides (A/A: any
regression is a false alarm) and --ab times per slowdown (the head does
that factor more work under the same name: a true slowdown), in each mode,
and prints per mode and kind: comparisons, regressions, inconclusive,
unchanged, and the gate's median wall time. Extra gate.py flags can follow
`--`. The same command reproduces the README's table.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("da3bench")
    ap.add_argument("--modes", default="interleaved,duet")
    ap.add_argument("--aa", type=int, default=100)
    ap.add_argument("--ab", type=int, default=50)
    ap.add_argument("--slowdowns", default="1.02,1.05")
    ap.add_argument("--work", type=int, default=200)
    ap.add_argument("--threshold", default="2%")
    ap.add_argument("--budget", default="10m")
    a = ap.parse_args(argv)
    exe = os.path.abspath(a.da3bench)
    bench = ["calib", "--work", str(a.work), "--min-time", "0.01"]
    print("| mode | kind | comparisons | regression | inconclusive | unchanged/improvement | "
          "median wall time |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        heads = {"A/A": (exe, a.aa)}
        for f in a.slowdowns.split(","):
            h = os.path.join(tmp, f"head-{f}.sh")
            with open(h, "w") as fh:
                fh.write(f"#!/bin/sh\nexec '{exe}' \"$@\" --slowdown {f}\n")
            os.chmod(h, 0o755)
            heads[f"A/B +{(float(f) - 1):.0%}"] = (h, a.ab)
        for mode in a.modes.split(","):
            for kind, (head, n) in heads.items():
                codes, times = [], []
                for i in range(n):
                    t0 = time.monotonic()
                    p = subprocess.run(
                        [sys.executable, os.path.join(HERE, "gate.py"), exe, head, "--mode", mode,
                         "--threshold", a.threshold, "--budget", a.budget, "--seed", str(i + 1),
                         "--out", os.path.join(tmp, f"{mode}-{i}"), *extra, "--", *bench],
                        capture_output=True, text=True)
                    times.append(time.monotonic() - t0)
                    if p.returncode not in (0, 1, 3):
                        print(p.stderr, file=sys.stderr)
                        return 2
                    codes.append(p.returncode)
                print(f"| {mode} | {kind} | {n} | {codes.count(1)} | {codes.count(3)} | "
                      f"{codes.count(0)} | {statistics.median(times):.1f} s |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
