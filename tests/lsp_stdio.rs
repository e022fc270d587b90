//! The built binary speaks LSP over stdin/stdout and exits as LSP says.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

fn send(stdin: &mut impl Write, body: &str) {
    write!(stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
    stdin.flush().unwrap();
}

/// Reads messages until the response with `id`.
fn response(out: &mut BufReader<ChildStdout>, id: u64) -> serde_json::Value {
    loop {
        let msg = next_response(out);
        if msg["id"] == id {
            return msg;
        }
    }
}

/// Reads messages until a response (skipping the server's requests and notifications).
fn next_response(out: &mut BufReader<ChildStdout>) -> serde_json::Value {
    loop {
        let msg = next_message(out);
        if msg.get("id").is_some() && msg.get("method").is_none() {
            return msg;
        }
    }
}

/// A qcls server started with `args` (and the allocator's defaults, whatever the environment).
fn spawn(args: &[&str], stderr: Stdio) -> (Child, ChildStdin, BufReader<ChildStdout>) {
    spawn_with_env(args, stderr, &[])
}

/// The same with `env` set for it.
fn spawn_with_env(
    args: &[&str],
    stderr: Stdio,
    env: &[(&str, &str)],
) -> (Child, ChildStdin, BufReader<ChildStdout>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qcls"))
        .args(args)
        .env_remove("MIMALLOC_ALLOW_THP")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start qcls");
    let stdin = child.stdin.take().unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    (child, stdin, out)
}

/// A qcls server started with `args`, past `initialize` (from a client with `capabilities`)
/// and `initialized`.
fn initialized_with(
    args: &[&str],
    stderr: Stdio,
    capabilities: serde_json::Value,
) -> (Child, ChildStdin, BufReader<ChildStdout>) {
    let (child, mut stdin, mut out) = spawn(args, stderr);
    let init = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": capabilities}});
    send(&mut stdin, &init.to_string());
    response(&mut out, 1);
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    );
    (child, stdin, out)
}

/// The same for a client that declares no capabilities.
fn initialized(args: &[&str], stderr: Stdio) -> (Child, ChildStdin, BufReader<ChildStdout>) {
    initialized_with(args, stderr, serde_json::json!({}))
}

fn session(args: &[&str], shutdown: bool) -> Option<i32> {
    let (mut child, mut stdin, mut out) = spawn(args, Stdio::null());
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}}"#,
    );
    let init = response(&mut out, 1);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    );
    if shutdown {
        send(
            &mut stdin,
            r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#,
        );
        assert_eq!(response(&mut out, 2)["result"], serde_json::Value::Null);
    }
    send(&mut stdin, r#"{"jsonrpc":"2.0","method":"exit"}"#);
    child.wait().expect("qcls exits").code()
}

#[test]
fn serve_initialize_shutdown_exit() {
    for args in [&[][..], &["serve"][..], &["--stdio"][..]] {
        assert_eq!(session(args, true), Some(0), "{args:?}");
    }
}

#[test]
fn exit_without_shutdown_is_status_1() {
    assert_eq!(session(&[], false), Some(1));
}

