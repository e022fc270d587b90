//! Diagnostics: push with versions, pull, document selection, settings from every source, and
//! the ordering test (hundreds of fast incremental edits).

mod lsp_support;

use std::time::Duration;

use futures::StreamExt;
use lsp_support::{pos, utf16_pos, Client, TIMEOUT};
use serde_json::{json, Value};
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;

const URI: &str = "file:///w/quant_config.json";
const BROKEN: &str = "{\n  \"model_config\": {\"all_node_type\": \"int16\",}\n}\n";
const FIXED: &str = "{\n  \"model_config\": {\"all_node_type\": \"int16\"}\n}\n";

/// Waits for diagnostics of `uri` satisfying `pred` (earlier publishes are skipped).
async fn diagnostics_until(c: &mut Client, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        assert!(tokio::time::Instant::now() < deadline, "timed out");
        let d = c.diagnostics(uri, None).await;
        if pred(&d) {
            return d;
        }
    }
}

fn severities(d: &Value) -> Vec<u64> {
    d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["severity"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn push_with_versions() {
    let mut c = Client::new();
    c.initialize(json!({})).await;
    c.open_version(URI, BROKEN, 7).await;
    let d = c.diagnostics(URI, Some(7)).await;
    let items = d["diagnostics"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{d}");
    let first = &items[0];
    assert_eq!(first["source"], "qcls");
    assert_eq!(first["code"], "syntax-error");
    assert_eq!(first["severity"], 1);
    // The trailing comma, on line 1.
    assert_eq!(first["range"]["start"]["line"], 1);

    c.change(URI, 8, json!([{"text": FIXED}])).await;
    let d = c.diagnostics(URI, Some(8)).await;
    assert_eq!(d["diagnostics"], json!([]));

    c.change(URI, 9, json!([{"text": BROKEN}])).await;
    c.diagnostics(URI, Some(9)).await;
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    )
    .await;
    let d = c
        .next_matching(TIMEOUT, |r| {
            r.method() == "textDocument/publishDiagnostics"
                && r.params().is_some_and(|p| p["version"].is_null())
        })
        .await
        .expect("diagnostics cleared on close");
    assert_eq!(d["diagnostics"], json!([]));
}

#[tokio::test]
async fn document_selection() {
    let mut c = Client::new();
    c.initialize(json!({})).await;
    // Not a quant_config by name or content: nothing, not even for requests.
    c.open("file:///w/package.json", "{\"name\": 1,}").await;
    // By content.
    c.open("file:///w/mine.json", "{\"node_config\": {},}")
        .await;
    // By name, even when broken.
    c.open("file:///w/my_quant_config_v2.json", "{,").await;
    let d = c.diagnostics("file:///w/mine.json", Some(1)).await;
    assert_eq!(d["diagnostics"].as_array().unwrap().len(), 1);
    let d = c
        .diagnostics("file:///w/my_quant_config_v2.json", Some(1))
        .await;
    assert!(!d["diagnostics"].as_array().unwrap().is_empty());
    let none = c
        .next_matching(Duration::from_millis(300), |r| {
            r.params()
                .is_some_and(|p| p["uri"] == "file:///w/package.json")
        })
        .await;
    assert_eq!(none, None, "no diagnostics for other JSON documents");
    for method in [
        "textDocument/documentSymbol",
        "textDocument/foldingRange",
        "textDocument/codeLens",
    ] {
        let r = c
            .request(
                method,
                json!({"textDocument": {"uri": "file:///w/package.json"}}),
            )
            .await
            .unwrap();
        assert_eq!(r, json!(null), "{method}");
    }
    // A served document that loses its quant_config keys is cleared.
    c.change(
        "file:///w/mine.json",
        2,
        json!([{"text": "{\"name\": 1,}"}]),
    )
    .await;
    let d = c.diagnostics("file:///w/mine.json", Some(2)).await;
    assert_eq!(d["diagnostics"], json!([]));
}

#[tokio::test]
async fn pull_diagnostics_replace_push() {
    let mut c = Client::new();
    let result = c
        .initialize(json!({"capabilities": {"textDocument": {"diagnostic": {"dynamicRegistration": false}}}}))
        .await;
    assert_eq!(
        result["capabilities"]["diagnosticProvider"]["identifier"],
        "qcls"
    );
    c.open(URI, BROKEN).await;
    let report = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"][0]["code"], "syntax-error");
    let pushed = c
        .next_notification(
            "textDocument/publishDiagnostics",
            Duration::from_millis(300),
        )
        .await;
    assert_eq!(pushed, None, "no push for a pulling client");
    // Unknown documents: an empty report.
    let report = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": "file:///nope/quant_config.json"}}),
        )
        .await
        .unwrap();
    assert_eq!(report["items"], json!([]));
}

#[tokio::test]
async fn settings_from_initialization_options() {
    // Wrapped form, switching a code off.
    let mut c = Client::new();
    c.initialize(
        json!({"initializationOptions": {"qcls": {"diagnostics": {"syntax-error": "off"}}}}),
    )
    .await;
    c.open(URI, BROKEN).await;
    assert_eq!(c.diagnostics(URI, Some(1)).await["diagnostics"], json!([]));

    // Inner form, changing a severity.
    let mut c = Client::new();
    c.initialize(json!({"initializationOptions": {"diagnostics": {"syntax-error": "warning"}}}))
        .await;
    c.open(URI, BROKEN).await;
    assert_eq!(severities(&c.diagnostics(URI, Some(1)).await), [2]);
}

#[tokio::test]
async fn settings_from_did_change_configuration() {
    let mut c = Client::new();
    c.initialize(json!({})).await;
    c.open(URI, BROKEN).await;
    assert_eq!(severities(&c.diagnostics(URI, Some(1)).await), [1]);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"qcls": {"diagnostics": {"syntax-error": "hint"}}}}),
    )
    .await;
    diagnostics_until(&mut c, URI, |d| severities(d) == [4]).await;
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"qcls": {"diagnostics": {"syntax-error": "off"}}}}),
    )
    .await;
    diagnostics_until(&mut c, URI, |d| d["diagnostics"] == json!([])).await;
}

