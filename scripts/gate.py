#!/usr/bin/env python3
"""The adaptive regression gate: base and head run in rounds until every verdict is settled.

The code is da3bench/gate.py; this file only runs it (--help for its flags)."""

import sys

from da3bench.gate import main

if __name__ == "__main__":
    sys.exit(main())
