#!/usr/bin/env python3
"""JSON results -> BENCHMARK_RESULTS.md, plots and gnuplot data.

usage: report.py RESULTS.json [MORE.json ...] --out DIR [--format md|latex]
                 [--no-plots] [--dumb]

Writes DIR/BENCHMARK_RESULTS.md in the seed's structure (Summary, Attention,
Preprocessing, Prefetch, Combined impact, Technical details,
Recommendations), every table of it as DIR/tables/NN_name.csv (and, with
--format latex, as a booktabs DIR/tables/NAME.tex), PNG, SVG and PDF
plots made with matplotlib (each captioned in the report with the machine
and the command that made it), the CSV files gnuplot reads and,
where gnuplot is installed, the same main plots through gnuplot (pngcairo;
--dumb also prints them in the terminal). Several files (one per machine)
give one report with a column per machine; a scripts/baselines.py JSON
beside them adds a section of its own (Side by side with other
libraries). A file that cannot be read, a
missing counter or an errored benchmark is said in one line and the report
covers what is there. Exit 2 if no file could be read.
"""

import argparse
import json
import os
import sys


from . import gnuplot, sections
from .results import errors, load_many
from .tables import (CONTEXT, TABLES, baseline_tables, fmt, ms_sd, slug, table, times, times_ci,
                     write_tables)


# ---- summary ----


def pct_cell(s):
    """% of peak, or why it is not shown: above 100% the peak was wrong."""
    if s and s.get("peak_suspect"):
        return f"peak under-measured ({s['pct']:.0f}%?)"
    return fmt(s and s["pct"], ".1f")

def span(r):
    """(lo, hi, n) as "0.95x – 2.04x (3 cases)"; one case as "2.04x"."""
    if not r:
        return "—"
    lo, hi, n = r
    return times(lo) if n == 1 else f"{times(lo)} – {times(hi)} ({n} cases)"


def noise_cell(counts):
    """(cases within the noise, cases) as words for the summary."""
    k, n = counts
    if k == 0:
        return "beyond the noise in every case"
    return "within the noise in every case" if k == n else f"within the noise in {k} of {n} cases"


def attention_headline(m):
    att = sections.attention(m)
    fused_ci = [sections.ratio_ci(d["naive"], d["fused"])
                for d in att.values() if "naive" in d and "fused" in d]
    fused_ci = [x for x in fused_ci if x]
    fused = [x[0] for x in fused_ci]
    big = max(att, key=lambda k: (k[2] or 0) * (k[0] or 0) * (k[1] or 0), default=None)

    def over_cases(other):
        """flash's lead over `other` at every case both ran: (min, max), so
        a summary never shows the best case alone"""
        r = [sections.ratio(d[other]["ms"], d["flash"]["ms"])
             for d in att.values() if other in d and "flash" in d]
        r = [x for x in r if x]
        return (min(r), max(r), len(r)) if r else None
    return {
        "fused": (min(fused), max(fused)) if fused else None,
        "fused_noise": (sum(sections.within_noise(x) for x in fused_ci), len(fused_ci)),
        "big": big,
        "flash_vs_naive": over_cases("naive"),
        "flash_vs_blas": over_cases("blas"),
        "flash_pct": max((x["flash"]["pct"] for x in att.values()
                          if "flash" in x and x["flash"]["pct"] is not None
                          and not x["flash"]["peak_suspect"]), default=None),
    }


def preprocess_headline(m):
    groups, floor = sections.preprocess(m)
    for key, ws in groups.items():
        if key[0] == "threads" and key[1] == "full":
            best, s = sections.best_workers(ws)
            return {
                "best": best, "best_ips": s["ips"] if s else None,
                "auto": ws.get("auto", {}).get("auto"),
                "auto_vs_8": sections.ratio(ws.get("8", {}).get("ms"), ws.get("auto", {}).get("ms")),
                "w12_vs_4": sections.ratio(ws.get("4", {}).get("ms"), ws.get("12", {}).get("ms")),
            }
    return {}


