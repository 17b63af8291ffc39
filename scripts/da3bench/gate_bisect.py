#!/usr/bin/env python3
"""Find the commit that introduced a regression, with the gate as the oracle.

usage: gate_bisect.py GOOD BAD [--repo DIR] [--build CMD] [--binary PATH]
                 [gate.py flags ...] [-- da3bench arguments]

As airspeed velocity's `asv find`: the commits on the ancestry path from
GOOD to BAD are searched by halving. Each commit tried is checked out in its
own worktree (under a temporary folder), built with --build (run by the
shell in the worktree; default: meson setup and compile, release) and its
--binary (relative to the worktree; default build/suites/da3bench) is
compared with GOOD's by scripts/gate.py: a regression makes it bad,
unchanged or improvement good; inconclusive is tried once more with twice
the rounds, then stops the search (exit 3). First GOOD and BAD themselves
are checked (GOOD against GOOD is not needed: BAD must be a regression
against GOOD, or there is nothing to find: exit 2).

Prints the first bad commit (hash and subject) and each step's verdict.
Exit: 0 found, 2 bad input or a failed build, 3 an inconclusive step.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from . import gate
from .args import split_at_dashes

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the entry points
DEFAULT_BUILD = "meson setup build --buildtype=release >/dev/null && meson compile -C build >/dev/null"


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=True
                          ).stdout.strip()


class Builds:
    """One worktree and build per commit, made once."""

    def __init__(self, repo, build, binary, root):
        self.repo, self.build, self.binary, self.root = repo, build, binary, root
        self.done = {}

    def binary_of(self, sha):
        if sha in self.done:
            return self.done[sha]
        tree = os.path.join(self.root, sha[:12])
        git(self.repo, "worktree", "add", "--detach", "-f", tree, sha)
        p = subprocess.run(self.build, shell=True, cwd=tree, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"building {sha[:12]} failed: {p.stderr.strip()[-300:]}")
        exe = os.path.join(tree, self.binary)
        if not os.access(exe, os.X_OK):
            raise RuntimeError(f"{sha[:12]}: no executable {self.binary} after the build")
        self.done[sha] = exe
        return exe

    def cleanup(self):
        for sha in self.done:
            subprocess.run(["git", "-C", self.repo, "worktree", "remove", "--force",
                            os.path.join(self.root, sha[:12])], capture_output=True)


def oracle(good_bin, bin_, gate_args, bench_args, rounds):
    """'bad', 'good' or 'inconclusive', and the gate's table."""
    p = subprocess.run([sys.executable, os.path.join(SCRIPTS, "gate.py"), good_bin, bin_,
                        *gate_args, "--max-rounds", str(rounds), "--", *bench_args],
                       capture_output=True, text=True)
    # a regression is exit 1 *and* a regression row: a crash of gate.py
    # (a traceback exits 1 too) or a signal must stop the search, never
    # steer it
    if p.returncode == 1 and "**regression**" in p.stdout:
        return "bad", p.stdout
    if p.returncode in (0, 3):
        return {0: "good", 3: "inconclusive"}[p.returncode], p.stdout
    how = (f"killed by signal {-p.returncode}" if p.returncode < 0
           else f"exit {p.returncode}")
    raise RuntimeError(f"gate.py ({how}): {p.stderr.strip()[-300:] or 'no message'}")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    argv, bench = split_at_dashes(argv)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("good")
    ap.add_argument("bad")
    ap.add_argument("--repo", default=".")
    ap.add_argument("--build", default=DEFAULT_BUILD)
    ap.add_argument("--binary", default="build/suites/da3bench")
    ap.add_argument("--max-rounds", type=int, default=100)
    a, gate_args = ap.parse_known_args(argv)
    # the gate's flags are checked now, not after the first build
    gp = gate.parser()
    gp.prog = "gate_bisect.py (gate.py flags)"
    try:
        ga = gp.parse_args(["GOOD", "BAD", *gate_args, "--max-rounds", str(a.max_rounds)])
    except SystemExit as e:
        return 2 if e.code else 0
    bad_flags = gate.check(ga)
    if bad_flags:
        print(f"gate_bisect.py: {bad_flags}", file=sys.stderr)
        return 2
    try:
        good = git(a.repo, "rev-parse", "--verify", a.good + "^{commit}")
        bad = git(a.repo, "rev-parse", "--verify", a.bad + "^{commit}")
        path = git(a.repo, "rev-list", "--reverse", "--ancestry-path", f"{good}..{bad}").split()
    except subprocess.CalledProcessError as e:
        print(f"gate_bisect.py: {e.stderr.strip()}", file=sys.stderr)
        return 2
    if not path or path[-1] != bad:
        print(f"gate_bisect.py: {a.bad} does not descend from {a.good}", file=sys.stderr)
        return 2
    root = tempfile.mkdtemp(prefix="da3bisect-")
    builds = Builds(os.path.abspath(a.repo), a.build, a.binary, root)
    try:
        good_bin = builds.binary_of(good)

        def judge(sha):
            verdict, table = oracle(good_bin, builds.binary_of(sha), gate_args, bench,
                                    a.max_rounds)
            if verdict == "inconclusive":
                verdict, table = oracle(good_bin, builds.binary_of(sha), gate_args, bench,
                                        2 * a.max_rounds)
            subject = git(a.repo, "log", "-1", "--format=%s", sha)
            print(f"{sha[:12]} {verdict:12s} {subject}", flush=True)
            return verdict, table

        verdict, table = judge(bad)
        if verdict != "bad":
            print(f"gate_bisect.py: {a.bad} is not a regression against {a.good} ({verdict}):\n{table}",
                  file=sys.stderr)
            return 3 if verdict == "inconclusive" else 2
        lo, hi = -1, len(path) - 1  # path[lo] good (GOOD itself at -1), path[hi] bad
        while hi - lo > 1:
            mid = (lo + hi) // 2
            verdict, table = judge(path[mid])
            if verdict == "inconclusive":
                print(f"gate_bisect.py: {path[mid][:12]} stays inconclusive:\n{table}", file=sys.stderr)
                return 3
            if verdict == "bad":
                hi = mid
            else:
                lo = mid
        first = path[hi]
        print(f"first bad commit: {first} {git(a.repo, 'log', '-1', '--format=%s', first)}")
        return 0
    except (RuntimeError, subprocess.CalledProcessError) as e:
        print(f"gate_bisect.py: {getattr(e, 'stderr', None) or e}", file=sys.stderr)
        return 2
    finally:
        builds.cleanup()
        shutil.rmtree(root, ignore_errors=True)