#[tokio::test]
async fn messages_follow_the_locale_setting_and_the_client_locale() {
    const INVALID: &str = "{\"model_config\": {\"all_node_type\": \"int32\"}}";
    let message = |d: &Value| {
        d["diagnostics"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    // The client's locale picks the language; the setting wins over it.
    let mut c = Client::new();
    c.initialize(json!({"locale": "zh-CN"})).await;
    c.open(URI, INVALID).await;
    let d = c.diagnostics(URI, Some(1)).await;
    assert!(
        message(&d).starts_with("\"int32\" 在配置档 nash (default) 下不是有效的 all_node_type"),
        "{d}"
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"qcls": {"locale": "en"}}}),
    )
    .await;
    let d = diagnostics_until(&mut c, URI, |d| message(d).contains("is not a valid")).await;
    assert!(
        message(&d).starts_with("\"int32\" is not a valid all_node_type with profile nash"),
        "{d}"
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"qcls": {"locale": "zh-CN"}}}),
    )
    .await;
    diagnostics_until(&mut c, URI, |d| message(d).contains("不是有效的")).await;
}

#[tokio::test]
async fn a_document_with_too_many_diagnostics_gets_the_most_severe_and_a_note() {
    // 1,500 misspelled keys (errors) at the top, one invalid value (an error) at the end.
    let mut text = String::from("{\"model_config\": {");
    for i in 0..1_500 {
        text.push_str(&format!("\"typo_{i}\": 1, "));
    }
    text.push_str("\"all_node_type\": \"int32\"}}");
    let mut c = Client::new();
    c.initialize(json!({})).await;
    c.open(URI, &text).await;
    let d = c.diagnostics(URI, Some(1)).await;
    let list = d["diagnostics"].as_array().unwrap();
    assert_eq!(list.len(), 1_001);
    assert_eq!(list[0]["code"], "too-many-diagnostics");
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap()
            .contains("1000 of the 1501"),
        "{}",
        list[0]
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"qcls": {"maxDiagnostics": 2_000}}}),
    )
    .await;
    let d = diagnostics_until(&mut c, URI, |d| {
        d["diagnostics"].as_array().unwrap().len() == 1_501
    })
    .await;
    assert!(d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["code"] != "too-many-diagnostics"));
}

