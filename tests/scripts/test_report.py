"""report.py on committed sample output of da3bench (a real run, small)."""

import copy
import json
import os
import re

import pytest

from conftest import ROOT, SAMPLE, run_report as run

SECTIONS = ["## 1. Summary", "## 2. Attention Optimization", "## 3. Preprocessing Optimization",
            "## 4. Prefetch Pipeline", "## 5. Combined Impact", "## 6. Technical Details",
            "## 7. Recommendations"]


def test_every_section_and_plot(tmp_path):
    rc, out, text = run(tmp_path, SAMPLE)
    assert rc == 0
    for s in SECTIONS:
        assert s in text
    for plot in ("attention_time", "attention_gflops", "preprocess_throughput", "prefetch",
                 "roofline"):
        for ext in ("png", "svg"):
            f = out / f"{plot}.{ext}"
            assert f.exists() and f.stat().st_size > 2000, f
    # figures come from the file: the sample's flash rows are in the table
    assert "flash" in text and "x" in text
    # the captions say what the plots say of their error bars: the sample
    # has 3 repetitions, so min-max, never a 95% interval
    captions = [l for l in text.splitlines() if l.startswith("*Figure")]
    bars = [c for c in captions if "error bars" in c]
    assert len(bars) >= 4, captions
    assert all("min–max of the 3 repetitions" in c and "95% interval of the median" not in c
               for c in bars), bars
    assert (out / "attention.csv").read_text().startswith("N,")


def test_recommendations_come_from_the_numbers(tmp_path):
    rc, out, text = run(tmp_path, SAMPLE)
    rec = text.split("## 7. Recommendations")[1]
    assert "was fastest in" in rec and "workers" in rec


def test_two_machines_one_column_each(tmp_path):
    doc = json.load(open(SAMPLE))
    other = copy.deepcopy(doc)
    other["context"]["host_name"] = "second-runner"
    p = tmp_path / "second.json"
    p.write_text(json.dumps(other))
    rc, out, text = run(tmp_path, SAMPLE, p)
    assert rc == 0
    header = [l for l in text.splitlines() if l.startswith("|  |")][0]
    # the label column, one per machine, and the seed's published figures
    assert header.count("|") == 5 and "second-runner" in header


def test_missing_counter_and_errored_benchmark(tmp_path, capsys):
    doc = json.load(open(SAMPLE))
    for b in doc["benchmarks"]:
        b.pop("GFLOPS", None)
    first = next(b for b in doc["benchmarks"] if b["name"].startswith("attention/flash"))
    first["error_occurred"] = True
    first["error_message"] = "max_abs_err 1 above the tolerance"
    p = tmp_path / "broken.json"
    p.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, p)
    assert rc == 0
    assert "## Benchmarks that failed" in text and "max_abs_err 1" in text
    assert "failed" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["", "{not json", '{"benchmarks": 3}', "[1, 2]",
                                     b"\xff\xfe{}", "[" * 100000 + "]" * 100000])
def test_bad_files_are_named_without_traceback(tmp_path, capsys, content):
    p = tmp_path / "bad.json"
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    rc, out, text = run(tmp_path, p)
    err = capsys.readouterr().err
    assert rc == 2
    assert "bad.json" in err and "Traceback" not in err


