#!/usr/bin/env python3
"""The suites beyond attention as a user meets them: for block, preprocess
and prefetch, what list names, the usage errors of their own flags, a
small run with its counters and its console block, and a failing case
reported while the others still run. Standard library only.

usage: test_cli_suites.py PATH/TO/da3bench
"""
import json
import os
import subprocess
import sys
import tempfile

import cli_common  # noqa: E402
from cli_common import (DA3, EMULATED, SANITIZE, TSAN, WRAP, check, run,  # noqa: E402,F401
                        say_skipped, usage_error)

# block: the quick preset is ViT-L on one view, flash, and its four parts
rc, out, err = run(["list", "block"])
t = os.cpu_count()
check(rc == 0 and out.split() == [f"block/{n}/C:1024/H:16/B:1/N:721/threads:{t}" for n in
                                  ("flash", "gemm", "openblas", "attention/flash", "other")],
      f"block quick list: {out.split()}")
rc, out, err = run(["list", "block", "--preset", "da3"])
names = out.split()
# 4 variants x (1 view + 3 views x 2 scopes) x (the block + 4 parts)
check(rc == 0 and len(names) == 4 * 7 * 5 and
      f"block/flash/C:1536/H:24/B:1/N:5768/threads:{t}" in names and
      f"block/flash/C:1536/H:24/B:8/N:721/threads:{t}" in names,
      f"block da3 preset: variants x views x scopes, got {len(names)}")
rc, out, err = run(["list", "block", "--vit", "S,G", "--views", "2", "--scope", "global",
                    "--impl", "naive,flash"])
names = out.split()
check(rc == 0 and names[:2] == [f"block/naive/C:384/H:6/B:1/N:1442/threads:{t}",
                                f"block/flash/C:384/H:6/B:1/N:1442/threads:{t}"]
      and len(names) == 2 * 6, f"block sweep: {names}")
usage_error(["block", "--vit", "X"], "--vit")
usage_error(["block", "--views", "0"], "--views")
usage_error(["block", "--scope", "everywhere"], "everywhere")
usage_error(["attention", "--views", "2"], "--views")
usage_error(["block", "--vit", "G", "--views", "8", "--scope", "global", "--mem-limit", "64M"],
            "--mem-limit")
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "b.json")
    small = ["block", "--vit", "S", "--repetitions", "1", "--min-time", "0.001", "--json", path]
    rc, out, err = run(small)
    doc = json.load(open(path)) if os.path.exists(path) else {}
    by = {b["name"]: b for b in doc.get("benchmarks", [])}
    whole = by.get(f"block/flash/C:384/H:6/B:1/N:721/threads:{t}", {})
    shares = [whole.get(k, -1) for k in ("gemm_share", "attn_share", "other_share")]
    check(rc == 0 and len(by) == 5 and not any(b.get("error_occurred") for b in by.values()),
          f"a small block run: rc {rc}, {len(by)} benchmarks")
    check(min(shares) >= 0 and 0.9 < sum(shares) <= 1.0001 and whole.get("max_rel_err", 1) < 1e-4
          and 0 < whole.get("pct_peak", 0) <= 103, f"block counters: {shares} {whole}")
    rc, out, err = run(small + ["--impl", "naive,flash"],
                       env={"DA3BENCH_TEST_CORRUPT": "block/naive"})
    doc = json.load(open(path)) if os.path.exists(path) else {}
    errs = [b["name"].split("/")[1] for b in doc.get("benchmarks", []) if b.get("error_occurred")]
    check(rc == 1 and errs == ["naive"] and len(doc.get("benchmarks", [])) == 6
          and "max_rel_err" in out,
          f"a spoiled block is reported, its parts still run: rc {rc}, errored {errs}")
    # --image: one whole image per configuration, its parts measured inside
    if EMULATED:
        say_skipped("block --image: 12 ViT-S blocks per case are minutes under emulation")
    else:
        ipath = os.path.join(tmp, "img.json")
        rc, out, err = run(["block", "--vit", "S", "--image", "--benchmark_filter=image",
                            "--repetitions", "1", "--min-time", "0.001", "--fixtures", tmp,
                            "--json", ipath])
        doc = json.load(open(ipath)) if os.path.exists(ipath) else {}
        imgs = {b["name"].split("/")[2]: b for b in doc.get("benchmarks", [])
                if b["name"].startswith("block/image/")}
        check(rc == 0 and sorted(imgs) == ["dct", "flash", "optimized", "upstream"]
              and not any(b.get("error_occurred") for b in imgs.values()),
              f"block --image: rc {rc}, {sorted(imgs)} {err[-300:]!r}")
        for name, b in imgs.items():
            parts = [b.get(k, -1) for k in ("pre_share", "attn_share", "gemm_share")]
            other = b.get("other_share", -1)
            check(min(parts) > 0 and -0.001 <= other < 0.5 and b.get("depth") == 12
                  and abs(sum(parts) + other - 1) < 1e-6
                  and ("dct decode" in b.get("label", "")) == (name in ("dct", "optimized")),
                  f"image {name}: the parts of one image, {parts} {other} {b.get('label')!r}")
