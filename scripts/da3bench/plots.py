"""The report's plots, PNG, SVG and PDF, with matplotlib (Agg, no display).

Made for a paper as much as a README: the Okabe-Ito colour-blind-safe
palette, every axis labelled with its unit, fonts sized for a full-width
figure of a two-column paper (7 in wide, 8-9 pt), the legend outside the
axes so it never hides data, and error bars from the repetitions: the
median and a 95% distribution-free interval of it (order statistics; the
range below 6 repetitions).

attention_time / attention_gflops: time and GFLOP/s against sequence length
per implementation, log-log, with the measured peak as a line;
preprocess_throughput: images per second against workers, with the ideal
line (one worker's throughput times min(workers, cores));
prefetch: run time against io_ms per depth, with the bound curve;
roofline: every attention result against the machine's compute and memory
roofs (arithmetic intensity from the bytes each implementation must move);
cuda_attention_gflops: the GPU's attention throughput against N per
implementation, with its measured fp32 peak;
image_breakdown: one image through the backbone per configuration, a
stacked bar of attention, GEMMs, the rest of the block and preprocessing.
"""

import os

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import sections  # noqa: E402
from .results import number  # noqa: E402
from .sections import bars_note  # noqa: E402,F401  (plots.bars_note: the same note)

MARKERS = {"naive": "o", "fused": "s", "flash": "^", "blas": "D"}
# one colour per implementation, whatever else varies (then the line style)
IMPL_COLORS = {"flash": "#0072B2", "blas": "#009E73", "fused": "#E69F00", "naive": "#D55E00"}
LINESTYLES = ["-", "--", ":", "-."]
# Okabe & Ito (2008), distinguishable with every common colour-vision deficiency
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]
WIDTH, HEIGHT = 7.0, 3.4  # inches: a full-width (figure*) plot in a two-column paper
EXTS = ("png", "svg", "pdf")

plt.rcParams.update({
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "font.size": 9, "axes.labelsize": 9, "axes.titlesize": 9.5,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "legend.fontsize": 7.5,
    "savefig.dpi": 200, "pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none",
})


def _figure():
    return plt.subplots(figsize=(WIDTH, HEIGHT))


def _plain_ticks(ax, xs):
    """Ticks at the measured x values, written as plain numbers (64, not 2^6)."""
    xs = sorted({x for x in xs if x})
    if not xs:
        return
    if len(xs) > 12:  # keep them readable
        xs = xs[::(len(xs) + 11) // 12]
    ax.set_xticks(xs)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())


def _legend(ax, counts=()):
    """The legend outside the axes; under it, what the error bars are,
    from the repetition counts of the points drawn."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)
    note = bars_note(counts)
    ax.figure.da3_bars = note  # _save files it under the plot's name, for the caption
    if note:
        ax.text(1.01, 0.0, note, transform=ax.transAxes, fontsize=7, va="bottom", ha="left")


def common_parts(labels):
    """labels: dicts of the parts that name each line. The parts equal on
    every line go to the title (fixed parameters), the rest to the legend.
    Returns (title suffix, [legend label per line])."""
    keys = [k for k in (labels[0] if labels else {})]
    fixed = [k for k in keys if len({lab.get(k) for lab in labels}) == 1 and len(labels) > 1]
    title = ", ".join(labels[0][k] for k in fixed if labels[0][k])
    legend = [", ".join(lab[k] for k in keys if k not in fixed and lab.get(k)) or lab[keys[0]]
              for lab in labels]
    return title, legend


def _yerr(y, ci):
    """matplotlib's asymmetric yerr from a (lo, hi) interval around y."""
    lo, hi = ci if ci else (y, y)
    lo = y if lo is None or lo != lo else lo
    hi = y if hi is None or hi != hi else hi
    return [max(y - lo, 0.0)], [max(hi - y, 0.0)]


def _errorbar(ax, pts, **kw):
    """pts: (x, y, (lo, hi)); one line with its intervals as error bars."""
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    lo = [_yerr(p[1], p[2])[0][0] for p in pts]
    hi = [_yerr(p[1], p[2])[1][0] for p in pts]
    return ax.errorbar(xs, ys, yerr=[lo, hi], capsize=2, elinewidth=0.8, markersize=4, **kw)


# what each saved plot's error bars are (bars_note), by plot name: the
# report's figure captions say the same as the plot
BARS = {}


def _save(fig, out, name):
    BARS[name] = " ".join(getattr(fig, "da3_bars", "").split())
    fig.tight_layout()
    for ext in EXTS:
        fig.savefig(os.path.join(out, f"{name}.{ext}"), bbox_inches="tight")
    plt.close(fig)