def prefetch_headline(m):
    pf = sections.prefetch(m)
    for key, depths in pf.items():
        if key[1] == "sim" and 0 in depths and len(depths) > 1 and key[0] == 10:
            d = max(depths)
            return {"io": key[0], "depth": d,
                    "speedup": sections.ratio(depths[0]["ms"], depths[d]["ms"]),
                    "bound": depths[d]["bound"], "eff": depths[d]["eff"]}
    for key, depths in pf.items():
        if 0 in depths and len(depths) > 1:
            d = max(depths)
            return {"io": key[0], "depth": d,
                    "speedup": sections.ratio(depths[0]["ms"], depths[d]["ms"]),
                    "bound": depths[d]["bound"], "eff": depths[d]["eff"]}
    return {}


# What the seed (../shared/seed/BENCHMARKS.md) published from its own
# machines (Apple M-series, MPS and CPU): quoted, never measured here. Keyed
# by the summary row it sits beside.
SEED_PUBLISHED = {
    "cores, ISA": "Apple M-series (MPS and CPU)",
    "attention: fused vs naive (the seed's 'fused softmax')": "0.99x – 1.00x (it expected ~2x)",
    "preprocess: 12 vs 4 workers (the seed claims ~2x)": "~2x (MPS and CPU)",
    "prefetch: speedup over sequential (the seed: 1.37x CPU)": "1.26x MPS, 1.37x CPU",
}
SEED_COLUMN = "seed, published (its hardware)"


def summary(machines):
    head = ["", *[m.label for m in machines], SEED_COLUMN]
    rows = [
        ["commit", *[f"`{m.context.get('git_commit', '?')}`" for m in machines]],
        ["cores, ISA", *[f"{m.context.get('cores', '?')}, {m.context.get('isa_selected', '?')}"
                         for m in machines]],
        ["measured FMA peak (GFLOP/s)", *[fmt(m.peak(), ".1f") for m in machines]],
    ]
    a = [attention_headline(m) for m in machines]
    p = [preprocess_headline(m) for m in machines]
    f = [prefetch_headline(m) for m in machines]
    rows += [
        ["attention: fused vs naive (the seed's 'fused softmax')",
         *[f"{fmt(x['fused'][0])}x – {fmt(x['fused'][1])}x; {noise_cell(x['fused_noise'])}"
           if x["fused"] else "—" for x in a]],
        ["attention: flash vs naive (lowest – highest over the cases)",
         *[span(x["flash_vs_naive"]) for x in a]],
        ["attention: flash vs blas, PyTorch eager's path (lowest – highest over the cases)",
         *[span(x["flash_vs_blas"]) for x in a]],
        ["attention: flash, best % of peak", *[fmt(x["flash_pct"], ".1f") for x in a]],
        ["preprocess: best worker count (img/s)",
         *[f"{x['best']} ({fmt(x['best_ips'], '.1f')})" if x.get("best") else "—" for x in p]],
        ["preprocess: auto's choice; auto vs 8 workers",
         *[f"{fmt(x.get('auto'), '.0f')}; {times(x.get('auto_vs_8'))}" if x else "—" for x in p]],
        ["preprocess: 12 vs 4 workers (the seed claims ~2x)",
         *[times(x.get('w12_vs_4')) if x else "—" for x in p]],
        ["prefetch: speedup over sequential (the seed: 1.37x CPU)",
         *[f"{fmt(x['speedup'])}x (io {x['io']} ms, depth {x['depth']})" if x.get("speedup") else "—"
           for x in f]],
    ]
    for r in rows:
        r.append(SEED_PUBLISHED.get(r[0], "—"))
    return table(head, rows) + (
        "\n\nThe last column quotes the seed's own published figures, measured on its "
        "hardware (Apple M-series, MPS and CPU) by its Python code: a reference, not a "
        "measurement of this suite.")


# ---- detailed sections ----