def test_an_unwritable_out_is_one_line_exit_2(tmp_path, capsys):
    from da3bench import report
    (tmp_path / "file").write_text("")
    assert report.main([str(SAMPLE), "--out", str(tmp_path / "file" / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "Not a directory" in err


def test_a_bad_file_beside_a_good_one(tmp_path, capsys):
    p = tmp_path / "empty.json"
    p.write_text("")
    rc, out, text = run(tmp_path, SAMPLE, p)
    # the good one is reported, and the exit says one was left out
    assert rc == 1 and "## 1. Summary" in text
    err = capsys.readouterr().err
    assert "empty.json: empty file" in err and "1 of the 2 files given left out" in err


def test_seed_published_column_is_labelled_and_separate(tmp_path):
    rc, out, text = run(tmp_path, SAMPLE, extra=("--no-plots",))
    assert rc == 0
    header = next(line for line in text.splitlines() if line.startswith("|  |"))
    assert header.rstrip(" |").endswith("seed, published (its hardware)")
    prefetch = next(line for line in text.splitlines() if line.startswith("| prefetch: speedup"))
    assert prefetch.rstrip(" |").endswith("1.26x MPS, 1.37x CPU")
    assert "not a measurement of this suite" in text


def test_an_emulated_run_is_flagged(tmp_path):
    doc = json.load(open(SAMPLE))
    doc["context"]["emulated"] = "true: an instruction-set emulator ran this"
    f = tmp_path / "emu.json"
    f.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, f, extra=("--no-plots",))
    assert rc == 0
    assert "**Emulated:**" in text.split("## 1. Summary")[0]
    rc, out, text = run(tmp_path, SAMPLE, extra=("--no-plots",))
    assert "Emulated" not in text


def test_gpu_skipped_is_said_in_its_sections(tmp_path):
    doc = json.load(open(SAMPLE))
    doc["context"]["cuda_skipped"] = "no NVIDIA driver on this machine (libcuda.so.1 not found)"
    p = tmp_path / "skipped.json"
    p.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, p)
    assert rc == 0
    att = text.split("## 2. Attention")[1].split("## 3.")[0]
    pf = text.split("## 4. Prefetch")[1].split("## 5.")[0]
    for sec in (att, pf):
        assert "### GPU (CUDA)" in sec and "skipped — no NVIDIA driver" in sec


def _gpu_record(name, ms, **counters):
    # shaped as Google Benchmark writes a repetition; the values are made up
    # to test the table's arithmetic, and appear in no report
    return {"name": name, "run_name": name, "run_type": "iteration", "repetitions": 3,
            "iterations": 10, "real_time": ms, "cpu_time": ms, "time_unit": "ms", **counters}


def test_gpu_tables_compute_from_the_records(tmp_path):
    doc = json.load(open(SAMPLE))
    doc["context"].update(cuda_device="Test GPU", cuda_sms="2", cuda_peak_gflops="1000",
                          cuda_nominal_gflops="1100", cuda_compute_capability="9.0")
    base = "cuda_attention/{}/B:2/H:8/N:4096/D:64"
    for _ in range(3):
        doc["benchmarks"] += [
            _gpu_record(base.format("naive"), 12.0, max_abs_err=1e-6),
            _gpu_record(base.format("naive_tf32"), 6.0, max_abs_err=1e-3),
            _gpu_record(base.format("flash"), 3.0, GFLOPS=700.0, pct_peak=70.0, max_abs_err=2e-6),
            # as the H200 wrote it before the suite dropped it: tf32 against
            # the fp32 FMA peak, which is not the tensor cores' roof
            _gpu_record(base.format("flash_tf32"), 1.5, GFLOPS=1400.0, pct_peak=140.0,
                        max_abs_err=8e-4),
            # a tuning variant chosen with --cuda-impl gets its own column
            _gpu_record(base.format("flash_br128"), 2.5, GFLOPS=840.0, max_abs_err=2e-6),
            _gpu_record("cuda_prefetch/depth:0/io_ms:5", 300.0, bound_ratio=1.9, io_ms=5.0,
                        h2d_ms=0.02, compute_ms=0.1),
            _gpu_record("cuda_prefetch/depth:2/io_ms:5", 255.0, bound_ratio=1.01, io_ms=5.0,
                        h2d_ms=0.02, compute_ms=0.1, speedup=1.18),
        ]
    p = tmp_path / "gpu.json"
    p.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, p)
    assert rc == 0
    att = text.split("## 2. Attention")[1].split("## 3.")[0].split("### GPU (CUDA)")[1]
    assert "Test GPU" in att and "1000 GFLOP/s" in att
    row = [l for l in att.splitlines() if l.startswith("| 4096")][0]
    assert "4.00x" in row and "| 700 |" in row and "| 70.0 |" in row and "8.0e-04" not in row
    assert "1.0e-03" in row  # the largest error of the five
    assert "140.0" not in att  # no tf32 % of an fp32 roof
    from da3bench import results, sections
    att_s = sections.cuda_attention(results.load(str(p)))[(2, 8, 4096, 64)]
    assert att_s["flash_tf32"]["pct"] is None and att_s["flash"]["pct"] == 70.0
    head = [l for l in att.splitlines() if l.startswith("| seq")][0]
    assert "| flash_tf32 ms | flash_br128 ms |" in head and "| 2.500" in row
    pf = text.split("## 4. Prefetch")[1].split("## 5.")[0].split("### GPU (CUDA)")[1]
    assert "pinned, async" in pf and "1.18x" in pf and "1.010" in pf
    assert (out / "cuda_attention_gflops.png").stat().st_size > 2000
    assert "cuda_attention_gflops.png" in text