def attention(machines, out):
    made = False
    for what, key, ylabel in (("time", "ms", "time per call (ms)"),
                              ("gflops", "gflops", "throughput (GFLOP/s)")):
        fig, ax = _figure()
        cikey = "ci" if key == "ms" else "gflops_ci"
        xs, lines, counts = [], [], []
        for m in machines:
            att = sections.attention(m)
            # one line per implementation and (H, D, threads); the batch
            # joins the line when each N has a single B (the seed's table
            # pairs them: B4 N256, B2 N1024, B1 N2048), else splits it
            series = {}
            for (b, h, n, d, t), impl in att.items():
                for name, s in impl.items():
                    if s.get(key) is not None and n:
                        series.setdefault((name, h, d, t), []).append(
                            (n, b, s[key], s.get(cikey), s.get("n")))
            for (name, h, d, t), pts in sorted(series.items(), key=lambda kv: str(kv[0])):
                ns = [p[0] for p in pts]
                one_b_per_n = len(ns) == len(set(ns))
                groups = {None: pts} if one_b_per_n else {}
                if not one_b_per_n:
                    for p in pts:
                        groups.setdefault(p[1], []).append(p)
                for gi, (b, gp) in enumerate(sorted(groups.items(), key=lambda kv: str(kv[0]))):
                    gp.sort()
                    if one_b_per_n and len({p[1] for p in gp}) > 1:
                        bs = "B " + "/".join(str(p[1]) for p in gp)
                    else:
                        bs = f"B{gp[0][1]}"
                    lab = {"impl": name, "B": bs, "H": f"H{h}", "D": f"D{d}",
                           "threads": f"{t} threads",
                           "machine": m.label if len(machines) > 1 else ""}
                    lines.append((lab, gp, gi))
                    xs += [p[0] for p in gp]
                    counts += [p[4] for p in gp]
                made = True
        title, legend = common_parts([lab for lab, _, _ in lines])
        for (lab, gp, gi), text in zip(lines, legend):
            name = lab["impl"]
            _errorbar(ax, [(p[0], p[2], p[3]) for p in gp], marker=MARKERS.get(name, "x"),
                      color=IMPL_COLORS.get(name), ls=LINESTYLES[gi % 4], label=text)
        for m in machines:
            if what == "gflops" and m.peak():
                ax.axhline(m.peak(), color="k", ls="--", lw=1,
                           label=f"measured FMA peak {m.peak():.0f} GFLOP/s"
                           + (f" — {m.label}" if len(machines) > 1 else ""))
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("sequence length N (tokens)")
        _plain_ticks(ax, xs)
        ax.set_ylabel(ylabel)
        ax.set_title(f"Attention: {ylabel} against N" + (f" ({title})" if title else ""))
        ax.grid(True, which="both", alpha=0.3)
        if made:
            _legend(ax, counts)
            _save(fig, out, f"attention_{what}")
        else:
            plt.close(fig)
    return made


def preprocess(machines, out):
    fig, ax = _figure()
    made = False
    xs, counts = [], []
    for m in machines:
        groups, _ = sections.preprocess(m)
        cores = number(m.context.get("cores")) or 1
        for (pool, dec, res, meth, kind, size, images), ws in groups.items():
            pts = sorted((int(w), s["ips"], s.get("ips_ci")) for w, s in ws.items()
                         if w.isdigit() and s["ips"])
            counts += [s.get("n") for w, s in ws.items() if w.isdigit() and s["ips"]]
            if not pts:
                continue
            lab = f"{pool}, {dec}" + (f" — {m.label}" if len(machines) > 1 else "")
            line = _errorbar(ax, pts, marker="o", label=lab).lines[0]
            xs += [p[0] for p in pts]
            one = {p[0]: p[1] for p in pts}.get(1)
            if one:
                xs = [p[0] for p in pts]
                ax.plot(xs, [one * min(x, cores) for x in xs], ls=":", color=line.get_color(),
                        label=f"ideal ({lab})")
            if "auto" in ws and ws["auto"]["ips"]:
                ax.scatter([ws["auto"]["auto"] or 0], [ws["auto"]["ips"]], marker="*", s=140,
                           color=line.get_color(), zorder=5,
                           label=f"auto chose {ws['auto']['auto'] or 0:.0f} ({lab})")
                xs.append(ws["auto"]["auto"] or 0)
            made = True
    if not made:
        plt.close(fig)
        return False
    ax.set_xscale("log", base=2)
    ax.set_xlabel("workers (threads or processes)")
    _plain_ticks(ax, xs)
    ax.set_ylabel("throughput (images/s)")
    ax.set_title("Preprocessing throughput against workers")
    ax.grid(True, alpha=0.3)
    _legend(ax, counts)
    _save(fig, out, "preprocess_throughput")
    return True