def attention_section(m):
    att = sections.attention(m)
    if not att:
        return "_No attention results in this file._"
    rows, noise = [], []
    for (b, h, n, d, t), impl in att.items():
        up, opt, fl, bl = (impl.get(k) for k in sections.IMPLS)
        rci = sections.ratio_ci(up, opt)
        sp = rci and rci[0]
        if sections.within_noise(rci):
            noise.append(f"N{n} B{b} H{h}")
        rows.append([n, b, h, d, t, ms_sd(opt), ms_sd(up), times_ci(rci),
                     f"{fmt(100 * (1 - 1 / sp), '.1f')}%" if sp else "—", ms_sd(fl),
                     fmt(fl and fl["gflops"], ".1f"), pct_cell(fl), ms_sd(bl)])
    out = table(["seq", "batch", "heads", "head_dim", "threads", "optimized (fused) ms",
                 "upstream (naive) ms", "speedup [95%]", "improvement", "flash ms",
                 "flash GFLOP/s", "flash % peak", "blas ms"], rows)
    n_reps = sorted({s["n"] for impl in att.values() for s in impl.values()})
    out += ("\n\nms: median ± standard deviation over the repetitions "
            f"({'/'.join(map(str, n_reps))} per case). The speedup's interval is conservative: "
            "naive's 95% interval of its median over fused's, ends crossed (with under 6 "
            "repetitions each median's interval is its min–max). ")
    out += ("Within the noise (the interval holds 1.00x, so these repetitions cannot tell "
            f"fused from naive): {', '.join(noise)}." if noise else
            "Every speedup's interval excludes 1.00x: none of them is noise.")
    return out


def preprocess_section(m):
    groups, floor = sections.preprocess(m)
    if not groups:
        return "_No preprocessing results in this file._"
    parts = []
    for key, ws in groups.items():
        pool, dec, res, method, kind, size, images = key
        rows = []
        order = sorted(ws, key=lambda w: (not w.isdigit(), int(w) if w.isdigit() else 0))
        for w in order:
            s = ws[w]
            name = f"auto ({fmt(s['auto'], '.0f')})" if w == "auto" else w
            rows.append([name, ms_sd(s), fmt(s["ms_img"], ".2f"), fmt(s["ips"], ".1f"),
                         times(s['vs4']) if s["vs4"] else "—"])
        parts.append(f"**{pool} pool, decode {dec}, res {res}, {method}, {images} {kind} "
                     f"{size} images**\n\n" +
                     table(["workers", "batch ms", "ms per image", "img/s",
                            "vs 4 workers (thread pool)"], rows))
        dct = [s.get("psnr") for s in ws.values() if s.get("psnr")]
        if dct:
            parts.append(f"PSNR of dct against full: {fmt(min(dct), '.1f')} dB.")
    for (kind, size, images), s in floor.items():
        parts.append(f"Plain decode alone (libjpeg-turbo, 1 thread): {fmt(s['ms_img'], '.2f')} ms "
                     f"per image ({images} {kind} {size}).")
    sbs = sections.side_by_side(m)
    if sbs:
        rows = [[res, method, f"{images} {kind} {size}", s["n"], fmt(s["decode_ms"], ".2f"),
                 fmt(s["full_ms"], ".2f"), fmt(s["dct_ms"], ".2f"),
                 times(s['full_over_decode']), times(s['dct_speedup'])]
                for (res, method, kind, size, images), s in sbs.items()]
        parts.append("**Side by side** (each image through the plain decode, the full pipeline "
                     "and the dct pipeline in turn, one thread: the ratios are measured under "
                     "the same conditions, medians of the repetitions)\n\n" +
                     table(["res", "method", "images", "runs", "decode ms", "full ms", "dct ms",
                            "full ÷ decode", "dct speedup over full"], rows))
    return "\n\n".join(parts)


def cuda_note(m):
    """The GPU's context line, or why the cuda suite was skipped; None if it did not run."""
    c = m.context
    if c.get("cuda_skipped"):
        return f"**GPU (CUDA):** skipped — {c['cuda_skipped']}."
    if c.get("cuda_device"):
        return (f"**GPU (CUDA):** {c['cuda_device']} (compute capability "
                f"{c.get('cuda_compute_capability', '?')}, {c.get('cuda_sms', '?')} SMs, "
                f"{c.get('cuda_versions', '')}); measured fp32 FMA peak "
                f"{c.get('cuda_peak_gflops', '?')} GFLOP/s, nominal "
                f"{c.get('cuda_nominal_gflops', '?')}. Times from CUDA events.")
    return None


