"""compare.py's verdicts on constructed data, and its errors."""

import json
import random

import pytest

from da3bench import compare
from da3bench import stats


def results(path, benches):
    """benches: name -> list of times in ms (one repetition each)."""
    runs = []
    for name, times in benches.items():
        for i, t in enumerate(times):
            runs.append({"name": name, "run_name": name, "run_type": "iteration",
                         "repetitions": len(times), "repetition_index": i, "iterations": 1,
                         "real_time": t, "cpu_time": t, "time_unit": "ms"})
    path.write_text(json.dumps({"context": {"host_name": "t"}, "benchmarks": runs}))
    return str(path)


def noisy(mean, sd, n, seed):
    rng = random.Random(seed)
    return [rng.gauss(mean, sd) for _ in range(n)]


def run(tmp_path, base, new, *flags, capsys=None):
    b = results(tmp_path / "base.json", base)
    n = results(tmp_path / "new.json", new)
    return compare.main([b, n, *flags])


def verdicts(out):
    """benchmark -> verdict word, from the printed table."""
    got = {}
    for line in out.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            got[cells[0].strip("`")] = cells[-1].split(":")[0].strip("*")
    return got


def test_unchanged(tmp_path, capsys):
    rc = run(tmp_path, {"x/a": noisy(100, 0.5, 10, 1)}, {"x/a": noisy(100, 0.5, 10, 2)})
    out = capsys.readouterr().out
    assert rc == 0 and verdicts(out) == {"x/a": "unchanged"}


def test_ten_percent_slower_with_little_noise_is_a_regression(tmp_path, capsys):
    rc = run(tmp_path, {"x/a": noisy(100, 0.5, 10, 1)}, {"x/a": noisy(110, 0.5, 10, 2)})
    out = capsys.readouterr().out
    assert rc == 1 and verdicts(out) == {"x/a": "regression"} and "**regression**" in out


def test_huge_noise_is_inconclusive_never_a_pass(tmp_path, capsys):
    base, new = {"x/a": noisy(100, 40, 6, 3)}, {"x/a": noisy(110, 40, 6, 4)}
    assert run(tmp_path, base, new) == 3
    assert verdicts(capsys.readouterr().out) == {"x/a": "inconclusive"}
    assert run(tmp_path, base, new, "--inconclusive", "pass") == 0


def test_improvement_and_a_change_below_the_threshold(tmp_path, capsys):
    rc = run(tmp_path, {"x/fast": noisy(100, 0.2, 10, 1), "x/small": noisy(100, 0.05, 10, 5)},
             {"x/fast": noisy(80, 0.2, 10, 2), "x/small": noisy(101, 0.05, 10, 6)})
    out = capsys.readouterr().out
    assert rc == 0 and verdicts(out) == {"x/fast": "improvement", "x/small": "unchanged"}
    assert "significant but within the threshold" in out


def test_too_few_repetitions_are_inconclusive(tmp_path, capsys):
    rc = run(tmp_path, {"x/a": [100, 101, 100]}, {"x/a": [150, 151, 150]})
    out = capsys.readouterr().out
    assert rc == 3 and verdicts(out) == {"x/a": "inconclusive"} and "fewer than 5" in out


def test_added_are_listed_removed_are_not_a_pass(tmp_path, capsys):
    keep = noisy(1, 0.01, 5, 1)
    rc = run(tmp_path, {"x/a": keep}, {"x/a": keep, "x/new": noisy(1, 0.01, 5, 2)})
    out = capsys.readouterr().out
    assert rc == 0 and "Added (not compared): `x/new`" in out
    rc = run(tmp_path, {"x/a": keep, "x/old": keep}, {"x/a": keep})
    out, err = capsys.readouterr()
    assert rc == 3 and "`x/old`: removed" in out and "No regression" not in out
    assert "x/old: removed" in err


def write(path, runs):
    path.write_text(json.dumps({"context": {}, "benchmarks": runs}).replace('"NAN"', "NaN")
                    .replace('"INF"', "Infinity"))
    return str(path)


