//! The `lsp` target: one whole server (transport included, as `qcls` runs on stdio) per input,
//! driven in memory by a script of client messages.
//!
//! The input is a script line, then the text of a document. The script is a list of letters,
//! each optionally followed by numbers separated by commas (`c3,14` is a completion at line 3,
//! character 14); other bytes are ignored. See [`Op`] for the letters. Every request must be
//! answered (within [`ANSWER_TIMEOUT`]), never with an internal error, and every position the
//! server sends for the current text of a document (diagnostics, completion edits, hovers,
//! fixes, symbols, hints…) must be a real position of that text in the negotiated encoding:
//! the harness keeps its own copy of each document, edited as the server's is. After the
//! script, `shutdown` and `exit` must end the server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use qcls::text::{Document, Position, PositionEncoding};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;

/// How long one request may take before the input counts as a hang.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);
/// Script steps run per input: each is one or two messages.
const MAX_OPS: usize = 200;

/// Inserted by `e` edits.
const FRAGMENTS: [&str; 16] = [
    "",
    "x",
    "\"",
    "{",
    "}",
    ",",
    "\n",
    "\r\n",
    "量",
    "😀",
    "\"qtype\": \"int8\"",
    "\"/layer1/layer1.0/conv1/Conv\": {\"input0\": \"ec\"},",
    "// qcls-model: ./missing.onnx\n",
    "// qcls-march: bayes-e\n",
    "quant_config: {\"node_config\": {}}\n",
    "\r",
];

/// What `g` sends as the `qcls` settings (and what `workspace/configuration` answers).
fn settings(n: u32) -> Value {
    match n % 6 {
        0 => json!({}),
        1 => json!({"qcls": {"locale": "zh-CN", "maxDiagnostics": 2}}),
        2 => {
            json!({"qcls": {"diagnostics": {"syntax-error": "off", "unknown-node": "hint"}, "hoverTables": "text"}})
        }
        3 => json!({"qcls": {"model": "../paired/optimized_float_model.onnx", "march": "bayes-e"}}),
        4 => {
            json!({"qcls": {"model": 3, "locale": 1, "maxDiagnostics": -1, "toolchain": "hmct-2.8"}})
        }
        _ => json!({"qcls": {"march": "nash-e", "logLevel": "trace", "diagnostics": "x"}}),
    }
}

/// Bytes with no frame in them (`j`): the transport answers and reads on to the next header.
const JUNK: [&[u8]; 9] = [
    b"\r\n",
    b"garbage without a header\r\n",
    b"\x00\xff\xfe binary \x01",
    b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n",
    b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"shutdown\"}",
    b"Content-Length: abc\r\n\r\n",
    b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
    b"\r\r\r",
    b"Content-Length:\r\n\r\n",
];

/// Frames that are no well-formed message, or messages with bad params (`m`). `{uri}` is the
/// current document. Requests among them use ids the harness never uses for its own.
const MALFORMED: [&str; 19] = [
    "not json",
    "[]",
    r#"[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]"#,
    r#""a string""#,
    r#"{"jsonrpc":"2.0","id":true,"method":"textDocument/hover"}"#,
    r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#,
    r#"{"id":900001,"method":"textDocument/hover","params":{}}"#,
    r#"{"jsonrpc":"2.0","id":900002,"method":7}"#,
    r#"{"jsonrpc":"2.0","id":900003}"#,
    r#"{"jsonrpc":"2.0","id":900004,"method":"textDocument/hover","params":{"textDocument":{"uri":"{uri}"},"position":{"line":-1,"character":"x"}}}"#,
    r#"{"jsonrpc":"2.0","id":900005,"method":"$/qcls/unknown"}"#,
    r#"{"jsonrpc":"2.0","id":900006,"method":"unknown/method","params":null}"#,
    r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{}}"#,
    r#"{"jsonrpc":"2.0","id":900007,"result":null}"#,
    r#"{"jsonrpc":"2.0","id":900008,"method":"initialize","params":{"capabilities":{}}}"#,
    r#"{"jsonrpc":"2.0","id":"str","method":"textDocument/completion","params":{"textDocument":{"uri":"{uri}"},"position":{"line":0,"character":0}}}"#,
    r#"{"jsonrpc":"2.0","id":900009,"method":"qcls/explain","params":{"textDocument":{"uri":"{uri}"},"onlyOverridden":"yes"}}"#,
    r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":900010}}"#,
    // A valid request whose Content-Length is cut short (see `malformed`).
    r#"{"jsonrpc":"2.0","id":900011,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"{uri}"}}}"#,
];

