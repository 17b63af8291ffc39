#!/usr/bin/env python3
"""Merge several da3bench JSON files of the same benchmarks into one.

usage: merge.py A.json B.json ... -o MERGED.json

The runs of interleaved rounds (base, head, base, head, ...) become one
file per side whose repetitions are all the rounds' repetitions; the
context is the first file's. Aggregates are dropped (compare.py and
report.py recompute them). Exit 2 on an unreadable file.
"""

import argparse
import json
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    merged, count = None, {}
    for path in a.inputs:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            runs = doc["benchmarks"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"merge.py: {path}: not a readable results file ({e})", file=sys.stderr)
            return 2
        if merged is None:
            merged = {"context": doc.get("context", {}), "benchmarks": []}
        for b in runs:
            if b.get("run_type", "iteration") != "iteration":
                continue
            name = b.get("run_name", b.get("name"))
            b["repetition_index"] = count.get(name, 0)
            count[name] = count.get(name, 0) + 1
            merged["benchmarks"].append(b)
    for b in merged["benchmarks"]:
        b["repetitions"] = count[b.get("run_name", b.get("name"))]
    with open(a.output, "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
