"""The report's plots, PNG and SVG, with matplotlib (Agg, no display).

attention_time / attention_gflops: time and GFLOP/s against sequence length
per implementation, log-log, with the measured peak as a line;
preprocess_throughput: images per second against workers, with the ideal
line (one worker's throughput times min(workers, cores));
prefetch: run time against io_ms per depth, with the bound curve;
roofline: every attention result against the machine's compute and memory
roofs (arithmetic intensity from the bytes each implementation must move).
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import sections  # noqa: E402
from results import number  # noqa: E402

MARKERS = {"naive": "o", "fused": "s", "flash": "^", "blas": "D"}


def _save(fig, out, name):
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out, f"{name}.{ext}"), dpi=110, bbox_inches="tight")
    plt.close(fig)


def attention(machines, out):
    made = False
    for what, key, ylabel in (("time", "ms", "time per call (ms)"),
                              ("gflops", "gflops", "GFLOP/s")):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for m in machines:
            att = sections.attention(m)
            series = {}
            for (b, h, n, d, t), impl in att.items():
                for name, s in impl.items():
                    if s.get(key) is not None and n:
                        series.setdefault((name, b, h, d, t), []).append((n, s[key]))
            for (name, b, h, d, t), pts in sorted(series.items()):
                pts.sort()
                if len(pts) < 1:
                    continue
                lab = f"{name} B{b} H{h} D{d} T{t}" + (f" — {m.label}" if len(machines) > 1 else "")
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=MARKERS.get(name, "x"),
                        label=lab)
                made = True
            if what == "gflops" and m.peak():
                ax.axhline(m.peak(), color="k", ls="--", lw=1, label=f"measured peak {m.peak():.0f}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("sequence length N")
        ax.set_ylabel(ylabel)
        ax.set_title(f"Attention: {ylabel} against N")
        ax.grid(True, which="both", alpha=0.3)
        if made:
            ax.legend(fontsize=7)
            _save(fig, out, f"attention_{what}")
        else:
            plt.close(fig)
    return made


def preprocess(machines, out):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    made = False
    for m in machines:
        groups, _ = sections.preprocess(m)
        cores = number(m.context.get("cores")) or 1
        for (pool, dec, res, meth, kind, size, images), ws in groups.items():
            pts = sorted((int(w), s["ips"]) for w, s in ws.items() if w.isdigit() and s["ips"])
            if not pts:
                continue
            lab = f"{pool}, {dec}" + (f" — {m.label}" if len(machines) > 1 else "")
            line, = ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=lab)
            one = dict(pts).get(1)
            if one:
                xs = [p[0] for p in pts]
                ax.plot(xs, [one * min(x, cores) for x in xs], ls=":", color=line.get_color(),
                        label=f"ideal ({lab})")
            if "auto" in ws and ws["auto"]["ips"]:
                ax.scatter([ws["auto"]["auto"] or 0], [ws["auto"]["ips"]], marker="*", s=140,
                           color=line.get_color(), zorder=5, label=f"auto ({lab})")
            made = True
    if not made:
        plt.close(fig)
        return False
    ax.set_xscale("log", base=2)
    ax.set_xlabel("workers")
    ax.set_ylabel("images per second")
    ax.set_title("Preprocessing throughput against workers")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    _save(fig, out, "preprocess_throughput")
    return True


def prefetch(machines, out):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    made = False
    for m in machines:
        by_depth, bound = {}, []
        for (io, loader, loaders, batches, batch), depths in sections.prefetch(m).items():
            if loader != "sim" or io is None:
                continue
            for d, s in depths.items():
                by_depth.setdefault(d, []).append((io, s["ms"]))
            any_s = next(iter(depths.values()))
            if any_s["io"] is not None and any_s["compute"] is not None:
                i, c = any_s["io"], any_s["compute"]
                bound.append((io, batches * max(i, c) + min(i, c)))
        for d, pts in sorted(by_depth.items()):
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                    label=("sequential" if d == 0 else f"depth {d}") +
                    (f" — {m.label}" if len(machines) > 1 else ""))
            made = True
        if bound:
            bound.sort()
            ax.plot([b[0] for b in bound], [b[1] for b in bound], "k--", lw=1,
                    label="bound n·max(io,c)+min(io,c)")
    if not made:
        plt.close(fig)
        return False
    ax.set_xlabel("simulated I/O per batch (ms)")
    ax.set_ylabel("run time (ms)")
    ax.set_title("Prefetch pipeline: time against I/O per batch")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
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
    fig, ax = plt.subplots(figsize=(7, 4.5))
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
                       label=name + (f" — {m.label}" if len(machines) > 1 else ""))
        xs = [min(p[0] for p in pts) / 2, max(p[0] for p in pts) * 2]
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
    ax.set_xlabel("arithmetic intensity (FLOP per byte of compulsory traffic)")
    ax.set_ylabel("GFLOP/s")
    ax.set_title("Roofline: attention results")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    _save(fig, out, "roofline")
    return True


def make_all(machines, out, warn):
    for fn in (attention, preprocess, prefetch, roofline):
        try:
            fn(machines, out)
        except (ValueError, KeyError, TypeError) as e:  # a plot must never stop the report
            warn(f"plot {fn.__name__} skipped: {e}")
