//! End-to-end latency of the language server, as an editor sees it: spawns the release binary
//! (`$QCLS`, else the `qcls` that cargo built for this bench), speaks JSON-RPC over its
//! stdin/stdout and times, from the write of the message to the read of the answer:
//!
//! - an incremental change -> the `publishDiagnostics` of that version,
//! - `textDocument/completion` (a node_config key, and a qtype value),
//! - `textDocument/hover` (a node name, and a key),
//!
//! on (a) a 300-line config paired with resnet18, (b) a 100,000-entry node_config paired with
//! a 100,000-node synthetic model and (c) a 300-line hb_compile YAML whose inline quant_config
//! has a 2,000-entry node_config, paired through the YAML with a 5,000-node synthetic model,
//! (d) the same in block style, and (e) a 100,000-entry node_config of names the 100,000-node
//! model does not have, and (f) 10,000 random edits and requests in a row on the config of (a)
//! (as `tests/lsp_soak.rs` does in-process, where correctness is checked). Prints p50/p95/max
//! per measure. Run with `cargo bench --bench lsp_latency`; figures are recorded in
//! docs/performance.md.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/big_config.rs"]
mod big_config;
use big_config::{big_config, entries_leaving_out, BigConfig};

#[path = "../tests/support/positions.rs"]
mod positions;

const TIMEOUT: Duration = Duration::from_secs(60);

struct Server {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: u64,
}

