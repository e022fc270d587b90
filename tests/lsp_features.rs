//! Editor features over LSP: symbols, folding, formatting, completion, hover, code lens.

mod lsp_support;

use lsp_support::{cursor, Client, TIMEOUT};
use serde_json::{json, Value};

const URI: &str = "file:///w/quant_config.json";

const CONFIG: &str = r#"// qcls test config
{
  "model_config": {
    "all_node_type": "int16",
    /* calibration
       settings */
    "activation": {"calibration_type": ["kl", "max"]}
  },
  "op_config": {"Softmax": {"qtype": "float16"}},
  "node_config": {
    "/b/conv": {"input1": "ec"} // weight with ec
  }
}
"#;

async fn client_with(capabilities: Value) -> Client {
    let mut c = Client::new();
    c.initialize(json!({ "capabilities": capabilities })).await;
    c
}

fn labels(items: &Value) -> Vec<String> {
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn document_symbols_nested_and_flat() {
    let mut c = client_with(
        json!({"textDocument": {"documentSymbol": {"hierarchicalDocumentSymbolSupport": true}}}),
    )
    .await;
    c.open(URI, CONFIG).await;
    let r = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    let names: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["model_config", "op_config", "node_config"]);
    let node = &r[2]["children"][0];
    assert_eq!(node["name"], "/b/conv");
    assert_eq!(
        node["selectionRange"]["start"],
        json!({"line": 10, "character": 4})
    );
    assert_eq!(r[1]["children"][0]["children"][0]["detail"], "\"float16\"");

    let mut c = client_with(json!({})).await;
    c.open(URI, CONFIG).await;
    let r = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    let flat = r.as_array().unwrap();
    assert!(flat
        .iter()
        .any(|s| s["name"] == "/b/conv" && s["containerName"] == "node_config"));
}

#[tokio::test]
async fn folding_ranges() {
    let mut c = client_with(json!({})).await;
    c.open(URI, CONFIG).await;
    let r = c
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    let folds: Vec<(u64, u64, &str)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
                f["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        folds,
        [
            (1, 11, "region"),
            (2, 6, "region"),
            (4, 5, "comment"),
            (9, 10, "region")
        ]
    );
}

/// Applies LSP text edits (sorted, non-overlapping) to a text, UTF-16 positions.
fn apply_edits(text: &str, edits: &Value) -> String {
    let mut doc = qcls::text::Document::new(text);
    let mut edits: Vec<&Value> = edits.as_array().unwrap().iter().collect();
    edits.reverse();
    for e in edits {
        let p = |v: &Value| {
            qcls::text::Position::new(
                v["line"].as_u64().unwrap() as u32,
                v["character"].as_u64().unwrap() as u32,
            )
        };
        doc.apply_change(
            Some((p(&e["range"]["start"]), p(&e["range"]["end"]))),
            e["newText"].as_str().unwrap(),
            qcls::text::PositionEncoding::Utf16,
        );
    }
    doc.text()
}

#[tokio::test]
async fn formatting_keeps_comments_and_is_idempotent() {
    let mut c = client_with(json!({})).await;
    let messy = "// head\n{\"model_config\":{\"all_node_type\":\"int16\", // why\n/* keep */\"activation\":{\"calibration_type\":[\"kl\",\"max\"]}},\n\n# legacy\n\"node_config\":{}}";
    c.open(URI, messy).await;
    let params =
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}});
    let edits = c
        .request("textDocument/formatting", params.clone())
        .await
        .unwrap();
    let formatted = apply_edits(messy, &edits);
    assert_eq!(
        formatted,
        "// head\n{\n    \"model_config\": {\n        \"all_node_type\": \"int16\", // why\n        /* keep */\n        \"activation\": {\n            \"calibration_type\": [\"kl\", \"max\"]\n        }\n    },\n\n    # legacy\n    \"node_config\": {}\n}\n"
    );
    c.change(URI, 2, json!([{"text": formatted}])).await;
    let again = c.request("textDocument/formatting", params).await.unwrap();
    assert_eq!(again, json!([]), "idempotent");

    // Tabs.
    let tabs = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": URI}, "options": {"tabSize": 8, "insertSpaces": false}}),
        )
        .await
        .unwrap();
    assert!(apply_edits(&formatted, &tabs).contains("\n\t\"model_config\""));

    // A syntax error: no edits.
    c.change(URI, 3, json!([{"text": "{\"model_config\": {,}"}]))
        .await;
    let r = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .await
        .unwrap();
    assert!(r.is_null() || r == json!([]), "{r}");
}