usage_error(["attention", "--image"], "--image")

# --dtype bf16: flash on the bf16 unit, or listed as skipped with why
usage_error(["attention", "--dtype", "fp16"], "--dtype")
usage_error(["preprocess", "--dtype", "bf16"], "--dtype")
rc, out, err = run(["list", "attention", "--dtype", "fp32,bf16", "--seq", "100", "--impl", "flash"])
names = out.splitlines()
check(rc == 0 and len(names) == 2 and names[0].startswith("attention/flash/B:1/H:8/N:100/")
      and names[1].startswith("attention/flash_bf16/B:1/H:8/N:100/"),
      f"list --dtype fp32,bf16: fp32 then bf16 {names}")
bf16_here = rc == 0 and len(names) == 2 and "# skipped" not in names[1]
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "bf.json")
    rc, out, err = run(["attention", "--dtype", "bf16", "--seq", "1,33,100", "--heads", "2",
                        "--head-dim", "32", "--repetitions", "1", "--min-time", "0.001",
                        "--json", path])
    doc = json.load(open(path)) if os.path.exists(path) else {}
    bs = [b for b in doc.get("benchmarks", []) if b.get("run_type") == "iteration"]
    if bf16_here:
        check(rc == 0 and len(bs) == 3 and all(
            b["name"].startswith("attention/flash_bf16/") and not b.get("error_occurred")
            and 0 < b.get("max_abs_err", 1) <= b.get("tolerance", 0) < 0.01
            and 0 < b.get("pct_peak", 0) <= 103 for b in bs),
            f"a bf16 run: checked within its tolerance, % of the bf16 peak: rc {rc} {bs!r}"[:600])
    else:
        check(rc == 0 and not bs and doc.get("context", {}).get("bf16_skipped")
              and "bf16 benchmarks skipped" in err,
              f"no bf16 unit: nothing run, and why: rc {rc} {err[-200:]!r}")