def cuda_attention_section(m):
    att = sections.cuda_attention(m)
    note = cuda_note(m)
    if not att:
        return note or ""
    impls = sections.cuda_impls(att)
    rows = []
    for (b, h, n, d), impl in att.items():
        nv, fl, ft = impl.get("naive"), impl.get("flash"), impl.get("flash_tf32")
        sp = sections.ratio(nv and nv["ms"], fl and fl["ms"])
        rows.append([n, b, h, d] + [ms_sd(impl.get(k)) for k in impls] +
                    [times(sp) if sp else "—", fmt(fl and fl["gflops"], ".0f"),
                     pct_cell(fl), fmt(ft and ft["gflops"], ".0f"),
                     fmt(max((x["err"] or 0) for x in impl.values()), ".1e")])
    heads = [("naive (cuBLAS) ms" if k == "naive" else k + " ms") for k in impls]
    return note + "\n\n" + table(
        ["seq", "batch", "heads", "head_dim"] + heads +
        ["flash ÷ naive speedup", "flash GFLOP/s", "flash % measured peak",
         "flash_tf32 GFLOP/s", "max_abs_err"], rows)


def cuda_prefetch_section(m):
    pf = sections.cuda_prefetch(m)
    note = cuda_note(m)
    if not pf:
        return note or ""
    rows = []
    for (io, loader, loaders, batches, batch), depths in pf.items():
        for d in sorted(depths):
            s = depths[d]
            rows.append([io, loader, loaders, batches, batch, d,
                         "pageable, sync" if d == 0 else "pinned, async",
                         ms_sd(s), times(s['speedup']) if s.get("speedup") else "—",
                         fmt(s["bound"], ".3f"), fmt(s["io"], ".2f"), fmt(s["h2d"], ".3f"),
                         fmt(s["compute"], ".3f")])
    return note + "\n\n" + table(
        ["io_ms", "loader", "loader threads", "batches", "batch", "depth", "buffers, copies",
         "ms per run", "speedup",
         "bound_ratio", "io ms/batch", "H2D ms/batch", "MLP ms/batch"], rows)


def prefetch_section(m):
    pf = sections.prefetch(m)
    if not pf:
        return "_No prefetch results in this file._"
    rows = []
    for (io, loader, loaders, batches, batch), depths in pf.items():
        seq = depths.get(0)
        for d in sorted(depths):
            s = depths[d]
            rows.append([io, loader, loaders, d, ms_sd(s),
                         times_ci(sections.ratio_ci(seq, s)) if seq and d else "—",
                         fmt(s["eff"]) if d else "—", fmt(s["bound"], ".3f"),
                         fmt(s["io"], ".2f"), fmt(s["compute"], ".2f")])
    return table(["io_ms", "loader", "loader threads", "depth", "ms per run", "speedup [95%]",
                  "overlap_eff", "bound_ratio", "io ms/batch", "compute ms/batch"], rows)


