//! hb_compile YAML over LSP: the quant_config written inside it is checked and hovered with
//! ranges in the YAML text, the YAML's own keys are checked and documented, the files it names
//! are links, and YAML that is no hb_compile config gets nothing.

mod lsp_support;

use lsp_support::{utf16_pos, Client};
use serde_json::{json, Value};

const YAML: &str = "model_parameters:\n  march: nash-e\n  working_dir: ./model_output\n  output_model_file_prefix: resnet18\n  node_info: {\"/relu/Relu\": {'ON': 'CPU'}}\ncalibration_parameters:\n  calibration_typo: default\n  quant_config:\n    op_config:\n      softmax: {qtype: int32}\n    node_config:\n      /conv1/Conv: {input0: ec}\n";

fn project() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/resnet18/optimized_float_model.onnx");
    std::fs::create_dir(dir.path().join("model_output")).unwrap();
    std::fs::copy(
        model,
        dir.path()
            .join("model_output/resnet18_optimized_float_model.onnx"),
    )
    .unwrap();
    let yaml = dir.path().join("config.yaml");
    std::fs::write(&yaml, YAML).unwrap();
    (dir, format!("file://{}", yaml.display()))
}

fn at(text: &str, needle: &str) -> Value {
    let (line, character) = utf16_pos(text, text.find(needle).unwrap() + 1);
    json!({"line": line, "character": character})
}

fn token(text: &str, d: &Value) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let (s, e) = (&d["range"]["start"], &d["range"]["end"]);
    assert_eq!(s["line"], e["line"]);
    let line = lines[s["line"].as_u64().unwrap() as usize];
    line[s["character"].as_u64().unwrap() as usize..e["character"].as_u64().unwrap() as usize]
        .to_string()
}

async fn hover_at(c: &mut Client, uri: &str, position: Value) -> Value {
    c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position}),
    )
    .await
    .unwrap()
}

async fn completion_labels(c: &mut Client, uri: &str, position: Value) -> Vec<String> {
    let items = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position}),
        )
        .await
        .unwrap();
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_yaml_and_its_inline_quant_config_are_checked_with_yaml_ranges() {
    let (_dir, uri) = project();
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    c.open(&uri, YAML).await;
    let published = c.diagnostics(&uri, Some(1)).await;
    let found: Vec<(String, String)> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), token(YAML, d)))
        .collect();
    let has = |code: &str, text: &str| found.iter().any(|(c, t)| c == code && t == text);
    assert!(has("unknown-key", "calibration_typo"), "{found:?}");
    assert!(has("unknown-op-type", "softmax"), "{found:?}");
    assert!(has("invalid-value", "int32"), "{found:?}");
    assert!(has("ec-wrong-input", "ec"), "{found:?}");
    let invalid = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "invalid-value")
        .unwrap();
    assert!(invalid["message"]
        .as_str()
        .unwrap()
        .contains("march nash-e from"));

    // Hover on a node of the inline config: the YAML's node_info decides above everything.
    let hover = hover_at(&mut c, &uri, at(YAML, "/conv1/Conv")).await;
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("/conv1/Conv") && md.contains("Conv node"),
        "{md}"
    );
    // Hover on a node named in node_info: its table, the YAML's ON: CPU deciding (float32).
    let hover = hover_at(&mut c, &uri, at(YAML, "/relu/Relu")).await;
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("float32") && md.contains("model_parameters.node_info./relu/Relu.ON (line 5)"),
        "{md}"
    );
    // Hover on a YAML key: its documentation.
    let hover = hover_at(&mut c, &uri, at(YAML, "output_model_file_prefix")).await;
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("output_model_file_prefix"));

    // The explanation follows node_info: /relu/Relu is float32, decided on line 5.
    let explained = c
        .request("qcls/explain", json!({"textDocument": {"uri": uri}}))
        .await
        .unwrap();
    let relu = explained["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "/relu/Relu")
        .unwrap();
    assert_eq!(relu["inputs"][0]["precision"], "float32");
    assert_eq!(relu["inputs"][0]["source"]["line"], 4);

    // No JSON formatting of a YAML.
    let formatted = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .await
        .unwrap();
    assert!(formatted.is_null() || formatted.as_array().is_some_and(|a| a.is_empty()));
}

