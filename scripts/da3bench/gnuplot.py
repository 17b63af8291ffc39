"""CSV data for gnuplot and the runs of scripts/gnuplot/*.gp.

attention.csv (N, then per implementation its median ms with the 95%
interval's ends and GFLOP/s, one configuration), preprocess.csv (workers,
then img/s and its interval per pool and decode), prefetch.csv (io_ms, the
bound, then ms and its interval per depth). The intervals are
results.median_ci's: min-max below 6 repetitions. gnuplot draws the same
main plots as matplotlib, with error bars, ticks at the measured x values
and the fixed parameters in the title: PNG through pngcairo, and with
--dumb in the terminal (for a CI log).
"""

import math
import os
import shutil
import subprocess

from . import sections

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "gnuplot")


def _write(path, head, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(head) + "\n")
        for r in rows:
            f.write(",".join("" if v is None else f"{v:.6g}" if isinstance(v, float) else str(v)
                             for v in r) + "\n")


def _ci(s, key="ci"):
    lo, hi = (s or {}).get(key) or (None, None)
    ok = lambda v: v if v is not None and not (isinstance(v, float) and math.isnan(v)) else None
    return ok(lo), ok(hi)


def write_csv(m, out):
    """The CSVs; returns {name: (title suffix, x values, what the error bars
    are)} for run()."""
    meta = {}
    att = sections.attention(m)
    by_cfg = {}
    for (b, h, n, d, t), impl in att.items():
        by_cfg.setdefault((b, h, d, t), {})[n] = impl
    if by_cfg:
        cfg = max(by_cfg, key=lambda k: len(by_cfg[k]))
        impls = sections.IMPLS
        rows = []
        for n in sorted(by_cfg[cfg]):
            row = [n]
            for i in impls:
                s = by_cfg[cfg][n].get(i) or {}
                row += [s.get("ms"), *_ci(s), s.get("gflops")]
            rows.append(row)
        _write(os.path.join(out, "attention.csv"),
               ["N"] + [f"{i}_{k}" for i in impls for k in ("ms", "ms_lo", "ms_hi", "gflops")], rows)
        b, h, d, t = cfg
        counts = [s.get("n") for impl in by_cfg[cfg].values() for s in impl.values()]
        meta["attention"] = (f"B{b}, H{h}, D{d}, {t} threads", sorted(by_cfg[cfg]),
                             sections.bars_note(counts))
    groups, _ = sections.preprocess(m)
    series = {f"{k[0]}-{k[1]}": ws for k, ws in groups.items()}
    workers = sorted({int(w) for ws in series.values() for w in ws if w.isdigit()})
    if workers:
        head, rows = ["workers"], []
        for name in series:
            head += [name, f"{name}_lo", f"{name}_hi"]
        for w in workers:
            row = [w]
            for name in series:
                s = series[name].get(str(w))
                row += [(s or {}).get("ips"), *_ci(s, "ips_ci")]
            rows.append(row)
        _write(os.path.join(out, "preprocess.csv"), head, rows)
        counts = [s.get("n") for ws in series.values() for w, s in ws.items() if w.isdigit()]
        meta["preprocess"] = ("", workers, sections.bars_note(counts))
    pf = {k[0]: (k, d) for k, d in sections.prefetch(m).items() if k[1] == "sim"}
    depths = sorted({d for _, ds in pf.values() for d in ds})
    if pf:
        head, rows = ["io_ms", "bound"], []
        for d in depths:
            head += [f"depth-{d}", f"depth-{d}_lo", f"depth-{d}_hi"]
        for io in sorted(pf):
            key, ds = pf[io]
            any_s = next(iter(ds.values()))
            bound = None
            if any_s.get("io") is not None and any_s.get("compute") is not None:
                i, c = any_s["io"], any_s["compute"]
                bound = key[3] * max(i, c) + min(i, c)
            row = [io, bound]
            for d in depths:
                row += [(ds.get(d) or {}).get("ms"), *_ci(ds.get(d))]
            rows.append(row)
        _write(os.path.join(out, "prefetch.csv"), head, rows)
        counts = [s.get("n") for _, ds in pf.values() for s in ds.values()]
        meta["prefetch"] = ("", sorted(pf), sections.bars_note(counts))
    return meta


def _xrange(xs, log):
    """An x range with a margin either side of the data, never a decade
    around it (log: a factor, linear: a share of the span)."""
    lo, hi = min(xs), max(xs)
    if log:
        return lo / 1.25, hi * 1.25
    pad = (hi - lo) * 0.08 or abs(lo) * 0.5 or 1.0
    return lo - pad, hi + pad


def run(out, dumb, warn, meta=None):
    """meta: write_csv()'s {name: (title suffix, x values)}; without it the
    scripts choose their own ticks and titles."""
    exe = shutil.which("gnuplot")
    if not exe:
        warn("gnuplot is not installed: no gnuplot plots (apt-get install gnuplot-nox)")
        return
    meta = meta or {}
    for name in ("attention", "preprocess", "prefetch"):
        data = os.path.join(out, f"{name}.csv")
        if not os.path.exists(data):
            continue
        script = os.path.join(HERE, f"{name}.gp")
        with open(data, encoding="utf-8") as f:
            ncols = len(f.readline().split(","))
        terms = [("pngcairo size 800,500", os.path.join(out, f"{name}_gnuplot.png"))]
        if dumb:
            terms.append(("dumb size 100,30", None))
        fixed, xs, bars = meta.get(name, ("", [], ""))
        extra = ["-e", f"fixed='{fixed}'"]
        if bars:  # what the error bars are, as the matplotlib plots say
            extra += ["-e", "bars='" + " ".join(bars.split()).replace("'", "") + "'"]
        if xs:
            lo, hi = _xrange(xs, log=name != "prefetch")
            extra += ["-e", "set xtics (" + ", ".join(f"{x:g}" for x in xs) + ")",
                      "-e", f"set xrange [{lo:g}:{hi:g}]"]
        for term, target in terms:
            cmd = [exe, "-e", f"datafile='{data}'", "-e", f"ncols={ncols}", *extra,
                   "-e", f"set terminal {term}"]
            if target:
                cmd += ["-e", f"set output '{target}'"]
            p = subprocess.run(cmd + [script], capture_output=True, text=True, check=False)
            if p.returncode:
                warn(f"gnuplot {name}: {p.stderr.strip().splitlines()[-1] if p.stderr.strip() else 'failed'}")
            elif not target:
                print(p.stdout)