async fn complete(c: &mut Client, fixture: &str) -> (String, Value) {
    let (text, position) = cursor(fixture);
    c.change(URI, 100, json!([{"text": text}])).await;
    let r = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": URI}, "position": position}),
        )
        .await
        .unwrap();
    (text, r)
}

#[tokio::test]
async fn completion_of_keys_and_values() {
    let mut c = client_with(json!({})).await;
    c.open(URI, "{}").await;

    // Keys at the top, minus the present ones.
    let (_, r) = complete(&mut c, "{\n  \"$0\"\n  \"node_config\": {}\n}").await;
    assert_eq!(labels(&r), ["model_config", "op_config", "subgraph_config"]);
    let item = &r["items"][0];
    assert_eq!(item["textEdit"]["newText"], "\"model_config\"");
    assert_eq!(item["filterText"], "\"model_config\"");
    assert_eq!(
        item["textEdit"]["range"],
        json!({"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 4}})
    );

    // Nested keys in a broken document (unclosed string, no closers).
    let (_, r) = complete(
        &mut c,
        "{\n  \"model_config\": {\n    \"activation\": {\n      \"per$0",
    )
    .await;
    assert!(labels(&r).contains(&"per_channel".to_string()), "{r}");
    let item = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "per_channel")
        .unwrap();
    assert_eq!(
        item["textEdit"]["range"],
        json!({"start": {"line": 3, "character": 6}, "end": {"line": 3, "character": 10}})
    );

    // Values: enums, `ec` only in node inputs, booleans.
    let (_, r) = complete(&mut c, "{\"node_config\": {\"n\": {\"input0\": \"$0\"}}}").await;
    assert_eq!(labels(&r), ["int8", "int16", "float16", "float32", "ec"]);
    let (_, r) = complete(&mut c, "{\"op_config\": {\"Conv\": {\"qtype\": \"fl$0").await;
    assert!(!labels(&r).contains(&"ec".to_string()));
    assert_eq!(r["items"][0]["textEdit"]["newText"], "\"int8\"");
    let (_, r) = complete(
        &mut c,
        "{\"model_config\": {\"activation\": {\"asymmetric\": $0}}}",
    )
    .await;
    assert_eq!(labels(&r), ["true", "false"]);

    // Not a quant_config any more (no name match? the name matches: still served).
    let (_, r) = complete(&mut c, "{\"a\": {$0}}").await;
    assert_eq!(r["items"], json!([]));
}

#[tokio::test]
async fn hover_in_english_and_chinese() {
    let fixture = "{\"model_config\": {\"activation\": {\"max_per$0centile\": 1.0}}}";
    let (text, position) = cursor(fixture);
    let params = json!({"textDocument": {"uri": URI}, "position": position});

    let mut c =
        client_with(json!({"textDocument": {"hover": {"contentFormat": ["markdown"]}}})).await;
    c.open(URI, &text).await;
    let h = c
        .request("textDocument/hover", params.clone())
        .await
        .unwrap();
    assert_eq!(h["contents"]["kind"], "markdown");
    let en = h["contents"]["value"].as_str().unwrap();
    assert!(
        en.contains("**max_percentile**") && en.contains("Default: `1.0`"),
        "{en}"
    );
    assert_eq!(h["range"]["start"]["character"], 33);

    let mut c = Client::new();
    c.initialize(json!({"capabilities": {}, "locale": "zh-CN"}))
        .await;
    c.open(URI, &text).await;
    let h = c
        .request("textDocument/hover", params.clone())
        .await
        .unwrap();
    let zh = h["contents"]["value"].as_str().unwrap();
    assert!(zh.contains("默认值"), "{zh}");
    assert_eq!(h["contents"]["kind"], "plaintext");

    // The setting wins over the client's locale.
    let mut c = Client::new();
    c.initialize(
        json!({"capabilities": {}, "locale": "zh-CN", "initializationOptions": {"locale": "en"}}),
    )
    .await;
    c.open(URI, &text).await;
    let h = c.request("textDocument/hover", params).await.unwrap();
    assert!(h["contents"]["value"].as_str().unwrap().contains("Default"));
}

#[tokio::test]
async fn code_lens_names_the_model_and_follows_changes() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("quant_config.json");
    std::fs::write(&config, CONFIG).unwrap();
    let uri = format!("file://{}", config.display());

    let mut c = client_with(json!({})).await;
    c.open(&uri, CONFIG).await;
    c.diagnostics(&uri, Some(1)).await;
    let lens = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    let title = lens[0]["command"]["title"].as_str().unwrap();
    assert!(title.contains("no model paired"), "{title}");
    assert_eq!(lens[0]["range"]["start"]["line"], 0);

    // A model appears beside the config; the next analysis pairs it.
    let model = dir.path().join("optimized_float_model.onnx");
    qcls::model::synth::write_synthetic_model(&model, 30, 0).unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    )
    .await;
    c.diagnostics(&uri, Some(1)).await;
    let lens = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    let title = lens[0]["command"]["title"].as_str().unwrap();
    assert!(
        title.contains("optimized_float_model.onnx") && title.contains("30 nodes"),
        "{title}"
    );
    assert_eq!(lens[0]["command"]["command"], "qcls.showModel");

    // Rewritten (no file watching: mtime/length are checked before each analysis).
    qcls::model::synth::write_synthetic_model(&model, 45, 0).unwrap();
    c.change(&uri, 2, json!([{"text": CONFIG}])).await;
    c.diagnostics(&uri, Some(2)).await;
    let lens = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    let title = lens[0]["command"]["title"].as_str().unwrap();
    assert!(title.contains("45 nodes"), "{title}");

    // Half-written: the last good model stays.
    std::fs::write(&model, b"\x0a\x05garbage-of-another-length").unwrap();
    c.change(&uri, 3, json!([{"text": CONFIG}])).await;
    c.diagnostics(&uri, Some(3)).await;
    let lens = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    let title = lens[0]["command"]["title"].as_str().unwrap();
    assert!(title.contains("45 nodes"), "{title}");
}

