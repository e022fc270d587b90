//! Lifecycle, position encodings and robustness against bad input.

mod lsp_support;

use lsp_support::{cursor, pos, Client};
use serde_json::json;
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;

const URI: &str = "file:///w/quant_config.json";

#[tokio::test]
async fn initialize_shutdown_exit() {
    let mut c = Client::new();
    let result = c
        .initialize(json!({"capabilities": {}, "clientInfo": {"name": "test"}}))
        .await;
    let caps = &result["capabilities"];
    assert_eq!(result["serverInfo"]["name"], "qcls");
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert!(caps["completionProvider"]["triggerCharacters"]
        .as_array()
        .unwrap()
        .contains(&json!("\"")));
    for cap in [
        "hoverProvider",
        "documentSymbolProvider",
        "foldingRangeProvider",
        "documentFormattingProvider",
        "codeLensProvider",
    ] {
        assert!(!caps[cap].is_null(), "{cap}");
    }
    assert!(
        caps["diagnosticProvider"].is_null(),
        "no pull without client support"
    );

    // A second initialize is refused; the server keeps working.
    let again = c
        .request("initialize", json!({"capabilities": {}, "processId": null}))
        .await;
    assert!(again.is_err());

    assert_eq!(
        c.request("shutdown", json!(null)).await.unwrap(),
        json!(null)
    );
    c.notify("exit", json!(null)).await;
    let svc = c.service.ready().await;
    assert!(svc.is_err(), "the service stops after exit");
}

#[tokio::test]
async fn requests_before_initialize_are_refused() {
    let mut c = Client::new();
    let err = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": pos(0, 0)}),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code.code(), -32002);
}

/// Hover and completion ranges on a line with characters of 1, 2, 3 and 4 UTF-8 bytes.
#[tokio::test]
async fn position_encodings() {
    // "é" is 2 bytes / 1 UTF-16 unit; "😀" is 4 bytes / 2 units / 1 code point.
    let fixture = "{/*é😀*/\"model_config\": {\"all_node_type\": \"int$0\"}}";
    let at = fixture.find("$0").unwrap();
    let text = fixture.replacen("$0", "", 1);
    let prefix = &text[..at];
    for (offered, name, character) in [
        (json!(["utf-8", "utf-16"]), "utf-8", prefix.len()),
        (json!(["utf-16"]), "utf-16", prefix.encode_utf16().count()),
        (json!(["utf-32"]), "utf-32", prefix.chars().count()),
        (json!(null), "utf-16", prefix.encode_utf16().count()),
    ] {
        let mut c = Client::new();
        let caps = if offered.is_null() {
            json!({})
        } else {
            json!({"general": {"positionEncodings": offered}})
        };
        let result = c.initialize(json!({"capabilities": caps})).await;
        assert_eq!(result["capabilities"]["positionEncoding"], name);
        c.open(URI, &text).await;
        let items = c
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": URI}, "position": pos(0, character as u32)}),
            )
            .await
            .unwrap();
        let items = &items["items"];
        let int16 = items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["label"] == "int16")
            .unwrap_or_else(|| panic!("{name}: {items}"));
        // The token `"int"` ends 1 past the cursor (its closing quote) and starts 4 before.
        let range = &int16["textEdit"]["range"];
        assert_eq!(range["end"]["character"], character as u64 + 1, "{name}");
        assert_eq!(range["start"]["character"], character as u64 - 4, "{name}");

        // An incremental edit in this encoding lands where it should.
        c.change(
            URI,
            2,
            json!([{"range": {"start": pos(0, character as u32), "end": pos(0, character as u32)}, "text": "16"}]),
        )
        .await;
        let (_, server) = c.server_text(URI).unwrap();
        assert_eq!(server, text.replacen("\"int\"", "\"int16\"", 1), "{name}");
    }
}

#[tokio::test]
async fn bad_input_gives_empty_results_or_errors() {
    let mut c = Client::new();
    c.initialize(json!({})).await;
    let (text, _) = cursor("{\"model_config\": {$0}}");
    c.open(URI, &text).await;

    // Out-of-range positions are clamped.
    for p in [pos(99, 0), pos(0, 999), pos(u32::MAX, u32::MAX)] {
        for method in ["textDocument/hover", "textDocument/completion"] {
            let r = c
                .request(method, json!({"textDocument": {"uri": URI}, "position": p}))
                .await;
            assert!(r.is_ok(), "{method} {p}: {r:?}");
        }
    }
    // Malformed params are an error response.
    let r = c
        .request("textDocument/hover", json!({"textDocument": 3}))
        .await;
    assert!(r.is_err());
    let r = c
        .request("textDocument/completion", json!("nonsense"))
        .await;
    assert!(r.is_err());
    // Unknown documents give nothing.
    let r = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": "file:///nope/quant_config.json"}}),
        )
        .await
        .unwrap();
    assert_eq!(r, json!(null));
    // Edits of unknown documents, edits past the end, and bad notifications are ignored.
    c.change("file:///nope.json", 2, json!([{"text": "{}"}]))
        .await;
    c.change(
        URI,
        2,
        json!([{"range": {"start": pos(50, 0), "end": pos(60, 3)}, "text": "x"}]),
    )
    .await;
    c.notify("textDocument/didChange", json!({"bogus": true}))
        .await;
    let svc = c.service.ready().await.unwrap();
    let resp = svc
        .call(Request::build("qcls/unknownMethod").id(99).finish())
        .await
        .unwrap()
        .unwrap();
    assert!(resp.is_error());
    // Still alive and consistent.
    let (version, server) = c.server_text(URI).unwrap();
    assert_eq!(version, 2);
    assert_eq!(server, format!("{text}x"));
    let r = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    assert_eq!(r[0]["name"], "model_config");
    // An unknown command is an error; the model command is harmless.
    assert!(c
        .request("workspace/executeCommand", json!({"command": "rm -rf"}))
        .await
        .is_err());
    assert_eq!(
        c.request(
            "workspace/executeCommand",
            json!({"command": "qcls.showModel", "arguments": []})
        )
        .await
        .unwrap(),
        json!(null)
    );
}
