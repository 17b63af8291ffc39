#!/usr/bin/env python3
"""baselines.py - da3bench's kernels side by side with what a user could pick
instead: one process, the same inputs, timed in alternation.

usage: baselines.py [attention] [preprocess] [flags]

  attention    da3's flash and blas (libda3.so, through ctypes) against
               PyTorch's scaled_dot_product_attention and eager path, and
               numpy; every output checked against a float64 reference
  preprocess   da3's full and dct pipelines against upstream DA3's path,
               Pillow, Pillow's draft mode, OpenCV and OpenCV's reduced
               decode, one image at a time on one thread; every output
               compared with da3's full pipeline

  --lib PATH        libda3.so (default: $BUILD_DIR or build/, kernels/libda3.so)
  --shapes LIST     attention shapes B,H,N,D separated by ';' (default: the
                    seed's 4,8,256,64;2,8,1024,64;1,8,2048,64)
  --threads T       attention threads for every library (default: all cores)
  --dtype bf16      attention in bf16: da3's flash_bf16 (AVX512-BF16) against
                    PyTorch's SDPA on bf16 tensors and da3's fp32 flash, on
                    the same bf16-rounded inputs (default fp32: the table above)
  --rounds R        rounds (default 11 for attention, 3 passes over the
                    images for preprocess)
  --images N        fixture JPEGs (default 20, natural 1920x1080 q90)
  --fixtures DIR    a folder of *.jpg instead of generated fixtures
  --only LIST       run only these implementations (names as printed)
  --gap S           attention: seconds idle, then one untimed call, before
                    each timed call (default 0.3; 0: back to back), so no
                    library's worker threads still spinning from the previous
                    call (OpenBLAS, OpenMP) share the cores
  --json FILE       Google Benchmark-shaped JSON of the medians
  --md FILE         the tables as markdown

Each round runs every implementation once, in an order that rotates from
round to round, so the machine's drift touches all of them alike. Figures
are medians over the rounds ± standard deviation; a ratio is the median of
the per-round ratios to da3's first implementation, with its min..max.
A library that is not installed is named and skipped (scripts/setup.sh
baselines installs them all in a virtual environment). Exit status: 0;
1 if an implementation failed or was wrong; 2 for usage.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

from . import da3lib
from .results import median_sd
from .tables import baseline_tables, markdown_table


def known_names():
    """Every implementation name --only can pick, in every suite and dtype."""
    from . import baseline_impls as bi
    return (("da3_flash", "da3_blas", "da3_flash_bf16", "torch_sdpa_bf16") + bi.ATTENTION
            + ("da3_full", "da3_dct") + bi.PREPROCESS)


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="baselines.py", add_help=True,
                                 usage="baselines.py [attention] [preprocess] [flags]")
    ap.add_argument("suites", nargs="*", default=[])
    ap.add_argument("--lib")
    ap.add_argument("--shapes", default="4,8,256,64;2,8,1024,64;1,8,2048,64")
    ap.add_argument("--threads", type=int)
    ap.add_argument("--dtype", default="fp32", choices=("fp32", "bf16"))
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--fixtures")
    ap.add_argument("--only")
    ap.add_argument("--gap", type=float, default=0.3)
    ap.add_argument("--json")
    ap.add_argument("--md")
    a = ap.parse_args(argv)
    for s in a.suites:
        if s not in ("attention", "preprocess"):
            ap.error(f"unknown suite '{s}' (attention, preprocess)")
    a.suites = a.suites or ["attention", "preprocess"]
    shapes = []
    for item in a.shapes.split(";"):
        try:
            dims = tuple(int(x) for x in item.split(","))
        except ValueError:
            dims = ()
        if len(dims) != 4 or min(dims) < 1:
            ap.error(f"--shapes: '{item}' is not B,H,N,D")
        shapes.append(dims)
    a.shapes = shapes
    if a.threads is not None and not 1 <= a.threads <= 1024:
        ap.error(f"--threads: {a.threads} is not a count in 1..1024")
    if a.rounds is not None and a.rounds < 1:
        ap.error(f"--rounds: {a.rounds} is not a positive count")
    if not 0 <= a.gap <= 10:
        ap.error(f"--gap: {a.gap} is not 0..10 seconds")
    if not 1 <= a.images <= 100000:
        ap.error(f"--images: {a.images} is not a count in 1..100000")
    for flag, path in (("--json", a.json), ("--md", a.md)):  # before anything is measured
        if path and os.path.isdir(path):
            ap.error(f"{flag}: {path}: is a folder, not a file")
        folder = os.path.dirname(os.path.abspath(path)) if path else None
        if folder and not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
            ap.error(f"{flag}: {path}: its folder does not exist or is not writable")
    if a.fixtures and not os.path.isdir(a.fixtures):
        ap.error(f"--fixtures: {a.fixtures}: no such folder")
    a.only = set(a.only.split(",")) if a.only else None
    unknown = sorted((a.only or set()) - set(known_names()))
    if unknown:
        ap.error(f"--only: unknown implementation '{unknown[0]}' (known: "
                 f"{', '.join(known_names())})")
    return a


def rounds_of(calls, rounds, arg=None, start=0, gap=0.0, failures=None):
    """Times each call once per round, order rotating. With a gap: idle
    `gap` seconds, then one untimed call, then the timed one, so the timed
    call finds the cores neither shared with another library's worker
    threads still spinning after its call (OpenBLAS's and OpenMP's do, for
    up to ~0.1 s) nor just woken from idle, but in the state of back-to-back
    calls of the same library. A call that raises is dropped from the
    rounds (its error in failures[name]); the others go on.
    {name: [seconds]}."""
    names = list(calls)
    times = {n: [] for n in names}
    failures = {} if failures is None else failures
    for r in range(rounds):
        for i in range(len(names)):
            n = names[(i + r + start) % len(names)]
            if n in failures:
                continue
            try:
                if gap:
                    time.sleep(gap)
                    calls[n]() if arg is None else calls[n](arg)
                t = time.perf_counter()
                calls[n]() if arg is None else calls[n](arg)
                times[n].append(time.perf_counter() - t)
            except Exception as e:  # a library failing mid-run: keep the rest
                failures[n] = e
    return {n: t for n, t in times.items() if n not in failures}


def summary(samples, first):
    """median, sd, and the per-round ratio to `first` (median, min, max)."""
    ratios = sorted(s / f for s, f in zip(samples, first))
    med, sd = median_sd(samples)
    return med, sd, (statistics.median(ratios), ratios[0], ratios[-1])


def instantiate(names, make, only, notes):
    calls = {}
    for name in names:
        if only and name not in only:
            continue
        try:
            calls[name] = make(name)
        except Exception as e:  # Missing, or the library refusing
            notes.append(f"{name}: skipped ({e})")
    return calls


def check_calls(calls, lib, qkv, where, limit, notes):
    """One untimed call of each (the warm-up) checked against the float64
    reference: {name: max_abs_err} and the failures. A call that raises is
    dropped; one above limit(name) -> (bound, its text) is kept and named
    (a bound is inclusive: the bf16 tolerance is a bound, not a margin)."""
    import numpy as np

    errs, failed = {}, 0
    for name, call in list(calls.items()):
        try:
            o = np.ascontiguousarray(call(), dtype=np.float32)
            errs[name] = lib.attn_max_err(*qkv, o, 32)
        except Exception as e:
            notes.append(f"{name} {where}: failed ({e})")
            failed += 1
            del calls[name]
            continue
        bound, text = limit(name)
        if not errs[name] <= bound:
            notes.append(f"{name} {where}: max_abs_err {errs[name]:.3g} > {text}")
            failed += 1
    return errs, failed


def time_calls(calls, rounds, gap, peak, where, notes):
    """The rotation, with the peak measured once a round as one more
    "implementation" (the machine drifts): ({name: [seconds]}, failures)."""
    calls["peak"] = peak
    broke = {}
    times = rounds_of(calls, rounds, gap=gap, failures=broke)
    for name, e in broke.items():
        notes.append(f"{name} {where}: failed while timed ({e})")
    times.pop("peak", None)
    return times, len(broke)


def attention_records(out, times, shape, threads, errs, peak_of):
    """One median record per implementation; ratios to the first."""
    b, h, n, d = shape
    first = next(iter(times.values()))
    flops = 4.0 * b * h * n * n * d
    for name, samples in times.items():
        med, sd, (r, rlo, rhi) = summary(samples, first)
        out["benchmarks"].append({
            "name": f"baseline/attention/{name}/B:{b}/H:{h}/N:{n}/D:{d}/threads:{threads}",
            "run_type": "aggregate", "aggregate_name": "median",
            "real_time": med * 1e3, "time_unit": "ms", "stddev_ms": sd * 1e3,
            "GFLOPS": flops / med * 1e-9, "pct_peak": 100 * flops / med * 1e-9 / peak_of(name),
            "max_abs_err": errs[name], "time_ratio": r, "time_ratio_min": rlo,
            "time_ratio_max": rhi, "rounds": len(samples)})


def run_attention_bf16(lib, a, out, notes):
    """The bf16 rotation: Q, K, V rounded to bf16 once; da3's flash_bf16 on
    the bits, PyTorch's SDPA on bf16 tensors of the same values (its output
    is bf16 too), da3's fp32 flash on them widened. Each checked against
    the float64 reference of the bf16 values: ours within its tolerance
    (attention.h), PyTorch's within twice it (its output is rounded to bf16
    as well). % peak: of the bf16 unit's peak for bf16, of the FMA's for
    fp32, both measured once a round."""
    import numpy as np
    from . import baseline_impls as bi

    why = lib.bf16_missing()
    if why:
        print(f"baselines.py: --dtype bf16: {why}", file=sys.stderr)
        return -1
    threads = a.threads or lib.cores()
    rounds = a.rounds or 11
    for b, h, n, d in a.shapes:
        why = lib.attn_check(b, h, n, d)
        if why:
            print(f"baselines.py: --shapes: {b},{h},{n},{d}: {why}", file=sys.stderr)
            return -1
    out["context"]["threads"] = threads
    out["context"]["dtype"] = "bf16"
    rng = np.random.default_rng(1)
    failed = 0
    bpeaks, fpeaks = [], []
    for b, h, n, d in a.shapes:
        bits = [lib.bf16_round(rng.random((b, h, n, d), np.float32) * 2 - 1) for _ in range(3)]
        q, k, v = ((x.astype(np.uint32) << 16).view(np.float32) for x in bits)
        tol = lib.bf16_tolerance(bits[2])
        names = [m for m in ("da3_flash_bf16", "torch_sdpa_bf16", "da3_flash")
                 if not a.only or m in a.only]

        def make(m):
            if m == "da3_flash_bf16":
                return lib.attention_bf16(*bits, threads)
            if m == "da3_flash":
                return lib.attention("flash", q, k, v, threads)
            return bi.attention_bf16(m, q, k, v, threads)
        calls = instantiate(names, make, None, notes)
        where = f"B{b} H{h} N{n} D{d}"
        def limit(m):
            """ours within its tolerance, PyTorch's within twice it (its
            output is bf16 too), our fp32 flash as in the fp32 table"""
            if m == "da3_flash":
                return 1e-4, "1e-4"
            bound = tol * (2 if m.startswith("torch") else 1)
            return bound, f"{bound:.3g}"
        errs, bad = check_calls(calls, lib, (q, k, v), where, limit, notes)
        failed += bad
        if not calls:
            continue
        start = len(bpeaks)

        def peaks():
            bpeaks.append(lib.bf16_peak_gflops(threads, 0.05, 3))
            fpeaks.append(lib.peak_gflops(threads, 0.05, 3))
        times, bad = time_calls(calls, rounds, a.gap, peaks, where, notes)
        failed += bad
        if not times:
            continue
        bpeak, fpeak = statistics.median(bpeaks[start:]), statistics.median(fpeaks[start:])
        out["context"]["peak_gflops"] = round(statistics.median(fpeaks), 1)
        out["context"]["peak_gflops_bf16"] = round(statistics.median(bpeaks), 1)
        attention_records(out, times, (b, h, n, d), threads, errs,
                          lambda m: fpeak if m == "da3_flash" else bpeak)
    notes.append("bf16: % peak of the bf16 unit's measured peak for the bf16 implementations, "
                 "of the fp32 FMA peak for da3_flash; inputs rounded to bf16 for all three")
    return failed


def run_attention(lib, a, out, notes):
    if a.dtype == "bf16":
        return run_attention_bf16(lib, a, out, notes)
    import numpy as np
    from . import baseline_impls as bi

    threads = a.threads or lib.cores()
    rounds = a.rounds or 11
    budget = lib.mem_budget()
    for b, h, n, d in a.shapes:  # every shape checked before anything is measured
        why = lib.attn_check(b, h, n, d)
        if not why and 16.0 * b * h * n * d > budget:
            why = (f"its inputs and output need {16.0 * b * h * n * d / 2**30:.1f} GiB, more than "
                   f"the {budget / 2**30:.1f} GiB budget (half the memory)")
        if why:
            print(f"baselines.py: --shapes: {b},{h},{n},{d}: {why}", file=sys.stderr)
            return -1
    out["context"]["threads"] = threads
    peaks = []
    rng = np.random.default_rng(1)
    failed = 0
    for b, h, n, d in a.shapes:
        q, k, v = (rng.random((b, h, n, d), np.float32) * 2 - 1 for _ in range(3))
        # beside the inputs, da3's blas holds N x N scores a thread, the eager
        # paths all B*H of them, about three copies at once
        tensors, scores = 16.0 * b * h * n * d, 4.0 * n * n
        extra = {"da3_blas": threads * scores, "torch_eager": 3 * b * h * scores,
                 "torch_eager_before": 3 * b * h * scores, "numpy": 3 * b * h * scores,
                 "ort_mha": b * h * scores}  # its CPU kernel holds every head's probabilities
        names = [m for m in ("da3_flash", "da3_blas") + bi.ATTENTION
                 if not a.only or m in a.only]
        for m in [m for m in names if tensors + extra.get(m, 0) > budget]:
            notes.append(f"{m} B{b} H{h} N{n} D{d}: skipped (its N x N scores, "
                         f"{extra[m] / 2**30:.1f} GiB, do not fit the memory budget)")
            names.remove(m)

        def make(m):
            if m.startswith("da3_"):
                return lib.attention(m[4:], q, k, v, threads)
            return bi.attention(m, q, k, v, threads)
        calls = instantiate(names, make, None, notes)
        if not calls:
            continue
        where = f"B{b} H{h} N{n} D{d}"
        errs, bad = check_calls(calls, lib, (q, k, v), where, lambda m: (1e-4, "1e-4"), notes)
        failed += bad
        start = len(peaks)
        times, bad = time_calls(calls, rounds, a.gap,
                                lambda: peaks.append(lib.peak_gflops(threads, 0.05, 3)), where,
                                notes)
        failed += bad
        if not times:
            continue
        peak = statistics.median(peaks[start:])
        out["context"]["peak_gflops"] = round(statistics.median(peaks), 1)
        attention_records(out, times, (b, h, n, d), threads, errs, lambda m: peak)
    return failed


def fixture_dir(a):
    """(folder of the JPEGs, None) or (None, why not)."""
    if a.fixtures:
        return a.fixtures, None
    build = os.environ.get("BUILD_DIR", os.path.join(ROOT, "build"))
    d = os.path.join(build, "fixtures-cache", f"natural-1920x1080-q90-s1-n{a.images}")
    if not os.path.exists(os.path.join(d, "manifest.txt")):
        exe = os.path.join(build, "suites", "da3bench")
        try:
            gen = subprocess.run([exe, "fixtures", "gen", "--dir", d, "--count", str(a.images)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        except OSError as e:
            return None, f"{exe}: {e.strerror}"
        if gen.returncode:
            return None, (gen.stderr.strip().splitlines() or ["fixtures gen failed"])[-1]
    return d, None


def run_preprocess(lib, a, out, notes):
    import numpy as np
    from . import baseline_impls as bi

    d, why = fixture_dir(a)
    if why:
        print(f"baselines.py: fixtures: {why}", file=sys.stderr)
        return -1
    files = sorted(f for f in os.listdir(d) if f.lower().endswith((".jpg", ".jpeg")))[:a.images]
    if not files:
        print(f"baselines.py: --fixtures: {d}: no .jpg files", file=sys.stderr)
        return -1
    jpegs = []
    for f in files:
        with open(os.path.join(d, f), "rb") as fh:
            jpegs.append(fh.read())
    ours = {f"da3_{m}": lib.preprocessor(m) for m in ("full", "dct")}
    ref = ours["da3_full"]  # what every output is compared with
    # the target sizes, from da3's geometry, worked out before any timing
    geoms = {}
    for jpeg in jpegs:
        try:
            g = ref.geometry(jpeg)
        except da3lib.Da3Error as e:
            print(f"baselines.py: {files[len(geoms)]}: {e}", file=sys.stderr)
            return -1
        geoms[id(jpeg)] = da3lib.PPGeom.from_buffer_copy(g)
    geometry = lambda jpeg: geoms[id(jpeg)]  # noqa: E731
    calls = instantiate(list(ours), ours.get, a.only, notes)
    calls.update(instantiate(bi.PREPROCESS, lambda m: bi.preprocess(m, geometry), a.only, notes))
    failed = 0
    diffs = {}
    for name, call in list(calls.items()):
        try:
            worst, total = 0.0, 0.0
            for jpeg in jpegs:
                x, y = call(jpeg), ref(jpeg)
                if x.shape != y.shape:
                    raise ValueError(f"shape {x.shape}, da3's {y.shape}")
                err = np.abs(x - y)
                worst, total = max(worst, float(err.max())), total + float(err.mean())
            diffs[name] = (worst, total / len(jpegs))
        except Exception as e:
            notes.append(f"{name}: failed ({e})")
            failed += 1
            del calls[name]
    if not calls:
        return failed
    rounds = a.rounds or 3
    times = {n: [] for n in calls}
    broke = {}
    for r in range(rounds):
        for i, jpeg in enumerate(jpegs):  # a round per image: every pipeline on it in turn
            for n, t in rounds_of(calls, 1, jpeg, start=r * len(jpegs) + i,
                                  failures=broke).items():
                times[n].append(t[0])
    for name, e in broke.items():
        notes.append(f"{name}: failed while timed ({e})")
        failed += 1
        times.pop(name, None)
    for c in ours.values():
        c.free()
    if not times:
        return failed
    first = times["da3_full"] if "da3_full" in times else next(iter(times.values()))
    g = geometry(jpegs[0])
    size = f"{g.src_w}x{g.src_h}"
    for name, samples in times.items():
        med, sd, (r, rlo, rhi) = summary(samples, first)
        out["benchmarks"].append({
            "name": f"baseline/preprocess/{name}/size:{size}/threads:1",
            "run_type": "aggregate", "aggregate_name": "median",
            "real_time": med * 1e3, "time_unit": "ms", "stddev_ms": sd * 1e3,
            "img_per_s": 1.0 / med, "max_abs_diff_vs_da3_full": diffs[name][0],
            "mean_abs_diff_vs_da3_full": diffs[name][1],
            "time_ratio": r, "time_ratio_min": rlo, "time_ratio_max": rhi,
            "rounds": len(samples)})
    out["context"]["images"] = len(jpegs)
    out["context"]["fixtures"] = os.path.abspath(d)
    return failed


def git_commit():
    try:
        head = subprocess.run(["git", "-C", HERE, "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", HERE, "status", "--porcelain",
                                "--untracked-files=no", "--", ".."],
                               capture_output=True, text=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def versions():
    v = {"python": platform.python_version()}
    for mod in ("numpy", "torch", "onnxruntime", "onnx", "PIL", "cv2"):
        try:
            v[mod] = __import__(mod).__version__
        except ImportError:
            v[mod] = "not installed"
    return v


def markdown(out):
    return "".join(markdown_table(head, rows) + "\n\n" for head, rows in baseline_tables(out))


def blas_core_note(lib):
    """The OpenBLAS kernels our blas ran, and who chose them."""
    core, was = lib.blas_core(), os.environ.get("DA3BENCH_BLAS_CORE_FROM")
    return f"{core} (OPENBLAS_CORETYPE set by baselines.py: OpenBLAS chose {was})" if was else core


def blas_core_rerun(argv):
    """Where OpenBLAS took this CPU for one it does not know and chose its
    generic kernels, run this script again with OPENBLAS_CORETYPE set, as
    da3bench does (suites/app/main.c): OpenBLAS reads it when it loads, so
    it cannot be changed in this process. A user's own setting stands; the
    JSON's context names the kernels (blas_core_note)."""
    if os.environ.get("OPENBLAS_CORETYPE") is not None:
        return
    path = None  # --lib, read here without argparse: main() reports bad flags
    for i, x in enumerate(argv):
        if x == "--lib" and i + 1 < len(argv):
            path = argv[i + 1]
        elif x.startswith("--lib="):
            path = x[len("--lib="):]
    try:
        lib = da3lib.Lib(path)
    except (da3lib.Da3Error, OSError):
        return  # main() says what is wrong
    want = lib.blas_core_fix()
    if want:  # the JSON's context says so (blas_core_note)
        os.environ.update(DA3BENCH_BLAS_CORE_FROM=lib.blas_core(), OPENBLAS_CORETYPE=want)
        os.execv(sys.executable, [sys.executable] + sys.argv)