/// What the server logs (stderr and `window/logMessage`): the pairing, the model read and its
/// timing; never the document's text. `--log-level off` silences it; without `--log-level`
/// stderr gets warnings and errors only.
#[test]
fn logs_pairing_and_model_loads_but_never_document_text() {
    let dir = tempfile::tempdir().unwrap();
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/resnet18/optimized_float_model.onnx");
    std::fs::copy(model, dir.path().join("optimized_float_model.onnx")).unwrap();
    let config = dir.path().join("quant_config.json");
    let text = "{\"node_config\": {\"/secret/marker_7f3a\": {\"qtype\": \"int16\"}}}";
    std::fs::write(&config, text).unwrap();
    let run = |args: &[&str]| {
        let (mut child, mut stdin, mut out) = initialized(args, Stdio::piped());
        let open = serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": format!("file://{}", config.display()), "languageId": "json", "version": 1, "text": text}}});
        send(&mut stdin, &open.to_string());
        // A hover on the node makes the server read the model before answering.
        let hover = serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": format!("file://{}", config.display())}, "position": {"line": 0, "character": 20}}});
        send(&mut stdin, &hover.to_string());
        response(&mut out, 2);
        send(
            &mut stdin,
            r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#,
        );
        response(&mut out, 3);
        send(&mut stdin, r#"{"jsonrpc":"2.0","method":"exit"}"#);
        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        child.wait().unwrap();
        stderr
    };
    let stderr = run(&["--log-level", "info"]);
    assert!(stderr.contains("read model"), "{stderr}");
    assert!(stderr.contains("nodes in"), "{stderr}");
    assert!(
        stderr.contains("(sibling optimized_float_model.onnx); profile nash"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("marker_7f3a"),
        "document text was logged: {stderr}"
    );
    assert_eq!(run(&["--log-level", "off"]), "");
    // By default routine lines go to the client's log only: editors file stderr as errors.
    let stderr = run(&[]);
    assert!(!stderr.contains("INFO"), "{stderr}");
}

/// LSP: a request whose method starts with `$/` that the server does not know is answered
/// with MethodNotFound (-32601), and the server carries on.
#[test]
fn unknown_dollar_requests_get_method_not_found() {
    let (mut child, mut stdin, mut out) = initialized(&[], Stdio::null());
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","id":2,"method":"$/somethingNew","params":{}}"#,
    );
    // Shutdown right behind it: were `$/somethingNew` left unanswered, the shutdown answer
    // would come first and the test would fail rather than wait.
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#,
    );
    let first = next_response(&mut out);
    assert_eq!(first["id"], 2, "{first}");
    assert_eq!(first["error"]["code"], -32601);
    assert_eq!(response(&mut out, 3)["result"], serde_json::Value::Null);
    send(&mut stdin, r#"{"jsonrpc":"2.0","method":"exit"}"#);
    assert_eq!(child.wait().expect("qcls exits").code(), Some(0));
}

/// A message the server cannot read is answered with a JSON-RPC error and the server reads on:
/// the editor keeps every feature. Only the end of stdin (or `exit`) ends it.
#[test]
fn unreadable_messages_are_answered_and_the_server_carries_on() {
    let (mut child, mut stdin, mut out) = initialized(&[], Stdio::null());
    let framed = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len());
    let bad: Vec<(String, serde_json::Value, i64)> = vec![
        (framed("{not json"), serde_json::Value::Null, -32700),
        (
            framed(r#"[{"jsonrpc":"2.0","id":5,"method":"shutdown"}]"#),
            serde_json::Value::Null,
            -32600,
        ),
        (
            framed(r#"{"jsonrpc":"2.0","id":true,"method":"textDocument/hover"}"#),
            serde_json::Value::Null,
            -32600,
        ),
        (
            framed(r#"{"id":7,"method":"foo"}"#),
            serde_json::json!(7),
            -32600,
        ),
        (
            "hello, this is no header\r\n\r\n".to_string(),
            serde_json::Value::Null,
            -32700,
        ),
        (
            "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}".to_string(),
            serde_json::Value::Null,
            -32700,
        ),
    ];
    for (i, (frame, id, code)) in bad.iter().enumerate() {
        stdin.write_all(frame.as_bytes()).unwrap();
        let answer = next_response(&mut out);
        assert_eq!(answer["id"], *id, "{answer}");
        assert_eq!(answer["error"]["code"], *code, "{answer}");
        // Still serving: a request right after is answered.
        let ask = 100 + i as u64;
        send(
            &mut stdin,
            &format!(
                r#"{{"jsonrpc":"2.0","id":{ask},"method":"textDocument/hover","params":{{"textDocument":{{"uri":"file:///nowhere/quant_config.json"}},"position":{{"line":0,"character":0}}}}}}"#
            ),
        );
        let answer = response(&mut out, ask);
        assert!(answer.get("error").is_none(), "{answer}");
    }
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#,
    );
    response(&mut out, 2);
    send(&mut stdin, r#"{"jsonrpc":"2.0","method":"exit"}"#);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// stdin closed in the middle of a message ends the server at once.
#[test]
fn stdin_closed_mid_message_ends_the_server() {
    let (mut child, mut stdin, _out) = initialized(&[], Stdio::null());
    stdin
        .write_all(b"Content-Length: 500\r\n\r\n{\"jsonrpc\":\"2.0\",")
        .unwrap();
    drop(stdin);
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "qcls still runs after its stdin closed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    // No shutdown came first: LSP's exit code for that.
    assert_eq!(status.code(), Some(1));
}

/// Reads the next message, whatever it is.
fn next_message(out: &mut BufReader<ChildStdout>) -> serde_json::Value {
    let mut len = 0;
    loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "qcls closed stdout");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            len = n.parse().unwrap();
        }
    }
    let mut body = vec![0; len];
    out.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// The server asks the client for its settings; the client's answer reaches the server (a
/// malformed setting in it is reported back), through the same transport as every request.
#[test]
fn the_clients_answer_to_a_server_request_reaches_the_server() {
    let capabilities = serde_json::json!({"workspace": {"configuration": true}});
    let (mut child, mut stdin, mut out) = initialized_with(&[], Stdio::null(), capabilities);
    let asked = loop {
        let msg = next_message(&mut out);
        if msg["method"] == "workspace/configuration" {
            break msg;
        }
    };
    assert_eq!(asked["params"]["items"][0]["section"], "qcls", "{asked}");
    let answer = serde_json::json!({"jsonrpc": "2.0", "id": asked["id"], "result": [{"maxDiagnostics": "many"}]});
    send(&mut stdin, &answer.to_string());
    let shown = loop {
        let msg = next_message(&mut out);
        if msg["method"] == "window/showMessage" {
            break msg;
        }
    };
    let text = shown["params"]["message"].as_str().unwrap_or_default();
    assert!(text.contains("qcls.maxDiagnostics"), "{shown}");
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#,
    );
    response(&mut out, 2);
    send(&mut stdin, r#"{"jsonrpc":"2.0","method":"exit"}"#);
    assert_eq!(child.wait().expect("qcls exits").code(), Some(0));
}

/// `THP_enabled` of a process (`self` or a pid), when the kernel says (Linux 5.0 and newer).
#[cfg(target_os = "linux")]
fn thp_enabled_of(process: &str) -> Option<bool> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("THP_enabled:"))?;
    Some(line.trim_end().ends_with('1'))
}

