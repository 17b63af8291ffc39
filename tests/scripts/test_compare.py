"""compare.py's verdicts on constructed data, and its errors."""

import json
import random

import pytest

import compare
import stats


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


def test_unchanged(tmp_path, capsys):
    rc = run(tmp_path, {"x/a": noisy(100, 0.5, 10, 1)}, {"x/a": noisy(100, 0.5, 10, 2)})
    out = capsys.readouterr().out
    assert rc == 0 and "| unchanged |" in out


def test_ten_percent_slower_with_little_noise_fails(tmp_path, capsys):
    rc = run(tmp_path, {"x/a": noisy(100, 0.5, 10, 1)}, {"x/a": noisy(110, 0.5, 10, 2)})
    out = capsys.readouterr().out
    assert rc == 1 and "**slower**" in out


def test_ten_percent_slower_with_huge_noise_is_too_noisy(tmp_path, capsys):
    rc = run(tmp_path, {"x/a": noisy(100, 40, 6, 3)}, {"x/a": noisy(110, 40, 6, 4)})
    out = capsys.readouterr().out
    assert rc == 0 and "too noisy" in out


def test_faster_and_small_slowdown_pass(tmp_path, capsys):
    rc = run(tmp_path, {"x/fast": noisy(100, 0.2, 10, 1), "x/small": noisy(100, 0.05, 10, 5)},
             {"x/fast": noisy(80, 0.2, 10, 2), "x/small": noisy(101, 0.05, 10, 6)})
    out = capsys.readouterr().out
    assert rc == 0 and "| faster |" in out and "slower (< 5%)" in out


def test_too_few_repetitions_are_said_not_judged(tmp_path, capsys):
    rc = run(tmp_path, {"x/a": [100, 101, 100]}, {"x/a": [150, 151, 150]})
    out = capsys.readouterr().out
    assert rc == 0 and "too few runs (need 5)" in out


def test_added_and_removed_are_listed_not_failed(tmp_path, capsys):
    rc = run(tmp_path, {"x/old": noisy(1, 0.01, 5, 1)}, {"x/new": noisy(1, 0.01, 5, 2)})
    out = capsys.readouterr().out
    assert rc == 0 and "Added (not compared): `x/new`" in out and "Removed" in out


def test_filter_and_threshold(tmp_path, capsys):
    base = {"x/a": noisy(100, 0.5, 10, 1), "y/b": noisy(100, 0.5, 10, 1)}
    new = {"x/a": noisy(100, 0.5, 10, 2), "y/b": noisy(110, 0.5, 10, 2)}
    assert run(tmp_path, base, new, "--filter", "^x/") == 0
    assert run(tmp_path, base, new, "--threshold", "20%") == 0
    assert run(tmp_path, base, new) == 1


def test_summary_file_gets_the_table(tmp_path, capsys):
    s = tmp_path / "summary.md"
    run(tmp_path, {"x/a": noisy(100, 0.5, 10, 1)}, {"x/a": noisy(100, 0.5, 10, 2)},
        "--summary", str(s))
    assert "| benchmark |" in s.read_text()


@pytest.mark.parametrize("content", ["", "nope", '{"context": {}}'])
def test_malformed_input_exits_2(tmp_path, capsys, content):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
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
    assert "instruction counts" in out and "**slower**" in out and "| faster |" in out
    assert compare.main([b, n, "--threshold", "3%"]) == 0


def test_counts_against_times_is_refused(tmp_path, capsys):
    b = counts(tmp_path / "b.json", {"x/a": 1000})
    t = results(tmp_path / "t.json", {"x/a": [1, 2, 3, 4, 5]})
    assert compare.main([b, t]) == 2
    assert "like with like" in capsys.readouterr().err