def test_baselines_files_get_a_section_of_their_own(tmp_path, capsys):
    doc = {"context": {"cpu_model": "TestCPU", "isa": "avx2", "git_commit": "abc",
                       "versions": {"torch": "2.15.0"}, "notes": ["opencv: skipped (cv2 not installed)"]},
           "benchmarks": [{"name": "baseline/attention/da3_flash/B:1/H:2/N:64/D:32/threads:2",
                           "real_time": 1.5, "stddev_ms": 0.1, "GFLOPS": 12.0, "pct_peak": 40.0,
                           "time_ratio": 1.0, "time_ratio_min": 1.0, "time_ratio_max": 1.0,
                           "max_abs_err": 1e-7},
                          {"name": "baseline/attention/torch_sdpa/B:1/H:2/N:64/D:32/threads:2",
                           "real_time": 2.25, "stddev_ms": 0.2, "GFLOPS": 8.0, "pct_peak": 26.7,
                           "time_ratio": 1.5, "time_ratio_min": 1.4, "time_ratio_max": 1.6,
                           "max_abs_err": 2e-8}]}
    bl = tmp_path / "bl.json"
    bl.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, SAMPLE, bl)
    assert rc == 0
    for s in SECTIONS:  # the machine sections are as without it
        assert s in text
    side = text.split("## 8. Side by side with other libraries", 1)[1]
    assert "| B1 H2 N64 D32 | torch_sdpa | 2.25 ± 0.20 | 8.0 | 26.7% | 1.50x [1.40..1.60]" in side
    assert "TestCPU, ISA avx2, commit `abc`" in side and "torch 2.15.0" in side
    assert "- opencv: skipped (cv2 not installed)" in side
    # not a machine: no column of its own in the summary
    header = [l for l in text.splitlines() if l.startswith("|  |")][0]
    assert header.count("|") == 3 + 1  # one machine + the seed's column
    # a baselines file alone is not a report
    rc, _, _ = run(tmp_path / "alone", bl)
    assert rc == 2
    assert "baselines.py's files go beside one" in capsys.readouterr().err


def test_baselines_tables_are_exported_like_the_others(tmp_path):
    doc = {"context": {}, "benchmarks": [
        {"name": "baseline/preprocess/da3_full/size:640x360/threads:1", "real_time": 2.0,
         "stddev_ms": 0.1, "img_per_s": 500.0, "time_ratio": 1.0, "time_ratio_min": 1.0,
         "time_ratio_max": 1.0, "max_abs_diff_vs_da3_full": 0.0,
         "mean_abs_diff_vs_da3_full": 0.0}]}
    bl = tmp_path / "pp.json"
    bl.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, SAMPLE, bl, extra=["--format", "latex"])
    assert rc == 0
    csvs = sorted((out / "tables").glob("*side_by_side*.csv"))
    assert len(csvs) == 1
    # numbers in their own cells: median, sd, rate, ratio [min..max]
    assert csvs[0].read_text().splitlines()[1].startswith("da3_full,2.00,0.10,500,1.00,1.00,1.00")
    tex = csvs[0].with_suffix(".tex").read_text()
    assert "Side by side, preprocessing: pp.json" in tex


def test_a_broken_baselines_file_is_named_and_left_out(tmp_path, capsys):
    bl = tmp_path / "bl.json"
    bl.write_text(json.dumps({"context": {}, "benchmarks": [
        {"name": "baseline/attention/x/B:1/H:1/N:8/D:16/threads:1", "real_time": 1.0}]}))
    rc, out, text = run(tmp_path, SAMPLE, bl)
    assert rc == 1 and "## 8. Side by side" not in text
    assert "bl.json: a scripts/baselines.py file with a field missing or wrong" in \
        capsys.readouterr().err


