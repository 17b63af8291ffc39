"""history.py: the static page and its data, from constructed runs; and, where
Debian's chromium is installed, the page in a real headless browser."""

import json
import shutil
import subprocess

import pytest

from da3bench import history


def run_file(path, commit, date, times, cpu="CPU A"):
    runs = [{"name": "k/a", "run_name": "k/a", "run_type": "iteration", "repetitions": len(times),
             "repetition_index": i, "iterations": 1, "real_time": t, "cpu_time": t,
             "time_unit": "ms"} for i, t in enumerate(times)]
    path.write_text(json.dumps({"context": {"git_commit": commit, "date": date, "cpu_model": cpu,
                                            "cores": "2", "isa_selected": "avx2"},
                                "benchmarks": runs}))


def make(tmp_path):
    res = tmp_path / "results"
    res.mkdir()
    run_file(res / "b.json", "bbbbbbb", "2026-11-02", [12, 13, 12.5, 12.2, 12.8])
    run_file(res / "a.json", "aaaaaaa", "2026-11-01", [10, 11, 10.5, 10.2, 10.8])
    run_file(res / "c.json", "ccccccc", "2026-11-03", [9, 9.5, 9.2], cpu="CPU B")
    (res / "broken.json").write_text("{")
    return res


def test_page_and_data(tmp_path, capsys):
    out = tmp_path / "site"
    assert history.main([str(make(tmp_path)), "--out", str(out)]) == 0
    assert "broken.json" in capsys.readouterr().err
    js = (out / "history-data.js").read_text()
    data = json.loads(js[js.index("=") + 1:].rstrip().rstrip(";"))
    bench = data["benchmarks"]["k/a"]
    assert bench["unit"] == "ms" and bench["higher_is_better"] is False
    pts = bench["points"]
    assert [p["commit"] for p in pts] == ["aaaaaaa", "bbbbbbb", "ccccccc"]  # date order
    assert pts[0]["median"] == 10.5 and pts[0]["lo"] == 10 and pts[0]["hi"] == 11
    assert data["machines"] == ["CPU A, 2 cores, avx2", "CPU B, 2 cores, avx2"]
    html = (out / "index.html").read_text()
    assert '<script src="history-data.js">' in html and "http" not in html.replace(NS, "")


NS = "http://www.w3.org/2000/svg"


