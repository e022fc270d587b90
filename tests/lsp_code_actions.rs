//! Quick fixes over LSP, against a config beside a real model.

mod lsp_support;

use lsp_support::{utf16_pos, Client};
use serde_json::{json, Value};

async fn client() -> Client {
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    c
}

/// A project folder with resnet18 beside the config; returns (dir, uri, text).
fn project(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/resnet18/optimized_float_model.onnx");
    std::fs::copy(model, dir.path().join("optimized_float_model.onnx")).unwrap();
    let config = dir.path().join("quant_config.json");
    std::fs::write(&config, text).unwrap();
    let uri = format!("file://{}", config.display());
    (dir, uri)
}

fn at(text: &str, needle: &str) -> Value {
    let (line, character) = utf16_pos(text, text.find(needle).unwrap() + 1);
    json!({"line": line, "character": character})
}

#[tokio::test]
async fn move_ec_is_offered_without_the_clients_diagnostics() {
    let text = "{\n  \"node_config\": {\n    \"/conv1/Conv\": {\"input0\": \"ec\"}\n  }\n}\n";
    let (_dir, uri) = project(text);
    let mut c = client().await;
    c.open(&uri, text).await;
    let published = c.diagnostics(&uri, Some(1)).await;
    assert_eq!(published["diagnostics"][0]["code"], "ec-wrong-input");
    let p = at(text, "\"ec\"");
    // The client sends no diagnostics back (as if it had lost them).
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": p, "end": p},
                   "context": {"diagnostics": []}}),
        )
        .await
        .unwrap();
    let actions = actions.as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Move `ec` to input1")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "ec-wrong-input");
    let edit = &fix["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "\"input1\"");
    assert_eq!(edit["range"]["start"], json!({"line": 2, "character": 20}));
    assert_eq!(edit["range"]["end"], json!({"line": 2, "character": 28}));
    let remove = actions
        .iter()
        .find(|a| a["title"] == "Remove `ec`")
        .unwrap();
    assert_eq!(remove["isPreferred"], false);
}

#[tokio::test]
async fn fixes_only_for_the_requested_range_and_unknown_documents_get_nothing() {
    let text = "{\n  \"op_config\": {\"relu\": {\"qtype\": \"int16\"}},\n  \"model_config\": {\"all_node_type\": \"int8\"}\n}\n";
    let (_dir, uri) = project(text);
    let mut c = client().await;
    c.open(&uri, text).await;
    c.diagnostics(&uri, Some(1)).await;
    let p = at(text, "relu");
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
        )
        .await
        .unwrap();
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Change to \"Relu\""]);
    let nothing = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": "file:///nowhere/quant_config.json"},
                   "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
        )
        .await
        .unwrap();
    assert!(nothing.is_null() || nothing.as_array().is_some_and(|a| a.is_empty()));
}

/// Neovim and Helix send the cursor (a zero-width range) and the line's diagnostics in the
/// context: the fixes of those diagnostics are offered wherever the cursor is on the line.
#[tokio::test]
async fn fixes_for_the_cursor_line_and_the_context_diagnostics() {
    let text = "{\n  \"node_config\": {\n    \"/conv1/Conv\": {\"qtype\": \"int16\", \"input0\": \"ec\"}\n  },\n  \"model_config\": {\"all_node_type\": \"int8\"}\n}\n";
    let (_dir, uri) = project(text);
    let mut c = client().await;
    c.open(&uri, text).await;
    let published = c.diagnostics(&uri, Some(1)).await;
    let diagnostics = published["diagnostics"].as_array().unwrap().clone();
    let ec = diagnostics
        .iter()
        .find(|d| d["code"] == "ec-wrong-input")
        .unwrap()
        .clone();
    let titles = |actions: &Value| -> Vec<String> {
        actions
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_string())
            .collect()
    };
    // The cursor on "input0" (not on the diagnostic's range), as Neovim sends it.
    let p = at(text, "input0");
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": p, "end": p},
                   "context": {"diagnostics": [ec]}}),
        )
        .await
        .unwrap();
    assert!(
        titles(&actions).contains(&"Move `ec` to input1".to_string()),
        "{actions:#?}"
    );
    // Helix sends no context diagnostics: the cursor's line is enough.
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": p, "end": p},
                   "context": {"diagnostics": []}}),
        )
        .await
        .unwrap();
    let on_line = titles(&actions);
    assert!(
        on_line.contains(&"Move `ec` to input1".to_string()),
        "{on_line:?}"
    );
    // Nothing of the other line.
    assert!(
        !on_line.iter().any(|t| t.contains("no effect")),
        "{on_line:?}"
    );
    // A diagnostic of another line sent in the context: its fixes come too.
    let far = at(text, "\"node_config\"");
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": far, "end": far},
                   "context": {"diagnostics": [ec]}}),
        )
        .await
        .unwrap();
    assert!(
        titles(&actions).contains(&"Move `ec` to input1".to_string()),
        "{actions:#?}"
    );
    // A diagnostic the document no longer has (stale, or another server's) gives nothing.
    let stale = json!({"range": {"start": {"line": 4, "character": 20}, "end": {"line": 4, "character": 35}},
                       "message": "old", "code": "ec-wrong-input", "source": "qcls"});
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": far, "end": far},
                   "context": {"diagnostics": [stale]}}),
        )
        .await
        .unwrap();
    assert!(titles(&actions).is_empty(), "{actions:#?}");
}