def test_a_result_above_the_peak_marks_the_peak_not_the_result(tmp_path):
    # a fake peak: every flash result at 140% of it, beyond a physical limit
    doc = json.load(open(SAMPLE))
    for b in doc["benchmarks"]:
        if b["name"].startswith("attention/flash") and "pct_peak" in b:
            b["pct_peak"] = 140.0
    p = tmp_path / "above.json"
    p.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, p, extra=("--no-plots",))
    assert rc == 0
    assert "peak under-measured (140%?)" in text
    assert "| attention: flash, best % of peak | 140" not in text


def test_combined_impact_names_what_the_run_lacks(tmp_path):
    # never a row of dashes: without the 8-worker case it says what is missing
    doc = json.load(open(SAMPLE))
    doc["benchmarks"] = [b for b in doc["benchmarks"] if "/workers:8/" not in b["name"]]
    f = tmp_path / "no8.json"
    f.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, f, extra=("--no-plots",))
    assert rc == 0
    section = text.split("Combined Impact", 1)[1].split("\n## ", 1)[0]
    assert "not in this run: preprocess --workers 8" in section
    assert "a needed result is missing" not in section
    # and the sample with it has figures, not dashes
    rc, out, text = run(tmp_path / "full", SAMPLE, extra=("--no-plots",))
    section = text.split("Combined Impact", 1)[1].split("\n## ", 1)[0]
    assert "not in this run" not in section and re.search(r"\| \d+\.\d\dx \|", section)


def test_summary_ratios_span_the_cases(tmp_path):
    # flash vs blas over every case, not the largest alone (blas may win at N256)
    rc, out, text = run(tmp_path, SAMPLE, extra=("--no-plots",))
    row = next(l for l in text.splitlines() if l.startswith("| attention: flash vs blas"))
    assert re.search(r"\d\.\d\dx – \d\.\d\dx \(3 cases\)", row), row


