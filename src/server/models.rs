//! Which model each document is checked against, and the loaded models, shared by path.
//!
//! A model is re-read when the client reports a change to it (`didChangeWatchedFiles`) or,
//! for clients that cannot watch files, when its mtime or length changed. While a model is
//! being rewritten (reading it fails), the last good one stays in use, and the user is told:
//! the configs checked against it get a warning, and the first failure a message.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use tower_lsp_server::ls_types::Uri;

use crate::model::{
    self, ConfigRequest, Loaded, ModelError, ModelIndex, Paired, MARCH_DIRECTIVE,
    TOOLCHAIN_DIRECTIVE,
};
use crate::syntax::Parse;
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    mtime: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        mtime: meta.modified().ok(),
        len: meta.len(),
    })
}

#[derive(Debug, Default)]
struct Entry {
    stamp: Option<Stamp>,
    last_good: Option<Arc<ModelIndex>>,
    error: Option<ModelError>,
    /// Set by a file-watcher event: read again on next use.
    stale: bool,
}

impl Entry {
    fn state(&self, path: &Path) -> Loaded {
        match (&self.last_good, &self.error) {
            (Some(m), _) => Ok(m.clone()),
            (None, Some(e)) => Err(e.clone()),
            // Never stored so; say something true rather than panic.
            (None, None) => Err(ModelError {
                path: path.to_path_buf(),
                message: "not read yet".into(),
                missing: false,
            }),
        }
    }
}

/// The pairing of one document, remembered briefly so that typing does not scan folders.
#[derive(Clone, Debug)]
struct CachedPairing {
    /// Every input of the pairing besides the files: directives and settings.
    key: String,
    at: Instant,
    paired: Paired,
}

/// Without file watching, a pairing found by scanning folders is trusted this long.
const PAIRING_TTL: Duration = Duration::from_secs(2);

/// How a model file is read: [`ModelIndex::load`], or a stand-in in tests (a slow load).
pub type ModelLoader = Arc<dyn Fn(&Path) -> Result<ModelIndex, ModelError> + Send + Sync>;

pub struct ModelStore {
    entries: Mutex<HashMap<PathBuf, Entry>>,
    pairings: Mutex<HashMap<Uri, CachedPairing>>,
    /// One gate per model path: requests that arrive together (diagnostics, inlay hints,
    /// hover at open) read a model once; the others wait for that read.
    reading: Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>,
    loader: ModelLoader,
    /// Messages for the user about models that became unreadable, shown once each.
    notices: Mutex<Vec<String>>,
}

impl Default for ModelStore {
    fn default() -> Self {
        ModelStore::with_loader(Arc::new(ModelIndex::load))
    }
}

impl std::fmt::Debug for ModelStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelStore")
            .field("entries", &self.entries)
            .field("pairings", &self.pairings)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A document's `// qcls-model:` directive.
pub fn directive(text: &str, parse: &Parse) -> Option<(String, TextRange)> {
    model::find_directive(text, &parse.comments).map(|d| (d.path, d.range))
}

/// A document's `// qcls-march:` and `// qcls-toolchain:` directives.
pub fn dialect_directives(text: &str, parse: &Parse) -> (Option<String>, Option<String>) {
    let named = |prefix| model::find_directive_named(text, &parse.comments, prefix).map(|d| d.path);
    (named(MARCH_DIRECTIVE), named(TOOLCHAIN_DIRECTIVE))
}

impl ModelStore {
    pub fn with_loader(loader: ModelLoader) -> Self {
        ModelStore {
            entries: Mutex::default(),
            pairings: Mutex::default(),
            reading: Mutex::default(),
            loader,
            notices: Mutex::default(),
        }
    }

    /// Why the file of a model in use cannot be read now, when an earlier read of it is what
    /// is used instead.
    pub fn reading_problem(&self, path: &Path) -> Option<ModelError> {
        let entries = lock(&self.entries);
        let entry = entries.get(path)?;
        entry.last_good.as_ref()?;
        entry.error.clone()
    }

