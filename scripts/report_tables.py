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


def ms_sd(s):
    return f"{fmt(s['ms'], '.3f')} ± {fmt(s['sd'], '.3f')}" if s else "—"


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


def slug(text):
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "table"


def plain(cell):
    """A markdown cell as plain text: no emphasis, no code marks."""
    return re.sub(r"\*\*|`", "", str(cell))


LATEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
                 "}": r"\}", "^": r"\textasciicircum{}",
                 "\\": r"\textbackslash{}", "±": r"$\pm$", "—": "---", "–": "--",
                 "÷": r"$\div$", "×": r"$\times$", "·": r"$\cdot$", "≥": r"$\geq$",
                 "≤": r"$\leq$", "~": r"$\sim$"}


def latex_escape(cell):
    return "".join(LATEX_SPECIAL.get(ch, ch) for ch in plain(cell))


def latex_table(caption, label, head, rows):
    """A booktabs table: numbers right-aligned, text left."""
    def numeric(col):
        vals = [plain(r[col]) for r in rows if col < len(r)]
        return vals and all(re.fullmatch(r"[-+0-9.,x%±— eE]+", v.strip() or "—") for v in vals)
    align = "".join("r" if numeric(i) else "l" for i in range(len(head)))
    lines = [r"\begin{table}[tbp]", r"\centering\small",
             rf"\caption{{{latex_escape(caption)}}}", rf"\label{{tab:{label}}}",
             rf"\begin{{tabular}}{{{align}}}", r"\toprule",
             " & ".join(latex_escape(h) for h in head) + r" \\", r"\midrule"]
    lines += [" & ".join(latex_escape(c) for c in r) + r" \\" for r in rows]
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)


MISSING = ("—", "-", "", "n/a", "—x", "—%")
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def csv_columns(head, rows):
    """A table's columns for a CSV: numbers in cells of their own. A column
    of "median ± sd" becomes two ("X", "X sd"), "1.14x" and "3.5%"
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
        elif every(rf"{_NUM}x \[{_NUM}\.\.{_NUM}\]"):  # a ratio and its [min..max]
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
