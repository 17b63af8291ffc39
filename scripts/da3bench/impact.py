"""The report's Combined Impact: the seed's model of one DA3 step from the
attention and preprocess results, and the block suite's measured block."""

from . import heads, sections
from .tables import fmt, interval_head, ms_sd, table, times, times_ci


def preprocess_per_image(m):
    """(ms per image at 8 workers, at the best worker count, that count, the
    image size) for natural JPEGs, full decode, thread pool: 1920x1080 where
    measured, else the size the run has; Nones if absent."""
    groups, _ = sections.preprocess(m)
    fit = sorted((k for k in groups if k[0] == "threads" and k[1] == "full"),
                 key=lambda k: k[5] != "1920x1080")
    if not fit:
        return None, None, None, None
    pre = groups[fit[0]]
    best, bs = sections.best_workers(pre)
    return (pre["8"]["ms_img"] if "8" in pre else None), (bs and bs["ms_img"]), best, fit[0][5]


def image_model(m):
    """One image through the backbone, modelled from measured parts: depth x
    the block (split by its measured shares) plus the preprocessing of one
    image (naive with the seed's 8 workers, the others at the best count).
    [{vit, model, scope, impl, s: {attention, gemm, other, preprocessing}}],
    seconds; preprocessing None where the run has no preprocess results."""
    t8, tbest, best, size = preprocess_per_image(m)
    out = []
    for (c, h, b, n, threads), e in sections.block(m).items():
        vit, model, depth = sections.VITS.get(c, (f"C{c}", "?", None))
        views = (b or 1) * (n or 0) / 721
        if not depth or views != 1:  # one image: one view
            continue
        for impl, st in e["blocks"].items():
            shares = [st.get(k) for k in ("attn_share", "gemm_share", "other_share")]
            if any(x is None for x in shares) or st["ms"] != st["ms"]:
                continue
            total = depth * st["ms"] / 1000
            pre = t8 if impl == "naive" else tbest
            out.append({"vit": vit, "model": model, "threads": threads, "impl": impl,
                        "workers": 8 if impl == "naive" else best, "size": size,
                        "s": {"attention": total * shares[0], "gemm": total * shares[1],
                              "other": total * shares[2],
                              "preprocessing": pre / 1000 if pre else None}})
    return out


def image_sentences(m):
    """What the modelled image says, in sentences from its numbers."""
    rows = image_model(m)
    says = []
    for vit in dict.fromkeys(r["vit"] for r in rows):
        by = {r["impl"]: r for r in rows if r["vit"] == vit}
        nv, fl = by.get("naive"), by.get("flash")
        if not (nv and fl):
            continue
        tn, tf = (sum(v or 0 for v in r["s"].values()) for r in (nv, fl))
        share = lambda r, k, t: 100 * (r["s"][k] or 0) / t  # noqa: E731
        pre = ("" if nv["s"]["preprocessing"] is None else
               f", preprocessing (one {fl['size']} JPEG) "
               f"{fmt(share(fl, 'preprocessing', tf), '.1f')}%")
        big = max(("attention", "gemm", "other"), key=lambda k: fl["s"][k])
        says.append(
            f"{vit} ({nv['model']}), one view, {nv['threads']} threads: {fmt(tn, '.2f')} s per "
            f"image upstream (naive attention"
            f"{', preprocessing at 8 workers' if pre else ''}) against {fmt(tf, '.2f')} s "
            f"optimized (flash{', preprocessing at ' + str(fl['workers']) + ' workers' if pre else ''}"
            f"): {fmt(tn / tf, '.2f')}x. Attention falls from "
            f"{fmt(share(nv, 'attention', tn), '.0f')}% of the image to "
            f"{fmt(share(fl, 'attention', tf), '.0f')}%; the GEMMs are then "
            f"{fmt(share(fl, 'gemm', tf), '.0f')}%, the rest of the block "
            f"{fmt(share(fl, 'other', tf), '.0f')}%{pre}: the largest part left is "
            f"{'the GEMMs' if big == 'gemm' else big}.")
    return says


def amdahl(attn_saved, pre_saved):
    """Each optimization's share of the time the two save, from its part."""
    total = attn_saved + pre_saved
    if not total > 0:
        return ""
    return (f": of the time the two save, {fmt(100 * attn_saved / total, '.1f')}% is "
            f"attention's and {fmt(100 * pre_saved / total, '.1f')}% the decode's")


