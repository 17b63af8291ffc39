"""report.py's plots: the files are what they say, the markdown without
matplotlib, what the error bars are, and the gnuplot data and scripts."""

from conftest import SAMPLE, run_report as run


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


def test_plot_files_are_what_they_say(tmp_path):
    rc, out, text = run(tmp_path, SAMPLE)
    assert rc == 0
    for name in ("attention_time", "attention_gflops", "preprocess_throughput", "prefetch",
                 "roofline"):
        for ext in ("png", "pdf", "svg"):
            data = (out / f"{name}.{ext}").read_bytes()
            assert len(data) > 2000, (name, ext)
            if ext in MAGIC:
                assert data.startswith(MAGIC[ext]), (name, ext)
            else:
                assert b"<svg" in data[:2000], name
    # captions name the machine and the command of the data
    assert "*Figure 1:" in text and "command: `" in text and "AMD EPYC" in text.split("## Plots")[1]


def test_without_matplotlib_the_markdown_is_still_written(tmp_path, capsys, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    monkeypatch.delitem(sys.modules, "plots", raising=False)
    rc, out, text = run(tmp_path, SAMPLE)
    err = capsys.readouterr().err
    assert rc == 0 and "## 1. Summary" in text
    lines = [line for line in err.splitlines() if "matplotlib" in line]
    assert len(lines) == 1 and "install" in lines[0]
    assert not list(out.glob("attention_time.*"))


def test_plots_say_what_their_error_bars_are_and_name_fixed_parameters():
    from da3bench import plots
    assert "min–max of the\n3 repetitions" in plots.bars_note([3, 3])
    assert "95% interval of\nthe median, 8 repetitions" in plots.bars_note([8])
    assert "min–max below 6" in plots.bars_note([3, 8])
    assert plots.bars_note([]) == ""
    labels = [{"impl": i, "B": "B1", "H": "H8", "threads": "2 threads"} for i in ("flash", "blas")]
    title, legend = plots.common_parts(labels)
    assert title == "B1, H8, 2 threads" and legend == ["flash", "blas"]
    labels[1]["H"] = "H16"  # what differs stays in the legend
    title, legend = plots.common_parts(labels)
    assert title == "B1, 2 threads" and legend == ["flash, H8", "blas, H16"]


def test_gnuplot_data_has_intervals_ticks_and_the_bound(tmp_path, capsys):
    import shutil
    rc, out, text = run(tmp_path, SAMPLE)
    assert rc == 0
    att = (out / "attention.csv").read_text().splitlines()
    assert att[0].split(",")[1:5] == ["naive_ms", "naive_ms_lo", "naive_ms_hi", "naive_gflops"]
    for line in att[1:]:
        cells = line.split(",")
        for i in range(1, len(cells), 4):  # lo <= median <= hi wherever measured
            if cells[i]:
                assert float(cells[i + 1]) <= float(cells[i]) <= float(cells[i + 2]), line
    pf = (out / "prefetch.csv").read_text().splitlines()
    assert pf[0].startswith("io_ms,bound,depth-0,depth-0_lo,depth-0_hi")
    assert all(float(l.split(",")[1]) > 0 for l in pf[1:])  # the bound, drawn as points
    if shutil.which("gnuplot"):
        err = capsys.readouterr().err
        assert "gnuplot" not in err, err  # every script ran
        for name in ("attention", "preprocess", "prefetch"):
            assert (out / f"{name}_gnuplot.png").stat().st_size > 5000
        # each says what its error bars are, as the matplotlib plots do
        from da3bench import gnuplot, results
        m = results.merge_runs(results.load_many([SAMPLE], print))[0]
        meta = gnuplot.write_csv(m, str(tmp_path))
        capsys.readouterr()
        gnuplot.run(str(tmp_path), True, print, meta)
        shown = capsys.readouterr().out
        assert shown.count("error bars: min–max of the 3 repetitions") == 3, shown[:800]
