"""The tables of report.py: cell formatting, the markdown of a table, and
every table of a report again as CSV and (booktabs) LaTeX files.

table() both returns a table's markdown and records it, under the section
and caption set in CONTEXT by the report being written, for write_tables().
"""

import csv
import math
import os
import re


def fmt(x, spec=".2f", none="—"):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return none
    return format(x, spec)


def times(x, spec=".2f"):
    """A ratio as "1.14x"; a missing one is "—", never "—x"."""
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{format(x, spec)}x"


def times_ci(rci, spec=".2f"):
    """A ratio_ci() as "1.14x [1.02..1.27]" ("—" when missing)."""
    if rci is None:
        return "—"
    r, lo, hi = rci
    if math.isnan(lo) or math.isnan(hi):
        return times(r, spec)
    return f"{format(r, spec)}x [{format(lo, spec)}..{format(hi, spec)}]"


def pct_cell(s):
    """% of peak, or why it is not shown: above 100% the peak was wrong."""
    if s and s.get("peak_suspect"):
        return f"peak under-measured ({s['pct']:.0f}%?)"
    return fmt(s and s["pct"], ".1f")


class Measured(str):
    """A "median ± sd" cell that also carries its repetition count: the
    markdown shows the text, the CSV gives the count a column ("X n")."""
    n = None


def measured(text, n):
    c = Measured(text)
    c.n = int(n) if n else None
    return c


def interval_head(label, stats):
    """A ratio column's header: "[95%]" where every median in it has the 6
    or more repetitions a 95% interval of a median needs, else "[min–max]"
    (each median's interval is then its range, which holds the median less
    often: 1 - 2^(1-n), 75% with 3 repetitions)."""
    ns = [s.get("n") for s in stats if s]
    return f"{label} [95%]" if ns and all(n and n >= 6 for n in ns) else f"{label} [min–max]"


def ms_sd(s):
    if not s:
        return "—"
    return measured(f"{fmt(s['ms'], '.3f')} ± {fmt(s['sd'], '.3f')}", s.get("n"))


# Every table made while a report is written, for the CSV and LaTeX
# exports: (name, caption, head, rows). write_report sets the context.
TABLES = []
CONTEXT = {"section": "table", "machine": ""}


def markdown_table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def table(head, rows):
    """The markdown of a table, recorded for the CSV and LaTeX exports."""
    name = CONTEXT["section"] + (f"_{CONTEXT['machine']}" if CONTEXT["machine"] else "")
    TABLES.append((name, CONTEXT.get("caption", name), list(head), [list(r) for r in rows]))
    return markdown_table(head, rows)


def slug(text, limit=80):
    """A file-name stem: lower case, words joined by _, at most `limit`
    characters, cut between words, never inside one."""
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if len(s) > limit:
        s = s[:limit + 1].rsplit("_", 1)[0]
    return s or "table"


def machine_keys(machines):
    """Each machine's part of its tables' file names, the same whatever the
    order of the files: its label (host, CPU, ISA, GPU), and where two
    machines share one, the time their run started too."""
    labels = [slug(m.label, 48) for m in machines]
    return [k + ("_" + slug(str(m.context.get("date", ""))[:16]) if labels.count(k) > 1 else "")
            for k, m in zip(labels, machines)]


def plain(cell):
    """A markdown cell as plain text: no emphasis, no code marks."""
    return re.sub(r"\*\*|`", "", str(cell))


LATEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
                 "}": r"\}", "^": r"\textasciicircum{}",
                 "\\": r"\textbackslash{}", "±": r"$\pm$", "—": "---", "–": "--",
                 "÷": r"$\div$", "×": r"$\times$", "·": r"$\cdot$", "≥": r"$\geq$",
                 "≤": r"$\leq$", "~": r"$\sim$"}


def latex_escape(cell):
    text, out = plain(cell), []
    for i, ch in enumerate(text):
        # "--" would set as an en dash (a command's --flag): "-{}-"
        out.append("{}-" if ch == "-" and i and text[i - 1] == "-" else LATEX_SPECIAL.get(ch, ch))
        # a long command line or list wraps after its separators, not past the margin
        if ch in ",/=|_" and 0 < i < len(text) - 1 and text[i + 1] != " ":
            out.append(r"\allowbreak{}")
    return "".join(out)


LATEX_PACKAGES = "booktabs,graphicx,array"
WIDE = 6         # more columns than this: the table spans both columns
LONG_TEXT = 40   # a text column with a longer cell wraps in a paragraph