#[tokio::test]
async fn a_document_over_the_size_limit_is_not_analysed_and_the_user_is_told_once() {
    let mut c = Client::new();
    c.initialize(json!({})).await;
    let mut big = String::from("{\"model_config\": {\"all_node_type\": \"int32\"}, \"x\": \"");
    big.push_str(&"a".repeat(qcls::analysis::MAX_DOCUMENT_BYTES));
    big.push_str("\"}");
    c.open(URI, &big).await;
    let shown = c.shown_message(TIMEOUT).await;
    assert!(
        shown.contains("qcls analyses documents up to 16 MB"),
        "{shown}"
    );
    let hover = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 3}}),
        )
        .await
        .unwrap();
    assert_eq!(hover, Value::Null);
    // Back under the limit: analysed again.
    c.change(
        URI,
        2,
        json!([{"text": "{\"model_config\": {\"all_node_type\": \"int32\"}}"}]),
    )
    .await;
    let d = diagnostics_until(&mut c, URI, |d| {
        !d["diagnostics"].as_array().unwrap().is_empty()
    })
    .await;
    assert_eq!(d["diagnostics"][0]["code"], "invalid-value");
}

#[tokio::test]
async fn settings_from_workspace_configuration() {
    let mut c = Client::new();
    *c.configuration.lock().unwrap() = json!({"diagnostics": {"syntax-error": "information"}});
    c.initialize(json!({"capabilities": {"workspace": {"configuration": true}}}))
        .await;
    let asked = c
        .next_notification("workspace/configuration", TIMEOUT)
        .await
        .expect("the server asks for its settings");
    assert_eq!(asked["items"][0]["section"], "qcls");
    c.open(URI, BROKEN).await;
    diagnostics_until(&mut c, URI, |d| severities(d) == [3]).await;

    // A change notification without settings makes the server ask again.
    *c.configuration.lock().unwrap() = json!({"diagnostics": {"syntax-error": "off"}});
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    )
    .await;
    c.next_notification("workspace/configuration", TIMEOUT)
        .await
        .expect("asked again");
    diagnostics_until(&mut c, URI, |d| d["diagnostics"] == json!([])).await;
}

#[tokio::test]
async fn malformed_settings_warn_and_keep_defaults() {
    let mut c = Client::new();
    c.initialize(json!({"initializationOptions": {"qcls": {"model": 5, "diagnostics": {"no-such-code": "off", "syntax-error": "loud"}}}}))
        .await;
    let msg = c
        .next_notification("window/showMessage", TIMEOUT)
        .await
        .expect("a warning");
    assert_eq!(msg["type"], 2);
    assert!(
        msg["message"].as_str().unwrap().contains("no-such-code"),
        "{msg}"
    );
    c.open(URI, BROKEN).await;
    assert_eq!(severities(&c.diagnostics(URI, Some(1)).await), [1]);
}