def image_section(m):
    """The block suite's --image cases: one image, measured as one run, per
    configuration, with each optimization's speedup and the time's parts."""
    imgs = sections.image(m)
    if not imgs:
        return ""
    rows, says = [], []
    for (c, h, threads), cfg in imgs.items():
        vit, model, depth = sections.VITS.get(c, (f"C{c}", "?", None))
        up = cfg.get("upstream")
        for name in [k for k in sections.IMAGE_CONFIGS if k in cfg] + \
                [k for k in cfg if k not in sections.IMAGE_CONFIGS]:
            s = cfg[name]
            rci = sections.ratio_ci(up, s) if up and name != "upstream" else None
            parts = " / ".join(fmt(100 * s[k], ".1f") if s.get(k) is not None else "—"
                               for k in ("pre_share", "attn_share", "gemm_share", "other_share"))
            rows.append([f"{vit} ({model})", threads, name, ms_sd(s),
                         times_ci(rci) if rci else "—", parts])
        fl, dc, op = cfg.get("flash"), cfg.get("dct"), cfg.get("optimized")
        if up and op and up["ms"] > 0:
            # each optimization's saving from the part it changes, timed inside
            # the runs (the whole-image times of two runs also differ by the
            # machine's drift, more than the decode saves)
            part = lambda x, k: (x.get(k) or 0) * x["ms"]  # noqa: E731
            share = ("" if not (fl and dc) else
                     f" Measured inside the runs, flash attention takes the attention from "
                     f"{fmt(part(up, 'attn_share'), '.1f')} to {fmt(part(fl, 'attn_share'), '.1f')}"
                     f" ms, and the DCT-domain decode the preprocessing from "
                     f"{fmt(part(up, 'pre_share'), '.1f')} to {fmt(part(dc, 'pre_share'), '.1f')} "
                     "ms" + amdahl(part(up, 'attn_share') - part(fl, 'attn_share'),
                                   part(up, 'pre_share') - part(dc, 'pre_share')) + ".")
            pre = op.get("pre_share")
            dpt, bb = heads.dpt_flops(c), heads.backbone_flops(c, depth or 0)
            blocks_s = op["ms"] / 1000 * (1 - (pre or 0))
            head = ("" if not (dpt and bb and blocks_s > 0) else
                    f" Not in it, estimated from FLOP counts: the DPT head, "
                    f"{fmt(dpt, '.0f')} GFLOP for one view (one branch: a lower bound) against "
                    f"the backbone's {fmt(bb, '.0f')} ({fmt(100 * dpt / bb, '.0f')}%); at the "
                    f"rate the optimized backbone ran ({fmt(bb / blocks_s, '.0f')} GFLOP/s), "
                    f"about {fmt(dpt / (bb / blocks_s), '.2f')} s more.")
            says.append(
                f"{vit} ({model}), {threads} threads: {fmt(up['ms'] / 1000, '.2f')} s per image "
                f"upstream, {fmt(op['ms'] / 1000, '.2f')} s optimized, "
                f"{times_ci(sections.ratio_ci(up, op))}.{share}"
                + (f" Preprocessing is {fmt(100 * pre, '.1f')}% of the optimized image: what "
                   f"is left is the backbone's GEMMs ({fmt(100 * (op.get('gemm_share') or 0), '.0f')}%)."
                   if pre is not None else "") + head)
    used = [s for cfg in imgs.values() for s in cfg.values()]
    head = ["model", "threads", "configuration", "ms per image",
            interval_head("speedup over upstream", used),
            "preprocessing / attention / GEMM / other %"]
    note = ("One image measured as one run (`da3bench run block --image`): a 1920x1080 q90 "
            "natural JPEG through DA3's preprocessing on one thread, then the backbone's "
            "depth of blocks over one view's 721 tokens. upstream: naive attention, full "
            "decode; flash and dct: one optimization each; optimized: both. Not in it: the "
            "patch embedding (the image is not the blocks' input), the DPT head and the "
            "camera head. Two runs of one configuration differ by the machine's drift (up "
            "to 5% between runs on the shared VMs), more than the decode saves: what each "
            "optimization changes is read from its part, timed inside the run.")
    return "\n".join([note, "", table(head, rows)] + ([""] + [f"- {x}" for x in says] if says else []))


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
    says = [f"- {m.label}: {x}" if len(machines) > 1 else f"- {x}"
            for m in machines for x in image_sentences(m)]
    if says:
        out += ["", "One image through the backbone, from the block suite's measured block "
                "(depth x one block, split by its measured shares) and the preprocess "
                "suite's ms per image; a model of measured parts, not one timed run, and "
                "without the patch embedding, the DPT head and the camera head:", ""] + says
    return "\n".join(out)