def main(argv):
    a = parse_args(argv)
    if a.threads:  # numpy's BLAS reads this when first imported
        os.environ.setdefault("OPENBLAS_NUM_THREADS", str(a.threads))

    try:
        lib = da3lib.Lib(a.lib)
    except (da3lib.Da3Error, OSError) as e:
        print(f"baselines.py: --lib: {e}", file=sys.stderr)
        return 2
    try:
        import numpy  # noqa: F401  (needed by every suite; checked once here)
    except ImportError:
        print("baselines.py: numpy is needed (scripts/setup.sh baselines)", file=sys.stderr)
        return 2
    out = {"context": {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "host_name": platform.node(),
                       "library": os.path.abspath(lib.path), "git_commit": git_commit(),
                       "cpu_model": lib.cpu_model(), "isa": lib.isa(),
                       "blas_core": blas_core_note(lib),
                       "versions": versions()},
           "benchmarks": []}
    notes, failed = [], 0
    for suite, run in (("attention", run_attention), ("preprocess", run_preprocess)):
        if suite in a.suites:
            n = run(lib, a, out, notes)
            if n < 0:  # bad input, said in one line; nothing of this suite measured
                return 2
            failed += n
    out["context"]["notes"] = notes
    text = markdown(out)
    print(text)
    for n in notes:
        print(f"note: {n}", file=sys.stderr)
    for path, data in ((a.json, json.dumps(out, indent=1) + "\n"), (a.md, text)):
        if path:
            try:
                with open(path, "w") as f:
                    f.write(data)
            except OSError as e:
                print(f"baselines.py: {path}: {e.strerror}", file=sys.stderr)
                return 2
    return 1 if failed else 0
