#!/usr/bin/env python3
"""Post the gate's verdict on the pull request, or update the one posted before.

The code is da3bench/pr_comment.py; this file only runs it (--help for its flags)."""

import sys

from da3bench.pr_comment import main

if __name__ == "__main__":
    sys.exit(main())