impl Server {
    fn spawn(binary: &Path, root: &Path) -> Server {
        let mut child = Command::new(binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = channel();
        std::thread::spawn(move || loop {
            let mut len = None;
            loop {
                let mut line = String::new();
                if out.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    len = n.parse::<usize>().ok();
                }
            }
            let mut body = vec![0; len.expect("Content-Length")];
            if out.read_exact(&mut body).is_err() {
                return;
            }
            let msg: Value = serde_json::from_slice(&body).expect("JSON from qcls");
            if tx.send(msg).is_err() {
                return;
            }
        });
        let mut server = Server {
            child,
            stdin,
            rx,
            next_id: 0,
        };
        let root_uri = uri(root);
        server.request(
            "initialize",
            // As VS Code: documentation is resolved per item (Neovim 0.7 asks for full items).
            json!({"processId": null, "rootUri": root_uri, "capabilities": {
                "textDocument": {"hover": {"contentFormat": ["markdown"]},
                                 "completion": {"completionItem": {
                                     "documentationFormat": ["markdown"],
                                     "resolveSupport": {"properties": ["documentation", "detail", "additionalTextEdits"]}}}}}}),
        );
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message satisfying `pred`; others are dropped.
    fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {what} within {TIMEOUT:?}"));
            if pred(&msg) {
                return msg;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let msg = self.wait(method, |m| m["id"] == id && m.get("method").is_none());
        assert!(msg.get("error").is_none(), "{method}: {msg}");
        msg["result"].clone()
    }

    fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.wait("publishDiagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        })
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Line and UTF-16 column of the first occurrence of `needle` (ASCII documents), plus `shift`.
fn position(text: &str, needle: &str, shift: usize) -> Value {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the document"))
        + shift;
    let line = text[..offset].matches('\n').count();
    let col = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}

struct Stats {
    name: String,
    samples: Vec<Duration>,
}

impl Stats {
    fn pct(&self, p: f64) -> Duration {
        let mut s = self.samples.clone();
        s.sort();
        let i = ((p * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1;
        s[i]
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

/// One scenario: the document, where to edit, where to complete and hover.
struct Scenario {
    title: String,
    /// The document's file name (`quant_config.json`, `config.yaml`).
    file_name: &'static str,
    text: String,
    /// A `"int16"` value token whose `int16`/`int32` toggles per edit (same length).
    edit_at: String,
    complete_key_at: (String, usize),
    complete_value_at: (&'static str, usize),
    hover_node_at: (String, usize),
    hover_key_at: (&'static str, usize),
    iterations: usize,
}

/// `QCLS_BENCH_SCENARIOS=b,e` runs only those scenarios (all when unset).
fn selected(title: &str) -> bool {
    let Ok(only) = std::env::var("QCLS_BENCH_SCENARIOS") else {
        return true;
    };
    only.split(',')
        .any(|letter| title.starts_with(&format!("({})", letter.trim())))
}

fn run(binary: &Path, dir: &Path, s: &Scenario) -> Vec<Stats> {
    if !selected(&s.title) {
        return Vec::new();
    }
    let config = dir.join(s.file_name);
    std::fs::write(&config, &s.text).unwrap();
    let uri = uri(&config);
    let mut server = Server::spawn(binary, dir);
    let t = Instant::now();
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": if s.file_name.ends_with(".yaml") { "yaml" } else { "json" }, "version": 1, "text": s.text}}),
    );
    let first = server.diagnostics(&uri, 1);
    eprintln!(
        "{}: open -> first diagnostics {} ms ({} diagnostics)",
        s.title,
        ms(t.elapsed()),
        first["params"]["diagnostics"]
            .as_array()
            .map_or(0, Vec::len)
    );
    let doc = json!({"uri": uri});
    let edit_start = position(&s.text, &s.edit_at, s.edit_at.find("int16").unwrap() + 3);
    let edit_end = json!({"line": edit_start["line"], "character": edit_start["character"].as_u64().unwrap() + 2});
    let key_pos = position(&s.text, &s.complete_key_at.0, s.complete_key_at.1);
    let value_pos = position(&s.text, s.complete_value_at.0, s.complete_value_at.1);
    let node_pos = position(&s.text, &s.hover_node_at.0, s.hover_node_at.1);
    let hkey_pos = position(&s.text, s.hover_key_at.0, s.hover_key_at.1);

    let mut stats: Vec<Stats> = [
        "change -> publishDiagnostics",
        "completion: node_config key",
        "completion: qtype value",
        "hover: node name",
        "hover: key",
    ]
    .iter()
    .map(|n| Stats {
        name: n.to_string(),
        samples: Vec::new(),
    })
    .collect();
    let warmup = 3;
    let mut items = (0, false, 0);
    for i in 0..s.iterations + warmup {
        let version = 2 + i as i64;
        let new = if i % 2 == 0 { "32" } else { "16" };
        let t = Instant::now();
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": edit_start, "end": edit_end}, "text": new}]}),
        );
        server.diagnostics(&uri, version);
        let change = t.elapsed();

        let t = Instant::now();
        let r = server.request(
            "textDocument/completion",
            json!({"textDocument": doc, "position": key_pos}),
        );
        let key = t.elapsed();
        items = (
            r["items"].as_array().map_or(0, Vec::len),
            r["isIncomplete"] == true,
            r.to_string().len(),
        );

        let t = Instant::now();
        server.request(
            "textDocument/completion",
            json!({"textDocument": doc, "position": value_pos}),
        );
        let value = t.elapsed();

        let t = Instant::now();
        server.request(
            "textDocument/hover",
            json!({"textDocument": doc, "position": node_pos}),
        );
        let node = t.elapsed();

        let t = Instant::now();
        server.request(
            "textDocument/hover",
            json!({"textDocument": doc, "position": hkey_pos}),
        );
        let hkey = t.elapsed();

        if i >= warmup {
            for (k, d) in [change, key, value, node, hkey].into_iter().enumerate() {
                stats[k].samples.push(d);
            }
        }
    }
    eprintln!(
        "{}: node_config key completion returned {} items (isIncomplete: {}, {} bytes of JSON)",
        s.title, items.0, items.1, items.2
    );
    server.shutdown();
    stats
}

/// (f): `steps` steps on one server, each an edit (6 in 10: a random range replaced by a
/// fragment, sent without waiting, as typing does) or a request at a random position (timed to
/// its answer). Every 10th edit is timed to the `publishDiagnostics` of its version.
fn in_a_row(binary: &Path, dir: &Path, original: &str, steps: usize) -> Vec<Stats> {
    use positions::{lines, offset_of};
    use qcls::text::{Position, PositionEncoding};
    const METHODS: [&str; 6] = [
        "textDocument/completion",
        "textDocument/hover",
        "textDocument/codeAction",
        "textDocument/documentSymbol",
        "textDocument/inlayHint",
        "qcls/explain",
    ];
    let config = dir.join("quant_config.json");
    std::fs::write(&config, original).unwrap();
    let uri = uri(&config);
    let mut server = Server::spawn(binary, dir);
    let mut text = original.to_string();
    let mut version = 1i64;
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "json", "version": version, "text": text}}),
    );
    server.diagnostics(&uri, version);
    let mut stats: Vec<Stats> = ["edit -> diagnostics (1 in 10)"]
        .into_iter()
        .chain(METHODS)
        .map(|n| Stats {
            name: n.to_string(),
            samples: Vec::new(),
        })
        .collect();
    let mut rng = 0x5eed_1234_abcd_u64;
    let mut below = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n.max(1) as u64) as usize
    };
    let mut edits = 0;
    for step in 0..steps {
        let lines = lines(&text);
        let position = |below: &mut dyn FnMut(usize) -> usize| {
            let line = below(lines.len() + 1);
            let width = lines
                .get(line)
                .map_or(0, |l| text[l.start..l.end].encode_utf16().count());
            Position::new(line as u32, below(width + 3) as u32)
        };
        let (a, b) = (position(&mut below), position(&mut below));
        let at = |p: Position| json!({"line": p.line, "character": p.character});
        if step % 1000 == 999 {
            version += 1;
            text = original.to_string();
            server.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
            );
        } else if below(10) < 6 {
            let new = positions::EDIT_FRAGMENTS[below(positions::EDIT_FRAGMENTS.len())];
            let (x, y) = (
                offset_of(&text, a, PositionEncoding::Utf16),
                offset_of(&text, b, PositionEncoding::Utf16),
            );
            text.replace_range(x.min(y)..x.max(y), new);
            version += 1;
            edits += 1;
            let t = Instant::now();
            server.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"range": {"start": at(a), "end": at(b)}, "text": new}]}),
            );
            if edits % 10 == 0 {
                server.diagnostics(&uri, version);
                stats[0].samples.push(t.elapsed());
            }
        } else {
            let which = below(METHODS.len());
            let doc = json!({"uri": uri});
            let params = match which {
                0 | 1 => json!({"textDocument": doc, "position": at(a)}),
                2 => {
                    json!({"textDocument": doc, "range": {"start": at(a), "end": at(a)}, "context": {"diagnostics": []}})
                }
                4 => {
                    json!({"textDocument": doc, "range": {"start": at(Position::new(0, 0)), "end": at(b)}})
                }
                5 => json!({"textDocument": doc, "onlyOverridden": false}),
                _ => json!({"textDocument": doc}),
            };
            let t = Instant::now();
            server.request(METHODS[which], params);
            stats[1 + which].samples.push(t.elapsed());
        }
    }
    server.shutdown();
    stats
}