def block_section(m):
    """The block suite's measurements: one DA3 ViT block, whole and by part."""
    blocks = sections.block(m)
    if not blocks:
        return ""
    rows, says = [], []
    for (c, h, b, n, threads), e in blocks.items():
        vit, model, depth = sections.VITS.get(c, (f"C{c}", "?", None))
        views = (b or 1) * (n or 0) / 721
        scope = ("one view" if views == 1 else
                 f"{views:g} views, within each" if (b or 1) > 1 else f"{views:g} views, across")
        parts = e["parts"]
        ob = parts.get("openblas")
        for impl, s in e["blocks"].items():
            # the GEMMs' rate inside the block (its own clock) over OpenBLAS's alone
            vs_ob = sections.ratio(s.get("gemm_GFLOPS"), ob and ob["gflops"])
            pct = "suspect peak" if s["peak_suspect"] else fmt(s["pct"], ".1f")
            shares = " / ".join(fmt(100 * s[k], ".0f") if s.get(k) is not None else "—"
                                for k in ("attn_share", "gemm_share", "other_share"))
            rows.append([f"{vit} ({model})", scope, threads, impl, ms_sd(s), fmt(s["gflops"], ".1f"),
                         pct, shares, fmt(100 * vs_ob, ".0f") if vs_ob else "—",
                         fmt(depth * s["ms"] / 1000, ".2f") if depth else "—"])
        nv, fl = e["blocks"].get("naive"), e["blocks"].get("flash")
        rci = sections.ratio_ci(nv, fl)
        if rci and depth:
            says.append(f"{vit}, {scope}: flash in place of naive makes the block "
                        f"{times_ci(rci)} faster, {fmt(depth * (nv['ms'] - fl['ms']) / 1000, '.2f')} "
                        f"s less per image over its {depth} blocks (attention was "
                        f"{fmt(100 * (nv.get('attn_share') or 0), '.0f')}% of the naive block, "
                        f"{fmt(100 * (fl.get('attn_share') or 0), '.0f')}% of the flash one).")
    head = ["model", "attention over", "threads", "attention", "ms per block", "GFLOP/s",
            "% of peak", "attention / GEMM / other %", "GEMMs: % of OpenBLAS alone",
            "depth x block, s"]
    note = ("One transformer block of DA3's backbone, measured (`da3bench run block`): "
            "LayerNorm, QKV, attention, projection, LayerScale residual, LayerNorm, MLP, "
            "residual, fp32. The shares are of the block's own time; \"GEMMs: % of OpenBLAS "
            "alone\" is the GFLOP/s of the block's four GEMMs inside the block over those of "
            "the same four, one threaded `cblas_sgemm` each, timed alone in the same run. \"depth x block\" multiplies "
            "one block by the backbone's depth: not a measured image (no patch embedding, "
            "DPT head or camera head).")
    return "\n".join([note, "", table(head, rows)] + ([""] + [f"- {x}" for x in says] if says else []))


def combined_section(machines):
    out = ["The model (stated, not measured as one run): one DA3 step per view is the "
           "preprocessing of one image plus one attention call. From this run: "
           "T_pre = ms per image at a worker setting (thread pool, full decode), "
           "T_attn = the attention configuration closest to one 504x280 view (N = 721), "
           "else the smallest measured. Seed's claims: (T_pre(8 workers) + T_attn(naive)) / "
           "(T_pre(auto) + T_attn(fused)). This suite's best: the same numerator over "
           "max(T_pre(best workers), T_attn(flash)), assuming preprocessing overlaps compute "
           "as the prefetch suite measured.", ""]
    rows = []
    for m in machines:
        att = sections.attention(m)
        groups, _ = sections.preprocess(m)
        pre = next((ws for k, ws in groups.items() if k[0] == "threads" and k[1] == "full"), None)
        if not att or not pre:
            rows.append([m.label, "—", "—", "needs attention and preprocess results"])
            continue
        key = min(att, key=lambda k: abs((k[2] or 0) - 721))
        a = att[key]
        best, bs = sections.best_workers(pre)
        t8, ta = pre.get("8"), pre.get("auto")
        missing = [what for what, have in (
            ("attention naive", a.get("naive")), ("attention fused", a.get("fused")),
            ("attention flash", a.get("flash")), ("preprocess --workers 8", t8),
            ("preprocess --workers auto", ta), ("a preprocess worker count", bs)) if not have]
        if missing:
            rows.append([m.label, "—", "—", "not in this run: " + ", ".join(missing)
                         + " (the default run and --preset seed measure them)"])
            continue
        base = t8["ms_img"] + a["naive"]["ms"]
        seed = base / (ta["ms_img"] + a["fused"]["ms"])
        ours = base / max(bs["ms_img"], a["flash"]["ms"])
        rows.append([m.label, times(seed), times(ours),
                     f"N={key[2]}, B={key[0]}, H={key[1]}; {best} workers"])
    out.append(table(["machine", "seed's optimizations", "this suite's best", "inputs"], rows))
    return "\n".join(out)


def details_section(m):
    keys = sorted(m.context)
    return table(["key", "value"], [[k, f"`{m.context[k]}`"] for k in keys
                                    if not isinstance(m.context[k], (list, dict))])