def latex_head(h, align):
    """A header cell; a long one on two lines (a nested tabular: no package)."""
    words = plain(h).split()
    if len(plain(h)) <= 10 or len(words) < 2:
        return latex_escape(h)
    total, cut = len(plain(h)), 1
    for i in range(1, len(words)):  # the split nearest the middle
        if abs(len(" ".join(words[:i])) - total / 2) < abs(len(" ".join(words[:cut])) - total / 2):
            cut = i
    a = "r" if align == "r" else "l"
    # {} after the \\: a second line starting "[" is not its optional length
    return (rf"\begin{{tabular}}[b]{{@{{}}{a}@{{}}}}{latex_escape(' '.join(words[:cut]))}\\{{}}"
            rf"{latex_escape(' '.join(words[cut:]))}\end{{tabular}}")


def latex_table(caption, label, head, rows):
    """A booktabs table that fits the page of a two-column paper: numbers
    right-aligned, text left, long headers on two lines, long text wrapped,
    more than WIDE columns across the page (table*), and scaled down to the
    line width only when it is still wider, to 85% of the page height only
    when taller (box 0 measured, then \\resizebox).
    Needs \\usepackage{booktabs,graphicx,array}; tests/scripts compile
    every table with pdflatex where it is installed."""
    def numeric(col):
        vals = [plain(r[col]) for r in rows if col < len(r)]
        return vals and all(re.fullmatch(r"[-+0-9.,x%±— eE\[\]]+", v.strip() or "—") for v in vals)

    def longest(col):
        return max((len(plain(r[col])) for r in rows if col < len(r)), default=0)
    wide = len(head) > WIDE
    align = []
    n_long = sum(1 for i in range(len(head)) if not numeric(i) and longest(i) > LONG_TEXT)
    for i in range(len(head)):
        if numeric(i):
            align.append("r")
        elif longest(i) > LONG_TEXT:  # the long columns share ~85% of the line
            frac = round(min(0.55 if len(head) <= 3 else 0.3, 0.85 / n_long), 2)
            align.append(rf">{{\raggedright\arraybackslash}}p{{{frac}\linewidth}}")
        else:
            align.append("l")
    env = "table*" if wide else "table"
    lines = [f"% {caption} -- needs \\usepackage{{{LATEX_PACKAGES}}}",
             rf"\begin{{{env}}}[tbp]", r"\centering\small",
             rf"\caption{{{latex_escape(caption)}}}", rf"\label{{tab:{label}}}",
             # box 0: the tabular, scaled to the line's width where wider, then
             # to 85% of the page's height where taller (a long context table)
             r"\sbox0{%",
             rf"\begin{{tabular}}{{{''.join(align)}}}", r"\toprule",
             " & ".join(latex_head(h, align[i]) for i, h in enumerate(head)) + r" \\",
             r"\midrule"]
    # a row starting "[" after the previous \\ would read as its optional length
    lines += [("{}" if plain(r[0]).startswith("[") else "")
              + " & ".join(latex_escape(c) for c in r) + r" \\" for r in rows if r]
    lines += [r"\bottomrule", r"\end{tabular}}%",
              r"\ifdim\wd0>\linewidth\sbox0{\resizebox{\linewidth}{!}{\usebox0}}\fi",
              r"\ifdim\dimexpr\ht0+\dp0\relax>0.85\textheight"
              r"\resizebox*{!}{0.85\textheight}{\usebox0}\else\usebox0\fi",
              rf"\end{{{env}}}", ""]
    return "\n".join(lines)