def prefetch(machines, out):
    fig, ax = _figure()
    made = False
    xs, counts = [], []
    for m in machines:
        by_depth, bound = {}, []
        for (io, loader, loaders, batches, batch), depths in sections.prefetch(m).items():
            if loader != "sim" or io is None:
                continue
            for d, s in depths.items():
                by_depth.setdefault(d, []).append((io, s["ms"], s.get("ci")))
                counts.append(s.get("n"))
                xs.append(io)
            any_s = next(iter(depths.values()))
            if any_s["io"] is not None and any_s["compute"] is not None:
                i, c = any_s["io"], any_s["compute"]
                bound.append((io, batches * max(i, c) + min(i, c)))
        for d, pts in sorted(by_depth.items()):
            pts.sort()
            _errorbar(ax, pts, marker="o",
                      label=("sequential" if d == 0 else f"depth {d}") +
                      (f" — {m.label}" if len(machines) > 1 else ""))
            made = True
        if bound:
            bound.sort()
            # a marker on each point of the bound: with one I/O value
            # (the quick preset) a line alone would not be drawn
            ax.plot([b[0] for b in bound], [b[1] for b in bound], "k--", lw=1, marker="_",
                    markersize=14, markeredgewidth=1.5,
                    label="bound n·max(io,c)+min(io,c)" +
                    (f" — {m.label}" if len(machines) > 1 else ""))
    if not made:
        plt.close(fig)
        return False
    ax.set_xlabel("simulated I/O per batch (ms)")
    ax.set_ylabel("run time (ms)")
    _plain_ticks(ax, xs)
    if len(set(xs)) == 1:  # one I/O value: centred, not at a frame
        ax.set_xlim(xs[0] * 0.5, xs[0] * 1.5)
    ax.set_title("Prefetch pipeline: time against I/O per batch")
    ax.grid(True, alpha=0.3)
    _legend(ax, counts)
    _save(fig, out, "prefetch")
    return True


def _intensity(impl, b, h, n, d):
    """FLOPs per byte each implementation must move at least once."""
    flops = 4.0 * b * h * n * n * d
    io = 4.0 * 4 * b * h * n * d  # Q, K, V, O
    if impl in ("naive", "fused", "blas"):
        io += 2 * 4.0 * b * h * n * n * (3 if impl == "naive" else 2)  # scores written, read
    return flops / io


def roofline(machines, out):
    fig, ax = _figure()
    made = False
    for m in machines:
        peak = m.peak()
        bw = sections.peak(m).get("triad", {})
        bw = max((v for v in bw.values() if v), default=None)
        pts = []
        for (b, h, n, d, t), impl in sections.attention(m).items():
            for name, s in impl.items():
                if s["gflops"] and all((b, h, n, d)):
                    pts.append((_intensity(name, b, h, n, d), s["gflops"], name))
        if not pts:
            continue
        for name in sorted({p[2] for p in pts}):
            sel = [p for p in pts if p[2] == name]
            ax.scatter([p[0] for p in sel], [p[1] for p in sel], marker=MARKERS.get(name, "x"),
                       color=IMPL_COLORS.get(name),
                       label=name + (f" — {m.label}" if len(machines) > 1 else ""))
        xs = [min(p[0] for p in pts) / 2, max(p[0] for p in pts) * 2]
        if peak and max(p[1] for p in pts) > peak * sections.SUSPECT_PCT / 100:
            # a result above the roof: the measured peak is wrong, and a roof
            # under measured points would be drawn as if it were a limit
            ax.text(0.02, 0.98, f"measured peak {peak:.0f} GFLOP/s is under-measured "
                    "(results above it): no roof drawn", transform=ax.transAxes,
                    va="top", fontsize=7)
            peak = None
        if peak:
            ax.axhline(peak, color="k", lw=1, label=f"FMA peak {peak:.0f} GFLOP/s")
        if bw and peak:
            ridge = peak / bw
            x0 = min(xs[0], ridge / 4)
            ax.plot([x0, ridge], [x0 * bw, peak], "k--", lw=1, label=f"triad {bw:.1f} GB/s")
        made = True
    if not made:
        plt.close(fig)
        return False
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOP/byte of compulsory traffic)")
    ax.set_ylabel("throughput (GFLOP/s)")
    ax.set_title("Roofline: attention results")
    ax.grid(True, which="both", alpha=0.3)
    _legend(ax)
    _save(fig, out, "roofline")
    return True


CUDA_STYLE = {"naive": ("#D55E00", "o", "-"), "naive_tf32": ("#D55E00", "o", "--"),
              "flash": ("#0072B2", "^", "-"), "flash_tf32": ("#0072B2", "^", "--"),
              "flash_br128": ("#56B4E9", "v", "-"), "flash_tf32_br128": ("#56B4E9", "v", "--")}


