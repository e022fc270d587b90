//! The one analysis task: parses, pairs, loads models and checks, then publishes diagnostics.
//! Jobs are coalesced by URI (a burst of 100 edits is checked once, at its last version), and
//! a result whose document moved on meanwhile is dropped.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Weak};
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::oneshot;
use tower_lsp_server::ls_types::{NumberOrString, ProgressToken, Uri};
use tower_lsp_server::Client;

use super::documents::Snapshot;
use super::handlers;
use super::state::{Job, Session, State};

/// Loading a model longer than this shows progress.
const PROGRESS_AFTER: Duration = Duration::from_millis(200);

/// Runs until the server is gone. It holds the state only while it works: the state holds the
/// sender of `jobs`, so a task holding it for good would never see the queue close and would
/// keep the state (documents, models) alive after the server ended.
pub async fn run(client: Client, state: Weak<State>, mut jobs: UnboundedReceiver<Job>) {
    // Documents whose last published diagnostics were not empty.
    let mut published: HashSet<Uri> = HashSet::new();
    // Documents too large to analyse that the user was told about.
    let mut told_too_large: HashSet<Uri> = HashSet::new();
    while let Some(first) = jobs.recv().await {
        let Some(state) = state.upgrade() else {
            return;
        };
        let mut all = false;
        let mut uris: Vec<Uri> = Vec::new();
        let mut seen: HashSet<Uri> = HashSet::new();
        let mut add = |job: Job| match job {
            Job::Check(uri) => {
                if seen.insert(uri.clone()) {
                    uris.push(uri);
                }
            }
            Job::CheckAll => all = true,
        };
        add(first);
        while let Ok(job) = jobs.try_recv() {
            add(job);
        }
        if all {
            for uri in state.docs.uris() {
                if seen.insert(uri.clone()) {
                    uris.push(uri);
                }
            }
        }
        // Set when the work below freed enough memory to give it back once it is done.
        let mut freed_much = false;
        for uri in uris {
            let work = process(
                &client,
                &state,
                &uri,
                &mut published,
                &mut told_too_large,
                &mut freed_much,
            );
            // The task must outlive any bug in one document's analysis.
            if let Err(panic) = AssertUnwindSafe(work).catch_unwind().await {
                let msg = panic_message(&*panic);
                tracing::error!("analysis of {} failed: {msg}", uri.as_str());
                log_error(
                    &client,
                    &format!("qcls: analysis of {} failed: {msg}", uri.as_str()),
                )
                .await;
            }
        }
        if freed_much {
            crate::memory::release_freed();
        }
        if all && state.session().flags.pull_diagnostics && state.session().flags.diagnostic_refresh
        {
            let client = client.clone();
            tokio::spawn(async move {
                let _ = client.workspace_diagnostic_refresh().await;
            });
        }
    }
}

/// Tells the user (the client's log) about a failure that has no request to answer.
async fn log_error(client: &Client, msg: &str) {
    client
        .log_message(tower_lsp_server::ls_types::MessageType::ERROR, msg)
        .await;
}

pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