fn resnet18_config(names: &[String]) -> String {
    let mut t = String::from("// qcls latency benchmark: resnet18\n{\n  \"model_config\": {\n    \"all_node_type\": \"int16\",\n    \"model_output_type\": \"int8\",\n    \"activation\": {\n      \"calibration_type\": [\"kl\", \"max\"],\n      \"num_bin\": [1024, 2048],\n      \"max_num_bin\": 16384,\n      \"max_percentile\": [0.99995, 1.0],\n      \"per_channel\": [true, false],\n      \"asymmetric\": false\n    },\n    \"weight\": {\"bias_correction\": {\"num_sample\": 2, \"metric\": \"mse\"}},\n    \"layerwise_search\": {\"metric\": \"cosine-similarity\"}\n  },\n  \"op_config\": {\n    \"Conv\": {\"qtype\": \"int8\"},\n    \"Gemm\": {\"qtype\": \"float16\"}\n  },\n  \"node_config\": {\n    \"/layer1/\": {},\n");
    for (i, name) in names.iter().enumerate() {
        t.push_str(&format!(
            "    // node {i}\n    \"{name}\": {{\n      \"qtype\": \"int16\",\n      \"input0\": \"int8\"\n    }},\n"
        ));
    }
    let mut lines = t.lines().count();
    while lines < 296 {
        t.push_str("    // padding comment\n");
        lines += 1;
    }
    t.push_str("    \"/fc/Gemm\": {\"qtype\": \"float32\"}\n  }\n}\n");
    t
}

