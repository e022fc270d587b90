//! The language server glue: tower-lsp-server handlers over the analysis layer.
//!
//! - `capabilities`: what the client can do and what we announce.
//! - `documents`: the open documents; notifications edit them synchronously, before any
//!   `.await` (tower-lsp-server runs up to 4 notifications concurrently). Each snapshot is
//!   built from the previous one when the edit stays inside one section member.
//! - `checks`: the last check of each document, from which the next version is checked when
//!   one node_config entry changed.
//! - `task`: the one analysis task (parse, pair, load the model, check, publish), coalescing
//!   jobs by URI and dropping results for versions that moved on.
//! - `handlers`: the synchronous body of each request, run on a blocking thread so that a
//!   panic becomes an error response instead of taking the server down.
//! - `proto`: every conversion between byte offsets and LSP positions.
//! - `models`: pairing and the shared, reloadable model cache.
//! - `settings`: the `qcls` settings.
//! - `log`: what the server logs (stderr and the client's log), never document text.
//! - `stdio`: the server run on a process's stdin and stdout (the runtime, the transport).
//! - `transport`: the frames of the protocol, read and written.

mod capabilities;
mod checks;
mod documents;
mod handlers;
pub mod log;
mod markup;
mod models;
mod proto;
mod settings;
mod state;
mod stdio;
mod task;
#[cfg(test)]
mod tests;
mod transport;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService};

pub use capabilities::SHOW_MODEL_COMMAND;
pub use documents::is_quant_config;
pub use models::ModelLoader;
pub use settings::ClientSettings;
pub use stdio::{run_stdio, serve_io, serve_stdio};

use capabilities::{negotiate_encoding, server_capabilities, ClientFlags};
use documents::Snapshot;
use state::{Job, Session, State};

/// The server behind [`LspService`].
#[derive(Debug)]
pub struct Backend {
    client: Client,
    state: Arc<State>,
}

/// A service and its client socket, as `Server::serve` and the in-process tests use them.
pub fn service() -> (LspService<Backend>, ClientSocket) {
    service_with_state(Arc::new(State::new()))
}

/// The custom request that serves "Show effective precision" in the editors: the explanation
/// of the open document's current text, paired as its diagnostics are.
pub const EXPLAIN_METHOD: &str = "qcls/explain";

/// The custom request behind the editors' "Show precision map": the precision map of the open
/// document's current text (the page, or the data it redraws from), paired as its diagnostics
/// are.
pub const PRECISION_MAP_METHOD: &str = "qcls/precisionMap";

/// [`service`] reading model files with `loader` (tests: a slow load, to see progress).
#[doc(hidden)]
pub fn service_with_model_loader(
    loader: models::ModelLoader,
) -> (LspService<Backend>, ClientSocket) {
    service_with_state(Arc::new(State::with_models(
        models::ModelStore::with_loader(loader),
    )))
}

fn service_with_state(state: Arc<State>) -> (LspService<Backend>, ClientSocket) {
    LspService::build(move |client| Backend { client, state })
        .custom_method(EXPLAIN_METHOD, Backend::explain)
        .custom_method(PRECISION_MAP_METHOD, Backend::precision_map)
        .finish()
}

/// The params of [`EXPLAIN_METHOD`].
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExplainParams {
    pub text_document: TextDocumentIdentifier,
    /// Only the nodes that node_config names.
    #[serde(default)]
    pub only_overridden: bool,
}

/// The params of [`PRECISION_MAP_METHOD`].
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrecisionMapParams {
    pub text_document: TextDocumentIdentifier,
    /// The whole page (data included) rather than only the data.
    #[serde(default)]
    pub html: bool,
}

fn show_message(client: &Client, typ: MessageType, message: String) {
    let client = client.clone();
    tokio::spawn(async move { client.show_message(typ, message).await });
}

/// Applies a `qcls` settings object (wrapped or not) and re-checks every open document.
fn apply_settings(client: &Client, state: &State, value: &Value) {
    let (settings, problems) = ClientSettings::from_json(value);
    tracing::info!("settings received: {settings:?}");
    if let Some(level) = settings.log_level {
        log::set_client_level(level);
    }
    state.update_session(|s| s.settings = settings);
    state.models.clear_pairings();
    state.schedule(Job::CheckAll);
    if !problems.is_empty() {
        show_message(
            client,
            MessageType::WARNING,
            format!("qcls settings: {}", problems.join("; ")),
        );
    }
}

