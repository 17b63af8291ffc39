"""The report's verdicts: the summary table beside the seed's published
figures, and the recommendations, both computed from the records."""

from . import sections
from .tables import fmt, table, times


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