def rep(name, t, **extra):
    return {"name": name, "run_name": name, "run_type": "iteration", "iterations": 1,
            "real_time": t, "cpu_time": t, "time_unit": "ms", **extra}


@pytest.mark.parametrize("what", ["disjoint", "nan", "inf", "aggregates", "errored", "empty"])
def test_nothing_compared_is_never_a_pass(tmp_path, capsys, what):
    base = write(tmp_path / "b.json", [rep("x/a", 1.0 + i / 100) for i in range(6)])
    runs = {
        "disjoint": [rep("y/a", 1.0) for _ in range(6)],
        "nan": [rep("x/a", "NAN") for _ in range(6)],
        "inf": [rep("x/a", "INF") for _ in range(6)],
        "aggregates": [dict(rep("x/a", 1.0), run_type="aggregate", aggregate_name="median")],
        "errored": [rep("x/a", 0, error_occurred=True, error_message="max_abs_err 1")],
        "empty": [],
    }[what]
    rc = compare.main([base, write(tmp_path / "n.json", runs)])
    out, err = capsys.readouterr()
    assert rc == 3 and "No regression" not in out and err.strip()
    assert len(err.strip().splitlines()) == 1


def test_filter_and_threshold(tmp_path, capsys):
    base = {"x/a": noisy(100, 0.5, 10, 1), "y/b": noisy(100, 0.5, 10, 1)}
    new = {"x/a": noisy(100, 0.5, 10, 2), "y/b": noisy(110, 0.5, 10, 2)}
    assert run(tmp_path, base, new, "--filter", "^x/") == 0
    assert run(tmp_path, base, new, "--threshold", "20%") == 0
    assert run(tmp_path, base, new) == 1


def test_holm_correction_across_many_benchmarks(tmp_path, capsys):
    from da3bench import verdict
    # Holm's adjusted p-values, by hand: sorted 0.01, 0.02, 0.04 (m = 3)
    assert verdict.holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert verdict.holm([0.5, float("nan"), 0.01])[2] == pytest.approx(0.02)
    # 5 vs 5 fully separated: p = 2/252 = 0.0079 alone; over 10 benchmarks
    # Holm needs 0.005 from the smallest: the same slowdown is no longer
    # significant, so it cannot be a regression
    base = {"x/a": [100, 100.1, 100.2, 100.3, 100.4]}
    new = {"x/a": [120, 120.1, 120.2, 120.3, 120.4]}
    assert run(tmp_path, base, new) == 1
    capsys.readouterr()
    for i in range(9):
        base[f"y/{i}"] = noisy(100, 0.01, 5, 10 + i)
        new[f"y/{i}"] = noisy(100, 0.01, 5, 30 + i)
    rc = run(tmp_path, base, new, "--inconclusive", "pass")
    got = verdicts(capsys.readouterr().out)
    assert rc == 0 and got["x/a"] != "regression"


def test_a_false_alarm_rate_at_most_alpha_over_many_a_a_comparisons(tmp_path, capsys):
    """200 A/A comparisons of 10 benchmarks each, noise only: the whole
    comparison fails on noise (a regression anywhere) at most alpha of the time."""
    from da3bench import verdict
    rng = random.Random(7)
    false = 0
    for k in range(200):
        pairs = {f"b{j}": ([rng.lognormvariate(0, 0.05) for _ in range(8)],
                           [rng.lognormvariate(0, 0.05) for _ in range(8)]) for j in range(10)}
        rows = verdict.judge_all(pairs, 0.0, 0.05)  # threshold 0: only the test guards
        false += any(r["verdict"] == "regression" for r in rows.values())
    assert false / 200 <= 0.05


def test_spread_change_is_reported_apart_from_the_verdict(tmp_path, capsys):
    rc = run(tmp_path, {"x/a": noisy(100, 0.2, 12, 1)}, {"x/a": noisy(100, 3, 12, 2)},
             "--inconclusive", "pass")
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| `x/a`"))
    assert " changed |" in row and rc == 0


