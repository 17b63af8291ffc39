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
            w.writerow([plain(h) for h in head])
            w.writerows([[plain(c) for c in r] for r in rows])
        written.append(base + ".csv")
        if latex:
            with open(base + ".tex", "w", encoding="utf-8") as f:
                f.write(latex_table(caption, stem.replace("_", "-"), head, rows))
            written.append(base + ".tex")
    return written
