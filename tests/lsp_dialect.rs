//! The toolchain profile over LSP: chosen by the `qcls.march`/`qcls.toolchain` settings, the
//! `// qcls-march:` directive or the hb_compile YAML that names the config, and named in the
//! diagnostics and the code lens.

mod lsp_support;

use lsp_support::Client;
use serde_json::{json, Value};

const CONFIG: &str = "{\n  \"op_config\": {\"Conv\": {\"qtype\": \"float16\"}, \"MatMul\": {\"qtype\": \"int16-ec\"}}\n}\n";

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .filter(|c| c != "model-not-found")
        .collect()
}

/// The messages of the `invalid-value` diagnostics.
fn messages(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "invalid-value")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

async fn lens_title(c: &mut Client, uri: &str) -> String {
    let lens = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    lens[0]["command"]["title"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn settings_choose_the_profile_and_a_change_rechecks() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("file://{}/quant_config.json", dir.path().display());
    let mut c = Client::new();
    c.initialize(
        json!({"capabilities": {}, "initializationOptions": {"qcls": {"march": "bayes-e"}}}),
    )
    .await;
    c.open(&uri, CONFIG).await;
    let published = c.diagnostics(&uri, Some(1)).await;
    // float16 is not supported on bayes; int16-ec needs hmct 2.8.
    assert_eq!(codes(&published), ["invalid-value", "invalid-value"]);
    assert!(
        messages(&published)[0].contains("Unsupported datatype settings for march bayes"),
        "{published:#}"
    );
    let title = lens_title(&mut c, &uri).await;
    assert!(
        title.contains("profile bayes (march bayes-e from the qcls.march setting)"),
        "{title}"
    );

    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"qcls": {"toolchain": "hmct-2.8"}}}),
    )
    .await;
    let published = c.diagnostics(&uri, Some(1)).await;
    assert!(codes(&published).is_empty(), "{published:#}");
    assert!(lens_title(&mut c, &uri).await.contains("profile hmct-2.8"));
}

#[tokio::test]
async fn the_march_directive_wins_over_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("file://{}/quant_config.json", dir.path().display());
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}, "initializationOptions": {"march": "nash-e"}}))
        .await;
    let text = format!("/* qcls-march: bayes-e */\n{CONFIG}");
    c.open(&uri, &text).await;
    let published = c.diagnostics(&uri, Some(1)).await;
    assert!(
        messages(&published)[0].contains("march bayes-e from the `// qcls-march:` comment"),
        "{published:#}"
    );
}

#[tokio::test]
async fn the_naming_yaml_gives_its_march() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.yaml"),
        "model_parameters:\n  onnx_model: m.onnx\n  march: bayes-e\ncalibration_parameters:\n  quant_config: ./qc.json\n",
    )
    .unwrap();
    let config = dir.path().join("qc.json");
    std::fs::write(&config, CONFIG).unwrap();
    let uri = format!("file://{}", config.display());
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    c.open(&uri, CONFIG).await;
    let published = c.diagnostics(&uri, Some(1)).await;
    let first = &messages(&published)[0];
    assert!(
        first.contains("profile bayes (march bayes-e from "),
        "{first}"
    );
    assert!(first.contains("config.yaml"), "{first}");
}
