//! Editor features that need the paired model: completion of op types, node names, tensors and
//! `ec`; hover on node names and op types; inlay hints. Each test puts a config beside a copy
//! of a fixture model (or a synthetic one) in a temporary folder.

mod lsp_support;

use std::path::Path;

use lsp_support::{cursor, Client};
use serde_json::{json, Value};

struct Workspace {
    _dir: tempfile::TempDir,
    uri: String,
    client: Client,
    version: i32,
}

impl Workspace {
    /// A config beside `model` (a fixture name) or a synthetic model of `synthetic` nodes, opened
    /// and analysed once, so that the model is loaded.
    async fn new(fixture: Option<&str>, synthetic: usize, text: &str) -> (Workspace, Vec<String>) {
        Workspace::new_in("Visual Studio Code", fixture, synthetic, text).await
    }

    /// [`Workspace::new`] for the client named `client` (its `clientInfo.name`).
    async fn new_in(
        client: &str,
        fixture: Option<&str>,
        synthetic: usize,
        text: &str,
    ) -> (Workspace, Vec<String>) {
        let client_name = client;
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("optimized_float_model.onnx");
        let names = match fixture {
            Some(name) => {
                let src = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/models")
                    .join(name)
                    .join("optimized_float_model.onnx");
                std::fs::copy(src, &model).unwrap();
                Vec::new()
            }
            None => qcls::model::synth::write_synthetic_model(&model, synthetic, 0).unwrap(),
        };
        let config = dir.path().join("quant_config.json");
        std::fs::write(&config, text).unwrap();
        let uri = format!("file://{}", config.display());
        let mut client = Client::new();
        let init = client
            .initialize(json!({
                "clientInfo": {"name": client_name},
                "capabilities": {"textDocument": {
                    "hover": {"contentFormat": ["markdown"]},
                    "completion": {"completionItem": {"documentationFormat": ["markdown"]}}
                }}
            }))
            .await;
        assert_eq!(init["capabilities"]["inlayHintProvider"], true, "{init}");
        client.open(&uri, text).await;
        client.diagnostics(&uri, Some(1)).await;
        (
            Workspace {
                _dir: dir,
                uri,
                client,
                version: 1,
            },
            names,
        )
    }

    /// Replaces the text with the fixture and asks at its `$0`.
    async fn ask(&mut self, method: &str, fixture: &str) -> Value {
        let (text, position) = cursor(fixture);
        self.version += 1;
        self.client
            .change(&self.uri, self.version, json!([{"text": text}]))
            .await;
        self.client
            .request(
                method,
                json!({"textDocument": {"uri": self.uri}, "position": position}),
            )
            .await
            .unwrap()
    }
}

fn items(r: &Value) -> &Vec<Value> {
    r["items"].as_array().expect("a completion list")
}

fn find<'a>(r: &'a Value, label: &str) -> Option<&'a Value> {
    items(r).iter().find(|i| i["label"] == label)
}

