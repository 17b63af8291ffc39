#!/usr/bin/env python3
"""The benchmark history as a static page: one HTML file plus its data.

usage: history.py RESULTS_DIR --out DIR [--title TEXT] [--step 5%]

Reads every da3bench JSON under RESULTS_DIR (the files kept on the results
branch, one per run), and writes DIR/index.html (self-contained: inline
script and SVG, no server, no library) and DIR/history-data.js (the data it
draws): for each benchmark, in its own unit (ms for a time, GFLOP/s for the
FMA peak, GB/s for the triad), its median and a 95% interval of the median
over the run's repetitions, for every run in date order, labelled with the
date and commit and the machine (CPU, cores, ISA) of that run; one colour
per machine. The x axis spaces the runs evenly (as asv's "even commit
spacing"), or by date (a menu on the page, or the link index.html#x=date).
Steps are detected per benchmark and machine, as asv marks them: where
the median of the runs after a point differs from the median of the runs
before it by at least --step, and that run's interval does not overlap
the previous run's, the page marks the step with its commit and lists
every step at the top (`scripts/gate_bisect.py` then finds the
commit inside a range). A file that cannot be read is said in one line and
skipped; exit 2 if none could be read. perf.yml runs this on pushes to
main and publishes DIR with GitHub Pages.
"""

import argparse
import json
import os
import sys


from .args import out_dir
from .results import ResultsError, group, load, median_ci, median_sd

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
#charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr));
          gap: 1.2em 1.5em; }
.chart h2 { font: 600 12px/1.3 ui-monospace, monospace; margin: 0 0 .2em;
            overflow-wrap: anywhere; }
