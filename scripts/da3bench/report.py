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
import re
import sys


from . import gnuplot, impact, sections, summary
from .args import out_dir
from .results import errors, load_many, merge_runs
from .tables import (CONTEXT, TABLES, baseline_tables, fmt, interval_head, machine_keys, ms_sd,
                     pct_cell, table, times, times_ci, write_tables)


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
    used = [impl.get(k) for impl in att.values() for k in ("naive", "fused")]
    out = table(["seq", "batch", "heads", "head_dim", "threads", "optimized (fused) ms",
                 "upstream (naive) ms", interval_head("speedup", used), "improvement", "flash ms",
                 "flash GFLOP/s", "flash % peak", "blas ms"], rows)
    n_reps = sorted({s["n"] for impl in att.values() for s in impl.values()})
    out += ("\n\nms: median ± standard deviation over the repetitions "
            f"({'/'.join(map(str, n_reps))} per case). The speedup's interval is conservative: "
            "naive's 95% interval of its median over fused's, ends crossed; with under 6 "
            "repetitions each median's interval is its min–max, which holds the median less "
            "often (75% with 3), and the header says [min–max] instead of [95%]. ")
    out += ("Within the noise (the interval holds 1.00x, so these repetitions cannot tell "
            f"fused from naive): {', '.join(noise)}." if noise else
            "Every speedup's interval excludes 1.00x: none of them is noise.")
    bf = [(k, impl) for k, impl in att.items() if impl.get("flash_bf16")]
    if bf:
        rows = []
        for (b, h, n, d, t), impl in bf:
            fl, b16 = impl.get("flash"), impl["flash_bf16"]
            rows.append([n, b, h, d, t, ms_sd(fl), ms_sd(b16),
                         times_ci(sections.ratio_ci(fl, b16)) if fl else "—",
                         fmt(b16["gflops"], ".1f"), pct_cell(b16), fmt(b16["err"], ".1e")])
        section = CONTEXT["section"]
        CONTEXT["section"] = "attention bf16"  # its own name, not attention_..._2
        out += ("\n\n**bf16** (`--dtype bf16`): flash with Q, K, V stored as bf16 on "
                "AVX512-BF16, softmax and output in fp32; its % of peak is of the bf16 unit's "
                "measured peak (peak/bf16_dot), and it is checked against the double reference "
                "of the bf16 inputs within 2^-8 max|V| + 1e-5.\n\n" + table(
                    ["seq", "batch", "heads", "head_dim", "threads", "flash fp32 ms",
                     "flash bf16 ms",
                     interval_head("bf16 speedup", [s for _, i in bf
                                                    for s in (i.get("flash"), i["flash_bf16"])]),
                     "bf16 GFLOP/s", "% of bf16 peak",
                     "max_abs_err"], rows))
        CONTEXT["section"] = section
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


def cuda_versions(text):
    """'driver 13000, runtime 13000' (cudaDriverGetVersion's 1000*major +
    10*minor) -> 'CUDA driver API 13.0, runtime 13.0'."""
    def one(mt):
        v = int(mt.group(2))
        return f"{mt.group(1)} {v // 1000}.{v % 1000 // 10}"
    out = re.sub(r"(driver|runtime) (\d{4,})", one, text)
    return out.replace("driver ", "CUDA driver API ", 1) if out != text else text


