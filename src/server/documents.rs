//! The open documents. Notifications edit them synchronously (under a short lock, before any
//! `.await`); readers take an immutable [`Snapshot`] of one version.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::proto::from_proto;
use crate::syntax::{self, Parse};
use crate::text::{Document, PositionEncoding};

/// One version of a document with its parse. Cheap to share.
#[derive(Debug)]
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    /// Which edit of the store this is (see [`Documents::generation`]).
    pub generation: u64,
    pub doc: Document,
    pub text: String,
    pub parse: Parse,
    /// Is this a quant_config (by name or by its top-level keys)?
    pub served: bool,
    /// The local path, for `file:` URIs.
    pub path: Option<PathBuf>,
}

#[derive(Debug)]
struct Entry {
    doc: Document,
    version: i32,
    /// Counts edits, so a cached snapshot is never stale even if a client repeats a version.
    generation: u64,
    snapshot: Option<Arc<Snapshot>>,
}

#[derive(Debug, Default)]
pub struct Documents {
    map: Mutex<HashMap<Uri, Entry>>,
    generations: AtomicU64,
}

/// The top-level keys that make any JSON document a quant_config.
const TOP_KEYS: &[&str] = &[
    "model_config",
    "op_config",
    "node_config",
    "subgraph_config",
];

/// SPEC §7: by file name, or by a top-level key.
pub fn is_quant_config(uri: &Uri, parse: &Parse) -> bool {
    if from_proto::file_name(uri).contains("quant_config") {
        return true;
    }
    parse.root_object().is_some_and(|o| {
        o.members
            .iter()
            .any(|m| TOP_KEYS.contains(&m.key.text.as_str()))
    })
}

impl Documents {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uri, Entry>> {
        // A panic elsewhere while holding the lock leaves the map usable: edits are atomic.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn open(&self, uri: Uri, text: &str, version: i32) {
        self.lock().insert(
            uri,
            Entry {
                doc: Document::new(text),
                version,
                generation: self.generations.fetch_add(1, Ordering::Relaxed),
                snapshot: None,
            },
        );
    }

    /// Applies the changes in order; `false` when the document is not open.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        enc: PositionEncoding,
    ) -> bool {
        let mut map = self.lock();
        let Some(entry) = map.get_mut(uri) else {
            return false;
        };
        for c in changes {
            let range = c
                .range
                .map(|r| (from_proto::position(r.start), from_proto::position(r.end)));
            entry.doc.apply_change(range, &c.text, enc);
        }
        entry.version = version;
        entry.generation = self.generations.fetch_add(1, Ordering::Relaxed);
        entry.snapshot = None;
        true
    }

    pub fn close(&self, uri: &Uri) -> bool {
        self.lock().remove(uri).is_some()
    }

    /// Changes with every open and edit; a result computed for an older generation is stale.
    pub fn generation(&self, uri: &Uri) -> Option<u64> {
        self.lock().get(uri).map(|e| e.generation)
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.lock().keys().cloned().collect()
    }

    /// The current version of a document, parsed. Parsing happens outside the lock.
    pub fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let (doc, version, generation) = {
            let map = self.lock();
            let entry = map.get(uri)?;
            if let Some(s) = &entry.snapshot {
                return Some(s.clone());
            }
            (entry.doc.clone(), entry.version, entry.generation)
        };
        let text = doc.text();
        let parse = syntax::parse(&text);
        let snapshot = Arc::new(Snapshot {
            uri: uri.clone(),
            version,
            generation,
            served: is_quant_config(uri, &parse),
            path: from_proto::file_path(uri),
            doc,
            text,
            parse,
        });
        let mut map = self.lock();
        if let Some(entry) = map.get_mut(uri) {
            if entry.generation == generation && entry.snapshot.is_none() {
                entry.snapshot = Some(snapshot.clone());
            }
        }
        Some(snapshot)
    }
}