def test_same_inputs_byte_identical_output(tmp_path, capsys):
    base, new = {"x/a": noisy(100, 2, 9, 1)}, {"x/a": noisy(103, 2, 9, 2)}
    run(tmp_path, base, new)
    first = capsys.readouterr().out
    run(tmp_path, base, new)
    assert capsys.readouterr().out == first


def test_summary_file_gets_the_table(tmp_path, capsys):
    s = tmp_path / "summary.md"
    run(tmp_path, {"x/a": noisy(100, 0.5, 10, 1)}, {"x/a": noisy(100, 0.5, 10, 2)},
        "--summary", str(s))
    assert "| benchmark |" in s.read_text()


def test_an_unwritable_summary_is_refused_before_comparing(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    rc = run(tmp_path, {"x/a": noisy(100, 0.5, 10, 1)}, {"x/a": noisy(110, 0.5, 10, 2)},
             "--summary", str(tmp_path / "file" / "summary.md"))
    cap = capsys.readouterr()
    assert rc == 2 and cap.out == "" and cap.err.count("\n") == 1 and "--summary" in cap.err


@pytest.mark.parametrize("content", ["", "nope", '{"context": {}}', b"\xff\xfe{}",
                                     "[" * 100000 + "]" * 100000])
def test_malformed_input_exits_2(tmp_path, capsys, content):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    good = results(tmp_path / "good.json", {"x/a": [1, 2, 3, 4, 5]})
    assert compare.main([str(bad), good]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "Traceback" not in err


def test_bad_flags_exit_2(tmp_path, capsys):
    good = results(tmp_path / "good.json", {"x/a": [1, 2, 3, 4, 5]})
    assert compare.main([good, good, "--threshold", "lots"]) == 2
    assert compare.main([good, good, "--alpha", "2"]) == 2
    assert compare.main([good, good, "--filter", "("]) == 2


def test_mann_whitney_against_known_values():
    # fully separated samples of 5 and 5: exact two-sided p = 2/252
    assert stats.mann_whitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) == pytest.approx(2 / 252)
    assert stats.mann_whitney([1, 2, 3], [1, 2, 3]) == pytest.approx(1.0)
    lo, hi = stats.bootstrap_ratio([10.0] * 8, [11.0] * 8)
    assert lo == pytest.approx(1.1) and hi == pytest.approx(1.1)


def counts(path, benches):
    runs = [{"name": n, "run_name": n, "run_type": "iteration", "iterations": 1,
             "real_time": 1.0, "cpu_time": 1.0, "time_unit": "ms", "instructions": c}
            for n, c in benches.items()]
    path.write_text(json.dumps({"context": {"measure": "instructions"}, "benchmarks": runs}))
    return str(path)


def test_instruction_counts_are_judged_on_the_change(tmp_path, capsys):
    b = counts(tmp_path / "b.json", {"x/a": 1000000, "x/b": 500000, "x/c": 800000})
    n = counts(tmp_path / "n.json", {"x/a": 1000000, "x/b": 510000, "x/c": 790000})
    assert compare.main([b, n]) == 1  # x/b +2% beyond the 1% default
    out = capsys.readouterr().out
    assert "instruction counts" in out and "**regression**" in out and "| improvement |" in out
    assert compare.main([b, n, "--threshold", "3%"]) == 0


def test_counts_against_times_is_refused(tmp_path, capsys):
    b = counts(tmp_path / "b.json", {"x/a": 1000})
    t = results(tmp_path / "t.json", {"x/a": [1, 2, 3, 4, 5]})
    assert compare.main([b, t]) == 2
    assert "like with like" in capsys.readouterr().err


def test_counts_against_an_all_errored_file_says_it_errored(tmp_path, capsys):
    # not "one holds counts and the other times": the other holds nothing
    b = counts(tmp_path / "b.json", {"x/a": 1000})
    n = write(tmp_path / "n.json", [rep("x/a", 0, error_occurred=True, error_message="oom")])
    assert compare.main([b, n]) == 3
    err = capsys.readouterr().err
    assert "every benchmark errored" in err and "n.json" in err and "like with like" not in err