def test_nothing_readable_exits_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert history.main([str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2


def test_an_unwritable_out_is_one_line_before_reading(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert history.main([str(tmp_path / "nothing-here"), "--out",
                         str(tmp_path / "file" / "site")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "file/site" in err


def test_steps_are_detected_per_machine_and_marked_with_their_commit(tmp_path):
    out = tmp_path / "site"
    assert history.main([str(make(tmp_path)), "--out", str(out)]) == 0
    data = _data(out)
    st = data["benchmarks"]["k/a"]["steps"]
    # a -> b on CPU A: +19%, intervals apart; c is another machine, no step
    assert len(st) == 1 and st[0]["commit"] == "bbbbbbb" and st[0]["before"] == "aaaaaaa"
    assert st[0]["worse"] and abs(st[0]["change"] - (12.5 / 10.5 - 1)) < 1e-9
    assert data["steps"] == 1 and data["step_pct"] == 5
    # a change above --step hidden by the noise is no step; nor one below it
    pts = [{"median": m, "lo": m - 3, "hi": m + 3} for m in (10, 10, 12, 12)]
    assert history.steps(pts, 0.05) == []
    pts = [{"median": m, "lo": m - 0.1, "hi": m + 0.1} for m in (10, 10, 10.3, 10.3)]
    assert history.steps(pts, 0.05) == []
    # one step among several runs, found at its run, not its neighbours
    meds = [10, 10.1, 9.9, 10, 12, 12.1, 11.9, 12]
    pts = [{"median": m, "lo": m - 0.2, "hi": m + 0.2} for m in meds]
    assert [i for i, _ in history.steps(pts, 0.05)] == [4]


def test_the_peak_is_drawn_in_its_own_unit(tmp_path):
    res = tmp_path / "r"
    res.mkdir()
    for k, (c, d, g) in enumerate((("aaaaaaa", "2026-11-01T10:00:00+00:00", 200.0),
                                   ("aaaaaaa", "2026-11-01T11:00:00+00:00", 150.0))):
        runs = [{"name": "peak/fma/threads:2", "run_name": "peak/fma/threads:2",
                 "run_type": "iteration", "repetitions": 3, "repetition_index": i,
                 "iterations": 1, "real_time": 1.0, "cpu_time": 1.0, "time_unit": "ms",
                 "GFLOPS": g + i} for i in range(3)]
        (res / f"{k}.json").write_text(json.dumps({"context": {"git_commit": c, "date": d},
                                                   "benchmarks": runs}))
    out = tmp_path / "site"
    assert history.main([str(res), "--out", str(out), "--step", "10%"]) == 0
    b = _data(out)["benchmarks"]["peak/fma/threads:2"]
    assert b["unit"] == "GFLOP/s" and b["higher_is_better"]
    assert [p["median"] for p in b["points"]] == [201.0, 151.0]
    assert len(b["steps"]) == 1 and b["steps"][0]["worse"]  # a lower peak is worse


def _data(out):
    js = (out / "history-data.js").read_text()
    return json.loads(js[js.index("=") + 1:].rstrip().rstrip(";"))


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_a_screenshot_shows_the_step(tmp_path):
    """The page in headless Chromium at 1400 px: the step's dashed line and
    label are drawn (its colour is on screen); a history without a step
    has none of that colour."""
    import matplotlib.image
    counts = {}
    for kind, later in (("step", [12, 13, 12.5, 12.2, 12.8]), ("flat", [10, 11, 10.5, 10.2, 10.8])):
        res = tmp_path / kind / "results"
        res.mkdir(parents=True)
        run_file(res / "a.json", "aaaaaaa", "2026-11-01", [10, 11, 10.5, 10.2, 10.8])
        run_file(res / "b.json", "bbbbbbb", "2026-11-02", later)
        out = tmp_path / kind / "site"
        history.main([str(res), "--out", str(out)])
        shot = tmp_path / kind / "shot.png"
        subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", "--window-size=1400,700", f"--screenshot={shot}",
                        f"file://{out}/index.html"], capture_output=True, text=True, timeout=120)
        img = matplotlib.image.imread(str(shot))[:, :, :3]
        target = (0xD5 / 255, 0x5E / 255, 0x00 / 255)  # the colour of a worse step
        near = ((abs(img[:, :, 0] - target[0]) < 0.08) & (abs(img[:, :, 1] - target[1]) < 0.08)
                & (abs(img[:, :, 2] - target[2]) < 0.08))
        counts[kind] = int(near.sum())
    assert counts["step"] > 100 and counts["flat"] == 0, counts


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_the_page_draws_in_a_headless_browser(tmp_path):
    out = tmp_path / "site"
    history.main([str(make(tmp_path)), "--out", str(out)])
    p = subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--enable-logging=stderr", "--v=0", "--dump-dom",
                        f"file://{out}/index.html"], capture_output=True, text=True, timeout=120)
    assert 'data-drawn="1"' in p.stdout  # the script ran to its end and drew the chart
    assert 'data-steps="1"' in p.stdout and 'class="step"' in p.stdout
    assert "bbbbbbb" in p.stdout and "11-02" in p.stdout  # commit and date on the axis
    assert p.stdout.count("<circle") == 3
    assert "Uncaught" not in p.stderr and "CONSOLE" not in p.stderr


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_the_x_axis_by_date_spaces_the_runs_by_their_time(tmp_path):
    """Runs a day and then eight days apart: evenly spaced by default, 1:8
    on the date scale (index.html#x=date)."""
    import re
    res = tmp_path / "results"
    res.mkdir()
    run_file(res / "a.json", "aaaaaaa", "2026-11-01", [10, 11, 10.5])
    run_file(res / "b.json", "bbbbbbb", "2026-11-02", [10, 11, 10.5])
    run_file(res / "c.json", "ccccccc", "2026-11-10", [10, 11, 10.5])
    out = tmp_path / "site"
    history.main([str(res), "--out", str(out)])
    gaps = {}
    for mode in ("", "#x=date"):
        p = subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                            "--dump-dom", f"file://{out}/index.html{mode}"],
                           capture_output=True, text=True, timeout=120)
        cx = [float(v) for v in re.findall(r'<circle cx="([-0-9.e]+)"', p.stdout)]
        assert len(cx) == 3, p.stdout[-2000:]
        gaps[mode] = (cx[2] - cx[1]) / (cx[1] - cx[0])
    assert abs(gaps[""] - 1) < 1e-6 and abs(gaps["#x=date"] - 8) < 1e-6, gaps


@pytest.mark.parametrize("bad", ["abc", "0", "-5%", "2000%", "nan"])
def test_a_bad_step_is_a_usage_error_naming_the_flag(tmp_path, capsys, bad):
    with pytest.raises(SystemExit) as e:
        history.main([str(tmp_path), "--out", str(tmp_path / "site"), f"--step={bad}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert e.value.code == 2 and f"--step {bad}: a positive relative change" in err[-1]