/// One step of the script.
#[derive(Clone, Debug)]
pub enum Op {
    /// `I flags`, first only: the client's capabilities (see [`capabilities`]).
    Init(u32),
    /// `o n`: open the document text as document `n` (see [`Fixture::uri`]).
    Open(u32),
    /// `e l,c,l,c,f`: replace a range with `FRAGMENTS[f]`.
    Edit([u32; 5]),
    /// `E n`: replace the whole text with its first `n` bytes.
    Replace(u32),
    /// `v`: a change (inserting "1" at the start) whose version is lower than the last.
    OlderVersion,
    /// `C`: close; `S`: save.
    Close,
    Save,
    /// `c l,c`, `h l,c`: completion (then resolve of its first item), hover.
    Complete(u32, u32),
    Hover(u32, u32),
    /// `a l,c,l,c,s`: code actions for a range; `s` odd sends back the last diagnostics.
    Actions([u32; 5]),
    /// `f n`: formatting (tab size `n % 9`, tabs when `n >= 9`).
    Format(u32),
    /// `s`, `F`, `l`, `k`, `d`: symbols, folding ranges, code lens, links, pulled diagnostics.
    Symbols,
    Folding,
    Lens,
    Links,
    Pull,
    /// `i l,l`: inlay hints for a range of lines; `x n`: qcls/explain.
    Hints(u32, u32),
    Explain(u32),
    /// `g n`: new settings; `w n`: the paired model changes on disk (truncated, restored,
    /// removed) and the client says so.
    Settings(u32),
    Watch(u32),
    /// `j n`, `m n`: junk bytes, a malformed frame.
    Junk(u32),
    Malformed(u32),
    /// `n`: cancel the next request; `p`: wait (a little) for the current diagnostics.
    Cancel,
    Wait,
}

/// The ops of a script line.
pub fn script(line: &[u8]) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut i = 0;
    while i < line.len() && ops.len() < MAX_OPS {
        let letter = line[i];
        i += 1;
        let mut args = [0u32; 5];
        let mut n = 0;
        while n < args.len() && i < line.len() && line[i].is_ascii_digit() {
            let mut v: u32 = 0;
            while i < line.len() && line[i].is_ascii_digit() {
                v = v
                    .saturating_mul(10)
                    .saturating_add(u32::from(line[i] - b'0'));
                i += 1;
            }
            args[n] = v;
            n += 1;
            if i < line.len() && line[i] == b',' {
                i += 1;
            } else {
                break;
            }
        }
        let [a, b, ..] = args;
        ops.push(match letter {
            b'I' => Op::Init(a),
            b'o' => Op::Open(a),
            b'e' => Op::Edit(args),
            b'E' => Op::Replace(a),
            b'v' => Op::OlderVersion,
            b'C' => Op::Close,
            b'S' => Op::Save,
            b'c' => Op::Complete(a, b),
            b'h' => Op::Hover(a, b),
            b'a' => Op::Actions(args),
            b'f' => Op::Format(a),
            b's' => Op::Symbols,
            b'F' => Op::Folding,
            b'l' => Op::Lens,
            b'k' => Op::Links,
            b'd' => Op::Pull,
            b'i' => Op::Hints(a, b),
            b'x' => Op::Explain(a),
            b'g' => Op::Settings(a),
            b'w' => Op::Watch(a),
            b'j' => Op::Junk(a),
            b'm' => Op::Malformed(a),
            b'n' => Op::Cancel,
            b'p' => Op::Wait,
            _ => continue,
        });
    }
    ops
}

/// Folders the documents live in: one beside a copy of resnet18, one without a model.
struct Fixture {
    root: PathBuf,
}

