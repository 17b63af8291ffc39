"""gate.py's rounds, stopping rule and exit codes, with a stand-in for
da3bench that writes constructed times (no real benchmark runs here)."""

import math
import random
import stat
import sys

from da3bench import gate
from da3bench import rounds

FAKE = r'''#!{python}
import json, random, re, sys, zlib
from math import inf, nan
args = sys.argv[1:]
if "--help" in args:  # a build that knows --no-peak lists it; the others fail on --help
    print({help!r})
    sys.exit(0)
reps = int(args[args.index("--repetitions") + 1])
path = args[args.index("--json") + 1]
flt = [a.split("=", 1)[1] for a in args if a.startswith("--benchmark_filter=")]
with open(path + ".args", "w") as f:
    f.write(" ".join(args))
rng = random.Random(zlib.crc32(path.rsplit("/", 1)[-1].encode()))  # same draws on every run
factor, noise, names, times = {factor}, {noise}, {names}, {times}
runs = []
for name, mean in names:
    if flt and not re.search(flt[-1], name):
        continue
    for i in range(reps):
        t = mean * (factor if name == "x/a" else 1.0) * rng.lognormvariate(0, noise)
        run = {{"name": name, "run_name": name, "run_type": "iteration", "repetitions": reps,
                "repetition_index": i, "iterations": 1, "real_time": times or t,
                "cpu_time": t, "time_unit": "ms"}}
        if name == "x/err":
            run.update(error_occurred=True, error_message="max_abs_err 1 above the tolerance")
        runs.append(run)
json.dump({{"context": {{}}, "benchmarks": runs}}, open(path, "w"))
'''

TWO = (("x/a", 100.0), ("x/b", 50.0))


def fake(tmp_path, name, factor, noise=0.005, names=TWO, times=None, help=""):
    p = tmp_path / name
    p.write_text(FAKE.format(python=sys.executable, factor=factor, noise=noise, names=names,
                             times=repr(times), help=help))
    p.chmod(p.stat().st_mode | stat.S_IEXEC)
    return str(p)


def rounds_of(out):
    head = out.splitlines()[0]
    return int(head.split("; ")[1].split(" round")[0]), head


def test_a_clear_regression_stops_at_the_first_look_and_fails(tmp_path, capsys):
    rc = gate.main([fake(tmp_path, "b", 1.0), fake(tmp_path, "h", 1.10), "--out",
                    str(tmp_path / "o")])
    out = capsys.readouterr().out
    n, head = rounds_of(out)
    looks, _ = rounds.plan(0.05, 2, 1, gate.MAX_ROUNDS)
    assert rc == 1 and "**regression**" in out and "settled" in head and n == looks[0]
    assert f"looks at rounds {looks[0]}, {looks[1]}," in head
    row = [r for r in out.splitlines() if "`x/a`" in r][0]
    assert 0.09 < float(row.split(" | ")[3].rstrip("%")) / 100 < 0.11


