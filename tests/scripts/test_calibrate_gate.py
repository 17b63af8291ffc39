"""calibrate_gate.py's turns, tallies and --stop-after, with a stand-in for
da3bench whose calib benchmark is --slowdown F times slower."""

import json
import os
import stat
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "calibrate_gate.py")

FAKE = r'''#!{python}
import json, os, random, sys, zlib
args = sys.argv[1:]
reps = int(args[args.index("--repetitions") + 1])
path = args[args.index("--json") + 1]
slow = float(args[args.index("--slowdown") + 1]) if "--slowdown" in args else 1.0
rng = random.Random(zlib.crc32(os.path.basename(path).encode()))
runs = [{{"name": "calib/spin/work:200", "run_name": "calib/spin/work:200",
          "run_type": "iteration", "repetitions": reps, "repetition_index": i,
          "iterations": 1, "real_time": 10 * slow * rng.lognormvariate(0, 0.002),
          "cpu_time": 1, "time_unit": "ms"}} for i in range(reps)]
json.dump({{"context": {{}}, "benchmarks": runs}}, open(path, "w"))
'''


def fake(tmp_path):
    p = tmp_path / "da3bench"
    p.write_text(FAKE.format(python=sys.executable))
    p.chmod(p.stat().st_mode | stat.S_IEXEC)
    return str(p)


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          timeout=300)


def test_a_a_and_a_b_take_turns_and_are_tallied(tmp_path):
    log = tmp_path / "log.jsonl"
    p = run(fake(tmp_path), "--aa", "2", "--ab", "2", "--slowdowns", "1.10", "--log", str(log))
    assert p.returncode == 0, p.stderr
    rows = [r for r in p.stdout.splitlines() if r.startswith("| interleaved")]
    assert rows[0].startswith("| interleaved | A/A | 2 | 0 | — |")
    assert rows[1].startswith("| interleaved | A/B +10% | 2 | 0 | 2 |")
    kinds = [line.split('"kind": "')[1].split('"')[0] for line in log.read_text().splitlines()]
    assert kinds == ["A/A", "A/B +10%", "A/A", "A/B +10%"]
    # each comparison keeps every benchmark's interval of the ratio: A/A
    # inside the +-2% band around 1, the 10% slowdown's above it
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    for entry in logged:
        (lo, hi), = entry["intervals"].values()
        assert lo <= hi
        assert (0.98 < lo and hi < 1.02) if entry["kind"] == "A/A" else lo > 1.02, entry
    # --tabulate gives the same table back from the log, and two sittings'
    # logs as one
    t = run("--tabulate", str(log))
    assert t.returncode == 0 and [r for r in t.stdout.splitlines()
                                  if r.startswith("| interleaved")] == rows, t.stdout
    t = run("--tabulate", str(log), str(log))
    assert "| interleaved | A/A | 4 | 0 | — |" in t.stdout, t.stdout
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    t = run("--tabulate")
    assert t.returncode == 2 and "--tabulate" in t.stderr and len(t.stderr.splitlines()) == 1
    partial = tmp_path / "partial.jsonl"
    partial.write_text('{"mode": "interleaved"}\n')
    for bad in (str(empty), str(tmp_path / "none.jsonl"), str(partial)):
        t = run("--tabulate", bad)
        assert t.returncode == 2 and bad in t.stderr and len(t.stderr.splitlines()) == 1


def test_stop_after_keeps_what_it_measured_and_says_so(tmp_path):
    p = run(fake(tmp_path), "--aa", "5", "--ab", "5", "--slowdowns", "1.10",
            "--stop-after", "0.001s")
    assert p.returncode == 0, p.stderr
    assert "| interleaved | A/A | 1 |" in p.stdout and "stopped by --stop-after" in p.stdout
    assert run(fake(tmp_path), "--stop-after", "soon").returncode == 2


def test_spread_tabulates_the_round_value_per_repetition_count(tmp_path):
    p = run(fake(tmp_path), "--spread", "2,4,2x2", "--processes", "3")
    assert p.returncode == 0, p.stderr
    rows = {r.split(" | ")[0]: r for r in p.stdout.splitlines() if r.startswith("| ")}
    assert "| benchmark" in rows
    assert "reps 2 | reps 4 | 2 processes x 2 reps |" in rows["| benchmark"]
    row = rows["| `calib/spin/work:200`"].split(" | ")
    # the stand-in's noise is 0.2% a repetition: the SD of d is of that order
    for cell in row[1:]:
        sd = float(cell.split("%")[0])
        assert 0 < sd < 2, p.stdout
    assert "wall time of a side" in p.stdout and "cost of the noisiest" in p.stdout
    for bad in (["--spread", "0"], ["--spread", "a,b"], ["--spread", "0x4"],
                ["--spread", "8", "--processes", "2"]):
        q = run(fake(tmp_path), *bad)
        assert q.returncode == 2 and "--spread" in q.stderr and len(q.stderr.splitlines()) == 1


def test_spread_stops_on_a_benchmark_that_failed(tmp_path):
    exe = fake(tmp_path)
    src = open(exe).read().replace('"time_unit": "ms"}', '"time_unit": "ms", '
                                   '"error_occurred": True, "error_message": "boom"}')
    assert src != open(exe).read()
    open(exe, "w").write(src)
    p = run(exe, "--spread", "2,4", "--processes", "3")
    assert p.returncode == 2 and "calib/spin/work:200 failed: boom" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "| `calib" not in p.stdout


def test_real_suite_is_the_command_of_perf_yml():
    """The calibration measures the gate users run: the arguments after `--`
    of the gate step in .github/workflows/perf.yml, and its threshold, alpha
    and budget."""
    import re
    import shlex
    from da3bench import calibrate_gate
    wf = open(os.path.join(HERE, "..", "..", ".github", "workflows", "perf.yml")).read()
    step = re.search(r"scripts/gate\.py (.*?)\|\| status", wf, re.S).group(1)
    words = shlex.split(step.replace("\\\n", " "))
    assert words[words.index("--") + 1:] == calibrate_gate.PERF_YML
    for flag, value in (("--threshold", "5%"), ("--alpha", "0.01"), ("--budget", "10m")):
        assert words[words.index(flag) + 1] == value, flag


def test_bad_flags_are_refused_before_any_comparison(tmp_path):
    exe = fake(tmp_path)
    (tmp_path / "file").write_text("")
    for args, named in ((["--slowdowns", "abc"], "--slowdowns 'abc'"),
                        (["--suite", "real", "--slowdowns", "5%,x"], "'x' is not a percentage"),
                        (["--slowdowns", "0.9"], "'0.9' is not a factor"),
                        (["--threshold", "fast"], "--threshold"),
                        (["--budget", "soon"], "--budget"),
                        (["--log", str(tmp_path / "file" / "log")], "--log")):
        p = run(exe, "--aa", "1", "--ab", "1", *args)
        assert p.returncode == 2, args
        assert named in p.stderr and p.stderr.count("\n") == 1, p.stderr
        assert p.stdout == ""  # nothing ran