impl Fixture {
    fn get() -> &'static Fixture {
        static FIXTURE: OnceLock<Fixture> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let root = std::env::temp_dir().join(format!("qcls-fuzz-lsp-{}", std::process::id()));
            for dir in ["paired", "plain"] {
                std::fs::create_dir_all(root.join(dir)).expect("create the fuzz folders");
            }
            Fixture { root }
        })
    }

    fn model(&self) -> PathBuf {
        self.root.join("paired/optimized_float_model.onnx")
    }

    /// Puts the model back as it was (a `w` step may have changed it).
    fn reset(&self) {
        let (_, bytes) = crate::common::MODELS[0];
        if std::fs::read(self.model()).ok().as_deref() != Some(bytes) {
            std::fs::write(self.model(), bytes).expect("write the fuzz model");
        }
    }

    fn uri(&self, n: u32) -> (String, &'static str) {
        let file = |rel: &str| format!("file://{}", self.root.join(rel).display());
        match n % 6 {
            0 => (file("paired/quant_config.json"), "json"),
            1 => (file("paired/config.yaml"), "yaml"),
            2 => (file("plain/quant_config.json"), "jsonc"),
            3 => (file("plain/hb.yml"), "yaml"),
            4 => ("untitled:Untitled-1".to_string(), "json"),
            _ => (file("paired/notes.json"), "json"),
        }
    }
}

