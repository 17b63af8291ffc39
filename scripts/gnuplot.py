"""CSV data for gnuplot and the runs of scripts/gnuplot/*.gp.

attention.csv (N, then ms and GFLOP/s per implementation, one config),
preprocess.csv (workers, img/s per pool and decode), prefetch.csv (io_ms,
ms per depth). gnuplot draws the same main plots as matplotlib: PNG through
pngcairo, and with --dumb in the terminal (for a CI log).
"""

import os
import shutil
import subprocess

import sections

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gnuplot")


def _write(path, head, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(head) + "\n")
        for r in rows:
            f.write(",".join("" if v is None else f"{v:.6g}" if isinstance(v, float) else str(v)
                             for v in r) + "\n")


def write_csv(m, out):
    att = sections.attention(m)
    by_cfg = {}
    for (b, h, n, d, t), impl in att.items():
        by_cfg.setdefault((b, h, d, t), {})[n] = impl
    if by_cfg:
        cfg = max(by_cfg, key=lambda k: len(by_cfg[k]))
        impls = sections.IMPLS
        rows = [[n] + [v for i in impls for v in ((by_cfg[cfg][n].get(i) or {}).get("ms"),
                                                  (by_cfg[cfg][n].get(i) or {}).get("gflops"))]
                for n in sorted(by_cfg[cfg])]
        _write(os.path.join(out, "attention.csv"),
               ["N"] + [f"{i}_{k}" for i in impls for k in ("ms", "gflops")], rows)
    groups, _ = sections.preprocess(m)
    series = {f"{k[0]}-{k[1]}": ws for k, ws in groups.items()}
    workers = sorted({int(w) for ws in series.values() for w in ws if w.isdigit()})
    if workers:
        _write(os.path.join(out, "preprocess.csv"), ["workers"] + list(series),
               [[w] + [(series[s].get(str(w)) or {}).get("ips") for s in series] for w in workers])
    pf = {k[0]: d for k, d in sections.prefetch(m).items() if k[1] == "sim"}
    depths = sorted({d for ds in pf.values() for d in ds})
    if pf:
        _write(os.path.join(out, "prefetch.csv"), ["io_ms"] + [f"depth-{d}" for d in depths],
               [[io] + [(pf[io].get(d) or {}).get("ms") for d in depths] for io in sorted(pf)])


def run(out, dumb, warn):
    exe = shutil.which("gnuplot")
    if not exe:
        warn("gnuplot is not installed: no gnuplot plots (apt-get install gnuplot-nox)")
        return
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
        for term, target in terms:
            cmd = [exe, "-e", f"datafile='{data}'", "-e", f"ncols={ncols}", "-e", f"set terminal {term}"]
            if target:
                cmd += ["-e", f"set output '{target}'"]
            p = subprocess.run(cmd + [script], capture_output=True, text=True, check=False)
            if p.returncode:
                warn(f"gnuplot {name}: {p.stderr.strip().splitlines()[-1] if p.stderr.strip() else 'failed'}")
            elif not target:
                print(p.stdout)
