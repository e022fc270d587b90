//! `qcls/precisionMap`: the precision map of the open document's current text, paired as its
//! diagnostics are; what VS Code's "Show precision map" draws and redraws as the user types.

mod lsp_support;

use lsp_support::Client;
use serde_json::{json, Value};

fn project() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/resnet18/optimized_float_model.onnx");
    std::fs::copy(model, dir.path().join("optimized_float_model.onnx")).unwrap();
    let config = dir.path().join("quant_config.json");
    std::fs::write(&config, "{}\n").unwrap();
    (dir, format!("file://{}", config.display()))
}

/// The class key of the node named `name` in the map's data.
fn class_of(data: &Value, name: &str) -> String {
    let names = data["nodes"]["name"].as_array().unwrap();
    let groups = &data["groups"]["name"];
    let index = (0..names.len())
        .find(|&v| {
            let g = data["nodes"]["g"][v].as_u64().unwrap() as usize;
            let rel = names[v].as_str().unwrap();
            let full = if g == 0 {
                rel.to_string()
            } else {
                format!("{}/{rel}", groups[g].as_str().unwrap())
            };
            full == name
        })
        .unwrap_or_else(|| panic!("{name} not in the map"));
    let class = data["nodes"]["cls"][index].as_u64().unwrap() as usize;
    data["classes"][class]["key"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn maps_the_unsaved_text_and_follows_edits() {
    let (_dir, uri) = project();
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    let text = "{\n  \"node_config\": {\n    \"/conv1/Conv\": {\"qtype\": \"int16\"}\n  }\n}\n";
    c.open(&uri, text).await;
    c.diagnostics(&uri, Some(1)).await;
    let map = c
        .request("qcls/precisionMap", json!({"textDocument": {"uri": uri}}))
        .await
        .unwrap();
    assert_eq!(map["title"], "quant_config.json");
    assert!(map["summary"].as_str().unwrap().contains("49 nodes"));
    assert!(map.get("html").is_none());
    let data = &map["data"];
    assert_eq!(data["version"], 1);
    assert_eq!(class_of(data, "/conv1/Conv"), "int16");
    assert_eq!(class_of(data, "/relu/Relu"), "int8");
    // int16 into int8: one boundary.
    assert_eq!(data["boundaries"], 1);
    // The entry's line (1-based) for "reveal", and where a new one goes.
    assert!(data["nodes"]["entry"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e[1] == 3));
    assert_eq!(
        map["insert"],
        json!({"position": {"line": 2, "character": 37}, "before": ",\n    ", "after": ""})
    );
    assert_eq!(
        map["qtypes"],
        json!(["int8", "int16", "float16", "float32"])
    );

    // Typing changes the map before anything is saved.
    c.change(
        &uri,
        2,
        json!([{"text": "{\"model_config\": {\"all_node_type\": \"float16\"}}\n"}]),
    )
    .await;
    let map = c
        .request(
            "qcls/precisionMap",
            json!({"textDocument": {"uri": uri}, "html": true}),
        )
        .await
        .unwrap();
    let page = map["html"].as_str().unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("float16"));
    assert!(map.get("data").is_none());
    // No node_config yet: it is added after the last key.
    assert_eq!(map["insert"]["position"]["line"], 0);
    assert!(map["insert"]["before"]
        .as_str()
        .unwrap()
        .contains("\"node_config\": {"));
}

#[tokio::test]
async fn without_a_model_says_why_and_unserved_documents_get_null() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("file://{}/quant_config.json", dir.path().display());
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    c.open(&uri, "{\"node_config\": {\"a\": {\"qtype\": \"int16\"}}}")
        .await;
    let map = c
        .request("qcls/precisionMap", json!({"textDocument": {"uri": uri}}))
        .await
        .unwrap();
    assert!(
        map["problem"]
            .as_str()
            .unwrap()
            .contains("no model is paired"),
        "{map}"
    );
    assert!(map.get("data").is_none());

    let other = format!("file://{}/package.json", dir.path().display());
    c.open(&other, "{\"name\": \"x\"}").await;
    let map = c
        .request("qcls/precisionMap", json!({"textDocument": {"uri": other}}))
        .await
        .unwrap();
    assert_eq!(map, Value::Null);

    // Malformed params are an error, not a crash.
    let err = c
        .request("qcls/precisionMap", json!({"textDocument": 3}))
        .await
        .unwrap_err();
    assert!(err.to_string().to_lowercase().contains("param"), "{err}");
}
