"""Turns the results of one bench run (a folder of JSON files) into Markdown tables and the
verdict on each goal of issue 13. Prints to stdout."""

import argparse
import json
from pathlib import Path

MIB = 1024.0


def load_json(path):
    return json.loads(path.read_text()) if path.exists() else None


def loads(values):
    values = [v for v in values if v is not None]
    if not values:
        return "?"
    lo, hi = min(values), max(values)
    return f"{lo:.1f}" if abs(hi - lo) < 0.05 else f"{lo:.1f}–{hi:.1f}"


def f1(x):
    return "–" if x is None else f"{x:.1f}"


def f2(x):
    return "–" if x is None else f"{x:.2f}"


def verdict(ok):
    return "**met**" if ok else "**not met**"


def machine_section(m):
    out = ["## Machine and versions", ""]
    if not m:
        return out + ["(machine.json missing)", ""]
    rows = [
        ("CPU", f"{m['cpu']} ({m['cores']} cores)"),
        ("memory", f"{m['mem_gib']:.1f} GiB"),
        ("system", m["system"]),
        ("load average at start / end", f"{m['load_start']} / {m.get('load_end', '?')}"),
        ("qcls", f"{m['qcls_version']}, commit {m['qcls_commit']} (release build)"),
        ("vscode-langservers-extracted", m["jsonls_version"]),
        ("vscode-json-languageservice (inside it)", m.get("jsonls_service_version", "?")),
        ("node", m["node_version"]),
        ("python", m["python_version"]),
        ("onnx / protobuf / numpy", f"{m['onnx_version']} / {m['protobuf_version']} / "
                                    f"{m['numpy_version']}"),
        ("mode", m["mode"]),
        ("run", m["date"]),
    ]
    out += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows] + [""]
    return out


