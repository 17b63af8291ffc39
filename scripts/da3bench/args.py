"""Argument types shared by the command-line tools: a percentage and a
duration, each refused with a message naming the value."""

import argparse
import re


def percent(text):
    t = text.strip().rstrip("%")
    try:
        v = float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a percentage such as 5%") from None
    if not 0 < v < 1000:
        raise argparse.ArgumentTypeError(f"'{text}' must be above 0%")
    return v / 100


def duration(text):
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not a duration such as 90s, 10m or 1h")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
