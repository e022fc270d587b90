"""What each server catches: seeded mistakes, then the real configs of ../shared/corpus/real.

Seeded: a clean config for resnet18 (both servers report nothing on it: checked first), and
one copy per mistake, with the mistaken span marked. A mistake counts as caught by a server
when one of its diagnostics (any severity) has a range that overlaps the span (a zero-width
diagnostic counts when it lies within the span or at either end). Diagnostics elsewhere are
counted too. qcls gets the model as a sibling optimized_float_model.onnx (resnet18); the JSON
server gets schemas/quant_config.schema.json. Every document is opened as "jsonc" (JSON with
comments: the toolchain strips // comments, and the qcls VS Code extension opens
*quant_config*.json that way); for the real configs the JSON server is also run with "json",
which is what VS Code uses for a .json file nobody configured.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

from common import load, save, say
from lspclient import LspError, Server, file_uri, offset_to_position

BASE = """{
  "model_config": {
    "all_node_type": "int16",
    "model_output_type": "int8",
    "activation": {
      "calibration_type": ["kl", "max"],
      "num_bin": 1024,
      "max_num_bin": 16384,
      "max_percentile": 0.99995,
      "per_channel": true
    }
  },
  "op_config": {
    "Conv": {"qtype": "int8"},
    "Gemm": {"qtype": "float16"}
  },
  "node_config": {
    "/layer1/layer1.0/conv1/Conv": {"qtype": "int16"},
    "/layer2/layer2.0/conv1/Conv": {"input1": "ec"},
    "/layer3/layer3.1/Add": {"qtype": "float16"},
    "/fc/Gemm": {"qtype": "float32"}
  }
}
"""

# (qcls code, what the mistake is, text of BASE to replace, replacement with the mistaken
# span between ⟦ and ⟧).
SEEDS = [
    ("syntax-error", "trailing comma after the last entry",
     '"/fc/Gemm": {"qtype": "float32"}', '"/fc/Gemm": {"qtype": "float32"}⟦,⟧'),
    ("syntax-error", "missing comma between two entries",
     '{"qtype": "int16"},\n    "/layer2', '{"qtype": "int16"⟦}\n    "⟧/layer2'),
    ("syntax-error", "single-quoted string",
     '"/layer1/layer1.0/conv1/Conv": {"qtype": "int16"}',
     "\"/layer1/layer1.0/conv1/Conv\": {\"qtype\": ⟦'int16'⟧}"),
    ("hash-comment", "# comment (the toolchain strips only // and /* */)",
     '    "/fc/Gemm"', '    ⟦# the head stays in float⟧\n    "/fc/Gemm"'),
    ("duplicate-key", "the same key twice in one entry",
     '"/layer3/layer3.1/Add": {"qtype": "float16"}',
     '"/layer3/layer3.1/Add": {⟦"qtype": "float16", "qtype"⟧: "int16"}'),
    ("unknown-key", "misspelt key (per_chanel)",
     '"per_channel": true', '⟦"per_chanel"⟧: true'),
    ("unknown-key", "model_config key at the top level (modelwise_search)",
     '  "op_config": {', '  ⟦"modelwise_search"⟧: {"metric": "mae"},\n  "op_config": {'),
    ("legacy-key", "legacy key InputType (older loader) instead of qtype",
     '"/layer3/layer3.1/Add": {"qtype": "float16"}',
     '"/layer3/layer3.1/Add": {⟦"InputType"⟧: "float16"}'),
    ("wrong-type", "number written as a string (\"1024\")",
     '"num_bin": 1024', '"num_bin": ⟦"1024"⟧'),
    ("wrong-type", "integer where the loader wants a float (max_percentile 1)",
     '"max_percentile": 0.99995', '"max_percentile": ⟦1⟧'),
    ("invalid-value", "qtype int32",
     '"/layer1/layer1.0/conv1/Conv": {"qtype": "int16"}',
     '"/layer1/layer1.0/conv1/Conv": {"qtype": ⟦"int32"⟧}'),
    ("invalid-value", "calibration_type of the hb_compile YAML (default)",
     '"calibration_type": ["kl", "max"]', '"calibration_type": ⟦"default"⟧'),
    ("out-of-range", "num_bin the toolchain clamps (100)",
     '"num_bin": 1024', '"num_bin": ⟦100⟧'),
    ("out-of-range", "max_percentile above 1.0 (rejected)",
     '"max_percentile": 0.99995', '"max_percentile": ⟦1.5⟧'),
    ("empty-list", "empty calibration_type list",
     '"calibration_type": ["kl", "max"]', '"calibration_type": ⟦[]⟧'),
    ("ec-misplaced", "ec as an op_config qtype",
     '"Conv": {"qtype": "int8"}', '"Conv": {"qtype": ⟦"ec"⟧}'),
    ("ec-wrong-input", "ec on input0 of a Conv (it works on input1, the weight)",
     '"/layer2/layer2.0/conv1/Conv": {"input1": "ec"}',
     '"/layer2/layer2.0/conv1/Conv": {⟦"input0": "ec"⟧}'),
    ("ec-unsupported-op", "ec on an Add node (ignored there)",
     '"/layer3/layer3.1/Add": {"qtype": "float16"}',
     '"/layer3/layer3.1/Add": {⟦"input1": "ec"⟧}'),
    ("unknown-node", "node name with a trailing space",
     '"/layer1/layer1.0/conv1/Conv":', '⟦"/layer1/layer1.0/conv1/Conv "⟧:'),
    ("unknown-node", "node name the model does not have (conv3)",
     '    "/fc/Gemm"', '    ⟦"/layer4/layer4.1/conv3/Conv"⟧: {"qtype": "int16"},\n    "/fc/Gemm"'),
    ("unknown-op-type", "op type in the wrong case (softmax)",
     '"Gemm": {"qtype": "float16"}', '"Gemm": {"qtype": "float16"},\n    ⟦"softmax"⟧: {"qtype": "int16"}'),
    ("op-type-absent", "op type the model has no node of (Softmax in resnet18)",
     '"Gemm": {"qtype": "float16"}', '"Gemm": {"qtype": "float16"},\n    ⟦"Softmax"⟧: {"qtype": "int16"}'),
    ("no-effect", "all_node_type int8 (already the default)",
     '"all_node_type": "int16"', '⟦"all_node_type": "int8"⟧'),
    ("model-not-found", "qcls-model directive naming a model not built yet",
     '{\n  "model_config"',
     '⟦// qcls-model: ../model_output/optimized_float_model.onnx⟧\n{\n  "model_config"'),
    ("model-unreadable", "qcls-model directive naming a file that is not ONNX",
     '{\n  "model_config"', '⟦// qcls-model: broken_model.onnx⟧\n{\n  "model_config"'),
]


def seeded(base, old, new):
    if base.count(old) != 1:
        raise SystemExit(f"seed anchor {old!r} is not once in the base config")
    start = new.index("\u27e6")
    end = new.index("\u27e7") - 1
    text_new = new.replace("\u27e6", "", 1).replace("\u27e7", "", 1)
    at = base.index(old)
    text = base[:at] + text_new + base[at + len(old):]
    return text, at + start, at + end


def pos_key(p):
    return (p["line"], p["character"])


def overlaps(rng, a, b):
    s, e = pos_key(rng["start"]), pos_key(rng["end"])
    if s == e:
        return a <= s <= b
    return s < b and a < e


def diagnose(srv, path, text, language_id="jsonc"):
    uri = file_uri(path)
    srv.open(uri, language_id, 1, text)
    _, diags = srv.diagnostics(uri, 1)
    srv.close(uri)
    return diags


def short(d):
    code = d.get("code")
    sev = {1: "error", 2: "warning", 3: "info", 4: "hint"}.get(d.get("severity"), "?")
    msg = d["message"].splitlines()[0]
    if len(msg) > 110:
        msg = msg[:107] + "..."
    return {"severity": sev, "code": code, "message": msg,
            "line": d["range"]["start"]["line"] + 1}


def count(diags):
    c = {"error": 0, "warning": 0, "info": 0, "hint": 0}
    for d in diags:
        c[short(d)["severity"]] = c.get(short(d)["severity"], 0) + 1
    c["total"] = len(diags)
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcls", required=True)
    ap.add_argument("--jsonls", required=True)
    ap.add_argument("--node", default="node")
    ap.add_argument("--schema", required=True)
    ap.add_argument("--resnet18", required=True)
    ap.add_argument("--real", help="../shared/corpus/real")
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    for k in ("qcls", "jsonls", "schema", "resnet18", "real", "work"):
        if getattr(a, k):
            setattr(a, k, str(Path(getattr(a, k)).resolve()))

    work = Path(a.work) / "catches"
    if work.exists():
        shutil.rmtree(work)
    seeds_dir = work / "seeded"
    seeds_dir.mkdir(parents=True)
    shutil.copy(Path(a.resnet18) / "optimized_float_model.onnx", seeds_dir)
    (seeds_dir / "broken_model.onnx").write_bytes(b"this is not an ONNX model\n" * 10)
    logdir = Path(a.work) / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    settings = {
        "json": {"schemas": [{"fileMatch": ["*.json", "*.jsonc"], "url": file_uri(a.schema)}],
                 "validate": {"enable": True}},
        "http": {"proxy": "", "proxyStrictSSL": True},
        "qcls": {},
    }
    argv = {"qcls": [a.qcls, "--stdio"], "jsonls": [a.node, a.jsonls, "--stdio"]}
    servers = {k: Server(k, v, work, settings, logdir / f"catches.{k}.stderr.log")
               for k, v in argv.items()}
    out = {"load": [load()], "base": {}, "seeds": [], "real": []}
    try:
        base_path = seeds_dir / "base.quant_config.json"
        base_path.write_text(BASE)
        for k, srv in servers.items():
            diags = diagnose(srv, base_path, BASE)
            out["base"][k] = [short(d) for d in diags]
            if diags:
                sys.exit(f"{k} reports on the clean base config: {out['base'][k]}")
        say(f"catches: base config clean for both, load {load()}")
        for i, (code, what, old, new) in enumerate(SEEDS, 1):
            text, s, e = seeded(BASE, old, new)
            a_pos, b_pos = pos_key(offset_to_position(text, s)), pos_key(offset_to_position(text, e))
            path = seeds_dir / f"{i:02d}_{code}.quant_config.json"
            path.write_text(text)
            row = {"n": i, "code": code, "what": what, "span": text[s:e],
                   "line": a_pos[0] + 1}
            for k, srv in servers.items():
                diags = diagnose(srv, path, text)
                hits = [d for d in diags if overlaps(d["range"], a_pos, b_pos)]
                row[k] = {"caught": bool(hits), "hits": [short(d) for d in hits],
                          "elsewhere": len(diags) - len(hits),
                          "others": [short(d) for d in diags if d not in hits]}
            if row["qcls"]["caught"] and code not in [h["code"] for h in row["qcls"]["hits"]]:
                row["qcls"]["note"] = "caught under another code"
            say(f"  {i:2} {code:18} qcls {'Y' if row['qcls']['caught'] else '-'} "
                f"jsonls {'Y' if row['jsonls']['caught'] else '-'}  {what}")
            out["seeds"].append(row)
        out["load"].append(load())
        if a.real:
            real_dir = work / "real"
            real_dir.mkdir()
            for f in sorted(Path(a.real).glob("*.json")):
                text = f.read_text(encoding="utf-8")
                head = text[:2000]
                if '"$schema"' in head and not any(k in head for k in (
                        '"model_config"', '"op_config"', '"node_config"', '"subgraph_config"')):
                    say(f"  real: skip {f.name} (a JSON Schema)")
                    continue
                p = real_dir / f.name
                shutil.copy(f, p)
                row = {"file": f.name, "lines": text.count("\n") + 1}
                for k, srv in servers.items():
                    diags = diagnose(srv, p, text)
                    row[k] = {"counts": count(diags), "diagnostics": [short(d) for d in diags]}
                # Another file name: the JSON server's empty publish for the closed
                # document must not be taken for this one's.
                p2 = real_dir / "as_json"
                p2.mkdir(exist_ok=True)
                shutil.copy(f, p2 / f.name)
                diags = diagnose(servers["jsonls"], p2 / f.name, text, "json")
                row["jsonls_json"] = {"counts": count(diags),
                                      "diagnostics": [short(d) for d in diags]}
                say(f"  real: {f.name[:70]}: qcls {row['qcls']['counts']['total']}, "
                    f"jsonls {row['jsonls']['counts']['total']} "
                    f"(json mode {row['jsonls_json']['counts']['total']})")
                out["real"].append(row)
        else:
            say("  ../shared/corpus/real absent: the real configs are skipped")
    except LspError as e:
        sys.exit(f"catches: {e}")
    finally:
        for srv in servers.values():
            srv.shutdown()
    out["load"].append(load())
    save(a.out, out)


if __name__ == "__main__":
    main()