def test_a_a_under_noise_ends_unchanged(tmp_path, capsys):
    # 3% noise per repetition: every benchmark settles as unchanged (equivalence)
    rc = gate.main([fake(tmp_path, "b", 1.0, 0.03), fake(tmp_path, "h", 1.0, 0.03), "--out",
                    str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert rc == 0 and out.count("unchanged: the interval lies within") == 2
    assert "regression" not in out and "settled" in out.splitlines()[0]


def test_a_5_percent_slowdown_under_noise_is_caught(tmp_path, capsys):
    rc = gate.main([fake(tmp_path, "b", 1.0, 0.02), fake(tmp_path, "h", 1.05, 0.02), "--out",
                    str(tmp_path / "o"), "--alpha", "0.01"])
    out = capsys.readouterr().out
    assert rc == 1 and "**regression**" in out
    assert "`x/b` |" in out and "unchanged" in out


def test_settled_benchmarks_leave_the_later_rounds(tmp_path, capsys):
    # under 5% noise one benchmark settles before the other: the later
    # rounds run the unsettled one alone
    out_dir = tmp_path / "o"
    gate.main([fake(tmp_path, "b", 1.0, 0.05), fake(tmp_path, "h", 1.025, 0.05), "--out",
               str(out_dir), "--budget", "1h"])
    out = capsys.readouterr().out
    n, _ = rounds_of(out)
    done = {r.split("`")[1]: int(r.split(" | ")[5]) for r in out.splitlines() if r.startswith("| `")}
    late = max(done, key=done.get)
    assert done[late] == n and min(done.values()) < n
    last = (out_dir / f"head-{n}.json.args").read_text()
    assert f"--benchmark_filter=^({late})$" in last
    assert "--benchmark_filter" not in (out_dir / "head-1.json.args").read_text()


def test_the_budget_stops_the_rounds_and_leaves_it_inconclusive(tmp_path, capsys):
    # 3% slower under 10% noise: far from settled after one round
    args = [fake(tmp_path, "b", 1.0, 0.10), fake(tmp_path, "h", 1.03, 0.10), "--out",
            str(tmp_path / "o"), "--budget", "0.001s"]
    rc = gate.main(args)
    out = capsys.readouterr().out
    n, head = rounds_of(out)
    assert rc == 3 and "time budget" in head and n == 1 and "inconclusive" in out
    assert gate.main(args + ["--inconclusive", "pass"]) == 0


def test_an_open_benchmark_says_how_many_rounds_would_settle_it(tmp_path, capsys):
    # A/A under 10% noise, stopped by --max-rounds: the rows say about how
    # many rounds the interval needs; that many settles it
    args = [fake(tmp_path, "b", 1.0, 0.10), fake(tmp_path, "h", 1.0, 0.10), "--out",
            str(tmp_path / "o"), "--max-rounds", "12", "--budget", "1h"]
    assert gate.main(args) == 3
    out = capsys.readouterr().out
    need = [int(r.split("about ")[1].split(" rounds")[0]) for r in out.splitlines()
            if "rounds would settle it" in r]
    assert need and all(n > 12 for n in need), out
    rc = gate.main(args[:-4] + ["--out", str(tmp_path / "o2"), "--max-rounds",
                                str(2 * max(need)), "--budget", "1h"])
    assert rc == 0, capsys.readouterr().out


def test_rounds_to_settle():
    rng = random.Random(5)
    d = [rng.gauss(0, 0.10) for _ in range(40)]
    a = 0.01 / 32
    need = rounds.rounds_to_settle(d, 0.05, a)
    _, lo, hi = rounds.hodges_lehmann(d, a)
    assert need > 40 and (hi - lo) / 2 * math.sqrt(40 / need) <= math.log1p(0.05)
    assert rounds.rounds_to_settle(d[:3], 0.05, a) is None  # no finite interval yet


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
    # no look fits: alpha 0.001 over 2 benchmarks needs more than 3 rounds
    assert gate.main([b, b, "--alpha", "0.001", "--max-rounds", "3", "--out",
                      str(tmp_path / "o0")]) == 2
    assert "too few" in capsys.readouterr().err
    failing = tmp_path / "fail"
    failing.write_text("#!/bin/sh\necho broken >&2\nexit 4\n")
    failing.chmod(0o755)
    assert gate.main([b, str(failing), "--out", str(tmp_path / "o")]) == 2
    assert "broken" in capsys.readouterr().err
    assert gate.main([b, b, "--out", b]) == 2 and "--out" in capsys.readouterr().err


def test_nothing_compared_is_never_a_pass(tmp_path, capsys):
    b = fake(tmp_path, "b", 1.0)
    cases = {
        "nan": fake(tmp_path, "nan", 1.0, times=math.nan),
        "inf": fake(tmp_path, "inf", 1.0, times=math.inf),
        "disjoint": fake(tmp_path, "disjoint", 1.0, names=(("y/a", 1.0),)),
        "removed": fake(tmp_path, "removed", 1.0, names=(("x/a", 100.0),)),
        "errored": fake(tmp_path, "errored", 1.0, names=TWO + (("x/err", 1.0),)),
    }
    base_err = fake(tmp_path, "base_err", 1.0, names=TWO + (("x/err", 1.0),))
    for what, h in cases.items():
        rc = gate.main([base_err if what == "errored" else b, h, "--out",
                        str(tmp_path / f"out-{what}")])
        out, err = capsys.readouterr()
        assert rc == 3, what
        assert "No regression" not in out and "unchanged" not in out, what
        assert err.strip(), what
    assert gate.main([b, b, "--filter", "nomatch", "--out", str(tmp_path / "f")]) == 3
    assert "nothing to compare" in capsys.readouterr().err


def test_added_benchmarks_are_listed_not_failed(tmp_path, capsys):
    h = fake(tmp_path, "h", 1.0, names=TWO + (("x/new", 1.0),))
    rc = gate.main([fake(tmp_path, "b", 1.0), h, "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert rc == 0 and "Added by the head (not compared): `x/new`" in out


def test_the_sequential_rule_keeps_false_alarms_at_alpha():
    """Many A/A gates on constructed rounds (heavy-tailed noise: a neighbour
    now and then), each looking on the whole schedule: at most alpha of the
    comparisons ever see a false verdict, and most end unchanged."""
    rng = random.Random(3)
    looks, a = rounds.plan(0.05, 1, 1, 60)
    alarms = unchanged = 0
    for _ in range(400):
        d = []
        for k in range(1, 61):
            x = rng.gauss(0, 0.02)
            d.append(x * 5 if rng.random() < 0.1 else x)
            if k in looks:
                v = rounds.decide(d, 0.05, a)["verdict"]
                if v != "inconclusive":
                    alarms += v in ("regression", "improvement")
                    unchanged += v == "unchanged"
                    break
    assert alarms / 400 <= 0.05 and unchanged >= 380


def test_the_interval_is_the_signed_rank_one():
    # 15 values at level 1 - 1e-4: only the extremes (2^-15 < 5e-5)
    d = [0.01 * i for i in range(-7, 8)]
    est, lo, hi = rounds.hodges_lehmann(d, 1e-4)
    assert est == 0 and lo == -0.07 and hi == 0.07
    assert rounds.hodges_lehmann(d[:13], 1e-4)[1] == -math.inf  # too few for that level
    # the 95% interval of 10 values: ranks 9 and 47 of the 55 Walsh averages
    d = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    w = sorted((d[i] + d[j]) / 2 for i in range(10) for j in range(i, 10))
    assert rounds.hodges_lehmann(d, 0.05)[1:] == (w[8], w[46])
    assert rounds.min_rounds_for(1e-4) == 15


def test_wilcoxon_signed_rank_exact_values():
    from da3bench import stats
    assert stats.wilcoxon_signed_rank([1, 2, 3, 4, 5]) == 2 / 32
    assert stats.wilcoxon_signed_rank([1, -2, 3, -4, 5, 6]) == 28 / 64
    assert stats.wilcoxon_signed_rank([0, 0]) == 1.0


def test_each_round_spreads_the_repetitions_and_pairs_the_fastest(tmp_path, capsys):
    out_dir = tmp_path / "o"
    gate.main([fake(tmp_path, "b", 1.0), fake(tmp_path, "h", 1.10), "--out", str(out_dir)])
    args = (out_dir / "head-1.json.args").read_text()
    assert "--benchmark_enable_random_interleaving=true" in args and "--repetitions 8" in args
    assert "(their fastest)" in capsys.readouterr().out
    # one burst of interference in a repetition moves the median, not the fastest
    assert rounds.log_ratio([1.0, 1.0, 1.0], [1.0, 1.8, 1.9]) == 0.0
    assert rounds.log_ratio([1.0, 1.0, 1.0], [1.0, 1.8, 1.9], "median") > 0.5


def test_no_peak_only_where_both_builds_know_it(tmp_path, capsys):
    # the rounds skip the FMA-peak measurements when both builds list
    # --no-peak in their --help; an older base that does not keeps its
    # arguments unchanged on both sides (the same command on both)
    knows = "  --no-peak        skip the FMA-peak measurements"
    new, old = (fake(tmp_path, n, 1.0, help=h) for n, h in (("new", knows), ("old", "")))
    for base, want in ((new, True), (old, False)):
        out = tmp_path / f"o-{want}"
        assert gate.main([base, new, "--out", str(out), "--", "attention"]) == 0
        for side in ("base", "head"):
            args = (out / f"{side}-1.json.args").read_text().split()
            assert args[0] == "attention" and ("--no-peak" in args) is want
    capsys.readouterr()


def test_an_unwritable_summary_is_refused_before_any_round(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    rc = gate.main([fake(tmp_path, "b", 1.0), fake(tmp_path, "h", 1.10), "--out",
                    str(tmp_path / "o"), "--summary", str(tmp_path / "file" / "s.md")])
    cap = capsys.readouterr()
    assert rc == 2 and cap.out == "" and "--summary" in cap.err
    assert not (tmp_path / "o").exists()  # no round ran


def test_a_summary_lost_after_the_rounds_keeps_the_regression_exit(tmp_path, capsys,
                                                                   monkeypatch):
    s = tmp_path / "s.md"
    real_open = open

    def failing_open(path, mode="r", *args, **kw):
        # the first open (the check before the rounds) works, the write after fails
        if str(path) == str(s) and s.exists():
            raise OSError(28, "No space left on device")
        return real_open(path, mode, *args, **kw)
    monkeypatch.setattr("builtins.open", failing_open)
    rc = gate.main([fake(tmp_path, "b", 1.0), fake(tmp_path, "h", 1.10), "--out",
                    str(tmp_path / "o"), "--summary", str(s)])
    cap = capsys.readouterr()
    assert rc == 1 and "**regression**" in cap.out
    assert "No space left on device" in cap.err