/// Asks the client for the `qcls` section, in a task of its own (never awaited in a handler).
fn fetch_configuration(client: &Client, state: &Arc<State>) {
    let (client, state) = (client.clone(), state.clone());
    tokio::spawn(async move {
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("qcls".to_string()),
        }];
        if let Ok(values) = client.configuration(items).await {
            // `null`: the client has no such section; keep what we have.
            if let Some(v) = values.first().filter(|v| !v.is_null()) {
                apply_settings(&client, &state, v);
            }
        }
    });
}

fn register_file_watchers(client: &Client) {
    let client = client.clone();
    tokio::spawn(async move {
        let watchers = ["**/*.onnx", "**/*.yaml", "**/*.yml"]
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let Ok(options) = serde_json::to_value(options) else {
            return;
        };
        let registration = Registration {
            id: "qcls-watch-models".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: Some(options),
        };
        let _ = client.register_capability(vec![registration]).await;
    });
}

fn workspace_root(params: &InitializeParams) -> Option<std::path::PathBuf> {
    let from_uri = |uri: &Uri| proto::from_proto::file_path(uri);
    params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .and_then(|f| from_uri(&f.uri))
        .or_else(|| {
            #[allow(deprecated)] // Older clients only send rootUri / rootPath.
            let root = params
                .root_uri
                .as_ref()
                .and_then(from_uri)
                .or_else(|| params.root_path.as_ref().map(std::path::PathBuf::from));
            root
        })
}

fn internal_error(message: String) -> jsonrpc::Error {
    jsonrpc::Error {
        code: jsonrpc::ErrorCode::InternalError,
        message: message.into(),
        data: None,
    }
}

impl Backend {
    /// The server's current text and version of a document (for tests).
    #[doc(hidden)]
    pub fn document_text(&self, uri: &Uri) -> Option<(i32, String)> {
        self.state
            .docs
            .snapshot(uri)
            .map(|s| (s.version, s.text.clone()))
    }

    /// `qcls/explain`: what `qcls explain --format json` prints for the document's current text
    /// (unsaved edits included), with the same pairing as its diagnostics, plus `summary`
    /// (the code lens's text: model and profile) and, when nothing can be explained, `problem`.
    /// `null` for documents that are not served.
    async fn explain(&self, params: ExplainParams) -> jsonrpc::Result<Option<Value>> {
        let only = params.only_overridden;
        self.run(&params.text_document.uri, move |state, snap, session| {
            Some(handlers::explain(state, snap, session, only))
        })
        .await
    }

    /// `qcls/precisionMap`: the precision map of the document's current text (unsaved edits
    /// included), with the same pairing as its diagnostics: `html` (the whole page) when asked,
    /// else `data` (what the page redraws from), plus `summary`, `title`, `qtypes` and, for JSON
    /// documents without syntax errors, `insert` (where a new node_config entry goes);
    /// `problem` instead when there is no map. `null` for documents that are not served.
    async fn precision_map(&self, params: PrecisionMapParams) -> jsonrpc::Result<Option<Value>> {
        let html = params.html;
        self.run(&params.text_document.uri, move |state, snap, session| {
            Some(handlers::precision_map(state, snap, session, html))
        })
        .await
    }

    /// [`Self::run`] for a request that is light on a small document (hover, completion):
    /// answered on the protocol's thread when the document is small, its snapshot is built
    /// and its diagnostics were computed for this version with a small model or none, so
    /// nothing is parsed or read from disk. The hop to a blocking thread and back was a fifth
    /// of a hover's round trip on a 300-line config. Anything else goes to [`Self::run`].
    async fn run_light<R, F>(&self, uri: &Uri, f: F) -> jsonrpc::Result<Option<R>>
    where
        R: Send + 'static,
        F: FnOnce(&State, &Snapshot, &Session) -> Option<R> + Send + 'static,
    {
        /// Bounds that keep such a request well under a millisecond.
        const LIGHT_BYTES: usize = 64 << 10;
        const LIGHT_NODES: usize = 10_000;
        let ready = self.state.docs.ready_snapshot(uri).filter(|snap| {
            snap.text.len() <= LIGHT_BYTES
                && self
                    .state
                    .checks
                    .checked_with_small_model(uri, snap.generation, LIGHT_NODES)
        });
        let Some(snap) = ready else {
            return self.run(uri, f).await;
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            answer(&self.state, &snap, f)
        }))
        .map_err(|panic| request_failed(uri, &*panic))
    }

    /// Runs a request's synchronous body on a blocking thread with the document's current
    /// snapshot. Unknown documents and documents that are no quant_config give `None`; a panic
    /// gives an error response and leaves the server running.
    async fn run<R, F>(&self, uri: &Uri, f: F) -> jsonrpc::Result<Option<R>>
    where
        R: Send + 'static,
        F: FnOnce(&State, &Snapshot, &Session) -> Option<R> + Send + 'static,
    {
        let state = self.state.clone();
        let doc = uri.clone();
        let result = tokio::task::spawn_blocking(move || {
            let snap = state.docs.snapshot(&doc)?;
            answer(&state, &snap, f)
        })
        .await;
        match result {
            Ok(r) => Ok(r),
            Err(e) if e.is_panic() => Err(request_failed(uri, &*e.into_panic())),
            Err(_) => Err(jsonrpc::Error::request_cancelled()),
        }
    }
}