/// An hb_compile YAML whose inline quant_config sets every name of `names`: as a JSON-like
/// flow mapping (as real YAMLs write it, seven entries a line: about 300 lines for 2,000), or
/// as a block mapping (one entry a line), whose edits re-read the whole YAML.
fn hb_compile_yaml(names: &[String], block: bool) -> String {
    let mut t = String::from("# qcls latency benchmark: an hb_compile YAML\nmodel_parameters:\n  onnx_model: ./model.onnx\n  march: nash-e\n  working_dir: ./model_output\n  output_model_file_prefix: model\ninput_parameters:\n  input_name: input\n  input_type_rt: nv12\n  input_type_train: rgb\ncalibration_parameters:\n  calibration_type: default\n");
    if block {
        t.push_str("  quant_config:\n    model_config:\n      all_node_type: int16\n      model_output_type: int16\n    node_config:\n      /yaml/: {}\n");
        for n in names {
            t.push_str(&format!("      \"{n}\": {{\"qtype\": \"float16\"}}\n"));
        }
        t.push_str("compiler_parameters:\n  optimize_level: O2\n");
        return t;
    }
    t.push_str("  quant_config: {\n    \"model_config\": {\"all_node_type\": \"int16\", \"model_output_type\": \"int16\"},\n    \"node_config\": {\n      \"/yaml/\": {},\n");
    for line in names.chunks(7) {
        let entries: Vec<String> = line
            .iter()
            .map(|n| format!("\"{n}\": {{\"qtype\": \"float16\"}}"))
            .collect();
        t.push_str(&format!("      {},\n", entries.join(", ")));
    }
    t.push_str("    }\n  }\ncompiler_parameters:\n  optimize_level: O2\n");
    t
}

