"""report.py's exported tables: CSV columns, LaTeX that fits a two-column paper
(pdflatex where present), names by content, intervals named for what they are."""

import copy
import json
import os
import re

import pytest

from conftest import ROOT, SAMPLE, run_report as run


def test_every_table_as_csv_and_latex(tmp_path):
    rc, out, text = run(tmp_path, SAMPLE, extra=("--format", "latex", "--no-plots"))
    assert rc == 0
    tables = sorted((out / "tables").iterdir())
    csvs = [t for t in tables if t.suffix == ".csv"]
    texs = [t for t in tables if t.suffix == ".tex"]
    # one CSV and one .tex per markdown table of the report
    md_tables = sum(1 for block in text.split("\n\n") if block.lstrip().startswith("| "))
    assert len(csvs) == len(texs) == md_tables >= 5
    import csv as csvmod
    # named by content, not position: the same names whatever the run holds
    names = {t.stem for t in csvs}
    assert {"summary", "attention_optimization", "combined_impact"} <= names, names
    assert not [n for n in names if n[0].isdigit()]
    # numbers in cells of their own: no "±", no unit suffix, no dash for missing
    att = list(csvmod.reader(open(out / "tables" / "attention_optimization.csv",
                                  encoding="utf-8")))
    assert "speedup (x)" in att[0] and any(h.endswith(" sd") for h in att[0]), att[0]
    # beside each median and sd, the repetitions it is from (the sample has 3)
    ncols = [i for i, h in enumerate(att[0]) if h.endswith(" n")]
    assert ncols and all(r[i] in ("3", "") for r in att[1:] for i in ncols), att[:3]
    assert any(r[i] == "3" for r in att[1:] for i in ncols), att[:3]
    for row in att[1:]:
        for cell in row:
            assert cell == "" or float(cell) == float(cell), (cell, row)
    for t in csvs:
        body = t.read_text(encoding="utf-8")
        assert "—" not in body, t
    summary = list(csvmod.reader(open(out / "tables" / "summary.csv", encoding="utf-8")))
    assert summary[0][-1] == "seed, published (its hardware)"
    assert all(len(r) == len(summary[0]) for r in summary)
    for t in texs:
        body = t.read_text()
        assert body.count(r"\toprule") == body.count(r"\midrule") == body.count(r"\bottomrule") == 1
        assert r"\begin{tabular}" in body and r"\caption{" in body
        # every special character escaped: no bare _ or % or # outside commands
        assert body.startswith("% ") and "needs \\usepackage{booktabs,graphicx,array}" in body
        body = re.sub(r"([{}])%\n", r"\1\n", body.split("\n", 1)[1])  # line-end comments
        cells = body.replace(r"\\", "").replace(" & ", " ")  # row ends and column separators
        assert not re.search(r"(?<!\\)[_%#&]", cells)
    # markdown only without --format latex
    rc, out2, _ = run(tmp_path / "b", SAMPLE, extra=("--no-plots",))
    assert not list((out2 / "tables").glob("*.tex")) and list((out2 / "tables").glob("*.csv"))


def test_latex_tables_fit_a_two_column_paper(tmp_path):
    """Every exported table, and a wider one than any report has, compiles
    in a two-column article with no overfull box (pdflatex, where present)."""
    import shutil
    import subprocess
    from da3bench import tables as report_tables
    if not shutil.which("pdflatex"):
        pytest.skip("no pdflatex (Debian: texlive-latex-base texlive-latex-recommended)")
    # every kind of result the reference has: several machines (their
    # context tables the longest, a GPU host's command line the widest
    # cell), the block and image suites, bf16, the GPU, both baselines files
    ref = os.path.join(ROOT, "reports", "reference")
    files = [SAMPLE] + [os.path.join(ref, f) for f in (
        "block-zen4-2026-12-04.json", "image-zen4-2026-12-04.json",
        "attention-bf16-zen4-2026-12-04.json", "cuda-h200-2026-12-04/attn-seed.json",
        "cuda-h200-2026-12-04/prefetch.json", "baselines-attention-zen4-2026-12-03.json",
        "baselines-attention-bf16-zen4-2026-12-04.json")]
    rc, out, text = run(tmp_path, *files, extra=("--format", "latex", "--no-plots"))
    assert rc == 0
    texs = sorted((out / "tables").glob("*.tex"))
    assert len(texs) >= 15
    # named by what they hold: the same names whatever the files' order, no
    # name made unique by a counter, none cut inside a word
    names = {t.name for t in texs}
    assert not [n for n in names if re.search(r"_\d\.tex$", n)], sorted(names)
    assert "technical_details_vm_amd_epyc_avx512_2026_12_04t11_43.tex" in names, sorted(names)
    rc, out2, _ = run(tmp_path / "reversed", *files[::-1],
                      extra=("--format", "latex", "--no-plots"))
    assert {t.name for t in (out2 / "tables").glob("*.tex")} == names
    wide = report_tables.latex_table(
        "Wide: 15 columns and a long --flag cell", "wide",
        [f"column number {i} ms" for i in range(14)] + ["notes"],
        [[f"{i * 123.456:.3f} ± 1.234" for i in range(14)] +
         ["da3bench --preset seed --report /tmp/some/long/path -q, " * 3]])
    (out / "tables" / "zz_wide.tex").write_text(wide)
    texs.append(out / "tables" / "zz_wide.tex")
    doc = ["\\documentclass[twocolumn]{article}",
           "\\usepackage{" + report_tables.LATEX_PACKAGES + "}", "\\begin{document}"]
    doc += [f"\\input{{tables/{t.name}}}" for t in texs] + ["Text.", "\\end{document}"]
    (out / "paper.tex").write_text("\n".join(doc) + "\n")
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
                       cwd=out, capture_output=True, text=True, timeout=120)
    log = (out / "paper.log").read_text(errors="replace")
    assert r.returncode == 0, log[-3000:]
    assert "Overfull \\hbox" not in log, [l for l in log.splitlines() if "Overfull" in l]
    assert "Float too large" not in log, [l for l in log.splitlines() if "too large" in l]
    aux = (out / "paper.aux").read_text()
    for t in texs:  # each table was typeset with its label
        label = re.search(r"\\label\{(tab:[^}]+)\}", t.read_text()).group(1)
        assert label in aux, label
    assert "-{}-preset" in wide  # a --flag is not an en dash


def test_an_interval_is_called_95_only_where_the_repetitions_make_one(tmp_path):
    # the sample has 3 repetitions a case: min-max, which holds the median 75%
    rc, out, text = run(tmp_path / "a", SAMPLE, extra=("--no-plots",))
    att = text.split("## 2. Attention")[1].split("## 3.")[0]
    assert "speedup [min–max]" in att and "speedup [95%]" not in att
    head = (out / "tables" / "attention_optimization.csv").read_text().splitlines()[0]
    assert "speedup min" in head and "95%" not in head, head
    # the same cases with 8 repetitions each (every one copied): a 95% interval
    doc = json.load(open(SAMPLE))
    its = [b for b in doc["benchmarks"] if b.get("run_type") == "iteration"]
    for b in its:
        for k in range(5):
            c = copy.deepcopy(b)
            c["real_time"] *= 1 + 0.001 * (k + 1)
            doc["benchmarks"].append(c)
    p = tmp_path / "eight.json"
    p.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path / "b", p, extra=("--no-plots",))
    att = text.split("## 2. Attention")[1].split("## 3.")[0]
    assert "speedup [95%]" in att, att[:600]
    head = (out / "tables" / "attention_optimization.csv").read_text().splitlines()[0]
    assert "speedup 95% lo" in head, head
