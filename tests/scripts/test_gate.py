"""gate.py's rounds, stopping rule and exit codes, with a stand-in for
da3bench that writes constructed times (no real benchmark runs here)."""

import stat
import sys

import gate
import verdict

FAKE = r'''#!{python}
import json, random, sys, zlib
args = sys.argv[1:]
reps = int(args[args.index("--repetitions") + 1])
path = args[args.index("--json") + 1]
rng = random.Random(zlib.crc32(path.encode()))  # deterministic per round and side
factor, noise = {factor}, {noise}
runs = []
for name, mean in (("x/a", 100.0), ("x/b", 50.0)):
    for i in range(reps):
        t = mean * (factor if name == "x/a" else 1.0) * rng.lognormvariate(0, noise)
        runs.append({{"name": name, "run_name": name, "run_type": "iteration", "repetitions": reps,
                      "repetition_index": i, "iterations": 1, "real_time": t, "cpu_time": t,
                      "time_unit": "ms"}})
json.dump({{"context": {{}}, "benchmarks": runs}}, open(path, "w"))
'''


def fake(tmp_path, name, factor, noise=0.005):
    p = tmp_path / name
    p.write_text(FAKE.format(python=sys.executable, factor=factor, noise=noise))
    p.chmod(p.stat().st_mode | stat.S_IEXEC)
    return str(p)


def rounds_of(out):
    head = out.splitlines()[0]
    return int(head.split("; ")[1].split(" round")[0]), head


def test_a_clear_regression_stops_early_and_fails(tmp_path, capsys):
    rc = gate.main([fake(tmp_path, "b", 1.0), fake(tmp_path, "h", 1.10), "--out",
                    str(tmp_path / "o"), "--max-rounds", "10"])
    out = capsys.readouterr().out
    n, head = rounds_of(out)
    assert rc == 1 and "**regression**" in out and "settled" in head and n < 10
    assert "alpha/8" in head  # 10 - 3 + 1 looks


def test_a_a_is_never_a_regression(tmp_path, capsys):
    b = fake(tmp_path, "b", 1.0)
    rc = gate.main([b, fake(tmp_path, "h", 1.0), "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert rc in (0, 3) and "regression" not in out.split("\n", 1)[1].replace("| p (Holm)", "")


def test_the_budget_stops_the_rounds_and_leaves_it_inconclusive(tmp_path, capsys):
    # 3% slower under 10% noise: far from settled after the minimum rounds
    args = [fake(tmp_path, "b", 1.0, 0.10), fake(tmp_path, "h", 1.03, 0.10), "--out",
            str(tmp_path / "o"), "--budget", "0.001s", "--min-rounds", "1", "--max-rounds", "20"]
    rc = gate.main(args)
    out = capsys.readouterr().out
    n, head = rounds_of(out)
    assert rc == 3 and "time budget" in head and n == 1 and "inconclusive" in out
    assert gate.main(args + ["--inconclusive", "pass"]) == 0


def test_duet_mode_pairs_the_runs(tmp_path, capsys):
    rc = gate.main([fake(tmp_path, "b", 1.0), fake(tmp_path, "h", 1.10), "--mode", "duet",
                    "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert rc == 1 and "Gate (duet)" in out and "**regression**" in out


def test_bad_input_exits_2(tmp_path, capsys):
    b = fake(tmp_path, "b", 1.0)
    assert gate.main([b, str(tmp_path / "missing")]) == 2
    assert gate.main([b, b, "--budget", "soon"]) == 2
    assert gate.main([b, b, "--min-rounds", "5", "--max-rounds", "2"]) == 2
    assert gate.main([b, b, "--budget", "0"]) == 2
    assert gate.main([b, b, "--reps", "0"]) == 2
    failing = tmp_path / "fail"
    failing.write_text("#!/bin/sh\necho broken >&2\nexit 1\n")
    failing.chmod(0o755)
    assert gate.main([b, str(failing), "--out", str(tmp_path / "o")]) == 2
    assert "broken" in capsys.readouterr().err


def test_the_sequential_rule_keeps_false_alarms_at_alpha():
    """Many A/A gates on constructed data, each looking after every round
    from 3 to 12 at alpha/10: at most alpha of them ever say regression,
    although each looks ten times."""
    import random
    rng = random.Random(3)
    alarms = 0
    for _ in range(100):
        base, head = [], []
        for k in range(1, 13):
            base += [rng.lognormvariate(0, 0.05) for _ in range(2)]
            head += [rng.lognormvariate(0, 0.05) for _ in range(2)]
            if k < 3:
                continue
            rows = verdict.judge_all({"a": (base, head)}, 0.0, 0.05 / 10)
            if rows["a"]["verdict"] == "regression":
                alarms += 1
                break
            if rows["a"]["verdict"] != "inconclusive":
                break
    assert alarms / 100 <= 0.05


def test_wilcoxon_signed_rank_exact_values():
    import stats
    assert stats.wilcoxon_signed_rank([1, 2, 3, 4, 5]) == 2 / 32
    assert stats.wilcoxon_signed_rank([1, -2, 3, -4, 5, 6]) == 28 / 64
    assert stats.wilcoxon_signed_rank([0, 0]) == 1.0
