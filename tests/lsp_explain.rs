//! `qcls/explain`: the effective precision of the open document's current text, paired as its
//! diagnostics are; what the editors' "Show effective precision" shows.

mod lsp_support;

use lsp_support::Client;
use serde_json::{json, Value};

fn project() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/resnet18/optimized_float_model.onnx");
    std::fs::create_dir(dir.path().join("build")).unwrap();
    std::fs::copy(model, dir.path().join("build/optimized_float_model.onnx")).unwrap();
    let config = dir.path().join("quant_config.json");
    let saved = "/* qcls-model: build/optimized_float_model.onnx */\n{}\n";
    std::fs::write(&config, saved).unwrap();
    (dir, format!("file://{}", config.display()))
}

fn precision_of(explained: &Value, node: &str, input: usize) -> String {
    let node = explained["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == node)
        .unwrap_or_else(|| panic!("{node} in {explained:#}"));
    node["inputs"][input]["precision"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn explains_the_unsaved_text_with_the_diagnostics_pairing() {
    let (_dir, uri) = project();
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    // The editor's text differs from the file on disk: the block-comment directive is only
    // in the saved file's first line too, and the node entry exists only in the editor.
    let text = "/* qcls-model: build/optimized_float_model.onnx */\n{\"node_config\": {\"/conv1/Conv\": {\"qtype\": \"int16\"}}}\n";
    c.open(&uri, text).await;
    c.diagnostics(&uri, Some(1)).await;
    let explained = c
        .request("qcls/explain", json!({"textDocument": {"uri": uri}}))
        .await
        .unwrap();
    assert_eq!(precision_of(&explained, "/conv1/Conv", 0), "int16");
    assert_eq!(precision_of(&explained, "/relu/Relu", 0), "int8");
    assert!(explained["model"]["path"]
        .as_str()
        .unwrap()
        .ends_with("build/optimized_float_model.onnx"));
    assert_eq!(explained["profile"]["name"], "nash");
    let summary = explained["summary"].as_str().unwrap();
    assert!(summary.contains("profile nash (default)"), "{summary}");
    // The code lens says the same.
    let lens = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    assert_eq!(lens[0]["command"]["title"], summary);

    // Typing changes the answer before anything is saved.
    c.change(
        &uri,
        2,
        json!([{"text": "/* qcls-model: build/optimized_float_model.onnx */\n{\"model_config\": {\"all_node_type\": \"float16\"}}\n"}]),
    )
    .await;
    let explained = c
        .request(
            "qcls/explain",
            json!({"textDocument": {"uri": uri}, "onlyOverridden": false}),
        )
        .await
        .unwrap();
    assert_eq!(precision_of(&explained, "/relu/Relu", 0), "float16");
}

#[tokio::test]
async fn without_a_model_it_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("file://{}/quant_config.json", dir.path().display());
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    c.open(&uri, "// qcls-model: missing.onnx\n{}\n").await;
    let explained = c
        .request("qcls/explain", json!({"textDocument": {"uri": uri}}))
        .await
        .unwrap();
    let problem = explained["problem"].as_str().unwrap();
    assert!(problem.contains("does not exist"), "{problem}");
    assert_eq!(explained["nodes"], json!([]));
    // Documents that are not quant_configs get nothing.
    let other = format!("file://{}/package.json", dir.path().display());
    c.open(&other, "{\"name\": \"x\"}").await;
    let nothing = c
        .request("qcls/explain", json!({"textDocument": {"uri": other}}))
        .await
        .unwrap();
    assert!(nothing.is_null());
}