def model_section(r, goals):
    out = ["## Model index: qcls against `onnx.load`", ""]
    if not r:
        return out + ["Not run (see the script's output).", ""]
    fl = r["floors"]
    out += ["Whole processes; wall time is the median of the interleaved runs, peak RSS the "
            "median of GNU time's `%M`. Ratios are onnx / qcls.", "",
            "| model | file MiB | nodes | qcls ms (min) | onnx ms (min) | time × | qcls peak MiB | "
            "onnx peak MiB | memory × | runs | load |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name, s in fl.items():
        out.append(f"| *floor: `{name}`* | | | {f1(s['wall_ms_median']) if 'qcls' in name else ''}"
                   f" | {f1(s['wall_ms_median']) if 'onnx' in name else ''} | | "
                   f"{f1(s['rss_kib_median'] / MIB) if 'qcls' in name else ''} | "
                   f"{f1(s['rss_kib_median'] / MIB) if 'onnx' in name else ''} | | "
                   f"{len(s['wall_ms'])} | {loads(s['load'])} |")
    for m in r["models"]:
        q, o = m["qcls"], m["onnx"]
        tx = o["wall_ms_median"] / q["wall_ms_median"]
        mx = o["rss_kib_median"] / q["rss_kib_median"]
        size = m["bytes"] / 2**20
        ext = f" (+{m['external_data_bytes'] / 2**20:.2f} external)" if m["external_data_bytes"] \
            else ""
        label = m["label"] if m["kind"] == "real" else f"synthetic {m['label']}"
        out.append(f"| {label} | {size:.2f}{ext} | {m['nodes']:,} | {f1(q['wall_ms_median'])} "
                   f"({f1(q['wall_ms_min'])}) | {f1(o['wall_ms_median'])} ({o['wall_ms_min']:.0f}) "
                   f"| {tx:.0f} | {f1(q['rss_kib_median'] / MIB)} | "
                   f"{f1(o['rss_kib_median'] / MIB)} | {mx:.1f} | {m['rounds']} | "
                   f"{loads(q['load'] + o['load'])} |")
        if m["label"] == "100k_1024MiB":
            goals.append(("model index on the 1 GiB / 100k-node model at least 50× faster "
                          "than onnx.load (whole processes)", f"{tx:.1f}×", tx >= 50))
            imp = fl.get("python -c 'import onnx'")
            if imp:
                net = (o["wall_ms_median"] - imp["wall_ms_median"]) / q["wall_ms_median"]
                goals.append(("  the same without Python's start-up and `import onnx` "
                              "(onnx time minus the floor)", f"{net:.1f}×", net >= 50))
            goals.append(("model index on the 1 GiB / 100k-node model: 20× less peak memory",
                          f"{mx:.1f}×", mx >= 20))
    out += ["", "Each model was checked before it was timed: onnx lists the node count of its "
            "node list (nodes.tsv), and qcls pairs it, reads it and finds the configured node "
            "(no `model-unreadable`, no `unknown-node`).", ""]
    return out


LABELS = {
    "roundtrip": "floor: a request the server does not know (error answer)",
    "change": "change → diagnostics",
    "complete_key": "completion: node_config key",
    "resolve": "completionItem/resolve",
    "complete_value": "completion: qtype value",
    "hover_node": "hover: node name",
    "hover_key": "hover: model_config key",
}


def lsp_section(r, goals):
    out = ["## LSP latency and memory: qcls against vscode-json-language-server", ""]
    if not r:
        return out + ["Not run (see the script's output).", ""]
    for key, sc in r["scenarios"].items():
        q, j = sc["servers"]["qcls"], sc["servers"]["jsonls"]
        qs, js = q["summary"], j["summary"]
        out += [f"### {sc['title']}", "",
                f"qcls paired with {sc['model']}; the JSON server has no model (only the "
                "schema). Milliseconds from the client's write to the answer's arrival; "
                f"load average {loads(q['load'] + j['load'])} during the runs.", "",
                "| measure | n | qcls p50 | qcls p95 | JSON server p50 | JSON server p95 | "
                "p50 ratio (qcls / JSON) | goal ≤ 0.5 |",
                "|---|---:|---:|---:|---:|---:|---:|---|"]
        o_q, o_j = qs["open"]["p50"], js["open"]["p50"]
        big = key == "big"
        ratio = o_q / o_j
        limit = 0.1 if big else 0.5
        if q.get("model_read_ms"):
            from statistics import median as med
            note_open = (f"qcls's own log puts the model read at a median of "
                         f"{med(q['model_read_ms']):.0f} ms of its open time "
                         f"(runs: {', '.join(f'{x:.0f}' for x in q['model_read_ms'])} ms; "
                         f"open: {', '.join(f'{x:.0f}' for x in q['open_ms'])} ms).")
        else:
            note_open = ""
        out.append(f"| open → first diagnostics ({q['open_diagnostics'][0]} / "
                   f"{j['open_diagnostics'][0]} diagnostics) | {qs['open']['n']} | {f1(o_q)} | "
                   f"{f1(qs['open']['max'])} (max) | {f1(o_j)} | {f1(js['open']['max'])} (max) | "
                   f"{ratio:.3f} | {'≤ 0.1: ' if big else ''}{'yes' if ratio <= limit else 'no'} |")
        goals.append((f"{sc['title']}: open → first diagnostics at most "
                      f"{'a tenth' if big else 'half'} of the JSON server's",
                      f"{o_q:.0f} vs {o_j:.0f} ms ({ratio:.3f})", ratio <= limit))
        worst = []
        for m, label in LABELS.items():
            if m not in qs:
                continue
            if m not in js:
                out.append(f"| {label} | {qs[m]['n']} | {f2(qs[m]['p50'])} | {f2(qs[m]['p95'])} | "
                           "not offered | | | |")
                continue
            if m == "roundtrip":
                out.append(f"| *{label}* | {qs[m]['n']} | {f2(qs[m]['p50'])} | "
                           f"{f2(qs[m]['p95'])} | {f2(js[m]['p50'])} | {f2(js[m]['p95'])} | "
                           f"{qs[m]['p50'] / js[m]['p50']:.3f} | |")
                continue
            ratio = qs[m]["p50"] / js[m]["p50"]
            ok = ratio <= 0.5 and qs[m]["p95"] <= 0.5 * js[m]["p95"]
            worst.append((ok, label, ratio, qs[m]["p95"] / js[m]["p95"]))
            out.append(f"| {label} | {qs[m]['n']} | {f2(qs[m]['p50'])} | {f2(qs[m]['p95'])} | "
                       f"{f2(js[m]['p50'])} | {f2(js[m]['p95'])} | {ratio:.3f} | "
                       f"{'yes' if ok else 'no'} |")
        bad = [w for w in worst if not w[0]]
        goals.append((f"{sc['title']}: every request latency (p50 and p95) at most half of the "
                      "JSON server's",
                      "all" if not bad else "not: " + ", ".join(
                          f"{w[1]} (p50 {w[2]:.2f}, p95 {w[3]:.2f})" for w in bad), not bad))
        qi, ji = q["info"], j["info"]
        out += ["", note_open, "", f"Answers: key completion {qi.get('key_items')} items from qcls "
                f"({qi.get('key_bytes')} bytes), {ji.get('key_items')} from the JSON server; "
                f"qtype value completion {qi.get('value_items')} / {ji.get('value_items')} items; "
                f"hover on the node name {qi.get('hover_node_bytes')} / "
                f"{ji.get('hover_node_bytes')} bytes.", ""]
        out += ["| resident memory (MiB) | qcls | JSON server | ratio | goal ≤ 0.5 |",
                "|---|---:|---:|---:|---|"]
        from statistics import median
        mem_ok = True
        for label, k in (("VmRSS after open", "rss_open_kib"),
                         ("VmRSS after the runs", "rss_after_kib"),
                         ("VmHWM (peak) after the runs", "hwm_after_kib")):
            a, b = median(q[k]) / MIB, median(j[k]) / MIB
            amax, bmin = max(q[k]) / MIB, min(j[k]) / MIB
            ok = a <= 0.5 * b
            if k != "hwm_after_kib":
                mem_ok &= ok
            out.append(f"| {label} (median of {len(q[k])}; qcls max {amax:.0f}, JSON min "
                       f"{bmin:.0f}) | {a:.0f} | {b:.0f} | {a / b:.2f} | {'yes' if ok else 'no'} |")
        goals.append((f"{sc['title']}: qcls's RSS at most half of the JSON server's at every "
                      "reading (after open, after the runs)", "", mem_ok))
        out.append("")
    return out


def catches_section(r):
    out = ["## What each catches", ""]
    if not r:
        return out + ["Not run (see the script's output).", ""]
    seeds = r["seeds"]
    nq = sum(s["qcls"]["caught"] for s in seeds)
    nj = sum(s["jsonls"]["caught"] for s in seeds)
    out += [f"Seeded mistakes, one per file, in a config for resnet18 on which neither server "
            f"reports anything: **qcls catches {nq} of {len(seeds)}, the JSON server {nj} of "
            f"{len(seeds)}**. Load average {loads(r['load'])}.", "",
            "| # | qcls code | mistake (span) | qcls | JSON server | other diagnostics "
            "(qcls / JSON) |",
            "|---:|---|---|---|---|---|"]

    def cell(x):
        if not x["caught"]:
            return "–"
        h = x["hits"][0]
        code = f"`{h['code']}`" if isinstance(h["code"], str) else \
            "no code" if h["code"] is None else f"code {h['code']}"
        msg = h["message"].replace("|", "\\|")
        if len(msg) > 60:
            msg = msg[:57] + "…"
        return f"yes ({h['severity']}, {code}: {msg})"

    for s in seeds:
        span = s["span"].replace("|", "\\|").replace("\n", "⏎")
        out.append(f"| {s['n']} | `{s['code']}` | {s['what']} (`{span}`, line {s['line']}) | "
                   f"{cell(s['qcls'])} | {cell(s['jsonls'])} | {s['qcls']['elsewhere']} / "
                   f"{s['jsonls']['elsewhere']} |")
    out.append("")
    if r["real"]:
        out += ["Real configs (`../shared/corpus/real/*.json`, JSON Schemas skipped). No model "
                "is paired with them, so qcls adds a `model-not-found` note where they name "
                "nodes or op types. Counts are errors / warnings / information / hints.", "",
                "| file | lines | qcls | JSON server (jsonc) | JSON server (json) | qcls codes |",
                "|---|---:|---|---|---|---|"]

        def c(x):
            k = x["counts"]
            return f"{k['total']} ({k['error']}/{k['warning']}/{k['info']}/{k['hint']})"

        for row in r["real"]:
            codes = {}
            for d in row["qcls"]["diagnostics"]:
                codes[d["code"]] = codes.get(d["code"], 0) + 1
            cs = ", ".join(f"{k} {v}" for k, v in sorted(codes.items(), key=lambda kv: -kv[1]))
            out.append(f"| {row['file']} | {row['lines']} | {c(row['qcls'])} | "
                       f"{c(row['jsonls'])} | {c(row['jsonls_json'])} | {cs} |")
        out.append("")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    a = ap.parse_args()
    d = Path(a.results)
    goals = []
    lines = ["# Bench results", ""]
    lines += machine_section(load_json(d / "machine.json"))
    lines += model_section(load_json(d / "model_index.json"), goals)
    lines += lsp_section(load_json(d / "lsp_latency.json"), goals)
    lines += catches_section(load_json(d / "catches.json"))
    lines += ["## Goals of issue 13", "", "| goal | measured | |", "|---|---|---|"]
    for g, v, ok in goals:
        lines.append(f"| {g} | {v} | {verdict(ok)} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
