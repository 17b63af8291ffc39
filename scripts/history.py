#!/usr/bin/env python3
"""The benchmark history as a static page: one HTML file plus its data.

usage: history.py RESULTS_DIR --out DIR [--title TEXT]

Reads every da3bench JSON under RESULTS_DIR (the files kept on the results
branch, one per run), and writes DIR/index.html (self-contained: inline
script and SVG, no server, no library) and DIR/history-data.js (the data it
draws): for each benchmark, its median and a 95% interval of the median over
the run's repetitions, for every run in date order, labelled with the
commit and the machine (CPU, cores, ISA) of that run; one colour per
machine. A file that cannot be read is said in one line and skipped; exit 2
if none could be read. perf.yml runs this on pushes to main and publishes
DIR with GitHub Pages.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from results import ResultsError, group, load, median_ci, median_sd  # noqa: E402

PAGE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>__TITLE__</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
#meta { color: #555; margin-bottom: 1em; }
#legend span { display: inline-block; margin-right: 1.2em; }
#legend i { display: inline-block; width: .9em; height: .9em; margin-right: .3em;
            vertical-align: -1px; border-radius: 2px; }
.chart { display: inline-block; margin: 0 1em 1.2em 0; vertical-align: top; }
.chart h2 { font: 600 12px/1.3 ui-monospace, monospace; margin: 0 0 .2em; max-width: 440px;
            overflow-wrap: anywhere; }
svg text { font: 10px system-ui, sans-serif; fill: #444; }
input { font: inherit; width: 20em; margin-bottom: 1em; }
</style>
</head>
<body>
<h1>__TITLE__</h1>
<div id="meta"></div>
<input id="filter" placeholder="filter benchmarks (regular expression)">
<div id="legend"></div>
<div id="charts"></div>
<script src="history-data.js"></script>
<script>
"use strict";
const COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"];
const NS = "http://www.w3.org/2000/svg";
function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function chart(name, points, machines) {
  const W = 440, H = 190, L = 66, R = 10, T = 8, B = 34;
  const box = document.createElement("div");
  box.className = "chart";
  const h = document.createElement("h2");
  h.textContent = name;
  box.appendChild(h);
  const svg = el("svg", {width: W, height: H, role: "img", "aria-label": name}, box);
  const ys = points.flatMap(p => [p.lo, p.hi, p.median]).filter(Number.isFinite);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (y1 === y0) { y0 *= 0.95; y1 = y1 * 1.05 || 1; }
  const pad = (y1 - y0) * 0.08; y0 -= pad; y1 += pad;
  const x = i => L + (points.length < 2 ? (W - L - R) / 2 : i * (W - L - R) / (points.length - 1));
  const y = v => T + (1 - (v - y0) / (y1 - y0)) * (H - T - B);
  el("line", {x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#999"}, svg);
  el("line", {x1: L, y1: T, x2: L, y2: H - B, stroke: "#999"}, svg);
  for (let k = 0; k <= 3; k++) {
    const v = y0 + (y1 - y0) * k / 3;
    el("line", {x1: L - 3, y1: y(v), x2: W - R, y2: y(v), stroke: "#eee"}, svg);
    el("text", {x: L - 5, y: y(v) + 3, "text-anchor": "end"}, svg).textContent =
      String(Number(v.toPrecision(3)));
  }
  el("text", {x: 12, y: (H - B) / 2, transform: `rotate(-90 12 ${(H - B) / 2})`,
              "text-anchor": "middle"}, svg).textContent = "ms (median, 95% CI)";
  el("text", {x: (W + L) / 2, y: H - 4, "text-anchor": "middle"}, svg).textContent =
    "runs in date order (commit)";
  machines.forEach((m, mi) => {
    const mine = points.map((p, i) => [p, i]).filter(([p]) => p.machine === m);
    if (mine.length > 1)
      el("polyline", {points: mine.map(([p, i]) => `${x(i)},${y(p.median)}`).join(" "),
                      fill: "none", stroke: COLORS[mi % COLORS.length], "stroke-width": 1.5}, svg);
    for (const [p, i] of mine) {
      if (Number.isFinite(p.lo) && Number.isFinite(p.hi))
        el("line", {x1: x(i), y1: y(p.lo), x2: x(i), y2: y(p.hi),
                    stroke: COLORS[mi % COLORS.length]}, svg);
      const c = el("circle", {cx: x(i), cy: y(p.median), r: 3.5,
                              fill: COLORS[mi % COLORS.length]}, svg);
      el("title", {}, c).textContent = `${p.commit} (${p.date})\n${p.machine}\n` +
        `median ${p.median.toPrecision(4)} ms, 95% CI ${p.lo.toPrecision(4)}-${p.hi.toPrecision(4)}`;
    }
  });
  points.forEach((p, i) => {
    if (points.length <= 12 || i % Math.ceil(points.length / 12) === 0)
      el("text", {x: x(i), y: H - B + 13, "text-anchor": i === 0 ? "start" : i === points.length - 1 ? "end" : "middle"},
         svg).textContent = p.commit.slice(0, 7);
  });
  return box;
}
function draw() {
  const data = window.DA3_HISTORY;
  const pattern = document.getElementById("filter").value;
  let re = null;
  try { re = pattern ? new RegExp(pattern) : null; } catch (e) { re = null; }
  const charts = document.getElementById("charts");
  charts.textContent = "";
  for (const name of Object.keys(data.benchmarks).sort()) {
    if (re && !re.test(name)) continue;
    charts.appendChild(chart(name, data.benchmarks[name], data.machines));
  }
}
function init() {
  const data = window.DA3_HISTORY;
  document.getElementById("meta").textContent =
    `${data.runs} runs, ${Object.keys(data.benchmarks).length} benchmarks, ` +
    `${data.machines.length} machine(s); generated ${data.generated}`;
  const legend = document.getElementById("legend");
  data.machines.forEach((m, i) => {
    const s = document.createElement("span");
    const sw = document.createElement("i");
    sw.style.background = COLORS[i % COLORS.length];
    s.appendChild(sw);
    s.appendChild(document.createTextNode(m));
    legend.appendChild(s);
  });
  document.getElementById("filter").addEventListener("input", draw);
  draw();
  document.body.setAttribute("data-drawn", document.querySelectorAll(".chart").length);
}
init();
</script>
</body>
</html>
"""


