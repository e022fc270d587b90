"""LSP latency and memory: qcls against vscode-json-language-server, driven by the same client
(lspclient.py) with the same capabilities, documents and positions.

For each scenario both servers are started, the config is opened in each (open -> first
publishDiagnostics, resident memory after it), then iterations run interleaved (one
iteration of qcls, one of the JSON server, alternating which goes first), each doing:

- change -> diagnostics: a one-token edit of a qtype value ("int16" <-> "int32") until the
  publishDiagnostics that reflects it arrives (for its version, when the server says which:
  qcls does, the JSON server does not; and with a diagnostic on the edited line exactly when
  the value is "int32"), so the JSON server's 500 ms validation delay is counted: it is what
  the user waits;
- completion at a node_config key, at a qtype value;
- completionItem/resolve of the first key item, when the server resolves items (qcls does,
  the JSON server does not offer it);
- hover on a node name, on a model_config key;
- a request neither server knows (answered with an error at once): the floor of transport and
  dispatch that every other figure includes.

Before each open and each iteration, the client waits until neither server process uses CPU
for a moment (see lspclient.wait_idle), so one server's background work does not land on the
other's figures. The whole thing is repeated `restarts` times with fresh processes (so the open figures have
several samples), then memory is read again (VmRSS and VmHWM from /proc/PID/status).
"""

import argparse
import shutil
import sys
from pathlib import Path

from common import load, median, pct, read_tsv_names, save, say
from lspclient import LspError, Server, file_uri, position, wait_idle

MEASURES = [
    ("roundtrip", "floor: unknown request"),
    ("change", "change -> diagnostics"),
    ("complete_key", "completion: node_config key"),
    ("resolve", "completionItem/resolve (key item)"),
    ("complete_value", "completion: qtype value"),
    ("hover_node", "hover: node name"),
    ("hover_key", "hover: model_config key"),
]
WARMUP = 2


def resnet18_config(nodes):
    """A ~300-line config for resnet18 as a person writes one: model_config with every
    activation key, op_config, one entry of four lines per node (with a comment) except the
    nodes of /layer1/, left for key completion (`"/layer1/": {}`)."""
    t = [
        "// quant_config for resnet18 (latency benchmark)",
        "{",
        '  "model_config": {',
        '    "all_node_type": "int16",',
        '    "model_output_type": "int8",',
        '    "activation": {',
        '      "calibration_type": ["kl", "max"],',
        '      "num_bin": [1024, 2048, 4096],',
        '      "max_num_bin": 16384,',
        '      "max_percentile": [0.99995, 1.0],',
        '      "per_channel": [true, false],',
        '      "asymmetric": [true, false]',
        "    },",
        '    "weight": {"bias_correction": {"num_sample": 2, "metric": "mae"}},',
        '    "layerwise_search": {"metric": "cosine-similarity"}',
        "  },",
        '  "op_config": {',
        '    "Conv": {"qtype": "int8"},',
        '    "Relu": {"qtype": "float16"},',
        '    "Gemm": {"qtype": "float32"}',
        "  },",
        '  "node_config": {',
    ]
    scope = None
    for name, op, _ in nodes:
        if name.startswith("/layer1/"):
            continue
        block = name.split("/")[1]
        if block != scope:
            scope = block
            t += ["", f"    // ---- {block} " + "-" * 40,
                  f"    // {block}: precision chosen after the per-layer sensitivity run"]
        t.append(f"    // {op}")
        t.append(f'    "{name}": {{')
        if op == "Conv":
            t += ['      "qtype": "int16",', '      "input1": "int8"']
        elif op == "Add":
            t += ['      "input0": "int16",', '      "input1": "int8"']
        elif op == "Relu":
            t += ['      "qtype": "int16"']
        else:
            t += ['      "qtype": "float16"']
        t.append("    },")
    while len(t) < 294:
        t.append("    // (reserved for the next tuning round)")
    t += ['    "/layer1/": {}', "  }", "}", ""]
    return "\n".join(t)


