"""history.py: the static page and its data, from constructed runs; and, where
Debian's chromium is installed, the page in a real headless browser."""

import json
import shutil
import subprocess

import pytest

import history


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
    pts = data["benchmarks"]["k/a"]
    assert [p["commit"] for p in pts] == ["aaaaaaa", "bbbbbbb", "ccccccc"]  # date order
    assert pts[0]["median"] == 10.5 and pts[0]["lo"] == 10 and pts[0]["hi"] == 11
    assert data["machines"] == ["CPU A, 2 cores, avx2", "CPU B, 2 cores, avx2"]
    html = (out / "index.html").read_text()
    assert '<script src="history-data.js">' in html and "http" not in html.replace(NS, "")


NS = "http://www.w3.org/2000/svg"


def test_nothing_readable_exits_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert history.main([str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_the_page_draws_in_a_headless_browser(tmp_path):
    out = tmp_path / "site"
    history.main([str(make(tmp_path)), "--out", str(out)])
    p = subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--enable-logging=stderr", "--v=0", "--dump-dom",
                        f"file://{out}/index.html"], capture_output=True, text=True, timeout=120)
    assert 'data-drawn="1"' in p.stdout  # the script ran to its end and drew the chart
    assert p.stdout.count("<circle") == 3
    assert "Uncaught" not in p.stderr and "CONSOLE" not in p.stderr