def machine_label(ctx):
    return (f"{ctx.get('cpu_model', '?')}, {ctx.get('cores', '?')} cores, "
            f"{ctx.get('isa_selected', '?')}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results")
    ap.add_argument("--out", required=True)
    ap.add_argument("--title", default="da3bench history")
    a = ap.parse_args(argv)
    files = []
    for root, _, names in os.walk(a.results):
        files += [os.path.join(root, n) for n in names if n.endswith(".json")]
    runs = []
    for path in sorted(files):
        try:
            m = load(path)
        except ResultsError as e:
            print(f"history.py: {e}", file=sys.stderr)
            continue
        runs.append(m)
    if not runs:
        print(f"history.py: no readable results file under {a.results}", file=sys.stderr)
        return 2
    runs.sort(key=lambda m: (m.context.get("date", ""), m.path))
    machines, benches = [], {}
    for m in runs:
        label = machine_label(m.context)
        if label not in machines:
            machines.append(label)
        for suite in sorted({r.suite for r in m.records}):
            for name, reps in group(m.records, suite).items():
                times = [r.time_ms for r in reps]
                med, _ = median_sd(times)
                lo, hi = median_ci(times)
                benches.setdefault(name, []).append({
                    "commit": m.context.get("git_commit", "?"), "date": m.context.get("date", "?"),
                    "machine": label, "median": med, "lo": lo, "hi": hi, "n": len(times)})
    from datetime import datetime, timezone
    data = {"generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "runs": len(runs), "machines": machines, "benchmarks": benches}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "history-data.js"), "w", encoding="utf-8") as f:
        f.write("window.DA3_HISTORY = " + json.dumps(data, allow_nan=False, default=str) + ";\n")
    title = a.title.replace("&", "&amp;").replace("<", "&lt;")
    with open(os.path.join(a.out, "index.html"), "w", encoding="utf-8") as f:
        f.write(PAGE.replace("__TITLE__", title))
    print(f"history.py: {len(runs)} runs, {len(benches)} benchmarks -> "
          f"{os.path.join(a.out, 'index.html')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
