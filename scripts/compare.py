#!/usr/bin/env python3
"""The regression gate: compare two da3bench results, benchmark by benchmark.

The code is da3bench/compare.py; this file only runs it (--help for its flags)."""

import sys

from da3bench.compare import main

if __name__ == "__main__":
    sys.exit(main())