# preprocess: list, a small run with its counters, the seed's block
with tempfile.TemporaryDirectory() as tmp:
    rc, out, err = run(["list", "preprocess", "--workers", "1,auto", "--decode", "full,dct",
                        "--images", "3"])
    names = out.split()
    check(rc == 0 and names == ["preprocess/decode_only/images:3",
                                "preprocess/threads/workers:1/decode:full/images:3",
                                "preprocess/threads/workers:auto/decode:full/images:3",
                                "preprocess/side_by_side/images:3",
                                "preprocess/threads/workers:1/decode:dct/images:3",
                                "preprocess/threads/workers:auto/decode:dct/images:3"],
          f"preprocess list: {names}")
    path = os.path.join(tmp, "pp.json")
    rc, out, err = run(["preprocess", "--workers", "4,1,2,8,auto", "--pool", "threads,processes",
                        "--decode", "full,dct", "--images", "3", "--size", "320x240",
                        "--repetitions", "1", "--min-time", "0.001", "--fixtures", tmp,
                        "--json", path])
    check(rc == 0, f"preprocess run exit {rc}: {err[-400:]!r}")
    doc = json.load(open(path)) if os.path.exists(path) else {}
    runs = {b["name"]: b for b in doc.get("benchmarks", [])}
    full = runs.get("preprocess/threads/workers:2/decode:full/size:320x240/images:3", {})
    dct = runs.get("preprocess/processes/workers:2/decode:dct/size:320x240/images:3", {})
    auto = runs.get("preprocess/threads/workers:auto/decode:full/size:320x240/images:3", {})
    for c in ("img_per_s", "ms_per_img", "MB_per_s", "speedup_vs_4", "max_abs_err"):
        check(c in full, f"preprocess counter {c}")
    check(full.get("max_abs_err", 1) < 2e-3, "preprocess checked against the reference")
    check(dct.get("psnr_db", 0) >= 35, f"dct PSNR against full: {dct.get('psnr_db')}")
    check(1 <= auto.get("auto_workers", 0) <= 4 * os.cpu_count(), "auto_workers in range")
    check("preprocess/decode_only/size:320x240/images:3" in runs, "decode-only floor ran")
    check(len(runs) == 1 + 2 * 2 * 5 + 1, f"22 preprocess runs, got {len(runs)}")
    sbs = runs.get("preprocess/side_by_side/size:320x240/images:3", {})
    check(all(sbs.get(k, 0) > 0 for k in ("decode_ms", "full_ms", "dct_ms", "full_over_decode",
                                           "dct_speedup")) and
          abs(sbs["full_ms"] / sbs["dct_ms"] - sbs["dct_speedup"]) < 1e-6 * sbs["dct_speedup"],
          f"side_by_side counters consistent: {sbs}")
    # the console's cv of a counter that is 0 in every repetition: 0, not "-nan%"
    rc, out2, err = run(["preprocess", "--workers", "1", "--images", "2", "--size", "320x240",
                         "--repetitions", "2", "--min-time", "0.001", "--fixtures", tmp,
                         "--benchmark_filter=decode_only"])
    cv = [l for l in out2.splitlines() if "decode_only" in l and "_cv" in l]
    check(rc == 0 and cv and "nan" not in out2, f"console cv lines are numbers: {cv!r}")
    # a dct-only run has nothing to pair with
    rc, out2, err = run(["list", "preprocess", "--decode", "dct", "--images", "3"])
    check(rc == 0 and "side_by_side" not in out2, "no side_by_side without full")
    for label in ("Optimized:", "Upstream:", "Speedup:", "vs 4 workers:", "Decode alone:",
                  "Side by side"):
        check(label in out, f"preprocess block has {label!r}")

    # the most workers the flag takes, each with an image: every worker has
    # its own buffers (once 256 slots, so worker 256 up read out of bounds)
    path = os.path.join(tmp, "pp_many.json")
    rc, out, err = run(["preprocess", "--workers", "1024", "--pool", "threads", "--images",
                        "1024", "--size", "16x16", "--repetitions", "1", "--min-time", "0.001",
                        "--benchmark_filter=threads", "--fixtures", tmp, "--json", path])
    doc = json.load(open(path)) if os.path.exists(path) else {}
    bad = [b.get("error_message") for b in doc.get("benchmarks", []) if b.get("error_occurred")]
    check(rc == 0 and len(doc.get("benchmarks", [])) == 1 and not bad,
          f"1024 thread workers run clean: exit {rc}, errors {bad[:1]}")

    # fixtures gen and verify through the command
    fx = os.path.join(tmp, "fx")
    rc, out, err = run(["fixtures", "gen", "--dir", fx, "--count", "2", "--size", "64x48"])
    check(rc == 0 and os.path.exists(os.path.join(fx, "manifest.txt")), "fixtures gen")
    rc, out, err = run(["fixtures", "verify", "--dir", fx])
    check(rc == 0 and "all files match" in out, "fixtures verify clean")
    with open(os.path.join(fx, "img_0001.jpg"), "r+b") as f:
        f.seek(200)
        b = f.read(1)
        f.seek(200)
        f.write(bytes([b[0] ^ 0xFF]))
    rc, out, err = run(["fixtures", "verify", "--dir", fx])
    check(rc == 1 and "img_0001.jpg" in out and "img_0000.jpg" not in out,
          f"verify names the changed file: {out!r}")
    usage_error(["fixtures", "gen", "--count", "zero"], "--count")
    usage_error(["fixtures", "gen", "--size", "12x"], "--size")
    usage_error(["fixtures", "gen", "--kind", "cartoon"], "--kind")
    usage_error(["fixtures", "frobnicate"], "frobnicate")
    usage_error(["fixtures"], "expected gen or verify")
    usage_error(["fixtures", "verify", "--dir"], "--dir: expected a folder")
    usage_error(["fixtures", "gen", "--count", "+5"], "--count '+5'")
    usage_error(["fixtures", "gen", "--count", " 5"], "--count ' 5'")
    usage_error(["fixtures", "gen", "--size", " 64x48"], "--size ' 64x48'")
    usage_error(["fixtures", "gen", "--size", "64x+48"], "--size '64x+48'")
    usage_error(["fixtures", "gen", "--size", "64x 48"], "--size '64x 48'")

    # convert: a .npy of the right shape, errors naming the file
    npy = os.path.join(tmp, "t.npy")
    rc, out, err = run(["convert", os.path.join(fx, "img_0000.jpg"), "-o", npy, "--res", "56"])
    ok = False
    if rc == 0 and os.path.exists(npy):
        data = open(npy, "rb").read()
        hl = data[8] | data[9] << 8
        header = data[10:10 + hl].decode()
        ok = "'shape': (3, 42, 56)" in header and len(data) - 10 - hl == 3 * 42 * 56 * 4
    check(ok, "convert writes a (3, 42, 56) float32 .npy")
    if TSAN:
        say_skipped("convert on a full disk", "ThreadSanitizer dies under RLIMIT_FSIZE")
    else:
        before = open(npy, "rb").read() if os.path.exists(npy) else b""
        import resource as _r, signal as _s
        def _lim():
            _s.signal(_s.SIGXFSZ, _s.SIG_IGN)
            _r.setrlimit(_r.RLIMIT_FSIZE, (4096, 4096))
        p = subprocess.run(WRAP + [DA3, "convert", os.path.join(fx, "img_0000.jpg"), "-o", npy,
                                   "--res", "112"], capture_output=True, text=True, preexec_fn=_lim)
        check(p.returncode == 1 and open(npy, "rb").read() == before
              and len(p.stderr.strip().splitlines()) == 1
              and not [f for f in os.listdir(tmp) if ".partial-" in f],
              f"convert on a full disk keeps the old .npy, exit 1: {p.returncode} {p.stderr!r}")
    bad = os.path.join(tmp, "bad.jpg")
    open(bad, "wb").write(b"\x89PNG\r\n\x1a\n not a jpeg")
    rc, out, err = run(["convert", bad, "-o", npy])
    check(rc == 1 and "bad.jpg" in err and len(err.strip().splitlines()) == 1,
          f"convert names a bad file: {err!r}")
    rc, out, err = run(["convert", os.path.join(tmp, "missing.jpg"), "-o", npy])
    check(rc == 1 and "missing.jpg" in err, "convert names a missing file")
    usage_error(["convert", bad], "-o")
    usage_error(["convert", bad, "-o", npy, "--res", "7"], "--res")
    usage_error(["convert", bad, "-o", npy, "--method", "squash"], "--method")

    # tune workers prints its table and choice
    rc, out, err = run(["tune", "workers", "--images", "2", "--max", "2", "--fixtures", tmp])
    check(rc == 0 and "<- chosen" in out and "auto:" in out, f"tune workers: {out!r} {err!r}")
    usage_error(["tune", "threads"], "workers")
    # a value-taking flag at the end, or given an empty value, is named
    # (it once took the next argument, or nothing, as its value)
    for flag in ("--images", "--max", "--fixtures"):
        usage_error(["tune", "workers", flag], flag)
        usage_error(["tune", "workers", flag, ""], flag)
    usage_error(["tune", "workers", "--images", "0"], "--images")
    usage_error(["tune", "workers", "--imgs", "2"], "--imgs")
    usage_error(["tune", "workers", "--images", "2", "--fixtures", tmp], "DA3BENCH_ISA=avx-2",
                env={"DA3BENCH_ISA": "avx-2"})