def test_speedups_say_which_are_noise(tmp_path):
    doc = json.load(open(SAMPLE))
    names = {}
    for b in doc["benchmarks"]:
        if b.get("run_type") == "iteration" and b["name"].startswith("attention/"):
            names.setdefault(b["name"].split("/")[1], []).append(b)
    assert "naive" in names and "fused" in names
    # overlapping repetitions: naive and fused the same times
    same = copy.deepcopy(doc)
    fused_times = sorted(b["real_time"] for b in names["fused"])
    for b in same["benchmarks"]:
        if b.get("run_type") == "iteration" and b["name"].startswith("attention/naive/"):
            b["real_time"] = b["real_time"] * 0 + fused_times[len(fused_times) // 2]
    p = tmp_path / "same.json"
    p.write_text(json.dumps(same))
    rc, out, text = run(tmp_path / "a", p, extra=("--no-plots",))
    att = text.split("## 2. Attention")[1].split("## 3.")[0]
    assert "Within the noise" in att and "cannot tell fused from naive" in att
    assert re.search(r"\| 1\.0\dx \[0\.\d\d\.\.1\.\d\d\] \|", att), att
    assert "within the noise in" in text.split("## 2.")[0]
    # naive 3x slower in every repetition: no interval holds 1
    slow = copy.deepcopy(doc)
    worst = max(b["real_time"] for b in names["fused"])
    for b in slow["benchmarks"]:
        if b.get("run_type") == "iteration" and b["name"].startswith("attention/naive/"):
            b["real_time"] = 3 * worst + b["real_time"] * 0.01
    p = tmp_path / "slow.json"
    p.write_text(json.dumps(slow))
    rc, out, text = run(tmp_path / "b", p, extra=("--no-plots",))
    att = text.split("## 2. Attention")[1].split("## 3.")[0]
    assert "none of them is noise" in att
    assert "beyond the noise in every case" in text.split("## 2.")[0]


BLOCK_SAMPLE = os.path.join(ROOT, "tests", "data", "block-sample.json")


def block_rows(text):
    section = text.split("### One DA3 block, measured", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| ViT")]
    return section, rows


def test_the_block_suite_has_its_table_in_combined_impact(tmp_path):
    # a real run: ViT-S, 2 views within each and across, naive and flash
    rc, out, text = run(tmp_path, SAMPLE, BLOCK_SAMPLE, extra=("--no-plots",))
    assert rc == 0
    section, rows = block_rows(text)
    assert len(rows) == 4 and {r[3] for r in rows} == {"naive", "flash"}
    assert {r[1] for r in rows} == {"2 views, within each", "2 views, across"}
    for r in rows:
        shares = [float(x) for x in r[7].split(" / ")]
        assert 95 <= sum(shares) <= 102, r  # rounded shares of one block's time
        assert 0 < float(r[6]) <= 103 and float(r[8]) > 0
        assert float(r[9]) == pytest.approx(12 * float(r[4].split()[0]) / 1000, abs=0.01)
    # a sentence per shape with both implementations, from the same numbers
    says = [l for l in section.splitlines() if l.startswith("- ViT-S")]
    assert len(says) == 2 and all("faster" in l and "over its 12 blocks" in l for l in says)
    assert list((out / "tables").glob("block*.csv"))  # one per machine


def test_a_block_above_the_peak_says_the_peak_is_suspect(tmp_path):
    doc = json.load(open(BLOCK_SAMPLE))
    for b in doc["benchmarks"]:
        if b["name"].startswith("block/flash") and "pct_peak" in b:
            b["pct_peak"] = 140.0
    p = tmp_path / "above.json"
    p.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, p, extra=("--no-plots",))
    assert rc == 0
    _, rows = block_rows(text)
    assert [r[6] for r in rows if r[3] == "flash"] == ["suspect peak"] * 2
    assert "140" not in text.split("### One DA3 block", 1)[1].split("\n## ", 1)[0]


def test_gpu_batch_files_of_one_machine_read_as_one(tmp_path):
    # the GPU batch writes attention and prefetch apart, each with the peak
    doc = json.load(open(SAMPLE))
    doc["context"].update(cuda_device="Test GPU", cuda_sms="2", cuda_peak_gflops="1000",
                          cuda_versions="driver 13000, runtime 12080")
    peak = _gpu_record("cuda_peak/fma", 4.6, GFLOPS=1000.0)
    att, pf = copy.deepcopy(doc), copy.deepcopy(doc)
    att["benchmarks"] = [peak, _gpu_record("cuda_attention/naive/B:2/H:8/N:4096/D:64", 12.0),
                         _gpu_record("cuda_attention/flash/B:2/H:8/N:4096/D:64", 3.0)]
    pf["benchmarks"] = [peak] + [
        _gpu_record(f"cuda_prefetch/depth:{d}/io_ms:{io}", 10.0 * io + 1, bound_ratio=1.01)
        for io in (10, 2) for d in (0, 2)]
    a, p = tmp_path / "attn.json", tmp_path / "prefetch.json"
    a.write_text(json.dumps(att))
    p.write_text(json.dumps(pf))
    rc, out, text = run(tmp_path, a, p)
    assert rc == 0
    assert "attn.json + prefetch.json" in text and "Test GPU" in text
    assert "_No attention results" not in text  # a GPU-only machine: no CPU line
    assert "CUDA driver API 13.0, runtime 12.8" in text
    section = text.split("## 4. Prefetch")[1].split("## 5.")[0]
    assert section.count("### GPU (CUDA)") == 1  # one machine, not two
    rows = [l for l in section.splitlines() if l.startswith("| 2 ") or l.startswith("| 10 ")]
    assert rows and rows[0].startswith("| 2 ")  # io_ms in numeric order
    # a second run of the same benchmarks stays a machine of its own
    rc, out, text = run(tmp_path, a, a)
    assert "attn.json + attn.json" not in text


def test_one_image_is_modelled_from_the_block_and_preprocess_runs(tmp_path):
    # the real ViT-S block of block-sample.json, read as one view (B:1), in
    # one file with sample.json's preprocessing: the parts of one image
    doc = json.load(open(SAMPLE))
    for b in json.load(open(BLOCK_SAMPLE))["benchmarks"]:
        if "/B:2/N:721" in b["name"]:
            b = dict(b, name=b["name"].replace("/B:2/", "/B:1/"),
                     run_name=b.get("run_name", b["name"]).replace("/B:2/", "/B:1/"))
            doc["benchmarks"].append(b)
    p = tmp_path / "image.json"
    p.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, p)
    assert rc == 0
    from da3bench import impact, results
    rows = impact.image_model(results.load(str(p)))
    assert {r["impl"] for r in rows} == {"naive", "flash"}
    nv = [r for r in rows if r["impl"] == "naive"][0]
    assert nv["workers"] == 8 and nv["s"]["preprocessing"] > 0
    section = text.split("## 5. Combined Impact")[1].split("\n## ", 1)[0]
    says = [l for l in section.splitlines() if l.startswith("- ViT-S (DA3-Small), one view")]
    assert len(says) == 1 and "preprocessing at 8 workers" in says[0]
    # the sentence's speedup is the ratio of the two modelled totals
    tn, tf = (sum(r["s"].values()) for r in sorted(rows, key=lambda r: r["impl"] != "naive"))
    assert f"{tn / tf:.2f}x" in says[0]
    assert (out / "image_breakdown.png").stat().st_size > 2000
    assert "image_breakdown.png" in text