.chart svg { width: 100%; height: auto; }
#steps { margin: 0 0 1em; }
#steps li.up { color: #b03000; }
#steps li.down { color: #00734d; }
svg text { font: 10px system-ui, sans-serif; fill: #444; }
input { font: inherit; width: 20em; margin: 0 1em 1em 0; }
select { font: inherit; }
</style>
</head>
<body>
<h1>__TITLE__</h1>
<div id="meta"></div>
<input id="filter" placeholder="filter benchmarks (regular expression)">
<label>x axis <select id="xaxis"><option value="run">runs, evenly spaced</option>
<option value="date">date</option></select></label>
<div id="legend"></div>
<ul id="steps"></ul>
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
function niceTicks(lo, hi, want) {
  // 1, 2 or 5 times a power of ten, about `want` ticks inside [lo, hi]
  const raw = (hi - lo) / Math.max(want, 1);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}
function shortDate(d) {
  // "2026-11-02T05:57:45+00:00" -> "11-02 05:57"
  const m = /^\d{4}-(\d\d-\d\d)(?:[T ](\d\d:\d\d))?/.exec(d || "");
  return m ? (m[2] ? `${m[1]} ${m[2]}` : m[1]) : "?";
}
function chart(name, bench, machines) {
  const points = bench.points, unit = bench.unit;
  const W = 440, H = 200, L = 56, R = 12, T = 10, B = 40;
  const box = document.createElement("div");
  box.className = "chart";
  box.id = "b-" + name.replace(/[^A-Za-z0-9]+/g, "-");
  const h = document.createElement("h2");
  h.textContent = name;
  box.appendChild(h);
  const svg = el("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": name}, box);
  const ys = points.flatMap(p => [p.lo, p.hi, p.median]).filter(Number.isFinite);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (y1 === y0) { y0 *= 0.95; y1 = y1 * 1.05 || 1; }
  const pad = (y1 - y0) * 0.08; y0 -= pad; y1 += pad;
  // x: the runs evenly spaced, or on a time scale
  const ts = points.map(p => Date.parse(p.date));
  const byDate = xMode() === "date" && ts.every(Number.isFinite) && ts[ts.length - 1] > ts[0];
  const frac = i => points.length < 2 ? 0.5 : byDate ? (ts[i] - ts[0]) / (ts[ts.length - 1] - ts[0])
                                                      : i / (points.length - 1);
  const x = i => L + frac(i) * (W - L - R);
  const y = v => T + (1 - (v - y0) / (y1 - y0)) * (H - T - B);
  el("line", {x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#999"}, svg);
  el("line", {x1: L, y1: T, x2: L, y2: H - B, stroke: "#999"}, svg);
  for (const v of niceTicks(y0, y1, 4)) {
    el("line", {x1: L - 3, y1: y(v), x2: W - R, y2: y(v), stroke: "#eee"}, svg);
    el("text", {x: L - 5, y: y(v) + 3, "text-anchor": "end"}, svg).textContent = String(v);
  }
  el("text", {x: 11, y: (H - B) / 2, transform: `rotate(-90 11 ${(H - B) / 2})`,
              "text-anchor": "middle"}, svg).textContent = `${unit} (median, 95% CI)`;
  // the steps first, under the points
  for (const st of bench.steps || []) {
    const xi = x(st.index);
    el("line", {x1: xi, y1: T, x2: xi, y2: H - B, stroke: st.worse ? "#D55E00" : "#009E73",
                "stroke-width": 2, "stroke-dasharray": "4 3", class: "step"}, svg);
    const left = st.index >= points.length / 2;  // the label on the roomier side
    const t = el("text", {x: xi + (left ? -4 : 4), y: T + 9, "text-anchor": left ? "end" : "start",
                          style: `fill: ${st.worse ? "#D55E00" : "#009E73"}; font-weight: 600`}, svg);
    t.textContent = `${st.change > 0 ? "+" : ""}${(100 * st.change).toFixed(1)}% ${st.commit.slice(0, 7)}`;
  }
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
        `median ${p.median.toPrecision(4)} ${unit}, 95% CI ${p.lo.toPrecision(4)}-${p.hi.toPrecision(4)}`;
    }
  });
  // labels of two lines (date, commit), at least 70 px apart; the last run's kept
  const GAP = 70, shown = [];
  for (let i = points.length - 1, next = Infinity; i >= 0; i--)
    if (next - x(i) >= GAP || i === points.length - 1) { shown.push(i); next = x(i); }
  points.forEach((p, i) => {
    if (!shown.includes(i)) return;
    const anchor = points.length < 2 ? "middle" : i === 0 ? "start" : i === points.length - 1 ? "end" : "middle";
    el("text", {x: x(i), y: H - B + 13, "text-anchor": anchor}, svg).textContent = shortDate(p.date);
    el("text", {x: x(i), y: H - B + 25, "text-anchor": anchor, fill: "#777"}, svg).textContent =
      p.commit.slice(0, 7);
  });
  return box;
}
function xMode() {
  return document.getElementById("xaxis").value;
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
  const list = document.getElementById("steps");
  list.textContent = "";
  for (const name of Object.keys(data.benchmarks).sort()) {
    if (re && !re.test(name)) continue;
    for (const st of data.benchmarks[name].steps || []) {
      const li = document.createElement("li");
      li.className = st.worse ? "up" : "down";
      const a = document.createElement("a");
      a.href = "#b-" + name.replace(/[^A-Za-z0-9]+/g, "-");
      a.textContent = name;
      li.appendChild(a);
      li.appendChild(document.createTextNode(
        `: ${st.worse ? "worse" : "better"} by ${(100 * Math.abs(st.change)).toFixed(1)}% ` +
        `at ${st.commit} (${st.date}), ${st.machine}; previous run ${st.before}`));
      list.appendChild(li);
    }
  }
  document.body.setAttribute("data-steps", list.children.length);
}
function init() {
  const data = window.DA3_HISTORY;
  document.getElementById("meta").textContent =
    `${data.runs} runs, ${Object.keys(data.benchmarks).length} benchmarks, ` +
    `${data.machines.length} machine(s), ${data.steps} step(s) of ${data.step_pct}% or more; ` +
    `generated ${data.generated}`;
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
  const xs = document.getElementById("xaxis");
  if (location.hash === "#x=date") xs.value = "date";  // a link can ask for the time scale
  xs.addEventListener("change", draw);
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


# a benchmark's metric, in its own unit: (counter or None for the time, unit, higher is better)
METRICS = {"fma": ("GFLOPS", "GFLOP/s", True), "bf16_dot": ("GFLOPS", "GFLOP/s", True),
           "triad": ("GB_per_s", "GB/s", True)}
TIME = (None, "ms", False)


def metric(suite, reps):
    m = METRICS.get(reps[0].words[0] if suite == "peak" and reps[0].words else "", TIME)
    if m[0] and not any(m[0] in r.counters for r in reps):
        return TIME
    return m


def steps(points, threshold, window=5):
    """asv-style step detection on one machine's points of a benchmark:
    at run i the median of up to `window` runs from i on differs from the
    median of up to `window` runs before i by `threshold` or more, and run
    i's interval does not overlap run i-1's. Of neighbouring candidates the
    largest change is kept. [(index into points, relative change)]."""
    import statistics
    cands = []
    for i in range(1, len(points)):
        before = [p["median"] for p in points[max(0, i - window):i]]
        after = [p["median"] for p in points[i:i + window]]
        mb, ma = statistics.median(before), statistics.median(after)
        if not mb > 0:
            continue
        change = ma / mb - 1
        prev, cur = points[i - 1], points[i]
        apart = cur["lo"] > prev["hi"] if change > 0 else cur["hi"] < prev["lo"]
        if abs(change) >= threshold and apart:
            cands.append((i, change))
    kept = []
    for i, c in cands:
        if kept and i - kept[-1][0] < window and abs(c) <= abs(kept[-1][1]):
            continue
        if kept and i - kept[-1][0] < window:
            kept.pop()
        kept.append((i, c))
    return kept


def parse_step(text):
    t = text.strip()
    try:
        v = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        v = float("nan")
    if not 0 < v < 10:
        raise argparse.ArgumentTypeError(f"--step {text}: a positive relative change, e.g. 5%")
    return v


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results")
    ap.add_argument("--out", required=True)
    ap.add_argument("--title", default="da3bench history")
    ap.add_argument("--step", type=parse_step, default=0.05,
                    help="the smallest change marked as a step (default 5%%)")
    a = ap.parse_args(argv)
    bad = out_dir(a.out)
    if bad:
        print(f"history.py: {bad}", file=sys.stderr)
        return 2
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
                key, unit, higher = metric(suite, reps)
                values = [r.time_ms if key is None else r.counters.get(key) for r in reps]
                med, _ = median_sd(values)
                lo, hi = median_ci(values)
                if med != med:  # no valid sample in this run
                    continue
                b = benches.setdefault(name, {"unit": unit, "higher_is_better": higher,
                                              "points": [], "steps": []})
                b["points"].append({
                    "commit": m.context.get("git_commit", "?"), "date": m.context.get("date", "?"),
                    "machine": label, "median": med, "lo": lo, "hi": hi, "n": len(values)})
    n_steps = 0
    for b in benches.values():
        pts = b["points"]
        for mach in machines:
            idx = [i for i, p in enumerate(pts) if p["machine"] == mach]
            for j, change in steps([pts[i] for i in idx], a.step):
                i, prev = idx[j], pts[idx[j - 1]]
                b["steps"].append({"index": i, "change": change, "commit": pts[i]["commit"],
                                   "date": pts[i]["date"], "machine": mach,
                                   "before": prev["commit"],
                                   "worse": (change < 0) if b["higher_is_better"] else (change > 0)})
                n_steps += 1
    from datetime import datetime, timezone
    data = {"generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "runs": len(runs), "machines": machines, "benchmarks": benches,
            "steps": n_steps, "step_pct": round(100 * a.step, 2)}
    title = a.title.replace("&", "&amp;").replace("<", "&lt;")
    try:
        with open(os.path.join(a.out, "history-data.js"), "w", encoding="utf-8") as f:
            f.write("window.DA3_HISTORY = " + json.dumps(data, allow_nan=False, default=str)
                    + ";\n")
        with open(os.path.join(a.out, "index.html"), "w", encoding="utf-8") as f:
            f.write(PAGE.replace("__TITLE__", title))
    except OSError as e:
        print(f"history.py: --out {a.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"history.py: {len(runs)} runs, {len(benches)} benchmarks, {n_steps} step(s) -> "
          f"{os.path.join(a.out, 'index.html')}")
    return 0