#[cfg(target_os = "linux")]
fn thp_enabled(child: &Child) -> Option<bool> {
    thp_enabled_of(&child.id().to_string())
}

/// The server turns transparent huge pages off for itself (a 2 MiB page is resident as soon as
/// one byte of it is used), unless the user chose with `MIMALLOC_ALLOW_THP`.
#[cfg(target_os = "linux")]
#[test]
fn the_server_runs_without_transparent_huge_pages_unless_told() {
    // A kernel without huge pages (or that does not say) has nothing to turn off.
    if thp_enabled_of("self") != Some(true) {
        eprintln!("skipped: this kernel has no transparent huge pages, or does not report them");
        return;
    }
    // Read once the server has answered `initialize`: its start-up is behind it.
    let huge_pages_of_server = |env: &[(&str, &str)]| {
        let (mut child, mut stdin, mut out) = spawn_with_env(&[], Stdio::null(), env);
        send(
            &mut stdin,
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        );
        response(&mut out, 1);
        let enabled = thp_enabled(&child);
        send(&mut stdin, r#"{"jsonrpc":"2.0","method":"exit"}"#);
        child.wait().expect("qcls exits");
        enabled
    };
    assert_eq!(huge_pages_of_server(&[]), Some(false), "left on");
    let chosen = [("MIMALLOC_ALLOW_THP", "1")];
    assert_eq!(
        huge_pages_of_server(&chosen),
        Some(true),
        "the user's choice not respected"
    );
}