    /// The messages about models that became unreadable since the last call.
    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.notices))
    }

    /// Would [`ModelStore::get`] read the file?
    pub fn needs_load(&self, path: &Path, check_stamp: bool) -> bool {
        match lock(&self.entries).get(path) {
            None => true,
            Some(e) => e.stale || (check_stamp && stamp(path) != e.stamp),
        }
    }

    /// The model at `path`, read when not cached or changed (see the module docs). Blocking.
    pub fn get(&self, path: &Path, check_stamp: bool) -> Loaded {
        if let Some(loaded) = self.current(path, check_stamp) {
            return loaded;
        }
        let gate = lock(&self.reading)
            .entry(path.to_path_buf())
            .or_default()
            .clone();
        let _reading = lock(&gate);
        // Read by another request while this one waited at the gate.
        if let Some(loaded) = self.current(path, check_stamp) {
            return loaded;
        }
        let new_stamp = stamp(path);
        let started = Instant::now();
        let result = (self.loader)(path);
        match &result {
            Ok(index) => tracing::info!(
                "read model {}: {} nodes in {} ms",
                path.display(),
                index.node_count(),
                started.elapsed().as_millis()
            ),
            Err(e) => tracing::warn!("cannot read model {e}"),
        }
        let mut entries = lock(&self.entries);
        let entry = entries.entry(path.to_path_buf()).or_default();
        entry.stamp = new_stamp;
        entry.stale = false;
        match result {
            Ok(index) => {
                entry.last_good = Some(Arc::new(index));
                entry.error = None;
            }
            Err(e) => {
                // A missing file is gone for good; any other failure may be a half-written file.
                if new_stamp.is_none() {
                    entry.last_good = None;
                }
                if let (Some(good), None) = (&entry.last_good, &entry.error) {
                    lock(&self.notices).push(format!(
                        "qcls: the model {} cannot be read now ({}); configs are still checked against the copy read before ({} nodes) until it can be read again",
                        path.display(),
                        e.message,
                        good.node_count()
                    ));
                }
                entry.error = Some(e);
            }
        }
        entry.state(path)
    }

    /// The cached state when it needs no read.
    fn current(&self, path: &Path, check_stamp: bool) -> Option<Loaded> {
        if self.needs_load(path, check_stamp) {
            return None;
        }
        lock(&self.entries).get(path).map(|e| e.state(path))
    }

    /// The cached state without reading anything.
    pub fn cached(&self, path: &Path) -> Option<Loaded> {
        lock(&self.entries).get(path).map(|e| e.state(path))
    }

    /// Marks files as changed on disk (models are re-read, pairings recomputed).
    pub fn files_changed(&self, paths: &[PathBuf]) {
        let mut entries = lock(&self.entries);
        for p in paths {
            if let Some(e) = entries.get_mut(p) {
                e.stale = true;
            }
        }
        lock(&self.pairings).clear();
    }

    /// Forget pairings (settings changed).
    pub fn clear_pairings(&self) {
        lock(&self.pairings).clear();
    }

    /// Pairs a document with its model and its toolchain profile ([`model::pair_config`], the
    /// path the command line takes too); the model is not read. `watched`: the client reports
    /// file changes, so a cached pairing stays valid until it does.
    pub fn pair(&self, uri: &Uri, req: &ConfigRequest, watched: bool) -> Paired {
        let key = format!("{req:?}");
        if let Some(c) = lock(&self.pairings).get(uri) {
            if c.key == key && (watched || c.at.elapsed() < PAIRING_TTL) {
                return c.paired.clone();
            }
        }
        let paired = model::pair_config(req);
        match &paired.pairing {
            Some(p) => tracing::info!(
                "{}: model {} ({}); profile {}",
                req.model.config_path.display(),
                p.model.display(),
                p.reason(),
                paired.dialect.describe()
            ),
            None => tracing::info!(
                "{}: no model paired; profile {}",
                req.model.config_path.display(),
                paired.dialect.describe()
            ),
        }
        lock(&self.pairings).insert(
            uri.clone(),
            CachedPairing {
                key,
                at: Instant::now(),
                paired: paired.clone(),
            },
        );
        paired
    }

    pub fn forget(&self, uri: &Uri) {
        lock(&self.pairings).remove(uri);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_good_model_while_the_file_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.onnx");
        model::synth::write_synthetic_model(&path, 10, 0).unwrap();
        let store = ModelStore::default();
        assert!(store.get(&path, true).is_ok());
        assert!(!store.needs_load(&path, true));
        // Half-written: garbage of another length.
        std::fs::write(&path, b"\x0a\xff\xff").unwrap();
        assert!(store.needs_load(&path, true));
        let Ok(m) = store.get(&path, true) else {
            panic!("lost the last good model")
        };
        assert_eq!(m.node_count(), 10);
        // Rewritten completely.
        model::synth::write_synthetic_model(&path, 20, 0).unwrap();
        let Ok(m) = store.get(&path, true) else {
            panic!()
        };
        assert_eq!(m.node_count(), 20);
        // Deleted.
        std::fs::remove_file(&path).unwrap();
        assert!(store.get(&path, true).is_err_and(|e| e.missing));
    }

    #[test]
    fn requests_arriving_together_read_the_model_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.onnx");
        model::synth::write_synthetic_model(&path, 10, 0).unwrap();
        let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = reads.clone();
        let store = Arc::new(ModelStore::with_loader(Arc::new(move |p: &Path| {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            // Slow enough that every thread asks while the first read runs.
            std::thread::sleep(Duration::from_millis(100));
            ModelIndex::load(p)
        })));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (store, path) = (store.clone(), path.clone());
                std::thread::spawn(move || store.get(&path, true).map(|m| m.node_count()))
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap().unwrap(), 10);
        }
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn watched_files_are_not_stat_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.onnx");
        model::synth::write_synthetic_model(&path, 10, 0).unwrap();
        let store = ModelStore::default();
        assert!(store.get(&path, false).is_ok());
        model::synth::write_synthetic_model(&path, 12, 0).unwrap();
        assert!(!store.needs_load(&path, false));
        store.files_changed(std::slice::from_ref(&path));
        assert!(store.needs_load(&path, false));
        let Ok(m) = store.get(&path, false) else {
            panic!()
        };
        assert_eq!(m.node_count(), 12);
    }
}