#[tokio::test]
async fn file_watchers_are_registered_when_supported() {
    let mut c = Client::new();
    c.initialize(json!({"capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}}))
        .await;
    let reg = c
        .next_notification("client/registerCapability", TIMEOUT)
        .await
        .expect("registration");
    let r = &reg["registrations"][0];
    assert_eq!(r["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = r["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(globs, ["**/*.onnx", "**/*.yaml", "**/*.yml"]);

    // A watched change re-reads the model.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("quant_config.json");
    let model = dir.path().join("optimized_float_model.onnx");
    qcls::model::synth::write_synthetic_model(&model, 10, 0).unwrap();
    let uri = format!("file://{}", config.display());
    c.open(&uri, CONFIG).await;
    c.diagnostics(&uri, Some(1)).await;
    qcls::model::synth::write_synthetic_model(&model, 11, 0).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": format!("file://{}", model.display()), "type": 2}]}),
    )
    .await;
    c.diagnostics(&uri, Some(1)).await;
    let lens = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await
        .unwrap();
    let title = lens[0]["command"]["title"].as_str().unwrap();
    assert!(title.contains("11 nodes"), "{title}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_model_loads_report_progress() {
    // A load that takes 600 ms in every build, well past the 200 ms threshold.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("quant_config.json");
    let model = dir.path().join("optimized_float_model.onnx");
    qcls::model::synth::write_synthetic_model(&model, 100, 0).unwrap();
    let uri = format!("file://{}", config.display());
    let slow: qcls::server::ModelLoader = std::sync::Arc::new(|path: &std::path::Path| {
        std::thread::sleep(std::time::Duration::from_millis(600));
        qcls::model::ModelIndex::load(path)
    });
    let mut c = Client::with_model_loader(slow);
    c.initialize(json!({"capabilities": {"window": {"workDoneProgress": true}}}))
        .await;
    c.open(&uri, CONFIG).await;
    let created = c
        .next_notification("window/workDoneProgress/create", TIMEOUT)
        .await
        .expect("progress token created");
    let token = created["token"].clone();
    let begin = c
        .next_notification("$/progress", TIMEOUT)
        .await
        .expect("begin");
    assert_eq!(begin["token"], token);
    assert_eq!(begin["value"]["kind"], "begin");
    let end = c
        .next_notification("$/progress", TIMEOUT)
        .await
        .expect("end");
    assert_eq!(end["value"]["kind"], "end");
    c.diagnostics(&uri, Some(1)).await;
}

/// A model that becomes unreadable under an open config: the last good copy stays in use, and
/// the user is told (a warning on the config, a message once); a readable model again clears it.
/// With file watching (the client reports the change) and without (the file's stamp changes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_that_becomes_unreadable_is_reported_and_the_last_good_copy_kept() {
    type Break = fn(&std::path::Path);
    let broken: [(&str, Break); 3] = [
        ("truncated", |m| {
            let bytes = std::fs::read(m).unwrap();
            std::fs::write(m, &bytes[..bytes.len() / 2]).unwrap();
        }),
        ("emptied", |m| std::fs::write(m, b"").unwrap()),
        ("replaced by a directory", |m| {
            std::fs::remove_file(m).unwrap();
            std::fs::create_dir(m).unwrap();
        }),
    ];
    for watched in [true, false] {
        for (what, break_it) in broken {
            let dir = tempfile::tempdir().unwrap();
            let config = dir.path().join("quant_config.json");
            let model = dir.path().join("optimized_float_model.onnx");
            qcls::model::synth::write_synthetic_model(&model, 10, 0).unwrap();
            let uri = format!("file://{}", config.display());
            let mut c = Client::new();
            let caps = if watched {
                json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}})
            } else {
                json!({})
            };
            c.initialize(json!({ "capabilities": caps })).await;
            c.open(&uri, CONFIG).await;
            let first = c.diagnostics(&uri, Some(1)).await;
            let unreadable = |d: &Value| {
                d["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["code"] == "model-unreadable")
            };
            assert!(!unreadable(&first), "{first}");

            // Other bytes, another length and mtime: a client without watching sees them too.
            std::thread::sleep(std::time::Duration::from_millis(20));
            break_it(&model);
            if watched {
                c.notify(
                    "workspace/didChangeWatchedFiles",
                    json!({"changes": [{"uri": format!("file://{}", model.display()), "type": 2}]}),
                )
                .await;
            }
            c.change(&uri, 2, json!([{"text": format!("{CONFIG}\n")}]))
                .await;
            let d = c.diagnostics(&uri, Some(2)).await;
            let codes: Vec<&str> = d["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|d| d["code"].as_str())
                .collect();
            if what == "replaced by a directory" {
                // Unpaired once the pairing is looked up again, unreadable until then.
                assert!(
                    codes.contains(&"model-not-found") || codes.contains(&"model-unreadable"),
                    "{what}: {d}"
                );
            } else {
                let warning = d["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|d| d["code"] == "model-unreadable")
                    .unwrap_or_else(|| panic!("{what} (watched: {watched}): {d}"));
                assert_eq!(warning["severity"], 2, "{warning}");
                let message = warning["message"].as_str().unwrap();
                assert!(message.contains("cannot be read now"), "{message}");
                assert!(message.contains("(10 nodes)"), "{message}");
                let shown = c.shown_message(TIMEOUT).await;
                assert!(shown.contains("cannot be read now"), "{shown}");
            }

            // Readable again: the warning goes.
            if model.is_dir() {
                std::fs::remove_dir(&model).unwrap();
            }
            qcls::model::synth::write_synthetic_model(&model, 12, 0).unwrap();
            if watched {
                c.notify(
                    "workspace/didChangeWatchedFiles",
                    json!({"changes": [{"uri": format!("file://{}", model.display()), "type": 2}]}),
                )
                .await;
            }
            c.change(&uri, 3, json!([{"text": CONFIG}])).await;
            let d = c.diagnostics(&uri, Some(3)).await;
            assert!(!unreadable(&d), "{what} (watched: {watched}): {d}");
            assert!(
                !d.to_string().contains("model-not-found"),
                "{what} (watched: {watched}): {d}"
            );
        }
    }
}
