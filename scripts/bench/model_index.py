"""Model index: qcls's model reading against Python's onnx.load, as whole processes.

For each model:
- qcls: `qcls check --model M --format json quant_config.json` on a one-entry config that
  names one node of the model (the model is read once, the check itself is trivial);
- Python: `python onnx_list.py M` (import onnx, onnx.load(M, load_external_data=False), list
  the name and op type of every node).

Each run is wrapped in /usr/bin/time (GNU time) for the peak resident memory (%M, the child's
maximum RSS; the wrapper keeps this driver's own memory out of the figure) and timed here
from spawn to exit (perf_counter; GNU time's own %e has only 10 ms resolution), so both include
starting the process. One warm-up run of each, then rounds that alternate which tool goes
first; before every run the model file is read whole, so that both tools find it in the page
cache (a VM can drop file pages while memory is free, and a run that then reads the disk
makes the medians bimodal). The load average is read at every run.
Before timing, each model is checked to be valid for both tools: onnx lists the expected
number of nodes, and qcls pairs the model, reads it and finds the configured node.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import load, median, save, say

TIME = "/usr/bin/time"


def timed(argv):
    """(wall ms, peak RSS KiB, exit status) of one run of argv."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
        t0 = time.perf_counter()
        p = subprocess.run([TIME, "-f", "%M", "-o", f.name] + argv,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = (time.perf_counter() - t0) * 1e3
        lines = [ln for ln in f.read().splitlines() if ln.strip()]
    try:
        rss = int(lines[-1])
    except (IndexError, ValueError):
        sys.exit(f"cannot read GNU time's output for {argv}: {lines} {p.stderr[-500:]!r}")
    return wall, rss, p.returncode


def first_named_node(tsv):
    with open(tsv) as f:
        for line in f:
            name = line.split("\t", 1)[0]
            if name:
                return name
    raise SystemExit(f"{tsv}: no named node")


def count_lines(path):
    with open(path) as f:
        return sum(1 for _ in f)


def check_valid(label, model, cfg, expected_nodes, qcls, python, lister):
    """Both tools read the model: onnx lists the expected node count, qcls pairs and reads it
    and reports nothing about the model or the node. Returns a note."""
    p = subprocess.run([python, lister, model], capture_output=True, text=True)
    if p.returncode != 0 or p.stdout.strip() != str(expected_nodes):
        sys.exit(f"{label}: onnx_list.py gave {p.stdout.strip()!r} (expected {expected_nodes})"
                 f" exit {p.returncode}: {p.stderr[-800:]}")
    p = subprocess.run([qcls, "check", "--model", model, "--format", "json", cfg],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"{label}: qcls check exit {p.returncode}: {p.stdout[-800:]} {p.stderr[-800:]}")
    out = json.loads(p.stdout)
    if not out["files"] or not out["files"][0].get("model"):
        sys.exit(f"{label}: qcls did not pair the model: {p.stdout[-800:]}")
    bad = [d for d in out["diagnostics"]
           if d["code"] in ("model-unreadable", "model-not-found", "unknown-node")]
    if bad:
        sys.exit(f"{label}: qcls did not read the model: {bad}")
    return f"valid: onnx lists {expected_nodes} nodes; qcls reads it ({len(out['diagnostics'])}"\
           " diagnostics, none about the model)"


def warm(files):
    """Reads each file whole, so that the next run finds it in the page cache."""
    for path in files:
        with open(path, "rb", buffering=0) as f:
            while f.read(8 << 20):
                pass


def measure(label, argvs, rounds, files=()):
    """Interleaved runs of each command of argvs {name: argv}, the files read whole before
    each run; returns per-name samples."""
    names = list(argvs)
    res = {n: {"wall_ms": [], "rss_kib": [], "load": []} for n in names}
    for n in names:  # warm-up
        warm(files)
        timed(argvs[n])
    for r in range(rounds):
        for n in (names if r % 2 == 0 else list(reversed(names))):
            warm(files)
            wall, rss, code = timed(argvs[n])
            res[n]["wall_ms"].append(wall)
            res[n]["rss_kib"].append(rss)
            res[n]["load"].append(load())
    for n in names:
        s = res[n]
        s["wall_ms_median"] = median(s["wall_ms"])
        s["wall_ms_min"] = min(s["wall_ms"])
        s["rss_kib_median"] = median(s["rss_kib"])
        s["rss_kib_max"] = max(s["rss_kib"])
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcls", required=True)
    ap.add_argument("--python", required=True, help="the venv's python (with onnx)")
    ap.add_argument("--real-models", help="../shared/models: */optimized_float_model.onnx")
    ap.add_argument("--synthetic", nargs="*", default=[],
                    help="LABEL=PATH.onnx (node list in PATH.tsv beside it)")
    ap.add_argument("--work", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    here = Path(__file__).resolve().parent
    lister = str(here / "onnx_list.py")
    work = Path(a.work) / "model_index"
    work.mkdir(parents=True, exist_ok=True)

    models = []  # (label, kind, path, tsv, expected nodes)
    if a.real_models:
        for m in sorted(Path(a.real_models).glob("*/optimized_float_model.onnx")):
            tsv = m.parent / "nodes.tsv"
            models.append((m.parent.name, "real", m, tsv, count_lines(tsv)))
    for spec in a.synthetic:
        label, path = spec.split("=", 1)
        tsv = Path(path).with_suffix(".tsv")
        models.append((label, "synthetic", Path(path), tsv, count_lines(tsv)))

    out = {"floors": {}, "models": []}
    say(f"model index: process floors, load {load()}")
    floors = measure("floors", {"qcls --version": [a.qcls, "--version"],
                                "python -c 'import onnx'": [a.python, "-c", "import onnx"]},
                     3 if a.quick else 10)
    out["floors"] = floors
    for n, s in floors.items():
        say(f"  {n}: {s['wall_ms_median']:.1f} ms, {s['rss_kib_median'] / 1024:.1f} MiB")

    for label, kind, path, tsv, nodes in models:
        d = work / label
        d.mkdir(exist_ok=True)
        cfg = d / "quant_config.json"
        node = first_named_node(tsv)
        cfg.write_text(json.dumps({"node_config": {node: {"qtype": "int16"}}}, indent=2) + "\n")
        note = check_valid(label, str(path), str(cfg), nodes, a.qcls, a.python, lister)
        size = path.stat().st_size
        ext = sum(p.stat().st_size for p in path.parent.glob(path.name + ".data"))
        rounds = 3 if a.quick else (5 if size > 50e6 else 10)
        say(f"model index: {label} ({size / 2**20:.1f} MiB, {nodes} nodes), {rounds} rounds, "
            f"load {load()}")
        res = measure(label, {
            "qcls": [a.qcls, "check", "--model", str(path), "--format", "json", str(cfg)],
            "onnx": [a.python, lister, str(path)],
        }, rounds, files=[path])
        q, o = res["qcls"], res["onnx"]
        say(f"  qcls {q['wall_ms_median']:.1f} ms {q['rss_kib_median'] / 1024:.1f} MiB | "
            f"onnx {o['wall_ms_median']:.1f} ms {o['rss_kib_median'] / 1024:.1f} MiB | "
            f"x{o['wall_ms_median'] / q['wall_ms_median']:.1f} time, "
            f"x{o['rss_kib_median'] / q['rss_kib_median']:.1f} memory")
        out["models"].append({"label": label, "kind": kind, "file": path.name,
                              "bytes": size, "external_data_bytes": ext, "nodes": nodes,
                              "rounds": rounds, "validity": note, "qcls": q, "onnx": o})
        save(a.out, out)
    save(a.out, out)


if __name__ == "__main__":
    main()
