#!/usr/bin/env python3
"""The benchmark history as a static page: one HTML file plus its data.

The code is da3bench/history.py; this file only runs it (--help for its flags)."""

import sys

from da3bench.history import main

if __name__ == "__main__":
    sys.exit(main())
