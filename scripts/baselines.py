#!/usr/bin/env python3
"""da3bench's kernels side by side with what a user could pick instead: one
process, the same inputs, timed in alternation.

The code is da3bench/baselines.py; this file only runs it (--help for its flags)."""

import sys

from da3bench.baselines import blas_core_rerun, main

if __name__ == "__main__":
    blas_core_rerun(sys.argv[1:])
    sys.exit(main(sys.argv[1:]))