def recommendations(m):
    rec = []
    att = sections.attention(m)
    wins = {}
    for cfg, impl in att.items():
        timed = {k: v["ms"] for k, v in impl.items() if v["ms"] == v["ms"]}
        if timed:
            w = min(timed, key=timed.get)
            wins[w] = wins.get(w, 0) + 1
    if wins:
        top = max(wins, key=wins.get)
        rec.append(f"Attention: `{top}` was fastest in {wins[top]} of {sum(wins.values())} "
                   f"configurations measured here.")
    h = attention_headline(m)
    if h["fused"]:
        lo, hi = h["fused"]
        verdict = ("no measurable gain" if lo < 1.03 else "a small gain")
        rec.append(f"The seed's fused softmax gave {fmt(lo)}x–{fmt(hi)}x over naive: {verdict}; "
                   f"what pays is not materializing N×N (flash).")
    groups, _ = sections.preprocess(m)
    for key, ws in groups.items():
        best, s = sections.best_workers(ws)
        if best is None:
            continue
        auto = ws.get("auto")
        line = (f"Preprocessing ({key[0]}, {key[1]} decode): {best} workers "
                f"({fmt(s['ips'], '.1f')} img/s) is the smallest count within 3% of the fastest")
        if auto and auto.get("auto"):
            line += f"; auto chose {fmt(auto['auto'], '.0f')}"
        rec.append(line + ".")
    thr = {k[1:]: ws for k, ws in groups.items() if k[0] == "threads"}
    for k, ws in groups.items():
        if k[0] == "processes" and k[1:] in thr:
            bt, st = sections.best_workers(thr[k[1:]])
            bp, sp = sections.best_workers(ws)
            if st and sp:
                rec.append(f"Process pool vs thread pool ({k[1]} decode): "
                           f"{fmt(sections.ratio(sp['ms'], st['ms']))}x the time at their best "
                           "counts: in C, copying results between processes is a small cost, "
                           "not the seed's 10x.")
            break
    for key, depths in sections.prefetch(m).items():
        if 0 in depths and len(depths) > 1:
            fastest = min(depths, key=lambda d: depths[d]["ms"])
            sp = sections.ratio(depths[0]["ms"], depths[fastest]["ms"])
            if sp and sp > 1.05 and fastest:
                rec.append(f"Prefetch at io {key[0]} ms ({key[1]} loader): depth {fastest} is "
                           f"{fmt(sp)}x faster than sequential — use it.")
            elif sp:
                rec.append(f"Prefetch at io {key[0]} ms ({key[1]} loader): no gain "
                           f"({fmt(sp)}x): nothing to overlap.")
    return "\n".join(f"- {r}" for r in rec) or "- Not enough results for a recommendation."


PLOT_CAPTIONS = {
    "attention_time": "attention time per call against sequence length, per implementation "
                      "(log-log); error bars: 95% interval of the median over the repetitions.",
    "attention_gflops": "attention throughput (GFLOP/s) against sequence length, with the "
                        "machine's measured FMA peak; error bars: 95% interval of the median over the repetitions.",
    "preprocess_throughput": "preprocessing throughput (images/s) against workers, with the "
                             "ideal line (one worker's throughput times min(workers, cores)) and "
                             "the worker count auto chose (star); error bars: 95% interval of the median over the repetitions.",
    "prefetch": "prefetch pipeline: run time against simulated I/O per batch, sequential and "
                "with prefetch, beside the bound n·max(io, compute) + min(io, compute).",
    "cuda_attention_gflops": "GPU attention throughput (GFLOP/s, from CUDA event times) against "
                             "sequence length per implementation, tf32 dashed, with the GPU's "
                             "measured fp32 FMA peak.",
    "roofline": "roofline: every attention result against the measured FMA peak and STREAM "
                "triad bandwidth (arithmetic intensity from each implementation's compulsory "
                "traffic).",
    "attention_gnuplot": "the attention time plot drawn by gnuplot from attention.csv.",
    "preprocess_gnuplot": "the preprocessing plot drawn by gnuplot from preprocess.csv.",
    "prefetch_gnuplot": "the prefetch plot drawn by gnuplot from prefetch.csv.",
}


