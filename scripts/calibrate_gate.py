#!/usr/bin/env python3
"""Calibrate the regression gate on this machine: A/A and known slowdowns.

The code is da3bench/calibrate_gate.py; this file only runs it (--help for its flags)."""

import sys

from da3bench.calibrate_gate import main

if __name__ == "__main__":
    sys.exit(main())
