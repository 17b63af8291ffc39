"""The report's Combined Impact: the seed's model of one DA3 step from the
attention and preprocess results, and the block suite's measured block."""

from . import sections
from .tables import fmt, ms_sd, table, times, times_ci


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