MISSING = ("—", "-", "", "n/a", "—x", "—%")
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def csv_columns(head, rows):
    """A table's columns for a CSV: numbers in cells of their own. A column
    of "median ± sd" becomes two ("X", "X sd"), and a third ("X n") where
    its cells carry their repetition count (Measured); "1.14x" and "3.5%"
    lose their unit (named in the header), a missing value is empty; a
    column holding anything else stays text."""
    cells = [[plain(c).strip() for c in r] for r in rows]
    out_head, cols = [], []
    for i, h in enumerate(head):
        col = [r[i] if i < len(r) else "" for r in cells]
        vals = [v for v in col if v not in MISSING]
        h = plain(h)
        def every(pattern):
            return vals and all(re.fullmatch(pattern, v) for v in vals)
        if every(rf"{_NUM} ± {_NUM}"):
            out_head += [h, f"{h} sd"]  # the report's ± is a standard deviation
            pairs = [v.split(" ± ") if v not in MISSING else ["", ""] for v in col]
            cols += [[p[0] for p in pairs], [p[1] for p in pairs]]
            ns = [getattr(r[i], "n", None) if i < len(r) else None for r in rows]
            if any(ns):
                out_head.append(f"{h} n")
                cols.append([str(n) if n else "" for n in ns])
        elif every(rf"{_NUM}x \[{_NUM}\.\.{_NUM}\]"):  # a ratio and its [min..max]
            if "[95%]" in h:  # an interval, not the range of the samples
                h = h.replace("[95%]", "").strip()
                out_head += [f"{h} (x)", f"{h} 95% lo", f"{h} 95% hi"]
            else:
                h = h.replace("[min–max]", "").strip()
                out_head += [f"{h} (x)", f"{h} min", f"{h} max"]
            parts = [re.fullmatch(rf"({_NUM})x \[({_NUM})\.\.({_NUM})\]", v).groups()
                     if v not in MISSING else ("", "", "") for v in col]
            cols += [[p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts]]
        elif every(rf"{_NUM}x"):
            out_head.append(h if h.endswith("(x)") else f"{h} (x)")
            cols.append([v[:-1] if v not in MISSING else "" for v in col])
        elif every(rf"{_NUM}%"):
            out_head.append(h if "%" in h else f"{h} (%)")
            cols.append([v[:-1] if v not in MISSING else "" for v in col])
        else:
            out_head.append(h)
            cols.append(["" if v in MISSING else v for v in col])
    return out_head, [list(r) for r in zip(*cols)] if cols else []


def write_tables(out, latex):
    """tables/NAME.csv (and .tex) for every table of the report, named by
    what it holds, never by position: a paper's \\input{tables/attention}
    keeps working when a run adds or drops a section (a name met twice
    gets _2, _3 in the report's order)."""
    folder = os.path.join(out, "tables")
    os.makedirs(folder, exist_ok=True)
    written, seen = [], {}
    for name, caption, head, rows in TABLES:
        stem = slug(name)
        seen[stem] = seen.get(stem, 0) + 1
        if seen[stem] > 1:
            stem = f"{stem}_{seen[stem]}"
        base = os.path.join(folder, stem)
        with open(base + ".csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            chead, crows = csv_columns(head, rows)
            w.writerow(chead)
            w.writerows(crows)
        written.append(base + ".csv")
        if latex:
            with open(base + ".tex", "w", encoding="utf-8") as f:
                f.write(latex_table(caption, stem.replace("_", "-"), head, rows))
            written.append(base + ".tex")
    return written


def baseline_tables(out):
    """[(head, rows)] of a scripts/baselines.py document: the attention table, then the preprocessing one (each
    only when the run has it). Cells are strings, as printed."""
    result = []
    att = [b for b in out["benchmarks"] if b["name"].startswith("baseline/attention/")]
    pp = [b for b in out["benchmarks"] if b["name"].startswith("baseline/preprocess/")]
    ratio = (lambda b: f"{b['time_ratio']:.2f}x "
             f"[{b['time_ratio_min']:.2f}..{b['time_ratio_max']:.2f}]")
    if att:
        rows = []
        for b in att:
            parts = b["name"].split("/")
            rows.append([" ".join(p.replace(":", "") for p in parts[3:7]), parts[2],
                         measured(f"{b['real_time']:.2f} ± {b['stddev_ms']:.2f}",
                                  b.get("rounds")), f"{b['GFLOPS']:.1f}",
                         f"{b['pct_peak']:.1f}%", ratio(b), f"{b['max_abs_err']:.2g}"])
        result.append((["shape", "implementation", "ms", "GFLOP/s", "% peak", "time vs first",
                        "max_abs_err"], rows))
    if pp:
        rows = [[b["name"].split("/")[2], measured(f"{b['real_time']:.2f} ± {b['stddev_ms']:.2f}",
                                                   b.get("rounds")),
                 f"{b['img_per_s']:.0f}", ratio(b),
                 f"{b['max_abs_diff_vs_da3_full']:.3g} / {b['mean_abs_diff_vs_da3_full']:.2g}"]
                for b in pp]
        result.append((["pipeline", "ms/image", "images/s", "time vs da3_full",
                         "diff vs da3_full: max / mean"], rows))
    return result


def fmt_ms(x):
    """A time in ms to 4 significant digits, or an em dash when not finite."""
    return f"{x:.4g}" if math.isfinite(x) else "—"
