"""Helpers shared by the benchmark drivers: load average, percentiles, results files."""

import json
import math
import os
import time


def load():
    """The 1-minute load average, rounded."""
    return round(os.getloadavg()[0], 2)


def pct(samples, p):
    """Nearest-rank percentile (p in 0..1) of a list of numbers."""
    s = sorted(samples)
    if not s:
        return None
    i = min(max(math.ceil(p * len(s)), 1), len(s)) - 1
    return s[i]


def median(samples):
    s = sorted(samples)
    if not s:
        return None
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def save(path, data):
    data = dict(data)
    data["written_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


def say(*args):
    print(*args, flush=True)


def read_tsv_names(path):
    """(name, op_type) of each node of a nodes.tsv (name TAB op_type TAB inputs TAB outputs)."""
    out = []
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            out.append((cols[0], cols[1], cols[2].split(",") if len(cols) > 2 else []))
    return out