async fn process(
    client: &Client,
    state: &Arc<State>,
    uri: &Uri,
    published: &mut HashSet<Uri>,
    told_too_large: &mut HashSet<Uri>,
    freed_much: &mut bool,
) {
    let session = state.session();
    let push = !session.flags.pull_diagnostics;
    let snap = {
        let (state, uri) = (state.clone(), uri.clone());
        match tokio::task::spawn_blocking(move || state.docs.snapshot(&uri)).await {
            Ok(s) => s,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    };
    let Some(snap) = snap else {
        // Closed: clear what we showed.
        told_too_large.remove(uri);
        state.models.forget(uri);
        state.checks.forget(uri);
        if published.remove(uri) && push {
            client
                .publish_diagnostics(uri.clone(), Vec::new(), None)
                .await;
        }
        return;
    };
    match snap.too_large {
        Some(bytes) if told_too_large.insert(uri.clone()) => {
            let name = snap
                .path
                .as_deref()
                .and_then(|p| p.file_name())
                .map_or_else(
                    || uri.as_str().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
            let message = format!("qcls: {name} {}", crate::analysis::too_large_message(bytes));
            tracing::warn!("{message}");
            client
                .show_message(tower_lsp_server::ls_types::MessageType::WARNING, message)
                .await;
        }
        Some(_) => {}
        None => {
            told_too_large.remove(uri);
        }
    }
    if !snap.served {
        if published.remove(uri) && push {
            client
                .publish_diagnostics(uri.clone(), Vec::new(), Some(snap.version))
                .await;
        }
        return;
    }
    *freed_much |= frees_much(&snap);
    let diagnostics = compute(client, state, snap.clone(), session).await;
    for notice in state.models.take_notices() {
        client
            .show_message(tower_lsp_server::ls_types::MessageType::WARNING, notice)
            .await;
    }
    if !push {
        return;
    }
    if state.docs.generation(uri) != Some(snap.generation) {
        // The document moved on; a newer job is queued.
        return;
    }
    if diagnostics.is_empty() {
        published.remove(uri);
    } else {
        published.insert(uri.clone());
    }
    client
        .publish_diagnostics(uri.clone(), diagnostics, Some(snap.version))
        .await;
}

/// Whether building and checking `snap` frees enough memory to give it back once the work is
/// done (whatever becomes of its diagnostics): a big document parsed anew, opened or edited
/// where the tree could not take the edit in place. An edit re-parsed in place frees little,
/// and memory given back would be faulted in again by the next keystroke's check (4.3 MB
/// config: change -> diagnostics 27 -> 40 ms when every edit gave it back).
fn frees_much(snap: &Snapshot) -> bool {
    snap.text.len() >= crate::memory::BIG_DOCUMENT_BYTES && snap.reuse.is_empty()
}

/// Checks on a blocking thread; shows progress when reading the model takes long.
async fn compute(
    client: &Client,
    state: &Arc<State>,
    snap: Arc<Snapshot>,
    session: Session,
) -> Vec<tower_lsp_server::ls_types::Diagnostic> {
    let loading = {
        let (state, snap, session) = (state.clone(), snap.clone(), session.clone());
        tokio::task::spawn_blocking(move || handlers::needs_model_load(&state, &snap, &session))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    };
    let work = {
        let state = state.clone();
        let session = session.clone();
        tokio::task::spawn_blocking(move || handlers::diagnostics(&state, &snap, &session))
    };
    let result = match loading {
        Some(model) if session.flags.work_done_progress => {
            let mut work = work;
            tokio::select! {
                r = &mut work => r,
                _ = tokio::time::sleep(PROGRESS_AFTER) => {
                    let done = start_progress(client, model);
                    let r = work.await;
                    let _ = done.send(());
                    r
                }
            }
        }
        _ => work.await,
    };
    result.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Reports `$/progress` until the returned sender fires. Runs in its own task: creating the
/// token is a request to the client, which we never await on the analysis path.
fn start_progress(client: &Client, model: String) -> oneshot::Sender<()> {
    let (tx, rx) = oneshot::channel::<()>();
    let client = client.clone();
    tokio::spawn(async move {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token: ProgressToken = NumberOrString::String(format!("qcls/load-model/{n}"));
        if client
            .create_work_done_progress(token.clone())
            .await
            .is_err()
        {
            return;
        }
        let progress = client
            .progress(token, "qcls: loading model")
            .with_message(model)
            .begin()
            .await;
        let _ = rx.await;
        progress.finish().await;
    });
    tx
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

    use super::*;
    use crate::server::documents::Documents;
    use crate::text::PositionEncoding;

    /// A quant_config of `entries` one-line node_config entries.
    fn config(entries: usize) -> String {
        let lines: Vec<String> = (0..entries)
            .map(|i| format!("    \"/n{i}/Conv\": {{\"qtype\": \"int16\"}}"))
            .collect();
        format!(
            "{{\n  \"node_config\": {{\n{}\n  }}\n}}\n",
            lines.join(",\n")
        )
    }

    /// `int16` -> `int8` in the first entry (line 2).
    fn edit_first_entry() -> TextDocumentContentChangeEvent {
        let at = "    \"/n0/Conv\": {\"qtype\": \"".len() as u32;
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(2, at), Position::new(2, at + 5))),
            range_length: None,
            text: "int8".into(),
        }
    }

    #[test]
    fn memory_is_given_back_after_a_big_document_is_parsed_anew_not_after_each_edit() {
        let docs = Documents::default();
        let big: Uri = "file:///w/quant_config.json".parse().expect("a URI");
        let text = config(40_000);
        assert!(text.len() >= crate::memory::BIG_DOCUMENT_BYTES);
        docs.open(big.clone(), text, 1);
        let opened = docs.snapshot(&big).expect("open");
        assert!(frees_much(&opened));
        drop(opened);
        assert!(docs.change(&big, 2, &[edit_first_entry()], PositionEncoding::Utf16));
        let edited = docs.snapshot(&big).expect("open");
        assert!(!edited.reuse.is_empty(), "the edit was re-parsed in place");
        assert!(!frees_much(&edited));
        // A whole-text change is parsed anew.
        let whole = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: config(40_001),
        };
        drop(edited);
        assert!(docs.change(&big, 3, &[whole], PositionEncoding::Utf16));
        assert!(frees_much(&docs.snapshot(&big).expect("open")));

        let small: Uri = "file:///w/small/quant_config.json".parse().expect("a URI");
        docs.open(small.clone(), config(10), 1);
        assert!(!frees_much(&docs.snapshot(&small).expect("open")));
    }
}