def big_config(nodes, entries=100_000):
    """A generated config of `entries` node entries, one a line: every node of the model but
    those of one small scope (left for key completion), names that are not in the model in
    their place, and one value in a thousand "int32" (invalid for both servers)."""
    names = [n for n, _, _ in nodes if n]
    anchor = names[len(names) * 6 // 10]
    scope = anchor[: anchor.rfind("/") + 1]
    while scope.count("/") > 1 and sum(1 for n in names if n.startswith(scope)) < 5:
        scope = scope[: scope[:-1].rfind("/") + 1]
    left_out = [n for n in names if n.startswith(scope)]
    keys = [n for n in names if not n.startswith(scope)]
    keys += [n + "_old" for n in left_out[:-1]]
    keys = keys[: entries - 1]
    t = ["{", '  "model_config": {"all_node_type": "float16", "model_output_type": "int8"},',
         '  "node_config": {']
    for i, k in enumerate(keys):
        q = "int32" if i % 1000 == 999 else "int16"
        t.append(f'    "{k}": {{"qtype": "{q}"}},')
    t += [f'    "{scope}": {{}}', "  }", "}", ""]
    edit_key = keys[len(keys) // 2 + 7]
    hover_key = keys[len(keys) // 3 + 3]
    return "\n".join(t), scope, edit_key, hover_key, len(left_out)


class Scenario:
    def __init__(self, title, directory, text, edit_at, key_at, value_at, node_at, hkey_at,
                 iterations, restarts, model_note):
        self.title = title
        self.dir = Path(directory)
        self.path = self.dir / "quant_config.json"
        self.text = text
        self.edit_at = edit_at
        self.key_at, self.value_at, self.node_at, self.hkey_at = key_at, value_at, node_at, hkey_at
        self.iterations = iterations
        self.restarts = restarts
        self.model_note = model_note


def start(kind, argv, s, settings, logdir):
    return Server(kind, argv, s.dir, settings, logdir / f"{kind}.stderr.log")


def has_diag_on(line):
    return lambda ds: any(d["range"]["start"]["line"] <= line <= d["range"]["end"]["line"]
                          for d in ds)


def run_scenario(s, servers, settings, logdir):
    s.path.write_text(s.text)
    uri = file_uri(s.path)
    text = s.text
    i_edit = text.index(s.edit_at) + s.edit_at.index("int16")
    e_start = position(text, s.edit_at, s.edit_at.index("int16") + 3)
    e_end = {"line": e_start["line"], "character": e_start["character"] + 2}
    edit_line = e_start["line"]
    assert text[i_edit:i_edit + 5] == "int16"
    pos = {
        "complete_key": position(text, *s.key_at),
        "complete_value": position(text, *s.value_at),
        "hover_node": position(text, *s.node_at),
        "hover_key": position(text, *s.hkey_at),
    }
    res = {k: {"samples": {m: [] for m, _ in MEASURES}, "open_ms": [], "open_diagnostics": [],
               "rss_open_kib": [], "rss_after_kib": [], "hwm_after_kib": [], "load": [],
               "info": {}} for k in servers}
    per_rep = max(1, s.iterations // s.restarts)
    for rep in range(s.restarts):
        order = list(servers) if rep % 2 == 0 else list(reversed(servers))
        live = {}
        for kind in order:
            live[kind] = start(kind, servers[kind], s, settings, logdir)
        versions = {}
        pids = [srv.pid for srv in live.values()]
        for kind in order:
            srv = live[kind]
            wait_idle(pids, 0.2)
            t0 = srv.open(uri, "jsonc", 1, text)
            t1, diags = srv.diagnostics(uri, 1)
            r = res[kind]
            r["open_ms"].append((t1 - t0) * 1e3)
            r["open_diagnostics"].append(len(diags))
            r["rss_open_kib"].append(srv.memory()[0])
            r["load"].append(load())
            # qcls logs how long it took to read the model ("read model P: N nodes in T ms").
            reads = [m for m in srv.logs if "read model " in m and m.endswith(" ms")]
            if reads:
                r.setdefault("model_read_ms", []).append(
                    float(reads[-1].rsplit(" in ", 1)[1].split()[0]))
            versions[kind] = 1
            if has_diag_on(edit_line)(diags):
                raise SystemExit(f"{kind}: the edited line {edit_line} already has a diagnostic")
        for i in range(per_rep + WARMUP):
            for kind in (order if i % 2 == 0 else list(reversed(order))):
                srv, r = live[kind], res[kind]
                wait_idle(pids)
                got = {}
                versions[kind] += 1
                v = versions[kind]
                invalid = v % 2 == 0
                t0 = srv.change(uri, v, e_start, e_end, "32" if invalid else "16")
                want = has_diag_on(edit_line)
                t1, _ = srv.diagnostics(uri, v, (lambda ds: want(ds)) if invalid
                                        else (lambda ds: not want(ds)))
                got["change"] = t1 - t0
                ctx = {"triggerKind": 1}
                dt, items, size = srv.request("textDocument/completion", {
                    "textDocument": {"uri": uri}, "position": pos["complete_key"],
                    "context": ctx})
                got["complete_key"] = dt
                lst = items.get("items", []) if isinstance(items, dict) else (items or [])
                r["info"]["key_items"] = len(lst)
                r["info"]["key_incomplete"] = bool(isinstance(items, dict)
                                                   and items.get("isIncomplete"))
                r["info"]["key_bytes"] = size
                resolves = (srv.capabilities.get("completionProvider") or {}).get(
                    "resolveProvider")
                if resolves and lst:
                    dt, item, size = srv.request("completionItem/resolve", lst[0])
                    got["resolve"] = dt
                    r["info"]["resolved_doc_bytes"] = size
                dt, items, size = srv.request("textDocument/completion", {
                    "textDocument": {"uri": uri}, "position": pos["complete_value"],
                    "context": ctx})
                got["complete_value"] = dt
                lst = items.get("items", []) if isinstance(items, dict) else (items or [])
                r["info"]["value_items"] = len(lst)
                for m in ("hover_node", "hover_key"):
                    dt, hover, size = srv.request("textDocument/hover", {
                        "textDocument": {"uri": uri}, "position": pos[m]})
                    got[m] = dt
                    r["info"][m + "_bytes"] = 0 if hover is None else size
                # The floor: transport, decoding and dispatch of a request the server does
                # not know (both answer MethodNotFound at once).
                dt, _, _ = srv.request("qclsBench/noSuchMethod", {}, allow_error=True)
                got["roundtrip"] = dt
                if i >= WARMUP:
                    for m, dt in got.items():
                        r["samples"][m].append(dt * 1e3)
                    r["load"].append(load())
        for kind in order:
            rss, hwm = live[kind].memory()
            res[kind]["rss_after_kib"].append(rss)
            res[kind]["hwm_after_kib"].append(hwm)
            live[kind].shutdown()
        say(f"  {s.title}: restart {rep + 1}/{s.restarts} done, load {load()}")
    for kind, r in res.items():
        r["summary"] = {m: {"n": len(v), "p50": pct(v, 0.5), "p95": pct(v, 0.95),
                            "max": pct(v, 1.0)} for m, v in r["samples"].items() if v}
        r["summary"]["open"] = {"n": len(r["open_ms"]), "p50": median(r["open_ms"]),
                                "max": max(r["open_ms"])}
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcls", required=True)
    ap.add_argument("--jsonls", required=True, help="path of vscode-json-language-server")
    ap.add_argument("--node", default="node")
    ap.add_argument("--schema", required=True)
    ap.add_argument("--resnet18", required=True, help="folder with optimized_float_model.onnx "
                    "and nodes.tsv")
    ap.add_argument("--big-model", help="100k-node model (.onnx) with its .tsv beside it")
    ap.add_argument("--work", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", choices=["small", "big"], help="run one scenario")
    ap.add_argument("--iterations", type=int, help="override the iteration count")
    a = ap.parse_args()
    for k in ("qcls", "jsonls", "schema", "resnet18", "big_model", "work"):
        if getattr(a, k):
            setattr(a, k, str(Path(getattr(a, k)).resolve()))

    work = Path(a.work)
    logdir = work / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    settings = {
        "json": {"schemas": [{"fileMatch": ["*.json", "*.jsonc"],
                              "url": file_uri(a.schema)}],
                 "validate": {"enable": True}, "format": {"enable": True},
                 "resultLimit": 5000},
        "http": {"proxy": "", "proxyStrictSSL": True},
        "qcls": {},
    }
    servers = {"qcls": [a.qcls, "--stdio"],
               "jsonls": [a.node, a.jsonls, "--stdio"]}

    scenarios = []
    d = work / "lsp_small"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    shutil.copy(Path(a.resnet18) / "optimized_float_model.onnx", d)
    nodes = read_tsv_names(Path(a.resnet18) / "nodes.tsv")
    text = resnet18_config(nodes)
    scenarios.append(("small", Scenario(
        f"{text.count(chr(10))}-line config ({len(text.encode()) / 1e3:.1f} kB)", d, text,
        edit_at='"/layer3/layer3.0/conv2/Conv": {\n      "qtype": "int16"',
        key_at=('"/layer1/"', 8), value_at=('"qtype": "float16"', 12, 1),
        node_at=('"/layer4/layer4.0/conv1/Conv"', 10), hkey_at=('"max_percentile"', 5),
        iterations=20 if a.quick else 200, restarts=2 if a.quick else 5,
        model_note="resnet18 (49 nodes)")))
    if a.big_model and not a.quick:
        d = work / "lsp_big"
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        model = Path(a.big_model)
        (d / "optimized_float_model.onnx").symlink_to(model.resolve())
        nodes = read_tsv_names(model.with_suffix(".tsv"))
        text, scope, edit_key, hover_key, n_left = big_config(nodes)
        n_entries = text.count('": {') - 2  # less model_config and node_config
        scenarios.append(("big", Scenario(
            f"{n_entries:,}-entry config ({len(text.encode()) / 1e6:.1f} MB)", d, text,
            edit_at=f'"{edit_key}": {{"qtype": "int16"',
            key_at=(f'"{scope}"', len(scope) + 1),
            value_at=(f'"{hover_key}": {{"qtype": "in', len(hover_key) + 17),
            node_at=(f'"{hover_key}"', 10), hkey_at=('"model_output_type"', 5),
            iterations=30, restarts=5,
            model_note=f"synthetic, {len(nodes):,} nodes, no weights; "
                       f"{n_left} nodes of {scope} left out")))
    elif a.quick:
        say("  quick mode: the 100,000-entry scenario is skipped")
    else:
        say("  no 100k-node model (../shared absent?): the 100,000-entry scenario is skipped")

    out = {"scenarios": {}}
    for key, s in scenarios:
        if a.only and key != a.only:
            continue
        if a.iterations:
            s.iterations = a.iterations
        say(f"LSP latency: {s.title}, {s.iterations} iterations in {s.restarts} runs, "
            f"load {load()}")
        try:
            res = run_scenario(s, servers, settings, logdir)
        except LspError as e:
            sys.exit(f"LSP latency: {e}")
        out["scenarios"][key] = {"title": s.title, "model": s.model_note,
                                 "lines": s.text.count("\n"), "bytes": len(s.text.encode()),
                                 "servers": res}
        for kind, r in res.items():
            sm = r["summary"]
            say(f"  {kind:6} open {sm['open']['p50']:.1f} ms ({r['open_diagnostics'][0]} diags), "
                + ", ".join(f"{m} {sm[m]['p50']:.2f}/{sm[m]['p95']:.2f}"
                            for m, _ in MEASURES if m in sm)
                + f" ms; RSS open {max(r['rss_open_kib']) / 1024:.0f} MiB, after "
                f"{max(r['rss_after_kib']) / 1024:.0f} MiB; {r['info']}")
        save(a.out, out)


if __name__ == "__main__":
    main()