def cuda_note(m):
    """The GPU's context line, or why the cuda suite was skipped; None if it did not run."""
    c = m.context
    if c.get("cuda_skipped"):
        return f"**GPU (CUDA):** skipped — {c['cuda_skipped']}."
    if c.get("cuda_device"):
        return (f"**GPU (CUDA):** {c['cuda_device']} (compute capability "
                f"{c.get('cuda_compute_capability', '?')}, {c.get('cuda_sms', '?')} SMs, "
                f"{cuda_versions(c.get('cuda_versions', ''))}); measured fp32 FMA peak "
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
        nt = impl.get("naive_tf32")
        sp = sections.ratio(nv and nv["ms"], fl and fl["ms"])
        st = sections.ratio(nt and nt["ms"], ft and ft["ms"])
        rows.append([n, b, h, d] + [ms_sd(impl.get(k)) for k in impls] +
                    [times(sp) if sp else "—", fmt(fl and fl["gflops"], ".0f"),
                     pct_cell(fl), times(st) if st else "—", fmt(ft and ft["gflops"], ".0f"),
                     fmt(max((x["err"] or 0) for x in impl.values()), ".1e")])
    heads = [("naive (cuBLAS) ms" if k == "naive" else k + " ms") for k in impls]
    return note + "\n\n" + table(
        ["seq", "batch", "heads", "head_dim"] + heads +
        ["flash ÷ naive speedup", "flash GFLOP/s", "flash % measured peak",
         "flash_tf32 ÷ naive_tf32 speedup", "flash_tf32 GFLOP/s", "max_abs_err"], rows)


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
    used = [s for depths in pf.values() for s in depths.values()]
    return table(["io_ms", "loader", "loader threads", "depth", "ms per run",
                  interval_head("speedup", used),
                  "overlap_eff", "bound_ratio", "io ms/batch", "compute ms/batch"], rows)


def details_section(m):
    keys = sorted(m.context)
    return table(["key", "value"], [[k, f"`{m.context[k]}`"] for k in keys
                                    if not isinstance(m.context[k], (list, dict))])


PLOT_CAPTIONS = {
    "attention_time": "attention time per call against sequence length, per implementation "
                      "(log-log); {bars}.",
    "attention_gflops": "attention throughput (GFLOP/s) against sequence length, with the "
                        "machine's measured FMA peak; {bars}.",
    "preprocess_throughput": "preprocessing throughput (images/s) against workers, with the "
                             "ideal line (one worker's throughput times min(workers, cores)) and "
                             "the worker count auto chose (star); {bars}.",
    "prefetch": "prefetch pipeline: run time against simulated I/O per batch, sequential and "
                "with prefetch, beside the bound n·max(io, compute) + min(io, compute); {bars}.",
    "cuda_attention_gflops": "GPU attention throughput (GFLOP/s, from CUDA event times) against "
                             "sequence length per implementation, tf32 dashed, with the GPU's "
                             "measured fp32 FMA peak.",
    "image_breakdown": "one image through the backbone per configuration (one view), by "
                       "part: measured as one run where the block suite ran --image (the "
                       "parts timed inside it), else modelled: depth x the measured block, "
                       "split by its measured shares, plus one image's preprocessing where "
                       "the run measured it (naive with the seed's 8 workers).",
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
        g, c = gpu(m), cpu(m)
        if g and c.startswith("_No "):  # a GPU-only file: no CPU line to say so
            return f"### GPU (CUDA)\n\n{g}"
        return c + (f"\n\n### GPU (CUDA)\n\n{g}" if g else "")
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
            # named by what it holds and the file it is from, not by its place
            stem = os.path.splitext(os.path.basename(path))[0]
            CONTEXT.update(section=f"side by side {what} {stem}",
                           caption=f"Side by side, {what}: {os.path.basename(path)}")
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
    # each machine's part of its tables' names (none with one machine)
    key = {id(m): k if len(machines) > 1 else "" for m, k in zip(machines, machine_keys(machines))}
    CONTEXT.update(section="summary", machine="", caption="Summary: our measurements beside the "
                   "seed's published figures")
    parts += ["## 1. Summary", "", summary.summary(machines)]
    for title, fn in (("2. Attention Optimization", with_gpu(attention_section, cuda_attention_section)),
                      ("3. Preprocessing Optimization", preprocess_section),
                      ("4. Prefetch Pipeline", with_gpu(prefetch_section, cuda_prefetch_section))):
        parts += ["", f"## {title}", ""]
        for m in machines:
            if len(machines) > 1:
                parts += [f"### {m.label}", ""]
            CONTEXT.update(section=title.split(". ", 1)[1], caption=f"{title.split('. ', 1)[1]} "
                           f"on {m.label}", machine=key[id(m)])
            parts += [fn(m), ""]
    CONTEXT.update(section="combined impact", machine="", caption="Combined impact (model)")
    parts += ["## 5. Combined Impact", "", impact.combined_section(machines), ""]
    # the measured parts of Combined Impact, each per machine where it ran
    for section, head, caption, fn in (
            ("image", "One image, measured", "One image, measured, on", impact.image_section),
            ("block", "One DA3 block, measured", "One DA3 block on", impact.block_section)):
        for m in machines:
            CONTEXT.update(section=section, caption=f"{caption} {m.label}", machine=key[id(m)])
            text = fn(m)
            if text:
                parts += [f"### {head}{' — ' + m.label if len(machines) > 1 else ''}", "",
                          text, ""]
    parts += ["## 6. Technical Details", ""]
    for m in machines:
        CONTEXT.update(section="technical details", caption=f"Environment of {m.label}",
                       machine=key[id(m)])
        parts += [f"### {m.label} — `{m.path}`", "", details_section(m), ""]
    parts += ["## 7. Recommendations", ""]
    for m in machines:
        if len(machines) > 1:
            parts += [f"### {m.label}", ""]
        parts += [summary.recommendations(m), ""]
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
        # what the matplotlib plots' error bars are, as each plot says
        bars = getattr(sys.modules.get(__package__ + ".plots"), "BARS", {})
        parts += ["## Plots", "", plot_provenance(machines), ""]
        for i, p in enumerate(plots, 1):
            name = p[:-4]
            what = PLOT_CAPTIONS.get(name, name.replace("_", " ")).replace(
                "{bars}", bars.get(name) or "no error bars drawn")
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
    bad = out_dir(a.out)
    if bad:
        warn(bad)
        return 2
    paths, baseline_docs = split_baselines(a.results, warn)
    loaded = load_many(paths, warn)
    # like cat or make -k: what is readable is reported, and the exit says
    # that something given was not (a cross-machine report short of a
    # machine must not pass as whole)
    left_out = len(a.results) - len(loaded) - len(baseline_docs)
    machines = merge_runs(loaded)
    if not machines:
        warn("no readable results file" + (" of da3bench's (baselines.py's files go beside one)"
                                           if baseline_docs else ""))
        return 2
    failed = [[m.path, n, e] for m in machines for n, e in errors(m.records).items()]
    for m in machines:
        if not m.records:
            warn(f"{m.path}: no benchmark runs in it")
    for f in failed:
        warn(f"{f[0]}: {f[1]} failed: {f[2]}")
    try:
        gp_meta = gnuplot.write_csv(machines[0], a.out)
        if not a.no_plots:
            try:
                from . import plots
                plots.make_all(machines, a.out, warn)
            except ImportError:
                warn("matplotlib is not installed, so no plots: sudo apt-get install "
                     "python3-matplotlib (or pip install matplotlib); the markdown is still "
                     "written")
            gnuplot.run(a.out, a.dumb, warn, gp_meta)
        write_report(machines, a.out, failed, baseline_docs)
        write_tables(a.out, a.format == "latex")
    except OSError as e:
        warn(f"--out {a.out}: {e.strerror or e}" + (f" ({e.filename})" if e.filename else ""))
        return 1
    print(f"report.py: wrote {os.path.join(a.out, 'BENCHMARK_RESULTS.md')}")
    if left_out:
        warn(f"{left_out} of the {len(a.results)} files given left out (named above); exit 1")
        return 1
    return 0