fn labels(r: &Value) -> Vec<&str> {
    items(r)
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn completion_from_the_model() {
    let (mut w, _) = Workspace::new(Some("resnet18"), 0, "{}").await;

    // Node names with their op type, replacing the whole string token.
    let r = w
        .ask(
            "textDocument/completion",
            "{\n  \"node_config\": {\n    \"/layer1/lay$0\"\n  }\n}",
        )
        .await;
    assert_eq!(r["isIncomplete"], false);
    let it = find(&r, "/layer1/layer1.0/conv1/Conv").expect("node offered");
    assert_eq!(it["detail"], "Conv");
    assert_eq!(it["filterText"], "\"/layer1/layer1.0/conv1/Conv\"");
    assert_eq!(it["textEdit"]["newText"], "\"/layer1/layer1.0/conv1/Conv\"");
    assert_eq!(
        it["textEdit"]["range"],
        json!({"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 17}})
    );

    // Op types: the model's first, with counts.
    let r = w
        .ask("textDocument/completion", "{\"op_config\": {\"$0")
        .await;
    let conv = find(&r, "Conv").unwrap();
    assert_eq!(conv["detail"], "20 nodes");
    let softmax = find(&r, "Softmax").unwrap();
    assert_eq!(softmax["detail"], "not in the model");
    assert!(conv["sortText"].as_str() < softmax["sortText"].as_str());

    // `ec` for Conv input1, not input0.
    let r = w
        .ask(
            "textDocument/completion",
            "{\"node_config\": {\"/conv1/Conv\": {\"input1\": \"$0\"}}}",
        )
        .await;
    assert!(labels(&r).contains(&"ec"), "{r}");
    let r = w
        .ask(
            "textDocument/completion",
            "{\"node_config\": {\"/conv1/Conv\": {\"input0\": \"$0",
        )
        .await;
    assert_eq!(labels(&r), ["int8", "int16", "float16", "float32"]);
}

#[tokio::test]
async fn ec_for_both_matmul_inputs() {
    let (mut w, _) = Workspace::new(Some("vit_tiny"), 0, "{}").await;
    for i in 0..2 {
        let r = w
            .ask(
                "textDocument/completion",
                &format!("{{\"node_config\": {{\"/encoder/layers/encoder_layer_0/self_attention/MatMul\": {{\"input{i}\": $0}}}}}}"),
            )
            .await;
        assert!(labels(&r).contains(&"ec"), "input{i}: {r}");
    }
}

#[tokio::test]
async fn huge_model_gives_a_bounded_list() {
    let (mut w, names) = Workspace::new(None, 100_000, "{}").await;
    assert_eq!(names.len(), 100_000);

    let r = w
        .ask("textDocument/completion", "{\"node_config\": {\"$0")
        .await;
    assert_eq!(r["isIncomplete"], true);
    let n = items(&r).len();
    assert!(n > 0 && n <= qcls::analysis::MAX_NAME_ITEMS, "{n} items");

    // A name far down the graph, found from what was typed.
    let target = &names[98_765];
    let typed = &target[..target.len() - 2];
    let r = w
        .ask(
            "textDocument/completion",
            &format!("{{\"node_config\": {{\"{typed}$0"),
        )
        .await;
    assert!(items(&r).len() <= qcls::analysis::MAX_NAME_ITEMS);
    assert!(find(&r, target).is_some(), "{target} missing");
}

const HOVER_CONFIG: &str = "{
  \"model_config\": {\"all_node_type\": \"int16\"},
  \"op_config\": {\"Conv\": {\"qtype\": \"float16\"}},
  \"node_config\": {
    \"/conv1/Conv\": {\"input1\": \"ec\"}
  }
}";

#[tokio::test]
async fn hover_on_node_and_op_type() {
    let (mut w, _) = Workspace::new(Some("resnet18"), 0, HOVER_CONFIG).await;
    let on_node = HOVER_CONFIG.replace("\"/conv1/Conv\":", "\"/conv1/Co$0nv\":");
    let h = w.ask("textDocument/hover", &on_node).await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("`Conv` node"), "{md}");
    assert!(
        md.contains("| input | tensor | precision | decided by |"),
        "{md}"
    );
    assert!(
        md.contains("| 1 | `onnx::Conv_193` (weight) | ec (int8 with error compensation) | node_config./conv1/Conv.input1 (line 5) |"),
        "{md}"
    );
    assert!(md.contains("op_config.Conv.qtype (line 3)"), "{md}");
    assert_eq!(h["range"]["start"], json!({"line": 4, "character": 4}));

    let on_op = HOVER_CONFIG.replace("\"Conv\":", "\"Co$0nv\":");
    let h = w.ask("textDocument/hover", &on_op).await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("20 `Conv` nodes; 1 of them has node_config overrides"),
        "{md}"
    );
}

