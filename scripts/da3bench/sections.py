"""The tables of BENCHMARK_RESULTS.md, built from the records of one machine.

Each function returns rows of plain values; report.py formats them. Every
figure comes from the repetitions in the JSON: medians and standard
deviations are recomputed here.
"""

import math

from .results import counter, counter_ci, group, median_ci, median_sd, number

SUSPECT_PCT = 103.0  # % of the measured peak above which the peak is wrong

IMPLS = ("naive", "fused", "flash", "blas")


def attention(machine):
    """config tuple (B, H, N, D, threads) -> impl -> stats dict."""
    out = {}
    for name, reps in group(machine.records, "attention").items():
        r0 = reps[0]
        if not r0.words:
            continue
        p = r0.params
        key = (p.get("B"), p.get("H"), p.get("N"), p.get("D"), p.get("threads"))
        ms, sd = median_sd([r.time_ms for r in reps])
        out.setdefault(key, {})[r0.words[0]] = {
            "ms": ms, "sd": sd, "n": len(reps), "ci": median_ci([r.time_ms for r in reps]),
            "gflops": counter(reps, "GFLOPS"), "gflops_ci": counter_ci(reps, "GFLOPS"),
            "pct": counter(reps, "pct_peak"),
            # above 100% of a physical limit is a measurement error of the
            # peak (3% allowed for noise): never shown as a result
            "peak_suspect": (counter(reps, "pct_peak") or 0) > SUSPECT_PCT,
            "err": counter(reps, "max_abs_err"), "bytes": counter(reps, "extra_bytes"),
        }
    # by sequence length first, then batch, heads, head_dim, threads
    return dict(sorted(out.items(), key=lambda kv: tuple(kv[0][i] or 0 for i in (2, 0, 1, 3, 4))))


def preprocess(machine):
    """(pool, decode, res, method, kind, size, images) -> workers -> stats;
    plus the decode-only floor per (kind, size, images)."""
    groups, floor = {}, {}
    for name, reps in group(machine.records, "preprocess").items():
        r0 = reps[0]
        p = r0.params
        ms, sd = median_sd([r.time_ms for r in reps])
        images = p.get("images") or 1
        s = {"ms": ms, "sd": sd, "n": len(reps), "ms_img": ms / images,
             "ips": counter(reps, "img_per_s"), "ips_ci": counter_ci(reps, "img_per_s"), "vs4": counter(reps, "speedup_vs_4"),
             "auto": counter(reps, "auto_workers"), "psnr": counter(reps, "psnr_db"),
             "used": counter(reps, "workers")}
        if r0.words[:1] == ("side_by_side",):
            continue  # side_by_side() below
        if r0.words[:1] == ("decode_only",):
            floor[(p.get("kind", "natural"), p.get("size", "1920x1080"), images)] = s
            continue
        key = (r0.words[0] if r0.words else "?", p.get("decode", "full"), p.get("res", 504),
               p.get("method", "upper_bound_resize"), p.get("kind", "natural"),
               p.get("size", "1920x1080"), images)
        groups.setdefault(key, {})[str(p.get("workers"))] = s
    return groups, floor


def side_by_side(machine):
    """(res, method, kind, size, images) -> the median of each counter of the
    side-by-side case (decode, full and dct per image in turn, one thread)."""
    out = {}
    for name, reps in group(machine.records, "preprocess").items():
        r0 = reps[0]
        if r0.words[:1] != ("side_by_side",):
            continue
        p = r0.params
        key = (p.get("res", 504), p.get("method", "upper_bound_resize"), p.get("kind", "natural"),
               p.get("size", "1920x1080"), p.get("images"))
        out[key] = {k: counter(reps, k) for k in
                    ("decode_ms", "full_ms", "dct_ms", "full_over_decode", "dct_speedup")}
        out[key]["n"] = len(reps)
    return out