# prefetch: list, a small run, the checksum and the block
rc, out, err = run(["list", "prefetch", "--depth", "2,0", "--io-ms", "0..4:+2", "--batches", "4"])
check(out.split() == ["prefetch/depth:0/io_ms:%d/batches:4" % x if d == 0 else
                      "prefetch/depth:2/io_ms:%d/batches:4" % x
                      for x in (0, 2, 4) for d in (0, 2)], f"prefetch list: {out.split()}")
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "pf.json")
    rc, out, err = run(["prefetch", "--depth", "0,1,2", "--io-ms", "3", "--batches", "6",
                        "--batch-size", "4", "--loader", "sim,jpeg", "--repetitions", "1",
                        "--min-time", "0.001", "--fixtures", tmp, "--json", path])
    check(rc == 0, f"prefetch run exit {rc}: {err[-300:]!r}")
    doc = json.load(open(path)) if os.path.exists(path) else {}
    runs = {b["name"]: b for b in doc.get("benchmarks", [])}
    d2 = runs.get("prefetch/depth:2/io_ms:3/batches:6/batch:4", {})
    for c in ("batches_per_s", "io_ms", "compute_ms", "overlap_eff", "bound_ratio", "checksum"):
        check(c in d2, f"prefetch counter {c}")
    check(d2.get("max_ahead", 9) <= 2, "queue depth respected")
    sums = {b.get("checksum") for n, b in runs.items() if "loader" not in n}
    check(len(sums) == 1, f"sim checksums equal across depths: {sums}")
    check(any("loader:jpeg" in n and not b.get("error_occurred") for n, b in runs.items()),
          "the jpeg loader ran")
    for label in ("Optimized:", "Upstream:", "Speedup:", "Overlap efficiency:", "1.37x"):
        check(label in out, f"prefetch block has {label!r}")
usage_error(["prefetch", "--depth", "-1"], "--depth")
usage_error(["prefetch", "--io-ms", "ten"], "--io-ms")
usage_error(["prefetch", "--loader", "ftp"], "ftp")
usage_error(["prefetch", "--batches", "0"], "--batches")
usage_error(["prefetch", "--batch-size", "x"], "--batch-size")
usage_error(["prefetch", "--compute-threads", "0"], "--compute-threads")
usage_error(["prefetch", "--loader-threads", "0"], "--loader-threads")

usage_error(["preprocess", "--workers", "0"], "--workers")
usage_error(["preprocess", "--workers", "lots"], "--workers")
usage_error(["preprocess", "--pool", "fibers"], "fibers")
usage_error(["preprocess", "--decode", "half"], "half")
usage_error(["preprocess", "--images", "0"], "--images")
usage_error(["preprocess", "--res", "3"], "--res")
usage_error(["preprocess", "--size", "1920"], "--size")

cli_common.finish("cli_suites")