/// A request's body on a snapshot: `None` for a document qcls does not serve.
fn answer<R>(
    state: &State,
    snap: &Snapshot,
    f: impl FnOnce(&State, &Snapshot, &Session) -> Option<R>,
) -> Option<R> {
    if !snap.served {
        return None;
    }
    f(state, snap, &state.session())
}

/// The error answer of a request whose body panicked; the server goes on.
fn request_failed(uri: &Uri, panic: &(dyn std::any::Any + Send)) -> jsonrpc::Error {
    let msg = task::panic_message(panic);
    tracing::error!("a request on {} failed: {msg}", uri.as_str());
    internal_error(format!("qcls: internal error: {msg}"))
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> jsonrpc::Result<InitializeResult> {
        let flags = ClientFlags::from_capabilities(&params.capabilities);
        let encoding = negotiate_encoding(&params.capabilities);
        let (settings, problems) = params
            .initialization_options
            .as_ref()
            .map(ClientSettings::from_json)
            .unwrap_or_default();
        let root = workspace_root(&params);
        self.state.update_session(|s| {
            s.encoding = encoding;
            s.flags = flags;
            s.settings = settings;
            s.client_locale = params.locale.clone();
            s.client_name = params.client_info.as_ref().map(|c| c.name.clone());
            s.workspace_root = root;
        });
        if !problems.is_empty() {
            self.state
                .pending_messages
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(format!("qcls settings: {}", problems.join("; ")));
        }
        let receiver = self
            .state
            .job_receiver
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(rx) = receiver {
            let state = Arc::downgrade(&self.state);
            tokio::spawn(task::run(self.client.clone(), state, rx));
        }
        Ok(InitializeResult {
            capabilities: server_capabilities(&flags, encoding),
            server_info: Some(ServerInfo {
                name: "qcls".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        log::attach(&self.client);
        tracing::info!(
            "version {} serving; settings: {:?}",
            env!("CARGO_PKG_VERSION"),
            self.state.session().settings
        );
        let pending: Vec<String> = std::mem::take(
            &mut *self
                .state
                .pending_messages
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        for message in pending {
            show_message(&self.client, MessageType::WARNING, message);
        }
        let flags = self.state.session().flags;
        if flags.configuration {
            fetch_configuration(&self.client, &self.state);
        }
        if flags.watch_files {
            register_file_watchers(&self.client);
        }
    }

    async fn shutdown(&self) -> jsonrpc::Result<()> {
        self.state.shutdown_requested.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let session = self.state.session();
        // Only worth a thread when parsing takes a while.
        let prefetch = (doc.text.len() > 256 * 1024
            && crate::model::model_known_before_parse(&doc.text))
        .then(|| handlers::model_to_prefetch(&self.state, &doc.uri, &session))
        .flatten();
        self.state.docs.open(doc.uri.clone(), doc.text, doc.version);
        if prefetch.is_some() {
            // A second parsing thread would slow the model's read, most often the longer of
            // the two.
            self.state.docs.parse_on_one_core(&doc.uri);
        }
        self.state.schedule(Job::Check(doc.uri.clone()));
        if let Some(model) = prefetch {
            let state = self.state.clone();
            tokio::task::spawn_blocking(move || handlers::prefetch_model(&state, &model, &session));
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let encoding = self.state.session().encoding;
        if self.state.docs.change(
            &uri,
            params.text_document.version,
            &params.content_changes,
            encoding,
        ) {
            self.state.schedule(Job::Check(uri));
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.docs.close(&uri);
        self.state.schedule(Job::Check(uri));
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        // Saving may create the file a model pairing looks for.
        self.state.models.forget(&params.text_document.uri);
        self.state.schedule(Job::Check(params.text_document.uri));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let flags = self.state.session().flags;
        let inner = params.settings.get("qcls").filter(|v| !v.is_null());
        match inner {
            Some(v) => apply_settings(&self.client, &self.state, v),
            // `null` or no section: the client wants us to pull.
            None if flags.configuration => fetch_configuration(&self.client, &self.state),
            None => {
                let looks_inner = params
                    .settings
                    .as_object()
                    .is_some_and(|m| ClientSettings::KEYS.iter().any(|k| m.contains_key(*k)));
                if looks_inner {
                    apply_settings(&self.client, &self.state, &params.settings);
                }
            }
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths: Vec<_> = params
            .changes
            .iter()
            .filter_map(|c| proto::from_proto::file_path(&c.uri))
            .collect();
        self.state.models.files_changed(&paths);
        self.state.schedule(Job::CheckAll);
    }

    async fn completion(
        &self,
        params: CompletionParams,
    ) -> jsonrpc::Result<Option<CompletionResponse>> {
        let pos = params.text_document_position.position;
        self.run_light(
            &params.text_document_position.text_document.uri,
            move |state, snap, session| handlers::completion(state, snap, session, pos),
        )
        .await
    }

    /// Node-name items come without documentation to clients that resolve it: a list of a
    /// thousand names is then a tenth of the size.
    async fn completion_resolve(&self, item: CompletionItem) -> jsonrpc::Result<CompletionItem> {
        let uri = self
            .state
            .last_completion
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let (Some(node), Some(uri)) = (proto::from_proto::resolve_target(&item), uri) else {
            return Ok(item);
        };
        let markdown = self.state.session().flags.completion_markdown;
        let found = self
            .run_light(&uri, move |state, snap, session| {
                handlers::completion_documentation(state, snap, session, &node)
            })
            .await?;
        Ok(match found {
            Some(text) => proto::to_proto::resolved(item, text, markdown),
            None => item,
        })
    }

    async fn hover(&self, params: HoverParams) -> jsonrpc::Result<Option<Hover>> {
        let pos = params.text_document_position_params.position;
        self.run_light(
            &params.text_document_position_params.text_document.uri,
            move |state, snap, session| handlers::hover(state, snap, session, pos),
        )
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> jsonrpc::Result<Option<Vec<InlayHint>>> {
        let range = params.range;
        self.run(&params.text_document.uri, move |state, snap, session| {
            handlers::inlay_hints(state, snap, session, range)
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> jsonrpc::Result<Option<DocumentSymbolResponse>> {
        self.run(&params.text_document.uri, |_, snap, session| {
            handlers::document_symbols(snap, session)
        })
        .await
    }

    async fn folding_range(
        &self,
        params: FoldingRangeParams,
    ) -> jsonrpc::Result<Option<Vec<FoldingRange>>> {
        self.run(&params.text_document.uri, |_, snap, session| {
            handlers::folding_ranges(snap, session)
        })
        .await
    }

    async fn formatting(
        &self,
        params: DocumentFormattingParams,
    ) -> jsonrpc::Result<Option<Vec<TextEdit>>> {
        let options = params.options;
        self.run(&params.text_document.uri, move |_, snap, session| {
            handlers::formatting(snap, session, &options)
        })
        .await
    }

    async fn code_action(
        &self,
        params: CodeActionParams,
    ) -> jsonrpc::Result<Option<CodeActionResponse>> {
        let range = params.range;
        let sent = params.context.diagnostics;
        self.run(&params.text_document.uri, move |state, snap, session| {
            handlers::code_actions(state, snap, session, range, &sent)
        })
        .await
    }

    async fn document_link(
        &self,
        params: DocumentLinkParams,
    ) -> jsonrpc::Result<Option<Vec<DocumentLink>>> {
        self.run(&params.text_document.uri, |_, snap, session| {
            handlers::document_links(snap, session)
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> jsonrpc::Result<Option<Vec<CodeLens>>> {
        self.run(&params.text_document.uri, |state, snap, session| {
            handlers::code_lens(state, snap, session)
        })
        .await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> jsonrpc::Result<DocumentDiagnosticReportResult> {
        let items = self
            .run(&params.text_document.uri, |state, snap, session| {
                Some(handlers::diagnostics(state, snap, session))
            })
            .await?
            .unwrap_or_default();
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> jsonrpc::Result<Option<LSPAny>> {
        if params.command != SHOW_MODEL_COMMAND {
            return Err(jsonrpc::Error::invalid_params(format!(
                "unknown command {}",
                params.command
            )));
        }
        let message = match params.arguments.first().and_then(Value::as_str) {
            Some(path) => format!("qcls: the model is {path}"),
            None => format!("qcls: no model paired: {}", crate::model::how_to_pair()),
        };
        show_message(&self.client, MessageType::INFO, message);
        Ok(None)
    }
}