def prefetch(machine):
    """(io_ms, loader, loaders, batches, batch) -> depth -> stats."""
    out = {}
    for name, reps in group(machine.records, "prefetch").items():
        p = reps[0].params
        key = (p.get("io_ms"), p.get("loader", "sim"), p.get("loaders", 1),
               p.get("batches", 50), p.get("batch", 32))
        ms, sd = median_sd([r.time_ms for r in reps])
        out.setdefault(key, {})[p.get("depth")] = {
            "ms": ms, "sd": sd, "n": len(reps), "ci": median_ci([r.time_ms for r in reps]), "eff": counter(reps, "overlap_eff"),
            "bound": counter(reps, "bound_ratio"), "io": counter(reps, "io_ms"),
            "compute": counter(reps, "compute_ms"), "speedup": counter(reps, "speedup"),
        }
    return dict(sorted(out.items(), key=lambda kv: tuple(str(x) for x in kv[0])))


def peak(machine):
    """kind ('fma', 'bf16_dot' or 'triad') -> threads -> median value."""
    out = {}
    for name, reps in group(machine.records, "peak").items():
        r0 = reps[0]
        kind = r0.words[0] if r0.words else "?"
        key = "GB_per_s" if kind == "triad" else "GFLOPS"
        out.setdefault(kind, {})[r0.params.get("threads")] = counter(reps, key)
    return out


def ratio(a, b):
    if a is None or b is None or not (b > 0) or math.isnan(a) or math.isnan(b):
        return None
    return a / b


def bars_note(counts):
    """What the error bars of points with these repetition counts show
    (results.median_ci: the range below 6 repetitions, else order
    statistics)."""
    counts = sorted({int(c) for c in counts if c})
    if not counts:
        return ""
    n = "/".join(map(str, counts))
    if counts[-1] < 6:
        return f"error bars: min–max of the\n{n} repetitions (too few\nfor a 95% interval)"
    if counts[0] >= 6:
        return f"error bars: 95% interval of\nthe median, {n} repetitions"
    return (f"error bars: 95% interval of the\nmedian ({n} repetitions;\n"
            "min–max below 6)")


def ratio_ci(a, b):
    """a's median time over b's (b's speedup over a) with a conservative 95%
    interval from the two medians' intervals: [a_lo / b_hi, a_hi / b_lo].
    (ratio, lo, hi); None when either side is missing. An interval that
    holds 1.0 means the repetitions cannot tell the two apart."""
    r = ratio(a and a["ms"], b and b["ms"])
    if r is None:
        return None
    (alo, ahi), (blo, bhi) = a.get("ci", (math.nan,) * 2), b.get("ci", (math.nan,) * 2)
    lo, hi = ratio(alo, bhi), ratio(ahi, blo)
    return r, (lo if lo is not None else math.nan), (hi if hi is not None else math.nan)


def within_noise(rci):
    """True when the interval of a ratio_ci() holds 1.0 (or is unknown)."""
    return rci is not None and not (rci[1] > 1.0 or rci[2] < 1.0)


def best_workers(by_workers, tolerance=0.03):
    """The smallest fixed worker count within `tolerance` of the fastest."""
    fixed = {int(w): s for w, s in by_workers.items() if w.isdigit() and s["ms"] == s["ms"]}
    if not fixed:
        return None, None
    fastest = min(s["ms"] for s in fixed.values())
    for w in sorted(fixed):
        if fixed[w]["ms"] <= fastest * (1 + tolerance):
            return w, fixed[w]
    return None, None


def cuda_impls(att):
    """The CUDA implementations in a cuda_attention() result, in the order
    the suite ran them (its table in kernels/cuda/cuda_common.c): the
    default four and any chosen with --cuda-impl (flash_br128, ...), so
    a column is never dropped for a name this script does not know."""
    seen = []
    for impl in att.values():
        seen += [k for k in impl if k not in seen]
    return seen


def cuda_attention(machine):
    """(B, H, N, D) -> impl -> stats, from the cuda suite's cuda_attention/... names."""
    out = {}
    for name, reps in group(machine.records, "cuda_attention").items():
        r0 = reps[0]
        if not r0.words:
            continue
        p = r0.params
        ms, sd = median_sd([r.time_ms for r in reps])
        out.setdefault((p.get("B"), p.get("H"), p.get("N"), p.get("D")), {})[r0.words[0]] = {
            "ms": ms, "sd": sd, "n": len(reps), "ci": median_ci([r.time_ms for r in reps]),
            "gflops": counter(reps, "GFLOPS"),
            # tf32 runs on the tensor cores, whose roof the fp32 FMA peak is
            # not: files from before the suite dropped it carry a % above 100
            "pct": None if "tf32" in r0.words[0] else counter(reps, "pct_peak"),
            "pct_nominal": None if "tf32" in r0.words[0] else counter(reps, "pct_nominal"),
            "err": counter(reps, "max_abs_err"),
        }
    return dict(sorted(out.items(), key=lambda kv: tuple(kv[0][i] or 0 for i in (2, 0, 1, 3))))


