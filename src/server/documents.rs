//! The open documents. Notifications edit them synchronously (under a short lock, before any
//! `.await`); readers take an immutable [`Snapshot`] of one version.
//!
//! A snapshot is built from the previous one when nobody else holds it: the edits since are
//! applied to its text and its tree ([`Parse::reparse_member`]), so typing in a 6.6 MB
//! document does not re-parse 6.6 MB. The snapshot says which member changed
//! ([`Snapshot::reuse`]) so that the analysis can reuse its previous result too.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::models::{dialect_directives, directive};
use super::proto::from_proto;
use crate::analysis::{self, document_kind, is_yaml_name, DocumentKind};
use crate::syntax::{self, Parse, Splice, Value};
use crate::text::{Document, PositionEncoding, TextRange};

/// Edits kept to bring the last snapshot up to date; past this many, parse anew.
const MAX_PENDING_EDITS: usize = 256;

/// How many earlier versions a snapshot remembers its difference to.
const MAX_REUSE: usize = 4;

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
    /// Is this a quant_config or an hb_compile YAML (by name or by its top-level keys)?
    pub served: bool,
    /// A YAML document: `parse` is its YAML tree (never spliced), and the quant_config the
    /// features work on is the one written inside it.
    pub yaml: bool,
    /// The quant_config written inside an hb_compile YAML (ranges in the YAML text).
    pub inline: Option<Parse>,
    /// A YAML that cannot be read as a whole (the user is typing): the part before its error,
    /// which still names the model and the march.
    pub yaml_prefix: Option<Parse>,
    /// The local path, for `file:` URIs.
    pub path: Option<PathBuf>,
    /// Earlier versions (by generation) whose text differs from this one in one section member
    /// only, and that member: their analysis can be reused outside it. Most recent first. For
    /// a YAML, members of its inline quant_config.
    pub reuse: Vec<(u64, Splice)>,
    /// The `// qcls-model:` directive (path and range), read once per version: pairing and
    /// checking both need it, and a config may have a comment per entry.
    pub directive: Option<(String, TextRange)>,
    /// The `// qcls-march:` and `// qcls-toolchain:` directives, read with it.
    pub dialect_directives: (Option<String>, Option<String>),
    /// Over [`analysis::MAX_DOCUMENT_BYTES`]: not read (nor served), only its size known.
    pub too_large: Option<usize>,
}

#[derive(Debug)]
struct Entry {
    doc: Document,
    version: i32,
    /// Counts edits, so a cached snapshot is never stale even if a client repeats a version.
    generation: u64,
    snapshot: Option<Arc<Snapshot>>,
    /// The last snapshot built, and the edits made since (byte range of the text then, new
    /// text), to build the next one from.
    base: Option<Arc<Snapshot>>,
    edits: Vec<(TextRange, String)>,
    /// The text as the client opened it, until the first snapshot takes it: rebuilding it
    /// from the rope would cost a copy (6.6 MB and some 5 ms on a big config).
    opened: Option<String>,
    /// Held while a snapshot is built, so that two readers of a new version wait for one
    /// incremental build instead of racing to parse the whole text.
    building: Arc<Mutex<()>>,
    /// Parse the text as opened on one core: the model is read on the other meanwhile.
    one_core: bool,
}

#[derive(Debug, Default)]
pub struct Documents {
    map: Mutex<HashMap<Uri, Entry>>,
    generations: AtomicU64,
}

/// Does qcls serve this document? (The rule `qcls check` follows too.)
pub fn is_quant_config(uri: &Uri, text: &str, parse: &Parse) -> bool {
    matches!(
        document_kind(&from_proto::file_name(uri), text, parse),
        DocumentKind::QuantConfig | DocumentKind::HbCompileYaml
    )
}