/// The client capabilities of `I flags`: bit 0-1 the position encodings offered, then
/// markdown, completion resolve, pulled diagnostics, watched files, progress, configuration,
/// hierarchical symbols, a folding range limit, and settings in `initializationOptions`.
fn capabilities(flags: u32) -> Value {
    let bit = |n: u32| flags & (1 << n) != 0;
    let encodings = match flags & 3 {
        0 => json!(null),
        1 => json!(["utf-8", "utf-16"]),
        2 => json!(["utf-32"]),
        _ => json!(["utf-16"]),
    };
    let markdown = if bit(2) {
        json!(["markdown", "plaintext"])
    } else {
        json!(["plaintext"])
    };
    let mut caps = json!({
        "general": {"positionEncodings": encodings},
        "textDocument": {
            "hover": {"contentFormat": markdown},
            "completion": {"completionItem": {"documentationFormat": markdown}},
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": bit(8)},
        },
        "workspace": {
            "configuration": bit(7),
            "didChangeWatchedFiles": {"dynamicRegistration": bit(5)},
            "diagnostics": {"refreshSupport": bit(4)},
        },
        "window": {"workDoneProgress": bit(6)},
    });
    if bit(3) {
        caps["textDocument"]["completion"]["completionItem"]["resolveSupport"] =
            json!({"properties": ["documentation", "detail"]});
    }
    if bit(4) {
        caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    }
    if bit(9) {
        caps["textDocument"]["foldingRange"] = json!({"rangeLimit": 3});
    }
    let mut params = json!({"processId": null, "capabilities": caps,
        "rootUri": format!("file://{}", Fixture::get().root.display())});
    if bit(10) {
        params["initializationOptions"] = settings(flags >> 11);
    }
    params
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    // As `qcls` runs: two workers.
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

pub fn run(data: &[u8]) {
    let (line, text) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let ops = script(line);
    let text = String::from_utf8_lossy(text).into_owned();
    let fixture = Fixture::get();
    fixture.reset();
    runtime().block_on(drive(fixture, ops, text));
}

/// The client's copy of one open document.
struct Open {
    doc: Document,
    version: i32,
    /// The diagnostics last published for the current version.
    diagnostics: Option<Value>,
}

struct Client {
    to_server: DuplexStream,
    from_server: mpsc::UnboundedReceiver<Value>,
    next_id: i64,
    encoding: PositionEncoding,
    docs: HashMap<String, Open>,
    settings: Value,
    /// Versions only ever grow (or drop below every earlier one), so no two texts of a
    /// document share a version.
    versions: i32,
}

async fn drive(fixture: &Fixture, ops: Vec<Op>, text: String) {
    let (to_server, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(qcls::server::serve_io(server_in, server_out));
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(read_frames(from_server, tx));
    let mut client = Client {
        to_server,
        from_server: rx,
        next_id: 0,
        encoding: PositionEncoding::Utf16,
        docs: HashMap::new(),
        settings: Value::Null,
        versions: 0,
    };

    let flags = match ops.first() {
        Some(Op::Init(flags)) => *flags,
        _ => 0,
    };
    // A client that pulls diagnostics is sent none.
    let pulled = flags & (1 << 4) != 0;
    let result = client.request("initialize", capabilities(flags)).await;
    client.encoding = match result["capabilities"]["positionEncoding"].as_str() {
        Some("utf-8") => PositionEncoding::Utf8,
        Some("utf-32") => PositionEncoding::Utf32,
        _ => PositionEncoding::Utf16,
    };
    client.notify("initialized", json!({})).await;

    let (mut uri, _) = fixture.uri(0);
    if !matches!(
        ops.iter().find(|op| !matches!(op, Op::Init(_))),
        Some(Op::Open(_))
    ) {
        client.open(&uri, "json", &text).await;
    }
    let mut cancel_next = false;
    for op in ops {
        let doc = json!({"uri": uri});
        match op {
            Op::Init(_) => {}
            Op::Open(n) => {
                let (u, language) = fixture.uri(n);
                uri = u;
                client.open(&uri, language, &text).await;
            }
            Op::Edit([l1, c1, l2, c2, f]) => {
                let range = json!({"start": {"line": l1, "character": c1},
                                   "end": {"line": l2, "character": c2}});
                let fragment = FRAGMENTS[f as usize % FRAGMENTS.len()];
                client
                    .change(&uri, json!({"range": range, "text": fragment}), false)
                    .await;
            }
            Op::Replace(n) => {
                let mut end = (n as usize).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                client
                    .change(&uri, json!({"text": &text[..end]}), false)
                    .await;
            }
            Op::OlderVersion => {
                let start = json!({"line": 0, "character": 0});
                let change = json!({"range": {"start": start, "end": start}, "text": "1"});
                client.change(&uri, change, true).await;
            }
            Op::Close => {
                client.docs.remove(&uri);
                client
                    .notify("textDocument/didClose", json!({"textDocument": doc}))
                    .await;
            }
            Op::Save => {
                client
                    .notify("textDocument/didSave", json!({"textDocument": doc}))
                    .await;
            }
            Op::Complete(line, character) => {
                let position = json!({"line": line, "character": character});
                let list = client
                    .ask(
                        &uri,
                        cancel_next,
                        "textDocument/completion",
                        json!({"textDocument": doc, "position": position}),
                    )
                    .await;
                if let Some(first) = list["items"].get(0).cloned() {
                    client
                        .ask(&uri, false, "completionItem/resolve", first)
                        .await;
                }
            }
            Op::Hover(line, character) => {
                let position = json!({"line": line, "character": character});
                client
                    .ask(
                        &uri,
                        cancel_next,
                        "textDocument/hover",
                        json!({"textDocument": doc, "position": position}),
                    )
                    .await;
            }
            Op::Actions([l1, c1, l2, c2, s]) => {
                let range = json!({"start": {"line": l1, "character": c1},
                                   "end": {"line": l2, "character": c2}});
                let sent = match client.docs.get(&uri).and_then(|d| d.diagnostics.as_ref()) {
                    Some(d) if s % 2 == 1 => d.clone(),
                    _ => json!([]),
                };
                client
                    .ask(
                        &uri,
                        cancel_next,
                        "textDocument/codeAction",
                        json!({"textDocument": doc, "range": range, "context": {"diagnostics": sent}}),
                    )
                    .await;
            }
            Op::Format(n) => {
                let options = json!({"tabSize": n % 9, "insertSpaces": n < 9});
                client
                    .ask(
                        &uri,
                        cancel_next,
                        "textDocument/formatting",
                        json!({"textDocument": doc, "options": options}),
                    )
                    .await;
            }
            Op::Symbols => {
                let params = json!({"textDocument": doc});
                client
                    .ask(&uri, cancel_next, "textDocument/documentSymbol", params)
                    .await;
            }
            Op::Folding => {
                let params = json!({"textDocument": doc});
                client
                    .ask(&uri, cancel_next, "textDocument/foldingRange", params)
                    .await;
            }
            Op::Lens => {
                let params = json!({"textDocument": doc});
                client
                    .ask(&uri, cancel_next, "textDocument/codeLens", params)
                    .await;
            }
            Op::Links => {
                let params = json!({"textDocument": doc});
                client
                    .ask(&uri, cancel_next, "textDocument/documentLink", params)
                    .await;
            }
            Op::Pull => {
                let params = json!({"textDocument": doc});
                client
                    .ask(&uri, cancel_next, "textDocument/diagnostic", params)
                    .await;
            }
            Op::Hints(l1, l2) => {
                let range = json!({"start": {"line": l1, "character": 0},
                                   "end": {"line": l2, "character": 0}});
                client
                    .ask(
                        &uri,
                        cancel_next,
                        "textDocument/inlayHint",
                        json!({"textDocument": doc, "range": range}),
                    )
                    .await;
            }
            Op::Explain(n) => {
                client
                    .ask(
                        &uri,
                        cancel_next,
                        qcls::server::EXPLAIN_METHOD,
                        json!({"textDocument": doc, "onlyOverridden": n % 2 == 1}),
                    )
                    .await;
            }
            Op::Settings(n) => {
                client.settings = settings(n);
                let params = json!({"settings": client.settings});
                client
                    .notify("workspace/didChangeConfiguration", params)
                    .await;
            }
            Op::Watch(n) => {
                let model = fixture.model();
                let (_, bytes) = crate::common::MODELS[0];
                let kind = match n % 3 {
                    0 => {
                        let _ = std::fs::write(&model, &bytes[..bytes.len() / 2]);
                        2
                    }
                    1 => {
                        let _ = std::fs::write(&model, bytes);
                        1
                    }
                    _ => {
                        let _ = std::fs::remove_file(&model);
                        3
                    }
                };
                let change = json!({"uri": format!("file://{}", model.display()), "type": kind});
                client
                    .notify(
                        "workspace/didChangeWatchedFiles",
                        json!({"changes": [change]}),
                    )
                    .await;
            }
            Op::Junk(n) => client.write(JUNK[n as usize % JUNK.len()]).await,
            Op::Malformed(n) => client.malformed(n, &uri).await,
            Op::Cancel => {
                cancel_next = true;
                continue;
            }
            Op::Wait if !pulled => client.wait_for_diagnostics(&uri).await,
            Op::Wait => {}
        }
        cancel_next = false;
    }

    let answer = client.request("shutdown", Value::Null).await;
    assert!(answer.is_null(), "shutdown answered {answer}");
    client.notify("exit", Value::Null).await;
    let clean = tokio::time::timeout(ANSWER_TIMEOUT, server)
        .await
        .expect("the server ends after exit")
        .expect("the server task does not panic");
    assert!(clean, "exit after shutdown is a clean end");
}

impl Client {
    async fn write(&mut self, bytes: &[u8]) {
        self.to_server
            .write_all(bytes)
            .await
            .expect("the server reads its input until exit");
    }

    async fn send(&mut self, message: &Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.write(frame.as_bytes()).await;
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Sends a request and waits for its answer, serving the messages that come first.
    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.request_with(method, params, false).await
    }

    async fn request_with(&mut self, method: &str, params: Value, cancel: bool) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        if cancel {
            self.notify("$/cancelRequest", json!({"id": id})).await;
        }
        loop {
            let message = self.next_message(method).await;
            if message.get("method").is_none() && message["id"] == id {
                if let Some(error) = message.get("error") {
                    // Cancelled, or params the server refuses: fine. A panic is not.
                    assert_ne!(
                        error["code"], -32603,
                        "{method} failed inside the server: {error}"
                    );
                    return Value::Null;
                }
                return message["result"].clone();
            }
        }
    }

    /// A request about document `uri`: the positions of its answer must be positions of the
    /// text.
    async fn ask(&mut self, uri: &str, cancel: bool, method: &str, params: Value) -> Value {
        let answer = self.request_with(method, params, cancel).await;
        if let Some(open) = self.docs.get(uri) {
            check_positions((&open.doc, uri), self.encoding, &answer, method);
        }
        answer
    }

    /// The next message from the server; requests and diagnostics are handled on the way.
    async fn next_message(&mut self, waiting_for: &str) -> Value {
        let message = tokio::time::timeout(ANSWER_TIMEOUT, self.from_server.recv())
            .await
            .unwrap_or_else(|_| panic!("no answer to {waiting_for} within {ANSWER_TIMEOUT:?}"))
            .unwrap_or_else(|| panic!("the server ended while {waiting_for} was waiting"));
        self.handle(&message).await;
        message
    }

    async fn handle(&mut self, message: &Value) {
        let Some(method) = message["method"].as_str() else {
            return;
        };
        if let Some(id) = message.get("id") {
            let result = match method {
                "workspace/configuration" => json!([self.settings]),
                _ => Value::Null,
            };
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}))
                .await;
        } else if method == "textDocument/publishDiagnostics" {
            let params = &message["params"];
            let uri = params["uri"].as_str().unwrap_or_default();
            if let Some(open) = self.docs.get_mut(uri) {
                if params["version"] == open.version {
                    check_positions((&open.doc, uri), self.encoding, params, method);
                    open.diagnostics = Some(params["diagnostics"].clone());
                }
            }
        }
    }

    async fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.versions += 1;
        let version = self.versions;
        self.docs.insert(
            uri.to_string(),
            Open {
                doc: Document::new(text),
                version,
                diagnostics: None,
            },
        );
        let item = json!({"uri": uri, "languageId": language, "version": version, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": item}))
            .await;
    }

    /// One content change, applied to the client's copy as the server applies it.
    async fn change(&mut self, uri: &str, change: Value, older: bool) {
        self.versions += 1;
        let version = if older { -self.versions } else { self.versions };
        if let Some(open) = self.docs.get_mut(uri) {
            apply(&mut open.doc, &change, self.encoding);
            open.version = version;
            open.diagnostics = None;
        }
        let params = json!({"textDocument": {"uri": uri, "version": version},
                            "contentChanges": [change]});
        self.notify("textDocument/didChange", params).await;
    }

    async fn malformed(&mut self, n: u32, uri: &str) {
        let i = n as usize % MALFORMED.len();
        let body = MALFORMED[i].replace("{uri}", uri);
        let frame = if i == MALFORMED.len() - 1 {
            // The length covers all but the last 10 bytes, which the transport skips.
            format!("Content-Length: {}\r\n\r\n{body}", body.len() - 10)
        } else {
            format!("Content-Length: {}\r\n\r\n{body}", body.len())
        };
        self.write(frame.as_bytes()).await;
    }

    /// Waits a little for the diagnostics of the current version of `uri` (a document that is
    /// not served gets none).
    async fn wait_for_diagnostics(&mut self, uri: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(200);
        while self
            .docs
            .get(uri)
            .is_some_and(|open| open.diagnostics.is_none())
        {
            match tokio::time::timeout_at(deadline, self.from_server.recv()).await {
                Ok(Some(message)) => self.handle(&message).await,
                Ok(None) => panic!("the server ended while the client waited for diagnostics"),
                Err(_) => return,
            }
        }
    }
}