def plot_provenance(machines):
    """Which machine and command made the data of every plot below."""
    lines = []
    for m in machines:
        c = m.context
        lines.append(f"- {m.label}: {c.get('cpu_model', '?')}, {c.get('cores', '?')} cores, "
                     f"ISA {c.get('isa_selected', '?')}, commit `{c.get('git_commit', '?')}`, "
                     f"{c.get('date', '?')}; command: `{c.get('command', '(not recorded)')}`")
    return "Every plot below was made from these runs:\n\n" + "\n".join(lines)


def with_gpu(cpu, gpu):
    """A section's CPU table, then its GPU table (or why the GPU was skipped)."""
    def both(m):
        g = gpu(m)
        return cpu(m) + (f"\n\n### GPU (CUDA)\n\n{g}" if g else "")
    return both


def baselines_section(docs):
    """The tables of scripts/baselines.py runs, each with where it ran."""
    parts = ["Our kernels and the libraries a user could pick instead, in one process on the "
             "same inputs, timed in alternation (`scripts/baselines.py`); \"time vs first\" is "
             "the median of the per-round ratios to the first implementation [min..max]."]
    for path, doc in docs:
        c = doc.get("context", {})
        v = ", ".join(f"{k} {val}" for k, val in c.get("versions", {}).items())
        parts += ["", f"`{path}`: {c.get('cpu_model', '?')}, ISA {c.get('isa', '?')}, commit "
                  f"`{c.get('git_commit', '?')}`, {c.get('date', '?')}; {v}."]
        for head, rows in baseline_tables(doc):  # through table(): CSV and LaTeX too
            what = "attention" if head[0] == "shape" else "preprocessing"
            CONTEXT.update(caption=f"Side by side, {what}: {os.path.basename(path)}")
            parts += ["", table(head, rows)]
        parts += [f"- {n}" for n in c.get("notes", [])]
    return "\n".join(parts)


def split_baselines(paths, warn):
    """(da3bench results paths, [(path, baselines.py document)])."""
    results, docs = [], []
    for p in paths:
        try:
            with open(p, encoding="utf-8") as f:
                doc = json.load(f)
            names = [b.get("name", "") for b in doc.get("benchmarks", [])]
        except (OSError, ValueError, AttributeError, TypeError, RecursionError):
            results.append(p)  # load_many names what is wrong with it
            continue
        if names and all(n.startswith("baseline/") for n in names):
            try:
                baseline_tables(doc)
            except (KeyError, TypeError, ValueError) as e:
                warn(f"{p}: a scripts/baselines.py file with a field missing or wrong ({e}); "
                     "left out")
                continue
            docs.append((p, doc))
        else:
            results.append(p)
    return results, docs