#[tokio::test]
async fn hover_tables_are_aligned_text_for_clients_that_do_not_render_tables() {
    let on_node = HOVER_CONFIG.replace("\"/conv1/Conv\":", "\"/conv1/Co$0nv\":");
    for client in ["helix", "Neovim"] {
        let (mut w, _) = Workspace::new_in(client, Some("resnet18"), 0, HOVER_CONFIG).await;
        let h = w.ask("textDocument/hover", &on_node).await;
        assert_eq!(h["contents"]["kind"], "markdown");
        let md = h["contents"]["value"].as_str().unwrap();
        assert!(!md.contains("| input |"), "{client}: {md}");
        let table = md
            .split("```text\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap_or_else(|| panic!("{client}: no code block in {md}"));
        let rows: Vec<&str> = table.lines().collect();
        assert!(rows[0].starts_with("input  tensor"), "{table}");
        assert!(rows[1].starts_with("-----  ---"), "{table}");
        // Columns line up: every row's precision starts where the header's does.
        let column = rows[0].find("precision").unwrap();
        let weight = rows
            .iter()
            .find(|r| r.starts_with('1'))
            .expect("the row of input 1");
        assert_eq!(weight.find("ec (int8"), Some(column), "{table}");
        assert!(weight.contains("onnx::Conv_193 (weight)"), "{table}");
    }
}

#[tokio::test]
async fn node_documentation_is_resolved_for_clients_that_ask_for_it() {
    let text = "{\"node_config\": {\"/layer1/\"}}";
    let (mut w, _) = Workspace::new(Some("resnet18"), 0, text).await;
    let at = json!({"line": 0, "character": 24});
    let full = w
        .client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": w.uri}, "position": at}),
        )
        .await
        .unwrap();
    let expected = find(&full, "/layer1/layer1.0/conv1/Conv").unwrap()["documentation"].clone();
    assert!(
        expected["value"].as_str().unwrap().contains("inputs:"),
        "{expected}"
    );

    // A client that resolves documentation gets the list without it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/models/resnet18/optimized_float_model.onnx"),
        dir.path().join("optimized_float_model.onnx"),
    )
    .unwrap();
    let uri = format!("file://{}", dir.path().join("quant_config.json").display());
    let mut client = lsp_support::Client::new();
    let init = client
        .initialize(json!({"capabilities": {"textDocument": {
            "completion": {"completionItem": {
                "documentationFormat": ["markdown"],
                "resolveSupport": {"properties": ["documentation", "detail"]}
            }}
        }}}))
        .await;
    assert_eq!(
        init["capabilities"]["completionProvider"]["resolveProvider"],
        true
    );
    client.open(&uri, text).await;
    client.diagnostics(&uri, Some(1)).await;
    let light = client
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": at}),
        )
        .await
        .unwrap();
    let item = find(&light, "/layer1/layer1.0/conv1/Conv").unwrap().clone();
    assert!(item.get("documentation").is_none(), "{item}");
    assert_eq!(item["detail"], "Conv");
    // resnet18's documentation is short; a large model's is most of the list.
    assert!(light.to_string().len() < full.to_string().len() * 3 / 4);
    let resolved = client
        .request("completionItem/resolve", item)
        .await
        .unwrap();
    assert_eq!(resolved["documentation"], expected);
    assert_eq!(resolved["label"], "/layer1/layer1.0/conv1/Conv");
    // An item the server did not make (no data) comes back as it was.
    let foreign = json!({"label": "x"});
    assert_eq!(
        client
            .request("completionItem/resolve", foreign.clone())
            .await
            .unwrap(),
        foreign
    );
}

#[tokio::test]
async fn inlay_hints_for_a_small_config() {
    let (mut w, _) = Workspace::new(Some("resnet18"), 0, HOVER_CONFIG).await;
    let r = w
        .client
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": w.uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 7, "character": 0}}}),
        )
        .await
        .unwrap();
    let hints: Vec<(u64, u64, &str)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["position"]["character"].as_u64().unwrap(),
                h["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        hints,
        [(2, 22, "× 20"), (4, 17, ": Conv(float16, ec, float16)")]
    );
    // Only the requested lines.
    let r = w
        .client
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": w.uri}, "range": {"start": {"line": 4, "character": 0}, "end": {"line": 5, "character": 0}}}),
        )
        .await
        .unwrap();
    assert_eq!(r.as_array().unwrap().len(), 1);
}