/// Builds the final document by typing one character at a time, in a scrambled order, at
/// positions computed in UTF-16; the edits go through the service 4 at a time, as the stdio
/// transport runs them. The server's text and last diagnostics must match the final text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_under_fast_typing() {
    let target: String = format!(
        "{{\n  // réglage 😀\n  \"model_config\": {{\"all_node_type\": \"int16\",}},\n  \"node_config\": {{\n{}  }}\n}}\n",
        (0..16)
            .map(|i| format!("    \"/b{i}/conv\": {{\"input1\": \"ec\"}},\n"))
            .collect::<String>()
    );
    let chars: Vec<char> = target.chars().collect();
    let n = chars.len();
    assert!(n >= 500, "{n} chars");
    let n = 500;
    // The first `chars.len() - 500` characters are opened, the other 500 typed.
    let base = chars.len() - n;
    // A fixed scramble of the typed characters: stride through them.
    let order: Vec<usize> = (0..n).map(|i| base + (i * 7919) % n).collect();
    let mut inserted = vec![false; chars.len()];
    inserted[..base].iter_mut().for_each(|b| *b = true);

    let mut c = Client::new();
    c.initialize(json!({})).await;
    let initial: String = chars[..base].iter().collect();
    c.open(URI, &initial).await;

    let mut requests = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        let current: String = chars
            .iter()
            .zip(&inserted)
            .take(i)
            .filter(|(_, &b)| b)
            .map(|(ch, _)| *ch)
            .collect();
        let whole: String = chars
            .iter()
            .zip(&inserted)
            .filter(|(_, &b)| b)
            .map(|(ch, _)| *ch)
            .collect();
        let (line, character) = utf16_pos(&whole, current.len());
        inserted[i] = true;
        let params = json!({
            "textDocument": {"uri": URI, "version": 2 + k as i64},
            "contentChanges": [{"range": {"start": pos(line, character), "end": pos(line, character)}, "text": chars[i].to_string()}],
        });
        requests.push(
            Request::build("textDocument/didChange")
                .params(params)
                .finish(),
        );
    }
    let last_version = 1 + n as i64;
    let svc = c.service.ready().await.unwrap();
    let futures: Vec<_> = requests.into_iter().map(|r| svc.call(r)).collect();
    let results: Vec<_> = futures::stream::iter(futures)
        .buffer_unordered(4)
        .collect()
        .await;
    assert!(results.iter().all(|r| matches!(r, Ok(None))));

    let (version, text) = c.server_text(URI).unwrap();
    assert_eq!(version as i64, last_version);
    assert_eq!(text, target);

    let d = c.diagnostics(URI, Some(last_version)).await;
    let expected: Vec<Value> = {
        let parse = qcls::syntax::parse(&target);
        let diags = qcls::analysis::check(&target, &parse, &Default::default());
        diags
            .iter()
            .map(|d| {
                let (sl, sc) = utf16_pos(&target, d.range.start);
                let (el, ec) = utf16_pos(&target, d.range.end);
                json!({"code": d.code.as_str(), "range": {"start": pos(sl, sc), "end": pos(el, ec)}})
            })
            .collect()
    };
    assert!(!expected.is_empty());
    let got: Vec<Value> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| json!({"code": x["code"], "range": x["range"]}))
        .collect();
    assert_eq!(got, expected);
    // Nothing older arrives after the last version.
    c.clear_backlog();
    let later = c
        .next_notification(
            "textDocument/publishDiagnostics",
            Duration::from_millis(300),
        )
        .await;
    if let Some(later) = later {
        assert_eq!(later["version"], last_version);
    }
}

/// The command line and the editor build the same pairing result and word it in one place:
/// a broken or missing model reads the same in both.
#[tokio::test]
async fn model_problems_read_the_same_in_the_editor_and_on_the_command_line() {
    for (model_bytes, code) in [
        (Some(&b"\x0a\xff\xff"[..]), "model-unreadable"),
        (None, "model-not-found"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = "// qcls-model: m.onnx\n{\"node_config\": {\"/a\": {\"qtype\": \"int16\"}}}\n";
        let config = dir.path().join("quant_config.json");
        std::fs::write(&config, text).unwrap();
        if let Some(bytes) = model_bytes {
            std::fs::write(dir.path().join("m.onnx"), bytes).unwrap();
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_qcls"))
            .args(["check", "--format", "json", "quant_config.json"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
        let cli_message = cli["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("{cli:#}"))["message"]
            .as_str()
            .unwrap()
            .to_string();

        let uri = format!("file://{}", config.display());
        let mut c = Client::new();
        c.initialize(json!({"capabilities": {}})).await;
        c.open(&uri, text).await;
        let published = c.diagnostics(&uri, Some(1)).await;
        let editor = published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("{published:#}"))["message"]
            .as_str()
            .unwrap()
            .to_string();
        // The CLI ran in the folder (relative paths), the server has absolute ones.
        let absolute = dir.path().join("m.onnx").display().to_string();
        assert_eq!(
            editor.replace(&absolute, "m.onnx"),
            cli_message.replace(&absolute, "m.onnx")
        );
    }
}