def write_report(machines, out, failed, baseline_docs=()):
    parts = ["# Benchmark results — Depth Anything 3 hot paths", "",
             "Generated by `scripts/report.py` from da3bench's JSON. Times are medians of the "
             "repetitions ± their standard deviation.", ""]
    emulated = [m.label for m in machines if m.context.get("emulated")]
    if emulated:
        parts += [f"> **Emulated:** {', '.join(emulated)} ran under an instruction-set emulator "
                  "(qemu-user or Rosetta). Its times are the emulator's, not measurements of any "
                  "machine: read only its correctness columns (max_abs_err, PSNR).", ""]
    TABLES.clear()
    CONTEXT.update(section="summary", machine="", caption="Summary: our measurements beside the "
                   "seed's published figures")
    parts += ["## 1. Summary", "", summary(machines)]
    for title, fn in (("2. Attention Optimization", with_gpu(attention_section, cuda_attention_section)),
                      ("3. Preprocessing Optimization", preprocess_section),
                      ("4. Prefetch Pipeline", with_gpu(prefetch_section, cuda_prefetch_section))):
        parts += ["", f"## {title}", ""]
        for m in machines:
            if len(machines) > 1:
                parts += [f"### {m.label}", ""]
            CONTEXT.update(section=title.split(". ", 1)[1], caption=f"{title.split('. ', 1)[1]} "
                           f"on {m.label}", machine=slug(m.label) if len(machines) > 1 else "")
            parts += [fn(m), ""]
    CONTEXT.update(section="combined impact", machine="", caption="Combined impact (model)")
    parts += ["## 5. Combined Impact", "", combined_section(machines), ""]
    for m in machines:
        CONTEXT.update(section="block", caption=f"One DA3 block on {m.label}",
                       machine=slug(m.label) if len(machines) > 1 else "")
        b = block_section(m)
        if b:
            parts += [f"### One DA3 block, measured{' — ' + m.label if len(machines) > 1 else ''}",
                      "", b, ""]
    parts += ["## 6. Technical Details", ""]
    for m in machines:
        CONTEXT.update(section="technical details", caption=f"Environment of {m.label}",
                       machine=slug(m.label) if len(machines) > 1 else "")
        parts += [f"### {m.label} — `{m.path}`", "", details_section(m), ""]
    parts += ["## 7. Recommendations", ""]
    for m in machines:
        if len(machines) > 1:
            parts += [f"### {m.label}", ""]
        parts += [recommendations(m), ""]
    if baseline_docs:
        CONTEXT.update(section="side by side", machine="", caption="Side by side")
        parts += ["## 8. Side by side with other libraries", "", baselines_section(baseline_docs),
                  ""]
    if failed:
        CONTEXT.update(section="failed", machine="", caption="Benchmarks that failed")
        parts += ["## Benchmarks that failed", "",
                  table(["file", "benchmark", "error"], failed), ""]
    plots = sorted(f for f in os.listdir(out) if f.endswith(".png"))
    if plots:
        parts += ["## Plots", "", plot_provenance(machines), ""]
        for i, p in enumerate(plots, 1):
            name = p[:-4]
            what = PLOT_CAPTIONS.get(name, name.replace("_", " "))
            files = ", ".join(f"[{ext.upper()}]({name}.{ext})" for ext in ("svg", "pdf")
                              if os.path.exists(os.path.join(out, f"{name}.{ext}")))
            parts += [f"![{name}]({p})", "",
                      f"*Figure {i}: {what}* {('(' + files + ')') if files else ''}", ""]
    with open(os.path.join(out, "BENCHMARK_RESULTS.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(parts))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="+", help="da3bench --json files, one per machine, and "
                    "any scripts/baselines.py --json files (a section of their own)")
    ap.add_argument("--out", required=True, help="folder for the report and the plots")
    ap.add_argument("--no-plots", action="store_true", help="only the markdown and the CSV")
    ap.add_argument("--format", default="md", choices=("md", "latex"),
                    help="latex: also every table as a booktabs .tex file in OUT/tables/")
    ap.add_argument("--dumb", action="store_true", help="also print gnuplot's text plots")
    a = ap.parse_args(argv)
    warn = lambda msg: print(f"report.py: {msg}", file=sys.stderr)  # noqa: E731
    paths, baseline_docs = split_baselines(a.results, warn)
    machines = load_many(paths, warn)
    if not machines:
        warn("no readable results file" + (" of da3bench's (baselines.py's files go beside one)"
                                           if baseline_docs else ""))
        return 2
    try:
        os.makedirs(a.out, exist_ok=True)
    except OSError as e:
        warn(f"--out {a.out}: {e.strerror}")
        return 2
    failed = [[m.path, n, e] for m in machines for n, e in errors(m.records).items()]
    for m in machines:
        if not m.records:
            warn(f"{m.path}: no benchmark runs in it")
    for f in failed:
        warn(f"{f[0]}: {f[1]} failed: {f[2]}")
    gp_meta = gnuplot.write_csv(machines[0], a.out)
    if not a.no_plots:
        try:
            from . import plots
            plots.make_all(machines, a.out, warn)
        except ImportError:
            warn("matplotlib is not installed, so no plots: sudo apt-get install "
                 "python3-matplotlib (or pip install matplotlib); the markdown is still written")
        gnuplot.run(a.out, a.dumb, warn, gp_meta)
    write_report(machines, a.out, failed, baseline_docs)
    write_tables(a.out, a.format == "latex")
    print(f"report.py: wrote {os.path.join(a.out, 'BENCHMARK_RESULTS.md')}")
    return 0
