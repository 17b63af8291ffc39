#!/usr/bin/env python3
"""JSON results -> BENCHMARK_RESULTS.md, plots and gnuplot data.

The code is da3bench/report.py; this file only runs it (--help for its flags)."""

import sys

from da3bench.report import main

if __name__ == "__main__":
    sys.exit(main())
