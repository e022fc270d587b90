//! A small in-process LSP client: drives the real `LspService` with JSON-RPC messages and
//! collects what the server sends (answering its requests like a client would).

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use qcls::server::Backend;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::{Error, Request, Response};
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::LspService;

pub const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Client {
    pub service: LspService<Backend>,
    /// Everything the server sent: notifications and requests.
    from_server: mpsc::UnboundedReceiver<Request>,
    /// Messages read while waiting for another one.
    backlog: Vec<Request>,
    next_id: i64,
    /// What `workspace/configuration` answers for the `qcls` section.
    pub configuration: Arc<Mutex<Value>>,
}

pub fn uri(s: &str) -> Uri {
    s.parse().expect("test URI")
}

impl Client {
    pub fn new() -> Self {
        Client::with(qcls::server::service())
    }

    /// A client of a server that reads models with `loader`.
    pub fn with_model_loader(loader: qcls::server::ModelLoader) -> Self {
        Client::with(qcls::server::service_with_model_loader(loader))
    }

    fn with((service, socket): (LspService<Backend>, tower_lsp_server::ClientSocket)) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let configuration = Arc::new(Mutex::new(Value::Null));
        let config = configuration.clone();
        let (mut requests, mut responses) = socket.split();
        tokio::spawn(async move {
            while let Some(req) = requests.next().await {
                if let Some(id) = req.id().cloned() {
                    let result = match req.method() {
                        "workspace/configuration" => json!([config.lock().unwrap().clone()]),
                        _ => Value::Null,
                    };
                    let _ = responses.send(Response::from_ok(id, result)).await;
                }
                if tx.send(req).is_err() {
                    break;
                }
            }
        });
        Client {
            service,
            from_server: rx,
            backlog: Vec::new(),
            next_id: 1,
            configuration,
        }
    }

    /// `initialize` then `initialized`; returns the initialize result.
    pub async fn initialize(&mut self, params: Value) -> Value {
        let mut params = params;
        if params.get("capabilities").is_none() {
            params["capabilities"] = json!({});
        }
        if params.get("processId").is_none() {
            params["processId"] = Value::Null;
        }
        let result = self
            .request("initialize", params)
            .await
            .expect("initialize");
        self.notify("initialized", json!({})).await;
        result
    }

    /// Sends a request and waits for its response.
    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value, Error> {
        let id = self.next_id;
        self.next_id += 1;
        let req = Request::build(method.to_string())
            .params(params)
            .id(id)
            .finish();
        let response = self.call(req).await.expect("a request gets a response");
        let (_, result) = response.into_parts();
        result
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        let req = Request::build(method.to_string()).params(params).finish();
        assert!(self.call(req).await.is_none());
    }

    async fn call(&mut self, req: Request) -> Option<Response> {
        let svc = self.service.ready().await.expect("service ready");
        tokio::time::timeout(TIMEOUT, svc.call(req))
            .await
            .expect("response in time")
            .expect("server running")
    }

    pub async fn open(&mut self, uri: &str, text: &str) {
        self.open_version(uri, text, 1).await;
    }

    pub async fn open_version(&mut self, uri: &str, text: &str, version: i32) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "jsonc", "version": version, "text": text}}),
        )
        .await;
    }

    pub async fn change(&mut self, uri: &str, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        )
        .await;
    }

    /// The text of the next `window/showMessage`.
    pub async fn shown_message(&mut self, timeout: Duration) -> String {
        let shown = self
            .next_notification("window/showMessage", timeout)
            .await
            .expect("a window/showMessage");
        shown["message"].as_str().unwrap_or_default().to_string()
    }

    /// The next message of `method` from the server (others are kept for later calls).
    pub async fn next_notification(&mut self, method: &str, timeout: Duration) -> Option<Value> {
        self.next_matching(timeout, |r| r.method() == method).await
    }

    /// Waits for a message matching `pred`; returns its params.
    pub async fn next_matching(
        &mut self,
        timeout: Duration,
        pred: impl Fn(&Request) -> bool,
    ) -> Option<Value> {
        if let Some(i) = self.backlog.iter().position(&pred) {
            let r = self.backlog.remove(i);
            return Some(r.params().cloned().unwrap_or(Value::Null));
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.from_server.recv())
                .await
                .ok()??;
            if pred(&msg) {
                return Some(msg.params().cloned().unwrap_or(Value::Null));
            }
            self.backlog.push(msg);
        }
    }

    /// The next publishDiagnostics for `uri` (with `version` when given).
    pub async fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        let wanted = uri.to_string();
        self.next_matching(TIMEOUT, move |r| {
            r.method() == "textDocument/publishDiagnostics"
                && r.params().is_some_and(|p| {
                    p["uri"] == wanted.as_str() && version.is_none_or(|v| p["version"] == v)
                })
        })
        .await
        .unwrap_or_else(|| panic!("no diagnostics for {uri} version {version:?}"))
    }

    /// Forgets the messages already skipped over by earlier waits.
    pub fn clear_backlog(&mut self) {
        self.backlog.clear();
    }

    pub fn server_text(&self, uri_str: &str) -> Option<(i32, String)> {
        self.service.inner().document_text(&uri(uri_str))
    }
}

/// `{"line": l, "character": c}`.
pub fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

/// The `(line, character)` of a byte offset, in UTF-16 units.
pub fn utf16_pos(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let ch = before[line_start..].encode_utf16().count();
    (line as u32, ch as u32)
}

/// Splits a fixture at its `$0` marker: the text and the cursor's UTF-16 position.
pub fn cursor(fixture: &str) -> (String, Value) {
    let at = fixture.find("$0").expect("$0");
    let text = fixture.replacen("$0", "", 1);
    let (l, c) = utf16_pos(&text, at);
    (text, pos(l, c))
}