impl Documents {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uri, Entry>> {
        // A panic elsewhere while holding the lock leaves the map usable: edits are atomic.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn open(&self, uri: Uri, text: String, version: i32) {
        self.lock().insert(
            uri,
            Entry {
                doc: Document::new(&text),
                version,
                generation: self.generations.fetch_add(1, Ordering::Relaxed),
                snapshot: None,
                base: None,
                edits: Vec::new(),
                opened: Some(text),
                building: Arc::default(),
                one_core: false,
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
        if let Some(last) = entry.snapshot.take() {
            entry.base = Some(last);
            entry.edits.clear();
        }
        entry.opened = None;
        for c in changes {
            let range = c
                .range
                .map(|r| (from_proto::position(r.start), from_proto::position(r.end)));
            let replaced = entry.doc.apply_change(range, &c.text, enc);
            match replaced {
                Some(r) if entry.base.is_some() && entry.edits.len() < MAX_PENDING_EDITS => {
                    entry.edits.push((r, c.text.clone()));
                }
                _ => {
                    entry.base = None;
                    entry.edits.clear();
                }
            }
        }
        entry.version = version;
        entry.generation = self.generations.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// The first parse of `uri` (the text as opened) is to run on one core.
    pub fn parse_on_one_core(&self, uri: &Uri) {
        if let Some(entry) = self.lock().get_mut(uri) {
            entry.one_core = true;
        }
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

    /// The current version's snapshot when it is already built (nothing is parsed).
    pub fn ready_snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        self.lock().get(uri)?.snapshot.clone()
    }

    /// The current version of a document, parsed. Parsing happens outside the lock.
    pub fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let building = self.lock().get(uri)?.building.clone();
        let _one_builder = building.lock().unwrap_or_else(|e| e.into_inner());
        let (doc, version, generation, base, edits, opened, one_core) = {
            let mut map = self.lock();
            let entry = map.get_mut(uri)?;
            if let Some(s) = &entry.snapshot {
                return Some(s.clone());
            }
            let base = entry.base.take();
            let edits = std::mem::take(&mut entry.edits);
            (
                entry.doc.clone(),
                entry.version,
                entry.generation,
                base,
                edits,
                entry.opened.take(),
                std::mem::take(&mut entry.one_core),
            )
        };
        let yaml = is_yaml_name(&from_proto::file_name(uri));
        if doc.len() > analysis::MAX_DOCUMENT_BYTES {
            let snapshot = Arc::new(Snapshot {
                yaml,
                inline: None,
                yaml_prefix: None,
                directive: None,
                dialect_directives: (None, None),
                uri: uri.clone(),
                version,
                generation,
                served: false,
                path: from_proto::file_path(uri),
                too_large: Some(doc.len()),
                doc,
                text: String::new(),
                parse: Parse::default(),
                reuse: Vec::new(),
            });
            return Some(snapshot);
        }
        let (text, parse, inline, reuse) = if yaml {
            build_yaml(&doc, opened, base, edits)
        } else {
            let (text, parse, reuse) = build(&doc, opened, base, edits, one_core);
            (text, parse, None, reuse)
        };
        let yaml_prefix = if yaml {
            syntax::parse_yaml_prefix(&text, &parse)
        } else {
            None
        };
        let snapshot = Arc::new(Snapshot {
            yaml,
            inline,
            yaml_prefix,
            directive: directive(&text, &parse),
            dialect_directives: dialect_directives(&text, &parse),
            uri: uri.clone(),
            version,
            generation,
            served: is_quant_config(uri, &text, &parse),
            path: from_proto::file_path(uri),
            too_large: None,
            doc,
            text,
            parse,
            reuse,
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

/// The text and tree of a new version: from the last snapshot and the edits since when it can
/// be taken over (nobody else holds it), else from scratch (from the text as opened, when this
/// is the version opened; on one core when `one_core`).
fn build(
    doc: &Document,
    opened: Option<String>,
    base: Option<Arc<Snapshot>>,
    edits: Vec<(TextRange, String)>,
    one_core: bool,
) -> (String, Parse, Vec<(u64, Splice)>) {
    let from_scratch = || {
        let text = opened.unwrap_or_else(|| doc.text());
        let parse = if one_core {
            syntax::parse(&text)
        } else {
            syntax::parse_on_two_cores(&text)
        };
        (text, parse, Vec::new())
    };
    let Some(Ok(base)) = base.map(Arc::try_unwrap) else {
        return from_scratch();
    };
    let Snapshot {
        mut text,
        mut parse,
        generation: base_generation,
        reuse: base_reuse,
        ..
    } = base;
    let mut spliced = true;
    let mut splices: Vec<Splice> = Vec::new();
    for (range, insert) in &edits {
        if text.get(range.start..range.end).is_none() {
            return from_scratch();
        }
        text.replace_range(range.start..range.end, insert);
        if !spliced {
            continue;
        }
        match parse.reparse_member(&text, *range, insert.len()) {
            None => spliced = false,
            Some(splice) => splices.push(splice),
        }
    }
    debug_assert_eq!(
        text.len(),
        doc.len(),
        "edits replayed on the snapshot's text"
    );
    if text.len() != doc.len() {
        return from_scratch();
    }
    if !spliced {
        let parse = syntax::parse_on_two_cores(&text);
        return (text, parse, Vec::new());
    }
    let reuse = reuse_of(&splices, base_generation, &base_reuse);
    (text, parse, reuse)
}

/// The earlier versions a new one can be checked from: the one member every edit fell in,
/// relative to the base and to the versions the base could be checked from.
fn reuse_of(
    splices: &[Splice],
    base_generation: u64,
    base_reuse: &[(u64, Splice)],
) -> Vec<(u64, Splice)> {
    let change = splices
        .split_first()
        .and_then(|(first, rest)| rest.iter().try_fold(first.clone(), |all, s| all.then(s)));
    match change {
        Some(change) => std::iter::once((base_generation, change.clone()))
            .chain(
                base_reuse
                    .iter()
                    .filter_map(|(g, earlier)| earlier.then(&change).map(|s| (*g, s))),
            )
            .take(MAX_REUSE)
            .collect(),
        None => Vec::new(),
    }
}

/// A YAML's text, tree, inline quant_config and reuse. When every edit since the last snapshot
/// fell inside its inline quant_config written as JSON (the usual case while tuning a config),
/// the edited member of that config is re-parsed in place, as in a JSON document, and only the
/// rest of the YAML is read again; else the YAML is read anew.
fn build_yaml(
    doc: &Document,
    opened: Option<String>,
    base: Option<Arc<Snapshot>>,
    edits: Vec<(TextRange, String)>,
) -> (String, Parse, Option<Parse>, Vec<(u64, Splice)>) {
    let from_scratch = || {
        let text = opened.unwrap_or_else(|| doc.text());
        let parse = syntax::parse_yaml(&text);
        let inline = analysis::inline_quant_config(&parse);
        (text, parse, inline, Vec::new())
    };
    let Some(Ok(base)) = base.map(Arc::try_unwrap) else {
        return from_scratch();
    };
    let Snapshot {
        mut text,
        inline: Some(mut inline),
        generation: base_generation,
        reuse: base_reuse,
        ..
    } = base
    else {
        return from_scratch();
    };
    if !read_as_json(&inline) {
        return from_scratch();
    }
    let mut splices = Vec::new();
    for (range, insert) in &edits {
        let inside = inline
            .root
            .as_ref()
            .is_some_and(|r| r.range.start < range.start && range.end < r.range.end);
        if !inside || text.get(range.start..range.end).is_none() {
            return from_scratch();
        }
        text.replace_range(range.start..range.end, insert);
        match inline.reparse_member(&text, *range, insert.len()) {
            Some(splice) => splices.push(splice),
            None => return from_scratch(),
        }
    }
    if text.len() != doc.len() {
        return from_scratch();
    }
    let Some(parse) = inline
        .root
        .as_ref()
        .and_then(|root| syntax::parse_yaml_with_inline(&text, root))
    else {
        return from_scratch();
    };
    let reuse = reuse_of(&splices, base_generation, &base_reuse);
    (text, parse, Some(inline), reuse)
}

/// Was this inline quant_config read by the JSON parser (its region is JSON text, so a member
/// can be re-parsed in place)? The JSON parser records each member's colon; the YAML reader
/// gives colons no width.
fn read_as_json(inline: &Parse) -> bool {
    inline
        .root
        .as_ref()
        .and_then(Value::as_object)
        .is_some_and(|o| {
            o.members
                .iter()
                .all(|m| m.colon.is_some_and(|c| !c.is_empty()))
        })
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    const TEXT: &str = "{\n  \"node_config\": {\n    \"/a/Conv\": {\"qtype\": \"int16\"},\n    \"/b/Add\": {\"qtype\": \"int8\"}\n  }\n}\n";

    fn uri() -> Uri {
        "file:///w/quant_config.json".parse().expect("a valid URI")
    }

    /// Replaces `old` (its first occurrence in `text`) with `new`, as an editor on one line.
    fn change(text: &str, old: &str, new: &str) -> TextDocumentContentChangeEvent {
        let at = text.find(old).expect("old text present");
        let line = text[..at].matches('\n').count() as u32;
        let col = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(line, col),
                Position::new(line, col + old.len() as u32),
            )),
            range_length: None,
            text: new.to_string(),
        }
    }

    fn edit(docs: &Documents, version: i32, text: &mut String, old: &str, new: &str) {
        let c = change(text, old, new);
        *text = text.replacen(old, new, 1);
        assert!(docs.change(&uri(), version, &[c], PositionEncoding::Utf16));
    }

    #[test]
    fn a_new_version_is_built_from_the_last_snapshot() {
        let docs = Documents::default();
        let mut text = TEXT.to_string();
        docs.open(uri(), text.clone(), 1);
        let first = docs.snapshot(&uri()).expect("open");
        let first_generation = first.generation;
        drop(first);
        edit(&docs, 2, &mut text, "int16", "float16");
        let second = docs.snapshot(&uri()).expect("open");
        assert_eq!(second.text, text);
        assert_eq!(second.parse, syntax::parse(&text));
        let (generation, splice) = &second.reuse[0];
        assert_eq!(*generation, first_generation);
        assert_eq!((splice.section, splice.member, splice.delta()), (0, 0, 2));
        // Two more edits of the same entry, one snapshot: one splice, from both earlier versions.
        let second_generation = second.generation;
        drop(second);
        edit(&docs, 3, &mut text, "float16", "int8");
        edit(
            &docs,
            4,
            &mut text,
            "\"int8\"",
            "\"int8\", \"input0\": \"ec\"",
        );
        let third = docs.snapshot(&uri()).expect("open");
        assert_eq!(third.text, text);
        assert_eq!(third.parse, syntax::parse(&text));
        let generations: Vec<u64> = third.reuse.iter().map(|(g, _)| *g).collect();
        assert_eq!(generations, [second_generation, first_generation]);
        assert_eq!(third.reuse[1].1.old, TextRange::new(25, 54));
    }

    #[test]
    fn the_text_opened_is_the_first_snapshot_and_an_edit_before_it_counts() {
        let docs = Documents::default();
        let mut text = TEXT.to_string();
        docs.open(uri(), text.clone(), 1);
        assert_eq!(docs.snapshot(&uri()).expect("open").text, TEXT);
        // Edited before any snapshot of the new version: the text opened is stale.
        let other: Uri = "file:///w/other_quant_config.json"
            .parse()
            .expect("a valid URI");
        docs.open(other.clone(), TEXT.to_string(), 1);
        let c = change(&text, "int16", "float16");
        text = text.replacen("int16", "float16", 1);
        assert!(docs.change(&other, 2, &[c], PositionEncoding::Utf16));
        let snapshot = docs.snapshot(&other).expect("open");
        assert_eq!(snapshot.text, text);
        assert_eq!(snapshot.parse, syntax::parse(&text));
    }

    #[test]
    fn a_snapshot_still_held_elsewhere_is_not_reused() {
        let docs = Documents::default();
        let mut text = TEXT.to_string();
        docs.open(uri(), text.clone(), 1);
        let held = docs.snapshot(&uri()).expect("open");
        edit(&docs, 2, &mut text, "int16", "float16");
        let next = docs.snapshot(&uri()).expect("open");
        assert_eq!(next.parse, syntax::parse(&text));
        assert!(next.reuse.is_empty());
        assert_eq!(held.text, TEXT, "the held snapshot is unchanged");
    }

    #[test]
    fn edits_of_two_entries_or_of_the_structure_parse_right_but_reuse_nothing() {
        let docs = Documents::default();
        let mut text = TEXT.to_string();
        docs.open(uri(), text.clone(), 1);
        drop(docs.snapshot(&uri()));
        edit(&docs, 2, &mut text, "int16", "float16");
        edit(&docs, 3, &mut text, "int8", "int16");
        let s = docs.snapshot(&uri()).expect("open");
        assert_eq!(s.parse, syntax::parse(&text));
        assert!(s.reuse.is_empty());
        drop(s);
        // Removing a comma breaks the document: parsed anew, errors and all.
        edit(&docs, 4, &mut text, "\"float16\"},", "\"float16\"}");
        let s = docs.snapshot(&uri()).expect("open");
        assert_eq!(s.parse, syntax::parse(&text));
        assert!(!s.parse.errors.is_empty());
        assert!(s.reuse.is_empty());
        drop(s);
        // A full replacement.
        let whole = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: TEXT.to_string(),
        };
        assert!(docs.change(&uri(), 5, &[whole], PositionEncoding::Utf16));
        let s = docs.snapshot(&uri()).expect("open");
        assert_eq!(s.text, TEXT);
        assert!(s.reuse.is_empty());
    }
}