def cuda_prefetch(machine):
    """(io_ms, loader, loaders, batches, batch) -> depth -> stats, from cuda_prefetch/..."""
    out = {}
    for name, reps in group(machine.records, "cuda_prefetch").items():
        p = reps[0].params
        key = (p.get("io_ms"), p.get("loader", "sim"), p.get("loaders", 1),
               p.get("batches", 50), p.get("batch", 32))
        ms, sd = median_sd([r.time_ms for r in reps])
        out.setdefault(key, {})[p.get("depth")] = {
            "ms": ms, "sd": sd, "n": len(reps), "bound": counter(reps, "bound_ratio"),
            "io": counter(reps, "io_ms"), "h2d": counter(reps, "h2d_ms"),
            "compute": counter(reps, "compute_ms"), "speedup": counter(reps, "speedup"),
        }
    # io_ms as a number (0, 2, 5, 10, 20), the rest as text
    return dict(sorted(out.items(), key=lambda kv: (number(kv[0][0]) or 0,) +
                       tuple(str(x) for x in kv[0][1:])))


# DA3's backbones by width: (ViT, DA3 model, depth)
VITS = {384: ("ViT-S", "DA3-Small", 12), 768: ("ViT-B", "DA3-Base", 12),
        1024: ("ViT-L", "DA3-Large", 24), 1536: ("ViT-G", "DA3-Giant", 40)}
BLOCK_PARTS = ("gemm", "openblas", "attention", "other")


def block(machine):
    """(C, H, B, N, threads) -> {"blocks": impl -> stats, "parts": part -> stats}."""
    out = {}
    for name, reps in group(machine.records, "block").items():
        r0 = reps[0]
        if not r0.words:
            continue
        p = r0.params
        key = (p.get("C"), p.get("H"), p.get("B"), p.get("N"), p.get("threads"))
        ms, sd = median_sd([r.time_ms for r in reps])
        s = {"ms": ms, "sd": sd, "n": len(reps), "ci": median_ci([r.time_ms for r in reps]),
             "gflops": counter(reps, "GFLOPS"), "pct": counter(reps, "pct_peak"),
             "peak_suspect": (counter(reps, "pct_peak") or 0) > SUSPECT_PCT}
        if r0.words[0] == "image":
            continue  # image() below
        entry = out.setdefault(key, {"blocks": {}, "parts": {}})
        if r0.words[0] in BLOCK_PARTS:
            entry["parts"][r0.words[0]] = s
        else:
            for k in ("gemm_share", "attn_share", "other_share", "gemm_GFLOPS", "max_rel_err"):
                s[k] = counter(reps, k)
            entry["blocks"][r0.words[0]] = s
    return dict(sorted(out.items(), key=lambda kv: tuple(x or 0 for x in kv[0])))


IMAGE_CONFIGS = ("upstream", "flash", "dct", "optimized")


def image(machine):
    """(C, H, threads) -> config -> stats, from the block suite's --image
    cases: one JPEG preprocessed and the backbone's blocks, timed as one."""
    out = {}
    for name, reps in group(machine.records, "block").items():
        r0 = reps[0]
        if r0.words[:1] != ("image",) or len(r0.words) < 2:
            continue
        p = r0.params
        ms, sd = median_sd([r.time_ms for r in reps])
        s = {"ms": ms, "sd": sd, "n": len(reps), "ci": median_ci([r.time_ms for r in reps]),
             "depth": counter(reps, "depth")}
        for k in ("pre_share", "attn_share", "gemm_share", "other_share"):
            s[k] = counter(reps, k)
        out.setdefault((p.get("C"), p.get("H"), p.get("threads")), {})[r0.words[1]] = s
    return dict(sorted(out.items(), key=lambda kv: tuple(x or 0 for x in kv[0])))