def test_one_image_measured_has_its_table_and_sentences(tmp_path):
    # shaped as `block --image` writes them; the values are made up to test
    # the arithmetic, and appear in no report
    doc = json.load(open(SAMPLE))
    base = "block/image/{}/C:1024/H:16/B:1/N:721/threads:2"
    parts = {"upstream": (10000.0, 0.001, 0.56, 0.42), "flash": (3200.0, 0.003, 0.10, 0.85),
             "dct": (9990.0, 0.0007, 0.56, 0.42), "optimized": (3190.0, 0.002, 0.10, 0.86)}
    for _ in range(3):
        for name, (ms, pre, attn, gemm) in parts.items():
            doc["benchmarks"].append(_gpu_record(
                base.format(name), ms, pre_share=pre, attn_share=attn, gemm_share=gemm,
                other_share=1 - pre - attn - gemm, depth=24.0))
    p = tmp_path / "img.json"
    p.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, p)
    assert rc == 0
    section = text.split("### One image, measured")[1].split("\n## ", 1)[0]
    rows = [l for l in section.splitlines() if l.startswith("| ViT-L")]
    assert [r.split("|")[3].strip() for r in rows] == ["upstream", "flash", "dct", "optimized"]
    assert "3.13x" in rows[3] and "0.2 / 10.0 / 86.0 / 3.8" in rows[3]
    says = [l for l in section.splitlines() if l.startswith("- ViT-L (DA3-Large)")]
    assert len(says) == 1 and "10.00 s per image upstream, 3.19 s optimized" in says[0]
    # each saving read from its part: attention 5600 -> 320 ms, preprocessing 10 -> 7 ms
    assert "attention from 5600.0 to 320.0 ms" in says[0]
    assert "preprocessing from 10.0 to 7.0 ms: of the time the two save, 99.9% is " \
        "attention's and 0.1% the decode's" in says[0]  # 5280 and 3 ms
    # what is not in it, from FLOP counts: the DPT head beside the backbone
    assert "the DPT head, 157 GFLOP for one view" in says[0] and "backbone's 487 (32%)" in says[0]
    assert "| image |" not in text  # not read as an attention of the block table
    assert (out / "image_breakdown.png").stat().st_size > 2000


def test_bf16_attention_has_a_table_beside_fp32_flash(tmp_path):
    # shaped as `attention --dtype fp32,bf16` writes them; values made up
    doc = json.load(open(SAMPLE))
    base = "attention/{}/B:2/H:8/N:1024/D:64/threads:2"
    for _ in range(3):
        doc["benchmarks"] += [
            _gpu_record(base.format("flash"), 21.0, GFLOPS=204.0, pct_peak=87.0,
                        max_abs_err=1e-7),
            _gpu_record(base.format("flash_bf16"), 15.0, GFLOPS=286.0, pct_peak=61.0,
                        max_abs_err=2e-4, tolerance=4e-3)]
    p = tmp_path / "bf16.json"
    p.write_text(json.dumps(doc))
    rc, out, text = run(tmp_path, p, extra=("--no-plots",))
    assert rc == 0
    section = text.split("**bf16**")[1].split("\n## ", 1)[0]
    row = [l for l in section.splitlines() if l.startswith("| 1024 | 2 | 8 | 64 | 2 ")][0]
    assert "| 21.000 ± 0.000 | 15.000 ± 0.000 | 1.40x" in row and "| 286.0 | 61.0 | 2.0e-04 |" in row
