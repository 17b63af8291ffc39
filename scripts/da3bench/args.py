"""Argument types shared by the command-line tools: a percentage and a
duration, each refused with a message naming the value."""

import argparse
import os
import re
import tempfile


def percent(text):
    t = text.strip().rstrip("%")
    try:
        v = float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a percentage such as 5%") from None
    if not 0 < v < 1000:
        raise argparse.ArgumentTypeError(f"'{text}' must be above 0% and below 1000%")
    return v / 100


def duration(text):
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not a duration such as 90s, 10m or 1h")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]


def out_dir(path):
    """Make the folder an --out flag names and write a scratch file in it:
    None when it can take the outputs, else the one-line reason (so a tool
    refuses an unwritable --out before it reads or runs anything)."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".da3-probe-"):
            pass
    except OSError as e:
        return f"--out {path}: {e.strerror or e}"
    return None


def split_at_dashes(argv):
    """(the tool's own arguments, those after "--" passed on to da3bench)."""
    argv = list(argv)
    if "--" not in argv:
        return argv, []
    i = argv.index("--")
    return argv[:i], argv[i + 1:]


def appendable(path, flag):
    """None when path can be appended to (created if missing), else the
    one-line reason naming flag: a file the tool appends to at its end is
    checked before it measures anything."""
    try:
        open(path, "a", encoding="utf-8").close()
    except OSError as e:
        return f"{flag} {path}: {e.strerror or e}"
    return None