#[tokio::test]
async fn a_quant_config_path_is_a_link_or_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("qc.json"), "{}").unwrap();
    let text = "calibration_parameters:\n  quant_config: 'qc.json'\n  cal_data_dir: ./missing\n";
    let yaml = dir.path().join("config.yaml");
    std::fs::write(&yaml, text).unwrap();
    let uri = format!("file://{}", yaml.display());
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    c.open(&uri, text).await;
    let published = c.diagnostics(&uri, Some(1)).await;
    let missing: Vec<(&str, i64)> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "file-not-found")
        .map(|d| {
            (
                d["message"].as_str().unwrap(),
                d["severity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(missing.len(), 1, "{published:#}");
    assert!(missing[0].0.contains("cal_data_dir"));
    assert_eq!(missing[0].1, 2, "a warning");
    let links = c
        .request(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 1, "{links:#?}");
    assert!(links[0]["target"].as_str().unwrap().ends_with("/qc.json"));
    // The link covers the path without its quotes.
    assert_eq!(
        links[0]["range"]["start"],
        json!({"line": 1, "character": 17})
    );
    assert_eq!(
        links[0]["range"]["end"],
        json!({"line": 1, "character": 24})
    );
}

#[tokio::test]
async fn other_yaml_gets_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("file://{}/ci.yaml", dir.path().display());
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    let text = "jobs:\n  build: {runs-on: x}\n";
    c.open(&uri, text).await;
    let hover = hover_at(&mut c, &uri, at(text, "build")).await;
    assert!(hover.is_null());
    let links = c
        .request(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    assert!(links.is_null() || links.as_array().is_some_and(|a| a.is_empty()));
}

/// Completion in the quant_config written as a flow mapping, also while the YAML around it is
/// broken (the user is typing).
#[tokio::test]
async fn completion_in_the_inline_config_while_typing() {
    let (_dir, uri) = project();
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    let text = "model_parameters:\n  march: nash-e\n  working_dir: ./model_output\n  output_model_file_prefix: resnet18\ncalibration_parameters:\n  quant_config: {\"node_config\": {\"/layer1/layer1.0/conv1/C";
    c.open(&uri, text).await;
    let published = c.diagnostics(&uri, Some(1)).await;
    assert_eq!(published["diagnostics"][0]["code"], "syntax-error");
    let end = {
        let (line, character) = utf16_pos(text, text.len());
        json!({"line": line, "character": character})
    };
    let labels = completion_labels(&mut c, &uri, end).await;
    assert!(
        labels.iter().any(|l| l == "/layer1/layer1.0/conv1/Conv"),
        "{labels:?}"
    );
    // Values follow the YAML's march.
    let text = "model_parameters:\n  march: bayes-e\ncalibration_parameters:\n  quant_config: {\"op_config\": {\"Conv\": {\"qtype\": \"";
    c.change(&uri, 2, json!([{"text": text}])).await;
    let (line, character) = utf16_pos(text, text.len());
    let labels =
        completion_labels(&mut c, &uri, json!({"line": line, "character": character})).await;
    assert_eq!(labels, ["int8", "int16", "float32"], "bayes has no float16");
    // The YAML's own lists of node names complete from the model the YAML names.
    let text = "model_parameters:\n  working_dir: ./model_output\n  output_model_file_prefix: resnet18\ncalibration_parameters:\n  run_on_cpu: /conv1/Conv;/layer4/layer4.1/re";
    c.change(&uri, 3, json!([{"text": text}])).await;
    let (line, character) = utf16_pos(text, text.len());
    let labels =
        completion_labels(&mut c, &uri, json!({"line": line, "character": character})).await;
    assert!(
        labels.iter().any(|l| l == "/layer4/layer4.1/relu/Relu"),
        "{labels:?}"
    );
}

/// Editing the quant_config written inside a YAML re-parses the edited member in place and
/// checks it from the last check: what is published must be what a fresh server says of the
/// same text, edit after edit (inside an entry, across entries, outside the config).
#[tokio::test]
async fn edits_of_the_inline_config_give_what_a_fresh_check_gives() {
    let (_dir, uri) = project();
    let base = "model_parameters:\n  march: nash-e\n  working_dir: ./model_output\n  output_model_file_prefix: resnet18\ncalibration_parameters:\n  quant_config: {\n    \"model_config\": {\"all_node_type\": \"int16\"},\n    \"node_config\": {\n      \"/conv1/Conv\": {\"qtype\": \"int16\"}, \"/relu/Relu\": {\"qtype\": \"float16\"},\n      \"/maxpool/MaxPool\": {\"input0\": \"ec\"},\n    },\n  }\n";
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    c.open(&uri, base).await;
    c.diagnostics(&uri, Some(1)).await;
    let mut text = base.to_string();
    let edits: [(&str, &str); 5] = [
        (
            "\"qtype\": \"int16\"}, \"/relu",
            "\"qtype\": \"int32\"}, \"/relu",
        ),
        ("\"/relu/Relu\"", "\"/relu/Relux\""),
        ("\"input0\": \"ec\"", "\"input1\": \"ec\""),
        ("march: nash-e", "march: bayes-e"),
        (
            "\"/relu/Relux\": {\"qtype\": \"float16\"}",
            "\"/relu/Relux\": {\"qtype\": \"float16\", \"input0\": \"int8\"}",
        ),
    ];
    for (version, (from, to)) in edits.iter().enumerate() {
        let version = version as i64 + 2;
        let at = text.find(from).expect("edit target");
        let (l1, c1) = utf16_pos(&text, at);
        let (l2, c2) = utf16_pos(&text, at + from.len());
        text.replace_range(at..at + from.len(), to);
        c.change(
            &uri,
            version as i32,
            json!([{"range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}, "text": to}]),
        )
        .await;
        let incremental = c.diagnostics(&uri, Some(version)).await;
        let mut fresh = Client::new();
        fresh.initialize(json!({"capabilities": {}})).await;
        fresh.open(&uri, &text).await;
        let full = fresh.diagnostics(&uri, Some(1)).await;
        assert_eq!(
            incremental["diagnostics"], full["diagnostics"],
            "after edit {version}: {text}"
        );
    }
}

/// Quick fixes in the inline config are written as the YAML writes it: a bare key stays bare.
#[tokio::test]
async fn quick_fixes_in_the_inline_config_keep_the_yaml_style() {
    let (_dir, uri) = project();
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}})).await;
    c.open(&uri, YAML).await;
    c.diagnostics(&uri, Some(1)).await;
    let p = at(YAML, "input0: ec");
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
    let edits = &fix["edit"]["changes"][&uri];
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{edits:#?}");
    assert_eq!(edits[0]["newText"], "input1");
    let (line, character) = utf16_pos(YAML, YAML.find("input0: ec").unwrap());
    let start = json!({"line": line, "character": character});
    assert_eq!(edits[0]["range"]["start"], start);
    // Removing the only member of the flow entry leaves `{}`.
    let remove = actions
        .iter()
        .find(|a| a["title"] == "Remove `ec`")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let edit = &remove["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "");
    assert_eq!(edit["range"]["start"], start);
}