/// Applies one LSP content change to the client's copy.
fn apply(doc: &mut Document, change: &Value, encoding: PositionEncoding) {
    let text = change["text"].as_str().unwrap_or_default();
    let position = |p: &Value| {
        let n = |v: &Value| {
            v.as_u64()
                .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
        };
        Position::new(n(&p["line"]), n(&p["character"]))
    };
    let range = change
        .get("range")
        .map(|r| (position(&r["start"]), position(&r["end"])));
    doc.apply_change(range, text, encoding);
}

/// Every `{line, character}` in `value` is a position of `doc`: on a line that exists, not
/// past its end, not inside a character.
fn check_positions(open: (&Document, &str), encoding: PositionEncoding, value: &Value, what: &str) {
    let (doc, uri) = open;
    match value {
        // A location in another document.
        Value::Object(map) if map.get("uri").is_some_and(|u| u.as_str() != Some(uri)) => {}
        Value::Object(map) => {
            if let (Some(line), Some(character)) = (
                map.get("line").and_then(Value::as_u64),
                map.get("character").and_then(Value::as_u64),
            ) {
                let p = Position::new(line as u32, character as u32);
                let canonical = doc.position(doc.offset(p, encoding), encoding);
                assert_eq!(
                    p, canonical,
                    "{what}: the server sent a position that is not in the text\n{value}"
                );
            }
            for v in map.values() {
                check_positions(open, encoding, v, what);
            }
        }
        Value::Array(items) => {
            for v in items {
                check_positions(open, encoding, v, what);
            }
        }
        _ => {}
    }
}

/// Reads the server's frames into `tx` until its output ends.
async fn read_frames(output: DuplexStream, tx: mpsc::UnboundedSender<Value>) {
    let mut output = BufReader::new(output);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            match output.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("the server writes a Content-Length")];
        if output.read_exact(&mut body).await.is_err() {
            return;
        }
        let message: Value =
            serde_json::from_slice(&body).expect("the server writes JSON messages");
        if tx.send(message).is_err() {
            return;
        }
    }
}

/// The folder of the documents and the model, to remove when done.
pub fn fixture_root() -> &'static Path {
    &Fixture::get().root
}