def cuda_attention(machines, out):
    """GPU attention: GFLOP/s against N per implementation (tf32 dashed),
    with the measured fp32 FMA peak of each GPU."""
    fig, ax = _figure()
    xs, made = [], False
    for m in machines:
        series = {}  # one line per implementation, H and D; the batch in the label
        for (b, h, n, d), impl in sections.cuda_attention(m).items():
            for name, st in impl.items():
                if st.get("gflops") and n:
                    series.setdefault((name, h, d), []).append((n, st["gflops"], None, b))
        for (name, h, d), pts in sorted(series.items(), key=lambda kv: str(kv[0])):
            pts.sort()
            bs = sorted({p[3] for p in pts})
            blab = f"B{bs[0]}" if len(bs) == 1 else "B " + "/".join(str(p[3]) for p in pts)
            color, marker, ls = CUDA_STYLE.get(name, ("#000000", "x", ":"))
            _errorbar(ax, [p[:3] for p in pts], marker=marker, color=color, ls=ls,
                      label=f"{name} ({blab}, H{h}, D{d})" + (f" — {m.label}" if len(machines) > 1 else ""))
            xs += [p[0] for p in pts]
            made = True
        peak = number(m.context.get("cuda_peak_gflops"))
        if peak:
            ax.axhline(peak, color="k", ls="--", lw=1,
                       label=f"{m.context.get('cuda_device', 'GPU')}: measured fp32 FMA peak "
                             f"{peak:.0f} GFLOP/s (roof of the fp32 kernels, not of tf32)")
    if not made:
        plt.close(fig)
        return False
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("sequence length N (tokens)")
    _plain_ticks(ax, xs)
    ax.set_ylabel("throughput (GFLOP/s)")
    ax.set_title("GPU attention: throughput against N (tf32 dashed)")
    ax.grid(True, which="both", alpha=0.3)
    _legend(ax)
    _save(fig, out, "cuda_attention_gflops")
    return True


IMAGE_PARTS = (("attention", "#0072B2"), ("gemm", "#E69F00"), ("other", "#009E73"),
               ("preprocessing", "#CC79A7"))


def image_breakdown(machines, out):
    """One image through the backbone per configuration, a stacked bar of
    its parts (impact.image_model: depth x the measured block, split by its
    measured shares, plus one image's preprocessing where measured)."""
    from . import impact
    bars = []
    for m in machines:
        # measured as one run where the block suite ran --image, else modelled
        measured = sections.image(m)
        for (c, h, threads), cfg in measured.items():
            vit = sections.VITS.get(c, (f"C{c}",))[0]
            for name, st in cfg.items():
                sec = st["ms"] / 1000
                bars.append((f"{name} — {vit}, {threads} thr, measured" +
                             (f" — {m.label}" if len(machines) > 1 else ""),
                             {"attention": sec * (st.get("attn_share") or 0),
                              "gemm": sec * (st.get("gemm_share") or 0),
                              "other": sec * (st.get("other_share") or 0),
                              "preprocessing": sec * (st.get("pre_share") or 0)}))
        if measured:
            continue
        for r in impact.image_model(m):
            pre = r["s"]["preprocessing"] is not None
            what = (f"{r['impl']}" + (f", {r['workers']} workers" if pre else "") +
                    f" — {r['vit']}, {r['threads']} thr" +
                    (f" — {m.label}" if len(machines) > 1 else ""))
            bars.append((what, r["s"]))
    if not bars:
        return False
    fig, ax = plt.subplots(figsize=(WIDTH, max(1.6, 0.32 * len(bars) + 0.9)))
    ys = range(len(bars))
    left = [0.0] * len(bars)
    for part, color in IMAGE_PARTS:
        w = [b[1][part] or 0 for b in bars]
        if not any(w):
            continue
        label = {"gemm": "GEMMs (OpenBLAS)", "other": "rest of the block",
                 "preprocessing": "preprocessing (one image)"}.get(part, part)
        ax.barh(list(ys), w, left=left, color=color, label=label, height=0.6)
        left = [a + b for a, b in zip(left, w)]
    ax.set_yticks(list(ys))
    ax.set_yticklabels([b[0] for b in bars])
    ax.invert_yaxis()
    ax.set_xlabel("seconds per image (measured: one run; else depth x block + preprocessing)")
    ax.set_title("One image through the backbone, by part (one view)")
    ax.grid(True, axis="x", alpha=0.3)
    _legend(ax)
    _save(fig, out, "image_breakdown")
    return True


def make_all(machines, out, warn):
    for fn in (attention, preprocess, prefetch, roofline, cuda_attention, image_breakdown):
        try:
            fn(machines, out)
        except (ValueError, KeyError, TypeError) as e:  # a plot must never stop the report
            warn(f"plot {fn.__name__} skipped: {e}")
