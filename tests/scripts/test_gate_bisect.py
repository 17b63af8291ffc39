"""gate_bisect.py on a small repository made here: eight commits, one of which
makes the benchmark 30% slower; the gate is the oracle."""

import os
import shutil
import subprocess
import sys

import pytest

# the bisection drives git; the image's build stage has no git
pytestmark = pytest.mark.skipif(not shutil.which("git"), reason="git is not installed")


HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
from da3bench import gate_bisect as da3_bisect  # noqa: E402

# the "benchmark": its time comes from speed.txt in its own checkout
BENCH = r'''#!{python}
import json, os, random, sys, zlib
args = sys.argv[1:]
reps = int(args[args.index("--repetitions") + 1])
path = args[args.index("--json") + 1]
here = os.path.dirname(os.path.abspath(__file__))
speed = float(open(os.path.join(here, "speed.txt")).read())
rng = random.Random(zlib.crc32(os.path.basename(path).encode()))
runs = [{{"name": "k/a", "run_name": "k/a", "run_type": "iteration", "repetitions": reps,
          "repetition_index": i, "iterations": 1, "real_time": speed * rng.lognormvariate(0, 0.01),
          "cpu_time": 1, "time_unit": "ms"}} for i in range(reps)]
json.dump({{"context": {{}}, "benchmarks": runs}}, open(path, "w"))
'''


def make_repo(tmp_path, slow_at):
    repo = tmp_path / "repo"
    repo.mkdir()
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")

    def git(*a):
        return subprocess.run(["git", "-C", str(repo), *a], check=True, capture_output=True,
                              text=True, env=env).stdout.strip()
    git("init", "-q")
    (repo / "bench.py").write_text(BENCH.format(python=sys.executable))
    (repo / "bench.py").chmod(0o755)
    shas = []
    for i in range(8):
        (repo / "speed.txt").write_text("130" if i >= slow_at else "100")
        (repo / "notes.txt").write_text(f"change {i}\n")
        git("add", "-A")
        git("commit", "-q", "-m", f"change {i}" + (" (the slowdown)" if i == slow_at else ""))
        shas.append(git("rev-parse", "HEAD"))
    return str(repo), shas


def test_bisect_names_the_commit_that_made_it_slower(tmp_path, capsys):
    repo, shas = make_repo(tmp_path, slow_at=5)
    rc = da3_bisect.main([shas[0], shas[-1], "--repo", repo, "--build", "true",
                          "--binary", "bench.py", "--threshold", "5%"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert f"first bad commit: {shas[5]} change 5 (the slowdown)" in out
    steps = [line for line in out.splitlines() if line[:12] in {s[:12] for s in shas}]
    assert 2 <= len(steps) <= 4  # BAD, then halving seven commits
    # worktrees are cleaned up
    wt = subprocess.run(["git", "-C", repo, "worktree", "list"], capture_output=True, text=True)
    assert len(wt.stdout.strip().splitlines()) == 1


def test_nothing_to_find_and_bad_input(tmp_path, capsys):
    repo, shas = make_repo(tmp_path, slow_at=99)  # never slower
    args = ["--repo", repo, "--build", "true", "--binary", "bench.py", "--threshold", "5%"]
    assert da3_bisect.main([shas[0], shas[-1], *args]) == 2
    assert "is not a regression" in capsys.readouterr().err
    assert da3_bisect.main([shas[-1], shas[0], *args]) == 2  # reversed: not a descendant
    assert da3_bisect.main(["nosuchref", shas[0], *args]) == 2
    assert da3_bisect.main([shas[0], shas[-1], "--repo", repo, "--build", "false",
                            "--binary", "bench.py"]) == 2


def test_bad_gate_flags_are_refused_before_any_build(tmp_path, capsys):
    repo, shas = make_repo(tmp_path, slow_at=5)
    marker = tmp_path / "built"
    for flags, said in ((["--threshold", "fast"], "--threshold"), (["--thresold", "5%"],
                                                                  "--thresold"),
                        (["--alpha", "2"], "--alpha")):
        rc = da3_bisect.main([shas[0], shas[-1], "--repo", repo, "--build",
                              f"touch {marker}", "--binary", "bench.py", *flags])
        assert rc == 2, flags
        assert said in capsys.readouterr().err
        assert not marker.exists()


@pytest.mark.parametrize("code,stdout,said", [
    (1, "Traceback (most recent call last):\n", "exit 1"),
    (-9, "", "signal 9"),
    (4, "", "exit 4")])
def test_a_gate_that_crashes_stops_the_search_never_steers_it(monkeypatch, code, stdout, said):
    def fake_run(cmd, **kw):
        return subprocess.CompletedProcess(cmd, code, stdout, "boom")
    monkeypatch.setattr(da3_bisect.subprocess, "run", fake_run)
    with pytest.raises(RuntimeError, match=said):
        da3_bisect.oracle("good", "bin", [], [], 10)


def test_a_regression_row_with_exit_1_is_bad(monkeypatch):
    monkeypatch.setattr(da3_bisect.subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(
        cmd, 1, "| `k/a` | 1 | 2 | +100% | x | 3 | **regression**: slower |", ""))
    assert da3_bisect.oracle("good", "bin", [], [], 10)[0] == "bad"