fn node_names(model: &Path) -> Vec<String> {
    qcls::model::ModelIndex::load(model)
        .expect("index the model")
        .nodes()
        .map(|n| n.name().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

fn print(title: &str, stats: &[Stats]) {
    let stats: Vec<&Stats> = stats.iter().filter(|s| !s.samples.is_empty()).collect();
    if stats.is_empty() {
        return;
    }
    println!("\n{title}");
    println!(
        "| {:<30} | {:>5} | {:>9} | {:>9} | {:>9} |",
        "measure", "n", "p50 ms", "p95 ms", "max ms"
    );
    println!(
        "|{:-<32}|{:->7}|{:->11}|{:->11}|{:->11}|",
        "", "", "", "", ""
    );
    for s in stats {
        println!(
            "| {:<30} | {:>5} | {:>9} | {:>9} | {:>9} |",
            s.name,
            s.samples.len(),
            ms(s.pct(0.5)),
            ms(s.pct(0.95)),
            ms(s.pct(1.0))
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse. Under `cargo test --benches`, do little.
    let quick = !std::env::args().any(|a| a == "--bench");
    let binary = std::env::var_os("QCLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_qcls")));
    println!("qcls: {}", binary.display());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    // (a) 300 lines, resnet18.
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("optimized_float_model.onnx");
    std::fs::copy(
        repo.join("tests/fixtures/models/resnet18/optimized_float_model.onnx"),
        &model,
    )
    .unwrap();
    let names = node_names(&model);
    let text = resnet18_config(&entries_leaving_out(&names[..names.len() - 1], "/layer1/"));
    let a = Scenario {
        file_name: "quant_config.json",
        title: format!(
            "(a) {}-line config, resnet18 ({} nodes)",
            text.lines().count(),
            names.len()
        ),
        edit_at: "\"/layer2/layer2.0/conv1/Conv\": {\n      \"qtype\": \"int16\"".into(),
        complete_key_at: ("\"/layer1/\"".into(), 8),
        complete_value_at: ("\"qtype\": \"int16\"", 12),
        hover_node_at: ("\"/layer3/layer3.0/conv2/Conv\"".into(), 10),
        hover_key_at: ("\"max_percentile\"", 5),
        iterations: if quick { 5 } else { 300 },
        text,
    };
    let stats = run(&binary, dir.path(), &a);
    print(&a.title, &stats);
    let steps = if quick { 300 } else { 10_000 };
    let title = format!(
        "(f) {} random edits and requests in a row on the config of (a)",
        if quick { "300" } else { "10,000" }
    );
    if selected(&title) {
        let stats = in_a_row(&binary, dir.path(), &a.text, steps);
        print(&title, &stats);
    }

    // (c) a 300-line hb_compile YAML with a 2,000-entry inline node_config.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("model_output")).unwrap();
    let model = dir
        .path()
        .join("model_output/model_optimized_float_model.onnx");
    qcls::model::synth::write_synthetic_model(&model, 5_000, 0).unwrap();
    let names = node_names(&model);
    let middle = names[1_000].clone();
    let with_one_int16 = |block| {
        hb_compile_yaml(&names[..2_000], block).replace(
            &format!("\"{middle}\": {{\"qtype\": \"float16\"}}"),
            &format!("\"{middle}\": {{\"qtype\": \"int16\"}}"),
        )
    };
    let text = with_one_int16(false);
    let c = Scenario {
        file_name: "config.yaml",
        title: format!(
            "(c) {}-line hb_compile YAML, inline node_config of 2,000 entries, synthetic model ({} nodes)",
            text.lines().count(),
            names.len()
        ),
        edit_at: format!("\"{middle}\": {{\"qtype\": \"int16\""),
        complete_key_at: ("\"/yaml/\"".into(), 6),
        // (the edited entry is the one int16 entry)
        complete_value_at: ("\"qtype\": \"int16\"", 12),
        hover_node_at: (format!("\"{middle}\""), 5),
        hover_key_at: ("march", 2),
        iterations: if quick { 5 } else { 300 },
        text,
    };
    let stats = run(&binary, dir.path(), &c);
    print(&c.title, &stats);

    // (d) the same 2,000 entries in a block-style inline config (one a line): no in-place
    // re-parse, each edit re-reads the YAML.
    let text = with_one_int16(true);
    let d = Scenario {
        title: format!(
            "(d) {}-line hb_compile YAML, block-style inline node_config of 2,000 entries",
            text.lines().count()
        ),
        complete_key_at: ("/yaml/".into(), 5),
        text,
        ..c
    };
    let stats = run(&binary, dir.path(), &d);
    print(&d.title, &stats);

    if quick {
        return;
    }
    // (b) 100,000 entries, 100,000 nodes.
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("optimized_float_model.onnx");
    qcls::model::synth::write_synthetic_model(&model, 100_000, 0).unwrap();
    let names = node_names(&model);
    let BigConfig {
        text,
        scope,
        edited: middle,
        entries,
    } = big_config(&names);
    let complete_key = format!("\"{scope}\"");
    let b = Scenario {
        file_name: "quant_config.json",
        title: format!(
            "(b) {}-entry node_config ({:.1} MB), synthetic model ({} nodes)",
            entries,
            text.len() as f64 / 1e6,
            names.len()
        ),
        edit_at: format!("\"{middle}\": {{\"qtype\": \"int16\""),
        complete_key_at: (complete_key.clone(), complete_key.len() - 1),
        complete_value_at: ("\"qtype\": \"int16\"", 12),
        hover_node_at: (format!("\"{middle}\""), 5),
        hover_key_at: ("\"calibration_type\"", 5),
        iterations: 40,
        text,
    };
    let stats = run(&binary, dir.path(), &b);
    print(&b.title, &stats);

    // (e) the same size of node_config, every name one the model does not have (names of
    // another export: no scope of the model, nothing close), against the same model.
    let mut text = String::from(
        "{\n  \"model_config\": {\"activation\": {\"calibration_type\": \"max\"}},\n  \"node_config\": {\n",
    );
    for i in 0..names.len() {
        text.push_str(&format!(
            "    \"onnx::Mul_{i}\": {{\"qtype\": \"int16\"}},\n"
        ));
    }
    text.push_str("    \"/\": {}\n  }\n}\n");
    let middle = names.len() / 2;
    let e = Scenario {
        file_name: "quant_config.json",
        title: format!(
            "(e) {}-entry node_config of unknown names ({:.1} MB), synthetic model ({} nodes)",
            names.len(),
            text.len() as f64 / 1e6,
            names.len()
        ),
        edit_at: format!("\"onnx::Mul_{middle}\": {{\"qtype\": \"int16\""),
        complete_key_at: ("\"/\"".into(), 2),
        complete_value_at: ("\"qtype\": \"int16\"", 12),
        hover_node_at: (format!("\"onnx::Mul_{}\"", middle + 1), 5),
        hover_key_at: ("\"calibration_type\"", 5),
        iterations: 40,
        text,
    };
    let stats = run(&binary, dir.path(), &e);
    print(&e.title, &stats);
}
