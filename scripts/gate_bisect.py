#!/usr/bin/env python3
"""Find the commit that introduced a regression, with the gate as the oracle.

The code is da3bench/gate_bisect.py; this file only runs it (--help for its flags)."""

import sys

from da3bench.gate_bisect import main

if __name__ == "__main__":
    sys.exit(main())
